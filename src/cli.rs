//! The command line: parsing with clap, then each command's `run` in [`crate::cmd`].
//!
//! Exit codes: 0 ok, 1 content or config errors, 2 usage errors (bad flags, a refused output folder).

use crate::cmd::{Format, check::CheckFormat, init::Lang, new::NewKind};
use clap::{CommandFactory, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// shirube (しるべ, "guidepost") builds a self-serve onboarding guide from Markdown playbooks and FAQs.
///
/// Customers use the guide to set themselves up before their kickoff meeting. Content is published only once it
/// has worked in a real engagement (recorded in manifest.yaml).
#[derive(Debug, Parser)]
#[command(name = "shirube", version, propagate_version = true)]
pub struct Cli {
    /// The site folder (the one with shirube.yaml). Default: the nearest folder from the current one upwards
    /// that holds a shirube.yaml. For `init`, the folder the new site's DIR is relative to (default: the
    /// current folder).
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
        /// Every warning counts as an error: the build fails and writes nothing (for CI that wants a clean
        /// site).
        #[arg(long)]
        strict: bool,
    },
    /// Report every error and warning without writing anything. Exit 1 when there are errors.
    Check {
        /// `human` for people, `json` for CI and editors, `github` for annotations on a pull request's diff
        /// (GitHub Actions workflow commands; paths are given from the current folder).
        #[arg(long, value_enum, default_value = "human")]
        format: CheckFormat,
        /// Every warning counts as an error: exit 1 when there are any (for CI that wants a clean site).
        #[arg(long)]
        strict: bool,
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
        /// The file name (without .md), in ASCII letters, digits and dashes. Default: made from the title;
        /// needed when the title is not in Latin letters ("SSOを設定する" → --slug sso-setup).
        #[arg(long)]
        slug: Option<String>,
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
    ///
    /// With --from FILE.csv, records every engagement of a CRM export instead (see the options below and
    /// the README): shirube prove --from deals.csv --map id="Deal ID",tier=Segment,date="Close Date",
    /// outcome=Stage,pages="Playbooks Used" --value tier:SMB=low --value "outcome:Closed Won=success"
    #[command(verbatim_doc_comment)]
    Prove(Box<crate::cmd::prove::Args>),
    /// Show every playbook and FAQ with its proof: published or not and why, and what to prove next.
    ///
    /// Set SHIRUBE_TODAY=YYYY-MM-DD to see the states as of another day (also works for build and check).
    Status {
        /// `human` for people, `json` for dashboards (format documented in the README).
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        #[command(flatten)]
        feedback: crate::report::feedback::FeedbackArgs,
    },
    /// Print a shell completion script: `shirube completions bash > ~/.local/share/bash-completion/completions/shirube`
    /// (zsh: a file `_shirube` on your `$fpath`; fish: `~/.config/fish/completions/shirube.fish`; PowerShell: add
    /// the output to your profile).
    #[command(verbatim_doc_comment)]
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `shirube man > ~/.local/share/man/man1/shirube.1`.
    Man,
    /// Turn a Hugo, MkDocs, Docusaurus or Jekyll site, or a Zendesk Help Center export, into a shirube site.
    ///
    /// Writes the pages, import.yaml (folders, sections, categories and tags → phases and tiers, with guesses:
    /// edit it and run the import again to apply it) and import-report.md. Running it again keeps the files
    /// you edited (unless --force) and never writes outside --into.
    Import(Box<crate::cmd::import::Args>),
    /// Write an internal HTML report for customer-success leads: coverage by phase and tier, proofs over time,
    /// proof age, what to prove next and, with --feedback, how helpful readers found each page.
    ///
    /// The report names customers and quotes readers' comments: it is written outside the published output
    /// (never into public/) and is not for customers. Its figures are those of `status --format json`.
    Report(Box<crate::cmd::report::Args>),
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> ExitCode {
    let root = match (&cli.root, &cli.command) {
        (Some(root), _) => root.clone(),
        (None, Command::Init { .. } | Command::Import(_)) => PathBuf::from("."),
        (None, _) => find_site().unwrap_or_else(|| PathBuf::from(".")),
    };
    match cli.command {
        // A relative DIR is under --root when one is given, as every path of the other commands is.
        Command::Init { dir, lang } => {
            let dir = match (dir, &cli.root) {
                (Some(d), Some(r)) => r.join(d),
                (Some(d), None) => d,
                (None, _) => root,
            };
            crate::cmd::init::run(&dir, lang)
        }
        Command::Build {
            out,
            base_url,
            preview,
            timings,
            strict,
        } => crate::cmd::build::run(
            &root,
            &out,
            crate::cmd::build::Args {
                base_url,
                preview,
                timings,
                strict,
            },
        ),
        Command::Check { format, strict } => crate::cmd::check::run(&root, format, strict),
        Command::New {
            kind,
            title,
            phase,
            tier,
            slug,
        } => crate::cmd::new::run(
            &root,
            kind,
            &title,
            &phase,
            tier.as_deref(),
            slug.as_deref(),
        ),
        Command::Serve { port, bind, open } => match crate::cmd::require_site(&root) {
            Ok(()) => crate::serve::run(&crate::serve::Args {
                root,
                port,
                bind,
                open,
            }),
            Err(code) => code,
        },
        Command::Prove(args) => crate::cmd::prove::run(&root, &args),
        Command::Import(args) => crate::cmd::import::run(cli.root.as_deref(), &args),
        Command::Completions { shell } => {
            crate::cmd::completions::completions(shell, Cli::command())
        }
        Command::Man => crate::cmd::completions::man(Cli::command()),
        Command::Status { format, feedback } => {
            crate::cmd::status::run(&root, format == Format::Json, &feedback)
        }
        Command::Report(args) => crate::cmd::report::run(&root, &args),
    }
}

/// Without `--root`: the nearest folder that holds `shirube.yaml`, from the current folder upwards, as git and
/// Cargo find theirs, so that commands work from `playbooks/onboarding/` too. The current folder itself is
/// `.`, so that messages show the same short paths as before; a folder above is given whole.
fn find_site() -> Option<PathBuf> {
    let here = std::env::current_dir().ok()?;
    here.ancestors()
        .find(|dir| dir.join(crate::config::CONFIG_FILE).is_file())
        .map(|dir| {
            if dir == here {
                PathBuf::from(".")
            } else {
                dir.to_path_buf()
            }
        })
}
