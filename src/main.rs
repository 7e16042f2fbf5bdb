use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    shirube::cli::run(shirube::cli::Cli::parse())
}
