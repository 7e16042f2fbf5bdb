//! The proof gate: which playbooks and FAQs have worked in real engagements, and so may be published.
//!
//! Reads the proof manifest (`manifest.yaml`, or every `manifest/*.yaml`), validates it, and gives every page a
//! [`State`] with the reasons behind it. Customer, CSM, note and engagement id stop here: nothing in this
//! module's public results carries them except [`Engagement`], which only `status` and `prove` read, and
//! neither writes it to the published output.

use crate::config::{Config, OnChange};
use crate::diagnostics::{Diagnostic, did_you_mean, did_you_mean_path};
use crate::model::Page;
use crate::yaml::{self, Embedded};
use rayon::prelude::*;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The manifest file at the site root.
pub const MANIFEST_FILE: &str = "manifest.yaml";
/// The folder of manifest files, merged, for teams that prefer one file per quarter or per CSM.
pub const MANIFEST_DIR: &str = "manifest";
/// Environment variable that sets "today" (YYYY-MM-DD) for expiry, for tests and reproducible builds.
pub const TODAY_ENV: &str = "SHIRUBE_TODAY";

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

/// One use of a page in an engagement.
#[derive(Debug, Clone)]
pub struct Use {
    /// Site-relative source path.
    pub path: String,
    /// Content hash when it was used; `None` for hand-written entries.
    pub hash: Option<String>,
    /// Line of the entry in its manifest file.
    pub line: usize,
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

/// A manifest file's text.
#[derive(Debug, Clone)]
pub struct ManifestFile {
    /// Site-relative path.
    pub path: String,
    /// Contents.
    pub text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    engagements: Vec<Spanned<RawEngagement>>,
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
    #[serde(default)]
    used: Vec<Spanned<RawUse>>,
    #[allow(dead_code)] // Read so that `note:` is a known key; private, never used.
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

/// Parses and validates every manifest file. `known` maps source paths to whether the page's kind is gated.
pub fn parse(
    files: &[ManifestFile],
    config: &Config,
    known: &HashMap<&str, bool>,
    today: i64,
) -> (Manifest, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut manifest = Manifest::default();
    let mut ids: HashMap<String, (String, usize)> = HashMap::new();
    for file in files {
        let at = Embedded {
            path: &file.path,
            file: &file.text,
            line_offset: 0,
        };
        let raw: RawManifest = match yaml::parse_large(&file.text, at) {
            Ok(r) => r,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        for e in raw.engagements {
            let line = yaml::position(&e, at).0;
            let e = e.value;
            let err = |s: (usize, usize), len: usize, msg: String| {
                Diagnostic::error(&file.path, msg).at(&file.text, s.0, s.1, len)
            };
            let mut ok = true;
            let id_pos = yaml::position(&e.id, at);
            if let Some((first_file, first_line)) = ids.get(&e.id.value) {
                diags.push(
                    err(
                        id_pos,
                        e.id.value.chars().count(),
                        format!("duplicate engagement id \"{}\"", e.id.value),
                    )
                    .with_help(format!(
                        "{first_file}:{first_line} already uses it; give each engagement its own id"
                    )),
                );
                ok = false;
            } else {
                ids.insert(e.id.value.clone(), (file.path.clone(), id_pos.0));
            }
            let tier = config.tier_index(&e.tier.value);
            if tier.is_none() {
                diags.push(
                    err(
                        yaml::position(&e.tier, at),
                        e.tier.value.chars().count(),
                        format!("unknown tier \"{}\"", e.tier.value),
                    )
                    .with_help(config.unknown_tier_help(&e.tier.value)),
                );
                ok = false;
            }
            let date_pos = yaml::position(&e.date, at);
            let date = match parse_date(&e.date.value) {
                None => {
                    diags.push(
                        err(
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
                Some(o) => match o.value.as_str() {
                    "success" => Outcome::Success,
                    "partial" => Outcome::Partial,
                    "failed" => Outcome::Failed,
                    other => {
                        let values = ["success", "partial", "failed"];
                        diags.push(
                            err(
                                yaml::position(o, at),
                                other.chars().count(),
                                format!("unknown outcome \"{other}\""),
                            )
                            .with_help(
                                match did_you_mean(other, values) {
                                    Some(s) => format!("did you mean \"{s}\"?"),
                                    None => "use one of: success, partial, failed".into(),
                                },
                            ),
                        );
                        ok = false;
                        Outcome::Failed
                    }
                },
            };
            let mut used = Vec::new();
            for u in e.used {
                let pos = yaml::position(&u, at);
                let u = u.value;
                match known.get(u.path.as_str()) {
                    None => {
                        let help = match did_you_mean_path(&u.path, known.keys().copied()) {
                            Some(s) => format!("did you mean \"{s}\"?"),
                            None => "write the path from the site root, for example playbooks/onboarding/connect-sso.md".into(),
                        };
                        diags.push(
                            err(
                                pos,
                                u.path.chars().count(),
                                format!("no page at \"{}\"", u.path),
                            )
                            .with_help(help),
                        );
                        ok = false;
                        continue;
                    }
                    Some(false) => diags.push(
                        Diagnostic::warning(
                            &file.path,
                            format!("{} is not gated; this proof is not needed", u.path),
                        )
                        .at(&file.text, pos.0, pos.1, u.path.chars().count())
                        .with_help(format!(
                            "only these kinds need proof: {}",
                            gate_kinds(config)
                        )),
                    ),
                    Some(true) => {}
                }
                if let Some(h) = &u.hash
                    && !is_hash(h)
                {
                    let line_text = file.text.lines().nth(pos.0.saturating_sub(1)).unwrap_or("");
                    let hash_line = file
                        .text
                        .lines()
                        .enumerate()
                        .skip(pos.0 - 1)
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
                                .at(&file.text, l, c, h.chars().count())
                                .with_help("remove the `hash:` line, or let `shirube prove` write it (16 hex digits)"),
                        );
                    ok = false;
                }
                used.push(Use {
                    path: u.path,
                    hash: u.hash,
                    line: pos.0,
                });
            }
            if ok {
                manifest.engagements.push(Engagement {
                    id: e.id.value,
                    customer: e.customer,
                    csm: e.csm,
                    tier: tier.unwrap_or(0),
                    date,
                    outcome,
                    used,
                    file: file.path.clone(),
                    line,
                });
            }
        }
    }
    (manifest, diags)
}

/// The gated kinds, as `playbook, faq`, for messages.
pub fn gate_kinds(config: &Config) -> String {
    config
        .proof
        .gate
        .iter()
        .map(|k| k.id())
        .collect::<Vec<_>>()
        .join(", ")
}

/// True for the hashes shirube writes: 16 lowercase hex digits.
pub fn is_hash(s: &str) -> bool {
    s.len() == 16
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The content hash of a page: SHA-256 (first 16 hex digits) over the values that matter to a reader, with
/// line endings and trailing whitespace ignored, so a CRLF checkout or an editor's trailing spaces change nothing.
pub fn content_hash(page: &Page, config: &Config) -> String {
    let mut h = Sha256::new();
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
    let mut body = String::with_capacity(page.body.len());
    for line in page.body.lines() {
        body.push_str(line.trim_end());
        body.push('\n');
    }
    field("body", body.trim_matches('\n'));
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
    /// The page's current content hash.
    pub hash: String,
    /// Engagements that used it, by outcome (success, partial, failed), any tier, any age.
    pub uses: [u32; 3],
}

/// Decides every page. `pages[i]` gets `decisions[i]`.
pub fn gate(pages: &[Page], manifest: &Manifest, config: &Config, today: i64) -> Vec<Decision> {
    let mut by_path: HashMap<&str, Vec<(&Engagement, &Use)>> = HashMap::new();
    for e in &manifest.engagements {
        for u in &e.used {
            by_path.entry(u.path.as_str()).or_default().push((e, u));
        }
    }
    // Each decision hashes the page's content: in parallel.
    pages
        .par_iter()
        .map(|p| {
            decide(
                p,
                by_path.get(p.src.as_str()).map_or(&[][..], Vec::as_slice),
                config,
                today,
            )
        })
        .collect()
}

fn decide(page: &Page, uses: &[(&Engagement, &Use)], config: &Config, today: i64) -> Decision {
    let policy = &config.proof;
    let gated = policy.gate.contains(&page.kind) && !crate::validate::is_intro_path(&page.src);
    let hash = content_hash(page, config);
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
    let drift = match newest {
        None => Drift::Unproven,
        Some((_, u)) => match &u.hash {
            None => Drift::Unknown,
            Some(h) if *h == hash => Drift::None,
            Some(_) => Drift::Changed,
        },
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

/// Days since 1970-01-01 of `YYYY-MM-DD`, or `None` when it is not a real date.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Howard Hinnant's days_from_civil: proleptic Gregorian date → days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 → `YYYY-MM-DD`.
pub fn format_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today, from `SHIRUBE_TODAY` when set (an error when it is not a date), else the system clock (UTC).
pub fn today() -> Result<i64, String> {
    match std::env::var(TODAY_ENV) {
        Ok(s) if !s.trim().is_empty() => parse_date(s.trim())
            .ok_or_else(|| format!("{TODAY_ENV}=\"{s}\" is not a date; write YYYY-MM-DD")),
        _ => {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            Ok(secs.div_euclid(86_400))
        }
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
        gate(std::slice::from_ref(p), &m, c, day(today)).remove(0)
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
