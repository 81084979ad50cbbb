//! [`ArchiveBuilder`]: GNU `ar` archives as llvm-ar writes them: a `/`
//! symbol index (big-endian member offsets), a `//` long-name table for
//! names over 15 bytes, members padded to even offsets.

/// Builds a GNU archive from named members.
///
/// ```
/// use test_objects::ArchiveBuilder;
/// let a = ArchiveBuilder::new().member("a.o", b"\0asm\x01\0\0\0".to_vec(), &["foo"]).build();
/// assert!(a.starts_with(b"!<arch>\n/ "));
/// ```
#[derive(Debug, Clone)]
pub struct ArchiveBuilder {
    members: Vec<(String, Vec<u8>, Vec<String>)>,
    index: bool,
}

impl Default for ArchiveBuilder {
    fn default() -> Self {
        ArchiveBuilder { members: Vec::new(), index: true }
    }
}

fn header(name: &str, size: usize) -> Vec<u8> {
    let h = format!("{name:<16}{:<12}{:<6}{:<6}{:<8}{size:<10}`\n", "0", "0", "0", "644");
    assert_eq!(h.len(), 60, "archive member header for {name:?}");
    h.into_bytes()
}

impl ArchiveBuilder {
    /// An empty archive that will have a symbol index.
    pub fn new() -> ArchiveBuilder {
        ArchiveBuilder::default()
    }

    /// Appends member `name` with contents `data`; `defines` are the
    /// symbol names the index attributes to it.
    pub fn member(mut self, name: &str, data: Vec<u8>, defines: &[&str]) -> ArchiveBuilder {
        self.members.push((name.into(), data, defines.iter().map(|s| s.to_string()).collect()));
        self
    }

    /// Leaves out the symbol index (`ar qS`): the linker must read the
    /// members' symbol tables itself.
    pub fn without_index(mut self) -> ArchiveBuilder {
        self.index = false;
        self
    }

    /// The archive's bytes.
    pub fn build(&self) -> Vec<u8> {
        // Long-name table and each member's header name.
        let mut long_names = Vec::new();
        let mut header_names = Vec::new();
        for (name, _, _) in &self.members {
            if name.len() > 15 {
                header_names.push(format!("/{}", long_names.len()));
                long_names.extend_from_slice(name.as_bytes());
                long_names.extend_from_slice(b"/\n");
            } else {
                header_names.push(format!("{name}/"));
            }
        }
        let pad = |v: &mut Vec<u8>| {
            if v.len() % 2 == 1 {
                v.push(b'\n');
            }
        };
        let symbols: Vec<(usize, &str)> = self
            .members
            .iter()
            .enumerate()
            .flat_map(|(i, (_, _, defs))| defs.iter().map(move |d| (i, d.as_str())))
            .collect();
        let index_size = 4 + 4 * symbols.len() + symbols.iter().map(|(_, s)| s.len() + 1).sum::<usize>();
        let mut pos = 8;
        if self.index {
            pos += 60 + index_size.next_multiple_of(2);
        }
        if !long_names.is_empty() {
            pos += 60 + long_names.len().next_multiple_of(2);
        }
        let mut member_offsets = Vec::new();
        for (_, data, _) in &self.members {
            member_offsets.push(pos);
            pos += 60 + data.len().next_multiple_of(2);
        }

        let mut out = b"!<arch>\n".to_vec();
        if self.index {
            out.extend(header("/", index_size));
            out.extend_from_slice(&(symbols.len() as u32).to_be_bytes());
            for (m, _) in &symbols {
                out.extend_from_slice(&(member_offsets[*m] as u32).to_be_bytes());
            }
            for (_, s) in &symbols {
                out.extend_from_slice(s.as_bytes());
                out.push(0);
            }
            pad(&mut out);
        }
        if !long_names.is_empty() {
            out.extend(header("//", long_names.len()));
            out.extend_from_slice(&long_names);
            pad(&mut out);
        }
        for (((_, data, _), hname), offset) in self.members.iter().zip(&header_names).zip(&member_offsets) {
            debug_assert_eq!(out.len(), *offset);
            out.extend(header(hname, data.len()));
            out.extend_from_slice(data);
            pad(&mut out);
        }
        out
    }
}
