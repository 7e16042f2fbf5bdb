//! Hugo: `content/` (YAML, TOML or JSON front matter; `_index.md` section pages; page bundles), `static/` for
//! site-absolute files, `hugo.toml`/`config.toml`/`hugo.yaml` for the title, address and language. The common
//! shortcodes become shirube Markdown: `hint`/`notice`/`alert`/`callout`/`admonition` and friends → admonitions,
//! `figure` → an image with its caption, `ref`/`relref` → links to the `.md` file, `details`/`expand` →
//! `<details>`, `highlight` → fenced code, `youtube`/`vimeo` → links. Others stay as written and are listed.

use super::front::{self, str_of};
use super::tags::{self, Tag};
use super::{RawPage, SourceSite};
use std::path::Path;

/// Reads a Hugo site.
pub fn read(src: &Path, into: &Path) -> Result<SourceSite, String> {
    let mut site = SourceSite::default();
    let mut content_dir = "content".to_string();
    for name in [
        "hugo.toml",
        "config.toml",
        "hugo.yaml",
        "config.yaml",
        "hugo.json",
        "config.json",
    ] {
        let p = src.join(name);
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let cfg = if name.ends_with(".toml") {
            front::parse_toml(&text)
        } else if name.ends_with(".yaml") {
            front::parse_yaml(&text)
        } else {
            serde_json::from_str(&text).map_err(|e| e.to_string())
        }
        .map_err(|e| format!("{}: {e}", p.display()))?;
        site.title = str_of(&cfg, "title");
        site.base_url = str_of(&cfg, "baseURL").or_else(|| str_of(&cfg, "baseurl"));
        site.language = str_of(&cfg, "defaultContentLanguage")
            .or_else(|| str_of(&cfg, "languageCode"))
            .or_else(|| str_of(&cfg, "locale"));
        if let Some(c) = str_of(&cfg, "contentDir") {
            content_dir = c;
        }
        break;
    }
    let content = src.join(&content_dir);
    if !content.is_dir() {
        return Err(format!(
            "{} has no {content_dir}/ folder: is it a Hugo site? (pass the folder that holds hugo.toml)",
            src.display()
        ));
    }
    if let Some(b) = &site.base_url
        && let Some(host) = b.split("://").nth(1).and_then(|r| r.split('/').next())
    {
        site.hosts.push(host.to_string());
        let path = b
            .split("://")
            .nth(1)
            .and_then(|r| r.find('/').map(|i| r[i..].to_string()));
        if let Some(p) = path.filter(|p| p != "/") {
            site.url_prefixes.push(p);
        }
    }
    site.static_dirs.push(src.join("static"));
    site.static_dirs.push(content.clone());
    let files = super::walk_markdown(
        &content,
        &|p| super::skip_common(p, into),
        &["md", "markdown"],
    );
    for file in files {
        let rel_src = super::rel_path(src, &file);
        let rel = super::rel_path(&content, &file);
        let (mut page, body_line) = super::read_page(rel_src, &file)?;
        let name = rel.rsplit('/').next().unwrap_or(&rel);
        page.section_index = matches!(name, "_index.md" | "index.md" | "_index.markdown");
        page.rel = if rel.ends_with(".markdown") {
            format!("{}.md", rel.trim_end_matches(".markdown"))
        } else {
            rel.clone()
        };
        page.urls = urls(&page.rel, &page.front, page.section_index);
        if page.section_index
            && let Some(t) = str_of(&page.front, "title")
        {
            let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            site.folder_titles.insert(dir.to_string(), t);
        }
        convert(&mut page, body_line);
        site.pages.push(page);
    }
    let translations = site
        .pages
        .iter()
        .filter(|p| {
            let stem = p.rel.trim_end_matches(".md");
            stem.rsplit_once('.').is_some_and(|(_, l)| {
                (l.len() == 2 || l.len() == 5)
                    && l.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            })
        })
        .count();
    if translations > 0 {
        site.notes.push(format!(
            "{translations} files look like translations (name.ja.md): each was imported as a page of its own; a shirube \
             site has one language, so keep one language's pages (or make a site per language)"
        ));
    }
    if src.join("layouts").is_dir() || src.join("themes").is_dir() {
        site.notes.push(
            "the site's layouts and themes were not imported: shirube has its own theme".into(),
        );
    }
    Ok(site)
}

