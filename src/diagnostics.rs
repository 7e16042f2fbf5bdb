//! Diagnostics: every problem a run finds, with its place in the source.
//!
//! Each stage pushes [`Diagnostic`]s into one [`Diagnostics`] list and keeps going, so a run reports every
//! error at once instead of stopping at the first. The same values are printed to the terminal (here), written as
//! JSON by `shirube check --format json`, and shown in the browser by `shirube serve`.

use crate::HashMap;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Every diagnostic code shirube uses, sorted. Each is explained, with an example and the fix, in
/// `docs/diagnostics.md`; tests check this list against the codes in the source and the headings of that page.
/// A code names a kind of problem and stays the same across releases, so CI scripts can match on it.
pub const ALL_CODES: &[&str] = &[
    "alias-clash",
    "alias-is-own-url",
    "ambiguous-date",
    "ambiguous-page",
    "conflicting-rows",
    "control-character",
    "duplicate-engagement-id",
    "duplicate-heading-id",
    "duplicate-id",
    "duplicate-key",
    "duplicate-synonym",
    "duplicate-use",
    "empty-file",
    "empty-id",
    "empty-phases",
    "empty-slug",
    "empty-synonym",
    "empty-tiers",
    "empty-title",
    "expected-boolean",
    "expected-number",
    "future-date",
    "id-too-long",
    "image-is-page",
    "import-conflict",
    "invalid-alias",
    "invalid-base-url",
    "invalid-date",
    "invalid-file-name",
    "invalid-hash",
    "invalid-id",
    "invalid-mapping",
    "invalid-min-proofs",
    "invalid-time",
    "invalid-today",
    "invalid-url",
    "invalid-value",
    "link-outside-site",
    "link-to-unpublished",
    "lone-carriage-return",
    "manifest-unused",
    "missing-anchor",
    "missing-answer",
    "missing-image",
    "missing-key",
    "missing-page",
    "missing-page-url",
    "missing-template",
    "name-too-long",
    "no-page-named",
    "no-site",
    "not-utf8",
    "off-tier-proof",
    "old-anchor",
    "output-clash",
    "proof-not-needed",
    "requires-cycle",
    "requires-unpublished",
    "reserved-theme-file",
    "reserved-tier-id",
    "sample-text",
    "script-url",
    "site-has-errors",
    "stale-proof",
    "symbolic-link",
    "synonym-group-too-small",
    "table-too-large",
    "template-error",
    "tier-all-combined",
    "time-too-long",
    "toml-front-matter",
    "unclosed-front-matter",
    "undecodable-file",
    "unknown-answer",
    "unknown-column",
    "unknown-key",
    "unknown-kind",
    "unknown-outcome",
    "unknown-page",
    "unknown-phase",
    "unknown-requires",
    "unknown-theme",
    "unknown-tier",
    "unknown-value",
    "unmapped-field",
    "unreadable-file",
    "unreadable-row",
    "yaml-syntax",
    "yaml-too-deep",
    "yaml-too-large",
];

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
    /// What kind of problem this is, a stable kebab-case name (`unknown-phase`, `missing-anchor`) that CI
    /// scripts can match on and `docs/diagnostics.md` explains; every code is in [`ALL_CODES`].
    pub code: &'static str,
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
            code: "",
            path: path.into(),
            line: 0,
            col: 0,
            message: message.into(),
            help: None,
            excerpt: None,
        }
    }

    /// Sets the diagnostic's code, one of [`ALL_CODES`]. Every diagnostic shirube reports has one.
    pub fn code(mut self, code: &'static str) -> Self {
        debug_assert!(
            ALL_CODES.contains(&code),
            "code {code:?} is not in ALL_CODES"
        );
        self.code = code;
        self
    }

    /// `error[code]` or `warning[code]`: the severity and, when there is one, the code.
    pub fn label(&self) -> String {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.code.is_empty() {
            label.to_string()
        } else {
            format!("{label}[{}]", self.code)
        }
    }

    /// Points the diagnostic at `line:col` of `source` (the whole file) and underlines `len` characters.
    pub fn at(self, source: &str, line: usize, col: usize, len: usize) -> Self {
        let text = line.checked_sub(1).and_then(|i| source.lines().nth(i));
        self.at_text(text, line, col, len)
    }

    /// [`Diagnostic::at`] for a file with many diagnostics: its lines are found once, in `lines`.
    pub fn at_in(self, lines: &Lines, line: usize, col: usize, len: usize) -> Self {
        self.at_text(lines.get(line), line, col, len)
    }

    fn at_text(mut self, text: Option<&str>, line: usize, col: usize, len: usize) -> Self {
        self.line = line;
        self.col = col;
        if let Some(text) = text {
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

    /// `path:line:col: error[code]: message`, then the source line with a caret, then `help:`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let label = self.label();
        // File names and source lines come from disk: control characters in them (a terminal escape that
        // clears the screen, a line break) are shown escaped, never sent to the terminal.
        let path = escape_controls(&self.path);
        match (self.path.is_empty(), self.line) {
            (true, _) => {}
            (false, 0) => out.push_str(&format!("{path}: ")),
            (false, _) => out.push_str(&format!("{path}:{}:{}: ", self.line, self.col)),
        }
        let _ = writeln!(out, "{label}: {}", escape_controls(&self.message));
        if let Some((text, len)) = &self.excerpt {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            let chars: Vec<char> = text
                .chars()
                .map(|c| if c == '\t' { ' ' } else { c })
                .collect();
            let at = self.col.saturating_sub(1);
            // A long line (minified HTML, a table row) shows only the part around the column.
            let (from, to) = if chars.len() <= EXCERPT_CHARS {
                (0, chars.len())
            } else {
                // A third of it before the column, or all of the line's end.
                let from = at
                    .saturating_sub(EXCERPT_CHARS / 3)
                    .min(chars.len() - EXCERPT_CHARS);
                (from, from + EXCERPT_CHARS)
            };
            let mut text: String = chars[from..to].iter().copied().map(escaped).collect();
            let mut lead_cells = 0;
            if from > 0 {
                text.insert(0, '…');
                lead_cells = 1;
            }
            if to < chars.len() {
                text.push('…');
            }
            // Columns count characters; wide (CJK) characters take two cells in a terminal.
            let lead: usize = lead_cells
                + chars[from..at.clamp(from, to)]
                    .iter()
                    .copied()
                    .map(cell_width)
                    .sum::<usize>();
            let under: usize = chars[at.clamp(from, to)..to]
                .iter()
                .copied()
                .take(*len)
                .map(cell_width)
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
            let _ = writeln!(out, "  help: {}", escape_controls(help));
        }
        out
    }
}

