//! `cargo xtask diff` over every test program: each `testdata/c` case
//! (both variants) is linked by wasm-ld-22 and by wasmlink into files of the
//! same name, and the two modules are compared entity by entity with the
//! `linkdiff` crate (section order and sizes, every index space with names,
//! data segment addresses, table slots, exports, producers,
//! target_features), and their `.debug_*` sections byte for byte (so every
//! DWARF relocation is checked against wasm-ld-22's value). Any difference
//! fails, except the known ones listed in [`KNOWN`] (and in the README),
//! each with its reason.

use crate::common;

use crate::common::*;

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
            let module = linkdiff::read_module(&bytes).unwrap_or_else(|e| panic!("{test} {variant} ({who}): {e}"));
            (module, debug_sections(&bytes))
        };
        let (left, left_debug) = read("wasm-ld-22", &reference);
        let (right, right_debug) = read("wasmlink", &linker_under_test());
        failures.extend(debug_differences(&left_debug, &right_debug).into_iter().map(|d| format!("{variant}: {d}")));
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

/// The `.debug_*` custom sections of a module: (name, payload).
fn debug_sections(module: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let Ok(wasmparser::Payload::CustomSection(c)) = payload {
            if c.name().starts_with(".debug_") {
                out.push((c.name().to_string(), c.data().to_vec()));
            }
        }
    }
    out
}

/// Where two modules' DWARF differs: every relocation in it (section and
/// function offsets, addresses, tombstones, merged `.debug_str` offsets)
/// must come out as wasm-ld-22 writes it, byte for byte.
fn debug_differences(left: &[(String, Vec<u8>)], right: &[(String, Vec<u8>)]) -> Vec<String> {
    let names = |s: &[(String, Vec<u8>)]| s.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    if names(left) != names(right) {
        return vec![format!("debug sections: {:?} vs {:?}", names(left), names(right))];
    }
    left.iter()
        .zip(right)
        .filter(|((_, l), (_, r))| l != r)
        .map(|((name, l), (_, r))| {
            let at = l.iter().zip(r).position(|(a, b)| a != b).unwrap_or(l.len().min(r.len()));
            format!("debug bytes: {name} differs at payload offset {at} ({} vs {} bytes)", l.len(), r.len())
        })
        .collect()
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
