//! Why each part of the inputs is live: the mark phase of `--gc-sections`
//! replayed over a finished [`Resolution`], recording for every atom
//! (function, data segment, global, tag, table, import, stub) the first
//! thing that reached it. Breadth-first, so each recorded chain from a GC
//! root is a shortest one.
//!
//! Built only when `--why-live` or `--size-report` asks for it; the
//! link's own marking (`symbol_resolve::live`) records nothing, so normal
//! links don't pay for it. The replay follows the same rules as that
//! marker (roots, relocations, constructors and RETAIN segments of live
//! objects); [`LiveGraph::disagreements`] checks that both reach exactly
//! the same atoms.

use crate::config::Config;
use object_parse::{flags, DefinedFuncIdx, ObjectFile, RelocType, SegmentIdx, SymbolKind};
use std::collections::VecDeque;
use symbol_resolve::{
    DataRef, FuncRef, GlobalRef, ImportId, ObjectId, RelocTypeExt, Resolution, StubId, SyntheticFunc, TableRef, TagRef,
    Target,
};

/// One thing liveness is decided for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Atom {
    /// A defined function of an object.
    Function(ObjectId, DefinedFuncIdx),
    /// A data segment of an object.
    Segment(ObjectId, SegmentIdx),
    /// A defined global of an object (index among its defined globals).
    Global(ObjectId, u32),
    /// A defined tag of an object (index among its defined tags).
    Tag(ObjectId, u32),
    /// A defined table of an object (index among its defined tables).
    Table(ObjectId, u32),
    /// An import of the output.
    Import(ImportId),
    /// A trap stub the linker writes.
    Stub(StubId),
}

impl Atom {
    /// The atom a target names, if it is one the graph tracks (imports and
    /// stubs included).
    pub fn of_target(t: &Target) -> Option<Atom> {
        Some(match *t {
            Target::Function(FuncRef::Defined { obj, index }) => Atom::Function(obj, index),
            Target::Function(FuncRef::Import(id))
            | Target::Global(GlobalRef::Import(id))
            | Target::Table(TableRef::Import(id))
            | Target::Tag(TagRef::Import(id)) => Atom::Import(id),
            Target::Function(FuncRef::Synthetic(SyntheticFunc::Stub(id))) => Atom::Stub(id),
            Target::Data(DataRef::Defined { obj, segment, .. }) => Atom::Segment(obj, segment),
            Target::Global(GlobalRef::Defined { obj, index }) => Atom::Global(obj, index),
            Target::Table(TableRef::Defined { obj, index }) => Atom::Table(obj, index),
            Target::Tag(TagRef::Defined { obj, index }) => Atom::Tag(obj, index),
            _ => return None,
        })
    }
}

/// Dense index of an [`Atom`] in a [`LiveGraph`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// Why a GC root is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootKind {
    /// The entry function (`--entry`, `_start` by default).
    Entry(String),
    /// An export of the output; `how` says what made it one
    /// (`--export=NAME`, `export_name`, `--export-all`, ...).
    Export { name: String, how: &'static str },
    /// A symbol flagged NO_STRIP (`__attribute__((used))`).
    NoStrip(String),
    /// `__wasm_call_dtors`, which wasm-ld always keeps.
    CallDtors,
    /// `--no-gc-sections`: everything is kept.
    NoGcSections,
}

impl std::fmt::Display for RootKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RootKind::Entry(name) => write!(f, "entry point `{name}`"),
            RootKind::Export { name, how } => write!(f, "export `{name}` ({how})"),
            RootKind::NoStrip(name) => write!(f, "`{name}` is NO_STRIP (__attribute__((used)))"),
            RootKind::CallDtors => f.write_str("`__wasm_call_dtors` (always kept)"),
            RootKind::NoGcSections => f.write_str("--no-gc-sections (everything is kept)"),
        }
    }
}

/// Why an object counts as live (its constructors run, its RETAIN
/// segments are kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectCause {
    /// Named on the command line (not an archive member): live as a whole.
    CommandLine,
    /// This atom of it became live first.
    Member(NodeId),
}

/// What a relocation from one live atom to another means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// A direct call (or another function-index use).
    Call,
    /// The function's address is taken: it gets a table slot.
    TableSlot,
    /// The data's address is used.
    Address,
    /// A global is read or written.
    Global,
    /// A tag is thrown or caught.
    Tag,
    /// A table is used.
    Table,
    /// Any other reference (debug offsets).
    Other,
}

