//! Shared helpers for the integration tests, in the style of mdBook's `tests/testsuite`.
//!
//! A test copies a fixture site from `tests/fixtures/<name>/` into a fresh temp dir, runs the real `shirube`
//! binary there, and reads the files it wrote. Nothing here knows about shirube's internals.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

pub(crate) mod mangle;
pub(crate) mod server;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The binary under test, built by Cargo for the integration tests.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_shirube");

/// The repository root (itself the sample site).
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<name>`.
pub(crate) fn fixture_dir(name: &str) -> PathBuf {
    repo_root().join("tests").join("fixtures").join(name)
}

/// What one run of the binary did.
#[derive(Debug)]
pub(crate) struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics with the whole output unless the exit code is `code`.
    #[track_caller]
    pub(crate) fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit code {code}, got {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// Panics unless the run succeeded.
    #[track_caller]
    pub(crate) fn expect_ok(&self) -> &Self {
        self.expect_code(0)
    }

    /// Panics unless the run succeeded without printing any warning (for `build`; `check` always prints a count).
    #[track_caller]
    pub(crate) fn expect_clean(&self) -> &Self {
        self.expect_ok();
        assert!(
            !self.stderr.to_lowercase().contains("warning"),
            "expected no warnings, stderr:\n{}",
            self.stderr
        );
        self
    }
}

/// The day proofs are judged against in these runs (`SHIRUBE_TODAY`), so that a test's outcome does not change as
/// the sample manifest's proofs age past `max_age_days`.
pub(crate) const TODAY: &str = "2026-11-25";

/// Runs the binary in `dir` with `args` and extra environment variables (which may set another `SHIRUBE_TODAY`).
pub(crate) fn run_in(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SHIRUBE_TODAY", TODAY);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("cannot run the shirube binary");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A site in its own temp dir: `<tmp>/site` is the site root, `<tmp>/site/public` the default output.
pub(crate) struct TestSite {
    tmp: tempfile::TempDir,
    pub root: PathBuf,
}

impl TestSite {
    /// A copy of `tests/fixtures/<name>`.
    pub(crate) fn fixture(name: &str) -> TestSite {
        let site = TestSite::empty();
        copy_dir(&fixture_dir(name), &site.root);
        site
    }

    /// An empty site folder (which exists).
    pub(crate) fn empty() -> TestSite {
        let tmp = tempfile::tempdir().expect("cannot create a temp dir");
        let root = tmp.path().join("site");
        std::fs::create_dir(&root).unwrap();
        TestSite { tmp, root }
    }

    /// The temp dir that holds the site folder (for outputs and other folders beside the site).
    pub(crate) fn tmp(&self) -> &Path {
        self.tmp.path()
    }

    /// A path under the site root.
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Writes a file under the site root, creating folders.
    pub(crate) fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Reads a file under the site root.
    #[track_caller]
    pub(crate) fn read(&self, rel: &str) -> String {
        let p = self.path(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
    }

    /// Replaces `from` with `to` in a file of the site; panics when `from` is not there.
    #[track_caller]
    pub(crate) fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Runs `shirube ARGS` with the site root as the current folder.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        run_in(&self.root, args, &[])
    }

    /// `shirube build ARGS` in the site root.
    pub(crate) fn build(&self, args: &[&str]) -> Run {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// The default output folder, `<site>/public`.
    pub(crate) fn public(&self) -> PathBuf {
        self.path("public")
    }

    /// Reads `public/<rel>`.
    #[track_caller]
    pub(crate) fn out(&self, rel: &str) -> String {
        let p = self.public().join(rel);
        std::fs::read_to_string(&p)
            .unwrap_or_else(|e| panic!("cannot read output {}: {e}", p.display()))
    }
}

/// Copies the sample site (the parts of the repository root a build reads) to `to`.
pub(crate) fn copy_sample_site(to: &Path) {
    std::fs::create_dir_all(to).expect("site folder");
    for part in [
        "shirube.yaml",
        "manifest.yaml",
        "playbooks",
        "content",
        "themes",
    ] {
        let from = repo_root().join(part);
        if from.is_dir() {
            copy_dir(&from, &to.join(part));
        } else {
            std::fs::copy(&from, to.join(part)).expect("copy a site file");
        }
    }
}

/// Copies a folder tree.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("cannot read {}: {e}", from.display()))
    {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Every file under `dir` (hidden ones included), by `/`-separated relative path, with its bytes.
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let e = e.unwrap();
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Relative paths of every file under `dir`.
pub(crate) fn file_list(dir: &Path) -> BTreeSet<String> {
    snapshot(dir).into_keys().collect()
}

/// Names of the entries directly in `dir`.
pub(crate) fn entries(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Every `.html` file under `dir`, as relative paths.
pub(crate) fn html_files(dir: &Path) -> Vec<String> {
    file_list(dir)
        .into_iter()
        .filter(|p| p.ends_with(".html"))
        .collect()
}

/// The part of `html` from the first `start` to the next `end` after it (both excluded). Panics when missing.
#[track_caller]
pub(crate) fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not found in:\n{html}"))
        + start.len();
    let j = html[i..]
        .find(end)
        .unwrap_or_else(|| panic!("{end:?} not found after {start:?} in:\n{html}"));
    &html[i..i + j]
}

/// The text of the first `<tag ...>...</tag>` (attributes ignored, inner markup kept).
#[track_caller]
pub(crate) fn element<'a>(html: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}");
    let i = html
        .find(&open)
        .unwrap_or_else(|| panic!("no <{tag}> in:\n{html}"));
    let gt = html[i..].find('>').unwrap() + i + 1;
    let close = format!("</{tag}>");
    let j = html[gt..]
        .find(&close)
        .unwrap_or_else(|| panic!("no </{tag}> in:\n{html}"));
    &html[gt..gt + j]
}

/// The `<title>` of a page.
pub(crate) fn title(html: &str) -> &str {
    element(html, "title")
}

/// The first `<h1>` of a page.
pub(crate) fn h1(html: &str) -> &str {
    element(html, "h1")
}

/// Markup removed and the usual entities decoded.
pub(crate) fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(out.trim())
}

/// Decodes the entities HTML escapers write.
pub(crate) fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Values of every `attr="..."` in `html` (entities decoded). Matches ` href="` but not `data-href="`.
pub(crate) fn attr_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!("{attr}=\"");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = html[from..].find(&needle) {
        let at = from + i;
        from = at + needle.len();
        let before = html[..at].chars().next_back();
        if !matches!(before, Some(c) if c.is_whitespace()) {
            continue;
        }
        if let Some(end) = html[from..].find('"') {
            out.push(unescape(&html[from..from + end]));
        }
    }
    out
}

/// Every `id` in a page.
pub(crate) fn ids(html: &str) -> BTreeSet<String> {
    attr_values(html, "id").into_iter().collect()
}

/// Titles of the cards (`<… class="card-title"><a href=…>TITLE</a>`) in `html`, in order.
pub(crate) fn card_titles(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("class=\"card-title\"") {
        rest = &rest[i..];
        let a = element(rest, "a");
        out.push(text(a));
        rest = &rest[1..];
    }
    out
}

/// Decodes `%XX` escapes (UTF-8).
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// True for `https:`, `mailto:`, `//host` and other links that leave the site.
pub(crate) fn is_external(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !url[..i].contains('/')
        }
        None => false,
    }
}

