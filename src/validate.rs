//! Validation: front matter → typed [`Page`]s, URLs, and checks across pages.
//!
//! Each file is read on its own (in parallel): unknown keys are warnings, bad values are errors pointing at the
//! value. Then checks that need every page run once: duplicate output paths (including the pages shirube
//! generates itself) and `requires` that point at nothing.

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Lines, PathSuggestions, did_you_mean};
use crate::load::{SourceDoc, Sources};
use crate::model::{Kind, MAX_MINUTES, Page, SCAFFOLD_TEXTS, parse_minutes};
use crate::requires::{self, on_kickoff_path, resolve_require};
use crate::routes::{
    FAQ_URL, HOME_URL, KICKOFF_URL, SEARCH_URL, default_kind, is_intro_path, phase_url, tier_url,
    url_for,
};
use crate::slug::slugify;
use crate::yaml::{self, Embedded};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

mod quick;
use crate::HashMap;
use std::fmt;

/// Front matter keys shirube reads. Anything else is a warning.
pub const KNOWN_KEYS: [&str; 15] = [
    "title",
    "kind",
    "phase",
    "tier",
    "summary",
    "description",
    "time",
    "weight",
    "tags",
    "before_kickoff",
    "requires",
    "draft",
    "slug",
    "aliases",
    "proof",
];

/// The checks that need every page at once: output paths taken twice, and `requires` that point at nothing.
/// The validate stage is [`read_page`] on each document, then this (see `pipeline::Session`, which reads again
/// only the documents that changed).
pub fn check_site(pages: &[&Page], sources: &Sources, config: &Config) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    check_urls(pages, sources, config, &mut diags);
    check_requires(pages, sources, &mut diags);
    diags.extend(check_cycles(pages, sources));
    diags
}

/// The errors for `requires` that leave no order: cycles on the kickoff path, then pages in any other cycle.
/// Part of [`check_site`]; also what a build says if its kickoff path has no order.
pub fn check_cycles(pages: &[&Page], sources: &Sources) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    check_kickoff_cycles(pages, sources, &mut diags);
    check_require_cycles(pages, sources, &mut diags);
    diags
}

/// A front matter value and where it starts: line (1-based, counted in the front matter) and column (1-based,
/// in characters), as serde-saphyr reports them.
#[derive(Debug, PartialEq)]
struct At<T> {
    value: T,
    line: usize,
    col: usize,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for At<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<T>::deserialize(d)?;
        Ok(At {
            value: s.value,
            line: s.referenced.line() as usize,
            col: s.referenced.column() as usize,
        })
    }
}

impl<T> At<T> {
    /// Line and column in the whole file.
    fn position(&self, at: Embedded<'_>) -> (usize, usize) {
        yaml::shift(self.line, self.col, at)
    }
}

/// A string, or a list of strings, each with its position (line and column in the front matter) when YAML
/// gives one.
#[derive(Debug, Default, PartialEq)]
struct StrList(Vec<(String, Option<(usize, usize)>)>);

