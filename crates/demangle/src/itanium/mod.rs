//! An Itanium C++ ABI demangler that produces exactly the text of LLVM's
//! `llvm::itaniumDemangle` (what wasm-ld writes), and fails where it fails.
//!
//! [`parse`] reads the mangled name into an arena of nodes ([`ast`]);
//! [`print`] writes them out. Both are bounded: deeply nested or huge
//! inputs are refused rather than overflowing the stack.

use std::cell::Cell;

mod ast;
mod float;
mod ops;
mod parse;
mod print;

/// `name` (`_Z...`, `__Z...`, `___Z..._block_invoke...`) demangled, or
/// `None` where LLVM's demangler fails on it.
pub fn demangle(name: &str) -> Option<String> {
    thread_local! {
        static SCRATCH: Cell<parse::Scratch> = Cell::new(parse::Scratch::default());
    }
    let mut parser = parse::Parser::new(name.as_bytes(), SCRATCH.take());
    let out = parser.parse().and_then(|root| {
        let mut printer = print::Printer::new(&parser, name.len() * 2 + 32);
        printer.print(root);
        (!printer.failed).then_some(printer.out)
    });
    SCRATCH.set(parser.into_scratch());
    let out = out?;
    Some(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}
