//! Shared helpers for the wasmlink integration tests: locating the linker and
//! the wasi toolchain, parsing `testdata/c/<case>/case.txt`, building the link
//! line, running processes with a timeout, and running linked modules under
//! wasmtime with WASI preview1.
//!
//! Environment variables understood by the tests:
//! - `WASMLINK_TEST_LINKER`: path of the linker under test (default: the
//!   `wasmlink` binary built by cargo).
//! - `WASMLINK_REQUIRE_TOOLCHAIN=1`: a missing wasi-libc / clang-19 /
//!   wasm-ld-22 is a test failure instead of a skip (or of a comparison left
//!   out).
//! - `WASMLINK_KEEP_TMP=1`: keep the scratch directories (their paths are
//!   printed) instead of deleting them.

#![allow(dead_code)]

pub mod module_facts;

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use wasmtime::{Config, Engine, Linker, Module, OptLevel, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{I32Exit, WasiCtxBuilder};

/// The reference linker the outputs are compared against, when installed.
pub const WASM_LD_22: &str = "/usr/bin/wasm-ld-22";
/// The wasi sysroot library directory used by every link line.
pub const WASI_LIB_DIR: &str = "/usr/lib/wasm32-wasi";
/// The compiler-rt builtins archive placed last on every link line.
pub const BUILTINS: &str = "/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a";
pub const CLANG: &str = "/usr/bin/clang-19";
pub const CLANGXX: &str = "/usr/bin/clang++-19";

/// Both compiled variants of every case.
pub const VARIANTS: [&str; 2] = ["O2", "O0g"];

/// How long one linker (or clang) process may run before it is killed.
pub const PROCESS_TIMEOUT: Duration = Duration::from_secs(120);
/// How long one wasm program may run (wall clock, via epoch interruption).
pub const RUN_TIMEOUT: Duration = Duration::from_secs(60);
/// Linear memory limit for one wasm program.
const MEMORY_LIMIT: usize = 1 << 30;
/// Capacity of the stdout / stderr capture pipes.
const PIPE_CAPACITY: usize = 64 << 20;

// ---------------------------------------------------------------------------
// Locations

/// The repository root (the workspace directory).
pub fn repo_root() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    p.canonicalize().unwrap_or(p)
}

pub fn testdata() -> PathBuf {
    repo_root().join("testdata")
}

/// The linker under test: `$WASMLINK_TEST_LINKER`, or the cargo-built binary.
/// Always an absolute path (clang's `-fuse-ld=` needs one).
pub fn linker_under_test() -> PathBuf {
    let p = match std::env::var_os("WASMLINK_TEST_LINKER") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_wasmlink")),
    };
    let p = if p.is_absolute() { p } else { std::env::current_dir().unwrap().join(p) };
    assert!(p.exists(), "linker under test does not exist: {}", p.display());
    p
}

/// wasm-ld-22, if installed. When it is not, fails the test under
/// `WASMLINK_REQUIRE_TOOLCHAIN=1` (a comparison must not be skipped
/// silently in CI); otherwise returns `None` and the caller notes the skip.
pub fn reference_linker() -> Option<PathBuf> {
    let p = PathBuf::from(WASM_LD_22);
    if p.exists() {
        return Some(p);
    }
    assert!(!require_toolchain(), "{WASM_LD_22} is not installed (and WASMLINK_REQUIRE_TOOLCHAIN=1 is set)");
    None
}

fn require_toolchain() -> bool {
    std::env::var("WASMLINK_REQUIRE_TOOLCHAIN").is_ok_and(|v| v == "1")
}

/// Either fails the test (when `WASMLINK_REQUIRE_TOOLCHAIN=1`) or prints a
/// `SKIPPED:` line to stderr. Returns normally only in the skip case.
pub fn skip(test: &str, reason: &str) {
    if require_toolchain() {
        panic!("{test}: {reason} (and WASMLINK_REQUIRE_TOOLCHAIN=1 is set)");
    }
    uncaptured_note(&format!("SKIPPED: {reason} [{test}]"));
}

