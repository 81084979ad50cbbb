//! # object-parse: input files → [`ObjectSet`]
//!
//! First stage of the wasmlink pipeline. It memory-maps every input file,
//! tells objects from archives, and parses all objects in parallel (rayon)
//! into [`ObjectFile`]s: typed IR that borrows the mapped bytes, so function
//! bodies, data and debug sections are never copied. Archive members stay
//! lazy: each is only summarized ([`summary`]: its symbols and COMDAT
//! groups), all in parallel; symbol resolution decides on the summaries
//! which members to link, and [`parse_selected`] then parses those in full,
//! in parallel.
//!
//! Every error names the file (and archive member) and the byte offset.

pub mod archive;
pub mod dump;
pub mod error;
pub mod ids;
pub mod linking;
pub mod object;
pub mod reader;
pub mod reloc;
pub mod shared;
pub mod summary;

pub use archive::{Archive, Member, MemberIndex};
pub use error::{
    LebProblem, LoadError, ParseError, ParseErrorKind, RawError, RelocProblem, RelocSite, Space, SymbolProblem,
};
pub use ids::{DefinedFuncIdx, FuncIdx, SegmentIdx, SymbolIdx, TypeIdx};
pub use linking::{
    flags, segment_flags, Comdat, ComdatKind, DataDef, InitFunc, Linking, SegmentInfo, Symbol, SymbolKind,
};
pub use object::{
    parse_object, CustomSection, DataSegment, Feature, Function, Global, GlobalType, Import, InputImportKind,
    MemoryType, ObjectFile, ProducerField, RefType, Signature, TableType, ValType,
};
pub use reloc::{EncodedRelocs, FieldEncoding, Reloc, RelocTarget, RelocType};
pub use shared::{is_shared_library, parse_shared_library, SharedLibrary, SharedSymbol, SharedSymbolKind};
pub use summary::{
    name_hash, summarize_member, summarize_object, EntityType, MemberSummary, ObjectSummary, SymbolClass, SymbolSummary,
};

use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The bytes of one input file: memory-mapped, or read for tiny files.
pub enum FileBytes {
    /// A read-only mapping of the file.
    Mapped(memmap2::Mmap),
    /// The file's bytes read into memory (empty files cannot be mapped).
    Owned(Vec<u8>),
    /// Bytes that outlive every link (embedded, or read once and leaked by
    /// a long-running caller such as a fuzzer).
    Static(&'static [u8]),
}

impl FileBytes {
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Owned(v) => v,
            FileBytes::Static(s) => s,
        }
    }
}

/// One input file as named on the command line, with its bytes.
pub struct LoadedFile {
    /// Path as the user gave it (or as `-l` resolved it).
    pub path: String,
    /// The file's contents.
    pub bytes: FileBytes,
    /// `--whole-archive` was in effect for this file.
    pub whole_archive: bool,
    /// Between `--start-lib` and `--end-lib`: the group number. Consecutive
    /// files of one group form one lazy archive.
    pub lib_group: Option<u32>,
    /// For a thin archive: its members' paths and contents, in order.
    pub thin_members: Vec<(String, FileBytes)>,
    /// A shared library here is an error (`-Bstatic` in effect).
    pub static_only: bool,
}

/// All input files, in command-line order. Owns the mappings that every
/// later stage borrows from.
pub struct LoadedInputs {
    /// The files.
    pub files: Vec<LoadedFile>,
}

/// An input file to load: its path and whether `--whole-archive` applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    /// The path.
    pub path: PathBuf,
    /// `--whole-archive` was in effect.
    pub whole_archive: bool,
    /// Inside `--start-lib` ... `--end-lib` group number N: the file is
    /// linked lazily, like an archive member.
    pub lib_group: Option<u32>,
    /// `-Bstatic` (or `-static`, the default without `-pie`/`-shared`) was
    /// in effect: a shared library here is an error.
    pub static_only: bool,
}

