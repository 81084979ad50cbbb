//! Symbol summaries: what symbol resolution needs to know about an object
//! (every symbol's name, kind and flags, and which COMDAT group a defined
//! symbol belongs to) without parsing its code, data or relocations.
//!
//! Archive members are summarized, all of them and in parallel, when their
//! archive is read; resolution runs wasm-ld's extraction order on the
//! summaries alone, and only the members it extracts are then parsed in
//! full ([`crate::parse_selected`]).

use crate::error::{ParseErrorKind, RawError, RawResult};
use crate::linking::{parse_linking, ComdatKind, ImportNames, Linking, SymbolKind};
use crate::object::ObjectFile;
use crate::{is_bitcode, member_display_name, Member, ParseError};
use wasmparser::{Parser, Payload, TypeRef};

/// The kind of a symbol, without its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolClass {
    /// A function.
    Function,
    /// Data.
    Data,
    /// A global.
    Global,
    /// A custom section.
    Section,
    /// A tag.
    Tag,
    /// A table.
    Table,
}

impl SymbolClass {
    /// The class of a decoded symbol kind.
    pub fn of(kind: &SymbolKind) -> SymbolClass {
        match kind {
            SymbolKind::Function(_) => SymbolClass::Function,
            SymbolKind::Data(_) => SymbolClass::Data,
            SymbolKind::Global(_) => SymbolClass::Global,
            SymbolKind::Section(_) => SymbolClass::Section,
            SymbolKind::Tag(_) => SymbolClass::Tag,
            SymbolKind::Table(_) => SymbolClass::Table,
        }
    }
}

/// The type of a global or table symbol's item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityType {
    /// A global: value type and mutability.
    Global(wasmparser::ValType, bool),
    /// A table: element type.
    Table(wasmparser::RefType),
}

impl std::fmt::Display for EntityType {
    /// wasm-ld's spelling: `var i32`, `const i64`, `funcref`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let val = |v: &wasmparser::ValType| match v {
            wasmparser::ValType::I32 => "i32".to_string(),
            wasmparser::ValType::I64 => "i64".to_string(),
            wasmparser::ValType::F32 => "f32".to_string(),
            wasmparser::ValType::F64 => "f64".to_string(),
            wasmparser::ValType::V128 => "v128".to_string(),
            wasmparser::ValType::Ref(r) => ref_name(r),
        };
        match self {
            EntityType::Global(v, mutable) => write!(f, "{} {}", if *mutable { "var" } else { "const" }, val(v)),
            EntityType::Table(r) => f.write_str(&ref_name(r)),
        }
    }
}

fn ref_name(r: &wasmparser::RefType) -> String {
    if *r == wasmparser::RefType::FUNCREF {
        "funcref".into()
    } else if *r == wasmparser::RefType::EXTERNREF {
        "externref".into()
    } else {
        format!("{r:?}")
    }
}

/// One symbol table entry, summarized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SymbolSummary<'a> {
    /// The symbol's name (import field name for unnamed undefined ones).
    pub name: &'a str,
    /// [`name_hash`] of the name for a global symbol (what resolution
    /// interns), 0 for local and section symbols: computed here, where
    /// summaries are built in parallel, so that resolution's serial loop
    /// never hashes a name.
    pub hash: u64,
    /// What kind of thing it names.
    pub class: SymbolClass,
    /// `WASM_SYM_*` bits.
    pub flags: u32,
    /// For a global: its value type and mutability; for a table: its
    /// element type (wasm-ld rejects a name used with two of them).
    pub ty: Option<EntityType>,
    /// For a definition inside a COMDAT group: the group's index in
    /// [`ObjectSummary::comdats`]. If another object claimed the group
    /// first, the definition is dropped and the symbol acts as an undefined
    /// reference.
    pub comdat: Option<u32>,
}

impl SymbolSummary<'_> {
    /// True for undefined symbols.
    pub fn is_undefined(&self) -> bool {
        self.flags & crate::flags::UNDEFINED != 0
    }
    /// True for weak symbols.
    pub fn is_weak(&self) -> bool {
        self.flags & crate::flags::BINDING_WEAK != 0
    }
    /// True for local symbols.
    pub fn is_local(&self) -> bool {
        self.flags & crate::flags::BINDING_LOCAL != 0
    }
}

