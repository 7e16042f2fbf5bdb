//! Rendering: pages → view models → HTML through the theme's Tera templates.
//!
//! Templates receive plain view models computed here (cards, groups, labels), never the raw config to compute
//! on. Every template gets `site`, `title`, `canonical` and `description`; each page kind adds its own (see the
//! theme's templates). Sitemap and robots.txt are generated here too, not templated.

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::markdown::Rendered;
use crate::model::OutputFile;
use crate::model::{Kind, Page, format_minutes};
use crate::percent::encode_path;
use crate::requires;
use crate::routes::{self, FAQ_URL, KICKOFF_URL};
use crate::text::{script_json, truncate, xml_escape};
use crate::theme::{Theme, short_hash};
use crate::{HashMap, HashSet};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

mod banner;
pub mod hosting;
mod manifest_json;

pub use banner::banner;
pub use manifest_json::public_manifest;

/// What a page of the default theme adds to its content, in bytes (about 16 KB), with room to spare.
const TEMPLATE_SIZE_HINT: usize = 24 * 1024;

/// How many of the slowest files `build --timings` names.
const SLOWEST: usize = 5;

/// A page that takes part in this build, with its rendered body.
pub struct Built<'a> {
    /// The validated page.
    pub page: &'a Page,
    /// Its rendered body.
    pub body: &'a Rendered,
    /// A notice shown on top of the page in preview builds (why it would not be published).
    pub banner: Option<Banner>,
    /// Whether the page is published (not only shown in a preview build).
    pub published: bool,
    /// Successful, fresh proofs of the page, all tiers together (0 when it is not gated).
    pub proofs: u32,
    /// Date (days since 1970-01-01) of the newest successful proof.
    pub last_proven: Option<i64>,
}

/// A notice on top of a page in preview.
#[derive(Debug, Clone, Serialize)]
pub struct Banner {
    /// `draft`, `unproven`, `expired`, `stale`.
    pub kind: String,
    /// What it means and what would publish the page.
    pub text: String,
}

#[derive(Serialize, Clone)]
struct NavItem {
    title: String,
    url: String,
    current: bool,
}

#[derive(Serialize, Clone)]
struct PhaseVm {
    id: String,
    name: String,
    months: Option<String>,
    done_when: Option<String>,
    url: String,
    count: usize,
}

#[derive(Serialize, Clone)]
struct TierVm {
    id: String,
    name: String,
    who: Option<String>,
    url: String,
}

/// What the search box and the results page need.
#[derive(Serialize, Clone)]
struct SearchVm {
    /// `shirube-search-ui.js`, which loads the engine on first use.
    ui: String,
    /// `shirube-search.js`, the engine (a module other pages can import too).
    engine: String,
    /// The results page (`search/`).
    page: String,
}

#[derive(Serialize, Clone)]
struct SiteVm<'a> {
    title: &'a str,
    lang: &'a str,
    base_path: &'a str,
    ui: &'a BTreeMap<String, String>,
    preview: bool,
    nav: Vec<NavItem>,
    phases: Vec<PhaseVm>,
    tiers: Vec<TierVm>,
    stylesheet: String,
    home_url: String,
    search: SearchVm,
    /// The reader script (tiers, steps, progress), with a cache-busting query; `None` when the theme has none.
    script: Option<String>,
    /// Every tier id, separated by spaces (what `?tier=` accepts).
    tier_ids: String,
    /// The Atom feed's URL; `None` when the site has none (`base_url` without a host).
    feed: Option<String>,
}

#[derive(Serialize, Clone)]
struct Ref {
    id: String,
    name: String,
    url: String,
}

#[derive(Serialize, Clone)]
struct Card {
    title: String,
    url: String,
    summary: Option<String>,
    time: Option<String>,
    kind: &'static str,
    phase: Option<Ref>,
    tiers: Vec<Ref>,
    all_tiers: bool,
    before_kickoff: bool,
    /// For `data-tiers`: `all`, or tier ids separated by spaces.
    tier_ids: String,
    /// For `data-steps` (playbooks only): the [`step_hash`] of each step id, separated by spaces (the ids
    /// themselves are on the steps, `data-step`), alternative paths grouped and optional steps left out (see
    /// [`crate::markdown::progress_tokens`]); of [`MARK_DONE_STEP`] for a playbook without steps, which gets
    /// one "I have done this" box instead. Hashes, because a listing page carries them for every card.
    steps: String,
    /// Number of steps (playbooks), 0 otherwise.
    step_count: usize,
    /// The full URL, for print.
    abs_url: String,
}

/// The one step of a playbook that has no ordered or task list: "I have done this".
pub const MARK_DONE_STEP: &str = "done";

/// A phase in the "you are here" lifecycle strip.
#[derive(Serialize)]
struct LifecycleVm {
    name: String,
    url: String,
    months: Option<String>,
    current: bool,
}

/// A link to another page with what it needs to be swapped for a reader's tier.
#[derive(Serialize)]
struct NextVm {
    title: String,
    url: String,
    phase: Option<String>,
    /// JSON for `data-alt`: for each tier whose link differs, `{"u": url, "t": title, "p": phase}` or
    /// `null` (no such page for that tier). Empty when no tier differs.
    alt: String,
}

/// "Was this helpful?" links.
#[derive(Serialize)]
struct FeedbackVm {
    yes: String,
    no: String,
}

/// How many engagements proved the page, and when last.
#[derive(Serialize)]
struct ProofVm {
    text: String,
    date: String,
    date_iso: String,
}

/// One playbook of the kickoff checklist: its card, and its step ids for the box that ticks them all.
#[derive(Serialize)]
struct KickoffItem {
    #[serde(flatten)]
    card: Card,
    /// The ids of its steps (`data-step` on its page), separated by spaces: ticking the item saves them as the
    /// page itself would. [`MARK_DONE_STEP`] for a playbook without steps.
    step_ids: String,
}

/// One question on the FAQ index, answered in place.
#[derive(Serialize)]
struct FaqEntry {
    #[serde(flatten)]
    card: Card,
    /// Fragment id on the FAQ index (`faq/#anchor`).
    anchor: String,
    /// The answer's HTML, headings moved down one level to sit under the index's phase headings.
    answer: String,
}

#[derive(Serialize)]
struct FaqGroup {
    phase: PhaseVm,
    entries: Vec<FaqEntry>,
    /// The link to the rest of the phase's questions, when [`FAQ_LIMIT`] left some out.
    more: Option<More>,
}

/// "All 120 in Onboarding": the link from a shortened list to the phase page, which lists everything.
#[derive(Serialize)]
struct More {
    url: String,
    label: String,
    /// For `data-by-tier` on lists a reader can filter by tier (home map, FAQ index): JSON with the label
    /// for each tier id, or `null` where that tier's items are all listed already. Empty on tier pages.
    by_tier: String,
}

#[derive(Serialize)]
struct Crumb {
    title: String,
    url: String,
}

#[derive(Serialize)]
struct Requirement {
    title: String,
    url: Option<String>,
}

