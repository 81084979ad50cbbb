//! Every option wasmlink accepts, each observed in the output: the same
//! command line is linked by wasmlink and by wasm-ld-22, both modules are
//! read back ([`common::module_facts`]) and compared, and a fixed
//! expectation that differs from the link without the option makes sure the
//! test cannot pass with the option ignored by both linkers.
//!
//! The objects are in `testdata/options` (rebuilt by its `regen.sh`); links
//! run with that directory as the working directory, so inputs are named
//! relatively (as in wasm-ld's messages and `--print-gc-sections` lines).
//! Both linkers write `out.wasm` (in different directories): wasm-ld puts the
//! output's file name into the "name" section.
//!
//! Options with no effect by design (`-O<n>`, `--threads`,
//! `--unresolved-symbols=report-all`, ...) are checked to be accepted and to
//! give the default output byte for byte.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::module_facts::{module_facts, Limits, ModuleFacts};
use crate::common::*;

/// `testdata/options`, the working directory of every link here.
fn options_dir() -> PathBuf {
    testdata().join("options")
}

/// One link: the process result and, when it succeeded, the module.
struct Linked {
    res: ProcOutput,
    bytes: Option<Vec<u8>>,
}

impl Linked {
    fn succeeded(&self) -> bool {
        self.res.code == Some(0) && self.bytes.is_some()
    }
    fn bytes(&self, what: &str) -> &[u8] {
        assert!(self.succeeded(), "{what}: link failed\n{}", self.res.describe());
        self.bytes.as_deref().unwrap()
    }
    fn facts(&self, what: &str) -> ModuleFacts {
        module_facts(self.bytes(what))
    }
}

/// Runs `linker args... -o dir/out.wasm` in `testdata/options` (`-o` is left
/// out when `args` already contain one).
fn link_into(linker: &Path, dir: &Path, args: &[&str]) -> Linked {
    std::fs::create_dir_all(dir).unwrap();
    let out = dir.join("out.wasm");
    let mut cmd = Command::new(linker);
    cmd.current_dir(options_dir()).args(args);
    if !args.contains(&"-o") {
        cmd.arg("-o").arg(&out);
    }
    let res = run_process(&mut cmd);
    assert!(!res.stderr.contains("panicked"), "linker panicked\n{}", res.describe());
    let bytes = if res.code == Some(0) { std::fs::read(&out).ok() } else { None };
    Linked { res, bytes }
}

/// The same command line linked by wasmlink and, when installed, wasm-ld-22
/// (a missing wasm-ld-22 fails under `WASMLINK_REQUIRE_TOOLCHAIN=1`, see
/// [`reference_linker`]).
struct Pair {
    what: String,
    ours: Linked,
    theirs: Option<Linked>,
    _scratch: Scratch,
}

fn link_pair(test: &str, args: &[&str]) -> Pair {
    let what = format!("{test}: {}", args.join(" "));
    let scratch = Scratch::new(test);
    let ours = link_into(&linker_under_test(), &scratch.join("wasmlink"), args);
    if let Some(bytes) = &ours.bytes {
        // The default features, and custom page sizes for `--page-size=1`.
        let features = wasmparser::WasmFeatures::default() | wasmparser::WasmFeatures::CUSTOM_PAGE_SIZES;
        validate_with(bytes, features).unwrap_or_else(|e| panic!("{what}: wasmlink output does not validate: {e}"));
    }
    let theirs = match reference_linker() {
        Some(r) => Some(link_into(&r, &scratch.join("wasm-ld-22"), args)),
        None => {
            uncaptured_note(&format!("NOTE: {what}: {WASM_LD_22} not installed; comparison skipped"));
            None
        }
    };
    Pair { what, ours, theirs, _scratch: scratch }
}

/// Links `args` with both linkers, requires both to succeed, and returns
/// wasmlink's facts after checking they equal wasm-ld-22's.
fn facts(test: &str, args: &[&str]) -> ModuleFacts {
    facts_except(test, args, |_| {})
}

/// [`facts`], comparing only what is left after `mask` ran on both sides:
/// for facts where the linkers legitimately differ (each call site says why).
fn facts_except(test: &str, args: &[&str], mask: fn(&mut ModuleFacts)) -> ModuleFacts {
    let pair = link_pair(test, args);
    let ours = pair.ours.facts(&format!("{} (wasmlink)", pair.what));
    if let Some(theirs) = &pair.theirs {
        let theirs = theirs.facts(&format!("{} (wasm-ld-22)", pair.what));
        let (mut a, mut b) = (ours.clone(), theirs);
        mask(&mut a);
        mask(&mut b);
        assert_eq!(a, b, "{}: wasmlink's output (left) differs from wasm-ld-22's (right)", pair.what);
    }
    ours
}

/// Links `args` with both linkers and requires both to fail with exit status
/// 1; wasmlink must write no output and print `needle` on stderr (wasm-ld-22
/// must print `ref_needle`). Returns wasmlink's stderr.
fn both_fail(test: &str, args: &[&str], needle: &str, ref_needle: &str) -> String {
    let pair = link_pair(test, args);
    let r = &pair.ours.res;
    assert_eq!(r.code, Some(1), "{}: wasmlink should fail\n{}", pair.what, r.describe());
    assert!(pair.ours.bytes.is_none(), "{}: wasmlink failed but wrote an output", pair.what);
    assert!(r.stderr.contains(needle), "{}: wasmlink's stderr lacks {needle:?}\n{}", pair.what, r.describe());
    if let Some(theirs) = &pair.theirs {
        let t = &theirs.res;
        assert_eq!(t.code, Some(1), "{}: wasm-ld-22 should fail too\n{}", pair.what, t.describe());
        assert!(
            t.stderr.contains(ref_needle),
            "{}: wasm-ld-22's stderr lacks {ref_needle:?}\n{}",
            pair.what,
            t.describe()
        );
    }
    r.stderr.clone()
}

/// wasmlink's output bytes for `args` (which must link).
fn our_bytes(test: &str, args: &[&str]) -> Vec<u8> {
    let scratch = Scratch::new(test);
    let linked = link_into(&linker_under_test(), &scratch.join("out"), args);
    linked.bytes(&format!("{test}: {}", args.join(" "))).to_vec()
}

/// wasmlink's process result for `args`.
fn our_run(test: &str, args: &[&str]) -> ProcOutput {
    let scratch = Scratch::new(test);
    link_into(&linker_under_test(), &scratch.join("out"), args).res
}

/// Instantiates a module without imports and calls its `run: () -> i32`.
fn call_run(bytes: &[u8]) -> i32 {
    let engine = engine();
    let module = wasmtime::Module::new(engine, bytes).expect("compiling the module");
    let mut store = wasmtime::Store::new(engine, ());
    store.set_epoch_deadline(600);
    let instance = wasmtime::Instance::new(&mut store, &module, &[]).expect("instantiating the module");
    let run = instance.get_typed_func::<(), i32>(&mut store, "run").expect("a `run: () -> i32` export");
    run.call(&mut store, ()).expect("calling run")
}

/// Writes `text` to a file in a fresh scratch directory (kept alive by the
/// returned guard) and returns its absolute path.
fn temp_file(test: &str, name: &str, text: &str) -> (Scratch, String) {
    let s = Scratch::new(test);
    let p = s.join(name);
    std::fs::write(&p, text).unwrap();
    let p = p.to_string_lossy().into_owned();
    (s, p)
}

/// The base line of most tests: `opts.o` as a library module.
const OPTS: [&str; 2] = ["--no-entry", "opts.o"];

fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(extra).copied().collect()
}

// ---------------------------------------------------------------------------
// Exports

/// `--export-dynamic` exports every defined default-visibility symbol
/// (`visible_fn`, `counter` as a global holding its address) but no hidden
/// one; `--no-export-dynamic` after it turns it off again.
#[test]
fn export_dynamic_exports_visible_definitions() {
    let base = facts("export_dynamic", &OPTS);
    assert!(!base.has_export("visible_fn"), "visible_fn is not exported by default: {:?}", base.exports);
    let f = facts("export_dynamic", &with(&OPTS, &["--export-dynamic"]));
    for e in ["visible_fn func", "counter global", "run func"] {
        assert!(f.exports.iter().any(|x| x == e), "--export-dynamic should export {e:?}: {:?}", f.exports);
    }
    for hidden in ["hidden_fn", "message", "fptr"] {
        assert!(!f.has_export(hidden), "hidden {hidden} stays unexported: {:?}", f.exports);
    }
    let off = facts("export_dynamic", &with(&OPTS, &["--export-dynamic", "--no-export-dynamic"]));
    assert_eq!(off.exports, base.exports, "--no-export-dynamic undoes --export-dynamic");
}

/// `--export-dynamic` also exports the non-hidden linker-defined
/// `__stack_pointer` in wasm-ld-22.
#[test]
fn export_dynamic_linker_symbols() {
    let f = facts("export_dynamic_linker", &with(&OPTS, &["--export-dynamic"]));
    assert!(f.exports.iter().any(|e| e == "__stack_pointer global"), "{:?}", f.exports);
    // Without the mutable-globals feature the mutable stack pointer stays
    // unexported, even under --export-all.
    for opt in ["--export-dynamic", "--export-all"] {
        let f = facts(
            "export_dynamic_linker",
            &with(&OPTS, &[opt, "--features=sign-ext,multivalue", "--no-check-features"]),
        );
        assert!(!f.has_export("__stack_pointer"), "{opt}: {:?}", f.exports);
    }
}

/// `--export-all` exports hidden definitions too (`hidden_fn`, even the
/// otherwise dead `dead_hidden_fn`, `message`, `fptr`).
#[test]
fn export_all_exports_hidden_symbols() {
    let base = facts("export_all", &OPTS);
    assert!(!base.has_export("hidden_fn") && !base.has_export("message"));
    let f = facts("export_all", &with(&OPTS, &["--export-all"]));
    for e in ["hidden_fn", "dead_hidden_fn", "visible_fn", "counter", "message", "fptr", "zeroes"] {
        assert!(f.has_export(e), "--export-all should export {e}: {:?}", f.exports);
    }
}

/// `--export-all` also exports the linker-defined symbols in wasm-ld-22:
/// `__heap_base`, `__data_end`, `__stack_pointer`, `__wasm_call_ctors`, the
/// table, ... (the full comparison).
#[test]
fn export_all_linker_symbols() {
    let f = facts("export_all_linker", &with(&OPTS, &["--export-all"]));
    for e in ["__heap_base", "__data_end", "__stack_pointer", "__wasm_call_ctors", "__indirect_function_table"] {
        assert!(f.has_export(e), "--export-all should export {e}: {:?}", f.exports);
    }
}

/// `--export=NAME` exports that symbol (and keeps it alive); an undefined
/// name is an error.
#[test]
fn export_names_one_symbol() {
    let base = facts("export", &OPTS);
    assert!(!base.has_export("visible_fn") && !base.has_function("visible_fn"));
    let f = facts("export", &with(&OPTS, &["--export=visible_fn", "--export", "__heap_base"]));
    assert!(f.has_export("visible_fn") && f.has_function("visible_fn"), "{:?}", f.exports);
    assert!(f.exports.iter().any(|e| e == "__heap_base global"), "{:?}", f.exports);
    assert_eq!(f.exports.len(), base.exports.len() + 2, "exactly two more exports: {:?}", f.exports);
    both_fail(
        "export",
        &with(&OPTS, &["--export=nonexistent"]),
        "nonexistent",
        "symbol exported via --export not found: nonexistent",
    );
}

