//! The pipeline, wired once: [`load`] maps the inputs, [`link`] runs the
//! six stages over them, [`write_output`] writes the module. The command
//! line, the snapshot tests, the fuzz targets and xtask all link through
//! these functions.

use crate::config::Config;
use crate::error::LinkError;
use atom_layout::Layout;
use object_parse::{LoadedInputs, ObjectSet};
use section_merge::MergedModule;
use std::time::{Duration, Instant};
use symbol_resolve::{Resolution, Selection};
use type_dedup::TypeTable;

/// Everything a successful link produced: each stage's output (for dumps
/// and diagnostics) and the module's bytes.
pub struct Linked<'a> {
    /// Symbol resolution: the linked objects, symbol targets, liveness.
    pub resolution: Resolution<'a>,
    /// Memory and table layout.
    pub layout: Layout,
    /// Output index spaces, exports, synthetic functions.
    pub merged: MergedModule,
    /// Output types.
    pub types: TypeTable,
    /// The module.
    pub bytes: Vec<u8>,
    /// Where each section, function and data segment sits in `bytes`.
    pub file_layout: emit::FileLayout,
    /// Warnings, in the order they were found (each was also passed to
    /// [`Observer::warning`]).
    pub warnings: Vec<String>,
}

/// One stage's output, handed to an [`Observer`] as soon as the stage has
/// run (so a dump of the stages before a failure is still possible).
pub enum StageOutput<'s, 'a> {
    /// object-parse: every input, archives still lazy.
    Parsed(&'s ObjectSet<'a>),
    /// symbol-resolve's first step: which objects are linked, in which
    /// order, and why each archive member was extracted.
    Selected(&'s Selection<'a>),
    /// symbol-resolve.
    Resolved(&'s Resolution<'a>),
    /// atom-layout.
    LaidOut(&'s Resolution<'a>, &'s Layout),
    /// section-merge.
    Merged(&'s Resolution<'a>, &'s MergedModule),
    /// type-dedup.
    Typed(&'s Resolution<'a>, &'s TypeTable),
    /// emit: the module's bytes.
    Emitted(&'s [u8]),
}

impl StageOutput<'_, '_> {
    /// The stage's name, as `--time` prints it.
    pub fn stage_name(&self) -> &'static str {
        match self {
            StageOutput::Parsed(_) => "parse",
            StageOutput::Selected(_) => "select",
            StageOutput::Resolved(_) => "resolve",
            StageOutput::LaidOut(..) => "layout",
            StageOutput::Merged(..) => "merge",
            StageOutput::Typed(..) => "types",
            StageOutput::Emitted(_) => "emit",
        }
    }
}

/// Watches a link as it runs. Every method has an empty default.
pub trait Observer<'a> {
    /// A stage finished after `elapsed`, with this output.
    fn stage_done(&mut self, _output: StageOutput<'_, 'a>, _elapsed: Duration) {}
    /// `work` ran on another thread alongside the last `work.stages`
    /// stages reported, for `work_time`; from the first of those stages'
    /// start to the end of both took `wall`.
    fn alongside(&mut self, _work: Alongside, _work_time: Duration, _wall: Duration) {}
    /// A warning (not called for warnings that `--fatal-warnings` turns
    /// into the link's error).
    fn warning(&mut self, _message: &str) {}
    /// A `-y` / `--trace-symbol` line (wasm-ld prints them to stdout).
    fn trace_symbol(&mut self, _line: &str) {}
}

/// An observer that ignores everything.
pub struct Quiet;

impl Observer<'_> for Quiet {}

/// Collects the input files named by `config` and maps them, after
/// checking that `-o` is given and that it and the map file (`-Map`) can be
/// created: a bad path fails before any work, as in wasm-ld (which reports
/// both). With `--reproduce`, then writes the reproducer.
pub fn load(config: &Config) -> Result<LoadedInputs, LinkError> {
    let specs = config.input_specs().map_err(LinkError::Config)?;
    let path = config.output.as_ref().ok_or(LinkError::NoOutput)?;
    let mut unwritable = Vec::new();
    if let Err(source) = emit::check_output_path(path) {
        unwritable.push(LinkError::Output { path: path.clone(), source });
    }
    if let Some(map) = &config.map_file {
        if let Err(source) = emit::check_output_path(map) {
            unwritable.push(LinkError::MapFile { path: map.clone(), source });
        }
    }
    if unwritable.len() > 1 {
        return Err(LinkError::Several(unwritable));
    }
    if let Some(e) = unwritable.pop() {
        return Err(e);
    }
    let inputs = object_parse::load_inputs(&specs).map_err(LinkError::Load)?;
    if let Some(tar) = &config.reproduce {
        crate::reproduce::write_reproducer(tar, config, &inputs)
            .map_err(|source| LinkError::Reproduce { path: tar.clone(), source })?;
    }
    Ok(inputs)
}

/// [`load`] without the output check, for links that don't write a file
/// (stage dumps, tests).
pub fn load_inputs(config: &Config) -> Result<LoadedInputs, LinkError> {
    let specs = config.input_specs().map_err(LinkError::Config)?;
    object_parse::load_inputs(&specs).map_err(LinkError::Load)
}

/// Links `inputs` (from [`load`], or built by the caller) as `config` says.
pub fn link<'a>(config: &Config, inputs: &'a LoadedInputs) -> Result<Linked<'a>, LinkError> {
    link_observed(config, inputs, &mut Quiet)
}

