//! The layout stage on small objects from `test-objects`: where the stack
//! and the data go, the linker-defined addresses, segment merging and
//! ordering, alignment, memory sizes and table slots.

use atom_layout::{Layout, LayoutOptions};
use symbol_resolve::{FuncRef, LinkerData, ObjectId, Resolution, ResolveOptions};
use test_objects::{inputs, Body, ObjectBuilder, Segment, Sig};

/// Resolve options: wasm-ld's defaults (entry `_start`, gc on).
fn resolve_opts() -> ResolveOptions {
    ResolveOptions::default()
}

/// Layout options: wasm-ld's defaults (stack first, 64 KiB of stack, data
/// segments merged, memory exported).
fn opts() -> LayoutOptions {
    LayoutOptions::default()
}

/// Parses, resolves and lays out `files`, then runs `check`.
fn layout<R>(files: &[(&str, Vec<u8>)], opts: &LayoutOptions, check: impl FnOnce(&Layout, &Resolution<'_>) -> R) -> R {
    let loaded = inputs(files);
    let set = object_parse::run(&loaded).unwrap_or_else(|e| panic!("parse: {e}"));
    let res = symbol_resolve::run(set, &resolve_opts()).unwrap_or_else(|e| panic!("resolve: {e}"));
    let layout = atom_layout::run(&res, opts).unwrap_or_else(|e| panic!("layout: {e}"));
    check(&layout, &res)
}

/// The error message of laying out `files`.
fn layout_err(files: &[(&str, Vec<u8>)], opts: &LayoutOptions) -> String {
    let loaded = inputs(files);
    let set = object_parse::run(&loaded).unwrap_or_else(|e| panic!("parse: {e}"));
    let res = symbol_resolve::run(set, &resolve_opts()).unwrap_or_else(|e| panic!("resolve: {e}"));
    match atom_layout::run(&res, opts) {
        Ok(_) => panic!("layout succeeded"),
        Err(e) => e.to_string(),
    }
}

/// `main.o` whose `_start` loads each of `segments`' symbols (so all are
/// live); symbol `vN` names segment N.
fn using(segments: &[Segment]) -> Vec<u8> {
    let mut b = ObjectBuilder::new();
    let mut body = Body::new();
    for (i, s) in segments.iter().enumerate() {
        let name = format!("v{i}");
        b = b.data(&name, s.clone());
        body = body.load_i32(&name, 0).drop();
    }
    b.func("_start", Sig::void(), body).build()
}

fn addr(layout: &Layout, d: LinkerData) -> u64 {
    *layout.linker_data.get(&d).unwrap_or_else(|| panic!("{d:?} not defined"))
}

/// By default the stack comes first: `[0, 64 KiB)`, `__stack_pointer` at
/// its top, data right after it, and (nothing uses `__heap_base`) the
/// heap right after the data.
#[test]
fn stack_first_by_default() {
    let main = using(&[Segment::new(".data.x", [1u8; 5]).align(2)]);
    layout(&[("main.o", main)], &opts(), |l, _| {
        assert_eq!(l.stack_pointer, 65536);
        assert_eq!(addr(l, LinkerData::StackLow), 0);
        assert_eq!(addr(l, LinkerData::StackHigh), 65536);
        assert_eq!(l.segments.len(), 1);
        assert_eq!((l.segments[0].name.as_str(), l.segments[0].address), (".data", 65536));
        assert_eq!(l.segment_address(ObjectId(0), object_parse::SegmentIdx(0)), Some(65536));
        assert_eq!(addr(l, LinkerData::DataEnd), 65536 + 5);
        assert_eq!(addr(l, LinkerData::HeapBase), 65536 + 5);
        assert_eq!(l.memory.initial_pages, 2);
    });
}

/// A used `__heap_base` is 16-aligned after the data, as allocators expect
/// (wasm-ld aligns it only then).
#[test]
fn used_heap_base_is_aligned() {
    let main = ObjectBuilder::new()
        .data("x", Segment::new(".data.x", [1u8; 5]).align(2))
        .undefined_data("__heap_base")
        .func("_start", Sig::void(), Body::new().load_i32("x", 0).drop().load_i32("__heap_base", 0).drop())
        .build();
    layout(&[("main.o", main)], &opts(), |l, _| {
        assert_eq!(addr(l, LinkerData::DataEnd), 65536 + 5);
        assert_eq!(addr(l, LinkerData::HeapBase), 65536 + 16);
    });
}

/// The stack size option moves everything after the stack.
#[test]
fn stack_size_is_used() {
    let main = using(&[Segment::new(".data.x", [1u8; 4]).align(2)]);
    layout(&[("main.o", main)], &LayoutOptions { stack_size: 8192, ..opts() }, |l, _| {
        assert_eq!(l.stack_pointer, 8192);
        assert_eq!(l.segments[0].address, 8192);
        assert_eq!(addr(l, LinkerData::HeapBase), 8192 + 4);
        assert_eq!(l.memory.initial_pages, 1);
    });
}

/// `--no-stack-first` (wasm-ld 19's order): data from the global base
/// (1024), then the stack, `__stack_pointer` at the stack's top.
#[test]
fn no_stack_first_puts_data_at_1024() {
    let main = using(&[Segment::new(".data.x", [1u8; 4]).align(2)]);
    layout(&[("main.o", main)], &LayoutOptions { stack_first: Some(false), ..opts() }, |l, _| {
        assert_eq!(l.segments[0].address, 1024);
        assert_eq!(addr(l, LinkerData::DataEnd), 1028);
        assert_eq!(addr(l, LinkerData::StackLow), 1040);
        assert_eq!(l.stack_pointer, 1040 + 65536);
        assert_eq!(addr(l, LinkerData::HeapBase), 1040 + 65536);
    });
}

/// `--global-base` with the stack first places data there; below the stack
/// size without an explicit choice it falls back to wasm-ld 19's order
/// with a warning; with `--stack-first` it is an error.
#[test]
fn global_base() {
    let main = using(&[Segment::new(".data.x", [1u8; 4]).align(2)]);
    let files = [("main.o", main)];
    layout(&files, &LayoutOptions { global_base: Some(0x20000), ..opts() }, |l, _| {
        assert_eq!(l.segments[0].address, 0x20000);
        assert_eq!(l.stack_pointer, 65536);
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    });
    layout(&files, &LayoutOptions { global_base: Some(4096), ..opts() }, |l, _| {
        assert_eq!(l.segments[0].address, 4096);
        assert_eq!(l.stack_pointer, 4112 + 65536, "stack after the data");
        assert_eq!(l.warnings.len(), 1);
        assert!(l.warnings[0].to_string().contains("--global-base=4096"), "{}", l.warnings[0]);
    });
    let err = layout_err(&files, &LayoutOptions { global_base: Some(4096), stack_first: Some(true), ..opts() });
    assert!(err.contains("--global-base"), "{err}");
}

/// Input segments merge by name prefix into `.rodata`, `.data`, `.bss`,
/// ordered so regardless of input order, pieces in input order, and each
/// output segment follows the previous one.
#[test]
fn segments_merge_by_prefix_and_order() {
    let main = using(&[
        Segment::zeroed(".bss.z", 8).align(2),
        Segment::new(".data.b", [1u8; 3]),
        Segment::new(".rodata.a", [2u8; 2]),
        Segment::new(".data.c", [3u8; 4]),
        Segment::new("custom_sec", [4u8; 1]),
    ]);
    layout(&[("main.o", main)], &opts(), |l, _| {
        let names: Vec<&str> = l.segments.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, [".rodata", ".data", "custom_sec", ".bss"]);
        let data = &l.segments[1];
        let pieces: Vec<(u32, u64)> = data.pieces.iter().map(|p| (p.segment.0, p.offset)).collect();
        assert_eq!(pieces, [(1, 0), (3, 3)]);
        assert_eq!(data.size, 7);
        assert!(l.segments.windows(2).all(|w| w[0].address + w[0].size <= w[1].address));
        assert!(l.segments[3].is_bss && !l.segments[1].is_bss);
        assert_eq!(l.segment_address(ObjectId(0), object_parse::SegmentIdx(3)), Some(data.address + 3));
        // `__start_`/`__stop_` exist for C-identifier names only.
        assert!(l.linker_data.contains_key(&LinkerData::SegmentStart("custom_sec".into())));
        assert!(!l.linker_data.contains_key(&LinkerData::SegmentStart(".data".into())));
    });
}

