//! The proof gate: which playbooks and FAQs have worked in real engagements, and so may be published.
//!
//! Reads the proof manifest (`manifest.yaml`, or every `manifest/*.yaml`), validates it, and gives every page a
//! [`State`] with the reasons behind it. Customer, CSM, note and engagement id stop here: nothing in this
//! module's public results carries them except [`Engagement`], which only `status` and `prove` read, and
//! neither writes it to the published output.

use crate::HashMap;
use crate::config::{Config, OnChange};
use crate::dates::{format_date, parse_date};
use crate::diagnostics::{Diagnostic, Lines, PathSuggestions, did_you_mean};
use crate::load::ManifestFile;
use crate::model::Page;
use crate::yaml::{self, Embedded};
use rayon::prelude::*;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

mod warnings;

pub use warnings::warnings;

/// What happened in an engagement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The customer succeeded with the content: counts as proof.
    Success,
    /// Partly worked: a record, not proof.
    Partial,
    /// Did not work: a record, not proof.
    Failed,
}

impl Outcome {
    const ALL: [Outcome; 3] = [Outcome::Success, Outcome::Partial, Outcome::Failed];

    /// The outcome a manifest word names, or help for a word that names none.
    pub fn parse(word: &str) -> Result<Outcome, String> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == word)
            .ok_or_else(
                || match did_you_mean(word, Self::ALL.map(Outcome::as_str)) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => "use one of: success, partial, failed".into(),
                },
            )
    }

    /// The word the manifest uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Partial => "partial",
            Outcome::Failed => "failed",
        }
    }
}

/// One use of a page in an engagement.
#[derive(Debug, Clone)]
pub struct Use {
    /// Site-relative source path.
    pub path: String,
    /// Content hash when it was used; `None` for hand-written entries.
    pub hash: Option<String>,
    /// Line of the entry in its manifest file.
    pub line: usize,
    /// Column of the entry's path (or of its `path:` key).
    pub col: usize,
}

/// One engagement from the manifest. Holds private fields: never hand it to rendering.
#[derive(Debug, Clone)]
pub struct Engagement {
    /// Unique id.
    pub id: String,
    /// Private.
    pub customer: Option<String>,
    /// Private.
    pub csm: Option<String>,
    /// Index into `Config::tiers`.
    pub tier: usize,
    /// Days since 1970-01-01.
    pub date: i64,
    /// What happened.
    pub outcome: Outcome,
    /// Private.
    pub note: Option<String>,
    /// Pages used.
    pub used: Vec<Use>,
    /// Manifest file it came from, and the line of its `- id:` entry.
    pub file: String,
    /// Line in `file`.
    pub line: usize,
}

/// The whole manifest, merged from every file.
#[derive(Debug, Default, Clone)]
pub struct Manifest {
    /// Engagements in file order.
    pub engagements: Vec<Engagement>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    /// `engagements:` with nothing under it yet (how a manifest starts) is an empty list.
    #[serde(default)]
    engagements: Option<Vec<Spanned<RawEngagement>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEngagement {
    id: Spanned<String>,
    customer: Option<String>,
    csm: Option<String>,
    tier: Spanned<String>,
    date: Spanned<String>,
    #[serde(default)]
    outcome: Option<Spanned<String>>,
    /// `used:` with nothing under it: none.
    #[serde(default)]
    used: Option<Vec<Spanned<RawUse>>>,
    note: Option<String>,
}

/// `- playbooks/x.md` or `- path: playbooks/x.md` with an optional `hash:`.
#[derive(Debug)]
struct RawUse {
    path: String,
    hash: Option<String>,
}

impl<'de> Deserialize<'de> for RawUse {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawUse;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a path, or `path:` with an optional `hash:`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawUse, E> {
                Ok(RawUse {
                    path: v.to_string(),
                    hash: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawUse, A::Error> {
                let mut path = None;
                let mut hash = None;
                while let Some(k) = map.next_key::<String>()? {
                    match k.as_str() {
                        "path" => path = Some(map.next_value::<String>()?),
                        "hash" => hash = map.next_value::<Option<String>>()?,
                        other => return Err(de::Error::unknown_field(other, &["path", "hash"])),
                    }
                }
                let path = path.ok_or_else(|| de::Error::missing_field("path"))?;
                Ok(RawUse { path, hash })
            }
        }
        d.deserialize_any(V)
    }
}

/// A scalar of the manifest with the 1-based line and column where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct At {
    value: String,
    line: usize,
    col: usize,
}

/// One engagement as written, with positions, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// Line of the engagement's mapping.
    line: usize,
    id: At,
    customer: Option<String>,
    note: Option<String>,
    csm: Option<String>,
    tier: At,
    date: At,
    outcome: Option<At>,
    used: Vec<UseAt>,
}

/// One `used:` item as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UseAt {
    path: String,
    hash: Option<String>,
    line: usize,
    col: usize,
}

fn at(s: Spanned<String>, file: Embedded<'_>) -> At {
    let (line, col) = yaml::position(&s, file);
    At {
        value: s.value,
        line,
        col,
    }
}

/// Reads one manifest file into entries: with [`fast::entries`] when the file keeps to the plain layout that
/// `shirube prove` writes, else (and for every file with a mistake in it) with the YAML parser, whose
/// diagnostics say what is wrong. With errors, the entries are those that could still be read (each bad
/// value's entry left out), so that their own problems are reported in the same run; they are not proof.
fn read_entries(file: &ManifestFile) -> (Vec<Entry>, Vec<Diagnostic>) {
    if let Some(entries) = fast::entries(&file.text) {
        return (entries, Vec::new());
    }
    match read_entries_yaml(file) {
        Ok(entries) => (entries, Vec::new()),
        Err(first) => {
            let here = Embedded {
                path: &file.path,
                file: &file.text,
                line_offset: 0,
            };
            let (raw, diags) = yaml::parse_each_error::<RawManifest>(&file.text, here, true);
            let entries = raw.map(|r| entries_of(r, here)).unwrap_or_default();
            (entries, if diags.is_empty() { vec![first] } else { diags })
        }
    }
}

/// [`read_entries`] with the YAML parser only.
fn read_entries_yaml(file: &ManifestFile) -> Result<Vec<Entry>, Diagnostic> {
    let here = Embedded {
        path: &file.path,
        file: &file.text,
        line_offset: 0,
    };
    let raw: RawManifest = yaml::parse_large(&file.text, here)?;
    Ok(entries_of(raw, here))
}

