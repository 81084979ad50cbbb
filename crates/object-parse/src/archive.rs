//! Static archives as llvm-ar writes them: GNU and BSD variants, long names,
//! with or without a symbol index. Members stay lazy: only their position
//! is recorded here; they are parsed when symbol resolution extracts them.

use crate::error::{ParseErrorKind as K, RawError, RawResult};

const MAGIC: &[u8; 8] = b"!<arch>\n";
const HEADER_LEN: usize = 60;

/// Newtype index of a member within its archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemberIndex(pub u32);

/// One archive member.
#[derive(Debug, Clone)]
pub struct Member<'a> {
    /// The member's file name.
    pub name: String,
    /// Offset of its header within the archive.
    pub header_offset: usize,
    /// Offset of its data within the archive.
    pub data_offset: usize,
    /// The member's bytes.
    pub data: &'a [u8],
}

/// A parsed archive: its members and its symbol index (if it has one).
#[derive(Debug, Clone)]
pub struct Archive<'a> {
    /// Regular members, in archive order.
    pub members: Vec<Member<'a>>,
    /// Symbol index: defined symbol name and the member defining it, in
    /// index order. `None` when the archive has no index.
    pub symbol_index: Option<Vec<(&'a str, MemberIndex)>>,
}

/// True when `bytes` starts with the archive magic.
pub fn is_archive(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC) || bytes.starts_with(b"!<thin>\n")
}

fn field(h: &[u8], range: std::ops::Range<usize>) -> &str {
    std::str::from_utf8(&h[range]).unwrap_or("").trim_end_matches(' ')
}

/// True when `bytes` is a thin archive (members stored as separate files).
pub fn is_thin_archive(bytes: &[u8]) -> bool {
    bytes.starts_with(b"!<thin>\n")
}

/// The member paths of a thin archive, as written (relative to the
/// archive's directory unless absolute), in archive order.
pub fn thin_member_paths(bytes: &[u8]) -> RawResult<Vec<String>> {
    let mut pos = 8;
    let mut long_names: &[u8] = &[];
    let mut out = Vec::new();
    while pos < bytes.len() {
        if bytes.len() - pos < HEADER_LEN {
            if bytes[pos..].iter().all(|&b| b == b'\n') {
                break;
            }
            return Err(RawError::new(pos, K::TruncatedThinMemberHeader));
        }
        let h = &bytes[pos..pos + HEADER_LEN];
        if &h[58..60] != b"`\n" {
            return Err(RawError::new(pos + 58, K::BadMemberTerminator));
        }
        let size_str = field(h, 48..58);
        let size: usize =
            size_str.parse().map_err(|_| RawError::new(pos + 48, K::BadMemberSize(size_str.to_string())))?;
        let raw_name = field(h, 0..16);
        let data_start = pos + HEADER_LEN;
        // Only the symbol table and the name table have their data inside a
        // thin archive; members' data live in their own files.
        let inline = raw_name == "/" || raw_name == "/SYM64/" || raw_name == "//";
        if inline && size > bytes.len() - data_start {
            return Err(RawError::new(pos + 48, K::ThinMemberPastEnd));
        }
        if raw_name == "//" {
            long_names = &bytes[data_start..data_start + size];
        } else if !inline {
            let name = if let Some(off) = raw_name.strip_prefix('/') {
                let off: usize =
                    off.parse().map_err(|_| RawError::new(pos, K::BadLongNameRef(raw_name.to_string())))?;
                let rest = long_names.get(off..).ok_or_else(|| RawError::new(pos, K::LongNameOutOfRange(off)))?;
                let end = rest.iter().position(|&b| b == b'\n' || b == 0).unwrap_or(rest.len());
                String::from_utf8_lossy(&rest[..end]).trim_end_matches('/').to_string()
            } else {
                raw_name.trim_end_matches('/').to_string()
            };
            out.push(name);
        }
        pos = data_start + if inline { size } else { 0 };
        if pos % 2 == 1 {
            pos += 1;
        }
    }
    Ok(out)
}

