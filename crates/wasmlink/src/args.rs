//! The wasm-ld command line: the options clang's and rustc's drivers pass,
//! plus the common ones. Every other wasm-ld option is rejected with
//! "not supported yet", never ignored; an option wasm-ld doesn't have is an
//! "unknown argument", as in wasm-ld.

use crate::config::{ColorChoice, Config, InputArg, LineItem, OutputKind, PicKind, UnresolvedPolicy};
use std::path::PathBuf;

/// Help text.
pub const HELP: &str = "\
USAGE: wasmlink [options] file...

A WebAssembly static linker with wasm-ld's command line.

OPTIONS:
  -o <file>                 Output file (required; - writes to stdout)
  -L <dir>                  Add a library search directory
  -l <name>                 Link lib<name>.a (or lib<name>.so, when linking dynamically)
                            found in the -L directories; -l:<file> names the file
  -m wasm32|wasm64          Target: 32-bit memory (default) or memory64
  --entry <sym>, -e <sym>   Entry function (default _start)
  --no-entry                No entry function
  --export=<sym>            Export a symbol (error if undefined)
  --export-if-defined=<sym> Export a symbol if something defines it
  --allow-undefined         Import undefined functions from `env`
  --gc-sections             Remove unreachable functions and data (default)
  --no-gc-sections          Keep everything
  --strip-debug, -S         Drop .debug_* sections
  --strip-all, -s           Drop all custom sections, including names
  --keep-section=<name>     Keep this custom section despite --strip-*
  --stack-first             Stack at the bottom of memory (default, as wasm-ld 22)
  --no-stack-first          Data first, then the stack (wasm-ld 19's order)
  -z stack-size=<n>         Stack size in bytes (default 65536)
  --global-base=<n>         Address where static data starts
  --initial-memory=<n>      Initial memory size in bytes
  --max-memory=<n>          Maximum memory size in bytes
  --no-growable-memory      Maximum memory = initial memory
  --table-base=<n>          First slot of the indirect function table (default 1)
  --growable-table          No maximum size for the indirect function table
  --page-size=<1|65536>     Memory page size (1: the custom-page-sizes proposal)
  --import-memory[=[<module>,]<field>]  Import the memory (default env.memory)
  --initial-heap=<n>        Initial heap size in bytes, added after the heap base
  --shared-memory           Shared memory for threads: passive data segments copied in
                            once by __wasm_init_memory (the start function), TLS set up
                            per thread by __wasm_init_tls (needs atomics, bulk-memory)
  --allow-undefined-file=<file>  Symbols listed in <file> may stay undefined (imported)
  --import-table            Import __indirect_function_table from env
  --export-table            Export __indirect_function_table
  --no-merge-data-segments  Keep each input data segment name as its own output segment
  --print-gc-sections       List the functions and data segments removed by --gc-sections
  --whole-archive           Link every member of the following archives
  --no-whole-archive        Turn --whole-archive off
  --import-undefined        Import undefined functions (from env, or their import names)
  --unresolved-symbols=report-all|ignore-all|import-dynamic
                            Undefined symbols are errors (the default), or ignored:
                            data at address 0, functions trap (undefined_stub), or left
                            to the dynamic loader (imports and GOT entries)
  --warn-unresolved-symbols, --error-unresolved-symbols
                            Report undefined symbols as warnings / errors
  --fatal-warnings          Treat warnings as errors
  --wrap=<sym>              Calls to <sym> go to __wrap_<sym>; __real_<sym> reaches <sym>
  --start-lib, --end-lib    Link the objects in between lazily, like archive members
  -r, --relocatable         Write a relocatable object (linking and reloc sections)
  -pie                      Position-independent main module for a dynamic loader (dylink.0,
                            __memory_base/__table_base imports, GOT.mem/GOT.func imports)
  -shared                   Position-independent side module (imports its memory, exports
                            every non-hidden definition); .so inputs are linked against
  --experimental-pic        Don't warn that -pie/-shared are not yet stable
  -Bsymbolic                A side module binds references to its own definitions
  -Bdynamic, -dy, -call_shared  Let following -l find lib<name>.so (default with -pie/-shared)
  -Bstatic, -static, -dn, -non_shared  Archives only; a shared library input is an error
  -rpath <dir>              Runtime path recorded in dylink.0
  --no-shlib-sigcheck       Accepted (wasmlink doesn't check signatures against .so exports)
  --compress-relocations    Relocated LEB fields of the code at minimal length (needs
                            --strip-debug or --strip-all)
  --rsp-quoting=posix|windows  How @file response files are split (default posix)
  --emit-relocs             Keep the linking and reloc sections in the linked module
  -O0 -O1 -O2 -O3           Optimization level: at -O1 (the default) and up, NUL-terminated
                            string segments and .debug_str are merged, as wasm-ld does
  -u <sym>, --undefined=<sym>  Extract the archive member defining <sym>
  --allow-multiple-definition, -z muldefs  The first of several strong definitions wins
  --noinhibit-exec          Duplicate definitions are warnings (the later one wins)
  --export-all              Export every defined symbol
  --export-dynamic          Export every defined non-hidden symbol
  --export-memory[=<name>]  Export the memory (as <name>, default \"memory\")
  --features=<a,b>          Exactly these target features in the output
  --extra-features=<a,b>    Add these target features to the output
  --no-check-features       Skip the target-feature compatibility check
  --demangle, --no-demangle Demangle C++ and Rust symbol names in messages, the map
                            file and the name section (default), or show them as they are
  -Map=<file>, --Map <file> Write a map of the output (sections, functions, data, symbols)
  -M, --print-map           Print that map to standard output
  -y <sym>, --trace-symbol=<sym>  Report each file that defines or references <sym>
  --verbose                 Log what the link does (inputs, memory layout, sections)
  --threads=<n>             Worker threads (default: all cores)
  --time                    Print how long each stage took
  -t, --trace               Print the name of every linked input file and archive member
  --why-extract=<file>      Write why each archive member was extracted (- for stdout)
  --why-live=<sym>          wasmlink extension: print the chain of references from a GC root
                            (entry, export, NO_STRIP, constructor, RETAIN) that keeps <sym> in
                            the output, or the rule that removed it; repeatable, * and ? globs
  --size-report=<file>      wasmlink extension: attribute every byte of the output to an input
                            (archive, object, function, data segment, custom section) or to the
                            linker; <file> ending .json, .html (zoomable treemap) or else text
  --soname=<name>           Module name in the name section (default: the output file's name)
  --reproduce=<file.tar>    Write the inputs and the command line to a tar file
                            (also LLD_REPRODUCE=<file.tar>), then link
  --error-limit=<n>         Stop after <n> errors (default 20; 0: no limit)
  --color-diagnostics[=auto|always|never], --no-color-diagnostics
                            Colour error and warning labels (default: on a terminal)
  -E                        Alias for --export-dynamic
  --build-id[=<style>]      A build_id section: fast (the default style: a UUID from an xxh3
                            hash of the module), sha1 (or tree), uuid (random), 0x<hex>, none
  -mllvm <arg>, --lto-*, --thinlto-*, -plugin-opt=<arg>, --save-temps, --disable-verify
                            Only matter for LLVM bitcode inputs (LTO); accepted
  -flavor wasm              Accepted as the first argument (rustc passes it)
  @<file>                   Read more arguments from a response file
  --version, --help

Any other wasm-ld option fails with \"not supported yet: <option>\"; an
option wasm-ld doesn't have fails with \"unknown argument: <option>\".
";

/// Options wasm-ld has that take a separate value; used only to give a
/// precise "not supported yet" message.
fn parse_number(opt: &str, v: &str) -> Result<u64, String> {
    let r = if let Some(h) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        u64::from_str_radix(h, 16)
    } else {
        v.parse::<u64>()
    };
    r.map_err(|_| format!("invalid {opt}: {v}"))
}

/// Expands `@file` response files (whitespace separated, with quotes).
pub fn expand_response_files(args: Vec<String>) -> Result<Vec<String>, String> {
    let quoting = response_quoting(&args)?;
    expand_with(args, quoting)
}

/// How response files split into arguments (`--rsp-quoting=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RspQuoting {
    /// POSIX shell-like: `'...'`, `"..."` and backslash escapes (the default).
    Posix,
    /// Windows: `"..."` groups, backslashes are literal except before `"`.
    Windows,
}

/// The last `--rsp-quoting` of the command line (before response files are
/// read, as lld does); POSIX by default.
fn response_quoting(args: &[String]) -> Result<RspQuoting, String> {
    let mut quoting = RspQuoting::Posix;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = match a.trim_start_matches('-') {
            "rsp-quoting" if a.starts_with('-') => it.next().map(String::as_str),
            v => match v.strip_prefix("rsp-quoting=") {
                Some(v) if a.starts_with('-') => Some(v),
                _ => continue,
            },
        };
        quoting = match value {
            Some("posix") => RspQuoting::Posix,
            Some("windows") => RspQuoting::Windows,
            Some(v) => return Err(format!("invalid response file quoting: {v}")),
            None => return Err("--rsp-quoting: missing argument".to_string()),
        };
    }
    Ok(quoting)
}

fn expand_with(args: Vec<String>, quoting: RspQuoting) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for a in args {
        if let Some(path) = a.strip_prefix('@') {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot open response file {path}: {e}"))?;
            let words = match quoting {
                RspQuoting::Posix => split_response(&text),
                RspQuoting::Windows => split_response_windows(&text),
            };
            out.extend(expand_with(words, quoting)?);
        } else {
            out.push(a);
        }
    }
    Ok(out)
}

