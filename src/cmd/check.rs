//! `shirube check`: the pipeline without writing; every diagnostic, for people or as JSON.

use super::Format;
use super::print_diagnostics;
use crate::console;
use crate::site::{self, Options};
use std::path::Path;
use std::process::ExitCode;

/// Runs `shirube check`.
pub fn run(root: &Path, format: Format) -> ExitCode {
    // Never dropped, as in `build`.
    let outcome = std::mem::ManuallyDrop::new(site::build(&Options {
        root: root.to_path_buf(),
        base_url: None,
        preview: false,
        today: None,
    }));
    let d = &outcome.diagnostics;
    match format {
        Format::Json => {
            if let Err(code) = console::out_or_fail(&format!("{}\n", d.to_json())) {
                return code;
            }
        }
        Format::Human => {
            print_diagnostics(d);
            say!("{}", d.summary());
        }
    }
    if d.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
