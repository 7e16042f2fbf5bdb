//! Markdown → HTML for one page, with everything the site needs from the body.
//!
//! Two passes per page, both parallel over pages: [`anchors`] finds the ids a page offers (headings, raw HTML
//! `id=`), so that [`render`] can check `other.md#anchor` links against every page. `render` then gives stable,
//! unique heading ids (Japanese too), a table of contents, admonitions, `.md` links rewritten to pretty URLs under
//! the base path, the list of assets to copy, the page's plain text, and an error for every broken link.
//!
//! Page bodies never go through Tera, so `{{ placeholders }}` in code blocks stay as written.

use crate::config::{LinkLevel, LinkPolicy};
use crate::diagnostics::{Diagnostic, PathSuggestions, Severity, did_you_mean};
use crate::model::{Heading, Kind, Page};
use crate::routes::join_path;
use crate::slug::{github_slug, slugify};
use crate::text::escape_attr;
use crate::{HashMap, HashSet};
use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag,
    TagEnd,
};
use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::{Arc, OnceLock};
use unicode_normalization::UnicodeNormalization;

mod paths;
mod step_label;
pub use paths::{StepRole, progress_tokens};

/// Markdown extensions shirube turns on: tables, task lists, strikethrough, footnotes, `{#id}` heading
/// attributes and GitHub's `> [!NOTE]` admonitions.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

type Events<'a> = Vec<(Event<'a>, Range<usize>)>;

fn parse(body: &str) -> Events<'_> {
    // About one event per 23 bytes of Markdown (measured on generated guides; one per 12 at most): sized
    // once rather than grown by copying.
    let mut events: Events = Vec::with_capacity(body.len() / 16 + 16);
    events.extend(Parser::new_ext(body, options()).into_offset_iter());
    fix_cjk_emphasis(body, &mut events);
    events
}

/// The most table cells a page may hold: rows times the header's columns, over all its tables.
///
/// Each cell is about three parser events of about 100 bytes, held twice while the page is rendered, so a
/// table costs some 700 bytes a cell: a 4.4 MB table of short cells took 1.4 GB. Rows shorter than the header
/// are filled with empty cells (as GitHub does), so a header of 200 columns over 1,300 one-letter lines is
/// 260,000 cells from 3 KB, and twenty such tables (68 KB) took 3 GB. 50,000 cells (70 MB at most) is far
/// more than a page can show.
pub const MAX_TABLE_CELLS: usize = 50_000;

/// A line without its indent and block-quote markers.
fn inner(line: &str) -> &str {
    line.trim_start_matches([' ', '\t', '>']).trim_end()
}

/// Where the tables of `body` first hold more than `max` cells, counted as [`MAX_TABLE_CELLS`] says: the byte
/// range of that table's delimiter row (`|---|---|`), and the count so far. Found from the lines alone, before
/// parsing, and never fewer than the parser would make: every line with a `|` that is a delimiter row starts a
/// table whose rows run to the next blank line (inside block quotes and list items too).
fn too_many_table_cells(body: &str, max: usize) -> Option<(Range<usize>, usize)> {
    let columns = |l: &str| -> Option<usize> {
        let l = inner(l);
        if !l.contains('|') {
            return None;
        }
        let l = l.strip_prefix('|').unwrap_or(l);
        let l = l.strip_suffix('|').unwrap_or(l);
        let cells: Vec<&str> = l.split('|').map(str::trim).collect();
        let delimiter = |c: &&str| {
            let c = c.strip_prefix(':').unwrap_or(c);
            let c = c.strip_suffix(':').unwrap_or(c);
            !c.is_empty() && c.bytes().all(|b| b == b'-')
        };
        cells.iter().all(delimiter).then_some(cells.len())
    };
    let mut total = 0usize;
    let mut offset = 0;
    let mut lines = body.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let start = offset;
        offset += line.len();
        let Some(cols) = columns(line) else {
            continue;
        };
        // The header row, then each row up to a blank line.
        let mut rows = 1usize;
        while let Some(next) = lines.peek() {
            if inner(next).is_empty() {
                break;
            }
            offset += next.len();
            rows += 1;
            lines.next();
        }
        total = total.saturating_add(cols.saturating_mul(rows));
        if total > max {
            return Some((start..start + line.trim_end().len(), total));
        }
    }
    None
}

/// What a page can be linked to with `#id`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Anchors {
    /// Its headings' ids and any `id="..."` in raw HTML.
    pub ids: HashSet<String>,
    /// Ids its headings had before heading ids followed GitHub, each with the heading's id now: an empty
    /// anchor keeps each reachable for a release (links that use one get a warning).
    pub old: HashMap<String, String>,
}

impl Anchors {
    /// The anchors of a page whose headings have `headings` ids, from its (parsed) `events`.
    fn of(events: &Events<'_>, headings: &HeadingIds) -> Anchors {
        let mut ids: HashSet<String> = headings.headings.iter().map(|h| h.id.clone()).collect();
        for (e, _) in events {
            if let Event::Html(h) | Event::InlineHtml(h) = e {
                ids.extend(html_ids(h));
            }
        }
        let old = (0..headings.headings.len())
            .filter_map(|i| {
                let old = headings.old_anchor(i, &ids)?;
                Some((old.to_string(), headings.headings[i].id.clone()))
            })
            .collect();
        Anchors { ids, old }
    }
}

/// The anchors of a page (see [`Anchors`]). None for a page with too many table cells, which is not parsed
/// (it has its own error).
pub fn anchors(body: &str) -> Anchors {
    if too_many_table_cells(body, MAX_TABLE_CELLS).is_some() {
        return Anchors::default();
    }
    let mut events = parse(body);
    let headings = assign_heading_ids(&mut events);
    Anchors::of(&events, &headings)
}

/// What one page links to, as known before rendering: its URL, its anchors, and whether it is published.
#[derive(Debug)]
pub struct Target {
    /// URL relative to the base path.
    pub url: String,
    /// False for pages left out of this build (drafts, and later unproven pages).
    pub published: bool,
    /// An FAQ, so also a question on the FAQ page.
    pub faq: bool,
    /// The page's Markdown, for [`Target::anchors`].
    body: Arc<str>,
    /// Ids from [`anchors`], found the first time a link with a `#fragment` asks (most links have none, and
    /// finding them parses the whole page).
    anchors: OnceLock<Anchors>,
}

impl Target {
    /// The target of a page with `body` at `url`.
    pub fn new(url: String, body: Arc<str>, published: bool, faq: bool) -> Self {
        Target {
            url,
            published,
            faq,
            body,
            anchors: OnceLock::new(),
        }
    }

    /// Ids a link to this page can name after `#` (see [`anchors`]).
    pub fn anchors(&self) -> &Anchors {
        self.anchors.get_or_init(|| anchors(&self.body))
    }
}

/// Everything link resolution needs to know about the site.
#[derive(Debug)]
pub struct SiteIndex {
    /// Base path, starting and ending with `/`.
    pub base_path: String,
    /// Scheme and host of `base_url` (`https://guide.example.com`), empty when it is only a path.
    pub origin: String,
    /// Every page by source path.
    pub pages: HashMap<String, Target>,
    /// Non-Markdown files under the content folders, by source path.
    pub files: BTreeSet<String>,
    /// Markdown files that could not be read ([`crate::load::Sources::unreadable`]): a link to one is not
    /// reported, as the file has its own error.
    pub unreadable: BTreeSet<String>,
    /// URLs (relative to the base path) of pages shirube generates and files under `static/`.
    pub other_urls: HashSet<String>,
    /// The titles of admonitions, from the theme.
    pub admonitions: AdmonitionTitles,
    /// The source path of each of `pages` by URL, made on first use (by a site-absolute link); whoever changes
    /// `pages` must reset it.
    pub page_urls: std::sync::OnceLock<HashMap<String, String>>,
    /// How broken links are reported (`links:` in shirube.yaml).
    pub links: LinkPolicy,
    /// The did-you-mean of each broken link target seen (after a folder rename, thousands of links point at
    /// the same missing pages); reset with `page_urls`.
    pub suggestions: PathSuggestions,
    /// Each page and file path that is not ASCII, by its NFC form (see [`SiteIndex::on_disk`]); made on first
    /// use, reset with `page_urls`.
    pub nfc_paths: OnceLock<HashMap<String, String>>,
}

impl SiteIndex {
    /// The page or file path `path` names, as it is on disk. A name can be written with composed characters
    /// (NFC: `é` as one character, as most editors and keyboards write it) or decomposed ones (NFD: `e` and a
    /// combining accent, as macOS names files): a link in one form finds a file named in the other.
    fn on_disk(&self, path: String, deps: &mut LinkDeps) -> String {
        if path.is_ascii() || self.pages.contains_key(&path) || self.files.contains(&path) {
            return path;
        }
        let found = self
            .nfc_paths
            .get_or_init(|| {
                self.pages
                    .keys()
                    .chain(self.files.iter())
                    .filter(|p| !p.is_ascii())
                    .map(|p| (p.nfc().collect(), p.clone()))
                    .collect()
            })
            .get(&path.nfc().collect::<String>());
        match found {
            Some(real) => {
                deps.pages.insert(real.clone());
                deps.files.insert(real.clone());
                real.clone()
            }
            None => path,
        }
    }

    /// The page or file whose source path is closest to `target`, if one is close (see [`crate::diagnostics::did_you_mean_path`]).
    fn suggestion(&self, target: &str) -> Option<String> {
        self.suggestions.get(target, || {
            self.pages
                .keys()
                .chain(self.files.iter())
                .map(String::as_str)
        })
    }

    /// The page (source path and target) at `url`, relative to the base path.
    fn page_at(&self, url: &str) -> Option<(&str, &Target)> {
        let src = self
            .page_urls
            .get_or_init(|| {
                self.pages
                    .iter()
                    .map(|(src, t)| (t.url.clone(), src.clone()))
                    .collect()
            })
            .get(url)?;
        Some((src.as_str(), self.pages.get(src)?))
    }

    /// What is at `url` (relative to the base path, with or without its last `/`), if anything.
    fn url_target(&self, url: &str) -> Option<UrlTarget<'_>> {
        let slashed = format!("{url}/");
        if let Some((src, t)) = self.page_at(url).or_else(|| self.page_at(&slashed)) {
            return Some(UrlTarget::Page(src, t));
        }
        (self.other_urls.contains(url) || self.other_urls.contains(&slashed))
            .then_some(UrlTarget::Generated)
    }

    /// For a link to `url#fragment`: whether it names a question on the FAQ page (which gives each question
    /// the last part of its URL as id), and if so whether one of that name is published. Every FAQ with that
    /// name goes into `deps`.
    fn faq_question<'a>(
        &'a self,
        url: &str,
        fragment: &str,
        deps: &mut LinkDeps,
    ) -> FaqQuestion<'a> {
        if url.trim_end_matches('/') != crate::routes::FAQ_URL.trim_end_matches('/') {
            return FaqQuestion::None;
        }
        let named =
            |t: &Target| t.faq && t.url.trim_end_matches('/').rsplit('/').next() == Some(fragment);
        let mut unpublished: Option<&str> = None;
        let mut published = false;
        for (src, t) in self.pages.iter().filter(|(_, t)| named(t)) {
            deps.pages.insert(src.clone());
            published |= t.published;
            if !t.published && unpublished.is_none_or(|u| src.as_str() < u) {
                unpublished = Some(src);
            }
        }
        match unpublished {
            _ if published => FaqQuestion::Published,
            Some(src) => FaqQuestion::Unpublished(src),
            None => FaqQuestion::None,
        }
    }
}

