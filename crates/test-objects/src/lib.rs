//! # test-objects: relocatable wasm objects and archives for stage tests
//!
//! A small builder of in-memory inputs for the tests of the pipeline's
//! stage crates, so that each stage can be checked on a few functions and
//! variables without compiling C or running the end-to-end suite.
//!
//! * [`ObjectBuilder`] writes a relocatable object as clang does
//!   (tool-conventions `Linking.md`): imported `env.__linear_memory`, code
//!   with 5-byte padded relocated fields, data segments, a `linking` section
//!   (version 2: symbol table, segment info, init functions, COMDATs) and
//!   `reloc.CODE` / `reloc.DATA` / `reloc.<custom>` sections. Function
//!   bodies are built with [`Body`], data with [`Segment`], custom sections
//!   with [`Custom`]; everything refers to symbols by name.
//! * [`ArchiveBuilder`] writes a GNU `ar` archive with a symbol index.
//! * [`inputs`] wraps named byte buffers as the parse stage's
//!   [`object_parse::LoadedInputs`].
//!
//! ```
//! use test_objects::{inputs, Body, ObjectBuilder, Sig};
//! let main = ObjectBuilder::new()
//!     .import_func("foo", Sig::void())
//!     .func("_start", Sig::void(), Body::new().call("foo"))
//!     .build();
//! let foo = ObjectBuilder::new().func("foo", Sig::void(), Body::new()).build();
//! let loaded = inputs(&[("main.o", main), ("foo.o", foo)]);
//! let set = object_parse::run(&loaded).unwrap();
//! assert_eq!(set.inputs.len(), 2);
//! ```

mod archive;
pub mod leb;
mod object;

pub use archive::ArchiveBuilder;
pub use object::{flags, segment_flags, Body, Custom, ObjectBuilder, Segment, Sig, ValType, INDIRECT_FUNCTION_TABLE};
pub use wasm_encoder::Instruction;

use object_parse::{FileBytes, LoadedFile, LoadedInputs};

/// One in-memory input file named `name` (no `--whole-archive`, not in a
/// `--start-lib` group).
pub fn input(name: &str, bytes: Vec<u8>) -> LoadedFile {
    LoadedFile {
        path: name.to_string(),
        bytes: FileBytes::Owned(bytes),
        whole_archive: false,
        static_only: false,
        lib_group: None,
        thin_members: Vec::new(),
    }
}

/// In-memory input files in command-line order, as `load_inputs` would
/// return them for files with these names and contents.
pub fn inputs(files: &[(&str, Vec<u8>)]) -> LoadedInputs {
    LoadedInputs { files: files.iter().map(|(n, b)| input(n, b.clone())).collect() }
}
