//! # symbol-resolve: [`ObjectSet`] → [`Resolution`]
//!
//! Second stage, in two steps around object-parse. [`select()`] builds one
//! global symbol table from the inputs in wasm-ld's order with wasm-ld's
//! rules (strong/weak/undefined/local, lazy archive members extracted
//! depth-first, COMDAT first-wins) on symbol summaries alone, and says
//! which objects are linked in which order; object-parse then parses the
//! chosen archive members; [`finish`] defines the linker's own symbols,
//! turns undefined functions into imports or trap stubs, and marks what is
//! live from the roots (`--gc-sections` is the default). [`run`] does all
//! three.
//!
//! Architecture invariant: this stage reads symbol summaries, symbol tables
//! and relocation entries only; it never parses and never reads code or
//! data bytes.

pub mod dump;
mod dynamic;
mod error;
pub mod ids;
pub mod live;
mod output_kind;
pub mod output_symbols;
mod relocatable;
mod resolve;
pub mod select;
pub mod table;
mod targets;

pub use error::{DefinedBy, ResolveError, ResolveWarning, SymbolError};
pub use ids::*;
pub use live::Liveness;
pub use output_kind::{OutputKind, PicKind};
pub use output_symbols::{OutputSymbol, OutputSymbols};
pub use select::{Extraction, Selection};

use object_parse::{ObjectFile, ObjectSet};

/// Options of this stage (from the command line).
#[derive(Debug, Clone)]
pub struct ResolveOptions {
    /// Entry symbol (`_start` by default; `None` with `--no-entry`).
    pub entry: Option<String>,
    /// `--export=NAME` symbols, in command-line order.
    pub exports: Vec<String>,
    /// `--export-if-defined=NAME` symbols: exported when something defines
    /// them (they extract archive members like `--export`), no error when
    /// nothing does.
    pub exports_if_defined: Vec<String>,
    /// `--import-undefined` (and `--allow-undefined`): undefined functions
    /// are imported (from `env`, or their import module and name).
    pub import_undefined: bool,
    /// What happens to the other undefined symbols live code uses
    /// (`--unresolved-symbols`, `--warn-unresolved-symbols`; `--allow-undefined`
    /// means [`UnresolvedPolicy::IgnoreAll`]).
    pub unresolved: UnresolvedPolicy,
    /// `--gc-sections` (default) or `--no-gc-sections`.
    pub gc_sections: bool,
    /// `-u NAME` / `--undefined=NAME`: names that extract archive members.
    pub undefined: Vec<String>,
    /// `--allow-multiple-definition`: the first strong definition wins.
    pub allow_multiple_definition: bool,
    /// `--noinhibit-exec`: a duplicate definition is a warning (the later
    /// one replaces the earlier, as in wasm-ld) instead of an error.
    pub noinhibit_exec: bool,
    /// `--export-all`: export every defined global symbol.
    pub export_all: bool,
    /// `--export-dynamic`: export every defined non-hidden global symbol.
    pub export_dynamic: bool,
    /// `--allow-undefined-file`: functions that may stay undefined (imported).
    pub allow_undefined_symbols: Vec<String>,
    /// `--wrap=NAME`: references to NAME go to `__wrap_NAME`, references to
    /// `__real_NAME` go to NAME.
    pub wrap: Vec<String>,
    /// `--features=`: the output's exact feature set, when given.
    pub features: Option<Vec<String>>,
    /// `--extra-features=`: added to the inputs' features.
    pub extra_features: Vec<String>,
    /// What the link writes: with [`OutputKind::Relocatable`] nothing is
    /// collected, there is no entry, the linker defines no symbols (but
    /// `__indirect_function_table`, kept as an import), every undefined
    /// non-data symbol is imported and nothing is exported.
    pub output: OutputKind,
    /// `--shared-memory`: the linker defines `__wasm_init_tls`, and
    /// `--no-gc-sections` keeps it and the TLS globals.
    pub shared_memory: bool,
    /// `-pie` / `-shared`: `__stack_pointer`, `__memory_base` and
    /// `__table_base` are imports, undefined symbols are resolved by the
    /// dynamic loader (functions imported, addresses through the GOT).
    pub pic: Option<PicKind>,
    /// `-Bsymbolic`: a shared library's own definitions are final (no GOT
    /// imports for them).
    pub bsymbolic: bool,
    /// `-m wasm64` (`Some(true)`) / `-m wasm32` (`Some(false)`): the
    /// architecture every object must have; `None` accepts only wasm32
    /// objects, with wasm-ld's "must specify -mwasm64" for the others.
    pub is64: Option<bool>,
}

