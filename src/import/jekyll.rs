//! Jekyll: `_config.yml` (title, address, language, collections), pages with front matter anywhere in the site,
//! `_posts/` and other collections. Liquid is resolved where it can be: `{% link %}` and `{% post_url %}` become
//! links to the `.md` files, `{{ site.baseurl }}` and `relative_url` are dropped, `{% include %}` of a Markdown or
//! text file in `_includes/` is inlined, `{% highlight %}` becomes fenced code, `{% raw %}` and comments go.
//! just-the-docs callouts (`{: .note }` before a paragraph) become admonitions. Other Liquid stays as written and
//! is listed. As in Jekyll, Markdown files without front matter are not pages.

use super::front::{self, str_of};
use super::tags;
use super::{RawPage, SourceSite};
use std::path::Path;

/// Reads a Jekyll site.
pub fn read(src: &Path, into: &Path) -> Result<SourceSite, String> {
    let mut site = SourceSite::default();
    let mut collections = vec!["posts".to_string()];
    let cfg_path = src.join("_config.yml");
    if let Ok(text) = std::fs::read_to_string(&cfg_path) {
        let cfg = front::parse_yaml(&text).map_err(|e| format!("{}: {e}", cfg_path.display()))?;
        site.title = str_of(&cfg, "title");
        site.language = str_of(&cfg, "lang").or_else(|| str_of(&cfg, "locale"));
        let url = str_of(&cfg, "url");
        let base = str_of(&cfg, "baseurl").unwrap_or_default();
        if let Some(u) = &url {
            site.base_url = Some(format!(
                "{}{}/",
                u.trim_end_matches('/'),
                base.trim_end_matches('/')
            ));
            if let Some(h) = u.split("://").nth(1) {
                site.hosts.push(h.trim_end_matches('/').to_string());
            }
        }
        if !base.is_empty() && base != "/" {
            site.url_prefixes
                .push(base.trim_end_matches('/').to_string());
        }
        match cfg.get("collections") {
            Some(serde_json::Value::Object(m)) => collections.extend(m.keys().cloned()),
            Some(serde_json::Value::Array(a)) => {
                collections.extend(a.iter().filter_map(|v| v.as_str().map(str::to_string)));
            }
            _ => {}
        }
    } else if !src.join("_posts").is_dir() {
        return Err(format!(
            "{} has no _config.yml: is it a Jekyll site?",
            src.display()
        ));
    }
    site.static_dirs.push(src.to_path_buf());
    let skip = |p: &Path| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let top = p.parent() == Some(src);
        super::skip_common(p, into)
            || matches!(
                name.as_str(),
                "_site" | "vendor" | "node_modules" | ".jekyll-cache"
            )
            || (top
                && name.starts_with('_')
                && p.is_dir()
                && !collections.iter().any(|c| name == format!("_{c}")))
            || (name.starts_with('_') && !p.is_dir())
    };
    let mut no_front = 0;
    for file in super::walk_markdown(src, &skip, &["md", "markdown"]) {
        let rel_src = super::rel_path(src, &file);
        let text = super::read_text(&file)?;
        let split = match front::split(&text) {
            Ok(s) if text.starts_with("---") => s,
            Ok(_) => {
                no_front += 1;
                continue;
            }
            Err((line, e)) => {
                site.notes
                    .push(format!("{rel_src}:{line}: {e}: not imported"));
                continue;
            }
        };
        let mut page = RawPage {
            src: rel_src.clone(),
            file: Some(file.clone()),
            front: split.front,
            body: split.body,
            ..RawPage::default()
        };
        let stem = rel_src
            .trim_end_matches(".markdown")
            .trim_end_matches(".md");
        let (rel, url) = match stem.split_once('/') {
            Some(("_posts", rest)) => {
                let name = rest.rsplit('/').next().unwrap_or(rest);
                page.ids.push(name.to_string());
                let (date, title) = post_parts(name);
                let url = match date {
                    Some((y, m, d)) => format!("/{y}/{m}/{d}/{title}"),
                    None => format!("/{title}"),
                };
                if let Some((y, _, _)) = date {
                    page.front
                        .entry("date")
                        .or_insert(serde_json::Value::String(name[..10].to_string()));
                    let _ = y;
                }
                (format!("posts/{title}.md"), url)
            }
            Some((dir, rest)) if dir.starts_with('_') => (
                format!("{}/{rest}.md", &dir[1..]),
                format!("/{}/{rest}", &dir[1..]),
            ),
            _ => (format!("{stem}.md"), format!("/{stem}")),
        };
        let name = rel.rsplit('/').next().unwrap_or(&rel);
        page.section_index = matches!(name, "index.md" | "README.md");
        page.rel = rel;
        page.urls.push(url.trim_end_matches("/index").to_string());
        if let Some(p) = str_of(&page.front, "permalink") {
            page.urls.insert(0, p);
        }
        if let Some(p) = str_of(&page.front, "parent") {
            page.front
                .entry("categories")
                .or_insert(serde_json::Value::String(p));
        }
        if let Some(e) = str_of(&page.front, "excerpt") {
            page.front
                .entry("description")
                .or_insert(serde_json::Value::String(e));
        }
        convert(&mut page, split.body_line, src);
        site.pages.push(page);
    }
    if no_front > 0 {
        site.notes.push(format!(
            "{no_front} Markdown files without front matter were left out: Jekyll does not publish them as pages either"
        ));
    }
    Ok(site)
}

