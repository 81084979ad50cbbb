//! Typed errors of the parse stage: every error names the input file (and
//! archive member) and the byte offset where the problem was found, and says
//! what was wrong as a [`ParseErrorKind`] that tools can match on. All the
//! wording of the stage's messages lives in this module.

use crate::linking::ComdatKind;
use crate::object::MAX_SEGMENT_ALIGN_LOG2;
use crate::reloc::{RelocTarget, RelocType};
use std::fmt;

/// A parse failure at a known position of a named input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: at offset 0x{:x}: {}", escape_controls(.file), .offset, escape_controls(&.kind.to_string()))]
pub struct ParseError {
    /// Display name of the input: `path` or `archive.a(member.o)`.
    pub file: String,
    /// Byte offset into that file (or archive member) where parsing failed.
    pub offset: usize,
    /// What was expected or what was wrong.
    pub kind: ParseErrorKind,
}

/// `s` with control characters (newlines, escape sequences) written as
/// `\n`, `\u{1b}`...: names taken from a hostile input must not split the
/// one-line error message or drive the terminal.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// An error without a file name yet, raised deep inside a reader; the caller
/// that knows which file is being read attaches the name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at offset 0x{offset:x}: {kind}")]
pub struct RawError {
    /// Byte offset into the input.
    pub offset: usize,
    /// What was expected or what was wrong.
    pub kind: ParseErrorKind,
}

impl RawError {
    /// Creates an error at `offset`.
    pub fn new(offset: usize, kind: ParseErrorKind) -> Self {
        RawError { offset, kind }
    }

    /// Attaches the file name.
    pub fn in_file(self, file: &str) -> ParseError {
        ParseError { file: file.to_string(), offset: self.offset, kind: self.kind }
    }
}

impl From<wasmparser::BinaryReaderError> for RawError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        RawError::new(e.offset() as usize, ParseErrorKind::Wasmparser(e.message().to_string()))
    }
}

/// Result type of the low-level readers.
pub type RawResult<T> = Result<T, RawError>;

/// An index space of an object, named in "index out of range" errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Space {
    /// Functions (imports first, then definitions).
    Function,
    /// The type of a defined function (an index into the type section).
    FunctionType,
    /// Globals.
    Global,
    /// Tables.
    Table,
    /// Tags.
    Tag,
    /// Data segments.
    DataSegment,
}

impl fmt::Display for Space {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Space::Function => "function",
            Space::FunctionType => "function type",
            Space::Global => "global",
            Space::Table => "table",
            Space::Tag => "tag",
            Space::DataSegment => "data segment",
        })
    }
}

/// How a LEB128 integer is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LebProblem {
    /// The input ends inside the integer.
    Truncated,
    /// An unsigned 32-bit LEB decodes to more than `u32::MAX`.
    TooLargeU32,
    /// A signed 32-bit LEB decodes to a value outside `i32`.
    TooLargeI32,
    /// More continuation bytes than the integer's width allows.
    TooLong {
        /// The maximum number of bytes.
        max: usize,
    },
}

impl fmt::Display for LebProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LebProblem::Truncated => f.write_str("truncated LEB128 integer"),
            LebProblem::TooLargeU32 => f.write_str("LEB128 integer too large for 32 bits"),
            LebProblem::TooLargeI32 => f.write_str("signed LEB128 integer too large for 32 bits"),
            LebProblem::TooLong { max } => write!(f, "LEB128 integer longer than {max} bytes"),
        }
    }
}

