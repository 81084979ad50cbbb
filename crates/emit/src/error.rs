//! Typed errors of the emit stage. All the wording lives here.

use object_parse::error::escape_controls;
use object_parse::{GlobalType, RelocType, TableType, ValType};

/// Errors of this stage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmitError {
    /// A relocation of an input's custom section that does not decode or
    /// does not fit (those are read only when they are applied).
    #[error("{0}")]
    Input(#[from] object_parse::ParseError),
    /// A value type that wasm-encoder cannot write.
    #[error("unsupported value type {0}")]
    UnsupportedValType(ValType),
    /// A table type that wasm-encoder cannot write.
    #[error("unsupported table type")]
    UnsupportedTableType(TableType),
    /// A global type that wasm-encoder cannot write.
    #[error("unsupported global type")]
    UnsupportedGlobalType(GlobalType),
    /// The type table has fewer imported function types than there are
    /// function imports (an internal inconsistency).
    #[error("internal error: import type")]
    MissingImportType,
    /// The type table has fewer tag types than there are tag imports (an
    /// internal inconsistency).
    #[error("internal error: tag type")]
    MissingTagType,
    /// `--build-id=uuid` found no randomness.
    #[error("entropy source failure: {0}")]
    BuildId(String),
    /// A GOT entry whose function has no table slot or whose data has no
    /// address (an internal inconsistency).
    #[error("internal error: GOT entry {0} has no value")]
    GotEntryWithoutValue(u32),
    /// Position-independent output without the imported global a generated
    /// function or expression reads (`__memory_base`, `__table_base`, a
    /// GOT entry).
    #[error("internal error: position-independent output without {0}")]
    MissingLoaderGlobal(&'static str),
    /// `--compress-relocations`: relocations of a function that overlap or
    /// run past its end.
    #[error("{file}: relocation at offset {offset:#x} overlaps another or runs past its function")]
    CompressOverlap {
        /// The object.
        file: String,
        /// The relocation's offset in the code section.
        offset: u32,
    },
    /// A data relocation that `__wasm_apply_data_relocs` can't apply at run
    /// time (only addresses and slots can be), as wasm-ld words it.
    #[error("invalid runtime relocation type in data section: {0}")]
    InvalidRuntimeRelocation(&'static str),
    /// One input uses a target feature that another input disallows.
    #[error(
        "Target feature '{}' used in {used_in} is disallowed by {disallowed_by}. Use --no-check-features to suppress.",
        escape_controls(.feature)
    )]
    FeatureDisallowed {
        /// The feature.
        feature: String,
        /// An object using it.
        used_in: String,
        /// The object disallowing it.
        disallowed_by: String,
    },
    /// `--shared-memory` without the features it needs (one problem per
    /// line, as wasm-ld reports them).
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    SharedMemoryFeatures(Vec<SharedMemoryProblem>),
    /// An input uses a target feature missing from `--features=`.
    #[error("Target feature '{}' used by {file} is not allowed.", escape_controls(.feature))]
    FeatureNotAllowed {
        /// The feature.
        feature: String,
        /// The first object using it.
        file: String,
    },
    /// A relocation whose target has no value in the output.
    #[error("{file}: {} at offset 0x{offset:x} refers to {target}", .ty.name())]
    UnresolvableRelocation {
        /// The object with the relocation.
        file: String,
        /// The relocation type.
        ty: RelocType,
        /// Offset of the relocated field within its section.
        offset: u32,
        /// What the relocation refers to.
        target: UnresolvableTarget,
    },
    /// A relocation value that cannot be written into its field.
    #[error("{file}: {} at offset 0x{offset:x}: {problem}", .ty.name())]
    PatchFailed {
        /// The object with the relocation.
        file: String,
        /// The relocation type.
        ty: RelocType,
        /// Offset of the relocated field within its section.
        offset: u32,
        /// Why the value could not be written.
        problem: PatchError,
    },
    /// A type-index relocation kept for the output (`-r`,
    /// `--emit-relocs`) whose type is not in the output.
    #[error("{file}: {} at offset 0x{offset:x}: its type is not in the output", .ty.name())]
    RelocTypeNotInOutput {
        /// The object with the relocation.
        file: String,
        /// The relocation type.
        ty: RelocType,
        /// Offset of the relocated field within its section.
        offset: u32,
    },
    /// A symbol of the output symbol table that has no index or place in
    /// the output (an internal inconsistency).
    #[error("internal error: symbol {} has no place in the output", escape_controls(.0))]
    SymbolNotInOutput(String),
}

/// What an unresolvable relocation refers to (see
/// [`EmitError::UnresolvableRelocation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum UnresolvableTarget {
    /// A type index that the type stage did not register.
    #[error("a type that was not registered")]
    UnregisteredType,
    /// A location-relative address in a section other than data.
    #[error("a location-relative address outside data")]
    LocrelOutsideData,
    /// Thread-local data without a `.tdata` output segment.
    #[error("thread-local data but there is no .tdata segment")]
    TlsWithoutSegment,
    /// A global that did not reach the output.
    #[error("a global that is not in the output")]
    MissingGlobal,
    /// A tag that did not reach the output.
    #[error("a tag that is not in the output")]
    MissingTag,
    /// A table that did not reach the output.
    #[error("a table that is not in the output")]
    MissingTable,
}

/// Why a relocation value cannot be written into its field
/// ([`crate::relocate::patch`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum PatchError {
    /// The field is wider than what is left of the atom.
    #[error("relocation field runs past the end of its atom")]
    FieldPastEnd,
    /// The value does not fit a 32-bit unsigned LEB field.
    #[error("value {0} does not fit a 32-bit LEB")]
    TooLargeForUleb32(u64),
    /// The value does not fit a 32-bit signed LEB field.
    #[error("value {0} does not fit a 32-bit signed LEB")]
    TooLargeForSleb32(u64),
}

/// Why `--shared-memory` can't be used with these inputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SharedMemoryProblem {
    /// An input disallows the `shared-mem` feature (built without atomics
    /// or bulk memory).
    #[error(
        "--shared-memory is disallowed by {file} because it was not compiled with 'atomics' or 'bulk-memory' features."
    )]
    DisallowedBy {
        /// The first object disallowing it.
        file: String,
    },
    /// A feature shared memory needs (`atomics`, `bulk-memory`) isn't in
    /// the output's feature set.
    #[error("'{feature}' feature must be used in order to use shared memory")]
    FeatureMissing {
        /// The missing feature.
        feature: &'static str,
    },
}
