//! `--why-extract=FILE`: one line per extracted archive member, in the
//! order the extractions finished (wasm-ld's format): the referencing file
//! (or `<internal>` for `-u`, `--export`, `--entry`), the member and the
//! symbol that pulled it in (demangled unless `--no-demangle`). `-` writes
//! to stdout.

use std::io::Write;
use symbol_resolve::Selection;

/// The report's text.
pub fn render(selection: &Selection<'_>, demangle: bool) -> String {
    let mut out = String::from("reference\textracted\tsymbol\n");
    for e in &selection.extractions {
        let symbol = demangle::display_name(e.symbol, demangle);
        out.push_str(&format!("{}\t{}\t{symbol}\n", e.reference, e.extracted));
    }
    out
}

/// Writes the report to `path` (`-`: stdout).
pub fn write(path: &str, selection: &Selection<'_>, demangle: bool) -> std::io::Result<()> {
    let text = render(selection, demangle);
    if path == "-" {
        return std::io::stdout().lock().write_all(text.as_bytes());
    }
    std::fs::write(path, text)
}
