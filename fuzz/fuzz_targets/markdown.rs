//! A page body rendered by `markdown::render` against a small fixed site, so that its links resolve, break,
//! point at unpublished pages, files, generated pages and FAQ questions. No panic; every diagnostic points
//! inside the body; the ranges `Rendered` hands out are in bounds; step ids are unique, and heading ids but
//! those written twice as `{#id}` (an error of its own); and no Markdown link or image is written with a
//! `javascript:`, `vbscript:` or `data:` URL (raw HTML, the author's own, is left alone: a URL written in the
//! input as `href="..."` is not counted).

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use shirube::config::Language;
use shirube::markdown::{SiteIndex, Target, render};
use shirube::model::{Kind, Page};
use shirube::{HashSet, routes};

/// The page being rendered: its source path.
const SELF: &str = "playbooks/onboarding/self.md";

fn page(src: &str, kind: Kind, body: &str) -> Page {
    Page {
        src: src.into(),
        kind,
        title: "T".into(),
        phase: None,
        tiers: vec![],
        all_tiers: true,
        summary: None,
        minutes: None,
        weight: 0,
        tags: vec![],
        before_kickoff: false,
        requires: vec![],
        draft: false,
        url: routes::url_for(src),
        aliases: Vec::new(),
        body: body.into(),
        body_line: 1,
    }
}

/// The site: the page itself, a published playbook with headings, an unpublished one, a published and an
/// unpublished FAQ, two files (one with a Japanese name), an unreadable page and a few generated URLs.
fn site(me: &Page, language: Language) -> SiteIndex {
    let others = [
        (
            "playbooks/onboarding/connect-sso.md",
            "## Setup {#setup}\n## 初期設定\n<a id=\"raw\"></a>\n",
            true,
            false,
        ),
        ("playbooks/adoption/draft.md", "## Hidden\n", false, false),
        ("content/faq/reset-password.md", "Answer.\n", true, true),
        ("content/faq/hidden-question.md", "Answer.\n", false, true),
        ("content/about.md", "# About\n", true, false),
    ];
    let mut pages: shirube::HashMap<String, Target> = others
        .iter()
        .map(|(src, body, published, faq)| {
            let url = routes::url_for(src);
            (
                src.to_string(),
                Target::new(url, (*body).into(), *published, *faq),
            )
        })
        .collect();
    pages.insert(
        me.src.clone(),
        Target::new(me.url.clone(), me.body.clone(), true, false),
    );
    SiteIndex {
        base_path: "/guide/".into(),
        origin: "https://guide.example.com".into(),
        pages,
        files: [
            "content/assets/a.svg",
            "content/assets/請求書.pdf",
            "playbooks/onboarding/data.csv",
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        unreadable: ["playbooks/onboarding/broken.md".to_string()]
            .into_iter()
            .collect(),
        other_urls: ["", "faq/", "kickoff/", "feed.xml", "robots.txt"]
            .into_iter()
            .map(String::from)
            .collect(),
        language,
        page_urls: Default::default(),
        suggestions: Default::default(),
        nfc_paths: Default::default(),
    }
}

/// Values of `name="..."` attributes in `html`, as written: inside a tag (text has its `<` escaped, so the
/// last `<` or `>` before a real attribute is a `<`).
fn attributes<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!(" {name}=\"");
    html.match_indices(&open)
        .filter(|(i, _)| {
            html[..*i]
                .rfind(['<', '>'])
                .is_some_and(|j| html[j..].starts_with('<'))
        })
        .filter_map(|(i, _)| {
            let rest = &html[i + open.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// Whether a browser would run or open `url` (an attribute value, HTML-escaped) as a script or data URL.
fn is_script_url(url: &str) -> bool {
    let decoded = url
        .replace("&amp;", "&")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    let cleaned: String = decoded
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|s| cleaned.starts_with(s))
}

fuzz_target!(|body: &str| {
    let kind = [Kind::Playbook, Kind::Faq, Kind::Page][body.len() % 3];
    let language = if body.len() % 2 == 0 {
        Language::En
    } else {
        Language::Ja
    };
    let me = page(SELF, kind, body);
    let site = site(&me, language);
    let r = render(&me, &site);

    common::check_positions(body, &r.diagnostics);
    for s in &r.sections {
        assert!(
            s.text.start <= s.text.end && s.text.end <= r.text.len(),
            "{s:?}"
        );
        assert!(r.text.is_char_boundary(s.text.start) && r.text.is_char_boundary(s.text.end));
    }
    let mut ids = HashSet::default();
    for s in &r.sections {
        // The same `{#id}` written on two headings is the author's, and an error of its own.
        let reported = format!("heading id \"{}\" is used twice", s.heading.id);
        assert!(
            ids.insert(s.heading.id.clone())
                || r.diagnostics
                    .iter()
                    .any(|d| d.message.starts_with(&reported)),
            "heading id {:?} twice",
            s.heading.id
        );
    }
    let mut ids = HashSet::default();
    for s in &r.steps {
        assert!(ids.insert(s.id.clone()), "step id {:?} twice", s.id);
        assert!(
            s.id.chars().count() <= shirube::markdown::STEP_ID_MAX,
            "{:?}",
            s.id
        );
    }
    for name in ["href", "src"] {
        for url in attributes(&r.html, name) {
            let raw = format!("{name}=\"{url}\"");
            assert!(
                !is_script_url(url) || body.contains(&raw),
                "a Markdown {name} to a script URL: {raw}\n{}",
                r.html
            );
        }
    }
    // A page's own anchors are found without panicking too (links into it from other pages ask for them).
    let _ = shirube::markdown::anchors(body);
});
