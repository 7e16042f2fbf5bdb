//! The content model: plain data, no I/O.
//!
//! A [`Page`] is what validation makes of one Markdown file: typed kind, phase and tiers (as indices into the
//! config's ordered lists), its URL, and its body with the line where the body starts in the file.

use serde::{Deserialize, Serialize};

/// What a page is. The kind decides where it is listed and whether the proof gate applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A step-by-step task (files under `playbooks/`).
    Playbook,
    /// One question and its answer (files under `content/faq/`).
    Faq,
    /// Any other page.
    Page,
}

impl Kind {
    /// The id as written in front matter.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Playbook => "playbook",
            Kind::Faq => "faq",
            Kind::Page => "page",
        }
    }
}

/// One heading of a rendered page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Unique within the page; the `id` attribute.
    pub id: String,
    /// Plain text of the heading.
    pub text: String,
}

/// A validated page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Source path relative to the site root, `/`-separated: `playbooks/onboarding/connect-sso.md`.
    pub src: String,
    /// Kind from front matter or folder.
    pub kind: Kind,
    /// Title from front matter.
    pub title: String,
    /// Index into `Config::phases`.
    pub phase: Option<usize>,
    /// Indices into `Config::tiers`, in config order. Every tier when the page targets all.
    pub tiers: Vec<usize>,
    /// True when the page targets every tier (`tier: all` or no `tier:`).
    pub all_tiers: bool,
    /// One-line summary (`summary:` or `description:`).
    pub summary: Option<String>,
    /// Estimated effort in minutes.
    pub minutes: Option<u32>,
    /// Order within its phase, lower first.
    pub weight: i64,
    /// Free tags.
    pub tags: Vec<String>,
    /// Part of the "before your kickoff" path.
    pub before_kickoff: bool,
    /// Prerequisites as site-relative source paths, with the line and column where each is written.
    pub requires: Vec<(String, usize, usize)>,
    /// Drafts are built in preview only.
    pub draft: bool,
    /// URL path relative to the base path: `playbooks/onboarding/connect-sso/`, `` for the home intro.
    pub url: String,
    /// Old URLs of the page (`aliases:`), relative to the base path like `url` (`old/sso/`), with the line and
    /// column where each is written: each gets a page that redirects here.
    pub aliases: Vec<(String, usize, usize)>,
    /// Markdown body (everything after the front matter). Shared with the page's link [`Target`], which
    /// reads its anchors from it only when a link asks for one.
    ///
    /// [`Target`]: crate::markdown::Target
    pub body: std::sync::Arc<str>,
    /// 1-based line of the file where the body starts.
    pub body_line: usize,
}

/// The sample sentences `shirube new` writes for the author to replace. `check` warns about each one still in a
/// page (summary or body), so that none is published unnoticed (a summary becomes the page's
/// `<meta name="description">`).
pub const SCAFFOLD_TEXTS: [&str; 6] = [
    "Write one sentence here: what the reader gets done.",
    "Write the answer here: its first sentence answers the question, then come the details.",
    "Write here what this playbook achieves, and for whom.",
    "Write here what the reader needs before starting.",
    "Write the first step here.",
    "Write the next step here.",
];

/// Formats minutes as a short duration: `20 min`, `1 h`, `1 h 30 min`.
pub fn format_minutes(m: u32) -> String {
    match (m / 60, m % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// The longest effort a page may give in `time:`, in minutes (1000 h). More is a typo, and sums of many such
/// values would not fit a `u32`.
pub const MAX_MINUTES: u32 = 60_000;

/// Parses `20m`, `20 min`, `1h`, `1h 30m`, `1.5h`, `90`: minutes. `None` when it is none of these. Values too
/// large for a `u32` come back as `u32::MAX`, above [`MAX_MINUTES`].
pub fn parse_minutes(s: &str) -> Option<u32> {
    let s = s.trim().to_lowercase();
    if let Ok(n) = s.parse::<u32>() {
        return Some(n);
    }
    let mut total = 0.0f64;
    let mut num = String::new();
    let mut seen = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
        } else if c.is_whitespace() {
            continue;
        } else {
            let mut unit = String::from(c);
            while let Some(&n) = chars.peek() {
                if n.is_alphabetic() || n == '分' || n == '時' || n == '間' {
                    unit.push(n);
                    chars.next();
                } else {
                    break;
                }
            }
            let value: f64 = num.parse().ok()?;
            num.clear();
            total += match unit.as_str() {
                "m" | "min" | "mins" | "minute" | "minutes" | "分" => value,
                "h" | "hr" | "hrs" | "hour" | "hours" | "時間" => value * 60.0,
                _ => return None,
            };
            seen = true;
        }
    }
    if !num.is_empty() || !seen {
        return None;
    }
    Some(total.round() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_round_trip() {
        for (s, m) in [
            ("20m", 20),
            ("1h", 60),
            ("1h 30m", 90),
            ("1.5h", 90),
            ("45", 45),
            ("30 min", 30),
            ("2 hours", 120),
            ("30分", 30),
            ("1時間", 60),
        ] {
            assert_eq!(parse_minutes(s), Some(m), "{s}");
        }
        for s in ["", "soon", "20x", "h"] {
            assert_eq!(parse_minutes(s), None, "{s}");
        }
        assert_eq!(format_minutes(150), "2 h 30 min");
        assert_eq!(format_minutes(20), "20 min");
    }
}

/// One file of the output, relative to the output root.
#[derive(Debug)]
pub struct OutputFile {
    /// `/`-separated path: `playbooks/onboarding/connect-sso/index.html`.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
}
