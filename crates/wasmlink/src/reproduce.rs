//! `--reproduce=FILE.tar` (or `LLD_REPRODUCE=FILE.tar`): a tar archive that
//! reproduces the link elsewhere, laid out as wasm-ld lays it out. Under the
//! directory `STEM/` (`STEM` is the tar file's name without `.tar`):
//! `response.txt` (the command line, inputs and `-L` directories pointing
//! into the archive, `-o` without directories), `version.txt`, and every
//! input at its absolute path without the leading `/`. Running
//! `wasmlink @response.txt` in `STEM/` links the same inputs again.

use crate::config::{Config, LineItem};
use object_parse::LoadedInputs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The size limit of a ustar member (11 octal digits).
const MAX_TAR_FILE: u64 = 1 << 33;

/// Writes the reproducer for `config`, whose inputs are `inputs`, to `tar`.
pub fn write_reproducer(tar: &Path, config: &Config, inputs: &LoadedInputs) -> std::io::Result<()> {
    let too_large = inputs.files.iter().find(|f| f.bytes.as_slice().len() as u64 >= MAX_TAR_FILE);
    if let Some(f) = too_large {
        return Err(std::io::Error::other(format!("{} is too large for a tar archive (8 GiB or more)", f.path)));
    }
    let stem = tar.file_stem().map_or_else(|| "repro".into(), |s| s.to_string_lossy().into_owned());
    let mut out = TarWriter { bytes: Vec::new() };
    out.file(&format!("{stem}/response.txt"), response(config).as_bytes());
    out.file(&format!("{stem}/version.txt"), format!("{}\n", crate::version()).as_bytes());
    for file in &inputs.files {
        out.file(&format!("{stem}/{}", in_archive(Path::new(&file.path))), file.bytes.as_slice());
        let dir = Path::new(&file.path).parent().unwrap_or(Path::new(""));
        for (name, bytes) in &file.thin_members {
            out.file(&format!("{stem}/{}", in_archive(&dir.join(name))), bytes.as_slice());
        }
    }
    out.finish(tar)
}

/// `response.txt`: one option per line, paths rewritten to point into the
/// archive.
fn response(config: &Config) -> String {
    let mut lines = Vec::new();
    for item in &config.command_line {
        match item {
            LineItem::Input(path) => lines.push(quote(&in_archive(Path::new(path)))),
            LineItem::Output(path) => {
                // The archive holds no directories for the output: keep
                // only its name, as wasm-ld does.
                let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into());
                lines.push(format!("-o {}", quote(&name)));
            }
            LineItem::LibraryPath(dir) => lines.push(format!("-L {}", quote(&in_archive(dir)))),
            LineItem::Reproduce => {}
            LineItem::Other(group) => lines.push(group.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ")),
        }
    }
    lines.join("\n") + "\n"
}

/// A path inside the archive: the absolute, normalised path without its
/// leading `/`.
fn in_archive(path: &Path) -> String {
    let absolute =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    let mut parts: Vec<String> = Vec::new();
    for c in absolute.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop();
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    parts.join("/")
}

/// Quotes an argument that a response file would otherwise split.
fn quote(arg: &str) -> String {
    if arg.is_empty() || arg.chars().any(|c| c.is_whitespace() || c == '"' || c == '\'' || c == '\\') {
        format!("\"{}\"", arg.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        arg.to_string()
    }
}

/// A ustar archive built in memory. Names longer than the header's 100
/// bytes get a PAX extended header with the whole path.
struct TarWriter {
    bytes: Vec<u8>,
}

impl TarWriter {
    /// Appends one regular file. (An input of 8 GiB or more, beyond the
    /// header's 11 octal size digits, is refused before the archive is
    /// written; see [`write_reproducer`].)
    fn file(&mut self, name: &str, data: &[u8]) {
        if name.len() > 100 {
            let record = pax_record("path", name);
            self.entry(&truncated(&format!("PaxHeader/{name}")), b'x', record.as_bytes());
        }
        self.entry(&truncated(name), b'0', data);
    }

    /// One header block and the data, padded to 512 bytes.
    fn entry(&mut self, name: &str, kind: u8, data: &[u8]) {
        let mut header = [0u8; 512];
        header[..name.len()].copy_from_slice(name.as_bytes());
        octal(&mut header[100..108], 0o644);
        octal(&mut header[108..116], 0);
        octal(&mut header[116..124], 0);
        octal(&mut header[124..136], data.len() as u64);
        octal(&mut header[136..148], 0);
        header[156] = kind;
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        header[148..156].fill(b' ');
        let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
        octal(&mut header[148..155], u64::from(sum));
        header[155] = b' ';
        self.bytes.extend_from_slice(&header);
        self.bytes.extend_from_slice(data);
        self.bytes.resize(self.bytes.len().next_multiple_of(512), 0);
    }

    /// Ends the archive (two zero blocks) and writes it to `path`.
    fn finish(mut self, path: &Path) -> std::io::Result<()> {
        self.bytes.resize(self.bytes.len() + 1024, 0);
        let mut f = std::fs::File::create(PathBuf::from(path))?;
        f.write_all(&self.bytes)?;
        f.flush()
    }
}

/// The first 100 bytes of `name` (at a character boundary), for the header's
/// name field; the whole name is in the PAX record.
fn truncated(name: &str) -> String {
    let mut end = name.len().min(100);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

/// A PAX record `LEN KEY=VALUE\n`, where LEN counts the whole record.
fn pax_record(key: &str, value: &str) -> String {
    let body = format!(" {key}={value}\n");
    let mut len = body.len() + 1;
    while len.to_string().len() + body.len() != len {
        len = len.to_string().len() + body.len();
    }
    format!("{len}{body}")
}

/// Writes `value` as zero-padded octal digits followed by NUL into `field`.
fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let digits = format!("{value:0width$o}");
    field[..width].copy_from_slice(&digits.as_bytes()[digits.len() - width..]);
    field[width] = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_record_counts_itself() {
        let r = pax_record("path", "a/b");
        assert_eq!(r, "12 path=a/b\n");
        assert_eq!(r.len(), 12);
        let long = "x".repeat(95);
        let r = pax_record("path", &long);
        assert_eq!(r.len().to_string(), r.split(' ').next().unwrap());
    }

    #[test]
    fn paths_inside_the_archive() {
        assert_eq!(in_archive(Path::new("/a/b/../c.o")), "a/c.o");
        assert_eq!(quote("a b"), "\"a b\"");
        assert_eq!(quote("plain"), "plain");
    }
}
