//! Static archives as llvm-ar writes them: GNU and BSD variants, long names,
//! with or without a symbol index. Members stay lazy: only their position
//! is recorded here; they are parsed when symbol resolution extracts them.

use crate::error::{RawError, RawResult};

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
            return Err(RawError::new(pos, "truncated thin archive member header"));
        }
        let h = &bytes[pos..pos + HEADER_LEN];
        if &h[58..60] != b"`\n" {
            return Err(RawError::new(pos + 58, "bad archive member header terminator, expected \"`\\n\""));
        }
        let size_str = field(h, 48..58);
        let size: usize =
            size_str.parse().map_err(|_| RawError::new(pos + 48, format!("bad archive member size {size_str:?}")))?;
        let raw_name = field(h, 0..16);
        let data_start = pos + HEADER_LEN;
        // Only the symbol table and the name table have their data inside a
        // thin archive; members' data live in their own files.
        let inline = raw_name == "/" || raw_name == "/SYM64/" || raw_name == "//";
        if inline && size > bytes.len() - data_start {
            return Err(RawError::new(pos + 48, "archive member size runs past the end of the archive"));
        }
        if raw_name == "//" {
            long_names = &bytes[data_start..data_start + size];
        } else if !inline {
            let name = if let Some(off) = raw_name.strip_prefix('/') {
                let off: usize =
                    off.parse().map_err(|_| RawError::new(pos, format!("bad long name reference {raw_name:?}")))?;
                let rest = long_names
                    .get(off..)
                    .ok_or_else(|| RawError::new(pos, format!("long name offset {off} outside the name table")))?;
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
        return Err(RawError::new(0, "thin archive members must be loaded from their own files (see load_inputs)"));
    }
    if !bytes.starts_with(MAGIC) {
        return Err(RawError::new(0, "not an archive (bad magic)"));
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
            return Err(RawError::new(
                pos,
                format!("truncated archive member header ({} of {HEADER_LEN} bytes)", bytes.len() - pos),
            ));
        }
        let h = &bytes[pos..pos + HEADER_LEN];
        if &h[58..60] != b"`\n" {
            return Err(RawError::new(pos + 58, "bad archive member header terminator, expected \"`\\n\""));
        }
        let size_str = field(h, 48..58);
        let size: usize =
            size_str.parse().map_err(|_| RawError::new(pos + 48, format!("bad archive member size {size_str:?}")))?;
        let data_start = pos + HEADER_LEN;
        if size > bytes.len() - data_start {
            return Err(RawError::new(
                pos + 48,
                format!(
                    "archive member size {size} runs past the end of the archive ({} bytes left)",
                    bytes.len() - data_start
                ),
            ));
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
            let n: usize = len.parse().map_err(|_| RawError::new(pos, format!("bad BSD long name length {len:?}")))?;
            if n > data.len() {
                return Err(RawError::new(pos, "BSD long name runs past the member data"));
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
            let off: usize =
                off.parse().map_err(|_| RawError::new(pos, format!("bad long name reference {raw_name:?}")))?;
            if off >= long_names.len() {
                return Err(RawError::new(pos, format!("long name offset {off} outside the name table")));
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
        members.binary_search_by_key(&off, |m| m.header_offset).map(|i| MemberIndex(i as u32)).map_err(|_| {
            RawError::new(at, format!("symbol index points at offset {off}, which is not a member header"))
        })
    };
    let symbol_index = if let Some((data, base, is64)) = gnu_index {
        let w = if is64 { 8 } else { 4 };
        // Error offsets stay inside the index member.
        let pos = |at: usize| base + at.min(data.len());
        let read = |at: usize| -> RawResult<usize> {
            let b = data.get(at..at + w).ok_or_else(|| RawError::new(pos(at), "truncated archive symbol index"))?;
            Ok(b.iter().fold(0usize, |acc, &x| acc.wrapping_shl(8) | x as usize))
        };
        let count = read(0)?;
        if count.saturating_mul(w) > data.len() {
            return Err(RawError::new(
                base,
                format!("archive symbol index claims {count} entries but has {} bytes", data.len()),
            ));
        }
        let mut names_at = w + count * w;
        let mut out = Vec::with_capacity(count);
        for i in 0..count {
            let off = read(w + i * w)?;
            let rest = data.get(names_at..).unwrap_or(&[]);
            let end = rest
                .iter()
                .position(|&b| b == 0)
                .ok_or_else(|| RawError::new(pos(names_at), "unterminated name in archive symbol index"))?;
            let name = std::str::from_utf8(&rest[..end])
                .map_err(|_| RawError::new(pos(names_at), "archive symbol name is not UTF-8"))?;
            out.push((name, by_header(off, base + w + i * w)?));
            names_at += end + 1;
        }
        Some(out)
    } else if let Some((data, base, is64)) = bsd_index {
        let w = if is64 { 8 } else { 4 };
        let pos = |at: usize| base + at.min(data.len());
        let read = |at: usize| -> RawResult<usize> {
            let b = data.get(at..at + w).ok_or_else(|| RawError::new(pos(at), "truncated archive symbol index"))?;
            Ok(b.iter().rev().fold(0usize, |acc, &x| acc.wrapping_shl(8) | x as usize))
        };
        let ranlib_size = read(0)?;
        if ranlib_size > data.len() {
            return Err(RawError::new(base, "BSD symbol index size runs past its member"));
        }
        let count = ranlib_size / (2 * w);
        let strtab_at = w + ranlib_size;
        let strtab_size = read(strtab_at)?;
        // A 64-bit size can be anything: no overflow on the way.
        let strtab = (strtab_at + w)
            .checked_add(strtab_size)
            .and_then(|end| data.get(strtab_at + w..end))
            .ok_or_else(|| RawError::new(pos(strtab_at), "BSD symbol string table runs past its member"))?;
        let mut out = Vec::with_capacity(count);
        for i in 0..count {
            let strx = read(w + i * 2 * w)?;
            let off = read(w + i * 2 * w + w)?;
            let rest = strtab.get(strx..).ok_or_else(|| RawError::new(base, "BSD symbol name offset out of range"))?;
            let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            let name = std::str::from_utf8(&rest[..end])
                .map_err(|_| RawError::new(base, "archive symbol name is not UTF-8"))?;
            out.push((name, by_header(off, base)?));
        }
        Some(out)
    } else {
        None
    };
    Ok(Archive { members, symbol_index })
}