/// Prints a line on the real stderr. `eprintln!` output is captured by the
/// test harness (and hidden for passing tests); skips should be visible.
pub fn uncaptured_note(line: &str) {
    use std::io::Write as _;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Checks that wasi-libc, the crt files and the builtins archive are
/// installed. When they are not, prints a `SKIPPED:` line and returns false
/// (or panics under `WASMLINK_REQUIRE_TOOLCHAIN=1`).
pub fn wasi_toolchain_ready(test: &str) -> bool {
    let libc = Path::new(WASI_LIB_DIR).join("libc.a");
    if !libc.exists() {
        skip(test, &format!("wasi-libc not installed ({WASI_LIB_DIR})"));
        return false;
    }
    for f in [format!("{WASI_LIB_DIR}/crt1-command.o"), format!("{WASI_LIB_DIR}/crt1-reactor.o"), BUILTINS.to_string()]
    {
        if !Path::new(&f).exists() {
            skip(test, &format!("{f} not installed"));
            return false;
        }
    }
    true
}

/// Checks that a clang driver is installed; prints `SKIPPED:` if not.
pub fn clang_ready(test: &str, clang: &str) -> bool {
    if Path::new(clang).exists() {
        true
    } else {
        skip(test, &format!("{clang} not installed"));
        false
    }
}

// ---------------------------------------------------------------------------
// Scratch directories

/// A temporary directory under cargo's per-target tmp dir. Removed on drop
/// unless `WASMLINK_KEEP_TMP=1`.
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        std::fs::create_dir_all(&base).unwrap();
        let mut dir = tempfile::Builder::new()
            .prefix(&format!("{tag}-"))
            .tempdir_in(&base)
            .unwrap_or_else(|e| panic!("creating a temp dir in {}: {e}", base.display()));
        if std::env::var("WASMLINK_KEEP_TMP").is_ok_and(|v| v == "1") {
            dir.disable_cleanup(true);
            eprintln!("keeping scratch dir {}", dir.path().display());
        }
        Scratch { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The names of the entries of the directory, sorted.
    pub fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

// ---------------------------------------------------------------------------
// case.txt

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Crt {
    Command,
    Reactor,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    /// `c` or `c++`.
    pub lang: String,
    pub crt: Crt,
    /// Extra `-l` flags placed before `-lc`.
    pub libs: Vec<String>,
    /// `--entry` value (reactors).
    pub entry: Option<String>,
    /// Export to call after `_initialize` (reactors), `() -> i32`.
    pub call: Option<String>,
    /// Host import `(module, name)`, `(i32, i32) -> i32` returning a + b.
    pub host: Option<(String, String)>,
    /// File name of the archive (`libNAME.a`), if any.
    pub archive: Option<String>,
}

impl Case {
    pub fn load(name: &str) -> Case {
        let dir = testdata().join("c").join(name);
        let path = dir.join("case.txt");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        Case::parse(name, dir, &text)
    }

    pub fn parse(name: &str, dir: PathBuf, text: &str) -> Case {
        let mut keys: HashMap<String, String> = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) =
                line.split_once('=').unwrap_or_else(|| panic!("{name}/case.txt:{}: no '=' in {line:?}", i + 1));
            let k = k.trim().to_string();
            let v = v.trim().to_string();
            assert!(
                matches!(k.as_str(), "lang" | "crt" | "libs" | "entry" | "call" | "host" | "archive" | "pic"),
                "{name}/case.txt:{}: unknown key {k:?}",
                i + 1
            );
            assert!(keys.insert(k.clone(), v).is_none(), "{name}/case.txt: duplicate key {k:?}");
        }
        let get = |k: &str| keys.get(k).filter(|v| !v.is_empty()).cloned();
        let lang = get("lang").unwrap_or_else(|| panic!("{name}/case.txt: no lang"));
        assert!(lang == "c" || lang == "c++", "{name}: bad lang {lang:?}");
        let crt = match get("crt").as_deref() {
            Some("command") => Crt::Command,
            Some("reactor") => Crt::Reactor,
            other => panic!("{name}/case.txt: bad crt {other:?}"),
        };
        let libs = get("libs").map(|s| s.split_whitespace().map(str::to_string).collect()).unwrap_or_default();
        let host = get("host").map(|h| {
            let (m, f) =
                h.split_once('.').unwrap_or_else(|| panic!("{name}/case.txt: host must be MODULE.NAME, got {h:?}"));
            (m.to_string(), f.to_string())
        });
        let archive = get("archive").map(|a| {
            let (file, _members) =
                a.split_once(':').unwrap_or_else(|| panic!("{name}/case.txt: archive must be 'libX.a: m...'"));
            file.trim().to_string()
        });
        let case = Case {
            name: name.to_string(),
            dir,
            lang,
            crt,
            libs,
            entry: get("entry"),
            call: get("call"),
            host,
            archive,
        };
        if case.crt == Crt::Reactor {
            assert!(case.call.is_some(), "{name}: reactor without call");
        }
        case
    }

    pub fn variant_dir(&self, variant: &str) -> PathBuf {
        self.dir.join(variant)
    }

    pub fn crt_path(&self) -> PathBuf {
        let crt = match self.crt {
            Crt::Command => "command",
            Crt::Reactor => "reactor",
        };
        Path::new(WASI_LIB_DIR).join(format!("crt1-{crt}.o"))
    }

    /// The loose `.o` files of a variant, sorted by name, then the archive if
    /// the case has one (absolute paths).
    pub fn inputs(&self, variant: &str) -> Vec<PathBuf> {
        let vdir = self.variant_dir(variant);
        let mut objs: Vec<PathBuf> = Vec::new();
        let mut archives: Vec<PathBuf> = Vec::new();
        for e in std::fs::read_dir(&vdir).unwrap_or_else(|e| panic!("reading {}: {e}", vdir.display())) {
            let p = e.unwrap().path();
            match p.extension().and_then(OsStr::to_str) {
                Some("o") => objs.push(p),
                Some("a") => archives.push(p),
                _ => {}
            }
        }
        objs.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        assert!(!objs.is_empty(), "{}: no .o files", vdir.display());
        match &self.archive {
            Some(a) => {
                let p = vdir.join(a);
                assert!(archives.contains(&p), "{}: archive {a} named in case.txt is missing", vdir.display());
                assert_eq!(archives.len(), 1, "{}: more than one .a", vdir.display());
                objs.push(p);
            }
            None => assert!(archives.is_empty(), "{}: .a present but case.txt has no archive line", vdir.display()),
        }
        objs
    }

    /// The full wasm-ld style link line (without the linker itself).
    pub fn link_args(&self, variant: &str, out: &Path) -> Vec<OsString> {
        let mut a: Vec<OsString> =
            vec!["-m".into(), "wasm32".into(), format!("-L{WASI_LIB_DIR}").into(), self.crt_path().into()];
        if let Some(e) = &self.entry {
            a.push("--entry".into());
            a.push(e.into());
        }
        for i in self.inputs(variant) {
            a.push(i.into());
        }
        for l in &self.libs {
            a.push(l.into());
        }
        a.push("-lc".into());
        a.push(BUILTINS.into());
        a.push("-o".into());
        a.push(out.into());
        a
    }

    /// The clang driver for this case's language.
    pub fn clang_driver(&self) -> &'static str {
        if self.lang == "c++" {
            CLANGXX
        } else {
            CLANG
        }
    }
}

