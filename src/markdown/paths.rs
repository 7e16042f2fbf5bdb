//! Optional steps and alternative paths of a playbook, so that a reader who follows one path can finish it.
//!
//! Two Markdown forms, both plain CommonMark that other renderers show sensibly:
//!
//! - **Optional steps**: a block quote whose first line is `[!OPTIONAL]` (as GitHub's `> [!NOTE]`). Its steps
//!   can be ticked but do not count toward the playbook's progress. It renders as an admonition titled with the
//!   theme's `admonition_optional` string.
//! - **Alternatives** ("choose one"): headings of the same level marked `{.alternative}`, one after another
//!   (`### Okta {.alternative}`, then `### Microsoft Entra ID {.alternative}`). Each such heading and everything
//!   under it (up to the next heading of its level or higher) is one path; the steps of the path the reader is
//!   furthest along count, the others do not. A note with the theme's `admonition_choose` string goes before
//!   the first heading of each group. Alternatives do not nest: `{.alternative}` under a path is a plain heading.
//!
//! Neither changes a step's id: ids come from the step's text and heading only (see `mark_steps`), so readers'
//! saved ticks stay on their steps when an author marks a section as optional or as an alternative.
//!
//! Progress lives in `data-steps` ([`progress_tokens`]); the theme's `guide.js` reads it.

use super::Events;
use pulldown_cmark::{Event, Tag, TagEnd};

/// The class that marks a heading as one of several alternatives.
pub(super) const ALTERNATIVE_CLASS: &str = "alternative";

/// What a step counts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StepRole {
    /// Every reader does it.
    #[default]
    Required,
    /// In a `> [!OPTIONAL]` block: it can be ticked but does not count.
    Optional,
    /// On one of several alternative paths: `group` (0, 1, ... in page order) and its `path` within the group.
    Path {
        /// The group of alternatives, in page order.
        group: usize,
        /// The path within the group, in page order.
        path: usize,
    },
}

/// The role of each event (by index) and where each group of alternatives starts, from [`mark`].
#[derive(Debug, Default)]
pub(super) struct Roles {
    roles: Vec<StepRole>,
    /// Event index of the first heading of each group.
    group_starts: Vec<usize>,
}

impl Roles {
    /// The role of the step whose item starts at event `i`.
    pub(super) fn of(&self, i: usize) -> StepRole {
        self.roles.get(i).copied().unwrap_or_default()
    }
}

/// Finds optional blocks and alternative headings in `events`, gives every event its role, and turns each
/// `> [!OPTIONAL]` block quote into an admonition titled `optional_title` (HTML-escaped already). Replaces
/// events in place only, so that event indices stay valid for the step marking that follows.
pub(super) fn mark(events: &mut Events<'_>, optional_title: &str) -> Roles {
    let mut roles = Roles {
        roles: Vec::with_capacity(events.len()),
        group_starts: Vec::new(),
    };
    // Whether each open block quote is an optional block, and how many of them are open.
    let mut quotes: Vec<bool> = Vec::new();
    let mut optional = 0usize;
    // The path being read: (group, path, heading level); the open group: (group, heading level, paths).
    let mut path: Option<(usize, usize, u8)> = None;
    let mut group: Option<(usize, u8, usize)> = None;
    for i in 0..events.len() {
        match &events[i].0 {
            Event::Start(Tag::BlockQuote(None)) => {
                let is_optional = optional_marker(events, i);
                if is_optional {
                    optional += 1;
                    let html = format!(
                        "<aside class=\"admonition optional\">\n<p class=\"admonition-title\">{optional_title}</p>\n"
                    );
                    events[i].0 = Event::Html(html.into());
                }
                quotes.push(is_optional);
            }
            Event::Start(Tag::BlockQuote(Some(_))) => quotes.push(false),
            Event::End(TagEnd::BlockQuote(_)) => {
                // Only a plain quote (kind None) can be an optional block.
                let was_optional = quotes.pop() == Some(true);
                optional -= usize::from(was_optional);
                if was_optional {
                    events[i].0 = Event::Html("</aside>\n".into());
                }
            }
            Event::Start(Tag::Heading { level, classes, .. }) if quotes.is_empty() => {
                let level = super::heading_level(*level);
                let alternative = classes.iter().any(|c| c.as_ref() == ALTERNATIVE_CLASS);
                if path.is_some_and(|(_, _, l)| level <= l) {
                    path = None;
                }
                if alternative && path.is_none() {
                    let (g, p) = match group {
                        Some((g, l, n)) if l == level => (g, n),
                        _ => {
                            roles.group_starts.push(i);
                            (roles.group_starts.len() - 1, 0)
                        }
                    };
                    group = Some((g, level, p + 1));
                    path = Some((g, p, level));
                } else if group.is_some_and(|(_, l, _)| level <= l) {
                    group = None;
                }
            }
            _ => {}
        }
        roles.roles.push(match path {
            _ if optional > 0 => StepRole::Optional,
            Some((group, path, _)) => StepRole::Path { group, path },
            None => StepRole::Required,
        });
    }
    roles
}

