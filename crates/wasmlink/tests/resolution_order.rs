//! Archive semantics and resolution order against wasm-ld-22. Each scenario
//! is a handful of small objects and archives (built in memory by
//! `test-objects`), linked by wasm-ld-22 and by wasmlink with `-t` (each
//! input as it is read) and `--why-extract=-` (each extraction, in the
//! order it finished): both reports must be identical, and so must the two
//! modules, byte for byte (the order of functions and data, which weak
//! definition and which COMDAT copy won, which members were linked).

use crate::common::*;
use test_objects::{ArchiveBuilder, Body, ObjectBuilder, Segment, Sig};

/// A function `name` returning `value`.
fn returns(b: ObjectBuilder, name: &str, value: i32) -> ObjectBuilder {
    b.func(name, Sig::ret_i32(), Body::new().i32_const(value))
}

/// An object whose `_start` calls each of `calls` and drops the result.
fn main_calling(calls: &[&str]) -> ObjectBuilder {
    let mut b = ObjectBuilder::new();
    let mut body = Body::new();
    for c in calls {
        b = b.import_func(c, Sig::ret_i32());
        body = body.call(c).drop();
    }
    b.func("_start", Sig::void(), body)
}

/// An archive of `(member name, object, symbols it defines)`.
fn archive(members: &[(&str, Vec<u8>, &[&str])]) -> Vec<u8> {
    members.iter().fold(ArchiveBuilder::new(), |a, (n, b, d)| a.member(n, b.clone(), d)).build()
}

/// Links `files` (written to a scratch directory) with `args` around them
/// by both linkers; their `-t` and `--why-extract` reports and their
/// modules must be identical.
fn check(test: &str, files: &[(&str, Vec<u8>)], args: &[&str]) {
    let Some(reference) = reference_linker() else { return };
    let scratch = Scratch::new(test);
    for (name, bytes) in files {
        std::fs::write(scratch.join(name), bytes).unwrap();
    }
    let mut outputs = Vec::new();
    for (who, linker) in [("wasm-ld-22", reference), ("wasmlink", linker_under_test())] {
        let dir = scratch.join(who);
        std::fs::create_dir_all(&dir).unwrap();
        let mut cmd = std::process::Command::new(&linker);
        cmd.current_dir(scratch.path()).args(["-t", "--why-extract=-"]).args(args);
        cmd.arg("-o").arg(dir.join("out.wasm"));
        let res = run_process(&mut cmd);
        assert_eq!(res.code, Some(0), "{test}: {who} failed\n{}", res.describe());
        outputs.push((res.stdout, std::fs::read(dir.join("out.wasm")).unwrap()));
    }
    let (theirs, ours) = (&outputs[0], &outputs[1]);
    assert_eq!(ours.0, theirs.0, "{test}: -t / --why-extract reports differ (left wasmlink, right wasm-ld-22)");
    if ours.1 != theirs.1 {
        let diffs =
            linkdiff::diff(&linkdiff::read_module(&theirs.1).unwrap(), &linkdiff::read_module(&ours.1).unwrap());
        let lines: Vec<String> = diffs.iter().map(ToString::to_string).collect();
        panic!("{test}: the modules differ (left wasm-ld-22, right wasmlink):\n{}", lines.join("\n"));
    }
}

/// Members are extracted depth-first, each landing before the object that
/// pulled it in; an archive read before anything references it still
/// serves later references (lld's why-extract.s shape, both orders).
#[test]
fn depth_first_extraction() {
    let a_b =
        ObjectBuilder::new().import_func("b", Sig::ret_i32()).func("a", Sig::ret_i32(), Body::new().call("b")).build();
    let b = returns(ObjectBuilder::new(), "b", 2).build();
    let files = [
        ("main.o", main_calling(&["a"]).build()),
        ("a_b.a", archive(&[("a_b.o", a_b, &["a"])])),
        ("b.a", archive(&[("b.o", b, &["b"])])),
    ];
    check("depth_first", &files, &["main.o", "a_b.a", "b.a"]);
    check("depth_first_archives_first", &files, &["b.a", "a_b.a", "main.o"]);
}

