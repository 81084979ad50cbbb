//! `cargo xtask bench`: link time of wasmlink against `/usr/bin/wasm-ld-22`.
//!
//! Every workload is one real link line, run by both linkers with the same
//! arguments (only `-o` differs). Per workload:
//!
//! 1. one warm-up run of each linker (not timed): it must succeed, and both
//!    outputs are checked with `wasm-validate` (wabt) when it is installed;
//!    command modules are also run once in wasmtime and must print the same
//!    thing and exit the same way with either linker;
//! 2. `--runs N` (default 10) timed runs of each, alternating which linker
//!    goes first, wall clock from spawn to exit;
//! 3. one more run of each under `/usr/bin/time -f %M` for the peak RSS.
//!
//! It prints a table (min and median wall time, the ratio
//! wasm-ld-22 / wasmlink, output sizes, peak RSS) and writes the same as JSON
//! to `target/bench/results.json`. See `BENCHMARKING.md`.

use anyhow::{bail, Context, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{build_wasmlink, packages, run_wasm, workspace_root};

mod cppgen;
mod rust_deps;

const WASM_LD: &str = "/usr/bin/wasm-ld-22";
const WASI_LIB_DIR: &str = "/usr/lib/wasm32-wasi";
const CLANG: &str = "/usr/bin/clang-19";
const GNU_TIME: &str = "/usr/bin/time";
const WASM_VALIDATE: &str = "/usr/bin/wasm-validate";

/// Bump when the generated sources change, to invalidate the cached objects.
/// (Since v3 file `k` only calls files below it, so a file does not depend on
/// how many there are and the sizes share one set of objects.)
const SYNTH_VERSION: u32 = 3;
/// Static helper functions (and table records) per generated file.
const SYNTH_HELPERS: usize = 24;

const USAGE: &str = "\
usage: cargo xtask bench [--quick] [--all] [--runs N] [--threads N] [--workload NAME]... [--wasmlink PATH] [--list]

  --quick          only check that the bench works: 1 run of the small
                   workloads (what CI runs; never a speed check)
  --all            also the big workloads, whose inputs take minutes to
                   prepare the first time (the Rust builds, synthetic-2000)
  --runs N         timed runs of each linker per workload (default 10)
  --no-check       skip validating and running the outputs (the warm-up
                   link still has to succeed)
  --threads N      pass --threads=N to both linkers (default: neither gets
                   the flag, so both use all cores)
  --workload NAME  only run workloads whose name contains NAME (repeatable;
                   a name given here selects big workloads too)
  --wasmlink PATH   benchmark this wasmlink binary instead of building
                   target/release/wasmlink
  --list           list the workloads and exit

Results: a table on stdout and target/bench/results.json.
ratio = wasm-ld-22 time / wasmlink time (> 1 means wasmlink is faster).";

struct Options {
    runs: usize,
    quick: bool,
    all: bool,
    no_check: bool,
    threads: Option<u32>,
    filters: Vec<String>,
    wasmlink: Option<PathBuf>,
    list: bool,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut o = Options {
        runs: 10,
        quick: false,
        all: false,
        no_check: false,
        threads: None,
        filters: Vec::new(),
        wasmlink: None,
        list: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it.next().cloned().with_context(|| format!("{name} needs a value\n{USAGE}")),
            }
        };
        match flag {
            "--runs" => {
                o.runs = value("--runs")?.parse().context("--runs: not a number")?;
                if o.runs == 0 {
                    bail!("--runs must be at least 1");
                }
            }
            "--threads" => {
                let n: u32 = value("--threads")?.parse().context("--threads: not a number")?;
                if n == 0 {
                    bail!("--threads must be at least 1");
                }
                o.threads = Some(n);
            }
            "--workload" => o.filters.push(value("--workload")?),
            "--quick" => {
                o.quick = true;
                o.runs = 1;
            }
            "--all" => o.all = true,
            "--no-check" => o.no_check = true,
            "--wasmlink" => o.wasmlink = Some(PathBuf::from(value("--wasmlink")?)),
            "--list" => o.list = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => bail!("unknown argument {a:?}\n{USAGE}"),
        }
    }
    Ok(o)
}

// ---------------------------------------------------------------------------
// Workloads

/// What has to be prepared before a workload's link line exists.
enum Source {
    /// `--version`: process start-up and exit, no linking.
    Startup,
    /// `testdata/c/<case>/<variant>`, link line as in the integration tests.
    Case { case: &'static str, variant: &'static str },
    /// `--whole-archive` of all of libc++.a and libc.a.
    WholeArchive,
    /// The first `files` generated C objects in `target/bench/synth`.
    Synthetic { files: usize },
    /// Generated C++ translation units in `target/bench/cppgen`.
    CppGen { files: usize },
    /// `testdata/bench/rust_deps` built by cargo; rustc's own link line.
    RustDeps { release: bool },
}

/// How a workload is selected.
#[derive(Clone, Copy, PartialEq)]
enum Tier {
    /// Part of `--quick` (and of the default set).
    Quick,
    /// The default set.
    Default,
    /// Only with `--all` or when named by `--workload`: preparing the inputs
    /// takes minutes the first time.
    Big,
}

struct WorkloadDef {
    name: &'static str,
    description: &'static str,
    source: Source,
    tier: Tier,
}

/// Number of generated C++ translation units.
const CPPGEN_FILES: usize = 40;

