//! The observable facts of a linked module that linker options change,
//! read back with wasmparser: imports, exports, memory and table limits,
//! global initial values (by name), data segment offsets (active or
//! passive), custom section names, function names, the target features,
//! whether the memory is shared, the start function and the data count,
//! whether memory and table are 64-bit and the defined globals' types. Tests compare these
//! between wasmlink and wasm-ld-22 and against fixed expectations.

use std::collections::BTreeMap;

use wasmparser::{BinaryReader, DataKind, ExternalKind, KnownCustom, Name, Operator, Parser, Payload, TypeRef};

/// Memory or table limits: `min` and `max` in pages (memory) or entries (table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub min: u64,
    pub max: Option<u64>,
}

/// One active data segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// From the "name" section (`<unnamed>` when there is none).
    pub name: String,
    /// The `i32.const` offset (`None` for passive segments or other offset
    /// expressions).
    pub offset: Option<i64>,
    pub size: usize,
    /// A passive segment (copied in by `memory.init`).
    pub passive: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleFacts {
    /// `module.name kind`, e.g. `env.host_add func`, `env.memory memory`, in order.
    pub imports: Vec<String>,
    /// `name kind`, e.g. `run func`, `memory memory`, sorted.
    pub exports: Vec<String>,
    /// The memory (defined or imported) in pages.
    pub memory: Option<Limits>,
    /// The first table (defined or imported), in entries.
    pub table: Option<Limits>,
    /// Initial values of the defined globals with an `i32.const`/`i64.const`
    /// init, by every name they have: name-section name and export names.
    pub globals: BTreeMap<String, i64>,
    /// Active and passive data segments in order.
    pub segments: Vec<Segment>,
    /// Custom section names, in order.
    pub custom_sections: Vec<String>,
    /// Function names from the "name" section (imports included), sorted.
    pub function_names: Vec<String>,
    /// The module name from the "name" section.
    pub module_name: Option<String>,
    /// The "target_features" section as `+name` / `-name`, sorted (empty if
    /// the section is absent).
    pub target_features: Vec<String>,
    /// The memory (defined or imported) is shared.
    pub memory_shared: bool,
    /// The start function's name ("name" section; `#N` without a name).
    pub start: Option<String>,
    /// The data count section's count.
    pub data_count: Option<u32>,
    /// The memory (defined or imported) is 64-bit (memory64).
    pub memory64: bool,
    /// The first table (defined or imported) is 64-bit (table64).
    pub table64: bool,
    /// The defined globals' types in index order, e.g. `i64 mut`, `i32`.
    pub global_types: Vec<String>,
}

impl ModuleFacts {
    pub fn has_export(&self, name: &str) -> bool {
        self.exports.iter().any(|e| e.rsplit_once(' ').map(|(n, _)| n) == Some(name))
    }
    pub fn has_import(&self, module_dot_name: &str) -> bool {
        self.imports.iter().any(|i| i.rsplit_once(' ').map(|(n, _)| n) == Some(module_dot_name))
    }
    pub fn has_function(&self, name: &str) -> bool {
        self.function_names.iter().any(|f| f == name)
    }
    pub fn has_custom(&self, name: &str) -> bool {
        self.custom_sections.iter().any(|c| c == name)
    }
    /// The initial value of a global named `name` (name section or export).
    pub fn global(&self, name: &str) -> Option<i64> {
        self.globals.get(name).copied()
    }
    /// The lowest offset of an active data segment.
    pub fn first_data_offset(&self) -> Option<i64> {
        self.segments.iter().filter_map(|s| s.offset).min()
    }
    pub fn segment_names(&self) -> Vec<&str> {
        self.segments.iter().map(|s| s.name.as_str()).collect()
    }
}

fn kind_name(k: ExternalKind) -> &'static str {
    match k {
        ExternalKind::Func | ExternalKind::FuncExact => "func",
        ExternalKind::Table => "table",
        ExternalKind::Memory => "memory",
        ExternalKind::Global => "global",
        ExternalKind::Tag => "tag",
    }
}

fn const_value(ops: wasmparser::OperatorsReader<'_>) -> Option<i64> {
    let mut value = None;
    for op in ops {
        match op.ok()? {
            Operator::I32Const { value: v } => value = Some(i64::from(v)),
            Operator::I64Const { value: v } => value = Some(v),
            Operator::End => break,
            _ => return None,
        }
    }
    value
}

/// Reads the facts of a module. Panics (with `what`) on a malformed module:
/// the outputs are validated before this is called.
pub fn module_facts(bytes: &[u8]) -> ModuleFacts {
    try_module_facts(bytes).unwrap_or_else(|e| panic!("reading the linked module back: {e}"))
}

