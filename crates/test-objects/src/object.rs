//! [`ObjectBuilder`]: relocatable wasm objects laid out as clang writes them.
//!
//! The object imports its memory as `env.__linear_memory` (and, when code
//! takes a function's address or calls indirectly, the table as
//! `env.__indirect_function_table` with an undefined `NO_STRIP` table
//! symbol), puts every relocated field at its full width (5-byte padded
//! LEB128 in code, 4-byte integers in data) holding the object-local value,
//! and ends with the custom sections in clang's order: input custom sections,
//! `linking` (symbol table, segment info, init functions, COMDATs), then
//! `reloc.CODE`, `reloc.DATA` and `reloc.<custom>`.

use crate::leb;
use std::collections::HashMap;
use wasm_encoder as enc;

pub use wasm_encoder::ValType;

/// Symbol flag bits (`WASM_SYM_*` in tool-conventions `Linking.md`).
///
/// Written out here from the spec rather than re-exported from
/// `object_parse::flags` on purpose: the parser's tests check its constants
/// against these, which they couldn't if both came from one place.
pub mod flags {
    /// `WASM_SYM_BINDING_WEAK`.
    pub const WEAK: u32 = 0x1;
    /// `WASM_SYM_BINDING_LOCAL`.
    pub const LOCAL: u32 = 0x2;
    /// `WASM_SYM_VISIBILITY_HIDDEN`.
    pub const HIDDEN: u32 = 0x4;
    /// `WASM_SYM_UNDEFINED`.
    pub const UNDEFINED: u32 = 0x10;
    /// `WASM_SYM_EXPORTED`.
    pub const EXPORTED: u32 = 0x20;
    /// `WASM_SYM_EXPLICIT_NAME`.
    pub const EXPLICIT_NAME: u32 = 0x40;
    /// `WASM_SYM_NO_STRIP`.
    pub const NO_STRIP: u32 = 0x80;
    /// `WASM_SYM_TLS`.
    pub const TLS: u32 = 0x100;
    /// `WASM_SYM_ABSOLUTE`.
    pub const ABSOLUTE: u32 = 0x200;
}

/// Data segment flag bits (`WASM_SEG_FLAG_*`).
pub mod segment_flags {
    /// `WASM_SEG_FLAG_STRINGS`: NUL-terminated strings only.
    pub const STRINGS: u32 = 0x1;
    /// `WASM_SEG_FLAG_TLS`: thread-local data.
    pub const TLS: u32 = 0x2;
    /// `WASM_SEG_FLAG_RETAIN`: kept whenever its object is linked.
    pub const RETAIN: u32 = 0x4;
}

/// The name of the table clang's objects import for indirect calls and
/// function addresses.
pub const INDIRECT_FUNCTION_TABLE: &str = "__indirect_function_table";

/// A function signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sig {
    /// Parameter types.
    pub params: Vec<ValType>,
    /// Result types.
    pub results: Vec<ValType>,
}

impl Sig {
    /// `(params) -> (results)`.
    pub fn new(params: &[ValType], results: &[ValType]) -> Sig {
        Sig { params: params.to_vec(), results: results.to_vec() }
    }

    /// `() -> ()`.
    pub fn void() -> Sig {
        Sig::new(&[], &[])
    }

    /// `() -> i32`.
    pub fn ret_i32() -> Sig {
        Sig::new(&[], &[ValType::I32])
    }
}

/// A relocated field in a function body.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CodeRef {
    /// `R_WASM_FUNCTION_INDEX_LEB` to a function symbol.
    Call(String),
    /// `R_WASM_TABLE_INDEX_SLEB` to a function symbol.
    TableIndex(String),
    /// `R_WASM_MEMORY_ADDR_LEB` to a data symbol, with addend.
    MemoryLeb(String, i32),
    /// `R_WASM_MEMORY_ADDR_SLEB` to a data symbol, with addend.
    MemorySleb(String, i32),
    /// `R_WASM_GLOBAL_INDEX_LEB` to a global symbol.
    Global(String),
    /// `R_WASM_TYPE_INDEX_LEB` to a signature (no symbol).
    Type(Sig),
    /// `R_WASM_TABLE_NUMBER_LEB` to a table symbol.
    TableNumber(String),
}

/// A function body: locals and instructions, with the relocated fields
/// recorded as they are appended. `end` is added by the builder.
///
/// ```
/// use test_objects::{Body, ValType};
/// let body = Body::new().call("foo").drop().load_i32("counter", 0);
/// # let _ = body;
/// ```
#[derive(Debug, Clone, Default)]
pub struct Body {
    locals: Vec<(u32, ValType)>,
    code: Vec<u8>,
    relocs: Vec<(usize, CodeRef)>,
}

impl Body {
    /// An empty body (valid for a `() -> ()` function).
    pub fn new() -> Body {
        Body::default()
    }

    /// Declares `count` locals of type `ty` (after the parameters).
    pub fn locals(mut self, count: u32, ty: ValType) -> Body {
        self.locals.push((count, ty));
        self
    }

    /// Appends one instruction, encoded by wasm-encoder, without relocation.
    pub fn instr(mut self, i: enc::Instruction<'_>) -> Body {
        enc::Encode::encode(&i, &mut self.code);
        self
    }

    /// Appends raw instruction bytes, without relocation.
    pub fn raw(mut self, bytes: &[u8]) -> Body {
        self.code.extend_from_slice(bytes);
        self
    }

    fn field(mut self, opcode: &[u8], r: CodeRef) -> Body {
        self.code.extend_from_slice(opcode);
        self.relocs.push((self.code.len(), r));
        self.code.extend_from_slice(&[0; 5]);
        self
    }

    /// `call SYMBOL` with an `R_WASM_FUNCTION_INDEX_LEB` relocation.
    pub fn call(self, symbol: &str) -> Body {
        self.field(&[0x10], CodeRef::Call(symbol.into()))
    }

