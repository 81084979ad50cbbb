//! # section-merge: [`Resolution`] + [`Layout`] → [`MergedModule`]
//!
//! Fourth stage. Merges every object's imports, functions, globals, tables,
//! tags and exports into the output module's index spaces: imports first,
//! then the linker's synthetic definitions, then the objects' definitions in
//! link order. It adds the synthetic parts: `__wasm_call_ctors`, trap stubs,
//! the globals holding exported data addresses, and, for a command whose
//! inputs never call `__wasm_call_ctors`, wasm-ld's `NAME.command_export`
//! wrappers that run the constructors (and `__wasm_call_dtors`) around each
//! exported function.

pub mod dump;
mod error;
pub mod ids;

pub use error::{MergeError, Unindexed};
pub use ids::{OutputFuncIdx, OutputGlobalIdx};

use atom_layout::Layout;
use object_parse::{DefinedFuncIdx, GlobalType, Signature, TableType, ValType};
use rustc_hash::FxHashMap;
use symbol_resolve::*;

/// A function of the output module (after the imports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputFunction {
    /// An input function, copied with its relocations applied.
    Input { obj: ObjectId, index: DefinedFuncIdx },
    /// `__wasm_call_ctors`.
    CallCtors,
    /// A trap stub.
    Stub(StubId),
    /// `NAME.command_export`: calls ctors, `wrapped`, then dtors.
    CommandExport { wrapped: OutputFuncIdx, name: String, signature: Signature },
    /// `__wasm_init_tls(ptr)` (`--shared-memory`): points `__tls_base` at
    /// `ptr` and copies the `.tdata` image there.
    InitTls,
    /// `__wasm_init_memory`, the start function: copies the passive
    /// segments in (once, under the atomic flag with shared memory) and
    /// zeroes `.bss` in an imported memory.
    InitMemory,
    /// `__wasm_apply_tls_relocs` (shared memory, relocations in `.tdata`):
    /// empty in a static link, where every address is known; called by
    /// `__wasm_init_tls`.
    ApplyTlsRelocs,
    /// `__wasm_apply_data_relocs` (exported): stores the addresses and slots
    /// only known at run time into the data, from `__memory_base`,
    /// `__table_base` and the GOT; the loader calls it before the
    /// constructors.
    ApplyDataRelocs,
    /// `__wasm_apply_global_relocs` (position-independent output): sets the
    /// module's own GOT entries from `__memory_base`/`__table_base`; a start
    /// function.
    ApplyGlobalRelocs,
    /// `__wasm_apply_global_tls_relocs` (shared memory, GOT entries of
    /// thread-local symbols): adds the thread's `__tls_base` to them;
    /// called by `__wasm_init_tls`.
    ApplyGlobalTlsRelocs,
    /// `__wasm_start`: the start function when there are two things to run
    /// at start (`MergedModule::start_calls`: `__wasm_apply_global_relocs`,
    /// then `__wasm_init_memory`).
    Start,
}

impl OutputFunction {
    /// The name of a function the linker writes itself (what the `name`
    /// section calls it); `None` for input functions, stubs and wrappers,
    /// whose names come from their symbols.
    pub fn linker_name(&self) -> Option<&'static str> {
        Some(match self {
            OutputFunction::CallCtors => "__wasm_call_ctors",
            OutputFunction::InitTls => "__wasm_init_tls",
            OutputFunction::InitMemory => "__wasm_init_memory",
            OutputFunction::ApplyTlsRelocs => "__wasm_apply_tls_relocs",
            OutputFunction::ApplyDataRelocs => "__wasm_apply_data_relocs",
            OutputFunction::ApplyGlobalRelocs => "__wasm_apply_global_relocs",
            OutputFunction::ApplyGlobalTlsRelocs => "__wasm_apply_global_tls_relocs",
            OutputFunction::Start => "__wasm_start",
            OutputFunction::Input { .. } | OutputFunction::Stub(_) | OutputFunction::CommandExport { .. } => {
                return None
            }
        })
    }
}