/// `--no-merge-data-segments` keeps every input segment's name.
#[test]
fn no_merge_keeps_names() {
    let main = using(&[Segment::new(".data.b", [1u8; 3]), Segment::new(".data.c", [3u8; 4])]);
    layout(&[("main.o", main)], &LayoutOptions { merge_data_segments: false, ..opts() }, |l, _| {
        let names: Vec<&str> = l.segments.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, [".data.b", ".data.c"]);
    });
}

/// Each input segment is placed at its own alignment inside the output
/// segment, which takes the largest alignment; dead segments get no
/// address.
#[test]
fn alignment_and_dead_segments() {
    let main = ObjectBuilder::new()
        .data("byte", Segment::new(".data.byte", [1u8; 1]))
        .data("wide", Segment::new(".data.wide", [2u8; 8]).align(3))
        .data("unused", Segment::new(".data.unused", [3u8; 4]))
        .func("_start", Sig::void(), Body::new().load_i32("byte", 0).drop().load_i32("wide", 0).drop())
        .build();
    layout(&[("main.o", main)], &LayoutOptions { global_base: Some(65536 + 1), ..opts() }, |l, _| {
        let data = &l.segments[0];
        assert_eq!(data.align_log2, 3);
        assert_eq!(data.address, 65536 + 8, "the output segment is aligned");
        let pieces: Vec<(u32, u64)> = data.pieces.iter().map(|p| (p.segment.0, p.offset)).collect();
        assert_eq!(pieces, [(0, 0), (1, 8)]);
        assert_eq!(l.segment_address(ObjectId(0), object_parse::SegmentIdx(1)), Some(65536 + 16));
        assert_eq!(l.segment_address(ObjectId(0), object_parse::SegmentIdx(2)), None);
    });
}

