//! [`Config`]: one link's settings, as the command line gives them, and
//! their mapping onto each stage's options struct. This is the only place
//! that knows which flag feeds which stage.

use std::path::PathBuf;
pub use symbol_resolve::{OutputKind, PicKind, UnresolvedPolicy};

/// One input on the command line, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputArg {
    /// A file path.
    File(PathBuf),
    /// `-lNAME`.
    Library(String),
    /// `--whole-archive` / `--no-whole-archive` toggles.
    WholeArchive(bool),
    /// `--start-lib` (true) / `--end-lib` (false).
    Lib(bool),
    /// `-Bstatic`, `-static`, `-dn`, `-non_shared` (true): `-l` finds only
    /// `libNAME.a` and a shared library is an error; `-Bdynamic`, `-dy`,
    /// `-call_shared` (false): `-l` prefers `libNAME.so`.
    Static(bool),
}

/// Parsed command line.
#[derive(Debug, Clone)]
pub struct Config {
    /// `-o` (required, as in wasm-ld).
    pub output: Option<PathBuf>,
    /// Inputs and toggles, in order.
    pub inputs: Vec<InputArg>,
    /// `-L` directories.
    pub search_paths: Vec<PathBuf>,
    /// `--entry` (None with `--no-entry`).
    pub entry: Option<String>,
    /// `--export`.
    pub exports: Vec<String>,
    /// `--export-if-defined`.
    pub exports_if_defined: Vec<String>,
    /// `--allow-undefined`: `--import-undefined` plus
    /// `--unresolved-symbols=ignore-all`.
    pub allow_undefined: bool,
    /// `--import-undefined`.
    pub import_undefined: bool,
    /// `--unresolved-symbols=report-all|ignore-all`,
    /// `--warn-unresolved-symbols`, `--error-unresolved-symbols` (the last wins).
    pub unresolved: UnresolvedPolicy,
    /// `--gc-sections` (default true).
    pub gc_sections: bool,
    /// `--strip-debug`.
    pub strip_debug: bool,
    /// `--strip-all`.
    pub strip_all: bool,
    /// `--keep-section`.
    pub keep_sections: Vec<String>,
    /// `--stack-first` / `--no-stack-first`.
    pub stack_first: Option<bool>,
    /// `-z stack-size=`.
    pub stack_size: u64,
    /// `--global-base=`.
    pub global_base: Option<u64>,
    /// `--initial-memory=`.
    pub initial_memory: Option<u64>,
    /// `--max-memory=`.
    pub max_memory: Option<u64>,
    /// `--no-growable-memory`.
    pub no_growable_memory: bool,
    /// `--table-base=`.
    pub table_base: u32,
    /// `--page-size=` (65536 or 1).
    pub page_size: u64,
    /// `--growable-table`.
    pub growable_table: bool,
    /// `--import-memory`.
    pub import_memory: bool,
    /// `--shared-memory`.
    pub shared_memory: bool,
    /// `-m wasm64` (`Some(true)`) / `-m wasm32` (`Some(false)`); `None` when
    /// not given, which is wasm32 but rejects wasm64 objects with wasm-ld's
    /// "must specify -mwasm64".
    pub is64: Option<bool>,
    /// The memory is exported: by default, unless it is imported without
    /// `--export-memory`.
    pub export_memory: bool,
    /// `-O` level (string merging is not implemented yet; see --help).
    pub opt_level: u8,
    /// `--time`.
    pub time: bool,
    /// `--threads=N`.
    pub threads: Option<usize>,
    /// `-u` / `--undefined`.
    pub undefined: Vec<String>,
    /// `--allow-multiple-definition` (or `-z muldefs`).
    pub allow_multiple_definition: bool,
    /// `--noinhibit-exec`.
    pub noinhibit_exec: bool,
    /// `--export-all`.
    pub export_all: bool,
    /// `--export-dynamic`.
    pub export_dynamic: bool,
    /// `--no-check-features`.
    pub no_check_features: bool,
    /// `--import-memory=[MODULE,]FIELD`: the memory import's names.
    pub memory_import_name: Option<(String, String)>,
    /// `--initial-heap=N`.
    pub initial_heap: Option<u64>,
    /// `--allow-undefined-file=FILE` names: these may stay undefined (imported).
    pub allow_undefined_symbols: Vec<String>,
    /// `--export-table`.
    pub export_table: bool,
    /// `--import-table`.
    pub import_table: bool,
    /// `--print-gc-sections`.
    pub print_gc_sections: bool,
    /// `--wrap=NAME`.
    pub wrap: Vec<String>,
    /// `--fatal-warnings`.
    pub fatal_warnings: bool,
    /// `--features=a,b`.
    pub features: Option<Vec<String>>,
    /// `--extra-features=a,b`.
    pub extra_features: Vec<String>,
    /// `--no-merge-data-segments` turns this off.
    pub merge_data_segments: bool,
    /// `--export-memory=NAME`: the memory export's name.
    pub memory_export_name: Option<String>,
    /// `--error-limit=N`: errors printed before stopping (0: all).
    pub error_limit: usize,
    /// `--color-diagnostics[=WHEN]` / `--no-color-diagnostics`.
    pub color: ColorChoice,
    /// `-t` / `--trace`: print every linked input's name.
    pub trace: bool,
    /// `--build-id[=fast|sha1|tree|uuid|0xHEX|none]`.
    pub build_id: emit::BuildId,
    /// Warnings about the command line itself (e.g. an unknown `-z` value),
    /// printed before the link starts.
    pub warnings: Vec<String>,
    /// `--soname=NAME`: the module name in the `name` section (default: the
    /// output file's name).
    pub soname: Option<String>,
    /// `--why-extract=FILE`: where to write why each archive member was
    /// extracted (`-`: stdout).
    pub why_extract: Option<String>,
    /// `--why-live=SYM` patterns (a wasmlink extension): print why each
    /// matching symbol is in the output, or what removed it.
    pub why_live: Vec<String>,
    /// `--size-report=FILE.{json,txt,html}` (a wasmlink extension): where
    /// every byte of the output comes from.
    pub size_report: Option<PathBuf>,
    /// `-Map=FILE`, or `-` (standard output) for `-M` / `--print-map`.
    pub map_file: Option<PathBuf>,
    /// `--demangle` (default) / `--no-demangle`: C++ and Rust symbol names
    /// demangled in messages, the map file and the name section.
    pub demangle: bool,
    /// `-y NAME` / `--trace-symbol=NAME`: report where these symbols are
    /// defined and referenced.
    pub trace_symbols: Vec<String>,
    /// `--verbose`: log what the link does, as wasm-ld's `--verbose`.
    pub verbose: bool,
    /// `--reproduce=FILE` (or `LLD_REPRODUCE`): where to write the
    /// reproducer tar.
    pub reproduce: Option<PathBuf>,
    /// The command line, option by option, as `--reproduce` writes it again.
    pub command_line: Vec<LineItem>,
    /// What the link writes: `-r` / `--relocatable` gives a relocatable
    /// object, `--emit-relocs` a module that keeps its relocations.
    pub output_kind: OutputKind,
    /// `-pie` / `-shared`: position-independent output.
    pub pic: Option<PicKind>,
    /// `--experimental-pic`: no warning that `-pie`/`-shared` are unstable.
    pub experimental_pic: bool,
    /// `-Bsymbolic`: a shared library binds its own symbols itself.
    pub bsymbolic: bool,
    /// Position-independent output with wasm-ld 14's start and constructor
    /// conventions ([`Config::follow_wasm_ld_14`]).
    pub wasm_ld_14_pic: bool,
    /// `--compress-relocations`: relocated LEB fields of the code at their
    /// minimal length (needs `--strip-debug` or `--strip-all`).
    pub compress_relocations: bool,
    /// `-rpath DIR`: the runtime path recorded in `dylink.0`.
    pub rpath: Vec<String>,
    /// Until a `-Bdynamic` says otherwise: shared libraries may not be
    /// linked and `-l` looks for archives only (the default except with
    /// `-pie`/`-shared`; always with `-r`).
    pub static_by_default: bool,
    /// `--version` was given.
    pub version: bool,
    /// `--help` was given.
    pub help: bool,
    /// `-v`/`-V`: print the version, then link if there are inputs.
    pub version_continues: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            output: None,
            inputs: Vec::new(),
            search_paths: Vec::new(),
            entry: Some("_start".into()),
            exports: Vec::new(),
            exports_if_defined: Vec::new(),
            allow_undefined: false,
            import_undefined: false,
            unresolved: UnresolvedPolicy::ReportAll,
            gc_sections: true,
            strip_debug: false,
            strip_all: false,
            keep_sections: Vec::new(),
            stack_first: None,
            stack_size: 65536,
            global_base: None,
            initial_memory: None,
            max_memory: None,
            no_growable_memory: false,
            table_base: 1,
            page_size: 65536,
            growable_table: false,
            import_memory: false,
            shared_memory: false,
            is64: None,
            export_memory: true,
            opt_level: 1,
            time: false,
            threads: None,
            undefined: Vec::new(),
            allow_multiple_definition: false,
            noinhibit_exec: false,
            export_all: false,
            export_dynamic: false,
            no_check_features: false,
            memory_export_name: None,
            memory_import_name: None,
            initial_heap: None,
            allow_undefined_symbols: Vec::new(),
            export_table: false,
            import_table: false,
            print_gc_sections: false,
            merge_data_segments: true,
            features: None,
            extra_features: Vec::new(),
            wrap: Vec::new(),
            fatal_warnings: false,
            error_limit: 20,
            color: ColorChoice::Auto,
            trace: false,
            why_extract: None,
            why_live: Vec::new(),
            size_report: None,
            soname: None,
            warnings: Vec::new(),
            build_id: emit::BuildId::None,
            reproduce: None,
            map_file: None,
            demangle: true,
            trace_symbols: Vec::new(),
            verbose: false,
            command_line: Vec::new(),
            output_kind: OutputKind::Executable,
            pic: None,
            experimental_pic: false,
            bsymbolic: false,
            rpath: Vec::new(),
            compress_relocations: false,
            wasm_ld_14_pic: false,
            static_by_default: true,
            version: false,
            help: false,
            version_continues: false,
        }
    }
}

