//! Manifest text read by the fast reader and the YAML parser (they must agree), then `proof::parse` on it as
//! `manifest.yaml` (and, after a NUL byte, the rest as `manifest/more.yaml`), then the proof gate over a few
//! pages. No panic; every diagnostic points inside its file.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use shirube::config::Config;
use shirube::load::ManifestFile;
use shirube::model::{Kind, Page};
use std::sync::LazyLock;

/// The config of a site with the default tiers and gate (playbooks and FAQs need proof).
static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    shirube::config::parse("title: T\n")
        .0
        .expect("valid config")
});

fn page(src: &str, kind: Kind, body: &str) -> Page {
    Page {
        src: src.into(),
        kind,
        title: "T".into(),
        phase: Some(0),
        tiers: vec![1, 2],
        all_tiers: false,
        summary: None,
        minutes: Some(20),
        weight: 0,
        tags: vec![],
        before_kickoff: false,
        requires: vec![],
        draft: false,
        url: shirube::routes::url_for(src),
        aliases: Vec::new(),
        body: body.into(),
        body_line: 4,
    }
}

fuzz_target!(|text: &str| {
    let (first, second) = match text.split_once('\0') {
        Some((a, b)) => (a, Some(b)),
        None => (text, None),
    };
    for t in std::iter::once(first).chain(second) {
        if let Err(e) = shirube::proof::fast_reader_agrees(t) {
            panic!("the two manifest readers disagree on {t:?}:\n{e}");
        }
    }
    let mut files = vec![ManifestFile {
        path: "manifest.yaml".into(),
        text: first.into(),
    }];
    if let Some(second) = second {
        files.push(ManifestFile {
            path: "manifest/more.yaml".into(),
            text: second.into(),
        });
    }
    let pages = [
        page(
            "playbooks/onboarding/connect-sso.md",
            Kind::Playbook,
            "Do it.\n",
        ),
        page("content/faq/sso-required.md", Kind::Faq, "Yes.\n"),
        page("content/about.md", Kind::Page, "About.\n"),
    ];
    let known: shirube::HashMap<&str, bool> = pages
        .iter()
        .map(|p| (p.src.as_str(), CONFIG.proof.gate.contains(&p.kind)))
        .collect();
    let today = shirube::dates::parse_date("2026-06-01").expect("a date");
    let (manifest, diags) = shirube::proof::parse(&files, &CONFIG, &known, today);
    for f in &files {
        let mine: Vec<_> = diags.iter().filter(|d| d.path == f.path).cloned().collect();
        common::check_positions(&f.text, &mine);
    }
    let refs: Vec<&shirube::model::Page> = pages.iter().collect();
    let decisions = shirube::proof::gate(&refs, &manifest, &CONFIG, today);
    assert_eq!(decisions.len(), pages.len());
});
