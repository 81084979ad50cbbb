//! One relocatable wasm object, parsed into a typed IR that borrows the input
//! bytes: function bodies, data and custom sections stay slices of the mmap.

use crate::error::{ParseErrorKind as K, RawError, RawResult, RelocProblem, RelocSite, Space, SymbolProblem};
use crate::ids::{DefinedFuncIdx, FuncIdx, TypeIdx};
use crate::linking::{parse_linking, ComdatKind, ImportNames, Linking, SegmentInfo, Symbol, SymbolKind};
use crate::reloc::{parse_reloc_header, EncodedRelocs, Reloc, RelocTarget};
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

/// What an import of an input object brings in (indices are the object's
/// own). Not to be confused with `symbol_resolve::OutputImportKind`, an
/// import of the output module.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InputImportKind {
    /// A function with the given type index.
    Function(TypeIdx),
    /// A table.
    Table(TableType),
    /// A linear memory (`env.__linear_memory` in objects).
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
    /// A tag with the given type index.
    Tag(TypeIdx),
}

/// An import of the object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Import<'a> {
    /// Module name.
    pub module: &'a str,
    /// Field name.
    pub field: &'a str,
    /// What is imported.
    pub kind: InputImportKind,
}

/// A defined function: its type and its body chunk.
#[derive(Debug, Clone)]
pub struct Function<'a> {
    /// Index into the object's type section.
    pub type_index: TypeIdx,
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
    /// Relocations patching `data`, still encoded (and unchecked): read
    /// them with [`ObjectFile::custom_relocs`].
    pub relocs: EncodedRelocs<'a>,
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
    pub tags: Vec<TypeIdx>,
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
    pub function_exports: Vec<(&'a str, FuncIdx)>,
    /// Type index of each imported function, by function index (so lookups
    /// do not scan the import list).
    pub imported_function_types: Vec<TypeIdx>,
    /// The object's memory (imported, or defined in `-r` output) is 64-bit:
    /// a wasm64 object, which wasm-ld links only with `-mwasm64`.
    pub memory64: bool,
}

impl<'a> ObjectFile<'a> {
    /// Type index of function `index` (import or definition) of this object.
    pub fn function_type(&self, index: FuncIdx) -> Option<TypeIdx> {
        match DefinedFuncIdx::from_absolute(index, self.num_imported_functions) {
            None => self.imported_function_types.get(index.0 as usize).copied(),
            Some(d) => self.functions.get(d.index()).map(|f| f.type_index),
        }
    }

    /// The defined function that function `index` names (`None` for an
    /// import).
    pub fn defined_function(&self, index: FuncIdx) -> Option<DefinedFuncIdx> {
        DefinedFuncIdx::from_absolute(index, self.num_imported_functions)
    }

    /// Signature of function `index` of this object.
    pub fn function_signature(&self, index: FuncIdx) -> Option<&Signature> {
        self.function_type(index).and_then(|t| self.types.get(t.index()))
    }

    /// The import of kind-index `index` among imports matching `pick`.
    pub fn nth_import(&self, index: u32, pick: impl Fn(&InputImportKind) -> bool) -> Option<&Import<'a>> {
        self.imports.iter().filter(|i| pick(&i.kind)).nth(index as usize)
    }

    /// Type of global `index` (import or definition).
    pub fn global_type(&self, index: u32) -> Option<GlobalType> {
        if index < self.num_imported_globals {
            match self.nth_import(index, |k| matches!(k, InputImportKind::Global(_)))?.kind {
                InputImportKind::Global(g) => Some(g),
                _ => None,
            }
        } else {
            self.globals.get((index - self.num_imported_globals) as usize).map(|g| g.ty)
        }
    }

    /// Type of table `index` (import or definition).
    pub fn table_type(&self, index: u32) -> Option<TableType> {
        if index < self.num_imported_tables {
            match self.nth_import(index, |k| matches!(k, InputImportKind::Table(_)))?.kind {
                InputImportKind::Table(t) => Some(t),
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
            SymbolKind::Function(i) => self.nth_import(i.0, |k| matches!(k, InputImportKind::Function(_))),
            SymbolKind::Global(i) => self.nth_import(i, |k| matches!(k, InputImportKind::Global(_))),
            SymbolKind::Table(i) => self.nth_import(i, |k| matches!(k, InputImportKind::Table(_))),
            SymbolKind::Tag(i) => self.nth_import(i, |k| matches!(k, InputImportKind::Tag(_))),
            _ => None,
        }
    }
}

