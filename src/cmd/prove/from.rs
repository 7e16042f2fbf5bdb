//! `shirube prove --from FILE.csv`: record the engagements of a CRM export in the manifest.
//!
//! Reading and checking the export is [`crate::import_csv`]; editing the manifest is [`crate::manifest_edit`], as for one
//! engagement. This file decides what each engagement of the export does to the manifest (added, updated,
//! unchanged, or refused when a hand-written entry elsewhere says otherwise), applies it to one manifest file,
//! checks the result parses, and writes it. Importing the same export twice changes nothing.

use super::{fail, write_replacing};
use crate::HashMap;
use crate::config::{Config, MAPPED_FIELDS, Mapping};
use crate::dates::format_date;
use crate::diagnostics::{Diagnostic, Diagnostics, Severity, did_you_mean};
use crate::import_csv::{self, DateOrder, Imported, PageRef};
use crate::load::{MANIFEST_DIR, MANIFEST_FILE, ManifestFile};
use crate::manifest_edit::{NewEngagement, add_uses, append_engagement, remove_uses, set_field};
use crate::pipeline::Checked;
use crate::proof::{self, Engagement};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where imported engagements go unless `--into` or `mapping: into:` says otherwise: a file of their own, so
/// that the hand-written manifest.yaml is never edited by an import.
pub(super) const DEFAULT_INTO: &str = "manifest/imported.yaml";

/// The options of `prove --from`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ImportArgs {
    /// Record every engagement of a CRM export instead: a CSV or TSV file (UTF-8, UTF-16 or Shift_JIS) or the
    /// first sheet of an Excel workbook (.xlsx), one
    /// row per engagement or per engagement and page. Rows with errors are reported and left out; the others
    /// are recorded. Importing the same file again changes nothing; a changed row updates its engagement.
    #[arg(
        long,
        value_name = "FILE.csv",
        conflicts_with_all = ["paths", "engagement", "customer", "csm", "tier", "date", "outcome", "note"]
    )]
    pub from: Option<PathBuf>,
    /// Which column fills which field: --map id="Opportunity ID",customer="Account Name",csm=Owner,
    /// tier=Segment,date="Close Date",outcome=Stage,pages="Playbooks Used". Fields: id, customer, csm, tier,
    /// date, outcome, pages (by path, URL or exact title, several separated by `;` or line breaks) and note.
    /// Adds to and overrides `mapping: columns:` in shirube.yaml.
    #[arg(long, value_name = "FIELD=COLUMN,...", requires = "from")]
    pub map: Vec<String>,
    /// What a value of the export means in the manifest, e.g. --value tier:SMB=low --value
    /// "outcome:Closed Won=success". A value mapped to nothing ("outcome:Prospecting=") leaves its rows out.
    /// Adds to `mapping: values:` in shirube.yaml.
    #[arg(long = "value", value_name = "FIELD:FROM=TO", requires = "from")]
    pub values: Vec<String>,
    /// Print what would be added, updated, unchanged and refused, and write nothing.
    #[arg(long, requires = "from")]
    pub dry_run: bool,
    /// The export's encoding when it is not detected: utf-8, utf-16, shift_jis (cp932), windows-1252, ...
    #[arg(long, value_name = "ENCODING", requires = "from")]
    pub encoding: Option<String>,
    /// The order of dates such as 10/2/2026: mdy (month first) or dmy (day first). Needed only when no date
    /// of the file tells.
    #[arg(long, value_enum, requires = "from")]
    pub date_format: Option<DateFormat>,
    /// The manifest file imported engagements go to (manifest.yaml, or a file under manifest/). Default:
    /// manifest/imported.yaml, so that the hand-written manifest.yaml is left as it is.
    #[arg(long, value_name = "FILE", requires = "from")]
    pub into: Option<String>,
    /// Write nothing when any row has an error (by default the good rows are recorded).
    #[arg(long, requires = "from")]
    pub all_or_nothing: bool,
}

/// `--date-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DateFormat {
    /// Year first: 2026/10/02.
    Ymd,
    /// Month first: 10/2/2026 is October 2.
    Mdy,
    /// Day first: 10/2/2026 is 10 February.
    Dmy,
}

