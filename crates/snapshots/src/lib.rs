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
//!   the case's `entry` (`_initialize` for reactors). The crt files and
//!   libraries come from the pinned copies in `testdata/sysroot/`.
//! * `testdata/errors`: the freestanding objects alone and together, entry
//!   `_start`. A stage that fails gets its error message as its snapshot and
//!   ends the case.

use std::path::{Path, PathBuf};

/// The pinned sysroot (crt files, libc, libc++, compiler-rt builtins) the
/// cases link against: a checked-in subset of the Debian packages' files,
/// made by `testdata/sysroot/regen.sh`, so that the snapshots show what
/// wasmlink does and not which wasi-libc build is installed.
pub fn sysroot() -> PathBuf {
    repo_root().join(object_parse::dump::PINNED_SYSROOT)
}

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
    let p = sysroot().join(format!("lib{name}.a"));
    assert!(p.is_file(), "unable to find library -l{name} in {}", sysroot().display());
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
    let mut inputs = vec![sysroot().join(format!("crt1-{crt}.o"))];
    inputs.extend(objs);
    if let Some(a) = archive {
        inputs.push(vdir.join(a));
    }
    for l in &libs {
        let lib = l.strip_prefix("-l").unwrap_or_else(|| panic!("{name}/case.txt: libs must be -l flags, got {l:?}"));
        inputs.push(library(lib));
    }
    inputs.push(library("c"));
    inputs.push(sysroot().join("libclang_rt.builtins-wasm32.a"));
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

/// The snapshot name of the stage a link error comes from.
fn failed_stage(e: &wasmlink::LinkError) -> &'static str {
    use wasmlink::LinkError as E;
    match e {
        E::Config(_)
        | E::NoOutput
        | E::Output { .. }
        | E::MapFile { .. }
        | E::Several(_)
        | E::Reproduce { .. }
        | E::Load(_)
        | E::Parse(_) => "1_parse",
        E::Resolve(_) | E::FatalWarnings(_) | E::WhyExtract { .. } => "2_resolve",
        E::Layout(_) => "3_layout",
        E::Merge(_) => "4_merge",
        E::Types(_) => "5_types",
        E::Emit(_) | E::InvalidOutput(_) | E::SizeReport { .. } => "6_emit",
        E::Annotated { error, .. } => failed_stage(error),
    }
}

/// Collects each stage's dump as the link runs.
#[derive(Default)]
struct Dumper {
    dumps: Vec<StageDump>,
}

impl<'a> wasmlink::Observer<'a> for Dumper {
    fn stage_done(&mut self, output: wasmlink::StageOutput<'_, 'a>, _elapsed: std::time::Duration) {
        use wasmlink::StageOutput as S;
        let (stage, text) = match output {
            S::Parsed(set) => ("1_parse", object_parse::dump::dump_object_set(set)),
            S::Selected(selection) => ("2_select", symbol_resolve::dump::dump_selection(selection)),
            S::Resolved(res) => ("2_resolve", symbol_resolve::dump::dump_resolution(res)),
            S::LaidOut(res, layout) => ("3_layout", atom_layout::dump::dump_layout(layout, res)),
            S::Merged(res, merged) => ("4_merge", section_merge::dump::dump_merged(merged, res)),
            S::Typed(res, types) => ("5_types", type_dedup::dump::dump_types(types, res)),
            S::Emitted(bytes) => ("6_emit", emit::dump::dump_module(bytes)),
        };
        self.dumps.push(StageDump { stage, text });
    }
}

impl LinkCase {
    /// The case as a command line would give it: its inputs and entry, and
    /// every other option at its default.
    pub fn config(&self) -> wasmlink::Config {
        wasmlink::Config {
            inputs: self.inputs.iter().cloned().map(wasmlink::InputArg::File).collect(),
            entry: Some(self.entry.clone()),
            ..Default::default()
        }
    }
}

/// Links `case` through `wasmlink::link_observed` with the command line's
/// defaults and returns the dump of each stage that ran (the last one is an
/// error when a stage failed).
pub fn run_stages(case: &LinkCase) -> Vec<StageDump> {
    let config = case.config();
    let mut dumper = Dumper::default();
    let result = wasmlink::load_inputs(&config)
        .and_then(|inputs| wasmlink::link_observed(&config, &inputs, &mut dumper).map(drop));
    if let Err(e) = result {
        let msg = object_parse::dump::relative(&e.to_string());
        dumper.dumps.push(StageDump { stage: failed_stage(&e), text: format!("error: {msg}\n") });
    }
    dumper.dumps
}
