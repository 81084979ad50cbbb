//! Relocation entries of `reloc.*` custom sections (tool-conventions
//! Linking.md). The linker owns this decoder so that every relocation type,
//! including ones newer than wasmparser knows, is read with its addend.

use crate::error::{ParseErrorKind, RawError, RawResult};
use crate::reader::Reader;

/// A relocation type (`R_WASM_*`). The discriminants are the on-disk codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum RelocType {
    FunctionIndexLeb = 0,
    TableIndexSleb = 1,
    TableIndexI32 = 2,
    MemoryAddrLeb = 3,
    MemoryAddrSleb = 4,
    MemoryAddrI32 = 5,
    TypeIndexLeb = 6,
    GlobalIndexLeb = 7,
    FunctionOffsetI32 = 8,
    SectionOffsetI32 = 9,
    TagIndexLeb = 10,
    MemoryAddrRelSleb = 11,
    TableIndexRelSleb = 12,
    GlobalIndexI32 = 13,
    MemoryAddrLeb64 = 14,
    MemoryAddrSleb64 = 15,
    MemoryAddrI64 = 16,
    MemoryAddrRelSleb64 = 17,
    TableIndexSleb64 = 18,
    TableIndexI64 = 19,
    TableNumberLeb = 20,
    MemoryAddrTlsSleb = 21,
    FunctionOffsetI64 = 22,
    MemoryAddrLocrelI32 = 23,
    TableIndexRelSleb64 = 24,
    MemoryAddrTlsSleb64 = 25,
    FunctionIndexI32 = 26,
    /// Code 27, newer than LLVM 22 (whose WasmRelocs.def ends at 26): its
    /// entry is decoded (index, no addend) so that an object using it fails
    /// with a clear "not supported yet" error naming the type and offset,
    /// never a mis-patch.
    Reserved27 = 27,
}

/// How the patched field is encoded in the section bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldEncoding {
    /// 5-byte padded unsigned LEB128.
    Uleb32,
    /// 5-byte padded signed LEB128.
    Sleb32,
    /// 10-byte padded unsigned LEB128.
    Uleb64,
    /// 10-byte padded signed LEB128.
    Sleb64,
    /// Little-endian 4-byte integer.
    I32,
    /// Little-endian 8-byte integer.
    I64,
}

impl FieldEncoding {
    /// Width of the field in bytes.
    pub fn width(self) -> usize {
        match self {
            FieldEncoding::Uleb32 | FieldEncoding::Sleb32 => 5,
            FieldEncoding::Uleb64 | FieldEncoding::Sleb64 => 10,
            FieldEncoding::I32 => 4,
            FieldEncoding::I64 => 8,
        }
    }
}

/// What kind of symbol (or index) a relocation's `index` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelocTarget {
    /// A function symbol.
    Function,
    /// A data symbol.
    Data,
    /// A global symbol.
    Global,
    /// A tag symbol.
    Tag,
    /// A table symbol.
    Table,
    /// A section symbol.
    Section,
    /// Not a symbol: an index into the object's type section.
    Type,
}

impl RelocTarget {
    /// Short lower-case name of the kind of symbol, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            RelocTarget::Function => "function",
            RelocTarget::Data => "data",
            RelocTarget::Global => "global",
            RelocTarget::Tag => "tag",
            RelocTarget::Table => "table",
            RelocTarget::Section => "section",
            RelocTarget::Type => "type",
        }
    }
}

impl RelocType {
    /// Decodes an on-disk type code.
    pub fn from_code(code: u8) -> Option<RelocType> {
        use RelocType::*;
        Some(match code {
            0 => FunctionIndexLeb,
            1 => TableIndexSleb,
            2 => TableIndexI32,
            3 => MemoryAddrLeb,
            4 => MemoryAddrSleb,
            5 => MemoryAddrI32,
            6 => TypeIndexLeb,
            7 => GlobalIndexLeb,
            8 => FunctionOffsetI32,
            9 => SectionOffsetI32,
            10 => TagIndexLeb,
            11 => MemoryAddrRelSleb,
            12 => TableIndexRelSleb,
            13 => GlobalIndexI32,
            14 => MemoryAddrLeb64,
            15 => MemoryAddrSleb64,
            16 => MemoryAddrI64,
            17 => MemoryAddrRelSleb64,
            18 => TableIndexSleb64,
            19 => TableIndexI64,
            20 => TableNumberLeb,
            21 => MemoryAddrTlsSleb,
            22 => FunctionOffsetI64,
            23 => MemoryAddrLocrelI32,
            24 => TableIndexRelSleb64,
            25 => MemoryAddrTlsSleb64,
            26 => FunctionIndexI32,
            27 => Reserved27,
            _ => return None,
        })
    }

