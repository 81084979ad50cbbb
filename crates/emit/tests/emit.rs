//! The emit stage on small objects from `test-objects`: relocated fields
//! patched in the output bytes, a valid module, and the custom-section
//! policy.

use atom_layout::Layout;
use object_parse::{DefinedFuncIdx, SegmentIdx};
use section_merge::MergedModule;
use symbol_resolve::{FuncRef, ObjectId, Resolution};
use test_objects::{inputs, Body, Custom, ObjectBuilder, Segment, Sig};
use wasmlink::Config;
use wasmparser::{Operator, Parser, Payload};

/// The command line's defaults (entry `_start`, gc on, stack first, memory
/// defined and exported), with `--strip-debug` when `strip_debug`.
fn opts(strip_debug: bool) -> Config {
    Config { strip_debug, ..Default::default() }
}

/// Links `files` through `wasmlink::link` and passes the module bytes and
/// the earlier stages' outputs to `check`.
fn link<R>(
    files: &[(&str, Vec<u8>)],
    config: &Config,
    check: impl FnOnce(&[u8], &MergedModule, &Layout, &Resolution<'_>) -> R,
) -> R {
    let loaded = inputs(files);
    let linked = wasmlink::link(config, &loaded).unwrap_or_else(|e| panic!("link: {e}"));
    check(&linked.bytes, &linked.merged, &linked.layout, &linked.resolution)
}

/// The operators of output function `index` (imports included).
fn operators(bytes: &[u8], index: u32, num_imported: u32) -> Vec<String> {
    let mut n = num_imported;
    for p in Parser::new(0).parse_all(bytes) {
        if let Payload::CodeSectionEntry(body) = p.unwrap() {
            if n == index {
                let mut r = body.get_operators_reader().unwrap();
                let mut out = Vec::new();
                while !r.eof() {
                    out.push(format!("{:?}", r.read().unwrap()));
                }
                return out;
            }
            n += 1;
        }
    }
    panic!("no function {index}")
}

/// The data segments' (offset, bytes) of the output.
fn data_segments(bytes: &[u8]) -> Vec<(u64, Vec<u8>)> {
    let mut out = Vec::new();
    for p in Parser::new(0).parse_all(bytes) {
        if let Payload::DataSection(r) = p.unwrap() {
            for d in r {
                let d = d.unwrap();
                let wasmparser::DataKind::Active { offset_expr, .. } = d.kind else { panic!("passive segment") };
                let op = offset_expr.get_operators_reader().read().unwrap();
                let Operator::I32Const { value } = op else { panic!("offset {op:?}") };
                out.push((value as u32 as u64, d.data.to_vec()));
            }
        }
    }
    out
}

/// Names of the custom sections of the output.
fn custom_names(bytes: &[u8]) -> Vec<String> {
    Parser::new(0)
        .parse_all(bytes)
        .filter_map(|p| match p.unwrap() {
            Payload::CustomSection(c) => Some(c.name().to_string()),
            _ => None,
        })
        .collect()
}

/// `main.o`: `_start` calls `helper` (in `lib.o`), loads `counter`, takes
/// `helper`'s address, and `ptr` in data points at `counter`.
fn program() -> Vec<(&'static str, Vec<u8>)> {
    let main = ObjectBuilder::new()
        .import_func("helper", Sig::void())
        .undefined_data("counter")
        .data("ptr", Segment::new(".data.ptr", [0u8; 4]).align(2).data_addr_at(0, "counter", 4))
        .func(
            "_start",
            Sig::void(),
            Body::new()
                .call("helper")
                .load_i32("counter", 0)
                .drop()
                .func_addr("helper")
                .drop()
                .load_i32("ptr", 0)
                .drop(),
        )
        .build();
    let lib = ObjectBuilder::new()
        .func("unused", Sig::void(), Body::new())
        .func("helper", Sig::void(), Body::new())
        .data("pad", Segment::new(".data.pad", [9u8; 12]).align(2))
        .data("counter", Segment::new(".data.counter", 5u32.to_le_bytes()).align(2))
        .func("keep_pad", Sig::ret_i32(), Body::new().load_i32("pad", 0))
        .no_strip()
        .build();
    vec![("main.o", main), ("lib.o", lib)]
}

/// The output validates, and `_start`'s call, load offset and function
/// address carry the output's function index, `counter`'s address and
/// `helper`'s table slot, while `ptr`'s data holds `&counter + 4`.
#[test]
fn relocations_patched_in_output() {
    link(&program(), &opts(false), |bytes, merged, layout, res| {
        wasmparser::Validator::new().validate_all(bytes).unwrap();
        let helper = FuncRef::Defined { obj: ObjectId(1), index: DefinedFuncIdx(1) };
        let helper_index = merged.func(&helper).unwrap();
        let start_index = merged.func(&FuncRef::Defined { obj: ObjectId(0), index: DefinedFuncIdx(0) }).unwrap();
        let counter = layout.segment_address(ObjectId(1), SegmentIdx(1)).unwrap();
        let ptr = layout.segment_address(ObjectId(0), SegmentIdx(0)).unwrap();
        let slot = layout.table.slot_of[&helper];
        assert_ne!(helper_index.0, 0, "helper is not the object-local index 0 any more");
        assert!(counter > 65536, "counter sits after pad in lib.o: {counter:#x}");
        let ops = operators(bytes, start_index.0, merged.num_imported_functions);
        assert!(ops.contains(&format!("Call {{ function_index: {helper_index} }}")), "{ops:#?}");
        assert!(ops.iter().any(|o| o.starts_with("I32Load") && o.contains(&format!("offset: {counter},"))), "{ops:#?}");
        assert!(ops.iter().any(|o| o.starts_with("I32Load") && o.contains(&format!("offset: {ptr},"))), "{ops:#?}");
        assert!(ops.contains(&format!("I32Const {{ value: {slot} }}")), "{ops:#?}");
        let data = data_segments(bytes);
        let (base, seg) = data.iter().find(|(a, s)| *a <= ptr && ptr < a + s.len() as u64).expect("ptr's segment");
        let at = (ptr - base) as usize;
        assert_eq!(u32::from_le_bytes(seg[at..at + 4].try_into().unwrap()) as u64, counter + 4);
        assert_eq!(res.objects.len(), 2);
    });
}

/// Function bodies are copied, not re-encoded: the relocated fields stay
/// 5-byte padded LEBs, so `_start`'s body has its input size.
#[test]
fn bodies_keep_their_size() {
    link(&program(), &opts(false), |bytes, merged, _, res| {
        let start_index = merged.func(&FuncRef::Defined { obj: ObjectId(0), index: DefinedFuncIdx(0) }).unwrap();
        let mut n = merged.num_imported_functions;
        let mut size = None;
        for p in Parser::new(0).parse_all(bytes) {
            if let Payload::CodeSectionEntry(body) = p.unwrap() {
                if n == start_index.0 {
                    size = Some((body.range().end - body.range().start) as usize);
                }
                n += 1;
            }
        }
        let input = &res.objects[0].functions[0];
        assert_eq!(size, Some(input.chunk.len() - input.size_prefix_len as usize));
    });
}

/// `.debug_*` sections are kept by default and dropped with
/// `--strip-debug`, which keeps other custom sections.
#[test]
fn strip_debug_drops_debug_sections_only() {
    let mut files = program();
    files.push((
        "dbg.o",
        ObjectBuilder::new()
            .func("dbg_fn", Sig::void(), Body::new())
            .no_strip()
            .custom(Custom::new(".debug_info", vec![0u8; 8]).func_offset_at(4, "dbg_fn", 0))
            .custom(Custom::new("my_notes", b"note".to_vec()))
            .build(),
    ));
    link(&files, &opts(false), |bytes, _, _, _| {
        let names = custom_names(bytes);
        assert!(names.contains(&".debug_info".to_string()) && names.contains(&"my_notes".to_string()), "{names:?}");
    });
    link(&files, &opts(true), |bytes, _, _, _| {
        wasmparser::Validator::new().validate_all(bytes).unwrap();
        let names = custom_names(bytes);
        assert!(!names.iter().any(|n| n.starts_with(".debug_")), "{names:?}");
        assert!(names.contains(&"my_notes".to_string()), "{names:?}");
    });
}

/// A `.debug_info` reference to a function that gc removed gets wasm-ld's
/// tombstone -1; one to a live function gets its code offset.
#[test]
fn debug_references_to_dead_functions_are_tombstoned() {
    let dbg = ObjectBuilder::new()
        .func("_start", Sig::void(), Body::new())
        .func("dead_fn", Sig::void(), Body::new())
        .custom(Custom::new(".debug_info", vec![0u8; 8]).func_offset_at(0, "dead_fn", 0).func_offset_at(4, "_start", 1))
        .build();
    link(&[("dbg.o", dbg)], &opts(false), |bytes, _, _, _| {
        let mut info = None;
        for p in Parser::new(0).parse_all(bytes) {
            if let Payload::CustomSection(c) = p.unwrap() {
                if c.name() == ".debug_info" {
                    info = Some(c.data().to_vec());
                }
            }
        }
        let info = info.expect(".debug_info kept");
        assert_eq!(&info[0..4], &[0xff; 4], "dead function: tombstone");
        let live = u32::from_le_bytes(info[4..8].try_into().unwrap());
        assert!(live != u32::MAX && live != 1, "live function: its code offset plus 1, got {live}");
    });
}
