//! # type-dedup: [`MergedModule`] → [`TypeTable`]
//!
//! Fifth stage. One output type per distinct signature, registered in
//! wasm-ld's order: the types named by `R_WASM_TYPE_INDEX_LEB` relocations
//! of live functions (object by object), then imported function and tag
//! signatures, then defined functions, then defined tags. Produces, per
//! object, the map from input type index to output type index used to patch
//! `call_indirect` sites.

pub mod dump;
mod error;

pub use error::TypeError;

use indexmap::IndexSet;
use object_parse::{RelocType, Signature};
use rayon::prelude::*;
use section_merge::{function_signature, MergedModule};
use symbol_resolve::{OutputImportKind, Resolution};

/// Output of the stage.
#[derive(Debug, Clone)]
pub struct TypeTable {
    /// Output types in index order.
    pub types: Vec<Signature>,
    /// Per object, per input type index: output type index (for types the
    /// object's live code refers to by relocation, and its functions' types).
    pub object_types: Vec<Vec<Option<u32>>>,
    /// Type index of each defined output function, in function order.
    pub function_types: Vec<u32>,
    /// Type index of each imported function, in import order of functions.
    pub import_function_types: Vec<u32>,
    /// Type index of each tag (imported, then defined).
    pub tag_types: Vec<u32>,
}

/// Runs the stage.
pub fn run(res: &Resolution<'_>, merged: &MergedModule) -> Result<TypeTable, TypeError> {
    let mut set: IndexSet<Signature, rustc_hash::FxBuildHasher> = IndexSet::default();
    let mut reg = |s: &Signature| -> u32 {
        match set.get_index_of(s) {
            Some(i) => i as u32,
            None => set.insert_full(s.clone()).0 as u32,
        }
    };
    // The types each object's live code names, in the order its
    // `TYPE_INDEX_LEB` relocations name them first (wasm-ld registers them
    // while it scans the relocations), found in parallel; registered in
    // object order.
    let named: Vec<Vec<u32>> = res
        .objects
        .par_iter()
        .enumerate()
        .map(|(o, obj)| {
            let mut seen = vec![false; obj.types.len()];
            let mut order = Vec::new();
            for (i, f) in obj.functions.iter().enumerate() {
                if !res.live.functions[o][i] {
                    continue;
                }
                for r in &obj.code_relocs[f.relocs.clone()] {
                    if r.ty == RelocType::TypeIndexLeb && !std::mem::replace(&mut seen[r.index as usize], true) {
                        order.push(r.index);
                    }
                }
            }
            order
        })
        .collect();
    let mut object_types = Vec::with_capacity(res.objects.len());
    for (obj, named) in res.objects.iter().zip(named) {
        let mut map: Vec<Option<u32>> = vec![None; obj.types.len()];
        for t in named {
            map[t as usize] = Some(reg(&obj.types[t as usize]));
        }
        object_types.push(map);
    }
    let mut import_function_types = Vec::new();
    let mut tag_types = Vec::new();
    for imp in &res.imports {
        match &imp.kind {
            OutputImportKind::Function(s) => import_function_types.push(reg(s)),
            OutputImportKind::Tag(s) => tag_types.push(reg(s)),
            _ => {}
        }
    }
    let mut function_types = Vec::with_capacity(merged.functions.len());
    for i in 0..merged.functions.len() as u32 {
        let idx = section_merge::OutputFuncIdx(merged.num_imported_functions + i);
        let sig = function_signature(res, merged, idx).ok_or(TypeError::FunctionWithoutSignature { index: idx.0 })?;
        function_types.push(reg(&sig));
    }
    for (obj, index) in &merged.tags {
        let o = &res.objects[obj.0 as usize];
        let ti = o.tags[*index as usize];
        let sig = o
            .types
            .get(ti.index())
            .ok_or_else(|| TypeError::TagTypeOutOfRange { file: o.name.clone(), type_index: ti.0 })?;
        tag_types.push(reg(sig));
    }
    // Functions' own types are registered above by signature; make them
    // resolvable through the object maps too.
    for (o, obj) in res.objects.iter().enumerate() {
        for (t, slot) in obj.types.iter().zip(object_types[o].iter_mut()) {
            if slot.is_none() {
                if let Some(i) = set.get_index_of(t) {
                    *slot = Some(i as u32);
                }
            }
        }
    }
    Ok(TypeTable { types: set.into_iter().collect(), object_types, function_types, import_function_types, tag_types })
}