/// What a `#fragment` on the FAQ page names.
enum FaqQuestion<'a> {
    /// A published question.
    Published,
    /// Only an unpublished one: its source path.
    Unpublished(&'a str),
    /// No question.
    None,
}

/// What a site-absolute link leads to.
enum UrlTarget<'a> {
    /// A page: its source path and target.
    Page(&'a str, &'a Target),
    /// A page shirube generates (home, phase, tier, FAQ, kickoff pages, the feed) or a file under `static/`.
    Generated,
}

/// One page rendered.
#[derive(Debug, Default)]
pub struct Rendered {
    /// The body as HTML.
    pub html: String,
    /// `##` and `###` headings, for the table of contents.
    pub toc: Vec<Heading>,
    /// Plain text of the body (no HTML, no markup), for search and summaries.
    pub text: String,
    /// Plain text of the first paragraph.
    pub first_paragraph: String,
    /// Every heading of the body with the plain text under it (up to the next heading), in order. Text before
    /// the first heading is `text[..sections[0].text.start]`.
    pub sections: Vec<Section>,
    /// Source paths of files the page links or embeds, to copy into the output.
    pub assets: Vec<String>,
    /// Broken links, missing images, links to unpublished pages.
    pub diagnostics: Vec<Diagnostic>,
    /// Checkable steps of a playbook, in order (see [`Step`]); empty for other kinds.
    pub steps: Vec<Step>,
}

/// One checkable step of a playbook: an item of an ordered list, or a task-list item (`- [ ] ...`).
///
/// Its id comes from its own text, so a step keeps its id (and the reader's tick) when another step is
/// inserted, removed or moved elsewhere on the page. Two steps with the same text are told apart by the
/// heading they sit under, then by `-2`, `-3`. Items nested inside a step are part of that step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Stable id, unique on the page: the slug of the step's text, at most [`STEP_ID_MAX`] characters.
    pub id: String,
    /// Plain text of the step, without nested lists.
    pub text: String,
    /// Whether it counts: optional, or on one of several alternative paths (see `markdown/paths.rs`).
    pub role: StepRole,
}

/// Longest step id, in characters: enough to tell steps apart, short enough for storage and attributes.
pub const STEP_ID_MAX: usize = 48;

/// A heading and the part of [`Rendered::text`] that follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading.
    pub heading: Heading,
    /// Byte range in [`Rendered::text`] of the section's text, heading excluded.
    pub text: Range<usize>,
}

/// What rendering one page looked up in the [`SiteIndex`]. The page renders the same as long as every answer
/// to these lookups stays the same, which is how `pipeline::Session` knows which pages an edit of another affects.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LinkDeps {
    /// Source paths looked up in [`SiteIndex::pages`], found or not.
    pub pages: BTreeSet<String>,
    /// Source paths looked up in [`SiteIndex::files`].
    pub files: BTreeSet<String>,
    /// A site-absolute link was checked against every page's URL and [`SiteIndex::other_urls`].
    pub urls: bool,
    /// A broken link's did-you-mean looked at every page and file path.
    pub all_paths: bool,
}

/// Renders `page`'s body.
pub fn render(page: &Page, site: &SiteIndex) -> Rendered {
    render_with_deps(page, site).0
}

/// Renders `page`'s body, and says what in `site` the result depends on.
pub fn render_with_deps(page: &Page, site: &SiteIndex) -> (Rendered, LinkDeps) {
    let mut deps = LinkDeps::default();
    let rendered = render_tracked(page, site, &mut deps);
    (rendered, deps)
}

fn render_tracked(page: &Page, site: &SiteIndex, deps: &mut LinkDeps) -> Rendered {
    let body: &str = &page.body;
    if let Some((row, cells)) = too_many_table_cells(body, MAX_TABLE_CELLS) {
        // Not parsed at all: the parser alone would take the memory the limit is there to save.
        let before = &body[..row.start];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        let mut d = Diagnostic::error(
            &page.src,
            format!(
                "tables too large: {cells} cells up to this table (rows × header columns), at most {MAX_TABLE_CELLS} on a page"
            ),
        )
        .code("table-too-large")
        .at(body, line, col, body[row].chars().count())
        .with_help(
            "split the table over several pages, or put the data in a CSV file next to the page and link to it; \
             rows shorter than the header count in full (they are filled with empty cells)",
        );
        d.line = line + page.body_line - 1;
        return Rendered {
            diagnostics: vec![d],
            ..Rendered::default()
        };
    }
    let mut events = parse(body);
    let twice = custom_ids_used_twice(&events);
    let heading_ids = assign_heading_ids(&mut events);
    let steps = if page.kind == Kind::Playbook {
        let mut roles = paths::mark(&mut events, &site.admonitions.0[OPTIONAL]);
        paths::insert_notes(
            &mut events,
            &mut roles,
            &format!(
                "<p class=\"choose-one\">{}</p>\n",
                site.admonitions.0[CHOOSE]
            ),
        );
        mark_steps(&mut events, &heading_ids.old, &roles)
    } else {
        Vec::new()
    };
    let own_ids = Anchors::of(&events, &heading_ids);
    // The old id of each heading that keeps one, in order.
    let mut old_anchors = heading_ids
        .old
        .iter()
        .zip(&heading_ids.headings)
        .map(|(old, h)| {
            own_ids
                .old
                .get(old)
                .filter(|id| **id == h.id)
                .map(|_| old.clone())
        })
        .collect::<Vec<_>>()
        .into_iter();
    let headings = heading_ids.headings;
    let mut out = Rendered {
        toc: headings
            .iter()
            .filter(|h| h.level == 2 || h.level == 3)
            .cloned()
            .collect(),
        steps,
        // The plain text is a little shorter than the Markdown.
        text: String::with_capacity(body.len()),
        ..Rendered::default()
    };
    // (start of heading text, end of heading text) in `out.text`, per heading.
    let mut heading_spans: Vec<(usize, usize)> = Vec::with_capacity(headings.len());
    let locate = |range: &Range<usize>, needle: &str| -> (usize, usize) {
        let start = body[range.clone()]
            .find(needle)
            .map(|i| range.start + i)
            .unwrap_or(range.start);
        let before = &body[..start];
        let line = before.matches('\n').count() + page.body_line;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        (line, col)
    };
    let diag = |code: &'static str,
                range: &Range<usize>,
                needle: &str,
                error: bool,
                msg: String|
     -> Diagnostic {
        let (line, col) = locate(range, needle);
        let body_line = line + 1 - page.body_line;
        let d = if error {
            Diagnostic::error(&page.src, msg).code(code)
        } else {
            Diagnostic::warning(&page.src, msg).code(code)
        };
        let mut d = d.at(body, body_line, col, needle.chars().count());
        d.line = line;
        d
    };
    let report = |range: &Range<usize>, needle: &str, p: Problem| {
        let mut d = diag(p.code, range, needle, p.severity == Severity::Error, p.msg);
        d.help = p.help;
        d
    };
    for (id, first, again) in twice {
        let needle = format!("#{id}");
        let (first_line, _) = locate(&first, &needle);
        out.diagnostics.push(
            diag(
                "duplicate-heading-id",
                &again,
                &needle,
                true,
                format!("heading id \"{id}\" is used twice on this page (first on line {first_line})"),
            )
            .with_help("give each heading its own `{#id}`: a link to this id would only ever reach the first"),
        );
    }

    let mut drop_link_end = 0usize;
    // Per image being read (an image's alt text may hold another): whether its start was written.
    let mut kept_images: Vec<bool> = Vec::new();
    let mut in_html_comment = false;
    let mut in_code_block = false;
    let mut in_paragraph = false;
    let mut first_paragraph_done = false;
    let mut rewritten: Events = Vec::with_capacity(events.len() + 8);
    for (event, range) in events {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) if script_scheme(&dest_url).is_some() => {
                let (msg, help) = script_url_warning(&dest_url, "link");
                out.diagnostics
                    .push(diag("script-url", &range, &dest_url, false, msg).with_help(help));
                drop_link_end += 1;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match settle(
                resolve(&dest_url, page, site, &own_ids, false, deps),
                site.links,
                |p| {
                    if link_type != LinkType::Autolink && link_type != LinkType::Email {
                        out.diagnostics.push(report(&range, &dest_url, p));
                    }
                },
            ) {
                Resolved::Keep | Resolved::Broken(_) => rewritten.push((
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }),
                    range,
                )),
                Resolved::Url(url, asset) => {
                    out.assets.extend(asset);
                    let tag = Tag::Link {
                        link_type,
                        dest_url: url.into(),
                        title,
                        id,
                    };
                    rewritten.push((Event::Start(tag), range));
                }
                Resolved::Unpublished(msg) => {
                    out.diagnostics.push(
                        diag("link-to-unpublished", &range, &dest_url, false, msg).with_help(
                            "the link is shown as plain text until that page is published",
                        ),
                    );
                    drop_link_end += 1;
                }
            },
            Event::End(TagEnd::Link) if drop_link_end > 0 => drop_link_end -= 1,
            Event::Start(Tag::Image { dest_url, .. }) if script_scheme(&dest_url).is_some() => {
                let (msg, help) = script_url_warning(&dest_url, "image");
                out.diagnostics
                    .push(diag("script-url", &range, &dest_url, false, msg).with_help(help));
                // Its alt text stays, as plain text.
                kept_images.push(false);
            }
            Event::End(TagEnd::Image) => {
                if kept_images.pop().unwrap_or(true) {
                    rewritten.push((Event::End(TagEnd::Image), range));
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let resolved = settle(
                    resolve(&dest_url, page, site, &own_ids, true, deps),
                    site.links,
                    |p| out.diagnostics.push(report(&range, &dest_url, p)),
                );
                let dest = match resolved {
                    Resolved::Url(url, asset) => {
                        out.assets.extend(asset);
                        url.into()
                    }
                    Resolved::Keep | Resolved::Unpublished(_) | Resolved::Broken(_) => dest_url,
                };
                kept_images.push(true);
                rewritten.push((
                    Event::Start(Tag::Image {
                        link_type,
                        dest_url: dest,
                        title,
                        id,
                    }),
                    range,
                ));
            }
            // Raw HTML: the `src` of media tags (`<img src="shot.png">`) and the `href` of links are checked and
            // rewritten like Markdown images and links, so files are copied and URLs work from the page's
            // pretty URL. A link to an unpublished page loses its `href`, as a Markdown one becomes text.
            Event::Html(ref html) | Event::InlineHtml(ref html) => {
                let urls = html_urls(html, &mut in_html_comment);
                if urls.is_empty() {
                    rewritten.push((event, range));
                    continue;
                }
                let mut fixed = String::with_capacity(html.len() + 32);
                let mut last = 0;
                for u in urls {
                    let dest = &html[u.value.clone()];
                    let resolved = settle(
                        resolve(dest, page, site, &own_ids, u.image, deps),
                        site.links,
                        |p| out.diagnostics.push(report(&range, dest, p)),
                    );
                    match resolved {
                        Resolved::Url(url, asset) => {
                            out.assets.extend(asset);
                            fixed.push_str(&html[last..u.value.start]);
                            fixed.push_str(&escape_attr(&url));
                            last = u.value.end;
                        }
                        Resolved::Unpublished(msg) => {
                            out.diagnostics.push(diag("link-to-unpublished", &range, dest, false, msg).with_help(
                                "the link has no address (it is not a link) until that page is published",
                            ));
                            fixed.push_str(html[last..u.attr.start].trim_end());
                            last = u.attr.end;
                        }
                        Resolved::Keep | Resolved::Broken(_) => {}
                    }
                }
                fixed.push_str(&html[last..]);
                let fixed = fixed.into();
                let event = match event {
                    Event::InlineHtml(_) => Event::InlineHtml(fixed),
                    _ => Event::Html(fixed),
                };
                rewritten.push((event, range));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let k = admonition_class(kind);
                let (class, title) = (ADMONITIONS[k], &site.admonitions.0[k]);
                let html = format!(
                    "<aside class=\"admonition {class}\">\n<p class=\"admonition-title\">{title}</p>\n"
                );
                rewritten.push((Event::Html(html.into()), range));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                rewritten.push((Event::Html("</aside>\n".into()), range));
            }
            Event::Start(Tag::Table(align)) => {
                // It scrolls sideways on a phone: focusable, so the keyboard can scroll it too. No landmark
                // role: a page with several tables would have several landmarks of the same name.
                rewritten.push((
                    Event::Html("<div class=\"table-wrap\" tabindex=\"0\">\n".into()),
                    range.clone(),
                ));
                rewritten.push((Event::Start(Tag::Table(align)), range));
            }
            Event::End(TagEnd::Table) => {
                rewritten.push((Event::End(TagEnd::Table), range.clone()));
                rewritten.push((Event::Html("</div>\n".into()), range));
            }
            Event::Start(Tag::CodeBlock(k)) => {
                in_code_block = true;
                // As pulldown-cmark writes it, but focusable like a table (a long line scrolls sideways).
                let lang = match &k {
                    CodeBlockKind::Fenced(info) => info.split(' ').next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                };
                let html = if lang.is_empty() {
                    "<pre tabindex=\"0\"><code>".to_string()
                } else {
                    format!(
                        "<pre tabindex=\"0\"><code class=\"language-{}\">",
                        escape_attr(lang)
                    )
                };
                rewritten.push((Event::Html(html.into()), range));
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                out.text.push('\n');
                rewritten.push((Event::Html("</code></pre>\n".into()), range));
            }
            Event::Start(Tag::Paragraph) => {
                in_paragraph = true;
                rewritten.push((Event::Start(Tag::Paragraph), range));
            }
            Event::End(TagEnd::Paragraph) => {
                in_paragraph = false;
                if !out.first_paragraph.is_empty() {
                    first_paragraph_done = true;
                }
                out.text.push('\n');
                rewritten.push((Event::End(TagEnd::Paragraph), range));
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                heading_spans.push((out.text.len(), out.text.len()));
                rewritten.push((
                    Event::Start(Tag::Heading {
                        level,
                        id,
                        classes,
                        attrs,
                    }),
                    range.clone(),
                ));
                // The id the heading had before ids followed GitHub, kept reachable for a release.
                if let Some(old) = old_anchors.next().flatten() {
                    let html = format!("<a id=\"{}\"></a>", escape_attr(&old));
                    rewritten.push((Event::InlineHtml(html.into()), range));
                }
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some(span) = heading_spans.last_mut() {
                    span.1 = out.text.len();
                }
                out.text.push('\n');
                rewritten.push((Event::End(TagEnd::Heading(level)), range));
            }
            Event::End(tag @ (TagEnd::Item | TagEnd::TableCell | TagEnd::FootnoteDefinition)) => {
                out.text.push('\n');
                rewritten.push((Event::End(tag), range));
            }
            Event::Text(t) => {
                out.text.push_str(&t);
                if in_paragraph && !first_paragraph_done && !in_code_block {
                    out.first_paragraph.push_str(&t);
                }
                rewritten.push((Event::Text(t), range));
            }
            Event::Code(t) => {
                out.text.push_str(&t);
                if in_paragraph && !first_paragraph_done {
                    out.first_paragraph.push_str(&t);
                }
                rewritten.push((Event::Code(t), range));
            }
            Event::SoftBreak | Event::HardBreak => {
                out.text.push(' ');
                if in_paragraph && !first_paragraph_done {
                    out.first_paragraph.push(' ');
                }
                rewritten.push((event, range));
            }
            other => rewritten.push((other, range)),
        }
    }
    // The HTML is 1.4 times the Markdown for most pages, 1.7 times for nine in ten.
    out.html.reserve(body.len() * 7 / 4);
    pulldown_cmark::html::push_html(&mut out.html, rewritten.into_iter().map(|(e, _)| e));
    out.first_paragraph = out.first_paragraph.trim().to_string();
    let ends: Vec<usize> = heading_spans
        .iter()
        .skip(1)
        .map(|s| s.0)
        .chain([out.text.len()])
        .collect();
    out.sections = headings
        .into_iter()
        .zip(heading_spans)
        .zip(ends)
        .map(|((heading, (_, start)), end)| Section {
            heading,
            text: start..end,
        })
        .collect();
    out
}