/// [`link`], telling `observer` about each stage's output and each warning
/// as they happen.
pub fn link_observed<'a>(
    config: &Config,
    inputs: &'a LoadedInputs,
    observer: &mut dyn Observer<'a>,
) -> Result<Linked<'a>, LinkError> {
    let mut warnings = Warnings { fatal: config.fatal_warnings, seen: Vec::new(), observer };

    let t = Instant::now();
    let mut set = object_parse::run(inputs).map_err(LinkError::Parse)?;
    warnings.observer.stage_done(StageOutput::Parsed(&set), t.elapsed());
    let roots = crate::symbol_trace::RootNames {
        undefined: &config.undefined,
        exports: config.exports.iter().chain(&config.exports_if_defined).map(String::as_str).collect(),
        entry: config.entry.as_deref(),
    };
    let trace = crate::symbol_trace::trace_lines(&set, &roots, &config.trace_symbols, config.demangle);
    for line in &trace.inputs {
        warnings.observer.trace_symbol(line);
    }

    // Resolution decides on symbol summaries which archive members are
    // linked; only those are parsed in full, in parallel.
    let resolve_options = config.resolve_options();
    let t = Instant::now();
    let show = |name: &str| demangle::display_name(name, config.demangle).into_owned();
    let selection = symbol_resolve::select(&mut set, &resolve_options)
        .map_err(|e| LinkError::Resolve(e.map_symbol_names(&show)))?;
    warnings.observer.stage_done(StageOutput::Selected(&selection), t.elapsed());
    warnings.add(selection.warnings.iter().map(ToString::to_string))?;
    if let Some(path) = &config.why_extract {
        // Written before the rest of the link can fail, as in wasm-ld.
        crate::why_extract::write(path, &selection, config.demangle)
            .map_err(|source| LinkError::WhyExtract { path: path.clone(), source })?;
    }
    let t = Instant::now();
    let objects = object_parse::parse_selected(set, &selection.sources).map_err(LinkError::Parse)?;
    let resolution = symbol_resolve::finish(selection, objects, &resolve_options)
        .map_err(|e| LinkError::Resolve(e.map_symbol_names(&show)))?;
    warnings.observer.stage_done(StageOutput::Resolved(&resolution), t.elapsed());
    for line in &trace.linker {
        warnings.observer.trace_symbol(line);
    }
    warnings.add(resolution.warnings.iter().map(|w| w.clone().map_symbol_names(&show).to_string()))?;

    // Layout, merge and type deduplication run one after the other; emit's
    // preparation (custom sections, demangled names) needs only the
    // resolution and runs alongside them. Their observers are told in
    // stage order afterwards.
    let emit_options = config.emit_options();
    let t = Instant::now();
    let (middle, (prepared, prepare_time)) = rayon::join(
        || MiddleStages::run(config, &resolution),
        || {
            let t = Instant::now();
            (emit::prepare(&resolution, &emit_options), t.elapsed())
        },
    );
    let middle_wall = t.elapsed();
    let (layout, layout_time) = middle.layout?;
    warnings.observer.stage_done(StageOutput::LaidOut(&resolution, &layout), layout_time);
    warnings.add(layout.warnings.iter().map(ToString::to_string))?;
    let (merged, merge_time) = middle.merged.expect("merge runs after a layout")?;
    warnings.observer.stage_done(StageOutput::Merged(&resolution, &merged), merge_time);
    let (types, types_time) = middle.types.expect("types run after a merge")?;
    warnings.observer.stage_done(StageOutput::Typed(&resolution, &types), types_time);
    warnings.observer.alongside(ALONGSIDE_MIDDLE, prepare_time, middle_wall);

    let t = Instant::now();
    let (bytes, file_layout) = emit::run_with_layout(&resolution, &layout, &merged, &types, prepared, &emit_options)
        .map_err(LinkError::Emit)?;
    warnings.observer.stage_done(StageOutput::Emitted(&bytes), t.elapsed());
    Ok(Linked { resolution, layout, merged, types, bytes, file_layout, warnings: warnings.seen })
}

