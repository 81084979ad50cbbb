//! Reads symbol names, one a line, from stdin and writes each demangled as
//! wasm-ld would show it (like `llvm-cxxfilt-22`): used to compare against
//! LLVM over a corpus and to measure the demangler's cost per name.

use std::io::{BufRead, Write};

fn main() {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let quiet = std::env::args().any(|a| a == "--quiet");
    let mut total = 0usize;
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let shown = demangle::demangle(&line);
        total += shown.len();
        if !quiet {
            let _ = writeln!(out, "{shown}");
        }
    }
    if quiet {
        let _ = writeln!(out, "{total}");
    }
}
