//! Link errors: each failing link must exit with status 1, say on stderr what
//! went wrong (naming the symbol / file / flag), not panic, and leave no
//! output file behind (and leave an existing output file untouched).
//!
//! The objects in `testdata/errors/` are freestanding (made by
//! `testdata/errors/regen.sh` from the `.c` files next to them), so these tests
//! need neither clang nor wasi-libc.

use crate::common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::common::{linker_under_test, run_linker, validate, ProcOutput, Scratch};

fn errors_dir() -> PathBuf {
    common::testdata().join("errors")
}

fn errors_obj(name: &str) -> PathBuf {
    let p = errors_dir().join(name);
    assert!(p.exists(), "{} is missing (run testdata/errors/regen.sh)", p.display());
    p
}

fn args(list: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    list.iter().map(|a| a.as_ref().to_os_string()).collect()
}

/// Problems with a failed link, or an empty list if it failed properly:
/// exit status 1, no panic, every `needles` string on stderr, no `out`, and no
/// files other than `keep` in `dir`.
fn failure_problems(res: &ProcOutput, needles: &[&str], out: &Path, dir: &Scratch, keep: &[&str]) -> Vec<String> {
    let mut p = Vec::new();
    if res.timed_out {
        p.push("the linker timed out".to_string());
    } else if res.code != Some(1) {
        p.push(format!("expected exit status 1, got {}", res.status.map_or("unknown".into(), |s| s.to_string())));
    }
    if res.stderr.contains("panicked") {
        p.push("the linker panicked".into());
    }
    if res.stderr.trim().is_empty() {
        p.push("stderr is empty".into());
    }
    for n in needles {
        if !res.stderr.contains(n) {
            p.push(format!("stderr does not mention {n:?}"));
        }
    }
    if out.exists() {
        p.push(format!("the output {} was created", out.display()));
    }
    let extra: Vec<String> = dir.entries().into_iter().filter(|e| !keep.contains(&e.as_str())).collect();
    if !extra.is_empty() {
        p.push(format!("stray files left in {}: {extra:?}", dir.path().display()));
    }
    p
}

#[track_caller]
fn assert_fails(what: &str, res: &ProcOutput, needles: &[&str], out: &Path, dir: &Scratch, keep: &[&str]) {
    let problems = failure_problems(res, needles, out, dir, keep);
    assert!(
        problems.is_empty(),
        "{what}: the link did not fail properly:\n  - {}\n{}",
        problems.join("\n  - "),
        res.describe()
    );
}

#[test]
fn undefined_symbol() {
    let dir = Scratch::new("err-undef");
    let out = dir.join("out.wasm");
    let undef = errors_obj("undef.o");
    let res = run_linker(&linker_under_test(), args(&[&"-m", &"wasm32", &undef, &"-o", &out]));
    assert_fails("undefined symbol", &res, &["missing_fn", "undef.o"], &out, &dir, &[]);
}

#[test]
fn duplicate_symbol() {
    let dir = Scratch::new("err-dup");
    let out = dir.join("out.wasm");
    let (d1, d2) = (errors_obj("dup1.o"), errors_obj("dup2.o"));
    let res = run_linker(&linker_under_test(), args(&[&"-m", &"wasm32", &d1, &d2, &"-o", &out]));
    assert_fails("duplicate symbol", &res, &["dup_fn", "dup1.o", "dup2.o"], &out, &dir, &[]);
}

#[test]
fn missing_input_file() {
    let dir = Scratch::new("err-missing");
    let out = dir.join("out.wasm");
    let missing = dir.join("no-such-dir").join("nope.o");
    let missing_s = missing.to_string_lossy().into_owned();
    let res = run_linker(&linker_under_test(), args(&[&"-m", &"wasm32", &"--no-entry", &missing, &"-o", &out]));
    assert_fails("missing input", &res, &[&missing_s], &out, &dir, &[]);
}

#[test]
fn non_wasm_input() {
    for name in ["notes.txt", "fake.o"] {
        let dir = Scratch::new("err-notwasm");
        let out = dir.join("out.wasm");
        let input = dir.join(name);
        std::fs::write(&input, "This is a text file, not a wasm object.\n").unwrap();
        let input_s = input.to_string_lossy().into_owned();
        let res = run_linker(&linker_under_test(), args(&[&"-m", &"wasm32", &"--no-entry", &input, &"-o", &out]));
        assert_fails(&format!("text input {name}"), &res, &[&input_s], &out, &dir, &[name]);
    }
}

