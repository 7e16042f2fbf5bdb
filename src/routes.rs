//! Where things live: the URLs of generated pages, and how a source path becomes a URL.
//!
//! Part of the model layer: every stage that names a page (validate, markdown's link checks, render, feed,
//! search) uses these, and this module imports nothing of the pipeline.

use crate::model::Kind;
use crate::slug::slugify;

/// URL of the home page intro (`content/index.md`).
pub const HOME_URL: &str = "";

/// URL of the FAQ index (intro from `content/faq/index.md`).
pub const FAQ_URL: &str = "faq/";

/// URL of the kickoff-prep page.
pub const KICKOFF_URL: &str = "kickoff/";

/// URL reserved for the search results page.
pub const SEARCH_URL: &str = "search/";

/// URL of the page for phase `id`.
pub fn phase_url(id: &str) -> String {
    format!("phases/{id}/")
}

/// URL of the page for tier `id`.
pub fn tier_url(id: &str) -> String {
    format!("tiers/{id}/")
}

/// The kind a file has when its front matter does not say: from its folder.
pub fn default_kind(path: &str) -> Kind {
    if path.starts_with("playbooks/") {
        Kind::Playbook
    } else if path.starts_with("content/faq/") {
        Kind::Faq
    } else {
        Kind::Page
    }
}

/// True for the files whose body is the intro of a generated page: the home page and the FAQ index.
pub fn is_intro_path(path: &str) -> bool {
    matches!(
        strip_markdown_ext(path),
        Some("content/index" | "content/faq/index")
    )
}

/// The source path of the intro at `stem` (`content/index`), as the site has it: `.md`, or `.markdown` as
/// Jekyll names it.
pub fn intro_src(stem: &str, has: impl Fn(&str) -> bool) -> String {
    let md = format!("{stem}.md");
    let markdown = format!("{stem}.markdown");
    if !has(&md) && has(&markdown) {
        markdown
    } else {
        md
    }
}

/// `path` without its `.md` or `.markdown` extension (both are Markdown sources); `None` for other files.
pub fn strip_markdown_ext(path: &str) -> Option<&str> {
    path.strip_suffix(".md")
        .or_else(|| path.strip_suffix(".markdown"))
}

/// The pretty URL of a source file, relative to the base path: `playbooks/onboarding/connect-sso/`.
pub fn url_for(path: &str) -> String {
    let path = path.strip_prefix("content/").unwrap_or(path);
    let stem = strip_markdown_ext(path).unwrap_or(path);
    let mut segments: Vec<&str> = stem.split('/').collect();
    if segments.last() == Some(&"index") {
        segments.pop();
    }
    let mut url = String::new();
    for seg in segments {
        // `usage-statistics.html.md` comes from sites that kept the output extension in the name.
        let seg = seg.strip_suffix(".html").unwrap_or(seg);
        let s = slugify(seg);
        url.push_str(if s.is_empty() { "page" } else { &s });
        url.push('/');
    }
    url
}

/// Joins a relative path onto a `/`-separated folder, resolving `.` and `..`. `None` when it climbs above the root.
pub fn join_path(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut joined = parts.join("/");
    if rel.ends_with('/') {
        joined.push('/');
    }
    Some(joined)
}
