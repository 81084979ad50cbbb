//! Which objects take part in the link, and in which order: wasm-ld's
//! algorithm, run on symbol summaries only (no code or data is read).
//!
//! wasm-ld adds the inputs in command-line order. An archive member's
//! defined symbols become *lazy* entries of the symbol table; a strong
//! undefined reference to a lazy symbol extracts its member at once, and
//! the member's own references extract further members before the rest of
//! the referencing object is read (depth first). A file joins the link
//! order when it has been read completely, so extracted members land
//! before the object that pulled them in (post-order). After the files
//! come the `-u` names, the `--export` names, the entry and
//! `__wasm_call_dtors`, then the stub libraries. Since the first
//! definition decides among weak definitions and the first object decides
//! each COMDAT group, this order is semantics, not cosmetics.
//!
//! The recursion is an explicit stack of frames (file, next symbol). The result, a
//! [`Selection`], says which objects to parse in full (in parallel, by
//! [`object_parse::parse_selected`]) and holds the finished symbol table.

use crate::error::{DefinedBy, ResolveError, ResolveWarning, SymbolError};
use crate::ids::{ObjectId, SymbolId};
use crate::table::{ArchiveId, Definition, Kind, SymbolTable};
use object_parse::{
    MemberIndex, MemberSummary, ObjectSet, ObjectSource, ObjectSummary, ParseErrorKind, RawError, SharedLibrary,
    SharedSymbolKind, StubLibrary, SymbolClass, SymbolSummary,
};
use std::collections::{BTreeSet, HashSet};

/// How one object symbol takes part in global resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Local symbol (or section symbol): resolves within its object.
    Local,
    /// Global symbol: resolves through the table.
    Global(SymbolId),
}

/// Why an archive member was extracted (`--why-extract`): who referenced
/// which symbol of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extraction<'a> {
    /// The referencing file, or the option (`<internal>` for `-u`,
    /// `--export`, `--entry`).
    pub reference: String,
    /// The extracted member, as `archive(member)`.
    pub extracted: String,
    /// The symbol.
    pub symbol: &'a str,
}

/// What [`select`] decided: the objects of the link in link order (where
/// each comes from), and the symbol table built on their summaries, with
/// object ids already in link order.
pub struct Selection<'a> {
    /// Where each object of the link comes from, in link order
    /// ([`ObjectId`] order).
    pub sources: Vec<ObjectSource>,
    /// The objects' display names, in link order.
    pub names: Vec<String>,
    /// The objects' display names in the order they were read (pre-order):
    /// what `--trace` prints.
    pub read_order: Vec<String>,
    /// Per object (link order), per symbol: its slot.
    pub slots: Vec<Vec<Slot>>,
    /// Per object (link order), per COMDAT group of the object: whether
    /// this object won the group (false: another object claimed it first).
    pub kept_comdats: Vec<Vec<bool>>,
    /// Per object (link order): it came from an archive.
    pub from_archive: Vec<bool>,
    /// The global symbol table.
    pub table: SymbolTable<'a>,
    /// `--why-extract` records, in the order extractions finished.
    pub extractions: Vec<Extraction<'a>>,
    /// Undefined symbols a stub library provides: imported.
    pub stub_imports: HashSet<SymbolId>,
    /// Symbols a stub library's provided symbols need: exported.
    pub stub_exports: BTreeSet<SymbolId>,
    /// Warnings (tolerated duplicates, archive members that aren't wasm).
    pub warnings: Vec<ResolveWarning>,
    /// The shared libraries of the link, in command-line order
    /// ([`Definition::Shared`]'s `lib` indexes this).
    pub shared_libraries: Vec<SharedLibrary<'a>>,
}

/// The names that extract archive members after all files are read, and
/// the other settings selection needs.
#[derive(Debug, Clone, Default)]
pub struct SelectOptions<'o> {
    /// `-u` names.
    pub undefined: &'o [String],
    /// `--export-if-defined` then `--export` names.
    pub exports: Vec<&'o str>,
    /// The entry, if any.
    pub entry: Option<&'o str>,
    /// `--allow-multiple-definition`.
    pub allow_multiple_definition: bool,
    /// `--noinhibit-exec`: duplicates are warnings, the later one wins.
    pub noinhibit_exec: bool,
    /// `-r`: the linker defines no symbols of its own, and there is no
    /// entry or `__wasm_call_dtors` to look up.
    pub relocatable: bool,
    /// `-pie`/`-shared`: `__memory_base` and `__table_base` are imports
    /// that exist from the start, right after `__stack_pointer`.
    pub pic: bool,
    /// `-shared`: there is no `__wasm_call_dtors` to look up.
    pub shared: bool,
    /// `-m wasm64` (`Some(true)`), `-m wasm32` (`Some(false)`) or neither:
    /// every file read must match (wasm-ld's `checkArch`).
    pub is64: Option<bool>,
}

