//! Rewrites `cpp_demangle`'s text where LLVM's Itanium printer writes the
//! same construct differently.

/// LLVM's suffix for an integer literal of this type, as in `8ul`; `None`
/// for types LLVM prints as a cast (`(char)65`).
fn literal_suffix(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "int" => "",
        "unsigned int" => "u",
        "long" => "l",
        "unsigned long" => "ul",
        "long long" => "ll",
        "unsigned long long" => "ull",
        _ => return None,
    })
}

/// `text` as LLVM prints it: special names in LLVM's words, lambdas and
/// unnamed types as `'lambda'(...)` / `'unnamed'`, closing template
/// brackets without a space between them, integer literals with suffixes
/// instead of casts.
pub fn rewrite(text: &str) -> String {
    let special = special_name(text);
    let mut out = literals(&closures(special.as_deref().unwrap_or(text)));
    while out.contains("> >") {
        out = out.replace("> >", ">>");
    }
    out
}

/// The special names (vtables, thunks, TLS routines, ...) that
/// `cpp_demangle` words differently from LLVM, in LLVM's words.
fn special_name(text: &str) -> Option<String> {
    const WORDS: [(&str, &str); 3] = [
        ("TLS init function for ", "thread-local initialization routine for "),
        ("TLS wrapper function for ", "thread-local wrapper routine for "),
        ("typeinfo fn for ", "typeinfo fn for "),
    ];
    for (theirs, llvm) in WORDS {
        if let Some(rest) = text.strip_prefix(theirs) {
            return Some(format!("{llvm}{rest}"));
        }
    }
    if let Some(rest) = text.strip_prefix("construction vtable for ") {
        // cpp_demangle names the complete type first; LLVM the base first.
        let at = top_level(rest, "-in-")?;
        return Some(format!("construction vtable for {}-in-{}", &rest[at + 4..], &rest[..at]));
    }
    if let Some(rest) = text.strip_prefix("reference temporary #") {
        let at = rest.find(" for ")?;
        return Some(format!("reference temporary for {}", &rest[at + 5..]));
    }
    let inner = text.strip_prefix('{')?.strip_suffix('}')?;
    if let Some(ty) = inner.strip_prefix("vtable(").and_then(|r| r.strip_suffix(')')) {
        return Some(format!("vtable for {ty}"));
    }
    if let Some(ty) = inner.strip_prefix("vtt(").and_then(|r| r.strip_suffix(')')) {
        return Some(format!("VTT for {ty}"));
    }
    let args = inner.strip_prefix("virtual override thunk(")?.strip_suffix(')')?;
    // One offset (`{offset(N)}` or `{virtual offset(A, B)}`), or two for a
    // covariant return thunk, then the encoding.
    let first = top_level(args, ", ")?;
    let after_first = &args[first + 2..];
    if after_first.starts_with("{offset(") || after_first.starts_with("{virtual offset(") {
        let second = top_level(after_first, ", ")?;
        return Some(format!("covariant return thunk to {}", &after_first[second + 2..]));
    }
    let kind = if args.starts_with("{virtual offset(") { "virtual thunk to " } else { "non-virtual thunk to " };
    Some(format!("{kind}{after_first}"))
}

/// The byte offset of the first `needle` in `text` outside brackets.
fn top_level(text: &str, needle: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '<' | '[' | '{' => depth += 1,
            ')' | '>' | ']' | '}' => depth -= 1,
            _ if depth == 0 && text[i..].starts_with(needle) => return Some(i),
            _ => {}
        }
    }
    None
}

/// `{lambda(int)#1}` → `'lambda'(int)`, `{lambda()#2}` → `'lambda0'()`,
/// `{unnamed type#1}` → `'unnamed'`, `{unnamed type#3}` → `'unnamed1'`.
fn closures(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let lambda = rest.find("{lambda(");
        let unnamed = rest.find("{unnamed type#");
        let Some(at) = [lambda, unnamed].into_iter().flatten().min() else { break };
        out.push_str(&rest[..at]);
        let body = &rest[at + 1..];
        let Some(end) = matching_brace(body) else {
            out.push('{');
            rest = body;
            continue;
        };
        let inner = &body[..end];
        let (head, number) = match inner.rfind('#') {
            Some(h) => (&inner[..h], &inner[h + 1..]),
            None => (inner, "1"),
        };
        let count = match number.parse::<u64>() {
            Ok(n) if n > 1 => (n - 2).to_string(),
            _ => String::new(),
        };
        match head.strip_prefix("lambda") {
            Some(params) => out.push_str(&format!("'lambda{count}'{params}")),
            None => out.push_str(&format!("'unnamed{count}'")),
        }
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The offset of the `}` closing a brace opened just before `text`.
fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// `(unsigned long)8` → `8ul`, `(int)-1` → `-1`, `(bool)1` → `true`.
fn literals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if let Some(close) = after.find(')') {
            let ty = &after[..close];
            let value = &after[close + 1..];
            let digits = value.strip_prefix('-').unwrap_or(value);
            let len = digits.bytes().take_while(u8::is_ascii_digit).count();
            let sign = value.len() - digits.len();
            let number = &value[..sign + len];
            let ends_token = !value[sign + len..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
            if len > 0 && ends_token {
                let replaced = match (ty, number) {
                    ("bool", "0") => Some("false".to_string()),
                    ("bool", "1") => Some("true".to_string()),
                    _ => literal_suffix(ty).map(|s| format!("{number}{s}")),
                };
                if let Some(r) = replaced {
                    out.push_str(&r);
                    rest = &value[sign + len..];
                    continue;
                }
            }
        }
        out.push('(');
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn literals_and_brackets() {
        assert_eq!(rewrite("A<B<int> >::f<(unsigned long)8>()"), "A<B<int>>::f<8ul>()");
        assert_eq!(rewrite("f<(int)0, (bool)1, (char)65>(int)"), "f<0, true, (char)65>(int)");
        assert_eq!(rewrite("{vtable(A<B<int> >)}"), "vtable for A<B<int>>");
        assert_eq!(
            rewrite("{virtual override thunk({offset(-8)}, A::f() const)}"),
            "non-virtual thunk to A::f() const"
        );
        assert_eq!(rewrite("{virtual override thunk({virtual offset(0, -12)}, A::~A())}"), "virtual thunk to A::~A()");
        assert_eq!(rewrite("construction vtable for D-in-B<int>"), "construction vtable for B<int>-in-D");
        assert_eq!(
            rewrite("f()::{lambda(int)#2}::operator()(int) const"),
            "f()::'lambda0'(int)::operator()(int) const"
        );
    }
}
