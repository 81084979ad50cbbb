//! Builds Rust (std) cargo projects for `wasm32-wasip1` with a linker of our
//! choice, on a machine whose only Rust is a rustup toolchain without the
//! wasm32 target and whose only network is the package registries.
//!
//! The recipe:
//!
//! 1. Debian packages `rust-web-src` (std sources, installed to
//!    `/usr/lib/rustlib/src/rust`) and `wasi-libc` (the C library, in
//!    `/usr/lib/wasm32-wasi`) are installed with `apt-get` when missing
//!    (`apt-get update` is run only if an install or download fails).
//! 2. Debian's compiler of exactly the same version is *downloaded, never
//!    installed*: `apt-get download rustc-web=V libstd-rust-web-dev=V` and the
//!    `libstd-rust-web-N=V` that the latter depends on (it holds
//!    `librustc_driver`), all unpacked with `dpkg-deb -x` into
//!    `<work>/rust-web`, cached by version in `<work>/rust-web/.version`. The
//!    `libllvmN` they link against is installed with `apt-get`.
//! 3. `<work>/bin/rustc-web` is a wrapper script that puts the unpacked
//!    libraries on `LD_LIBRARY_PATH` and execs the unpacked `rustc`.
//! 4. The unpacked sysroot gets `lib/rustlib/src/rust` → the std sources, and
//!    `lib/rustlib/wasm32-wasip1/lib/self-contained/` → links to wasi-libc's
//!    `*.o`/`*.a` (rustc links `crt1-command.o` and `-lc` from there).
//! 5. The project is built by the ordinary cargo with `RUSTC=<wrapper>`,
//!    `RUSTC_BOOTSTRAP=1`, `-Zbuild-std=std,panic_abort --target
//!    wasm32-wasip1 --config target.wasm32-wasip1.linker="<linker>"`. Hence the
//!    project must set `panic = "abort"` in its profiles.
//!
//! rustc runs the linker as `<linker> -flavor wasm <args...>` (wasm-ld
//! command-line syntax, with wasi-libc's `crt1-command.o` and `-lc`).
//!
//! `<work>` is `$WASMLINK_RUST_WORK`, by default `target/rust-wasm32` under the
//! workspace root. Steps 1–4 run under an exclusive lock on `<work>/.lock`, so
//! concurrent callers (threads or processes) are safe. Everything needs root
//! (apt-get) the first time only.

use anyhow::{bail, Context, Result};
use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const TARGET: &str = "wasm32-wasip1";
const WASI_LIBC_DIR: &str = "/usr/lib/wasm32-wasi";
const RUST_SRC_DIR: &str = "/usr/lib/rustlib/src/rust";
const SRC_PKG: &str = "rust-web-src";
const WORK_ENV: &str = "WASMLINK_RUST_WORK";

/// The unpacked compiler, ready to use.
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// The wrapper script to use as `RUSTC`.
    pub rustc: PathBuf,
    /// Its sysroot (inside the unpacked tree).
    #[allow(dead_code)]
    pub sysroot: PathBuf,
    /// The Debian version of rustc-web / rust-web-src, e.g. `1.96.0+dfsg1-1~deb12u2`.
    #[allow(dead_code)]
    pub version: String,
}

/// The work dir: `$WASMLINK_RUST_WORK`, else `<workspace root>/target/rust-wasm32`.
pub fn work_dir() -> PathBuf {
    let dir = match std::env::var_os(WORK_ENV) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        // This file is compiled into xtask, a direct child of the workspace root.
        _ => {
            Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new(".")).join("target").join("rust-wasm32")
        }
    };
    std::path::absolute(&dir).unwrap_or(dir)
}

/// True when the Debian packages and unpacked compiler are in place, or can be
/// put in place (we are root on a Debian-like system with apt-get and dpkg, and
/// cargo is on PATH). Cheap: runs at most `dpkg-query`. Used by tests to decide
/// whether to skip.
pub fn available() -> bool {
    if !cfg!(target_os = "linux") || find_in_path(&cargo_program()).is_none() {
        return false;
    }
    if is_ready(&work_dir()) {
        return true;
    }
    is_root() && ["apt-get", "dpkg-deb", "dpkg-query"].iter().all(|c| find_in_path(OsStr::new(c)).is_some())
}

