//! What every import does once the source is read: place each page (kind, phase, tier, path), rewrite links,
//! copy images, write the files, record legacy proof when asked, and report.

use super::front::{bool_of, int_of, list_of, str_of};
use super::links::{self, Action};
use super::mapping::{self, Entry, Mapping, Rule, TierSpec};
use super::write::{Outcome, Writer};
use super::{LEGACY_CUSTOMER, LEGACY_FILE, Options, Placed, RawPage, SourceSite, Summary};
use crate::model::Kind;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The site's phases and tiers (from an existing shirube.yaml, or the defaults written with the new one).
pub(super) struct Site {
    pub phases: Vec<(String, String)>,
    pub tiers: Vec<String>,
    pub has_config: bool,
}

fn site_of(into: &Path) -> Result<Site, String> {
    let path = into.join(crate::config::CONFIG_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Site {
            phases: ["onboarding", "adoption", "retention", "renewal"]
                .iter()
                .map(|p| (p.to_string(), String::new()))
                .collect(),
            tiers: ["tech", "low", "mid", "high"]
                .iter()
                .map(std::string::ToString::to_string)
                .collect(),
            has_config: false,
        });
    };
    match crate::config::parse(&text) {
        (Some(c), _) => Ok(Site {
            phases: c
                .phases
                .iter()
                .map(|p| (p.id.clone(), p.name.clone()))
                .collect(),
            tiers: c.tiers.iter().map(|t| t.id.clone()).collect(),
            has_config: true,
        }),
        (None, diags) => Err(format!(
            "{} has errors; fix them first (shirube check lists them): {}",
            path.display(),
            diags.first().map(|d| d.message.clone()).unwrap_or_default()
        )),
    }
}