impl Default for ResolveOptions {
    /// wasm-ld's defaults: entry `_start`, `--gc-sections`, nothing else.
    fn default() -> Self {
        ResolveOptions {
            entry: Some("_start".into()),
            exports: Vec::new(),
            exports_if_defined: Vec::new(),
            import_undefined: false,
            unresolved: UnresolvedPolicy::ReportAll,
            gc_sections: true,
            undefined: Vec::new(),
            allow_multiple_definition: false,
            noinhibit_exec: false,
            export_all: false,
            export_dynamic: false,
            allow_undefined_symbols: Vec::new(),
            wrap: Vec::new(),
            features: None,
            extra_features: Vec::new(),
            output: OutputKind::Executable,
            shared_memory: false,
            pic: None,
            bsymbolic: false,
            is64: None,
        }
    }
}

impl ResolveOptions {
    /// Whether undefined symbols are left to the dynamic loader: in a
    /// position-independent output, or with
    /// `--unresolved-symbols=import-dynamic`.
    pub fn dynamic_undefined(&self) -> bool {
        self.pic.is_some() || self.unresolved == UnresolvedPolicy::ImportDynamic
    }
}

/// A constructor to call from `__wasm_call_ctors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitEntry {
    /// Lower runs first.
    pub priority: u32,
    /// The function.
    pub func: FuncRef,
    /// Its signature has results that must be dropped.
    pub num_results: u32,
}

/// One export of the output module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportItem {
    /// The export name.
    pub name: String,
    /// What it exports.
    pub target: Target,
    /// The symbol name (differs from `name` with `export_name`).
    pub symbol: String,
}

/// Output of the stage.
pub struct Resolution<'a> {
    /// Linked objects in link order: direct inputs and extracted members.
    pub objects: Vec<ObjectFile<'a>>,
    /// Per object, per symbol index: what the symbol resolves to.
    pub targets: Vec<Vec<Target>>,
    /// Imports of the output module, in symbol-table order: only those live
    /// code references, so every one is live ([`Liveness`] has no import flags).
    pub imports: Vec<OutputImport>,
    /// Trap stubs (live ones are marked in `live.stubs`).
    pub stubs: Vec<Stub>,
    /// What reaches the output.
    pub live: Liveness,
    /// Live constructors, sorted by priority (stable: input order within one).
    pub init_funcs: Vec<InitEntry>,
    /// Whether `__wasm_call_ctors` is written: it is referenced or has work.
    pub call_ctors_live: bool,
    /// Whether the inputs call `__wasm_call_ctors` themselves; if not, a
    /// command's exports get wrappers that call it (wasm-ld's rule).
    pub call_ctors_referenced: bool,
    /// `__wasm_call_dtors`, when an input defines it.
    pub call_dtors: Option<FuncRef>,
    /// Exports, in symbol-table order.
    pub exports: Vec<ExportItem>,
    /// The entry function, when there is one.
    pub entry: Option<FuncRef>,
    /// Warnings to print (signature mismatches).
    pub warnings: Vec<ResolveWarning>,
    /// The output's symbol table, when the output keeps its relocations
    /// (`-r`, `--emit-relocs`).
    pub symtab: Option<OutputSymbols>,
    /// `-pie` / `-shared`.
    pub pic: Option<PicKind>,
    /// Per object, per symbol: its address is only known at run time, so
    /// `GOT.mem`/`GOT.func` imports stand for it (wasm-ld's
    /// `requiresGOTAccess`). Empty when nothing is dynamic.
    pub got_imported: Vec<Vec<bool>>,
    /// The shared libraries linked against, by file name (`dylink.0`'s
    /// needed list).
    pub needed: Vec<String>,
    /// Weak undefined symbols left to the dynamic loader, as
    /// (module, field, symbol flags): `dylink.0`'s import info.
    pub weak_imports: Vec<(String, String, u32)>,
}