/// Where an output global's initial value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputGlobal {
    /// A linker-defined global.
    Synthetic(SyntheticGlobal),
    /// An input global (its init expression is copied).
    Input { obj: ObjectId, index: u32 },
    /// An immutable i32 holding the address of an exported data symbol.
    DataAddress { symbol: String, address: u64 },
    /// A GOT entry the module defines: an i32 holding a function's table
    /// slot or a data address; `layout.table.got[entry]` says which.
    /// `name` is what the name section calls it (`GOT.func.internal.NAME`,
    /// `GOT.data.internal.NAME`). Immutable in a static link; mutable in
    /// position-independent output, where `__wasm_apply_global_relocs`
    /// adds the base at start.
    Got { entry: u32, name: String },
}

/// A table of the output module (after imported tables).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputTable {
    /// `__indirect_function_table`.
    IndirectFunctionTable,
    /// An input table.
    Input { obj: ObjectId, index: u32 },
}

/// What an export refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// A function index.
    Function,
    /// A global index.
    Global,
    /// A table index.
    Table,
    /// The memory.
    Memory,
    /// A tag index.
    Tag,
}

/// One export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputExport {
    /// Export name.
    pub name: String,
    /// Kind.
    pub kind: ExportKind,
    /// Index in that kind's index space.
    pub index: u32,
}

/// Output of the stage: the module's index spaces.
#[derive(Debug, Clone)]
pub struct MergedModule {
    /// Imported functions, globals, tables and tags in import order (the
    /// memory import, if any, is written first by emit).
    pub imports: Vec<OutputImport>,
    /// Number of imported functions.
    pub num_imported_functions: u32,
    /// Number of imported globals.
    pub num_imported_globals: u32,
    /// Number of imported tables (including an imported indirect function table).
    pub num_imported_tables: u32,
    /// `__indirect_function_table` is imported (written first among table
    /// imports, and in the import section first unless `table_import_late`).
    pub import_table: bool,
    /// Position-independent output whose inputs don't import the table
    /// themselves (only GOT entries need it): wasm-ld adds its import after
    /// the symbols' imports, before the GOT imports.
    pub table_import_late: bool,
    /// Number of imported tags.
    pub num_imported_tags: u32,
    /// Defined functions in index order.
    pub functions: Vec<OutputFunction>,
    /// Defined globals in index order.
    pub globals: Vec<OutputGlobal>,
    /// Defined tables in index order.
    pub tables: Vec<OutputTable>,
    /// Defined tags: (object, tag index).
    pub tags: Vec<(ObjectId, u32)>,
    /// Exports, in order.
    pub exports: Vec<OutputExport>,
    /// Per import id: its index in its own kind's index space (function,
    /// global, table or tag); read it through [`MergedModule::func`] and
    /// friends, which know the kind.
    pub import_index: Vec<u32>,
    /// Per object, per defined function: output index when live.
    pub function_index: Vec<Vec<Option<OutputFuncIdx>>>,
    /// Per object, per defined global: output index when live.
    pub global_index: Vec<Vec<Option<OutputGlobalIdx>>>,
    /// Per object, per defined table.
    pub table_index: Vec<Vec<Option<u32>>>,
    /// Per object, per defined tag.
    pub tag_index: Vec<Vec<Option<u32>>>,
    /// Output index of `__wasm_call_ctors`, when written.
    pub call_ctors: Option<OutputFuncIdx>,
    /// Output index of each live stub.
    pub stub_index: Vec<Option<OutputFuncIdx>>,
    /// Output indices of the synthetic globals.
    pub synthetic_global_index: FxHashMap<SyntheticGlobal, OutputGlobalIdx>,
    /// Output index of the GOT entry of each function or data target
    /// (`layout.table.got`).
    pub got_index: FxHashMap<Target, OutputGlobalIdx>,
    /// Output index of `__indirect_function_table`.
    pub indirect_table: Option<u32>,
    /// The constructors `__wasm_call_ctors` calls: (function index, results to drop).
    pub ctor_calls: Vec<(OutputFuncIdx, u32)>,
    /// `__wasm_call_dtors` index, for the command export wrappers.
    pub call_dtors: Option<OutputFuncIdx>,
    /// Element segment: function indices for table slots `base..`.
    pub table_elements: Vec<OutputFuncIdx>,
    /// `__wasm_init_tls`, when written.
    pub init_tls: Option<OutputFuncIdx>,
    /// `__wasm_init_memory`, when written.
    pub init_memory: Option<OutputFuncIdx>,
    /// `__wasm_apply_tls_relocs`, when written.
    pub apply_tls_relocs: Option<OutputFuncIdx>,
    /// The start function (`__wasm_init_memory`, `__wasm_apply_global_relocs`
    /// or `__wasm_start`).
    pub start: Option<OutputFuncIdx>,
    /// What runs at start, in order (`__wasm_start` calls them when there
    /// are several).
    pub start_calls: Vec<OutputFuncIdx>,
    /// `--shared-memory` (`__tls_base` is mutable, set per thread).
    pub shared_memory: bool,
    /// `-m wasm64`: the linker's address globals and `__wasm_init_tls`'s
    /// parameter are i64 (from the layout's memory plan).
    pub memory64: bool,
    /// Output index of each GOT import (`layout.table.got_imports`), by
    /// symbol name.
    pub got_import_index: FxHashMap<String, OutputGlobalIdx>,
    /// `-pie` / `-shared`.
    pub pic: Option<PicKind>,
    /// `__wasm_apply_data_relocs`, when written.
    pub apply_data_relocs: Option<OutputFuncIdx>,
    /// `__wasm_apply_global_relocs`, when written.
    pub apply_global_relocs: Option<OutputFuncIdx>,
    /// `__wasm_apply_global_tls_relocs`, when written.
    pub apply_global_tls_relocs: Option<OutputFuncIdx>,
    /// The GOT entries (`layout.table.got` indices) of thread-local symbols.
    pub got_tls: Vec<u32>,
}

