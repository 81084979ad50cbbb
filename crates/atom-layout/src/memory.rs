//! Linear memory layout: output segments, the stack, linker-defined
//! addresses, page counts.

use crate::error::{LayoutError, LayoutProblem, LayoutWarning, MemorySetting, SegmentBound};
use crate::PAGE_SIZE;
use object_parse::{segment_flags, SegmentIdx};
use std::collections::BTreeMap;
use symbol_resolve::{DataRef, LinkerData, ObjectId, OutputKind, PicKind, Resolution, Target};

/// Alignment of the stack and its size.
pub(crate) const STACK_ALIGN: u64 = 16;
const HEAP_ALIGN: u64 = 16;

/// Options of this stage.
#[derive(Debug, Clone)]
pub struct LayoutOptions {
    /// `--stack-first` / `--no-stack-first`; `None` means the default
    /// (stack first, as wasm-ld 22).
    pub stack_first: Option<bool>,
    /// `-z stack-size=N` (default 64 KiB).
    pub stack_size: u64,
    /// `--global-base=N`.
    pub global_base: Option<u64>,
    /// `--initial-memory=N`.
    pub initial_memory: Option<u64>,
    /// `--max-memory=N`.
    pub max_memory: Option<u64>,
    /// Merge input segments by name prefix (default; `--no-merge-data-segments`
    /// keeps every input segment name separate).
    pub merge_data_segments: bool,
    /// `--initial-heap=N`: bytes of heap included in the initial memory.
    pub initial_heap: Option<u64>,
    /// `--import-memory`.
    pub import_memory: bool,
    /// Export the memory as "memory" (default unless imported; forced by
    /// `--export-memory`).
    pub export_memory: bool,
    /// `--no-growable-memory`: the maximum memory is the initial memory.
    pub no_growable_memory: bool,
    /// `--page-size=N`: the memory's page size (65536, or 1 with the
    /// custom-page-sizes proposal).
    pub page_size: u64,
    /// `--table-base=N`: the first slot of the indirect function table (0
    /// means the default, 1, as in wasm-ld).
    pub table_base: u32,
    /// Merge NUL-terminated string segments (`-O1`, wasm-ld's default, and
    /// up).
    pub merge_strings: bool,
    /// `--growable-table`: the indirect function table has no maximum.
    pub growable_table: bool,
    /// What the link writes: a relocatable output has no stack, its data
    /// starts at address 0, and segments in a COMDAT stay apart; an output
    /// that keeps relocations writes its `.bss` segments (relocations may
    /// point into them).
    pub output: OutputKind,
    /// `--shared-memory`: the memory is shared, every data segment passive
    /// (copied in by `__wasm_init_memory`, once, whichever thread starts
    /// first), and the maximum defaults to the initial size.
    pub shared_memory: bool,
    /// `-m wasm64`: a 64-bit memory (memory64) of up to 16 GiB, as in
    /// wasm-ld 22.
    pub memory64: bool,
    /// `--features=`, for [`crate::allowed_features`].
    pub features: Option<Vec<String>>,
    /// `--extra-features=`, for [`crate::allowed_features`].
    pub extra_features: Vec<String>,
    /// `-pie` / `-shared`: no stack (the loader's), data from address 0
    /// relative to `__memory_base`, table slots from 0 relative to
    /// `__table_base`, and (without shared memory) one `.data` segment,
    /// since a plain constant expression can only say `__memory_base`.
    pub pic: Option<PicKind>,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions {
            stack_first: None,
            stack_size: 65536,
            global_base: None,
            initial_memory: None,
            max_memory: None,
            initial_heap: None,
            merge_data_segments: true,
            import_memory: false,
            export_memory: true,
            no_growable_memory: false,
            page_size: PAGE_SIZE,
            table_base: 1,
            merge_strings: true,
            growable_table: false,
            output: OutputKind::Executable,
            shared_memory: false,
            memory64: false,
            features: None,
            extra_features: Vec::new(),
            pic: None,
        }
    }
}

/// One input segment's place inside an output segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentPiece {
    /// The object.
    pub obj: ObjectId,
    /// Input segment index.
    pub segment: SegmentIdx,
    /// Offset within the output segment.
    pub offset: u64,
    /// For a merged string segment: which [`OutputSegment::merged`] blob
    /// holds its strings (then `offset` is the blob's).
    pub strings: Option<u32>,
}

