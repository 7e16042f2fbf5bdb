//! Link checker over the repository's own sample site: every `href` and `src` of every HTML file must resolve
//! to a file of the output, and every `#fragment` to an `id` in the target page.

use crate::common::{
    TestSite, check_links, html_files, repo_root, run_in, sitemap_locs, split_base_url,
};
use std::path::Path;

/// The sample site's `base_url`, read from its config (the test follows the config instead of hard-coding it).
fn configured_base_url() -> String {
    let config = std::fs::read_to_string(repo_root().join("shirube.yaml")).unwrap();
    config
        .lines()
        .find_map(|l| l.strip_prefix("base_url:"))
        .map(|v| {
            v.split('#')
                .next()
                .unwrap()
                .trim()
                .trim_matches('"')
                .to_string()
        })
        .unwrap_or_else(|| "/".to_string())
}

/// Builds the repository root into `<tmp>/public` and returns that folder.
fn build_sample(tmp: &Path, extra: &[&str]) -> std::path::PathBuf {
    let root = repo_root();
    let out = tmp.join("public");
    let mut args = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run_in(tmp, &args, &[]).expect_ok();
    out
}

#[track_caller]
fn assert_links_resolve(out: &Path, base_url: &str) {
    let pages = html_files(out);
    assert!(
        pages.len() >= 30,
        "the sample site should have dozens of pages, found {}",
        pages.len()
    );
    let (problems, checked) = check_links(out, base_url);
    assert!(
        checked > 500,
        "only {checked} links checked: is the scanner broken?"
    );
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems.join("\n")
    );

    // Every URL in the sitemap is a page of the output, under the base URL.
    let (_, base_path) = split_base_url(base_url);
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let locs = sitemap_locs(&sitemap);
    assert!(locs.len() >= 30, "sitemap has only {} URLs", locs.len());
    for loc in locs {
        let Some(rel) = loc.strip_prefix(base_url) else {
            panic!("sitemap URL {loc} is not under {base_url}");
        };
        let rel = crate::common::percent_decode(rel);
        assert!(
            out.join(&rel).join("index.html").is_file(),
            "sitemap URL {loc}: no {rel}index.html"
        );
        assert!(!rel.contains(".md"), "sitemap URL {loc}");
    }
    assert!(base_path.ends_with('/'));
}

#[test]
fn sample_site_links_resolve() {
    let tmp = tempfile::tempdir().unwrap();
    let out = build_sample(tmp.path(), &[]);
    assert_links_resolve(&out, &configured_base_url());
}

#[test]
fn sample_site_links_resolve_under_a_subpath() {
    let tmp = tempfile::tempdir().unwrap();
    let base = "https://example.com/sub/dir/";
    let out = build_sample(tmp.path(), &["--base-url", base]);
    assert_links_resolve(&out, base);
    // With a subpath, no internal link may point at the host root.
    for page in html_files(&out) {
        let html = std::fs::read_to_string(out.join(&page)).unwrap();
        for attr in ["href", "src"] {
            for url in crate::common::attr_values(&html, attr) {
                if url.starts_with('/') {
                    assert!(
                        url.starts_with("/sub/dir/"),
                        "{page}: {attr}=\"{url}\" is not under /sub/dir/"
                    );
                }
            }
        }
    }
}

#[test]
fn checker_catches_broken_links() {
    // The checker itself must be able to fail: a hand-written output with one good and three bad links.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    std::fs::create_dir_all(out.join("a")).unwrap();
    std::fs::write(out.join("a/index.html"), "<h2 id=\"x\">X</h2>").unwrap();
    std::fs::write(
        out.join("index.html"),
        "<a href=\"/g/a/#x\">ok</a> <a href=\"/g/b/\">missing</a> <a href=\"/g/a/#y\">bad anchor</a> \
         <a href=\"/a/\">outside base</a> <a href=\"https://elsewhere.example/\">external</a> \
         <a href=\"#nope\">self</a>",
    )
    .unwrap();
    let (problems, checked) = check_links(out, "https://h.example/g/");
    assert_eq!(checked, 6);
    assert_eq!(
        problems,
        [
            "index.html: href=\"/g/b/\": no file b/index.html",
            "index.html: href=\"/g/a/#y\": a/index.html has no id=\"y\"",
            "index.html: href=\"/a/\" is outside the base path /g/",
            "index.html: href=\"#nope\": no id=\"nope\" on this page",
        ]
    );
}

