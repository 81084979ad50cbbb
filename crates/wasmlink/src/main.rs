//! wasmlink: a WebAssembly static linker with wasm-ld's command line.
//!
//! The binary parses the arguments, links through the library
//! (`wasmlink::load`, `wasmlink::link_observed`, `wasmlink::write_output`)
//! and prints what the link reports: warnings, `--print-gc-sections`,
//! `--time`, and errors with exit status 1.

use std::time::Duration;
use wasmlink::timing::Timer;
use wasmlink::{args, Config, LinkError, Observer, StageOutput};

fn program_name() -> String {
    std::env::args()
        .next()
        .and_then(|a| std::path::Path::new(&a).file_name().map(|f| f.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "wasmlink".into())
}

/// Prints one error: `PROG: error: ` before its first line.
fn print_error(prog: &str, message: &str) {
    for (i, line) in message.lines().enumerate() {
        if i == 0 {
            eprintln!("{prog}: error: {line}");
        } else {
            eprintln!("{line}");
        }
    }
}

/// Why the process fails: a bad command line or a failed link.
enum Failure {
    Usage(String),
    Link(LinkError),
}

fn main() {
    let prog = program_name();
    let code = match real_main(&prog) {
        Ok(()) => 0,
        Err(Failure::Usage(message)) => {
            print_error(&prog, &message);
            1
        }
        Err(Failure::Link(e)) => {
            e.messages().iter().for_each(|m| print_error(&prog, m));
            1
        }
    };
    std::process::exit(code);
}

fn real_main(prog: &str) -> Result<(), Failure> {
    let cfg = args::parse(std::env::args().skip(1).collect()).map_err(Failure::Usage)?;
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
        .map_err(|e| Failure::Usage(format!("cannot start worker threads: {e}")))?;
    pool.install(|| run_link(&cfg, prog)).map_err(Failure::Link)
}

/// Loads, links and writes, timing each step for `--time`.
fn run_link(cfg: &Config, prog: &str) -> Result<(), LinkError> {
    let mut timer = Timer::default();
    let inputs = timer.stage("load", || wasmlink::load(cfg))?;
    let mut console = Console { prog, cfg, timer: &mut timer };
    let linked = wasmlink::link_observed(cfg, &inputs, &mut console)?;
    if cfg!(debug_assertions) {
        wasmlink::validate(&linked.bytes)?;
    }
    timer.stage("write", || wasmlink::write_output(cfg, &linked))?;
    if cfg.time {
        eprint!("{}", timer.report());
    }
    Ok(())
}

/// Prints what the command line asks to see while the link runs.
struct Console<'c> {
    prog: &'c str,
    cfg: &'c Config,
    timer: &'c mut Timer,
}

impl<'a> Observer<'a> for Console<'_> {
    fn stage_done(&mut self, output: StageOutput<'_, 'a>, elapsed: Duration) {
        self.timer.record(output.stage_name(), elapsed);
        if let StageOutput::Resolved(res) = output {
            if self.cfg.print_gc_sections && self.cfg.gc_sections {
                for line in res.gc_report() {
                    println!("{line}");
                }
            }
        }
    }

    fn warning(&mut self, message: &str) {
        eprintln!("{}: warning: {message}", self.prog);
    }
}