/// One output data segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSegment {
    /// Name (`.rodata`, `.data`, `.bss`, ...).
    pub name: String,
    /// Alignment, as a power of two.
    pub align_log2: u32,
    /// Start address.
    pub address: u64,
    /// Size in bytes.
    pub size: u64,
    /// All-zero `.bss` segment: not written when memory starts zeroed.
    pub is_bss: bool,
    /// Thread-local `.tdata`.
    pub is_tls: bool,
    /// Written as a passive segment (`--shared-memory`): `__wasm_init_memory`
    /// copies it into memory.
    pub passive: bool,
    /// Written to the data section: every segment but `.bss`, which is
    /// written only into an imported memory that `memory.fill` can't zero
    /// (no `bulk-memory`).
    pub in_binary: bool,
    /// Copied (or, for `.bss`, zeroed) by `__wasm_init_memory`, the start
    /// function: passive segments, and `.bss` in an imported memory with
    /// `bulk-memory`.
    pub init_by_start: bool,
    /// The input segments, in order.
    pub pieces: Vec<SegmentPiece>,
    /// Merged strings (`-O1`+), each in place of its first member piece.
    pub merged: Vec<crate::strings::MergedStrings>,
}

/// Memory size and import/export decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryPlan {
    /// Initial size in pages.
    pub initial_pages: u64,
    /// Maximum size in pages, if limited.
    pub max_pages: Option<u64>,
    /// Imported from `env.memory`.
    pub import: bool,
    /// Exported as "memory".
    pub export: bool,
    /// The page size, when it isn't the default 64 KiB (custom page sizes:
    /// log2 of the size in bytes).
    pub page_size_log2: Option<u32>,
    /// Shared between threads (`--shared-memory`).
    pub shared: bool,
    /// A 64-bit memory (`-m wasm64`): its limits, addresses, data segment
    /// offsets and the linker's address globals are i64.
    pub memory64: bool,
    /// Address of `__wasm_init_memory_flag` (shared memory with segments to
    /// initialise): the i32 the threads race on so only one copies the
    /// data in.
    pub init_memory_flag: Option<u64>,
    /// Position-independent output: the static data's size and largest
    /// alignment (log2), which `dylink.0` tells the loader.
    pub dylink: Option<(u64, u32)>,
}

impl MemoryPlan {
    /// Whether a `__wasm_init_memory` start function initialises segments.
    pub fn has_init_memory(segments: &[OutputSegment]) -> bool {
        segments.iter().any(|s| s.init_by_start)
    }
}

pub(crate) struct MemoryLayout {
    pub segments: Vec<OutputSegment>,
    pub segment_addresses: Vec<Vec<Option<u64>>>,
    pub linker_data: BTreeMap<LinkerData, u64>,
    pub stack_pointer: u64,
    pub tls: Option<(u64, u64, u64)>,
    pub string_pieces: rustc_hash::FxHashMap<(ObjectId, SegmentIdx), crate::strings::StringPieces>,
    pub plan: MemoryPlan,
    pub warnings: Vec<LayoutWarning>,
}

/// Output segment name of an input segment, as wasm-ld merges them.
pub fn output_segment_name(name: &str, flags: u32, merge: bool) -> &str {
    if flags & segment_flags::TLS != 0 || name.starts_with(".tdata") || name.starts_with(".tbss") {
        return ".tdata";
    }
    if !merge {
        return name;
    }
    for prefix in [".text", ".data", ".bss", ".rodata"] {
        if name.len() > prefix.len() && name.starts_with(prefix) && name.as_bytes()[prefix.len()] == b'.' {
            return prefix;
        }
    }
    name
}

/// The data segments of `obj` that belong to a COMDAT group.
fn comdat_segments(obj: &object_parse::ObjectFile<'_>) -> Vec<u32> {
    let members = obj.linking.comdats.iter().flat_map(|c| &c.members);
    members.filter(|(k, _)| *k == object_parse::ComdatKind::Data).map(|(_, i)| *i).collect()
}

