//! Building the global symbol table from the inputs in command-line order,
//! extracting archive members on demand (in parallel rounds), and applying
//! COMDAT first-wins.

use crate::error::{DefinedBy, SymbolError};
use crate::ids::ObjectId;
use crate::table::{ArchiveId, Definition, Kind, SymbolTable};
use object_parse::{
    parse_member, ComdatKind, Input, LazyArchive, MemberContent, MemberIndex, ObjectFile, ObjectSet, ParseError,
    SymbolIdx, SymbolKind,
};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// How one object symbol takes part in global resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Local symbol (or section symbol): resolves within its object.
    Local,
    /// Global symbol: resolves through the table.
    Global(crate::ids::SymbolId),
}

struct ArchiveState<'a> {
    path: &'a str,
    archive: object_parse::Archive<'a>,
    requested: Vec<bool>,
}

/// The resolver's working state; see [`crate::run`].
pub struct Resolver<'a> {
    pub(crate) objects: Vec<ObjectFile<'a>>,
    pub(crate) slots: Vec<Vec<Slot>>,
    pub(crate) table: SymbolTable<'a>,
    /// Per object: items dropped because another object won their COMDAT.
    pub(crate) discarded: Vec<HashSet<(ComdatKind, u32)>>,
    /// Per object: it came from an archive (lazily extracted).
    pub(crate) from_archive: Vec<bool>,
    comdat_owner: HashMap<&'a str, ObjectId>,
    archives: Vec<ArchiveState<'a>>,
    pending: Vec<(ArchiveId, MemberIndex)>,
    pub(crate) errors: Vec<SymbolError>,
    /// `--allow-multiple-definition`.
    pub(crate) allow_multiple_definition: bool,
    /// `--noinhibit-exec`: duplicate definitions are warnings.
    pub(crate) noinhibit_exec: bool,
    /// `--shared-memory`: the linker defines `__wasm_init_tls`.
    pub(crate) shared_memory: bool,
    /// Warnings found while adding inputs.
    pub(crate) warnings: Vec<crate::error::ResolveWarning>,
    /// The `#STUB` libraries, in command-line order.
    stub_libraries: Vec<object_parse::StubLibrary<'a>>,
    /// Undefined symbols a stub library provides: imported.
    pub(crate) stub_imports: HashSet<crate::ids::SymbolId>,
    /// Symbols a stub library's provided symbols need: exported (and so
    /// live).
    pub(crate) stub_exports: std::collections::BTreeSet<crate::ids::SymbolId>,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new() -> Self {
        Resolver {
            objects: Vec::new(),
            slots: Vec::new(),
            table: SymbolTable::default(),
            discarded: Vec::new(),
            from_archive: Vec::new(),
            comdat_owner: HashMap::new(),
            archives: Vec::new(),
            pending: Vec::new(),
            errors: Vec::new(),
            allow_multiple_definition: false,
            noinhibit_exec: false,
            shared_memory: false,
            warnings: Vec::new(),
            stub_libraries: Vec::new(),
            stub_imports: HashSet::new(),
            stub_exports: std::collections::BTreeSet::new(),
        }
    }

    /// Adds a strong reference from the command line (`-u NAME`): extracts
    /// the archive member defining it, like an undefined symbol would.
    pub(crate) fn add_forced_undefined(&mut self, name: &'a str) -> Result<(), ParseError> {
        let Some(sid) = self.table.find(name) else { return Ok(()) };
        let entry = self.table.get_mut(sid);
        if let Definition::Lazy { archive, member } = entry.def {
            self.request(archive, member);
        }
        self.drain_pending()
    }

    /// Applies the stub libraries, as wasm-ld does once all inputs are in:
    /// each strongly referenced, undefined symbol a stub library lists (the
    /// first library listing it wins) becomes an import, and the symbols it
    /// depends on are exported, extracting the archive members that define
    /// them, until nothing changes. A dependency nothing defines is an error.
    pub(crate) fn apply_stub_libraries(&mut self) -> Result<(), ParseError> {
        let libraries = std::mem::take(&mut self.stub_libraries);
        loop {
            let mut extracted = false;
            for lib in &libraries {
                for (name, deps) in &lib.symbols {
                    let Some(sid) = self.table.find(name) else { continue };
                    let sym = self.table.get(sid);
                    if !matches!(sym.def, Definition::None) || !sym.strong_ref || !self.stub_imports.insert(sid) {
                        continue;
                    }
                    for dep in deps {
                        match self.table.find(dep).map(|d| (d, &self.table.get(d).def)) {
                            None | Some((_, Definition::None)) => self.errors.push(SymbolError::StubDependency {
                                file: lib.path.to_string(),
                                dependency: dep.to_string(),
                                required_by: name.to_string(),
                            }),
                            Some((d, def)) => {
                                extracted |= matches!(def, Definition::Lazy { .. });
                                self.stub_exports.insert(d);
                                self.add_forced_undefined(dep)?;
                            }
                        }
                    }
                }
            }
            if !extracted {
                return Ok(());
            }
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

    /// Adds every input in order, extracting archive members as needed.
    pub(crate) fn add_inputs(&mut self, set: ObjectSet<'a>) -> Result<(), ParseError> {
        for input in set.inputs {
            match input {
                Input::Object(o) => self.add_object(*o, false),
                Input::Archive(a) => self.add_archive(a)?,
                Input::Stub(stub) => self.stub_libraries.push(stub),
            }
            self.drain_pending()?;
        }
        Ok(())
    }

    fn add_archive(&mut self, lazy: LazyArchive<'a>) -> Result<(), ParseError> {
        let id = ArchiveId(self.archives.len() as u32);
        let n = lazy.archive.members.len();
        let mut state = ArchiveState { path: lazy.path, archive: lazy.archive, requested: vec![false; n] };
        let index: Vec<(&'a str, MemberIndex)> = match state.archive.symbol_index.take() {
            Some(ix) => ix,
            None => {
                // No index: read just the symbol tables of all members (in
                // parallel); members are parsed in full only when extracted.
                let path = state.path;
                let lists = state
                    .archive
                    .members
                    .par_iter()
                    .map(|m| {
                        if !m.data.starts_with(b"\0asm") {
                            return Err(object_parse::RawError::new(0, object_parse::ParseErrorKind::MemberNotWasm)
                                .in_file(&object_parse::member_display_name(path, &m.name)));
                        }
                        object_parse::linking::defined_symbol_names(m.data)
                            .map_err(|e| e.in_file(&object_parse::member_display_name(path, &m.name)))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                lists
                    .into_iter()
                    .enumerate()
                    .flat_map(|(i, names)| names.into_iter().map(move |n| (n, MemberIndex(i as u32))))
                    .collect()
            }
        };
        self.archives.push(state);
        for (name, member) in index {
            let sid = self.table.intern(name);
            let sym = self.table.get_mut(sid);
            if sym.def == Definition::None {
                sym.def = Definition::Lazy { archive: id, member };
                if sym.strong_ref {
                    self.request(id, member);
                }
            }
        }
        Ok(())
    }

    fn request(&mut self, archive: ArchiveId, member: MemberIndex) {
        let a = &mut self.archives[archive.0 as usize];
        if let Some(r) = a.requested.get_mut(member.0 as usize) {
            if !*r {
                *r = true;
                self.pending.push((archive, member));
            }
        }
    }

    /// Extracts requested members, round by round: each round's members are
    /// parsed in parallel, then added in request order.
    fn drain_pending(&mut self) -> Result<(), ParseError> {
        while !self.pending.is_empty() {
            let round = std::mem::take(&mut self.pending);
            let archives = &self.archives;
            let parsed = round
                .par_iter()
                .map(|&(a, m)| {
                    let st = &archives[a.0 as usize];
                    match st.archive.members.get(m.0 as usize) {
                        Some(member) => parse_member(st.path, member),
                        None => Ok(MemberContent::NotRelocatable),
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            for p in parsed {
                if let MemberContent::Object(o) = p {
                    self.add_object(*o, true);
                }
            }
        }
        Ok(())
    }

    /// Adds one object's symbols to the table.
    pub(crate) fn add_object(&mut self, obj: ObjectFile<'a>, from_archive: bool) {
        let oid = ObjectId(self.objects.len() as u32);
        // COMDAT first-wins.
        let mut discarded = HashSet::new();
        for c in &obj.linking.comdats {
            match self.comdat_owner.get(c.name) {
                Some(&owner) if owner != oid => discarded.extend(c.members.iter().copied()),
                _ => {
                    self.comdat_owner.insert(c.name, oid);
                }
            }
        }
        let mut slots = Vec::with_capacity(obj.linking.symbols.len());
        for (i, s) in obj.linking.symbols.iter().enumerate() {
            let Some(kind) = Kind::of(&s.kind) else {
                slots.push(Slot::Local);
                continue;
            };
            if s.is_local() {
                slots.push(Slot::Local);
                continue;
            }
            let sid = self.table.intern(s.name);
            slots.push(Slot::Global(sid));
            let is_discarded = !s.is_undefined() && is_in_discarded(&obj, &s.kind, &discarded);
            let entry = self.table.get_mut(sid);
            if let Some(k) = entry.kind {
                if k != kind && !matches!(entry.def, Definition::Lazy { .. }) {
                    let other = describe_def(&self.objects, &obj.name, &entry.def, entry.first_ref);
                    self.errors.push(SymbolError::TypeMismatch {
                        name: s.name.to_string(),
                        first_kind: k,
                        first_file: other,
                        second_kind: kind,
                        second_file: obj.name.clone(),
                    });
                    continue;
                }
            }
            entry.kind = Some(kind);
            if s.is_undefined() || is_discarded {
                if entry.first_ref.is_none() {
                    entry.first_ref = Some((oid, i as u32));
                }
                if s.is_undefined() && !s.is_weak() {
                    entry.strong_ref = true;
                    if let Definition::Lazy { archive, member } = entry.def {
                        self.request(archive, member);
                    }
                }
                continue;
            }
            let new_weak = s.is_weak();
            let entry = self.table.get_mut(sid);
            match entry.def {
                Definition::None | Definition::Lazy { .. } => {
                    entry.def = Definition::Object { obj: oid, sym: SymbolIdx(i as u32), weak: new_weak };
                }
                Definition::Object { obj: old, weak: old_weak, .. } => {
                    if old_weak && !new_weak {
                        entry.def = Definition::Object { obj: oid, sym: SymbolIdx(i as u32), weak: false };
                    } else if !old_weak && !new_weak && !self.allow_multiple_definition {
                        let old_name =
                            if old == oid { obj.name.clone() } else { self.objects[old.0 as usize].name.clone() };
                        let duplicate = SymbolError::Duplicate {
                            name: s.name.to_string(),
                            first: DefinedBy::File(old_name),
                            second: obj.name.clone(),
                        };
                        if self.noinhibit_exec {
                            // wasm-ld warns, then lets the later definition replace
                            // the earlier one.
                            self.warnings.push(crate::error::ResolveWarning::Tolerated(duplicate));
                            entry.def = Definition::Object { obj: oid, sym: SymbolIdx(i as u32), weak: false };
                        } else {
                            self.errors.push(duplicate);
                        }
                    }
                }
                Definition::Linker(_) => {
                    if !new_weak {
                        self.errors.push(SymbolError::Duplicate {
                            name: s.name.to_string(),
                            first: DefinedBy::Linker,
                            second: obj.name.clone(),
                        });
                    }
                }
            }
        }
        self.objects.push(obj);
        self.slots.push(slots);
        self.discarded.push(discarded);
        self.from_archive.push(from_archive);
    }
}

fn is_in_discarded(obj: &ObjectFile<'_>, kind: &SymbolKind, discarded: &HashSet<(ComdatKind, u32)>) -> bool {
    if discarded.is_empty() {
        return false;
    }
    match *kind {
        SymbolKind::Function(i) => {
            obj.defined_function(i).is_some_and(|d| discarded.contains(&(ComdatKind::Function, d.0)))
        }
        SymbolKind::Data(Some(d)) => discarded.contains(&(ComdatKind::Data, d.segment.0)),
        SymbolKind::Global(i) => discarded.contains(&(ComdatKind::Global, i.wrapping_sub(obj.num_imported_globals))),
        SymbolKind::Tag(i) => discarded.contains(&(ComdatKind::Tag, i.wrapping_sub(obj.num_imported_tags))),
        SymbolKind::Table(i) => discarded.contains(&(ComdatKind::Table, i.wrapping_sub(obj.num_imported_tables))),
        _ => false,
    }
}

/// The file that defines (or first referenced) a symbol; `current` names the
/// object being added, which is not in `objects` yet.
fn describe_def(
    objects: &[ObjectFile<'_>],
    current: &str,
    def: &Definition,
    first_ref: Option<(ObjectId, u32)>,
) -> String {
    let name = |o: ObjectId| objects.get(o.0 as usize).map_or_else(|| current.to_string(), |f| f.name.clone());
    match def {
        Definition::Object { obj, .. } => name(*obj),
        Definition::Linker(_) => "<linker>".into(),
        _ => first_ref.map(|(o, _)| name(o)).unwrap_or_default(),
    }
}