impl Resolution<'_> {
    /// Whether symbol `sym` of object `obj` is reached through a GOT import
    /// (see [`Resolution::got_imported`]).
    pub fn is_got_imported(&self, obj: ObjectId, sym: u32) -> bool {
        self.got_imported.get(obj.0 as usize).and_then(|v| v.get(sym as usize)).copied().unwrap_or(false)
    }
}

impl Resolution<'_> {
    /// What `--gc-sections` removed, as wasm-ld's `--print-gc-sections`
    /// reports it: `removing unused section FILE:(NAME)`.
    pub fn gc_report(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (o, obj) in self.objects.iter().enumerate() {
            let mut fnames: Vec<Option<&str>> = vec![None; obj.functions.len()];
            for s in &obj.linking.symbols {
                if let object_parse::SymbolKind::Function(i) = s.kind {
                    if let Some(d) = obj.defined_function(i).filter(|_| !s.is_undefined()) {
                        if let Some(slot) = fnames.get_mut(d.index()) {
                            slot.get_or_insert(s.name);
                        }
                    }
                }
            }
            for (i, live) in self.live.functions[o].iter().enumerate() {
                if !live {
                    out.push(format!("removing unused section {}:({})", obj.name, fnames[i].unwrap_or("<unnamed>")));
                }
            }
            for (i, live) in self.live.segments[o].iter().enumerate() {
                if !live {
                    out.push(format!("removing unused section {}:({})", obj.name, obj.segments[i].info.name));
                }
            }
        }
        out
    }
}

/// Marks a linker-defined target live after marking has finished.
fn marker_free_enqueue(live: &mut Liveness, t: &Target) {
    match t {
        Target::Global(GlobalRef::Synthetic(g)) => {
            live.synthetic_globals.insert(*g);
        }
        Target::Function(FuncRef::Synthetic(SyntheticFunc::CallCtors)) => live.call_ctors_referenced = true,
        Target::Function(FuncRef::Synthetic(SyntheticFunc::InitTls)) => live.init_tls = true,
        _ => {}
    }
}

/// What happens to an undefined symbol that live code uses and that isn't
/// imported (wasm-ld's `--unresolved-symbols`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnresolvedPolicy {
    /// An error (the default; `report-all`, `--error-unresolved-symbols`).
    ReportAll,
    /// A warning (`--warn-unresolved-symbols`); then as `IgnoreAll`.
    Warn,
    /// Nothing (`ignore-all`): data gets address 0, functions a trapping
    /// `undefined_stub`.
    IgnoreAll,
    /// Left to the dynamic loader (`import-dynamic`): functions imported,
    /// addresses through `GOT.*` imports.
    ImportDynamic,
}

impl UnresolvedPolicy {
    /// Whether the link goes on with stand-ins for undefined symbols.
    pub fn tolerates(self) -> bool {
        self != UnresolvedPolicy::ReportAll
    }
}

/// Runs the stage on its own: [`select()`], then the chosen archive members
/// parsed in full ([`object_parse::parse_selected`]), then [`finish`].
/// (The `wasmlink` library runs the three steps itself, to time and
/// observe each.)
pub fn run<'a>(mut set: ObjectSet<'a>, opts: &ResolveOptions) -> Result<Resolution<'a>, ResolveError> {
    let selection = select(&mut set, opts)?;
    let objects = object_parse::parse_selected(set, &selection.sources)?;
    let mut warnings = selection.warnings.clone();
    let mut resolution = finish(selection, objects, opts)?;
    warnings.append(&mut resolution.warnings);
    resolution.warnings = warnings;
    Ok(resolution)
}

/// Decides which objects are linked and in which order, as wasm-ld does,
/// from symbol summaries alone (see the [`select`](mod@select) module): the inputs
/// in command-line order with archive members extracted depth-first, then
/// the `-u` names, `--export` names, the entry, `__wasm_call_dtors` and the
/// stub libraries. The archive member summaries are moved out of `set`.
/// Fails with the symbol errors met on the way (duplicates, kind
/// mismatches).
pub fn select<'a>(set: &mut ObjectSet<'a>, opts: &ResolveOptions) -> Result<Selection<'a>, ResolveError> {
    let mut exports: Vec<&str> = opts.exports_if_defined.iter().map(String::as_str).collect();
    exports.extend(opts.exports.iter().map(String::as_str));
    let select_opts = select::SelectOptions {
        undefined: &opts.undefined,
        exports,
        entry: opts.entry.as_deref(),
        allow_multiple_definition: opts.allow_multiple_definition,
        noinhibit_exec: opts.noinhibit_exec,
        relocatable: opts.output.is_relocatable(),
        pic: opts.pic.is_some(),
        shared: opts.pic == Some(PicKind::Shared),
        is64: opts.is64,
    };
    select::select(set, &select_opts)
}