/// Splits a response file the Windows way: whitespace separates, `"`
/// groups (`""` inside quotes is a quote), `2n` backslashes before `"` are
/// `n` backslashes and the quote groups, `2n+1` are `n` and a literal
/// quote; other backslashes and single quotes are literal.
fn split_response_windows(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let (mut out, mut cur) = (Vec::new(), String::new());
    let (mut in_word, mut quoted, mut i) = (false, false, 0);
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let start = i;
            while i < chars.len() && chars[i] == '\\' {
                i += 1;
            }
            let n = i - start;
            if chars.get(i) == Some(&'"') {
                cur.extend(std::iter::repeat_n('\\', n / 2));
                if n % 2 == 1 {
                    cur.push('"');
                    i += 1;
                }
            } else {
                cur.extend(std::iter::repeat_n('\\', n));
            }
            in_word = true;
        } else if c == '"' {
            if quoted && chars.get(i + 1) == Some(&'"') {
                cur.push('"');
                i += 1;
            } else {
                quoted = !quoted;
            }
            in_word = true;
            i += 1;
        } else if c.is_whitespace() && !quoted {
            if in_word {
                out.push(std::mem::take(&mut cur));
                in_word = false;
            }
            i += 1;
        } else {
            cur.push(c);
            in_word = true;
            i += 1;
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

fn split_response(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    in_word = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// Parses the arguments (without argv[0]).
pub fn parse(args: Vec<String>) -> Result<Config, ArgsError> {
    let mut args = expand_response_files(args)?;
    let mut unknown = Vec::new();
    if args.first().map(String::as_str) == Some("-flavor") {
        if args.get(1).map(String::as_str) != Some("wasm") {
            return Err(format!("unsupported flavor: {}", args.get(1).cloned().unwrap_or_default()).into());
        }
        args.drain(..2);
    }
    let mut c = Config::default();
    let mut it = args.iter().cloned().enumerate().peekable();
    let mut explicit_export_memory = false;
    // What -r changes depends on whether these were given.
    let (mut explicit_entry, mut explicit_gc, mut explicit_merge) = (false, None, None);
    let mut relocatable = false;
    let mut emit_relocs = false;
    let (mut pie, mut shared, mut explicit_export_dynamic) = (false, false, None);
    while let Some((start, arg)) = it.next() {
        // Split "--opt=value"; options may start with one or two dashes.
        let (name, inline): (String, Option<String>) = if arg.starts_with('-') && arg.len() > 1 {
            let body = arg.trim_start_matches('-');
            match body.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (body.to_string(), None),
            }
        } else {
            c.command_line.push(LineItem::Input(arg.clone()));
            c.inputs.push(InputArg::File(PathBuf::from(arg)));
            continue;
        };
        let (output_before, search_paths_before) = (c.output.clone(), c.search_paths.len());
        let mut value = |what: &str| -> Result<String, String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => it.next().map(|(_, v)| v).ok_or_else(|| format!("{what}: missing argument")),
            }
        };
        match name.as_str() {
            "o" | "output" => c.output = Some(PathBuf::from(value("-o")?)),
            "L" | "library-path" => c.search_paths.push(PathBuf::from(value("-L")?)),
            "l" | "library" => c.inputs.push(InputArg::Library(value("-l")?)),
            "m" => c.is64 = Some(parse_arch(&value("-m")?)?),
            "entry" | "e" => {
                c.entry = Some(value("--entry")?);
                explicit_entry = true;
            }
            "relocatable" | "r" => relocatable = true,
            // Shared memory isn't built; with -r it is wasm-ld's option error.
            "shared-memory" if relocatable => {
                return Err("-r and --shared-memory may not be used together".to_string().into())
            }
            "emit-relocs" => emit_relocs = true,
            "no-entry" => c.entry = None,
            "export" => c.exports.push(value("--export")?),
            "export-if-defined" => c.exports_if_defined.push(value("--export-if-defined")?),
            "why-extract" => c.why_extract = Some(value("--why-extract")?),
            "why-live" => c.why_live.push(value("--why-live")?),
            "size-report" => c.size_report = Some(PathBuf::from(value("--size-report")?)),
            "soname" => c.soname = Some(value("--soname")?),
            "allow-undefined" => c.allow_undefined = true,
            "gc-sections" => explicit_gc = Some(true),
            "no-gc-sections" => explicit_gc = Some(false),
            "strip-debug" | "S" => c.strip_debug = true,
            "strip-all" | "s" => c.strip_all = true,
            "keep-section" => c.keep_sections.push(value("--keep-section")?),
            "stack-first" => c.stack_first = Some(true),
            "no-stack-first" => c.stack_first = Some(false),
            "z" => {
                let v = value("-z")?;
                match v.split_once('=') {
                    Some(("stack-size", n)) => c.stack_size = parse_number("stack size", n)?,
                    None if v == "muldefs" => c.allow_multiple_definition = true,
                    // wasm-ld knows only these two and warns about the rest.
                    _ => c.warnings.push(format!("unknown -z value: {v}")),
                }
            }
            "global-base" => c.global_base = Some(parse_number("--global-base", &value("--global-base")?)?),
            "initial-memory" => c.initial_memory = Some(parse_number("--initial-memory", &value("--initial-memory")?)?),
            "no-growable-memory" => c.no_growable_memory = true,
            "growable-table" => c.growable_table = true,
            "page-size" => {
                c.page_size = match value("--page-size")?.as_str() {
                    "1" => 1,
                    "65536" => 65536,
                    _ => return Err("--page_size=N must be either 1 or 65536".to_string().into()),
                }
            }
            "table-base" => {
                let v = value("--table-base")?;
                c.table_base = u32::try_from(parse_number("--table-base", &v)?)
                    .map_err(|_| format!("--table-base: number too large: {v}"))?;
            }
            "max-memory" => c.max_memory = Some(parse_number("--max-memory", &value("--max-memory")?)?),
            "import-memory" => {
                if let Some(v) = &inline {
                    c.memory_import_name = Some(match v.split_once(',') {
                        Some((m, f)) => (m.to_string(), f.to_string()),
                        None => ("env".to_string(), v.clone()),
                    });
                }
                c.import_memory = true
            }
            "shared-memory" => c.shared_memory = true,
            "initial-heap" => c.initial_heap = Some(parse_number("--initial-heap", &value("--initial-heap")?)?),
            "allow-undefined-file" => {
                let path = value("--allow-undefined-file")?;
                let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot open {path}: {e}"))?;
                // As lld's `args::getLines`: one name per trimmed line; only
                // lines starting with '#' are comments ("f # x" names "f # x").
                for line in text.lines() {
                    let name = line.trim();
                    if !name.is_empty() && !name.starts_with('#') {
                        c.allow_undefined_symbols.push(name.to_string());
                    }
                }
            }
            "export-table" => c.export_table = true,
            "import-table" => c.import_table = true,
            "print-gc-sections" => c.print_gc_sections = true,
            "merge-data-segments" => explicit_merge = Some(true),
            "features" => {
                let v = value("--features")?;
                c.features = Some(v.split(',').filter(|f| !f.is_empty()).map(str::to_string).collect());
            }
            "extra-features" => {
                let v = value("--extra-features")?;
                c.extra_features.extend(v.split(',').filter(|f| !f.is_empty()).map(str::to_string));
            }
            "no-merge-data-segments" => explicit_merge = Some(false),
            "no-print-gc-sections" => c.print_gc_sections = false,
            "no-allow-multiple-definition" => c.allow_multiple_definition = false,
            "export-memory" => {
                c.memory_export_name = inline.clone();
                explicit_export_memory = true
            }
            "u" | "undefined" => c.undefined.push(value("--undefined")?),
            "allow-multiple-definition" => c.allow_multiple_definition = true,
            "noinhibit-exec" => c.noinhibit_exec = true,
            "export-all" => c.export_all = true,
            "export-dynamic" => explicit_export_dynamic = Some(true),
            "no-export-dynamic" => explicit_export_dynamic = Some(false),
            "pie" => pie = true,
            "no-pie" => pie = false,
            "shared" => shared = true,
            "experimental-pic" => c.experimental_pic = true,
            "Bsymbolic" => c.bsymbolic = true,
            "Bstatic" | "static" | "dn" | "non_shared" => c.inputs.push(InputArg::Static(true)),
            "Bdynamic" | "dy" | "call_shared" => c.inputs.push(InputArg::Static(false)),
            "rpath" => c.rpath.push(value("-rpath")?),
            // wasmlink doesn't compare signatures with shared libraries'
            // exports, so there is nothing to turn off.
            "no-shlib-sigcheck" => {}
            "compress-relocations" => c.compress_relocations = true,
            // Read before the response files are expanded.
            "rsp-quoting" => {
                value("--rsp-quoting")?;
            }
            "check-features" => c.no_check_features = false,
            "no-check-features" => c.no_check_features = true,
            "whole-archive" => c.inputs.push(InputArg::WholeArchive(true)),
            "start-lib" => c.inputs.push(InputArg::Lib(true)),
            "wrap" => c.wrap.push(value("--wrap")?),
            "fatal-warnings" => c.fatal_warnings = true,
            "no-fatal-warnings" => c.fatal_warnings = false,
            "import-undefined" => c.import_undefined = true,
            "error-unresolved-symbols" => c.unresolved = UnresolvedPolicy::ReportAll,
            "warn-unresolved-symbols" => c.unresolved = UnresolvedPolicy::Warn,
            "unresolved-symbols" => {
                let v = value("--unresolved-symbols")?;
                c.unresolved = match v.as_str() {
                    "report-all" => UnresolvedPolicy::ReportAll,
                    "ignore-all" => UnresolvedPolicy::IgnoreAll,
                    "import-dynamic" => UnresolvedPolicy::ImportDynamic,
                    _ => return Err(format!("unknown --unresolved-symbols value: {v}").into()),
                };
            }
            "end-lib" => c.inputs.push(InputArg::Lib(false)),
            "no-whole-archive" => c.inputs.push(InputArg::WholeArchive(false)),
            "O0" => c.opt_level = 0,
            "O1" => c.opt_level = 1,
            "O2" => c.opt_level = 2,
            "O3" => c.opt_level = 3,
            "demangle" => c.demangle = true,
            "no-demangle" => c.demangle = false,
            "Map" => c.map_file = Some(PathBuf::from(value("-Map")?)),
            "M" | "print-map" => c.map_file = Some(PathBuf::from("-")),
            "y" | "trace-symbol" => c.trace_symbols.push(value("--trace-symbol")?),
            "verbose" => c.verbose = true,
            "E" => explicit_export_dynamic = Some(true),
            // No build ID section, which is also the default (zig passes it).
            // The other kinds are not built yet.
            "build-id" => c.build_id = parse_build_id(inline.as_deref())?,
            "error-limit" => {
                let v = value("--error-limit")?;
                c.error_limit = v.parse().map_err(|_| format!("--error-limit: number expected, but got '{v}'"))?;
            }
            "color-diagnostics" => {
                c.color = match inline.as_deref() {
                    None | Some("always") => ColorChoice::Always,
                    Some("auto") => ColorChoice::Auto,
                    Some("never") => ColorChoice::Never,
                    Some(v) => return Err(format!("unknown option: --color-diagnostics={v}").into()),
                }
            }
            "no-color-diagnostics" => c.color = ColorChoice::Never,
            // Options that only matter for LLVM bitcode inputs (LTO), which
            // wasmlink rejects when one appears ("LTO is not supported"):
            // accepted so that clang's, emcc's and zig's lines link.
            "mllvm"
            | "plugin-opt"
            | "thinlto-cache-dir"
            | "thinlto-cache-policy"
            | "thinlto-jobs"
            | "lto-partitions" => {
                value(&name)?;
            }
            "save-temps" | "disable-verify" | "lto-debug-pass-manager" => {}
            n if n.starts_with("lto-O") || n.starts_with("lto-CGO") => {}
            "time" => c.time = true,
            "trace" | "t" => c.trace = true,
            "reproduce" => c.reproduce = Some(PathBuf::from(value("--reproduce")?)),
            "threads" => {
                let v = value("--threads")?;
                match v.parse::<usize>() {
                    Ok(n) if n > 0 => c.threads = Some(n),
                    _ => return Err(format!("--threads: expected a positive integer, but got '{v}'").into()),
                }
            }
            "version" => c.version = true,
            "v" | "V" => {
                c.version = true;
                c.version_continues = true;
            }
            "help" | "h" => c.help = true,
            _ => {
                // -lNAME, -LDIR, -oFILE, -zKEY=V written without a space.
                if let Some(rest) = arg.strip_prefix("-l").filter(|r| !r.is_empty() && !arg.starts_with("--")) {
                    c.inputs.push(InputArg::Library(rest.to_string()));
                } else if let Some(rest) = arg.strip_prefix("-L").filter(|r| !r.is_empty() && !arg.starts_with("--")) {
                    c.search_paths.push(PathBuf::from(rest));
                } else if let Some(rest) = arg.strip_prefix("-o").filter(|r| !r.is_empty() && !arg.starts_with("--")) {
                    c.output = Some(PathBuf::from(rest));
                } else if let Some(rest) = arg.strip_prefix("-m").filter(|r| !r.is_empty() && !arg.starts_with("--")) {
                    c.is64 = Some(parse_arch(rest)?);
                } else if let Some(rest) = arg.strip_prefix("-z").filter(|r| !r.is_empty() && !arg.starts_with("--")) {
                    match rest.split_once('=') {
                        Some(("stack-size", n)) => c.stack_size = parse_number("stack size", n)?,
                        None if rest == "muldefs" => c.allow_multiple_definition = true,
                        _ => return Err(format!("not supported yet: -z {rest}").into()),
                    }
                } else if WASM_LD_OPTIONS_NOT_BUILT.contains(&name.as_str()) {
                    return Err(format!("not supported yet: {arg}").into());
                } else {
                    unknown.push(format!("unknown argument: {arg}"));
                }
            }
        }
        // What the option did decides how `--reproduce` writes it again.
        let end = it.peek().map_or(args.len(), |(i, _)| *i);
        c.command_line.push(if name == "reproduce" {
            LineItem::Reproduce
        } else if c.output != output_before {
            LineItem::Output(c.output.clone().unwrap_or_default())
        } else if c.search_paths.len() > search_paths_before {
            LineItem::LibraryPath(c.search_paths.last().cloned().unwrap_or_default())
        } else {
            LineItem::Other(args[start..end].to_vec())
        });
    }
    if !unknown.is_empty() {
        return Err(ArgsError(unknown));
    }
    if c.no_growable_memory && c.max_memory.is_some() {
        return Err("--max-memory is incompatible with --no-growable-memory".to_string().into());
    }
    if c.compress_relocations && !c.strip_debug && !c.strip_all {
        return Err("--compress-relocations is incompatible with output debug information. Please pass --strip-debug or --strip-all".to_string().into());
    }
    if c.compress_relocations && relocatable {
        return Err("-r -and --compress-relocations may not be used together".to_string().into());
    }
    if relocatable && pie {
        return Err("-r and -pie may not be used together".to_string().into());
    }
    apply_pic(&mut c, pie, shared, explicit_export_memory, explicit_entry)?;
    c.export_dynamic = explicit_export_dynamic.unwrap_or(shared);
    c.export_memory = explicit_export_memory || !c.import_memory;
    c.gc_sections = explicit_gc.unwrap_or(!relocatable);
    c.merge_data_segments = explicit_merge.unwrap_or(!relocatable);
    if relocatable {
        apply_relocatable(&mut c, explicit_entry)?;
    } else if emit_relocs {
        c.output_kind = OutputKind::ExecutableWithRelocs;
    }
    if c.import_table && c.export_table {
        return Err("--import-table and --export-table may not be used together".to_string().into());
    }
    Ok(c)
}

