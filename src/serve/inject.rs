//! The live-reload client, added to HTML pages as `serve` sends them. Builds never contain it: it is added here,
//! after rendering, not by the templates.

use crate::diagnostics::{Diagnostics, Severity};
use serde::Serialize;

/// The client script: reload on `reload`, swap stylesheets on `css`, show the overlay on `errors`.
pub const CLIENT_JS: &str = include_str!("client.js");

/// Warnings shown in the overlay beyond this many are summed up in one line.
const MAX_WARNINGS: usize = 100;

/// One diagnostic in the overlay: its severity and its text as the terminal shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OverlayItem {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// `path:line:col: error: message`, the source line with a caret, and `help:`.
    pub text: String,
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

/// The overlay's items for a failed build: every error, then the warnings.
pub fn overlay_items(diags: &Diagnostics) -> Vec<OverlayItem> {
    let sorted = diags.sorted();
    let mut items: Vec<OverlayItem> = sorted
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| OverlayItem {
            severity: "error",
            text: d.render(),
        })
        .collect();
    let warnings: Vec<_> = sorted
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .collect();
    items.extend(warnings.iter().take(MAX_WARNINGS).map(|d| OverlayItem {
        severity: "warning",
        text: d.render(),
    }));
    if warnings.len() > MAX_WARNINGS {
        items.push(OverlayItem {
            severity: "warning",
            text: format!(
                "… and {} more warnings (`shirube check` lists them all)",
                warnings.len() - MAX_WARNINGS
            ),
        });
    }
    items
}

pub use crate::text::script_json;

/// `html` with the live state and the client script added before `</body>` (or at the end).
pub fn inject(html: &[u8], state: &LiveState) -> Vec<u8> {
    let tag = format!(
        "<script id=\"shirube-live\">window.__shirubeLive={};</script>\n<script>{}</script>\n",
        script_json(state),
        CLIENT_JS.replace("</", "<\\/")
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
pub fn error_page(state: &LiveState) -> Vec<u8> {
    inject(
        b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>shirube: errors</title></head><body>\
          <p>The guide has errors, and there is no good version of this page to show yet. Fix the errors \
          and save: this page updates by itself.</p></body></html>\n",
        state,
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
        let out = String::from_utf8(inject(b"<html><body><p>x</p></BODY></html>", &state)).unwrap();
        assert!(out.starts_with(
            "<html><body><p>x</p><script id=\"shirube-live\">window.__shirubeLive={\"id\":7,"
        ));
        assert!(out.ends_with("</script>\n</BODY></html>"));
        let out = String::from_utf8(inject(b"no body", &state)).unwrap();
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
        let out = String::from_utf8(inject(b"<body></body>", &state)).unwrap();
        let live = out.split("<script>").next().unwrap();
        assert!(!live.contains("</script><script>alert"), "{live}");
        assert!(live.contains("\\u003c/script\\u003e"));
        assert_eq!(items[0].severity, "error");
        assert!(items[0].text.starts_with("a.md: error: bad"));
    }

    #[test]
    fn many_warnings_are_summed_up() {
        let mut d = Diagnostics::default();
        for i in 0..150 {
            d.push(Diagnostic::warning(format!("p{i:03}.md"), "w"));
        }
        d.push(Diagnostic::error("z.md", "e"));
        let items = overlay_items(&d);
        assert_eq!(items.len(), 1 + MAX_WARNINGS + 1);
        assert_eq!(items[0].severity, "error");
        assert!(items.last().unwrap().text.contains("50 more warnings"));
    }
}