// ---------------------------------------------------------------------------
// Processes

#[derive(Debug)]
pub struct ProcOutput {
    /// `None` if the process was killed by a signal (or timed out).
    pub code: Option<i32>,
    pub status: Option<ExitStatus>,
    pub timed_out: bool,
    /// The time limit the process ran under.
    pub timeout: Duration,
    pub stdout: String,
    pub stderr: String,
    pub cmdline: String,
}

impl ProcOutput {
    pub fn describe(&self) -> String {
        let status = if self.timed_out {
            format!("timed out after {:?} (killed)", self.timeout)
        } else {
            match self.status {
                Some(s) => s.to_string(),
                None => "unknown".into(),
            }
        };
        format!(
            "command: {}\nstatus: {status}\n--- stdout ---\n{}\n--- stderr ---\n{}\n---",
            self.cmdline, self.stdout, self.stderr
        )
    }
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=+,:@%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A printable, copy-pasteable command line.
pub fn cmdline(cmd: &Command) -> String {
    let mut s = String::new();
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => {
                let _ = write!(s, "{}={} ", k.to_string_lossy(), shell_quote(&v.to_string_lossy()));
            }
            None => {
                let _ = write!(s, "-u {} ", k.to_string_lossy());
            }
        }
    }
    s.push_str(&shell_quote(&cmd.get_program().to_string_lossy()));
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&shell_quote(&a.to_string_lossy()));
    }
    if let Some(d) = cmd.get_current_dir() {
        let _ = write!(s, "   (in {})", d.display());
    }
    s
}

