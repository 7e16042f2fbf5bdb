//! `shirube report`: the internal proof and feedback report, written to one HTML file outside the output folder.

use crate::diagnostics::Diagnostics;
use crate::pipeline::{self, Checked, Options};
use crate::report::feedback::{self, Feedback, FeedbackArgs};
use crate::report::page::{GENERATOR, render};
use crate::report::status;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The options of `shirube report`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Where to write the report (relative to the site folder). Never inside the published output folder:
    /// the report names customers.
    #[arg(long, value_name = "FILE.html", default_value = "report.html")]
    pub out: PathBuf,
    #[command(flatten)]
    pub feedback: FeedbackArgs,
}

/// Runs `shirube report`.
pub fn run(root: &Path, args: &Args) -> ExitCode {
    if let Err(code) = super::require_site(root) {
        return code;
    }
    let out = if args.out.is_absolute() {
        args.out.clone()
    } else {
        root.join(&args.out)
    };
    if let Err(why) = check_out(root, &out) {
        say!(
            "error: refusing to write the report to {}: {why}\n  help: write it outside the published output, \
             for example --out report.html (and keep it out of version control: it names customers)",
            out.display()
        );
        return ExitCode::from(2);
    }
    let mut diags = Diagnostics::default();
    let Some(checked) = pipeline::prepare(
        &Options {
            root: root.to_path_buf(),
            ..Options::default()
        },
        &mut diags,
    ) else {
        crate::console::err(&diags.render());
        return ExitCode::from(1);
    };
    if diags.has_errors() {
        crate::console::err(&diags.render());
        say!("{}; the report below may be incomplete", diags.summary());
    }
    let feedback = match load_feedback(&args.feedback, &checked) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let status = status::compute(&checked, feedback.as_ref());
    let html = render(&checked, &status, feedback.as_ref());
    if let Err(e) = write_atomically(&out, html.as_bytes()) {
        say!(
            "error: cannot write {}: {e}\n  help: check that its folder exists and can be written",
            out.display()
        );
        return ExitCode::from(1);
    }
    say!(
        "wrote {}: {} gated pages ({} published, {} to prove, {} expiring within {} days){}\n\
         It is internal: it names customers{}. Do not publish or commit it.",
        out.display(),
        status.pages.len(),
        status.pages.iter().filter(|r| r.published).count(),
        status.to_prove.len(),
        status.expiring.len(),
        status::EXPIRY_WARNING_DAYS,
        feedback.as_ref().map_or(String::new(), |f| format!(
            "; {} feedback answers",
            f.rows - f.left_out
        )),
        if feedback.is_some() {
            " and quotes readers' comments"
        } else {
            ""
        }
    );
    if diags.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Reads `--feedback` when given, printing its problems. `Err` with the exit code when the export cannot be
/// read at all (bad rows are only warned about and left out).
pub fn load_feedback(args: &FeedbackArgs, checked: &Checked) -> Result<Option<Feedback>, ExitCode> {
    let Some(path) = &args.feedback else {
        return Ok(None);
    };
    let name = path.to_string_lossy().to_string();
    let f = feedback::load(args, &checked.pages, &checked.config, &name);
    if !f.problems.is_empty() {
        let mut d = Diagnostics::default();
        d.extend(f.problems.iter().cloned());
        crate::console::err(&d.render());
    }
    if f.failed() {
        return Err(ExitCode::from(1));
    }
    Ok(Some(f))
}

/// Why the report may not go to `out`: inside the output folder `build` writes by default (`public/`) or any
/// folder shirube built (it holds the output marker), a folder, or an existing file that is no shirube report.
fn check_out(root: &Path, out: &Path) -> Result<(), String> {
    if out.is_dir() {
        return Err("it is a folder".into());
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let parent = parent
        .canonicalize()
        .map_err(|e| format!("its folder {} cannot be used: {e}", parent.display()))?;
    let public = root.join("public").canonicalize().ok();
    for dir in parent.ancestors() {
        if dir.join(crate::output::MARKER).is_file() {
            return Err(format!(
                "{} is a folder shirube builds the guide into (it holds {}), and the report names customers",
                dir.display(),
                crate::output::MARKER
            ));
        }
        if public.as_deref() == Some(dir) {
            return Err(format!(
                "{} is the guide's output folder, and the report names customers",
                dir.display()
            ));
        }
    }
    if out.is_file() {
        let head = std::fs::read(out)
            .map(|b| String::from_utf8_lossy(&b[..b.len().min(1024)]).to_string())
            .unwrap_or_default();
        if !head.contains(&format!(
            "<meta name=\"generator\" content=\"{GENERATOR}\">"
        )) {
            return Err(
                "the file exists and is not a report shirube wrote, so it is left as it is".into(),
            );
        }
    }
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: a reader never sees half a
/// report, and a failure leaves the previous one.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map_or("report.html".into(), |n| n.to_string_lossy().to_string());
    let tmp = path.with_file_name(format!(".{name}.shirube-tmp"));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
