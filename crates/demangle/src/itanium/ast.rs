//! The demangler's syntax tree: one arena of nodes per name, children by
//! [`NodeId`], lists of children as [`NodeList`] ranges into one shared
//! vector, text as slices of the mangled name (or static words).

/// Text a node prints: a slice of the mangled name or a fixed word.
pub type Text<'a> = &'a [u8];

/// A node's place in the arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeId(pub u32);

/// A list of nodes: `len` entries of the parser's list storage from `start`.
#[derive(Clone, Copy, Debug, Default)]
pub struct NodeList {
    /// First entry in the list storage.
    pub start: u32,
    /// Number of entries.
    pub len: u32,
}

impl NodeList {
    /// Whether the list has no entries.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// Operator precedence of an expression node, strongest first; decides
/// where the printer adds parentheses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Prec {
    Primary,
    Postfix,
    Unary,
    Cast,
    PtrMem,
    Multiplicative,
    Additive,
    Shift,
    Spaceship,
    Relational,
    Equality,
    And,
    Xor,
    Ior,
    AndIf,
    OrIf,
    Conditional,
    Assign,
    Comma,
    Default,
}

/// A three-way cached property of a node: `Unknown` when it depends on
/// which element of a parameter pack is being printed (or on a forward
/// reference), and so is computed while printing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cache {
    Yes,
    No,
    Unknown,
}

/// `const` / `volatile` / `restrict` bits.
pub const QUAL_CONST: u8 = 1;
/// See [`QUAL_CONST`].
pub const QUAL_VOLATILE: u8 = 2;
/// See [`QUAL_CONST`].
pub const QUAL_RESTRICT: u8 = 4;

/// A function's reference qualifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefQual {
    None,
    LValue,
    RValue,
}

/// The standard-library abbreviations `Sa`, `Sb`, `Ss`, `Si`, `So`, `Sd`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SpecialSub {
    Allocator,
    BasicString,
    String,
    Istream,
    Ostream,
    Iostream,
}

/// The kind of an invented template parameter name (`$T`, `$N`, `$TT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    Type = 0,
    NonType = 1,
    Template = 2,
}

/// Which floating-point type a literal's hex digits encode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatKind {
    Float,
    Double,
    LongDouble,
}