#[test]
fn unknown_flag() {
    let dir = Scratch::new("err-flag");
    let out = dir.join("out.wasm");
    let obj = errors_obj("dup1.o");
    let res = run_linker(&linker_under_test(), args(&[&"-m", &"wasm32", &"--frobnicate", &obj, &"-o", &out]));
    assert_fails("unknown flag", &res, &["unknown argument: --frobnicate"], &out, &dir, &[]);
}

/// When a link fails, an output file that already exists keeps its contents.
#[test]
fn failed_link_keeps_existing_output() {
    let undef = errors_obj("undef.o");
    let (d1, d2) = (errors_obj("dup1.o"), errors_obj("dup2.o"));
    let failing: Vec<(&str, Vec<OsString>, &str)> = vec![
        ("undefined symbol", args(&[&undef]), "missing_fn"),
        ("duplicate symbol", args(&[&d1, &d2]), "dup_fn"),
        ("unknown flag", args(&[&"--frobnicate", &d1]), "--frobnicate"),
    ];
    let previous: &[u8] = b"\0asm previous output, must survive a failed link\n\xff\x00\x01";
    for (what, inputs, needle) in failing {
        let dir = Scratch::new("err-keep");
        let out = dir.join("out.wasm");
        std::fs::write(&out, previous).unwrap();
        let mut a = args(&[&"-m", &"wasm32"]);
        a.extend(inputs);
        a.extend(args(&[&"-o", &out]));
        let res = run_linker(&linker_under_test(), a);
        let mut problems = Vec::new();
        if res.code != Some(1) {
            problems.push(format!("expected exit status 1, got {:?}", res.status));
        }
        if res.stderr.contains("panicked") {
            problems.push("the linker panicked".into());
        }
        if !res.stderr.contains(needle) {
            problems.push(format!("stderr does not mention {needle:?}"));
        }
        match std::fs::read(&out) {
            Ok(b) if b == previous => {}
            Ok(b) => {
                problems.push(format!("the existing output was changed ({} bytes, was {})", b.len(), previous.len()))
            }
            Err(e) => problems.push(format!("the existing output is gone: {e}")),
        }
        let entries = dir.entries();
        if entries != ["out.wasm"] {
            problems.push(format!("stray files left: {entries:?}"));
        }
        assert!(
            problems.is_empty(),
            "{what} with an existing -o file:\n  - {}\n{}",
            problems.join("\n  - "),
            res.describe()
        );
    }
}

/// The objects used above are fine on their own: the failures are really
/// caused by what each test sets up.
#[test]
fn error_objects_link_when_the_error_is_removed() {
    let linker = linker_under_test();
    let undef = errors_obj("undef.o");
    let d1 = errors_obj("dup1.o");
    let d2 = errors_obj("dup2.o");
    let cases: Vec<(&str, Vec<OsString>)> = vec![
        ("undef.o with --allow-undefined", args(&[&"--allow-undefined", &undef])),
        ("dup1.o alone", args(&[&d1])),
        ("dup2.o alone with --no-entry", args(&[&"--no-entry", &d2])),
    ];
    for (what, inputs) in cases {
        let dir = Scratch::new("err-ok");
        let out = dir.join("out.wasm");
        let mut a = args(&[&"-m", &"wasm32"]);
        a.extend(inputs);
        a.extend(args(&[&"-o", &out]));
        let res = run_linker(&linker, a);
        assert!(res.code == Some(0), "{what}: link failed\n{}", res.describe());
        let bytes = std::fs::read(&out).unwrap_or_else(|e| panic!("{what}: no output: {e}"));
        if let Err(e) = validate(&bytes) {
            panic!("{what}: output does not validate: {e}");
        }
    }
}

/// `s`, cut to at most `max` bytes (on a char boundary).
fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n[... {} more bytes cut]", &s[..end], s.len() - end)
}

/// Reads an unsigned LEB128 (u32) at `*pos`.
fn read_leb(bytes: &[u8], pos: &mut usize) -> u32 {
    let mut result: u32 = 0;
    let mut shift = 0;
    loop {
        let b = bytes[*pos];
        *pos += 1;
        result |= u32::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return result;
        }
        shift += 7;
    }
}

