//! One relocatable wasm object, parsed into a typed IR that borrows the input
//! bytes: function bodies, data and custom sections stay slices of the mmap.

use crate::error::{RawError, RawResult};
use crate::linking::{parse_linking, ComdatKind, ImportNames, Linking, SegmentInfo, Symbol, SymbolKind};
use crate::reloc::{parse_reloc_section, Reloc, RelocTarget};
use std::ops::Range;
use wasmparser::{Parser, Payload, TypeRef};

pub use wasmparser::{FuncType, GlobalType, MemoryType, RefType, TableType, ValType};

/// A function signature, owned and hashable, so types can be deduplicated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signature {
    /// Parameter types.
    pub params: Box<[ValType]>,
    /// Result types.
    pub results: Box<[ValType]>,
}

impl std::fmt::Display for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |v: &[ValType]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
        let results = if self.results.is_empty() { "void".to_string() } else { list(&self.results) };
        write!(f, "({}) -> {}", list(&self.params), results)
    }
}

/// What an import brings in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ImportKind {
    /// A function with the given type index.
    Function(u32),
    /// A table.
    Table(TableType),
    /// A linear memory (`env.__linear_memory` in objects).
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
    /// A tag with the given type index.
    Tag(u32),
}

/// An import of the object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Import<'a> {
    /// Module name.
    pub module: &'a str,
    /// Field name.
    pub field: &'a str,
    /// What is imported.
    pub kind: ImportKind,
}

/// A defined function: its type and its body chunk.
#[derive(Debug, Clone)]
pub struct Function<'a> {
    /// Index into the object's type section.
    pub type_index: u32,
    /// The chunk as stored: size prefix followed by locals and code.
    pub chunk: &'a [u8],
    /// Offset of `chunk` within the code section payload.
    pub section_offset: u32,
    /// Length of the size prefix inside `chunk`.
    pub size_prefix_len: u32,
    /// The relocations that patch this chunk (range into `ObjectFile::code_relocs`).
    pub relocs: Range<usize>,
}

/// A defined global.
#[derive(Debug, Clone, Copy)]
pub struct Global<'a> {
    /// Value type and mutability.
    pub ty: GlobalType,
    /// Init expression bytes including the final `end`.
    pub init_expr: &'a [u8],
}

/// A data segment with its linking info.
#[derive(Debug, Clone)]
pub struct DataSegment<'a> {
    /// The segment's bytes.
    pub data: &'a [u8],
    /// Offset of `data` within the data section payload.
    pub section_offset: u32,
    /// Name, alignment and flags from the linking section.
    pub info: SegmentInfo<'a>,
    /// Relocations patching `data` (range into `ObjectFile::data_relocs`).
    pub relocs: Range<usize>,
    /// Whether the segment is passive.
    pub passive: bool,
}

/// A custom section other than `linking`, `reloc.*`, `name`, `producers`
/// and `target_features`.
#[derive(Debug, Clone)]
pub struct CustomSection<'a> {
    /// The section name.
    pub name: &'a str,
    /// The payload after the name.
    pub data: &'a [u8],
    /// Index of this section among all sections of the object.
    pub section_index: u32,
    /// Relocations patching `data`.
    pub relocs: Vec<Reloc>,
}

/// One `target_features` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feature<'a> {
    /// `+` used, `-` disallowed, `=` required.
    pub prefix: u8,
    /// Feature name.
    pub name: &'a str,
}

/// One `producers` field (`language`, `processed-by`, `sdk`) with its
/// name/version pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerField<'a> {
    /// Field name.
    pub name: &'a str,
    /// (name, version) pairs.
    pub values: Vec<(&'a str, &'a str)>,
}