    /// The `R_WASM_*` name, for messages and dumps.
    pub fn name(self) -> &'static str {
        use RelocType::*;
        match self {
            FunctionIndexLeb => "R_WASM_FUNCTION_INDEX_LEB",
            TableIndexSleb => "R_WASM_TABLE_INDEX_SLEB",
            TableIndexI32 => "R_WASM_TABLE_INDEX_I32",
            MemoryAddrLeb => "R_WASM_MEMORY_ADDR_LEB",
            MemoryAddrSleb => "R_WASM_MEMORY_ADDR_SLEB",
            MemoryAddrI32 => "R_WASM_MEMORY_ADDR_I32",
            TypeIndexLeb => "R_WASM_TYPE_INDEX_LEB",
            GlobalIndexLeb => "R_WASM_GLOBAL_INDEX_LEB",
            FunctionOffsetI32 => "R_WASM_FUNCTION_OFFSET_I32",
            SectionOffsetI32 => "R_WASM_SECTION_OFFSET_I32",
            TagIndexLeb => "R_WASM_TAG_INDEX_LEB",
            MemoryAddrRelSleb => "R_WASM_MEMORY_ADDR_REL_SLEB",
            TableIndexRelSleb => "R_WASM_TABLE_INDEX_REL_SLEB",
            GlobalIndexI32 => "R_WASM_GLOBAL_INDEX_I32",
            MemoryAddrLeb64 => "R_WASM_MEMORY_ADDR_LEB64",
            MemoryAddrSleb64 => "R_WASM_MEMORY_ADDR_SLEB64",
            MemoryAddrI64 => "R_WASM_MEMORY_ADDR_I64",
            MemoryAddrRelSleb64 => "R_WASM_MEMORY_ADDR_REL_SLEB64",
            TableIndexSleb64 => "R_WASM_TABLE_INDEX_SLEB64",
            TableIndexI64 => "R_WASM_TABLE_INDEX_I64",
            TableNumberLeb => "R_WASM_TABLE_NUMBER_LEB",
            MemoryAddrTlsSleb => "R_WASM_MEMORY_ADDR_TLS_SLEB",
            FunctionOffsetI64 => "R_WASM_FUNCTION_OFFSET_I64",
            MemoryAddrLocrelI32 => "R_WASM_MEMORY_ADDR_LOCREL_I32",
            TableIndexRelSleb64 => "R_WASM_TABLE_INDEX_REL_SLEB64",
            MemoryAddrTlsSleb64 => "R_WASM_MEMORY_ADDR_TLS_SLEB64",
            FunctionIndexI32 => "R_WASM_FUNCTION_INDEX_I32",
            Reserved27 => "R_WASM_27",
        }
    }

    /// Whether the entry carries an addend field.
    pub fn has_addend(self) -> bool {
        use RelocType::*;
        matches!(
            self,
            MemoryAddrLeb
                | MemoryAddrSleb
                | MemoryAddrI32
                | FunctionOffsetI32
                | SectionOffsetI32
                | MemoryAddrRelSleb
                | MemoryAddrLeb64
                | MemoryAddrSleb64
                | MemoryAddrI64
                | MemoryAddrRelSleb64
                | MemoryAddrTlsSleb
                | FunctionOffsetI64
                | MemoryAddrLocrelI32
                | MemoryAddrTlsSleb64
        )
    }

    /// The encoding of the field the relocation patches.
    pub fn encoding(self) -> FieldEncoding {
        use RelocType::*;
        match self {
            FunctionIndexLeb | TypeIndexLeb | GlobalIndexLeb | TagIndexLeb | MemoryAddrLeb | TableNumberLeb => {
                FieldEncoding::Uleb32
            }
            TableIndexSleb | MemoryAddrSleb | MemoryAddrRelSleb | TableIndexRelSleb | MemoryAddrTlsSleb => {
                FieldEncoding::Sleb32
            }
            MemoryAddrLeb64 | Reserved27 => FieldEncoding::Uleb64,
            MemoryAddrSleb64 | MemoryAddrRelSleb64 | TableIndexSleb64 | TableIndexRelSleb64 | MemoryAddrTlsSleb64 => {
                FieldEncoding::Sleb64
            }
            TableIndexI32 | MemoryAddrI32 | FunctionOffsetI32 | SectionOffsetI32 | GlobalIndexI32
            | MemoryAddrLocrelI32 | FunctionIndexI32 => FieldEncoding::I32,
            MemoryAddrI64 | TableIndexI64 | FunctionOffsetI64 => FieldEncoding::I64,
        }
    }

    /// Which kind of symbol the relocation's index must name.
    pub fn target(self) -> RelocTarget {
        use RelocType::*;
        match self {
            FunctionIndexLeb | TableIndexSleb | TableIndexI32 | FunctionOffsetI32 | TableIndexRelSleb
            | TableIndexSleb64 | TableIndexI64 | FunctionOffsetI64 | TableIndexRelSleb64 | FunctionIndexI32 => {
                RelocTarget::Function
            }
            MemoryAddrLeb | MemoryAddrSleb | MemoryAddrI32 | MemoryAddrRelSleb | MemoryAddrLeb64 | MemoryAddrSleb64
            | MemoryAddrI64 | MemoryAddrRelSleb64 | MemoryAddrTlsSleb | MemoryAddrLocrelI32 | MemoryAddrTlsSleb64 => {
                RelocTarget::Data
            }
            TypeIndexLeb => RelocTarget::Type,
            GlobalIndexLeb | GlobalIndexI32 => RelocTarget::Global,
            TagIndexLeb => RelocTarget::Tag,
            TableNumberLeb | Reserved27 => RelocTarget::Table,
            SectionOffsetI32 => RelocTarget::Section,
        }
    }
}