/// Whether the block quote starting at event `i` begins with the line `[!OPTIONAL]` (any case); if so, blanks
/// that line (and its paragraph when nothing else is in it).
fn optional_marker(events: &mut Events<'_>, i: usize) -> bool {
    if !matches!(events.get(i + 1), Some((Event::Start(Tag::Paragraph), _))) {
        return false;
    }
    // The marker's text may come in pieces ("[", "!OPTIONAL", "]").
    let mut text = String::new();
    let mut end = i + 2;
    while let Some((Event::Text(t), _)) = events.get(end) {
        text.push_str(t);
        end += 1;
    }
    if !text.trim().eq_ignore_ascii_case("[!OPTIONAL]") {
        return false;
    }
    for (e, _) in &mut events[i + 2..end] {
        *e = Event::Text("".into());
    }
    match events.get(end).map(|(e, _)| e) {
        Some(Event::SoftBreak | Event::HardBreak) => events[end].0 = Event::Text("".into()),
        Some(Event::End(TagEnd::Paragraph)) => {
            events[i + 1].0 = Event::Html("".into());
            events[end].0 = Event::Html("".into());
        }
        _ => {}
    }
    true
}

/// Puts a "choose one" note (`html`, a whole element) before the first heading of each group of alternatives,
/// and moves `roles` along with the events.
pub(super) fn insert_notes(events: &mut Events<'_>, roles: &mut Roles, html: &str) {
    for &at in roles.group_starts.iter().rev() {
        let range = events[at].1.start..events[at].1.start;
        events.insert(at, (Event::Html(html.to_string().into()), range));
        roles.roles.insert(at, StepRole::Required);
    }
    roles.group_starts.clear();
}

