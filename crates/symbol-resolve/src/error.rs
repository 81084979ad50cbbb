//! Typed errors and warnings of the resolve stage. All the wording of the
//! stage's messages lives here; symbol names taken from inputs are printed
//! with control characters escaped, so each message keeps its lines.

use crate::table::Kind;
use object_parse::error::escape_controls;
use object_parse::{ParseError, Signature};

/// Errors of this stage.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// An archive member failed to parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Undefined, duplicate or mismatched symbols: every one found, each
    /// its own message (printed as its own `error:` line).
    #[error("{}", join_lines(.0))]
    Symbols(Vec<SymbolError>),
    /// A wasm64 object (64-bit memory) without `-mwasm64`: fatal when the
    /// file is read, as in wasm-ld.
    #[error("{file}: must specify -mwasm64 to process wasm64 object files")]
    Wasm64NotSpecified {
        /// The object's display name.
        file: String,
    },
    /// An object of the other architecture than `-m` names (wasm-ld's
    /// wording, whichever way round the mismatch is).
    #[error("{file}: wasm32 object file can't be linked in wasm64 mode")]
    ArchMismatch {
        /// The object's display name.
        file: String,
    },
}

fn join_lines(errors: &[SymbolError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

/// Who holds the first definition of a duplicated symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefinedBy {
    /// The linker defines it (`__stack_pointer`, `__heap_base`, ...).
    Linker,
    /// An input file (display name) defines it.
    File(String),
}

/// One symbol problem. Some messages span several lines (`>>>` details).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SymbolError {
    /// Position-independent output (or a symbol left to the dynamic
    /// loader) and a relocation that needs an absolute address or slot.
    #[error("{}: relocation {} cannot be used against symbol `{}`; recompile with -fPIC", escape_controls(.file), .reloc, escape_controls(.symbol))]
    NeedsPic {
        /// The object.
        file: String,
        /// The relocation type, as wasm-ld names it.
        reloc: &'static str,
        /// The symbol.
        symbol: String,
    },
    /// A relative relocation against a symbol the dynamic loader resolves:
    /// its offset from `__memory_base`/`__table_base` isn't known.
    #[error("{}: relocation {} is not supported against an undefined symbol `{}`", escape_controls(.file), .reloc, escape_controls(.symbol))]
    RelativeToUndefined {
        /// The object.
        file: String,
        /// The relocation type, as wasm-ld names it.
        reloc: &'static str,
        /// The symbol.
        symbol: String,
    },
    /// A symbol used with two different kinds (e.g. function and data).
    #[error(
        "symbol type mismatch: {}\n>>> defined as {first_kind} in {first_file}\n>>> defined as {second_kind} in {second_file}",
        escape_controls(.name)
    )]
    TypeMismatch {
        /// The symbol.
        name: String,
        /// The kind it had first.
        first_kind: Kind,
        /// Where that kind comes from (file name or `<linker>`).
        first_file: String,
        /// The conflicting kind.
        second_kind: Kind,
        /// The file with the conflicting kind.
        second_file: String,
    },
    /// A global used with two types (value type or mutability).
    #[error(
        "Global type mismatch: {}\n>>> defined as {first} in {first_file}\n>>> defined as {second} in {second_file}",
        escape_controls(.name)
    )]
    GlobalTypeMismatch {
        /// The symbol.
        name: String,
        /// The type it had first (`var i32`, `const i64`, ...).
        first: String,
        /// Where that type comes from.
        first_file: String,
        /// The conflicting type.
        second: String,
        /// The file with the conflicting type.
        second_file: String,
    },
    /// Two strong definitions of one symbol.
    #[error(
        "duplicate symbol: {}\n>>> {}\n>>> defined in {second}",
        escape_controls(.name),
        match .first { DefinedBy::Linker => "defined by the linker".to_string(), DefinedBy::File(f) => format!("defined in {f}") }
    )]
    Duplicate {
        /// The symbol.
        name: String,
        /// The first definition.
        first: DefinedBy,
        /// The file with the second definition.
        second: String,
    },
    /// The entry symbol (`--entry`, `_start` by default) is not defined.
    #[error("entry symbol not defined (pass --no-entry to suppress): {}", escape_controls(.0))]
    EntryNotDefined(String),
    /// A `--export=NAME` symbol that nothing defines.
    #[error("symbol exported via --export not found: {}", escape_controls(.0))]
    ExportNotFound(String),
    /// A live reference to a symbol that nothing defines.
    #[error("{file}: undefined symbol: {}", escape_controls(.name))]
    Undefined {
        /// The first file (in link order) referencing the symbol.
        file: String,
        /// The symbol.
        name: String,
    },
    /// A stub library provides `required_by` but needs `dependency` from the
    /// module, and nothing defines it.
    #[error("{file}: undefined symbol: {}. Required by {}", escape_controls(.dependency), escape_controls(.required_by))]
    StubDependency {
        /// The stub library.
        file: String,
        /// The symbol it needs.
        dependency: String,
        /// The symbol it provides.
        required_by: String,
    },
    /// A live constructor (init function) that takes parameters (wasm-ld's
    /// wording, after the file that lists it).
    #[error("{file}: constructor functions cannot take arguments: {}", escape_controls(.name))]
    ConstructorWithArguments {
        /// The object whose init functions list it.
        file: String,
        /// The function.
        name: String,
    },
}

