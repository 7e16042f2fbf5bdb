//! shirube: a static site generator for self-serve customer onboarding guides.
//!
//! The build is a pipeline, one module per stage:
//! load → validate → gate by proof → render → index → write.

// Diagnostics are the error type of every stage; they are built only on the error path, so their size (a few
// strings) does not matter and boxing them would only add noise.
#![allow(clippy::result_large_err)]

/// `eprintln!` that never panics: see [`console`].
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::console::err(&format!("{}\n", format_args!($($arg)*)))
    };
}

pub mod cli;
pub mod cmd;
pub mod config;
pub mod console;
pub mod dates;
pub mod diagnostics;
pub mod feed;
pub mod import;
pub mod import_csv;
pub mod interrupt;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod percent;
pub mod pipeline;
pub mod proof;
pub mod prove;
pub mod render;
pub mod report;
pub mod requires;
pub mod routes;
pub mod search;
pub mod serve;
pub mod slug;
pub mod text;
pub mod theme;
pub mod validate;
pub mod yaml;

/// The hash maps and sets of the pipeline. FxHash (rustc-hash) rather than the standard library's SipHash:
/// the keys are paths, URLs and ids of the site being built, with no hash flooding to defend against, and
/// SipHash was a measurable share of a large build.
pub use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
