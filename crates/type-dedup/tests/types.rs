//! The type stage on small objects from `test-objects`: one output type per
//! distinct signature, in the order of first use.

use object_parse::Signature;
use symbol_resolve::Resolution;
use test_objects::{inputs, Body, Instruction, ObjectBuilder, Sig, ValType};
use type_dedup::TypeTable;

/// Links `files` through `wasmlink::link` (entry `_start`, gc on,
/// undefined functions imported) and passes the type table to `check`.
fn types<R>(files: &[(&str, Vec<u8>)], check: impl FnOnce(&TypeTable, &Resolution<'_>) -> R) -> R {
    let loaded = inputs(files);
    let config = wasmlink::Config { allow_undefined: true, ..Default::default() };
    let linked = wasmlink::link(&config, &loaded).unwrap_or_else(|e| panic!("link: {e}"));
    check(&linked.types, &linked.resolution)
}

fn sig(params: &[ValType], results: &[ValType]) -> Signature {
    let conv = |v: &[ValType]| -> Box<[object_parse::ValType]> {
        v.iter()
            .map(|t| match t {
                ValType::I32 => object_parse::ValType::I32,
                ValType::I64 => object_parse::ValType::I64,
                ValType::F32 => object_parse::ValType::F32,
                ValType::F64 => object_parse::ValType::F64,
                other => panic!("unsupported {other:?}"),
            })
            .collect()
    };
    Signature { params: conv(params), results: conv(results) }
}

/// Functions of two objects with the same signature share one output type;
/// each object's type indices map to the shared types.
#[test]
fn identical_signatures_share_a_type() {
    use ValType::I32;
    let a = ObjectBuilder::new()
        .func("inc", Sig::new(&[I32], &[I32]), Body::new().local_get(0))
        .func("_start", Sig::void(), Body::new().i32_const(1).call("inc").call("twice").drop())
        .import_func("twice", Sig::new(&[I32], &[I32]))
        .build();
    let b = ObjectBuilder::new()
        .func("twice", Sig::new(&[I32], &[I32]), Body::new().local_get(0))
        .func("noop", Sig::void(), Body::new())
        .no_strip()
        .build();
    types(&[("a.o", a), ("b.o", b)], |t, res| {
        assert_eq!(t.types, [sig(&[I32], &[I32]), sig(&[], &[])]);
        // Defined functions in output order: inc, _start, twice, noop.
        assert_eq!(t.function_types, [0, 1, 0, 1]);
        for (o, obj) in res.objects.iter().enumerate() {
            for (i, s) in obj.types.iter().enumerate() {
                let out = t.object_types[o][i].unwrap_or_else(|| panic!("{} type {i} unmapped", obj.name));
                assert_eq!(&t.types[out as usize], s);
            }
        }
    });
}

/// Order of first use: types named by `call_indirect` come first, then
/// imported functions' signatures, then defined functions' in index order.
#[test]
fn order_of_first_use() {
    use ValType::{F64, I32, I64};
    let main = ObjectBuilder::new()
        .import_func("host", Sig::new(&[I64], &[]))
        .func(
            "_start",
            Sig::void(),
            Body::new()
                .instr(Instruction::F64Const(1.0f64.into()))
                .i32_const(0)
                .call_indirect(&Sig::new(&[F64], &[]))
                .instr(Instruction::I64Const(5))
                .call("host"),
        )
        .func("ret", Sig::new(&[], &[I32]), Body::new().i32_const(0))
        .no_strip()
        .build();
    types(&[("main.o", main)], |t, _| {
        assert_eq!(t.types, [sig(&[F64], &[]), sig(&[I64], &[]), sig(&[], &[]), sig(&[], &[I32])]);
        assert_eq!(t.import_function_types, [1]);
    });
}
