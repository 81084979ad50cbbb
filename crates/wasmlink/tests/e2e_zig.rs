//! The `testdata/zig` programs (C, Zig and C++) built by Zig for wasm32-wasi,
//! `-O ReleaseSmall` and `-O Debug`, linked with the exact wasm-ld line zig
//! runs, by wasm-ld-22 and by wasmlink: wasmlink's output must validate and
//! behave like wasm-ld-22's (and like zig's own) in wasmtime.
//!
//! Zig runs lld in-process, so the line is captured, not intercepted: `zig
//! build-exe SRC -target wasm32-wasi -flld -fllvm --verbose-link` prints it on
//! stderr (`wasm-ld --error-limit=0 ... -o OUT crt1-command.o libc.a ...`;
//! the archives live in zig's cache). The line is replayed with only `-o`
//! changed. For a Zig source, zig deletes the module's own object
//! (`*_zcu.o`) after linking, so it is rebuilt with `zig build-obj` (same
//! flags) and substituted into the line.
//!
//! Zig comes from `cargo xtask zig` (run by `cargo xtask test`): the binary
//! named by `$WASMLINK_ZIG`, else `target/zig-venv/bin/zig`; its cache is
//! `$ZIG_GLOBAL_CACHE_DIR`, else `target/zig-cache`. Without zig (or
//! wasm-ld-22) the tests print SKIPPED, or fail under
//! `WASMLINK_REQUIRE_TOOLCHAIN=1`. The first run builds zig's wasi-libc,
//! libc++ and compiler-rt into the cache (about a minute per mode).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::common::*;

/// How long one zig build may take: a cold cache builds wasi-libc or libc++.
const ZIG_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The language of a test program, which decides zig's arguments.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    C,
    Zig,
    Cxx,
}

/// One program of `testdata/zig` and what it must do when run.
struct Program {
    /// File name in `testdata/zig`.
    file: &'static str,
    lang: Lang,
    /// A line its stdout must contain.
    stdout_has: &'static str,
    /// Its exit status.
    exit: i32,
}

const STDIO_C: Program =
    Program { file: "stdio.c", lang: Lang::C, stdout_has: "formatted: [zig| 3.14|ff  |5432] (19 chars)", exit: 3 };
const SORT_ZIG: Program = Program {
    file: "sort.zig",
    lang: Lang::Zig,
    stdout_has: "joined: kiwi+fig+apple+date+cherry+banana+elder",
    exit: 4,
};
const CONTAINERS_CPP: Program = Program { file: "containers.cpp", lang: Lang::Cxx, stdout_has: "square:16", exit: 2 };

/// The zig binary and its cache directory, or `None` (after a SKIPPED note)
/// when zig is not installed.
fn zig(test: &str) -> Option<(PathBuf, PathBuf)> {
    let from_env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let program = from_env("WASMLINK_ZIG").unwrap_or_else(|| repo_root().join("target/zig-venv/bin/zig"));
    let cache = from_env("ZIG_GLOBAL_CACHE_DIR").unwrap_or_else(|| repo_root().join("target/zig-cache"));
    if !program.exists() {
        skip(test, &format!("zig not installed at {} (run `cargo xtask zig`)", program.display()));
        return None;
    }
    Some((program, cache))
}

/// A `zig` command with its caches set.
fn zig_command(zig: &Path, cache: &Path) -> Command {
    let mut cmd = Command::new(zig);
    cmd.env("ZIG_GLOBAL_CACHE_DIR", cache).env("ZIG_LOCAL_CACHE_DIR", cache);
    cmd
}

/// zig's arguments naming the source, libraries and mode (after the
/// subcommand, before the output options).
fn source_args(program: &Program, optimize: &str) -> Vec<OsString> {
    let src = testdata().join("zig").join(program.file);
    let mut a: Vec<OsString> = Vec::new();
    if program.lang == Lang::Cxx {
        a.extend(["-cflags", "-fno-exceptions", "--"].map(OsString::from));
    }
    a.push(src.into());
    match program.lang {
        Lang::C => a.push("-lc".into()),
        Lang::Zig => {}
        Lang::Cxx => a.extend(["-lc", "-lc++"].map(OsString::from)),
    }
    a.extend(["-O", optimize, "-target", "wasm32-wasi", "-fllvm"].map(OsString::from));
    a
}

