//! `--feedback FILE.csv`: the answers the guide's "Was this helpful?" links collected, from a form's CSV export.
//!
//! The theme's Yes / No links open `feedback_url` with the page's absolute URL and `yes` or `no` (see
//! [`Config::feedback_link`]); a form prefilled with them (Google Forms, Microsoft Forms, Typeform, a
//! spreadsheet behind a small endpoint) exports one row per answer: when, which page, yes or no, and an optional
//! comment. This module reads such an export with the same decoding, date parsing and value mapping as
//! `prove --from` ([`crate::import_csv`]) and counts the answers per page.
//!
//! Comments are private, like the manifest's customer names: they go to the internal report only, never to
//! `status --format json` or the built guide.
//!
//! [`Config::feedback_link`]: crate::config::Config::feedback_link

use crate::config::{Config, Mapping};
use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::import_csv::{
    DateError, DateOrder, PageIndex, PageRef, decode, header_of, infer_order, mapped_value,
    parse_cell_date, rows,
};
use crate::model::{Kind, Page};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use unicode_normalization::UnicodeNormalization as _;

/// The fields of a feedback export.
pub const FIELDS: [&str; 4] = ["page", "helpful", "comment", "date"];

/// The options that read a feedback export (`report --feedback` and `status --feedback`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FeedbackArgs {
    /// The "Was this helpful?" answers: a form's CSV export (Google Forms, Microsoft Forms, ...) with a column
    /// for the page URL and one for yes or no, optionally a comment and a date. Columns whose header says
    /// page/URL, helpful, comment and timestamp/date are found without --map.
    #[arg(long, value_name = "FILE.csv")]
    pub feedback: Option<PathBuf>,
    /// Which column of the feedback export fills which field, when the headers do not tell:
    /// --map page="Page URL",helpful="Did this page help?",comment="Anything to add?",date=Timestamp.
    #[arg(long, value_name = "FIELD=COLUMN,...", requires = "feedback")]
    pub map: Vec<String>,
    /// What an answer means, when the form's choices are not yes and no: --value "helpful:Not really=no"
    /// --value "helpful:Absolutely=yes". (Yes, No, はい and いいえ are known.)
    #[arg(long = "value", value_name = "FIELD:FROM=TO", requires = "feedback")]
    pub values: Vec<String>,
    /// The feedback export's encoding when it is not detected: utf-8, utf-16, shift_jis (cp932), ...
    #[arg(long, value_name = "ENCODING", requires = "feedback")]
    pub encoding: Option<String>,
    /// The order of dates such as 10/2/2026 in the feedback export: mdy or dmy. Needed only when no date of
    /// the file tells.
    #[arg(long, value_enum, requires = "feedback")]
    pub date_format: Option<DateFormat>,
}

/// `--date-format` of a feedback export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DateFormat {
    /// Year first: 2026/10/02.
    Ymd,
    /// Month first: 10/2/2026 is October 2.
    Mdy,
    /// Day first: 10/2/2026 is 10 February.
    Dmy,
}

/// One reader's comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// When it was sent (days since 1970-01-01), when the export has dates.
    pub date: Option<i64>,
    /// Whether the reader answered yes.
    pub yes: bool,
    /// What they wrote. Private.
    pub text: String,
}

/// The answers about one page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    /// Answered yes.
    pub yes: u32,
    /// Answered no.
    pub no: u32,
    /// The comments, newest first.
    pub comments: Vec<Comment>,
    /// The newest answer's date, when the export has dates.
    pub last: Option<i64>,
}

impl Answers {
    /// The figure `status` and the report show.
    pub fn helpful(&self) -> Helpful {
        Helpful::new(self.yes, self.no)
    }
}

/// What a feedback export said.
#[derive(Debug, Default)]
pub struct Feedback {
    /// The file, as given.
    pub file: String,
    /// Answers per playbook or FAQ, by source path.
    pub pages: BTreeMap<String, Answers>,
    /// Answers naming a URL that is no playbook or FAQ of this guide (a page since removed or renamed, another
    /// site's form), by the URL as written.
    pub elsewhere: BTreeMap<String, Answers>,
    /// Rows that held an answer (blank rows are not counted).
    pub rows: usize,
    /// Rows left out: a value mapped to nothing, or a problem in `problems`.
    pub left_out: usize,
    /// One warning per bad row, at `FILE:ROW:COLUMN`; and errors for the mapping (then nothing was read).
    pub problems: Vec<Diagnostic>,
}