/// The most characters of a source line an excerpt shows; a longer line is cut around the column.
const EXCERPT_CHARS: usize = 120;

/// True for characters a terminal acts on instead of showing: C0 and C1 controls (escape, line breaks, the
/// one-byte CSI) and DEL, and the bidirectional overrides and isolates that reorder what follows them.
fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `c` as diagnostics show it: itself, or escaped as `\n`, `\r`, `\t` or `\u{1b}` when it is [`is_control`].
fn escaped(c: char) -> Cow<'static, str> {
    match c {
        '\n' => "\\n".into(),
        '\r' => "\\r".into(),
        '\t' => "\\t".into(),
        c if is_control(c) => format!("\\u{{{:x}}}", c as u32).into(),
        c => String::from(c).into(),
    }
}

/// `s` with each [`is_control`] character escaped.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(escaped).collect())
}

/// Terminal cells a character of an excerpt takes, escaped as [`escaped`] shows it.
fn cell_width(c: char) -> usize {
    if is_control(c) {
        escaped(c).chars().count()
    } else {
        display_width(c)
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
    /// After [`Diagnostics::make_strict`]: how many warnings it made errors.
    #[serde(skip)]
    strict: Option<usize>,
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

    /// `--strict`: every warning becomes an error (so the run fails), and [`Diagnostics::summary`] says how
    /// many there were. Call it once every diagnostic is in.
    pub fn make_strict(&mut self) {
        let mut n = 0;
        for d in &mut self.items {
            if d.severity == Severity::Warning {
                d.severity = Severity::Error;
                n += 1;
            }
        }
        self.strict = Some(n);
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
        let strict = match self.strict {
            Some(1) => " (--strict: 1 warning counted as an error)".to_string(),
            Some(n) if n > 1 => format!(" (--strict: {n} warnings counted as errors)"),
            _ => String::new(),
        };
        format!(
            "{}, {}{strict}",
            plural(self.errors(), "error"),
            plural(self.warnings(), "warning")
        )
    }

    /// Every diagnostic as a GitHub Actions workflow command (`::error file=…,line=…,col=…::message`), so that
    /// it shows on the pull request's diff. `prefix` is put before each path: the site's folder in the
    /// repository (`docs/guide/`), or nothing when the site is the repository's root.
    pub fn to_github(&self, prefix: &str) -> String {
        // Workflow commands: `%`, CR and LF are escaped in the message; in properties `:` and `,` too.
        let data = |s: &str| {
            s.replace('%', "%25")
                .replace('\r', "%0D")
                .replace('\n', "%0A")
        };
        let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
        let mut out = String::new();
        for d in self.sorted() {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut props = Vec::new();
            if !d.path.is_empty() {
                props.push(format!("file={}", property(&format!("{prefix}{}", d.path))));
                if d.line > 0 {
                    props.push(format!("line={}", d.line));
                    if d.col > 0 {
                        props.push(format!("col={}", d.col));
                    }
                }
            }
            props.push(if d.code.is_empty() {
                "title=shirube".to_string()
            } else {
                format!("title=shirube {}", d.code)
            });
            let message = match &d.help {
                Some(help) => format!("{}\nhelp: {help}", d.message),
                None => d.message.clone(),
            };
            let _ = writeln!(out, "::{level} {}::{}", props.join(","), data(&message));
        }
        out
    }

    /// Machine-readable form for `--format json`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Report<'a> {
            errors: usize,
            warnings: usize,
            /// With `--strict`: how many of the errors were warnings.
            #[serde(skip_serializing_if = "Option::is_none")]
            strict_warnings: Option<usize>,
            diagnostics: Vec<&'a Diagnostic>,
        }
        let report = Report {
            errors: self.errors(),
            warnings: self.warnings(),
            strict_warnings: self.strict,
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

/// Where each line of a source text starts, so that the diagnostics of a long file (a manifest of thousands of
/// engagements, after a folder of playbooks was renamed) find their line without reading the file from the top
/// each time.
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    /// Line `n` (counted from 1), as `str::lines` gives it: without `\n` or `\r\n`.
    pub fn get(&self, n: usize) -> Option<&'a str> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        // After a final line ending there is no line, and in an empty text none at all.
        if start == self.text.len() {
            return None;
        }
        let end = self.starts.get(n).map_or(self.text.len(), |&next| next - 1);
        let line = &self.text[start..end];
        Some(if end < self.text.len() {
            line.strip_suffix('\r').unwrap_or(line)
        } else {
            line
        })
    }
}