/// A weak reference never extracts; `-u` does.
#[test]
fn weak_references_and_dash_u() {
    let main = ObjectBuilder::new()
        .import_func("maybe", Sig::ret_i32())
        .weak()
        .func("_start", Sig::void(), Body::new().call("maybe").drop())
        .build();
    let lib = archive(&[("maybe.o", returns(ObjectBuilder::new(), "maybe", 3).build(), &["maybe"])]);
    let files = [("main.o", main), ("lib.a", lib)];
    check("weak_reference", &files, &["main.o", "lib.a"]);
    check("weak_reference_u", &files, &["main.o", "lib.a", "-u", "maybe"]);
}

/// A symbol that is already defined, even weakly, is never replaced by an
/// archive member's definition.
#[test]
fn weak_definition_is_not_replaced_by_a_member() {
    let main = ObjectBuilder::new()
        .func("f", Sig::ret_i32(), Body::new().i32_const(1))
        .weak()
        .func("_start", Sig::void(), Body::new().call("f").drop())
        .build();
    let lib = archive(&[("f.o", returns(ObjectBuilder::new(), "f", 2).build(), &["f"])]);
    check("weak_definition", &[("main.o", main), ("lib.a", lib)], &["main.o", "lib.a"]);
}

/// The first weak definition wins, in reading order: a member extracted in
/// the middle of an object is read before the rest of that object.
#[test]
fn first_weak_definition_in_reading_order() {
    // p.o: a weak `x` first, then a reference that extracts q.o (whose
    // weak `x` comes later in reading order).
    let p = ObjectBuilder::new()
        .func("x", Sig::ret_i32(), Body::new().i32_const(1))
        .weak()
        .import_func("q", Sig::ret_i32())
        .func("_start", Sig::void(), Body::new().call("q").drop().call("x").drop())
        .build();
    let q = ObjectBuilder::new()
        .func("x", Sig::ret_i32(), Body::new().i32_const(2))
        .weak()
        .func("q", Sig::ret_i32(), Body::new().call("x"))
        .build();
    // r.o: the reference comes first, so the member's weak `y` is read
    // before r.o's own.
    let r = ObjectBuilder::new()
        .import_func("s", Sig::ret_i32())
        .func("y", Sig::ret_i32(), Body::new().i32_const(3))
        .weak()
        .func("r_start", Sig::void(), Body::new().call("s").drop().call("y").drop())
        .build();
    let s = ObjectBuilder::new()
        .func("y", Sig::ret_i32(), Body::new().i32_const(4))
        .weak()
        .func("s", Sig::ret_i32(), Body::new().call("y"))
        .build();
    let lib = archive(&[("q.o", q, &["x", "q"]), ("s.o", s, &["y", "s"])]);
    let files = [("lib.a", lib), ("p.o", p), ("r.o", r)];
    check("first_weak", &files, &["lib.a", "p.o", "r.o", "--export=r_start"]);
}

/// A COMDAT group belongs to the first object *read*, even when a member it
/// extracts lands before it in the link order.
#[test]
fn comdat_goes_to_the_first_object_read() {
    let main = ObjectBuilder::new()
        .import_func("helper", Sig::ret_i32())
        .func("inline_fn", Sig::ret_i32(), Body::new().i32_const(1))
        .weak()
        .comdat("inline_fn", &["inline_fn"])
        .func("_start", Sig::void(), Body::new().call("helper").drop().call("inline_fn").drop())
        .build();
    let helper = ObjectBuilder::new()
        .func("inline_fn", Sig::ret_i32(), Body::new().i32_const(2))
        .weak()
        .comdat("inline_fn", &["inline_fn"])
        .func("helper", Sig::ret_i32(), Body::new().call("inline_fn"))
        .build();
    let lib = archive(&[("helper.o", helper, &["inline_fn", "helper"])]);
    check("comdat_first_read", &[("lib.a", lib), ("main.o", main)], &["lib.a", "main.o"]);
}

/// `--whole-archive` links every member; `--start-lib` files are lazy like
/// archive members; an unreferenced member's data and constructors stay out.
#[test]
fn whole_archive_and_start_lib() {
    let used = returns(ObjectBuilder::new(), "used", 5).build();
    let unused = ObjectBuilder::new()
        .data("table", Segment::new(".data.table", 7u32.to_le_bytes()).align(2))
        .func("unused", Sig::ret_i32(), Body::new().load_i32("table", 0))
        .build();
    let lib = archive(&[("used.o", used.clone(), &["used"]), ("unused.o", unused.clone(), &["unused"])]);
    let files = [("main.o", main_calling(&["used"]).build()), ("lib.a", lib), ("used.o", used), ("unused.o", unused)];
    check("lazy_members", &files, &["main.o", "lib.a"]);
    check("whole_archive", &files, &["main.o", "--whole-archive", "lib.a", "--no-whole-archive"]);
    check("start_lib", &files, &["main.o", "--start-lib", "unused.o", "used.o", "--end-lib"]);
}

