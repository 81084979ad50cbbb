//! Hostile inputs: malformed objects and archives, generated at test time
//! from the real objects in testdata/ by a small section rewriter
//! (`tests/hostile/wasm.rs`). Every case must be rejected cleanly:
//!
//! - exit status 1 (no signal, no timeout), within a 512 MiB address-space
//!   limit (so hostile counts must not drive allocations) and a time limit;
//! - stderr is exactly one line, `<prog>: error: ...`, naming the file (and
//!   archive member), with `offset 0x...` (inside that file or member) and a
//!   reason; no "panicked", no raw control characters;
//! - no output file is created, no temporary file is left behind, and an
//!   existing output file is left unchanged.
//!
//! `WASMLINK_HOSTILE_SHOW=1` prints every case's stderr.
//!
//! Truncation at every offset is covered by errors.rs (`truncated_objects`).
//! Inputs found by fuzzing (fuzz/) are kept in
//! testdata/hostile/fuzz-regressions/ and linked by `fuzz_regressions`.

use crate::common;
mod wasm;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{linker_under_test, ProcOutput, Scratch};
use wasm::*;

/// Address-space limit for one linker run.
const MEMORY_LIMIT_KIB: u64 = 512 * 1024;
/// CPU-time limit (seconds) for one linker run, and the wall-clock time a
/// rejection may take.
const CPU_LIMIT_S: u64 = 20;
const WALL_LIMIT: Duration = Duration::from_secs(20);

// Base objects.
const CMP: &str = "c/qsort_callback/O2/cmp.o";
const EARLY: &str = "c/ctors_atexit/O0g/early.o";
const API: &str = "c/reactor_exports/O2/api.o";
const CPP: &str = "c/cpp_features/O2/main.o";
const PICK_MAIN: &str = "c/archive_select/O2/main.o";
const LIBPICK: &str = "c/archive_select/O2/libpick.a";

fn base(rel: &str) -> Vec<u8> {
    let p = common::testdata().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

fn module(rel: &str) -> Module {
    Module::parse(&base(rel))
}

fn file_name(rel: &str) -> String {
    Path::new(rel).file_name().unwrap().to_string_lossy().into_owned()
}

// ---------------------------------------------------------------------------
// Cases

/// One hostile link.
struct Case {
    what: String,
    /// Files written to the scratch directory, in link-line order.
    inputs: Vec<(String, Vec<u8>)>,
    /// Files written to the scratch directory but not named on the link
    /// line (thin archive members).
    extra_files: Vec<(String, Vec<u8>)>,
    /// Flags placed before the inputs (the defaults are `-m wasm32
    /// --no-entry --allow-undefined --threads=1`).
    flags: Vec<String>,
    /// Whether to pass `--allow-undefined` and `--no-entry`.
    allow_undefined: bool,
    no_entry: bool,
    /// Index into `inputs` of the file stderr must name, and the archive
    /// member (if the culprit is a member) with its size.
    culprit: usize,
    member: Option<(String, usize)>,
    /// Whether the message must carry `offset 0x` (false for errors that
    /// are not about a position in a file, e.g. a duplicate symbol).
    needs_offset: bool,
    /// Whether wasm-ld style `>>> ...` continuation lines may follow the
    /// error line (duplicate and undefined symbols); the culprit may then
    /// be named on any line.
    continuation_ok: bool,
}

impl Case {
    fn new(what: impl Into<String>, inputs: Vec<(String, Vec<u8>)>, culprit: usize) -> Case {
        Case {
            what: what.into(),
            inputs,
            extra_files: Vec::new(),
            flags: Vec::new(),
            allow_undefined: true,
            no_entry: true,
            culprit,
            member: None,
            needs_offset: true,
            continuation_ok: false,
        }
    }

    /// A case with a single object: `rel` rewritten to `bytes`.
    fn object(what: impl Into<String>, rel: &str, bytes: Vec<u8>) -> Case {
        Case::new(what, vec![(file_name(rel), bytes)], 0)
    }

    /// A single object rewritten through the section model.
    fn edit(what: impl Into<String>, rel: &str, f: impl FnOnce(&mut Module)) -> Case {
        let mut m = module(rel);
        f(&mut m);
        Case::object(what, rel, m.encode())
    }

    /// A single object re-encoded by `f` (which may write wrong sizes).
    fn encode(what: impl Into<String>, rel: &str, f: impl FnOnce(&Module) -> Vec<u8>) -> Case {
        let m = module(rel);
        Case::object(what, rel, f(&m))
    }

    /// A single object with its raw bytes edited.
    fn raw(what: impl Into<String>, rel: &str, f: impl FnOnce(&mut Vec<u8>)) -> Case {
        let mut b = base(rel);
        f(&mut b);
        Case::object(what, rel, b)
    }

    /// `archive_select/main.o` followed by the archive `ar`; the culprit is
    /// the archive, or `member` of it.
    fn archive(what: impl Into<String>, ar: Vec<u8>, member: Option<(&str, usize)>) -> Case {
        let mut c = Case::new(what, vec![(file_name(PICK_MAIN), base(PICK_MAIN)), ("libpick.a".into(), ar)], 1);
        c.member = member.map(|(n, l)| (n.to_string(), l));
        c
    }
}

/// Runs the linker under the memory and CPU limits.
fn run_limited(linker: &Path, args: &[OsString]) -> (ProcOutput, Duration) {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {MEMORY_LIMIT_KIB} && ulimit -t {CPU_LIMIT_S} && exec \"$0\" \"$@\""))
        .arg(linker)
        .args(args);
    let start = Instant::now();
    let res = common::run_process(&mut cmd);
    (res, start.elapsed())
}

fn link_args(case: &Case, dir: &Scratch, out: &Path) -> (Vec<OsString>, Vec<PathBuf>) {
    let mut a: Vec<OsString> = vec!["-m".into(), "wasm32".into(), "--threads=1".into()];
    if case.no_entry {
        a.push("--no-entry".into());
    }
    if case.allow_undefined {
        a.push("--allow-undefined".into());
    }
    a.extend(case.flags.iter().map(OsString::from));
    for (name, bytes) in &case.extra_files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let mut paths = Vec::new();
    for (name, bytes) in &case.inputs {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        a.push(p.clone().into());
        paths.push(p);
    }
    a.push("-o".into());
    a.push(out.into());
    (a, paths)
}

fn prog_name(linker: &Path) -> String {
    linker.file_name().unwrap().to_string_lossy().into_owned()
}

