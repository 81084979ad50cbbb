//! # emit: all stage outputs → module bytes → output file
//!
//! Last stage. Sizes every section first, then writes the module into one
//! output buffer of exactly its size: the small generated sections (types,
//! imports, ..., elements, `name`, `producers`, `target_features`) are
//! encoded into their own buffers and copied into place; code, data and
//! custom-section atoms are copied straight from the inputs into their
//! slots of the output buffer in parallel (rayon), never re-encoding
//! function bodies, with every relocation patched in place at its fixed
//! width. Sections are in spec order, followed by the input custom
//! sections, `name`, `producers` and `target_features`. [`write_atomic`]
//! writes through a temporary file and a rename, so a failed link never
//! leaves a partial output and never destroys an existing one.

mod build_id;
mod code;
mod compress;
mod custom;
mod data;
pub mod dump;
mod dynamic;
mod error;
pub mod file_layout;
mod init;
mod leb;
mod linking;
mod ops;
mod prepare;
pub mod relocate;

pub use build_id::BuildId;
pub use custom::CustomPolicy;
pub use error::{EmitError, PatchError, SharedMemoryProblem, UnresolvableTarget};
pub use file_layout::{FileLayout, PlacedChunk, PlacedSection, PlacedSegment, SectionKind};
pub use prepare::{prepare, Prepared};

use atom_layout::Layout;
use section_merge::{global_type, table_type, ExportKind, MergedModule, OutputGlobal};
use std::path::Path;
use symbol_resolve::{OutputImportKind, OutputKind, Resolution, SyntheticGlobal};
use type_dedup::TypeTable;
use wasm_encoder as enc;

/// Options of this stage.
#[derive(Debug, Clone)]
pub struct EmitOptions {
    /// Which custom sections survive.
    pub custom: CustomPolicy,
    /// `--import-memory`.
    pub import_memory: bool,
    /// Module and field of the memory import.
    pub memory_import: (String, String),
    /// Check that no input uses a feature another input disallows.
    pub check_features: bool,
    /// `--features=`: the exact feature set of the output.
    pub features: Option<Vec<String>>,
    /// `--extra-features=`: added to the output's feature set.
    pub extra_features: Vec<String>,
    /// `--build-id`: the `build_id` section written last, if any.
    pub build_id: BuildId,
    /// The module name the `name` section gives (wasm-ld: `--soname`, else
    /// the output file's name); `None` writes no module name.
    pub module_name: Option<String>,
    /// What the link writes: with `-r` and `--emit-relocs` the output also
    /// has a `linking` section and its `reloc.*` sections.
    pub output: OutputKind,
    /// `--demangle`: the name section shows C++ and Rust names demangled,
    /// as wasm-ld writes it.
    pub demangle: bool,
    /// `--shared-memory`: the inputs must allow atomics and bulk memory.
    pub shared_memory: bool,
    /// `-rpath`: the runtime path `dylink.0` records.
    pub rpath: Vec<String>,
    /// `--compress-relocations`: relocated LEB fields of the code at their
    /// minimal length.
    pub compress_relocations: bool,
}

impl Default for EmitOptions {
    fn default() -> Self {
        EmitOptions {
            custom: CustomPolicy::default(),
            import_memory: false,
            memory_import: ("env".into(), "memory".into()),
            check_features: true,
            features: None,
            extra_features: Vec::new(),
            module_name: None,
            build_id: BuildId::None,
            output: OutputKind::Executable,
            demangle: true,
            shared_memory: false,
            rpath: Vec::new(),
            compress_relocations: false,
        }
    }
}

fn val(t: object_parse::ValType) -> Result<enc::ValType, EmitError> {
    enc::ValType::try_from(t).map_err(|_| EmitError::UnsupportedValType(t))
}

fn sig_types(s: &object_parse::Signature) -> Result<(Vec<enc::ValType>, Vec<enc::ValType>), EmitError> {
    Ok((
        s.params.iter().map(|t| val(*t)).collect::<Result<_, _>>()?,
        s.results.iter().map(|t| val(*t)).collect::<Result<_, _>>()?,
    ))
}

fn table_ty(t: object_parse::TableType) -> Result<enc::TableType, EmitError> {
    enc::TableType::try_from(t).map_err(|_| EmitError::UnsupportedTableType(t))
}

fn global_ty(t: object_parse::GlobalType) -> Result<enc::GlobalType, EmitError> {
    enc::GlobalType::try_from(t).map_err(|_| EmitError::UnsupportedGlobalType(t))
}

