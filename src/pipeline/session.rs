//! A site kept in memory between builds, so that `serve` rebuilds after an edit in time that follows the edit,
//! not the size of the site.
//!
//! [`Session::update`] runs the stages in order, and each stage keeps what it made, keyed by what it read, so
//! that the next update does again only what an edit changed. A build is a session used once: nothing is kept
//! yet, so every stage runs on everything. There is one code path; only the caches differ.
//!
//! | stage | keeps | one item is made again when |
//! |---|---|---|
//! | load | every file's text | a watcher named it (then only the named files are read), or its size, times or inode changed (a walk) |
//! | config | the parsed `shirube.yaml` | its text changed (then every stage below starts over) |
//! | validate | each page, and the checks across pages | its text changed; the checks run again when a page's URL, kind, `requires` or `before_kickoff` changed, or pages came or went |
//! | gate | the parsed manifest, each page's decision, the warnings | a manifest file, the set of gated pages or the day changed; a page changed |
//! | theme | the compiled templates | a template, static file or UI string changed |
//! | markdown | each page's body and the lookups it made in the [`SiteIndex`] ([`LinkDeps`]) | the page changed, or a lookup has another answer |
//!
//! Templates are not rendered here: an [`Output`] renders one file when asked (`serve`), or all of them
//! (`build`), with the same code. So an update equals a build as long as every cache above is keyed by
//! everything its stage reads; `tests/testsuite/incremental.rs` checks that byte for byte.

use super::files::{Output, Row};
use super::{Checked, Options, Timings, doc_target, load_config, other_urls};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::load::{self, Changed, Reuse, SourceDoc, Sources};
use crate::markdown::{self, LinkDeps, Rendered, SiteIndex, Target};
use crate::model::Page;
use crate::proof::{self, Decision, Manifest, State};
use crate::render::{self, Built, Job, Renderer};
use crate::routes;
use crate::theme::{self, Theme};
use crate::validate;
use crate::{HashMap, HashSet};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A map keyed by source path.
type PathMap<V> = HashMap<String, V>;

/// One page, and what the stages after validation made of it.
struct Record {
    page: Page,
    /// The gate's decision; `None` until the gate has judged this version of the page.
    decision: Option<Decision>,
    /// The Markdown stage's result; `None` until it has rendered this version of the page.
    body: Option<(Rendered, LinkDeps)>,
}

impl Record {
    fn new(page: Page) -> Self {
        Record {
            page,
            decision: None,
            body: None,
        }
    }
}

/// The manifest as parsed, with what it was parsed from.
struct ParsedManifest {
    files: Vec<(String, String)>,
    known: HashMap<String, bool>,
    today: i64,
    manifest: Manifest,
    diagnostics: Vec<Diagnostic>,
}

/// What load and validate changed in one update, for the stages after them.
#[derive(Default)]
struct Edits {
    /// Source paths of documents read with new text, gone, or validated again: their bodies are made again.
    dirty: HashSet<String>,
    /// The records were rebuilt from the documents (after a walk, or when a page appeared or went away):
    /// checks across pages run again and the site index is compared in full.
    rebuilt: bool,
    /// The config changed: every stage started over.
    config: bool,
    /// Pages validated again in place: the record's index, and the page and decision it had before.
    replaced: Vec<(usize, Page, Option<Decision>)>,
}

