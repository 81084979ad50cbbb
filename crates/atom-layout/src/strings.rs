//! String merging (wasm-ld at `-O1`, its default, and above): the live
//! input segments flagged `WASM_SEG_FLAG_STRINGS` with 1-byte alignment
//! that go into one output segment (per segment flags) become one blob of
//! unique NUL-terminated strings. As in wasm-ld, the blob holds the strings
//! sorted from the last byte backwards (descending), so that a string that
//! ends another one follows it and shares its bytes (tail merging); it sits
//! where the first merged input segment was.
//!
//! This is the one place where layout reads data bytes: deduplicating
//! strings needs them. Segments with relocations are never merged.

use crate::memory::{OutputSegment, SegmentPiece};
use crate::tail_sort;
use object_parse::{segment_flags, SegmentIdx};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use symbol_resolve::{ObjectId, Resolution};

/// One merged blob of strings inside an output segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedStrings {
    /// Offset within the output segment.
    pub offset: u64,
    /// The strings, each with its NUL, tail-merged.
    pub bytes: Vec<u8>,
}

/// Where each string of a merged input segment went: `(input offset,
/// offset in the blob)` per string, in input order.
pub type StringPieces = Vec<(u64, u64)>;

/// Whether an input segment's strings are merged.
pub(crate) fn is_mergeable(res: &Resolution<'_>, obj: ObjectId, segment: SegmentIdx) -> bool {
    let seg = &res.objects[obj.0 as usize].segments[segment.index()];
    seg.info.flags & segment_flags::STRINGS != 0
        && seg.info.flags & segment_flags::TLS == 0
        && seg.info.align_log2 == 0
        && seg.data.last() == Some(&0)
        && seg.relocs.is_empty()
}

/// Merges the strings of every output segment that has mergeable input
/// segments and lays its pieces out again (offsets and size). Returns where
/// each merged input segment's strings went.
pub(crate) fn merge_strings(
    res: &Resolution<'_>,
    segments: &mut [OutputSegment],
) -> FxHashMap<(ObjectId, SegmentIdx), StringPieces> {
    let mut maps = FxHashMap::default();
    for seg in segments.iter_mut() {
        if seg.is_tls || !seg.pieces.iter().any(|p| is_mergeable(res, p.obj, p.segment)) {
            continue;
        }
        // One blob per distinct segment flags, in first-seen order.
        let mut groups: Vec<(u32, Vec<usize>)> = Vec::new();
        for (k, p) in seg.pieces.iter().enumerate() {
            if is_mergeable(res, p.obj, p.segment) {
                let flags = res.objects[p.obj.0 as usize].segments[p.segment.index()].info.flags;
                match groups.iter_mut().find(|(f, _)| *f == flags) {
                    Some((_, members)) => members.push(k),
                    None => groups.push((flags, vec![k])),
                }
            }
        }
        let mut blob_of_piece = vec![None; seg.pieces.len()];
        let mut blobs = Vec::new();
        for (g, (_, members)) in groups.iter().enumerate() {
            let inputs: Vec<&[u8]> = members
                .iter()
                .map(|&k| res.objects[seg.pieces[k].obj.0 as usize].segments[seg.pieces[k].segment.index()].data)
                .collect();
            let (bytes, offsets) = build_blob(&inputs);
            for (&k, pieces) in members.iter().zip(offsets) {
                blob_of_piece[k] = Some(g as u32);
                maps.insert((seg.pieces[k].obj, seg.pieces[k].segment), pieces);
            }
            blobs.push(MergedStrings { offset: 0, bytes });
        }
        relayout(res, seg, &blob_of_piece, blobs);
    }
    maps
}

/// Offsets and size of `seg` again, with each blob in place of its first
/// member and the other members sharing the blob's offset.
fn relayout(
    res: &Resolution<'_>,
    seg: &mut OutputSegment,
    blob_of_piece: &[Option<u32>],
    mut blobs: Vec<MergedStrings>,
) {
    let mut size = 0u64;
    let mut placed = vec![false; blobs.len()];
    let pieces = std::mem::take(&mut seg.pieces);
    for (p, blob) in pieces.into_iter().zip(blob_of_piece) {
        let offset = match *blob {
            Some(b) if placed[b as usize] => blobs[b as usize].offset,
            Some(b) => {
                placed[b as usize] = true;
                blobs[b as usize].offset = size;
                size += blobs[b as usize].bytes.len() as u64;
                blobs[b as usize].offset
            }
            None => {
                let input = &res.objects[p.obj.0 as usize].segments[p.segment.index()];
                let offset = size.div_ceil(1 << input.info.align_log2) << input.info.align_log2;
                size = offset + input.data.len() as u64;
                offset
            }
        };
        seg.pieces.push(SegmentPiece { offset, strings: *blob, ..p });
    }
    seg.size = size;
    seg.merged = blobs;
}