/// An object's symbols and COMDAT group names, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectSummary<'a> {
    /// Symbols in symbol-table order (indices match [`Linking::symbols`]).
    pub symbols: Vec<SymbolSummary<'a>>,
    /// COMDAT group names in the order of the object's COMDAT info, each
    /// with its [`name_hash`].
    pub comdats: Vec<(&'a str, u64)>,
    /// A wasm64 object (its memory is 64-bit), for wasm-ld's `-mwasm64`
    /// check when the file is read.
    pub memory64: bool,
}

/// What an archive member is, as far as resolution is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberSummary<'a> {
    /// A relocatable wasm object.
    Object(ObjectSummary<'a>),
    /// A wasm module without a `linking` section (e.g. rustc's `lib.rmeta`):
    /// defines nothing, skipped quietly.
    NotRelocatable,
    /// Not wasm at all (wasm-ld warns and skips it).
    NotWasm,
    /// LLVM bitcode: it can only be linked with LTO, which wasmlink lacks;
    /// an error if resolution extracts it.
    Bitcode,
}

/// The hash resolution files symbol and COMDAT names under (FxHash of the
/// bytes): one function, so that a hash computed at summary time and one
/// computed for a name given on the command line agree.
pub fn name_hash(name: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(name.as_bytes());
    h.finish()
}

/// Summarizes an object from its decoded `linking` section. COMDAT member
/// indices there are the object's defined-item indices (as
/// [`crate::parse_object`] leaves them).
pub fn summarize_object<'a>(obj: &ObjectFile<'a>) -> ObjectSummary<'a> {
    let mut types = ItemTypes::default();
    for i in &obj.imports {
        match i.kind {
            crate::InputImportKind::Global(g) => types.globals.push(EntityType::Global(g.content_type, g.mutable)),
            crate::InputImportKind::Table(t) => types.tables.push(EntityType::Table(t.element_type)),
            _ => {}
        }
    }
    types.globals.extend(obj.globals.iter().map(|g| EntityType::Global(g.ty.content_type, g.ty.mutable)));
    types.tables.extend(obj.tables.iter().map(|t| EntityType::Table(t.element_type)));
    let key = |kind: &SymbolKind| -> Option<(ComdatKind, u32)> {
        Some(match *kind {
            SymbolKind::Function(i) => (ComdatKind::Function, obj.defined_function(i)?.0),
            SymbolKind::Data(Some(d)) => (ComdatKind::Data, d.segment.0),
            SymbolKind::Global(i) => (ComdatKind::Global, i.checked_sub(obj.num_imported_globals)?),
            SymbolKind::Tag(i) => (ComdatKind::Tag, i.checked_sub(obj.num_imported_tags)?),
            SymbolKind::Table(i) => (ComdatKind::Table, i.checked_sub(obj.num_imported_tables)?),
            _ => return None,
        })
    };
    ObjectSummary { memory64: obj.memory64, ..summarize_linking(&obj.linking, key, &types) }
}

/// The types of an object's globals and tables, imports first (their
/// index spaces).
#[derive(Default)]
struct ItemTypes {
    globals: Vec<EntityType>,
    tables: Vec<EntityType>,
}

/// Reads a member's summary: its import names and `linking` section only.
/// Errors name `archive(member)` and the offset within the member.
pub fn summarize_member<'a>(archive_path: &str, member: &Member<'a>) -> Result<MemberSummary<'a>, ParseError> {
    if is_bitcode(member.data) {
        return Ok(MemberSummary::Bitcode);
    }
    if !member.data.starts_with(b"\0asm") {
        return Ok(MemberSummary::NotWasm);
    }
    summarize_bytes(member.data).map_err(|e| e.in_file(&member_display_name(archive_path, &member.name)))
}