/// The first hex number after "offset 0x" in `s`.
fn offset_in(s: &str) -> Option<u64> {
    let at = s.find("offset 0x")? + "offset 0x".len();
    let hex: String = s[at..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    u64::from_str_radix(&hex, 16).ok()
}

/// Problems with how the linker rejected `case`; empty if it did properly.
fn check_rejection(
    case: &Case,
    linker: &Path,
    res: &ProcOutput,
    took: Duration,
    culprit: &str,
    culprit_len: usize,
) -> Vec<String> {
    let mut p = Vec::new();
    if res.timed_out || took > WALL_LIMIT {
        p.push(format!("took {took:?} (limit {WALL_LIMIT:?})"));
    }
    match res.code {
        Some(1) => {}
        Some(0) => p.push("the link succeeded (exit status 0): the malformed input was accepted".into()),
        _ => p.push(format!(
            "expected exit status 1, got {} (101: a panic; a signal: a crash, an abort on allocation failure under the {} MiB limit, or the CPU limit)",
            res.status.map_or("unknown".into(), |s| s.to_string()),
            MEMORY_LIMIT_KIB / 1024
        )),
    }
    if res.stderr.contains("panicked") {
        p.push("the linker panicked".into());
    }
    if res.stderr.to_lowercase().contains("out of memory") || res.stderr.contains("memory allocation") {
        p.push(format!("the linker ran out of memory (it hit the {} MiB limit)", MEMORY_LIMIT_KIB / 1024));
    }
    let text = res.stderr.strip_suffix('\n').unwrap_or(&res.stderr);
    if text.trim().is_empty() {
        p.push("stderr is empty".into());
        return p;
    }
    if case.continuation_ok {
        if let Some(l) = text.lines().skip(1).find(|l| !l.starts_with(">>> ") && !is_note(l)) {
            p.push(format!("stderr has a line that is neither the error nor a `>>> ` continuation: {l:?}"));
        }
    } else if text.contains('\n') {
        p.push(format!("stderr has {} lines, expected one", text.lines().count()));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        p.push("stderr contains raw control characters".into());
    }
    let line = text.lines().next().unwrap_or("");
    let prefix = format!("{}: error: ", prog_name(linker));
    if !line.starts_with(&prefix) {
        p.push(format!("the message does not start with {prefix:?}"));
    }
    let named = if case.continuation_ok { text.contains(culprit) } else { line.contains(culprit) };
    if !named {
        p.push(format!("the message does not name {culprit:?}"));
    }
    if case.needs_offset {
        match offset_in(line) {
            None => p.push("the message has no \"offset 0x...\"".into()),
            Some(o) if o > culprit_len as u64 => {
                p.push(format!("offset 0x{o:x} is past the end of {culprit} ({culprit_len} bytes)"))
            }
            Some(_) => {}
        }
    }
    if case.needs_offset {
        let reason = line.rsplit(": ").next().unwrap_or("");
        if reason.trim().len() < 4 {
            p.push(format!("no reason after the last ': ' ({reason:?})"));
        }
    }
    p
}

/// Runs `case` twice: without an output file, then with an existing one
/// that must survive. Returns a description of what went wrong, if anything.
fn run_case(linker: &Path, case: &Case) -> Option<String> {
    let dir = Scratch::new("hostile");
    let out = dir.join("out.wasm");
    let (args, paths) = link_args(case, &dir, &out);
    let culprit_path = paths[case.culprit].display().to_string();
    let (culprit, culprit_len) = match &case.member {
        Some((m, len)) => (format!("{culprit_path}({m})"), *len),
        None => (culprit_path, case.inputs[case.culprit].1.len()),
    };
    let inputs: Vec<String> = case.inputs.iter().chain(&case.extra_files).map(|(n, _)| n.clone()).collect();
    let mut problems = Vec::new();

    let (res, took) = run_limited(linker, &args);
    if std::env::var("WASMLINK_HOSTILE_SHOW").is_ok_and(|v| v == "1") {
        let dir_s = format!("{}/", dir.path().display());
        common::uncaptured_note(&format!("[{}] {}", case.what, res.stderr.trim_end().replace(&dir_s, "")));
    }
    problems.extend(check_rejection(case, linker, &res, took, &culprit, culprit_len));
    if out.exists() {
        problems.push("the output file was created".into());
        let _ = std::fs::remove_file(&out);
    }
    let mut expected = inputs.clone();
    expected.sort();
    let left = dir.entries();
    if left != expected {
        problems.push(format!("files left in the directory: {left:?}, expected only the inputs {expected:?}"));
    }
    let first = res;

    // Again, over an existing output file.
    let previous: &[u8] = b"\0asm previous output, must survive a failed link\n";
    std::fs::write(&out, previous).unwrap();
    let (res2, _) = run_limited(linker, &args);
    if res2.code == Some(0) {
        // Reported above already (same input); just note the overwrite.
        if std::fs::read(&out).ok().as_deref() != Some(previous) {
            problems.push("a successful link replaced the existing output (expected a rejection)".into());
        }
    } else {
        match std::fs::read(&out) {
            Ok(b) if b == previous => {}
            Ok(b) => problems.push(format!("the existing output file was changed ({} bytes now)", b.len())),
            Err(e) => problems.push(format!("the existing output file is gone: {e}")),
        }
    }
    let mut expected2 = expected.clone();
    expected2.push("out.wasm".into());
    expected2.sort();
    let left = dir.entries();
    if left != expected2 {
        problems.push(format!("with an existing output: files left {left:?}, expected {expected2:?}"));
    }
    if problems.is_empty() {
        return None;
    }
    let mut shown_stderr = first.stderr.clone();
    if shown_stderr.len() > 2000 {
        let mut end = 2000;
        while !shown_stderr.is_char_boundary(end) {
            end -= 1;
        }
        shown_stderr.truncate(end);
        shown_stderr.push_str("\n[... cut]");
    }
    Some(format!(
        "{}:\n  - {}\n  status: {}\n  stderr: {}",
        case.what,
        problems.join("\n  - "),
        first.status.map_or("unknown".into(), |s| s.to_string()),
        shown_stderr.trim_end().replace('\n', "\n          ")
    ))
}

/// Runs every case and fails with a summary of all the bad ones.
fn run_matrix(test: &str, cases: Vec<Case>) {
    let linker = linker_under_test();
    let total = cases.len();
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(&linker, c)).collect();
    eprintln!("{test}: {total} cases, {} not rejected properly", failures.len());
    if !failures.is_empty() {
        panic!(
            "{test}: {} of {total} hostile inputs were not rejected properly \
             (exit 1, one `error:` line naming the file and `offset 0x`, no output):\n\n{}",
            failures.len(),
            failures.join("\n\n")
        );
    }
}

// ---------------------------------------------------------------------------
// Helpers over the real objects

/// Ranges (within the code section payload) of each function's chunk
/// (size prefix and body).
fn code_chunks(m: &Module) -> Vec<std::ops::Range<usize>> {
    let p = &m.sections[m.find(SEC_CODE)].payload;
    let mut pos = 0;
    let n = read_uleb(p, &mut pos);
    (0..n)
        .map(|_| {
            let start = pos;
            let size = read_uleb(p, &mut pos) as usize;
            pos += size;
            start..pos
        })
        .collect()
}

/// Ranges (within the data section payload) of each segment's bytes.
fn data_segments(m: &Module) -> Vec<std::ops::Range<usize>> {
    let p = &m.sections[m.find(SEC_DATA)].payload;
    let mut pos = 0;
    let n = read_uleb(p, &mut pos);
    (0..n)
        .map(|_| {
            let flags = read_uleb(p, &mut pos);
            assert_eq!(flags, 0, "only active segments of memory 0 are handled here");
            // i32.const N end
            assert_eq!(p[pos], 0x41);
            pos += 1;
            read_sleb(p, &mut pos);
            assert_eq!(p[pos], 0x0b);
            pos += 1;
            let size = read_uleb(p, &mut pos) as usize;
            let start = pos;
            pos += size;
            start..pos
        })
        .collect()
}

/// An import section entry, decoded enough to be rewritten.
struct ImportEntry {
    module: Vec<u8>,
    field: Vec<u8>,
    /// Kind byte and the raw description after it.
    kind: u8,
    desc: Vec<u8>,
}

fn read_imports(m: &Module) -> Vec<ImportEntry> {
    let p = &m.sections[m.find(SEC_IMPORT)].payload;
    let mut pos = 0;
    let n = read_uleb(p, &mut pos);
    let limits = |pos: &mut usize| {
        let flags = p[*pos];
        *pos += 1;
        read_uleb(p, pos);
        if flags & 1 != 0 {
            read_uleb(p, pos);
        }
    };
    (0..n)
        .map(|_| {
            let module = read_name(p, &mut pos);
            let field = read_name(p, &mut pos);
            let kind = p[pos];
            pos += 1;
            let start = pos;
            match kind {
                0 => {
                    read_uleb(p, &mut pos);
                }
                1 => {
                    pos += 1; // reftype
                    limits(&mut pos);
                }
                2 => limits(&mut pos),
                3 => pos += 2,
                k => panic!("import kind {k}"),
            }
            ImportEntry { module, field, kind, desc: p[start..pos].to_vec() }
        })
        .collect()
}

fn write_imports(m: &mut Module, imports: &[ImportEntry]) {
    let mut out = uleb(imports.len() as u64);
    for i in imports {
        out.extend(name(&i.module));
        out.extend(name(&i.field));
        out.push(i.kind);
        out.extend(&i.desc);
    }
    m.section(SEC_IMPORT).payload = out;
}

/// Edits the import named `field`.
fn edit_import(m: &mut Module, field: &str, f: impl FnOnce(&mut ImportEntry)) {
    let mut imports = read_imports(m);
    let i = imports.iter_mut().find(|i| i.field == field.as_bytes()).unwrap_or_else(|| panic!("no import {field}"));
    f(i);
    write_imports(m, &imports);
}

