//! Newtype indices into the output module's index spaces (imports
//! included), so they cannot be mixed with input indices or each other.

use std::fmt;

/// A function index of the output module: imported functions first, then
/// [`crate::MergedModule::functions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutputFuncIdx(pub u32);

/// A global index of the output module: imported globals first, then
/// [`crate::MergedModule::globals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutputGlobalIdx(pub u32);

impl fmt::Display for OutputFuncIdx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for OutputGlobalIdx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl OutputFuncIdx {
    /// The index into [`crate::MergedModule::functions`] of this function,
    /// given the number of imported functions; `None` for an import.
    pub fn defined(self, num_imported: u32) -> Option<usize> {
        self.0.checked_sub(num_imported).map(|i| i as usize)
    }
}
