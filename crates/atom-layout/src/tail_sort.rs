//! Sorting distinct strings in wasm-ld's string-table order: compared from
//! the last byte backwards, a greater byte first, and a string before every
//! string that ends it (so that a string that is the tail of another comes
//! right after it and can share its bytes).
//!
//! Debug builds merge hundreds of thousands of `.debug_str` strings, many of
//! them C++ names sharing long tails (`...EEEvT_`). A comparison sort looks
//! at those shared tails again in every comparison; a multikey quicksort
//! (Bentley and Sedgewick) partitions on one byte at a time and looks at
//! each byte of a shared tail once per partition, which is also how LLVM's
//! string table builder sorts. The order is total over distinct strings, so
//! the result does not depend on pivots or on how the work is split
//! between threads.

use std::cmp::Ordering;

/// Below this many strings a partition is finished by a comparison sort.
const SMALL: usize = 16;

/// Above this many strings the two outer partitions are sorted in parallel.
const PARALLEL: usize = 8192;

/// Partitioning this deep means bad pivots; the rest is compared instead.
const MAX_DEPTH: u32 = 96;

/// A string to sort and the caller's number for it.
pub(crate) type Item<'a> = (&'a [u8], u32);

/// Sorts `items` (distinct strings) in wasm-ld's tail order.
pub(crate) fn sort(items: &mut [Item<'_>]) {
    multikey(items, 0, 0);
}

/// The byte `pos` places from the end of `s`, or -1 past its start (which
/// sorts after every byte).
#[inline]
fn byte_from_end(s: &[u8], pos: usize) -> i32 {
    if pos < s.len() {
        i32::from(s[s.len() - 1 - pos])
    } else {
        -1
    }
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

/// Sorts `v`, whose strings all share their last `pos` bytes.
fn multikey(mut v: &mut [Item<'_>], mut pos: usize, mut depth: u32) {
    loop {
        if v.len() <= SMALL || depth >= MAX_DEPTH {
            v.sort_unstable_by(|a, b| tail_order_from(a.0, b.0, pos));
            return;
        }
        let pivot = median_of_three(v, pos);
        let (greater, equal_end) = partition(v, pos, pivot);
        let (head, rest) = v.split_at_mut(greater);
        let (equal, less) = rest.split_at_mut(equal_end - greater);
        if head.len() + less.len() >= PARALLEL {
            rayon::join(|| multikey(head, pos, depth + 1), || multikey(less, pos, depth + 1));
        } else {
            multikey(head, pos, depth + 1);
            multikey(less, pos, depth + 1);
        }
        // Past the start of the strings they are equal: distinct strings
        // leave at most one there.
        if pivot < 0 {
            return;
        }
        v = equal;
        pos += 1;
        depth += 1;
    }
}

/// The middle value of the byte at `pos` of the first, middle and last
/// strings: a pivot that does not degrade on sorted input.
fn median_of_three(v: &[Item<'_>], pos: usize) -> i32 {
    let a = byte_from_end(v[0].0, pos);
    let b = byte_from_end(v[v.len() / 2].0, pos);
    let c = byte_from_end(v[v.len() - 1].0, pos);
    a.max(b).min(a.min(b).max(c))
}

/// Three-way partition on the byte at `pos`: greater bytes first, then the
/// ones equal to `pivot`, then the smaller ones. Returns where the equal
/// ones start and end.
fn partition(v: &mut [Item<'_>], pos: usize, pivot: i32) -> (usize, usize) {
    let (mut lt, mut i, mut gt) = (0, 0, v.len());
    while i < gt {
        let c = byte_from_end(v[i].0, pos);
        match c.cmp(&pivot) {
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