/// `-pie` / `-shared`, with wasm-ld's checks and defaults: the indirect
/// function table is imported, there is no `--global-base` or
/// `--table-base`, shared libraries may be linked (`-Bdynamic` is the
/// default), and a shared library imports its memory and has no entry.
/// Without `--experimental-pic` wasm-ld warns that these are unstable.
fn apply_pic(
    c: &mut Config,
    pie: bool,
    shared: bool,
    explicit_export_memory: bool,
    explicit_entry: bool,
) -> Result<(), ArgsError> {
    if pie && shared {
        return Err("-shared and -pie may not be used together".to_string().into());
    }
    if c.bsymbolic && !shared {
        c.warnings.push("-Bsymbolic is only meaningful when combined with -shared".into());
    }
    if !c.experimental_pic && c.unresolved == UnresolvedPolicy::ImportDynamic {
        c.warnings.push("dynamic imports are not yet stable (--unresolved-symbols=import-dynamic)".into());
    }
    c.pic = match (pie, shared) {
        (true, _) => Some(PicKind::Pie),
        (_, true) => Some(PicKind::Shared),
        _ => return Ok(()),
    };
    if !c.experimental_pic {
        c.warnings.push(if shared {
            "creating shared libraries, with -shared, is not yet stable".into()
        } else {
            "creating PIEs, with -pie, is not yet stable".into()
        });
    }
    if c.export_table {
        return Err("-shared/-pie is incompatible with --export-table".to_string().into());
    }
    if c.global_base.is_some() {
        return Err("--global-base may not be used with -shared/-pie".to_string().into());
    }
    if c.table_base != 1 {
        return Err("--table-base may not be used with -shared/-pie".to_string().into());
    }
    c.import_table = true;
    c.static_by_default = false;
    if shared {
        if explicit_export_memory {
            return Err("--export-memory is incompatible with --shared".to_string().into());
        }
        c.import_memory = true;
        if !explicit_entry {
            c.entry = None;
        }
    }
    Ok(())
}