impl Edits {
    /// Whether a diagnostic made by an earlier update points into a file this update read again (its line
    /// and column were measured in the old text).
    fn touches(&self, diags: &[Diagnostic]) -> bool {
        diags.iter().any(|d| self.dirty.contains(&d.path))
    }
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

/// A site in memory: what every stage before rendering made, kept for the next update.
pub struct Session {
    opts: Options,
    // load
    reuse: Reuse,
    sources: Sources,
    /// The last load reported no problem: the next may read only the files a watcher named.
    load_clean: bool,
    /// Index into `sources.docs` by path.
    doc_index: PathMap<usize>,
    // config
    config_text: Option<String>,
    config: Option<Config>,
    config_diags: Vec<Diagnostic>,
    // validate
    /// Whether validating each document gave a page, and its diagnostics, by source path.
    page_diags: PathMap<(bool, Vec<Diagnostic>)>,
    /// `validate::check_site` of the last update.
    site_diags: Vec<Diagnostic>,
    /// Every page that could be read, in source order, with its decision and body.
    records: Vec<Record>,
    /// Index into `records` by source path.
    record_index: PathMap<usize>,
    // gate
    /// The day the decisions were made for.
    today: Option<i64>,
    manifest: Option<ParsedManifest>,
    /// `proof::warnings` of the last update.
    gate_diags: Vec<Diagnostic>,
    // theme
    theme: Option<Theme>,
    /// Problems loading the theme and compiling its templates.
    theme_diags: Vec<Diagnostic>,
    tera: Option<Result<tera::Tera, Vec<Diagnostic>>>,
    // markdown
    index: Option<SiteIndex>,
    /// Whether the last update reached the end without an error.
    ok: bool,
    /// The last update changed nothing that [`Session::output`] checks (the kickoff order): the previous check
    /// still holds.
    kickoff_checked: bool,
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
            load_clean: false,
            doc_index: PathMap::default(),
            config_text: None,
            config: None,
            config_diags: Vec::new(),
            page_diags: PathMap::default(),
            site_diags: Vec::new(),
            records: Vec::new(),
            record_index: PathMap::default(),
            today: None,
            manifest: None,
            gate_diags: Vec::new(),
            theme: None,
            theme_diags: Vec::new(),
            tera: None,
            index: None,
            ok: false,
            kickoff_checked: false,
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
        self.run(touched, false)
    }

    /// [`Session::update`], comparing every source file's stamp whatever `touched` says: for when events may
    /// have been lost.
    pub fn update_all(&mut self, touched: &[String]) -> Update {
        self.run(touched, true)
    }

    /// The stages in order: load → config → validate → gate, then theme → markdown.
    fn run(&mut self, touched: &[String], walk: bool) -> Update {
        let mut up = Update::default();
        self.ok = false;
        self.kickoff_checked = false;
        let Some(edits) = self.prepare(touched, walk, &mut up) else {
            return up;
        };
        let Some(config) = self.config.clone() else {
            return up;
        };
        up.held_back = self
            .records
            .iter()
            .filter(|r| !routes::is_intro_path(&r.page.src))
            .filter_map(|r| {
                let d = r.decision.as_ref()?;
                (!d.published).then(|| (r.page.src.clone(), d.state))
            })
            .collect();
        // Before the Markdown: links may name the theme's files.
        self.theme(&config, touched, &edits, &mut up);
        up.work.rendered = self.markdown(&config, &edits, &mut up.diagnostics);
        up.timings.lap("markdown");
        let preview = self.opts.preview;
        up.pages = self
            .records
            .iter()
            .filter(|r| !routes::is_intro_path(&r.page.src))
            .filter(|r| preview || r.decision.as_ref().is_some_and(|d| d.published))
            .count();
        self.ok = !up.diagnostics.has_errors();
        up
    }

    /// Load → config → validate → gate: what `status` and `prove` need. False when there is no config (or no
    /// day to judge proof by); every problem is in `up.diagnostics`.
    pub(super) fn check(&mut self, up: &mut Update) -> bool {
        self.prepare(&[], false, up).is_some()
    }

    /// Load → config → validate → gate. `None` when there is no config (or no day to judge proof by).
    fn prepare(&mut self, touched: &[String], walk: bool, up: &mut Update) -> Option<Edits> {
        let today = match self.opts.today.map(Ok).unwrap_or_else(crate::dates::today) {
            Ok(t) => t,
            Err(msg) => {
                up.diagnostics
                    .push(Diagnostic::error(crate::dates::TODAY_ENV, msg).code("invalid-today"));
                return None;
            }
        };
        let changed = self.load(touched, walk, &mut up.diagnostics);
        up.timings.lap("load");
        let config_changed = self.configure(&mut up.diagnostics);
        let config = self.config.clone()?;
        let mut edits = self.validate(changed, config_changed, &config, up);
        up.timings.lap("validate");
        self.gate(&mut edits, &config, today, &mut up.diagnostics);
        up.timings.lap("gate");
        Some(edits)
    }

