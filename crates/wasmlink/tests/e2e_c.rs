//! End-to-end tests: link the C/C++ programs of `testdata/c/<case>/` (both the
//! `O2` and the `O0g` objects) with wasmlink, validate the output, run it under
//! wasmtime (WASI preview1) and compare stdout, exit status and the reactor
//! return value with the same program linked by wasm-ld-22.
//!
//! Develop against wasm-ld itself with
//! `WASMLINK_TEST_LINKER=/usr/bin/wasm-ld-22 cargo test -p wasmlink --test integration e2e_c::`.

use crate::common;

use crate::common::{check_variant, link_case, link_case_with_clang, linker_under_test, Case, VARIANTS};

/// Links and checks both variants of one case with the plain link line.
fn check_case(name: &str) {
    let test = format!("e2e_c::{name}");
    if !common::wasi_toolchain_ready(&test) {
        return;
    }
    let case = Case::load(name);
    let ours = linker_under_test();
    for variant in VARIANTS {
        check_variant(&case, variant, "", &|out| link_case(&ours, &case, variant, out), &|reference, out| {
            link_case(reference, &case, variant, out)
        });
    }
}

/// Links and checks both variants of one case through the clang driver
/// (`clang-19 --target=wasm32-wasi --sysroot=/usr -fuse-ld=<linker>`).
fn check_case_clang(name: &str) {
    let test = format!("e2e_c::clang_driver_{name}");
    if !common::wasi_toolchain_ready(&test) {
        return;
    }
    let case = Case::load(name);
    if !common::clang_ready(&test, case.clang_driver()) {
        return;
    }
    let ours = linker_under_test();
    for variant in VARIANTS {
        check_variant(
            &case,
            variant,
            " (clang driver)",
            &|out| link_case_with_clang(&ours, &case, variant, out),
            &|reference, out| link_case_with_clang(reference, &case, variant, out),
        );
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

        /// Every directory of testdata/c with a case.txt has a test above.
        #[test]
        fn every_case_is_tested() {
            let listed = [$(stringify!($name)),*];
            let dir = common::testdata().join("c");
            let mut missing = Vec::new();
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.join("case.txt").exists() {
                    let n = p.file_name().unwrap().to_string_lossy().into_owned();
                    if !listed.contains(&n.as_str()) {
                        missing.push(n);
                    }
                }
            }
            assert!(missing.is_empty(), "cases without a test in e2e_c.rs: {missing:?}");
        }
    };
}

cases!(
    archive_select,
    big_tables,
    cpp_features,
    ctors_atexit,
    pic_static,
    qsort_callback,
    reactor_exports,
    weak_override,
    weak_undefined,
);

#[test]
fn clang_driver_qsort_callback() {
    check_case_clang("qsort_callback");
}

#[test]
fn clang_driver_cpp_features() {
    check_case_clang("cpp_features");
}

#[test]
fn clang_driver_reactor_exports() {
    check_case_clang("reactor_exports");
}

/// The case.txt parser and link-line builder produce the documented line.
#[test]
fn link_line_matches_readme() {
    let case = Case::load("reactor_exports");
    let out = std::path::Path::new("/tmp/out.wasm");
    let args: Vec<String> = case.link_args("O2", out).iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let vdir = case.variant_dir("O2");
    let expected = vec![
        "-m".to_string(),
        "wasm32".into(),
        "-L/usr/lib/wasm32-wasi".into(),
        "/usr/lib/wasm32-wasi/crt1-reactor.o".into(),
        "--entry".into(),
        "_initialize".into(),
        vdir.join("api.o").to_string_lossy().into_owned(),
        vdir.join("reactor.o").to_string_lossy().into_owned(),
        "-lc".into(),
        common::BUILTINS.into(),
        "-o".into(),
        "/tmp/out.wasm".into(),
    ];
    assert_eq!(args, expected);
    assert_eq!(case.host, Some(("host".to_string(), "add".to_string())));
    assert_eq!(case.call.as_deref(), Some("run"));

    let case = Case::load("archive_select");
    let inputs = case.inputs("O0g");
    let names: Vec<_> = inputs.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["main.o", "libpick.a"]);

    let case = Case::load("cpp_features");
    let args: Vec<String> = case.link_args("O2", out).iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let n = args.len();
    assert_eq!(args[n - 6..n - 2], ["-lc++", "-lc++abi", "-lc", common::BUILTINS]);
}
