//! The Itanium C++ ABI grammar, parsed the way LLVM's demangler parses it
//! (same productions, same extensions, same substitution and template
//! parameter bookkeeping), into the arena of [`super::ast`].

use super::ast::*;
use super::ops::{operator, OpInfo, OpKind};
use super::print::stack_address;

/// How deep the parser may recurse before giving up on a name.
const MAX_DEPTH: u32 = 512;
/// The most stack the parser may use (see the printer's limit).
const MAX_STACK: usize = 256 * 1024;

/// What a `<name>` that belongs to an `<encoding>` tells the encoding.
#[derive(Default)]
struct NameState {
    ctor_dtor_conversion: bool,
    ends_with_template_args: bool,
    cv: u8,
    refq: Option<RefQual>,
    forward_refs_begin: usize,
    explicit_object: bool,
}

/// A template parameter list: an index into [`Parser::lists`].
type ListIdx = u32;

/// The parser's state over one name.
pub struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
    depth: u32,
    stack_base: usize,
    /// The node arena.
    pub nodes: Vec<Entry<'a>>,
    /// Storage of every [`NodeList`].
    pub lists: Vec<NodeId>,
    /// Nodes parsed and not yet gathered into a list.
    names: Vec<NodeId>,
    /// The substitution table (`S_`, `S0_`, ...).
    subs: Vec<NodeId>,
    /// Template parameter lists, reused by index.
    param_lists: Vec<Vec<NodeId>>,
    param_lists_used: usize,
    /// Template parameter lists by level (`TL<level>_`), from
    /// `tp_base`: entries below belong to an enclosing encoding.
    tp: Vec<Option<ListIdx>>,
    tp_base: usize,
    /// The list the outermost `<template-args>` of an encoding fill.
    outer: ListIdx,
    /// Forward references: (template parameter index, resolved node).
    pub forward: Vec<(usize, Option<NodeId>)>,
    /// Unresolved forward references, indices into `forward`.
    pending_forward: Vec<u32>,
    try_template_args: bool,
    permit_forward: bool,
    incomplete_tracking: bool,
    lambda_params_level: usize,
    synthetic: [u32; 3],
}

/// The parser's vectors between names, so that demangling many names
/// allocates only their results.
#[derive(Default)]
pub struct Scratch {
    nodes: Vec<Entry<'static>>,
    lists: Vec<NodeId>,
    names: Vec<NodeId>,
    subs: Vec<NodeId>,
    param_lists: Vec<Vec<NodeId>>,
    tp: Vec<Option<ListIdx>>,
    forward: Vec<(usize, Option<NodeId>)>,
    pending_forward: Vec<u32>,
}

