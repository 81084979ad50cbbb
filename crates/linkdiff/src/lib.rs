//! # linkdiff: what differs between two linked modules
//!
//! Reads two linked modules (wasmlink's and wasm-ld's, for the same link
//! line) into [`Module`]s: every index space in order with names from the
//! `name` section, data segments with their addresses, table slots,
//! exports, the section order, and the `producers` and `target_features`
//! contents. [`diff`] lists every difference, section by section and
//! entity by entity, in the spirit of wild's linker-diff: "function 17:
//! `foo` vs `bar`", "data segment .rodata: address 1024 vs 1040".
//!
//! Used by `cargo xtask diff` (one link line) and by the `linkdiff` test
//! of the `wasmlink` crate (every test program).

mod read;

pub use read::{read_module, ReadError};

use std::fmt;

/// A function of the module (imports first, as in the index space).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// From the `name` section (`func[N]` without one), or `module.field`
    /// for an import without a name.
    pub name: String,
    /// `import module.field` or the body size in bytes.
    pub what: String,
    /// The signature, as text.
    pub signature: String,
}

/// A data segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// From the `name` section.
    pub name: String,
    /// Its address (`i32.const`/`i64.const` offset), `None` if passive or
    /// computed.
    pub address: Option<i64>,
    /// Size in bytes.
    pub size: usize,
}

/// Everything [`diff`] compares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Module {
    /// Section names (`type`, `import`, ..., custom sections by name), in
    /// order, with sizes.
    pub sections: Vec<(String, usize)>,
    /// Function types in type index order (`params -> results`): the order
    /// call_indirect and the function section refer to them by.
    pub types: Vec<String>,
    /// Imports in order: `module.field kind`.
    pub imports: Vec<String>,
    /// Functions in index order.
    pub functions: Vec<Function>,
    /// Globals in index order: name, type and initial value.
    pub globals: Vec<String>,
    /// Tables: limits and element type.
    pub tables: Vec<String>,
    /// Memories: limits.
    pub memories: Vec<String>,
    /// Tags in index order: name and signature.
    pub tags: Vec<String>,
    /// Exports in order: `name kind target-name`.
    pub exports: Vec<String>,
    /// The start function's name.
    pub start: Option<String>,
    /// Table slots: `table[slot] = function name`.
    pub table_slots: Vec<(u64, String)>,
    /// Data segments in order.
    pub segments: Vec<Segment>,
    /// The `producers` section, as `field: name version` lines.
    pub producers: Vec<String>,
    /// The `target_features` section, as `+name` / `-name`.
    pub target_features: Vec<String>,
}

/// One difference: where (`function 17`, `data segment 2`, `sections`) and
/// what (the two values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The entity class: `section`, `import`, `function`, `global`, `table`,
    /// `memory`, `tag`, `export`, `start`, `table slot`, `data segment`,
    /// `producers`, `target_features`.
    pub class: &'static str,
    /// Which one: an index or a name.
    pub which: String,
    /// The first module's value (`-` when it has none).
    pub left: String,
    /// The second module's value (`-` when it has none).
    pub right: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {} | {}", self.class, self.which, self.left, self.right)
    }
}

/// Compares two modules; `left` is usually the reference (wasm-ld).
pub fn diff(left: &Module, right: &Module) -> Vec<Difference> {
    let mut out = Vec::new();
    let section = |(n, s): &(String, usize)| format!("{n} ({s} bytes)");
    let names = |v: &[(String, usize)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    compare(&mut out, "section order", &names(&left.sections), &names(&right.sections), |s| s.clone());
    compare(&mut out, "section", &left.sections, &right.sections, section);
    compare(&mut out, "type", &left.types, &right.types, |s| s.clone());
    compare(&mut out, "import", &left.imports, &right.imports, |s| s.clone());
    let func = |f: &Function| format!("{} {} [{}]", f.name, f.signature, f.what);
    compare(&mut out, "function", &left.functions, &right.functions, func);
    compare(&mut out, "global", &left.globals, &right.globals, |s| s.clone());
    compare(&mut out, "table", &left.tables, &right.tables, |s| s.clone());
    compare(&mut out, "memory", &left.memories, &right.memories, |s| s.clone());
    compare(&mut out, "tag", &left.tags, &right.tags, |s| s.clone());
    compare(&mut out, "export", &left.exports, &right.exports, |s| s.clone());
    let start = |s: &Option<String>| s.iter().cloned().collect::<Vec<_>>();
    compare(&mut out, "start", &start(&left.start), &start(&right.start), |s| s.clone());
    compare(&mut out, "table slot", &left.table_slots, &right.table_slots, |(i, n)| format!("[{i}] {n}"));
    let seg = |s: &Segment| {
        let at = s.address.map_or("passive".to_string(), |a| format!("@{a}"));
        format!("{} {at} size {}", s.name, s.size)
    };
    compare(&mut out, "data segment", &left.segments, &right.segments, seg);
    compare(&mut out, "producers", &left.producers, &right.producers, |s| s.clone());
    compare(&mut out, "target_features", &left.target_features, &right.target_features, |s| s.clone());
    out
}

/// Compares two lists position by position (and their lengths).
fn compare<T: PartialEq>(
    out: &mut Vec<Difference>,
    class: &'static str,
    left: &[T],
    right: &[T],
    show: impl Fn(&T) -> String,
) {
    for i in 0..left.len().max(right.len()) {
        let (l, r) = (left.get(i), right.get(i));
        if l != r {
            out.push(Difference {
                class,
                which: i.to_string(),
                left: l.map_or("-".into(), &show),
                right: r.map_or("-".into(), &show),
            });
        }
    }
}

/// Groups differences by class for a summary line: `function: 3, global: 1`.
pub fn summary(diffs: &[Difference]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for d in diffs {
        match counts.iter_mut().find(|(c, _)| *c == d.class) {
            Some((_, n)) => *n += 1,
            None => counts.push((d.class, 1)),
        }
    }
    counts.iter().map(|(c, n)| format!("{c}: {n}")).collect::<Vec<_>>().join(", ")
}