/// Finishes resolution on the selected objects (parsed in full, in link
/// order): linker-defined symbols, `--wrap`, every symbol's target,
/// imports and stubs, liveness, constructors and exports.
pub fn finish<'a>(
    selection: Selection<'a>,
    objects: Vec<ObjectFile<'a>>,
    opts: &ResolveOptions,
) -> Result<Resolution<'a>, ResolveError> {
    let relocatable = opts.output.is_relocatable();
    let mut r = resolve::Resolver::new(selection, objects);
    r.shared_memory = opts.shared_memory;
    r.pic = opts.pic;
    if relocatable {
        relocatable::define_linker_symbols(&mut r);
    } else {
        r.define_linker_symbols();
    }
    r.wrap_symbols(&opts.wrap);
    let t = r.compute_targets(opts);
    let Marked { mut live, live_provisional_imports, entry, call_dtors, warnings: undefined_warnings } =
        mark_live(&r, &t, opts)?;
    let init_funcs = init_functions(&r.objects, &t.targets, &live, &live_provisional_imports)?;
    let call_ctors_referenced = live.call_ctors_referenced;
    let mut exports = Vec::new();
    if !relocatable {
        exports = symbol_exports(&r, opts);
        add_linker_exports(&r, opts, &mut exports, &mut live)?;
    }
    let call_ctors_exported =
        exports.iter().any(|e| e.target == Target::Function(FuncRef::Synthetic(SyntheticFunc::CallCtors)));
    // Without --gc-sections everything is kept, __wasm_call_ctors included,
    // as in position-independent output, where the loader calls it; a
    // relocatable output has no linker-written functions.
    let call_ctors_live = !relocatable
        && (call_ctors_referenced
            || call_ctors_exported
            || !init_funcs.is_empty()
            || !opts.gc_sections
            || opts.pic.is_some());
    if opts.pic == Some(PicKind::Shared) && !call_ctors_exported {
        // A side module exports its constructors for the loader to run.
        let target = Target::Function(FuncRef::Synthetic(SyntheticFunc::CallCtors));
        let name = "__wasm_call_ctors".to_string();
        exports.insert(0, ExportItem { name: name.clone(), target, symbol: name });
    }
    let got_imported = dynamic::got_imported(&r, opts);
    let weak_imports = dynamic::weak_imports(&r, &t.targets, &live, opts);
    let mut resolution = Resolution {
        objects: r.objects,
        targets: t.targets,
        imports: Vec::new(),
        stubs: t.stubs,
        live,
        init_funcs,
        call_ctors_live,
        call_ctors_referenced,
        call_dtors,
        exports,
        entry,
        warnings: std::mem::take(&mut r.warnings).into_iter().chain(t.warnings).chain(undefined_warnings).collect(),
        symtab: None,
        pic: opts.pic,
        got_imported,
        needed: r.shared_libraries.iter().map(|l| l.needed_name().to_string()).collect(),
        weak_imports,
    };
    keep_live_imports(&r.table, t.imports, &live_provisional_imports, &mut resolution);
    if opts.output.keeps_relocations() {
        resolution.symtab = Some(output_symbols::build(&r.table, &r.slots, &resolution, opts.output));
    }
    Ok(resolution)
}

/// What marking found besides the live sets.
struct Marked {
    live: Liveness,
    /// Per provisional import (the ids in the targets until
    /// [`keep_live_imports`] renumbers them): referenced by live code.
    live_provisional_imports: Vec<bool>,
    entry: Option<FuncRef>,
    call_dtors: Option<FuncRef>,
    /// Undefined symbols tolerated with a warning.
    warnings: Vec<ResolveWarning>,
}