/// The entries of a parsed manifest, with their positions.
fn entries_of(raw: RawManifest, here: Embedded<'_>) -> Vec<Entry> {
    raw.engagements
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            let line = yaml::position(&e, here).0;
            let e = e.value;
            Entry {
                line,
                id: at(e.id, here),
                customer: e.customer,
                csm: e.csm,
                note: e.note,
                tier: at(e.tier, here),
                date: at(e.date, here),
                outcome: e.outcome.map(|o| at(o, here)),
                used: e
                    .used
                    .unwrap_or_default()
                    .into_iter()
                    .map(|u| {
                        let (line, col) = yaml::position(&u, here);
                        UseAt {
                            path: u.value.path,
                            hash: u.value.hash,
                            line,
                            col,
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// For the fuzz target `manifest` (`fuzz/`), not the pipeline: reads a manifest file's text with the fast reader
/// and, when it takes it, with the YAML parser too. `Ok` says whether the fast reader took it; `Err` says how the
/// two readings differ, which is a bug.
#[doc(hidden)]
pub fn fast_reader_agrees(text: &str) -> Result<bool, String> {
    let Some(fast) = fast::entries(text) else {
        return Ok(false);
    };
    let file = ManifestFile {
        path: crate::load::MANIFEST_FILE.into(),
        text: text.into(),
    };
    match read_entries_yaml(&file) {
        Ok(slow) if slow == fast => Ok(true),
        Ok(slow) => Err(format!("fast reader: {fast:?}\nYAML parser: {slow:?}")),
        Err(d) => Err(format!(
            "the fast reader took what the YAML parser rejects ({}): {fast:?}",
            d.message
        )),
    }
}

/// Parses and validates every manifest file. `known` maps source paths to whether the page's kind is gated.
pub fn parse(
    files: &[ManifestFile],
    config: &Config,
    known: &HashMap<&str, bool>,
    today: i64,
) -> (Manifest, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut manifest = Manifest::default();
    let mut ids: HashMap<String, (usize, usize)> = HashMap::default();
    // Reading is most of the work and each file stands alone: in parallel. So are the checks of each
    // engagement; only duplicate ids are found in file order, so that one is reported where it appears second.
    let read: Vec<(Vec<Entry>, Vec<Diagnostic>)> = files.par_iter().map(read_entries).collect();
    let suggestions = PathSuggestions::default();
    for (f, (file, (entries, errors))) in files.iter().zip(read).enumerate() {
        // A file with a bad value still has its other entries checked, but gives no proof.
        let readable = errors.is_empty();
        diags.extend(errors);
        let lines = Lines::new(&file.text);
        if config.proof.gate.is_empty()
            && let Some(first) = entries.first()
        {
            diags.push(
                Diagnostic::warning(
                    &file.path,
                    "nothing needs proof (`gate: []`), so this manifest is not used",
                )
                .code("manifest-unused")
                .at_in(&lines, first.id.line, first.id.col, first.id.value.chars().count())
                .with_help("to publish pages only once they are proven, list their kinds in shirube.yaml: `proof: gate: [playbook, faq]`"),
            );
        }
        // Per engagement: the duplicate-id error, reported before its other problems.
        let mut duplicate: Vec<Option<Diagnostic>> = vec![None; entries.len()];
        for (e, dup) in entries.iter().zip(&mut duplicate) {
            let id_pos = (e.id.line, e.id.col);
            if let Some(&(first_file, first_line)) = ids.get(&e.id.value) {
                let first_file = &files[first_file].path;
                *dup = Some(
                    Diagnostic::error(
                        &file.path,
                        format!("duplicate engagement id \"{}\"", e.id.value),
                    )
                    .code("duplicate-engagement-id")
                    .at_in(&lines, id_pos.0, id_pos.1, e.id.value.chars().count())
                    .with_help(format!(
                        "{first_file}:{first_line} already uses it; give each engagement its own id"
                    )),
                );
            } else {
                ids.insert(e.id.value.clone(), (f, id_pos.0));
            }
        }
        let checked: Vec<(Option<Engagement>, Vec<Diagnostic>)> = entries
            .into_par_iter()
            .zip(&duplicate)
            .map(|(e, dup)| {
                let ok = dup.is_none() && readable;
                check_entry(e, ok, (file, &lines), config, known, &suggestions, today)
            })
            .collect();
        for ((engagement, d), dup) in checked.into_iter().zip(duplicate) {
            diags.extend(dup);
            diags.extend(d);
            manifest.engagements.extend(engagement);
        }
    }
    (manifest, diags)
}

/// The checks of one engagement that do not depend on the others: tier, date, outcome, paths and hashes.
/// Returns the engagement when it is valid (and `ok`: no problem found before), and what is wrong with it.
fn check_entry(
    e: Entry,
    mut ok: bool,
    (file, lines): (&ManifestFile, &Lines),
    config: &Config,
    known: &HashMap<&str, bool>,
    suggestions: &PathSuggestions,
    today: i64,
) -> (Option<Engagement>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let line = e.line;
    let err = |code: &'static str, s: (usize, usize), len: usize, msg: String| {
        Diagnostic::error(&file.path, msg)
            .code(code)
            .at_in(lines, s.0, s.1, len)
    };
    let tier = config.tier_index(&e.tier.value);
    if tier.is_none() {
        diags.push(
            err(
                "unknown-tier",
                (e.tier.line, e.tier.col),
                e.tier.value.chars().count(),
                format!("unknown tier \"{}\"", e.tier.value),
            )
            .with_help(config.customer_tier_help(&e.tier.value)),
        );
        ok = false;
    }
    let date_pos = (e.date.line, e.date.col);
    let date = match parse_date(&e.date.value) {
        None => {
            diags.push(
                err(
                    "invalid-date",
                    date_pos,
                    e.date.value.chars().count(),
                    format!("invalid date \"{}\"", e.date.value),
                )
                .with_help("write the date as YYYY-MM-DD, for example 2026-10-02"),
            );
            ok = false;
            0
        }
        Some(d) if d > today => {
            diags.push(
                err(
                    "future-date",
                    date_pos,
                    e.date.value.chars().count(),
                    format!("date {} is in the future", e.date.value),
                )
                .with_help(format!(
                    "today is {}; record an engagement once it has happened",
                    format_date(today)
                )),
            );
            ok = false;
            d
        }
        Some(d) => d,
    };
    let outcome = match &e.outcome {
        None => Outcome::Success,
        Some(o) => Outcome::parse(&o.value).unwrap_or_else(|help| {
            diags.push(
                err(
                    "unknown-outcome",
                    (o.line, o.col),
                    o.value.chars().count(),
                    format!("unknown outcome \"{}\"", o.value),
                )
                .with_help(help),
            );
            ok = false;
            Outcome::Failed
        }),
    };
    let (used, uses_ok) = check_uses(
        e.used,
        &e.id.value,
        (file, lines),
        config,
        known,
        suggestions,
        &mut diags,
    );
    ok &= uses_ok;
    let engagement = ok.then(|| Engagement {
        id: e.id.value,
        customer: e.customer,
        csm: e.csm,
        tier: tier.unwrap_or(0),
        date,
        outcome,
        note: e.note,
        used,
        file: file.path.clone(),
        line,
    });
    (engagement, diags)
}

/// The `used:` items of engagement `id`: each must name a page (a gated one, or it is needless) once, with a
/// hash shirube writes if any. Returns the items kept and whether none had an error.
fn check_uses(
    uses: Vec<UseAt>,
    id: &str,
    (file, lines): (&ManifestFile, &Lines),
    config: &Config,
    known: &HashMap<&str, bool>,
    suggestions: &PathSuggestions,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Use>, bool) {
    let err = |code: &'static str, s: (usize, usize), len: usize, msg: String| {
        Diagnostic::error(&file.path, msg)
            .code(code)
            .at_in(lines, s.0, s.1, len)
    };
    let mut used: Vec<Use> = Vec::new();
    let mut ok = true;
    for u in uses {
        let pos = (u.line, u.col);
        // One engagement is one proof, however often it lists a page: the repeat is left out of the count.
        if let Some(first) = used.iter().find(|f| f.path == u.path) {
            diags.push(
                Diagnostic::warning(
                    &file.path,
                    format!(
                        "{} is listed twice in engagement {}",
                        u.path, id
                    ),
                )
                .code("duplicate-use")
                .at_in(
                    lines,
                    pos.0,
                    path_col(lines.get(pos.0).unwrap_or(""), &u.path, pos.1),
                    u.path.chars().count(),
                )
                .with_help(format!(
                    "line {} already lists it, and an engagement counts once however often it lists a page; remove this entry",
                    first.line
                )),
            );
            continue;
        }
        match known.get(u.path.as_str()) {
            None => {
                let help = match suggestions.get(&u.path, || known.keys().copied()) {
                        Some(s) => format!("did you mean \"{s}\"?"),
                        None => "write the path from the site root, for example playbooks/onboarding/connect-sso.md".into(),
                    };
                diags.push(
                    err(
                        "unknown-page",
                        pos,
                        u.path.chars().count(),
                        format!("no page at \"{}\"", u.path),
                    )
                    .with_help(help),
                );
                ok = false;
                continue;
            }
            // With nothing gated, `parse` says so once for the file instead.
            Some(false) if config.proof.gate.is_empty() => {}
            Some(false) => diags.push(
                Diagnostic::warning(
                    &file.path,
                    format!("{} is not gated; this proof is not needed", u.path),
                )
                .code("proof-not-needed")
                .at_in(lines, pos.0, pos.1, u.path.chars().count())
                .with_help(gate_help(config)),
            ),
            Some(true) => {}
        }
        if let Some(h) = &u.hash
            && !is_hash(h)
        {
            let line_text = lines.get(pos.0).unwrap_or("");
            let hash_line = (pos.0..)
                .map_while(|n| lines.get(n).map(|l| (n - 1, l)))
                .find(|(_, l)| l.contains(h.as_str()));
            let (l, c) = hash_line
                .map(|(i, l)| {
                    (
                        i + 1,
                        l.find(h.as_str()).map_or(1, |b| l[..b].chars().count() + 1),
                    )
                })
                .unwrap_or((pos.0, line_text.len().max(1)));
            diags.push(
                Diagnostic::error(&file.path, format!("\"{h}\" is not a hash shirube writes"))
                    .code("invalid-hash")
                    .at_in(lines, l, c, h.chars().count())
                    .with_help(
                        "remove the `hash:` line, or let `shirube prove` write it (16 hex digits)",
                    ),
            );
            ok = false;
        }
        used.push(Use {
            path: u.path,
            hash: u.hash,
            line: pos.0,
            col: pos.1,
        });
    }
    (used, ok)
}

/// The column of `path` on `line` (a `used:` entry whose item starts at `col`): where `- path: x` has the path,
/// not the key.
pub fn path_col(line: &str, path: &str, col: usize) -> usize {
    line.char_indices()
        .nth(col.saturating_sub(1))
        .and_then(|(b, _)| {
            line[b..]
                .find(path)
                .map(|f| line[..b + f].chars().count() + 1)
        })
        .unwrap_or(col)
}

/// Which kinds need proof, as help for a page that needs none.
pub fn gate_help(config: &Config) -> String {
    let kinds: Vec<&str> = config.proof.gate.iter().map(|k| k.id()).collect();
    if kinds.is_empty() {
        "no kind needs proof: `proof: gate:` in shirube.yaml is empty".into()
    } else {
        format!(
            "only these kinds need proof (`proof: gate:` in shirube.yaml): {}",
            kinds.join(", ")
        )
    }
}

/// True for the hashes shirube writes: 16 lowercase hex digits.
pub fn is_hash(s: &str) -> bool {
    s.len() == 16
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Feeds the front matter values a reader sees to `h`, each as `name\0value\0`: what [`content_hash`] hashes
/// before the body.
fn hash_fields(h: &mut Sha256, page: &Page, config: &Config) {
    let mut field = |name: &str, value: &str| {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(value.as_bytes());
        h.update([0]);
    };
    field("title", &page.title);
    field("kind", page.kind.id());
    field(
        "phase",
        page.phase.map_or("", |p| config.phases[p].id.as_str()),
    );
    let tiers: Vec<&str> = page
        .tiers
        .iter()
        .map(|&t| config.tiers[t].id.as_str())
        .collect();
    field("tier", if page.all_tiers { "all" } else { "" });
    field("tiers", &tiers.join(","));
    field("summary", page.summary.as_deref().unwrap_or(""));
    field(
        "time",
        &page.minutes.map(|m| m.to_string()).unwrap_or_default(),
    );
    let requires: Vec<&str> = page.requires.iter().map(|(r, _, _)| r.as_str()).collect();
    field("requires", &requires.join(","));
}

/// The content hash of a page: SHA-256 (first 16 hex digits) over the values that matter to a reader, with
/// line endings and trailing whitespace ignored, so a CRLF checkout or an editor's trailing spaces change nothing.
pub fn content_hash(page: &Page, config: &Config) -> String {
    content_hash_with(page, config, &mut Vec::new())
}

/// [`content_hash`] with a caller's buffer for the normalized body: the gate hashes every page, and one large
/// update of the hash is much cheaper than one per line.
fn content_hash_with(page: &Page, config: &Config, body: &mut Vec<u8>) -> String {
    let mut h = Sha256::new();
    hash_fields(&mut h, page, config);
    // The body's lines without trailing whitespace, blank lines at the start and end left out, joined with
    // `\n`.
    body.clear();
    let mut blank_run = 0usize;
    let mut started = false;
    for line in page.body.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += usize::from(started);
            continue;
        }
        if started {
            body.resize(body.len() + blank_run + 1, b'\n');
        }
        body.extend_from_slice(line.as_bytes());
        started = true;
        blank_run = 0;
    }
    h.update(b"body\0");
    h.update(&body[..]);
    h.update([0]);
    let digest = h.finalize();
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Why a page is or is not published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Enough fresh proof (or not a gated kind).
    Published,
    /// Not enough successful engagements of a tier it targets.
    Unproven,
    /// It had proof, but all of it is older than `max_age_days`.
    Expired,
    /// Changed since its newest proof. Published with `on_change: warn`, held back with `unpublish`.
    Stale,
    /// `draft: true`.
    Draft,
}

impl State {
    /// The state's id, as in `status` and banners.
    pub fn id(self) -> &'static str {
        match self {
            State::Published => "published",
            State::Unproven => "unproven",
            State::Expired => "expired",
            State::Stale => "stale",
            State::Draft => "draft",
        }
    }
}

/// Whether the hash of the newest proof matches the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Drift {
    /// Same content as when proven.
    None,
    /// Changed since.
    Changed,
    /// The newest proof has no hash (written by hand).
    Unknown,
    /// No proof at all.
    Unproven,
}

