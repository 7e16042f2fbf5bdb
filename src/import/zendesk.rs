//! Zendesk Guide (Help Center): the articles JSON of the API (`{"articles": [...], "sections": [...],
//! "categories": [...]}`, one file or a folder of pages of it, `sections.json`/`categories.json` beside them, or a
//! bare list of articles). Bodies are HTML, converted with [`super::html`]; images stay links to the help centre
//! (nothing is fetched); links between articles (`/hc/<locale>/articles/<id>-...`) become links to the `.md` files.

use super::{RawPage, SourceSite};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Reads a Zendesk export: a JSON file, or a folder of them.
pub fn read(src: &Path) -> Result<SourceSite, String> {
    let files: Vec<PathBuf> = if src.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(src)
            .map_err(|e| format!("cannot read {}: {e}", src.display()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        v.sort();
        v
    } else {
        vec![src.to_path_buf()]
    };
    let mut articles: Vec<(String, Value)> = Vec::new();
    let mut sections: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    let mut categories: BTreeMap<String, String> = BTreeMap::new();
    for f in &files {
        let text = super::read_text(f)?;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let v: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
            format!(
                "{}:{}:{}: not valid JSON: {e}",
                f.display(),
                e.line(),
                e.column()
            )
        })?;
        let (arts, secs, cats) = match &v {
            Value::Array(a) => (Some(a.clone()), None, None),
            Value::Object(o) => (
                o.get("articles")
                    .and_then(Value::as_array)
                    .cloned()
                    .or_else(|| o.get("article").map(|a| vec![a.clone()])),
                o.get("sections").and_then(Value::as_array).cloned(),
                o.get("categories").and_then(Value::as_array).cloned(),
            ),
            _ => (None, None, None),
        };
        if arts.is_none() && secs.is_none() && cats.is_none() {
            return Err(format!(
                "{}: no \"articles\", \"sections\" or \"categories\" list: is it a Help Center export?",
                f.display()
            ));
        }
        for a in arts.unwrap_or_default() {
            articles.push((name.clone(), a));
        }
        for s in secs.unwrap_or_default() {
            if let (Some(id), Some(n)) = (id_of(&s, "id"), s.get("name").and_then(Value::as_str)) {
                sections.insert(id, (n.to_string(), id_of(&s, "category_id")));
            }
        }
        for c in cats.unwrap_or_default() {
            if let (Some(id), Some(n)) = (id_of(&c, "id"), c.get("name").and_then(Value::as_str)) {
                categories.insert(id, n.to_string());
            }
        }
    }
    let mut site = SourceSite {
        title: Some("Help Center".into()),
        ..SourceSite::default()
    };
    let locales: std::collections::BTreeSet<String> = articles
        .iter()
        .filter_map(|(_, a)| {
            a.get("locale")
                .and_then(Value::as_str)
                .map(str::to_lowercase)
        })
        .collect();
    let ja = articles
        .iter()
        .filter(|(_, a)| {
            a.get("locale")
                .and_then(Value::as_str)
                .is_some_and(|l| l.starts_with("ja"))
        })
        .count();
    site.language = Some(if ja * 2 > articles.len() {
        "ja".into()
    } else {
        "en".into()
    });
    for (k, (file, a)) in articles.iter().enumerate() {
        let id = id_of(a, "id").unwrap_or_else(|| format!("article-{}", k + 1));
        let title = a
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string();
        let locale = a
            .get("locale")
            .and_then(Value::as_str)
            .map(str::to_lowercase);
        let html = a.get("body").and_then(Value::as_str).unwrap_or("");
        let mut page = RawPage {
            src: format!("{file} (article {id})"),
            ..RawPage::default()
        };
        page.body = match super::html::to_markdown(html) {
            Ok((md, promoted)) => {
                for _ in 0..promoted {
                    page.converted.push(
                        "Zendesk table without a header row: its first row made the header".into(),
                    );
                }
                md
            }
            Err(e) => {
                page.left.push((
                    0,
                    format!("the HTML body could not be converted ({e}): kept as HTML"),
                ));
                html.to_string()
            }
        };
        page.converted.push("Zendesk HTML body → Markdown".into());
        if !title.is_empty() {
            page.front
                .insert("title".into(), Value::String(title.clone()));
        }
        if a.get("draft").and_then(Value::as_bool) == Some(true) {
            page.front.insert("draft".into(), Value::Bool(true));
        }
        // Visible only to signed-in users or an internal segment in the help centre: not for a public guide
        // unless the author says so.
        if a.get("user_segment_id").is_some_and(|v| !v.is_null()) {
            page.front.insert("draft".into(), Value::Bool(true));
            page.left.push((
                0,
                "restricted to a user segment in Zendesk: imported as a draft (remove `draft: true` to publish it)".into(),
            ));
        }
        if let Some(p) = a
            .get("position")
            .and_then(Value::as_i64)
            .filter(|p| *p != 0)
        {
            page.front.insert("weight".into(), Value::from(p));
        }
        if let Some(labels) = a
            .get("label_names")
            .and_then(Value::as_array)
            .filter(|l| !l.is_empty())
        {
            page.front
                .insert("tags".into(), Value::Array(labels.clone()));
        }
        for key in ["updated_at", "created_at"] {
            if let Some(d) = a.get(key).and_then(Value::as_str) {
                page.front
                    .insert("date".into(), Value::String(d.to_string()));
                break;
            }
        }
        let section = id_of(a, "section_id").and_then(|s| sections.get(&s).cloned());
        let section_slug = match (&section, id_of(a, "section_id")) {
            (Some((name, _)), sid) => {
                let s = crate::slug::ascii_slug(name);
                if s.is_empty() {
                    format!("section-{}", sid.unwrap_or_default())
                } else {
                    s
                }
            }
            (None, Some(sid)) => format!("section-{sid}"),
            (None, None) => "articles".into(),
        };
        if let Some((name, cat)) = &section {
            page.section = Some(name.clone());
            page.category = cat.as_ref().and_then(|c| categories.get(c).cloned());
        }
        let slug = crate::slug::ascii_slug(&title);
        let name = if slug.is_empty() {
            id.clone()
        } else {
            format!("{id}-{}", cut(&slug, 60))
        };
        page.rel = match (&locale, locales.len() > 1) {
            (Some(l), true) => format!("{l}/{section_slug}/{name}.md"),
            _ => format!("{section_slug}/{name}.md"),
        };
        page.ids.push(id.clone());
        if let Some(l) = &locale {
            page.ids.push(format!("{l}/{id}"));
        }
        if let Some(u) = a.get("html_url").and_then(Value::as_str)
            && let Some(rest) = u.split("://").nth(1)
        {
            let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            if !site.hosts.iter().any(|h| h == host) {
                site.hosts.push(host.to_string());
            }
            page.urls.push(path.to_string());
        }
        site.pages.push(page);
    }
    if site.pages.is_empty() {
        return Err(format!("{}: the export holds no articles", src.display()));
    }
    Ok(site)
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].trim_end_matches('-')
}

/// An id field (a number in the API, sometimes a string) as text.
fn id_of(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// The article id and locale of a Help Center article URL path (`/hc/ja/articles/360001-title`).
pub fn article_of(path: &str) -> Option<(Option<String>, String)> {
    let i = path.find("/articles/")?;
    let id: String = path[i + "/articles/".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if id.is_empty() {
        return None;
    }
    let locale = path[..i]
        .strip_prefix("/hc/")
        .filter(|l| !l.is_empty() && !l.contains('/'))
        .map(str::to_lowercase);
    Some((locale, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_links_give_their_id_and_locale() {
        assert_eq!(
            article_of("/hc/ja/articles/360001-設定"),
            Some((Some("ja".into()), "360001".into()))
        );
        assert_eq!(article_of("/hc/articles/42"), Some((None, "42".into())));
        assert_eq!(article_of("/hc/en-us/sections/1"), None);
    }
}