/// `-m`'s target: `wasm32` (false) or `wasm64` (true).
fn parse_arch(m: &str) -> Result<bool, ArgsError> {
    match m {
        "wasm32" => Ok(false),
        "wasm64" => Ok(true),
        _ => Err(format!("invalid target architecture: {m}").into()),
    }
}

/// `--build-id`'s style (no value: `fast`), as wasm-ld spells them.
fn parse_build_id(style: Option<&str>) -> Result<emit::BuildId, ArgsError> {
    Ok(match style {
        None | Some("fast") => emit::BuildId::Fast,
        Some("sha1" | "tree") => emit::BuildId::Sha1,
        Some("uuid") => emit::BuildId::Uuid,
        Some("none") => emit::BuildId::None,
        Some(s) if s.starts_with("0x") => emit::BuildId::Hex(parse_hex(&s[2..])?),
        Some(s) => return Err(format!("unknown --build-id style: {s}").into()),
    })
}

/// The bytes a hex string spells (an even number of digits).
fn parse_hex(hex: &str) -> Result<Vec<u8>, ArgsError> {
    let bad = || ArgsError::from(format!("not a hexadecimal value: {hex}"));
    if !hex.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2).ok_or_else(bad)?, 16).map_err(|_| bad()))
        .collect()
}