/// Runs `cmd` to completion (stdin closed), killing it after
/// [`PROCESS_TIMEOUT`].
pub fn run_process(cmd: &mut Command) -> ProcOutput {
    run_process_with_timeout(cmd, PROCESS_TIMEOUT)
}

/// Runs `cmd` to completion (stdin closed), killing it after `timeout`.
pub fn run_process_with_timeout(cmd: &mut Command, timeout: Duration) -> ProcOutput {
    let line = cmdline(cmd);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot spawn {line}: {e}"));
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err_pipe.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let mut nap = Duration::from_micros(100);
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) => {}
            Err(e) => panic!("waiting for {line}: {e}"),
        }
        if start.elapsed() > timeout {
            timed_out = true;
            // Our own child, by its handle.
            let _ = child.kill();
            break child.wait().ok();
        }
        std::thread::sleep(nap);
        nap = (nap * 2).min(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&out_t.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err_t.join().unwrap()).into_owned();
    ProcOutput {
        code: if timed_out { None } else { status.and_then(|s| s.code()) },
        status,
        timed_out,
        timeout,
        stdout,
        stderr,
        cmdline: line,
    }
}

/// Runs `linker args...`.
pub fn run_linker<I, S>(linker: &Path, args: I) -> ProcOutput
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_process(Command::new(linker).args(args))
}

/// Links `case`/`variant` with `linker` into `out` and returns the bytes.
/// Panics with the command line and the linker's output if it fails.
pub fn link_case(linker: &Path, case: &Case, variant: &str, out: &Path) -> Vec<u8> {
    let res = run_linker(linker, case.link_args(variant, out));
    finish_link(res, &format!("{}/{variant}", case.name), out)
}

/// Links `case`/`variant` through the clang driver with
/// `-fuse-ld=<linker>`.
pub fn link_case_with_clang(linker: &Path, case: &Case, variant: &str, out: &Path) -> Vec<u8> {
    let mut cmd = Command::new(case.clang_driver());
    cmd.arg("--target=wasm32-wasi").arg("--sysroot=/usr");
    if case.lang == "c++" {
        cmd.arg("-fno-exceptions");
    }
    if case.crt == Crt::Reactor {
        cmd.arg("-mexec-model=reactor");
    }
    let mut fuse = OsString::from("-fuse-ld=");
    fuse.push(linker);
    cmd.arg(fuse);
    cmd.args(case.inputs(variant));
    for l in &case.libs {
        // clang++ adds -lc++ -lc++abi by itself.
        if case.lang == "c++" && (l == "-lc++" || l == "-lc++abi") {
            continue;
        }
        cmd.arg(l);
    }
    cmd.arg("-o").arg(out);
    let res = run_process(&mut cmd);
    finish_link(res, &format!("{}/{variant} (clang driver)", case.name), out)
}

