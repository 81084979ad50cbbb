//! `--size-report=FILE` (a wasmlink extension): every byte of the output
//! attributed to an input or to the linker. The JSON is read back and
//! checked against the module read with wasmparser (each section's size,
//! the functions of the code section, the grand total = the file's size);
//! the text form is checked for its totals; the HTML page is opened in a
//! real headless browser (Debian's `chromium`, installed with apt-get when
//! missing), its rendered treemap checked against the JSON, and a
//! screenshot kept under `target/tmp/artifacts/`.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn explain_dir() -> PathBuf {
    testdata().join("explain")
}

/// Links `testdata/explain` with `extra` arguments; returns the module.
fn link_explain(out: &Path, extra: &[&str]) -> Vec<u8> {
    let mut cmd = Command::new(linker_under_test());
    cmd.current_dir(explain_dir())
        .args(["--no-entry", "explain.o", "explain_asm.o", "libexplain.a"])
        .args(extra)
        .arg("-o")
        .arg(out);
    let res = run_process(&mut cmd);
    assert_eq!(res.code, Some(0), "link failed\n{}", res.describe());
    std::fs::read(out).unwrap()
}

/// Each section of `bytes` as the map file names it, with its whole size
/// (id, size field, payload), read with wasmparser; the module header first.
fn sections_of(bytes: &[u8]) -> Vec<(String, u64)> {
    use wasmparser::{Parser, Payload};
    let mut out = vec![("header".to_string(), 8u64)];
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.unwrap();
        let Some((id, range)) = payload.as_section() else { continue };
        let name = match (&payload, id) {
            (Payload::CustomSection(r), _) => format!("CUSTOM({})", r.name()),
            (_, 1) => "TYPE".into(),
            (_, 2) => "IMPORT".into(),
            (_, 3) => "FUNCTION".into(),
            (_, 4) => "TABLE".into(),
            (_, 5) => "MEMORY".into(),
            (_, 6) => "GLOBAL".into(),
            (_, 7) => "EXPORT".into(),
            (_, 8) => "START".into(),
            (_, 9) => "ELEM".into(),
            (_, 10) => "CODE".into(),
            (_, 11) => "DATA".into(),
            (_, 12) => "DATACOUNT".into(),
            (_, 13) => "TAG".into(),
            (_, other) => panic!("unexpected section id {other}"),
        };
        // The range is the payload (for a custom section: from its name);
        // before it come the id byte and the payload's LEB128 size.
        let payload_len = range.end - range.start;
        out.push((name, 1 + leb_len(payload_len) + payload_len));
    }
    out
}

fn leb_len(mut v: u64) -> u64 {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// The function bodies' sizes (size prefix included), in order.
fn function_sizes(bytes: &[u8]) -> Vec<u64> {
    use wasmparser::{Parser, Payload};
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        if let Payload::CodeSectionEntry(body) = payload.unwrap() {
            let r = body.range();
            let len = r.end - r.start;
            out.push(len + leb_len(len));
        }
    }
    out
}

fn entries(json: &Value) -> &Vec<Value> {
    json["entries"].as_array().unwrap()
}

/// The JSON report of `bytes` adds up: per section, per function, per
/// level, and to the file's size.
fn check_json(what: &str, bytes: &[u8], json: &Value) {
    let total = json["total"].as_u64().unwrap();
    assert_eq!(total, bytes.len() as u64, "{what}: total is not the file size");
    let sum: u64 = entries(json).iter().map(|e| e["size"].as_u64().unwrap()).sum();
    assert_eq!(sum, total, "{what}: entries don't add up to the total");
    for level in ["by_archive", "by_object", "by_section"] {
        let sum: u64 = json[level].as_array().unwrap().iter().map(|e| e["size"].as_u64().unwrap()).sum();
        assert_eq!(sum, total, "{what}: {level} doesn't add up");
    }
    // Every section's size, in file order, as wasmparser reads them.
    let reported: Vec<(String, u64)> = json["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_string(), s["size"].as_u64().unwrap()))
        .collect();
    let actual = sections_of(bytes);
    assert_eq!(reported, actual, "{what}: sections");
    for (name, size) in &actual {
        let sum: u64 =
            entries(json).iter().filter(|e| e["section"] == name.as_str()).map(|e| e["size"].as_u64().unwrap()).sum();
        assert_eq!(sum, *size, "{what}: entries of {name}");
    }
    // The code section: one entry per function, of its size, in order.
    let functions: Vec<u64> = entries(json)
        .iter()
        .filter(|e| e["section"] == "CODE")
        .filter(|e| e["item"] != "section header (id, size)" && e["item"] != "function count")
        .map(|e| e["size"].as_u64().unwrap())
        .collect();
    assert_eq!(functions, function_sizes(bytes), "{what}: functions");
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The entry of `item` in `section`.
fn entry<'j>(json: &'j Value, section: &str, item: &str) -> &'j Value {
    entries(json)
        .iter()
        .find(|e| e["section"] == section && e["item"] == item)
        .unwrap_or_else(|| panic!("no {section} entry {item}"))
}

