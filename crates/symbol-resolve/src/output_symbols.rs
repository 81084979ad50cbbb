//! The symbol table of an output that keeps its relocations (`-r`,
//! `--emit-relocs`): wasm-ld's order, the global symbols the inputs define
//! or reference (in symbol-table order), then each object's local symbols
//! (in link order). Section symbols of output custom sections are added by
//! emit, which knows the sections.

use crate::ids::*;
use crate::resolve::Slot;
use crate::table::{Definition, Kind, SymbolTable};
use crate::{Liveness, OutputKind, Resolution};
use object_parse::{flags, SymbolIdx, SymbolKind};

/// One entry of the output symbol table.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSymbol {
    /// The symbol name.
    pub name: String,
    /// `WASM_SYM_*` flags as written.
    pub flags: u32,
    /// What kind of symbol it is.
    pub kind: Kind,
    /// What it resolves to in the output (an import for undefined
    /// functions, globals, tables and tags).
    pub target: Target,
    /// The object symbol it comes from (its definition, or its first
    /// reference): gives a data symbol its size.
    pub source: Option<(ObjectId, SymbolIdx)>,
}

impl OutputSymbol {
    /// Whether the output leaves it undefined.
    pub fn is_undefined(&self) -> bool {
        self.flags & flags::UNDEFINED != 0
    }
}

/// The output symbol table and the map from input symbols to it.
#[derive(Debug, Clone, Default)]
pub struct OutputSymbols {
    /// Entries in output order.
    pub symbols: Vec<OutputSymbol>,
    /// Per object, per symbol: its entry in `symbols` (none for section
    /// symbols, which name output sections, and for dropped symbols).
    pub index: Vec<Vec<Option<u32>>>,
    /// Init functions: (priority, output symbol index), sorted by priority
    /// (stable: link order within one priority).
    pub init_funcs: Vec<(u32, u32)>,
}

/// Whether a target reaches the output.
fn is_live(live: &Liveness, t: &Target) -> bool {
    match *t {
        Target::Function(FuncRef::Defined { obj, index }) => live.functions[obj.0 as usize][index.index()],
        Target::Data(DataRef::Defined { obj, segment, .. }) => live.segments[obj.0 as usize][segment.index()],
        Target::Global(GlobalRef::Defined { obj, index }) => live.globals[obj.0 as usize][index as usize],
        Target::Table(TableRef::Defined { obj, index }) => live.tables[obj.0 as usize][index as usize],
        Target::Tag(TagRef::Defined { obj, index }) => live.tags[obj.0 as usize][index as usize],
        Target::Function(FuncRef::Synthetic(SyntheticFunc::Stub(id))) => live.stubs[id.0 as usize],
        Target::Function(FuncRef::Synthetic(SyntheticFunc::CallCtors)) => live.call_ctors_referenced,
        Target::Global(GlobalRef::Synthetic(g)) => live.synthetic_globals.contains(&g),
        Target::Section { .. } => false,
        _ => true,
    }
}

/// The indirect function table's name.
const INDIRECT_FUNCTION_TABLE: &str = "__indirect_function_table";

/// When no input has a symbol for the indirect function table but an MVP
/// object imports it without one, wasm-ld makes the symbol itself, after
/// that object's symbols: that object.
fn legacy_table_import(table: &SymbolTable<'_>, res: &Resolution<'_>) -> Option<ObjectId> {
    if table.find(INDIRECT_FUNCTION_TABLE).is_some() {
        return None;
    }
    let o = res.objects.iter().position(|o| {
        let imports_table = o
            .imports
            .iter()
            .any(|i| i.field == INDIRECT_FUNCTION_TABLE && matches!(i.kind, object_parse::InputImportKind::Table(_)));
        imports_table && !o.linking.symbols.iter().any(|s| matches!(s.kind, SymbolKind::Table(_)))
    })?;
    Some(ObjectId(o as u32))
}

/// The symbol wasm-ld makes for an MVP object's table import.
fn legacy_table_symbol(relocatable: bool) -> OutputSymbol {
    let defined_by = if relocatable { flags::UNDEFINED } else { flags::VISIBILITY_HIDDEN };
    OutputSymbol {
        name: INDIRECT_FUNCTION_TABLE.to_string(),
        flags: defined_by | flags::NO_STRIP,
        kind: Kind::Table,
        target: Target::Table(TableRef::IndirectFunctionTable),
        source: None,
    }
}