/// Decoded comdat subsection: (name, flags, members (kind, index)).
type Comdats = Vec<(Vec<u8>, u64, Vec<(u8, u64)>)>;

fn read_comdats(l: &Linking) -> Comdats {
    let b = l.sub(SUB_COMDAT_INFO);
    let mut p = 0;
    let n = read_uleb(b, &mut p);
    (0..n)
        .map(|_| {
            let nm = read_name(b, &mut p);
            let flags = read_uleb(b, &mut p);
            let k = read_uleb(b, &mut p);
            let members = (0..k)
                .map(|_| {
                    let kind = b[p];
                    p += 1;
                    (kind, read_uleb(b, &mut p))
                })
                .collect();
            (nm, flags, members)
        })
        .collect()
}

fn write_comdats(l: &mut Linking, c: &Comdats) {
    let mut out = uleb(c.len() as u64);
    for (nm, flags, members) in c {
        out.extend(name(nm));
        out.extend(uleb(*flags));
        out.extend(uleb(members.len() as u64));
        for (k, i) in members {
            out.push(*k);
            out.extend(uleb(*i));
        }
    }
    *l.sub_mut(SUB_COMDAT_INFO) = out;
}

fn edit_comdats(m: &mut Module, f: impl FnOnce(&mut Comdats)) {
    let mut l = m.linking();
    let mut c = read_comdats(&l);
    f(&mut c);
    write_comdats(&mut l, &c);
    m.set_linking(&l);
}

/// Replaces a vector section's count (the first LEB of its payload).
fn with_count(m: &mut Module, id: u8, count: &[u8]) {
    m.section(id).set_vec_count_raw(count);
}

/// Replaces the count at the start of a custom section's body.
fn with_custom_count(m: &mut Module, sec: &str, count: &[u8]) {
    let body = m.custom(sec).custom_body().to_vec();
    let mut p = 0;
    read_uleb(&body, &mut p);
    let mut nb = count.to_vec();
    nb.extend_from_slice(&body[p..]);
    m.custom(sec).set_custom_body(&nb);
}

/// Replaces the count at the start of a linking subsection.
fn with_sub_count(m: &mut Module, sub: u8, count: &[u8]) {
    let mut l = m.linking();
    let b = l.sub(sub).to_vec();
    let mut p = 0;
    read_uleb(&b, &mut p);
    let mut nb = count.to_vec();
    nb.extend_from_slice(&b[p..]);
    *l.sub_mut(sub) = nb;
    m.set_linking(&l);
}

/// Replaces the reloc.* section's target index / count with raw bytes.
fn reloc_raw(m: &mut Module, sec: &str, target: Option<&[u8]>, count: Option<&[u8]>) {
    let r = m.relocs(sec);
    let mut out = target.map(<[u8]>::to_vec).unwrap_or_else(|| uleb(r.target));
    out.extend(count.map(<[u8]>::to_vec).unwrap_or_else(|| uleb(r.entries.len() as u64)));
    for e in &r.entries {
        out.extend(RelocSection::encode_entry(e));
    }
    m.custom(sec).set_custom_body(&out);
}

// ---------------------------------------------------------------------------
// The matrix

/// The rewriter reproduces every base object byte for byte, and each base
/// input links under the same limits: the failures below are caused by
/// the mutations.
#[test]
fn hostile_bases_are_sound() {
    let linker = linker_under_test();
    for rel in [CMP, EARLY, API, CPP, PICK_MAIN, "errors/dup1.o", "errors/undef.o"] {
        let b = base(rel);
        let m = Module::parse(&b);
        assert_eq!(m.encode(), b, "{rel}: the section rewriter does not round-trip");
        let l = m.linking();
        assert_eq!(Linking::parse(&l.encode()).encode(), l.encode());
        let syms = l.symbols();
        assert_eq!(Sym::encode_table(&syms), l.sub(SUB_SYMBOL_TABLE), "{rel}: symbol table does not round-trip");
        for s in &m.sections {
            if let Some(n) = s.custom_name() {
                if n.starts_with(b"reloc.") {
                    assert_eq!(
                        RelocSection::parse(s.custom_body()).encode(),
                        s.custom_body(),
                        "{rel}: relocations do not round-trip"
                    );
                }
            }
        }
    }
    let (members, symbols) = read_gnu_archive(&base(LIBPICK));
    assert_eq!(gnu_archive(&members, &symbols), base(LIBPICK), "the archive writer does not round-trip libpick.a");

    let mut controls: Vec<Case> = vec![
        Case::object("cmp.o", CMP, base(CMP)),
        Case::object("early.o", EARLY, base(EARLY)),
        Case::object("api.o", API, base(API)),
        Case::object("cpp main.o", CPP, base(CPP)),
        Case::archive("main.o + libpick.a", base(LIBPICK), None),
        Case::archive("main.o + rewritten libpick.a", gnu_archive(&members, &symbols), None),
    ];
    // An unrequested malformed member is never looked at. (main.o defines
    // shared_name itself, so pick_d.o is not needed; it is also dropped
    // from the index to be sure.)
    let mut ms = members.clone();
    let d = ms.iter().position(|m| m.0 == "pick_d.o").unwrap();
    ms[d].1 = b"not an object at all\n".to_vec();
    let syms_no_d: Vec<(String, usize)> = symbols.iter().filter(|s| s.1 != d).cloned().collect();
    let unrequested =
        Case::archive("libpick.a with a text pick_d.o (not requested)", gnu_archive(&ms, &syms_no_d), None);
    controls.push(unrequested);
    // The same members as a thin archive.
    let listed: Vec<(&str, usize)> = members.iter().map(|(n, d)| (n.as_str(), d.len())).collect();
    let mut thin = Case::archive("main.o + thin libpick.a", thin_archive(&listed), None);
    thin.extra_files = members.clone();
    controls.push(thin);
    for c in &controls {
        let dir = Scratch::new("hostile-ok");
        let out = dir.join("out.wasm");
        let (args, _) = link_args(c, &dir, &out);
        let (res, took) = run_limited(&linker, &args);
        assert!(
            res.code == Some(0) && took < WALL_LIMIT,
            "{}: the unmodified input does not link under the limits ({took:?})\n{}",
            c.what,
            res.describe()
        );
        let bytes = std::fs::read(&out).unwrap();
        if let Err(e) = common::validate(&bytes) {
            panic!("{}: output does not validate: {e}", c.what);
        }
    }
}

#[test]
fn hostile_headers_and_section_sizes() {
    let cases = vec![
        Case::raw("bad magic \\0asn", CMP, |b| b[3] = b'n'),
        Case::raw("version 2", CMP, |b| b[4] = 2),
        Case::raw("component-model version/layer", CMP, |b| b[4..8].copy_from_slice(&[0x0d, 0, 1, 0])),
        Case::encode("type section size past the end of the file", CMP, |m| {
            m.encode_with_size(m.find(SEC_TYPE), &uleb(m.encode().len() as u64))
        }),
        Case::encode("code section size past the end of the file", CMP, |m| {
            m.encode_with_size(m.find(SEC_CODE), &uleb(m.encode().len() as u64))
        }),
        Case::encode("linking section size past the end of the file", CMP, |m| {
            m.encode_with_size(m.find_custom("linking"), &uleb(m.encode().len() as u64))
        }),
        Case::encode("last section one byte longer than the file", CMP, |m| {
            let last = m.sections.len() - 1;
            m.encode_with_size(last, &uleb(m.sections[last].payload.len() as u64 + 1))
        }),
        Case::encode("type section size 2^32-1", CMP, |m| m.encode_with_size(m.find(SEC_TYPE), &COUNT_MAX)),
        Case::encode("type section size one byte short", CMP, |m| {
            let i = m.find(SEC_TYPE);
            m.encode_with_size(i, &uleb(m.sections[i].payload.len() as u64 - 1))
        }),
        Case::edit("custom section name longer than the section", CMP, |m| {
            let s = m.custom("producers");
            let body = s.custom_body().to_vec();
            let mut p = uleb(200);
            p.extend_from_slice(b"producers");
            p.extend(body);
            s.payload = p;
        }),
        Case::edit("unknown section id 0x20", CMP, |m| {
            let i = m.find(SEC_TYPE) + 1;
            m.sections.insert(i, Section { id: 0x20, payload: vec![0], size_len: 0 });
        }),
        Case::edit("two type sections", CMP, |m| {
            let i = m.find(SEC_TYPE);
            let t = m.sections[i].clone();
            m.sections.insert(i + 1, t);
        }),
        Case::edit("import section after the function section", CMP, |m| {
            let i = m.find(SEC_IMPORT);
            let s = m.sections.remove(i);
            let f = m.find(SEC_FUNCTION);
            m.sections.insert(f + 1, s);
        }),
        Case::edit("a memory section (objects import their memory)", CMP, |m| {
            let i = m.find(SEC_FUNCTION) + 1;
            m.sections.insert(i, Section { id: 5, payload: vec![1, 0, 1], size_len: 0 });
        }),
    ];
    run_matrix("hostile_headers_and_section_sizes", cases);
}