enum Resolved {
    /// External or otherwise left alone.
    Keep,
    /// Rewritten destination, and the source path of an asset to copy.
    Url(String, Option<String>),
    /// An existing page that is not part of this build.
    Unpublished(String),
    /// Something to report, reported as the site's link policy says (see [`settle`]).
    Broken(Box<Broken>),
}

/// A link or image that leads nowhere, or not where it should.
struct Broken {
    /// The diagnostic's code.
    code: &'static str,
    /// What is wrong.
    msg: String,
    /// How to fix it.
    help: Option<String>,
    /// Which class of the link policy it is.
    class: Missing,
    /// What the link becomes when the policy does not make it an error; without one, it is left as written.
    otherwise: Option<Resolved>,
}

/// The classes of [`Broken`] links: [`LinkPolicy`] says how the first two are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    /// No page or file at the link's path (`missing_page`).
    Page,
    /// The page has no such id (`missing_anchor`).
    Anchor,
    /// The id is one the page's heading had before ids followed GitHub: a warning (none with
    /// `missing_anchor: ignore`).
    OldId,
    /// Anything else (a missing image, a page linked as an image): always an error.
    Other,
}

/// A diagnostic to report about a link, made by [`settle`].
struct Problem {
    severity: Severity,
    code: &'static str,
    msg: String,
    help: Option<String>,
}

impl Resolved {
    /// A broken link of `class`, left as written whatever the policy.
    fn broken(code: &'static str, msg: String, help: Option<String>, class: Missing) -> Resolved {
        Resolved::Broken(Box::new(Broken {
            code,
            msg,
            help,
            class,
            otherwise: None,
        }))
    }

    /// A broken link of `class` that becomes `otherwise` when the policy makes it no error.
    fn broken_or(
        code: &'static str,
        msg: String,
        help: Option<String>,
        class: Missing,
        otherwise: Resolved,
    ) -> Resolved {
        Resolved::Broken(Box::new(Broken {
            code,
            msg,
            help,
            class,
            otherwise: Some(otherwise),
        }))
    }

    /// The same, with `f` making the destination of a [`Resolved::Url`] from the one it has.
    fn map_url(self, f: impl FnOnce(String) -> String) -> Resolved {
        match self {
            Resolved::Url(url, asset) => Resolved::Url(f(url), asset),
            other => other,
        }
    }
}

/// Applies the link policy to a resolved link: `report` gets the diagnostic a [`Resolved::Broken`] makes, if
/// any, and the result is what the link becomes. A broken link reported as an error is left as written (the
/// build fails anyway); one reported as a warning or not at all becomes its `otherwise`, if it has one.
fn settle(r: Resolved, policy: LinkPolicy, mut report: impl FnMut(Problem)) -> Resolved {
    let Resolved::Broken(b) = r else {
        return r;
    };
    let b = *b;
    let level = match b.class {
        Missing::Page => policy.missing_page,
        Missing::Anchor => policy.missing_anchor,
        Missing::OldId => policy.missing_anchor.min(LinkLevel::Warn),
        Missing::Other => LinkLevel::Error,
    };
    let severity = match level {
        LinkLevel::Error => Severity::Error,
        LinkLevel::Warn => Severity::Warning,
        LinkLevel::Ignore => return b.otherwise.unwrap_or(Resolved::Keep),
    };
    report(Problem {
        severity,
        code: b.code,
        msg: b.msg,
        help: b.help,
    });
    match (level, b.otherwise) {
        (LinkLevel::Error, _) | (_, None) => Resolved::Keep,
        (_, Some(otherwise)) => otherwise,
    }
}

fn resolve(
    dest: &str,
    page: &Page,
    site: &SiteIndex,
    own_ids: &Anchors,
    image: bool,
    deps: &mut LinkDeps,
) -> Resolved {
    if dest.is_empty() {
        return Resolved::Keep;
    }
    if is_external(dest) {
        return own_url(dest, site, deps);
    }
    let (path, query, fragment) = split_url(dest);
    let suffix = |url: String| -> String {
        let mut s = url;
        if let Some(q) = query {
            s.push('?');
            s.push_str(q);
        }
        if let Some(f) = fragment {
            s.push('#');
            s.push_str(f);
        }
        s
    };
    let what = if image { "image" } else { "link" };
    if path.is_empty() {
        // `#anchor` on this page.
        return match fragment {
            Some(f) => check_anchor(f, own_ids, None, Resolved::Keep),
            None => Resolved::Keep,
        };
    }
    // A bad escape is left as written (and then reported as a broken link if nothing has that name).
    let path = crate::percent::decode(path).unwrap_or_else(|| path.to_string());
    if let Some(abs) = path.strip_prefix('/') {
        // A site-absolute path. One that starts with the base path is taken as written (the host's root is
        // its root) when that names a page, or anything when nothing under the base path has its name (it
        // may be another part of the host); otherwise it is a path under the base path, and checked.
        let base = site.base_path.trim_start_matches('/');
        let shown = format!("/{abs}");
        let rest = (!base.is_empty()).then(|| under_base(abs, base)).flatten();
        if let Some(rest) = rest
            && let Some(r) = site_url(rest, (what, &shown), fragment, false, site, deps)
        {
            return r.map_url(|_| suffix(shown.clone()));
        }
        let under = site_url(abs, (what, &shown), fragment, rest.is_none(), site, deps);
        return match under {
            Some(r) => r.map_url(|_| suffix(format!("{}{abs}", site.base_path))),
            None => Resolved::Keep,
        };
    }
    let dir = page.src.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let Some(target) = join_path(dir, &path) else {
        return Resolved::broken(
            "link-outside-site",
            format!("broken {what}: \"{dest}\" points outside the site"),
            Some("links must stay inside playbooks/ and content/".into()),
            if image { Missing::Other } else { Missing::Page },
        );
    };
    // The page itself, or the folder's index page, or the page without its extension (`.md`, or `.markdown`
    // as Jekyll names it). Each of these paths decides the result (by being there or not), so the page
    // depends on all of them.
    let stem = target.trim_end_matches('/');
    let candidates = [
        target.clone(),
        format!("{stem}/index.md"),
        format!("{stem}.md"),
        format!("{stem}/index.markdown"),
        format!("{stem}.markdown"),
    ];
    deps.pages.extend(candidates.iter().cloned());
    deps.files.insert(target.clone());
    if candidates.iter().any(|c| site.unreadable.contains(c)) {
        return Resolved::Keep;
    }
    let target_page = candidates.into_iter().find_map(|c| {
        let c = site.on_disk(c, deps);
        site.pages.get(&c).map(|t| (c, t))
    });
    let target = site.on_disk(target, deps);
    if let Some((src, t)) = target_page {
        if image {
            return Resolved::broken(
                "image-is-page",
                format!("image \"{dest}\" is a page, not an image"),
                None,
                Missing::Other,
            );
        }
        let to_page = if t.published {
            Resolved::Url(suffix(format!("{}{}", site.base_path, t.url)), None)
        } else {
            Resolved::Unpublished(format!(
                "link to {src}, which is not published in this build"
            ))
        };
        return match fragment {
            Some(f) => check_anchor(f, t.anchors(), Some(&src), to_page),
            None => to_page,
        };
    }
    if site.files.contains(&target) {
        let out_path = crate::percent::encode_reserved(asset_output_path(&target));
        return Resolved::Url(
            suffix(format!("{}{out_path}", site.base_path)),
            Some(target),
        );
    }
    let msg = if image {
        format!("image not found: \"{dest}\" (looked for {target})")
    } else {
        format!("broken link: \"{dest}\" resolves to {target}, which is not a page or file")
    };
    if let Some(url) = target
        .strip_prefix("static/")
        .filter(|u| site.other_urls.contains(*u))
    {
        // Files under static/ are copied as they are to the site root; they are not content.
        deps.urls = true;
        return Resolved::broken(
            missing_code(image),
            msg,
            Some(format!(
                "static/ files are published at the site root: link to \"/{url}\""
            )),
            if image { Missing::Other } else { Missing::Page },
        );
    }
    deps.all_paths = true;
    let help = site
        .suggestion(&target)
        .filter(|s| *s != page.src)
        .map(|s| format!("did you mean \"{}\"?", relative_from(dir, &s)))
        .or_else(|| {
            Some("paths are relative to this file; check the folder and the file name".into())
        });
    Resolved::broken(
        missing_code(image),
        msg,
        help,
        if image { Missing::Other } else { Missing::Page },
    )
}

