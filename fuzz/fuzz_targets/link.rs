//! A whole link through `wasmlink::link`, with the command line's default
//! options plus `--no-entry --allow-undefined`: the fuzzed bytes are
//! one object (seeded with the real objects of testdata/), linked against
//! wasi-libc's `libc.a` (members extracted through its symbol index, as on a
//! real link line). A hash of the input picks `--no-gc-sections` and
//! `--export-all` (half of the inputs each) so the object's own code reaches
//! the output. Every stage must return an error rather than panic, and a
//! successful link of a good input must produce a module that validates
//! (see fuzz/README.md for the oracle).
//!
//! `WASMLINK_FUZZ_LIBC` overrides the archive (default
//! /usr/lib/wasm32-wasi/libc.a).

#![no_main]

use libfuzzer_sys::fuzz_target;
use object_parse::{FileBytes, LoadedFile, LoadedInputs};
use std::sync::OnceLock;

const DEFAULT_LIBC: &str = "/usr/lib/wasm32-wasi/libc.a";

/// The archive's path and bytes, read once for the whole run.
fn libc() -> &'static (String, &'static [u8]) {
    static LIBC: OnceLock<(String, &'static [u8])> = OnceLock::new();
    LIBC.get_or_init(|| {
        let path = std::env::var("WASMLINK_FUZZ_LIBC").unwrap_or_else(|_| DEFAULT_LIBC.to_string());
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("link fuzzer: cannot read {path}: {e}"));
        (path, Box::leak(bytes.into_boxed_slice()))
    })
}

/// One input file of the fuzzed link.
fn input(path: &str, bytes: FileBytes) -> LoadedFile {
    LoadedFile {
        path: path.into(),
        bytes,
        whole_archive: false,
        lib_group: None,
        thin_members: Vec::new(),
        static_only: false,
    }
}

/// The stage a link error comes from, for [`check_message`].
fn stage_of(e: &wasmlink::LinkError) -> &'static str {
    use wasmlink::LinkError as E;
    match e {
        E::Parse(_) => "parse",
        E::Resolve(_) => "resolve",
        E::Layout(_) => "layout",
        E::Merge(_) => "merge",
        E::Types(_) => "types",
        _ => "emit",
    }
}

/// `WASMLINK_FUZZ_VERBOSE=1`: say what each successful link was checked for.
fn verbose() -> bool {
    static V: OnceLock<bool> = OnceLock::new();
    *V.get_or_init(|| std::env::var("WASMLINK_FUZZ_VERBOSE").is_ok_and(|v| v == "1"))
}

