//! `--why-live=SYM` (a wasmlink extension; repeatable, `*` and `?` globs):
//! for each symbol the pattern matches, the chain of references from a GC
//! root that keeps it in the output, one line per edge, or the rule that
//! removed it. The chains come from [`LiveGraph`]; archive members that
//! were never extracted are found in the inputs' member summaries, which
//! [`LazyDefinitions`] collects while the link runs.
//!
//! Format (stdout), one block per matching symbol:
//!
//! ```text
//! why-live: `hidden_fn` (function in opts.o) is live
//!   root: export `run` (export_name / WASM_SYM_EXPORTED): `run` (function in opts.o)
//!   `run` (opts.o) takes the address of (table slot) `hidden_fn` (opts.o)
//! why-live: `dead_hidden_fn` (function in opts.o) was removed by --gc-sections: no GC root reaches it
//! ```

use crate::config::Config;
use crate::live_graph::{Atom, Cause, LiveGraph, NodeId, ObjectCause, Step};
use object_parse::{Input, ObjectSet, SymbolKind};
use std::fmt::Write;
use symbol_resolve::{ObjectId, Resolution, StubKind, Target};

/// Whether `name` matches the glob `pattern` (`*`: any run of characters,
/// `?`: any one character; everything else literal).
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Whether a symbol named `raw` matches `pattern`, by its raw or its
/// displayed (demangled) name.
fn symbol_matches(pattern: &str, raw: &str, demangle: bool) -> bool {
    glob_matches(pattern, raw) || glob_matches(pattern, &demangle::display_name(raw, demangle))
}

/// A symbol an archive member defines, recorded before resolution (only
/// for names some `--why-live` pattern matches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LazyDefinition {
    /// The symbol's name.
    pub name: String,
    /// The member, as `archive(member)`.
    pub member: String,
}

/// The archive members' definitions that `--why-live` patterns match.
#[derive(Debug, Clone, Default)]
pub struct LazyDefinitions(pub Vec<LazyDefinition>);

impl LazyDefinitions {
    /// Collects them from the parsed inputs (before resolution moves the
    /// member summaries out).
    pub fn collect(set: &ObjectSet<'_>, patterns: &[String], demangle: bool) -> Self {
        let mut out = Vec::new();
        if patterns.is_empty() {
            return LazyDefinitions(out);
        }
        for input in &set.inputs {
            let Input::Archive(a) = input else { continue };
            for (member, summary) in a.archive.members.iter().zip(&a.summaries) {
                let object_parse::MemberSummary::Object(s) = summary else { continue };
                for sym in &s.symbols {
                    let defined = sym.flags & object_parse::flags::UNDEFINED == 0
                        && sym.flags & object_parse::flags::BINDING_LOCAL == 0;
                    if defined && patterns.iter().any(|p| symbol_matches(p, sym.name, demangle)) {
                        out.push(LazyDefinition {
                            name: sym.name.to_string(),
                            member: object_parse::member_display_name(a.path, &member.name),
                        });
                    }
                }
            }
        }
        LazyDefinitions(out)
    }
}

/// What `--why-live` (and `--size-report`) need from the stages before
/// resolution finishes: the archive members' definitions (for symbols
/// never extracted) and which linked objects are archive members. Fed
/// each stage's output by the caller's [`crate::Observer`].
#[derive(Debug, Clone, Default)]
pub struct Explain {
    /// Matching definitions in archive members.
    pub lazy: LazyDefinitions,
    /// Per linked object: it came from an archive.
    pub from_archive: Vec<bool>,
}

impl Explain {
    /// Records what is needed from a stage's output (only when `config`
    /// asks for `--why-live` or `--size-report`).
    pub fn observe(&mut self, output: &crate::StageOutput<'_, '_>, config: &Config) {
        if config.why_live.is_empty() && config.size_report.is_none() {
            return;
        }
        match output {
            crate::StageOutput::Parsed(set) => {
                self.lazy = LazyDefinitions::collect(set, &config.why_live, config.demangle)
            }
            crate::StageOutput::Selected(selection) => self.from_archive = selection.from_archive.clone(),
            _ => {}
        }
    }

    /// The liveness graph of a finished link.
    pub fn graph(&self, linked: &crate::Linked<'_>, config: &Config) -> LiveGraph {
        LiveGraph::build(&linked.resolution, config, &self.from_archive)
    }

    /// The `--why-live` report of a finished link (empty without patterns).
    pub fn report(&self, linked: &crate::Linked<'_>, config: &Config) -> String {
        if config.why_live.is_empty() {
            return String::new();
        }
        report(&linked.resolution, &self.graph(linked, config), config, &self.lazy)
    }