/// `-r`: a relocatable output, with wasm-ld's checks of the options that
/// make no sense for one. There is no entry, the memory is not exported and
/// the indirect function table is imported when used.
fn apply_relocatable(c: &mut Config, explicit_entry: bool) -> Result<(), ArgsError> {
    let conflict = if explicit_entry && c.entry.is_some() {
        Some("entry point specified for relocatable output file")
    } else if c.gc_sections {
        Some("-r and --gc-sections may not be used together")
    } else if !c.undefined.is_empty() {
        Some("-r -and --undefined may not be used together")
    } else if c.global_base.is_some() {
        Some("-r and --global-base may not by used together")
    } else if c.export_table {
        Some("--relocatable is incompatible with --export-table")
    } else if c.growable_table {
        Some("--relocatable is incompatible with --growable-table")
    } else {
        None
    };
    if let Some(message) = conflict {
        return Err(message.to_string().into());
    }
    c.output_kind = OutputKind::Relocatable;
    c.entry = None;
    c.export_memory = false;
    c.import_table = true;
    Ok(())
}

/// wasm-ld 22 options wasmlink doesn't implement yet: they fail with "not
/// supported yet" (never silently ignored); any other unknown option fails
/// as wasm-ld's do, with "unknown argument".
const WASM_LD_OPTIONS_NOT_BUILT: &[&str] = &[];

