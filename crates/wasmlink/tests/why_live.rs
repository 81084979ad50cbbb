//! `--why-live=SYM` (a wasmlink extension, so there is no wasm-ld output to
//! compare with): the chains printed for every kind of GC root and
//! reference edge on `testdata/explain` (objects built by its `regen.sh`),
//! the removal rules, and the C++ test program with wasi-libc. The option
//! must not change the module; the replayed liveness it uses must agree
//! with the link's own marking, atom by atom.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn explain_dir() -> PathBuf {
    testdata().join("explain")
}

/// Links in `testdata/explain` with wasmlink; returns (stdout, module).
fn link_explain(scratch: &Scratch, args: &[&str]) -> (String, Vec<u8>) {
    let out = scratch.join("out.wasm");
    let mut cmd = Command::new(linker_under_test());
    cmd.current_dir(explain_dir())
        .args(["--no-entry", "explain.o", "explain_asm.o", "libexplain.a"])
        .args(args)
        .arg("-o")
        .arg(&out);
    let res = run_process(&mut cmd);
    assert_eq!(res.code, Some(0), "link failed\n{}", res.describe());
    (res.stdout, std::fs::read(&out).unwrap())
}

/// The lines of the block that starts with `head`.
fn block<'s>(stdout: &'s str, head: &str) -> Vec<&'s str> {
    let mut lines = stdout.lines().skip_while(|l| !l.starts_with(head));
    let first = lines.next().unwrap_or_else(|| panic!("no block starting {head:?} in:\n{stdout}"));
    std::iter::once(first).chain(lines.take_while(|l| l.starts_with("  "))).collect()
}

#[test]
fn why_live_roots_and_edges() {
    let scratch = Scratch::new("why-live-roots");
    let (plain_out, plain) = link_explain(&scratch, &[]);
    assert_eq!(plain_out, "", "no report without --why-live");
    let (out, module) =
        link_explain(&scratch, &["--why-live=via_table", "--why-live=*_blob", "--why-live", "explain_*"]);
    assert_eq!(module, plain, "--why-live must not change the module");

    // data -> function through a table slot, reached from an export.
    assert_eq!(
        block(&out, "why-live: `via_table`"),
        [
            "why-live: `via_table` (function in explain.o) is live",
            "  root: export `go` (export_name / WASM_SYM_EXPORTED): `go` (function in explain.o)",
            "  `go` (explain.o) uses the address of `fn_table` (explain.o)",
            "  `fn_table` (explain.o) holds a table slot of `via_table` (explain.o)",
        ]
    );
    // RETAIN segment of a command-line object (a glob).
    assert_eq!(
        block(&out, "why-live: `retained_blob`"),
        [
            "why-live: `retained_blob` (data in explain.o) is live",
            "  root: explain.o is on the command line (live as a whole), so its RETAIN segment `retained_blob` \
             (explain.o) is kept",
        ]
    );
    // A global and a tag (function -> global, function -> tag).
    assert_eq!(
        block(&out, "why-live: `explain_global`")[1..],
        [
            "  root: export `go` (export_name / WASM_SYM_EXPORTED): `go` (function in explain.o)",
            "  `go` (explain.o) calls `use_global_and_tag` (explain_asm.o)",
            "  `use_global_and_tag` (explain_asm.o) uses global `explain_global` (explain_asm.o)",
        ]
    );
    assert_eq!(
        block(&out, "why-live: `explain_tag`")[3],
        "  `use_global_and_tag` (explain_asm.o) throws or catches `explain_tag` (explain_asm.o)"
    );
}

#[test]
fn why_live_constructor_no_strip_and_removed() {
    let scratch = Scratch::new("why-live-removed");
    let (out, _) = link_explain(
        &scratch,
        &[
            "--why-live=init_explain",
            "--why-live=kept_by_used",
            "--why-live=unused_fn",
            "--why-live=lib_helper",
            "--why-live=never_extracted",
            "--why-live=no_such_symbol",
            "--why-live=__indirect_function_table",
        ],
    );
    let expected = "\
why-live: `init_explain` (function in explain.o) is live
  root: explain.o is on the command line (live as a whole), so its constructor `init_explain` (explain.o) is kept
why-live: `kept_by_used` (function in explain.o) is live
  root: `kept_by_used` is NO_STRIP (__attribute__((used))): `kept_by_used` (function in explain.o)
why-live: `unused_fn` (function in explain.o) was removed by --gc-sections: no GC root reaches it
why-live: `lib_helper` (function in libexplain.a(helper.o)) is live
  root: export `go` (export_name / WASM_SYM_EXPORTED): `go` (function in explain.o)
  `go` (explain.o) calls `lib_helper` (libexplain.a(helper.o))
why-live: `never_extracted` is defined in libexplain.a(never.o), which was not extracted from its archive: \
nothing needed a symbol it defines
why-live: `no_such_symbol`: no symbol of the link matches
why-live: `__indirect_function_table` is defined by the linker
";
    assert_eq!(out, expected);

    // -u extracts the member, but is no GC root.
    let (out, _) = link_explain(&scratch, &["-u", "never_extracted", "--why-live=never_extracted"]);
    assert_eq!(
        out,
        "why-live: `never_extracted` (function in libexplain.a(never.o)) was removed by --gc-sections: no GC root \
         reaches it (-u only extracts archive members; --export keeps a symbol)\n"
    );
    // --export makes it a root.
    let (out, _) = link_explain(&scratch, &["--export=never_extracted", "--why-live=never_extracted"]);
    assert!(
        out.contains(
            "  root: export `never_extracted` (--export): `never_extracted` (function in libexplain.a(never.o))"
        ),
        "{out}"
    );
    // --no-gc-sections keeps everything.
    let (out, _) = link_explain(&scratch, &["--no-gc-sections", "--why-live=unused_fn"]);
    assert_eq!(
        out,
        "why-live: `unused_fn` (function in explain.o) is live\n  root: --no-gc-sections (everything is kept): \
         `unused_fn` (function in explain.o)\n"
    );
}