impl MergedModule {
    /// Output index of the imported global `env.NAME` (`__memory_base`,
    /// `__table_base`, `__stack_pointer` in position-independent output).
    pub fn imported_global(&self, name: &str) -> Option<OutputGlobalIdx> {
        self.imports
            .iter()
            .zip(&self.import_index)
            .find(|(i, _)| i.module == "env" && i.field == name && matches!(i.kind, OutputImportKind::Global(_)))
            .map(|(_, &idx)| OutputGlobalIdx(idx))
    }
}

impl MergedModule {
    /// Output index of a function reference.
    pub fn func(&self, f: &FuncRef) -> Option<OutputFuncIdx> {
        match *f {
            FuncRef::Defined { obj, index } => *self.function_index.get(obj.0 as usize)?.get(index.index())?,
            FuncRef::Import(id) => self.import_index.get(id.0 as usize).copied().map(OutputFuncIdx),
            FuncRef::Synthetic(SyntheticFunc::CallCtors) => self.call_ctors,
            FuncRef::Synthetic(SyntheticFunc::InitTls) => self.init_tls,
            FuncRef::Synthetic(SyntheticFunc::Stub(id)) => *self.stub_index.get(id.0 as usize)?,
        }
    }

    /// Output index of a global reference.
    pub fn global(&self, g: &GlobalRef) -> Option<OutputGlobalIdx> {
        match *g {
            GlobalRef::Defined { obj, index } => *self.global_index.get(obj.0 as usize)?.get(index as usize)?,
            GlobalRef::Import(id) => self.import_index.get(id.0 as usize).copied().map(OutputGlobalIdx),
            GlobalRef::Synthetic(s) => self.synthetic_global_index.get(&s).copied(),
        }
    }

