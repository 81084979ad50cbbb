//! Memory: linking the largest test program (C++ with libc++ and DWARF,
//! `cpp_features/O0g`) peaks at no more memory than wasm-ld-22 needs for the
//! same link. Peak RSS comes from GNU time (`/usr/bin/time -f %M`).

use crate::common::*;
use std::path::Path;
use std::process::Command;

const GNU_TIME: &str = "/usr/bin/time";

fn peak_rss_kib(linker: &Path, case: &Case, out: &Path) -> u64 {
    let report = out.with_extension("rss");
    let st = Command::new(GNU_TIME)
        .args(["-f", "%M", "-o"])
        .arg(&report)
        .arg(linker)
        .args(case.link_args("O0g", out))
        .status()
        .expect("running /usr/bin/time");
    assert!(st.success(), "link with {} failed", linker.display());
    let text = std::fs::read_to_string(&report).unwrap();
    text.lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("cannot read peak RSS from {text:?}"))
}

#[test]
fn peak_memory_not_above_wasm_ld() {
    let test = "peak_memory_not_above_wasm_ld";
    if !wasi_toolchain_ready(test) {
        return;
    }
    let Some(reference) = reference_linker() else {
        skip(test, "wasm-ld-22 not installed");
        return;
    };
    if !Path::new(GNU_TIME).exists() {
        skip(test, "GNU time (/usr/bin/time, Debian package `time`) not installed");
        return;
    }
    let case = Case::load("cpp_features");
    let scratch = Scratch::new("rss");
    let ours = peak_rss_kib(&linker_under_test(), &case, &scratch.join("ours.wasm"));
    let theirs = peak_rss_kib(&reference, &case, &scratch.join("theirs.wasm"));
    uncaptured_note(&format!("{test}: peak RSS wasmlink {ours} KiB, wasm-ld-22 {theirs} KiB"));
    assert!(ours <= theirs, "{test}: wasmlink peaked at {ours} KiB, more than wasm-ld-22's {theirs} KiB");
}