/// Index of a file in the order resolution started reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId(u32);

/// A file being (or done being) read.
struct FileState<'a> {
    name: String,
    source: ObjectSource,
    from_archive: bool,
    summary: ObjectSummary<'a>,
    slots: Vec<Slot>,
    kept_comdats: Vec<bool>,
}

/// An archive's members, still lazy or extracted.
struct ArchiveState<'a> {
    input: usize,
    names: Vec<String>,
    summaries: Vec<MemberSummary<'a>>,
    extracted: Vec<bool>,
}

/// One file on the stack: the next symbol to add, and for an extracted
/// member the `--why-extract` record to write once it is read.
struct Frame<'a> {
    file: FileId,
    next: usize,
    extraction: Option<Extraction<'a>>,
}

struct Selector<'a> {
    files: Vec<FileState<'a>>,
    archives: Vec<ArchiveState<'a>>,
    table: SymbolTable<'a>,
    /// COMDAT group name (with its hash) → the file that claimed it.
    comdat_owner: hashbrown::HashTable<(&'a str, u64, FileId)>,
    stack: Vec<Frame<'a>>,
    /// Files in the order they were finished: the link order.
    done: Vec<FileId>,
    errors: Vec<SymbolError>,
    warnings: Vec<ResolveWarning>,
    extractions: Vec<Extraction<'a>>,
    allow_multiple_definition: bool,
    noinhibit_exec: bool,
    is64: Option<bool>,
    /// The first file of the wrong architecture: wasm-ld stops there.
    fatal: Option<ResolveError>,
}

/// Runs wasm-ld's resolution order over `set`'s summaries (the archive
/// member summaries are moved out of `set`; the objects stay). Fails with
/// every symbol error met (duplicates, kind mismatches).
pub fn select<'a>(set: &mut ObjectSet<'a>, opts: &SelectOptions<'_>) -> Result<Selection<'a>, ResolveError> {
    let mut s = Selector {
        files: Vec::new(),
        archives: Vec::new(),
        table: SymbolTable::default(),
        comdat_owner: Default::default(),
        stack: Vec::new(),
        done: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
        extractions: Vec::new(),
        allow_multiple_definition: opts.allow_multiple_definition,
        noinhibit_exec: opts.noinhibit_exec,
        is64: opts.is64,
        fatal: None,
    };
    // The linker's own function and stack pointer exist from the start, as
    // in wasm-ld (their place in the table orders `--export-all`'s exports;
    // a relocatable output has neither).
    let ctors = (!opts.relocatable).then(|| {
        let ctors = s.table.intern("__wasm_call_ctors");
        s.table.get_mut(ctors).kind = Some(Kind::Function);
        let stack_pointer = s.table.intern("__stack_pointer");
        s.table.get_mut(stack_pointer).kind = Some(Kind::Global);
        if opts.pic {
            for name in ["__memory_base", "__table_base"] {
                let sid = s.table.intern(name);
                s.table.get_mut(sid).kind = Some(Kind::Global);
            }
        }
        ctors
    });
    let mut stubs = Vec::new();
    let mut shared_libraries = Vec::new();
    // The command line's objects are all linked: their summaries are read
    // up front, in parallel (archive members have theirs already).
    let mut summaries: Vec<Option<ObjectSummary<'a>>> = {
        use rayon::prelude::*;
        set.inputs
            .par_iter()
            .map(|input| match input {
                object_parse::Input::Object(o) => Some(object_parse::summarize_object(o)),
                _ => None,
            })
            .collect()
    };
    for (i, input) in set.inputs.iter_mut().enumerate() {
        match input {
            object_parse::Input::Object(o) => {
                let summary = summaries[i].take().unwrap_or_else(|| object_parse::summarize_object(o));
                s.start_file(o.name.clone(), ObjectSource::Input(i), false, summary, None);
                s.run_stack();
            }
            object_parse::Input::Archive(a) => s.add_archive(i, a)?,
            object_parse::Input::Stub(stub) => stubs.push(stub.clone()),
            object_parse::Input::Shared(lib) => {
                s.add_shared(shared_libraries.len() as u32, lib);
                shared_libraries.push(lib.clone());
            }
        }
        if let Some(fatal) = s.fatal.take() {
            return Err(fatal);
        }
    }
    // Command-line names extract like references do (wasm-ld's
    // handleUndefined), in wasm-ld's order.
    for name in opts.undefined {
        s.force(leak(name), "<internal>");
    }
    for name in &opts.exports {
        s.force(leak(name), "--export");
    }
    if let Some(entry) = opts.entry {
        s.force(leak(entry), "--entry");
    }
    if let Some(ctors) = ctors.filter(|_| !opts.shared) {
        let ctors_used = s.table.get(ctors).first_ref.is_some();
        let ctors_named = opts.entry == Some("__wasm_call_ctors") || opts.exports.contains(&"__wasm_call_ctors");
        if !ctors_used && !ctors_named {
            s.force("__wasm_call_dtors", "<internal>");
        }
    }
    let (stub_imports, stub_exports) = s.apply_stub_libraries(&stubs);
    if let Some(fatal) = s.fatal.take() {
        return Err(fatal);
    }
    if !s.errors.is_empty() {
        return Err(ResolveError::Symbols(s.errors));
    }
    let mut selection = s.finish();
    selection.stub_imports = stub_imports;
    selection.stub_exports = stub_exports;
    selection.shared_libraries = shared_libraries;
    Ok(selection)
}

