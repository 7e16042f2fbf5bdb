//! `shirube import`: turns an existing docs site (Hugo, MkDocs, Docusaurus, Jekyll) or a Zendesk Help Center
//! export into a shirube site.
//!
//! Each source has a reader (one file each) that hands over the same thing, a [`SourceSite`]: its pages with loose
//! front matter, bodies already converted to shirube's Markdown (shortcodes and admonitions), links still as the
//! source wrote them. This module then does what is common: places every page (kind, phase, tier) with
//! `import.yaml` ([`mapping`]), rewrites links to the `.md` files of the new site and copies images ([`links`]),
//! writes through [`write::Writer`] (only inside `--into`, never over an author's edits), optionally records
//! legacy proof in its own manifest file, and writes `import-report.md`.
//!
//! Left out on purpose: fetching anything (Zendesk images stay links to the help centre), and templates of the
//! source site (layouts, themes): shirube has its own.

pub mod docusaurus;
pub mod front;
pub mod html;
pub mod hugo;
pub mod jekyll;
pub mod links;
pub mod mapping;
pub mod mkdocs;
mod place;
mod report;
pub mod tags;
pub mod write;
pub mod zendesk;

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The kinds of source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A Hugo site (content/, hugo.toml or config.toml).
    Hugo,
    /// An MkDocs site (mkdocs.yml, docs/).
    Mkdocs,
    /// A Docusaurus site (docs/, _category_.json).
    Docusaurus,
    /// A Jekyll site (_config.yml, _posts/, pages).
    Jekyll,
    /// A Zendesk Help Center articles export (JSON).
    Zendesk,
}

impl Source {
    /// Its name on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Source::Hugo => "hugo",
            Source::Mkdocs => "mkdocs",
            Source::Docusaurus => "docusaurus",
            Source::Jekyll => "jekyll",
            Source::Zendesk => "zendesk",
        }
    }
}

/// What to import, from where, into where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The kind of source.
    pub source: Source,
    /// The source site's folder (or the Zendesk JSON file or folder).
    pub src: PathBuf,
    /// The shirube site to write (created when missing).
    pub into: PathBuf,
    /// Overwrite files changed since the last import.
    pub force: bool,
    /// Record one legacy engagement per imported playbook and FAQ, so that they publish.
    pub legacy_proof: bool,
    /// Phase for pages nothing places (overrides `unplaced:` of import.yaml).
    pub unplaced: Option<String>,
    /// Today, days since 1970-01-01 (the date of legacy proof).
    pub today: i64,
}

/// One page as a source reader hands it over.
#[derive(Debug, Clone, Default)]
pub struct RawPage {
    /// Path in the source, from the source folder, for messages (`content/docs/install.md`).
    pub src: String,
    /// Path from the source's content folder, `/`-separated, ending in `.md` (`docs/install.md`).
    pub rel: String,
    /// The file on disk, when there is one: relative links are resolved from its folder.
    pub file: Option<PathBuf>,
    /// Front matter as the source wrote it.
    pub front: Map<String, Value>,
    /// The body, converted to shirube's Markdown except for link destinations.
    pub body: String,
    /// A folder's own page (`_index.md`, `index.md`, `README.md`).
    pub section_index: bool,
    /// Zendesk section and category names.
    pub section: Option<String>,
    /// Zendesk category name.
    pub category: Option<String>,
    /// URL paths the source site published the page at (`/docs/install`), without a trailing `/`.
    pub urls: Vec<String>,
    /// Other names the source's links use for it (a Zendesk article id, a Jekyll post's name).
    pub ids: Vec<String>,
    /// What was converted (`Hugo {{< hint >}} → admonition`), for the report.
    pub converted: Vec<String>,
    /// What was left as written and why, with the line in the source, for the report.
    pub left: Vec<(usize, String)>,
}