fn order(name: &str) -> u8 {
    if name.starts_with(".tdata") {
        0
    } else if name.starts_with(".rodata") {
        1
    } else if name.starts_with(".data") {
        2
    } else if name.starts_with(".bss") {
        4
    } else {
        3
    }
}

fn align_to(v: u64, a: u64) -> u64 {
    v.div_ceil(a) * a
}

fn is_c_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Whether a live reference or an export names `__heap_base`.
fn heap_base_used(res: &Resolution<'_>) -> bool {
    let is_heap_base = |t: &Target| matches!(t, Target::Data(DataRef::Linker(LinkerData::HeapBase)));
    res.targets.iter().flatten().any(is_heap_base) || res.exports.iter().any(|e| is_heap_base(&e.target))
}

/// Decides how each output segment gets into memory, as wasm-ld does:
/// with shared memory every segment is passive and copied in by
/// `__wasm_init_memory`; `.bss` is never written unless the memory is
/// imported and `bulk-memory` is unavailable (a defined memory starts
/// zeroed; an imported one is zeroed by `memory.fill` at start).
fn mark_initialisation(segments: &mut [OutputSegment], res: &Resolution<'_>, opts: &LayoutOptions) {
    let bulk_memory =
        crate::allowed_features(res, opts.features.as_deref(), &opts.extra_features).contains("bulk-memory");
    let write_bss = opts.import_memory && !bulk_memory;
    for seg in segments {
        seg.passive = opts.shared_memory;
        seg.in_binary = !seg.is_bss || write_bss;
        seg.init_by_start = seg.passive || (opts.import_memory && !seg.in_binary);
    }
}

/// Position-independent output without shared memory: every segment
/// becomes part of one `.data` segment at `__memory_base`, keeping its
/// address (the gaps between them are written as zeros), as wasm-ld does.
fn combine_segments(segments: &mut Vec<OutputSegment>) {
    if segments.len() <= 1 {
        return;
    }
    let start = segments[0].address;
    let mut combined = OutputSegment {
        name: ".data".into(),
        align_log2: segments[0].align_log2,
        address: start,
        size: 0,
        is_bss: false,
        is_tls: false,
        passive: false,
        in_binary: true,
        init_by_start: false,
        pieces: Vec::new(),
        merged: Vec::new(),
    };
    for seg in segments.drain(..) {
        let base = seg.address - start;
        let first_blob = combined.merged.len() as u32;
        combined.pieces.extend(seg.pieces.into_iter().map(|p| SegmentPiece {
            offset: base + p.offset,
            strings: p.strings.map(|b| b + first_blob),
            ..p
        }));
        combined
            .merged
            .extend(seg.merged.into_iter().map(|m| crate::strings::MergedStrings { offset: base + m.offset, ..m }));
        combined.size = base + seg.size;
    }
    segments.push(combined);
}

