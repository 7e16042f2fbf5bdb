//! The build pipeline, end to end: load → validate → gate → render → write.
//!
//! [`build`] does everything but writing, so `check` and `build` share one code path and report the same
//! diagnostics. Nothing is written when there is an error.

use crate::config::{self, BaseUrl, CONFIG_FILE, Config, Language};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{self, Sources};
use crate::markdown::{self, Rendered, SiteIndex, Target};
use crate::model::Page;
use crate::proof::{self, Decision, Manifest, State};
use crate::render::{self, Banner, Built, OutputFile, Renderer};
use crate::theme;
use crate::validate;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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
}

/// Wall time per pipeline stage, for `build --timings` and benchmarks.
#[derive(Debug, Clone)]
pub struct Timings {
    last: Instant,
    /// Stage name and duration, in pipeline order.
    pub stages: Vec<(&'static str, Duration)>,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            last: Instant::now(),
            stages: Vec::new(),
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

    /// `load 12.3 ms, validate 4.5 ms, ...`.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .stages
            .iter()
            .map(|(name, d)| format!("{name} {:.1} ms", d.as_secs_f64() * 1000.0))
            .collect();
        parts.join(", ")
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
    let today = match opts.today.map(Ok).unwrap_or_else(proof::today) {
        Ok(t) => t,
        Err(msg) => {
            diags.push(Diagnostic::error(proof::TODAY_ENV, msg));
            return None;
        }
    };
    let mut timings = Timings::default();
    let (sources, d) = load::load(&opts.root);
    diags.extend(d);
    timings.lap("load");
    let config = load_config(&sources, opts, diags)?;
    let (pages, d) = validate::validate(&sources, &config);
    diags.extend(d);
    timings.lap("validate");

    // Gate: only pages proven in real engagements are published; drafts never are.
    let known: HashMap<&str, bool> = pages
        .iter()
        .map(|p| {
            (
                p.src.as_str(),
                config.proof.gate.contains(&p.kind) && !validate::is_intro_path(&p.src),
            )
        })
        .collect();
    let (manifest, d) = proof::parse(&sources.manifests, &config, &known, today);
    diags.extend(d);
    let decisions = proof::gate(&pages, &manifest, &config, today);
    for (page, decision) in pages.iter().zip(&decisions) {
        if decision.state == State::Stale {
            let held = if decision.published {
                ""
            } else {
                " (held back: on_change is unpublish)"
            };
            diags.push(
                Diagnostic::warning(&page.src, format!("changed since it was last proven{held}"))
                    .with_help(format!(
                        "{}; `shirube status` shows every page",
                        decision.reason
                    )),
            );
        }
    }
    // A published page must not point at an unpublished one: the link is dropped, say so.
    let by_src: HashMap<&str, &Page> = pages.iter().map(|p| (p.src.as_str(), p)).collect();
    let published: HashMap<&str, bool> = pages
        .iter()
        .zip(&decisions)
        .map(|(p, d)| (p.src.as_str(), d.published))
        .collect();
    for (page, decision) in pages.iter().zip(&decisions) {
        if !decision.published {
            continue;
        }
        for (req, line, col) in &page.requires {
            let Some(target) = validate::resolve_require(&page.src, req, &by_src) else {
                continue;
            };
            if published.get(target.src.as_str()) == Some(&false) {
                let text = sources
                    .docs
                    .iter()
                    .find(|d| d.path == page.src)
                    .map_or("", |d| d.text.as_str());
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
    timings.lap("gate");
    Some(Checked {
        config,
        sources,
        pages,
        decisions,
        manifest,
        today,
        timings,
    })
}

/// Runs the whole pipeline in memory.
pub fn build(opts: &Options) -> Outcome {
    let mut out = Outcome::default();
    let diags = &mut out.diagnostics;
    let Some(checked) = prepare(opts, diags) else {
        return out;
    };
    out.timings = checked.timings.clone();
    let Checked {
        config,
        sources,
        pages,
        decisions,
        ..
    } = &checked;
    let published: Vec<bool> = decisions.iter().map(|d| d.published).collect();
    let included: Vec<bool> = published.iter().map(|&p| p || opts.preview).collect();
    out.held_back = pages
        .iter()
        .zip(decisions)
        .filter(|(p, d)| !d.published && !validate::is_intro_path(&p.src))
        .map(|(p, d)| (p.src.clone(), d.state))
        .collect();
    let config = config.clone();
    let (sources, pages) = (sources, pages.as_slice());

    // Render Markdown (every page, so that broken links are reported in drafts too).
    let site_index = site_index(&config, sources, pages, &published);
    let bodies: Vec<Rendered> = pages
        .par_iter()
        .map(|p| markdown::render(p, &site_index))
        .collect();
    out.timings.lap("markdown");
    for (i, body) in bodies.iter().enumerate() {
        if included[i] {
            diags.extend(body.diagnostics.iter().cloned());
        } else {
            // Links from pages left out of the build are still worth fixing, but never fail it.
            diags.extend(body.diagnostics.iter().cloned().map(|mut d| {
                if d.severity == crate::diagnostics::Severity::Error {
                    d.severity = crate::diagnostics::Severity::Warning;
                    d.message = format!("{} (in an unpublished page)", d.message);
                }
                d
            }));
        }
    }

    // Theme.
    let (theme, d) = theme::load(&opts.root, &config);
    diags.extend(d);
    let tera = match render::compile(&theme) {
        Ok(t) => Some(t),
        Err(d) => {
            diags.extend(d);
            None
        }
    };
    let Some(tera) = tera else { return out };
    if diags.has_errors() {
        return out;
    }

    // Render pages.
    let built: Vec<Built> = pages
        .iter()
        .zip(&bodies)
        .enumerate()
        .filter(|(i, _)| included[*i])
        .map(|(i, (page, body))| Built {
            page,
            body,
            banner: banner(&decisions[i], config.language),
            published: decisions[i].published,
            proofs: decisions[i].proofs.values().sum(),
            last_proven: decisions[i].newest,
        })
        .collect();
    let renderer = Renderer::new(&config, &theme, tera, pages, built, opts.preview);
    if let Err(cycle) = renderer.kickoff_order() {
        let first = cycle.first().cloned().unwrap_or_default();
        diags.push(
            Diagnostic::error(
                first,
                format!(
                    "before_kickoff playbooks require each other in a cycle: {}",
                    cycle.join(" → ")
                ),
            )
            .with_help("remove one of these `requires` entries so the kickoff path has an order"),
        );
        return out;
    }
    let (mut files, d) = renderer.render_all();
    diags.extend(d);
    out.timings.lap("render");
    if diags.has_errors() {
        return out;
    }
    out.pages = pages
        .iter()
        .zip(&included)
        .filter(|(p, inc)| **inc && !validate::is_intro_path(&p.src))
        .count();

    // Static files, assets of included pages, sitemap and robots.
    for (path, file) in &theme.statics {
        files.push(OutputFile {
            path: path.clone(),
            bytes: file.bytes.clone(),
        });
    }
    let assets: BTreeSet<&str> = bodies
        .iter()
        .zip(&included)
        .filter(|(_, inc)| **inc)
        .flat_map(|(b, _)| b.assets.iter().map(String::as_str))
        .collect();
    for src in assets {
        match std::fs::read(opts.root.join(src)) {
            Ok(bytes) => files.push(OutputFile {
                path: markdown::asset_output_path(src).to_string(),
                bytes,
            }),
            Err(e) => diags.push(Diagnostic::error(src, format!("cannot read: {e}"))),
        }
    }
    files.push(public_manifest(&config, pages, decisions, &included));
    files.push(render::sitemap(&config, &renderer.page_urls()));
    // Search index: published pages only, never drafts or unproven pages, not even in a preview build.
    files.extend(crate::search::build(
        &config,
        pages
            .iter()
            .zip(&bodies)
            .enumerate()
            .filter(|(i, (p, _))| included[*i] && published[*i] && !validate::is_intro_path(&p.src))
            .map(|(_, pb)| pb),
    ));
    files.push(render::robots(&config, opts.preview));
    out.timings.lap("assets+index");
    if !diags.has_errors() {
        out.files = files;
    }
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
        .filter(|((p, _), inc)| **inc && !validate::is_intro_path(&p.src))
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
            newest_proof: d.newest.map(proof::format_date),
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

fn load_config(sources: &Sources, opts: &Options, diags: &mut Diagnostics) -> Option<Config> {
    let Some(text) = &sources.config_text else {
        diags.push(
            Diagnostic::error(CONFIG_FILE, format!("no {CONFIG_FILE} in {}", opts.root.display())).with_help(
                "run shirube in the folder of your site, pass `--root DIR`, or create a site with `shirube init`",
            ),
        );
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

fn site_index(config: &Config, sources: &Sources, pages: &[Page], published: &[bool]) -> SiteIndex {
    let targets: Vec<(String, Target)> = pages
        .par_iter()
        .zip(published.par_iter())
        .map(|(p, &published)| {
            (
                p.src.clone(),
                Target {
                    url: p.url.clone(),
                    anchors: markdown::anchors(&p.body),
                    published,
                },
            )
        })
        .collect();
    let mut other_urls: HashSet<String> = [
        validate::FAQ_URL,
        validate::KICKOFF_URL,
        validate::SEARCH_URL,
    ]
    .into_iter()
    .map(String::from)
    .collect();
    other_urls.extend([
        "404.html".to_string(),
        "sitemap.xml".to_string(),
        "robots.txt".to_string(),
    ]);
    other_urls.extend(config.phases.iter().map(|p| validate::phase_url(&p.id)));
    other_urls.extend(config.tiers.iter().map(|t| validate::tier_url(&t.id)));
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
    // Files whose front matter could not be read have their own error; links to them are not broken too.
    let mut targets: HashMap<String, Target> = targets.into_iter().collect();
    for doc in &sources.docs {
        targets.entry(doc.path.clone()).or_insert_with(|| Target {
            url: validate::url_for(&doc.path),
            anchors: markdown::anchors(doc.body()),
            published: true,
        });
    }
    SiteIndex {
        base_path: config.base_url.path.clone(),
        pages: targets,
        files: sources.files.clone(),
        other_urls,
        language: config.language,
    }
}

fn banner(decision: &Decision, language: Language) -> Option<Banner> {
    let show = !decision.published || decision.state == State::Stale;
    show.then(|| {
        let label = match (language, decision.state) {
            (Language::Ja, State::Draft) => "下書き",
            (Language::Ja, State::Unproven) => "未実証",
            (Language::Ja, State::Expired) => "実証期限切れ",
            (Language::Ja, State::Stale) => "実証後に変更あり",
            (Language::Ja, State::Published) => "公開",
            (_, state) => match state {
                State::Draft => "Draft",
                State::Unproven => "Unproven",
                State::Expired => "Proof expired",
                State::Stale => "Changed since proven",
                State::Published => "Published",
            },
        };
        let where_ = match (language, decision.published) {
            (Language::Ja, false) => "プレビューにのみ表示され、公開サイトには含まれません。",
            (Language::Ja, true) => "公開中です。",
            (_, false) => "Shown in preview only; not in the published guide.",
            (_, true) => "Published.",
        };
        Banner {
            kind: decision.state.id().to_string(),
            text: format!("{label}: {}. {where_}", decision.reason),
        }
    })
}
