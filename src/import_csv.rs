//! `shirube prove --from FILE.csv`: a CRM export (CSV or TSV) → the engagements it records, checked.
//!
//! Exports come from Salesforce, HubSpot or Excel as they are: UTF-8 with or without a byte order mark, UTF-16
//! ("Unicode text"), Shift_JIS/CP932 from Japanese Excel; quoted cells with commas and line breaks; dates in the
//! local order, or as Excel serial numbers; full-width digits. A mapping says which column fills which field of an
//! engagement, and which value of a cell means which manifest value (`SMB` → `low`).
//!
//! This module only reads: it returns the engagements of the good rows and one diagnostic per problem of the bad
//! ones, each at `FILE:ROW:COLUMN`. It does not edit the manifest (`cmd::prove::from` does, through
//! [`crate::manifest_edit`]) and nothing it returns reaches the build: customer and CSM names go to the manifest only.
//! Excel workbooks (`.xlsx`) are read with `calamine` ([`xlsx_to_csv`]): their first sheet becomes CSV text, read
//! as any export.

use crate::config::{Config, MAPPED_FIELDS, Mapping};
use crate::dates::{format_date, parse_date};
use crate::diagnostics::{Diagnostic, did_you_mean, did_you_mean_path};
use crate::model::Page;
use crate::proof::Outcome;
use unicode_normalization::UnicodeNormalization as _;

/// The fields every import needs a column for.
pub const REQUIRED: [&str; 5] = ["id", "tier", "date", "outcome", "pages"];

/// The order of day, month and year in a date such as 10/2/2026.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// 2026/10/02.
    Ymd,
    /// 10/2/2026 is October 2 (the United States).
    Mdy,
    /// 10/2/2026 is 10 February (most of Europe).
    Dmy,
}

impl DateOrder {
    /// `ymd`, `mdy` or `dmy`.
    pub fn parse(word: &str) -> Option<DateOrder> {
        match word {
            "ymd" => Some(DateOrder::Ymd),
            "mdy" => Some(DateOrder::Mdy),
            "dmy" => Some(DateOrder::Dmy),
            _ => None,
        }
    }
}

/// One engagement as the export records it (all its rows merged), ready for the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Engagement id.
    pub id: String,
    /// Private. `None` when not mapped; `Some("")` when the cell is empty.
    pub customer: Option<String>,
    /// Private, as `customer`.
    pub csm: Option<String>,
    /// Tier id.
    pub tier: String,
    /// Days since 1970-01-01.
    pub date: i64,
    /// What happened.
    pub outcome: Outcome,
    /// Private, as `customer`.
    pub note: Option<String>,
    /// Source paths of the pages used, in the order first named.
    pub pages: Vec<String>,
    /// Row of the export (counting the header as row 1) where the engagement first appears.
    pub row: usize,
}

/// What reading an export gave.
#[derive(Debug, Default)]
pub struct Read {
    /// The engagements of the good rows, in order of first appearance.
    pub engagements: Vec<Imported>,
    /// Every problem, each at `FILE:ROW:COLUMN` (row 1 is the header).
    pub errors: Vec<Diagnostic>,
    /// Rows left out by a value mapped to nothing (`--value "outcome:Prospecting="`).
    pub skipped: usize,
    /// Rows that held data (blank rows are not counted).
    pub rows: usize,
    /// The id column: 0-based index and header.
    pub id_column: Option<(usize, String)>,
}

