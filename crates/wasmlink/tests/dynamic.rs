//! Dynamic linking, run: a side module (`-shared`) and a main module
//! (`-pie`, linked against the side module's `.so`) built from
//! `testdata/dynamic/{lib,main}.o` (clang-19 `-fPIC`), by wasmlink and by
//! wasm-ld-22, loaded by a small dynamic loader written here on wasmtime:
//!
//! * one memory, one growable table and the stack pointer, shared;
//! * each module gets `__memory_base`/`__table_base` from its `dylink.0`
//!   sizes and alignment;
//! * `GOT.mem.X` / `GOT.func.X` imports are globals the loader fills with X's
//!   address (an exported global plus its module's base) or a fresh table
//!   slot for function X, the main module's definitions first;
//! * function imports are bound late (the modules call each other), the
//!   main module's definitions first (so its strong `overridable` wins over
//!   the side module's weak one);
//! * then, side module first, `__wasm_apply_data_relocs` and
//!   `__wasm_call_ctors`, then the main module's `run`.
//!
//! The modules must be byte-identical to wasm-ld-22's and print the fixed
//! values worked out from the sources. The other tests check the options
//! of dynamic linking against wasm-ld-22.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::common::*;
use wasmtime::{
    Caller, Engine, Extern, ExternType, Func, Global, GlobalType, Instance, Memory, MemoryType, Module, Mutability,
    Ref, RefType, Store, Table, TableType, Val, ValType,
};

/// What `run` prints: `lib_ready()`, `lib_value`, `*lib_ptr`,
/// `main_fp(3)` (= square(3) + 3 + main_twice(3) + main_counter (6) +
/// main's `overridable()` (100) + 's' + 40), `*main_ptr`, `main_counter`.
const EXPECTED: [i32; 6] = [1, 40, 3, 9 + 3 + 6 + 6 + 100 + 115 + 40, 8, 6];

fn dir() -> PathBuf {
    testdata().join("dynamic")
}

/// Links the side module and the main module with `linker` into `out`
/// (same file names for every linker: they are in the name section).
fn link_pair(linker: &Path, out: &Path) -> (Vec<u8>, Vec<u8>) {
    std::fs::create_dir_all(out).unwrap();
    let lib = out.join("lib.so");
    let res = run_linker(
        linker,
        [
            "-shared".as_ref(),
            "--experimental-pic".as_ref(),
            "--unresolved-symbols=import-dynamic".as_ref(),
            dir().join("lib.o").as_os_str(),
            "-o".as_ref(),
            lib.as_os_str(),
        ],
    );
    assert_eq!(res.code, Some(0), "linking lib.so: {}", res.describe());
    let main = out.join("main.wasm");
    let res = run_linker(
        linker,
        [
            "-pie".as_ref(),
            "--experimental-pic".as_ref(),
            "--no-entry".as_ref(),
            "--export-dynamic".as_ref(),
            "--import-memory".as_ref(),
            dir().join("main.o").as_os_str(),
            lib.as_os_str(),
            "-o".as_ref(),
            main.as_os_str(),
        ],
    );
    assert_eq!(res.code, Some(0), "linking main.wasm: {}", res.describe());
    (std::fs::read(&lib).unwrap(), std::fs::read(&main).unwrap())
}

/// `dylink.0`'s memory info: (memory size, memory alignment log2, table size).
fn mem_info(bytes: &[u8]) -> (u32, u32, u32) {
    fn leb(b: &[u8], at: &mut usize) -> u32 {
        let (mut v, mut shift) = (0u32, 0);
        loop {
            let byte = b[*at];
            *at += 1;
            v |= u32::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return v;
            }
            shift += 7;
        }
    }
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let Ok(wasmparser::Payload::CustomSection(c)) = payload {
            if c.name() == "dylink.0" {
                let data = c.data();
                let mut at = 0;
                while at < data.len() {
                    let id = data[at];
                    at += 1;
                    let len = leb(data, &mut at) as usize;
                    if id == 1 {
                        let mut p = at;
                        let size = leb(data, &mut p);
                        let align = leb(data, &mut p);
                        let table = leb(data, &mut p);
                        return (size, align, table);
                    }
                    at += len;
                }
            }
        }
    }
    panic!("no dylink.0 memory info")
}