    /// `i32.const &SYMBOL` (its table slot) with an `R_WASM_TABLE_INDEX_SLEB`
    /// relocation: taking a function's address.
    pub fn func_addr(self, symbol: &str) -> Body {
        self.field(&[0x41], CodeRef::TableIndex(symbol.into()))
    }

    /// `i32.const &SYMBOL+addend` with an `R_WASM_MEMORY_ADDR_SLEB`
    /// relocation: taking a data symbol's address.
    pub fn data_addr(self, symbol: &str, addend: i32) -> Body {
        self.field(&[0x41], CodeRef::MemorySleb(symbol.into(), addend))
    }

    /// `i32.const 0; i32.load offset=SYMBOL+addend`, the offset carrying an
    /// `R_WASM_MEMORY_ADDR_LEB` relocation (clang's load of a global
    /// variable). Pushes an i32.
    pub fn load_i32(self, symbol: &str, addend: i32) -> Body {
        // i32.const 0; i32.load align=2 offset=<reloc>
        self.raw(&[0x41, 0x00, 0x28, 0x02]).field(&[], CodeRef::MemoryLeb(symbol.into(), addend))
    }

    /// `i32.const 0; i32.const value; i32.store offset=SYMBOL+addend`, the
    /// offset carrying an `R_WASM_MEMORY_ADDR_LEB` relocation.
    pub fn store_i32(self, symbol: &str, addend: i32, value: i32) -> Body {
        self.raw(&[0x41, 0x00])
            .instr(enc::Instruction::I32Const(value))
            .raw(&[0x36, 0x02])
            .field(&[], CodeRef::MemoryLeb(symbol.into(), addend))
    }

    /// `global.get SYMBOL` with an `R_WASM_GLOBAL_INDEX_LEB` relocation.
    pub fn global_get(self, symbol: &str) -> Body {
        self.field(&[0x23], CodeRef::Global(symbol.into()))
    }

    /// `global.set SYMBOL` with an `R_WASM_GLOBAL_INDEX_LEB` relocation (the
    /// value must be on the stack).
    pub fn global_set(self, symbol: &str) -> Body {
        self.field(&[0x24], CodeRef::Global(symbol.into()))
    }

    /// `call_indirect (type sig) __indirect_function_table`: the type index
    /// carries an `R_WASM_TYPE_INDEX_LEB` and the table number an
    /// `R_WASM_TABLE_NUMBER_LEB` relocation. The table slot (and the
    /// arguments) must be on the stack. The object imports the table.
    pub fn call_indirect(self, sig: &Sig) -> Body {
        self.field(&[0x11], CodeRef::Type(sig.clone())).field(&[], CodeRef::TableNumber(INDIRECT_FUNCTION_TABLE.into()))
    }

    /// `i32.const value`.
    pub fn i32_const(self, value: i32) -> Body {
        self.instr(enc::Instruction::I32Const(value))
    }

    /// `i32.add`.
    pub fn i32_add(self) -> Body {
        self.instr(enc::Instruction::I32Add)
    }

    /// `drop`.
    pub fn drop(self) -> Body {
        self.instr(enc::Instruction::Drop)
    }

    /// `local.get index`.
    pub fn local_get(self, index: u32) -> Body {
        self.instr(enc::Instruction::LocalGet(index))
    }

    /// `unreachable`.
    pub fn unreachable(self) -> Body {
        self.instr(enc::Instruction::Unreachable)
    }
}

/// A relocated 4-byte field in a data segment or custom section.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fixup {
    /// `R_WASM_MEMORY_ADDR_I32` to a data symbol.
    MemoryAddr(String, i32),
    /// `R_WASM_TABLE_INDEX_I32` to a function symbol.
    TableIndex(String),
    /// `R_WASM_FUNCTION_OFFSET_I32` to a function symbol.
    FunctionOffset(String, i32),
    /// `R_WASM_SECTION_OFFSET_I32` to a section symbol.
    SectionOffset(String, i32),
}

/// A data segment: name (e.g. `.data.counter`), bytes, alignment, flags,
/// and its relocated 4-byte fields.
#[derive(Debug, Clone)]
pub struct Segment {
    name: String,
    data: Vec<u8>,
    align_log2: u32,
    flags: u32,
    fixups: Vec<(u32, Fixup)>,
}

impl Segment {
    /// A segment named `name` holding `data`, byte-aligned, no flags.
    pub fn new(name: &str, data: impl Into<Vec<u8>>) -> Segment {
        Segment { name: name.into(), data: data.into(), align_log2: 0, flags: 0, fixups: Vec::new() }
    }

    /// `size` zero bytes (a `.bss.*` segment's content as clang writes it).
    pub fn zeroed(name: &str, size: usize) -> Segment {
        Segment::new(name, vec![0; size])
    }

    /// Alignment `2^log2`.
    pub fn align(mut self, log2: u32) -> Segment {
        self.align_log2 = log2;
        self
    }

    /// Adds `WASM_SEG_FLAG_*` bits.
    pub fn flags(mut self, bits: u32) -> Segment {
        self.flags |= bits;
        self
    }

    /// Adds `WASM_SEG_FLAG_RETAIN` (`__attribute__((retain))`).
    pub fn retain(self) -> Segment {
        self.flags(segment_flags::RETAIN)
    }

    /// Adds `WASM_SEG_FLAG_STRINGS` (mergeable strings).
    pub fn strings(self) -> Segment {
        self.flags(segment_flags::STRINGS)
    }

    /// The 4 bytes at `offset` hold `&symbol + addend`
    /// (`R_WASM_MEMORY_ADDR_I32`): a pointer in static data.
    pub fn data_addr_at(mut self, offset: u32, symbol: &str, addend: i32) -> Segment {
        self.fixups.push((offset, Fixup::MemoryAddr(symbol.into(), addend)));
        self
    }

