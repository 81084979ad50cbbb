//! Stable, human-readable text dump of the resolve stage's output, for
//! snapshot tests (`cargo xtask snapshot`) and debugging, and [`Names`], the
//! naming helper the later stages' dumps share.
//!
//! Objects inside the wasmlink checkout (the test data) are dumped in full;
//! library objects (wasi-libc, crt files, compiler-rt) get one line each with
//! their live counts, so dumps stay reviewable and depend little on the
//! system libc version. Paths inside the checkout are relative to its root.

use crate::ids::*;
use crate::Resolution;
use object_parse::dump::{global_type, is_repo_path, relative, short_name, symbol_flags, table_type};
use object_parse::{DefinedFuncIdx, ObjectFile, SegmentIdx, SymbolKind};
use std::fmt::Write as _;

/// Names of the things a [`Resolution`] refers to by index: objects,
/// functions, globals, segments, imports, stubs.
pub struct Names<'r, 'a> {
    res: &'r Resolution<'a>,
    /// Per object, per defined function: the first symbol naming it.
    funcs: Vec<Vec<Option<&'r str>>>,
    /// Per object, per defined global.
    globals: Vec<Vec<Option<&'r str>>>,
    /// Per object: short name.
    objects: Vec<String>,
}

fn defined_names<'r>(
    o: &'r ObjectFile<'_>,
    count: usize,
    imported: u32,
    pick: fn(&SymbolKind) -> Option<u32>,
) -> Vec<Option<&'r str>> {
    let mut v = vec![None; count];
    for s in &o.linking.symbols {
        if s.is_undefined() || s.name.is_empty() {
            continue;
        }
        if let Some(i) = pick(&s.kind).and_then(|i| i.checked_sub(imported)) {
            if let Some(slot) = v.get_mut(i as usize) {
                slot.get_or_insert(s.name);
            }
        }
    }
    v
}

impl<'r, 'a> Names<'r, 'a> {
    /// Indexes the names of `res`.
    pub fn new(res: &'r Resolution<'a>) -> Self {
        let funcs = res
            .objects
            .iter()
            .map(|o| {
                defined_names(o, o.functions.len(), o.num_imported_functions, |k| match k {
                    SymbolKind::Function(i) => Some(i.0),
                    _ => None,
                })
            })
            .collect();
        let globals = res
            .objects
            .iter()
            .map(|o| {
                defined_names(o, o.globals.len(), o.num_imported_globals, |k| match k {
                    SymbolKind::Global(i) => Some(*i),
                    _ => None,
                })
            })
            .collect();
        let objects = res.objects.iter().map(|o| short_name(&o.name)).collect();
        Names { res, funcs, globals, objects }
    }

    /// The resolution.
    pub fn resolution(&self) -> &'r Resolution<'a> {
        self.res
    }

    /// Whether object `obj` lies outside the checkout (a library object that
    /// dumps summarise).
    pub fn is_library(&self, obj: ObjectId) -> bool {
        self.res.objects.get(obj.0 as usize).is_none_or(|o| !is_repo_path(&o.name))
    }

    /// Short name of an object: `main.o`, `libc.a(printf.o)`.
    pub fn object(&self, obj: ObjectId) -> &str {
        self.objects.get(obj.0 as usize).map(String::as_str).unwrap_or("<bad object>")
    }

    /// Full name of an object, relative to the checkout when inside it.
    pub fn object_path(&self, obj: ObjectId) -> String {
        self.res.objects.get(obj.0 as usize).map(|o| relative(&o.name)).unwrap_or_else(|| "<bad object>".into())
    }

    /// Name of defined function `index` of `obj` (`f3` if it has none).
    pub fn function_name(&self, obj: ObjectId, index: DefinedFuncIdx) -> String {
        match self.funcs.get(obj.0 as usize).and_then(|v| v.get(index.index())).copied().flatten() {
            Some(n) => n.to_string(),
            None => format!("f{index}"),
        }
    }

    /// Name of defined global `index` of `obj`.
    pub fn global_name(&self, obj: ObjectId, index: u32) -> String {
        match self.globals.get(obj.0 as usize).and_then(|v| v.get(index as usize)).copied().flatten() {
            Some(n) => n.to_string(),
            None => format!("g{index}"),
        }
    }