impl EdgeKind {
    /// The kind of a relocation type.
    pub fn of(ty: RelocType) -> EdgeKind {
        use RelocType::*;
        match ty {
            FunctionIndexLeb | FunctionIndexI32 => EdgeKind::Call,
            t if t.is_table_index() => EdgeKind::TableSlot,
            MemoryAddrLeb | MemoryAddrSleb | MemoryAddrI32 | MemoryAddrRelSleb | MemoryAddrLeb64 | MemoryAddrSleb64
            | MemoryAddrI64 | MemoryAddrRelSleb64 | MemoryAddrTlsSleb | MemoryAddrLocrelI32 | MemoryAddrTlsSleb64 => {
                EdgeKind::Address
            }
            GlobalIndexLeb | GlobalIndexI32 => EdgeKind::Global,
            TagIndexLeb => EdgeKind::Tag,
            TableNumberLeb => EdgeKind::Table,
            _ => EdgeKind::Other,
        }
    }

    /// The verb between the two atoms' names.
    pub fn verb(self, from_data: bool) -> &'static str {
        match (self, from_data) {
            (EdgeKind::Call, false) => "calls",
            (EdgeKind::Call, true) => "refers to function",
            (EdgeKind::TableSlot, false) => "takes the address of (table slot)",
            (EdgeKind::TableSlot, true) => "holds a table slot of",
            (EdgeKind::Address, _) => "uses the address of",
            (EdgeKind::Global, _) => "uses global",
            (EdgeKind::Tag, _) => "throws or catches",
            (EdgeKind::Table, _) => "uses table",
            (EdgeKind::Other, _) => "refers to",
        }
    }
}

/// Why an atom is live: the first thing that reached it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// It is a GC root.
    Root(RootKind),
    /// A relocation in a live atom refers to it.
    Edge { from: NodeId, kind: EdgeKind },
    /// A constructor of a live object.
    Constructor(ObjectId),
    /// A RETAIN segment of a live object.
    Retain(ObjectId),
}

/// One step of a chain: the atom and why it is live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The atom.
    pub node: NodeId,
    /// Its cause.
    pub cause: Cause,
}

/// The liveness of a link with the first cause of every live atom.
pub struct LiveGraph {
    /// Per object, the first node of its functions, segments, globals,
    /// tags and tables.
    bases: Vec<[u32; 5]>,
    first_import: u32,
    first_stub: u32,
    atoms: Vec<Atom>,
    causes: Vec<Option<Cause>>,
    object_causes: Vec<Option<ObjectCause>>,
}

/// The replayed mark phase.
struct Replay<'r, 'a> {
    res: &'r Resolution<'a>,
    graph: LiveGraph,
    queue: VecDeque<NodeId>,
}

impl LiveGraph {
    /// Replays the marking of `res` (linked with `config`'s roots);
    /// `from_archive` says, per object, whether it is an archive member
    /// (command-line objects are live as a whole).
    pub fn build(res: &Resolution<'_>, config: &Config, from_archive: &[bool]) -> LiveGraph {
        let mut bases = Vec::with_capacity(res.objects.len());
        let mut atoms = Vec::new();
        for (o, obj) in res.objects.iter().enumerate() {
            let oid = ObjectId(o as u32);
            let mut b = [0u32; 5];
            b[0] = atoms.len() as u32;
            atoms.extend((0..obj.functions.len() as u32).map(|i| Atom::Function(oid, DefinedFuncIdx(i))));
            b[1] = atoms.len() as u32;
            atoms.extend((0..obj.segments.len() as u32).map(|i| Atom::Segment(oid, SegmentIdx(i))));
            b[2] = atoms.len() as u32;
            atoms.extend((0..obj.globals.len() as u32).map(|i| Atom::Global(oid, i)));
            b[3] = atoms.len() as u32;
            atoms.extend((0..obj.tags.len() as u32).map(|i| Atom::Tag(oid, i)));
            b[4] = atoms.len() as u32;
            atoms.extend((0..obj.tables.len() as u32).map(|i| Atom::Table(oid, i)));
            bases.push(b);
        }
        let first_import = atoms.len() as u32;
        atoms.extend((0..res.imports.len() as u32).map(|i| Atom::Import(ImportId(i))));
        let first_stub = atoms.len() as u32;
        atoms.extend((0..res.stubs.len() as u32).map(|i| Atom::Stub(StubId(i))));
        let graph = LiveGraph {
            bases,
            first_import,
            first_stub,
            causes: vec![None; atoms.len()],
            atoms,
            object_causes: vec![None; res.objects.len()],
        };
        let mut replay = Replay { res, graph, queue: VecDeque::new() };
        replay.roots(config, from_archive);
        replay.graph
    }

    /// Every atom, by node.
    pub fn atoms(&self) -> &[Atom] {
        &self.atoms
    }

