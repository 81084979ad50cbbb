//! Prints a parsed name the way LLVM's demangler prints it: each node has
//! a left part and a right part (so declarators like `int (*)[3]` come out
//! right), expressions are parenthesised by precedence, parameter packs
//! are expanded element by element.

use super::ast::*;
use super::float;
use super::parse::Parser;

/// How deep printing may recurse before the name is given up on.
const MAX_DEPTH: u32 = 512;
/// The longest demangled name produced; longer ones are given up on.
const MAX_OUTPUT: usize = 1 << 20;
/// The most stack printing may use (frames are much larger in debug
/// builds than in release ones; this keeps both within a thread's stack).
const MAX_STACK: usize = 256 * 1024;
/// "No pack expansion in progress".
const NO_PACK: u32 = u32::MAX;

/// The printer's state over one tree.
pub struct Printer<'p, 'a> {
    parser: &'p Parser<'a>,
    /// The text so far.
    pub out: Vec<u8>,
    /// Zero directly inside template arguments (parentheses count up),
    /// where a `>` operator needs parens.
    gt_is_gt: u32,
    /// Whether template arguments are being printed. Outside them, LLVM 22
    /// parenthesises every `>` operator.
    in_args: bool,
    pack_index: u32,
    pack_max: u32,
    /// References and forward references being printed (cycle guard).
    active: Vec<NodeId>,
    depth: u32,
    /// The stack address printing started at.
    stack_base: usize,
    /// Set when a limit was hit; the output is then not used.
    pub failed: bool,
}

impl<'p, 'a> Printer<'p, 'a> {
    /// A printer over `parser`'s nodes, with room for `capacity` bytes.
    pub fn new(parser: &'p Parser<'a>, capacity: usize) -> Self {
        Printer {
            parser,
            out: Vec::with_capacity(capacity),
            gt_is_gt: 1,
            in_args: false,
            pack_index: NO_PACK,
            pack_max: NO_PACK,
            active: Vec::new(),
            depth: 0,
            stack_base: stack_address(),
            failed: false,
        }
    }

    fn entry(&self, id: NodeId) -> &'p Entry<'a> {
        let parser: &'p Parser<'a> = self.parser;
        &parser.nodes[id.0 as usize]
    }