/// Decodes an export: a byte order mark decides, else valid UTF-8 is UTF-8, many zero bytes are UTF-16, and
/// the rest is tried as Shift_JIS (CP932, as Japanese Excel saves CSV). `label` forces an encoding.
pub fn decode(
    bytes: &[u8],
    label: Option<&str>,
) -> Result<(String, &'static str), (String, String)> {
    use encoding_rs::{Encoding, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE};
    if let Some(label) = label {
        let enc = encoding_for(label).ok_or_else(|| {
            (
                format!("unknown encoding \"{label}\""),
                "use one of utf-8, utf-16, utf-16le, utf-16be, shift_jis (cp932), euc-jp, windows-1252"
                    .to_string(),
            )
        })?;
        // A byte order mark still tells UTF-16's byte order.
        let enc = match Encoding::for_bom(bytes) {
            Some((bom, _)) if enc == UTF_16LE || enc == UTF_16BE => bom,
            _ => enc,
        };
        let (text, had_errors) = enc.decode_with_bom_removal(bytes);
        if had_errors {
            return Err((
                format!("not valid {}", enc.name()),
                "check the encoding the file was saved in, or leave --encoding out to have it detected"
                    .into(),
            ));
        }
        return Ok((text.into_owned(), enc.name()));
    }
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_with_bom_removal(bytes);
        if had_errors {
            return Err((
                format!(
                    "not valid {} although it starts with its byte order mark",
                    enc.name()
                ),
                "save the export again, as \"CSV UTF-8\"".into(),
            ));
        }
        return Ok((text.into_owned(), enc.name()));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), UTF_8.name()));
    }
    // UTF-16 without a byte order mark: ASCII characters have a zero byte, odd positions for little-endian.
    let zeros_at = |parity: usize| {
        bytes
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == 0 && i % 2 == parity)
            .count()
    };
    let (even, odd) = (zeros_at(0), zeros_at(1));
    // Commas and line breaks alone give a Japanese export one zero byte in ten, all at one parity.
    if (even + odd) * 10 > bytes.len() && even.max(odd) * 10 >= (even + odd) * 9 {
        let enc = if odd >= even { UTF_16LE } else { UTF_16BE };
        if let Some(text) = enc.decode_without_bom_handling_and_without_replacement(bytes) {
            return Ok((text.into_owned(), enc.name()));
        }
    }
    if let Some(text) = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok((text.into_owned(), SHIFT_JIS.name()));
    }
    Err((
        "not UTF-8, UTF-16 or Shift_JIS".into(),
        "save it as \"CSV UTF-8\", or name its encoding, e.g. --encoding windows-1252".into(),
    ))
}

/// The first sheet of an Excel workbook (`.xlsx`) as CSV text, for [`read`]: text as it is, numbers without a
/// needless `.0` (ids such as 7001), dates as Excel serial numbers (which [`parse_cell_date`] reads), error cells
/// (`#N/A`) as their text. Rows and columns count from the sheet's first used cell, which is the header in an
/// export. `Err` with (what is wrong, how to fix it).
pub fn xlsx_to_csv(bytes: &[u8]) -> Result<String, (String, String)> {
    use calamine::{Data, Reader as _, Xlsx};
    let unreadable = |e: String| {
        (
            format!("cannot read the workbook: {e}"),
            "save it again from Excel as .xlsx, or as \"CSV UTF-8\"".to_string(),
        )
    };
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(unreadable(e.to_string())),
        None => {
            return Err((
                "the workbook has no sheet".into(),
                "export the report again from the CRM".into(),
            ));
        }
    };
    let number = |f: f64| {
        if f.fract() == 0.0 && f.abs() < 1e15 {
            format!("{}", f as i64)
        } else {
            f.to_string()
        }
    };
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in range.rows() {
        let cells = row.iter().map(|c| match c {
            Data::Empty => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) => number(*f),
            Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Data::DateTime(d) => number(d.as_f64()),
            Data::Error(e) => e.to_string(),
        });
        out.write_record(cells)
            .map_err(|e| unreadable(e.to_string()))?;
    }
    let bytes = out.into_inner().map_err(|e| unreadable(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| unreadable(e.to_string()))
}

/// Whether `file_name` names an Excel workbook (`.xlsx`, `.xlsm`).
pub fn is_workbook(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    lower.ends_with(".xlsx") || lower.ends_with(".xlsm")
}

/// The encoding a label names: the WHATWG labels, and the names Windows users know (cp932, utf-16).
fn encoding_for(label: &str) -> Option<&'static encoding_rs::Encoding> {
    let l = label.trim().to_ascii_lowercase();
    match l.as_str() {
        "cp932" | "ms932" | "windows-31j" | "sjis" | "shift-jis" => Some(encoding_rs::SHIFT_JIS),
        "utf8" => Some(encoding_rs::UTF_8),
        "utf16" | "ucs-2" => Some(encoding_rs::UTF_16LE),
        _ => encoding_rs::Encoding::for_label(l.as_bytes()),
    }
}

/// The field separator: tab for `.tsv` and `.txt` (Excel's "Unicode text"), else comma; but a header line with
/// tabs and no commas is tab-separated, and one with semicolons and no commas (European Excel) is `;`.
pub fn delimiter(file_name: &str, text: &str) -> u8 {
    let lower = file_name.to_ascii_lowercase();
    let first = text.lines().next().unwrap_or("");
    let count = |c: char| first.matches(c).count();
    let by_name = if lower.ends_with(".tsv") || lower.ends_with(".txt") || lower.ends_with(".tab") {
        b'\t'
    } else {
        b','
    };
    match (count(','), count('\t'), count(';')) {
        (0, t, _) if t > 0 => b'\t',
        (0, 0, s) if s > 0 => b';',
        (c, 0, _) if c > 0 => b',',
        _ => by_name,
    }
}