/// Largest data segment alignment accepted, as a power of two (64 KiB).
pub const MAX_SEGMENT_ALIGN_LOG2: u32 = 16;

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

/// Reads the sections in one pass, then checks and links up what only the
/// whole object can tell (symbols, segment info, COMDATs, relocations).
fn parse_inner<'a>(bytes: &'a [u8], name: &str) -> RawResult<ObjectFile<'a>> {
    check_header(bytes)?;
    let mut p = SectionPass::new(bytes, name);
    for payload in Parser::new(0).parse_all(bytes) {
        p.section(payload?)?;
    }
    p.finish()
}

/// The magic number and version 1.
fn check_header(bytes: &[u8]) -> RawResult<()> {
    if bytes.len() < 8 || &bytes[0..4] != b"\0asm" {
        return Err(RawError::new(0, K::BadMagic));
    }
    if bytes[4..8] != [1, 0, 0, 0] {
        let version = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        return Err(RawError::new(4, K::UnsupportedVersion(version)));
    }
    Ok(())
}

fn empty_object<'a>(name: &str) -> ObjectFile<'a> {
    ObjectFile {
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
        memory64: false,
    }
}

/// The state of the pass over an object's sections: the object built so far
/// and what the later checks need.
struct SectionPass<'a> {
    /// The whole file.
    bytes: &'a [u8],
    /// The object built so far.
    obj: ObjectFile<'a>,
    /// What each section index refers to.
    sections: Vec<SectionRef>,
    /// Code section payload: (start, len).
    code_payload: Option<(usize, usize)>,
    /// Data section payload: (start, len).
    data_payload: Option<(usize, usize)>,
    /// Start of the next function chunk (its size prefix).
    code_cursor: usize,
    /// Type index of each function of the function section.
    declared_funcs: Vec<u32>,
    /// The `linking` payload and its absolute offset.
    linking_raw: Option<(&'a [u8], usize)>,
    /// Every `reloc.*` payload and its absolute offset.
    reloc_raw: Vec<(&'a [u8], usize)>,
}

impl<'a> SectionPass<'a> {
    fn new(bytes: &'a [u8], name: &str) -> Self {
        SectionPass {
            bytes,
            obj: empty_object(name),
            sections: Vec::new(),
            code_payload: None,
            data_payload: None,
            code_cursor: 0,
            declared_funcs: Vec::new(),
            linking_raw: None,
            reloc_raw: Vec::new(),
        }
    }

    /// Reads one payload of wasmparser's section stream.
    fn section(&mut self, payload: Payload<'a>) -> RawResult<()> {
        match payload {
            Payload::Version { .. } | Payload::End(_) => {}
            Payload::TypeSection(r) => self.types(r)?,
            Payload::ImportSection(r) => self.imports(r)?,
            Payload::FunctionSection(r) => {
                self.sections.push(SectionRef::Other);
                self.declared_funcs.reserve(capacity_for(r.count(), r.range().end - r.range().start));
                for f in r {
                    self.declared_funcs.push(f?);
                }
            }
            Payload::TableSection(r) => {
                self.sections.push(SectionRef::Other);
                for t in r {
                    self.obj.tables.push(t?.ty);
                }
            }
            Payload::MemorySection(r) => {
                self.sections.push(SectionRef::Other);
                // A relocatable link's output (wasm-ld -r) defines its one
                // memory; like an imported one, the link provides its own.
                let imported = self.obj.imports.iter().filter(|i| matches!(i.kind, InputImportKind::Memory(_))).count();
                if r.count() as usize + imported > 1 {
                    return Err(RawError::new(r.range().start as usize, K::DefinedMemory));
                }
                for m in r {
                    self.obj.memory64 |= m?.memory64;
                }
            }
            Payload::TagSection(r) => {
                self.sections.push(SectionRef::Other);
                for t in r {
                    self.obj.tags.push(TypeIdx(t?.func_type_idx));
                }
            }
            Payload::GlobalSection(r) => self.globals(r)?,
            Payload::ExportSection(r) => self.exports(r)?,
            Payload::StartSection { .. } | Payload::DataCountSection { .. } => {
                self.sections.push(SectionRef::Other);
            }
            Payload::ElementSection(_) => {
                // Objects carry an element segment for address-taken
                // functions; the linker builds the table from TABLE_INDEX
                // relocations instead, as wasm-ld does.
                self.sections.push(SectionRef::Other);
            }
            Payload::CodeSectionStart { count, unchecked_range, .. } => {
                self.code_start(count, unchecked_range.start as usize..unchecked_range.end as usize)?
            }
            Payload::CodeSectionEntry(body) => self.code_entry(body)?,
            Payload::DataSection(r) => self.data(r)?,
            Payload::CustomSection(c) => self.custom(c)?,
            other => {
                let at = other.as_section().map(|(_, r)| r.start as usize).unwrap_or(0);
                return Err(RawError::new(at, K::UnexpectedSection));
            }
        }
        Ok(())
    }

    /// The type section: signatures (no GC types).
    fn types(&mut self, r: wasmparser::TypeSectionReader<'a>) -> RawResult<()> {
        self.sections.push(SectionRef::Other);
        self.obj.types.reserve(capacity_for(r.count(), r.range().end - r.range().start));
        for ft in r.into_iter_err_on_gc_types() {
            self.obj.types.push(sig_of(&ft?));
        }
        Ok(())
    }

    /// The import section: imports, counted per kind, with type indices
    /// checked.
    fn imports(&mut self, r: wasmparser::ImportSectionReader<'a>) -> RawResult<()> {
        self.sections.push(SectionRef::Other);
        let at = r.range().start as usize;
        let obj = &mut self.obj;
        let num_types = obj.types.len();
        let check_type = |t: u32, imp: &wasmparser::Import<'_>| {
            if t as usize >= num_types {
                let (module, field) = (imp.module.to_string(), imp.name.to_string());
                return Err(RawError::new(at, K::ImportTypeOutOfRange { module, field, index: t }));
            }
            Ok(())
        };
        for imp in r.into_imports() {
            let imp = imp?;
            let kind = match imp.ty {
                TypeRef::Func(t) => {
                    check_type(t, &imp)?;
                    obj.num_imported_functions += 1;
                    obj.imported_function_types.push(TypeIdx(t));
                    InputImportKind::Function(TypeIdx(t))
                }
                TypeRef::Table(t) => {
                    obj.num_imported_tables += 1;
                    InputImportKind::Table(t)
                }
                TypeRef::Memory(m) => {
                    obj.memory64 |= m.memory64;
                    InputImportKind::Memory(m)
                }
                TypeRef::Global(g) => {
                    obj.num_imported_globals += 1;
                    InputImportKind::Global(g)
                }
                TypeRef::Tag(t) => {
                    check_type(t.func_type_idx, &imp)?;
                    obj.num_imported_tags += 1;
                    InputImportKind::Tag(TypeIdx(t.func_type_idx))
                }
                _ => {
                    let (module, field) = (imp.module.to_string(), imp.name.to_string());
                    return Err(RawError::new(at, K::UnsupportedImportKind { module, field }));
                }
            };
            obj.imports.push(Import { module: imp.module, field: imp.name, kind });
        }
        Ok(())
    }

    /// The global section: types and init expressions (borrowed).
    fn globals(&mut self, r: wasmparser::GlobalSectionReader<'a>) -> RawResult<()> {
        self.sections.push(SectionRef::Other);
        for g in r {
            let g = g?;
            let ir = g.init_expr.get_binary_reader().range();
            let init = &self.bytes[ir.start as usize..ir.end as usize];
            self.obj.globals.push(Global { ty: g.ty, init_expr: init });
        }
        Ok(())
    }

    /// The export section: function exports (`export_name`), range-checked.
    fn exports(&mut self, r: wasmparser::ExportSectionReader<'a>) -> RawResult<()> {
        self.sections.push(SectionRef::Other);
        let at = r.range().start as usize;
        let num_funcs = self.obj.num_imported_functions as usize + self.declared_funcs.len();
        for e in r {
            let e = e?;
            if e.kind == wasmparser::ExternalKind::Func {
                if e.index as usize >= num_funcs {
                    return Err(RawError::new(at, K::ExportOutOfRange { name: e.name.to_string(), index: e.index }));
                }
                self.obj.function_exports.push((e.name, FuncIdx(e.index)));
            }
        }
        Ok(())
    }

    /// The start of the code section: checks the body count and finds the
    /// first chunk.
    fn code_start(&mut self, count: u32, unchecked_range: Range<usize>) -> RawResult<()> {
        let range = unchecked_range.start..unchecked_range.end.min(self.bytes.len());
        self.sections.push(SectionRef::Code);
        if count as usize != self.declared_funcs.len() {
            return Err(RawError::new(
                range.start,
                K::BodyCountMismatch { bodies: count, declared: self.declared_funcs.len() },
            ));
        }
        self.code_payload = Some((range.start, range.end - range.start));
        self.obj.functions.reserve(self.declared_funcs.len());
        // Skip the count LEB to find the first chunk.
        let mut r = crate::reader::Reader::new(&self.bytes[range.start..range.end], range.start);
        r.leb_u32()?;
        self.code_cursor = r.offset();
        Ok(())
    }

    /// One function body: its chunk, size prefix included, and its type.
    fn code_entry(&mut self, body: wasmparser::FunctionBody<'a>) -> RawResult<()> {
        let body_range = body.range();
        let body_range = body_range.start as usize..body_range.end as usize;
        let chunk_start = self.code_cursor;
        let chunk = &self.bytes[chunk_start..body_range.end];
        let (code_start, _) = self.code_payload.unwrap_or((0, 0));
        let idx = self.obj.functions.len();
        let type_index = *self.declared_funcs.get(idx).ok_or_else(|| RawError::new(chunk_start, K::ExtraCodeBody))?;
        if type_index as usize >= self.obj.types.len() {
            let limit = self.obj.types.len() as u32;
            return Err(RawError::new(
                chunk_start,
                K::IndexOutOfRange { space: Space::FunctionType, index: type_index, limit },
            ));
        }
        self.obj.functions.push(Function {
            type_index: TypeIdx(type_index),
            chunk,
            section_offset: (chunk_start - code_start) as u32,
            size_prefix_len: (body_range.start - chunk_start) as u32,
            relocs: 0..0,
        });
        self.code_cursor = body_range.end;
        Ok(())
    }

    /// The data section: segments (borrowed), linking info filled in later.
    fn data(&mut self, r: wasmparser::DataSectionReader<'a>) -> RawResult<()> {
        self.sections.push(SectionRef::Data);
        let range = r.range();
        let range = range.start as usize..range.end as usize;
        self.data_payload = Some((range.start, range.end - range.start));
        self.obj.segments.reserve(capacity_for(r.count(), range.len() as u64));
        for d in r {
            let d = d?;
            let passive = matches!(d.kind, wasmparser::DataKind::Passive);
            let off = offset_of(self.bytes, d.data);
            self.obj.segments.push(DataSegment {
                data: d.data,
                section_offset: (off - range.start) as u32,
                info: SegmentInfo { name: "", align_log2: 0, flags: 0 },
                relocs: 0..0,
                passive,
            });
        }
        Ok(())
    }

    /// A custom section: `linking` and `reloc.*` are kept for later,
    /// `target_features` and `producers` decoded, `name` and `dylink.0`
    /// dropped, others kept for the output.
    fn custom(&mut self, c: wasmparser::CustomSectionReader<'a>) -> RawResult<()> {
        let index = self.sections.len();
        let data_off = offset_of(self.bytes, c.data());
        match c.name() {
            "linking" => {
                self.sections.push(SectionRef::Other);
                if self.linking_raw.is_some() {
                    return Err(RawError::new(c.range().start as usize, K::DuplicateLinkingSection));
                }
                self.linking_raw = Some((c.data(), data_off));
            }
            n if n.starts_with("reloc.") => {
                self.sections.push(SectionRef::Other);
                self.reloc_raw.push((c.data(), data_off));
            }
            "target_features" => {
                self.sections.push(SectionRef::Other);
                self.obj.features = parse_features(c.data(), data_off)?;
            }
            "producers" => {
                self.sections.push(SectionRef::Other);
                self.obj.producers = parse_producers(c.data(), data_off)?;
            }
            "name" | "dylink.0" => self.sections.push(SectionRef::Other),
            n => {
                self.sections.push(SectionRef::Custom(self.obj.customs.len()));
                self.obj.customs.push(CustomSection {
                    name: n,
                    data: c.data(),
                    section_index: index as u32,
                    relocs: EncodedRelocs::default(),
                });
            }
        }
        Ok(())
    }

    /// After the last section: decodes `linking` and the relocations and
    /// checks them against the rest of the object.
    fn finish(mut self) -> RawResult<ObjectFile<'a>> {
        if self.obj.functions.len() != self.declared_funcs.len() {
            return Err(RawError::new(
                self.bytes.len(),
                K::MissingCodeBodies { declared: self.declared_funcs.len(), bodies: self.obj.functions.len() },
            ));
        }
        let Some((linking_data, linking_base)) = self.linking_raw else {
            return Err(RawError::new(0, K::NotRelocatable));
        };
        self.obj.linking = parse_linking(linking_data, linking_base, &import_names(&self.obj))?;
        check_symbols(&self.obj, linking_base, &self.sections)?;
        check_table_symbols(&self.obj, linking_base)?;
        apply_segment_info(&mut self.obj, linking_base)?;
        check_comdats(&mut self.obj, linking_base)?;
        self.attach_relocations()?;
        Ok(self.obj)
    }

    /// Decodes every `reloc.*` section, checks its entries and assigns them
    /// to their functions, segments or custom section. Errors about where a
    /// relocation lands are reported at its relocation section.
    fn attach_relocations(&mut self) -> RawResult<()> {
        let obj = &mut self.obj;
        let (mut code_relocs_at, mut data_relocs_at) = (0usize, 0usize);
        for &(payload, base) in &self.reloc_raw {
            let (target_section, encoded) = parse_reloc_header(payload, base)?;
            let target = self.sections.get(target_section as usize).copied().unwrap_or(SectionRef::Other);
            let (len, slot): (usize, &mut Vec<Reloc>) = match target {
                SectionRef::Code => (self.code_payload.map(|p| p.1).unwrap_or(0), &mut obj.code_relocs),
                SectionRef::Data => (self.data_payload.map(|p| p.1).unwrap_or(0), &mut obj.data_relocs),
                SectionRef::Custom(i) => {
                    // Custom sections (debug info) are decoded and checked
                    // when emit patches them.
                    let relocs = &mut obj.customs[i].relocs;
                    if !relocs.is_empty() {
                        return Err(RawError::new(base, K::DuplicateRelocSection(target_section)));
                    }
                    *relocs = encoded;
                    continue;
                }
                SectionRef::Other => return Err(RawError::new(base, K::UnrelocatableSection(target_section))),
            };
            if !slot.is_empty() {
                return Err(RawError::new(base, K::DuplicateRelocSection(target_section)));
            }
            let mut entries = Vec::with_capacity(encoded.len());
            let mut check = RelocCheck::new(len, base, &obj.linking.symbols, obj.types.len());
            for entry in encoded.iter() {
                let r = entry?;
                check.check(&r)?;
                entries.push(r);
            }
            *slot = entries;
            match target {
                SectionRef::Code => code_relocs_at = base,
                SectionRef::Data => data_relocs_at = base,
                _ => {}
            }
        }
        assign_code_relocs(obj, code_relocs_at)?;
        assign_data_relocs(obj, data_relocs_at)
    }
}

