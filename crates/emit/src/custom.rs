//! Custom sections: input custom sections (e.g. `.debug_*`) merged by name
//! with their relocations applied, plus the linker-written `name`,
//! `producers` and `target_features` sections.

use crate::relocate::{apply_one, RelocContext, Site};
use crate::{leb, EmitError};
use indexmap::IndexMap;
use section_merge::{MergedModule, OutputFunction, OutputGlobal};
use std::borrow::Cow;
use symbol_resolve::{ObjectId, Resolution, SyntheticGlobal};

/// Which input custom sections go to the output.
#[derive(Debug, Clone, Default)]
pub struct CustomPolicy {
    /// `--strip-debug`: drop `.debug_*`.
    pub strip_debug: bool,
    /// `--strip-all`: drop all custom sections and the name section.
    pub strip_all: bool,
    /// `--keep-section=NAME`: kept despite the strip options.
    pub keep: Vec<String>,
    /// Merge the strings of `.debug_str` (and `.debug_str.dwo`,
    /// `.debug_line_str`), as wasm-ld does at `-O1` and up.
    pub merge_strings: bool,
}

impl CustomPolicy {
    fn keeps(&self, name: &str) -> bool {
        let debug = name.starts_with(".debug_");
        // As in wasm-ld, `--keep-section` never brings back debug sections
        // that `--strip-debug` or `--strip-all` drop.
        if debug && (self.strip_debug || self.strip_all) {
            return false;
        }
        self.keep.iter().any(|k| k == name) || !self.strip_all
    }
}

/// Output custom sections in first-seen order, each with its pieces.
pub struct CustomPlan {
    /// Name → pieces (object, custom index).
    pub sections: IndexMap<String, Vec<(ObjectId, u32)>>,
    /// Per object, per custom section: offset of the piece in its output section.
    pub offsets: Vec<Vec<Option<u64>>>,
    /// Sections whose strings were merged: name → the whole payload.
    pub merged: std::collections::HashMap<String, Vec<u8>>,
    /// Per piece of a merged section: where each of its strings went.
    pub string_pieces: rustc_hash::FxHashMap<(ObjectId, u32), atom_layout::StringPieces>,
}

/// Custom sections whose strings wasm-ld merges (by name: custom sections
/// carry no flags).
const STRING_SECTIONS: [&str; 3] = [".debug_str", ".debug_str.dwo", ".debug_line_str"];

/// Alignment of each input piece inside an output custom section: LLVM's
/// coverage records (`__llvm_covfun`) must stay 8-byte aligned, as wasm-ld
/// ensures; other custom sections are packed.
fn piece_alignment(name: &str) -> u64 {
    if name == "__llvm_covfun" {
        8
    } else {
        1
    }
}

/// Groups the kept input custom sections by name.
pub fn plan(res: &Resolution<'_>, policy: &CustomPolicy) -> CustomPlan {
    let mut sections: IndexMap<String, Vec<(ObjectId, u32)>> = IndexMap::new();
    let mut offsets: Vec<Vec<Option<u64>>> = res.objects.iter().map(|o| vec![None; o.customs.len()]).collect();
    let mut sizes: IndexMap<String, u64> = IndexMap::new();
    for (o, obj) in res.objects.iter().enumerate() {
        for (i, c) in obj.customs.iter().enumerate() {
            if !policy.keeps(c.name) {
                continue;
            }
            let size = sizes.entry(c.name.to_string()).or_insert(0);
            *size = size.next_multiple_of(piece_alignment(c.name));
            offsets[o][i] = Some(*size);
            *size += c.data.len() as u64;
            sections.entry(c.name.to_string()).or_default().push((ObjectId(o as u32), i as u32));
        }
    }
    let mut plan = CustomPlan { sections, offsets, merged: Default::default(), string_pieces: Default::default() };
    if policy.merge_strings {
        for name in STRING_SECTIONS {
            merge_section_strings(res, &mut plan, name);
        }
    }
    plan
}

