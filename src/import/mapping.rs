//! `import.yaml`: where the pages of a source go. An importer cannot know a page's lifecycle phase or touch tier,
//! so it writes its guesses (from folder, section, category and tag names: onboarding/導入, renewal/更新, ...)
//! into this file; the author corrects it and runs the import again, which applies it.

use crate::model::Kind;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The file's name in the site folder.
pub const FILE: &str = "import.yaml";

/// One entry: what a folder, section, category or tag says about its pages. Missing fields say nothing.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// A phase id of `shirube.yaml`.
    pub phase: Option<String>,
    /// `all`, one tier id, or a list.
    pub tier: Option<TierSpec>,
    /// `playbook`, `faq` or `page`.
    pub kind: Option<Kind>,
}

/// `tier:` as front matter writes it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum TierSpec {
    /// `all` or one id.
    One(String),
    /// Several ids.
    Many(Vec<String>),
}

impl TierSpec {
    /// The ids, or `None` for every tier.
    pub fn ids(&self) -> Option<Vec<String>> {
        match self {
            TierSpec::One(s) if s == "all" => None,
            TierSpec::One(s) => Some(vec![s.clone()]),
            TierSpec::Many(v) if v.iter().any(|s| s == "all") => None,
            TierSpec::Many(v) => Some(v.clone()),
        }
    }
}

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Phase of the pages that no entry places.
    pub unplaced: Option<String>,
    /// Folders of the source (relative to its content folder, `guides/admin`); the deepest entry wins.
    #[serde(default)]
    pub folders: BTreeMap<String, Rule>,
    /// Zendesk sections, by name.
    #[serde(default)]
    pub sections: BTreeMap<String, Rule>,
    /// Zendesk categories, by name.
    #[serde(default)]
    pub categories: BTreeMap<String, Rule>,
    /// Tags (Zendesk labels, Jekyll categories too); the first of a page's tags with an entry wins.
    #[serde(default)]
    pub tags: BTreeMap<String, Rule>,
}

/// Reads `import.yaml`; `Err` is the diagnostic at its line and column, rendered as `shirube check` prints it.
pub fn parse(text: &str) -> Result<Mapping, String> {
    if text.trim().is_empty() {
        return Ok(Mapping::default());
    }
    let at = crate::yaml::Embedded {
        path: FILE,
        file: text,
        line_offset: 0,
    };
    let mut m = crate::yaml::parse::<Mapping>(text, at).map_err(|d| {
        let mut all = crate::diagnostics::Diagnostics::default();
        let d = match d.help {
            Some(_) => d,
            None => {
                d.with_help("fix the file, or delete it to start again from the importer's guesses")
            }
        };
        all.push(d);
        all.render()
    })?;
    // `tier: all` says what no tier says: the same rule.
    for rules in [
        &mut m.folders,
        &mut m.sections,
        &mut m.categories,
        &mut m.tags,
    ] {
        for r in rules.values_mut() {
            if r.tier.as_ref().is_some_and(|t| t.ids().is_none()) {
                r.tier = None;
            }
        }
    }
    Ok(m)
}

/// Words that suggest a phase, by phase id (matched against lower-cased names, as whole words for ASCII and as
/// parts for Japanese). Phases of other ids are guessed from their own id and name.
const PHASE_WORDS: &[(&str, &[&str])] = &[
    (
        "onboarding",
        &[
            "onboarding",
            "getting started",
            "get started",
            "getting-started",
            "quickstart",
            "quick start",
            "setup",
            "set up",
            "set-up",
            "install",
            "installation",
            "first steps",
            "introduction",
            "intro",
            "basics",
            "start",
            "導入",
            "はじめに",
            "初期設定",
            "スタート",
            "セットアップ",
            "オンボーディング",
            "始め方",
        ],
    ),
    (
        "adoption",
        &[
            "adoption",
            "usage",
            "how to",
            "how-to",
            "howto",
            "guides",
            "guide",
            "features",
            "tutorials",
            "tutorial",
            "reports",
            "reporting",
            "integrations",
            "活用",
            "使い方",
            "機能",
            "運用",
            "連携",
            "レポート",
        ],
    ),
    (
        "retention",
        &[
            "retention",
            "administration",
            "admin",
            "security",
            "troubleshooting",
            "maintenance",
            "health",
            "管理",
            "継続",
            "定着",
            "トラブル",
            "セキュリティ",
            "保守",
        ],
    ),
    (
        "renewal",
        &[
            "renewal",
            "renew",
            "billing",
            "contract",
            "contracts",
            "subscription",
            "pricing",
            "invoice",
            "invoices",
            "plan",
            "plans",
            "payment",
            "更新",
            "契約",
            "請求",
            "料金",
            "プラン",
            "支払",
        ],
    ),
];

