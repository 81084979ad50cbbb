//! What a dynamically linked module (`-pie`, `-shared`, or linked against
//! shared libraries) needs besides its sections: the `dylink.0` section
//! that tells the loader how much memory and how many table slots to give
//! it, and the bodies of the functions that finish relocation at run time
//! (`__wasm_apply_data_relocs`, `__wasm_apply_global_relocs`,
//! `__wasm_start`).

use crate::ops::{address_add, address_const};
use crate::relocate::{RelocContext, Site};
use crate::{leb, EmitError};
use atom_layout::Layout;
use object_parse::RelocType;
use section_merge::MergedModule;
use symbol_resolve::{RelocTypeExt, Resolution, Target};

const CALL: u8 = 0x10;
const END: u8 = 0x0b;
const GLOBAL_GET: u8 = 0x23;
const GLOBAL_SET: u8 = 0x24;
const I32_CONST: u8 = 0x41;
const I64_CONST: u8 = 0x42;
const I32_STORE: u8 = 0x36;
const I64_STORE: u8 = 0x37;

/// `dylink.0` subsection ids.
const MEM_INFO: u8 = 1;
const NEEDED: u8 = 2;
const IMPORT_INFO: u8 = 4;
const RUNTIME_PATH: u8 = 5;

/// Whether the module gets a `dylink.0` section: position-independent, or
/// with symbols the dynamic loader resolves.
pub fn needs_dylink(res: &Resolution<'_>) -> bool {
    res.pic.is_some() || !res.got_imported.is_empty()
}

fn name(b: &mut Vec<u8>, s: &str) {
    leb::write_u32(b, s.len() as u32);
    b.extend_from_slice(s.as_bytes());
}

fn subsection(out: &mut Vec<u8>, id: u8, body: &[u8]) {
    out.push(id);
    leb::write_u32(out, body.len() as u32);
    out.extend_from_slice(body);
}

/// The `dylink.0` payload: memory size and alignment, table size, the
/// shared libraries needed, weak imports the loader may leave unresolved,
/// and the runtime path (`-rpath`).
pub fn dylink_section(res: &Resolution<'_>, layout: &Layout, rpath: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    let (mem_size, mem_align) = layout.memory.dylink.unwrap_or((0, 0));
    let mut mem = Vec::new();
    leb::write_u32(&mut mem, mem_size as u32);
    leb::write_u32(&mut mem, mem_align);
    leb::write_u32(&mut mem, layout.table.slots.len() as u32);
    leb::write_u32(&mut mem, 0);
    subsection(&mut out, MEM_INFO, &mem);
    if !res.needed.is_empty() {
        let mut needed = Vec::new();
        leb::write_u32(&mut needed, res.needed.len() as u32);
        for n in &res.needed {
            name(&mut needed, n);
        }
        subsection(&mut out, NEEDED, &needed);
    }
    if !res.weak_imports.is_empty() {
        let mut info = Vec::new();
        leb::write_u32(&mut info, res.weak_imports.len() as u32);
        for (module, field, flags) in &res.weak_imports {
            name(&mut info, module);
            name(&mut info, field);
            leb::write_u32(&mut info, *flags);
        }
        subsection(&mut out, IMPORT_INFO, &info);
    }
    if !rpath.is_empty() {
        let mut paths = Vec::new();
        leb::write_u32(&mut paths, rpath.len() as u32);
        for p in rpath {
            name(&mut paths, p);
        }
        subsection(&mut out, RUNTIME_PATH, &paths);
    }
    out
}

fn global_get(b: &mut Vec<u8>, index: u32) {
    b.push(GLOBAL_GET);
    leb::write_u32(b, index);
}

/// The imported global `env.NAME` a generated body reads.
fn base(merged: &MergedModule, global: &'static str) -> Result<u32, EmitError> {
    merged.imported_global(global).map(|g| g.0).ok_or(EmitError::MissingLoaderGlobal(global))
}