/// Merges the strings of every piece of output section `name`, when each
/// piece is NUL-terminated and has no relocations: the section becomes one
/// blob, every piece starts at 0, and [`CustomPlan::string_pieces`] says
/// where each string went.
fn merge_section_strings(res: &Resolution<'_>, plan: &mut CustomPlan, name: &str) {
    let Some(pieces) = plan.sections.get(name) else { return };
    let data = |(o, i): &(ObjectId, u32)| &res.objects[o.0 as usize].customs[*i as usize];
    if !pieces.iter().all(|p| data(p).data.last() == Some(&0) && data(p).relocs.is_empty()) {
        return;
    }
    let inputs: Vec<&[u8]> = pieces.iter().map(|p| data(p).data).collect();
    let (blob, strings) = atom_layout::build_blob(&inputs);
    for (&(o, i), map) in pieces.iter().zip(strings) {
        plan.offsets[o.0 as usize][i as usize] = Some(0);
        plan.string_pieces.insert((o, i), map);
    }
    plan.merged.insert(name.to_string(), blob);
}

/// Where each piece of one output custom section goes: (padding before it,
/// its length), and the payload length (after the name).
fn piece_layout(res: &Resolution<'_>, name: &str, pieces: &[(ObjectId, u32)]) -> (Vec<(usize, usize)>, usize) {
    let align = piece_alignment(name) as usize;
    let mut layout = Vec::with_capacity(pieces.len());
    let mut total = 0usize;
    for (o, i) in pieces {
        let len = res.objects[o.0 as usize].customs[*i as usize].data.len();
        let start = total.next_multiple_of(align);
        layout.push((start - total, len));
        total = start + len;
    }
    (layout, total)
}

/// Length of one output custom section's payload (after the name).
pub fn section_len(res: &Resolution<'_>, plan: &CustomPlan, name: &str, pieces: &[(ObjectId, u32)]) -> usize {
    match plan.merged.get(name) {
        Some(blob) => blob.len(),
        None => piece_layout(res, name, pieces).1,
    }
}

/// Splits `out` (one output custom section's payload, [`section_len`]
/// bytes) into one slot per piece, for [`write_pieces`].
pub fn piece_slots<'o>(
    res: &Resolution<'_>,
    name: &str,
    pieces: &[(ObjectId, u32)],
    out: &'o mut [u8],
) -> Vec<&'o mut [u8]> {
    let (layout, _) = piece_layout(res, name, pieces);
    let mut slots = Vec::with_capacity(pieces.len());
    let mut rest = out;
    for (pad, len) in layout {
        let (_, tail) = rest.split_at_mut(pad);
        let (slot, tail) = tail.split_at_mut(len);
        slots.push(slot);
        rest = tail;
    }
    slots
}

/// One parallel job of writing the custom sections.
pub enum Job<'n, 'o> {
    /// Copy piece (object, custom section index) of output section `name`
    /// into its slot and relocate it there.
    Relocate(&'n str, (ObjectId, u32), &'o mut [u8]),
    /// Copy bytes built whole (merged strings, linker-written sections).
    Copy(&'o [u8], &'o mut [u8]),
}

impl Job<'_, '_> {
    /// Does the job.
    pub fn run(self, ctx: &RelocContext<'_, '_>) -> Result<(), EmitError> {
        match self {
            Job::Relocate(name, piece, slot) => write_piece(ctx, name, piece, slot),
            Job::Copy(from, to) => {
                to.copy_from_slice(from);
                Ok(())
            }
        }
    }
}

