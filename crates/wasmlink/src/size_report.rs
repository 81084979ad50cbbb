//! `--size-report=FILE` (a wasmlink extension): where every byte of the
//! output comes from. Each byte is attributed to exactly one [`Entry`]:
//! an input (archive member or object) with its function, data segment or
//! custom section, or the linker itself (module and section headers,
//! section names, counts, segment headers, alignment padding, synthetic
//! functions, and the sections it writes: types, imports, exports, names,
//! ...). Strings merged at `-O1`+ (`.rodata` strings, `.debug_str`) are one
//! entry per blob, "merged strings", as no single input owns them. The
//! entries add up exactly to the module's size.
//!
//! The positions come from emit's [`emit::FileLayout`] (as for the map
//! file); the input pieces inside each function, data segment and custom
//! section from the resolution and the memory layout. Live entries carry
//! their `--why-live` chain ([`crate::live_graph`]).
//!
//! The format follows the file's extension: `.json` (everything),
//! `.txt` (the top entries per level, for a terminal), `.html` (one
//! self-contained page with a zoomable treemap; `size_report_html`).

use crate::live_graph::{Atom, LiveGraph, NodeId};
use crate::why_live::{step_line, AtomNames};
use crate::{Config, Linked};
use emit::SectionKind;
use section_merge::OutputFunction;
use std::collections::BTreeMap;
use std::fmt::Write;
use symbol_resolve::StubKind;

/// The owner name of bytes the linker writes itself.
pub const LINKER: &str = "<linker>";
/// The owner name of merged string blobs.
pub const MERGED: &str = "<merged strings>";

/// A run of output bytes with one owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The archive of the owning member ("" for a plain object or the linker).
    pub archive: String,
    /// The owning object (the member's name inside its archive), or
    /// [`LINKER`] or [`MERGED`].
    pub object: String,
    /// The output section, as the map file names it (`CODE`, `DATA`,
    /// `CUSTOM(.debug_info)`, `header` for the module header).
    pub section: String,
    /// What the bytes are: a function's or data symbol's name, a custom
    /// section's name, or what the linker wrote.
    pub item: String,
    /// Bytes.
    pub size: u64,
    /// Its liveness node, for the `--why-live` chain.
    pub node: Option<NodeId>,
}

/// The whole attribution.
#[derive(Debug, Clone)]
pub struct SizeReport {
    /// The output file (as given with `-o`).
    pub output: String,
    /// The module's size: the sum of every entry's size.
    pub total: u64,
    /// Every section with its whole size (headers included), in file order.
    pub sections: Vec<(String, u64)>,
    /// The entries, in file order.
    pub entries: Vec<Entry>,
    /// The `--why-live` steps the entries' chains use: per node, its line
    /// and the node of the step before it.
    pub steps: BTreeMap<NodeId, (String, Option<NodeId>)>,
}

/// Splits an object's display name `lib.a(m.o)` into archive and member.
fn split_owner(name: &str) -> (String, String) {
    if let Some(open) = name.strip_suffix(')').and_then(|n| n.find('(').map(|i| (i, n))) {
        let (i, n) = open;
        return (n[..i].to_string(), n[i + 1..].to_string());
    }
    (String::new(), name.to_string())
}

/// Collects entries for one section, checking they stay inside it.
struct SectionEntries<'e> {
    entries: &'e mut Vec<Entry>,
    section: String,
    used: u64,
}

impl SectionEntries<'_> {
    fn linker(&mut self, item: impl Into<String>, size: u64) {
        self.push(String::new(), LINKER.to_string(), item.into(), size, None);
    }

    fn push(&mut self, archive: String, object: String, item: String, size: u64, node: Option<NodeId>) {
        if size == 0 {
            return;
        }
        self.used += size;
        self.entries.push(Entry { archive, object, section: self.section.clone(), item, size, node });
    }

    fn input(&mut self, object_name: &str, item: String, size: u64, node: Option<NodeId>) {
        let (archive, object) = split_owner(object_name);
        self.push(archive, object, item, size, node);
    }
}