/// What is wrong with one entry of the `linking` symbol table (reported as
/// [`ParseErrorKind::BadSymbol`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SymbolProblem {
    /// The symbol's function/global/table/tag/segment index is past the end
    /// of its index space.
    #[error("{space} index {index} out of range")]
    IndexOutOfRange {
        /// Which index space.
        space: Space,
        /// The index found.
        index: u32,
        /// The size of the index space.
        limit: u32,
    },
    /// A data symbol starts past the end of its segment.
    #[error("offset {offset} is past the end of its segment ({segment_len} bytes)")]
    DataPastSegment {
        /// Offset inside the segment.
        offset: u64,
        /// Size of the symbol.
        size: u64,
        /// Length of the segment.
        segment_len: usize,
    },
    /// A section symbol names a section that is not a custom section.
    #[error("section index {0} is not a custom section")]
    NotCustomSection(u32),
    /// A section symbol without local binding.
    #[error("section symbols must have local binding")]
    SectionNotLocal,
    /// A symbol that is both local and undefined.
    #[error("a local symbol cannot be undefined")]
    LocalUndefined,
}

/// What is wrong with one relocation entry (reported as
/// [`ParseErrorKind::BadRelocation`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelocProblem {
    /// The patched field ends past its section.
    #[error("lies outside its {section_len}-byte section")]
    OutsideSection {
        /// Payload length of the relocated section.
        section_len: usize,
    },
    /// The entry starts before the end of the previous one.
    #[error("is out of order or overlaps the previous one")]
    OutOfOrder,
    /// A type-index relocation names a type past the type section.
    #[error("names type {index} out of range")]
    TypeOutOfRange {
        /// The type index.
        index: u32,
        /// The number of types.
        limit: usize,
    },
    /// The entry names a symbol past the symbol table.
    #[error("names symbol {index} out of range")]
    SymbolOutOfRange {
        /// The symbol index.
        index: u32,
        /// The number of symbols.
        limit: usize,
    },
    /// The named symbol is of the wrong kind for the relocation type.
    #[error(
        "needs a {} symbol but symbol {symbol} ({}) is a {found} symbol",
        .needed.describe(), escape_controls(.name)
    )]
    WrongSymbolKind {
        /// The kind the relocation type needs.
        needed: RelocTarget,
        /// The symbol index.
        symbol: u32,
        /// The symbol's name.
        name: String,
        /// The kind the symbol has (`SymbolKind::describe`).
        found: &'static str,
    },
}

/// Where a relocation entry that lies outside every atom was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelocSite {
    /// The code section.
    Code,
    /// The data section.
    Data,
}

