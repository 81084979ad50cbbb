//! Benchmark input for `cargo xtask bench`: a small program that pulls in
//! clap, regex and serde_json so that the link has their code (and, in the
//! debug build, their DWARF). It runs in wasmtime without arguments and
//! prints a checksum.

use clap::Parser;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Count words in a built-in text (or the given one) and print them as JSON.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Text to analyse instead of the built-in one.
    #[arg(long)]
    text: Option<String>,
    /// Only words matching this regular expression.
    #[arg(long, default_value = r"\b[a-z][a-z]+\b")]
    pattern: String,
    /// Print the report with indentation.
    #[arg(long)]
    pretty: bool,
    /// Repeat the analysis this many times.
    #[arg(long, default_value_t = 3)]
    rounds: u32,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Report {
    words: usize,
    distinct: usize,
    top: Vec<(String, usize)>,
    dates: Vec<Date>,
    meta: BTreeMap<String, serde_json::Value>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Date {
    year: u32,
    month: u32,
    day: u32,
}

const TEXT: &str = "the quick brown fox jumps over the lazy dog on 2024-01-15 and again on 1999-12-31; \
    a linker combines object files into one module, and the fastest linker is the one you do not wait for. \
    released 2026-12-05, the wasm linker links wasm objects into wasm modules";

fn analyse(text: &str, pattern: &Regex, date: &Regex) -> Report {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut words = 0;
    for m in pattern.find_iter(text) {
        words += 1;
        *counts.entry(m.as_str().to_lowercase()).or_default() += 1;
    }
    let mut top: Vec<(String, usize)> = counts.iter().map(|(k, v)| (k.clone(), *v)).collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top.truncate(5);
    let dates = date
        .captures_iter(text)
        .map(|c| Date { year: c[1].parse().unwrap(), month: c[2].parse().unwrap(), day: c[3].parse().unwrap() })
        .collect();
    let mut meta = BTreeMap::new();
    meta.insert("pattern".to_string(), serde_json::json!(pattern.as_str()));
    meta.insert("length".to_string(), serde_json::json!(text.len()));
    Report { words, distinct: counts.len(), top, dates, meta }
}

fn main() {
    let args = Args::parse();
    let pattern = Regex::new(&args.pattern).expect("bad --pattern");
    let date = Regex::new(r"(\d{4})-(\d{2})-(\d{2})").unwrap();
    let text = args.text.as_deref().unwrap_or(TEXT);
    let mut checksum: u64 = 0;
    let mut last = String::new();
    for _ in 0..args.rounds.max(1) {
        let report = analyse(text, &pattern, &date);
        last = if args.pretty { serde_json::to_string_pretty(&report) } else { serde_json::to_string(&report) }
            .expect("serialize");
        let back: Report = serde_json::from_str(&last).expect("round trip");
        assert_eq!(back, report);
        checksum = last.bytes().fold(checksum, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    }
    println!("{last}");
    println!("checksum {checksum:016x}");
}
