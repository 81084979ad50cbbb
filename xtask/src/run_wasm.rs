//! Runs a WASI preview1 command module in wasmtime, capturing stdout.

use anyhow::{anyhow, Result};
use wasmtime::{Engine, Linker, Module, Store};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::WasiCtxBuilder;

/// What a run produced.
pub struct RunResult {
    /// Captured stdout.
    pub stdout: Vec<u8>,
    /// Exit status (0 when `_start` returns).
    pub status: i32,
}

/// Instantiates `wasm` and calls `_start`.
pub fn run_command(wasm: &[u8]) -> Result<RunResult> {
    let engine = Engine::default();
    let module = Module::new(&engine, wasm).map_err(|e| anyhow!("{e:?}"))?;
    let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
    p1::add_to_linker_sync(&mut linker, |t| t).map_err(|e| anyhow!("{e:?}"))?;
    let stdout = MemoryOutputPipe::new(1 << 24);
    let wasi = WasiCtxBuilder::new().stdout(stdout.clone()).inherit_stderr().build_p1();
    let mut store = Store::new(&engine, wasi);
    let instance = linker.instantiate(&mut store, &module).map_err(|e| anyhow!("{e:?}"))?;
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start").map_err(|e| anyhow!("{e:?}"))?;
    let status = match start.call(&mut store, ()) {
        Ok(()) => 0,
        Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(x) => x.0,
            None => anyhow::bail!("trap: {e:?}"),
        },
    };
    drop(store);
    Ok(RunResult { stdout: stdout.contents().to_vec(), status })
}
