//! A site kept in memory between builds, so that `serve` rebuilds after an edit in time that follows the edit,
//! not the size of the site.
//!
//! [`Session::update`] runs the same stages as [`super::build`] (which is a session used once), and keeps what
//! each stage made so that the next update reuses it where the stage's inputs did not change:
//!
//! | stage | one item is made again when |
//! |---|---|
//! | load | its file's size, times or inode changed, or the watcher named it |
//! | config | `shirube.yaml` changed (and then every stage below starts over) |
//! | validate, per page | its text changed |
//! | manifest | a manifest file changed, a page became gated or not, or the day changed |
//! | gate, per page | the page or the manifest changed |
//! | anchors, per page | the page changed |
//! | Markdown, per page | the page changed, or a lookup it made in the [`SiteIndex`] (see [`LinkDeps`]) has another answer |
//! | theme | a template, static file or UI string changed (then every template is compiled again) |
//!
//! Checks across pages (duplicate URLs, `requires`, proof warnings) run again on every update: they only read
//! what the stages above made. Templates are not rendered here: an [`Output`] renders one file when asked
//! (`serve`), or all of them (`build`), with the same code. So an update is equal to a full build as long as
//! every reuse above is keyed by everything its stage reads; `tests/testsuite/serve.rs` checks that byte for byte.

use super::{
    Checked, Options, Timings, banner, doc_target, gate_warnings, load_config, other_urls,
    public_manifest,
};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::feed;
use crate::load::{self, Reuse, SourceDoc, Sources};
use crate::markdown::{self, LinkDeps, Rendered, SiteIndex, Target};
use crate::model::OutputFile;
use crate::model::Page;
use crate::proof::{self, Decision, Manifest, State};
use crate::render::{self, Built, Job, Renderer};
use crate::routes;
use crate::theme::{self, Theme};
use crate::validate;
use crate::{HashMap, HashSet};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use std::time::Instant;

/// A map keyed by source path: the fast path looks up every page.
type PathMap<V> = HashMap<String, V>;

/// The manifest as parsed, with what it was parsed from.
struct ParsedManifest {
    files: Vec<(String, String)>,
    known: HashMap<String, bool>,
    today: i64,
    manifest: Manifest,
    diagnostics: Vec<Diagnostic>,
}

/// The results of one page, moved between updates.
struct Slot {
    page: Page,
    decision: Option<Decision>,
    body: Option<(Rendered, LinkDeps)>,
}

/// What changed in the [`SiteIndex`] since the previous update.
#[derive(Default)]
struct IndexChanges {
    /// Source paths whose target was added, removed, or has another URL, anchors or published flag.
    pages: HashSet<String>,
    /// Files added or removed.
    files: HashSet<String>,
    /// The set of URLs (pages' and generated) changed.
    urls: bool,
    /// The set of page and file paths changed.
    paths: bool,
}

impl IndexChanges {
    fn affects(&self, deps: &LinkDeps) -> bool {
        if self.pages.is_empty() && self.files.is_empty() && !self.urls && !self.paths {
            return false;
        }
        (deps.urls && self.urls)
            || (deps.all_paths && self.paths)
            || deps.pages.iter().any(|p| self.pages.contains(p))
            || deps.files.iter().any(|f| self.files.contains(f))
    }
}

/// The result of an update.
#[derive(Debug, Default)]
pub struct Update {
    /// Every error and warning; with an error there is no [`Output`].
    pub diagnostics: Diagnostics,
    /// Wall time per stage.
    pub timings: Timings,
    /// Pages left out of a published build, with their state.
    pub held_back: Vec<(String, State)>,
    /// Number of content pages in the output.
    pub pages: usize,
    /// How much of the site this update did again.
    pub work: Work,
}

/// How many pages an update read, validated and rendered again (the rest was reused).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    /// Markdown files whose text was new or changed.
    pub changed: usize,
    /// Documents validated again.
    pub validated: usize,
    /// Page bodies rendered from Markdown again.
    pub rendered: usize,
    /// Whether the templates were compiled again.
    pub templates: bool,
}

/// A site in memory: the result of every stage before rendering, kept for the next update.
pub struct Session {
    opts: Options,
    reuse: Reuse,
    sources: Sources,
    config_text: Option<String>,
    config: Option<Config>,
    config_diags: Vec<Diagnostic>,
    /// Validated pages, in source order; `decisions`, `bodies` and `deps` are parallel to it.
    pages: Vec<Page>,
    /// Whether validating each document gave a page, and its diagnostics, by source path.
    page_diags: PathMap<(bool, Vec<Diagnostic>)>,
    manifest: Option<ParsedManifest>,
    decisions: Vec<Decision>,
    index: Option<SiteIndex>,
    bodies: Vec<Rendered>,
    deps: Vec<LinkDeps>,
    /// Bodies of the previous update, parallel to `pages` between `prepare` and `markdown`.
    kept_bodies: Vec<Option<(Rendered, LinkDeps)>>,
    theme: Option<Theme>,
    /// Problems loading the theme and compiling its templates.
    theme_diags: Vec<Diagnostic>,
    tera: Option<Result<tera::Tera, Vec<Diagnostic>>>,
    /// Whether the last update reached the end without an error.
    ok: bool,
    /// What the fast path of [`Session::update`] needs: see `fast_prepare`.
    fast: FastState,
}