/// A page that rows may name: by source path, URL or exact title.
pub struct PageRef<'a> {
    /// The page.
    pub page: &'a Page,
    /// Whether its kind needs proof.
    pub gated: bool,
}

/// Column index (0-based) of each mapped field, or the errors of the mapping against the header.
fn columns(
    file: &str,
    header: &[String],
    mapping: &Mapping,
    errors: &mut Vec<Diagnostic>,
) -> Vec<(&'static str, usize)> {
    let mut found = Vec::new();
    let loose = |s: &str| s.nfkc().collect::<String>().trim().to_lowercase();
    for field in MAPPED_FIELDS {
        let Some((_, column)) = mapping.columns.iter().rev().find(|(f, _)| f == field) else {
            continue;
        };
        let index = header
            .iter()
            .position(|h| h.trim() == column.trim())
            .or_else(|| header.iter().position(|h| loose(h) == loose(column)));
        match index {
            Some(i) => found.push((field, i)),
            None => {
                let help = match did_you_mean(column, header.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean \"{s}\"? (--map {field}=\"{s}\")"),
                    None => format!("the columns are: {}", quoted_list(header)),
                };
                errors.push(
                    Diagnostic::error(file, format!("no column \"{column}\" (mapped to {field})"))
                        .code("unknown-column")
                        .at_line(1, 1)
                        .with_help(help),
                );
            }
        }
    }
    let missing: Vec<&str> = REQUIRED
        .into_iter()
        .filter(|f| !mapping.columns.iter().any(|(m, _)| m == f))
        .collect();
    if !missing.is_empty() {
        let example = missing
            .iter()
            .map(|f| {
                let guess = header
                    .iter()
                    .find(|h| loose(h).contains(&example_word(f)))
                    .or(header.first())
                    .map_or("COLUMN", String::as_str);
                format!("{f}=\"{guess}\"")
            })
            .collect::<Vec<_>>()
            .join(",");
        errors.push(
            Diagnostic::error(
                file,
                format!("no column is mapped to {}", missing.join(", ")),
            )
            .code("unmapped-field")
            .at_line(1, 1)
            .with_help(format!(
                "map them with --map {example} (or under `mapping: columns:` in shirube.yaml); the columns are: {}",
                quoted_list(header)
            )),
        );
    }
    found
}

/// A word a column of a field's usually contains, to suggest a mapping.
fn example_word(field: &str) -> String {
    match field {
        "pages" => "playbook",
        "outcome" => "stage",
        "tier" => "segment",
        other => other,
    }
    .to_string()
}

fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|h| format!("\"{h}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row of an export: its number (the header is row 1) and its cells.
pub type Row = (usize, Vec<String>);

/// Every row of a decoded export (comma, semicolon or tab separated, see [`delimiter`]), numbered from 1 (the
/// header is row 1), and the rows the CSV reader could not read, with why.
pub fn rows(file: &str, text: &str) -> (Vec<Row>, Vec<(usize, csv::Error)>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(file, text))
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let mut unreadable = Vec::new();
    for (i, record) in reader.records().enumerate() {
        match record {
            Ok(r) => records.push((i + 1, r.iter().map(str::to_string).collect())),
            Err(e) => unreadable.push((i + 1, e)),
        }
    }
    (records, unreadable)
}

/// The header of [`rows`]: the first row, each name trimmed (and the first one's byte order mark dropped);
/// `None` for an empty file.
pub fn header_of(records: &[Row]) -> Option<Vec<String>> {
    let (_, first) = records.first()?;
    Some(
        first
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect(),
    )
}