/// A whole source site.
#[derive(Debug, Default)]
pub struct SourceSite {
    /// The site's title.
    pub title: Option<String>,
    /// `en` or `ja`, when the source says.
    pub language: Option<String>,
    /// The published address, when the source says (`https://docs.example.com/`).
    pub base_url: Option<String>,
    /// Path prefix of the source's URLs that is not part of page URLs (Jekyll `baseurl`, Docusaurus `/docs`).
    pub url_prefixes: Vec<String>,
    /// Hosts whose links are links into the source site (a Zendesk help centre's host).
    pub hosts: Vec<String>,
    /// Every page.
    pub pages: Vec<RawPage>,
    /// Titles of folders (from `_index.md`, `_category_.json`, MkDocs nav sections), by folder path.
    pub folder_titles: BTreeMap<String, String>,
    /// Folders whose files site-absolute links name (`static/` of Hugo and Docusaurus, the site root of Jekyll).
    pub static_dirs: Vec<PathBuf>,
    /// Site-wide notes for the report (what was not imported).
    pub notes: Vec<String>,
}

/// Everything one import did, for the terminal and `import-report.md`.
pub struct Summary {
    /// The report as Markdown (also written to import-report.md).
    pub report: String,
    /// Short lines for the terminal.
    pub lines: Vec<String>,
    /// Files left alone because they were edited (without `--force`).
    pub kept: Vec<String>,
    /// Errors `shirube check` finds in the imported site (there should be none).
    pub check_errors: usize,
}

/// Reads the source, then writes the shirube site. `Err`: nothing (or only part) could be done, with why.
pub fn run(opts: &Options) -> Result<Summary, String> {
    let src = opts
        .src
        .canonicalize()
        .map_err(|e| format!("cannot read {}: {e}", opts.src.display()))?;
    let into = match opts.into.canonicalize() {
        Ok(p) => p,
        Err(_) => std::path::absolute(&opts.into)
            .map_err(|e| format!("cannot use {}: {e}", opts.into.display()))?,
    };
    if into == src || (src.starts_with(&into) && is_site_folder(&into, &src)) {
        return Err(format!(
            "--into {} would write over the source {}: import into another folder",
            opts.into.display(),
            opts.src.display()
        ));
    }
    let site = match opts.source {
        Source::Hugo => hugo::read(&src, &into)?,
        Source::Mkdocs => mkdocs::read(&src, &into)?,
        Source::Docusaurus => docusaurus::read(&src, &into)?,
        Source::Jekyll => jekyll::read(&src, &into)?,
        Source::Zendesk => zendesk::read(&src)?,
    };
    if site.pages.is_empty() {
        return Err(format!(
            "found no pages in {} (is it a {} site?)",
            opts.src.display(),
            opts.source.id()
        ));
    }
    // Created only now, so that a source that cannot be read leaves no empty folder behind.
    std::fs::create_dir_all(&into)
        .map_err(|e| format!("cannot create {}: {e}", opts.into.display()))?;
    let into = into
        .canonicalize()
        .map_err(|e| format!("cannot read {}: {e}", opts.into.display()))?;
    place::import(opts, &src, &into, site)
}

/// Whether `src` lies inside one of the folders an import writes in `into`.
fn is_site_folder(into: &Path, src: &Path) -> bool {
    ["playbooks", "content", "manifest"]
        .iter()
        .any(|d| src.starts_with(into.join(d)))
}

/// shirube's admonition class (`NOTE`, `TIP`, `IMPORTANT`, `WARNING`, `CAUTION`) for a source's admonition name.
pub fn admonition_class(name: &str) -> &'static str {
    match name.to_ascii_lowercase().as_str() {
        "tip" | "hint" | "success" | "check" | "done" | "tips" => "TIP",
        "important" | "primary" => "IMPORTANT",
        "warning" | "warn" | "caution" | "attention" => "WARNING",
        "danger" | "error" | "failure" | "fail" | "missing" | "bug" | "alert" => "CAUTION",
        _ => "NOTE",
    }
}

/// An admonition in shirube's (GitHub's) syntax: `> [!NOTE]`, an optional bold title, then the text.
pub fn admonition(class: &str, title: Option<&str>, body: &str) -> String {
    let mut s = format!("> [!{class}]\n");
    if let Some(t) = title.map(str::trim).filter(|t| !t.is_empty()) {
        s.push_str(&format!("> **{t}**\n>\n"));
    }
    let body = body.trim_matches('\n');
    for line in body.lines() {
        if line.trim().is_empty() {
            s.push_str(">\n");
        } else {
            s.push_str(&format!("> {line}\n"));
        }
    }
    s
}

