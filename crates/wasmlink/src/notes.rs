//! Explanations under wasm-ld's messages, in the style of rustc's
//! diagnostics: the first line stays wasm-ld's (tools grep for it), the
//! lines after it say where and what to do.
//!
//! - An undefined symbol: every function (and data segment) of the
//!   referencing file that refers to it (`--> referenced by ...`), a near
//!   name some input defines (`= help: did you mean ...`), how to import
//!   it instead, and its mangled form when it is shown demangled.
//! - A duplicate symbol: both definitions with the function or data they
//!   name, and the ways out.
//! - A signature mismatch: every call site whose signature differs from
//!   the definition's.
//!
//! The notes are computed only when a link fails (or warns): undefined and
//! duplicate symbols re-read the inputs ([`object_parse::run`]) and parse
//! the archive members they name; signature mismatches use the finished
//! resolution.

use object_parse::error::escape_controls;
use object_parse::{Input, LoadedInputs, ObjectFile, ObjectSet, RelocType, SymbolKind};
use std::collections::BTreeMap;
use symbol_resolve::{FuncRef, Resolution, ResolveError, StubKind, SymbolError, SyntheticFunc, Target};

/// The prefix of a location line.
pub const ARROW: &str = "  --> ";
/// The prefix of a help line.
pub const HELP: &str = "  = help: ";
/// The prefix of a note line.
pub const NOTE: &str = "  = note: ";

/// The messages of a failed link with their notes (the first line of each
/// is [`crate::LinkError::messages`]'s, unchanged).
pub fn annotate(error: &crate::LinkError, inputs: &LoadedInputs, demangle: bool) -> Vec<String> {
    let crate::LinkError::Resolve(ResolveError::Symbols(list)) = error else { return error.messages() };
    let Ok(set) = object_parse::run(inputs) else { return error.messages() };
    let index = InputIndex::new(&set);
    list.iter()
        .map(|e| {
            let mut lines = vec![e.to_string()];
            match e {
                SymbolError::Undefined { file, name } => undefined_notes(&index, file, name, demangle, &mut lines),
                SymbolError::Duplicate { name, first, second } => {
                    duplicate_notes(&index, name, first, second, demangle, &mut lines)
                }
                _ => {}
            }
            // Names from inputs: control characters escaped, as in the
            // first line, so each message keeps its lines.
            for line in lines.iter_mut().skip(1) {
                *line = escape_controls(line).into_owned();
            }
            lines.join("\n")
        })
        .collect()
}

/// The inputs by display name; archive members parsed when asked for.
struct InputIndex<'s, 'a> {
    set: &'s ObjectSet<'a>,
}

/// An input object, borrowed or parsed for the occasion.
enum Found<'s, 'a> {
    Borrowed(&'s ObjectFile<'a>),
    Parsed(Box<ObjectFile<'a>>),
}

impl<'a> std::ops::Deref for Found<'_, 'a> {
    type Target = ObjectFile<'a>;
    fn deref(&self) -> &ObjectFile<'a> {
        match self {
            Found::Borrowed(o) => o,
            Found::Parsed(o) => o,
        }
    }
}

impl<'s, 'a> InputIndex<'s, 'a> {
    fn new(set: &'s ObjectSet<'a>) -> Self {
        InputIndex { set }
    }