/// The code of a link to nothing: `missing-image` for an image, `missing-page` for a link.
fn missing_code(image: bool) -> &'static str {
    if image {
        "missing-image"
    } else {
        "missing-page"
    }
}

/// A link to `#f` on a page with `anchors` (`page`: its source path, `None` for the page itself): `ok` when
/// the page has that id; a warning when it is a heading's old id; else a broken link that becomes `ok` when
/// the policy lets it through (the page is there; only the place on it is not).
fn check_anchor(f: &str, anchors: &Anchors, page: Option<&str>, ok: Resolved) -> Resolved {
    if anchors.ids.contains(f) {
        return ok;
    }
    if let Some(id) = anchors.old.get(f) {
        let whose = match page {
            None => "a heading on this page had".to_string(),
            Some(src) => format!("a heading of {src} had"),
        };
        return Resolved::broken_or(
            "old-anchor",
            format!(
                "link to \"#{f}\", the id {whose} before heading ids followed GitHub's; it works until the next release"
            ),
            Some(format!("link to \"#{id}\", the heading's id now")),
            Missing::OldId,
            ok,
        );
    }
    let msg = match page {
        None => format!("broken link: no heading with id \"{f}\" on this page"),
        Some(src) => format!("broken link: {src} has no heading with id \"{f}\""),
    };
    Resolved::broken_or(
        "missing-anchor",
        msg,
        Some(anchor_help(f, &anchors.ids)),
        Missing::Anchor,
        ok,
    )
}

/// A link's destination as its path, `?query` and `#fragment` (without the `?` and `#`).
fn split_url(dest: &str) -> (&str, Option<&str>, Option<&str>) {
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    match path.split_once('?') {
        Some((p, q)) => (p, Some(q), fragment),
        None => (path, None, fragment),
    }
}

/// `abs` (a path without its leading `/`) under `base` (the base path, likewise): the rest, or `None`.
fn under_base<'a>(abs: &'a str, base: &str) -> Option<&'a str> {
    abs.strip_prefix(base)
        .or((abs == base.trim_end_matches('/')).then_some(""))
}

/// A full URL (`https://guide.example.com/guide/faq/`): checked like a site-absolute link when it leads into
/// this guide, so that a page left out of the build is not linked that way either; anything else is kept.
fn own_url(dest: &str, site: &SiteIndex, deps: &mut LinkDeps) -> Resolved {
    if site.origin.is_empty() {
        return Resolved::Keep;
    }
    let Some(rest) = dest
        .get(..site.origin.len())
        .filter(|o| o.eq_ignore_ascii_case(&site.origin))
        .map(|_| &dest[site.origin.len()..])
    else {
        return Resolved::Keep;
    };
    let (path, _, fragment) = split_url(rest);
    let path = crate::percent::decode(path).unwrap_or_else(|| path.to_string());
    let base = site.base_path.trim_start_matches('/');
    let Some(rel) = path.strip_prefix('/').and_then(|abs| under_base(abs, base)) else {
        // Elsewhere on the same host: not part of the guide.
        return Resolved::Keep;
    };
    // Only a page left out of the build matters here: the rest of the host is not the guide's to judge.
    match site_url(rel, ("link", dest), fragment, false, site, deps) {
        Some(r @ Resolved::Unpublished(_)) => r,
        _ => Resolved::Keep,
    }
}

/// A link or image (`what`) to `rel`, a URL relative to the base path, written as `shown`. What a URL leads
/// to is known for pages, what shirube generates, theme and static files and copied files; a link to a page
/// left out of the build is not a link. `#anchors` are taken on trust: they may name ids the templates write.
/// When it leads somewhere, the result is a [`Resolved::Url`] for the caller to fill in; `strict` makes a
/// path that leads nowhere an error (`None` when not `strict`).
fn site_url(
    rel: &str,
    (what, shown): (&str, &str),
    fragment: Option<&str>,
    strict: bool,
    site: &SiteIndex,
    deps: &mut LinkDeps,
) -> Option<Resolved> {
    deps.urls = true;
    let ok = || Some(Resolved::Url(String::new(), None));
    let faq = match fragment {
        Some(f) => site.faq_question(rel, f, deps),
        None => FaqQuestion::None,
    };
    if let FaqQuestion::Unpublished(src) = faq {
        return Some(Resolved::Unpublished(format!(
            "link to {src} (on the FAQ page), which is not published in this build"
        )));
    }
    let page = rel.strip_suffix("index.html").unwrap_or(rel);
    match site.url_target(page) {
        Some(UrlTarget::Page(src, t)) => {
            // Whether it is published decides the result too.
            deps.pages.insert(src.to_string());
            if t.published {
                ok()
            } else {
                Some(Resolved::Unpublished(format!(
                    "link to {src} (at \"{shown}\"), which is not published in this build"
                )))
            }
        }
        Some(UrlTarget::Generated) => ok(),
        // A file copied with the pages that link it, or the search index's.
        None if site.files.contains(rel)
            || site.files.contains(&format!("content/{rel}"))
            || rel.starts_with("search/") =>
        {
            ok()
        }
        None if strict => Some(Resolved::broken(
            missing_code(what == "image"),
            format!("broken {what}: nothing is published at \"{shown}\""),
            Some(
                "link to the Markdown file instead, for example `../faq/reset-password.md`".into(),
            ),
            if what == "image" {
                Missing::Other
            } else {
                Missing::Page
            },
        )),
        None => None,
    }
}

fn anchor_help(f: &str, ids: &HashSet<String>) -> String {
    match did_you_mean(f, ids.iter().map(String::as_str)) {
        Some(s) => format!("did you mean \"#{s}\"?"),
        None if ids.is_empty() => "that page has no headings".into(),
        None => {
            let mut known: Vec<&str> = ids.iter().map(String::as_str).collect();
            known.sort_unstable();
            known.truncate(8);
            format!("known ids: {}", known.join(", "))
        }
    }
}

/// `target` written relative to `dir`, for did-you-mean help.
fn relative_from(dir: &str, target: &str) -> String {
    let from: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let to: Vec<&str> = target.split('/').collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(&to[common..]);
    parts.join("/")
}

/// The scheme of a URL that runs script or carries a document of its own when followed (`javascript:`,
/// `vbscript:`, `data:`), read as a browser reads it: tabs and line breaks anywhere ignored, leading spaces and
/// control characters too, letters in any case. Markdown links and images never get such URLs; raw HTML is the
/// author's own and is left alone.
fn script_scheme(dest: &str) -> Option<&'static str> {
    let cleaned: String = dest
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .into_iter()
        .find(|s| cleaned.starts_with(s))
}

/// The warning (message, help) for a Markdown link or image (`what`) to `dest`, a [`script_scheme`] URL.
fn script_url_warning(dest: &str, what: &str) -> (String, String) {
    let scheme = script_scheme(dest).unwrap_or_default();
    let msg = format!("{what} to a `{scheme}` URL left out");
    (
        msg,
        format!(
            "shirube does not write `javascript:`, `vbscript:` or `data:` URLs from Markdown {what}s (the text stays); \
         put a file next to the page and link to it, or use raw HTML if you mean it"
        ),
    )
}

fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    // A scheme: letters, digits, `+`, `-`, `.` before the first `:`, and no `/` before it.
    match dest.find(':') {
        Some(i) => {
            let scheme = &dest[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// The class of an admonition (`> [!NOTE]` ...), which is also its index in [`AdmonitionTitles`]; then the
/// title of an optional block and the "choose one" note before alternatives (see `markdown/paths.rs`).
const ADMONITIONS: [&str; 7] = [
    "note",
    "tip",
    "important",
    "warning",
    "caution",
    "optional",
    "choose",
];
/// Indexes in [`ADMONITIONS`].
const OPTIONAL: usize = 5;
const CHOOSE: usize = 6;

fn admonition_class(kind: BlockQuoteKind) -> usize {
    match kind {
        BlockQuoteKind::Note => 0,
        BlockQuoteKind::Tip => 1,
        BlockQuoteKind::Important => 2,
        BlockQuoteKind::Warning => 3,
        BlockQuoteKind::Caution => 4,
    }
}

/// The title over each kind of admonition, HTML-escaped: the theme's UI strings `admonition_note`,
/// `admonition_tip` ... for the site's language (a missing key shows as itself, as in templates).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdmonitionTitles([String; 7]);

impl AdmonitionTitles {
    /// The titles from a theme's UI strings.
    pub fn from_ui(ui: &std::collections::BTreeMap<String, String>) -> Self {
        Self(ADMONITIONS.map(|class| {
            let key = format!("admonition_{class}");
            escape_attr(ui.get(&key).unwrap_or(&key))
        }))
    }
}

/// Each `{#custom}` heading id written again on the same page: (id, range of the first heading, range of the
/// heading that repeats it).
fn custom_ids_used_twice(events: &Events<'_>) -> Vec<(String, Range<usize>, Range<usize>)> {
    let mut first: HashMap<&str, &Range<usize>> = HashMap::default();
    let mut twice = Vec::new();
    for (e, range) in events {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = e {
            match first.get(id.as_ref()) {
                Some(at) => twice.push((id.to_string(), (*at).clone(), range.clone())),
                None => {
                    first.insert(id, range);
                }
            }
        }
    }
    twice
}

/// Numbers repeated ids on one page: the first `base` as it is, then `base` and a number from `first` on
/// (skipping ids already taken), as [`assign_heading_ids`] describes.
struct Numbering {
    used: HashSet<String>,
    next_number: HashMap<String, usize>,
    first: usize,
}

impl Numbering {
    /// Numbers from `first` (`-1` for GitHub's ids, `-2` for the old ones); `custom` ids are taken already.
    fn new(first: usize, custom: &HashSet<String>) -> Self {
        Numbering {
            used: custom.clone(),
            next_number: HashMap::default(),
            first,
        }
    }

    fn unique(&mut self, base: String) -> String {
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        let mut candidate = base.clone();
        // Numbering goes on from the last number this base took, not from the first again: a page of
        // thousands of equal headings would otherwise try every taken number for each one.
        let n = self
            .next_number
            .entry(base.clone())
            .or_insert(self.first - 1);
        while self.used.contains(&candidate) {
            *n += 1;
            candidate = format!("{base}-{n}");
        }
        self.used.insert(candidate.clone());
        candidate
    }
}

/// The headings of a page with their ids (see [`assign_heading_ids`]).
struct HeadingIds {
    /// In order.
    headings: Vec<Heading>,
    /// The id each heading had before ids followed GitHub, in the same order: the same as its id for a
    /// `{#custom}` one. Kept reachable for a release (see [`HeadingIds::old_anchor`]), and still what tells
    /// equal steps apart, so that readers' ticks keep their ids.
    old: Vec<String>,
}

impl HeadingIds {
    /// For heading `i`: the id it had before, when that differs from its id and names nothing else on the page
    /// (`taken`: every id the page has), for an empty anchor next to it.
    fn old_anchor(&self, i: usize, taken: &HashSet<String>) -> Option<&str> {
        let old = self.old.get(i)?;
        (*old != self.headings[i].id && !taken.contains(old)).then_some(old.as_str())
    }
}

/// Gives every heading an id: its `{#custom}` id, else GitHub's id for its text ([`github_slug`]: Japanese kept
/// as is), made unique on the page as GitHub does with `-1`, `-2`; an empty one is `section`. Also works out
/// the id each heading had before (the [`slugify`] of its text, repeats numbered from `-2`).
fn assign_heading_ids(events: &mut Events<'_>) -> HeadingIds {
    // Custom ids are taken first so that a generated id never steals one an author wrote.
    let custom: HashSet<String> = events
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    let mut github = Numbering::new(1, &custom);
    let mut before = Numbering::new(2, &custom);
    let mut ids = HeadingIds {
        headings: Vec::new(),
        old: Vec::new(),
    };
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, id, .. }) = &events[i].0 {
            let level = heading_level(*level);
            let custom = id.clone();
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j].0, Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j].0 {
                    text.push_str(t);
                }
                j += 1;
            }
            let (id, old) = match custom {
                Some(c) => (c.to_string(), c.to_string()),
                None => {
                    let id = github.unique(github_slug(&text));
                    let old = before.unique(slugify(&text));
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i].0 {
                        *slot = Some(CowStr::from(id.clone()));
                    }
                    (id, old)
                }
            };
            ids.headings.push(Heading {
                level,
                id,
                text: text.trim().to_string(),
            });
            ids.old.push(old);
            i = j;
        }
        i += 1;
    }
    ids
}