/// What a global symbol name resolves to for a root: its definition, or
/// the linker's own definition of that name.
fn lookup_root(r: &resolve::Resolver<'_>, name: &str) -> Option<Target> {
    let defined = r.table.find(name).and_then(|sid| match &r.table.get(sid).def {
        table::Definition::Object { obj, sym, .. } => {
            Some(targets::defined_target(*obj, &r.objects[obj.0 as usize], *sym))
        }
        table::Definition::Linker(t) => Some(t.clone()),
        _ => None,
    });
    defined.or_else(|| r.linker_target(name))
}

/// Marks what reaches the output from the roots (entry, `--export` names,
/// exported and NO_STRIP symbols, `__wasm_call_dtors`, and with
/// `--gc-sections` the objects named on the command line), or everything
/// with `--no-gc-sections`. Fails on a missing entry or export and on
/// undefined symbols referenced from live code.
fn mark_live(r: &resolve::Resolver<'_>, t: &targets::Targets, opts: &ResolveOptions) -> Result<Marked, ResolveError> {
    let objects = &r.objects;
    let mut errors = Vec::new();
    let mut marker =
        live::Marker::new(objects, &t.targets, &r.discarded, &t.unresolved_names, &t.stubs, t.imports.len());
    marker.call_only_imports = t.call_only_imports.clone();
    if opts.dynamic_undefined() && !opts.output.is_relocatable() {
        marker.dynamic = Some(opts.pic.is_some());
        marker.dynamic_undefined = t.dynamic_undefined.clone();
    }
    let mut entry = None;
    if let Some(name) = &opts.entry {
        match lookup_root(r, name) {
            Some(t @ Target::Function(f)) => {
                marker.enqueue(&t);
                entry = Some(f);
            }
            _ => errors.push(SymbolError::EntryNotDefined(name.clone())),
        }
    }
    for name in &opts.exports {
        match lookup_root(r, name) {
            Some(t) => marker.enqueue(&t),
            // With --allow-undefined, wasm-ld lets a missing --export pass.
            None if opts.unresolved.tolerates() => {}
            // `__start_X`/`__stop_X` of a segment: exported after marking,
            // when segment X turns out live (add_linker_exports).
            None if segment_bound(r, name).is_some() => {}
            None => errors.push(SymbolError::ExportNotFound(name.clone())),
        }
    }
    for name in &opts.exports_if_defined {
        if let Some(t) = lookup_root(r, name) {
            marker.enqueue(&t);
        }
    }
    for sid in &r.stub_exports {
        if let Some(t) = lookup_root(r, r.table.get(*sid).name) {
            marker.enqueue(&t);
        }
    }
    for t in &flagged_roots(r, opts) {
        marker.enqueue(t);
    }
    let call_dtors = match lookup_root(r, "__wasm_call_dtors") {
        Some(t @ Target::Function(f @ FuncRef::Defined { .. })) => {
            marker.enqueue(&t);
            Some(f)
        }
        _ => None,
    };
    if opts.gc_sections {
        // Objects named on the command line are live as a whole (their
        // constructors run), as in wasm-ld; archive members only once
        // something in them is used.
        for (o, lazy) in r.from_archive.iter().enumerate() {
            if !lazy {
                marker.mark_object(ObjectId(o as u32));
            }
        }
        marker.run();
    } else {
        marker.mark_all();
        if opts.shared_memory {
            // wasm-ld keeps every synthetic definition without --gc-sections.
            marker.live.init_tls = true;
            marker.live.synthetic_globals.extend([
                SyntheticGlobal::TlsBase,
                SyntheticGlobal::TlsSize,
                SyntheticGlobal::TlsAlign,
            ]);
        }
    }
    // Reported per referencing file in link order, as wasm-ld does.
    let mut undefined = std::mem::take(&mut marker.undefined);
    if opts.output.is_relocatable() {
        // Undefined symbols stay undefined in a relocatable output.
        undefined.clear();
    }
    undefined.sort_by_key(|(o, _)| *o);
    let mut warnings = Vec::new();
    for (o, name) in undefined {
        let file = objects[o.0 as usize].name.clone();
        match opts.unresolved {
            UnresolvedPolicy::ReportAll => errors.push(SymbolError::Undefined { file, name }),
            UnresolvedPolicy::Warn => warnings.push(ResolveWarning::Undefined { file, name }),
            UnresolvedPolicy::IgnoreAll | UnresolvedPolicy::ImportDynamic => {}
        }
    }
    let mut reloc_errors = std::mem::take(&mut marker.reloc_errors);
    reloc_errors.sort_by_key(|(at, _)| *at);
    errors.extend(reloc_errors.into_iter().map(|(_, e)| e));
    let mut live_provisional_imports = std::mem::take(&mut marker.imports);
    for id in &t.bases {
        // The loader always passes the memory and table bases.
        live_provisional_imports[id.0 as usize] = true;
    }
    let mut live = marker.live;
    if opts.output.is_relocatable() {
        // `__stack_pointer` is the inputs' import, not the linker's global.
        live.synthetic_globals.clear();
    } else if opts.pic.is_some() {
        // The loader's stack pointer is imported.
        live.synthetic_globals.remove(&SyntheticGlobal::StackPointer);
    }
    // wasm-ld emits the table whenever an input mentions it (clang's
    // objects import it; an MVP object imports it without a symbol, and its
    // `call_indirect`s name table 0) or a function's address is taken.
    let imported_without_symbol = objects.iter().any(|o| {
        o.imports.iter().any(|i| {
            i.field == "__indirect_function_table" && matches!(i.kind, object_parse::InputImportKind::Table(_))
        })
    });
    if r.table.find("__indirect_function_table").is_some() || imported_without_symbol {
        live.indirect_table = true;
    }
    if !errors.is_empty() {
        return Err(ResolveError::Symbols(errors));
    }
    Ok(Marked { live, live_provisional_imports, entry, call_dtors, warnings })
}