/// The C++ test program with libc++ and wasi-libc: the entry root, a
/// virtual function kept through a vtable's table slot, demangled names
/// matched by a glob.
#[test]
fn why_live_cpp_program() {
    if !wasi_toolchain_ready("why_live_cpp_program") {
        return;
    }
    let case = Case::load("cpp_features");
    let scratch = Scratch::new("why-live-cpp");
    let mut args = case.link_args("O2", &scratch.join("out.wasm"));
    args.push("--why-live=*Circle::area*".into());
    args.push("--why-live=__main_void".into());
    let res = run_linker(&linker_under_test(), &args);
    assert_eq!(res.code, Some(0), "{}", res.describe());
    let out = res.stdout;
    let main = block(&out, "why-live: `__main_void`");
    assert!(main[1].starts_with("  root: entry point `_start`: `_start` (function in "), "{out}");
    let main_o = case.dir.join("O2/main.o").display().to_string();
    // `__main_void` is an alias of `__original_main`: the function is named
    // by its first symbol, as in the map file.
    assert!(main.last().unwrap().ends_with(&format!("calls `__original_main` ({main_o})")), "{out}");
    let area = block(&out, "why-live: `(anonymous namespace)::Circle::area() const`");
    assert!(area[1].starts_with("  root: entry point `_start`"), "{out}");
    let shapes = case.dir.join("O2/shapes.o").display().to_string();
    let expected = format!("holds a table slot of `(anonymous namespace)::Circle::area() const` ({shapes})");
    assert!(area.last().unwrap().ends_with(&expected), "{out}");
}

/// The replay behind `--why-live` reaches exactly what the link kept.
#[test]
fn live_graph_agrees_with_marking() {
    let mut links: Vec<Vec<String>> = Vec::new();
    let explain = |extra: &[&str]| {
        let mut v: Vec<String> = ["--no-entry", "explain.o", "explain_asm.o", "libexplain.a"]
            .iter()
            .map(|s| explain_dir().join(s).display().to_string())
            .collect();
        v[0] = "--no-entry".into();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    links.push(explain(&[]));
    links.push(explain(&["--no-gc-sections"]));
    links.push(explain(&["--export-all"]));
    if wasi_toolchain_ready("live_graph_agrees_with_marking") {
        let case = Case::load("cpp_features");
        for variant in VARIANTS {
            let args = case.link_args(variant, Path::new("unused.wasm"));
            links.push(args.iter().map(|a| a.to_string_lossy().into_owned()).collect());
        }
    }
    for mut args in links {
        args.push("-o".into());
        args.push("unused.wasm".into());
        args.push("--why-live=*".into());
        let config = wasmlink::args::parse(args.clone()).unwrap();
        let inputs = wasmlink::load_inputs(&config).unwrap();
        let mut observer = Recorder { config: &config, explain: Default::default() };
        let linked = wasmlink::link_observed(&config, &inputs, &mut observer).unwrap();
        let graph = observer.explain.graph(&linked, &config);
        let differ = graph.disagreements(&linked.resolution);
        assert!(differ.is_empty(), "{args:?}: liveness differs for {differ:?}");
        // Every live function has a chain that starts at a root.
        for (n, atom) in graph.atoms().iter().enumerate() {
            let node = wasmlink::live_graph::NodeId(n as u32);
            if graph.cause(node).is_some() {
                let chain = graph.chain(node);
                assert!(!chain.is_empty(), "{atom:?}: no chain");
                assert_eq!(chain.last().unwrap().node, node);
            }
        }
        assert!(!observer.explain.report(&linked, &config).is_empty());
    }
}

struct Recorder<'c> {
    config: &'c wasmlink::Config,
    explain: wasmlink::why_live::Explain,
}

impl<'a> wasmlink::Observer<'a> for Recorder<'_> {
    fn stage_done(&mut self, output: wasmlink::StageOutput<'_, 'a>, _: std::time::Duration) {
        self.explain.observe(&output, self.config);
    }
}