/// The end offsets of the sections of a well-formed wasm object from the
/// `linking` custom section on: a prefix of exactly that length is itself a
/// well-formed relocatable object (relocation and other custom sections are
/// optional), so linking it may succeed.
fn complete_object_lengths(bytes: &[u8]) -> Vec<usize> {
    assert_eq!(&bytes[..8], b"\0asm\x01\0\0\0", "not a wasm object");
    let mut pos = 8;
    let mut seen_linking = false;
    let mut ends = Vec::new();
    while pos < bytes.len() {
        let id = bytes[pos];
        pos += 1;
        let size = read_leb(bytes, &mut pos) as usize;
        let body = pos;
        let end = body + size;
        if id == 0 {
            let mut p = body;
            let name_len = read_leb(bytes, &mut p) as usize;
            if &bytes[p..p + name_len] == b"linking" {
                seen_linking = true;
            }
        }
        if seen_linking {
            ends.push(end);
        }
        pos = end;
    }
    assert_eq!(pos, bytes.len(), "sections do not add up");
    assert!(seen_linking, "no linking section");
    ends
}

/// Every proper prefix of a real object, linked alone, is rejected cleanly:
/// exit status 1, the file's path on stderr, no panic, no output. (A prefix that
/// ends exactly after the `linking` section or a later one is a complete
/// object, so there the link may also succeed.)
#[test]
fn truncated_objects() {
    let linker = linker_under_test();
    let objects = [errors_obj("undef.o"), common::testdata().join("c/qsort_callback/O2/cmp.o")];
    let mut failures: Vec<String> = Vec::new();
    let mut kinds: std::collections::BTreeMap<String, usize> = Default::default();
    let mut total = 0usize;
    let mut linked = 0usize;
    for obj in &objects {
        let full = std::fs::read(obj).unwrap_or_else(|e| panic!("reading {}: {e}", obj.display()));
        let complete = complete_object_lengths(&full);
        let stem = obj.file_stem().unwrap().to_string_lossy().into_owned();
        let dir = Scratch::new(&format!("err-trunc-{stem}"));
        let out = dir.join("out.wasm");
        for len in 0..full.len() {
            total += 1;
            let name = format!("{stem}-first{len}.o");
            let input = dir.join(&name);
            std::fs::write(&input, &full[..len]).unwrap();
            let input_s = input.to_string_lossy().into_owned();
            let res = run_linker(
                &linker,
                args(&[&"-m", &"wasm32", &"--no-entry", &"--allow-undefined", &input, &"-o", &out]),
            );
            let problems = if res.code == Some(0) && complete.contains(&len) {
                linked += 1;
                let mut p = Vec::new();
                if res.stderr.contains("panicked") {
                    p.push("the linker panicked".to_string());
                }
                match std::fs::read(&out) {
                    Ok(b) => {
                        if let Err(e) = validate(&b) {
                            p.push(format!("linked (allowed here) but the output is invalid: {e}"));
                        }
                    }
                    Err(e) => p.push(format!("exit status 0 but no output: {e}")),
                }
                let _ = std::fs::remove_file(&out);
                p
            } else {
                let p = failure_problems(&res, &[&input_s], &out, &dir, &[&name]);
                let _ = std::fs::remove_file(&out);
                p
            };
            if !problems.is_empty() {
                for pr in &problems {
                    *kinds.entry(pr.replace(&input_s, "<input>")).or_default() += 1;
                }
                failures.push(format!(
                    "{} truncated to {len} of {} bytes:\n  - {}\n{}",
                    obj.display(),
                    full.len(),
                    problems.join("\n  - "),
                    clip(&res.describe(), 3000)
                ));
            }
            std::fs::remove_file(&input).unwrap();
        }
        let left = dir.entries();
        assert!(left.is_empty(), "stray files left in {}: {left:?}", dir.path().display());
    }
    eprintln!("truncated_objects: {total} prefixes, {linked} complete-object prefixes linked, {} bad", failures.len());
    if !failures.is_empty() {
        let shown: Vec<&String> = failures.iter().take(8).collect();
        let summary: Vec<String> = kinds.iter().map(|(k, n)| format!("{n:5} x {k}")).collect();
        panic!(
            "{} of {total} truncated objects were not rejected properly:\n{}\nThe first {}:\n\n{}",
            failures.len(),
            summary.join("\n"),
            shown.len(),
            shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n\n")
        );
    }
}

