//! A thread-local storage program with shared memory, run: `threads.o`
//! (`testdata/options`, built with atomics and bulk memory) linked with
//! `--shared-memory --import-memory` by wasmlink and by wasm-ld-22, each
//! module instantiated twice on one wasmtime `SharedMemory`, the second
//! instance on another OS thread, as wasi-threads runs a thread:
//!
//! * the first instance's start function (`__wasm_init_memory`) copies the
//!   passive segments in and points `__tls_base` at the `.tdata` copy;
//! * the second instance's start function finds the flag at 2 and only
//!   drops its segments: the first thread's writes to `.bss` stay;
//! * `__wasm_init_tls` (through `tl_init`) gives the second thread a fresh
//!   copy of `.tdata` at an address of its own, with the `.tdata` pointer
//!   relocated, and the first thread's TLS is untouched.
//!
//! Both linkers' modules must give the same values, which are also fixed
//! here (5 + 0 + 7 + 0 at first, and so on: see `threads.c`).

use std::path::Path;
use std::process::Command;

use crate::common::*;
use wasmtime::{Config, Engine, Instance, Module, SharedMemory, Store, TypedFunc};

/// Where the second thread's TLS block goes: past the static data, inside
/// the two pages.
const SECOND_BLOCK: i32 = 65536 + 1024;

/// Links `threads.o` with `linker`; the module's bytes.
fn link(linker: &Path, scratch: &Scratch, name: &str) -> Vec<u8> {
    let out = scratch.join(name);
    let res = run_process(
        Command::new(linker)
            .current_dir(testdata().join("options"))
            .args(["threads.o", "--no-entry", "--shared-memory", "--import-memory"])
            .args(["--export=tl_get", "--export=tl_set", "--export=tl_address", "--export=tl_init"])
            .arg("-o")
            .arg(&out),
    );
    assert_eq!(res.code, Some(0), "{name}: link failed\n{}", res.describe());
    std::fs::read(&out).unwrap()
}

/// One instance of the module (one thread's view of the program).
struct Thread {
    store: Store<()>,
    get: TypedFunc<(), i32>,
    set: TypedFunc<i32, ()>,
    address: TypedFunc<(), i32>,
    init: TypedFunc<i32, ()>,
}

impl Thread {
    /// Instantiates `module` on `memory` (running its start function).
    fn new(engine: &Engine, module: &Module, memory: &SharedMemory) -> Thread {
        let mut store = Store::new(engine, ());
        let instance = Instance::new(&mut store, module, &[memory.clone().into()]).expect("instantiating");
        let get = instance.get_typed_func(&mut store, "tl_get").unwrap();
        let set = instance.get_typed_func(&mut store, "tl_set").unwrap();
        let address = instance.get_typed_func(&mut store, "tl_address").unwrap();
        let init = instance.get_typed_func(&mut store, "tl_init").unwrap();
        Thread { store, get, set, address, init }
    }
    fn get(&mut self) -> i32 {
        self.get.call(&mut self.store, ()).unwrap()
    }
    fn set(&mut self, v: i32) {
        self.set.call(&mut self.store, v).unwrap()
    }
    fn address(&mut self) -> i32 {
        self.address.call(&mut self.store, ()).unwrap()
    }
    fn init(&mut self, block: i32) {
        self.init.call(&mut self.store, block).unwrap()
    }
}

/// Runs the two threads; the values they saw, in order.
fn run(bytes: &[u8]) -> Vec<i32> {
    let mut config = Config::new();
    config.wasm_threads(true).shared_memory(true);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(&engine, bytes).expect("compiling");
    let memory = SharedMemory::new(&engine, wasmtime::MemoryType::shared(2, 2)).unwrap();
    let mut main = Thread::new(&engine, &module, &memory);
    let mut seen = vec![main.get()];
    main.set(3);
    seen.push(main.get());
    let main_block = main.address();
    let second = std::thread::spawn({
        let (engine, module, memory) = (engine.clone(), module.clone(), memory.clone());
        move || {
            let mut t = Thread::new(&engine, &module, &memory);
            t.init(SECOND_BLOCK);
            vec![t.get(), t.address()]
        }
    });
    seen.extend(second.join().expect("the second thread"));
    seen.push(main.get());
    seen.push(i32::from(main.address() == main_block));
    seen
}

#[test]
fn tls_with_shared_memory_runs_on_two_threads() {
    let scratch = Scratch::new("threads_tls");
    let ours = link(&linker_under_test(), &scratch, "wasmlink.wasm");
    validate_with(&ours, wasmparser::WasmFeatures::default() | wasmparser::WasmFeatures::THREADS)
        .unwrap_or_else(|e| panic!("wasmlink's output does not validate: {e}"));
    let seen = run(&ours);
    // main: 5+0+7+0, then 3+3+7+3; second thread: a fresh block (5+0+7)
    // plus the main thread's .bss write (3), at its own address; main again.
    assert_eq!(seen, [12, 16, 15, SECOND_BLOCK, 16, 1], "tl_get/tl_address as the threads saw them");
    match reference_linker() {
        Some(r) => {
            assert_eq!(seen, run(&link(&r, &scratch, "wasm-ld-22.wasm")), "wasm-ld-22's module runs differently")
        }
        None => uncaptured_note("NOTE: threads_tls: wasm-ld-22 not installed; comparison skipped"),
    }
}
