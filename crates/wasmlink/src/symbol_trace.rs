//! `-y NAME` / `--trace-symbol=NAME`: wasm-ld's lines about where the traced
//! symbols are defined and referenced, in wasm-ld's order.
//!
//! wasm-ld prints them while it adds files to its symbol table: the inputs in
//! command-line order, each object's symbols in symbol-table order, an
//! archive member as soon as a strong reference to one of its lazy symbols
//! extracts it (before the rest of the referencing object), then the `-u`,
//! `--export` and entry names, then the linker's optional symbols
//! (`__heap_base`, `__data_end`, ...). That order is replayed here on the
//! parsed inputs' symbol tables, apart from symbol resolution, so the trace
//! is printed even when resolution then fails (as wasm-ld prints it before
//! its errors). Members extracted by the replay are parsed again for their
//! symbol tables: only with `-y`, which is a debugging aid.
//!
//! Weak undefined functions that nothing defines are traced as wasm-ld
//! traces their trap stubs (`<internal>: definition of undefined_weak:NAME`,
//! NAME demangled unless `--no-demangle`). Not replayed: `--wrap` and
//! signature variants.

use object_parse::{Input, ObjectFile, ObjectSet, SymbolKind};
use std::collections::{HashMap, HashSet};

/// What the replayed symbol table holds for a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Only referenced; `weak` while every reference is weak; `function`
    /// for a function symbol.
    Undefined { weak: bool, function: bool },
    /// An archive member defines it, not extracted yet.
    Lazy { archive: usize, member: usize, weak: bool },
    /// Defined; `weak` for a weak definition.
    Defined { weak: bool },
}

/// The linker's symbols defined before any input is read.
const DEFINED_FIRST: [&str; 2] = ["__wasm_call_ctors", "__stack_pointer"];

/// The linker's optional symbols, defined after the inputs when something
/// references them (or `--export` names them), in wasm-ld's order: the data
/// symbols, then `__tls_base`.
fn optional_symbols() -> impl Iterator<Item = &'static str> {
    symbol_resolve::OPTIONAL_LINKER_DATA.into_iter().chain(["__tls_base"])
}

/// The names on the command line that extract archive members after the
/// inputs (`-u`, `--export`, the entry), in that order.
pub struct RootNames<'c> {
    /// `-u` names.
    pub undefined: &'c [String],
    /// `--export` and `--export-if-defined` names.
    pub exports: Vec<&'c str>,
    /// The entry symbol.
    pub entry: Option<&'c str>,
}

/// The `-y` lines, in two parts: wasm-ld prints the linker's optional
/// symbols only once the inputs resolved without errors.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TraceLines {
    /// While the inputs and the `-u`/`--export`/entry names are added.
    pub inputs: Vec<String>,
    /// The linker's optional symbols defined afterwards.
    pub linker: Vec<String>,
}

/// The `-y` lines for `traced` names over the inputs of `set`; `demangle`
/// for the names of weak-undefined stubs (wasm-ld names them
/// `undefined_weak:` and the symbol as it shows it).
pub fn trace_lines(set: &ObjectSet<'_>, roots: &RootNames<'_>, traced: &[String], demangle: bool) -> TraceLines {
    if traced.is_empty() {
        return TraceLines::default();
    }
    let mut replay = Replay {
        traced: traced.iter().map(String::as_str).collect(),
        symbols: HashMap::new(),
        archives: Vec::new(),
        extracted: HashSet::new(),
        lines: Vec::new(),
    };
    for name in DEFINED_FIRST {
        replay.define_internal(name);
    }
    for input in &set.inputs {
        match input {
            Input::Object(o) => replay.add_object(o),
            Input::Archive(a) => replay.add_archive(a),
            Input::Stub(_) | Input::Shared(_) => {}
        }
    }
    for name in roots.undefined.iter().map(String::as_str).chain(roots.exports.iter().copied()).chain(roots.entry) {
        if let Some(State::Lazy { archive, member, .. }) = replay.symbols.get(name).copied() {
            replay.extract(archive, member);
        }
    }
    let inputs = std::mem::take(&mut replay.lines);
    for name in optional_symbols() {
        let wanted = match replay.symbols.get(name) {
            Some(State::Undefined { .. } | State::Lazy { .. }) => true,
            Some(State::Defined { .. }) => false,
            None => roots.exports.contains(&name),
        };
        if wanted {
            replay.define_internal(name);
        }
    }
    // Weak undefined functions become trap stubs, renamed `undefined_weak:NAME`.
    for name in traced {
        if let Some(State::Undefined { weak: true, function: true }) = replay.symbols.get(name.as_str()) {
            let stub = format!("undefined_weak:{}", demangle::display_name(name, demangle));
            replay.lines.push(format!("<internal>: definition of {stub}"));
        }
    }
    TraceLines { inputs, linker: replay.lines }
}

