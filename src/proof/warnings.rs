//! The gate's warnings: what an author should know about the proof of pages the gate has judged.

use super::{Decision, State};
use crate::HashMap;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Lines};
use crate::load::Sources;
use crate::model::Page;

/// The proof gate's warnings: pages changed since they were proven, and published pages that require an
/// unpublished one.
pub fn warnings(
    pages: &[(&Page, &Decision)],
    sources: &Sources,
    config: &Config,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let texts: HashMap<&str, &str> = sources
        .docs
        .iter()
        .map(|d| (d.path.as_str(), d.text.as_str()))
        .collect();
    for &(page, decision) in pages {
        if decision.state == State::Stale {
            let held = if decision.published {
                ""
            } else {
                " (held back: on_change is unpublish)"
            };
            // The reason reads "changed since it was last proven on DATE; prove it again ...": the first half is
            // what is wrong, the second what to do.
            let (what, todo) = decision
                .reason
                .split_once("; ")
                .unwrap_or(("changed since it was last proven", &decision.reason));
            diags.push(
                Diagnostic::warning(&page.src, format!("{what}{held}"))
                    .code("stale-proof")
                    .with_help(format!("{todo}; `shirube status` shows every page")),
            );
        }
    }
    // A success with a customer of a tier the page does not target is recorded, but is not its proof. Said
    // of a page it leaves unpublished (its last such entry), where the author may take it for proof; once a
    // page is published, older entries of tiers it no longer targets are history, not mistakes.
    let mut manifest_lines: HashMap<&str, Lines> = HashMap::default();
    for &(page, decision) in pages {
        let Some(o) = decision.off_tier.last() else {
            continue;
        };
        if !decision.gated || decision.published || page.draft {
            continue;
        }
        let (message, help) = super::off_tier_warning(page, &o.engagement, o.tier, config);
        let lines = manifest_lines.entry(o.file.as_str()).or_insert_with(|| {
            let text = sources
                .manifests
                .iter()
                .find(|m| m.path == o.file)
                .map_or("", |m| m.text.as_str());
            Lines::new(text)
        });
        let line = lines.get(o.line).unwrap_or("");
        let col = super::path_col(line, &page.src, o.col);
        diags.push(
            Diagnostic::warning(&o.file, message)
                .code("off-tier-proof")
                .at_in(lines, o.line, col, page.src.chars().count())
                .with_help(help),
        );
    }
    // A published page must not point at an unpublished one: the link is dropped, say so.
    let by_src: HashMap<&str, &Page> = pages.iter().map(|(p, _)| (p.src.as_str(), *p)).collect();
    let published: HashMap<&str, bool> = pages
        .iter()
        .map(|(p, d)| (p.src.as_str(), d.published))
        .collect();
    for &(page, decision) in pages {
        if !decision.published {
            continue;
        }
        for (req, line, col) in &page.requires {
            let Some(target) = crate::requires::resolve_require(&page.src, req, &by_src) else {
                continue;
            };
            if published.get(target.src.as_str()) == Some(&false) {
                let text = texts.get(page.src.as_str()).copied().unwrap_or("");
                diags.push(
                    Diagnostic::warning(
                        &page.src,
                        format!("requires {}, which is not published", target.src),
                    ).code("requires-unpublished")
                    .at(text, *line, *col, req.chars().count())
                    .with_help(
                        "it is shown without its title or link until it is proven; see `shirube status`",
                    ),
                );
            }
        }
    }
    diags
}
