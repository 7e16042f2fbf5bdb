//! Full builds of fixture sites, checked page by page: URLs, titles, badges, TOC, links, generated pages,
//! subpaths, theme overrides, Japanese, and the safety of the output folder.

use crate::common::{
    TestSite, attr_values, between, card_titles, check_links, entries, file_list, h1, html_files,
    ids, run_in, sitemap_locs, snapshot, text, title,
};
use pretty_assertions::assert_eq;

/// Builds the `full` fixture into `<site>/public`, with no warning.
fn built_full() -> TestSite {
    let site = TestSite::fixture("full");
    site.build(&[]).expect_clean();
    site
}

/// The `href`s of the table of contents, without `#`.
fn toc_ids(html: &str) -> Vec<String> {
    let toc = between(html, "<nav class=\"toc\"", "</nav>");
    attr_values(toc, "href")
        .into_iter()
        .map(|h| h.trim_start_matches('#').to_string())
        .collect()
}

/// Ids of the `<h2>`/`<h3>` headings in the page body, in order.
fn body_heading_ids(html: &str) -> Vec<String> {
    let prose = between(html, "<div class=\"prose\">", "\n    </div>");
    let mut out = Vec::new();
    for piece in prose.split('<').skip(1) {
        if piece.starts_with("h2 ") || piece.starts_with("h3 ") {
            let tag = piece.split('>').next().unwrap();
            out.extend(attr_values(&format!(" {tag}"), "id"));
        }
    }
    out
}

/// The texts of the badges in the page header.
fn header_badges(html: &str) -> Vec<String> {
    let header = between(html, "<header class=\"page-header\">", "</header>");
    let list = between(header, "<ul class=\"badges\"", "</ul>");
    list.split("<li>").skip(1).map(text).collect()
}

#[test]
fn every_page_is_written_at_its_pretty_url() {
    let site = built_full();
    // The search index (search/ and its scripts) has content-hashed names; its own tests cover it.
    let files: Vec<String> = file_list(&site.public())
        .into_iter()
        .filter(|f| !f.starts_with("search/") && !f.ends_with(".js"))
        .collect();
    let expected = [
        ".shirube-output",
        "404.html",
        "_headers",
        "about/index.html",
        "assets/timeline.svg",
        "faq/export-reports/index.html",
        "faq/index.html",
        "faq/sso-required/index.html",
        "favicon.svg",
        "feed.xml",
        "index.html",
        "kickoff/index.html",
        "manifest.json",
        "phases/adoption/index.html",
        "phases/onboarding/index.html",
        "playbooks/adoption/custom-reports/index.html",
        "playbooks/adoption/mobile-rollout/index.html",
        "playbooks/onboarding/connect-sso/index.html",
        "playbooks/onboarding/import/csv-columns/index.html",
        "playbooks/onboarding/import/index.html",
        "playbooks/onboarding/invite-admins/index.html",
        "robots.txt",
        "sitemap.xml",
        "snake-case/index.html",
        "style.css",
        "tiers/high/index.html",
        "tiers/low/index.html",
        "tiers/mid/index.html",
        "usage-statistics/index.html",
    ];
    assert_eq!(
        files.iter().map(String::as_str).collect::<Vec<_>>(),
        expected
    );
    // The intro files are the home page and the FAQ index, not pages of their own.
    assert!(!site.public().join("content").exists());
    assert_eq!(
        site.read("content/assets/timeline.svg").as_bytes(),
        std::fs::read(site.public().join("assets/timeline.svg")).unwrap()
    );
    assert!(site.out(".shirube-output").contains("shirube"));
}