/// `__wasm_apply_data_relocs` (without its size prefix): for each
/// relocation of the data that only run time can resolve (all of them in
/// position-independent output), in output order, stores at its address
/// (plus `__memory_base`) the symbol's GOT entry plus addend, or the
/// link-time value plus `__memory_base` (`__table_base` for a slot).
pub fn apply_data_relocs_body(ctx: &RelocContext<'_, '_>) -> Result<Vec<u8>, EmitError> {
    let (res, layout, merged) = (ctx.res, ctx.layout, ctx.merged);
    let pic = res.pic.is_some();
    let memory64 = layout.memory.memory64;
    let memory_base = if pic { Some(base(merged, "__memory_base")?) } else { None };
    let mut b = vec![0u8]; // no locals
    for seg in layout.segments.iter().filter(|s| !(s.is_tls && s.passive)) {
        for p in &seg.pieces {
            let obj = &res.objects[p.obj.0 as usize];
            let Some(input) = obj.segments.get(p.segment.index()) else { continue };
            for r in &obj.data_relocs[input.relocs.clone()] {
                let got = res.is_got_imported(p.obj, r.index);
                if !pic && !got {
                    continue;
                }
                if !matches!(
                    r.ty,
                    RelocType::MemoryAddrI32
                        | RelocType::MemoryAddrI64
                        | RelocType::TableIndexI32
                        | RelocType::TableIndexI64
                ) {
                    return Err(EmitError::InvalidRuntimeRelocation(r.ty.name()));
                }
                let rel = u64::from(r.offset - input.section_offset);
                address_const(&mut b, seg.address + p.offset + rel, memory64);
                if let Some(mb) = memory_base {
                    global_get(&mut b, mb);
                    b.push(address_add(memory64));
                }
                let wide = matches!(r.ty, RelocType::MemoryAddrI64 | RelocType::TableIndexI64);
                let (konst, add, store) = if wide {
                    (I64_CONST, address_add(true), I64_STORE)
                } else {
                    (I32_CONST, address_add(false), I32_STORE)
                };
                if got {
                    let sym = obj.linking.symbols.get(r.index as usize).map_or("", |s| s.name);
                    let g = merged.got_import_index.get(sym).ok_or(EmitError::MissingLoaderGlobal("GOT entry"))?;
                    global_get(&mut b, g.0);
                    if r.addend != 0 {
                        b.push(konst);
                        leb::write_i64(&mut b, r.addend);
                        b.push(add);
                    }
                } else {
                    let table = r.ty.is_table_index();
                    global_get(&mut b, base(merged, if table { "__table_base" } else { "__memory_base" })?);
                    let value = ctx.value(p.obj, r, Site::Data { address: seg.address + p.offset }, rel)?;
                    b.push(konst);
                    leb::write_i64(&mut b, if wide { value as i64 } else { value as u32 as i32 as i64 });
                    b.push(add);
                }
                b.extend([store, 2, 0]);
            }
        }
    }
    b.push(END);
    Ok(b)
}

/// `__wasm_apply_global_relocs` (without its size prefix): each GOT entry
/// the module defines gets `__memory_base` plus its data address, or
/// `__table_base` plus its function's slot.
pub fn apply_global_relocs_body(layout: &Layout, merged: &MergedModule) -> Result<Vec<u8>, EmitError> {
    let mut b = vec![0u8]; // no locals
    for (k, entry) in layout.table.got.iter().enumerate() {
        if entry.tls {
            continue;
        }
        let (global, value) = match &entry.target {
            Target::Function(f) => match layout.table.slot_of.get(f) {
                Some(&slot) => ("__table_base", u64::from(slot)),
                None => continue,
            },
            Target::Data(symbol_resolve::DataRef::Dynamic(_)) => continue,
            Target::Data(d) => match layout.data_address(d) {
                Some(a) => ("__memory_base", a),
                None => continue,
            },
            _ => continue,
        };
        let index = merged.got_index.get(&entry.target).ok_or(EmitError::GotEntryWithoutValue(k as u32))?;
        global_get(&mut b, base(merged, global)?);
        address_const(&mut b, value, layout.memory.memory64);
        b.push(address_add(layout.memory.memory64));
        b.push(GLOBAL_SET);
        leb::write_u32(&mut b, index.0);
    }
    b.push(END);
    Ok(b)
}

/// `__wasm_apply_global_tls_relocs` (without its size prefix): each GOT
/// entry of a thread-local symbol gets this thread's `__tls_base` plus the
/// symbol's offset in the TLS block.
pub fn apply_global_tls_relocs_body(layout: &Layout, merged: &MergedModule) -> Result<Vec<u8>, EmitError> {
    let tls_base = merged
        .synthetic_global_index
        .get(&symbol_resolve::SyntheticGlobal::TlsBase)
        .ok_or(EmitError::MissingLoaderGlobal("__tls_base"))?
        .0;
    let block = layout.tls.map_or(0, |t| t.0);
    let mut b = vec![0u8]; // no locals
    for (k, entry) in layout.table.got.iter().enumerate().filter(|(_, e)| e.tls) {
        let Target::Data(d) = &entry.target else { continue };
        let Some(address) = layout.data_address(d) else { continue };
        let index = merged.got_index.get(&entry.target).ok_or(EmitError::GotEntryWithoutValue(k as u32))?;
        global_get(&mut b, tls_base);
        address_const(&mut b, address.wrapping_sub(block), layout.memory.memory64);
        b.push(address_add(layout.memory.memory64));
        b.push(GLOBAL_SET);
        leb::write_u32(&mut b, index.0);
    }
    b.push(END);
    Ok(b)
}

/// `__wasm_start` (without its size prefix): calls what runs at start, in
/// order (`__wasm_apply_global_relocs`, then `__wasm_init_memory`).
pub fn start_body(merged: &MergedModule) -> Vec<u8> {
    let mut b = vec![0u8];
    for f in &merged.start_calls {
        b.push(CALL);
        leb::write_u32(&mut b, f.0);
    }
    b.push(END);
    b
}
