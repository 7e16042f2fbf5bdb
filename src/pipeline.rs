//! The build pipeline, end to end. Each stage is a module with a function from the previous stage's result
//! to the next:
//!
//! | stage | module | takes | gives |
//! |---|---|---|---|
//! | load | [`load`](crate::load) | the site folder | [`Sources`]: `shirube.yaml`, Markdown files split into front matter and body, manifest files |
//! | config | [`config`] | the text of `shirube.yaml` | [`Config`] |
//! | validate | [`validate`](crate::validate) | a Markdown file and the config | a [`Page`]; then checks across pages |
//! | gate | [`proof`] | the pages and the manifest files | a [`Decision`] per page: published or not, and why |
//! | theme | [`theme`](crate::theme), [`render::compile`] | the theme folder | templates and static files |
//! | markdown | [`markdown`](crate::markdown) | a page and the site's link targets | its HTML body, headings, steps, assets |
//! | render ‖ index | [`render`], [`search`](crate::search) | the pages in the build | every output file; the search index |
//! | write | [`output`](crate::output) | the output files | the output folder, replaced atomically |
//!
//! [`build`] runs every stage but the last, so `check` and `build` share one code path and report the same
//! diagnostics; nothing is written when there is an error. `status` and `prove` run the stages up to the gate
//! ([`prepare`]). `serve` keeps a [`Session`] and updates it after each edit: the same stage functions, each
//! with a cache of what it made (see `pipeline/session.rs`). A build is a session used once.

mod files;
mod session;
mod timings;

pub use files::Output;
pub use session::{Session, Update, Work};
pub use timings::Timings;

use crate::HashSet;
use crate::config::{self, BaseUrl, CONFIG_FILE, Config};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{SourceDoc, Sources};
use crate::markdown::Target;
use crate::model::{OutputFile, Page};
use crate::proof::{Decision, Manifest, State};
use crate::routes;
use std::path::PathBuf;

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The site root (holds `shirube.yaml`).
    pub root: PathBuf,
    /// Overrides `base_url` from the config (`--base-url`).
    pub base_url: Option<String>,
    /// Preview build: unpublished pages (unproven, expired, stale, drafts) are included with a banner, and
    /// robots are kept out.
    pub preview: bool,
    /// "Today" for proof expiry, as days since 1970-01-01; `None` reads `SHIRUBE_TODAY` or the clock.
    pub today: Option<i64>,
}

/// The result of a build.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every output file; empty when there are errors.
    pub files: Vec<OutputFile>,
    /// Every error and warning of the run.
    pub diagnostics: Diagnostics,
    /// Number of content pages in the output.
    pub pages: usize,
    /// Pages left out of a published build, with their state.
    pub held_back: Vec<(String, State)>,
    /// How long each stage took.
    pub timings: Timings,
    /// Everything the build held in memory to get here (see [`Working`]).
    pub working: Working,
}

/// The working state of a build: every source, page, rendered body and the search index. Dropping it frees
/// them one by one, which takes a noticeable moment on a large site (about 0.1 s of CPU at 10,000 pages); a
/// process that is about to exit can leave that to the operating system (`shirube build` wraps the outcome
/// in [`std::mem::ManuallyDrop`]).
#[derive(Default)]
pub struct Working {
    _session: Option<Session>,
}

impl std::fmt::Debug for Working {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Working")
    }
}

/// The site loaded, validated and gated: what `build`, `status` and `prove` start from.
#[derive(Debug)]
pub struct Checked {
    /// The config, with `--base-url` applied.
    pub config: Config,
    /// Everything read from disk.
    pub sources: Sources,
    /// Every page that could be read, in source order.
    pub pages: Vec<Page>,
    /// The gate's decision for `pages[i]`.
    pub decisions: Vec<Decision>,
    /// The proof manifest (private fields included: never render it).
    pub manifest: Manifest,
    /// Today, days since 1970-01-01.
    pub today: i64,
    /// How long load, validate and gate took.
    pub timings: Timings,
}