/// Parses the archive's member table and symbol index.
pub fn parse_archive(bytes: &[u8]) -> RawResult<Archive<'_>> {
    if is_thin_archive(bytes) {
        return Err(RawError::new(0, K::ThinArchiveNotLoaded));
    }
    if !bytes.starts_with(MAGIC) {
        return Err(RawError::new(0, K::BadArchiveMagic));
    }
    let mut pos = MAGIC.len();
    let mut members = Vec::new();
    let mut long_names: &[u8] = &[];
    let mut gnu_index: Option<(&[u8], usize, bool)> = None; // data, data offset, is 64-bit
    let mut bsd_index: Option<(&[u8], usize, bool)> = None;
    while pos < bytes.len() {
        if bytes.len() - pos < HEADER_LEN {
            if bytes[pos..].iter().all(|&b| b == b'\n') {
                break;
            }
            return Err(RawError::new(pos, K::TruncatedMemberHeader { available: bytes.len() - pos }));
        }
        let h = &bytes[pos..pos + HEADER_LEN];
        if &h[58..60] != b"`\n" {
            return Err(RawError::new(pos + 58, K::BadMemberTerminator));
        }
        let size_str = field(h, 48..58);
        let size: usize =
            size_str.parse().map_err(|_| RawError::new(pos + 48, K::BadMemberSize(size_str.to_string())))?;
        let data_start = pos + HEADER_LEN;
        if size > bytes.len() - data_start {
            return Err(RawError::new(pos + 48, K::MemberPastEnd { size, left: bytes.len() - data_start }));
        }
        let mut data = &bytes[data_start..data_start + size];
        let mut data_offset = data_start;
        let raw_name = field(h, 0..16);
        let name: String = if raw_name == "/" || raw_name == "/SYM64/" {
            gnu_index = Some((data, data_start, raw_name == "/SYM64/"));
            String::new()
        } else if raw_name == "//" {
            long_names = data;
            String::new()
        } else if let Some(len) = raw_name.strip_prefix("#1/") {
            let n: usize = len.parse().map_err(|_| RawError::new(pos, K::BadBsdNameLength(len.to_string())))?;
            if n > data.len() {
                return Err(RawError::new(pos, K::BsdNamePastEnd));
            }
            let nm = String::from_utf8_lossy(&data[..n]).trim_end_matches('\0').to_string();
            data = &data[n..];
            data_offset += n;
            if nm.starts_with("__.SYMDEF") {
                bsd_index = Some((data, data_offset, nm.contains("_64")));
                String::new()
            } else {
                nm
            }
        } else if raw_name.starts_with("__.SYMDEF") {
            bsd_index = Some((data, data_offset, raw_name.contains("_64")));
            String::new()
        } else if let Some(off) = raw_name.strip_prefix('/') {
            let off: usize = off.parse().map_err(|_| RawError::new(pos, K::BadLongNameRef(raw_name.to_string())))?;
            if off >= long_names.len() {
                return Err(RawError::new(pos, K::LongNameOutOfRange(off)));
            }
            let rest = &long_names[off..];
            let end = rest.iter().position(|&b| b == b'\n' || b == 0).unwrap_or(rest.len());
            String::from_utf8_lossy(&rest[..end]).trim_end_matches('/').to_string()
        } else {
            raw_name.trim_end_matches('/').to_string()
        };
        if !name.is_empty() {
            members.push(Member { name, header_offset: pos, data_offset, data });
        }
        pos = data_start + size;
        if pos % 2 == 1 {
            pos += 1;
        }
    }
    let by_header = |off: usize, at: usize| -> RawResult<MemberIndex> {
        members
            .binary_search_by_key(&off, |m| m.header_offset)
            .map(|i| MemberIndex(i as u32))
            .map_err(|_| RawError::new(at, K::IndexNotMemberHeader(off)))
    };
    let symbol_index = if let Some((data, base, is64)) = gnu_index {
        let w = if is64 { 8 } else { 4 };
        // Error offsets stay inside the index member.
        let pos = |at: usize| base + at.min(data.len());
        let read = |at: usize| -> RawResult<usize> {
            let b = data.get(at..at + w).ok_or_else(|| RawError::new(pos(at), K::TruncatedSymbolIndex))?;
            Ok(b.iter().fold(0usize, |acc, &x| acc.wrapping_shl(8) | x as usize))
        };
        let count = read(0)?;
        if count.saturating_mul(w) > data.len() {
            return Err(RawError::new(base, K::SymbolIndexCount { count, len: data.len() }));
        }
        let mut names_at = w + count * w;
        let mut out = Vec::with_capacity(count);
        for i in 0..count {
            let off = read(w + i * w)?;
            let rest = data.get(names_at..).unwrap_or(&[]);
            let end = rest
                .iter()
                .position(|&b| b == 0)
                .ok_or_else(|| RawError::new(pos(names_at), K::UnterminatedIndexName))?;
            let name =
                std::str::from_utf8(&rest[..end]).map_err(|_| RawError::new(pos(names_at), K::IndexNameNotUtf8))?;
            out.push((name, by_header(off, base + w + i * w)?));
            names_at += end + 1;
        }
        Some(out)
    } else if let Some((data, base, is64)) = bsd_index {
        let w = if is64 { 8 } else { 4 };
        let pos = |at: usize| base + at.min(data.len());
        let read = |at: usize| -> RawResult<usize> {
            let b = data.get(at..at + w).ok_or_else(|| RawError::new(pos(at), K::TruncatedSymbolIndex))?;
            Ok(b.iter().rev().fold(0usize, |acc, &x| acc.wrapping_shl(8) | x as usize))
        };
        let ranlib_size = read(0)?;
        if ranlib_size > data.len() {
            return Err(RawError::new(base, K::BsdIndexPastEnd));
        }
        let count = ranlib_size / (2 * w);
        let strtab_at = w + ranlib_size;
        let strtab_size = read(strtab_at)?;
        // A 64-bit size can be anything: no overflow on the way.
        let strtab = (strtab_at + w)
            .checked_add(strtab_size)
            .and_then(|end| data.get(strtab_at + w..end))
            .ok_or_else(|| RawError::new(pos(strtab_at), K::BsdStrtabPastEnd))?;
        let mut out = Vec::with_capacity(count);
        for i in 0..count {
            let strx = read(w + i * 2 * w)?;
            let off = read(w + i * 2 * w + w)?;
            let rest = strtab.get(strx..).ok_or_else(|| RawError::new(base, K::BsdNameOffsetOutOfRange))?;
            let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            let name = std::str::from_utf8(&rest[..end]).map_err(|_| RawError::new(base, K::IndexNameNotUtf8))?;
            out.push((name, by_header(off, base)?));
        }
        Some(out)
    } else {
        None
    };
    Ok(Archive { members, symbol_index })
}
