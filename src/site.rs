//! The build pipeline, end to end: load → validate → gate → render → write.
//!
//! [`build`] does everything but writing, so `check` and `build` share one code path and report the same
//! diagnostics. Nothing is written when there is an error. `build` is a [`Session`] used once; `serve` keeps
//! its session and updates it after each edit, reusing what did not change (see `site/session.rs`).

mod session;

pub use session::{Output, Session, Update, Work};

use crate::config::{self, BaseUrl, CONFIG_FILE, Config};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{SourceDoc, Sources};
use crate::markdown::Target;
use crate::model::OutputFile;
use crate::model::Page;
use crate::proof::{self, Decision, Manifest, State};
use crate::render::{self, Banner};
use crate::routes;
use crate::text;
use crate::{HashMap, HashSet};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

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

/// Wall time per pipeline stage, for `build --timings` and benchmarks.
#[derive(Debug, Clone)]
pub struct Timings {
    last: Instant,
    /// Stage name and duration, in pipeline order.
    pub stages: Vec<(&'static str, Duration)>,
    /// The files that took longest to render, slowest first.
    pub slowest: Vec<(String, Duration)>,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            last: Instant::now(),
            stages: Vec::new(),
            slowest: Vec::new(),
        }
    }
}

impl Timings {
    /// Records the time since the previous stage ended as `stage`.
    pub fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.stages.push((stage, now - self.last));
        self.last = now;
    }

    /// Records a duration measured inside a stage that ran in parallel with others (not a lap).
    pub fn record(&mut self, stage: &'static str, took: Duration) {
        self.stages.push((stage, took));
    }

    /// `load 12.3 ms, validate 4.5 ms, ...`.
    pub fn summary(&self) -> String {
        durations(self.stages.iter().map(|(name, d)| (*name, *d)))
    }

    /// `slowest to render: faq/index.html 310.2 ms, ...`, or empty when nothing was rendered.
    pub fn slowest_summary(&self) -> String {
        if self.slowest.is_empty() {
            return String::new();
        }
        let slowest = durations(self.slowest.iter().map(|(path, d)| (path.as_str(), *d)));
        format!("slowest to render: {slowest}")
    }
}

/// `name 12.3 ms, other 4.5 ms`.
fn durations<'a>(items: impl Iterator<Item = (&'a str, Duration)>) -> String {
    let parts: Vec<String> = items
        .map(|(name, d)| format!("{name} {:.1} ms", d.as_secs_f64() * 1000.0))
        .collect();
    parts.join(", ")
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
    let mut timings = Timings::default();
    session.prepare_pages(diags, &mut timings, &mut Work::default())?;
    session.into_checked(timings)
}

/// The proof gate's warnings: pages changed since they were proven, and published pages that require an
/// unpublished one.
fn gate_warnings(
    pages: &[Page],
    decisions: &[Decision],
    sources: &Sources,
    config: &Config,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let texts: HashMap<&str, &str> = sources
        .docs
        .iter()
        .map(|d| (d.path.as_str(), d.text.as_str()))
        .collect();
    for (page, decision) in pages.iter().zip(decisions) {
        if decision.state == State::Stale {
            let held = if decision.published {
                ""
            } else {
                " (held back: on_change is unpublish)"
            };
            // The reason reads "changed since it was last proven on DATE; prove it again ...": the first half is
            // what is wrong, the second what to do.
            let (what, todo) = decision
                .reason
                .split_once("; ")
                .unwrap_or(("changed since it was last proven", &decision.reason));
            diags.push(
                Diagnostic::warning(&page.src, format!("{what}{held}"))
                    .with_help(format!("{todo}; `shirube status` shows every page")),
            );
        }
    }
    // A success with a customer of a tier the page does not target is recorded, but is not its proof. Said
    // of a page it leaves unpublished (its last such entry), where the author may take it for proof; once a
    // page is published, older entries of tiers it no longer targets are history, not mistakes.
    let mut manifest_lines: HashMap<&str, crate::diagnostics::Lines> = HashMap::default();
    for (page, decision) in pages.iter().zip(decisions) {
        let Some(o) = decision.off_tier.last() else {
            continue;
        };
        if !decision.gated || decision.published || page.draft {
            continue;
        }
        let (message, help) = proof::off_tier_warning(page, &o.engagement, o.tier, config);
        let lines = manifest_lines.entry(o.file.as_str()).or_insert_with(|| {
            let text = sources
                .manifests
                .iter()
                .find(|m| m.path == o.file)
                .map_or("", |m| m.text.as_str());
            crate::diagnostics::Lines::new(text)
        });
        let line = lines.get(o.line).unwrap_or("");
        let col = proof::path_col(line, &page.src, o.col);
        diags.push(
            Diagnostic::warning(&o.file, message)
                .at_in(lines, o.line, col, page.src.chars().count())
                .with_help(help),
        );
    }
    // A published page must not point at an unpublished one: the link is dropped, say so.
    let by_src: HashMap<&str, &Page> = pages.iter().map(|p| (p.src.as_str(), p)).collect();
    let published: HashMap<&str, bool> = pages
        .iter()
        .zip(decisions)
        .map(|(p, d)| (p.src.as_str(), d.published))
        .collect();
    for (page, decision) in pages.iter().zip(decisions) {
        if !decision.published {
            continue;
        }
        for (req, line, col) in &page.requires {
            let Some(target) = crate::requires::resolve_require(&page.src, req, &by_src) else {
                continue;
            };
            if published.get(target.src.as_str()) == Some(&false) {
                let text = texts.get(page.src.as_str()).copied().unwrap_or("");
                diags.push(
                    Diagnostic::warning(
                        &page.src,
                        format!("requires {}, which is not published", target.src),
                    )
                    .at(text, *line, *col, req.chars().count())
                    .with_help(
                        "it is shown without its title or link until it is proven; see `shirube status`",
                    ),
                );
            }
        }
    }
    diags
}