// ---- The link policy (`links:` in shirube.yaml) and `--strict` ----

/// A site whose `content/b.md` has a link to a missing page (line 4) and one to a missing heading id of
/// `content/a.md` (line 6), with `links` added to the config (`""` for none).
fn policy_site(links: &str) -> TestSite {
    let site = TestSite::empty();
    site.write(
        "shirube.yaml",
        &format!("title: Test guide\nproof:\n  gate: []\n{links}"),
    );
    site.write(
        "content/a.md",
        "---\ntitle: A\n---\n## Set up the IdP {#idp}\n",
    );
    site.write(
        "content/b.md",
        "---\ntitle: B\n---\n[gone](missing.md)\n\n[the IdP step](a.md#ipd)\n",
    );
    site
}

const MISSING_PAGE: &str = "content/b.md:4:8: {level}[missing-page]: broken link: \"missing.md\" resolves to content/missing.md, which is not a page or file\n 4 | [gone](missing.md)\n   |        ^^^^^^^^^^\n  help: paths are relative to this file; check the folder and the file name\n\n";
const MISSING_ANCHOR: &str = "content/b.md:6:16: {level}[missing-anchor]: broken link: content/a.md has no heading with id \"ipd\"\n 6 | [the IdP step](a.md#ipd)\n   |                ^^^^^^^^\n  help: did you mean \"#idp\"?\n\n";

fn at(template: &str, level: &str) -> String {
    template.replace("{level}", level)
}

#[test]
fn missing_page_is_an_error_warning_or_nothing_as_configured() {
    for (level, code, expected) in [
        (
            "error",
            1,
            at(MISSING_PAGE, "error") + "1 error, 0 warnings\n",
        ),
        (
            "warn",
            0,
            at(MISSING_PAGE, "warning") + "0 errors, 1 warning\n",
        ),
        ("ignore", 0, "0 errors, 0 warnings\n".to_string()),
    ] {
        let site = policy_site(&format!(
            "links:\n  missing_page: {level}\n  missing_anchor: ignore\n"
        ));
        let run = site.run(&["check"]);
        assert_eq!(run.stderr, expected, "missing_page: {level}");
        run.expect_code(code);
        let build = site.build(&[]);
        build.expect_code(code);
        if code == 0 {
            // The link is left as written: there is nowhere else to send it.
            let b = site.out("b/index.html");
            assert!(b.contains("<a href=\"missing.md\">gone</a>"), "{b}");
        } else {
            assert!(
                build
                    .stderr
                    .ends_with("build failed: 1 error, 0 warnings; nothing was written\n"),
                "{}",
                build.stderr
            );
            assert!(!site.public().exists());
        }
    }
}

#[test]
fn missing_anchor_is_an_error_warning_or_nothing_as_configured() {
    for (level, code, expected) in [
        (
            "error",
            1,
            at(MISSING_ANCHOR, "error") + "1 error, 0 warnings\n",
        ),
        (
            "warn",
            0,
            at(MISSING_ANCHOR, "warning") + "0 errors, 1 warning\n",
        ),
        ("ignore", 0, "0 errors, 0 warnings\n".to_string()),
    ] {
        let site = policy_site(&format!(
            "links:\n  missing_page: ignore\n  missing_anchor: {level}\n"
        ));
        let run = site.run(&["check"]);
        assert_eq!(run.stderr, expected, "missing_anchor: {level}");
        run.expect_code(code);
        let build = site.build(&[]);
        build.expect_code(code);
        if code == 0 {
            // The page exists: the link goes to it, with the fragment as written.
            let b = site.out("b/index.html");
            assert!(b.contains("<a href=\"/a/#ipd\">the IdP step</a>"), "{b}");
        } else {
            assert!(!site.public().exists());
        }
    }
}

#[test]
fn by_default_a_missing_page_is_an_error_and_a_missing_anchor_a_warning() {
    let site = policy_site("");
    let run = site.run(&["check"]);
    assert_eq!(
        run.stderr,
        at(MISSING_PAGE, "error") + &at(MISSING_ANCHOR, "warning") + "1 error, 1 warning\n"
    );
    run.expect_code(1);
}

