//! Link checker over the repository's own sample site: every `href` and `src` of every HTML file must resolve
//! to a file of the output, and every `#fragment` to an `id` in the target page.

use crate::common::{check_links, html_files, repo_root, run_in, sitemap_locs, split_base_url};
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