fn workload_defs() -> Vec<WorkloadDef> {
    vec![
        WorkloadDef {
            name: "startup",
            description: "`<linker> --version`: process start-up only (wasm-ld-22 loads libLLVM.so), \
                          the floor under every other row",
            source: Source::Startup,
            tier: Tier::Quick,
        },
        WorkloadDef {
            name: "cpp_features-O0g",
            description: "testdata/c/cpp_features/O0g: C++ with libc++/libc++abi, -O0 -g (DWARF), ~2 MB output",
            source: Source::Case { case: "cpp_features", variant: "O0g" },
            tier: Tier::Quick,
        },
        WorkloadDef {
            name: "cpp_features-O2",
            description: "testdata/c/cpp_features/O2: the same program at -O2, no debug info",
            source: Source::Case { case: "cpp_features", variant: "O2" },
            tier: Tier::Default,
        },
        WorkloadDef {
            name: "qsort_callback-O2",
            description: "testdata/c/qsort_callback/O2: small C program against wasi-libc",
            source: Source::Case { case: "qsort_callback", variant: "O2" },
            tier: Tier::Quick,
        },
        WorkloadDef {
            name: "whole-archive-libcxx-libc",
            description: "every member of libc++.a (which includes libc++abi) and libc.a: \
                          --whole-archive --no-entry --no-gc-sections --allow-undefined",
            source: Source::WholeArchive,
            tier: Tier::Default,
        },
        WorkloadDef {
            name: "synthetic-250-O0g",
            description: "250 generated C files (-O0 -g, cross-file calls, data tables, strings) \
                          plus main.c, against wasi-libc with the default --gc-sections",
            source: Source::Synthetic { files: 250 },
            tier: Tier::Default,
        },
        WorkloadDef {
            name: "synthetic-1000-O0g",
            description: "the same generator, 1000 files",
            source: Source::Synthetic { files: 1000 },
            tier: Tier::Default,
        },
        WorkloadDef {
            name: "synthetic-2000-O0g",
            description: "the same generator, 2000 files (big: ~2 min to compile the first time)",
            source: Source::Synthetic { files: 2000 },
            tier: Tier::Big,
        },
        WorkloadDef {
            name: "cppgen-40-O0g",
            description: "40 generated C++ files at -O0 -g, each instantiating libc++ containers, \
                          algorithms, streams, std::function, variant and smart pointers for its own types; \
                          -lc++ -lc++abi",
            source: Source::CppGen { files: CPPGEN_FILES },
            tier: Tier::Default,
        },
        WorkloadDef {
            name: "rust-deps-debug",
            description: "testdata/bench/rust_deps (clap, regex, serde_json) built by cargo -Zbuild-std in the \
                          dev profile with 256 codegen units, DWARF; rustc's recorded link line \
                          (big: several minutes to build the first time)",
            source: Source::RustDeps { release: false },
            tier: Tier::Big,
        },
        WorkloadDef {
            name: "rust-deps-release",
            description: "the same program in the release profile; rustc's recorded link line \
                          (big: several minutes to build the first time)",
            source: Source::RustDeps { release: true },
            tier: Tier::Big,
        },
    ]
}

/// Whether `d` runs with these options.
fn selected(d: &WorkloadDef, o: &Options) -> bool {
    if !o.filters.is_empty() {
        return o.filters.iter().any(|f| d.name.contains(f.as_str()));
    }
    match d.tier {
        Tier::Quick => true,
        Tier::Default => !o.quick,
        Tier::Big => o.all && !o.quick,
    }
}

/// A ready link line.
struct Workload {
    name: &'static str,
    description: &'static str,
    /// Everything but `-o <out>` (and `--threads=`).
    args: Vec<String>,
    /// Has `_start`: run it in wasmtime once per linker and compare.
    runnable: bool,
    /// False for `startup`: no `-o`, no `--threads=`, nothing to check.
    writes_output: bool,
}