    /// Writes the `--size-report` file, when asked for.
    pub fn write_size_report(&self, linked: &crate::Linked<'_>, config: &Config) -> Result<(), crate::LinkError> {
        let Some(path) = &config.size_report else { return Ok(()) };
        let report = crate::size_report::build(linked, config, &self.graph(linked, config));
        crate::size_report::write(path, &report)
            .map_err(|source| crate::LinkError::SizeReport { path: path.clone(), source })
    }
}

/// Names of atoms for messages: an atom's first defining symbol (as the
/// map file names functions), a segment's name.
pub struct AtomNames<'r, 'a> {
    res: &'r Resolution<'a>,
    demangle: bool,
    /// Per object: per defined function / global / tag, its first symbol.
    functions: Vec<Vec<Option<&'a str>>>,
    globals: Vec<Vec<Option<&'a str>>>,
    tags: Vec<Vec<Option<&'a str>>>,
    /// Per object, per segment: the first data symbol at its start.
    segments: Vec<Vec<Option<&'a str>>>,
}

impl<'r, 'a> AtomNames<'r, 'a> {
    /// The names of every atom of `res`.
    pub fn new(res: &'r Resolution<'a>, demangle: bool) -> Self {
        let mut functions = Vec::with_capacity(res.objects.len());
        let mut globals = Vec::with_capacity(res.objects.len());
        let mut tags = Vec::with_capacity(res.objects.len());
        let mut segments = Vec::with_capacity(res.objects.len());
        for obj in &res.objects {
            let mut d = vec![None; obj.segments.len()];
            let mut f = vec![None; obj.functions.len()];
            let mut g = vec![None; obj.globals.len()];
            let mut t = vec![None; obj.tags.len()];
            for sym in obj.linking.symbols.iter().filter(|s| !s.is_undefined()) {
                let slot = match sym.kind {
                    SymbolKind::Function(fi) => obj.defined_function(fi).and_then(|d| f.get_mut(d.index())),
                    SymbolKind::Global(i) => {
                        i.checked_sub(obj.num_imported_globals).and_then(|i| g.get_mut(i as usize))
                    }
                    SymbolKind::Tag(i) => i.checked_sub(obj.num_imported_tags).and_then(|i| t.get_mut(i as usize)),
                    SymbolKind::Data(Some(def)) if def.offset == 0 => d.get_mut(def.segment.index()),
                    _ => None,
                };
                if let Some(slot) = slot {
                    slot.get_or_insert(sym.name);
                }
            }
            functions.push(f);
            globals.push(g);
            tags.push(t);
            segments.push(d);
        }
        AtomNames { res, demangle, functions, globals, tags, segments }
    }

    /// A symbol name as messages show it: demangled unless `--no-demangle`,
    /// control characters escaped.
    fn show(&self, name: &str) -> String {
        object_parse::error::escape_controls(&demangle::display_name(name, self.demangle)).into_owned()
    }

    /// The atom's name (demangled unless `--no-demangle`).
    pub fn name(&self, atom: Atom) -> String {
        let res = self.res;
        match atom {
            Atom::Function(o, i) => {
                self.functions[o.0 as usize][i.index()].map_or_else(|| "<unnamed>".into(), |n| self.show(n))
            }
            Atom::Segment(o, i) => match self.segments[o.0 as usize][i.index()] {
                Some(n) => self.show(n),
                None => res.objects[o.0 as usize].segments[i.index()].info.name.to_string(),
            },
            Atom::Global(o, i) => {
                self.globals[o.0 as usize][i as usize].map_or_else(|| "<unnamed>".into(), |n| self.show(n))
            }
            Atom::Tag(o, i) => self.tags[o.0 as usize][i as usize].map_or_else(|| "<unnamed>".into(), |n| self.show(n)),
            Atom::Table(_, i) => format!("table {i}"),
            Atom::Import(i) => {
                let imp = &res.imports[i.0 as usize];
                self.show(&imp.symbol)
            }
            Atom::Stub(i) => {
                let stub = &res.stubs[i.0 as usize];
                if stub.kind == StubKind::Undefined {
                    "undefined_stub".into()
                } else {
                    stub.display_name()
                }
            }
        }
    }

    /// Where the atom comes from: its object, or the linker.
    pub fn origin(&self, atom: Atom) -> String {
        match atom {
            Atom::Function(o, _) | Atom::Segment(o, _) | Atom::Global(o, _) | Atom::Tag(o, _) | Atom::Table(o, _) => {
                self.res.objects[o.0 as usize].name.clone()
            }
            Atom::Import(i) => {
                let imp = &self.res.imports[i.0 as usize];
                format!("import {}.{}", imp.module, imp.field)
            }
            Atom::Stub(_) => "<internal>".into(),
        }
    }