#[test]
fn hostile_lebs() {
    let six = |v: u64| uleb_padded(v, 6);
    let cases = vec![
        Case::encode("6-byte LEB as the type section size", CMP, |m| {
            let i = m.find(SEC_TYPE);
            m.encode_with_size(i, &six(m.sections[i].payload.len() as u64))
        }),
        Case::encode("5-byte LEB over 32 bits as the type section size", CMP, |m| {
            m.encode_with_size(m.find(SEC_TYPE), &[0xff, 0xff, 0xff, 0xff, 0x7f])
        }),
        Case::encode("6-byte LEB as the linking section size", CMP, |m| {
            let i = m.find_custom("linking");
            m.encode_with_size(i, &six(m.sections[i].payload.len() as u64))
        }),
        Case::edit("6-byte LEB as the type count", CMP, |m| with_count(m, SEC_TYPE, &six(1))),
        Case::edit("6-byte LEB as the function count", CMP, |m| with_count(m, SEC_FUNCTION, &six(8))),
        Case::edit("6-byte LEB as a function's type index", CMP, |m| {
            let p = &mut m.section(SEC_FUNCTION).payload;
            assert_eq!(p[1], 0);
            p.splice(1..2, six(0));
        }),
        Case::edit("6-byte LEB as the linking version", CMP, |m| {
            let mut l = m.linking().encode();
            assert_eq!(l[0], 2);
            l.splice(0..1, six(2));
            m.custom("linking").set_custom_body(&l);
        }),
        Case::edit("6-byte LEB as a linking subsection size", CMP, |m| {
            let l = m.linking();
            let mut out = uleb(l.version);
            for (i, (ty, body)) in l.subs.iter().enumerate() {
                out.push(*ty);
                out.extend(if i == 0 { six(body.len() as u64) } else { uleb(body.len() as u64) });
                out.extend(body);
            }
            m.custom("linking").set_custom_body(&out);
        }),
        Case::edit("6-byte LEB as the symbol count", CMP, |m| {
            let n = m.linking().symbols().len() as u64;
            with_sub_count(m, SUB_SYMBOL_TABLE, &six(n))
        }),
        Case::edit("6-byte LEB as a symbol's flags", CMP, |m| {
            let mut l = m.linking();
            let syms = l.symbols();
            let mut b = uleb(syms.len() as u64);
            for (i, s) in syms.iter().enumerate() {
                let mut e = s.encode();
                if i == 0 {
                    let flags = uleb(u64::from(s.flags));
                    e.splice(1..1 + flags.len(), six(u64::from(s.flags)));
                }
                b.extend(e);
            }
            *l.sub_mut(SUB_SYMBOL_TABLE) = b;
            m.set_linking(&l);
        }),
        Case::edit("6-byte LEB as the relocation count", CMP, |m| {
            let n = m.relocs("reloc.CODE").entries.len() as u64;
            reloc_raw(m, "reloc.CODE", None, Some(&six(n)))
        }),
        Case::edit("6-byte LEB as the relocation target section", CMP, |m| {
            let t = m.relocs("reloc.CODE").target;
            reloc_raw(m, "reloc.CODE", Some(&six(t)), None)
        }),
        Case::edit("6-byte LEB as a relocation offset", CMP, |m| {
            let r = m.relocs("reloc.CODE");
            let mut out = uleb(r.target);
            out.extend(uleb(r.entries.len() as u64));
            for (i, e) in r.entries.iter().enumerate() {
                if i == 0 {
                    out.push(e.ty);
                    out.extend(six(e.offset));
                    out.extend(uleb(e.index));
                    if let Some(a) = e.addend {
                        out.extend(sleb(a));
                    }
                } else {
                    out.extend(RelocSection::encode_entry(e));
                }
            }
            m.custom("reloc.CODE").set_custom_body(&out);
        }),
        Case::edit("11-byte SLEB as a relocation addend", CMP, |m| {
            let r = m.relocs("reloc.DATA");
            let mut out = uleb(r.target);
            out.extend(uleb(r.entries.len() as u64));
            for (i, e) in r.entries.iter().enumerate() {
                if i == 0 {
                    assert!(e.addend.is_some());
                    out.push(e.ty);
                    out.extend(uleb(e.offset));
                    out.extend(uleb(e.index));
                    let mut a = vec![0x80u8; 10];
                    a.push(0);
                    out.extend(a);
                } else {
                    out.extend(RelocSection::encode_entry(e));
                }
            }
            m.custom("reloc.DATA").set_custom_body(&out);
        }),
        Case::edit("LEB cut off at the end of the segment info subsection", CMP, |m| {
            let mut l = m.linking();
            *l.sub_mut(SUB_SEGMENT_INFO) = vec![1, 0x80];
            m.set_linking(&l);
        }),
        Case::edit("LEB cut off at the end of the relocation section", CMP, |m| {
            let mut b = m.custom("reloc.CODE").custom_body().to_vec();
            *b.last_mut().unwrap() |= 0x80;
            m.custom("reloc.CODE").set_custom_body(&b);
        }),
    ];
    run_matrix("hostile_lebs", cases);
}

#[test]
fn hostile_huge_counts() {
    let c = &COUNT_MAX;
    let cases = vec![
        Case::edit("type count 2^32-1", CMP, |m| with_count(m, SEC_TYPE, c)),
        Case::edit("import count 2^32-1", CMP, |m| with_count(m, SEC_IMPORT, c)),
        Case::edit("function count 2^32-1", CMP, |m| with_count(m, SEC_FUNCTION, c)),
        Case::edit("code count 2^32-1", CMP, |m| with_count(m, SEC_CODE, c)),
        Case::edit("data count 2^32-1", CMP, |m| with_count(m, SEC_DATA, c)),
        Case::edit("datacount section value 2^32-1", CMP, |m| m.section(12).payload = c.to_vec()),
        Case::edit("export count 2^32-1", API, |m| with_count(m, SEC_EXPORT, c)),
        Case::edit("symbol count 2^32-1", CMP, |m| with_sub_count(m, SUB_SYMBOL_TABLE, c)),
        Case::edit("segment info count 2^32-1", CMP, |m| with_sub_count(m, SUB_SEGMENT_INFO, c)),
        Case::edit("init function count 2^32-1", EARLY, |m| with_sub_count(m, SUB_INIT_FUNCS, c)),
        Case::edit("comdat count 2^32-1", CPP, |m| with_sub_count(m, SUB_COMDAT_INFO, c)),
        Case::edit("comdat member count 2^32-1", CPP, |m| {
            let mut l = m.linking();
            let b = l.sub(SUB_COMDAT_INFO).to_vec();
            let mut p = 0;
            read_uleb(&b, &mut p);
            read_name(&b, &mut p);
            read_uleb(&b, &mut p); // flags
            let at = p;
            read_uleb(&b, &mut p);
            let mut nb = b[..at].to_vec();
            nb.extend_from_slice(c);
            nb.extend_from_slice(&b[p..]);
            *l.sub_mut(SUB_COMDAT_INFO) = nb;
            m.set_linking(&l);
        }),
        Case::edit("code relocation count 2^32-1", CMP, |m| reloc_raw(m, "reloc.CODE", None, Some(c))),
        Case::edit("data relocation count 2^32-1", CMP, |m| reloc_raw(m, "reloc.DATA", None, Some(c))),
        Case::edit("target_features count 2^32-1", CMP, |m| with_custom_count(m, "target_features", c)),
        Case::edit("producers field count 2^32-1", CMP, |m| with_custom_count(m, "producers", c)),
        Case::edit("symbol name length 2^32-1", CMP, |m| {
            let mut l = m.linking();
            let syms = l.symbols();
            let mut b = uleb(syms.len() as u64);
            let first = syms[0].encode();
            // kind, flags, index, name length...
            let mut p = 1;
            read_uleb(&first, &mut p);
            read_uleb(&first, &mut p);
            let mut e = first[..p].to_vec();
            e.extend_from_slice(c);
            let mut q = p;
            read_uleb(&first, &mut q);
            e.extend_from_slice(&first[q..]);
            b.extend(e);
            for s in &syms[1..] {
                b.extend(s.encode());
            }
            *l.sub_mut(SUB_SYMBOL_TABLE) = b;
            m.set_linking(&l);
        }),
    ];
    run_matrix("hostile_huge_counts", cases);
}

