//! Stable, human-readable text dump of the merge stage's output (the output
//! module's index spaces), for snapshot tests (`cargo xtask snapshot`) and
//! debugging.
//!
//! The merged module refers to objects by index, so the dump takes the
//! [`Resolution`] too, for names. Functions and globals of the checkout's
//! objects (the test data) are listed one a line; consecutive ones from
//! library objects are folded into one line. Map contents are printed
//! sorted.

use crate::{
    function_signature, global_type, ExportKind, MergedModule, OutputFuncIdx, OutputFunction, OutputGlobal, OutputTable,
};
use object_parse::dump::{global_type as fmt_global_type, table_type as fmt_table_type};
use std::fmt::Write as _;
use symbol_resolve::dump::{synthetic_global, Names};
use symbol_resolve::{ObjectId, OutputImportKind, Resolution};

/// Folds consecutive library items into `[first..=last] N library ITEMs
/// from K objects` lines; other items are printed as given.
struct Folder {
    what: &'static str,
    run: Option<(u32, u32, Vec<ObjectId>)>,
}

impl Folder {
    fn new(what: &'static str) -> Self {
        Folder { what, run: None }
    }

    fn library(&mut self, index: u32, obj: ObjectId) {
        match &mut self.run {
            Some((_, last, objs)) if *last + 1 == index => {
                *last = index;
                objs.push(obj);
            }
            _ => {
                self.run = Some((index, index, vec![obj]));
            }
        }
    }

    fn flush(&mut self, s: &mut String) {
        if let Some((first, last, mut objs)) = self.run.take() {
            objs.sort();
            objs.dedup();
            let n = last - first + 1;
            let what = if n == 1 { self.what.to_string() } else { format!("{}s", self.what) };
            let from = if objs.len() == 1 { "1 object".to_string() } else { format!("{} objects", objs.len()) };
            let _ = writeln!(s, "  {first}..={last}: {n} library {what} from {from}");
        }
    }
}

/// What output function `index` is, for references (exports, calls, table
/// elements).
fn function_label(names: &Names<'_, '_>, merged: &MergedModule, index: OutputFuncIdx) -> String {
    let res = names.resolution();
    let Some(defined) = index.defined(merged.num_imported_functions) else {
        let imp = res.imports.iter().filter(|i| matches!(i.kind, OutputImportKind::Function(_))).nth(index.0 as usize);
        return match imp {
            Some(i) => format!("import {}.{}", i.module, i.field),
            None => "<bad import>".into(),
        };
    };
    match merged.functions.get(defined) {
        Some(OutputFunction::Input { obj, index }) => {
            format!("{}:{}", names.object(*obj), names.function_name(*obj, *index))
        }
        Some(OutputFunction::Stub(id)) => format!("stub {}", names.stub(*id)),
        Some(OutputFunction::CommandExport { name, .. }) => name.clone(),
        Some(f) => f.linker_name().unwrap_or_default().into(),
        None => "<bad function>".into(),
    }
}

fn global_label(names: &Names<'_, '_>, merged: &MergedModule, index: u32) -> String {
    let res = names.resolution();
    if index < merged.num_imported_globals {
        let imp = res.imports.iter().filter(|i| matches!(i.kind, OutputImportKind::Global(_))).nth(index as usize);
        return match imp {
            Some(i) => format!("import {}.{}", i.module, i.field),
            None => "<bad import>".into(),
        };
    }
    match merged.globals.get((index - merged.num_imported_globals) as usize) {
        Some(OutputGlobal::Synthetic(g)) => synthetic_global(*g).into(),
        Some(OutputGlobal::Input { obj, index }) => {
            format!("{}:{}", names.object(*obj), names.global_name(*obj, *index))
        }
        Some(OutputGlobal::DataAddress { symbol, .. }) => format!("address of {symbol}"),
        Some(OutputGlobal::Got { name, .. }) => name.clone(),
        None => "<bad global>".into(),
    }
}