fn encoded<S: enc::Section>(s: &S) -> Vec<u8> {
    let mut v = vec![s.id()];
    enc::Encode::encode(s, &mut v);
    v
}

/// The module header: magic and version.
const MODULE_HEADER: &[u8] = b"\0asm\x01\0\0\0";

/// Section id of the code section.
const CODE_SECTION: u8 = 10;
/// Section id of the data section.
const DATA_SECTION: u8 = 11;
/// Section id of custom sections.
const CUSTOM_SECTION: u8 = 0;

/// The bytes before a section's payload: its id and payload size, and for a
/// custom section its name.
fn section_header(id: u8, name: Option<&str>, payload_len: usize) -> Vec<u8> {
    let name_len = name.map_or(0, |n| leb::len_u32(n.len() as u32) + n.len());
    let mut head = Vec::with_capacity(6 + name_len);
    head.push(id);
    leb::write_u32(&mut head, (name_len + payload_len) as u32);
    if let Some(n) = name {
        leb::write_u32(&mut head, n.len() as u32);
        head.extend_from_slice(n.as_bytes());
    }
    head
}

/// Length of a section with this header and payload length.
fn section_len(id: u8, name: Option<&str>, payload_len: usize) -> usize {
    section_header(id, name, payload_len).len() + payload_len
}

/// Cuts the first `n` bytes off `rest` and returns them.
fn take<'o>(rest: &mut &'o mut [u8], n: usize) -> &'o mut [u8] {
    let (head, tail) = std::mem::take(rest).split_at_mut(n);
    *rest = tail;
    head
}

/// Writes a section header into the front of `rest` and returns the
/// `payload_len` bytes that follow it, cut off `rest`.
fn take_section<'o>(rest: &mut &'o mut [u8], id: u8, name: Option<&str>, payload_len: usize) -> &'o mut [u8] {
    let head = section_header(id, name, payload_len);
    take(rest, head.len()).copy_from_slice(&head);
    take(rest, payload_len)
}

/// Produces the module bytes: every section is sized first, then written
/// straight into one output buffer of exactly the module's size.
pub fn run(
    res: &Resolution<'_>,
    layout: &Layout,
    merged: &MergedModule,
    types: &TypeTable,
    opts: &EmitOptions,
) -> Result<Vec<u8>, EmitError> {
    run_with_layout(res, layout, merged, types, prepare(res, opts), opts).map(|(bytes, _)| bytes)
}

