//! The preview banner: what a preview build says on top of a page that is not (or not cleanly) published.

use super::Banner;
use crate::config::Config;
use crate::model::Page;
use crate::proof::{Decision, State};
use crate::text;
use std::collections::BTreeMap;

/// The preview banner of a page that is not (or not cleanly) published: its state, why, and what would
/// publish it, in the theme's UI strings `ui` for the site's language (`banner`, `banner_<state>`,
/// `banner_why_<state>` ...; `status` keeps the English reason for authors).
pub fn banner(
    decision: &Decision,
    page: &Page,
    config: &Config,
    ui: &BTreeMap<String, String>,
) -> Option<Banner> {
    let show = !decision.published || decision.state == State::Stale;
    show.then(|| {
        let t = |key: &str| ui.get(key).cloned().unwrap_or_else(|| key.to_string());
        let names: Vec<&str> = page
            .tiers
            .iter()
            .filter_map(|&t| config.tiers.get(t))
            .map(|t| t.name.as_str())
            .collect();
        let customers = if page.all_tiers || names.is_empty() {
            t("banner_customers_any")
        } else {
            let tiers = names.join(&t("banner_tiers_or"));
            text::fill(&t("banner_customers"), &[("tiers", &tiers)])
        };
        let newest = decision
            .newest
            .map(|d| super::human_date(d, config.language))
            .unwrap_or_default();
        let state = decision.state.id();
        let why = text::fill(
            &t(&format!("banner_why_{state}")),
            &[
                ("reason", &decision.reason),
                ("customers", &customers),
                ("missing", &decision.missing.to_string()),
                ("newest", &newest),
                ("days", &config.proof.max_age_days.to_string()),
                ("src", &page.src),
            ],
        );
        let where_ = if decision.published {
            t("banner_where_published")
        } else {
            t("banner_where_preview")
        };
        Banner {
            kind: state.to_string(),
            text: text::fill(
                &t("banner"),
                &[
                    ("label", &t(&format!("banner_{state}"))),
                    ("why", &why),
                    ("where", &where_),
                ],
            ),
        }
    })
}