/// The gate's decision for one page.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The state.
    pub state: State,
    /// Whether `build` publishes it.
    pub published: bool,
    /// Gated by the policy (its kind is in `proof.gate`).
    pub gated: bool,
    /// What it means and what would publish it, for banners and `status`.
    pub reason: String,
    /// Successful, fresh proofs per tier index.
    pub proofs: BTreeMap<usize, u32>,
    /// Date (days) of the newest successful proof of a targeted tier, fresh or not.
    pub newest: Option<i64>,
    /// Days until the proof that keeps it published expires.
    pub expires_in: Option<i64>,
    /// Hash drift against the newest proof.
    pub drift: Drift,
    /// The page's current content hash, when the drift check needed it (see [`Decision::content_hash`]).
    pub hash: Option<String>,
    /// Engagements that used it, by outcome (success, partial, failed), any tier, any age.
    pub uses: [u32; 3],
    /// More successful, fresh engagements it needs to be published (0 unless unproven or expired).
    pub missing: u32,
    /// Successful engagements of a tier the page does not target: recorded, but never its proof.
    pub off_tier: Vec<OffTier>,
}

/// A successful use of a page in an engagement of a tier the page does not target: `check` warns about it,
/// since the author who recorded it most likely takes it for proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffTier {
    /// Engagement id.
    pub engagement: String,
    /// Index into `Config::tiers` of the engagement's tier.
    pub tier: usize,
    /// Manifest file of the engagement.
    pub file: String,
    /// Line of the `used:` entry.
    pub line: usize,
    /// Column of the `used:` entry.
    pub col: usize,
}

/// The warning for a success recorded with a customer of a tier the page does not target (`check` puts it at
/// the `used:` entry, `prove` prints it after recording): message and help.
pub fn off_tier_warning(
    page: &Page,
    engagement: &str,
    tier: usize,
    config: &Config,
) -> (String, String) {
    let targets: Vec<&str> = page
        .tiers
        .iter()
        .map(|&t| config.tiers[t].id.as_str())
        .collect();
    let tier = &config.tiers[tier].id;
    (
        format!(
            "engagement {engagement} is {tier} tier, which {} does not target: it is not proof of the page",
            page.src
        ),
        format!(
            "the page targets {}; it is published after a success {}. If it is meant for {tier} customers too, add {tier} to its `tier:`",
            targets.join(", "),
            tier_phrase(page, config)
        ),
    )
}

impl Decision {
    /// The content hash of `page` (the page this decision is for): the one the gate computed, if it did.
    pub fn content_hash(&self, page: &Page, config: &Config) -> String {
        self.hash
            .clone()
            .unwrap_or_else(|| content_hash(page, config))
    }
}

/// Decides every page. `pages[i]` gets `decisions[i]`.
pub fn gate(pages: &[&Page], manifest: &Manifest, config: &Config, today: i64) -> Vec<Decision> {
    let mut by_path: HashMap<&str, Vec<(&Engagement, &Use)>> = HashMap::default();
    for e in &manifest.engagements {
        for u in &e.used {
            let list = by_path.entry(u.path.as_str()).or_default();
            // Proof is counted in engagements: a page listed twice in one (which `parse` already leaves out)
            // counts once.
            if !list.last().is_some_and(|(last, _)| std::ptr::eq(*last, e)) {
                list.push((e, u));
            }
        }
    }
    // In parallel: a decision hashes the page's content when its newest proof carries a hash.
    pages
        .par_iter()
        .map_init(Vec::new, |buf, p| {
            let uses = by_path.get(p.src.as_str()).map_or(&[][..], Vec::as_slice);
            decide(p, uses, config, today, buf)
        })
        .collect()
}

