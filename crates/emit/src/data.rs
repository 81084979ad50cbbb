//! The data section: each output segment is one presized buffer into which
//! its input segments are copied (in parallel) and relocated in place.

use crate::relocate::{apply, RelocContext, Site};
use crate::{leb, EmitError};
use atom_layout::OutputSegment;
use rayon::prelude::*;

/// Whether a segment is written to the data section (`.bss` is not, when the
/// memory starts zeroed because the module defines it).
pub fn is_emitted(seg: &OutputSegment, import_memory: bool) -> bool {
    import_memory || !seg.is_bss
}

/// Builds the bytes of one output segment with relocations applied.
fn segment_bytes(ctx: &RelocContext<'_, '_>, seg: &OutputSegment) -> Result<Vec<u8>, EmitError> {
    let mut buf = vec![0u8; seg.size as usize];
    let mut slots = Vec::with_capacity(seg.pieces.len());
    let mut rest = &mut buf[..];
    let mut pos = 0u64;
    for p in &seg.pieces {
        let input = &ctx.res.objects[p.obj.0 as usize].segments[p.segment as usize];
        let (_, tail) = rest.split_at_mut((p.offset - pos) as usize);
        let (slot, tail) = tail.split_at_mut(input.data.len());
        slots.push((p, slot));
        rest = tail;
        pos = p.offset + input.data.len() as u64;
    }
    slots.into_par_iter().try_for_each(|(p, slot)| {
        let o = &ctx.res.objects[p.obj.0 as usize];
        let input = &o.segments[p.segment as usize];
        slot.copy_from_slice(input.data);
        apply(
            ctx,
            p.obj,
            slot,
            input.section_offset,
            &o.data_relocs[input.relocs.clone()],
            Site::Data { address: seg.address + p.offset },
        )
    })?;
    Ok(buf)
}

/// Writes the data section payload: active segments at their addresses.
pub fn payload(ctx: &RelocContext<'_, '_>, import_memory: bool) -> Result<(Vec<u8>, u32), EmitError> {
    let segs: Vec<&OutputSegment> = ctx.layout.segments.iter().filter(|s| is_emitted(s, import_memory)).collect();
    let bodies = segs.par_iter().map(|s| segment_bytes(ctx, s)).collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::with_capacity(bodies.iter().map(|b| b.len() + 16).sum::<usize>() + 5);
    leb::write_u32(&mut out, segs.len() as u32);
    for (s, b) in segs.iter().zip(bodies) {
        out.push(0x00); // active, memory 0
        out.push(0x41); // i32.const
        leb::write_i64(&mut out, s.address as u32 as i32 as i64);
        out.push(0x0b);
        leb::write_u32(&mut out, b.len() as u32);
        out.extend_from_slice(&b);
    }
    Ok((out, segs.len() as u32))
}
