//! The `linking` custom section (version 2): symbol table, segment info,
//! init functions and COMDAT groups.

use crate::error::{ParseErrorKind, RawError, RawResult, Space};
use crate::ids::{FuncIdx, SegmentIdx, SymbolIdx};
use crate::reader::Reader;

/// Symbol flag bits (`WASM_SYM_*`).
pub mod flags {
    /// Weak binding.
    pub const BINDING_WEAK: u32 = 0x1;
    /// Local binding.
    pub const BINDING_LOCAL: u32 = 0x2;
    /// Hidden visibility.
    pub const VISIBILITY_HIDDEN: u32 = 0x4;
    /// Not defined in this object.
    pub const UNDEFINED: u32 = 0x10;
    /// Exported to the host (`export_name`).
    pub const EXPORTED: u32 = 0x20;
    /// The symbol name differs from the import field name.
    pub const EXPLICIT_NAME: u32 = 0x40;
    /// Keep even if unreferenced.
    pub const NO_STRIP: u32 = 0x80;
    /// Thread-local.
    pub const TLS: u32 = 0x100;
    /// Absolute address.
    pub const ABSOLUTE: u32 = 0x200;
}

/// Segment flag bits (`WASM_SEG_FLAG_*`).
pub mod segment_flags {
    /// Only NUL-terminated strings: may be merged.
    pub const STRINGS: u32 = 0x1;
    /// Thread-local data.
    pub const TLS: u32 = 0x2;
    /// Keep if the object is linked at all.
    pub const RETAIN: u32 = 0x4;
}

/// Where a data symbol lives inside its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataDef {
    /// Index of the data segment.
    pub segment: SegmentIdx,
    /// Offset inside the segment.
    pub offset: u64,
    /// Size in bytes.
    pub size: u64,
}

/// What a symbol refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    /// Function index (import or definition) of the object.
    Function(FuncIdx),
    /// Data: defined at a place, or undefined.
    Data(Option<DataDef>),
    /// Global index of the object.
    Global(u32),
    /// Section index of the object (custom sections such as `.debug_info`).
    Section(u32),
    /// Tag index of the object.
    Tag(u32),
    /// Table index of the object.
    Table(u32),
}

impl SymbolKind {
    /// Short lower-case name of the kind, for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            SymbolKind::Function(_) => "function",
            SymbolKind::Data(_) => "data",
            SymbolKind::Global(_) => "global",
            SymbolKind::Section(_) => "section",
            SymbolKind::Tag(_) => "tag",
            SymbolKind::Table(_) => "table",
        }
    }
}

/// One symbol table entry. The name is resolved already: for undefined
/// non-data symbols without an explicit name it is the import field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Symbol<'a> {
    /// The symbol's name (may be empty for section symbols).
    pub name: &'a str,
    /// What it refers to.
    pub kind: SymbolKind,
    /// `WASM_SYM_*` bits.
    pub flags: u32,
}

impl Symbol<'_> {
    /// True for undefined symbols.
    pub fn is_undefined(&self) -> bool {
        self.flags & flags::UNDEFINED != 0
    }
    /// True for weak symbols.
    pub fn is_weak(&self) -> bool {
        self.flags & flags::BINDING_WEAK != 0
    }
    /// True for local symbols.
    pub fn is_local(&self) -> bool {
        self.flags & flags::BINDING_LOCAL != 0
    }
    /// True for hidden symbols.
    pub fn is_hidden(&self) -> bool {
        self.flags & flags::VISIBILITY_HIDDEN != 0
    }
}

/// A data segment's name, alignment and flags from `WASM_SEGMENT_INFO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentInfo<'a> {
    /// Segment name, e.g. `.rodata.str1.1`.
    pub name: &'a str,
    /// Alignment as a power of two.
    pub align_log2: u32,
    /// `WASM_SEG_FLAG_*` bits.
    pub flags: u32,
}

/// An init function (constructor) entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitFunc {
    /// Lower priorities run first.
    pub priority: u32,
    /// Symbol index of the function.
    pub symbol: SymbolIdx,
}

/// Kind of a COMDAT member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ComdatKind {
    /// A data segment.
    Data,
    /// A function.
    Function,
    /// A global.
    Global,
    /// A tag.
    Tag,
    /// A table.
    Table,
    /// A custom section.
    Section,
}

impl ComdatKind {
    /// Short lower-case name of the kind, for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            ComdatKind::Data => "data",
            ComdatKind::Function => "function",
            ComdatKind::Global => "global",
            ComdatKind::Tag => "tag",
            ComdatKind::Table => "table",
            ComdatKind::Section => "section",
        }
    }
}