fn decide(
    page: &Page,
    uses: &[(&Engagement, &Use)],
    config: &Config,
    today: i64,
    buf: &mut Vec<u8>,
) -> Decision {
    let policy = &config.proof;
    let gated = policy.gate.contains(&page.kind) && !crate::routes::is_intro_path(&page.src);
    let mut counts = [0u32; 3];
    for (e, _) in uses {
        counts[e.outcome as usize] += 1;
    }
    let successful: Vec<&(&Engagement, &Use)> = uses
        .iter()
        .filter(|(e, _)| e.outcome == Outcome::Success && page.tiers.contains(&e.tier))
        .collect();
    let max_age = i64::from(policy.max_age_days);
    let fresh: Vec<&&(&Engagement, &Use)> = successful
        .iter()
        .filter(|(e, _)| today - e.date <= max_age)
        .collect();
    let mut proofs: BTreeMap<usize, u32> = BTreeMap::new();
    for (e, _) in &fresh {
        *proofs.entry(e.tier).or_default() += 1;
    }
    let newest = successful.iter().max_by_key(|(e, _)| e.date);
    // Hashed only when the newest proof has a hash to compare with.
    let hash = newest
        .filter(|(_, u)| u.hash.is_some())
        .map(|_| content_hash_with(page, config, buf));
    let drift = match (newest, &hash) {
        (None, _) => Drift::Unproven,
        (Some((_, u)), Some(now)) if u.hash.as_ref() == Some(now) => Drift::None,
        (Some(_), Some(_)) => Drift::Changed,
        (Some(_), None) => Drift::Unknown,
    };
    // The proof that keeps the page published is the min_proofs-th newest fresh one.
    let mut fresh_dates: Vec<i64> = fresh.iter().map(|(e, _)| e.date).collect();
    fresh_dates.sort_unstable_by(|a, b| b.cmp(a));
    let needed = policy.min_proofs.max(1) as usize;
    let expires_in = fresh_dates.get(needed - 1).map(|d| d + max_age - today);
    let mut d = Decision {
        state: State::Published,
        published: true,
        gated,
        reason: String::new(),
        proofs,
        newest: newest.map(|(e, _)| e.date),
        expires_in,
        drift,
        hash,
        uses: counts,
        missing: 0,
        off_tier: uses
            .iter()
            .filter(|(e, _)| e.outcome == Outcome::Success && !page.tiers.contains(&e.tier))
            .map(|(e, u)| OffTier {
                engagement: e.id.clone(),
                tier: e.tier,
                file: e.file.clone(),
                line: u.line,
                col: u.col,
            })
            .collect(),
    };
    if page.draft {
        d.state = State::Draft;
        d.published = false;
        d.reason = "draft: remove `draft: true` from the front matter to publish it".into();
        return d;
    }
    if !gated {
        return d;
    }
    let tiers = tier_phrase(page, config);
    if fresh.len() >= needed {
        if drift == Drift::Changed {
            d.state = State::Stale;
            d.published = policy.on_change == OnChange::Warn;
            d.reason = format!(
                "changed since it was last proven on {}; prove it again {tiers} (shirube prove {})",
                format_date(d.newest.unwrap_or(today)),
                page.src
            );
        }
        return d;
    }
    d.published = false;
    let missing = needed - fresh.len();
    d.missing = missing as u32;
    let engagements = if missing == 1 {
        "engagement"
    } else {
        "engagements"
    };
    if successful.len() >= needed {
        d.state = State::Expired;
        d.reason = format!(
            "its proof is older than {} days (newest {}); needs {missing} more successful {engagements} {tiers}",
            policy.max_age_days,
            format_date(d.newest.unwrap_or(today))
        );
    } else {
        d.state = State::Unproven;
        d.reason = format!("needs {missing} more successful {engagements} {tiers}");
    }
    d
}

/// `with a low-touch customer`, `with a low-touch or mid-touch customer`, `with a customer of any tier`.
fn tier_phrase(page: &Page, config: &Config) -> String {
    let names: Vec<String> = page
        .tiers
        .iter()
        .map(|&t| {
            let n = config.tiers[t].name.to_lowercase();
            match n.strip_suffix(" touch") {
                Some(stem) => format!("{stem}-touch"),
                None => n,
            }
        })
        .collect();
    match names.as_slice() {
        _ if page.all_tiers => "with a customer of any tier".into(),
        [] => "with a customer of any tier".into(),
        [one] => format!("with a {one} customer"),
        [rest @ .., last] => format!("with a {} or {last} customer", rest.join(", ")),
    }
}

/// A reader for manifests in the plain layout that `shirube prove` and the sample write: block mappings and
/// sequences, one `key: value` a line, plain or simply quoted scalars, comments. Reading and validating 20,000
/// engagements took 136-199 ms with it against 830-1190 ms with the YAML parser (2 shared CPUs, load ~5): the
/// parse was the gate's biggest cost. It gives up, returning `None`, at
/// the first thing outside that layout or anything that may be a mistake (unknown or repeated keys, a missing
/// id, tabs, anchors, flow collections, block scalars, continued lines, escapes other than `\"` and `\\`,
/// null values, CRLF line ends): the YAML parser then reads the whole file, so results and diagnostics are
/// the parser's own. Where it does not give up it returns what the parser would, positions included; the
/// tests check that against the parser on generated and hand-made manifests.
mod fast {
    use super::{At, Entry, UseAt};

    const ENGAGEMENT_KEYS: [&str; 8] = [
        "id", "customer", "csm", "tier", "date", "outcome", "used", "note",
    ];

    /// From this size on, a manifest is read in parallel (see [`entries`]).
    pub(super) const PARALLEL_FROM: usize = 256 * 1024;

    /// Entries of `text`, or `None` when the YAML parser must read it.
    ///
    /// A large file (a team's history: 20,000 engagements are 7 MB) is cut before lines that start an
    /// engagement, `- ` at the indent of the first one, and the runs are read in parallel. Each run is read as
    /// it would be in one pass: anything the line reader does not know sends the whole file to the parser.
    pub(super) fn entries(text: &str) -> Option<Vec<Entry>> {
        let Some((indent, cuts)) = (text.len() >= PARALLEL_FROM).then(|| cuts(text)).flatten()
        else {
            return entries_in(text, 1, None);
        };
        use rayon::prelude::*;
        let mut bounds = vec![0];
        bounds.extend(cuts);
        bounds.push(text.len());
        let runs: Vec<&str> = bounds.windows(2).map(|w| &text[w[0]..w[1]]).collect();
        // Each run's first line number: the newlines before it, counted run by run.
        let newlines: Vec<usize> = runs
            .par_iter()
            .map(|r| r.bytes().filter(|&b| b == b'\n').count())
            .collect();
        let firsts = newlines.iter().scan(1, |line, n| {
            let first = *line;
            *line += n;
            Some(first)
        });
        let jobs: Vec<(usize, &str)> = firsts.zip(runs).collect();
        let read: Vec<Option<Vec<Entry>>> = jobs
            .par_iter()
            .map(|&(first_line, run)| {
                let after_header = (first_line > 1).then_some(indent);
                entries_in(run, first_line, after_header)
            })
            .collect();
        let mut out = Vec::new();
        for entries in read {
            out.extend(entries?);
        }
        Some(out)
    }

    /// Where to cut `text` for [`entries`]: the indent of the engagements' `- `, and byte offsets of lines
    /// that start an engagement, about evenly spaced. `None` when there is no such line to cut at.
    pub(super) fn cuts(text: &str) -> Option<(usize, Vec<usize>)> {
        let header = if text.starts_with("engagements:") {
            0
        } else {
            text.find("\nengagements:")? + 1
        };
        let after = header + text[header..].find('\n')? + 1;
        let first = text[after..].split('\n').find(|l| {
            let rest = l.trim_start_matches(' ');
            !rest.is_empty() && !rest.starts_with('#')
        })?;
        let item = first.trim_start_matches(' ');
        if !item.starts_with("- ") {
            return None;
        }
        let indent = first.len() - item.len();
        let marker = format!("\n{}- ", " ".repeat(indent));
        let runs = rayon::current_num_threads() * 4;
        let mut cuts = Vec::new();
        let mut from = after;
        for k in 1..runs {
            let mut target = (text.len() * k / runs).max(from);
            while !text.is_char_boundary(target) {
                target += 1;
            }
            let Some(at) = text[target..].find(&marker) else {
                break;
            };
            // After the newline: the run starts with the engagement's line.
            let cut = target + at + 1;
            if cut > from {
                cuts.push(cut);
                from = cut;
            }
        }
        (!cuts.is_empty()).then_some((indent, cuts))
    }