/// Kept by a full update for the fast path of the next ones.
#[derive(Default)]
struct FastState {
    /// The full load had no problems (then the fast path may reuse its result).
    clean: bool,
    /// The day the decisions were made for.
    today: Option<i64>,
    /// Index into `sources.docs` by path, and into `pages` by source path.
    docs: PathMap<usize>,
    pages: PathMap<usize>,
    /// `validate::check_site` and `gate_warnings` of the last update.
    site_diags: Vec<Diagnostic>,
    gate_diags: Vec<Diagnostic>,
    /// The last update was a full one (the fast path needs no full pass over the site index).
    structural: bool,
    /// The last update changed nothing that [`Session::output`] checks (the kickoff order): the
    /// previous check still holds.
    kickoff_checked: bool,
    /// Each page's published flag in the site index, parallel to `pages`.
    published: Vec<bool>,
}

impl Session {
    /// A session that has not read anything yet: its first update is a full build.
    pub fn new(opts: Options) -> Self {
        Session {
            sources: Sources {
                root: opts.root.clone(),
                ..Sources::default()
            },
            opts,
            reuse: Reuse::default(),
            config_text: None,
            config: None,
            config_diags: Vec::new(),
            pages: Vec::new(),
            page_diags: PathMap::default(),
            manifest: None,
            decisions: Vec::new(),
            index: None,
            bodies: Vec::new(),
            deps: Vec::new(),
            kept_bodies: Vec::new(),
            theme: None,
            theme_diags: Vec::new(),
            tera: None,
            ok: false,
            fast: FastState::default(),
        }
    }

    /// The options the session builds with.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// Brings the session up to date with the files on disk. `touched` are paths (relative to the site root)
    /// known to have changed: they are read again even when their size and times look the same.
    ///
    /// When `touched` names only Markdown files the session already has (the usual save), only those are read;
    /// otherwise every source file's stamp is compared (see [`Session::update_all`]).
    pub fn update(&mut self, touched: &[String]) -> Update {
        self.update_with(touched, false)
    }

    /// [`Session::update`], comparing every source file's stamp whatever `touched` says: for when events may
    /// have been lost.
    pub fn update_all(&mut self, touched: &[String]) -> Update {
        self.update_with(touched, true)
    }

    fn update_with(&mut self, touched: &[String], full: bool) -> Update {
        let mut up = Update::default();
        self.ok = false;
        self.reuse.force.extend(touched.iter().cloned());
        let fast = if full {
            None
        } else {
            self.fast_prepare(touched, &mut up.diagnostics, &mut up.timings, &mut up.work)
        };
        let fast_path = fast.is_some();
        let dirty = match fast {
            Some(dirty) => dirty,
            None => {
                let mut diags = Diagnostics::default();
                let mut timings = Timings::default();
                let prepared = self.prepare_pages(&mut diags, &mut timings, &mut up.work);
                up.diagnostics = diags;
                up.timings = timings;
                let Some(dirty) = prepared else {
                    return up;
                };
                dirty
            }
        };
        let Some(config) = self.config.clone() else {
            return up;
        };
        up.held_back = self
            .pages
            .iter()
            .zip(&self.decisions)
            .filter(|(p, d)| !d.published && !routes::is_intro_path(&p.src))
            .map(|(p, d)| (p.src.clone(), d.state))
            .collect();
        // Before the Markdown: links may name the theme's files.
        let theme_touched = touched.iter().any(|p| {
            let top = p.split('/').next().unwrap_or("");
            ["themes", "templates", "static"].contains(&top)
        });
        if fast_path && !theme_touched && self.theme.is_some() {
            up.diagnostics.extend(self.theme_diags.iter().cloned());
        } else {
            up.work.templates = self.theme(&config, &mut up.diagnostics);
        }
        up.work.rendered = self.markdown(&config, &dirty, &mut up.diagnostics);
        up.timings.lap("markdown");
        up.pages = self
            .pages
            .iter()
            .zip(&self.decisions)
            .filter(|(p, d)| (d.published || self.opts.preview) && !routes::is_intro_path(&p.src))
            .count();
        self.ok = !up.diagnostics.has_errors();
        up
    }