fn heading_level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Finds the steps of a playbook (see [`Step`]) and turns their `<li>` into
/// `<li class="step" data-step="ID">` with a checkbox the theme's script brings to life. A task-list item's own
/// checkbox becomes the step's checkbox. Steps inside footnotes are left alone. Equal steps are told apart
/// by the id their heading had before heading ids followed GitHub (`old_heading_ids`, one per heading in
/// order), so that their ids, and readers' ticks, stay as they were.
fn mark_steps(
    events: &mut Events<'_>,
    old_heading_ids: &[String],
    roles: &paths::Roles,
) -> Vec<Step> {
    struct Found {
        item: usize,
        marker: Option<(usize, bool)>,
        text: String,
        heading: Option<String>,
    }
    let mut found: Vec<Found> = Vec::new();
    // Kind of each open list (true: ordered), and the list depth of the step being read, if any.
    let mut lists: Vec<bool> = Vec::new();
    let mut in_step: Option<usize> = None;
    let mut footnotes = 0usize;
    let mut heading: Option<String> = None;
    let mut headings_seen = 0usize;
    for i in 0..events.len() {
        match &events[i].0 {
            Event::Start(Tag::Heading { .. }) => {
                heading = old_heading_ids.get(headings_seen).cloned();
                headings_seen += 1;
            }
            Event::Start(Tag::FootnoteDefinition(_)) => footnotes += 1,
            Event::End(TagEnd::FootnoteDefinition) => footnotes = footnotes.saturating_sub(1),
            Event::Start(Tag::List(start)) => lists.push(start.is_some()),
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::End(TagEnd::Item) if in_step == Some(lists.len()) => in_step = None,
            Event::Start(Tag::Item) if footnotes == 0 => {
                // A task marker comes right after the item start, or after its first paragraph start.
                let marker = events[i + 1..]
                    .iter()
                    .take(2)
                    .take_while(|(e, _)| {
                        matches!(e, Event::Start(Tag::Paragraph) | Event::TaskListMarker(_))
                    })
                    .position(|(e, _)| matches!(e, Event::TaskListMarker(_)))
                    .map(|k| i + 1 + k);
                let marker =
                    marker.map(|m| (m, matches!(events[m].0, Event::TaskListMarker(true))));
                // Items nested in a step are part of it, but a task item keeps its own box.
                let ordered = lists.last() == Some(&true) && in_step.is_none();
                if !ordered && marker.is_none() {
                    continue;
                }
                in_step = in_step.or(Some(lists.len()));
                found.push(Found {
                    item: i,
                    marker,
                    text: item_text(&events[i + 1..]),
                    heading: heading.clone(),
                });
            }
            _ => {}
        }
    }
    // A step's id is its slug, cut to STEP_ID_MAX. Steps whose cut slugs are the same but whose texts differ
    // (they begin alike) end in a hash of their whole slug instead, so the order does not decide which is
    // which; steps with the same text are told apart by heading, then number.
    let slugs: Vec<String> = found
        .iter()
        .map(|f| {
            Some(slugify(&f.text))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "step".into())
        })
        .collect();
    let cuts: Vec<String> = slugs.iter().map(|s| cut_slug(s, STEP_ID_MAX)).collect();
    let mut texts_of_cut: HashMap<&str, HashSet<&str>> = HashMap::default();
    for (cut, slug) in cuts.iter().zip(&slugs) {
        texts_of_cut.entry(cut).or_default().insert(slug);
    }
    let bases: Vec<String> = cuts
        .iter()
        .zip(&slugs)
        .map(|(cut, slug)| {
            if texts_of_cut.get(cut.as_str()).is_some_and(|t| t.len() > 1) {
                hashed_step_id(slug)
            } else {
                cut.clone()
            }
        })
        .collect();
    let mut used: HashSet<String> = HashSet::default();
    let mut next_number: HashMap<String, usize> = HashMap::default();
    let mut steps = Vec::with_capacity(found.len());
    let mut labels = Vec::with_capacity(found.len());
    for (f, base) in found.into_iter().zip(bases) {
        let mut id = base.clone();
        if used.contains(&id)
            && let Some(h) = &f.heading
        {
            id = with_suffix(&base, &format!("--{}", cut_slug(h, STEP_ID_MAX / 2)));
        }
        // On from the last number this base took (see the heading ids).
        let n = next_number.entry(base.clone()).or_insert(1);
        while used.contains(&id) {
            *n += 1;
            id = with_suffix(&base, &format!("-{n}"));
        }
        used.insert(id.clone());
        let label = escape_attr(&crate::text::truncate(&f.text, 120));
        let class = if f.marker.is_some() {
            "step task"
        } else {
            "step"
        };
        let li = format!(r#"<li class="{class}" data-step="{}">"#, escape_attr(&id));
        let input = |checked: bool| {
            format!(
                r#"<input type="checkbox" class="step-box" aria-label="{label}"{}>"#,
                if checked { " checked" } else { "" }
            )
        };
        // The box and the step's own sentence go in one <label>, so tapping the text ticks the step.
        labels.push(match f.marker {
            // Disabled until the theme's script enables it, like a task list without script.
            Some((m, checked)) => {
                events[m].0 = Event::Text("".into());
                step_label::Label {
                    at: m,
                    input: input(checked).replace('>', " disabled>"),
                }
            }
            None => step_label::Label {
                at: f.item + 1,
                input: input(false),
            },
        });
        events[f.item].0 = Event::Html(li.into());
        steps.push(Step {
            id,
            text: f.text,
            role: roles.of(f.item),
        });
    }
    step_label::wrap(events, labels);
    steps
}

