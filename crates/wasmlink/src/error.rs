//! [`LinkError`]: why a link failed, by stage, with the stage's own typed
//! error inside.

use crate::config::ConfigError;
use std::path::PathBuf;

/// A failed link. Each variant holds the typed error of the step that
/// failed; [`LinkError::messages`] gives the lines the command line prints
/// (one per independent problem, e.g. every undefined symbol).
#[derive(Debug)]
pub enum LinkError {
    /// The inputs named on the command line can't be collected.
    Config(ConfigError),
    /// No `-o`.
    NoOutput,
    /// The output file can't be created or written.
    Output {
        /// The `-o` path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The map file (`-Map`) can't be created or written.
    MapFile {
        /// The map file's path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Several independent problems found together (e.g. neither the output
    /// nor the map file can be written), each reported.
    Several(Vec<LinkError>),
    /// The `--reproduce` tar file can't be written.
    Reproduce {
        /// The tar file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The `--why-extract` file can't be written.
    WhyExtract {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The `--size-report` file can't be written.
    SizeReport {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A failed link's messages with explanations under them
    /// ([`crate::notes::annotate`]); the first line of each is the
    /// inner error's.
    Annotated {
        /// The error.
        error: Box<LinkError>,
        /// Its messages, with notes.
        messages: Vec<String>,
    },
    /// An input file can't be opened or mapped.
    Load(object_parse::LoadError),
    /// An input is not a valid object or archive.
    Parse(object_parse::ParseError),
    /// Undefined, duplicate or mismatched symbols (or an extracted member
    /// that doesn't parse).
    Resolve(symbol_resolve::ResolveError),
    /// Memory or table layout is impossible (e.g. data beyond the maximum
    /// memory).
    Layout(atom_layout::LayoutError),
    /// The output index spaces can't be built.
    Merge(section_merge::MergeError),
    /// A signature can't be given an output type.
    Types(type_dedup::TypeError),
    /// The module can't be written (e.g. a relocation out of range).
    Emit(emit::EmitError),
    /// `--fatal-warnings` and warnings were given: the warnings.
    FatalWarnings(Vec<String>),
    /// The output failed validation: a wasmlink bug (checked in debug
    /// builds only).
    InvalidOutput(String),
}

impl LinkError {
    /// The error's lines as the command line prints them: one entry per
    /// independent problem, each printed after `error: ` (an entry may span
    /// several lines, e.g. `>>> defined in` notes).
    pub fn messages(&self) -> Vec<String> {
        match self {
            LinkError::Resolve(symbol_resolve::ResolveError::Symbols(list)) => {
                list.iter().map(ToString::to_string).collect()
            }
            LinkError::Layout(e) => e.0.iter().map(ToString::to_string).collect(),
            LinkError::Emit(emit::EmitError::SharedMemoryFeatures(list)) => {
                list.iter().map(ToString::to_string).collect()
            }
            LinkError::FatalWarnings(list) => list.clone(),
            LinkError::Annotated { messages, .. } => messages.clone(),
            LinkError::Several(list) => list.iter().flat_map(LinkError::messages).collect(),
            other => vec![other.to_string()],
        }
    }
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::Config(e) => write!(f, "{e}"),
            LinkError::NoOutput => f.write_str("no output file specified"),
            LinkError::Output { path, source } => write!(f, "cannot open output file {}: {source}", path.display()),
            LinkError::MapFile { path, source } => write!(f, "cannot open map file {}: {source}", path.display()),
            LinkError::Several(list) => {
                f.write_str(&list.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
            }
            LinkError::Reproduce { path, source } => {
                write!(f, "--reproduce: cannot write {}: {source}", path.display())
            }
            LinkError::WhyExtract { path, source } => write!(f, "cannot open --why-extract= file {path}: {source}"),
            LinkError::SizeReport { path, source } => {
                write!(f, "cannot write --size-report= file {}: {source}", path.display())
            }
            LinkError::Annotated { error, .. } => write!(f, "{error}"),
            LinkError::Load(e) => write!(f, "{e}"),
            LinkError::Parse(e) => write!(f, "{e}"),
            LinkError::Resolve(e) => write!(f, "{e}"),
            LinkError::Layout(e) => write!(f, "{e}"),
            LinkError::Merge(e) => write!(f, "{e}"),
            LinkError::Types(e) => write!(f, "{e}"),
            LinkError::Emit(e) => write!(f, "{e}"),
            LinkError::FatalWarnings(list) => f.write_str(&list.join("\n")),
            LinkError::InvalidOutput(e) => write!(f, "internal error: the output module does not validate: {e}"),
        }
    }
}

impl std::error::Error for LinkError {}
