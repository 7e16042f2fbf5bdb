//! `feed.xml`: an Atom feed of the guide's proven playbooks and FAQs, so customers and CSMs can follow what
//! is new or confirmed again in real engagements.
//!
//! An entry's date is its newest successful proof: the manifest is the only dated record of the content, and
//! a proof is what puts a playbook in front of customers. Only published pages that have a proof are listed,
//! newest first, at most [`LIMIT`] of them. Feed readers need absolute addresses, so the feed exists only when
//! `base_url` is a full URL (see [`enabled`]).

use crate::config::Config;
use crate::model::OutputFile;
use crate::model::{Kind, Page};
use crate::percent::encode_path;
use crate::proof::Decision;
use crate::text::xml_escape;

/// Where the feed is written, relative to the output root.
pub const PATH: &str = "feed.xml";

/// The most entries the feed holds: readers poll it, so it stays small whatever the size of the site.
pub const LIMIT: usize = 50;

/// Whether the site has a feed: `base_url` names a host.
pub fn enabled(config: &Config) -> bool {
    !config.base_url.origin.is_empty()
}

/// A page the feed may list: published, and with a date to list it by.
pub struct Candidate<'a> {
    pub page: &'a Page,
    pub decision: &'a Decision,
}

/// The feed of the given pages (the caller passes published pages only). `today` dates an empty feed.
pub fn feed<'a>(
    config: &Config,
    pages: impl Iterator<Item = Candidate<'a>>,
    today: i64,
) -> OutputFile {
    let mut entries: Vec<(i64, &Page)> = pages
        .filter(|c| matches!(c.page.kind, Kind::Playbook | Kind::Faq))
        .filter_map(|c| Some((c.decision.newest?, c.page)))
        .collect();
    // Newest first; the URL breaks ties, so the same site always gives the same bytes.
    entries.sort_by(|(d1, p1), (d2, p2)| d2.cmp(d1).then_with(|| p1.url.cmp(&p2.url)));
    entries.truncate(LIMIT);

    let abs = |rel: &str| xml_escape(&encode_path(&config.base_url.absolute(rel)));
    let updated = entries.first().map_or(today, |(d, _)| *d);
    let mut xml = String::with_capacity(1024 + entries.len() * 512);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        config.language.code()
    ));
    xml.push_str(&format!("  <title>{}</title>\n", xml_escape(&config.title)));
    xml.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        abs(PATH)
    ));
    xml.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        abs("")
    ));
    xml.push_str(&format!("  <id>{}</id>\n", abs("")));
    xml.push_str(&format!("  <updated>{}</updated>\n", timestamp(updated)));
    // Atom wants an author for every entry; the guide as a whole is the author of all of them.
    xml.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml_escape(&config.title)
    ));
    xml.push_str("  <generator>shirube</generator>\n");
    for (date, page) in entries {
        let url = abs(&page.url);
        xml.push_str("  <entry>\n");
        xml.push_str(&format!("    <title>{}</title>\n", xml_escape(&page.title)));
        xml.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{url}\"/>\n"
        ));
        xml.push_str(&format!("    <id>{url}</id>\n"));
        xml.push_str(&format!("    <updated>{}</updated>\n", timestamp(date)));
        if let Some(summary) = &page.summary {
            xml.push_str(&format!("    <summary>{}</summary>\n", xml_escape(summary)));
        }
        let phase = page.phase.map(|i| &config.phases[i]);
        let categories = phase
            .map(|p| (&p.id, &p.name))
            .into_iter()
            .chain(page.tiers.iter().map(|&t| {
                let tier = &config.tiers[t];
                (&tier.id, &tier.name)
            }));
        for (term, label) in categories {
            xml.push_str(&format!(
                "    <category term=\"{}\" label=\"{}\"/>\n",
                xml_escape(term),
                xml_escape(label)
            ));
        }
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    OutputFile {
        path: PATH.into(),
        bytes: xml.into_bytes(),
    }
}

/// An Atom date-time for a day: midnight UTC, since proofs are dated by the day.
fn timestamp(days: i64) -> String {
    format!("{}T00:00:00Z", crate::dates::format_date(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_midnight_utc() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(20_789), "2026-12-02T00:00:00Z");
    }
}
