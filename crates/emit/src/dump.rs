//! Stable, human-readable text dump of the emitted module: its section
//! headers (id and name, payload size, item count), read back with
//! wasmparser. For snapshot tests (`cargo xtask snapshot`) and debugging.

use std::fmt::Write as _;
use wasmparser::{Parser, Payload};

/// One line per section of the module `bytes`, in file order, then the
/// total size. A module wasmparser cannot read ends the dump with an
/// `error:` line.
pub fn dump_module(bytes: &[u8]) -> String {
    let mut s = String::new();
    let mut sections = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = match payload {
            Ok(p) => p,
            Err(e) => {
                let _ = writeln!(s, "error: {} (at offset {:#x})", e.message(), e.offset());
                break;
            }
        };
        let (id, name, count): (u8, String, Option<u32>) = match &payload {
            Payload::Version { num, .. } => {
                let _ = writeln!(s, "module: version {num}");
                continue;
            }
            Payload::TypeSection(r) => (1, "type".into(), Some(r.count())),
            Payload::ImportSection(r) => (2, "import".into(), Some(r.count())),
            Payload::FunctionSection(r) => (3, "function".into(), Some(r.count())),
            Payload::TableSection(r) => (4, "table".into(), Some(r.count())),
            Payload::MemorySection(r) => (5, "memory".into(), Some(r.count())),
            Payload::TagSection(r) => (13, "tag".into(), Some(r.count())),
            Payload::GlobalSection(r) => (6, "global".into(), Some(r.count())),
            Payload::ExportSection(r) => (7, "export".into(), Some(r.count())),
            Payload::StartSection { .. } => (8, "start".into(), None),
            Payload::ElementSection(r) => (9, "element".into(), Some(r.count())),
            Payload::DataCountSection { count, .. } => (12, "datacount".into(), Some(*count)),
            Payload::DataSection(r) => (11, "data".into(), Some(r.count())),
            Payload::CodeSectionStart { count, .. } => (10, "code".into(), Some(*count)),
            Payload::CustomSection(c) => (0, format!("custom {:?}", c.name()), None),
            Payload::CodeSectionEntry(_) => continue,
            Payload::End(_) => continue,
            other => match other.as_section() {
                Some((id, _)) => (id, "unknown".into(), None),
                None => continue,
            },
        };
        let size = match &payload {
            Payload::CustomSection(c) => c.data().len() as u64,
            _ => payload.as_section().map(|(_, r)| r.end - r.start).unwrap_or(0),
        };
        sections += 1;
        let count = count.map(|c| format!(", {c} entries")).unwrap_or_default();
        let _ = writeln!(s, "  section {id:>2} {name}: {size} bytes{count}");
    }
    let _ = writeln!(s, "{sections} sections, {} bytes in total", bytes.len());
    s
}