fn prepare(def: &WorkloadDef) -> Result<Workload> {
    let (args, runnable) = match &def.source {
        Source::Startup => (strs(&["--version"]), false),
        Source::Case { case, variant } => (case_link_args(case, variant)?, true),
        Source::WholeArchive => {
            let mut a =
                strs(&["-m", "wasm32", "--no-entry", "--no-gc-sections", "--allow-undefined", "--whole-archive"]);
            a.push(format!("{WASI_LIB_DIR}/libc++.a"));
            a.push(format!("{WASI_LIB_DIR}/libc.a"));
            a.push("--no-whole-archive".into());
            a.push(packages::BUILTINS.into());
            (a, false)
        }
        Source::Synthetic { files } => {
            let objs = synthetic_objects(*files)?;
            let mut a =
                strs(&["-m", "wasm32", &format!("-L{WASI_LIB_DIR}"), &format!("{WASI_LIB_DIR}/crt1-command.o")]);
            a.extend(objs.iter().map(|p| p.display().to_string()));
            a.push("-lc".into());
            a.push(packages::BUILTINS.into());
            (a, true)
        }
        Source::CppGen { files } => {
            let objs = cppgen::objects(*files)?;
            let mut a =
                strs(&["-m", "wasm32", &format!("-L{WASI_LIB_DIR}"), &format!("{WASI_LIB_DIR}/crt1-command.o")]);
            a.extend(objs.iter().map(|p| p.display().to_string()));
            a.extend(strs(&["-lc++", "-lc++abi", "-lc", packages::BUILTINS]));
            (a, true)
        }
        Source::RustDeps { release } => (rust_deps::link_args(*release)?, true),
    };
    let writes_output = !matches!(def.source, Source::Startup);
    Ok(Workload { name: def.name, description: def.description, args, runnable, writes_output })
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The link line of `testdata/c/<case>/<variant>` as built by
/// `crates/wasmlink/tests/common/mod.rs` (`Case::link_args`), minus `-o`.
fn case_link_args(case: &str, variant: &str) -> Result<Vec<String>> {
    let dir = workspace_root().join("testdata/c").join(case);
    let text = std::fs::read_to_string(dir.join("case.txt")).with_context(|| format!("reading {case}/case.txt"))?;
    let mut crt = "command".to_string();
    let mut libs: Vec<String> = Vec::new();
    let mut entry = None;
    let mut archive = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim();
        match k.trim() {
            "crt" => crt = v.to_string(),
            "libs" => libs = v.split_whitespace().map(str::to_string).collect(),
            "entry" if !v.is_empty() => entry = Some(v.to_string()),
            "archive" if !v.is_empty() => archive = v.split_once(':').map(|(f, _)| f.trim().to_string()),
            _ => {}
        }
    }
    let vdir = dir.join(variant);
    let mut objs: Vec<PathBuf> = std::fs::read_dir(&vdir)
        .with_context(|| format!("reading {}", vdir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    objs.retain(|p| p.extension().is_some_and(|e| e == "o"));
    objs.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    if objs.is_empty() {
        bail!("{}: no .o files", vdir.display());
    }
    let mut a = strs(&["-m", "wasm32", &format!("-L{WASI_LIB_DIR}"), &format!("{WASI_LIB_DIR}/crt1-{crt}.o")]);
    if let Some(e) = entry {
        a.push("--entry".into());
        a.push(e);
    }
    a.extend(objs.iter().map(|p| p.display().to_string()));
    if let Some(ar) = archive {
        a.push(vdir.join(ar).display().to_string());
    }
    a.extend(libs);
    a.push("-lc".into());
    a.push(packages::BUILTINS.into());
    Ok(a)
}

// ---------------------------------------------------------------------------
// The synthetic workload

/// One generated file. Each has initialized data, a bss array, a string
/// table, a const table of function pointers (data relocations), static
/// helpers, a few unused functions (for --gc-sections to drop), and a call
/// into the next file.
fn synth_source(k: usize) -> String {
    // Calls go to lower-numbered files only (file 0 calls itself), so a file
    // is the same whatever the number of files.
    let next = k.saturating_sub(1);
    let far = k.saturating_sub(37);
    let h = SYNTH_HELPERS;
    let mut s = String::new();
    let _ = writeln!(s, "/* generated by `cargo xtask bench` (synthetic workload v{SYNTH_VERSION}) */");
    s.push_str("#include <stdio.h>\n#include <string.h>\n#include <stdlib.h>\n\n");
    let _ = writeln!(s, "struct rec_{k} {{ int id; double weight; const char *name; int (*fn)(int); }};");
    let _ = writeln!(s, "int synth_leaf_{next}(int x);");
    if far != next {
        let _ = writeln!(s, "int synth_leaf_{far}(int x);");
    }
    let _ = writeln!(s, "unsigned synth_counter_{k};");
    let _ = writeln!(s, "static int bss_{k}[256];");
    let _ = write!(s, "static int table_{k}[256] = {{");
    for i in 0..256 {
        let _ = write!(s, "{}{}", if i == 0 { "" } else { ", " }, (k * 7919 + i * 104729) % 100003);
    }
    s.push_str("};\n");
    let _ = write!(s, "static const char *const names_{k}[16] = {{");
    for i in 0..16 {
        let _ = write!(s, "{}\"file{k}_name{i}_{}\"", if i == 0 { "" } else { ", " }, "x".repeat((k + i) % 13));
    }
    s.push_str("};\n\n");
    for j in 0..h {
        let _ = writeln!(
            s,
            "static int helper_{k}_{j}(int x) {{\n  int acc = x;\n  for (int i = 0; i < {}; i++) {{\n    \
             acc = acc * 31 + table_{k}[(i + {j}) & 255];\n    bss_{k}[(acc & 0x7fffffff) % 256] += i;\n  }}\n  \
             return acc ^ (int)strlen(names_{k}[{j} & 15]);\n}}\n",
            4 + (k + j) % 9
        );
    }
    let _ = writeln!(s, "static const struct rec_{k} recs_{k}[] = {{");
    for j in 0..h {
        let _ = writeln!(s, "  {{ {j}, {}.{j}5, \"rec{k}_{j}\", helper_{k}_{j} }},", k % 17);
    }
    s.push_str("};\n\n");
    let _ = writeln!(
        s,
        "int synth_leaf_{k}(int x) {{\n  synth_counter_{k}++;\n  return (x * 17 + table_{k}[x & 255]) ^ bss_{k}[x & 255];\n}}\n"
    );
    for u in 0..6 {
        let _ = writeln!(
            s,
            "int synth_unused_{k}_{u}(int x) {{\n  char buf[64];\n  snprintf(buf, sizeof buf, \"%d:%s\", x, names_{k}[{u} & 15]);\n  \
             return (int)strlen(buf) + atoi(buf);\n}}\n"
        );
    }
    let _ = writeln!(
        s,
        "unsigned synth_entry_{k}(int x) {{\n  unsigned sum = 0;\n  char buf[96];\n  \
         for (unsigned i = 0; i < sizeof recs_{k} / sizeof recs_{k}[0]; i++) {{\n    \
         const struct rec_{k} *r = &recs_{k}[i];\n    sum += (unsigned)r->fn(x + r->id);\n    \
         sum += (unsigned)(r->weight * 4.0);\n    \
         snprintf(buf, sizeof buf, \"%s/%u\", r->name, sum & 0xffu);\n    sum += (unsigned)strlen(buf);\n  }}\n  \
         sum += (unsigned)synth_leaf_{next}(x) + (unsigned)synth_leaf_{far}(x + 1);\n  return sum;\n}}"
    );
    s
}

fn synth_main(n: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "/* generated by `cargo xtask bench` (synthetic workload v{SYNTH_VERSION}) */");
    s.push_str("#include <stdio.h>\n\n");
    for k in 0..n {
        let _ = writeln!(s, "unsigned synth_entry_{k}(int x);");
    }
    let _ = writeln!(s, "static unsigned (*const entries[{n}])(int) = {{");
    for k in 0..n {
        let _ = writeln!(s, "  synth_entry_{k},");
    }
    s.push_str("};\n\nint main(void) {\n  unsigned sum = 0;\n");
    let _ = writeln!(s, "  for (int i = 0; i < {n}; i++) sum = sum * 33u + entries[i](i);");
    s.push_str("  printf(\"synthetic checksum %u\\n\", sum);\n  return 0;\n}\n");
    s
}

/// Generates and compiles the synthetic sources (cached: a file is compiled
/// once, for every size); returns the objects of the first `files` in link
/// order, then `main_<files>.o`.
fn synthetic_objects(files: usize) -> Result<Vec<PathBuf>> {
    let dir = workspace_root().join("target/bench/synth");
    let flags = ["--target=wasm32-wasi", "--sysroot=/usr", "-O0", "-g", "-c"];
    let stamp_text = format!("v{SYNTH_VERSION} {CLANG} {}\n", flags.join(" "));
    let mut sources: Vec<(String, String)> = Vec::new();
    let names: Vec<String> = (0..files).map(|k| format!("f{k:04}")).chain([format!("main_{files}")]).collect();
    let cache = ObjectCache::open(&dir, &stamp_text)?;
    for (k, n) in names.iter().enumerate() {
        if !cache.has(n) {
            sources.push((n.clone(), if k < files { synth_source(k) } else { synth_main(files) }));
        }
    }
    cache.compile(CLANG, &flags, "c", &sources)?;
    Ok(names.iter().map(|n| cache.object(n)).collect())
}

/// A directory of generated sources and their objects, valid while its
/// `stamp` (generator version, compiler and flags) is unchanged.
struct ObjectCache {
    dir: PathBuf,
}

impl ObjectCache {
    /// Opens `dir`, emptying it when its stamp differs from `stamp_text`.
    fn open(dir: &Path, stamp_text: &str) -> Result<ObjectCache> {
        let stamp = dir.join("stamp");
        if !std::fs::read_to_string(&stamp).is_ok_and(|s| s == stamp_text) {
            let _ = std::fs::remove_dir_all(dir);
            std::fs::create_dir_all(dir)?;
            std::fs::write(&stamp, stamp_text)?;
        }
        Ok(ObjectCache { dir: dir.to_path_buf() })
    }

    fn object(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.o"))
    }

    fn has(&self, name: &str) -> bool {
        self.object(name).exists()
    }

    /// Writes each `(name, source)` as `name.<ext>` and compiles it into
    /// `name.o`, on all cores. An object appears only when its compile
    /// succeeded (written to a temporary name, then renamed).
    fn compile(&self, compiler: &str, flags: &[&str], ext: &str, sources: &[(String, String)]) -> Result<()> {
        if sources.is_empty() {
            return Ok(());
        }
        eprintln!("bench: generating and compiling {} files into {} (once)", sources.len(), self.dir.display());
        let t0 = Instant::now();
        for (n, src) in sources {
            std::fs::write(self.dir.join(format!("{n}.{ext}")), src)?;
        }
        let jobs = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let errors: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|sc| {
            for _ in 0..jobs {
                sc.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((n, _)) = sources.get(i) else { break };
                    let tmp = self.dir.join(format!("{n}.o.tmp"));
                    let out = Command::new(compiler)
                        .args(flags)
                        .arg(self.dir.join(format!("{n}.{ext}")))
                        .arg("-o")
                        .arg(&tmp)
                        .stdin(Stdio::null())
                        .output();
                    let err = match out {
                        Ok(o) if o.status.success() => {
                            std::fs::rename(&tmp, self.object(n)).err().map(|e| e.to_string())
                        }
                        Ok(o) => Some(format!("{n}.{ext}: {}", String::from_utf8_lossy(&o.stderr))),
                        Err(e) => Some(format!("running {compiler}: {e}")),
                    };
                    if let Some(e) = err {
                        errors.lock().unwrap().push(e);
                    }
                });
            }
        });
        let errors = errors.into_inner().unwrap();
        if !errors.is_empty() {
            bail!("compiling generated sources failed:\n{}", errors.join("\n"));
        }
        eprintln!("bench: compiled in {:.1} s", t0.elapsed().as_secs_f64());
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Measuring