/// Checks every `href` and `src` of every HTML file under `out`, a site published at `base_url`
/// (`https://host/path/`). Internal links (and absolute links to the site's own origin) must point under the base
/// path at a file that exists (`x/` → `x/index.html`), and a `#fragment` must be an `id` in the target page.
/// Returns one line per problem, and the number of links checked.
pub(crate) fn check_links(out: &Path, base_url: &str) -> (Vec<String>, usize) {
    let (origin, base_path) = split_base_url(base_url);
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut id_cache: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for page in html_files(out) {
        let html = std::fs::read_to_string(out.join(&page)).unwrap();
        let own_ids = ids(&html);
        let page_dir = match page.rfind('/') {
            Some(i) => format!("{base_path}{}", &page[..=i]),
            None => base_path.clone(),
        };
        for attr in ["href", "src"] {
            for url in attr_values(&html, attr) {
                checked += 1;
                let url = match url.strip_prefix(origin.as_str()) {
                    Some(rest) if !origin.is_empty() && rest.starts_with('/') => rest.to_string(),
                    _ => url,
                };
                if url.is_empty() {
                    problems.push(format!("{page}: empty {attr}"));
                    continue;
                }
                if is_external(&url) {
                    continue;
                }
                let (path, fragment) = match url.split_once('#') {
                    Some((p, f)) => (p.to_string(), Some(percent_decode(f))),
                    None => (url.clone(), None),
                };
                let path = path.split('?').next().unwrap_or("").to_string();
                if path.is_empty() {
                    // `#id` on the same page.
                    if let Some(f) = fragment.as_ref().filter(|f| !own_ids.contains(*f)) {
                        problems.push(format!(
                            "{page}: {attr}=\"{url}\": no id=\"{f}\" on this page"
                        ));
                    }
                    continue;
                }
                let absolute = if path.starts_with('/') {
                    path.clone()
                } else {
                    format!("{page_dir}{path}")
                };
                let absolute = percent_decode(&absolute);
                let Some(rel) = absolute.strip_prefix(base_path.as_str()) else {
                    problems.push(format!(
                        "{page}: {attr}=\"{url}\" is outside the base path {base_path}"
                    ));
                    continue;
                };
                let rel = normalize(rel);
                let target = if rel.is_empty() || rel.ends_with('/') {
                    format!("{rel}index.html")
                } else {
                    rel
                };
                let file = out.join(&target);
                if !file.is_file() {
                    problems.push(format!("{page}: {attr}=\"{url}\": no file {target}"));
                    continue;
                }
                if let Some(f) = fragment.filter(|_| target.ends_with(".html")) {
                    let target_ids = id_cache
                        .entry(target.clone())
                        .or_insert_with(|| ids(&std::fs::read_to_string(&file).unwrap()));
                    if !target_ids.contains(&f) {
                        problems.push(format!(
                            "{page}: {attr}=\"{url}\": {target} has no id=\"{f}\""
                        ));
                    }
                }
            }
        }
    }
    (problems, checked)
}

