//! Stable, human-readable text dumps of the parse stage's output, for
//! snapshot tests (`cargo xtask snapshot`) and debugging.
//!
//! Dumps contain no addresses of host memory and no hash-map order, and
//! paths inside the wasmlink checkout are printed relative to its root, so
//! the same inputs give the same text on every machine. Objects inside the
//! checkout (the test data) are dumped in full; objects from elsewhere (the
//! system's wasi-libc, crt files, compiler-rt) get one summary line each.
//!
//! The helpers here (path shortening, flag decoding, type formatting) are
//! shared by the dump modules of the later stages.

use crate::linking::{flags, segment_flags, SymbolKind};
use crate::object::{InputImportKind, ObjectFile};
use crate::{DefinedFuncIdx, FuncIdx, Input, LazyArchive, ObjectSet};
use std::fmt::Write as _;
use std::sync::OnceLock;
use wasmparser::{GlobalType, MemoryType, TableType};

/// Absolute prefixes (with a trailing `/`) of the wasmlink checkout: the
/// workspace root as cargo saw it when building this crate, and its
/// canonical form when that differs (symlinked checkouts).
fn root_prefixes() -> &'static [String] {
    static ROOTS: OnceLock<Vec<String>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        if let Some(root) = manifest.parent().and_then(|p| p.parent()) {
            out.push(format!("{}/", root.display()));
            if let Ok(c) = root.canonicalize() {
                let c = format!("{}/", c.display());
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        // Longest first, so a prefix of another prefix does not win.
        out.sort_by_key(|p| std::cmp::Reverse(p.len()));
        out
    })
}

/// `text` with every absolute path into the wasmlink checkout made relative
/// to the checkout root (works inside messages, not only on whole paths).
pub fn relative(text: &str) -> String {
    let mut s = text.to_string();
    for p in root_prefixes() {
        if s.contains(p.as_str()) {
            s = s.replace(p.as_str(), "");
        }
    }
    s
}

/// Whether an input (or `archive(member)`) name lies inside the wasmlink
/// checkout: such inputs are the test data and are dumped in full. The
/// pinned library copies in `testdata/sysroot/` are libraries, not test
/// data: they are summarised like installed ones.
pub fn is_repo_path(name: &str) -> bool {
    let inside =
        root_prefixes().iter().any(|p| name.starts_with(p.as_str())) || (!name.starts_with('/') && !name.is_empty());
    inside && !relative(name).starts_with(PINNED_SYSROOT)
}

/// The checkout directory holding pinned copies of the wasi-libc, libc++
/// and compiler-rt pieces the snapshot cases link against.
pub const PINNED_SYSROOT: &str = "testdata/sysroot/";

/// A short name for references: the file name, or `lib.a(member.o)` for an
/// archive member.
pub fn short_name(name: &str) -> String {
    let base = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    if let Some(open) = name.find('(') {
        if name.ends_with(')') {
            return format!("{}{}", base(&name[..open]), &name[open..]);
        }
    }
    base(name)
}

