//! The global symbol table and wasm-ld's rules for adding symbols to it:
//! strong beats weak, the first weak definition wins among weak ones, two
//! strong definitions are an error, and lazy (archive) symbols are
//! extracted by the first strong undefined reference.

use crate::ids::{ObjectId, SymbolId, Target};
use object_parse::{MemberIndex, SymbolIdx, SymbolKind};

/// The kind of a global symbol, used to detect a name used for two kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A function.
    Function,
    /// Data.
    Data,
    /// A global.
    Global,
    /// A table.
    Table,
    /// A tag.
    Tag,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Function => "WASM_SYMBOL_TYPE_FUNCTION",
            Kind::Data => "WASM_SYMBOL_TYPE_DATA",
            Kind::Global => "WASM_SYMBOL_TYPE_GLOBAL",
            Kind::Table => "WASM_SYMBOL_TYPE_TABLE",
            Kind::Tag => "WASM_SYMBOL_TYPE_TAG",
        })
    }
}

impl Kind {
    /// The kind of a (non-section) object symbol.
    pub fn of(kind: &SymbolKind) -> Option<Kind> {
        Some(match kind {
            SymbolKind::Function(_) => Kind::Function,
            SymbolKind::Data(_) => Kind::Data,
            SymbolKind::Global(_) => Kind::Global,
            SymbolKind::Table(_) => Kind::Table,
            SymbolKind::Tag(_) => Kind::Tag,
            SymbolKind::Section(_) => return None,
        })
    }

    /// The kind of a summarized symbol (`None` for section symbols).
    pub fn of_class(class: object_parse::SymbolClass) -> Option<Kind> {
        use object_parse::SymbolClass as C;
        Some(match class {
            C::Function => Kind::Function,
            C::Data => Kind::Data,
            C::Global => Kind::Global,
            C::Table => Kind::Table,
            C::Tag => Kind::Tag,
            C::Section => return None,
        })
    }
}

/// Index of an archive in the resolver's archive list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArchiveId(pub u32);

/// The current definition of a global symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Definition {
    /// Only referenced so far.
    None,
    /// Defined by an archive member that has not been extracted.
    Lazy { archive: ArchiveId, member: MemberIndex },
    /// Defined by symbol `sym` of object `obj`.
    Object { obj: ObjectId, sym: SymbolIdx, weak: bool },
    /// Defined by the linker.
    Linker(Target),
    /// Exported by shared library `lib` (an index into
    /// `Selection::shared_libraries`), as its `symbol`-th definition: the
    /// output imports it and the dynamic loader resolves it.
    Shared { lib: u32, symbol: u32 },
}

/// One entry of the global symbol table.
#[derive(Debug, Clone)]
pub struct GlobalSymbol<'a> {
    /// The name.
    pub name: &'a str,
    /// Kind, once known (lazy entries do not know it).
    pub kind: Option<Kind>,
    /// Current definition.
    pub def: Definition,
    /// Referenced by at least one strong undefined symbol.
    pub strong_ref: bool,
    /// First undefined reference (object, symbol index), for import names
    /// and signatures.
    pub first_ref: Option<(ObjectId, u32)>,
}

/// The table: names in first-seen order (which decides import and export
/// order, as in wasm-ld).
#[derive(Default)]
pub struct SymbolTable<'a> {
    /// Each entry's name hash ([`object_parse::name_hash`]) and id; names
    /// are compared through [`Self::symbols`]. Summaries carry their names'
    /// hashes, computed in parallel, so adding a symbol hashes nothing.
    map: hashbrown::HashTable<(u64, SymbolId)>,
    /// Entries by id.
    pub symbols: Vec<GlobalSymbol<'a>>,
}

impl<'a> SymbolTable<'a> {
    /// Finds a symbol by name.
    pub fn find(&self, name: &str) -> Option<SymbolId> {
        let hash = object_parse::name_hash(name);
        self.map.find(hash, |&(h, id)| h == hash && self.symbols[id.0 as usize].name == name).map(|&(_, id)| id)
    }

    /// Finds or inserts `name`.
    pub fn intern(&mut self, name: &'a str) -> SymbolId {
        self.intern_hashed(name, object_parse::name_hash(name))
    }

    /// Finds or inserts `name`, whose [`object_parse::name_hash`] is `hash`.
    pub fn intern_hashed(&mut self, name: &'a str, hash: u64) -> SymbolId {
        debug_assert_eq!(hash, object_parse::name_hash(name), "a summary's hash is not its name's");
        let symbols = &mut self.symbols;
        let entry = self.map.entry(hash, |&(h, id)| h == hash && symbols[id.0 as usize].name == name, |&(h, _)| h);
        match entry {
            hashbrown::hash_table::Entry::Occupied(e) => e.get().1,
            hashbrown::hash_table::Entry::Vacant(e) => {
                let id = SymbolId(symbols.len() as u32);
                e.insert((hash, id));
                symbols.push(GlobalSymbol {
                    name,
                    kind: None,
                    def: Definition::None,
                    strong_ref: false,
                    first_ref: None,
                });
                id
            }
        }
    }

    /// The entry for `id`.
    pub fn get(&self, id: SymbolId) -> &GlobalSymbol<'a> {
        &self.symbols[id.0 as usize]
    }

    /// The entry for `id`, mutably.
    pub fn get_mut(&mut self, id: SymbolId) -> &mut GlobalSymbol<'a> {
        &mut self.symbols[id.0 as usize]
    }
}