/// [`run`] with the work [`prepare`] did on the resolution alone (so that
/// it can run alongside layout, merge and type deduplication), also
/// describing where every section, function and data segment sits in the
/// file ([`FileLayout`], from the sizes computed before writing).
pub fn run_with_layout<'a>(
    res: &Resolution<'a>,
    layout: &Layout,
    merged: &MergedModule,
    types: &TypeTable,
    prepared: Prepared<'a>,
    opts: &EmitOptions,
) -> Result<(Vec<u8>, FileLayout), EmitError> {
    let Prepared { customs, function_names, global_names } = prepared;
    use SectionKind as K;
    let memory = memory_type(layout);
    let dylink = dynamic::needs_dylink(res).then(|| {
        let payload = dynamic::dylink_section(res, layout, &opts.rpath);
        let mut s = section_header(CUSTOM_SECTION, Some("dylink.0"), payload.len());
        s.extend(payload);
        s
    });
    let header_sections: Vec<(SectionKind, Vec<u8>)> = [
        (K::Custom("dylink.0".into()), dylink),
        (K::Type, type_section(types)?),
        (K::Import, import_section(layout, merged, types, opts, memory)?),
        (K::Function, function_section(types)),
        (K::Table, table_section(res, layout, merged)?),
        (K::Memory, memory_section(opts, memory)),
        (K::Tag, tag_section(merged, types)),
        (K::Global, global_section(res, layout, merged)?),
        (K::Export, export_section(merged)),
        (K::Start, start_section(merged)),
        (K::Element, element_section(layout, merged)?),
        (K::DataCount, data_count_section(layout)),
    ]
    .into_iter()
    .filter_map(|(kind, bytes)| Some((kind, bytes?)))
    .collect();
    // Planning the relocated sections and assembling the linker's own
    // custom sections (from the names `prepare` demangled) are independent.
    let (relocated, linker_customs) = rayon::join(
        || RelocatedPlan::new(res, layout, merged, types, customs, opts),
        || linker_custom_sections(res, layout, merged, &function_names, &global_names, opts),
    );
    let relocated = relocated?;
    // A feature conflict is reported after relocation errors, as before the
    // sections were presized; until then it just contributes no sections.
    let linker_sections: &[(&str, Vec<u8>)] = linker_customs.as_deref().unwrap_or(&[]);
    let reloc_sections = match &res.symtab {
        Some(symtab) if opts.output.keeps_relocations() => {
            relocated.linking_sections(res, layout, merged, types, symtab, header_sections.len())?
        }
        _ => Vec::new(),
    };

    let mut file = FileLayout::default();
    let mut at = MODULE_HEADER.len() as u64;
    for (kind, bytes) in &header_sections {
        // The generated sections start with their id and a size LEB.
        let header_len = 1 + bytes.iter().skip(1).position(|b| b & 0x80 == 0).map_or(0, |i| i as u64 + 1);
        file.sections.push(PlacedSection { kind: kind.clone(), offset: at, size: bytes.len() as u64, header_len });
        at += bytes.len() as u64;
    }
    at = relocated.describe(res, layout, at, &mut file);
    let custom_sections =
        reloc_sections.iter().map(|(n, p)| (n.as_ref(), p)).chain(linker_sections.iter().map(|(n, p)| (*n, p)));
    for (name, payload) in custom_sections {
        let size = section_len(CUSTOM_SECTION, Some(name), payload.len()) as u64;
        let header_len = size - payload.len() as u64 - (leb::len_u32(name.len() as u32) + name.len()) as u64;
        file.sections.push(PlacedSection { kind: K::Custom(name.to_string()), offset: at, size, header_len });
        at += size;
    }
    file.total_size = at;

    let total = MODULE_HEADER.len()
        + header_sections.iter().map(|(_, s)| s.len()).sum::<usize>()
        + relocated.len(res)
        + reloc_sections.iter().map(|(n, p)| section_len(CUSTOM_SECTION, Some(n), p.len())).sum::<usize>()
        + linker_sections.iter().map(|(n, p)| section_len(CUSTOM_SECTION, Some(n), p.len())).sum::<usize>();
    debug_assert_eq!(total as u64, file.total_size, "emit described the module wrong");
    let mut module = atom_layout::big_buffer::zeroed(total);
    let mut rest: &mut [u8] = &mut module;
    take(&mut rest, MODULE_HEADER.len()).copy_from_slice(MODULE_HEADER);
    for (_, s) in &header_sections {
        take(&mut rest, s.len()).copy_from_slice(s);
    }
    let relocated_out = take(&mut rest, relocated.len(res));
    // The sections built whole are copied into place alongside the
    // relocation work.
    let mut copies: Vec<(&[u8], &mut [u8])> = Vec::new();
    for (name, payload) in &reloc_sections {
        copies.push((payload, take_section(&mut rest, CUSTOM_SECTION, Some(name), payload.len())));
    }
    for (name, payload) in linker_sections {
        copies.push((payload, take_section(&mut rest, CUSTOM_SECTION, Some(name), payload.len())));
    }
    relocated.write(res, layout, merged, types, relocated_out, copies)?;
    linker_customs?;
    debug_assert!(rest.is_empty(), "emit sized the module wrong");
    opts.build_id.fill(&mut module).map_err(|e| EmitError::BuildId(e.to_string()))?;
    Ok((module, file))
}

/// The memory's limits, whether it is defined or imported.
fn memory_type(layout: &Layout) -> enc::MemoryType {
    enc::MemoryType {
        minimum: layout.memory.initial_pages,
        maximum: layout.memory.max_pages,
        memory64: layout.memory.memory64,
        shared: layout.memory.shared,
        page_size_log2: layout.memory.page_size_log2,
    }
}

/// The type section (one entry per deduplicated signature), if any type.
fn type_section(types: &TypeTable) -> Result<Option<Vec<u8>>, EmitError> {
    let mut ts = enc::TypeSection::new();
    for s in &types.types {
        let (p, r) = sig_types(s)?;
        ts.ty().function(p, r);
    }
    Ok((!types.types.is_empty()).then(|| encoded(&ts)))
}

