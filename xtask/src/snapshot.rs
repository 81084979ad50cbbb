//! `cargo xtask snapshot [--review | --accept]`: the per-stage snapshot
//! tests of `crates/snapshots` (insta).
//!
//! * no flag: runs `cargo test -p snapshots` with `INSTA_UPDATE=no`, so a
//!   differing snapshot fails with its diff and nothing is written;
//! * `--review`: runs it with `INSTA_UPDATE=new` and `INSTA_FORCE_PASS=1`,
//!   so every differing or new snapshot is written next to the old one as
//!   `.snap.new` (and its diff printed); then lists them and runs
//!   `cargo insta review` when cargo-insta is installed, or says how to
//!   accept them. (`INSTA_UPDATE=always` would overwrite the `.snap` files
//!   directly, leaving nothing to review.)
//! * `--accept`: renames every pending `.snap.new` to `.snap`.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const USAGE: &str = "usage: cargo xtask snapshot [--review | --accept]";

fn snapshot_dir() -> PathBuf {
    crate::workspace_root().join("crates/snapshots/tests/snapshots")
}

/// The pending `.snap.new` files, sorted.
fn pending(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(v),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    for e in entries {
        let p = e?.path();
        if p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".snap.new")) {
            v.push(p);
        }
    }
    v.sort();
    Ok(v)
}

fn test_command() -> Command {
    let mut c = crate::cargo();
    c.args(["test", "-p", "snapshots"]);
    // The diffs say what differs; backtraces of the test panics add nothing.
    c.env("RUST_BACKTRACE", "0");
    // Whatever the caller's environment says, these runs decide.
    for var in ["INSTA_UPDATE", "INSTA_FORCE_PASS", "INSTA_FORCE_UPDATE_SNAPSHOTS", "INSTA_OUTPUT"] {
        c.env_remove(var);
    }
    c
}

fn cargo_insta_installed() -> bool {
    crate::cargo()
        .args(["insta", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn check() -> Result<()> {
    let dir = snapshot_dir();
    let st = test_command().env("INSTA_UPDATE", "no").status()?;
    let stale = pending(&dir)?;
    if !stale.is_empty() {
        eprintln!(
            "note: {} pending .snap.new files from an earlier --review in {} (accept with `cargo xtask snapshot --accept`, or delete them)",
            stale.len(),
            dir.display()
        );
    }
    if !st.success() {
        bail!(
            "snapshots differ (see the diffs above); `cargo xtask snapshot --review` to look at and accept the changes"
        );
    }
    println!("snapshots: all stage snapshots match");
    Ok(())
}

fn review() -> Result<()> {
    let dir = snapshot_dir();
    // Leftovers of an earlier review would be mistaken for new results.
    for p in pending(&dir)? {
        std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
    }
    // The test passes under INSTA_FORCE_PASS, and libtest hides the output
    // of passing tests: --nocapture shows insta's diffs.
    let st =
        test_command().args(["--", "--nocapture"]).env("INSTA_UPDATE", "new").env("INSTA_FORCE_PASS", "1").status()?;
    let new = pending(&dir)?;
    if !st.success() {
        // With INSTA_FORCE_PASS, a failure is something else: a stale
        // snapshot, a panic in a stage, a build error.
        eprintln!("warning: the snapshot test failed for another reason than a differing snapshot (see above)");
    }
    if new.is_empty() {
        if st.success() {
            println!("snapshots: all stage snapshots match; nothing to review");
            return Ok(());
        }
        bail!("snapshot test failed");
    }
    println!("\n{} pending snapshots (diffs above):", new.len());
    let root = crate::workspace_root();
    for p in &new {
        println!("  {}", p.strip_prefix(&root).unwrap_or(p).display());
    }
    if cargo_insta_installed() {
        println!("\nrunning `cargo insta review`:");
        let st = crate::cargo().args(["insta", "review"]).status()?;
        if !st.success() {
            bail!("cargo insta review failed");
        }
    } else {
        println!(
            "\ncargo-insta is not installed. To accept all of them: `cargo xtask snapshot --accept`;\n\
             to reject them: delete the .snap.new files (or just run `cargo xtask snapshot --review` again after a fix).\n\
             (`cargo install cargo-insta` gives an interactive `cargo insta review`.)"
        );
    }
    Ok(())
}

fn accept() -> Result<()> {
    let dir = snapshot_dir();
    let new = pending(&dir)?;
    if new.is_empty() {
        println!("no pending .snap.new files in {}", dir.display());
        return Ok(());
    }
    for p in &new {
        let dest = p.with_extension(""); // x.snap.new -> x.snap
        let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        std::fs::write(&dest, strip_assertion_line(&text)).with_context(|| format!("writing {}", dest.display()))?;
        std::fs::remove_file(p).with_context(|| format!("removing {}", p.display()))?;
        println!("accepted {}", dest.file_name().unwrap_or_default().to_string_lossy());
    }
    println!("{} snapshots accepted; check with `cargo xtask snapshot`", new.len());
    Ok(())
}

/// A pending snapshot's text without the `assertion_line:` header entry,
/// which insta writes into `.snap.new` files only (as `cargo insta accept`
/// drops it), so accepted files do not change when the test file's lines move.
fn strip_assertion_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dashes = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            dashes += 1;
        }
        if dashes == 1 && line.starts_with("assertion_line:") {
            continue;
        }
        out.push_str(line);
    }
    out
}

/// Entry point: `args` are the arguments after `snapshot`.
pub fn run(args: &[String]) -> Result<()> {
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => check(),
        ["--review"] => review(),
        ["--accept"] => accept(),
        ["-h" | "--help"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => bail!("{USAGE}"),
    }
}