#[derive(Serialize)]
struct PageVm<'a> {
    #[serde(flatten)]
    card: Card,
    content: &'a str,
    toc: &'a [crate::model::Heading],
    breadcrumb: Vec<Crumb>,
    prev: Option<Card>,
    next: Option<Card>,
    requires: Vec<Requirement>,
    tags: &'a [String],
    banner: Option<Banner>,
    /// A playbook without steps shows one "I have done this" box.
    mark_done: bool,
    /// The phases, the page's own marked current (pages with a phase).
    lifecycle: Vec<LifecycleVm>,
    /// The next playbook in lifecycle order (playbooks only).
    up_next: Option<NextVm>,
    /// `data-alt` JSON of the previous and next links (see [`NextVm::alt`]).
    prev_alt: String,
    next_alt: String,
    feedback: Option<FeedbackVm>,
    /// The effort-survey link, on playbooks and FAQs after the first phase.
    survey: Option<String>,
    proof: Option<ProofVm>,
    /// `FAQPage` JSON-LD of a published FAQ, safe inside `<script>`.
    jsonld: Option<String>,
}

#[derive(Serialize)]
struct Group {
    phase: PhaseVm,
    cards: Vec<Card>,
    /// The link to the rest of the phase's list, when [`LIST_LIMIT`] (or [`MAP_LIMIT`]) left some out.
    more: Option<More>,
    /// Home map: the playbooks [`MAP_LIMIT`] left out, as JSON for the progress ring, safe inside `<script>`.
    rest: Option<String>,
}

/// A tier page lists at most this many cards per phase, and the FAQ index at most [`FAQ_LIMIT`] answers per
/// phase and tier; the rest are one link away on the phase page, which lists everything. Small guides never
/// reach the limits; a large one keeps these pages readable on a phone (at 10,000 pages, the FAQ index with
/// every answer in place was 11 MB, and each tier page 5-6 MB).
pub const LIST_LIMIT: usize = 24;
/// See [`LIST_LIMIT`].
pub const FAQ_LIMIT: usize = 30;
/// The home map lists at most this many playbooks per phase and tier in its narrow columns (at 10,000 pages,
/// listing every one made the home page 6 MB).
pub const MAP_LIMIT: usize = 12;

#[derive(Serialize)]
struct Kickoff {
    url: String,
    count: usize,
    total_time: Option<String>,
    /// JSON for `data-by-tier`: `{"tier id": {"count": n, "time": "2 h"}}`, for the reader's tier.
    by_tier: String,
}

/// One file of the site that the templates make (see [`Renderer::jobs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// A content page, by index into the built pages.
    Page(usize),
    /// The home page.
    Home,
    /// The FAQ index.
    FaqIndex,
    /// The kickoff-prep page.
    Kickoff,
    /// The not-found page.
    NotFound,
    /// The search page.
    Search,
    /// A phase page, by index into the config's phases.
    Phase(usize),
    /// A tier page, by index into the config's tiers.
    Tier(usize),
}

/// Everything a render needs, prepared once.
pub struct Renderer<'a> {
    config: &'a Config,
    /// Where templates came from, for errors while rendering.
    theme: &'a Theme,
    tera: tera::Tera,
    site: SiteVm<'a>,
    built: Vec<Built<'a>>,
    /// Index into `built` by source path.
    by_src: HashMap<&'a str, usize>,
    /// Published playbooks and FAQs per phase, in weight order (indices into `built`).
    by_phase: Vec<Vec<usize>>,
    /// Kickoff path in order (indices into `built`).
    kickoff: Vec<usize>,
    /// Playbooks in lifecycle order: by phase, then weight (indices into `built`).
    playbooks: Vec<usize>,
    /// For each built page: the pages of its phase and kind in order (its pager), and its position there.
    pager: Vec<Option<(std::sync::Arc<[usize]>, usize)>>,
    /// For each built page: its position in `playbooks`.
    playbook_pos: Vec<Option<usize>>,
    /// `site` as a template value, made once: `[0]` with no navigation entry current, `[k + 1]` with entry `k`.
    site_values: Vec<tera::Value>,
    /// For each built page: [`Card::steps`], made when first needed (a playbook's card is on several pages).
    step_hashes: Vec<std::sync::OnceLock<String>>,
    /// Every validated page by source path, published or not (a requirement may be unpublished).
    all_pages: HashMap<&'a str, &'a Page>,
    home_intro: String,
    faq_intro: String,
}

/// Tera's HTML escaping, byte for byte the same, written in runs between the characters it replaces: Tera's
/// own writes one byte at a time through `dyn Write`, which was 10% of all instructions of a build.
fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // One table look-up per byte to find the few that are replaced.
    const SPECIAL: [bool; 256] = {
        let mut t = [false; 256];
        t[b'&' as usize] = true;
        t[b'<' as usize] = true;
        t[b'>' as usize] = true;
        t[b'"' as usize] = true;
        t[b'\'' as usize] = true;
        t
    };
    let bytes = input.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !SPECIAL[usize::from(b)] {
            continue;
        }
        let with: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            _ => b"&#39;",
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(with)?;
        start = i + 1;
    }
    out.write_all(&bytes[start..])
}

/// Compiles the theme's templates. Every broken template is reported.
pub fn compile(theme: &Theme) -> Result<tera::Tera, Vec<Diagnostic>> {
    let mut tera = tera::Tera::new();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape_html);
    let mut diags = Vec::new();
    let mut sources = Vec::new();
    for (name, file) in &theme.templates {
        match std::str::from_utf8(&file.bytes) {
            Ok(text) => sources.push((name.as_str(), text)),
            Err(_) => diags.push(
                Diagnostic::error(&file.origin, "template is not valid UTF-8").code("not-utf8"),
            ),
        }
    }
    if let Err(e) = tera.add_raw_templates(sources.iter().copied()) {
        // Tera stops at the first broken template. Parsed one by one, every syntax error shows (a template
        // alone may also fail for a parent or include it lacks: those are left to Tera's own error, `e`).
        let syntax: Vec<Diagnostic> = sources
            .into_iter()
            .filter_map(|(name, text)| tera::Tera::new().add_raw_template(name, text).err())
            .filter(|e| matches!(e.kind(), tera::ErrorKind::SyntaxError(_)))
            .map(|e| template_error(theme, &e, None))
            .collect();
        if syntax.is_empty() || !matches!(e.kind(), tera::ErrorKind::SyntaxError(_)) {
            diags.push(template_error(theme, &e, None));
        }
        diags.extend(syntax);
    }
    for required in [
        "page.html",
        "home.html",
        "phase.html",
        "tier.html",
        "faq_index.html",
        "kickoff.html",
        "404.html",
        "search.html",
    ] {
        if !theme.templates.contains_key(required) {
            diags.push(
                Diagnostic::error(
                    "themes",
                    format!("the theme has no template \"{required}\""),
                )
                .code("missing-template")
                .with_help(
                    "add it under templates/, or remove the theme's folder to use the built-in one",
                ),
            );
        }
    }
    if diags.is_empty() {
        Ok(tera)
    } else {
        Err(diags)
    }
}

/// A Tera error with every cause in its chain, `outer: inner: innermost`.
fn error_chain(e: &tera::Error) -> String {
    use std::error::Error as _;
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// The position Tera gives a syntax or rendering error, wherever it is in the chain of causes.
fn tera_report(e: &tera::Error) -> Option<&tera::ReportError> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(t) = err.downcast_ref::<tera::Error>()
            && let tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) = t.kind()
        {
            return Some(r);
        }
        next = err.source();
    }
    None
}