/// One relocation entry. `offset` is relative to the start of the target
/// section's payload (after its id and size), as in the object file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reloc {
    /// The relocation type.
    pub ty: RelocType,
    /// Offset of the patched field within the target section's payload.
    pub offset: u32,
    /// Symbol index (or type index for `R_WASM_TYPE_INDEX_LEB`).
    pub index: u32,
    /// Addend (zero for types without one).
    pub addend: i64,
}

/// Reads the head of a `reloc.*` section payload (which starts at absolute
/// offset `base`): the index of the section it patches and its entries,
/// still encoded.
pub fn parse_reloc_header(payload: &[u8], base: usize) -> RawResult<(u32, EncodedRelocs<'_>)> {
    let mut r = Reader::new(payload, base);
    let target_section = r.leb_u32()?;
    let count = r.count(3, "relocation")?;
    let at = r.pos();
    Ok((target_section, EncodedRelocs { bytes: &payload[at..], base: base + at, section: base, count }))
}

/// The entries of a `reloc.*` section as they are in the file. Debug
/// sections carry millions of relocations that only emit reads, once, while
/// it patches them in; keeping them encoded until then spares decoding them
/// into memory and reading them back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EncodedRelocs<'a> {
    /// The encoded entries (and nothing after them, if well-formed).
    bytes: &'a [u8],
    /// Absolute offset of `bytes[0]` in the input, for errors.
    base: usize,
    /// Absolute offset of the relocation section's payload, where errors
    /// about where an entry lands are reported.
    section: usize,
    /// How many entries the section declares.
    count: u32,
}

impl<'a> EncodedRelocs<'a> {
    /// Number of entries the section declares.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// Absolute offset of the relocation section's payload in the input.
    pub fn section_offset(&self) -> usize {
        self.section
    }

    /// True when the section declares no entries.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Decodes the entries in order, calling `f` on each, until the end, a
    /// decoding error (an undecodable entry, or bytes after the last one)
    /// or an error from `f`. The loop of the hot path: emit patches debug
    /// sections through it.
    pub fn try_for_each<E>(
        &self,
        mut f: impl FnMut(Reloc) -> Result<(), E>,
        decode_error: impl FnOnce(RawError) -> E,
    ) -> Result<(), E> {
        let mut reader = Reader::new(self.bytes, self.base);
        for _ in 0..self.count {
            match read_entry(&mut reader) {
                Ok(r) => f(r)?,
                Err(e) => return Err(decode_error(e)),
            }
        }
        if !reader.is_empty() {
            return Err(decode_error(reader.error(ParseErrorKind::TrailingRelocBytes)));
        }
        Ok(())
    }

    /// Decodes the entries in order. An undecodable entry, or bytes after
    /// the last one, ends the iteration with its error.
    pub fn iter(&self) -> RelocIter<'a> {
        RelocIter { reader: Reader::new(self.bytes, self.base), left: self.count, done: false }
    }
}

/// Iterator over [`EncodedRelocs`], decoding as it goes.
pub struct RelocIter<'a> {
    reader: Reader<'a>,
    left: u32,
    done: bool,
}

impl Iterator for RelocIter<'_> {
    type Item = RawResult<Reloc>;

    fn next(&mut self) -> Option<RawResult<Reloc>> {
        if self.done {
            return None;
        }
        if self.left == 0 {
            self.done = true;
            return (!self.reader.is_empty()).then(|| Err(self.reader.error(ParseErrorKind::TrailingRelocBytes)));
        }
        self.left -= 1;
        let entry = read_entry(&mut self.reader);
        self.done = entry.is_err();
        Some(entry)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left as usize + 1))
    }
}

/// Decodes one relocation entry.
#[inline]
fn read_entry(r: &mut Reader<'_>) -> RawResult<Reloc> {
    let at = r.offset();
    let code = r.u8()?;
    let ty =
        RelocType::from_code(code).ok_or_else(|| RawError::new(at, ParseErrorKind::UnknownRelocationType(code)))?;
    if ty == RelocType::Reserved27 {
        return Err(RawError::new(at, ParseErrorKind::UnsupportedRelocationType(ty)));
    }
    let offset = r.leb_u32()?;
    let index = r.leb_u32()?;
    let addend = if ty.has_addend() { r.leb_i64()? } else { 0 };
    Ok(Reloc { ty, offset, index, addend })
}
