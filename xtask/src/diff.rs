//! `cargo xtask diff [--reference LINKER] [--linker LINKER] -- LINK-ARGS...`:
//! links one command line with wasm-ld-22 (the reference) and with
//! wasmlink, and prints what differs between the two modules, section by
//! section and entity by entity (the `linkdiff` crate). `-o` in LINK-ARGS
//! is replaced by two files of the same name under `target/xtask-diff/`. Exit status 1 when
//! anything differs.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs the task.
pub fn run(args: &[String]) -> Result<()> {
    let mut reference = PathBuf::from("/usr/bin/wasm-ld-22");
    let mut linker = None;
    let mut it = args.iter();
    let mut link_args = Vec::new();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--reference" => reference = it.next().context("--reference needs a path")?.into(),
            "--linker" => linker = Some(PathBuf::from(it.next().context("--linker needs a path")?)),
            "--" => {
                link_args.extend(it.by_ref().cloned());
                break;
            }
            other => bail!("unknown argument {other}; usage: cargo xtask diff [--reference L] [--linker L] -- ARGS"),
        }
    }
    if link_args.is_empty() {
        bail!("no link line; usage: cargo xtask diff [--reference L] [--linker L] -- ARGS");
    }
    let linker = match linker {
        Some(l) => l,
        None => crate::build_wasmlink()?,
    };
    // Same file name for both: it is the module name in the name section.
    let name = output_name(&link_args);
    let dir = crate::workspace_root().join("target/xtask-diff");
    for sub in ["reference", "wasmlink"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let left = link(&reference, &link_args, &dir.join("reference").join(&name))?;
    let right = link(&linker, &link_args, &dir.join("wasmlink").join(&name))?;
    let diffs = linkdiff::diff(&left, &right);
    if diffs.is_empty() {
        println!("no differences ({} functions, {} data segments)", left.functions.len(), left.segments.len());
        return Ok(());
    }
    println!("{} | {}", reference.display(), linker.display());
    for d in &diffs {
        println!("{d}");
    }
    bail!("{} differences ({})", diffs.len(), linkdiff::summary(&diffs))
}

/// The file name of the line's `-o` (`a.out` without one).
fn output_name(args: &[String]) -> String {
    let o = args.iter().position(|a| a == "-o").and_then(|i| args.get(i + 1));
    let name = o.and_then(|o| Path::new(o).file_name()).map(|n| n.to_string_lossy().into_owned());
    name.unwrap_or_else(|| "a.out".into())
}

/// Links `args` with `linker` into `out` and reads the module.
fn link(linker: &Path, args: &[String], out: &Path) -> Result<linkdiff::Module> {
    let mut with_output = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-o" {
            it.next();
        } else if !a.starts_with("-o") || a.starts_with("-o=") {
            with_output.push(a.clone());
        }
    }
    with_output.push("-o".into());
    with_output.push(out.display().to_string());
    let st =
        Command::new(linker).args(&with_output).status().with_context(|| format!("running {}", linker.display()))?;
    if !st.success() {
        bail!("{} failed", linker.display());
    }
    let bytes = std::fs::read(out)?;
    Ok(linkdiff::read_module(&bytes)?)
}