/// A template error as a diagnostic: at the line and column Tera gives, in the file the template came from (the
/// site's override or the theme's), with the source line and a caret; `doing` says what shirube was rendering.
fn template_error(theme: &Theme, e: &tera::Error, doing: Option<&str>) -> Diagnostic {
    let d = positioned_template_error(theme, e);
    match doing {
        Some(doing) => d.with_help(format!("while rendering {doing}")),
        None => d,
    }
}

/// [`template_error`] without the help line.
fn positioned_template_error(theme: &Theme, e: &tera::Error) -> Diagnostic {
    let Some(report) = tera_report(e) else {
        let msg = error_chain(e);
        // Point at the template file when the message names one.
        let origin = theme
            .templates
            .iter()
            .find(|(name, _)| msg.contains(name.as_str()))
            .map_or_else(|| "templates".to_string(), |(_, f)| f.origin.clone());
        return Diagnostic::error(origin, format!("template error: {msg}")).code("template-error");
    };
    let span = report.span();
    let file = theme.templates.get(report.filename());
    let origin = file.map_or_else(
        || format!("templates/{}", report.filename()),
        |f| f.origin.clone(),
    );
    let source = file
        .map(|f| String::from_utf8_lossy(&f.bytes))
        .unwrap_or_default();
    // Tera's columns count from 0; one underlined character for a span over several lines.
    let len = if span.end_line == span.start_line {
        span.end_col.saturating_sub(span.start_col)
    } else {
        1
    };
    Diagnostic::error(origin, format!("template error: {}", report.message()))
        .code("template-error")
        .at(&source, span.start_line, span.start_col + 1, len)
}

