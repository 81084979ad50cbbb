//! Indirect function table slots.

use object_parse::RelocType;
use rustc_hash::FxHashMap;
use std::collections::HashSet;
use symbol_resolve::{FuncRef, ObjectId, RelocTypeExt, Resolution, SyntheticFunc, Target};

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
    pub slot_of: FxHashMap<FuncRef, u32>,
    /// GOT entries the module defines itself: the functions and data whose
    /// table slot or address a global holds (`GLOBAL_INDEX` relocations
    /// against non-global symbols), in wasm-ld's scan order (a function's
    /// slot is taken at that point). Immutable in a static link; in
    /// position-independent output set at start by
    /// `__wasm_apply_global_relocs`.
    pub got: Vec<GotEntry>,
    /// GOT entries the dynamic loader provides (`GOT.mem.NAME`,
    /// `GOT.func.NAME` imports): for symbols only known at run time, in
    /// scan order.
    pub got_imports: Vec<GotImport>,
}

/// One imported GOT entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GotImport {
    /// The symbol's name (the import's field).
    pub name: String,
    /// A function's slot (`GOT.func`) rather than a data address
    /// (`GOT.mem`).
    pub function: bool,
}

/// One GOT entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GotEntry {
    /// The function or data it holds the slot or address of.
    pub target: Target,
    /// The symbol's name (the entry is `GOT.func.internal.NAME` or
    /// `GOT.data.internal.NAME` in the name section).
    pub name: String,
    /// A thread-local symbol: with shared memory the entry holds an offset
    /// from `__tls_base` until `__wasm_apply_global_tls_relocs` (run by
    /// `__wasm_init_tls`) adds the thread's base.
    pub tls: bool,
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
    let pic = res.pic.is_some();
    let mut plan = TablePlan { base: if pic { 0 } else { base.max(1) }, growable, ..Default::default() };
    let mut in_got: HashSet<Target> = HashSet::new();
    let mut imported: HashSet<String> = HashSet::new();
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
    let mut scan = |o: usize, r: &object_parse::Reloc, plan: &mut TablePlan| {
        // Only these kinds can take a slot, a GOT entry or a GOT import;
        // the others (calls, most addresses) are passed over at once.
        let may_need_slot = r.ty.is_table_index()
            || matches!(
                r.ty,
                RelocType::GlobalIndexLeb
                    | RelocType::GlobalIndexI32
                    | RelocType::MemoryAddrI32
                    | RelocType::MemoryAddrI64
            );
        if !may_need_slot {
            return;
        }
        let obj = &res.objects[o];
        let target = &res.targets[o][r.index as usize];
        let sym = obj.linking.symbols.get(r.index as usize);
        let name = || sym.map_or("", |s| s.name).to_string();
        let dynamic = r.ty != RelocType::TypeIndexLeb && res.is_got_imported(ObjectId(o as u32), r.index);
        let mut import_got = |plan: &mut TablePlan| {
            if imported.insert(name()) {
                let function = sym.is_some_and(|s| matches!(s.kind, object_parse::SymbolKind::Function(_)));
                plan.got_imports.push(GotImport { name: name(), function });
            }
        };
        if r.ty.is_table_index() {
            if dynamic {
                // The loader gives the slot, through the GOT.
                if matches!(r.ty, RelocType::TableIndexI32 | RelocType::TableIndexI64) {
                    import_got(plan);
                }
            } else {
                add(target, plan);
            }
        } else if matches!(r.ty, RelocType::GlobalIndexLeb | RelocType::GlobalIndexI32)
            && (dynamic || matches!(target, Target::Function(_) | Target::Data(_)))
        {
            if dynamic {
                import_got(plan);
            } else if in_got.insert(target.clone()) {
                add(target, plan);
                let tls = sym.is_some_and(|s| s.flags & object_parse::flags::TLS != 0);
                plan.got.push(GotEntry { target: target.clone(), name: name(), tls });
            }
        } else if dynamic && matches!(r.ty, RelocType::MemoryAddrI32 | RelocType::MemoryAddrI64) {
            // Applied at start from the GOT entry (`__wasm_apply_data_relocs`).
            import_got(plan);
        }
    };
    for (o, obj) in res.objects.iter().enumerate() {
        for (i, f) in obj.functions.iter().enumerate() {
            if !res.live.functions[o][i] {
                continue;
            }
            for r in &obj.code_relocs[f.relocs.clone()] {
                scan(o, r, &mut plan);
            }
        }
        for (i, s) in obj.segments.iter().enumerate() {
            if !res.live.segments[o][i] {
                continue;
            }
            for r in &obj.data_relocs[s.relocs.clone()] {
                scan(o, r, &mut plan);
            }
        }
    }
    plan
}