#[test]
fn hostile_indices() {
    let mut cases = vec![
        Case::edit("defined function symbol with function index 99", CMP, |m| {
            m.edit_symbols(|s| {
                assert!(s[0].kind == 0 && !s[0].is_undefined());
                s[0].index = 99;
            })
        }),
        Case::edit("defined function symbol naming an imported function", CMP, |m| m.edit_symbols(|s| s[0].index = 0)),
        Case::edit("undefined function symbol naming a defined function", CMP, |m| {
            m.edit_symbols(|s| {
                assert!(s[4].kind == 0 && s[4].is_undefined());
                s[4].index = 5;
            })
        }),
        Case::edit("undefined global symbol with global index 7", EARLY, |m| {
            m.edit_symbols(|s| {
                let g = s.iter_mut().find(|s| s.kind == 2).unwrap();
                g.index = 7;
            })
        }),
        Case::edit("defined global symbol with no globals defined", EARLY, |m| {
            m.edit_symbols(|s| {
                let g = s.iter_mut().find(|s| s.kind == 2).unwrap();
                g.flags &= !SYM_UNDEFINED;
                g.index = 1;
                g.name = Some(b"g".to_vec());
            })
        }),
        Case::edit("undefined table symbol with table index 3", CMP, |m| {
            m.edit_symbols(|s| {
                let t = s.iter_mut().find(|s| s.kind == 5).unwrap();
                t.index = 3;
            })
        }),
        Case::edit("data symbol in segment 50", CMP, |m| m.edit_symbols(|s| s[9].data.as_mut().unwrap().0 = 50)),
        // A data symbol larger than its segment is accepted, as LLVM's reader
        // does (only the offset must be inside); lld's own tests rely on it.
        Case::edit("data symbol at offset 2^32-1", CMP, |m| {
            m.edit_symbols(|s| s[14].data.as_mut().unwrap().1 = u64::from(u32::MAX))
        }),
        Case::edit("section symbol naming the type section", CMP, |m| {
            m.edit_symbols(|s| s.push(Sym { kind: 3, flags: SYM_LOCAL, index: 0, name: None, data: None }))
        }),
        Case::edit("section symbol naming section 99", CMP, |m| {
            m.edit_symbols(|s| s.push(Sym { kind: 3, flags: SYM_LOCAL, index: 99, name: None, data: None }))
        }),
        Case::edit("section symbol with global binding", CMP, |m| {
            m.sections.push(Section::custom(".comment", b"hello"));
            let sec = (m.sections.len() - 1) as u64;
            m.edit_symbols(|s| s.push(Sym { kind: 3, flags: 0, index: sec, name: None, data: None }))
        }),
        Case::edit("local undefined symbol", CMP, |m| m.edit_symbols(|s| s[4].flags |= SYM_LOCAL)),
        Case::edit("function declared with type 9 (1 type)", CMP, |m| {
            let p = &mut m.section(SEC_FUNCTION).payload;
            assert_eq!(p[1], 0);
            p[1] = 9;
        }),
        Case::edit("imported function with type 9 (1 type)", CMP, |m| edit_import(m, "strcmp", |i| i.desc = uleb(9))),
        Case::edit("export of function 99", API, |m| {
            // count, name, kind 0, index
            let p = m.section(SEC_EXPORT).payload.clone();
            let mut pos = 0;
            let n = read_uleb(&p, &mut pos);
            assert!(n >= 1);
            let nm = read_name(&p, &mut pos);
            assert_eq!(p[pos], 0);
            pos += 1;
            read_uleb(&p, &mut pos);
            let mut out = uleb(n);
            out.extend(name(&nm));
            out.push(0);
            out.extend(uleb(99));
            out.extend_from_slice(&p[pos..]);
            m.section(SEC_EXPORT).payload = out;
        }),
        Case::edit("init function naming symbol 200", EARLY, |m| {
            let mut l = m.linking();
            let mut v = l.init_funcs();
            v[0].1 = 200;
            l.set_init_funcs(&v);
            m.set_linking(&l);
        }),
        Case::edit("init function naming a data symbol", EARLY, |m| {
            let mut l = m.linking();
            let syms = l.symbols();
            let d = syms.iter().position(|s| s.kind == 1).unwrap() as u64;
            let mut v = l.init_funcs();
            v[0].1 = d;
            l.set_init_funcs(&v);
            m.set_linking(&l);
        }),
        Case::edit("comdat member function 99999", CPP, |m| {
            edit_comdats(m, |c| {
                assert_eq!(c[0].2[0].0, 1, "expected a function member");
                c[0].2[0].1 = 99999;
            })
        }),
        Case::edit("comdat member data segment 99999", CPP, |m| edit_comdats(m, |c| c[0].2[0] = (0, 99999))),
        Case::edit("comdat member of kind 9", CPP, |m| edit_comdats(m, |c| c[0].2[0].0 = 9)),
        Case::edit("comdat with flags 1", CPP, |m| edit_comdats(m, |c| c[0].1 = 1)),
        Case::edit("code relocation naming symbol 200", CMP, |m| {
            m.edit_relocs("reloc.CODE", |r| r.entries[0].index = 200)
        }),
        Case::edit("data relocation naming symbol 200", CMP, |m| {
            m.edit_relocs("reloc.DATA", |r| r.entries[0].index = 200)
        }),
        Case::edit("type-index relocation naming type 5 (1 type)", CMP, |m| {
            m.edit_relocs("reloc.CODE", |r| {
                r.entries[0].ty = R_TYPE_INDEX_LEB;
                r.entries[0].index = 5;
            })
        }),
        Case::edit("relocation section for section 40", CMP, |m| m.edit_relocs("reloc.CODE", |r| r.target = 40)),
        Case::edit("relocation section for the type section", CMP, |m| m.edit_relocs("reloc.CODE", |r| r.target = 0)),
        Case::edit("relocation section for the linking section", CMP, |m| {
            let l = m.find_custom("linking") as u64;
            m.edit_relocs("reloc.CODE", |r| r.target = l)
        }),
        Case::edit("segment info for 6 of 7 segments", CMP, |m| {
            let mut l = m.linking();
            let mut v = l.segment_info();
            v.pop();
            l.set_segment_info(&v);
            m.set_linking(&l);
        }),
    ];
    // An undefined function with the name of a data symbol the same object
    // defines (found by the link fuzzer; wasm-ld: "duplicate symbol name").
    let mut kinds = Case::edit("an imported function named like a data symbol of the same object", CMP, |m| {
        edit_import(m, "strcmp", |i| i.field = b"binops".to_vec())
    });
    kinds.needs_offset = false;
    // Reported like wasm-ld's symbol errors: the error line, then `>>>`
    // lines naming both definitions.
    kinds.continuation_ok = true;
    cases.push(kinds);
    run_matrix("hostile_indices", cases);
}

