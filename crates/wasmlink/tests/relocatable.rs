//! `-r` / `--relocatable` and `--emit-relocs`.
//!
//! For every `testdata/c` program (both variants): the program's own objects
//! are combined with `-r` into one object, which must parse as an object
//! (object-parse) and validate as a module (wasmparser); the final link of
//! that object (with the usual crt/libc line) must run like the direct
//! link. Checked both ways across linkers: wasmlink's `-r` output linked by
//! wasmlink and by wasm-ld-22, and wasm-ld-22's `-r` output linked by
//! wasmlink. Plus fixed expectations of what `-r` and `--emit-relocs`
//! write, compared with wasm-ld-22's outputs.

use crate::common;

use crate::common::module_facts::{module_facts, ModuleFacts};
use crate::common::{
    assert_same_run, linker_under_test, reference_linker, run_linker, run_module_cached, validate, Case, Scratch,
    BUILTINS, VARIANTS, WASI_LIB_DIR,
};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The case's loose objects (its archive, if any, stays on the final line).
fn own_objects(case: &Case, variant: &str) -> Vec<PathBuf> {
    case.inputs(variant).into_iter().filter(|p| p.extension().is_some_and(|e| e == "o")).collect()
}

/// Combines `objects` with `linker -r` into `out`.
fn link_relocatable(linker: &Path, objects: &[PathBuf], out: &Path) -> Vec<u8> {
    let mut args: Vec<OsString> = vec!["-r".into()];
    args.extend(objects.iter().map(|p| p.into()));
    args.extend(["-o".into(), out.into()]);
    let res = run_linker(linker, &args);
    assert_eq!(res.code, Some(0), "-r link failed\n{}", res.describe());
    std::fs::read(out).unwrap()
}

/// The case's usual link line with `combined` in place of its own objects.
fn final_line(case: &Case, variant: &str, combined: &Path, out: &Path) -> Vec<OsString> {
    let mut a: Vec<OsString> = vec!["-m".into(), "wasm32".into(), format!("-L{WASI_LIB_DIR}").into()];
    a.push(case.crt_path().into());
    if let Some(e) = &case.entry {
        a.extend(["--entry".into(), e.into()]);
    }
    a.push(combined.into());
    a.extend(case.inputs(variant).into_iter().filter(|p| p.extension().is_some_and(|e| e == "a")).map(Into::into));
    a.extend(case.libs.iter().map(Into::into));
    a.extend(["-lc".into(), BUILTINS.into(), "-o".into(), out.into()]);
    a
}

/// Links `combined` with the case's line and returns the module.
fn link_final(linker: &Path, case: &Case, variant: &str, combined: &Path, out: &Path) -> Vec<u8> {
    let res = run_linker(linker, final_line(case, variant, combined, out));
    assert_eq!(res.code, Some(0), "final link of {} failed\n{}", combined.display(), res.describe());
    std::fs::read(out).unwrap()
}

/// The checks of one case (see the module doc).
fn check_case(name: &str) {
    if !common::wasi_toolchain_ready(&format!("relocatable::{name}")) {
        return;
    }
    let case = Case::load(name);
    let ours = linker_under_test();
    let reference = reference_linker();
    for variant in VARIANTS {
        let what = format!("{name}/{variant}");
        let scratch = Scratch::new(&format!("reloc-{name}-{variant}"));
        let objects = own_objects(&case, variant);
        let direct =
            common::link_case(reference.as_deref().unwrap_or(&ours), &case, variant, &scratch.join("direct.wasm"));
        let expected = run_module_cached(&direct, &case).unwrap_or_else(|e| panic!("{what}: direct link: {e}"));

        let combined = scratch.join("ours.o");
        let bytes = link_relocatable(&ours, &objects, &combined);
        validate(&bytes).unwrap_or_else(|e| panic!("{what}: -r output does not validate: {e}"));
        object_parse::parse_object(&bytes, "ours.o").unwrap_or_else(|e| panic!("{what}: -r output: {e}"));

        let mut finals = vec![("wasmlink -r, wasmlink", ours.clone(), combined.clone())];
        if let Some(wasm_ld) = &reference {
            finals.push(("wasmlink -r, wasm-ld-22", wasm_ld.clone(), combined.clone()));
            let theirs = scratch.join("theirs.o");
            link_relocatable(wasm_ld, &objects, &theirs);
            finals.push(("wasm-ld-22 -r, wasmlink", ours.clone(), theirs));
        }
        for (i, (label, linker, input)) in finals.into_iter().enumerate() {
            let module = link_final(&linker, &case, variant, &input, &scratch.join(format!("final{i}.wasm")));
            validate(&module).unwrap_or_else(|e| panic!("{what} ({label}): does not validate: {e}"));
            let run = run_module_cached(&module, &case).unwrap_or_else(|e| panic!("{what} ({label}): {e}"));
            assert_same_run(&format!("{what} ({label})"), &run, &expected);
        }
    }
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_case(stringify!($name));
            }
        )*
    };
}

