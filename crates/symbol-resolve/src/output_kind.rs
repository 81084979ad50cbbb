//! [`OutputKind`]: what the link produces. Every stage's options carry it,
//! so that relocatable output (`-r`) and `--emit-relocs` are one switch
//! read where it matters, not a scatter of flags.

/// What kind of file the link writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputKind {
    /// A runnable module (the default).
    #[default]
    Executable,
    /// A runnable module that also keeps a `linking` section and the
    /// `reloc.*` sections (`--emit-relocs`).
    ExecutableWithRelocs,
    /// A relocatable object that can be linked again (`-r`): no garbage
    /// collection, entry or linker-defined symbols; undefined symbols stay
    /// undefined (imports); segments keep their names.
    Relocatable,
}

impl OutputKind {
    /// Whether the output is a relocatable object (`-r`).
    pub fn is_relocatable(self) -> bool {
        self == OutputKind::Relocatable
    }

    /// Whether the output carries a symbol table (`linking`) and the
    /// relocations of its code, data and custom sections.
    pub fn keeps_relocations(self) -> bool {
        self != OutputKind::Executable
    }
}

/// Position-independent output (`-pie`, `-shared`): the module is loaded at
/// an address and table slot the dynamic loader chooses, given to it as the
/// imported globals `__memory_base` and `__table_base`; symbols it doesn't
/// define (or, in a shared library, may not own) are reached through
/// `GOT.mem.*` / `GOT.func.*` imports the loader fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PicKind {
    /// `-pie`: a main module. Its own symbols are final; it exports only
    /// what is asked for.
    Pie,
    /// `-shared`: a side module. It imports its memory, exports every
    /// non-hidden definition, and reaches even its own non-hidden symbols
    /// through the GOT (another module may override them), unless
    /// `-Bsymbolic`.
    Shared,
}
