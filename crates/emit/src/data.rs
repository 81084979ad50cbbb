//! The data section: every input segment is copied once, in parallel, into
//! its slot of the output buffer and relocated in place.

use crate::relocate::{apply, RelocContext, Site};
use crate::{leb, EmitError};
use atom_layout::OutputSegment;
use rayon::prelude::*;

/// The segment header: active (memory 0, `i32.const ADDRESS end`) or
/// passive, then the size.
fn segment_header(seg: &OutputSegment) -> Vec<u8> {
    let mut out = Vec::with_capacity(16);
    if seg.passive {
        out.push(0x01);
    } else {
        out.push(0x00); // active, memory 0
        out.push(0x41); // i32.const
        leb::write_i64(&mut out, seg.address as u32 as i32 as i64);
        out.push(0x0b);
    }
    leb::write_u32(&mut out, seg.size as u32);
    out
}

/// The segments written to the data section, in layout order.
pub fn emitted_segments(layout: &atom_layout::Layout) -> Vec<&OutputSegment> {
    layout.segments.iter().filter(|s| s.in_binary).collect()
}

/// Length of the data section payload for `segs`.
pub fn payload_len(segs: &[&OutputSegment]) -> usize {
    leb::len_u32(segs.len() as u32) + segs.iter().map(|s| segment_header(s).len() + s.size as usize).sum::<usize>()
}

/// Writes the data section payload (count, then each active segment at its
/// address) into `out`, exactly [`payload_len`] bytes. Input segments are
/// copied once into their slots, in parallel, and relocated there; the gaps
/// between them are left as they are (`out` comes zeroed).
pub fn write_payload(ctx: &RelocContext<'_, '_>, segs: &[&OutputSegment], out: &mut [u8]) -> Result<(), EmitError> {
    let mut head = Vec::new();
    leb::write_u32(&mut head, segs.len() as u32);
    let (count, mut rest) = out.split_at_mut(head.len());
    count.copy_from_slice(&head);
    let mut slots = Vec::new();
    for seg in segs {
        let header = segment_header(seg);
        let (h, tail) = rest.split_at_mut(header.len());
        h.copy_from_slice(&header);
        let (mut body, tail) = tail.split_at_mut(seg.size as usize);
        rest = tail;
        let mut pos = 0u64;
        for p in &seg.pieces {
            let input = &ctx.res.objects[p.obj.0 as usize].segments[p.segment.index()];
            let (_, t) = body.split_at_mut((p.offset - pos) as usize);
            let (slot, t) = t.split_at_mut(input.data.len());
            slots.push((*seg, p, slot));
            body = t;
            pos = p.offset + input.data.len() as u64;
        }
    }
    slots.into_par_iter().try_for_each(|(seg, p, slot)| {
        let o = &ctx.res.objects[p.obj.0 as usize];
        let input = &o.segments[p.segment.index()];
        slot.copy_from_slice(input.data);
        apply(
            ctx,
            p.obj,
            slot,
            input.section_offset,
            &o.data_relocs[input.relocs.clone()],
            Site::Data { address: seg.address + p.offset },
        )
    })
}
