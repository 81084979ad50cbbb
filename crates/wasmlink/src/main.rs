//! wasmlink: a WebAssembly static linker with wasm-ld's command line.
//!
//! The binary only parses arguments and calls the stages in order:
//! object-parse → symbol-resolve → atom-layout → section-merge →
//! type-dedup → emit. See ARCHITECTURE.md.

mod args;
mod timing;

use anyhow::{anyhow, Context, Result};
use args::{Config, InputArg};
use object_parse::InputSpec;
use std::path::PathBuf;
use timing::Timer;

fn program_name() -> String {
    std::env::args()
        .next()
        .and_then(|a| std::path::Path::new(&a).file_name().map(|f| f.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "wasmlink".into())
}

/// Several independent errors found by one stage (e.g. every undefined
/// symbol), each printed as its own `error:` line.
#[derive(Debug)]
struct Errors(Vec<String>);

impl std::fmt::Display for Errors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

impl std::error::Error for Errors {}

fn print_error(prog: &str, message: &str) {
    for (i, line) in message.lines().enumerate() {
        if i == 0 {
            eprintln!("{prog}: error: {line}");
        } else {
            eprintln!("{line}");
        }
    }
}

fn main() {
    let prog = program_name();
    let code = match real_main(&prog) {
        Ok(()) => 0,
        Err(e) => {
            match e.downcast_ref::<Errors>() {
                Some(Errors(list)) => list.iter().for_each(|m| print_error(&prog, m)),
                None => print_error(&prog, &format!("{e:#}")),
            }
            1
        }
    };
    std::process::exit(code);
}

fn find_library(name: &str, dirs: &[PathBuf]) -> Option<PathBuf> {
    for d in dirs {
        let p = d.join(format!("lib{name}.a"));
        if p.is_file() {
            return Some(p);
        }
    }
    None
}

fn input_specs(cfg: &Config) -> Result<Vec<InputSpec>> {
    let mut whole = false;
    let mut group: Option<u32> = None;
    let mut groups = 0u32;
    let mut out = Vec::new();
    for i in &cfg.inputs {
        match i {
            InputArg::WholeArchive(w) => whole = *w,
            InputArg::Lib(true) => {
                if group.is_some() {
                    return Err(anyhow!("nested --start-lib"));
                }
                group = Some(groups);
                groups += 1;
            }
            InputArg::Lib(false) => {
                if group.take().is_none() {
                    return Err(anyhow!("stray --end-lib"));
                }
            }
            InputArg::File(p) => out.push(InputSpec { path: p.clone(), whole_archive: whole, lib_group: group }),
            InputArg::Library(name) => {
                let p =
                    find_library(name, &cfg.search_paths).ok_or_else(|| anyhow!("unable to find library -l{name}"))?;
                out.push(InputSpec { path: p, whole_archive: whole, lib_group: None });
            }
        }
    }
    if out.is_empty() {
        return Err(anyhow!("no input files"));
    }
    Ok(out)
}

/// Prints warnings; with `--fatal-warnings` they fail the link.
fn warn(cfg: &Config, prog: &str, warnings: &[String]) -> Result<()> {
    if cfg.fatal_warnings && !warnings.is_empty() {
        return Err(anyhow::Error::new(Errors(warnings.to_vec())));
    }
    for w in warnings {
        eprintln!("{prog}: warning: {w}");
    }
    Ok(())
}

fn real_main(prog: &str) -> Result<()> {
    let cfg = args::parse(std::env::args().skip(1).collect()).map_err(|e| anyhow!(e))?;
    if cfg.help {
        print!("{}", args::HELP);
        return Ok(());
    }
    if cfg.version {
        println!("wasmlink {} (compatible with LLD 22 wasm-ld)", env!("CARGO_PKG_VERSION"));
        if !cfg.version_continues || cfg.inputs.is_empty() {
            return Ok(());
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    pool.install(|| link(&cfg, prog))
}

fn link(cfg: &Config, prog: &str) -> Result<()> {
    let mut t = Timer::new(cfg.time);
    if cfg.inputs.is_empty() {
        return Err(anyhow!("no input files"));
    }
    let specs = input_specs(cfg)?;
    let output = cfg.output.as_ref().ok_or_else(|| anyhow!("no output file specified"))?;
    emit::check_output_path(output).with_context(|| format!("cannot open output file {}", output.display()))?;
    let loaded = t.stage("load", || object_parse::load_inputs(&specs))?;
    let set = t.stage("parse", || object_parse::run(&loaded))?;
    let resolve_opts = symbol_resolve::ResolveOptions {
        entry: cfg.entry.clone(),
        exports: cfg.exports.clone(),
        allow_undefined: cfg.allow_undefined,
        gc_sections: cfg.gc_sections,
        undefined: cfg.undefined.clone(),
        allow_multiple_definition: cfg.allow_multiple_definition,
        export_all: cfg.export_all,
        export_dynamic: cfg.export_dynamic,
        allow_undefined_symbols: cfg.allow_undefined_symbols.clone(),
        wrap: cfg.wrap.clone(),
    };
    let res = t.stage("resolve", || symbol_resolve::run(set, &resolve_opts)).map_err(|e| match e {
        symbol_resolve::ResolveError::Symbols(list) => {
            anyhow::Error::new(Errors(list.iter().map(ToString::to_string).collect()))
        }
        other => anyhow::Error::new(other),
    })?;
    warn(cfg, prog, &res.warnings.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    if cfg.print_gc_sections && cfg.gc_sections {
        for line in res.gc_report() {
            println!("{line}");
        }
    }
    let layout_opts = atom_layout::LayoutOptions {
        stack_first: cfg.stack_first,
        stack_size: cfg.stack_size,
        global_base: cfg.global_base,
        initial_memory: cfg.initial_memory,
        max_memory: cfg.max_memory,
        initial_heap: cfg.initial_heap,
        merge_data_segments: cfg.merge_data_segments,
        import_memory: cfg.import_memory,
        export_memory: cfg.export_memory,
    };
    let layout = t
        .stage("layout", || atom_layout::run(&res, &layout_opts))
        .map_err(|e| Errors(e.0.iter().map(ToString::to_string).collect()))?;
    warn(cfg, prog, &layout.warnings.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let merge_opts = section_merge::MergeOptions {
        export_memory: cfg.export_memory,
        memory_export_name: cfg.memory_export_name.clone().unwrap_or_else(|| "memory".into()),
        import_table: cfg.import_table,
        export_table: cfg.export_table,
    };
    let merged = t.stage("merge", || section_merge::run(&res, &layout, &merge_opts))?;
    let types = t.stage("types", || type_dedup::run(&res, &merged))?;
    let emit_opts = emit::EmitOptions {
        custom: emit::CustomPolicy {
            strip_debug: cfg.strip_debug,
            strip_all: cfg.strip_all,
            keep: cfg.keep_sections.clone(),
        },
        import_memory: cfg.import_memory,
        memory_import: cfg.memory_import_name.clone().unwrap_or_else(|| ("env".into(), "memory".into())),
        check_features: !cfg.no_check_features,
        features: cfg.features.clone(),
        extra_features: cfg.extra_features.clone(),
    };
    let bytes = t.stage("emit", || emit::run(&res, &layout, &merged, &types, &emit_opts))?;
    if cfg!(debug_assertions) {
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(&bytes)
            .map_err(|e| anyhow!("internal error: the output module does not validate: {e}"))?;
    }
    t.stage("write", || emit::write_atomic(output, &bytes))
        .with_context(|| format!("cannot open output file {}", output.display()))?;
    t.report();
    Ok(())
}
