//! A `<label>` around each step's checkbox and its own sentence, so that tapping the text ticks the step (a
//! 22 px box alone is hard to hit on a phone).
//!
//! The label holds the step's first run of inline content: the text up to its first nested block (a sub-list,
//! a table, a code block, a quote) or the end of its first paragraph. Links inside it still work as links.

use super::Events;
use pulldown_cmark::{Event, Tag, TagEnd};

/// Where one step's label starts, and the checkbox that begins it.
pub(super) struct Label {
    /// Event index: the first event after the item start (a task item: its marker, which is blank by now).
    pub at: usize,
    /// The checkbox's HTML.
    pub input: String,
}

/// Opens each label at its place (after a loose item's paragraph start) and closes it before the first block
/// that follows. Inserts events, so it runs last, after everything that holds event indices.
pub(super) fn wrap(events: &mut Events<'_>, labels: Vec<Label>) {
    // (index, order at that index: a close before an open, HTML).
    let mut inserts: Vec<(usize, u8, String)> = Vec::with_capacity(labels.len() * 2);
    for label in labels {
        let mut open = label.at;
        if matches!(events.get(open), Some((Event::Start(Tag::Paragraph), _))) {
            open += 1;
        }
        // A task marker (blanked) comes right after a loose item's paragraph start, or is the first event.
        while matches!(events.get(open), Some((Event::Text(t), _)) if t.is_empty()) {
            open += 1;
        }
        let close = (open..events.len())
            .find(|&k| ends_label(&events[k].0))
            .unwrap_or(events.len());
        inserts.push((
            open,
            1,
            format!("<label class=\"step-label\">{}", label.input),
        ));
        inserts.push((close, 0, "</label>".to_string()));
    }
    // From the end, so that earlier indices stay valid; at one index the close goes in first and ends up last.
    inserts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (at, _, html) in inserts {
        let pos = events.get(at).or(events.last()).map_or(0, |(_, r)| r.start);
        events.insert(at, (Event::InlineHtml(html.into()), pos..pos));
    }
}

/// Whether `e` is no longer the step's own inline text.
fn ends_label(e: &Event<'_>) -> bool {
    match e {
        Event::Start(tag) => matches!(
            tag,
            Tag::Paragraph
                | Tag::List(_)
                | Tag::Item
                | Tag::Table(_)
                | Tag::CodeBlock(_)
                | Tag::BlockQuote(_)
                | Tag::Heading { .. }
                | Tag::HtmlBlock
                | Tag::FootnoteDefinition(_)
                | Tag::DefinitionList
        ),
        Event::End(tag) => matches!(tag, TagEnd::Paragraph | TagEnd::Item),
        Event::Html(_) | Event::Rule => true,
        _ => false,
    }
}