/// Runs the common part of an import.
pub(super) fn import(
    opts: &Options,
    src: &Path,
    into: &Path,
    mut site: SourceSite,
) -> Result<Summary, String> {
    let conf = site_of(into)?;
    let mapping_text = std::fs::read_to_string(into.join(mapping::FILE)).ok();
    let mapping = match &mapping_text {
        Some(t) => mapping::parse(t)?,
        None => Mapping::default(),
    };
    let mut writer = Writer::new(into, opts.force)?;
    let fallback = opts
        .unplaced
        .clone()
        .or(mapping.unplaced.clone())
        // A config without phases is refused when it is read: there is a first one.
        .or_else(|| conf.phases.first().map(|p| p.0.clone()))
        .unwrap_or_default();
    if !conf.phases.iter().any(|(p, _)| *p == fallback) {
        return Err(format!(
            "unknown phase \"{fallback}\" for unplaced pages; the phases are: {}",
            conf.phases
                .iter()
                .map(|p| p.0.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    // Section pages without text only name their folder.
    let mut notes = std::mem::take(&mut site.notes);
    site.pages.retain(|p| {
        let keep = !p.section_index || !p.body.trim().is_empty() || p.rel.matches('/').count() == 0;
        if !keep && let Some(t) = str_of(&p.front, "title") {
            let dir = p.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            site.folder_titles.entry(dir.to_string()).or_insert(t);
        }
        keep
    });
    let mut conf = conf;
    if !conf.has_config {
        // The names the new shirube.yaml will have, so that the guesses are the same on the next run.
        let (names, _) = default_names(is_japanese(&site, &site.pages));
        for (p, n) in conf.phases.iter_mut().zip(names) {
            p.1 = n.to_string();
        }
    }
    let entries = build_entries(&site, &mapping, &conf);
    let rules = EffectiveRules::of(&entries);
    let mut placed: Vec<Placed> = site
        .pages
        .drain(..)
        .map(|p| place(p, &rules, &conf, &fallback))
        .collect();
    assign_paths(&mut placed);

    // Links and images.
    let index = Index::of(&placed, src);
    let mut assets: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut unresolved: Vec<(String, String)> = Vec::new();
    for i in 0..placed.len() {
        let body = std::mem::take(&mut placed[i].raw.body);
        let mut ctx = LinkCtx {
            index: &index,
            site: &site,
            src,
            page: &placed[i],
            assets: &mut assets,
            unresolved: &mut unresolved,
        };
        let new = links::rewrite(&body, &mut |d, img| ctx.resolve(d, img));
        // A `ref` outside a link (Hugo writes the page's URL as text): the .md path, or the name as written.
        let new = bare_refs(&new, &mut |name| match index.by_name(name, &placed[i]) {
            Some(j) => relative(&placed[i].out, &index.outs[j]),
            None => name.to_string(),
        });
        placed[i].raw.body = new;
        let requires = list_of(&placed[i].raw.front, "requires");
        let mut mapped = Vec::new();
        for r in requires {
            match index.by_name(&r, &placed[i]) {
                Some(j) => mapped.push(placed[j].out.clone()),
                None => placed[i]
                    .dropped
                    .push(format!("requires: {r} (no such page in the source)")),
            }
        }
        placed[i].raw.front.insert(
            "requires".into(),
            serde_json::Value::Array(mapped.into_iter().map(serde_json::Value::String).collect()),
        );
    }

    // Write.
    let mut errors = Vec::new();
    if !conf.has_config {
        let text = config_text(&site, &placed);
        if let Err(e) = writer.put(crate::config::CONFIG_FILE, text.as_bytes()) {
            errors.push(e);
        }
    }
    for p in &placed {
        if let Err(e) = writer.put(&p.out, page_text(p, opts).as_bytes()) {
            errors.push(e);
        }
    }
    for (out, from) in &assets {
        match std::fs::read(from) {
            Ok(bytes) => {
                if let Err(e) = writer.put(out, &bytes) {
                    errors.push(e);
                }
            }
            Err(e) => errors.push(format!("cannot read {}: {e}", from.display())),
        }
    }
    let unplaced_name = fallback.clone();
    let groups = [
        (
            "folders",
            "folders of the source, from its content folder",
            entries.folders,
        ),
        ("sections", "Zendesk sections, by name", entries.sections),
        (
            "categories",
            "Zendesk categories, by name",
            entries.categories,
        ),
        (
            "tags",
            "tags and labels; the first of a page's tags with an entry applies",
            entries.tags,
        ),
    ];
    let groups: Vec<(&str, &str, Vec<Entry>)> = groups.into_iter().collect();
    if let Err(e) = writer.put(
        mapping::FILE,
        mapping::render(&unplaced_name, &groups).as_bytes(),
    ) {
        errors.push(e);
    }
    let legacy = if opts.legacy_proof {
        match legacy_manifest(into, &placed, opts) {
            Ok(text) => {
                if let Err(e) = writer.put(LEGACY_FILE, text.as_bytes()) {
                    errors.push(e);
                }
                true
            }
            Err(e) => {
                errors.push(e);
                false
            }
        }
    } else {
        false
    };
    if !opts.legacy_proof && into.join(LEGACY_FILE).exists() {
        notes.push(format!(
            "{LEGACY_FILE} from an earlier import with --legacy-proof is still there, and its engagements still \
             count: delete it to publish only what real engagements prove"
        ));
    }
    let gone: Vec<String> = writer
        .previous()
        .filter(|p| !writer.done.iter().any(|(d, _)| d == *p))
        .filter(|p| {
            ![
                super::report::REPORT_FILE,
                crate::config::CONFIG_FILE,
                LEGACY_FILE,
            ]
            .contains(&p.as_str())
        })
        .cloned()
        .collect();
    let status = super::report::status_of(into);
    let ctx = super::report::Ctx {
        opts,
        placed: &placed,
        unresolved: &unresolved,
        notes: &notes,
        errors: &errors,
        gone: &gone,
        legacy,
        status: &status,
        fallback: &fallback,
    };
    let report = super::report::markdown(&ctx, &writer.done);
    let mut summary_lines = super::report::terminal(&ctx, &writer.done);
    if let Err(e) = writer.put_generated(super::report::REPORT_FILE, report.as_bytes()) {
        summary_lines.push(format!("error: {e}"));
    }
    let done = writer.finish(opts.source.id())?;
    let kept = done
        .iter()
        .filter(|(_, o)| *o == Outcome::KeptEdited)
        .map(|(p, _)| p.clone())
        .collect();
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    Ok(Summary {
        report,
        lines: summary_lines,
        kept,
        check_errors: status.errors,
    })
}

/// The entries of import.yaml: those the author has, plus guesses for keys it does not have yet.
pub(super) struct Entries {
    folders: Vec<Entry>,
    sections: Vec<Entry>,
    categories: Vec<Entry>,
    tags: Vec<Entry>,
}

fn build_entries(site: &SourceSite, mapping: &Mapping, conf: &Site) -> Entries {
    let mut folders: BTreeMap<String, usize> = BTreeMap::new();
    let mut sections: BTreeMap<String, usize> = BTreeMap::new();
    let mut categories: BTreeMap<String, usize> = BTreeMap::new();
    let mut tags: BTreeMap<String, usize> = BTreeMap::new();
    for p in &site.pages {
        if let Some(s) = &p.section {
            *sections.entry(s.clone()).or_default() += 1;
        } else {
            for f in folders_of(&p.rel) {
                *folders.entry(f).or_default() += 1;
            }
        }
        if let Some(c) = &p.category {
            *categories.entry(c.clone()).or_default() += 1;
        }
        for t in page_tags(p) {
            *tags.entry(t).or_default() += 1;
        }
    }
    let make = |keys: BTreeMap<String, usize>,
                have: &BTreeMap<String, Rule>,
                titles: &BTreeMap<String, String>,
                guess_kinds: bool|
     -> Vec<Entry> {
        keys.into_iter()
            .map(|(key, pages)| {
                let title = titles.get(&key).cloned();
                let last = key.rsplit('/').next().unwrap_or(&key).to_string();
                let names: Vec<&str> = [Some(last.as_str()), title.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                let mut rule = Rule::default();
                let mut why = Vec::new();
                for n in &names {
                    if rule.phase.is_none()
                        && let Some((p, w)) = mapping::guess_phase(n, &conf.phases)
                    {
                        why.push(format!("phase from \"{w}\""));
                        rule.phase = Some(p);
                    }
                    if guess_kinds
                        && rule.kind.is_none()
                        && let Some((k, w)) = mapping::guess_kind(n)
                    {
                        why.push(format!("kind from \"{w}\""));
                        rule.kind = Some(k);
                    }
                    if rule.tier.is_none()
                        && let Some((t, w)) = mapping::guess_tier(n, &conf.tiers)
                    {
                        why.push(format!("tier from \"{w}\""));
                        rule.tier = Some(TierSpec::One(t));
                    }
                }
                // The author's entry wins; the guess's reasons stay when it is the guess.
                if let Some(have) = have.get(&key)
                    && *have != rule
                {
                    rule = have.clone();
                    why.clear();
                }
                Entry {
                    key,
                    title,
                    pages,
                    rule,
                    why,
                }
            })
            .collect()
    };
    let none = BTreeMap::new();
    Entries {
        folders: make(folders, &mapping.folders, &site.folder_titles, true),
        sections: make(sections, &mapping.sections, &none, true),
        categories: make(categories, &mapping.categories, &none, true),
        tags: make(tags, &mapping.tags, &none, false),
    }
}

/// The folders a page is in, outermost first: `a/b/c.md` → `a`, `a/b`.
fn folders_of(rel: &str) -> Vec<String> {
    let parts: Vec<&str> = rel.split('/').collect();
    (1..parts.len()).map(|n| parts[..n].join("/")).collect()
}

fn page_tags(p: &RawPage) -> Vec<String> {
    let mut t = list_of(&p.front, "tags");
    t.extend(list_of(&p.front, "categories"));
    t.dedup();
    t
}

/// The entries as lookups.
struct EffectiveRules {
    folders: HashMap<String, Rule>,
    sections: HashMap<String, Rule>,
    categories: HashMap<String, Rule>,
    tags: HashMap<String, Rule>,
}

impl EffectiveRules {
    fn of(e: &Entries) -> Self {
        let m = |v: &[Entry]| v.iter().map(|e| (e.key.clone(), e.rule.clone())).collect();
        EffectiveRules {
            folders: m(&e.folders),
            sections: m(&e.sections),
            categories: m(&e.categories),
            tags: m(&e.tags),
        }
    }

    /// The rules that apply to a page, most specific first.
    fn chain(&self, p: &RawPage) -> Vec<&Rule> {
        let mut v = Vec::new();
        for f in folders_of(&p.rel).iter().rev() {
            v.extend(self.folders.get(f));
        }
        v.extend(p.section.as_ref().and_then(|s| self.sections.get(s)));
        v.extend(p.category.as_ref().and_then(|s| self.categories.get(s)));
        v
    }
}

fn place(mut raw: RawPage, rules: &EffectiveRules, conf: &Site, fallback: &str) -> Placed {
    let mut dropped = Vec::new();
    let title = match str_of(&raw.front, "title") {
        Some(t) => t,
        None => match super::take_h1(&raw.body) {
            Some((t, rest)) => {
                raw.body = rest;
                t
            }
            None => super::title_from_name(&raw.rel),
        },
    };
    let chain = rules.chain(&raw);
    let tag_rules: Vec<&Rule> = page_tags(&raw)
        .iter()
        .filter_map(|t| rules.tags.get(t))
        .collect();
    let home = raw.section_index && !raw.rel.contains('/');
    let kind = match str_of(&raw.front, "kind").as_deref() {
        Some("playbook") => Kind::Playbook,
        Some("faq") => Kind::Faq,
        Some("page") => Kind::Page,
        _ if home => Kind::Page,
        _ => chain.iter().find_map(|r| r.kind).unwrap_or_else(|| {
            // The file's own name: `about.md`, `glossary.md` are pages, `faq.md` a FAQ.
            let stem = super::title_from_name(&raw.rel);
            match mapping::guess_kind(&stem) {
                Some((k, w)) => {
                    raw.converted.push(format!(
                        "kind {} guessed from the file name (\"{w}\")",
                        k.id()
                    ));
                    k
                }
                None => Kind::Playbook,
            }
        }),
    };
    let valid_phase = |p: &str| conf.phases.iter().any(|(id, _)| id == p);
    let mut unplaced = false;
    let phase = if kind == Kind::Page {
        None
    } else {
        let own = str_of(&raw.front, "phase");
        if let Some(p) = &own
            && !valid_phase(p)
        {
            dropped.push(format!("phase: {p} (not a phase of shirube.yaml)"));
        }
        let from_rules = chain
            .iter()
            .chain(tag_rules.iter())
            .filter_map(|r| r.phase.clone())
            .find(|p| valid_phase(p));
        match own.filter(|p| valid_phase(p)).or(from_rules) {
            Some(p) => Some(p),
            None => {
                unplaced = true;
                Some(fallback.to_string())
            }
        }
    };
    let valid_tiers = |ids: &[String]| ids.iter().all(|t| conf.tiers.contains(t));
    let own_tier = match raw.front.get("tier") {
        Some(serde_json::Value::String(s)) if s == "all" => Some(None),
        Some(_) => {
            let ids = list_of(&raw.front, "tier");
            if valid_tiers(&ids) && !ids.is_empty() {
                Some(Some(ids))
            } else {
                dropped.push(format!(
                    "tier: {} (not tiers of shirube.yaml)",
                    ids.join(", ")
                ));
                None
            }
        }
        None => None,
    };
    let tiers = own_tier.unwrap_or_else(|| {
        chain
            .iter()
            .chain(tag_rules.iter())
            .find_map(|r| r.tier.as_ref())
            .and_then(TierSpec::ids)
            .filter(|ids| valid_tiers(ids))
    });
    Placed {
        raw,
        title,
        kind,
        phase,
        tiers,
        out: String::new(),
        unplaced,
        dropped,
    }
}

/// Replaces each `shirube-ref:NAME` left in `body` (not a link's destination) with `f(NAME)`.
fn bare_refs(body: &str, f: &mut dyn FnMut(&str) -> String) -> String {
    const MARK: &str = "shirube-ref:";
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(i) = rest.find(MARK) {
        out.push_str(&rest[..i]);
        let after = &rest[i + MARK.len()..];
        let end = after
            .find(|c: char| c.is_whitespace() || "()[]<>\"'`".contains(c))
            .unwrap_or(after.len());
        // A sentence's full stop after it is not part of the name.
        let name = after[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
        out.push_str(&f(name));
        rest = &after[name.len()..];
    }
    out.push_str(rest);
    out
}

/// Gives every page its path in the new site, unique.
fn assign_paths(placed: &mut [Placed]) {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for p in placed.iter_mut() {
        let rel = p.raw.rel.as_str();
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let name = if p.raw.section_index {
            "index.md"
        } else {
            name
        };
        let rel = if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        };
        let out = match p.kind {
            _ if p.raw.section_index && dir.is_empty() => "content/index.md".to_string(),
            Kind::Playbook => format!(
                "playbooks/{}",
                rel.strip_prefix("playbooks/").unwrap_or(&rel)
            ),
            Kind::Faq => {
                let first = rel.split('/').next().unwrap_or("");
                let rest = if rel.contains('/')
                    && mapping::guess_kind(first).is_some_and(|k| k.0 == Kind::Faq)
                {
                    &rel[first.len() + 1..]
                } else {
                    rel.as_str()
                };
                format!("content/faq/{rest}")
            }
            Kind::Page => {
                let r = if rel.starts_with("faq/") {
                    format!("pages/{rel}")
                } else {
                    rel.clone()
                };
                format!("content/{r}")
            }
        };
        let mut candidate = out.clone();
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{}-{n}.md", out.trim_end_matches(".md"));
            n += 1;
        }
        taken.insert(candidate.clone());
        p.out = candidate;
    }
}

/// Ways to find a page from a link.
struct Index {
    /// The new path of each page, by index.
    outs: Vec<String>,
    by_file: HashMap<PathBuf, usize>,
    by_url: HashMap<String, usize>,
    by_rel: HashMap<String, usize>,
    by_id: HashMap<String, Vec<usize>>,
    by_base: HashMap<String, Vec<usize>>,
}

fn norm_url(u: &str) -> String {
    let u = u.trim_end_matches('/');
    let u = u.strip_suffix(".html").unwrap_or(u);
    let u = u.strip_suffix("/index").unwrap_or(u);
    let u = if u.starts_with('/') {
        u.to_string()
    } else {
        format!("/{u}")
    };
    crate::percent::decode(&u).unwrap_or(u).to_lowercase()
}

fn strip_md(s: &str) -> &str {
    for ext in [".md", ".mdx", ".markdown"] {
        if let Some(x) = s.strip_suffix(ext) {
            return x;
        }
    }
    s
}

impl Index {
    fn of(placed: &[Placed], _src: &Path) -> Self {
        let mut ix = Index {
            outs: placed.iter().map(|p| p.out.clone()).collect(),
            by_file: HashMap::new(),
            by_url: HashMap::new(),
            by_rel: HashMap::new(),
            by_id: HashMap::new(),
            by_base: HashMap::new(),
        };
        for (i, p) in placed.iter().enumerate() {
            if let Some(f) = &p.raw.file {
                ix.by_file.insert(f.clone(), i);
            }
            for u in &p.raw.urls {
                ix.by_url.entry(norm_url(u)).or_insert(i);
            }
            let rel = strip_md(&p.raw.rel);
            ix.by_rel.insert(rel.to_string(), i);
            ix.by_rel.insert(strip_md(&p.raw.src).to_string(), i);
            if p.raw.section_index {
                let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                ix.by_rel.entry(dir.to_string()).or_insert(i);
            }
            for id in &p.raw.ids {
                ix.by_id.entry(id.clone()).or_default().push(i);
            }
            let base = rel.rsplit('/').next().unwrap_or(rel).to_string();
            ix.by_base.entry(base).or_default().push(i);
        }
        ix
    }

    /// A page named by its path from the content folder (or the source folder), with or without `.md`, or by
    /// its file name when that is unique: Hugo's `ref`, Jekyll's `link`, `requires:`.
    fn by_name(&self, name: &str, from: &Placed) -> Option<usize> {
        let n = name.trim().trim_start_matches('/');
        let n = strip_md(n.trim_end_matches('/'));
        let n = n
            .strip_suffix("/_index")
            .or_else(|| n.strip_suffix("/index"))
            .unwrap_or(n);
        if let Some(&i) = self.by_rel.get(n) {
            return Some(i);
        }
        // Relative to the page's own folder.
        let dir = from.raw.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        if let Some(joined) = join(dir, n)
            && let Some(&i) = self.by_rel.get(joined.as_str())
        {
            return Some(i);
        }
        for prefix in ["content/", "docs/"] {
            if let Some(&i) = n.strip_prefix(prefix).and_then(|x| self.by_rel.get(x)) {
                return Some(i);
            }
        }
        if let Some(v) = self.by_id.get(n)
            && let Some(&i) = v.first()
        {
            return Some(i);
        }
        match self.by_base.get(n.rsplit('/').next().unwrap_or(n)) {
            Some(v) if v.len() == 1 => Some(v[0]),
            _ => None,
        }
    }
}

/// `dir/rel` with `.` and `..` resolved; `None` when it leaves the top.
fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// A path from the folder of `from` to `to`, both site paths.
pub(super) fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect();
    let from_dir = &from_dir[..from_dir.len().saturating_sub(1)];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out: Vec<&str> = vec![".."; from_dir.len() - common];
    out.extend(&to_parts[common..]);
    out.join("/")
}

struct LinkCtx<'a> {
    index: &'a Index,
    site: &'a SourceSite,
    src: &'a Path,
    page: &'a Placed,
    assets: &'a mut BTreeMap<String, PathBuf>,
    unresolved: &'a mut Vec<(String, String)>,
}

impl LinkCtx<'_> {
    fn resolve(&mut self, dest: &str, image: bool) -> Action {
        let dest = dest.trim();
        if dest.is_empty() || dest.starts_with('#') {
            return Action::Keep;
        }
        let (path, frag) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        let with_frag = |s: String| match frag {
            Some(f) if !f.is_empty() => format!("{s}#{f}"),
            _ => s,
        };
        if let Some(name) = path.strip_prefix("shirube-ref:") {
            return match self.index.by_name(name, self.page) {
                Some(i) => Action::Replace(with_frag(self.to_page(i))),
                None => self.unresolved(dest),
            };
        }
        if let Some(rest) = external_path(path, &self.site.hosts) {
            return match rest {
                None => Action::Keep,
                Some(p) => match self.site_path(&p, image) {
                    Some(a) => a.map(with_frag),
                    None => {
                        // An address of the old site that is not a page of the import (an image of the help
                        // centre, a page left out): it stays, as it may still work.
                        if !image {
                            self.unresolved.push((
                                self.page.out.clone(),
                                format!("{dest} (kept: an address of the old site)"),
                            ));
                        }
                        Action::Keep
                    }
                },
            };
        }
        if path.starts_with('/') {
            return match self.site_path(path, image) {
                Some(a) => a.map(with_frag),
                None => self.unresolved(dest),
            };
        }
        // Relative: a file beside the page, or a URL relative to the page's URL.
        let decoded = crate::percent::decode(path).unwrap_or_else(|| path.to_string());
        if let Some(file) = &self.page.raw.file {
            let dir = file.parent().unwrap_or(self.src);
            let target = normalize(&dir.join(&decoded));
            if let Some(i) = self.page_file(&target) {
                return Action::Replace(with_frag(self.to_page(i)));
            }
            if inside(&target, self.src) {
                return Action::Replace(self.asset(&target));
            }
        }
        if let Some(u) = self.page.raw.urls.first() {
            // Pretty URLs: a relative link is relative to the page's own URL, a folder.
            let dir = u.trim_end_matches('/').trim_start_matches('/');
            if let Some(j) = join(dir, &decoded)
                && let Some(&i) = self.index.by_url.get(&norm_url(&j))
            {
                return Action::Replace(with_frag(self.to_page(i)));
            }
        }
        self.unresolved(dest)
    }

    fn unresolved(&mut self, dest: &str) -> Action {
        self.unresolved
            .push((self.page.out.clone(), dest.to_string()));
        Action::Unlink
    }

    fn to_page(&self, i: usize) -> String {
        relative(&self.page.out, &self.index.outs[i])
    }

    fn page_file(&self, target: &Path) -> Option<usize> {
        let mut candidates = vec![target.to_path_buf()];
        let s = target.to_string_lossy();
        let stem = s.trim_end_matches('/');
        let stem = stem.strip_suffix(".html").unwrap_or(stem);
        for ext in [
            ".md",
            ".mdx",
            ".markdown",
            "/index.md",
            "/_index.md",
            "/README.md",
            "/index.mdx",
        ] {
            candidates.push(PathBuf::from(format!("{stem}{ext}")));
        }
        candidates
            .iter()
            .find_map(|c| self.index.by_file.get(c).copied())
    }

    /// A site-absolute path (`/docs/install/`, `/images/a.png`) of the source site.
    fn site_path(&mut self, path: &str, image: bool) -> Option<Action> {
        if let Some((locale, id)) = super::zendesk::article_of(path) {
            let by_locale = locale.and_then(|l| self.index.by_id.get(&format!("{l}/{id}")));
            if let Some(&i) = by_locale
                .or_else(|| self.index.by_id.get(&id))
                .and_then(|v| v.first())
            {
                return Some(Action::Replace(self.to_page(i)));
            }
        }
        let mut tries = vec![path.to_string()];
        for p in &self.site.url_prefixes {
            if let Some(rest) = path.strip_prefix(p.trim_end_matches('/')) {
                tries.push(rest.to_string());
            }
        }
        for t in &tries {
            if !image && let Some(&i) = self.index.by_url.get(&norm_url(t)) {
                return Some(Action::Replace(self.to_page(i)));
            }
            let decoded = crate::percent::decode(t).unwrap_or_else(|| t.clone());
            let rel = decoded.trim_start_matches('/');
            if rel.is_empty() {
                continue;
            }
            for dir in self
                .site
                .static_dirs
                .iter()
                .map(PathBuf::as_path)
                .chain([self.src])
            {
                let f = normalize(&dir.join(rel));
                if inside(&f, self.src) {
                    if let Some(i) = self.page_file(&f) {
                        return Some(Action::Replace(self.to_page(i)));
                    }
                    return Some(Action::Replace(self.asset(&f)));
                }
            }
        }
        None
    }

    /// Copies a file of the source into `content/assets/` (once) and links to it.
    fn asset(&mut self, file: &Path) -> String {
        let rel = super::rel_path(self.src, file);
        let out = format!("content/assets/{rel}");
        self.assets.insert(out.clone(), file.to_path_buf());
        relative(&self.page.out, &out)
    }
}

trait MapAction {
    fn map(self, f: impl FnOnce(String) -> String) -> Action;
}

impl MapAction for Action {
    fn map(self, f: impl FnOnce(String) -> String) -> Action {
        match self {
            Action::Replace(s) => Action::Replace(f(s)),
            a => a,
        }
    }
}

/// `None`: not a URL with a scheme. `Some(None)`: a URL elsewhere (kept). `Some(Some(path))`: a URL into the source
/// site, by its path.
fn external_path(dest: &str, hosts: &[String]) -> Option<Option<String>> {
    let (scheme, rest) = dest.split_once(':')?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let Some(rest) = rest.strip_prefix("//") else {
        return Some(None);
    };
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        Some(Some(path.to_string()))
    } else {
        Some(None)
    }
}

