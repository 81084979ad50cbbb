//! # demangle: symbol names as wasm-ld shows them
//!
//! wasm-ld prints symbols through `toString(Symbol)`, which demangles them
//! with LLVM's `llvm::demangle` unless `--no-demangle` is given: in
//! diagnostics, in the map file and in the `name` section it writes. This
//! crate reproduces that: [`display_name`] is wasm-ld's
//! `maybeDemangleSymbol` (which also shows `__main_argc_argv` as `main`),
//! [`demangle`] is the part of `llvm::demangle` that matters for wasm
//! objects: Itanium C++ names (`_Z...`, `___Z..._block_invoke`, and the
//! same with one more leading underscore) and Rust v0 names (`_R...`). Rust's
//! legacy names (`_ZN...17h<hash>E`) are Itanium names to LLVM and are shown
//! as it shows them, hash included. Other names are returned unchanged, as
//! are names that don't demangle.
//!
//! The Itanium demangler is this crate's own ([`itanium`]): it parses the
//! grammar LLVM 22's demangler parses, with its extensions and its limits,
//! and prints LLVM's text for every name (`>>`, `8ul`, `'lambda'(int)`,
//! `[abi:cxx11]`, `(.cold)` suffixes, ...), giving up exactly where LLVM
//! does; the tests compare it with `llvm-cxxfilt-22` over libc++. Deeply
//! nested or exponentially long names, where LLVM would run out of stack
//! or memory, are shown undemangled.

mod itanium;

use std::borrow::Cow;

/// The name wasm-ld shows for symbol `name`: `main` for
/// `__main_argc_argv` (always, as wasm-ld does), else the demangled name
/// when `demangle` is on (`--demangle`, the default), else `name`.
pub fn display_name(name: &str, demangle: bool) -> Cow<'_, str> {
    if name == "__main_argc_argv" {
        return Cow::Borrowed("main");
    }
    if demangle {
        self::demangle(name)
    } else {
        Cow::Borrowed(name)
    }
}

/// `name` demangled as LLVM's `llvm::demangle` does it for the encodings
/// wasm objects use, or `name` itself when it isn't a mangled name (or
/// doesn't demangle).
pub fn demangle(name: &str) -> Cow<'_, str> {
    match non_microsoft_demangle(name).or_else(|| name.strip_prefix('_').and_then(non_microsoft_demangle)) {
        Some(d) => Cow::Owned(d),
        None => Cow::Borrowed(name),
    }
}

/// One attempt of `llvm::nonMicrosoftDemangle`: a leading `.` is kept in
/// front of the demangled name.
fn non_microsoft_demangle(name: &str) -> Option<String> {
    let (dot, name) = match name.strip_prefix('.') {
        Some(rest) => (".", rest),
        None => ("", name),
    };
    let demangled = if name.starts_with("_Z") || name.starts_with("___Z") {
        itanium(name)?
    } else if name.starts_with("_R") {
        rust_v0(name)?
    } else {
        return None;
    };
    if dot.is_empty() {
        return Some(demangled);
    }
    Some(format!("{dot}{demangled}"))
}

/// An Itanium name: `_Z<encoding>[.suffix]`, or a block invocation
/// `___Z<encoding>_block_invoke[_N]`.
fn itanium(name: &str) -> Option<String> {
    itanium::demangle(name)
}

/// A Rust v0 name, as LLVM prints it (no crate disambiguators, no hash).
fn rust_v0(name: &str) -> Option<String> {
    let d = rustc_demangle::try_demangle(name).ok()?;
    Some(format!("{d:#}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_wasm_ld_22_shows_them() {
        // Each expectation is what wasm-ld-22 printed for an undefined
        // symbol of that name.
        for (mangled, shown) in [
            ("_Z3fooi", "foo(int)"),
            ("_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write::h0123456789abcdef"),
            ("_RNvCs1234_7mycrate3foo", "mycrate::foo"),
            ("_RNvNtCs9ltgdHTiPiY_4core3ptr13drop_in_placeB3_", "core::ptr::drop_in_place"),
            ("_D3foo3barFZv", "_D3foo3barFZv"),
            ("__Z3bazv", "baz()"),
            ("_Zbogus", "_Zbogus"),
            ("___Z3fooi_block_invoke", "invocation function for block in foo(int)"),
            ("plain", "plain"),
        ] {
            assert_eq!(demangle(mangled), shown, "{mangled}");
        }
    }

    #[test]
    fn main_argc_argv_is_main_even_without_demangling() {
        assert_eq!(display_name("__main_argc_argv", false), "main");
        assert_eq!(display_name("_Z3fooi", false), "_Z3fooi");
        assert_eq!(display_name("_Z3fooi", true), "foo(int)");
    }
}