/// Command-line names live as long as the link; the table borrows names
/// for the inputs' lifetime, so these few are leaked.
fn leak<'a>(name: &str) -> &'a str {
    Box::leak(name.to_string().into_boxed_str())
}

impl<'a> Selector<'a> {
    /// Registers a new file: claims its COMDAT groups (the first file to
    /// be read wins each), gives it an id and pushes it on the stack; its
    /// symbols are added by [`Selector::run_stack`].
    fn start_file(
        &mut self,
        name: String,
        source: ObjectSource,
        from_archive: bool,
        summary: ObjectSummary<'a>,
        extraction: Option<Extraction<'a>>,
    ) {
        if self.fatal.is_some() {
            return;
        }
        if let Some(fatal) = self.check_arch(&name, &summary) {
            self.fatal = Some(fatal);
            return;
        }
        let id = FileId(self.files.len() as u32);
        let kept_comdats = summary
            .comdats
            .iter()
            .map(|&(name, hash)| {
                match self.comdat_owner.entry(hash, |&(n, h, _)| h == hash && n == name, |&(_, h, _)| h) {
                    hashbrown::hash_table::Entry::Occupied(_) => false,
                    hashbrown::hash_table::Entry::Vacant(e) => {
                        e.insert((name, hash, id));
                        true
                    }
                }
            })
            .collect();
        let slots = Vec::with_capacity(summary.symbols.len());
        self.files.push(FileState { name, source, from_archive, summary, slots, kept_comdats });
        self.stack.push(Frame { file: id, next: 0, extraction });
    }

    /// wasm-ld's `checkArch` on a file about to be read: a wasm64 object
    /// needs `-mwasm64`, and every object must match the `-m` given.
    fn check_arch(&self, name: &str, summary: &ObjectSummary<'a>) -> Option<ResolveError> {
        let file = name.to_string();
        match self.is64 {
            None if summary.memory64 => Some(ResolveError::Wasm64NotSpecified { file }),
            Some(is64) if is64 != summary.memory64 => Some(ResolveError::ArchMismatch { file }),
            _ => None,
        }
    }

    /// Reads files from the stack until it is empty: each symbol of the
    /// top file in turn; an extraction pushes the member, which is read
    /// completely before its referrer goes on. A file joins the link order
    /// when it is finished.
    fn run_stack(&mut self) {
        while let Some(frame) = self.stack.last_mut() {
            let (file, i) = (frame.file, frame.next);
            if i >= self.files[file.0 as usize].summary.symbols.len() {
                if let Some(record) = self.stack.pop().and_then(|f| f.extraction) {
                    self.extractions.push(record);
                }
                self.done.push(file);
                continue;
            }
            frame.next += 1;
            let sym = self.files[file.0 as usize].summary.symbols[i];
            let slot = self.add_symbol(file, i, &sym);
            self.files[file.0 as usize].slots.push(slot);
        }
    }