impl<'a> Renderer<'a> {
    /// Prepares the site-wide view models.
    pub fn new(
        config: &'a Config,
        theme: &'a Theme,
        tera: tera::Tera,
        all_pages: &[&'a Page],
        built: Vec<Built<'a>>,
        preview: bool,
    ) -> Self {
        let by_src: HashMap<&str, usize> = built
            .iter()
            .enumerate()
            .map(|(i, b)| (b.page.src.as_str(), i))
            .collect();
        let by_phase = by_phase(config, &built);
        let site = site_vm(config, theme, preview, &by_phase);
        let intro = |src: &str| {
            by_src
                .get(src)
                .map(|&i| built[i].body.html.clone())
                .unwrap_or_default()
        };
        let playbooks: Vec<usize> = by_phase
            .iter()
            .flatten()
            .copied()
            .filter(|&i| built[i].page.kind == Kind::Playbook)
            .collect();
        let home_intro = intro(&routes::intro_src("content/index", |s| {
            by_src.contains_key(s)
        }));
        let faq_intro = intro(&routes::intro_src("content/faq/index", |s| {
            by_src.contains_key(s)
        }));
        let pager = pagers(&by_phase, &built);
        let mut playbook_pos = vec![None; built.len()];
        for (pos, &j) in playbooks.iter().enumerate() {
            playbook_pos[j] = Some(pos);
        }
        let site_values = (0..=site.nav.len())
            .map(|current| {
                let mut site = site.clone();
                for (k, item) in site.nav.iter_mut().enumerate() {
                    item.current = k + 1 == current;
                }
                // Cannot panic: strings, bools, lists and string-keyed maps always serialize.
                tera::Value::from_serializable(&site)
            })
            .collect();
        let mut r = Renderer {
            pager,
            playbook_pos,
            site_values,
            step_hashes: built.iter().map(|_| std::sync::OnceLock::new()).collect(),
            config,
            theme,
            tera,
            site,
            built,
            by_src,
            by_phase,
            kickoff: Vec::new(),
            playbooks,
            all_pages: all_pages.iter().map(|p| (p.src.as_str(), *p)).collect(),
            home_intro,
            faq_intro,
        };
        r.kickoff = r.kickoff_order().unwrap_or_default();
        r
    }

    /// The kickoff path in order (indices into the built pages), or the cycles in `requires` that make an order
    /// impossible (which `validate` reports before a build gets here).
    pub fn kickoff_order(&self) -> Result<Vec<usize>, Vec<requires::Cycle>> {
        let pages: Vec<&Page> = self.built.iter().map(|b| b.page).collect();
        requires::kickoff_order(&pages, &self.all_pages, |i| {
            (pages[i].phase, order_key(pages[i]))
        })
    }

    fn card(&self, i: usize) -> Card {
        let page = self.built[i].page;
        let base = &self.site.base_path;
        Card {
            title: page.title.clone(),
            url: format!("{base}{}", page.url),
            summary: page.summary.clone().or_else(|| {
                let fp = &self.built[i].body.first_paragraph;
                (!fp.is_empty()).then(|| truncate(fp, 160))
            }),
            time: page.minutes.map(|m| self.duration(m)),
            kind: page.kind.id(),
            phase: page.phase.map(|p| self.phase_ref(p)),
            tiers: page
                .tiers
                .iter()
                .map(|&t| {
                    let tier = &self.site.tiers[t];
                    Ref {
                        id: tier.id.clone(),
                        name: tier.name.clone(),
                        url: tier.url.clone(),
                    }
                })
                .collect(),
            all_tiers: page.all_tiers,
            before_kickoff: page.before_kickoff,
            tier_ids: self.tier_ids(page),
            steps: self.step_hashes(i),
            step_count: self.built[i].body.steps.len(),
            abs_url: self.config.base_url.absolute(&page.url),
        }
    }

    /// For `data-tiers`: the page's tier ids separated by spaces, or `all`.
    fn tier_ids(&self, page: &Page) -> String {
        if page.all_tiers {
            return "all".to_string();
        }
        let ids: Vec<&str> = page
            .tiers
            .iter()
            .map(|&t| self.site.tiers[t].id.as_str())
            .collect();
        ids.join(" ")
    }

    /// The ids of a playbook's steps, separated by spaces; see [`KickoffItem::step_ids`].
    fn step_ids(&self, i: usize) -> String {
        match self.built[i].body.steps.as_slice() {
            [] => MARK_DONE_STEP.to_string(),
            steps => {
                let ids: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
                ids.join(" ")
            }
        }
    }

    /// For `data-steps`: see [`Card::steps`].
    fn step_hashes(&self, i: usize) -> String {
        self.step_hashes[i]
            .get_or_init(|| {
                let b = &self.built[i];
                let hashes: Vec<String> = match (b.page.kind, b.body.steps.as_slice()) {
                    (Kind::Playbook, []) => vec![step_hash(MARK_DONE_STEP)],
                    // Optional steps and alternative paths: see `markdown::progress_tokens`.
                    (Kind::Playbook, steps) => vec![crate::markdown::progress_tokens(
                        steps.iter().map(|s| (s.id.as_str(), s.role)),
                        step_hash,
                    )],
                    _ => Vec::new(),
                };
                hashes.join(" ")
            })
            .clone()
    }

    fn phase_ref(&self, p: usize) -> Ref {
        let ph = &self.site.phases[p];
        Ref {
            id: ph.id.clone(),
            name: ph.name.clone(),
            url: ph.url.clone(),
        }
    }

    fn duration(&self, m: u32) -> String {
        match self.config.language {
            crate::config::Language::Ja => match (m / 60, m % 60) {
                (0, m) => format!("{m}分"),
                (h, 0) => format!("{h}時間"),
                (h, m) => format!("{h}時間{m}分"),
            },
            crate::config::Language::En => format_minutes(m),
        }
    }

    /// What playbooks, FAQs and pages are called in the guide's language (for the search facets).
    pub fn kind_names(&self) -> [String; 3] {
        [Kind::Playbook, Kind::Faq, Kind::Page].map(|k| self.ui(&format!("kind_{}", k.id())))
    }

    fn ui(&self, key: &str) -> String {
        self.site
            .ui
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// The context every template gets. `section` is the URL (relative to the base path) of the navigation
    /// entry to mark as current: the page itself, or its phase or the FAQ index.
    fn context(
        &self,
        url: &str,
        section: &str,
        title: &str,
        description: Option<&str>,
    ) -> tera::Context {
        let full = format!("{}{section}", self.site.base_path);
        let current = self.site.nav.iter().position(|item| full == item.url);
        let mut ctx = tera::Context::new();
        // A clone of a prepared value is cheap (tera values share their maps and lists).
        ctx.insert_value(
            "site",
            self.site_values[current.map_or(0, |k| k + 1)].clone(),
        );
        let page_title = if title.is_empty() {
            self.config.title.clone()
        } else {
            format!("{title} · {}", self.config.title)
        };
        ctx.insert("title", &page_title);
        ctx.insert("canonical", &self.config.base_url.absolute(url));
        ctx.insert("description", &description);
        ctx
    }

    /// Renders `template` into the file at `out_path`. `size_hint` is roughly the size of the content the
    /// context carries: the buffer starts that much larger than the template, so that it rarely grows.
    fn render(
        &self,
        template: &str,
        ctx: &tera::Context,
        out_path: String,
        size_hint: usize,
    ) -> Result<OutputFile, Diagnostic> {
        // Into bytes directly: `Tera::render` would check the whole page for valid UTF-8 again, although
        // everything written comes from Rust strings.
        let mut bytes = Vec::with_capacity(size_hint + TEMPLATE_SIZE_HINT);
        match self.tera.render_to(template, ctx, &mut bytes) {
            Ok(()) => Ok(OutputFile {
                path: out_path,
                bytes,
            }),
            Err(e) => Err(template_error(self.theme, &e, Some(&out_path))),
        }
    }

    /// Every file [`Renderer::render_all`] makes, with its output path, without rendering anything: `serve`
    /// renders one file when it is asked for.
    pub fn jobs(&self) -> Vec<(String, Job)> {
        let mut jobs: Vec<(String, Job)> = (0..self.built.len())
            .filter(|&i| !routes::is_intro_path(&self.built[i].page.src))
            .map(|i| {
                (
                    format!("{}index.html", self.built[i].page.url),
                    Job::Page(i),
                )
            })
            .collect();
        jobs.extend([
            ("index.html".to_string(), Job::Home),
            (format!("{FAQ_URL}index.html"), Job::FaqIndex),
            (format!("{KICKOFF_URL}index.html"), Job::Kickoff),
            ("404.html".to_string(), Job::NotFound),
            (format!("{}index.html", routes::SEARCH_URL), Job::Search),
        ]);
        jobs.extend(self.config.phases.iter().enumerate().map(|(p, ph)| {
            (
                format!("{}index.html", routes::phase_url(&ph.id)),
                Job::Phase(p),
            )
        }));
        jobs.extend(self.config.tiers.iter().enumerate().map(|(t, tier)| {
            (
                format!("{}index.html", routes::tier_url(&tier.id)),
                Job::Tier(t),
            )
        }));
        jobs
    }

    /// Renders the file of one job.
    pub fn render_job(&self, job: Job) -> Result<OutputFile, Diagnostic> {
        match job {
            Job::Page(i) => self.render_page(i),
            Job::Home => self.render_home(),
            Job::FaqIndex => self.render_faq_index(),
            Job::Kickoff => self.render_kickoff(),
            Job::NotFound => self.render_404(),
            Job::Search => self.render_search(),
            Job::Phase(p) => self.render_phase(p),
            Job::Tier(t) => self.render_tier(t),
        }
    }

    /// Renders every page of the site, in parallel. Returns the files, or every error, and the slowest files
    /// with their render times (for `build --timings`).
    pub fn render_all(&self) -> (Vec<OutputFile>, Vec<Diagnostic>, Vec<(String, Duration)>) {
        // The home map, FAQ index, phase and tier pages take 100-1000 times longer than a page: start them
        // first, so that no core is left rendering one of them alone at the end.
        let mut jobs = self.jobs();
        jobs.sort_by_key(|(_, job)| matches!(job, Job::Page(_)));
        let results: Vec<(Result<OutputFile, Diagnostic>, Duration)> = jobs
            .into_par_iter()
            .map(|(path, job)| {
                let started = Instant::now();
                let r = self.render_job(job);
                // `jobs` must name the path each render writes, or `serve` would miss the file.
                debug_assert!(r.as_ref().map_or(true, |f| f.path == path), "{path}");
                (r, started.elapsed())
            })
            .collect();
        let mut slowest: Vec<(String, Duration)> = Vec::new();
        let mut files = Vec::new();
        let mut diags = Vec::new();
        for (r, took) in results {
            match r {
                Ok(f) => {
                    if slowest.len() < SLOWEST || took > slowest[SLOWEST - 1].1 {
                        slowest.push((f.path.clone(), took));
                        slowest.sort_by_key(|s| std::cmp::Reverse(s.1));
                        slowest.truncate(SLOWEST);
                    }
                    files.push(f);
                }
                Err(d) => diags.push(d),
            }
        }
        // One broken template fails every page the same way: say it once.
        diags.dedup_by(|a, b| {
            a.path == b.path && a.message.split(':').nth(1) == b.message.split(':').nth(1)
        });
        (files, diags, slowest)
    }

    fn render_page(&self, i: usize) -> Result<OutputFile, Diagnostic> {
        let b = &self.built[i];
        let page = b.page;
        let base = &self.site.base_path;
        let mut breadcrumb = vec![Crumb {
            title: self.ui("home"),
            url: base.to_string(),
        }];
        if page.kind == Kind::Faq {
            breadcrumb.push(Crumb {
                title: self.ui("faq"),
                url: format!("{base}{FAQ_URL}"),
            });
        } else if let Some(p) = page.phase {
            let ph = &self.site.phases[p];
            breadcrumb.push(Crumb {
                title: ph.name.clone(),
                url: ph.url.clone(),
            });
        }
        let (prev, next) = self.neighbours(i);
        let requires = page
            .requires
            .iter()
            .filter_map(|(r, _, _)| {
                requires::resolve_require(&page.src, r, &self.all_pages)
                    .map(|p| (p.src.clone(), p.title.clone()))
            })
            .map(|(src, title)| match self.by_src.get(src.as_str()) {
                Some(&j) => Requirement {
                    title,
                    url: Some(format!("{base}{}", self.built[j].page.url)),
                },
                // Not in this build: its title is unpublished content too, so it is not shown.
                None => Requirement {
                    title: self.ui("requires_unpublished"),
                    url: None,
                },
            })
            .collect();
        let vm = PageVm {
            card: self.card(i),
            content: &b.body.html,
            toc: &b.body.toc,
            breadcrumb,
            prev: prev.map(|j| self.card(j)),
            next: next.map(|j| self.card(j)),
            requires,
            tags: &page.tags,
            banner: b.banner.clone(),
            mark_done: page.kind == Kind::Playbook && b.body.steps.is_empty(),
            lifecycle: page
                .phase
                .filter(|_| matches!(page.kind, Kind::Playbook | Kind::Faq))
                .map(|p| self.lifecycle(p))
                .unwrap_or_default(),
            up_next: self.up_next(i),
            prev_alt: self.pager_alt(i, false),
            next_alt: self.pager_alt(i, true),
            feedback: self.feedback(i),
            survey: self.survey(i),
            proof: self.proof(i),
            jsonld: (page.kind == Kind::Faq && b.published).then(|| faq_jsonld(&[(page, b.body)])),
        };
        let description = vm.card.summary.clone();
        let section = match (page.kind, page.phase) {
            (Kind::Faq, _) => FAQ_URL.to_string(),
            (_, Some(p)) => routes::phase_url(&self.config.phases[p].id),
            _ => page.url.clone(),
        };
        let mut ctx = self.context(&page.url, &section, &page.title, description.as_deref());
        ctx.insert("page", &vm);
        self.render(
            "page.html",
            &ctx,
            format!("{}index.html", page.url),
            b.body.html.len(),
        )
    }

    /// Previous and next page of the same kind within the page's phase.
    fn neighbours(&self, i: usize) -> (Option<usize>, Option<usize>) {
        match &self.pager[i] {
            Some((same, pos)) => (
                pos.checked_sub(1).map(|k| same[k]),
                same.get(pos + 1).copied(),
            ),
            None => (None, None),
        }
    }

    /// Every phase, `current` marked: the "you are here" strip.
    fn lifecycle(&self, current: usize) -> Vec<LifecycleVm> {
        self.site
            .phases
            .iter()
            .enumerate()
            .map(|(p, ph)| LifecycleVm {
                name: ph.name.clone(),
                url: ph.url.clone(),
                months: ph.months.clone(),
                current: p == current,
            })
            .collect()
    }

    /// Published playbooks in lifecycle order: by phase, then weight.
    fn playbook_order(&self) -> &[usize] {
        &self.playbooks
    }

    /// The nearest page of `list` after (`forward`) or before position `pos` that `tier` gets; any page for
    /// `None`.
    fn nearest(
        &self,
        list: &[usize],
        pos: usize,
        forward: bool,
        tier: Option<usize>,
    ) -> Option<usize> {
        let fits = |j: &&usize| tier.is_none_or(|t| self.built[**j].page.tiers.contains(&t));
        if forward {
            list.get(pos + 1..)?.iter().find(fits).copied()
        } else {
            list[..pos.min(list.len())].iter().rev().find(fits).copied()
        }
    }

    /// `data-alt` JSON (see [`NextVm::alt`]): for each tier whose link is not `default`.
    fn alt_json(&self, default: Option<usize>, pick: impl Fn(usize) -> Option<usize>) -> String {
        let mut map = serde_json::Map::new();
        for (t, tier) in self.site.tiers.iter().enumerate() {
            let got = pick(t);
            if got == default {
                continue;
            }
            let v = match got {
                Some(j) => {
                    let page = self.built[j].page;
                    serde_json::json!({
                        "u": format!("{}{}", self.site.base_path, page.url),
                        "t": page.title,
                        "p": page.phase.map(|p| self.site.phases[p].name.clone()),
                    })
                }
                None => serde_json::Value::Null,
            };
            map.insert(tier.id.clone(), v);
        }
        if map.is_empty() {
            String::new()
        } else {
            serde_json::Value::Object(map).to_string()
        }
    }

    /// The playbook after `i` in lifecycle order, with what each tier gets instead.
    fn up_next(&self, i: usize) -> Option<NextVm> {
        let list = self.playbook_order();
        let pos = self.playbook_pos[i]?;
        let next = self.nearest(list, pos, true, None)?;
        let page = self.built[next].page;
        Some(NextVm {
            title: page.title.clone(),
            url: format!("{}{}", self.site.base_path, page.url),
            phase: page.phase.map(|p| self.site.phases[p].name.clone()),
            alt: self.alt_json(Some(next), |t| self.nearest(list, pos, true, Some(t))),
        })
    }

    /// `data-alt` of the previous or next link of the pager (same phase and kind).
    fn pager_alt(&self, i: usize, forward: bool) -> String {
        let Some((same, pos)) = &self.pager[i] else {
            return String::new();
        };
        let default = self.nearest(same, *pos, forward, None);
        self.alt_json(default, |t| self.nearest(same, *pos, forward, Some(t)))
    }

    fn feedback(&self, i: usize) -> Option<FeedbackVm> {
        let page = self.built[i].page;
        if !matches!(page.kind, Kind::Playbook | Kind::Faq) {
            return None;
        }
        let url = self.config.base_url.absolute(&page.url);
        Some(FeedbackVm {
            yes: self.config.feedback_link(&url, "yes")?,
            no: self.config.feedback_link(&url, "no")?,
        })
    }

    /// The effort survey: asked once onboarding (the first phase) is behind the reader.
    fn survey(&self, i: usize) -> Option<String> {
        let page = self.built[i].page;
        let later = matches!(page.kind, Kind::Playbook | Kind::Faq) && page.phase? > 0;
        later
            .then(|| {
                self.config
                    .survey_link(&self.config.base_url.absolute(&page.url))
            })
            .flatten()
    }

    fn proof(&self, i: usize) -> Option<ProofVm> {
        let b = &self.built[i];
        let days = b.last_proven.filter(|_| b.proofs > 0 && b.published)?;
        let text = if b.proofs == 1 {
            self.ui("proven_one")
        } else {
            self.ui("proven_many")
        };
        Some(ProofVm {
            text: text.replace("{count}", &b.proofs.to_string()),
            date: human_date(days, self.config.language),
            date_iso: crate::dates::format_date(days),
        })
    }

    fn phase_vm(&self, p: usize) -> PhaseVm {
        self.site.phases[p].clone()
    }

    fn render_home(&self) -> Result<OutputFile, Diagnostic> {
        let map: Vec<Group> = (0..self.config.phases.len())
            .map(|p| {
                let all: Vec<usize> = self.by_phase[p]
                    .iter()
                    .copied()
                    .filter(|&i| self.built[i].page.kind == Kind::Playbook)
                    .collect();
                let shown = self.first_per_tier(&all, MAP_LIMIT);
                let phase = self.phase_vm(p);
                let (more, rest) = if shown.len() < all.len() {
                    // The progress ring still counts every playbook of the phase: the ones not listed go
                    // along as data, `[url, tier ids, step hashes]` each (see `ringRest` in guide.js).
                    let listed: HashSet<usize> = shown.iter().copied().collect();
                    let rest: Vec<(String, String, String)> = all
                        .iter()
                        .filter(|i| !listed.contains(i))
                        .map(|&i| {
                            let page = self.built[i].page;
                            let url = format!("{}{}", self.site.base_path, page.url);
                            (url, self.tier_ids(page), self.step_hashes(i))
                        })
                        .collect();
                    let more = self.more(phase.url.clone(), &all, MAP_LIMIT, true, &phase.name);
                    (Some(more), Some(script_json(&rest)))
                } else {
                    (None, None)
                };
                let cards = shown.into_iter().map(|i| self.card(i)).collect();
                Group {
                    phase,
                    cards,
                    more,
                    rest,
                }
            })
            .collect();
        let mut ctx = self.context("", "", "", None);
        ctx.insert("intro", &self.home_intro);
        ctx.insert("map", &map);
        ctx.insert("kickoff", &self.kickoff_vm());
        self.render("home.html", &ctx, "index.html".into(), 0)
    }

    fn kickoff_vm(&self) -> Kickoff {
        let total: u32 = self
            .kickoff
            .iter()
            .filter_map(|&i| self.built[i].page.minutes)
            .fold(0, u32::saturating_add);
        let mut by_tier = serde_json::Map::new();
        for (t, tier) in self.site.tiers.iter().enumerate() {
            let pages: Vec<&Page> = self
                .kickoff
                .iter()
                .map(|&i| self.built[i].page)
                .filter(|p| p.tiers.contains(&t))
                .collect();
            let minutes: u32 = pages
                .iter()
                .filter_map(|p| p.minutes)
                .fold(0, u32::saturating_add);
            by_tier.insert(
                tier.id.clone(),
                serde_json::json!({
                    "count": pages.len(),
                    "time": if minutes > 0 { self.duration(minutes) } else { String::new() },
                }),
            );
        }
        Kickoff {
            url: format!("{}{KICKOFF_URL}", self.site.base_path),
            count: self.kickoff.len(),
            total_time: (total > 0).then(|| self.duration(total)),
            by_tier: serde_json::Value::Object(by_tier).to_string(),
        }
    }

    fn render_phase(&self, p: usize) -> Result<OutputFile, Diagnostic> {
        let of_kind = |k: Kind| -> Vec<Card> {
            self.by_phase[p]
                .iter()
                .filter(|&&i| self.built[i].page.kind == k)
                .map(|&i| self.card(i))
                .collect()
        };
        let phase = self.phase_vm(p);
        let url = routes::phase_url(&phase.id);
        let mut ctx = self.context(&url, &url, &phase.name, phase.done_when.as_deref());
        ctx.insert("playbooks", &of_kind(Kind::Playbook));
        ctx.insert("faqs", &of_kind(Kind::Faq));
        ctx.insert("phase", &phase);
        ctx.insert("lifecycle", &self.lifecycle(p));
        ctx.insert(
            "next_phase",
            &self.site.phases.get(p + 1).map(|n| Ref {
                id: n.id.clone(),
                name: n.name.clone(),
                url: n.url.clone(),
            }),
        );
        // The first phase's page asks for the effort score of getting through it.
        ctx.insert(
            "survey",
            &(p == 0)
                .then(|| {
                    self.config
                        .survey_link(&self.config.base_url.absolute(&url))
                })
                .flatten(),
        );
        self.render("phase.html", &ctx, format!("{url}index.html"), 0)
    }

    fn render_tier(&self, t: usize) -> Result<OutputFile, Diagnostic> {
        let tier = &self.site.tiers[t];
        let groups: Vec<Group> = (0..self.config.phases.len())
            .filter_map(|p| {
                let mut all: Vec<usize> = self.by_phase[p]
                    .iter()
                    .copied()
                    .filter(|&i| self.built[i].page.tiers.contains(&t))
                    .collect();
                // Playbooks (what to do) before FAQs before other pages, each kind in phase order.
                all.sort_by_key(|&i| match self.built[i].page.kind {
                    Kind::Playbook => 0,
                    Kind::Faq => 1,
                    Kind::Page => 2,
                });
                let phase = self.phase_vm(p);
                let more = (all.len() > LIST_LIMIT).then(|| {
                    let url = format!("{}?tier={}", phase.url, tier.id);
                    self.more(url, &all, LIST_LIMIT, false, &phase.name)
                });
                let cards: Vec<Card> = all.iter().take(LIST_LIMIT).map(|&i| self.card(i)).collect();
                (!cards.is_empty()).then_some(Group {
                    phase,
                    cards,
                    more,
                    rest: None,
                })
            })
            .collect();
        let url = routes::tier_url(&tier.id);
        let mut ctx = self.context(&url, &url, &tier.name, tier.who.as_deref());
        ctx.insert("tier", tier);
        ctx.insert("groups", &groups);
        self.render("tier.html", &ctx, format!("{url}index.html"), 0)
    }

    fn render_faq_index(&self) -> Result<OutputFile, Diagnostic> {
        // Fragment ids: the last part of each FAQ's URL, kept clear of the page's own ids.
        let mut used: HashSet<String> = ["main".to_string()].into_iter().collect();
        used.extend(self.site.phases.iter().map(|p| format!("group-{}", p.id)));
        let mut published: Vec<(&Page, &Rendered)> = Vec::new();
        let groups: Vec<FaqGroup> = (0..self.config.phases.len())
            .map(|p| {
                let all: Vec<usize> = self.by_phase[p]
                    .iter()
                    .copied()
                    .filter(|&i| self.built[i].page.kind == Kind::Faq)
                    .collect();
                let shown = self.first_per_tier(&all, FAQ_LIMIT);
                let phase = self.phase_vm(p);
                let more = (shown.len() < all.len()).then(|| {
                    let url = format!("{}#faqs-title", phase.url);
                    self.more(url, &all, FAQ_LIMIT, true, &phase.name)
                });
                (phase, shown, more)
            })
            .map(|(phase, shown, more)| FaqGroup {
                phase,
                more,
                entries: shown
                    .into_iter()
                    .map(|i| {
                        let b = &self.built[i];
                        if b.published {
                            published.push((b.page, b.body));
                        }
                        let last = b.page.url.trim_end_matches('/').rsplit('/').next();
                        let base = last.filter(|l| !l.is_empty()).unwrap_or("q").to_string();
                        let mut anchor = base.clone();
                        let mut n = 1;
                        while !used.insert(anchor.clone()) {
                            n += 1;
                            anchor = format!("{base}-{n}");
                        }
                        FaqEntry {
                            card: self.card(i),
                            anchor,
                            answer: shift_headings(&b.body.html),
                        }
                    })
                    .collect(),
            })
            .filter(|g| !g.entries.is_empty())
            .collect();
        let title = self
            .by_src
            .get(routes::intro_src("content/faq/index", |s| self.by_src.contains_key(s)).as_str())
            .map(|&i| self.built[i].page.title.clone())
            .unwrap_or_else(|| self.ui("faq"));
        let mut ctx = self.context(FAQ_URL, FAQ_URL, &title, None);
        ctx.insert("intro", &self.faq_intro);
        ctx.insert("groups", &groups);
        ctx.insert(
            "jsonld",
            &(!published.is_empty()).then(|| faq_jsonld(&published)),
        );
        ctx.insert("heading", &title);
        self.render("faq_index.html", &ctx, format!("{FAQ_URL}index.html"), 0)
    }

    /// Whether page `i` counts for tier `t` in a list cut per tier: it names the tier, or names none.
    fn for_tier(&self, i: usize, t: usize) -> bool {
        let tiers = &self.built[i].page.tiers;
        tiers.is_empty() || tiers.contains(&t)
    }

    /// The items of `items` (in order) that are among the first `limit` of some tier: an item for several
    /// tiers (or for all, or none named) counts in each. Filtered by any one tier in the browser, the list
    /// then still shows that tier's first `limit` items, none missing.
    fn first_per_tier(&self, items: &[usize], limit: usize) -> Vec<usize> {
        let mut seen = vec![0usize; self.site.tiers.len().max(1)];
        let mut shown = Vec::new();
        for &i in items {
            let mut keep = false;
            for (t, count) in seen.iter_mut().enumerate() {
                if self.for_tier(i, t) {
                    keep |= *count < limit;
                    *count += 1;
                }
            }
            if keep {
                shown.push(i);
            }
        }
        shown
    }

    /// The "All 120 in Onboarding" link of a list of `items` cut at `limit` per tier (`per_tier`), or of one
    /// tier's list cut at `limit` (not `per_tier`).
    fn more(
        &self,
        url: String,
        items: &[usize],
        limit: usize,
        per_tier: bool,
        phase: &str,
    ) -> More {
        let label = |count: usize| {
            self.ui("more_in_phase")
                .replace("{count}", &count.to_string())
                .replace("{phase}", phase)
        };
        let mut by_tier = serde_json::Map::new();
        if per_tier {
            for (t, tier) in self.site.tiers.iter().enumerate() {
                let count = items.iter().filter(|&&i| self.for_tier(i, t)).count();
                let value = (count > limit).then(|| label(count));
                by_tier.insert(tier.id.clone(), value.into());
            }
        }
        More {
            url,
            label: label(items.len()),
            by_tier: if by_tier.is_empty() {
                String::new()
            } else {
                serde_json::Value::Object(by_tier).to_string()
            },
        }
    }

    fn render_kickoff(&self) -> Result<OutputFile, Diagnostic> {
        let cards: Vec<KickoffItem> = self
            .kickoff
            .iter()
            .map(|&i| KickoffItem {
                card: self.card(i),
                step_ids: self.step_ids(i),
            })
            .collect();
        let title = self.ui("kickoff");
        let mut ctx = self.context(KICKOFF_URL, KICKOFF_URL, &title, None);
        ctx.insert("intro", &self.ui("kickoff_intro"));
        ctx.insert("cards", &cards);
        let kickoff = self.kickoff_vm();
        ctx.insert("total_time", &kickoff.total_time);
        ctx.insert("by_tier", &kickoff.by_tier);
        self.render("kickoff.html", &ctx, format!("{KICKOFF_URL}index.html"), 0)
    }

    fn render_search(&self) -> Result<OutputFile, Diagnostic> {
        let url = routes::SEARCH_URL;
        let ctx = self.context(url, url, &self.ui("search_title"), None);
        self.render("search.html", &ctx, format!("{url}index.html"), 0)
    }

    fn render_404(&self) -> Result<OutputFile, Diagnostic> {
        let mut ctx = self.context("404.html", "", &self.ui("not_found_title"), None);
        // Served for any missing URL: it is the canonical version of no page.
        ctx.insert("canonical", &None::<String>);
        self.render("404.html", &ctx, "404.html".into(), 0)
    }

    /// URLs (relative to the base path) of every HTML page of the output, for the sitemap.
    pub fn page_urls(&self) -> Vec<String> {
        let mut urls = vec![String::new(), FAQ_URL.to_string(), KICKOFF_URL.to_string()];
        urls.extend(self.config.phases.iter().map(|p| routes::phase_url(&p.id)));
        urls.extend(self.config.tiers.iter().map(|t| routes::tier_url(&t.id)));
        urls.extend(
            self.built
                .iter()
                .filter(|b| !routes::is_intro_path(&b.page.src))
                .map(|b| b.page.url.clone()),
        );
        urls
    }
}

/// Script URLs with cache-busting queries, and the results page URL.
fn search_vm(theme: &Theme, base: &str) -> SearchVm {
    let versioned = |name: &str| match theme.statics.get(name) {
        Some(f) => format!("{base}{name}?v={}", &short_hash(&f.bytes)[..10]),
        None => format!("{base}{name}"),
    };
    SearchVm {
        ui: versioned("shirube-search-ui.js"),
        engine: versioned("shirube-search.js"),
        page: format!("{base}{}", routes::SEARCH_URL),
    }
}

/// `FAQPage` structured data for the given published FAQs, escaped for a `<script>` element.
fn faq_jsonld(faqs: &[(&Page, &Rendered)]) -> String {
    let entities: Vec<serde_json::Value> = faqs
        .iter()
        .map(|(page, body)| {
            serde_json::json!({
                "@type": "Question",
                "name": page.title,
                "acceptedAnswer": {
                    "@type": "Answer",
                    "text": crate::text::collapse(&body.text).replace('\n', " "),
                },
            })
        })
        .collect();
    let doc = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": entities,
    });
    script_json(&doc)
}

