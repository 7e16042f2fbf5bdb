//! The reader features as HTML, without a browser: feedback and survey links, FAQPage JSON-LD of published FAQs
//! only, step ids, proof dates per language, complete Japanese UI strings, no external requests in the theme.
//! `tests/testsuite/browser_reader.rs` checks the same features in Chromium.

use crate::common::{BIN, TestSite, between, html_files, repo_root};
use shirube::render::step_hash;
use std::collections::BTreeMap;
use std::process::Command;

fn ui_strings(lang: &str) -> BTreeMap<String, String> {
    let path = repo_root().join(format!("themes/default/i18n/{lang}.yaml"));
    let text = std::fs::read_to_string(&path).expect("i18n file");
    // `key: "value"` lines, as the theme's files are written.
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (k, v) = l.split_once(": ")?;
            Some((k.to_string(), v.trim().trim_matches('"').to_string()))
        })
        .collect()
}

#[test]
fn english_and_japanese_ui_strings_have_the_same_keys() {
    let en = ui_strings("en");
    let ja = ui_strings("ja");
    assert!(en.len() > 60, "{} keys", en.len());
    let only_en: Vec<&String> = en.keys().filter(|k| !ja.contains_key(*k)).collect();
    let only_ja: Vec<&String> = ja.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(
        only_en.is_empty() && only_ja.is_empty(),
        "only in en: {only_en:?}, only in ja: {only_ja:?}"
    );
    // Every placeholder of a string is kept in its translation, and nothing is left in English.
    for (k, v) in &en {
        assert!(!v.contains(' ') || ja[k] != *v, "{k} is not translated");
        for ph in [
            "{done}", "{total}", "{shown}", "{tier}", "{count}", "{n}", "{q}",
        ] {
            assert_eq!(v.contains(ph), ja[k].contains(ph), "{k}: {ph}");
        }
    }
}