/// Why a command line can't be used: one message per problem (every
/// unknown argument is reported, as wasm-ld does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgsError(pub Vec<String>);

impl From<String> for ArgsError {
    fn from(message: String) -> Self {
        ArgsError(vec![message])
    }
}

impl std::fmt::Display for ArgsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

impl std::error::Error for ArgsError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(a: &[&str]) -> Result<Config, String> {
        parse(a.iter().map(|s| s.to_string()).collect()).map_err(|e| e.to_string())
    }

    /// `-m` in both spellings; the last wins; only wasm32 and wasm64.
    #[test]
    fn target_architecture() {
        assert_eq!(p(&["x.o"]).unwrap().is64, None);
        assert_eq!(p(&["-m", "wasm64", "x.o"]).unwrap().is64, Some(true));
        assert_eq!(p(&["-mwasm64", "x.o"]).unwrap().is64, Some(true));
        assert_eq!(p(&["-mwasm64", "-m", "wasm32", "x.o"]).unwrap().is64, Some(false));
        assert_eq!(p(&["-mwasm16", "x.o"]).unwrap_err(), "invalid target architecture: wasm16");
    }

    #[test]
    fn clang_driver_line() {
        let c = p(&["-m", "wasm32", "-L/usr/lib/wasm32-wasi", "crt1.o", "x.o", "-lc", "b.a", "-o", "x.wasm"]).unwrap();
        assert_eq!(c.output, Some(PathBuf::from("x.wasm")));
        assert_eq!(c.search_paths, vec![PathBuf::from("/usr/lib/wasm32-wasi")]);
        assert_eq!(c.inputs.len(), 4);
        assert_eq!(c.inputs[2], InputArg::Library("c".into()));
    }

    #[test]
    fn rustc_line() {
        let c = p(&[
            "-flavor",
            "wasm",
            "--export",
            "__main_void",
            "-z",
            "stack-size=1048576",
            "--stack-first",
            "--no-demangle",
            "a.o",
            "-l",
            "c",
            "-O3",
        ])
        .unwrap();
        assert_eq!(c.exports, vec!["__main_void".to_string()]);
        assert_eq!(c.stack_size, 1048576);
        assert_eq!(c.stack_first, Some(true));
        assert_eq!(c.opt_level, 3);
        assert_eq!(c.inputs[1], InputArg::Library("c".into()));
    }

    #[test]
    fn unknown_flag_is_rejected() {
        assert_eq!(p(&["--frobnicate"]).unwrap_err(), "unknown argument: --frobnicate");
        assert_eq!(
            p(&["--frobnicate", "-bogus"]).unwrap_err(),
            "unknown argument: --frobnicate\nunknown argument: -bogus"
        );
        assert_eq!(p(&["--rsp-quoting=dos"]).unwrap_err(), "invalid response file quoting: dos");
        assert_eq!(
            p(&["--compress-relocations"]).unwrap_err(),
            "--compress-relocations is incompatible with output debug information. Please pass --strip-debug or --strip-all"
        );
        assert_eq!(p(&["-shared", "-pie"]).unwrap_err(), "-shared and -pie may not be used together");
        // An unknown -z value is a warning, as in wasm-ld.
        assert_eq!(p(&["-z", "noexecstack"]).unwrap().warnings, ["unknown -z value: noexecstack"]);
    }

    #[test]
    fn allow_undefined_file_lines() {
        let dir = std::env::temp_dir().join(format!("wasmlink-args-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("syms.txt");
        std::fs::write(&f, "# comment\n  a  \n\nb # not a comment\n").unwrap();
        let c = p(&[&format!("--allow-undefined-file={}", f.display())]).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(c.allow_undefined_symbols, ["a", "b # not a comment"]);
    }

    #[test]
    fn windows_response_file_splitting() {
        assert_eq!(
            split_response_windows("a \"b c\" C:\\dir\\x.o 'q' \"say \"\"hi\"\"\" d\\\"e"),
            vec!["a", "b c", "C:\\dir\\x.o", "'q'", "say \"hi\"", "d\"e"]
        );
    }

    #[test]
    fn response_file_splitting() {
        assert_eq!(split_response("a 'b c' \"d\\\"e\"\n f"), vec!["a", "b c", "d\"e", "f"]);
    }
}
