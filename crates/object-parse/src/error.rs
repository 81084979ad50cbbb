//! Typed errors of the parse stage: every error names the input file (and
//! archive member) and the byte offset where the problem was found.

use std::fmt;

/// A parse failure at a known position of a named input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Display name of the input: `path` or `archive.a(member.o)`.
    pub file: String,
    /// Byte offset into that file (or archive member) where parsing failed.
    pub offset: usize,
    /// What was expected or what was wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: at offset 0x{:x}: {}", escape_controls(&self.file), self.offset, escape_controls(&self.message))
    }
}

/// `s` with control characters (newlines, escape sequences) written as
/// `\n`, `\u{1b}`...: names taken from a hostile input must not split the
/// one-line error message or drive the terminal.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

impl std::error::Error for ParseError {}

/// An error without a file name yet, raised deep inside a reader; the caller
/// that knows which file is being read attaches the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawError {
    /// Byte offset into the input.
    pub offset: usize,
    /// What was expected or what was wrong.
    pub message: String,
}

impl RawError {
    /// Creates an error at `offset`.
    pub fn new(offset: usize, message: impl Into<String>) -> Self {
        RawError { offset, message: message.into() }
    }

    /// Attaches the file name.
    pub fn in_file(self, file: &str) -> ParseError {
        ParseError { file: file.to_string(), offset: self.offset, message: self.message }
    }
}

impl From<wasmparser::BinaryReaderError> for RawError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        RawError::new(e.offset() as usize, e.message().to_string())
    }
}

/// Result type of the low-level readers.
pub type RawResult<T> = Result<T, RawError>;

/// Errors of loading an input file from disk.
#[derive(Debug)]
pub struct LoadError {
    /// Path as given on the command line.
    pub path: String,
    /// The I/O failure.
    pub source: std::io::Error,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot open {}: {}", self.path, self.source)
    }
}

impl std::error::Error for LoadError {}
