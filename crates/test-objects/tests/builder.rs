//! The builder's objects and archives, read back with decoders that are not
//! the linker's: wasmparser's validator and its `linking`/`reloc.*` readers.

use test_objects::{flags, ArchiveBuilder, Body, Custom, ObjectBuilder, Segment, Sig, ValType};
use wasmparser::{KnownCustom, Linking, Parser, Payload};

/// An object like clang's output for a C file with a constructor, a call
/// to an import, a function pointer in data and a weak variable (compare
/// `clang-19 --target=wasm32-wasi -O0 -c` of the equivalent C).
fn sample() -> ObjectBuilder {
    ObjectBuilder::new()
        .func("ctor", Sig::void(), Body::new().i32_const(1).call("ext"))
        .hidden()
        .import_func("ext", Sig::new(&[ValType::I32], &[]))
        .func("use", Sig::ret_i32(), Body::new().load_i32("fp", 0).call_indirect(&Sig::void()).call("inl"))
        .hidden()
        .data("fp", Segment::new(".data.fp", [0; 4]).align(2).func_addr_at(0, "ctor"))
        .hidden()
        .import_func("inl", Sig::ret_i32())
        .data("wdata", Segment::new(".data.wdata", 3u32.to_le_bytes()).align(2))
        .weak()
        .custom(Custom::new(".debug_info", vec![0; 8]).func_offset_at(4, "use", 2))
        .init_func("ctor", 150)
        .comdat("wdata", &["wdata"])
}