/// An output in a directory that does not exist fails before any linking
/// (no undefined-symbol error is reported first) and leaves nothing behind.
#[test]
fn unwritable_output_directory() {
    let dir = Scratch::new("err-outdir");
    let out = dir.join("no-such-dir").join("out.wasm");
    let undef = errors_obj("undef.o");
    let res = run_linker(&linker_under_test(), args(&[&"-m", &"wasm32", &undef, &"-o", &out]));
    assert_fails("unwritable output directory", &res, &["cannot open output file", "no-such-dir"], &out, &dir, &[]);
    assert!(!res.stderr.contains("missing_fn"), "the output path must be checked before linking:\n{}", res.stderr);
}

/// An LLVM bitcode input (compiled with `-flto`), given directly or as an
/// extracted archive member, fails with "LTO is not supported" naming the
/// file, instead of being misread.
#[test]
fn bitcode_input_needs_lto() {
    let dir = Scratch::new("err-lto");
    let out = dir.join("out.wasm");
    let lto = errors_obj("lto.o");
    let res = run_linker(&linker_under_test(), args(&[&"-m", &"wasm32", &lto, &"-o", &out]));
    assert_fails("bitcode object", &res, &["lto.o", "LTO is not supported"], &out, &dir, &[]);
    // As an archive member, extracted for `-u lto_answer` (a GNU archive
    // whose symbol index names the member's symbols).
    let data = std::fs::read(&lto).unwrap();
    let archive = dir.join("liblto.a");
    std::fs::write(&archive, gnu_archive_with_index("lto.o", &data, &["lto_answer", "_start"])).unwrap();
    let res = run_linker(&linker_under_test(), args(&[&"-m", &"wasm32", &"-u", &"lto_answer", &archive, &"-o", &out]));
    assert_fails("bitcode member", &res, &["liblto.a(lto.o)", "LTO is not supported"], &out, &dir, &["liblto.a"]);
}

/// A GNU `ar` archive of one member with a symbol index naming `symbols`.
fn gnu_archive_with_index(name: &str, data: &[u8], symbols: &[&str]) -> Vec<u8> {
    let header = |name: &str, size: usize| format!("{name:<16}{:<12}{:<6}{:<6}{:<8}{size:<10}`\n", 0, 0, 0, 644);
    let mut names = Vec::new();
    for s in symbols {
        names.extend_from_slice(s.as_bytes());
        names.push(0);
    }
    let index_size = 4 + 4 * symbols.len() + names.len();
    let padded = |n: usize| n + n % 2;
    let member_offset = 8 + 60 + padded(index_size);
    let mut out = b"!<arch>\n".to_vec();
    out.extend(header("/", index_size).as_bytes());
    out.extend((symbols.len() as u32).to_be_bytes());
    for _ in symbols {
        out.extend((member_offset as u32).to_be_bytes());
    }
    out.extend(&names);
    if index_size % 2 == 1 {
        out.push(b'\n');
    }
    out.extend(header(&format!("{name}/"), data.len()).as_bytes());
    out.extend(data);
    if data.len() % 2 == 1 {
        out.push(b'\n');
    }
    out
}

/// An object with two tables but only one table symbol fails with wasm-ld's
/// message (only an MVP object with a single table may leave its table
/// without a symbol, and that one links, into a module with that table).
#[test]
fn tables_without_symbols() {
    let dir = Scratch::new("err-tables");
    let out = dir.join("out.wasm");
    let bad = errors_obj("mvp-tables.o");
    let res = run_linker(&linker_under_test(), args(&[&"--no-entry", &bad, &"-o", &out]));
    let needle = "expected one symbol table entry for each of the 2 table(s) present, but got 1 symbol(s) instead";
    assert_fails("tables without symbols", &res, &["mvp-tables.o", needle], &out, &dir, &[]);
    let good = errors_obj("mvp-one-table.o");
    let res = run_linker(&linker_under_test(), args(&[&"--no-entry", &"--export-all", &good, &"-o", &out]));
    assert_eq!(res.code, Some(0), "{}", res.describe());
    // Its call_indirect names table 0: the output must have that table.
    validate(&std::fs::read(&out).unwrap()).unwrap_or_else(|e| panic!("the MVP object's output is invalid: {e}"));
}
