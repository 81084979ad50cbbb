//! Stable, human-readable text dump of the layout stage's output, for
//! snapshot tests (`cargo xtask snapshot`) and debugging.
//!
//! The layout refers to objects by index, so the dump takes the
//! [`Resolution`] too, for names. Pieces from the checkout's objects (the
//! test data) are listed one a line; consecutive pieces from library objects
//! are folded into one line. Map contents are printed sorted.

use crate::Layout;
use std::fmt::Write as _;
use symbol_resolve::dump::{linker_data, Names};
use symbol_resolve::{ObjectId, Resolution};

/// The whole layout stage output.
pub fn dump_layout(layout: &Layout, res: &Resolution<'_>) -> String {
    let names = Names::new(res);
    let mut s = String::new();
    let _ = writeln!(s, "output segments ({}):", layout.segments.len());
    for seg in &layout.segments {
        let mut tags = String::new();
        if seg.is_bss {
            tags.push_str(" bss");
        }
        if seg.is_tls {
            tags.push_str(" tls");
        }
        if seg.passive {
            tags.push_str(" passive");
        }
        if seg.is_bss && seg.in_binary {
            tags.push_str(" written");
        }
        if seg.init_by_start {
            tags.push_str(" init-by-start");
        }
        let _ = writeln!(
            s,
            "  {} @{:#x} size {:#x} align 2^{}{tags}, {} pieces:",
            seg.name,
            seg.address,
            seg.size,
            seg.align_log2,
            seg.pieces.len()
        );
        // A run of library pieces: (first offset, count, objects).
        let mut run: Option<(u64, usize, Vec<ObjectId>)> = None;
        let flush = |s: &mut String, run: &mut Option<(u64, usize, Vec<ObjectId>)>| {
            if let Some((off, n, objs)) = run.take() {
                let mut o = objs;
                o.sort();
                o.dedup();
                let pieces = if n == 1 { "1 library piece".to_string() } else { format!("{n} library pieces") };
                let from = if o.len() == 1 { "1 object".to_string() } else { format!("{} objects", o.len()) };
                let _ = writeln!(s, "    +{off:#x}: {pieces} from {from}");
            }
        };
        for p in &seg.pieces {
            if names.is_library(p.obj) {
                match &mut run {
                    Some((_, n, objs)) => {
                        *n += 1;
                        objs.push(p.obj);
                    }
                    None => run = Some((p.offset, 1, vec![p.obj])),
                }
                continue;
            }
            flush(&mut s, &mut run);
            let size = res
                .objects
                .get(p.obj.0 as usize)
                .and_then(|o| o.segments.get(p.segment.index()))
                .map(|d| format!(" size {:#x}", d.data.len()))
                .unwrap_or_default();
            let merged = p.strings.map(|b| format!(" (strings merged into blob {b})")).unwrap_or_default();
            let _ = writeln!(
                s,
                "    +{:#x}: {}[{}]{size}{merged}",
                p.offset,
                names.object(p.obj),
                names.segment_name(p.obj, p.segment)
            );
        }
        flush(&mut s, &mut run);
        for (b, blob) in seg.merged.iter().enumerate() {
            let _ = writeln!(s, "    blob {b}: +{:#x} size {:#x} (merged strings)", blob.offset, blob.bytes.len());
        }
    }
    let _ = writeln!(s, "input segment addresses (test objects):");
    for (o, addrs) in layout.segment_addresses.iter().enumerate() {
        let id = ObjectId(o as u32);
        if names.is_library(id) || addrs.is_empty() {
            continue;
        }
        let _ = writeln!(s, "  {}:", names.object(id));
        for (i, a) in addrs.iter().enumerate() {
            let a = a.map(|a| format!("@{a:#x}")).unwrap_or_else(|| "dead".into());
            let _ = writeln!(s, "    {i}: {} {a}", names.segment_name(id, object_parse::SegmentIdx(i as u32)));
        }
    }
    let _ = writeln!(s, "linker data ({}):", layout.linker_data.len());
    for (k, v) in &layout.linker_data {
        let _ = writeln!(s, "  {} = {v:#x}", linker_data(k));
    }
    let _ = writeln!(s, "__stack_pointer = {:#x}", layout.stack_pointer);
    match layout.tls {
        Some((base, size, align)) => {
            let _ = writeln!(s, "tls: base {base:#x} size {size:#x} align {align}");
        }
        None => {
            let _ = writeln!(s, "tls: -");
        }
    }
    let m = &layout.memory;
    let _ = writeln!(
        s,
        "memory: initial {} pages, max {}, import {}, export {}",
        m.initial_pages,
        m.max_pages.map(|p| format!("{p} pages")).unwrap_or_else(|| "-".into()),
        m.import,
        m.export
    );
    if m.shared {
        let flag = m.init_memory_flag.map(|a| format!("{a:#x}")).unwrap_or_else(|| "-".into());
        let _ = writeln!(s, "memory: shared, init flag {flag}");
    }
    let t = &layout.table;
    let _ = writeln!(s, "table: base {}, size {}, {} slots:", t.base, t.size(), t.slots.len());
    // Runs of library functions fold into one line.
    let mut run: Option<(usize, usize)> = None;
    let flush = |s: &mut String, run: &mut Option<(usize, usize)>| {
        if let Some((first, last)) = run.take() {
            let n = last - first + 1;
            let _ = writeln!(s, "  {first}..={last}: {n} library function{}", if n == 1 { "" } else { "s" });
        }
    };
    for (i, f) in t.slots.iter().enumerate() {
        let slot = t.base as usize + i;
        if let symbol_resolve::FuncRef::Defined { obj, .. } = f {
            if names.is_library(*obj) {
                run = Some(run.map_or((slot, slot), |(first, _)| (first, slot)));
                continue;
            }
        }
        flush(&mut s, &mut run);
        let _ = writeln!(s, "  {slot}: {}", names.func(f));
    }
    flush(&mut s, &mut run);
    // slot_of is a hash map: check it against `slots` and print only
    // disagreements, sorted.
    let mut bad: Vec<String> = Vec::new();
    for (i, f) in t.slots.iter().enumerate() {
        let want = t.base + i as u32;
        match t.slot_of.get(f) {
            Some(&got) if got == want => {}
            got => bad.push(format!("  slot_of[{}] = {got:?}, slots say {want}", names.func(f))),
        }
    }
    if t.slot_of.len() != t.slots.len() {
        bad.push(format!("  slot_of has {} entries, slots {}", t.slot_of.len(), t.slots.len()));
    }
    bad.sort();
    if !bad.is_empty() {
        let _ = writeln!(s, "table slot_of disagrees with slots:");
        for b in bad {
            let _ = writeln!(s, "{b}");
        }
    }
    let _ = writeln!(s, "warnings ({}):", layout.warnings.len());
    for w in &layout.warnings {
        let _ = writeln!(s, "  {}", object_parse::dump::relative(&w.to_string()));
    }
    s
}