fn try_module_facts(bytes: &[u8]) -> wasmparser::Result<ModuleFacts> {
    let mut f = ModuleFacts::default();
    let mut imported_globals = 0u32;
    // Global index -> value, for defined globals with constant inits.
    let mut global_values: BTreeMap<u32, i64> = BTreeMap::new();
    let mut global_names: Vec<(u32, String)> = Vec::new();
    let mut segment_names: BTreeMap<u32, String> = BTreeMap::new();
    let mut segments: Vec<(Option<i64>, usize, bool)> = Vec::new();
    let mut start = None;
    let mut function_name_of: BTreeMap<u32, String> = BTreeMap::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp?;
                    let kind = match imp.ty {
                        TypeRef::Func(_) | TypeRef::FuncExact(_) => "func",
                        TypeRef::Table(t) => {
                            if f.table.is_none() {
                                f.table64 = t.table64;
                            }
                            f.table.get_or_insert(Limits { min: t.initial, max: t.maximum });
                            "table"
                        }
                        TypeRef::Memory(m) => {
                            f.memory = Some(Limits { min: m.initial, max: m.maximum });
                            f.memory_shared = m.shared;
                            f.memory64 = m.memory64;
                            "memory"
                        }
                        TypeRef::Global(_) => {
                            imported_globals += 1;
                            "global"
                        }
                        TypeRef::Tag(_) => "tag",
                    };
                    f.imports.push(format!("{}.{} {kind}", imp.module, imp.name));
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    let t = t?;
                    if f.table.is_none() {
                        f.table64 = t.ty.table64;
                    }
                    f.table.get_or_insert(Limits { min: t.ty.initial, max: t.ty.maximum });
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    let m = m?;
                    f.memory = Some(Limits { min: m.initial, max: m.maximum });
                    f.memory_shared = m.shared;
                    f.memory64 = m.memory64;
                }
            }
            Payload::GlobalSection(r) => {
                for (i, g) in r.into_iter().enumerate() {
                    let g = g?;
                    let mutability = if g.ty.mutable { " mut" } else { "" };
                    f.global_types.push(format!("{}{mutability}", g.ty.content_type));
                    if let Some(v) = const_value(g.init_expr.get_operators_reader()) {
                        global_values.insert(imported_globals + i as u32, v);
                    }
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e?;
                    f.exports.push(format!("{} {}", e.name, kind_name(e.kind)));
                    if e.kind == ExternalKind::Global {
                        global_names.push((e.index, e.name.to_string()));
                    }
                }
            }
            Payload::DataSection(r) => {
                for d in r {
                    let d = d?;
                    let (offset, passive) = match d.kind {
                        DataKind::Active { offset_expr, .. } => {
                            (const_value(offset_expr.get_operators_reader()), false)
                        }
                        DataKind::Passive => (None, true),
                    };
                    segments.push((offset, d.data.len(), passive));
                }
            }
            Payload::StartSection { func, .. } => start = Some(func),
            Payload::DataCountSection { count, .. } => f.data_count = Some(count),
            Payload::CustomSection(c) => {
                f.custom_sections.push(c.name().to_string());
                match c.as_known() {
                    KnownCustom::Name(names) => {
                        for n in names {
                            match n? {
                                Name::Module { name, .. } => f.module_name = Some(name.to_string()),
                                Name::Function(map) => {
                                    for naming in map {
                                        let naming = naming?;
                                        f.function_names.push(naming.name.to_string());
                                        function_name_of.insert(naming.index, naming.name.to_string());
                                    }
                                }
                                Name::Global(map) => {
                                    for naming in map {
                                        let naming = naming?;
                                        global_names.push((naming.index, naming.name.to_string()));
                                    }
                                }
                                Name::Data(map) => {
                                    for naming in map {
                                        let naming = naming?;
                                        segment_names.insert(naming.index, naming.name.to_string());
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    _ if c.name() == "target_features" => {
                        let mut r = BinaryReader::new(c.data(), c.data_offset());
                        for _ in 0..r.read_var_u32()? {
                            let prefix = r.read_u8()? as char;
                            let name = r.read_string()?;
                            f.target_features.push(format!("{prefix}{name}"));
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    for (index, name) in global_names {
        if let Some(v) = global_values.get(&index) {
            f.globals.insert(name, *v);
        }
    }
    f.segments = segments
        .into_iter()
        .enumerate()
        .map(|(i, (offset, size, passive))| Segment {
            name: segment_names.get(&(i as u32)).cloned().unwrap_or_else(|| "<unnamed>".into()),
            offset,
            size,
            passive,
        })
        .collect();
    f.start = start.map(|i| function_name_of.get(&i).cloned().unwrap_or_else(|| format!("#{i}")));
    f.exports.sort();
    f.function_names.sort();
    f.target_features.sort();
    Ok(f)
}