/// Whether `file` is a file inside the source folder `src` (symbolic links followed: a link out of the source
/// is not copied into the site).
fn inside(file: &Path, src: &Path) -> bool {
    file.is_file() && file.canonicalize().is_ok_and(|c| c.starts_with(src))
}

/// `a/./b/../c` → `a/c`, without touching the disk.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// The new page's file: front matter shirube reads, then the body.
fn page_text(p: &Placed, opts: &Options) -> String {
    use crate::yaml::scalar as quote;
    let f = &p.raw.front;
    let mut s = String::from("---\n");
    s.push_str(&format!("title: {}\n", quote(&p.title)));
    if let Some(ph) = &p.phase {
        s.push_str(&format!("phase: {}\n", quote(ph)));
    }
    if let Some(t) = &p.tiers {
        s.push_str(&format!(
            "tier: [{}]\n",
            t.iter().map(|x| quote(x)).collect::<Vec<_>>().join(", ")
        ));
    }
    if let Some(sum) = str_of(f, "summary").or_else(|| str_of(f, "description")) {
        s.push_str(&format!("summary: {}\n", quote(&sum.replace('\n', " "))));
    }
    if let Some(t) = str_of(f, "time").filter(|t| crate::model::parse_minutes(t).is_some()) {
        s.push_str(&format!("time: {}\n", quote(&t)));
    }
    let weight = ["weight", "sidebar_position", "nav_order", "position"]
        .iter()
        .find_map(|k| int_of(f, k));
    if let Some(w) = weight {
        s.push_str(&format!("weight: {w}\n"));
    }
    let tags = list_of(f, "tags");
    if !tags.is_empty() {
        s.push_str(&format!(
            "tags: [{}]\n",
            tags.iter().map(|t| quote(t)).collect::<Vec<_>>().join(", ")
        ));
    }
    if p.kind == crate::model::Kind::Playbook && bool_of(f, "before_kickoff") == Some(true) {
        s.push_str("before_kickoff: true\n");
    }
    let requires = list_of(f, "requires");
    if !requires.is_empty() {
        s.push_str(&format!(
            "requires: [{}]\n",
            requires
                .iter()
                .map(|t| quote(t))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if super::is_draft(f) {
        s.push_str("draft: true\n");
    }
    if let Some(slug) = str_of(f, "slug") {
        let last = slug
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        if !last.is_empty() && crate::slug::slugify(&last) == last {
            s.push_str(&format!("slug: {}\n", quote(&last)));
        }
    }
    let mut origin = format!("# imported from {} ({})", p.raw.src, opts.source.id());
    if let Some(d) = str_of(f, "date").or_else(|| str_of(f, "updated_at")) {
        origin.push_str(&format!(
            ", dated {}",
            d.chars().take(10).collect::<String>()
        ));
    }
    s.push_str(&origin);
    s.push_str("\n---\n\n");
    s.push_str(tidy(&p.raw.body).trim_start_matches(['\n', '\r']));
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// The body with runs of blank lines (left where blocks were converted) made one, outside fenced code.
fn tidy(body: &str) -> String {
    let code = super::tags::fences(body);
    let mut out = String::with_capacity(body.len());
    let mut offset = 0;
    let mut blank = 0;
    for line in body.split_inclusive('\n') {
        let in_code = code.iter().any(|r| r.contains(&offset));
        offset += line.len();
        if !in_code && line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
    }
    out
}

/// Whether a new site is Japanese: as the source says, else by its pages' text.
fn is_japanese(site: &SourceSite, pages: &[RawPage]) -> bool {
    match site.language.as_deref() {
        Some(l) => l.to_lowercase().starts_with("ja"),
        None => super::mostly_japanese(pages),
    }
}

/// The names of the default phases and tiers written into a new shirube.yaml.
fn default_names(ja: bool) -> ([&'static str; 4], [&'static str; 4]) {
    if ja {
        (
            ["オンボーディング", "活用", "定着", "更新"],
            ["テックタッチ", "ロータッチ", "ミドルタッチ", "ハイタッチ"],
        )
    } else {
        (
            ["Onboarding", "Adoption", "Retention", "Renewal"],
            ["Tech touch", "Low touch", "Mid touch", "High touch"],
        )
    }
}

/// shirube.yaml for a new site: title and language from the source, the default phases and tiers.
fn config_text(site: &SourceSite, placed: &[Placed]) -> String {
    use crate::yaml::scalar as quote;
    let raws: Vec<RawPage> = placed.iter().map(|p| p.raw.clone()).collect();
    let ja = is_japanese(site, &raws);
    let title = site.title.clone().unwrap_or_else(|| {
        if ja {
            "ガイド".into()
        } else {
            "Guide".into()
        }
    });
    let mut s = format!(
        "# Written by shirube import. The phases and tiers are shirube's defaults: rename or add yours here, then\n\
         # use their ids in import.yaml and run the import again.\ntitle: {}\n",
        quote(&title)
    );
    if let Some(b) = site
        .base_url
        .as_deref()
        .filter(|b| crate::config::BaseUrl::parse(b).is_ok())
    {
        s.push_str(&format!("base_url: {}\n", quote(b)));
    }
    s.push_str(&format!("language: {}\n", if ja { "ja" } else { "en" }));
    let (names, tiers) = default_names(ja);
    s.push_str("phases:\n");
    for (id, name) in ["onboarding", "adoption", "retention", "renewal"]
        .iter()
        .zip(names)
    {
        s.push_str(&format!("  - {{ id: {id}, name: {name} }}\n"));
    }
    s.push_str("tiers:\n");
    for (id, name) in ["tech", "low", "mid", "high"].iter().zip(tiers) {
        s.push_str(&format!("  - {{ id: {id}, name: {name} }}\n"));
    }
    s
}

/// `manifest/legacy-import.yaml`: one engagement per imported playbook and FAQ, clearly labelled, with the page's
/// hash as written (a page changed later shows as changed since its proof).
fn legacy_manifest(into: &Path, placed: &[Placed], opts: &Options) -> Result<String, String> {
    let mut diags = crate::diagnostics::Diagnostics::default();
    let checked = crate::pipeline::prepare(
        &crate::pipeline::Options {
            root: into.to_path_buf(),
            ..Default::default()
        },
        &mut diags,
    )
    .ok_or_else(|| {
        format!(
            "--legacy-proof: the imported site cannot be read ({}); run shirube check",
            diags
                .sorted()
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_default()
        )
    })?;
    let config = &checked.config;
    let date = crate::dates::format_date(opts.today);
    let by_src: HashMap<&str, &crate::model::Page> =
        checked.pages.iter().map(|p| (p.src.as_str(), p)).collect();
    let mut s = format!(
        "# LEGACY PROOF written by `shirube import {} --legacy-proof` on {date}.\n\
         # These are not engagements with customers: they say that the pages below were already published in the\n\
         # old site or help centre, so that they stay published after the move. Each counts as one successful engagement\n\
         # dated the import day, and expires under max_age_days like any proof; prove the pages with real\n\
         # engagements before then. Delete this file to publish only what real engagements prove.\n\
         # Written again by each import with --legacy-proof; keep your own engagements in other files.\n\
         engagements:\n",
        opts.source.id()
    );
    let mut n = 0;
    let mut outs: Vec<&Placed> = placed
        .iter()
        .filter(|p| config.proof.gate.contains(&p.kind))
        .collect();
    outs.sort_by(|a, b| a.out.cmp(&b.out));
    for p in outs {
        let Some(page) = by_src.get(p.out.as_str()) else {
            continue;
        };
        if page.draft {
            continue;
        }
        let Some(&tier) = page.tiers.first() else {
            continue;
        };
        n += 1;
        let hash = crate::proof::content_hash(page, config);
        s.push_str(&format!(
            "  - id: LEGACY-{date}-{n:04}\n    customer: {LEGACY_CUSTOMER}\n    tier: {}\n    date: {date}\n    outcome: success\n    used:\n      - path: {}\n        hash: {hash}\n    note: {}\n",
            config.tiers[tier].id,
            crate::yaml::scalar(&p.out),
            crate::yaml::scalar(&format!("legacy: published in the old {} site as {}", opts.source.id(), p.raw.src)),
        ));
    }
    if n == 0 {
        s.push_str("  []\n");
        s = s.replace("engagements:\n  []\n", "engagements: []\n");
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_outside_links_become_paths() {
        let out = bare_refs("See shirube-ref:a.md and shirube-ref:b.\n", &mut |n| {
            format!("<{n}>")
        });
        assert_eq!(out, "See <a.md> and <b>.\n");
    }

    #[test]
    fn runs_of_blank_lines_become_one_outside_code() {
        assert_eq!(tidy("a\n\n\n\nb\n```\n\n\n```\n"), "a\n\nb\n```\n\n\n```\n");
    }

    #[test]
    fn relative_paths_between_site_files() {
        assert_eq!(relative("playbooks/a/b.md", "playbooks/a/c.md"), "c.md");
        assert_eq!(
            relative("playbooks/a/b.md", "content/faq/x.md"),
            "../../content/faq/x.md"
        );
        assert_eq!(
            relative("content/index.md", "content/assets/i.png"),
            "assets/i.png"
        );
        assert_eq!(join("a/b", "../c"), Some("a/c".into()));
        assert_eq!(join("a", "../../c"), None);
        assert_eq!(norm_url("/Docs/Install/"), "/docs/install");
        assert_eq!(norm_url("guide/index.html"), "/guide");
    }

    #[test]
    fn urls_into_the_source_site_are_told_from_others() {
        let hosts = vec!["help.example.com".to_string()];
        assert_eq!(
            external_path("https://help.example.com/hc/articles/1", &hosts),
            Some(Some("/hc/articles/1".into()))
        );
        assert_eq!(external_path("https://other.example/x", &hosts), Some(None));
        assert_eq!(external_path("mailto:a@b", &hosts), Some(None));
        assert_eq!(external_path("../a.md", &hosts), None);
    }
}
