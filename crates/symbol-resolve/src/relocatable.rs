//! What relocatable output (`-r`) changes in resolution: the linker defines
//! none of its symbols but the indirect function table, which stays an
//! import of the output, as wasm-ld's `-r` does.

use crate::ids::{TableRef, Target};
use crate::resolve::Resolver;
use crate::table::{Definition, Kind};

/// Name of the indirect function table.
const INDIRECT_FUNCTION_TABLE: &str = "__indirect_function_table";

/// Resolves a reference to `__indirect_function_table` to the output's
/// table (imported, see section-merge); every other name the linker would
/// define stays undefined.
pub(crate) fn define_linker_symbols(r: &mut Resolver<'_>) {
    let Some(sid) = r.table.find(INDIRECT_FUNCTION_TABLE) else { return };
    let sym = r.table.get_mut(sid);
    if sym.kind == Some(Kind::Table) && matches!(sym.def, Definition::None | Definition::Lazy { .. }) {
        sym.def = Definition::Linker(Target::Table(TableRef::IndirectFunctionTable));
    }
}