/// `--entry NAME` / `-e NAME` exports NAME as the entry (and keeps it);
/// without `--entry` or `--no-entry` the link needs `_start`; `--no-entry`
/// lifts that requirement.
#[test]
fn entry_and_no_entry() {
    both_fail("entry", &["opts.o"], "_start", "entry symbol not defined (pass --no-entry to suppress): _start");
    let no_entry = facts("entry", &OPTS);
    assert!(!no_entry.has_export("visible_fn") && !no_entry.has_export("_start"));
    for form in [&["--entry", "visible_fn"][..], &["--entry=visible_fn"], &["-e", "visible_fn"]] {
        let f = facts("entry", &with(&["opts.o"], form));
        assert!(f.has_export("visible_fn"), "{form:?} exports the entry: {:?}", f.exports);
    }
    both_fail("entry", &["opts.o", "--entry=missing_entry"], "missing_entry", "missing_entry");
}

// ---------------------------------------------------------------------------
// Memory and table

/// `--import-memory` imports `env.memory` instead of defining and exporting
/// it (and writes `.bss`, which an imported memory may not have zeroed);
/// `=FIELD` and `=MODULE,FIELD` rename the import.
#[test]
fn import_memory_and_its_name() {
    let base = facts("import_memory", &OPTS);
    assert!(base.imports.is_empty() && base.has_export("memory"));
    assert!(!base.segment_names().contains(&".bss"));
    for (opt, import) in [
        ("--import-memory", "env.memory memory"),
        ("--import-memory=mem", "env.mem memory"),
        ("--import-memory=host,heap", "host.heap memory"),
    ] {
        let f = facts("import_memory", &with(&OPTS, &[opt]));
        assert_eq!(f.imports, [import], "{opt}");
        assert!(!f.has_export("memory"), "{opt}: the memory is not exported: {:?}", f.exports);
        assert!(f.segment_names().contains(&".bss"), "{opt}: .bss is written: {:?}", f.segments);
        assert_eq!(f.memory, base.memory, "{opt}: same limits");
    }
}

/// `threads.o` (built with atomics and bulk memory: TLS, `.data`, `.bss`)
/// as a library exporting its functions.
/// (`tl_init`, which calls `__wasm_init_tls`, only with `--shared-memory`:
/// nothing defines it otherwise.)
const THREADS: [&str; 5] = ["--no-entry", "threads.o", "--export=tl_get", "--export=tl_set", "--export=tl_address"];

/// `--shared-memory`: the memory is shared with its maximum at its initial
/// size, every data segment passive (`.bss` not written), copied in by
/// `__wasm_init_memory` (the start function, with a data count), and
/// `__wasm_init_tls` (referenced by `tl_init`) and `__wasm_apply_tls_relocs`
/// (`.tdata` has a relocation) written; `__tls_base` starts at 0.
#[test]
fn shared_memory() {
    let base = facts("shared_memory", &THREADS);
    assert!(!base.memory_shared && base.start.is_none() && base.data_count.is_none());
    assert!(base.segments.iter().all(|s| !s.passive), "{:?}", base.segments);
    assert_eq!(base.memory, Some(Limits { min: 2, max: None }));
    assert!(!base.has_function("__wasm_init_tls"), "{:?}", base.function_names);

    let f = facts("shared_memory", &with(&THREADS, &["--shared-memory", "--export=tl_init"]));
    assert!(f.memory_shared);
    assert_eq!(f.memory, Some(Limits { min: 2, max: Some(2) }));
    assert_eq!(f.start.as_deref(), Some("__wasm_init_memory"));
    assert_eq!(f.segment_names(), [".tdata", ".data"]);
    assert!(f.segments.iter().all(|s| s.passive && s.offset.is_none()), "{:?}", f.segments);
    assert_eq!(f.data_count, Some(2));
    for name in ["__wasm_init_memory", "__wasm_init_tls", "__wasm_apply_tls_relocs"] {
        assert!(f.has_function(name), "{name}: {:?}", f.function_names);
    }
    assert_eq!(f.global("__tls_base"), Some(0));

    let f = facts("shared_memory", &with(&THREADS, &["--shared-memory", "--max-memory=1048576"]));
    assert_eq!(f.memory, Some(Limits { min: 2, max: Some(16) }));
}

/// `--shared-memory --import-memory` imports a shared memory; `.bss` is
/// zeroed by `__wasm_init_memory`, not written. Without shared memory an
/// imported memory's `.bss` is zeroed the same way when the inputs have
/// bulk memory (a start function with `memory.fill`, active segments).
#[test]
fn shared_memory_imported() {
    let f =
        facts("shared_memory_imported", &with(&THREADS, &["--shared-memory", "--import-memory", "--export=tl_init"]));
    assert_eq!(f.imports, ["env.memory memory"]);
    assert!(f.memory_shared);
    assert_eq!(f.memory, Some(Limits { min: 2, max: Some(2) }));
    assert_eq!(f.segment_names(), [".tdata", ".data"]);
    assert_eq!(f.start.as_deref(), Some("__wasm_init_memory"));

    let f = facts("shared_memory_imported", &with(&THREADS, &["--import-memory"]));
    assert!(!f.memory_shared);
    assert_eq!(f.start.as_deref(), Some("__wasm_init_memory"));
    assert_eq!(f.segment_names(), [".tdata", ".data"], "no .bss: memory.fill zeroes it");
    assert!(f.segments.iter().all(|s| !s.passive), "{:?}", f.segments);
    assert_eq!(f.data_count, None);
}

/// `--shared-memory` needs the `atomics` and `bulk-memory` features, which
/// `opts.o` (built without them) lacks; `--extra-features` supplies them.
/// (An input that disallows `shared-mem`, as TLS built without atomics does,
/// is checked by lld's shared-memory-no-atomics.yaml.)
#[test]
fn shared_memory_needs_atomics() {
    let err = both_fail(
        "shared_memory_atomics",
        &with(&OPTS, &["--shared-memory"]),
        "'atomics' feature must be used in order to use shared memory",
        "'atomics' feature must be used in order to use shared memory",
    );
    assert!(err.contains("'bulk-memory' feature must be used in order to use shared memory"), "{err}");
    let f = facts("shared_memory_atomics", &with(&OPTS, &["--shared-memory", "--extra-features=atomics,bulk-memory"]));
    assert!(f.memory_shared && f.target_features.contains(&"+atomics".to_string()), "{:?}", f.target_features);
}

/// `opts.c` and `threads.c` built for wasm64 (`opts64.o`, `threads64.o`).
const OPTS64: [&str; 2] = ["--no-entry", "opts64.o"];

/// `-m wasm64` / `-mwasm64`: a 64-bit memory and indirect function table,
/// i64 address globals (`__stack_pointer`, exported `__heap_base`), data
/// at `i64.const` offsets; the module runs (`run(1)` = 2 + 7 + 0 + 'e').
/// Without `-m` the same link fails (see `m_wasm64_architecture_errors`),
/// and the wasm32 link of `opts.o` has none of this.
#[test]
fn m_wasm64() {
    let base = facts("m_wasm64", &with(&OPTS, &["--export=__heap_base"]));
    assert!(!base.memory64 && !base.table64, "{base:?}");
    assert_eq!(base.global_types, ["i32 mut", "i32"]);
    for m in [&["-m", "wasm64"][..], &["-mwasm64"]] {
        let args: Vec<&str> = m.iter().chain(&OPTS64).chain(&["--export=__heap_base"]).copied().collect();
        let f = facts("m_wasm64", &args);
        assert!(f.memory64 && f.table64, "{m:?}: 64-bit memory and table: {f:?}");
        assert_eq!(f.global_types, ["i64 mut", "i64"], "{m:?}: __stack_pointer, __heap_base");
        assert_eq!(f.global("__heap_base"), base.global("__heap_base"), "{m:?}: same layout");
        assert_eq!(f.memory, base.memory, "{m:?}");
        assert_eq!(f.table, Some(Limits { min: 2, max: Some(2) }), "{m:?}");
        assert_eq!(f.segments.iter().map(|s| s.offset).collect::<Vec<_>>(), [Some(65536), Some(65544)], "{m:?}");
        assert!(f.target_features.contains(&"+memory64".to_string()), "{m:?}: {:?}", f.target_features);
    }
    // A 64-bit memory may be up to 16 GiB (wasm-ld's limit), not 4 GiB.
    let f = facts("m_wasm64", &with(&["-mwasm64", "--max-memory=17179869184"], &OPTS64));
    assert_eq!(f.memory, Some(Limits { min: 2, max: Some(262144) }));
    let too_large = "maximum memory too large, cannot be greater than 17179869184";
    both_fail("m_wasm64", &with(&["-mwasm64", "--max-memory=34359738368"], &OPTS64), too_large, too_large);
    let bytes = our_bytes("m_wasm64", &with(&["-mwasm64"], &OPTS64));
    let engine = engine();
    let module = wasmtime::Module::new(engine, &bytes).expect("compiling the module");
    let mut store = wasmtime::Store::new(engine, ());
    store.set_epoch_deadline(600);
    let instance = wasmtime::Instance::new(&mut store, &module, &[]).expect("instantiating the module");
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run").expect("a `run: (i32) -> i32` export");
    assert_eq!(run.call(&mut store, 1).expect("calling run"), 2 + 7 + 101);
}

/// wasm-ld's architecture checks, made as each file is read (the first
/// file of the wrong kind is named and the link stops): a wasm64 object
/// needs `-mwasm64`; with `-m`, every object must match it (wasm-ld's one
/// wording for both directions); `-m` takes only `wasm32` and `wasm64`.
#[test]
fn m_wasm64_architecture_errors() {
    let cases: [(&[&str], &str); 6] = [
        (&["--no-entry", "opts64.o"], "opts64.o: must specify -mwasm64 to process wasm64 object files"),
        (&["--no-entry", "opts.o", "opts64.o"], "opts64.o: must specify -mwasm64 to process wasm64 object files"),
        (&["-mwasm64", "--no-entry", "opts.o"], "opts.o: wasm32 object file can't be linked in wasm64 mode"),
        (
            &["-mwasm64", "--no-entry", "opts64.o", "opts.o"],
            "opts.o: wasm32 object file can't be linked in wasm64 mode",
        ),
        (&["-m", "wasm32", "--no-entry", "opts64.o"], "opts64.o: wasm32 object file can't be linked in wasm64 mode"),
        (&["-m", "wasm16", "--no-entry", "opts.o"], "invalid target architecture: wasm16"),
    ];
    for (args, message) in cases {
        let err = both_fail("m_wasm64_errors", args, message, message);
        assert_eq!(err.lines().count(), 1, "{args:?}: one error, the link stops there: {err}");
    }
}