/// Links `files` with `args` by both linkers; both must fail with the same
/// error lines (after the program name).
fn both_fail_alike(test: &str, files: &[(&str, Vec<u8>)], args: &[&str]) {
    let Some(reference) = reference_linker() else { return };
    let scratch = Scratch::new(test);
    for (name, bytes) in files {
        std::fs::write(scratch.join(name), bytes).unwrap();
    }
    let mut stderrs = Vec::new();
    for linker in [reference, linker_under_test()] {
        let mut cmd = std::process::Command::new(&linker);
        cmd.current_dir(scratch.path()).args(args).arg("-o").arg(scratch.join("out.wasm"));
        let res = run_process(&mut cmd);
        assert_eq!(res.code, Some(1), "{test}: {} should fail\n{}", linker.display(), res.describe());
        // wasmlink's explanation lines (tests/diagnostics.rs) and the empty
        // line after them are its own; the rest is wasm-ld's text.
        let is_note = |l: &str| l.starts_with("  --> ") || l.starts_with("  = help: ") || l.starts_with("  = note: ");
        let mut after_note = false;
        let lines: Vec<String> = res
            .stderr
            .lines()
            .filter(|l| {
                let skip = is_note(l) || (after_note && l.is_empty());
                after_note = is_note(l);
                !skip
            })
            .map(|l| l.split_once(": error: ").map_or(l.to_string(), |(_, rest)| format!("error: {rest}")))
            .collect();
        stderrs.push(lines);
    }
    assert_eq!(stderrs[1], stderrs[0], "{test}: wasmlink's errors (left) differ from wasm-ld-22's (right)");
}

/// A global's type must agree between its definition and its references,
/// in either order, and between two definitions (wasm-ld's "Global type
/// mismatch"); two references may differ.
#[test]
fn global_type_mismatch() {
    let def = ObjectBuilder::new()
        .global("g", test_objects::ValType::I32, true, 0)
        .func("_start", Sig::void(), Body::new().global_get("g").drop())
        .build();
    let reference = |ty| {
        ObjectBuilder::new()
            .import_global("g", ty, false)
            .func("use_g", Sig::void(), Body::new().global_get("g").drop())
            .build()
    };
    let other_def = ObjectBuilder::new().global("g", test_objects::ValType::I64, false, 0).build();
    let files = [
        ("def.o", def),
        ("ref64.o", reference(test_objects::ValType::I64)),
        ("ref32.o", reference(test_objects::ValType::I32)),
        ("def64.o", other_def),
    ];
    both_fail_alike("global_type_def_ref", &files, &["def.o", "ref64.o", "--export=use_g"]);
    both_fail_alike("global_type_ref_def", &files, &["ref64.o", "def.o", "--export=use_g"]);
    both_fail_alike("global_type_def_def", &files, &["def.o", "def64.o"]);
}

/// A constructor that takes arguments is an error, as in wasm-ld; wasmlink
/// also names the object listing it.
#[test]
fn constructor_with_arguments_names_its_file() {
    let obj = ObjectBuilder::new()
        .func("init", Sig::new(&[test_objects::ValType::I32], &[]), Body::new())
        .init_func("init", 100)
        .func("_start", Sig::void(), Body::new())
        .build();
    let Some(reference) = reference_linker() else { return };
    let scratch = Scratch::new("ctor_args");
    std::fs::write(scratch.join("ctor.o"), obj).unwrap();
    for linker in [reference, linker_under_test()] {
        let mut cmd = std::process::Command::new(&linker);
        cmd.current_dir(scratch.path()).args(["ctor.o", "-o"]).arg(scratch.join("out.wasm"));
        let res = run_process(&mut cmd);
        assert_eq!(res.code, Some(1), "{}: {}", linker.display(), res.describe());
        assert!(res.stderr.contains("constructor functions cannot take arguments: init"), "{}", res.describe());
    }
    let mut cmd = std::process::Command::new(linker_under_test());
    cmd.current_dir(scratch.path()).args(["ctor.o", "-o"]).arg(scratch.join("out.wasm"));
    let res = run_process(&mut cmd);
    assert!(res.stderr.contains("ctor.o: constructor functions cannot take arguments: init"), "{}", res.describe());
}
