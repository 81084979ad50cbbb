//! Stable, human-readable text dump of the type stage's output, for
//! snapshot tests (`cargo xtask snapshot`) and debugging.
//!
//! The type table refers to objects by index, so the dump takes the
//! [`Resolution`] too, for names; the per-object type maps are listed for the
//! checkout's objects (the test data) only.

use crate::TypeTable;
use std::fmt::Write as _;
use symbol_resolve::dump::Names;
use symbol_resolve::{ObjectId, Resolution};

/// `label: a b c ...` in rows of 20 numbers, each row starting with the
/// position of its first number.
fn rows(s: &mut String, label: &str, v: &[u32]) {
    let _ = writeln!(s, "{label} ({}):", v.len());
    for (r, chunk) in v.chunks(20).enumerate() {
        let nums: Vec<String> = chunk.iter().map(|n| n.to_string()).collect();
        let _ = writeln!(s, "  [{}] {}", r * 20, nums.join(" "));
    }
}

/// The whole type stage output.
pub fn dump_types(types: &TypeTable, res: &Resolution<'_>) -> String {
    let names = Names::new(res);
    let mut s = String::new();
    let count = |v: &[u32], t: usize| v.iter().filter(|&&x| x as usize == t).count();
    let _ = writeln!(s, "types ({}):", types.types.len());
    for (i, t) in types.types.iter().enumerate() {
        let mut uses = Vec::new();
        for (what, v) in [
            ("defined functions", &types.function_types),
            ("imported functions", &types.import_function_types),
            ("tags", &types.tag_types),
        ] {
            let n = count(v, i);
            if n > 0 {
                uses.push(format!("{what} {n}"));
            }
        }
        let uses =
            if uses.is_empty() { "no function uses it (call_indirect only)".to_string() } else { uses.join(", ") };
        let _ = writeln!(s, "  {i}: {t}  -- {uses}");
    }
    rows(&mut s, "defined function types", &types.function_types);
    rows(&mut s, "imported function types", &types.import_function_types);
    rows(&mut s, "tag types", &types.tag_types);
    let _ = writeln!(s, "input type maps (test objects):");
    let mut library = 0usize;
    for (o, map) in types.object_types.iter().enumerate() {
        let id = ObjectId(o as u32);
        if names.is_library(id) {
            library += 1;
            continue;
        }
        let entries: Vec<String> = map
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{i}->{}", t.map(|t| t.to_string()).unwrap_or_else(|| "-".into())))
            .collect();
        let _ =
            writeln!(s, "  {}: {}", names.object(id), if entries.is_empty() { "-".into() } else { entries.join(" ") });
    }
    let _ = writeln!(s, "  ({library} library objects not listed)");
    s
}