    /// The node of an atom.
    pub fn node(&self, atom: Atom) -> NodeId {
        NodeId(match atom {
            Atom::Function(o, i) => self.bases[o.0 as usize][0] + i.0,
            Atom::Segment(o, i) => self.bases[o.0 as usize][1] + i.0,
            Atom::Global(o, i) => self.bases[o.0 as usize][2] + i,
            Atom::Tag(o, i) => self.bases[o.0 as usize][3] + i,
            Atom::Table(o, i) => self.bases[o.0 as usize][4] + i,
            Atom::Import(i) => self.first_import + i.0,
            Atom::Stub(i) => self.first_stub + i.0,
        })
    }

    /// The atom of a node.
    pub fn atom(&self, node: NodeId) -> Atom {
        self.atoms[node.0 as usize]
    }

    /// Why `node` is live (`None`: it isn't).
    pub fn cause(&self, node: NodeId) -> Option<&Cause> {
        self.causes[node.0 as usize].as_ref()
    }

    /// Why object `obj` is live (`None`: nothing in it is).
    pub fn object_cause(&self, obj: ObjectId) -> Option<ObjectCause> {
        self.object_causes[obj.0 as usize]
    }

    /// The chain from a root to `node`, root first (empty when `node` is
    /// not live). A constructor or RETAIN segment continues with the chain
    /// of the atom that made its object live.
    pub fn chain(&self, node: NodeId) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut current = Some(node);
        let mut seen = std::collections::HashSet::new();
        while let Some(n) = current.filter(|n| seen.insert(*n)) {
            let Some(cause) = self.cause(n) else { break };
            current = match cause {
                Cause::Root(_) => None,
                Cause::Edge { from, .. } => Some(*from),
                Cause::Constructor(o) | Cause::Retain(o) => match self.object_cause(*o) {
                    Some(ObjectCause::Member(m)) => Some(m),
                    _ => None,
                },
            };
            steps.push(Step { node: n, cause: cause.clone() });
        }
        steps.reverse();
        steps
    }

    /// Atoms whose liveness differs between this replay and the link's own
    /// marking (always empty unless the two disagree: a wasmlink bug).
    pub fn disagreements(&self, res: &Resolution<'_>) -> Vec<Atom> {
        let live = &res.live;
        self.atoms
            .iter()
            .enumerate()
            .filter(|(n, atom)| {
                let ours = self.causes[*n].is_some();
                let theirs = match **atom {
                    Atom::Function(o, i) => live.functions[o.0 as usize][i.index()],
                    Atom::Segment(o, i) => live.segments[o.0 as usize][i.index()],
                    Atom::Global(o, i) => live.globals[o.0 as usize][i as usize],
                    Atom::Tag(o, i) => live.tags[o.0 as usize][i as usize],
                    Atom::Table(o, i) => live.tables[o.0 as usize][i as usize],
                    Atom::Stub(i) => live.stubs[i.0 as usize],
                    // Every import of the output is live.
                    Atom::Import(_) => true,
                };
                ours != theirs
            })
            .map(|(_, a)| *a)
            .collect()
    }
}

impl Replay<'_, '_> {
    /// Enqueues the roots as symbol-resolve's `mark_live` does, in its
    /// order, then marks.
    fn roots(&mut self, config: &Config, from_archive: &[bool]) {
        let res = self.res;
        if !config.gc_sections {
            self.mark_everything();
            return;
        }
        // Command-line objects are live as a whole; say so rather than
        // naming the first root that happens to reach into them.
        for (o, lazy) in from_archive.iter().enumerate().take(res.objects.len()) {
            if !lazy {
                self.graph.object_causes[o] = Some(ObjectCause::CommandLine);
            }
        }
        if let Some(entry) = res.entry {
            let name = config.entry.clone().unwrap_or_default();
            self.reach(&Target::Function(entry), || Cause::Root(RootKind::Entry(name.clone())));
        }
        for e in &res.exports {
            let how = if config.exports.contains(&e.symbol) {
                "--export"
            } else if config.exports_if_defined.contains(&e.symbol) {
                "--export-if-defined"
            } else if config.export_all {
                "--export-all"
            } else if config.export_dynamic {
                "--export-dynamic"
            } else if config.entry.as_deref() == Some(e.symbol.as_str()) {
                "the entry"
            } else {
                "export_name / WASM_SYM_EXPORTED"
            };
            self.reach(&e.target, || Cause::Root(RootKind::Export { name: e.name.clone(), how }));
        }
        for (o, obj) in res.objects.iter().enumerate() {
            for (s, sym) in obj.linking.symbols.iter().enumerate() {
                let no_strip = sym.flags & flags::NO_STRIP != 0 && !sym.is_undefined() && !sym.is_local();
                if no_strip && !matches!(sym.kind, SymbolKind::Section(_)) {
                    let name = sym.name.to_string();
                    self.reach(&res.targets[o][s], || Cause::Root(RootKind::NoStrip(name.clone())));
                }
            }
        }
        if let Some(f) = res.call_dtors {
            self.reach(&Target::Function(f), || Cause::Root(RootKind::CallDtors));
        }
        for (o, lazy) in from_archive.iter().enumerate().take(res.objects.len()) {
            if !lazy {
                self.graph.object_causes[o] = None;
                self.object_live(ObjectId(o as u32), ObjectCause::CommandLine);
            }
        }
        self.run();
    }