/// The rendered symbol table, segment info, init functions, COMDATs and
/// relocation sections of `bytes`, as wasmparser decodes them.
fn linking_dump(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for p in Parser::new(0).parse_all(bytes) {
        let Payload::CustomSection(c) = p.unwrap() else { continue };
        match c.as_known() {
            KnownCustom::Linking(r) => {
                out.push(format!("linking version {}", r.version()));
                for sub in r.subsections() {
                    match sub.unwrap() {
                        Linking::SymbolTable(m) => {
                            for s in m {
                                out.push(format!("symbol {:?}", s.unwrap()));
                            }
                        }
                        Linking::SegmentInfo(m) => {
                            for s in m {
                                let s = s.unwrap();
                                out.push(format!("segment {} align {} flags {:?}", s.name, s.alignment, s.flags));
                            }
                        }
                        Linking::InitFuncs(m) => {
                            for f in m {
                                let f = f.unwrap();
                                out.push(format!("init priority {} symbol {}", f.priority, f.symbol_index));
                            }
                        }
                        Linking::ComdatInfo(m) => {
                            for c in m {
                                let c = c.unwrap();
                                let members: Vec<String> =
                                    c.symbols.into_iter().map(|s| format!("{:?}", s.unwrap())).collect();
                                out.push(format!("comdat {} {}", c.name, members.join(" ")));
                            }
                        }
                        other => out.push(format!("other {other:?}")),
                    }
                }
            }
            KnownCustom::Reloc(r) => {
                for e in r.entries() {
                    let e = e.unwrap();
                    out.push(format!(
                        "{} section {}: {:?} at {:#x} index {} addend {}",
                        c.name(),
                        r.section_index(),
                        e.ty,
                        e.offset,
                        e.index,
                        e.addend
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// The sample validates, and wasmparser's own decoder reads back every
/// symbol (kind, flags, index, name), segment, init function, COMDAT and
/// relocation that the builder was told to write, in clang's order.
#[test]
fn linking_and_relocations_read_back_with_wasmparser() {
    let bytes = sample().build();
    wasmparser::Validator::new().validate_all(&bytes).unwrap();
    let dump = linking_dump(&bytes);
    let expected = [
        "linking version 2",
        "symbol Func { flags: SymbolFlags(VISIBILITY_HIDDEN), index: 2, name: Some(\"ctor\") }",
        "symbol Func { flags: SymbolFlags(UNDEFINED), index: 0, name: None }",
        "symbol Func { flags: SymbolFlags(VISIBILITY_HIDDEN), index: 3, name: Some(\"use\") }",
        "symbol Data { flags: SymbolFlags(VISIBILITY_HIDDEN), name: \"fp\", symbol: Some(DefinedDataSymbol { index: 0, offset: 0, size: 4 }) }",
        "symbol Func { flags: SymbolFlags(UNDEFINED), index: 1, name: None }",
        "symbol Data { flags: SymbolFlags(BINDING_WEAK), name: \"wdata\", symbol: Some(DefinedDataSymbol { index: 1, offset: 0, size: 4 }) }",
        "symbol Table { flags: SymbolFlags(UNDEFINED | NO_STRIP), index: 0, name: None }",
        "segment .data.fp align 2 flags SegmentFlags(0x0)",
        "segment .data.wdata align 2 flags SegmentFlags(0x0)",
        "init priority 150 symbol 0",
        "comdat wdata ComdatSymbol { kind: Data, index: 1 }",
        "reloc.CODE section 5: FunctionIndexLeb at 0x6 index 1 addend 0",
        "reloc.CODE section 5: MemoryAddrLeb at 0x12 index 3 addend 0",
        "reloc.CODE section 5: TypeIndexLeb at 0x18 index 0 addend 0",
        "reloc.CODE section 5: TableNumberLeb at 0x1d index 6 addend 0",
        "reloc.CODE section 5: FunctionIndexLeb at 0x23 index 4 addend 0",
        "reloc.DATA section 6: TableIndexI32 at 0x6 index 0 addend 0",
        "reloc..debug_info section 7: FunctionOffsetI32 at 0x4 index 2 addend 2",
    ];
    assert_eq!(dump, expected, "got:\n{}", dump.join("\n"));
}

/// Section order is clang's: known sections in spec order (with an element
/// segment for the address-taken function and a data count), then the
/// input custom sections, `linking` and the `reloc.*` sections.
#[test]
fn sections_in_clang_order() {
    let bytes = sample().build();
    let mut names = Vec::new();
    for p in Parser::new(0).parse_all(&bytes) {
        match p.unwrap() {
            Payload::CustomSection(c) => names.push(c.name().to_string()),
            p => {
                if let Some((id, _)) = p.as_section() {
                    names.push(id.to_string());
                }
            }
        }
    }
    assert_eq!(
        names,
        [
            "1",
            "2",
            "3",
            "9",
            "12",
            "10",
            "11",
            ".debug_info",
            "linking",
            "reloc.CODE",
            "reloc.DATA",
            "reloc..debug_info"
        ]
    );
}

/// Every code relocation points at a 5-byte padded LEB128 (four bytes with
/// the continuation bit, then one without) holding the object-local value:
/// the call to `inl` (function 1) and the load of `fp` (address 0).
#[test]
fn code_fields_are_padded_lebs_with_local_values() {
    let bytes = sample().build();
    let mut code = None;
    for p in Parser::new(0).parse_all(&bytes) {
        if let Payload::CodeSectionStart { unchecked_range: range, .. } = p.unwrap() {
            code = Some(&bytes[range.start as usize..range.end as usize]);
        }
    }
    let code = code.unwrap();
    // `call inl` at 0x23, `i32.load offset=fp` at 0x12 (see the dump above).
    assert_eq!(code[0x22], 0x10, "call opcode before the field");
    assert_eq!(&code[0x23..0x28], &[0x81, 0x80, 0x80, 0x80, 0x00]);
    assert_eq!(code[0x11], 0x02, "i32.load alignment before the offset field");
    assert_eq!(&code[0x12..0x17], &[0x80, 0x80, 0x80, 0x80, 0x00]);
}

/// Imports named differently from their symbol carry `EXPLICIT_NAME` and
/// the name; `export_name` writes an export and `EXPORTED | NO_STRIP`;
/// section symbols are local and name their section by index.
#[test]
fn explicit_names_exports_and_section_symbols() {
    let bytes = ObjectBuilder::new()
        .import_func_from("my_write", "wasi_snapshot_preview1", "fd_write", Sig::void())
        .func("f", Sig::void(), Body::new().call("my_write"))
        .export_name("run")
        .custom(Custom::new(".debug_str", b"abc\0".to_vec()))
        .section_symbol(".debug_str")
        .build();
    let dump = linking_dump(&bytes);
    assert!(dump.contains(&format!(
        "symbol Func {{ flags: SymbolFlags({}), index: 0, name: Some(\"my_write\") }}",
        "UNDEFINED | EXPLICIT_NAME"
    )));
    assert!(dump
        .contains(&"symbol Func { flags: SymbolFlags(EXPORTED | NO_STRIP), index: 1, name: Some(\"f\") }".to_string()));
    assert!(
        dump.contains(&"symbol Section { flags: SymbolFlags(BINDING_LOCAL), section: 5 }".to_string()),
        "{dump:#?}"
    );
    let mut exports = Vec::new();
    for p in Parser::new(0).parse_all(&bytes) {
        if let Payload::ExportSection(r) = p.unwrap() {
            exports.extend(r.into_iter().map(|e| e.unwrap().name.to_string()));
        }
    }
    assert_eq!(exports, ["run"]);
    assert_eq!(flags::EXPORTED | flags::NO_STRIP, 0xa0);
}

/// A body that does not type-check makes `build` panic (so test objects are
/// always valid modules), while `build_unchecked` returns the bytes.
#[test]
#[should_panic(expected = "does not validate")]
fn invalid_bodies_are_caught() {
    let b = ObjectBuilder::new().func("f", Sig::ret_i32(), Body::new());
    assert!(!b.build_unchecked().is_empty());
    b.build();
}

/// The archive starts with a `/` index whose big-endian offsets point at
/// the member headers, long names go through `//`, and members sit at even
/// offsets.
#[test]
fn archive_layout() {
    let a = ArchiveBuilder::new()
        .member("a.o", vec![1, 2, 3], &["foo", "bar"])
        .member("a_very_long_member_name.o", vec![4; 4], &["baz"])
        .build();
    assert!(a.starts_with(b"!<arch>\n/               0           0     0     644     "));
    let size: usize = std::str::from_utf8(&a[8 + 48..8 + 58]).unwrap().trim().parse().unwrap();
    let index = &a[68..68 + size];
    assert_eq!(u32::from_be_bytes(index[0..4].try_into().unwrap()), 3);
    let offsets: Vec<usize> =
        (0..3).map(|i| u32::from_be_bytes(index[4 + 4 * i..8 + 4 * i].try_into().unwrap()) as usize).collect();
    assert_eq!(&index[16..], b"foo\0bar\0baz\0");
    assert_eq!(offsets[0], offsets[1]);
    assert!(a[offsets[0]..].starts_with(b"a.o/ "));
    assert!(a[offsets[2]..].starts_with(b"/0 "));
    assert!(offsets.iter().all(|o| o % 2 == 0));
    assert_eq!(&a[offsets[0] + 60..offsets[0] + 63], &[1, 2, 3]);
    let names_at = 68 + size.next_multiple_of(2);
    assert!(a[names_at..].starts_with(b"//"));
    assert!(a[names_at + 60..].starts_with(b"a_very_long_member_name.o/\n"));
    assert!(!ArchiveBuilder::new().member("a.o", vec![], &[]).without_index().build()[8..].starts_with(b"/ "));
}