/// What an engagement of the export does to the manifest.
enum Plan<'a> {
    Add(&'a Imported),
    Update {
        imported: &'a Imported,
        existing: &'a Engagement,
        fields: Vec<(&'static str, Option<String>)>,
        add: Vec<String>,
        remove: Vec<String>,
        said: Vec<String>,
    },
    Unchanged,
    Refused,
}

/// Runs `shirube prove --from FILE`, on a site already prepared and locked by [`super::run`].
pub(super) fn run(root: &Path, checked: &Checked, file: &Path, args: &ImportArgs) -> ExitCode {
    let config = &checked.config;
    let mapping = match mapping(config, args) {
        Ok(m) => m,
        Err((what, help)) => return fail(2, &what, &help),
    };
    let into = args
        .into
        .clone()
        .or_else(|| mapping.into.clone())
        .unwrap_or_else(|| DEFAULT_INTO.to_string());
    if let Err(help) = check_into(&into) {
        return fail(2, &format!("cannot import into \"{into}\""), &help);
    }
    let order = match (args.date_format, mapping.date_format.as_deref()) {
        (Some(DateFormat::Ymd), _) => Some(DateOrder::Ymd),
        (Some(DateFormat::Mdy), _) => Some(DateOrder::Mdy),
        (Some(DateFormat::Dmy), _) => Some(DateOrder::Dmy),
        (None, Some(word)) => DateOrder::parse(word),
        (None, None) => None,
    };
    let name = file.to_string_lossy().to_string();
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            return fail(
                1,
                &format!("cannot read {name}: {e}"),
                "check the path of the export",
            );
        }
    };
    let encoding = args.encoding.as_deref().or(mapping.encoding.as_deref());
    let decoded = if import_csv::is_workbook(&name) {
        import_csv::xlsx_to_csv(&bytes).map(|t| (t, "xlsx"))
    } else {
        import_csv::decode(&bytes, encoding)
    };
    let text = match decoded {
        Ok((text, _)) => text,
        Err((what, help)) => {
            let mut d = Diagnostics::default();
            d.push(
                Diagnostic::error(&name, what)
                    .code("undecodable-file")
                    .with_help(help),
            );
            crate::console::err(&d.render());
            return ExitCode::from(1);
        }
    };
    let pages: Vec<PageRef> = checked
        .pages
        .iter()
        .zip(&checked.decisions)
        .map(|(page, d)| PageRef {
            page,
            gated: d.gated,
        })
        .collect();
    let read = import_csv::read(&name, &text, &mapping, order, &pages, config, checked.today);
    let mut diags = Diagnostics::default();
    diags.extend(read.errors.iter().cloned());
    let bad_rows: std::collections::BTreeSet<usize> = read
        .errors
        .iter()
        .map(|d| d.line)
        .filter(|&l| l > 1)
        .collect();

    // What each engagement does.
    let by_id: HashMap<&str, &Engagement> = checked
        .manifest
        .engagements
        .iter()
        .map(|e| (e.id.as_str(), e))
        .collect();
    let mut plans = Vec::new();
    for imported in &read.engagements {
        let plan = match by_id.get(imported.id.as_str()) {
            None => Plan::Add(imported),
            Some(existing) => {
                let (fields, add, remove, said) = differences(imported, existing, config);
                if existing.file != into {
                    // A hand-written entry, or one of another import: the import changes only its own file.
                    if fields.is_empty() && add.is_empty() {
                        Plan::Unchanged
                    } else {
                        let (col, header) = read.id_column.clone().unwrap_or_default();
                        diags.push(
                            Diagnostic::error(
                                &name,
                                format!(
                                    "column \"{header}\": engagement {} is recorded in {}:{}, and the export differs: {}",
                                    imported.id,
                                    existing.file,
                                    existing.line,
                                    said.join(", ")
                                ),
                            )
                            .code("import-conflict")
                            .at_line(imported.row, col + 1)
                            .with_help(format!(
                                "this import writes only {into}; change the engagement in {} by hand, or import into that file with --into {}",
                                existing.file, existing.file
                            )),
                        );
                        Plan::Refused
                    }
                } else if fields.is_empty() && add.is_empty() && remove.is_empty() {
                    Plan::Unchanged
                } else {
                    Plan::Update {
                        imported,
                        existing,
                        fields,
                        add,
                        remove,
                        said,
                    }
                }
            }
        };
        plans.push(plan);
    }
    let errors = diags.has_errors();
    crate::console::err(&diags.render());

    let target = checked
        .sources
        .manifests
        .iter()
        .find(|m| m.path == into)
        .cloned()
        .unwrap_or_else(|| ManifestFile {
            path: into.clone(),
            text: String::new(),
        });
    let known: HashMap<&str, bool> = checked
        .pages
        .iter()
        .zip(&checked.decisions)
        .map(|(p, d)| (p.src.as_str(), d.gated))
        .collect();
    let hash_of: HashMap<&str, String> = checked
        .pages
        .iter()
        .zip(&checked.decisions)
        .map(|(p, d)| (p.src.as_str(), d.content_hash(p, config)))
        .collect();
    let uses = |paths: &[String]| -> Vec<(String, String)> {
        paths
            .iter()
            .map(|p| {
                (
                    p.clone(),
                    hash_of.get(p.as_str()).cloned().unwrap_or_default(),
                )
            })
            .collect()
    };
    let reparse = |text: &str, id: &str| -> Option<Engagement> {
        let file = ManifestFile {
            path: into.clone(),
            text: text.to_string(),
        };
        proof::parse(&[file], config, &known, checked.today)
            .0
            .engagements
            .into_iter()
            .find(|e| e.id == id)
    };

    // Apply: updates in place, then the new engagements at the end.
    let mut text = target.text.clone();
    let mut report: Vec<(&str, &str, String)> = Vec::new();
    let (mut added, mut updated, mut unchanged, mut refused) = (0, 0, 0, 0);
    for plan in &plans {
        match plan {
            Plan::Unchanged => unchanged += 1,
            Plan::Refused => refused += 1,
            Plan::Add(_) => {}
            Plan::Update {
                imported,
                existing,
                fields,
                add,
                remove,
                said,
            } => {
                let edited = update(&text, existing, fields, remove, &uses(add), &reparse);
                match edited {
                    Ok(t) => {
                        text = t;
                        updated += 1;
                        report.push((
                            "updated",
                            "would update",
                            format!("{}: {}", imported.id, said.join(", ")),
                        ));
                    }
                    Err(why) => {
                        return fail(
                            1,
                            &format!("cannot update engagement {} in {into}: {why}", imported.id),
                            "edit it by hand, then import again",
                        );
                    }
                }
            }
        }
    }
    if text.trim().is_empty() {
        text = "# Engagements imported by `shirube prove --from`. Importing again updates the ones the export lists.\n".to_string();
    }
    for plan in &plans {
        if let Plan::Add(imported) = plan {
            let new = NewEngagement {
                id: imported.id.clone(),
                customer: imported.customer.clone().filter(|c| !c.is_empty()),
                csm: imported.csm.clone().filter(|c| !c.is_empty()),
                tier: imported.tier.clone(),
                date: format_date(imported.date),
                outcome: imported.outcome.as_str().into(),
                note: imported.note.clone().filter(|c| !c.is_empty()),
            };
            match append_engagement(&text, &new, &uses(&imported.pages)) {
                Ok(t) => text = t,
                Err(why) => {
                    return fail(
                        1,
                        &format!("cannot add to {into}: {why}"),
                        "edit it by hand, or import into another file with --into",
                    );
                }
            }
            added += 1;
            let n = imported.pages.len();
            report.push((
                "added",
                "would add",
                format!(
                    "{} ({n} page{})",
                    imported.id,
                    if n == 1 { "" } else { "s" }
                ),
            ));
        }
    }

    // The edited manifest must parse, and hold what was imported, before anything is written.
    let changed = added + updated > 0;
    if changed {
        let mut files: Vec<ManifestFile> = checked
            .sources
            .manifests
            .iter()
            .filter(|m| m.path != into)
            .cloned()
            .collect();
        files.push(ManifestFile {
            path: into.clone(),
            text: text.clone(),
        });
        let (reparsed, problems) = proof::parse(&files, config, &known, checked.today);
        let problems: Vec<_> = problems
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        let lost = plans.iter().find_map(|p| {
            let (Plan::Add(imported) | Plan::Update { imported, .. }) = p else {
                return None;
            };
            let ok = reparsed.engagements.iter().any(|e| {
                e.id == imported.id
                    && e.date == imported.date
                    && e.outcome == imported.outcome
                    && config
                        .tiers
                        .get(e.tier)
                        .is_some_and(|t| t.id == imported.tier)
                    && imported
                        .pages
                        .iter()
                        .all(|p| e.used.iter().any(|u| u.path == *p))
            });
            (!ok).then_some(&imported.id)
        });
        if !problems.is_empty() || lost.is_some() {
            let mut d = Diagnostics::default();
            d.extend(problems);
            crate::console::err(&d.render());
            return fail(
                1,
                &format!("editing {into} would break it; nothing was written"),
                "please report this, and import into a new file with --into meanwhile",
            );
        }
    }
    let hold = errors && args.all_or_nothing;
    let written = changed && !args.dry_run && !hold;
    if written {
        let path = root.join(&into);
        if let Some(parent) = path.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            return fail(
                1,
                &format!("cannot create the folder of {into}: {e}"),
                "check the site folder's permissions",
            );
        }
        if let Err(e) = write_replacing(&path, &text) {
            return fail(
                1,
                &format!("cannot write {into}: {e}"),
                "check the file's permissions",
            );
        }
    }
    let verb = |n: usize, what: &str| format!("{n} {what}");
    let summary = format!(
        "{}, {}, {}, {}{}{}",
        verb(added, "added"),
        verb(updated, "updated"),
        verb(unchanged, "unchanged"),
        verb(refused, "refused"),
        match bad_rows.len() {
            0 => String::new(),
            1 => ", 1 row with errors left out".into(),
            n => format!(", {n} rows with errors left out"),
        },
        match read.skipped {
            0 => String::new(),
            n => format!(", {n} skipped by --value"),
        }
    );
    // Unchanged and refused engagements are listed too when nothing is written, so that a dry run says everything.
    if args.dry_run || hold {
        for (plan, imported) in plans.iter().zip(&read.engagements) {
            match plan {
                Plan::Unchanged => report.push(("", "unchanged", imported.id.clone())),
                Plan::Refused => report.push((
                    "",
                    "refused",
                    format!("{} (row {})", imported.id, imported.row),
                )),
                _ => {}
            }
        }
    }
    let report: String = report
        .into_iter()
        .map(|(past, would, what)| format!("{} {what}\n", if written { past } else { would }))
        .collect();
    if let Err(code) = crate::console::out_or_fail(&report) {
        return code;
    }
    let how = if args.dry_run {
        "dry run, nothing written".to_string()
    } else if hold {
        "nothing written: --all-or-nothing and some rows have errors".to_string()
    } else if written {
        format!("written to {into}")
    } else {
        format!("{into} is up to date")
    };
    say!(
        "{name}: {} row{}: {summary} ({how})",
        read.rows,
        if read.rows == 1 { "" } else { "s" }
    );
    if errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The fields to set (`None`: remove), the pages to add and to remove, and the changes said in words (no
/// private value: "customer changed").
#[allow(clippy::type_complexity)]
fn differences(
    imported: &Imported,
    existing: &Engagement,
    config: &Config,
) -> (
    Vec<(&'static str, Option<String>)>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
) {
    let mut fields = Vec::new();
    let mut said = Vec::new();
    let recorded_tier = config
        .tiers
        .get(existing.tier)
        .map_or("", |t| t.id.as_str());
    let mut public = |key: &'static str, was: String, now: String| {
        if was != now {
            said.push(format!("{key} {was} → {now}"));
            fields.push((key, Some(now)));
        }
    };
    public("tier", recorded_tier.to_string(), imported.tier.clone());
    public(
        "date",
        format_date(existing.date),
        format_date(imported.date),
    );
    public(
        "outcome",
        existing.outcome.as_str().into(),
        imported.outcome.as_str().into(),
    );
    for (key, was, now) in [
        ("customer", &existing.customer, &imported.customer),
        ("csm", &existing.csm, &imported.csm),
        ("note", &existing.note, &imported.note),
    ] {
        // Not mapped: left as recorded.
        let Some(now) = now else { continue };
        if was.as_deref().unwrap_or("") != now {
            said.push(format!("{key} changed"));
            fields.push((key, (!now.is_empty()).then(|| now.clone())));
        }
    }
    let add: Vec<String> = imported
        .pages
        .iter()
        .filter(|p| !existing.used.iter().any(|u| u.path == **p))
        .cloned()
        .collect();
    let remove: Vec<String> = existing
        .used
        .iter()
        .filter(|u| !imported.pages.contains(&u.path))
        .map(|u| u.path.clone())
        .collect();
    said.extend(add.iter().map(|p| format!("+{p}")));
    said.extend(remove.iter().map(|p| format!("-{p}")));
    (fields, add, remove, said)
}

/// Updates one engagement of `text`: pages removed, fields set, pages added, each step on a fresh parse.
fn update(
    text: &str,
    existing: &Engagement,
    fields: &[(&'static str, Option<String>)],
    remove: &[String],
    add: &[(String, String)],
    reparse: &dyn Fn(&str, &str) -> Option<Engagement>,
) -> Result<String, String> {
    let gone = || format!("engagement {} went missing while editing", existing.id);
    let mut text = remove_uses(text, existing, remove)?;
    for (key, value) in fields {
        let e = reparse(&text, &existing.id).ok_or_else(gone)?;
        text = set_field(&text, &e, key, value.as_deref())?;
    }
    if !add.is_empty() {
        let e = reparse(&text, &existing.id).ok_or_else(gone)?;
        text = add_uses(&text, &e, add)?;
    }
    Ok(text)
}

/// The saved mapping with the command line's `--map`, `--value` and `--encoding` over it; or (what is wrong,
/// how to fix it).
fn mapping(config: &Config, args: &ImportArgs) -> Result<Mapping, (String, String)> {
    let mut m = config.mapping.clone();
    for spec in &args.map {
        for (field, column) in parse_map(spec)? {
            m.columns.push((field, column));
        }
    }
    for spec in &args.values {
        let bad = || {
            (
                format!("--value \"{spec}\" is not FIELD:FROM=TO"),
                "for example --value tier:SMB=low or --value \"outcome:Closed Won=success\""
                    .to_string(),
            )
        };
        let (field, rest) = spec.split_once(':').ok_or_else(bad)?;
        let (from, to) = rest.rsplit_once('=').ok_or_else(bad)?;
        let field = known_field(field.trim(), "--value")?;
        m.values
            .push((field, from.trim().to_string(), to.trim().to_string()));
    }
    // Every value a mapping gives must be one the manifest takes.
    for (field, from, to) in &m.values {
        let wrong = match field.as_str() {
            "tier" if !to.is_empty() && config.tier_index(to).is_none() => {
                Some(config.customer_tier_help(to))
            }
            "outcome" if !to.is_empty() => proof::Outcome::parse(to).err(),
            _ => None,
        };
        if let Some(help) = wrong {
            return Err((
                format!("the mapping gives {field} \"{to}\" for \"{from}\", which is no {field}"),
                help,
            ));
        }
    }
    Ok(m)
}

/// `id="Opportunity ID",tier=Segment` → pairs; a column name in double quotes may hold commas.
fn parse_map(spec: &str) -> Result<Vec<(String, String)>, (String, String)> {
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
    let mut out = Vec::new();
    for part in parts.iter().filter(|p| !p.trim().is_empty()) {
        let Some((field, column)) = part.split_once('=') else {
            return Err((
                format!("--map \"{part}\" is not FIELD=COLUMN"),
                "for example --map id=\"Opportunity ID\",tier=Segment".into(),
            ));
        };
        let field = known_field(field.trim(), "--map")?;
        if column.trim().is_empty() {
            return Err((
                format!("--map {field}= names no column"),
                format!(
                    "write the column's header after the =, for example --map {field}=\"Column name\""
                ),
            ));
        }
        out.push((field, column.trim().to_string()));
    }
    Ok(out)
}

fn known_field(field: &str, flag: &str) -> Result<String, (String, String)> {
    if MAPPED_FIELDS.contains(&field) {
        return Ok(field.to_string());
    }
    Err((
        format!("{flag}: unknown field \"{field}\""),
        match did_you_mean(field, MAPPED_FIELDS) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!("the fields are: {}", MAPPED_FIELDS.join(", ")),
        },
    ))
}

/// `--into` must be manifest.yaml or a `.yaml` file under manifest/, inside the site.
fn check_into(into: &str) -> Result<(), String> {
    let ok = into == MANIFEST_FILE
        || (into.starts_with(&format!("{MANIFEST_DIR}/"))
            && (into.ends_with(".yaml") || into.ends_with(".yml"))
            && !into
                .split('/')
                .any(|s| s.is_empty() || s == ".." || s == "." || s.starts_with('.')));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "give manifest.yaml or a .yaml file under manifest/, for example --into {DEFAULT_INTO}"
        ))
    }
}