/// `-mwasm64 --shared-memory` on `threads64.o`: a shared 64-bit memory
/// initialised by `__wasm_init_memory`; `__stack_pointer` and `__tls_base`
/// are i64 (the lld suite's data-segment-merging checks
/// `__wasm_init_memory`'s i64 addresses).
#[test]
fn m_wasm64_shared_memory() {
    let threads64 = ["-mwasm64", "--no-entry", "threads64.o", "--export=tl_get", "--export=tl_address"];
    let f = facts("m_wasm64_shared", &with(&threads64, &["--shared-memory", "--export=tl_init"]));
    assert!(f.memory64 && f.memory_shared, "{f:?}");
    assert_eq!(f.start.as_deref(), Some("__wasm_init_memory"));
    assert_eq!(f.global_types, ["i64 mut", "i64 mut"], "__stack_pointer, __tls_base");
    assert_eq!(f.segment_names(), [".tdata", ".data"]);
    let f = facts("m_wasm64_shared", &threads64);
    assert!(f.memory64 && !f.memory_shared && f.start.is_none(), "{f:?}");
}

/// `--export-memory=NAME` renames the memory export; `--export-memory` with
/// `--import-memory` exports the imported memory too.
#[test]
fn export_memory_and_its_name() {
    let f = facts("export_memory", &with(&OPTS, &["--export-memory=mem"]));
    assert!(f.has_export("mem") && !f.has_export("memory"), "{:?}", f.exports);
    let f = facts("export_memory", &with(&OPTS, &["--import-memory", "--export-memory"]));
    assert_eq!(f.imports, ["env.memory memory"]);
    assert!(f.exports.iter().any(|e| e == "memory memory"), "{:?}", f.exports);
    let f = facts("export_memory", &with(&OPTS, &["--import-memory=a,b", "--export-memory=m"]));
    assert_eq!(f.imports, ["a.b memory"]);
    assert!(f.exports.iter().any(|e| e == "m memory"), "{:?}", f.exports);
}

/// `--initial-memory` and `--max-memory` set the memory limits (in bytes,
/// 64 KiB pages); without them the minimum is what the layout needs and
/// there is no maximum.
#[test]
fn initial_and_max_memory() {
    let base = facts("memory_limits", &OPTS);
    assert_eq!(base.memory, Some(Limits { min: 2, max: None }));
    let f = facts("memory_limits", &with(&OPTS, &["--initial-memory=1048576", "--max-memory=16777216"]));
    assert_eq!(f.memory, Some(Limits { min: 16, max: Some(256) }));
    let f = facts("memory_limits", &with(&OPTS, &["--max-memory=262144"]));
    assert_eq!(f.memory, Some(Limits { min: 2, max: Some(4) }));
    let f = facts("memory_limits", &with(&OPTS, &["--import-memory", "--initial-memory=196608"]));
    assert_eq!(f.memory, Some(Limits { min: 3, max: None }), "the imported memory's limits");
    both_fail("memory_limits", &with(&OPTS, &["--initial-memory=65536"]), "memory", "initial memory too small");
}

/// `--initial-heap=N` makes the initial memory cover `__heap_base + N`.
#[test]
fn initial_heap_grows_the_memory() {
    let line = with(&OPTS, &["--export=__heap_base"]);
    let base = facts("initial_heap", &line);
    let heap_base = base.global("__heap_base").expect("__heap_base exported") as u64;
    assert_eq!(base.memory.unwrap().min, heap_base.div_ceil(65536));
    let f = facts("initial_heap", &with(&line, &["--initial-heap=1048576"]));
    assert_eq!(f.memory.unwrap().min, (heap_base + 1048576).div_ceil(65536), "memory: {:?}", f.memory);
    assert_eq!(f.global("__heap_base"), Some(heap_base as i64), "the heap base does not move");
}

/// `--import-table` imports `env.__indirect_function_table` instead of
/// defining the table.
#[test]
fn import_table() {
    let base = facts("import_table", &OPTS);
    assert!(base.imports.is_empty() && base.table.is_some());
    let f = facts("import_table", &with(&OPTS, &["--import-table"]));
    assert_eq!(f.imports, ["env.__indirect_function_table table"]);
    assert_eq!(f.table.map(|t| t.min), base.table.map(|t| t.min));
}

/// `--export-table` exports the table as `__indirect_function_table`; it
/// cannot be combined with `--import-table`.
#[test]
fn export_table() {
    let base = facts("export_table", &OPTS);
    assert!(!base.has_export("__indirect_function_table"));
    let f = facts("export_table", &with(&OPTS, &["--export-table"]));
    assert!(f.exports.iter().any(|e| e == "__indirect_function_table table"), "{:?}", f.exports);
    both_fail(
        "export_table",
        &with(&OPTS, &["--import-table", "--export-table"]),
        "--import-table and --export-table may not be used together",
        "--import-table and --export-table may not be used together",
    );
}

// ---------------------------------------------------------------------------
// Layout

/// `-z stack-size=N` (and `-zstack-size=N`): with the stack first,
/// `__stack_pointer` starts at N and the data follows it.
#[test]
fn stack_size() {
    let base = facts("stack_size", &OPTS);
    assert_eq!(base.global("__stack_pointer"), Some(65536));
    assert_eq!(base.first_data_offset(), Some(65536));
    for form in [&["-z", "stack-size=8192"][..], &["-zstack-size=8192"]] {
        let f = facts("stack_size", &with(&OPTS, form));
        assert_eq!(f.global("__stack_pointer"), Some(8192), "{form:?}");
        assert_eq!(f.first_data_offset(), Some(8192), "{form:?}");
    }
}

/// `--no-stack-first` puts the data first (at 1024) and the stack after it;
/// `--stack-first` is the default (stack at 0, data after it), and the last
/// of the two wins.
#[test]
fn stack_first_and_no_stack_first() {
    let line = with(&OPTS, &["--export=__data_end", "--export=__heap_base"]);
    let base = facts("stack_first", &line);
    let explicit = facts("stack_first", &with(&line, &["--stack-first"]));
    assert_eq!(explicit, base, "--stack-first is the default");
    let f = facts("stack_first", &with(&line, &["--no-stack-first"]));
    assert_eq!(f.first_data_offset(), Some(1024));
    let data_end = f.global("__data_end").unwrap();
    let sp = f.global("__stack_pointer").unwrap();
    assert!(sp >= data_end + 65536 && sp < data_end + 65536 + 16, "stack above the data: sp {sp}, data end {data_end}");
    assert_eq!(f.global("__heap_base"), Some(sp));
    let last = facts("stack_first", &with(&line, &["--stack-first", "--no-stack-first"]));
    assert_eq!(last, f, "the last of --stack-first / --no-stack-first wins");
}

/// `--global-base=N` puts the data at N (with the data first, or with the
/// stack first when N is above the stack); below the stack with
/// `--stack-first` given explicitly it is an error.
#[test]
fn global_base() {
    let f = facts("global_base", &with(&OPTS, &["--no-stack-first", "--global-base=4096"]));
    assert_eq!(f.first_data_offset(), Some(4096));
    let f = facts("global_base", &with(&OPTS, &["--global-base=196608"]));
    assert_eq!(f.first_data_offset(), Some(196608));
    assert_eq!(f.global("__stack_pointer"), Some(65536));
    both_fail(
        "global_base",
        &with(&OPTS, &["--stack-first", "--global-base=4096"]),
        "global-base",
        "--global-base cannot be less than stack size when --stack-first is used",
    );
}

/// `--global-base` below the stack size without an explicit stack order:
/// wasm-ld-22 fails; wasmlink falls back to wasm-ld 19's order (data first)
/// with a warning (a documented deliberate difference, ARCHITECTURE.md).
#[test]
fn global_base_below_the_stack_without_stack_first() {
    let pair = link_pair("global_base_low", &with(&OPTS, &["--global-base=4096"]));
    let f = pair.ours.facts(&pair.what);
    assert_eq!(f.first_data_offset(), Some(4096));
    assert!(pair.ours.res.stderr.contains("warning"), "{}", pair.ours.res.describe());
    if let Some(t) = &pair.theirs {
        assert_eq!(t.res.code, Some(1), "wasm-ld-22 rejects this line\n{}", t.res.describe());
    }
}

/// `--no-merge-data-segments` keeps each input segment as its own output
/// segment (`.rodata.message`, `.data.counter`); `--merge-data-segments`
/// after it restores the merged `.rodata` / `.data`.
#[test]
fn no_merge_data_segments() {
    let base = facts("merge_segments", &OPTS);
    assert_eq!(base.segment_names(), [".rodata", ".data"]);
    let f = facts("merge_segments", &with(&OPTS, &["--no-merge-data-segments"]));
    assert_eq!(f.segment_names(), [".rodata.message", ".data.counter"]);
    let back = facts("merge_segments", &with(&OPTS, &["--no-merge-data-segments", "--merge-data-segments"]));
    assert_eq!(back, base);
}

// ---------------------------------------------------------------------------
// Garbage collection

/// `--no-gc-sections` keeps the unreferenced functions (`visible_fn`,
/// `dead_hidden_fn`); `--gc-sections` (the default) removes them, and the
/// last of the two wins.
#[test]
fn gc_sections() {
    let base = facts("gc_sections", &OPTS);
    assert!(!base.has_function("visible_fn") && !base.has_function("dead_hidden_fn"), "{:?}", base.function_names);
    let f = facts("gc_sections", &with(&OPTS, &["--no-gc-sections"]));
    assert!(f.has_function("visible_fn") && f.has_function("dead_hidden_fn"), "{:?}", f.function_names);
    assert_eq!(facts("gc_sections", &with(&OPTS, &["--no-gc-sections", "--gc-sections"])), base);
    assert_eq!(facts("gc_sections", &with(&OPTS, &["--gc-sections"])), base);
}

/// `--print-gc-sections` lists the removed sections on stdout, one
/// `removing unused section FILE:(NAME)` line each, like wasm-ld-22;
/// nothing without it, with `--no-print-gc-sections` after it, or with
/// `--no-gc-sections`.
#[test]
fn print_gc_sections() {
    let stdout_of = |args: &[&str]| -> (String, Option<String>) {
        let pair = link_pair("print_gc_sections", args);
        assert!(pair.ours.succeeded(), "{}", pair.ours.res.describe());
        (pair.ours.res.stdout.clone(), pair.theirs.map(|t| t.res.stdout))
    };
    let (ours, theirs) = stdout_of(&with(&OPTS, &["--print-gc-sections"]));
    assert!(ours.contains("removing unused section opts.o:(visible_fn)"), "stdout:\n{ours}");
    assert!(ours.contains("removing unused section opts.o:(dead_hidden_fn)"), "stdout:\n{ours}");
    if let Some(theirs) = theirs {
        // wasm-ld-22 also lists "<internal>:(__wasm_call_ctors)": it always
        // synthesizes that function and removes it when unused; wasmlink
        // never creates it here, so has nothing to remove. Compare the
        // sections of the input files.
        let inputs =
            |s: &str| -> Vec<String> { s.lines().filter(|l| !l.contains("<internal>")).map(String::from).collect() };
        let (mut a, mut b) = (inputs(&ours), inputs(&theirs));
        a.sort();
        b.sort();
        assert_eq!(a, b, "the removed sections differ from wasm-ld-22's");
    }
    for quiet in [
        &OPTS[..],
        &with(&OPTS, &["--print-gc-sections", "--no-print-gc-sections"]),
        &with(&OPTS, &["--print-gc-sections", "--no-gc-sections"]),
    ] {
        let (ours, theirs) = stdout_of(quiet);
        assert_eq!(ours, "", "{quiet:?}");
        if let Some(theirs) = theirs {
            assert_eq!(theirs, "", "{quiet:?} (wasm-ld-22)");
        }
    }
}

