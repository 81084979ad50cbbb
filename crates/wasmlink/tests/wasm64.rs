//! memory64 (`-m wasm64`) end to end: the freestanding program of
//! `testdata/wasm64` (`main.c`, `util.c`) compiled by clang-19 for
//! `wasm64-unknown-unknown` at `-O2`, at `-O0 -g` (debug sections with
//! `R_WASM_FUNCTION_OFFSET_I64`) and at `-O2 -fPIC` (`MEMORY_ADDR_REL_SLEB64`,
//! `TABLE_INDEX_REL_SLEB64` and GOT entries, which are i64 globals here),
//! linked with compiler-rt's wasm64 builtins
//! (Debian's `libclang-rt-19-dev-wasm64`, installed by `cargo xtask test`)
//! by wasmlink and by wasm-ld-22. The objects use the 64-bit relocations
//! `MEMORY_ADDR_LEB64`/`_SLEB64`/`_I64` and `TABLE_INDEX_SLEB64`/`_I64`;
//! the modules have a 64-bit memory and table and i64 address globals.
//!
//! Both modules must be byte-identical (each written as `prog.wasm`, the
//! name the "name" section carries), validate with memory64, and run in
//! wasmtime with a host `env.print(ptr: i64, len: i64)` printing the
//! output fixed below, with `run`'s result 8.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::module_facts::module_facts;
use crate::common::*;
use wasmtime::{Caller, Config, Engine, Extern, Linker, Module, Store};

/// compiler-rt's builtins for wasm64.
const BUILTINS64: &str = "/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm64.a";

/// What the program prints (see `testdata/wasm64/main.c`).
const EXPECTED: &str = "strong greeting
ctor: 42
add 35
mul 2
sub 12
fp: 42
alpha
beta*
gamma
u128: 121fa00ad77d74 22236d88fe5618cf / d = 14429144443876727310 rem 89593453
ld: 2250
bss sum: 0
heap after data: yes
heap step: 112
tls: 12
stack frames: 1
";

/// `run`'s result: `counter + 1`.
const EXIT: i32 = 8;

/// Compiles `testdata/wasm64/*.c` with `flags` into `dir`; the objects.
fn compile(dir: &Path, flags: &[&str]) -> Vec<PathBuf> {
    let src = testdata().join("wasm64");
    ["main", "util"]
        .iter()
        .map(|name| {
            let obj = dir.join(format!("{name}.o"));
            let res = run_process(
                Command::new(CLANG)
                    .args(["--target=wasm64-unknown-unknown", "-fdebug-compilation-dir=."])
                    .args(flags)
                    .arg("-c")
                    .arg(src.join(format!("{name}.c")))
                    .arg("-o")
                    .arg(&obj),
            );
            assert_eq!(res.code, Some(0), "compiling {name}.c failed\n{}", res.describe());
            obj
        })
        .collect()
}

/// Links the objects with `linker` into `dir/prog.wasm`; the bytes.
fn link(linker: &Path, objects: &[PathBuf], dir: &Path) -> Vec<u8> {
    std::fs::create_dir_all(dir).unwrap();
    let out = dir.join("prog.wasm");
    let res = run_process(
        Command::new(linker)
            .args(["-mwasm64", "--no-entry", "--export=run"])
            .args(objects)
            .arg(BUILTINS64)
            .arg("-o")
            .arg(&out),
    );
    assert_eq!(res.code, Some(0), "{}: link failed\n{}", linker.display(), res.describe());
    std::fs::read(&out).unwrap()
}

/// An engine with memory64 (64-bit memories and tables) enabled.
fn engine64() -> Engine {
    let mut config = Config::new();
    config.wasm_memory64(true);
    config.cranelift_opt_level(wasmtime::OptLevel::None);
    Engine::new(&config).expect("creating the wasmtime engine")
}

/// Runs the module's `run` with the host `env.print`; (output, result).
fn run(engine: &Engine, bytes: &[u8]) -> (String, i32) {
    let module = Module::new(engine, bytes).expect("wasmtime rejected the module");
    let mut store = Store::new(engine, Vec::<u8>::new());
    let mut linker = Linker::new(engine);
    linker
        .func_wrap("env", "print", |mut caller: Caller<'_, Vec<u8>>, ptr: i64, len: i64| {
            let Some(Extern::Memory(memory)) = caller.get_export("memory") else { panic!("no memory export") };
            let (start, len) = (ptr as usize, len as usize);
            let bytes = memory.data(&caller)[start..start + len].to_vec();
            caller.data_mut().extend(bytes);
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).expect("instantiating");
    let f = instance.get_typed_func::<(), i32>(&mut store, "run").expect("a `run: () -> i32` export");
    let result = f.call(&mut store, ()).expect("run trapped");
    (String::from_utf8_lossy(store.data()).into_owned(), result)
}

