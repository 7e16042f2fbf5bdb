//! The live-reload client, added to HTML pages as `serve` sends them. Builds never contain it: it is added here,
//! after rendering, not by the templates.
//!
//! What is added is a JSON data block with the live state and a `<script src>` for the client, so that both pass
//! the Content-Security-Policy (`http::CSP`) without `'unsafe-inline'`. The overlay's list is bounded (the first
//! [`MAX_ERRORS`] errors and [`MAX_WARNINGS`] warnings, each at most [`MAX_TEXT`] long, then a count): it goes
//! into every page and every open event stream, and a save that breaks thousands of pages must not make
//! megabytes of it.

use crate::diagnostics::{Diagnostics, Severity};
use serde::Serialize;

/// The client script: reload on `reload`, swap stylesheets on `css`, show the overlay on `errors`.
pub const CLIENT_JS: &str = include_str!("client.js");

/// Errors shown in the overlay beyond this many are summed up in one line.
pub const MAX_ERRORS: usize = 50;
/// Warnings shown in the overlay beyond this many are summed up in one line.
pub const MAX_WARNINGS: usize = 50;
/// The longest text of one item (a longer one is cut, with `…`).
pub const MAX_TEXT: usize = 2000;

/// One diagnostic in the overlay: its severity and its text as the terminal shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OverlayItem {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// `path:line:col: error[code]: message`, the source line with a caret, and `help:`.
    pub text: String,
    /// For the line that sums up the items left out: how many (the client counts them in its title).
    #[serde(skip_serializing_if = "is_zero")]
    pub more: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What the client knows about the server when the page loads.
#[derive(Debug, Serialize)]
pub struct LiveState<'a> {
    /// The build the page comes from; a `reload` event with another id reloads the page.
    pub id: u64,
    /// URL of the event stream.
    pub events: &'a str,
    /// Diagnostics of a failed rebuild, shown over the page; empty when the last rebuild worked.
    pub errors: &'a [OverlayItem],
}

/// The overlay's items for a failed build: the first errors, then the first warnings, each list summed up in one
/// more line when it is cut.
pub fn overlay_items(diags: &Diagnostics) -> Vec<OverlayItem> {
    let sorted = diags.sorted();
    let mut items = Vec::new();
    for (severity, kind, max) in [
        (Severity::Error, "error", MAX_ERRORS),
        (Severity::Warning, "warning", MAX_WARNINGS),
    ] {
        let all: Vec<_> = sorted.iter().filter(|d| d.severity == severity).collect();
        items.extend(all.iter().take(max).map(|d| OverlayItem {
            severity: kind,
            text: cut(d.render()),
            more: 0,
        }));
        if all.len() > max {
            let more = all.len() - max;
            items.push(OverlayItem {
                severity: kind,
                text: format!("… and {more} more {kind}s (`shirube check` lists them all)"),
                more,
            });
        }
    }
    items
}

/// `text`, cut to at most [`MAX_TEXT`] bytes (at a character boundary) with `…`.
fn cut(mut text: String) -> String {
    if text.len() > MAX_TEXT {
        let mut at = MAX_TEXT;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.truncate(at);
        text.push('…');
    }
    text
}

pub use crate::text::script_json;

/// `html` with the live state and the client script added before `</body>` (or at the end). `client` is the
/// client script's URL.
pub fn inject(html: &[u8], state: &LiveState, client: &str) -> Vec<u8> {
    let tag = format!(
        "<script id=\"shirube-live\" type=\"application/json\">{}</script>\n<script src=\"{}\"></script>\n",
        script_json(state),
        crate::text::escape_attr(client)
    );
    let at = find_last_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// A page with only the overlay: for when the guide has errors and there is no good version of the page to show
/// under it (serve started with errors, or the page failed to render before it was ever shown).
pub fn error_page(state: &LiveState, client: &str) -> Vec<u8> {
    inject(
        b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>shirube: errors</title></head><body>\
          <p>The guide has errors, and there is no good version of this page to show yet. Fix the errors \
          and save: this page updates by itself.</p></body></html>\n",
        state,
        client,
    )
}

fn find_last_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Diagnostic;

    #[test]
    fn script_goes_before_the_last_body_end() {
        let state = LiveState {
            id: 7,
            events: "/__shirube/events",
            errors: &[],
        };
        let js = "/__shirube/client.js";
        let out =
            String::from_utf8(inject(b"<html><body><p>x</p></BODY></html>", &state, js)).unwrap();
        assert_eq!(
            out,
            "<html><body><p>x</p><script id=\"shirube-live\" type=\"application/json\">\
             {\"id\":7,\"events\":\"/__shirube/events\",\"errors\":[]}</script>\n\
             <script src=\"/__shirube/client.js\"></script>\n</BODY></html>"
        );
        let out = String::from_utf8(inject(b"no body", &state, js)).unwrap();
        assert!(out.starts_with("no body<script"));
    }

    #[test]
    fn messages_cannot_close_the_script() {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::error(
            "a.md",
            "bad </script><script>alert(1)</script> <!--",
        ));
        let items = overlay_items(&d);
        let state = LiveState {
            id: 1,
            events: "/e",
            errors: &items,
        };
        let out = String::from_utf8(inject(b"<body></body>", &state, "/c.js")).unwrap();
        let live = out.split("<script src").next().unwrap();
        assert!(!live.contains("</script><script>alert"), "{live}");
        assert!(!live.contains("<!--"), "{live}");
        assert!(live.contains("\\u003c/script"));
        // Still JSON, with the message as it was.
        let json = live
            .split_once("type=\"application/json\">")
            .and_then(|(_, rest)| rest.split_once("</script>"))
            .unwrap()
            .0;
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        assert!(
            value["errors"][0]["text"]
                .as_str()
                .unwrap()
                .contains("</script><script>alert(1)")
        );
        assert_eq!(items[0].severity, "error");
        assert!(items[0].text.starts_with("a.md: error: bad"));
    }

    #[test]
    fn many_diagnostics_are_summed_up() {
        let mut d = Diagnostics::default();
        for i in 0..150 {
            d.push(Diagnostic::warning(format!("p{i:03}.md"), "w"));
        }
        d.push(Diagnostic::error("z.md", "e"));
        let items = overlay_items(&d);
        assert_eq!(items.len(), 1 + MAX_WARNINGS + 1);
        assert_eq!(items[0].severity, "error");
        assert!(items.last().unwrap().text.contains("100 more warnings"));
        assert_eq!(items.last().unwrap().more, 100);
    }

    /// 3,000 errors of about 500 bytes each (a save that broke every page) made a 1.5 MB overlay, sent to every
    /// event stream and put into every page; the first errors and a count are enough.
    #[test]
    fn the_overlay_is_bounded_however_many_errors() {
        let mut d = Diagnostics::default();
        for i in 0..3000 {
            d.push(Diagnostic::error(format!("p{i:04}.md"), "x".repeat(500)));
        }
        d.push(Diagnostic::error("long.md", "y".repeat(100_000)));
        let items = overlay_items(&d);
        assert_eq!(items.len(), MAX_ERRORS + 1);
        assert!(items.iter().all(|i| i.text.len() <= MAX_TEXT + 3));
        let last = items.last().unwrap();
        assert_eq!(last.severity, "error");
        assert_eq!(last.more, 3001 - MAX_ERRORS);
        assert!(
            last.text.starts_with("… and 2951 more errors"),
            "{}",
            last.text
        );
        let json = script_json(&items);
        assert!(json.len() < 64 * 1024, "{}", json.len());
    }
}
