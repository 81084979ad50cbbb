//! The `testdata/emscripten` programs built by Emscripten (Debian's
//! `emscripten` 3.1.6, whose emcc runs `wasm-ld-14`) and linked by emcc
//! twice, with its command line untouched: once with the real wasm-ld-14 and
//! once with wasmlink in its place. wasmlink's raw output must validate, and
//! the two `.js` programs (after emcc's own post-link steps: binaryen's
//! `wasm-emscripten-finalize` and `wasm-opt`, the JavaScript glue) must print
//! the same stdout and exit with the same status under node.
//!
//! emcc finds its LLVM tools in `$EM_LLVM_ROOT`, by their Debian names
//! (`clang-14`, `wasm-ld-14`, ...). Each test makes two such directories in
//! its scratch directory: symlinks `<tool>-14` → `/usr/bin/<tool>-14` for
//! every `/usr/bin/*-14`, except `wasm-ld-14`, which is a small shell
//! wrapper: it writes its arguments one per line to `link-args.txt`, runs
//! the linker (through a symlink named `wasm-ld-14`, to wasm-ld-14 itself or
//! to the linker under test), and keeps a copy of what the linker wrote,
//! before binaryen rewrites it in place. The captured line is checked for the
//! options emcc always passes that wasm-ld accepts and other linkers often
//! don't (`-mllvm ...`, `--import-undefined`, `--export-if-defined=`), and
//! must be the same for both linkers.
//!
//! Each program is compiled once (`emcc -c`, or `em++`), with the same flags
//! as the link. Emscripten's system libraries come prebuilt in
//! `/usr/share/emscripten/cache`. `NODE_PATH=/usr/share/nodejs` lets emcc's
//! JavaScript optimizer find acorn (Debian's `node-acorn`) under any node.
//! Without emcc, node or wasm-ld-14 the tests print SKIPPED, or fail under
//! `WASMLINK_REQUIRE_TOOLCHAIN=1` (`cargo xtask test` installs them: the
//! `emscripten` Debian package).

use std::ffi::{OsStr, OsString};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::common::*;

const EMCC: &str = "/usr/bin/emcc";
const EMXX: &str = "/usr/bin/em++";
const NODE: &str = "/usr/bin/node";
/// The linker emcc 3.1.6 runs, and the reference here.
const WASM_LD_14: &str = "/usr/bin/wasm-ld-14";
/// Where Debian's node modules (acorn, for emcc's JavaScript optimizer) live.
const NODE_MODULES: &str = "/usr/share/nodejs";
/// How long one emcc run (compile, or link plus binaryen and the JavaScript
/// passes) may take.
const EMCC_TIMEOUT: Duration = Duration::from_secs(180);
/// How long one program may run under node.
const NODE_TIMEOUT: Duration = Duration::from_secs(60);

/// One program of `testdata/emscripten` and what it must do when run.
struct Program {
    /// File name in `testdata/emscripten`; `.cpp` is compiled with em++.
    file: &'static str,
    /// A line its stdout must contain.
    stdout_has: &'static str,
    /// Its exit status.
    exit: i32,
}

/// One test: a program built with some emcc flags.
struct Case {
    /// The test's name (and its scratch directory's).
    name: &'static str,
    program: Program,
    /// emcc's flags, for the compile and the link.
    flags: &'static [&'static str],
    /// Words the link line must hold besides the ones every line has.
    line_has: &'static [&'static str],
}

const HELLO_C: Program = Program { file: "hello.c", stdout_has: "hello, world 42 heap ok argc=3", exit: 3 };
const CXX: Program = Program { file: "cxx.cpp", stdout_has: "map b=2 um=three virt=3", exit: 0 };
const EXC: Program = Program { file: "exc.cpp", stdout_has: "caught: boom 4", exit: 2 };
const SJLJ: Program = Program { file: "sjlj.c", stdout_has: "done 3", exit: 0 };
const EMASM: Program = Program { file: "emasm.c", stdout_has: "js_add=7 x=42", exit: 0 };
const THREADS: Program = Program { file: "threads.c", stdout_has: "total 26 tl 5", exit: 0 };
const LUA: Program = Program { file: "lua/main.c", stdout_has: "lua done 20", exit: 0 };

/// Whether emcc, em++, node and wasm-ld-14 are installed; when not, notes
/// the skip (or fails under `WASMLINK_REQUIRE_TOOLCHAIN=1`).
fn tools_ready(test: &str) -> bool {
    for tool in [EMCC, EMXX, NODE, WASM_LD_14] {
        if !Path::new(tool).exists() {
            skip(test, &format!("{tool} is not installed (Debian package `emscripten`)"));
            return false;
        }
    }
    true
}