/// The playbooks and FAQs of the build by phase (intro pages aside), each list in reading order: indexes into
/// `built`.
fn by_phase(config: &Config, built: &[Built<'_>]) -> Vec<Vec<usize>> {
    let mut by_phase: Vec<Vec<usize>> = vec![Vec::new(); config.phases.len()];
    for (i, b) in built.iter().enumerate() {
        if let (Some(p), Kind::Playbook | Kind::Faq) = (b.page.phase, b.page.kind)
            && !routes::is_intro_path(&b.page.src)
        {
            by_phase[p].push(i);
        }
    }
    for list in &mut by_phase {
        // Cached keys: `order_key` allocates, and a comparison sort would call it O(n log n) times.
        list.sort_by_cached_key(|&a| order_key(built[a].page));
    }
    by_phase
}

/// The view model every template gets as `site`: title, navigation, phases, tiers, asset URLs.
fn site_vm<'a>(
    config: &'a Config,
    theme: &'a Theme,
    preview: bool,
    by_phase: &[Vec<usize>],
) -> SiteVm<'a> {
    let base = config.base_url.path.as_str();
    let ui = &theme.ui;
    let t = |k: &str| ui.get(k).cloned().unwrap_or_else(|| k.to_string());
    let phases: Vec<PhaseVm> = config
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| PhaseVm {
            id: p.id.clone(),
            name: p.name.clone(),
            months: p.months.clone(),
            done_when: p.done_when.clone(),
            url: format!("{base}{}", routes::phase_url(&p.id)),
            count: by_phase[i].len(),
        })
        .collect();
    let tiers: Vec<TierVm> = config
        .tiers
        .iter()
        .map(|t| TierVm {
            id: t.id.clone(),
            name: t.name.clone(),
            who: t.who.clone(),
            url: format!("{base}{}", routes::tier_url(&t.id)),
        })
        .collect();
    let mut nav: Vec<NavItem> = phases
        .iter()
        .map(|p| NavItem {
            title: p.name.clone(),
            url: p.url.clone(),
            current: false,
        })
        .collect();
    nav.push(NavItem {
        title: t("faq"),
        url: format!("{base}{FAQ_URL}"),
        current: false,
    });
    nav.push(NavItem {
        title: t("kickoff"),
        url: format!("{base}{KICKOFF_URL}"),
        current: false,
    });
    let stylesheet = match theme.statics.get("style.css") {
        Some(f) => format!("{base}style.css?v={}", &short_hash(&f.bytes)[..10]),
        None => format!("{base}style.css"),
    };
    let script = theme
        .statics
        .get("guide.js")
        .map(|f| format!("{base}guide.js?v={}", &short_hash(&f.bytes)[..10]));
    SiteVm {
        script,
        tier_ids: tiers
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        title: &config.title,
        lang: config.language.code(),
        base_path: base,
        ui,
        preview,
        nav,
        phases,
        tiers,
        stylesheet,
        home_url: base.to_string(),
        search: search_vm(theme, base),
        feed: crate::feed::enabled(config).then(|| format!("{base}{}", crate::feed::PATH)),
    }
}