/// The import section: the memory (`--import-memory`) first, then the
/// indirect function table (`--import-table`), then the symbols' imports.
fn import_section(
    layout: &Layout,
    merged: &MergedModule,
    types: &TypeTable,
    opts: &EmitOptions,
    memory: enc::MemoryType,
) -> Result<Option<Vec<u8>>, EmitError> {
    let mut is = enc::ImportSection::new();
    if opts.import_memory {
        is.import(&opts.memory_import.0, &opts.memory_import.1, memory);
    }
    let table = || {
        let n = layout.table.size() as u64;
        table_ty(object_parse::TableType {
            element_type: object_parse::RefType::FUNCREF,
            table64: layout.memory.memory64,
            initial: n,
            maximum: None,
            shared: false,
        })
    };
    if merged.import_table && !merged.table_import_late {
        is.import("env", "__indirect_function_table", table()?);
    }
    let mut fimp = types.import_function_types.iter();
    let mut timp = types.tag_types.iter();
    let symbol_imports = merged.imports.len() - layout.table.got_imports.len();
    for (k, imp) in merged.imports.iter().enumerate() {
        if k == symbol_imports && merged.table_import_late {
            is.import("env", "__indirect_function_table", table()?);
        }
        let ty: enc::EntityType = match &imp.kind {
            OutputImportKind::Function(_) => {
                enc::EntityType::Function(*fimp.next().ok_or(EmitError::MissingImportType)?)
            }
            OutputImportKind::Global(g) => enc::EntityType::Global(global_ty(*g)?),
            OutputImportKind::Table(t) => enc::EntityType::Table(table_ty(*t)?),
            OutputImportKind::Tag(_) => enc::EntityType::Tag(enc::TagType {
                kind: enc::TagKind::Exception,
                func_type_idx: *timp.next().ok_or(EmitError::MissingTagType)?,
            }),
        };
        is.import(&imp.module, &imp.field, ty);
    }
    if merged.table_import_late && layout.table.got_imports.is_empty() {
        is.import("env", "__indirect_function_table", table()?);
    }
    Ok((!is.is_empty()).then(|| encoded(&is)))
}

/// The function section: the type of each defined output function.
fn function_section(types: &TypeTable) -> Option<Vec<u8>> {
    let mut fs = enc::FunctionSection::new();
    for t in &types.function_types {
        fs.function(*t);
    }
    (!fs.is_empty()).then(|| encoded(&fs))
}

/// The table section: the defined tables.
fn table_section(res: &Resolution<'_>, layout: &Layout, merged: &MergedModule) -> Result<Option<Vec<u8>>, EmitError> {
    let mut tabs = enc::TableSection::new();
    for t in &merged.tables {
        tabs.table(table_ty(table_type(res, layout, t))?);
    }
    Ok((!tabs.is_empty()).then(|| encoded(&tabs)))
}

/// The memory section, unless the memory is imported.
fn memory_section(opts: &EmitOptions, memory: enc::MemoryType) -> Option<Vec<u8>> {
    (!opts.import_memory).then(|| {
        let mut ms = enc::MemorySection::new();
        ms.memory(memory);
        encoded(&ms)
    })
}

/// The tag section: the defined tags (their types are the last
/// `merged.tags.len()` entries of `types.tag_types`).
fn tag_section(merged: &MergedModule, types: &TypeTable) -> Option<Vec<u8>> {
    (!merged.tags.is_empty()).then(|| {
        let mut tags = enc::TagSection::new();
        for t in &types.tag_types[types.tag_types.len() - merged.tags.len()..] {
            tags.tag(enc::TagType { kind: enc::TagKind::Exception, func_type_idx: *t });
        }
        encoded(&tags)
    })
}

/// The global section: synthetic globals initialised from the layout, input
/// globals with their own init expressions, data addresses as constants.
fn global_section(res: &Resolution<'_>, layout: &Layout, merged: &MergedModule) -> Result<Option<Vec<u8>>, EmitError> {
    let mut gs = enc::GlobalSection::new();
    for g in &merged.globals {
        let ty = global_ty(global_type(res, merged, g))?;
        let address = |v: u64| address_const(layout, v);
        let init = match g {
            OutputGlobal::Synthetic(SyntheticGlobal::StackPointer) => address(layout.stack_pointer),
            // With shared memory each thread's `__wasm_init_tls` (and, for
            // the main thread, `__wasm_init_memory`) sets it.
            OutputGlobal::Synthetic(SyntheticGlobal::TlsBase) if merged.shared_memory => address(0),
            OutputGlobal::Synthetic(SyntheticGlobal::TlsBase) => address(layout.tls.map_or(0, |t| t.0)),
            OutputGlobal::Synthetic(SyntheticGlobal::TlsSize) => address(layout.tls.map_or(0, |t| t.1)),
            OutputGlobal::Synthetic(SyntheticGlobal::TlsAlign) => {
                // wasm-ld's initial 0 stays when there is no `.tdata`.
                address(layout.tls.map_or(0, |t| t.2))
            }
            OutputGlobal::Input { obj, index } => {
                let e = res.objects[obj.0 as usize].globals[*index as usize].init_expr;
                enc::ConstExpr::raw(e[..e.len().saturating_sub(1)].iter().copied())
            }
            OutputGlobal::DataAddress { address: a, .. } => address(*a),
            OutputGlobal::Got { entry, .. } => address(got_value(layout, merged, *entry)?),
        };
        gs.global(ty, &init);
    }
    Ok((!gs.is_empty()).then(|| encoded(&gs)))
}