/// One COMDAT group: the object-local items that are kept or dropped together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comdat<'a> {
    /// The group name: the first object with this name wins.
    pub name: &'a str,
    /// Members: kind and index. Function, global, tag and table indices are
    /// absolute in the file (imports included); [`crate::parse_object`]
    /// rebases them to defined-item indices.
    pub members: Vec<(ComdatKind, u32)>,
}

/// The decoded `linking` section.
#[derive(Debug, Clone, Default)]
pub struct Linking<'a> {
    /// Symbol table.
    pub symbols: Vec<Symbol<'a>>,
    /// Segment info, by data segment index.
    pub segments: Vec<SegmentInfo<'a>>,
    /// Init functions.
    pub init_funcs: Vec<InitFunc>,
    /// COMDAT groups.
    pub comdats: Vec<Comdat<'a>>,
}

/// What the linking decoder needs to know about the object's imports.
pub struct ImportNames<'a> {
    /// Field names of function imports, by function index.
    pub functions: Vec<&'a str>,
    /// Field names of global imports, by global index.
    pub globals: Vec<&'a str>,
    /// Field names of table imports, by table index.
    pub tables: Vec<&'a str>,
    /// Field names of tag imports, by tag index.
    pub tags: Vec<&'a str>,
}

const SUB_SEGMENT_INFO: u8 = 5;
const SUB_INIT_FUNCS: u8 = 6;
const SUB_COMDAT_INFO: u8 = 7;
const SUB_SYMBOL_TABLE: u8 = 8;

/// Decodes a `linking` section payload starting at absolute offset `base`.
pub fn parse_linking<'a>(payload: &'a [u8], base: usize, imports: &ImportNames<'a>) -> RawResult<Linking<'a>> {
    let mut r = Reader::new(payload, base);
    let at = r.offset();
    let version = r.leb_u32()?;
    if version != 2 {
        return Err(RawError::new(at, ParseErrorKind::UnsupportedLinkingVersion(version)));
    }
    let mut out = Linking::default();
    while !r.is_empty() {
        let sub_at = r.offset();
        let ty = r.u8()?;
        let len = r.leb_u32()? as usize;
        let body_base = r.offset();
        let body = r.bytes(len, "linking subsection")?;
        let mut s = Reader::new(body, body_base);
        match ty {
            SUB_SEGMENT_INFO => {
                let n = s.count(3, "segment info")?;
                out.segments.reserve(n as usize);
                for _ in 0..n {
                    let name = s.string("segment name")?;
                    let align_log2 = s.leb_u32()?;
                    let flags = s.leb_u32()?;
                    out.segments.push(SegmentInfo { name, align_log2, flags });
                }
            }
            SUB_INIT_FUNCS => {
                let n = s.count(2, "init function")?;
                for _ in 0..n {
                    let priority = s.leb_u32()?;
                    let sym_at = s.offset();
                    let symbol = s.leb_u32()?;
                    match out.symbols.get(symbol as usize) {
                        Some(Symbol { kind: SymbolKind::Function(_), .. }) => {}
                        _ => return Err(RawError::new(sym_at, ParseErrorKind::InitFuncNotFunction(symbol))),
                    }
                    out.init_funcs.push(InitFunc { priority, symbol: SymbolIdx(symbol) });
                }
            }
            SUB_COMDAT_INFO => {
                let n = s.count(3, "comdat")?;
                out.comdats.reserve(n as usize);
                for _ in 0..n {
                    let name = s.string("comdat name")?;
                    let flags_at = s.offset();
                    if s.leb_u32()? != 0 {
                        return Err(RawError::new(flags_at, ParseErrorKind::ComdatFlagsNonZero));
                    }
                    let m = s.count(2, "comdat member")?;
                    let mut members = Vec::with_capacity(m as usize);
                    for _ in 0..m {
                        let kat = s.offset();
                        let kind = match s.u8()? {
                            0 => ComdatKind::Data,
                            1 => ComdatKind::Function,
                            2 => ComdatKind::Global,
                            3 => ComdatKind::Tag,
                            4 => ComdatKind::Table,
                            5 => ComdatKind::Section,
                            k => return Err(RawError::new(kat, ParseErrorKind::UnknownComdatKind(k))),
                        };
                        members.push((kind, s.leb_u32()?));
                    }
                    out.comdats.push(Comdat { name, members });
                }
            }
            SUB_SYMBOL_TABLE => {
                let n = s.count(2, "symbol")?;
                out.symbols.reserve(n as usize);
                for _ in 0..n {
                    out.symbols.push(parse_symbol(&mut s, imports)?);
                }
            }
            other => {
                return Err(RawError::new(sub_at, ParseErrorKind::UnknownLinkingSubsection(other)));
            }
        }
        if !s.is_empty() {
            return Err(s.error(ParseErrorKind::TrailingLinkingBytes));
        }
    }
    Ok(out)
}