/// A parsed relocatable object.
#[derive(Debug, Clone)]
pub struct ObjectFile<'a> {
    /// Display name: `path` or `archive.a(member.o)`.
    pub name: String,
    /// Signatures of the type section.
    pub types: Vec<Signature>,
    /// Imports, in order.
    pub imports: Vec<Import<'a>>,
    /// Number of imported functions (function index space starts with them).
    pub num_imported_functions: u32,
    /// Number of imported globals.
    pub num_imported_globals: u32,
    /// Number of imported tables.
    pub num_imported_tables: u32,
    /// Number of imported tags.
    pub num_imported_tags: u32,
    /// Defined functions.
    pub functions: Vec<Function<'a>>,
    /// Defined tables.
    pub tables: Vec<TableType>,
    /// Defined globals.
    pub globals: Vec<Global<'a>>,
    /// Defined tags (type indices).
    pub tags: Vec<u32>,
    /// Data segments.
    pub segments: Vec<DataSegment<'a>>,
    /// Custom sections kept for the output (debug info and others).
    pub customs: Vec<CustomSection<'a>>,
    /// Symbol table, init functions, comdats.
    pub linking: Linking<'a>,
    /// Relocations of the code section, sorted by offset.
    pub code_relocs: Vec<Reloc>,
    /// Relocations of the data section, sorted by offset.
    pub data_relocs: Vec<Reloc>,
    /// `target_features` entries.
    pub features: Vec<Feature<'a>>,
    /// `producers` fields.
    pub producers: Vec<ProducerField<'a>>,
    /// Function exports of the object (`export_name`): (name, function index).
    pub function_exports: Vec<(&'a str, u32)>,
    /// Type index of each imported function, by function index (so lookups
    /// do not scan the import list).
    pub imported_function_types: Vec<u32>,
}

impl<'a> ObjectFile<'a> {
    /// Type index of function `index` (import or definition) of this object.
    pub fn function_type(&self, index: u32) -> Option<u32> {
        if index < self.num_imported_functions {
            self.imported_function_types.get(index as usize).copied()
        } else {
            self.functions.get((index - self.num_imported_functions) as usize).map(|f| f.type_index)
        }
    }

    /// Signature of function `index` of this object.
    pub fn function_signature(&self, index: u32) -> Option<&Signature> {
        self.function_type(index).and_then(|t| self.types.get(t as usize))
    }

    /// The import of kind-index `index` among imports matching `pick`.
    pub fn nth_import(&self, index: u32, pick: impl Fn(&ImportKind) -> bool) -> Option<&Import<'a>> {
        self.imports.iter().filter(|i| pick(&i.kind)).nth(index as usize)
    }

    /// Type of global `index` (import or definition).
    pub fn global_type(&self, index: u32) -> Option<GlobalType> {
        if index < self.num_imported_globals {
            match self.nth_import(index, |k| matches!(k, ImportKind::Global(_)))?.kind {
                ImportKind::Global(g) => Some(g),
                _ => None,
            }
        } else {
            self.globals.get((index - self.num_imported_globals) as usize).map(|g| g.ty)
        }
    }

    /// Type of table `index` (import or definition).
    pub fn table_type(&self, index: u32) -> Option<TableType> {
        if index < self.num_imported_tables {
            match self.nth_import(index, |k| matches!(k, ImportKind::Table(_)))?.kind {
                ImportKind::Table(t) => Some(t),
                _ => None,
            }
        } else {
            self.tables.get((index - self.num_imported_tables) as usize).copied()
        }
    }

    /// The import module and field of an undefined function/global/table/tag
    /// symbol.
    pub fn symbol_import(&self, sym: &Symbol<'a>) -> Option<&Import<'a>> {
        if !sym.is_undefined() {
            return None;
        }
        match sym.kind {
            SymbolKind::Function(i) => self.nth_import(i, |k| matches!(k, ImportKind::Function(_))),
            SymbolKind::Global(i) => self.nth_import(i, |k| matches!(k, ImportKind::Global(_))),
            SymbolKind::Table(i) => self.nth_import(i, |k| matches!(k, ImportKind::Table(_))),
            SymbolKind::Tag(i) => self.nth_import(i, |k| matches!(k, ImportKind::Tag(_))),
            _ => None,
        }
    }
}

/// Largest data segment alignment accepted, as a power of two (64 KiB).
pub const MAX_SEGMENT_ALIGN_LOG2: u32 = 16;

fn escape_name(s: &str) -> std::borrow::Cow<'_, str> {
    crate::error::escape_controls(s)
}

/// Where a section index points, for section symbols and reloc sections.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SectionRef {
    Code,
    Data,
    Custom(usize),
    Other,
}

/// Parses a relocatable object. `name` is used in error messages only.
pub fn parse_object<'a>(bytes: &'a [u8], name: &str) -> Result<ObjectFile<'a>, crate::ParseError> {
    parse_inner(bytes, name).map_err(|e| e.in_file(name))
}