/// Copies one piece of output custom section `name` into its slot and
/// relocates it there.
fn write_piece(
    ctx: &RelocContext<'_, '_>,
    name: &str,
    piece: (ObjectId, u32),
    slot: &mut [u8],
) -> Result<(), EmitError> {
    let (o, i) = piece;
    let obj = &ctx.res.objects[o.0 as usize];
    slot.copy_from_slice(obj.customs[i as usize].data);
    obj.for_each_custom_reloc(i as usize, |r| {
        let field = slot.get_mut(r.offset as usize..).and_then(|f| f.get_mut(..4));
        match (ctx.debug_value_i32(o, &r), field) {
            (Some(value), Some(field)) => {
                field.copy_from_slice(&value.to_le_bytes());
                Ok(())
            }
            _ => apply_one(ctx, o, slot, 0, &r, Site::Custom { name }),
        }
    })
}

fn write_name(out: &mut Vec<u8>, s: &str) {
    leb::write_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

/// Length of a name (its length, then its bytes).
fn name_len(n: &str) -> usize {
    leb::len_u32(n.len() as u32) + n.len()
}

/// Payload length of a name subsection: a count, then index and name per
/// entry.
fn subsection_body_len(entries: &[(u32, impl AsRef<str>)]) -> usize {
    leb::len_u32(entries.len() as u32)
        + entries.iter().map(|(i, n)| leb::len_u32(*i) + name_len(n.as_ref())).sum::<usize>()
}

/// Length of name subsection `entries` with its id and size, 0 when it
/// has no entries (it is then left out).
fn subsection_len(entries: &[(u32, impl AsRef<str>)]) -> usize {
    match entries.is_empty() {
        true => 0,
        false => {
            let body = subsection_body_len(entries);
            1 + leb::len_u32(body as u32) + body
        }
    }
}

/// Appends name subsection `id`, unless it has no entries.
fn subsection(out: &mut Vec<u8>, id: u8, entries: &[(u32, impl AsRef<str>)]) {
    if entries.is_empty() {
        return;
    }
    out.push(id);
    leb::write_u32(out, subsection_body_len(entries) as u32);
    leb::write_u32(out, entries.len() as u32);
    for (i, n) in entries {
        leb::write_u32(out, *i);
        write_name(out, n.as_ref());
    }
}

/// The first defining symbol's name of each defined function and global,
/// per object: the names the `name` section gives them. One walk over the
/// symbol tables for both.
pub struct FirstNames<'a> {
    /// Per object, per defined function.
    pub functions: Vec<Vec<Option<&'a str>>>,
    /// Per object, per defined global.
    pub globals: Vec<Vec<Option<&'a str>>>,
}

impl<'a> FirstNames<'a> {
    /// Reads the names from every object's symbol table.
    pub fn of(res: &Resolution<'a>) -> Self {
        let mut functions: Vec<Vec<Option<&str>>> = res.objects.iter().map(|o| vec![None; o.functions.len()]).collect();
        let mut globals: Vec<Vec<Option<&str>>> = res.objects.iter().map(|o| vec![None; o.globals.len()]).collect();
        for ((obj, functions), globals) in res.objects.iter().zip(&mut functions).zip(&mut globals) {
            for s in obj.linking.symbols.iter().filter(|s| !s.is_undefined()) {
                let slot = match s.kind {
                    object_parse::SymbolKind::Function(i) => {
                        obj.defined_function(i).and_then(|d| functions.get_mut(d.index()))
                    }
                    object_parse::SymbolKind::Global(i) => {
                        i.checked_sub(obj.num_imported_globals).and_then(|i| globals.get_mut(i as usize))
                    }
                    _ => None,
                };
                if let Some(slot) = slot {
                    slot.get_or_insert(s.name);
                }
            }
        }
        FirstNames { functions, globals }
    }
}

