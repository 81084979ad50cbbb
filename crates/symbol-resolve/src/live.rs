//! Liveness (`--gc-sections`): a mark phase from the roots (entry, exports,
//! NO_STRIP symbols, `__wasm_call_dtors`) following the relocations of live
//! functions and data segments. Init functions and RETAIN segments of an
//! object become live once anything in that object is live, as in wasm-ld.

use crate::ids::RelocTypeExt;
use crate::ids::*;
use object_parse::{DefinedFuncIdx, ObjectFile, RelocType, SegmentIdx, SymbolIdx};
use rustc_hash::FxHashSet;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Which parts of the inputs reach the output.
#[derive(Debug, Clone, Default)]
pub struct Liveness {
    /// Objects with at least one live definition.
    pub objects: Vec<bool>,
    /// Per object, per defined function.
    pub functions: Vec<Vec<bool>>,
    /// Per object, per defined global.
    pub globals: Vec<Vec<bool>>,
    /// Per object, per data segment.
    pub segments: Vec<Vec<bool>>,
    /// Per object, per defined table.
    pub tables: Vec<Vec<bool>>,
    /// Per object, per defined tag.
    pub tags: Vec<Vec<bool>>,
    /// Per stub.
    pub stubs: Vec<bool>,
    /// `__wasm_call_ctors` is referenced by a live relocation or export.
    pub call_ctors_referenced: bool,
    /// `__wasm_init_tls` (`--shared-memory`) is referenced or exported.
    pub init_tls: bool,
    /// Linker-defined globals that are referenced.
    pub synthetic_globals: BTreeSet<SyntheticGlobal>,
    /// `__indirect_function_table` is referenced.
    pub indirect_table: bool,
}

#[derive(Clone, Copy)]
enum Atom {
    Function(ObjectId, DefinedFuncIdx),
    Segment(ObjectId, SegmentIdx),
}

pub(crate) struct Marker<'r, 'a> {
    pub objects: &'r [ObjectFile<'a>],
    pub targets: &'r [Vec<Target>],
    pub discarded: &'r [FxHashSet<(object_parse::ComdatKind, u32)>],
    pub unresolved_names: &'r HashMap<(ObjectId, SymbolIdx), String>,
    pub stubs: &'r [Stub],
    pub live: Liveness,
    /// Per provisional import (the [`ImportId`]s `compute_targets` hands
    /// out, before `keep_live_imports` keeps the live ones and renumbers
    /// them): whether live code references it. Not part of [`Liveness`]:
    /// every import of the output is live.
    pub imports: Vec<bool>,
    /// Per provisional import: a function left undefined in a dynamic link,
    /// imported only when live code calls it (its address comes from a
    /// `GOT.func` import instead), as in wasm-ld.
    pub call_only_imports: Vec<bool>,
    /// Relocation checks of a dynamic link: `Some(pic)` when the output is
    /// position-independent (`true`) or undefined symbols are left to the
    /// loader (`--unresolved-symbols=import-dynamic`, `false`).
    pub dynamic: Option<bool>,
    /// In a dynamic link: the object symbols left undefined.
    pub dynamic_undefined: HashSet<(ObjectId, SymbolIdx)>,
    /// Relocations a dynamic link can't use, keyed by where they are
    /// (object, functions before data, atom, offset): wasm-ld reports them
    /// in that order.
    pub reloc_errors: Vec<((u32, u8, u32, u32), crate::SymbolError)>,
    queue: Vec<Atom>,
    /// Undefined references: (referencing object, symbol name), each once,
    /// in the order met.
    pub undefined: Vec<(ObjectId, String)>,
    undefined_seen: FxHashSet<(ObjectId, SymbolIdx)>,
    /// Per object, per symbol: its target was already enqueued from a
    /// relocation. Enqueueing only sets flags, so a symbol's further
    /// relocations (code refers to the same few symbols again and again)
    /// need not enqueue it again.
    enqueued: Vec<Vec<bool>>,
}

