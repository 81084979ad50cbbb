//! # snapshots: per-stage dumps of the test links
//!
//! Runs the linker's stages in-process over the cases in `testdata/` with
//! the command line's default options and collects each stage's text dump
//! (the `dump` module of every stage crate). `tests/stages.rs` checks them
//! against the insta snapshots in `tests/snapshots/`; `cargo xtask snapshot`
//! runs that test (`--review` to look at and accept changes).
//!
//! Cases:
//! * `testdata/c/<case>/O2`, linked like `crates/wasmlink/tests/common`
//!   does: `crt1-<crt>.o`, the loose objects sorted by name, the case's
//!   archive, its `libs`, `-lc`, compiler-rt builtins; entry `_start`, or
//!   the case's `entry` (`_initialize` for reactors). Needs wasi-libc.
//! * `testdata/errors`: the freestanding objects alone and together, entry
//!   `_start`. A stage that fails gets its error message as its snapshot and
//!   ends the case.

use std::path::{Path, PathBuf};

/// The wasi sysroot library directory (crt files, libc, libc++).
pub const WASI_LIB_DIR: &str = "/usr/lib/wasm32-wasi";
/// The compiler-rt builtins archive placed last on every C link line.
pub const BUILTINS: &str = "/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a";
/// The compiled variant the snapshots cover.
pub const VARIANT: &str = "O2";

/// The repository root (canonical).
pub fn repo_root() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    p.canonicalize().unwrap_or(p)
}

/// One link to run: a name for the snapshots, the inputs in command-line
/// order and the entry symbol.
#[derive(Debug, Clone)]
pub struct LinkCase {
    /// Snapshot name prefix: the case directory name, or `errors_<objects>`.
    pub name: String,
    /// Input files in command-line order (libraries already resolved).
    pub inputs: Vec<PathBuf>,
    /// `--entry` (`_start` by default).
    pub entry: String,
}

impl LinkCase {
    /// The link line, relative to the checkout where possible, for snapshot
    /// headers.
    pub fn describe(&self) -> String {
        let inputs: Vec<String> =
            self.inputs.iter().map(|p| object_parse::dump::relative(&p.display().to_string())).collect();
        format!("--entry {} {}", self.entry, inputs.join(" "))
    }
}

/// Whether wasi-libc, the crt files and the builtins are installed; the
/// reason when not.
pub fn wasi_toolchain_missing() -> Option<String> {
    let libc = Path::new(WASI_LIB_DIR).join("libc.a");
    if !libc.exists() {
        return Some(format!("wasi-libc not installed ({})", libc.display()));
    }
    for f in [format!("{WASI_LIB_DIR}/crt1-command.o"), format!("{WASI_LIB_DIR}/crt1-reactor.o"), BUILTINS.to_string()]
    {
        if !Path::new(&f).exists() {
            return Some(format!("{f} not installed"));
        }
    }
    None
}

