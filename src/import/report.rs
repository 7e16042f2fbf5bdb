//! The import's report: `import-report.md` and the lines printed at the end.

use super::Options;
use super::write::Outcome;
use super::{LEGACY_CUSTOMER, LEGACY_FILE, Placed};
use crate::model::Kind;
use std::collections::BTreeMap;
use std::path::Path;

/// The report's file name in the site folder.
pub(super) const REPORT_FILE: &str = "import-report.md";

/// The imported site as `check` and `status` see it.
#[derive(Default)]
pub(super) struct Status {
    /// Errors and warnings of reading the site (as `check` reports them, without rendering).
    pub errors: usize,
    pub warnings: usize,
    /// The first errors, for the report.
    pub first_errors: Vec<String>,
    /// Gated pages published / not.
    pub published: usize,
    pub to_prove: Vec<String>,
    pub min_proofs: u32,
}

/// Reads the imported site as `status` does.
pub(super) fn status_of(into: &Path) -> Status {
    let mut diags = crate::diagnostics::Diagnostics::default();
    let checked = crate::pipeline::prepare(
        &crate::pipeline::Options {
            root: into.to_path_buf(),
            ..Default::default()
        },
        &mut diags,
    );
    let sorted = diags.sorted();
    let errors: Vec<_> = sorted
        .iter()
        .filter(|d| d.severity == crate::diagnostics::Severity::Error)
        .collect();
    let mut s = Status {
        errors: errors.len(),
        warnings: sorted.len() - errors.len(),
        first_errors: errors
            .iter()
            .take(10)
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect(),
        ..Status::default()
    };
    if let Some(c) = checked {
        s.min_proofs = c.config.proof.min_proofs;
        for (p, d) in c.pages.iter().zip(&c.decisions) {
            if !d.gated || p.draft {
                continue;
            }
            if d.published {
                s.published += 1;
            } else {
                s.to_prove.push(p.src.clone());
            }
        }
    }
    s
}

/// What the report is made from.
pub(super) struct Ctx<'a> {
    pub opts: &'a Options,
    pub placed: &'a [Placed],
    pub unresolved: &'a [(String, String)],
    pub notes: &'a [String],
    pub errors: &'a [String],
    pub gone: &'a [String],
    pub legacy: bool,
    pub status: &'a Status,
    pub fallback: &'a str,
}

fn count(done: &[(String, Outcome)], o: Outcome) -> usize {
    done.iter().filter(|(_, x)| *x == o).count()
}