impl Feedback {
    /// The helpfulness of the page at source path `src`, when anyone answered.
    pub fn helpful(&self, src: &str) -> Option<Helpful> {
        self.pages.get(src).map(Answers::helpful)
    }

    /// Whether the mapping itself failed (no page or helpful column): nothing could be read.
    pub fn failed(&self) -> bool {
        self.problems
            .iter()
            .any(|d| d.severity == crate::diagnostics::Severity::Error)
    }
}

/// Reads the export at `args.feedback` (which must be set) against the site's pages. Problems of the file as a
/// whole (unreadable, undecodable, unmapped) are errors in `problems`; a bad row is a warning and is left out.
pub fn load(args: &FeedbackArgs, pages: &[Page], config: &Config, file_name: &str) -> Feedback {
    let mut out = Feedback {
        file: file_name.to_string(),
        ..Feedback::default()
    };
    let mapping = match mapping(args) {
        Ok(m) => m,
        Err((what, help)) => {
            out.problems.push(
                Diagnostic::error(file_name, what)
                    .code("invalid-mapping")
                    .with_help(help),
            );
            return out;
        }
    };
    let Some(path) = &args.feedback else {
        return out;
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            out.problems.push(
                Diagnostic::error(file_name, format!("cannot read the feedback export: {e}"))
                    .code("unreadable-file")
                    .with_help("check the path given to --feedback"),
            );
            return out;
        }
    };
    let text = match decode(&bytes, args.encoding.as_deref()) {
        Ok((text, _)) => text,
        Err((what, help)) => {
            out.problems.push(
                Diagnostic::error(file_name, what)
                    .code("undecodable-file")
                    .with_help(help),
            );
            return out;
        }
    };
    let order = args.date_format.map(|f| match f {
        DateFormat::Ymd => DateOrder::Ymd,
        DateFormat::Mdy => DateOrder::Mdy,
        DateFormat::Dmy => DateOrder::Dmy,
    });
    read(file_name, &text, &mapping, order, pages, config, out)
}

/// `--map` and `--value` as a [`Mapping`] over [`FIELDS`].
fn mapping(args: &FeedbackArgs) -> Result<Mapping, (String, String)> {
    let mut m = Mapping::default();
    for spec in &args.map {
        for part in split_unquoted(spec) {
            let Some((field, column)) = part.split_once('=') else {
                return Err((
                    format!("--map \"{part}\" is not FIELD=COLUMN"),
                    "for example --map page=\"Page URL\",helpful=\"Was this helpful?\"".into(),
                ));
            };
            let field = known_field(field.trim(), "--map")?;
            m.columns.push((field, column.trim().to_string()));
        }
    }
    for spec in &args.values {
        let bad = || {
            (
                format!("--value \"{spec}\" is not FIELD:FROM=TO"),
                "for example --value \"helpful:Not really=no\"".to_string(),
            )
        };
        let (field, rest) = spec.split_once(':').ok_or_else(bad)?;
        let (from, to) = rest.rsplit_once('=').ok_or_else(bad)?;
        let field = known_field(field.trim(), "--value")?;
        let to = to.trim().to_string();
        if field == "helpful" && !to.is_empty() && answer(&to).is_none() {
            return Err((
                format!("--value \"{spec}\" maps to \"{to}\", which is neither yes nor no"),
                format!("write --value \"helpful:{}=yes\" or =no", from.trim()),
            ));
        }
        m.values.push((field, from.trim().to_string(), to));
    }
    Ok(m)
}

fn known_field(field: &str, flag: &str) -> Result<String, (String, String)> {
    if FIELDS.contains(&field) {
        return Ok(field.to_string());
    }
    let help = match did_you_mean(field, FIELDS) {
        Some(s) => format!("did you mean \"{s}\"?"),
        None => format!("the fields are: {}", FIELDS.join(", ")),
    };
    Err((
        format!("{flag}: no field \"{field}\" in a feedback export"),
        help,
    ))
}

/// `a="x, y",b=z` → `a=x, y` and `b=z`: commas inside double quotes belong to the column name.
fn split_unquoted(spec: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in spec.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts.retain(|p| !p.trim().is_empty());
    parts
}

/// Lower case, full-width folded, trimmed.
fn loose(s: &str) -> String {
    s.nfkc().collect::<String>().trim().to_lowercase()
}

