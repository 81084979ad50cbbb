//! Runs a WASI preview1 command module in wasmtime through the
//! `run_wasm` example of the wasmlink crate (so xtask itself stays light and
//! wasmtime is compiled once, shared with the tests).

use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// What a run produced.
pub struct RunResult {
    /// Captured stdout.
    pub stdout: Vec<u8>,
    /// Exit status (0 when `_start` returns).
    pub status: i32,
}

fn runner() -> Result<PathBuf> {
    static RUNNER: OnceLock<PathBuf> = OnceLock::new();
    if let Some(p) = RUNNER.get() {
        return Ok(p.clone());
    }
    let st = crate::cargo().args(["build", "-q", "-p", "wasmlink", "--example", "run_wasm"]).status()?;
    if !st.success() {
        bail!("building the run_wasm example failed");
    }
    let p = crate::cargo_target_dir().join("debug/examples/run_wasm");
    Ok(RUNNER.get_or_init(|| p).clone())
}

/// Runs `wasm` (module bytes) and captures its stdout and exit status.
pub fn run_command(wasm: &[u8]) -> Result<RunResult> {
    let dir = crate::workspace_root().join("target/xtask-run");
    std::fs::create_dir_all(&dir)?;
    let file = dir.join(format!("module-{}.wasm", std::process::id()));
    std::fs::write(&file, wasm)?;
    let out = Command::new(runner()?).arg(&file).output().context("running run_wasm")?;
    let _ = std::fs::remove_file(&file);
    let status = out.status.code().unwrap_or(-1);
    if status == 70 {
        bail!("the module failed to run: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(RunResult { stdout: out.stdout, status })
}
