//! YAML parsing shared by the config, front matter and (later) the proof manifest.
//!
//! Wraps serde-saphyr with strict options (duplicate keys and `yes`/`no` booleans are errors) and turns its
//! errors into [`Diagnostic`]s that point at the real line of the source file and say how to fix the mistake.

use crate::diagnostics::{Diagnostic, did_you_mean};
use serde::de::DeserializeOwned;

/// Where a YAML document sits inside a file.
#[derive(Debug, Clone, Copy)]
pub struct Embedded<'a> {
    /// Path of the file relative to the site root, for messages.
    pub path: &'a str,
    /// The whole file, for source excerpts.
    pub file: &'a str,
    /// Lines of the file before the YAML starts (1 for front matter after a `---` line).
    pub line_offset: usize,
}

/// `s` as a YAML scalar to write into a file: plain when that reads back as the same string, otherwise
/// double-quoted. What `new` and `prove` write with.
pub fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c) || c.is_whitespace())
        && !s.ends_with(char::is_whitespace)
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains(['\n', '\r', '\t'])
        && s.parse::<f64>().is_err()
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~"
        );
    if plain {
        s.to_string()
    } else {
        // JSON strings are valid YAML double-quoted scalars; serializing a &str cannot fail.
        serde_json::to_string(s).unwrap_or_default()
    }
}

/// Strict options: no duplicate keys, only `true`/`false` as booleans, no snippets in messages (we draw our own).
pub fn options() -> serde_saphyr::Options {
    let mut o = serde_saphyr::Options::default();
    o.strict_booleans = true;
    o.with_snippet = false;
    o.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    o
}

/// Options for files that grow with a team's history (the proof manifest): the default budget of the YAML
/// parser (250,000 nodes) is reached at about 20,000 engagements, so it is raised a hundredfold. The limits
/// against alias bombs stay as they are.
pub fn options_large() -> serde_saphyr::Options {
    let mut o = options();
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 25_000_000;
    budget.max_events = 100_000_000;
    budget.max_total_scalar_bytes = 1 << 30;
    o.budget = Some(budget);
    o
}

/// [`parse`] for large files, with [`options_large`].
pub fn parse_large<T: DeserializeOwned>(yaml: &str, at: Embedded<'_>) -> Result<T, Diagnostic> {
    if let Some(d) = lone_cr(yaml, at) {
        return Err(d);
    }
    serde_saphyr::from_str_with_options::<T>(yaml, options_large())
        .map_err(|e| to_diagnostic(&e, at))
}

/// The error for the first carriage return in `yaml` that is not followed by a line feed (a classic Mac OS
/// line ending, or a stray one), if there is one. YAML takes it as a line break; shirube, like `git` and most
/// editors' line numbers, counts lines by line feeds. Read on, every position after it would point at the
/// wrong line, so the file is not read.
fn lone_cr(yaml: &str, at: Embedded<'_>) -> Option<Diagnostic> {
    let (i, _) = yaml
        .match_indices('\r')
        .find(|(i, _)| yaml.as_bytes().get(i + 1) != Some(&b'\n'))?;
    let before = &yaml[..i];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    Some(
        Diagnostic::error(at.path, "a carriage return (CR) that does not end a line").code("lone-carriage-return")
            .at(at.file, line + at.line_offset, col, 1)
            .with_help(
                "save the file with LF (or CRLF) line endings, and remove any carriage return left in the text",
            ),
    )
}

/// At most this many bad values are reported from one YAML document (each is one more parse)...
const MAX_VALUE_ERRORS: usize = 50;
/// ...and at most about this many bytes parsed to find them, so that a large manifest (7 MB at 20,000
/// engagements, about a second a parse) with many mistakes reports the first few quickly rather than all.
const MAX_REPARSE_BYTES: usize = 32 << 20;