/// The field names of the object's imports, per kind, for the symbol table
/// decoder.
fn import_names<'a>(obj: &ObjectFile<'a>) -> ImportNames<'a> {
    let names = |pick: fn(&InputImportKind) -> bool| {
        obj.imports.iter().filter(|i| pick(&i.kind)).map(|i| i.field).collect::<Vec<_>>()
    };
    ImportNames {
        functions: names(|k| matches!(k, InputImportKind::Function(_))),
        globals: names(|k| matches!(k, InputImportKind::Global(_))),
        tables: names(|k| matches!(k, InputImportKind::Table(_))),
        tags: names(|k| matches!(k, InputImportKind::Tag(_))),
    }
}

/// Copies the `linking` segment info onto the data segments.
fn apply_segment_info(obj: &mut ObjectFile<'_>, at: usize) -> RawResult<()> {
    if !obj.linking.segments.is_empty() && obj.linking.segments.len() != obj.segments.len() {
        return Err(RawError::new(
            at,
            K::SegmentCountMismatch { info: obj.linking.segments.len(), data: obj.segments.len() },
        ));
    }
    for (seg, info) in obj.segments.iter_mut().zip(obj.linking.segments.iter()) {
        // Alignment beyond a 64 KiB page has no use in a 32-bit memory and
        // would make the layout pad gigabytes of zeros.
        if info.align_log2 > MAX_SEGMENT_ALIGN_LOG2 {
            return Err(RawError::new(
                at,
                K::SegmentAlignTooLarge { segment: info.name.to_string(), align_log2: info.align_log2 },
            ));
        }
        seg.info = *info;
    }
    Ok(())
}