/// Yes or no, as forms write it: the theme's own `yes` / `no`, its Japanese labels, and common spellings.
fn answer(value: &str) -> Option<bool> {
    match loose(value).as_str() {
        "yes" | "y" | "true" | "1" | "helpful" | "はい" | "👍" => Some(true),
        "no" | "n" | "false" | "0" | "not helpful" | "いいえ" | "👎" => Some(false),
        _ => None,
    }
}

/// Words a header of each field usually contains, in the order fields are looked for: `helpful` first, so
/// that "Was this page helpful?" is not taken for the page column, and `page` last.
const HEADER_WORDS: [(&str, &[&str]); 4] = [
    ("helpful", &["helpful", "役に立", "参考にな", "useful"]),
    (
        "comment",
        &["comment", "コメント", "ご意見", "感想", "anything"],
    ),
    (
        "date",
        &[
            "timestamp",
            "date",
            "submitted",
            "タイムスタンプ",
            "日時",
            "日付",
            "時刻",
        ],
    ),
    ("page", &["page", "url", "ページ"]),
];

/// Column index of each field: mapped ones by name, the others found by header words. `sample` is the first
/// row of answers, to suggest a mapping.
fn columns(
    file: &str,
    header: &[String],
    sample: &[String],
    mapping: &Mapping,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(&'static str, usize)> {
    let mut found: Vec<(&'static str, usize)> = Vec::new();
    for field in FIELDS {
        let Some((_, column)) = mapping.columns.iter().rev().find(|(f, _)| f == field) else {
            continue;
        };
        match header
            .iter()
            .position(|h| h == column.trim())
            .or_else(|| header.iter().position(|h| loose(h) == loose(column)))
        {
            Some(i) => found.push((field, i)),
            None => {
                let help = match did_you_mean(column, header.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean \"{s}\"? (--map {field}=\"{s}\")"),
                    None => format!("the columns are: {}", quoted(header)),
                };
                problems.push(
                    Diagnostic::error(file, format!("no column \"{column}\" (mapped to {field})"))
                        .code("unknown-column")
                        .at_line(1, 1)
                        .with_help(help),
                );
            }
        }
    }
    for (field, words) in HEADER_WORDS {
        if found.iter().any(|(f, _)| *f == field) {
            continue;
        }
        let taken = |i: usize| found.iter().any(|&(_, c)| c == i);
        if let Some(i) = (0..header.len())
            .find(|&i| !taken(i) && words.iter().any(|w| loose(&header[i]).contains(w)))
        {
            found.push((field, i));
        }
    }
    let missing: Vec<&str> = ["page", "helpful"]
        .into_iter()
        .filter(|f| !found.iter().any(|(g, _)| g == f))
        .collect();
    if !missing.is_empty() {
        // The page column is likely the one whose first answer is a URL.
        let url_column = sample
            .iter()
            .position(|c| c.trim().starts_with("http") || c.trim().starts_with('/'))
            .and_then(|i| header.get(i));
        let example = missing
            .iter()
            .map(|f| match (*f, url_column) {
                ("page", Some(h)) => format!("page=\"{h}\""),
                _ => format!("{f}=\"COLUMN\""),
            })
            .collect::<Vec<_>>()
            .join(",");
        problems.push(
            Diagnostic::error(
                file,
                format!(
                    "no column of the feedback export is the {}",
                    missing
                        .iter()
                        .map(|f| if *f == "page" {
                            "page URL"
                        } else {
                            "helpful answer (yes or no)"
                        })
                        .collect::<Vec<_>>()
                        .join(" or the ")
                ),
            )
            .code("unmapped-field")
            .at_line(1, 1)
            .with_help(format!(
                "name the columns with --map {example}; the columns are: {}",
                quoted(header)
            )),
        );
    }
    found
}

fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|h| format!("\"{h}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a decoded export into `out`.
fn read(
    file: &str,
    text: &str,
    mapping: &Mapping,
    date_order: Option<DateOrder>,
    pages: &[Page],
    config: &Config,
    mut out: Feedback,
) -> Feedback {
    let (records, unreadable) = rows(file, text);
    for (row, e) in unreadable {
        out.problems.push(
            Diagnostic::warning(file, format!("cannot read row {row}: {e}; left out"))
                .code("unreadable-row")
                .at_line(row, 1)
                .with_help("download the responses again from the form"),
        );
    }
    let Some(header) = header_of(&records) else {
        out.problems.push(
            Diagnostic::error(file, "the feedback export is empty")
                .code("empty-file")
                .with_help("download the responses again, with their header row"),
        );
        return out;
    };
    let sample = records.get(1).map_or(&[][..], |(_, r)| r.as_slice());
    let cols = columns(file, &header, sample, mapping, &mut out.problems);
    if out.failed() {
        return out;
    }
    let col_of = |field: &str| cols.iter().find(|(f, _)| *f == field).map(|&(_, i)| i);
    let cell = |row: &[String], field: &str| -> Option<String> {
        let raw = row.get(col_of(field)?).map_or("", |c| c.trim());
        Some(mapped_value(mapping, field, raw).unwrap_or_else(|| raw.to_string()))
    };
    let rows: Vec<&(usize, Vec<String>)> = records
        .iter()
        .skip(1)
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .collect();
    out.rows = rows.len();
    let order = date_order.or_else(|| {
        let dates: Vec<String> = rows.iter().filter_map(|(_, r)| cell(r, "date")).collect();
        infer_order(dates.iter().map(String::as_str))
    });
    let refs: Vec<PageRef> = pages
        .iter()
        .map(|page| PageRef {
            page,
            gated: matches!(page.kind, Kind::Playbook | Kind::Faq),
        })
        .collect();
    let index = PageIndex::new(&refs, config);
    let by_url: crate::HashMap<&str, &Page> = pages
        .iter()
        .filter(|p| matches!(p.kind, Kind::Playbook | Kind::Faq))
        .map(|p| (p.url.as_str(), p))
        .collect();

    for (row, cells) in rows {
        let row = *row;
        let warn = |code: &'static str, field: &str, message: String, help: String| {
            let col = col_of(field).unwrap_or(0);
            Diagnostic::warning(
                file,
                format!(
                    "column \"{}\": {message}; the row is left out",
                    header.get(col).map_or("", String::as_str)
                ),
            )
            .code(code)
            .at_line(row, col + 1)
            .with_help(help)
        };
        let (Some(page_cell), Some(helpful_cell)) = (cell(cells, "page"), cell(cells, "helpful"))
        else {
            continue;
        };
        if page_cell.is_empty() && mapping_skips(mapping, "page", cells, col_of("page")) {
            out.left_out += 1;
            continue;
        }
        if helpful_cell.is_empty() {
            if mapping_skips(mapping, "helpful", cells, col_of("helpful")) {
                out.left_out += 1;
            } else {
                out.left_out += 1;
                out.problems.push(warn(
                    "missing-answer",
                    "helpful",
                    "no answer".into(),
                    "every row needs yes or no; remove rows without an answer from the export"
                        .into(),
                ));
            }
            continue;
        }
        let Some(yes) = answer(&helpful_cell) else {
            out.left_out += 1;
            out.problems.push(warn(
                "unknown-answer",
                "helpful",
                format!("\"{helpful_cell}\" is neither yes nor no"),
                format!("say what it means: --value \"helpful:{helpful_cell}=yes\" (or =no)"),
            ));
            continue;
        };
        if page_cell.is_empty() {
            out.left_out += 1;
            out.problems.push(warn(
                "missing-page-url",
                "page",
                "no page URL".into(),
                "the form's page question must be prefilled by the guide's link (feedback_url with {url})"
                    .into(),
            ));
            continue;
        }
        let date = match cell(cells, "date").filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => match parse_cell_date(&d, order) {
                Ok(day) => Some(day),
                Err(DateError::Ambiguous(a, b)) => {
                    out.left_out += 1;
                    out.problems.push(warn(
                        "ambiguous-date",
                        "date",
                        format!(
                            "\"{d}\" may be {} or {}",
                            crate::dates::format_date(a),
                            crate::dates::format_date(b)
                        ),
                        "say which with --date-format mdy (month first) or --date-format dmy"
                            .into(),
                    ));
                    continue;
                }
                Err(DateError::Invalid) => {
                    out.left_out += 1;
                    out.problems.push(warn(
                        "invalid-date",
                        "date",
                        format!("\"{d}\" is not a date"),
                        "write dates as 2026-10-02, 2026/10/02 or 10/2/2026, or leave the date column unmapped"
                            .into(),
                    ));
                    continue;
                }
            },
        };
        let comment = cell(cells, "comment").filter(|c| !c.is_empty());
        let url = page_url(&page_cell);
        let target = index
            .url_path(&url)
            .and_then(|u| by_url.get(u.as_str()).copied());
        let answers = match target {
            Some(page) => out.pages.entry(page.src.clone()).or_default(),
            None => out.elsewhere.entry(url).or_default(),
        };
        if yes {
            answers.yes += 1;
        } else {
            answers.no += 1;
        }
        answers.last = answers.last.max(date);
        if let Some(text) = comment {
            answers.comments.push(Comment { date, yes, text });
        }
    }
    for answers in out.pages.values_mut().chain(out.elsewhere.values_mut()) {
        // Newest first; undated ones last, in file order.
        answers
            .comments
            .sort_by_key(|c| std::cmp::Reverse(c.date.map_or(i64::MIN, |d| d)));
    }
    out
}