fn finish_link(res: ProcOutput, what: &str, out: &Path) -> Vec<u8> {
    assert!(res.code == Some(0), "{what}: link failed\n{}", res.describe());
    assert!(!res.stderr.contains("panicked"), "{what}: linker panicked (but exited 0?)\n{}", res.describe());
    std::fs::read(out).unwrap_or_else(|e| {
        panic!("{what}: link exited 0 but the output {} is unreadable: {e}\n{}", out.display(), res.describe())
    })
}

// ---------------------------------------------------------------------------
// Validation

/// Validates a linked module with wasmparser. The default feature set (all
/// standardized proposals) is what the wasm-ld output of these programs uses;
/// a linker must not need anything beyond it.
pub fn validate(bytes: &[u8]) -> Result<(), String> {
    validate_with(bytes, wasmparser::WasmFeatures::default())
}

/// [`validate`] with these features enabled (e.g. custom page sizes for
/// `--page-size=1`).
pub fn validate_with(bytes: &[u8], features: wasmparser::WasmFeatures) -> Result<(), String> {
    let mut v = wasmparser::Validator::new_with_features(features);
    v.validate_all(bytes)
        .map(|_| ())
        .map_err(|e| format!("invalid module: {} (at offset {:#x})", e.message(), e.offset()))
}

// ---------------------------------------------------------------------------
// Running under wasmtime

/// What one run of a linked program produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunResult {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// `proc_exit` code, or 0 when `_start` / the reactor calls returned.
    pub exit: i32,
    /// The reactor `call` export's return value.
    pub ret: Option<i32>,
}

impl RunResult {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
    pub fn describe(&self) -> String {
        format!(
            "exit status: {}\nreturn value: {:?}\n--- stdout ---\n{}--- stderr ---\n{}---",
            self.exit,
            self.ret,
            self.stdout_str(),
            self.stderr_str()
        )
    }
}

struct Host {
    wasi: WasiP1Ctx,
    limits: StoreLimits,
}

/// One engine for the whole test binary, with an epoch ticker thread so that
/// a program that loops forever is interrupted.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        // The programs are tiny; compile time dominates.
        config.cranelift_opt_level(OptLevel::None);
        config.epoch_interruption(true);
        let engine = Engine::new(&config).expect("creating the wasmtime engine");
        let ticker = engine.clone();
        std::thread::spawn(move || loop {
            std::thread::sleep(EPOCH_TICK);
            ticker.increment_epoch();
        });
        engine
    })
}

const EPOCH_TICK: Duration = Duration::from_millis(100);