#[test]
fn hostile_relocations() {
    let cases = vec![
        Case::edit("code relocation at offset 0x5000 (section is smaller)", CMP, |m| {
            m.edit_relocs("reloc.CODE", |r| r.entries[0].offset = 0x5000)
        }),
        Case::edit("code relocation at offset 2^32-1", CMP, |m| {
            m.edit_relocs("reloc.CODE", |r| r.entries[0].offset = u64::from(u32::MAX))
        }),
        Case::edit("code relocation ending one byte past the section", CMP, |m| {
            let len = m.sections[m.find(SEC_CODE)].payload.len() as u64;
            m.edit_relocs("reloc.CODE", |r| r.entries[0].offset = len - 4)
        }),
        Case::edit("data relocation at offset 0xffff (section is smaller)", CMP, |m| {
            m.edit_relocs("reloc.DATA", |r| r.entries[0].offset = 0xffff)
        }),
        Case::edit("code relocation straddling the end of a function", CMP, |m| {
            let end = code_chunks(m)[0].end as u64;
            m.edit_relocs("reloc.CODE", |r| r.entries[0].offset = end - 2)
        }),
        Case::edit("code relocation over a function's size prefix", CMP, |m| {
            let start = code_chunks(m)[1].start as u64;
            m.edit_relocs("reloc.CODE", |r| r.entries[0].offset = start)
        }),
        Case::edit("code relocation over the code section's count", CMP, |m| {
            m.edit_relocs("reloc.CODE", |r| r.entries[0].offset = 0)
        }),
        Case::edit("data relocation straddling the end of a segment", CMP, |m| {
            let seg = data_segments(m)[5].clone();
            m.edit_relocs("reloc.DATA", |r| {
                let last = r.entries.last_mut().unwrap();
                assert!((last.offset as usize) >= seg.start && (last.offset as usize) < seg.end);
                last.offset = seg.end as u64 - 2;
            })
        }),
        Case::edit("data relocation over a segment header", CMP, |m| {
            let seg = data_segments(m)[5].clone();
            m.edit_relocs("reloc.DATA", |r| r.entries[0].offset = seg.start as u64 - 3)
        }),
        Case::edit("overlapping data relocations", CMP, |m| {
            m.edit_relocs("reloc.DATA", |r| r.entries[1].offset = r.entries[0].offset + 2)
        }),
        Case::edit("the same data relocation twice", CMP, |m| {
            m.edit_relocs("reloc.DATA", |r| {
                let e = r.entries[0].clone();
                r.entries.insert(1, e);
            })
        }),
        Case::edit("unsorted data relocations", CMP, |m| m.edit_relocs("reloc.DATA", |r| r.entries.swap(0, 1))),
        Case::edit("memory-address relocation naming a function symbol", CMP, |m| {
            m.edit_relocs("reloc.DATA", |r| {
                assert_eq!(r.entries[0].ty, R_MEMORY_ADDR_I32);
                r.entries[0].index = 5;
            })
        }),
        Case::edit("table-index relocation naming a data symbol", CMP, |m| {
            m.edit_relocs("reloc.DATA", |r| {
                assert_eq!(r.entries[1].ty, R_TABLE_INDEX_I32);
                r.entries[1].index = 9;
            })
        }),
        Case::edit("function-index relocation naming a data symbol", CMP, |m| {
            m.edit_relocs("reloc.CODE", |r| r.entries[0].index = 9)
        }),
        // (Against a function or data symbol it is a GOT entry, valid.)
        Case::edit("global-index relocation naming a table symbol", CMP, |m| {
            m.edit_relocs("reloc.CODE", |r| {
                r.entries[0].ty = R_GLOBAL_INDEX_LEB;
                r.entries[0].index = 17;
            })
        }),
        Case::edit("function-index relocation naming a table symbol", CMP, |m| {
            m.edit_relocs("reloc.CODE", |r| r.entries[0].index = 17)
        }),
        Case::edit("unknown relocation type 200", CMP, |m| m.edit_relocs("reloc.CODE", |r| r.entries[0].ty = 200)),
        Case::edit("two relocation sections for the code section", CMP, |m| {
            let i = m.find_custom("reloc.CODE");
            let s = m.sections[i].clone();
            m.sections.insert(i + 1, s);
        }),
        Case::edit("trailing bytes after the relocations", CMP, |m| {
            let mut b = m.custom("reloc.CODE").custom_body().to_vec();
            b.push(0);
            m.custom("reloc.CODE").set_custom_body(&b);
        }),
        Case::edit("relocation count larger than the entries", CMP, |m| {
            let n = m.relocs("reloc.DATA").entries.len() as u64;
            reloc_raw(m, "reloc.DATA", None, Some(&uleb(n + 1)))
        }),
        // Debug-section relocations are decoded only when emit patches
        // them; they must be rejected all the same.
        Case::edit("debug-info relocation at offset 0xffffff (section is smaller)", EARLY, |m| {
            m.edit_relocs("reloc..debug_info", |r| r.entries[0].offset = 0xffffff)
        }),
        Case::edit("debug-info relocation naming symbol 100000", EARLY, |m| {
            m.edit_relocs("reloc..debug_info", |r| r.entries[0].index = 100000)
        }),
        Case::edit("unsorted debug-info relocations", EARLY, |m| {
            m.edit_relocs("reloc..debug_info", |r| r.entries.swap(0, 1))
        }),
        Case::edit("unknown relocation type 200 in a debug section", EARLY, |m| {
            m.edit_relocs("reloc..debug_info", |r| r.entries[0].ty = 200)
        }),
        Case::edit("trailing bytes after the debug-info relocations", EARLY, |m| {
            let mut b = m.custom("reloc..debug_info").custom_body().to_vec();
            b.push(0);
            m.custom("reloc..debug_info").set_custom_body(&b);
        }),
        Case::edit("debug-info relocation count larger than the entries", EARLY, |m| {
            let n = m.relocs("reloc..debug_info").entries.len() as u64;
            reloc_raw(m, "reloc..debug_info", None, Some(&uleb(n + 1)))
        }),
        Case::edit("two relocation sections for .debug_info", EARLY, |m| {
            let i = m.find_custom("reloc..debug_info");
            let s = m.sections[i].clone();
            m.sections.insert(i + 1, s);
        }),
    ];
    run_matrix("hostile_relocations", cases);
}

#[test]
fn hostile_linking_section() {
    let cases = vec![
        Case::edit("linking section version 1", CMP, |m| {
            let mut l = m.linking();
            l.version = 1;
            m.set_linking(&l);
        }),
        Case::edit("linking section version 3", CMP, |m| {
            let mut l = m.linking();
            l.version = 3;
            m.set_linking(&l);
        }),
        Case::edit("two linking sections", CMP, |m| {
            let i = m.find_custom("linking");
            let s = m.sections[i].clone();
            m.sections.insert(i + 1, s);
        }),
        Case::edit("empty linking section", CMP, |m| m.custom("linking").set_custom_body(&[])),
        Case::edit("linking subsection longer than the section", CMP, |m| {
            let l = m.linking();
            let mut out = uleb(l.version);
            let (ty, body) = &l.subs[0];
            out.push(*ty);
            out.extend(uleb(body.len() as u64 + 1000));
            out.extend(body);
            m.custom("linking").set_custom_body(&out);
        }),
        Case::edit("unknown linking subsection type 99", CMP, |m| {
            let mut l = m.linking();
            l.subs.push((99, vec![0]));
            m.set_linking(&l);
        }),
        Case::edit("trailing bytes in the symbol table subsection", CMP, |m| {
            let mut l = m.linking();
            l.sub_mut(SUB_SYMBOL_TABLE).push(0);
            m.set_linking(&l);
        }),
        Case::edit("unknown symbol kind 9", CMP, |m| {
            let mut l = m.linking();
            let mut b = l.sub(SUB_SYMBOL_TABLE).to_vec();
            let mut p = 0;
            read_uleb(&b, &mut p);
            b[p] = 9;
            *l.sub_mut(SUB_SYMBOL_TABLE) = b;
            m.set_linking(&l);
        }),
        Case::edit("no linking section", CMP, |m| {
            let i = m.find_custom("linking");
            m.sections.remove(i);
            for r in ["reloc.CODE", "reloc.DATA"] {
                let j = m.find_custom(r);
                m.sections.remove(j);
            }
        }),
        Case::edit("segment alignment 2^40", CMP, |m| {
            let mut l = m.linking();
            let mut v = l.segment_info();
            v[5].1 = 40;
            l.set_segment_info(&v);
            m.set_linking(&l);
        }),
        // Found by the link fuzzer: accepted by the parser (the limit is
        // 2^31), but no 32-bit memory can hold the layout; the linker used
        // 4 GiB of memory and wrote a module with more than 65536 pages.
        {
            // (--export-all keeps the segment alive.)
            let mut c = Case::edit("segment alignment 2^31 (with --export-all)", CMP, |m| {
                let mut l = m.linking();
                let mut v = l.segment_info();
                v[5].1 = 31;
                l.set_segment_info(&v);
                m.set_linking(&l);
            });
            c.flags.push("--export-all".into());
            c
        },
        Case::edit("segment alignment 2^32-1", CMP, |m| {
            let mut l = m.linking();
            let mut v = l.segment_info();
            v[5].1 = u64::from(u32::MAX);
            l.set_segment_info(&v);
            m.set_linking(&l);
        }),
    ];
    run_matrix("hostile_linking_section", cases);
}

