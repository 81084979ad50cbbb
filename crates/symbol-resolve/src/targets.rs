//! Turning the global table into a [`Target`] for every symbol of every
//! object: linker-defined symbols, imports for undefined functions, trap
//! stubs for weak-undefined functions and for signature mismatches.

use crate::error::ResolveWarning;
use crate::ids::*;
use crate::resolve::{Resolver, Slot};
use crate::table::{Definition, Kind};
use crate::ResolveOptions;
use object_parse::{ObjectFile, Signature, SymbolIdx, SymbolKind};
use std::collections::HashMap;

/// Linker-defined data symbols, created only when referenced.
pub(crate) fn linker_data(name: &str) -> Option<LinkerData> {
    Some(match name {
        "__dso_handle" => LinkerData::DsoHandle,
        "__data_end" => LinkerData::DataEnd,
        "__global_base" => LinkerData::GlobalBase,
        "__heap_base" => LinkerData::HeapBase,
        "__heap_end" => LinkerData::HeapEnd,
        "__stack_low" => LinkerData::StackLow,
        "__stack_high" => LinkerData::StackHigh,
        "__memory_base" => LinkerData::MemoryBase,
        "__table_base" => LinkerData::TableBase,
        "__wasm_first_page_end" => LinkerData::FirstPageEnd,
        _ => {
            if let Some(seg) = name.strip_prefix("__start_") {
                LinkerData::SegmentStart(seg.to_string())
            } else if let Some(seg) = name.strip_prefix("__stop_") {
                LinkerData::SegmentStop(seg.to_string())
            } else {
                return None;
            }
        }
    })
}

pub(crate) fn linker_global(name: &str) -> Option<SyntheticGlobal> {
    Some(match name {
        "__stack_pointer" => SyntheticGlobal::StackPointer,
        "__tls_base" => SyntheticGlobal::TlsBase,
        "__tls_size" => SyntheticGlobal::TlsSize,
        "__tls_align" => SyntheticGlobal::TlsAlign,
        _ => return None,
    })
}

impl<'a> Resolver<'a> {
    /// Defines the linker's symbols where the inputs left them undefined.
    pub(crate) fn define_linker_symbols(&mut self) {
        self.define_linker_symbols_inner();
    }

    /// Whether the linker defines `name` itself: in position-independent
    /// output the stack pointer and the bases are imports, and there is no
    /// fixed memory layout to give `__heap_base` and friends a value.
    fn linker_defines(&self, name: &str) -> bool {
        let Some(kind) = self.pic else { return true };
        let layout_symbol = matches!(
            name,
            "__stack_pointer"
                | "__memory_base"
                | "__table_base"
                | "__stack_low"
                | "__stack_high"
                | "__global_base"
                | "__heap_base"
                | "__heap_end"
        );
        let data_end_in_side_module = kind == crate::PicKind::Shared && name == "__data_end";
        !layout_symbol && !data_end_in_side_module
    }

    /// The linker's own definition of `name`, if it has one.
    pub(crate) fn linker_target(&self, name: &str) -> Option<Target> {
        if !self.linker_defines(name) {
            return None;
        }
        if name == "__wasm_call_ctors" {
            return Some(Target::Function(FuncRef::Synthetic(SyntheticFunc::CallCtors)));
        }
        if name == "__wasm_init_tls" && self.shared_memory {
            return Some(Target::Function(FuncRef::Synthetic(SyntheticFunc::InitTls)));
        }
        if name == "__indirect_function_table" {
            return Some(Target::Table(TableRef::IndirectFunctionTable));
        }
        if let Some(g) = linker_global(name) {
            return Some(Target::Global(GlobalRef::Synthetic(g)));
        }
        linker_data(name)
            .filter(|d| !matches!(d, LinkerData::SegmentStart(_) | LinkerData::SegmentStop(_)))
            .map(|d| Target::Data(DataRef::Linker(d)))
    }