fn sig_of(ft: &FuncType) -> Signature {
    Signature { params: ft.params().into(), results: ft.results().into() }
}

fn offset_of(file: &[u8], part: &[u8]) -> usize {
    part.as_ptr() as usize - file.as_ptr() as usize
}

fn parse_inner<'a>(bytes: &'a [u8], name: &str) -> RawResult<ObjectFile<'a>> {
    if bytes.len() < 8 || &bytes[0..4] != b"\0asm" {
        return Err(RawError::new(0, "not a WebAssembly file (bad magic number)"));
    }
    if bytes[4..8] != [1, 0, 0, 0] {
        return Err(RawError::new(4, "unsupported WebAssembly version, expected 1"));
    }
    let mut obj = ObjectFile {
        name: name.to_string(),
        types: Vec::new(),
        imports: Vec::new(),
        num_imported_functions: 0,
        num_imported_globals: 0,
        num_imported_tables: 0,
        num_imported_tags: 0,
        functions: Vec::new(),
        tables: Vec::new(),
        globals: Vec::new(),
        tags: Vec::new(),
        segments: Vec::new(),
        customs: Vec::new(),
        linking: Linking::default(),
        code_relocs: Vec::new(),
        data_relocs: Vec::new(),
        features: Vec::new(),
        producers: Vec::new(),
        function_exports: Vec::new(),
        imported_function_types: Vec::new(),
    };
    let mut sections: Vec<SectionRef> = Vec::new();
    let mut code_payload: Option<(usize, usize)> = None; // (start, len)
    let mut data_payload: Option<(usize, usize)> = None;
    let mut code_cursor = 0usize;
    let mut declared_funcs: Vec<u32> = Vec::new();
    let mut linking_raw: Option<(&'a [u8], usize)> = None;
    let mut reloc_raw: Vec<(&'a [u8], usize, usize)> = Vec::new(); // payload, base, section index of the reloc section
    let mut seen_linking = false;

    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        match payload {
            Payload::Version { .. } => {}
            Payload::TypeSection(r) => {
                sections.push(SectionRef::Other);
                for ft in r.into_iter_err_on_gc_types() {
                    obj.types.push(sig_of(&ft?));
                }
            }
            Payload::ImportSection(r) => {
                sections.push(SectionRef::Other);
                let at = r.range().start as usize;
                let num_types = obj.types.len();
                let check_type = |t: u32, imp: &wasmparser::Import<'_>| {
                    if t as usize >= num_types {
                        return Err(RawError::new(
                            at,
                            format!("import {}.{} has type index {t} out of range", imp.module, imp.name),
                        ));
                    }
                    Ok(())
                };
                for imp in r.into_imports() {
                    let imp = imp?;
                    let kind = match imp.ty {
                        TypeRef::Func(t) => {
                            check_type(t, &imp)?;
                            obj.num_imported_functions += 1;
                            obj.imported_function_types.push(t);
                            ImportKind::Function(t)
                        }
                        TypeRef::Table(t) => {
                            obj.num_imported_tables += 1;
                            ImportKind::Table(t)
                        }
                        TypeRef::Memory(m) => ImportKind::Memory(m),
                        TypeRef::Global(g) => {
                            obj.num_imported_globals += 1;
                            ImportKind::Global(g)
                        }
                        TypeRef::Tag(t) => {
                            check_type(t.func_type_idx, &imp)?;
                            obj.num_imported_tags += 1;
                            ImportKind::Tag(t.func_type_idx)
                        }
                        _ => {
                            return Err(RawError::new(
                                at,
                                format!("unsupported import kind for {}.{}", imp.module, imp.name),
                            ))
                        }
                    };
                    obj.imports.push(Import { module: imp.module, field: imp.name, kind });
                }
            }
            Payload::FunctionSection(r) => {
                sections.push(SectionRef::Other);
                for f in r {
                    declared_funcs.push(f?);
                }
            }
            Payload::TableSection(r) => {
                sections.push(SectionRef::Other);
                for t in r {
                    obj.tables.push(t?.ty);
                }
            }
            Payload::MemorySection(r) => {
                sections.push(SectionRef::Other);
                if r.count() > 0 {
                    return Err(RawError::new(
                        r.range().start as usize,
                        "relocatable objects must import their memory, not define it",
                    ));
                }
            }
            Payload::TagSection(r) => {
                sections.push(SectionRef::Other);
                for t in r {
                    obj.tags.push(t?.func_type_idx);
                }
            }
            Payload::GlobalSection(r) => {
                sections.push(SectionRef::Other);
                for g in r {
                    let g = g?;
                    let ir = g.init_expr.get_binary_reader().range();
                    let init = &bytes[ir.start as usize..ir.end as usize];
                    obj.globals.push(Global { ty: g.ty, init_expr: init });
                }
            }
            Payload::ExportSection(r) => {
                sections.push(SectionRef::Other);
                let at = r.range().start as usize;
                let num_funcs = obj.num_imported_functions as usize + declared_funcs.len();
                for e in r {
                    let e = e?;
                    if e.kind == wasmparser::ExternalKind::Func {
                        if e.index as usize >= num_funcs {
                            return Err(RawError::new(
                                at,
                                format!("export {} names function {} out of range", e.name, e.index),
                            ));
                        }
                        obj.function_exports.push((e.name, e.index));
                    }
                }
            }
            Payload::StartSection { .. } | Payload::DataCountSection { .. } => {
                sections.push(SectionRef::Other);
            }
            Payload::ElementSection(_) => {
                // Objects carry an element segment for address-taken
                // functions; the linker builds the table from TABLE_INDEX
                // relocations instead, as wasm-ld does.
                sections.push(SectionRef::Other);
            }
            Payload::CodeSectionStart { count, unchecked_range, .. } => {
                let range = unchecked_range.start as usize..(unchecked_range.end as usize).min(bytes.len());
                sections.push(SectionRef::Code);
                if count as usize != declared_funcs.len() {
                    return Err(RawError::new(
                        range.start,
                        format!(
                            "code section has {count} bodies but the function section declares {}",
                            declared_funcs.len()
                        ),
                    ));
                }
                code_payload = Some((range.start, range.end - range.start));
                // Skip the count LEB to find the first chunk.
                let mut r = crate::reader::Reader::new(&bytes[range.start..range.end], range.start);
                r.leb_u32()?;
                code_cursor = r.offset();
            }
            Payload::CodeSectionEntry(body) => {
                let body_range = body.range();
                let body_range = body_range.start as usize..body_range.end as usize;
                let chunk_start = code_cursor;
                let chunk = &bytes[chunk_start..body_range.end];
                let (code_start, _) = code_payload.unwrap_or((0, 0));
                let idx = obj.functions.len();
                let type_index = *declared_funcs
                    .get(idx)
                    .ok_or_else(|| RawError::new(chunk_start, "more code bodies than declared functions"))?;
                if type_index as usize >= obj.types.len() {
                    return Err(RawError::new(chunk_start, format!("function type index {type_index} out of range")));
                }
                obj.functions.push(Function {
                    type_index,
                    chunk,
                    section_offset: (chunk_start - code_start) as u32,
                    size_prefix_len: (body_range.start - chunk_start) as u32,
                    relocs: 0..0,
                });
                code_cursor = body_range.end;
            }
            Payload::DataSection(r) => {
                sections.push(SectionRef::Data);
                let range = r.range();
                let range = range.start as usize..range.end as usize;
                data_payload = Some((range.start, range.end - range.start));
                for d in r {
                    let d = d?;
                    let passive = matches!(d.kind, wasmparser::DataKind::Passive);
                    let off = offset_of(bytes, d.data);
                    obj.segments.push(DataSegment {
                        data: d.data,
                        section_offset: (off - range.start) as u32,
                        info: SegmentInfo { name: "", align_log2: 0, flags: 0 },
                        relocs: 0..0,
                        passive,
                    });
                }
            }
            Payload::CustomSection(c) => {
                let index = sections.len();
                let data_off = offset_of(bytes, c.data());
                match c.name() {
                    "linking" => {
                        sections.push(SectionRef::Other);
                        if seen_linking {
                            return Err(RawError::new(c.range().start as usize, "duplicate linking section"));
                        }
                        seen_linking = true;
                        linking_raw = Some((c.data(), data_off));
                    }
                    n if n.starts_with("reloc.") => {
                        sections.push(SectionRef::Other);
                        reloc_raw.push((c.data(), data_off, index));
                    }
                    "target_features" => {
                        sections.push(SectionRef::Other);
                        obj.features = parse_features(c.data(), data_off)?;
                    }
                    "producers" => {
                        sections.push(SectionRef::Other);
                        obj.producers = parse_producers(c.data(), data_off)?;
                    }
                    "name" | "dylink.0" => sections.push(SectionRef::Other),
                    n => {
                        sections.push(SectionRef::Custom(obj.customs.len()));
                        obj.customs.push(CustomSection {
                            name: n,
                            data: c.data(),
                            section_index: index as u32,
                            relocs: Vec::new(),
                        });
                    }
                }
            }
            Payload::End(_) => {}
            other => {
                let at = other.as_section().map(|(_, r)| r.start as usize).unwrap_or(0);
                return Err(RawError::new(at, "unexpected section in a relocatable object"));
            }
        }
    }
    if obj.functions.len() != declared_funcs.len() {
        return Err(RawError::new(
            bytes.len(),
            "function section declares more functions than the code section has bodies",
        ));
    }

    let Some((linking_data, linking_base)) = linking_raw else {
        return Err(RawError::new(0, "not a relocatable object: no linking section (was it linked already?)"));
    };
    let import_names = |pick: fn(&ImportKind) -> bool| {
        obj.imports.iter().filter(|i| pick(&i.kind)).map(|i| i.field).collect::<Vec<_>>()
    };
    let names = ImportNames {
        functions: import_names(|k| matches!(k, ImportKind::Function(_))),
        globals: import_names(|k| matches!(k, ImportKind::Global(_))),
        tables: import_names(|k| matches!(k, ImportKind::Table(_))),
        tags: import_names(|k| matches!(k, ImportKind::Tag(_))),
    };
    obj.linking = parse_linking(linking_data, linking_base, &names)?;
    check_symbols(&obj, linking_base, &sections)?;

    // Segment info.
    if !obj.linking.segments.is_empty() && obj.linking.segments.len() != obj.segments.len() {
        return Err(RawError::new(
            linking_base,
            format!(
                "segment info lists {} segments but the data section has {}",
                obj.linking.segments.len(),
                obj.segments.len()
            ),
        ));
    }
    for (seg, info) in obj.segments.iter_mut().zip(obj.linking.segments.iter()) {
        // Alignment beyond a 64 KiB page has no use in a 32-bit memory and
        // would make the layout pad gigabytes of zeros.
        if info.align_log2 > MAX_SEGMENT_ALIGN_LOG2 {
            return Err(RawError::new(
                linking_base,
                format!(
                "segment {} alignment 2^{} is larger than the supported maximum 2^{MAX_SEGMENT_ALIGN_LOG2} (64 KiB)",
                escape_name(info.name),
                info.align_log2
            ),
            ));
        }
        seg.info = *info;
    }
    check_comdats(&mut obj, linking_base)?;

    // Relocations. Errors about where a relocation lands are reported at
    // its relocation section.
    let (mut code_relocs_at, mut data_relocs_at) = (0usize, 0usize);
    for (payload, base, _) in reloc_raw {
        let sec = parse_reloc_section(payload, base)?;
        let target = sections.get(sec.target_section as usize).copied().unwrap_or(SectionRef::Other);
        let (len, slot): (usize, &mut Vec<Reloc>) = match target {
            SectionRef::Code => (code_payload.map(|p| p.1).unwrap_or(0), &mut obj.code_relocs),
            SectionRef::Data => (data_payload.map(|p| p.1).unwrap_or(0), &mut obj.data_relocs),
            SectionRef::Custom(i) => (obj.customs[i].data.len(), &mut obj.customs[i].relocs),
            SectionRef::Other => {
                return Err(RawError::new(
                    base,
                    format!("relocation section applies to section {}, which cannot be relocated", sec.target_section),
                ))
            }
        };
        if !slot.is_empty() {
            return Err(RawError::new(base, format!("second relocation section for section {}", sec.target_section)));
        }
        check_relocs(&sec.entries, len, base, &obj.linking.symbols, obj.types.len())?;
        *slot = sec.entries;
        match target {
            SectionRef::Code => code_relocs_at = base,
            SectionRef::Data => data_relocs_at = base,
            _ => {}
        }
    }
    assign_code_relocs(&mut obj, code_relocs_at)?;
    assign_data_relocs(&mut obj, data_relocs_at)?;
    Ok(obj)
}