/// `2024-03-01-renew-your-plan` → the date and the title part.
fn post_parts(name: &str) -> (Option<(&str, &str, &str)>, &str) {
    let b = name.as_bytes();
    if name.len() > 11
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'-'
        && name[..4].chars().all(|c| c.is_ascii_digit())
    {
        (Some((&name[..4], &name[5..7], &name[8..10])), &name[11..])
    } else {
        (None, name)
    }
}

/// Liquid and kramdown callouts.
fn convert(page: &mut RawPage, body_line: usize, src: &Path) {
    let body = std::mem::take(&mut page.body);
    // Output tags first: `{{ site.baseurl }}` and `| relative_url`.
    let mut text = String::with_capacity(body.len());
    let blocks = tags::scan(&body, &[("{%", "%}")], "end");
    let raw: Vec<std::ops::Range<usize>> = blocks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.name == "raw" && !t.closing)
        .filter_map(|(k, t)| {
            tags::matching_close(&blocks, k).map(|c| t.range.end..blocks[c].range.start)
        })
        .collect();
    let outs = tags::scan(&body, &[("{{", "}}")], "\u{0}");
    let mut at = 0;
    for t in outs
        .iter()
        .filter(|t| !raw.iter().any(|r| r.contains(&t.range.start)))
    {
        text.push_str(&body[at..t.range.start]);
        at = t.range.end;
        let inner = body[t.range.start + 2..t.range.end - 2].trim();
        if inner == "site.baseurl"
            || inner == "site.url"
            || inner == "site.url | append: site.baseurl"
        {
            page.converted
                .push("Jekyll {{ site.baseurl }} dropped".into());
        } else if let Some(path) = inner
            .strip_suffix("| relative_url")
            .or_else(|| inner.strip_suffix("| absolute_url"))
        {
            text.push_str(path.trim().trim_matches(['\'', '"']));
            page.converted.push("Jekyll relative_url → path".into());
        } else {
            text.push_str(&body[t.range.clone()]);
            page.left.push((
                tags::line_of(&body, t.range.start, body_line),
                format!("Liquid {{{{ {inner} }}}}"),
            ));
        }
    }
    text.push_str(&body[at..]);
    // Then `{% ... %}` tags.
    let ts = tags::scan(&text, &[("{%", "%}")], "end");
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut k = 0;
    while k < ts.len() {
        let t = &ts[k];
        out.push_str(&text[at..t.range.start]);
        at = t.range.end;
        let line = tags::line_of(&text, t.range.start, body_line);
        let close = if t.closing {
            None
        } else {
            tags::matching_close(&ts, k)
        };
        match (t.name.as_str(), close) {
            ("link", _) => {
                out.push_str(&format!(
                    "shirube-ref:{}",
                    t.args.first().cloned().unwrap_or_default()
                ));
                page.converted
                    .push("Jekyll {% link %} → link to the .md file".into());
            }
            ("post_url", _) => {
                out.push_str(&format!(
                    "shirube-ref:{}",
                    t.args.first().cloned().unwrap_or_default()
                ));
                page.converted
                    .push("Jekyll {% post_url %} → link to the .md file".into());
            }
            ("raw", Some(c)) => {
                out.push_str(&text[t.range.end..ts[c].range.start]);
                at = ts[c].range.end;
                k = c + 1;
                continue;
            }
            ("comment", Some(c)) => {
                at = ts[c].range.end;
                page.converted.push("Liquid comment dropped".into());
                k = c + 1;
                continue;
            }
            ("highlight", Some(c)) => {
                let lang = t.args.first().cloned().unwrap_or_default();
                super::hugo::block_start(&mut out);
                out.push_str(&format!(
                    "```{lang}\n{}\n```",
                    text[t.range.end..ts[c].range.start].trim_matches('\n')
                ));
                page.converted
                    .push("Jekyll {% highlight %} → fenced code".into());
                at = ts[c].range.end;
                k = c + 1;
                continue;
            }
            ("include", _) => {
                let name = t.args.first().cloned().unwrap_or_default();
                let file = src.join("_includes").join(&name);
                let plain = (name.ends_with(".md")
                    || name.ends_with(".markdown")
                    || name.ends_with(".txt"))
                    && !name.contains("..");
                let inlined = std::fs::read_to_string(&file)
                    .ok()
                    .filter(|s| plain && !s.contains("{%") && !s.contains("{{"));
                match inlined {
                    Some(s) => {
                        out.push_str(s.trim_end());
                        page.converted
                            .push("Jekyll {% include %} of a Markdown file → its text".into());
                    }
                    None => {
                        out.push_str(&text[t.range.clone()]);
                        page.left.push((line, format!("Jekyll {{% include {name} %}} (not a plain Markdown file: include it by hand)")));
                    }
                }
            }
            _ => {
                out.push_str(&text[t.range.clone()]);
                if !t.closing {
                    page.left
                        .push((line, format!("Liquid tag {{% {} %}}", t.name)));
                }
            }
        }
        k += 1;
    }
    out.push_str(&text[at..]);
    page.body = callouts(&out, &mut page.converted);
}