/// The replayed symbol table.
struct Replay<'s, 'a> {
    traced: HashSet<&'s str>,
    symbols: HashMap<&'a str, State>,
    /// Per archive seen: its path and members.
    archives: Vec<&'s object_parse::LazyArchive<'a>>,
    extracted: HashSet<(usize, usize)>,
    lines: Vec<String>,
}

impl<'s, 'a> Replay<'s, 'a> {
    fn note(&mut self, file: &str, what: &str, name: &str) {
        if self.traced.contains(name) {
            self.lines.push(format!("{file}: {what} {name}"));
        }
    }

    fn define_internal(&mut self, name: &'a str) {
        self.symbols.insert(name, State::Defined { weak: false });
        self.note("<internal>", "definition of", name);
    }

    /// One object's symbols, in order; extracts members as wasm-ld would.
    fn add_object(&mut self, obj: &ObjectFile<'a>) {
        for s in &obj.linking.symbols {
            if s.is_local() || matches!(s.kind, SymbolKind::Section(_)) {
                continue;
            }
            let weak = s.is_weak();
            if s.is_undefined() {
                self.note(&obj.name, "reference to", s.name);
                match self.symbols.get(s.name).copied() {
                    None => {
                        let function = matches!(s.kind, SymbolKind::Function(_));
                        self.symbols.insert(s.name, State::Undefined { weak, function });
                    }
                    Some(State::Lazy { archive, member, .. }) if !weak => self.extract(archive, member),
                    Some(State::Lazy { archive, member, .. }) => {
                        self.symbols.insert(s.name, State::Lazy { archive, member, weak: true });
                    }
                    Some(State::Undefined { weak: true, function }) if !weak => {
                        self.symbols.insert(s.name, State::Undefined { weak: false, function });
                    }
                    _ => {}
                }
                continue;
            }
            let replaces = match self.symbols.get(s.name) {
                None | Some(State::Undefined { .. } | State::Lazy { .. }) => true,
                // A weak definition never replaces a definition; a strong one
                // replaces a weak one, and (after the duplicate error) a
                // strong one too.
                Some(State::Defined { .. }) => !weak,
            };
            if replaces {
                self.symbols.insert(s.name, State::Defined { weak });
                self.note(&obj.name, "definition of", s.name);
            }
        }
    }

    /// An archive's index: its symbols become lazy, or extract their member
    /// at once when already strongly referenced.
    fn add_archive(&mut self, archive: &'s object_parse::LazyArchive<'a>) {
        let id = self.archives.len();
        self.archives.push(archive);
        for (name, member) in archive_index(archive) {
            let lazy = State::Lazy { archive: id, member, weak: false };
            let file = object_parse::member_display_name(archive.path, &archive.archive.members[member].name);
            match self.symbols.get(name).copied() {
                None => {
                    self.symbols.insert(name, lazy);
                    self.note(&file, "lazy definition of", name);
                }
                Some(State::Undefined { weak: true, .. }) => {
                    self.symbols.insert(name, State::Lazy { archive: id, member, weak: true });
                    self.note(&file, "lazy definition of", name);
                }
                Some(State::Undefined { weak: false, .. }) => self.extract(id, member),
                _ => {}
            }
        }
    }

    /// Adds an archive member's symbols (once).
    fn extract(&mut self, archive: usize, member: usize) {
        if !self.extracted.insert((archive, member)) {
            return;
        }
        let a = self.archives[archive];
        let Some(m) = a.archive.members.get(member) else { return };
        if let Ok(object_parse::MemberContent::Object(obj)) = object_parse::parse_member(a.path, m) {
            self.add_object(&obj);
        }
    }
}

/// An archive's symbol index: its own, or the defined names of each member.
fn archive_index<'a>(archive: &object_parse::LazyArchive<'a>) -> Vec<(&'a str, usize)> {
    if let Some(index) = &archive.archive.symbol_index {
        return index.iter().map(|(n, m)| (*n, m.0 as usize)).collect();
    }
    let mut out = Vec::new();
    for (i, m) in archive.archive.members.iter().enumerate() {
        if let Ok(names) = object_parse::linking::defined_symbol_names(m.data) {
            out.extend(names.into_iter().map(|n| (n, i)));
        }
    }
    out
}