// ---------------------------------------------------------------------------
// Custom sections

/// `--strip-debug` / `-S` drop the `.debug_*` sections of a `-g` object but
/// keep "name"; without it they are copied.
#[test]
fn strip_debug() {
    let g = ["--no-entry", "opts-g.o"];
    let base = facts("strip_debug", &g);
    assert!(base.has_custom(".debug_info") && base.has_custom("name"), "{:?}", base.custom_sections);
    for opt in ["--strip-debug", "-S"] {
        let f = facts("strip_debug", &with(&g, &[opt]));
        assert!(!f.custom_sections.iter().any(|c| c.starts_with(".debug")), "{opt}: {:?}", f.custom_sections);
        assert!(f.has_custom("name"), "{opt}: {:?}", f.custom_sections);
    }
}

/// `--strip-all` / `-s` drop every custom section, "name" included.
#[test]
fn strip_all() {
    let g = ["--no-entry", "opts-g.o"];
    let base = facts("strip_all", &g);
    assert!(base.has_custom("name") && base.has_custom("producers"), "{:?}", base.custom_sections);
    for opt in ["--strip-all", "-s"] {
        let f = facts("strip_all", &with(&g, &[opt]));
        assert!(!f.has_custom("name") && !f.has_custom(".debug_info"), "{opt}: {:?}", f.custom_sections);
        assert!(f.function_names.is_empty());
    }
}

/// The `name` section names the module after the output file, or
/// `--soname=NAME`.
#[test]
fn soname() {
    let g = ["--no-entry", "opts-g.o"];
    let base = facts("soname", &g);
    assert_eq!(base.module_name.as_deref(), Some("out.wasm"));
    for opt in [["--soname=libopts.so"], ["-soname=libopts.so"]] {
        let f = facts("soname", &with(&g, &opt));
        assert_eq!(f.module_name.as_deref(), Some("libopts.so"), "{opt:?}");
    }
}

/// `--keep-section=NAME` keeps that custom section despite `--strip-all`.
#[test]
fn keep_section() {
    let g = ["--no-entry", "opts-g.o"];
    let stripped = facts("keep_section", &with(&g, &["--strip-all"]));
    assert_eq!(stripped.custom_sections, Vec::<String>::new());
    let f = facts("keep_section", &with(&g, &["--strip-all", "--keep-section=producers", "--keep-section", "name"]));
    assert_eq!(f.custom_sections, ["name", "producers"]);
}

/// wasm-ld-22's `--keep-section` does not bring back `.debug_*` sections:
/// `--strip-all` / `--strip-debug` drop them regardless.
#[test]
fn keep_section_does_not_keep_debug_sections() {
    let g = ["--no-entry", "opts-g.o"];
    let f = facts("keep_section_debug", &with(&g, &["--strip-all", "--keep-section=.debug_info"]));
    assert_eq!(f.custom_sections, Vec::<String>::new(), "debug sections stay stripped");
    let f = facts("keep_section_debug", &with(&g, &["--strip-debug", "--keep-section=.debug_line"]));
    assert!(!f.has_custom(".debug_line"), "debug sections stay stripped: {:?}", f.custom_sections);
}

// ---------------------------------------------------------------------------
// Target features

/// `--features=LIST` writes exactly LIST to "target_features" (instead of
/// the inputs' features); `--extra-features=LIST` adds to the inputs'.
#[test]
fn features_and_extra_features() {
    let base = facts("features", &OPTS);
    assert_eq!(base.target_features, ["+multivalue", "+mutable-globals", "+reference-types", "+sign-ext"]);
    let all = "--features=bulk-memory,multivalue,mutable-globals,reference-types,sign-ext";
    let f = facts("features", &with(&OPTS, &[all]));
    assert_eq!(f.target_features, ["+bulk-memory", "+multivalue", "+mutable-globals", "+reference-types", "+sign-ext"]);
    let f = facts("features", &with(&OPTS, &["--extra-features=bulk-memory,nontrapping-fptoint"]));
    assert!(
        f.target_features.iter().any(|x| x == "+bulk-memory")
            && f.target_features.iter().any(|x| x == "+nontrapping-fptoint")
            && f.target_features.len() == base.target_features.len() + 2,
        "{:?}",
        f.target_features
    );
}

/// A `--features` list that lacks a feature the object uses fails the
/// feature check; `--no-check-features` skips the check, and
/// `--check-features` after it restores it.
#[test]
fn no_check_features() {
    let narrow = with(&OPTS, &["--features=mutable-globals"]);
    // wasm-ld-22 reports every disallowed feature, wasmlink the first one.
    let not_allowed = "used by opts.o is not allowed";
    both_fail("check_features", &narrow, not_allowed, "Target feature 'sign-ext' used by opts.o is not allowed.");
    let f = facts("check_features", &with(&narrow, &["--no-check-features"]));
    assert_eq!(f.target_features, ["+mutable-globals"]);
    both_fail("check_features", &with(&narrow, &["--no-check-features", "--check-features"]), not_allowed, not_allowed);
}

// ---------------------------------------------------------------------------
// Undefined symbols

/// `--allow-undefined` imports the undefined functions from `env`; without
/// it they are errors.
#[test]
fn allow_undefined() {
    let line = ["--no-entry", "undef.o"];
    both_fail("allow_undefined", &line, "host_add", "undefined symbol: host_add");
    let f = facts("allow_undefined", &with(&line, &["--allow-undefined"]));
    assert_eq!(f.imports, ["env.host_add func", "env.host_mul func"]);
}

/// `--allow-undefined-file=FILE` lets the symbols listed in FILE (one per
/// line, `#` lines are comments) be imported; an unlisted one stays an error.
#[test]
fn allow_undefined_file() {
    let line = ["--no-entry", "undef.o"];
    let (_d1, both) =
        temp_file("allow_undefined_file", "syms.txt", "# imported from the host\nhost_add\n  host_mul\n\n");
    let f = facts("allow_undefined_file", &with(&line, &[&format!("--allow-undefined-file={both}")]));
    assert_eq!(f.imports, ["env.host_add func", "env.host_mul func"]);
    let (_d2, one) = temp_file("allow_undefined_file", "syms.txt", "host_add\n");
    let err = both_fail(
        "allow_undefined_file",
        &with(&line, &[&format!("--allow-undefined-file={one}")]),
        "host_mul",
        "undefined symbol: host_mul",
    );
    assert!(!err.contains("host_add"), "host_add is allowed:\n{err}");
    // wasm-ld only skips lines that start with '#': "host_add # why" names a
    // symbol "host_add # why", so host_add itself stays undefined.
    let (_d3, trailing) = temp_file("allow_undefined_file", "syms.txt", "host_add # why\nhost_mul\n");
    both_fail(
        "allow_undefined_file",
        &with(&line, &[&format!("--allow-undefined-file={trailing}")]),
        "host_add",
        "undefined symbol: host_add",
    );
}

/// The undefined-symbol policies on `unresolved.o` (an undefined function
/// `ext_fn` and undefined data `ext_data`, both used), each compared with
/// wasm-ld-22 (imports, function names, stderr):
/// - report-all (default, `--error-unresolved-symbols`): both are errors;
/// - `--import-undefined`: the function becomes `env.ext_fn`, the data is
///   still an error;
/// - `--unresolved-symbols=ignore-all` and `--warn-unresolved-symbols`: a
///   trapping `undefined_stub` and address 0, silently or with warnings;
/// - `--import-undefined --unresolved-symbols=ignore-all` is
///   `--allow-undefined`: the import, no stub.
#[test]
fn unresolved_symbol_policies() {
    let line = ["unresolved.o"];
    for opt in [&[][..], &["--error-unresolved-symbols"], &["--unresolved-symbols=report-all"]] {
        let err = both_fail("unresolved", &with(&line, opt), "undefined symbol: ext_fn", "undefined symbol: ext_fn");
        assert!(err.contains("undefined symbol: ext_data"), "{err}");
    }
    let err = both_fail(
        "unresolved",
        &with(&line, &["--import-undefined"]),
        "undefined symbol: ext_data",
        "undefined symbol: ext_data",
    );
    assert!(!err.contains("ext_fn"), "{err}");
    for opt in [&["--unresolved-symbols=ignore-all"][..], &["--warn-unresolved-symbols"]] {
        let f = facts("unresolved", &with(&line, opt));
        assert!(f.imports.is_empty() && f.function_names.iter().any(|n| n == "undefined_stub"), "{opt:?}: {f:?}");
    }
    let pair = link_pair("unresolved", &with(&line, &["--warn-unresolved-symbols"]));
    let norm = |s: &str| s.replace("wasmlink:", "LD:").replace("wasm-ld-22:", "LD:");
    assert!(pair.ours.res.stderr.contains("warning: unresolved.o: undefined symbol: ext_fn"), "{}", pair.what);
    if let Some(theirs) = &pair.theirs {
        assert_eq!(norm(&pair.ours.res.stderr), norm(&theirs.res.stderr), "warnings differ from wasm-ld-22's");
    }
    for opt in [&["--import-undefined", "--unresolved-symbols=ignore-all"][..], &["--allow-undefined"]] {
        let f = facts("unresolved", &with(&line, opt));
        assert!(f.has_import("env.ext_fn") && !f.function_names.iter().any(|n| n == "undefined_stub"), "{f:?}");
    }
    // Left to a dynamic loader, the undefined data's absolute address can't
    // be patched into code compiled without -fPIC.
    let needs_pic = "relocation R_WASM_MEMORY_ADDR_LEB cannot be used against symbol `ext_data`; recompile with -fPIC";
    let err = both_fail("unresolved", &with(&line, &["--unresolved-symbols=import-dynamic"]), needs_pic, needs_pic);
    assert!(err.contains("warning: dynamic imports are not yet stable"), "{err}");
}

// ---------------------------------------------------------------------------
// Inputs, archives, libraries

/// `-u NAME` / `--undefined=NAME` extract the archive member defining NAME
/// (its `lazy_fn` export appears); without it the member stays out.
#[test]
fn undefined_extracts_an_archive_member() {
    let line = with(&OPTS, &["liblazy.a"]);
    let base = facts("undefined", &line);
    assert!(!base.has_export("lazy_fn"), "{:?}", base.exports);
    for form in [&["-u", "lazy_fn"][..], &["--undefined=lazy_fn"], &["--undefined", "lazy_fn"]] {
        let f = facts("undefined", &with(form, &line));
        assert!(f.has_export("lazy_fn"), "{form:?}: {:?}", f.exports);
    }
}

/// `--whole-archive` links every member of the archives after it;
/// `--no-whole-archive` ends that.
#[test]
fn whole_archive() {
    let f = facts("whole_archive", &with(&OPTS, &["--whole-archive", "liblazy.a"]));
    assert!(f.has_export("lazy_fn"), "{:?}", f.exports);
    let f = facts("whole_archive", &with(&OPTS, &["--whole-archive", "--no-whole-archive", "liblazy.a"]));
    assert!(!f.has_export("lazy_fn"), "{:?}", f.exports);
}