fn bit_names(bits: u32, names: &[(u32, &str)]) -> String {
    if bits == 0 {
        return "-".into();
    }
    let mut parts = Vec::new();
    let mut rest = bits;
    for &(b, n) in names {
        if bits & b != 0 {
            parts.push(n.to_string());
            rest &= !b;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    parts.join("|")
}

/// `WASM_SYM_*` bits as `WEAK|HIDDEN|UNDEFINED`, or `-` when none is set.
pub fn symbol_flags(bits: u32) -> String {
    bit_names(
        bits,
        &[
            (flags::BINDING_WEAK, "WEAK"),
            (flags::BINDING_LOCAL, "LOCAL"),
            (flags::VISIBILITY_HIDDEN, "HIDDEN"),
            (flags::UNDEFINED, "UNDEFINED"),
            (flags::EXPORTED, "EXPORTED"),
            (flags::EXPLICIT_NAME, "EXPLICIT_NAME"),
            (flags::NO_STRIP, "NO_STRIP"),
            (flags::TLS, "TLS"),
            (flags::ABSOLUTE, "ABSOLUTE"),
        ],
    )
}

/// `WASM_SEG_FLAG_*` bits as `STRINGS|RETAIN`, or `-`.
pub fn segment_flag_names(bits: u32) -> String {
    bit_names(
        bits,
        &[(segment_flags::STRINGS, "STRINGS"), (segment_flags::TLS, "TLS"), (segment_flags::RETAIN, "RETAIN")],
    )
}

fn limits(initial: u64, maximum: Option<u64>) -> String {
    match maximum {
        Some(m) => format!("{initial}..{m}"),
        None => format!("{initial}.."),
    }
}

/// `memory 1..` / `memory64 shared 1..2`.
pub fn memory_type(m: &MemoryType) -> String {
    let mut s = String::from(if m.memory64 { "memory64" } else { "memory" });
    if m.shared {
        s.push_str(" shared");
    }
    let _ = write!(s, " {}", limits(m.initial, m.maximum));
    if let Some(p) = m.page_size_log2 {
        let _ = write!(s, " page 2^{p}");
    }
    s
}

/// `table funcref 0..`.
pub fn table_type(t: &TableType) -> String {
    format!(
        "table{} {}{} {}",
        if t.table64 { "64" } else { "" },
        if t.shared { "shared " } else { "" },
        t.element_type,
        limits(t.initial, t.maximum)
    )
}

/// `global i32 mut`.
pub fn global_type(g: &GlobalType) -> String {
    format!("global {}{}{}", g.content_type, if g.mutable { " mut" } else { "" }, if g.shared { " shared" } else { "" })
}

fn import_kind(o: &ObjectFile<'_>, k: &InputImportKind) -> String {
    match k {
        InputImportKind::Function(t) => match o.types.get(t.index()) {
            Some(s) => format!("func type {t} {s}"),
            None => format!("func type {t}"),
        },
        InputImportKind::Table(t) => table_type(t),
        InputImportKind::Memory(m) => memory_type(m),
        InputImportKind::Global(g) => global_type(g),
        InputImportKind::Tag(t) => format!("tag type {t}"),
    }
}

/// The name of the first symbol naming defined function `index` (absolute
/// function index) of `o`.
fn function_symbol<'o>(o: &'o ObjectFile<'_>, index: FuncIdx) -> Option<&'o str> {
    o.linking
        .symbols
        .iter()
        .find(|s| s.kind == SymbolKind::Function(index) && !s.is_undefined() && !s.name.is_empty())
        .map(|s| s.name)
}

fn global_symbol<'o>(o: &'o ObjectFile<'_>, index: u32) -> Option<&'o str> {
    o.linking
        .symbols
        .iter()
        .find(|s| s.kind == SymbolKind::Global(index) && !s.is_undefined() && !s.name.is_empty())
        .map(|s| s.name)
}

/// `name` or `#index` for a symbol index of `o`.
fn symbol_label(o: &ObjectFile<'_>, index: u32) -> String {
    match o.linking.symbols.get(index as usize) {
        Some(s) if !s.name.is_empty() => format!("{index}:{}", s.name),
        Some(s) => format!("{index}:<{}>", s.kind.describe()),
        None => format!("{index}:?"),
    }
}

fn symbol_kind(o: &ObjectFile<'_>, k: &SymbolKind) -> String {
    match k {
        SymbolKind::Function(i) => format!("function {i}"),
        SymbolKind::Data(_) => "data".into(),
        SymbolKind::Global(i) => format!("global {i}"),
        SymbolKind::Section(i) => {
            let name = o.customs.iter().find(|c| c.section_index == *i).map(|c| c.name).unwrap_or("?");
            format!("section {i} {name}")
        }
        SymbolKind::Tag(i) => format!("tag {i}"),
        SymbolKind::Table(i) => format!("table {i}"),
    }
}

fn reloc_line(o: &ObjectFile<'_>, r: &crate::Reloc) -> String {
    let target = if r.ty.target() == crate::RelocTarget::Type {
        match o.types.get(r.index as usize) {
            Some(s) => format!("type {} {s}", r.index),
            None => format!("type {}", r.index),
        }
    } else {
        symbol_label(o, r.index)
    };
    let addend = if r.addend != 0 { format!(" {:+}", r.addend) } else { String::new() };
    format!("{:#07x} {} {target}{addend}", r.offset, r.ty.name())
}

/// One line: the object's name and the number of its items.
pub fn summarize_object(o: &ObjectFile<'_>) -> String {
    format!(
        "{}: {} types, {} imports, {} functions, {} globals, {} segments, {} customs, {} symbols, {} code relocs, {} data relocs",
        relative(&o.name),
        o.types.len(),
        o.imports.len(),
        o.functions.len(),
        o.globals.len(),
        o.segments.len(),
        o.customs.len(),
        o.linking.symbols.len(),
        o.code_relocs.len(),
        o.data_relocs.len()
    )
}

/// Every part of one object, one item a line.
pub fn dump_object(o: &ObjectFile<'_>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "object {}", relative(&o.name));
    let _ = writeln!(s, "  types ({}):", o.types.len());
    for (i, t) in o.types.iter().enumerate() {
        let _ = writeln!(s, "    {i}: {t}");
    }
    let _ = writeln!(s, "  imports ({}):", o.imports.len());
    for i in &o.imports {
        let _ = writeln!(s, "    {}.{}: {}", i.module, i.field, import_kind(o, &i.kind));
    }
    let nf = o.num_imported_functions;
    let _ = writeln!(s, "  functions ({}, first index {nf}):", o.functions.len());
    for (i, f) in o.functions.iter().enumerate() {
        let index = DefinedFuncIdx(i as u32).to_absolute(nf);
        let _ = writeln!(
            s,
            "    {index}: type {}, {} bytes, {} relocs{}",
            f.type_index,
            f.chunk.len(),
            f.relocs.len(),
            function_symbol(o, index).map(|n| format!("  {n}")).unwrap_or_default()
        );
    }
    if !o.tables.is_empty() {
        let _ = writeln!(s, "  tables ({}):", o.tables.len());
        for (i, t) in o.tables.iter().enumerate() {
            let _ = writeln!(s, "    {}: {}", o.num_imported_tables + i as u32, table_type(t));
        }
    }
    let ng = o.num_imported_globals;
    let _ = writeln!(s, "  globals ({}, first index {ng}):", o.globals.len());
    for (i, g) in o.globals.iter().enumerate() {
        let index = ng + i as u32;
        let _ = writeln!(
            s,
            "    {index}: {}, init {} bytes{}",
            global_type(&g.ty),
            g.init_expr.len(),
            global_symbol(o, index).map(|n| format!("  {n}")).unwrap_or_default()
        );
    }
    if !o.tags.is_empty() {
        let _ = writeln!(s, "  tags ({}):", o.tags.len());
        for (i, t) in o.tags.iter().enumerate() {
            let _ = writeln!(s, "    {}: type {t}", o.num_imported_tags + i as u32);
        }
    }
    let _ = writeln!(s, "  segments ({}):", o.segments.len());
    for (i, d) in o.segments.iter().enumerate() {
        let _ = writeln!(
            s,
            "    {i}: {} align 2^{} flags {} size {:#x} relocs {}{}",
            d.info.name,
            d.info.align_log2,
            segment_flag_names(d.info.flags),
            d.data.len(),
            d.relocs.len(),
            if d.passive { " passive" } else { "" }
        );
    }
    let _ = writeln!(s, "  customs ({}):", o.customs.len());
    for c in &o.customs {
        let _ = writeln!(
            s,
            "    {} (section {}) size {:#x} relocs {}",
            c.name,
            c.section_index,
            c.data.len(),
            c.relocs.len()
        );
    }
    let _ = writeln!(s, "  symbols ({}):", o.linking.symbols.len());
    for (i, sym) in o.linking.symbols.iter().enumerate() {
        let import = o
            .symbol_import(sym)
            .filter(|imp| imp.module != "env" || imp.field != sym.name)
            .map(|imp| format!(" (import {}.{})", imp.module, imp.field))
            .unwrap_or_default();
        // Data symbols: the place after the name (`seg 3 +0x8 size 0x4`).
        let place = match sym.kind {
            SymbolKind::Data(Some(d)) => format!(" seg {} +{:#x} size {:#x}", d.segment, d.offset, d.size),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "    {i}: {} {} [{}]{place}{import}",
            symbol_kind(o, &sym.kind),
            if sym.name.is_empty() { "<unnamed>" } else { sym.name },
            symbol_flags(sym.flags)
        );
    }
    if !o.linking.init_funcs.is_empty() {
        let _ = writeln!(s, "  init funcs ({}):", o.linking.init_funcs.len());
        for f in &o.linking.init_funcs {
            let _ = writeln!(s, "    priority {} symbol {}", f.priority, symbol_label(o, f.symbol.0));
        }
    }
    if !o.linking.comdats.is_empty() {
        let _ = writeln!(s, "  comdats ({}):", o.linking.comdats.len());
        for c in &o.linking.comdats {
            let members: Vec<String> = c.members.iter().map(|(k, i)| format!("{} {i}", k.describe())).collect();
            let _ = writeln!(s, "    {}: {}", c.name, members.join(", "));
        }
    }
    if !o.function_exports.is_empty() {
        let _ = writeln!(s, "  function exports ({}):", o.function_exports.len());
        for (name, index) in &o.function_exports {
            let _ = writeln!(s, "    {name}: function {index}");
        }
    }
    let _ = writeln!(s, "  code relocs ({}):", o.code_relocs.len());
    for (i, f) in o.functions.iter().enumerate() {
        if f.relocs.is_empty() {
            continue;
        }
        let _ = writeln!(s, "    in function {}:", nf + i as u32);
        for r in &o.code_relocs[f.relocs.clone()] {
            let _ = writeln!(s, "      {}", reloc_line(o, r));
        }
    }
    let _ = writeln!(s, "  data relocs ({}):", o.data_relocs.len());
    for (i, d) in o.segments.iter().enumerate() {
        if d.relocs.is_empty() {
            continue;
        }
        let _ = writeln!(s, "    in segment {i}:");
        for r in &o.data_relocs[d.relocs.clone()] {
            let _ = writeln!(s, "      {}", reloc_line(o, r));
        }
    }
    for c in &o.customs {
        if c.relocs.is_empty() {
            continue;
        }
        let mut by_type: std::collections::BTreeMap<&str, usize> = Default::default();
        for r in c.relocs.iter().map_while(Result::ok) {
            *by_type.entry(r.ty.name()).or_default() += 1;
        }
        let list: Vec<String> = by_type.iter().map(|(n, c)| format!("{n} x{c}")).collect();
        let _ = writeln!(s, "  relocs of {} ({}): {}", c.name, c.relocs.len(), list.join(", "));
    }
    if !o.features.is_empty() {
        let f: Vec<String> = o.features.iter().map(|f| format!("{}{}", f.prefix as char, f.name)).collect();
        let _ = writeln!(s, "  target features: {}", f.join(" "));
    }
    s
}

/// One line for a system archive, the member list (with the symbols the
/// index attributes to each member) for an archive in the checkout.
fn dump_archive(s: &mut String, a: &LazyArchive<'_>) {
    let index_len = a.archive.symbol_index.as_ref().map(|i| i.len());
    let index = match index_len {
        Some(n) => format!("{n} index symbols"),
        None => "no symbol index".into(),
    };
    let _ = writeln!(s, "archive {}: {} members, {index}", relative(a.path), a.archive.members.len());
    if !is_repo_path(a.path) {
        return;
    }
    for (i, m) in a.archive.members.iter().enumerate() {
        let syms: Vec<&str> =
            a.archive.symbol_index.iter().flatten().filter(|(_, mi)| mi.0 as usize == i).map(|(n, _)| *n).collect();
        let _ = writeln!(
            s,
            "  member {i}: {} ({} bytes) index: {}",
            m.name,
            m.data.len(),
            if syms.is_empty() { "-".into() } else { syms.join(" ") }
        );
    }
}

/// The whole parse stage output: every input in command-line order.
pub fn dump_object_set(set: &ObjectSet<'_>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "inputs ({}):", set.inputs.len());
    for input in &set.inputs {
        match input {
            Input::Object(o) if is_repo_path(&o.name) => {
                s.push_str(&dump_object(o));
            }
            Input::Object(o) => {
                let _ = writeln!(s, "object {}", summarize_object(o));
            }
            Input::Archive(a) => dump_archive(&mut s, a),
            Input::Stub(stub) => {
                let _ = writeln!(s, "stub library {}: {} symbols", relative(stub.path), stub.symbols.len());
            }
            Input::Shared(lib) => {
                let _ = writeln!(s, "shared library {}: {} symbols", relative(lib.path), lib.symbols.len());
            }
        }
    }
    s
}