/// Whether the cell at `col` is mapped to nothing by `--value FIELD:FROM=` (the row is then left out).
fn mapping_skips(mapping: &Mapping, field: &str, cells: &[String], col: Option<usize>) -> bool {
    let Some(raw) = col.and_then(|c| cells.get(c)) else {
        return false;
    };
    !raw.trim().is_empty() && mapped_value(mapping, field, raw).is_some_and(|v| v.is_empty())
}

/// The page URL a cell holds: the URL itself, percent-decoded; or, for the request URL of a form that logs
/// the guide's link as it came (`...?page=https%3A%2F%2F...&helpful=yes`), its `page` parameter.
fn page_url(cell: &str) -> String {
    let from_query = cell.split_once('?').and_then(|(_, query)| {
        query
            .split(['&', '#'])
            .find_map(|kv| kv.strip_prefix("page="))
            .map(|v| v.replace('+', " "))
    });
    let raw = from_query.as_deref().unwrap_or(cell);
    crate::percent::decode(raw).unwrap_or_else(|| raw.to_string())
}

/// A page's "Was this helpful?" answers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Helpful {
    /// Answered yes.
    pub yes: u32,
    /// Answered no.
    pub no: u32,
    /// yes / (yes + no), rounded to three decimals.
    pub rate: f64,
}