#[derive(Clone, Copy, PartialEq)]
enum Which {
    WasmLd,
    Wasmlink,
}

struct Linker {
    which: Which,
    label: &'static str,
    /// Used in output file names.
    tag: &'static str,
    path: PathBuf,
}

#[derive(Default)]
struct Measured {
    /// Wall time of each timed run, in round order.
    times: Vec<Duration>,
    /// User + system CPU time of each timed run (of the child, all threads).
    cpu: Vec<Duration>,
    size: u64,
    peak_rss_kb: Option<u64>,
    /// `Some(true/false)` if wasm-validate ran.
    valid: Option<bool>,
    validate_error: Option<String>,
    /// (exit status, stdout) of the wasmtime run, for runnable workloads.
    run: Option<std::result::Result<(i32, String), String>>,
}

impl Measured {
    fn sorted_ms(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.times.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v
    }
    fn min_ms(&self) -> f64 {
        self.sorted_ms()[0]
    }
    fn median_ms(&self) -> f64 {
        let v = self.sorted_ms();
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    }
    fn max_ms(&self) -> f64 {
        *self.sorted_ms().last().unwrap()
    }
    fn median_cpu_ms(&self) -> f64 {
        median(self.cpu.iter().map(|d| d.as_secs_f64() * 1e3).collect())
    }
}

