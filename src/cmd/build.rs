//! `shirube build`: the pipeline, then the output writer (see [`crate::output`]) into `--out`.

use super::print_diagnostics;
use crate::output;
use crate::pipeline::{self, Options};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// The options of `shirube build` besides its folders.
#[derive(Debug, Clone, Default)]
pub struct Args {
    /// Publish under this address instead of `base_url`.
    pub base_url: Option<String>,
    /// Include unpublished pages, marked.
    pub preview: bool,
    /// Print how long each stage took.
    pub timings: bool,
    /// Every warning counts as an error.
    pub strict: bool,
}

/// Runs `shirube build`.
pub fn run(root: &Path, out: &Path, args: Args) -> ExitCode {
    let Args {
        base_url,
        preview,
        timings,
        strict,
    } = args;
    let out = if out.is_absolute() {
        out.to_path_buf()
    } else {
        root.join(out)
    };
    let _lock = match take_output(root, &out) {
        Ok(lock) => lock,
        Err(code) => return code,
    };
    let started = Instant::now();
    // The previous output is read while the site builds (the first stages leave a CPU idle now and then).
    let previous = {
        let out = out.clone();
        std::thread::spawn(move || output::scan_previous(&out))
    };
    // Never dropped: this command ends the process, and the operating system takes the build's memory back
    // at once, where dropping it would free every page, body and index one by one.
    let mut outcome = std::mem::ManuallyDrop::new(pipeline::build(&Options {
        root: root.to_path_buf(),
        base_url,
        preview,
        today: None,
    }));
    if strict {
        outcome.diagnostics.make_strict();
    }
    print_diagnostics(&outcome.diagnostics);
    if outcome.diagnostics.has_errors() {
        say!(
            "build failed: {}; nothing was written",
            outcome.diagnostics.summary()
        );
        return ExitCode::from(1);
    }
    let write_started = Instant::now();
    let previous = previous
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("reading the previous output failed")));
    let written = output::write_atomically_over(&out, &outcome.files, previous);
    if timings {
        print_timings(&outcome.timings, &written, write_started);
    }
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::Interrupted {
            say!("interrupted: the previous output was left as it was");
            return ExitCode::from(130);
        }
        say!(
            "error: cannot write {}: {e}\n  help: the previous output was left as it was",
            out.display()
        );
        return ExitCode::from(1);
    }
    if crate::interrupt::requested() {
        say!("interrupted: the new output was already in place");
        return ExitCode::from(130);
    }
    if !preview {
        say_held_back(&outcome.held_back);
    }
    let warnings = outcome.diagnostics.warnings();
    // Content pages, then every HTML file (they include the home, phase, tier, FAQ and kickoff pages), then
    // every file (the marker counted).
    let html = outcome
        .files
        .iter()
        .filter(|f| f.path.ends_with(".html"))
        .count();
    say!(
        "built {} page{} ({html} HTML files, {} files in all) into {} in {} ms{}{}",
        outcome.pages,
        if outcome.pages == 1 { "" } else { "s" },
        outcome.files.len() + 1,
        out.display(),
        started.elapsed().as_millis(),
        if warnings > 0 {
            format!(", {}", outcome.diagnostics.summary())
        } else {
            String::new()
        },
        if preview {
            " (preview: do not publish)"
        } else {
            ""
        }
    );
    ExitCode::SUCCESS
}

/// Checks that `out` may be written, locks it, and finishes or undoes what an interrupted build left; from
/// here on Ctrl-C and SIGTERM stop at a safe point. `Err` with the exit code once the error is said.
fn take_output(root: &Path, out: &Path) -> Result<output::FolderLock, ExitCode> {
    if let Some(why) = output::refuse_reason(root, out) {
        say!(
            "error: refusing to write the output to {}: {why}\n  help: choose another `--out` folder, \
             for example `--out public`",
            out.display()
        );
        return Err(ExitCode::from(2));
    }
    let lock = match output::lock(out) {
        Ok(lock) => lock,
        Err(e) => {
            say!(
                "error: cannot lock the output folder {}: {e}\n  help: check that its parent folder exists and \
                 can be read",
                out.display()
            );
            return Err(ExitCode::from(1));
        }
    };
    // Ctrl-C and SIGTERM from here on stop at a safe point (see `interrupt`).
    crate::interrupt::install();
    // A build killed while replacing the whole output left it aside: finish or undo that first.
    if let Err(e) = output::recover(out) {
        say!(
            "error: cannot finish what an interrupted build left beside {}: {e}\n  help: check the permissions of \
             its parent folder; shirube's leftovers there are named `.{}.shirube-*`",
            out.display(),
            out.file_name()
                .map_or(String::new(), |n| n.to_string_lossy().to_string())
        );
        return Err(ExitCode::from(1));
    }
    Ok(lock)
}

/// `build --timings`: wall time per stage, the write, and the slowest files to render.
fn print_timings(
    timings: &pipeline::Timings,
    written: &std::io::Result<output::Written>,
    write_started: Instant,
) {
    let detail = written.as_ref().map_or(String::new(), |w| {
        format!(
            " ({}: {} written, {} unchanged, {} removed; preparing {:.1} ms, switching {:.1} ms)",
            if w.replaced { "replaced" } else { "updated" },
            w.written,
            w.unchanged,
            w.removed,
            w.prepare_ms,
            w.commit_ms
        )
    });
    say!(
        "timings: {}, write {:.1} ms{detail}",
        timings.summary(),
        write_started.elapsed().as_secs_f64() * 1000.0
    );
    let slowest = timings.slowest_summary();
    if !slowest.is_empty() {
        say!("{slowest}");
    }
}

/// What a published build left out, by state: the author's hint that `status` has more.
fn say_held_back(held_back: &[(String, crate::proof::State)]) {
    if held_back.is_empty() {
        return;
    }
    let mut by_state: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (_, state) in held_back {
        *by_state.entry(state.id()).or_default() += 1;
    }
    let parts: Vec<String> = by_state.iter().map(|(s, n)| format!("{n} {s}")).collect();
    say!(
        "held back {} page{} ({}): see `shirube status`, or `shirube build --preview` to look at them",
        held_back.len(),
        if held_back.len() == 1 { "" } else { "s" },
        parts.join(", ")
    );
}