/// Objects between `--start-lib` and `--end-lib` are linked lazily, like
/// archive members: only when something needs them; outside, always.
#[test]
fn start_lib_end_lib() {
    let f = facts("start_lib", &with(&OPTS, &["lazy.o"]));
    assert!(f.has_export("lazy_fn"), "{:?}", f.exports);
    let f = facts("start_lib", &with(&OPTS, &["--start-lib", "lazy.o", "--end-lib"]));
    assert!(!f.has_export("lazy_fn"), "{:?}", f.exports);
    let f = facts("start_lib", &with(&OPTS, &["-u", "lazy_fn", "--start-lib", "lazy.o", "--end-lib"]));
    assert!(f.has_export("lazy_fn"), "{:?}", f.exports);
}

/// `-L DIR` / `-LDIR` and `-l NAME` / `-lNAME` / `--library=NAME` find
/// `libNAME.a` in DIR; without `-L` it is not found.
#[test]
fn library_search() {
    both_fail("library", &with(&OPTS, &["-u", "lazy_fn", "-llazy"]), "-llazy", "unable to find library -llazy");
    for form in [&["-L.", "-llazy"][..], &["-L", ".", "-l", "lazy"], &["--library-path=.", "--library=lazy"]] {
        let f = facts("library", &with(&with(&OPTS, &["-u", "lazy_fn"]), form));
        assert!(f.has_export("lazy_fn"), "{form:?}: {:?}", f.exports);
    }
}

/// `--allow-multiple-definition`: two strong `dup` definitions are an error
/// without it; with it, the first on the command line wins (`run` returns
/// its value); `--no-allow-multiple-definition` after it restores the error.
#[test]
fn allow_multiple_definition() {
    let line = ["--no-entry", "multi1.o", "multi2.o"];
    both_fail("multiple_definition", &line, "dup", "duplicate symbol: dup");
    for (order, expect) in [(["multi1.o", "multi2.o"], 1), (["multi2.o", "multi1.o"], 2)] {
        let args = ["--no-entry", "--allow-multiple-definition", order[0], order[1]];
        let pair = link_pair("multiple_definition", &args);
        assert_eq!(call_run(pair.ours.bytes(&pair.what)), expect, "{}: wasmlink", pair.what);
        if let Some(t) = &pair.theirs {
            assert_eq!(call_run(t.bytes(&pair.what)), expect, "{}: wasm-ld-22", pair.what);
        }
    }
    both_fail(
        "multiple_definition",
        &with(&line, &["--allow-multiple-definition", "--no-allow-multiple-definition"]),
        "dup",
        "duplicate symbol: dup",
    );
}

/// `-z muldefs` is `--allow-multiple-definition` (the same bytes);
/// `--noinhibit-exec` links despite the duplicate, with wasm-ld's
/// "duplicate symbol" message as a warning and, as in wasm-ld, the later
/// definition replacing the earlier (`run` returns 2 or 1 by the order of
/// the objects), on both linkers.
#[test]
fn muldefs_and_noinhibit_exec() {
    let allow = ["--no-entry", "--allow-multiple-definition", "multi1.o", "multi2.o"];
    let muldefs = ["--no-entry", "-z", "muldefs", "multi1.o", "multi2.o"];
    assert_eq!(our_bytes("muldefs", &muldefs), our_bytes("muldefs", &allow));
    for (order, expect) in [(["multi1.o", "multi2.o"], 2), (["multi2.o", "multi1.o"], 1)] {
        let pair = link_pair("noinhibit", &["--no-entry", "--noinhibit-exec", order[0], order[1]]);
        assert!(pair.ours.res.stderr.contains("warning: duplicate symbol: dup"), "{}", pair.ours.res.describe());
        assert_eq!(call_run(pair.ours.bytes(&pair.what)), expect, "{}: wasmlink", pair.what);
        if let Some(t) = &pair.theirs {
            assert!(t.res.stderr.contains("warning: duplicate symbol: dup"), "{}", t.res.describe());
            assert_eq!(call_run(t.bytes(&pair.what)), expect, "{}: wasm-ld-22", pair.what);
        }
    }
}

// ---------------------------------------------------------------------------
// Warnings

/// A call with the wrong signature is a warning (exit 0, message on
/// stderr); `--fatal-warnings` makes it an error (exit 1, no output);
/// `--no-fatal-warnings` after it makes it a warning again.
#[test]
fn fatal_warnings() {
    let line = ["--no-entry", "sigcall.o", "sigdef.o"];
    let pair = link_pair("fatal_warnings", &line);
    assert!(pair.ours.succeeded(), "{}", pair.ours.res.describe());
    assert!(
        pair.ours.res.stderr.contains("warning: function signature mismatch: callee"),
        "{}",
        pair.ours.res.describe()
    );
    if let Some(t) = &pair.theirs {
        assert!(t.succeeded() && t.res.stderr.contains("warning: function signature mismatch: callee"));
    }
    let err = both_fail(
        "fatal_warnings",
        &with(&line, &["--fatal-warnings"]),
        "function signature mismatch: callee",
        "error: function signature mismatch: callee",
    );
    assert!(!err.contains("warning:"), "reported as an error, not a warning:\n{err}");
    let r = our_run("fatal_warnings", &with(&line, &["--fatal-warnings", "--no-fatal-warnings"]));
    assert_eq!(r.code, Some(0), "{}", r.describe());
    assert!(r.stderr.contains("warning:"), "{}", r.describe());
}

// ---------------------------------------------------------------------------
// --wrap (run time)

/// `--wrap=foo` sends calls of `foo` to `__wrap_foo`, whose `__real_foo`
/// reaches `foo`: the program prints 101 (1 without the option).
#[test]
fn wrap_redirects_calls() {
    if !wasi_toolchain_ready("wrap_redirects_calls") {
        return;
    }
    assert_eq!(run_program("wrap", &["--wrap=foo"]).trim(), "101", "__wrap_foo runs and reaches foo");
    assert_eq!(run_program("wrap", &[]).trim(), "1", "without --wrap, foo is called directly");
}

/// The `--wrap` program still runs the same under the layout options (a
/// run-time check on top of the static ones above).
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
        assert_eq!(run_program("layout", &all).trim(), "101", "options {opts:?}");
    }
}

/// Links `wrap.o` as a command with libc and `extra`, by wasmlink and
/// wasm-ld-22; runs both and checks they behave the same; returns the stdout.
fn run_program(test: &str, extra: &[&str]) -> String {
    let case = Case::parse(test, options_dir(), "lang = c\ncrt = command\nlibs =\n");
    let crt = case.crt_path();
    let crt = crt.to_str().unwrap();
    let lib_dir = format!("-L{WASI_LIB_DIR}");
    let mut args = vec!["-m", "wasm32", &lib_dir, crt, "wrap.o"];
    args.extend_from_slice(extra);
    args.extend(["-lc", BUILTINS]);
    let pair = link_pair(test, &args);
    let a = run_module(pair.ours.bytes(&pair.what), &case).unwrap_or_else(|e| panic!("{}: {e}", pair.what));
    if let Some(t) = &pair.theirs {
        let b = run_module(t.bytes(&pair.what), &case).unwrap_or_else(|e| panic!("{}: reference: {e}", pair.what));
        assert_same_run(&pair.what, &a, &b);
    }
    a.stdout_str()
}

// ---------------------------------------------------------------------------
// The command line itself

/// `-o -` writes the module to stdout (the same bytes as `-o FILE`).
#[test]
fn output_to_stdout() {
    let file = our_bytes("stdout_out", &OPTS);
    // Not `run_process`: it reads stdout as text.
    let out = Command::new(linker_under_test())
        .current_dir(options_dir())
        .args(OPTS)
        .args(["-o", "-"])
        .output()
        .expect("running wasmlink");
    assert!(out.status.success());
    // The name section records the output's file name: "-" vs "out.wasm".
    assert_eq!(module_facts(&out.stdout).exports, module_facts(&file).exports);
    assert_eq!(module_facts(&out.stdout).segments, module_facts(&file).segments);
    validate(&out.stdout).unwrap();
}

/// `-m wasm32` is accepted (same output); any other emulation is rejected.
#[test]
fn emulation() {
    assert_eq!(our_bytes("emulation", &with(&["-m", "wasm32"], &OPTS)), our_bytes("emulation", &OPTS));
    let r = our_run("emulation", &with(&["-m", "wasm64"], &OPTS));
    assert_eq!(r.code, Some(1), "{}", r.describe());
    assert!(r.stderr.contains("wasm64"), "{}", r.describe());
}

/// `-flavor wasm` (first, as rustc passes it) is accepted and changes
/// nothing; another flavor is rejected.
#[test]
fn flavor() {
    assert_eq!(our_bytes("flavor", &with(&["-flavor", "wasm"], &OPTS)), our_bytes("flavor", &OPTS));
    let r = our_run("flavor", &with(&["-flavor", "gnu"], &OPTS));
    assert_eq!(r.code, Some(1), "{}", r.describe());
    assert!(r.stderr.contains("unsupported flavor: gnu"), "{}", r.describe());
}

/// `@FILE` reads arguments from a response file: the result is the same as
/// the arguments given directly (here `--export-dynamic`, which shows).
#[test]
fn response_file() {
    let direct = our_bytes("response_file", &with(&OPTS, &["--export-dynamic"]));
    let (_d, rsp) = temp_file("response_file", "args.rsp", "--no-entry\n'opts.o' --export-dynamic\n");
    let via_file = our_bytes("response_file", &[&format!("@{rsp}")]);
    assert_eq!(via_file, direct);
    assert!(module_facts(&via_file).has_export("visible_fn"));
    let r = our_run("response_file", &["@/nonexistent/args.rsp"]);
    assert_eq!(r.code, Some(1), "{}", r.describe());
}

/// `--version` prints the version and exits without linking; `-v` prints it
/// and still links the inputs; `--help` prints the usage.
#[test]
fn version_and_help() {
    let r = our_run("version", &["--version"]);
    assert_eq!(r.code, Some(0), "{}", r.describe());
    assert!(r.stdout.starts_with("wasmlink ") && r.stdout.contains("LLD 22"), "{}", r.describe());
    let scratch = Scratch::new("version");
    let linked = link_into(&linker_under_test(), scratch.path(), &with(&["-v"], &OPTS));
    assert!(linked.res.stdout.starts_with("wasmlink "), "{}", linked.res.describe());
    assert!(linked.succeeded(), "-v with inputs links: {}", linked.res.describe());
    let r = our_run("help", &["--help"]);
    assert_eq!(r.code, Some(0), "{}", r.describe());
    assert!(r.stdout.starts_with("USAGE: wasmlink"), "{}", r.describe());
}

/// `--time` reports the stage times on stderr (nothing without it) and does
/// not change the output.
#[test]
fn time() {
    let quiet = our_run("time", &OPTS);
    assert_eq!(quiet.stderr, "");
    let r = our_run("time", &with(&OPTS, &["--time"]));
    assert_eq!(r.code, Some(0), "{}", r.describe());
    for stage in ["parse", "resolve", "layout", "emit"] {
        assert!(r.stderr.contains(stage), "--time mentions {stage}:\n{}", r.stderr);
    }
    assert_eq!(our_bytes("time", &with(&OPTS, &["--time"])), our_bytes("time", &OPTS));
}

/// The size of custom section `name` in a module.
fn custom_size(bytes: &[u8], name: &str) -> Option<usize> {
    wasmparser::Parser::new(0).parse_all(bytes).find_map(|p| match p.ok()? {
        wasmparser::Payload::CustomSection(c) if c.name() == name => Some(c.data().len()),
        _ => None,
    })
}

