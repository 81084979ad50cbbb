//! The Rust workloads: `testdata/bench/rust_deps` (a program using clap,
//! regex and serde_json from crates.io) built for wasm32-wasip1 by cargo with
//! the project's offline toolchain (`rust_wasm.rs`, `-Zbuild-std`), and
//! rustc's exact link line replayed by both linkers.
//!
//! The "linker" cargo is given is a small shell script,
//! `target/bench/rust_deps-<profile>/record-link.sh`: it writes its
//! arguments to `link-args` (NUL-separated), copies the object files rustc
//! passes (rustc deletes its own temporary objects after the link) into
//! `objs/`, pointing the recorded line at the copies, and then links with
//! wasm-ld-22 so that the build succeeds. The rlibs stay where cargo put them
//! (`target/bench/rust_deps-<profile>/target`). Everything is cached until
//! the project's sources or the generator change.

use anyhow::{bail, Context, Result};
use std::path::Path;

use crate::{rust_wasm, workspace_root};

/// Bump when the recording changes, to rebuild.
const VERSION: u32 = 1;

/// rustc's link line for the debug or release build, minus `-o OUT`.
pub(super) fn link_args(release: bool) -> Result<Vec<String>> {
    let root = workspace_root();
    let profile = if release { "release" } else { "debug" };
    let project = root.join("testdata/bench/rust_deps");
    let dir = root.join(format!("target/bench/rust_deps-{profile}"));
    let mut stamp = format!("v{VERSION}\n");
    for f in ["Cargo.toml", "Cargo.lock", "src/main.rs"] {
        let p = project.join(f);
        stamp += &std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
    }
    let args_file = dir.join("link-args");
    if std::fs::read_to_string(dir.join("stamp")).is_ok_and(|s| s == stamp) {
        if let Ok(args) = read_args(&args_file) {
            return Ok(args);
        }
    }
    std::fs::create_dir_all(&dir)?;
    let _ = std::fs::remove_file(dir.join("stamp"));
    let _ = std::fs::remove_file(&args_file);
    let script = dir.join("record-link.sh");
    write_script(&script, &dir)?;
    // cargo links again only when the executable is missing.
    let target_dir = dir.join("target");
    for sub in ["", "deps"] {
        let d = target_dir.join("wasm32-wasip1").join(profile).join(sub);
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("rust_deps") && name.ends_with(".wasm") {
                std::fs::remove_file(e.path())?;
            }
        }
    }
    eprintln!("bench: building testdata/bench/rust_deps ({profile}) with cargo into {} (once)", target_dir.display());
    let t0 = std::time::Instant::now();
    rust_wasm::build(&project, &script, &target_dir, release).context("building the Rust workload")?;
    eprintln!("bench: built in {:.0} s", t0.elapsed().as_secs_f64());
    let args = read_args(&args_file).context("the recording linker was not called")?;
    std::fs::write(dir.join("stamp"), stamp)?;
    Ok(args)
}

/// The recorded line without `-o OUT`; fails if an input file is gone.
fn read_args(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    let mut it = text.split('\0').filter(|a| !a.is_empty()).map(str::to_string);
    while let Some(a) = it.next() {
        if a == "-o" {
            it.next();
            continue;
        }
        let is_input = (a.ends_with(".o") || a.ends_with(".rlib") || a.ends_with(".a")) && !a.starts_with('-');
        if is_input && !Path::new(&a).is_file() {
            bail!("{a} (recorded in {}) is gone", path.display());
        }
        out.push(a);
    }
    if out.is_empty() {
        bail!("{} is empty", path.display());
    }
    Ok(out)
}

fn write_script(script: &Path, dir: &Path) -> Result<()> {
    let d = dir.to_str().context("bench dir is not UTF-8")?;
    if d.contains('\'') {
        bail!("bench dir {d} contains a quote");
    }
    let text = format!(
        r#"#!/bin/sh
# Written by `cargo xtask bench` (rust_deps.rs): records rustc's link line for
# the benchmark, keeping copies of the object files (rustc deletes its
# temporary ones), then links with wasm-ld-22.
set -e
D='{d}'
rm -rf "$D/objs.new"
mkdir -p "$D/objs.new"
: > "$D/link-args.new"
i=0
for a in "$@"; do
  case "$a" in
    *.o)
      if [ -f "$a" ]; then
        i=$((i+1))
        b="$i-$(basename "$a")"
        cp "$a" "$D/objs.new/$b"
        a="$D/objs/$b"
      fi ;;
  esac
  printf '%s\0' "$a" >> "$D/link-args.new"
done
rm -rf "$D/objs"
mv "$D/objs.new" "$D/objs"
mv "$D/link-args.new" "$D/link-args"
exec /usr/bin/wasm-ld-22 "$@"
"#
    );
    std::fs::write(script, text)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(script, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}