#[test]
fn strict_makes_every_warning_an_error_in_check_and_build() {
    let site = policy_site("links:\n  missing_page: warn\n");
    // Without --strict: two warnings, a clean exit and a site.
    site.run(&["check"]).expect_ok();
    let expected = at(MISSING_PAGE, "error")
        + &at(MISSING_ANCHOR, "error")
        + "2 errors, 0 warnings (--strict: 2 warnings counted as errors)\n";
    let run = site.run(&["check", "--strict"]);
    assert_eq!(run.stderr, expected);
    run.expect_code(1);
    let build = site.build(&["--strict"]);
    assert_eq!(
        build.stderr,
        at(MISSING_PAGE, "error")
            + &at(MISSING_ANCHOR, "error")
            + "build failed: 2 errors, 0 warnings (--strict: 2 warnings counted as errors); nothing was written\n"
    );
    build.expect_code(1);
    assert!(!site.public().exists());
    // JSON says the same, and how many were warnings.
    let json = site.run(&["check", "--strict", "--format", "json"]);
    json.expect_code(1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        (v["errors"].as_u64(), v["warnings"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(v["strict_warnings"], 1 + 1);
    assert_eq!(v["diagnostics"][1]["severity"], "error");
    // A site without warnings passes --strict, and its summary does not mention it.
    let clean = policy_site("links:\n  missing_page: ignore\n  missing_anchor: ignore\n");
    let run = clean.run(&["check", "--strict"]);
    assert_eq!(run.stderr, "0 errors, 0 warnings\n");
    run.expect_ok();
    clean.build(&["--strict"]).expect_clean();
}

#[test]
fn bad_link_policy_values_and_keys_are_config_errors_with_did_you_mean() {
    let site = policy_site("links:\n  missing_page: eror\n  misisng_anchor: warn\n");
    let run = site.run(&["check"]);
    run.expect_code(1);
    assert_eq!(
        run.stderr,
        "shirube.yaml:5:17: error[unknown-value]: unknown value \"eror\"\n 5 |   missing_page: eror\n   |                 ^^^^\n  help: did you mean \"error\"?\n\n\
         shirube.yaml:6:3: error[unknown-key]: unknown key \"misisng_anchor\"\n 6 |   misisng_anchor: warn\n   |   ^^^^^^^^^^^^^^\n  help: did you mean \"missing_anchor\"?\n\n\
         2 errors, 0 warnings\n"
    );
}

// ---- Heading ids: GitHub's ---

/// Headings and the ids GitHub gives them, worked out by hand from github-slugger's documented rule (lower
/// case; every character removed but letters, marks, decimal and letter numbers, connector punctuation `_`,
/// `-` and the space, by Unicode category; each space → `-`; a repeat gets `-1`, `-2`, skipping ids taken),
/// not from a run of shirube. The second column is the id shirube gave before (its URL slug, repeats from
/// `-2`), kept as an empty anchor when it differs.
const GITHUB_IDS: &[(&str, &str, &str)] = &[
    ("EM>PS Transition", "emps-transition", "em-ps-transition"),
    ("snake_case", "snake_case", "snake-case"),
    ("C++", "c", "c"),
    ("Q&A", "qa", "q-a"),
    ("Ｑ＆Ａ", "ｑａ", "q-a-2"),
    ("A & B", "a--b", "a-b"),
    ("Connect your SSO!", "connect-your-sso", "connect-your-sso"),
    ("\"Quoted\" heading.", "quoted-heading", "quoted-heading"),
    (
        "(Optional) Invite admins...",
        "optional-invite-admins",
        "optional-invite-admins",
    ),
    (
        "--Leading and trailing--",
        "--leading-and-trailing--",
        "leading-and-trailing",
    ),
    ("Version 2.0 (beta)", "version-20-beta", "version-2-0-beta"),
    ("What’s new?", "whats-new", "what-s-new"),
    ("100% done", "100-done", "100-done"),
    ("Hello — world", "hello--world", "hello-world"),
    (
        "`config.yaml` reference",
        "configyaml-reference",
        "config-yaml-reference",
    ),
    (
        "Press <kbd>Ctrl</kbd>+<kbd>K</kbd>",
        "press-ctrlk",
        "press-ctrl-k",
    ),
    (
        "**Bold** and _italic_",
        "bold-and-italic",
        "bold-and-italic",
    ),
    ("契約更新の手順", "契約更新の手順", "契約更新の手順"),
    (
        "データ・インポート",
        "データインポート",
        "データ-インポート",
    ),
    (
        "SSOを設定する（管理者向け）",
        "ssoを設定する管理者向け",
        "ssoを設定する-管理者向け",
    ),
    ("ＳＳＯの設定", "ｓｓｏの設定", "ssoの設定"),
    ("ＳＳＯ　設定", "ｓｓｏ設定", "sso-設定"),
    ("２０２６年の更新", "２０２６年の更新", "2026年の更新"),
    ("Café crème", "café-crème", "café-crème"),
    ("🎉 Launch day", "-launch-day", "launch-day"),
    ("Launch day 🚀", "launch-day-", "launch-day-2"),
    ("Step ① Sign in", "step--sign-in", "step-1-sign-in"),
    ("Repeat", "repeat", "repeat"),
    ("Repeat", "repeat-1", "repeat-2"),
    ("Repeat-1", "repeat-1-1", "repeat-1"),
    ("Repeat", "repeat-2", "repeat-3"),
];

/// The `id` of every `<hN>` of `html`, in order.
fn heading_ids(html: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for part in html.split("<h").skip(1) {
        let Some(rest) = part
            .strip_prefix(|c: char| ('1'..='6').contains(&c))
            .and_then(|r| r.strip_prefix(" id=\""))
        else {
            continue;
        };
        ids.push(crate::common::unescape(&rest[..rest.find('"').unwrap()]));
    }
    ids
}

fn heading_site() -> TestSite {
    let site = TestSite::empty();
    site.write("shirube.yaml", "title: Test guide\nproof:\n  gate: []\n");
    let body: String = GITHUB_IDS
        .iter()
        .map(|(h, _, _)| format!("## {h}\n\n"))
        .collect();
    site.write(
        "content/h.md",
        &format!("---\ntitle: Headings\n---\n{body}## Mine {{#my-own}}\n"),
    );
    site
}

#[test]
fn heading_ids_are_githubs() {
    let site = heading_site();
    site.build(&[]).expect_clean();
    let html = site.out("h/index.html");
    let got = heading_ids(&html);
    let want: Vec<&str> = GITHUB_IDS
        .iter()
        .map(|(_, id, _)| *id)
        .chain(["my-own"])
        .collect();
    // The page title's <h1> comes first.
    assert_eq!(got[got.len() - want.len()..], want[..], "{html}");
}

#[test]
fn changed_heading_ids_keep_their_old_id_in_an_empty_anchor() {
    let site = heading_site();
    site.build(&[]).expect_clean();
    let html = site.out("h/index.html");
    // An old id that another heading has now names that heading (repeats are numbered from -1 now, from -2
    // before): no anchor for it.
    let taken: std::collections::HashSet<&str> = GITHUB_IDS.iter().map(|(_, id, _)| *id).collect();
    for (heading, id, old) in GITHUB_IDS {
        let start = format!(" id=\"{id}\">");
        let at = html
            .find(&start)
            .unwrap_or_else(|| panic!("no heading {id:?}: {html}"));
        let inside = &html[at + start.len()..];
        let anchor = format!("<a id=\"{old}\"></a>");
        if id == old || taken.contains(old) {
            assert!(!inside.starts_with("<a id="), "{heading}: {inside:.80}");
        } else {
            assert!(inside.starts_with(&anchor), "{heading}: {inside:.80}");
        }
    }
    // A custom id is the same as before: nothing to keep.
    assert!(html.contains("id=\"my-own\">Mine</h2>"), "{html}");
}

#[test]
fn a_link_to_an_old_heading_id_works_with_a_warning() {
    let site = TestSite::empty();
    site.write("shirube.yaml", "title: Test guide\nproof:\n  gate: []\n");
    site.write("content/a.md", "---\ntitle: A\n---\n## snake_case\n");
    site.write(
        "content/b.md",
        "---\ntitle: B\n---\n[old](a.md#snake-case)\n",
    );
    let run = site.run(&["check"]);
    assert_eq!(
        run.stderr,
        "content/b.md:4:7: warning[old-anchor]: link to \"#snake-case\", the id a heading of content/a.md had before heading ids followed GitHub's; it works until the next release\n 4 | [old](a.md#snake-case)\n   |       ^^^^^^^^^^^^^^^\n  help: link to \"#snake_case\", the heading's id now\n\n\
         0 errors, 1 warning\n"
    );
    run.expect_ok();
    site.build(&[]).expect_ok();
    assert!(
        site.out("b/index.html")
            .contains("<a href=\"/a/#snake-case\">old</a>")
    );
    assert!(
        site.out("a/index.html")
            .contains("<h2 id=\"snake_case\"><a id=\"snake-case\"></a>snake_case</h2>")
    );
}
