//! Every symbol name of the wasi libc++ and libc++abi archives, demangled
//! by this crate and by `llvm-cxxfilt-22` (run here, at test time): the
//! texts must be identical, including for names LLVM leaves unchanged.
//!
//! The archives and LLVM tools come from Debian packages the CI installs
//! (see `xtask/src/packages.rs`); when they are missing the test prints
//! `SKIPPED:` and passes, unless `WASMLINK_REQUIRE_TOOLCHAIN=1` is set.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const ARCHIVES: [&str; 2] = ["/usr/lib/wasm32-wasi/libc++.a", "/usr/lib/wasm32-wasi/libc++abi.a"];
const NM: &str = "llvm-nm-22";
const CXXFILT: &str = "llvm-cxxfilt-22";

fn skip(reason: &str) {
    if std::env::var("WASMLINK_REQUIRE_TOOLCHAIN").is_ok_and(|v| v == "1") {
        panic!("libcxx_vs_llvm: {reason} (and WASMLINK_REQUIRE_TOOLCHAIN=1 is set)");
    }
    eprintln!("SKIPPED: libcxx_vs_llvm: {reason}");
}

/// The distinct symbol names of `archive`, or `None` if `llvm-nm-22` can't run.
fn symbol_names(archive: &str) -> Option<Vec<String>> {
    let out = Command::new(NM).args(["--just-symbol-name", archive]).stderr(Stdio::null()).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // llvm-nm prints "member.o:" headers and blank lines between members.
    Some(text.lines().filter(|l| !l.is_empty() && !l.ends_with(':')).map(str::to_string).collect())
}

/// `llvm-cxxfilt-22`'s text for each name (one line in, one line out).
fn llvm_texts(names: &[String]) -> Option<Vec<String>> {
    let mut child = Command::new(CXXFILT).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().ok()?;
    let mut stdin = child.stdin.take()?;
    let input = names.join("\n") + "\n";
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    Some(text.lines().map(str::to_string).collect())
}

#[test]
fn libcxx_names_demangle_exactly_as_llvm_cxxfilt_22() {
    if let Some(missing) = ARCHIVES.iter().find(|a| !Path::new(a).exists()) {
        return skip(&format!("{missing} not installed"));
    }
    let mut names = Vec::new();
    for archive in ARCHIVES {
        let Some(n) = symbol_names(archive) else { return skip(&format!("{NM} not installed")) };
        names.extend(n);
    }
    names.sort();
    names.dedup();
    let Some(expected) = llvm_texts(&names) else { return skip(&format!("{CXXFILT} not installed")) };
    assert_eq!(expected.len(), names.len(), "{CXXFILT} printed one line per name");
    let differences: Vec<String> = names
        .iter()
        .zip(&expected)
        .filter(|(name, llvm)| demangle::demangle(name) != llvm.as_str())
        .map(|(name, llvm)| format!("{name}\n  llvm: {llvm}\n  ours: {}", demangle::demangle(name)))
        .collect();
    assert!(
        differences.is_empty(),
        "{} of {} names differ from {CXXFILT}; the first ones:\n{}",
        differences.len(),
        names.len(),
        differences.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(names.len() > 2_000, "only {} names read from the archives", names.len());
}
