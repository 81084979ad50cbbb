//! `--compress-relocations`: input functions rewritten with every
//! relocated LEB128 field at its minimal length instead of the 5 (or 10)
//! padded bytes objects carry, as wasm-ld does. The function is relocated
//! while it is copied, so its final size is known before the code section
//! is laid out; bodies are otherwise copied unchanged.

use crate::relocate::{RelocContext, Site};
use crate::{leb, EmitError};
use object_parse::FieldEncoding;
use symbol_resolve::ObjectId;

/// The chunk of input function `index` of `obj` (size prefix and body),
/// relocated, with its relocated LEB fields at minimal length; and the
/// length of its size prefix.
pub fn compressed_function(
    ctx: &RelocContext<'_, '_>,
    obj: ObjectId,
    index: usize,
) -> Result<(Vec<u8>, u32), EmitError> {
    let o = &ctx.res.objects[obj.0 as usize];
    let func = &o.functions[index];
    let chunk = func.chunk;
    let mut body = Vec::with_capacity(chunk.len());
    let mut at = func.size_prefix_len as usize;
    for r in &o.code_relocs[func.relocs.clone()] {
        let rel = (r.offset - func.section_offset) as usize;
        let (Some(before), Some(width)) = (chunk.get(at..rel), padded_width(r.ty.encoding())) else {
            return Err(EmitError::CompressOverlap { file: o.name.clone(), offset: r.offset });
        };
        body.extend_from_slice(before);
        let v = ctx.value(obj, r, Site::Code, rel as u64)?;
        match r.ty.encoding() {
            FieldEncoding::Uleb32 => leb::write_u32(&mut body, v as u32),
            FieldEncoding::Uleb64 => leb::write_u64(&mut body, v),
            FieldEncoding::Sleb32 => leb::write_i64(&mut body, i64::from(v as u32 as i32)),
            FieldEncoding::Sleb64 => leb::write_i64(&mut body, v as i64),
            FieldEncoding::I32 => body.extend_from_slice(&(v as u32).to_le_bytes()),
            FieldEncoding::I64 => body.extend_from_slice(&v.to_le_bytes()),
        }
        at = rel + width;
    }
    let rest =
        chunk.get(at..).ok_or(EmitError::CompressOverlap { file: o.name.clone(), offset: func.section_offset })?;
    body.extend_from_slice(rest);
    let mut out = Vec::with_capacity(body.len() + 5);
    leb::write_u32(&mut out, body.len() as u32);
    let prefix_len = out.len() as u32;
    out.extend(body);
    Ok((out, prefix_len))
}

/// Bytes a relocated field takes in the input.
fn padded_width(e: FieldEncoding) -> Option<usize> {
    Some(match e {
        FieldEncoding::Uleb32 | FieldEncoding::Sleb32 => 5,
        FieldEncoding::Uleb64 | FieldEncoding::Sleb64 => 10,
        FieldEncoding::I32 => 4,
        FieldEncoding::I64 => 8,
    })
}
