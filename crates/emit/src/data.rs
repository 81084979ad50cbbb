//! The data section: every input segment is copied once, in parallel, into
//! its slot of the output buffer and relocated in place.

use crate::relocate::{apply, RelocContext, Site};
use crate::{leb, EmitError};
use atom_layout::{OutputSegment, SegmentPiece};
use rayon::prelude::*;

/// Where active segments go: `global.get __memory_base` (its index) in
/// position-independent output, else the address as a constant of the
/// memory's address type (`i64.const` in a 64-bit memory).
#[derive(Debug, Clone, Copy)]
pub struct OffsetForm {
    /// Position-independent output: `__memory_base`'s global index.
    pub memory_base: Option<u32>,
    /// A 64-bit memory.
    pub memory64: bool,
}

/// The segment header: active (memory 0, an [`OffsetForm`] expression) or
/// passive, then the size.
fn segment_header(seg: &OutputSegment, form: OffsetForm) -> Vec<u8> {
    let mut out = Vec::with_capacity(16);
    if seg.passive {
        out.push(0x01);
    } else if let Some(base) = form.memory_base {
        out.push(0x00); // active, memory 0
        out.push(0x23); // global.get
        leb::write_u32(&mut out, base);
        out.push(0x0b);
    } else {
        out.push(0x00); // active, memory 0
        if form.memory64 {
            out.push(0x42); // i64.const
            leb::write_i64(&mut out, seg.address as i64);
        } else {
            out.push(0x41); // i32.const
            leb::write_i64(&mut out, seg.address as u32 as i32 as i64);
        }
        out.push(0x0b);
    }
    leb::write_u32(&mut out, seg.size as u32);
    out
}

/// The segments written to the data section, in layout order.
pub fn emitted_segments(layout: &atom_layout::Layout) -> Vec<&OutputSegment> {
    layout.segments.iter().filter(|s| s.in_binary).collect()
}

/// Where each of `layout`'s segments sits in the data section payload
/// (`None` for those not written); `written` are the written ones, in order.
pub fn placements(
    layout: &atom_layout::Layout,
    written: &[&OutputSegment],
    form: OffsetForm,
) -> Vec<Option<crate::PlacedSegment>> {
    let mut at = leb::len_u32(written.len() as u32) as u64;
    let mut next = written.iter().peekable();
    layout
        .segments
        .iter()
        .map(|seg| {
            if !next.peek().is_some_and(|w| std::ptr::eq(**w, seg)) {
                return None;
            }
            next.next();
            let header_len = segment_header(seg, form).len() as u64;
            let placed = crate::PlacedSegment { payload_offset: at, header_len };
            at += header_len + seg.size;
            Some(placed)
        })
        .collect()
}

/// Length of the data section payload for `segs`.
pub fn payload_len(segs: &[&OutputSegment], form: OffsetForm) -> usize {
    leb::len_u32(segs.len() as u32)
        + segs.iter().map(|s| segment_header(s, form).len() + s.size as usize).sum::<usize>()
}

/// Offset of each segment's first byte within the data section payload,
/// for the relocations kept in the output.
pub fn body_offsets(segs: &[&OutputSegment], form: OffsetForm) -> Vec<u64> {
    let mut off = leb::len_u32(segs.len() as u32) as u64;
    segs.iter()
        .map(|s| {
            let body = off + segment_header(s, form).len() as u64;
            off = body + s.size;
            body
        })
        .collect()
}

/// Writes the data section payload (count, then each active segment at its
/// address) into `out`, exactly [`payload_len`] bytes. Input segments are
/// copied once into their slots, in parallel, and relocated there; the gaps
/// between them are left as they are (`out` comes zeroed).
pub fn write_payload(
    ctx: &RelocContext<'_, '_>,
    segs: &[&OutputSegment],
    form: OffsetForm,
    out: &mut [u8],
) -> Result<(), EmitError> {
    let mut head = Vec::new();
    leb::write_u32(&mut head, segs.len() as u32);
    let (count, mut rest) = out.split_at_mut(head.len());
    count.copy_from_slice(&head);
    let mut slots = Vec::new();
    let mut blobs = Vec::new();
    for seg in segs {
        let header = segment_header(seg, form);
        let (h, tail) = rest.split_at_mut(header.len());
        h.copy_from_slice(&header);
        let (mut body, tail) = tail.split_at_mut(seg.size as usize);
        rest = tail;
        let mut pos = 0u64;
        let mut placed = vec![false; seg.merged.len()];
        for p in &seg.pieces {
            let len = match p.strings {
                // Merged strings: the blob once, where its first member was.
                Some(b) if placed[b as usize] => continue,
                Some(b) => {
                    placed[b as usize] = true;
                    seg.merged[b as usize].bytes.len()
                }
                None => ctx.res.objects[p.obj.0 as usize].segments[p.segment.index()].data.len(),
            };
            let (_, t) = body.split_at_mut((p.offset - pos) as usize);
            let (slot, t) = t.split_at_mut(len);
            match p.strings {
                Some(b) => blobs.push((&seg.merged[b as usize].bytes, slot)),
                None => slots.push((*seg, p, slot)),
            }
            body = t;
            pos = p.offset + len as u64;
        }
    }
    let ((), relocated) = rayon::join(
        || blobs.into_par_iter().for_each(|(bytes, slot)| slot.copy_from_slice(bytes)),
        || slots.into_par_iter().try_for_each(|(seg, p, slot)| relocate_segment(ctx, seg, p, slot)),
    );
    relocated
}

/// Copies input segment piece `p` of output segment `seg` into its slot and
/// relocates it there.
fn relocate_segment(
    ctx: &RelocContext<'_, '_>,
    seg: &OutputSegment,
    p: &SegmentPiece,
    slot: &mut [u8],
) -> Result<(), EmitError> {
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
}