#[test]
fn pages_have_their_title_and_badges() {
    let site = built_full();
    // (output, <h1>, badges in the header)
    let cases: [(&str, &str, &[&str]); 8] = [
        (
            "playbooks/onboarding/invite-admins/index.html",
            "Invite your admins",
            &[
                "Playbook",
                "Phase: Onboarding",
                "Tier: Low touch",
                "Estimated time: 10 min",
                "Before kickoff",
            ],
        ),
        (
            "playbooks/onboarding/connect-sso/index.html",
            "Connect SSO",
            &[
                "Playbook",
                "Phase: Onboarding",
                "Tier: Low touch",
                "Tier: High touch",
                "Estimated time: 1 h 30 min",
                "Before kickoff",
            ],
        ),
        (
            "playbooks/onboarding/import/index.html",
            "Import employees",
            &[
                "Playbook",
                "Phase: Onboarding",
                "Tier: All tiers",
                "Estimated time: 45 min",
                "Before kickoff",
            ],
        ),
        (
            "playbooks/onboarding/import/csv-columns/index.html",
            "Map CSV columns",
            &[
                "Playbook",
                "Phase: Onboarding",
                "Tier: High touch",
                "Estimated time: 15 min",
            ],
        ),
        (
            "playbooks/adoption/mobile-rollout/index.html",
            "モバイルアプリを展開する",
            &[
                "Playbook",
                "Phase: Adoption",
                "Tier: Low touch",
                "Estimated time: 20 min",
            ],
        ),
        (
            "playbooks/adoption/custom-reports/index.html",
            "Build custom reports",
            &[
                "Playbook",
                "Phase: Adoption",
                "Tier: High touch",
                "Estimated time: 30 min",
            ],
        ),
        (
            "faq/sso-required/index.html",
            "Is SSO required?",
            &["FAQ", "Phase: Onboarding", "Tier: All tiers"],
        ),
        (
            "faq/export-reports/index.html",
            "Can I export reports?",
            &["FAQ", "Phase: Adoption", "Tier: High touch"],
        ),
    ];
    for (path, heading, badges) in cases {
        let html = site.out(path);
        assert_eq!(title(&html), format!("{heading} · Fixture Guide"), "{path}");
        assert_eq!(h1(&html), heading, "{path}");
        assert_eq!(header_badges(&html), badges.to_vec(), "{path}");
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"en\" "),
            "{path}"
        );
    }
    // Plain pages have a title but no badges.
    for (path, heading) in [
        ("about/index.html", "About this guide"),
        ("usage-statistics/index.html", "Usage statistics"),
        ("snake-case/index.html", "Naming rules"),
    ] {
        let html = site.out(path);
        assert_eq!(title(&html), format!("{heading} · Fixture Guide"));
        assert_eq!(h1(&html), heading);
        assert!(
            !between(&html, "<header class=\"page-header\">", "</header>").contains("badges"),
            "{path}"
        );
    }
    // Badges link to the phase and tier pages.
    let html = site.out("playbooks/onboarding/connect-sso/index.html");
    let header = between(&html, "<header class=\"page-header\">", "</header>");
    assert_eq!(
        attr_values(header, "href"),
        ["/phases/onboarding/", "/tiers/low/", "/tiers/high/"]
    );
    // Breadcrumb: home, then the phase (playbooks) or the FAQ index (FAQs).
    let crumbs = |path: &str| {
        attr_values(
            between(&site.out(path), "<nav class=\"breadcrumb\"", "</nav>"),
            "href",
        )
    };
    assert_eq!(
        crumbs("playbooks/onboarding/import/csv-columns/index.html"),
        ["/", "/phases/onboarding/"]
    );
    assert_eq!(crumbs("faq/sso-required/index.html"), ["/", "/faq/"]);
}

#[test]
fn toc_ids_match_the_headings() {
    let site = built_full();
    let expected: [(&str, &[&str]); 5] = [
        (
            "playbooks/onboarding/invite-admins/index.html",
            &["setup", "check-it-worked"],
        ),
        (
            "playbooks/onboarding/connect-sso/index.html",
            &["configure-the-provider", "test-the-sign-in"],
        ),
        (
            "playbooks/onboarding/import/index.html",
            &["prepare-the-file", "upload"],
        ),
        (
            "playbooks/onboarding/import/csv-columns/index.html",
            &["required-columns", "optional-columns"],
        ),
        // Japanese ids stay readable, and a repeated heading gets a unique id, numbered as GitHub numbers it
        // (from -1; its old id, 初期設定-2, is kept as an empty anchor: see below).
        (
            "playbooks/adoption/mobile-rollout/index.html",
            &["初期設定", "従業員への案内", "初期設定-1"],
        ),
    ];
    for (path, want) in expected {
        let html = site.out(path);
        assert_eq!(toc_ids(&html), want.to_vec(), "TOC of {path}");
        assert_eq!(body_heading_ids(&html), want.to_vec(), "headings of {path}");
    }
    // Every page with a TOC: the TOC links exactly the headings of the body, in order.
    let mut with_toc = 0;
    for path in html_files(&site.public()) {
        let html = site.out(&path);
        if html.contains("<nav class=\"toc\"") {
            with_toc += 1;
            assert_eq!(toc_ids(&html), body_heading_ids(&html), "{path}");
        }
    }
    assert!(with_toc >= 6, "only {with_toc} pages have a TOC");
    let html = site.out("playbooks/adoption/mobile-rollout/index.html");
    // The repeat has GitHub's id, and keeps its old one in an empty anchor for a release.
    assert!(
        html.contains("<h2 id=\"初期設定-1\"><a id=\"初期設定-2\"></a>初期設定</h2>"),
        "{html}"
    );
    assert!(
        html.contains("<li class=\"toc-l2\"><a href=\"#従業員への案内\">従業員への案内</a></li>"),
        "{html}"
    );
}

