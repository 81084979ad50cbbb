//! Typed errors and warnings of the layout stage. All the wording of the
//! stage's messages lives here.

use crate::memory::STACK_ALIGN;
use object_parse::error::escape_controls;

/// Errors of this stage: every problem found (bad memory options, missing
/// `__start_`/`__stop_` segments), each printed as its own `error:` line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct LayoutError(pub Vec<LayoutProblem>);

/// Which memory size option a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemorySetting {
    /// `--initial-memory`.
    Initial,
    /// `--max-memory`.
    Maximum,
}

impl std::fmt::Display for MemorySetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MemorySetting::Initial => "initial memory",
            MemorySetting::Maximum => "maximum memory",
        })
    }
}

/// Which end of a segment a `__start_NAME`/`__stop_NAME` symbol marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentBound {
    /// `__start_NAME`.
    Start,
    /// `__stop_NAME`.
    Stop,
}

/// One problem found by the layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutProblem {
    /// `-z stack-size` is not a multiple of the stack alignment.
    #[error("stack size must be {STACK_ALIGN}-byte aligned")]
    StackSizeUnaligned {
        /// The stack size asked for.
        stack_size: u64,
    },
    /// `--global-base` below the end of the stack with `--stack-first`.
    #[error("--global-base cannot be less than stack size when --stack-first is used")]
    GlobalBaseInStack {
        /// The `--global-base` value.
        global_base: u64,
        /// The end of the stack.
        stack_end: u64,
    },
    /// `--initial-heap` is not a multiple of the page size.
    #[error("initial heap must be aligned to the page size ({page_size} bytes)")]
    InitialHeapUnaligned {
        /// The value asked for.
        heap: u64,
        /// The page size.
        page_size: u64,
    },
    /// `--initial-heap` does not fit in a 32-bit memory after the data.
    #[error("initial heap too large, cannot be greater than {max}")]
    InitialHeapTooLarge {
        /// The value asked for.
        heap: u64,
        /// The largest value that fits.
        max: u64,
    },
    /// A memory size option that is not a multiple of the page size.
    #[error("{setting} must be {page_size}-byte aligned")]
    MemoryUnaligned {
        /// Which option.
        setting: MemorySetting,
        /// The value asked for.
        value: u64,
        /// The page size.
        page_size: u64,
    },
    /// A memory size option below what the data, stack and heap need.
    #[error("{setting} too small, {needed} bytes needed")]
    MemoryTooSmall {
        /// Which option.
        setting: MemorySetting,
        /// The value asked for.
        value: u64,
        /// The bytes needed.
        needed: u64,
    },
    /// A memory size option above 4 GiB.
    #[error("{setting} too large, cannot be greater than {max}")]
    MemoryTooLarge {
        /// Which option.
        setting: MemorySetting,
        /// The value asked for.
        value: u64,
        /// The largest value allowed.
        max: u64,
    },
    /// A referenced `__start_NAME`/`__stop_NAME` without an output segment
    /// `NAME`.
    #[error(
        "undefined symbol: {}{} (no output data segment named {})",
        match .bound { SegmentBound::Start => "__start_", SegmentBound::Stop => "__stop_" },
        escape_controls(.segment), escape_controls(.segment)
    )]
    UndefinedSegmentBound {
        /// `__start_` or `__stop_`.
        bound: SegmentBound,
        /// The segment name.
        segment: String,
    },
}

/// A warning of the layout stage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutWarning {
    /// `--global-base` below the stack size without an explicit stack
    /// placement: data goes before the stack, as in wasm-ld 19.
    #[error(
        "--global-base={global_base} is below the stack size ({stack_size}): placing data before the stack as wasm-ld 19 did (pass --stack-first or --no-stack-first to choose explicitly)"
    )]
    GlobalBaseBelowStack {
        /// The `--global-base` value.
        global_base: u64,
        /// The stack size.
        stack_size: u64,
    },
}
