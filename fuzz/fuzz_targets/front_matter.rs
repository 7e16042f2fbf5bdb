//! A whole Markdown file: front matter split from the body (`load::split`), the front matter read by the fast
//! reader and serde-saphyr (they must agree), then `validate::read_page`. No panic; every diagnostic points
//! inside the file.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use shirube::config::Config;
use std::sync::LazyLock;

/// Paths of each kind: a playbook, an FAQ, a plain page and an intro (the home page).
const PATHS: [&str; 4] = [
    "playbooks/onboarding/a.md",
    "content/faq/q.md",
    "content/about.md",
    "content/index.md",
];

/// The config of a site with the default phases and tiers.
static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    shirube::config::parse("title: T\n")
        .0
        .expect("valid config")
});

fuzz_target!(|text: &str| {
    let path = PATHS[text.len() % PATHS.len()];
    let doc = match shirube::load::split(path, text.to_string()) {
        Ok(doc) => doc,
        Err(d) => {
            let file = text.strip_prefix('\u{feff}').unwrap_or(text);
            common::check_positions(file, &[d]);
            return;
        }
    };
    assert!(
        doc.text.is_char_boundary(doc.body_start),
        "body_start {}",
        doc.body_start
    );
    if !doc.body().is_empty() {
        let before = &doc.text[..doc.body_start];
        assert_eq!(doc.body_line, before.matches('\n').count() + 1, "body_line");
    }
    if let Some((yaml, _)) = &doc.front {
        assert!(doc.text[..doc.body_start].contains(yaml.as_str()));
        if let Err(e) = shirube::validate::quick_reader_agrees(yaml) {
            panic!("the two front matter readers disagree on {yaml:?}:\n{e}");
        }
    }
    let (page, diags) = shirube::validate::read_page(&doc, &CONFIG);
    common::check_positions(&doc.text, &diags);
    if let Some(page) = page {
        assert_eq!(&*page.body, doc.body());
    }
});
