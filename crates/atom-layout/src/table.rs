//! Indirect function table slots.

use std::collections::HashMap;
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
}

impl TablePlan {
    /// Table size: base plus entries.
    pub fn size(&self) -> u32 {
        self.base + self.slots.len() as u32
    }
}

pub(crate) fn assign_slots(res: &Resolution<'_>, base: u32, growable: bool) -> TablePlan {
    let mut plan = TablePlan { base: base.max(1), growable, ..Default::default() };
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
    for (o, obj) in res.objects.iter().enumerate() {
        let targets = &res.targets[o];
        for (i, f) in obj.functions.iter().enumerate() {
            if !res.live.functions[o][i] {
                continue;
            }
            for r in &obj.code_relocs[f.relocs.clone()] {
                if r.ty.is_table_index() {
                    add(&targets[r.index as usize], &mut plan);
                }
            }
        }
        for (i, s) in obj.segments.iter().enumerate() {
            if !res.live.segments[o][i] {
                continue;
            }
            for r in &obj.data_relocs[s.relocs.clone()] {
                if r.ty.is_table_index() {
                    add(&targets[r.index as usize], &mut plan);
                }
            }
        }
    }
    plan
}
