//! Byte buffers of tens of megabytes (merged strings here; the module and
//! its `name` section in emit), backed by transparent huge pages where the
//! kernel allows it: filling fresh memory otherwise takes a page fault
//! every 4 KiB, thousands per link.

/// Size of a transparent huge page on the targets that have them.
const HUGE_PAGE: usize = 2 << 20;

/// Buffers smaller than this are left to the allocator's usual pages.
const WORTH_ADVISING: usize = 4 * HUGE_PAGE;

/// An empty vector with room for `capacity` bytes, advised for huge pages.
pub fn with_capacity(capacity: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(capacity);
    advise(v.as_mut_ptr(), v.capacity());
    v
}

/// `len` zero bytes, advised for huge pages before anything touches them.
pub fn zeroed(len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    advise(v.as_mut_ptr(), v.len());
    v
}

/// Asks the kernel to back the whole huge pages inside `len` bytes at
/// `ptr` with transparent huge pages (`MADV_HUGEPAGE`); a no-op elsewhere
/// and for small buffers.
fn advise(ptr: *mut u8, len: usize) {
    if len < WORTH_ADVISING {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let start = (ptr as usize).next_multiple_of(HUGE_PAGE);
        let end = (ptr as usize + len) / HUGE_PAGE * HUGE_PAGE;
        if end > start {
            // SAFETY: the range lies inside one live allocation, and
            // MADV_HUGEPAGE only changes how its pages are backed, never
            // their contents.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = ptr;
}

#[cfg(test)]
mod tests {
    #[test]
    fn buffers_have_the_asked_size_and_contents() {
        let big = 9 * super::HUGE_PAGE + 123;
        let z = super::zeroed(big);
        assert_eq!(z.len(), big);
        assert!(z.iter().all(|&b| b == 0));
        let mut v = super::with_capacity(big);
        assert!(v.is_empty() && v.capacity() >= big);
        v.extend(std::iter::repeat_n(7u8, big));
        assert!(v.iter().all(|&b| b == 7));
        assert_eq!(super::zeroed(3), vec![0; 3]);
    }
}
