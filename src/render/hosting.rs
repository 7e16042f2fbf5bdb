//! Files for static hosts: a redirect page at each old URL of a page (`aliases:`), and `_redirects` and
//! `_headers`, which Netlify and Cloudflare Pages read (`hosting:` in `shirube.yaml` turns either off).

use crate::config::Config;
use crate::model::{OutputFile, Page};
use crate::text::escape_attr;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// The output path of an alias (relative to the base path, as [`Page::aliases`] holds it).
fn alias_path(alias: &str) -> String {
    if alias.ends_with(".html") {
        alias.to_string()
    } else {
        format!("{alias}index.html")
    }
}

/// A page at each alias of each page in the build that sends the reader on to the page: a meta refresh and a
/// link, no script, and a canonical link so that search engines move the old URL's standing to the new one.
pub fn alias_pages<'a>(config: &Config, pages: impl Iterator<Item = &'a Page>) -> Vec<OutputFile> {
    let base = &config.base_url.path;
    let origin = &config.base_url.origin;
    let lang = config.language.code();
    let mut files = Vec::new();
    for page in pages {
        let to = escape_attr(&format!("{base}{}", page.url));
        let canonical = escape_attr(&format!("{origin}{base}{}", page.url));
        let title = crate::text::xml_escape(&page.title);
        for (alias, _, _) in &page.aliases {
            let html = format!(
                "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
                 <title>{title}</title>\n<link rel=\"canonical\" href=\"{canonical}\">\n\
                 <meta name=\"robots\" content=\"noindex\">\n\
                 <meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n\
                 <body>\n<p><a href=\"{to}\">{title}</a></p>\n</body>\n</html>\n"
            );
            files.push(OutputFile {
                path: alias_path(alias),
                bytes: html.into_bytes(),
            });
        }
    }
    files
}

/// `_redirects`: a permanent redirect from each alias to its page, for hosts that read the file (the alias
/// pages stay for those that do not). `None` when turned off or when no page has an alias.
pub fn redirects<'a>(config: &Config, pages: impl Iterator<Item = &'a Page>) -> Option<OutputFile> {
    if !config.hosting.redirects {
        return None;
    }
    let base = &config.base_url.path;
    let mut text = String::new();
    for page in pages {
        for (alias, _, _) in &page.aliases {
            text.push_str(&format!("{base}{alias} {base}{} 301\n", page.url));
        }
    }
    (!text.is_empty()).then(|| OutputFile {
        path: "_redirects".into(),
        bytes: format!(
            "# Written by shirube: one line per alias (`aliases:` in front matter).\n{text}"
        )
        .into_bytes(),
    })
}

/// The Content-Security-Policy of a guide whose inline scripts have these hashes (`'sha256-…'`): scripts and
/// styles only from the site itself, images and media from anywhere (they cannot run code), no plugins, no
/// framing by other sites. `serve` sends the same policy (`serve::http::CSP`, checked by a test).
pub fn policy(script_hashes: &BTreeSet<String>) -> String {
    let mut scripts = String::from("'self'");
    for h in script_hashes {
        scripts.push(' ');
        scripts.push_str(h);
    }
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src * data: blob:; \
         media-src * data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
    )
}

/// The hashes (`'sha256-…'`) of the inline scripts of an HTML file: `<script>` elements without `src` whose
/// type runs (none, or a JavaScript type). JSON data blocks are not scripts to the policy.
pub fn inline_script_hashes(html: &[u8], into: &mut BTreeSet<String>) {
    let Ok(html) = std::str::from_utf8(html) else {
        return;
    };
    // Tag names in any case: ASCII lower-casing keeps every byte offset.
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(i) = lower[at..].find("<script") {
        let tag = at + i + "<script".len();
        let Some(tag_end) = lower[tag..].find('>').map(|e| tag + e) else {
            return;
        };
        let attrs = &html[tag..tag_end];
        let Some(close) = lower[tag_end + 1..]
            .find("</script")
            .map(|c| tag_end + 1 + c)
        else {
            return;
        };
        let body = &html[tag_end + 1..close];
        at = close;
        let runs = match attr(attrs, "type") {
            None => true,
            Some(t) => {
                let t = t.to_ascii_lowercase();
                t.is_empty()
                    || t == "module"
                    || t.contains("javascript")
                    || t.contains("ecmascript")
            }
        };
        if runs && attr(attrs, "src").is_none() {
            let digest = Sha256::digest(body.as_bytes());
            let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
            into.insert(format!("'sha256-{b64}'"));
        }
    }
}

/// The value of attribute `name` in the inside of a start tag, as the theme writes them (`name="value"`,
/// `name='value'`, `name=value`, or bare).
fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = &attrs[at + name.len()..];
        if !before_ok {
            continue;
        }
        let after_trim = after.trim_start();
        if let Some(v) = after_trim.strip_prefix('=') {
            let v = v.trim_start();
            return Some(match v.chars().next() {
                Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or(""),
                _ => v
                    .split(|c: char| c.is_ascii_whitespace())
                    .next()
                    .unwrap_or(""),
            });
        }
        if after.is_empty() || after.starts_with(|c: char| c.is_ascii_whitespace() || c == '/') {
            return Some("");
        }
    }
    None
}

/// `_headers`: `nosniff`, a referrer policy and the [`policy`] for every file, and "cache forever" for the
/// files named by their content (`immutable`). Pages get no cache rule, so hosts keep their default for HTML
/// (revalidate on every visit). `None` when turned off.
pub fn headers(
    config: &Config,
    script_hashes: &BTreeSet<String>,
    immutable: &[String],
) -> Option<OutputFile> {
    if !config.hosting.headers {
        return None;
    }
    let base = &config.base_url.path;
    let mut text = format!(
        "# Written by shirube for Netlify and Cloudflare Pages (`hosting: {{ headers: false }}` turns it off).\n\
         {base}*\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: strict-origin-when-cross-origin\n  \
         Content-Security-Policy: {}\n",
        policy(script_hashes)
    );
    for pattern in immutable {
        text.push_str(&format!(
            "{base}{pattern}\n  Cache-Control: public, max-age=31536000, immutable\n"
        ));
    }
    Some(OutputFile {
        path: "_headers".into(),
        bytes: text.into_bytes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_data_blocks_and_files_are_not() {
        let html = br#"<script>document.documentElement.className='js'</script>
<script type="application/json" data-x>{"a":1}</script>
<script src="/guide.js" defer></script>
<script type="module">import x from './x.js'</script>
<SCRIPT type='text/javascript'>a()</SCRIPT>"#;
        let mut hashes = BTreeSet::new();
        inline_script_hashes(html, &mut hashes);
        // Tag names in any case: three scripts run.
        assert_eq!(hashes.len(), 3, "{hashes:?}");
        let digest = Sha256::digest(b"document.documentElement.className='js'");
        let want = format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        );
        assert!(hashes.contains(&want), "{hashes:?}");
    }

    #[test]
    fn attributes_are_read_as_themes_write_them() {
        assert_eq!(attr(r#" type="module" defer"#, "type"), Some("module"));
        assert_eq!(attr(" type='a b'", "type"), Some("a b"));
        assert_eq!(attr(" data-src=x", "src"), None);
        assert_eq!(attr(" src=/a.js", "src"), Some("/a.js"));
        assert_eq!(attr(" defer", "defer"), Some(""));
    }
}