    /// `--no-gc-sections`: every atom not discarded with its COMDAT group.
    fn mark_everything(&mut self) {
        let n = self.graph.atoms.len();
        for i in 0..n {
            let atom = self.graph.atoms[i];
            let discarded = match atom {
                Atom::Function(o, f) => !self.res.live.functions[o.0 as usize][f.index()],
                Atom::Segment(o, s) => !self.res.live.segments[o.0 as usize][s.index()],
                Atom::Global(o, g) => !self.res.live.globals[o.0 as usize][g as usize],
                Atom::Stub(s) => !self.res.live.stubs[s.0 as usize],
                _ => false,
            };
            if !discarded {
                self.graph.causes[i] = Some(Cause::Root(RootKind::NoGcSections));
            }
        }
        for c in &mut self.graph.object_causes {
            *c = Some(ObjectCause::CommandLine);
        }
    }

    /// Marks what `t` names live with `cause` (made only when it is new).
    fn reach(&mut self, t: &Target, cause: impl FnOnce() -> Cause) {
        let Some(atom) = Atom::of_target(t) else { return };
        if let Atom::Import(id) = atom {
            if id.0 as usize >= self.res.imports.len() {
                return;
            }
        }
        let node = self.graph.node(atom);
        if self.graph.causes[node.0 as usize].is_some() {
            return;
        }
        self.graph.causes[node.0 as usize] = Some(cause());
        self.queue.push_back(node);
        let obj = match atom {
            Atom::Function(o, _) | Atom::Segment(o, _) | Atom::Global(o, _) | Atom::Tag(o, _) | Atom::Table(o, _) => o,
            Atom::Import(_) | Atom::Stub(_) => return,
        };
        self.object_live(obj, ObjectCause::Member(node));
    }

    /// An object became live: its constructors and RETAIN segments too.
    fn object_live(&mut self, obj: ObjectId, why: ObjectCause) {
        let o = obj.0 as usize;
        if self.graph.object_causes[o].is_some() {
            return;
        }
        self.graph.object_causes[o] = Some(why);
        let res = self.res;
        let object: &ObjectFile<'_> = &res.objects[o];
        for f in &object.linking.init_funcs {
            if let Some(t) = res.targets[o].get(f.symbol.index()) {
                self.reach(t, || Cause::Constructor(obj));
            }
        }
        for (i, s) in object.segments.iter().enumerate() {
            if s.info.flags & object_parse::segment_flags::RETAIN != 0 {
                let t = Target::Data(DataRef::Defined { obj, segment: SegmentIdx(i as u32), offset: 0 });
                self.reach(&t, || Cause::Retain(obj));
            }
        }
    }

    /// Follows the relocations of queued functions and segments.
    fn run(&mut self) {
        let res = self.res;
        while let Some(node) = self.queue.pop_front() {
            let (obj, relocs) = match self.graph.atom(node) {
                Atom::Function(o, i) => {
                    let object = &res.objects[o.0 as usize];
                    (o, &object.code_relocs[object.functions[i.index()].relocs.clone()])
                }
                Atom::Segment(o, i) => {
                    let object = &res.objects[o.0 as usize];
                    (o, &object.data_relocs[object.segments[i.index()].relocs.clone()])
                }
                _ => continue,
            };
            for r in relocs {
                if r.ty == RelocType::TypeIndexLeb {
                    continue;
                }
                let Some(t) = res.targets[obj.0 as usize].get(r.index as usize) else { continue };
                if r.ty.is_table_index() {
                    if let Target::Function(FuncRef::Synthetic(SyntheticFunc::Stub(id))) = t {
                        if res.stubs[id.0 as usize].kind.is_null_in_table() {
                            continue;
                        }
                    }
                }
                let kind = EdgeKind::of(r.ty);
                self.reach(t, || Cause::Edge { from: node, kind });
            }
        }
    }
}
