//! The Rust std program (`testdata/rust/hello_std`) built by cargo with
//! wasmlink as its linker and with wasm-ld-22, release and debug: both must
//! validate and behave the same in wasmtime.
//!
//! The modules are built by `cargo xtask rust-programs` (which `cargo xtask
//! test` runs first) into `target/rust-e2e/`; the Rust std rlibs are tens of
//! MB, so they are never committed. Without them this test prints SKIPPED.

use crate::common::*;

fn check(profile: &str) {
    let test = format!("rust_hello_std_{profile}");
    let dir = repo_root().join("target/rust-e2e");
    let ours_path = dir.join(format!("wasmlink-{profile}.wasm"));
    let ref_path = dir.join(format!("wasm-ld-22-{profile}.wasm"));
    if !ours_path.exists() || !ref_path.exists() {
        skip(
            &test,
            &format!(
                "Rust wasm toolchain not prepared: {} missing (run `cargo xtask rust-programs`)",
                ours_path.display()
            ),
        );
        return;
    }
    let ours = std::fs::read(&ours_path).unwrap();
    let reference = std::fs::read(&ref_path).unwrap();
    validate(&ours).unwrap_or_else(|e| panic!("{test}: wasmlink output does not validate: {e}"));
    let case =
        Case::parse("hello_std", repo_root().join("testdata/rust/hello_std"), "lang = c\ncrt = command\nlibs =\n");
    let a = run_module(&ours, &case).unwrap_or_else(|e| panic!("{test}: running the wasmlink build: {e}"));
    let b = run_module(&reference, &case).unwrap_or_else(|e| panic!("{test}: running the wasm-ld-22 build: {e}"));
    assert!(a.stdout_str().contains("done"), "{test}: program did not finish: {}", a.describe());
    assert_same_run(&test, &a, &b);
}

#[test]
fn rust_hello_std_release() {
    check("release");
}

#[test]
fn rust_hello_std_debug() {
    check("debug");
}
