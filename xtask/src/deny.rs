//! `cargo deny check` for licenses, bans and sources (deny.toml). Advisories
//! need the RustSec database from GitHub, which this workplace's network
//! doesn't reach, so they are not checked here.

use anyhow::{bail, Context, Result};
use std::process::Command;

/// Installs cargo-deny when missing (from crates.io, pinned), then checks
/// the workspace against deny.toml.
pub fn check() -> Result<()> {
    let installed = Command::new("cargo").args(["deny", "--version"]).output().is_ok_and(|o| o.status.success());
    if !installed {
        eprintln!("xtask: installing cargo-deny");
        let st = Command::new("cargo")
            .args(["install", "--locked", "cargo-deny", "--version", VERSION])
            .status()
            .context("running cargo install cargo-deny")?;
        if !st.success() {
            bail!("cargo install cargo-deny failed");
        }
    }
    eprintln!("xtask: checking the dependency policy (cargo deny: licenses, bans, sources)");
    let st = crate::cargo().args(["deny", "--all-features", "check", "licenses", "bans", "sources"]).status()?;
    if !st.success() {
        bail!("cargo deny check failed (see deny.toml)");
    }
    Ok(())
}

/// The cargo-deny release the check is known to work with.
const VERSION: &str = "0.20.2";
