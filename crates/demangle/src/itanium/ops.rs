//! The two-letter operator encodings of the Itanium ABI, with the kind of
//! expression each forms, its precedence and its spelling.

use super::ast::Prec;

/// What an operator encoding forms in an expression. Kinds from
/// `NamedCast` on have no `operator` name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum OpKind {
    Prefix,
    Postfix,
    Binary,
    Array,
    Member,
    New,
    Del,
    Call,
    CCast,
    Conditional,
    NameOnly,
    NamedCast,
    OfIdOp,
}

/// One operator encoding.
#[derive(Debug)]
pub struct OpInfo {
    /// The two letters.
    pub enc: [u8; 2],
    /// The expression it forms.
    pub kind: OpKind,
    /// Kind-specific: array form (new/delete), parenthesised callee (call),
    /// type operand (sizeof/alignof/typeid), named member (->, ->*).
    pub flag: bool,
    /// Its precedence as an expression.
    pub prec: Prec,
    /// Its spelling as a name (`operator+`) or keyword (`sizeof `).
    pub name: &'static str,
}

impl OpInfo {
    /// The operator as written in an expression: the name without
    /// `operator` (and the space after it).
    pub fn symbol(&self) -> &'static str {
        if self.kind < OpKind::NamedCast {
            let rest = self.name.strip_prefix("operator").unwrap_or(self.name);
            rest.strip_prefix(' ').unwrap_or(rest)
        } else {
            self.name
        }
    }
}

macro_rules! ops {
    ($(($enc:literal, $kind:ident, $flag:literal, $prec:ident, $name:literal)),* $(,)?) => {
        [$(OpInfo { enc: *$enc, kind: OpKind::$kind, flag: $flag, prec: Prec::$prec, name: $name }),*]
    };
}

/// Sorted by encoding.
static OPS: [OpInfo; 63] = ops![
    (b"aN", Binary, false, Assign, "operator&="),
    (b"aS", Binary, false, Assign, "operator="),
    (b"aa", Binary, false, AndIf, "operator&&"),
    (b"ad", Prefix, false, Unary, "operator&"),
    (b"an", Binary, false, And, "operator&"),
    (b"at", OfIdOp, true, Unary, "alignof "),
    (b"aw", NameOnly, false, Primary, "operator co_await"),
    (b"az", OfIdOp, false, Unary, "alignof "),
    (b"cc", NamedCast, false, Postfix, "const_cast"),
    (b"cl", Call, false, Postfix, "operator()"),
    (b"cm", Binary, false, Comma, "operator,"),
    (b"co", Prefix, false, Unary, "operator~"),
    (b"cp", Call, true, Postfix, "operator()"),
    (b"cv", CCast, false, Cast, "operator"),
    (b"dV", Binary, false, Assign, "operator/="),
    (b"da", Del, true, Unary, "operator delete[]"),
    (b"dc", NamedCast, false, Postfix, "dynamic_cast"),
    (b"de", Prefix, false, Unary, "operator*"),
    (b"dl", Del, false, Unary, "operator delete"),
    (b"ds", Member, false, PtrMem, "operator.*"),
    (b"dt", Member, false, Postfix, "operator."),
    (b"dv", Binary, false, Assign, "operator/"),
    (b"eO", Binary, false, Assign, "operator^="),
    (b"eo", Binary, false, Xor, "operator^"),
    (b"eq", Binary, false, Equality, "operator=="),
    (b"ge", Binary, false, Relational, "operator>="),
    (b"gt", Binary, false, Relational, "operator>"),
    (b"ix", Array, false, Postfix, "operator[]"),
    (b"lS", Binary, false, Assign, "operator<<="),
    (b"le", Binary, false, Relational, "operator<="),
    (b"ls", Binary, false, Shift, "operator<<"),
    (b"lt", Binary, false, Relational, "operator<"),
    (b"mI", Binary, false, Assign, "operator-="),
    (b"mL", Binary, false, Assign, "operator*="),
    (b"mi", Binary, false, Additive, "operator-"),
    (b"ml", Binary, false, Multiplicative, "operator*"),
    (b"mm", Postfix, false, Postfix, "operator--"),
    (b"na", New, true, Unary, "operator new[]"),
    (b"ne", Binary, false, Equality, "operator!="),
    (b"ng", Prefix, false, Unary, "operator-"),
    (b"nt", Prefix, false, Unary, "operator!"),
    (b"nw", New, false, Unary, "operator new"),
    (b"oR", Binary, false, Assign, "operator|="),
    (b"oo", Binary, false, OrIf, "operator||"),
    (b"or", Binary, false, Ior, "operator|"),
    (b"pL", Binary, false, Assign, "operator+="),
    (b"pl", Binary, false, Additive, "operator+"),
    (b"pm", Member, true, PtrMem, "operator->*"),
    (b"pp", Postfix, false, Postfix, "operator++"),
    (b"ps", Prefix, false, Unary, "operator+"),
    (b"pt", Member, true, Postfix, "operator->"),
    (b"qu", Conditional, false, Conditional, "operator?"),
    (b"rM", Binary, false, Assign, "operator%="),
    (b"rS", Binary, false, Assign, "operator>>="),
    (b"rc", NamedCast, false, Postfix, "reinterpret_cast"),
    (b"rm", Binary, false, Multiplicative, "operator%"),
    (b"rs", Binary, false, Shift, "operator>>"),
    (b"sc", NamedCast, false, Postfix, "static_cast"),
    (b"ss", Binary, false, Spaceship, "operator<=>"),
    (b"st", OfIdOp, true, Unary, "sizeof "),
    (b"sz", OfIdOp, false, Unary, "sizeof "),
    (b"te", OfIdOp, false, Postfix, "typeid "),
    (b"ti", OfIdOp, true, Postfix, "typeid "),
];

/// The operator encoded by the letters `a`, `b`, if any.
pub fn operator(a: u8, b: u8) -> Option<&'static OpInfo> {
    let key = [a, b];
    OPS.binary_search_by(|o| o.enc.cmp(&key)).ok().map(|i| &OPS[i])
}
