//! Site configuration: `shirube.yaml` → a typed [`Config`] with a default for every key but `title`.
//!
//! Parsing is strict: unknown keys and bad values are errors with a did-you-mean. Checks that need more than one
//! value (duplicate phase ids, a bad `base_url`) are collected as diagnostics so that all of them show at once.

use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::model::Kind;
use crate::percent::encode_component;
use crate::yaml::{self, Embedded};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

/// Name of the config file at the site root.
pub const CONFIG_FILE: &str = "shirube.yaml";

/// The UI language of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    #[default]
    En,
    /// Japanese.
    Ja,
}

impl Language {
    /// The `lang` attribute value.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ja => "ja",
        }
    }
}

/// What a content change after the newest proof does to a published page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OnChange {
    /// Keep publishing, with a warning.
    #[default]
    Warn,
    /// Hold the page back until it is proven again.
    Unpublish,
}

/// What `shirube check` and `build` do about one class of broken link (`links:` in shirube.yaml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkLevel {
    /// Not reported.
    Ignore,
    /// A warning: the build succeeds (unless `--strict`).
    Warn,
    /// An error: the build fails.
    Error,
}

/// The `links:` section: how broken links are reported, by class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LinkPolicy {
    /// A link to a page or file that does not exist. Default: error.
    pub missing_page: LinkLevel,
    /// A link to a heading id (`page.md#id`, `#id`) that the page does not have. Default: warn.
    pub missing_anchor: LinkLevel,
}

impl Default for LinkPolicy {
    fn default() -> Self {
        LinkPolicy {
            missing_page: LinkLevel::Error,
            missing_anchor: LinkLevel::Warn,
        }
    }
}

/// One lifecycle phase, in lifecycle order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseDef {
    /// Id used in front matter and URLs.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Months since contract start, e.g. `0-3`.
    pub months: Option<String>,
    /// The phase's definition of done.
    pub done_when: Option<String>,
}

/// One touch tier, from least to most human touch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierDef {
    /// Id used in front matter and the manifest.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Who the tier is for, e.g. `Up to 300 seats`.
    pub who: Option<String>,
}

/// The publishing policy of the proof gate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProofPolicy {
    /// Kinds that need proof before they are published.
    pub gate: Vec<Kind>,
    /// Successful engagements needed.
    pub min_proofs: u32,
    /// Proofs older than this many days do not count.
    pub max_age_days: u32,
    /// What a content change after the last proof does.
    pub on_change: OnChange,
}

/// Where the site is published: `https://x.example/guide/` has origin `https://x.example` and path `/guide/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseUrl {
    /// Scheme and host, empty when `base_url` is only a path.
    pub origin: String,
    /// Always starts and ends with `/`.
    pub path: String,
}

impl BaseUrl {
    /// Parses `https://host/sub/`, `https://host`, `/sub/` or `/`.
    pub fn parse(s: &str) -> Result<BaseUrl, String> {
        let s = s.trim();
        let (origin, path) = if let Some(i) = s.find("://") {
            let scheme = &s[..i];
            if !matches!(scheme, "http" | "https") {
                return Err(format!("unsupported scheme \"{scheme}\""));
            }
            let rest = &s[i + 3..];
            let (host, path) = match rest.find('/') {
                Some(j) => (&rest[..j], &rest[j..]),
                None => (rest, "/"),
            };
            if host.is_empty() {
                return Err("the URL has no host".into());
            }
            check_host(host)?;
            (format!("{scheme}://{host}"), path.to_string())
        } else if s.starts_with('/') {
            (String::new(), s.to_string())
        } else {
            return Err(
                "it must be a full URL (https://host/path/) or a path starting with /".into(),
            );
        };
        if path.contains(['?', '#', ' ']) {
            return Err("it must not contain a query, a fragment or spaces".into());
        }
        let mut path = path;
        if !path.ends_with('/') {
            path.push('/');
        }
        Ok(BaseUrl { origin, path })
    }

    /// The full URL of a site-relative path (`faq/x/` → `https://host/sub/faq/x/`).
    pub fn absolute(&self, rel: &str) -> String {
        format!("{}{}{}", self.origin, self.path, rel)
    }
}