/// Builds the `name` section payload: the module name (when given),
/// function, global and data segment names; symbol names shown as wasm-ld
/// shows them (demangled when `demangle` is on, `main` for
/// `__main_argc_argv`). The input functions' names come demangled from
/// [`crate::prepare`], the input globals' first names from it too.
pub fn name_section(
    res: &Resolution<'_>,
    merged: &MergedModule,
    function_names: &[Vec<Option<String>>],
    global_names: &[Vec<Option<&str>>],
    data_names: &[String],
    module_name: Option<&str>,
    demangle: bool,
) -> Vec<u8> {
    let shown = |name: &str| Cow::Owned(demangle::display_name(name, demangle).into_owned());
    let mut funcs = Vec::new();
    let mut globals = Vec::new();
    let (mut fi, mut gi) = (0u32, 0u32);
    for imp in &merged.imports {
        match imp.kind {
            symbol_resolve::OutputImportKind::Function(_) => {
                funcs.push((fi, shown(&imp.symbol)));
                fi += 1;
            }
            symbol_resolve::OutputImportKind::Global(_) => {
                globals.push((gi, shown(&imp.symbol)));
                gi += 1;
            }
            _ => {}
        }
    }
    for (k, f) in merged.functions.iter().enumerate() {
        let name = match f {
            OutputFunction::Input { obj, index } => {
                function_names[obj.0 as usize][index.index()].as_deref().map(Cow::Borrowed)
            }
            OutputFunction::Stub(id) => Some(Cow::Owned(stub_name(&res.stubs[id.0 as usize], demangle))),
            OutputFunction::CommandExport { name, .. } => Some(shown(name)),
            f => f.linker_name().map(Cow::Borrowed),
        };
        if let Some(n) = name {
            funcs.push((merged.num_imported_functions + k as u32, n));
        }
    }
    for (k, g) in merged.globals.iter().enumerate() {
        let idx = merged.num_imported_globals + k as u32;
        let name = match g {
            OutputGlobal::Synthetic(s) => Some(Cow::Borrowed(match s {
                SyntheticGlobal::StackPointer => "__stack_pointer",
                SyntheticGlobal::TlsBase => "__tls_base",
                SyntheticGlobal::TlsSize => "__tls_size",
                SyntheticGlobal::TlsAlign => "__tls_align",
            })),
            OutputGlobal::Input { obj, index } => global_names[obj.0 as usize][*index as usize].map(shown),
            // wasm-ld leaves the exported-data-address globals unnamed.
            OutputGlobal::DataAddress { .. } => None,
            OutputGlobal::Got { name, .. } => Some(Cow::Borrowed(name.as_str())),
        };
        if let Some(n) = name {
            globals.push((idx, n));
        }
    }
    let data: Vec<(u32, &str)> = data_names.iter().enumerate().map(|(i, n)| (i as u32, n.as_str())).collect();
    let module_len = module_name.map_or(0, |m| 1 + leb::len_u32(name_len(m) as u32) + name_len(m));
    let len = module_len + subsection_len(&funcs) + subsection_len(&globals) + subsection_len(&data);
    let mut out = atom_layout::big_buffer::with_capacity(len);
    if let Some(module) = module_name {
        out.push(0);
        leb::write_u32(&mut out, name_len(module) as u32);
        write_name(&mut out, module);
    }
    subsection(&mut out, 1, &funcs);
    subsection(&mut out, 7, &globals);
    subsection(&mut out, 9, &data);
    debug_assert_eq!(out.len(), len, "name section sized wrong");
    out
}

/// A trap stub's name in the name section: wasm-ld's `undefined_weak:NAME`
/// and `signature_mismatch:NAME` show NAME as it shows symbols.
fn stub_name(stub: &symbol_resolve::Stub, demangle: bool) -> String {
    let name = demangle::display_name(&stub.name, demangle);
    match stub.kind {
        symbol_resolve::StubKind::WeakUndefined => format!("undefined_weak:{name}"),
        symbol_resolve::StubKind::SignatureMismatch => format!("signature_mismatch:{name}"),
        symbol_resolve::StubKind::Undefined => "undefined_stub".to_string(),
    }
}