/// The `--why-live` chain of an entry, from the JSON's steps.
fn chain(json: &Value, e: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    let mut step = e["why"].clone();
    while let Some(n) = step.as_u64() {
        let s = &json["steps"][n.to_string()];
        lines.insert(0, s["line"].as_str().unwrap().to_string());
        step = s["up"].clone();
    }
    lines
}

#[test]
fn size_report_json_adds_up() {
    let scratch = Scratch::new("size-report-json");
    let plain = link_explain(&scratch.join("plain.wasm"), &[]);
    let report = scratch.join("report.json");
    let bytes = link_explain(&scratch.join("plain.wasm"), &[&format!("--size-report={}", report.display())]);
    assert_eq!(bytes, plain, "--size-report must not change the module");
    let json = read_json(&report);
    check_json("explain", &bytes, &json);

    // Inputs own their functions and data; the archive member is split out.
    let go = entry(&json, "CODE", "go");
    assert_eq!((go["archive"].as_str(), go["object"].as_str()), (Some(""), Some("explain.o")));
    let helper = entry(&json, "CODE", "lib_helper");
    assert_eq!((helper["archive"].as_str(), helper["object"].as_str()), (Some("libexplain.a"), Some("helper.o")));
    assert_eq!(entry(&json, "DATA", "retained_blob")["size"], 10);
    assert_eq!(entry(&json, "CODE", "go.command_export")["object"], "<linker>");
    // Chains are the --why-live ones.
    assert_eq!(
        chain(&json, entry(&json, "CODE", "via_table")),
        [
            "root: export `go` (export_name / WASM_SYM_EXPORTED): `go` (function in explain.o)",
            "`go` (explain.o) uses the address of `fn_table` (explain.o)",
            "`fn_table` (explain.o) holds a table slot of `via_table` (explain.o)",
        ]
    );
    let by_archive = json["by_archive"].as_array().unwrap();
    assert!(by_archive.iter().any(|a| a["name"] == "libexplain.a" && a["size"] == helper["size"]));

    // With debug info (custom sections made of input pieces) and without
    // string merging, the sums still hold.
    let report = scratch.join("report-g.json");
    let opts = testdata().join("options").join("opts-g.o");
    let mut cmd = Command::new(linker_under_test());
    let out = scratch.join("g.wasm");
    cmd.arg("--no-entry").arg(&opts).arg("-o").arg(&out).arg(format!("--size-report={}", report.display()));
    for o in ["-O0", "-O2"] {
        let res = run_process(cmd.arg(o));
        assert_eq!(res.code, Some(0), "{}", res.describe());
        let bytes = std::fs::read(&out).unwrap();
        let json = read_json(&report);
        check_json(&format!("opts-g.o {o}"), &bytes, &json);
        let info = entries(&json)
            .iter()
            .find(|e| e["section"] == "CUSTOM(.debug_info)" && e["item"] == ".debug_info")
            .unwrap();
        assert_eq!(info["object"], opts.display().to_string().as_str());
    }
}

#[test]
fn size_report_cpp_program() {
    if !wasi_toolchain_ready("size_report_cpp_program") {
        return;
    }
    let case = Case::load("cpp_features");
    let scratch = Scratch::new("size-report-cpp");
    for variant in VARIANTS {
        let report = scratch.join(format!("{variant}.json"));
        let out = scratch.join(format!("{variant}.wasm"));
        let mut args = case.link_args(variant, &out);
        args.push(format!("--size-report={}", report.display()).into());
        let res = run_linker(&linker_under_test(), &args);
        assert_eq!(res.code, Some(0), "{}", res.describe());
        let bytes = std::fs::read(&out).unwrap();
        let json = read_json(&report);
        check_json(&format!("cpp_features/{variant}"), &bytes, &json);
        let libcxx = format!("{WASI_LIB_DIR}/libc++.a");
        assert!(json["by_archive"].as_array().unwrap().iter().any(|a| a["name"] == libcxx.as_str()));
    }
}

#[test]
fn size_report_text() {
    let scratch = Scratch::new("size-report-txt");
    let report = scratch.join("report.txt");
    let bytes = link_explain(&scratch.join("out.wasm"), &[&format!("--size-report={}", report.display())]);
    let text = std::fs::read_to_string(&report).unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.ends_with(&format!(": {} bytes", bytes.len())), "{text}");
    for heading in ["by section", "by archive", "by object", "by function, data segment or section piece"] {
        assert!(text.lines().any(|l| l == heading), "{heading} missing:\n{text}");
    }
    assert!(text.lines().any(|l| l.trim_start().starts_with("8 ") && l.ends_with("libexplain.a")), "{text}");
}