/// A host as a URL may name it: a name (letters, digits, `-`, `.`) or a bracketed IPv6 address, with an
/// optional `:port`.
fn check_host(host: &str) -> Result<(), String> {
    let (name, port) = match host.strip_prefix('[') {
        Some(v6) => {
            let (addr, rest) = v6
                .split_once(']')
                .ok_or_else(|| format!("the host \"{host}\" opens a [ it does not close"))?;
            if addr.is_empty()
                || !addr
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
            {
                return Err(format!("\"{addr}\" is not an IPv6 address"));
            }
            (
                None,
                rest.strip_prefix(':')
                    .or((!rest.is_empty()).then_some(rest)),
            )
        }
        None => match host.rsplit_once(':') {
            Some((name, port)) => (Some(name), Some(port)),
            None => (Some(host), None),
        },
    };
    if let Some(name) = name
        && (name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.'))
    {
        return Err(format!(
            "the host \"{name}\" is not a host name (letters, digits, `-` and `.`)"
        ));
    }
    if let Some(port) = port
        && (port.is_empty()
            || !port.chars().all(|c| c.is_ascii_digit())
            || port.parse::<u16>().is_err())
    {
        return Err(format!("\"{port}\" is not a port number"));
    }
    Ok(())
}

/// The typed site configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    /// Site title.
    pub title: String,
    /// Where the site is published.
    pub base_url: BaseUrl,
    /// UI language.
    pub language: Language,
    /// Theme name: `default` or a folder under `themes/`.
    pub theme: String,
    /// Lifecycle phases in order.
    pub phases: Vec<PhaseDef>,
    /// Touch tiers in order.
    pub tiers: Vec<TierDef>,
    /// Proof gate policy.
    pub proof: ProofPolicy,
    /// Where "Was this helpful?" sends the reader (see [`Config::feedback_link`]); nothing is shown when unset.
    pub feedback_url: Option<String>,
    /// The customer-effort survey shown after the first phase (see [`Config::survey_link`]).
    pub survey_url: Option<String>,
    /// How `shirube prove --from FILE.csv` reads a CRM export (`mapping:`). Used by prove only; never rendered.
    #[serde(skip)]
    pub mapping: Mapping,
    /// Search settings.
    pub search: SearchConfig,
    /// How broken links are reported.
    pub links: LinkPolicy,
    /// Files for static hosts written beside the site.
    pub hosting: Hosting,
}

/// The `hosting:` section: files that static hosts read, written into the output unless turned off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hosting {
    /// `_headers` (Netlify, Cloudflare Pages): cache rules, a Content-Security-Policy, `nosniff`. Default: on.
    pub headers: bool,
    /// `_redirects` (Netlify, Cloudflare Pages): one 301 per page alias. Default: on.
    pub redirects: bool,
}

impl Default for Hosting {
    fn default() -> Self {
        Hosting {
            headers: true,
            redirects: true,
        }
    }
}

/// The `search:` section.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SearchConfig {
    /// Groups of terms that mean the same (`[MFA, 多要素認証, multi-factor authentication]`), each with at least
    /// two terms, as written (trimmed). The search index carries them to the browser, which matches a group as
    /// one term.
    pub synonyms: Vec<Vec<String>>,
}

/// The fields of an engagement that a column of an export can fill, in manifest order.
pub const MAPPED_FIELDS: [&str; 8] = [
    "id", "customer", "csm", "tier", "date", "outcome", "pages", "note",
];

/// A saved import mapping (`mapping:` in shirube.yaml), so that the next `prove --from` is one command.
///
/// ```yaml
/// mapping:
///   columns: { id: Opportunity ID, customer: Account Name, tier: Segment, date: Close Date, outcome: Stage, pages: Playbooks Used }
///   values:
///     tier: { SMB: low, Enterprise: high }
///     outcome: { Closed Won: success, Closed Lost: failed }
///   date_format: mdy        # when dates such as 10/2/2026 are ambiguous
///   encoding: shift_jis     # when the export's encoding is not detected
///   into: manifest/crm.yaml # where imported engagements go
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    /// (field, column header), fields from [`MAPPED_FIELDS`].
    pub columns: Vec<(String, String)>,
    /// (field, value in the export, value in the manifest); an empty third skips the row.
    pub values: Vec<(String, String, String)>,
    /// `ymd`, `mdy` or `dmy`.
    pub date_format: Option<String>,
    /// An encoding label (utf-8, utf-16, shift_jis, cp932, ...).
    pub encoding: Option<String>,
    /// The manifest file imported engagements go to.
    pub into: Option<String>,
}

impl Config {
    /// Index of the phase with this id.
    pub fn phase_index(&self, id: &str) -> Option<usize> {
        self.phases.iter().position(|p| p.id == id)
    }

    /// Index of the tier with this id.
    pub fn tier_index(&self, id: &str) -> Option<usize> {
        self.tiers.iter().position(|t| t.id == id)
    }

