//! `shirube init`: a new guide from the starter site of the chosen language.

use crate::theme;
use clap::ValueEnum;
use std::path::Path;
use std::process::ExitCode;

/// Runs `shirube init` into `dir`.
pub fn run(dir: &Path, lang: Lang) -> ExitCode {
    if dir.exists() && !dir.is_dir() {
        say!(
            "error: {} is a file, not a folder\n  help: give the name of a new or empty folder: `shirube init NEW_FOLDER`",
            dir.display()
        );
        return ExitCode::from(2);
    }
    if dir.exists() {
        // What version control and the desktop put in every folder does not make it busy.
        const IGNORED: [&str; 3] = [".git", ".DS_Store", "Thumbs.db"];
        let busy = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .any(|e| !IGNORED.iter().any(|i| e.file_name() == *i))
            })
            .unwrap_or(true);
        if busy {
            say!(
                "error: {} is not empty\n  help: run `shirube init NEW_FOLDER` to create the site in a new folder",
                dir.display()
            );
            return ExitCode::from(2);
        }
    }
    let files = theme::starter(match lang {
        Lang::En => "en",
        Lang::Ja => "ja",
    });
    // The sample engagements are dated today, so the sample stays proven for max_age_days from now.
    let today = crate::dates::format_date(crate::dates::today().unwrap_or(0));
    for (rel, bytes) in files {
        let path = dir.join(rel);
        let dated;
        let bytes: &[u8] = if *rel == crate::load::MANIFEST_FILE {
            dated = String::from_utf8_lossy(bytes)
                .lines()
                .map(|l| match l.split_once("date: ") {
                    Some((indent, _)) if indent.trim().is_empty() => {
                        format!("{indent}date: {today}\n")
                    }
                    _ => format!("{l}\n"),
                })
                .collect::<String>();
            dated.as_bytes()
        } else {
            bytes
        };
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, bytes));
        if let Err(e) = written {
            say!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    let shown = dir.display();
    say!(
        "created a new guide in {shown}\n\nnext:\n  cd {shown}\n  shirube build          # writes public/\n  \
         shirube check          # every problem, nothing written"
    );
    ExitCode::SUCCESS
}

/// Languages `init` can write.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Lang {
    /// English.
    En,
    /// Japanese.
    Ja,
}
