//! Reading a linked module into a [`Module`] with wasmparser.

use crate::{Function, Module, Segment};
use std::collections::HashMap;
use wasmparser::{
    BinaryReaderError, DataKind, ElementItems, ElementKind, ExternalKind, KnownCustom, Name, Operator, Parser, Payload,
    TypeRef,
};

/// A module that can't be read.
#[derive(Debug)]
pub struct ReadError(pub BinaryReaderError);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read module: {}", self.0)
    }
}

impl std::error::Error for ReadError {}

impl From<BinaryReaderError> for ReadError {
    fn from(e: BinaryReaderError) -> Self {
        ReadError(e)
    }
}

/// What the first pass collects before names are known.
#[derive(Default)]
struct Raw {
    types: Vec<String>,
    imported_funcs: Vec<(String, u32)>,
    func_types: Vec<u32>,
    bodies: Vec<usize>,
    globals: Vec<String>,
    imported_globals: usize,
    tags: Vec<u32>,
    exports: Vec<(String, ExternalKind, u32)>,
    start: Option<u32>,
    elements: Vec<(u64, Vec<u32>)>,
    segments: Vec<(Option<i64>, usize)>,
    func_names: HashMap<u32, String>,
    global_names: HashMap<u32, String>,
    data_names: HashMap<u32, String>,
}

/// Reads `bytes` (a linked module).
pub fn read_module(bytes: &[u8]) -> Result<Module, ReadError> {
    let mut m = Module::default();
    let mut raw = Raw::default();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        if let Some((id, range)) = payload.as_section() {
            let name = match &payload {
                Payload::CustomSection(c) => c.name().to_string(),
                _ => section_name(id).to_string(),
            };
            m.sections.push((name, (range.end - range.start) as usize));
        }
        read_payload(payload, &mut m, &mut raw)?;
    }
    finish(m, raw)
}

fn section_name(id: u8) -> &'static str {
    match id {
        1 => "type",
        2 => "import",
        3 => "function",
        4 => "table",
        5 => "memory",
        6 => "global",
        7 => "export",
        8 => "start",
        9 => "element",
        10 => "code",
        11 => "data",
        12 => "datacount",
        13 => "tag",
        _ => "unknown",
    }
}

fn read_payload(payload: Payload<'_>, m: &mut Module, raw: &mut Raw) -> Result<(), ReadError> {
    match payload {
        Payload::TypeSection(r) => {
            for ft in r.into_iter_err_on_gc_types() {
                let ft = ft?;
                let ty = format!("{:?} -> {:?}", ft.params(), ft.results());
                m.types.push(ty.clone());
                raw.types.push(ty);
            }
        }
        Payload::ImportSection(r) => {
            for imp in r.into_imports() {
                let imp = imp?;
                let field = format!("{}.{}", imp.module, imp.name);
                let kind = match imp.ty {
                    TypeRef::Func(t) => {
                        raw.imported_funcs.push((field.clone(), t));
                        "func".to_string()
                    }
                    TypeRef::Global(g) => {
                        raw.imported_globals += 1;
                        raw.globals.push(format!("import {field} {:?} mut={}", g.content_type, g.mutable));
                        "global".to_string()
                    }
                    TypeRef::Table(t) => {
                        m.tables.push(format!("import {field} {:?} {}..{:?}", t.element_type, t.initial, t.maximum));
                        "table".to_string()
                    }
                    TypeRef::Memory(mt) => {
                        m.memories
                            .push(format!("import {field} {}..{:?} shared={}", mt.initial, mt.maximum, mt.shared));
                        "memory".to_string()
                    }
                    TypeRef::Tag(t) => {
                        raw.tags.push(t.func_type_idx);
                        "tag".to_string()
                    }
                    other => format!("{other:?}"),
                };
                m.imports.push(format!("{field} {kind}"));
            }
        }
        Payload::FunctionSection(r) => {
            for t in r {
                raw.func_types.push(t?);
            }
        }
        Payload::TableSection(r) => {
            for t in r {
                let t = t?.ty;
                m.tables.push(format!("{:?} {}..{:?}", t.element_type, t.initial, t.maximum));
            }
        }
        Payload::MemorySection(r) => {
            for mt in r {
                let mt = mt?;
                m.memories.push(format!("{}..{:?} shared={}", mt.initial, mt.maximum, mt.shared));
            }
        }
        Payload::TagSection(r) => {
            for t in r {
                raw.tags.push(t?.func_type_idx);
            }
        }
        Payload::GlobalSection(r) => {
            for g in r {
                let g = g?;
                let init =
                    const_value(g.init_expr.get_operators_reader()).map_or("computed".to_string(), |v| v.to_string());
                raw.globals.push(format!("{:?} mut={} = {init}", g.ty.content_type, g.ty.mutable));
            }
        }
        Payload::ExportSection(r) => {
            for e in r {
                let e = e?;
                raw.exports.push((e.name.to_string(), e.kind, e.index));
            }
        }
        Payload::StartSection { func, .. } => raw.start = Some(func),
        Payload::ElementSection(r) => {
            for e in r {
                let e = e?;
                let ElementKind::Active { offset_expr, .. } = e.kind else { continue };
                let offset = const_value(offset_expr.get_operators_reader()).unwrap_or(0) as u64;
                let mut funcs = Vec::new();
                if let ElementItems::Functions(fs) = e.items {
                    for f in fs {
                        funcs.push(f?);
                    }
                }
                raw.elements.push((offset, funcs));
            }
        }
        Payload::CodeSectionEntry(body) => raw.bodies.push((body.range().end - body.range().start) as usize),
        Payload::DataSection(r) => {
            for d in r {
                let d = d?;
                let address = match d.kind {
                    DataKind::Active { offset_expr, .. } => const_value(offset_expr.get_operators_reader()),
                    DataKind::Passive => None,
                };
                raw.segments.push((address, d.data.len()));
            }
        }
        Payload::CustomSection(c) => match c.as_known() {
            KnownCustom::Name(names) => read_names(names, raw)?,
            KnownCustom::Producers(p) => {
                for field in p {
                    let field = field?;
                    for v in field.values {
                        let v = v?;
                        m.producers.push(format!("{}: {} {}", field.name, v.name, v.version));
                    }
                }
            }
            _ if c.name() == "target_features" => m.target_features = read_features(c.data()),
            _ => {}
        },
        _ => {}
    }
    Ok(())
}