/// Maps every input file. Fails on the first file that cannot be opened.
pub fn load_inputs(specs: &[InputSpec]) -> Result<LoadedInputs, LoadError> {
    let files = specs
        .par_iter()
        .map(|s| {
            let path = s.path.display().to_string();
            let bytes = map_file(&s.path).map_err(|source| LoadError { path: path.clone(), source })?;
            let mut thin_members = Vec::new();
            if archive::is_thin_archive(bytes.as_slice()) {
                // Thin archive members are files next to the archive.
                let names = archive::thin_member_paths(bytes.as_slice()).map_err(|e| LoadError {
                    path: path.clone(),
                    source: std::io::Error::other(format!("bad thin archive at offset 0x{:x}: {}", e.offset, e.kind)),
                })?;
                let dir = s.path.parent().map(Path::to_path_buf).unwrap_or_default();
                for n in names {
                    let p = if Path::new(&n).is_absolute() { PathBuf::from(&n) } else { dir.join(&n) };
                    let b = map_file(&p).map_err(|source| LoadError { path: format!("{path}({n})"), source })?;
                    thin_members.push((n, b));
                }
            }
            Ok(LoadedFile {
                path,
                bytes,
                whole_archive: s.whole_archive,
                lib_group: s.lib_group,
                thin_members,
                static_only: s.static_only,
            })
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    Ok(LoadedInputs { files })
}

fn map_file(path: &Path) -> std::io::Result<FileBytes> {
    let f = std::fs::File::open(path)?;
    let meta = f.metadata()?;
    if meta.is_dir() {
        return Err(std::io::Error::other("is a directory"));
    }
    if !meta.is_file() {
        // Devices and pipes (e.g. /dev/zero) have no size to map and could
        // be read forever.
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() < 4096 {
        return Ok(FileBytes::Owned(std::fs::read(path)?));
    }
    // SAFETY: the mapping is read-only; the linker does not modify inputs and
    // documents that inputs must not be truncated while it runs.
    let map = unsafe { memmap2::Mmap::map(&f)? };
    Ok(FileBytes::Mapped(map))
}

/// Newtype index of an input file (command-line position).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileIndex(pub u32);

/// An archive whose members are extracted on demand.
pub struct LazyArchive<'a> {
    /// The archive's path.
    pub path: &'a str,
    /// Members and symbol index.
    pub archive: Archive<'a>,
    /// Per member (same order): its symbol summary, read for every member
    /// in parallel; resolution decides on these which members to extract.
    pub summaries: Vec<MemberSummary<'a>>,
}

impl<'a> LazyArchive<'a> {
    /// Reads the archive's member summaries (in parallel).
    pub fn new(path: &'a str, archive: Archive<'a>) -> Result<Self, ParseError> {
        let summaries = archive.members.par_iter().map(|m| summarize_member(path, m)).collect::<Result<Vec<_>, _>>()?;
        Ok(LazyArchive { path, archive, summaries })
    }
}

/// One parsed input, in command-line order.
pub enum Input<'a> {
    /// A relocatable object (given directly, or a `--whole-archive` member).
    Object(Box<ObjectFile<'a>>),
    /// An archive with lazy members.
    Archive(LazyArchive<'a>),
    /// A `#STUB` library: symbols the runtime provides.
    Stub(StubLibrary<'a>),
    /// A shared library (`dylink.0`): definitions the dynamic loader
    /// provides at run time.
    Shared(SharedLibrary<'a>),
}

/// A wasm-ld stub library (a text file that starts with `#STUB`): each line
/// `NAME` or `NAME: DEP,DEP...` says that the embedder provides NAME (so an
/// undefined NAME is imported) and that NAME needs DEPs from the module (so
/// they are exported). Other lines starting with `#` are comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StubLibrary<'a> {
    /// The file's path.
    pub path: &'a str,
    /// `(NAME, DEPS)` in file order.
    pub symbols: Vec<(&'a str, Vec<&'a str>)>,
}

/// Whether `bytes` are a stub library.
pub fn is_stub_library(bytes: &[u8]) -> bool {
    bytes.starts_with(b"#STUB")
}

/// Parses a stub library's lines.
pub fn parse_stub_library<'a>(path: &'a str, bytes: &'a [u8]) -> Result<StubLibrary<'a>, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        RawError::new(e.valid_up_to(), ParseErrorKind::InvalidUtf8 { what: "stub library" }).in_file(path)
    })?;
    let symbols = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(':') {
            Some((name, deps)) => (name.trim(), deps.split(',').map(str::trim).filter(|d| !d.is_empty()).collect()),
            None => (l, Vec::new()),
        })
        .collect();
    Ok(StubLibrary { path, symbols })
}