/// One option (with its values) of the command line, by what it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineItem {
    /// An input file.
    Input(String),
    /// `-o`.
    Output(PathBuf),
    /// `-L`.
    LibraryPath(PathBuf),
    /// `--reproduce` itself.
    Reproduce,
    /// Any other option, as given.
    Other(Vec<String>),
}

/// When diagnostics are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    /// When stderr is a terminal (the default).
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Config {
    /// The options of symbol resolution.
    pub fn resolve_options(&self) -> symbol_resolve::ResolveOptions {
        symbol_resolve::ResolveOptions {
            entry: self.entry.clone(),
            exports: self.exports.clone(),
            exports_if_defined: self.exports_if_defined.clone(),
            import_undefined: self.import_undefined || self.allow_undefined,
            unresolved: if self.allow_undefined { UnresolvedPolicy::IgnoreAll } else { self.unresolved },
            gc_sections: self.gc_sections,
            undefined: self.undefined.clone(),
            allow_multiple_definition: self.allow_multiple_definition,
            noinhibit_exec: self.noinhibit_exec,
            export_all: self.export_all,
            export_dynamic: self.export_dynamic,
            allow_undefined_symbols: self.allow_undefined_symbols.clone(),
            wrap: self.wrap.clone(),
            features: self.features.clone(),
            extra_features: self.extra_features.clone(),
            output: self.output_kind,
            shared_memory: self.shared_memory,
            pic: self.pic,
            bsymbolic: self.bsymbolic,
            is64: self.is64,
        }
    }

    /// When called as `wasm-ld-14` (emcc 3.1.6 runs its linker by that
    /// name), position-independent links follow wasm-ld 14, which
    /// Emscripten 3.1.6's loader relies on: every undefined symbol is left
    /// to the dynamic loader (wasm-ld 22 reports them unless
    /// `--unresolved-symbols=import-dynamic`), and the data relocations are
    /// applied at start and by `__wasm_call_ctors` (wasm-ld 22 exports
    /// `__wasm_apply_data_relocs` for the loader to call). Nothing else
    /// changes.
    pub fn follow_wasm_ld_14(&mut self) {
        if self.pic.is_some() && self.unresolved == UnresolvedPolicy::ReportAll && !self.allow_undefined {
            self.unresolved = UnresolvedPolicy::ImportDynamic;
        }
        self.wasm_ld_14_pic = self.pic.is_some();
    }

    /// Whether string data segments are merged: at `-O1` (the default) and
    /// up, also with `-r` (the output symbols are moved with their strings,
    /// as wasm-ld does), but not with `--emit-relocs`, whose relocations
    /// describe the unmerged segments.
    fn merges_strings(&self) -> bool {
        self.opt_level >= 1 && self.output_kind != OutputKind::ExecutableWithRelocs
    }

    /// Whether `.debug_str` is merged: as data, but never when the output
    /// keeps relocations (their section offsets point into the unmerged
    /// section).
    fn merges_debug_strings(&self) -> bool {
        self.opt_level >= 1 && !self.output_kind.keeps_relocations()
    }

    /// The options of memory and table layout.
    pub fn layout_options(&self) -> atom_layout::LayoutOptions {
        atom_layout::LayoutOptions {
            stack_first: self.stack_first,
            stack_size: self.stack_size,
            global_base: self.global_base,
            initial_memory: self.initial_memory,
            max_memory: self.max_memory,
            initial_heap: self.initial_heap,
            merge_data_segments: self.merge_data_segments,
            import_memory: self.import_memory,
            export_memory: self.export_memory,
            no_growable_memory: self.no_growable_memory,
            table_base: self.table_base,
            page_size: self.page_size,
            merge_strings: self.merges_strings(),
            growable_table: self.growable_table,
            output: self.output_kind,
            shared_memory: self.shared_memory,
            memory64: self.is64 == Some(true),
            features: self.features.clone(),
            extra_features: self.extra_features.clone(),
            pic: self.pic,
        }
    }

    /// The options of index-space merging.
    pub fn merge_options(&self) -> section_merge::MergeOptions {
        section_merge::MergeOptions {
            export_memory: self.export_memory,
            memory_export_name: self.memory_export_name.clone().unwrap_or_else(|| "memory".into()),
            import_table: self.import_table,
            export_table: self.export_table,
            output: self.output_kind,
            shared_memory: self.shared_memory,
            wasm_ld_14_pic: self.wasm_ld_14_pic,
        }
    }

    /// The options of module emission.
    pub fn emit_options(&self) -> emit::EmitOptions {
        emit::EmitOptions {
            custom: emit::CustomPolicy {
                strip_debug: self.strip_debug,
                strip_all: self.strip_all,
                keep: self.keep_sections.clone(),
                merge_strings: self.merges_debug_strings(),
            },
            import_memory: self.import_memory,
            memory_import: self.memory_import_name.clone().unwrap_or_else(|| ("env".into(), "memory".into())),
            check_features: !self.no_check_features,
            features: self.features.clone(),
            extra_features: self.extra_features.clone(),
            build_id: self.build_id.clone(),
            module_name: self.soname.clone().or_else(|| {
                let output = self.output.as_ref()?;
                Some(match output.file_name() {
                    Some(name) => name.to_string_lossy().into_owned(),
                    None => output.to_string_lossy().into_owned(),
                })
            }),
            output: self.output_kind,
            demangle: self.demangle,
            shared_memory: self.shared_memory,
            rpath: self.rpath.clone(),
            compress_relocations: self.compress_relocations,
        }
    }

    /// The input files in command-line order, with `-l` names looked up in
    /// the `-L` directories and the `--whole-archive` and `--start-lib`
    /// state of each.
    pub fn input_specs(&self) -> Result<Vec<object_parse::InputSpec>, ConfigError> {
        let mut whole = false;
        let mut static_only = self.static_by_default;
        let mut group: Option<u32> = None;
        let mut groups = 0u32;
        let mut out = Vec::new();
        for i in &self.inputs {
            match i {
                InputArg::WholeArchive(w) => whole = *w,
                // `-r` links statically whatever the line says.
                InputArg::Static(s) => static_only = *s || self.output_kind.is_relocatable(),
                InputArg::Lib(true) => {
                    if group.is_some() {
                        return Err(ConfigError::NestedStartLib);
                    }
                    group = Some(groups);
                    groups += 1;
                }
                InputArg::Lib(false) => {
                    if group.take().is_none() {
                        return Err(ConfigError::StrayEndLib);
                    }
                }
                InputArg::File(p) => out.push(object_parse::InputSpec {
                    path: p.clone(),
                    whole_archive: whole,
                    lib_group: group,
                    static_only,
                }),
                InputArg::Library(name) => {
                    let path = self
                        .find_library(name, static_only)
                        .ok_or_else(|| ConfigError::LibraryNotFound(name.clone()))?;
                    out.push(object_parse::InputSpec { path, whole_archive: whole, lib_group: None, static_only });
                }
            }
        }
        if out.is_empty() {
            return Err(ConfigError::NoInputFiles);
        }
        Ok(out)
    }

    /// `-lNAME`: in each `-L` directory in turn, `libNAME.so` (unless
    /// linking statically) then `libNAME.a`; `-l:FILE` names the file.
    fn find_library(&self, name: &str, static_only: bool) -> Option<PathBuf> {
        if let Some(file) = name.strip_prefix(':') {
            return self.search_paths.iter().map(|d| d.join(file)).find(|p| p.is_file());
        }
        self.search_paths.iter().find_map(|d| {
            let shared = (!static_only).then(|| d.join(format!("lib{name}.so")));
            shared.into_iter().chain([d.join(format!("lib{name}.a"))]).find(|p| p.is_file())
        })
    }
}

/// A command line that names no linkable inputs, or a library that isn't
/// there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// No input files (after `-l` lookup).
    NoInputFiles,
    /// `-lNAME` found no `libNAME.a` in the `-L` directories.
    LibraryNotFound(String),
    /// `--start-lib` inside `--start-lib`.
    NestedStartLib,
    /// `--end-lib` without `--start-lib`.
    StrayEndLib,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::NoInputFiles => f.write_str("no input files"),
            ConfigError::LibraryNotFound(name) => write!(f, "unable to find library -l{name}"),
            ConfigError::NestedStartLib => f.write_str("nested --start-lib"),
            ConfigError::StrayEndLib => f.write_str("stray --end-lib"),
        }
    }
}

impl std::error::Error for ConfigError {}
