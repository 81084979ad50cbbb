//! # emit: all stage outputs → module bytes → output file
//!
//! Last stage. Sizes every section, then writes the module: small sections
//! through wasm-encoder; code, data and custom-section atoms copied straight
//! from the inputs into presized buffers in parallel (rayon), never
//! re-encoding function bodies, with every relocation patched in place at
//! its fixed width. Sections are in spec order, followed by the input custom
//! sections, `name`, `producers` and `target_features`. [`write_atomic`]
//! writes through a temporary file and a rename, so a failed link never
//! leaves a partial output and never destroys an existing one.

mod code;
mod custom;
mod data;
pub mod dump;
mod error;
mod leb;
pub mod relocate;

pub use custom::CustomPolicy;
pub use error::{EmitError, PatchError, UnresolvableTarget};

use atom_layout::Layout;
use section_merge::{global_type, table_type, ExportKind, MergedModule, OutputGlobal};
use std::path::Path;
use symbol_resolve::{ImportKind, Resolution, SyntheticGlobal};
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

fn push_section(module: &mut Vec<u8>, id: u8, payload: &[u8]) {
    module.push(id);
    leb::write_u32(module, payload.len() as u32);
    module.extend_from_slice(payload);
}

fn push_custom(module: &mut Vec<u8>, name: &str, payload: &[u8]) {
    let mut head = Vec::new();
    leb::write_u32(&mut head, name.len() as u32);
    head.extend_from_slice(name.as_bytes());
    module.push(0);
    leb::write_u32(module, (head.len() + payload.len()) as u32);
    module.extend_from_slice(&head);
    module.extend_from_slice(payload);
}

fn encoded<S: enc::Section>(s: &S) -> Vec<u8> {
    let mut v = vec![s.id()];
    enc::Encode::encode(s, &mut v);
    v
}

/// Output custom sections: (name, payload).
type NamedPayloads = Vec<(String, Vec<u8>)>;

/// Produces the module bytes.
pub fn run(
    res: &Resolution<'_>,
    layout: &Layout,
    merged: &MergedModule,
    types: &TypeTable,
    opts: &EmitOptions,
) -> Result<Vec<u8>, EmitError> {
    let mut module: Vec<u8> = Vec::new();
    module.extend_from_slice(b"\0asm\x01\0\0\0");
    let memory = memory_type(layout);
    let header_sections = [
        type_section(types)?,
        import_section(res, layout, merged, types, opts, memory)?,
        function_section(types),
        table_section(res, layout, merged)?,
        memory_section(opts, memory),
        tag_section(merged, types),
        global_section(res, layout, merged)?,
        export_section(merged),
        element_section(layout, merged),
    ];
    for section in header_sections.into_iter().flatten() {
        module.extend(section);
    }
    let relocated = relocated_sections(res, layout, merged, types, opts)?;
    if let Some(code) = &relocated.code {
        push_section(&mut module, 10, code);
    }
    if let Some(data) = &relocated.data {
        push_section(&mut module, 11, data);
    }
    for (name, bytes) in &relocated.customs {
        push_custom(&mut module, name, bytes);
    }
    for (name, bytes) in &linker_custom_sections(res, layout, merged, opts)? {
        push_custom(&mut module, name, bytes);
    }
    Ok(module)
}

