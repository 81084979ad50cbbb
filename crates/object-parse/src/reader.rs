//! A small bounds-checked cursor over bytes, for the custom sections that the
//! linker reads itself (`linking`, `reloc.*`, `target_features`, `producers`)
//! and for archives. Every failure reports the absolute byte offset.

use crate::error::{LebProblem, ParseErrorKind, RawError, RawResult};

/// Cursor over `data`, whose first byte sits at absolute offset `base`.
#[derive(Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `data`; `base` is the absolute offset of `data[0]`.
    pub fn new(data: &'a [u8], base: usize) -> Self {
        Reader { data, pos: 0, base }
    }

    /// Absolute offset of the next byte.
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Position relative to the start of this reader's data.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// True when every byte has been consumed.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// Bytes not yet consumed.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// An error at the current position.
    pub fn error(&self, kind: ParseErrorKind) -> RawError {
        RawError::new(self.offset(), kind)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> RawResult<u8> {
        let b = *self.data.get(self.pos).ok_or_else(|| self.error(ParseErrorKind::UnexpectedEnd))?;
        self.pos += 1;
        Ok(b)
    }

    /// Reads `n` bytes.
    pub fn bytes(&mut self, n: usize, what: &'static str) -> RawResult<&'a [u8]> {
        if n > self.remaining() {
            return Err(self.error(ParseErrorKind::RunsPastEnd { what, len: n, left: self.remaining() }));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Reads an unsigned LEB128 of at most 32 bits (at most 5 bytes).
    #[inline]
    pub fn leb_u32(&mut self) -> RawResult<u32> {
        // Fast path: the whole number is in the buffer (no per-byte bounds
        // check); relocations and symbol tables are mostly LEBs.
        let rest = &self.data[self.pos.min(self.data.len())..];
        let mut result: u32 = 0;
        for (i, &b) in rest.iter().take(4).enumerate() {
            result |= u32::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                self.pos += i + 1;
                return Ok(result);
            }
        }
        self.leb_u32_slow()
    }

    /// [`Reader::leb_u32`] for 5-byte numbers, the end of the data and errors.
    #[cold]
    fn leb_u32_slow(&mut self) -> RawResult<u32> {
        let start = self.offset();
        let mut result: u64 = 0;
        for i in 0..5 {
            let b = self.u8().map_err(|_| leb_error(start, LebProblem::Truncated))?;
            result |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return u32::try_from(result).map_err(|_| leb_error(start, LebProblem::TooLargeU32));
            }
        }
        Err(leb_error(start, LebProblem::TooLong { max: 5 }))
    }

    /// Reads a signed LEB128 of at most 32 bits.
    pub fn leb_i32(&mut self) -> RawResult<i32> {
        let v = self.leb_i64_n(5)?;
        i32::try_from(v).map_err(|_| self.error(ParseErrorKind::BadLeb(LebProblem::TooLargeI32)))
    }

    /// Reads a signed LEB128 of at most 64 bits.
    #[inline]
    pub fn leb_i64(&mut self) -> RawResult<i64> {
        // Fast path: up to 9 bytes in the buffer (shift stays below 64).
        let rest = &self.data[self.pos.min(self.data.len())..];
        let mut result: i64 = 0;
        let mut shift = 0u32;
        for (i, &b) in rest.iter().take(9).enumerate() {
            result |= i64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if b & 0x40 != 0 {
                    result |= -1i64 << shift;
                }
                self.pos += i + 1;
                return Ok(result);
            }
        }
        self.leb_i64_n(10)
    }

    fn leb_i64_n(&mut self, max: usize) -> RawResult<i64> {
        let start = self.offset();
        let mut result: i64 = 0;
        let mut shift = 0u32;
        for _ in 0..max {
            let b = self.u8().map_err(|_| leb_error(start, LebProblem::Truncated))?;
            if shift < 64 {
                result |= i64::from(b & 0x7f) << shift;
            }
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    result |= -1i64 << shift;
                }
                return Ok(result);
            }
        }
        Err(leb_error(start, LebProblem::TooLong { max }))
    }

    /// Reads a count and checks that `count * min_item_size` bytes can still
    /// follow, so a hostile count never drives an allocation.
    pub fn count(&mut self, min_item_size: usize, what: &'static str) -> RawResult<u32> {
        let at = self.offset();
        let n = self.leb_u32()?;
        if (n as usize).saturating_mul(min_item_size) > self.remaining() {
            return Err(RawError::new(at, ParseErrorKind::CountTooLarge { what, count: n, left: self.remaining() }));
        }
        Ok(n)
    }

    /// Reads a length-prefixed UTF-8 string.
    pub fn string(&mut self, what: &'static str) -> RawResult<&'a str> {
        let len = self.leb_u32()? as usize;
        let at = self.offset();
        let b = self.bytes(len, what)?;
        std::str::from_utf8(b).map_err(|_| RawError::new(at, ParseErrorKind::InvalidUtf8 { what }))
    }
}

fn leb_error(offset: usize, problem: LebProblem) -> RawError {
    RawError::new(offset, ParseErrorKind::BadLeb(problem))
}