/// just-the-docs callouts: a `{: .note }` line with the paragraph after it (or before it) → an admonition; other
/// kramdown attribute lines (`{: .no_toc }`, `{:toc}`) are dropped.
fn callouts(body: &str, converted: &mut Vec<String>) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim();
        if t.starts_with("{:") && t.ends_with('}') {
            let class = t
                .trim_start_matches("{:")
                .trim_end_matches('}')
                .trim()
                .trim_start_matches('.');
            let known = [
                "note",
                "tip",
                "important",
                "warning",
                "caution",
                "highlight",
                "new",
                "danger",
            ];
            if known.iter().any(|k| class.starts_with(k))
                && i + 1 < lines.len()
                && !lines[i + 1].trim().is_empty()
            {
                let mut j = i + 1;
                let mut para = String::new();
                while j < lines.len() && !lines[j].trim().is_empty() {
                    para.push_str(lines[j]);
                    para.push('\n');
                    j += 1;
                }
                out.push(
                    super::admonition(
                        super::admonition_class(class.split('-').next().unwrap_or(class)),
                        None,
                        &para,
                    )
                    .trim_end()
                    .to_string(),
                );
                converted.push("just-the-docs callout → admonition".into());
                i = j;
                continue;
            }
            converted.push("kramdown attribute line dropped".into());
            i += 1;
            continue;
        }
        out.push(lines[i].to_string());
        i += 1;
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liquid_and_callouts_are_converted() {
        let mut p = RawPage {
            body: "See [a]({% link docs/a.md %}) and [b]({% post_url 2024-01-02-b %}), [c]({{ site.baseurl }}/c/).\n{% raw %}{{ x }}{% endraw %}\n{% comment %}hidden{% endcomment %}\n{: .warning }\nBack up first.\n\n{% unknown %}\n".into(),
            ..RawPage::default()
        };
        convert(&mut p, 1, Path::new("/nonexistent"));
        assert_eq!(
            p.body,
            "See [a](shirube-ref:docs/a.md) and [b](shirube-ref:2024-01-02-b), [c](/c/).\n{{ x }}\n\n> [!WARNING]\n> Back up first.\n\n{% unknown %}\n"
        );
        assert_eq!(p.left, [(7, "Liquid tag {% unknown %}".to_string())]);
        assert_eq!(
            post_parts("2024-01-02-b"),
            (Some(("2024", "01", "02")), "b")
        );
    }
}
