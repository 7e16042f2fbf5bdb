//! `shirube status`: every gated page's state and proof, then what to scale next.
//!
//! The JSON form (`--format json`) is a stable interface for dashboards; its fields are documented in the
//! README. Like the human form, it never contains customer, CSM, note or engagement ids.

use crate::dates::format_date;
use crate::diagnostics::Diagnostics;
use crate::pipeline::{self, Checked, Options};
use crate::proof::{Drift, State};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::process::ExitCode;

/// Published pages whose proof expires within this many days are listed under "what to scale next".
pub const EXPIRY_WARNING_DAYS: i64 = 60;

/// One row of the status report.
#[derive(Debug, Serialize)]
pub struct Row {
    /// Source path.
    pub path: String,
    /// Page URL relative to the base path.
    pub url: String,
    /// Title.
    pub title: String,
    /// playbook | faq.
    pub kind: &'static str,
    /// Phase id.
    pub phase: Option<String>,
    /// Tier ids the page targets.
    pub tiers: Vec<String>,
    /// published | unproven | expired | stale | draft.
    pub state: State,
    /// Whether `build` publishes it.
    pub published: bool,
    /// What the state means and what would publish it.
    pub reason: String,
    /// Successful, fresh proofs per tier id (every tier listed, zero included).
    pub proofs: BTreeMap<String, u32>,
    /// Newest successful proof of a targeted tier (YYYY-MM-DD).
    pub newest_proof: Option<String>,
    /// Days until it stops being published for lack of fresh proof; negative when already expired.
    pub expires_in_days: Option<i64>,
    /// none | changed | unknown (hand-written proof without hash) | unproven.
    pub drift: Drift,
    /// The page's content hash now.
    pub hash: String,
    /// Engagements that used it, by outcome, any tier and age.
    pub uses: Uses,
    /// A legacy engagement (`LEGACY-...`, written by `shirube import --legacy-proof`) counts among its proofs.
    pub legacy: bool,
}

/// Engagement counts by outcome.
#[derive(Debug, Serialize)]
pub struct Uses {
    /// Successful.
    pub success: u32,
    /// Partial.
    pub partial: u32,
    /// Failed.
    pub failed: u32,
}

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Version of this JSON format.
    pub format: u32,
    /// The date the states were computed for.
    pub today: String,
    /// Gated pages, in source order.
    pub pages: Vec<Row>,
    /// What to prove next: stale pages held back by `on_change: unpublish` first (they have just left the
    /// guide, and one proof brings them back), then unproven or expired pages, most used first.
    pub to_prove: Vec<String>,
    /// Published pages whose proof expires within 60 days, soonest first.
    pub expiring: Vec<String>,
}

/// Builds the report from a gated site.
pub fn report(c: &Checked) -> Report {
    let legacy: std::collections::HashSet<&str> = c
        .manifest
        .engagements
        .iter()
        .filter(|e| e.id.starts_with("LEGACY-") && e.outcome == crate::proof::Outcome::Success)
        .flat_map(|e| e.used.iter().map(|u| u.path.as_str()))
        .collect();
    // In parallel: each row hashes its page's content.
    let mut pages: Vec<Row> = c
        .pages
        .par_iter()
        .zip(&c.decisions)
        .filter(|(_, d)| d.gated)
        .map(|(p, d)| Row {
            path: p.src.clone(),
            url: p.url.clone(),
            title: p.title.clone(),
            kind: p.kind.id(),
            phase: p.phase.map(|i| c.config.phases[i].id.clone()),
            tiers: p
                .tiers
                .iter()
                .map(|&t| c.config.tiers[t].id.clone())
                .collect(),
            state: d.state,
            published: d.published,
            reason: d.reason.clone(),
            proofs: c
                .config
                .tiers
                .iter()
                .enumerate()
                .map(|(i, t)| (t.id.clone(), d.proofs.get(&i).copied().unwrap_or(0)))
                .collect(),
            newest_proof: d.newest.map(format_date),
            expires_in_days: d.expires_in.or_else(|| {
                d.newest
                    .map(|n| n + i64::from(c.config.proof.max_age_days) - c.today)
            }),
            drift: d.drift,
            hash: d.content_hash(p, &c.config),
            uses: Uses {
                success: d.uses[0],
                partial: d.uses[1],
                failed: d.uses[2],
            },
            legacy: legacy.contains(p.src.as_str()),
        })
        .collect();
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    let mut to_prove: Vec<&Row> = pages
        .iter()
        .filter(|r| {
            matches!(r.state, State::Unproven | State::Expired)
                || (r.state == State::Stale && !r.published)
        })
        .collect();
    to_prove.sort_by_key(|r| {
        (
            r.state != State::Stale,
            std::cmp::Reverse(r.uses.success + r.uses.partial + r.uses.failed),
            r.path.clone(),
        )
    });
    let mut expiring: Vec<&Row> = pages
        .iter()
        .filter(|r| r.published && r.expires_in_days.is_some_and(|d| d <= EXPIRY_WARNING_DAYS))
        .collect();
    expiring.sort_by_key(|r| (r.expires_in_days, r.path.clone()));
    Report {
        format: 1,
        today: format_date(c.today),
        to_prove: to_prove.iter().map(|r| r.path.clone()).collect(),
        expiring: expiring.iter().map(|r| r.path.clone()).collect(),
        pages,
    }
}