/// Checks every symbol table entry against the object's index spaces,
/// segments and sections.
/// Every table needs a symbol, except in an object compiled for the MVP
/// (no reference types), whose one table (the imported
/// `__indirect_function_table`) may have none: wasm-ld's rule, since
/// `call_indirect` in such an object names its table by index, not by
/// relocation.
fn check_table_symbols(obj: &ObjectFile<'_>, at: usize) -> RawResult<()> {
    let tables = obj.num_imported_tables as usize + obj.tables.len();
    let symbols = obj.linking.symbols.iter().filter(|s| matches!(s.kind, SymbolKind::Table(_))).count();
    if symbols == tables || (symbols == 0 && tables == 1) {
        return Ok(());
    }
    Err(RawError::new(at, K::TableSymbolsMissing { tables, symbols }))
}

fn check_symbols(obj: &ObjectFile<'_>, at: usize, sections: &[SectionRef]) -> RawResult<()> {
    for (i, s) in obj.linking.symbols.iter().enumerate() {
        let bad = |problem: SymbolProblem| {
            Err(RawError::new(at, K::BadSymbol { index: i, name: s.name.to_string(), problem }))
        };
        let in_range = |space: Space, index: u32, imported: u32, defined: usize| {
            let limit = imported.saturating_add(defined as u32);
            if index >= limit {
                return bad(SymbolProblem::IndexOutOfRange { space, index, limit });
            }
            Ok(())
        };
        match s.kind {
            SymbolKind::Function(f) => in_range(Space::Function, f.0, obj.num_imported_functions, obj.functions.len())?,
            SymbolKind::Global(g) => in_range(Space::Global, g, obj.num_imported_globals, obj.globals.len())?,
            SymbolKind::Table(t) => in_range(Space::Table, t, obj.num_imported_tables, obj.tables.len())?,
            SymbolKind::Tag(t) => in_range(Space::Tag, t, obj.num_imported_tags, obj.tags.len())?,
            SymbolKind::Data(Some(d)) => {
                let Some(seg) = obj.segments.get(d.segment.index()) else {
                    let limit = obj.segments.len() as u32;
                    return bad(SymbolProblem::IndexOutOfRange {
                        space: Space::DataSegment,
                        index: d.segment.0,
                        limit,
                    });
                };
                // As LLVM's reader: only the offset must be inside (or at the
                // end of) the segment; the size is informational.
                if d.offset > seg.data.len() as u64 {
                    return bad(SymbolProblem::DataPastSegment {
                        offset: d.offset,
                        size: d.size,
                        segment_len: seg.data.len(),
                    });
                }
            }
            SymbolKind::Data(None) => {}
            SymbolKind::Section(sec) => {
                if !matches!(sections.get(sec as usize), Some(SectionRef::Custom(_))) {
                    return bad(SymbolProblem::NotCustomSection(sec));
                }
                // As wasm-ld: a global section symbol would be resolved by
                // its (empty) name against every other object's.
                if !s.is_local() {
                    return bad(SymbolProblem::SectionNotLocal);
                }
            }
        }
        if s.is_local() && s.is_undefined() {
            return bad(SymbolProblem::LocalUndefined);
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
                        K::BadComdatMember { comdat: c.name.to_string(), kind: *kind, index: *index },
                    ))
                }
            }
        }
    }
    Ok(())
}