/// Loads the side module, then the main module, links them as described
/// in the module docs and runs `run`; what it printed.
fn load_and_run(lib: &[u8], main: &[u8]) -> Result<Vec<i32>, String> {
    let e = |e: wasmtime::Error| format!("{e:#}");
    let engine = Engine::default();
    let mut store = Store::new(&engine, Vec::<i32>::new());
    let memory = Memory::new(&mut store, MemoryType::new(4, None)).map_err(e)?;
    let table = Table::new(&mut store, TableType::new(RefType::FUNCREF, 1, None), Ref::Func(None)).map_err(e)?;
    let stack_pointer =
        Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Var), Val::I32(65536)).map_err(e)?;
    let mut got: HashMap<(String, String), Global> = HashMap::new();
    let late: Arc<Mutex<HashMap<String, Func>>> = Arc::default();
    let mut next_address = 65536u32;
    let mut loaded: Vec<(Instance, u32)> = Vec::new();
    for bytes in [lib, main] {
        let (mem_size, mem_align, table_size) = mem_info(bytes);
        let memory_base = next_address.next_multiple_of(1 << mem_align);
        next_address = memory_base + mem_size;
        let table_base = table.size(&store) as u32;
        table.grow(&mut store, u64::from(table_size), Ref::Func(None)).map_err(e)?;
        let module = Module::new(&engine, bytes).map_err(e)?;
        let mut externs: Vec<Extern> = Vec::new();
        for imp in module.imports() {
            let constant = |store: &mut Store<Vec<i32>>, v: u32| {
                Global::new(store, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(v as i32))
            };
            let ext: Extern = match (imp.module(), imp.name(), imp.ty()) {
                ("env", "memory", _) => memory.into(),
                ("env", "__indirect_function_table", _) => table.into(),
                ("env", "__stack_pointer", _) => stack_pointer.into(),
                ("env", "__memory_base", _) => constant(&mut store, memory_base).map_err(e)?.into(),
                ("env", "__table_base", _) => constant(&mut store, table_base).map_err(e)?.into(),
                ("env", "host_print", _) => {
                    Func::wrap(&mut store, |mut c: Caller<'_, Vec<i32>>, v: i32| c.data_mut().push(v)).into()
                }
                (m @ ("GOT.mem" | "GOT.func"), name, _) => {
                    let key = (m.to_string(), name.to_string());
                    let g = match got.get(&key) {
                        Some(g) => *g,
                        None => {
                            let ty = GlobalType::new(ValType::I32, Mutability::Var);
                            let g = Global::new(&mut store, ty, Val::I32(0)).map_err(e)?;
                            got.insert(key, g);
                            g
                        }
                    };
                    g.into()
                }
                ("env", name, ExternType::Func(ty)) => {
                    let (late, name) = (late.clone(), name.to_string());
                    Func::new(&mut store, ty, move |mut caller, params, results| {
                        let f = *late
                            .lock()
                            .unwrap()
                            .get(&name)
                            .ok_or_else(|| wasmtime::format_err!("unresolved {name}"))?;
                        f.call(&mut caller, params, results)
                    })
                    .into()
                }
                (m, n, _) => return Err(format!("unexpected import {m}.{n}")),
            };
            externs.push(ext);
        }
        let instance = Instance::new(&mut store, &module, &externs).map_err(e)?;
        loaded.push((instance, memory_base));
    }
    // Symbols: the main module's definitions first.
    for (instance, _) in loaded.iter().rev() {
        let exports: Vec<(String, Extern)> =
            instance.exports(&mut store).map(|x| (x.name().to_string(), x.into_extern())).collect();
        for (name, ext) in exports {
            if let Extern::Func(f) = ext {
                late.lock().unwrap().entry(name).or_insert(f);
            }
        }
    }
    for ((kind, name), global) in &got {
        let value = match kind.as_str() {
            "GOT.mem" => loaded.iter().rev().find_map(|(instance, base)| {
                let g = instance.get_global(&mut store, name)?;
                Some(g.get(&mut store).i32()? as u32 + base)
            }),
            _ => match late.lock().unwrap().get(name).copied() {
                Some(f) => {
                    let slot = table.grow(&mut store, 1, Ref::Func(Some(f))).map_err(e)?;
                    Some(slot as u32)
                }
                None => None,
            },
        };
        let value = value.ok_or_else(|| format!("{kind}.{name} is not defined by any module"))?;
        global.set(&mut store, Val::I32(value as i32)).map_err(e)?;
    }
    for (instance, _) in &loaded {
        for init in ["__wasm_apply_data_relocs", "__wasm_call_ctors"] {
            if let Some(f) = instance.get_func(&mut store, init) {
                f.call(&mut store, &[], &mut []).map_err(e)?;
            }
        }
    }
    let run = loaded[1].0.get_typed_func::<(), ()>(&mut store, "run").map_err(e)?;
    run.call(&mut store, ()).map_err(e)?;
    Ok(store.into_data())
}