impl<'r, 'a> Marker<'r, 'a> {
    pub(crate) fn new(
        objects: &'r [ObjectFile<'a>],
        targets: &'r [Vec<Target>],
        discarded: &'r [FxHashSet<(object_parse::ComdatKind, u32)>],
        unresolved_names: &'r HashMap<(ObjectId, SymbolIdx), String>,
        stubs: &'r [Stub],
        num_imports: usize,
    ) -> Self {
        let live = Liveness {
            objects: vec![false; objects.len()],
            functions: objects.iter().map(|o| vec![false; o.functions.len()]).collect(),
            globals: objects.iter().map(|o| vec![false; o.globals.len()]).collect(),
            segments: objects.iter().map(|o| vec![false; o.segments.len()]).collect(),
            tables: objects.iter().map(|o| vec![false; o.tables.len()]).collect(),
            tags: objects.iter().map(|o| vec![false; o.tags.len()]).collect(),
            stubs: vec![false; stubs.len()],
            // wasm-ld always keeps the stack pointer.
            synthetic_globals: [SyntheticGlobal::StackPointer].into_iter().collect(),
            ..Default::default()
        };
        Marker {
            objects,
            targets,
            discarded,
            unresolved_names,
            stubs,
            live,
            imports: vec![false; num_imports],
            call_only_imports: Vec::new(),
            dynamic: None,
            dynamic_undefined: HashSet::new(),
            reloc_errors: Vec::new(),
            queue: Vec::new(),
            undefined: Vec::new(),
            undefined_seen: FxHashSet::default(),
            enqueued: targets.iter().map(|t| vec![false; t.len()]).collect(),
        }
    }

    /// Marks everything (`--no-gc-sections`).
    pub(crate) fn mark_all(&mut self) {
        for (o, obj) in self.objects.iter().enumerate() {
            let oid = ObjectId(o as u32);
            let d = &self.discarded[o];
            for i in 0..obj.functions.len() as u32 {
                if !d.contains(&(object_parse::ComdatKind::Function, i)) {
                    self.mark_function(oid, DefinedFuncIdx(i));
                }
            }
            for i in 0..obj.segments.len() as u32 {
                if !d.contains(&(object_parse::ComdatKind::Data, i)) {
                    self.mark_segment(oid, SegmentIdx(i));
                }
            }
            for i in 0..obj.globals.len() {
                if !d.contains(&(object_parse::ComdatKind::Global, i as u32)) {
                    self.live.globals[o][i] = true;
                }
            }
            for i in 0..obj.tables.len() {
                self.live.tables[o][i] = true;
            }
            for i in 0..obj.tags.len() {
                self.live.tags[o][i] = true;
            }
            self.mark_object(oid);
        }
        self.run();
    }

    pub(crate) fn mark_object(&mut self, oid: ObjectId) {
        let o = oid.0 as usize;
        if self.live.objects[o] {
            return;
        }
        self.live.objects[o] = true;
        let obj = &self.objects[o];
        for f in &obj.linking.init_funcs {
            let t = self.targets[o][f.symbol.index()].clone();
            self.enqueue(&t);
        }
        for (i, s) in obj.segments.iter().enumerate() {
            if s.info.flags & object_parse::segment_flags::RETAIN != 0 {
                self.mark_segment(oid, SegmentIdx(i as u32));
            }
        }
    }

    fn mark_function(&mut self, oid: ObjectId, index: DefinedFuncIdx) {
        let slot = &mut self.live.functions[oid.0 as usize][index.index()];
        if !*slot {
            *slot = true;
            self.queue.push(Atom::Function(oid, index));
        }
    }

    fn mark_segment(&mut self, oid: ObjectId, index: SegmentIdx) {
        let slot = &mut self.live.segments[oid.0 as usize][index.index()];
        if !*slot {
            *slot = true;
            self.queue.push(Atom::Segment(oid, index));
        }
    }

    /// Marks a target live.
    /// Whether `t` is what an undefined symbol resolves to: unresolved, or
    /// one of the stand-ins `--unresolved-symbols` allows (address 0, an
    /// `undefined_stub`).
    fn may_be_undefined(&self, t: &Target) -> bool {
        match t {
            Target::Unresolved | Target::Data(DataRef::Null | DataRef::Dynamic(_)) => true,
            // Only a dynamic link leaves undefined symbols as imports that
            // may still need reporting.
            Target::Function(FuncRef::Import(_)) | Target::Global(GlobalRef::Import(_)) => self.dynamic.is_some(),
            Target::Function(FuncRef::Synthetic(SyntheticFunc::Stub(id))) => {
                self.stubs[id.0 as usize].kind == StubKind::Undefined
            }
            _ => false,
        }
    }

    pub(crate) fn enqueue(&mut self, t: &Target) {
        match *t {
            Target::Function(FuncRef::Defined { obj, index }) => {
                self.mark_function(obj, index);
                self.mark_object(obj);
            }
            Target::Function(FuncRef::Import(id)) => self.imports[id.0 as usize] = true,
            Target::Function(FuncRef::Synthetic(SyntheticFunc::CallCtors)) => self.live.call_ctors_referenced = true,
            Target::Function(FuncRef::Synthetic(SyntheticFunc::InitTls)) => self.live.init_tls = true,
            Target::Function(FuncRef::Synthetic(SyntheticFunc::Stub(id))) => self.live.stubs[id.0 as usize] = true,
            Target::Data(DataRef::Defined { obj, segment, .. }) => {
                self.mark_segment(obj, segment);
                self.mark_object(obj);
            }
            Target::Data(_) => {}
            Target::Global(GlobalRef::Defined { obj, index }) => {
                self.live.globals[obj.0 as usize][index as usize] = true;
                self.mark_object(obj);
            }
            Target::Global(GlobalRef::Import(id))
            | Target::Table(TableRef::Import(id))
            | Target::Tag(TagRef::Import(id)) => self.imports[id.0 as usize] = true,
            Target::Global(GlobalRef::Synthetic(g)) => {
                self.live.synthetic_globals.insert(g);
            }
            Target::Table(TableRef::IndirectFunctionTable) => self.live.indirect_table = true,
            Target::Table(TableRef::Defined { obj, index }) => {
                self.live.tables[obj.0 as usize][index as usize] = true;
                self.mark_object(obj);
            }
            Target::Tag(TagRef::Defined { obj, index }) => {
                self.live.tags[obj.0 as usize][index as usize] = true;
                self.mark_object(obj);
            }
            Target::Section { .. } | Target::Unresolved => {}
        }
    }

    /// wasm-ld's checks of a dynamic link: absolute addresses and slots
    /// can't be used in position-independent code (nor against symbols the
    /// loader resolves), and a symbol the loader resolves has no known
    /// offset from the bases.
    fn check_dynamic_reloc(&mut self, atom: Atom, oid: ObjectId, r: &object_parse::Reloc, pic: bool) {
        use RelocType::*;
        let key = (oid, SymbolIdx(r.index));
        let undefined = self.dynamic_undefined.contains(&key);
        let obj = &self.objects[oid.0 as usize];
        let symbol = || obj.linking.symbols.get(r.index as usize).map_or("", |s| s.name).to_string();
        let error = match r.ty {
            TableIndexSleb | TableIndexSleb64 | MemoryAddrSleb | MemoryAddrLeb | MemoryAddrSleb64 | MemoryAddrLeb64
                if pic || undefined =>
            {
                crate::SymbolError::NeedsPic { file: obj.name.clone(), reloc: r.ty.name(), symbol: symbol() }
            }
            TableIndexRelSleb | TableIndexRelSleb64 | MemoryAddrRelSleb | MemoryAddrRelSleb64 if undefined => {
                crate::SymbolError::RelativeToUndefined { file: obj.name.clone(), reloc: r.ty.name(), symbol: symbol() }
            }
            _ => return,
        };
        let (kind, index) = match atom {
            Atom::Function(_, i) => (0, i.0),
            Atom::Segment(_, i) => (1, i.0),
        };
        self.reloc_errors.push(((oid.0, kind, index, r.offset), error));
    }

    /// Follows relocations until nothing new is reached.
    pub(crate) fn run(&mut self) {
        while let Some(atom) = self.queue.pop() {
            let (oid, relocs) = match atom {
                Atom::Function(oid, i) => {
                    let obj = &self.objects[oid.0 as usize];
                    (oid, &obj.code_relocs[obj.functions[i.index()].relocs.clone()])
                }
                Atom::Segment(oid, i) => {
                    let obj = &self.objects[oid.0 as usize];
                    (oid, &obj.data_relocs[obj.segments[i.index()].relocs.clone()])
                }
            };
            let o = oid.0 as usize;
            for r in relocs {
                if r.ty == RelocType::TypeIndexLeb {
                    continue;
                }
                if let Some(pic) = self.dynamic {
                    self.check_dynamic_reloc(atom, oid, r, pic);
                }
                let targets = self.targets;
                let t = &targets[o][r.index as usize];
                let is_table_index = r.ty.is_table_index();
                if is_table_index {
                    if let Target::Function(FuncRef::Synthetic(SyntheticFunc::Stub(id))) = t {
                        if self.stubs[id.0 as usize].kind.is_null_in_table() {
                            continue;
                        }
                    }
                    // Any address-taken function needs the table.
                    self.live.indirect_table = true;
                }
                // Non-type relocations name a symbol; an undefined one is
                // reported (or, when tolerated, its stand-in is used). Only
                // an unresolved target or a stand-in can be one, so most
                // relocations skip the lookup.
                let key = (oid, SymbolIdx(r.index));
                if let Some(name) = self.may_be_undefined(t).then(|| self.unresolved_names.get(&key)).flatten() {
                    if self.undefined_seen.insert(key)
                        && !self.undefined.iter().rev().take(64).any(|(ob, n)| *ob == oid && n == name)
                    {
                        self.undefined.push((oid, name.clone()));
                    }
                }
                if *t == Target::Unresolved {
                    continue;
                }
                if let Target::Function(FuncRef::Import(id)) = t {
                    let call = matches!(r.ty, RelocType::FunctionIndexLeb | RelocType::FunctionIndexI32);
                    if !call && self.call_only_imports.get(id.0 as usize).copied().unwrap_or(false) {
                        continue;
                    }
                }
                if let Some(done) = self.enqueued[o].get_mut(r.index as usize) {
                    if std::mem::replace(done, true) {
                        continue;
                    }
                }
                self.enqueue(t);
            }
        }
    }
}