/// The URLs Hugo publishes a page at: its path (the folder for `_index.md`/`index.md`), `slug` replacing the last
/// part, `url` replacing all of it, and `aliases`.
fn urls(rel: &str, fm: &serde_json::Map<String, serde_json::Value>, index: bool) -> Vec<String> {
    let stem = rel.trim_end_matches(".md");
    let mut path = if index {
        stem.rsplit_once('/')
            .map(|(d, _)| d.to_string())
            .unwrap_or_default()
    } else {
        stem.to_string()
    };
    if let Some(slug) = str_of(fm, "slug")
        && !index
    {
        path = match path.rsplit_once('/') {
            Some((d, _)) => format!("{d}/{slug}"),
            None => slug,
        };
    }
    let mut v = vec![format!("/{path}")];
    if let Some(u) = str_of(fm, "url") {
        v.insert(0, u);
    }
    v.extend(front::list_of(fm, "aliases"));
    v
}

const ADMONITION_SHORTCODES: &[&str] = &[
    "hint",
    "notice",
    "alert",
    "callout",
    "admonition",
    "note",
    "tip",
    "info",
    "warning",
    "danger",
    "caution",
    "important",
    "attention",
];

/// Replaces the common shortcodes in the page's body.
fn convert(page: &mut RawPage, body_line: usize) {
    let body = std::mem::take(&mut page.body);
    let tags = tags::scan(&body, &[("{{<", ">}}"), ("{{%", "%}}")], "/");
    let mut out = String::with_capacity(body.len());
    convert_range(
        &body,
        &tags,
        0..tags.len(),
        0..body.len(),
        page,
        body_line,
        &mut out,
    );
    page.body = out;
}