#[test]
fn markdown_links_become_pretty_urls() {
    let site = built_full();
    let sso = site.out("playbooks/onboarding/connect-sso/index.html");
    let prose = between(&sso, "<div class=\"prose\">", "\n    </div>");
    // `invite-admins.md#setup` → the page's URL with the custom heading id, which exists on that page.
    assert_eq!(
        attr_values(prose, "href"),
        [
            "/playbooks/onboarding/invite-admins/#setup",
            "/playbooks/onboarding/import/",
            "/faq/sso-required/"
        ]
    );
    assert!(ids(&site.out("playbooks/onboarding/invite-admins/index.html")).contains("setup"));
    assert!(
        site.out("playbooks/onboarding/invite-admins/index.html")
            .contains("<h2 id=\"setup\">Setup</h2>")
    );
    // `index.md` of the folder, from a file inside it.
    let cols = site.out("playbooks/onboarding/import/csv-columns/index.html");
    assert!(
        cols.contains("Back to <a href=\"/playbooks/onboarding/import/\">Import employees</a>."),
        "{cols}"
    );
    // Links between pages under content/, to names that are slugified, and an image copied next to the page.
    let about = site.out("about/index.html");
    assert!(
        about.contains("<img src=\"/assets/timeline.svg\" alt=\"Kickoff timeline\" />"),
        "{about}"
    );
    assert!(
        about.contains("<a href=\"/usage-statistics/\">usage statistics</a>"),
        "{about}"
    );
    assert!(
        about.contains("<a href=\"/snake-case/\">naming rules</a>"),
        "{about}"
    );
    // The home intro comes from content/index.md, with its link rewritten.
    let home = site.out("index.html");
    assert!(home.contains(
        "Start <a href=\"/playbooks/onboarding/invite-admins/\">before your kickoff</a>."
    ));
    // "Complete these first" lists `requires`.
    let requires = between(&sso, "<div class=\"requires\">", "</div>");
    assert!(
        requires
            .contains("<a href=\"/playbooks/onboarding/invite-admins/\">Invite your admins</a>")
    );
    // No `.md` link survives anywhere, and every link resolves.
    for path in html_files(&site.public()) {
        for href in attr_values(&site.out(&path), "href") {
            assert!(!href.contains(".md"), "{path}: {href}");
        }
    }
    let (problems, _) = check_links(&site.public(), "https://docs.example.com/");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn messy_content_renders_as_written() {
    let site = built_full();
    let admins = site.out("playbooks/onboarding/invite-admins/index.html");
    // A `---` right after the front matter is a thematic break, not more front matter.
    assert!(
        admins.contains("<div class=\"prose\">\n<hr />\n<p>Admins do the rest of the setup, so invite them first.</p>"),
        "{admins}"
    );
    // Page bodies never go through the template engine.
    assert!(
        admins.contains(
            "<pre tabindex=\"0\"><code class=\"language-text\">Hello {{ admin_name }}, you are invited to {{ company }}.\n</code></pre>"
        ),
        "{admins}"
    );
    // Raw HTML passes through.
    let sso = site.out("playbooks/onboarding/connect-sso/index.html");
    assert!(
        sso.contains("<details>\n<summary>Which providers work?</summary>\n<p>Okta and Entra ID.</p>\n</details>"),
        "{sso}"
    );
    // `usage-statistics.html.md` and `snake_case.md` get clean URLs.
    assert_eq!(
        h1(&site.out("usage-statistics/index.html")),
        "Usage statistics"
    );
    assert_eq!(h1(&site.out("snake-case/index.html")), "Naming rules");
    assert!(!site.public().join("usage-statistics.html").exists());
    assert!(!site.public().join("snake_case").exists());
}

#[test]
fn markdown_extension_pages_are_pages_like_md_ones() {
    // Jekyll names files `.markdown`: `index.markdown` is the home intro and `about.markdown` is /about/.
    let site = TestSite::fixture("full");
    for (from, to) in [
        ("content/index.md", "content/index.markdown"),
        ("content/faq/index.md", "content/faq/index.markdown"),
        ("content/about.md", "content/about.markdown"),
    ] {
        std::fs::rename(site.path(from), site.path(to)).unwrap();
    }
    // Linked by name, without the extension, as .md pages can be.
    site.write(
        "content/links-to.md",
        "---\ntitle: Links\n---\n[about](about) and [questions](faq/)\n",
    );
    site.build(&[]).expect_ok();
    assert!(
        site.out("links-to/index.html")
            .contains("<a href=\"/about/\">about</a> and <a href=\"/faq/\">questions</a>"),
        "{}",
        site.out("links-to/index.html")
    );
    assert!(
        site.out("index.html")
            .contains("Welcome to the fixture guide."),
        "the home page has its intro"
    );
    let faq = site.out("faq/index.html");
    assert!(faq.contains("Answers to the questions customers ask most."));
    assert_eq!(h1(&faq), "Questions and answers");
    assert!(site.public().join("about/index.html").is_file());
    assert!(!site.public().join("about-markdown").exists());
    assert!(!site.public().join("index-markdown").exists());
}

#[test]
fn drafts_are_left_out() {
    let site = built_full();
    for path in file_list(&site.public()) {
        let bytes = std::fs::read(site.public().join(&path)).unwrap();
        let content = String::from_utf8_lossy(&bytes);
        assert!(!path.contains("secret-plan"), "{path}");
        assert!(
            !content.contains("secret-plan") && !content.contains("Secret draft plan"),
            "draft in {path}"
        );
    }
    let sitemap = site.out("sitemap.xml");
    assert!(!sitemap.contains("secret"));

    // A preview build includes it with a banner, and keeps robots out.
    let site = TestSite::fixture("full");
    site.build(&["--preview"]).expect_ok();
    let draft = site.out("playbooks/adoption/secret-plan/index.html");
    assert_eq!(h1(&draft), "Secret draft plan");
    assert!(
        draft.contains("<aside class=\"banner banner-draft\">"),
        "{draft}"
    );
    assert!(draft.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(site.out("robots.txt").contains("Disallow: /"));
}

#[test]
fn sitemap_robots_and_404() {
    let site = built_full();
    let mut locs = sitemap_locs(&site.out("sitemap.xml"));
    locs.sort();
    let mut want: Vec<String> = [
        "",
        "about/",
        "faq/",
        "faq/export-reports/",
        "faq/sso-required/",
        "kickoff/",
        "phases/adoption/",
        "phases/onboarding/",
        "playbooks/adoption/custom-reports/",
        "playbooks/adoption/mobile-rollout/",
        "playbooks/onboarding/connect-sso/",
        "playbooks/onboarding/import/",
        "playbooks/onboarding/import/csv-columns/",
        "playbooks/onboarding/invite-admins/",
        "snake-case/",
        "tiers/high/",
        "tiers/low/",
        "tiers/mid/",
        "usage-statistics/",
    ]
    .iter()
    .map(|u| format!("https://docs.example.com/{u}"))
    .collect();
    want.sort();
    assert_eq!(locs, want);
    assert!(
        site.out("sitemap.xml")
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset")
    );
    assert_eq!(
        site.out("robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://docs.example.com/sitemap.xml\n"
    );
    let not_found = site.out("404.html");
    assert_eq!(h1(&not_found), "Page not found");
    assert!(not_found.contains("<a class=\"button\" href=\"/\">Back to the home page</a>"));
    // Served for any missing URL, so it names no canonical page; every other page does.
    assert!(!not_found.contains("rel=\"canonical\""), "{not_found}");
    assert!(
        site.out("index.html")
            .contains("<link rel=\"canonical\" href=\"https://docs.example.com/\">")
    );
}

#[test]
fn home_map_lists_playbooks_under_their_phase() {
    let site = built_full();
    let home = site.out("index.html");
    assert_eq!(title(&home), "Fixture Guide");
    assert_eq!(h1(&home), "Fixture Guide");
    let onboarding = between(
        &home,
        "<li class=\"map-phase phase-onboarding\">",
        "</li>\n    <li class=\"map-phase",
    );
    let adoption = between(&home, "<li class=\"map-phase phase-adoption\">", "</ol>");
    // Phase columns in lifecycle order, playbooks by weight, FAQs not on the map.
    assert!(home.find("phase-onboarding").unwrap() < home.find("phase-adoption").unwrap());
    assert_eq!(
        card_titles(onboarding),
        [
            "Import employees",
            "Connect SSO",
            "Invite your admins",
            "Map CSV columns"
        ]
    );
    assert_eq!(
        card_titles(adoption),
        ["モバイルアプリを展開する", "Build custom reports"]
    );
    assert!(onboarding.contains("<span class=\"label\">Months</span> 0-3"));
    assert!(onboarding.contains("Every admin can sign in with SSO."));
    // Time and tier badges on the cards.
    let sso_card = between(onboarding, "Connect SSO</a>", "</article>");
    assert_eq!(
        sso_card.split("<li>").skip(1).map(text).collect::<Vec<_>>(),
        [
            "Tier: Low touch",
            "Tier: High touch",
            "Estimated time: 1 h 30 min",
            "Before kickoff"
        ]
    );
    // The kickoff call to action sums the kickoff path.
    let cta = between(&home, "<section class=\"cta\"", "</section>");
    assert!(
        cta.contains("<dt>Steps</dt><dd data-stat=\"count\">3</dd>"),
        "{cta}"
    );
    assert!(
        cta.contains("<dt>Total time</dt><dd data-stat=\"time\">2 h 25 min</dd>"),
        "{cta}"
    );
    assert!(cta.contains("href=\"/kickoff/\""));
    // Tiers with who they are for.
    assert!(home.contains(
        "<a class=\"tier-link tier-mid\" href=\"/tiers/mid/\"><span class=\"tier-name\">Mid touch</span> <span class=\"tier-who\">301-2,000 seats</span></a>"
    ));
}

#[test]
fn phase_pages_list_playbooks_and_faqs() {
    let site = built_full();
    let onboarding = site.out("phases/onboarding/index.html");
    assert_eq!(title(&onboarding), "Onboarding · Fixture Guide");
    assert_eq!(h1(&onboarding), "Onboarding");
    assert!(
        onboarding.contains("<p class=\"done-when-text\">Every admin can sign in with SSO.</p>")
    );
    assert!(onboarding.contains(
        "<p class=\"months months-big\"><span class=\"label\">Months</span> <span class=\"months-value\">0-3</span></p>"
    ));
    let playbooks = between(&onboarding, "<h2 id=\"playbooks-title\">", "</section>");
    assert_eq!(
        card_titles(playbooks),
        [
            "Import employees",
            "Connect SSO",
            "Invite your admins",
            "Map CSV columns"
        ]
    );
    let faqs = between(&onboarding, "<h2 id=\"faqs-title\">", "</section>");
    assert_eq!(card_titles(faqs), ["Is SSO required?"]);

    let adoption = site.out("phases/adoption/index.html");
    assert_eq!(h1(&adoption), "Adoption");
    assert!(!adoption.contains("done-when"), "adoption has no done_when");
    assert_eq!(
        card_titles(between(
            &adoption,
            "<h2 id=\"playbooks-title\">",
            "</section>"
        )),
        ["モバイルアプリを展開する", "Build custom reports"]
    );
    assert_eq!(
        card_titles(between(&adoption, "<h2 id=\"faqs-title\">", "</section>")),
        ["Can I export reports?"]
    );
}

#[test]
fn tier_pages_list_what_each_tier_needs() {
    let site = built_full();
    let group = |html: &str, phase: &str| -> Vec<String> {
        let start = format!("<section class=\"group phase-{phase}\"");
        if !html.contains(&start) {
            return Vec::new();
        }
        let mut titles = card_titles(between(html, &start, "</section>"));
        titles.sort();
        titles
    };
    let high = site.out("tiers/high/index.html");
    assert_eq!(title(&high), "High touch · Fixture Guide");
    assert_eq!(h1(&high), "High touch");
    assert!(high.contains("<p class=\"lead\">2,000+ seats</p>"));
    assert_eq!(
        group(&high, "onboarding"),
        [
            "Connect SSO",
            "Import employees",
            "Is SSO required?",
            "Map CSV columns"
        ]
    );
    assert_eq!(
        group(&high, "adoption"),
        ["Build custom reports", "Can I export reports?"]
    );

    let low = site.out("tiers/low/index.html");
    assert_eq!(
        group(&low, "onboarding"),
        [
            "Connect SSO",
            "Import employees",
            "Invite your admins",
            "Is SSO required?"
        ]
    );
    assert_eq!(group(&low, "adoption"), ["モバイルアプリを展開する"]);

    // Only pages for every tier are listed for mid; a phase with nothing for the tier is left out.
    let mid = site.out("tiers/mid/index.html");
    assert_eq!(
        group(&mid, "onboarding"),
        ["Import employees", "Is SSO required?"]
    );
    assert_eq!(group(&mid, "adoption"), Vec::<String>::new());
    assert!(mid.contains("href=\"/tiers/mid/\" aria-current=\"page\""));
}

#[test]
fn faq_index_groups_questions_by_phase() {
    let site = built_full();
    let faq = site.out("faq/index.html");
    let onboarding = between(
        &faq,
        "<section class=\"group phase-onboarding\"",
        "</section>",
    );
    let adoption = between(
        &faq,
        "<section class=\"group phase-adoption\"",
        "</section>",
    );
    // Questions are expandable entries, answered in place.
    let questions = |html: &str| -> Vec<String> {
        html.split("<summary>")
            .skip(1)
            .map(|s| s.split("</summary>").next().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(questions(onboarding), ["Is SSO required?"]);
    assert_eq!(questions(adoption), ["Can I export reports?"]);
    assert!(faq.find("phase-onboarding\"").unwrap() < faq.find("phase-adoption\"").unwrap());
    // The intro comes from content/faq/index.md.
    assert!(faq.contains(
        "<div class=\"prose intro\">\n<p>Answers to the questions customers ask most.</p>"
    ));
    // Its title, too: the <title> uses it, and the <h1> must say the same.
    assert_eq!(title(&faq), "Questions and answers · Fixture Guide");
    assert_eq!(
        h1(&faq),
        "Questions and answers",
        "the FAQ index <h1> ignores the title of content/faq/index.md"
    );
}

#[test]
fn kickoff_page_follows_requires() {
    let site = built_full();
    let kickoff = site.out("kickoff/index.html");
    assert_eq!(title(&kickoff), "Before your kickoff · Fixture Guide");
    assert_eq!(h1(&kickoff), "Before your kickoff");
    // By weight the order would be Import (5), Connect (20), Invite (30); `requires` says the reverse.
    let steps = between(&kickoff, "<ol class=\"cards steps kickoff-list\">", "</ol>");
    assert_eq!(
        card_titles(steps),
        ["Invite your admins", "Connect SSO", "Import employees"]
    );
    assert!(kickoff.contains("<dt>Steps</dt><dd data-stat=\"count\">3</dd>"));
    assert!(kickoff.contains("<dt>Total time</dt><dd data-stat=\"time\">2 h 25 min</dd>"));
}

#[test]
fn base_url_flag_puts_every_link_under_the_subpath() {
    let site = TestSite::fixture("full");
    site.build(&["--base-url", "https://x.example/guide/"])
        .expect_clean();
    assert_subpath(&site, "https://x.example/guide/");
}

#[test]
fn base_url_with_a_subpath_in_the_config() {
    let site = TestSite::fixture("full");
    site.edit(
        "shirube.yaml",
        "base_url: https://docs.example.com/",
        "base_url: https://x.example/docs/v2",
    );
    site.build(&[]).expect_clean();
    assert_subpath(&site, "https://x.example/docs/v2/");
}

#[track_caller]
fn assert_subpath(site: &TestSite, base_url: &str) {
    let (_, base_path) = crate::common::split_base_url(base_url);
    let mut count = 0;
    for path in html_files(&site.public()) {
        let html = site.out(&path);
        for attr in ["href", "src"] {
            for url in attr_values(&html, attr) {
                count += 1;
                if url.starts_with('#') {
                    continue;
                }
                assert!(
                    url.starts_with(&base_path) || url.starts_with(base_url),
                    "{path}: {attr}=\"{url}\" is not under {base_path}"
                );
            }
        }
    }
    assert!(count > 200);
    let sso = site.out("playbooks/onboarding/connect-sso/index.html");
    assert!(sso.contains(&format!(
        "<link rel=\"canonical\" href=\"{base_url}playbooks/onboarding/connect-sso/\">"
    )));
    assert!(sso.contains(&format!(
        "<a href=\"{base_path}playbooks/onboarding/invite-admins/#setup\">"
    )));
    assert!(
        site.out("about/index.html")
            .contains(&format!("<img src=\"{base_path}assets/timeline.svg\""))
    );
    assert!(
        site.out("index.html")
            .contains(&format!("<link rel=\"canonical\" href=\"{base_url}\">"))
    );
    for loc in sitemap_locs(&site.out("sitemap.xml")) {
        assert!(loc.starts_with(base_url), "{loc}");
    }
    assert!(
        site.out("robots.txt")
            .contains(&format!("Sitemap: {base_url}sitemap.xml"))
    );
    // The files themselves stay at the root of the output folder.
    assert!(
        site.public()
            .join("playbooks/onboarding/connect-sso/index.html")
            .is_file()
    );
    let (problems, _) = check_links(&site.public(), base_url);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn static_files_named_like_generated_ones_are_not_copied_and_say_so() {
    let site = TestSite::fixture("overrides");
    site.write("static/sitemap.xml", "<urlset>stale</urlset>\n");
    site.write("static/robots.txt", "User-agent: *\nDisallow: /\n");
    let run = site.build(&[]);
    run.expect_ok();
    for (name, why) in [
        (
            "robots.txt",
            "the generated robots.txt points search engines at the sitemap, and shuts them out of previews",
        ),
        (
            "sitemap.xml",
            "the generated sitemap lists exactly the published pages",
        ),
    ] {
        let want = format!(
            "static/{name}: warning[reserved-theme-file]: not copied: shirube writes its own {name}\n  help: remove this file: {why}\n"
        );
        assert!(
            run.stderr.contains(&want),
            "{want}\n--- stderr\n{}",
            run.stderr
        );
    }
    assert!(
        run.stderr.contains("0 errors, 2 warnings"),
        "{}",
        run.stderr
    );
    // The generated robots.txt is the one published; the fixture's base_url is a path, so there is no sitemap,
    // and the static one is not published in its place.
    assert!(!site.public().join("sitemap.xml").exists());
    assert_eq!(site.out("robots.txt"), "User-agent: *\nAllow: /\n");
}

#[test]
fn a_path_only_base_url_gets_no_sitemap_since_sitemaps_need_absolute_urls() {
    let site = built_full();
    assert!(site.out("sitemap.xml").contains("<loc>https://"));
    // The same output folder built for a path only: the sitemap goes, and robots.txt names none.
    site.build(&["--base-url", "/guide/"]).expect_ok();
    assert!(!site.public().join("sitemap.xml").exists());
    assert!(!site.public().join("feed.xml").exists());
    assert_eq!(site.out("robots.txt"), "User-agent: *\nAllow: /\n");
}

#[test]
fn site_templates_and_static_override_the_theme() {
    let site = TestSite::fixture("overrides");
    site.build(&[]).expect_clean();
    let page = site.out("playbooks/onboarding/first-steps/index.html");
    // The site's page.html is used...
    assert!(
        page.contains("<body class=\"site-override-page\">"),
        "{page}"
    );
    assert!(page.contains("<article class=\"override-article\" data-override=\"site-templates\">"));
    assert!(page.contains("<h2 id=\"sign-in\">Sign in</h2>"));
    assert!(
        !page.contains("<nav class=\"breadcrumb\""),
        "the built-in page.html was used"
    );
    // ...inside the built-in base.html.
    assert!(page.contains("<header class=\"site-header\">"));
    // Other templates still come from the built-in theme.
    let home = site.out("index.html");
    assert!(home.contains("<body class=\"layout-home\">"));
    assert!(home.contains("<section class=\"map-section\""));
    assert!(
        site.out("phases/onboarding/index.html")
            .contains("<body class=\"layout-phase phase-onboarding\">")
    );
    // The site's style.css replaces the theme's, and the stylesheet link busts the cache with its content.
    assert_eq!(site.out("style.css"), site.read("static/style.css"));
    let default_css = {
        let plain = TestSite::fixture("overrides");
        std::fs::remove_dir_all(plain.path("static")).unwrap();
        std::fs::remove_dir_all(plain.path("templates")).unwrap();
        plain.build(&[]).expect_clean();
        assert!(
            plain
                .out("playbooks/onboarding/first-steps/index.html")
                .contains("<nav class=\"breadcrumb\"")
        );
        (
            plain.out("style.css"),
            attr_values(&plain.out("index.html"), "href")[1].clone(),
        )
    };
    assert_ne!(default_css.0, site.out("style.css"));
    let link = attr_values(&home, "href")[1].clone();
    assert!(link.starts_with("/style.css?v="), "{link}");
    assert_ne!(
        link, default_css.1,
        "the stylesheet URL must change when the CSS changes"
    );
}

#[test]
fn theme_folder_of_the_site() {
    let site = TestSite::fixture("custom-theme");
    site.build(&[]).expect_clean();
    let home = site.out("index.html");
    assert!(
        home.contains("<body class=\"custom-theme-home\">"),
        "{home}"
    );
    assert!(home.contains("<h1 data-theme=\"custom\">Custom Theme Guide</h1>"));
    assert!(
        home.contains("<li><a href=\"/playbooks/onboarding/first-steps/\">First steps</a></li>")
    );
    // Templates the theme does not have come from the built-in theme.
    let page = site.out("playbooks/onboarding/first-steps/index.html");
    assert!(page.contains("<body class=\"layout-page kind-playbook\">"));
    assert_eq!(h1(&page), "First steps");
    assert_eq!(site.out("extra.js"), "// custom theme script\n");
    assert!(site.public().join("style.css").is_file());

    site.edit("shirube.yaml", "theme: custom", "theme: missing");
    let run = site.build(&[]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("theme \"missing\" not found"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("themes/missing/"), "{}", run.stderr);
    // The previous output is still the custom theme's.
    assert_eq!(site.out("index.html"), home);
}

#[test]
fn a_site_i18n_file_changes_only_its_own_strings() {
    let site = TestSite::fixture("ja");
    // Only one string, in the site's copy of the theme: every other string still comes from the built-in one.
    site.write("themes/default/i18n/ja.yaml", "home: トップ\n");
    site.write(
        "themes/default/i18n/en.yaml",
        "skip_to_content: Skip ahead\n",
    );
    site.build(&[]).expect_clean();
    let page = site.out("playbooks/onboarding/sso-settei/index.html");
    assert!(page.contains("<li><a href=\"/\">トップ</a></li>"), "{page}");
    assert!(page.contains("<p class=\"toc-title\" id=\"toc-title\">このページの内容</p>"));
    // The site's English file changes the fallback only: the Japanese string still wins.
    assert!(page.contains("<a class=\"skip-link\" href=\"#main\">本文へスキップ</a>"));
    // A broken file is an error naming it.
    site.write("themes/default/i18n/ja.yaml", "home: [\n");
    let run = site.build(&[]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("themes/default/i18n/ja.yaml:"),
        "{}",
        run.stderr
    );
}

#[test]
fn japanese_site() {
    let site = TestSite::fixture("ja");
    site.build(&[]).expect_clean();
    let page = site.out("playbooks/onboarding/sso-settei/index.html");
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"ja\" "));
    assert_eq!(title(&page), "SSOを設定する · クモHR 導入ガイド");
    assert_eq!(h1(&page), "SSOを設定する");
    // UI strings from themes/default/i18n/ja.yaml.
    assert!(page.contains("<a class=\"skip-link\" href=\"#main\">本文へスキップ</a>"));
    assert!(page.contains("<nav class=\"breadcrumb\" aria-label=\"現在位置\">"));
    assert!(page.contains("<li><a href=\"/\">ホーム</a></li>"));
    assert!(page.contains("<p class=\"toc-title\" id=\"toc-title\">このページの内容</p>"));
    assert!(page.contains("<a href=\"/kickoff/\">キックオフ前の準備</a>"));
    assert_eq!(
        header_badges(&page),
        [
            "手順ガイド",
            "フェーズ：導入",
            "区分：ロータッチ",
            "所要時間の目安：20分",
            "キックオフ前"
        ]
    );
    // Japanese heading ids, a custom id, and a lower-cased mixed heading.
    assert_eq!(toc_ids(&page), ["事前準備", "steps", "oktaの場合"]);
    assert_eq!(body_heading_ids(&page), ["事前準備", "steps", "oktaの場合"]);
    assert!(page.contains("<li class=\"toc-l2\"><a href=\"#事前準備\">事前準備</a></li>"));
    // Emphasis next to Japanese brackets is bold.
    assert!(
        page.contains("設定の前に<strong>「重要」</strong>を確認してください。"),
        "{page}"
    );
    assert!(!page.contains("**"));
    // A link to a Japanese heading on another page resolves.
    let (problems, _) = check_links(&site.public(), "https://guide.example.jp/");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(ids(&site.out("playbooks/onboarding/kanrisha/index.html")).contains("招待の手順"));

    let home = site.out("index.html");
    assert!(home.contains("<html lang=\"ja\" "));
    assert!(home.contains("<dt>項目数</dt><dd data-stat=\"count\">2</dd>"));
    assert!(
        home.contains("<dt>合計の所要時間</dt><dd data-stat=\"time\">1時間35分</dd>"),
        "{home}"
    );
    assert!(home.contains("<p class=\"empty\">まだ掲載している内容はありません。</p>"));
    assert!(home.contains("<span class=\"vh\">区分：</span>全区分共通"));
    let faq = site.out("faq/index.html");
    assert_eq!(h1(&faq), "よくある質問");
    assert!(
        faq.contains("<summary>SSOは必須ですか？</summary>"),
        "{faq}"
    );
    assert_eq!(h1(&site.out("404.html")), "ページが見つかりません");
}

#[test]
fn failed_build_leaves_the_previous_output_untouched() {
    let site = TestSite::fixture("full");
    site.build(&[]).expect_clean();
    let before = snapshot(&site.public());
    assert!(before.len() > 20);
    let around_before = entries(&site.root);

    site.edit(
        "playbooks/adoption/custom-reports.md",
        "tier: [high]",
        "tier: [high",
    );
    let run = site.build(&[]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("playbooks/adoption/custom-reports.md:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    let after = snapshot(&site.public());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &before {
        assert!(after[path] == *bytes, "{path} changed");
    }
    // No staging or backup folder is left next to the output.
    assert_eq!(entries(&site.root), around_before);

    // A good build after that replaces the output completely: a removed page disappears.
    std::fs::remove_file(site.path("playbooks/adoption/custom-reports.md")).unwrap();
    site.build(&[]).expect_clean();
    assert!(
        !site
            .public()
            .join("playbooks/adoption/custom-reports")
            .exists()
    );
    assert!(
        site.public()
            .join("playbooks/adoption/mobile-rollout/index.html")
            .is_file()
    );
    assert_eq!(entries(&site.root), around_before);
}

#[test]
fn refused_output_folders() {
    let site = TestSite::fixture("full");
    let home = site.tmp().join("home");
    std::fs::create_dir(&home).unwrap();
    let busy = site.tmp().join("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("sentinel.txt"), "keep me").unwrap();
    let before = snapshot(site.tmp());

    let root = site.root.to_str().unwrap().to_string();
    let content = site.path("content");
    let cases: [(&str, &str); 6] = [
        (".", "it is the site root"),
        (&root, "it is the site root"),
        (
            content.to_str().unwrap(),
            "it is inside the source folder content/",
        ),
        ("/", "it is the file system root"),
        (home.to_str().unwrap(), "it is your home folder"),
        (
            busy.to_str().unwrap(),
            "it is not empty and shirube did not create it",
        ),
    ];
    for (out, why) in cases {
        let run = run_in(&site.root, &["build", "--out", out], &[("HOME", &home)]);
        run.expect_code(2);
        assert!(
            run.stderr
                .contains("error: refusing to write the output to"),
            "--out {out}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(why), "--out {out}: {}", run.stderr);
        assert_eq!(snapshot(site.tmp()), before, "--out {out} changed files");
    }
    // A folder inside a source folder is refused as well.
    let run = site.build(&["--out", "playbooks/public"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("inside the source folder playbooks/"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(site.tmp()), before);
    assert_eq!(
        std::fs::read_to_string(busy.join("sentinel.txt")).unwrap(),
        "keep me"
    );
    assert!(entries(&home).is_empty());

    // An empty folder, and the folder of a previous build, are fine.
    let empty = site.tmp().join("empty");
    std::fs::create_dir(&empty).unwrap();
    site.build(&["--out", empty.to_str().unwrap()])
        .expect_clean();
    assert!(empty.join(".shirube-output").is_file());
    site.build(&["--out", empty.to_str().unwrap()])
        .expect_clean();
    assert!(empty.join("index.html").is_file());
}

#[test]
fn raw_html_images_are_copied_and_rewritten_like_markdown_images() {
    let site = TestSite::empty();
    site.write(
        "shirube.yaml",
        "title: Guide\nbase_url: https://example.com/guide/\nproof:\n  gate: []\n",
    );
    site.write(
        "playbooks/onboarding/sso.md",
        "---\ntitle: SSO\nphase: onboarding\n---\n\
         <figure><img alt=\"IdP\" src=\"img/idp.png\"><figcaption>The IdP</figcaption></figure>\n\n\
         Inline <IMG SRC='img/idp.png' alt=\"small\">, <img src=\"https://cdn.example.com/x.png\">, \
         <img src=\"data:image/png;base64,AAAA\">.\n\n\
         <video controls src=\"clip.mp4\"></video>\n",
    );
    // Referenced from raw HTML only: still copied.
    site.write("playbooks/onboarding/img/idp.png", "png");
    site.write("playbooks/onboarding/clip.mp4", "mp4");
    site.build(&[]).expect_clean();
    let html = site.out("playbooks/onboarding/sso/index.html");
    assert!(
        html.contains(r#"<img alt="IdP" src="/guide/playbooks/onboarding/img/idp.png">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<IMG SRC='/guide/playbooks/onboarding/img/idp.png' alt="small">"#),
        "{html}"
    );
    assert!(html.contains(r#"<img src="https://cdn.example.com/x.png">"#));
    assert!(html.contains(r#"<img src="data:image/png;base64,AAAA">"#));
    assert!(html.contains(r#"<video controls src="/guide/playbooks/onboarding/clip.mp4">"#));
    assert_eq!(site.out("playbooks/onboarding/img/idp.png"), "png");
    assert_eq!(site.out("playbooks/onboarding/clip.mp4"), "mp4");
}