/// The unique strings of `inputs` in wasm-ld's order, tail-merged, and per
/// input the `(input offset, blob offset)` of each of its strings. Each
/// input must end with a NUL. (Also used by emit for `.debug_str`.)
pub fn build_blob(inputs: &[&[u8]]) -> (Vec<u8>, Vec<StringPieces>) {
    let mut offsets: Vec<StringPieces> = inputs.par_iter().map(|d| split_strings(d)).collect();
    let text = |(i, k): (u32, u32)| -> &[u8] {
        let (start, end) = offsets[i as usize][k as usize];
        &inputs[i as usize][start as usize..end as usize]
    };
    // Equal strings share one place, so only the distinct strings need
    // sorting in wasm-ld's order (debug builds repeat the same names in
    // every object). Every string is hashed (in parallel), then filed in
    // one table in input order: the distinct strings in first-seen order,
    // and per input, per string, which distinct string it is.
    let hashes: Vec<Vec<u64>> = (offsets.par_iter().zip(inputs))
        .map(|(strings, data)| strings.iter().map(|&(a, b)| hash_bytes(&data[a as usize..b as usize])).collect())
        .collect();
    let total: usize = hashes.iter().map(Vec::len).sum();
    let mut table: hashbrown::HashTable<(u64, u32)> = hashbrown::HashTable::with_capacity(total / 2);
    let mut distinct: Vec<(u32, u32)> = Vec::new();
    let mut distinct_of: Vec<Vec<u32>> = Vec::with_capacity(inputs.len());
    for (i, hashes) in hashes.iter().enumerate() {
        let mut ids = Vec::with_capacity(hashes.len());
        for (k, &h) in hashes.iter().enumerate() {
            let s = text((i as u32, k as u32));
            let same = |&(hh, d): &(u64, u32)| hh == h && text(distinct[d as usize]) == s;
            let id = match table.entry(h, same, |&(hh, _)| hh) {
                hashbrown::hash_table::Entry::Occupied(e) => e.get().1,
                hashbrown::hash_table::Entry::Vacant(e) => {
                    let id = distinct.len() as u32;
                    distinct.push((i as u32, k as u32));
                    e.insert((h, id));
                    id
                }
            };
            ids.push(id);
        }
        distinct_of.push(ids);
    }
    // The distinct strings in wasm-ld's order.
    let mut order: Vec<tail_sort::Item<'_>> = distinct.iter().enumerate().map(|(d, &s)| (text(s), d as u32)).collect();
    tail_sort::sort(&mut order);
    // At most every distinct string once (tail merging only saves).
    let most = order.iter().map(|(s, _)| s.len()).sum();
    let mut bytes: Vec<u8> = crate::big_buffer::with_capacity(most);
    let mut placed = vec![0u64; distinct.len()];
    let mut previous: &[u8] = &[];
    for &(s, d) in &order {
        let at = if previous.ends_with(s) {
            bytes.len() - s.len()
        } else {
            bytes.extend_from_slice(s);
            previous = s;
            bytes.len() - s.len()
        };
        placed[d as usize] = at as u64;
    }
    // From (start, end) per string to (input offset, blob offset).
    for (strings, ids) in offsets.iter_mut().zip(&distinct_of) {
        for (string, &d) in strings.iter_mut().zip(ids) {
            string.1 = placed[d as usize];
        }
    }
    (bytes, offsets)
}

/// A fast hash of a string's bytes, to find equal strings.
fn hash_bytes(s: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(s);
    h.finish()
}

/// Where byte `offset` of a merged input went in its blob: the blob offset
/// of the string holding it, plus the offset inside that string.
pub fn map_offset(pieces: &[(u64, u64)], offset: u64) -> u64 {
    let k = pieces.partition_point(|(start, _)| *start <= offset);
    match k.checked_sub(1).and_then(|k| pieces.get(k)) {
        Some((start, out)) => out + (offset - start),
        None => offset,
    }
}

/// The NUL-terminated strings of `data` (each with its NUL), as (start,
/// end) offsets.
fn split_strings(data: &[u8]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut start = 0u64;
    for nul in memchr::memchr_iter(0, data) {
        let end = nul as u64 + 1;
        out.push((start, end));
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tail_sort::tail_order;

    /// wasm-ld's order over every occurrence, placed one by one: the
    /// definition `build_blob` must match.
    fn reference_blob(inputs: &[&[u8]]) -> (Vec<u8>, Vec<StringPieces>) {
        let mut offsets: Vec<StringPieces> = inputs.iter().map(|d| split_strings(d)).collect();
        let mut occ: Vec<(u32, u32)> =
            offsets.iter().enumerate().flat_map(|(i, s)| (0..s.len() as u32).map(move |k| (i as u32, k))).collect();
        let text = |(i, k): (u32, u32)| {
            let (a, b) = offsets[i as usize][k as usize];
            &inputs[i as usize][a as usize..b as usize]
        };
        occ.sort_by(|&a, &b| tail_order(text(a), text(b)).then(a.cmp(&b)));
        let (mut bytes, mut placed, mut previous) = (Vec::new(), Vec::new(), &[][..]);
        for &o in &occ {
            let s = text(o);
            if !previous.ends_with(s) {
                bytes.extend_from_slice(s);
                previous = s;
            }
            placed.push((bytes.len() - s.len()) as u64);
        }
        for (&(i, k), at) in occ.iter().zip(placed) {
            offsets[i as usize][k as usize].1 = at;
        }
        (bytes, offsets)
    }

    #[test]
    fn matches_the_reference_order_on_many_strings() {
        // Pseudo-random strings over a small alphabet: many repeats, shared
        // tails longer and shorter than the key.
        let mut x = 12345u64;
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for _ in 0..6 {
            let mut d = Vec::new();
            for _ in 0..300 {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let len = (x >> 60) as usize;
                for j in 0..len {
                    d.push(b"ab_\xff"[((x >> (8 + 2 * j)) & 3) as usize]);
                }
                d.push(0);
            }
            inputs.push(d);
        }
        let refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
        assert_eq!(build_blob(&refs), reference_blob(&refs));
    }

    #[test]
    fn strings_are_sorted_from_the_end_and_tail_merged() {
        let (bytes, offsets) = build_blob(&[b"abc\0bc\0zz\0", b"bc\0x\0"]);
        // From the end: "zz", then "x", then "abc" (which "bc" ends).
        assert_eq!(bytes, b"zz\0x\0abc\0");
        assert_eq!(offsets, vec![vec![(0, 5), (4, 6), (7, 0)], vec![(0, 6), (3, 3)]]);
    }
}