    /// Load, config, validate and gate. Returns the source paths of the pages to treat as changed (every page
    /// when the config changed), or `None` when the config cannot be read.
    pub(super) fn prepare_pages(
        &mut self,
        diags: &mut Diagnostics,
        timings: &mut Timings,
        work: &mut Work,
    ) -> Option<HashSet<String>> {
        let today = match self.opts.today.map(Ok).unwrap_or_else(crate::dates::today) {
            Ok(t) => t,
            Err(msg) => {
                diags.push(Diagnostic::error(crate::dates::TODAY_ENV, msg));
                return None;
            }
        };
        self.reuse.give_back(std::mem::take(&mut self.sources.docs));
        let (sources, d, changed) = load::load_again(&self.opts.root, &mut self.reuse);
        self.sources = sources;
        let load_clean = d.is_empty();
        diags.extend(d);
        timings.lap("load");

        let config_changed = self.config.is_none() || self.config_text != self.sources.config_text;
        if config_changed {
            let mut d = Diagnostics::default();
            self.config = load_config(&self.sources, &self.opts, &mut d);
            self.config_text = self.sources.config_text.clone();
            self.config_diags = d.sorted().into_iter().cloned().collect();
        }
        diags.extend(self.config_diags.iter().cloned());
        let config = self.config.clone()?;

        // Validate the documents that changed; keep every other page as it was.
        let mut slots = self.take_slots();
        if config_changed {
            slots.clear();
            self.page_diags.clear();
        }
        let todo: Vec<&SourceDoc> = self
            .sources
            .docs
            .iter()
            .filter(|d| {
                changed.docs.contains(&d.path)
                    || match self.page_diags.get(&d.path) {
                        None => true,
                        Some((had_page, _)) => *had_page && !slots.contains_key(&d.path),
                    }
            })
            .collect();
        work.changed = changed.docs.len();
        work.validated = todo.len();
        let fresh: Vec<(String, Option<Page>, Vec<Diagnostic>)> = todo
            .par_iter()
            .map(|d| {
                let (page, diags) = validate::read_page(d, &config);
                (d.path.clone(), page, diags)
            })
            .collect();
        let mut dirty: HashSet<String> = changed.docs.iter().cloned().collect();
        dirty.extend(changed.removed.iter().cloned());
        let mut fresh_pages: HashMap<String, Option<Page>> = HashMap::default();
        for (path, page, d) in fresh {
            slots.remove(&path);
            dirty.insert(path.clone());
            self.page_diags.insert(path.clone(), (page.is_some(), d));
            fresh_pages.insert(path, page);
        }
        let present: HashSet<&str> = self.sources.docs.iter().map(|d| d.path.as_str()).collect();
        self.page_diags.retain(|p, _| present.contains(p.as_str()));
        let mut pages = Vec::with_capacity(self.sources.docs.len());
        let mut kept_decisions: Vec<Option<Decision>> = Vec::with_capacity(pages.capacity());
        let mut kept_bodies: Vec<Option<(Rendered, LinkDeps)>> =
            Vec::with_capacity(pages.capacity());
        for doc in &self.sources.docs {
            if let Some(page) = fresh_pages.remove(&doc.path) {
                if let Some(page) = page {
                    pages.push(page);
                    kept_decisions.push(None);
                    kept_bodies.push(None);
                }
            } else if let Some(slot) = slots.remove(&doc.path) {
                pages.push(slot.page);
                kept_decisions.push(slot.decision);
                kept_bodies.push(slot.body);
            }
            if let Some((_, d)) = self.page_diags.get(&doc.path) {
                diags.extend(d.iter().cloned());
            }
        }
        let site_diags = validate::check_site(&pages, &self.sources, &config);
        diags.extend(site_diags.iter().cloned());
        self.fast.site_diags = site_diags;
        timings.lap("validate");

        // Gate: only pages proven in real engagements are published; drafts never are.
        let mut known: HashMap<&str, bool> = pages
            .iter()
            .map(|p| {
                (
                    p.src.as_str(),
                    config.proof.gate.contains(&p.kind) && !routes::is_intro_path(&p.src),
                )
            })
            .collect();
        // A file whose front matter failed has its own error: the manifest does not call it missing too.
        for doc in &self.sources.docs {
            known.entry(doc.path.as_str()).or_insert(true);
        }
        let files: Vec<(String, String)> = self
            .sources
            .manifests
            .iter()
            .map(|m| (m.path.clone(), m.text.clone()))
            .collect();
        let same_manifest = !config_changed
            && self.manifest.as_ref().is_some_and(|m| {
                m.today == today
                    && m.files == files
                    && m.known.len() == known.len()
                    && known.iter().all(|(k, v)| m.known.get(*k) == Some(v))
            });
        if !same_manifest {
            let (manifest, d) = proof::parse(&self.sources.manifests, &config, &known, today);
            self.manifest = Some(ParsedManifest {
                files,
                known: known.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                today,
                manifest,
                diagnostics: d,
            });
        }
        let parsed = self.manifest.as_ref()?;
        diags.extend(parsed.diagnostics.iter().cloned());
        let decisions: Vec<Decision> = if same_manifest {
            let todo: Vec<usize> = (0..pages.len())
                .filter(|&i| kept_decisions[i].is_none())
                .collect();
            let subset: Vec<Page> = todo.iter().map(|&i| pages[i].clone()).collect();
            let fresh = proof::gate(&subset, &parsed.manifest, &config, today);
            for (i, d) in todo.into_iter().zip(fresh) {
                kept_decisions[i] = Some(d);
            }
            kept_decisions.into_iter().flatten().collect()
        } else {
            proof::gate(&pages, &parsed.manifest, &config, today)
        };
        let gate_diags = gate_warnings(&pages, &decisions, &self.sources, &config);
        diags.extend(gate_diags.iter().cloned());
        self.fast.gate_diags = gate_diags;
        timings.lap("gate");

        if config_changed {
            self.index = None;
            dirty.extend(pages.iter().map(|p| p.src.clone()));
            kept_bodies.iter_mut().for_each(|b| *b = None);
        }
        self.pages = pages;
        self.decisions = decisions;
        self.bodies.clear();
        self.deps.clear();
        self.kept_bodies = kept_bodies;
        self.fast.clean = load_clean;
        self.fast.today = Some(today);
        self.fast.docs = self
            .sources
            .docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.path.clone(), i))
            .collect();
        self.fast.pages = self
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.src.clone(), i))
            .collect();
        self.fast.structural = true;
        self.fast.kickoff_checked = false;
        Some(dirty)
    }

    /// The fast path of load, validate and gate, for a save of Markdown files the session already has: reads
    /// only those, and reuses the checks across pages when the saved pages kept their URL, `requires`, kind and
    /// proof state. `None` (with nothing changed) when any of that does not hold; the full path runs then.
    fn fast_prepare(
        &mut self,
        touched: &[String],
        diags: &mut Diagnostics,
        timings: &mut Timings,
        work: &mut Work,
    ) -> Option<HashSet<String>> {
        let today = self
            .opts
            .today
            .map(Ok)
            .unwrap_or_else(crate::dates::today)
            .ok()?;
        if touched.is_empty()
            || !self.fast.clean
            || self.fast.today != Some(today)
            || self.decisions.len() != self.pages.len()
            || self.bodies.len() != self.pages.len()
            || self.manifest.is_none()
        {
            return None;
        }
        let config = self.config.clone()?;
        let root = self.opts.root.clone();
        // Every touched path in a content folder must be a document the session has, still readable.
        let mut docs: Vec<(usize, SourceDoc)> = Vec::new();
        for p in touched {
            let top = p.split('/').next().unwrap_or("");
            if p.is_empty() {
                return None;
            }
            if load::CONTENT_DIRS.contains(&top) {
                let i = *self.fast.docs.get(p)?;
                docs.push((i, load::read_one(&root, p).ok()?));
            }
        }
        if load::read_config(&root).ok()? != self.config_text {
            return None;
        }
        let manifests = load::read_manifests(&root).ok()?;
        let same_manifests = manifests.len() == self.sources.manifests.len()
            && manifests
                .iter()
                .zip(&self.sources.manifests)
                .all(|(a, b)| a.path == b.path && a.text == b.text);
        if !same_manifests {
            return None;
        }
        timings.lap("load");

        docs.retain(|(i, d)| d.text != self.sources.docs[*i].text);
        let fresh: Vec<(usize, usize, Page, Vec<Diagnostic>)> = docs
            .par_iter()
            .map(|(i, d)| {
                let (page, diags) = validate::read_page(d, &config);
                (*i, page, diags)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|(i, page, d)| {
                let path = &self.sources.docs[i].path;
                let j = self.fast.pages.get(path).copied();
                (i, j, page, d)
            })
            .map(|(i, j, page, d)| match (j, page) {
                (Some(j), Some(page)) => Some((i, j, page, d)),
                // A page appeared or went away: the full path.
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        let mut site_same = true;
        let mut kickoff_same = true;
        let mut subset = Vec::with_capacity(fresh.len());
        for (_, j, page, _) in &fresh {
            let old = &self.pages[*j];
            if old.kind != page.kind {
                // Gated or not: the manifest is read against another set of pages.
                return None;
            }
            site_same &= old.url == page.url && old.requires == page.requires;
            kickoff_same &=
                old.requires == page.requires && old.before_kickoff == page.before_kickoff;
            subset.push(page.clone());
        }
        let parsed = self.manifest.as_ref()?;
        let decisions = proof::gate(&subset, &parsed.manifest, &config, today);
        let mut gate_same = true;
        for ((_, j, page, _), d) in fresh.iter().zip(&decisions) {
            let old = &self.decisions[*j];
            gate_same &= old.state == d.state
                && old.published == d.published
                && old.reason == d.reason
                && old.off_tier == d.off_tier
                && self.pages[*j].requires == page.requires;
        }
        // Cached diagnostics that point into a saved file carry its old text: make them again.
        let saved: HashSet<&str> = fresh
            .iter()
            .map(|(i, _, _, _)| self.sources.docs[*i].path.as_str())
            .collect();
        site_same &= !self
            .fast
            .site_diags
            .iter()
            .any(|d| saved.contains(d.path.as_str()));
        gate_same &= !self
            .fast
            .gate_diags
            .iter()
            .any(|d| saved.contains(d.path.as_str()));

        // Commit.
        work.changed = fresh.len();
        work.validated = fresh.len();
        let mut dirty = HashSet::default();
        let mut new_docs: HashMap<usize, SourceDoc> = docs.into_iter().collect();
        for ((i, j, page, d), decision) in fresh.into_iter().zip(decisions) {
            if let Some(doc) = new_docs.remove(&i) {
                self.sources.docs[i] = doc;
            }
            dirty.insert(page.src.clone());
            self.page_diags.insert(page.src.clone(), (true, d));
            self.pages[j] = page;
            self.decisions[j] = decision;
        }
        self.sources.manifests = manifests;
        self.reuse.force.clear();
        diags.extend(self.config_diags.iter().cloned());
        for doc in &self.sources.docs {
            if let Some((_, d)) = self.page_diags.get(&doc.path) {
                diags.extend(d.iter().cloned());
            }
        }
        if !site_same {
            self.fast.site_diags = validate::check_site(&self.pages, &self.sources, &config);
        }
        diags.extend(self.fast.site_diags.iter().cloned());
        timings.lap("validate");
        diags.extend(parsed.diagnostics.iter().cloned());
        if !gate_same {
            self.fast.gate_diags =
                gate_warnings(&self.pages, &self.decisions, &self.sources, &config);
        }
        diags.extend(self.fast.gate_diags.iter().cloned());
        timings.lap("gate");
        let bodies = std::mem::take(&mut self.bodies);
        let deps = std::mem::take(&mut self.deps);
        self.kept_bodies = bodies.into_iter().zip(deps).map(Some).collect();
        self.fast.structural = false;
        self.fast.kickoff_checked = kickoff_same && gate_same;
        Some(dirty)
    }

    /// Moves every page's results out of the session, by source path.
    fn take_slots(&mut self) -> HashMap<String, Slot> {
        let mut decisions = std::mem::take(&mut self.decisions).into_iter();
        let mut bodies = std::mem::take(&mut self.bodies).into_iter();
        let mut deps = std::mem::take(&mut self.deps).into_iter();
        std::mem::take(&mut self.pages)
            .into_iter()
            .map(|page| {
                let body = bodies.next().zip(deps.next());
                let slot = Slot {
                    decision: decisions.next(),
                    body,
                    page,
                };
                (slot.page.src.clone(), slot)
            })
            .collect()
    }

    /// Updates the site index, then renders the Markdown of every page whose result may have changed.
    /// Returns how many pages it rendered.
    fn markdown(
        &mut self,
        config: &Config,
        dirty: &HashSet<String>,
        diags: &mut Diagnostics,
    ) -> usize {
        let published: Vec<bool> = self.decisions.iter().map(|d| d.published).collect();
        let changes = self.update_index(config, dirty, &published);
        let Some(index) = self.index.as_mut() else {
            return 0;
        };
        // Admonition titles are the theme's: when they change, every page is rendered again.
        let titles = self
            .theme
            .as_ref()
            .map(|t| markdown::AdmonitionTitles::from_ui(&t.ui))
            .unwrap_or_default();
        let retitled = index.admonitions != titles;
        index.admonitions = titles;
        let index = &*index;
        let mut kept = std::mem::take(&mut self.kept_bodies);
        kept.resize_with(self.pages.len(), || None);
        let results: Vec<(Rendered, LinkDeps, bool)> = self
            .pages
            .par_iter()
            .zip(kept.into_par_iter())
            .map(|(page, kept)| match kept {
                Some((body, deps))
                    if !retitled && !dirty.contains(&page.src) && !changes.affects(&deps) =>
                {
                    (body, deps, false)
                }
                _ => {
                    let (body, deps) = markdown::render_with_deps(page, index);
                    (body, deps, true)
                }
            })
            .collect();
        let rendered = results.iter().filter(|r| r.2).count();
        let (bodies, deps): (Vec<Rendered>, Vec<LinkDeps>) =
            results.into_iter().map(|(b, d, _)| (b, d)).unzip();
        self.bodies = bodies;
        self.deps = deps;
        let preview = self.opts.preview;
        for (body, &published) in self.bodies.iter().zip(&published) {
            if published || preview {
                diags.extend(body.diagnostics.iter().cloned());
            } else {
                // Links from pages left out of the build are still worth fixing, but never fail it.
                diags.extend(body.diagnostics.iter().cloned().map(|mut d| {
                    if d.severity == Severity::Error {
                        d.severity = Severity::Warning;
                        d.message = format!("{} (in an unpublished page)", d.message);
                    }
                    d
                }));
            }
        }
        rendered
    }

    /// Brings the site index up to date in place, and says what changed in it.
    fn update_index(
        &mut self,
        config: &Config,
        dirty: &HashSet<String>,
        published: &[bool],
    ) -> IndexChanges {
        let mut changes = IndexChanges::default();
        let fresh = self.index.is_none();
        let structural = self.fast.structural || fresh;
        let index = self.index.get_or_insert_with(|| SiteIndex {
            base_path: config.base_url.path.clone(),
            origin: config.base_url.origin.clone(),
            pages: HashMap::default(),
            files: Default::default(),
            unreadable: Default::default(),
            other_urls: HashSet::default(),
            admonitions: Default::default(),
            page_urls: Default::default(),
            suggestions: Default::default(),
            links: config.links,
            nfc_paths: Default::default(),
        });
        // Anchors of changed pages, in parallel; every other page keeps its target.
        let made: Vec<(usize, Target)> = self
            .pages
            .par_iter()
            .enumerate()
            .filter(|(_, p)| dirty.contains(&p.src) || !index.pages.contains_key(&p.src))
            .map(|(i, p)| {
                let target = Target::new(
                    p.url.clone(),
                    p.body.clone(),
                    published[i],
                    p.kind == crate::model::Kind::Faq,
                );
                (i, target)
            })
            .collect();
        let note =
            |changes: &mut IndexChanges, src: &str, old: Option<&Target>, new: &Target| match old {
                Some(o)
                    if o.url == new.url
                        && o.anchors() == new.anchors()
                        && o.published == new.published
                        && o.faq == new.faq => {}
                Some(o) => {
                    changes.urls |= o.url != new.url;
                    changes.pages.insert(src.to_string());
                }
                None => {
                    changes.urls = true;
                    changes.paths = true;
                    changes.pages.insert(src.to_string());
                }
            };
        let mut remade = vec![false; self.pages.len()];
        for (i, target) in made {
            remade[i] = true;
            let src = &self.pages[i].src;
            note(&mut changes, src, index.pages.get(src), &target);
            index.pages.insert(src.clone(), target);
        }
        // After a fast update the pages are where they were: only flags that changed need a look-up.
        let aligned = !structural && self.fast.published.len() == self.pages.len();
        for (i, p) in self.pages.iter().enumerate() {
            if remade[i] || (aligned && self.fast.published[i] == published[i]) {
                continue;
            }
            if let Some(t) = index.pages.get_mut(&p.src)
                && t.published != published[i]
            {
                t.published = published[i];
                changes.pages.insert(p.src.clone());
            }
        }
        if structural {
            // Files whose front matter could not be read have their own error; links to them are not broken
            // too. Then forget what is gone.
            let pages: HashSet<&str> = self.pages.iter().map(|p| p.src.as_str()).collect();
            for doc in &self.sources.docs {
                if !pages.contains(doc.path.as_str()) {
                    let target = doc_target(doc);
                    note(&mut changes, &doc.path, index.pages.get(&doc.path), &target);
                    index.pages.insert(doc.path.clone(), target);
                }
            }
            let docs: HashSet<&str> = self.sources.docs.iter().map(|d| d.path.as_str()).collect();
            let gone: Vec<String> = index
                .pages
                .keys()
                .filter(|k| !docs.contains(k.as_str()))
                .cloned()
                .collect();
            for src in gone {
                index.pages.remove(&src);
                changes.urls = true;
                changes.paths = true;
                changes.pages.insert(src);
            }
        }
        if index.files != self.sources.files {
            for f in self.sources.files.symmetric_difference(&index.files) {
                changes.paths = true;
                changes.files.insert(f.clone());
            }
            index.files = self.sources.files.clone();
        }
        if index.unreadable != self.sources.unreadable {
            // Links to these become reported, or stop being reported.
            for f in self
                .sources
                .unreadable
                .symmetric_difference(&index.unreadable)
            {
                changes.paths = true;
                changes.pages.insert(f.clone());
            }
            index.unreadable = self.sources.unreadable.clone();
        }
        let other = other_urls(config, &self.sources, self.theme.as_ref());
        if other != index.other_urls {
            changes.urls = true;
            index.other_urls = other;
        }
        // Made again on first use (about a millisecond at 10,000 pages), so they never lag behind `pages`.
        index.page_urls = Default::default();
        index.nfc_paths = Default::default();
        index.suggestions = Default::default();
        if fresh {
            changes = IndexChanges::default();
        }
        self.fast.published = published.to_vec();
        changes
    }

    /// Loads the theme, and compiles its templates when they changed (then returns true).
    fn theme(&mut self, config: &Config, diags: &mut Diagnostics) -> bool {
        let (theme, mut d) = theme::load(&self.opts.root, config);
        let same = self
            .theme
            .as_ref()
            .is_some_and(|old| same_theme(old, &theme));
        let compile = !same || self.tera.is_none();
        if compile {
            self.tera = Some(render::compile(&theme));
        }
        self.theme = Some(theme);
        if let Some(Err(errors)) = &self.tera {
            d.extend(errors.iter().cloned());
        }
        diags.extend(d.iter().cloned());
        self.theme_diags = d;
        compile
    }

    /// The site's output, ready to render, or the errors that keep it from being made (a `requires` cycle on
    /// the kickoff path). Only after an update without errors.
    /// The base path of the site's URLs (`/`, `/guide/`), once a config has been read: what
    /// [`Output::base_path`] says, without building an output.
    pub fn base_path(&self) -> Option<&str> {
        self.config.as_ref().map(|c| c.base_url.path.as_str())
    }

    pub fn output(&self) -> Result<Output<'_>, Vec<Diagnostic>> {
        let (Some(config), Some(theme), Some(Ok(tera)), true) =
            (&self.config, &self.theme, &self.tera, self.ok)
        else {
            return Err(vec![Diagnostic::error(
                "",
                "the site has errors; there is nothing to render",
            )]);
        };
        let preview = self.opts.preview;
        let included: Vec<bool> = self
            .decisions
            .iter()
            .map(|d| d.published || preview)
            .collect();
        let built: Vec<Built> = self
            .pages
            .iter()
            .zip(&self.bodies)
            .enumerate()
            .filter(|(i, _)| included[*i])
            .map(|(i, (page, body))| {
                let decision = &self.decisions[i];
                Built {
                    page,
                    body,
                    // Banners speak to authors: a published build has none, not even on a page changed
                    // since it was proven (that is a build warning).
                    banner: if preview {
                        banner(decision, page, config, &theme.ui)
                    } else {
                        None
                    },
                    published: decision.published,
                    proofs: decision.proofs.values().sum(),
                    last_proven: decision.newest,
                }
            })
            .collect();
        let renderer = Renderer::new(config, theme, tera.clone(), &self.pages, built, preview);
        if renderer.kickoff_order().is_err() {
            // `validate::check_site` reports these over every page, so an update without errors has none.
            return Err(validate::check_cycles(&self.pages, &self.sources));
        }
        let jobs: HashMap<String, Job> = renderer.jobs().into_iter().collect();
        // Assets of the pages in the build, by output path.
        let assets: BTreeMap<String, String> = self
            .bodies
            .iter()
            .zip(&included)
            .filter(|(_, inc)| **inc)
            .flat_map(|(b, _)| b.assets.iter())
            .map(|src| (markdown::asset_output_path(src).to_string(), src.clone()))
            .collect();
        Ok(Output {
            session: self,
            config,
            theme,
            renderer,
            jobs,
            included,
            assets,
            search: OnceLock::new(),
        })
    }

    /// The text the last update read for a source file (a Markdown page, `shirube.yaml`, a manifest file), by
    /// its path from the site root; `None` for other paths. With [`Session::day`], what `serve` compares to
    /// leave out the reload for a save that changed no text (`touch`, the same bytes written again).
    pub fn source_text(&self, path: &str) -> Option<&str> {
        if path == crate::config::CONFIG_FILE {
            return self.sources.config_text.as_deref();
        }
        if let Some(m) = self.sources.manifests.iter().find(|m| m.path == path) {
            return Some(&m.text);
        }
        self.sources
            .docs
            .iter()
            .find(|d| d.path == path)
            .map(|d| d.text.as_str())
    }

    /// The day the last full update judged proofs against (pages' proof states depend on it).
    pub fn day(&self) -> Option<i64> {
        self.fast.today
    }

    /// Whether [`Session::output`] could find a problem that the update did not report: false when the
    /// last update was a save that kept every page's `requires`, `before_kickoff` and proof state, after an
    /// update whose output was good.
    pub fn output_may_fail(&self) -> bool {
        !(self.fast.kickoff_checked && self.ok)
    }

    /// What `status` and `prove` start from: the session's pages, decisions and manifest.
    pub fn into_checked(self, timings: Timings) -> Option<Checked> {
        let config = self.config?;
        let today = self.manifest.as_ref()?.today;
        let manifest = self.manifest?.manifest;
        Some(Checked {
            config,
            sources: self.sources,
            pages: self.pages,
            decisions: self.decisions,
            manifest,
            today,
            timings,
        })
    }
}

fn same_theme(a: &Theme, b: &Theme) -> bool {
    let same_files = |x: &BTreeMap<String, theme::ThemeFile>,
                      y: &BTreeMap<String, theme::ThemeFile>| {
        x.len() == y.len()
            && x.iter().zip(y).all(|((n1, f1), (n2, f2))| {
                n1 == n2 && f1.origin == f2.origin && f1.bytes == f2.bytes
            })
    };
    same_files(&a.templates, &b.templates) && same_files(&a.statics, &b.statics) && a.ui == b.ui
}

/// The files of a site, rendered one at a time ([`Output::file`]) or all at once ([`Output::render_all`]),
/// by the same code.
pub struct Output<'a> {
    session: &'a Session,
    config: &'a Config,
    theme: &'a Theme,
    renderer: Renderer<'a>,
    jobs: HashMap<String, Job>,
    included: Vec<bool>,
    assets: BTreeMap<String, String>,
    search: OnceLock<Vec<OutputFile>>,
}