/// Plain text of a list item from the events after its start: its own sentences, without nested lists,
/// tables, code blocks or quotes (a screen reader reads it as the checkbox's label).
fn item_text(events: &[(Event<'_>, Range<usize>)]) -> String {
    let mut text = String::new();
    let mut nested = 0usize;
    for (e, _) in events {
        match e {
            Event::Start(Tag::List(_) | Tag::Table(_) | Tag::CodeBlock(_) | Tag::BlockQuote(_)) => {
                nested += 1;
            }
            Event::End(
                TagEnd::List(_) | TagEnd::Table | TagEnd::CodeBlock | TagEnd::BlockQuote(_),
            ) => nested = nested.saturating_sub(1),
            Event::End(TagEnd::Item) if nested == 0 => break,
            Event::Text(t) | Event::Code(t) if nested == 0 => text.push_str(t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) if nested == 0 => {
                text.push(' ');
            }
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The slug of a step's text, cut at a word boundary to at most `max` characters.
fn cut_slug(slug: &str, max: usize) -> String {
    if slug.chars().count() <= max {
        return slug.to_string();
    }
    let cut: String = slug.chars().take(max).collect();
    match cut.rfind('-') {
        Some(i) if i >= max / 2 => cut[..i].to_string(),
        _ => cut,
    }
}

/// `base` followed by `suffix`, `base` cut so that the whole has at most [`STEP_ID_MAX`] characters: a step
/// told apart from another with the same text by its heading or a number keeps to the limit too.
fn with_suffix(base: &str, suffix: &str) -> String {
    let room = STEP_ID_MAX.saturating_sub(suffix.chars().count());
    format!("{}{suffix}", cut_slug(base, room))
}

/// A step id for the whole slug `slug` that fits [`STEP_ID_MAX`]: cut shorter, and ending in a short hash of
/// all of it, for steps whose cut slugs alone would be the same.
fn hashed_step_id(slug: &str) -> String {
    use sha2::{Digest, Sha256};
    const HASH: usize = 6;
    let cut = cut_slug(slug, STEP_ID_MAX - HASH - 1);
    let hash = Sha256::digest(slug.as_bytes());
    let hex: String = hash[..HASH / 2]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{cut}-{hex}")
}

/// Values of `id="..."` / `id='...'` attributes in a raw HTML fragment, and of `name="..."` (an old-style
/// `<a name="x">` anchor is a link target too).
fn html_ids(html: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let lower = html.to_ascii_lowercase();
    for attr in ["id=", "name="] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(attr) {
            let at = from + i;
            from = at + attr.len();
            let before = lower[..at].chars().next_back();
            if !matches!(before, Some(c) if c.is_whitespace()) {
                continue;
            }
            let rest = &html[at + attr.len()..];
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(end) = rest[1..].find(quote) {
                ids.push(rest[1..1 + end].to_string());
            }
        }
    }
    ids
}

/// A URL in raw HTML that shirube checks and rewrites: see [`html_urls`].
struct HtmlUrl {
    /// The quoted value.
    value: Range<usize>,
    /// The whole attribute, name to closing quote.
    attr: Range<usize>,
    /// A `src` (an image or other media), not an `<a href>`.
    image: bool,
}

/// The quoted `src` values of `<img>`, `<video>`, `<audio>` and `<source>` tags and the `href` of `<a>` tags in
/// raw HTML, in order, outside comments (`in_comment` says whether `html` starts inside one, and is left
/// saying whether it ends inside one). Values with a character reference (`&amp;`) are left out: they are
/// left as written.
fn html_urls(html: &str, in_comment: &mut bool) -> Vec<HtmlUrl> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    loop {
        // An HTML comment (which may go on over several lines, and events) holds no links.
        if *in_comment {
            match lower[from..].find("-->") {
                Some(i) => {
                    from += i + 3;
                    *in_comment = false;
                }
                None => break,
            }
        }
        let Some(i) = lower[from..].find('<') else {
            break;
        };
        if lower[from + i..].starts_with("<!--") {
            *in_comment = true;
            from += i + 4;
            continue;
        }
        let start = from + i + 1;
        let end = lower[start..].find('>').map_or(lower.len(), |j| start + j);
        from = end;
        let tag = &lower[start..end];
        let name_len = tag
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(tag.len());
        let (attr_name, image) = match &tag[..name_len] {
            "img" | "video" | "audio" | "source" => ("src=", true),
            "a" => ("href=", false),
            _ => continue,
        };
        let mut at = name_len;
        while let Some(j) = tag[at..].find(attr_name) {
            let attr = at + j;
            at = attr + attr_name.len();
            if !tag[..attr].ends_with(|c: char| c.is_ascii_whitespace()) {
                continue;
            }
            let Some(quote) = tag[at..].chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(len) = tag[at + 1..].find(quote) {
                let value = start + at + 1..start + at + 1 + len;
                if !html[value.clone()].contains('&') {
                    found.push(HtmlUrl {
                        attr: start + attr..value.end + 1,
                        value,
                        image,
                    });
                }
            }
        }
    }
    found
}

/// CommonMark does not close `**` after closing punctuation when a letter follows, so `**「重要」**を確認` keeps
/// its asterisks (fixed upstream in pulldown-cmark, not yet released), and in `**「A」**と**「B」**` it pairs
/// the two inner runs instead (`「A」<strong>と</strong>「B」`). In a block of text with a run of `*` left over
/// next to a CJK character, this undoes the emphasis pulldown-cmark made with `*` next to CJK characters and
/// pairs those runs again, taking a run as able to open when no space follows it and to close when no space
/// precedes it.
fn fix_cjk_emphasis(src: &str, events: &mut Events<'_>) {
    let is_cjk = |c: Option<char>| matches!(c, Some(c) if !c.is_ascii() && !c.is_whitespace());
    let is_star = |i: usize, events: &Events<'_>| {
        matches!(&events[i].0, Event::Text(t) if t.as_ref() == "*")
            && is_literal_star(src, &events[i].1)
    };
    // The block of text (paragraph, heading, table cell, link text...) each event is in: emphasis is not one.
    let containers = |events: &Events<'_>| -> Vec<usize> {
        let mut stack = vec![0];
        let mut next = 1;
        events
            .iter()
            .map(|(e, _)| match e {
                Event::Start(Tag::Emphasis | Tag::Strong)
                | Event::End(TagEnd::Emphasis | TagEnd::Strong) => stack[stack.len() - 1],
                Event::Start(_) => {
                    stack.push(next);
                    next += 1;
                    next - 1
                }
                Event::End(_) => {
                    let inner = stack[stack.len() - 1];
                    if stack.len() > 1 {
                        stack.pop();
                    }
                    inner
                }
                _ => stack[stack.len() - 1],
            })
            .collect()
    };
    // Blocks with a leftover `*` next to a CJK character; most pages have none.
    let leftover: Vec<usize> = (0..events.len())
        .filter(|&i| {
            is_star(i, events) && {
                let r = &events[i].1;
                is_cjk(src[..r.start].chars().next_back()) || is_cjk(src[r.end..].chars().next())
            }
        })
        .collect();
    if leftover.is_empty() {
        return;
    }
    let of = containers(events);
    let affected: HashSet<usize> = leftover.into_iter().map(|i| of[i]).collect();
    // Undo emphasis made with `*` in those blocks: its delimiters become `*` text again.
    let star = |at: usize| (Event::Text(CowStr::Borrowed("*")), at..at + 1);
    let stars_at = |at: usize, n: usize| {
        src.get(at..at + n)
            .is_some_and(|d| d.bytes().all(|b| b == b'*'))
    };
    let mut undone = HashSet::default();
    let old = std::mem::take(events);
    for ((e, r), c) in old.into_iter().zip(of) {
        let n = match e {
            Event::Start(Tag::Emphasis) | Event::End(TagEnd::Emphasis) => 1,
            Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) => 2,
            _ => 0,
        };
        let at = if matches!(e, Event::End(_)) {
            r.end.wrapping_sub(n)
        } else {
            r.start
        };
        // Only emphasis with a delimiter next to a CJK character: the rest was paired as CommonMark says.
        let touches_cjk = |at: usize, n: usize| {
            is_cjk(src.get(..at).and_then(|b| b.chars().next_back()))
                || is_cjk(src.get(at + n..).and_then(|a| a.chars().next()))
        };
        // Decided by both delimiters, so that a Start and its End go together (they share their range).
        let near_cjk = r.end >= n && (touches_cjk(r.start, n) || touches_cjk(r.end - n, n));
        if n > 0 && affected.contains(&c) && r.end >= n && stars_at(at, n) && near_cjk {
            for k in 0..n {
                undone.insert(at + k);
                events.push(star(at + k));
            }
        } else {
            events.push((e, r));
        }
    }

    struct Run {
        first: usize,
        count: usize,
        can_open: bool,
        can_close: bool,
        /// Next to a CJK character, or a delimiter of undone emphasis.
        pairable: bool,
        container: usize,
    }
    let of = containers(events);
    let mut runs: Vec<Run> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if !(affected.contains(&of[i]) && is_star(i, events)) {
            i += 1;
            continue;
        }
        let first = i;
        let mut end = events[i].1.end;
        let mut j = i + 1;
        while j < events.len() && is_star(j, events) && events[j].1.start == end && j - first < 3 {
            end = events[j].1.end;
            j += 1;
        }
        let start = events[first].1.start;
        let before = src[..start].chars().next_back();
        let after = src[end..].chars().next();
        runs.push(Run {
            first,
            count: j - first,
            can_open: matches!(after, Some(c) if !c.is_whitespace()),
            can_close: matches!(before, Some(c) if !c.is_whitespace()),
            pairable: is_cjk(before) || is_cjk(after) || undone.contains(&start),
            container: of[first],
        });
        i = j;
    }
    let mut pairs: Vec<(usize, usize, usize)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (k, run) in runs.iter().enumerate() {
        if run.can_close
            && let Some(pos) = open
                .iter()
                .rposition(|&o| runs[o].count == run.count && runs[o].container == run.container)
        {
            let o = open[pos];
            if runs[o].pairable || run.pairable {
                pairs.push((runs[o].first, run.first, run.count));
                open.truncate(pos);
                continue;
            }
        }
        if run.can_open {
            open.push(k);
        }
    }
    // Replace each run with tags; the extra `*` events of a run become empty text.
    for (o, c, count) in pairs {
        let (start, end): (Vec<Event>, Vec<Event>) = match count {
            1 => (
                vec![Event::Start(Tag::Emphasis)],
                vec![Event::End(TagEnd::Emphasis)],
            ),
            2 => (
                vec![Event::Start(Tag::Strong)],
                vec![Event::End(TagEnd::Strong)],
            ),
            _ => (
                vec![Event::Start(Tag::Emphasis), Event::Start(Tag::Strong)],
                vec![Event::End(TagEnd::Strong), Event::End(TagEnd::Emphasis)],
            ),
        };
        for (n, e) in (0..count).zip(start.into_iter().map(Some).chain(std::iter::repeat(None))) {
            events[o + n].0 = e.unwrap_or(Event::Text(CowStr::Borrowed("")));
        }
        for (n, e) in (0..count).zip(end.into_iter().map(Some).chain(std::iter::repeat(None))) {
            events[c + n].0 = e.unwrap_or(Event::Text(CowStr::Borrowed("")));
        }
    }
    events.retain(|(e, _)| !matches!(e, Event::Text(t) if t.is_empty()));
}

/// True when the `*` at `range` is written as a bare asterisk, not `\*`.
fn is_literal_star(src: &str, range: &Range<usize>) -> bool {
    src.get(range.clone()) == Some("*") && !src[..range.start].ends_with('\\')
}