    /// The load stage: reads only the touched files when that is enough (see [`load::reload`]), otherwise
    /// walks the tree and reads every file whose stamp changed.
    fn load(&mut self, touched: &[String], walk: bool, diags: &mut Diagnostics) -> Changed {
        if !walk && !touched.is_empty() && self.load_clean {
            let root = &self.opts.root;
            if let Some(changed) = load::reload(root, &mut self.sources, &self.doc_index, touched) {
                return changed;
            }
        }
        self.reuse.force.extend(touched.iter().cloned());
        self.reuse.give_back(std::mem::take(&mut self.sources.docs));
        let (sources, d, changed) = load::load_again(&self.opts.root, &mut self.reuse);
        self.sources = sources;
        self.load_clean = d.is_empty();
        diags.extend(d);
        self.doc_index = (self.sources.docs.iter().enumerate())
            .map(|(i, d)| (d.path.clone(), i))
            .collect();
        changed
    }

    /// The config stage: parses `shirube.yaml` again when its text changed. Returns whether it did.
    fn configure(&mut self, diags: &mut Diagnostics) -> bool {
        let changed = self.config.is_none() || self.config_text != self.sources.config_text;
        if changed {
            let mut d = Diagnostics::default();
            self.config = load_config(&self.sources, &self.opts, &mut d);
            self.config_text = self.sources.config_text.clone();
            self.config_diags = d.sorted().into_iter().cloned().collect();
        }
        diags.extend(self.config_diags.iter().cloned());
        changed
    }

    /// The validate stage: reads the front matter of every document that changed or has no result yet, then
    /// runs the checks across pages again if what they read changed.
    fn validate(
        &mut self,
        changed: Changed,
        config_changed: bool,
        config: &Config,
        up: &mut Update,
    ) -> Edits {
        let mut edits = Edits {
            config: config_changed,
            ..Edits::default()
        };
        if config_changed {
            // Every page is read again under the new config.
            self.page_diags.clear();
            self.records.clear();
            self.record_index.clear();
            self.index = None;
        }
        let todo: Vec<&SourceDoc> = (self.sources.docs.iter())
            .filter(|d| {
                changed.docs.contains(&d.path)
                    || match self.page_diags.get(&d.path) {
                        None => true,
                        Some((had_page, _)) => {
                            *had_page && !self.record_index.contains_key(&d.path)
                        }
                    }
            })
            .collect();
        up.work.changed = changed.docs.len();
        up.work.validated = todo.len();
        let fresh: Vec<(String, Option<Page>, Vec<Diagnostic>)> = todo
            .par_iter()
            .map(|d| {
                let (page, diags) = validate::read_page(d, config);
                (d.path.clone(), page, diags)
            })
            .collect();
        edits.dirty = changed.docs;
        edits.dirty.extend(changed.removed);
        // In place when each page read again replaces one of the same source and nothing else moved (the usual
        // save); otherwise the records are made again in the documents' order, keeping what each had.
        let in_place = !changed.walked
            && !config_changed
            && (fresh.iter())
                .all(|(path, page, _)| page.is_some() && self.record_index.contains_key(path));
        let mut fresh_pages: PathMap<Option<Page>> = PathMap::default();
        for (path, page, d) in fresh {
            edits.dirty.insert(path.clone());
            self.page_diags.insert(path.clone(), (page.is_some(), d));
            fresh_pages.insert(path, page);
        }
        if in_place {
            for (path, page) in fresh_pages {
                let (Some(&i), Some(page)) = (self.record_index.get(&path), page) else {
                    continue;
                };
                let old = std::mem::replace(&mut self.records[i], Record::new(page));
                edits.replaced.push((i, old.page, old.decision));
            }
        } else {
            self.rebuild_records(fresh_pages);
            edits.rebuilt = true;
        }
        for doc in &self.sources.docs {
            if let Some((_, d)) = self.page_diags.get(&doc.path) {
                up.diagnostics.extend(d.iter().cloned());
            }
        }
        // The checks across pages read each page's URL, kind, `requires` and `before_kickoff`.
        let same = !edits.rebuilt
            && edits.replaced.iter().all(|(i, old, _)| {
                let new = &self.records[*i].page;
                old.url == new.url
                    && old.aliases == new.aliases
                    && old.kind == new.kind
                    && old.requires == new.requires
                    && old.before_kickoff == new.before_kickoff
            })
            && !edits.touches(&self.site_diags);
        if !same {
            let pages: Vec<&Page> = self.records.iter().map(|r| &r.page).collect();
            self.site_diags = validate::check_site(&pages, &self.sources, config);
        }
        up.diagnostics.extend(self.site_diags.iter().cloned());
        self.kickoff_checked = same;
        edits
    }

