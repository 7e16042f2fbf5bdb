//! The build pipeline, end to end: load → validate → gate → render → write.
//!
//! [`build`] does everything but writing, so `check` and `build` share one code path and report the same
//! diagnostics. Nothing is written when there is an error.

use crate::config::{self, BaseUrl, CONFIG_FILE, Config};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{self, Sources};
use crate::markdown::{self, Rendered, SiteIndex, Target};
use crate::model::Page;
use crate::render::{self, Banner, Built, OutputFile, Renderer};
use crate::theme;
use crate::validate;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The site root (holds `shirube.yaml`).
    pub root: PathBuf,
    /// Overrides `base_url` from the config (`--base-url`).
    pub base_url: Option<String>,
    /// Preview build: drafts (and later unproven pages) are included with a banner, and robots are kept out.
    pub preview: bool,
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
}

/// Runs the whole pipeline in memory.
pub fn build(opts: &Options) -> Outcome {
    let mut out = Outcome::default();
    let diags = &mut out.diagnostics;

    // Load.
    let (sources, d) = load::load(&opts.root);
    diags.extend(d);
    let Some(config) = load_config(&sources, opts, diags) else {
        return out;
    };

    // Validate.
    let (pages, d) = validate::validate(&sources, &config);
    diags.extend(d);

    // Gate: drafts are left out of published builds. The proof gate plugs in here.
    let published: Vec<bool> = pages.iter().map(|p| !p.draft).collect();
    let included: Vec<bool> = published.iter().map(|&p| p || opts.preview).collect();

    // Render Markdown (every page, so that broken links are reported in drafts too).
    let site_index = site_index(&config, &sources, &pages, &published);
    let bodies: Vec<Rendered> = pages
        .par_iter()
        .map(|p| markdown::render(p, &site_index))
        .collect();
    for (i, body) in bodies.iter().enumerate() {
        if included[i] {
            diags.extend(body.diagnostics.iter().cloned());
        } else {
            // Links from pages left out of the build are still worth fixing, but never fail it.
            diags.extend(body.diagnostics.iter().cloned().map(|mut d| {
                if d.severity == crate::diagnostics::Severity::Error {
                    d.severity = crate::diagnostics::Severity::Warning;
                    d.message = format!("{} (in a draft)", d.message);
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
            banner: banner(page, published[i]),
        })
        .collect();
    let renderer = Renderer::new(&config, &theme, tera, &pages, built, opts.preview);
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
    files.push(render::sitemap(&config, &renderer.page_urls()));
    files.push(render::robots(&config, opts.preview));
    if !diags.has_errors() {
        out.files = files;
    }
    out
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
    SiteIndex {
        base_path: config.base_url.path.clone(),
        pages: targets.into_iter().collect::<HashMap<_, _>>(),
        files: sources.files.clone(),
        other_urls,
        language: config.language,
    }
}

fn banner(page: &Page, published: bool) -> Option<Banner> {
    if published {
        return None;
    }
    page.draft.then(|| Banner {
        kind: "draft".into(),
        text: "Draft: shown in preview only. Remove `draft: true` from the front matter to publish it.".into(),
    })
}
