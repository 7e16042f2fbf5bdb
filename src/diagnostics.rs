//! Diagnostics: every problem a run finds, with its place in the source.
//!
//! Each stage pushes [`Diagnostic`]s into one [`Diagnostics`] list and keeps going, so a run reports every
//! error at once instead of stopping at the first. The same values are printed to the terminal (here), written as
//! JSON by `shirube check --format json`, and shown in the browser by `shirube serve`.

use serde::Serialize;
use std::fmt::Write as _;

/// How bad a diagnostic is. Errors fail the build; warnings are printed and the build goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The site cannot be built correctly until this is fixed.
    Error,
    /// Worth fixing, but the build still succeeds.
    Warning,
}

/// One problem, located in a file (relative to the site root) where the file is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Path relative to the site root, with `/` separators; empty when the problem is not in one file.
    pub path: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column in characters, 0 when unknown.
    pub col: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when a fix is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The source line the diagnostic points at, and how many characters to underline.
    #[serde(skip)]
    pub excerpt: Option<(String, usize)>,
}

impl Diagnostic {
    /// An error in `path` (no position yet).
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path, message)
    }

    /// A warning in `path` (no position yet).
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, path, message)
    }

    fn new(severity: Severity, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            path: path.into(),
            line: 0,
            col: 0,
            message: message.into(),
            help: None,
            excerpt: None,
        }
    }

    /// Points the diagnostic at `line:col` of `source` (the whole file) and underlines `len` characters.
    pub fn at(mut self, source: &str, line: usize, col: usize, len: usize) -> Self {
        self.line = line;
        self.col = col;
        if line > 0
            && let Some(text) = source.lines().nth(line - 1)
        {
            self.excerpt = Some((text.trim_end_matches('\r').to_string(), len.max(1)));
        }
        self
    }

    /// Points the diagnostic at `line:col` without a source excerpt.
    pub fn at_line(mut self, line: usize, col: usize) -> Self {
        self.line = line;
        self.col = col;
        self
    }

    /// Adds a `help:` line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a did-you-mean help line when `suggestion` is some.
    pub fn with_suggestion(self, suggestion: Option<&str>) -> Self {
        match suggestion {
            Some(s) => self.with_help(format!("did you mean \"{s}\"?")),
            None => self,
        }
    }

    /// `path:line:col: error: message`, then the source line with a caret, then `help:`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match (self.path.is_empty(), self.line) {
            (true, _) => {}
            (false, 0) => out.push_str(&format!("{}: ", self.path)),
            (false, _) => out.push_str(&format!("{}:{}:{}: ", self.path, self.line, self.col)),
        }
        let _ = writeln!(out, "{label}: {}", self.message);
        if let Some((text, len)) = &self.excerpt {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            let text = text.replace('\t', " ");
            // Columns count characters; wide (CJK) characters take two cells in a terminal.
            let lead: usize = text
                .chars()
                .take(self.col.saturating_sub(1))
                .map(display_width)
                .sum();
            let under: usize = text
                .chars()
                .skip(self.col.saturating_sub(1))
                .take(*len)
                .map(display_width)
                .sum();
            let _ = writeln!(out, " {num} | {text}");
            let _ = writeln!(
                out,
                " {pad} | {}{}",
                " ".repeat(lead),
                "^".repeat(under.max(1))
            );
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  help: {help}");
        }
        out
    }
}

/// Terminal cells a character takes: 2 for East Asian wide characters, 1 otherwise (good enough for carets).
fn display_width(c: char) -> usize {
    let cp = c as u32;
    let wide = matches!(cp,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

/// How many warnings the terminal output shows before summing up the rest.
pub const WARNINGS_SHOWN: usize = 50;

/// Every diagnostic of a run, in the order they should be shown.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Adds one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Adds many.
    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(ds);
    }

    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, s: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == s).count()
    }

    /// True when the run found at least one error.
    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }

    /// All diagnostics, sorted by file, then position, so output is stable whatever order the stages ran in.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| {
            (
                a.path.is_empty(),
                &a.path,
                a.line,
                a.col,
                a.severity,
                &a.message,
            )
                .cmp(&(
                    b.path.is_empty(),
                    &b.path,
                    b.line,
                    b.col,
                    b.severity,
                    &b.message,
                ))
        });
        v
    }

    /// Every diagnostic rendered for the terminal, blank line between them. Every error is shown; warnings
    /// after the first [`WARNINGS_SHOWN`] are counted in one closing line instead, so that a large site's
    /// warnings do not bury its errors (`--format json` lists them all).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut warnings = 0;
        for d in self.sorted() {
            if d.severity == Severity::Warning {
                warnings += 1;
                if warnings > WARNINGS_SHOWN {
                    continue;
                }
            }
            out.push_str(&d.render());
            out.push('\n');
        }
        if warnings > WARNINGS_SHOWN {
            let _ = writeln!(
                out,
                "... and {} more warnings (`shirube check --format json` lists every one)\n",
                warnings - WARNINGS_SHOWN
            );
        }
        out
    }

    /// `2 errors, 1 warning`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!(
            "{}, {}",
            plural(self.errors(), "error"),
            plural(self.warnings(), "warning")
        )
    }

    /// Machine-readable form for `--format json`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Report<'a> {
            errors: usize,
            warnings: usize,
            diagnostics: Vec<&'a Diagnostic>,
        }
        let report = Report {
            errors: self.errors(),
            warnings: self.warnings(),
            diagnostics: self.sorted(),
        };
        // Serializing plain strings and numbers cannot fail.
        serde_json::to_string_pretty(&report).unwrap_or_default()
    }
}