/// What [`Observer::alongside`] reports next to layout, merge and types.
pub const ALONGSIDE_MIDDLE: Alongside = Alongside { work: "emit prep", stages: 3 };

/// Work that ran on its own thread alongside the last `stages` stages
/// reported, for [`Observer::alongside`].
#[derive(Debug, Clone, Copy)]
pub struct Alongside {
    /// What the work was, as `--time` prints it.
    pub work: &'static str,
    /// How many of the stages just reported it overlapped.
    pub stages: usize,
}

/// The outputs of layout, merge and type deduplication with how long each
/// took, run in order on one thread; a stage after a failed one is not run.
struct MiddleStages {
    layout: Result<(Layout, Duration), LinkError>,
    merged: Option<Result<(MergedModule, Duration), LinkError>>,
    types: Option<Result<(TypeTable, Duration), LinkError>>,
}

impl MiddleStages {
    fn run(config: &Config, res: &Resolution<'_>) -> Self {
        let layout = timed(|| atom_layout::run(res, &config.layout_options()).map_err(LinkError::Layout));
        let merged = layout.as_ref().ok().map(|(layout, _)| {
            timed(|| section_merge::run(res, layout, &config.merge_options()).map_err(LinkError::Merge))
        });
        let types = (merged.as_ref().and_then(|m| m.as_ref().ok()))
            .map(|(merged, _)| timed(|| type_dedup::run(res, merged).map_err(LinkError::Types)));
        MiddleStages { layout, merged, types }
    }
}

/// Runs `stage`, returning its output with how long it took.
fn timed<T>(stage: impl FnOnce() -> Result<T, LinkError>) -> Result<(T, Duration), LinkError> {
    let t = Instant::now();
    stage().map(|out| (out, t.elapsed()))
}

/// Writes the map file (`-Map=FILE`, or standard output for `-M`), when one
/// is asked for; wasm-ld writes it before the module.
pub fn write_map(config: &Config, linked: &Linked<'_>) -> Result<(), LinkError> {
    let Some(path) = &config.map_file else { return Ok(()) };
    let text = crate::map_file::render(linked, config.demangle);
    crate::map_file::write(path, &text).map_err(|source| LinkError::MapFile { path: path.clone(), source })
}

/// Writes the module to `-o` atomically (a failed write leaves no file and
/// an existing one untouched).
pub fn write_output(config: &Config, linked: &Linked<'_>) -> Result<(), LinkError> {
    let path = config.output.as_ref().ok_or(LinkError::NoOutput)?;
    emit::write_atomic(path, &linked.bytes).map_err(|source| LinkError::Output { path: path.clone(), source })
}

/// Validates an output module with every feature enabled. The binary does
/// this in debug builds before writing; an invalid output is a wasmlink bug.
pub fn validate(bytes: &[u8]) -> Result<(), LinkError> {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .map(drop)
        .map_err(|e| LinkError::InvalidOutput(e.to_string()))
}

/// Warnings as the stages report them: passed on to the observer, or with
/// `--fatal-warnings` turned into the link's error.
struct Warnings<'o, 'a> {
    fatal: bool,
    seen: Vec<String>,
    observer: &'o mut dyn Observer<'a>,
}

impl Warnings<'_, '_> {
    fn add(&mut self, new: impl Iterator<Item = String>) -> Result<(), LinkError> {
        let new: Vec<String> = new.collect();
        if self.fatal && !new.is_empty() {
            return Err(LinkError::FatalWarnings(new));
        }
        for w in new {
            self.observer.warning(&w);
            self.seen.push(w);
        }
        Ok(())
    }
}
