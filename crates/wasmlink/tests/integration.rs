//! wasmlink's integration tests, as one test binary. Every module below
//! links wasmtime to run what it links; as separate binaries that was twenty
//! ~60 MB links (and, with dependencies' debug info, 8 GB of disk that CI did
//! not have). Run one module with
//! `cargo test -p wasmlink --test integration e2e_c::`.

mod common;

mod archives;
mod determinism;
mod diagnostics;
mod dynamic;
mod e2e_c;
mod e2e_emscripten;
mod e2e_rust;
mod e2e_zig;
mod errors;
mod hostile;
mod linkdiff;
mod options;
mod relocatable;
mod resolution_order;
mod resources;
mod size_report;
mod threads;
mod wasm64;
mod why_live;
