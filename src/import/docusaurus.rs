//! Docusaurus: the `docs/` folder (`.md` and `.mdx`), `_category_.json`/`_category_.yml` for folder labels and
//! order, `static/` for site-absolute images, `docusaurus.config.js` for the title and address (read loosely:
//! it is JavaScript). Admonitions (`:::note Title`, `:::tip[Title]`) become shirube's; MDX `import` lines are
//! dropped and `<Tabs>`/`<TabItem label="...">` follow one another; other JSX stays as written and is listed.
//! Files and folders whose names start with `_` are partials, not pages, as in Docusaurus.

use super::SourceSite;
use super::front::{self, str_of};
use serde_json::Value;
use std::path::Path;

/// Reads a Docusaurus site (the folder with docusaurus.config.js, or a docs folder alone).
pub fn read(src: &Path, into: &Path) -> Result<SourceSite, String> {
    let mut site = SourceSite::default();
    let docs = if src.join("docs").is_dir() {
        src.join("docs")
    } else {
        src.to_path_buf()
    };
    let mut route = "/docs".to_string();
    for name in [
        "docusaurus.config.js",
        "docusaurus.config.ts",
        "docusaurus.config.mjs",
    ] {
        let Ok(text) = std::fs::read_to_string(src.join(name)) else {
            continue;
        };
        site.title = js_string(&text, "title");
        let url = js_string(&text, "url");
        let base = js_string(&text, "baseUrl").unwrap_or_else(|| "/".into());
        if let Some(u) = &url {
            site.base_url = Some(format!("{}{}", u.trim_end_matches('/'), base));
            if let Some(host) = u.split("://").nth(1) {
                site.hosts.push(host.trim_end_matches('/').to_string());
            }
        }
        if base != "/" {
            site.url_prefixes
                .push(base.trim_end_matches('/').to_string());
        }
        if let Some(r) = js_string(&text, "routeBasePath") {
            route = format!("/{}", r.trim_matches('/'));
        }
        if text.contains("defaultLocale: 'ja'") || text.contains("defaultLocale: \"ja\"") {
            site.language = Some("ja".into());
        }
        break;
    }
    site.url_prefixes.push(route.clone());
    site.static_dirs.push(src.join("static"));
    let skip = |p: &Path| {
        super::skip_common(p, into)
            || p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('_'))
            || p.ends_with("node_modules")
    };
    // Folder labels.
    for e in walkdir::WalkDir::new(&docs)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !skip(e.path()))
        .flatten()
    {
        if !e.file_type().is_dir() {
            continue;
        }
        for name in ["_category_.json", "_category_.yml", "_category_.yaml"] {
            let Ok(text) = std::fs::read_to_string(e.path().join(name)) else {
                continue;
            };
            let cat = if name.ends_with(".json") {
                serde_json::from_str(&text).map_err(|e| e.to_string())
            } else {
                front::parse_yaml(&text)
            };
            match cat {
                Ok(c) => {
                    if let Some(label) = str_of(&c, "label") {
                        site.folder_titles
                            .insert(super::rel_path(&docs, e.path()), label);
                    }
                }
                Err(err) => site.notes.push(format!(
                    "{}: cannot be read ({err})",
                    super::rel_path(src, &e.path().join(name))
                )),
            }
        }
    }
    for file in super::walk_markdown(&docs, &skip, &["md", "mdx"]) {
        let rel = super::rel_path(&docs, &file);
        let (mut page, body_line) = super::read_page(super::rel_path(src, &file), &file)?;
        let stem = rel.trim_end_matches(".mdx").trim_end_matches(".md");
        let name = stem.rsplit('/').next().unwrap_or(stem);
        page.section_index = matches!(name, "index" | "README");
        page.rel = if page.section_index {
            match stem.rsplit_once('/') {
                Some((d, _)) => format!("{d}/index.md"),
                None => "index.md".into(),
            }
        } else {
            format!("{stem}.md")
        };
        // The URL: the slug, or the path (the doc id as last part, number prefixes dropped).
        let dir = stem.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let clean = |s: &str| {
            s.split('/')
                .map(strip_number_prefix)
                .collect::<Vec<_>>()
                .join("/")
        };
        let url = match str_of(&page.front, "slug") {
            Some(s) if s.starts_with('/') => s,
            Some(s) => format!("/{}/{s}", clean(dir)),
            None if page.section_index => format!("/{}", clean(dir)),
            None => {
                let id = str_of(&page.front, "id")
                    .unwrap_or_else(|| strip_number_prefix(name).to_string());
                format!(
                    "/{}",
                    [clean(dir), id]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("/")
                )
            }
        };
        page.urls.push(format!("{route}{url}").replace("//", "/"));
        if !page.front.contains_key("title") {
            if let Some((t, rest)) = super::take_h1(&convert_mdx_imports(&page.body)) {
                page.body = rest;
                page.front.insert("title".into(), Value::String(t));
            } else if let Some(l) = str_of(&page.front, "sidebar_label") {
                page.front.insert("title".into(), Value::String(l));
            }
        }
        if front::bool_of(&page.front, "unlisted") == Some(true) {
            page.left.push((1, "unlisted: true (shirube has no unlisted pages: it is published like the others once proven)".into()));
        }
        page.body = convert(&page.body, body_line, &mut page.converted, &mut page.left);
        site.pages.push(page);
    }
    Ok(site)
}

