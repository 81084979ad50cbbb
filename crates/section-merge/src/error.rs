//! Typed errors of the merge stage. All the wording lives here.

use object_parse::error::escape_controls;

/// Errors of this stage. Every one is an internal inconsistency between
/// the earlier stages' outputs, not a problem of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Something that must be in the output has no output index.
    #[error("internal error: {0} has no output index")]
    NoOutputIndex(Unindexed),
}

/// What had no output index (see [`MergeError::NoOutputIndex`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unindexed {
    /// A live constructor.
    Constructor,
    /// A function with a table slot.
    AddressTakenFunction,
    /// An exported function (its symbol name).
    ExportedFunction(String),
    /// The signature of an exported function that gets a command wrapper.
    ExportedFunctionSignature,
    /// An exported global.
    ExportedGlobal,
    /// An exported table.
    ExportedTable,
    /// An exported tag.
    ExportedTag,
    /// An exported data symbol (its symbol name): it has no address.
    ExportedData(String),
}

impl std::fmt::Display for Unindexed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unindexed::Constructor => f.write_str("a constructor"),
            Unindexed::AddressTakenFunction => f.write_str("an address-taken function"),
            Unindexed::ExportedFunction(s) => write!(f, "exported function {}", escape_controls(s)),
            Unindexed::ExportedFunctionSignature => f.write_str("an exported function's signature"),
            Unindexed::ExportedGlobal => f.write_str("an exported global"),
            Unindexed::ExportedTable => f.write_str("an exported table"),
            Unindexed::ExportedTag => f.write_str("an exported tag"),
            Unindexed::ExportedData(s) => write!(f, "exported data symbol {}", escape_controls(s)),
        }
    }
}
