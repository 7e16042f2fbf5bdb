//! `manifest.json`: the public side of the proof manifest.

use crate::config::Config;
use crate::model::{OutputFile, Page};
use crate::proof::Decision;
use crate::routes;
use serde::Serialize;
use std::collections::BTreeMap;

/// `manifest.json`: for each page in the build, its proof in numbers. No customer, CSM, note or engagement id,
/// and no page that is not in the build.
pub fn public_manifest<'a>(
    config: &'a Config,
    in_build: impl Iterator<Item = (&'a Page, &'a Decision)>,
) -> OutputFile {
    #[derive(Serialize)]
    struct Entry<'a> {
        url: String,
        title: &'a str,
        kind: &'static str,
        phase: Option<&'a str>,
        tiers: Vec<&'a str>,
        gated: bool,
        state: &'static str,
        proofs: BTreeMap<&'a str, u32>,
        newest_proof: Option<String>,
    }
    let entries: Vec<Entry> = in_build
        .filter(|(p, _)| !routes::is_intro_path(&p.src))
        .map(|(p, d)| Entry {
            url: format!("{}{}", config.base_url.path, p.url),
            title: &p.title,
            kind: p.kind.id(),
            phase: p.phase.map(|i| config.phases[i].id.as_str()),
            tiers: p
                .tiers
                .iter()
                .map(|&t| config.tiers[t].id.as_str())
                .collect(),
            gated: d.gated,
            state: d.state.id(),
            proofs: d
                .proofs
                .iter()
                .map(|(&t, &n)| (config.tiers[t].id.as_str(), n))
                .collect(),
            newest_proof: d.newest.map(crate::dates::format_date),
        })
        .collect();
    #[derive(Serialize)]
    struct Doc<'a> {
        format: u32,
        title: &'a str,
        pages: Vec<Entry<'a>>,
    }
    let doc = Doc {
        format: 1,
        title: &config.title,
        pages: entries,
    };
    // Strings, numbers and maps with string keys: serializing cannot fail.
    let json = serde_json::to_string_pretty(&doc).unwrap_or_default();
    OutputFile {
        path: "manifest.json".into(),
        bytes: json.into_bytes(),
    }
}
