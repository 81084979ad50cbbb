//! Typed errors of the type stage. All the wording lives here.

/// Errors of this stage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeError {
    /// An output function whose signature cannot be found (an internal
    /// inconsistency of the earlier stages).
    #[error("internal error: function {index} has no signature")]
    FunctionWithoutSignature {
        /// The output function index.
        index: u32,
    },
    /// A defined tag whose type index is past its object's type section.
    #[error("{file}: tag type {type_index} out of range")]
    TagTypeOutOfRange {
        /// The object defining the tag.
        file: String,
        /// The tag's type index.
        type_index: u32,
    },
}
