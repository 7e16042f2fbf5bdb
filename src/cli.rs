//! The command line: parsing with clap, one function per command.
//!
//! Exit codes: 0 ok, 1 content or config errors, 2 usage errors (bad flags, a refused output folder).

use crate::config::{self, CONFIG_FILE};
use crate::console;
use crate::diagnostics::Diagnostics;
use crate::model::Kind;
use crate::output;
use crate::site::{self, Options};
use crate::slug::slugify;
use crate::theme;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// shirube (しるべ, "guidepost") builds a self-serve onboarding guide from Markdown playbooks and FAQs.
///
/// Customers use the guide to set themselves up before their kickoff meeting. Content is published only once it
/// has worked in a real engagement (recorded in manifest.yaml).
#[derive(Debug, Parser)]
#[command(name = "shirube", version, propagate_version = true)]
pub struct Cli {
    /// The site folder (the one with shirube.yaml). Default: the current folder.
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new guide with a working sample (config, playbooks, FAQs, manifest).
    Init {
        /// Folder to create the site in (relative to --root); it must be empty or not exist. Default: --root,
        /// which defaults to the current folder.
        dir: Option<PathBuf>,
        /// Language of the sample content and of the guide's interface.
        #[arg(long, value_enum, default_value = "en")]
        lang: Lang,
    },
    /// Build the guide into a folder ready to upload to any static hosting.
    ///
    /// Nothing is written when there is an error: the previous output stays as it was.
    Build {
        /// Output folder. shirube only writes into an empty folder or one it created.
        #[arg(long, value_name = "DIR", default_value = "public")]
        out: PathBuf,
        /// Publish under another address than `base_url` in shirube.yaml, e.g. a staging host.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Include unproven, expired and stale pages and drafts, each marked with a banner saying why.
        /// Never upload a preview.
        #[arg(long)]
        preview: bool,
        /// Print how long each stage of the build took, the slowest files to render, and how many output
        /// files were written, left unchanged or removed.
        #[arg(long)]
        timings: bool,
    },
    /// Report every error and warning without writing anything. Exit 1 when there are errors.
    Check {
        /// `human` for people, `json` for CI and editors.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Start a new playbook or FAQ with valid front matter.
    New {
        /// What to create.
        #[arg(value_enum)]
        kind: NewKind,
        /// Its title, in quotes: "Connect your SSO provider".
        title: String,
        /// The lifecycle phase it belongs to (an id from shirube.yaml, e.g. onboarding).
        #[arg(long)]
        phase: String,
        /// The touch tier(s) it is for: one id, several separated by commas, or `all` (the default).
        #[arg(long)]
        tier: Option<String>,
    },
    /// Preview the guide in a browser, rebuilt and reloaded on every save.
    ///
    /// Serves the preview build (unpublished pages shown with a banner) from memory; public/ is not touched.
    /// A build with errors shows them over the page, and the last good build stays served.
    Serve {
        /// Port to listen on; the next free one is used when it is taken, 0 lets the system choose.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on. Anything but a loopback address makes the preview reachable from the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Open the guide in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Record that playbooks or FAQs were used in a customer engagement, with their current content hash
    ///
    /// Adds the pages to the engagement in the manifest (creating the engagement if it is new), keeping the
    /// file's comments and order. A page is published once enough successful engagements of a tier it
    /// targets have used it (proof: in shirube.yaml).
    ///
    /// The other options describe a new engagement. For an existing one they may be left out; one that
    /// contradicts what the manifest records (say --outcome failed for a success) is refused: edit the
    /// manifest by hand to change a recorded engagement.
    #[command(verbatim_doc_comment)]
    Prove(crate::cmd::prove::Args),
    /// Show every playbook and FAQ with its proof: published or not and why, and what to prove next.
    ///
    /// Set SHIRUBE_TODAY=YYYY-MM-DD to see the states as of another day (also works for build and check).
    Status {
        /// `human` for people, `json` for dashboards (format documented in the README).
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
}

/// Languages `init` can write.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Lang {
    /// English.
    En,
    /// Japanese.
    Ja,
}

/// Output formats for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Human,
    /// For programs.
    Json,
}

/// What `new` creates.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum NewKind {
    /// A step-by-step playbook, in the folder of its phase (playbooks/onboarding/ for --phase onboarding).
    Playbook,
    /// A question and answer under content/faq/.
    Faq,
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> ExitCode {
    let root = cli.root.clone().unwrap_or_else(|| PathBuf::from("."));
    match cli.command {
        // A relative DIR is under --root when one is given, as every path of the other commands is.
        Command::Init { dir, lang } => {
            let dir = match (dir, &cli.root) {
                (Some(d), Some(r)) => r.join(d),
                (Some(d), None) => d,
                (None, _) => root,
            };
            init(&dir, lang)
        }
        Command::Build {
            out,
            base_url,
            preview,
            timings,
        } => build(&root, &out, base_url, preview, timings),
        Command::Check { format } => check(&root, format),
        Command::New {
            kind,
            title,
            phase,
            tier,
        } => new(&root, kind, &title, &phase, tier.as_deref()),
        Command::Serve { port, bind, open } => crate::serve::run(&crate::serve::Args {
            root,
            port,
            bind,
            open,
        }),
        Command::Prove(args) => crate::cmd::prove::run(&root, &args),
        Command::Status { format } => crate::cmd::status::run(&root, format == Format::Json),
    }
}

fn print_diagnostics(d: &Diagnostics) {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{}", d.render());
}

fn build(
    root: &Path,
    out: &Path,
    base_url: Option<String>,
    preview: bool,
    timings: bool,
) -> ExitCode {
    let out = if out.is_absolute() {
        out.to_path_buf()
    } else {
        root.join(out)
    };
    if let Some(why) = output::refuse_reason(root, &out) {
        say!(
            "error: refusing to write the output to {}: {why}\n  help: choose another `--out` folder, \
             for example `--out public`",
            out.display()
        );
        return ExitCode::from(2);
    }
    let _lock = match output::lock(&out) {
        Ok(lock) => lock,
        Err(e) => {
            say!(
                "error: cannot lock the output folder {}: {e}\n  help: check that its parent folder exists and \
                 can be read",
                out.display()
            );
            return ExitCode::from(1);
        }
    };
    // Ctrl-C and SIGTERM from here on stop at a safe point (see `interrupt`).
    crate::interrupt::install();
    // A build killed while replacing the whole output left it aside: finish or undo that first.
    if let Err(e) = output::recover(&out) {
        say!(
            "error: cannot finish what an interrupted build left beside {}: {e}\n  help: check the permissions of \
             its parent folder; shirube's leftovers there are named `.{}.shirube-*`",
            out.display(),
            out.file_name()
                .map_or(String::new(), |n| n.to_string_lossy().to_string())
        );
        return ExitCode::from(1);
    }
    let started = Instant::now();
    // The previous output is read while the site builds (the first stages leave a CPU idle now and then).
    let previous = {
        let out = out.clone();
        std::thread::spawn(move || output::scan_previous(&out))
    };
    // Never dropped: this command ends the process, and the operating system takes the build's memory back
    // at once, where dropping it would free every page, body and index one by one.
    let outcome = std::mem::ManuallyDrop::new(site::build(&Options {
        root: root.to_path_buf(),
        base_url,
        preview,
        today: None,
    }));
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
            outcome.timings.summary(),
            write_started.elapsed().as_secs_f64() * 1000.0
        );
        let slowest = outcome.timings.slowest_summary();
        if !slowest.is_empty() {
            say!("{slowest}");
        }
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
    if !preview && !outcome.held_back.is_empty() {
        let mut by_state: std::collections::BTreeMap<&str, usize> =
            std::collections::BTreeMap::new();
        for (_, state) in &outcome.held_back {
            *by_state.entry(state.id()).or_default() += 1;
        }
        let parts: Vec<String> = by_state.iter().map(|(s, n)| format!("{n} {s}")).collect();
        say!(
            "held back {} page{} ({}): see `shirube status`, or `shirube build --preview` to look at them",
            outcome.held_back.len(),
            if outcome.held_back.len() == 1 {
                ""
            } else {
                "s"
            },
            parts.join(", ")
        );
    }
    let warnings = outcome.diagnostics.warnings();
    say!(
        "built {} page{} ({} files) into {} in {} ms{}{}",
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

fn check(root: &Path, format: Format) -> ExitCode {
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

fn init(dir: &Path, lang: Lang) -> ExitCode {
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
    let today = crate::proof::format_date(crate::proof::today().unwrap_or(0));
    for (rel, bytes) in files {
        let path = dir.join(rel);
        let dated;
        let bytes: &[u8] = if *rel == crate::proof::MANIFEST_FILE {
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

fn new(root: &Path, kind: NewKind, title: &str, phase: &str, tier: Option<&str>) -> ExitCode {
    let Ok(text) = std::fs::read_to_string(root.join(CONFIG_FILE)) else {
        say!(
            "error: no {CONFIG_FILE} in {}\n  help: run this in your site's folder, or pass --root",
            root.display()
        );
        return ExitCode::from(2);
    };
    let (Some(config), _) = config::parse(&text) else {
        say!("error: {CONFIG_FILE} has errors\n  help: run `shirube check` to see them");
        return ExitCode::from(1);
    };
    if config.phase_index(phase).is_none() {
        say!(
            "error: unknown phase \"{phase}\"\n  help: {}",
            config.unknown_phase_help(phase)
        );
        return ExitCode::from(2);
    }
    let tiers: Vec<&str> = tier
        .unwrap_or("all")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    for t in &tiers {
        if *t != "all" && config.tier_index(t).is_none() {
            say!(
                "error: unknown tier \"{t}\"\n  help: {}",
                config.unknown_tier_help(t)
            );
            return ExitCode::from(2);
        }
    }
    let title = title.trim();
    if title.is_empty() {
        say!(
            "error: the title is empty\n  help: write it in quotes: shirube new playbook \"Connect your SSO\""
        );
        return ExitCode::from(2);
    }
    let slug = file_slug(title, kind);
    let (rel, kind) = match kind {
        NewKind::Playbook => (format!("playbooks/{phase}/{slug}.md"), Kind::Playbook),
        NewKind::Faq => (format!("content/faq/{slug}.md"), Kind::Faq),
    };
    let path = root.join(&rel);
    if path.exists() {
        say!("error: {rel} already exists\n  help: choose another title, or edit that file");
        return ExitCode::from(2);
    }
    let tier_value = if tiers.len() == 1 {
        tiers[0].to_string()
    } else {
        format!("[{}]", tiers.join(", "))
    };
    let body = match kind {
        Kind::Faq => "Answer the question in the first sentence, then give the details.\n".to_string(),
        _ => "What this playbook achieves, and for whom.\n\n## Before you start\n\n- What the reader needs.\n\n\
              ## Steps\n\n1. The first step.\n2. The next step.\n"
            .to_string(),
    };
    let file = format!(
        "---\ntitle: {}\nphase: {phase}\ntier: {tier_value}\nsummary: \ntime: 15m\n---\n\n{body}",
        yaml_string(title)
    );
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .and_then(|mut f| f.write_all(file.as_bytes()))
        });
    match written {
        Ok(()) => {
            if let Err(code) = console::out_or_fail(&format!("{rel}\n")) {
                return code;
            }
            say!(
                "created {rel}; it is unpublished until an engagement proves it (see manifest.yaml)"
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            say!("error: cannot write {rel}: {e}");
            ExitCode::from(1)
        }
    }
}

/// A file name from a title. Japanese stays readable (`SSOを設定する` → `ssoを設定する`); a title with no
/// letters or digits at all falls back to the kind and a timestamp.
fn file_slug(title: &str, kind: NewKind) -> String {
    let s = slugify(title);
    if !s.is_empty() {
        return s
            .chars()
            .take(80)
            .collect::<String>()
            .trim_end_matches('-')
            .to_string();
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    match kind {
        NewKind::Playbook => format!("playbook-{secs}"),
        NewKind::Faq => format!("faq-{secs}"),
    }
}

/// Quotes a YAML string when it needs it.
fn yaml_string(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c) || c.is_whitespace())
        && !s.contains(": ")
        && !s.contains(" #")
        && s.parse::<f64>().is_err()
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "~"
        );
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
    }
}