/// Builds the cargo project in `project` (a directory with a Cargo.toml) for
/// wasm32-wasip1 with `linker` as its linker, with `target_dir` as cargo's
/// target dir (use a different one per linker: cargo does not relink when
/// only the linker changes), in release or debug profile. Returns the path of
/// the produced `.wasm` (`<target_dir>/wasm32-wasip1/<profile>/<bin>.wasm`).
///
/// `linker` may be a path (made absolute, symlinks are kept as they are, so
/// argv[0] is what was given) or a bare command name looked up in PATH.
pub fn build(project: &Path, linker: &Path, target_dir: &Path, release: bool) -> Result<PathBuf> {
    let project =
        fs::canonicalize(project).with_context(|| format!("rust-wasm: project dir {} not found", project.display()))?;
    let manifest = project.join("Cargo.toml");
    if !manifest.is_file() {
        bail!("rust-wasm: {} has no Cargo.toml", project.display());
    }
    let linker = resolve_linker(linker)?;
    let target_dir = std::path::absolute(target_dir)
        .with_context(|| format!("rust-wasm: bad target dir {}", target_dir.display()))?;
    let tc = prepare()?;

    let linker_str =
        linker.to_str().with_context(|| format!("rust-wasm: linker path {} is not UTF-8", linker.display()))?;
    let mut cmd = Command::new(cargo_program());
    cmd.current_dir(&project)
        .arg("build")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("-Zbuild-std=std,panic_abort")
        .args(["--target", TARGET])
        .arg("--config")
        .arg(format!("target.{TARGET}.linker={}", toml_string(linker_str)))
        .arg("--target-dir")
        .arg(&target_dir)
        .arg("--message-format=json-render-diagnostics");
    if release {
        cmd.arg("--release");
    }
    cmd.env("RUSTC", &tc.rustc).env("RUSTC_BOOTSTRAP", "1");
    // Settings meant for the host build of whoever calls us must not leak into
    // this one.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_RUSTC_WRAPPER",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "RUSTDOC",
        "RUSTDOCFLAGS",
    ] {
        cmd.env_remove(var);
    }
    let step = format!(
        "cargo build of {} for {TARGET} (linker {}, {})",
        project.display(),
        linker.display(),
        if release { "release" } else { "debug" }
    );
    let out = run(&step, &mut cmd)?;

    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut wasms: Vec<PathBuf> = stdout
        .lines()
        .filter(|l| l.contains("\"reason\":\"compiler-artifact\""))
        .filter_map(|l| json_string_field(l, "executable"))
        .map(PathBuf::from)
        .filter(|p| p.extension() == Some(OsStr::new("wasm")))
        .collect();
    wasms.dedup();
    match wasms.as_slice() {
        [one] if one.is_file() => Ok(one.clone()),
        [one] => bail!("{step}: cargo reported {} but it does not exist", one.display()),
        [] => bail!("{step}: cargo succeeded but reported no .wasm executable (does the project have a [[bin]]?)"),
        many => bail!("{step}: cargo produced several executables, expected one: {many:?}"),
    }
}

/// Makes sure the Debian packages are installed and the compiler of the same
/// version is unpacked and set up in the work dir (steps 1–4 of the recipe).
/// Idempotent and cached; `build` calls it.
pub fn prepare() -> Result<Toolchain> {
    let work = work_dir();
    fs::create_dir_all(&work).with_context(|| format!("rust-wasm: cannot create work dir {}", work.display()))?;
    let lock_path = work.join(".lock");
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("rust-wasm: cannot open {}", lock_path.display()))?;
    lock.lock().with_context(|| format!("rust-wasm: cannot lock {}", lock_path.display()))?;
    let result = prepare_locked(&work);
    drop(lock); // closing the file releases the lock
    result
}

