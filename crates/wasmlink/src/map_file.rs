//! The map file (`-Map=FILE`, `-M` / `--print-map`), in wasm-ld's format:
//! every output section with its file offset and size; under the code
//! section each function, under the data section each output segment and
//! its input segments with their addresses, and under each function or
//! input segment the symbols its object defines there; under the global
//! section each defined global with its index.
//!
//! The offsets are wasm-ld's: a section's is where its id byte is, and a
//! function's or a data segment's is that plus its offset in the section's
//! payload (so it is short of the true file offset by the section's header,
//! as in wasm-ld's maps). Input segments that aren't written (`.bss` of a
//! defined memory) show offset 0, their symbols their offset in the
//! segment. Offsets come from emit's [`emit::FileLayout`].

use crate::link::Linked;
use emit::SectionKind;
use object_parse::SymbolKind;
use section_merge::{OutputFunction, OutputGlobal};
use std::fmt::Write;
use symbol_resolve::{DataRef, FuncRef, ObjectId, Resolution, StubKind, SyntheticGlobal, Target};

/// The column titles.
const HEADER: &str = "    Addr      Off     Size Out     In      Symbol\n";

/// The map of `linked`, with symbol names demangled when `demangle` is on.
pub fn render(linked: &Linked<'_>, demangle: bool) -> String {
    let mut out = String::from(HEADER);
    let res = &linked.resolution;
    let names: Vec<ObjectSymbols<'_>> = (0..res.objects.len()).map(|o| ObjectSymbols::of(res, o)).collect();
    for section in &linked.file_layout.sections {
        columns(&mut out, None, section.offset, section.size);
        let _ = writeln!(out, "{}", section.kind);
        match section.kind {
            SectionKind::Global => globals(&mut out, linked, &names),
            SectionKind::Code => functions(&mut out, linked, &names, section.offset, demangle),
            SectionKind::Data => data(&mut out, linked, &names, section.offset, demangle),
            _ => {}
        }
    }
    out
}

/// The first three columns: address (`-` for none), offset, size, as
/// wasm-ld's `%8llx` columns.
fn columns(out: &mut String, address: Option<u64>, offset: u64, size: u64) {
    let _ = match address {
        Some(a) => write!(out, "{a:8x} {offset:8x} {size:8x} "),
        None => write!(out, "       - {offset:8x} {size:8x} "),
    };
}

/// Each defined global with its index as the address (wasm-ld lists the
/// linker's and the inputs' globals, not the exported-address ones).
fn globals(out: &mut String, linked: &Linked<'_>, names: &[ObjectSymbols<'_>]) {
    let merged = &linked.merged;
    for (k, g) in merged.globals.iter().enumerate() {
        let name = match g {
            OutputGlobal::Synthetic(s) => match s {
                SyntheticGlobal::StackPointer => "__stack_pointer",
                SyntheticGlobal::TlsBase => "__tls_base",
                SyntheticGlobal::TlsSize => "__tls_size",
                SyntheticGlobal::TlsAlign => "__tls_align",
            },
            OutputGlobal::Input { obj, index } => {
                names[obj.0 as usize].global_names.get(*index as usize).copied().flatten().unwrap_or("")
            }
            OutputGlobal::DataAddress { .. } | OutputGlobal::Got { .. } => continue,
        };
        columns(out, Some(u64::from(merged.num_imported_globals) + k as u64), 0, 0);
        let _ = writeln!(out, "        {name}");
    }
}

/// Per object: the name of each defined function and global (their first
/// defining symbol's, as wasm-ld names them), and the symbols the object
/// itself defines in each function and data segment, in symbol order.
struct ObjectSymbols<'a> {
    function_names: Vec<Option<&'a str>>,
    global_names: Vec<Option<&'a str>>,
    in_function: Vec<Vec<u32>>,
    in_segment: Vec<Vec<u32>>,
}

