//! Finds the link and image destinations of a Markdown body (inline links, reference definitions, and `href`/
//! `src` attributes of raw HTML) outside code, and rewrites them: each importer maps the source site's links to
//! the `.md` files of the new site with one function.
//!
//! A small scanner rather than a Markdown parser: the body has to come back byte for byte except for the
//! destinations, which pulldown-cmark's events cannot give. Links that span lines are left as they are.

/// What to do with one destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Leave it as written.
    Keep,
    /// Write this destination instead.
    Replace(String),
    /// The target cannot be found: keep the link's text (an image's alt text), drop the link.
    Unlink,
}

/// Rewrites every destination in `body` with `f(destination, is_image)`.
pub fn rewrite(body: &str, f: &mut dyn FnMut(&str, bool) -> Action) -> String {
    let mut out = String::with_capacity(body.len());
    let mut fence: Option<(char, usize)> = None;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some((c, n)) = fence {
            let run = trimmed.chars().take_while(|&x| x == c).count();
            if run >= n && trimmed[run..].trim().is_empty() {
                fence = None;
            }
            out.push_str(line);
            continue;
        }
        if indent <= 3 {
            let c = trimmed.chars().next().unwrap_or(' ');
            if c == '`' || c == '~' {
                let run = trimmed.chars().take_while(|&x| x == c).count();
                if run >= 3 {
                    fence = Some((c, run));
                    out.push_str(line);
                    continue;
                }
            }
            if let Some(new) = reference_definition(line, f) {
                out.push_str(&new);
                continue;
            }
        }
        out.push_str(&rewrite_inline(line, f));
    }
    out
}

/// `[label]: destination "title"`.
fn reference_definition(line: &str, f: &mut dyn FnMut(&str, bool) -> Action) -> Option<String> {
    let t = line.trim_start();
    if !t.starts_with('[') || t.starts_with("[^") {
        return None;
    }
    let close = t.find("]:")?;
    let lead = line.len() - t.len();
    let after = &t[close + 2..];
    let dest_start = after.len() - after.trim_start().len();
    let rest = &after[dest_start..];
    let dest_len = if rest.starts_with('<') {
        rest.find('>').map(|i| i + 1).unwrap_or(rest.len())
    } else {
        rest.find(char::is_whitespace).unwrap_or(rest.len())
    };
    let dest = &rest[..dest_len];
    if dest.is_empty() {
        return None;
    }
    let dest_clean = dest.trim_start_matches('<').trim_end_matches('>');
    let new_dest = match f(dest_clean, false) {
        Action::Keep => return Some(line.to_string()),
        Action::Replace(d) => wrap(&d),
        // A definition without a target: point it at nothing rather than at a page that is not there.
        Action::Unlink => "#".to_string(),
    };
    let start = lead + close + 2 + dest_start;
    Some(format!(
        "{}{}{}",
        &line[..start],
        new_dest,
        &line[start + dest_len..]
    ))
}

/// A destination as Markdown needs it: in `<...>` when it holds spaces or parentheses.
fn wrap(d: &str) -> String {
    if d.contains([' ', '(', ')']) {
        format!("<{d}>")
    } else {
        d.to_string()
    }
}

fn rewrite_inline(text: &str, f: &mut dyn FnMut(&str, bool) -> Action) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'`' => {
                // An inline code span: skip to the closing run of the same length.
                let run = b[i..].iter().take_while(|&&c| c == b'`').count();
                let ticks = &text[i..i + run];
                match text[i + run..].find(ticks) {
                    Some(j) => i += run + j + run,
                    None => i += run,
                }
            }
            b'[' => {
                let image = i > 0 && b[i - 1] == b'!';
                let Some(close) = matching_bracket(text, i) else {
                    i += 1;
                    continue;
                };
                if b.get(close + 1) != Some(&b'(') {
                    i += 1;
                    continue;
                }
                let Some((dest_range, end)) = inline_destination(text, close + 2) else {
                    i += 1;
                    continue;
                };
                let inner = rewrite_inline(&text[i + 1..close], f);
                let raw = &text[dest_range.clone()];
                let dest = raw.trim_start_matches('<').trim_end_matches('>');
                let start = if image { i - 1 } else { i };
                match f(dest, image) {
                    Action::Keep => {
                        out.push_str(&text[copied..i + 1]);
                        out.push_str(&inner);
                        out.push_str(&text[close..end]);
                    }
                    Action::Replace(d) => {
                        out.push_str(&text[copied..i + 1]);
                        out.push_str(&inner);
                        out.push_str(&text[close..dest_range.start]);
                        out.push_str(&wrap(&d));
                        out.push_str(&text[dest_range.end..end]);
                    }
                    Action::Unlink => {
                        out.push_str(&text[copied..start]);
                        out.push_str(&inner);
                    }
                }
                copied = end;
                i = end;
            }
            b'<' => {
                let end = text[i..].find('>').map(|j| i + j + 1).unwrap_or(b.len());
                let tag = &text[i..end];
                if let Some(new) = rewrite_tag(tag, f) {
                    out.push_str(&text[copied..i]);
                    out.push_str(&new);
                    copied = end;
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied.min(text.len())..]);
    out
}