/// Makes `dir` an `EM_LLVM_ROOT` for emcc: every `/usr/bin/*-14` tool
/// linked by name, and a `wasm-ld-14` that logs its arguments to
/// `<dir>/link-args.txt`, runs `linker` (called as `wasm-ld-14`) and copies
/// its output to `<dir>/raw.wasm`.
fn make_llvm_root(dir: &Path, linker: &Path) {
    std::fs::create_dir_all(dir.join("linker")).unwrap();
    let mut tools = 0;
    for e in std::fs::read_dir("/usr/bin").unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.ends_with("-14") && name != "wasm-ld-14" {
            symlink(e.path(), dir.join(&*name)).unwrap();
            tools += 1;
        }
    }
    assert!(tools > 10, "only {tools} /usr/bin/*-14 tools found: is clang-14 installed?");
    let named_linker = dir.join("linker/wasm-ld-14");
    symlink(linker, &named_linker).unwrap();
    let q = |p: &Path| format!("'{}'", p.to_str().unwrap().replace('\'', r"'\''"));
    let script = format!(
        "#!/bin/sh\n\
         # Made by e2e_emscripten.rs: logs emcc's link line, links, keeps the raw output.\n\
         printf '%s\\n' \"$@\" > {args}\n\
         {linker} \"$@\" || exit $?\n\
         out= prev=\n\
         for a in \"$@\"; do [ \"$prev\" = -o ] && out=$a; prev=$a; done\n\
         cp \"$out\" {raw}\n",
        args = q(&dir.join("link-args.txt")),
        linker = q(&named_linker),
        raw = q(&dir.join("raw.wasm")),
    );
    let wrapper = dir.join("wasm-ld-14");
    std::fs::write(&wrapper, script).unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// An emcc (or em++, for C++) command running in `cwd`, with the node
/// module path emcc's JavaScript passes need.
fn emcc(program: &Program, cwd: &Path) -> Command {
    let mut cmd = Command::new(if program.file.ends_with(".cpp") { EMXX } else { EMCC });
    let mut node_path = OsString::from(NODE_MODULES);
    if let Some(p) = std::env::var_os("NODE_PATH").filter(|p| !p.is_empty()) {
        node_path.push(":");
        node_path.push(p);
    }
    cmd.current_dir(cwd).env("NODE_PATH", node_path);
    cmd
}

/// Links `inputs` (paths relative to `<dir>`, e.g. `../prog.o`) into
/// `<dir>/prog.js` with emcc, `EM_LLVM_ROOT=<dir>/llvm` whose `wasm-ld-14`
/// runs `linker`. Returns the captured link line and the linker's raw
/// output.
fn link(
    test: &str,
    case: &Case,
    scratch: &Scratch,
    inputs: &[&str],
    dir: &str,
    linker: &Path,
) -> (Vec<String>, Vec<u8>) {
    let out_dir = scratch.join(dir);
    let root = out_dir.join("llvm");
    make_llvm_root(&root, linker);
    let mut cmd = emcc(&case.program, &out_dir);
    cmd.env("EM_LLVM_ROOT", &root).args(case.flags).args(inputs).args(["-o", "prog.js"]);
    let res = run_process_with_timeout(&mut cmd, EMCC_TIMEOUT);
    assert!(res.code == Some(0), "{test}: emcc link with {dir} failed\n{}", res.describe());
    assert!(!res.stderr.contains("panicked"), "{test}: the linker panicked\n{}", res.describe());
    let args = std::fs::read_to_string(root.join("link-args.txt"))
        .unwrap_or_else(|e| panic!("{test}: emcc did not run wasm-ld-14 ({e})\n{}", res.describe()));
    let raw = std::fs::read(root.join("raw.wasm")).unwrap();
    (args.lines().map(str::to_string).collect(), raw)
}

/// Asserts that emcc's link line holds what it always passes (and the
/// case's own words), so the test shows wasmlink takes it as it is.
fn check_line(test: &str, case: &Case, words: &[String]) {
    let line = words.join(" ");
    let has = |w: &str| words.iter().any(|x| x == w);
    for w in ["-mllvm", "-enable-emscripten-sjlj", "--import-undefined", "--export-table"] {
        assert!(has(w), "{test}: emcc's link line has no {w}: {line}");
    }
    assert!(case.line_has.iter().all(|w| has(w)), "{test}: emcc's link line lacks one of {:?}: {line}", case.line_has);
    assert!(
        words.iter().any(|w| w.starts_with("--export-if-defined=")),
        "{test}: emcc's link line has no --export-if-defined=: {line}"
    );
    assert!(words.windows(2).any(|p| p[0] == "-o" && p[1] == "prog.wasm"), "{test}: no `-o prog.wasm`: {line}");
}