    /// Adds one symbol of `file` to the table, as wasm-ld's
    /// `addDefined*`/`addUndefined*` do.
    fn add_symbol(&mut self, file: FileId, index: usize, sym: &SymbolSummary<'a>) -> Slot {
        let Some(kind) = Kind::of_class(sym.class) else { return Slot::Local };
        if sym.is_local() {
            return Slot::Local;
        }
        let sid = self.table.intern_hashed(sym.name, sym.hash);
        let entry = self.table.get(sid);
        if let Some(k) = entry.kind {
            if k != kind && !matches!(entry.def, Definition::Lazy { .. }) {
                let first_file = self.describe_def(sid);
                self.errors.push(SymbolError::TypeMismatch {
                    name: sym.name.to_string(),
                    first_kind: k,
                    first_file,
                    second_kind: kind,
                    second_file: self.files[file.0 as usize].name.clone(),
                });
                return Slot::Global(sid);
            }
        }
        self.table.get_mut(sid).kind = Some(kind);
        if kind == Kind::Global {
            self.check_global_type(file, sid, sym);
        }
        let discarded = sym
            .comdat
            .is_some_and(|c| !self.files[file.0 as usize].kept_comdats.get(c as usize).copied().unwrap_or(true));
        if sym.is_undefined() || discarded {
            self.add_reference(file, index, sid, sym.is_weak());
        } else {
            self.add_definition(file, index, sid, sym);
        }
        Slot::Global(sid)
    }

    /// wasm-ld's global type check: a definition must have the type of the
    /// existing definition or first reference, a reference the type of the
    /// existing definition.
    fn check_global_type(&mut self, file: FileId, sid: SymbolId, sym: &SymbolSummary<'a>) {
        let entry = self.table.get(sid);
        let existing = match (&entry.def, sym.is_undefined()) {
            (Definition::Object { obj, sym, .. }, _) => Some((*obj, sym.0)),
            (Definition::None, false) => entry.first_ref,
            _ => None,
        };
        let Some((other, index)) = existing else { return };
        let theirs = self.files.get(other.0 as usize).and_then(|f| f.summary.symbols.get(index as usize)?.ty);
        if let (Some(first), Some(second)) = (theirs, sym.ty) {
            if first != second {
                self.errors.push(SymbolError::GlobalTypeMismatch {
                    name: sym.name.to_string(),
                    first: first.to_string(),
                    first_file: self.files[other.0 as usize].name.clone(),
                    second: second.to_string(),
                    second_file: self.files[file.0 as usize].name.clone(),
                });
            }
        }
    }

    /// An undefined reference (or a definition another object's COMDAT
    /// group replaced): a strong one extracts a lazy definition.
    fn add_reference(&mut self, file: FileId, index: usize, sid: SymbolId, weak: bool) {
        let entry = self.table.get_mut(sid);
        if entry.first_ref.is_none() {
            entry.first_ref = Some((ObjectId(file.0), index as u32));
        }
        if weak {
            return;
        }
        entry.strong_ref = true;
        if let Definition::Lazy { archive, member } = entry.def {
            let reference = self.files[file.0 as usize].name.clone();
            self.extract(archive, member, sid, reference);
        }
    }

    /// A definition: replaces nothing-yet, a lazy entry or a weak
    /// definition; two strong ones are a duplicate.
    fn add_definition(&mut self, file: FileId, index: usize, sid: SymbolId, sym: &SymbolSummary<'a>) {
        let new_weak = sym.is_weak();
        let new_def =
            Definition::Object { obj: ObjectId(file.0), sym: object_parse::SymbolIdx(index as u32), weak: new_weak };
        let second = || self.files[file.0 as usize].name.clone();
        match self.table.get(sid).def {
            // A definition in the link beats a shared library's.
            Definition::None | Definition::Lazy { .. } | Definition::Shared { .. } => {
                self.table.get_mut(sid).def = new_def
            }
            Definition::Object { obj: old, weak: old_weak, .. } => {
                if new_weak {
                    return;
                }
                if old_weak {
                    self.table.get_mut(sid).def = new_def;
                    return;
                }
                if self.allow_multiple_definition {
                    return;
                }
                let duplicate = SymbolError::Duplicate {
                    name: sym.name.to_string(),
                    first: DefinedBy::File(self.files[old.0 as usize].name.clone()),
                    second: second(),
                };
                if self.noinhibit_exec {
                    // wasm-ld warns, then lets the later definition replace
                    // the earlier one.
                    self.warnings.push(ResolveWarning::Tolerated(duplicate));
                    self.table.get_mut(sid).def = new_def;
                } else {
                    self.errors.push(duplicate);
                }
            }
            Definition::Linker(_) => {
                if !new_weak {
                    self.errors.push(SymbolError::Duplicate {
                        name: sym.name.to_string(),
                        first: DefinedBy::Linker,
                        second: second(),
                    });
                }
            }
        }
    }