/// A constant of the memory's address type: `i64.const` in a 64-bit
/// memory, else `i32.const` (the value wrapped to 32 bits).
fn address_const(layout: &Layout, v: u64) -> enc::ConstExpr {
    if layout.memory.memory64 {
        enc::ConstExpr::i64_const(v as i64)
    } else {
        enc::ConstExpr::i32_const(v as u32 as i32)
    }
}

/// The value a GOT entry holds: its function's table slot or its data
/// address (with shared memory, a thread-local symbol's offset from
/// `__tls_base`, to which `__wasm_apply_global_tls_relocs` adds the base).
fn got_value(layout: &Layout, merged: &MergedModule, entry: u32) -> Result<u64, EmitError> {
    let got = layout.table.got.get(entry as usize);
    let value = match got.map(|e| &e.target) {
        Some(symbol_resolve::Target::Function(f)) => layout.table.slot_of.get(f).map(|&s| u64::from(s)),
        Some(symbol_resolve::Target::Data(d)) => layout.data_address(d),
        _ => None,
    };
    let tls_base = match (got.is_some_and(|g| g.tls) && merged.shared_memory, layout.tls) {
        (true, Some((base, _, _))) => base,
        _ => 0,
    };
    value.map(|v| v.wrapping_sub(tls_base)).ok_or(EmitError::GotEntryWithoutValue(entry))
}

/// The export section.
fn export_section(merged: &MergedModule) -> Option<Vec<u8>> {
    let mut es = enc::ExportSection::new();
    for e in &merged.exports {
        let kind = match e.kind {
            ExportKind::Function => enc::ExportKind::Func,
            ExportKind::Global => enc::ExportKind::Global,
            ExportKind::Table => enc::ExportKind::Table,
            ExportKind::Memory => enc::ExportKind::Memory,
            ExportKind::Tag => enc::ExportKind::Tag,
        };
        es.export(&e.name, kind, e.index);
    }
    (!es.is_empty()).then(|| encoded(&es))
}

/// The start section: `__wasm_init_memory`, when written.
fn start_section(merged: &MergedModule) -> Option<Vec<u8>> {
    merged.start.map(|f| encoded(&enc::StartSection { function_index: f.0 }))
}

/// The data count section, which `memory.init` and `data.drop` need: written
/// with shared memory, as wasm-ld does, when any segment is.
fn data_count_section(layout: &Layout) -> Option<Vec<u8>> {
    let count = layout.segments.iter().filter(|s| s.in_binary).count() as u32;
    (layout.memory.shared && count > 0).then(|| encoded(&enc::DataCountSection { count }))
}

/// The element section: one active segment filling the indirect function
/// table from `layout.table.base` (in position-independent output, from
/// `__table_base`; in a 64-bit table, an i64 offset).
fn element_section(layout: &Layout, merged: &MergedModule) -> Result<Option<Vec<u8>>, EmitError> {
    if merged.table_elements.is_empty() {
        return Ok(None);
    }
    let mut el = enc::ElementSection::new();
    let offset = match merged.pic {
        Some(_) => enc::ConstExpr::global_get(
            merged.imported_global("__table_base").ok_or(EmitError::MissingLoaderGlobal("__table_base"))?.0,
        ),
        None => address_const(layout, u64::from(layout.table.base)),
    };
    let table = merged.indirect_table.filter(|&t| t != 0);
    el.active(table, &offset, enc::Elements::Functions(merged.table_elements.iter().map(|f| f.0).collect()));
    Ok(Some(encoded(&el)))
}

