//! `shirube status`: every gated page's state and proof, then what to scale next.
//!
//! The figures are [`crate::report::status`]'s, shared with `shirube report`. The JSON form (`--format json`) is
//! a stable interface for dashboards; its fields are documented in the README. Like the human form, it never
//! contains customer, CSM, note or engagement ids, nor feedback comments.

use crate::diagnostics::Diagnostics;
use crate::pipeline::{self, Checked, Options};
use crate::proof::{Drift, State};
use crate::report::feedback::FeedbackArgs;
use crate::report::status::{EXPIRY_WARNING_DAYS, Status, compute};
use std::process::ExitCode;

/// Runs `shirube status`.
pub fn run(root: &std::path::Path, json: bool, feedback: &FeedbackArgs) -> ExitCode {
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
    let feedback = match super::report::load_feedback(feedback, &checked) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let r = compute(&checked, feedback.as_ref());
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

fn human(r: &Status, c: &Checked) -> String {
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
