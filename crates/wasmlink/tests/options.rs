//! Options whose effect shows at run time, compared with wasm-ld-22:
//! `--wrap`, memory layout options.

mod common;

use common::*;
use std::ffi::OsString;

/// Links `objects` with `extra` options by wasmlink (and wasm-ld-22 when
/// present), runs both, and checks they behave the same; returns wasmlink's
/// stdout.
fn link_and_compare(test: &str, objects: &[&str], extra: &[&str]) -> String {
    let case = Case::parse(test, testdata().join("options"), "lang = c\ncrt = command\nlibs =\n");
    let scratch = Scratch::new(test);
    let link = |linker: &std::path::Path, dir: &str| -> Vec<u8> {
        std::fs::create_dir_all(scratch.join(dir)).unwrap();
        let out = scratch.join(dir).join("out.wasm");
        let mut args: Vec<OsString> = vec!["-m".into(), "wasm32".into(), "-L/usr/lib/wasm32-wasi".into()];
        args.push(case.crt_path().into());
        for o in objects {
            args.push(testdata().join("options").join(o).into());
        }
        args.extend(extra.iter().map(OsString::from));
        args.extend([
            "-lc".into(),
            "/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a".into(),
            "-o".into(),
        ]);
        args.push(out.clone().into());
        let res = run_linker(linker, &args);
        assert_eq!(res.code, Some(0), "{test}: link failed:\n{}", res.describe());
        std::fs::read(&out).unwrap()
    };
    let ours = link(&linker_under_test(), "wasmlink");
    validate(&ours).unwrap_or_else(|e| panic!("{test}: output does not validate: {e}"));
    let a = run_module(&ours, &case).unwrap_or_else(|e| panic!("{test}: {e}"));
    if let Some(reference) = reference_linker() {
        let theirs = link(&reference, "wasm-ld-22");
        let b = run_module(&theirs, &case).unwrap_or_else(|e| panic!("{test}: reference: {e}"));
        assert_same_run(test, &a, &b);
    }
    a.stdout_str()
}

#[test]
fn wrap_redirects_calls() {
    if !wasi_toolchain_ready("wrap_redirects_calls") {
        return;
    }
    let out = link_and_compare("wrap", &["wrap.o"], &["--wrap=foo"]);
    assert_eq!(out.trim(), "101", "__wrap_foo should run and reach the real foo through __real_foo");
}

#[test]
fn memory_layout_options_run_the_same() {
    if !wasi_toolchain_ready("memory_layout_options_run_the_same") {
        return;
    }
    for opts in [
        &["--no-stack-first"][..],
        &["-z", "stack-size=131072"],
        &["--initial-memory=1048576", "--max-memory=16777216"],
        &["--no-gc-sections"],
        &["--strip-debug"],
        &["--strip-all"],
    ] {
        let mut all = vec!["--wrap=foo"];
        all.extend_from_slice(opts);
        let out = link_and_compare("layout", &["wrap.o"], &all);
        assert_eq!(out.trim(), "101", "options {opts:?}");
    }
}

/// `-o` naming a pipe (like `-o /dev/null`) writes into it; the linker must
/// never rename its temporary file over a non-regular file.
#[test]
fn output_to_a_pipe_keeps_the_pipe() {
    use std::os::unix::fs::FileTypeExt;
    let scratch = Scratch::new("fifo-out");
    let fifo = scratch.join("out.fifo");
    let st = std::process::Command::new("mkfifo").arg(&fifo).status().expect("running mkfifo");
    assert!(st.success());
    let reader_path = fifo.clone();
    let reader = std::thread::spawn(move || std::fs::read(&reader_path).expect("reading the fifo"));
    let obj = testdata().join("errors").join("dup1.o");
    let res =
        run_linker(&linker_under_test(), [obj.as_os_str(), "--no-entry".as_ref(), "-o".as_ref(), fifo.as_os_str()]);
    assert_eq!(res.code, Some(0), "link into a fifo failed:\n{}", res.describe());
    // Checked before waiting for the reader: had the pipe been replaced, the
    // reader would never see a writer.
    let meta = std::fs::symlink_metadata(&fifo).unwrap();
    assert!(meta.file_type().is_fifo(), "the output pipe was replaced by a regular file");
    let bytes = reader.join().unwrap();
    assert!(bytes.starts_with(b"\0asm"), "the module came through the pipe");
}