/// Builds the merged `producers` payload (fields in wasm-ld's order
/// `language`, `processed-by`, `sdk`; values in first-seen order, one
/// version per name), or `None` when no input has one.
pub fn producers_section(res: &Resolution<'_>) -> Option<Vec<u8>> {
    let mut fields: IndexMap<&str, IndexMap<&str, &str>> = IndexMap::new();
    for obj in &res.objects {
        for f in &obj.producers {
            let entry = fields.entry(f.name).or_default();
            for (n, v) in &f.values {
                entry.entry(n).or_insert(v);
            }
        }
    }
    if fields.is_empty() {
        return None;
    }
    // wasm-ld writes the fields in this order, whichever input named which
    // first.
    fields
        .sort_by_cached_key(|name, _| ["language", "processed-by", "sdk"].iter().position(|f| f == name).unwrap_or(3));
    let mut out = Vec::new();
    leb::write_u32(&mut out, fields.len() as u32);
    for (name, values) in fields {
        write_name(&mut out, name);
        leb::write_u32(&mut out, values.len() as u32);
        for (n, v) in values {
            write_name(&mut out, n);
            write_name(&mut out, v);
        }
    }
    Some(out)
}

/// wasm-ld's checks for `--shared-memory`: no input may disallow
/// `shared-mem`, and the output must have `atomics` and `bulk-memory`.
fn check_shared_memory(
    allowed: &std::collections::BTreeSet<&str>,
    disallowed: &std::collections::BTreeMap<&str, &str>,
) -> Result<(), EmitError> {
    let mut problems = Vec::new();
    if let Some(file) = disallowed.get("shared-mem") {
        problems.push(crate::SharedMemoryProblem::DisallowedBy { file: file.to_string() });
    }
    for feature in ["atomics", "bulk-memory"] {
        if !allowed.contains(feature) {
            problems.push(crate::SharedMemoryProblem::FeatureMissing { feature });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(EmitError::SharedMemoryFeatures(problems))
    }
}

/// Builds the `target_features` payload: the union of the features the
/// inputs use, sorted. Fails when one input uses a feature another input
/// disallows (wasm-ld's check).
pub fn target_features_section(
    res: &Resolution<'_>,
    check: bool,
    explicit: Option<&[String]>,
    extra: &[String],
    shared_memory: bool,
) -> Result<Option<Vec<u8>>, EmitError> {
    let mut used: std::collections::BTreeMap<&str, &str> = Default::default();
    let mut disallowed: std::collections::BTreeMap<&str, &str> = Default::default();
    for obj in &res.objects {
        for f in &obj.features {
            match f.prefix {
                b'-' => {
                    disallowed.entry(f.name).or_insert(&obj.name);
                }
                _ => {
                    used.entry(f.name).or_insert(&obj.name);
                }
            }
        }
    }
    let allowed = atom_layout::allowed_features(res, explicit, extra);
    if check && shared_memory {
        check_shared_memory(&allowed, &disallowed)?;
    }
    for obj in &res.objects {
        for f in &obj.features {
            if check && f.prefix != b'-' {
                if let Some(by) = disallowed.get(f.name) {
                    return Err(EmitError::FeatureDisallowed {
                        feature: f.name.to_string(),
                        used_in: obj.name.clone(),
                        disallowed_by: by.to_string(),
                    });
                }
            }
        }
    }
    // `--features=` replaces the inferred set (and every used feature must be
    // in it); `--extra-features=` adds to it.
    if let (Some(list), true) = (explicit, check) {
        for (name, file) in &used {
            if !list.iter().any(|f| f == name) {
                return Err(EmitError::FeatureNotAllowed { feature: name.to_string(), file: file.to_string() });
            }
        }
    }
    if allowed.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    leb::write_u32(&mut out, allowed.len() as u32);
    for name in &allowed {
        out.push(b'+');
        write_name(&mut out, name);
    }
    Ok(Some(out))
}