/// The memory's limits, whether it is defined or imported.
fn memory_type(layout: &Layout) -> enc::MemoryType {
    enc::MemoryType {
        minimum: layout.memory.initial_pages,
        maximum: layout.memory.max_pages,
        memory64: false,
        shared: false,
        page_size_log2: None,
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
    res: &Resolution<'_>,
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
    if merged.import_table {
        let n = layout.table.size() as u64;
        let ty = object_parse::TableType {
            element_type: object_parse::RefType::FUNCREF,
            table64: false,
            initial: n,
            maximum: None,
            shared: false,
        };
        is.import("env", "__indirect_function_table", table_ty(ty)?);
    }
    let mut fimp = types.import_function_types.iter();
    let mut timp = types.tag_types.iter();
    for imp in &res.imports {
        let ty: enc::EntityType = match &imp.kind {
            ImportKind::Function(_) => enc::EntityType::Function(*fimp.next().ok_or(EmitError::MissingImportType)?),
            ImportKind::Global(g) => enc::EntityType::Global(global_ty(*g)?),
            ImportKind::Table(t) => enc::EntityType::Table(table_ty(*t)?),
            ImportKind::Tag(_) => enc::EntityType::Tag(enc::TagType {
                kind: enc::TagKind::Exception,
                func_type_idx: *timp.next().ok_or(EmitError::MissingTagType)?,
            }),
        };
        is.import(&imp.module, &imp.field, ty);
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
        let ty = global_ty(global_type(res, g))?;
        let init = match g {
            OutputGlobal::Synthetic(SyntheticGlobal::StackPointer) => {
                enc::ConstExpr::i32_const(layout.stack_pointer as u32 as i32)
            }
            OutputGlobal::Synthetic(SyntheticGlobal::TlsBase) => {
                enc::ConstExpr::i32_const(layout.tls.map_or(0, |t| t.0) as u32 as i32)
            }
            OutputGlobal::Synthetic(SyntheticGlobal::TlsSize) => {
                enc::ConstExpr::i32_const(layout.tls.map_or(0, |t| t.1) as u32 as i32)
            }
            OutputGlobal::Synthetic(SyntheticGlobal::TlsAlign) => {
                enc::ConstExpr::i32_const(layout.tls.map_or(1, |t| t.2) as u32 as i32)
            }
            OutputGlobal::Input { obj, index } => {
                let e = res.objects[obj.0 as usize].globals[*index as usize].init_expr;
                enc::ConstExpr::raw(e[..e.len().saturating_sub(1)].iter().copied())
            }
            OutputGlobal::DataAddress { address, .. } => enc::ConstExpr::i32_const(*address as u32 as i32),
        };
        gs.global(ty, &init);
    }
    Ok((!gs.is_empty()).then(|| encoded(&gs)))
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

/// The element section: one active segment filling the indirect function
/// table from `layout.table.base`.
fn element_section(layout: &Layout, merged: &MergedModule) -> Option<Vec<u8>> {
    (!merged.table_elements.is_empty()).then(|| {
        let mut el = enc::ElementSection::new();
        let offset = enc::ConstExpr::i32_const(layout.table.base as i32);
        let table = merged.indirect_table.filter(|&t| t != 0);
        el.active(table, &offset, enc::Elements::Functions(merged.table_elements.as_slice().into()));
        encoded(&el)
    })
}

/// Payloads of the sections built from input bytes with relocations applied.
struct RelocatedSections {
    /// The code section payload, if any function.
    code: Option<Vec<u8>>,
    /// The data section payload, if any segment is written.
    data: Option<Vec<u8>>,
    /// The kept input custom sections, merged by name.
    customs: NamedPayloads,
}

/// Builds the code section, the data section and the input custom sections
/// in parallel, each input chunk copied into its slot and relocated there.
fn relocated_sections(
    res: &Resolution<'_>,
    layout: &Layout,
    merged: &MergedModule,
    types: &TypeTable,
    opts: &EmitOptions,
) -> Result<RelocatedSections, EmitError> {
    let chunks = code::chunks(res, merged);
    let code_offsets = code::body_offsets(res, merged, &chunks);
    let customs = custom::plan(res, &opts.custom);
    let ctx = relocate::RelocContext {
        res,
        layout,
        merged,
        types,
        code_offsets: &code_offsets,
        custom_offsets: &customs.offsets,
    };
    let (code_payload, data_result, custom_payloads): (Vec<u8>, (Vec<u8>, u32), NamedPayloads) = {
        let (a, (b, c)) = rayon::join(
            || code::payload(&ctx, &chunks),
            || {
                rayon::join(
                    || data::payload(&ctx, opts.import_memory),
                    || {
                        use rayon::prelude::*;
                        let list: Vec<(&String, &Vec<(symbol_resolve::ObjectId, u32)>)> =
                            customs.sections.iter().collect();
                        list.into_par_iter()
                            .map(|(name, pieces)| custom::section_bytes(&ctx, name, pieces).map(|b| (name.clone(), b)))
                            .collect::<Result<Vec<_>, _>>()
                    },
                )
            },
        );
        (a?, b?, c?)
    };
    let (data_payload, data_count) = data_result;
    Ok(RelocatedSections {
        code: (!chunks.is_empty()).then_some(code_payload),
        data: (data_count > 0).then_some(data_payload),
        customs: custom_payloads,
    })
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
    opts: &EmitOptions,
) -> Result<Vec<(&'static str, Vec<u8>)>, EmitError> {
    let mut out = Vec::new();
    if keeps_linker_section(opts, "name") {
        let data_names: Vec<String> = layout
            .segments
            .iter()
            .filter(|s| data::is_emitted(s, opts.import_memory))
            .map(|s| s.name.clone())
            .collect();
        let names = custom::name_section(res, merged, &data_names);
        if !names.is_empty() {
            out.push(("name", names));
        }
    }
    if keeps_linker_section(opts, "producers") {
        if let Some(p) = custom::producers_section(res) {
            out.push(("producers", p));
        }
    }
    if let Some(tf) =
        custom::target_features_section(res, opts.check_features, opts.features.as_deref(), &opts.extra_features)?
    {
        if keeps_linker_section(opts, "target_features") {
            out.push(("target_features", tf));
        }
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

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, then a rename. On failure nothing is left behind and an
/// existing `path` is untouched.
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
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
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