    /// Output index of a table reference.
    pub fn table(&self, t: &TableRef) -> Option<u32> {
        match *t {
            TableRef::IndirectFunctionTable => self.indirect_table,
            TableRef::Defined { obj, index } => *self.table_index.get(obj.0 as usize)?.get(index as usize)?,
            TableRef::Import(id) => self.import_index.get(id.0 as usize).copied(),
        }
    }

    /// Output index of a tag reference.
    pub fn tag(&self, t: &TagRef) -> Option<u32> {
        match *t {
            TagRef::Defined { obj, index } => *self.tag_index.get(obj.0 as usize)?.get(index as usize)?,
            TagRef::Import(id) => self.import_index.get(id.0 as usize).copied(),
        }
    }
}

/// Options of this stage.
#[derive(Debug, Clone)]
pub struct MergeOptions {
    /// Whether the memory is exported.
    pub export_memory: bool,
    /// The memory export's name ("memory" unless `--export-memory=NAME`).
    pub memory_export_name: String,
    /// `--import-table`: `__indirect_function_table` is imported from `env`.
    pub import_table: bool,
    /// `--export-table`: `__indirect_function_table` is exported.
    pub export_table: bool,
    /// What the link writes: a relocatable output imports the indirect
    /// function table only when an input uses it.
    pub output: OutputKind,
    /// `--shared-memory`.
    pub shared_memory: bool,
    /// wasm-ld 14's conventions for position-independent output (when
    /// called as `wasm-ld-14`, as emcc 3.1.6 does, whose loader expects
    /// them): `__wasm_apply_data_relocs` runs at start and first thing in
    /// `__wasm_call_ctors`, and is not exported.
    pub wasm_ld_14_pic: bool,
}

impl Default for MergeOptions {
    /// wasm-ld's defaults: the memory exported as "memory", the table
    /// neither imported nor exported.
    fn default() -> Self {
        MergeOptions {
            export_memory: true,
            memory_export_name: "memory".into(),
            import_table: false,
            export_table: false,
            output: OutputKind::Executable,
            shared_memory: false,
            wasm_ld_14_pic: false,
        }
    }
}

