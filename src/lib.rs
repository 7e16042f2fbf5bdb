//! shirube: a static site generator for self-serve customer onboarding guides.
//!
//! The build is a pipeline, one module per stage, run by [`pipeline::build`] (start there: its module opens with
//! a table of each stage's input and output):
//!
//! load → config → validate → gate by proof → theme → markdown → render ‖ index → write
//!
//! Modules below are grouped in layers; each imports only from its own layer or the ones listed before it.

// Diagnostics are the error type of every stage; they are built only on the error path, so their size (a few
// strings) does not matter and boxing them would only add noise.
#![allow(clippy::result_large_err)]

/// `eprintln!` that never panics: see [`console`].
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::console::err(&format!("{}\n", format_args!($($arg)*)))
    };
}

// The model: types and helpers every stage shares, importing no stage.
pub mod config;
pub mod console;
pub mod dates;
pub mod diagnostics;
pub mod model;
pub mod percent;
pub mod requires;
pub mod routes;
pub mod slug;
pub mod text;
pub mod yaml;

// The stages (load, validate, proof: the gate, theme, markdown, render with feed, search: the index, output:
// the write) and the pipeline that runs them.
pub mod feed;
pub mod load;
pub mod markdown;
pub mod output;
pub mod pipeline;
pub mod proof;
pub mod render;
pub mod search;
pub mod theme;
pub mod validate;

// Beside the pipeline: the preview server, the manifest writer, importers and the report.
pub mod import;
pub mod import_csv;
pub mod interrupt;
pub mod manifest_edit;
pub mod report;
pub mod serve;

// The command line.
pub mod cli;
pub mod cmd;

/// The hash maps and sets of the pipeline. FxHash (rustc-hash) rather than the standard library's SipHash:
/// the keys are paths, URLs and ids of the site being built, with no hash flooding to defend against, and
/// SipHash was a measurable share of a large build.
pub use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