fn prepare_locked(work: &Path) -> Result<Toolchain> {
    // 1. std sources and wasi-libc.
    if !host_packages_ready() {
        apt_install(&[SRC_PKG, "wasi-libc"])?;
        if !host_packages_ready() {
            bail!("rust-wasm: {SRC_PKG} and wasi-libc were installed but {RUST_SRC_DIR} or {WASI_LIBC_DIR}/libc.a is missing");
        }
    }

    // 2. The compiler of the same version, unpacked and cached by version.
    let unpacked = work.join("rust-web");
    let mut version = installed_version(SRC_PKG)?;
    if read_trimmed(&unpacked.join(".version")).as_deref() != Some(version.as_str()) {
        version = unpack_compiler(work, &unpacked, version)?;
    }

    // 3. The rustc wrapper.
    let libdir = find_lib_dir(&unpacked)?;
    let rustc_bin = unpacked.join("usr/bin/rustc");
    if !rustc_bin.is_file() {
        bail!("rust-wasm: {} missing from the unpacked rustc-web", rustc_bin.display());
    }
    let wrapper = work.join("bin").join("rustc-web");
    let script = format!(
        "#!/bin/sh\n# Debian's rustc-web {version}, unpacked by xtask (rust_wasm.rs).\n\
         LD_LIBRARY_PATH={}${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}\nexport LD_LIBRARY_PATH\nexec {} \"$@\"\n",
        sh_quote(path_str(&libdir)?),
        sh_quote(path_str(&rustc_bin)?),
    );
    write_if_changed(&wrapper, &script, 0o755)?;

    // 4. Sysroot: std sources and wasi-libc as the target's self-contained dir.
    let out = run(
        "rust-wasm: running the unpacked rustc (rustc-web --print sysroot)",
        Command::new(&wrapper).args(["--print", "sysroot"]),
    )?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if !sysroot.is_dir() {
        bail!("rust-wasm: rustc-web reported sysroot {} which is not a directory", sysroot.display());
    }
    let src = fs::canonicalize(RUST_SRC_DIR).with_context(|| format!("rust-wasm: cannot resolve {RUST_SRC_DIR}"))?;
    symlink_force(&src, &sysroot.join("lib/rustlib/src/rust"))?;
    let sc = sysroot.join("lib/rustlib").join(TARGET).join("lib/self-contained");
    fs::create_dir_all(&sc).with_context(|| format!("rust-wasm: cannot create {}", sc.display()))?;
    let entries = fs::read_dir(WASI_LIBC_DIR).with_context(|| format!("rust-wasm: cannot read {WASI_LIBC_DIR}"))?;
    for entry in entries {
        let path = entry.with_context(|| format!("rust-wasm: cannot read {WASI_LIBC_DIR}"))?.path();
        let ext = path.extension().and_then(OsStr::to_str);
        if matches!(ext, Some("o" | "a")) {
            symlink_force(&path, &sc.join(path.file_name().unwrap()))?;
        }
    }

    Ok(Toolchain { rustc: wrapper, sysroot, version })
}