fn check_symbols(obj: &ObjectFile<'_>, at: usize, sections: &[SectionRef]) -> RawResult<()> {
    for (i, s) in obj.linking.symbols.iter().enumerate() {
        let bad = |what: String| Err(RawError::new(at, format!("symbol {i} ({}): {what}", escape_name(s.name))));
        match s.kind {
            SymbolKind::Function(f) => {
                if f >= obj.num_imported_functions + obj.functions.len() as u32 {
                    return bad(format!("function index {f} out of range"));
                }
            }
            SymbolKind::Global(g) => {
                if g >= obj.num_imported_globals + obj.globals.len() as u32 {
                    return bad(format!("global index {g} out of range"));
                }
            }
            SymbolKind::Table(t) => {
                if t >= obj.num_imported_tables + obj.tables.len() as u32 {
                    return bad(format!("table index {t} out of range"));
                }
            }
            SymbolKind::Tag(t) => {
                if t >= obj.num_imported_tags + obj.tags.len() as u32 {
                    return bad(format!("tag index {t} out of range"));
                }
            }
            SymbolKind::Data(Some(d)) => {
                let Some(seg) = obj.segments.get(d.segment as usize) else {
                    return bad(format!("data segment index {} out of range", d.segment));
                };
                if d.offset.saturating_add(d.size) > seg.data.len() as u64 {
                    return bad(format!(
                        "offset {} + size {} exceeds its segment's {} bytes",
                        d.offset,
                        d.size,
                        seg.data.len()
                    ));
                }
            }
            SymbolKind::Data(None) => {}
            SymbolKind::Section(sec) => {
                if !matches!(sections.get(sec as usize), Some(SectionRef::Custom(_))) {
                    return bad(format!("section index {sec} is not a custom section"));
                }
                // As wasm-ld: a global section symbol would be resolved by
                // its (empty) name against every other object's.
                if !s.is_local() {
                    return bad("section symbols must have local binding".into());
                }
            }
        }
        if s.is_local() && s.is_undefined() {
            return bad("a local symbol cannot be undefined".into());
        }
    }
    Ok(())
}