/// Runs a zig build, panicking with its output if it fails.
fn run_zig(what: &str, cmd: &mut Command) -> ProcOutput {
    let res = run_process_with_timeout(cmd, ZIG_TIMEOUT);
    assert!(res.code == Some(0), "{what}: zig failed\n{}", res.describe());
    res
}

/// Builds `program` with zig, returning the captured wasm-ld line (split
/// into words, `*_zcu.o` replaced by a rebuilt object); zig's own output
/// is left in `zig/out.wasm`.
fn build(test: &str, zig: &Path, cache: &Path, program: &Program, optimize: &str, scratch: &Scratch) -> Vec<String> {
    let zig_out = scratch.join("zig/out.wasm");
    std::fs::create_dir(scratch.join("zig")).unwrap();
    let mut emit = OsString::from("-femit-bin=");
    emit.push(&zig_out);
    let mut cmd = zig_command(zig, cache);
    cmd.current_dir(scratch.path())
        .arg("build-exe")
        .args(source_args(program, optimize))
        .args(["-flld", "--verbose-link"])
        .arg(&emit);
    let res = run_zig(&format!("{test}: zig build-exe"), &mut cmd);
    let lines: Vec<&str> = res.stderr.lines().filter(|l| l.starts_with("wasm-ld ")).collect();
    assert!(lines.len() == 1, "{test}: expected one `wasm-ld` line on zig's stderr\n{}", res.describe());
    let line = lines[0];
    // zig prints the words joined by spaces, unquoted; the paths here have no
    // spaces or quotes, so splitting on spaces is exact.
    assert!(!line.contains(['\'', '"', '\\']), "{test}: quoting in the link line: {line}");
    let mut words: Vec<String> = line.split(' ').map(str::to_string).collect();
    assert!(!words.iter().any(String::is_empty), "{test}: double space in the link line: {line}");

    let zcu: Vec<usize> = (0..words.len()).filter(|&i| words[i].ends_with("_zcu.o")).collect();
    assert_eq!(zcu.len(), usize::from(program.lang == Lang::Zig), "{test}: *_zcu.o inputs: {line}");
    if let Some(&i) = zcu.first() {
        let obj = scratch.join("zcu.o");
        let mut emit = OsString::from("-femit-bin=");
        emit.push(&obj);
        let mut cmd = zig_command(zig, cache);
        cmd.current_dir(scratch.path()).arg("build-obj").args(source_args(program, optimize)).arg(&emit);
        run_zig(&format!("{test}: zig build-obj"), &mut cmd);
        words[i] = obj.to_str().unwrap().to_string();
    }
    eprintln!("{test}: zig's link line: {}", words.join(" "));
    words
}

/// Asserts that the line is zig's, with the options zig passes, so the test
/// shows wasmlink takes it unchanged.
fn check_line(test: &str, words: &[String], program: &Program, optimize: &str) {
    let line = words.join(" ");
    assert_eq!(words[0], "wasm-ld", "{test}: {line}");
    let has = |w: &str| words.iter().any(|x| x == w);
    let has_pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
    for opt in ["--error-limit=0", "--export-memory", "--stack-first", "--build-id=none"] {
        assert!(has(opt), "{test}: zig's link line has no {opt}: {line}");
    }
    assert!(has_pair("--entry", "_start"), "{test}: no `--entry _start`: {line}");
    assert!(has_pair("-z", "stack-size=16777216"), "{test}: no `-z stack-size=16777216`: {line}");
    assert_eq!(has("-s"), optimize == "ReleaseSmall", "{test}: -s (strip) only in ReleaseSmall: {line}");
    assert_eq!(words.iter().filter(|w| *w == "-o").count(), 1, "{test}: one -o: {line}");
    let file = |suffix: &str| words.iter().any(|w| w.ends_with(suffix));
    assert!(file("/libcompiler_rt.a"), "{test}: no libcompiler_rt.a: {line}");
    if program.lang != Lang::Zig {
        for f in ["/crt1-command.o", "/libc.a"] {
            assert!(file(f), "{test}: no {f}: {line}");
        }
    }
    if program.lang == Lang::Cxx {
        for f in ["/libc++.a", "/libc++abi.a"] {
            assert!(file(f), "{test}: no {f}: {line}");
        }
    }
}