fn check_message(stage: &str, msg: String) {
    assert!(!msg.trim().is_empty(), "{stage} failed with an empty message");
    // wasmlink prints `{e:#}`: a message with a line break is not one line.
    if stage == "parse" || std::env::var("WASMLINK_FUZZ_ONE_LINE_ALL_STAGES").is_ok_and(|v| v == "1") {
        assert!(!msg.contains('\n') && !msg.contains('\r'), "{stage} error is not one line: {msg:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let (libc_path, libc_bytes) = libc();
    let inputs = LoadedInputs {
        files: vec![input("fuzz.o", FileBytes::Owned(data.to_vec())), input(libc_path, FileBytes::Static(libc_bytes))],
    };
    let flags = LinkFlags::of(data);
    let config = wasmlink::Config {
        entry: None,
        allow_undefined: true,
        gc_sections: flags.gc_sections,
        export_all: flags.export_all,
        ..Default::default()
    };
    let bytes = match wasmlink::link(&config, &inputs) {
        Ok(linked) => linked.bytes,
        Err(e) => return check_message(stage_of(&e), e.to_string()),
    };
    // An invalid output is the linker's fault only if the input was good:
    // fully valid and with its relocation sites holding the values the
    // relocations describe (compilers write them that way; a linker that
    // patches a relocation site trusts it, as wasm-ld does). For an input
    // that is valid apart from its function bodies, everything but the
    // function bodies of the output must validate.
    let strict = validate(data, true).is_ok() && relocation_sites_consistent(data) && index_immediates_relocated(data);
    let lenient = strict || validate(data, false).is_ok();
    if verbose() {
        eprintln!(
            "link ok ({}): {} bytes out, input strict={strict} lenient={lenient}",
            flags.args().join(" "),
            bytes.len()
        );
    }
    let verdict = if strict {
        validate(&bytes, true)
    } else if lenient {
        validate(&bytes, false)
    } else {
        Ok(())
    };
    if let Err(e) = verdict {
        if let Ok(dir) = std::env::var("WASMLINK_FUZZ_DUMP") {
            let _ = std::fs::write(format!("{dir}/invalid-output.wasm"), &bytes);
        }
        // Ask the reference linker: if it too produces an invalid module
        // from this input, the input is garbage in (e.g. code whose index
        // immediates carry no relocation) and not a wasmlink bug.
        let what = if strict { "a valid, consistent input" } else { "an input valid apart from its function bodies" };
        match reference_link(data, libc_path, strict, flags) {
            Reference::AlsoInvalid => {
                let n = GARBAGE_IN.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if n.is_power_of_two() {
                    eprintln!("link fuzzer: {n} inputs where wasm-ld also produced an invalid module (not reported)");
                }
            }
            Reference::Valid => {
                panic!("a successful link of {what} produced an invalid module ({e}) where wasm-ld's output is valid")
            }
            Reference::Rejected(msg) => {
                panic!("a successful link of {what} produced an invalid module ({e}); wasm-ld rejects the input: {msg}")
            }
            Reference::Unavailable(msg) => panic!(
                "a successful link of {what} produced an invalid module ({e}) [reference linker unavailable: {msg}]"
            ),
        }
    }
});

static GARBAGE_IN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

enum Reference {
    /// The reference linker's output validates too (at the same level).
    Valid,
    /// The reference linker's output is invalid as well.
    AlsoInvalid,
    /// The reference linker fails (its first stderr line).
    Rejected(String),
    /// The reference linker could not be run.
    Unavailable(String),
}

/// Link options picked by a hash of the input, so that the mutated
/// object's own code also reaches the output (`--export-all`,
/// `--no-gc-sections`) and not only what libc contributes.
#[derive(Clone, Copy)]
struct LinkFlags {
    gc_sections: bool,
    export_all: bool,
}

impl LinkFlags {
    fn of(data: &[u8]) -> LinkFlags {
        let h = data.iter().fold(0xcbf29ce484222325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3));
        LinkFlags { gc_sections: h & 1 == 0, export_all: h & 2 != 0 }
    }

    fn args(self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if !self.gc_sections {
            v.push("--no-gc-sections");
        }
        if self.export_all {
            v.push("--export-all");
        }
        v
    }
}

