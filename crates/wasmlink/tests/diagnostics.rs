//! rustc-style explanations under wasm-ld's messages: the first line of
//! each error or warning is wasm-ld-22's (compared when it is installed),
//! the lines after it name the referencing functions, near names, hints,
//! both definitions of a duplicate, and every mismatching call site; in
//! colour only when asked (`--color-diagnostics`) or on a terminal.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `linker` in `dir` with `args` and `-o` into a scratch file.
fn run_in(linker: &Path, dir: &Path, args: &[&str]) -> ProcOutput {
    let scratch = Scratch::new("diagnostics");
    let mut cmd = Command::new(linker);
    cmd.current_dir(dir).args(args).arg("-o").arg(scratch.join("out.wasm"));
    run_process(&mut cmd)
}

/// The stderr lines that start a message (`PROG: error:` / `PROG: warning:`),
/// without the program name.
fn first_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| {
            l.split_once(": ")
                .filter(|(p, rest)| !p.contains(' ') && (rest.starts_with("error: ") || rest.starts_with("warning: ")))
        })
        .map(|(_, rest)| rest.to_string())
        .collect()
}

/// Links with wasmlink, checks the message first lines against
/// wasm-ld-22's, and returns wasmlink's stderr.
fn ours_vs_wasm_ld(dir: &Path, args: &[&str]) -> String {
    let ours = run_in(&linker_under_test(), dir, args);
    assert!(!ours.stderr.contains("panicked"), "{}", ours.describe());
    if let Some(reference) = reference_linker() {
        let theirs = run_in(&reference, dir, args);
        assert_eq!(ours.code, theirs.code, "{}\n{}", ours.describe(), theirs.describe());
        let ours_first: Vec<String> = first_lines(&ours.stderr);
        let theirs_first: Vec<String> = first_lines(&theirs.stderr);
        assert_eq!(ours_first, theirs_first, "first lines differ\n{}\n{}", ours.describe(), theirs.describe());
    }
    ours.stderr
}

fn explain_dir() -> PathBuf {
    testdata().join("explain")
}

#[test]
fn undefined_symbol_notes() {
    let stderr = ours_vs_wasm_ld(&explain_dir(), &["--no-entry", "typo.o", "totals.o"]);
    let expected = "\
wasmlink: error: typo.o: undefined symbol: compute_totl
  --> referenced by `run` in typo.o
  = help: did you mean `compute_total` (defined in totals.o)?
  = help: if the host provides it, declare it with __attribute__((import_module(\"env\"), import_name(\"compute_totl\"))) or link with --allow-undefined

wasmlink: error: typo.o: undefined symbol: table_size
  --> referenced by `run` in typo.o
  = help: data can't be imported: define it, or link with --unresolved-symbols=ignore-all (address 0)
";
    assert_eq!(stderr.replace(&format!("{}:", linker_name()), "wasmlink:"), expected);
    // Without the option the hint names, the link succeeds: the hint is right.
    let res = run_in(&linker_under_test(), &explain_dir(), &["--no-entry", "typo.o", "--allow-undefined"]);
    assert_eq!(res.code, Some(0), "{}", res.describe());
}

#[test]
fn undefined_cpp_symbol_shows_mangled_name() {
    let stderr = ours_vs_wasm_ld(&testdata().join("options"), &["--no-entry", "mangled_undef.o", "--export=run"]);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines[0].ends_with("error: mangled_undef.o: undefined symbol: missing(int)"), "{stderr}");
    assert_eq!(lines[1], "  --> referenced by `run` in mangled_undef.o");
    assert_eq!(lines[2], "  = note: mangled name: `_Z7missingi`");
}

#[test]
fn duplicate_symbol_notes() {
    let stderr = ours_vs_wasm_ld(&testdata().join("errors"), &["--no-entry", "dup1.o", "dup2.o"]);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines[0].ends_with("error: duplicate symbol: dup_fn"), "{stderr}");
    assert_eq!(lines[1..3], [">>> defined in dup1.o", ">>> defined in dup2.o"]);
    assert_eq!(
        lines[3],
        "  = note: the definitions: a strong, hidden function in dup1.o; a strong, hidden function in dup2.o"
    );
    assert!(lines[4].starts_with("  = help: keep one definition"), "{stderr}");
}

#[test]
fn signature_mismatch_call_sites() {
    let stderr = ours_vs_wasm_ld(&testdata().join("options"), &["--no-entry", "sigcall.o", "sigdef.o"]);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines[0].ends_with("warning: function signature mismatch: callee"), "{stderr}");
    assert!(lines.contains(&"  --> called as (i32) -> i32 by `run` in sigcall.o"), "{stderr}");
}

#[test]
fn colour_only_when_asked() {
    let dir = explain_dir();
    let args = ["--no-entry", "typo.o", "totals.o"];
    let plain = run_in(&linker_under_test(), &dir, &args);
    assert!(!plain.stderr.contains('\x1b'), "colour on a pipe:\n{}", plain.stderr);
    let never = run_in(&linker_under_test(), &dir, &[&args[..], &["--color-diagnostics=never"]].concat());
    assert!(!never.stderr.contains('\x1b'));
    let always = run_in(&linker_under_test(), &dir, &[&args[..], &["--color-diagnostics=always"]].concat());
    assert!(
        always.stderr.contains("\x1b[0;31merror: \x1b[0mtypo.o: undefined symbol: compute_totl"),
        "{}",
        always.stderr
    );
    assert!(always.stderr.contains("  \x1b[1;34m-->\x1b[0m referenced by `run` in typo.o"), "{}", always.stderr);
    assert!(always.stderr.contains("  \x1b[1;34m= help:\x1b[0m did you mean"), "{}", always.stderr);
    let bare = run_in(&linker_under_test(), &dir, &[&args[..], &["--color-diagnostics"]].concat());
    assert_eq!(bare.stderr, always.stderr);
}

/// The program name the linker prints (its file name).
fn linker_name() -> String {
    linker_under_test().file_name().unwrap().to_string_lossy().into_owned()
}
