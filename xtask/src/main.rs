//! Project tasks: `cargo xtask <task>`.
//!
//! * `example` — link the bundled C example in `testdata/` with wasmlink and
//!   run it in wasmtime.
//! * `test` — install what the tests need (Debian packages, the offline Rust
//!   toolchain for the Rust program, zig, cargo-deny), check formatting, clippy
//!   and the dependency policy, then run the whole test suite.
//! * `rust-programs` — build `testdata/rust/hello_std` with wasmlink and with
//!   wasm-ld-22 (used by `test`).
//! * `zig` — install zig (from PyPI, into `target/zig-venv`) for the Zig
//!   end-to-end test (used by `test`) and print its path.
//! * `bench` — link time of wasmlink against wasm-ld-22 (see BENCHMARKING.md).
//! * `diff` — link one command line with wasm-ld-22 and wasmlink and print
//!   what differs, entity by entity (the `linkdiff` crate).

mod bench;
mod deny;
mod diff;
mod packages;
mod run_wasm;
mod rust_wasm;
mod snapshot;
mod zig;

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn main() -> std::process::ExitCode {
    match real_main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn real_main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("example") => example(),
        Some("test") => test(&args[1..]),
        Some("rust-programs") => rust_programs().map(|_| ()),
        Some("zig") => {
            let zig = zig::ensure(&workspace_root())?;
            println!("{}", zig.program.display());
            Ok(())
        }
        Some("snapshot") => snapshot::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("diff") => diff::run(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <example|test|rust-programs|zig|snapshot|bench|diff>");
            std::process::exit(2);
        }
    }
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(workspace_root());
    c
}

/// Where cargo puts what it builds: `$CARGO_TARGET_DIR` (relative to the
/// workspace root) when set, else `target/`.
fn cargo_target_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()).map(PathBuf::from);
    workspace_root().join(target.unwrap_or_else(|| "target".into()))
}

fn build_wasmlink() -> Result<PathBuf> {
    let st = cargo().args(["build", "--release", "-p", "wasmlink"]).status()?;
    if !st.success() {
        bail!("building wasmlink failed");
    }
    Ok(cargo_target_dir().join("release/wasmlink"))
}

/// Links testdata/c/qsort_callback (clang-19 -O2 objects) against wasi-libc
/// through the wasmlink library, with the line clang's driver passes, and
/// runs it.
fn example() -> Result<()> {
    packages::ensure()?;
    let dir = workspace_root().join("testdata/c/qsort_callback/O2");
    let out = workspace_root().join("target/example.wasm");
    std::fs::create_dir_all(out.parent().expect("target/ has a parent"))?;
    let mut line: Vec<String> =
        ["-m", "wasm32", "-L/usr/lib/wasm32-wasi", "/usr/lib/wasm32-wasi/crt1-command.o"].map(String::from).to_vec();
    line.extend([dir.join("cmp.o"), dir.join("main.o")].map(|p| p.display().to_string()));
    line.extend(["-lc", packages::BUILTINS, "-o"].map(String::from));
    line.push(out.display().to_string());
    println!("$ wasmlink {}", line.join(" "));
    let config = wasmlink::args::parse(line).map_err(anyhow::Error::msg)?;
    let inputs = wasmlink::load(&config)?;
    let linked = wasmlink::link(&config, &inputs)?;
    wasmlink::validate(&linked.bytes)?;
    wasmlink::write_output(&config, &linked)?;
    println!("linked {} ({} bytes); running it in wasmtime:", out.display(), linked.bytes.len());
    let r = run_wasm::run_command(&linked.bytes)?;
    print!("{}", String::from_utf8_lossy(&r.stdout));
    println!("(exit status {})", r.status);
    Ok(())
}

/// The linkers the Rust test program is built with, by the name its output
/// carries (`target/rust-e2e/<name>-<profile>.wasm`).
const RUST_PROGRAM_LINKERS: [&str; 2] = ["wasmlink", "wasm-ld-22"];

/// Cargo's target directory for the Rust test program linked by `tag`.
fn rust_program_target_dir(tag: &str) -> PathBuf {
    workspace_root().join(format!("target/rust-wasm32/target-{tag}"))
}

/// Builds the Rust test program with both linkers into target/rust-e2e/.
fn rust_programs() -> Result<PathBuf> {
    let root = workspace_root();
    let linker = build_wasmlink()?;
    let project = root.join("testdata/rust/hello_std");
    let out = root.join("target/rust-e2e");
    std::fs::create_dir_all(&out)?;
    for (tag, l) in RUST_PROGRAM_LINKERS.into_iter().zip([linker, PathBuf::from("/usr/bin/wasm-ld-22")]) {
        for release in [true, false] {
            let profile = if release { "release" } else { "debug" };
            let wasm = rust_wasm::build(&project, &l, &rust_program_target_dir(tag), release)
                .with_context(|| format!("building hello_std ({profile}) with {tag}"))?;
            let dest = out.join(format!("{tag}-{profile}.wasm"));
            std::fs::copy(&wasm, &dest)?;
            println!("built {}", dest.display());
        }
    }
    Ok(out)
}

/// The whole test suite, as CI runs it: the code checks first (formatting,
/// lints, dependency policy, the fuzz targets still compile), then every
/// test with `WASMLINK_REQUIRE_TOOLCHAIN=1`, so a missing tool fails the run
/// instead of skipping tests.
fn test(extra: &[String]) -> Result<()> {
    packages::ensure()?;
    check("formatting", cargo().args(["fmt", "--all", "--check"]))?;
    check("formatting of fuzz/", cargo().args(["fmt", "--manifest-path", "fuzz/Cargo.toml", "--check"]))?;
    check("clippy", cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    check("the fuzz targets", cargo().args(["check", "--manifest-path", "fuzz/Cargo.toml", "--bins"]))?;
    deny::check()?;
    if !rust_wasm::available() {
        bail!(
            "the offline Rust wasm toolchain cannot be set up here (needs root, apt-get and dpkg): \
             the Rust end-to-end tests would not run"
        );
    }
    rust_programs()?;
    if std::env::var_os("CI").is_some() {
        // The Rust programs' cargo target directories (~700 MB) only speed
        // up the next local run; CI's disk is small.
        for tag in RUST_PROGRAM_LINKERS {
            let dir = rust_program_target_dir(tag);
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
    }
    let zig = zig::ensure(&workspace_root()).context("installing zig for the Zig end-to-end test")?;
    let mut tests = cargo();
    tests.args(["test", "--workspace"]).args(extra).env("WASMLINK_REQUIRE_TOOLCHAIN", "1");
    zig.export_to(&mut tests);
    check("the tests", &mut tests)?;
    // That the benchmark still works, never how fast it is.
    check("the benchmark (--quick)", cargo().args(["xtask", "bench", "--quick"]))
}

/// Runs `cmd`; fails naming `what` when it fails.
fn check(what: &str, cmd: &mut Command) -> Result<()> {
    eprintln!("xtask: checking {what}");
    if !cmd.status().with_context(|| format!("running {cmd:?}"))?.success() {
        bail!("{what}: failed ({cmd:?})");
    }
    Ok(())
}