#[test]
fn pie_with_side_module_runs_like_wasm_ld() {
    let Some(reference) = reference_linker() else {
        return skip("pie_with_side_module_runs_like_wasm_ld", "wasm-ld-22 missing");
    };
    let scratch = Scratch::new("dynamic");
    let (ref_lib, ref_main) = link_pair(&reference, &scratch.join("wasm-ld"));
    let (lib, main) = link_pair(&linker_under_test(), &scratch.join("wasmlink"));
    for bytes in [&lib, &main] {
        validate(bytes).unwrap_or_else(|err| panic!("invalid module: {err}"));
    }
    assert_eq!(load_and_run(&ref_lib, &ref_main).as_deref(), Ok(&EXPECTED[..]), "wasm-ld-22's modules");
    assert_eq!(load_and_run(&lib, &main).as_deref(), Ok(&EXPECTED[..]), "wasmlink's modules");
    assert!(lib == ref_lib, "lib.so differs from wasm-ld-22's");
    assert!(main == ref_main, "main.wasm differs from wasm-ld-22's");
}

/// One linker's run: exit code, stderr (the linker's name as `LD`), output.
type Outcome = (Option<i32>, String, Option<Vec<u8>>);

/// Runs both linkers with `args` (`OUT` stands for the output, in a
/// directory of each linker's own, with the same file name): wasm-ld-22's
/// outcome, then wasmlink's.
fn both(test: &str, args: &[&str]) -> Option<[Outcome; 2]> {
    let Some(reference) = reference_linker() else {
        skip(test, "wasm-ld-22 missing");
        return None;
    };
    let scratch = Scratch::new(test);
    let run = |linker: &Path, sub: &str| {
        let out = scratch.join(sub).join("out.wasm");
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        let args: Vec<std::ffi::OsString> = args
            .iter()
            .map(|a| match *a {
                "OUT" => out.clone().into_os_string(),
                a if a.ends_with(".o") => dir().join(a).into_os_string(),
                a => a.into(),
            })
            .collect();
        let res = std::process::Command::new(linker).current_dir(scratch.path()).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&res.stderr).replace("wasm-ld-22:", "LD:").replace("wasmlink:", "LD:");
        (res.status.code(), stderr, std::fs::read(&out).ok())
    };
    Some([run(&reference, "wasm-ld"), run(&linker_under_test(), "wasmlink")])
}

/// The imports of a module, as `module.field`.
fn imports(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let Ok(wasmparser::Payload::ImportSection(r)) = payload {
            for i in r.into_imports() {
                let i = i.unwrap();
                out.push(format!("{}.{}", i.module, i.name));
            }
        }
    }
    out
}

#[test]
fn bsymbolic_binds_a_side_module_to_its_own_definitions() {
    let base = ["-shared", "--experimental-pic", "--unresolved-symbols=import-dynamic", "lib.o", "-o", "OUT"];
    let Some([(_, _, Some(ref_plain)), (_, _, Some(plain))]) = both("bsymbolic", &base) else { return };
    let symbolic: Vec<&str> = base.iter().copied().chain(["-Bsymbolic"]).collect();
    let Some([(_, _, Some(ref_symbolic)), (_, _, Some(symbolic))]) = both("bsymbolic", &symbolic) else { return };
    assert!(plain == ref_plain && symbolic == ref_symbolic, "outputs differ from wasm-ld-22's");
    // Its own data through the GOT without the option, directly with it.
    assert!(imports(&plain).contains(&"GOT.mem.lib_value".to_string()), "{:?}", imports(&plain));
    assert!(!imports(&symbolic).iter().any(|i| i.contains("lib_value")), "{:?}", imports(&symbolic));
    // Only the main module's symbols stay dynamic.
    assert!(imports(&symbolic).contains(&"GOT.mem.main_counter".to_string()));
}