#[test]
fn a_japanese_site_has_no_english_ui_string() {
    let site = TestSite::empty();
    let dir = site.root.join("guide");
    let run = crate::common::run_in(
        &site.root,
        &["init", dir.to_str().expect("UTF-8"), "--lang", "ja"],
        &[],
    );
    run.expect_ok();
    crate::common::run_in(&dir, &["build"], &[]).expect_ok();
    let en = ui_strings("en");
    let mut found = Vec::new();
    let public = dir.join("public");
    for page in html_files(&public) {
        let html = std::fs::read_to_string(public.join(&page)).expect("page");
        for (key, text) in &en {
            // Multi-word strings only: a lone "FAQ" or "SSO" may be content.
            if !text.contains(' ') {
                continue;
            }
            let shown = text.split('{').next().unwrap_or(text).trim();
            if shown.len() > 6 && html.contains(&shown.replace('"', "&quot;")) {
                found.push(format!("{page}: {key} = {shown:?}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "English UI strings in a ja site:\n{}",
        found.join("\n")
    );
}

#[test]
fn feedback_and_survey_links_follow_the_config() {
    let site = TestSite::fixture("full");
    site.build(&[]).expect_clean();
    for page in html_files(&site.public()) {
        let html = site.out(&page);
        assert!(
            !html.contains("class=\"feedback"),
            "{page} asks for feedback without feedback_url"
        );
    }

    site.edit(
        "shirube.yaml",
        "proof:",
        "feedback_url: https://forms.example.com/guide?src=docs\nsurvey_url: https://forms.example.com/ces?page={url}\nproof:",
    );
    site.build(&[]).expect_clean();
    let sso = site.out("playbooks/onboarding/connect-sso/index.html");
    let feedback = between(&sso, "<aside class=\"feedback\"", "</aside>");
    assert!(
        feedback.contains("href=\"https://forms.example.com/guide?src=docs&amp;page=https%3A%2F%2Fdocs.example.com%2Fplaybooks%2Fonboarding%2Fconnect-sso%2F&amp;helpful=yes\""),
        "{feedback}"
    );
    assert!(feedback.contains("helpful=no\""), "{feedback}");
    // Onboarding is the first phase: no effort survey on its pages yet.
    assert!(!feedback.contains("forms.example.com/ces"), "{feedback}");
    let reports = site.out("playbooks/adoption/custom-reports/index.html");
    assert!(
        reports.contains("href=\"https://forms.example.com/ces?page=https%3A%2F%2Fdocs.example.com%2Fplaybooks%2Fadoption%2Fcustom-reports%2F\""),
        "the survey shows after the first phase"
    );
    // The first phase's page asks for the effort score once onboarding is done.
    let onboarding = site.out("phases/onboarding/index.html");
    assert!(onboarding.contains(
        "forms.example.com/ces?page=https%3A%2F%2Fdocs.example.com%2Fphases%2Fonboarding%2F"
    ));
    assert!(
        !site
            .out("phases/adoption/index.html")
            .contains("forms.example.com/ces")
    );
    // FAQs ask too; plain pages do not.
    assert!(
        site.out("faq/sso-required/index.html")
            .contains("helpful=yes")
    );
    assert!(!site.out("about/index.html").contains("class=\"feedback"));
}

/// The JSON-LD of a page, parsed.
fn jsonld(html: &str) -> Option<serde_json::Value> {
    let start = "<script type=\"application/ld+json\">";
    html.contains(start)
        .then(|| serde_json::from_str(between(html, start, "</script>")).expect("valid JSON-LD"))
}

#[test]
fn faq_jsonld_lists_published_faqs_only() {
    // The sample site, in preview: unproven FAQs are in the HTML with a banner, never in the JSON-LD.
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let status = Command::new(BIN)
        .args(["build", "--preview", "--out", out.to_str().expect("UTF-8")])
        .current_dir(repo_root())
        .env("SHIRUBE_TODAY", "2026-11-25")
        .output()
        .expect("run shirube");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("manifest.json")).expect("manifest"),
    )
    .expect("JSON");
    let faqs: Vec<(&str, &str)> = manifest["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .filter(|p| p["kind"] == "faq")
        .map(|p| {
            (
                p["title"].as_str().unwrap_or(""),
                p["state"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let published: Vec<&str> = faqs
        .iter()
        .filter(|(_, s)| *s == "published" || *s == "stale")
        .map(|(t, _)| *t)
        .collect();
    let held: Vec<&str> = faqs
        .iter()
        .filter(|(_, s)| *s != "published" && *s != "stale")
        .map(|(t, _)| *t)
        .collect();
    assert!(!published.is_empty() && !held.is_empty(), "{faqs:?}");

    let index = std::fs::read_to_string(out.join("faq/index.html")).expect("FAQ index");
    let ld = jsonld(&index).expect("FAQPage on the FAQ index");
    assert_eq!(ld["@type"], "FAQPage");
    let mut names: Vec<&str> = ld["mainEntity"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| q["name"].as_str().unwrap_or(""))
        .collect();
    names.sort_unstable();
    let mut want = published.clone();
    want.sort_unstable();
    assert_eq!(names, want);
    for title in &held {
        assert!(
            index.contains(&format!("<summary>{title}</summary>")),
            "{title} is in the preview"
        );
    }
    // Each answer is the FAQ's text on one line, words separated by single spaces.
    for q in ld["mainEntity"].as_array().expect("questions") {
        let text = q["acceptedAnswer"]["text"].as_str().unwrap_or("");
        assert!(text.split(' ').count() > 5, "{text:?}");
        assert_eq!(
            text,
            text.split_whitespace().collect::<Vec<_>>().join(" "),
            "{q}"
        );
    }
    // The JSON cannot close its <script> early.
    assert!(!between(&index, "application/ld+json\">", "</script>").contains('<'));

    // A published FAQ page carries its own FAQPage; an unpublished one (in preview) does not.
    for p in manifest["pages"].as_array().expect("pages") {
        if p["kind"] != "faq" {
            continue;
        }
        let url = p["url"].as_str().unwrap_or("/").trim_start_matches('/');
        let html = std::fs::read_to_string(out.join(url).join("index.html")).expect("FAQ page");
        let shown = matches!(p["state"].as_str(), Some("published" | "stale"));
        assert_eq!(jsonld(&html).is_some(), shown, "{url}");
    }
}

/// The shared step-hash vectors (`tests/reader/step_hash.json`) against `step_hash` of render.rs, which writes
/// `data-steps`. The same file is checked against `stepHash` of guide.js, which reads them, by
/// [`step_hash_vectors_in_node`]: the two sides must hash step ids alike, or ticks never count.
#[test]
fn step_hash_vectors() {
    let vectors = step_hash_vectors_file();
    assert!(vectors.len() >= 10, "keep the vectors broad");
    let failures: Vec<String> = vectors
        .iter()
        .filter_map(|v| {
            let (input, want) = (v["input"].as_str()?, v["hash"].as_str()?);
            let got = step_hash(input);
            (got != want).then(|| format!("{}: {input:?}: want {want}, got {got}", v["note"]))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `tests/reader/step_hash.test.mjs` under Node: the same vectors against guide.js. Skips with a message when
/// Node is missing, unless `SHIRUBE_REQUIRE_BROWSER=1`.
#[test]
fn step_hash_vectors_in_node() {
    let Ok(out) = Command::new("node")
        .args(["--test", "tests/reader/step_hash.test.mjs"])
        .current_dir(repo_root())
        .output()
    else {
        let required = std::env::var("SHIRUBE_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(!required, "SHIRUBE_REQUIRE_BROWSER=1 but node is missing");
        println!("SKIP step_hash_vectors_in_node: node is missing");
        return;
    };
    assert!(
        out.status.success(),
        "node --test failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn step_hash_vectors_file() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(repo_root().join("tests/reader/step_hash.json"))
        .expect("tests/reader/step_hash.json");
    serde_json::from_str(&text).expect("valid JSON")
}

#[test]
fn playbook_steps_carry_ids_from_their_text() {
    let site = TestSite::fixture("full");
    site.write(
        "playbooks/onboarding/checklist.md",
        "---\ntitle: Checklist\nphase: onboarding\n---\n## Okta\n\n1. Open **Settings**.\n2. Copy the URL.\n\n## Entra\n\n1. Open **Settings**.\n\n- [ ] Tell your team\n- a note, not a step\n",
    );
    site.build(&[]).expect_clean();
    let html = site.out("playbooks/onboarding/checklist/index.html");
    let listed = between(&html, "data-steps=\"", "\"");
    let marked: Vec<&str> = html
        .split("<li class=\"step")
        .skip(1)
        .map(|s| between(s, "data-step=\"", "\""))
        .collect();
    assert_eq!(
        marked,
        [
            "open-settings",
            "copy-the-url",
            "open-settings--entra",
            "tell-your-team"
        ]
    );
    // `data-steps` lists a short hash of each id (cards of long lists carry it), in order.
    let hashes: Vec<String> = marked.iter().map(|id| step_hash(id)).collect();
    assert_eq!(listed.split(' ').collect::<Vec<_>>(), hashes);
    assert!(html.contains("<li>a note, not a step</li>"));
    assert!(!html.contains("class=\"step mark-done"));
    // A playbook without a list gets one "I have done this" box, and cards know its single step.
    let sso = site.out("playbooks/onboarding/connect-sso/index.html");
    assert!(sso.contains(&format!("data-steps=\"{}\"", step_hash("done"))));
    assert!(sso.contains("<p class=\"step mark-done js-only\" data-step=\"done\">"));
    let phase = site.out("phases/onboarding/index.html");
    assert!(phase.contains(&format!(
        "data-key=\"/playbooks/onboarding/checklist/\" data-steps=\"{}\"",
        hashes.join(" ")
    )));
    // The kickoff checklist ticks whole playbooks: each item carries the ids themselves.
    site.edit(
        "playbooks/onboarding/checklist.md",
        "phase: onboarding\n",
        "phase: onboarding\nbefore_kickoff: true\n",
    );
    site.build(&[]).expect_clean();
    let kickoff = site.out("kickoff/index.html");
    assert!(kickoff.contains(&format!(
        "<li class=\"kick-item\" data-step-ids=\"{}\">",
        marked.join(" ")
    )));
    assert!(kickoff.contains("<li class=\"kick-item\" data-step-ids=\"done\">"));
    // FAQs and plain pages have no steps.
    assert!(
        !site
            .out("faq/sso-required/index.html")
            .contains("data-step")
    );
    assert!(!site.out("about/index.html").contains("data-step"));
}

#[test]
fn proof_dates_are_written_per_language() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let run = Command::new(BIN)
        .args(["build", "--out", out.to_str().expect("UTF-8")])
        .current_dir(repo_root())
        .env("SHIRUBE_TODAY", "2026-11-25")
        .output()
        .expect("run shirube");
    assert!(run.status.success());
    let html = std::fs::read_to_string(out.join("playbooks/onboarding/connect-sso/index.html"))
        .expect("page");
    let proof = between(&html, "<p class=\"proof\">", "</p>");
    assert_eq!(
        proof,
        "Used successfully by 2 customers, most recently on <time datetime=\"2026-03-12\">12 March 2026</time>."
    );

    let site = TestSite::empty();
    let dir = site.root.join("ja");
    crate::common::run_in(
        &site.root,
        &["init", dir.to_str().expect("UTF-8"), "--lang", "ja"],
        &[],
    )
    .expect_ok();
    crate::common::run_in(&dir, &["build"], &[]).expect_ok();
    let public = dir.join("public");
    let with_proof: Vec<String> = html_files(&public)
        .into_iter()
        .map(|p| std::fs::read_to_string(public.join(p)).expect("page"))
        .filter(|h| h.contains("<p class=\"proof\">"))
        .collect();
    assert!(!with_proof.is_empty());
    for html in with_proof {
        let proof = between(&html, "<p class=\"proof\">", "</p>");
        let date = between(proof, "\">", "</time>");
        let (y, rest) = date.split_once('年').expect("年");
        let (m, rest) = rest.split_once('月').expect("月");
        let d = rest.strip_suffix('日').expect("日");
        let iso = between(proof, "datetime=\"", "\"");
        assert_eq!(iso, format!("{y}-{m:0>2}-{d:0>2}"), "{proof}");
        assert!(proof.contains("社のお客さま"), "{proof}");
    }
}

#[test]
fn the_theme_makes_no_external_request() {
    for file in ["style.css", "guide.js"] {
        let text = std::fs::read_to_string(repo_root().join("themes/default/static").join(file))
            .expect("theme file");
        for bad in ["http://", "https://", "@import", "//fonts", "url("] {
            assert!(!text.contains(bad), "{file} contains {bad}");
        }
    }
    let site = TestSite::fixture("full");
    site.build(&[]).expect_clean();
    for page in html_files(&site.public()) {
        let html = site.out(&page);
        for attr in ["src=\"", "<link rel=\"stylesheet\" href=\""] {
            for part in html.split(attr).skip(1) {
                assert!(
                    part.starts_with('/'),
                    "{page}: {attr}{}",
                    &part[..40.min(part.len())]
                );
            }
        }
    }
}

/// The first "All N in Phase" link of `html`: its URL, its label, and its labels per tier.
fn more_link(html: &str) -> (String, String, serde_json::Value) {
    let p = between(html, "<p class=\"more\" data-by-tier-label=\"", "</p>");
    let (json, link) = p.split_once("\"><a href=\"").expect("a link");
    let (url, label) = link.split_once("\">").expect("a label");
    let json = json.replace("&quot;", "\"");
    let by_tier = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    (
        url.to_string(),
        label.trim_end_matches("</a>").to_string(),
        by_tier,
    )
}

#[test]
fn long_lists_are_cut_per_tier_and_link_to_the_phase_page() {
    // 40 playbooks for the low tier; 35 FAQs for the high tier, then 5 for the low tier, last by weight.
    let site = TestSite::empty();
    site.write("shirube.yaml", "title: Big guide\nproof:\n  gate: []\n");
    for n in 1..=40 {
        let body = if n == 40 {
            "1. Open it.\n2. Save it.\n"
        } else {
            "Do it.\n"
        };
        site.write(
            &format!("playbooks/onboarding/step-{n:02}.md"),
            &format!("---\ntitle: Low step {n:02}\nphase: onboarding\ntier: low\nweight: {n}\n---\n\n{body}"),
        );
    }
    for n in 1..=40 {
        let tier = if n <= 35 { "high" } else { "low" };
        site.write(
            &format!("content/faq/q-{n:02}.md"),
            &format!("---\ntitle: Question {n:02} for {tier}\nkind: faq\nphase: onboarding\ntier: {tier}\nweight: {n}\n---\n\nAnswer {n:02}.\n"),
        );
    }
    site.build(&[]).expect_ok();

    // A tier page: the first 24 of the phase, then a link to the phase page filtered for that tier.
    let low = site.out("tiers/low/index.html");
    let titles = crate::common::card_titles(&low);
    let want: Vec<String> = (1..=24).map(|n| format!("Low step {n:02}")).collect();
    assert_eq!(&titles[..24], &want[..], "{titles:?}");
    assert!(!titles.iter().any(|t| t == "Low step 25"), "{titles:?}");
    assert!(
        low.contains(r#"<p class="more"><a href="/phases/onboarding/?tier=low">All 45 in Onboarding →</a></p>"#),
        "{}",
        between(&low, "<main", "</main>")
    );

    // The FAQ index: each tier's first 30 questions (so the low tier's 5 stay, though they come last), then
    // a link to the phase page's list of every question. The JSON-LD names only what the page shows.
    let faq = site.out("faq/index.html");
    let shown: Vec<String> = (1..=40)
        .filter(|n| faq.contains(&format!("<summary>Question {n:02} ")))
        .map(|n| format!("{n:02}"))
        .collect();
    let want: Vec<String> = (1..=30).chain(36..=40).map(|n| format!("{n:02}")).collect();
    assert_eq!(shown, want);
    // Filtered to one tier, the link counts that tier's questions, or goes away when all of them are shown.
    assert_eq!(
        more_link(&faq),
        (
            "/phases/onboarding/#faqs-title".to_string(),
            "All 40 in Onboarding →".to_string(),
            serde_json::json!({"tech": null, "low": null, "mid": null, "high": "All 35 in Onboarding →"})
        )
    );
    let ld = jsonld(&faq).expect("FAQPage");
    assert_eq!(ld["mainEntity"].as_array().map(Vec::len), Some(35));

    // The home map: the first 12 playbooks, a link to the phase page, and the other 28 as data for the
    // progress ring: URL, tiers, and a hash per step ("I have done this" counts as one step).
    let home = site.out("index.html");
    let titles = crate::common::card_titles(&home);
    let want: Vec<String> = (1..=12).map(|n| format!("Low step {n:02}")).collect();
    assert_eq!(titles, want);
    assert_eq!(
        more_link(&home),
        (
            "/phases/onboarding/".to_string(),
            "All 40 in Onboarding →".to_string(),
            serde_json::json!({"tech": null, "low": "All 40 in Onboarding →", "mid": null, "high": null})
        )
    );
    let rest: Vec<(String, String, String)> = serde_json::from_str(between(
        &home,
        "<script type=\"application/json\" data-ring-rest>",
        "</script>",
    ))
    .expect("ring data");
    let urls: Vec<String> = rest.iter().map(|r| r.0.clone()).collect();
    let want: Vec<String> = (13..=40)
        .map(|n| format!("/playbooks/onboarding/step-{n:02}/"))
        .collect();
    assert_eq!(urls, want);
    assert!(rest.iter().all(|r| r.1 == "low"));
    assert_eq!(rest[0].2.split(' ').count(), 1);
    let last: Vec<&str> = rest[27].2.split(' ').collect();
    assert!(last.len() == 2 && last[0] != last[1], "{last:?}");
    assert!(
        last.iter().all(|h| !h.is_empty() && h.len() <= 7),
        "{last:?}"
    );

    // The phase page lists everything, and has the FAQ heading the link points at.
    let phase = site.out("phases/onboarding/index.html");
    assert_eq!(crate::common::card_titles(&phase).len(), 80);
    assert!(phase.contains(r#"id="faqs-title""#));

    // A small list is not cut and has no link.
    let high = site.out("tiers/high/index.html");
    assert_eq!(crate::common::card_titles(&high).len(), 24);
    let mid = site.out("tiers/mid/index.html");
    assert!(!mid.contains(r#"class="more""#));
}

/// The text of the preview banner of the page at `path` under `public`.
fn banner_of(public: &std::path::Path, path: &str) -> String {
    let html = std::fs::read_to_string(public.join(path)).expect("page");
    between(&html, "<aside class=\"banner", "</aside>").to_string()
}

#[test]
fn preview_banners_of_a_japanese_site_are_in_japanese() {
    let site = TestSite::empty();
    let dir = site.root.join("ja");
    let run = crate::common::run_in(
        &site.root,
        &["init", dir.to_str().expect("UTF-8"), "--lang", "ja"],
        &[],
    );
    run.expect_ok();
    // Unproven: a new playbook for mid-touch customers. Draft: another one. Stale: a page proven with its
    // hash, then edited.
    let write = |rel: &str, text: &str| std::fs::write(dir.join(rel), text).expect("write");
    write(
        "playbooks/onboarding/new-guide.md",
        "---\ntitle: 新しい手順\nphase: onboarding\ntier: mid\n---\n\n本文。\n",
    );
    write(
        "playbooks/onboarding/draft-guide.md",
        "---\ntitle: 書きかけの手順\nphase: onboarding\ntier: low\ndraft: true\n---\n\n本文。\n",
    );
    // Far enough ahead that the proofs `init` wrote (dated around the real today) are past max_age_days (540).
    let today = [("SHIRUBE_TODAY", std::path::Path::new("2099-01-01"))];
    let rollout = "playbooks/adoption/plan-rollout.md";
    crate::common::run_in(
        &dir,
        &["prove", rollout, "--engagement", "ENG-9", "--tier", "low"],
        &today,
    )
    .expect_ok();
    let text = std::fs::read_to_string(dir.join(rollout)).expect("read");
    write(
        rollout,
        &text.replace("段階的に展開すると", "段階的に展開すれば"),
    );

    let public = dir.join("preview");
    crate::common::run_in(&dir, &["build", "--preview", "--out", "preview"], &today).expect_ok();
    let unproven = banner_of(&public, "playbooks/onboarding/new-guide/index.html");
    assert_eq!(
        unproven,
        " banner-unproven\">\n  <p>未実証：公開するには、ミッドタッチの顧客との成功したエンゲージメントがあと1件必要です。\
         プレビューにのみ表示され、公開サイトには含まれません。</p>\n"
    );
    let draft = banner_of(&public, "playbooks/onboarding/draft-guide/index.html");
    assert!(
        draft.contains("<p>下書き：front matter の `draft: true` を外すと公開対象になります。"),
        "{draft}"
    );
    let stale = banner_of(&public, "playbooks/adoption/plan-rollout/index.html");
    assert!(
        stale.contains(
            "<p>実証後に変更あり：2099年1月1日に実証された後に内容が変わりました。\
             ロータッチまたはミッドタッチまたはハイタッチの顧客で改めて実証してください\
             （shirube prove playbooks/adoption/plan-rollout.md）。公開中です。</p>"
        ),
        "{stale}"
    );

    // The published build has the stale page, without the banner (it speaks to authors, and names the command).
    let published = dir.join("public");
    crate::common::run_in(&dir, &["build"], &today).expect_ok();
    let html =
        std::fs::read_to_string(published.join("playbooks/adoption/plan-rollout/index.html"))
            .expect("the stale page is published");
    assert!(html.contains("段階的に展開すれば"), "the edited text");
    assert!(
        !html.contains("class=\"banner") && !html.contains("shirube prove"),
        "{html}"
    );

    // invite-admins has `tier: all`.
    let expired = banner_of(&public, "playbooks/onboarding/invite-admins/index.html");
    let (before, after) = expired
        .split_once("日）から540日を超えました。")
        .unwrap_or_else(|| panic!("{expired}"));
    assert!(before.ends_with(|c: char| c.is_ascii_digit()), "{expired}");
    assert!(
        before.contains("<p>実証期限切れ：最新の実証（20"),
        "{expired}"
    );
    assert!(
        after.starts_with(
            "いずれかのサポート区分の顧客との成功したエンゲージメントがあと1件必要です。"
        ),
        "{expired}"
    );
    // Nothing in English besides the command and the front matter key.
    for banner in [unproven, draft, stale, expired] {
        let text = between(&banner, "<p>", "</p>")
            .replace("shirube prove playbooks/adoption/plan-rollout.md", "")
            .replace("front matter の `draft: true`", "");
        assert!(
            !text.chars().any(|c| c.is_ascii_alphabetic()),
            "English in a Japanese banner: {text}"
        );
    }
}

#[test]
fn a_tier_page_lists_playbooks_before_faqs() {
    let site = TestSite::empty();
    site.write("shirube.yaml", "title: Guide\nproof:\n  gate: []\n");
    site.write(
        "content/faq/early.md",
        "---\ntitle: An early question\nkind: faq\nphase: onboarding\ntier: low\nweight: 1\n---\n\nYes.\n",
    );
    site.write(
        "playbooks/onboarding/late.md",
        "---\ntitle: A late playbook\nphase: onboarding\ntier: low\nweight: 50\n---\n\nDo it.\n",
    );
    site.build(&[]).expect_ok();
    let titles = crate::common::card_titles(&site.out("tiers/low/index.html"));
    assert_eq!(titles, ["A late playbook", "An early question"]);
}