/// `-O1` (the default) and up merge NUL-terminated strings, as wasm-ld does:
/// `.rodata.str*` segments and `.debug_str`, shared strings once and a
/// string that ends another inside it. `-O0` keeps every copy.
#[test]
fn string_merging_by_optimization_level() {
    let base = ["--no-entry", "--export=total", "strings1.o", "strings2.o"];
    let rodata = |f: &ModuleFacts| f.segments.iter().find(|s| s.name == ".rodata").map(|s| s.size);
    let o0 = facts("merge_strings", &with(&base, &["-O0"]));
    let o1 = facts("merge_strings", &base);
    let o2 = facts("merge_strings", &with(&base, &["-O2"]));
    // "hello, world\0" twice, "have a nice day\0", "nice day\0".
    assert_eq!(rodata(&o0), Some(13 + 13 + 16 + 9), "{:?}", o0.segments);
    assert_eq!(rodata(&o1), Some(13 + 16), "{:?}", o1.segments);
    assert_eq!(rodata(&o2), rodata(&o1));
    let debug_str = |opt: &[&str]| custom_size(&our_bytes("merge_strings", &with(&base, opt)), ".debug_str");
    let (unmerged, merged) = (debug_str(&["-O0"]), debug_str(&[]));
    assert!(merged.unwrap() < unmerged.unwrap(), ".debug_str: {merged:?} at -O1, {unmerged:?} at -O0");
}

