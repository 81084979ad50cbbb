//! wasmlink: a WebAssembly static linker with wasm-ld's command line.
//!
//! The binary parses the arguments, links through the library
//! (`wasmlink::load`, `wasmlink::link_observed`, `wasmlink::write_output`)
//! and prints what the link reports: warnings, `--print-gc-sections`,
//! `--time`, and errors with exit status 1.

use std::io::IsTerminal;
use std::time::Duration;
use wasmlink::args::{self, ArgsError};
use wasmlink::timing::Timer;
use wasmlink::{ColorChoice, Config, LinkError, Observer, StageOutput};

fn program_name() -> String {
    std::env::args()
        .next()
        .and_then(|a| std::path::Path::new(&a).file_name().map(|f| f.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "wasmlink".into())
}

/// How diagnostics are printed: `PROG: error: ` before an error's first
/// line (coloured as wasm-ld colours it, when asked to or on a terminal), at
/// most `--error-limit` errors.
struct Diagnostics {
    prog: String,
    color: bool,
    limit: usize,
    /// The last message printed spanned several lines: as in wasm-ld, the
    /// next one starts after an empty line.
    separate: std::sync::atomic::AtomicBool,
}

impl Diagnostics {
    fn new(prog: String, color: ColorChoice, limit: usize) -> Self {
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stderr().is_terminal(),
        };
        Diagnostics { prog, color, limit, separate: std::sync::atomic::AtomicBool::new(false) }
    }

    /// Prints `errors`, stopping after the limit as wasm-ld does.
    fn errors(&self, errors: &[String]) {
        for (i, message) in errors.iter().enumerate() {
            if self.limit != 0 && i == self.limit {
                self.print(
                    "error",
                    "\x1b[0;31m",
                    "too many errors emitted, stopping now (use -error-limit=0 to see all errors)",
                );
                return;
            }
            self.print("error", "\x1b[0;31m", message);
        }
    }

    fn warning(&self, message: &str) {
        self.print("warning", "\x1b[0;35m", message);
    }

    /// A `--verbose` line, as wasm-ld logs: `PROG: message`.
    fn log(&self, message: &str) {
        eprintln!("{}: {message}", self.prog);
    }

    /// A line after a message's first: rustc-style `-->`, `= help:` and
    /// `= note:` prefixes in bold blue on a colour terminal.
    fn note_line<'l>(&self, line: &'l str) -> std::borrow::Cow<'l, str> {
        use wasmlink::notes::{ARROW, HELP, NOTE};
        if !self.color {
            return line.into();
        }
        for prefix in [ARROW, HELP, NOTE] {
            if let Some(rest) = line.strip_prefix(prefix) {
                let lead = &prefix[..prefix.len() - prefix.trim_start().len()];
                return format!("{lead}\x1b[1;34m{}\x1b[0m {rest}", prefix.trim()).into();
            }
        }
        line.into()
    }

    fn print(&self, kind: &str, color: &str, message: &str) {
        let (on, off) = if self.color { (color, "\x1b[0m") } else { ("", "") };
        if self.separate.swap(message.contains('\n'), std::sync::atomic::Ordering::Relaxed) {
            eprintln!();
        }
        for (i, line) in message.lines().enumerate() {
            if i == 0 {
                eprintln!("{}: {on}{kind}: {off}{line}", self.prog);
            } else {
                eprintln!("{}", self.note_line(line));
            }
        }
    }
}

/// Why the process fails: a bad command line, or a failed link whose
/// errors are already printed.
enum Failure {
    Usage(ArgsError),
    LinkReported,
}

fn main() {
    let code = match real_main(program_name()) {
        Ok(()) => 0,
        Err(Failure::Usage(e)) => {
            Diagnostics::new(program_name(), ColorChoice::Auto, Config::default().error_limit).errors(&e.0);
            1
        }
        Err(Failure::LinkReported) => 1,
    };
    std::process::exit(code);
}