#[test]
fn hostile_names() {
    let bad = |s: &str| {
        let mut v = s.as_bytes().to_vec();
        v.insert(3, 0xff);
        v
    };
    let mut cases = vec![
        Case::edit("invalid UTF-8 in a function symbol name", CMP, |m| {
            m.edit_symbols(|s| s[0].name = Some(bad("cmp_int_asc")))
        }),
        Case::edit("invalid UTF-8 in a data symbol name", CMP, |m| {
            m.edit_symbols(|s| s[14].name = Some(bad("binops")))
        }),
        Case::edit("invalid UTF-8 in an import field name", CMP, |m| {
            edit_import(m, "strcmp", |i| i.field = bad("strcmp"))
        }),
        Case::edit("invalid UTF-8 in an import module name", CMP, |m| {
            edit_import(m, "strcmp", |i| i.module = bad("env"))
        }),
        Case::edit("invalid UTF-8 in an explicit import name of an undefined symbol", CMP, |m| {
            m.edit_symbols(|s| {
                s[4].flags |= SYM_EXPLICIT_NAME;
                s[4].name = Some(bad("strcmp"));
            })
        }),
        Case::edit("invalid UTF-8 in a custom section name", CMP, |m| {
            let s = m.custom("producers");
            let body = s.custom_body().to_vec();
            let mut p = name(&bad("producers"));
            p.extend(body);
            s.payload = p;
        }),
        Case::edit("invalid UTF-8 in a segment name", CMP, |m| {
            let mut l = m.linking();
            let mut v = l.segment_info();
            v[5].0 = bad(".rodata.binops");
            l.set_segment_info(&v);
            m.set_linking(&l);
        }),
        Case::edit("invalid UTF-8 in a comdat name", CPP, |m| edit_comdats(m, |c| c[0].0.insert(3, 0xff))),
        Case::edit("invalid UTF-8 in an export name", API, |m| {
            let p = m.section(SEC_EXPORT).payload.clone();
            let mut pos = 0;
            let n = read_uleb(&p, &mut pos);
            let nm = read_name(&p, &mut pos);
            let mut out = uleb(n);
            out.extend(name(&bad(std::str::from_utf8(&nm).unwrap())));
            out.extend_from_slice(&p[pos..]);
            m.section(SEC_EXPORT).payload = out;
        }),
        Case::edit("invalid UTF-8 in a target feature name", CMP, |m| {
            let b = m.custom("target_features").custom_body().to_vec();
            // count, prefix, name...
            let mut p = 0;
            read_uleb(&b, &mut p);
            p += 1;
            let mut q = p;
            let nm = read_name(&b, &mut q);
            let mut out = b[..p].to_vec();
            out.extend(name(&bad(std::str::from_utf8(&nm).unwrap())));
            out.extend_from_slice(&b[q..]);
            m.custom("target_features").set_custom_body(&out);
        }),
        Case::edit("a newline and an escape sequence in the name of a bad symbol", CMP, |m| {
            m.edit_symbols(|s| {
                s[0].name = Some(b"evil\nname\x1b[31m".to_vec());
                s[0].index = 99;
            })
        }),
        Case::edit("a newline in the name of a badly aligned segment", CMP, |m| {
            let mut l = m.linking();
            let mut v = l.segment_info();
            v[5].0 = b".rodata\nbinops".to_vec();
            v[5].1 = 40;
            l.set_segment_info(&v);
            m.set_linking(&l);
        }),
    ];
    // Legal names with line breaks still give one-line messages when a
    // (non-parse) link error names them.
    let rename = |rel: &str, from: &str, to: &[u8]| {
        let mut m = module(rel);
        m.edit_symbols(|s| {
            let i = s.iter().position(|x| x.name_str() == from).unwrap_or_else(|| panic!("{rel}: no symbol {from}"));
            s[i].name = Some(to.to_vec());
        });
        m.encode()
    };
    let mut dup = Case::new(
        "duplicate symbol whose name has a newline",
        vec![
            ("dup1.o".into(), rename("errors/dup1.o", "dup_fn", b"dup\nfn")),
            ("dup2.o".into(), rename("errors/dup2.o", "dup_fn", b"dup\nfn")),
        ],
        0,
    );
    dup.needs_offset = false;
    dup.continuation_ok = true;
    cases.push(dup);
    let mut undef = Case::new(
        "undefined symbol whose name has an escape sequence",
        vec![("undef.o".into(), {
            // (An explicit symbol name would make it an explicit import,
            // which is allowed to stay undefined; rename the import.)
            let mut m = module("errors/undef.o");
            edit_import(&mut m, "missing_fn", |i| i.field = b"missing\x1b[2Jfn".to_vec());
            m.encode()
        })],
        0,
    );
    undef.needs_offset = false;
    undef.continuation_ok = true;
    undef.allow_undefined = false;
    undef.no_entry = false;
    cases.push(undef);
    run_matrix("hostile_names", cases);
}

