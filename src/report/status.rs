//! Every gated page's state and proof, and what to prove next: the figures `shirube status` prints and
//! `shirube report` draws. One computation for both, so the page and the JSON can never disagree.
//!
//! The JSON form (`status --format json`) is a stable interface for dashboards; its fields are documented in the
//! README. It never contains customer, CSM, note, engagement ids or feedback comments.

use crate::dates::format_date;
use crate::pipeline::Checked;
use crate::proof::{Drift, State};
use crate::report::feedback::{Feedback, Helpful};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// More successful engagements it needs to be published: 0 when published or a draft, 1 for a stale page
    /// held back by `on_change: unpublish` (one new proof brings it back).
    pub needs: u32,
    /// Readers' "Was this helpful?" answers, only when a feedback export was given (`--feedback`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helpful: Option<Helpful>,
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

impl Uses {
    /// Every engagement that used the page.
    pub fn total(&self) -> u32 {
        self.success + self.partial + self.failed
    }
}

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Status {
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

impl Status {
    /// The row of the page at source path `path`.
    pub fn row(&self, path: &str) -> Option<&Row> {
        // Rows are sorted by path.
        self.pages
            .binary_search_by(|r| r.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.pages[i])
    }

    /// How many rows are in `state`.
    pub fn count(&self, state: State) -> usize {
        self.pages.iter().filter(|p| p.state == state).count()
    }
}

/// Computes the status of a gated site, with each page's helpfulness when `feedback` is given.
pub fn compute(c: &Checked, feedback: Option<&Feedback>) -> Status {
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
            needs: if d.state == State::Stale && !d.published {
                1
            } else {
                d.missing
            },
            helpful: feedback.and_then(|f| f.helpful(&p.src)),
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
            std::cmp::Reverse(r.uses.total()),
            r.path.clone(),
        )
    });
    let mut expiring: Vec<&Row> = pages
        .iter()
        .filter(|r| r.published && r.expires_in_days.is_some_and(|d| d <= EXPIRY_WARNING_DAYS))
        .collect();
    expiring.sort_by_key(|r| (r.expires_in_days, r.path.clone()));
    Status {
        format: 1,
        today: format_date(c.today),
        to_prove: to_prove.iter().map(|r| r.path.clone()).collect(),
        expiring: expiring.iter().map(|r| r.path.clone()).collect(),
        pages,
    }
}