    /// Makes the records again in the documents' order: a page read again gets a new record, every other
    /// page keeps its own.
    fn rebuild_records(&mut self, mut fresh: PathMap<Option<Page>>) {
        let mut old: PathMap<Record> = std::mem::take(&mut self.records)
            .into_iter()
            .map(|r| (r.page.src.clone(), r))
            .collect();
        for doc in &self.sources.docs {
            if let Some(page) = fresh.remove(&doc.path) {
                self.records.extend(page.map(Record::new));
            } else if let Some(record) = old.remove(&doc.path) {
                self.records.push(record);
            }
        }
        let present: HashSet<&str> = self.sources.docs.iter().map(|d| d.path.as_str()).collect();
        self.page_diags.retain(|p, _| present.contains(p.as_str()));
        self.record_index = (self.records.iter().enumerate())
            .map(|(i, r)| (r.page.src.clone(), i))
            .collect();
    }

    /// The gate stage: parses the manifest again when it, the set of gated pages or the day changed; then
    /// decides every page without a decision, and makes the warnings again if what they read changed.
    fn gate(&mut self, edits: &mut Edits, config: &Config, today: i64, diags: &mut Diagnostics) {
        let kinds_same = !edits.rebuilt
            && (edits.replaced.iter()).all(|(i, old, _)| old.kind == self.records[*i].page.kind);
        let reparse = match &self.manifest {
            None => true,
            Some(m) => {
                edits.config
                    || m.today != today
                    || m.files.len() != self.sources.manifests.len()
                    || (m.files.iter().zip(&self.sources.manifests))
                        .any(|((path, text), f)| *path != f.path || *text != f.text)
                    || (!kinds_same && {
                        let known = self.known(config);
                        m.known.len() != known.len()
                            || known.iter().any(|(k, v)| m.known.get(*k) != Some(v))
                    })
            }
        };
        if reparse {
            let known = self.known(config);
            let (manifest, d) = proof::parse(&self.sources.manifests, config, &known, today);
            self.manifest = Some(ParsedManifest {
                files: (self.sources.manifests.iter())
                    .map(|m| (m.path.clone(), m.text.clone()))
                    .collect(),
                known: known.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                today,
                manifest,
                diagnostics: d,
            });
            self.records.iter_mut().for_each(|r| r.decision = None);
        }
        self.today = Some(today);
        let Some(parsed) = &self.manifest else {
            return;
        };
        diags.extend(parsed.diagnostics.iter().cloned());
        let todo: Vec<usize> = (0..self.records.len())
            .filter(|&i| self.records[i].decision.is_none())
            .collect();
        let pages: Vec<&Page> = todo.iter().map(|&i| &self.records[i].page).collect();
        let decided = proof::gate(&pages, &parsed.manifest, config, today);
        for (i, d) in todo.into_iter().zip(decided) {
            self.records[i].decision = Some(d);
        }
        // The warnings read each page's decision and `requires`.
        let same = !reparse
            && !edits.rebuilt
            && edits.replaced.iter().all(|(i, old, old_decision)| {
                let new = &self.records[*i];
                old.requires == new.page.requires
                    && old_decision
                        .as_ref()
                        .zip(new.decision.as_ref())
                        .is_some_and(|(a, b)| {
                            a.state == b.state
                                && a.published == b.published
                                && a.reason == b.reason
                                && a.off_tier == b.off_tier
                        })
            })
            && !edits.touches(&self.gate_diags);
        if !same {
            let judged: Vec<(&Page, &Decision)> = (self.records.iter())
                .filter_map(|r| Some((&r.page, r.decision.as_ref()?)))
                .collect();
            self.gate_diags = proof::warnings(&judged, &self.sources, config);
        }
        diags.extend(self.gate_diags.iter().cloned());
        self.kickoff_checked &= same;
    }

    /// Which source paths the manifest may name, and whether each needs proof.
    fn known(&self, config: &Config) -> HashMap<&str, bool> {
        let mut known: HashMap<&str, bool> = (self.records.iter())
            .map(|r| {
                let p = &r.page;
                let gated = config.proof.gate.contains(&p.kind) && !routes::is_intro_path(&p.src);
                (p.src.as_str(), gated)
            })
            .collect();
        // A file whose front matter failed has its own error: the manifest does not call it missing too.
        for doc in &self.sources.docs {
            known.entry(doc.path.as_str()).or_insert(true);
        }
        known
    }