    /// The object (or archive member, `lib.a(m.o)`) named `file`.
    fn object(&self, file: &str) -> Option<Found<'s, 'a>> {
        for input in &self.set.inputs {
            match input {
                Input::Object(o) if o.name == file => return Some(Found::Borrowed(o)),
                Input::Archive(a) => {
                    for m in &a.archive.members {
                        if object_parse::member_display_name(a.path, &m.name) == file {
                            if let Ok(object_parse::MemberContent::Object(o)) = object_parse::parse_member(a.path, m) {
                                return Some(Found::Parsed(o));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Every global definition of the inputs (objects and archive
    /// members): (name, where), in input order.
    fn definitions(&self) -> Vec<(&'a str, String)> {
        let mut out = Vec::new();
        for input in &self.set.inputs {
            match input {
                Input::Object(o) => {
                    for s in o.linking.symbols.iter().filter(|s| !s.is_undefined() && !s.is_local()) {
                        out.push((s.name, o.name.clone()));
                    }
                }
                Input::Archive(a) => {
                    for (m, summary) in a.archive.members.iter().zip(&a.summaries) {
                        let object_parse::MemberSummary::Object(s) = summary else { continue };
                        for sym in &s.symbols {
                            let f = sym.flags;
                            if f & object_parse::flags::UNDEFINED == 0 && f & object_parse::flags::BINDING_LOCAL == 0 {
                                out.push((sym.name, object_parse::member_display_name(a.path, &m.name)));
                            }
                        }
                    }
                }
                Input::Stub(_) => {}
                Input::Shared(lib) => {
                    for sym in &lib.symbols {
                        out.push((sym.name, lib.path.to_string()));
                    }
                }
            }
        }
        out
    }
}

/// The name of each defined function of `obj`: its first defining symbol.
fn function_names<'a>(obj: &ObjectFile<'a>) -> Vec<Option<&'a str>> {
    let mut names = vec![None; obj.functions.len()];
    for s in obj.linking.symbols.iter().filter(|s| !s.is_undefined()) {
        if let SymbolKind::Function(fi) = s.kind {
            if let Some(slot) = obj.defined_function(fi).and_then(|d| names.get_mut(d.index())) {
                slot.get_or_insert(s.name);
            }
        }
    }
    names
}

/// The functions and data segments of `obj` whose relocations refer to
/// one of the symbols `wanted`, as `` `name` `` / `` data `name` ``.
fn referrers(obj: &ObjectFile<'_>, wanted: &[u32], demangle: bool) -> Vec<String> {
    let names = function_names(obj);
    let mut out = Vec::new();
    let refers = |r: &object_parse::Reloc| r.ty != RelocType::TypeIndexLeb && wanted.contains(&r.index);
    for (i, f) in obj.functions.iter().enumerate() {
        if obj.code_relocs.get(f.relocs.clone()).is_some_and(|rs| rs.iter().any(refers)) {
            let name =
                names[i].map_or_else(|| format!("function #{i}"), |n| demangle::display_name(n, demangle).into_owned());
            out.push(format!("`{name}`"));
        }
    }
    for s in &obj.segments {
        if obj.data_relocs.get(s.relocs.clone()).is_some_and(|rs| rs.iter().any(refers)) {
            out.push(format!("data `{}`", s.info.name));
        }
    }
    out
}

/// The notes of `FILE: undefined symbol: NAME` (NAME as shown: demangled
/// unless `--no-demangle`).
fn undefined_notes(index: &InputIndex<'_, '_>, file: &str, shown: &str, demangle: bool, lines: &mut Vec<String>) {
    let Some(obj) = index.object(file) else { return };
    let matching: Vec<(u32, &object_parse::Symbol<'_>)> = obj
        .linking
        .symbols
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_undefined() && (s.name == shown || demangle::display_name(s.name, demangle) == shown))
        .map(|(i, s)| (i as u32, s))
        .collect();
    let Some(&(_, sym)) = matching.first() else { return };
    let raw = sym.name;
    let ids: Vec<u32> = matching.iter().map(|(i, _)| *i).collect();
    let users = referrers(&obj, &ids, demangle);
    if !users.is_empty() {
        lines.push(format!("{ARROW}referenced by {} in {file}", users.join(", ")));
    }
    if raw != shown {
        lines.push(format!("{NOTE}mangled name: `{raw}`"));
    } else if demangle::demangle(raw) != raw {
        lines.push(format!("{NOTE}demangled: `{}`", demangle::demangle(raw)));
    }
    if let Some((near, place)) = near_name(index, raw, demangle) {
        lines.push(format!("{HELP}did you mean `{near}` (defined in {place})?"));
    }
    match sym.kind {
        SymbolKind::Function(_) => lines.push(format!(
            "{HELP}if the host provides it, declare it with \
             __attribute__((import_module(\"env\"), import_name(\"{raw}\"))) or link with --allow-undefined"
        )),
        SymbolKind::Data(_) => lines.push(format!(
            "{HELP}data can't be imported: define it, or link with --unresolved-symbols=ignore-all (address 0)"
        )),
        _ => {}
    }
}

/// The defined name nearest to `name` (edit distance at most a third of
/// its length, at least 1), with where it is defined.
fn near_name(index: &InputIndex<'_, '_>, name: &str, demangle: bool) -> Option<(String, String)> {
    let limit = (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str, String)> = None;
    for (candidate, place) in index.definitions() {
        if candidate == name {
            continue;
        }
        let d = if candidate.eq_ignore_ascii_case(name) { 0 } else { edit_distance(candidate, name, limit) };
        if d <= limit && best.as_ref().is_none_or(|b| d < b.0) {
            best = Some((d, candidate, place));
        }
    }
    best.map(|(_, n, p)| (demangle::display_name(n, demangle).into_owned(), p))
}

/// Levenshtein distance, or `limit + 1` once it is sure to exceed `limit`.
fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        if cur.iter().min().is_some_and(|&m| m > limit) {
            return limit + 1;
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The notes of `duplicate symbol: NAME`.
fn duplicate_notes(
    index: &InputIndex<'_, '_>,
    shown: &str,
    first: &symbol_resolve::DefinedBy,
    second: &str,
    demangle: bool,
    lines: &mut Vec<String>,
) {
    let files: Vec<&str> = match first {
        symbol_resolve::DefinedBy::File(f) => vec![f.as_str(), second],
        symbol_resolve::DefinedBy::Linker => vec![second],
    };
    let mut raw_name = None;
    let mut kinds = Vec::new();
    for file in files {
        let Some(obj) = index.object(file) else { continue };
        let Some(sym) = obj
            .linking
            .symbols
            .iter()
            .find(|s| !s.is_undefined() && (s.name == shown || demangle::display_name(s.name, demangle) == shown))
        else {
            continue;
        };
        raw_name.get_or_insert(sym.name);
        let what = match sym.kind {
            SymbolKind::Function(_) => "function",
            SymbolKind::Data(_) => "data",
            SymbolKind::Global(_) => "global",
            SymbolKind::Tag(_) => "tag",
            SymbolKind::Table(_) => "table",
            SymbolKind::Section(_) => continue,
        };
        let binding = if sym.is_weak() { "weak" } else { "strong" };
        let hidden = if sym.is_hidden() { ", hidden" } else { "" };
        kinds.push(format!("a {binding}{hidden} {what} in {file}"));
    }
    if !kinds.is_empty() {
        lines.push(format!("{NOTE}the definitions: {}", kinds.join("; ")));
    }
    if let Some(raw) = raw_name.filter(|r| *r != shown) {
        lines.push(format!("{NOTE}mangled name: `{raw}`"));
    }
    lines.push(format!(
        "{HELP}keep one definition (make the others `static`, or `__attribute__((weak))`), \
         or link with --allow-multiple-definition (the first one wins)"
    ));
}

/// Per function name, the call sites whose signature differs from the
/// definition (calls routed to a `signature_mismatch:` stub), as note lines
/// for the `function signature mismatch` warning.
pub fn signature_mismatch_notes(res: &Resolution<'_>, demangle: bool) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, stub) in res.stubs.iter().enumerate() {
        if stub.kind != StubKind::SignatureMismatch {
            continue;
        }
        let stub_target = Target::Function(FuncRef::Synthetic(SyntheticFunc::Stub(symbol_resolve::StubId(id as u32))));
        let mut sites = Vec::new();
        for (o, obj) in res.objects.iter().enumerate() {
            let ids: Vec<u32> = (0..obj.linking.symbols.len() as u32)
                .filter(|&s| res.targets[o].get(s as usize) == Some(&stub_target))
                .collect();
            if ids.is_empty() {
                continue;
            }
            let users = referrers(obj, &ids, demangle);
            if !users.is_empty() {
                let line = format!("{ARROW}called as {} by {} in {}", stub.signature, users.join(", "), obj.name);
                sites.push(escape_controls(&line).into_owned());
            }
        }
        if !sites.is_empty() {
            out.entry(stub.name.clone()).or_default().extend(sites);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("foo_bar", "foo_baz", 3), 1);
        assert_eq!(edit_distance("missing_fn", "missing_fun", 3), 1);
        assert_eq!(edit_distance("abc", "xyz", 1), 2);
        assert_eq!(edit_distance("", "ab", 5), 2);
    }
}
