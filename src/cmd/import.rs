//! `shirube import hugo|mkdocs|docusaurus|jekyll|zendesk SRC [--into DIR]`: an existing site or help centre in,
//! a shirube site out. The work is in [`crate::import`]; this file reads the arguments and prints the outcome.

use crate::import::{self, Options, Source};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The kinds of source, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceArg {
    /// A Hugo site: the folder with hugo.toml (or config.toml) and content/.
    Hugo,
    /// An MkDocs site: the folder with mkdocs.yml and docs/.
    Mkdocs,
    /// A Docusaurus site: the folder with docusaurus.config.js and docs/ (or the docs folder itself).
    Docusaurus,
    /// A Jekyll site: the folder with _config.yml.
    Jekyll,
    /// A Zendesk Help Center export: the articles JSON of the API, or a folder of its pages.
    Zendesk,
}

/// `shirube import`'s arguments (the docs are `shirube import --help`).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// What the source is.
    #[arg(value_enum)]
    pub source: SourceArg,
    /// The source: a site's folder, or for zendesk the export (a .json file or a folder of them).
    pub src: PathBuf,
    /// The shirube site to write (created if missing). Nothing outside it is written. Default: --root, or the
    /// current folder.
    #[arg(long, value_name = "DIR")]
    pub into: Option<PathBuf>,
    /// Overwrite files that were edited since the last import (by default they are kept, and listed).
    #[arg(long)]
    pub force: bool,
    /// Record one clearly labelled legacy engagement per imported playbook and FAQ (id `LEGACY-<date>-<n>`,
    /// customer "legacy help centre", outcome success, dated today) in manifest/legacy-import.yaml, so that
    /// pages the old site already published keep being published. Without it nothing imported is published
    /// until proven.
    #[arg(long)]
    pub legacy_proof: bool,
    /// The phase of pages that nothing places (default: `unplaced:` of import.yaml, else the first phase).
    #[arg(long, value_name = "PHASE")]
    pub unplaced: Option<String>,
}

/// Runs `shirube import`.
pub fn run(root: Option<&Path>, args: &Args) -> ExitCode {
    let into = match (&args.into, root) {
        (Some(i), Some(r)) if i.is_relative() => r.join(i),
        (Some(i), _) => i.clone(),
        (None, Some(r)) => r.to_path_buf(),
        (None, None) => PathBuf::from("."),
    };
    let today = match crate::dates::today() {
        Ok(t) => t,
        Err(e) => {
            say!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let opts = Options {
        source: match args.source {
            SourceArg::Hugo => Source::Hugo,
            SourceArg::Mkdocs => Source::Mkdocs,
            SourceArg::Docusaurus => Source::Docusaurus,
            SourceArg::Jekyll => Source::Jekyll,
            SourceArg::Zendesk => Source::Zendesk,
        },
        src: args.src.clone(),
        into,
        force: args.force,
        legacy_proof: args.legacy_proof,
        unplaced: args.unplaced.clone(),
        today,
    };
    match import::run(&opts) {
        Ok(summary) => {
            let mut out = summary.lines.join("\n");
            out.push('\n');
            let _ = crate::console::out(&out);
            if summary.check_errors > 0 {
                say!(
                    "error: the imported site has {} errors: run `shirube check --root {}`",
                    summary.check_errors,
                    opts.into.display()
                );
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        // A diagnostic of a file (import.yaml) comes rendered, with its position.
        Err(e) if e.contains(": error[") => {
            crate::console::err(&e);
            ExitCode::from(1)
        }
        // A diagnostic of a file (import.yaml) comes rendered, with its position.
        Err(e) if e.contains(": error[") => {
            crate::console::err(&e);
            ExitCode::from(1)
        }
        Err(e) => {
            say!("error: {e}");
            ExitCode::from(1)
        }
    }
}
