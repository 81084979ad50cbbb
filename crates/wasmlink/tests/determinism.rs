//! The same link gives byte-identical output every time, whatever the number
//! of worker threads.

use crate::common;

use std::process::Command;

use crate::common::{linker_under_test, run_process, Case, Scratch};

/// Runs the link of `case`/`variant` into `<dir>/<tag>/out.wasm` (the same
/// file name every time: the output name may be recorded in the module) with
/// `RAYON_NUM_THREADS` set to `threads` (or removed for `None`).
fn link_bytes(case: &Case, variant: &str, dir: &Scratch, tag: &str, threads: Option<&str>) -> Vec<u8> {
    let sub = dir.join(tag);
    std::fs::create_dir(&sub).unwrap();
    let out = sub.join("out.wasm");
    let mut cmd = Command::new(linker_under_test());
    cmd.args(case.link_args(variant, &out));
    match threads {
        Some(n) => cmd.env("RAYON_NUM_THREADS", n),
        None => cmd.env_remove("RAYON_NUM_THREADS"),
    };
    let res = run_process(&mut cmd);
    assert!(res.code == Some(0), "{}/{variant} ({tag}): link failed\n{}", case.name, res.describe());
    std::fs::read(&out).unwrap_or_else(|e| panic!("reading {}: {e}", out.display()))
}

fn first_diff(a: &[u8], b: &[u8]) -> String {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => format!("first difference at byte {i:#x}"),
        None => format!("lengths differ: {} vs {}", a.len(), b.len()),
    }
}

fn check_deterministic(name: &str, variant: &str) {
    let test = format!("determinism::{name}_{variant}");
    if !common::wasi_toolchain_ready(&test) {
        return;
    }
    let case = Case::load(name);
    let dir = Scratch::new(&format!("det-{name}-{variant}"));
    let runs: [(&str, Option<&str>); 4] =
        [("default-1", None), ("default-2", None), ("threads-1", Some("1")), ("threads-4", Some("4"))];
    let first = link_bytes(&case, variant, &dir, runs[0].0, runs[0].1);
    assert!(!first.is_empty(), "{test}: empty output");
    for (tag, threads) in &runs[1..] {
        let again = link_bytes(&case, variant, &dir, tag, *threads);
        if again != first {
            panic!(
                "{test}: output of run {tag} (RAYON_NUM_THREADS={}) differs from run {} \
                 (RAYON_NUM_THREADS unset): {} ({} vs {} bytes); rerun with \
                 WASMLINK_KEEP_TMP=1 to keep {}",
                threads.unwrap_or("<unset>"),
                runs[0].0,
                first_diff(&again, &first),
                again.len(),
                first.len(),
                dir.path().display()
            );
        }
    }
}

#[test]
fn cpp_features_o0g() {
    check_deterministic("cpp_features", "O0g");
}

#[test]
fn cpp_features_o2() {
    check_deterministic("cpp_features", "O2");
}

#[test]
fn qsort_callback_o0g() {
    check_deterministic("qsort_callback", "O0g");
}

#[test]
fn archive_select_o2() {
    check_deterministic("archive_select", "O2");
}

/// Ten links of the largest test program, with `--threads=1`, `2` and `8`
/// in turn: every output is byte-identical.
#[test]
fn ten_runs_across_thread_flags() {
    let test = "determinism::ten_runs_across_thread_flags";
    if !common::wasi_toolchain_ready(test) {
        return;
    }
    let case = Case::load("cpp_features");
    let dir = Scratch::new("det-threads-flag");
    let mut first: Option<Vec<u8>> = None;
    for run in 0..10 {
        let threads = ["1", "2", "8"][run % 3];
        let sub = dir.join(format!("run-{run}"));
        std::fs::create_dir(&sub).unwrap();
        let out = sub.join("out.wasm");
        let mut cmd = Command::new(linker_under_test());
        cmd.args(case.link_args("O0g", &out)).arg(format!("--threads={threads}"));
        let res = run_process(&mut cmd);
        assert_eq!(res.code, Some(0), "{test}: run {run} (--threads={threads}) failed\n{}", res.describe());
        let bytes = std::fs::read(&out).unwrap();
        match &first {
            None => first = Some(bytes),
            Some(f) => assert!(
                *f == bytes,
                "{test}: run {run} (--threads={threads}) differs from run 0: {}",
                first_diff(&bytes, f)
            ),
        }
    }
}