/// The first `# Heading` of a body outside code, and the body without it (MkDocs and Docusaurus take the title
/// from it; shirube shows the title as the page's heading, so it would appear twice).
pub fn take_h1(body: &str) -> Option<(String, String)> {
    let mut fence = false;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = !fence;
        }
        if !fence && let Some(h) = t.strip_prefix("# ") {
            let title = h.trim().trim_end_matches('#').trim().to_string();
            if title.is_empty() {
                return None;
            }
            let rest = format!("{}{}", &body[..offset], &body[offset + line.len()..]);
            return Some((title, rest.trim_start_matches(['\n', '\r']).to_string()));
        }
        if !fence && !t.is_empty() && !t.starts_with("import ") && !t.starts_with("<!--") {
            // Text before the first heading: the heading is not the page's title.
            return None;
        }
        offset += line.len();
    }
    None
}

/// A title made from a file name: `getting-started.md` → `Getting started`.
pub fn title_from_name(rel: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    let words = stem.replace(['-', '_'], " ");
    let mut c = words.trim().chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => "Untitled".into(),
    }
}

/// Markdown files of a folder tree, sorted, without the folders `skip` says to leave out (`_` folders, `into`).
pub fn walk_markdown(root: &Path, skip: &dyn Fn(&Path) -> bool, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !skip(e.path()));
    for e in walker.flatten() {
        if e.file_type().is_file()
            && let Some(ext) = e.path().extension().and_then(|x| x.to_str())
            && exts.contains(&ext)
        {
            out.push(e.path().to_path_buf());
        }
    }
    out
}

/// `path` relative to `base`, `/`-separated.
pub fn rel_path(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Hidden files and folders, editor droppings, and the import's own output folder are never read.
pub fn skip_common(p: &Path, into: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.starts_with('.')
        || name == "node_modules"
        || p == into
        || crate::load::is_ignored_name(&name)
}

/// Reads a file as text, with the path in the error.
pub fn read_text(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
}

/// Reads a Markdown file of the source as a page named `src` (its path from the source root): front matter
/// split from the body, or, when the front matter cannot be read, the whole file as the body with a note for
/// the report. Returns the page and the line where its body starts.
pub fn read_page(src: String, file: &Path) -> Result<(RawPage, usize), String> {
    let text = read_text(file)?;
    let mut page = RawPage {
        src,
        file: Some(file.to_path_buf()),
        ..RawPage::default()
    };
    let body_line = match front::split(&text) {
        Ok(s) => {
            page.front = s.front;
            page.body = s.body;
            s.body_line
        }
        Err((line, e)) => {
            page.left
                .push((line, format!("{e}: the file was imported as text")));
            page.body = text;
            1
        }
    };
    Ok((page, body_line))
}

/// Whether most of the pages' text is Japanese (kana or kanji).
pub fn mostly_japanese(pages: &[RawPage]) -> bool {
    let ja = pages
        .iter()
        .filter(|p| {
            let title = front::str_of(&p.front, "title").unwrap_or_default();
            format!("{title}{}", p.body.chars().take(400).collect::<String>())
                .chars()
                .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
        })
        .count();
    ja * 2 > pages.len()
}

/// Whether the source marks a page as a draft (`draft: true`, Jekyll's `published: false`).
pub fn is_draft(front: &Map<String, Value>) -> bool {
    front::bool_of(front, "draft") == Some(true)
        || front::bool_of(front, "published") == Some(false)
}

/// Where the legacy proof goes: its own file, so that it never mixes with engagements written by hand.
pub(crate) const LEGACY_FILE: &str = "manifest/legacy-import.yaml";

/// The customer name of legacy engagements.
pub(crate) const LEGACY_CUSTOMER: &str = "legacy help centre";

/// A page once placed.
pub(crate) struct Placed {
    pub raw: RawPage,
    pub title: String,
    pub kind: crate::model::Kind,
    pub phase: Option<String>,
    /// `None`: every tier.
    pub tiers: Option<Vec<String>>,
    /// Path in the new site.
    pub out: String,
    /// Placed by `unplaced:` (nothing else said where it goes).
    pub unplaced: bool,
    /// Why a front matter value was not used.
    pub dropped: Vec<String>,
}
