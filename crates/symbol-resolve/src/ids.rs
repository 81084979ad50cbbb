//! Newtype indices and the resolved targets of symbol references, shared by
//! every later stage.

use object_parse::{DefinedFuncIdx, SegmentIdx, Signature};

/// Index of a linked object in [`crate::Resolution::objects`] (link order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId(pub u32);

/// Index into the global symbol table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SymbolId(pub u32);

/// Index into [`crate::Resolution::imports`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImportId(pub u32);

/// Index into [`crate::Resolution::stubs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StubId(pub u32);

/// Functions the linker writes itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SyntheticFunc {
    /// `__wasm_call_ctors`: calls every live init function.
    CallCtors,
    /// `__wasm_init_tls(ptr)`: sets up a thread's TLS block (`--shared-memory`
    /// only).
    InitTls,
    /// A trapping stub (weak undefined or signature mismatch).
    Stub(StubId),
}

/// A function, wherever it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FuncRef {
    /// Defined function `index` of object `obj`.
    Defined { obj: ObjectId, index: DefinedFuncIdx },
    /// An import of the output module.
    Import(ImportId),
    /// A linker-written function.
    Synthetic(SyntheticFunc),
}

/// Data addresses the linker defines (`__heap_base` and friends).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkerData {
    /// `__dso_handle`: start of the static data.
    DsoHandle,
    /// `__data_end`: end of the static data.
    DataEnd,
    /// `__global_base`: where static data starts.
    GlobalBase,
    /// `__heap_base`: first byte after data and stack.
    HeapBase,
    /// `__heap_end`: end of the initial memory.
    HeapEnd,
    /// `__stack_low`: lowest stack address.
    StackLow,
    /// `__stack_high`: highest stack address.
    StackHigh,
    /// `__memory_base`: zero in a non-PIC link.
    MemoryBase,
    /// `__table_base`: first used table slot (1).
    TableBase,
    /// `__wasm_first_page_end`: the end of the first memory page (the page
    /// size).
    FirstPageEnd,
    /// `__start_NAME`: start of output data segment NAME.
    SegmentStart(String),
    /// `__stop_NAME`: end of output data segment NAME.
    SegmentStop(String),
}

/// A data address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataRef {
    /// `offset` bytes into data segment `segment` of object `obj`.
    Defined { obj: ObjectId, segment: SegmentIdx, offset: u64 },
    /// A linker-defined address.
    Linker(LinkerData),
    /// Absolute address (`WASM_SYM_ABSOLUTE`).
    Absolute(u64),
    /// A weak undefined data symbol: address 0.
    Null,
    /// Data another module defines (a shared library, or whatever the
    /// dynamic loader finds): its address is read from its `GOT.mem`
    /// import at run time; statically it is 0.
    Dynamic(String),
}

/// Globals the linker defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SyntheticGlobal {
    /// `__stack_pointer` (mutable i32, initialised to the stack top).
    StackPointer,
    /// `__tls_base` (start of the TLS block).
    TlsBase,
    /// `__tls_size`.
    TlsSize,
    /// `__tls_align`.
    TlsAlign,
}

/// A global, wherever it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GlobalRef {
    /// Defined global `index` (among the object's defined globals).
    Defined { obj: ObjectId, index: u32 },
    /// An import of the output module.
    Import(ImportId),
    /// A linker-defined global.
    Synthetic(SyntheticGlobal),
}

/// A table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableRef {
    /// `__indirect_function_table`, defined by the linker.
    IndirectFunctionTable,
    /// Defined table `index` (among the object's defined tables).
    Defined { obj: ObjectId, index: u32 },
    /// An import.
    Import(ImportId),
}

/// A tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TagRef {
    /// Defined tag `index` (among the object's defined tags).
    Defined { obj: ObjectId, index: u32 },
    /// An import.
    Import(ImportId),
}

/// What one symbol of one object resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A function.
    Function(FuncRef),
    /// A data address.
    Data(DataRef),
    /// A global.
    Global(GlobalRef),
    /// A table.
    Table(TableRef),
    /// A tag.
    Tag(TagRef),
    /// Custom section `custom` (index into `ObjectFile::customs`) of `obj`.
    Section { obj: ObjectId, custom: u32 },
    /// Unresolved, and not reachable from live code (only possible for
    /// references from dead code or debug info).
    Unresolved,
}

/// Why a stub function exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StubKind {
    /// A weak undefined function that is called: `undefined_weak:NAME`.
    WeakUndefined,
    /// A call site whose signature differs from the definition:
    /// `signature_mismatch:NAME`.
    SignatureMismatch,
    /// An undefined function tolerated by `--unresolved-symbols=ignore-all`
    /// or `--warn-unresolved-symbols` (and not imported): `undefined_stub`,
    /// one per signature, as in wasm-ld.
    Undefined,
}

impl StubKind {
    /// Whether a table-index relocation to this stub is 0 (the null slot)
    /// rather than a slot of its own: the stub stands for a function that
    /// doesn't exist.
    pub fn is_null_in_table(self) -> bool {
        matches!(self, StubKind::WeakUndefined | StubKind::Undefined)
    }
}

/// A trapping stub function (body: `unreachable`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stub {
    /// Why it exists.
    pub kind: StubKind,
    /// Symbol name it stands in for.
    pub name: String,
    /// Its signature (the referencing site's).
    pub signature: Signature,
}

impl Stub {
    /// Its name in the output's name section, as wasm-ld names it.
    pub fn display_name(&self) -> String {
        match self.kind {
            StubKind::WeakUndefined => format!("undefined_weak:{}", self.name),
            StubKind::SignatureMismatch => format!("signature_mismatch:{}", self.name),
            StubKind::Undefined => "undefined_stub".to_string(),
        }
    }
}

/// What an import of the output module brings in (signatures, not type
/// indices; cf. [`object_parse::InputImportKind`], an input's import). `Eq` and `Hash`:
/// identical imports (same module, field and kind) are merged by it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OutputImportKind {
    /// A function with this signature.
    Function(Signature),
    /// A global.
    Global(object_parse::GlobalType),
    /// A table.
    Table(object_parse::TableType),
    /// A tag with this signature.
    Tag(Signature),
}

/// An import of the output module.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputImport {
    /// Module name.
    pub module: String,
    /// Field name.
    pub field: String,
    /// Symbol name (for the name section).
    pub symbol: String,
    /// What is imported.
    pub kind: OutputImportKind,
}

/// Classification helpers on relocation types.
pub trait RelocTypeExt {
    /// True for relocations that take a function's table slot.
    fn is_table_index(&self) -> bool;
}

impl RelocTypeExt for object_parse::RelocType {
    fn is_table_index(&self) -> bool {
        use object_parse::RelocType::*;
        matches!(
            *self,
            TableIndexSleb | TableIndexI32 | TableIndexSleb64 | TableIndexI64 | TableIndexRelSleb | TableIndexRelSleb64
        )
    }
}