    fn define_linker_symbols_inner(&mut self) {
        let shared_memory = self.shared_memory;
        let defines: Vec<bool> = self.table.symbols.iter().map(|s| self.linker_defines(s.name)).collect();
        for (sym, defines) in self.table.symbols.iter_mut().zip(defines) {
            if !matches!(sym.def, Definition::None | Definition::Lazy { .. }) || !defines {
                continue;
            }
            let target = match sym.kind {
                Some(Kind::Function) if sym.name == "__wasm_call_ctors" => {
                    Target::Function(FuncRef::Synthetic(SyntheticFunc::CallCtors))
                }
                Some(Kind::Function) if sym.name == "__wasm_init_tls" && shared_memory => {
                    Target::Function(FuncRef::Synthetic(SyntheticFunc::InitTls))
                }
                Some(Kind::Global) => match linker_global(sym.name) {
                    Some(g) => Target::Global(GlobalRef::Synthetic(g)),
                    // Position-independent code reads these as globals; in a
                    // static module they are the constants 0 and the table
                    // base, reached through GOT entries as in wasm-ld.
                    None if sym.name == "__memory_base" => Target::Data(DataRef::Linker(LinkerData::MemoryBase)),
                    None if sym.name == "__table_base" => Target::Data(DataRef::Linker(LinkerData::TableBase)),
                    None => continue,
                },
                Some(Kind::Table) if sym.name == "__indirect_function_table" => {
                    Target::Table(TableRef::IndirectFunctionTable)
                }
                Some(Kind::Data) => match linker_data(sym.name) {
                    Some(d) => Target::Data(DataRef::Linker(d)),
                    None => continue,
                },
                _ => continue,
            };
            sym.def = Definition::Linker(target);
        }
    }
}

/// Output of target computation.
pub(crate) struct Targets {
    pub targets: Vec<Vec<Target>>,
    pub imports: Vec<OutputImport>,
    pub stubs: Vec<Stub>,
    pub warnings: Vec<ResolveWarning>,
    /// For each object symbol that stayed unresolved: the global symbol it names.
    pub unresolved_names: HashMap<(ObjectId, SymbolIdx), String>,
    /// Position-independent output: the provisional imports of
    /// `__memory_base` and `__table_base`, which are always kept.
    pub bases: Vec<ImportId>,
    /// Per provisional import: an undefined function of a dynamic link,
    /// imported only if called (see `live::Marker::call_only_imports`).
    pub call_only_imports: Vec<bool>,
    /// In a dynamic link: the object symbols left undefined (for the
    /// relocation checks of `live`).
    pub dynamic_undefined: std::collections::HashSet<(ObjectId, SymbolIdx)>,
}

/// The target of symbol `sym` as defined inside `obj` itself.
pub(crate) fn defined_target(oid: ObjectId, obj: &ObjectFile<'_>, sym: SymbolIdx) -> Target {
    let s = &obj.linking.symbols[sym.index()];
    match s.kind {
        SymbolKind::Function(i) => match obj.defined_function(i) {
            Some(index) => Target::Function(FuncRef::Defined { obj: oid, index }),
            None => Target::Unresolved,
        },
        SymbolKind::Data(Some(d)) => {
            if s.flags & object_parse::flags::ABSOLUTE != 0 {
                Target::Data(DataRef::Absolute(d.offset))
            } else {
                Target::Data(DataRef::Defined { obj: oid, segment: d.segment, offset: d.offset })
            }
        }
        SymbolKind::Data(None) => Target::Unresolved,
        SymbolKind::Global(i) => Target::Global(GlobalRef::Defined { obj: oid, index: i - obj.num_imported_globals }),
        SymbolKind::Table(i) => Target::Table(TableRef::Defined { obj: oid, index: i - obj.num_imported_tables }),
        SymbolKind::Tag(i) => Target::Tag(TagRef::Defined { obj: oid, index: i - obj.num_imported_tags }),
        SymbolKind::Section(sec) => {
            let custom = obj.customs.iter().position(|c| c.section_index == sec).unwrap_or(0) as u32;
            Target::Section { obj: oid, custom }
        }
    }
}

