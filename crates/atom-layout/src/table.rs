//! Indirect function table slots.

use object_parse::RelocType;
use std::collections::{HashMap, HashSet};
use symbol_resolve::{FuncRef, RelocTypeExt, Resolution, SyntheticFunc, Target};

/// Slots of `__indirect_function_table`: slot 0 is null; function `slots[i]`
/// sits in slot `base + i`.
#[derive(Debug, Clone, Default)]
pub struct TablePlan {
    /// First used slot (1, or `--table-base`).
    pub base: u32,
    /// `--growable-table`: no maximum size.
    pub growable: bool,
    /// Functions in slot order.
    pub slots: Vec<FuncRef>,
    /// Slot of each address-taken function.
    pub slot_of: HashMap<FuncRef, u32>,
    /// GOT entries, for position-independent objects in a static link: the
    /// functions and data whose table slot or address an immutable global
    /// holds (`GLOBAL_INDEX` relocations against non-global symbols), in
    /// wasm-ld's scan order (a function's slot is taken at that point).
    pub got: Vec<GotEntry>,
}

/// One GOT entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GotEntry {
    /// The function or data it holds the slot or address of.
    pub target: Target,
    /// The symbol's name (the entry is `GOT.func.internal.NAME` or
    /// `GOT.data.internal.NAME` in the name section).
    pub name: String,
}

impl TablePlan {
    /// Table size: base plus entries.
    pub fn size(&self) -> u32 {
        self.base + self.slots.len() as u32
    }
}

/// Assigns table slots and GOT entries in one scan of the live relocations,
/// per object: functions, then data segments (wasm-ld's order).
pub(crate) fn assign_slots(res: &Resolution<'_>, base: u32, growable: bool) -> TablePlan {
    let mut plan = TablePlan { base: base.max(1), growable, ..Default::default() };
    let mut in_got: HashSet<Target> = HashSet::new();
    let add = |t: &Target, plan: &mut TablePlan| {
        if let Target::Function(f) = t {
            if let FuncRef::Synthetic(SyntheticFunc::Stub(id)) = f {
                if res.stubs[id.0 as usize].kind.is_null_in_table() {
                    return;
                }
            }
            if !plan.slot_of.contains_key(f) {
                plan.slot_of.insert(*f, plan.base + plan.slots.len() as u32);
                plan.slots.push(*f);
            }
        }
    };
    let scan = |r: &object_parse::Reloc,
                obj: &object_parse::ObjectFile<'_>,
                target: &Target,
                plan: &mut TablePlan,
                in_got: &mut HashSet<Target>| {
        if r.ty.is_table_index() {
            add(target, plan);
        } else if matches!(r.ty, RelocType::GlobalIndexLeb | RelocType::GlobalIndexI32)
            && matches!(target, Target::Function(_) | Target::Data(_))
            && in_got.insert(target.clone())
        {
            add(target, plan);
            let name = obj.linking.symbols.get(r.index as usize).map_or("", |s| s.name).to_string();
            plan.got.push(GotEntry { target: target.clone(), name });
        }
    };
    for (o, obj) in res.objects.iter().enumerate() {
        let targets = &res.targets[o];
        for (i, f) in obj.functions.iter().enumerate() {
            if !res.live.functions[o][i] {
                continue;
            }
            for r in &obj.code_relocs[f.relocs.clone()] {
                scan(r, obj, &targets[r.index as usize], &mut plan, &mut in_got);
            }
        }
        for (i, s) in obj.segments.iter().enumerate() {
            if !res.live.segments[o][i] {
                continue;
            }
            for r in &obj.data_relocs[s.relocs.clone()] {
                scan(r, obj, &targets[r.index as usize], &mut plan, &mut in_got);
            }
        }
    }
    plan
}
