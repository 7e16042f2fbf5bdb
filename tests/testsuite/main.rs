//! Every integration test in one binary (as mdBook's `tests/testsuite/`): one link instead of one per
//! file. Each module is one area; `common` holds the helpers (run the real binary on a site in a temp
//! folder, read what it wrote), `support` the search tests' helpers.

#![allow(clippy::result_large_err)]

mod common;
mod support;

mod browser_phone;
mod browser_reader;
mod browser_report;
mod browser_search;
mod browser_serve;
mod build;
mod cli;
mod codes;
mod crash;
mod crash_kills;
mod deploy;
mod diagnostics;
mod hosting;
mod import_common;
mod import_docusaurus;
mod import_hugo;
mod import_jekyll;
mod import_mkdocs;
mod import_zendesk;
mod incremental;
mod links;
mod mangled;
mod proof;
mod prove_csv;
mod prove_xlsx;
mod reader;
mod report;
mod search_churn;
mod search_index_bench;
mod search_js;
mod search_leak;
mod search_parts;
mod search_quality;
mod search_tokenizer;
mod serve;
mod snapshot;