/// Symbols that are roots by their flags: EXPORTED and NO_STRIP ones, and
/// with `--export-all` / `--export-dynamic` every (non-hidden) definition.
fn flagged_roots(r: &resolve::Resolver<'_>, opts: &ResolveOptions) -> Vec<Target> {
    let mut flagged = Vec::new();
    for sym in &r.table.symbols {
        if let table::Definition::Object { obj, sym: s, .. } = sym.def {
            let os = &r.objects[obj.0 as usize].linking.symbols[s.index()];
            let exported_by_option = opts.export_all || (opts.export_dynamic && !os.is_hidden());
            if exported_by_option || os.flags & (object_parse::flags::EXPORTED | object_parse::flags::NO_STRIP) != 0 {
                flagged.push(targets::defined_target(obj, &r.objects[obj.0 as usize], s));
            }
        }
    }
    flagged
}

/// The init functions of live objects that are live themselves, sorted by
/// priority (stable: input order within one priority). `targets` still
/// hold provisional import ids, so an imported constructor's liveness is
/// looked up in `live_provisional_imports`. Fails on a constructor that
/// takes arguments.
fn init_functions(
    objects: &[ObjectFile<'_>],
    targets: &[Vec<Target>],
    live: &Liveness,
    live_provisional_imports: &[bool],
) -> Result<Vec<InitEntry>, ResolveError> {
    let mut errors = Vec::new();
    let mut init_funcs = Vec::new();
    for (o, obj) in objects.iter().enumerate() {
        for f in &obj.linking.init_funcs {
            if let Target::Function(func) = &targets[o][f.symbol.index()] {
                let is_live = match *func {
                    FuncRef::Defined { obj, index } => live.functions[obj.0 as usize][index.index()],
                    FuncRef::Import(id) => live_provisional_imports[id.0 as usize],
                    FuncRef::Synthetic(_) => false,
                };
                if is_live {
                    let sig = match obj.linking.symbols[f.symbol.index()].kind {
                        object_parse::SymbolKind::Function(fi) => obj.function_signature(fi),
                        _ => None,
                    };
                    if sig.is_some_and(|s| !s.params.is_empty()) {
                        errors.push(SymbolError::ConstructorWithArguments {
                            file: obj.name.clone(),
                            name: obj.linking.symbols[f.symbol.index()].name.to_string(),
                        });
                    }
                    init_funcs.push(InitEntry {
                        priority: f.priority,
                        func: *func,
                        num_results: sig.map_or(0, |s| s.results.len() as u32),
                    });
                }
            }
        }
    }
    init_funcs.sort_by_key(|e| e.priority);
    if !errors.is_empty() {
        return Err(ResolveError::Symbols(errors));
    }
    Ok(init_funcs)
}

/// The exports of global symbols, in symbol-table order: the entry and
/// `--export` names, symbols flagged EXPORTED, and those `--export-all` /
/// `--export-dynamic` select.
fn symbol_exports(r: &resolve::Resolver<'_>, opts: &ResolveOptions) -> Vec<ExportItem> {
    let mut exports = Vec::new();
    let mutable_globals = has_mutable_globals(r, opts);
    // A set, not a scan per symbol: rustc passes one `--export` per symbol of
    // a cdylib.
    let named: rustc_hash::FxHashSet<&str> =
        opts.exports.iter().chain(&opts.exports_if_defined).map(String::as_str).collect();
    for (i, sym) in r.table.symbols.iter().enumerate() {
        let forced = opts.entry.as_deref() == Some(sym.name)
            || named.contains(sym.name)
            || r.stub_exports.contains(&SymbolId(i as u32));
        let (target, flagged_export, export_name) = match &sym.def {
            table::Definition::Object { obj, sym: s, .. } => {
                let o = &r.objects[obj.0 as usize];
                let os = &o.linking.symbols[s.index()];
                let name = match os.kind {
                    object_parse::SymbolKind::Function(fi) => {
                        o.function_exports.iter().find(|(_, i)| *i == fi).map(|(n, _)| n.to_string())
                    }
                    _ => None,
                };
                let by_option = opts.export_all || (opts.export_dynamic && !os.is_hidden());
                (targets::defined_target(*obj, o, *s), by_option || os.flags & object_parse::flags::EXPORTED != 0, name)
            }
            table::Definition::Linker(t) if forced => (t.clone(), false, None),
            // `--export-all` exports the linker's symbols too, and like
            // `--export-dynamic` its mutable `__stack_pointer`, as wasm-ld
            // does, only when the output may have mutable globals.
            table::Definition::Linker(t) if opts.export_all || opts.export_dynamic => {
                let mutable = matches!(t, Target::Global(GlobalRef::Synthetic(SyntheticGlobal::StackPointer)));
                if (mutable && !mutable_globals) || (!opts.export_all && !mutable) {
                    continue;
                }
                (t.clone(), true, None)
            }
            _ => continue,
        };
        if forced || flagged_export {
            exports.push(ExportItem {
                name: export_name.unwrap_or_else(|| sym.name.to_string()),
                target,
                symbol: sym.name.to_string(),
            });
        }
    }
    exports
}

/// Appends the `--export` and `--export-if-defined` names of linker-defined
/// symbols nobody referenced (e.g. `__data_end`, or `__start_X` of a live
/// segment X), marking what they need live. An `--export` of a segment
/// bound whose segment isn't in the output is an error, as in wasm-ld.
fn add_linker_exports(
    r: &resolve::Resolver<'_>,
    opts: &ResolveOptions,
    exports: &mut Vec<ExportItem>,
    live: &mut Liveness,
) -> Result<(), ResolveError> {
    let mut errors = Vec::new();
    let required = opts.exports.iter().map(|n| (n, true));
    // `--export-all` also defines (and so exports) the optional linker data
    // symbols nothing referenced, in wasm-ld's order.
    let optional: &[&str] = if opts.export_all { &OPTIONAL_LINKER_DATA } else { &[] };
    let optional: Vec<String> = optional
        .iter()
        .filter(|n| r.table.find(n).is_none_or(|s| matches!(r.table.get(s).def, table::Definition::None)))
        .map(|n| n.to_string())
        .collect();
    let if_defined = opts.exports_if_defined.iter().chain(&optional).map(|n| (n, false));
    let mut exported: rustc_hash::FxHashSet<String> = exports.iter().map(|e| e.symbol.clone()).collect();
    for (name, required) in required.chain(if_defined) {
        if exported.contains(name.as_str()) {
            continue;
        }
        let target = match segment_bound(r, name) {
            Some(segment) if segment_is_live(r, live, segment) => {
                Some(Target::Data(DataRef::Linker(targets::linker_data(name).expect("a segment bound name"))))
            }
            Some(_) if required && !opts.unresolved.tolerates() => {
                errors.push(SymbolError::ExportNotFound(name.clone()));
                None
            }
            Some(_) => None,
            None => r.linker_target(name),
        };
        if let Some(t) = target {
            marker_free_enqueue(live, &t);
            exports.push(ExportItem { name: name.clone(), target: t, symbol: name.clone() });
            exported.insert(name.clone());
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ResolveError::Symbols(errors))
    }
}

/// Whether the output has the `mutable-globals` feature (`--features=`, or
/// an input using it, or `--extra-features=`): only then does wasm-ld export
/// the linker's mutable globals under `--export-all` / `--export-dynamic`.
fn has_mutable_globals(r: &resolve::Resolver<'_>, opts: &ResolveOptions) -> bool {
    const NAME: &str = "mutable-globals";
    match &opts.features {
        Some(list) => list.iter().any(|f| f == NAME),
        None => {
            opts.extra_features.iter().any(|f| f == NAME)
                || r.objects.iter().any(|o| o.features.iter().any(|f| f.prefix == b'+' && f.name == NAME))
        }
    }
}

/// The linker-defined data symbols wasm-ld creates when referenced (or
/// exported), in its order.
pub const OPTIONAL_LINKER_DATA: [&str; 10] = [
    "__dso_handle",
    "__data_end",
    "__stack_low",
    "__stack_high",
    "__global_base",
    "__heap_base",
    "__heap_end",
    "__memory_base",
    "__table_base",
    "__wasm_first_page_end",
];

/// For `__start_X` / `__stop_X` where X is a C identifier that names a
/// data segment of some input: X. wasm-ld defines these bounds only for
/// such segments.
fn segment_bound<'n>(r: &resolve::Resolver<'_>, name: &'n str) -> Option<&'n str> {
    let segment = name.strip_prefix("__start_").or_else(|| name.strip_prefix("__stop_"))?;
    let c_identifier = segment.chars().next().is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && segment.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
    let exists = r.objects.iter().any(|o| o.segments.iter().any(|s| s.info.name == segment));
    (c_identifier && exists).then_some(segment)
}

/// Whether some live input segment is named `segment`.
fn segment_is_live(r: &resolve::Resolver<'_>, live: &Liveness, segment: &str) -> bool {
    r.objects
        .iter()
        .enumerate()
        .any(|(o, obj)| obj.segments.iter().enumerate().any(|(i, s)| s.info.name == segment && live.segments[o][i]))
}

/// Keeps the live provisional imports only, in symbol-table order (first
/// reference order), as `res.imports`, and renumbers every import reference
/// in `res` (targets, exports, init functions) to it; references to dead
/// imports become [`Target::Unresolved`].
fn keep_live_imports(
    table: &table::SymbolTable<'_>,
    provisional: Vec<OutputImport>,
    live_provisional: &[bool],
    res: &mut Resolution<'_>,
) {
    let mut order: Vec<usize> = (0..provisional.len()).filter(|&i| live_provisional[i]).collect();
    order.sort_by_key(|&i| table.find(&provisional[i].symbol).map(|s| s.0).unwrap_or(u32::MAX));
    let mut remap = vec![None; provisional.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old] = Some(ImportId(new as u32));
    }
    let imports: Vec<OutputImport> = order.iter().map(|&i| provisional[i].clone()).collect();
    let fix = |target: &mut Target| {
        let id = match target {
            Target::Function(FuncRef::Import(id))
            | Target::Global(GlobalRef::Import(id))
            | Target::Table(TableRef::Import(id))
            | Target::Tag(TagRef::Import(id)) => id,
            _ => return,
        };
        match remap[id.0 as usize] {
            Some(n) => *id = n,
            None => *target = Target::Unresolved,
        }
    };
    for per in res.targets.iter_mut() {
        for target in per.iter_mut() {
            fix(target);
        }
    }
    for e in res.exports.iter_mut() {
        fix(&mut e.target);
    }
    for i in res.init_funcs.iter_mut() {
        let mut tt = Target::Function(i.func);
        fix(&mut tt);
        if let Target::Function(f) = tt {
            i.func = f;
        }
    }
    res.imports = imports;
}