/// Parses `yaml` as `T` like [`parse`] (or [`parse_large`] with `large`), but reports every bad value, not
/// only the first: serde stops at the first error, so the entry that holds it (the `key: value` line and the
/// lines under it, or the `- ` item) is blanked out and the document parsed again, until it parses or no
/// entry can be found. Lines are blanked, not removed, so positions stay those of the file. A syntax error
/// is reported alone, since nothing after it can be read with confidence; so is a missing key that only
/// blanking made missing. Returns the value of the last parse when one succeeded (read without the bad
/// entries: the caller must not use it as if the document were valid), and every error.
pub fn parse_each_error<T: DeserializeOwned>(
    yaml: &str,
    at: Embedded<'_>,
    large: bool,
) -> (Option<T>, Vec<Diagnostic>) {
    let opts = || if large { options_large() } else { options() };
    if let Some(d) = lone_cr(yaml, at) {
        return (None, vec![d]);
    }
    let mut err = match serde_saphyr::from_str_with_options::<T>(yaml, opts()) {
        Ok(v) => return (Some(v), Vec::new()),
        Err(e) => e,
    };
    let mut diags = vec![to_diagnostic(&err, at)];
    // Well-formed YAML (a repeated key aside, which is blanked like a bad value)?
    let mut syntax = opts();
    syntax.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::FirstWins;
    if serde_saphyr::from_str_with_options::<serde::de::IgnoredAny>(yaml, syntax).is_err() {
        return (None, diags);
    }
    let mut lines: Vec<&str> = yaml.split('\n').collect();
    let mut blanked: Vec<&str> = Vec::new();
    let rounds = (MAX_REPARSE_BYTES / yaml.len().max(1)).clamp(1, MAX_VALUE_ERRORS);
    for _ in 0..rounds {
        let Some(line) = err.location().map(|l| l.line() as usize) else {
            break;
        };
        let Some((start, end, key)) = entry_at(&lines, line) else {
            break;
        };
        if lines[start..end].iter().all(|l| l.is_empty()) {
            break; // nothing left to blank: no progress
        }
        lines[start..end].iter_mut().for_each(|l| *l = "");
        blanked.push(key);
        let text = lines.join("\n");
        if text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            break; // every entry was bad: an empty document says nothing more
        }
        err = match serde_saphyr::from_str_with_options::<T>(&text, opts()) {
            Ok(v) => return (Some(v), diags),
            Err(e) => e,
        };
        let raw = err.without_snippet().to_string();
        let made_missing = raw
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
            .is_some_and(|k| blanked.contains(&k));
        if !made_missing {
            diags.push(to_diagnostic(&err, at));
        }
    }
    (None, diags)
}

/// The entry of a block-style YAML document that holds 1-based line `line`: 0-based start and end (exclusive)
/// line indices, and its key. The entry is the nearest line at or above that starts a `key:` (after any `- `)
/// and is not indented deeper than the lines between, and every line under it indented deeper than it (than
/// its `-`, for an item). `None` when there is none.
fn entry_at<'a>(lines: &[&'a str], line: usize) -> Option<(usize, usize, &'a str)> {
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let content = |l: &str| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    };
    // `key:` followed by a space or the end of the line, after any `- ` item markers.
    let key_of = |l: &'a str| -> Option<&'a str> {
        let mut rest = l.trim_start_matches(' ');
        while let Some(r) = rest.strip_prefix("- ") {
            rest = r.trim_start_matches(' ');
        }
        let i = rest.find(':')?;
        let key = &rest[..i];
        let after = &rest[i + 1..];
        let plain = !key.is_empty()
            && !key.starts_with(['[', '{', '"', '\'', '#', '&', '*', '!', '|', '>', '-'])
            && !key.contains(" #");
        (plain && (after.is_empty() || after.starts_with(' '))).then_some(key)
    };
    let mut i = line.checked_sub(1)?;
    let mut deeper_than = indent(lines.get(i)?);
    let start = loop {
        let l = lines[i];
        if content(l) && indent(l) <= deeper_than {
            if let Some(key) = key_of(l) {
                break (i, key);
            }
            deeper_than = indent(l).saturating_sub(1);
        }
        i = i.checked_sub(1)?;
    };
    let (s, key) = start;
    let base = indent(lines[s]);
    let mut end = s + 1;
    while end < lines.len() && (!content(lines[end]) || indent(lines[end]) > base) {
        end += 1;
    }
    Some((s, end, key))
}

/// Parses `yaml` as `T`, or returns one diagnostic that says where and what.
pub fn parse<T: DeserializeOwned>(yaml: &str, at: Embedded<'_>) -> Result<T, Diagnostic> {
    if let Some(d) = lone_cr(yaml, at) {
        return Err(d);
    }
    serde_saphyr::from_str_with_options::<T>(yaml, options()).map_err(|e| to_diagnostic(&e, at))
}

