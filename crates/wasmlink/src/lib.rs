//! # wasmlink: a WebAssembly static linker with wasm-ld's command line
//!
//! The library behind the `wasmlink` binary. One link is:
//!
//! ```no_run
//! let config = wasmlink::args::parse(vec!["main.o".into(), "-o".into(), "main.wasm".into()])?;
//! let inputs = wasmlink::load(&config)?;
//! let linked = wasmlink::link(&config, &inputs)?;
//! wasmlink::write_output(&config, &linked)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`link`] runs the stages in order: object-parse → symbol-resolve →
//! atom-layout → section-merge → type-dedup → emit (see ARCHITECTURE.md),
//! each configured from [`Config`] by one method of it. Every caller (the
//! binary, the snapshot tests, the fuzz targets, xtask) links through here.

pub mod args;
pub mod config;
pub mod error;
mod link;
pub mod live_graph;
pub mod map_file;
pub mod notes;
pub mod reproduce;
pub mod size_report;
mod size_report_html;
pub mod symbol_trace;
pub mod timing;
pub mod why_extract;
pub mod why_live;

/// The version line `--version` prints (it names LLD, as tools that check
/// for a wasm-ld compatible linker expect).
pub fn version() -> String {
    format!("wasmlink {} (compatible with LLD 22 wasm-ld)", env!("CARGO_PKG_VERSION"))
}

pub use config::{ColorChoice, Config, ConfigError, InputArg, LineItem};
pub use error::LinkError;
pub use link::{
    link, link_observed, load, load_inputs, validate, write_map, write_output, Alongside, Linked, Observer, Quiet,
    StageOutput,
};