/// Runs the stage.
pub fn run(res: &Resolution<'_>, layout: &Layout, opts: &MergeOptions) -> Result<MergedModule, MergeError> {
    // Imports: each kind numbered in its own index space, in import order.
    let mut import_index = Vec::with_capacity(res.imports.len());
    let (mut nf, mut ng, mut nt, mut ntag) = (0u32, 0u32, 0u32, 0u32);
    for imp in &res.imports {
        let counter = match imp.kind {
            OutputImportKind::Function(_) => &mut nf,
            OutputImportKind::Global(_) => &mut ng,
            OutputImportKind::Table(_) => &mut nt,
            OutputImportKind::Tag(_) => &mut ntag,
        };
        import_index.push(*counter);
        *counter += 1;
    }
    // GOT imports follow the others (wasm-ld's order), all globals.
    let mut imports = res.imports.clone();
    let mut got_import_index = FxHashMap::default();
    for g in &layout.table.got_imports {
        got_import_index.insert(g.name.clone(), OutputGlobalIdx(ng));
        import_index.push(ng);
        ng += 1;
        imports.push(OutputImport {
            module: if g.function { "GOT.func" } else { "GOT.mem" }.into(),
            field: g.name.clone(),
            symbol: g.name.clone(),
            kind: OutputImportKind::Global(GlobalType {
                content_type: if layout.memory.memory64 { ValType::I64 } else { ValType::I32 },
                mutable: true,
                shared: false,
            }),
        });
    }
    let pic = res.pic;

    // Functions: synthetic first (in the order wasm-ld creates them), then
    // inputs in link order.
    let mut functions = Vec::new();
    let push = |functions: &mut Vec<OutputFunction>, f: OutputFunction| {
        functions.push(f);
        OutputFuncIdx(nf + functions.len() as u32 - 1)
    };
    let call_ctors = res.call_ctors_live.then(|| push(&mut functions, OutputFunction::CallCtors));
    let init_tls = (opts.shared_memory && res.live.init_tls).then(|| push(&mut functions, OutputFunction::InitTls));
    let mut stub_index = vec![None; res.stubs.len()];
    for (i, live) in res.live.stubs.iter().enumerate() {
        if *live {
            stub_index[i] = Some(push(&mut functions, OutputFunction::Stub(StubId(i as u32))));
        }
    }
    let apply_data_relocs =
        has_runtime_data_relocs(res, layout).then(|| push(&mut functions, OutputFunction::ApplyDataRelocs));
    let has_init_memory = atom_layout::MemoryPlan::has_init_memory(&layout.segments);
    let init_memory = has_init_memory.then(|| push(&mut functions, OutputFunction::InitMemory));
    let apply_global_tls_relocs = (opts.shared_memory && layout.table.got.iter().any(|g| g.tls))
        .then(|| push(&mut functions, OutputFunction::ApplyGlobalTlsRelocs));
    let apply_tls_relocs = (opts.shared_memory && tls_has_relocations(res, layout))
        .then(|| push(&mut functions, OutputFunction::ApplyTlsRelocs));
    let apply_global_relocs = (pic.is_some() && layout.table.got.iter().any(|g| !g.tls))
        .then(|| push(&mut functions, OutputFunction::ApplyGlobalRelocs));
    // wasm-ld 14 also applied the data relocations at start.
    let data_relocs_at_start = apply_data_relocs.filter(|_| opts.wasm_ld_14_pic);
    let start_calls: Vec<OutputFuncIdx> =
        [data_relocs_at_start, apply_global_relocs, init_memory].into_iter().flatten().collect();
    let start = match start_calls.as_slice() {
        [] => None,
        [one] => Some(*one),
        _ => Some(push(&mut functions, OutputFunction::Start)),
    };
    let mut function_index = Vec::with_capacity(res.objects.len());
    for (o, obj) in res.objects.iter().enumerate() {
        let mut map = vec![None; obj.functions.len()];
        for (i, slot) in map.iter_mut().enumerate() {
            if res.live.functions[o][i] {
                *slot = Some(OutputFuncIdx(nf + functions.len() as u32));
                functions.push(OutputFunction::Input { obj: ObjectId(o as u32), index: DefinedFuncIdx(i as u32) });
            }
        }
        function_index.push(map);
    }

    // Globals: synthetic, inputs, then exported data addresses.
    let mut globals = Vec::new();
    let mut synthetic_global_index = FxHashMap::default();
    let mut synthetic_globals = res.live.synthetic_globals.clone();
    if opts.shared_memory && (has_init_memory || layout.table.got.iter().any(|g| g.tls)) {
        // `__wasm_init_memory` sets it for the main thread;
        // `__wasm_apply_global_tls_relocs` reads it.
        synthetic_globals.insert(SyntheticGlobal::TlsBase);
    }
    for g in &synthetic_globals {
        synthetic_global_index.insert(*g, OutputGlobalIdx(ng + globals.len() as u32));
        globals.push(OutputGlobal::Synthetic(*g));
    }
    let mut global_index = Vec::with_capacity(res.objects.len());
    for (o, obj) in res.objects.iter().enumerate() {
        let mut map = vec![None; obj.globals.len()];
        for (i, slot) in map.iter_mut().enumerate() {
            if res.live.globals[o][i] {
                *slot = Some(OutputGlobalIdx(ng + globals.len() as u32));
                globals.push(OutputGlobal::Input { obj: ObjectId(o as u32), index: i as u32 });
            }
        }
        global_index.push(map);
    }
    // GOT entries, after the input globals (wasm-ld's order).
    let mut got_index = FxHashMap::default();
    let mut got_tls = Vec::new();
    for (k, e) in layout.table.got.iter().enumerate() {
        got_index.insert(e.target.clone(), OutputGlobalIdx(ng + globals.len() as u32));
        let kind = if matches!(e.target, Target::Function(_)) { "func" } else { "data" };
        globals.push(OutputGlobal::Got { entry: k as u32, name: format!("GOT.{kind}.internal.{}", e.name) });
        if e.tls {
            got_tls.push(k as u32);
        }
    }

    // Tables: the indirect function table is table 0 (after imports), as
    // call_indirect sites without a table relocation assume.
    // Position-independent output imports the table only when it is used.
    let forced = (opts.import_table && !opts.output.is_relocatable() && pic.is_none()) || opts.export_table;
    let needs_table = res.live.indirect_table || !layout.table.slots.is_empty() || forced;
    let mut tables = Vec::new();
    let mut indirect_table = None;
    let mut import_table = false;
    if needs_table && opts.import_table {
        // Imported tables come first in the index space; the indirect
        // function table must be table 0.
        import_table = true;
        for i in
            import_index.iter_mut().zip(&res.imports).filter(|(_, imp)| matches!(imp.kind, OutputImportKind::Table(_)))
        {
            *i.0 += 1;
        }
        nt += 1;
        indirect_table = Some(0);
    } else if needs_table {
        indirect_table = Some(nt);
        tables.push(OutputTable::IndirectFunctionTable);
    }
    let mut table_index = Vec::with_capacity(res.objects.len());
    for (o, obj) in res.objects.iter().enumerate() {
        let mut map = vec![None; obj.tables.len()];
        for (i, slot) in map.iter_mut().enumerate() {
            if res.live.tables[o][i] {
                *slot = Some(nt + tables.len() as u32);
                tables.push(OutputTable::Input { obj: ObjectId(o as u32), index: i as u32 });
            }
        }
        table_index.push(map);
    }
    let mut tags = Vec::new();
    let mut tag_index = Vec::with_capacity(res.objects.len());
    for (o, obj) in res.objects.iter().enumerate() {
        let mut map = vec![None; obj.tags.len()];
        for (i, slot) in map.iter_mut().enumerate() {
            if res.live.tags[o][i] {
                *slot = Some(ntag + tags.len() as u32);
                tags.push((ObjectId(o as u32), i as u32));
            }
        }
        tag_index.push(map);
    }

    let table_import_late = import_table
        && pic.is_some()
        && !res.objects.iter().any(|o| {
            o.imports.iter().any(|i| {
                i.field == "__indirect_function_table" && matches!(i.kind, object_parse::InputImportKind::Table(_))
            })
        });
    let mut merged = MergedModule {
        imports,
        table_import_late,
        num_imported_functions: nf,
        num_imported_globals: ng,
        num_imported_tables: nt,
        import_table,
        num_imported_tags: ntag,
        functions,
        globals,
        tables,
        tags,
        exports: Vec::new(),
        import_index,
        function_index,
        global_index,
        table_index,
        tag_index,
        call_ctors,
        stub_index,
        synthetic_global_index,
        got_index,
        indirect_table,
        ctor_calls: Vec::new(),
        call_dtors: None,
        table_elements: Vec::new(),
        init_tls,
        init_memory,
        apply_tls_relocs,
        start,
        start_calls,
        shared_memory: opts.shared_memory,
        got_import_index,
        pic,
        apply_data_relocs,
        apply_global_relocs,
        apply_global_tls_relocs,
        got_tls,
        memory64: layout.memory.memory64,
    };
    let missing = MergeError::NoOutputIndex;
    if let Some(f) = data_relocs_at_start {
        // wasm-ld 14's `__wasm_call_ctors` applied them (again) first.
        merged.ctor_calls.push((f, 0));
    }
    for e in &res.init_funcs {
        let idx = merged.func(&e.func).ok_or_else(|| missing(Unindexed::Constructor))?;
        merged.ctor_calls.push((idx, e.num_results));
    }
    merged.call_dtors = match &res.call_dtors {
        Some(f) => merged.func(f),
        None => None,
    };
    for f in &layout.table.slots {
        merged.table_elements.push(merged.func(f).ok_or_else(|| missing(Unindexed::AddressTakenFunction))?);
    }

    // Exports.
    if opts.export_memory {
        merged.exports.push(OutputExport { name: opts.memory_export_name.clone(), kind: ExportKind::Memory, index: 0 });
    }
    if opts.export_table {
        if let Some(t) = merged.indirect_table {
            merged.exports.push(OutputExport {
                name: "__indirect_function_table".into(),
                kind: ExportKind::Table,
                index: t,
            });
        }
    }
    let wrap = !res.call_ctors_referenced && (!res.init_funcs.is_empty() || res.call_dtors.is_some());
    for e in &res.exports {
        let (kind, index) = match &e.target {
            Target::Function(f) => {
                let idx = merged.func(f).ok_or_else(|| missing(Unindexed::ExportedFunction(e.symbol.clone())))?;
                let defined = idx.defined(merged.num_imported_functions).is_some();
                if wrap && defined {
                    let signature = function_signature(res, &merged, idx)
                        .ok_or_else(|| missing(Unindexed::ExportedFunctionSignature))?;
                    let w = merged.num_imported_functions + merged.functions.len() as u32;
                    merged.functions.push(OutputFunction::CommandExport {
                        wrapped: idx,
                        name: format!("{}.command_export", e.symbol),
                        signature,
                    });
                    (ExportKind::Function, w)
                } else {
                    (ExportKind::Function, idx.0)
                }
            }
            Target::Global(g) => {
                (ExportKind::Global, merged.global(g).ok_or_else(|| missing(Unindexed::ExportedGlobal))?.0)
            }
            Target::Table(t) => (ExportKind::Table, merged.table(t).ok_or_else(|| missing(Unindexed::ExportedTable))?),
            Target::Tag(t) => (ExportKind::Tag, merged.tag(t).ok_or_else(|| missing(Unindexed::ExportedTag))?),
            Target::Data(d) => {
                let address =
                    layout.data_address(d).ok_or_else(|| missing(Unindexed::ExportedData(e.symbol.clone())))?;
                let idx = merged.num_imported_globals + merged.globals.len() as u32;
                merged.globals.push(OutputGlobal::DataAddress { symbol: e.symbol.clone(), address });
                (ExportKind::Global, idx)
            }
            Target::Section { .. } | Target::Unresolved => continue,
        };
        merged.exports.push(OutputExport { name: e.name.clone(), kind, index });
    }
    if let Some(f) = apply_data_relocs.filter(|_| !opts.wasm_ld_14_pic) {
        // For the loader, which runs it before the constructors.
        merged.exports.push(OutputExport {
            name: "__wasm_apply_data_relocs".into(),
            kind: ExportKind::Function,
            index: f.0,
        });
    }
    Ok(merged)
}

