//! The resolver's state after selection: the linked objects in link order,
//! each object symbol's slot, the global symbol table, and what COMDAT
//! groups dropped; plus `--wrap`, which rewrites slots.

use crate::error::ResolveWarning;
use crate::select::Selection;
pub use crate::select::Slot;
use crate::table::SymbolTable;
use object_parse::{ComdatKind, ObjectFile};
use rustc_hash::FxHashSet;
use std::collections::HashSet;

/// The resolver's working state; see [`crate::run`].
pub struct Resolver<'a> {
    pub(crate) objects: Vec<ObjectFile<'a>>,
    pub(crate) slots: Vec<Vec<Slot>>,
    pub(crate) table: SymbolTable<'a>,
    /// Per object: items dropped because another object won their COMDAT.
    pub(crate) discarded: Vec<FxHashSet<(ComdatKind, u32)>>,
    /// Per object: it came from an archive (lazily extracted).
    pub(crate) from_archive: Vec<bool>,
    /// `--shared-memory`: the linker defines `__wasm_init_tls`.
    pub(crate) shared_memory: bool,
    /// `-pie` / `-shared`: the stack pointer and the memory and table bases
    /// are imports, and the linker defines no memory layout symbols.
    pub(crate) pic: Option<crate::PicKind>,
    /// The shared libraries linked against.
    pub(crate) shared_libraries: Vec<object_parse::SharedLibrary<'a>>,
    /// Warnings found while adding inputs.
    pub(crate) warnings: Vec<ResolveWarning>,
    /// Undefined symbols a stub library provides: imported.
    pub(crate) stub_imports: HashSet<crate::ids::SymbolId>,
    /// Symbols a stub library's provided symbols need: exported (and so
    /// live).
    pub(crate) stub_exports: std::collections::BTreeSet<crate::ids::SymbolId>,
}

impl<'a> Resolver<'a> {
    /// The state for `selection`'s objects, parsed in full (`objects`, in
    /// link order): the COMDAT items each object lost are looked up in the
    /// object's COMDAT info. The selection's warnings are its caller's to
    /// report.
    pub(crate) fn new(selection: Selection<'a>, objects: Vec<ObjectFile<'a>>) -> Self {
        use rayon::prelude::*;
        let discarded = objects
            .par_iter()
            .zip(&selection.kept_comdats)
            .map(|(o, kept)| {
                o.linking
                    .comdats
                    .iter()
                    .zip(kept)
                    .filter(|(_, kept)| !**kept)
                    .flat_map(|(c, _)| c.members.iter().copied())
                    .collect()
            })
            .collect();
        Resolver {
            objects,
            slots: selection.slots,
            table: selection.table,
            discarded,
            from_archive: selection.from_archive,
            shared_memory: false,
            pic: None,
            shared_libraries: selection.shared_libraries,
            warnings: Vec::new(),
            stub_imports: selection.stub_imports,
            stub_exports: selection.stub_exports,
        }
    }

    /// `--wrap`: every object's references to NAME now name `__wrap_NAME`,
    /// and references to `__real_NAME` name NAME (wasm-ld's semantics: the
    /// defining object's own references are wrapped too).
    pub(crate) fn wrap_symbols(&mut self, names: &[String]) {
        let mut map = std::collections::HashMap::new();
        for name in names {
            let Some(sym) = self.table.find(name) else { continue };
            // As in wasm-ld, `__wrap_NAME` exists from now on: if nothing
            // defines it, the references that go to it are undefined (an
            // error, or an import with --allow-undefined).
            let wrap_name = format!("__wrap_{name}");
            let wrap = match self.table.find(&wrap_name) {
                Some(wrap) => wrap,
                None => {
                    // Command-line names live as long as the link.
                    let wrap = self.table.intern(Box::leak(wrap_name.into_boxed_str()));
                    let kind = self.table.get(sym).kind;
                    let w = self.table.get_mut(wrap);
                    w.kind = kind;
                    w.strong_ref = true;
                    wrap
                }
            };
            map.insert(sym, wrap);
            if let Some(real) = self.table.find(&format!("__real_{name}")) {
                map.insert(real, sym);
            }
        }
        if map.is_empty() {
            return;
        }
        for slots in self.slots.iter_mut() {
            for slot in slots.iter_mut() {
                if let Slot::Global(sid) = slot {
                    if let Some(&to) = map.get(sid) {
                        *sid = to;
                    }
                }
            }
        }
    }
}