/// Attributes every byte of `linked`'s module.
pub fn build(linked: &Linked<'_>, config: &Config, graph: &LiveGraph) -> SizeReport {
    let res = &linked.resolution;
    let names = AtomNames::new(res, config.demangle);
    let fl = &linked.file_layout;
    let mut entries = Vec::new();
    let header_len = fl.sections.first().map_or(fl.total_size, |s| s.offset);
    entries.push(Entry {
        archive: String::new(),
        object: LINKER.into(),
        section: "header".into(),
        item: "module header (magic, version)".into(),
        size: header_len,
        node: None,
    });
    let mut sections = vec![("header".to_string(), header_len)];
    for placed in &fl.sections {
        let section = placed.kind.to_string();
        sections.push((section.clone(), placed.size));
        let mut s = SectionEntries { entries: &mut entries, section, used: 0 };
        s.linker("section header (id, size)", placed.header_len);
        let mut payload = placed.size - placed.header_len;
        if let SectionKind::Custom(name) = &placed.kind {
            let name_len = leb_len(name.len() as u64) + name.len() as u64;
            s.linker("custom section name", name_len);
            payload -= name_len;
        }
        match &placed.kind {
            SectionKind::Code => code(&mut s, linked, &names, graph),
            SectionKind::Data => data(&mut s, linked, &names, graph),
            SectionKind::Custom(name) if is_input_custom(res, name) => custom(&mut s, linked, config, name, payload),
            _ => {}
        }
        let attributed = s.used - placed.header_len - (placed.size - placed.header_len - payload);
        let rest = payload.saturating_sub(attributed);
        let what = match &placed.kind {
            SectionKind::Code => "function count".to_string(),
            SectionKind::Data => "segment count".to_string(),
            SectionKind::Custom(name) if is_input_custom(res, name) => "alignment padding".to_string(),
            SectionKind::Custom(name) => format!("{name} section contents"),
            other => format!("{} section contents", other.to_string().to_lowercase()),
        };
        s.linker(what, rest);
    }
    let total: u64 = entries.iter().map(|e| e.size).sum();
    let mut steps = BTreeMap::new();
    for e in &entries {
        let Some(node) = e.node else { continue };
        let chain = graph.chain(node);
        for (i, step) in chain.iter().enumerate() {
            let up = i.checked_sub(1).map(|j| chain[j].node);
            steps.entry(step.node).or_insert_with(|| (step_line(graph, &names, step), up));
        }
    }
    SizeReport {
        output: config.output.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
        total,
        sections,
        entries,
        steps,
    }
}