/// Compiles and runs a linked program as described by `case`: a command runs
/// `_start`; a reactor runs `_initialize` then `case.call`, with the `host`
/// import providing `a + b`. Errors (compile failure, missing export, trap,
/// time-out) come back as a message that includes the output so far.
pub fn run_module(bytes: &[u8], case: &Case) -> Result<RunResult, String> {
    let engine = engine();
    let module = Module::new(engine, bytes).map_err(|e| format!("wasmtime rejected the module: {e:?}"))?;

    let stdout = MemoryOutputPipe::new(PIPE_CAPACITY);
    let stderr = MemoryOutputPipe::new(PIPE_CAPACITY);
    let wasi = WasiCtxBuilder::new()
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .args(&[format!("{}.wasm", case.name)])
        .build_p1();
    let limits = StoreLimitsBuilder::new().memory_size(MEMORY_LIMIT).instances(4).build();
    let mut store = Store::new(engine, Host { wasi, limits });
    store.limiter(|h| &mut h.limits);
    store.set_epoch_deadline((RUN_TIMEOUT.as_millis() / EPOCH_TICK.as_millis()) as u64);

    let mut linker: Linker<Host> = Linker::new(engine);
    p1::add_to_linker_sync(&mut linker, |h: &mut Host| &mut h.wasi)
        .map_err(|e| format!("adding WASI to the linker: {e:?}"))?;
    if let Some((m, f)) = &case.host {
        linker
            .func_wrap(m, f, |a: i32, b: i32| -> i32 { a.wrapping_add(b) })
            .map_err(|e| format!("defining host import {m}.{f}: {e:?}"))?;
    }

    let outputs = |exit: i32, ret: Option<i32>| RunResult {
        stdout: stdout.contents().to_vec(),
        stderr: stderr.contents().to_vec(),
        exit,
        ret,
    };
    let failure = |what: String, err: wasmtime::Error| -> String {
        let so_far = outputs(-1, None);
        format!(
            "{what}: {err:?}\n--- stdout so far ---\n{}--- stderr so far ---\n{}---",
            so_far.stdout_str(),
            so_far.stderr_str()
        )
    };
    // Ok(exit code) for a normal return or proc_exit, Err for anything else.
    let exit_of = |what: &str, r: wasmtime::Result<()>| -> Result<Option<i32>, String> {
        match r {
            Ok(()) => Ok(None),
            Err(e) => match e.downcast_ref::<I32Exit>() {
                Some(I32Exit(code)) => Ok(Some(*code)),
                None => Err(failure(format!("{what} trapped"), e)),
            },
        }
    };

    let instance = match linker.instantiate(&mut store, &module) {
        Ok(i) => i,
        Err(e) => return Err(failure("instantiation failed".into(), e)),
    };

    match case.crt {
        Crt::Command => {
            let start = instance
                .get_typed_func::<(), ()>(&mut store, "_start")
                .map_err(|e| failure("no `_start: () -> ()` export".into(), e))?;
            let r = start.call(&mut store, ());
            let code = exit_of("_start", r)?.unwrap_or(0);
            Ok(outputs(code, None))
        }
        Crt::Reactor => {
            let init = instance
                .get_typed_func::<(), ()>(&mut store, "_initialize")
                .map_err(|e| failure("no `_initialize: () -> ()` export".into(), e))?;
            if let Some(code) = exit_of("_initialize", init.call(&mut store, ()))? {
                return Ok(outputs(code, None));
            }
            let name = case.call.as_deref().unwrap();
            let call = instance
                .get_typed_func::<(), i32>(&mut store, name)
                .map_err(|e| failure(format!("no `{name}: () -> i32` export"), e))?;
            let mut ret = None;
            let r = call.call(&mut store, ()).map(|v| ret = Some(v));
            let code = exit_of(name, r)?.unwrap_or(0);
            Ok(outputs(code, ret))
        }
    }
}

/// [`run_module`], memoized on the module bytes (and the case's run
/// parameters) for the whole test binary: identical modules behave
/// identically, and compiling the 1.3 MB C++ programs is the slow part.
pub fn run_module_cached(bytes: &[u8], case: &Case) -> Result<RunResult, String> {
    type Key = (Vec<u8>, Crt, Option<String>, Option<(String, String)>);
    type Slot = Arc<OnceLock<Result<RunResult, String>>>;
    static CACHE: OnceLock<Mutex<HashMap<Key, Slot>>> = OnceLock::new();
    let key: Key = (bytes.to_vec(), case.crt.clone(), case.call.clone(), case.host.clone());
    let slot = {
        let mut map = CACHE.get_or_init(Default::default).lock().unwrap();
        map.entry(key).or_default().clone()
    };
    slot.get_or_init(|| run_module(bytes, case)).clone()
}

// ---------------------------------------------------------------------------
// Comparing runs