/// Whether some relocation of the data can only be applied at run time:
/// any, in position-independent output (addresses are relative to
/// `__memory_base`); else those against symbols reached through a GOT
/// import (defined by a shared library). `.tdata` with shared memory is
/// excluded: `__wasm_apply_tls_relocs` handles it per thread.
pub fn has_runtime_data_relocs(res: &Resolution<'_>, layout: &Layout) -> bool {
    layout.segments.iter().filter(|s| !(s.is_tls && s.passive)).flat_map(|s| &s.pieces).any(|p| {
        let obj = &res.objects[p.obj.0 as usize];
        obj.segments.get(p.segment.index()).is_some_and(|seg| {
            let relocs = &obj.data_relocs[seg.relocs.clone()];
            match res.pic {
                Some(_) => !relocs.is_empty(),
                None => relocs.iter().any(|r| res.is_got_imported(p.obj, r.index)),
            }
        })
    })
}

/// Whether an input segment of the `.tdata` output segment has relocations
/// (wasm-ld then writes `__wasm_apply_tls_relocs`).
fn tls_has_relocations(res: &Resolution<'_>, layout: &Layout) -> bool {
    layout.segments.iter().filter(|s| s.is_tls).flat_map(|s| &s.pieces).any(|p| {
        res.objects[p.obj.0 as usize].segments.get(p.segment.index()).is_some_and(|seg| !seg.relocs.is_empty())
    })
}