/// Runs `shirube status`.
pub fn run(root: &std::path::Path, json: bool) -> ExitCode {
    let mut diags = Diagnostics::default();
    let checked = pipeline::prepare(
        &Options {
            root: root.to_path_buf(),
            ..Options::default()
        },
        &mut diags,
    );
    let Some(checked) = checked else {
        crate::console::err(&diags.render());
        return ExitCode::from(1);
    };
    if diags.has_errors() {
        crate::console::err(&diags.render());
        say!("{}; the states below may be incomplete", diags.summary());
    }
    let r = report(&checked);
    let text = if json {
        // Plain strings and numbers: serializing cannot fail.
        serde_json::to_string_pretty(&r).unwrap_or_default() + "\n"
    } else {
        human(&r, &checked)
    };
    if let Err(code) = crate::console::out_or_fail(&text) {
        return code;
    }
    if diags.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn human(r: &Report, c: &Checked) -> String {
    use std::fmt::Write as _;
    let tiers: Vec<&str> = c.config.tiers.iter().map(|t| t.id.as_str()).collect();
    let mut out = String::new();
    let proofs_head = format!("proofs ({})", tiers.join("/"));
    let path_w = r
        .pages
        .iter()
        .map(|p| p.path.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let proofs_w = proofs_head.len();
    let _ = writeln!(
        out,
        "{:<10} {:<proofs_w$} {:<10} {:>8} {:<8} {:<path_w$}",
        "state", proofs_head, "newest", "expires", "drift", "page"
    );
    for p in &r.pages {
        let proofs: Vec<String> = tiers
            .iter()
            .map(|t| p.proofs.get(*t).copied().unwrap_or(0).to_string())
            .collect();
        let expires = match p.expires_in_days {
            Some(d) if d < 0 => "expired".to_string(),
            Some(d) => format!("{d} d"),
            None => "-".to_string(),
        };
        let drift = match p.drift {
            Drift::None => "same",
            Drift::Changed => "changed",
            Drift::Unknown => "no hash",
            Drift::Unproven => "-",
        };
        let _ = writeln!(
            out,
            "{:<10} {:<proofs_w$} {:<10} {:>8} {:<8} {}",
            p.state.id(),
            proofs.join("/"),
            p.newest_proof.as_deref().unwrap_or("-"),
            expires,
            drift,
            if p.legacy {
                format!("{} (legacy proof)", p.path)
            } else {
                p.path.clone()
            }
        );
    }
    let count = |s: State| r.pages.iter().filter(|p| p.state == s).count();
    let _ = writeln!(
        out,
        "\n{} gated pages: {} published, {} unproven, {} expired, {} stale, {} draft (today is {})",
        r.pages.len(),
        count(State::Published),
        count(State::Unproven),
        count(State::Expired),
        count(State::Stale),
        count(State::Draft),
        r.today
    );
    if r.pages.iter().any(|p| p.drift == Drift::Unknown) {
        let _ = writeln!(
            out,
            "\"no hash\": the newest proof was written by hand, so a later change cannot be detected; \
             `shirube prove` records the hash"
        );
    }
    let _ = writeln!(out, "\nWhat to scale next");
    if r.to_prove.is_empty() && r.expiring.is_empty() {
        let _ = writeln!(
            out,
            "  nothing: every gated page is proven and no proof expires within {EXPIRY_WARNING_DAYS} days"
        );
    }
    let by_path = |path: &str| r.pages.iter().find(|p| p.path == path);
    if !r.to_prove.is_empty() {
        let _ = writeln!(
            out,
            "  prove these (held back since a change first, then most used in engagements):"
        );
        for path in &r.to_prove {
            if let Some(p) = by_path(path) {
                let total = p.uses.success + p.uses.partial + p.uses.failed;
                let _ = writeln!(
                    out,
                    "    {path}\n      used in {total} engagement{} ({} successful, {} partial, {} failed); {}",
                    if total == 1 { "" } else { "s" },
                    p.uses.success,
                    p.uses.partial,
                    p.uses.failed,
                    p.reason
                );
            }
        }
    }
    if !r.expiring.is_empty() {
        let _ = writeln!(out, "  proof expiring within {EXPIRY_WARNING_DAYS} days:");
        for path in &r.expiring {
            if let Some(p) = by_path(path) {
                let _ = writeln!(
                    out,
                    "    {path}: in {} days",
                    p.expires_in_days.unwrap_or(0)
                );
            }
        }
    }
    out
}