    /// Reads an archive: every member's defined global symbols become lazy
    /// entries, in member order; a member defining a symbol that is already
    /// strongly referenced is extracted at once (wasm-ld's `addLazy`).
    fn add_archive(&mut self, input: usize, a: &mut object_parse::LazyArchive<'a>) -> Result<(), ResolveError> {
        let id = ArchiveId(self.archives.len() as u32);
        let names = a.archive.members.iter().map(|m| object_parse::member_display_name(a.path, &m.name)).collect();
        let summaries = std::mem::take(&mut a.summaries);
        let extracted = vec![false; summaries.len()];
        self.archives.push(ArchiveState { input, names, summaries, extracted });
        for m in 0..self.archives[id.0 as usize].summaries.len() {
            let member = MemberIndex(m as u32);
            let defined: Vec<(&'a str, u64)> = match &self.archives[id.0 as usize].summaries[m] {
                MemberSummary::Object(o) => o
                    .symbols
                    .iter()
                    .filter(|s| !s.is_undefined() && !s.is_local() && s.class != SymbolClass::Section)
                    .map(|s| (s.name, s.hash))
                    .collect(),
                MemberSummary::NotRelocatable => continue,
                MemberSummary::NotWasm => {
                    let member_name = a.archive.members[m].name.clone();
                    self.warnings
                        .push(ResolveWarning::MemberNotWasm { archive: a.path.to_string(), member: member_name });
                    continue;
                }
                MemberSummary::Bitcode => {
                    let name = self.archives[id.0 as usize].names[m].clone();
                    return Err(ResolveError::Parse(RawError::new(0, ParseErrorKind::Bitcode).in_file(&name)));
                }
            };
            for (name, hash) in defined {
                let sid = self.table.intern_hashed(name, hash);
                let entry = self.table.get_mut(sid);
                match entry.def {
                    // Only weakly referenced (or not at all): lazy.
                    Definition::None if !entry.strong_ref => entry.def = Definition::Lazy { archive: id, member },
                    Definition::None => {
                        let reference = entry
                            .first_ref
                            .map(|(f, _)| self.files[f.0 as usize].name.clone())
                            .unwrap_or_else(|| "<internal>".to_string());
                        self.extract(id, member, sid, reference);
                        self.run_stack();
                        break;
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Adds a shared library's definitions: each takes the place of an
    /// undefined or lazy symbol (no archive member is extracted for it)
    /// but never of a definition in the link, as in wasm-ld.
    fn add_shared(&mut self, lib: u32, library: &SharedLibrary<'a>) {
        for (i, sym) in library.symbols.iter().enumerate() {
            let kind = match sym.kind {
                SharedSymbolKind::Function(_) => Kind::Function,
                SharedSymbolKind::Data => Kind::Data,
            };
            let sid = self.table.intern(sym.name);
            let entry = self.table.get_mut(sid);
            match entry.def {
                Definition::None | Definition::Lazy { .. } => {
                    if entry.kind.is_some_and(|k| k != kind) && matches!(entry.def, Definition::None) {
                        continue;
                    }
                    entry.kind = Some(kind);
                    entry.def = Definition::Shared { lib, symbol: i as u32 };
                }
                _ => {}
            }
        }
    }

    /// Extracts a member (once): pushes it on the stack, so that it is read
    /// next, with everything it extracts in turn, before its referrer goes
    /// on.
    fn extract(&mut self, archive: ArchiveId, member: MemberIndex, sid: SymbolId, reference: String) {
        let st = &mut self.archives[archive.0 as usize];
        let m = member.0 as usize;
        if st.extracted[m] {
            return;
        }
        st.extracted[m] = true;
        let MemberSummary::Object(summary) = std::mem::replace(&mut st.summaries[m], MemberSummary::NotRelocatable)
        else {
            return;
        };
        let name = st.names[m].clone();
        let source = ObjectSource::Member { input: st.input, member };
        let record = Extraction { reference, extracted: name.clone(), symbol: self.table.get(sid).name };
        self.start_file(name, source, true, summary, Some(record));
    }

    /// A name from the command line (`-u`, `--export`, the entry) or the
    /// linker (`__wasm_call_dtors`): extracts its lazy definition, even one
    /// only weakly referenced (wasm-ld's `handleUndefined`).
    fn force(&mut self, name: &'a str, why: &str) {
        let Some(sid) = self.table.find(name) else { return };
        if let Definition::Lazy { archive, member } = self.table.get(sid).def {
            self.extract(archive, member, sid, why.to_string());
            self.run_stack();
        }
    }

    /// Applies the stub libraries, as wasm-ld does once all inputs are in:
    /// each strongly referenced, undefined symbol a stub library lists (the
    /// first library listing it wins) becomes an import, and the symbols it
    /// depends on are exported, extracting the archive members that define
    /// them, until nothing changes. A dependency nothing defines is an error.
    fn apply_stub_libraries(&mut self, libraries: &[StubLibrary<'a>]) -> (HashSet<SymbolId>, BTreeSet<SymbolId>) {
        let mut imports = HashSet::new();
        let mut exports = BTreeSet::new();
        loop {
            let mut extracted = false;
            for lib in libraries {
                for (name, deps) in &lib.symbols {
                    let Some(sid) = self.table.find(name) else { continue };
                    let sym = self.table.get(sid);
                    if !matches!(sym.def, Definition::None) || !sym.strong_ref || !imports.insert(sid) {
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
                                exports.insert(d);
                                self.force(dep, lib.path);
                            }
                        }
                    }
                }
            }
            if !extracted {
                return (imports, exports);
            }
        }
    }

    /// The file that defines (or first referenced) a symbol.
    fn describe_def(&self, sid: SymbolId) -> String {
        let entry = self.table.get(sid);
        let name = |o: ObjectId| self.files.get(o.0 as usize).map_or_else(String::new, |f| f.name.clone());
        match &entry.def {
            Definition::Object { obj, .. } => name(*obj),
            Definition::Linker(_) => "<linker>".into(),
            Definition::Shared { .. } => "<shared library>".into(),
            _ => entry.first_ref.map(|(o, _)| name(o)).unwrap_or_default(),
        }
    }

    /// Renumbers files from read order to link order and hands out the
    /// result.
    fn finish(self) -> Selection<'a> {
        let mut link_id = vec![ObjectId(u32::MAX); self.files.len()];
        for (pos, f) in self.done.iter().enumerate() {
            link_id[f.0 as usize] = ObjectId(pos as u32);
        }
        let mut table = self.table;
        for sym in table.symbols.iter_mut() {
            if let Definition::Object { obj, .. } = &mut sym.def {
                *obj = link_id[obj.0 as usize];
            }
            if let Some((obj, _)) = &mut sym.first_ref {
                *obj = link_id[obj.0 as usize];
            }
        }
        let read_order = self.files.iter().map(|f| f.name.clone()).collect();
        let mut files: Vec<Option<FileState<'a>>> = self.files.into_iter().map(Some).collect();
        let mut sel = Selection {
            sources: Vec::with_capacity(files.len()),
            names: Vec::with_capacity(files.len()),
            read_order,
            slots: Vec::with_capacity(files.len()),
            kept_comdats: Vec::with_capacity(files.len()),
            from_archive: Vec::with_capacity(files.len()),
            table,
            extractions: self.extractions,
            stub_imports: HashSet::new(),
            stub_exports: BTreeSet::new(),
            warnings: self.warnings,
            shared_libraries: Vec::new(),
        };
        for f in &self.done {
            let Some(file) = files[f.0 as usize].take() else { continue };
            sel.sources.push(file.source);
            sel.names.push(file.name);
            sel.slots.push(file.slots);
            sel.kept_comdats.push(file.kept_comdats);
            sel.from_archive.push(file.from_archive);
        }
        sel
    }
}