/// The signature of output function `index`.
pub fn function_signature(res: &Resolution<'_>, merged: &MergedModule, index: OutputFuncIdx) -> Option<Signature> {
    let Some(defined) = index.defined(merged.num_imported_functions) else {
        return res
            .imports
            .iter()
            .filter_map(|i| match &i.kind {
                OutputImportKind::Function(s) => Some(s.clone()),
                _ => None,
            })
            .nth(index.0 as usize);
    };
    match merged.functions.get(defined)? {
        OutputFunction::Input { obj, index } => {
            let o = &res.objects[obj.0 as usize];
            o.types.get(o.functions.get(index.index())?.type_index.index()).cloned()
        }
        OutputFunction::CallCtors
        | OutputFunction::InitMemory
        | OutputFunction::ApplyTlsRelocs
        | OutputFunction::ApplyDataRelocs
        | OutputFunction::ApplyGlobalRelocs
        | OutputFunction::ApplyGlobalTlsRelocs
        | OutputFunction::Start => Some(Signature { params: Box::new([]), results: Box::new([]) }),
        OutputFunction::InitTls => Some(Signature { params: Box::new([address_type(merged)]), results: Box::new([]) }),
        OutputFunction::Stub(id) => Some(res.stubs[id.0 as usize].signature.clone()),
        OutputFunction::CommandExport { signature, .. } => Some(signature.clone()),
    }
}