    /// [`entries`] of one run of lines, the first of them line `first_line` of the file. `after_header`: the
    /// run starts after `engagements:`, with engagements at this indent.
    pub(super) fn entries_in(
        text: &str,
        first_line: usize,
        after_header: Option<usize>,
    ) -> Option<Vec<Entry>> {
        if !plain_bytes(text.as_bytes()) {
            return None;
        }
        let mut out = Vec::new();
        let mut header = after_header.is_some();
        let mut closed = false; // `engagements: []`
        let mut item_indent = after_header;
        let mut cur: Option<Building> = None;
        for (i, raw) in text.split('\n').enumerate() {
            let no = first_line + i;
            let rest = raw.trim_start_matches(' ');
            if rest.is_empty() || rest.starts_with('#') {
                continue;
            }
            let indent = raw.len() - rest.len();
            if !header {
                let value = rest.strip_prefix("engagements:").filter(|_| indent == 0)?;
                match scalar_part(value)? {
                    Part::Empty => {}
                    Part::EmptyList => closed = true,
                    Part::Value(..) => return None,
                }
                header = true;
                continue;
            }
            if closed {
                return None;
            }
            if let Some(item) = rest.strip_prefix("- ") {
                if let Some(b) = cur.as_mut()
                    && b.used_open
                    && indent >= b.key_indent
                    && *b.used_indent.get_or_insert(indent) == indent
                {
                    b.push_use(item, no, indent + 2)?;
                    continue;
                }
                if *item_indent.get_or_insert(indent) != indent || item.starts_with(' ') {
                    return None;
                }
                if let Some(b) = cur.take() {
                    out.push(b.finish()?);
                }
                let mut b = Building::new(indent + 2);
                b.key(item, no, indent + 2)?;
                cur = Some(b);
                continue;
            }
            let b = cur.as_mut()?;
            if b.used_open && b.used_indent.is_some_and(|u| indent == u + 2) && b.use_is_map {
                b.use_key(rest, no, indent)?;
            } else if indent == b.key_indent {
                b.key(rest, no, indent)?;
            } else {
                return None;
            }
        }
        if let Some(b) = cur.take() {
            out.push(b.finish()?);
        }
        // `engagements:` with nothing under it is null: left to the parser.
        (header && (closed || !out.is_empty() || after_header.is_some())).then_some(out)
    }