/// Options accepted for compatibility that change nothing by design: the
/// output is byte-identical to the default link. `-O<n>` on objects without
/// string segments, `--no-demangle` (`opts.o` is C: no mangled names),
/// `--threads=N` (determinism), `--gc-sections` (the default). Bad values
/// are rejected.
#[test]
fn options_without_effect_by_design() {
    let base = our_bytes("no_effect", &OPTS);
    for opt in ["-O0", "-O1", "-O2", "-O3", "--no-demangle", "--threads=1", "--threads=3", "--gc-sections"] {
        assert_eq!(our_bytes("no_effect", &with(&OPTS, &[opt])), base, "{opt} changes the output");
    }
    for bad in ["--threads=0", "--threads=x", "-O4"] {
        let r = our_run("no_effect", &with(&OPTS, &[bad]));
        assert_eq!(r.code, Some(1), "{bad} is rejected\n{}", r.describe());
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

// ---------------------------------------------------------------------------
// Diagnostics

/// stderr of both linkers for `args` (both must fail), with each linker's
/// program name replaced by `LD`, so the texts can be compared. wasmlink's
/// explanation lines under a message (`  --> `, `  = help: `, `  = note: `,
/// tested in tests/diagnostics.rs) and the empty line after such a message
/// are left out: the rest is wasm-ld's text.
fn both_stderr(test: &str, args: &[&str]) -> (String, Option<String>) {
    let pair = link_pair(test, args);
    assert_eq!(pair.ours.res.code, Some(1), "{}\n{}", pair.what, pair.ours.res.describe());
    let norm = |s: &str| without_notes(&s.replace("wasmlink:", "LD:").replace("wasm-ld-22:", "LD:"));
    let theirs = pair.theirs.as_ref().map(|t| {
        assert_eq!(t.res.code, Some(1), "{}\n{}", pair.what, t.res.describe());
        norm(&t.res.stderr)
    });
    (norm(&pair.ours.res.stderr), theirs)
}

/// `text` without wasmlink's note lines and the empty lines after them.
fn without_notes(text: &str) -> String {
    let is_note = |l: &str| {
        let l = l.replace("\x1b[1;34m", "").replace("\x1b[0m", "");
        l.starts_with("  --> ") || l.starts_with("  = help: ") || l.starts_with("  = note: ")
    };
    let mut out = String::new();
    let mut after_note = false;
    for line in text.lines() {
        if is_note(line) || (after_note && line.is_empty()) {
            after_note = is_note(line);
            continue;
        }
        after_note = false;
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// `--error-limit=N` stops after N errors with wasm-ld's "too many errors"
/// line (the same text as wasm-ld-22's); the default limit (20) shows both
/// of undef.o's undefined symbols, and `--error-limit=0` means no limit.
#[test]
fn error_limit_stops_after_n_errors() {
    let line = ["--no-entry", "undef.o"];
    let (limited, theirs) = both_stderr("error_limit", &with(&line, &["--error-limit=1"]));
    assert_eq!(limited.lines().count(), 2, "{limited}");
    assert!(limited.contains("too many errors emitted, stopping now"), "{limited}");
    if let Some(theirs) = theirs {
        assert_eq!(limited, theirs, "stderr differs from wasm-ld-22's");
    }
    for extra in [&[][..], &["--error-limit=0"]] {
        let (all, _) = both_stderr("error_limit", &with(&line, extra));
        assert!(all.contains("host_add") && all.contains("host_mul") && !all.contains("too many"), "{all}");
    }
    let r = our_run("error_limit", &with(&line, &["--error-limit=x"]));
    assert!(r.stderr.contains("--error-limit: number expected, but got 'x'"), "{}", r.describe());
}

/// `--color-diagnostics[=always]` colours `error:` as wasm-ld-22 does (same
/// bytes); `=never`, `--no-color-diagnostics` and the default (`auto`, and
/// stderr is a pipe here) print no escape sequences.
#[test]
fn color_diagnostics() {
    let line = ["--no-entry", "undef.o"];
    for opt in ["--color-diagnostics", "--color-diagnostics=always"] {
        let (ours, theirs) = both_stderr("color", &with(&line, &[opt]));
        assert!(ours.contains("\x1b[0;31merror: \x1b[0m"), "{opt}: {ours:?}");
        if let Some(theirs) = theirs {
            assert_eq!(ours, theirs, "{opt}: stderr differs from wasm-ld-22's");
        }
    }
    for opt in [&[][..], &["--color-diagnostics=never"], &["--color-diagnostics", "--no-color-diagnostics"]] {
        let (ours, _) = both_stderr("color", &with(&line, opt));
        assert!(!ours.contains('\x1b') && ours.contains("error: "), "{opt:?}: {ours:?}");
    }
}

/// An option wasm-ld doesn't have fails as in wasm-ld-22, with every unknown
/// argument named ("unknown argument: X").
#[test]
fn unknown_arguments_are_reported_like_wasm_ld() {
    let (ours, theirs) = both_stderr("unknown", &with(&OPTS, &["--frobnicate", "-bogus"]));
    assert!(ours.contains("unknown argument: --frobnicate") && ours.contains("unknown argument: -bogus"), "{ours}");
    if let Some(theirs) = theirs {
        assert_eq!(ours, theirs);
    }
}

/// `-E` is `--export-dynamic`: the same exports (`visible_fn`), which the
/// plain link doesn't have.
#[test]
fn dash_e_is_export_dynamic() {
    let plain = our_bytes("dash_e", &OPTS);
    let e = our_bytes("dash_e", &with(&OPTS, &["-E"]));
    assert_ne!(plain, e, "-E changed nothing");
    assert_eq!(e, our_bytes("dash_e", &with(&OPTS, &["--export-dynamic"])));
}

/// Options that only matter for LLVM bitcode inputs (`-mllvm`, `--lto-*`,
/// `--thinlto-*`, `-plugin-opt`, `--save-temps`, `--disable-verify`) are
/// accepted, as emcc and zig pass them; with no bitcode input they change
/// nothing.
#[test]
fn lto_only_options_are_accepted() {
    let plain = our_bytes("lto", &OPTS);
    let lto = [
        "-mllvm",
        "-enable-emscripten-sjlj",
        "--mllvm=-disable-lsr",
        "--lto-O2",
        "--lto-CGO2",
        "--lto-partitions=2",
        "--thinlto-jobs=2",
        "-plugin-opt=O2",
        "--save-temps",
        "--disable-verify",
        "--lto-debug-pass-manager",
    ];
    assert_eq!(our_bytes("lto", &with(&OPTS, &lto)), plain);
}

/// `-z` knows `stack-size=N` and `muldefs`; any other value is a warning
/// (`unknown -z value: X`, as wasm-ld says), an error with
/// `--fatal-warnings`, and changes nothing.
#[test]
fn unknown_z_values_warn() {
    let pair = link_pair("z_unknown", &with(&OPTS, &["-z", "relro", "-z", "now"]));
    for (who, linked) in [("wasmlink", Some(&pair.ours)), ("wasm-ld-22", pair.theirs.as_ref())] {
        let Some(linked) = linked else { continue };
        assert_eq!(linked.res.code, Some(0), "{who}: {}", linked.res.describe());
        for v in ["relro", "now"] {
            let w = format!("warning: unknown -z value: {v}");
            assert!(linked.res.stderr.contains(&w), "{who}: no `{w}`: {}", linked.res.describe());
        }
    }
    assert_eq!(our_bytes("z_unknown", &with(&OPTS, &["-z", "relro"])), our_bytes("z_unknown", &OPTS));
    both_fail(
        "z_unknown",
        &with(&OPTS, &["-z", "relro", "--fatal-warnings"]),
        "unknown -z value: relro",
        "unknown -z value: relro",
    );
}

/// The payload of custom section `name`.
fn custom_payload(bytes: &[u8], name: &str) -> Option<Vec<u8>> {
    wasmparser::Parser::new(0).parse_all(bytes).find_map(|p| match p.ok()? {
        wasmparser::Payload::CustomSection(c) if c.name() == name => Some(c.data().to_vec()),
        _ => None,
    })
}

/// `--build-id[=STYLE]` writes a `build_id` section last: the same bytes as
/// wasm-ld-22's for the hash styles (`fast`, the default, `sha1`, `tree`) and
/// for `0x...`; a fresh version-4 UUID for `uuid`; nothing for `none` (zig
/// passes it). Unknown styles and bad hex fail as in wasm-ld.
#[test]
fn build_id() {
    let g = ["--no-entry", "--export=visible_fn", "opts-g.o"];
    assert_eq!(custom_payload(&our_bytes("build_id", &g), "build_id"), None);
    for (opt, len) in [("--build-id", 16), ("--build-id=fast", 16), ("--build-id=sha1", 20), ("--build-id=tree", 20)] {
        let pair = link_pair("build_id", &with(&g, &[opt]));
        let ours = custom_payload(pair.ours.bytes(&pair.what), "build_id").expect("a build_id section");
        assert_eq!((ours[0] as usize, ours.len()), (len, len + 1), "{opt}");
        assert!(ours[1..].iter().any(|&b| b != b' '), "{opt}: the id was filled in");
        if let Some(theirs) = &pair.theirs {
            let theirs = custom_payload(theirs.bytes(&pair.what), "build_id");
            assert_eq!(Some(ours), theirs, "{opt}: differs from wasm-ld-22's");
        }
    }
    let hex = custom_payload(&our_bytes("build_id", &with(&g, &["--build-id=0x0123abCD"])), "build_id");
    assert_eq!(hex, Some(vec![4, 0x01, 0x23, 0xab, 0xcd]));
    let uuid = |n: u32| {
        let bytes = our_bytes(&format!("build_id_uuid{n}"), &with(&g, &["--build-id=uuid"]));
        custom_payload(&bytes, "build_id").expect("a build_id section")
    };
    let (a, b) = (uuid(1), uuid(2));
    assert_eq!((a.len(), a[7] >> 4, a[9] >> 6), (17, 4, 0b10), "{a:02x?}");
    assert_ne!(a, b, "two random UUIDs");
    let none = with(&g, &["--build-id=sha1", "--build-id=none"]);
    assert_eq!(our_bytes("build_id", &none), our_bytes("build_id", &g));
    both_fail(
        "build_id",
        &with(&g, &["--build-id=md5"]),
        "unknown --build-id style: md5",
        "unknown --build-id style: md5",
    );
    both_fail(
        "build_id",
        &with(&g, &["--build-id=0xzz"]),
        "not a hexadecimal value: zz",
        "not a hexadecimal value: zz",
    );
}

/// `--export-if-defined=NAME` exports NAME when something defines it (a
/// function, a linker symbol, the `__start_`/`__stop_` bounds of a live
/// segment named like a C identifier) and passes silently when nothing
/// does; `--export` of such a bound works too, and `--export` of a bound
/// whose segment doesn't exist is an error. The same exports and values as
/// wasm-ld-22's.
#[test]
fn export_if_defined_and_segment_bounds() {
    let base = ["--no-entry", "sections.o", "--export=first_item"];
    let plain = facts("export_if_defined", &base);
    let f = facts(
        "export_if_defined",
        &with(
            &base,
            &[
                "--export=__start_mysec",
                "--export-if-defined=__stop_mysec",
                "--export-if-defined=__heap_base",
                "--export-if-defined=nothing_defines_this",
                "--export-if-defined=__start_no_such_segment",
            ],
        ),
    );
    for name in ["__start_mysec", "__stop_mysec", "__heap_base"] {
        assert!(!plain.has_export(name) && f.has_export(name), "{name}: {:?}", f.exports);
    }
    assert!(!f.has_export("nothing_defines_this") && !f.has_export("__start_no_such_segment"));
    both_fail(
        "export_if_defined",
        &with(&base, &["--export=__start_no_such_segment"]),
        "symbol exported via --export not found: __start_no_such_segment",
        "symbol exported via --export not found: __start_no_such_segment",
    );
}

/// `--table-base=N` moves the function table's first slot to N (the table
/// grows to N + entries; 0 means the default, 1), `--growable-table` drops the
/// table's maximum, and `--no-growable-memory` sets the memory's maximum to its
/// initial size (and can't be combined with `--max-memory`); the same tables
/// and memories as wasm-ld-22's.
#[test]
fn table_and_memory_growth() {
    let plain = facts("table", &OPTS);
    let plain_table = plain.table.expect("opts.o takes a function's address");
    assert_eq!(plain_table.max, Some(plain_table.min), "{plain_table:?}");
    assert!(plain.memory.as_ref().is_some_and(|m| m.max.is_none()), "{:?}", plain.memory);

    let based = facts("table", &with(&OPTS, &["--table-base=10"]));
    let table = based.table.unwrap();
    assert_eq!(table.min, plain_table.min + 9, "{table:?}");
    assert_eq!(facts("table", &with(&OPTS, &["--table-base=0"])), plain);

    let growable = facts("table", &with(&OPTS, &["--growable-table"]));
    assert_eq!(growable.table.as_ref().map(|t| (t.min, t.max)), Some((plain_table.min, None)));

    let fixed = facts("table", &with(&OPTS, &["--no-growable-memory"]));
    let memory = fixed.memory.unwrap();
    assert_eq!(memory.max, Some(memory.min), "{memory:?}");
    both_fail(
        "table",
        &with(&OPTS, &["--no-growable-memory", "--max-memory=131072"]),
        "--max-memory is incompatible with --no-growable-memory",
        "--max-memory is incompatible with --no-growable-memory",
    );
}

/// `--reproduce=FILE.tar` (and `LLD_REPRODUCE`) writes wasm-ld's reproducer
/// layout: `STEM/response.txt`, `STEM/version.txt` naming LLD, and the inputs
/// at their absolute paths (here one deeper than a tar header's 100-byte
/// name field, so a PAX header is needed). Extracted with `tar`, the
/// response file links the same module again.
#[test]
fn reproduce_writes_a_replayable_tar() {
    let scratch = Scratch::new("reproduce");
    let deep = scratch.join(format!("{}/{}", "d".repeat(60), "e".repeat(60)));
    std::fs::create_dir_all(&deep).unwrap();
    let input = deep.join("opts.o");
    std::fs::copy(options_dir().join("opts.o"), &input).unwrap();
    let tar = scratch.join("repro.tar");
    let out = scratch.join("out.wasm");
    let line = |extra: &[&std::ffi::OsStr]| {
        let mut a: Vec<std::ffi::OsString> =
            vec!["--no-entry".into(), input.clone().into(), "-o".into(), out.clone().into()];
        a.extend(extra.iter().map(|s| s.to_os_string()));
        a
    };
    let reproduce_arg = format!("--reproduce={}", tar.display());
    let r = run_linker(&linker_under_test(), line(&[reproduce_arg.as_ref()]));
    assert_eq!(r.code, Some(0), "{}", r.describe());
    let linked = std::fs::read(&out).unwrap();
    let listing = std::process::Command::new("tar").arg("tf").arg(&tar).output().expect("running tar");
    let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
    let stored = format!("repro{}", input.display());
    for name in ["repro/response.txt", "repro/version.txt", stored.as_str()] {
        assert!(listing.lines().any(|l| l == name), "{name} missing from\n{listing}");
    }
    let st = std::process::Command::new("tar").arg("xf").arg(&tar).current_dir(scratch.path()).status().unwrap();
    assert!(st.success());
    let repro = scratch.join("repro");
    assert!(std::fs::read_to_string(repro.join("version.txt")).unwrap().contains("LLD"));
    let again = std::process::Command::new(linker_under_test())
        .arg("@response.txt")
        .current_dir(&repro)
        .status()
        .expect("running the linker");
    assert!(again.success());
    assert_eq!(std::fs::read(repro.join("out.wasm")).unwrap(), linked, "the reproducer links another module");
    // LLD_REPRODUCE does the same without the option.
    let tar2 = scratch.join("r2.tar");
    let st =
        std::process::Command::new(linker_under_test()).args(line(&[])).env("LLD_REPRODUCE", &tar2).status().unwrap();
    assert!(st.success() && tar2.is_file(), "LLD_REPRODUCE wrote no tar");
}

/// `--wrap=NAME` when nothing defines `__wrap_NAME`: references to NAME go to
/// the undefined `__wrap_NAME`, which `--allow-undefined` imports (as
/// `env.__wrap_host_add`, in place of `env.host_add`), as in wasm-ld-22.
#[test]
fn wrap_without_a_wrapper_imports_it() {
    let line = ["--no-entry", "undef.o", "--export=run", "--allow-undefined"];
    let plain = facts("wrap_import", &line);
    assert!(plain.has_import("env.host_add"), "{:?}", plain.imports);
    let wrapped = facts("wrap_import", &with(&line, &["--wrap=host_add"]));
    assert!(wrapped.has_import("env.__wrap_host_add") && !wrapped.has_import("env.host_add"), "{:?}", wrapped.imports);
}

/// A `#STUB` library on the command line: the undefined functions it lists
/// (`host_add`, `host_mul`, which undef.o calls) become imports instead of
/// errors, and a listed function's dependencies are exported (`first_item`
/// from sections.o); a dependency nothing defines is an error naming the stub
/// file. The same as wasm-ld-22.
#[test]
fn stub_libraries() {
    let (_guard, stub) =
        temp_file("stub", "libhost.so", "#STUB\n# provided by the host\nhost_add: first_item\nhost_mul\n");
    let base = ["--no-entry", "undef.o", "sections.o", "--export=run"];
    both_fail("stub", &base, "undefined symbol: host_add", "undefined symbol: host_add");
    let f = facts("stub", &with(&base, &[stub.as_str()]));
    assert!(f.has_import("env.host_add") && f.has_import("env.host_mul"), "{:?}", f.imports);
    assert!(f.has_export("first_item"), "{:?}", f.exports);
    let (_guard2, bad) = temp_file("stub", "libbad.so", "#STUB\nhost_add: nothing_defines_this\nhost_mul\n");
    both_fail(
        "stub",
        &with(&base, &[bad.as_str()]),
        "undefined symbol: nothing_defines_this. Required by host_add",
        "undefined symbol: nothing_defines_this. Required by host_add",
    );
}

/// The page size of a module's memory (log2 of bytes; 16 by default).
fn memory_page_size_log2(bytes: &[u8]) -> Option<u32> {
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.expect("a valid module") {
            wasmparser::Payload::MemorySection(r) => {
                return r.into_iter().next().map(|m| m.unwrap().page_size_log2.unwrap_or(16));
            }
            wasmparser::Payload::ImportSection(r) => {
                for imports in r {
                    for import in imports.unwrap() {
                        let (_, import) = import.unwrap();
                        if let wasmparser::TypeRef::Memory(m) = import.ty {
                            return Some(m.page_size_log2.unwrap_or(16));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// `--page-size=1` (custom page sizes) gives the memory 1-byte pages, so it
/// ends exactly where the data does (no 64 KiB rounding), defined or
/// imported; other sizes than 1 and 65536 are rejected. The same limits as
/// wasm-ld-22's.
#[test]
fn page_size_one() {
    let plain = facts("page_size", &OPTS);
    assert_eq!(memory_page_size_log2(&our_bytes("page_size", &OPTS)), Some(16));
    for extra in [&["--page-size=1"][..], &["--page-size=1", "--import-memory"]] {
        let line = with(&OPTS, extra);
        let f = facts("page_size", &line);
        let (pages, plain_pages) = (f.memory.unwrap().min, plain.memory.unwrap().min);
        assert!(pages > 65536 && pages < plain_pages * 65536 && pages % 65536 != 0, "{pages} one-byte pages");
        assert_eq!(memory_page_size_log2(&our_bytes("page_size", &line)), Some(0));
    }
    assert_eq!(our_bytes("page_size", &with(&OPTS, &["--page-size=65536"])), our_bytes("page_size", &OPTS));
    both_fail(
        "page_size",
        &with(&OPTS, &["--page-size=2"]),
        "--page_size=N must be either 1 or 65536",
        "--page_size=N must be either 1 or 65536",
    );
}

/// `-t` / `--trace` prints every linked input file, archive members as
/// `ARCHIVE(MEMBER)`, on stdout, as wasm-ld-22 does; nothing without it.
#[test]
fn trace_prints_the_linked_inputs() {
    let line = ["--no-entry", "opts.o", "liblazy.a", "-u", "lazy_fn"];
    for opt in ["-t", "--trace"] {
        let pair = link_pair("trace", &with(&line, &[opt]));
        assert_eq!(pair.ours.res.stdout, "opts.o\nliblazy.a(lazy.o)\n", "{}", pair.what);
        if let Some(theirs) = &pair.theirs {
            assert_eq!(pair.ours.res.stdout, theirs.res.stdout, "{}", pair.what);
        }
    }
    assert_eq!(our_run("trace", &line).stdout, "");
}

// ---------------------------------------------------------------------------
// Map file, demangling, symbol tracing, --verbose

/// The C++ object (`mangled.cc`) as a library module exporting `run`.
const MANGLED: [&str; 3] = ["--no-entry", "--export=run", "mangled.o"];

/// The text both linkers write for `-Map=<dir>/out.map` (wasmlink's, and
/// wasm-ld-22's when installed); both modules must be equal byte for byte,
/// so the maps describe the same module.
fn maps(test: &str, args: &[&str]) -> (String, Option<String>) {
    let scratch = Scratch::new(test);
    let map_of = |linker: &Path, dir: &str| -> (Vec<u8>, String) {
        let dir = scratch.join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let map = dir.join("out.map");
        let mut line: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        line.push(format!("-Map={}", map.display()));
        let linked = link_into(linker, &dir, &line.iter().map(String::as_str).collect::<Vec<_>>());
        let bytes = linked.bytes(&format!("{test}: {args:?}")).to_vec();
        (bytes, std::fs::read_to_string(&map).expect("the map file"))
    };
    let (our_bytes, ours) = map_of(&linker_under_test(), "wasmlink");
    let theirs = reference_linker().map(|r| {
        let (bytes, map) = map_of(&r, "wasm-ld-22");
        assert!(bytes == our_bytes, "{test}: the modules differ, so their maps can't be compared");
        map
    });
    (ours, theirs)
}

/// `-Map=FILE` writes wasm-ld's map: sections with offsets and sizes,
/// functions under CODE with their (demangled) symbols, data segments with
/// addresses, `.bss` at offset 0, globals with their index; byte for byte
/// as wasm-ld-22's, with and without --gc-sections and --import-memory
/// (which writes `.bss`).
#[test]
fn map_file() {
    for extra in [&[][..], &["--no-gc-sections"], &["--import-memory"]] {
        let (ours, theirs) = maps("map_file", &with(&MANGLED, extra));
        for line in [
            "    Addr      Off     Size Out     In      Symbol",
            "       0        0        0         __stack_pointer",
            "        mangled.o:(_ZN6shapes4areaEii)",
            "                shapes::area(int, int)",
            "        <internal>:(__wasm_call_ctors)",
            "        <internal>:(_Z13optional_hooki)",
            "        mangled.o:(.bss._ZL6zeroes)",
        ] {
            assert!(ours.lines().any(|l| l.ends_with(line)), "{extra:?}: no line ending {line:?} in\n{ours}");
        }
        assert!(ours.contains("   10000 "), "data addresses: {ours}");
        if let Some(theirs) = theirs {
            assert_eq!(ours, theirs, "{extra:?}: the map differs from wasm-ld-22's");
        }
    }
}

/// `-M` and `--print-map` print the same map to stdout; without them
/// nothing is printed.
#[test]
fn print_map() {
    let (file, _) = maps("print_map", &MANGLED);
    for opt in ["-M", "--print-map", "-Map=-"] {
        let pair = link_pair("print_map", &with(&MANGLED, &[opt]));
        assert!(pair.ours.succeeded(), "{}", pair.ours.res.describe());
        assert_eq!(pair.ours.res.stdout, file, "{opt}");
        if let Some(theirs) = pair.theirs {
            assert_eq!(theirs.res.stdout, file, "{opt} (wasm-ld-22)");
        }
    }
    assert_eq!(our_run("print_map", &MANGLED).stdout, "");
}

/// A map file that can't be written fails the link before any work (the
/// undefined symbol of `mangled_undef.o` is never reported), as wasm-ld's
/// early check does; so does an unwritable output, and both are reported.
#[test]
fn map_file_unwritable_fails_early() {
    let undef = ["--no-entry", "--export=run", "mangled_undef.o"];
    let err = both_fail(
        "map_file_unwritable",
        &with(&undef, &["-Map=does_not_exist/out.map"]),
        "error: cannot open map file does_not_exist/out.map",
        "error: cannot open map file does_not_exist/out.map",
    );
    assert!(!err.contains("undefined symbol"), "{err}");
    let err = our_run("map_file_unwritable", &with(&undef, &["-o", "no_dir/out.wasm", "-Map=no_dir/out.map"])).stderr;
    assert!(err.contains("cannot open output file no_dir/out.wasm"), "{err}");
    assert!(err.contains("cannot open map file no_dir/out.map"), "{err}");
}

/// The name section shows C++ names demangled by default (`--demangle`),
/// the `undefined_weak:` stub included, and as they are with
/// `--no-demangle`; as wasm-ld-22 writes it.
#[test]
fn demangle_name_section() {
    let demangled = facts("demangle_names", &with(&MANGLED, &["--demangle"]));
    assert_eq!(demangled, facts("demangle_names", &MANGLED), "--demangle is the default");
    for name in ["shapes::area(int, int)", "Counter::Counter()", "undefined_weak:optional_hook(int)"] {
        assert!(demangled.has_function(name), "{name}: {:?}", demangled.function_names);
    }
    let mangled = facts("demangle_names", &with(&MANGLED, &["--no-demangle"]));
    for name in ["_ZN6shapes4areaEii", "_ZN7CounterC2Ev", "undefined_weak:_Z13optional_hooki"] {
        assert!(mangled.has_function(name), "{name}: {:?}", mangled.function_names);
    }
}

/// Diagnostics name symbols demangled unless `--no-demangle`.
#[test]
fn demangle_diagnostics() {
    let line = ["--no-entry", "--export=run", "mangled_undef.o"];
    both_fail(
        "demangle_diag",
        &line,
        "mangled_undef.o: undefined symbol: missing(int)",
        "undefined symbol: missing(int)",
    );
    both_fail(
        "demangle_diag",
        &with(&line, &["--no-demangle"]),
        "mangled_undef.o: undefined symbol: _Z7missingi",
        "undefined symbol: _Z7missingi",
    );
}

/// `-y NAME` / `--trace-symbol=NAME` print wasm-ld's lines on stdout: lazy
/// definitions of archive members, references, definitions (including the
/// linker's own), in wasm-ld's order.
#[test]
fn trace_symbol() {
    let line = with(
        &OPTS,
        &[
            "liblazy.a",
            "-u",
            "lazy_fn",
            "-y",
            "lazy_fn",
            "--trace-symbol=run",
            "-y",
            "__stack_pointer",
            "-y",
            "nothing",
        ],
    );
    let pair = link_pair("trace_symbol", &line);
    assert!(pair.ours.succeeded(), "{}", pair.ours.res.describe());
    let ours = &pair.ours.res.stdout;
    assert_eq!(
        ours,
        "<internal>: definition of __stack_pointer\n\
         opts.o: definition of run\n\
         liblazy.a(lazy.o): lazy definition of lazy_fn\n\
         liblazy.a(lazy.o): definition of lazy_fn\n",
        "stdout"
    );
    if let Some(theirs) = pair.theirs {
        assert_eq!(ours, &theirs.res.stdout, "wasm-ld-22's trace differs");
    }
    assert_eq!(our_run("trace_symbol", &with(&OPTS, &["liblazy.a"])).stdout, "");
}

/// `-y` lines of a C++ link name symbols as they are (wasm-ld doesn't
/// demangle them), with references from each file; a weak undefined
/// function shows as its trap stub `undefined_weak:` (demangled).
#[test]
fn trace_symbol_references() {
    let line = with(&MANGLED, &["-y", "_Z13optional_hooki", "-y", "_ZN6shapes4areaEii", "-y", "__heap_base"]);
    let pair = link_pair("trace_symbol_refs", &line);
    assert!(pair.ours.succeeded(), "{}", pair.ours.res.describe());
    assert!(pair.ours.res.stdout.contains("mangled.o: definition of _ZN6shapes4areaEii"), "{}", pair.ours.res.stdout);
    assert!(pair.ours.res.stdout.contains("mangled.o: reference to _Z13optional_hooki"), "{}", pair.ours.res.stdout);
    assert!(
        pair.ours.res.stdout.contains("<internal>: definition of undefined_weak:optional_hook(int)"),
        "{}",
        pair.ours.res.stdout
    );
    if let Some(theirs) = pair.theirs {
        assert_eq!(pair.ours.res.stdout, theirs.res.stdout, "wasm-ld-22's trace differs");
    }
}

/// `--verbose` logs the inputs, the memory layout and the sections (as
/// wasm-ld's `--verbose` does) on stderr; without it nothing is logged.
#[test]
fn verbose() {
    let quiet = our_run("verbose", &MANGLED);
    assert_eq!(quiet.stderr, "");
    let loud = our_run("verbose", &with(&MANGLED, &["--verbose"]));
    assert_eq!(loud.code, Some(0), "{}", loud.describe());
    for needle in
        [": Loading: mangled.o", ": Processing: mangled.o", ": mem: stack size  = 65536", ": createHeader: CODE body="]
    {
        assert!(loud.stderr.contains(needle), "no {needle:?} in\n{}", loud.stderr);
    }
    if let Some(r) = reference_linker() {
        let scratch = Scratch::new("verbose");
        let theirs = link_into(&r, &scratch.join("ref"), &with(&MANGLED, &["--verbose"])).res.stderr;
        for line in theirs.lines().filter(|l| l.contains("createHeader: ")) {
            let tail = &line[line.find(": ").unwrap()..];
            assert!(loud.stderr.contains(tail), "wasm-ld-22 logs {tail:?}; wasmlink:\n{}", loud.stderr);
        }
    }
}

/// `--compress-relocations` (with `--strip-debug`): every relocated LEB of
/// the code at its minimal length; the module is byte-identical to
/// wasm-ld-22's and smaller than without the option. Without a strip option,
/// and with `-r`, it is refused as wasm-ld refuses it.
#[test]
fn compress_relocations() {
    let plain = link_pair("compress", &with(&OPTS, &["--strip-debug"]));
    let compressed = link_pair("compress", &with(&OPTS, &["--strip-debug", "--compress-relocations"]));
    let (Some(plain), Some(ours)) = (&plain.ours.bytes, &compressed.ours.bytes) else {
        panic!("{}: link failed\n{}", compressed.what, compressed.ours.res.describe())
    };
    assert!(ours.len() < plain.len(), "{} bytes compressed, {} without", ours.len(), plain.len());
    if let Some(theirs) = compressed.theirs.as_ref().and_then(|t| t.bytes.as_ref()) {
        assert!(ours == theirs, "{}: differs from wasm-ld-22's output", compressed.what);
    }
    both_fail(
        "compress",
        &with(&OPTS, &["--compress-relocations"]),
        "--compress-relocations is incompatible with output debug information",
        "--compress-relocations is incompatible with output debug information",
    );
}

/// `--rsp-quoting=windows|posix`: how `@file` response files split. The
/// same file, `--export=visible_fn 'opts.o'`, links with POSIX quoting (the
/// single quotes group) and fails with Windows quoting (they are part of
/// the file name), as in wasm-ld-22.
#[test]
fn rsp_quoting() {
    let scratch = Scratch::new("rsp-quoting");
    let rsp = scratch.join("args.rsp");
    std::fs::write(&rsp, format!("--export=visible_fn '{}'", testdata().join("options/opts.o").display())).unwrap();
    let at = format!("@{}", rsp.display());
    for quoting in [&[][..], &["--rsp-quoting=posix"]] {
        let f = facts("rsp-quoting", &with(&["--no-entry", at.as_str()], quoting));
        assert!(f.has_export("visible_fn"), "{quoting:?}: {:?}", f.exports);
    }
    let windows = with(&["--no-entry", "--rsp-quoting=windows"], &[at.as_str()]);
    let err = both_fail("rsp-quoting", &windows, "opts.o'", "opts.o'");
    assert!(err.contains('\''), "{err}");
}
