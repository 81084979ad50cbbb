//! The output's target features, which decide how memory is initialised
//! (`bulk-memory` lets `__wasm_init_memory` zero `.bss` in an imported
//! memory instead of writing it out).

use std::collections::BTreeSet;
use symbol_resolve::Resolution;

/// The features the output may use, as wasm-ld computes them: the
/// `--features=` list when given, else every feature an input uses; plus
/// the `--extra-features=` list. Emit writes this set as the
/// `target_features` section.
pub fn allowed_features<'r>(
    res: &'r Resolution<'_>,
    explicit: Option<&'r [String]>,
    extra: &'r [String],
) -> BTreeSet<&'r str> {
    let mut allowed: BTreeSet<&str> = match explicit {
        Some(list) => list.iter().map(String::as_str).collect(),
        None => {
            res.objects.iter().flat_map(|o| o.features.iter()).filter(|f| f.prefix != b'-').map(|f| f.name).collect()
        }
    };
    allowed.extend(extra.iter().map(String::as_str));
    allowed
}