/// Names of the directories under `testdata/c`, sorted.
pub fn c_case_names() -> Vec<String> {
    let dir = repo_root().join("testdata/c");
    let mut v: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("case.txt").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn library(name: &str) -> PathBuf {
    let p = Path::new(WASI_LIB_DIR).join(format!("lib{name}.a"));
    assert!(p.is_file(), "unable to find library -l{name} in {WASI_LIB_DIR}");
    p
}

/// The link of `testdata/c/<name>/O2`, from its `case.txt`.
pub fn c_case(name: &str) -> LinkCase {
    let dir = repo_root().join("testdata/c").join(name);
    let text = std::fs::read_to_string(dir.join("case.txt")).unwrap_or_else(|e| panic!("{name}/case.txt: {e}"));
    let (mut crt, mut libs, mut entry, mut archive) = (None, Vec::new(), None, None);
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let Some((k, v)) = line.split_once('=') else { panic!("{name}/case.txt: no '=' in {line:?}") };
        let v = v.trim();
        match k.trim() {
            "crt" => crt = Some(v.to_string()),
            "libs" => libs = v.split_whitespace().map(str::to_string).collect(),
            "entry" if !v.is_empty() => entry = Some(v.to_string()),
            "archive" if !v.is_empty() => archive = Some(v.split(':').next().unwrap().trim().to_string()),
            _ => {}
        }
    }
    let crt = crt.unwrap_or_else(|| panic!("{name}/case.txt: no crt"));
    let vdir = dir.join(VARIANT);
    let mut objs: Vec<PathBuf> = std::fs::read_dir(&vdir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", vdir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "o"))
        .collect();
    objs.sort();
    let mut inputs = vec![Path::new(WASI_LIB_DIR).join(format!("crt1-{crt}.o"))];
    inputs.extend(objs);
    if let Some(a) = archive {
        inputs.push(vdir.join(a));
    }
    for l in &libs {
        let lib = l.strip_prefix("-l").unwrap_or_else(|| panic!("{name}/case.txt: libs must be -l flags, got {l:?}"));
        inputs.push(library(lib));
    }
    inputs.push(library("c"));
    inputs.push(PathBuf::from(BUILTINS));
    LinkCase { name: name.to_string(), inputs, entry: entry.unwrap_or_else(|| "_start".into()) }
}

/// The links of the freestanding `testdata/errors` objects: each alone that
/// has a `_start`, and the two duplicate definitions together.
pub fn error_cases() -> Vec<LinkCase> {
    let dir = repo_root().join("testdata/errors");
    [&["undef"][..], &["dup1"], &["dup1", "dup2"]]
        .iter()
        .map(|objs| LinkCase {
            name: format!("errors_{}", objs.join("_")),
            inputs: objs.iter().map(|o| dir.join(format!("{o}.o"))).collect(),
            entry: "_start".into(),
        })
        .collect()
}

/// One stage's snapshot: `1_parse`, `2_resolve`, ... and its text.
#[derive(Debug, Clone)]
pub struct StageDump {
    /// `<n>_<stage>`.
    pub stage: &'static str,
    /// The dump, or `error: ...` when the stage failed.
    pub text: String,
}

fn failed(stage: &'static str, e: &dyn std::fmt::Display) -> StageDump {
    let msg = object_parse::dump::relative(&e.to_string());
    StageDump { stage, text: format!("error: {msg}\n") }
}

/// Runs the stages over `case` with the command line's defaults and returns
/// the dump of each stage that ran (the last one is an error when a stage
/// failed).
pub fn run_stages(case: &LinkCase) -> Vec<StageDump> {
    let mut out = Vec::new();
    let specs: Vec<object_parse::InputSpec> = case
        .inputs
        .iter()
        .map(|p| object_parse::InputSpec { path: p.clone(), whole_archive: false, lib_group: None })
        .collect();
    let loaded = match object_parse::load_inputs(&specs) {
        Ok(l) => l,
        Err(e) => {
            out.push(failed("1_parse", &e));
            return out;
        }
    };
    let set = match object_parse::run(&loaded) {
        Ok(s) => s,
        Err(e) => {
            out.push(failed("1_parse", &e));
            return out;
        }
    };
    out.push(StageDump { stage: "1_parse", text: object_parse::dump::dump_object_set(&set) });

    // The option values of `wasmlink` without flags (`Config::default()`
    // mapped as `link()` in crates/wasmlink/src/main.rs does).
    let resolve_opts =
        symbol_resolve::ResolveOptions { entry: Some(case.entry.clone()), gc_sections: true, ..Default::default() };
    let res = match symbol_resolve::run(set, &resolve_opts) {
        Ok(r) => r,
        Err(e) => {
            out.push(failed("2_resolve", &e));
            return out;
        }
    };
    out.push(StageDump { stage: "2_resolve", text: symbol_resolve::dump::dump_resolution(&res) });

    let layout_opts = atom_layout::LayoutOptions::default();
    let layout = match atom_layout::run(&res, &layout_opts) {
        Ok(l) => l,
        Err(e) => {
            out.push(failed("3_layout", &e));
            return out;
        }
    };
    out.push(StageDump { stage: "3_layout", text: atom_layout::dump::dump_layout(&layout, &res) });

    let merge_opts =
        section_merge::MergeOptions { export_memory: true, memory_export_name: "memory".into(), ..Default::default() };
    let merged = match section_merge::run(&res, &layout, &merge_opts) {
        Ok(m) => m,
        Err(e) => {
            out.push(failed("4_merge", &e));
            return out;
        }
    };
    out.push(StageDump { stage: "4_merge", text: section_merge::dump::dump_merged(&merged, &res) });

    let types = match type_dedup::run(&res, &merged) {
        Ok(t) => t,
        Err(e) => {
            out.push(failed("5_types", &e));
            return out;
        }
    };
    out.push(StageDump { stage: "5_types", text: type_dedup::dump::dump_types(&types, &res) });

    let emit_opts = emit::EmitOptions { check_features: true, ..Default::default() };
    match emit::run(&res, &layout, &merged, &types, &emit_opts) {
        Ok(bytes) => out.push(StageDump { stage: "6_emit", text: emit::dump::dump_module(&bytes) }),
        Err(e) => out.push(failed("6_emit", &e)),
    }
    out
}
