//! The part of emit that needs only the resolution: which input custom
//! sections are kept and how (with `.debug_str` merged), and the name each
//! live input function gets in the `name` section (demangled). Neither
//! depends on layout, merge or type deduplication, so the driver runs
//! [`prepare`] alongside those stages, on a core that would otherwise wait
//! for them; [`crate::run_with_layout`] then only assembles.

use crate::custom::{self, CustomPlan};
use crate::EmitOptions;
use rayon::prelude::*;
use symbol_resolve::Resolution;

/// What [`prepare`] computed: emit's input besides the other stages'
/// outputs.
pub struct Prepared<'a> {
    /// The kept input custom sections, grouped by name, strings merged.
    pub(crate) customs: CustomPlan,
    /// Per object, per defined function: the name the `name` section gives
    /// it (its first defining symbol's, shown as wasm-ld shows it); `None`
    /// for dead or unnamed functions. Empty when no `name` section is
    /// written.
    pub(crate) function_names: Vec<Vec<Option<String>>>,
    /// Per object, per defined global: its first defining symbol's name
    /// (shown when the `name` section is written). Empty when no `name`
    /// section is written.
    pub(crate) global_names: Vec<Vec<Option<&'a str>>>,
}

/// Function names demangled per parallel job: small enough that a thread
/// that is done elsewhere can take over part of the work, large enough that
/// the jobs cost nothing next to demangling (a few microseconds a name).
const NAMES_PER_JOB: usize = 256;

/// Plans the custom sections and names the live input functions.
pub fn prepare<'a>(res: &Resolution<'a>, opts: &EmitOptions) -> Prepared<'a> {
    let (customs, (function_names, global_names)) = rayon::join(
        || custom::plan(res, &opts.custom),
        || match crate::keeps_linker_section(opts, "name") {
            true => {
                let first = custom::FirstNames::of(res);
                (function_names(res, &first.functions, opts.demangle), first.globals)
            }
            false => (Vec::new(), Vec::new()),
        },
    );
    Prepared { customs, function_names, global_names }
}

/// Each live input function's name-section name (its first name, from
/// `first_names`), demangled in parallel.
fn function_names(res: &Resolution<'_>, first_names: &[Vec<Option<&str>>], demangle: bool) -> Vec<Vec<Option<String>>> {
    // Every named live function as (object, function, name), in order.
    let todo: Vec<(usize, usize, &str)> = first_names
        .iter()
        .enumerate()
        .flat_map(|(o, names)| {
            let live = &res.live.functions[o];
            names.iter().enumerate().filter_map(move |(f, n)| Some((o, f, (*n).filter(|_| live[f])?)))
        })
        .collect();
    let shown: Vec<String> = todo
        .par_iter()
        .with_max_len(NAMES_PER_JOB)
        .map(|(_, _, name)| demangle::display_name(name, demangle).into_owned())
        .collect();
    let mut out: Vec<Vec<Option<String>>> = first_names.iter().map(|names| vec![None; names.len()]).collect();
    for ((o, f, _), name) in todo.into_iter().zip(shown) {
        out[o][f] = Some(name);
    }
    out
}