/// What one node run of a linked program printed and returned.
struct NodeRun {
    stdout: String,
    stderr: String,
    exit: Option<i32>,
}

/// Runs `<dir>/prog.js a b` under node.
fn run_node(test: &str, scratch: &Scratch, dir: &str) -> NodeRun {
    let mut cmd = Command::new(NODE);
    cmd.current_dir(scratch.join(dir)).args(["--no-experimental-fetch", "prog.js", "a", "b"]);
    let res = run_process_with_timeout(&mut cmd, NODE_TIMEOUT);
    assert!(!res.timed_out, "{test}: the {dir} program timed out\n{}", res.describe());
    NodeRun { stdout: res.stdout, stderr: res.stderr, exit: res.code }
}

/// Compiles `src` into `<scratch>/<out>` with the case's flags (and
/// `extra` ones).
fn compile(case: &Case, scratch: &Scratch, src: &Path, out: &str, extra: &[&OsStr]) {
    let mut cmd = emcc(&case.program, scratch.path());
    cmd.args(case.flags).args(extra).arg("-c").arg(src).args(["-o", out]);
    let res = run_process_with_timeout(&mut cmd, EMCC_TIMEOUT);
    assert!(res.code == Some(0), "{}: compiling {} failed\n{}", case.name, src.display(), res.describe());
}

/// The whole check for one case: its program compiled into `prog.o`, then
/// linked and run.
fn check(case: &Case) {
    if !tools_ready(case.name) {
        return;
    }
    let scratch = Scratch::new(case.name);
    compile(case, &scratch, &testdata().join("emscripten").join(case.program.file), "prog.o", &[]);
    check_linked(case, &scratch, &["../prog.o"]);
}

/// Links `inputs` (compiled into the scratch directory) with both linkers
/// through emcc, runs both programs and compares them.
fn check_linked(case: &Case, scratch: &Scratch, inputs: &[&str]) {
    let test = case.name;
    let (ref_line, _) = link(test, case, scratch, inputs, "wasm-ld-14", Path::new(WASM_LD_14));
    let (our_line, ours) = link(test, case, scratch, inputs, "wasmlink", &linker_under_test());
    check_line(test, case, &our_line);
    assert_eq!(our_line, ref_line, "{test}: emcc passed different lines to the two linkers");
    eprintln!("{test}: emcc's link line: wasm-ld-14 {}", our_line.join(" "));
    let mut validator = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
    if let Err(e) = validator.validate_all(&ours) {
        panic!("{test}: wasmlink's output does not validate: {} (at offset {:#x})", e.message(), e.offset());
    }

    let theirs = run_node(test, scratch, "wasm-ld-14");
    let our_run = run_node(test, scratch, "wasmlink");
    let describe =
        |r: &NodeRun| format!("exit {:?}\n--- stdout ---\n{}--- stderr ---\n{}---", r.exit, r.stdout, r.stderr);
    assert!(
        our_run.stdout.lines().any(|l| l.contains(case.program.stdout_has)) && our_run.exit == Some(case.program.exit),
        "{test}: expected a line with {:?} and exit status {}\n{}",
        case.program.stdout_has,
        case.program.exit,
        describe(&our_run)
    );
    assert!(
        our_run.stdout == theirs.stdout && our_run.exit == theirs.exit,
        "{test}: the wasmlink-linked program behaves differently from wasm-ld-14's; {}\n\
         ===== wasmlink =====\n{}\n===== wasm-ld-14 =====\n{}",
        first_difference(&our_run.stdout, &theirs.stdout),
        describe(&our_run),
        describe(&theirs)
    );
    eprintln!(
        "ok: {test}: exit {:?}, {} lines of stdout; raw wasmlink output {} bytes",
        our_run.exit,
        our_run.stdout.lines().count(),
        ours.len()
    );
}

/// emcc's own exception scheme: C++ exceptions through JavaScript.
const EXC_JS_LINE: &[&str] = &["-enable-emscripten-cxx-exceptions"];
/// Native WebAssembly exceptions.
const EXC_WASM_LINE: &[&str] = &["-wasm-enable-eh", "-exception-model=wasm"];

