//! What a dynamically linked output (`-pie`, `-shared`, shared-library
//! inputs, `--unresolved-symbols=import-dynamic`) leaves to the loader:
//! which symbols are reached through `GOT.mem`/`GOT.func` imports, and
//! which weak undefined symbols the loader may leave unresolved.

use crate::ids::{ObjectId, Target};
use crate::live::Liveness;
use crate::resolve::{Resolver, Slot};
use crate::table::Definition;
use crate::{PicKind, ResolveOptions};

/// Per object, per symbol: whether the symbol is reached through a GOT
/// import, as wasm-ld's `requiresGOTAccess` decides. Defined in a shared
/// library: always. Otherwise only in a dynamic link, for a non-hidden,
/// non-local symbol that is undefined, or defined in a shared-library
/// output (another module may override it) unless `-Bsymbolic`. Empty
/// when nothing in the link is dynamic.
pub(crate) fn got_imported(r: &Resolver<'_>, opts: &ResolveOptions) -> Vec<Vec<bool>> {
    if !opts.dynamic_undefined() && r.shared_libraries.is_empty() {
        return Vec::new();
    }
    let preemptible_definitions = opts.pic == Some(PicKind::Shared) && !opts.bsymbolic;
    r.objects
        .iter()
        .enumerate()
        .map(|(o, obj)| {
            obj.linking
                .symbols
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    // Only addresses and slots go through the GOT.
                    let addressable =
                        matches!(s.kind, object_parse::SymbolKind::Function(_) | object_parse::SymbolKind::Data(_));
                    let Slot::Global(sid) = r.slots[o][i] else { return false };
                    if !addressable {
                        return false;
                    }
                    let (hidden, defined) = match &r.table.get(sid).def {
                        Definition::Shared { .. } => return true,
                        Definition::Object { obj: d, sym, .. } => {
                            (r.objects[d.0 as usize].linking.symbols[sym.index()].is_hidden(), true)
                        }
                        Definition::Linker(_) => (true, true),
                        Definition::None | Definition::Lazy { .. } => (s.is_hidden(), false),
                    };
                    opts.dynamic_undefined() && !hidden && !s.is_local() && (!defined || preemptible_definitions)
                })
                .collect()
        })
        .collect()
}

/// The weak undefined symbols of live objects that the dynamic loader may
/// leave unresolved, in symbol-table order: (import module, field, flags),
/// for `dylink.0`'s import info.
pub(crate) fn weak_imports(
    r: &Resolver<'_>,
    targets: &[Vec<Target>],
    live: &Liveness,
    opts: &ResolveOptions,
) -> Vec<(String, String, u32)> {
    if !opts.dynamic_undefined() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for sym in &r.table.symbols {
        if !matches!(sym.def, Definition::None) || sym.strong_ref {
            continue;
        }
        let Some((ObjectId(o), i)) = sym.first_ref else { continue };
        let (o, i) = (o as usize, i as usize);
        if !live.objects.get(o).copied().unwrap_or(false) || matches!(targets[o][i], Target::Unresolved) {
            continue;
        }
        let s = &r.objects[o].linking.symbols[i];
        let (module, field) = match r.objects[o].symbol_import(s) {
            Some(imp) => (imp.module.to_string(), imp.field.to_string()),
            None => ("env".to_string(), sym.name.to_string()),
        };
        out.push((module, field, s.flags));
    }
    out
}