/// The path in `candidates` closest to `path`, when it is a likely typo (a few characters off). Stricter than
/// [`did_you_mean`]: long paths share most of their characters, so similarity alone suggests nonsense.
pub fn did_you_mean_path<'a>(
    path: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let table = PathTable::new(candidates);
    table.closest(path).map(|i| table.paths[i])
}

/// Candidate paths prepared for [`did_you_mean_path`], which compares a path against each of them: after a
/// folder is renamed that is thousands of broken links times thousands of pages, so the preparation is done
/// once ([`PathSuggestions`] keeps the table). ASCII paths (nearly all) are compared byte by byte; the others
/// keep their characters.
struct PathTable<S> {
    paths: Vec<S>,
    /// Length in characters.
    lens: Vec<usize>,
    /// Characters of the paths that are not ASCII (empty for ASCII ones).
    chars: Vec<Vec<char>>,
    /// Candidates by file name (the part after the last `/`).
    by_name: HashMap<String, Vec<usize>>,
    /// Each path's characters counted in 64 buckets (see [`bag`]).
    bags: Vec<Bag>,
}

/// How many of a text's characters fall in each of 64 buckets (by code point modulo 64, saturating). An edit
/// changes one count by one, or two (substitution) in opposite directions; a transposition none. So two texts
/// are at least max(more, fewer) edits apart, where `more` sums the counts by which one exceeds the other and
/// `fewer` the reverse: a bound much cheaper to compute than the distance itself, which most candidates fail.
type Bag = [u8; 64];