/// The whole merge stage output.
pub fn dump_merged(merged: &MergedModule, res: &Resolution<'_>) -> String {
    let names = Names::new(res);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "imports ({}; {} functions, {} globals, {} tables, {} tags):",
        merged.imports.len(),
        merged.num_imported_functions,
        merged.num_imported_globals,
        merged.num_imported_tables,
        merged.num_imported_tags
    );
    for (i, imp) in merged.imports.iter().enumerate() {
        let (kind, desc) = match &imp.kind {
            OutputImportKind::Function(sig) => ("func", sig.to_string()),
            OutputImportKind::Global(g) => ("global", fmt_global_type(g)),
            OutputImportKind::Table(t) => ("table", fmt_table_type(t)),
            OutputImportKind::Tag(sig) => ("tag", sig.to_string()),
        };
        let index = merged.import_index.get(i).map(|x| x.to_string()).unwrap_or_else(|| "?".into());
        let _ = writeln!(s, "  {kind} {index}: {}.{} {desc}", imp.module, imp.field);
    }

    let nf = merged.num_imported_functions;
    let _ = writeln!(s, "functions ({} defined, first index {nf}):", merged.functions.len());
    let mut fold = Folder::new("function");
    for (i, f) in merged.functions.iter().enumerate() {
        let index = OutputFuncIdx(nf + i as u32);
        if let OutputFunction::Input { obj, .. } = f {
            if names.is_library(*obj) {
                fold.library(index.0, *obj);
                continue;
            }
        }
        fold.flush(&mut s);
        let sig = function_signature(res, merged, index).map(|s| s.to_string()).unwrap_or_else(|| "?".into());
        let what = match f {
            OutputFunction::CommandExport { wrapped, name, .. } => {
                format!("{name} (wraps {wrapped} {})", function_label(&names, merged, *wrapped))
            }
            _ => function_label(&names, merged, index),
        };
        let _ = writeln!(s, "  {index}: {what} {sig}");
    }
    fold.flush(&mut s);

    let ng = merged.num_imported_globals;
    let _ = writeln!(s, "globals ({} defined, first index {ng}):", merged.globals.len());
    let mut fold = Folder::new("global");
    for (i, g) in merged.globals.iter().enumerate() {
        let index = ng + i as u32;
        if let OutputGlobal::Input { obj, .. } = g {
            if names.is_library(*obj) {
                fold.library(index, *obj);
                continue;
            }
        }
        fold.flush(&mut s);
        let extra = match g {
            OutputGlobal::DataAddress { address, .. } => format!(" = {address:#x}"),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "  {index}: {} {}{extra}",
            global_label(&names, merged, index),
            fmt_global_type(&global_type(res, merged, g))
        );
    }
    fold.flush(&mut s);
    let mut synth: Vec<_> = merged.synthetic_global_index.iter().collect();
    synth.sort();
    let synth: Vec<String> = synth.iter().map(|(g, i)| format!("{}={i}", synthetic_global(**g))).collect();
    let _ = writeln!(s, "synthetic global indices: {}", if synth.is_empty() { "-".into() } else { synth.join(" ") });

    let _ = writeln!(s, "tables ({} defined, first index {}):", merged.tables.len(), merged.num_imported_tables);
    for (i, t) in merged.tables.iter().enumerate() {
        let what = match t {
            OutputTable::IndirectFunctionTable => "__indirect_function_table".to_string(),
            OutputTable::Input { obj, index } => format!("{}:table{index}", names.object(*obj)),
        };
        let _ = writeln!(s, "  {}: {what}", merged.num_imported_tables + i as u32);
    }
    let _ = writeln!(
        s,
        "indirect function table index: {}",
        merged.indirect_table.map(|i| i.to_string()).unwrap_or_else(|| "-".into())
    );
    if !merged.tags.is_empty() {
        let _ = writeln!(s, "tags ({} defined, first index {}):", merged.tags.len(), merged.num_imported_tags);
        for (i, (obj, index)) in merged.tags.iter().enumerate() {
            let _ = writeln!(s, "  {}: {}:tag{index}", merged.num_imported_tags + i as u32, names.object(*obj));
        }
    }

    let _ = writeln!(s, "exports ({}):", merged.exports.len());
    for e in &merged.exports {
        let what = match e.kind {
            ExportKind::Function => {
                format!("func {} ({})", e.index, function_label(&names, merged, OutputFuncIdx(e.index)))
            }
            ExportKind::Global => format!("global {} ({})", e.index, global_label(&names, merged, e.index)),
            ExportKind::Table => format!("table {}", e.index),
            ExportKind::Memory => format!("memory {}", e.index),
            ExportKind::Tag => format!("tag {}", e.index),
        };
        let _ = writeln!(s, "  {}: {what}", e.name);
    }
    let opt = |i: Option<OutputFuncIdx>| {
        i.map(|i| format!("{i} ({})", function_label(&names, merged, i))).unwrap_or_else(|| "-".into())
    };
    let _ = writeln!(s, "__wasm_call_ctors: {}", opt(merged.call_ctors));
    let _ = writeln!(s, "__wasm_call_dtors: {}", opt(merged.call_dtors));
    let _ = writeln!(s, "ctor calls ({}):", merged.ctor_calls.len());
    for (f, drop) in &merged.ctor_calls {
        let drop = if *drop > 0 { format!(", drop {drop}") } else { String::new() };
        let _ = writeln!(s, "  call {f} ({}){drop}", function_label(&names, merged, *f));
    }
    let _ = writeln!(s, "table elements ({}, offsets from the table base):", merged.table_elements.len());
    // Runs of library functions fold into one line.
    let mut run: Option<(usize, usize)> = None;
    let flush = |s: &mut String, run: &mut Option<(usize, usize)>| {
        if let Some((first, last)) = run.take() {
            let n = last - first + 1;
            let _ = writeln!(s, "  +{first}..=+{last}: {n} library function{}", if n == 1 { "" } else { "s" });
        }
    };
    for (i, f) in merged.table_elements.iter().enumerate() {
        let library = f
            .defined(merged.num_imported_functions)
            .and_then(|d| merged.functions.get(d))
            .is_some_and(|o| matches!(o, OutputFunction::Input { obj, .. } if names.is_library(*obj)));
        if library {
            run = Some(run.map_or((i, i), |(first, _)| (first, i)));
            continue;
        }
        flush(&mut s, &mut run);
        let _ = writeln!(s, "  +{i}: func {f} ({})", function_label(&names, merged, *f));
    }
    flush(&mut s, &mut run);
    s
}