#[test]
fn emcc_c_o0_g() {
    check(&Case { name: "emcc_c_o0_g", program: HELLO_C, flags: &["-O0", "-g"], line_has: &[] });
}

#[test]
fn emcc_c_o2() {
    check(&Case { name: "emcc_c_o2", program: HELLO_C, flags: &["-O2"], line_has: &["--strip-debug"] });
}

#[test]
fn emcc_c_os() {
    check(&Case { name: "emcc_c_os", program: HELLO_C, flags: &["-Os"], line_has: &["--strip-debug"] });
}

#[test]
fn emcc_cxx_o0_g() {
    check(&Case { name: "emcc_cxx_o0_g", program: CXX, flags: &["-O0", "-g"], line_has: &["-lc++-noexcept"] });
}

#[test]
fn emcc_cxx_o2() {
    check(&Case { name: "emcc_cxx_o2", program: CXX, flags: &["-O2"], line_has: &["-lc++-noexcept"] });
}

#[test]
fn emcc_cxx_exceptions_js() {
    check(&Case {
        name: "emcc_cxx_exceptions_js",
        program: EXC,
        flags: &["-O2", "-fexceptions"],
        line_has: EXC_JS_LINE,
    });
}

#[test]
fn emcc_cxx_exceptions_wasm() {
    check(&Case {
        name: "emcc_cxx_exceptions_wasm",
        program: EXC,
        flags: &["-O2", "-fwasm-exceptions"],
        line_has: EXC_WASM_LINE,
    });
}

#[test]
fn emcc_setjmp_longjmp() {
    check(&Case { name: "emcc_setjmp_longjmp", program: SJLJ, flags: &["-O2"], line_has: &[] });
}

#[test]
fn emcc_em_asm_em_js() {
    check(&Case { name: "emcc_em_asm_em_js", program: EMASM, flags: &["-O2"], line_has: &[] });
}

#[test]
fn emcc_standalone_wasm() {
    check(&Case {
        name: "emcc_standalone_wasm",
        program: HELLO_C,
        flags: &["-O2", "-sSTANDALONE_WASM"],
        line_has: &["-lstandalonewasm", "--export=__errno_location"],
    });
}

#[test]
fn emcc_pthread() {
    check(&Case {
        name: "emcc_pthread",
        program: THREADS,
        flags: &["-O2", "-pthread", "-sPTHREAD_POOL_SIZE=4", "-sEXIT_RUNTIME"],
        line_has: &["--shared-memory", "--import-memory"],
    });
}

/// Where Lua 5.4.7's C sources are: fetched from crates.io (the `lua-src`
/// crate) by `cargo fetch` on `testdata/emscripten/lua/Cargo.toml`, found
/// with `cargo metadata`. `None` (a skip, or a failure under
/// `WASMLINK_REQUIRE_TOOLCHAIN=1`) when cargo can't fetch it.
fn lua_sources(test: &str) -> Option<std::path::PathBuf> {
    let manifest = testdata().join("emscripten/lua/Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let fetch = run_process_with_timeout(
        Command::new(&cargo).arg("fetch").arg("--manifest-path").arg(&manifest),
        Duration::from_secs(300),
    );
    if fetch.code != Some(0) {
        skip(test, &format!("cargo fetch of the Lua sources failed\n{}", fetch.describe()));
        return None;
    }
    let mut meta = Command::new(&cargo);
    meta.args(["metadata", "--format-version", "1", "--offline", "--manifest-path"]).arg(&manifest);
    let res = run_process_with_timeout(&mut meta, Duration::from_secs(120));
    let key = "lua-src-547.0.0/Cargo.toml";
    let end = res.stdout.find(key)? + key.len() - "Cargo.toml".len();
    let start = res.stdout[..end].rfind('"')? + 1;
    let dir = Path::new(&res.stdout[start..end]).join("lua-5.4.7");
    dir.join("lua.h").exists().then_some(dir)
}