/// Reads a decoded export. `file` names it in diagnostics; `today` bounds dates.
pub fn read(
    file: &str,
    text: &str,
    mapping: &Mapping,
    date_order: Option<DateOrder>,
    pages: &[PageRef],
    config: &Config,
    today: i64,
) -> Read {
    let mut out = Read::default();
    let (records, unreadable) = rows(file, text);
    for (row, e) in unreadable {
        out.errors.push(
            Diagnostic::error(file, format!("cannot read row {row}: {e}"))
                .code("unreadable-row")
                .at_line(row, 1)
                .with_help("save the export again from the CRM or spreadsheet"),
        );
    }
    let Some(header) = header_of(&records) else {
        out.errors.push(
            Diagnostic::error(file, "the file is empty")
                .code("empty-file")
                .with_help("export the report again, with its header row"),
        );
        return out;
    };
    let cols = columns(file, &header, mapping, &mut out.errors);
    if !out.errors.is_empty() {
        return out;
    }
    let col_of = |field: &str| cols.iter().find(|(f, _)| *f == field).map(|&(_, i)| i);
    out.id_column = col_of("id").map(|i| (i, header[i].clone()));
    let cell = |row: &[String], field: &str| -> Option<String> {
        col_of(field).map(|i| row.get(i).map_or("", |c| c.trim()).to_string())
    };
    let rows: Vec<(usize, Vec<String>)> = records
        .into_iter()
        .skip(1)
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .collect();
    out.rows = rows.len();
    let index = PageIndex::new(pages, config);
    let order = date_order.or_else(|| {
        let dates: Vec<String> = rows
            .iter()
            .filter_map(|(_, r)| cell(r, "date"))
            .map(|d| mapped_value(mapping, "date", &d).unwrap_or(d))
            .collect();
        infer_order(dates.iter().map(String::as_str))
    });

    // Row → engagement; rows of one engagement must agree.
    let mut by_id: crate::HashMap<String, usize> = crate::HashMap::default();
    let mut bad_ids: crate::HashSet<String> = crate::HashSet::default();
    'rows: for (row, cells) in &rows {
        let row = *row;
        let mut errors = Vec::new();
        let err = |errors: &mut Vec<Diagnostic>,
                   code: &'static str,
                   field: &str,
                   message: String,
                   help: String| {
            let col = col_of(field).unwrap_or(0);
            let name = header.get(col).map_or("", String::as_str);
            errors.push(
                Diagnostic::error(file, format!("column \"{name}\": {message}"))
                    .code(code)
                    .at_line(row, col + 1)
                    .with_help(help),
            );
        };
        // Each mapped value, after --value; a value mapped to nothing leaves the row out.
        let mut values: crate::HashMap<&str, String> = crate::HashMap::default();
        for (field, _) in &cols {
            let raw = cell(cells, field).unwrap_or_default();
            if *field == "pages" {
                values.insert(field, raw);
                continue;
            }
            match mapped_value(mapping, field, &raw) {
                Some(v) if v.is_empty() => {
                    out.skipped += 1;
                    continue 'rows;
                }
                Some(v) => {
                    values.insert(field, v);
                }
                None => {
                    values.insert(field, raw);
                }
            }
        }
        let get = |f: &str| values.get(f).cloned().unwrap_or_default();

        let id: String = get("id").nfkc().collect::<String>().trim().to_string();
        if id.is_empty() {
            err(
                &mut errors,
                "empty-id",
                "id",
                "the engagement id is empty".into(),
                "give every row the id of its engagement (opportunity, deal or ticket)".into(),
            );
        } else if id.chars().any(char::is_control) {
            err(
                &mut errors,
                "control-character",
                "id",
                format!(
                    "the id \"{}\" holds a line break or control character",
                    id.escape_debug()
                ),
                "write the id on one line".into(),
            );
        }
        let tier_word = get("tier");
        let tier = match config.tier_index(&tier_word) {
            Some(i) => config.tiers[i].id.clone(),
            None => {
                let ids: Vec<&str> = config.tiers.iter().map(|t| t.id.as_str()).collect();
                let help = if tier_word.is_empty() {
                    format!("write the customer's tier: {}", ids.join(", "))
                } else {
                    match did_you_mean(&tier_word, ids.iter().copied()) {
                        Some(s) => format!(
                            "did you mean \"{s}\"? Or map the value: --value \"tier:{tier_word}={s}\""
                        ),
                        None => format!(
                            "map it to a tier: --value \"tier:{tier_word}={}\" (tiers in shirube.yaml: {})",
                            ids.first().copied().unwrap_or("low"),
                            ids.join(", ")
                        ),
                    }
                };
                err(
                    &mut errors,
                    "unknown-tier",
                    "tier",
                    format!("unknown tier \"{tier_word}\""),
                    help,
                );
                String::new()
            }
        };
        let outcome_word = get("outcome");
        let outcome = match Outcome::parse(&outcome_word.to_lowercase()) {
            Ok(o) => Some(o),
            Err(_) => {
                let help = if outcome_word.is_empty() {
                    "write success, partial or failed".into()
                } else {
                    format!(
                        "map it: --value \"outcome:{outcome_word}=success\" (or partial or failed; map it to nothing, --value \"outcome:{outcome_word}=\", to leave such rows out)"
                    )
                };
                err(
                    &mut errors,
                    "unknown-outcome",
                    "outcome",
                    format!("unknown outcome \"{outcome_word}\""),
                    help,
                );
                None
            }
        };
        let date_text = get("date");
        let date = match parse_cell_date(&date_text, order) {
            Ok(d) if d > today => {
                err(
                    &mut errors,
                    "future-date",
                    "date",
                    format!("{} is in the future", format_date(d)),
                    "record an engagement once it has happened".into(),
                );
                None
            }
            Ok(d) => Some(d),
            Err(DateError::Ambiguous(a, b)) => {
                err(
                    &mut errors,
                    "ambiguous-date",
                    "date",
                    format!(
                        "\"{date_text}\" may be {} or {}",
                        format_date(a),
                        format_date(b)
                    ),
                    "say which with --date-format mdy (month first) or --date-format dmy (day first), or `date_format:` under `mapping:` in shirube.yaml".into(),
                );
                None
            }
            Err(DateError::Invalid) => {
                err(
                    &mut errors,
                    "invalid-date",
                    "date",
                    if date_text.is_empty() {
                        "the date is empty".into()
                    } else {
                        format!("\"{date_text}\" is not a date")
                    },
                    "write it as 2026-10-02, 2026/10/02 or 10/2/2026 (with --date-format when the order is unclear), or as an Excel date number".into(),
                );
                None
            }
        };
        let mut texts = Vec::new();
        for field in ["customer", "csm", "note"] {
            let Some(v) = values.get(field) else {
                texts.push(None);
                continue;
            };
            if v.chars()
                .any(|c| c.is_control() && !(field == "note" && (c == '\n' || c == '\t')))
            {
                err(
                    &mut errors,
                    "control-character",
                    field,
                    "holds a line break or control character".into(),
                    "write it on one line".into(),
                );
            }
            texts.push(Some(v.clone()));
        }
        let mut used = Vec::new();
        let pages_cell = get("pages");
        for name in pages_cell
            .split([';', '\n', '\r'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            let name = mapped_value(mapping, "pages", name).unwrap_or_else(|| name.to_string());
            if name.is_empty() {
                continue;
            }
            match index.resolve(&name) {
                Ok(src) => {
                    if !used.contains(&src) {
                        used.push(src);
                    }
                }
                Err((code, message, help)) => err(&mut errors, code, "pages", message, help),
            }
        }
        if used.is_empty() && pages_cell.trim().is_empty() {
            err(
                &mut errors,
                "no-page-named",
                "pages",
                "no page is named".into(),
                "name the playbooks or FAQs used, by path, URL or exact title, separated by `;` or line breaks".into(),
            );
        }
        let (Some(outcome), Some(date), true) = (outcome, date, errors.is_empty()) else {
            bad_ids.insert(id);
            out.errors.extend(errors);
            continue;
        };
        let [customer, csm, note]: [Option<String>; 3] = texts
            .try_into()
            .unwrap_or_else(|_| unreachable!("three fields pushed above"));
        let new = Imported {
            id: id.clone(),
            customer,
            csm,
            tier,
            date,
            outcome,
            note,
            pages: used,
            row,
        };
        match by_id.get(&id) {
            None => {
                by_id.insert(id, out.engagements.len());
                out.engagements.push(new);
            }
            Some(&i) => {
                let first = &mut out.engagements[i];
                let differs: Vec<(&str, String, String)> = [
                    ("tier", first.tier.clone(), new.tier.clone()),
                    ("date", format_date(first.date), format_date(new.date)),
                    (
                        "outcome",
                        first.outcome.as_str().into(),
                        new.outcome.as_str().into(),
                    ),
                    ("customer", show(&first.customer), show(&new.customer)),
                    ("csm", show(&first.csm), show(&new.csm)),
                    ("note", show(&first.note), show(&new.note)),
                ]
                .into_iter()
                .filter(|(_, a, b)| a != b)
                .collect();
                if differs.is_empty() {
                    for p in new.pages {
                        if !first.pages.contains(&p) {
                            first.pages.push(p);
                        }
                    }
                } else {
                    let first_row = first.row;
                    for (field, was, now) in differs {
                        let private = matches!(field, "customer" | "csm" | "note");
                        let message = if private {
                            format!(
                                "engagement {id} has another {field} here than on row {first_row}"
                            )
                        } else {
                            format!("engagement {id} is {now} here but {was} on row {first_row}")
                        };
                        err(
                            &mut errors,
                            "conflicting-rows",
                            field,
                            message,
                            "give every row of one engagement the same values, or each engagement its own id".into(),
                        );
                    }
                    bad_ids.insert(id);
                    out.errors.extend(errors);
                }
            }
        }
    }
    // An engagement with a bad row is left out whole: its good rows alone would record it wrongly.
    out.engagements.retain(|e| !bad_ids.contains(&e.id));
    out
}