/// Debian's chromium, installed with apt-get when missing (the test needs
/// a real browser); `None` (skipped) when it can't be.
fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    if !path.exists() {
        let res = run_process_with_timeout(
            Command::new("apt-get")
                .args(["install", "-y", "-qq", "--no-install-recommends", "chromium"])
                .env("DEBIAN_FRONTEND", "noninteractive"),
            std::time::Duration::from_secs(900),
        );
        if res.code != Some(0) {
            skip("size_report_html_in_chromium", &format!("cannot install chromium\n{}", res.describe()));
            return None;
        }
    }
    Some(path)
}

/// Runs headless chromium on `url` with extra arguments; returns stdout.
fn headless(browser: &Path, url: &str, args: &[&str]) -> String {
    let profile = Scratch::new("chromium-profile");
    let mut cmd = Command::new(browser);
    cmd.args(["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,900", "--virtual-time-budget=3000"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url);
    let res = run_process(&mut cmd);
    assert_eq!(res.code, Some(0), "{}", res.describe());
    res.stdout
}

/// The values of attribute `attr` of the elements whose opening tag holds
/// `marker`, from a DOM dump.
fn attributes(dom: &str, marker: &str, attr: &str) -> Vec<String> {
    dom.split('<')
        .filter(|tag| tag.contains(marker))
        .filter_map(|tag| {
            let start = tag.find(&format!(" {attr}=\""))? + attr.len() + 3;
            let end = tag[start..].find('"')? + start;
            Some(tag[start..end].to_string())
        })
        .collect()
}

#[test]
fn size_report_html_in_chromium() {
    let scratch = Scratch::new("size-report-html");
    let html = scratch.join("report.html");
    let json = scratch.join("report.json");
    link_explain(&scratch.join("out.wasm"), &[&format!("--size-report={}", json.display())]);
    let bytes = link_explain(&scratch.join("out.wasm"), &[&format!("--size-report={}", html.display())]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("http://") && !page.contains("https://"), "the page must not use the network");
    let json = read_json(&json);
    let Some(browser) = chromium() else { return };

    // The treemap rendered: its top-level boxes are the archives (and the
    // linker), whose sizes add up to the module; the total shown is the JSON's.
    let url = format!("file://{}#item=via_table", html.display());
    let dom = headless(&browser, &url, &["--dump-dom"]);
    let boxes = attributes(&dom, "class=\"tm-node\"", "data-size");
    assert!(boxes.len() >= 4, "too few treemap boxes:\n{dom}");
    assert_eq!(attributes(&dom, "id=\"total\"", "data-bytes"), [bytes.len().to_string()]);
    // Zoomed (as a click on the item would) to via_table's object: its
    // sections are the top-level boxes and add up to the object's total.
    let depth1: u64 = dom
        .split('<')
        .filter(|t| t.contains("class=\"tm-node\"") && t.contains("data-depth=\"1\""))
        .map(|t| attributes(&format!("<{t}"), "class", "data-size")[0].parse::<u64>().unwrap())
        .sum();
    let explain_o = json["by_object"].as_array().unwrap().iter().find(|o| o["name"] == "explain.o").unwrap();
    assert_eq!(depth1, explain_o["size"].as_u64().unwrap());
    // The detail panel shows the --why-live chain.
    let expected = chain(&json, entry(&json, "CODE", "via_table"));
    for line in &expected {
        assert!(dom.contains(&format!("<li>{line}</li>")), "chain line {line:?} missing from the page:\n{dom}");
    }
    // At the top level the boxes are the archives; they add up to the module.
    let dom = headless(&browser, &format!("file://{}", html.display()), &["--dump-dom"]);
    let top: Vec<(String, u64)> = dom
        .split('<')
        .filter(|t| t.contains("class=\"tm-node\"") && t.contains("data-depth=\"1\""))
        .map(|t| {
            let t = format!("<{t}");
            (attributes(&t, "class", "data-name")[0].clone(), attributes(&t, "class", "data-size")[0].parse().unwrap())
        })
        .collect();
    assert_eq!(top.iter().map(|t| t.1).sum::<u64>(), bytes.len() as u64, "{top:?}");
    for a in json["by_archive"].as_array().unwrap() {
        let name = a["name"].as_str().unwrap().replace('<', "&lt;").replace('>', "&gt;");
        assert!(top.contains(&(name, a["size"].as_u64().unwrap())), "{a} not drawn: {top:?}");
    }

    // A screenshot, kept as an artifact.
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join("size-report-explain.png");
    let _ = std::fs::remove_file(&shot);
    headless(&browser, &format!("file://{}#search=fn", html.display()), &[&format!("--screenshot={}", shot.display())]);
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 2000, "bad screenshot {}", shot.display());
    uncaptured_note(&format!("size report screenshot: {}", shot.display()));
}
