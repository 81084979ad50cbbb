//! Shared libraries as inputs: linked modules (`wasm-ld -shared` output)
//! whose first section is `dylink.0`. A shared library contributes no code
//! or data, only definitions: the functions and data it exports, which the
//! output then imports (functions from `env`, data addresses through
//! `GOT.mem`) and which the dynamic loader resolves at run time. Its file
//! name is recorded as needed in the output's `dylink.0`.

use crate::error::RawResult;
use crate::object::Signature;
use crate::ParseError;
use wasmparser::{ExternalKind, Parser, Payload, TypeRef};

/// The name of the dynamic-linking custom section.
pub const DYLINK_SECTION: &str = "dylink.0";

/// What a shared library exports under one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SharedSymbolKind {
    /// A function, with its signature.
    Function(Signature),
    /// A data symbol (an exported global holding an address relative to the
    /// library's `__memory_base`).
    Data,
}

/// One definition a shared library provides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedSymbol<'a> {
    /// The export name.
    pub name: &'a str,
    /// Function or data.
    pub kind: SharedSymbolKind,
}

/// A shared library named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedLibrary<'a> {
    /// The path as given.
    pub path: &'a str,
    /// Its exports, in export order, without the ones that belong to the
    /// library itself (`__wasm_call_ctors`, `__wasm_apply_data_relocs`).
    pub symbols: Vec<SharedSymbol<'a>>,
}

impl SharedLibrary<'_> {
    /// The name the output's `dylink.0` lists it under: its file name.
    pub fn needed_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

/// Whether `bytes` are a shared library: a wasm module whose first section
/// is the `dylink.0` custom section.
pub fn is_shared_library(bytes: &[u8]) -> bool {
    for payload in Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(Payload::Version { .. }) => continue,
            Ok(Payload::CustomSection(c)) => return c.name() == DYLINK_SECTION,
            _ => return false,
        }
    }
    false
}

/// Reads a shared library's exports. Errors name the file and offset.
pub fn parse_shared_library<'a>(path: &'a str, bytes: &'a [u8]) -> Result<SharedLibrary<'a>, ParseError> {
    read(path, bytes).map_err(|e| e.in_file(path))
}

fn read<'a>(path: &'a str, bytes: &'a [u8]) -> RawResult<SharedLibrary<'a>> {
    let mut types: Vec<Signature> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new();
    let mut symbols = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        match payload {
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    let t = t?;
                    types.push(Signature { params: t.params().into(), results: t.results().into() });
                }
            }
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    if let TypeRef::Func(t) = i?.ty {
                        func_types.push(t);
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    func_types.push(t?);
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e?;
                    if matches!(e.name, "__wasm_call_ctors" | "__wasm_apply_data_relocs") {
                        continue;
                    }
                    let kind = match e.kind {
                        ExternalKind::Func => {
                            let sig = func_types.get(e.index as usize).and_then(|t| types.get(*t as usize));
                            match sig {
                                Some(s) => SharedSymbolKind::Function(s.clone()),
                                None => continue,
                            }
                        }
                        ExternalKind::Global => SharedSymbolKind::Data,
                        _ => continue,
                    };
                    symbols.push(SharedSymbol { name: e.name, kind });
                }
            }
            _ => {}
        }
    }
    Ok(SharedLibrary { path, symbols })
}
