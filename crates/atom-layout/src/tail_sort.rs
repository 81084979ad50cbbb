//! Sorting distinct strings in wasm-ld's string-table order: compared from
//! the last byte backwards, a greater byte first, and a string before every
//! string that ends it (so that a string that is the tail of another comes
//! right after it and can share its bytes).
//!
//! Debug builds merge hundreds of thousands of `.debug_str` strings, many of
//! them C++ names sharing long tails (`...EEEvT_`). A comparison sort looks
//! at those shared tails again in every comparison; a multikey quicksort
//! (Bentley and Sedgewick, as LLVM's string table builder sorts) partitions
//! on one position at a time and looks at each position of a shared tail
//! once per partition. Here a position is seven bytes, packed into a key
//! kept next to the string, so that partitioning reads the key array
//! rather than the strings, which are scattered over the inputs. The order
//! is total over distinct strings, so the result does not depend on pivots
//! or on how the work is split between threads.

use std::cmp::Ordering;

/// Below this many strings a partition is finished by a comparison sort.
const SMALL: usize = 16;

/// Above this many strings the two outer partitions are sorted in parallel.
const PARALLEL: usize = 8192;

/// Recursing this deep means bad pivots; the rest is compared instead.
const MAX_DEPTH: u32 = 96;

/// Bytes per key: seven, as 9-bit digits (each byte plus one, and 0 past
/// the start of the string) in 63 bits.
const KEY_BYTES: usize = 7;

/// A string to sort and the caller's number for it.
pub(crate) type Item<'a> = (&'a [u8], u32);

/// An item with the key of its bytes at the current depth.
type Keyed<'a> = (u64, &'a [u8], u32);

/// Sorts `items` (distinct strings) in wasm-ld's tail order.
pub(crate) fn sort(items: &mut [Item<'_>]) {
    let mut keyed: Vec<Keyed<'_>> = items.iter().map(|&(s, n)| (key_at(s, 0), s, n)).collect();
    multikey(&mut keyed, 0, 0);
    for (item, (_, s, n)) in items.iter_mut().zip(keyed) {
        *item = (s, n);
    }
}

/// The key of the seven bytes of `s` that come `pos`..`pos + 7` places from
/// its end, last byte first: keys compare as [`tail_order`] compares those
/// bytes, reversed (a greater key sorts first).
#[inline]
fn key_at(s: &[u8], pos: usize) -> u64 {
    let mut key = 0u64;
    for k in pos..pos + KEY_BYTES {
        let digit = if k < s.len() { u64::from(s[s.len() - 1 - k]) + 1 } else { 0 };
        key = (key << 9) | digit;
    }
    key
}

/// [`tail_order`] for strings already known to share their last `pos` bytes.
fn tail_order_from(a: &[u8], b: &[u8], pos: usize) -> Ordering {
    let a = &a[..a.len().saturating_sub(pos)];
    let b = &b[..b.len().saturating_sub(pos)];
    tail_order(a, b)
}

/// wasm-ld's string-table order of two strings.
pub(crate) fn tail_order(a: &[u8], b: &[u8]) -> Ordering {
    let mut ai = a.iter().rev();
    let mut bi = b.iter().rev();
    loop {
        match (ai.next(), bi.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) => return y.cmp(x),
            (Some(_), None) => return Ordering::Less,
            (None, Some(_)) => return Ordering::Greater,
            (None, None) => return Ordering::Equal,
        }
    }
}

/// Sorts `v`, whose strings all share their last `pos` bytes and whose keys
/// are those of bytes `pos..pos + 7` from the end.
fn multikey(mut v: &mut [Keyed<'_>], mut pos: usize, depth: u32) {
    loop {
        if v.len() <= SMALL || depth >= MAX_DEPTH {
            v.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| tail_order_from(a.1, b.1, pos)));
            return;
        }
        let pivot = median_of_three(v);
        let (greater, equal_end) = partition(v, pivot);
        let (head, rest) = v.split_at_mut(greater);
        let (equal, less) = rest.split_at_mut(equal_end - greater);
        if head.len() + less.len() >= PARALLEL {
            rayon::join(|| multikey(head, pos, depth + 1), || multikey(less, pos, depth + 1));
        } else {
            multikey(head, pos, depth + 1);
            multikey(less, pos, depth + 1);
        }
        // A key whose last digit is past the start of the string: the
        // strings are equal, and distinct strings leave at most one.
        if pivot & 0x1ff == 0 {
            return;
        }
        // One position deeper, in the loop (not recursion): shared tails
        // can be thousands of bytes long.
        v = equal;
        pos += KEY_BYTES;
        for item in v.iter_mut() {
            item.0 = key_at(item.1, pos);
        }
    }
}

/// The middle key of the first, middle and last items: a pivot that does
/// not degrade on sorted input.
fn median_of_three(v: &[Keyed<'_>]) -> u64 {
    let (a, b, c) = (v[0].0, v[v.len() / 2].0, v[v.len() - 1].0);
    a.max(b).min(a.min(b).max(c))
}

/// Three-way partition on the key: greater keys first, then the ones equal
/// to `pivot`, then the smaller ones. Returns where the equal ones start
/// and end.
fn partition(v: &mut [Keyed<'_>], pivot: u64) -> (usize, usize) {
    let (mut lt, mut i, mut gt) = (0, 0, v.len());
    while i < gt {
        match v[i].0.cmp(&pivot) {
            Ordering::Greater => {
                v.swap(lt, i);
                lt += 1;
                i += 1;
            }
            Ordering::Less => {
                gt -= 1;
                v.swap(i, gt);
            }
            Ordering::Equal => i += 1,
        }
    }
    (lt, gt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_as_tail_order_compares() {
        // Pseudo-random distinct strings over a small alphabet, with long
        // shared tails, more than one partition's worth.
        let mut x = 99u64;
        let mut words: Vec<Vec<u8>> = Vec::new();
        for n in 0..20_000u32 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let mut w: Vec<u8> =
                (0..(x >> 59) as usize).map(|j| b"ab\xff"[((x >> ((3 * j) % 60)) % 3) as usize]).collect();
            w.extend_from_slice(&n.to_le_bytes()[..(n % 3) as usize]);
            if n % 2 == 0 {
                // A shared tail much longer than the recursion limit.
                w.extend(std::iter::repeat_n(b'E', 1000));
            }
            w.extend_from_slice(b"EEEEvT_\0");
            words.push(w);
        }
        words.sort();
        words.dedup();
        let mut items: Vec<Item<'_>> = words.iter().enumerate().map(|(i, w)| (w.as_slice(), i as u32)).collect();
        sort(&mut items);
        let mut expected: Vec<&[u8]> = words.iter().map(Vec::as_slice).collect();
        expected.sort_by(|a, b| tail_order(a, b));
        assert_eq!(items.iter().map(|i| i.0).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn a_string_comes_before_the_strings_that_end_it() {
        let mut items: Vec<Item<'_>> = vec![(b"bc\0", 0), (b"abc\0", 1), (b"zz\0", 2), (b"x\0", 3), (b"\0", 4)];
        sort(&mut items);
        let order: Vec<u32> = items.iter().map(|i| i.1).collect();
        assert_eq!(order, vec![2, 3, 1, 0, 4]);
    }
}