/// Words that make a folder or section a FAQ.
const FAQ_WORDS: &[&str] = &[
    "faq",
    "faqs",
    "frequently asked questions",
    "q&a",
    "qa",
    "よくある質問",
    "よくあるご質問",
    "質問",
];

/// Words that make a folder or section plain pages (not gated by proof).
const PAGE_WORDS: &[&str] = &[
    "about",
    "contact",
    "glossary",
    "legal",
    "privacy",
    "terms",
    "release notes",
    "release-notes",
    "changelog",
    "news",
    "blog",
    "用語集",
    "お問い合わせ",
    "リリースノート",
    "お知らせ",
];

/// Does `name` contain `word`: whole words for ASCII words, anywhere for Japanese ones.
fn has_word(name: &str, word: &str) -> bool {
    if !word.is_ascii() {
        return name.contains(word);
    }
    let name = name.to_lowercase();
    let norm: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '&' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let word: String = word
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '&' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let norm = format!(
        " {} ",
        norm.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    norm.contains(&format!(
        " {} ",
        word.split_whitespace().collect::<Vec<_>>().join(" ")
    ))
}

/// The phase a name suggests, with the word that matched; `phases` are the site's (id, name).
pub fn guess_phase(name: &str, phases: &[(String, String)]) -> Option<(String, String)> {
    for (id, pname) in phases {
        for w in [id.as_str(), pname.as_str()] {
            if !w.is_empty() && has_word(name, w) {
                return Some((id.clone(), w.to_string()));
            }
        }
    }
    for (id, words) in PHASE_WORDS {
        if !phases.iter().any(|(p, _)| p == id) {
            continue;
        }
        if let Some(w) = words.iter().find(|w| has_word(name, w)) {
            return Some(((*id).to_string(), (*w).to_string()));
        }
    }
    None
}

/// The kind a name suggests (FAQ or plain page), with the word that matched.
pub fn guess_kind(name: &str) -> Option<(Kind, &'static str)> {
    if let Some(w) = FAQ_WORDS.iter().find(|w| has_word(name, w)) {
        return Some((Kind::Faq, w));
    }
    PAGE_WORDS
        .iter()
        .find(|w| has_word(name, w))
        .map(|w| (Kind::Page, *w))
}

/// Tier guesses: only the unmistakable ones.
pub fn guess_tier(name: &str, tiers: &[String]) -> Option<(String, &'static str)> {
    let words: &[(&str, &[&str])] = &[
        ("high", &["enterprise", "エンタープライズ", "大企業"]),
        ("tech", &["self-serve", "self serve", "セルフサーブ"]),
    ];
    for (id, ws) in words {
        if tiers.iter().any(|t| t == id)
            && let Some(w) = ws.iter().find(|w| has_word(name, w))
        {
            return Some(((*id).to_string(), w));
        }
    }
    None
}

/// One key of a section of `import.yaml` to write, with its guess and the name it was guessed from.
pub struct Entry {
    /// The key: a folder path, section, category or tag name.
    pub key: String,
    /// A title to show beside it (a section's title), when it differs from the key.
    pub title: Option<String>,
    /// How many pages it holds.
    pub pages: usize,
    /// The rule, guessed or as the author wrote it.
    pub rule: Rule,
    /// Why the guess was made (`"getting-started"`), for a comment.
    pub why: Vec<String>,
}

/// Writes `import.yaml` with every entry, guesses explained in comments.
pub fn render(unplaced: &str, groups: &[(&str, &str, Vec<Entry>)]) -> String {
    let mut s = String::from(
        "# How `shirube import` places the pages of the source site. An importer cannot know a page's lifecycle\n\
         # phase or touch tier: the values below are guesses from the names (# guess: ...). Correct them, then run\n\
         # the same import again to apply them (pages you have edited since the last import are left alone).\n\
         #\n\
         # Each entry may set phase (a phase id of shirube.yaml), tier (all, one id or a list) and kind (playbook,\n\
         # faq or page; pages are not gated by proof). A page's own front matter wins; then its deepest folder,\n\
         # its section, its category, then the first of its tags with an entry. A page that none of them places\n\
         # gets the phase `unplaced`, and import-report.md lists it.\n",
    );
    s.push_str(&format!("unplaced: {}\n", crate::yaml::scalar(unplaced)));
    for (key, help, entries) in groups {
        if entries.is_empty() {
            continue;
        }
        s.push_str(&format!("\n{key}:   # {help}\n"));
        for e in entries {
            let mut comment = format!("{} page{}", e.pages, if e.pages == 1 { "" } else { "s" });
            if let Some(t) = &e.title {
                comment.push_str(&format!(", \"{t}\""));
            }
            if !e.why.is_empty() {
                comment.push_str(&format!("; guess: {}", e.why.join(", ")));
            }
            s.push_str(&format!(
                "  {}:   # {comment}\n",
                crate::yaml::scalar(&e.key)
            ));
            let phase = e
                .rule
                .phase
                .as_deref()
                .map(crate::yaml::scalar)
                .unwrap_or_else(|| "null".into());
            s.push_str(&format!("    phase: {phase}\n"));
            let tier = match e.rule.tier.as_ref().and_then(TierSpec::ids) {
                None => "all".to_string(),
                Some(ids) if ids.len() == 1 => crate::yaml::scalar(&ids[0]),
                Some(ids) => format!(
                    "[{}]",
                    ids.iter()
                        .map(|i| crate::yaml::scalar(i))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            s.push_str(&format!("    tier: {tier}\n"));
            if let Some(k) = e.rule.kind {
                s.push_str(&format!("    kind: {}\n", k.id()));
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phases() -> Vec<(String, String)> {
        ["onboarding", "adoption", "retention", "renewal"]
            .iter()
            .map(|p| (p.to_string(), String::new()))
            .collect()
    }

    #[test]
    fn phases_and_kinds_are_guessed_from_names_in_english_and_japanese() {
        let g = |n: &str| guess_phase(n, &phases()).map(|(p, _)| p);
        assert_eq!(g("getting-started").as_deref(), Some("onboarding"));
        assert_eq!(g("導入ガイド").as_deref(), Some("onboarding"));
        assert_eq!(g("契約の更新").as_deref(), Some("renewal"));
        assert_eq!(g("Billing & Plans").as_deref(), Some("renewal"));
        assert_eq!(g("Restart"), None, "whole words only");
        assert_eq!(guess_kind("FAQ").map(|k| k.0), Some(Kind::Faq));
        assert_eq!(guess_kind("よくある質問").map(|k| k.0), Some(Kind::Faq));
        assert_eq!(guess_kind("release-notes").map(|k| k.0), Some(Kind::Page));
        assert_eq!(guess_kind("sso"), None);
    }

    #[test]
    fn the_written_file_reads_back() {
        let entries = vec![Entry {
            key: "getting-started".into(),
            title: Some("Getting started".into()),
            pages: 2,
            rule: Rule {
                phase: Some("onboarding".into()),
                tier: None,
                kind: Some(Kind::Playbook),
            },
            why: vec!["\"getting-started\"".into()],
        }];
        let text = render("adoption", &[("folders", "source folders", entries)]);
        let m = parse(&text).unwrap();
        assert_eq!(m.unplaced.as_deref(), Some("adoption"));
        let r = &m.folders["getting-started"];
        assert_eq!(r.phase.as_deref(), Some("onboarding"));
        assert_eq!(r.tier.as_ref().and_then(TierSpec::ids), None);
        assert_eq!(r.kind, Some(Kind::Playbook));
        assert!(parse("folders:\n  x: { phse: onboarding }\n").is_err());
    }
}