/// Length of `v` as an unsigned LEB128.
fn leb_len(mut v: u64) -> u64 {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Custom sections the linker writes itself.
fn is_linker_custom(name: &str) -> bool {
    matches!(name, "name" | "producers" | "target_features" | "linking" | "build_id") || name.starts_with("reloc.")
}

/// Whether output custom section `name` is made of input pieces.
fn is_input_custom(res: &symbol_resolve::Resolution<'_>, name: &str) -> bool {
    !is_linker_custom(name) && res.objects.iter().any(|o| o.customs.iter().any(|c| c.name == name))
}

/// Each function of the code section.
fn code(s: &mut SectionEntries<'_>, linked: &Linked<'_>, names: &AtomNames<'_, '_>, graph: &LiveGraph) {
    let res = &linked.resolution;
    for (f, placed) in linked.merged.functions.iter().zip(&linked.file_layout.functions) {
        match f {
            OutputFunction::Input { obj, index } => {
                let atom = Atom::Function(*obj, *index);
                let node = graph.node(atom);
                let object = &res.objects[obj.0 as usize].name;
                s.input(object, names.name(atom), placed.size, graph.cause(node).map(|_| node));
            }
            OutputFunction::Stub(id) => {
                let stub = &res.stubs[id.0 as usize];
                let name = if stub.kind == StubKind::Undefined { "undefined_stub".into() } else { stub.display_name() };
                s.linker(name, placed.size);
            }
            OutputFunction::CommandExport { name, .. } => s.linker(name.clone(), placed.size),
            other => s.linker(other.linker_name().unwrap_or_default(), placed.size),
        }
    }
}

/// Each written output segment: its header, its input pieces, merged
/// strings and the padding between them.
fn data(s: &mut SectionEntries<'_>, linked: &Linked<'_>, names: &AtomNames<'_, '_>, graph: &LiveGraph) {
    let res = &linked.resolution;
    for (seg, placed) in linked.layout.segments.iter().zip(&linked.file_layout.segments) {
        let Some(placed) = placed else { continue };
        s.linker(format!("segment header ({})", seg.name), placed.header_len);
        // (start, len, owner) of everything inside the segment's bytes.
        let mut runs: Vec<(u64, u64, Option<Atom>)> = Vec::new();
        for piece in seg.pieces.iter().filter(|p| p.strings.is_none()) {
            let len = res.objects[piece.obj.0 as usize].segments[piece.segment.index()].data.len() as u64;
            runs.push((piece.offset, len, Some(Atom::Segment(piece.obj, piece.segment))));
        }
        for m in &seg.merged {
            runs.push((m.offset, m.bytes.len() as u64, None));
        }
        runs.sort_by_key(|r| r.0);
        let mut at = 0u64;
        for (start, len, owner) in runs {
            let start = start.max(at).min(seg.size);
            let end = (start + len).min(seg.size);
            s.linker(format!("alignment padding ({})", seg.name), start - at);
            match owner {
                Some(atom) => {
                    let Atom::Segment(obj, _) = atom else { continue };
                    let node = graph.node(atom);
                    let object = &res.objects[obj.0 as usize].name;
                    s.input(object, names.name(atom), end - start, graph.cause(node).map(|_| node));
                }
                None => s.push(String::new(), MERGED.into(), format!("strings in {}", seg.name), end - start, None),
            }
            at = end;
        }
        s.linker(format!("alignment padding ({})", seg.name), seg.size - at);
    }
}

/// An output custom section made of input pieces (as emit's custom-section
/// plan lays them out: kept pieces in link order, `__llvm_covfun` pieces
/// 8-aligned; `.debug_str`-like sections merged into one blob at `-O1`+).
fn custom(s: &mut SectionEntries<'_>, linked: &Linked<'_>, config: &Config, name: &str, payload: u64) {
    let res = &linked.resolution;
    let policy = config.emit_options().custom;
    let debug = name.starts_with(".debug_");
    let kept = if debug && (policy.strip_debug || policy.strip_all) {
        false
    } else {
        policy.keep.iter().any(|k| k == name) || !policy.strip_all
    };
    if !kept {
        return;
    }
    let pieces: Vec<(&str, &object_parse::CustomSection<'_>)> = res
        .objects
        .iter()
        .flat_map(|o| o.customs.iter().filter(|c| c.name == name).map(move |c| (o.name.as_str(), c)))
        .collect();
    let string_section = matches!(name, ".debug_str" | ".debug_str.dwo" | ".debug_line_str");
    let merged = policy.merge_strings
        && string_section
        && pieces.iter().all(|(_, c)| c.data.last() == Some(&0) && c.relocs.is_empty());
    if merged {
        s.push(String::new(), MERGED.into(), format!("strings in {name}"), payload, None);
        return;
    }
    let align = if name == "__llvm_covfun" { 8 } else { 1 };
    let mut at = 0u64;
    for (object, c) in pieces {
        let start = at.next_multiple_of(align);
        s.linker("alignment padding", start - at);
        s.input(object, name.to_string(), c.data.len() as u64, None);
        at = start + c.data.len() as u64;
    }
}

/// Totals by a key of each entry, largest first (ties by name).
pub fn totals(report: &SizeReport, key: impl Fn(&Entry) -> String) -> Vec<(String, u64)> {
    let mut map: BTreeMap<String, u64> = BTreeMap::new();
    for e in &report.entries {
        *map.entry(key(e)).or_default() += e.size;
    }
    let mut v: Vec<(String, u64)> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// The owner of an entry as one name: `lib.a(m.o)`, `x.o`, `<linker>`.
pub fn owner(e: &Entry) -> String {
    if e.archive.is_empty() {
        e.object.clone()
    } else {
        format!("{}({})", e.archive, e.object)
    }
}

/// The archive of an entry, or what stands for one: `(objects)` for plain
/// objects, the linker's or merged strings' own name.
pub fn archive_key(e: &Entry) -> String {
    if !e.archive.is_empty() {
        e.archive.clone()
    } else if e.object == LINKER || e.object == MERGED {
        e.object.clone()
    } else {
        "(objects on the command line)".into()
    }
}

/// A JSON string literal.
pub(crate) fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Keeps the JSON safe inside an HTML <script> element.
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The report as JSON: `output`, `total`, `sections` (name, size), the
/// totals `by_archive`, `by_object`, `by_section`, the `entries` (archive,
/// object, section, item, size, and `why`: the step of its `--why-live`
/// chain, or null) and the `steps` (`line`, `up`: the previous step or
/// null), keyed by node.
pub fn to_json(report: &SizeReport) -> String {
    let mut out = String::new();
    let _ = write!(out, "{{\n\"output\": {},\n\"total\": {},\n", json_string(&report.output), report.total);
    let list = |v: &[(String, u64)]| {
        v.iter()
            .map(|(n, s)| format!("{{\"name\": {}, \"size\": {s}}}", json_string(n)))
            .collect::<Vec<_>>()
            .join(",\n  ")
    };
    let _ = write!(out, "\"sections\": [\n  {}\n],\n", list(&report.sections));
    let _ = write!(out, "\"by_archive\": [\n  {}\n],\n", list(&totals(report, archive_key)));
    let _ = write!(out, "\"by_object\": [\n  {}\n],\n", list(&totals(report, owner)));
    let _ = write!(out, "\"by_section\": [\n  {}\n],\n", list(&totals(report, |e| e.section.clone())));
    out.push_str("\"entries\": [\n");
    for (i, e) in report.entries.iter().enumerate() {
        let why = e.node.map_or_else(|| "null".to_string(), |n| n.0.to_string());
        let _ = writeln!(
            out,
            "  {{\"archive\": {}, \"object\": {}, \"section\": {}, \"item\": {}, \"size\": {}, \"why\": {why}}}{}",
            json_string(&e.archive),
            json_string(&e.object),
            json_string(&e.section),
            json_string(&e.item),
            e.size,
            if i + 1 < report.entries.len() { "," } else { "" }
        );
    }
    out.push_str("],\n\"steps\": {\n");
    let n = report.steps.len();
    for (i, (node, (line, up))) in report.steps.iter().enumerate() {
        let up = up.map_or_else(|| "null".to_string(), |u| u.0.to_string());
        let _ = writeln!(
            out,
            "  \"{}\": {{\"line\": {}, \"up\": {up}}}{}",
            node.0,
            json_string(line),
            if i + 1 < n { "," } else { "" }
        );
    }
    out.push_str("}\n}\n");
    out
}

/// How many rows each level of the text report shows.
const TOP: usize = 15;

/// The report for a terminal: the sections, then the top archives,
/// objects and items, each with its share of the module.
pub fn to_text(report: &SizeReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "size report for {}: {} bytes", report.output, report.total);
    let pct = |n: u64| if report.total == 0 { 0.0 } else { n as f64 * 100.0 / report.total as f64 };
    let mut table = |title: &str, rows: &[(String, u64)], all: bool| {
        let _ = writeln!(out, "\n{title}");
        let shown = if all { rows.len() } else { rows.len().min(TOP) };
        for (name, size) in &rows[..shown] {
            let _ = writeln!(out, "  {size:>10}  {:>5.1}%  {name}", pct(*size));
        }
        if shown < rows.len() {
            let rest: u64 = rows[shown..].iter().map(|r| r.1).sum();
            let _ = writeln!(out, "  {rest:>10}  {:>5.1}%  ({} more)", pct(rest), rows.len() - shown);
        }
    };
    table("by section", &report.sections, true);
    table("by archive", &totals(report, archive_key), false);
    table("by object", &totals(report, owner), false);
    let items = totals(report, |e| format!("{} [{}] {}", e.item, e.section, owner(e)));
    table("by function, data segment or section piece", &items, false);
    out
}

/// Writes the report in the format `path`'s extension names.
pub fn write(path: &std::path::Path, report: &SizeReport) -> std::io::Result<()> {
    let text = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => to_json(report),
        Some("html" | "htm") => crate::size_report_html::render(report),
        _ => to_text(report),
    };
    std::fs::write(path, text)
}