/// Converts a serde-saphyr error into a diagnostic with a message written for authors.
pub fn to_diagnostic(e: &serde_saphyr::Error, at: Embedded<'_>) -> Diagnostic {
    let raw = e.without_snippet().to_string();
    // serde-saphyr appends " at line L, column C"; we print the position ourselves.
    let raw = match raw.rfind(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw,
    };
    let (line, col) = e
        .location()
        .map(|l| (l.line() as usize, l.column() as usize))
        .unwrap_or((1, 1));
    let line = if line == 0 { 1 } else { line };
    let (code, message, help, len) = match budget_breach(e) {
        Some(breach) => (
            "yaml-too-large",
            format!("YAML too large to read: {}", breach_words(breach)),
            Some(
                "an alias (`*name`) repeats the whole value its anchor (`&name`) names, and aliases of values \
                 that hold aliases multiply: write the values out, or use fewer aliases"
                    .to_string(),
            ),
            1,
        ),
        None => explain(&raw),
    };
    // A value of the wrong type is underlined whole (`weight: ten`), not by its first character.
    let len = if len == 1 && raw.starts_with("invalid ") {
        value_len(at.file, line + at.line_offset, col.max(1))
    } else {
        len
    };
    let d = Diagnostic::error(at.path, message).code(code).at(
        at.file,
        line + at.line_offset,
        col.max(1),
        len,
    );
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

/// The limit of the YAML parser's budget that `e` broke, if that is what it is: a document that grows too
/// large as it is read (an alias bomb, mostly).
fn budget_breach(mut e: &serde_saphyr::Error) -> Option<&serde_saphyr::budget::BudgetBreach> {
    use serde_saphyr::Error;
    while let Error::AliasError { error, .. } | Error::WithSnippet { error, .. } = e {
        e = error;
    }
    match e {
        Error::Budget { breach, .. } => Some(breach),
        _ => None,
    }
}

/// What went over the budget, in words: "more than 250,000 values".
fn breach_words(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    // The breach holds the count when it was found: one over the limit.
    let over = |n: usize| thousands(n.saturating_sub(1));
    match breach {
        B::Nodes { nodes } => format!("it grows to more than {} values here", over(*nodes)),
        B::Events { events } => format!("it grows to more than {} parts here", over(*events)),
        B::Aliases { aliases } => format!("more than {} aliases (`*name`)", over(*aliases)),
        B::Anchors { anchors } => format!("more than {} anchors (`&name`)", over(*anchors)),
        B::Depth { depth } => format!("lists and mappings nested more than {} deep", over(*depth)),
        B::Documents { documents } => format!("more than {} documents", over(*documents)),
        B::ScalarBytes { total_scalar_bytes } => {
            format!(
                "its values add up to more than {} bytes",
                over(*total_scalar_bytes)
            )
        }
        B::AliasAnchorRatio { aliases, anchors } => format!(
            "{} aliases (`*name`) for {} anchors (`&name`)",
            thousands(*aliases),
            thousands(*anchors)
        ),
        _ => "it grows too large as it is read".to_string(),
    }
}

/// `n` with commas between thousands: `250,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The length in characters of the plain scalar at 1-based `line` and `col` of `file`: up to a comment or the
/// end of the line, trailing spaces left out; at least 1.
fn value_len(file: &str, line: usize, col: usize) -> usize {
    let Some(text) = file.lines().nth(line.saturating_sub(1)) else {
        return 1;
    };
    let value: String = text.chars().skip(col - 1).collect();
    let value = value.split(" #").next().unwrap_or("").trim_end();
    value.chars().count().max(1)
}

/// Rewrites serde's terse messages. Returns the diagnostic's code, the message, help and how many characters to
/// underline.
fn explain(raw: &str) -> (&'static str, String, Option<String>, usize) {
    if let Some(rest) = raw.strip_prefix("unknown field `") {
        if let Some((name, expected)) = rest.split_once("`, expected one of ") {
            let keys: Vec<&str> = expected.split(", ").map(|k| k.trim_matches('`')).collect();
            let help = match did_you_mean(name, keys.iter().copied()) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => format!("known keys here: {}", keys.join(", ")),
            };
            return (
                "unknown-key",
                format!("unknown key \"{name}\""),
                Some(help),
                name.chars().count(),
            );
        }
        if let Some((name, _)) = rest.split_once('`') {
            return (
                "unknown-key",
                format!("unknown key \"{name}\""),
                Some("remove it".into()),
                name.chars().count(),
            );
        }
    }
    if let Some(rest) = raw.strip_prefix("unknown variant `") {
        if let Some((name, expected)) = rest.split_once("`, expected one of ") {
            let values: Vec<&str> = expected.split(", ").map(|k| k.trim_matches('`')).collect();
            return unknown_value(name, &values);
        }
        if let Some((name, expected)) = rest.split_once("`, expected ") {
            let values: Vec<&str> = expected
                .split(" or ")
                .map(|k| k.trim_matches('`'))
                .collect();
            return unknown_value(name, &values);
        }
    }
    if let Some(rest) = raw.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        return (
            "missing-key",
            format!("missing required key \"{name}\""),
            Some(format!("add a line `{name}: ...`")),
            1,
        );
    }
    if let Some(rest) = raw.strip_prefix("duplicate mapping key: ") {
        let name = rest.split(',').next().unwrap_or(rest);
        return (
            "duplicate-key",
            format!("duplicate key \"{name}\""),
            Some("each key may appear once; remove or merge the other one".into()),
            name.chars().count(),
        );
    }
    if raw.starts_with("invalid boolean") {
        return (
            "expected-boolean",
            "expected true or false".into(),
            Some("write `true` or `false` (yes/no/on/off are not booleans here)".into()),
            1,
        );
    }
    if raw.starts_with("invalid i64")
        || raw.starts_with("invalid u")
        || raw.starts_with("invalid i")
    {
        return (
            "expected-number",
            "expected a whole number".into(),
            Some("write a number such as 10".into()),
            1,
        );
    }
    if raw.starts_with("recursion limit exceeded") {
        return (
            "yaml-too-deep",
            "YAML nested too deeply: too many lists and mappings inside each other".into(),
            Some("[ and { each open a list or mapping: close them, or quote a value that starts with them".into()),
            1,
        );
    }
    // Syntax errors: keep the parser's words, add how to fix the usual causes.
    let help = if raw.starts_with("unclosed quote") {
        Some("close the quote at the end of the value, or remove the opening one")
    } else if raw.starts_with("mapping values are not allowed") {
        Some(
            "put the value in quotes if it contains \": \" (title: \"SSO: Okta\"), and start each key at the beginning of its line",
        )
    } else if raw.contains("found a tab") || raw.contains("tabs") {
        Some("indent with spaces; YAML does not allow tabs")
    } else if raw.starts_with("illegal placement of ':'")
        || raw.starts_with("unclosed bracket")
        || raw.starts_with("misplaced bracket")
        || raw.starts_with("mismatched bracket")
    {
        Some(
            "a value starting with [ or { is a list or mapping in YAML: close the bracket, or quote the value",
        )
    } else if raw.starts_with("simple key expected") {
        Some(
            "write each line as `key: value`; a value that goes on below its key is indented under it",
        )
    } else if raw.contains("did not find expected key") {
        Some(
            "line up each key with the keys above it, and indent list items (`- `) under their key",
        )
    } else if raw.starts_with("unexpected character") {
        Some("a value cannot start with @ or ` in YAML: put it in quotes")
    } else if raw.contains("unknown escape character") {
        Some(
            "in double quotes a backslash starts an escape: write \\\\ for a backslash, or use single quotes",
        )
    } else if raw.starts_with("invalid trailing content after") {
        Some("a quoted value ends at its closing quote: quote the whole value, or none of it")
    } else if raw.starts_with("alias references unknown anchor") {
        Some("a value starting with * is an alias in YAML: put it in quotes")
    } else if raw.contains("while scanning a block scalar") {
        Some("after | or > the text starts on the next line, indented; or put the value in quotes")
    } else {
        None
    };
    // A value of the wrong type or form (serde's words), or else a syntax error.
    let wrong_value = [
        "invalid type",
        "invalid value",
        "invalid length",
        "expected ",
    ];
    let code = if wrong_value.iter().any(|w| raw.starts_with(w)) {
        "invalid-value"
    } else {
        "yaml-syntax"
    };
    (code, raw.to_string(), help.map(String::from), 1)
}

