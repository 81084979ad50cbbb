//! The Debian packages the tests and the example need, installed on demand.

use anyhow::{bail, Result};
use std::path::Path;
use std::process::Command;

/// clang-19's builtins archive for wasm32-wasi.
pub const BUILTINS: &str = "/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a";
/// clang-19's builtins archive for wasm64 (the memory64 test, `tests/wasm64.rs`).
const BUILTINS64: &str = "/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm64.a";

const PACKAGES: &[&str] = &[
    "clang-19",
    "lld-19",
    "llvm-19",
    "lld-22",
    "llvm-22",
    "wasi-libc",
    "libclang-rt-19-dev-wasm32",
    "libclang-rt-19-dev-wasm64",
    "libc++-19-dev-wasm32",
    "libc++abi-19-dev-wasm32",
    "wabt",
    "time",
    "python3-venv",
    // emcc/em++ 3.1.6 for the Emscripten end-to-end test; it depends on
    // clang-14, lld-14 (wasm-ld-14, the reference linker there), llvm-14,
    // binaryen, nodejs and node-acorn (its JavaScript optimizer's parser, in
    // /usr/share/nodejs), and ships its system libraries prebuilt.
    "emscripten",
    // A real browser for the --size-report HTML page test.
    "chromium",
];

const MARKERS: &[&str] = &[
    "/usr/bin/clang-19",
    "/usr/bin/wasm-ld-19",
    "/usr/bin/wasm-ld-22",
    "/usr/lib/wasm32-wasi/libc.a",
    BUILTINS,
    BUILTINS64,
    "/usr/lib/wasm32-wasi/libc++.a",
    "/usr/lib/wasm32-wasi/libc++abi.a",
    "/usr/bin/wasm-objdump",
    "/usr/lib/llvm-22/bin/llvm-mc",
    "/usr/bin/time",
    "/usr/share/doc/python3-venv",
    "/usr/bin/emcc",
    "/usr/bin/wasm-ld-14",
    "/usr/bin/node",
    "/usr/share/nodejs/acorn",
    "/usr/bin/chromium",
];

/// Installs the packages when any marker file is missing.
pub fn ensure() -> Result<()> {
    if MARKERS.iter().all(|m| Path::new(m).exists()) {
        return Ok(());
    }
    eprintln!("xtask: installing Debian packages: {}", PACKAGES.join(" "));
    let st = Command::new("apt-get").arg("update").arg("-qq").status()?;
    if !st.success() {
        bail!("apt-get update failed");
    }
    let st = Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(PACKAGES)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()?;
    if !st.success() {
        bail!("apt-get install failed");
    }
    // The downloaded .deb files (~1 GB) are not needed once installed, and
    // CI's disk is not large.
    let st = Command::new("apt-get").arg("clean").status()?;
    if !st.success() {
        bail!("apt-get clean failed");
    }
    Ok(())
}