/// Both variants: compile, link with both linkers, compare, run.
#[test]
fn wasm64_program_runs_like_wasm_ld() {
    let test = "wasm64_program_runs_like_wasm_ld";
    if !clang_ready(test, CLANG) {
        return;
    }
    if !Path::new(BUILTINS64).exists() {
        skip(test, &format!("{BUILTINS64} not installed (libclang-rt-19-dev-wasm64)"));
        return;
    }
    let engine = engine64();
    for (variant, flags) in [("O2", &["-O2"][..]), ("O0g", &["-O0", "-g"][..]), ("O2pic", &["-O2", "-fPIC"][..])] {
        let scratch = Scratch::new(&format!("wasm64-{variant}"));
        let objects = compile(scratch.path(), flags);
        let ours = link(&linker_under_test(), &objects, &scratch.join("wasmlink"));
        let features = wasmparser::WasmFeatures::default() | wasmparser::WasmFeatures::MEMORY64;
        validate_with(&ours, features).unwrap_or_else(|e| panic!("{variant}: wasmlink output: {e}"));
        let facts = module_facts(&ours);
        assert!(facts.memory64 && facts.table64, "{variant}: 64-bit memory and table expected: {facts:?}");
        assert_eq!(facts.global_types.first().map(String::as_str), Some("i64 mut"), "{variant}: __stack_pointer");
        assert!(facts.target_features.contains(&"+memory64".to_string()), "{variant}: {:?}", facts.target_features);
        let (output, result) = run(&engine, &ours);
        assert_eq!(output, EXPECTED, "{variant}: wasmlink's module printed (left)");
        assert_eq!(result, EXIT, "{variant}: run's result");
        if let Some(wasm_ld) = reference_linker() {
            let theirs = link(&wasm_ld, &objects, &scratch.join("wasm-ld-22"));
            assert_eq!(run(&engine, &theirs), (output, result), "{variant}: wasm-ld-22's module runs differently");
            assert!(ours == theirs, "{variant}: the modules differ (cargo xtask diff shows where)");
        }
    }
}

/// `threads64.o` (`testdata/options/threads.c` for wasm64, with atomics
/// and bulk memory) linked with `-mwasm64 --shared-memory` by both
/// linkers: the start function `__wasm_init_memory` (i64 addresses) sets
/// up the data and the main thread's TLS; `tl_init` runs
/// `__wasm_init_tls(i64)` on a second block, which then holds a fresh
/// `.tdata` copy (its `.tdata` pointer relocated) while `.data` and `.bss`
/// stay shared. The values are fixed by `threads.c`: `tl_get` is
/// `tl_value + tl_zero + *tl_ptr + shared_zero`.
#[test]
fn wasm64_shared_memory_tls_runs() {
    let mut config = Config::new();
    config.wasm_memory64(true).wasm_threads(true).shared_memory(true);
    config.cranelift_opt_level(wasmtime::OptLevel::None);
    let engine = Engine::new(&config).expect("creating the wasmtime engine");
    let scratch = Scratch::new("wasm64-threads");
    let mut linkers = vec![("wasmlink", linker_under_test())];
    linkers.extend(reference_linker().map(|r| ("wasm-ld-22", r)));
    let mut results = Vec::new();
    for (name, linker) in linkers {
        let out = scratch.join(format!("{name}.wasm"));
        let res = run_process(
            Command::new(&linker)
                .current_dir(testdata().join("options"))
                .args(["-mwasm64", "threads64.o", "--no-entry", "--shared-memory"])
                .args(["--export=tl_get", "--export=tl_set", "--export=tl_address", "--export=tl_init"])
                .arg("-o")
                .arg(&out),
        );
        assert_eq!(res.code, Some(0), "{name}: link failed\n{}", res.describe());
        let module = Module::from_file(&engine, &out).expect("wasmtime rejected the module");
        let mut store = Store::new(&engine, ());
        let instance = wasmtime::Instance::new(&mut store, &module, &[]).expect("instantiating");
        let get = instance.get_typed_func::<(), i32>(&mut store, "tl_get").unwrap();
        let set = instance.get_typed_func::<i32, ()>(&mut store, "tl_set").unwrap();
        let address = instance.get_typed_func::<(), i64>(&mut store, "tl_address").unwrap();
        let init = instance.get_typed_func::<i64, ()>(&mut store, "tl_init").unwrap();
        let mut seen = vec![i64::from(get.call(&mut store, ()).unwrap())];
        set.call(&mut store, 3).unwrap();
        seen.push(i64::from(get.call(&mut store, ()).unwrap()));
        let main_block = address.call(&mut store, ()).unwrap();
        let second_block = 65536 + 1024;
        init.call(&mut store, second_block).unwrap();
        seen.push(i64::from(get.call(&mut store, ()).unwrap()));
        seen.push(address.call(&mut store, ()).unwrap() - second_block);
        assert_eq!(seen, [5 + 7, 3 * 3 + 7, 5 + 7 + 3, 0], "{name}: main TLS block at {main_block}");
        results.push((name, seen, main_block));
    }
    if let [(_, ours, a), (_, theirs, b)] = &results[..] {
        assert_eq!((ours, a), (theirs, b), "wasmlink's module (left) runs differently from wasm-ld-22's");
    }
}