/// What went wrong while parsing an input. The `Display` output is the
/// message printed after `FILE: at offset 0x...: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    // ---- generic reading ----
    /// The reader of wasmparser rejected the bytes; its message as is.
    #[error("{0}")]
    Wasmparser(String),
    /// The input ends where one more byte was expected.
    #[error("unexpected end of data, expected a byte")]
    UnexpectedEnd,
    /// A length-prefixed item runs past the end of its enclosing data.
    #[error("{what} of {len} bytes runs past the end ({left} bytes left)")]
    RunsPastEnd {
        /// What was being read.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The bytes that were left.
        left: usize,
    },
    /// A malformed LEB128 integer.
    #[error("{0}")]
    BadLeb(LebProblem),
    /// A count so large that its items cannot fit in the remaining bytes.
    #[error("{what} count {count} does not fit in the remaining {left} bytes")]
    CountTooLarge {
        /// What is being counted.
        what: &'static str,
        /// The count read.
        count: u32,
        /// The bytes that were left.
        left: usize,
    },
    /// A string that is not UTF-8.
    #[error("{what} is not valid UTF-8")]
    InvalidUtf8 {
        /// What the string is.
        what: &'static str,
    },

    // ---- inputs and module structure ----
    /// A command-line input that is neither a wasm object nor an archive.
    #[error("unknown file type: not a WebAssembly object or archive")]
    UnknownFileType,
    /// An archive member that is not a wasm module.
    #[error("archive member is not a WebAssembly object")]
    MemberNotWasm,
    /// Some tables have no symbol, which only an MVP object with one table
    /// may do.
    #[error(
        "expected one symbol table entry for each of the {tables} table(s) present, but got {symbols} symbol(s) instead."
    )]
    TableSymbolsMissing {
        /// Tables, imported and defined.
        tables: usize,
        /// Table symbols.
        symbols: usize,
    },
    /// LLVM bitcode (an object compiled with `-flto`): linking it needs LTO,
    /// which wasmlink doesn't do.
    #[error("LTO is not supported: this is an LLVM bitcode file (compiled with -flto); recompile without -flto")]
    Bitcode,
    /// The `\0asm` magic number is missing.
    #[error("not a WebAssembly file (bad magic number)")]
    BadMagic,
    /// The module version is not 1.
    #[error("unsupported WebAssembly version, expected 1")]
    UnsupportedVersion(u32),
    /// A wasm module without a `linking` section: a linked module, not an
    /// object. Archive members of this kind are skipped.
    #[error("not a relocatable object: no linking section (was it linked already?)")]
    NotRelocatable,
    /// A shared library while linking statically (`-Bstatic`, or neither
    /// `-pie` nor `-shared` nor `-Bdynamic`), as wasm-ld words it.
    #[error("attempted static link of dynamic object")]
    StaticLinkOfShared,
    /// A section that relocatable objects do not have (e.g. components).
    #[error("unexpected section in a relocatable object")]
    UnexpectedSection,
    /// More than one memory, imported or defined (an object imports its
    /// memory, or defines it when it is the output of `wasm-ld -r`).
    #[error("relocatable objects have one memory, imported or defined")]
    DefinedMemory,
    /// An import whose kind the linker does not support.
    #[error("unsupported import kind for {}.{}", escape_controls(.module), escape_controls(.field))]
    UnsupportedImportKind {
        /// Import module name.
        module: String,
        /// Import field name.
        field: String,
    },
    /// A function or tag import with a type index past the type section.
    #[error("import {}.{} has type index {index} out of range", escape_controls(.module), escape_controls(.field))]
    ImportTypeOutOfRange {
        /// Import module name.
        module: String,
        /// Import field name.
        field: String,
        /// The type index.
        index: u32,
    },
    /// A function export naming a function past the function index space.
    #[error("export {} names function {index} out of range", escape_controls(.name))]
    ExportOutOfRange {
        /// The export name.
        name: String,
        /// The function index.
        index: u32,
    },
    /// An index past the end of its index space.
    #[error("{space} index {index} out of range")]
    IndexOutOfRange {
        /// Which index space.
        space: Space,
        /// The index found.
        index: u32,
        /// The size of the index space.
        limit: u32,
    },
    /// The code section's body count differs from the function section's.
    #[error("code section has {bodies} bodies but the function section declares {declared}")]
    BodyCountMismatch {
        /// Bodies in the code section.
        bodies: u32,
        /// Functions declared in the function section.
        declared: usize,
    },
    /// A code body beyond the declared functions.
    #[error("more code bodies than declared functions")]
    ExtraCodeBody,
    /// The module ends before the code section supplied every body.
    #[error("function section declares more functions than the code section has bodies")]
    MissingCodeBodies {
        /// Functions declared in the function section.
        declared: usize,
        /// Bodies found.
        bodies: usize,
    },

    // ---- custom sections ----
    /// A second `linking` section.
    #[error("duplicate linking section")]
    DuplicateLinkingSection,
    /// A `linking` section version other than 2.
    #[error("linking section version {0}, expected 2")]
    UnsupportedLinkingVersion(u32),
    /// A `linking` subsection type the linker does not know.
    #[error("unknown linking subsection type {0}")]
    UnknownLinkingSubsection(u8),
    /// A `linking` subsection longer than its entries.
    #[error("trailing bytes in linking subsection")]
    TrailingLinkingBytes,
    /// A symbol table entry with an unknown kind code.
    #[error("unknown symbol kind {0}")]
    UnknownSymbolKind(u8),
    /// An undefined symbol that does not name an import, or a defined one
    /// that does.
    #[error(
        "{} symbol index {index} {} an import but the symbol is {}",
        .space,
        if *.names_import { "names" } else { "does not name" },
        if *.undefined { "undefined" } else { "defined" }
    )]
    SymbolImportMismatch {
        /// The symbol's index space.
        space: Space,
        /// The function/global/table/tag index.
        index: u32,
        /// Whether the index names an import.
        names_import: bool,
        /// Whether the symbol is flagged undefined.
        undefined: bool,
    },
    /// A symbol table entry that is inconsistent with the rest of the object.
    #[error("symbol {index} ({}): {problem}", escape_controls(.name))]
    BadSymbol {
        /// The symbol's index in the symbol table.
        index: usize,
        /// The symbol's name.
        name: String,
        /// What is wrong.
        problem: SymbolProblem,
    },
    /// An init function entry naming a symbol that is not a function.
    #[error("init function refers to symbol {0}, which is not a function symbol")]
    InitFuncNotFunction(u32),
    /// A COMDAT with nonzero flags.
    #[error("comdat flags must be zero")]
    ComdatFlagsNonZero,
    /// A COMDAT member with an unknown kind code.
    #[error("unknown comdat member kind {0}")]
    UnknownComdatKind(u8),
    /// A COMDAT member index that names no defined item of its kind.
    #[error("comdat {} member index {index} does not name a defined {}", escape_controls(.comdat), .kind.describe())]
    BadComdatMember {
        /// The COMDAT's name.
        comdat: String,
        /// The member's kind.
        kind: ComdatKind,
        /// The member's (absolute) index.
        index: u32,
    },
    /// Segment info and data section disagree on the number of segments.
    #[error("segment info lists {info} segments but the data section has {data}")]
    SegmentCountMismatch {
        /// Segments in the segment info.
        info: usize,
        /// Segments in the data section.
        data: usize,
    },
    /// A segment alignment above [`MAX_SEGMENT_ALIGN_LOG2`].
    #[error(
        "segment {} alignment 2^{align_log2} is larger than the supported maximum 2^{} (64 KiB)",
        escape_controls(.segment), MAX_SEGMENT_ALIGN_LOG2
    )]
    SegmentAlignTooLarge {
        /// The segment's name.
        segment: String,
        /// Its alignment, as a power of two.
        align_log2: u32,
    },
    /// A `target_features` entry with a prefix other than `+`, `-`, `=`.
    #[error("unknown target feature prefix 0x{0:02x}")]
    UnknownFeaturePrefix(u8),

    // ---- relocations ----
    /// A relocation type code the linker does not know.
    #[error("unknown relocation type {0}")]
    UnknownRelocationType(u8),
    /// A known relocation type code that the linker does not implement.
    #[error("relocation type {} is not supported yet (it is newer than LLVM 22)", *.0 as u8)]
    UnsupportedRelocationType(RelocType),
    /// A `reloc.*` section longer than its entries.
    #[error("trailing bytes after the relocation entries")]
    TrailingRelocBytes,
    /// A `reloc.*` section for a section that cannot be relocated.
    #[error("relocation section applies to section {0}, which cannot be relocated")]
    UnrelocatableSection(u32),
    /// A second `reloc.*` section for the same section.
    #[error("second relocation section for section {0}")]
    DuplicateRelocSection(u32),
    /// A relocation entry that is inconsistent with its section or symbol.
    #[error("relocation {} at offset 0x{offset:x} {problem}", .ty.name())]
    BadRelocation {
        /// The relocation type.
        ty: RelocType,
        /// Offset of the patched field within its section.
        offset: u32,
        /// What is wrong.
        problem: RelocProblem,
    },
    /// A code relocation whose field crosses into a function's size prefix
    /// or the next function.
    #[error("code relocation at offset 0x{0:x} straddles a function boundary")]
    CodeRelocStraddles(u32),
    /// A relocation between atoms (before, between or after the functions
    /// or data segments of its section).
    #[error(
        "{} relocation at offset 0x{offset:x} is not inside any {}",
        match .site { RelocSite::Code => "code", RelocSite::Data => "data" },
        match .site { RelocSite::Code => "function", RelocSite::Data => "segment's data" }
    )]
    RelocOutsideAtoms {
        /// Code or data section.
        site: RelocSite,
        /// Offset of the relocated field within its section.
        offset: u32,
    },
    /// A data relocation whose field runs past the end of its segment.
    #[error("data relocation at offset 0x{0:x} runs past its segment")]
    DataRelocPastSegment(u32),

    // ---- archives ----
    /// The archive magic `!<arch>\n` is missing.
    #[error("not an archive (bad magic)")]
    BadArchiveMagic,
    /// A thin archive given to the regular archive parser.
    #[error("thin archive members must be loaded from their own files (see load_inputs)")]
    ThinArchiveNotLoaded,
    /// Fewer than 60 bytes of member header before the end.
    #[error("truncated archive member header ({available} of 60 bytes)")]
    TruncatedMemberHeader {
        /// Header bytes present.
        available: usize,
    },
    /// As [`ParseErrorKind::TruncatedMemberHeader`], in a thin archive.
    #[error("truncated thin archive member header")]
    TruncatedThinMemberHeader,
    /// A member header not terminated by a backquote and newline.
    #[error("bad archive member header terminator, expected \"`\\n\"")]
    BadMemberTerminator,
    /// A member size field that is not a decimal number.
    #[error("bad archive member size {0:?}")]
    BadMemberSize(String),
    /// A member whose size runs past the end of the archive.
    #[error("archive member size {size} runs past the end of the archive ({left} bytes left)")]
    MemberPastEnd {
        /// The member's size.
        size: usize,
        /// Bytes left after its header.
        left: usize,
    },
    /// As [`ParseErrorKind::MemberPastEnd`], for a thin archive's symbol or
    /// name table.
    #[error("archive member size runs past the end of the archive")]
    ThinMemberPastEnd,
    /// A GNU long name reference (`/N`) that is not a number.
    #[error("bad long name reference {0:?}")]
    BadLongNameRef(String),
    /// A GNU long name reference past the name table.
    #[error("long name offset {0} outside the name table")]
    LongNameOutOfRange(usize),
    /// A BSD long name length (`#1/N`) that is not a number.
    #[error("bad BSD long name length {0:?}")]
    BadBsdNameLength(String),
    /// A BSD long name longer than its member.
    #[error("BSD long name runs past the member data")]
    BsdNamePastEnd,
    /// The archive symbol index ends inside an entry.
    #[error("truncated archive symbol index")]
    TruncatedSymbolIndex,
    /// A GNU symbol index whose count exceeds its size.
    #[error("archive symbol index claims {count} entries but has {len} bytes")]
    SymbolIndexCount {
        /// Entries claimed.
        count: usize,
        /// Bytes of the index member.
        len: usize,
    },
    /// A GNU symbol index name without its NUL terminator.
    #[error("unterminated name in archive symbol index")]
    UnterminatedIndexName,
    /// A symbol index name that is not UTF-8.
    #[error("archive symbol name is not UTF-8")]
    IndexNameNotUtf8,
    /// A symbol index entry pointing between member headers.
    #[error("symbol index points at offset {0}, which is not a member header")]
    IndexNotMemberHeader(usize),
    /// A BSD symbol index table size past its member.
    #[error("BSD symbol index size runs past its member")]
    BsdIndexPastEnd,
    /// A BSD symbol string table past its member.
    #[error("BSD symbol string table runs past its member")]
    BsdStrtabPastEnd,
    /// A BSD symbol name offset past the string table.
    #[error("BSD symbol name offset out of range")]
    BsdNameOffsetOutOfRange,
}

/// Errors of loading an input file from disk.
///
/// Not derived with `thiserror`: a field named `source` would become the
/// error's source, and `{:#}` chains would print the I/O error twice.
#[derive(Debug)]
pub struct LoadError {
    /// Path as given on the command line.
    pub path: String,
    /// The I/O failure.
    pub source: std::io::Error,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot open {}: {}", self.path, self.source)
    }
}

impl std::error::Error for LoadError {}