/// Checks the entries of one relocation section, one at a time: inside the
/// section, in order, and naming a symbol (or type) of the right kind.
/// Errors are reported at the relocation section (`at`).
struct RelocCheck<'s, 'a> {
    section_len: usize,
    at: usize,
    symbols: &'s [Symbol<'a>],
    num_types: usize,
    /// End of the previous entry's field.
    prev_end: u64,
}

impl<'s, 'a> RelocCheck<'s, 'a> {
    fn new(section_len: usize, at: usize, symbols: &'s [Symbol<'a>], num_types: usize) -> Self {
        RelocCheck { section_len, at, symbols, num_types, prev_end: 0 }
    }

    #[inline]
    fn check(&mut self, r: &Reloc) -> RawResult<()> {
        let bad = |problem: RelocProblem| {
            Err(RawError::new(self.at, K::BadRelocation { ty: r.ty, offset: r.offset, problem }))
        };
        let end = r.offset as u64 + r.ty.encoding().width() as u64;
        if end > self.section_len as u64 {
            return bad(RelocProblem::OutsideSection { section_len: self.section_len });
        }
        if (r.offset as u64) < self.prev_end {
            return bad(RelocProblem::OutOfOrder);
        }
        self.prev_end = end;
        let target = r.ty.target();
        if target == RelocTarget::Type {
            if r.index as usize >= self.num_types {
                return bad(RelocProblem::TypeOutOfRange { index: r.index, limit: self.num_types });
            }
            return Ok(());
        }
        let Some(sym) = self.symbols.get(r.index as usize) else {
            return bad(RelocProblem::SymbolOutOfRange { index: r.index, limit: self.symbols.len() });
        };
        let ok = matches!(
            (target, sym.kind),
            (RelocTarget::Function, SymbolKind::Function(_))
                | (RelocTarget::Data, SymbolKind::Data(_))
                | (RelocTarget::Global, SymbolKind::Global(_))
                // A GOT entry: position-independent code reads a function's
                // table index or a data address from a global.
                | (RelocTarget::Global, SymbolKind::Function(_) | SymbolKind::Data(_))
                | (RelocTarget::Tag, SymbolKind::Tag(_))
                | (RelocTarget::Table, SymbolKind::Table(_))
                | (RelocTarget::Section, SymbolKind::Section(_))
        );
        if !ok {
            return bad(RelocProblem::WrongSymbolKind {
                needed: target,
                symbol: r.index,
                name: sym.name.to_string(),
                found: sym.kind.describe(),
            });
        }
        Ok(())
    }
}