/// One syntax node. Optional children are `Option<NodeId>`.
#[derive(Clone, Copy, Debug)]
pub enum Node<'a> {
    List(NodeList),
    DotSuffix(NodeId, Text<'a>),
    VendorExtQualType {
        ty: NodeId,
        ext: Text<'a>,
        args: Option<NodeId>,
    },
    QualType(NodeId, u8),
    ConversionOperatorType(NodeId),
    PostfixQualifiedType(NodeId, Text<'a>),
    Name(Text<'a>),
    BitInt {
        size: NodeId,
        signed: bool,
    },
    ElaboratedTypeSpef(Text<'a>, NodeId),
    TransformedType(Text<'a>, NodeId),
    AbiTagAttr(NodeId, Text<'a>),
    EnableIfAttr(NodeList),
    ObjCProtoName(NodeId, Text<'a>),
    Pointer(NodeId),
    Reference {
        pointee: NodeId,
        rvalue: bool,
    },
    PointerToMember {
        class: NodeId,
        member: NodeId,
    },
    Array {
        base: NodeId,
        dim: Option<NodeId>,
    },
    Function {
        ret: NodeId,
        params: NodeList,
        cv: u8,
        refq: RefQual,
        except: Option<NodeId>,
    },
    NoexceptSpec(NodeId),
    DynamicExceptionSpec(NodeList),
    ExplicitObjectParameter(NodeId),
    Encoding {
        ret: Option<NodeId>,
        name: NodeId,
        params: NodeList,
        attrs: Option<NodeId>,
        requires: Option<NodeId>,
        cv: u8,
        refq: RefQual,
    },
    LiteralOperator(NodeId),
    Special(Text<'a>, NodeId),
    CtorVtable(NodeId, NodeId),
    Nested(NodeId, NodeId),
    MemberLikeFriend(NodeId, NodeId),
    Module {
        parent: Option<NodeId>,
        name: NodeId,
        partition: bool,
    },
    ModuleEntity(NodeId, NodeId),
    Local(NodeId, NodeId),
    Qualified(NodeId, NodeId),
    Vector {
        base: NodeId,
        dim: Option<NodeId>,
    },
    PixelVector(NodeId),
    BinaryFp(NodeId),
    SyntheticParam(ParamKind, u32),
    ParamQualifiedArg(NodeId),
    TypeParamDecl(NodeId),
    ConstrainedTypeParamDecl(NodeId, NodeId),
    NonTypeParamDecl {
        name: NodeId,
        ty: NodeId,
    },
    TemplateTemplateParamDecl {
        name: NodeId,
        params: NodeList,
        requires: Option<NodeId>,
    },
    ParamPackDecl(NodeId),
    ParameterPack(NodeList),
    TemplateArgumentPack(NodeList),
    PackExpansion(NodeId),
    TemplateArgs(NodeList),
    /// A forward reference to a template argument: index into the
    /// parser's forward-reference table.
    ForwardRef(u32),
    NameWithArgs(NodeId, NodeId),
    GlobalQualified(NodeId),
    ExpandedSpecialSub(SpecialSub),
    SpecialSub(SpecialSub),
    CtorDtor {
        base: NodeId,
        dtor: bool,
    },
    DtorName(NodeId),
    UnnamedType(Text<'a>),
    Closure {
        tparams: NodeList,
        req1: Option<NodeId>,
        params: NodeList,
        req2: Option<NodeId>,
        count: Text<'a>,
    },
    StructuredBinding(NodeList),
    Binary(NodeId, Text<'a>, NodeId),
    Subscript(NodeId, NodeId),
    Postfix(NodeId, Text<'a>),
    Conditional(NodeId, NodeId, NodeId),
    Member(NodeId, Text<'a>, NodeId),
    Subobject {
        ty: NodeId,
        expr: NodeId,
        offset: Text<'a>,
    },
    Enclosing(Text<'a>, NodeId),
    Cast {
        kind: Text<'a>,
        to: NodeId,
        from: NodeId,
    },
    SizeofPack(NodeId),
    Call {
        callee: NodeId,
        args: NodeList,
        paren: bool,
    },
    New {
        exprs: NodeList,
        ty: NodeId,
        inits: NodeList,
        global: bool,
        array: bool,
    },
    Delete {
        op: NodeId,
        global: bool,
        array: bool,
    },
    Prefix(Text<'a>, NodeId),
    FunctionParam(Text<'a>),
    Conversion(NodeId, NodeList),
    PtrMemConversion(NodeId, NodeId),
    InitList(Option<NodeId>, NodeList),
    Braced {
        elem: NodeId,
        init: NodeId,
        array: bool,
    },
    BracedRange(NodeId, NodeId, NodeId),
    Fold {
        left: bool,
        op: Text<'a>,
        pack: NodeId,
        init: Option<NodeId>,
    },
    Throw(NodeId),
    Bool(bool),
    StringLiteral(NodeId),
    Lambda(NodeId),
    EnumLiteral(NodeId, Text<'a>),
    IntegerLiteral(Text<'a>, Text<'a>),
    Requires(NodeList, NodeList),
    ExprRequirement {
        expr: NodeId,
        noexcept: bool,
        constraint: Option<NodeId>,
    },
    TypeRequirement(NodeId),
    NestedRequirement(NodeId),
    Float(FloatKind, Text<'a>),
}

/// A node with the properties the printer needs without walking it:
/// precedence and the three caches.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    /// The node.
    pub node: Node<'a>,
    /// Its precedence as an expression operand.
    pub prec: Prec,
    /// Whether it prints something after its name (arrays, functions).
    pub rhs: Cache,
    /// Whether it is a (possibly qualified) array type.
    pub array: Cache,
    /// Whether it is a (possibly qualified) function type.
    pub function: Cache,
}