    /// Name of data segment `segment` of `obj`.
    pub fn segment_name(&self, obj: ObjectId, segment: SegmentIdx) -> String {
        match self.res.objects.get(obj.0 as usize).and_then(|o| o.segments.get(segment.index())) {
            Some(s) if !s.info.name.is_empty() => s.info.name.to_string(),
            _ => format!("seg{segment}"),
        }
    }

    /// `env.fd_write`.
    pub fn import(&self, id: ImportId) -> String {
        match self.res.imports.get(id.0 as usize) {
            Some(i) => format!("{}.{}", i.module, i.field),
            None => format!("<bad import {}>", id.0),
        }
    }

    /// `main.o:compare`, `import env.fd_write`, `__wasm_call_ctors`, `stub undefined_weak:f`.
    pub fn func(&self, f: &FuncRef) -> String {
        match *f {
            FuncRef::Defined { obj, index } => format!("{}:{}", self.object(obj), self.function_name(obj, index)),
            FuncRef::Import(id) => format!("import {}", self.import(id)),
            FuncRef::Synthetic(SyntheticFunc::CallCtors) => "__wasm_call_ctors".into(),
            FuncRef::Synthetic(SyntheticFunc::InitTls) => "__wasm_init_tls".into(),
            FuncRef::Synthetic(SyntheticFunc::Stub(id)) => format!("stub {}", self.stub(id)),
        }
    }

    /// The stub's name: `undefined_weak:NAME`, `signature_mismatch:NAME`,
    /// `undefined_stub`.
    pub fn stub(&self, id: StubId) -> String {
        match self.res.stubs.get(id.0 as usize) {
            Some(s) => s.display_name(),
            None => format!("<bad stub {}>", id.0),
        }
    }

    /// `main.o:counter`, `__stack_pointer`, `import env.g`.
    pub fn global(&self, g: &GlobalRef) -> String {
        match *g {
            GlobalRef::Defined { obj, index } => format!("{}:{}", self.object(obj), self.global_name(obj, index)),
            GlobalRef::Import(id) => format!("import {}", self.import(id)),
            GlobalRef::Synthetic(s) => synthetic_global(s).into(),
        }
    }

    /// `main.o[.rodata.table]+0x8`, `linker __heap_base`, `null`.
    pub fn data(&self, d: &DataRef) -> String {
        match d {
            DataRef::Defined { obj, segment, offset } => {
                format!("{}[{}]+{offset:#x}", self.object(*obj), self.segment_name(*obj, *segment))
            }
            DataRef::Linker(l) => format!("linker {}", linker_data(l)),
            DataRef::Absolute(a) => format!("absolute {a:#x}"),
            DataRef::Null => "null".into(),
            DataRef::Dynamic(name) => format!("dynamic {name}"),
        }
    }

    /// What a symbol resolved to, one line.
    pub fn target(&self, t: &Target) -> String {
        match t {
            Target::Function(f) => format!("func {}", self.func(f)),
            Target::Data(d) => format!("data {}", self.data(d)),
            Target::Global(g) => format!("global {}", self.global(g)),
            Target::Table(TableRef::IndirectFunctionTable) => "table __indirect_function_table".into(),
            Target::Table(TableRef::Defined { obj, index }) => format!("table {}:{index}", self.object(*obj)),
            Target::Table(TableRef::Import(id)) => format!("table import {}", self.import(*id)),
            Target::Tag(TagRef::Defined { obj, index }) => format!("tag {}:{index}", self.object(*obj)),
            Target::Tag(TagRef::Import(id)) => format!("tag import {}", self.import(*id)),
            Target::Section { obj, custom } => {
                let name = self
                    .res
                    .objects
                    .get(obj.0 as usize)
                    .and_then(|o| o.customs.get(*custom as usize))
                    .map(|c| c.name)
                    .unwrap_or("?");
                format!("section {}[{name}]", self.object(*obj))
            }
            Target::Unresolved => "unresolved".into(),
        }
    }
}

/// `__stack_pointer`, `__tls_base`, ...
pub fn synthetic_global(s: SyntheticGlobal) -> &'static str {
    match s {
        SyntheticGlobal::StackPointer => "__stack_pointer",
        SyntheticGlobal::TlsBase => "__tls_base",
        SyntheticGlobal::TlsSize => "__tls_size",
        SyntheticGlobal::TlsAlign => "__tls_align",
    }
}