/// The median of `v` (NaN when empty).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => v[n / 2],
        _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

struct WorkloadResult {
    workload: Workload,
    /// Time spent in the warm-up and the output checks (not measured).
    check_time: Duration,
    /// Set when a linker failed (then `ld`/`wl` hold no times).
    error: Option<String>,
    ld: Measured,
    wl: Measured,
}

impl WorkloadResult {
    fn ratio_median(&self) -> Option<f64> {
        (self.error.is_none()).then(|| self.ld.median_ms() / self.wl.median_ms())
    }
    fn ratio_min(&self) -> Option<f64> {
        (self.error.is_none()).then(|| self.ld.min_ms() / self.wl.min_ms())
    }
    /// wasm-ld-22 / wasmlink wall time of each round (both ran back to back).
    fn pair_ratios(&self) -> Vec<f64> {
        let mut v: Vec<f64> =
            self.ld.times.iter().zip(&self.wl.times).map(|(a, b)| a.as_secs_f64() / b.as_secs_f64()).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v
    }
    /// Median of the pairwise ratios, and their smallest and largest.
    fn pair_ratio(&self) -> Option<(f64, f64, f64)> {
        let v = self.pair_ratios();
        (self.error.is_none() && !v.is_empty()).then(|| (median(v.clone()), v[0], v[v.len() - 1]))
    }
    fn outputs_ok(&self) -> bool {
        let run_ok = match (&self.ld.run, &self.wl.run) {
            (Some(Ok(a)), Some(Ok(b))) => a == b,
            (None, None) => true,
            _ => false,
        };
        self.error.is_none() && self.ld.valid != Some(false) && self.wl.valid != Some(false) && run_ok
    }
}

fn link_command(l: &Linker, w: &Workload, out: &Path, threads: Option<u32>) -> Command {
    let mut c = Command::new(&l.path);
    c.args(&w.args);
    if w.writes_output {
        if let Some(n) = threads {
            c.arg(format!("--threads={n}"));
        }
        c.arg("-o").arg(out);
    }
    c.stdin(Stdio::null());
    c
}

/// One timed run, output discarded: wall clock from spawn to exit, and the
/// child's user + system CPU time (the growth of `RUSAGE_CHILDREN`, which
/// counts every waited-for child, so nothing else may be waited for
/// meanwhile: the bench runs one process at a time).
fn timed_run(l: &Linker, w: &Workload, out: &Path, threads: Option<u32>) -> Result<(Duration, Duration)> {
    let mut c = link_command(l, w, out, threads);
    c.stdout(Stdio::null()).stderr(Stdio::null());
    let cpu0 = children_cpu();
    let t0 = Instant::now();
    let st = c.status().with_context(|| format!("running {}", l.path.display()))?;
    let dt = t0.elapsed();
    let cpu = children_cpu().saturating_sub(cpu0);
    if !st.success() {
        bail!("{} failed on {} during a timed run ({st})", l.label, w.name);
    }
    Ok((dt, cpu))
}

/// User + system CPU time of all waited-for children so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// The warm-up run: checks that the link succeeds and shows why when not.
fn warm_up(l: &Linker, w: &Workload, out: &Path, threads: Option<u32>) -> Result<()> {
    let o = link_command(l, w, out, threads).output().with_context(|| format!("running {}", l.path.display()))?;
    if !o.status.success() {
        let err = String::from_utf8_lossy(&o.stderr);
        let head: Vec<&str> = err.lines().take(8).collect();
        bail!("{} failed ({}):\n    {}", l.label, o.status, head.join("\n    "));
    }
    Ok(())
}

/// Peak RSS in KiB of one run under `/usr/bin/time -f %M`.
fn peak_rss(l: &Linker, w: &Workload, out: &Path, threads: Option<u32>, scratch: &Path) -> Option<u64> {
    let link = link_command(l, w, out, threads);
    let report = scratch.join(format!("{}-{}.rss", w.name, l.tag));
    let st = Command::new(GNU_TIME)
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(link.get_program())
        .args(link.get_args())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    if !st.success() {
        return None;
    }
    std::fs::read_to_string(&report).ok()?.lines().last()?.trim().parse().ok()
}