fn read_names(names: wasmparser::NameSectionReader<'_>, raw: &mut Raw) -> Result<(), ReadError> {
    for n in names {
        let (map, target) = match n? {
            Name::Function(map) => (map, &mut raw.func_names),
            Name::Global(map) => (map, &mut raw.global_names),
            Name::Data(map) => (map, &mut raw.data_names),
            _ => continue,
        };
        for naming in map {
            let naming = naming?;
            target.insert(naming.index, naming.name.to_string());
        }
    }
    Ok(())
}

/// `+name`/`-name` entries of a `target_features` payload.
fn read_features(data: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut r = wasmparser::BinaryReader::new(data, 0);
    let Ok(n) = r.read_var_u32() else { return out };
    for _ in 0..n {
        let (Ok(prefix), Ok(name)) = (r.read_u8(), r.read_string()) else { break };
        out.push(format!("{}{name}", prefix as char));
    }
    out
}

/// The value of a constant expression (`i32.const`/`i64.const`), if it is
/// one.
fn const_value(mut ops: wasmparser::OperatorsReader<'_>) -> Option<i64> {
    match ops.read().ok()? {
        Operator::I32Const { value } => Some(value as i64),
        Operator::I64Const { value } => Some(value),
        _ => None,
    }
}

/// Puts names on the index spaces.
fn finish(mut m: Module, raw: Raw) -> Result<Module, ReadError> {
    let sig = |t: u32| raw.types.get(t as usize).cloned().unwrap_or_else(|| format!("type {t}"));
    let func_name = |i: u32| raw.func_names.get(&i).cloned().unwrap_or_else(|| format!("func[{i}]"));
    for (i, (field, t)) in raw.imported_funcs.iter().enumerate() {
        let name = raw.func_names.get(&(i as u32)).cloned().unwrap_or_else(|| field.clone());
        m.functions.push(Function { name, what: format!("import {field}"), signature: sig(*t) });
    }
    let n_imported = raw.imported_funcs.len() as u32;
    for (i, t) in raw.func_types.iter().enumerate() {
        let index = n_imported + i as u32;
        let size = raw.bodies.get(i).copied().unwrap_or(0);
        m.functions.push(Function { name: func_name(index), what: format!("{size} bytes"), signature: sig(*t) });
    }
    for (i, g) in raw.globals.iter().enumerate() {
        let name = raw.global_names.get(&(i as u32)).cloned().unwrap_or_else(|| format!("global[{i}]"));
        m.globals.push(format!("{name}: {g}"));
    }
    for (i, t) in raw.tags.iter().enumerate() {
        m.tags.push(format!("tag[{i}]: {}", sig(*t)));
    }
    for (name, kind, index) in &raw.exports {
        let target = match kind {
            ExternalKind::Func => func_name(*index),
            ExternalKind::Global => raw.global_names.get(index).cloned().unwrap_or_else(|| format!("global[{index}]")),
            _ => index.to_string(),
        };
        m.exports.push(format!("{name} {kind:?} {target}"));
    }
    m.start = raw.start.map(func_name);
    for (offset, funcs) in &raw.elements {
        for (k, f) in funcs.iter().enumerate() {
            m.table_slots.push((offset + k as u64, func_name(*f)));
        }
    }
    for (i, (address, size)) in raw.segments.iter().enumerate() {
        let name = raw.data_names.get(&(i as u32)).cloned().unwrap_or_else(|| format!("data[{i}]"));
        m.segments.push(Segment { name, address: *address, size: *size });
    }
    let _ = raw.imported_globals;
    Ok(m)
}