/// For each page of the build, the pages of its phase and kind in reading order, and its place among them:
/// what its "previous" and "next" links follow.
fn pagers(
    by_phase: &[Vec<usize>],
    built: &[Built<'_>],
) -> Vec<Option<(std::sync::Arc<[usize]>, usize)>> {
    let mut pager = vec![None; built.len()];
    for list in by_phase {
        for kind in [Kind::Playbook, Kind::Faq] {
            let same: std::sync::Arc<[usize]> = list
                .iter()
                .copied()
                .filter(|&j| built[j].page.kind == kind)
                .collect();
            for (pos, &j) in same.iter().enumerate() {
                pager[j] = Some((same.clone(), pos));
            }
        }
    }
    pager
}

/// A short stand-in for a step id in `data-steps` and the home map's ring data (step ids are whole sentences):
/// FNV-1a (32 bits) of its UTF-8 bytes, in base 36. `stepHash` in guide.js computes the same (both are checked
/// against `tests/reader/step_hash.json`); a collision between two steps of one page would only make progress
/// count one tick for both.
pub fn step_hash(id: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in id.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    let mut digits = Vec::new();
    loop {
        digits.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(h % 36) as usize]);
        h /= 36;
        if h == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

/// Moves the headings of an answer one level down (`h2` → `h3`, down to `h6`), for the FAQ index, whose
/// questions sit under `h2` phase headings.
fn shift_headings(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let (mut copied, mut at) = (0, 0);
    while let Some(i) = html[at..].find('<') {
        let tag = at + i;
        at = tag + 1;
        // `<h2`..`<h5` (with attributes or not), `</h2>`..`</h5>`: the digit that changes.
        let digit = match bytes.get(tag + 1) {
            Some(b'h') => tag + 2,
            Some(b'/')
                if bytes.get(tag + 2) == Some(&b'h') && bytes.get(tag + 4) == Some(&b'>') =>
            {
                tag + 3
            }
            _ => continue,
        };
        if let Some(&d @ b'2'..=b'5') = bytes.get(digit) {
            // ASCII around `digit`, so both slices end on character boundaries.
            out.push_str(&html[copied..digit]);
            out.push(char::from(d + 1));
            copied = digit + 1;
        }
    }
    out.push_str(&html[copied..]);
    out
}

/// A date for readers: `2 November 2026`, `2026年11月2日`.
pub fn human_date(days: i64, lang: crate::config::Language) -> String {
    let iso = crate::dates::format_date(days);
    let mut parts = iso.splitn(3, '-').map(|p| p.parse::<u32>().unwrap_or(0));
    let (y, m, d) = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    match lang {
        crate::config::Language::Ja => format!("{y}年{m}月{d}日"),
        crate::config::Language::En => {
            let month = MONTHS.get(m.wrapping_sub(1) as usize).unwrap_or(&"");
            format!("{d} {month} {y}")
        }
    }
}

fn order_key(p: &Page) -> (i64, String, String) {
    (p.weight, p.title.to_lowercase(), p.src.clone())
}

/// Whether the site has a sitemap: `base_url` names a host. The sitemap protocol takes only absolute URLs, so a
/// site whose `base_url` is a path (`/guide/`) gets none, and its robots.txt names none (as for the feed).
pub fn sitemap_enabled(config: &Config) -> bool {
    !config.base_url.origin.is_empty()
}

/// `sitemap.xml` for the given URLs, or `None` when `base_url` has no host (see [`sitemap_enabled`]).
pub fn sitemap(config: &Config, urls: &[String]) -> Option<OutputFile> {
    if !sitemap_enabled(config) {
        return None;
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for u in urls {
        xml.push_str("  <url><loc>");
        xml.push_str(&xml_escape(&encode_path(&config.base_url.absolute(u))));
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    Some(OutputFile {
        path: "sitemap.xml".into(),
        bytes: xml.into_bytes(),
    })
}

/// `robots.txt`: everything allowed in a published build, nothing in a preview.
pub fn robots(config: &Config, preview: bool) -> OutputFile {
    let text = if preview {
        "# Preview build: not for search engines.\nUser-agent: *\nDisallow: /\n".to_string()
    } else if !sitemap_enabled(config) {
        "User-agent: *\nAllow: /\n".to_string()
    } else {
        format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}\n",
            encode_path(&config.base_url.absolute("sitemap.xml"))
        )
    };
    OutputFile {
        path: "robots.txt".into(),
        bytes: text.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_of_an_answer_move_one_level_down() {
        fn reference(html: &str) -> String {
            let mut out = html.to_string();
            for n in (2..=5).rev() {
                out = out
                    .replace(&format!("<h{n}"), &format!("<h{}", n + 1))
                    .replace(&format!("</h{n}>"), &format!("</h{}>", n + 1));
            }
            out
        }
        for html in [
            "<h2 id=\"a\">設定</h2><p>x</p><h3>b</h3><h5>c</h5><h6>d</h6>",
            "<h1>t</h1><h4 class=\"x\">y</h4></h4 ><header><hr><h2",
            "a < b <h <h2> </h",
            "",
        ] {
            assert_eq!(shift_headings(html), reference(html), "{html}");
        }
        assert_eq!(shift_headings("<h2>a</h2>"), "<h3>a</h3>");
    }

    #[test]
    fn xml_escaping_covers_markup_quotes_and_control_characters() {
        assert_eq!(
            xml_escape("Q&A: <b>\"SSO\"</b>\u{1}\tok"),
            "Q&amp;A: &lt;b&gt;&quot;SSO&quot;&lt;/b&gt;\tok"
        );
    }

    #[test]
    fn escaping_matches_tera() {
        for input in [
            "",
            "plain text",
            "<script>alert('x')</script>",
            "a & b \"quoted\" 'single' <>",
            "&&&",
            "契約更新の手順 <b>",
            "ends with &",
            "'",
        ] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            escape_html(input, &mut ours).unwrap();
            tera::escape_html(input, &mut theirs).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap(),
                "{input}"
            );
        }
    }
}