/// The `]` that closes the `[` at `open`, brackets nested and escapes skipped.
fn matching_bracket(text: &str, open: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'`' => {
                let run = b[i..].iter().take_while(|&&c| c == b'`').count();
                if let Some(j) = text[i + run..].find(&text[i..i + run]) {
                    i += run + j + run - 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The destination inside `(...)` starting at `from`, and the index after the `)`.
fn inline_destination(text: &str, from: usize) -> Option<(std::ops::Range<usize>, usize)> {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let start = i;
    if b.get(i) == Some(&b'<') {
        let close = text[i..].find('>')? + i;
        i = close + 1;
    } else {
        let mut depth = 0;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 1,
                b'(' => depth += 1,
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                c if c.is_ascii_whitespace() => break,
                _ => {}
            }
            i += 1;
        }
    }
    let end_dest = i.min(b.len());
    // An optional title, then `)`.
    let rest = &text[end_dest..];
    let mut quote: Option<u8> = None;
    for (k, &c) in rest.as_bytes().iter().enumerate() {
        match (quote, c) {
            (None, b'"' | b'\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, b')') => return Some((start..end_dest, end_dest + k + 1)),
            _ => {}
        }
    }
    None
}

/// `href="..."` and `src="..."` in one HTML tag; `None` when nothing changed.
fn rewrite_tag(tag: &str, f: &mut dyn FnMut(&str, bool) -> Action) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    if !(lower.starts_with("<a ") || lower.starts_with("<img ") || lower.starts_with("<source ")) {
        return None;
    }
    let image = !lower.starts_with("<a ");
    let attr = if image { "src=" } else { "href=" };
    let at = lower.find(&format!(" {attr}"))? + 1;
    let q = tag.as_bytes().get(at + attr.len()).copied()?;
    if q != b'"' && q != b'\'' {
        return None;
    }
    let vstart = at + attr.len() + 1;
    let vend = vstart + tag[vstart..].find(q as char)?;
    match f(&tag[vstart..vend], image) {
        Action::Keep => None,
        Action::Replace(d) => Some(format!("{}{}{}", &tag[..vstart], d, &tag[vend..])),
        // The attribute goes: the element's text stays, and nothing points at a missing page.
        Action::Unlink => Some(format!("{}{}", tag[..at].trim_end(), &tag[vend + 1..])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: &str) -> (String, Vec<(String, bool)>) {
        let mut seen = Vec::new();
        let out = rewrite(body, &mut |d, img| {
            seen.push((d.to_string(), img));
            match d {
                "gone.md" => Action::Unlink,
                "keep" => Action::Keep,
                d => Action::Replace(format!("NEW/{d}")),
            }
        });
        (out, seen)
    }

    #[test]
    fn inline_links_images_references_and_html_are_rewritten_outside_code() {
        let (out, seen) = run(concat!(
            "See [a](a.md#x \"t\") and ![pic](img/p.png) and [gone](gone.md), `[c](code.md)`.\n",
            "[![badge](b.png)](keep)\n",
            "```\n[f](fenced.md)\n```\n",
            "[ref]: <r d.md> \"T\"\n",
            "<img src=\"i.png\" alt=\"x\"> <a href=\"gone.md\">g</a>\n",
            "[x](<sp ace.md>) [p](a_(b).md)\n"
        ));
        assert_eq!(
            out,
            concat!(
                "See [a](NEW/a.md#x \"t\") and ![pic](NEW/img/p.png) and gone, `[c](code.md)`.\n",
                "[![badge](NEW/b.png)](keep)\n",
                "```\n[f](fenced.md)\n```\n",
                "[ref]: <NEW/r d.md> \"T\"\n",
                "<img src=\"NEW/i.png\" alt=\"x\"> <a>g</a>\n",
                "[x](<NEW/sp ace.md>) [p](<NEW/a_(b).md>)\n"
            )
        );
        assert!(seen.contains(&("img/p.png".into(), true)));
        assert!(seen.contains(&("a.md#x".into(), false)));
        assert!(
            !seen
                .iter()
                .any(|(d, _)| d.contains("code") || d.contains("fenced"))
        );
    }
}