impl<'de> Deserialize<'de> for StrList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value or a list of values")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StrList, E> {
                Ok(StrList(vec![(v.to_string(), None)]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrList, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<At<String>>()? {
                    out.push((item.value, Some((item.line, item.col))));
                }
                Ok(StrList(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<StrList, E> {
                Ok(StrList(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A scalar read as text: `20m`, `45`, `1.5`.
#[derive(Debug, PartialEq)]
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as 20m or 1h 30m")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// The keys of a mapping, with positions, values skipped: which keys are there, when [`Front`] could not be
/// read, so that unknown keys are still reported beside the error.
struct Keys(Vec<At<String>>);

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Keys;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("front matter as `key: value` lines")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = map.next_key::<At<String>>()? {
                    map.next_value::<IgnoredAny>()?;
                    keys.push(k);
                }
                Ok(Keys(keys))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Keys, E> {
                Ok(Keys(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// The values shirube reads from front matter, and the keys it does not know (for warnings), in one pass.
#[derive(Debug, Default, PartialEq)]
struct Front {
    title: Option<At<String>>,
    kind: Option<At<String>>,
    phase: Option<At<String>>,
    tier: Option<At<StrList>>,
    summary: Option<String>,
    description: Option<String>,
    time: Option<At<Scalar>>,
    weight: Option<i64>,
    tags: Option<StrList>,
    before_kickoff: Option<bool>,
    requires: Option<At<StrList>>,
    draft: Option<bool>,
    slug: Option<At<String>>,
    aliases: Option<At<StrList>>,
    /// Keys not in [`KNOWN_KEYS`], with their positions.
    unknown: Vec<At<String>>,
}

impl<'de> Deserialize<'de> for Front {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Front;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("front matter as `key: value` lines")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Front, A::Error> {
                let mut f = Front::default();
                while let Some(k) = map.next_key::<At<String>>()? {
                    // Keep in step with KNOWN_KEYS (a unit test checks).
                    match k.value.as_str() {
                        "title" => f.title = map.next_value()?,
                        "kind" => f.kind = map.next_value()?,
                        "phase" => f.phase = map.next_value()?,
                        "tier" => f.tier = map.next_value()?,
                        "summary" => f.summary = map.next_value()?,
                        "description" => f.description = map.next_value()?,
                        "time" => f.time = map.next_value()?,
                        "weight" => f.weight = map.next_value()?,
                        "tags" => f.tags = map.next_value()?,
                        "before_kickoff" => f.before_kickoff = map.next_value()?,
                        "requires" => f.requires = map.next_value()?,
                        "draft" => f.draft = map.next_value()?,
                        "slug" => f.slug = map.next_value()?,
                        "aliases" => f.aliases = map.next_value()?,
                        // Known (no warning) but not read.
                        "proof" => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            f.unknown.push(k);
                        }
                    }
                }
                Ok(f)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Front, E> {
                Ok(Front::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// The warning for a front matter key shirube does not read; `lines` are the document's (found once: a page
/// moved from another tool can have hundreds of such keys).
fn unknown_key(doc: &SourceDoc, lines: &Lines, at: Embedded<'_>, k: &At<String>) -> Diagnostic {
    let (line, col) = k.position(at);
    let help = match did_you_mean(&k.value, KNOWN_KEYS) {
        Some(s) => format!("did you mean \"{s}\"?"),
        None => "shirube ignores this key; remove it if you do not need it".to_string(),
    };
    Diagnostic::warning(
        &doc.path,
        format!("unknown front matter key \"{}\"", k.value),
    )
    .code("unknown-key")
    .at_in(lines, line, col, k.value.chars().count())
    .with_help(help)
}

/// For the fuzz target `front_matter` (`fuzz/`), not the pipeline: reads `yaml` (front matter without its `---`
/// lines) with the fast reader ([`quick`]) and, when it takes it, with serde-saphyr too. `Ok` says whether the
/// fast reader took it; `Err` says how the two readings differ, which is a bug.
#[doc(hidden)]
pub fn quick_reader_agrees(yaml: &str) -> Result<bool, String> {
    let Some(fast) = quick::front(yaml) else {
        return Ok(false);
    };
    let at = Embedded {
        path: "a.md",
        file: yaml,
        line_offset: 0,
    };
    match yaml::parse::<Front>(yaml, at) {
        Ok(slow) if slow == fast => Ok(true),
        Ok(slow) => Err(format!("fast reader: {fast:?}\nserde-saphyr: {slow:?}")),
        Err(d) => Err(format!(
            "the fast reader took what serde-saphyr rejects ({}): {fast:?}",
            d.message
        )),
    }
}

/// The longest part of an output path shirube writes, in bytes: file systems allow 255 per name, and a page's
/// folder holds `index.html` and shirube's temporary names (`.index.html.shirube-new`) beside it.
const MAX_SEGMENT_BYTES: usize = 200;

/// Reads one document's front matter into a [`Page`], with every problem found in it. The page is returned
/// even with errors, so that its links and requires are checked in the same run.
pub fn read_page(doc: &SourceDoc, config: &Config) -> (Option<Page>, Vec<Diagnostic>) {
    let mut r = PageReader::new(doc, config);
    let Some(mut front) = r.front() else {
        return (None, r.diags);
    };
    let title = r.title(&front);
    let is_intro = is_intro_path(&doc.path);
    let kind = r.kind(&front);
    let phase = r.phase(&front, kind, is_intro);
    let (tiers, all_tiers) = r.tiers(&front);
    let minutes = r.minutes(&front);
    let summary = match (front.summary.take(), front.description.take()) {
        (Some(s), _) => Some(s),
        (None, Some(d)) => Some(d),
        (None, None) => None,
    }
    .map(|s| s.trim().to_string())
    .filter(|s| !s.is_empty());
    let requires = r.requires(front.requires.take());
    let url = r.url(&front, is_intro);
    let aliases = r.aliases(front.aliases.take(), &url);
    if r.broken {
        return (None, r.diags);
    }
    r.scaffold_text();
    // A page with front matter errors is still returned, so that its links and requires are checked in the
    // same run; the build stops before writing anything because the errors are there.
    let page = Page {
        src: doc.path.clone(),
        kind: if is_intro { Kind::Page } else { kind },
        title,
        phase,
        tiers,
        all_tiers,
        summary,
        minutes,
        weight: front.weight.unwrap_or(0),
        tags: front
            .tags
            .map(|t| t.0.into_iter().map(|(s, _)| s).collect())
            .unwrap_or_default(),
        before_kickoff: front.before_kickoff.unwrap_or(false),
        requires,
        draft: front.draft.unwrap_or(false),
        url,
        aliases,
        body: doc.body().into(),
        body_line: doc.body_line,
    };
    (Some(page), r.diags)
}

/// An alias as a URL relative to the base path: `/old/sso/` → `old/sso/`, `/old/sso.html` → `old/sso.html`;
/// `Err` with what is wrong.
pub fn alias_url(alias: &str) -> Result<String, &'static str> {
    let Some(rest) = alias.strip_prefix('/') else {
        return Err("does not start with /");
    };
    if rest.is_empty() {
        return Err("is the home page");
    }
    if alias.contains(['?', '#', '\\', ' ']) || alias.chars().any(char::is_control) {
        return Err("holds a space, ?, #, \\ or a control character");
    }
    if rest
        .split('/')
        .any(|seg| seg == "." || seg == ".." || (seg.is_empty()))
        && !rest.ends_with('/')
    {
        return Err("has an empty, . or .. part");
    }
    let trimmed = rest.strip_suffix('/').unwrap_or(rest);
    if trimmed
        .split('/')
        .any(|seg| seg.is_empty() || seg == "." || seg == "..")
    {
        return Err("has an empty, . or .. part");
    }
    if trimmed.split('/').any(|seg| seg.len() > MAX_SEGMENT_BYTES) {
        return Err("has a part too long for a file name");
    }
    if rest.ends_with('/') || rest.ends_with(".html") {
        Ok(rest.to_string())
    } else {
        Ok(format!("{rest}/"))
    }
}

/// Reads one document's front matter into the fields of a [`Page`], collecting every problem.
struct PageReader<'a> {
    doc: &'a SourceDoc,
    config: &'a Config,
    /// Where the front matter sits in the file, for positions.
    at: Embedded<'a>,
    diags: Vec<Diagnostic>,
    /// When a value could not be read (each such has its error), the keys written: a key whose value was left
    /// out is not also called missing, and the page is not returned.
    present: Vec<String>,
    broken: bool,
}

impl<'a> PageReader<'a> {
    fn new(doc: &'a SourceDoc, config: &'a Config) -> Self {
        let line_offset = doc.front.as_ref().map_or(0, |(_, o)| *o);
        PageReader {
            doc,
            config,
            at: Embedded {
                path: &doc.path,
                file: &doc.text,
                line_offset,
            },
            diags: Vec::new(),
            present: Vec::new(),
            broken: false,
        }
    }

    fn error_at(
        &self,
        code: &'static str,
        (line, col): (usize, usize),
        len: usize,
        msg: String,
    ) -> Diagnostic {
        Diagnostic::error(&self.doc.path, msg)
            .code(code)
            .at(&self.doc.text, line, col, len)
    }

    /// The front matter's values; `None` when not even its keys can be read.
    fn front(&mut self) -> Option<Front> {
        let (doc, at) = (self.doc, self.at);
        let yaml_text = doc.front.as_ref().map_or("", |(y, _)| y.as_str());
        let parsed = match quick::front(yaml_text) {
            Some(front) => Ok(front),
            None => yaml::parse(yaml_text, at),
        };
        let front: Front = match parsed {
            Ok(f) => f,
            Err(d) => {
                // Read the keys alone: a YAML syntax error is the one to report (reading values can stop earlier,
                // at a value of the wrong type); otherwise the value's error, with the unknown keys.
                match yaml::parse::<Keys>(yaml_text, at) {
                    Ok(keys) => {
                        let lines = Lines::new(&doc.text);
                        let unknown = keys
                            .0
                            .iter()
                            .filter(|k| !KNOWN_KEYS.contains(&k.value.as_str()));
                        self.diags
                            .extend(unknown.map(|k| unknown_key(doc, &lines, at, k)));
                        // Every bad value, not only the first one serde stopped at; then the checks below on the
                        // values that could be read, for their mistakes too. The page is not returned.
                        let (partial, each) = yaml::parse_each_error::<Front>(yaml_text, at, false);
                        if each.is_empty() {
                            self.diags.push(d);
                        } else {
                            self.diags.extend(each);
                        }
                        let mut partial = partial?;
                        partial.unknown.clear(); // reported above
                        self.present = keys.0.into_iter().map(|k| k.value).collect();
                        self.broken = true;
                        partial
                    }
                    Err(syntax) => {
                        self.diags.push(syntax);
                        return None;
                    }
                }
            }
        };
        if !front.unknown.is_empty() {
            let lines = Lines::new(&doc.text);
            self.diags.extend(
                front
                    .unknown
                    .iter()
                    .map(|k| unknown_key(doc, &lines, at, k)),
            );
        }

        Some(front)
    }

    fn title(&mut self, front: &Front) -> String {
        match &front.title {
            Some(t) if !t.value.trim().is_empty() => t.value.trim().to_string(),
            Some(t) => {
                self.diags.push(
                    self.error_at(
                        "empty-title",
                        t.position(self.at),
                        1,
                        "title is empty".into(),
                    )
                    .with_help("write the page title after `title:`"),
                );
                String::new()
            }
            None if self.present.iter().any(|k| k == "title") => String::new(),
            None => {
                let d = Diagnostic::error(&self.doc.path, "missing required key \"title\"")
                    .code("missing-key");
                let d = if self.doc.front.is_some() {
                    d.at(&self.doc.text, 1, 1, 3)
                        .with_help("add a line `title: ...` to the front matter")
                } else {
                    d.at(&self.doc.text, 1, 1, 1)
                            .with_help("start the file with front matter:\n        ---\n        title: ...\n        ---")
                };
                self.diags.push(d);
                String::new()
            }
        }
    }

    fn kind(&mut self, front: &Front) -> Kind {
        let folder_kind = default_kind(&self.doc.path);
        match &front.kind {
            None => folder_kind,
            Some(k) => match k.value.as_str() {
                "playbook" => Kind::Playbook,
                "faq" => Kind::Faq,
                "page" => Kind::Page,
                other => {
                    self.diags.push(
                        self.error_at(
                            "unknown-kind",
                            k.position(self.at),
                            other.chars().count(),
                            format!("unknown kind \"{other}\""),
                        )
                        .with_help(
                            match did_you_mean(other, ["playbook", "faq", "page"]) {
                                Some(s) => format!("did you mean \"{s}\"?"),
                                None => "use one of: playbook, faq, page".into(),
                            },
                        ),
                    );
                    folder_kind
                }
            },
        }
    }

    fn phase(&mut self, front: &Front, kind: Kind, is_intro: bool) -> Option<usize> {
        match &front.phase {
            Some(p) => match self.config.phase_index(&p.value) {
                Some(i) => Some(i),
                None => {
                    self.diags.push(
                        self.error_at(
                            "unknown-phase",
                            p.position(self.at),
                            p.value.chars().count(),
                            format!("unknown phase \"{}\"", p.value),
                        )
                        .with_help(self.config.unknown_phase_help(&p.value)),
                    );
                    None
                }
            },
            None if matches!(kind, Kind::Playbook | Kind::Faq)
                && !is_intro
                && self.doc.front.is_some()
                && !self.present.iter().any(|k| k == "phase") =>
            {
                let ids: Vec<&str> = self.config.phases.iter().map(|p| p.id.as_str()).collect();
                self.diags.push(
                    Diagnostic::error(
                        &self.doc.path,
                        format!(
                            "missing required key \"phase\" (every {} needs one)",
                            kind.id()
                        ),
                    )
                    .code("missing-key")
                    .at(&self.doc.text, 1, 1, 3)
                    .with_help(format!(
                        "add a line `phase: {}` (one of: {})",
                        ids[0],
                        ids.join(", ")
                    )),
                );
                None
            }
            None => None,
        }
    }

    fn tiers(&mut self, front: &Front) -> (Vec<usize>, bool) {
        let all_tier_ids: Vec<usize> = (0..self.config.tiers.len()).collect();
        match &front.tier {
            None => (all_tier_ids.clone(), true),
            Some(list) if list.value.0.len() == 1 && list.value.0[0].0 == "all" => {
                (all_tier_ids.clone(), true)
            }
            Some(list) => {
                let mut found = Vec::new();
                for (id, loc) in &list.value.0 {
                    match self.config.tier_index(id) {
                        Some(i) => found.push(i),
                        None => {
                            let pos = match loc {
                                Some((line, col)) => (line + self.at.line_offset, (*col).max(1)),
                                None => list.position(self.at),
                            };
                            let code = if id == "all" {
                                "tier-all-combined"
                            } else {
                                "unknown-tier"
                            };
                            let msg = if id == "all" {
                                "\"all\" cannot be combined with other tiers".to_string()
                            } else {
                                format!("unknown tier \"{id}\"")
                            };
                            let help = if id == "all" {
                                "write `tier: all` on its own, or list the tiers".to_string()
                            } else {
                                self.config.unknown_tier_help(id)
                            };
                            self.diags.push(
                                self.error_at(code, pos, id.chars().count(), msg)
                                    .with_help(help),
                            );
                        }
                    }
                }
                found.sort_unstable();
                found.dedup();
                if found.is_empty() && list.value.0.is_empty() {
                    (all_tier_ids.clone(), true)
                } else {
                    let all = found.len() == self.config.tiers.len();
                    (found, all)
                }
            }
        }
    }

    fn minutes(&mut self, front: &Front) -> Option<u32> {
        match &front.time {
            None => None,
            Some(t) => match parse_minutes(&t.value.0) {
                Some(m) if m > MAX_MINUTES => {
                    self.diags.push(
                            self.error_at(
                                "time-too-long",
                                t.position(self.at),
                                t.value.0.chars().count(),
                                format!(
                                    "time \"{}\" is more than {}",
                                    t.value.0,
                                    crate::model::format_minutes(MAX_MINUTES)
                                ),
                            )
                            .with_help("give the effort of this one task, in minutes or hours, for example `20m` or `2h`"),
                        );
                    None
                }
                Some(m) => Some(m),
                None => {
                    self.diags.push(
                        self.error_at(
                            "invalid-time",
                            t.position(self.at),
                            t.value.0.chars().count(),
                            format!("cannot read time \"{}\"", t.value.0),
                        )
                        .with_help("write the effort as minutes or hours, for example `20m`, `1h` or `1h 30m`"),
                    );
                    None
                }
            },
        }
    }

    fn requires(&self, requires: Option<At<StrList>>) -> Vec<(String, usize, usize)> {
        requires
            .map(|r| {
                let fallback = r.position(self.at);
                r.value
                    .0
                    .into_iter()
                    .map(|(p, loc)| {
                        let (line, col) = match loc {
                            Some((line, col)) => (line + self.at.line_offset, col.max(1)),
                            None => fallback,
                        };
                        (p, line, col)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A warning for each sample sentence of `shirube new` still in the file (see [`SCAFFOLD_TEXTS`]).
    fn scaffold_text(&mut self) {
        let text = &self.doc.text;
        for sample in SCAFFOLD_TEXTS {
            let Some(at) = text.find(sample) else {
                continue;
            };
            let line = text[..at].matches('\n').count() + 1;
            let col = text[..at]
                .rsplit('\n')
                .next()
                .map_or(0, |l| l.chars().count())
                + 1;
            self.diags.push(
                Diagnostic::warning(
                    &self.doc.path,
                    format!("\"{sample}\" is sample text from `shirube new`"),
                )
                .code("sample-text")
                .at(text, line, col, sample.chars().count())
                .with_help("replace it with your own words before the page is published"),
            );
        }
    }

    /// `aliases:`: old URLs of the page, each written as a path under the site's base path (`/old/sso/`),
    /// kept relative to it like page URLs (`old/sso/`).
    fn aliases(&mut self, aliases: Option<At<StrList>>, url: &str) -> Vec<(String, usize, usize)> {
        let list = self.requires(aliases);
        let mut kept: Vec<(String, usize, usize)> = Vec::new();
        for (alias, line, col) in list {
            match alias_url(&alias) {
                Err(why) => self.diags.push(
                    self.error_at("invalid-alias", (line, col), alias.chars().count().max(1), format!("alias \"{alias}\" {why}"))
                        .with_help("write the old URL as a path from the site's base, for example `aliases: [/old/connect-sso/]`"),
                ),
                Ok(a) if a == url => self.diags.push(
                    self.error_at("alias-is-own-url", (line, col), alias.chars().count(), format!("alias \"{alias}\" is the page's own URL"))
                        .with_help("remove it: an alias is an old URL that redirects here"),
                ),
                Ok(a) if kept.iter().any(|(k, _, _)| *k == a) => {}
                Ok(a) => kept.push((a, line, col)),
            }
        }
        kept
    }

    /// The page's URL: from its path, with `slug:` for the last part.
    fn url(&mut self, front: &Front, is_intro: bool) -> String {
        let mut url = url_for(&self.doc.path);
        if let Some(s) = &front.slug {
            let slug = slugify(&s.value);
            if slug.is_empty() {
                self.diags.push(
                    self.error_at(
                        "empty-slug",
                        s.position(self.at),
                        s.value.chars().count().max(1),
                        "slug is empty".into(),
                    )
                    .with_help("use letters, digits and dashes, for example `slug: connect-sso`"),
                );
            } else if slug.len() > MAX_SEGMENT_BYTES {
                self.diags.push(
                    self.error_at(
                        "name-too-long",
                        s.position(self.at),
                        s.value.chars().count(),
                        format!(
                            "slug is too long for a file name ({} bytes, at most {MAX_SEGMENT_BYTES})",
                            slug.len()
                        ),
                    )
                    .with_help("a slug is one part of the page's URL: a few words are enough"),
                );
            } else if !is_intro {
                url = replace_last_segment(&url, &slug);
            }
        }
        // File names from the source path: most file systems allow 255 bytes per name.
        if let Some(long) = url.split('/').find(|seg| seg.len() > MAX_SEGMENT_BYTES) {
            self.diags.push(
                Diagnostic::error(
                    &self.doc.path,
                    format!(
                        "the URL part \"{}…\" is too long for a file name ({} bytes, at most {MAX_SEGMENT_BYTES})",
                        long.chars().take(20).collect::<String>(),
                        long.len()
                    ),
                ).code("name-too-long")
                .with_help("rename the file or its folder, or set a shorter `slug:`"),
            );
        }
        url
    }
}

fn replace_last_segment(url: &str, slug: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(i) => format!("{}/{slug}/", &trimmed[..i]),
        None => format!("{slug}/"),
    }
}

/// Two files with one URL, or a file on a URL shirube generates, are errors naming both.
fn check_urls(pages: &[&Page], sources: &Sources, config: &Config, diags: &mut Vec<Diagnostic>) {
    let mut generated: HashMap<String, String> = HashMap::default();
    generated.insert(KICKOFF_URL.into(), "the kickoff-prep page".into());
    generated.insert(SEARCH_URL.into(), "the search page".into());
    generated.insert("404.html/".into(), "the not-found page".into());
    // The home page and the FAQ index take their intro from content/index.md and content/faq/index.md; any
    // other file there is a clash.
    generated.insert(HOME_URL.into(), "the home page".into());
    generated.insert(FAQ_URL.into(), "the FAQ index".into());
    for p in &config.phases {
        generated.insert(phase_url(&p.id), format!("the page of phase \"{}\"", p.id));
    }
    for t in &config.tiers {
        generated.insert(tier_url(&t.id), format!("the page of tier \"{}\"", t.id));
    }
    let texts: HashMap<&str, &str> = sources
        .docs
        .iter()
        .map(|d| (d.path.as_str(), d.text.as_str()))
        .collect();
    let mut seen: HashMap<&str, &Page> = HashMap::default();
    for page in pages {
        let doc_text = texts.get(page.src.as_str()).copied().unwrap_or("");
        // Point at the `slug:` line when there is one: that is what decides the output path.
        // (Found only when needed: scanning every file's lines would cost more than the rest of the check.)
        let slug_line = || {
            doc_text
                .lines()
                .position(|l| l.starts_with("slug:"))
                .map(|i| {
                    (
                        i + 1,
                        doc_text.lines().nth(i).map_or(1, |l| l.chars().count()),
                    )
                })
                .unwrap_or((1, 3))
        };
        if is_intro_path(&page.src) {
            seen.insert(page.url.as_str(), page);
            continue;
        }
        if let Some(what) = generated.get(&page.url) {
            diags.push(
                Diagnostic::error(
                    &page.src,
                    format!("output path /{} is already {what}", page.url),
                )
                .code("output-clash")
                .at(doc_text, 1, 1, 3)
                .with_help("set another `slug:` or rename the file"),
            );
            continue;
        }
        match seen.get(page.url.as_str()) {
            Some(first) => {
                let (line, len) = slug_line();
                diags.push(
                    Diagnostic::error(
                        &page.src,
                        format!(
                            "output path /{} is also the output of {}",
                            page.url, first.src
                        ),
                    )
                    .code("output-clash")
                    .at(doc_text, line, 1, len)
                    .with_help("give one of them another `slug:` or rename one of the files"),
                );
            }
            None => {
                seen.insert(page.url.as_str(), page);
            }
        }
    }
    // Each alias gets a redirect page: it must not take the place of a page, a generated page or another alias.
    let mut aliases: HashMap<&str, &str> = HashMap::default();
    for page in pages {
        let doc_text = texts.get(page.src.as_str()).copied().unwrap_or("");
        for (alias, line, col) in &page.aliases {
            let clash = if let Some(what) = generated.get(alias) {
                Some(what.clone())
            } else if let Some(other) = seen.get(alias.as_str()) {
                Some(format!("the URL of {}", other.src))
            } else {
                aliases
                    .get(alias.as_str())
                    .map(|other| format!("an alias of {other}"))
            };
            match clash {
                Some(what) => diags.push(
                    Diagnostic::error(&page.src, format!("alias /{alias} is already {what}"))
                        .code("alias-clash")
                        .at(doc_text, *line, *col, alias.chars().count() + 1)
                        .with_help("remove the alias, or move the page that has this URL"),
                ),
                None => {
                    aliases.insert(alias, &page.src);
                }
            }
        }
    }
}

fn check_requires(pages: &[&Page], sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let by_src: HashMap<&str, &Page> = pages.iter().map(|p| (p.src.as_str(), *p)).collect();
    // Only needed for broken `requires`, which come by the thousand when a folder is renamed.
    let mut texts: Option<HashMap<&str, &str>> = None;
    let suggestions = PathSuggestions::default();
    for page in pages {
        for (req, line, col) in &page.requires {
            if resolve_require(&page.src, req, &by_src).is_some() {
                continue;
            }
            let texts = texts.get_or_insert_with(|| {
                sources
                    .docs
                    .iter()
                    .map(|d| (d.path.as_str(), d.text.as_str()))
                    .collect()
            });
            // A file that exists but failed validation, or could not be read, already has its own error; do
            // not pile on.
            let dir = page.src.rsplit_once('/').map_or("", |(d, _)| d);
            let unreadable = sources.unreadable.contains(req.as_str())
                || crate::routes::join_path(dir, req)
                    .is_some_and(|p| sources.unreadable.contains(&p));
            if texts.contains_key(req.as_str()) || unreadable {
                continue;
            }
            let text = texts.get(page.src.as_str()).copied().unwrap_or("");
            let help = match suggestions.get(req, || sources.docs.iter().map(|d| d.path.as_str())) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => "write the path from the site root, for example `playbooks/onboarding/invite-admins.md`"
                    .to_string(),
            };
            diags.push(
                Diagnostic::error(
                    &page.src,
                    format!("requires \"{req}\", but there is no such page"),
                )
                .code("unknown-requires")
                .at(text, *line, *col, req.chars().count())
                .with_help(help),
            );
        }
    }
}

/// `requires` among `before_kickoff` playbooks must leave the kickoff checklist an order. Checked over every
/// page, published or not: a cycle through a page that is not proven yet would otherwise surface only in a
/// preview, or in the build after that page's proof.
fn check_kickoff_cycles(pages: &[&Page], sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let refs: Vec<&Page> = pages.to_vec();
    let by_src: HashMap<&str, &Page> = pages.iter().map(|p| (p.src.as_str(), *p)).collect();
    let Err(cycles) = requires::kickoff_order(&refs, &by_src, |_| ()) else {
        return;
    };
    // A page that requires itself is named as such by `check_require_cycles`.
    for cycle in cycles.into_iter().filter(|c| c.len() > 1) {
        diags.push(cycle_error(
            pages,
            sources,
            &cycle,
            "before_kickoff playbooks require each other in a cycle",
            "remove one of these `requires` entries so the kickoff path has an order",
        ));
    }
}

/// `requires` of any page must have an order too: a page that requires itself, or pages that require each
/// other, would each tell the reader to complete the other first. Cycles made only of kickoff playbooks are
/// left to [`check_kickoff_cycles`], which names them as such.
fn check_require_cycles(pages: &[&Page], sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let refs: Vec<&Page> = pages.to_vec();
    let by_src: HashMap<&str, &Page> = pages.iter().map(|p| (p.src.as_str(), *p)).collect();
    for cycle in requires::cycles(&refs, &by_src, |_| true) {
        if let [(p, entry)] = cycle[..] {
            let page = &pages[p];
            let d = Diagnostic::error(&page.src, format!("{} requires itself", page.src))
                .code("requires-cycle")
                .with_help("remove this `requires` entry: a page cannot be its own prerequisite");
            diags.push(locate_entry(d, page, entry, sources));
        } else if !cycle.iter().all(|&(p, _)| on_kickoff_path(pages[p])) {
            diags.push(cycle_error(
                pages,
                sources,
                &cycle,
                "pages require each other in a cycle",
                "remove one of these `requires` entries: each page would ask the reader to complete the other first",
            ));
        }
    }
}

/// The error for a cycle of pages: (page, index of the `requires` entry that leads on), at the first page's
/// entry. `cycle` is not empty.
fn cycle_error(
    pages: &[&Page],
    sources: &Sources,
    cycle: &[(usize, usize)],
    what: &str,
    help: &str,
) -> Diagnostic {
    let mut names: Vec<&str> = cycle.iter().map(|&(p, _)| pages[p].src.as_str()).collect();
    names.push(names[0]);
    let (first, entry) = cycle[0];
    let page = &pages[first];
    let d = Diagnostic::error(&page.src, format!("{what}: {}", names.join(" → ")))
        .code("requires-cycle")
        .with_help(help);
    locate_entry(d, page, entry, sources)
}

/// Points `d` at `page`'s `requires` entry number `entry`.
fn locate_entry(d: Diagnostic, page: &Page, entry: usize, sources: &Sources) -> Diagnostic {
    match (
        page.requires.get(entry),
        sources.docs.iter().find(|d| d.path == page.src),
    ) {
        (Some((req, line, col)), Some(doc)) => d.at(&doc.text, *line, *col, req.chars().count()),
        _ => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_reported_beside_a_bad_value() {
        let config = crate::config::parse("title: Guide\n").0.unwrap();
        let text = "---\ntitle: T\nlastmod: 2024\nweight: ten\n---\nBody\n".to_string();
        let doc = crate::load::split("playbooks/onboarding/x.md", text).unwrap();
        let (page, diags) = read_page(&doc, &config);
        assert!(page.is_none());
        let got: Vec<(usize, &str)> = diags.iter().map(|d| (d.line, d.message.as_str())).collect();
        // The checks after the bad value run too: the missing phase is found in the same run.
        assert_eq!(
            got,
            [
                (3, "unknown front matter key \"lastmod\""),
                (4, "expected a whole number"),
                (
                    1,
                    "missing required key \"phase\" (every playbook needs one)"
                )
            ]
        );
    }

    #[test]
    fn a_lone_carriage_return_in_front_matter_is_reported_where_it_is() {
        // Found by `cargo fuzz run front_matter`: YAML takes a lone CR as a line break, so its error was put on
        // line 3 (the closing `---`), past the end of that line.
        let config = crate::config::parse("title: Guide\n").0.unwrap();
        let doc = crate::load::split("content/index.md", "---\ni: [:\rttle:\n---".into()).unwrap();
        let (page, diags) = read_page(&doc, &config);
        assert!(page.is_none());
        let got: Vec<(usize, usize, &str)> = diags
            .iter()
            .map(|d| (d.line, d.col, d.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [(2, 6, "a carriage return (CR) that does not end a line")]
        );
    }

    #[test]
    fn front_matter_reads_every_known_key_in_one_pass() {
        let values = [
            ("title", "T"),
            ("kind", "playbook"),
            ("phase", "onboarding"),
            ("tier", "[low, mid]"),
            ("summary", "S"),
            ("description", "D"),
            ("time", "20m"),
            ("weight", "3"),
            ("tags", "[a, b]"),
            ("before_kickoff", "true"),
            ("requires", "x.md"),
            ("draft", "false"),
            ("slug", "s"),
            ("aliases", "[/old/]"),
            ("proof", "anything"),
        ];
        assert_eq!(values.map(|(k, _)| k), KNOWN_KEYS);
        let mut yaml: String = values.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
        yaml.push_str("lastmod: 2024-01-01\n");
        let at = Embedded {
            path: "p.md",
            file: &yaml,
            line_offset: 0,
        };
        let f: Front = yaml::parse(&yaml, at).unwrap();
        let unknown: Vec<&str> = f.unknown.iter().map(|k| k.value.as_str()).collect();
        assert_eq!(unknown, ["lastmod"]);
        assert_eq!(f.title.unwrap().value, "T");
        assert_eq!(f.weight, Some(3));
        assert_eq!(f.before_kickoff, Some(true));
        assert_eq!(f.slug.unwrap().value, "s");
        assert_eq!(f.description.as_deref(), Some("D"));
        assert_eq!(f.aliases.unwrap().value.0[0].0, "/old/");
    }

    #[test]
    fn aliases_are_paths_under_the_base() {
        assert_eq!(alias_url("/old/sso/"), Ok("old/sso/".to_string()));
        assert_eq!(alias_url("/old/sso"), Ok("old/sso/".to_string()));
        assert_eq!(alias_url("/old/sso.html"), Ok("old/sso.html".to_string()));
        assert_eq!(alias_url("/ja/SSOの設定/"), Ok("ja/SSOの設定/".to_string()));
        for bad in [
            "old/sso/", "/", "/a/../b/", "/a//b/", "/a b/", "/a?x=1", "/a#b", "/./a/",
        ] {
            assert!(alias_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_follow_paths() {
        assert_eq!(
            url_for("playbooks/onboarding/connect-sso.md"),
            "playbooks/onboarding/connect-sso/"
        );
        assert_eq!(
            url_for("content/faq/reset-password.md"),
            "faq/reset-password/"
        );
        assert_eq!(url_for("content/about.md"), "about/");
        assert_eq!(url_for("content/index.md"), "");
        assert_eq!(url_for("content/faq/index.md"), "faq/");
        assert_eq!(url_for("content/guides/index.md"), "guides/");
        // Jekyll's extension.
        assert_eq!(url_for("content/about.markdown"), "about/");
        assert_eq!(url_for("content/index.markdown"), "");
        assert!(is_intro_path("content/index.markdown") && is_intro_path("content/faq/index.md"));
        assert!(!is_intro_path("content/index.html"));
        assert_eq!(
            url_for("content/usage-statistics.html.md"),
            "usage-statistics/"
        );
        assert_eq!(url_for("content/snake_case.md"), "snake-case/");
        assert_eq!(
            replace_last_segment("playbooks/a/b/", "c"),
            "playbooks/a/c/"
        );
    }
}
