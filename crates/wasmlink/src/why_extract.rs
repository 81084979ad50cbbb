//! `--why-extract=FILE`: one line per extracted archive member, in the
//! order the extractions finished (wasm-ld's format): the referencing file
//! (or `<internal>` for `-u`, `--export`, `--entry`), the member and the
//! symbol that pulled it in. `-` writes to stdout.

use std::io::Write;
use symbol_resolve::Selection;

/// The report's text.
pub fn render(selection: &Selection<'_>) -> String {
    let mut out = String::from("reference\textracted\tsymbol\n");
    for e in &selection.extractions {
        out.push_str(&format!("{}\t{}\t{}\n", e.reference, e.extracted, e.symbol));
    }
    out
}

/// Writes the report to `path` (`-`: stdout).
pub fn write(path: &str, selection: &Selection<'_>) -> std::io::Result<()> {
    let text = render(selection);
    if path == "-" {
        return std::io::stdout().lock().write_all(text.as_bytes());
    }
    std::fs::write(path, text)
}
