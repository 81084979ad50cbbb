//! The merge stage on small objects from `test-objects`: the output index
//! spaces (imports first), exports and the constructor calls.

use atom_layout::Layout;
use object_parse::{DefinedFuncIdx, SegmentIdx};
use section_merge::{ExportKind, MergedModule, OutputExport, OutputFuncIdx, OutputFunction, OutputGlobal};
use symbol_resolve::{FuncRef, ObjectId, Resolution, SyntheticGlobal};
use test_objects::{inputs, Body, ObjectBuilder, Segment, Sig, ValType};

/// Links `files` through `wasmlink::link` (entry `_start`, gc on,
/// undefined functions imported, `--export` for each of `exports`) and
/// passes the merge stage's output and the earlier outputs to `check`.
fn merge<R>(
    files: &[(&str, Vec<u8>)],
    exports: &[&str],
    check: impl FnOnce(&MergedModule, &Layout, &Resolution<'_>) -> R,
) -> R {
    let loaded = inputs(files);
    let config = wasmlink::Config {
        allow_undefined: true,
        exports: exports.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let linked = wasmlink::link(&config, &loaded).unwrap_or_else(|e| panic!("link: {e}"));
    check(&linked.merged, &linked.layout, &linked.resolution)
}

fn defined(obj: u32, index: u32) -> FuncRef {
    FuncRef::Defined { obj: ObjectId(obj), index: DefinedFuncIdx(index) }
}

/// Imported functions take the first indices; defined functions follow in
/// link order (objects in order, functions in order), dead ones skipped.
#[test]
fn imports_first_then_definitions_in_link_order() {
    let a = ObjectBuilder::new()
        .import_func("host_a", Sig::void())
        .import_func("helper", Sig::void())
        .func("dead", Sig::void(), Body::new())
        .func("_start", Sig::void(), Body::new().call("host_a").call("helper"))
        .build();
    let b = ObjectBuilder::new()
        .import_func("host_b", Sig::void())
        .func("helper", Sig::void(), Body::new().call("host_b"))
        .build();
    merge(&[("a.o", a), ("b.o", b)], &[], |m, _, res| {
        assert_eq!(m.num_imported_functions, 2);
        let imports: Vec<&str> = m.imports.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(imports, ["host_a", "host_b"]);
        assert_eq!(m.import_index, [0, 1]);
        assert_eq!(m.func(&defined(0, 0)), None, "dead function has no index");
        assert_eq!(m.func(&defined(0, 1)), Some(OutputFuncIdx(2)));
        assert_eq!(m.func(&defined(1, 0)), Some(OutputFuncIdx(3)));
        assert_eq!(
            m.functions,
            [
                OutputFunction::Input { obj: ObjectId(0), index: DefinedFuncIdx(1) },
                OutputFunction::Input { obj: ObjectId(1), index: DefinedFuncIdx(0) }
            ]
        );
        assert_eq!(res.objects.len(), 2);
    });
}

/// Globals: the linker's `__stack_pointer` first, then the inputs'
/// globals in link order, then a global holding the address of an
/// `--export`ed data symbol.
#[test]
fn globals_and_exports() {
    let main = ObjectBuilder::new()
        .global("counter", ValType::I32, true, 7)
        .data("table_data", Segment::new(".data.table_data", [1u8; 8]).align(3))
        .func("_start", Sig::void(), Body::new().global_get("counter").drop())
        .func("run", Sig::void(), Body::new())
        .export_name("run_export")
        .build();
    merge(&[("main.o", main)], &["table_data"], |m, layout, _| {
        assert_eq!(m.num_imported_globals, 0);
        assert_eq!(m.globals[0], OutputGlobal::Synthetic(SyntheticGlobal::StackPointer));
        assert_eq!(m.globals[1], OutputGlobal::Input { obj: ObjectId(0), index: 0 });
        let address = layout.segment_address(ObjectId(0), SegmentIdx(0)).unwrap();
        assert_eq!(m.globals[2], OutputGlobal::DataAddress { symbol: "table_data".into(), address });
        assert_eq!(m.exports[0], OutputExport { name: "memory".into(), kind: ExportKind::Memory, index: 0 });
        let rest: Vec<(&str, ExportKind, u32)> =
            m.exports[1..].iter().map(|e| (e.name.as_str(), e.kind, e.index)).collect();
        assert!(rest.contains(&("run_export", ExportKind::Function, m.func(&defined(0, 1)).unwrap().0)), "{rest:?}");
        assert!(rest.contains(&("table_data", ExportKind::Global, 2)), "{rest:?}");
        assert!(rest.contains(&("_start", ExportKind::Function, m.func(&defined(0, 0)).unwrap().0)), "{rest:?}");
    });
}

/// `__wasm_call_ctors` comes right after the imports and calls the
/// constructors in priority order (across objects); the constructors'
/// results are dropped.
#[test]
fn call_ctors_in_priority_order() {
    let a = ObjectBuilder::new()
        .func("late", Sig::void(), Body::new())
        .func("early", Sig::ret_i32(), Body::new().i32_const(0))
        .init_func("late", 300)
        .init_func("early", 100)
        .func("_start", Sig::void(), Body::new().call("__wasm_call_ctors"))
        .import_func("__wasm_call_ctors", Sig::void())
        .build();
    let b = ObjectBuilder::new().func("middle", Sig::void(), Body::new()).init_func("middle", 200).build();
    merge(&[("a.o", a), ("b.o", b)], &[], |m, _, _| {
        assert_eq!(m.call_ctors, Some(OutputFuncIdx(0)));
        assert_eq!(m.functions[0], OutputFunction::CallCtors);
        let early = m.func(&defined(0, 1)).unwrap();
        let middle = m.func(&defined(1, 0)).unwrap();
        let late = m.func(&defined(0, 0)).unwrap();
        assert_eq!(m.ctor_calls, [(early, 1), (middle, 0), (late, 0)]);
    });
}

/// A command whose inputs never call `__wasm_call_ctors` but have
/// constructors gets a `NAME.command_export` wrapper for each exported
/// function, and the export points at the wrapper.
#[test]
fn command_export_wrappers() {
    let main = ObjectBuilder::new()
        .func("ctor", Sig::void(), Body::new())
        .init_func("ctor", 65535)
        .func("_start", Sig::void(), Body::new())
        .build();
    merge(&[("main.o", main)], &[], |m, _, _| {
        let start = m.func(&defined(0, 1)).unwrap();
        let wrapper = m
            .functions
            .iter()
            .position(|f| matches!(f, OutputFunction::CommandExport { wrapped, name, .. } if *wrapped == start && name == "_start.command_export"))
            .expect("a wrapper around _start") as u32;
        let export = m.exports.iter().find(|e| e.name == "_start").unwrap();
        assert_eq!(export.index, m.num_imported_functions + wrapper);
    });
}
