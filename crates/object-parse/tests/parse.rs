//! The parse stage on small objects and archives from `test-objects`: what
//! it reads back from symbol tables, segment info, relocations, init
//! functions, COMDATs and archives, and how it reports truncated input.

use object_parse::{
    flags, segment_flags, ComdatKind, DataDef, FuncIdx, Input, ObjectFile, ObjectSet, RelocType, SegmentIdx, SymbolKind,
};
use test_objects::{inputs, ArchiveBuilder, Body, ObjectBuilder, Segment, Sig, ValType};

/// Parses `bytes` as the single input `name`.
fn parse_one(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    let loaded = inputs(&[(name, bytes)]);
    match object_parse::run(&loaded) {
        Ok(set) => Ok(object_parse::dump::dump_object_set(&set)),
        Err(e) => Err(e.to_string()),
    }
}

/// Runs `check` on the parsed object of `bytes`.
fn with_object<R>(bytes: Vec<u8>, check: impl FnOnce(&ObjectFile<'_>) -> R) -> R {
    let loaded = inputs(&[("t.o", bytes)]);
    let set = object_parse::run(&loaded).unwrap_or_else(|e| panic!("{e}"));
    match &set.inputs[..] {
        [Input::Object(o)] => check(o),
        _ => panic!("expected one object"),
    }
}

/// Symbols come back with their names, kinds, indices and flags: defined
/// functions after the imported one, an import named by its field, an
/// explicitly named import, weak/local/hidden/no_strip/exported bits, and
/// defined and undefined data with segment, offset and size.
#[test]
fn symbols_and_flags_read_back() {
    let bytes = ObjectBuilder::new()
        .import_func("ext", Sig::void())
        .import_func_from("my_write", "wasi", "fd_write", Sig::void())
        .func("weak_fn", Sig::void(), Body::new())
        .weak()
        .func("local_fn", Sig::void(), Body::new())
        .local()
        .no_strip()
        .func("hidden_fn", Sig::void(), Body::new().call("ext").call("my_write"))
        .hidden()
        .exported()
        .segment(Segment::new(".data.pair", [0u8; 8]).align(2))
        .data_symbol("second", ".data.pair", 4, 4)
        .undefined_data("ext_data")
        .build();
    with_object(bytes, |o| {
        let got: Vec<(&str, SymbolKind, u32)> = o.linking.symbols.iter().map(|s| (s.name, s.kind, s.flags)).collect();
        assert_eq!(
            got,
            [
                ("ext", SymbolKind::Function(FuncIdx(0)), flags::UNDEFINED),
                ("my_write", SymbolKind::Function(FuncIdx(1)), flags::UNDEFINED | flags::EXPLICIT_NAME),
                ("weak_fn", SymbolKind::Function(FuncIdx(2)), flags::BINDING_WEAK),
                ("local_fn", SymbolKind::Function(FuncIdx(3)), flags::BINDING_LOCAL | flags::NO_STRIP),
                ("hidden_fn", SymbolKind::Function(FuncIdx(4)), flags::VISIBILITY_HIDDEN | flags::EXPORTED),
                ("second", SymbolKind::Data(Some(DataDef { segment: SegmentIdx(0), offset: 4, size: 4 })), 0),
                ("ext_data", SymbolKind::Data(None), flags::UNDEFINED),
            ]
        );
        assert_eq!(o.num_imported_functions, 2);
        assert_eq!(o.functions.len(), 3);
        let imp = o.symbol_import(&o.linking.symbols[1]).unwrap();
        assert_eq!((imp.module, imp.field), ("wasi", "fd_write"));
    });
}

/// Segment info gives each data segment its name, alignment and flags, in
/// data section order, with the segment's bytes.
#[test]
fn segment_info_read_back() {
    let bytes = ObjectBuilder::new()
        .data("s", Segment::new(".rodata.str1.1", b"hi\0".to_vec()).strings())
        .data("kept", Segment::new(".data.kept", [7u8; 8]).align(3).retain())
        .bss("zero", 16, 4)
        .build();
    with_object(bytes, |o| {
        let got: Vec<(&str, u32, u32, usize, bool)> = o
            .segments
            .iter()
            .map(|s| (s.info.name, s.info.align_log2, s.info.flags, s.data.len(), s.passive))
            .collect();
        assert_eq!(
            got,
            [
                (".rodata.str1.1", 0, segment_flags::STRINGS, 3, false),
                (".data.kept", 3, segment_flags::RETAIN, 8, false),
                (".bss.zero", 4, 0, 16, false),
            ]
        );
        assert_eq!(o.segments[1].data, &[7u8; 8]);
    });
}

/// Code relocations are split among the functions they patch, each with
/// its type, symbol, addend and an offset (relative to the code section
/// payload) that lands on the padded field inside the function's chunk;
/// data relocations go to the segment they patch.
#[test]
fn relocations_assigned_to_functions_and_segments() {
    let bytes = ObjectBuilder::new()
        .import_func("ext", Sig::void())
        .func("first", Sig::void(), Body::new().call("ext"))
        .func("empty", Sig::void(), Body::new())
        .func("third", Sig::ret_i32(), Body::new().call("first").load_i32("counter", 4))
        .data("counter", Segment::new(".data.counter", [0u8; 8]).align(2))
        .data("ptr", Segment::new(".data.ptr", [0u8; 8]).align(2).data_addr_at(4, "counter", 4))
        .build();
    with_object(bytes, |o| {
        let per_function: Vec<Vec<(RelocType, u32, i64)>> = o
            .functions
            .iter()
            .map(|f| o.code_relocs[f.relocs.clone()].iter().map(|r| (r.ty, r.index, r.addend)).collect())
            .collect();
        assert_eq!(
            per_function,
            [
                vec![(RelocType::FunctionIndexLeb, 0, 0)],
                vec![],
                vec![(RelocType::FunctionIndexLeb, 1, 0), (RelocType::MemoryAddrLeb, 4, 4)],
            ]
        );
        for f in &o.functions {
            for r in &o.code_relocs[f.relocs.clone()] {
                let at = (r.offset - f.section_offset) as usize;
                assert!(
                    at >= f.size_prefix_len as usize && at + 5 <= f.chunk.len(),
                    "reloc at {:#x} outside",
                    r.offset
                );
                // The padded field: four bytes with the continuation bit.
                assert!(f.chunk[at..at + 4].iter().all(|b| b & 0x80 != 0), "field at {:#x} not padded", r.offset);
            }
        }
        // `call first`: first is function 1 of the object.
        let third = &o.functions[2];
        let call = o.code_relocs[third.relocs.start];
        let at = (call.offset - third.section_offset) as usize;
        assert_eq!(&third.chunk[at - 1..at + 5], &[0x10, 0x81, 0x80, 0x80, 0x80, 0x00]);

        assert_eq!(o.segments[0].relocs.len(), 0);
        let data: Vec<_> =
            o.data_relocs[o.segments[1].relocs.clone()].iter().map(|r| (r.ty, r.index, r.addend)).collect();
        assert_eq!(data, [(RelocType::MemoryAddrI32, 4, 4)]);
        let r = o.data_relocs[o.segments[1].relocs.start];
        assert_eq!(r.offset - o.segments[1].section_offset, 4, "offset within the segment");
    });
}

/// Init functions keep their priority and symbol index; COMDAT members
/// are rebased from absolute indices (imports included) to definitions.
#[test]
fn init_functions_and_comdats() {
    let bytes = ObjectBuilder::new()
        .import_func("ext", Sig::void())
        .func("ctor_late", Sig::void(), Body::new().call("ext"))
        .func("ctor_early", Sig::void(), Body::new())
        .func("inl", Sig::void(), Body::new())
        .weak()
        .data("tmpl", Segment::new(".data.tmpl", [0u8; 4]).align(2))
        .weak()
        .init_func("ctor_late", 65535)
        .init_func("ctor_early", 101)
        .comdat("inl", &["inl"])
        .comdat("tmpl", &["tmpl"])
        .build();
    with_object(bytes, |o| {
        let inits: Vec<(u32, &str)> =
            o.linking.init_funcs.iter().map(|f| (f.priority, o.linking.symbols[f.symbol.index()].name)).collect();
        assert_eq!(inits, [(65535, "ctor_late"), (101, "ctor_early")]);
        let comdats: Vec<(&str, Vec<(ComdatKind, u32)>)> =
            o.linking.comdats.iter().map(|c| (c.name, c.members.clone())).collect();
        // `inl` is function 3 of the file (1 import) = definition 2.
        assert_eq!(comdats, [("inl", vec![(ComdatKind::Function, 2)]), ("tmpl", vec![(ComdatKind::Data, 0)])]);
    });
}

/// The dump lists each function's relocations under it, by symbol name.
#[test]
fn dump_shows_relocations_per_function() {
    let bytes = ObjectBuilder::new()
        .import_func("ext", Sig::void())
        .func("f", Sig::void(), Body::new())
        .func("g", Sig::void(), Body::new().call("ext").call("f"))
        .build();
    let dump = parse_one("t.o", bytes).unwrap();
    let g = dump.split("in function 2:").nth(1).expect("relocations listed under g (function 2)");
    assert!(g.contains("R_WASM_FUNCTION_INDEX_LEB 0:ext"), "{dump}");
    assert!(g.contains("R_WASM_FUNCTION_INDEX_LEB 1:f"), "{dump}");
    assert!(!dump.contains("in function 1:"), "f has no relocations: {dump}");
}

/// An archive stays lazy: its members are listed with their names (long
/// names through the `//` table) and the index maps each symbol to its
/// member; an archive without an index has none.
#[test]
fn archives_are_indexed_not_parsed() {
    let a = ObjectBuilder::new().func("a_fn", Sig::void(), Body::new()).build();
    let b = ObjectBuilder::new().func("b_fn", Sig::void(), Body::new()).func("b_two", Sig::void(), Body::new()).build();
    let lib = ArchiveBuilder::new()
        .member("a.o", a.clone(), &["a_fn"])
        .member("a_rather_long_member_name.o", b.clone(), &["b_fn", "b_two"])
        .build();
    let bare = ArchiveBuilder::new().member("a.o", a.clone(), &[]).without_index().build();
    let loaded = inputs(&[("lib.a", lib), ("bare.a", bare)]);
    let set = object_parse::run(&loaded).unwrap();
    let [Input::Archive(lib), Input::Archive(bare)] = &set.inputs[..] else { panic!("expected two archives") };
    assert_eq!(lib.path, "lib.a");
    let names: Vec<&str> = lib.archive.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["a.o", "a_rather_long_member_name.o"]);
    assert_eq!(lib.archive.members[0].data, &a[..]);
    assert_eq!(lib.archive.members[1].data, &b[..]);
    let index: Vec<(&str, u32)> = lib.archive.symbol_index.as_ref().unwrap().iter().map(|(n, m)| (*n, m.0)).collect();
    assert_eq!(index, [("a_fn", 0), ("b_fn", 1), ("b_two", 1)]);
    assert!(bare.archive.symbol_index.is_none());
}