cases!(
    archive_select,
    big_tables,
    cpp_features,
    ctors_atexit,
    qsort_callback,
    reactor_exports,
    weak_override,
    weak_undefined,
);

/// What `-r` writes for qsort_callback: an object (linking and reloc
/// sections), no exports, the stack pointer and the table imported, the
/// data at 0, segments by their own names; the same facts as wasm-ld-22's
/// `-r` output, but for the data segments' bytes (wasm-ld merges strings).
#[test]
fn relocatable_output_facts() {
    let case = Case::load("qsort_callback");
    let scratch = Scratch::new("reloc-facts");
    let objects = own_objects(&case, "O2");
    let ours = module_facts(&link_relocatable(&linker_under_test(), &objects, &scratch.join("ours.o")));
    assert!(ours.has_custom("linking") && ours.has_custom("reloc.CODE") && ours.has_custom("reloc.DATA"));
    assert!(ours.exports.is_empty(), "{:?}", ours.exports);
    assert!(ours.has_import("env.__stack_pointer") && ours.has_import("env.__indirect_function_table"));
    assert!(!ours.has_function("__wasm_call_ctors"));
    assert_eq!(ours.first_data_offset(), Some(0));
    assert!(ours.segment_names().contains(&".rodata.binops"), "{:?}", ours.segment_names());
    // Without -r: a runnable module, none of that.
    let full = common::link_case(&linker_under_test(), &case, "O2", &scratch.join("full.wasm"));
    let full = module_facts(&full);
    assert!(!full.has_custom("linking") && full.has_export("_start"));
    if let Some(wasm_ld) = reference_linker() {
        let theirs = module_facts(&link_relocatable(&wasm_ld, &objects, &scratch.join("theirs.o")));
        let shape =
            |f: &ModuleFacts| (f.imports.clone(), f.exports.clone(), f.memory, f.table, f.custom_sections.clone());
        assert_eq!(shape(&ours), shape(&theirs));
        assert_eq!(ours.function_names, theirs.function_names);
        assert_eq!(ours.segment_names(), theirs.segment_names());
    }
}

/// `--emit-relocs`: the runnable module also carries `linking` and
/// `reloc.*` sections (as wasm-ld-22's does), and still runs.
#[test]
fn emit_relocs_keeps_relocations() {
    let case = Case::load("qsort_callback");
    if !common::wasi_toolchain_ready("relocatable::emit_relocs_keeps_relocations") {
        return;
    }
    let scratch = Scratch::new("reloc-emit");
    let out = scratch.join("ours.wasm");
    let mut line = case.link_args("O2", &out);
    line.insert(0, "--emit-relocs".into());
    let res = run_linker(&linker_under_test(), &line);
    assert_eq!(res.code, Some(0), "{}", res.describe());
    let bytes = std::fs::read(&out).unwrap();
    validate(&bytes).unwrap();
    let ours = module_facts(&bytes);
    assert!(ours.has_custom("linking") && ours.has_custom("reloc.CODE"), "{:?}", ours.custom_sections);
    assert!(ours.has_export("_start"));
    let plain = common::link_case(&linker_under_test(), &case, "O2", &scratch.join("plain.wasm"));
    assert!(!module_facts(&plain).has_custom("linking"));
    let run = run_module_cached(&bytes, &case).unwrap();
    assert_same_run("--emit-relocs", &run, &run_module_cached(&plain, &case).unwrap());
    if let Some(wasm_ld) = reference_linker() {
        let theirs_out = scratch.join("theirs.wasm");
        let mut line = case.link_args("O2", &theirs_out);
        line.insert(0, "--emit-relocs".into());
        assert_eq!(run_linker(&wasm_ld, &line).code, Some(0));
        let theirs = module_facts(&std::fs::read(&theirs_out).unwrap());
        assert_eq!(ours.custom_sections, theirs.custom_sections);
    }
}

/// wasm-ld's option checks for `-r`.
#[test]
fn relocatable_option_conflicts() {
    let ours = linker_under_test();
    let o = common::testdata().join("c/qsort_callback/O2/cmp.o");
    for (extra, message) in [
        (&["--gc-sections"][..], "-r and --gc-sections may not be used together"),
        (&["--entry", "main"], "entry point specified for relocatable output file"),
        (&["--export-table"], "--relocatable is incompatible with --export-table"),
        (&["--shared-memory"], "-r and --shared-memory may not be used together"),
    ] {
        let mut args: Vec<OsString> = vec!["-r".into()];
        args.extend(extra.iter().map(Into::into));
        args.extend([o.clone().into(), "-o".into(), "/dev/null".into()]);
        let res = run_linker(&ours, &args);
        assert_eq!(res.code, Some(1), "{extra:?}: {}", res.describe());
        assert!(res.stderr.contains(message), "{extra:?}: {}", res.stderr);
    }
}