/// A warning of this stage (printed as `warning:`, an error with
/// `--fatal-warnings`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveWarning {
    /// A direct call through a signature that differs from the definition's:
    /// the call is routed to a trap stub, as wasm-ld does.
    #[error(
        "function signature mismatch: {}\n>>> defined as {caller_signature} in {caller_file}\n>>> defined as {definition_signature} in {definition_file}\n>>> calls through the mismatched signature trap at run time (they are routed to a stub `signature_mismatch:{}`)",
        escape_controls(.name), escape_controls(.name)
    )]
    SignatureMismatch {
        /// The function.
        name: String,
        /// The signature the caller's object declares.
        caller_signature: Signature,
        /// The caller's object.
        caller_file: String,
        /// The signature of the definition.
        definition_signature: Signature,
        /// The defining object.
        definition_file: String,
    },
    /// An error that `--noinhibit-exec` turns into a warning (a duplicate
    /// definition: the later one wins, as in wasm-ld).
    #[error(transparent)]
    Tolerated(SymbolError),
    /// An archive member that is not wasm: skipped, as wasm-ld does.
    #[error("{archive}: archive member '{}' is neither Wasm object file nor LLVM bitcode", escape_controls(.member))]
    MemberNotWasm {
        /// The archive.
        archive: String,
        /// The member's name.
        member: String,
    },
    /// An undefined symbol that live code uses, tolerated by
    /// `--warn-unresolved-symbols` (wasm-ld's wording).
    #[error("{file}: undefined symbol: {}", escape_controls(.name))]
    Undefined {
        /// The first file (in link order) referencing the symbol.
        file: String,
        /// The symbol.
        name: String,
    },
}

impl SymbolError {
    /// The same error with the symbol names that wasm-ld shows through
    /// `toString(Symbol)` (undefined, duplicate and type-mismatched
    /// symbols) passed through `show`, e.g. to demangle them.
    pub fn map_symbol_names(self, show: &dyn Fn(&str) -> String) -> Self {
        match self {
            SymbolError::Undefined { file, name } => SymbolError::Undefined { file, name: show(&name) },
            SymbolError::Duplicate { name, first, second } => {
                SymbolError::Duplicate { name: show(&name), first, second }
            }
            SymbolError::TypeMismatch { name, first_kind, first_file, second_kind, second_file } => {
                SymbolError::TypeMismatch { name: show(&name), first_kind, first_file, second_kind, second_file }
            }
            other => other,
        }
    }
}

impl ResolveError {
    /// [`SymbolError::map_symbol_names`] on every symbol error.
    pub fn map_symbol_names(self, show: &dyn Fn(&str) -> String) -> Self {
        match self {
            ResolveError::Symbols(list) => {
                ResolveError::Symbols(list.into_iter().map(|e| e.map_symbol_names(show)).collect())
            }
            other => other,
        }
    }
}

impl ResolveWarning {
    /// [`SymbolError::map_symbol_names`] for warnings: undefined and
    /// duplicate symbols (a signature mismatch names the symbol as it is,
    /// as wasm-ld does).
    pub fn map_symbol_names(self, show: &dyn Fn(&str) -> String) -> Self {
        match self {
            ResolveWarning::Undefined { file, name } => ResolveWarning::Undefined { file, name: show(&name) },
            ResolveWarning::Tolerated(e) => ResolveWarning::Tolerated(e.map_symbol_names(show)),
            other => other,
        }
    }
}