/// Load → validate → gate. `None` when the config cannot be read; every problem goes to `diags`.
pub fn prepare(opts: &Options, diags: &mut Diagnostics) -> Option<Checked> {
    let mut session = Session::new(opts.clone());
    let mut up = Update {
        diagnostics: std::mem::take(diags),
        ..Update::default()
    };
    let checked = session.check(&mut up);
    *diags = std::mem::take(&mut up.diagnostics);
    if !checked {
        return None;
    }
    session.into_checked(up.timings)
}

/// Runs the whole pipeline in memory, every stage but writing: a [`Session`] used once.
pub fn build(opts: &Options) -> Outcome {
    // Nothing is cached yet: each stage runs on the whole site.
    let mut session = Session::new(opts.clone());
    // load → config → validate → gate → theme → markdown
    let update = session.update(&[]);
    let mut out = Outcome {
        diagnostics: update.diagnostics,
        held_back: update.held_back,
        timings: update.timings,
        ..Outcome::default()
    };
    if out.diagnostics.has_errors() {
        return out;
    }
    let mut output = match session.output() {
        Ok(o) => o,
        Err(d) => {
            out.diagnostics.extend(d);
            return out;
        }
    };
    // render ‖ index
    let (files, d) = output.render_all(&mut out.timings);
    out.diagnostics.extend(d);
    if !out.diagnostics.has_errors() {
        out.pages = update.pages;
        out.files = files;
    }
    drop(output);
    out.working = Working {
        _session: Some(session),
    };
    out
}

/// The error for a folder without `shirube.yaml`, the same from every command.
pub fn no_site(root: &std::path::Path) -> Diagnostic {
    Diagnostic::error(CONFIG_FILE, format!("no {CONFIG_FILE} in {}", root.display()))
        .code("no-site")
        .with_help(
        "run shirube in the folder of your site or a folder inside it, pass `--root DIR`, or create a site with \
         `shirube init`",
    )
}

fn load_config(sources: &Sources, opts: &Options, diags: &mut Diagnostics) -> Option<Config> {
    let Some(text) = &sources.config_text else {
        // There, but not readable: its own error says why.
        if sources.unreadable.contains(CONFIG_FILE) {
            return None;
        }
        diags.push(no_site(&opts.root));
        return None;
    };
    let (config, d) = config::parse(text);
    diags.extend(d);
    let mut config = config?;
    if let Some(b) = &opts.base_url {
        match BaseUrl::parse(b) {
            Ok(b) => config.base_url = b,
            Err(why) => {
                diags.push(
                    Diagnostic::error("--base-url", format!("invalid base URL \"{b}\": {why}"))
                        .code("invalid-base-url")
                        .with_help(
                            "for example `--base-url https://guide.example.com/onboarding/`",
                        ),
                );
                return None;
            }
        }
    }
    Some(config)
}

/// URLs (relative to the base path) that links may point at besides pages: generated pages and files under
/// the site's `static/` folder.
fn other_urls(
    config: &Config,
    sources: &Sources,
    theme: Option<&crate::theme::Theme>,
) -> HashSet<String> {
    let mut other_urls: HashSet<String> =
        [routes::FAQ_URL, routes::KICKOFF_URL, routes::SEARCH_URL]
            .into_iter()
            .map(String::from)
            .collect();
    other_urls.extend([
        "404.html".to_string(),
        "sitemap.xml".to_string(),
        "robots.txt".to_string(),
        "manifest.json".to_string(),
    ]);
    // The theme's files (style.css, the scripts), with the site's static/ files over them.
    other_urls.extend(theme.into_iter().flat_map(|t| t.statics.keys().cloned()));
    if crate::feed::enabled(config) {
        other_urls.insert(crate::feed::PATH.to_string());
    }
    other_urls.extend(config.phases.iter().map(|p| routes::phase_url(&p.id)));
    other_urls.extend(config.tiers.iter().map(|t| routes::tier_url(&t.id)));
    // Files under the site's static/ folder are published at the root.
    let static_dir = sources.root.join("static");
    if static_dir.is_dir() {
        for e in walkdir::WalkDir::new(&static_dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
        {
            if let Ok(rel) = e.path().strip_prefix(&static_dir) {
                other_urls.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    other_urls
}

/// The link target of a file whose front matter could not be read: it has its own error, so links to it are
/// not reported as broken too.
fn doc_target(doc: &SourceDoc) -> Target {
    Target::new(routes::url_for(&doc.path), doc.body().into(), true, false)
}