fn show(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// The manifest value `--value FIELD:FROM=TO` gives a cell: an exact match first, then one that differs only
/// in case, width or surrounding spaces. `None` when no mapping names the cell.
pub fn mapped_value(mapping: &Mapping, field: &str, cell: &str) -> Option<String> {
    let of_field = || mapping.values.iter().rev().filter(|(f, _, _)| f == field);
    if let Some((_, _, to)) = of_field().find(|(_, from, _)| from.trim() == cell.trim()) {
        return Some(to.clone());
    }
    let loose = |s: &str| s.nfkc().collect::<String>().trim().to_lowercase();
    let cell = loose(cell);
    of_field()
        .find(|(_, from, _)| loose(from) == cell)
        .map(|(_, _, to)| to.clone())
}

/// Why a cell is not a date.
#[derive(Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not a date in any format.
    Invalid,
    /// Day and month could be either way round: the two dates, month first and day first.
    Ambiguous(i64, i64),
}

/// Parses a date cell: `2026-10-02`, `2026/10/02`, `2026年10月2日`, `10/2/2026` (in `order`, or unambiguous),
/// an Excel serial number (`46297`), each with full-width digits too and an optional time after it.
pub fn parse_cell_date(cell: &str, order: Option<DateOrder>) -> Result<i64, DateError> {
    let s: String = cell.nfkc().collect();
    let s = s.trim();
    // A time after the date: `2026-10-02 09:30`, `2026-10-02T09:30:00Z`, `10/2/2026 9:30 AM`.
    let date = s
        .split(|c: char| c.is_whitespace() || c == 'T')
        .next()
        .unwrap_or("");
    let date = date.replace(['年', '月'], "/").replace('日', "");
    if !date.is_empty() && date.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        // Excel serial: days since 1899-12-30 (Excel's 1900 leap-year bug is before 1900-03-01, never a
        // proof date). Only plausible ones: 1960 to 2150.
        let whole = date.split('.').next().unwrap_or("");
        return match whole.parse::<i64>() {
            Ok(n) if (21_916..=91_311).contains(&n) => Ok(n - 25_569),
            _ => Err(DateError::Invalid),
        };
    }
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    let [a, b, c] = parts[..] else {
        return Err(DateError::Invalid);
    };
    if [a, b, c]
        .iter()
        .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(DateError::Invalid);
    }
    let n = |p: &str| p.parse::<i64>().unwrap_or(0);
    let ymd = |y: i64, m: i64, d: i64| -> Option<i64> {
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return None;
        }
        parse_date(&format!("{y:04}-{m:02}-{d:02}"))
    };
    if a.len() == 4 {
        return ymd(n(a), n(b), n(c)).ok_or(DateError::Invalid);
    }
    if c.len() != 4 {
        return Err(DateError::Invalid);
    }
    let (first, second, year) = (n(a), n(b), n(c));
    let mdy = ymd(year, first, second);
    let dmy = ymd(year, second, first);
    match (order, mdy, dmy) {
        (Some(DateOrder::Mdy), Some(d), _) | (Some(DateOrder::Dmy), _, Some(d)) => Ok(d),
        (Some(_), _, _) => Err(DateError::Invalid),
        (None, Some(x), Some(y)) if x != y => Err(DateError::Ambiguous(x, y)),
        (None, Some(d), _) | (None, None, Some(d)) => Ok(d),
        (None, None, None) => Err(DateError::Invalid),
    }
}

