//! [`FileLayout`]: where each section, function and data segment of the
//! output sits in the file, known before anything is written (emit sizes
//! every section first). The map file (`-Map`, `--print-map`) and
//! `--verbose` read it instead of parsing the output again.

/// One section of the output, as its id (and name, for a custom section).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionKind {
    /// Types (id 1).
    Type,
    /// Imports (id 2).
    Import,
    /// Function declarations (id 3).
    Function,
    /// Tables (id 4).
    Table,
    /// Memories (id 5).
    Memory,
    /// Tags (id 13).
    Tag,
    /// Globals (id 6).
    Global,
    /// Exports (id 7).
    Export,
    /// The start function (id 8).
    Start,
    /// Element segments (id 9).
    Element,
    /// The data count (id 12).
    DataCount,
    /// Code (id 10).
    Code,
    /// Data segments (id 11).
    Data,
    /// A custom section (id 0) with its name.
    Custom(String),
}

impl std::fmt::Display for SectionKind {
    /// The name wasm-ld gives the section in its map file and log lines
    /// (`TYPE`, `CODE`, `CUSTOM(.debug_info)`, ...).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            SectionKind::Type => "TYPE",
            SectionKind::Import => "IMPORT",
            SectionKind::Function => "FUNCTION",
            SectionKind::Table => "TABLE",
            SectionKind::Memory => "MEMORY",
            SectionKind::Tag => "TAG",
            SectionKind::Global => "GLOBAL",
            SectionKind::Export => "EXPORT",
            SectionKind::Start => "START",
            SectionKind::Element => "ELEM",
            SectionKind::DataCount => "DATACOUNT",
            SectionKind::Code => "CODE",
            SectionKind::Data => "DATA",
            SectionKind::Custom(name) => return write!(f, "CUSTOM({name})"),
        };
        f.write_str(name)
    }
}

/// Where one section sits in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedSection {
    /// Which section.
    pub kind: SectionKind,
    /// File offset of its id byte.
    pub offset: u64,
    /// Its whole length: id, size, (custom name,) payload.
    pub size: u64,
    /// Length of the id and the size field; the payload (for a custom
    /// section: its name, then its contents) starts at `offset + header_len`.
    pub header_len: u64,
}

/// Where one chunk (a function, or a data segment's bytes) sits inside its
/// section's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlacedChunk {
    /// Offset from the start of the section's payload (for a function: its
    /// size prefix; the function count comes before the first one).
    pub payload_offset: u64,
    /// Length in bytes (for a function: size prefix and body).
    pub size: u64,
}

/// Where one written output data segment sits inside the data section's
/// payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlacedSegment {
    /// Offset of the segment's header from the start of the data payload.
    pub payload_offset: u64,
    /// Length of the header (flags, offset expression, size); the bytes
    /// follow it.
    pub header_len: u64,
}

/// The layout of the whole output file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileLayout {
    /// Every section, in file order.
    pub sections: Vec<PlacedSection>,
    /// Per output function (`MergedModule::functions` order): its chunk in
    /// the code section's payload.
    pub functions: Vec<PlacedChunk>,
    /// Per output data segment (`Layout::segments` order): where it is in
    /// the data section's payload, or `None` when it isn't written (`.bss`
    /// of a defined memory).
    pub segments: Vec<Option<PlacedSegment>>,
    /// Length of the whole module.
    pub total_size: u64,
}

impl FileLayout {
    /// The first section of this kind, if the module has one.
    pub fn section(&self, kind: &SectionKind) -> Option<&PlacedSection> {
        self.sections.iter().find(|s| &s.kind == kind)
    }
}