/// `import-report.md`.
pub(super) fn markdown(c: &Ctx<'_>, done: &[(String, Outcome)]) -> String {
    let mut s = format!(
        "# Import report\n\nImported from `{}` ({}) on {}. This file is written again by every import.\n\n",
        c.opts.src.display(),
        c.opts.source.id(),
        crate::dates::format_date(c.opts.today)
    );
    // Pages per kind and phase.
    let mut table: BTreeMap<(String, String), usize> = BTreeMap::new();
    for p in c.placed {
        let phase = p.phase.clone().unwrap_or_else(|| "-".into());
        *table.entry((p.kind.id().to_string(), phase)).or_default() += 1;
    }
    s.push_str(&format!(
        "## Pages ({})\n\n| kind | phase | pages |\n|---|---|---|\n",
        c.placed.len()
    ));
    for ((k, ph), n) in &table {
        s.push_str(&format!("| {k} | {ph} | {n} |\n"));
    }
    s.push_str(&format!(
        "\nFiles: {} new, {} updated, {} unchanged, {} kept because they were edited since the last import{}.\n",
        count(done, Outcome::Created),
        count(done, Outcome::Updated),
        count(done, Outcome::Unchanged),
        count(done, Outcome::KeptEdited),
        if count(done, Outcome::Forced) > 0 {
            format!(", {} edited files overwritten (--force)", count(done, Outcome::Forced))
        } else {
            String::new()
        }
    ));
    let kept: Vec<&String> = done
        .iter()
        .filter(|(_, o)| *o == Outcome::KeptEdited)
        .map(|(p, _)| p)
        .collect();
    if !kept.is_empty() {
        s.push_str("\n## Kept: edited since the last import\n\nThese files were not overwritten (run with `--force` to replace them with the import):\n\n");
        for k in kept {
            s.push_str(&format!("- `{k}`\n"));
        }
    }
    let unplaced: Vec<&Placed> = c.placed.iter().filter(|p| p.unplaced).collect();
    if !unplaced.is_empty() {
        s.push_str(&format!(
            "\n## Not placed: given the phase `{}`\n\nNothing in their front matter, folders, sections or tags named a phase. Add an entry to import.yaml (or set `unplaced:`) and run the import again.\n\n",
            c.fallback
        ));
        for p in unplaced {
            s.push_str(&format!("- `{}` ← `{}`\n", p.out, p.raw.src));
        }
    }
    // Conversions.
    let mut conv: BTreeMap<&str, usize> = BTreeMap::new();
    for p in c.placed {
        for x in &p.raw.converted {
            *conv.entry(x.as_str()).or_default() += 1;
        }
    }
    if !conv.is_empty() {
        s.push_str("\n## Converted\n\n");
        for (x, n) in conv {
            s.push_str(&format!("- {x}: {n}\n"));
        }
    }
    let left: Vec<(&Placed, &(usize, String))> = c
        .placed
        .iter()
        .flat_map(|p| p.raw.left.iter().map(move |l| (p, l)))
        .collect();
    let dropped: Vec<(&Placed, &String)> = c
        .placed
        .iter()
        .flat_map(|p| p.dropped.iter().map(move |d| (p, d)))
        .collect();
    if !left.is_empty() || !dropped.is_empty() {
        s.push_str("\n## Left as written\n\nNot converted (shirube has no equivalent, or it needs a person's decision): the text stays readable on the page; edit it by hand.\n\n");
        for (p, (line, what)) in left {
            let at = if *line > 0 {
                format!("{}:{line}", p.raw.src)
            } else {
                p.raw.src.clone()
            };
            s.push_str(&format!("- `{}` (from `{at}`): {what}\n", p.out));
        }
        for (p, d) in dropped {
            s.push_str(&format!("- `{}`: front matter left out: {d}\n", p.out));
        }
    }
    if !c.unresolved.is_empty() {
        s.push_str(
            "\n## Links that could not be resolved\n\nTheir text is kept without the link; addresses of the old site (marked \"kept\") stay as they are, since they may still work.\n\n",
        );
        for (page, dest) in c.unresolved {
            s.push_str(&format!("- `{page}`: `{dest}`\n"));
        }
    }
    if !c.gone.is_empty() {
        s.push_str("\n## No longer in the source\n\nAn earlier import wrote these; they are left as they are. Delete them if they are not wanted.\n\n");
        for g in c.gone {
            s.push_str(&format!("- `{g}`\n"));
        }
    }
    if !c.notes.is_empty() {
        s.push_str("\n## Notes\n\n");
        for n in c.notes {
            s.push_str(&format!("- {n}\n"));
        }
    }
    s.push_str("\n## Proof\n\n");
    let st = c.status;
    if c.legacy {
        s.push_str(&format!(
            "`--legacy-proof` recorded one engagement per imported playbook and FAQ in `{LEGACY_FILE}` (ids \
             `LEGACY-...`, customer \"{LEGACY_CUSTOMER}\", dated today). They publish until they expire under \
             `max_age_days`: prove them with real engagements before then.\n"
        ));
        if st.min_proofs > 1 {
            s.push_str(&format!(
                "\n`proof: min_proofs` is {}: one legacy engagement is not enough to publish a page.\n",
                st.min_proofs
            ));
        }
    } else {
        s.push_str(
            "Imported playbooks and FAQs are unproven: nothing of them is published until real engagements prove \
             them (`shirube prove`). To keep publishing what the old site already published, run the import again \
             with `--legacy-proof`.\n",
        );
    }
    s.push_str(&format!(
        "\nPublished playbooks and FAQs: {}; to prove: {}.\n",
        st.published,
        st.to_prove.len()
    ));
    if !st.to_prove.is_empty() {
        s.push_str("\n`shirube status` lists these to prove:\n\n");
        for p in &st.to_prove {
            s.push_str(&format!("- `{p}`\n"));
        }
    }
    s.push_str(&format!(
        "\n## Check\n\n{} errors, {} warnings when the site is read (`shirube check` also checks links).\n",
        st.errors, st.warnings
    ));
    for e in &st.first_errors {
        s.push_str(&format!("- {e}\n"));
    }
    for e in c.errors {
        s.push_str(&format!("- import error: {e}\n"));
    }
    s
}

/// The lines printed at the end of an import.
pub(super) fn terminal(c: &Ctx<'_>, done: &[(String, Outcome)]) -> Vec<String> {
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for p in c.placed {
        *kinds.entry(p.kind.id()).or_default() += 1;
    }
    let mut v = vec![format!(
        "imported {} pages from {} ({}): {}",
        c.placed.len(),
        c.opts.src.display(),
        c.opts.source.id(),
        kinds
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    )];
    v.push(format!(
        "files: {} new, {} updated, {} unchanged",
        count(done, Outcome::Created),
        count(done, Outcome::Updated) + count(done, Outcome::Forced),
        count(done, Outcome::Unchanged)
    ));
    for (p, o) in done {
        if *o == Outcome::KeptEdited {
            v.push(format!(
                "warning: {p} was edited since the last import: kept (--force overwrites it)"
            ));
        }
    }
    let unplaced = c
        .placed
        .iter()
        .filter(|p| p.unplaced && p.kind != Kind::Page)
        .count();
    if unplaced > 0 {
        v.push(format!(
            "{unplaced} pages could not be placed and went to the phase \"{}\" (listed in {REPORT_FILE}; edit import.yaml and run again)",
            c.fallback
        ));
    }
    if !c.unresolved.is_empty() {
        v.push(format!(
            "{} links could not be resolved (listed in {REPORT_FILE})",
            c.unresolved.len()
        ));
    }
    let st = c.status;
    if c.legacy {
        v.push(format!(
            "legacy proof: {LEGACY_FILE} records one engagement per page (LEGACY-..., \"{LEGACY_CUSTOMER}\"); {} playbooks and FAQs publish",
            st.published
        ));
    } else {
        v.push(format!(
            "imported playbooks and FAQs are unproven: nothing of them is published until proven ({} to prove; `shirube status` lists them, --legacy-proof records the old site as proof)",
            st.to_prove.len()
        ));
    }
    for p in st.to_prove.iter().take(10) {
        v.push(format!("  to prove: {p}"));
    }
    if st.to_prove.len() > 10 {
        v.push(format!("  ... and {} more", st.to_prove.len() - 10));
    }
    v.push(format!(
        "report: {REPORT_FILE}; mapping: {}",
        super::mapping::FILE
    ));
    v
}