/// Checks COMDAT members and rebases function/global/tag/table indices from
/// the file's absolute index spaces to defined-item indices.
fn check_comdats(obj: &mut ObjectFile<'_>, at: usize) -> RawResult<()> {
    let (nf, ng, ntag, nt) =
        (obj.num_imported_functions, obj.num_imported_globals, obj.num_imported_tags, obj.num_imported_tables);
    let (lf, lg, ltag, lt, ls) =
        (obj.functions.len(), obj.globals.len(), obj.tags.len(), obj.tables.len(), obj.segments.len());
    for c in obj.linking.comdats.iter_mut() {
        for (kind, index) in c.members.iter_mut() {
            let (base, len) = match kind {
                ComdatKind::Data => (0, ls),
                ComdatKind::Function => (nf, lf),
                ComdatKind::Global => (ng, lg),
                ComdatKind::Tag => (ntag, ltag),
                ComdatKind::Table => (nt, lt),
                ComdatKind::Section => continue,
            };
            match index.checked_sub(base) {
                Some(i) if (i as usize) < len => *index = i,
                _ => {
                    return Err(RawError::new(
                        at,
                        format!(
                            "comdat {} member index {index} does not name a defined {}",
                            c.name,
                            format!("{kind:?}").to_lowercase()
                        ),
                    ))
                }
            }
        }
    }
    Ok(())
}