/// The closest of `candidates` to `word`, if one is close enough to be a likely typo: at most one edit per
/// three characters (a swap of two letters counts as one edit), or very similar by Jaro.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word_l = word.to_lowercase();
    let allowed = (word_l.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter_map(|c| {
            let c_l = c.to_lowercase();
            let edits = strsim::damerau_levenshtein(&word_l, &c_l);
            let jaro = strsim::jaro(&word_l, &c_l);
            (edits <= allowed || jaro > 0.8).then_some((edits, -jaro, c))
        })
        // Ties go to the alphabetically first candidate, so the suggestion does not depend on input order.
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(b.2)))
        .map(|(_, _, c)| c)
}

/// The path in `candidates` closest to `path`, when it is a likely typo (a few characters off). Stricter than
/// [`did_you_mean`]: long paths share most of their characters, so similarity alone suggests nonsense.
pub fn did_you_mean_path<'a>(
    path: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Called for every broken link, `requires` and manifest path, each against every page: after a folder is
    // renamed that is thousands of times thousands. So the distance is computed within a band and given up as
    // soon as it exceeds the best so far, and candidates with the same file name (the usual case then) go
    // first, so that the bound is tight early.
    let target: Vec<char> = path.chars().collect();
    let mut best: Option<(usize, &str)> = None;
    let mut limit = (target.len() / 6).max(2);
    let name = path.rsplit('/').next().unwrap_or(path);
    let (same_name, others): (Vec<&str>, Vec<&str>) = candidates.into_iter().partition(|c| {
        c.strip_suffix(name)
            .is_some_and(|dir| dir.is_empty() || dir.ends_with('/'))
    });
    let n = target.len();
    let mut buf = Vec::new();
    for c in same_name.into_iter().chain(others) {
        // A string has at most as many characters as bytes, and an ASCII one exactly as many: most candidates
        // are too short or too long to be within `limit` without looking at their characters.
        if c.len() + limit < n || (c.len() > n + limit && c.is_ascii()) {
            continue;
        }
        buf.clear();
        buf.extend(c.chars());
        if let Some(d) = edit_distance_within(&target, &buf, limit)
            && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc))
        {
            best = Some((d, c));
            limit = d;
        }
    }
    best.map(|(_, c)| c)
}

/// [`did_you_mean_path`] with each answer remembered, for callers that ask about the same path many times
/// (every link to a page that was moved, every engagement that used it), from several threads. The caller
/// passes the same candidates every time, or empties it when they change.
#[derive(Debug, Default)]
pub struct PathSuggestions {
    memo: std::sync::Mutex<std::collections::HashMap<String, Option<String>>>,
}

impl PathSuggestions {
    /// The candidate closest to `path`, if one is close; `candidates` is called only the first time.
    pub fn get<'c, I: IntoIterator<Item = &'c str>>(
        &self,
        path: &str,
        candidates: impl FnOnce() -> I,
    ) -> Option<String> {
        // A poisoned lock only means another thread panicked; the map is still whole.
        let memo = || self.memo.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = memo().get(path) {
            return found.clone();
        }
        let found = did_you_mean_path(path, candidates()).map(str::to_string);
        memo().insert(path.to_string(), found.clone());
        found
    }
}

