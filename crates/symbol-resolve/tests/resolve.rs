//! The resolve stage on small objects from `test-objects`: which definition
//! wins, which errors name which files, what becomes an import, which
//! archive members are extracted, COMDAT groups, liveness and the entry.

use object_parse::DefinedFuncIdx;
use symbol_resolve::{FuncRef, ObjectId, OutputImportKind, Resolution, ResolveOptions, Target, UnresolvedPolicy};
use test_objects::{inputs, ArchiveBuilder, Body, ObjectBuilder, Segment, Sig};

/// The options of these tests: wasm-ld's defaults (gc on, nothing allowed
/// undefined) without an entry.
fn opts() -> ResolveOptions {
    ResolveOptions { entry: None, ..Default::default() }
}

/// [`opts`] with entry `_start`, the root that makes `main.o`'s calls live.
fn entry_start() -> ResolveOptions {
    ResolveOptions { entry: Some("_start".into()), ..opts() }
}

/// Parses and resolves `files`, then runs `check` on the resolution.
fn resolve<R>(files: &[(&str, Vec<u8>)], opts: &ResolveOptions, check: impl FnOnce(&Resolution<'_>) -> R) -> R {
    let loaded = inputs(files);
    let set = object_parse::run(&loaded).unwrap_or_else(|e| panic!("parse: {e}"));
    let res = symbol_resolve::run(set, opts).unwrap_or_else(|e| panic!("resolve: {e}"));
    check(&res)
}

/// The error message of resolving `files`.
fn resolve_err(files: &[(&str, Vec<u8>)], opts: &ResolveOptions) -> String {
    let loaded = inputs(files);
    let set = object_parse::run(&loaded).unwrap_or_else(|e| panic!("parse: {e}"));
    match symbol_resolve::run(set, opts) {
        Ok(_) => panic!("resolution succeeded"),
        Err(e) => e.to_string(),
    }
}

/// Names of the linked objects in link order.
fn object_names(res: &Resolution<'_>) -> Vec<String> {
    res.objects.iter().map(|o| o.name.clone()).collect()
}

/// What symbol `name` of object `obj` resolved to.
fn target_of(res: &Resolution<'_>, obj: usize, name: &str) -> Target {
    let o = &res.objects[obj];
    let i = o.linking.symbols.iter().position(|s| s.name == name).unwrap_or_else(|| panic!("no {name} in {}", o.name));
    res.targets[obj][i].clone()
}

/// Defined function `index` of object `obj`.
fn defined(obj: u32, index: u32) -> Target {
    Target::Function(FuncRef::Defined { obj: ObjectId(obj), index: DefinedFuncIdx(index) })
}

/// `main.o`: `_start` calls `f` (undefined here).
fn caller(callee: &str) -> Vec<u8> {
    ObjectBuilder::new().import_func(callee, Sig::void()).func("_start", Sig::void(), Body::new().call(callee)).build()
}

/// An object defining `name` (weak if asked).
fn definer(name: &str, weak: bool) -> Vec<u8> {
    let b = ObjectBuilder::new().func(name, Sig::void(), Body::new());
    if weak { b.weak() } else { b }.build()
}

/// A strong definition replaces an earlier weak one, whatever the order.
#[test]
fn strong_beats_weak() {
    let files = [("main.o", caller("f")), ("weak.o", definer("f", true)), ("strong.o", definer("f", false))];
    resolve(&files, &opts(), |res| assert_eq!(target_of(res, 0, "f"), defined(2, 0)));
}

/// Among weak definitions only, the first in link order wins.
#[test]
fn first_weak_wins() {
    let files = [("main.o", caller("f")), ("w1.o", definer("f", true)), ("w2.o", definer("f", true))];
    resolve(&files, &opts(), |res| {
        assert_eq!(target_of(res, 0, "f"), defined(1, 0));
        assert_eq!(target_of(res, 2, "f"), defined(1, 0), "w2.o's own references go to w1.o's f too");
    });
}

/// Two strong definitions: the error names the symbol and both files.
#[test]
fn duplicate_strong_names_both_files() {
    let files = [("main.o", caller("f")), ("one.o", definer("f", false)), ("two.o", definer("f", false))];
    let err = resolve_err(&files, &opts());
    assert!(err.contains("duplicate symbol: f"), "{err}");
    assert!(err.contains("one.o") && err.contains("two.o"), "{err}");
}

/// `--allow-multiple-definition`: the first strong definition wins.
#[test]
fn allow_multiple_definition_keeps_the_first() {
    let files = [("main.o", caller("f")), ("one.o", definer("f", false)), ("two.o", definer("f", false))];
    let o = ResolveOptions { allow_multiple_definition: true, ..opts() };
    resolve(&files, &o, |res| assert_eq!(target_of(res, 0, "f"), defined(1, 0)));
}

/// A call to a symbol nobody defines fails, naming the symbol and the file
/// that references it.
#[test]
fn undefined_names_the_referencing_file() {
    let files = [("lib.o", definer("other", false)), ("main.o", caller("missing_fn"))];
    let err = resolve_err(&files, &entry_start());
    assert!(err.contains("undefined symbol: missing_fn"), "{err}");
    assert!(err.contains("main.o"), "{err}");
    assert!(!err.contains("lib.o"), "only the referencing file is named: {err}");
}

/// With `--allow-undefined` the undefined function becomes an `env` import
/// with the caller's signature, and the reference resolves to it.
#[test]
fn allow_undefined_imports_from_env() {
    let files = [("main.o", caller("host_fn"))];
    let o = ResolveOptions { import_undefined: true, unresolved: UnresolvedPolicy::IgnoreAll, ..entry_start() };
    resolve(&files, &o, |res| {
        assert_eq!(res.imports.len(), 1);
        let imp = &res.imports[0];
        assert_eq!((imp.module.as_str(), imp.field.as_str()), ("env", "host_fn"));
        assert!(matches!(&imp.kind, OutputImportKind::Function(s) if s.params.is_empty() && s.results.is_empty()));
        assert!(matches!(target_of(res, 0, "host_fn"), Target::Function(FuncRef::Import(_))));
    });
}

/// A function imported from a named module (`import_module`) is an import
/// without `--allow-undefined`.
#[test]
fn explicit_imports_need_no_flag() {
    let main = ObjectBuilder::new()
        .import_func_from("my_write", "wasi_snapshot_preview1", "fd_write", Sig::void())
        .func("_start", Sig::void(), Body::new().call("my_write"))
        .build();
    resolve(&[("main.o", main)], &entry_start(), |res| {
        let got: Vec<(&str, &str, &str)> =
            res.imports.iter().map(|i| (i.module.as_str(), i.field.as_str(), i.symbol.as_str())).collect();
        assert_eq!(got, [("wasi_snapshot_preview1", "fd_write", "my_write")]);
    });
}

/// An archive member is extracted only when something references one of
/// its symbols: `used.o` comes in (after the objects named before it),
/// `unused.o` does not.
#[test]
fn archive_members_extracted_only_when_referenced() {
    let lib = ArchiveBuilder::new()
        .member("unused.o", definer("unused_fn", false), &["unused_fn"])
        .member("used.o", definer("f", false), &["f"])
        .build();
    let files = [("main.o", caller("f")), ("lib.a", lib.clone())];
    resolve(&files, &opts(), |res| {
        assert_eq!(object_names(res), ["main.o", "lib.a(used.o)"]);
        assert_eq!(target_of(res, 0, "f"), defined(1, 0));
    });
    let files = [("main.o", definer("_start", false)), ("lib.a", lib)];
    resolve(&files, &opts(), |res| assert_eq!(object_names(res), ["main.o"]));
}

/// An archive without a symbol index is searched through the members'
/// symbol tables, with the same result.
#[test]
fn archive_without_index_extracts_by_symbol_table() {
    let lib = ArchiveBuilder::new()
        .member("unused.o", definer("unused_fn", false), &[])
        .member("used.o", definer("f", false), &[])
        .without_index()
        .build();
    resolve(&[("main.o", caller("f")), ("lib.a", lib)], &opts(), |res| {
        assert_eq!(object_names(res), ["main.o", "lib.a(used.o)"]);
    });
}

/// `-u NAME` extracts the member defining NAME although nothing
/// references it.
#[test]
fn forced_undefined_extracts_member() {
    let lib = ArchiveBuilder::new().member("extra.o", definer("extra", false), &["extra"]).build();
    let files = [("main.o", definer("_start", false)), ("lib.a", lib)];
    let o = ResolveOptions { undefined: vec!["extra".into()], ..opts() };
    resolve(&files, &o, |res| assert_eq!(object_names(res), ["main.o", "lib.a(extra.o)"]));
    resolve(&files, &opts(), |res| assert_eq!(object_names(res), ["main.o"]));
}

/// Two objects define the same strong function and data in one COMDAT
/// group: no duplicate error, the first object's copies win and the
/// second's are dropped (dead).
#[test]
fn comdat_first_wins() {
    let inl = |value: u8| {
        ObjectBuilder::new()
            .func("inl", Sig::void(), Body::new())
            .data("tmpl", Segment::new(".data.tmpl", [value; 4]).align(2))
            .comdat("inl", &["inl", "tmpl"])
            .build()
    };
    let main = ObjectBuilder::new()
        .import_func("inl", Sig::void())
        .undefined_data("tmpl")
        .func("_start", Sig::ret_i32(), Body::new().call("inl").load_i32("tmpl", 0))
        .build();
    let o = entry_start();
    resolve(&[("main.o", main), ("a.o", inl(1)), ("b.o", inl(2))], &o, |res| {
        assert_eq!(target_of(res, 0, "inl"), defined(1, 0));
        assert_eq!(target_of(res, 2, "inl"), defined(1, 0), "b.o's copy is replaced by a.o's");
        assert_eq!(res.live.functions[1], [true]);
        assert_eq!(res.live.functions[2], [false]);
        assert_eq!(res.live.segments[1], [true]);
        assert_eq!(res.live.segments[2], [false]);
    });
}

/// With gc, a function nothing reaches is dead, while the entry, what it
/// calls, a `NO_STRIP` function and an exported one stay live; without gc
/// everything is live.
#[test]
fn gc_keeps_roots_and_what_they_reach() {
    let main = ObjectBuilder::new()
        .func("helper", Sig::void(), Body::new())
        .func("_start", Sig::void(), Body::new().call("helper"))
        .func("dead", Sig::void(), Body::new())
        .func("kept", Sig::void(), Body::new())
        .no_strip()
        .func("api", Sig::void(), Body::new())
        .export_name("api")
        .data("unused_var", Segment::new(".data.unused_var", [0u8; 4]))
        .build();
    let o = entry_start();
    resolve(&[("main.o", main.clone())], &o, |res| {
        assert_eq!(res.live.functions[0], [true, true, false, true, true]);
        assert_eq!(res.live.segments[0], [false]);
        assert_eq!(res.entry, Some(FuncRef::Defined { obj: ObjectId(0), index: DefinedFuncIdx(1) }));
        let exports: Vec<&str> = res.exports.iter().map(|e| e.name.as_str()).collect();
        assert!(exports.contains(&"api"), "{exports:?}");
    });
    let o = ResolveOptions { gc_sections: false, ..entry_start() };
    resolve(&[("main.o", main)], &o, |res| {
        assert_eq!(res.live.functions[0], [true; 5]);
        assert_eq!(res.live.segments[0], [true]);
    });
}

/// A missing entry symbol is an error naming it; `--export=NAME` of a
/// missing symbol too.
#[test]
fn missing_entry_and_export_are_errors() {
    let files = [("main.o", definer("main", false))];
    let err = resolve_err(&files, &entry_start());
    assert!(err.contains("entry symbol not defined") && err.contains("_start"), "{err}");
    let err = resolve_err(&files, &ResolveOptions { exports: vec!["nope".into()], ..opts() });
    assert!(err.contains("nope"), "{err}");
}

/// A weak undefined function that is called resolves to an
/// `undefined_weak` trap stub with the caller's signature, without error.
#[test]
fn called_weak_undefined_gets_a_stub() {
    let main = ObjectBuilder::new()
        .import_func("maybe", Sig::void())
        .weak()
        .func("_start", Sig::void(), Body::new().call("maybe"))
        .build();
    let o = entry_start();
    resolve(&[("main.o", main)], &o, |res| {
        assert_eq!(res.stubs.len(), 1);
        assert_eq!(res.stubs[0].name, "maybe");
        assert!(matches!(target_of(res, 0, "maybe"), Target::Function(FuncRef::Synthetic(_))));
        assert!(res.imports.is_empty());
    });
}

/// Init functions of linked objects are collected sorted by priority
/// (stable within a priority) and make `__wasm_call_ctors` written.
#[test]
fn init_functions_sorted_by_priority() {
    let a = ObjectBuilder::new()
        .func("late", Sig::void(), Body::new())
        .func("early", Sig::void(), Body::new())
        .init_func("late", 300)
        .init_func("early", 100)
        .build();
    let b = ObjectBuilder::new().func("middle", Sig::void(), Body::new()).init_func("middle", 200).build();
    let files = [("a.o", a), ("b.o", b), ("main.o", definer("_start", false))];
    let o = entry_start();
    resolve(&files, &o, |res| {
        let got: Vec<(u32, FuncRef)> = res.init_funcs.iter().map(|e| (e.priority, e.func)).collect();
        assert_eq!(
            got,
            [
                (100, FuncRef::Defined { obj: ObjectId(0), index: DefinedFuncIdx(1) }),
                (200, FuncRef::Defined { obj: ObjectId(1), index: DefinedFuncIdx(0) }),
                (300, FuncRef::Defined { obj: ObjectId(0), index: DefinedFuncIdx(0) }),
            ]
        );
        assert!(res.call_ctors_live);
    });
}

/// Under gc, an undefined symbol referenced only from dead code is no
/// error (nothing reaches the call); without gc the same link fails.
#[test]
fn undefined_in_dead_code_is_no_error_under_gc() {
    let main = ObjectBuilder::new()
        .import_func("missing_fn", Sig::void())
        .func("_start", Sig::void(), Body::new())
        .func("unused", Sig::void(), Body::new().call("missing_fn"))
        .build();
    resolve(&[("main.o", main.clone())], &entry_start(), |res| assert_eq!(res.live.functions[0], [true, false]));
    let err = resolve_err(&[("main.o", main)], &ResolveOptions { gc_sections: false, ..entry_start() });
    assert!(err.contains("missing_fn") && err.contains("main.o"), "{err}");
}
