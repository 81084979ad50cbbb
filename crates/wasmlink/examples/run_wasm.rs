//! Runs a WASI preview1 command module in wasmtime: `run_wasm FILE [ARGS...]`.
//! Stdout and stderr are the program's; the exit status is the program's.
//! Used by `cargo xtask example` and `cargo xtask bench` (the tests use the
//! same engine in-process).

use wasmtime::{Engine, Linker, Module, Store};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::WasiCtxBuilder;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: run_wasm FILE [ARGS...]");
        std::process::exit(2);
    };
    match run(path, &args) {
        Ok(status) => std::process::exit(status),
        Err(e) => {
            eprintln!("run_wasm: {e:?}");
            std::process::exit(70);
        }
    }
}

fn run(path: &str, args: &[String]) -> wasmtime::Result<i32> {
    let engine = Engine::default();
    let module = Module::from_file(&engine, path)?;
    let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
    p1::add_to_linker_sync(&mut linker, |t| t)?;
    let wasi = WasiCtxBuilder::new().inherit_stdout().inherit_stderr().args(args).build_p1();
    let mut store = Store::new(&engine, wasi);
    let instance = linker.instantiate(&mut store, &module)?;
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
    match start.call(&mut store, ()) {
        Ok(()) => Ok(0),
        Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(x) => Ok(x.0),
            None => Err(e),
        },
    }
}