/// The day-month order a column of dates shows: a date whose first number is over 12 is day first, one whose
/// second is, month first. `None` when no date tells, or they disagree.
pub fn infer_order<'a>(cells: impl Iterator<Item = &'a str>) -> Option<DateOrder> {
    let (mut mdy, mut dmy) = (false, false);
    for cell in cells {
        match (
            parse_cell_date(cell, Some(DateOrder::Mdy)),
            parse_cell_date(cell, Some(DateOrder::Dmy)),
        ) {
            (Ok(a), Err(_)) if parse_cell_date(cell, None) == Ok(a) => mdy = true,
            (Err(_), Ok(b)) if parse_cell_date(cell, None) == Ok(b) => dmy = true,
            _ => {}
        }
    }
    match (mdy, dmy) {
        (true, false) => Some(DateOrder::Mdy),
        (false, true) => Some(DateOrder::Dmy),
        _ => None,
    }
}

/// The pages rows may name, by source path, URL and title.
pub struct PageIndex<'a> {
    pages: &'a [PageRef<'a>],
    base_origin: String,
    base_path: String,
}

impl<'a> PageIndex<'a> {
    /// An index of `pages`, whose URLs are under `config`'s base URL.
    pub fn new(pages: &'a [PageRef<'a>], config: &Config) -> Self {
        PageIndex {
            pages,
            base_origin: config.base_url.origin.to_lowercase(),
            base_path: config.base_url.path.clone(),
        }
    }

    /// The source path of the page `name` names, or (the diagnostic's code, what is wrong, how to fix it).
    fn resolve(&self, name: &str) -> Result<String, (&'static str, String, String)> {
        let name_nfc: String = name.nfc().collect();
        let by = |f: &dyn Fn(&Page) -> bool| -> Vec<&PageRef> {
            self.pages.iter().filter(|p| f(p.page)).collect()
        };
        let mut found = by(&|p| p.src == name_nfc);
        if found.is_empty()
            && let Some(url) = self.url_path(&name_nfc)
        {
            found = by(&|p| p.url == url);
        }
        if found.is_empty() {
            found = by(&|p| p.title.nfc().collect::<String>() == name_nfc);
        }
        if found.is_empty() {
            found = by(&|p| {
                p.title.nfkc().collect::<String>().trim().to_lowercase()
                    == name_nfc.nfkc().collect::<String>().to_lowercase()
            });
        }
        match found[..] {
            [one] if one.gated => Ok(one.page.src.clone()),
            [one] => Err((
                "proof-not-needed",
                format!(
                    "\"{name}\" ({}) is a {}, which needs no proof",
                    one.page.src,
                    one.page.kind.id()
                ),
                "name only playbooks and FAQs (the kinds under `proof: gate:` in shirube.yaml)"
                    .into(),
            )),
            [] => {
                let gated = || self.pages.iter().filter(|p| p.gated);
                let help = if let Some(t) =
                    did_you_mean(name, gated().map(|p| p.page.title.as_str()))
                {
                    let src = gated()
                        .find(|p| p.page.title == t)
                        .map_or("", |p| p.page.src.as_str());
                    format!("did you mean \"{t}\" ({src})?")
                } else if let Some(p) =
                    did_you_mean_path(name, gated().map(|p| p.page.src.as_str()))
                {
                    format!("did you mean \"{p}\"?")
                } else {
                    "name a playbook or FAQ by its path (playbooks/onboarding/connect-sso.md), its URL or its exact title".into()
                };
                Err((
                    "unknown-page",
                    format!("no playbook or FAQ \"{name}\""),
                    help,
                ))
            }
            _ => Err((
                "ambiguous-page",
                format!(
                    "\"{name}\" is the title of {} pages: {}",
                    found.len(),
                    found
                        .iter()
                        .map(|p| p.page.src.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "name the page by its path instead".into(),
            )),
        }
    }

    /// A page URL as `Page::url` holds it (`playbooks/onboarding/connect-sso/`), from a full URL, a path from
    /// the site root, or a path under the base path. `None` when `name` does not look like a URL.
    pub fn url_path(&self, name: &str) -> Option<String> {
        let mut rest = name;
        let lower = rest.to_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            if !self.base_origin.is_empty() && lower.starts_with(&self.base_origin) {
                rest = &rest[self.base_origin.len()..];
            } else {
                // Another host: only its path can match.
                let after = &rest[rest.find("//")? + 2..];
                rest = &after[after.find('/').unwrap_or(after.len())..];
            }
        } else if !rest.starts_with('/') && !rest.ends_with('/') {
            return None;
        }
        let rest = rest.split(['?', '#']).next().unwrap_or("");
        let rest = rest
            .strip_prefix(self.base_path.as_str())
            .or_else(|| rest.strip_prefix('/'))
            .unwrap_or(rest);
        let rest = rest.strip_suffix("index.html").unwrap_or(rest);
        let mut url = rest.trim_start_matches('/').to_string();
        if !url.is_empty() && !url.ends_with('/') {
            url.push('/');
        }
        Some(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_export_format() {
        let d = |s: &str| parse_date(s).expect("valid");
        let cases: [(&str, Option<DateOrder>, Result<i64, DateError>); 14] = [
            ("2026-10-02", None, Ok(d("2026-10-02"))),
            ("2026/10/02", None, Ok(d("2026-10-02"))),
            ("2026/1/5", None, Ok(d("2026-01-05"))),
            ("２０２６／１０／０２", None, Ok(d("2026-10-02"))),
            ("2026年10月2日", None, Ok(d("2026-10-02"))),
            ("2026-10-02T09:30:00Z", None, Ok(d("2026-10-02"))),
            (
                "10/2/2026 9:30 AM",
                Some(DateOrder::Mdy),
                Ok(d("2026-10-02")),
            ),
            ("10/2/2026", Some(DateOrder::Dmy), Ok(d("2026-02-10"))),
            (
                "10/2/2026",
                None,
                Err(DateError::Ambiguous(d("2026-10-02"), d("2026-02-10"))),
            ),
            ("10/20/2026", None, Ok(d("2026-10-20"))),
            ("20/10/2026", Some(DateOrder::Mdy), Err(DateError::Invalid)),
            ("46297", None, Ok(d("2026-10-02"))),
            ("46297.5", None, Ok(d("2026-10-02"))),
            ("2026-02-30", None, Err(DateError::Invalid)),
        ];
        for (cell, order, want) in cases {
            assert_eq!(parse_cell_date(cell, order), want, "{cell}");
        }
        assert_eq!(parse_cell_date("10/2/26", None), Err(DateError::Invalid));
        assert_eq!(parse_cell_date("", None), Err(DateError::Invalid));
        assert_eq!(parse_cell_date("12", None), Err(DateError::Invalid));
    }

    #[test]
    fn a_column_of_dates_tells_its_order() {
        assert_eq!(
            infer_order(["10/2/2026", "10/20/2026"].into_iter()),
            Some(DateOrder::Mdy)
        );
        assert_eq!(
            infer_order(["10/2/2026", "20/10/2026"].into_iter()),
            Some(DateOrder::Dmy)
        );
        assert_eq!(infer_order(["10/2/2026", "2026-10-20"].into_iter()), None);
        assert_eq!(infer_order(["20/10/2026", "10/20/2026"].into_iter()), None);
    }

    #[test]
    fn encodings_are_detected() {
        let text = "ID,会社\r\n１,株式会社テスト\r\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        assert_eq!(
            decode(&sjis, None).unwrap(),
            (text.to_string(), "Shift_JIS")
        );
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(
            decode(&utf16, None).unwrap(),
            (text.to_string(), "UTF-16LE")
        );
        // Without its byte order mark too.
        assert_eq!(decode(&utf16[2..], None).unwrap().1, "UTF-16LE");
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(decode(&bom, None).unwrap(), (text.to_string(), "UTF-8"));
        assert_eq!(decode(&sjis, Some("cp932")).unwrap().1, "Shift_JIS");
        assert_eq!(
            decode(&sjis, Some("klingon")).unwrap_err().0,
            "unknown encoding \"klingon\""
        );
        // Latin-1 "Café" is neither UTF-8 nor Shift_JIS (é alone is a lead byte without its pair).
        assert_eq!(
            decode(b"Caf\xe9", None).unwrap_err().0,
            "not UTF-8, UTF-16 or Shift_JIS"
        );
        assert_eq!(decode(b"Caf\xe9", Some("windows-1252")).unwrap().0, "Café");
    }

    #[test]
    fn the_separator_follows_the_header() {
        assert_eq!(delimiter("a.csv", "a,b\n"), b',');
        assert_eq!(delimiter("a.csv", "a\tb\n"), b'\t');
        assert_eq!(delimiter("a.txt", "a\tb,c\n"), b'\t');
        assert_eq!(delimiter("a.csv", "a;b\n"), b';');
        assert_eq!(delimiter("a.tsv", "a\n"), b'\t');
    }
}
