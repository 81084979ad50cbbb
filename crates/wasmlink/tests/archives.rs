//! Archive variants as llvm-ar writes them: GNU and BSD formats, long
//! member names, with and without a symbol index. Each is rebuilt from the
//! members of `testdata/c/archive_select`'s `libpick.a`, linked by wasmlink,
//! run in wasmtime and compared with the program linked from the original
//! archive by wasm-ld-22 (or by wasmlink when wasm-ld-22 is absent).

use crate::common::*;
use std::path::Path;
use std::process::Command;

const LLVM_AR: &str = "/usr/bin/llvm-ar-19";

fn ar(args: &[&str], dir: &Path) {
    let st = Command::new(LLVM_AR).args(args).current_dir(dir).status().expect("running llvm-ar-19");
    assert!(st.success(), "llvm-ar-19 {args:?} failed");
}

#[test]
fn archive_formats() {
    if !wasi_toolchain_ready("archive_formats") {
        return;
    }
    if !Path::new(LLVM_AR).exists() {
        skip("archive_formats", "llvm-ar-19 not installed");
        return;
    }
    let case = Case::load("archive_select");
    let scratch = Scratch::new("archives");
    let members_dir = scratch.join("members");
    std::fs::create_dir(&members_dir).unwrap();
    let original = case.variant_dir("O2").join("libpick.a");
    ar(&["x", original.to_str().unwrap()], &members_dir);
    let mut members: Vec<String> = std::fs::read_dir(&members_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    members.sort();
    assert_eq!(members.len(), 4, "libpick.a should have 4 members: {members:?}");
    // A member name longer than 16 bytes exercises the long-name tables.
    let long = "pick_member_with_a_name_longer_than_sixteen_bytes.o";
    std::fs::rename(members_dir.join(&members[0]), members_dir.join(long)).unwrap();
    members[0] = long.to_string();

    // Reference run: the original archive.
    let reference_linker = reference_linker().unwrap_or_else(linker_under_test);
    let ref_out = scratch.join("ref.wasm");
    let ref_bytes = link_case(&reference_linker, &case, "O2", &ref_out);
    let reference = run_module(&ref_bytes, &case).expect("running the reference link");

    for (tag, flags) in [("gnu", "rcs"), ("bsd", "rcs"), ("gnu-noindex", "rcS"), ("bsd-noindex", "rcS")] {
        let format = if tag.starts_with("bsd") { "--format=bsd" } else { "--format=gnu" };
        let lib = scratch.join(format!("libpick-{tag}.a"));
        let mut args = vec![format, flags, lib.to_str().unwrap()];
        args.extend(members.iter().map(String::as_str));
        ar(&args, &members_dir);
        // The case's link line with the archive swapped for this variant.
        let out = scratch.join(format!("{tag}.wasm"));
        let link_args: Vec<std::ffi::OsString> = case
            .link_args("O2", &out)
            .into_iter()
            .map(|a| if Path::new(&a) == original { lib.clone().into_os_string() } else { a })
            .collect();
        let res = run_linker(&linker_under_test(), &link_args);
        assert_eq!(res.code, Some(0), "{tag}: link failed:\n{}", res.describe());
        let bytes = std::fs::read(&out).unwrap();
        validate(&bytes).unwrap_or_else(|e| panic!("{tag}: output does not validate: {e}"));
        let ours = run_module(&bytes, &case).unwrap_or_else(|e| panic!("{tag}: {e}"));
        assert_same_run(&format!("archive_formats/{tag}"), &ours, &reference);
    }
}

/// A member that is neither wasm nor bitcode is skipped with wasm-ld's
/// warning (`ARCHIVE: archive member 'NAME' is neither Wasm object file nor
/// LLVM bitcode`); the link goes on, as with wasm-ld-22, and runs the same.
#[test]
fn text_member_is_skipped_with_a_warning() {
    if !wasi_toolchain_ready("text_member_is_skipped_with_a_warning") {
        return;
    }
    let Some(reference_linker) = reference_linker() else { return };
    if !Path::new(LLVM_AR).exists() {
        skip("text_member_is_skipped_with_a_warning", "llvm-ar-19 not installed");
        return;
    }
    let case = Case::load("archive_select");
    let scratch = Scratch::new("archive-text-member");
    let original = case.variant_dir("O2").join("libpick.a");
    let lib = scratch.join("libpick.a");
    std::fs::copy(&original, &lib).unwrap();
    std::fs::write(scratch.join("notes.txt"), "This is a text file, not a wasm object.\n").unwrap();
    ar(&["q", lib.to_str().unwrap(), "notes.txt"], scratch.path());
    let mut runs = Vec::new();
    for (who, linker) in [("wasm-ld-22", reference_linker), ("wasmlink", linker_under_test())] {
        let out = scratch.join(format!("{who}.wasm"));
        let args: Vec<std::ffi::OsString> = case
            .link_args("O2", &out)
            .into_iter()
            .map(|a| if Path::new(&a) == original { lib.clone().into_os_string() } else { a })
            .collect();
        let res = run_linker(&linker, &args);
        assert_eq!(res.code, Some(0), "{who}: link failed:\n{}", res.describe());
        let expected =
            format!("{}: archive member 'notes.txt' is neither Wasm object file nor LLVM bitcode", lib.display());
        assert!(res.stderr.contains(&expected), "{who}: no warning `{expected}`:\n{}", res.stderr);
        runs.push(run_module(&std::fs::read(&out).unwrap(), &case).unwrap_or_else(|e| panic!("{who}: {e}")));
    }
    assert_same_run("text_member_is_skipped_with_a_warning", &runs[1], &runs[0]);
}