    /// No byte that the YAML parser treats specially or rejects: control characters other than `\n` (so no
    /// tab, no CR), DEL, C1 controls, U+2028/2029, U+FEFF, U+FFFE/FFFF.
    fn plain_bytes(b: &[u8]) -> bool {
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if (c < 0x20 && c != b'\n') || c == 0x7f {
                return false;
            }
            if c >= 0x80 {
                let next = b.get(i + 1).copied().unwrap_or(0);
                let third = b.get(i + 2).copied().unwrap_or(0);
                match c {
                    0xc2 if (0x80..=0x9f).contains(&next) => return false,
                    0xe2 if next == 0x80 && (third == 0xa8 || third == 0xa9) => return false,
                    0xef if (next == 0xbb && third == 0xbf)
                        || (next == 0xbf && (third == 0xbe || third == 0xbf)) =>
                    {
                        return false;
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        true
    }

    struct Building {
        key_indent: usize,
        line: usize,
        seen: u8,
        id: Option<At>,
        customer: Option<String>,
        note: Option<String>,
        csm: Option<String>,
        tier: Option<At>,
        date: Option<At>,
        outcome: Option<At>,
        used: Vec<UseAt>,
        used_open: bool,
        used_indent: Option<usize>,
        use_is_map: bool,
        use_seen: u8,
    }

    impl Building {
        fn new(key_indent: usize) -> Self {
            Building {
                key_indent,
                line: 0,
                seen: 0,
                id: None,
                customer: None,
                csm: None,
                note: None,
                tier: None,
                date: None,
                outcome: None,
                used: Vec::new(),
                used_open: false,
                used_indent: None,
                use_is_map: false,
                use_seen: 0,
            }
        }

        /// `key: value` of the engagement, starting at column `indent` (0-based) of line `no`.
        fn key(&mut self, s: &str, no: usize, indent: usize) -> Option<()> {
            if self.used_open && self.used.is_empty() {
                return None; // `used:` with nothing under it is null
            }
            self.check_use()?;
            self.used_open = false;
            let (key, value) = s.split_once(':')?;
            let k = ENGAGEMENT_KEYS.iter().position(|&n| n == key)?;
            if self.seen & (1 << k) != 0 {
                return None;
            }
            self.seen |= 1 << k;
            if self.line == 0 {
                self.line = no;
            }
            let col0 = indent + key.len() + 1;
            let part = scalar_part(value)?;
            if key == "used" {
                match part {
                    Part::Empty => self.used_open = true,
                    Part::EmptyList => {}
                    Part::Value(..) => return None,
                }
                return Some(());
            }
            let Part::Value(value, offset) = part else {
                return None;
            };
            let at = At {
                value,
                line: no,
                col: col0 + offset + 1,
            };
            match key {
                "id" => self.id = Some(at),
                "customer" => self.customer = Some(at.value),
                "csm" => self.csm = Some(at.value),
                "tier" => self.tier = Some(at),
                "date" => self.date = Some(at),
                "outcome" => self.outcome = Some(at),
                "note" => self.note = Some(at.value),
                _ => {}
            }
            Some(())
        }

        /// A `- ...` item of `used:`, its text starting at column `indent` (0-based).
        fn push_use(&mut self, s: &str, no: usize, indent: usize) -> Option<()> {
            self.check_use()?;
            if s.starts_with(' ') {
                return None;
            }
            let is_key = |k: &str| {
                s.strip_prefix(k)
                    .and_then(|r| r.strip_prefix(':'))
                    .is_some_and(|r| r.is_empty() || r.starts_with(' '))
            };
            if is_key("path") || is_key("hash") {
                self.used.push(UseAt {
                    path: String::new(),
                    hash: None,
                    line: no,
                    col: indent + 1,
                });
                self.use_is_map = true;
                self.use_seen = 0;
                return self.use_key(s, no, indent);
            }
            let Part::Value(path, offset) = value(s, 0)? else {
                return None;
            };
            // A bare item is read with no type asked for: YAML makes `0` or `true` a number or a boolean, not a
            // path, and the parser says so.
            if !s.starts_with(['"', '\'']) && typed(&path) {
                return None;
            }
            self.use_is_map = false;
            self.used.push(UseAt {
                path,
                hash: None,
                line: no,
                col: indent + offset + 1,
            });
            Some(())
        }

        /// `path: ...` or `hash: ...` of a `used:` item.
        fn use_key(&mut self, s: &str, _no: usize, _indent: usize) -> Option<()> {
            let (key, value) = s.split_once(':')?;
            let bit = match key {
                "path" => 1,
                "hash" => 2,
                _ => return None,
            };
            if self.use_seen & bit != 0 {
                return None;
            }
            self.use_seen |= bit;
            let Part::Value(value, _) = scalar_part(value)? else {
                return None;
            };
            let u = self.used.last_mut()?;
            if bit == 1 {
                u.path = value;
            } else {
                u.hash = Some(value);
            }
            Some(())
        }

        /// The last `used:` item, if a mapping, has its path.
        fn check_use(&self) -> Option<()> {
            if self.use_is_map && !self.used.is_empty() && self.use_seen & 1 == 0 {
                return None;
            }
            Some(())
        }

        fn finish(self) -> Option<Entry> {
            self.check_use()?;
            if self.used_open && self.used.is_empty() {
                return None;
            }
            Some(Entry {
                line: self.line,
                id: self.id?,
                customer: self.customer,
                csm: self.csm,
                note: self.note,
                tier: self.tier?,
                date: self.date?,
                outcome: self.outcome,
                used: self.used,
            })
        }
    }

    enum Part {
        /// Nothing, or only a comment.
        Empty,
        /// `[]`.
        EmptyList,
        /// A string, and the byte offset in the part where it starts.
        Value(String, usize),
    }

    /// What follows `key:` (or `- `): a space and a scalar, or nothing. `None` for anything else.
    fn scalar_part(s: &str) -> Option<Part> {
        if s.is_empty() {
            return Some(Part::Empty);
        }
        if !s.starts_with(' ') {
            return None;
        }
        let t = s.trim_start_matches(' ');
        if t.is_empty() || t.starts_with('#') {
            return Some(Part::Empty);
        }
        value(t, s.len() - t.len())
    }

    /// A scalar (or `[]`) that starts at the beginning of `t`, which starts `offset` bytes into its part.
    fn value(t: &str, offset: usize) -> Option<Part> {
        let (value, after) = match *t.as_bytes().first()? {
            b'"' => quoted(&t[1..], b'"')?,
            b'\'' => quoted(&t[1..], b'\'')?,
            b'[' if t.starts_with("[]") => {
                return comment_only(&t[2..]).then_some(Part::EmptyList);
            }
            b'-' | b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!'
            | b'|' | b'>' | b'%' | b'@' | b'`' => return None,
            _ => {
                let end = t.find(" #").unwrap_or(t.len());
                let v = t[..end].trim_end_matches(' ');
                if v.contains(": ")
                    || v.ends_with(':')
                    || matches!(v, "null" | "Null" | "NULL" | "~")
                {
                    return None;
                }
                return Some(Part::Value(v.to_string(), offset));
            }
        };
        comment_only(after).then_some(Part::Value(value, offset))
    }

    /// Whether YAML may read the plain scalar `v` as something other than text when no type is asked for: a
    /// boolean, or anything that starts like a number (`0`, `-1`, `1.5`, `.inf`, `0x1f`). Erring towards yes
    /// only sends the file to the parser.
    fn typed(v: &str) -> bool {
        matches!(v, "true" | "True" | "TRUE" | "false" | "False" | "FALSE")
            || v.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.'))
    }

    /// The text after a closing quote: nothing, spaces, or spaces and a comment.
    fn comment_only(after: &str) -> bool {
        let t = after.trim_start_matches(' ');
        t.is_empty() || (t.starts_with('#') && t.len() < after.len())
    }

    /// The inside of a one-line quoted scalar and the text after its closing quote. Double quotes allow only
    /// the escapes `\"` and `\\`; single quotes only `''`.
    fn quoted(s: &str, q: u8) -> Option<(String, &str)> {
        let b = s.as_bytes();
        let mut out = String::with_capacity(s.len());
        let mut start = 0;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if q == b'"' && c == b'\\' {
                let next = *b.get(i + 1)?;
                if next != b'"' && next != b'\\' {
                    return None;
                }
                out.push_str(&s[start..i]);
                out.push(next as char);
                i += 2;
                start = i;
            } else if c == q {
                if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                    out.push_str(&s[start..=i]);
                    i += 2;
                    start = i;
                } else {
                    out.push_str(&s[start..i]);
                    return Some((out, &s[i + 1..]));
                }
            } else {
                i += 1;
            }
        }
        None // not closed on this line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn config(extra: &str) -> Config {
        let (c, d) = crate::config::parse(&format!("title: T\n{extra}"));
        assert!(d.is_empty(), "{d:?}");
        c.expect("valid config")
    }

    fn page(src: &str, tiers: &[usize], body: &str) -> Page {
        Page {
            src: src.into(),
            kind: Kind::Playbook,
            title: "SSO".into(),
            phase: Some(0),
            tiers: tiers.to_vec(),
            all_tiers: tiers.len() == 4,
            summary: None,
            minutes: Some(20),
            weight: 0,
            tags: vec![],
            before_kickoff: false,
            requires: vec![],
            draft: false,
            url: "playbooks/onboarding/sso/".into(),
            aliases: Vec::new(),
            body: body.into(),
            body_line: 5,
        }
    }

    fn manifest(c: &Config, yaml: &str, today: i64) -> (Manifest, Vec<Diagnostic>) {
        let known: HashMap<&str, bool> = [
            ("playbooks/onboarding/sso.md", true),
            ("content/about.md", false),
        ]
        .into_iter()
        .collect();
        parse(
            &[ManifestFile {
                path: "manifest.yaml".into(),
                text: yaml.into(),
            }],
            c,
            &known,
            today,
        )
    }

    fn day(s: &str) -> i64 {
        parse_date(s).expect("valid date")
    }

    fn engagement(tier: &str, date: &str, outcome: &str, hash: Option<&str>) -> String {
        let hash = hash
            .map(|h| format!("\n        hash: {h}"))
            .unwrap_or_default();
        format!(
            "  - id: E-{tier}-{date}-{outcome}\n    tier: {tier}\n    date: {date}\n    outcome: {outcome}\n    used:\n      - path: playbooks/onboarding/sso.md{hash}\n"
        )
    }

    fn decide_one(c: &Config, p: &Page, engagements: &[String], today: &str) -> Decision {
        let yaml = format!("engagements:\n{}", engagements.concat());
        let (m, d) = manifest(c, &yaml, day(today));
        assert!(d.is_empty(), "{d:?}");
        gate(&[p], &m, c, day(today)).remove(0)
    }

    fn file(text: &str) -> ManifestFile {
        ManifestFile {
            path: "manifest.yaml".into(),
            text: text.into(),
        }
    }

    /// Where the fast reader accepts a text, the YAML parser accepts it too and reads the same entries, with
    /// the same positions. Returns whether the fast reader accepted it.
    fn agrees(text: &str) -> bool {
        fast_reader_agrees(text).unwrap_or_else(|e| panic!("{e}\non:\n{text}"))
    }

    #[test]
    fn fast_reader_reads_the_shipped_manifests_as_the_parser_does() {
        for (name, text) in [
            ("sample", include_str!("../manifest.yaml")),
            ("init en", include_str!("init/en/manifest.yaml")),
            ("init ja", include_str!("init/ja/manifest.yaml")),
        ] {
            assert!(agrees(text), "{name}: the fast reader gave up");
        }
    }

    #[test]
    fn a_used_item_that_yaml_reads_as_a_number_is_left_to_the_parser() {
        // Found by `cargo fuzz run manifest`: the fast reader took `- 0` as the path "0", the parser says it is
        // an integer where a path is expected.
        let head =
            "engagements:\n  - id: A\n    tier: low\n    date: 2026-10-01\n    used:\n      - ";
        for item in ["0", "true", "1.5", ".inf", "-1", "0x1f"] {
            let text = format!("{head}{item}\n");
            assert_eq!(fast_reader_agrees(&text), Ok(false), "{item}");
            assert!(read_entries_yaml(&file(&text)).is_err(), "{item}");
        }
        // Quoted, it is a path.
        assert_eq!(fast_reader_agrees(&format!("{head}'0'\n")), Ok(true));
    }

    #[test]
    fn fast_reader_agrees_on_hand_written_layouts() {
        let accepted = [
            "engagements: []\n",
            "# c\nengagements:   # c\n- id: A\n  tier: low\n  date: 2026-10-01\n",
            "engagements:\n  - id: \"A \\\"q\\\" \\\\\"  # c\n    customer: 'it''s'\n    tier: low\n    date: 2026-10-01\n    used: []\n",
            "engagements:\n  - tier: low\n    id: A#1\n    date: 2026-10-01\n    used:\n    - a.md\n    - path: b.md   # c\n      hash: 0123456789abcdef\n    - c.md\n    note: x:y, [z] {w}\n",
            "engagements:\n  - id: A\n    tier: low\n    date: 2026-10-01\n    used:\n\n        # comment\n        - hash: x\n          path: \"ä.md\"\n# at column 0\n    outcome: partial\n  - id: 株式会社\n    customer: 東京 KK\n    tier: mid\n    date: 2026-01-01\n",
            "engagements:\n  - id: 42\n    csm: true\n    tier: low\n    date: 2026-10-01\n    outcome: .inf\n",
        ];
        for text in accepted {
            assert!(agrees(text), "the fast reader gave up on:\n{text}");
        }
        // Outside the plain layout, or mistakes: left to the parser (which reports the mistakes).
        let refused = [
            "",
            "engagements:\n",
            "engagements:\n  - id: A\n    tier: low\n    date: 2026-10-01\n    used:\n",
            "engagements:\r\n  - id: A\r\n    tier: low\r\n    date: 2026-10-01\r\n",
            "engagements:\n  - id: A\n    tier:\tlow\n    date: 2026-10-01\n",
            "engagements:\n  - id: A\n    id: B\n    tier: low\n    date: 2026-10-01\n",
            "engagements:\n  - id: A\n    tire: low\n    date: 2026-10-01\n",
            "engagements:\n  - id: A\n    date: 2026-10-01\n",
            "engagements:\n  - id: A\n    tier: low\n    date: 2026-10-01\n    note: two\n      lines\n",
            "engagements:\n  - id: A\n    tier: low\n    date: 2026-10-01\n    note: |\n      block\n",
            "engagements:\n  - id: &a A\n    tier: low\n    date: 2026-10-01\n",
            "engagements:\n  - id: A\n    tier: low\n    date: 2026-10-01\n    used: [a.md]\n",
            "engagements:\n  - id: A\n    tier: low\n    date: 2026-10-01\n    used:\n      - hash: x\n",
            "engagements:\n  - id: A\n    customer: null\n    tier: low\n    date: 2026-10-01\n",
            "engagements:\n  - id: \"a\\nb\"\n    tier: low\n    date: 2026-10-01\n",
            "engagements:\n  - id: A\n    tier: low\n    date: 2026-10-01\n    note: a: b\n",
            "engagements:\n  - id: A\n    tier: low\n    date: 2026-10-01\n---\n",
            "other: 1\nengagements: []\n",
        ];
        for text in refused {
            assert!(
                fast::entries(text).is_none(),
                "the fast reader took:\n{text}"
            );
        }
    }

    #[test]
    fn a_large_manifest_is_read_in_parallel_as_in_one_pass() {
        // Over PARALLEL_FROM, with comments, blank lines, both `used` forms, Japanese text and hashes, so that
        // runs start at every kind of line; the result must be the one-pass reading, and the parser's.
        let mut text = String::from("# history\nengagements:\n");
        let mut n = 0;
        while text.len() < 600 * 1024 {
            n += 1;
            if n % 7 == 0 {
                text.push_str("\n  # 四半期の区切り\n");
            }
            text.push_str(&format!(
                "  - id: ENG-{n}\n    customer: 株式会社 {n}\n    tier: {}\n    date: 2026-0{}-1{}\n    used:\n",
                ["low", "mid", "high"][n % 3],
                1 + n % 9,
                n % 10
            ));
            if n % 2 == 0 {
                text.push_str(&format!(
                    "      - path: playbooks/p{n}.md\n        hash: 0123456789abcdef\n"
                ));
            } else {
                text.push_str(&format!(
                    "      - content/faq/q{n}.md\n      - playbooks/x.md\n"
                ));
            }
            if n % 5 == 0 {
                text.push_str("    note: 手順3で止まりました。\n");
            }
        }
        assert!(text.len() > fast::PARALLEL_FROM);
        let (indent, cuts) = fast::cuts(&text).expect("places to cut");
        assert_eq!(indent, 2);
        assert!(cuts.len() >= 3, "{cuts:?}");
        assert!(cuts.iter().all(|&c| text[c..].starts_with("  - id: ENG-")));
        let parallel = fast::entries(&text).expect("the fast reader reads it");
        assert_eq!(parallel.len(), n);
        assert_eq!(Some(&parallel), fast::entries_in(&text, 1, None).as_ref());
        assert!(agrees(&text));
        // A mistake in a later run sends the whole file to the parser.
        let broken = text.replacen("    tier: mid\n", "    tier:\tmid\n", 40);
        assert!(fast::entries(&broken).is_none());
    }

    #[test]
    fn fast_reader_agrees_with_the_parser_on_mutated_manifests() {
        // A tiny deterministic generator: no dependency, the same cases on every run.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let base = "# top\nengagements:\n  - id: ENG-1 # c\n    customer: \"Acme \\\"KK\\\"\"\n    csm: 'o''neil'\n    tier: low\n    date: 2026-10-01\n    outcome: success\n    used:\n      - path: playbooks/a.md\n        hash: 0123456789abcdef\n      - content/faq/b.md\n    note: Went well; all good.\n\n  - id: ENG-2\n    tier: mid\n    date: 2026-10-02\n    used: []\n";
        assert!(agrees(base));
        let pieces = [
            " ",
            "  ",
            ":",
            ": ",
            "#",
            " #",
            "-",
            "- ",
            "\"",
            "'",
            "\\",
            "\n",
            "\n  ",
            "\n    ",
            "x",
            "[",
            "]",
            "{",
            "&a ",
            "*a",
            "|",
            ">",
            "!",
            "%",
            "?",
            ",",
            "\t",
            "\r",
            "~",
            "null",
            "é",
            "id: Z\n    ",
        ];
        let mut accepted = 0;
        for _ in 0..4000 {
            let mut text = base.to_string();
            for _ in 0..1 + next(3) {
                let mut at = next(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match next(3) {
                    0 => {
                        let mut end = (at + 1 + next(4)).min(text.len());
                        while !text.is_char_boundary(end) {
                            end += 1;
                        }
                        text.replace_range(at..end, "");
                    }
                    _ => text.insert_str(at, pieces[next(pieces.len())]),
                }
            }
            accepted += usize::from(agrees(&text));
        }
        // Enough mutants stay in the plain layout for the comparison to mean something.
        assert!(
            accepted > 400,
            "only {accepted} mutants were read by the fast reader"
        );
    }

    #[test]
    fn dates_round_trip() {
        for s in ["1970-01-01", "2000-02-29", "2026-11-25", "2100-12-31"] {
            assert_eq!(format_date(day(s)), s);
        }
        assert_eq!(day("1970-01-02"), 1);
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-1-1",
            "2025-02-29",
            "yesterday",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn tier_rule_only_counts_targeted_tiers() {
        let c = config("");
        let p = page("playbooks/onboarding/sso.md", &[1, 2], "Body");
        let d = decide_one(
            &c,
            &p,
            &[engagement("high", "2026-10-01", "success", None)],
            "2026-11-25",
        );
        assert_eq!((d.state, d.published), (State::Unproven, false));
        assert_eq!(
            d.reason,
            "needs 1 more successful engagement with a low-touch or mid-touch customer"
        );
        let d = decide_one(
            &c,
            &p,
            &[engagement("mid", "2026-10-01", "success", None)],
            "2026-11-25",
        );
        assert_eq!(
            (d.state, d.published, d.drift),
            (State::Published, true, Drift::Unknown)
        );
        assert_eq!(d.proofs, BTreeMap::from([(2, 1)]));
    }

    #[test]
    fn partial_and_failed_are_not_proof() {
        let c = config("");
        let p = page("playbooks/onboarding/sso.md", &[0, 1, 2, 3], "Body");
        let e = [
            engagement("low", "2026-10-01", "partial", None),
            engagement("low", "2026-10-02", "failed", None),
        ];
        let d = decide_one(&c, &p, &e, "2026-11-25");
        assert_eq!(d.state, State::Unproven);
        assert_eq!(d.uses, [0, 1, 1]);
        assert_eq!(
            d.reason,
            "needs 1 more successful engagement with a customer of any tier"
        );
    }

    #[test]
    fn min_proofs_counts_engagements() {
        let c = config("proof:\n  min_proofs: 2\n");
        let p = page("playbooks/onboarding/sso.md", &[1], "Body");
        let d = decide_one(
            &c,
            &p,
            &[engagement("low", "2026-10-01", "success", None)],
            "2026-11-25",
        );
        assert_eq!(
            d.reason,
            "needs 1 more successful engagement with a low-touch customer"
        );
        let e = [
            engagement("low", "2026-10-01", "success", None),
            engagement("low", "2026-10-03", "success", None),
        ];
        assert_eq!(decide_one(&c, &p, &e, "2026-11-25").state, State::Published);
    }

    #[test]
    fn a_page_listed_twice_in_one_engagement_counts_once() {
        let c = config("proof:\n  min_proofs: 2\n");
        let p = page("playbooks/onboarding/sso.md", &[1], "Body");
        let yaml = "engagements:\n  - id: E1\n    tier: low\n    date: 2026-10-01\n    used:\n      - path: playbooks/onboarding/sso.md\n      - playbooks/onboarding/sso.md\n";
        let (m, d) = manifest(&c, yaml, day("2026-11-25"));
        let got: Vec<String> = d
            .iter()
            .map(super::super::diagnostics::Diagnostic::render)
            .collect();
        assert_eq!(
            got,
            [
                "manifest.yaml:7:9: warning[duplicate-use]: playbooks/onboarding/sso.md is listed twice in engagement E1\n 7 |       - playbooks/onboarding/sso.md\n   |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  help: line 6 already lists it, and an engagement counts once however often it lists a page; remove this entry\n"
            ]
        );
        assert_eq!(m.engagements[0].used.len(), 1);
        let d = gate(&[&p], &m, &c, day("2026-11-25")).remove(0);
        assert_eq!((d.state, d.uses), (State::Unproven, [1, 0, 0]));
        assert_eq!(d.proofs, BTreeMap::from([(1, 1)]));
        // The gate counts engagements even when handed a repeated use.
        let mut m = m;
        let again = m.engagements[0].used[0].clone();
        m.engagements[0].used.push(again);
        let d = gate(&[&p], &m, &c, day("2026-11-25")).remove(0);
        assert_eq!((d.state, d.uses), (State::Unproven, [1, 0, 0]));
    }

    #[test]
    fn expiry_boundary_is_inclusive() {
        let c = config("proof:\n  max_age_days: 30\n");
        let p = page("playbooks/onboarding/sso.md", &[1], "Body");
        let e = [engagement("low", "2026-10-26", "success", None)];
        let d = decide_one(&c, &p, &e, "2026-11-25"); // exactly 30 days
        assert_eq!((d.state, d.expires_in), (State::Published, Some(0)));
        let d = decide_one(&c, &p, &e, "2026-11-26"); // 31 days
        assert_eq!((d.state, d.published), (State::Expired, false));
        assert!(
            d.reason
                .starts_with("its proof is older than 30 days (newest 2026-10-26)"),
            "{}",
            d.reason
        );
    }

    #[test]
    fn stale_follows_on_change() {
        let p = page("playbooks/onboarding/sso.md", &[1], "Step one.\n");
        let c = config("");
        let old = engagement("low", "2026-10-01", "success", Some("0123456789abcdef"));
        let d = decide_one(&c, &p, std::slice::from_ref(&old), "2026-11-25");
        assert_eq!(
            (d.state, d.published, d.drift),
            (State::Stale, true, Drift::Changed)
        );
        let c = config("proof:\n  on_change: unpublish\n");
        let d = decide_one(&c, &p, &[old], "2026-11-25");
        assert_eq!((d.state, d.published), (State::Stale, false));
        let current = engagement("low", "2026-10-01", "success", Some(&content_hash(&p, &c)));
        let d = decide_one(&c, &p, &[current], "2026-11-25");
        assert_eq!((d.state, d.drift), (State::Published, Drift::None));
    }

    #[test]
    fn hash_ignores_line_endings_and_trailing_spaces() {
        let c = config("");
        let lf = page("a.md", &[1], "Step one.\nStep two.\n");
        let crlf = page("a.md", &[1], "Step one.  \r\nStep two.\r\n\r\n");
        assert_eq!(content_hash(&lf, &c), content_hash(&crlf, &c));
        let changed = page("a.md", &[1], "Step one.\nStep 2.\n");
        assert_ne!(content_hash(&lf, &c), content_hash(&changed, &c));
        assert!(is_hash(&content_hash(&lf, &c)));
    }

    #[test]
    fn hash_streams_the_same_normalized_body_as_before() {
        // The normalization as first written (a String, then trimmed): the hashes in existing manifests were
        // made with it, so the streamed version must give the same digests.
        fn reference(page: &Page, config: &Config) -> String {
            let mut h = Sha256::new();
            hash_fields(&mut h, page, config);
            let mut body = String::new();
            for line in page.body.lines() {
                body.push_str(line.trim_end());
                body.push('\n');
            }
            h.update(b"body\0");
            h.update(body.trim_matches('\n').as_bytes());
            h.update([0]);
            h.finalize()
                .iter()
                .take(8)
                .map(|b| format!("{b:02x}"))
                .collect()
        }
        let c = config("");
        for body in [
            "",
            "\n\n",
            "  \n\t\n",
            "one",
            "one\n",
            "\n\none\n\n\n",
            "one\n\n\ntwo  \r\n\r\n three\t\n",
            "a\n \n\u{3000}\nb\n",
            &format!("x{}y", "\n".repeat(70)),
            "lone\rcr\n",
        ] {
            let p = page("a.md", &[1], body);
            assert_eq!(content_hash(&p, &c), reference(&p, &c), "{body:?}");
        }
    }

    #[test]
    fn manifest_errors_are_all_reported() {
        let c = config("");
        let yaml = "engagements:\n  - id: A\n    tier: lwo\n    date: 2026-10-01\n    outcome: sucess\n    used: [playbooks/onboarding/ssso.md]\n  - id: A\n    tier: low\n    date: 2027-01-01\n    used:\n      - path: playbooks/onboarding/sso.md\n        hash: xyz\n";
        let (_, d) = manifest(&c, yaml, day("2026-11-25"));
        let got: Vec<String> = d
            .iter()
            .map(|d| format!("{}:{}: {}", d.line, d.col, d.message))
            .collect();
        assert_eq!(
            got,
            [
                "3:11: unknown tier \"lwo\"",
                "5:14: unknown outcome \"sucess\"",
                "6:12: no page at \"playbooks/onboarding/ssso.md\"",
                "7:9: duplicate engagement id \"A\"",
                "9:11: date 2027-01-01 is in the future",
                "12:15: \"xyz\" is not a hash shirube writes",
            ]
        );
        assert_eq!(d[0].help.as_deref(), Some("did you mean \"low\"?"));
        assert_eq!(
            d[2].help.as_deref(),
            Some("did you mean \"playbooks/onboarding/sso.md\"?")
        );
    }

    #[test]
    fn every_bad_value_of_a_manifest_is_reported_not_only_the_first() {
        let c = config("");
        // An unknown key stopped the parser: the engagement's other mistakes were hidden behind it.
        let yaml = "engagements:\n  - id: A\n    tier: LOW\n    hash: 0123456789abcdef\n    date: 2026-10-01\n    outcome: Success\n    used:\n      - pth: playbooks/onboarding/sso.md\n  - id: B\n    tier: [low]\n    date: 2026-10-01\n";
        let (m, d) = manifest(&c, yaml, day("2026-11-25"));
        let got: Vec<String> = d
            .iter()
            .map(|d| format!("{}:{}: {}", d.line, d.col, d.message))
            .collect();
        assert_eq!(
            got,
            [
                "4:5: unknown key \"hash\"",
                "8:9: unknown key \"pth\"",
                "10:11: expected string scalar",
                "3:11: unknown tier \"LOW\"",
                "6:14: unknown outcome \"Success\"",
            ]
        );
        assert!(
            m.engagements.is_empty(),
            "a file with errors gives no proof"
        );
    }

    #[test]
    fn an_empty_engagements_key_is_an_empty_manifest() {
        let c = config("");
        for yaml in ["engagements:\n", "# ours\nengagements:   # none yet\n\n"] {
            let (m, d) = manifest(&c, yaml, day("2026-11-25"));
            assert!(d.is_empty() && m.engagements.is_empty(), "{yaml}: {d:?}");
        }
    }

    #[test]
    fn drafts_are_never_published() {
        let c = config("");
        let mut p = page("playbooks/onboarding/sso.md", &[1], "Body");
        p.draft = true;
        let d = decide_one(
            &c,
            &p,
            &[engagement("low", "2026-10-01", "success", None)],
            "2026-11-25",
        );
        assert_eq!((d.state, d.published), (State::Draft, false));
    }
}
