//! MkDocs: `mkdocs.yml` (site name, address, `docs_dir`, `nav` for titles and order) and the Markdown files of
//! `docs/`. Admonitions (`!!! note "Title"`, collapsible `???` and `???+`) become shirube's `> [!NOTE]` (the
//! collapsible ones `<details>`), content tabs (`=== "Tab"`) follow one another under their titles. Snippets
//! (`--8<--`) and other extensions stay as written and are listed.

use super::SourceSite;
use super::front::{self, str_of};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// Reads an MkDocs site.
pub fn read(src: &Path, into: &Path) -> Result<SourceSite, String> {
    let mut site = SourceSite::default();
    let cfg_path = ["mkdocs.yml", "mkdocs.yaml"]
        .iter()
        .map(|n| src.join(n))
        .find(|p| p.is_file());
    let mut docs_dir = "docs".to_string();
    let mut nav: HashMap<String, (String, i64, Option<String>)> = HashMap::new();
    if let Some(p) = &cfg_path {
        let text = super::read_text(p)?;
        // Python tags (`!!python/name:...`, `!ENV`) mean nothing here: read the values as plain text.
        let plain: String = text
            .lines()
            .map(|l| {
                l.replace("!!python/name:", "")
                    .replace("!!python/object/apply:", "")
                    .replace("!ENV ", "")
            })
            .collect::<Vec<_>>()
            .join("\n");
        let cfg = front::parse_yaml(&plain).map_err(|e| format!("{}: {e}", p.display()))?;
        site.title = str_of(&cfg, "site_name");
        site.base_url = str_of(&cfg, "site_url");
        if let Some(d) = str_of(&cfg, "docs_dir") {
            docs_dir = d;
        }
        site.language = cfg
            .get("theme")
            .and_then(|t| t.get("language"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(n) = cfg.get("nav") {
            let mut order = 0;
            walk_nav(n, None, &mut order, &mut nav);
        }
    }
    let docs = src.join(&docs_dir);
    if !docs.is_dir() {
        return Err(format!(
            "{} has no {docs_dir}/ folder: is it an MkDocs site? (pass the folder that holds mkdocs.yml)",
            src.display()
        ));
    }
    if let Some(b) = &site.base_url
        && let Some(rest) = b.split("://").nth(1)
    {
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        site.hosts.push(host.to_string());
        if path.len() > 1 {
            site.url_prefixes.push(path.to_string());
        }
    }
    site.static_dirs.push(docs.clone());
    for file in super::walk_markdown(&docs, &|p| super::skip_common(p, into), &["md", "markdown"]) {
        let rel = super::rel_path(&docs, &file);
        let (mut page, body_line) = super::read_page(super::rel_path(src, &file), &file)?;
        let name = rel.rsplit('/').next().unwrap_or(&rel);
        page.section_index = matches!(name, "index.md" | "README.md");
        page.rel = if page.section_index {
            match rel.rsplit_once('/') {
                Some((d, _)) => format!("{d}/index.md"),
                None => "index.md".into(),
            }
        } else {
            rel.trim_end_matches(".markdown")
                .trim_end_matches(".md")
                .to_string()
                + ".md"
        };
        let stem = page.rel.trim_end_matches(".md");
        let url = if page.section_index {
            stem.trim_end_matches("index").trim_end_matches('/')
        } else {
            stem
        };
        page.urls.push(format!("/{url}"));
        page.urls.push(format!("/{stem}.html"));
        // Before the title is taken out of the body, so that lines in the report are the file's.
        page.body = convert(&page.body, body_line, &mut page.converted, &mut page.left);
        if let Some((title, weight, section)) = nav.get(&rel) {
            if !page.front.contains_key("title") && !title.is_empty() {
                // The nav's title is the one readers saw; the file's own `# Heading` then repeats it.
                if let Some((_, rest)) = super::take_h1(&page.body) {
                    page.body = rest;
                }
                page.front
                    .insert("title".into(), Value::String(title.clone()));
            }
            page.front.entry("weight").or_insert(Value::from(*weight));
            if let Some(s) = section {
                let dir = page
                    .rel
                    .rsplit_once('/')
                    .map(|(d, _)| d.to_string())
                    .unwrap_or_default();
                if !dir.is_empty() {
                    site.folder_titles.entry(dir).or_insert(s.clone());
                }
            }
        }
        site.pages.push(page);
    }
    Ok(site)
}

/// Titles, order and section of each page named in `nav`.
fn walk_nav(
    v: &Value,
    section: Option<&str>,
    order: &mut i64,
    out: &mut HashMap<String, (String, i64, Option<String>)>,
) {
    match v {
        Value::Array(items) => {
            for i in items {
                walk_nav(i, section, order, out);
            }
        }
        Value::Object(m) => {
            for (title, val) in m {
                match val {
                    Value::String(path) if !path.contains("://") => {
                        *order += 10;
                        out.insert(
                            path.clone(),
                            (title.clone(), *order, section.map(str::to_string)),
                        );
                    }
                    Value::Array(_) => walk_nav(val, Some(title), order, out),
                    _ => {}
                }
            }
        }
        Value::String(path) if !path.contains("://") => {
            *order += 10;
            out.insert(
                path.clone(),
                (String::new(), *order, section.map(str::to_string)),
            );
        }
        _ => {}
    }
}

/// Converts admonitions and content tabs.
pub fn convert(
    body: &str,
    body_line: usize,
    converted: &mut Vec<String>,
    left: &mut Vec<(usize, String)>,
) -> String {
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    let mut fence: Option<String> = None;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim_start();
        if let Some(f) = &fence {
            if t.trim_end() == f {
                fence = None;
            }
            out.push_str(line);
            i += 1;
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(
                t.trim_end()
                    .chars()
                    .take_while(|c| *c == '`' || *c == '~')
                    .collect(),
            );
            out.push_str(line);
            i += 1;
            continue;
        }
        let indent = line.len() - t.len();
        let head = t.trim_end();
        let admon = ["!!! ", "???+ ", "??? "]
            .iter()
            .find(|p| head.starts_with(**p))
            .copied();
        let tab = head.starts_with("=== ");
        if indent == 0 && (admon.is_some() || tab) {
            // The block: following lines indented by 4 (or blank).
            let mut j = i + 1;
            let mut block = String::new();
            while j < lines.len() {
                let l = lines[j];
                if l.trim().is_empty() {
                    block.push('\n');
                } else if let Some(rest) = l.strip_prefix("    ").or_else(|| l.strip_prefix('\t')) {
                    block.push_str(rest);
                } else {
                    break;
                }
                j += 1;
            }
            let inner = convert(&block, body_line + i + 1, converted, left);
            super::hugo::block_start(&mut out);
            if let Some(p) = admon {
                let rest = head[p.len()..].trim();
                let (kind, title) = match rest.split_once(' ') {
                    Some((k, t)) => (k, Some(t.trim().trim_matches('"'))),
                    None => (rest, None),
                };
                if p == "!!! " {
                    out.push_str(&super::admonition(
                        super::admonition_class(kind),
                        title,
                        &inner,
                    ));
                    converted.push("MkDocs !!! admonition → admonition".into());
                } else {
                    let summary = title
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .unwrap_or_else(|| super::title_from_name(kind));
                    let open = if p == "???+ " { " open" } else { "" };
                    out.push_str(&format!(
                        "<details{open}><summary>{}</summary>\n\n{}\n\n</details>\n",
                        crate::text::xml_escape(&summary),
                        inner.trim()
                    ));
                    converted.push("MkDocs ??? collapsible admonition → <details>".into());
                }
            } else {
                let title = head[4..].trim().trim_matches('"');
                out.push_str(&format!(
                    "**{title}**\n\n{}",
                    inner.trim_start_matches('\n')
                ));
                converted.push("MkDocs content tab → one after another".into());
            }
            out.push('\n');
            i = j;
            continue;
        }
        if head.starts_with("--8<--") {
            left.push((
                body_line + i,
                "MkDocs snippet (--8<--): include the file's text by hand".into(),
            ));
        }
        out.push_str(line);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admonitions_and_tabs_are_converted() {
        let mut c = Vec::new();
        let mut l = Vec::new();
        let out = convert(
            "Text\n\n!!! warning \"Before you start\"\n    Back up **first**.\n\n    Second paragraph.\n\nAfter\n??? tip\n    Hidden\n```\n!!! note\n```\n",
            1,
            &mut c,
            &mut l,
        );
        assert_eq!(
            out,
            "Text\n\n> [!WARNING]\n> **Before you start**\n>\n> Back up **first**.\n>\n> Second paragraph.\n\nAfter\n\n<details><summary>Tip</summary>\n\nHidden\n\n</details>\n\n```\n!!! note\n```\n"
        );
        assert_eq!(c.len(), 2);
    }
}