/// What `data-steps` holds for a playbook's progress: one token per required step, one per group of
/// alternatives, separated by spaces. A step is `hash(id)`; a group is its paths separated by `|`, each the
/// hashes of its steps separated by `,` (a path without steps is left out). Optional steps are left out,
/// unless every step is optional (then nothing would be left to count, and they all count).
///
/// `guide.js` counts a group as the path whose share of ticked steps is highest (the first on a tie), so one
/// path done completes it.
pub fn progress_tokens<'a>(
    steps: impl IntoIterator<Item = (&'a str, StepRole)>,
    hash: impl Fn(&str) -> String,
) -> String {
    let steps: Vec<(&str, StepRole)> = steps.into_iter().collect();
    let all_optional = steps.iter().all(|(_, r)| *r == StepRole::Optional);
    // Tokens in page order; a group's token is made where its first step is.
    let mut tokens: Vec<Result<String, usize>> = Vec::new();
    let mut groups: Vec<Vec<Vec<String>>> = Vec::new();
    for (id, role) in steps {
        match role {
            StepRole::Optional if !all_optional => {}
            StepRole::Required | StepRole::Optional => tokens.push(Ok(hash(id))),
            StepRole::Path { group, path } => {
                if group >= groups.len() {
                    groups.resize_with(group + 1, Vec::new);
                    tokens.push(Err(group));
                }
                let paths = &mut groups[group];
                if path >= paths.len() {
                    paths.resize_with(path + 1, Vec::new);
                }
                paths[path].push(hash(id));
            }
        }
    }
    let words: Vec<String> = tokens
        .into_iter()
        .map(|t| match t {
            Ok(step) => step,
            Err(g) => {
                let paths: Vec<String> = groups[g]
                    .iter()
                    .filter(|p| !p.is_empty())
                    .map(|p| p.join(","))
                    .collect();
                paths.join("|")
            }
        })
        .filter(|t| !t.is_empty())
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(steps: &[(&str, StepRole)]) -> String {
        progress_tokens(steps.iter().copied(), str::to_uppercase)
    }

    #[test]
    fn groups_become_one_token_of_paths_and_optional_steps_do_not_count() {
        use StepRole::*;
        let p = |group, path| Path { group, path };
        assert_eq!(
            tokens(&[
                ("a", Required),
                ("o1", p(0, 0)),
                ("o2", p(0, 0)),
                ("e1", p(0, 1)),
                ("x", Optional),
                ("b", Required),
                ("z", p(1, 1)),
            ]),
            "A O1,O2|E1 B Z"
        );
        assert_eq!(tokens(&[("x", Optional), ("y", Optional)]), "X Y");
        assert_eq!(tokens(&[]), "");
    }

    fn render(body: &str) -> super::super::Rendered {
        let p = crate::markdown::tests::page("playbooks/a.md", body);
        crate::markdown::render(&p, &crate::markdown::tests::site(&[&p]))
    }

    const SSO: &str = "Intro.\n\n## Set up {#idp}\n\n### Okta\n\n1. Open Okta.\n2. Copy the URL.\n\n#### Details\n\n1. Check the group.\n\n### Entra\n\n1. Open Entra.\n\n## Connect\n\n1. Paste the URL.\n\n> [!OPTIONAL]\n> 1. Tell the team.\n\n> A quote\n> 1. Quoted step.\n";

    #[test]
    fn marking_sections_as_alternatives_or_optional_keeps_every_step_id() {
        let plain = render(SSO);
        let marked = render(
            &SSO.replace("### Okta", "### Okta {.alternative}")
                .replace("### Entra", "### Entra {.alternative}"),
        );
        let ids =
            |r: &super::super::Rendered| r.steps.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&plain), ids(&marked));
        assert_eq!(
            ids(&marked),
            [
                "open-okta",
                "copy-the-url",
                "check-the-group",
                "open-entra",
                "paste-the-url",
                "tell-the-team",
                "quoted-step"
            ]
        );
        use StepRole::*;
        let roles: Vec<StepRole> = marked.steps.iter().map(|s| s.role).collect();
        let p = |path| Path { group: 0, path };
        assert_eq!(
            roles,
            [p(0), p(0), p(0), p(1), Required, Optional, Required]
        );
        // Without marks, only the optional block differs.
        assert!(plain.steps[..5].iter().all(|s| s.role == Required));
        // The optional block is an admonition without its marker; the note comes before the first path.
        let html = &marked.html;
        assert!(
            html.contains("<aside class=\"admonition optional\">\n<p class=\"admonition-title\">admonition_optional</p>\n\n<ol>"),
            "{html}"
        );
        assert!(
            !html.contains("[!OPTIONAL]") && !marked.text.contains("OPTIONAL"),
            "{html}"
        );
        assert!(html.contains("<blockquote>\n<p>A quote</p>"), "{html}");
        let note = html
            .find("<p class=\"choose-one\">")
            .expect("a choose-one note");
        let okta = html
            .find("<h3 id=\"okta\" class=\"alternative\">")
            .expect("the Okta heading");
        assert!(
            note < okta && html[note..okta].find("<h").is_none(),
            "{html}"
        );
        assert_eq!(html.matches("choose-one").count(), 1, "{html}");
    }

    #[test]
    fn a_heading_of_the_groups_level_or_higher_ends_it() {
        let r = render(
            "### A {.alternative}\n\n1. a\n\n### B\n\n1. b\n\n### C {.alternative}\n\n1. c\n\n## D {.alternative}\n\n1. d\n\n### E {.alternative}\n\n1. e\n\n## F {.alternative}\n\n1. f\n",
        );
        use StepRole::*;
        let roles: Vec<StepRole> = r.steps.iter().map(|s| s.role).collect();
        assert_eq!(
            roles,
            [
                Path { group: 0, path: 0 },
                Required,
                Path { group: 1, path: 0 },
                Path { group: 2, path: 0 },
                // Nested alternatives are plain headings inside the path.
                Path { group: 2, path: 0 },
                Path { group: 2, path: 1 },
            ]
        );
        assert_eq!(r.html.matches("choose-one").count(), 3);
        // The marker alone in a quote, or with text after it on the same paragraph.
        let r = render("> [!optional]\n> Only if you like:\n> 1. x\n");
        assert_eq!(r.steps[0].role, Optional);
        assert!(r.html.contains("<p>Only if you like:</p>"), "{}", r.html);
    }
}
