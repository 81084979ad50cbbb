//! `cargo xtask diff` over every test program: each `testdata/c` case
//! (both variants) is linked by wasm-ld-22 and by wasmlink into files of the
//! same name, and the two modules are compared entity by entity with the
//! `linkdiff` crate (section order and sizes, every index space with names,
//! data segment addresses, table slots, exports, producers,
//! target_features). Any difference fails, except the known ones listed
//! in [`KNOWN`] (and in the README), each with its reason.

mod common;

use common::*;

/// Differences that are known and explained: (case, difference class,
/// why).
const KNOWN: &[(&str, &str, &str)] = &[];

fn check(name: &str) {
    let test = format!("linkdiff::{name}");
    if !wasi_toolchain_ready(&test) {
        return;
    }
    let Some(reference) = reference_linker() else { return };
    let case = Case::load(name);
    let scratch = Scratch::new(&format!("linkdiff-{name}"));
    let mut failures = Vec::new();
    for variant in VARIANTS {
        let read = |who: &str, linker: &std::path::Path| {
            let dir = scratch.join(format!("{variant}-{who}"));
            std::fs::create_dir_all(&dir).unwrap();
            let bytes = link_case(linker, &case, variant, &dir.join("out.wasm"));
            linkdiff::read_module(&bytes).unwrap_or_else(|e| panic!("{test} {variant} ({who}): {e}"))
        };
        let left = read("wasm-ld-22", &reference);
        let right = read("wasmlink", &linker_under_test());
        for d in linkdiff::diff(&left, &right) {
            if !KNOWN.iter().any(|(c, class, _)| *c == name && *class == d.class) {
                failures.push(format!("{variant}: {d}"));
            }
        }
    }
    let shown: Vec<&String> = failures.iter().take(40).collect();
    assert!(
        failures.is_empty(),
        "{test}: {} differences from wasm-ld-22 (left) to wasmlink (right):\n{}",
        failures.len(),
        shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    );
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name));
            }
        )*

        /// Every testdata/c case is compared.
        #[test]
        fn every_case_is_compared() {
            let listed = [$(stringify!($name)),*];
            let dir = common::testdata().join("c");
            for e in std::fs::read_dir(&dir).unwrap() {
                let e = e.unwrap();
                if e.path().join("case.txt").exists() {
                    let n = e.file_name().to_string_lossy().into_owned();
                    assert!(listed.contains(&n.as_str()), "testdata/c/{n} is not compared by linkdiff.rs");
                }
            }
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
    weak_undefined
);