impl<'a> Resolver<'a> {
    /// Computes every object symbol's target.
    pub(crate) fn compute_targets(&self, opts: &ResolveOptions) -> Targets {
        let mut imports: Vec<OutputImport> = Vec::new();
        let mut import_ids: HashMap<u32, ImportId> = HashMap::new(); // by global symbol id
        let mut import_by_name: HashMap<(String, String, OutputImportKind), ImportId> = HashMap::new();
        let mut stubs: Vec<Stub> = Vec::new();
        let mut stub_ids: HashMap<(StubKind, String, Signature), StubId> = HashMap::new();
        let mut warnings = Vec::new();
        let mut warned: std::collections::HashSet<(u32, u32)> = Default::default();
        let mut unresolved_names = HashMap::new();
        // A relocatable output keeps every undefined function, global,
        // table and tag as an import (weak ones too) and checks no
        // signatures: the final link does.
        let relocatable = opts.output.is_relocatable();
        let mut stub = |kind: StubKind, name: &str, sig: &Signature, stubs: &mut Vec<Stub>| -> StubId {
            *stub_ids.entry((kind, name.to_string(), sig.clone())).or_insert_with(|| {
                stubs.push(Stub { kind, name: name.to_string(), signature: sig.clone() });
                StubId(stubs.len() as u32 - 1)
            })
        };
        let dynamic = opts.dynamic_undefined();
        let shared_output = opts.pic == Some(crate::PicKind::Shared);
        let mut bases = Vec::new();
        let mut dynamic_undefined = std::collections::HashSet::new();
        if opts.pic.is_some() {
            // The loader's globals, imported from `env` before anything else.
            // Addresses and slots are i64 with `-m wasm64`.
            let content_type =
                if opts.is64 == Some(true) { object_parse::ValType::I64 } else { object_parse::ValType::I32 };
            let address_global =
                |mutable| OutputImportKind::Global(object_parse::GlobalType { content_type, mutable, shared: false });
            for (name, mutable) in [("__stack_pointer", true), ("__memory_base", false), ("__table_base", false)] {
                let Some(sid) = self.table.find(name) else { continue };
                let id = ImportId(imports.len() as u32);
                imports.push(OutputImport {
                    module: "env".into(),
                    field: name.into(),
                    symbol: name.into(),
                    kind: address_global(mutable),
                });
                import_ids.insert(sid.0, id);
                if name != "__stack_pointer" {
                    bases.push(id);
                }
            }
        }
        let mut targets = Vec::with_capacity(self.objects.len());
        for (o, obj) in self.objects.iter().enumerate() {
            let oid = ObjectId(o as u32);
            // Symbols this object calls directly: only those are checked for
            // signature mismatches (an address-taken-only import may carry a
            // placeholder signature), as in wasm-ld.
            let mut called = vec![false; obj.linking.symbols.len()];
            for r in &obj.code_relocs {
                if r.ty == object_parse::RelocType::FunctionIndexLeb {
                    if let Some(c) = called.get_mut(r.index as usize) {
                        *c = true;
                    }
                }
            }
            let mut t = Vec::with_capacity(obj.linking.symbols.len());
            for (i, s) in obj.linking.symbols.iter().enumerate() {
                let target = match self.slots[o][i] {
                    Slot::Local => defined_target(oid, obj, SymbolIdx(i as u32)),
                    Slot::Global(sid) => {
                        let g = self.table.get(sid);
                        match &g.def {
                            Definition::Object { obj: d, sym, weak } => {
                                let dobj = &self.objects[d.0 as usize];
                                let dsym = &dobj.linking.symbols[sym.index()];
                                if *weak && shared_output && !dsym.is_hidden() && !relocatable {
                                    // Another module may override a weak
                                    // definition: calls go through an import
                                    // (the definition itself is exported).
                                    if let SymbolKind::Function(dfi) = dsym.kind {
                                        let sig = dobj
                                            .function_signature(dfi)
                                            .cloned()
                                            .unwrap_or(Signature { params: Box::new([]), results: Box::new([]) });
                                        let id = *import_ids.entry(sid.0).or_insert_with(|| {
                                            imports.push(OutputImport {
                                                module: "env".into(),
                                                field: g.name.to_string(),
                                                symbol: g.name.to_string(),
                                                kind: OutputImportKind::Function(sig),
                                            });
                                            ImportId(imports.len() as u32 - 1)
                                        });
                                        t.push(Target::Function(FuncRef::Import(id)));
                                        continue;
                                    }
                                }
                                let target = defined_target(*d, dobj, *sym);
                                // Signature check for function references.
                                if let (SymbolKind::Function(fi), true) =
                                    (s.kind, s.is_undefined() || (d.0 as usize != o))
                                {
                                    let here = obj.function_signature(fi);
                                    let there = match dobj.linking.symbols[sym.index()].kind {
                                        SymbolKind::Function(dfi) => dobj.function_signature(dfi),
                                        _ => None,
                                    };
                                    if let (Some(here), Some(there)) = (here, there) {
                                        if here != there && s.is_undefined() && called[i] && !relocatable {
                                            if warned.insert((sid.0, o as u32)) {
                                                warnings.push(ResolveWarning::SignatureMismatch {
                                                    name: g.name.to_string(),
                                                    caller_signature: here.clone(),
                                                    caller_file: obj.name.clone(),
                                                    definition_signature: there.clone(),
                                                    definition_file: dobj.name.clone(),
                                                });
                                            }
                                            let id = stub(StubKind::SignatureMismatch, g.name, here, &mut stubs);
                                            t.push(Target::Function(FuncRef::Synthetic(SyntheticFunc::Stub(id))));
                                            continue;
                                        }
                                    }
                                }
                                target
                            }
                            Definition::Linker(target) => target.clone(),
                            Definition::Shared { lib, symbol } => {
                                let shared = &self.shared_libraries[*lib as usize].symbols[*symbol as usize];
                                match &shared.kind {
                                    object_parse::SharedSymbolKind::Function(sig) => {
                                        let id = *import_ids.entry(sid.0).or_insert_with(|| {
                                            imports.push(OutputImport {
                                                module: "env".into(),
                                                field: g.name.to_string(),
                                                symbol: g.name.to_string(),
                                                kind: OutputImportKind::Function(sig.clone()),
                                            });
                                            ImportId(imports.len() as u32 - 1)
                                        });
                                        Target::Function(FuncRef::Import(id))
                                    }
                                    object_parse::SharedSymbolKind::Data => {
                                        Target::Data(DataRef::Dynamic(g.name.to_string()))
                                    }
                                }
                            }
                            Definition::None | Definition::Lazy { .. } => {
                                let (ro, rs) = g.first_ref.unwrap_or((oid, i as u32));
                                let robj = &self.objects[ro.0 as usize];
                                let rsym = &robj.linking.symbols[rs as usize];
                                // A reference redirected by --wrap (its own name
                                // differs) doesn't lend its import names.
                                let import = robj.symbol_import(rsym).filter(|_| rsym.name == g.name);
                                let explicit = import.is_some_and(|imp| {
                                    imp.module != "env" || rsym.flags & object_parse::flags::EXPLICIT_NAME != 0
                                });
                                let weak = !g.strong_ref;
                                // Left to the loader: no error when tolerated,
                                // as in wasm-ld (explicit imports, stub
                                // libraries and the loader's own globals are
                                // always allowed).
                                let allowed = explicit
                                    || import_ids.contains_key(&sid.0)
                                    || self.stub_imports.contains(&sid)
                                    || opts.allow_undefined_symbols.iter().any(|n| n == g.name)
                                    || (opts.import_undefined && g.kind == Some(Kind::Function));
                                if dynamic && !relocatable {
                                    dynamic_undefined.insert((ObjectId(o as u32), SymbolIdx(i as u32)));
                                }
                                if dynamic && !relocatable && !weak && !allowed {
                                    unresolved_names
                                        .insert((ObjectId(o as u32), SymbolIdx(i as u32)), g.name.to_string());
                                }
                                match g.kind {
                                    Some(Kind::Data) if dynamic && !relocatable => {
                                        Target::Data(DataRef::Dynamic(g.name.to_string()))
                                    }
                                    Some(Kind::Function) if weak && !relocatable && !dynamic => {
                                        let sig = match s.kind {
                                            SymbolKind::Function(fi) => obj.function_signature(fi).cloned(),
                                            _ => None,
                                        };
                                        match sig {
                                            Some(sig) => Target::Function(FuncRef::Synthetic(SyntheticFunc::Stub(
                                                stub(StubKind::WeakUndefined, g.name, &sig, &mut stubs),
                                            ))),
                                            None => Target::Unresolved,
                                        }
                                    }
                                    Some(kind)
                                        if explicit
                                            || import_ids.contains_key(&sid.0)
                                            || (dynamic && kind != Kind::Data)
                                            || (relocatable && kind != Kind::Data)
                                            || ((opts.import_undefined
                                                || self.stub_imports.contains(&sid)
                                                || opts.allow_undefined_symbols.iter().any(|n| n == g.name))
                                                && kind == Kind::Function) =>
                                    {
                                        let id = *import_ids.entry(sid.0).or_insert_with(|| {
                                            let (module, field) = match import {
                                                Some(imp) => (imp.module.to_string(), imp.field.to_string()),
                                                None => ("env".to_string(), g.name.to_string()),
                                            };
                                            let kind = match (rsym.kind, import.map(|i| i.kind)) {
                                                (SymbolKind::Function(fi), _) => OutputImportKind::Function(
                                                    robj.function_signature(fi).cloned().unwrap_or(Signature {
                                                        params: Box::new([]),
                                                        results: Box::new([]),
                                                    }),
                                                ),
                                                (_, Some(object_parse::InputImportKind::Global(gt))) => {
                                                    OutputImportKind::Global(gt)
                                                }
                                                (_, Some(object_parse::InputImportKind::Table(tt))) => {
                                                    OutputImportKind::Table(tt)
                                                }
                                                (_, Some(object_parse::InputImportKind::Tag(ti))) => {
                                                    OutputImportKind::Tag(
                                                        robj.types.get(ti.index()).cloned().unwrap_or(Signature {
                                                            params: Box::new([]),
                                                            results: Box::new([]),
                                                        }),
                                                    )
                                                }
                                                _ => OutputImportKind::Function(Signature {
                                                    params: Box::new([]),
                                                    results: Box::new([]),
                                                }),
                                            };
                                            // Identical imports (same module, field and type)
                                            // are one import, as in wasm-ld.
                                            let key = (module.clone(), field.clone(), kind.clone());
                                            if let Some(&k) = import_by_name.get(&key) {
                                                return k;
                                            }
                                            imports.push(OutputImport {
                                                module,
                                                field,
                                                symbol: g.name.to_string(),
                                                kind,
                                            });
                                            let id = ImportId(imports.len() as u32 - 1);
                                            import_by_name.insert(key, id);
                                            id
                                        });
                                        match kind {
                                            Kind::Function => Target::Function(FuncRef::Import(id)),
                                            Kind::Global => Target::Global(GlobalRef::Import(id)),
                                            Kind::Table => Target::Table(TableRef::Import(id)),
                                            Kind::Tag => Target::Tag(TagRef::Import(id)),
                                            Kind::Data => Target::Unresolved,
                                        }
                                    }
                                    Some(Kind::Data) if weak => Target::Data(DataRef::Null),
                                    kind => {
                                        // Reported when live code uses it (an error, or a
                                        // warning with --warn-unresolved-symbols); tolerated
                                        // ones get wasm-ld's stand-ins: address 0 for data,
                                        // a trapping `undefined_stub` for functions.
                                        unresolved_names
                                            .insert((ObjectId(o as u32), SymbolIdx(i as u32)), g.name.to_string());
                                        let sig = match s.kind {
                                            SymbolKind::Function(fi) => obj.function_signature(fi),
                                            _ => None,
                                        };
                                        match (opts.unresolved.tolerates(), kind, sig) {
                                            (false, ..) => Target::Unresolved,
                                            (true, Some(Kind::Data), _) => Target::Data(DataRef::Null),
                                            (true, Some(Kind::Function), Some(sig)) => {
                                                Target::Function(FuncRef::Synthetic(SyntheticFunc::Stub(stub(
                                                    StubKind::Undefined,
                                                    "",
                                                    sig,
                                                    &mut stubs,
                                                ))))
                                            }
                                            _ => Target::Unresolved,
                                        }
                                    }
                                }
                            }
                        }
                    }
                };
                t.push(target);
            }
            targets.push(t);
        }
        let mut call_only_imports = vec![false; imports.len()];
        if dynamic {
            for (sid, id) in &import_ids {
                let sym = &self.table.symbols[*sid as usize];
                if matches!(sym.def, Definition::None | Definition::Lazy { .. }) && sym.kind == Some(Kind::Function) {
                    call_only_imports[id.0 as usize] = true;
                }
            }
        }
        Targets { targets, imports, stubs, warnings, unresolved_names, bases, call_only_imports, dynamic_undefined }
    }
}