/// Builds the output symbol table of `res` (after imports are final).
pub(crate) fn build(
    table: &SymbolTable<'_>,
    slots: &[Vec<Slot>],
    res: &Resolution<'_>,
    kind: OutputKind,
) -> OutputSymbols {
    let relocatable = kind.is_relocatable();
    // The first object symbol that refers to each global symbol (after
    // --wrap redirected references).
    let mut first_slot: Vec<Option<(ObjectId, SymbolIdx)>> = vec![None; table.symbols.len()];
    for (o, per) in slots.iter().enumerate() {
        for (i, slot) in per.iter().enumerate() {
            if let Slot::Global(sid) = slot {
                first_slot[sid.0 as usize].get_or_insert((ObjectId(o as u32), SymbolIdx(i as u32)));
            }
        }
    }
    let mut out = OutputSymbols {
        index: res.objects.iter().map(|o| vec![None; o.linking.symbols.len()]).collect(),
        ..Default::default()
    };
    let mut global_index = vec![None; table.symbols.len()];
    let mut legacy_table = legacy_table_import(table, res);
    for (g, sym) in table.symbols.iter().enumerate() {
        let Some(kind) = sym.kind else { continue };
        let first_object = match &sym.def {
            Definition::Object { obj, .. } => Some(first_slot[g].map_or(*obj, |(o, _)| o.min(*obj))),
            _ => first_slot[g].map(|(o, _)| o),
        };
        if let (Some(after), Some(o)) = (legacy_table, first_object) {
            if o > after {
                out.symbols.push(legacy_table_symbol(relocatable));
                legacy_table = None;
            }
        }
        let entry = match &sym.def {
            Definition::Object { obj, sym: s, weak } => {
                let o = &res.objects[obj.0 as usize];
                let target = crate::targets::defined_target(*obj, o, *s);
                let mut f = o.linking.symbols[s.index()].flags;
                if !weak {
                    f &= !flags::BINDING_WEAK;
                }
                Some((target, f, Some((*obj, *s))))
            }
            _ => first_slot[g].map(|(o, i)| {
                let target = res.targets[o.0 as usize][i.index()].clone();
                let from = res.objects[o.0 as usize].linking.symbols[i.index()].flags;
                let f = match &sym.def {
                    // Defined by the linker in a final link.
                    Definition::Linker(_) if !relocatable => flags::VISIBILITY_HIDDEN,
                    _ if sym.strong_ref => (from | flags::UNDEFINED) & !flags::BINDING_WEAK,
                    _ => from | flags::UNDEFINED,
                };
                (target, f, Some((o, i)))
            }),
        };
        let Some((target, f, source)) = entry else { continue };
        if !relocatable && (!is_live(&res.live, &target) || target == Target::Unresolved) {
            continue;
        }
        if relocatable && f & flags::UNDEFINED == 0 && !is_live(&res.live, &target) {
            continue;
        }
        global_index[g] = Some(out.symbols.len() as u32);
        out.symbols.push(OutputSymbol { name: sym.name.to_string(), flags: f, kind, target, source });
    }
    if legacy_table.is_some() {
        out.symbols.push(legacy_table_symbol(relocatable));
    }
    for (o, obj) in res.objects.iter().enumerate() {
        for (i, s) in obj.linking.symbols.iter().enumerate() {
            match slots[o][i] {
                Slot::Global(sid) => out.index[o][i] = global_index[sid.0 as usize],
                Slot::Local => {
                    let Some(kind) = Kind::of(&s.kind) else { continue };
                    let target = crate::targets::defined_target(ObjectId(o as u32), obj, SymbolIdx(i as u32));
                    if s.is_undefined() || !is_live(&res.live, &target) {
                        continue;
                    }
                    out.index[o][i] = Some(out.symbols.len() as u32);
                    out.symbols.push(OutputSymbol {
                        name: s.name.to_string(),
                        flags: s.flags,
                        kind,
                        target,
                        source: Some((ObjectId(o as u32), SymbolIdx(i as u32))),
                    });
                }
            }
        }
    }
    for (o, obj) in res.objects.iter().enumerate() {
        for f in &obj.linking.init_funcs {
            let live = matches!(obj.linking.symbols[f.symbol.index()].kind, SymbolKind::Function(_))
                && is_live(&res.live, &res.targets[o][f.symbol.index()]);
            if let (true, Some(i)) = (live, out.index[o][f.symbol.index()]) {
                out.init_funcs.push((f.priority, i));
            }
        }
    }
    out.init_funcs.sort_by_key(|&(p, _)| p);
    out
}