/// Runs the whole pipeline in memory: a [`Session`] used once.
pub fn build(opts: &Options) -> Outcome {
    let mut session = Session::new(opts.clone());
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

/// `manifest.json`: for each page in the build, its proof in numbers. No customer, CSM, note or engagement id,
/// and no page that is not in the build.
fn public_manifest(
    config: &Config,
    pages: &[Page],
    decisions: &[Decision],
    included: &[bool],
) -> OutputFile {
    #[derive(Serialize)]
    struct Entry<'a> {
        url: String,
        title: &'a str,
        kind: &'static str,
        phase: Option<&'a str>,
        tiers: Vec<&'a str>,
        gated: bool,
        state: &'static str,
        proofs: BTreeMap<&'a str, u32>,
        newest_proof: Option<String>,
    }
    let entries: Vec<Entry> = pages
        .iter()
        .zip(decisions)
        .zip(included)
        .filter(|((p, _), inc)| **inc && !routes::is_intro_path(&p.src))
        .map(|((p, d), _)| Entry {
            url: format!("{}{}", config.base_url.path, p.url),
            title: &p.title,
            kind: p.kind.id(),
            phase: p.phase.map(|i| config.phases[i].id.as_str()),
            tiers: p
                .tiers
                .iter()
                .map(|&t| config.tiers[t].id.as_str())
                .collect(),
            gated: d.gated,
            state: d.state.id(),
            proofs: d
                .proofs
                .iter()
                .map(|(&t, &n)| (config.tiers[t].id.as_str(), n))
                .collect(),
            newest_proof: d.newest.map(crate::dates::format_date),
        })
        .collect();
    #[derive(Serialize)]
    struct Doc<'a> {
        format: u32,
        title: &'a str,
        pages: Vec<Entry<'a>>,
    }
    let doc = Doc {
        format: 1,
        title: &config.title,
        pages: entries,
    };
    // Strings, numbers and maps with string keys: serializing cannot fail.
    let json = serde_json::to_string_pretty(&doc).unwrap_or_default();
    OutputFile {
        path: "manifest.json".into(),
        bytes: json.into_bytes(),
    }
}

/// The error for a folder without `shirube.yaml`, the same from every command.
pub fn no_site(root: &std::path::Path) -> Diagnostic {
    Diagnostic::error(CONFIG_FILE, format!("no {CONFIG_FILE} in {}", root.display())).with_help(
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

/// The preview banner of a page that is not (or not cleanly) published: its state, why, and what would
/// publish it, in the theme's UI strings `ui` for the site's language (`banner`, `banner_<state>`,
/// `banner_why_<state>` ...; `status` keeps the English reason for authors).
fn banner(
    decision: &Decision,
    page: &Page,
    config: &Config,
    ui: &BTreeMap<String, String>,
) -> Option<Banner> {
    let show = !decision.published || decision.state == State::Stale;
    show.then(|| {
        let t = |key: &str| ui.get(key).cloned().unwrap_or_else(|| key.to_string());
        let names: Vec<&str> = page
            .tiers
            .iter()
            .filter_map(|&t| config.tiers.get(t))
            .map(|t| t.name.as_str())
            .collect();
        let customers = if page.all_tiers || names.is_empty() {
            t("banner_customers_any")
        } else {
            let tiers = names.join(&t("banner_tiers_or"));
            text::fill(&t("banner_customers"), &[("tiers", &tiers)])
        };
        let newest = decision
            .newest
            .map(|d| render::human_date(d, config.language))
            .unwrap_or_default();
        let state = decision.state.id();
        let why = text::fill(
            &t(&format!("banner_why_{state}")),
            &[
                ("reason", &decision.reason),
                ("customers", &customers),
                ("missing", &decision.missing.to_string()),
                ("newest", &newest),
                ("days", &config.proof.max_age_days.to_string()),
                ("src", &page.src),
            ],
        );
        let where_ = if decision.published {
            t("banner_where_published")
        } else {
            t("banner_where_preview")
        };
        Banner {
            kind: state.to_string(),
            text: text::fill(
                &t("banner"),
                &[
                    ("label", &t(&format!("banner_{state}"))),
                    ("why", &why),
                    ("where", &where_),
                ],
            ),
        }
    })
}