/// The optimal string alignment distance (Levenshtein with adjacent transpositions) between `a` and `b`, or
/// `None` when it is more than `k`. Only cells within `k` of the diagonal are computed, and the computation
/// stops once a whole row exceeds `k`.
fn edit_distance_within(a: &[char], b: &[char], k: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > k {
        return None;
    }
    // What both start or end with costs nothing (paths share `playbooks/` and `.md`).
    let start = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[start..], &b[start..]);
    let end = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - end], &b[..b.len() - end]);
    let far = k + 1;
    let m = b.len();
    // Rows i - 2, i - 1 and i of the table; cells outside the band stay `far`.
    let mut before: Vec<usize> = vec![far; m + 1];
    let mut prev: Vec<usize> = (0..=m).map(|j| j.min(far)).collect();
    let mut row: Vec<usize> = vec![far; m + 1];
    for i in 1..=a.len() {
        row.fill(far);
        if i <= k {
            row[0] = i;
        }
        let (from, to) = (i.saturating_sub(k).max(1), (i + k).min(m));
        let mut lowest = row[0];
        for j in from..=to {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j - 1] + cost).min(prev[j] + 1).min(row[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d.min(far);
            lowest = lowest.min(row[j]);
        }
        if lowest > k {
            return None;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut row);
    }
    Some(prev[m]).filter(|&d| d <= k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_edit_distance_matches_the_plain_one() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "bca",
            "kitten",
            "sitting",
            "playbooks/onboarding/sso.md",
            "playbooks/onboard/sso.md",
            "playbooks/onboarding/ssso.md",
            "playbooks/adoption/sso.md",
            "設定",
            "定設",
        ];
        for a in words {
            for b in words {
                let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                let full = strsim::osa_distance(a, b);
                for k in 0..8 {
                    let want = (full <= k).then_some(full);
                    assert_eq!(edit_distance_within(&ca, &cb, k), want, "{a:?} {b:?} k={k}");
                }
            }
        }
    }

    #[test]
    fn bounded_edit_distance_matches_the_plain_one_on_random_strings() {
        // Every string of up to 5 letters over a three-letter alphabet against a sample of others: common
        // prefixes and suffixes, transpositions next to them, repeats.
        let mut all: Vec<String> = vec![String::new()];
        for len in 1..=5 {
            let mut next = Vec::new();
            for s in all.iter().filter(|s| s.len() == len - 1) {
                for c in ['a', 'b', 'c'] {
                    next.push(format!("{s}{c}"));
                }
            }
            all.extend(next);
        }
        for (i, a) in all.iter().enumerate() {
            for b in all.iter().skip(i % 7).step_by(7) {
                let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                let full = strsim::osa_distance(a, b);
                for k in 0..6 {
                    assert_eq!(
                        edit_distance_within(&ca, &cb, k),
                        (full <= k).then_some(full),
                        "{a} {b} {k}"
                    );
                }
            }
        }
    }

    #[test]
    fn path_suggestions_pick_the_closest_then_the_first_by_name() {
        let pages = [
            "playbooks/onboard/sso.md",
            "playbooks/onboarding/invite.md",
            "playbooks/adoption/sso.md",
        ];
        assert_eq!(
            did_you_mean_path("playbooks/onboarding/sso.md", pages),
            Some("playbooks/onboard/sso.md")
        );
        assert_eq!(
            did_you_mean_path("playbooks/onboarding/invte.md", pages),
            Some("playbooks/onboarding/invite.md")
        );
        assert_eq!(did_you_mean_path("content/other/page.md", pages), None);
        // Equally close: the first by name.
        assert_eq!(
            did_you_mean_path("b/x.md", ["c/x.md", "a/x.md"]),
            Some("a/x.md")
        );
    }

    #[test]
    fn renders_caret_under_the_value() {
        let src = "---\ntitle: x\nphase: onbording\n---\n";
        let d = Diagnostic::error("playbooks/a.md", "unknown phase \"onbording\"")
            .at(src, 3, 8, 9)
            .with_suggestion(Some("onboarding"));
        assert_eq!(
            d.render(),
            "playbooks/a.md:3:8: error: unknown phase \"onbording\"\n 3 | phase: onbording\n   |        ^^^^^^^^^\n  help: did you mean \"onboarding\"?\n"
        );
    }

    #[test]
    fn caret_accounts_for_wide_characters() {
        let src = "タイトル: x\n";
        let d = Diagnostic::warning("a.md", "m").at(src, 1, 7, 1);
        assert!(
            d.render().contains("\n   |           ^\n"),
            "{}",
            d.render()
        );
    }

    #[test]
    fn many_warnings_are_summed_up_but_errors_never() {
        let mut d = Diagnostics::default();
        for i in 0..60 {
            d.push(Diagnostic::warning(format!("w{i:02}.md"), "w"));
        }
        d.push(Diagnostic::error("z.md", "e"));
        let out = d.render();
        assert_eq!(out.matches("warning: w").count(), WARNINGS_SHOWN);
        assert!(out.contains("z.md: error: e\n"));
        assert!(out.ends_with(
            "... and 10 more warnings (`shirube check --format json` lists every one)\n\n"
        ));
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        let phases = ["onboarding", "adoption", "retention", "renewal"];
        assert_eq!(did_you_mean("onbording", phases), Some("onboarding"));
        assert_eq!(did_you_mean("Renewl", phases), Some("renewal"));
        assert_eq!(did_you_mean("payroll", phases), None);
        assert_eq!(
            did_you_mean("mdi", ["tech", "low", "mid", "high"]),
            Some("mid")
        );
        assert_eq!(did_you_mean("xyz", ["tech", "low", "mid", "high"]), None);
    }
}