/// `--compress-relocations`: every input function relocated now, its LEB
/// fields shortened (in parallel), so the code section's size is known.
fn compress_functions(
    ctx: &relocate::RelocContext<'_, '_>,
    merged: &MergedModule,
    chunks: &mut [code::FuncChunk<'_>],
) -> Result<(), EmitError> {
    use rayon::prelude::*;
    chunks.par_iter_mut().zip(merged.functions.par_iter()).try_for_each(|(chunk, f)| {
        if let section_merge::OutputFunction::Input { obj, index } = f {
            let (bytes, prefix_len) = compress::compressed_function(ctx, *obj, index.index())?;
            *chunk = code::FuncChunk::Relocated { bytes, prefix_len };
        }
        Ok(())
    })
}

/// The sections built from input bytes with relocations applied (code,
/// data, input custom sections), planned so their sizes are known before
/// anything is written.
struct RelocatedPlan<'r, 'a> {
    /// Each output function's chunk.
    chunks: Vec<code::FuncChunk<'a>>,
    /// Per object, per defined function: its body's offset in the code payload.
    code_offsets: Vec<Vec<Option<u64>>>,
    /// The output segments written to the data section.
    segments: Vec<&'r atom_layout::OutputSegment>,
    /// The kept input custom sections, merged by name.
    customs: custom::CustomPlan,
    /// How active segments give their address (`__memory_base` in
    /// position-independent output, `i64.const` in a 64-bit memory).
    offsets: data::OffsetForm,
}

impl<'r, 'a> RelocatedPlan<'r, 'a> {
    /// Plans the sections from the stage outputs.
    fn new(
        res: &Resolution<'a>,
        layout: &'r Layout,
        merged: &MergedModule,
        types: &TypeTable,
        customs: custom::CustomPlan,
        opts: &EmitOptions,
    ) -> Result<Self, EmitError> {
        // The relocations applied before the code is laid out (data ones
        // for `__wasm_apply_data_relocs`, code ones for
        // `--compress-relocations`) never need code or custom section
        // offsets.
        let no_strings = rustc_hash::FxHashMap::default();
        let early = relocate::RelocContext {
            res,
            layout,
            merged,
            types,
            code_offsets: &[],
            custom_offsets: &[],
            custom_strings: &no_strings,
        };
        let apply_data_relocs = match merged.apply_data_relocs {
            Some(_) => Some(dynamic::apply_data_relocs_body(&early)?),
            None => None,
        };
        let mut chunks = code::chunks(res, layout, merged, apply_data_relocs)?;
        if opts.compress_relocations {
            compress_functions(&early, merged, &mut chunks)?;
        }
        let code_offsets = code::body_offsets(res, merged, &chunks);
        let memory_base = match merged.pic {
            Some(_) => {
                Some(merged.imported_global("__memory_base").ok_or(EmitError::MissingLoaderGlobal("__memory_base"))?.0)
            }
            None => None,
        };
        Ok(RelocatedPlan {
            chunks,
            code_offsets,
            segments: data::emitted_segments(layout),
            customs,
            offsets: data::OffsetForm { memory_base, memory64: layout.memory.memory64 },
        })
    }

    /// Payload length of the code section, if it is written (any function).
    fn code_len(&self) -> Option<usize> {
        (!self.chunks.is_empty()).then(|| code::payload_len(&self.chunks))
    }

    /// Payload length of the data section, if it is written (any segment).
    fn data_len(&self) -> Option<usize> {
        (!self.segments.is_empty()).then(|| data::payload_len(&self.segments, self.offsets))
    }

    /// The `linking` and `reloc.*` sections of an output that keeps its
    /// relocations; `first_index` is the index of the first of these
    /// planned sections (code, data, customs) among all sections.
    fn linking_sections(
        &self,
        res: &Resolution<'_>,
        layout: &Layout,
        merged: &MergedModule,
        types: &TypeTable,
        symtab: &symbol_resolve::OutputSymbols,
        first_index: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, EmitError> {
        let mut next = first_index as u32;
        let mut index_if = |present: bool| {
            present.then(|| {
                next += 1;
                next - 1
            })
        };
        let code_section = index_if(self.code_len().is_some());
        let data_section = index_if(self.data_len().is_some());
        let custom_sections = self.customs.sections.iter().filter_map(|_| index_if(true)).collect();
        let place = linking::Placement {
            code_section,
            data_section,
            custom_sections,
            code_offsets: &self.code_offsets,
            segments: &self.segments,
            segment_offsets: data::body_offsets(&self.segments, self.offsets),
            customs: &self.customs.sections,
            custom_offsets: &self.customs.offsets,
        };
        linking::Inputs { res, layout, merged, types, symtab, place }.sections()
    }

    /// Length of all these sections, headers included.
    fn len(&self, res: &Resolution<'_>) -> usize {
        self.code_len().map_or(0, |n| section_len(CODE_SECTION, None, n))
            + self.data_len().map_or(0, |n| section_len(DATA_SECTION, None, n))
            + (self.customs.sections.iter())
                .map(|(name, pieces)| {
                    section_len(CUSTOM_SECTION, Some(name), custom::section_len(res, &self.customs, name, pieces))
                })
                .sum::<usize>()
    }

    /// Adds these sections, starting at file offset `at`, to `file`
    /// (sections, function chunks, data segments); returns the offset after
    /// them.
    fn describe(&self, res: &Resolution<'_>, layout: &Layout, mut at: u64, file: &mut FileLayout) -> u64 {
        let mut place = |kind: SectionKind, id: u8, name: Option<&str>, payload_len: usize| {
            let size = section_len(id, name, payload_len) as u64;
            let name_len = name.map_or(0, |n| leb::len_u32(n.len() as u32) + n.len()) as u64;
            file.sections.push(PlacedSection {
                kind,
                offset: at,
                size,
                header_len: size - payload_len as u64 - name_len,
            });
            at += size;
        };
        if let Some(n) = self.code_len() {
            place(SectionKind::Code, CODE_SECTION, None, n);
        }
        if let Some(n) = self.data_len() {
            place(SectionKind::Data, DATA_SECTION, None, n);
        }
        for (name, pieces) in &self.customs.sections {
            place(
                SectionKind::Custom(name.clone()),
                CUSTOM_SECTION,
                Some(name),
                custom::section_len(res, &self.customs, name, pieces),
            );
        }
        file.functions = code::placements(&self.chunks);
        file.segments = data::placements(layout, &self.segments, self.offsets);
        at
    }

    /// Writes the sections into `out` ([`Self::len`] bytes, zeroed): the
    /// headers in order, then every input chunk (functions, data segments,
    /// custom pieces) copied once into its slot and relocated there, in
    /// parallel, along with the `copies` (whole sections built elsewhere,
    /// into their slots after `out`). Errors are reported code first, then
    /// data, then custom sections.
    fn write<'o>(
        &'o self,
        res: &Resolution<'_>,
        layout: &Layout,
        merged: &MergedModule,
        types: &TypeTable,
        mut out: &'o mut [u8],
        mut copies: Vec<(&'o [u8], &'o mut [u8])>,
    ) -> Result<(), EmitError> {
        use rayon::prelude::*;
        let code_out = self.code_len().map(|n| take_section(&mut out, CODE_SECTION, None, n));
        let data_out = self.data_len().map(|n| take_section(&mut out, DATA_SECTION, None, n));
        let mut custom_slots = Vec::new();
        for (name, pieces) in &self.customs.sections {
            let len = custom::section_len(res, &self.customs, name, pieces);
            let payload = take_section(&mut out, CUSTOM_SECTION, Some(name), len);
            if let Some(blob) = self.customs.merged.get(name) {
                // Merged strings: no relocations, written whole.
                copies.push((blob, payload));
                continue;
            }
            let slots = custom::piece_slots(res, name, pieces, payload);
            custom_slots.extend(
                slots.into_iter().zip(pieces).map(|(slot, piece)| custom::Job::Relocate(name.as_str(), *piece, slot)),
            );
        }
        // Large copies in slices, so that no one job holds up the others.
        const COPY_SLICE: usize = 1 << 20;
        for (from, to) in copies {
            custom_slots
                .extend(from.chunks(COPY_SLICE).zip(to.chunks_mut(COPY_SLICE)).map(|(f, t)| custom::Job::Copy(f, t)));
        }
        let ctx = relocate::RelocContext {
            res,
            layout,
            merged,
            types,
            code_offsets: &self.code_offsets,
            custom_offsets: &self.customs.offsets,
            custom_strings: &self.customs.string_pieces,
        };
        let (code, (data, customs)) = rayon::join(
            || code_out.map_or(Ok(()), |out| code::write_payload(&ctx, &self.chunks, out)),
            || {
                rayon::join(
                    || data_out.map_or(Ok(()), |out| data::write_payload(&ctx, &self.segments, self.offsets, out)),
                    || {
                        // One job per piece: pieces differ in size by orders
                        // of magnitude, and rayon's default split (a few
                        // chunks per thread) leaves one thread relocating a
                        // run of large `.debug_info` pieces while the other
                        // idles.
                        custom_slots.into_par_iter().with_max_len(1).try_for_each(|job| job.run(&ctx))
                    },
                )
            },
        );
        code?;
        data?;
        customs
    }
}

/// Whether the linker-written custom section `name` is kept by the strip
/// options.
fn keeps_linker_section(opts: &EmitOptions, name: &str) -> bool {
    !opts.custom.strip_all || opts.custom.keep.iter().any(|k| k == name)
}

/// The linker-written custom sections, in order: `name`, `producers`,
/// `target_features` (each when non-empty and not stripped). Fails when
/// the inputs' features conflict.
fn linker_custom_sections(
    res: &Resolution<'_>,
    layout: &Layout,
    merged: &MergedModule,
    function_names: &[Vec<Option<String>>],
    global_names: &[Vec<Option<&str>>],
    opts: &EmitOptions,
) -> Result<Vec<(&'static str, Vec<u8>)>, EmitError> {
    let mut out = Vec::new();
    if keeps_linker_section(opts, "name") {
        let data_names: Vec<String> = layout.segments.iter().filter(|s| s.in_binary).map(|s| s.name.clone()).collect();
        let names = custom::name_section(
            res,
            merged,
            function_names,
            global_names,
            &data_names,
            opts.module_name.as_deref(),
            opts.demangle,
        );
        if !names.is_empty() {
            out.push(("name", names));
        }
    }
    if keeps_linker_section(opts, "producers") {
        if let Some(p) = custom::producers_section(res) {
            out.push(("producers", p));
        }
    }
    if let Some(tf) = custom::target_features_section(
        res,
        opts.check_features,
        opts.features.as_deref(),
        &opts.extra_features,
        opts.shared_memory,
    )? {
        if keeps_linker_section(opts, "target_features") {
            out.push(("target_features", tf));
        }
    }
    // Last, so that its placeholder is the module's last bytes.
    if let Some(placeholder) = opts.build_id.placeholder() {
        out.push(("build_id", placeholder));
    }
    Ok(out)
}

/// Checks before linking that the output can be created, so a bad `-o`
/// fails fast (as wasm-ld does) instead of after the whole link.
pub fn check_output_path(path: &Path) -> std::io::Result<()> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_dir() {
            return Err(std::io::Error::other("is a directory"));
        }
        if !meta.is_file() {
            // Devices and pipes are opened once, when the module is written:
            // opening a pipe here would signal end-of-file to its reader.
            return Ok(());
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let probe = dir.join(format!(".wasmlink-probe-{}", std::process::id()));
    std::fs::File::create(&probe)?;
    std::fs::remove_file(&probe)
}

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, so `path` never holds a partial module.
///
/// When `path` is an existing regular file with a single link (the previous
/// output of a rebuild), its file is reused, as mold does: renamed to the
/// temporary name, overwritten, cut to size and renamed back. A fresh file
/// would cost the kernel a new page-cache page for every byte written, and
/// replacing the old one would free all of its pages during the rename
/// (tens of milliseconds for a module of tens of MB). This runs only after
/// a successful link; an I/O error while writing loses the old output, as
/// its bytes are already overwritten. Otherwise a new file is created, and on
/// failure nothing is left behind and an existing `path` is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)?;
        return out.flush();
    }
    // Devices and pipes (`-o /dev/null`) are written in place: renaming over
    // them would replace the device node.
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_dir() {
            return Err(std::io::Error::other("is a directory"));
        }
        if !meta.is_file() {
            return std::fs::OpenOptions::new().write(true).open(path)?.write_all(bytes);
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let file_name = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{file_name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut f = match reuse_old_output(path, &tmp) {
            Some(f) => f,
            None => std::fs::File::create(&tmp)?,
        };
        f.write_all(bytes)?;
        // A reused file may be longer than the new module.
        f.set_len(bytes.len() as u64)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o755))?;
        }
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The previous output at `path`, moved to `tmp` and opened for writing
/// (see [`write_atomic`]); `None` when there is none or it cannot be reused
/// (not a regular file, several hard links, not writable), leaving `path`
/// as it was.
fn reuse_old_output(path: &Path, tmp: &Path) -> Option<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !meta.file_type().is_file() || meta.nlink() != 1 {
            return None;
        }
        // Opened before the rename: a file we may not write stays in place.
        let f = std::fs::OpenOptions::new().write(true).open(path).ok()?;
        std::fs::rename(path, tmp).ok()?;
        Some(f)
    }
    #[cfg(not(unix))]
    {
        let _ = (path, tmp);
        None
    }
}