#[test]
fn rpath_is_recorded_in_dylink() {
    let args = ["-shared", "--experimental-pic", "--unresolved-symbols=import-dynamic", "lib.o", "-rpath", "/opt/a"];
    let args: Vec<&str> = args.iter().copied().chain(["-rpath", "/opt/bb", "-o", "OUT"]).collect();
    let Some([(_, _, Some(reference)), (_, _, Some(ours))]) = both("rpath", &args) else { return };
    assert!(ours == reference, "output differs from wasm-ld-22's");
    let find = |needle: &[u8]| ours.windows(needle.len()).any(|w| w == needle);
    // Runtime path subsection: id 5, two paths.
    assert!(find(b"\x05\x10\x02\x06/opt/a\x07/opt/bb"), "no runtime path in dylink.0");
}

#[test]
fn without_import_dynamic_undefined_symbols_are_errors() {
    let args = ["-shared", "--experimental-pic", "lib.o", "-o", "OUT"];
    let Some([(ref_code, ref_err, _), (code, err, out)]) = both("undefined-shared", &args) else { return };
    assert_eq!((code, ref_code), (Some(1), Some(1)));
    assert!(out.is_none(), "no output on failure");
    for name in ["main_counter", "main_twice"] {
        let line = format!("lib.o: undefined symbol: {name}");
        assert!(ref_err.contains(&line) && err.contains(&line), "{line}:\n{err}");
    }
}

#[test]
fn experimental_pic_silences_the_stability_warning() {
    let args = ["-shared", "--unresolved-symbols=ignore-all", "lib.o", "-o", "OUT"];
    let Some([(_, ref_err, _), (code, err, _)]) = both("pic-warning", &args) else { return };
    assert_eq!(code, Some(0), "{err}");
    let warning = "LD: warning: creating shared libraries, with -shared, is not yet stable";
    assert!(ref_err.contains(warning) && err.contains(warning), "{err}");
    let args = ["-pie", "--experimental-pic", "--no-entry", "main.o", "--allow-undefined", "-o", "OUT"];
    let Some([(_, ref_err, _), (code, err, _)]) = both("pic-warning", &args) else { return };
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("warning") && !ref_err.contains("warning"), "{err}");
}

#[test]
fn shared_libraries_need_dynamic_linking() {
    let scratch = Scratch::new("static-shared");
    let (lib, _) = link_pair(&linker_under_test(), scratch.path());
    let libdir = scratch.join("libs");
    std::fs::create_dir_all(&libdir).unwrap();
    std::fs::write(libdir.join("libside.so"), lib).unwrap();
    let l = format!("-L{}", libdir.display());
    let pie = ["-pie", "--experimental-pic", "--no-entry", "--export-dynamic", "main.o", l.as_str()];
    // -l finds libside.so when linking dynamically (the -pie default, or
    // -Bdynamic), and nothing with -Bstatic; a shared library given
    // directly in a static link is an error.
    let dynamic: Vec<&str> = pie.iter().copied().chain(["-lside", "-o", "OUT"]).collect();
    let Some([(ref_code, _, Some(reference)), (code, err, Some(ours))]) = both("libsearch", &dynamic) else { return };
    assert_eq!((code, ref_code), (Some(0), Some(0)), "{err}");
    assert!(ours == reference, "output differs from wasm-ld-22's");
    assert!(ours.windows(10).any(|w| w == b"libside.so"), "libside.so is not needed in dylink.0");
    let bstatic: Vec<&str> = pie.iter().copied().chain(["-Bstatic", "-lside", "-o", "OUT"]).collect();
    let Some([(ref_code, ref_err, _), (code, err, _)]) = both("libsearch", &bstatic) else { return };
    assert_eq!((code, ref_code), (Some(1), Some(1)));
    assert!(ref_err.contains("unable to find library -lside") && err.contains("unable to find library -lside"));
    let so = libdir.join("libside.so").display().to_string();
    let direct = ["main.o", so.as_str(), "--no-entry", "--allow-undefined", "-o", "OUT"];
    let Some([(ref_code, ref_err, _), (code, err, out)]) = both("static-shared", &direct) else { return };
    assert_eq!((code, ref_code), (Some(1), Some(1)));
    assert!(out.is_none());
    let message = "attempted static link of dynamic object";
    assert!(ref_err.contains(message) && err.contains(message), "{err}");
}
