//! `shirube check`: the pipeline without writing; every diagnostic, for people, as JSON, or as GitHub
//! annotations.

use super::print_diagnostics;
use crate::console;
use crate::pipeline::{self, Options};
use clap::ValueEnum;
use std::path::{Component, Path};
use std::process::ExitCode;

/// How `check` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// For people.
    Human,
    /// For programs: counts and every diagnostic.
    Json,
    /// GitHub Actions workflow commands, shown on the pull request's diff.
    Github,
}

/// Runs `shirube check`; `strict`: every warning counts as an error.
pub fn run(root: &Path, format: CheckFormat, strict: bool) -> ExitCode {
    // Never dropped, as in `build`.
    let mut outcome = std::mem::ManuallyDrop::new(pipeline::build(&Options {
        root: root.to_path_buf(),
        base_url: None,
        preview: false,
        today: None,
    }));
    if strict {
        outcome.diagnostics.make_strict();
    }
    let d = &outcome.diagnostics;
    match format {
        CheckFormat::Json => {
            if let Err(code) = console::out_or_fail(&format!("{}\n", d.to_json())) {
                return code;
            }
        }
        CheckFormat::Github => {
            if let Err(code) = console::out_or_fail(&d.to_github(&path_prefix(root))) {
                return code;
            }
            say!("{}", d.summary());
        }
        CheckFormat::Human => {
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

/// The site folder as a prefix for paths from the current folder (`docs/guide/`), or nothing for `.`.
fn path_prefix(root: &Path) -> String {
    let root = match std::env::current_dir() {
        Ok(here) if root.is_absolute() => root.strip_prefix(&here).unwrap_or(root),
        _ => root,
    };
    if root.is_absolute() {
        return format!("{}/", root.display());
    }
    let parts: Vec<String> = root
        .components()
        .filter(|c| *c != Component::CurDir)
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    parts.iter().map(|p| format!("{p}/")).collect()
}