/// Links `data` the same way with wasm-ld (`WASMLINK_FUZZ_REFERENCE`,
/// default /usr/bin/wasm-ld-22) and checks its output at the same level.
fn reference_link(data: &[u8], libc: &str, strict: bool, flags: LinkFlags) -> Reference {
    let ld = std::env::var("WASMLINK_FUZZ_REFERENCE").unwrap_or_else(|_| "/usr/bin/wasm-ld-22".into());
    let dir = std::env::temp_dir().join(format!("wasmlink-fuzz-ref-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return Reference::Unavailable(format!("{}: {e}", dir.display()));
    }
    let (input, out) = (dir.join("in.o"), dir.join("out.wasm"));
    let _ = std::fs::remove_file(&out);
    if let Err(e) = std::fs::write(&input, data) {
        return Reference::Unavailable(format!("{}: {e}", input.display()));
    }
    let res = std::process::Command::new(&ld)
        .args(["-m", "wasm32", "--no-entry", "--allow-undefined"])
        .args(flags.args())
        .arg(&input)
        .arg(libc)
        .arg("-o")
        .arg(&out)
        .output();
    let res = match res {
        Ok(r) => r,
        Err(e) => return Reference::Unavailable(format!("{ld}: {e}")),
    };
    if !res.status.success() {
        let err = String::from_utf8_lossy(&res.stderr);
        return Reference::Rejected(err.lines().next().unwrap_or("").to_string());
    }
    match std::fs::read(&out) {
        Ok(b) if validate(&b, strict).is_ok() => Reference::Valid,
        Ok(_) => Reference::AlsoInvalid,
        Err(e) => Reference::Unavailable(format!("no output from {ld}: {e}")),
    }
}

/// Validates a module (all features); with `bodies == false` the function
/// bodies are not validated.
fn validate(bytes: &[u8], bodies: bool) -> Result<(), wasmparser::BinaryReaderError> {
    use wasmparser::{FuncValidatorAllocations, Parser, ValidPayload, Validator, WasmFeatures};
    let mut v = Validator::new_with_features(WasmFeatures::all());
    let mut allocs = FuncValidatorAllocations::default();
    for p in Parser::new(0).parse_all(bytes) {
        let p = p?;
        if let ValidPayload::Func(f, body) = v.payload(&p)? {
            if bodies {
                let mut fv = f.into_validator(std::mem::take(&mut allocs));
                fv.validate(&body)?;
                allocs = fv.into_allocations();
            }
        }
    }
    Ok(())
}

/// True when every `call`, `return_call`, `call_indirect` (its type),
/// `global.get`/`global.set`, `ref.func` and `throw` immediate in the code
/// carries a relocation: otherwise the linker copies an object-local index
/// into the output unchanged (as wasm-ld does), e.g. after a mutation
/// renamed `reloc.CODE`.
fn index_immediates_relocated(data: &[u8]) -> bool {
    use wasmparser::{Operator as O, Parser, Payload};
    let Ok(obj) = object_parse::parse_object(data, "fuzz.o") else {
        return false;
    };
    let relocs: std::collections::HashSet<usize> = obj.code_relocs.iter().map(|r| r.offset as usize).collect();
    let mut code_start = 0usize;
    for p in Parser::new(0).parse_all(data) {
        let Ok(p) = p else { return false };
        match p {
            Payload::CodeSectionStart { unchecked_range, .. } => code_start = unchecked_range.start as usize,
            Payload::CodeSectionEntry(body) => {
                let Ok(mut ops) = body.get_operators_reader() else {
                    return false;
                };
                while !ops.eof() {
                    let Ok((op, at)) = ops.read_with_offset() else {
                        return false;
                    };
                    let indexed = matches!(
                        op,
                        O::Call { .. }
                            | O::ReturnCall { .. }
                            | O::CallIndirect { .. }
                            | O::ReturnCallIndirect { .. }
                            | O::GlobalGet { .. }
                            | O::GlobalSet { .. }
                            | O::RefFunc { .. }
                            | O::Throw { .. }
                    );
                    if indexed && !(at as usize + 1).checked_sub(code_start).is_some_and(|o| relocs.contains(&o)) {
                        return false;
                    }
                }
            }
            _ => {}
        }
    }
    true
}

/// Reads an unsigned LEB128 at the start of `b`: (value, length).
fn read_uleb(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &x) in b.iter().enumerate().take(10) {
        v |= u64::from(x & 0x7f) << (7 * i);
        if x & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// True when every code relocation of the object patches a padded LEB of
/// the relocation's width and, for index relocations, that LEB already holds
/// the object-local index the relocation names.
fn relocation_sites_consistent(data: &[u8]) -> bool {
    use object_parse::{FieldEncoding, RelocType as T, SymbolKind as K};
    let Ok(obj) = object_parse::parse_object(data, "fuzz.o") else {
        return false;
    };
    for f in &obj.functions {
        for r in &obj.code_relocs[f.relocs.clone()] {
            let Some(at) = (r.offset as usize).checked_sub(f.section_offset as usize) else {
                return false;
            };
            let Some(site) = f.chunk.get(at..) else {
                return false;
            };
            let width = r.ty.encoding().width();
            let leb = matches!(
                r.ty.encoding(),
                FieldEncoding::Uleb32 | FieldEncoding::Sleb32 | FieldEncoding::Uleb64 | FieldEncoding::Sleb64
            );
            if !leb {
                continue;
            }
            let Some((value, len)) = read_uleb(site) else {
                return false;
            };
            if len != width {
                return false;
            }
            let sym = obj.linking.symbols.get(r.index as usize).map(|s| s.kind);
            let expected = match (r.ty, sym) {
                (T::TypeIndexLeb, _) => Some(r.index),
                (T::FunctionIndexLeb, Some(K::Function(i))) => Some(i.0),
                (T::GlobalIndexLeb, Some(K::Global(i))) => Some(i),
                (T::TagIndexLeb, Some(K::Tag(i))) => Some(i),
                (T::TableNumberLeb, Some(K::Table(i))) => Some(i),
                _ => None,
            };
            if let Some(e) = expected {
                if value != u64::from(e) {
                    return false;
                }
            }
        }
    }
    true
}