/// `https://host/a/b/` → (`https://host`, `/a/b/`); `/a/` → (``, `/a/`).
pub(crate) fn split_base_url(base_url: &str) -> (String, String) {
    match base_url.find("://") {
        Some(i) => match base_url[i + 3..].find('/') {
            Some(j) => (
                base_url[..i + 3 + j].to_string(),
                base_url[i + 3 + j..].to_string(),
            ),
            None => (base_url.to_string(), "/".to_string()),
        },
        None => (String::new(), base_url.to_string()),
    }
}

/// Resolves `.` and `..` segments of a relative path, keeping a trailing `/`.
fn normalize(rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut s = parts.join("/");
    if rel.ends_with('/') && !s.is_empty() {
        s.push('/');
    }
    s
}

/// Every `<loc>` of a sitemap.
pub(crate) fn sitemap_locs(xml: &str) -> Vec<String> {
    xml.split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .map(unescape)
        .collect()
}

/// Chromium's path when node 18+, the npm `modules` and Chromium are all there; `None` (after printing SKIP for
/// `test`) when something is missing and `SHIRUBE_REQUIRE_BROWSER=1` is not set, in which case it panics.
pub(crate) fn browser_prerequisites(test: &str, modules: &[&str]) -> Option<PathBuf> {
    let required = std::env::var("SHIRUBE_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let chromium = PathBuf::from(
        std::env::var("SHIRUBE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
    );
    let node_major = std::process::Command::new("node")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| {
            let v = String::from_utf8_lossy(&o.stdout).to_string();
            v.trim()
                .trim_start_matches('v')
                .split('.')
                .next()?
                .parse::<u32>()
                .ok()
        });
    let missing = if node_major.is_none_or(|m| m < 18) {
        Some("node 18 or newer".to_string())
    } else if modules
        .iter()
        .any(|m| !repo_root().join("node_modules").join(m).is_dir())
    {
        Some(format!(
            "node_modules/{} (run `npm ci`)",
            modules.join(", ")
        ))
    } else if !chromium.is_file() {
        Some(format!(
            "{} (apt-get install chromium, or set SHIRUBE_CHROMIUM)",
            chromium.display()
        ))
    } else {
        None
    };
    match missing {
        None => Some(chromium),
        Some(what) if required => panic!("SHIRUBE_REQUIRE_BROWSER=1 but {what} is missing"),
        Some(what) => {
            println!("SKIP {test}: {what} is missing");
            None
        }
    }
}