fn bag(text: &str) -> Bag {
    let mut b = [0u8; 64];
    for c in text.chars() {
        let slot = &mut b[(c as usize) & 63];
        *slot = slot.saturating_add(1);
    }
    b
}

/// The lower bound on the edit distance described at [`Bag`].
fn bag_distance(a: &Bag, b: &Bag) -> usize {
    let (mut more, mut fewer) = (0usize, 0usize);
    for (&x, &y) in a.iter().zip(b) {
        more += usize::from(x.saturating_sub(y));
        fewer += usize::from(y.saturating_sub(x));
    }
    more.max(fewer)
}

impl<S: AsRef<str>> PathTable<S> {
    fn new(candidates: impl IntoIterator<Item = S>) -> PathTable<S> {
        let paths: Vec<S> = candidates.into_iter().collect();
        let mut table = PathTable {
            lens: Vec::with_capacity(paths.len()),
            chars: Vec::with_capacity(paths.len()),
            by_name: HashMap::default(),
            bags: Vec::with_capacity(paths.len()),
            paths: Vec::new(),
        };
        for (i, p) in paths.iter().enumerate() {
            let p = p.as_ref();
            if p.is_ascii() {
                table.lens.push(p.len());
                table.chars.push(Vec::new());
            } else {
                let chars: Vec<char> = p.chars().collect();
                table.lens.push(chars.len());
                table.chars.push(chars);
            }
            table.bags.push(bag(p));
            table
                .by_name
                .entry(file_name(p).to_string())
                .or_default()
                .push(i);
        }
        table.paths = paths;
        table
    }