/// Downloads rustc-web, libstd-rust-web-dev and libstd-rust-web-N of `version`
/// into `<work>/debs`, installs the libllvm they need, and unpacks them into
/// `unpacked` (via a temporary dir renamed into place). Returns the version
/// unpacked (which differs from `version` if the download failed with stale
/// package lists and rust-web-src had to be upgraded).
fn unpack_compiler(work: &Path, unpacked: &Path, mut version: String) -> Result<String> {
    let debs = work.join("debs");
    let staging = work.join("rust-web.new");
    remove_all(&debs)?;
    remove_all(&staging)?;
    fs::create_dir_all(&debs).with_context(|| format!("rust-wasm: cannot create {}", debs.display()))?;

    let wanted = |v: &str| vec![format!("rustc-web={v}"), format!("libstd-rust-web-dev={v}")];
    if let Err(first) = apt_download(&debs, &wanted(&version)) {
        // Stale package lists, or the archive moved on from the installed
        // rust-web-src: refresh, upgrade rust-web-src (no-op when current), retry.
        apt_update().with_context(|| format!("after: {first:#}"))?;
        apt_install(&[SRC_PKG])?;
        version = installed_version(SRC_PKG)?;
        apt_download(&debs, &wanted(&version))
            .with_context(|| format!("(after apt-get update; first attempt: {first:#})"))?;
    }

    let dev_deb = find_deb(&debs, "libstd-rust-web-dev_")?;
    let lib =
        dep_matching(&dev_deb, "libstd-rust-web-", |rest| rest.chars().next().is_some_and(|c| c.is_ascii_digit()))?;
    apt_download(&debs, &[format!("{lib}={version}")])?;
    let lib_deb = find_deb(&debs, &format!("{lib}_"))?;
    let llvm = dep_matching(&lib_deb, "libllvm", |rest| rest.chars().next().is_some_and(|c| c.is_ascii_digit()))?;
    if !is_installed(&llvm) {
        apt_install(&[llvm.as_str()])?;
    }

    fs::create_dir_all(&staging).with_context(|| format!("rust-wasm: cannot create {}", staging.display()))?;
    let mut debs_found: Vec<PathBuf> = fs::read_dir(&debs)
        .with_context(|| format!("rust-wasm: cannot read {}", debs.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension() == Some(OsStr::new("deb")))
        .collect();
    debs_found.sort();
    for deb in &debs_found {
        run(
            &format!("rust-wasm: unpacking {}", deb.display()),
            Command::new("dpkg-deb").arg("-x").arg(deb).arg(&staging),
        )?;
    }
    write_file(&staging.join(".version"), &format!("{version}\n"))?;
    remove_all(unpacked)?;
    fs::rename(&staging, unpacked)
        .with_context(|| format!("rust-wasm: cannot move {} to {}", staging.display(), unpacked.display()))?;
    remove_all(&debs)?; // ~100 MB we no longer need
    Ok(version)
}

// ---------------------------------------------------------------- apt / dpkg

fn apt_get() -> Command {
    let mut cmd = Command::new("apt-get");
    cmd.env("DEBIAN_FRONTEND", "noninteractive").args(["-q", "-y", "-o", "DPkg::Lock::Timeout=600"]);
    cmd
}

/// `apt-get install`; on failure `apt-get update` and one more try.
fn apt_install(pkgs: &[&str]) -> Result<()> {
    let step = format!("rust-wasm: apt-get install {}", pkgs.join(" "));
    let mut cmd = apt_get();
    cmd.arg("install").args(pkgs);
    if let Err(first) = run(&step, &mut cmd) {
        apt_update().with_context(|| format!("after: {first:#}"))?;
        let mut cmd = apt_get();
        cmd.arg("install").args(pkgs);
        run(&format!("{step} (after apt-get update)"), &mut cmd)?;
    }
    Ok(())
}

fn apt_update() -> Result<()> {
    run("rust-wasm: apt-get update", apt_get().arg("update")).map(drop)
}

/// `apt-get download` into `dir` (as root: apt's sandbox user could not write there).
fn apt_download(dir: &Path, specs: &[String]) -> Result<()> {
    let mut cmd = apt_get();
    cmd.current_dir(dir).args(["-o", "APT::Sandbox::User=root", "download"]).args(specs);
    run(&format!("rust-wasm: apt-get download {}", specs.join(" ")), &mut cmd).map(drop)
}

fn dpkg_status(pkg: &str) -> Option<(String, String)> {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}\t${Version}", pkg])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    let (status, version) = s.split_once('\t')?;
    Some((status.to_string(), version.trim().to_string()))
}

fn is_installed(pkg: &str) -> bool {
    dpkg_status(pkg).is_some_and(|(status, _)| status.ends_with("ok installed"))
}

fn installed_version(pkg: &str) -> Result<String> {
    match dpkg_status(pkg) {
        Some((status, version)) if status.ends_with("ok installed") && !version.is_empty() => Ok(version),
        other => bail!("rust-wasm: package {pkg} is not installed (dpkg-query: {other:?})"),
    }
}

fn host_packages_ready() -> bool {
    is_installed(SRC_PKG)
        && Path::new(RUST_SRC_DIR).join("library").is_dir()
        && Path::new(WASI_LIBC_DIR).join("libc.a").is_file()
}

/// Everything already in place (no root or apt-get needed).
fn is_ready(work: &Path) -> bool {
    if !host_packages_ready() {
        return false;
    }
    let Some((_, version)) = dpkg_status(SRC_PKG) else {
        return false;
    };
    read_trimmed(&work.join("rust-web/.version")).as_deref() == Some(version.as_str())
        && work.join("bin/rustc-web").is_file()
}

fn find_deb(dir: &Path, prefix: &str) -> Result<PathBuf> {
    fs::read_dir(dir)
        .with_context(|| format!("rust-wasm: cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.extension() == Some(OsStr::new("deb"))
                && p.file_name().and_then(OsStr::to_str).is_some_and(|n| n.starts_with(prefix))
        })
        .with_context(|| format!("rust-wasm: no {prefix}*.deb in {} after apt-get download", dir.display()))
}