    /// What kind of thing the atom is.
    pub fn kind(atom: Atom) -> &'static str {
        match atom {
            Atom::Function(..) => "function",
            Atom::Segment(..) => "data",
            Atom::Global(..) => "global",
            Atom::Tag(..) => "tag",
            Atom::Table(..) => "table",
            Atom::Import(..) => "import",
            Atom::Stub(..) => "stub",
        }
    }

    /// `` `name` (origin) ``.
    pub fn short(&self, atom: Atom) -> String {
        format!("`{}` ({})", self.name(atom), self.origin(atom))
    }

    /// `` `name` (kind in origin) ``.
    pub fn long(&self, atom: Atom) -> String {
        format!("`{}` ({} in {})", self.name(atom), Self::kind(atom), self.origin(atom))
    }
}

/// The lines of a chain from a root to `node` (one per edge; the first
/// names the root).
pub fn chain_lines(graph: &LiveGraph, names: &AtomNames<'_, '_>, node: NodeId) -> Vec<String> {
    graph.chain(node).iter().map(|step| step_line(graph, names, step)).collect()
}

/// The line of one step of a chain: the root, or the edge into the step's
/// atom.
pub fn step_line(graph: &LiveGraph, names: &AtomNames<'_, '_>, step: &Step) -> String {
    let atom = graph.atom(step.node);
    match &step.cause {
        Cause::Root(root) => format!("root: {root}: {}", names.long(atom)),
        Cause::Edge { from, kind } => {
            let from = graph.atom(*from);
            let from_data = matches!(from, Atom::Segment(..));
            format!("{} {} {}", names.short(from), kind.verb(from_data), names.short(atom))
        }
        Cause::Constructor(o) | Cause::Retain(o) => {
            let what =
                if matches!(step.cause, Cause::Constructor(_)) { "its constructor" } else { "its RETAIN segment" };
            let object = &names.res.objects[o.0 as usize].name;
            match graph.object_cause(*o) {
                Some(ObjectCause::Member(m)) => {
                    let via = names.short(graph.atom(m));
                    format!("{object} is live (through {via}), so {what} {} is kept", names.short(atom))
                }
                Some(ObjectCause::CommandLine) | None => format!(
                    "root: {object} is on the command line (live as a whole), so {what} {} is kept",
                    names.short(atom)
                ),
            }
        }
    }
}

/// The atom an object's own definition of symbol `s` is.
fn own_atom(res: &Resolution<'_>, o: usize, s: usize) -> Option<Atom> {
    let obj = &res.objects[o];
    let oid = ObjectId(o as u32);
    let sym = &obj.linking.symbols[s];
    if sym.is_undefined() {
        return None;
    }
    Some(match sym.kind {
        SymbolKind::Function(fi) => Atom::Function(oid, obj.defined_function(fi)?),
        SymbolKind::Data(Some(d)) => Atom::Segment(oid, d.segment),
        SymbolKind::Global(i) => Atom::Global(oid, i.checked_sub(obj.num_imported_globals)?),
        SymbolKind::Tag(i) => Atom::Tag(oid, i.checked_sub(obj.num_imported_tags)?),
        SymbolKind::Table(i) => Atom::Table(oid, i.checked_sub(obj.num_imported_tables)?),
        _ => return None,
    })
}

/// Whether `t` is one of the linker's own definitions.
fn linker_defined(t: &Target) -> bool {
    use symbol_resolve::{DataRef, FuncRef, GlobalRef, TableRef};
    matches!(
        t,
        Target::Function(FuncRef::Synthetic(_))
            | Target::Global(GlobalRef::Synthetic(_))
            | Target::Table(TableRef::IndirectFunctionTable)
            | Target::Data(DataRef::Linker(_))
    )
}

/// The `--why-live` report for every pattern of `config`.
pub fn report(res: &Resolution<'_>, graph: &LiveGraph, config: &Config, lazy: &LazyDefinitions) -> String {
    let names = AtomNames::new(res, config.demangle);
    let mut out = String::new();
    for pattern in &config.why_live {
        explain_pattern(&mut out, res, graph, &names, pattern, lazy, config);
    }
    out
}