    /// The index of the closest candidate within the typo limit: fewest edits, then first by name.
    fn closest(&self, path: &str) -> Option<usize> {
        let ascii = path.is_ascii();
        let mut target: Vec<char> = Vec::new();
        let n = if ascii {
            path.len()
        } else {
            path.chars().count()
        };
        let mut limit = (n / 6).max(2);
        let target_bag = bag(path);
        let mut best: Option<(usize, usize)> = None;
        let mut rows = Rows::default();
        // Candidates with the same file name (the usual case after a move) first, so that the limit is tight
        // early; then all of them (the same-name ones again, which costs little).
        let same_name = self.by_name.get(file_name(path)).into_iter().flatten();
        let mut buf: Vec<char> = Vec::new();
        for i in same_name.copied().chain(0..self.paths.len()) {
            if self.lens[i].abs_diff(n) > limit || bag_distance(&target_bag, &self.bags[i]) > limit
            {
                continue;
            }
            let c = self.paths[i].as_ref();
            // Only ASCII paths have no characters kept (a path that is not ASCII has at least one).
            let c_ascii = self.chars[i].is_empty();
            let d = if ascii && c_ascii {
                rows.within(path.as_bytes(), c.as_bytes(), limit)
            } else {
                // Mixed or non-ASCII (rare): compare characters.
                if target.is_empty() {
                    target = path.chars().collect();
                }
                let chars = if c_ascii {
                    buf.clear();
                    buf.extend(c.chars());
                    &buf
                } else {
                    &self.chars[i]
                };
                rows.within(&target, chars, limit)
            };
            if let Some(d) = d
                && best.is_none_or(|(bd, bi)| (d, c) < (bd, self.paths[bi].as_ref()))
                && similar_names(file_name(path), file_name(c))
            {
                best = Some((d, i));
                limit = d;
            }
        }
        best.map(|(_, i)| i)
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether a file name could be a typo of another: the same, or a third of its characters off at most (one
/// for short names). Checked besides the whole path's distance, so that `nope.md` does not suggest `crlf.md`
/// in the same folder.
fn similar_names(a: &str, b: &str) -> bool {
    let n = a.chars().count().max(b.chars().count());
    a == b || strsim::osa_distance(a, b) <= (n / 3).max(1)
}

/// [`did_you_mean_path`] with each answer remembered, for callers that ask about the same path many times
/// (every link to a page that was moved, every engagement that used it), from several threads. The caller
/// passes the same candidates every time, or empties it when they change.
#[derive(Default)]
pub struct PathSuggestions {
    memo: std::sync::Mutex<HashMap<String, Option<String>>>,
    table: std::sync::OnceLock<PathTable<String>>,
}

impl std::fmt::Debug for PathSuggestions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PathSuggestions").finish_non_exhaustive()
    }
}

impl PathSuggestions {
    /// The candidate closest to `path`, if one is close; `candidates` is called only the first time.
    pub fn get<'c, I: IntoIterator<Item = &'c str>>(
        &self,
        path: &str,
        candidates: impl FnOnce() -> I,
    ) -> Option<String> {
        // A poisoned lock only means another thread panicked; the map is still whole.
        let memo = || {
            self.memo
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(found) = memo().get(path) {
            return found.clone();
        }
        let table = self
            .table
            .get_or_init(|| PathTable::new(candidates().into_iter().map(str::to_string)));
        let found = table.closest(path).map(|i| table.paths[i].clone());
        memo().insert(path.to_string(), found.clone());
        found
    }
}

/// The three rows of the distance table that [`Rows::within`] keeps, reused from one comparison to the next.
#[derive(Default)]
struct Rows {
    before: Vec<usize>,
    prev: Vec<usize>,
    row: Vec<usize>,
}

impl Rows {
    /// The optimal string alignment distance (Levenshtein with adjacent transpositions) between `a` and `b`, or
    /// `None` when it is more than `k`. Only cells within `k` of the diagonal are computed, and the computation
    /// stops once a whole row exceeds `k`.
    fn within<T: PartialEq>(&mut self, a: &[T], b: &[T], k: usize) -> Option<usize> {
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
        let Rows { before, prev, row } = self;
        before.clear();
        before.resize(m + 1, far);
        prev.clear();
        prev.extend((0..=m).map(|j| j.min(far)));
        row.clear();
        row.resize(m + 1, far);
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
            std::mem::swap(before, prev);
            std::mem::swap(prev, row);
        }
        Some(prev[m]).filter(|&d| d <= k)
    }
}

/// [`Rows::within`] with rows of its own.
#[cfg(test)]
fn edit_distance_within(a: &[char], b: &[char], k: usize) -> Option<usize> {
    Rows::default().within(a, b, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_shown_around_the_column() {
        let line = format!("{}[x](broken.md){}", "a".repeat(300), "b".repeat(300));
        let d = Diagnostic::error("content/a.md", "broken link").at(&line, 1, 301, 14);
        let shown = format!("…{}[x](broken.md){}…", "a".repeat(40), "b".repeat(66));
        assert_eq!(
            d.render(),
            format!(
                "content/a.md:1:301: error: broken link\n 1 | {shown}\n   | {}{}\n",
                " ".repeat(41),
                "^".repeat(14)
            )
        );
        // A short line is shown whole; a caret at the end of a long one stays under it.
        let d = Diagnostic::error("a.md", "m").at("ab", 1, 2, 1);
        assert_eq!(d.render(), "a.md:1:2: error: m\n 1 | ab\n   |  ^\n");
        let d = Diagnostic::error("a.md", "m").at(&"c".repeat(200), 1, 200, 1);
        assert!(
            d.render().ends_with(&format!(
                "…{}\n   | {}^\n",
                "c".repeat(120),
                " ".repeat(120)
            )),
            "{}",
            d.render()
        );
    }

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
                assert!(bag_distance(&bag(a), &bag(b)) <= full, "{a:?} {b:?}");
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
                // The cheap bound never says more than the distance (else a close path would be skipped).
                assert!(bag_distance(&bag(a), &bag(b)) <= full, "{a} {b}");
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
    fn path_suggestions_match_a_plain_search() {
        // Paths like a site's, some Japanese, some moved or misspelled: the prepared table gives what comparing
        // the path with every candidate by the plain distance gives.
        let folders = [
            "playbooks/onboarding",
            "playbooks/onboard",
            "playbooks/adoption",
            "content/faq",
            "content/よくある質問",
        ];
        let names = [
            "sso.md",
            "ssso.md",
            "invite-admins.md",
            "invite-admin.md",
            "請求書.md",
            "請求.md",
            "a.md",
            "b.md",
        ];
        let mut candidates: Vec<String> = Vec::new();
        for (i, f) in folders.iter().enumerate() {
            for (j, n) in names.iter().enumerate() {
                if (i + j) % 3 != 0 {
                    candidates.push(format!("{f}/{n}"));
                }
            }
        }
        let plain = |path: &str| {
            let limit = (path.chars().count() / 6).max(2);
            candidates
                .iter()
                .map(|c| (strsim::osa_distance(path, c), c.as_str()))
                .filter(|(d, c)| *d <= limit && similar_names(file_name(path), file_name(c)))
                .min()
                .map(|(_, c)| c.to_string())
        };
        let memo = PathSuggestions::default();
        let mut found = 0;
        for f in folders
            .iter()
            .chain(&["playbooks/onbording", "content", "x"])
        {
            for n in names
                .iter()
                .chain(&["ss.md", "請求書類.md", "invite_admins.md"])
            {
                let path = format!("{f}/{n}");
                let want = plain(&path);
                found += usize::from(want.is_some());
                let refs = candidates.iter().map(String::as_str);
                assert_eq!(
                    did_you_mean_path(&path, refs).map(str::to_string),
                    want,
                    "{path}"
                );
                let again = memo.get(&path, || candidates.iter().map(String::as_str));
                assert_eq!(again, want, "{path}");
            }
        }
        assert!(
            found > 40,
            "only {found} paths had a suggestion: the test would prove little"
        );
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
        // A few edits in a long path, but a different name: no suggestion.
        let guide = ["content/guide/sub/crlf.md", "content/guide/sub/em.md"];
        assert_eq!(did_you_mean_path("content/guide/sub/nope.md", guide), None);
        assert_eq!(did_you_mean_path("content/guide/sub/n1.md", guide), None);
        assert_eq!(
            did_you_mean_path("content/guide/sub/crfl.md", guide),
            Some("content/guide/sub/crlf.md")
        );
        assert_eq!(did_you_mean_path("content/other/page.md", pages), None);
        // Equally close: the first by name.
        assert_eq!(
            did_you_mean_path("b/x.md", ["c/x.md", "a/x.md"]),
            Some("a/x.md")
        );
    }

    #[test]
    fn lines_are_those_of_str_lines() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\r\nb",
            "a\r\n\r\nb\r",
            "x\n\ny\n\n",
            "設定\r\nです\n",
        ] {
            let lines = Lines::new(text);
            let want: Vec<&str> = text.lines().collect();
            let got: Vec<&str> = (1..).map_while(|n| lines.get(n)).collect();
            assert_eq!(got, want, "{text:?}");
            assert_eq!(lines.get(0), None);
            assert_eq!(lines.get(want.len() + 1), None, "{text:?}");
        }
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