pub(crate) fn layout_memory(res: &Resolution<'_>, opts: &LayoutOptions) -> Result<MemoryLayout, LayoutError> {
    let mut errors = Vec::new();
    let page_size = opts.page_size;
    let mut warnings = Vec::new();

    // Group live input segments by output name, in first-seen order.
    let mut segments: Vec<OutputSegment> = Vec::new();
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    let relocatable = opts.output.is_relocatable();
    for (o, obj) in res.objects.iter().enumerate() {
        let in_comdat = comdat_segments(obj);
        for (i, seg) in obj.segments.iter().enumerate() {
            if !res.live.segments[o][i] {
                continue;
            }
            let name = output_segment_name(seg.info.name, seg.info.flags, opts.merge_data_segments);
            let new_segment = |segments: &mut Vec<OutputSegment>| {
                segments.push(OutputSegment {
                    name: name.to_string(),
                    align_log2: 0,
                    address: 0,
                    size: 0,
                    is_bss: name.starts_with(".bss") && !opts.output.keeps_relocations(),
                    is_tls: name == ".tdata",
                    passive: false,
                    in_binary: true,
                    init_by_start: false,
                    pieces: Vec::new(),
                    merged: Vec::new(),
                });
                segments.len() - 1
            };
            // A relocatable output keeps each COMDAT segment apart, so the
            // final link can still drop it.
            let idx = if relocatable && in_comdat.contains(&(i as u32)) {
                new_segment(&mut segments)
            } else {
                *by_name.entry(name.to_string()).or_insert_with(|| new_segment(&mut segments))
            };
            let out = &mut segments[idx];
            let align = 1u64 << seg.info.align_log2;
            let offset = align_to(out.size, align);
            out.align_log2 = out.align_log2.max(seg.info.align_log2);
            out.size = offset + seg.data.len() as u64;
            out.pieces.push(SegmentPiece {
                obj: ObjectId(o as u32),
                segment: SegmentIdx(i as u32),
                offset,
                strings: None,
            });
        }
    }
    let string_pieces =
        if opts.merge_strings { crate::strings::merge_strings(res, &mut segments) } else { Default::default() };
    segments.sort_by_key(|s| order(&s.name));
    mark_initialisation(&mut segments, res, opts);

    // Stack placement, with wasm-ld 19 compatibility.
    let stack_first = match opts.stack_first {
        Some(v) => v,
        None => match opts.global_base {
            Some(gb) if gb < opts.stack_size => {
                warnings.push(LayoutWarning::GlobalBaseBelowStack { global_base: gb, stack_size: opts.stack_size });
                false
            }
            _ => true,
        },
    };
    if !opts.stack_size.is_multiple_of(STACK_ALIGN) {
        errors.push(LayoutProblem::StackSizeUnaligned { stack_size: opts.stack_size });
    }
    let mut linker_data = BTreeMap::new();
    let mut ptr: u64 = 0;
    let mut stack_pointer = 0;
    let mut place_stack = |ptr: &mut u64, linker_data: &mut BTreeMap<LinkerData, u64>| {
        *ptr = align_to(*ptr, STACK_ALIGN);
        linker_data.insert(LinkerData::StackLow, *ptr);
        *ptr += opts.stack_size;
        stack_pointer = *ptr;
        linker_data.insert(LinkerData::StackHigh, *ptr);
    };
    if relocatable || opts.pic.is_some() {
        // No stack (position-independent code uses the loader's); the
        // data starts at 0.
    } else if stack_first {
        place_stack(&mut ptr, &mut linker_data);
        if let Some(gb) = opts.global_base {
            if gb < ptr {
                errors.push(LayoutProblem::GlobalBaseInStack { global_base: gb, stack_end: ptr });
            }
            ptr = gb;
        }
    } else {
        ptr = opts.global_base.unwrap_or(1024);
    }
    linker_data.insert(LinkerData::GlobalBase, ptr);
    linker_data.insert(LinkerData::DsoHandle, ptr);
    let mut tls = None;
    for seg in segments.iter_mut() {
        ptr = align_to(ptr, 1u64 << seg.align_log2);
        seg.address = ptr;
        if seg.is_tls {
            tls = Some((ptr, seg.size, 1u64 << seg.align_log2));
        }
        ptr += seg.size;
    }
    // The flag `__wasm_init_memory` races on lives right after the data.
    let mut init_memory_flag = None;
    if opts.shared_memory && MemoryPlan::has_init_memory(&segments) {
        ptr = align_to(ptr, 4);
        init_memory_flag = Some(ptr);
        ptr += 4;
    }
    linker_data.insert(LinkerData::DataEnd, ptr);
    let dylink = opts.pic.map(|_| (ptr, segments.iter().map(|s| s.align_log2).max().unwrap_or(0)));
    if !stack_first && !relocatable && opts.pic.is_none() {
        place_stack(&mut ptr, &mut linker_data);
    }
    // Allocators expect an aligned `__heap_base`; wasm-ld aligns the end of
    // the static memory only when something uses it (visible with
    // `--page-size=1`, where the memory ends right there).
    if heap_base_used(res) {
        ptr = align_to(ptr, HEAP_ALIGN);
    }
    linker_data.insert(LinkerData::HeapBase, ptr);
    linker_data.insert(LinkerData::MemoryBase, 0);
    linker_data.insert(LinkerData::TableBase, 1);
    // wasm-ld's limit: 4 GiB, or 16 GiB for a 64-bit memory.
    let max_setting = if opts.memory64 { 1u64 << 34 } else { 1u64 << 32 };
    if let Some(heap) = opts.initial_heap {
        if !heap.is_multiple_of(page_size) {
            errors.push(LayoutProblem::InitialHeapUnaligned { heap, page_size });
        }
        let max_heap = max_setting.saturating_sub(ptr);
        if heap > max_heap {
            errors.push(LayoutProblem::InitialHeapTooLarge { heap, max: max_heap });
        }
        ptr = ptr.saturating_add(heap);
    }
    if let Some(init) = opts.initial_memory {
        if !init.is_multiple_of(page_size) {
            errors.push(LayoutProblem::MemoryUnaligned { setting: MemorySetting::Initial, value: init, page_size });
        }
        if ptr > init {
            errors.push(LayoutProblem::MemoryTooSmall { setting: MemorySetting::Initial, value: init, needed: ptr });
        }
        if init > max_setting {
            errors.push(LayoutProblem::MemoryTooLarge {
                setting: MemorySetting::Initial,
                value: init,
                max: max_setting,
            });
        }
        ptr = init;
    }
    ptr = align_to(ptr, page_size);
    let initial_pages = ptr / page_size;
    linker_data.insert(LinkerData::HeapEnd, ptr);
    linker_data.insert(LinkerData::FirstPageEnd, page_size);
    let mut max_pages = None;
    if let Some(max) = opts.max_memory {
        if !max.is_multiple_of(page_size) {
            errors.push(LayoutProblem::MemoryUnaligned { setting: MemorySetting::Maximum, value: max, page_size });
        }
        if ptr > max {
            errors.push(LayoutProblem::MemoryTooSmall { setting: MemorySetting::Maximum, value: max, needed: ptr });
        }
        if max > max_setting {
            errors.push(LayoutProblem::MemoryTooLarge {
                setting: MemorySetting::Maximum,
                value: max,
                max: max_setting,
            });
        }
        max_pages = Some(max / page_size);
    }
    if opts.no_growable_memory {
        max_pages = Some(initial_pages);
    } else if opts.shared_memory && max_pages.is_none() {
        // A position-independent module can't know how far its loader will
        // grow the memory: the largest size allowed.
        max_pages = Some(if opts.pic.is_some() { max_setting / page_size } else { initial_pages });
    }

    // Per-input addresses and __start_/__stop_ symbols.
    let mut segment_addresses: Vec<Vec<Option<u64>>> =
        res.objects.iter().map(|o| vec![None; o.segments.len()]).collect();
    for seg in &segments {
        for p in &seg.pieces {
            segment_addresses[p.obj.0 as usize][p.segment.index()] = Some(seg.address + p.offset);
        }
        if is_c_identifier(&seg.name) {
            linker_data.insert(LinkerData::SegmentStart(seg.name.clone()), seg.address);
            linker_data.insert(LinkerData::SegmentStop(seg.name.clone()), seg.address + seg.size);
        }
    }
    // Every referenced __start_/__stop_ must name an existing segment.
    for per in &res.targets {
        for t in per {
            if let symbol_resolve::Target::Data(symbol_resolve::DataRef::Linker(
                l @ (LinkerData::SegmentStart(n) | LinkerData::SegmentStop(n)),
            )) = t
            {
                if !linker_data.contains_key(l) {
                    let bound =
                        if matches!(l, LinkerData::SegmentStart(_)) { SegmentBound::Start } else { SegmentBound::Stop };
                    let msg = LayoutProblem::UndefinedSegmentBound { bound, segment: n.clone() };
                    if !errors.contains(&msg) {
                        errors.push(msg);
                    }
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(LayoutError(errors));
    }
    if opts.pic.is_some() && !opts.shared_memory {
        combine_segments(&mut segments);
    }
    Ok(MemoryLayout {
        segments,
        segment_addresses,
        linker_data,
        stack_pointer,
        tls,
        string_pieces,
        plan: MemoryPlan {
            initial_pages,
            max_pages,
            import: opts.import_memory,
            export: opts.export_memory,
            page_size_log2: (page_size != PAGE_SIZE).then(|| page_size.trailing_zeros()),
            shared: opts.shared_memory,
            memory64: opts.memory64,
            init_memory_flag,
            dylink,
        },
        warnings,
    })
}