/// The first package named in `deb`'s Depends that starts with `prefix` and
/// whose remainder satisfies `rest_ok`.
fn dep_matching(deb: &Path, prefix: &str, rest_ok: impl Fn(&str) -> bool) -> Result<String> {
    let out = run(
        &format!("rust-wasm: reading Depends of {}", deb.display()),
        Command::new("dpkg-deb").arg("-f").arg(deb).arg("Depends"),
    )?;
    let depends = String::from_utf8_lossy(&out.stdout).into_owned();
    depends
        .split([',', '|'])
        .filter_map(|d| d.split_whitespace().next())
        .find(|name| name.strip_prefix(prefix).is_some_and(&rest_ok))
        .map(str::to_string)
        .with_context(|| {
            format!("rust-wasm: no {prefix}* dependency in {} (Depends: {})", deb.display(), depends.trim())
        })
}

/// The dir of the unpacked tree holding librustc_driver (e.g. usr/lib/x86_64-linux-gnu).
fn find_lib_dir(unpacked: &Path) -> Result<PathBuf> {
    let lib = unpacked.join("usr/lib");
    let has_driver = |dir: &Path| {
        fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| e.file_name().to_str().is_some_and(|n| n.starts_with("librustc_driver-") && n.contains(".so")))
    };
    if has_driver(&lib) {
        return Ok(lib);
    }
    fs::read_dir(&lib)
        .with_context(|| format!("rust-wasm: cannot read {}", lib.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.is_dir() && has_driver(p))
        .with_context(|| format!("rust-wasm: no librustc_driver-*.so under {}", lib.display()))
}

// ---------------------------------------------------------------- helpers

/// Runs `cmd` (stdin closed), capturing its output. Failure to start or a
/// non-zero exit is an error naming `step` and the command and showing stderr
/// (or stdout when stderr is empty).
fn run(step: &str, cmd: &mut Command) -> Result<Output> {
    let shown = show_command(cmd);
    let out = cmd.stdin(Stdio::null()).output().with_context(|| format!("{step}: could not run `{shown}`"))?;
    if !out.status.success() {
        let (what, text) = if out.stderr.iter().any(|b| !b.is_ascii_whitespace()) {
            ("stderr", &out.stderr)
        } else {
            ("stdout", &out.stdout)
        };
        bail!("{step} failed ({})\ncommand: {shown}\n--- {what} ---\n{}", out.status, tail(text, 60_000));
    }
    Ok(out)
}

fn show_command(cmd: &Command) -> String {
    let mut s = String::new();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            s += &format!("{}={} ", k.to_string_lossy(), v.to_string_lossy());
        }
    }
    if let Some(dir) = cmd.get_current_dir() {
        s = format!("(cd {} && {s}", dir.display());
    }
    s += &cmd.get_program().to_string_lossy();
    for a in cmd.get_args() {
        s.push(' ');
        s += &a.to_string_lossy();
    }
    if cmd.get_current_dir().is_some() {
        s.push(')');
    }
    s
}

/// The last `max` bytes of `bytes` as text.
fn tail(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_end();
    if text.len() <= max {
        return text.to_string();
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("[... {start} bytes cut ...]\n{}", &text[start..])
}

fn cargo_program() -> std::ffi::OsString {
    // Under `cargo run`/`cargo test` this is the cargo of the running toolchain.
    std::env::var_os("CARGO").filter(|c| !c.is_empty()).unwrap_or_else(|| "cargo".into())
}

fn find_in_path(program: &OsStr) -> Option<PathBuf> {
    let p = Path::new(program);
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(program)).find(|c| c.is_file())
}

fn resolve_linker(linker: &Path) -> Result<PathBuf> {
    if linker.components().count() == 1 && !linker.is_absolute() && !linker.exists() {
        // A bare command name: rustc looks it up in PATH.
        return find_in_path(linker.as_os_str())
            .map(|_| linker.to_path_buf())
            .with_context(|| format!("rust-wasm: linker {} not found in PATH", linker.display()));
    }
    let abs =
        std::path::absolute(linker).with_context(|| format!("rust-wasm: bad linker path {}", linker.display()))?;
    if !abs.is_file() {
        bail!("rust-wasm: linker {} does not exist", abs.display());
    }
    Ok(abs)
}