    /// The 4 bytes at `offset` hold the table slot of function `symbol`
    /// (`R_WASM_TABLE_INDEX_I32`): a function pointer in static data.
    pub fn func_addr_at(mut self, offset: u32, symbol: &str) -> Segment {
        self.fixups.push((offset, Fixup::TableIndex(symbol.into())));
        self
    }
}

/// A custom section (e.g. `.debug_info`) with its relocated 4-byte fields.
#[derive(Debug, Clone)]
pub struct Custom {
    name: String,
    data: Vec<u8>,
    fixups: Vec<(u32, Fixup)>,
}

impl Custom {
    /// A custom section `name` with payload `data`.
    pub fn new(name: &str, data: impl Into<Vec<u8>>) -> Custom {
        Custom { name: name.into(), data: data.into(), fixups: Vec::new() }
    }

    /// The 4 bytes at `offset` hold the code offset of function `symbol`
    /// plus `addend` (`R_WASM_FUNCTION_OFFSET_I32`, as in `.debug_info`).
    pub fn func_offset_at(mut self, offset: u32, symbol: &str, addend: i32) -> Custom {
        self.fixups.push((offset, Fixup::FunctionOffset(symbol.into(), addend)));
        self
    }

    /// The 4 bytes at `offset` hold an offset into custom section `section`
    /// (which needs a [`ObjectBuilder::section_symbol`]) plus `addend`
    /// (`R_WASM_SECTION_OFFSET_I32`).
    pub fn section_offset_at(mut self, offset: u32, section: &str, addend: i32) -> Custom {
        self.fixups.push((offset, Fixup::SectionOffset(section.into(), addend)));
        self
    }

