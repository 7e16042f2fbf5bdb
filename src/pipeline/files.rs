//! The files of an update: rendered one at a time for `serve`, or all at once for `build`, by the same code.

use super::Timings;
use crate::HashMap;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::feed;
use crate::markdown::{self, Rendered};
use crate::model::{OutputFile, Page};
use crate::proof::Decision;
use crate::render::{self, Job, Renderer};
use crate::routes;
use crate::theme::Theme;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

/// A page of an update without errors, with what every stage made of it.
#[derive(Clone, Copy)]
pub(super) struct Row<'a> {
    pub(super) page: &'a Page,
    pub(super) decision: &'a Decision,
    pub(super) body: &'a Rendered,
}

/// The files of a site, rendered one at a time ([`Output::file`]) or all at once ([`Output::render_all`]),
/// by the same code.
pub struct Output<'a> {
    /// The site root, which asset paths are relative to.
    pub(super) root: &'a Path,
    pub(super) preview: bool,
    /// The day the gate judged proof by.
    pub(super) today: i64,
    pub(super) config: &'a Config,
    pub(super) theme: &'a Theme,
    pub(super) renderer: Renderer<'a>,
    pub(super) jobs: HashMap<String, Job>,
    /// The pages in this build (in a preview build, unpublished ones too), in source order.
    pub(super) in_build: Vec<Row<'a>>,
    /// Files the pages in the build link to (images, downloads): source path by output path.
    pub(super) assets: BTreeMap<String, String>,
    pub(super) search: OnceLock<Vec<OutputFile>>,
}

impl Output<'_> {
    /// The base path the site is served under (`/`, `/onboarding/`).
    pub fn base_path(&self) -> &str {
        &self.config.base_url.path
    }

    fn manifest_json(&self) -> OutputFile {
        let rows = self.in_build.iter().map(|r| (r.page, r.decision));
        render::public_manifest(self.config, rows)
    }

    fn sitemap(&self) -> Option<OutputFile> {
        render::sitemap(self.config, &self.renderer.page_urls())
    }

    fn robots(&self) -> OutputFile {
        render::robots(self.config, self.preview)
    }

    /// The pages in this build that are published (in a preview build too), intro files aside: what the
    /// search index and the feed may hold.
    fn published(&self) -> impl Iterator<Item = &Row<'_>> + '_ {
        (self.in_build.iter())
            .filter(|r| r.decision.published && !routes::is_intro_path(&r.page.src))
    }

    /// `feed.xml`, when the site has one: published pages only, as for the search index.
    fn feed(&self) -> Option<OutputFile> {
        if !feed::enabled(self.config) {
            return None;
        }
        let candidates = self.published().map(|r| feed::Candidate {
            page: r.page,
            decision: r.decision,
        });
        Some(feed::feed(self.config, candidates, self.today))
    }

    /// Search index: published pages only, never drafts or unproven pages, not even in a preview build.
    fn search(&self) -> &[OutputFile] {
        self.search.get_or_init(|| {
            crate::search::build(
                self.config,
                self.renderer.kind_names(),
                self.published().map(|r| (r.page, r.body)),
            )
        })
    }

    fn read_asset(&self, src: &str) -> Result<Vec<u8>, Diagnostic> {
        std::fs::read(self.root.join(src)).map_err(|e| {
            Diagnostic::error(src, format!("cannot read: {e}")).code("unreadable-file")
        })
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
        files.extend(self.alias_pages());
        files.extend(self.redirects());
        files.extend(self.headers(&files));
        timings.lap("assets");
        (files, diags)
    }

    /// A redirect page at each alias of the pages in the build.
    fn alias_pages(&self) -> Vec<OutputFile> {
        render::hosting::alias_pages(self.config, self.in_build.iter().map(|r| r.page))
    }

    fn redirects(&self) -> Option<OutputFile> {
        render::hosting::redirects(self.config, self.in_build.iter().map(|r| r.page))
    }

    /// `_headers`, with the hashes of the inline scripts of every HTML file in `files` for its policy.
    fn headers(&self, files: &[OutputFile]) -> Option<OutputFile> {
        if !self.config.hosting.headers {
            return None;
        }
        let mut hashes = std::collections::BTreeSet::new();
        for f in files.iter().filter(|f| f.path.ends_with(".html")) {
            render::hosting::inline_script_hashes(&f.bytes, &mut hashes);
        }
        let immutable = crate::search::immutable_patterns(files.iter().map(|f| f.path.as_str()));
        render::hosting::headers(self.config, &hashes, &immutable)
    }

    /// The file at `path` (relative to the output root, no leading `/`), as `render_all` would make it;
    /// `None` when the build has no such file.
    pub fn file(&self, path: &str) -> Option<Result<Vec<u8>, Diagnostic>> {
        // In reverse order of `render_all`, since a later file with the same path replaces an earlier one.
        if path == "_headers" {
            // Made from every HTML file of the build: rare in `serve`, so each is rendered when asked for.
            let mut hashes = std::collections::BTreeSet::new();
            for job in self.jobs.values() {
                if let Ok(f) = self.renderer.render_job(*job) {
                    render::hosting::inline_script_hashes(&f.bytes, &mut hashes);
                }
            }
            for (path, f) in &self.theme.statics {
                if path.ends_with(".html") {
                    render::hosting::inline_script_hashes(&f.bytes, &mut hashes);
                }
            }
            for (out, src) in &self.assets {
                if out.ends_with(".html")
                    && let Ok(bytes) = self.read_asset(src)
                {
                    render::hosting::inline_script_hashes(&bytes, &mut hashes);
                }
            }
            let immutable =
                crate::search::immutable_patterns(self.search().iter().map(|f| f.path.as_str()));
            return render::hosting::headers(self.config, &hashes, &immutable).map(|f| Ok(f.bytes));
        }
        if path == "_redirects" {
            return self.redirects().map(|f| Ok(f.bytes));
        }
        if let Some(f) = self.alias_pages().into_iter().find(|f| f.path == path) {
            return Some(Ok(f.bytes));
        }
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
        let mut first: HashMap<String, &String> = HashMap::default();
        for (path, job) in &self.jobs {
            let key = match job {
                // `Job::Page` indexes the pages in this build, in source order.
                Job::Page(i) => {
                    let Some(r) = self.in_build.get(*i) else {
                        continue;
                    };
                    format!("page {:?} {}", r.page.kind, r.decision.published)
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
        paths.extend(self.alias_pages().into_iter().map(|f| f.path));
        paths.extend(self.redirects().map(|f| f.path));
        if self.config.hosting.headers {
            paths.insert("_headers".to_string());
        }
        paths.into_iter().collect()
    }
}
