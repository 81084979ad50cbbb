//! Newtype indices into one object's index spaces, so the compiler keeps
//! them apart. Conversions between spaces live here and nowhere else.

use std::fmt;

macro_rules! display_as_u32 {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

/// A function index of one object in the wasm sense: imported functions
/// first, then the defined ones (what symbols, exports and `call`
/// instructions of the object use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncIdx(pub u32);

/// Index of a defined function of one object: into
/// [`crate::ObjectFile::functions`] (imports not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DefinedFuncIdx(pub u32);

/// Index into one object's type section ([`crate::ObjectFile::types`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeIdx(pub u32);

/// Index of a data segment of one object ([`crate::ObjectFile::segments`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SegmentIdx(pub u32);

/// Index into one object's symbol table ([`crate::Linking::symbols`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SymbolIdx(pub u32);

display_as_u32!(FuncIdx, DefinedFuncIdx, TypeIdx, SegmentIdx, SymbolIdx);

impl DefinedFuncIdx {
    /// The defined function that function `index` names, given the number
    /// of imported functions; `None` for an import.
    pub fn from_absolute(index: FuncIdx, num_imported: u32) -> Option<Self> {
        index.0.checked_sub(num_imported).map(DefinedFuncIdx)
    }

    /// This function's index in the object's function index space.
    pub fn to_absolute(self, num_imported: u32) -> FuncIdx {
        FuncIdx(self.0 + num_imported)
    }

    /// As an index into [`crate::ObjectFile::functions`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl TypeIdx {
    /// As an index into [`crate::ObjectFile::types`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl SegmentIdx {
    /// As an index into [`crate::ObjectFile::segments`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl SymbolIdx {
    /// As an index into [`crate::Linking::symbols`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