fn validate(wasm: &Path) -> (Option<bool>, Option<String>) {
    if !Path::new(WASM_VALIDATE).exists() {
        return (None, None);
    }
    match Command::new(WASM_VALIDATE).arg(wasm).stdin(Stdio::null()).output() {
        Ok(o) if o.status.success() => (Some(true), None),
        Ok(o) => {
            let msg = String::from_utf8_lossy(&o.stderr).lines().take(4).collect::<Vec<_>>().join(" | ");
            (Some(false), Some(msg))
        }
        Err(_) => (None, None),
    }
}

fn run_once(wasm: &Path) -> std::result::Result<(i32, String), String> {
    let bytes = std::fs::read(wasm).map_err(|e| e.to_string())?;
    match run_wasm::run_command(&bytes) {
        Ok(r) => Ok((r.status, String::from_utf8_lossy(&r.stdout).into_owned())),
        Err(e) => Err(format!("{e:#}").lines().next().unwrap_or("").to_string()),
    }
}

fn bench_workload(w: Workload, linkers: &[Linker; 2], o: &Options, out_dir: &Path, have_time: bool) -> WorkloadResult {
    let name = w.name;
    let out_of = |l: &Linker| out_dir.join(format!("{name}.{}.wasm", l.tag));
    let mut r = WorkloadResult {
        error: None,
        check_time: Duration::ZERO,
        ld: Measured::default(),
        wl: Measured::default(),
        workload: w,
    };
    let w = &r.workload;
    let t0 = Instant::now();
    // Warm-up and checks.
    let mut errors = Vec::new();
    for l in linkers {
        if let Err(e) = warm_up(l, w, &out_of(l), o.threads) {
            errors.push(format!("{e:#}"));
        }
    }
    if !errors.is_empty() {
        r.error = Some(errors.join("\n"));
        return r;
    }
    for l in linkers.iter().filter(|_| w.writes_output) {
        let out = out_of(l);
        let m = if l.which == Which::WasmLd { &mut r.ld } else { &mut r.wl };
        m.size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        if o.no_check {
            continue;
        }
        (m.valid, m.validate_error) = validate(&out);
        if w.runnable {
            m.run = Some(run_once(&out));
        }
    }
    r.check_time = t0.elapsed();
    // Timed runs, alternating which linker goes first.
    for i in 0..o.runs {
        let order: [&Linker; 2] = if i % 2 == 0 { [&linkers[0], &linkers[1]] } else { [&linkers[1], &linkers[0]] };
        for l in order {
            match timed_run(l, w, &out_of(l), o.threads) {
                Ok((d, cpu)) => {
                    let m = if l.which == Which::WasmLd { &mut r.ld } else { &mut r.wl };
                    m.times.push(d);
                    m.cpu.push(cpu);
                }
                Err(e) => {
                    r.error = Some(format!("{e:#}"));
                    return r;
                }
            }
        }
    }
    if have_time {
        for l in linkers {
            let rss = peak_rss(l, w, &out_of(l), o.threads, out_dir);
            if l.which == Which::WasmLd {
                r.ld.peak_rss_kb = rss;
            } else {
                r.wl.peak_rss_kb = rss;
            }
        }
    }
    r
}

/// `/usr/bin/time` (Debian package `time`), installed if missing. Without
/// it the peak RSS column is left empty.
fn ensure_gnu_time() -> bool {
    if Path::new(GNU_TIME).exists() {
        return true;
    }
    eprintln!("bench: {GNU_TIME} missing; installing the Debian package `time` (for peak RSS)");
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends", "time"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    if !install() {
        let _ = Command::new("apt-get").args(["update", "-qq"]).status();
        install();
    }
    let ok = Path::new(GNU_TIME).exists();
    if !ok {
        eprintln!("bench: could not install `time`; peak RSS will not be measured");
    }
    ok
}

// ---------------------------------------------------------------------------
// Reporting

fn fmt_ms(ms: f64) -> String {
    if ms >= 100.0 {
        format!("{ms:.0}")
    } else if ms >= 10.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.2}")
    }
}

fn fmt_size(b: u64) -> String {
    if b >= 1 << 20 {
        format!("{:.2}M", b as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.1}K", b as f64 / 1024.0)
    }
}

fn fmt_rss(kb: Option<u64>) -> String {
    match kb {
        Some(k) => format!("{:.0}M", k as f64 / 1024.0),
        None => "-".into(),
    }
}

