//! An Itanium C++ ABI demangler that produces exactly the text of LLVM's
//! `llvm::itaniumDemangle` (what wasm-ld writes), and fails where it fails.
//!
//! [`parse`] reads the mangled name into an arena of nodes ([`ast`]);
//! [`print`] writes them out. Both are bounded: deeply nested or huge
//! inputs are refused rather than overflowing the stack.

mod ast;
mod float;
mod ops;
mod parse;
mod print;

/// `name` (`_Z...`, `__Z...`, `___Z..._block_invoke...`) demangled, or
/// `None` where LLVM's demangler fails on it.
pub fn demangle(name: &str) -> Option<String> {
    let mut parser = parse::Parser::default();
    parser.reset(name.as_bytes());
    let root = parser.parse()?;
    let mut printer = print::Printer::new(&parser, name.len() * 2 + 16);
    printer.print(root);
    if printer.failed {
        return None;
    }
    Some(match String::from_utf8(printer.out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}
