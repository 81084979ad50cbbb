//! # atom-layout: [`Resolution`] → [`Layout`]
//!
//! Third stage. Decides where every live atom of linear memory goes and
//! which functions get table slots:
//!
//! * memory, wasm-ld 22's order by default: the stack `[0, stack size)`,
//!   then the data segments; `--no-stack-first` gives wasm-ld 19's order
//!   (data from `--global-base`, default 1024, then the stack);
//! * input data segments merged into output segments by name prefix
//!   (`.rodata.*` → `.rodata`, ...), sorted `.tdata`, `.rodata`, `.data`,
//!   others, `.bss`, each input aligned;
//! * how each segment is initialised: active, or passive and copied in by
//!   `__wasm_init_memory` (`--shared-memory`, whose flag follows the data),
//!   and whether `.bss` is written at all;
//! * addresses of the linker-defined data symbols and `__stack_pointer`;
//! * initial/maximum memory pages;
//! * `__indirect_function_table` slots for address-taken functions, in the
//!   order their first `TABLE_INDEX` relocation is met (slot 0 stays null).
//!
//! Architecture invariant: layout reads relocation entries but never section
//! bytes; it only assigns addresses and slots.

pub mod big_buffer;
pub mod dump;
mod error;
mod features;
mod memory;
mod strings;
mod table;
mod tail_sort;

pub use error::{LayoutError, LayoutProblem, LayoutWarning, MemorySetting, SegmentBound};
pub use features::allowed_features;
pub use memory::{LayoutOptions, MemoryPlan, OutputSegment, SegmentPiece};
pub use strings::{build_blob, map_offset, MergedStrings, StringPieces};
pub use table::{GotEntry, GotImport, TablePlan};

use object_parse::SegmentIdx;
use std::collections::BTreeMap;
use symbol_resolve::{LinkerData, ObjectId, Resolution};

/// WebAssembly page size.
pub const PAGE_SIZE: u64 = 65536;

/// Output of the stage.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Output data segments in address order.
    pub segments: Vec<OutputSegment>,
    /// Per object, per input segment: its address, when live (for a merged
    /// string segment: the address of its blob).
    pub segment_addresses: Vec<Vec<Option<u64>>>,
    /// Per merged string segment: where each of its strings went in its
    /// blob.
    pub string_pieces: rustc_hash::FxHashMap<(ObjectId, SegmentIdx), StringPieces>,
    /// Addresses of the linker-defined data symbols.
    pub linker_data: BTreeMap<LinkerData, u64>,
    /// Initial value of `__stack_pointer` (the top of the stack).
    pub stack_pointer: u64,
    /// `__tls_base`, `__tls_size`, `__tls_align` values when a `.tdata`
    /// segment exists.
    pub tls: Option<(u64, u64, u64)>,
    /// Memory size and import/export.
    pub memory: MemoryPlan,
    /// Indirect function table slots.
    pub table: TablePlan,
    /// Warnings to print.
    pub warnings: Vec<LayoutWarning>,
}

impl Layout {
    /// The address of a data reference.
    pub fn data_address(&self, d: &symbol_resolve::DataRef) -> Option<u64> {
        match d {
            symbol_resolve::DataRef::Defined { obj, segment, offset } => {
                let base = self.segment_addresses.get(obj.0 as usize)?.get(segment.index())?.as_ref()?;
                Some(base + self.offset_in_segment(*obj, *segment, *offset))
            }
            symbol_resolve::DataRef::Linker(l) => self.linker_data.get(l).copied(),
            symbol_resolve::DataRef::Absolute(a) => Some(*a),
            symbol_resolve::DataRef::Null | symbol_resolve::DataRef::Dynamic(_) => Some(0),
        }
    }

    /// Where byte `offset` of an input segment landed, relative to the
    /// segment's address: the same offset, unless the segment's strings
    /// were merged (then the offset within the blob of the string holding
    /// it).
    pub fn offset_in_segment(&self, obj: ObjectId, segment: SegmentIdx, offset: u64) -> u64 {
        match self.string_pieces.get(&(obj, segment)) {
            Some(pieces) => map_offset(pieces, offset),
            None => offset,
        }
    }

    /// Address of input segment `segment` of `obj`, when live.
    pub fn segment_address(&self, obj: ObjectId, segment: SegmentIdx) -> Option<u64> {
        *self.segment_addresses.get(obj.0 as usize)?.get(segment.index())?
    }
}

/// Runs the stage.
pub fn run(res: &Resolution<'_>, opts: &LayoutOptions) -> Result<Layout, LayoutError> {
    let mem = memory::layout_memory(res, opts)?;
    let table = table::assign_slots(res, opts.table_base, opts.growable_table);
    Ok(Layout {
        segments: mem.segments,
        segment_addresses: mem.segment_addresses,
        string_pieces: mem.string_pieces,
        linker_data: mem.linker_data,
        stack_pointer: mem.stack_pointer,
        tls: mem.tls,
        memory: mem.plan,
        table,
        warnings: mem.warnings,
    })
}