/// The type of an output global. `__tls_base` is mutable only with shared
/// memory, where each thread sets it; otherwise it is the fixed address of
/// the one `.tdata` block, as in wasm-ld 22.
pub fn global_type(res: &Resolution<'_>, merged: &MergedModule, g: &OutputGlobal) -> GlobalType {
    let address = address_type(merged);
    match g {
        OutputGlobal::Synthetic(SyntheticGlobal::StackPointer) => {
            GlobalType { content_type: address, mutable: true, shared: false }
        }
        OutputGlobal::Synthetic(SyntheticGlobal::TlsBase) => {
            GlobalType { content_type: address, mutable: merged.shared_memory, shared: false }
        }
        OutputGlobal::Got { entry, .. } => {
            // Set at start in position-independent output, per thread for
            // thread-local symbols with shared memory.
            let tls = layout_got_tls(merged, *entry);
            let mutable = (merged.pic.is_some() && !tls) || (merged.shared_memory && tls);
            GlobalType { content_type: address, mutable, shared: false }
        }
        OutputGlobal::Synthetic(_) | OutputGlobal::DataAddress { .. } => {
            GlobalType { content_type: address, mutable: false, shared: false }
        }
        OutputGlobal::Input { obj, index } => res.objects[obj.0 as usize].globals[*index as usize].ty,
    }
}

/// Whether GOT entry `entry` holds a thread-local symbol's address.
fn layout_got_tls(merged: &MergedModule, entry: u32) -> bool {
    merged.got_tls.contains(&entry)
}

/// The type of a memory address: i64 with `-m wasm64`, else i32. wasm-ld
/// gives every global it makes (stack pointer, TLS globals, exported data
/// addresses, GOT entries) this type.
pub fn address_type(merged: &MergedModule) -> ValType {
    if merged.memory64 {
        ValType::I64
    } else {
        ValType::I32
    }
}

/// The type of an output table.
pub fn table_type(res: &Resolution<'_>, layout: &Layout, t: &OutputTable) -> TableType {
    match t {
        OutputTable::IndirectFunctionTable => {
            let n = layout.table.size() as u64;
            TableType {
                element_type: object_parse::RefType::FUNCREF,
                // wasm-ld 22 makes the table 64-bit with a 64-bit memory.
                table64: layout.memory.memory64,
                initial: n,
                maximum: if layout.table.growable { None } else { Some(n) },
                shared: false,
            }
        }
        OutputTable::Input { obj, index } => res.objects[obj.0 as usize].tables[*index as usize],
    }
}