impl Helpful {
    /// The figure for `yes` and `no` answers (at least one of them).
    pub fn new(yes: u32, no: u32) -> Helpful {
        let n = f64::from(yes + no);
        let rate = if n == 0.0 {
            0.0
        } else {
            (f64::from(yes) / n * 1000.0).round() / 1000.0
        };
        Helpful { yes, no, rate }
    }

    /// Answers in all.
    pub fn answers(&self) -> u32 {
        self.yes + self.no
    }
}

#[cfg(test)]
mod tests {
    use super::{answer, page_url, split_unquoted};

    #[test]
    fn answers_as_forms_write_them() {
        for yes in ["yes", "Yes", " YES ", "はい", "ｙｅｓ", "true"] {
            assert_eq!(answer(yes), Some(true), "{yes}");
        }
        for no in ["no", "No", "いいえ", "false"] {
            assert_eq!(answer(no), Some(false), "{no}");
        }
        for neither in ["", "maybe", "Somewhat"] {
            assert_eq!(answer(neither), None, "{neither}");
        }
    }

    #[test]
    fn page_urls_from_prefilled_cells_and_logged_requests() {
        assert_eq!(
            page_url("https://g.example/playbooks/onboarding/connect-sso/"),
            "https://g.example/playbooks/onboarding/connect-sso/"
        );
        assert_eq!(
            page_url("https://g.example/%E8%A8%AD%E5%AE%9A/"),
            "https://g.example/設定/"
        );
        assert_eq!(
            page_url(
                "https://forms.example/f?page=https%3A%2F%2Fg.example%2Fplaybooks%2Fa%2F&helpful=yes"
            ),
            "https://g.example/playbooks/a/"
        );
        // A stray % is kept as written.
        assert_eq!(
            page_url("https://g.example/100%/"),
            "https://g.example/100%/"
        );
    }

    #[test]
    fn map_specs_keep_quoted_commas() {
        assert_eq!(
            split_unquoted("page=\"Page, URL\",helpful=Helpful,"),
            vec!["page=Page, URL".to_string(), "helpful=Helpful".to_string()]
        );
    }
}