    /// An error for an unknown phase id, with a did-you-mean.
    pub fn unknown_phase_help(&self, id: &str) -> String {
        match did_you_mean(id, self.phases.iter().map(|p| p.id.as_str())) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!("phases in shirube.yaml: {}", self.phase_ids().join(", ")),
        }
    }

    /// The help for a tier id that is not in the config where one customer's tier is meant (an engagement in
    /// the manifest, `prove --tier`): "all" is no tier of a customer.
    pub fn customer_tier_help(&self, id: &str) -> String {
        let ids: Vec<&str> = self.tiers.iter().map(|t| t.id.as_str()).collect();
        if id == "all" {
            return format!(
                "an engagement is with one customer, of one tier: use one of {}",
                ids.join(", ")
            );
        }
        match did_you_mean(id, ids.iter().copied()) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!("tiers in shirube.yaml: {}", ids.join(", ")),
        }
    }

    /// The help for an unknown tier id where a page's tiers are meant (front matter, `new --tier`), with a
    /// did-you-mean.
    pub fn unknown_tier_help(&self, id: &str) -> String {
        match did_you_mean(id, self.tiers.iter().map(|t| t.id.as_str())) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!(
                "tiers in shirube.yaml: {} (or \"all\")",
                self.tiers
                    .iter()
                    .map(|t| t.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The "Was this helpful?" link for the page at `page_url` (absolute), `helpful` being `yes` or `no`.
    /// `{url}` and `{helpful}` in `feedback_url` are replaced by the encoded values; without `{url}`, the
    /// parameters `page` and `helpful` are added to the URL's query.
    pub fn feedback_link(&self, page_url: &str, helpful: &str) -> Option<String> {
        let base = self.feedback_url.as_deref()?;
        Some(if base.contains("{url}") {
            base.replace("{url}", &encode_component(page_url))
                .replace("{helpful}", helpful)
        } else {
            add_query(
                base,
                &format!("page={}&helpful={helpful}", encode_component(page_url)),
            )
        })
    }

    /// The effort-survey link, with `{url}` replaced by the encoded page URL when it appears.
    pub fn survey_link(&self, page_url: &str) -> Option<String> {
        let base = self.survey_url.as_deref()?;
        Some(base.replace("{url}", &encode_component(page_url)))
    }

    fn phase_ids(&self) -> Vec<&str> {
        self.phases.iter().map(|p| p.id.as_str()).collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Spanned<String>,
    base_url: Option<Spanned<String>>,
    language: Option<Language>,
    theme: Option<String>,
    phases: Option<Vec<Spanned<RawPhase>>>,
    tiers: Option<Vec<Spanned<RawTier>>>,
    proof: Option<RawProof>,
    feedback_url: Option<Spanned<String>>,
    survey_url: Option<Spanned<String>>,
    mapping: Option<RawMapping>,
    search: Option<RawSearch>,
    links: Option<RawLinks>,
    hosting: Option<RawHosting>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHosting {
    headers: Option<bool>,
    redirects: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLinks {
    missing_page: Option<LinkLevel>,
    missing_anchor: Option<LinkLevel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSearch {
    synonyms: Option<Vec<Spanned<Vec<Spanned<String>>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    columns: Option<RawFields<String>>,
    values: Option<RawFields<std::collections::BTreeMap<String, Option<String>>>>,
    date_format: Option<DateFormatWord>,
    encoding: Option<String>,
    into: Option<String>,
}

/// One optional value per field of [`MAPPED_FIELDS`]; unknown fields are errors with a did-you-mean.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFields<T> {
    id: Option<T>,
    customer: Option<T>,
    csm: Option<T>,
    tier: Option<T>,
    date: Option<T>,
    outcome: Option<T>,
    pages: Option<T>,
    note: Option<T>,
}

impl<T> RawFields<T> {
    fn into_pairs(self) -> Vec<(&'static str, T)> {
        let [a, b, c, d, e, f, g, h] = MAPPED_FIELDS;
        [
            (a, self.id),
            (b, self.customer),
            (c, self.csm),
            (d, self.tier),
            (e, self.date),
            (f, self.outcome),
            (g, self.pages),
            (h, self.note),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }
}

/// The order of day, month and year in dates such as 10/2/2026.
#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum DateFormatWord {
    Ymd,
    Mdy,
    Dmy,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhase {
    id: Spanned<String>,
    name: Option<String>,
    months: Option<String>,
    done_when: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    id: Spanned<String>,
    name: Option<String>,
    who: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProof {
    gate: Option<Vec<Kind>>,
    min_proofs: Option<Spanned<u32>>,
    max_age_days: Option<u32>,
    on_change: Option<OnChange>,
}

fn default_phases() -> Vec<PhaseDef> {
    let p = |id: &str, name: &str, months: Option<&str>| PhaseDef {
        id: id.into(),
        name: name.into(),
        months: months.map(Into::into),
        done_when: None,
    };
    vec![
        p("onboarding", "Onboarding", Some("0-3")),
        p("adoption", "Adoption", Some("3-9")),
        p("retention", "Retention", Some("9+")),
        p("renewal", "Renewal", None),
    ]
}

fn default_tiers() -> Vec<TierDef> {
    let t = |id: &str, name: &str, who: &str| TierDef {
        id: id.into(),
        name: name.into(),
        who: Some(who.into()),
    };
    vec![
        t("tech", "Tech touch", "Self-serve only"),
        t("low", "Low touch", "Up to 300 seats"),
        t("mid", "Mid touch", "301-2,000 seats"),
        t("high", "High touch", "2,000+ seats, named CSM"),
    ]
}

/// Parses `shirube.yaml` text. Returns the config when it is usable, plus every problem found.
pub fn parse(text: &str) -> (Option<Config>, Vec<Diagnostic>) {
    let at = Embedded {
        path: CONFIG_FILE,
        file: text,
        line_offset: 0,
    };
    let raw: RawConfig = match yaml::parse(text, at) {
        Ok(r) => r,
        // Every bad value, not only the first.
        Err(d) => {
            let each = yaml::parse_each_error::<RawConfig>(text, at, false).1;
            return (None, if each.is_empty() { vec![d] } else { each });
        }
    };
    let mut diags = Vec::new();
    let base_url = base_url(raw.base_url.as_ref(), at, &mut diags);
    let phases = phases(raw.phases, at, &mut diags);
    let tiers = tiers(raw.tiers, at, &mut diags);
    if phases.is_empty() {
        diags.push(
            Diagnostic::error(CONFIG_FILE, "`phases` is empty")
                .code("empty-phases")
                .with_help("list at least one phase, or remove `phases` to use the defaults"),
        );
    }
    if tiers.is_empty() {
        diags.push(
            Diagnostic::error(CONFIG_FILE, "`tiers` is empty")
                .code("empty-tiers")
                .with_help("list at least one tier, or remove `tiers` to use the defaults"),
        );
    }
    check_required(&raw.title, raw.proof.as_ref(), at, &mut diags);
    let proof = proof_policy(raw.proof);
    let feedback_url = link_url("feedback_url", raw.feedback_url, at, &mut diags);
    let survey_url = link_url("survey_url", raw.survey_url, at, &mut diags);
    let mapping = raw.mapping.map_or_else(Mapping::default, mapping);
    let search = SearchConfig {
        synonyms: synonyms(
            raw.search.and_then(|s| s.synonyms).unwrap_or_default(),
            at,
            &mut diags,
        ),
    };
    let defaults = LinkPolicy::default();
    let links = raw.links.map_or(defaults, |l| LinkPolicy {
        missing_page: l.missing_page.unwrap_or(defaults.missing_page),
        missing_anchor: l.missing_anchor.unwrap_or(defaults.missing_anchor),
    });
    let defaults = Hosting::default();
    let hosting = raw.hosting.map_or(defaults, |h| Hosting {
        headers: h.headers.unwrap_or(defaults.headers),
        redirects: h.redirects.unwrap_or(defaults.redirects),
    });
    let config = Config {
        hosting,
        links,
        mapping,
        search,
        title: raw.title.value,
        feedback_url,
        survey_url,
        base_url,
        language: raw.language.unwrap_or_default(),
        theme: raw.theme.unwrap_or_else(|| "default".into()),
        phases,
        tiers,
        proof,
    };
    check_unique(&config, text, &mut diags);
    (Some(config), diags)
}

/// `base_url`, or `/` when it is absent or invalid (then with an error).
fn base_url(
    raw: Option<&Spanned<String>>,
    at: Embedded<'_>,
    diags: &mut Vec<Diagnostic>,
) -> BaseUrl {
    let text = at.file;
    match raw {
        None => BaseUrl {
            origin: String::new(),
            path: "/".into(),
        },
        Some(s) => match BaseUrl::parse(&s.value) {
            Ok(b) => b,
            Err(why) => {
                let (line, col) = yaml::position(s, at);
                diags.push(
                        Diagnostic::error(CONFIG_FILE, format!("invalid base_url \"{}\": {why}", s.value)).code("invalid-base-url")
                            .at(text, line, col, s.value.chars().count())
                            .with_help("for example `base_url: https://guide.example.com/onboarding/` or `base_url: /`"),
                    );
                BaseUrl {
                    origin: String::new(),
                    path: "/".into(),
                }
            }
        },
    }
}

/// `phases`, or the default four.
fn phases(
    raw: Option<Vec<Spanned<RawPhase>>>,
    at: Embedded<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<PhaseDef> {
    match raw {
        None => default_phases(),
        Some(list) => list
            .into_iter()
            .map(|p| {
                let p = p.value;
                check_id(&p.id, "phase", at, diags);
                PhaseDef {
                    name: p.name.unwrap_or_else(|| title_case(&p.id.value)),
                    id: p.id.value,
                    months: p.months,
                    done_when: p.done_when,
                }
            })
            .collect(),
    }
}

/// `tiers`, or the default four.
fn tiers(
    raw: Option<Vec<Spanned<RawTier>>>,
    at: Embedded<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<TierDef> {
    let text = at.file;
    match raw {
        None => default_tiers(),
        Some(list) => list
            .into_iter()
            .map(|t| {
                let t = t.value;
                check_id(&t.id, "tier", at, diags);
                if t.id.value == "all" {
                    let (line, col) = yaml::position(&t.id, at);
                    diags.push(
                        Diagnostic::error(
                            CONFIG_FILE,
                            "\"all\" cannot be a tier id: it means every tier",
                        )
                        .code("reserved-tier-id")
                        .at(text, line, col, 3)
                        .with_help("pick another id"),
                    );
                }
                TierDef {
                    name: t.name.unwrap_or_else(|| title_case(&t.id.value)),
                    id: t.id.value,
                    who: t.who,
                }
            })
            .collect(),
    }
}

/// What a config must have besides phases and tiers: a title, and `min_proofs` of at least 1.
fn check_required(
    title: &Spanned<String>,
    proof: Option<&RawProof>,
    at: Embedded<'_>,
    diags: &mut Vec<Diagnostic>,
) {
    let text = at.file;
    if title.value.trim().is_empty() {
        let (line, col) = yaml::position(title, at);
        diags.push(
            Diagnostic::error(CONFIG_FILE, "title is empty").code("empty-title")
                .at(text, line, col, title.value.chars().count().max(1))
                .with_help("write the guide's name, for example `title: Kumo HR Guide`; every page shows it"),
        );
    }
    // Zero would publish pages with no proof at all: what `gate: []` says, for the kinds it leaves out.
    if let Some(m) = proof.and_then(|p| p.min_proofs.as_ref())
        && m.value == 0
    {
        let (line, col) = yaml::position(m, at);
        diags.push(
            Diagnostic::error(CONFIG_FILE, "min_proofs is 0").code("invalid-min-proofs")
                .at(text, line, col, 1)
                .with_help("a gated page needs at least 1 successful engagement; to publish a kind without proof, leave it out of `gate:` (`gate: []` gates nothing)"),
        );
    }
}

/// `proof:`, with its defaults.
fn proof_policy(raw: Option<RawProof>) -> ProofPolicy {
    raw.map_or(
        ProofPolicy {
            gate: vec![Kind::Playbook, Kind::Faq],
            min_proofs: 1,
            max_age_days: 540,
            on_change: OnChange::Warn,
        },
        |p| ProofPolicy {
            gate: p.gate.unwrap_or_else(|| vec![Kind::Playbook, Kind::Faq]),
            min_proofs: p.min_proofs.map_or(1, |m| m.value.max(1)),
            max_age_days: p.max_age_days.unwrap_or(540),
            on_change: p.on_change.unwrap_or_default(),
        },
    )
}

/// A link the theme shows (`feedback_url`, `survey_url`): a full https://, http:// or mailto: address.
fn link_url(
    key: &str,
    value: Option<Spanned<String>>,
    at: Embedded<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let text = at.file;

    let v = value?;
    let url = v.value.trim().to_string();
    let ok = ["https://", "http://", "mailto:"]
        .iter()
        .any(|p| url.len() > p.len() && url[..p.len()].eq_ignore_ascii_case(p))
        && !url.contains(char::is_whitespace);
    if !ok {
        let (line, col) = yaml::position(&v, at);
        diags.push(
                Diagnostic::error(CONFIG_FILE, format!("invalid {key} \"{}\"", v.value)).code("invalid-url")
                    .at(text, line, col, v.value.chars().count().max(1))
                    .with_help(format!(
                        "use a full https:// or mailto: address without spaces, for example `{key}: https://forms.example.com/guide`"
                    )),
            );
        return None;
    }
    Some(url)
}

/// `mapping:`, the saved column and value mapping of `prove --from`.
fn mapping(m: RawMapping) -> Mapping {
    Mapping {
        columns: m.columns.map_or_else(Vec::new, |c| {
            c.into_pairs()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        }),
        values: m.values.map_or_else(Vec::new, |v| {
            v.into_pairs()
                .into_iter()
                .flat_map(|(k, map)| {
                    map.into_iter()
                        .map(move |(from, to)| (k.to_string(), from, to.unwrap_or_default()))
                })
                .collect()
        }),
        date_format: m.date_format.map(|f| {
            match f {
                DateFormatWord::Ymd => "ymd",
                DateFormatWord::Mdy => "mdy",
                DateFormatWord::Dmy => "dmy",
            }
            .to_string()
        }),
        encoding: m.encoding,
        into: m.into,
    }
}

fn check_id(id: &Spanned<String>, what: &str, at: Embedded<'_>, diags: &mut Vec<Diagnostic>) {
    let ok = !id.value.is_empty()
        && id
            .value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !ok {
        let (line, col) = yaml::position(id, at);
        diags.push(
            Diagnostic::error(CONFIG_FILE, format!("invalid {what} id \"{}\"", id.value)).code("invalid-id")
                .at(at.file, line, col, id.value.chars().count().max(1))
                .with_help("ids appear in URLs: use lower-case ASCII letters, digits and `-`, and set `name:` for display"),
        );
    } else if id.value.len() > MAX_ID_LEN {
        let (line, col) = yaml::position(id, at);
        diags.push(
            Diagnostic::error(
                CONFIG_FILE,
                format!(
                    "{what} id is {} characters long, at most {MAX_ID_LEN}",
                    id.value.len()
                ),
            )
            .code("id-too-long")
            .at(at.file, line, col, id.value.chars().count())
            .with_help("ids appear in URLs: keep them short, and set `name:` for display"),
        );
    }
}

/// Checks `search.synonyms`: every group has two terms or more, every term has something to search for, and no
/// term is in two groups (which would make the groups one). Returns the groups that passed.
fn synonyms(
    groups: Vec<Spanned<Vec<Spanned<String>>>>,
    at: Embedded<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Vec<String>> {
    let example = "for example `synonyms: [[MFA, 多要素認証, multi-factor authentication]]`";
    let mut out: Vec<Vec<String>> = Vec::new();
    // Each term's words, and its group.
    let mut seen: Vec<(Vec<String>, usize)> = Vec::new();
    for (n, group) in groups.iter().enumerate() {
        let (line, col) = yaml::position(group, at);
        if group.value.len() < 2 {
            let what = if group.value.is_empty() {
                format!("synonym group {} is empty", n + 1)
            } else {
                format!("synonym group {} has only one term", n + 1)
            };
            diags.push(
                Diagnostic::error(CONFIG_FILE, what).code("synonym-group-too-small")
                    .at(at.file, line, col, 1)
                    .with_help(format!(
                        "a group lists two or more terms that mean the same; add one, or remove the group ({example})"
                    )),
            );
            continue;
        }
        let mut terms = Vec::new();
        let mut ok = true;
        for term in &group.value {
            let (line, col) = yaml::position(term, at);
            // What the search compares, roughly (the tokenizer is a stage above this one): the words, in
            // lower case. A term without a letter, digit, kana or kanji gives no search term.
            let words: Vec<String> = term
                .value
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            if words.is_empty() {
                diags.push(
                    Diagnostic::error(
                        CONFIG_FILE,
                        format!("synonym \"{}\" has no words to search for", term.value),
                    )
                    .code("empty-synonym")
                    .at(at.file, line, col, term.value.chars().count().max(1))
                    .with_help(
                        "write a word or a phrase (letters, digits, kana or kanji), or remove it",
                    ),
                );
                ok = false;
                continue;
            }
            if let Some((_, other)) = seen.iter().find(|(w, _)| *w == words) {
                let where_ = if *other == n {
                    "twice in its group".to_string()
                } else {
                    format!("in group {} too", other + 1)
                };
                diags.push(
                    Diagnostic::error(
                        CONFIG_FILE,
                        format!("synonym \"{}\" is listed {where_}", term.value),
                    )
                    .code("duplicate-synonym")
                    .at(at.file, line, col, term.value.chars().count().max(1))
                    .with_help("list each term once: merge the two groups, or remove one of them"),
                );
                ok = false;
                continue;
            }
            seen.push((words, n));
            terms.push(term.value.trim().to_string());
        }
        if ok {
            out.push(terms);
        }
    }
    out
}

/// The longest phase or tier id: each is a folder name in the output (`phases/ID/`).
const MAX_ID_LEN: usize = 64;

fn check_unique(config: &Config, text: &str, diags: &mut Vec<Diagnostic>) {
    let mut dup = |ids: Vec<&str>, what: &str| {
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                // Point at the second `id: <id>` in the file, the one to rename or remove.
                let needle = format!("id: {id}");
                let at = text
                    .lines()
                    .enumerate()
                    .filter_map(|(n, l)| {
                        l.find(&needle).map(|c| (n + 1, l[..c].chars().count() + 5))
                    })
                    .nth(1);
                let d =
                    Diagnostic::error(CONFIG_FILE, format!("{what} id \"{id}\" is listed twice"))
                        .code("duplicate-id");
                let d = match at {
                    Some((line, col)) => d.at(text, line, col, id.chars().count()),
                    None => d,
                };
                diags.push(d.with_help("ids must be unique: rename or remove one of them"));
            }
        }
    };
    dup(
        config.phases.iter().map(|p| p.id.as_str()).collect(),
        "phase",
    );
    dup(config.tiers.iter().map(|t| t.id.as_str()).collect(), "tier");
}

/// Adds `params` to the query of `url`, before any `#fragment`.
fn add_query(url: &str, params: &str) -> String {
    let (url, fragment) = match url.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (url, None),
    };
    let sep = if !url.contains('?') {
        "?"
    } else if url.ends_with(['?', '&']) {
        ""
    } else {
        "&"
    };
    let mut out = format!("{url}{sep}{params}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

fn title_case(id: &str) -> String {
    let mut c = id.chars();
    match c.next() {
        Some(f) => f
            .to_uppercase()
            .chain(c)
            .collect::<String>()
            .replace(['-', '_'], " "),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_ids_point_at_the_second() {
        let (_, d) =
            parse("title: T\ntiers:\n  - { id: low, name: Low }\n  - { id: low, name: Again }\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].render(),
            "shirube.yaml:4:11: error[duplicate-id]: tier id \"low\" is listed twice\n 4 |   - { id: low, name: Again }\n   |           ^^^\n  help: ids must be unique: rename or remove one of them\n"
        );
    }

    #[test]
    fn defaults_for_everything_but_title() {
        let (c, d) = parse("title: Acme\n");
        assert!(d.is_empty());
        let c = c.unwrap();
        assert_eq!(c.phases.len(), 4);
        assert_eq!(c.tiers[1].id, "low");
        assert_eq!(c.base_url.path, "/");
        assert_eq!(c.proof.min_proofs, 1);
    }

    #[test]
    fn every_bad_value_is_reported() {
        let (c, d) =
            parse("title: T\nlanguage: fr\nproof:\n  min_proofs: two\n  on_change: warm\n");
        assert!(c.is_none());
        let got: Vec<String> = d
            .iter()
            .map(|d| format!("{}:{}: {}", d.line, d.col, d.message))
            .collect();
        assert_eq!(
            got,
            [
                "2:11: unknown value \"fr\"",
                "4:15: expected a whole number",
                "5:14: unknown value \"warm\""
            ]
        );
    }

    #[test]
    fn base_url_hosts() {
        for ok in [
            "https://guide.example.com/",
            "http://localhost:8080/x/",
            "http://[::1]:1111/",
            "https://例え.jp/",
        ] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            (
                "http://[::1/",
                "the host \"[::1\" opens a [ it does not close",
            ),
            ("http://[zz]/", "\"zz\" is not an IPv6 address"),
            (
                "http://user@host/",
                "the host \"user@host\" is not a host name (letters, digits, `-` and `.`)",
            ),
            ("http://host:99999/", "\"99999\" is not a port number"),
            ("http://[::1]x/", "\"x\" is not a port number"),
        ] {
            assert_eq!(BaseUrl::parse(bad).unwrap_err(), why, "{bad}");
        }
    }

    #[test]
    fn base_url_subpath() {
        let b = BaseUrl::parse("https://x.example/guide").unwrap();
        assert_eq!(b.origin, "https://x.example");
        assert_eq!(b.path, "/guide/");
        assert_eq!(b.absolute("faq/"), "https://x.example/guide/faq/");
        assert!(BaseUrl::parse("guide.example.com").is_err());
    }

    #[test]
    fn feedback_and_survey_links() {
        let (c, d) = parse("title: A\n");
        assert!(d.is_empty());
        let c = c.unwrap();
        assert_eq!(c.feedback_link("https://g.example/a/", "yes"), None);
        assert_eq!(c.survey_link("https://g.example/a/"), None);

        let (c, d) = parse(
            "title: A\nfeedback_url: https://forms.example.com/f?src=guide#top\nsurvey_url: https://forms.example.com/ces\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let c = c.unwrap();
        assert_eq!(
            c.feedback_link("https://g.example/ガイド/a b/", "no")
                .as_deref(),
            Some(
                "https://forms.example.com/f?src=guide&page=https%3A%2F%2Fg.example%2F%E3%82%AC%E3%82%A4%E3%83%89%2Fa%20b%2F&helpful=no#top"
            )
        );
        assert_eq!(
            c.survey_link("https://g.example/").as_deref(),
            Some("https://forms.example.com/ces")
        );

        let (c, _) = parse(
            "title: A\nfeedback_url: \"mailto:cs@example.com?subject=Guide%20{helpful}&body={url}\"\nsurvey_url: https://s.example/?from={url}\n",
        );
        let c = c.unwrap();
        assert_eq!(
            c.feedback_link("/a/", "yes").as_deref(),
            Some("mailto:cs@example.com?subject=Guide%20yes&body=%2Fa%2F")
        );
        assert_eq!(
            c.survey_link("/a/").as_deref(),
            Some("https://s.example/?from=%2Fa%2F")
        );
    }

    #[test]
    fn bad_feedback_url_is_an_error_at_its_place() {
        let (c, d) =
            parse("title: A\nfeedback_url: forms.example.com/f\nsurvey_url: javascript:alert(1)\n");
        assert!(c.is_some());
        let got: Vec<(usize, usize, &str)> = d
            .iter()
            .map(|d| (d.line, d.col, d.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (2, 15, "invalid feedback_url \"forms.example.com/f\""),
                (3, 13, "invalid survey_url \"javascript:alert(1)\""),
            ]
        );
        let (_, d) = parse("title: A\nfeedback: https://x.example/\n");
        assert_eq!(d[0].help.as_deref(), Some("did you mean \"feedback_url\"?"));
    }

    #[test]
    fn synonyms_are_parsed() {
        let (c, d) = parse(
            "title: A\nsearch:\n  synonyms:\n    - [MFA, 多要素認証, multi-factor authentication]\n    - [給与明細, ペイスリップ, payslip]\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            c.unwrap().search.synonyms,
            [
                vec!["MFA", "多要素認証", "multi-factor authentication"],
                vec!["給与明細", "ペイスリップ", "payslip"]
            ]
        );
        let (c, d) = parse("title: A\n");
        assert!(d.is_empty() && c.unwrap().search.synonyms.is_empty());
    }

    #[test]
    fn bad_synonyms_are_errors_at_their_place() {
        let (_, d) = parse(
            "title: A\nsearch:\n  synonyms:\n    - []\n    - [MFA]\n    - [SSO, \"。\"]\n    - [2FA, 2fa]\n",
        );
        let got: Vec<String> = d
            .iter()
            .map(super::super::diagnostics::Diagnostic::render)
            .collect();
        assert_eq!(
            got,
            [
                "shirube.yaml:4:7: error[synonym-group-too-small]: synonym group 1 is empty\n 4 |     - []\n   |       ^\n  help: a group lists two or more terms that mean the same; add one, or remove the group (for example `synonyms: [[MFA, 多要素認証, multi-factor authentication]]`)\n",
                "shirube.yaml:5:7: error[synonym-group-too-small]: synonym group 2 has only one term\n 5 |     - [MFA]\n   |       ^\n  help: a group lists two or more terms that mean the same; add one, or remove the group (for example `synonyms: [[MFA, 多要素認証, multi-factor authentication]]`)\n",
                "shirube.yaml:6:13: error[empty-synonym]: synonym \"。\" has no words to search for\n 6 |     - [SSO, \"。\"]\n   |             ^\n  help: write a word or a phrase (letters, digits, kana or kanji), or remove it\n",
                "shirube.yaml:7:13: error[duplicate-synonym]: synonym \"2fa\" is listed twice in its group\n 7 |     - [2FA, 2fa]\n   |             ^^^\n  help: list each term once: merge the two groups, or remove one of them\n",
            ]
        );
        let (_, d) = parse("title: A\nsearch:\n  synonym: []\n");
        assert_eq!((d[0].line, d[0].col), (3, 3));
        assert_eq!(d[0].message, "unknown key \"synonym\"");
        assert_eq!(d[0].help.as_deref(), Some("did you mean \"synonyms\"?"));
        let (_, d) = parse("title: A\nsearch:\n  synonyms: [[a, b], [c, d, B]]\n");
        assert_eq!(d[0].message, "synonym \"B\" is listed in group 1 too");
    }

    #[test]
    fn unknown_key_and_bad_language() {
        let (_, d) = parse("title: A\nlangauge: en\n");
        assert_eq!(d[0].message, "unknown key \"langauge\"");
        assert_eq!(d[0].help.as_deref(), Some("did you mean \"language\"?"));
        let (_, d) = parse("title: A\nlanguage: jp\n");
        assert_eq!((d[0].line, d[0].col), (2, 11));
        assert_eq!(d[0].message, "unknown value \"jp\"");
    }
}