/// The blocks of one pattern: every matching symbol name, in link order.
fn explain_pattern(
    out: &mut String,
    res: &Resolution<'_>,
    graph: &LiveGraph,
    names: &AtomNames<'_, '_>,
    pattern: &str,
    lazy: &LazyDefinitions,
    config: &Config,
) {
    let demangle = config.demangle;
    // Matching symbols, grouped by name in the order first met.
    let mut groups: Vec<(&str, Vec<(usize, usize)>)> = Vec::new();
    for (o, obj) in res.objects.iter().enumerate() {
        for (s, sym) in obj.linking.symbols.iter().enumerate() {
            if matches!(sym.kind, SymbolKind::Section(_)) || !symbol_matches(pattern, sym.name, demangle) {
                continue;
            }
            match groups.iter_mut().find(|(n, _)| *n == sym.name) {
                Some((_, list)) => list.push((o, s)),
                None => groups.push((sym.name, vec![(o, s)])),
            }
        }
    }
    let mut lazy_only: Vec<&LazyDefinition> = Vec::new();
    for l in &lazy.0 {
        let extracted = res.objects.iter().any(|o| o.name == l.member);
        if !extracted && symbol_matches(pattern, &l.name, demangle) && !groups.iter().any(|(n, _)| *n == l.name) {
            lazy_only.push(l);
        }
    }
    if groups.is_empty() && lazy_only.is_empty() {
        let _ = writeln!(out, "why-live: `{pattern}`: no symbol of the link matches");
        return;
    }
    for (name, symbols) in &groups {
        let forced = config.undefined.iter().any(|u| u == name);
        explain_symbol(out, res, graph, names, (name, forced), symbols, lazy);
    }
    for l in lazy_only {
        let _ = writeln!(
            out,
            "why-live: `{}` is defined in {}, which was not extracted from its archive: nothing needed a symbol it defines",
            demangle::display_name(&l.name, demangle),
            l.member
        );
    }
}

/// The block of one symbol name: each distinct definition, or what its
/// references resolve to.
fn explain_symbol(
    out: &mut String,
    res: &Resolution<'_>,
    graph: &LiveGraph,
    names: &AtomNames<'_, '_>,
    (name, forced): (&str, bool),
    symbols: &[(usize, usize)],
    lazy: &LazyDefinitions,
) {
    let shown = names.show(name);
    // `-u NAME` extracts the member defining NAME but is no GC root.
    let note = if forced { " (-u only extracts archive members; --export keeps a symbol)" } else { "" };
    let mut done: Vec<Atom> = Vec::new();
    for &(o, s) in symbols {
        let Some(own) = own_atom(res, o, s) else { continue };
        let resolved = Atom::of_target(&res.targets[o][s]);
        if resolved.is_some_and(|r| r != own) && !done.contains(&own) {
            done.push(own);
            let winner = resolved.map(|r| names.origin(r)).unwrap_or_default();
            let _ = writeln!(
                out,
                "why-live: `{shown}` ({} in {}) is not used: the symbol resolves to the definition in {winner} \
                 (weak or COMDAT duplicate)",
                AtomNames::kind(own),
                names.origin(own)
            );
            continue;
        }
        if done.contains(&own) {
            continue;
        }
        done.push(own);
        explain_atom(out, graph, names, &shown, own, note);
    }
    if !done.is_empty() {
        return;
    }
    // Only references: what do they resolve to?
    let (o, s) = symbols[0];
    let members: Vec<&str> = lazy.0.iter().filter(|l| l.name == name).map(|l| l.member.as_str()).collect();
    let target = &res.targets[o][s];
    match Atom::of_target(target) {
        Some(atom) => explain_atom(out, graph, names, &shown, atom, note),
        None if linker_defined(target) => {
            let _ = writeln!(out, "why-live: `{shown}` is defined by the linker");
        }
        None if !members.is_empty() => {
            let _ = writeln!(
                out,
                "why-live: `{shown}` is not in the output: its definition in {} was not extracted \
                 (only weak or removed code refers to it)",
                members.join(", ")
            );
        }
        None => {
            let _ = writeln!(
                out,
                "why-live: `{shown}` is not defined by any input and not in the output (only removed code refers to it)"
            );
        }
    }
}

/// One atom's block: its chain, or why it was removed.
fn explain_atom(out: &mut String, graph: &LiveGraph, names: &AtomNames<'_, '_>, shown: &str, atom: Atom, note: &str) {
    let what = format!("`{shown}` ({} in {})", AtomNames::kind(atom), names.origin(atom));
    let node = graph.node(atom);
    if graph.cause(node).is_none() {
        let _ = writeln!(out, "why-live: {what} was removed by --gc-sections: no GC root reaches it{note}");
        return;
    }
    let _ = writeln!(out, "why-live: {what} is live");
    for line in chain_lines(graph, names, node) {
        let _ = writeln!(out, "  {line}");
    }
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn globs() {
        assert!(glob_matches("foo", "foo"));
        assert!(!glob_matches("foo", "foobar"));
        assert!(glob_matches("foo*", "foobar"));
        assert!(glob_matches("*bar", "foobar"));
        assert!(glob_matches("f?o*r", "foobar"));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("a*b*c", "aXXbYYc"));
        assert!(!glob_matches("a*b*c", "aXXbYY"));
        assert!(glob_matches("*::main", "hello::main"));
    }
}