/// Output path (relative to the output root) of an asset at source path `src`.
pub fn asset_output_path(src: &str) -> &str {
    src.strip_prefix("content/").unwrap_or(src)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::url_for;

    #[test]
    fn html_urls_finds_quoted_src_of_media_tags_and_href_of_links_only() {
        let html = "<img src=\"a.png\"> <IMG alt='x' SRC='b.png'> <img data-src=\"no.png\" srcset=\"no.png 2x\"> \
                    <iframe src=\"no.html\"></iframe> <img src=no.png> <img src=\"no?a=1&amp;b=2\"> \
                    <video><source src=\"c.mp4\"></video> <audio src='d.ogg'> <a class=\"x\" href=\"e.md\">e</a> \
                    <link href=\"no.css\"> <abbr href=\"no\">";
        let found: Vec<(&str, &str, bool)> = html_urls(html, &mut false)
            .into_iter()
            .map(|u| (&html[u.value], &html[u.attr], u.image))
            .collect();
        assert_eq!(
            found,
            [
                ("a.png", "src=\"a.png\"", true),
                ("b.png", "SRC='b.png'", true),
                ("c.mp4", "src=\"c.mp4\"", true),
                ("d.ogg", "src='d.ogg'", true),
                ("e.md", "href=\"e.md\"", false),
            ]
        );
        assert!(
            html_urls(
                "<details><summary>src=\"x\"</summary></details>",
                &mut false
            )
            .is_empty()
        );
        // Not in comments, over several lines too.
        let mut in_comment = false;
        assert!(html_urls("<p><!-- <a href=\"x.md\">", &mut in_comment).is_empty() && in_comment);
        assert!(html_urls("<a href=\"y.md\"> -->", &mut in_comment).is_empty() && !in_comment);
        let html = "--> <a href=\"z.md\">";
        let after: Vec<&str> = html_urls(html, &mut true)
            .into_iter()
            .map(|u| &html[u.value])
            .collect();
        assert_eq!(after, ["z.md"]);
    }

    pub(super) fn page(src: &str, body: &str) -> Page {
        Page {
            src: src.into(),
            kind: Kind::Playbook,
            title: "T".into(),
            phase: None,
            tiers: vec![],
            all_tiers: true,
            summary: None,
            minutes: None,
            weight: 0,
            tags: vec![],
            before_kickoff: false,
            requires: vec![],
            draft: false,
            url: url_for(src),
            aliases: Vec::new(),
            body: body.into(),
            body_line: 4,
        }
    }

    pub(super) fn site(pages: &[&Page]) -> SiteIndex {
        SiteIndex {
            base_path: "/guide/".into(),
            origin: "https://x.example".into(),
            pages: pages
                .iter()
                .map(|p| {
                    (
                        p.src.clone(),
                        Target::new(p.url.clone(), p.body.clone(), !p.draft, p.kind == Kind::Faq),
                    )
                })
                .collect(),
            files: ["content/assets/a.svg".to_string()].into_iter().collect(),
            unreadable: Default::default(),
            other_urls: HashSet::default(),
            page_urls: Default::default(),
            suggestions: Default::default(),
            links: Default::default(),
            nfc_paths: Default::default(),
            admonitions: AdmonitionTitles::from_ui(
                &[
                    ("admonition_warning".to_string(), "Warning".to_string()),
                    ("admonition_tip".to_string(), "Tip & trick".to_string()),
                ]
                .into(),
            ),
        }
    }

    #[test]
    fn table_cells_are_counted_before_parsing_as_rows_times_header_columns() {
        fn over(body: &str, max: usize) -> Option<(&str, usize)> {
            too_many_table_cells(body, max).map(|(r, n)| (&body[r], n))
        }
        let table = "| a | b | c |\n|---|:-:|--:|\n| 1 | 2 | 3 |\nx\n\nafter\n";
        // Header, two rows (the short one counts in full): 3 × 3.
        assert_eq!(over(table, 9), None);
        assert_eq!(over(table, 8), Some(("|---|:-:|--:|", 9)));
        // Every table of the page counts, in block quotes and list items too.
        let quoted = format!("> {}\n>\n- {table}", table.replace('\n', "\n> "));
        assert_eq!(over(&quoted, 17).map(|(_, n)| n), Some(18));
        // Not tables: a thematic break, a setext heading, a row of dashes with no `|`.
        assert_eq!(over("a\n---\nb\n\n***\n\n- - -\n", 0), None);
    }

    #[test]
    fn japanese_emphasis_next_to_brackets_is_bold() {
        let p = page(
            "playbooks/a.md",
            "**「重要」**を確認して、*「注意」*も読む。\\*そのまま\\*\n",
        );
        let r = render(&p, &site(&[&p]));
        assert_eq!(
            r.html,
            "<p><strong>「重要」</strong>を確認して、<em>「注意」</em>も読む。*そのまま*</p>\n"
        );
        let p = page("playbooks/a.md", "2 * 3 * 4 and a*b\n");
        assert_eq!(render(&p, &site(&[&p])).html, "<p>2 * 3 * 4 and a*b</p>\n");
        // Two bold phrases in one paragraph: CommonMark pairs the inner `**` (「A」<strong>と</strong>「B」).
        for (md, html) in [
            (
                "**「A」**と**「B」**を選ぶ。",
                "<strong>「A」</strong>と<strong>「B」</strong>を選ぶ。",
            ),
            (
                "設定は**「保存」**ボタンで。**「重要」**です。**English** too, *and* ***this***.",
                "設定は<strong>「保存」</strong>ボタンで。<strong>「重要」</strong>です。<strong>English</strong> too, <em>and</em> <em><strong>this</strong></em>.",
            ),
            // Emphasis CommonMark paired away from CJK characters stays as it was, runs of other lengths too.
            (
                "***x* y** と**「B」**を。",
                "<strong><em>x</em> y</strong> と<strong>「B」</strong>を。",
            ),
            // One block's leftovers are not paired with another's.
            ("**「A」\n\n」**を", "**「A」</p>\n<p>」**を"),
            (
                "[**「リンク」**を](https://x.example/)開く、__「下線」__",
                "<a href=\"https://x.example/\"><strong>「リンク」</strong>を</a>開く、<strong>「下線」</strong>",
            ),
        ] {
            let p = page("playbooks/a.md", &format!("{md}\n"));
            assert_eq!(
                render(&p, &site(&[&p])).html,
                format!("<p>{html}</p>\n"),
                "{md}"
            );
        }
    }

    #[test]
    fn heading_ids_are_unique_and_keep_japanese() {
        let p = page(
            "playbooks/a.md",
            "## 初期設定\n## 初期設定\n## Setup {#setup}\n### Setup\n",
        );
        let r = render(&p, &site(&[&p]));
        let ids: Vec<&str> = r.toc.iter().map(|h| h.id.as_str()).collect();
        // Repeats are numbered as GitHub numbers them, from -1; each keeps its old id (numbered from -2) in an
        // empty anchor.
        assert_eq!(ids, ["初期設定", "初期設定-1", "setup", "setup-1"]);
        assert!(
            r.html
                .contains("<h2 id=\"初期設定-1\"><a id=\"初期設定-2\"></a>初期設定</h2>"),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<h3 id=\"setup-1\"><a id=\"setup-2\"></a>Setup</h3>"),
            "{}",
            r.html
        );
        // Unchanged ids and custom ones get none.
        assert!(
            r.html.contains("<h2 id=\"初期設定\">初期設定</h2>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<h2 id=\"setup\">Setup</h2>"), "{}", r.html);
    }

    #[test]
    fn links_are_rewritten_and_checked() {
        let a = page("playbooks/onboarding/a.md", "## Go {#go}\n");
        let b = page(
            "playbooks/adoption/b.md",
            "[a](../onboarding/a.md#go) ![t](../../content/assets/a.svg)\n\n[x](../onboarding/zz.md) [y](../onboarding/a.md#nope)\n",
        );
        let s = site(&[&a, &b]);
        let r = render(&b, &s);
        assert!(
            r.html
                .contains("href=\"/guide/playbooks/onboarding/a/#go\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("src=\"/guide/assets/a.svg\""), "{}", r.html);
        assert_eq!(r.assets, ["content/assets/a.svg"]);
        let msgs: Vec<String> = r
            .diagnostics
            .iter()
            .map(super::super::diagnostics::Diagnostic::render)
            .collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert_eq!(
            msgs[0],
            "playbooks/adoption/b.md:6:5: error[missing-page]: broken link: \"../onboarding/zz.md\" resolves to playbooks/onboarding/zz.md, which is not a page or file\n 6 | [x](../onboarding/zz.md) [y](../onboarding/a.md#nope)\n   |     ^^^^^^^^^^^^^^^^^^^\n  help: paths are relative to this file; check the folder and the file name\n"
        );
        // A missing anchor is a warning by default (`links: { missing_anchor: warn }`), and the link goes to
        // the page.
        assert!(msgs[1].starts_with("playbooks/adoption/b.md:6:30: warning[missing-anchor]: broken link: playbooks/onboarding/a.md has no heading with id \"nope\""), "{}", msgs[1]);
        assert!(
            r.html
                .contains("href=\"/guide/playbooks/onboarding/a/#nope\""),
            "{}",
            r.html
        );
    }

    #[test]
    fn links_in_raw_html_are_rewritten_and_checked() {
        let a = page("playbooks/onboarding/a.md", "A.\n");
        let mut hidden = page("playbooks/onboarding/hidden.md", "H.\n");
        hidden.draft = true;
        let b = page(
            "playbooks/onboarding/b.md",
            "<details><summary>More</summary>\n<a href=\"a.md\">a</a> <a title=\"t\" href=\"../../content/assets/a.svg\">file</a> <a href=\"hidden.md\" class=\"x\">hidden</a> <a href=\"zz.md\">zz</a>\n</details>\n",
        );
        let s = site(&[&a, &hidden, &b]);
        let r = render(&b, &s);
        assert_eq!(
            r.html,
            "<details><summary>More</summary>\n<a href=\"/guide/playbooks/onboarding/a/\">a</a> <a title=\"t\" href=\"/guide/assets/a.svg\">file</a> <a class=\"x\">hidden</a> <a href=\"zz.md\">zz</a>\n</details>\n"
        );
        assert_eq!(r.assets, ["content/assets/a.svg"]);
        let msgs: Vec<String> = r
            .diagnostics
            .iter()
            .map(super::super::diagnostics::Diagnostic::render)
            .collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs[0].starts_with("playbooks/onboarding/b.md:5:87: warning[link-to-unpublished]: link to playbooks/onboarding/hidden.md, which is not published in this build\n"),
            "{}",
            msgs[0]
        );
        assert!(
            msgs[1].starts_with("playbooks/onboarding/b.md:5:128: error[missing-page]: broken link: \"zz.md\" resolves to playbooks/onboarding/zz.md"),
            "{}",
            msgs[1]
        );
    }

    #[test]
    fn a_relative_link_into_static_says_where_the_file_is_published() {
        let b = page(
            "content/guide/b.md",
            "[terms](../../static/files/terms.pdf)\n",
        );
        let mut s = site(&[&b]);
        s.other_urls.insert("files/terms.pdf".into());
        let r = render(&b, &s);
        let msgs: Vec<String> = r
            .diagnostics
            .iter()
            .map(super::super::diagnostics::Diagnostic::render)
            .collect();
        assert_eq!(
            msgs,
            [
                "content/guide/b.md:4:9: error[missing-page]: broken link: \"../../static/files/terms.pdf\" resolves to static/files/terms.pdf, which is not a page or file\n 4 | [terms](../../static/files/terms.pdf)\n   |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  help: static/ files are published at the site root: link to \"/files/terms.pdf\"\n"
            ]
        );
    }

    #[test]
    fn file_names_with_reserved_characters_are_escaped_in_urls() {
        let b = page(
            "content/b.md",
            "![p](assets/50%25%20off%231.png) <img src=\"assets/50%25%20off%231.png\">\n",
        );
        let mut s = site(&[&b]);
        s.files.insert("content/assets/50% off#1.png".into());
        let r = render(&b, &s);
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(
            r.html,
            "<p><img src=\"/guide/assets/50%25%20off%231.png\" alt=\"p\" /> <img src=\"/guide/assets/50%25 off%231.png\"></p>\n"
        );
    }

    #[test]
    fn site_absolute_links_go_under_the_base_path_or_are_broken() {
        let a = page("playbooks/onboarding/a.md", "## Go {#go}\n");
        let guide = page("content/guide/x.md", "X.\n");
        let b = page(
            "playbooks/adoption/b.md",
            "[a](/playbooks/onboarding/a/) [a](/playbooks/onboarding/a#go) [x](/guide/guide/x/) [z](/playbooks/zz/)\n\n[n](/guide/y/) [h](/playbooks/onboarding/a/#main) [css](/style.css) [f](/guide/files/x.pdf)\n",
        );
        let mut s = site(&[&a, &guide, &b]);
        s.other_urls.insert("style.css".into());
        let r = render(&b, &s);
        assert!(
            r.html.contains("<a href=\"/guide/playbooks/onboarding/a/\">a</a> <a href=\"/guide/playbooks/onboarding/a#go\">a</a> <a href=\"/guide/guide/x/\">x</a>"),
            "{}",
            r.html
        );
        // Beginning with the base path, it may be another part of the host; anchors may be the templates'
        // ids: taken as written. The theme's files are known.
        assert!(
            r.html.contains("<a href=\"/guide/y/\">n</a> <a href=\"/guide/playbooks/onboarding/a/#main\">h</a> <a href=\"/guide/style.css\">css</a> <a href=\"/guide/files/x.pdf\">f</a>"),
            "{}",
            r.html
        );
        let msgs: Vec<String> = r
            .diagnostics
            .iter()
            .map(super::super::diagnostics::Diagnostic::render)
            .collect();
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(
            msgs[0].starts_with(
                "playbooks/adoption/b.md:4:88: error[missing-page]: broken link: nothing is published at \"/playbooks/zz/\"\n"
            ),
            "{}",
            msgs[0]
        );
    }

    #[test]
    fn site_absolute_links_to_unpublished_pages_are_not_links() {
        let mut hidden = page("playbooks/adoption/hidden.md", "H.\n");
        hidden.draft = true;
        let mut faq = page("content/faq/export-data.md", "F.\n");
        faq.kind = Kind::Faq;
        faq.draft = true;
        let b = page(
            "playbooks/adoption/b.md",
            "[u](/playbooks/adoption/hidden/) and [f](/faq/#export-data) and [g](/guide/playbooks/adoption/hidden/)\n",
        );
        let mut s = site(&[&hidden, &faq, &b]);
        s.other_urls.insert("faq/".into());
        let r = render(&b, &s);
        assert!(!r.html.contains("hidden"), "{}", r.html);
        assert!(!r.html.contains("export-data"), "{}", r.html);
        let msgs: Vec<String> = r
            .diagnostics
            .iter()
            .map(super::super::diagnostics::Diagnostic::render)
            .collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(
            msgs[0].starts_with("playbooks/adoption/b.md:4:5: warning[link-to-unpublished]: link to playbooks/adoption/hidden.md (at \"/playbooks/adoption/hidden/\"), which is not published in this build\n"),
            "{}",
            msgs[0]
        );
        assert!(
            msgs[1].starts_with("playbooks/adoption/b.md:4:42: warning[link-to-unpublished]: link to content/faq/export-data.md (on the FAQ page), which is not published in this build\n"),
            "{}",
            msgs[1]
        );
        assert!(msgs[2].contains("warning[link-to-unpublished]: link to playbooks/adoption/hidden.md (at \"/guide/playbooks/adoption/hidden/\")"), "{}", msgs[2]);
    }

    #[test]
    fn full_urls_into_the_guide_and_faq_questions_are_checked() {
        let mut hidden = page("playbooks/adoption/hidden.md", "H.\n");
        hidden.draft = true;
        let intro = page("content/faq/index.md", "Intro.\n");
        let mut faq = page("content/faq/reset.md", "F.\n");
        faq.kind = Kind::Faq;
        let b = page(
            "playbooks/adoption/b.md",
            "[u](https://X.example/guide/playbooks/adoption/hidden/) [o](https://x.example/other/) [f](/faq/#reset) [z](https://x.example/guide/style.css) [g](/faq/#group-onboarding)\n",
        );
        let s = site(&[&hidden, &intro, &faq, &b]);
        let r = render(&b, &s);
        assert!(!r.html.contains("hidden"), "{}", r.html);
        assert!(
            r.html.contains(
                "<a href=\"https://x.example/other/\">o</a> <a href=\"/guide/faq/#reset\">f</a> <a href=\"https://x.example/guide/style.css\">z</a> <a href=\"/guide/faq/#group-onboarding\">g</a>"
            ),
            "{}",
            r.html
        );
        let msgs: Vec<String> = r
            .diagnostics
            .iter()
            .map(super::super::diagnostics::Diagnostic::render)
            .collect();
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(
            msgs[0].starts_with("playbooks/adoption/b.md:4:5: warning[link-to-unpublished]: link to playbooks/adoption/hidden.md (at \"https://X.example/guide/playbooks/adoption/hidden/\"), which is not published in this build\n"),
            "{}",
            msgs[0]
        );
    }

    #[test]
    fn admonitions_tables_and_placeholders() {
        let p = page(
            "content/a.md",
            "> [!WARNING]\n> Careful.\n\n| a |\n|---|\n| 1 |\n\n```\n{{ name }}\n```\n\n```sh title\n<a> & b\n```\n",
        );
        let r = render(&p, &site(&[&p]));
        assert!(r.html.starts_with("<aside class=\"admonition warning\">\n<p class=\"admonition-title\">Warning</p>\n<p>Careful.</p>\n</aside>\n<div class=\"table-wrap\" tabindex=\"0\">\n<table>"), "{}", r.html);
        // Titles are the theme's UI strings, escaped; a missing one shows its key.
        let p2 = page("content/a.md", "> [!TIP]\n> a\n\n> [!NOTE]\n> b\n");
        let titled = render(&p2, &site(&[&p2])).html;
        assert!(
            titled.contains("<p class=\"admonition-title\">Tip &amp; trick</p>"),
            "{titled}"
        );
        assert!(
            titled.contains("<p class=\"admonition-title\">admonition_note</p>"),
            "{titled}"
        );
        // Tables and code blocks scroll sideways on a phone: the keyboard can reach them.
        assert!(
            r.html.ends_with("</div>\n<pre tabindex=\"0\"><code>{{ name }}\n</code></pre>\n<pre tabindex=\"0\"><code class=\"language-sh\">&lt;a&gt; &amp; b\n</code></pre>\n"),
            "{}",
            r.html
        );
    }

    #[test]
    fn raw_html_is_not_text() {
        let p = page(
            "content/a.md",
            "<style>p{}</style>\n\nHello <b id=\"x\">world</b>\n\n<script>alert(1)</script>\n",
        );
        let r = render(&p, &site(&[&p]));
        assert!(!r.text.contains("alert"));
        assert!(!r.text.contains("p{}"));
        assert!(r.text.contains("Hello"));
        assert!(anchors(&p.body).ids.contains("x"));
        assert!(
            anchors("<a name=\"old-anchor\"></a>\n")
                .ids
                .contains("old-anchor")
        );
    }

    #[test]
    fn sections_hold_the_text_under_each_heading() {
        let p = page(
            "content/a.md",
            "Intro.\n\n## SSOの設定 {#sso}\n\nOkta か Entra ID。\n\n### Okta\n\nApps.\n",
        );
        let r = render(&p, &site(&[&p]));
        let got: Vec<(&str, &str)> = r
            .sections
            .iter()
            .map(|s| (s.heading.id.as_str(), r.text[s.text.clone()].trim()))
            .collect();
        assert_eq!(got, [("sso", "Okta か Entra ID。"), ("okta", "Apps.")]);
        assert_eq!(
            r.text[..r.sections[0].text.start].trim(),
            "Intro.\nSSOの設定"
        );
    }

    fn steps_of(body: &str) -> (Vec<String>, String) {
        let p = page("playbooks/a.md", body);
        let r = render(&p, &site(&[&p]));
        (r.steps.into_iter().map(|s| s.id).collect(), r.html)
    }

    #[test]
    fn ordered_and_task_items_are_steps_with_ids_from_their_text() {
        let body = "## Okta\n\n1. Open **Settings**.\n2. Copy the `Metadata URL`.\n   - a detail\n   1. a sub-step\n\n- a bullet\n- [ ] Tell your team\n- [x] Done already\n\n## Entra\n\n1. Open **Settings**.\n1. Open **Settings**.\n\n[^n]: 1. not a step\n";
        let (ids, html) = steps_of(body);
        assert_eq!(
            ids,
            [
                "open-settings",
                "copy-the-metadata-url",
                "tell-your-team",
                "done-already",
                "open-settings--entra",
                "open-settings-2",
            ]
        );
        assert!(
            html.contains(r#"<li class="step" data-step="open-settings"><label class="step-label"><input type="checkbox" class="step-box" aria-label="Open Settings.">Open <strong>Settings</strong>.</label></li>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<li class="step task" data-step="done-already"><label class="step-label"><input type="checkbox" class="step-box" aria-label="Done already" checked disabled>Done already</label></li>"#),
            "{html}"
        );
        // Nested items belong to their step; bullets are not steps.
        assert!(html.contains("<li>a sub-step</li>"), "{html}");
        assert!(html.contains("<li>a bullet</li>"), "{html}");
    }

    #[test]
    fn a_step_is_labelled_by_its_own_sentences_and_nested_tasks_are_steps() {
        let body = "1. Choose how leave is earned:\n\n   | Accrual | Up front |\n   |---|---|\n   | monthly | yearly |\n\n   ```\n   code\n   ```\n\n   Then save.\n   - [ ] Confirm the email.\n";
        let (ids, html) = steps_of(body);
        assert_eq!(
            ids,
            ["choose-how-leave-is-earned-then-save", "confirm-the-email"]
        );
        assert!(
            html.contains(r#"aria-label="Choose how leave is earned: Then save.">Choose how leave is earned:</label></p>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<li class="step task" data-step="confirm-the-email"><label class="step-label"><input type="checkbox" class="step-box" aria-label="Confirm the email." disabled>Confirm the email.</label></li>"#),
            "{html}"
        );
    }

    #[test]
    fn step_ids_survive_an_inserted_step() {
        let (before, _) = steps_of("1. Invite admins\n2. Connect SSO\n3. Import employees\n");
        let (after, _) = steps_of(
            "1. Invite admins\n2. Check your licence\n3. Connect SSO\n4. Import employees\n",
        );
        for id in &before {
            assert!(after.contains(id), "{id} lost: {after:?}");
        }
        let (ja, _) = steps_of("1. **設定**画面を開く\n2. 「保存」を押す\n");
        assert_eq!(ja, ["設定画面を開く", "保存-を押す"]);
        let (long, _) = steps_of(&format!("1. {}\n", "word ".repeat(30)));
        assert!(long[0].chars().count() <= STEP_ID_MAX && !long[0].ends_with('-'));
        // Steps that begin alike keep their ids when they swap places.
        let okta =
            "In the admin console, go to Settings and then Single sign-on, and sign in with Okta.";
        let entra =
            "In the admin console, go to Settings and then Single sign-on, and sign in with Entra.";
        let (one, _) = steps_of(&format!("1. {okta}\n2. {entra}\n"));
        let (two, _) = steps_of(&format!("1. {entra}\n2. {okta}\n"));
        assert_ne!(one[0], one[1]);
        assert_eq!(
            (one[0].as_str(), one[1].as_str()),
            (two[1].as_str(), two[0].as_str())
        );
        assert!(
            one.iter().all(|id| id.chars().count() <= STEP_ID_MAX),
            "{one:?}"
        );
        assert!(
            one[0].starts_with("in-the-admin-console-go-to-settings-"),
            "{one:?}"
        );
        // Other kinds have no steps.
        let mut p = page("content/faq/a.md", "1. one\n");
        p.kind = Kind::Faq;
        let r = render(&p, &site(&[&p]));
        assert!(r.steps.is_empty() && r.html.contains("<li>one</li>"));
    }

    #[test]
    fn equal_steps_are_told_apart_by_the_old_heading_ids() {
        // Step ids are what readers' ticks are saved under: they keep the heading ids of before GitHub's
        // (`em-ps-transition`, `q-a`, repeats from -2), whatever the headings' ids are now.
        let (ids, html) = steps_of(
            "## EM>PS Transition\n\n1. Open Settings.\n\n## Q&A\n\n1. Open Settings.\n\n\
             ## Q&A\n\n1. Open Settings.\n\n## snake_case\n\n- [ ] Open Settings.\n",
        );
        assert_eq!(
            ids,
            [
                "open-settings",
                "open-settings--q-a",
                "open-settings--q-a-2",
                "open-settings--snake-case"
            ]
        );
        assert!(
            html.contains("<h2 id=\"qa-1\"><a id=\"q-a-2\"></a>Q&amp;A</h2>"),
            "{html}"
        );
    }

    #[test]
    fn step_ids_told_apart_keep_to_the_limit() {
        // Found by `cargo fuzz run markdown`: the same 48-character step twice, the second numbered past the
        // limit (`...-for-each-admin-2`, 50 characters).
        let (ids, _) = steps_of(
            "4. Select **Send invitation** and repeat for each admin.\n\n4. Select **Send invitation** and repeat for each admin./\n",
        );
        assert_eq!(
            ids,
            [
                "select-send-invitation-and-repeat-for-each-admin",
                "select-send-invitation-and-repeat-for-each-2",
            ]
        );
        // Told apart by a long heading, then numbered.
        let step = "1. Select **Send invitation** and repeat for each admin.\n";
        let heading = format!("## {}\n", "A long heading ".repeat(6));
        let (ids, _) = steps_of(&format!("{step}\n{heading}\n{step}\n{step}\n"));
        assert_eq!(ids.len(), 3);
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 3, "{ids:?}");
        assert!(
            ids.iter().all(|id| id.chars().count() <= STEP_ID_MAX),
            "{ids:?}"
        );
    }

    #[test]
    fn paths_join() {
        assert_eq!(
            join_path("playbooks/a", "../b/c.md").as_deref(),
            Some("playbooks/b/c.md")
        );
        assert_eq!(join_path("content", "../../x"), None);
        assert_eq!(
            relative_from("playbooks/adoption", "playbooks/onboarding/a.md"),
            "../onboarding/a.md"
        );
    }
}