    /// The 4 bytes at `offset` hold `&symbol + addend` (`R_WASM_MEMORY_ADDR_I32`).
    pub fn data_addr_at(mut self, offset: u32, symbol: &str, addend: i32) -> Custom {
        self.fixups.push((offset, Fixup::MemoryAddr(symbol.into(), addend)));
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
enum ImportKind {
    Func(Sig),
    Global(ValType, bool),
    Table,
}

#[derive(Debug, Clone)]
struct ImportDef {
    module: String,
    field: String,
    kind: ImportKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SymKind {
    /// Defined function (index into `funcs`).
    Func(usize),
    /// Imported function (index into `imports`).
    ImportedFunc(usize),
    /// Defined data: segment index, offset, size.
    Data(usize, u32, u32),
    /// Undefined data.
    UndefinedData,
    /// Defined global (index into `globals`).
    Global(usize),
    /// Imported global (index into `imports`).
    ImportedGlobal(usize),
    /// Imported table (index into `imports`).
    ImportedTable(usize),
    /// Custom section (index into `customs`).
    Section(usize),
}

#[derive(Debug, Clone)]
struct SymbolDef {
    name: String,
    kind: SymKind,
    flags: u32,
}

#[derive(Debug, Clone)]
struct GlobalDef {
    ty: ValType,
    mutable: bool,
    init: i64,
}

/// Builds one relocatable object. Every method that adds a symbol appends it
/// to the symbol table (so symbol indices are declaration order, see
/// [`ObjectBuilder::symbol_index`]); the flag modifiers ([`weak`],
/// [`hidden`], ...) apply to the symbol added last. Bodies, segments and
/// custom sections refer to symbols by name; the names are looked up when
/// the object is built.
///
/// ```
/// use test_objects::{Body, ObjectBuilder, Segment, Sig, ValType};
/// let bytes = ObjectBuilder::new()
///     .import_func("foo", Sig::new(&[ValType::I32], &[ValType::I32]))
///     .data("counter", Segment::new(".data.counter", 5u32.to_le_bytes()).align(2))
///     .func("main", Sig::ret_i32(), Body::new().load_i32("counter", 0).call("foo"))
///     .build();
/// assert!(bytes.starts_with(b"\0asm"));
/// ```
///
/// [`weak`]: ObjectBuilder::weak
/// [`hidden`]: ObjectBuilder::hidden
#[derive(Debug, Clone, Default)]
pub struct ObjectBuilder {
    imports: Vec<ImportDef>,
    funcs: Vec<(Sig, Body)>,
    globals: Vec<GlobalDef>,
    segments: Vec<Segment>,
    customs: Vec<Custom>,
    symbols: Vec<SymbolDef>,
    init_funcs: Vec<(u32, String)>,
    comdats: Vec<(String, Vec<String>)>,
    exports: Vec<(String, String)>,
}

/// Index spaces and placements computed when building.
struct Plan {
    func_index: Vec<u32>,
    global_index: Vec<u32>,
    table_index: Vec<u32>,
    num_imported_funcs: u32,
    num_imported_globals: u32,
    types: Vec<Sig>,
    segment_address: Vec<u32>,
    symbol_by_name: HashMap<String, u32>,
    /// Address-taken functions (symbol names) in the order of their first
    /// table-index relocation: the object's own table slots `1..`, which
    /// clang lists in an element segment and writes into the fields.
    table_slots: Vec<String>,
}

impl Plan {
    fn type_index(&self, sig: &Sig) -> u32 {
        self.types.iter().position(|t| t == sig).expect("signature registered") as u32
    }

    /// The object-local table slot of an address-taken function.
    fn table_slot(&self, name: &str) -> u32 {
        1 + self.table_slots.iter().position(|n| n == name).expect("address-taken function registered") as u32
    }
}

impl ObjectBuilder {
    /// An empty object (it still imports `env.__linear_memory` and has a
    /// `linking` section).
    pub fn new() -> ObjectBuilder {
        ObjectBuilder::default()
    }

    fn add_symbol(mut self, name: &str, kind: SymKind, flags: u32) -> ObjectBuilder {
        self.symbols.push(SymbolDef { name: name.into(), kind, flags });
        self
    }

    fn add_import(&mut self, module: &str, field: &str, kind: ImportKind) -> usize {
        self.imports.push(ImportDef { module: module.into(), field: field.into(), kind });
        self.imports.len() - 1
    }

    /// An undefined function `name` imported as `env.name`.
    pub fn import_func(self, name: &str, sig: Sig) -> ObjectBuilder {
        self.import_func_from(name, "env", name, sig)
    }

    /// An undefined function symbol `name` imported as `module.field`
    /// (`import_module`/`import_name`). The symbol gets
    /// `WASM_SYM_EXPLICIT_NAME` (and its name in the symbol table) when
    /// `field` differs from `name`, as clang writes it.
    pub fn import_func_from(mut self, name: &str, module: &str, field: &str, sig: Sig) -> ObjectBuilder {
        let i = self.add_import(module, field, ImportKind::Func(sig));
        let explicit = if field != name { flags::EXPLICIT_NAME } else { 0 };
        self.add_symbol(name, SymKind::ImportedFunc(i), flags::UNDEFINED | explicit)
    }

    /// An undefined global `name` imported as `env.name`.
    pub fn import_global(mut self, name: &str, ty: ValType, mutable: bool) -> ObjectBuilder {
        let i = self.add_import("env", name, ImportKind::Global(ty, mutable));
        self.add_symbol(name, SymKind::ImportedGlobal(i), flags::UNDEFINED)
    }

    /// `env.__stack_pointer`, the mutable i32 global clang's code uses for
    /// the shadow stack.
    pub fn stack_pointer(self) -> ObjectBuilder {
        self.import_global("__stack_pointer", ValType::I32, true)
    }

    /// `env.__indirect_function_table` with an undefined `NO_STRIP` table
    /// symbol, as clang imports it. Added automatically by [`Self::build`]
    /// when code calls indirectly or takes a function's address.
    pub fn indirect_function_table(mut self) -> ObjectBuilder {
        let i = self.add_import("env", INDIRECT_FUNCTION_TABLE, ImportKind::Table);
        self.add_symbol(INDIRECT_FUNCTION_TABLE, SymKind::ImportedTable(i), flags::UNDEFINED | flags::NO_STRIP)
    }

    /// An undefined data symbol `name` (`extern int name;`).
    pub fn undefined_data(self, name: &str) -> ObjectBuilder {
        self.add_symbol(name, SymKind::UndefinedData, flags::UNDEFINED)
    }

    /// A defined function `name` with signature `sig` and body `body`.
    pub fn func(mut self, name: &str, sig: Sig, body: Body) -> ObjectBuilder {
        self.funcs.push((sig, body));
        let i = self.funcs.len() - 1;
        self.add_symbol(name, SymKind::Func(i), 0)
    }

    /// Data segment `segment` and a data symbol `name` covering all of it
    /// (clang's `-fdata-sections` layout: one segment per variable).
    pub fn data(mut self, name: &str, segment: Segment) -> ObjectBuilder {
        let size = segment.data.len() as u32;
        self.segments.push(segment);
        let i = self.segments.len() - 1;
        self.add_symbol(name, SymKind::Data(i, 0, size), 0)
    }

    /// A zero-initialised variable `name` of `size` bytes in its own
    /// `.bss.NAME` segment aligned to `2^align_log2`.
    pub fn bss(self, name: &str, size: usize, align_log2: u32) -> ObjectBuilder {
        self.data(name, Segment::zeroed(&format!(".bss.{name}"), size).align(align_log2))
    }

    /// A data segment without a symbol of its own (see
    /// [`Self::data_symbol`]).
    pub fn segment(mut self, segment: Segment) -> ObjectBuilder {
        self.segments.push(segment);
        self
    }

    /// A data symbol `name` at `offset`, `size` bytes, inside the segment
    /// named `segment` (added before).
    pub fn data_symbol(self, name: &str, segment: &str, offset: u32, size: u32) -> ObjectBuilder {
        let i = self
            .segments
            .iter()
            .position(|s| s.name == segment)
            .unwrap_or_else(|| panic!("data_symbol {name}: no segment named {segment}"));
        self.add_symbol(name, SymKind::Data(i, offset, size), 0)
    }

    /// A defined global `name` of type `ty` (i32 or i64) initialised to `init`.
    pub fn global(mut self, name: &str, ty: ValType, mutable: bool, init: i64) -> ObjectBuilder {
        assert!(matches!(ty, ValType::I32 | ValType::I64), "global {name}: only i32 and i64 globals are supported");
        self.globals.push(GlobalDef { ty, mutable, init });
        let i = self.globals.len() - 1;
        self.add_symbol(name, SymKind::Global(i), 0)
    }

    /// A custom section (placed before `linking`, as clang places
    /// `.debug_*`). Adds no symbol; see [`Self::section_symbol`].
    pub fn custom(mut self, section: Custom) -> ObjectBuilder {
        self.customs.push(section);
        self
    }

    /// A local section symbol for the custom section `section` (added
    /// before), as clang writes for `.debug_*` sections that relocations
    /// point into. Fixups name it by the section's name.
    pub fn section_symbol(self, section: &str) -> ObjectBuilder {
        let i = self
            .customs
            .iter()
            .position(|c| c.name == section)
            .unwrap_or_else(|| panic!("section_symbol: no custom section named {section}"));
        self.add_symbol(section, SymKind::Section(i), flags::LOCAL)
    }

    fn last_flags(mut self, bits: u32) -> ObjectBuilder {
        self.symbols.last_mut().expect("a flag modifier needs a symbol added before it").flags |= bits;
        self
    }

    /// Adds `WASM_SYM_*` bits to the symbol added last.
    pub fn with_flags(self, bits: u32) -> ObjectBuilder {
        self.last_flags(bits)
    }

    /// Makes the symbol added last weak (`__attribute__((weak))`).
    pub fn weak(self) -> ObjectBuilder {
        self.last_flags(flags::WEAK)
    }

    /// Makes the symbol added last local (`static`).
    pub fn local(self) -> ObjectBuilder {
        self.last_flags(flags::LOCAL)
    }

    /// Makes the symbol added last hidden (clang's default visibility on wasm).
    pub fn hidden(self) -> ObjectBuilder {
        self.last_flags(flags::HIDDEN)
    }

    /// Marks the symbol added last `NO_STRIP` (`__attribute__((used))`).
    pub fn no_strip(self) -> ObjectBuilder {
        self.last_flags(flags::NO_STRIP)
    }

    /// Marks the symbol added last `EXPORTED` (to be exported under its own
    /// name).
    pub fn exported(self) -> ObjectBuilder {
        self.last_flags(flags::EXPORTED)
    }

    /// `__attribute__((export_name("name")))` on the function added last:
    /// an export entry in the object and the `EXPORTED | NO_STRIP` flags.
    pub fn export_name(mut self, export: &str) -> ObjectBuilder {
        let sym = self.symbols.last().expect("export_name needs a function before it");
        assert!(matches!(sym.kind, SymKind::Func(_)), "export_name applies to defined functions");
        let name = sym.name.clone();
        self.exports.push((export.into(), name));
        self.last_flags(flags::EXPORTED | flags::NO_STRIP)
    }

    /// Adds `WASM_SYM_*` bits to the first symbol named `symbol`.
    pub fn set_flags(mut self, symbol: &str, bits: u32) -> ObjectBuilder {
        let s = self
            .symbols
            .iter_mut()
            .find(|s| s.name == symbol)
            .unwrap_or_else(|| panic!("set_flags: no symbol named {symbol}"));
        s.flags |= bits;
        self
    }

    /// Function `symbol` is a constructor with `priority` (lower runs first;
    /// clang's default is 65535).
    pub fn init_func(mut self, symbol: &str, priority: u32) -> ObjectBuilder {
        self.init_funcs.push((priority, symbol.into()));
        self
    }

    /// A COMDAT group `name` whose members are the definitions of the given
    /// symbols (a data symbol's member is its segment).
    pub fn comdat(mut self, name: &str, members: &[&str]) -> ObjectBuilder {
        self.comdats.push((name.into(), members.iter().map(|m| m.to_string()).collect()));
        self
    }

    /// Index of the first symbol named `name` in the symbol table (section
    /// symbols are named by their section).
    pub fn symbol_index(&self, name: &str) -> Option<u32> {
        self.symbols.iter().position(|s| s.name == name).map(|i| i as u32)
    }

    /// The object's bytes. Panics if wasmparser's validator rejects the
    /// module (e.g. a body that does not type-check) or a name is unknown.
    pub fn build(&self) -> Vec<u8> {
        let bytes = self.build_unchecked();
        if let Err(e) = wasmparser::Validator::new().validate_all(&bytes) {
            panic!("test object does not validate: {e}");
        }
        bytes
    }

    /// The object's bytes, without validating the module. Panics if a
    /// name is unknown.
    pub fn build_unchecked(&self) -> Vec<u8> {
        let mut b = self.clone();
        b.add_implicit_table();
        b.encode()
    }

    fn add_implicit_table(&mut self) {
        let needs_table =
            self.funcs.iter().any(|(_, body)| {
                body.relocs.iter().any(|(_, r)| matches!(r, CodeRef::TableIndex(_) | CodeRef::TableNumber(_)))
            }) || self.segments.iter().any(|s| s.fixups.iter().any(|(_, f)| matches!(f, Fixup::TableIndex(_))));
        if needs_table && !self.symbols.iter().any(|s| s.name == INDIRECT_FUNCTION_TABLE) {
            let i = self.add_import("env", INDIRECT_FUNCTION_TABLE, ImportKind::Table);
            self.symbols.push(SymbolDef {
                name: INDIRECT_FUNCTION_TABLE.into(),
                kind: SymKind::ImportedTable(i),
                flags: flags::UNDEFINED | flags::NO_STRIP,
            });
        }
    }

    fn plan(&self) -> Plan {
        let mut func_index = vec![0; self.imports.len()];
        let mut global_index = vec![0; self.imports.len()];
        let mut table_index = vec![0; self.imports.len()];
        let (mut nf, mut ng, mut nt) = (0u32, 0u32, 0u32);
        let mut types: Vec<Sig> = Vec::new();
        let mut reg = |s: &Sig| {
            if !types.contains(s) {
                types.push(s.clone());
            }
        };
        for (i, imp) in self.imports.iter().enumerate() {
            match &imp.kind {
                ImportKind::Func(_) => {
                    func_index[i] = nf;
                    nf += 1;
                }
                ImportKind::Global(..) => {
                    global_index[i] = ng;
                    ng += 1;
                }
                ImportKind::Table => {
                    table_index[i] = nt;
                    nt += 1;
                }
            }
        }
        // Function signatures in symbol-table order, as clang registers them.
        for sym in &self.symbols {
            match sym.kind {
                SymKind::Func(i) => reg(&self.funcs[i].0),
                SymKind::ImportedFunc(i) => {
                    if let ImportKind::Func(sig) = &self.imports[i].kind {
                        reg(sig)
                    }
                }
                _ => {}
            }
        }
        for imp in &self.imports {
            if let ImportKind::Func(sig) = &imp.kind {
                reg(sig);
            }
        }
        for (sig, _) in &self.funcs {
            reg(sig);
        }
        for (_, body) in &self.funcs {
            for (_, r) in &body.relocs {
                if let CodeRef::Type(sig) = r {
                    reg(sig);
                }
            }
        }
        let mut segment_address = Vec::with_capacity(self.segments.len());
        let mut at = 0u32;
        for s in &self.segments {
            at = at.next_multiple_of(1 << s.align_log2);
            segment_address.push(at);
            at += s.data.len() as u32;
        }
        let mut symbol_by_name = HashMap::new();
        for (i, s) in self.symbols.iter().enumerate() {
            symbol_by_name.entry(s.name.clone()).or_insert(i as u32);
        }
        let mut table_slots: Vec<String> = Vec::new();
        let code_refs = self.funcs.iter().flat_map(|(_, b)| b.relocs.iter()).filter_map(|(_, r)| match r {
            CodeRef::TableIndex(n) => Some(n),
            _ => None,
        });
        let data_refs = self.segments.iter().flat_map(|s| s.fixups.iter()).filter_map(|(_, f)| match f {
            Fixup::TableIndex(n) => Some(n),
            _ => None,
        });
        for name in code_refs.chain(data_refs) {
            if !table_slots.contains(name) {
                table_slots.push(name.clone());
            }
        }
        Plan {
            func_index,
            global_index,
            table_index,
            num_imported_funcs: nf,
            num_imported_globals: ng,
            types,
            segment_address,
            symbol_by_name,
            table_slots,
        }
    }

    fn symbol(&self, plan: &Plan, name: &str) -> (u32, &SymbolDef) {
        let i = *plan.symbol_by_name.get(name).unwrap_or_else(|| panic!("no symbol named {name} in the test object"));
        (i, &self.symbols[i as usize])
    }

    /// Absolute function index of a function symbol.
    fn function_of(&self, plan: &Plan, name: &str) -> u32 {
        match self.symbol(plan, name).1.kind {
            SymKind::Func(i) => plan.num_imported_funcs + i as u32,
            SymKind::ImportedFunc(i) => plan.func_index[i],
            other => panic!("{name} is not a function symbol ({other:?})"),
        }
    }

    /// Object-local address of a data symbol (0 when undefined).
    fn address_of(&self, plan: &Plan, name: &str) -> u32 {
        match self.symbol(plan, name).1.kind {
            SymKind::Data(seg, off, _) => plan.segment_address[seg] + off,
            SymKind::UndefinedData => 0,
            other => panic!("{name} is not a data symbol ({other:?})"),
        }
    }

    fn encode(&self) -> Vec<u8> {
        let plan = self.plan();
        let mut module = enc::Module::new();
        let mut section_count = 0u32;
        let mut next_section = || {
            section_count += 1;
            section_count - 1
        };

        let val = |t: &[ValType]| t.to_vec();
        let mut types = enc::TypeSection::new();
        for s in &plan.types {
            types.ty().function(val(&s.params), val(&s.results));
        }
        if !plan.types.is_empty() {
            module.section(&types);
            next_section();
        }

        let data_end = plan.segment_address.last().map_or(0, |a| a + self.segments.last().unwrap().data.len() as u32);
        let mut imports = enc::ImportSection::new();
        imports.import(
            "env",
            "__linear_memory",
            enc::MemoryType {
                minimum: (data_end as u64).div_ceil(65536),
                maximum: None,
                memory64: false,
                shared: false,
                page_size_log2: None,
            },
        );
        for imp in &self.imports {
            let ty: enc::EntityType = match &imp.kind {
                ImportKind::Func(sig) => enc::EntityType::Function(plan.type_index(sig)),
                ImportKind::Global(t, m) => {
                    enc::EntityType::Global(enc::GlobalType { val_type: *t, mutable: *m, shared: false })
                }
                ImportKind::Table => enc::EntityType::Table(enc::TableType {
                    element_type: enc::RefType::FUNCREF,
                    table64: false,
                    minimum: plan.table_slots.len() as u64,
                    maximum: None,
                    shared: false,
                }),
            };
            imports.import(&imp.module, &imp.field, ty);
        }
        module.section(&imports);
        next_section();

        if !self.funcs.is_empty() {
            let mut fs = enc::FunctionSection::new();
            for (sig, _) in &self.funcs {
                fs.function(plan.type_index(sig));
            }
            module.section(&fs);
            next_section();
        }

        if !self.globals.is_empty() {
            let mut gs = enc::GlobalSection::new();
            for g in &self.globals {
                let init = match g.ty {
                    ValType::I64 => enc::ConstExpr::i64_const(g.init),
                    _ => enc::ConstExpr::i32_const(g.init as i32),
                };
                gs.global(enc::GlobalType { val_type: g.ty, mutable: g.mutable, shared: false }, &init);
            }
            module.section(&gs);
            next_section();
        }

        if !self.exports.is_empty() {
            let mut es = enc::ExportSection::new();
            for (export, sym) in &self.exports {
                es.export(export, enc::ExportKind::Func, self.function_of(&plan, sym));
            }
            module.section(&es);
            next_section();
        }

        if !plan.table_slots.is_empty() {
            let table = self
                .symbols
                .iter()
                .find_map(|s| match s.kind {
                    SymKind::ImportedTable(i) if s.name == INDIRECT_FUNCTION_TABLE => Some(plan.table_index[i]),
                    _ => None,
                })
                .expect("address-taken functions need the indirect function table");
            let funcs: Vec<u32> = plan.table_slots.iter().map(|n| self.function_of(&plan, n)).collect();
            let mut es = enc::ElementSection::new();
            let table = if table == 0 { None } else { Some(table) };
            es.active(table, &enc::ConstExpr::i32_const(1), enc::Elements::Functions(funcs.into()));
            module.section(&es);
            next_section();
        }

        if !self.segments.is_empty() {
            module.section(&enc::DataCountSection { count: self.segments.len() as u32 });
            next_section();
        }

        // Code: assembled by hand to know every relocated field's offset
        // within the section payload.
        let mut code_relocs: Vec<RelocEntry> = Vec::new();
        let mut code_section = None;
        if !self.funcs.is_empty() {
            let mut payload = Vec::new();
            leb::write_u32(&mut payload, self.funcs.len() as u32);
            for (_, body) in &self.funcs {
                let mut head = Vec::new();
                leb::write_u32(&mut head, body.locals.len() as u32);
                for (n, t) in &body.locals {
                    leb::write_u32(&mut head, *n);
                    enc::Encode::encode(t, &mut head);
                }
                let mut code = body.code.clone();
                for (at, r) in &body.relocs {
                    let (ty, index, addend, field) = self.code_reloc(&plan, r);
                    code[*at..*at + 5].copy_from_slice(&field);
                    let offset = payload.len() + leb_len(head.len() + code.len() + 1) + head.len() + at;
                    code_relocs.push(RelocEntry { ty, offset: offset as u32, index, addend });
                }
                leb::write_u32(&mut payload, (head.len() + code.len() + 1) as u32);
                payload.extend_from_slice(&head);
                payload.extend_from_slice(&code);
                payload.push(0x0b);
            }
            module.section(&enc::RawSection { id: 10, data: &payload });
            code_section = Some(next_section());
        }

        let mut data_relocs: Vec<RelocEntry> = Vec::new();
        let mut data_section = None;
        if !self.segments.is_empty() {
            let mut payload = Vec::new();
            leb::write_u32(&mut payload, self.segments.len() as u32);
            for (s, addr) in self.segments.iter().zip(&plan.segment_address) {
                payload.push(0); // active, memory 0
                enc::Encode::encode(&enc::ConstExpr::i32_const(*addr as i32), &mut payload);
                leb::write_u32(&mut payload, s.data.len() as u32);
                let start = payload.len();
                let mut data = s.data.clone();
                for (off, f) in &s.fixups {
                    let (ty, index, addend, value) = self.i32_fixup(&plan, f);
                    data[*off as usize..*off as usize + 4].copy_from_slice(&value.to_le_bytes());
                    data_relocs.push(RelocEntry { ty, offset: start as u32 + off, index, addend });
                }
                payload.extend_from_slice(&data);
            }
            module.section(&enc::RawSection { id: 11, data: &payload });
            data_section = Some(next_section());
        }

        let mut custom_relocs: Vec<(String, u32, Vec<RelocEntry>)> = Vec::new();
        let mut custom_section_index = Vec::new();
        for c in &self.customs {
            let mut data = c.data.clone();
            let mut relocs = Vec::new();
            for (off, f) in &c.fixups {
                let (ty, index, addend, value) = self.i32_fixup(&plan, f);
                data[*off as usize..*off as usize + 4].copy_from_slice(&value.to_le_bytes());
                relocs.push(RelocEntry { ty, offset: *off, index, addend });
            }
            module.section(&enc::CustomSection { name: c.name.as_str().into(), data: data.into() });
            let index = next_section();
            custom_section_index.push(index);
            if !relocs.is_empty() {
                custom_relocs.push((c.name.clone(), index, relocs));
            }
        }

        let linking = self.linking_payload(&plan, &custom_section_index);
        module.section(&enc::CustomSection { name: "linking".into(), data: linking.into() });
        let mut reloc_sections = Vec::new();
        if let Some(index) = code_section.filter(|_| !code_relocs.is_empty()) {
            reloc_sections.push(("reloc.CODE".to_string(), index, code_relocs));
        }
        if let Some(index) = data_section.filter(|_| !data_relocs.is_empty()) {
            reloc_sections.push(("reloc.DATA".to_string(), index, data_relocs));
        }
        for (name, index, relocs) in custom_relocs {
            reloc_sections.push((format!("reloc.{name}"), index, relocs));
        }
        for (name, index, mut relocs) in reloc_sections {
            relocs.sort_by_key(|r| r.offset);
            let mut p = Vec::new();
            leb::write_u32(&mut p, index);
            leb::write_u32(&mut p, relocs.len() as u32);
            for r in &relocs {
                p.push(r.ty);
                leb::write_u32(&mut p, r.offset);
                leb::write_u32(&mut p, r.index);
                if let Some(a) = r.addend {
                    leb::write_i64(&mut p, a as i64);
                }
            }
            module.section(&enc::CustomSection { name: name.into(), data: p.into() });
        }
        module.finish()
    }

    /// (type code, symbol or type index, addend, padded field) of a code
    /// relocation.
    fn code_reloc(&self, plan: &Plan, r: &CodeRef) -> (u8, u32, Option<i32>, [u8; 5]) {
        match r {
            CodeRef::Call(name) => {
                let (sym, _) = self.symbol(plan, name);
                (0, sym, None, leb::padded_u32(self.function_of(plan, name)))
            }
            CodeRef::TableIndex(name) => {
                let (sym, _) = self.symbol(plan, name);
                self.function_of(plan, name);
                (1, sym, None, leb::padded_i32(plan.table_slot(name) as i32))
            }
            CodeRef::MemoryLeb(name, addend) => {
                let (sym, _) = self.symbol(plan, name);
                let v = self.address_of(plan, name).wrapping_add(*addend as u32);
                (3, sym, Some(*addend), leb::padded_u32(v))
            }
            CodeRef::MemorySleb(name, addend) => {
                let (sym, _) = self.symbol(plan, name);
                let v = self.address_of(plan, name).wrapping_add(*addend as u32);
                (4, sym, Some(*addend), leb::padded_i32(v as i32))
            }
            CodeRef::Global(name) => {
                let (sym, def) = self.symbol(plan, name);
                let index = match def.kind {
                    SymKind::Global(i) => plan.num_imported_globals + i as u32,
                    SymKind::ImportedGlobal(i) => plan.global_index[i],
                    other => panic!("{name} is not a global symbol ({other:?})"),
                };
                (7, sym, None, leb::padded_u32(index))
            }
            CodeRef::Type(sig) => {
                let t = plan.type_index(sig);
                (6, t, None, leb::padded_u32(t))
            }
            CodeRef::TableNumber(name) => {
                let (sym, def) = self.symbol(plan, name);
                let index = match def.kind {
                    SymKind::ImportedTable(i) => plan.table_index[i],
                    other => panic!("{name} is not a table symbol ({other:?})"),
                };
                (20, sym, None, leb::padded_u32(index))
            }
        }
    }

    /// (type code, symbol index, addend, value) of a 4-byte fixup.
    fn i32_fixup(&self, plan: &Plan, f: &Fixup) -> (u8, u32, Option<i32>, u32) {
        match f {
            Fixup::MemoryAddr(name, addend) => {
                let (sym, _) = self.symbol(plan, name);
                (5, sym, Some(*addend), self.address_of(plan, name).wrapping_add(*addend as u32))
            }
            Fixup::TableIndex(name) => {
                let (sym, _) = self.symbol(plan, name);
                self.function_of(plan, name);
                (2, sym, None, plan.table_slot(name))
            }
            Fixup::FunctionOffset(name, addend) => {
                let (sym, _) = self.symbol(plan, name);
                self.function_of(plan, name);
                (8, sym, Some(*addend), *addend as u32)
            }
            Fixup::SectionOffset(name, addend) => {
                let (sym, def) = self.symbol(plan, name);
                assert!(matches!(def.kind, SymKind::Section(_)), "{name} is not a section symbol");
                (9, sym, Some(*addend), *addend as u32)
            }
        }
    }

    fn linking_payload(&self, plan: &Plan, custom_section_index: &[u32]) -> Vec<u8> {
        let mut out = Vec::new();
        leb::write_u32(&mut out, 2);
        let sub = |out: &mut Vec<u8>, ty: u8, body: Vec<u8>| {
            out.push(ty);
            leb::write_u32(out, body.len() as u32);
            out.extend_from_slice(&body);
        };

        // WASM_SYMBOL_TABLE.
        let mut st = Vec::new();
        leb::write_u32(&mut st, self.symbols.len() as u32);
        for s in &self.symbols {
            let explicit = s.flags & flags::EXPLICIT_NAME != 0;
            let named_index = |st: &mut Vec<u8>, kind: u8, index: u32, defined: bool| {
                st.push(kind);
                leb::write_u32(st, s.flags);
                leb::write_u32(st, index);
                if defined || explicit {
                    leb::write_str(st, &s.name);
                }
            };
            match s.kind {
                SymKind::Func(i) => named_index(&mut st, 0, plan.num_imported_funcs + i as u32, true),
                SymKind::ImportedFunc(i) => named_index(&mut st, 0, plan.func_index[i], false),
                SymKind::Data(seg, off, size) => {
                    st.push(1);
                    leb::write_u32(&mut st, s.flags);
                    leb::write_str(&mut st, &s.name);
                    leb::write_u32(&mut st, seg as u32);
                    leb::write_u32(&mut st, off);
                    leb::write_u32(&mut st, size);
                }
                SymKind::UndefinedData => {
                    st.push(1);
                    leb::write_u32(&mut st, s.flags);
                    leb::write_str(&mut st, &s.name);
                }
                SymKind::Global(i) => named_index(&mut st, 2, plan.num_imported_globals + i as u32, true),
                SymKind::ImportedGlobal(i) => named_index(&mut st, 2, plan.global_index[i], false),
                SymKind::ImportedTable(i) => named_index(&mut st, 5, plan.table_index[i], false),
                SymKind::Section(c) => {
                    st.push(3);
                    leb::write_u32(&mut st, s.flags);
                    leb::write_u32(&mut st, custom_section_index[c]);
                }
            }
        }
        sub(&mut out, 8, st);

        // WASM_SEGMENT_INFO.
        if !self.segments.is_empty() {
            let mut si = Vec::new();
            leb::write_u32(&mut si, self.segments.len() as u32);
            for s in &self.segments {
                leb::write_str(&mut si, &s.name);
                leb::write_u32(&mut si, s.align_log2);
                leb::write_u32(&mut si, s.flags);
            }
            sub(&mut out, 5, si);
        }

        // WASM_INIT_FUNCS.
        if !self.init_funcs.is_empty() {
            let mut inits = Vec::new();
            leb::write_u32(&mut inits, self.init_funcs.len() as u32);
            for (priority, name) in &self.init_funcs {
                self.function_of(plan, name);
                leb::write_u32(&mut inits, *priority);
                leb::write_u32(&mut inits, self.symbol(plan, name).0);
            }
            sub(&mut out, 6, inits);
        }

        // WASM_COMDAT_INFO.
        if !self.comdats.is_empty() {
            let mut cd = Vec::new();
            leb::write_u32(&mut cd, self.comdats.len() as u32);
            for (name, members) in &self.comdats {
                leb::write_str(&mut cd, name);
                leb::write_u32(&mut cd, 0);
                leb::write_u32(&mut cd, members.len() as u32);
                for m in members {
                    let (kind, index) = match self.symbol(plan, m).1.kind {
                        SymKind::Func(i) => (1u8, plan.num_imported_funcs + i as u32),
                        SymKind::Data(seg, ..) => (0, seg as u32),
                        SymKind::Global(i) => (2, plan.num_imported_globals + i as u32),
                        SymKind::Section(c) => (5, custom_section_index[c]),
                        other => panic!("comdat {name}: member {m} is not a definition ({other:?})"),
                    };
                    cd.push(kind);
                    leb::write_u32(&mut cd, index);
                }
            }
            sub(&mut out, 7, cd);
        }
        out
    }
}

/// One relocation entry before encoding.
struct RelocEntry {
    ty: u8,
    offset: u32,
    index: u32,
    addend: Option<i32>,
}

fn leb_len(v: usize) -> usize {
    let mut out = Vec::new();
    leb::write_u32(&mut out, v as u32);
    out.len()
}