fn is_root() -> bool {
    if let Ok(status) = fs::read_to_string("/proc/self/status") {
        if let Some(line) = status.lines().find(|l| l.starts_with("Uid:")) {
            return line.split_whitespace().nth(2) == Some("0"); // effective uid
        }
    }
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn read_trimmed(path: &Path) -> Option<String> {
    fs::read_to_string(path).ok().map(|s| s.trim().to_string())
}

fn path_str(p: &Path) -> Result<&str> {
    p.to_str().with_context(|| format!("rust-wasm: path {} is not UTF-8", p.display()))
}

fn write_file(path: &Path, contents: &str) -> Result<()> {
    fs::write(path, contents).with_context(|| format!("rust-wasm: cannot write {}", path.display()))
}

/// Writes `contents` with `mode` unless the file already has them (so its
/// mtime stays put), via a temporary file renamed into place.
fn write_if_changed(path: &Path, contents: &str, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let same = fs::read_to_string(path).is_ok_and(|old| old == contents)
        && fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o777 == mode);
    if same {
        return Ok(());
    }
    let dir = path.parent().unwrap();
    fs::create_dir_all(dir).with_context(|| format!("rust-wasm: cannot create {}", dir.display()))?;
    let tmp = path.with_extension("tmp");
    let mut f = fs::File::create(&tmp).with_context(|| format!("rust-wasm: cannot create {}", tmp.display()))?;
    f.write_all(contents.as_bytes())
        .and_then(|_| f.set_permissions(fs::Permissions::from_mode(mode)))
        .with_context(|| format!("rust-wasm: cannot write {}", tmp.display()))?;
    drop(f);
    fs::rename(&tmp, path).with_context(|| format!("rust-wasm: cannot move {} to {}", tmp.display(), path.display()))
}

/// `ln -sfn target link`.
fn symlink_force(target: &Path, link: &Path) -> Result<()> {
    if fs::read_link(link).is_ok_and(|t| t == target) {
        return Ok(());
    }
    if let Some(dir) = link.parent() {
        fs::create_dir_all(dir).with_context(|| format!("rust-wasm: cannot create {}", dir.display()))?;
    }
    if fs::symlink_metadata(link).is_ok() {
        remove_all(link)?;
    }
    std::os::unix::fs::symlink(target, link)
        .with_context(|| format!("rust-wasm: cannot link {} -> {}", link.display(), target.display()))
}

/// `rm -rf path` (a symlink is removed, not followed).
fn remove_all(path: &Path) -> Result<()> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("rust-wasm: cannot stat {}", path.display())),
    };
    let r = if meta.is_dir() { fs::remove_dir_all(path) } else { fs::remove_file(path) };
    r.with_context(|| format!("rust-wasm: cannot remove {}", path.display()))
}

/// `s` as a single-quoted sh word.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `s` as a TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            c if (c as u32) < 0x20 || c == '\u{7f}' => out += &format!("\\u{:04X}", c as u32),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The string value of `"key":"..."` in a one-line JSON object (cargo's
/// `--message-format=json`), unescaped; None when absent or not a string.
fn json_string_field(line: &str, key: &str) -> Option<String> {
    let pat = format!("\"{key}\":");
    let rest = line[line.find(&pat)? + pat.len()..].trim_start();
    let mut chars = rest.strip_prefix('"')?.chars();
    let mut out = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let mut code = u32::from_str_radix(&hex, 16).ok()?;
                    if (0xD800..0xDC00).contains(&code) {
                        // A surrogate pair: \uD8xx\uDCxx.
                        let low: String = chars.by_ref().skip(2).take(4).collect();
                        let low = u32::from_str_radix(&low, 16).ok()?;
                        code = 0x10000 + ((code - 0xD800) << 10) + (low.checked_sub(0xDC00)?);
                    }
                    out.push(char::from_u32(code)?);
                }
                c => out.push(c), // \" \\ \/
            },
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_field() {
        let l = r#"{"reason":"compiler-artifact","executable":"/t/a\"b\\c\u00e9.wasm","fresh":true}"#;
        assert_eq!(json_string_field(l, "executable").as_deref(), Some("/t/a\"b\\cé.wasm"));
        assert_eq!(json_string_field(r#"{"executable":null}"#, "executable"), None);
        assert_eq!(json_string_field(r#"{"x":"\ud83d\ude00"}"#, "x").as_deref(), Some("😀"));
    }

    #[test]
    fn quoting() {
        assert_eq!(toml_string(r#"/a "b"\c"#), r#""/a \"b\"\\c""#);
        assert_eq!(sh_quote("/a b'c"), r"'/a b'\''c'");
    }
}