fn parse_symbol<'a>(s: &mut Reader<'a>, imports: &ImportNames<'a>) -> RawResult<Symbol<'a>> {
    let at = s.offset();
    let kind_code = s.u8()?;
    let flags = s.leb_u32()?;
    let undefined = flags & flags::UNDEFINED != 0;
    let explicit = flags & flags::EXPLICIT_NAME != 0;
    let indexed = |s: &mut Reader<'a>, names: &[&'a str], space: Space| -> RawResult<(u32, &'a str)> {
        let index_at = s.offset();
        let index = s.leb_u32()?;
        let is_import = (index as usize) < names.len();
        if undefined != is_import {
            return Err(RawError::new(
                index_at,
                ParseErrorKind::SymbolImportMismatch { space, index, names_import: is_import, undefined },
            ));
        }
        let name = if !undefined || explicit { s.string("symbol name")? } else { names[index as usize] };
        Ok((index, name))
    };
    let (name, kind) = match kind_code {
        0 => {
            let (i, n) = indexed(s, &imports.functions, Space::Function)?;
            (n, SymbolKind::Function(FuncIdx(i)))
        }
        1 => {
            let name = s.string("symbol name")?;
            if undefined {
                (name, SymbolKind::Data(None))
            } else {
                let segment = SegmentIdx(s.leb_u32()?);
                let offset = s.leb_u32()? as u64;
                let size = s.leb_u32()? as u64;
                (name, SymbolKind::Data(Some(DataDef { segment, offset, size })))
            }
        }
        2 => {
            let (i, n) = indexed(s, &imports.globals, Space::Global)?;
            (n, SymbolKind::Global(i))
        }
        3 => ("", SymbolKind::Section(s.leb_u32()?)),
        4 => {
            let (i, n) = indexed(s, &imports.tags, Space::Tag)?;
            (n, SymbolKind::Tag(i))
        }
        5 => {
            let (i, n) = indexed(s, &imports.tables, Space::Table)?;
            (n, SymbolKind::Table(i))
        }
        k => return Err(RawError::new(at, ParseErrorKind::UnknownSymbolKind(k))),
    };
    Ok(Symbol { name, kind, flags })
}

/// The names of the defined, non-local symbols of an object, read straight
/// from its `linking` section without parsing anything else. Used to index
/// archives that have no symbol table: only the members that are extracted
/// are parsed in full. A wasm module without a `linking` section yields no
/// names.
pub fn defined_symbol_names(bytes: &[u8]) -> RawResult<Vec<&str>> {
    let mut r = Reader::new(bytes, 0);
    let magic = r.bytes(8, "module header")?;
    if &magic[..4] != b"\0asm" {
        return Err(RawError::new(0, ParseErrorKind::BadMagic));
    }
    while !r.is_empty() {
        let id = r.u8()?;
        let size = r.leb_u32()? as usize;
        let base = r.offset();
        let payload = r.bytes(size, "section")?;
        if id != 0 {
            continue;
        }
        let mut c = Reader::new(payload, base);
        if c.string("custom section name")? != "linking" {
            continue;
        }
        let at = c.offset();
        let version = c.leb_u32()?;
        if version != 2 {
            return Err(RawError::new(at, ParseErrorKind::UnsupportedLinkingVersion(version)));
        }
        let mut names = Vec::new();
        while !c.is_empty() {
            let ty = c.u8()?;
            let len = c.leb_u32()? as usize;
            let sub_base = c.offset();
            let body = c.bytes(len, "linking subsection")?;
            if ty != SUB_SYMBOL_TABLE {
                continue;
            }
            let mut s = Reader::new(body, sub_base);
            let n = s.count(2, "symbol")?;
            for _ in 0..n {
                let kat = s.offset();
                let kind = s.u8()?;
                let fl = s.leb_u32()?;
                let undefined = fl & flags::UNDEFINED != 0;
                let name = match kind {
                    0 | 2 | 4 | 5 => {
                        s.leb_u32()?;
                        if !undefined || fl & flags::EXPLICIT_NAME != 0 {
                            Some(s.string("symbol name")?)
                        } else {
                            None
                        }
                    }
                    1 => {
                        let name = s.string("symbol name")?;
                        if !undefined {
                            s.leb_u32()?;
                            s.leb_u32()?;
                            s.leb_u32()?;
                        }
                        Some(name)
                    }
                    3 => {
                        s.leb_u32()?;
                        None
                    }
                    k => return Err(RawError::new(kat, ParseErrorKind::UnknownSymbolKind(k))),
                };
                if let Some(name) = name {
                    if !undefined && fl & flags::BINDING_LOCAL == 0 {
                        names.push(name);
                    }
                }
            }
        }
        return Ok(names);
    }
    Ok(Vec::new())
}