#[test]
fn hostile_archives() {
    let ar = base(LIBPICK);
    let (members, symbols) = read_gnu_archive(&ar);
    let member = |n: &str| members.iter().position(|m| m.0 == n).unwrap_or_else(|| panic!("libpick.a has no {n}"));
    // pick_a.o defines pick_a_describe, which main.o calls: it is extracted.
    let a = member("pick_a.o");
    assert!(symbols.iter().any(|s| s.0 == "pick_a_describe" && s.1 == a));
    // Header offsets: [0] is the symbol index, then the members.
    let headers = {
        let mut v = Vec::new();
        let mut pos = 8;
        while pos + 60 <= ar.len() {
            v.push(pos);
            let size: usize = String::from_utf8_lossy(&ar[pos + 48..pos + 58]).trim().parse().unwrap();
            pos += 60 + size + size % 2;
        }
        v
    };
    let last_header = *headers.last().unwrap();
    let with_field = |header: usize, range: std::ops::Range<usize>, value: &str| {
        let mut b = ar.clone();
        let mut v = value.as_bytes().to_vec();
        v.resize(range.len(), b' ');
        b[header + range.start..header + range.end].copy_from_slice(&v);
        b
    };
    let replace = |i: usize, data: Vec<u8>| {
        let mut ms = members.clone();
        ms[i].1 = data;
        gnu_archive(&ms, &symbols)
    };
    let mut cases = vec![
        Case::archive(
            "bad archive magic",
            {
                let mut b = ar.clone();
                b[5] = b'x';
                b
            },
            None,
        ),
        Case::archive(
            "regular archive body behind a thin-archive magic",
            {
                let mut b = ar.clone();
                b[..8].copy_from_slice(b"!<thin>\n");
                b
            },
            None,
        ),
        Case::archive("bad member header terminator", with_field(8, 58..60, "XX"), None),
        Case::archive("non-numeric member size", with_field(8, 48..58, "12a4"), None),
        Case::archive("negative member size", with_field(8, 48..58, "-60"), None),
        Case::archive("member size with a space inside", with_field(8, 48..58, "1 2"), None),
        Case::archive("member size past the end of the archive", with_field(8, 48..58, "9999999"), None),
        Case::archive("member size 9999999999", with_field(8, 48..58, "9999999999"), None),
        Case::archive(
            "last member one byte longer than the archive",
            {
                let size: usize =
                    String::from_utf8_lossy(&ar[last_header + 48..last_header + 58]).trim().parse().unwrap();
                let mut b = with_field(last_header, 48..58, &(size + 1).to_string());
                b.truncate(last_header + 60 + size);
                b
            },
            None,
        ),
        Case::archive(
            "truncated member header at the end",
            {
                let mut b = ar.clone();
                b.extend_from_slice(&ar_header("extra.o/", "10")[..30]);
                b
            },
            None,
        ),
        Case::archive("long name reference past the name table", with_field(headers[1], 0..16, "/999"), None),
        Case::archive(
            "symbol index entry pointing inside a member",
            {
                let mut b = ar.clone();
                let at = 8 + 60 + 4; // first offset of the index
                let off = u32::from_be_bytes(b[at..at + 4].try_into().unwrap()) + 2;
                b[at..at + 4].copy_from_slice(&off.to_be_bytes());
                b
            },
            None,
        ),
        Case::archive(
            "symbol index count 2^32-1",
            {
                let mut b = ar.clone();
                b[8 + 60..8 + 64].copy_from_slice(&u32::MAX.to_be_bytes());
                b
            },
            None,
        ),
        Case::archive(
            "symbol index name without a terminating NUL",
            {
                let mut syms = symbols.clone();
                syms.truncate(1);
                let mut b = gnu_archive(&members, &syms);
                let idx_size: usize = String::from_utf8_lossy(&b[8 + 48..8 + 58]).trim().parse().unwrap();
                // The name's NUL and the padding NULs after it.
                let mut i = 8 + 60 + idx_size - 1;
                while b[i] == 0 {
                    b[i] = b'x';
                    i -= 1;
                }
                b
            },
            None,
        ),
    ];
    // A member that isn't wasm at all is skipped with a warning, as in
    // wasm-ld (archives.rs: text_member_is_skipped_with_a_warning), unless
    // --whole-archive asks for it (below).
    let text = b"This is a text file, not a wasm object.\n".to_vec();
    let text_len = text.len();
    let trunc = members[a].1[..20].to_vec();
    cases.push(Case::archive(
        "truncated object member requested through the symbol index",
        replace(a, trunc),
        Some(("pick_a.o", 20)),
    ));
    let bad_reloc = {
        let mut m = Module::parse(&members[a].1);
        let sec = if m.sections.iter().any(|s| s.custom_name().as_deref() == Some(b"reloc.CODE")) {
            "reloc.CODE"
        } else {
            "reloc.DATA"
        };
        m.edit_relocs(sec, |r| r.entries[0].index = 999);
        m.encode()
    };
    let bad_len = bad_reloc.len();
    cases.push(Case::archive(
        "object member with a bad relocation, requested",
        replace(a, bad_reloc),
        Some(("pick_a.o", bad_len)),
    ));
    let d = member("pick_d.o");
    let mut whole = Case::archive("--whole-archive with a text member", replace(d, text), Some(("pick_d.o", text_len)));
    whole.flags.push("--whole-archive".into());
    cases.push(whole);

    // Thin archives: the members are files next to the archive.
    let thin = |what: &str, members: &[(&str, usize)], files: Vec<(String, Vec<u8>)>, culprit: (&str, usize)| {
        let mut c = Case::archive(what, thin_archive(members), Some(culprit));
        c.extra_files = files;
        c
    };
    let mut missing =
        thin("thin archive naming a missing member file", &[("missing.o", 100)], vec![], ("missing.o", 0));
    missing.needs_offset = false;
    cases.push(missing);
    let trunc = members[a].1[..20].to_vec();
    cases.push(thin(
        "thin archive member that is a truncated object",
        &[("pick_a.o", 20)],
        vec![("pick_a.o".into(), trunc)],
        ("pick_a.o", 20),
    ));
    // The member path comes from the archive: it must not make the linker
    // read an endless file.
    let mut zero = thin("thin archive naming /dev/zero", &[("/dev/zero", 100)], vec![], ("/dev/zero", 100));
    zero.needs_offset = false;
    cases.push(zero);
    run_matrix("hostile_archives", cases);
}

// ---------------------------------------------------------------------------
// Fuzzer findings

/// Every input the fuzzers (fuzz/) found a problem with, linked the way its
/// target used it: `parse_object-*`/`link-*` as an object (`link-*` with
/// wasi-libc's libc.a after it, when installed), `parse_archive-*` as an
/// archive under `--whole-archive`. The linker must exit with status 0 or
/// 1, never panic or die by a signal, and a failure must be one line.
#[test]
fn fuzz_regressions() {
    let dir = common::testdata().join("hostile/fuzz-regressions");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "bin")).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    let linker = linker_under_test();
    let libc = Path::new(common::WASI_LIB_DIR).join("libc.a");
    let mut failures = Vec::new();
    // `link-*` inputs run with the default flags and with the ones that
    // keep everything alive (the link fuzzer picks them per input).
    let runs: Vec<(&PathBuf, &[&str])> = files
        .iter()
        .flat_map(|f| {
            let link = f.file_name().unwrap().to_string_lossy().starts_with("link");
            let flag_sets: &[&[&str]] = if link { &[&[], &["--no-gc-sections", "--export-all"]] } else { &[&[]] };
            flag_sets.iter().map(move |fl| (f, *fl))
        })
        .collect();
    for (f, extra) in runs {
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        let scratch = Scratch::new("fuzz-regression");
        let out = scratch.join("out.wasm");
        let mut args: Vec<OsString> = ["-m", "wasm32", "--no-entry", "--allow-undefined", "--threads=1"]
            .iter()
            .chain(extra)
            .map(OsString::from)
            .collect();
        if stem.starts_with("parse_archive") {
            let p = scratch.join("input.a");
            std::fs::copy(f, &p).unwrap();
            args.push("--whole-archive".into());
            args.push(p.into());
        } else {
            let p = scratch.join("input.o");
            std::fs::copy(f, &p).unwrap();
            args.push(p.into());
            if stem.starts_with("link") && libc.exists() {
                args.push(libc.clone().into());
            }
        }
        args.push("-o".into());
        args.push(out.clone().into());
        let (res, took) = run_limited(&linker, &args);
        let mut p = Vec::new();
        if res.timed_out || took > WALL_LIMIT {
            p.push(format!("took {took:?}"));
        }
        if res.stderr.contains("panicked") {
            p.push("the linker panicked".to_string());
        }
        match res.code {
            Some(0) => {}
            Some(1) => {
                let text = res.stderr.trim_end_matches('\n');
                // One error line, optionally followed by wasm-ld style
                // `>>> ` continuation lines (symbol errors).
                let extra_lines = text.lines().skip(1).any(|l| !l.starts_with(">>> ") && !is_note(l));
                if extra_lines || !text.lines().next().unwrap_or("").contains(": error: ") {
                    p.push("the failure is not one `error:` line".into());
                }
                if out.exists() {
                    p.push("failed but created the output".into());
                }
            }
            _ => p.push(format!("exit status {:?}", res.status)),
        }
        if !p.is_empty() {
            failures.push(format!("{} {extra:?}:\n  - {}\n{}", f.display(), p.join("\n  - "), res.describe()));
        }
    }
    eprintln!("fuzz_regressions: {} inputs", files.len());
    assert!(failures.is_empty(), "{} fuzzer regressions fail:\n\n{}", failures.len(), failures.join("\n\n"));
}

/// A line of wasmlink's explanations under a symbol error (`  --> `,
/// `  = help: `, `  = note: `; tests/diagnostics.rs).
fn is_note(line: &str) -> bool {
    line.starts_with("  --> ") || line.starts_with("  = help: ") || line.starts_with("  = note: ")
}