    /// The theme stage: loads the theme, and compiles its templates when they changed. After a save that read
    /// only Markdown files, the theme of the last update still holds.
    fn theme(&mut self, config: &Config, touched: &[String], edits: &Edits, up: &mut Update) {
        let theme_touched = touched.iter().any(|p| {
            let top = p.split('/').next().unwrap_or("");
            ["themes", "templates", "static"].contains(&top)
        });
        if !edits.rebuilt && !edits.config && !theme_touched && self.theme.is_some() {
            up.diagnostics.extend(self.theme_diags.iter().cloned());
            return;
        }
        let (theme, mut d) = theme::load(&self.opts.root, config);
        let same = (self.theme.as_ref()).is_some_and(|old| same_theme(old, &theme));
        let compile = !same || self.tera.is_none();
        if compile {
            self.tera = Some(render::compile(&theme));
        }
        self.theme = Some(theme);
        if let Some(Err(errors)) = &self.tera {
            d.extend(errors.iter().cloned());
        }
        up.diagnostics.extend(d.iter().cloned());
        self.theme_diags = d;
        up.work.templates = compile;
    }

    /// The Markdown stage: updates the site index, then renders the body of every page whose result may have
    /// changed. Returns how many it rendered.
    fn markdown(&mut self, config: &Config, edits: &Edits, diags: &mut Diagnostics) -> usize {
        let changes = self.update_index(config, edits);
        let Some(index) = self.index.as_mut() else {
            return 0;
        };
        // Admonition titles are the theme's: when they change, every page is rendered again.
        let titles = (self.theme.as_ref())
            .map(|t| markdown::AdmonitionTitles::from_ui(&t.ui))
            .unwrap_or_default();
        let retitled = index.admonitions != titles;
        index.admonitions = titles;
        let index = &*index;
        let rendered = (self.records.par_iter_mut())
            .map(|r| match r.body.take() {
                Some((body, deps))
                    if !retitled
                        && !edits.dirty.contains(&r.page.src)
                        && !changes.affects(&deps) =>
                {
                    r.body = Some((body, deps));
                    0
                }
                _ => {
                    r.body = Some(markdown::render_with_deps(&r.page, index));
                    1
                }
            })
            .sum();
        let preview = self.opts.preview;
        for r in &self.records {
            let (Some((body, _)), Some(decision)) = (&r.body, &r.decision) else {
                continue;
            };
            if decision.published || preview {
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
    fn update_index(&mut self, config: &Config, edits: &Edits) -> IndexChanges {
        let mut changes = IndexChanges::default();
        let fresh = self.index.is_none();
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
        let published = |r: &Record| r.decision.as_ref().is_some_and(|d| d.published);
        // Anchors of changed pages, in parallel; every other page keeps its target (with its published flag
        // brought up to date below).
        let made: Vec<(usize, Target)> = (self.records.par_iter().enumerate())
            .filter(|(_, r)| {
                edits.dirty.contains(&r.page.src) || !index.pages.contains_key(&r.page.src)
            })
            .map(|(i, r)| {
                let p = &r.page;
                let faq = p.kind == crate::model::Kind::Faq;
                (
                    i,
                    Target::new(p.url.clone(), p.body.clone(), published(r), faq),
                )
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
        let mut remade = vec![false; self.records.len()];
        for (i, target) in made {
            remade[i] = true;
            let src = &self.records[i].page.src;
            note(&mut changes, src, index.pages.get(src), &target);
            index.pages.insert(src.clone(), target);
        }
        for (r, _) in self
            .records
            .iter()
            .zip(&remade)
            .filter(|(_, remade)| !**remade)
        {
            if let Some(t) = index.pages.get_mut(&r.page.src)
                && t.published != published(r)
            {
                t.published = published(r);
                changes.pages.insert(r.page.src.clone());
            }
        }
        if edits.rebuilt || fresh {
            // Files whose front matter could not be read have their own error; links to them are not broken
            // too. Then forget what is gone.
            for doc in &self.sources.docs {
                if !self.record_index.contains_key(&doc.path) {
                    let target = doc_target(doc);
                    note(&mut changes, &doc.path, index.pages.get(&doc.path), &target);
                    index.pages.insert(doc.path.clone(), target);
                }
            }
            let docs = &self.doc_index;
            let gone: Vec<String> = (index.pages.keys())
                .filter(|k| !docs.contains_key(k.as_str()))
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
            for f in (self.sources.unreadable).symmetric_difference(&index.unreadable) {
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
        changes
    }

    /// The base path of the site's URLs (`/`, `/guide/`), once a config has been read: what
    /// [`Output::base_path`] says, without building an output.
    pub fn base_path(&self) -> Option<&str> {
        self.config.as_ref().map(|c| c.base_url.path.as_str())
    }

    /// The site's output, ready to render, or the errors that keep it from being made (a `requires` cycle on
    /// the kickoff path). Only after an update without errors.
    pub fn output(&self) -> Result<Output<'_>, Vec<Diagnostic>> {
        let nothing = || {
            vec![
                Diagnostic::error("", "the site has errors; there is nothing to render")
                    .code("site-has-errors"),
            ]
        };
        let (Some(config), Some(theme), Some(Ok(tera)), true) =
            (&self.config, &self.theme, &self.tera, self.ok)
        else {
            return Err(nothing());
        };
        // After an update without errors every page has its decision and body.
        let rows: Vec<Row> = (self.records.iter())
            .map(|r| {
                Some(Row {
                    page: &r.page,
                    decision: r.decision.as_ref()?,
                    body: &r.body.as_ref()?.0,
                })
            })
            .collect::<Option<_>>()
            .ok_or_else(nothing)?;
        let preview = self.opts.preview;
        let in_build: Vec<Row> = (rows.iter())
            .filter(|r| r.decision.published || preview)
            .copied()
            .collect();
        let built: Vec<Built> = (in_build.iter())
            .map(|r| Built {
                page: r.page,
                body: r.body,
                // Banners speak to authors: a published build has none, not even on a page changed since it was
                // proven (that is a build warning).
                banner: if preview {
                    render::banner(r.decision, r.page, config, &theme.ui)
                } else {
                    None
                },
                published: r.decision.published,
                proofs: r.decision.proofs.values().sum(),
                last_proven: r.decision.newest,
            })
            .collect();
        let all_pages: Vec<&Page> = rows.iter().map(|r| r.page).collect();
        let renderer = Renderer::new(config, theme, tera.clone(), &all_pages, built, preview);
        if renderer.kickoff_order().is_err() {
            // `validate::check_site` reports these over every page, so an update without errors has none.
            return Err(validate::check_cycles(&all_pages, &self.sources));
        }
        let jobs: HashMap<String, Job> = renderer.jobs().into_iter().collect();
        // Assets of the pages in the build, by output path.
        let assets: BTreeMap<String, String> = (in_build.iter())
            .flat_map(|r| r.body.assets.iter())
            .map(|src| (markdown::asset_output_path(src).to_string(), src.clone()))
            .collect();
        Ok(Output {
            root: &self.opts.root,
            preview,
            today: self.today.unwrap_or_default(),
            config,
            theme,
            renderer,
            jobs,
            in_build,
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
        let doc = self.sources.docs.get(*self.doc_index.get(path)?)?;
        Some(doc.text.as_str())
    }

    /// The day the last update judged proofs against (pages' proof states depend on it).
    pub fn day(&self) -> Option<i64> {
        self.today
    }

    /// Whether [`Session::output`] could find a problem that the update did not report: false when the
    /// last update was a save that kept every page's `requires`, `before_kickoff` and proof state, after an
    /// update whose output was good.
    pub fn output_may_fail(&self) -> bool {
        !(self.kickoff_checked && self.ok)
    }

    /// What `status` and `prove` start from: the session's pages, decisions and manifest.
    pub fn into_checked(self, timings: Timings) -> Option<Checked> {
        let config = self.config?;
        let parsed = self.manifest?;
        let (pages, decisions) = (self.records.into_iter())
            .map(|r| Some((r.page, r.decision?)))
            .collect::<Option<(Vec<Page>, Vec<Decision>)>>()?;
        Some(Checked {
            config,
            sources: self.sources,
            pages,
            decisions,
            manifest: parsed.manifest,
            today: parsed.today,
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