    fn list(&self, l: NodeList) -> &'p [NodeId] {
        let parser: &'p Parser<'a> = self.parser;
        &parser.lists[l.start as usize..(l.start + l.len) as usize]
    }

    #[inline(always)]
    fn push(&mut self, s: &[u8]) {
        self.out.extend_from_slice(s);
    }

    fn open(&mut self, c: u8) {
        self.gt_is_gt = self.gt_is_gt.wrapping_add(1);
        self.out.push(c);
    }

    fn close(&mut self, c: u8) {
        self.gt_is_gt = self.gt_is_gt.wrapping_sub(1);
        self.out.push(c);
    }

    fn number(&mut self, n: u32) {
        let (digits, start) = decimal(n);
        self.out.extend_from_slice(&digits[start..]);
    }

    /// Prints `text` with a leading `n` shown as `-`.
    fn signed(&mut self, text: &[u8]) {
        match text.split_first() {
            Some((b'n', rest)) => {
                self.out.push(b'-');
                self.push(rest);
            }
            _ => self.push(text),
        }
    }

    /// Prints the whole node.
    #[inline]
    pub fn print(&mut self, id: NodeId) {
        match self.entry(id).node {
            Node::Name(t) => self.push(t),
            _ => self.print_parts(id),
        }
    }

    /// [`Self::print`] of a node that isn't a plain name.
    #[inline(never)]
    fn print_parts(&mut self, id: NodeId) {
        if !self.enter() {
            return;
        }
        let e = self.entry(id);
        // The most common composite nodes first, without the general
        // printer's large frame.
        match e.node {
            Node::Nested(q, n) => {
                self.print(q);
                self.push(b"::");
                self.print(n);
            }
            Node::NameWithArgs(n, a) => {
                self.print(n);
                self.print(a);
            }
            Node::TemplateArgs(l) => self.template_brackets(b"<", l, b">"),
            _ => {
                self.left(id);
                if e.rhs != Cache::No {
                    self.right(id);
                }
            }
        }
        self.depth -= 1;
    }

    #[inline]
    fn print_as_operand(&mut self, id: NodeId, prec: Prec, strictly_worse: bool) {
        let paren = self.entry(id).prec as u32 >= prec as u32 + strictly_worse as u32;
        if paren {
            self.open(b'(');
        }
        self.print(id);
        if paren {
            self.close(b')');
        }
    }

    fn print_with_comma(&mut self, l: NodeList) {
        let mut first = true;
        for &id in self.list(l) {
            let before = self.out.len();
            if !first {
                self.push(b", ");
            }
            let after = self.out.len();
            self.print_as_operand(id, Prec::Comma, false);
            if after == self.out.len() {
                self.out.truncate(before);
                continue;
            }
            first = false;
        }
    }

    fn quals(&mut self, q: u8) {
        if q & QUAL_CONST != 0 {
            self.push(b" const");
        }
        if q & QUAL_VOLATILE != 0 {
            self.push(b" volatile");
        }
        if q & QUAL_RESTRICT != 0 {
            self.push(b" restrict");
        }
    }

    fn ref_qual(&mut self, r: RefQual) {
        match r {
            RefQual::None => {}
            RefQual::LValue => self.push(b" &"),
            RefQual::RValue => self.push(b" &&"),
        }
    }

    // ---- properties ----

    fn init_pack(&mut self, len: u32) {
        if self.pack_max == NO_PACK {
            self.pack_max = len;
            self.pack_index = 0;
        }
    }

    /// The pack element being printed, if any.
    fn pack_element(&mut self, l: NodeList) -> Option<NodeId> {
        self.init_pack(l.len);
        self.list(l).get(self.pack_index as usize).copied()
    }

    fn forward_target(&self, f: u32) -> Option<NodeId> {
        self.parser.forward.get(f as usize).and_then(|x| x.1)
    }

    /// Runs `f` on the target of forward reference `id` unless it is
    /// already being printed.
    fn through_forward<T>(&mut self, id: NodeId, f: u32, guarded: T, run: impl FnOnce(&mut Self, NodeId) -> T) -> T {
        if self.active.contains(&id) {
            return guarded;
        }
        let Some(target) = self.forward_target(f) else { return guarded };
        self.active.push(id);
        let r = run(self, target);
        self.active.pop();
        r
    }

    fn has_rhs(&mut self, id: NodeId) -> bool {
        let e = self.entry(id);
        match e.rhs {
            Cache::Yes => true,
            Cache::No => false,
            Cache::Unknown => match e.node {
                Node::QualType(c, _) => self.has_rhs(c),
                Node::Pointer(p) | Node::Reference { pointee: p, .. } => self.has_rhs(p),
                Node::PointerToMember { member, .. } => self.has_rhs(member),
                Node::ParameterPack(l) => self.pack_element(l).is_some_and(|x| self.has_rhs(x)),
                Node::ForwardRef(f) => self.through_forward(id, f, false, |p, t| p.has_rhs(t)),
                _ => false,
            },
        }
    }

    fn has_array(&mut self, id: NodeId) -> bool {
        let e = self.entry(id);
        match e.array {
            Cache::Yes => true,
            Cache::No => false,
            Cache::Unknown => match e.node {
                Node::QualType(c, _) => self.has_array(c),
                Node::ParameterPack(l) => self.pack_element(l).is_some_and(|x| self.has_array(x)),
                Node::ForwardRef(f) => self.through_forward(id, f, false, |p, t| p.has_array(t)),
                _ => false,
            },
        }
    }

    fn has_function(&mut self, id: NodeId) -> bool {
        let e = self.entry(id);
        match e.function {
            Cache::Yes => true,
            Cache::No => false,
            Cache::Unknown => match e.node {
                Node::QualType(c, _) => self.has_function(c),
                Node::ParameterPack(l) => self.pack_element(l).is_some_and(|x| self.has_function(x)),
                Node::ForwardRef(f) => self.through_forward(id, f, false, |p, t| p.has_function(t)),
                _ => false,
            },
        }
    }

    fn syntax_node(&mut self, id: NodeId) -> NodeId {
        if self.depth > MAX_DEPTH {
            self.failed = true;
            return id;
        }
        self.depth += 1;
        let r = match self.entry(id).node {
            Node::ParameterPack(l) => match self.pack_element(l) {
                Some(x) => self.syntax_node(x),
                None => id,
            },
            Node::ForwardRef(f) => self.through_forward(id, f, id, |p, t| p.syntax_node(t)),
            _ => id,
        };
        self.depth -= 1;
        r
    }

    /// The unqualified name a constructor or destructor is printed with.
    fn base_name(&self, mut id: NodeId) -> &'p [u8] {
        loop {
            match self.entry(id).node {
                Node::Name(t) => return t,
                Node::AbiTagAttr(n, _)
                | Node::Nested(_, n)
                | Node::MemberLikeFriend(_, n)
                | Node::ModuleEntity(_, n)
                | Node::Qualified(_, n)
                | Node::NameWithArgs(n, _)
                | Node::GlobalQualified(n) => id = n,
                Node::ExpandedSpecialSub(k) => return expanded_name(k),
                Node::SpecialSub(k) => return special_name(k),
                _ => return b"",
            }
        }
    }

    /// Collapses references to references: `(rvalue, target)`, or `None`
    /// on a cycle.
    fn collapse(&mut self, pointee: NodeId, rvalue: bool) -> Option<(bool, NodeId)> {
        let (mut rvalue, mut target) = (rvalue, pointee);
        let mut seen: Vec<NodeId> = Vec::new();
        loop {
            let sn = self.syntax_node(target);
            let Node::Reference { pointee, rvalue: r } = self.entry(sn).node else { break };
            target = pointee;
            rvalue = rvalue && r;
            seen.push(target);
            if seen.len() > 1 && target == seen[(seen.len() - 1) / 2] {
                return None;
            }
            if seen.len() > 4096 {
                self.failed = true;
                return None;
            }
        }
        Some((rvalue, target))
    }

    fn pack_expansion(&mut self, child: NodeId) {
        let saved = (self.pack_index, self.pack_max);
        self.pack_index = NO_PACK;
        self.pack_max = NO_PACK;
        let start = self.out.len();
        self.print(child);
        if self.pack_max == NO_PACK {
            self.push(b"...");
        } else if self.pack_max == 0 {
            self.out.truncate(start);
        } else {
            let max = self.pack_max;
            for i in 1..max {
                self.push(b", ");
                self.pack_index = i;
                self.print(child);
                if self.failed {
                    break;
                }
            }
        }
        (self.pack_index, self.pack_max) = saved;
    }

    fn template_brackets(&mut self, open: &[u8], l: NodeList, close: &[u8]) {
        let saved = (self.gt_is_gt, self.in_args);
        (self.gt_is_gt, self.in_args) = (0, true);
        self.push(open);
        self.print_with_comma(l);
        self.push(close);
        (self.gt_is_gt, self.in_args) = saved;
    }

    fn closure_declarator(&mut self, tparams: NodeList, req1: Option<NodeId>, params: NodeList, req2: Option<NodeId>) {
        if !tparams.is_empty() {
            self.template_brackets(b"<", tparams, b">");
        }
        if let Some(r) = req1 {
            self.push(b" requires ");
            self.print(r);
            self.push(b" ");
        }
        self.open(b'(');
        self.print_with_comma(params);
        self.close(b')');
        if let Some(r) = req2 {
            self.push(b" requires ");
            self.print(r);
        }
    }

    fn is_objc_id(&self, pointee: NodeId) -> Option<&'a [u8]> {
        match self.entry(pointee).node {
            Node::ObjCProtoName(ty, proto) if matches!(self.entry(ty).node, Node::Name(b"objc_object")) => Some(proto),
            _ => None,
        }
    }

    fn enter(&mut self) -> bool {
        if self.failed
            || self.depth >= MAX_DEPTH
            || self.out.len() > MAX_OUTPUT
            || (self.depth % 8 == 7 && self.stack_base.abs_diff(stack_address()) > MAX_STACK)
        {
            self.failed = true;
            return false;
        }
        self.depth += 1;
        true
    }

    // ---- left and right parts ----

    fn print_left(&mut self, id: NodeId) {
        if !self.enter() {
            return;
        }
        self.left(id);
        self.depth -= 1;
    }

    fn print_right(&mut self, id: NodeId) {
        if !self.enter() {
            return;
        }
        self.right(id);
        self.depth -= 1;
    }

    fn left(&mut self, id: NodeId) {
        let e = self.entry(id);
        let prec = e.prec;
        match e.node {
            Node::List(l) | Node::TemplateArgumentPack(l) => self.print_with_comma(l),
            Node::DotSuffix(n, s) => {
                self.print(n);
                self.push(b" (");
                self.push(s);
                self.push(b")");
            }
            Node::VendorExtQualType { ty, ext, args } => {
                self.print(ty);
                self.push(b" ");
                self.push(ext);
                if let Some(a) = args {
                    self.print(a);
                }
            }
            Node::QualType(c, q) => {
                self.print_left(c);
                self.quals(q);
            }
            Node::ConversionOperatorType(t) => {
                self.push(b"operator ");
                self.print(t);
            }
            Node::PostfixQualifiedType(t, s) => {
                self.print_left(t);
                self.push(s);
            }
            Node::Name(t) => self.push(t),
            Node::BitInt { size, signed } => {
                if !signed {
                    self.push(b"unsigned ");
                }
                self.push(b"_BitInt");
                self.open(b'(');
                self.print_as_operand(size, Prec::Default, false);
                self.close(b')');
            }
            Node::ElaboratedTypeSpef(k, c) => {
                self.push(k);
                self.push(b" ");
                self.print(c);
            }
            Node::TransformedType(t, b) => {
                self.push(t);
                self.push(b"(");
                self.print(b);
                self.push(b")");
            }
            Node::AbiTagAttr(b, tag) => {
                self.print_left(b);
                self.push(b"[abi:");
                self.push(tag);
                self.push(b"]");
            }
            Node::EnableIfAttr(l) => {
                self.push(b" [enable_if:");
                self.print_with_comma(l);
                self.push(b"]");
            }
            Node::ObjCProtoName(t, proto) => {
                self.print(t);
                self.push(b"<");
                self.push(proto);
                self.push(b">");
            }
            Node::Pointer(p) => {
                if let Some(proto) = self.is_objc_id(p) {
                    self.push(b"id<");
                    self.push(proto);
                    self.push(b">");
                } else {
                    self.print_left(p);
                    let array = self.has_array(p);
                    if array {
                        self.push(b" ");
                    }
                    if array || self.has_function(p) {
                        self.push(b"(");
                    }
                    self.push(b"*");
                }
            }
            Node::Reference { pointee, rvalue } => {
                if self.active.contains(&id) {
                    return;
                }
                self.active.push(id);
                if let Some((rvalue, target)) = self.collapse(pointee, rvalue) {
                    self.print_left(target);
                    let array = self.has_array(target);
                    if array {
                        self.push(b" ");
                    }
                    if array || self.has_function(target) {
                        self.push(b"(");
                    }
                    self.push(if rvalue { b"&&" } else { b"&" });
                }
                self.active.pop();
            }
            Node::PointerToMember { class, member } => {
                self.print_left(member);
                if self.has_array(member) || self.has_function(member) {
                    self.push(b"(");
                } else {
                    self.push(b" ");
                }
                self.print(class);
                self.push(b"::*");
            }
            Node::Array { base, .. } => self.print_left(base),
            Node::Function { ret, .. } => {
                self.print_left(ret);
                self.push(b" ");
            }
            Node::NoexceptSpec(e) => {
                self.push(b"noexcept");
                self.open(b'(');
                self.print_as_operand(e, Prec::Default, false);
                self.close(b')');
            }
            Node::DynamicExceptionSpec(l) => {
                self.push(b"throw");
                self.open(b'(');
                self.print_with_comma(l);
                self.close(b')');
            }
            Node::ExplicitObjectParameter(b) => {
                self.push(b"this ");
                self.print(b);
            }
            Node::Encoding { ret, name, .. } => {
                if let Some(r) = ret {
                    self.print_left(r);
                    if !self.has_rhs(r) {
                        self.push(b" ");
                    }
                }
                self.print(name);
            }
            Node::LiteralOperator(op) => {
                self.push(b"operator\"\" ");
                self.print(op);
            }
            Node::Special(t, c) => {
                self.push(t);
                self.print(c);
            }
            Node::CtorVtable(a, b) => {
                self.push(b"construction vtable for ");
                self.print(a);
                self.push(b"-in-");
                self.print(b);
            }
            Node::Nested(q, n) | Node::Local(q, n) | Node::Qualified(q, n) => {
                self.print(q);
                self.push(b"::");
                self.print(n);
            }
            Node::MemberLikeFriend(q, n) => {
                self.print(q);
                self.push(b"::friend ");
                self.print(n);
            }
            Node::Module { parent, name, partition } => {
                if let Some(p) = parent {
                    self.print(p);
                }
                if parent.is_some() || partition {
                    self.push(if partition { b":" } else { b"." });
                }
                self.print(name);
            }
            Node::ModuleEntity(m, n) => {
                self.print(n);
                self.push(b"@");
                self.print(m);
            }
            Node::Vector { base, dim } => {
                self.print(base);
                self.push(b" vector[");
                if let Some(d) = dim {
                    self.print(d);
                }
                self.push(b"]");
            }
            Node::PixelVector(d) => {
                self.push(b"pixel vector[");
                self.print(d);
                self.push(b"]");
            }
            Node::BinaryFp(d) => {
                self.push(b"_Float");
                self.print(d);
            }
            Node::SyntheticParam(kind, index) => {
                self.push(match kind {
                    ParamKind::Type => b"$T",
                    ParamKind::NonType => b"$N",
                    ParamKind::Template => b"$TT",
                });
                if index > 0 {
                    self.number(index - 1);
                }
            }
            Node::ParamQualifiedArg(arg) => self.print(arg),
            Node::TypeParamDecl(_) => self.push(b"typename "),
            Node::ConstrainedTypeParamDecl(c, _) => {
                self.print(c);
                self.push(b" ");
            }
            Node::NonTypeParamDecl { ty, .. } => {
                self.print_left(ty);
                if !self.has_rhs(ty) {
                    self.push(b" ");
                }
            }
            Node::TemplateTemplateParamDecl { params, .. } => {
                self.template_brackets(b"template<", params, b"> typename ");
            }
            Node::ParamPackDecl(p) => {
                self.print_left(p);
                self.push(b"...");
            }
            Node::ParameterPack(l) => {
                if let Some(x) = self.pack_element(l) {
                    self.print_left(x);
                }
            }
            Node::PackExpansion(c) => self.pack_expansion(c),
            Node::TemplateArgs(l) => self.template_brackets(b"<", l, b">"),
            Node::ForwardRef(f) => self.through_forward(id, f, (), |p, t| p.print_left(t)),
            Node::NameWithArgs(n, a) => {
                self.print(n);
                self.print(a);
            }
            Node::GlobalQualified(c) => {
                self.push(b"::");
                self.print(c);
            }
            Node::ExpandedSpecialSub(k) => {
                self.push(b"std::");
                self.push(expanded_name(k));
                if k >= SpecialSub::String {
                    self.push(b"<char, std::char_traits<char>");
                    if k == SpecialSub::String {
                        self.push(b", std::allocator<char>");
                    }
                    self.push(b">");
                }
            }
            Node::SpecialSub(k) => {
                self.push(b"std::");
                self.push(special_name(k));
            }
            Node::CtorDtor { base, dtor } => {
                if dtor {
                    self.push(b"~");
                }
                let name = self.base_name(base);
                self.push(name);
            }
            Node::DtorName(b) => {
                self.push(b"~");
                self.print_left(b);
            }
            Node::UnnamedType(count) => {
                self.push(b"'unnamed");
                self.push(count);
                self.push(b"'");
            }
            Node::Closure { tparams, req1, params, req2, count } => {
                self.push(b"'lambda");
                self.push(count);
                self.push(b"'");
                self.closure_declarator(tparams, req1, params, req2);
            }
            Node::StructuredBinding(l) => {
                self.open(b'[');
                self.print_with_comma(l);
                self.close(b']');
            }
            Node::Binary(l, op, r) => {
                let paren_all = (self.gt_is_gt == 0 || !self.in_args) && (op == b">" || op == b">>");
                if paren_all {
                    self.open(b'(');
                }
                let assign = prec == Prec::Assign;
                self.print_as_operand(l, if assign { Prec::OrIf } else { prec }, !assign);
                if op != b"," {
                    self.push(b" ");
                }
                self.push(op);
                self.push(b" ");
                self.print_as_operand(r, prec, assign);
                if paren_all {
                    self.close(b')');
                }
            }
            Node::Subscript(a, b) => {
                self.print_as_operand(a, prec, false);
                self.open(b'[');
                self.print_as_operand(b, Prec::Default, false);
                self.close(b']');
            }
            Node::Postfix(c, op) => {
                self.print_as_operand(c, prec, true);
                self.push(op);
            }
            Node::Conditional(c, t, f) => {
                self.print_as_operand(c, prec, false);
                self.push(b" ? ");
                self.print_as_operand(t, Prec::Default, false);
                self.push(b" : ");
                self.print_as_operand(f, Prec::Assign, true);
            }
            Node::Member(l, kind, r) => {
                self.print_as_operand(l, prec, true);
                self.push(kind);
                self.print_as_operand(r, prec, false);
            }
            Node::Subobject { ty, expr, offset } => {
                self.print(expr);
                self.push(b".<");
                self.print(ty);
                self.push(b" at offset ");
                if offset.is_empty() {
                    self.push(b"0");
                } else {
                    self.signed(offset);
                }
                self.push(b">");
            }
            Node::Enclosing(prefix, infix) => {
                self.push(prefix);
                self.open(b'(');
                self.print(infix);
                self.close(b')');
            }
            Node::Cast { kind, to, from } => {
                self.push(kind);
                let saved = (self.gt_is_gt, self.in_args);
                (self.gt_is_gt, self.in_args) = (0, true);
                self.push(b"<");
                self.print_left(to);
                self.push(b">");
                (self.gt_is_gt, self.in_args) = saved;
                self.open(b'(');
                self.print_as_operand(from, Prec::Default, false);
                self.close(b')');
            }
            Node::SizeofPack(pack) => {
                self.push(b"sizeof...");
                self.open(b'(');
                self.pack_expansion(pack);
                self.close(b')');
            }
            Node::Call { callee, args, paren } => {
                if paren {
                    self.open(b'(');
                }
                self.print(callee);
                if paren {
                    self.close(b')');
                }
                self.open(b'(');
                self.print_with_comma(args);
                self.close(b')');
            }
            Node::New { exprs, ty, inits, global, array } => {
                if global {
                    self.push(b"::");
                }
                self.push(b"new");
                if array {
                    self.push(b"[]");
                }
                if !exprs.is_empty() {
                    self.open(b'(');
                    self.print_with_comma(exprs);
                    self.close(b')');
                }
                self.push(b" ");
                self.print(ty);
                if !inits.is_empty() {
                    self.open(b'(');
                    self.print_with_comma(inits);
                    self.close(b')');
                }
            }
            Node::Delete { op, global, array } => {
                if global {
                    self.push(b"::");
                }
                self.push(b"delete");
                if array {
                    self.push(b"[]");
                }
                self.push(b" ");
                self.print(op);
            }
            Node::Prefix(p, c) => {
                self.push(p);
                self.print_as_operand(c, prec, false);
            }
            Node::FunctionParam(n) => {
                self.push(b"fp");
                self.push(n);
            }
            Node::Conversion(ty, exprs) => {
                self.open(b'(');
                self.print(ty);
                self.close(b')');
                self.open(b'(');
                self.print_with_comma(exprs);
                self.close(b')');
            }
            Node::PtrMemConversion(ty, e) => {
                self.open(b'(');
                self.print(ty);
                self.close(b')');
                self.open(b'(');
                self.print(e);
                self.close(b')');
            }
            Node::InitList(ty, inits) => {
                if let Some(t) = ty {
                    if self.init_list_as_type(t, inits) {
                        return;
                    }
                    self.print(t);
                }
                self.push(b"{");
                self.print_with_comma(inits);
                self.push(b"}");
            }
            Node::Braced { elem, init, array } => {
                if array {
                    self.push(b"[");
                    self.print(elem);
                    self.push(b"]");
                } else {
                    self.push(b".");
                    self.print(elem);
                }
                self.braced_init(init);
            }
            Node::BracedRange(first, last, init) => {
                self.push(b"[");
                self.print(first);
                self.push(b" ... ");
                self.print(last);
                self.push(b"]");
                self.braced_init(init);
            }
            Node::Fold { left, op, pack, init } => self.fold(left, op, pack, init),
            Node::Throw(op) => {
                self.push(b"throw ");
                self.print(op);
            }
            Node::Bool(v) => self.push(if v { b"true" } else { b"false" }),
            Node::StringLiteral(t) => {
                self.push(b"\"<");
                self.print(t);
                self.push(b">\"");
            }
            Node::Lambda(t) => {
                self.push(b"[]");
                if let Node::Closure { tparams, req1, params, req2, .. } = self.entry(t).node {
                    self.closure_declarator(tparams, req1, params, req2);
                }
                self.push(b"{...}");
            }
            Node::EnumLiteral(t, n) => {
                self.open(b'(');
                self.print(t);
                self.close(b')');
                self.signed(n);
            }
            Node::IntegerLiteral(ty, v) => {
                if ty.len() > 3 {
                    self.open(b'(');
                    self.push(ty);
                    self.close(b')');
                }
                self.signed(v);
                if ty.len() <= 3 {
                    self.push(ty);
                }
            }
            Node::Requires(params, reqs) => {
                self.push(b"requires");
                if !params.is_empty() {
                    self.push(b" ");
                    self.open(b'(');
                    self.print_with_comma(params);
                    self.close(b')');
                }
                self.push(b" ");
                self.open(b'{');
                for &r in self.list(reqs) {
                    self.print(r);
                }
                self.push(b" ");
                self.close(b'}');
            }
            Node::ExprRequirement { expr, noexcept, constraint } => {
                self.push(b" ");
                let braces = noexcept || constraint.is_some();
                if braces {
                    self.open(b'{');
                }
                self.print(expr);
                if braces {
                    self.close(b'}');
                }
                if noexcept {
                    self.push(b" noexcept");
                }
                if let Some(c) = constraint {
                    self.push(b" -> ");
                    self.print(c);
                }
                self.push(b";");
            }
            Node::TypeRequirement(t) => {
                self.push(b" typename ");
                self.print(t);
                self.push(b";");
            }
            Node::NestedRequirement(c) => {
                self.push(b" requires ");
                self.print(c);
                self.push(b";");
            }
            Node::Float(kind, data) => float::print(kind, data, &mut self.out),
        }
    }

    fn right(&mut self, id: NodeId) {
        match self.entry(id).node {
            Node::QualType(c, _) => self.print_right(c),
            Node::Pointer(p) if self.is_objc_id(p).is_none() => {
                if self.has_array(p) || self.has_function(p) {
                    self.push(b")");
                }
                self.print_right(p);
            }
            Node::Reference { pointee, rvalue } => {
                if self.active.contains(&id) {
                    return;
                }
                self.active.push(id);
                if let Some((_, target)) = self.collapse(pointee, rvalue) {
                    if self.has_array(target) || self.has_function(target) {
                        self.push(b")");
                    }
                    self.print_right(target);
                }
                self.active.pop();
            }
            Node::PointerToMember { member, .. } => {
                if self.has_array(member) || self.has_function(member) {
                    self.push(b")");
                }
                self.print_right(member);
            }
            Node::Array { base, dim } => {
                if self.out.last() != Some(&b']') {
                    self.push(b" ");
                }
                self.push(b"[");
                if let Some(d) = dim {
                    self.print(d);
                }
                self.push(b"]");
                self.print_right(base);
            }
            Node::Function { ret, params, cv, refq, except } => {
                self.open(b'(');
                self.print_with_comma(params);
                self.close(b')');
                self.print_right(ret);
                self.quals(cv);
                self.ref_qual(refq);
                if let Some(e) = except {
                    self.push(b" ");
                    self.print(e);
                }
            }
            Node::Encoding { ret, params, attrs, requires, cv, refq, .. } => {
                self.open(b'(');
                self.print_with_comma(params);
                self.close(b')');
                if let Some(r) = ret {
                    self.print_right(r);
                }
                self.quals(cv);
                self.ref_qual(refq);
                if let Some(a) = attrs {
                    self.print(a);
                }
                if let Some(r) = requires {
                    self.push(b" requires ");
                    self.print(r);
                }
            }
            Node::TypeParamDecl(name) | Node::ConstrainedTypeParamDecl(_, name) => self.print(name),
            Node::NonTypeParamDecl { name, ty } => {
                self.print(name);
                self.print_right(ty);
            }
            Node::TemplateTemplateParamDecl { name, requires, .. } => {
                self.print(name);
                if let Some(r) = requires {
                    self.push(b" requires ");
                    self.print(r);
                }
            }
            Node::ParamPackDecl(p) => self.print_right(p),
            Node::ParameterPack(l) => {
                if let Some(x) = self.pack_element(l) {
                    self.print_right(x);
                }
            }
            Node::ForwardRef(f) => self.through_forward(id, f, (), |p, t| p.print_right(t)),
            _ => {}
        }
    }

    fn braced_init(&mut self, init: NodeId) {
        if !matches!(self.entry(init).node, Node::Braced { .. } | Node::BracedRange(..)) {
            self.push(b" = ");
        }
        self.print(init);
    }

    fn fold(&mut self, left: bool, op: &[u8], pack: NodeId, init: Option<NodeId>) {
        let print_pack = |p: &mut Self| {
            p.open(b'(');
            p.pack_expansion(pack);
            p.close(b')');
        };
        self.open(b'(');
        if !left || init.is_some() {
            match (left, init) {
                (true, Some(i)) => self.print_as_operand(i, Prec::Cast, true),
                _ => print_pack(self),
            }
            self.push(b" ");
            self.push(op);
            self.push(b" ");
        }
        self.push(b"...");
        if left || init.is_some() {
            self.push(b" ");
            self.push(op);
            self.push(b" ");
            match (left, init) {
                (false, Some(i)) => self.print_as_operand(i, Prec::Cast, true),
                _ => print_pack(self),
            }
        }
        self.close(b')');
    }

    /// An initializer list of a `char` array type, printed as a string
    /// literal when every element is a small non-negative integer literal.
    fn init_list_as_type(&mut self, ty: NodeId, inits: NodeList) -> bool {
        let Node::Array { base, .. } = self.entry(ty).node else { return false };
        if !matches!(self.entry(base).node, Node::Name(b"char")) {
            return false;
        }
        let start = self.out.len();
        self.push(b"\"");
        let mut last_numeric = false;
        for &el in self.list(inits) {
            let Node::IntegerLiteral(_, value) = self.entry(el).node else {
                self.out.truncate(start);
                return false;
            };
            let mut v: u32 = 0;
            for &c in value {
                if !c.is_ascii_digit() || v > 25 {
                    self.out.truncate(start);
                    return false;
                }
                v = v * 10 + (c - b'0') as u32;
            }
            if v > 255 {
                self.out.truncate(start);
                return false;
            }
            let c = v as u8;
            if last_numeric && c.is_ascii_hexdigit() {
                self.push(b"\"\"");
            }
            last_numeric = false;
            match c {
                7 => self.push(b"\\a"),
                8 => self.push(b"\\b"),
                12 => self.push(b"\\f"),
                b'\n' => self.push(b"\\n"),
                b'\r' => self.push(b"\\r"),
                b'\t' => self.push(b"\\t"),
                11 => self.push(b"\\v"),
                b'"' => self.push(b"\\\""),
                b'\\' => self.push(b"\\\\"),
                _ if c < 32 || c == 127 => {
                    const HEX: &[u8; 16] = b"0123456789ABCDEF";
                    self.out.push(b'\\');
                    if c > 7 {
                        self.out.push(b'x');
                    }
                    if c >= 16 {
                        self.out.push(HEX[(c >> 4) as usize]);
                    }
                    self.out.push(HEX[(c & 15) as usize]);
                    last_numeric = true;
                }
                _ => self.out.push(c),
            }
        }
        self.push(b"\"");
        true
    }
}

/// An address in the current stack frame, to measure how deep the stack is.
#[inline(always)]
pub(super) fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

fn expanded_name(k: SpecialSub) -> &'static [u8] {
    match k {
        SpecialSub::Allocator => b"allocator",
        SpecialSub::BasicString | SpecialSub::String => b"basic_string",
        SpecialSub::Istream => b"basic_istream",
        SpecialSub::Ostream => b"basic_ostream",
        SpecialSub::Iostream => b"basic_iostream",
    }
}

fn special_name(k: SpecialSub) -> &'static [u8] {
    match k {
        SpecialSub::Allocator => b"allocator",
        SpecialSub::BasicString => b"basic_string",
        SpecialSub::String => b"string",
        SpecialSub::Istream => b"istream",
        SpecialSub::Ostream => b"ostream",
        SpecialSub::Iostream => b"iostream",
    }
}

/// Decimal digits of `n`, right-aligned: the buffer and where they start.
fn decimal(mut n: u32) -> ([u8; 10], usize) {
    let mut buf = [0u8; 10];
    let mut i = 10;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return (buf, i);
        }
    }
}
