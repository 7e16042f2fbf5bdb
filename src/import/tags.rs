//! Template tags in Markdown bodies: Hugo shortcodes (`{{< name args >}}`, `{{% name %}}`) and Liquid tags of
//! Jekyll (`{% name args %}`), found outside fenced code, with their arguments, so that importers can replace the
//! common ones and list the rest.

use std::collections::BTreeMap;
use std::ops::Range;

/// One tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Where it is in the body (delimiters included).
    pub range: Range<usize>,
    /// Its name (`hint`, `figure`); for a closing tag, the name it closes.
    pub name: String,
    /// Closes a block (`{{< /hint >}}`, `{% endraw %}`).
    pub closing: bool,
    /// Positional arguments, unquoted.
    pub args: Vec<String>,
    /// `key=value` (or `key="value"`) arguments.
    pub named: BTreeMap<String, String>,
}

/// Ranges of fenced code blocks in `body`.
pub fn fences(body: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut open: Option<(usize, char, usize)> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        match open {
            Some((start, c, n)) => {
                let run = t.chars().take_while(|&x| x == c).count();
                if run >= n && t[run..].trim().is_empty() {
                    out.push(start..offset + line.len());
                    open = None;
                }
            }
            None if indent <= 3 => {
                let c = t.chars().next().unwrap_or(' ');
                let run = t.chars().take_while(|&x| x == c).count();
                if (c == '`' || c == '~') && run >= 3 {
                    open = Some((offset, c, run));
                }
            }
            None => {}
        }
        offset += line.len();
    }
    if let Some((start, _, _)) = open {
        out.push(start..body.len());
    }
    out
}

/// Every tag in `body` with one of the delimiter pairs, outside fenced code. `end_prefix` is how a closing tag's
/// name starts (`/` for Hugo, `end` for Liquid).
pub fn scan(body: &str, delims: &[(&str, &str)], end_prefix: &str) -> Vec<Tag> {
    let code = fences(body);
    let mut tags = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let Some((at, open, close)) = delims
            .iter()
            .filter_map(|(o, c)| body[i..].find(o).map(|j| (i + j, *o, *c)))
            .min_by_key(|x| x.0)
        else {
            break;
        };
        if let Some(r) = code.iter().find(|r| r.contains(&at)) {
            i = r.end;
            continue;
        }
        let inner_start = at + open.len();
        let Some(j) = body[inner_start..].find(close) else {
            break;
        };
        let inner = body[inner_start..inner_start + j].trim();
        // Hugo's `{{</* x */>}}` writes a shortcode as text.
        let inner = inner.trim_start_matches("/*").trim_end_matches("*/").trim();
        let inner = inner.trim_start_matches('-').trim_end_matches('-').trim();
        let end = inner_start + j + close.len();
        let words = split_args(inner);
        if let Some(first) = words.first() {
            let (name, closing) = match first.strip_prefix(end_prefix) {
                Some(n) if !n.is_empty() => (n.trim().to_string(), true),
                Some(_) => (words.get(1).cloned().unwrap_or_default(), true),
                None => (first.clone(), false),
            };
            let mut args = Vec::new();
            let mut named = BTreeMap::new();
            for w in words.iter().skip(1) {
                match w.split_once('=') {
                    Some((k, v))
                        if !k.is_empty()
                            && k.chars()
                                .all(|c| c.is_alphanumeric() || c == '_' || c == '-') =>
                    {
                        named.insert(k.to_string(), unquote(v));
                    }
                    _ => args.push(unquote(w)),
                }
            }
            tags.push(Tag {
                range: at..end,
                name,
                closing,
                args,
                named,
            });
        }
        i = end;
    }
    tags
}

fn unquote(s: &str) -> String {
    let t = s.trim();
    for q in ['"', '\'', '`'] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return t[1..t.len() - 1].to_string();
        }
    }
    t.to_string()
}

/// Splits on white space outside quotes.
fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match (quote, c) {
            (None, '"' | '\'' | '`') => {
                quote = Some(c);
                cur.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            (_, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The index of the tag that closes `tags[open]` (same name, nesting counted).
pub fn matching_close(tags: &[Tag], open: usize) -> Option<usize> {
    let name = &tags[open].name;
    let mut depth = 0;
    for (k, t) in tags.iter().enumerate().skip(open + 1) {
        if &t.name == name {
            if t.closing {
                if depth == 0 {
                    return Some(k);
                }
                depth -= 1;
            } else {
                depth += 1;
            }
        }
    }
    None
}

/// The 1-based line of byte `at` in `body`, given the line the body starts on.
pub fn line_of(body: &str, at: usize, body_line: usize) -> usize {
    body_line + body[..at.min(body.len())].matches('\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcodes_and_liquid_tags_are_found_outside_code() {
        let body = "a {{< hint warning title=\"Be careful\" >}}x{{< /hint >}}\n```\n{{< ref \"no\" >}}\n```\n{{% notice tip %}}\n";
        let tags = scan(body, &[("{{<", ">}}"), ("{{%", "%}}")], "/");
        let names: Vec<(&str, bool)> = tags.iter().map(|t| (t.name.as_str(), t.closing)).collect();
        assert_eq!(names, [("hint", false), ("hint", true), ("notice", false)]);
        assert_eq!(tags[0].args, ["warning"]);
        assert_eq!(tags[0].named["title"], "Be careful");
        assert_eq!(matching_close(&tags, 0), Some(1));
        let liquid = scan(
            "{% link docs/a.md %} {% raw %}{{ x }}{% endraw %}",
            &[("{%", "%}")],
            "end",
        );
        assert_eq!(liquid[0].args, ["docs/a.md"]);
        assert_eq!((liquid[2].name.as_str(), liquid[2].closing), ("raw", true));
    }
}