/// `01-intro` → `intro`, as Docusaurus makes doc ids.
fn strip_number_prefix(s: &str) -> &str {
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        let rest = &s[digits..];
        for sep in ['-', '_', '.', ' '] {
            if let Some(r) = rest.strip_prefix(sep) {
                return r;
            }
        }
    }
    s
}

/// The string value of `key: '...'` (or `"..."`) in a JavaScript config, read loosely.
fn js_string(text: &str, key: &str) -> Option<String> {
    for line in text.lines() {
        let t = line.trim();
        let Some(rest) = t
            .strip_prefix(key)
            .and_then(|r| r.trim_start().strip_prefix(':'))
        else {
            continue;
        };
        let rest = rest.trim();
        let q = rest.chars().next()?;
        if !matches!(q, '\'' | '"' | '`') {
            continue;
        }
        let end = rest[1..].find(q)?;
        return Some(rest[1..1 + end].to_string());
    }
    None
}

/// The body without MDX `import` lines (for finding the title).
fn convert_mdx_imports(body: &str) -> String {
    body.lines()
        .filter(|l| !(l.starts_with("import ") && (l.contains(" from ") || l.ends_with(';'))))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Admonitions, MDX imports, tabs.
pub fn convert(
    body: &str,
    body_line: usize,
    converted: &mut Vec<String>,
    left: &mut Vec<(usize, String)>,
) -> String {
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    let mut out = String::with_capacity(body.len());
    let mut fence: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim();
        if let Some(f) = &fence {
            if t == f {
                fence = None;
            }
            out.push_str(line);
            i += 1;
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(t.chars().take_while(|c| *c == '`' || *c == '~').collect());
            out.push_str(line);
            i += 1;
            continue;
        }
        if t.starts_with("import ") && (t.contains(" from ") || t.ends_with(';')) {
            converted.push("MDX import line dropped".into());
            i += 1;
            continue;
        }
        let colons = t.chars().take_while(|c| *c == ':').count();
        if colons >= 3 && t.len() > colons {
            let head = &t[colons..];
            let kind: String = head.chars().take_while(|c| c.is_alphanumeric()).collect();
            let rest = head[kind.len()..].trim();
            let title = rest
                .strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .unwrap_or(rest);
            // The closing line: the same number of colons alone.
            let close = (i + 1..lines.len()).find(|&j| lines[j].trim() == ":".repeat(colons));
            if let (false, Some(c)) = (kind.is_empty(), close) {
                let inner: String = lines[i + 1..c].concat();
                let inner = convert(&inner, body_line + i + 1, converted, left);
                super::hugo::block_start(&mut out);
                out.push_str(&super::admonition(
                    super::admonition_class(&kind),
                    Some(title).filter(|t| !t.is_empty()),
                    &inner,
                ));
                converted.push(format!("Docusaurus :::{kind} → admonition"));
                i = c + 1;
                continue;
            }
        }
        if t == "<Tabs>" || t.starts_with("<Tabs ") || t == "</Tabs>" || t == "</TabItem>" {
            converted.push("Docusaurus tabs → one after another".into());
            i += 1;
            continue;
        }
        if t.starts_with("<TabItem") {
            let label = attr(t, "label")
                .or_else(|| attr(t, "value"))
                .unwrap_or_default();
            if !label.is_empty() {
                out.push_str(&format!("**{label}**\n\n"));
            }
            i += 1;
            continue;
        }
        if t.starts_with('<') && t.chars().nth(1).is_some_and(|c| c.is_ascii_uppercase()) {
            left.push((
                body_line + i,
                format!(
                    "MDX component {} (no equivalent in shirube)",
                    t.split_whitespace().next().unwrap_or(t)
                ),
            ));
        }
        out.push_str(line);
        i += 1;
    }
    out
}

/// `name="value"` in a tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!("{name}="))? + name.len() + 1;
    let q = tag[at..].chars().next()?;
    let rest = &tag[at + 1..];
    Some(rest[..rest.find(q)?].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admonitions_tabs_and_imports_are_converted() {
        let mut c = Vec::new();
        let mut l = Vec::new();
        let out = convert(
            "import Tabs from '@theme/Tabs';\n\nText\n\n:::tip[Good to know]\nA tip.\n:::\n\n<Tabs>\n<TabItem value=\"mac\" label=\"macOS\">\nMac.\n</TabItem>\n</Tabs>\n<Custom />\n",
            1,
            &mut c,
            &mut l,
        );
        assert_eq!(
            out,
            "\nText\n\n> [!TIP]\n> **Good to know**\n>\n> A tip.\n\n**macOS**\n\nMac.\n<Custom />\n"
        );
        assert_eq!(
            l,
            [(
                14,
                "MDX component <Custom (no equivalent in shirube)".to_string()
            )]
        );
        assert_eq!(strip_number_prefix("01-intro"), "intro");
        assert_eq!(
            js_string("  title: 'Kumo Docs',\n", "title").as_deref(),
            Some("Kumo Docs")
        );
    }
}