/// Output of the parse stage: every input in command-line order.
pub struct ObjectSet<'a> {
    /// The inputs.
    pub inputs: Vec<Input<'a>>,
}

/// Display name of an archive member: `archive.a(member.o)`.
pub fn member_display_name(archive: &str, member: &str) -> String {
    if archive.is_empty() {
        // `--start-lib` members are plain files.
        return member.to_string();
    }
    format!("{archive}({member})")
}

/// What an archive member turned out to be.
pub enum MemberContent<'a> {
    /// A relocatable object.
    Object(Box<ObjectFile<'a>>),
    /// A wasm module without a `linking` section (e.g. rustc's `lib.rmeta`):
    /// not linkable, skipped quietly.
    NotRelocatable,
}

/// Whether `bytes` are LLVM bitcode: raw (`BC` 0xC0DE) or in the bitcode
/// wrapper (magic 0x0B17C0DE, little-endian).
pub fn is_bitcode(bytes: &[u8]) -> bool {
    bytes.starts_with(b"BC\xC0\xDE") || bytes.starts_with(&[0xDE, 0xC0, 0x17, 0x0B])
}

/// Parses one archive member. Errors name `archive(member)` and the offset
/// within the member.
pub fn parse_member<'a>(archive_path: &str, member: &Member<'a>) -> Result<MemberContent<'a>, ParseError> {
    let name = member_display_name(archive_path, &member.name);
    if is_bitcode(member.data) {
        return Err(RawError::new(0, ParseErrorKind::Bitcode).in_file(&name));
    }
    if !member.data.starts_with(b"\0asm") {
        return Err(RawError::new(0, ParseErrorKind::MemberNotWasm).in_file(&name));
    }
    match parse_object(member.data, &name) {
        Ok(o) => Ok(MemberContent::Object(Box::new(o))),
        Err(ParseError { kind: ParseErrorKind::NotRelocatable, .. }) => Ok(MemberContent::NotRelocatable),
        Err(e) => Err(e),
    }
}

/// Runs the stage: parses all objects (in parallel) and indexes archives.
/// On failure, the error of the first failing input in command-line order is
/// returned, so messages are deterministic.
pub fn run(inputs: &LoadedInputs) -> Result<ObjectSet<'_>, ParseError> {
    let parsed: Vec<Result<Vec<Input<'_>>, ParseError>> = inputs
        .files
        .par_iter()
        .map(|f| {
            let bytes = f.bytes.as_slice();
            if f.lib_group.is_some() {
                // Collected into one lazy archive per group below.
                return Ok(Vec::new());
            }
            if archive::is_archive(bytes) {
                let archive = if archive::is_thin_archive(bytes) {
                    let members = f
                        .thin_members
                        .iter()
                        .map(|(n, b)| Member { name: n.clone(), header_offset: 0, data_offset: 0, data: b.as_slice() })
                        .collect();
                    Archive { members, symbol_index: None }
                } else {
                    archive::parse_archive(bytes).map_err(|e| e.in_file(&f.path))?
                };
                if f.whole_archive {
                    let objs =
                        archive.members.par_iter().map(|m| parse_member(&f.path, m)).collect::<Result<Vec<_>, _>>()?;
                    Ok(objs
                        .into_iter()
                        .filter_map(|c| match c {
                            MemberContent::Object(o) => Some(Input::Object(o)),
                            MemberContent::NotRelocatable => None,
                        })
                        .collect())
                } else {
                    Ok(vec![Input::Archive(LazyArchive::new(&f.path, archive)?)])
                }
            } else if bytes.starts_with(b"\0asm") && is_shared_library(bytes) {
                if f.static_only {
                    return Err(RawError::new(0, ParseErrorKind::StaticLinkOfShared).in_file(&f.path));
                }
                Ok(vec![Input::Shared(parse_shared_library(&f.path, bytes)?)])
            } else if bytes.starts_with(b"\0asm") {
                Ok(vec![Input::Object(Box::new(parse_object(bytes, &f.path)?))])
            } else if is_stub_library(bytes) {
                Ok(vec![Input::Stub(parse_stub_library(&f.path, bytes)?)])
            } else if is_bitcode(bytes) {
                Err(RawError::new(0, ParseErrorKind::Bitcode).in_file(&f.path))
            } else {
                Err(RawError::new(0, ParseErrorKind::UnknownFileType).in_file(&f.path))
            }
        })
        .collect();
    let mut out = Vec::with_capacity(parsed.len());
    let mut group: Option<(u32, Vec<Member<'_>>, &str)> = None;
    for (f, p) in inputs.files.iter().zip(parsed) {
        let items = p?;
        // --start-lib groups: consecutive files of one group are the lazy
        // members of one archive without a symbol index.
        if group.as_ref().map(|g| Some(g.0)) != Some(f.lib_group) {
            if let Some((_, members, path)) = group.take() {
                out.push(Input::Archive(LazyArchive::new(path, Archive { members, symbol_index: None })?));
            }
        }
        if let Some(g) = f.lib_group {
            let member = Member { name: f.path.clone(), header_offset: 0, data_offset: 0, data: f.bytes.as_slice() };
            match group.as_mut() {
                Some((_, members, _)) => members.push(member),
                None => group = Some((g, vec![member], "")),
            }
            continue;
        }
        out.extend(items);
    }
    if let Some((_, members, path)) = group.take() {
        out.push(Input::Archive(LazyArchive::new(path, Archive { members, symbol_index: None })?));
    }
    Ok(ObjectSet { inputs: out })
}