/// The first line where two outputs differ, for failure messages.
pub fn first_difference(a: &str, b: &str) -> String {
    let (al, bl): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    for i in 0..al.len().max(bl.len()) {
        let (x, y) = (al.get(i), bl.get(i));
        if x != y {
            return format!(
                "first difference at line {}:\n  wasmlink:  {:?}\n  reference: {:?}",
                i + 1,
                x.copied().unwrap_or("<end of output>"),
                y.copied().unwrap_or("<end of output>")
            );
        }
    }
    if a != b {
        "outputs differ only in trailing newline".into()
    } else {
        "outputs are equal".into()
    }
}

/// Asserts that the program linked by wasmlink behaved like the reference.
pub fn assert_same_run(what: &str, ours: &RunResult, reference: &RunResult) {
    if ours.stdout == reference.stdout && ours.exit == reference.exit && ours.ret == reference.ret {
        return;
    }
    let mut msg = format!("{what}: the wasmlink-linked program behaves differently from the reference\n");
    if ours.stdout != reference.stdout {
        let _ = writeln!(msg, "stdout differs; {}", first_difference(&ours.stdout_str(), &reference.stdout_str()));
    }
    if ours.exit != reference.exit {
        let _ = writeln!(msg, "exit status: wasmlink {} vs reference {}", ours.exit, reference.exit);
    }
    if ours.ret != reference.ret {
        let _ = writeln!(msg, "return value: wasmlink {:?} vs reference {:?}", ours.ret, reference.ret);
    }
    let _ = write!(msg, "===== wasmlink =====\n{}\n===== reference =====\n{}", ours.describe(), reference.describe());
    panic!("{msg}");
}

/// Links `case`/`variant` with the linker under test (`link_ours`), validates
/// and runs the result, and, when wasm-ld-22 is installed, compares with the
/// wasm-ld-22 link (`link_ref`).
pub fn check_variant(
    case: &Case,
    variant: &str,
    label: &str,
    link_ours: &dyn Fn(&Path) -> Vec<u8>,
    link_ref: &dyn Fn(&Path, &Path) -> Vec<u8>,
) {
    let what = format!("{}/{variant}{label}", case.name);
    let scratch = Scratch::new(&format!("e2e-{}-{variant}", case.name));
    // Same file name for both links: wasm-ld records the output's file name
    // as the module name in the "name" section.
    std::fs::create_dir(scratch.join("wasmlink")).unwrap();
    std::fs::create_dir(scratch.join("wasm-ld-22")).unwrap();
    let ours_path = scratch.join("wasmlink/out.wasm");
    let ours = link_ours(&ours_path);
    if let Err(e) = validate(&ours) {
        panic!("{what}: wasmlink output {} does not validate: {e}", ours_path.display());
    }
    let our_run = run_module_cached(&ours, case)
        .unwrap_or_else(|e| panic!("{what}: running the wasmlink output {} failed: {e}", ours_path.display()));

    let Some(wasm_ld) = reference_linker() else {
        uncaptured_note(&format!(
            "NOTE: {what}: {WASM_LD_22} not installed; comparison skipped \
             (wasmlink output validated and ran: exit {}, return {:?})",
            our_run.exit, our_run.ret
        ));
        return;
    };
    let ref_path = scratch.join("wasm-ld-22/out.wasm");
    let theirs = link_ref(&wasm_ld, &ref_path);
    let ref_run = run_module_cached(&theirs, case)
        .unwrap_or_else(|e| panic!("{what}: running the wasm-ld-22 output {} failed: {e}", ref_path.display()));
    assert_same_run(&what, &our_run, &ref_run);
    eprintln!(
        "ok: {what}: exit {}, return {:?}, {} bytes of stdout{}",
        our_run.exit,
        our_run.ret,
        our_run.stdout.len(),
        if ours == theirs { " (output identical to wasm-ld-22)" } else { "" }
    );
}