impl<'a> ObjectFile<'a> {
    /// The relocations of custom section `custom` (index into
    /// [`ObjectFile::customs`]), decoded and checked as the code and data
    /// relocations were when the object was parsed. Errors name this
    /// object.
    pub fn custom_relocs(&self, custom: usize) -> Result<Vec<Reloc>, crate::ParseError> {
        let mut out = Vec::with_capacity(self.customs[custom].relocs.len());
        self.for_each_custom_reloc(custom, |r| {
            out.push(r);
            Ok::<(), crate::ParseError>(())
        })?;
        Ok(out)
    }

    /// Calls `f` on each relocation of custom section `custom` (index into
    /// [`ObjectFile::customs`]), decoded and checked as the code and data
    /// relocations were when the object was parsed, without collecting
    /// them; stops at the first error. Decoding errors name this object.
    pub fn for_each_custom_reloc<E: From<crate::ParseError>>(
        &self,
        custom: usize,
        mut f: impl FnMut(Reloc) -> Result<(), E>,
    ) -> Result<(), E> {
        let c = &self.customs[custom];
        let mut check =
            RelocCheck::new(c.data.len(), c.relocs.section_offset(), &self.linking.symbols, self.types.len());
        c.relocs.try_for_each(
            |r| match check.check(&r) {
                Ok(()) => f(r),
                Err(e) => Err(E::from(e.in_file(&self.name))),
            },
            |e| E::from(e.in_file(&self.name)),
        )
    }
}