impl<'a> ObjectSymbols<'a> {
    fn of(res: &Resolution<'a>, o: usize) -> Self {
        let obj = &res.objects[o];
        let mut s = ObjectSymbols {
            function_names: vec![None; obj.functions.len()],
            global_names: vec![None; obj.globals.len()],
            in_function: vec![Vec::new(); obj.functions.len()],
            in_segment: vec![Vec::new(); obj.segments.len()],
        };
        for (i, sym) in obj.linking.symbols.iter().enumerate() {
            if sym.is_undefined() {
                continue;
            }
            let target = &res.targets[o][i];
            let oid = ObjectId(o as u32);
            match sym.kind {
                SymbolKind::Function(fi) => {
                    let Some(d) = obj.defined_function(fi) else { continue };
                    s.function_names[d.index()].get_or_insert(sym.name);
                    if *target == Target::Function(FuncRef::Defined { obj: oid, index: d }) {
                        s.in_function[d.index()].push(i as u32);
                    }
                }
                SymbolKind::Global(g) => {
                    if let Some(slot) =
                        g.checked_sub(obj.num_imported_globals).and_then(|g| s.global_names.get_mut(g as usize))
                    {
                        slot.get_or_insert(sym.name);
                    }
                }
                SymbolKind::Data(Some(d)) => {
                    let own = Target::Data(DataRef::Defined { obj: oid, segment: d.segment, offset: d.offset });
                    if *target == own {
                        if let Some(list) = s.in_segment.get_mut(d.segment.index()) {
                            list.push(i as u32);
                        }
                    }
                }
                _ => {}
            }
        }
        s
    }
}

/// Each function's chunk, then the symbols its object defines there.
fn functions(out: &mut String, linked: &Linked<'_>, names: &[ObjectSymbols<'_>], code_offset: u64, demangle: bool) {
    let res = &linked.resolution;
    for (f, placed) in linked.merged.functions.iter().zip(&linked.file_layout.functions) {
        let offset = code_offset + placed.payload_offset;
        columns(out, None, offset, placed.size);
        let _ = match f {
            OutputFunction::Input { obj, index } => {
                let name = names[obj.0 as usize].function_names[index.index()].unwrap_or("");
                writeln!(out, "        {}:({name})", res.objects[obj.0 as usize].name)
            }
            OutputFunction::Stub(id) => {
                let stub = &res.stubs[id.0 as usize];
                let name = if stub.kind == StubKind::Undefined { "undefined_stub" } else { &stub.name };
                writeln!(out, "        <internal>:({name})")
            }
            OutputFunction::CommandExport { name, .. } => writeln!(out, "        <internal>:({name})"),
            f => writeln!(out, "        <internal>:({})", f.linker_name().unwrap_or_default()),
        };
        if let OutputFunction::Input { obj, index } = f {
            let o = &res.objects[obj.0 as usize];
            for &i in &names[obj.0 as usize].in_function[index.index()] {
                columns(out, None, offset, placed.size);
                let name = o.linking.symbols[i as usize].name;
                let _ = writeln!(out, "                {}", demangle::display_name(name, demangle));
            }
        }
    }
}

/// Each output segment, its input segments, and the symbols their objects
/// define in them.
fn data(out: &mut String, linked: &Linked<'_>, names: &[ObjectSymbols<'_>], data_offset: u64, demangle: bool) {
    let res = &linked.resolution;
    for (seg, placed) in linked.layout.segments.iter().zip(&linked.file_layout.segments) {
        let start = data_offset + placed.map_or(0, |p| p.payload_offset);
        columns(out, Some(seg.address), start, seg.size);
        let _ = writeln!(out, "{}", seg.name);
        for piece in &seg.pieces {
            let o = &res.objects[piece.obj.0 as usize];
            let input = &o.segments[piece.segment.index()];
            let address = seg.address + piece.offset;
            let offset = placed.map_or(0, |p| data_offset + p.payload_offset + p.header_len + piece.offset);
            columns(out, Some(address), offset, input.data.len() as u64);
            let _ = writeln!(out, "        {}:({})", o.name, input.info.name);
            for &i in &names[piece.obj.0 as usize].in_segment[piece.segment.index()] {
                let s = &o.linking.symbols[i as usize];
                let SymbolKind::Data(Some(d)) = s.kind else { continue };
                columns(out, Some(address + d.offset), offset + d.offset, d.size);
                let _ = writeln!(out, "                {}", demangle::display_name(s.name, demangle));
            }
        }
    }
}

/// Writes the map to `path` (`-`: standard output).
pub fn write(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        return out.flush();
    }
    std::fs::write(path, text)
}