/// Where one object of the link comes from, as symbol resolution chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectSource {
    /// The [`Input::Object`] at this position of [`ObjectSet::inputs`].
    Input(usize),
    /// Member `member` of the [`Input::Archive`] at position `input`.
    Member {
        /// Position of the archive in [`ObjectSet::inputs`].
        input: usize,
        /// The member.
        member: MemberIndex,
    },
}

/// The objects of the link in the order given: objects named on the
/// command line are moved out of `set`, the chosen archive members are
/// parsed in full, in parallel. On failure, the error of the first failing
/// member in `order` is returned.
pub fn parse_selected<'a>(set: ObjectSet<'a>, order: &[ObjectSource]) -> Result<Vec<ObjectFile<'a>>, ParseError> {
    let mut inputs: Vec<Option<Input<'a>>> = set.inputs.into_iter().map(Some).collect();
    let parsed = order
        .par_iter()
        .map(|src| match *src {
            ObjectSource::Member { input, member } => match inputs.get(input) {
                Some(Some(Input::Archive(a))) => match a.archive.members.get(member.0 as usize) {
                    Some(m) => parse_member(a.path, m).map(Some),
                    None => Ok(None),
                },
                _ => Ok(None),
            },
            ObjectSource::Input(_) => Ok(None),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::with_capacity(order.len());
    for (src, p) in order.iter().zip(parsed) {
        let obj = match (*src, p) {
            (_, Some(MemberContent::Object(o))) => Some(*o),
            (ObjectSource::Input(i), _) => match inputs.get_mut(i).and_then(Option::take) {
                Some(Input::Object(o)) => Some(*o),
                _ => None,
            },
            _ => None,
        };
        out.extend(obj);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_MODULE: &[u8] = b"\0asm\x01\0\0\0";

    #[test]
    fn module_without_linking_section_is_not_relocatable() {
        let e = parse_object(EMPTY_MODULE, "m.wasm").unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::NotRelocatable);
        assert_eq!(
            e.to_string(),
            "m.wasm: at offset 0x0: not a relocatable object: no linking section (was it linked already?)"
        );
        let member = Member { name: "lib.rmeta".into(), header_offset: 0, data_offset: 0, data: EMPTY_MODULE };
        assert!(matches!(parse_member("lib.a", &member), Ok(MemberContent::NotRelocatable)));
    }

    #[test]
    fn errors_keep_their_wording() {
        let e = parse_object(b"\0asm\x02\0\0\0", "v.o").unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::UnsupportedVersion(2));
        assert_eq!(e.to_string(), "v.o: at offset 0x4: unsupported WebAssembly version, expected 1");
        let e = parse_object(b"\0asm", "short.o").unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::BadMagic);
        let member = Member { name: "a\nb.o".into(), header_offset: 0, data_offset: 0, data: b"text" };
        let e = parse_member("lib.a", &member).err().unwrap();
        assert_eq!(e.kind, ParseErrorKind::MemberNotWasm);
        assert_eq!(e.to_string(), "lib.a(a\\nb.o): at offset 0x0: archive member is not a WebAssembly object");
    }
}
