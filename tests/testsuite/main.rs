//! Every integration test in one binary (as mdBook's `tests/testsuite/`): one link instead of one per
//! file. Each module is one area; `common` holds the helpers (run the real binary on a site in a temp
//! folder, read what it wrote), `support` the search tests' helpers.

#![allow(clippy::result_large_err)]

mod common;
mod support;

mod browser_reader;
mod browser_search;
mod browser_serve;
mod build;
mod cli;
mod crash;
mod crash_kills;
mod diagnostics;
mod incremental;
mod links;
mod mangled;
mod proof;
mod prove_csv;
mod reader;
mod search_churn;
mod search_index_bench;
mod search_js;
mod search_leak;
mod search_parts;
mod search_quality;
mod search_tokenizer;
mod serve;