fn print_table(results: &[WorkloadResult]) {
    let header = [
        "workload",
        "wasm-ld-22 med ms",
        "wasmlink med ms",
        "ratio: med of pairs (range)",
        "CPU ms ld / wl",
        "peak RSS ld / wl",
        "size ld / wl",
        "check",
    ];
    let mut rows: Vec<[String; 8]> = Vec::new();
    for r in results {
        if r.error.is_some() {
            let mut row: [String; 8] = std::array::from_fn(|_| "-".to_string());
            row[0] = r.workload.name.to_string();
            row[7] = "LINK FAILED".into();
            rows.push(row);
            continue;
        }
        let check = if !r.outputs_ok() {
            "MISMATCH/INVALID".to_string()
        } else if !r.workload.writes_output {
            "-".to_string()
        } else if r.ld.valid.is_none() {
            "ok (not validated)".to_string()
        } else {
            "ok".to_string()
        };
        let (pmed, plo, phi) = r.pair_ratio().unwrap_or((f64::NAN, f64::NAN, f64::NAN));
        rows.push([
            r.workload.name.to_string(),
            fmt_ms(r.ld.median_ms()),
            fmt_ms(r.wl.median_ms()),
            format!("{pmed:.2}x ({plo:.2}-{phi:.2})"),
            format!("{} / {}", fmt_ms(r.ld.median_cpu_ms()), fmt_ms(r.wl.median_cpu_ms())),
            format!("{} / {}", fmt_rss(r.ld.peak_rss_kb), fmt_rss(r.wl.peak_rss_kb)),
            if r.workload.writes_output {
                format!("{} / {}", fmt_size(r.ld.size), fmt_size(r.wl.size))
            } else {
                "-".into()
            },
            check,
        ]);
    }
    let mut width = header.map(str::len);
    for row in &rows {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(width).enumerate() {
            if i == 0 {
                let _ = write!(s, "{c:<w$}");
            } else {
                let _ = write!(s, "  {c:>w$}");
            }
        }
        println!("{}", s.trim_end());
    };
    line(&header.map(String::from));
    line(&width.map(|w| "-".repeat(w)));
    for row in &rows {
        line(row);
    }
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn json_f(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "null".into()
    }
}

fn json_opt<T: std::fmt::Display>(x: Option<T>) -> String {
    x.map_or("null".into(), |v| v.to_string())
}

fn json_measured(m: &Measured, ok: bool) -> String {
    let mut s = String::from("{");
    if ok {
        let times: Vec<String> = m.times.iter().map(|d| json_f(d.as_secs_f64() * 1e3)).collect();
        let _ = write!(
            s,
            "\"times_ms\": [{}], \"cpu_ms\": [{}], \"min_ms\": {}, \"median_ms\": {}, \"max_ms\": {}, \
             \"median_cpu_ms\": {}, ",
            times.join(", "),
            m.cpu.iter().map(|d| json_f(d.as_secs_f64() * 1e3)).collect::<Vec<_>>().join(", "),
            json_f(m.min_ms()),
            json_f(m.median_ms()),
            json_f(m.max_ms()),
            json_f(m.median_cpu_ms())
        );
    }
    let _ = write!(
        s,
        "\"output_bytes\": {}, \"peak_rss_kib\": {}, \"valid\": {}",
        m.size,
        json_opt(m.peak_rss_kb),
        json_opt(m.valid)
    );
    if let Some(e) = &m.validate_error {
        let _ = write!(s, ", \"validate_error\": {}", json_str(e));
    }
    match &m.run {
        Some(Ok((status, stdout))) => {
            let _ = write!(s, ", \"run\": {{\"exit_status\": {status}, \"stdout_bytes\": {}}}", stdout.len());
        }
        Some(Err(e)) => {
            let _ = write!(s, ", \"run\": {{\"error\": {}}}", json_str(e));
        }
        None => {}
    }
    s.push('}');
    s
}

