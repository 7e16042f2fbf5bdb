//! Text helpers that several stages share: shortening, white space, escaping for XML, HTML and `<script>` (URLs
//! are in [`crate::percent`]).
//!
//! Part of the model layer: imports nothing of the pipeline.

/// Cuts `s` at a word or character boundary near `max` characters, adding `…`.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{}…", cut.trim_end())
}

/// Escapes text for XML content and double-quoted attributes: as for an HTML attribute, and without the
/// control characters other than tab and newlines, which XML 1.0 allows nowhere.
pub fn xml_escape(s: &str) -> String {
    let allowed = |c: &char| !c.is_control() || matches!(c, '\t' | '\n' | '\r');
    if s.chars().all(|c| allowed(&c)) {
        escape_attr(s)
    } else {
        escape_attr(&s.chars().filter(allowed).collect::<String>())
    }
}

/// Joins lines with `\n` and collapses other runs of white space, to keep fragments small. Replacing the
/// `\n` with spaces gives `text.split_whitespace()` joined with spaces.
///
/// One pass over the bytes: most white space is already a single space between words or a single newline
/// between lines, and the text around it is copied in long runs; only other runs (doubled, leading or
/// trailing white space, empty lines, tabs, U+3000 ...) are replaced.
pub fn collapse(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // `text[copied..]` is not in `out` yet; `at` is where to look next.
    let (mut copied, mut at) = (0, 0);
    let mut words = false;
    while at < bytes.len() {
        if !CLOSER[usize::from(bytes[at])] || space_len(bytes, at) == 0 {
            words = true;
            at += 1;
            continue;
        }
        // A run of white space: what it must become, and whether it already is that.
        let start = at;
        let mut newline = false;
        while at < bytes.len() {
            let len = space_len(bytes, at);
            if len == 0 {
                break;
            }
            newline |= bytes[at] == b'\n';
            at += len;
        }
        let want = match (words, at < bytes.len(), newline) {
            (true, true, true) => "\n",
            (true, true, false) => " ",
            _ => "",
        };
        // White space starts and ends at character boundaries, so these slices are whole characters.
        if text.get(start..at) != Some(want) {
            out.push_str(text.get(copied..start).unwrap_or_default());
            out.push_str(want);
            copied = at;
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

/// The bytes that may start white space ([`char::is_whitespace`]): ASCII white space, and the lead bytes of
/// U+0085, U+00A0 (`C2 ..`), U+1680 (`E1 9A 80`), U+2000-U+200A, U+2028, U+2029, U+202F, U+205F (`E2 ..`)
/// and U+3000 (`E3 80 80`). Most bytes are none of these, and cost one table look-up.
const CLOSER: [bool; 256] = {
    let mut t = [false; 256];
    let mut k = 0;
    let bytes = b" \t\n\x0B\x0C\r\xC2\xE1\xE2\xE3";
    while k < bytes.len() {
        t[bytes[k] as usize] = true;
        k += 1;
    }
    t
};

/// The length in bytes of the white space character at `bytes[i]`, or 0 when there is none.
fn space_len(bytes: &[u8], i: usize) -> usize {
    let next = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    match next(0) {
        b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => 1,
        0xC2 if matches!(next(1), 0x85 | 0xA0) => 2,
        0xE1 if next(1) == 0x9A && next(2) == 0x80 => 3,
        0xE2 if next(1) == 0x80 && matches!(next(2), 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF) => 3,
        0xE2 if next(1) == 0x81 && next(2) == 0x9F => 3,
        0xE3 if next(1) == 0x80 && next(2) == 0x80 => 3,
        _ => 0,
    }
}

/// `value` as JSON that is safe inside a `<script>` element: `<`, `>` and `&` are written as `\u003c`, `\u003e`
/// and `\u0026`, so no `</script>` or `<!--` can end or change the element, and the text is still JSON (for
/// `JSON.parse`, as in the preview server's events) as well as JavaScript.
pub fn script_json(value: &impl serde::Serialize) -> String {
    // Serializing strings, numbers, lists and JSON values cannot fail.
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// `template` with each `{name}` that `values` names replaced by its value, in one pass (a value is never
/// looked at again, so a `{` in it stays as it is); other braces are kept. As `fmt` in the theme's guide.js.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            let (_, v) = values.iter().find(|(k, _)| *k == name)?;
            Some((v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for a double-quoted HTML attribute.
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{fill, script_json};

    #[test]
    fn fill_replaces_named_placeholders_once() {
        let v = [("a", "{b}"), ("b", "B")];
        assert_eq!(fill("{a}-{b}-{c}-{-}{", &v), "{b}-B-{c}-{-}{");
        assert_eq!(fill("", &v), "");
        assert_eq!(fill("最新の実証（{b}）", &v), "最新の実証（B）");
    }

    #[test]
    fn script_json_cannot_close_or_comment_out_its_script() {
        assert_eq!(
            script_json(&"</script><!-- & >"),
            "\"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u003e\""
        );
    }
}