fn check_relocs(
    entries: &[Reloc],
    section_len: usize,
    at: usize,
    symbols: &[Symbol<'_>],
    num_types: usize,
) -> RawResult<()> {
    let mut prev_end = 0u64;
    for r in entries {
        let end = r.offset as u64 + r.ty.encoding().width() as u64;
        let what = format!("{} at offset 0x{:x}", r.ty.name(), r.offset);
        if end > section_len as u64 {
            return Err(RawError::new(at, format!("relocation {what} lies outside its {section_len}-byte section")));
        }
        if (r.offset as u64) < prev_end {
            return Err(RawError::new(at, format!("relocation {what} is out of order or overlaps the previous one")));
        }
        prev_end = end;
        let target = r.ty.target();
        if target == RelocTarget::Type {
            if r.index as usize >= num_types {
                return Err(RawError::new(at, format!("relocation {what} names type {} out of range", r.index)));
            }
            continue;
        }
        let Some(sym) = symbols.get(r.index as usize) else {
            return Err(RawError::new(at, format!("relocation {what} names symbol {} out of range", r.index)));
        };
        let ok = matches!(
            (target, sym.kind),
            (RelocTarget::Function, SymbolKind::Function(_))
                | (RelocTarget::Data, SymbolKind::Data(_))
                | (RelocTarget::Global, SymbolKind::Global(_))
                | (RelocTarget::Tag, SymbolKind::Tag(_))
                | (RelocTarget::Table, SymbolKind::Table(_))
                | (RelocTarget::Section, SymbolKind::Section(_))
        );
        if !ok {
            return Err(RawError::new(
                at,
                format!(
                    "relocation {what} needs a {} symbol but symbol {} ({}) is a {} symbol",
                    format!("{target:?}").to_lowercase(),
                    r.index,
                    escape_name(sym.name),
                    sym.kind.describe()
                ),
            ));
        }
    }
    Ok(())
}

fn assign_code_relocs(obj: &mut ObjectFile<'_>, at: usize) -> RawResult<()> {
    let mut i = 0usize;
    let relocs = &obj.code_relocs;
    for f in obj.functions.iter_mut() {
        let start = f.section_offset as usize;
        let end = start + f.chunk.len();
        let first = i;
        while i < relocs.len() && (relocs[i].offset as usize) < end {
            let r = relocs[i];
            if (r.offset as usize) < start + f.size_prefix_len as usize
                || r.offset as usize + r.ty.encoding().width() > end
            {
                return Err(RawError::new(
                    at,
                    format!("code relocation at offset 0x{:x} straddles a function boundary", r.offset),
                ));
            }
            i += 1;
        }
        f.relocs = first..i;
    }
    if i != relocs.len() {
        return Err(RawError::new(
            at,
            format!("code relocation at offset 0x{:x} is not inside any function", relocs[i].offset),
        ));
    }
    Ok(())
}

fn assign_data_relocs(obj: &mut ObjectFile<'_>, at: usize) -> RawResult<()> {
    let mut i = 0usize;
    let relocs = &obj.data_relocs;
    for s in obj.segments.iter_mut() {
        let start = s.section_offset as usize;
        let end = start + s.data.len();
        if i < relocs.len() && (relocs[i].offset as usize) < start {
            return Err(RawError::new(
                at,
                format!("data relocation at offset 0x{:x} is not inside any segment's data", relocs[i].offset),
            ));
        }
        let first = i;
        while i < relocs.len() && (relocs[i].offset as usize) < end {
            if relocs[i].offset as usize + relocs[i].ty.encoding().width() > end {
                return Err(RawError::new(
                    at,
                    format!("data relocation at offset 0x{:x} runs past its segment", relocs[i].offset),
                ));
            }
            i += 1;
        }
        s.relocs = first..i;
    }
    if i != relocs.len() {
        return Err(RawError::new(
            at,
            format!("data relocation at offset 0x{:x} is not inside any segment's data", relocs[i].offset),
        ));
    }
    Ok(())
}

fn parse_features(data: &[u8], base: usize) -> RawResult<Vec<Feature<'_>>> {
    let mut r = crate::reader::Reader::new(data, base);
    let n = r.count(2, "target feature")?;
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let at = r.offset();
        let prefix = r.u8()?;
        if !matches!(prefix, b'+' | b'-' | b'=') {
            return Err(RawError::new(at, format!("unknown target feature prefix 0x{prefix:02x}")));
        }
        out.push(Feature { prefix, name: r.string("feature name")? });
    }
    Ok(out)
}

fn parse_producers(data: &[u8], base: usize) -> RawResult<Vec<ProducerField<'_>>> {
    let mut r = crate::reader::Reader::new(data, base);
    let n = r.count(2, "producers field")?;
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let name = r.string("producers field name")?;
        let m = r.count(2, "producers value")?;
        let mut values = Vec::with_capacity(m as usize);
        for _ in 0..m {
            values.push((r.string("producer name")?, r.string("producer version")?));
        }
        out.push(ProducerField { name, values });
    }
    Ok(out)
}