impl Output<'_> {
    /// The base path the site is served under (`/`, `/onboarding/`).
    pub fn base_path(&self) -> &str {
        &self.config.base_url.path
    }

    fn manifest_json(&self) -> OutputFile {
        let s = self.session;
        public_manifest(self.config, &s.pages, &s.decisions, &self.included)
    }

    fn sitemap(&self) -> Option<OutputFile> {
        render::sitemap(self.config, &self.renderer.page_urls())
    }

    fn robots(&self) -> OutputFile {
        render::robots(self.config, self.session.opts.preview)
    }

    /// Indices of the pages in this build that are published (in a preview build too), intro files aside:
    /// what the search index and the feed may hold.
    fn published(&self) -> impl Iterator<Item = usize> + '_ {
        let s = self.session;
        (0..s.pages.len()).filter(|&i| {
            self.included[i] && s.decisions[i].published && !routes::is_intro_path(&s.pages[i].src)
        })
    }

    /// `feed.xml`, when the site has one: published pages only, as for the search index.
    fn feed(&self) -> Option<OutputFile> {
        if !feed::enabled(self.config) {
            return None;
        }
        let s = self.session;
        let candidates = self.published().map(|i| feed::Candidate {
            page: &s.pages[i],
            decision: &s.decisions[i],
        });
        // An output exists only after a full update, which sets the day.
        let today = s.fast.today.unwrap_or_default();
        Some(feed::feed(self.config, candidates, today))
    }

    /// Search index: published pages only, never drafts or unproven pages, not even in a preview build.
    fn search(&self) -> &[OutputFile] {
        self.search.get_or_init(|| {
            let s = self.session;
            crate::search::build(
                self.config,
                self.renderer.kind_names(),
                // `bodies` is parallel to `pages` once an output exists.
                self.published()
                    .filter_map(|i| Some((&s.pages[i], s.bodies.get(i)?))),
            )
        })
    }

    fn read_asset(&self, src: &str) -> Result<Vec<u8>, Diagnostic> {
        std::fs::read(self.session.opts.root.join(src))
            .map_err(|e| Diagnostic::error(src, format!("cannot read: {e}")))
    }

    /// Every file of the build, in the order `build` writes them (a later file with the same path wins). The
    /// search files are moved out of this output, not copied: call it once.
    pub fn render_all(&mut self, timings: &mut Timings) -> (Vec<OutputFile>, Vec<Diagnostic>) {
        // The search index needs no rendered HTML: it is built at the same time, so neither waits for the
        // other's slowest pages.
        let ((mut files, mut diags, slowest), index_took) = rayon::join(
            || self.renderer.render_all(),
            || {
                let started = Instant::now();
                self.search();
                started.elapsed()
            },
        );
        timings.lap("render+index");
        timings.record("of which index", index_took);
        timings.slowest = slowest;
        if !diags.is_empty() {
            return (files, diags);
        }
        for (path, file) in &self.theme.statics {
            files.push(OutputFile {
                path: path.clone(),
                bytes: file.bytes.clone(),
            });
        }
        let sources: BTreeSet<&str> = self.assets.values().map(String::as_str).collect();
        for src in sources {
            match self.read_asset(src) {
                Ok(bytes) => files.push(OutputFile {
                    path: markdown::asset_output_path(src).to_string(),
                    bytes,
                }),
                Err(d) => diags.push(d),
            }
        }
        files.push(self.manifest_json());
        files.extend(self.sitemap());
        files.extend(self.feed());
        // Moved out rather than copied (52 MB at 10,000 pages): the build needs them once.
        self.search();
        files.extend(self.search.take().unwrap_or_default());
        files.push(self.robots());
        timings.lap("assets");
        (files, diags)
    }

    /// The file at `path` (relative to the output root, no leading `/`), as `render_all` would make it;
    /// `None` when the build has no such file.
    pub fn file(&self, path: &str) -> Option<Result<Vec<u8>, Diagnostic>> {
        // In reverse order of `render_all`, since a later file with the same path replaces an earlier one.
        if path == "robots.txt" {
            return Some(Ok(self.robots().bytes));
        }
        // The index's files are `.json` and `.bin`: the search page itself (`search/index.html`) is rendered
        // without building the whole index first (hundreds of milliseconds at 10,000 pages).
        if path.starts_with("search/")
            && !path.ends_with(".html")
            && let Some(f) = self.search().iter().find(|f| f.path == path)
        {
            return Some(Ok(f.bytes.clone()));
        }
        if path == feed::PATH {
            return self.feed().map(|f| Ok(f.bytes));
        }
        if path == "sitemap.xml" {
            return self.sitemap().map(|f| Ok(f.bytes));
        }
        if path == "manifest.json" {
            return Some(Ok(self.manifest_json().bytes));
        }
        if let Some(src) = self.assets.get(path) {
            return Some(self.read_asset(src));
        }
        if let Some(f) = self.theme.statics.get(path) {
            return Some(Ok(f.bytes.clone()));
        }
        let job = self.jobs.get(path)?;
        Some(self.renderer.render_job(*job).map(|f| f.bytes))
    }

    /// One output path for each way the templates render a file: every kind of page (a content page of each
    /// kind, published or not; the home, FAQ, kickoff, search and 404 pages; the first phase and tier pages).
    /// `serve` renders these before it serves a build whose templates or config changed: a template that
    /// compiles can still fail when it renders (`{{ nosuchvar.x }}`), and that must fail the build, not a page
    /// found broken later.
    pub fn one_file_per_template(&self) -> Vec<String> {
        // `Job::Page` indexes the pages in this build, in source order.
        let in_build: Vec<usize> = (0..self.included.len())
            .filter(|&i| self.included[i])
            .collect();
        let mut first: HashMap<String, &String> = HashMap::default();
        for (path, job) in &self.jobs {
            let key = match job {
                Job::Page(i) => {
                    let Some(&p) = in_build.get(*i) else { continue };
                    let s = self.session;
                    format!("page {:?} {}", s.pages[p].kind, s.decisions[p].published)
                }
                other => format!("{:?}", std::mem::discriminant(other)),
            };
            let slot = first.entry(key).or_insert(path);
            if path < *slot {
                *slot = path;
            }
        }
        let mut paths: Vec<String> = first.into_values().cloned().collect();
        paths.sort();
        paths
    }

    /// Every output path, sorted (the search index is built to know its own).
    pub fn paths(&self) -> Vec<String> {
        let mut paths: BTreeSet<String> = self.jobs.keys().cloned().collect();
        paths.extend(self.theme.statics.keys().cloned());
        paths.extend(self.assets.keys().cloned());
        paths.extend(
            ["manifest.json", "robots.txt"]
                .into_iter()
                .map(String::from),
        );
        if render::sitemap_enabled(self.config) {
            paths.insert("sitemap.xml".to_string());
        }
        if feed::enabled(self.config) {
            paths.insert(feed::PATH.to_string());
        }
        paths.extend(self.search().iter().map(|f| f.path.clone()));
        paths.into_iter().collect()
    }
}
