//! Snapshots of every stage's output for the test links (see the crate
//! docs). Run through `cargo xtask snapshot`; `cargo xtask snapshot --review`
//! shows and accepts changes.
//!
//! Every snapshot of a case is checked even after one differs, so a run
//! shows all differences at once. A `.snap` file that no case produces any
//! more is an error too (delete it).

use snapshots::{c_case, c_case_names, error_cases, run_stages, LinkCase, VARIANT};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Silences insta's own panic ("snapshot assertion for 'x' failed"), which
/// `check` catches to go on with the next snapshot: insta has printed the
/// diff already, and a message plus backtrace per snapshot is noise. Other
/// panics go to the previous hook. Installed once, never removed, so the
/// tests running in parallel do not race on the hook.
fn quiet_snapshot_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = info
                .payload()
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| info.payload().downcast_ref::<&str>().copied())
                .unwrap_or("");
            if !msg.starts_with("snapshot assertion for ") {
                previous(info);
            }
        }));
    });
}

/// Checks every stage dump of `cases`; returns the snapshot names checked
/// and the ones that differ.
fn check(cases: &[LinkCase], what: &str) -> (BTreeSet<String>, Vec<String>) {
    quiet_snapshot_panics();
    let mut names = BTreeSet::new();
    let mut failures = Vec::new();
    for case in cases {
        for dump in run_stages(case) {
            let name = format!("{}__{}", case.name, dump.stage);
            let mut settings = insta::Settings::clone_current();
            settings.set_prepend_module_to_snapshot(false);
            settings.set_omit_expression(true);
            settings.set_snapshot_path(snapshot_dir());
            settings.set_description(format!("{what} {}: {}", case.name, case.describe()));
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                settings.bind(|| insta::assert_snapshot!(name.clone(), dump.text));
            }));
            if r.is_err() {
                failures.push(name.clone());
            }
            names.insert(name);
        }
    }
    (names, failures)
}

/// `.snap` files whose names start with one of `prefixes` (and pass
/// `keep`) that were not produced.
fn stale(produced: &BTreeSet<String>, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(snapshot_dir()) else { return Vec::new() };
    let mut v: Vec<String> = dir
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".snap")).map(str::to_string))
        .filter(|n| keep(n) && !produced.contains(n))
        .collect();
    v.sort();
    v
}

fn finish(what: &str, produced: BTreeSet<String>, failures: Vec<String>, keep: impl Fn(&str) -> bool) {
    let stale = stale(&produced, keep);
    let mut msg = String::new();
    if !failures.is_empty() {
        msg.push_str(&format!(
            "{} of {} {what} snapshots differ: {}\n(`cargo xtask snapshot --review` to look at and accept the changes)\n",
            failures.len(),
            produced.len(),
            failures.join(", ")
        ));
    }
    if !stale.is_empty() {
        msg.push_str(&format!(
            "snapshots that no case produces any more (delete them from {}): {}\n",
            snapshot_dir().display(),
            stale.join(", ")
        ));
    }
    assert!(msg.is_empty(), "{msg}");
}

/// `testdata/c/<case>/O2` linked against the pinned sysroot in
/// `testdata/sysroot/`.
#[test]
fn c_cases() {
    let cases: Vec<LinkCase> = c_case_names().iter().map(|n| c_case(n)).collect();
    assert!(!cases.is_empty(), "no cases under testdata/c");
    let (produced, failures) = check(&cases, &format!("testdata/c/*/{VARIANT}"));
    finish("testdata/c", produced, failures, |n| !n.starts_with("errors_"));
}

/// The freestanding `testdata/errors` objects (no libc needed).
#[test]
fn error_objects() {
    let (produced, failures) = check(&error_cases(), "testdata/errors");
    finish("testdata/errors", produced, failures, |n| n.starts_with("errors_"));
}