/// The symbol name of a linker-defined data address.
pub fn linker_data(l: &LinkerData) -> String {
    match l {
        LinkerData::DsoHandle => "__dso_handle".into(),
        LinkerData::DataEnd => "__data_end".into(),
        LinkerData::GlobalBase => "__global_base".into(),
        LinkerData::HeapBase => "__heap_base".into(),
        LinkerData::HeapEnd => "__heap_end".into(),
        LinkerData::StackLow => "__stack_low".into(),
        LinkerData::StackHigh => "__stack_high".into(),
        LinkerData::MemoryBase => "__memory_base".into(),
        LinkerData::TableBase => "__table_base".into(),
        LinkerData::FirstPageEnd => "__wasm_first_page_end".into(),
        LinkerData::SegmentStart(n) => format!("__start_{n}"),
        LinkerData::SegmentStop(n) => format!("__stop_{n}"),
    }
}

fn import_kind(k: &OutputImportKind) -> String {
    match k {
        OutputImportKind::Function(s) => format!("func {s}"),
        OutputImportKind::Global(g) => global_type(g),
        OutputImportKind::Table(t) => table_type(t),
        OutputImportKind::Tag(s) => format!("tag {s}"),
    }
}

fn count_live(v: Option<&Vec<bool>>) -> (usize, usize) {
    v.map_or((0, 0), |v| (v.iter().filter(|b| **b).count(), v.len()))
}

/// Lists `items` as `i name` entries, wrapped into lines of ~100 columns
/// under `label`.
fn wrapped(s: &mut String, label: &str, items: &[String]) {
    if items.is_empty() {
        let _ = writeln!(s, "    {label}: -");
        return;
    }
    let mut line = format!("    {label}:");
    for it in items {
        if line.len() + it.len() + 1 > 100 && line.len() > 8 {
            let _ = writeln!(s, "{line}");
            line = "     ".to_string();
        }
        line.push(' ');
        line.push_str(it);
    }
    let _ = writeln!(s, "{line}");
}