/// Replays the captured line with `linker`, only `-o` changed to `out`.
fn replay(test: &str, linker: &Path, words: &[String], out: &Path) -> Vec<u8> {
    let mut args: Vec<OsString> = Vec::new();
    let mut it = words[1..].iter();
    while let Some(w) = it.next() {
        args.push(w.into());
        if w == "-o" {
            it.next();
            args.push(out.into());
        }
    }
    let res = run_linker(linker, &args);
    assert!(res.code == Some(0), "{test}: {} failed on zig's line\n{}", linker.display(), res.describe());
    assert!(!res.stderr.contains("panicked"), "{test}: linker panicked\n{}", res.describe());
    std::fs::read(out).unwrap_or_else(|e| panic!("{test}: reading {}: {e}", out.display()))
}

/// Runs a linked module as a WASI command.
fn run(test: &str, who: &str, bytes: &[u8], path: &Path) -> RunResult {
    let case = Case::parse(test, path.parent().unwrap().to_path_buf(), "lang = c\ncrt = command\n");
    run_module(bytes, &case)
        .unwrap_or_else(|e| panic!("{test}: running the {who} output {} failed: {e}", path.display()))
}

/// Asserts that two runs have the same stdout, stderr and exit status.
fn assert_same(test: &str, ours: &RunResult, who: &str, theirs: &RunResult) {
    assert_same_run(&format!("{test} (vs {who})"), ours, theirs);
    assert!(
        ours.stderr == theirs.stderr,
        "{test}: stderr differs from {who}'s; {}\n===== wasmlink =====\n{}\n===== {who} =====\n{}",
        first_difference(&ours.stderr_str(), &theirs.stderr_str()),
        ours.describe(),
        theirs.describe()
    );
}

/// The whole check for one program and optimize mode.
fn check(program: &Program, optimize: &str) {
    let test = format!("zig_{}_{optimize}", program.file.replace('.', "_"));
    let Some((zig, cache)) = zig(&test) else { return };
    let Some(wasm_ld) = reference_linker() else {
        skip(&test, &format!("{WASM_LD_22} not installed"));
        return;
    };
    let scratch = Scratch::new(&test);
    let words = build(&test, &zig, &cache, program, optimize, &scratch);
    check_line(&test, &words, program, optimize);

    // Same file name for both links: wasm-ld records it in the name section.
    std::fs::create_dir(scratch.join("wasm-ld-22")).unwrap();
    std::fs::create_dir(scratch.join("wasmlink")).unwrap();
    let ref_path = scratch.join("wasm-ld-22/out.wasm");
    let ours_path = scratch.join("wasmlink/out.wasm");
    let theirs = replay(&test, &wasm_ld, &words, &ref_path);
    let ours = replay(&test, &linker_under_test(), &words, &ours_path);
    if let Err(e) = validate(&ours) {
        panic!("{test}: wasmlink output {} does not validate: {e}", ours_path.display());
    }

    let our_run = run(&test, "wasmlink", &ours, &ours_path);
    let ref_run = run(&test, "wasm-ld-22", &theirs, &ref_path);
    let zig_path = scratch.join("zig/out.wasm");
    let zig_run = run(&test, "zig", &std::fs::read(&zig_path).unwrap(), &zig_path);
    assert!(
        our_run.stdout_str().lines().any(|l| l.contains(program.stdout_has)) && our_run.exit == program.exit,
        "{test}: expected a line with {:?} and exit status {}\n{}",
        program.stdout_has,
        program.exit,
        our_run.describe()
    );
    assert_same(&test, &our_run, "wasm-ld-22", &ref_run);
    assert_same(&test, &our_run, "zig", &zig_run);
    eprintln!(
        "ok: {test}: exit {}, {} bytes of stdout, {} of stderr; wasmlink {} bytes, wasm-ld-22 {} bytes",
        our_run.exit,
        our_run.stdout.len(),
        our_run.stderr.len(),
        ours.len(),
        theirs.len()
    );
}

#[test]
fn zig_c_release_small() {
    check(&STDIO_C, "ReleaseSmall");
}

#[test]
fn zig_c_debug() {
    check(&STDIO_C, "Debug");
}

#[test]
fn zig_zig_release_small() {
    check(&SORT_ZIG, "ReleaseSmall");
}

#[test]
fn zig_zig_debug() {
    check(&SORT_ZIG, "Debug");
}

#[test]
fn zig_cxx_release_small() {
    check(&CONTAINERS_CPP, "ReleaseSmall");
}

#[test]
fn zig_cxx_debug() {
    check(&CONTAINERS_CPP, "Debug");
}