/// How many entries to reserve room for when a section says it holds
/// `count`: at most one per byte of its `len` bytes, so that a corrupt
/// count cannot ask for more memory than the input could describe.
fn capacity_for(count: u32, len: u64) -> usize {
    u64::from(count).min(len) as usize
}

/// Splits the code relocations into per-function ranges.
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
                return Err(RawError::new(at, K::CodeRelocStraddles(r.offset)));
            }
            i += 1;
        }
        f.relocs = first..i;
    }
    if i != relocs.len() {
        return Err(RawError::new(at, K::RelocOutsideAtoms { site: RelocSite::Code, offset: relocs[i].offset }));
    }
    Ok(())
}

/// Splits the data relocations into per-segment ranges.
fn assign_data_relocs(obj: &mut ObjectFile<'_>, at: usize) -> RawResult<()> {
    let mut i = 0usize;
    let relocs = &obj.data_relocs;
    let outside = |offset: u32| RawError::new(at, K::RelocOutsideAtoms { site: RelocSite::Data, offset });
    for s in obj.segments.iter_mut() {
        let start = s.section_offset as usize;
        let end = start + s.data.len();
        if i < relocs.len() && (relocs[i].offset as usize) < start {
            return Err(outside(relocs[i].offset));
        }
        let first = i;
        while i < relocs.len() && (relocs[i].offset as usize) < end {
            if relocs[i].offset as usize + relocs[i].ty.encoding().width() > end {
                return Err(RawError::new(at, K::DataRelocPastSegment(relocs[i].offset)));
            }
            i += 1;
        }
        s.relocs = first..i;
    }
    if i != relocs.len() {
        return Err(outside(relocs[i].offset));
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
            return Err(RawError::new(at, K::UnknownFeaturePrefix(prefix)));
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
