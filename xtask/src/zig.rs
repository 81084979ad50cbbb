//! Zig, for the Zig end-to-end test (`crates/wasmlink/tests/e2e_zig.rs`).
//!
//! Zig comes from PyPI: the `ziglang` package (the self-contained `zig`
//! binary and its `lib/` directory), pinned to [`VERSION`], installed by pip
//! into a venv of Debian's python3 (`python3-venv` is among the packages
//! `cargo xtask test` installs) at `target/zig-venv` under the workspace
//! root, only when that venv doesn't already hold this version. The `zig`
//! binary is linked as `target/zig-venv/bin/zig`, the path the test falls
//! back to when [`ZIG_ENV`] isn't set.
//!
//! Zig's global cache, where it builds wasi-libc, libc++ and compiler-rt the
//! first time (about a minute for the test's programs on two cores), is kept
//! at `target/zig-cache`, named by [`CACHE_ENV`], so repeated runs reuse it.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `ziglang` version installed from PyPI.
pub const VERSION: &str = "0.17.1";
/// The environment variable that tells the tests where the `zig` binary is.
pub const ZIG_ENV: &str = "WASMLINK_ZIG";
/// Zig's own environment variable for its global cache directory.
pub const CACHE_ENV: &str = "ZIG_GLOBAL_CACHE_DIR";

/// A ready-to-use zig.
#[derive(Debug, Clone)]
pub struct Zig {
    /// The `zig` binary (`target/zig-venv/bin/zig`, a link to the one inside the package).
    pub program: PathBuf,
    /// The global cache directory to give zig ([`CACHE_ENV`]).
    pub cache_dir: PathBuf,
}

impl Zig {
    /// Sets the environment the tests read ([`ZIG_ENV`], [`CACHE_ENV`]) on `cmd`.
    pub fn export_to(&self, cmd: &mut Command) {
        cmd.env(ZIG_ENV, &self.program).env(CACHE_ENV, &self.cache_dir);
    }
}

/// The venv directory: `<workspace root>/target/zig-venv`.
fn venv_dir(root: &Path) -> PathBuf {
    root.join("target/zig-venv")
}

/// Installs zig [`VERSION`] into the venv when it isn't there yet, and
/// returns it. Fails, saying what is missing, when it can't (no python3 with
/// the venv module, or PyPI unreachable).
pub fn ensure(root: &Path) -> Result<Zig> {
    let venv = venv_dir(root);
    let zig = Zig { program: venv.join("bin/zig"), cache_dir: root.join("target/zig-cache") };
    std::fs::create_dir_all(&zig.cache_dir).with_context(|| format!("creating {}", zig.cache_dir.display()))?;
    if installed_version(&zig.program).as_deref() == Some(VERSION) {
        return Ok(zig);
    }
    eprintln!("xtask: installing zig {VERSION} (ziglang from PyPI) into {}", venv.display());
    if venv.exists() {
        std::fs::remove_dir_all(&venv).with_context(|| format!("removing the old {}", venv.display()))?;
    }
    run(
        "creating the zig venv (needs python3 with the venv module)",
        Command::new(python()).arg("-m").arg("venv").arg(&venv),
    )?;
    run(
        "installing ziglang from PyPI",
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("ziglang=={VERSION}")),
    )?;
    let inner = package_binary(&venv)?;
    std::os::unix::fs::symlink(&inner, &zig.program)
        .with_context(|| format!("linking {} to {}", zig.program.display(), inner.display()))?;
    match installed_version(&zig.program) {
        Some(v) if v == VERSION => Ok(zig),
        other => bail!("{} reports version {other:?}, expected {VERSION}", zig.program.display()),
    }
}

/// Debian's python3 (with `python3-venv`, which `packages::ensure`
/// installs), else the first `python3` on PATH.
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// `zig version` of `program`, or `None` if it doesn't run.
fn installed_version(program: &Path) -> Option<String> {
    let out = Command::new(program).arg("version").output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The `zig` binary inside the installed package: `lib/python3.*/site-packages/ziglang/zig`.
fn package_binary(venv: &Path) -> Result<PathBuf> {
    let lib = venv.join("lib");
    for entry in std::fs::read_dir(&lib).with_context(|| format!("reading {}", lib.display()))? {
        let zig = entry?.path().join("site-packages/ziglang/zig");
        if zig.is_file() {
            return Ok(zig);
        }
    }
    bail!("the ziglang package installed no {}/python3.*/site-packages/ziglang/zig", lib.display())
}

/// Runs `cmd`; fails naming `what` when it can't start or fails.
fn run(what: &str, cmd: &mut Command) -> Result<()> {
    let st = cmd.status().with_context(|| format!("{what}: cannot run {cmd:?}"))?;
    if !st.success() {
        bail!("{what}: {cmd:?} failed ({st})");
    }
    Ok(())
}