/// The summary of a wasm file's bytes; COMDAT member indices in the file
/// are absolute (imports included), as the `linking` section writes them.
fn summarize_bytes(bytes: &[u8]) -> RawResult<MemberSummary<'_>> {
    if bytes.len() < 8 || bytes[4..8] != [1, 0, 0, 0] {
        return Err(RawError::new(4, ParseErrorKind::UnsupportedVersion(version_of(bytes))));
    }
    let mut imports = ImportNames { functions: Vec::new(), globals: Vec::new(), tables: Vec::new(), tags: Vec::new() };
    let mut types = ItemTypes::default();
    let mut memory64 = false;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp?;
                    match imp.ty {
                        TypeRef::Func(_) => imports.functions.push(imp.name),
                        TypeRef::Global(g) => {
                            imports.globals.push(imp.name);
                            types.globals.push(EntityType::Global(g.content_type, g.mutable));
                        }
                        TypeRef::Table(t) => {
                            imports.tables.push(imp.name);
                            types.tables.push(EntityType::Table(t.element_type));
                        }
                        TypeRef::Tag(_) => imports.tags.push(imp.name),
                        TypeRef::Memory(m) => memory64 |= m.memory64,
                        _ => {}
                    }
                }
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    let g = g?.ty;
                    types.globals.push(EntityType::Global(g.content_type, g.mutable));
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    types.tables.push(EntityType::Table(t?.ty.element_type));
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    memory64 |= m?.memory64;
                }
            }
            Payload::CustomSection(c) if c.name() == "linking" => {
                let base = c.data().as_ptr() as usize - bytes.as_ptr() as usize;
                let linking = parse_linking(c.data(), base, &imports)?;
                let nf = imports.functions.len() as u32;
                let ng = imports.globals.len() as u32;
                let nt = imports.tables.len() as u32;
                let ntag = imports.tags.len() as u32;
                let key = |kind: &SymbolKind| -> Option<(ComdatKind, u32)> {
                    Some(match *kind {
                        SymbolKind::Function(i) if i.0 >= nf => (ComdatKind::Function, i.0),
                        SymbolKind::Data(Some(d)) => (ComdatKind::Data, d.segment.0),
                        SymbolKind::Global(i) if i >= ng => (ComdatKind::Global, i),
                        SymbolKind::Tag(i) if i >= ntag => (ComdatKind::Tag, i),
                        SymbolKind::Table(i) if i >= nt => (ComdatKind::Table, i),
                        _ => return None,
                    })
                };
                let summary = summarize_linking(&linking, key, &types);
                return Ok(MemberSummary::Object(ObjectSummary { memory64, ..summary }));
            }
            _ => {}
        }
    }
    Ok(MemberSummary::NotRelocatable)
}

fn version_of(bytes: &[u8]) -> u32 {
    bytes.get(4..8).map_or(0, |v| u32::from_le_bytes([v[0], v[1], v[2], v[3]]))
}

/// Builds the summary from a decoded `linking` section; `key` gives the
/// COMDAT member key `(kind, index)` a defined symbol's item has, in the
/// same index space as the section's COMDAT members.
fn summarize_linking<'a>(
    linking: &Linking<'a>,
    key: impl Fn(&SymbolKind) -> Option<(ComdatKind, u32)>,
    types: &ItemTypes,
) -> ObjectSummary<'a> {
    let members = linking.comdats.iter().map(|c| c.members.len()).sum();
    let mut group_of = rustc_hash::FxHashMap::with_capacity_and_hasher(members, Default::default());
    for (g, c) in linking.comdats.iter().enumerate() {
        for m in &c.members {
            group_of.insert(*m, g as u32);
        }
    }
    let symbols = linking
        .symbols
        .iter()
        .map(|s| {
            let comdat = if s.is_undefined() || group_of.is_empty() {
                None
            } else {
                key(&s.kind).and_then(|k| group_of.get(&k).copied())
            };
            let ty = match s.kind {
                SymbolKind::Global(i) => types.globals.get(i as usize).copied(),
                SymbolKind::Table(i) => types.tables.get(i as usize).copied(),
                _ => None,
            };
            let class = SymbolClass::of(&s.kind);
            let global = class != SymbolClass::Section && s.flags & crate::flags::BINDING_LOCAL == 0;
            let hash = if global { name_hash(s.name) } else { 0 };
            SymbolSummary { name: s.name, hash, class, flags: s.flags, ty, comdat }
        })
        .collect();
    let comdats = linking.comdats.iter().map(|c| (c.name, name_hash(c.name))).collect();
    ObjectSummary { symbols, comdats, memory64: false }
}