/// An empty vector with `v`'s memory, for entries of another lifetime (the
/// standard library collects in place here, so nothing is allocated).
fn reuse<'b, 'c>(mut v: Vec<Entry<'b>>) -> Vec<Entry<'c>> {
    v.clear();
    v.into_iter().map(|_| -> Entry<'c> { unreachable!("the vector was just cleared") }).collect()
}

impl<'a> Parser<'a> {
    /// A parser for `input` that uses `scratch`'s memory.
    pub fn new(input: &'a [u8], scratch: Scratch) -> Self {
        let mut p = Parser {
            input,
            pos: 0,
            depth: 0,
            stack_base: stack_address(),
            nodes: reuse(scratch.nodes),
            lists: scratch.lists,
            names: scratch.names,
            subs: scratch.subs,
            param_lists: scratch.param_lists,
            param_lists_used: 0,
            tp: scratch.tp,
            tp_base: 0,
            outer: 0,
            forward: scratch.forward,
            pending_forward: scratch.pending_forward,
            try_template_args: true,
            permit_forward: false,
            incomplete_tracking: false,
            lambda_params_level: usize::MAX,
            synthetic: [0; 3],
        };
        p.lists.clear();
        p.names.clear();
        p.subs.clear();
        p.tp.clear();
        p.forward.clear();
        p.pending_forward.clear();
        p.outer = p.new_param_list();
        p
    }

    /// The parser's memory, for the next name.
    pub fn into_scratch(self) -> Scratch {
        Scratch {
            nodes: reuse(self.nodes),
            lists: self.lists,
            names: self.names,
            subs: self.subs,
            param_lists: self.param_lists,
            tp: self.tp,
            forward: self.forward,
            pending_forward: self.pending_forward,
        }
    }

    // ---- input ----

    #[inline]
    fn look(&self, ahead: usize) -> u8 {
        self.input.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn left(&self) -> usize {
        self.input.len().saturating_sub(self.pos)
    }

    #[inline]
    fn eat(&mut self, c: u8) -> bool {
        if self.input.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_str(&mut self, s: &[u8]) -> bool {
        if self.input.get(self.pos..).is_some_and(|rest| rest.starts_with(s)) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn slice(&self, from: usize) -> Text<'a> {
        &self.input[from..self.pos]
    }

    // ---- arena ----

    fn make_with(&mut self, node: Node<'a>, prec: Prec, rhs: Cache, array: Cache, function: Cache) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(Entry { node, prec, rhs, array, function });
        id
    }

    fn make(&mut self, node: Node<'a>) -> NodeId {
        self.make_with(node, Prec::Primary, Cache::No, Cache::No, Cache::No)
    }

    fn make_prec(&mut self, node: Node<'a>, prec: Prec) -> NodeId {
        self.make_with(node, prec, Cache::No, Cache::No, Cache::No)
    }

    fn word(&mut self, text: &'static str) -> NodeId {
        self.make(Node::Name(text.as_bytes()))
    }

    fn entry(&self, id: NodeId) -> &Entry<'a> {
        &self.nodes[id.0 as usize]
    }

    fn pop_list(&mut self, from: usize) -> NodeList {
        let start = self.lists.len() as u32;
        self.lists.extend_from_slice(&self.names[from..]);
        self.names.truncate(from);
        NodeList { start, len: self.lists.len() as u32 - start }
    }

    fn new_param_list(&mut self) -> ListIdx {
        let i = self.param_lists_used;
        self.param_lists_used += 1;
        if i < self.param_lists.len() {
            self.param_lists[i].clear();
        } else {
            self.param_lists.push(Vec::new());
        }
        i as ListIdx
    }

    // ---- numbers ----

    /// `[n] <digits>`, as text (empty when there are no digits).
    fn number(&mut self, negative: bool) -> Text<'a> {
        let start = self.pos;
        if negative {
            self.eat(b'n');
        }
        if self.left() == 0 || !self.look(0).is_ascii_digit() {
            return &[];
        }
        while self.left() != 0 && self.look(0).is_ascii_digit() {
            self.pos += 1;
        }
        self.slice(start)
    }

    fn positive_integer(&mut self) -> Option<usize> {
        if !self.look(0).is_ascii_digit() {
            return None;
        }
        let mut n: usize = 0;
        while self.look(0).is_ascii_digit() {
            n = n.wrapping_mul(10).wrapping_add((self.look(0) - b'0') as usize);
            self.pos += 1;
        }
        Some(n)
    }

    fn bare_source_name(&mut self) -> Text<'a> {
        let Some(n) = self.positive_integer() else { return &[] };
        if self.left() < n {
            return &[];
        }
        let start = self.pos;
        self.pos += n;
        self.slice(start)
    }

    fn seq_id(&mut self) -> Option<usize> {
        let c = self.look(0);
        if !c.is_ascii_digit() && !c.is_ascii_uppercase() {
            return None;
        }
        let mut id: usize = 0;
        loop {
            let c = self.look(0);
            let d = if c.is_ascii_digit() {
                c - b'0'
            } else if c.is_ascii_uppercase() {
                c - b'A' + 10
            } else {
                return Some(id);
            };
            id = id.wrapping_mul(36).wrapping_add(d as usize);
            self.pos += 1;
        }
    }

    fn cv_qualifiers(&mut self) -> u8 {
        let mut q = 0;
        if self.eat(b'r') {
            q |= QUAL_RESTRICT;
        }
        if self.eat(b'V') {
            q |= QUAL_VOLATILE;
        }
        if self.eat(b'K') {
            q |= QUAL_CONST;
        }
        q
    }

    fn discriminator(&mut self) {
        let rest = self.input.get(self.pos..).unwrap_or_default();
        match rest.first() {
            Some(b'_') => match rest.get(1) {
                Some(c) if c.is_ascii_digit() => self.pos += 2,
                Some(b'_') => {
                    let digits = rest[2..].iter().take_while(|c| c.is_ascii_digit()).count();
                    if rest.get(2 + digits) == Some(&b'_') {
                        self.pos += 3 + digits;
                    }
                }
                _ => {}
            },
            Some(c) if c.is_ascii_digit() && rest.iter().all(|c| c.is_ascii_digit()) => self.pos = self.input.len(),
            _ => {}
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        let stack_ok = self.depth % 8 != 7 || self.stack_base.abs_diff(stack_address()) <= MAX_STACK;
        (self.depth <= MAX_DEPTH && stack_ok).then_some(())
    }

    // ---- top level ----

    /// `_Z <encoding> [.suffix]`, `___Z <encoding> _block_invoke[_N]`, or a
    /// `<type>`; `None` when the whole input isn't that.
    pub fn parse(&mut self) -> Option<NodeId> {
        if self.eat_str(b"_Z") || self.eat_str(b"__Z") {
            let mut encoding = self.encoding()?;
            if self.look(0) == b'.' {
                let suffix = &self.input[self.pos..];
                self.pos = self.input.len();
                encoding = self.make(Node::DotSuffix(encoding, suffix));
            }
            return (self.left() == 0).then_some(encoding);
        }
        if self.eat_str(b"___Z") || self.eat_str(b"____Z") {
            let encoding = self.encoding()?;
            if !self.eat_str(b"_block_invoke") {
                return None;
            }
            let require_number = self.eat(b'_');
            if self.number(false).is_empty() && require_number {
                return None;
            }
            if self.look(0) == b'.' {
                self.pos = self.input.len();
            }
            if self.left() != 0 {
                return None;
            }
            return Some(self.make(Node::Special(b"invocation function for block in ", encoding)));
        }
        let ty = self.ty()?;
        (self.left() == 0).then_some(ty)
    }

    fn encoding(&mut self) -> Option<NodeId> {
        self.enter()?;
        let r = self.encoding_inner();
        self.depth -= 1;
        r
    }

    /// Runs `f` with the template parameters of an enclosing encoding out
    /// of sight, as each `<encoding>` and `<local-name>` entity does.
    fn with_fresh_template_params<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved_base = self.tp_base;
        let saved_outer = self.outer;
        let saved_len = self.tp.len();
        self.tp_base = saved_len;
        self.outer = self.new_param_list();
        let r = f(self);
        self.tp.truncate(saved_len);
        self.tp_base = saved_base;
        self.outer = saved_outer;
        r
    }

    fn tp_len(&self) -> usize {
        self.tp.len() - self.tp_base
    }

    fn tp_get(&self, level: usize) -> Option<ListIdx> {
        self.tp.get(self.tp_base + level).copied().flatten()
    }

    fn tp_clear(&mut self) {
        self.tp.truncate(self.tp_base);
    }

    fn encoding_inner(&mut self) -> Option<NodeId> {
        self.with_fresh_template_params(|p| p.encoding_body())
    }

    fn is_end_of_encoding(&self) -> bool {
        self.left() == 0 || matches!(self.look(0), b'E' | b'.' | b'_')
    }

    fn encoding_body(&mut self) -> Option<NodeId> {
        if matches!(self.look(0), b'G' | b'T') {
            return self.special_name();
        }
        let mut state = NameState { forward_refs_begin: self.pending_forward.len(), ..NameState::default() };
        let name = self.name(Some(&mut state))?;
        if !self.resolve_forward_refs(&state) {
            return None;
        }
        if self.is_end_of_encoding() {
            return Some(name);
        }
        let mut attrs = None;
        if self.eat_str(b"Ua9enable_ifI") {
            let from = self.names.len();
            while !self.eat(b'E') {
                let arg = self.template_arg()?;
                self.names.push(arg);
            }
            let list = self.pop_list(from);
            attrs = Some(self.make(Node::EnableIfAttr(list)));
        }
        let mut ret = None;
        if !state.ctor_dtor_conversion && state.ends_with_template_args {
            ret = Some(self.ty()?);
        }
        let mut params = NodeList::default();
        if !self.eat(b'v') {
            let from = self.names.len();
            loop {
                let mut ty = self.ty()?;
                if state.explicit_object && from == self.names.len() {
                    ty = self.make(Node::ExplicitObjectParameter(ty));
                }
                self.names.push(ty);
                if self.is_end_of_encoding() || self.look(0) == b'Q' {
                    break;
                }
            }
            params = self.pop_list(from);
        }
        let mut requires = None;
        if self.eat(b'Q') {
            requires = Some(self.constraint_expr()?);
        }
        let node = Node::Encoding {
            ret,
            name,
            params,
            attrs,
            requires,
            cv: state.cv,
            refq: state.refq.unwrap_or(RefQual::None),
        };
        Some(self.make_with(node, Prec::Primary, Cache::Yes, Cache::No, Cache::Yes))
    }

    /// Points the forward references made while parsing the name at the
    /// encoding's template arguments; false when one has no argument.
    fn resolve_forward_refs(&mut self, state: &NameState) -> bool {
        for i in state.forward_refs_begin..self.pending_forward.len() {
            let f = self.pending_forward[i] as usize;
            let index = self.forward[f].0;
            let list = match self.tp_get(0) {
                Some(l) if self.tp_len() > 0 => l,
                _ => return false,
            };
            let Some(&target) = self.param_lists[list as usize].get(index) else { return false };
            self.forward[f].1 = Some(target);
        }
        self.pending_forward.truncate(state.forward_refs_begin);
        true
    }

    fn call_offset(&mut self) -> bool {
        if self.eat(b'h') {
            return !self.number(true).is_empty() && self.eat(b'_');
        }
        if self.eat(b'v') {
            return !self.number(true).is_empty() && self.eat(b'_') && !self.number(true).is_empty() && self.eat(b'_');
        }
        false
    }

    fn special(&mut self, text: &'static str, child: NodeId) -> NodeId {
        self.make(Node::Special(text.as_bytes(), child))
    }

    fn special_name(&mut self) -> Option<NodeId> {
        match (self.look(0), self.look(1)) {
            (b'T', b'A') => {
                self.pos += 2;
                let arg = self.template_arg()?;
                Some(self.special("template parameter object for ", arg))
            }
            (b'T', c @ (b'V' | b'T' | b'I' | b'S')) => {
                self.pos += 2;
                let ty = self.ty()?;
                let text = match c {
                    b'V' => "vtable for ",
                    b'T' => "VTT for ",
                    b'I' => "typeinfo for ",
                    _ => "typeinfo name for ",
                };
                Some(self.special(text, ty))
            }
            (b'T', b'c') => {
                self.pos += 2;
                if !self.call_offset() || !self.call_offset() {
                    return None;
                }
                let e = self.encoding()?;
                Some(self.special("covariant return thunk to ", e))
            }
            (b'T', b'C') => {
                self.pos += 2;
                let first = self.ty()?;
                if self.number(true).is_empty() || !self.eat(b'_') {
                    return None;
                }
                let second = self.ty()?;
                Some(self.make(Node::CtorVtable(second, first)))
            }
            (b'T', c @ (b'W' | b'H')) => {
                self.pos += 2;
                let name = self.name(None)?;
                let text = if c == b'W' {
                    "thread-local wrapper routine for "
                } else {
                    "thread-local initialization routine for "
                };
                Some(self.special(text, name))
            }
            (b'T', _) => {
                self.pos += 1;
                let virt = self.look(0) == b'v';
                if !self.call_offset() {
                    return None;
                }
                let e = self.encoding()?;
                Some(self.special(if virt { "virtual thunk to " } else { "non-virtual thunk to " }, e))
            }
            (b'G', b'V') => {
                self.pos += 2;
                let name = self.name(None)?;
                Some(self.special("guard variable for ", name))
            }
            (b'G', b'R') => {
                self.pos += 2;
                let name = self.name(None)?;
                let parsed_seq = self.seq_id().is_some();
                if !self.eat(b'_') && parsed_seq {
                    return None;
                }
                Some(self.special("reference temporary for ", name))
            }
            (b'G', b'I') => {
                self.pos += 2;
                let mut module = None;
                if !self.module_name_opt(&mut module) {
                    return None;
                }
                let module = module?;
                Some(self.special("initializer for module ", module))
            }
            _ => None,
        }
    }

    // ---- names ----

    fn name(&mut self, state: Option<&mut NameState>) -> Option<NodeId> {
        self.enter()?;
        let r = self.name_inner(state);
        self.depth -= 1;
        r
    }

    fn name_inner(&mut self, mut state: Option<&mut NameState>) -> Option<NodeId> {
        match self.look(0) {
            b'N' => return self.nested_name(state),
            b'Z' => return self.local_name(state),
            _ => {}
        }
        let mut is_subst = false;
        let result = self.unscoped_name(state.as_deref_mut(), Some(&mut is_subst))?;
        if self.look(0) == b'I' {
            if !is_subst {
                self.subs.push(result);
            }
            let args = self.template_args(state.is_some())?;
            if let Some(s) = state {
                s.ends_with_template_args = true;
            }
            return Some(self.make(Node::NameWithArgs(result, args)));
        }
        if is_subst {
            return None;
        }
        Some(result)
    }

    fn local_name(&mut self, state: Option<&mut NameState>) -> Option<NodeId> {
        if !self.eat(b'Z') {
            return None;
        }
        let encoding = self.encoding()?;
        if !self.eat(b'E') {
            return None;
        }
        if self.eat(b's') {
            self.discriminator();
            let lit = self.word("string literal");
            return Some(self.make(Node::Local(encoding, lit)));
        }
        self.with_fresh_template_params(|p| {
            if p.eat(b'd') {
                p.number(true);
                if !p.eat(b'_') {
                    return None;
                }
                let n = p.name(state)?;
                return Some(p.make(Node::Local(encoding, n)));
            }
            let entity = p.name(state)?;
            p.discriminator();
            Some(p.make(Node::Local(encoding, entity)))
        })
    }

    fn unscoped_name(&mut self, state: Option<&mut NameState>, is_subst: Option<&mut bool>) -> Option<NodeId> {
        let mut std = None;
        if self.eat_str(b"St") {
            std = Some(self.word("std"));
        }
        let mut result = None;
        let mut module = None;
        if self.look(0) == b'S' {
            let s = self.substitution()?;
            if matches!(self.entry(s).node, Node::Module { .. }) {
                module = Some(s);
            } else if let (Some(flag), None) = (is_subst, std) {
                result = Some(s);
                *flag = true;
            } else {
                return None;
            }
        }
        if result.is_none() || std.is_some() {
            result = Some(self.unqualified_name(state, std, module)?);
        }
        result
    }

    fn unqualified_name(
        &mut self,
        mut state: Option<&mut NameState>,
        scope: Option<NodeId>,
        mut module: Option<NodeId>,
    ) -> Option<NodeId> {
        if self.look(0) == b'W' && !self.module_name_opt(&mut module) {
            return None;
        }
        let member_like_friend = scope.is_some() && self.eat(b'F');
        self.eat(b'L');
        let mut scope = scope;
        let c = self.look(0);
        let mut result = if (b'1'..=b'9').contains(&c) {
            self.source_name()?
        } else if c == b'U' {
            self.unnamed_type_name(state.is_some())?
        } else if self.eat_str(b"DC") {
            let from = self.names.len();
            loop {
                let b = self.source_name()?;
                self.names.push(b);
                if self.eat(b'E') {
                    break;
                }
            }
            let list = self.pop_list(from);
            self.make(Node::StructuredBinding(list))
        } else if c == b'C' || c == b'D' {
            let s = scope?;
            if module.is_some() {
                return None;
            }
            let (expanded, name) = self.ctor_dtor_name(s, state.as_deref_mut())?;
            scope = Some(expanded);
            name
        } else {
            self.operator_name(state)?
        };
        if let Some(m) = module {
            result = self.make(Node::ModuleEntity(m, result));
        }
        if self.look(0) == b'B' {
            result = self.abi_tags(result)?;
        }
        if member_like_friend {
            return Some(self.make(Node::MemberLikeFriend(scope?, result)));
        }
        if let Some(s) = scope {
            result = self.make(Node::Nested(s, result));
        }
        Some(result)
    }

    /// `<module-name>*`; false on a malformed one.
    fn module_name_opt(&mut self, module: &mut Option<NodeId>) -> bool {
        while self.eat(b'W') {
            let partition = self.eat(b'P');
            let Some(name) = self.source_name() else { return false };
            let m = self.make(Node::Module { parent: *module, name, partition });
            *module = Some(m);
            self.subs.push(m);
        }
        true
    }

    fn unnamed_type_name(&mut self, has_state: bool) -> Option<NodeId> {
        if has_state {
            self.tp_clear();
        }
        if self.eat_str(b"Ut") {
            let count = self.number(false);
            if !self.eat(b'_') {
                return None;
            }
            return Some(self.make(Node::UnnamedType(count)));
        }
        if self.eat_str(b"Ul") {
            let saved_level = self.lambda_params_level;
            self.lambda_params_level = self.tp_len();
            let old_len = self.tp.len();
            let list = self.new_param_list();
            self.tp.push(Some(list));
            let r = self.closure_type(list);
            self.tp.truncate(old_len);
            self.lambda_params_level = saved_level;
            return r;
        }
        if self.eat_str(b"Ub") {
            self.number(false);
            if !self.eat(b'_') {
                return None;
            }
            return Some(self.word("'block-literal'"));
        }
        None
    }

    fn closure_type(&mut self, list: ListIdx) -> Option<NodeId> {
        let from = self.names.len();
        while self.is_template_param_decl() {
            let t = self.template_param_decl(Some(list))?;
            self.names.push(t);
        }
        let tparams = self.pop_list(from);
        if tparams.is_empty() {
            self.tp.pop();
        }
        let mut req1 = None;
        if self.eat(b'Q') {
            req1 = Some(self.constraint_expr()?);
        }
        if !self.eat(b'v') {
            loop {
                let p = self.ty()?;
                self.names.push(p);
                if matches!(self.look(0), b'E' | b'Q') {
                    break;
                }
            }
        }
        let params = self.pop_list(from);
        let mut req2 = None;
        if self.eat(b'Q') {
            req2 = Some(self.constraint_expr()?);
        }
        if !self.eat(b'E') {
            return None;
        }
        let count = self.number(false);
        if !self.eat(b'_') {
            return None;
        }
        Some(self.make(Node::Closure { tparams, req1, params, req2, count }))
    }

    fn source_name(&mut self) -> Option<NodeId> {
        let len = self.positive_integer()?;
        if self.left() < len || len == 0 {
            return None;
        }
        let start = self.pos;
        self.pos += len;
        let text = self.slice(start);
        if text.starts_with(b"_GLOBAL__N") {
            return Some(self.word("(anonymous namespace)"));
        }
        Some(self.make(Node::Name(text)))
    }

    fn operator_name(&mut self, state: Option<&mut NameState>) -> Option<NodeId> {
        if let Some(op) = self.operator_encoding() {
            if op.kind == OpKind::CCast {
                let saved_try = std::mem::replace(&mut self.try_template_args, false);
                let saved_permit = self.permit_forward;
                self.permit_forward = saved_permit || state.is_some();
                let ty = self.ty();
                self.try_template_args = saved_try;
                self.permit_forward = saved_permit;
                let ty = ty?;
                if let Some(s) = state {
                    s.ctor_dtor_conversion = true;
                }
                return Some(self.make(Node::ConversionOperatorType(ty)));
            }
            if op.kind >= OpKind::NamedCast || (op.kind == OpKind::Member && !op.flag) {
                return None;
            }
            return Some(self.make(Node::Name(op.name.as_bytes())));
        }
        if self.eat_str(b"li") {
            let sn = self.source_name()?;
            return Some(self.make(Node::LiteralOperator(sn)));
        }
        if self.eat(b'v') {
            if self.look(0).is_ascii_digit() {
                self.pos += 1;
                let sn = self.source_name()?;
                return Some(self.make(Node::ConversionOperatorType(sn)));
            }
            return None;
        }
        None
    }

    fn operator_encoding(&mut self) -> Option<&'static OpInfo> {
        if self.left() < 2 {
            return None;
        }
        let op = operator(self.look(0), self.look(1))?;
        self.pos += 2;
        Some(op)
    }

    /// Returns the scope, expanded when it is a special substitution, and
    /// the constructor or destructor name.
    fn ctor_dtor_name(&mut self, scope: NodeId, state: Option<&mut NameState>) -> Option<(NodeId, NodeId)> {
        let mut scope = scope;
        if let Node::SpecialSub(k) = self.entry(scope).node {
            scope = self.make(Node::ExpandedSpecialSub(k));
        }
        if self.eat(b'C') {
            let inherited = self.eat(b'I');
            if !(b'1'..=b'5').contains(&self.look(0)) {
                return None;
            }
            self.pos += 1;
            let mut state = state;
            if let Some(s) = state.as_deref_mut() {
                s.ctor_dtor_conversion = true;
            }
            if inherited {
                self.name(state)?;
            }
            return Some((scope, self.make(Node::CtorDtor { base: scope, dtor: false })));
        }
        if self.look(0) == b'D' && matches!(self.look(1), b'0' | b'1' | b'2' | b'4' | b'5') {
            self.pos += 2;
            if let Some(s) = state {
                s.ctor_dtor_conversion = true;
            }
            return Some((scope, self.make(Node::CtorDtor { base: scope, dtor: true })));
        }
        None
    }

    fn nested_name(&mut self, mut state: Option<&mut NameState>) -> Option<NodeId> {
        if !self.eat(b'N') {
            return None;
        }
        if !self.eat(b'H') {
            let cv = self.cv_qualifiers();
            let refq = if self.eat(b'O') {
                RefQual::RValue
            } else if self.eat(b'R') {
                RefQual::LValue
            } else {
                RefQual::None
            };
            if let Some(s) = state.as_deref_mut() {
                s.cv = cv;
                s.refq = Some(refq);
            }
        } else if let Some(s) = state.as_deref_mut() {
            s.explicit_object = true;
        }
        let mut so_far: Option<NodeId> = None;
        while !self.eat(b'E') {
            if let Some(s) = state.as_deref_mut() {
                s.ends_with_template_args = false;
            }
            let c = self.look(0);
            if c == b'T' {
                if so_far.is_some() {
                    return None;
                }
                so_far = self.template_param();
            } else if c == b'I' {
                let prefix = so_far?;
                let args = self.template_args(state.is_some())?;
                if matches!(self.entry(prefix).node, Node::NameWithArgs(..)) {
                    return None;
                }
                if let Some(s) = state.as_deref_mut() {
                    s.ends_with_template_args = true;
                }
                so_far = Some(self.make(Node::NameWithArgs(prefix, args)));
            } else if c == b'D' && matches!(self.look(1), b't' | b'T') {
                if so_far.is_some() {
                    return None;
                }
                so_far = self.decltype();
            } else {
                let mut module = None;
                if c == b'S' {
                    let s = if self.look(1) == b't' {
                        self.pos += 2;
                        self.word("std")
                    } else {
                        self.substitution()?
                    };
                    if matches!(self.entry(s).node, Node::Module { .. }) {
                        module = Some(s);
                    } else if so_far.is_some() {
                        return None;
                    } else {
                        so_far = Some(s);
                        continue;
                    }
                }
                so_far = self.unqualified_name(state.as_deref_mut(), so_far, module);
            }
            let s = so_far?;
            self.subs.push(s);
            self.eat(b'M');
        }
        let s = so_far?;
        self.subs.pop()?;
        Some(s)
    }

    fn simple_id(&mut self) -> Option<NodeId> {
        let sn = self.source_name()?;
        if self.look(0) == b'I' {
            let args = self.template_args(false)?;
            return Some(self.make(Node::NameWithArgs(sn, args)));
        }
        Some(sn)
    }

    fn destructor_name(&mut self) -> Option<NodeId> {
        let r = if self.look(0).is_ascii_digit() { self.simple_id()? } else { self.unresolved_type()? };
        Some(self.make(Node::DtorName(r)))
    }

    fn unresolved_type(&mut self) -> Option<NodeId> {
        if self.look(0) == b'T' {
            let tp = self.template_param()?;
            self.subs.push(tp);
            return Some(tp);
        }
        if self.look(0) == b'D' {
            let dt = self.decltype()?;
            self.subs.push(dt);
            return Some(dt);
        }
        self.substitution()
    }

    fn base_unresolved_name(&mut self) -> Option<NodeId> {
        if self.look(0).is_ascii_digit() {
            return self.simple_id();
        }
        if self.eat_str(b"dn") {
            return self.destructor_name();
        }
        self.eat_str(b"on");
        let op = self.operator_name(None)?;
        if self.look(0) == b'I' {
            let args = self.template_args(false)?;
            return Some(self.make(Node::NameWithArgs(op, args)));
        }
        Some(op)
    }

    fn unresolved_name(&mut self, global: bool) -> Option<NodeId> {
        if self.eat_str(b"srN") {
            let mut so_far = self.unresolved_type()?;
            if self.look(0) == b'I' {
                let args = self.template_args(false)?;
                so_far = self.make(Node::NameWithArgs(so_far, args));
            }
            while !self.eat(b'E') {
                let q = self.simple_id()?;
                so_far = self.make(Node::Qualified(so_far, q));
            }
            let base = self.base_unresolved_name()?;
            return Some(self.make(Node::Qualified(so_far, base)));
        }
        if !self.eat_str(b"sr") {
            let mut so_far = self.base_unresolved_name()?;
            if global {
                so_far = self.make(Node::GlobalQualified(so_far));
            }
            return Some(so_far);
        }
        let so_far = if self.look(0).is_ascii_digit() {
            let mut so_far: Option<NodeId> = None;
            loop {
                let q = self.simple_id()?;
                so_far = Some(match so_far {
                    Some(s) => self.make(Node::Qualified(s, q)),
                    None if global => self.make(Node::GlobalQualified(q)),
                    None => q,
                });
                if self.eat(b'E') {
                    break;
                }
            }
            so_far?
        } else {
            let mut so_far = self.unresolved_type()?;
            if self.look(0) == b'I' {
                let args = self.template_args(false)?;
                so_far = self.make(Node::NameWithArgs(so_far, args));
            }
            so_far
        };
        let base = self.base_unresolved_name()?;
        Some(self.make(Node::Qualified(so_far, base)))
    }

    fn abi_tags(&mut self, mut n: NodeId) -> Option<NodeId> {
        while self.eat(b'B') {
            let tag = self.bare_source_name();
            if tag.is_empty() {
                return None;
            }
            let e = *self.entry(n);
            n = self.make_with(Node::AbiTagAttr(n, tag), Prec::Primary, e.rhs, e.array, e.function);
        }
        Some(n)
    }

    fn substitution(&mut self) -> Option<NodeId> {
        if !self.eat(b'S') {
            return None;
        }
        let c = self.look(0);
        if c.is_ascii_lowercase() {
            let kind = match c {
                b'a' => SpecialSub::Allocator,
                b'b' => SpecialSub::BasicString,
                b'd' => SpecialSub::Iostream,
                b'i' => SpecialSub::Istream,
                b'o' => SpecialSub::Ostream,
                b's' => SpecialSub::String,
                _ => return None,
            };
            self.pos += 1;
            let special = self.make(Node::SpecialSub(kind));
            let with_tags = self.abi_tags(special)?;
            if with_tags != special {
                self.subs.push(with_tags);
            }
            return Some(with_tags);
        }
        if self.eat(b'_') {
            return self.subs.first().copied();
        }
        let index = self.seq_id()?.wrapping_add(1);
        if !self.eat(b'_') || index >= self.subs.len() {
            return None;
        }
        Some(self.subs[index])
    }

    // ---- template parameters and arguments ----

    fn template_param(&mut self) -> Option<NodeId> {
        let begin = self.pos;
        if !self.eat(b'T') {
            return None;
        }
        let mut level = 0usize;
        if self.eat(b'L') {
            level = self.positive_integer()?.wrapping_add(1);
            if !self.eat(b'_') {
                return None;
            }
        }
        let mut index = 0usize;
        if !self.eat(b'_') {
            index = self.positive_integer()?.wrapping_add(1);
            if !self.eat(b'_') {
                return None;
            }
        }
        if self.incomplete_tracking {
            let text = &self.input[begin..self.pos - 1];
            return Some(self.make(Node::Name(text)));
        }
        if self.permit_forward && level == 0 {
            let f = self.forward.len() as u32;
            self.forward.push((index, None));
            self.pending_forward.push(f);
            return Some(self.make_with(
                Node::ForwardRef(f),
                Prec::Primary,
                Cache::Unknown,
                Cache::Unknown,
                Cache::Unknown,
            ));
        }
        let found = if level < self.tp_len() {
            self.tp_get(level).and_then(|l| self.param_lists[l as usize].get(index).copied())
        } else {
            None
        };
        match found {
            Some(n) => Some(n),
            None => {
                if self.lambda_params_level == level && level <= self.tp_len() {
                    if level == self.tp_len() {
                        self.tp.push(None);
                    }
                    return Some(self.word("auto"));
                }
                None
            }
        }
    }

    fn is_template_param_decl(&self) -> bool {
        self.look(0) == b'T' && matches!(self.look(1), b'y' | b'p' | b't' | b'n' | b'k')
    }

    fn invent_param_name(&mut self, kind: ParamKind, list: Option<ListIdx>) -> NodeId {
        let index = self.synthetic[kind as usize];
        self.synthetic[kind as usize] += 1;
        let n = self.make(Node::SyntheticParam(kind, index));
        if let Some(l) = list {
            self.param_lists[l as usize].push(n);
        }
        n
    }

    fn template_param_decl(&mut self, list: Option<ListIdx>) -> Option<NodeId> {
        self.enter()?;
        let r = self.template_param_decl_inner(list);
        self.depth -= 1;
        r
    }

    fn template_param_decl_inner(&mut self, list: Option<ListIdx>) -> Option<NodeId> {
        let decl = |p: &mut Self, node| Some(p.make_with(node, Prec::Primary, Cache::Yes, Cache::No, Cache::No));
        if self.eat_str(b"Ty") {
            let name = self.invent_param_name(ParamKind::Type, list);
            return decl(self, Node::TypeParamDecl(name));
        }
        if self.eat_str(b"Tk") {
            let saved = std::mem::replace(&mut self.incomplete_tracking, true);
            let constraint = self.name(None);
            self.incomplete_tracking = saved;
            let constraint = constraint?;
            let name = self.invent_param_name(ParamKind::Type, list);
            return decl(self, Node::ConstrainedTypeParamDecl(constraint, name));
        }
        if self.eat_str(b"Tn") {
            let name = self.invent_param_name(ParamKind::NonType, list);
            let ty = self.ty()?;
            return decl(self, Node::NonTypeParamDecl { name, ty });
        }
        if self.eat_str(b"Tt") {
            let name = self.invent_param_name(ParamKind::Template, list);
            let from = self.names.len();
            let old_len = self.tp.len();
            let inner = self.new_param_list();
            self.tp.push(Some(inner));
            let r = self.template_template_params(inner, from);
            self.tp.truncate(old_len);
            let (params, requires) = r?;
            return decl(self, Node::TemplateTemplateParamDecl { name, params, requires });
        }
        if self.eat_str(b"Tp") {
            let p = self.template_param_decl(list)?;
            return decl(self, Node::ParamPackDecl(p));
        }
        None
    }

    fn template_template_params(&mut self, inner: ListIdx, from: usize) -> Option<(NodeList, Option<NodeId>)> {
        let mut requires = None;
        while !self.eat(b'E') {
            let p = self.template_param_decl(Some(inner))?;
            self.names.push(p);
            if self.eat(b'Q') {
                requires = Some(self.constraint_expr()?);
                if !self.eat(b'E') {
                    return None;
                }
                break;
            }
        }
        Some((self.pop_list(from), requires))
    }

    fn template_arg(&mut self) -> Option<NodeId> {
        self.enter()?;
        let r = self.template_arg_inner();
        self.depth -= 1;
        r
    }

    fn template_arg_inner(&mut self) -> Option<NodeId> {
        match self.look(0) {
            b'X' => {
                self.pos += 1;
                let arg = self.expr()?;
                self.eat(b'E').then_some(arg)
            }
            b'J' => {
                self.pos += 1;
                let from = self.names.len();
                while !self.eat(b'E') {
                    let arg = self.template_arg()?;
                    self.names.push(arg);
                }
                let list = self.pop_list(from);
                Some(self.make(Node::TemplateArgumentPack(list)))
            }
            b'L' => {
                if self.look(1) == b'Z' {
                    self.pos += 2;
                    let arg = self.encoding()?;
                    return self.eat(b'E').then_some(arg);
                }
                self.expr_primary()
            }
            b'T' => {
                if !self.is_template_param_decl() {
                    return self.ty();
                }
                self.template_param_decl(None)?;
                let arg = self.template_arg()?;
                Some(self.make(Node::ParamQualifiedArg(arg)))
            }
            _ => self.ty(),
        }
    }

    fn template_args(&mut self, tag_templates: bool) -> Option<NodeId> {
        if !self.eat(b'I') {
            return None;
        }
        if tag_templates {
            self.tp_clear();
            self.tp.push(Some(self.outer));
            self.param_lists[self.outer as usize].clear();
        }
        let from = self.names.len();
        while !self.eat(b'E') {
            let arg = self.template_arg()?;
            self.names.push(arg);
            if tag_templates {
                let mut entry = arg;
                match self.entry(arg).node {
                    Node::ParamQualifiedArg(a) => entry = a,
                    Node::TemplateArgumentPack(elements) => entry = self.parameter_pack(elements),
                    _ => {}
                }
                let outer = self.outer as usize;
                self.param_lists[outer].push(entry);
            }
            if self.eat(b'Q') {
                // The requires clause is parsed and not printed.
                self.constraint_expr()?;
                if !self.eat(b'E') {
                    return None;
                }
                break;
            }
        }
        let list = self.pop_list(from);
        Some(self.make(Node::TemplateArgs(list)))
    }

    fn parameter_pack(&mut self, elements: NodeList) -> NodeId {
        let items = &self.lists[elements.start as usize..(elements.start + elements.len) as usize];
        let all_no = |f: fn(&Entry) -> Cache| {
            if items.iter().all(|&i| f(&self.nodes[i.0 as usize]) == Cache::No) {
                Cache::No
            } else {
                Cache::Unknown
            }
        };
        let rhs = all_no(|e| e.rhs);
        let array = all_no(|e| e.array);
        let function = all_no(|e| e.function);
        self.make_with(Node::ParameterPack(elements), Prec::Primary, rhs, array, function)
    }

    // ---- types ----

    /// `<type>`.
    pub fn ty(&mut self) -> Option<NodeId> {
        self.enter()?;
        let r = self.ty_inner();
        self.depth -= 1;
        r
    }

    fn builtin(&mut self, len: usize, text: &'static str) -> Option<NodeId> {
        self.pos += len;
        Some(self.word(text))
    }

    fn ty_inner(&mut self) -> Option<NodeId> {
        let result = match self.look(0) {
            b'r' | b'V' | b'K' => {
                let mut after = 0;
                for q in [b'r', b'V', b'K'] {
                    if self.look(after) == q {
                        after += 1;
                    }
                }
                let c = self.look(after);
                if c == b'F' || (c == b'D' && matches!(self.look(after + 1), b'o' | b'O' | b'w' | b'x')) {
                    self.function_type()?
                } else {
                    self.qualified_type()?
                }
            }
            b'U' => self.qualified_type()?,
            b'v' => return self.builtin(1, "void"),
            b'w' => return self.builtin(1, "wchar_t"),
            b'b' => return self.builtin(1, "bool"),
            b'c' => return self.builtin(1, "char"),
            b'a' => return self.builtin(1, "signed char"),
            b'h' => return self.builtin(1, "unsigned char"),
            b's' => return self.builtin(1, "short"),
            b't' => return self.builtin(1, "unsigned short"),
            b'i' => return self.builtin(1, "int"),
            b'j' => return self.builtin(1, "unsigned int"),
            b'l' => return self.builtin(1, "long"),
            b'm' => return self.builtin(1, "unsigned long"),
            b'x' => return self.builtin(1, "long long"),
            b'y' => return self.builtin(1, "unsigned long long"),
            b'n' => return self.builtin(1, "__int128"),
            b'o' => return self.builtin(1, "unsigned __int128"),
            b'f' => return self.builtin(1, "float"),
            b'd' => return self.builtin(1, "double"),
            b'e' => return self.builtin(1, "long double"),
            b'g' => return self.builtin(1, "__float128"),
            b'z' => return self.builtin(1, "..."),
            b'u' => {
                self.pos += 1;
                let res = self.bare_source_name();
                if res.is_empty() {
                    return None;
                }
                if self.eat(b'I') {
                    let base = self.ty()?;
                    if !self.eat(b'E') {
                        return None;
                    }
                    self.make(Node::TransformedType(res, base))
                } else {
                    self.make(Node::Name(res))
                }
            }
            b'D' => match self.look(1) {
                b'd' => return self.builtin(2, "decimal64"),
                b'e' => return self.builtin(2, "decimal128"),
                b'f' => return self.builtin(2, "decimal32"),
                b'h' => return self.builtin(2, "half"),
                b'F' => {
                    self.pos += 2;
                    if self.eat_str(b"16b") {
                        return Some(self.word("std::bfloat16_t"));
                    }
                    let n = self.number(false);
                    let dim = self.make(Node::Name(n));
                    if !self.eat(b'_') {
                        return None;
                    }
                    return Some(self.make(Node::BinaryFp(dim)));
                }
                b'A' | b'R' => {
                    let accum = self.look(1) == b'A';
                    let c = self.look(2);
                    self.pos += 3;
                    return self.fixed_point(c, accum, false);
                }
                b'S' => {
                    self.pos += 2;
                    if self.look(0) != b'D' {
                        return None;
                    }
                    let kind = self.look(1);
                    if kind != b'A' && kind != b'R' {
                        return None;
                    }
                    let c = self.look(2);
                    self.pos += 3;
                    return self.fixed_point(c, kind == b'A', true);
                }
                b'B' | b'U' => {
                    let signed = self.look(1) == b'B';
                    self.pos += 2;
                    let size = if self.look(0).is_ascii_digit() {
                        let n = self.number(false);
                        self.make(Node::Name(n))
                    } else {
                        self.expr()?
                    };
                    if !self.eat(b'_') {
                        return None;
                    }
                    return Some(self.make(Node::BitInt { size, signed }));
                }
                b'i' => return self.builtin(2, "char32_t"),
                b's' => return self.builtin(2, "char16_t"),
                b'u' => return self.builtin(2, "char8_t"),
                b'a' => return self.builtin(2, "auto"),
                b'c' => return self.builtin(2, "decltype(auto)"),
                b'k' | b'K' => {
                    let kind: &'static [u8] = if self.look(1) == b'k' { b" auto" } else { b" decltype(auto)" };
                    self.pos += 2;
                    let constraint = self.name(None)?;
                    return Some(self.make(Node::PostfixQualifiedType(constraint, kind)));
                }
                b'n' => return self.builtin(2, "std::nullptr_t"),
                b't' | b'T' => self.decltype()?,
                b'v' => self.vector_type()?,
                b'p' => {
                    self.pos += 2;
                    let child = self.ty()?;
                    self.make(Node::PackExpansion(child))
                }
                b'o' | b'O' | b'w' | b'x' => self.function_type()?,
                _ => return None,
            },
            b'F' => self.function_type()?,
            b'A' => self.array_type()?,
            b'M' => {
                self.pos += 1;
                let class = self.ty()?;
                let member = self.ty()?;
                let rhs = self.entry(member).rhs;
                self.make_with(Node::PointerToMember { class, member }, Prec::Primary, rhs, Cache::No, Cache::No)
            }
            b'T' => {
                if matches!(self.look(1), b's' | b'u' | b'e') {
                    self.class_enum_type()?
                } else {
                    let mut r = self.template_param()?;
                    if self.try_template_args && self.look(0) == b'I' {
                        self.subs.push(r);
                        let args = self.template_args(false)?;
                        r = self.make(Node::NameWithArgs(r, args));
                    }
                    r
                }
            }
            b'P' => {
                self.pos += 1;
                let pointee = self.ty()?;
                let rhs = self.entry(pointee).rhs;
                self.make_with(Node::Pointer(pointee), Prec::Primary, rhs, Cache::No, Cache::No)
            }
            c @ (b'R' | b'O') => {
                self.pos += 1;
                let pointee = self.ty()?;
                let rhs = self.entry(pointee).rhs;
                let node = Node::Reference { pointee, rvalue: c == b'O' };
                self.make_with(node, Prec::Primary, rhs, Cache::No, Cache::No)
            }
            c @ (b'C' | b'G') => {
                self.pos += 1;
                let p = self.ty()?;
                let text: &'static [u8] = if c == b'C' { b" complex" } else { b" imaginary" };
                self.make(Node::PostfixQualifiedType(p, text))
            }
            b'S' if self.look(1) != b't' => {
                let mut is_subst = false;
                let mut r = self.unscoped_name(None, Some(&mut is_subst))?;
                if self.look(0) == b'I' && (!is_subst || self.try_template_args) {
                    if !is_subst {
                        self.subs.push(r);
                    }
                    let args = self.template_args(false)?;
                    r = self.make(Node::NameWithArgs(r, args));
                } else if is_subst {
                    return Some(r);
                }
                r
            }
            _ => self.class_enum_type()?,
        };
        self.subs.push(result);
        Some(result)
    }

    fn fixed_point(&mut self, c: u8, accum: bool, sat: bool) -> Option<NodeId> {
        let text = match (sat, accum, c) {
            (false, true, b's') => "short _Accum",
            (false, true, b't') => "unsigned short _Accum",
            (false, true, b'i') => "_Accum",
            (false, true, b'j') => "unsigned _Accum",
            (false, true, b'l') => "long _Accum",
            (false, true, b'm') => "unsigned long _Accum",
            (false, false, b's') => "short _Fract",
            (false, false, b't') => "unsigned short _Fract",
            (false, false, b'i') => "_Fract",
            (false, false, b'j') => "unsigned _Fract",
            (false, false, b'l') => "long _Fract",
            (false, false, b'm') => "unsigned long _Fract",
            (true, true, b's') => "_Sat short _Accum",
            (true, true, b't') => "_Sat unsigned short _Accum",
            (true, true, b'i') => "_Sat _Accum",
            (true, true, b'j') => "_Sat unsigned _Accum",
            (true, true, b'l') => "_Sat long _Accum",
            (true, true, b'm') => "_Sat unsigned long _Accum",
            (true, false, b's') => "_Sat short _Fract",
            (true, false, b't') => "_Sat unsigned short _Fract",
            (true, false, b'i') => "_Sat _Fract",
            (true, false, b'j') => "_Sat unsigned _Fract",
            (true, false, b'l') => "_Sat long _Fract",
            (true, false, b'm') => "_Sat unsigned long _Fract",
            _ => return None,
        };
        Some(self.word(text))
    }

    fn function_type(&mut self) -> Option<NodeId> {
        let cv = self.cv_qualifiers();
        let mut except = None;
        if self.eat_str(b"Do") {
            except = Some(self.word("noexcept"));
        } else if self.eat_str(b"DO") {
            let e = self.expr()?;
            if !self.eat(b'E') {
                return None;
            }
            except = Some(self.make(Node::NoexceptSpec(e)));
        } else if self.eat_str(b"Dw") {
            let from = self.names.len();
            while !self.eat(b'E') {
                let t = self.ty()?;
                self.names.push(t);
            }
            let list = self.pop_list(from);
            except = Some(self.make(Node::DynamicExceptionSpec(list)));
        }
        self.eat_str(b"Dx");
        if !self.eat(b'F') {
            return None;
        }
        self.eat(b'Y');
        let ret = self.ty()?;
        let mut refq = RefQual::None;
        let from = self.names.len();
        loop {
            if self.eat(b'E') {
                break;
            }
            if self.eat(b'v') {
                continue;
            }
            if self.eat_str(b"RE") {
                refq = RefQual::LValue;
                break;
            }
            if self.eat_str(b"OE") {
                refq = RefQual::RValue;
                break;
            }
            let t = self.ty()?;
            self.names.push(t);
        }
        let params = self.pop_list(from);
        let node = Node::Function { ret, params, cv, refq, except };
        Some(self.make_with(node, Prec::Primary, Cache::Yes, Cache::No, Cache::Yes))
    }

    fn vector_type(&mut self) -> Option<NodeId> {
        if !self.eat_str(b"Dv") {
            return None;
        }
        if (b'1'..=b'9').contains(&self.look(0)) {
            let n = self.number(false);
            let dim = self.make(Node::Name(n));
            if !self.eat(b'_') {
                return None;
            }
            if self.eat(b'p') {
                return Some(self.make(Node::PixelVector(dim)));
            }
            let base = self.ty()?;
            return Some(self.make(Node::Vector { base, dim: Some(dim) }));
        }
        if !self.eat(b'_') {
            let dim = self.expr()?;
            if !self.eat(b'_') {
                return None;
            }
            let base = self.ty()?;
            return Some(self.make(Node::Vector { base, dim: Some(dim) }));
        }
        let base = self.ty()?;
        Some(self.make(Node::Vector { base, dim: None }))
    }

    fn decltype(&mut self) -> Option<NodeId> {
        if !self.eat(b'D') {
            return None;
        }
        if !self.eat(b't') && !self.eat(b'T') {
            return None;
        }
        let e = self.expr()?;
        if !self.eat(b'E') {
            return None;
        }
        Some(self.make(Node::Enclosing(b"decltype", e)))
    }

    fn array_type(&mut self) -> Option<NodeId> {
        if !self.eat(b'A') {
            return None;
        }
        let mut dim = None;
        if self.look(0).is_ascii_digit() {
            let n = self.number(false);
            dim = Some(self.make(Node::Name(n)));
            if !self.eat(b'_') {
                return None;
            }
        } else if !self.eat(b'_') {
            let e = self.expr()?;
            if !self.eat(b'_') {
                return None;
            }
            dim = Some(e);
        }
        let base = self.ty()?;
        Some(self.make_with(Node::Array { base, dim }, Prec::Primary, Cache::Yes, Cache::Yes, Cache::No))
    }

    fn class_enum_type(&mut self) -> Option<NodeId> {
        let elab: &'static [u8] = if self.eat_str(b"Ts") {
            b"struct"
        } else if self.eat_str(b"Tu") {
            b"union"
        } else if self.eat_str(b"Te") {
            b"enum"
        } else {
            b""
        };
        let name = self.name(None)?;
        if !elab.is_empty() {
            return Some(self.make(Node::ElaboratedTypeSpef(elab, name)));
        }
        Some(name)
    }

    fn qualified_type(&mut self) -> Option<NodeId> {
        self.enter()?;
        let r = self.qualified_type_inner();
        self.depth -= 1;
        r
    }

    fn qualified_type_inner(&mut self) -> Option<NodeId> {
        if self.eat(b'U') {
            let qual = self.bare_source_name();
            if qual.is_empty() {
                return None;
            }
            if let Some(rest) = qual.strip_prefix(b"objcproto") {
                let proto = {
                    let mut digits = 0usize;
                    let mut n: usize = 0;
                    while digits < rest.len() && rest[digits].is_ascii_digit() {
                        n = n.wrapping_mul(10).wrapping_add((rest[digits] - b'0') as usize);
                        digits += 1;
                    }
                    if digits == 0 || rest.len() - digits < n {
                        &[][..]
                    } else {
                        &rest[digits..digits + n]
                    }
                };
                if proto.is_empty() {
                    return None;
                }
                let child = self.qualified_type()?;
                return Some(self.make(Node::ObjCProtoName(child, proto)));
            }
            let mut args = None;
            if self.look(0) == b'I' {
                args = Some(self.template_args(false)?);
            }
            let child = self.qualified_type()?;
            return Some(self.make(Node::VendorExtQualType { ty: child, ext: qual, args }));
        }
        let quals = self.cv_qualifiers();
        let ty = self.ty()?;
        if quals != 0 {
            let e = *self.entry(ty);
            return Some(self.make_with(Node::QualType(ty, quals), Prec::Primary, e.rhs, e.array, e.function));
        }
        Some(ty)
    }

    // ---- expressions ----

    fn expr(&mut self) -> Option<NodeId> {
        self.enter()?;
        let r = self.expr_inner();
        self.depth -= 1;
        r
    }

    fn constraint_expr(&mut self) -> Option<NodeId> {
        let saved = std::mem::replace(&mut self.incomplete_tracking, true);
        let r = self.expr();
        self.incomplete_tracking = saved;
        r
    }

    fn expr_list_until(&mut self, end: u8, braced: bool) -> Option<NodeList> {
        let from = self.names.len();
        while !self.eat(end) {
            let e = if braced { self.braced_expr()? } else { self.expr()? };
            self.names.push(e);
        }
        Some(self.pop_list(from))
    }

    fn expr_inner(&mut self) -> Option<NodeId> {
        let global = self.eat_str(b"gs");
        if let Some(op) = self.operator_encoding() {
            let sym = op.symbol().as_bytes();
            let prec = op.prec;
            return match op.kind {
                OpKind::Binary => {
                    let l = self.expr()?;
                    let r = self.expr()?;
                    Some(self.make_prec(Node::Binary(l, sym, r), prec))
                }
                OpKind::Prefix => {
                    let e = self.expr()?;
                    Some(self.make_prec(Node::Prefix(sym, e), prec))
                }
                OpKind::Postfix => {
                    if self.eat(b'_') {
                        let e = self.expr()?;
                        return Some(self.make_prec(Node::Prefix(sym, e), prec));
                    }
                    let e = self.expr()?;
                    Some(self.make_prec(Node::Postfix(e, sym), prec))
                }
                OpKind::Array => {
                    let base = self.expr()?;
                    let index = self.expr()?;
                    Some(self.make_prec(Node::Subscript(base, index), prec))
                }
                OpKind::Member => {
                    let l = self.expr()?;
                    let r = self.expr()?;
                    Some(self.make_prec(Node::Member(l, sym, r), prec))
                }
                OpKind::New => {
                    let exprs = self.expr_list_until(b'_', false)?;
                    let ty = self.ty()?;
                    let have_inits = self.eat_str(b"pi");
                    let from = self.names.len();
                    while !self.eat(b'E') {
                        if !have_inits {
                            return None;
                        }
                        let i = self.expr()?;
                        self.names.push(i);
                    }
                    let inits = self.pop_list(from);
                    Some(self.make_prec(Node::New { exprs, ty, inits, global, array: op.flag }, prec))
                }
                OpKind::Del => {
                    let e = self.expr()?;
                    Some(self.make_prec(Node::Delete { op: e, global, array: op.flag }, prec))
                }
                OpKind::Call => {
                    let callee = self.expr()?;
                    let args = self.expr_list_until(b'E', false)?;
                    Some(self.make_prec(Node::Call { callee, args, paren: op.flag }, prec))
                }
                OpKind::CCast => {
                    let saved = std::mem::replace(&mut self.try_template_args, false);
                    let ty = self.ty();
                    self.try_template_args = saved;
                    let ty = ty?;
                    let from = self.names.len();
                    let many = self.eat(b'_');
                    while !self.eat(b'E') {
                        let e = self.expr()?;
                        self.names.push(e);
                        if !many {
                            break;
                        }
                    }
                    let exprs = self.pop_list(from);
                    if !many && exprs.len != 1 {
                        return None;
                    }
                    Some(self.make_prec(Node::Conversion(ty, exprs), prec))
                }
                OpKind::Conditional => {
                    let c = self.expr()?;
                    let l = self.expr()?;
                    let r = self.expr()?;
                    Some(self.make_prec(Node::Conditional(c, l, r), prec))
                }
                OpKind::NamedCast => {
                    let to = self.ty()?;
                    let from = self.expr()?;
                    Some(self.make_prec(Node::Cast { kind: sym, to, from }, prec))
                }
                OpKind::OfIdOp => {
                    let arg = if op.flag { self.ty()? } else { self.expr()? };
                    Some(self.make_prec(Node::Enclosing(sym, arg), prec))
                }
                OpKind::NameOnly => None,
            };
        }
        if self.left() < 2 {
            return None;
        }
        match self.look(0) {
            b'L' => return self.expr_primary(),
            b'T' => return self.template_param(),
            b'f' => {
                if self.look(1) == b'p' || (self.look(1) == b'L' && self.look(2).is_ascii_digit()) {
                    return self.function_param();
                }
                return self.fold_expr();
            }
            _ => {}
        }
        if self.eat_str(b"il") {
            let inits = self.expr_list_until(b'E', true)?;
            return Some(self.make(Node::InitList(None, inits)));
        }
        if self.eat_str(b"mc") {
            let ty = self.ty()?;
            let e = self.expr()?;
            self.number(true);
            if !self.eat(b'E') {
                return None;
            }
            return Some(self.make_prec(Node::PtrMemConversion(ty, e), Prec::Unary));
        }
        if self.eat_str(b"nx") {
            let e = self.expr()?;
            return Some(self.make_prec(Node::Enclosing(b"noexcept ", e), Prec::Unary));
        }
        if self.look(0) == b'r' && matches!(self.look(1), b'q' | b'Q') {
            return self.requires_expr();
        }
        if self.eat_str(b"so") {
            return self.subobject_expr();
        }
        if self.eat_str(b"sp") {
            let child = self.expr()?;
            return Some(self.make(Node::PackExpansion(child)));
        }
        if self.eat_str(b"sZ") {
            if self.look(0) == b'T' {
                let r = self.template_param()?;
                return Some(self.make(Node::SizeofPack(r)));
            }
            let fp = self.function_param()?;
            return Some(self.make(Node::Enclosing(b"sizeof... ", fp)));
        }
        if self.eat_str(b"sP") {
            let from = self.names.len();
            while !self.eat(b'E') {
                let a = self.template_arg()?;
                self.names.push(a);
            }
            let list = self.pop_list(from);
            let pack = self.make(Node::List(list));
            return Some(self.make(Node::Enclosing(b"sizeof... ", pack)));
        }
        if self.eat_str(b"tl") {
            let ty = self.ty()?;
            let inits = self.expr_list_until(b'E', true)?;
            return Some(self.make(Node::InitList(Some(ty), inits)));
        }
        if self.eat_str(b"tr") {
            return Some(self.word("throw"));
        }
        if self.eat_str(b"tw") {
            let e = self.expr()?;
            return Some(self.make(Node::Throw(e)));
        }
        if self.eat(b'u') {
            let name = self.source_name()?;
            let mut uuid = None;
            if matches!(self.entry(name).node, Node::Name(b"__uuidof")) {
                if self.eat(b't') {
                    uuid = Some(self.ty());
                } else if self.eat(b'z') {
                    uuid = Some(self.expr());
                }
            }
            let from = self.names.len();
            match uuid {
                Some(u) => self.names.push(u?),
                None => {
                    while !self.eat(b'E') {
                        let a = self.template_arg()?;
                        self.names.push(a);
                    }
                }
            }
            let args = self.pop_list(from);
            return Some(self.make_prec(Node::Call { callee: name, args, paren: false }, Prec::Postfix));
        }
        self.unresolved_name(global)
    }

    fn function_param(&mut self) -> Option<NodeId> {
        if self.eat_str(b"fpT") {
            return Some(self.word("this"));
        }
        if self.eat_str(b"fp") {
            self.cv_qualifiers();
            let n = self.number(false);
            if !self.eat(b'_') {
                return None;
            }
            return Some(self.make(Node::FunctionParam(n)));
        }
        if self.eat_str(b"fL") {
            if self.number(false).is_empty() || !self.eat(b'p') {
                return None;
            }
            self.cv_qualifiers();
            let n = self.number(false);
            if !self.eat(b'_') {
                return None;
            }
            return Some(self.make(Node::FunctionParam(n)));
        }
        None
    }

    fn fold_expr(&mut self) -> Option<NodeId> {
        if !self.eat(b'f') {
            return None;
        }
        let (left, has_init) = match self.look(0) {
            b'L' => (true, true),
            b'R' => (false, true),
            b'l' => (true, false),
            b'r' => (false, false),
            _ => return None,
        };
        self.pos += 1;
        let op = self.operator_encoding()?;
        if !(op.kind == OpKind::Binary || (op.kind == OpKind::Member && op.name.ends_with('*'))) {
            return None;
        }
        let mut pack = self.expr()?;
        let mut init = None;
        if has_init {
            init = Some(self.expr()?);
        }
        if left {
            if let Some(i) = init {
                init = Some(pack);
                pack = i;
            }
        }
        Some(self.make(Node::Fold { left, op: op.symbol().as_bytes(), pack, init }))
    }

    fn subobject_expr(&mut self) -> Option<NodeId> {
        let ty = self.ty()?;
        let expr = self.expr()?;
        let offset = self.number(true);
        while self.eat(b'_') {
            self.number(false);
        }
        self.eat(b'p');
        if !self.eat(b'E') {
            return None;
        }
        Some(self.make(Node::Subobject { ty, expr, offset }))
    }

    fn requires_expr(&mut self) -> Option<NodeId> {
        let mut params = NodeList::default();
        if self.eat_str(b"rQ") {
            let from = self.names.len();
            while !self.eat(b'_') {
                let t = self.ty()?;
                self.names.push(t);
            }
            params = self.pop_list(from);
        } else if !self.eat_str(b"rq") {
            return None;
        }
        let from = self.names.len();
        loop {
            let constraint = if self.eat(b'X') {
                let expr = self.expr()?;
                let noexcept = self.eat(b'N');
                let mut constraint = None;
                if self.eat(b'R') {
                    constraint = Some(self.name(None)?);
                }
                self.make(Node::ExprRequirement { expr, noexcept, constraint })
            } else if self.eat(b'T') {
                let t = self.ty()?;
                self.make(Node::TypeRequirement(t))
            } else if self.eat(b'Q') {
                let e = self.expr()?;
                self.make(Node::NestedRequirement(e))
            } else {
                return None;
            };
            self.names.push(constraint);
            if self.eat(b'E') {
                break;
            }
        }
        let reqs = self.pop_list(from);
        Some(self.make(Node::Requires(params, reqs)))
    }

    fn braced_expr(&mut self) -> Option<NodeId> {
        self.enter()?;
        let r = self.braced_expr_inner();
        self.depth -= 1;
        r
    }

    fn braced_expr_inner(&mut self) -> Option<NodeId> {
        if self.look(0) == b'd' {
            match self.look(1) {
                b'i' => {
                    self.pos += 2;
                    let field = self.source_name()?;
                    let init = self.braced_expr()?;
                    return Some(self.make(Node::Braced { elem: field, init, array: false }));
                }
                b'x' => {
                    self.pos += 2;
                    let index = self.expr()?;
                    let init = self.braced_expr()?;
                    return Some(self.make(Node::Braced { elem: index, init, array: true }));
                }
                b'X' => {
                    self.pos += 2;
                    let begin = self.expr()?;
                    let end = self.expr()?;
                    let init = self.braced_expr()?;
                    return Some(self.make(Node::BracedRange(begin, end, init)));
                }
                _ => {}
            }
        }
        self.expr()
    }

    fn integer_literal(&mut self, ty: &'static str) -> Option<NodeId> {
        let n = self.number(true);
        if !n.is_empty() && self.eat(b'E') {
            return Some(self.make(Node::IntegerLiteral(ty.as_bytes(), n)));
        }
        None
    }

    fn float_literal(&mut self, kind: FloatKind) -> Option<NodeId> {
        let n = match kind {
            FloatKind::Float => 8,
            FloatKind::Double => 16,
            FloatKind::LongDouble => 20,
        };
        if self.left() <= n {
            return None;
        }
        let data = &self.input[self.pos..self.pos + n];
        if !data.iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c)) {
            return None;
        }
        self.pos += n;
        if !self.eat(b'E') {
            return None;
        }
        Some(self.make(Node::Float(kind, data)))
    }

    fn expr_primary(&mut self) -> Option<NodeId> {
        if !self.eat(b'L') {
            return None;
        }
        let c = self.look(0);
        let int = |p: &mut Self, ty| {
            p.pos += 1;
            p.integer_literal(ty)
        };
        match c {
            b'w' => int(self, "wchar_t"),
            b'b' => {
                if self.eat_str(b"b0E") {
                    return Some(self.make(Node::Bool(false)));
                }
                if self.eat_str(b"b1E") {
                    return Some(self.make(Node::Bool(true)));
                }
                None
            }
            b'c' => int(self, "char"),
            b'a' => int(self, "signed char"),
            b'h' => int(self, "unsigned char"),
            b's' => int(self, "short"),
            b't' => int(self, "unsigned short"),
            b'i' => int(self, ""),
            b'j' => int(self, "u"),
            b'l' => int(self, "l"),
            b'm' => int(self, "ul"),
            b'x' => int(self, "ll"),
            b'y' => int(self, "ull"),
            b'n' => int(self, "__int128"),
            b'o' => int(self, "unsigned __int128"),
            b'f' | b'd' | b'e' => {
                self.pos += 1;
                let kind = match c {
                    b'f' => FloatKind::Float,
                    b'd' => FloatKind::Double,
                    _ => FloatKind::LongDouble,
                };
                self.float_literal(kind)
            }
            b'_' => {
                if self.eat_str(b"_Z") {
                    let r = self.encoding()?;
                    if self.eat(b'E') {
                        return Some(r);
                    }
                }
                None
            }
            b'A' => {
                let t = self.ty()?;
                if self.eat(b'E') {
                    return Some(self.make(Node::StringLiteral(t)));
                }
                None
            }
            b'D' => {
                if self.eat_str(b"Dn") && {
                    self.eat(b'0');
                    self.eat(b'E')
                } {
                    return Some(self.word("nullptr"));
                }
                None
            }
            b'T' => None,
            b'U' => {
                if self.look(1) != b'l' {
                    return None;
                }
                let t = self.unnamed_type_name(false)?;
                if !self.eat(b'E') {
                    return None;
                }
                Some(self.make(Node::Lambda(t)))
            }
            _ => {
                let t = self.ty()?;
                let n = self.number(true);
                if n.is_empty() || !self.eat(b'E') {
                    return None;
                }
                Some(self.make(Node::EnumLiteral(t, n)))
            }
        }
    }
}