/// A real program: the Lua interpreter (33 C files archived into
/// `liblua.a`, so the link extracts what `main.c` needs) running a script;
/// setjmp/longjmp carries Lua's errors.
#[test]
fn emcc_lua() {
    let case = Case { name: "emcc_lua", program: LUA, flags: &["-O2"], line_has: &[] };
    if !tools_ready(case.name) {
        return;
    }
    let Some(lua) = lua_sources(case.name) else { return };
    let scratch = Scratch::new(case.name);
    let mut members = Vec::new();
    for e in std::fs::read_dir(&lua).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "c") {
            let obj = format!("{}.o", path.file_stem().unwrap().to_string_lossy());
            compile(&case, &scratch, &path, &obj, &[]);
            members.push(obj);
        }
    }
    members.sort();
    let include = OsString::from(format!("-I{}", lua.display()));
    compile(&case, &scratch, &testdata().join("emscripten/lua/main.c"), "main.o", &[&include]);
    let ar = run_process(
        Command::new("/usr/bin/llvm-ar-14").current_dir(scratch.path()).arg("rcs").arg("liblua.a").args(&members),
    );
    assert_eq!(ar.code, Some(0), "emcc_lua: llvm-ar-14 failed\n{}", ar.describe());
    check_linked(&case, &scratch, &["../main.o", "../liblua.a"]);
}

/// Dynamic linking through emcc: `testdata/emscripten/dynamic/side.c` built
/// with `-sSIDE_MODULE=1` into `side.wasm`, then a main module built with
/// `main_flags` from `main`, both linked by `linker` (called as
/// `wasm-ld-14`) in `<scratch>/<dir>`; the program's run under node.
fn dynamic_build(test: &str, scratch: &Scratch, dir: &str, linker: &Path, main: &str, main_flags: &[&str]) -> NodeRun {
    let out = scratch.join(dir);
    let root = out.join("llvm");
    make_llvm_root(&root, linker);
    let src = testdata().join("emscripten").join("dynamic");
    let c = Program { file: "side.c", stdout_has: "", exit: 0 };
    let mut side = emcc(&c, &out);
    side.env("EM_LLVM_ROOT", &root).args(["-sSIDE_MODULE=1", "-O1"]).arg(src.join("side.c")).args(["-o", "side.wasm"]);
    let res = run_process_with_timeout(&mut side, EMCC_TIMEOUT);
    assert!(res.code == Some(0), "{test}: emcc -sSIDE_MODULE=1 with {dir} failed\n{}", res.describe());
    let side_bytes = std::fs::read(out.join("side.wasm")).unwrap();
    validate(&side_bytes).unwrap_or_else(|e| panic!("{test}: {dir}'s side.wasm does not validate: {e}"));
    let mut prog = emcc(&c, &out);
    prog.env("EM_LLVM_ROOT", &root).args(main_flags).arg(src.join(main)).args(["-o", "prog.js"]);
    let res = run_process_with_timeout(&mut prog, EMCC_TIMEOUT);
    assert!(res.code == Some(0), "{test}: emcc {main_flags:?} with {dir} failed\n{}", res.describe());
    run_node(test, scratch, dir)
}

/// Builds and runs a side module and a main module with both linkers; the
/// programs must print `expect` and behave alike.
fn check_dynamic(test: &str, main: &str, main_flags: &[&str], expect: &str) {
    if !tools_ready(test) {
        return;
    }
    let scratch = Scratch::new(test);
    let theirs = dynamic_build(test, &scratch, "wasm-ld-14", Path::new(WASM_LD_14), main, main_flags);
    let ours = dynamic_build(test, &scratch, "wasmlink", &linker_under_test(), main, main_flags);
    let describe = |r: &NodeRun| format!("exit {:?}\n--- stdout ---\n{}--- stderr ---\n{}", r.exit, r.stdout, r.stderr);
    assert!(theirs.stdout.contains(expect) && theirs.exit == Some(0), "{test}: wasm-ld-14's\n{}", describe(&theirs));
    assert!(ours.stdout.contains(expect) && ours.exit == Some(0), "{test}: wasmlink's\n{}", describe(&ours));
    assert_eq!(ours.stdout, theirs.stdout, "{test}: the programs print differently");
}

/// `-sMAIN_MODULE=2` linked against a `-sSIDE_MODULE=1` module, which
/// Emscripten's loader loads at start-up.
#[test]
fn emcc_side_module_at_startup() {
    check_dynamic("emcc_side_module_at_startup", "main.c", &["-sMAIN_MODULE=2", "-O1", "side.wasm"], "side module 29");
}

/// `-sMAIN_MODULE=1` (all of libc, PIC, in the main module) opening a
/// `-sSIDE_MODULE=1` module with `dlopen`.
#[test]
fn emcc_side_module_dlopen() {
    check_dynamic(
        "emcc_side_module_dlopen",
        "dlopen.c",
        &["-sMAIN_MODULE=1", "-O1", "--embed-file", "side.wasm"],
        "side module 29 counter=13",
    );
}
