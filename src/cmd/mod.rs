//! One module per subcommand: arguments in, exit code out. [`crate::cli`] parses the arguments and calls the
//! `run` of one of them.

pub mod build;
pub mod check;
pub mod completions;
pub mod import;
pub mod init;
pub mod new;
pub mod prove;
pub mod report;
pub mod status;

use crate::diagnostics::Diagnostics;
use clap::ValueEnum;
use std::io::Write as _;

/// `Err` with the exit code, after saying so as every command does, when `root` holds no `shirube.yaml`.
pub fn require_site(root: &std::path::Path) -> Result<(), std::process::ExitCode> {
    if root.join(crate::config::CONFIG_FILE).exists() {
        return Ok(());
    }
    let mut d = Diagnostics::default();
    d.push(crate::pipeline::no_site(root));
    print_diagnostics(&d);
    Err(std::process::ExitCode::from(1))
}

/// Prints every diagnostic to stderr.
fn print_diagnostics(d: &Diagnostics) {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{}", d.render());
}

/// Output formats for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Human,
    /// For programs.
    Json,
}