fn real_main(prog: String) -> Result<(), Failure> {
    let mut cfg = args::parse(std::env::args().skip(1).collect()).map_err(Failure::Usage)?;
    if cfg.reproduce.is_none() {
        cfg.reproduce = std::env::var_os("LLD_REPRODUCE").filter(|v| !v.is_empty()).map(Into::into);
    }
    if prog == "wasm-ld-14" {
        cfg.follow_wasm_ld_14();
    }
    if cfg.help {
        print!("{}", args::HELP);
        return Ok(());
    }
    // Command-line warnings come first, even with --version.
    let diagnostics = Diagnostics::new(prog, cfg.color, cfg.error_limit);
    if cfg.fatal_warnings && !cfg.warnings.is_empty() {
        diagnostics.errors(&cfg.warnings);
        return Err(Failure::LinkReported);
    }
    for w in &cfg.warnings {
        diagnostics.warning(w);
    }
    if cfg.version {
        println!("{}", wasmlink::version());
        if !cfg.version_continues || cfg.inputs.is_empty() {
            return Ok(());
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads.unwrap_or(0))
        .build()
        .map_err(|e| Failure::Usage(format!("cannot start worker threads: {e}").into()))?;
    pool.install(|| run_link(&cfg, &diagnostics)).map_err(|e| {
        diagnostics.errors(&e.messages());
        Failure::LinkReported
    })
}

/// Loads, links and writes, timing each step for `--time`.
fn run_link(cfg: &Config, diagnostics: &Diagnostics) -> Result<(), LinkError> {
    let mut timer = Timer::default();
    if cfg.verbose {
        for spec in cfg.input_specs().map_err(LinkError::Config)? {
            diagnostics.log(&format!("Loading: {}", spec.path.display()));
        }
    }
    let inputs = timer.stage("load", || wasmlink::load(cfg))?;
    let mut console = Console {
        diagnostics,
        cfg,
        timer: &mut timer,
        explain: Default::default(),
        signature_notes: Default::default(),
    };
    let linked = wasmlink::link_observed(cfg, &inputs, &mut console).map_err(|error| {
        let messages = wasmlink::notes::annotate(&error, &inputs, cfg.demangle);
        LinkError::Annotated { error: Box::new(error), messages }
    })?;
    let explain = std::mem::take(&mut console.explain);
    if cfg!(debug_assertions) {
        wasmlink::validate(&linked.bytes)?;
    }
    if cfg.verbose {
        verbose_sections(diagnostics, &linked);
    }
    if cfg.map_file.is_some() {
        timer.stage("map", || wasmlink::write_map(cfg, &linked))?;
    }
    if cfg.verbose {
        let output = cfg.output.as_deref().unwrap_or(std::path::Path::new("-"));
        diagnostics.log(&format!("writing: {}", output.display()));
    }
    timer.stage("write", || wasmlink::write_output(cfg, &linked))?;
    explain.write_size_report(&linked, cfg)?;
    print!("{}", explain.report(&linked, cfg));
    // No teardown: the process exits right after this, and the OS takes
    // back the memory and the mapped inputs at once, where dropping every
    // structure would take a serial walk over all of them.
    std::mem::forget(linked);
    std::mem::forget(inputs);
    if cfg.time {
        eprint!("{}", timer.report());
    }
    Ok(())
}

/// `--verbose`: the output's sections as wasm-ld logs them (`createHeader:`
/// with payload and total sizes) and its data segments.
fn verbose_sections(diagnostics: &Diagnostics, linked: &wasmlink::Linked<'_>) {
    for s in &linked.file_layout.sections {
        if s.kind == emit::SectionKind::Data {
            for (seg, placed) in linked.layout.segments.iter().zip(&linked.file_layout.segments) {
                if placed.is_some() {
                    diagnostics
                        .log(&format!("Data segment: size={}, startVA={:x}, name={}", seg.size, seg.address, seg.name));
                }
            }
        }
        diagnostics.log(&format!("createHeader: {} body={} total={}", s.kind, s.size - s.header_len, s.size));
    }
}

/// `--verbose`: the memory layout, as wasm-ld logs it (`mem:` lines).
fn verbose_layout(diagnostics: &Diagnostics, layout: &atom_layout::Layout, stack_size: u64) {
    use symbol_resolve::LinkerData;
    let at = |d: LinkerData| layout.linker_data.get(&d).copied().unwrap_or(0);
    diagnostics.log(&format!("mem: stack size  = {stack_size}"));
    diagnostics.log(&format!("mem: stack base  = {}", at(LinkerData::StackLow)));
    diagnostics.log(&format!("mem: stack top   = {}", at(LinkerData::StackHigh)));
    diagnostics.log(&format!("mem: global base = {}", at(LinkerData::GlobalBase)));
    for seg in &layout.segments {
        diagnostics.log(&format!(
            "mem: {:<15} offset={:<8} size={:<8} align={}",
            seg.name, seg.address, seg.size, seg.align_log2
        ));
    }
    let static_data = at(LinkerData::DataEnd).saturating_sub(at(LinkerData::GlobalBase));
    diagnostics.log(&format!("mem: static data = {static_data}"));
    diagnostics.log(&format!("mem: total pages = {}", layout.memory.initial_pages));
}

/// Prints what the command line asks to see while the link runs.
struct Console<'c> {
    diagnostics: &'c Diagnostics,
    cfg: &'c Config,
    timer: &'c mut Timer,
    explain: wasmlink::why_live::Explain,
    /// Call sites of each function with a signature mismatch, printed
    /// under its warning.
    signature_notes: std::collections::BTreeMap<String, Vec<String>>,
}

impl<'a> Observer<'a> for Console<'_> {
    fn alongside(&mut self, work: wasmlink::Alongside, work_time: Duration, wall: Duration) {
        self.timer.record_alongside(work.stages, work.work, work_time, wall);
    }

    fn stage_done(&mut self, output: StageOutput<'_, 'a>, elapsed: Duration) {
        self.timer.record(output.stage_name(), elapsed);
        if self.cfg.verbose {
            match &output {
                StageOutput::Selected(selection) => {
                    for name in &selection.read_order {
                        self.diagnostics.log(&format!("Processing: {name}"));
                    }
                }
                StageOutput::LaidOut(_, layout) => verbose_layout(self.diagnostics, layout, self.cfg.stack_size),
                _ => {}
            }
        }
        self.explain.observe(&output, self.cfg);
        if let StageOutput::Selected(selection) = output {
            // wasm-ld names each object as it starts reading it.
            if self.cfg.trace {
                for name in &selection.read_order {
                    println!("{name}");
                }
            }
        }
        if let StageOutput::Resolved(res) = output {
            if res.stubs.iter().any(|s| s.kind == symbol_resolve::StubKind::SignatureMismatch) {
                self.signature_notes = wasmlink::notes::signature_mismatch_notes(res, self.cfg.demangle);
            }
            if self.cfg.print_gc_sections && self.cfg.gc_sections {
                for line in res.gc_report() {
                    println!("{line}");
                }
            }
        }
    }

    fn warning(&mut self, message: &str) {
        let sites = message
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("function signature mismatch: "))
            .and_then(|name| self.signature_notes.get(name));
        match sites {
            Some(sites) => self.diagnostics.warning(&format!("{message}\n{}", sites.join("\n"))),
            None => self.diagnostics.warning(message),
        }
    }

    fn trace_symbol(&mut self, line: &str) {
        println!("{line}");
    }
}