/// `--initial-memory` and `--max-memory` set the page counts; an initial
/// memory smaller than what the data needs is an error.
#[test]
fn initial_and_max_memory() {
    let main = using(&[Segment::new(".data.x", [1u8; 4])]);
    let files = [("main.o", main)];
    let o = LayoutOptions { initial_memory: Some(4 * 65536), max_memory: Some(8 * 65536), ..opts() };
    layout(&files, &o, |l, _| {
        assert_eq!(l.memory.initial_pages, 4);
        assert_eq!(l.memory.max_pages, Some(8));
        assert_eq!(addr(l, LinkerData::HeapEnd), 4 * 65536);
    });
    let err = layout_err(&files, &LayoutOptions { initial_memory: Some(65536), ..opts() });
    assert!(err.contains("initial memory too small"), "{err}");
}

/// Functions whose address is taken get table slots from 1, in the order
/// of their first `TABLE_INDEX` relocation; a function only called gets
/// none.
#[test]
fn table_slots_in_first_use_order() {
    let main = ObjectBuilder::new()
        .func("a", Sig::void(), Body::new())
        .func("b", Sig::void(), Body::new())
        .func("called", Sig::void(), Body::new())
        .func("_start", Sig::void(), Body::new().func_addr("b").drop().func_addr("a").drop().func_addr("b").drop())
        .func("other", Sig::void(), Body::new().call("called"))
        .no_strip()
        .build();
    layout(&[("main.o", main)], &opts(), |l, _| {
        let f = |index| FuncRef::Defined { obj: ObjectId(0), index: object_parse::DefinedFuncIdx(index) };
        assert_eq!(l.table.base, 1);
        assert_eq!(l.table.slots, [f(1), f(0)]);
        assert_eq!(l.table.slot_of.get(&f(1)), Some(&1));
        assert_eq!(l.table.slot_of.get(&f(0)), Some(&2));
        assert_eq!(l.table.size(), 3);
        assert!(!l.table.slot_of.contains_key(&f(2)));
    });
}