#[allow(clippy::too_many_arguments)]
fn convert_range(
    body: &str,
    tags: &[Tag],
    idx: std::ops::Range<usize>,
    span: std::ops::Range<usize>,
    page: &mut RawPage,
    body_line: usize,
    out: &mut String,
) {
    let mut at = span.start;
    let mut k = idx.start;
    while k < idx.end {
        let t = &tags[k];
        out.push_str(&body[at..t.range.start]);
        at = t.range.end;
        let line = tags::line_of(body, t.range.start, body_line);
        let name = t.name.as_str();
        let close = if t.closing {
            None
        } else {
            tags::matching_close(tags, k).filter(|c| *c < idx.end)
        };
        match (name, close) {
            (n, Some(c)) if ADMONITION_SHORTCODES.contains(&n) => {
                let kind = t
                    .named
                    .get("type")
                    .or_else(|| t.named.get("style"))
                    .or_else(|| t.args.first())
                    .map(String::as_str)
                    .unwrap_or(
                        if matches!(n, "hint" | "notice" | "alert" | "callout" | "admonition") {
                            "note"
                        } else {
                            n
                        },
                    );
                let title = t.named.get("title").map(String::as_str);
                let mut inner = String::new();
                convert_range(
                    body,
                    tags,
                    k + 1..c,
                    t.range.end..tags[c].range.start,
                    page,
                    body_line,
                    &mut inner,
                );
                block_start(out);
                out.push_str(&super::admonition(
                    super::admonition_class(kind),
                    title,
                    &inner,
                ));
                page.converted
                    .push(format!("Hugo {{{{< {n} >}}}} → admonition"));
                at = tags[c].range.end;
                k = c + 1;
                continue;
            }
            ("details" | "expand" | "collapse", Some(c)) => {
                let summary = t
                    .named
                    .get("title")
                    .or_else(|| t.args.first())
                    .cloned()
                    .unwrap_or_else(|| "Details".into());
                let mut inner = String::new();
                convert_range(
                    body,
                    tags,
                    k + 1..c,
                    t.range.end..tags[c].range.start,
                    page,
                    body_line,
                    &mut inner,
                );
                block_start(out);
                out.push_str(&format!(
                    "<details><summary>{}</summary>\n\n{}\n\n</details>\n",
                    crate::text::xml_escape(&summary),
                    inner.trim()
                ));
                page.converted
                    .push(format!("Hugo {{{{< {name} >}}}} → <details>"));
                at = tags[c].range.end;
                k = c + 1;
                continue;
            }
            ("highlight", Some(c)) => {
                let lang = t.args.first().cloned().unwrap_or_default();
                block_start(out);
                out.push_str(&format!(
                    "```{lang}\n{}\n```\n",
                    body[t.range.end..tags[c].range.start].trim_matches('\n')
                ));
                page.converted
                    .push("Hugo {{< highlight >}} → fenced code".into());
                at = tags[c].range.end;
                k = c + 1;
                continue;
            }
            ("ref" | "relref", _) => {
                let target = t
                    .args
                    .first()
                    .or_else(|| t.named.get("path"))
                    .cloned()
                    .unwrap_or_default();
                out.push_str(&format!("shirube-ref:{target}"));
                page.converted
                    .push(format!("Hugo {{{{< {name} >}}}} → link to the .md file"));
            }
            ("figure", _) => {
                let src = t.named.get("src").cloned().unwrap_or_default();
                let alt = t
                    .named
                    .get("alt")
                    .or_else(|| t.named.get("title"))
                    .or_else(|| t.named.get("caption"))
                    .cloned()
                    .unwrap_or_default();
                out.push_str(&format!("![{}]({})", alt.replace(['[', ']'], ""), src));
                if let Some(cap) = t.named.get("caption").or_else(|| t.named.get("title")) {
                    out.push_str(&format!("\n*{}*", cap.trim()));
                }
                page.converted.push("Hugo {{< figure >}} → image".into());
            }
            ("youtube" | "vimeo", _) => {
                let id = t
                    .named
                    .get("id")
                    .or_else(|| t.args.first())
                    .cloned()
                    .unwrap_or_default();
                let url = if name == "youtube" {
                    format!("https://www.youtube.com/watch?v={id}")
                } else {
                    format!("https://vimeo.com/{id}")
                };
                out.push_str(&format!("[Video]({url})"));
                page.converted
                    .push(format!("Hugo {{{{< {name} >}}}} → link"));
            }
            ("tabs" | "tab" | "tabpane", _) => {
                if !t.closing && name != "tabs" && name != "tabpane" {
                    let title = t
                        .named
                        .get("title")
                        .or_else(|| t.named.get("header"))
                        .or_else(|| t.args.first())
                        .cloned()
                        .unwrap_or_default();
                    if !title.is_empty() {
                        out.push_str(&format!("**{title}**\n"));
                    }
                }
                page.converted.push("Hugo tabs → one after another".into());
            }
            _ => {
                out.push_str(&body[t.range.clone()]);
                if !t.closing {
                    page.left.push((
                        line,
                        format!("Hugo shortcode {{{{< {name} >}}}} (no equivalent in shirube)"),
                    ));
                }
            }
        }
        k += 1;
    }
    out.push_str(&body[at..span.end]);
}

/// Makes sure a block starts on its own line, after a blank line.
pub fn block_start(out: &mut String) {
    if out.is_empty() {
        return;
    }
    while !out.ends_with("\n\n") {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(body: &str) -> RawPage {
        let mut p = RawPage {
            body: body.into(),
            ..RawPage::default()
        };
        convert(&mut p, 1);
        p
    }

    #[test]
    fn common_shortcodes_become_shirube_markdown() {
        let p = conv(
            "Intro\n{{< hint warning >}}\nMind **this**.\n{{< /hint >}}\nSee [x]({{< ref \"docs/x.md\" >}}).\n{{< figure src=\"/img/a.png\" caption=\"The screen\" >}}\n{{< unknown >}}\n",
        );
        assert_eq!(
            p.body,
            "Intro\n\n> [!WARNING]\n> Mind **this**.\n\nSee [x](shirube-ref:docs/x.md).\n![The screen](/img/a.png)\n*The screen*\n{{< unknown >}}\n"
        );
        assert_eq!(
            p.left,
            [(
                7,
                "Hugo shortcode {{< unknown >}} (no equivalent in shirube)".to_string()
            )]
        );
        let p = conv("{{% notice tip \"Title\" %}}\nA\n{{% /notice %}}\n");
        assert_eq!(p.body, "> [!TIP]\n> A\n\n");
    }
}
