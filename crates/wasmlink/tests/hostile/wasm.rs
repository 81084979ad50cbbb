//! A tiny wasm object rewriter for the hostile-input tests: splits a module
//! into sections, decodes the parts of the `linking` and `reloc.*` custom
//! sections the tests modify, and re-serialises everything with correct
//! sizes (or with deliberately wrong ones). Also reads and writes GNU
//! archives. It only ever reads well-formed inputs (the real objects in
//! testdata/), so it panics on anything it does not understand.

#![allow(dead_code)]

// ---------------------------------------------------------------------------
// LEB128

/// Minimal unsigned LEB128.
pub fn uleb(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

/// Unsigned LEB128 padded to exactly `len` bytes (`len` may exceed what a
/// u32 or u64 allows: that is the point of over-long LEBs).
pub fn uleb_padded(v: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut v = v;
    for i in 0..len {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        out.push(if i + 1 == len { b } else { b | 0x80 });
    }
    assert_eq!(v, 0, "value does not fit in {len} LEB bytes");
    out
}

/// Minimal signed LEB128.
pub fn sleb(mut v: i64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        let done = (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0);
        if done {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

/// u32::MAX as a 5-byte LEB: the largest count a file can claim.
pub const COUNT_MAX: [u8; 5] = [0xff, 0xff, 0xff, 0xff, 0x0f];

pub fn read_uleb(b: &[u8], pos: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let x = b[*pos];
        *pos += 1;
        v |= u64::from(x & 0x7f) << shift;
        if x & 0x80 == 0 {
            return v;
        }
        shift += 7;
    }
}

pub fn read_sleb(b: &[u8], pos: &mut usize) -> i64 {
    let mut v = 0i64;
    let mut shift = 0;
    loop {
        let x = b[*pos];
        *pos += 1;
        v |= i64::from(x & 0x7f) << shift;
        shift += 7;
        if x & 0x80 == 0 {
            if shift < 64 && x & 0x40 != 0 {
                v |= -1i64 << shift;
            }
            return v;
        }
    }
}

/// A length-prefixed name.
pub fn name(s: &[u8]) -> Vec<u8> {
    let mut out = uleb(s.len() as u64);
    out.extend_from_slice(s);
    out
}

pub fn read_name(b: &[u8], pos: &mut usize) -> Vec<u8> {
    let n = read_uleb(b, pos) as usize;
    let s = b[*pos..*pos + n].to_vec();
    *pos += n;
    s
}

// ---------------------------------------------------------------------------
// Sections

pub const SEC_CUSTOM: u8 = 0;
pub const SEC_TYPE: u8 = 1;
pub const SEC_IMPORT: u8 = 2;
pub const SEC_FUNCTION: u8 = 3;
pub const SEC_EXPORT: u8 = 7;
pub const SEC_ELEM: u8 = 9;
pub const SEC_CODE: u8 = 10;
pub const SEC_DATA: u8 = 11;

/// One section: its id and payload (for custom sections, the payload
/// starts with the name).
#[derive(Clone, Debug)]
pub struct Section {
    pub id: u8,
    pub payload: Vec<u8>,
    /// Length of the size LEB in the original file (LLVM pads section sizes
    /// to 5 bytes); 0 for minimal.
    pub size_len: usize,
}

/// `v` as a LEB of `len` bytes if it fits (0: minimal).
pub fn uleb_like(v: u64, len: usize) -> Vec<u8> {
    if len > 0 && (len >= 10 || v < 1u64 << (7 * len)) {
        uleb_padded(v, len)
    } else {
        uleb(v)
    }
}

impl Section {
    pub fn custom(name_s: &str, body: &[u8]) -> Section {
        let mut payload = name(name_s.as_bytes());
        payload.extend_from_slice(body);
        Section { id: SEC_CUSTOM, payload, size_len: 0 }
    }

    /// The name of a custom section.
    pub fn custom_name(&self) -> Option<Vec<u8>> {
        (self.id == SEC_CUSTOM).then(|| read_name(&self.payload, &mut 0))
    }

    /// The payload after the name of a custom section.
    pub fn custom_body(&self) -> &[u8] {
        assert_eq!(self.id, SEC_CUSTOM);
        let mut p = 0;
        read_name(&self.payload, &mut p);
        &self.payload[p..]
    }

    pub fn set_custom_body(&mut self, body: &[u8]) {
        let n = self.custom_name().unwrap();
        let mut payload = name(&n);
        payload.extend_from_slice(body);
        self.payload = payload;
    }

    /// For a vector section (type, import, function, code, data...): the
    /// payload after the count, and the count.
    pub fn vec_parts(&self) -> (u64, &[u8]) {
        let mut p = 0;
        let n = read_uleb(&self.payload, &mut p);
        (n, &self.payload[p..])
    }

    /// Replaces the count of a vector section with `count` (raw bytes).
    pub fn set_vec_count_raw(&mut self, count: &[u8]) {
        let (_, rest) = self.vec_parts();
        let mut payload = count.to_vec();
        payload.extend_from_slice(rest);
        self.payload = payload;
    }
}

/// A module as a list of sections.
#[derive(Clone, Debug)]
pub struct Module {
    /// The 8-byte header.
    pub header: Vec<u8>,
    pub sections: Vec<Section>,
}

impl Module {
    pub fn parse(bytes: &[u8]) -> Module {
        assert_eq!(&bytes[..8], b"\0asm\x01\0\0\0", "not a wasm module");
        let mut pos = 8;
        let mut sections = Vec::new();
        while pos < bytes.len() {
            let id = bytes[pos];
            pos += 1;
            let at = pos;
            let size = read_uleb(bytes, &mut pos) as usize;
            sections.push(Section { id, payload: bytes[pos..pos + size].to_vec(), size_len: pos - at });
            pos += size;
        }
        assert_eq!(pos, bytes.len());
        Module { header: bytes[..8].to_vec(), sections }
    }

    pub fn encode(&self) -> Vec<u8> {
        self.encode_with_size(usize::MAX, &[])
    }

    /// Encodes the module, writing `size` (raw bytes) as the size field of
    /// section `index` instead of its real size.
    pub fn encode_with_size(&self, index: usize, size: &[u8]) -> Vec<u8> {
        let mut out = self.header.clone();
        for (i, s) in self.sections.iter().enumerate() {
            out.push(s.id);
            if i == index {
                out.extend_from_slice(size);
            } else {
                out.extend(uleb_like(s.payload.len() as u64, s.size_len));
            }
            out.extend_from_slice(&s.payload);
        }
        out
    }

    /// Index of the first section with this id.
    pub fn find(&self, id: u8) -> usize {
        self.sections.iter().position(|s| s.id == id).unwrap_or_else(|| panic!("no section with id {id}"))
    }

    /// Index of the custom section with this name.
    pub fn find_custom(&self, n: &str) -> usize {
        self.sections
            .iter()
            .position(|s| s.custom_name().as_deref() == Some(n.as_bytes()))
            .unwrap_or_else(|| panic!("no custom section {n:?}"))
    }

    pub fn section(&mut self, id: u8) -> &mut Section {
        let i = self.find(id);
        &mut self.sections[i]
    }

    pub fn custom(&mut self, n: &str) -> &mut Section {
        let i = self.find_custom(n);
        &mut self.sections[i]
    }

    pub fn linking(&self) -> Linking {
        Linking::parse(self.sections[self.find_custom("linking")].custom_body())
    }

    pub fn set_linking(&mut self, l: &Linking) {
        self.custom("linking").set_custom_body(&l.encode());
    }

    pub fn relocs(&self, section: &str) -> RelocSection {
        RelocSection::parse(self.sections[self.find_custom(section)].custom_body())
    }

    pub fn set_relocs(&mut self, section: &str, r: &RelocSection) {
        self.custom(section).set_custom_body(&r.encode());
    }

    /// Edits the linking section's symbol table.
    pub fn edit_symbols(&mut self, f: impl FnOnce(&mut Vec<Sym>)) {
        let mut l = self.linking();
        let mut syms = l.symbols();
        f(&mut syms);
        l.set_symbols(&syms);
        self.set_linking(&l);
    }

    /// Edits the entries of a `reloc.*` section.
    pub fn edit_relocs(&mut self, section: &str, f: impl FnOnce(&mut RelocSection)) {
        let mut r = self.relocs(section);
        f(&mut r);
        self.set_relocs(section, &r);
    }
}

// ---------------------------------------------------------------------------
// The linking section

pub const SUB_SEGMENT_INFO: u8 = 5;
pub const SUB_INIT_FUNCS: u8 = 6;
pub const SUB_COMDAT_INFO: u8 = 7;
pub const SUB_SYMBOL_TABLE: u8 = 8;

pub const SYM_UNDEFINED: u32 = 0x10;
pub const SYM_EXPLICIT_NAME: u32 = 0x40;
pub const SYM_LOCAL: u32 = 0x2;

/// The linking section: version and raw subsections.
#[derive(Clone, Debug)]
pub struct Linking {
    pub version: u64,
    pub subs: Vec<(u8, Vec<u8>)>,
    /// Length of each subsection's size LEB in the original (0: minimal).
    pub size_lens: Vec<usize>,
}

impl Linking {
    pub fn parse(b: &[u8]) -> Linking {
        let mut p = 0;
        let version = read_uleb(b, &mut p);
        let mut subs = Vec::new();
        let mut size_lens = Vec::new();
        while p < b.len() {
            let ty = b[p];
            p += 1;
            let at = p;
            let len = read_uleb(b, &mut p) as usize;
            size_lens.push(p - at);
            subs.push((ty, b[p..p + len].to_vec()));
            p += len;
        }
        Linking { version, subs, size_lens }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = uleb(self.version);
        for (i, (ty, body)) in self.subs.iter().enumerate() {
            out.push(*ty);
            out.extend(uleb_like(body.len() as u64, self.size_lens.get(i).copied().unwrap_or(0)));
            out.extend_from_slice(body);
        }
        out
    }

    pub fn sub(&self, ty: u8) -> &[u8] {
        &self.subs.iter().find(|s| s.0 == ty).unwrap_or_else(|| panic!("no linking subsection {ty}")).1
    }

    pub fn sub_mut(&mut self, ty: u8) -> &mut Vec<u8> {
        &mut self.subs.iter_mut().find(|s| s.0 == ty).unwrap_or_else(|| panic!("no linking subsection {ty}")).1
    }

    pub fn symbols(&self) -> Vec<Sym> {
        Sym::parse_table(self.sub(SUB_SYMBOL_TABLE))
    }

    pub fn set_symbols(&mut self, syms: &[Sym]) {
        *self.sub_mut(SUB_SYMBOL_TABLE) = Sym::encode_table(syms);
    }

    /// (priority, symbol) pairs.
    pub fn init_funcs(&self) -> Vec<(u64, u64)> {
        let b = self.sub(SUB_INIT_FUNCS);
        let mut p = 0;
        let n = read_uleb(b, &mut p);
        (0..n).map(|_| (read_uleb(b, &mut p), read_uleb(b, &mut p))).collect()
    }

    pub fn set_init_funcs(&mut self, v: &[(u64, u64)]) {
        let mut out = uleb(v.len() as u64);
        for (prio, sym) in v {
            out.extend(uleb(*prio));
            out.extend(uleb(*sym));
        }
        *self.sub_mut(SUB_INIT_FUNCS) = out;
    }

    /// (name, align_log2, flags) triples.
    pub fn segment_info(&self) -> Vec<(Vec<u8>, u64, u64)> {
        let b = self.sub(SUB_SEGMENT_INFO);
        let mut p = 0;
        let n = read_uleb(b, &mut p);
        (0..n).map(|_| (read_name(b, &mut p), read_uleb(b, &mut p), read_uleb(b, &mut p))).collect()
    }

    pub fn set_segment_info(&mut self, v: &[(Vec<u8>, u64, u64)]) {
        let mut out = uleb(v.len() as u64);
        for (n, a, f) in v {
            out.extend(name(n));
            out.extend(uleb(*a));
            out.extend(uleb(*f));
        }
        *self.sub_mut(SUB_SEGMENT_INFO) = out;
    }
}

/// One symbol table entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Sym {
    pub kind: u8,
    pub flags: u32,
    /// Function/global/tag/table/section index (unused for data).
    pub index: u64,
    pub name: Option<Vec<u8>>,
    /// Defined data: segment, offset, size.
    pub data: Option<(u64, u64, u64)>,
}

impl Sym {
    pub fn is_undefined(&self) -> bool {
        self.flags & SYM_UNDEFINED != 0
    }

    pub fn name_str(&self) -> String {
        String::from_utf8_lossy(self.name.as_deref().unwrap_or(b"")).into_owned()
    }

    pub fn parse_table(b: &[u8]) -> Vec<Sym> {
        let mut p = 0;
        let n = read_uleb(b, &mut p);
        let mut out = Vec::new();
        for _ in 0..n {
            let kind = b[p];
            p += 1;
            let flags = read_uleb(b, &mut p) as u32;
            let undefined = flags & SYM_UNDEFINED != 0;
            let explicit = flags & SYM_EXPLICIT_NAME != 0;
            let sym = match kind {
                1 => {
                    let n = read_name(b, &mut p);
                    let data = (!undefined).then(|| (read_uleb(b, &mut p), read_uleb(b, &mut p), read_uleb(b, &mut p)));
                    Sym { kind, flags, index: 0, name: Some(n), data }
                }
                3 => Sym { kind, flags, index: read_uleb(b, &mut p), name: None, data: None },
                0 | 2 | 4 | 5 => {
                    let index = read_uleb(b, &mut p);
                    let name = (!undefined || explicit).then(|| read_name(b, &mut p));
                    Sym { kind, flags, index, name, data: None }
                }
                k => panic!("unknown symbol kind {k}"),
            };
            out.push(sym);
        }
        assert_eq!(p, b.len());
        out
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![self.kind];
        out.extend(uleb(u64::from(self.flags)));
        match self.kind {
            1 => {
                out.extend(name(self.name.as_deref().unwrap()));
                if let Some((s, o, z)) = self.data {
                    out.extend(uleb(s));
                    out.extend(uleb(o));
                    out.extend(uleb(z));
                }
            }
            3 => out.extend(uleb(self.index)),
            _ => {
                out.extend(uleb(self.index));
                if let Some(n) = &self.name {
                    out.extend(name(n));
                }
            }
        }
        out
    }

    pub fn encode_table(syms: &[Sym]) -> Vec<u8> {
        let mut out = uleb(syms.len() as u64);
        for s in syms {
            out.extend(s.encode());
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Relocation sections

/// Relocation types that carry an addend.
pub fn reloc_has_addend(ty: u8) -> bool {
    matches!(ty, 3 | 4 | 5 | 8 | 9 | 11 | 14 | 15 | 16 | 17 | 21 | 22 | 23 | 25)
}

pub const R_FUNCTION_INDEX_LEB: u8 = 0;
pub const R_MEMORY_ADDR_I32: u8 = 5;
pub const R_TYPE_INDEX_LEB: u8 = 6;
pub const R_GLOBAL_INDEX_LEB: u8 = 7;
pub const R_TABLE_INDEX_I32: u8 = 2;

#[derive(Clone, Debug, PartialEq)]
pub struct Reloc {
    pub ty: u8,
    pub offset: u64,
    pub index: u64,
    pub addend: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct RelocSection {
    pub target: u64,
    pub entries: Vec<Reloc>,
}

impl RelocSection {
    pub fn parse(b: &[u8]) -> RelocSection {
        let mut p = 0;
        let target = read_uleb(b, &mut p);
        let n = read_uleb(b, &mut p);
        let mut entries = Vec::new();
        for _ in 0..n {
            let ty = b[p];
            p += 1;
            let offset = read_uleb(b, &mut p);
            let index = read_uleb(b, &mut p);
            let addend = reloc_has_addend(ty).then(|| read_sleb(b, &mut p));
            entries.push(Reloc { ty, offset, index, addend });
        }
        assert_eq!(p, b.len());
        RelocSection { target, entries }
    }

    pub fn encode_entry(r: &Reloc) -> Vec<u8> {
        let mut out = vec![r.ty];
        out.extend(uleb(r.offset));
        out.extend(uleb(r.index));
        if let Some(a) = r.addend {
            out.extend(sleb(a));
        }
        out
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = uleb(self.target);
        out.extend(uleb(self.entries.len() as u64));
        for r in &self.entries {
            out.extend(Self::encode_entry(r));
        }
        out
    }
}

// ---------------------------------------------------------------------------
// GNU archives

/// One member header (60 bytes), GNU style, as llvm-ar writes it.
pub fn ar_header(name_field: &str, size_field: &str) -> Vec<u8> {
    ar_header_mode(name_field, size_field, "644")
}

fn ar_header_mode(name_field: &str, size_field: &str, mode: &str) -> Vec<u8> {
    let mut h = Vec::with_capacity(60);
    let pad = |s: &str, n: usize| {
        assert!(s.len() <= n, "{s:?} does not fit in {n} bytes");
        let mut v = s.as_bytes().to_vec();
        v.resize(n, b' ');
        v
    };
    h.extend(pad(name_field, 16));
    h.extend(pad("0", 12)); // mtime
    h.extend(pad("0", 6)); // uid
    h.extend(pad("0", 6)); // gid
    h.extend(pad(mode, 8));
    h.extend(pad(size_field, 10));
    h.extend_from_slice(b"`\n");
    h
}

/// A GNU archive with a `/` symbol index: `symbols` are (name, member
/// index) pairs. Member names must be at most 15 bytes.
pub fn gnu_archive(members: &[(String, Vec<u8>)], symbols: &[(String, usize)]) -> Vec<u8> {
    // The symbol index comes first; member offsets depend on its size.
    // llvm-ar pads the index with NULs to an even size.
    let index_raw = 4 + 4 * symbols.len() + symbols.iter().map(|(n, _)| n.len() + 1).sum::<usize>();
    let index_len = index_raw + index_raw % 2;
    let index_padded = index_len;
    let mut offsets = Vec::new();
    let mut at = 8 + if symbols.is_empty() { 0 } else { 60 + index_padded };
    for (_, data) in members {
        offsets.push(at);
        at += 60 + data.len() + data.len() % 2;
    }
    let mut out = b"!<arch>\n".to_vec();
    if !symbols.is_empty() {
        let mut ix = (symbols.len() as u32).to_be_bytes().to_vec();
        for (_, m) in symbols {
            ix.extend((offsets[*m] as u32).to_be_bytes());
        }
        for (n, _) in symbols {
            ix.extend_from_slice(n.as_bytes());
            ix.push(0);
        }
        ix.resize(index_len, 0);
        out.extend(ar_header_mode("/", &ix.len().to_string(), "0"));
        out.extend(&ix);
    }
    for (i, (n, data)) in members.iter().enumerate() {
        assert_eq!(out.len(), offsets[i]);
        assert!(n.len() <= 15, "member name {n:?} too long for this writer");
        out.extend(ar_header(&format!("{n}/"), &data.len().to_string()));
        out.extend(data);
        if data.len() % 2 == 1 {
            out.push(b'\n');
        }
    }
    out
}

/// Archive members: (name, data).
pub type Members = Vec<(String, Vec<u8>)>;
/// An archive symbol index: (symbol name, member index).
pub type SymbolIndex = Vec<(String, usize)>;

/// The regular members and symbol index of a GNU archive without long
/// names.
pub fn read_gnu_archive(bytes: &[u8]) -> (Members, SymbolIndex) {
    assert!(bytes.starts_with(b"!<arch>\n"));
    let mut pos = 8;
    let mut members = Vec::new();
    let mut header_offsets = Vec::new();
    let mut raw_index: Option<Vec<u8>> = None;
    while pos + 60 <= bytes.len() {
        let h = &bytes[pos..pos + 60];
        let name_f = String::from_utf8_lossy(&h[..16]).trim_end().to_string();
        let size: usize = String::from_utf8_lossy(&h[48..58]).trim_end().parse().unwrap();
        let data = bytes[pos + 60..pos + 60 + size].to_vec();
        if name_f == "/" {
            raw_index = Some(data);
        } else {
            assert!(name_f != "//", "long names are not supported here");
            members.push((name_f.trim_end_matches('/').to_string(), data));
            header_offsets.push(pos);
        }
        pos += 60 + size + size % 2;
    }
    let mut symbols = Vec::new();
    if let Some(ix) = raw_index {
        let n = u32::from_be_bytes(ix[..4].try_into().unwrap()) as usize;
        let mut names_at = 4 + 4 * n;
        for i in 0..n {
            let off = u32::from_be_bytes(ix[4 + 4 * i..8 + 4 * i].try_into().unwrap()) as usize;
            let end = names_at + ix[names_at..].iter().position(|&b| b == 0).unwrap();
            let name_s = String::from_utf8(ix[names_at..end].to_vec()).unwrap();
            names_at = end + 1;
            let m = header_offsets.iter().position(|&h| h == off).unwrap();
            symbols.push((name_s, m));
        }
    }
    (members, symbols)
}

/// A GNU thin archive (no symbol index) naming `members`: (path as stored,
/// size recorded in the header). The members' data live in their own files.
pub fn thin_archive(members: &[(&str, usize)]) -> Vec<u8> {
    let mut names = Vec::new();
    let mut offsets = Vec::new();
    for (p, _) in members {
        offsets.push(names.len());
        names.extend_from_slice(p.as_bytes());
        names.extend_from_slice(b"/\n");
    }
    let mut out = b"!<thin>\n".to_vec();
    out.extend(ar_header_mode("//", &names.len().to_string(), "0"));
    out.extend(&names);
    if names.len() % 2 == 1 {
        out.push(b'\n');
    }
    for ((_, size), off) in members.iter().zip(offsets) {
        out.extend(ar_header(&format!("/{off}"), &size.to_string()));
    }
    out
}