fn unknown_value(name: &str, values: &[&str]) -> (&'static str, String, Option<String>, usize) {
    let help = match did_you_mean(name, values.iter().copied()) {
        Some(s) => format!("did you mean \"{s}\"?"),
        None => format!("use one of: {}", values.join(", ")),
    };
    (
        "unknown-value",
        format!("unknown value \"{name}\""),
        Some(help),
        name.chars().count(),
    )
}

/// 1-based line and column of a [`serde_saphyr::Spanned`] value, shifted into the file.
pub fn position<T>(s: &serde_saphyr::Spanned<T>, at: Embedded<'_>) -> (usize, usize) {
    let l = s.referenced;
    shift(l.line() as usize, l.column() as usize, at)
}

/// A line and column in embedded YAML (front matter) as a line and column in the whole file. A column of 0
/// (unknown) becomes 1.
pub fn shift(line: usize, col: usize, at: Embedded<'_>) -> (usize, usize) {
    (line + at.line_offset, col.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        title: String,
        weight: Option<i64>,
        draft: Option<bool>,
    }

    fn err(src: &str) -> String {
        let at = Embedded {
            path: "a.md",
            file: src,
            line_offset: 0,
        };
        parse::<T>(src, at).unwrap_err().render()
    }

    fn each(src: &str) -> Vec<String> {
        let at = Embedded {
            path: "a.md",
            file: src,
            line_offset: 0,
        };
        parse_each_error::<T>(src, at, false)
            .1
            .iter()
            .map(Diagnostic::render)
            .collect()
    }

    #[test]
    fn every_bad_value_is_reported() {
        let got = each("title: a\nweight: ten\ndraft: yes\ntitle: b\n");
        assert_eq!(
            got,
            [
                "a.md:2:9: error[expected-number]: expected a whole number\n 2 | weight: ten\n   |         ^^^\n  help: write a number such as 10\n",
                "a.md:3:8: error[expected-boolean]: expected true or false\n 3 | draft: yes\n   |        ^^^\n  help: write `true` or `false` (yes/no/on/off are not booleans here)\n",
                "a.md:4:1: error[duplicate-key]: duplicate key \"title\"\n 4 | title: b\n   | ^^^^^\n  help: each key may appear once; remove or merge the other one\n",
            ]
        );
        // A value under its key, and a required key whose only value was bad: not also called missing.
        let got = each("title:\n  - [x]\nweight: 1.5 # c\n");
        let heads: Vec<&str> = got.iter().filter_map(|d| d.lines().next()).collect();
        assert_eq!(
            heads,
            [
                "a.md:2:3: error[invalid-value]: expected string scalar",
                "a.md:3:9: error[expected-number]: expected a whole number"
            ]
        );
        assert!(got[1].contains("\n   |         ^^^\n"), "{}", got[1]);
        // After a syntax error, nothing else.
        let got = each("title: \"a\nweight: ten\n");
        assert_eq!(got.len(), 1, "{got:?}");
    }

    #[test]
    fn syntax_errors_say_how_to_fix_them() {
        let deep = format!("title: {}\n", "[".repeat(5000));
        // (front matter, its error's headline, the start of its help)
        let cases = [
            (
                "title: \"a\n",
                "a.md:1:8: error[yaml-syntax]: unclosed quote",
                "close the quote",
            ),
            (
                "title: |\nx\n",
                "a.md:2:1: error[yaml-syntax]: simple key expected",
                "write each line as",
            ),
            (
                "title: a\n- b\n",
                "a.md:2:3: error[yaml-syntax]: while parsing a block mapping, did not find expected key",
                "line up each key",
            ),
            (
                "title: a\n#c\n  b: c\n",
                "a.md:3:3: error[yaml-syntax]: while parsing a block mapping, did not find expected key",
                "line up each key",
            ),
            (
                "title: @a\n",
                "a.md:1:8: error[yaml-syntax]: unexpected character",
                "a value cannot start with @",
            ),
            (
                "title: \"\\q\"\n",
                "a.md:1:8: error[yaml-syntax]: while parsing a quoted scalar, found unknown escape",
                "in double quotes a backslash",
            ),
            (
                "title: [a]]\n",
                "a.md:1:11: error[yaml-syntax]: misplaced bracket",
                "a value starting with [ or {",
            ),
            (
                "title: [a, b}\n",
                "a.md:1:8: error[yaml-syntax]: mismatched bracket",
                "a value starting with [ or {",
            ),
            (
                "title: 'a'b\n",
                "a.md:1:11: error[yaml-syntax]: invalid trailing content after single-quoted scalar",
                "a quoted value ends",
            ),
            (
                "title: *x\n",
                "a.md:1:8: error[yaml-syntax]: alias references unknown anchor",
                "a value starting with * is an alias",
            ),
            (
                "title: >x\n",
                "a.md:1:8: error[yaml-syntax]: while scanning a block scalar",
                "after | or > the text",
            ),
            (deep.as_str(), "a.md:1:", "[ and { each open"),
        ];
        for (src, head, help) in cases {
            let at = Embedded {
                path: "a.md",
                file: src,
                line_offset: 0,
            };
            let got = parse::<serde::de::IgnoredAny>(src, at)
                .unwrap_err()
                .render();
            assert!(got.starts_with(head), "{src}: {got}");
            assert!(got.contains(&format!("\n  help: {help}")), "{src}: {got}");
        }
    }

    #[test]
    fn a_lone_carriage_return_is_an_error_at_its_place() {
        // YAML reads a lone CR as a line break and shirube counts lines by LF: every later position would be
        // off. CRLF line endings are fine.
        let cr = "a.md:2:10: error[lone-carriage-return]: a carriage return (CR) that does not end a line\n 2 | weight: 1\rdraft: true\n   |          ^^\n  help: save the file with LF (or CRLF) line endings, and remove any carriage return left in the text\n";
        let src = "title: A\nweight: 1\rdraft: true\n";
        assert_eq!(err(src), cr.replace('\r', "\\r"));
        assert_eq!(each(src), [cr.replace('\r', "\\r")]);
        let at = Embedded {
            path: "a.md",
            file: src,
            line_offset: 0,
        };
        let large = parse_large::<T>(src, at).unwrap_err();
        assert_eq!((large.line, large.col), (2, 10));
        assert!(parse::<T>("title: A\r\nweight: 1\r\n", at).is_ok());
    }

    #[test]
    fn an_alias_bomb_is_stopped_and_said_in_words() {
        let mut src = "title: a\nweight: 1\nb0: &b0 [x, x, x, x, x, x, x, x, x, x]\n".to_string();
        for i in 1..7 {
            let refs = vec![format!("*b{}", i - 1); 10].join(", ");
            src.push_str(&format!("b{i}: &b{i} [{refs}]\n"));
        }
        let at = Embedded {
            path: "a.md",
            file: &src,
            line_offset: 0,
        };
        let got = parse::<serde::de::IgnoredAny>(&src, at)
            .unwrap_err()
            .render();
        assert_eq!(
            got.lines().next(),
            Some(
                "a.md:8:15: error[yaml-too-large]: YAML too large to read: it grows to more than 250,000 values here"
            )
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn entry_at_finds_the_entry_that_holds_a_line() {
        let text = "a: 1\nb:\n  - x\n  - [y]\n# c\nlist:\n  - id: A\n    k: v\n    sub:\n      - p: 1\n        h: 2\n  - id: B\n";
        let lines: Vec<&str> = text.split('\n').collect();
        // (error line) → (first, end) 1-based lines of what is blanked, and the key.
        let cases = [
            (1, (1, 1, "a")),
            (4, (2, 5, "b")), // a list item without a key: its key's entry (and a comment: harmless)
            (8, (8, 8, "k")), // a key of an item
            (10, (10, 11, "p")), // an item of a nested list, with the keys under it
            (7, (7, 11, "id")), // the first key of an item: the whole item
            (12, (12, 13, "id")), // the trailing empty line goes with it
        ];
        for (line, (first, last, key)) in cases {
            let (s, e, k) = entry_at(&lines, line).expect("an entry");
            assert_eq!((s + 1, e, k), (first, last, key), "line {line}");
        }
        assert_eq!(entry_at(&["  - [x]"], 1), None);
        assert_eq!(entry_at(&["a: 1"], 0), None);
        assert_eq!(entry_at(&["a: 1"], 5), None);
    }

    #[test]
    fn large_files_fit_the_raised_budget() {
        // 260,000 nodes: over the parser's default budget of 250,000, as a manifest of ~20,000 engagements is.
        let yaml = "- 1\n".repeat(260_000);
        let at = Embedded {
            path: "manifest.yaml",
            file: &yaml,
            line_offset: 0,
        };
        assert!(parse::<Vec<u32>>(&yaml, at).is_err());
        assert_eq!(
            parse_large::<Vec<u32>>(&yaml, at).map(|v| v.len()).ok(),
            Some(260_000)
        );
    }

    #[test]
    fn unknown_key_gets_did_you_mean() {
        assert_eq!(
            err("title: a\ntilte: b\n"),
            "a.md:2:1: error[unknown-key]: unknown key \"tilte\"\n 2 | tilte: b\n   | ^^^^^\n  help: did you mean \"title\"?\n"
        );
    }

    #[test]
    fn yes_is_not_a_boolean_and_duplicates_are_errors() {
        assert!(
            err("title: a\ndraft: no\n")
                .starts_with("a.md:2:8: error[expected-boolean]: expected true or false\n")
        );
        assert!(
            err("title: a\ntitle: b\n")
                .starts_with("a.md:2:1: error[duplicate-key]: duplicate key \"title\"\n")
        );
        assert!(err("weight: 1\n").contains("missing required key \"title\""));
    }
}