/// The whole resolve stage output.
pub fn dump_resolution(res: &Resolution<'_>) -> String {
    let names = Names::new(res);
    let mut s = String::new();
    let live = &res.live;
    let _ = writeln!(s, "objects in link order ({}):", res.objects.len());
    for (o, obj) in res.objects.iter().enumerate() {
        let id = ObjectId(o as u32);
        let object_live = live.objects.get(o).copied().unwrap_or(false);
        let (lf, nf) = count_live(live.functions.get(o));
        let (ls, ns) = count_live(live.segments.get(o));
        let (lg, ng) = count_live(live.globals.get(o));
        if names.is_library(id) {
            let _ = writeln!(
                s,
                "  #{o} {} [library{}]: functions {lf}/{nf}, segments {ls}/{ns}, globals {lg}/{ng} live",
                names.object_path(id),
                if object_live { "" } else { ", dead" }
            );
            continue;
        }
        let _ = writeln!(
            s,
            "  #{o} {}{}: functions {lf}/{nf}, segments {ls}/{ns}, globals {lg}/{ng} live",
            names.object_path(id),
            if object_live { "" } else { " [dead]" }
        );
        let pick = |flags: Option<&Vec<bool>>, want: bool, name: &dyn Fn(u32) -> String| -> Vec<String> {
            flags
                .map(|v| {
                    v.iter()
                        .enumerate()
                        .filter(|(_, l)| **l == want)
                        .map(|(i, _)| format!("{i}:{}", name(i as u32)))
                        .collect()
                })
                .unwrap_or_default()
        };
        let fname = |i| names.function_name(id, DefinedFuncIdx(i));
        let sname = |i| names.segment_name(id, SegmentIdx(i));
        let gname = |i| names.global_name(id, i);
        wrapped(&mut s, "live functions", &pick(live.functions.get(o), true, &fname));
        let dead = pick(live.functions.get(o), false, &fname);
        if !dead.is_empty() {
            wrapped(&mut s, "dead functions", &dead);
        }
        wrapped(&mut s, "live segments", &pick(live.segments.get(o), true, &sname));
        let dead = pick(live.segments.get(o), false, &sname);
        if !dead.is_empty() {
            wrapped(&mut s, "dead segments", &dead);
        }
        if ng > 0 {
            wrapped(&mut s, "live globals", &pick(live.globals.get(o), true, &gname));
        }
        for (kind, v) in [("tables", live.tables.get(o)), ("tags", live.tags.get(o))] {
            let (l, n) = count_live(v);
            if n > 0 {
                let _ = writeln!(s, "    live {kind}: {l}/{n}");
            }
        }
        let targets = res.targets.get(o);
        let mut lines = Vec::new();
        for (i, sym) in obj.linking.symbols.iter().enumerate() {
            if sym.is_local() || sym.name.is_empty() {
                continue;
            }
            let t = targets.and_then(|t| t.get(i)).map(|t| names.target(t)).unwrap_or_else(|| "<no target>".into());
            lines.push(format!("      {i}: {} [{}] -> {t}", sym.name, symbol_flags(sym.flags)));
        }
        let _ = writeln!(s, "    global symbols ({}):", lines.len());
        for l in lines {
            let _ = writeln!(s, "{l}");
        }
    }
    let _ = writeln!(s, "imports ({}):", res.imports.len());
    for (i, imp) in res.imports.iter().enumerate() {
        let sym = if imp.symbol != imp.field { format!(" (symbol {})", imp.symbol) } else { String::new() };
        let _ = writeln!(s, "  {i}: {}.{}: {}{sym}", imp.module, imp.field, import_kind(&imp.kind));
    }
    let _ = writeln!(s, "stubs ({}):", res.stubs.len());
    for (i, st) in res.stubs.iter().enumerate() {
        let is_live = live.stubs.get(i).copied().unwrap_or(false);
        let _ = writeln!(
            s,
            "  {i}: {} {}{}",
            names.stub(StubId(i as u32)),
            st.signature,
            if is_live { "" } else { " [dead]" }
        );
    }
    let _ = writeln!(s, "init funcs ({}):", res.init_funcs.len());
    for e in &res.init_funcs {
        let drop = if e.num_results > 0 { format!(" (drops {} results)", e.num_results) } else { String::new() };
        let _ = writeln!(s, "  priority {}: {}{drop}", e.priority, names.func(&e.func));
    }
    let _ = writeln!(
        s,
        "__wasm_call_ctors: {}",
        match (res.call_ctors_live, res.call_ctors_referenced) {
            (true, true) => "written, referenced by the inputs",
            (true, false) => "written, not referenced by the inputs",
            (false, _) => "not written",
        }
    );
    let _ = writeln!(
        s,
        "__wasm_call_dtors: {}",
        res.call_dtors.as_ref().map(|f| names.func(f)).unwrap_or_else(|| "-".into())
    );
    let synth: Vec<&str> = live.synthetic_globals.iter().map(|g| synthetic_global(*g)).collect();
    let _ = writeln!(s, "synthetic globals: {}", if synth.is_empty() { "-".into() } else { synth.join(" ") });
    let _ = writeln!(s, "__indirect_function_table referenced: {}", live.indirect_table);
    let _ = writeln!(s, "exports ({}):", res.exports.len());
    for e in &res.exports {
        let sym = if e.symbol != e.name { format!(" (symbol {})", e.symbol) } else { String::new() };
        let _ = writeln!(s, "  {}: {}{sym}", e.name, names.target(&e.target));
    }
    let _ = writeln!(s, "entry: {}", res.entry.as_ref().map(|f| names.func(f)).unwrap_or_else(|| "-".into()));
    let _ = writeln!(s, "warnings ({}):", res.warnings.len());
    for w in &res.warnings {
        for (i, l) in relative(&w.to_string()).lines().enumerate() {
            let _ = writeln!(s, "  {}{l}", if i == 0 { "" } else { "  " });
        }
    }
    s
}

/// The selection step's output: the objects in link order (where each
/// comes from) and why each archive member was extracted, in the order the
/// extractions finished.
pub fn dump_selection(sel: &crate::Selection<'_>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "objects in link order ({}):", sel.names.len());
    for (o, name) in sel.names.iter().enumerate() {
        let kind = if sel.from_archive[o] { "extracted" } else { "input" };
        let _ = writeln!(s, "  #{o} {} ({kind})", relative(name));
    }
    let _ = writeln!(s, "extractions ({}):", sel.extractions.len());
    for e in &sel.extractions {
        let _ = writeln!(s, "  {} <- {} ({})", relative(&e.extracted), relative(&e.reference), e.symbol);
    }
    for w in &sel.warnings {
        let _ = writeln!(s, "warning: {}", relative(&w.to_string()));
    }
    s
}