/// With `--whole-archive` every member is parsed into an object named
/// `archive(member)`, in member order.
#[test]
fn whole_archive_members_become_objects() {
    let a = ObjectBuilder::new().func("a_fn", Sig::void(), Body::new()).build();
    let b = ObjectBuilder::new().func("b_fn", Sig::void(), Body::new()).build();
    let lib = ArchiveBuilder::new().member("a.o", a, &["a_fn"]).member("b.o", b, &["b_fn"]).build();
    let mut loaded = inputs(&[("lib.a", lib)]);
    loaded.files[0].whole_archive = true;
    let set: ObjectSet<'_> = object_parse::run(&loaded).unwrap();
    let names: Vec<&str> = set
        .inputs
        .iter()
        .map(|i| match i {
            Input::Object(o) => o.name.as_str(),
            Input::Archive(_) => "archive",
            Input::Stub(_) => "stub",
            Input::Shared(_) => "shared",
        })
        .collect();
    assert_eq!(names, ["lib.a(a.o)", "lib.a(b.o)"]);
}

/// An object cut inside any section fails with an error naming the file
/// and an offset no larger than the bytes it had; cuts at section
/// boundaries may parse (fewer sections) but never panic.
#[test]
fn truncated_objects_fail_naming_file_and_offset() {
    let bytes = ObjectBuilder::new()
        .import_func("ext", Sig::new(&[ValType::I32], &[]))
        .func("f", Sig::void(), Body::new().i32_const(1).call("ext"))
        .data("d", Segment::new(".data.d", [1u8; 4]).align(2).data_addr_at(0, "d", 0))
        .init_func("f", 7)
        .build();
    // Section boundaries (offsets where a section starts or the file ends).
    let mut boundaries = vec![8, bytes.len()];
    for p in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let Some((_, range)) = p.unwrap().as_section() {
            boundaries.push(range.end as usize);
        }
    }
    let mut failures = 0;
    for len in 0..bytes.len() {
        let result = parse_one("cut.o", bytes[..len].to_vec());
        if boundaries.contains(&len) {
            continue;
        }
        let err = result.expect_err(&format!("a cut at {len} inside a section must fail"));
        assert!(err.starts_with("cut.o: at offset 0x"), "cut at {len}: {err}");
        let hex = err["cut.o: at offset 0x".len()..].split(':').next().unwrap();
        let offset = usize::from_str_radix(hex, 16).unwrap();
        assert!(offset <= len, "cut at {len}: offset {offset:#x} past the end: {err}");
        failures += 1;
    }
    assert!(failures > bytes.len() / 2);
}

/// A `linking` section with a version other than 2 fails with an error
/// naming the file and the offset of the version field; a module without
/// `linking` is rejected as not relocatable.
#[test]
fn linking_errors_name_file_and_offset() {
    let mut bytes = ObjectBuilder::new().func("f", Sig::void(), Body::new()).build();
    let version_at = bytes.windows(7).position(|w| w == b"linking").unwrap() + 7;
    assert_eq!(bytes[version_at], 2);
    bytes[version_at] = 3;
    let err = parse_one("t.o", bytes).unwrap_err();
    assert!(err.contains("t.o"), "{err}");
    assert!(err.contains(&format!("offset {version_at:#x}")), "expected offset {version_at:#x}: {err}");
    assert!(err.contains("version 3"), "{err}");

    let plain = b"\0asm\x01\0\0\0".to_vec();
    let err = parse_one("plain.wasm", plain).unwrap_err();
    assert!(err.contains("plain.wasm") && err.contains("linking"), "{err}");
}