fn command_stdout(cmd: &mut Command) -> Option<String> {
    let o = cmd.stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    o.status.success().then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

fn git_revision() -> Option<String> {
    let root = workspace_root();
    let rev = command_stdout(Command::new("git").arg("-C").arg(&root).args(["rev-parse", "--short", "HEAD"]))?;
    let dirty = command_stdout(Command::new("git").arg("-C").arg(&root).args([
        "status",
        "--porcelain",
        "--untracked-files=no",
    ]))
    .is_some_and(|s| !s.is_empty());
    Some(if dirty { format!("{rev}-dirty") } else { rev })
}

fn results_json(results: &[WorkloadResult], o: &Options, linkers: &[Linker; 2], total: Duration) -> String {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let version =
        |p: &Path| command_stdout(Command::new(p).arg("--version")).map(|v| v.lines().next().unwrap_or("").to_string());
    let mut s = String::from("{\n");
    let _ = writeln!(s, "  \"unix_time\": {now},");
    let _ = writeln!(s, "  \"cores\": {cores},");
    let _ = writeln!(s, "  \"runs\": {},", o.runs);
    let _ = writeln!(s, "  \"threads\": {},", json_opt(o.threads));
    let _ = writeln!(s, "  \"total_seconds\": {},", json_f(total.as_secs_f64()));
    let _ = writeln!(s, "  \"ratio\": \"wasm-ld-22 time / wasmlink time; > 1 means wasmlink is faster\",");
    let _ = writeln!(s, "  \"git_revision\": {},", git_revision().map_or("null".into(), |r| json_str(&r)));
    let _ = writeln!(s, "  \"linkers\": {{");
    for (i, l) in linkers.iter().enumerate() {
        let _ = writeln!(
            s,
            "    {}: {{\"path\": {}, \"version\": {}}}{}",
            json_str(l.tag),
            json_str(&l.path.display().to_string()),
            version(&l.path).map_or("null".into(), |v| json_str(&v)),
            if i + 1 < linkers.len() { "," } else { "" }
        );
    }
    s.push_str("  },\n  \"workloads\": [\n");
    for (i, r) in results.iter().enumerate() {
        let ok = r.error.is_none();
        let args: Vec<String> = r.workload.args.iter().map(|a| json_str(a)).collect();
        s.push_str("    {\n");
        let _ = writeln!(s, "      \"name\": {},", json_str(r.workload.name));
        let _ = writeln!(s, "      \"description\": {},", json_str(r.workload.description));
        let _ = writeln!(s, "      \"args\": [{}],", args.join(", "));
        let _ = writeln!(s, "      \"error\": {},", r.error.as_deref().map_or("null".into(), json_str));
        let _ = writeln!(s, "      \"outputs_ok\": {},", r.outputs_ok());
        let _ = writeln!(s, "      \"ratio_median\": {},", r.ratio_median().map_or("null".into(), json_f));
        let _ = writeln!(s, "      \"ratio_min\": {},", r.ratio_min().map_or("null".into(), json_f));
        let pairs: Vec<String> = r.pair_ratios().into_iter().map(json_f).collect();
        let _ = writeln!(s, "      \"pair_ratios_sorted\": [{}],", pairs.join(", "));
        let _ = writeln!(
            s,
            "      \"pair_ratio_median\": {},",
            r.pair_ratio().map_or("null".into(), |(m, _, _)| json_f(m))
        );
        let _ = writeln!(s, "      \"wasm-ld-22\": {},", json_measured(&r.ld, ok));
        let _ = writeln!(s, "      \"wasmlink\": {}", json_measured(&r.wl, ok));
        let _ = writeln!(s, "    }}{}", if i + 1 < results.len() { "," } else { "" });
    }
    s.push_str("  ]\n}\n");
    s
}

// ---------------------------------------------------------------------------

pub fn run(args: &[String]) -> Result<()> {
    let o = parse_args(args)?;
    let defs: Vec<WorkloadDef> = workload_defs().into_iter().filter(|d| selected(d, &o)).collect();
    if o.list {
        for d in workload_defs() {
            let tier = match d.tier {
                Tier::Quick => "quick",
                Tier::Default => "default",
                Tier::Big => "big",
            };
            println!("{:<28} {tier:<8} {}", d.name, d.description);
        }
        return Ok(());
    }
    if defs.is_empty() {
        bail!("no workload matches {:?} (see --list)", o.filters);
    }
    packages::ensure()?;
    let have_time = ensure_gnu_time();
    let wasmlink = match &o.wasmlink {
        Some(p) if p.exists() => std::path::absolute(p)?,
        Some(p) => bail!("--wasmlink {}: no such file", p.display()),
        None => build_wasmlink()?,
    };
    if !Path::new(WASM_LD).exists() {
        bail!("{WASM_LD} is not installed");
    }
    let linkers = [
        Linker { which: Which::WasmLd, label: "wasm-ld-22", tag: "wasm-ld-22", path: PathBuf::from(WASM_LD) },
        Linker { which: Which::Wasmlink, label: "wasmlink", tag: "wasmlink", path: wasmlink },
    ];
    let t_start = Instant::now();
    let out_dir = workspace_root().join("target/bench/out");
    std::fs::create_dir_all(&out_dir)?;
    if !Path::new(WASM_VALIDATE).exists() {
        eprintln!("bench: {WASM_VALIDATE} (wabt) not installed; outputs will not be validated");
    }

    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    println!(
        "bench: {} runs per linker per workload after 1 warm-up, {cores} cores, threads: {}",
        o.runs,
        o.threads.map_or("linker default (all cores)".to_string(), |n| format!("--threads={n} for both")),
    );
    let mut results = Vec::new();
    for d in &defs {
        let w = prepare(d).with_context(|| format!("preparing workload {}", d.name))?;
        eprint!("bench: {} ...", w.name);
        let t0 = Instant::now();
        let r = bench_workload(w, &linkers, &o, &out_dir, have_time);
        match &r.error {
            Some(e) => eprintln!(" FAILED\n    {}", e.replace('\n', "\n    ")),
            None => eprintln!(
                " {:.1} s (warm-up and output checks {:.1} s)",
                t0.elapsed().as_secs_f64(),
                r.check_time.as_secs_f64()
            ),
        }
        results.push(r);
    }
    let total = t_start.elapsed();

    println!();
    print_table(&results);
    println!();
    println!(
        "ratio = wasm-ld-22 / wasmlink wall time of each round (both linkers back to back): median and range \
         over the rounds; > 1 means wasmlink is faster. CPU = user + sys of the linker process, median."
    );
    let mut problems = Vec::new();
    for r in &results {
        if let Some(e) = &r.error {
            problems.push(format!("{}: link failed: {}", r.workload.name, e.lines().next().unwrap_or("")));
            continue;
        }
        for (label, m) in [("wasm-ld-22", &r.ld), ("wasmlink", &r.wl)] {
            if let Some(e) = &m.validate_error {
                problems.push(format!("{}: {label} output is invalid: {e}", r.workload.name));
            }
            if let Some(Err(e)) = &m.run {
                problems.push(format!("{}: running the {label} output failed: {e}", r.workload.name));
            }
        }
        if let (Some(Ok(a)), Some(Ok(b))) = (&r.ld.run, &r.wl.run) {
            if a != b {
                problems.push(format!(
                    "{}: outputs behave differently (wasm-ld-22: exit {}, {} bytes of stdout; wasmlink: exit {}, {} bytes)",
                    r.workload.name,
                    a.0,
                    a.1.len(),
                    b.0,
                    b.1.len()
                ));
            }
        }
    }
    let json_path = workspace_root().join("target/bench/results.json");
    std::fs::write(&json_path, results_json(&results, &o, &linkers, total))?;
    println!("wrote {} (total {:.0} s)", json_path.display(), total.as_secs_f64());
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("bench: {p}");
        }
        bail!("{} problem(s) with the benchmarked links", problems.len());
    }
    Ok(())
}
