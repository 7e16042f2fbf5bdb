//! The search index: published pages → the files under `search/` that `shirube-search.js` reads.
//!
//! This module only ever sees the pages `pipeline::build` hands it, which are the published ones: drafts and
//! unproven pages never reach it, so they cannot leak into a shard. `docs/search-index.md` describes the file
//! formats; `docs/search-tokenizer.md` the tokenizer (in [`tokenize`]).
//!
//! Layout, with `<gen>` a hash of everything under it (a new build with any change gets a new folder, so
//! browsers never mix files of two builds):
//!
//! ```text
//! search/manifest.json        fixed name, small: generation, shard boundaries, facets
//! search/<gen>/docs.bin       facet combination of each page (for filters)
//! search/<gen>/s/<n>.bin      postings for a sorted range of terms, with positions and impacts
//! search/<gen>/f/<id>.json    one page: URL, title, summary and the text of each section (for excerpts)
//! ```
//!
//! Scores are precomputed per page and term as a BM25 "impact" (the term-frequency part, with title,
//! heading and summary boosts), so the browser needs only the document frequency for the IDF part and no
//! page lengths. Left out: ranking signals other than text (no popularity), and stemming beyond plurals.

mod invert;
pub mod tokenize;

/// The folders of index files named by their content, as `_headers` patterns under the base path
/// (`search/<generation>/*`): hosts may cache them for good, since a build that changes a file writes it under
/// another name. `paths` are the output paths of a build.
pub fn immutable_patterns<'a>(paths: impl Iterator<Item = &'a str>) -> Vec<String> {
    let folders: std::collections::BTreeSet<&str> = paths
        .filter_map(|p| {
            let rest = p.strip_prefix("search/")?;
            let (folder, file) = rest.split_once('/')?;
            (!file.is_empty()).then_some(folder)
        })
        .collect();
    folders
        .into_iter()
        .map(|f| format!("search/{f}/*"))
        .collect()
}

use crate::config::Config;
use crate::markdown::Rendered;
use crate::model::OutputFile;
use crate::model::{Kind, Page};
use crate::text::collapse;
use crate::theme::short_hash;
use invert::{Field, PageTerms, Scratch, Vocabulary};
use rayon::prelude::*;
use serde::Serialize;

/// Format version, in the manifest and the shard header.
pub const VERSION: u32 = 2;
/// Magic bytes at the start of a shard.
pub const SHARD_MAGIC: &[u8; 4] = b"SHS2";
/// A shard is closed once its postings reach this many bytes (one term's postings are never split).
pub const SHARD_TARGET_BYTES: usize = 12 * 1024;

/// One section of a page's fragment: heading text, anchor id, text.
type SectionJson = (String, String, String);

#[derive(Serialize)]
struct Fragment<'a> {
    /// URL relative to the base path.
    u: &'a str,
    /// Title.
    t: &'a str,
    /// Facet combination (index into the manifest's `combos`).
    c: usize,
    /// Summary (front matter), may be empty.
    s: &'a str,
    /// Sections: the text before the first heading (heading and anchor empty), then one per heading.
    x: Vec<SectionJson>,
}

#[derive(Serialize)]
struct FacetValue {
    id: String,
    name: String,
    count: usize,
}

#[derive(Serialize)]
struct Facets {
    kind: Vec<FacetValue>,
    phase: Vec<FacetValue>,
    tier: Vec<FacetValue>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    /// Folder of this build's files, under `search/`.
    generation: &'a str,
    /// The site's base path (`/` or `/onboarding/`); result URLs are made under it.
    base: &'a str,
    /// Number of pages in the index.
    pages: usize,
    /// First term of each shard (the first is always ""); shard `n` is `<generation>/s/<n>.bin`.
    shards: Vec<String>,
    /// Facet combinations: `[kind, phase or -1, [tiers]]`, indices into `facets`.
    combos: Vec<(usize, i64, Vec<usize>)>,
    /// Every facet value, with the number of indexed pages that have it.
    facets: Facets,
    /// `search.synonyms` of the config, as written: the browser matches each group as one term. Left out when
    /// there are none.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    synonyms: &'a [Vec<String>],
}

/// Builds the search files for `pages` (which must be the published pages only). Output paths are relative
/// to the output root. `kind_names` are the names of playbooks, FAQs and pages in the guide's language, for
/// the facets.
pub fn build<'a>(
    config: &Config,
    kind_names: [String; 3],
    pages: impl IntoIterator<Item = (&'a Page, &'a Rendered)>,
) -> Vec<OutputFile> {
    let pages: Vec<(&Page, &Rendered)> = pages.into_iter().collect();

    // Facet combinations, and per-page counts.
    let kinds = [Kind::Playbook, Kind::Faq, Kind::Page];
    let mut combos: Vec<(usize, i64, Vec<usize>)> = Vec::new();
    let mut combo_of: Vec<usize> = Vec::with_capacity(pages.len());
    let mut kind_count = [0usize; 3];
    let mut phase_count = vec![0usize; config.phases.len()];
    let mut tier_count = vec![0usize; config.tiers.len()];
    for (page, _) in &pages {
        let kind = kinds.iter().position(|k| *k == page.kind).unwrap_or(2);
        let phase = page.phase.map_or(-1, |p| p as i64);
        let combo = (kind, phase, page.tiers.clone());
        let id = match combos.iter().position(|c| *c == combo) {
            Some(id) => id,
            None => {
                combos.push(combo);
                combos.len() - 1
            }
        };
        combo_of.push(id);
        kind_count[kind] += 1;
        if let Some(p) = page.phase.filter(|&p| p < phase_count.len()) {
            phase_count[p] += 1;
        }
        for &t in &page.tiers {
            if let Some(c) = tier_count.get_mut(t) {
                *c += 1;
            }
        }
    }

    // Per-page sections and terms (in parallel), then the posting lists.
    let sections: Vec<Vec<SectionJson>> =
        pages.par_iter().map(|(_, body)| sections(body)).collect();
    let vocab = Vocabulary::default();
    let docs: Vec<PageTerms> = pages
        .par_iter()
        .zip(sections.par_iter())
        .map_init(Scratch::default, |scratch, ((page, _), secs)| {
            PageTerms::new(fields(page, secs), &vocab, scratch)
        })
        .collect();
    let inverted = invert::invert(docs, &vocab);

    // Shards: the sorted terms cut into ranges of about SHARD_TARGET_BYTES.
    let mut cuts: Vec<std::ops::Range<usize>> = Vec::new();
    let (mut first, mut bytes) = (0usize, 0usize);
    for (i, (term, body)) in inverted.terms.iter().zip(&inverted.postings).enumerate() {
        bytes += body.len() + term.len() + 4;
        if bytes >= SHARD_TARGET_BYTES {
            cuts.push(first..i + 1);
            first = i + 1;
            bytes = 0;
        }
    }
    if first < inverted.terms.len() || cuts.is_empty() {
        cuts.push(first..inverted.terms.len());
    }
    let boundaries: Vec<String> = cuts
        .iter()
        .enumerate()
        .map(|(n, r)| match (n, inverted.terms.get(r.start)) {
            (0, _) | (_, None) => String::new(),
            (_, Some(t)) => t.clone(),
        })
        .collect();
    let shard_files: Vec<Vec<u8>> = cuts
        .into_par_iter()
        .map(|r| {
            let terms: Vec<(&str, &[u8], u32)> = r
                .map(|i| {
                    (
                        inverted.terms[i].as_str(),
                        inverted.postings[i].as_slice(),
                        inverted.pages[i],
                    )
                })
                .collect();
            encode_shard(&terms)
        })
        .collect();

    // Fragments and the docs table.
    let fragments: Vec<Vec<u8>> = pages
        .par_iter()
        .zip(sections.into_par_iter())
        .zip(combo_of.par_iter())
        .map(|(((page, _), secs), &c)| fragment(page, secs, c))
        .collect();
    let width: u8 = if combos.len() <= 256 { 1 } else { 2 };
    let mut docs_bin = vec![width];
    for &c in &combo_of {
        if width == 1 {
            docs_bin.push(c as u8);
        } else {
            docs_bin.extend_from_slice(&(c as u16).to_le_bytes());
        }
    }

    // Generation: a hash over every file of this build's folder.
    let hashes: Vec<String> = shard_files
        .par_iter()
        .chain(fragments.par_iter())
        .map(|f| short_hash(f))
        .collect();
    let mut all = docs_bin.clone();
    for h in &hashes {
        all.extend_from_slice(h.as_bytes());
    }
    let generation = short_hash(&all)[..12].to_string();

    let facet_values = |ids: Vec<(String, String)>, counts: &[usize]| -> Vec<FacetValue> {
        ids.into_iter()
            .zip(counts)
            .map(|((id, name), &count)| FacetValue { id, name, count })
            .collect()
    };
    let manifest = Manifest {
        version: VERSION,
        generation: &generation,
        base: &config.base_url.path,
        pages: pages.len(),
        shards: boundaries,
        combos,
        synonyms: &config.search.synonyms,
        facets: Facets {
            kind: facet_values(
                kinds
                    .iter()
                    .map(|k| k.id().to_string())
                    .zip(kind_names)
                    .collect(),
                &kind_count,
            ),
            phase: facet_values(
                config
                    .phases
                    .iter()
                    .map(|p| (p.id.clone(), p.name.clone()))
                    .collect(),
                &phase_count,
            ),
            tier: facet_values(
                config
                    .tiers
                    .iter()
                    .map(|t| (t.id.clone(), t.name.clone()))
                    .collect(),
                &tier_count,
            ),
        },
    };

    let mut files = Vec::with_capacity(shard_files.len() + fragments.len() + 2);
    files.push(OutputFile {
        // Serializing plain strings and numbers cannot fail.
        path: "search/manifest.json".into(),
        bytes: serde_json::to_vec(&manifest).unwrap_or_default(),
    });
    files.push(OutputFile {
        path: format!("search/{generation}/docs.bin"),
        bytes: docs_bin,
    });
    for (n, bytes) in shard_files.into_iter().enumerate() {
        files.push(OutputFile {
            path: format!("search/{generation}/s/{n}.bin"),
            bytes,
        });
    }
    for (id, bytes) in fragments.into_iter().enumerate() {
        files.push(OutputFile {
            path: format!("search/{generation}/f/{id}.json"),
            bytes,
        });
    }
    files
}

/// The fields of a page in index order: title, summary and tags, then the body section by section.
fn fields<'p>(
    page: &'p Page,
    sections: &'p [SectionJson],
) -> impl Iterator<Item = (&'p str, Field)> + 'p {
    std::iter::once((page.title.as_str(), Field::Title))
        .chain(page.summary.iter().map(|s| (s.as_str(), Field::Summary)))
        .chain(page.tags.iter().map(|t| (t.as_str(), Field::Summary)))
        .chain(sections.iter().flat_map(|(heading, _, text)| {
            [
                (heading.as_str(), Field::Heading),
                (text.as_str(), Field::Body),
            ]
        }))
        .chain(std::iter::once((url_words(&page.url), Field::Body)))
}

/// The last segment of a page's URL (`csv-import-errors` of `faq/csv-import-errors/`): its words are the
/// author's own short description of the page, often in the words a reader searches with, and indexed like
/// body text.
fn url_words(url: &str) -> &str {
    url.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

/// The body as (heading, anchor, text) parts: the text before the first heading, then each heading.
fn sections(body: &Rendered) -> Vec<SectionJson> {
    let text = body.text.as_str();
    let mut out = Vec::with_capacity(body.sections.len() + 1);
    let intro_end = body.sections.first().map_or(text.len(), |s| {
        // The first heading's text sits just before its section, followed by a newline.
        let before = text.get(..s.text.start).unwrap_or("");
        let without_nl = before.strip_suffix('\n').unwrap_or(before);
        without_nl
            .strip_suffix(s.heading.text.as_str())
            .map_or(before.len(), str::len)
    });
    let intro = collapse(text.get(..intro_end).unwrap_or(""));
    if !intro.is_empty() {
        out.push((String::new(), String::new(), intro));
    }
    for s in &body.sections {
        out.push((
            s.heading.text.clone(),
            s.heading.id.clone(),
            collapse(text.get(s.text.clone()).unwrap_or("")),
        ));
    }
    out
}

fn fragment(page: &Page, sections: Vec<SectionJson>, combo: usize) -> Vec<u8> {
    let f = Fragment {
        u: &page.url,
        t: &page.title,
        c: combo,
        s: page.summary.as_deref().unwrap_or(""),
        x: sections,
    };
    // Serializing plain strings and numbers cannot fail.
    serde_json::to_vec(&f).unwrap_or_default()
}

/// Appends `v` as LEB128.
pub fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A shard: magic, term count, then per term (sorted): shared prefix length with the previous term, the rest
/// of the term, page count, postings length, postings.
fn encode_shard(terms: &[(&str, &[u8], u32)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(terms.iter().map(|t| t.1.len() + 8).sum::<usize>() + 8);
    out.extend_from_slice(SHARD_MAGIC);
    push_varint(&mut out, terms.len() as u64);
    let mut prev: &[u8] = &[];
    for (term, body, ndocs) in terms {
        let bytes = term.as_bytes();
        let shared = prev.iter().zip(bytes).take_while(|(a, b)| a == b).count();
        push_varint(&mut out, shared as u64);
        push_varint(&mut out, (bytes.len() - shared) as u64);
        out.extend_from_slice(&bytes[shared..]);
        push_varint(&mut out, u64::from(*ndocs));
        push_varint(&mut out, body.len() as u64);
        out.extend_from_slice(body);
        prev = bytes;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        let mut v = Vec::new();
        for n in [0u64, 1, 127, 128, 300, 16384] {
            push_varint(&mut v, n);
        }
        assert_eq!(
            v,
            vec![0, 1, 127, 0x80, 1, 0xac, 2, 0x80, 0x80, 1],
            "LEB128"
        );
    }

    #[test]
    fn shared_prefixes() {
        let shard = encode_shard(&[("admin", &[9], 1), ("admins", &[8], 1)]);
        // magic, 2 terms, (0, 5, "admin", 1 page, 1 byte, 9), (5, 1, "s", 1, 1, 8)
        let mut want = SHARD_MAGIC.to_vec();
        want.extend_from_slice(&[2, 0, 5]);
        want.extend_from_slice(b"admin");
        want.extend_from_slice(&[1, 1, 9, 5, 1, b's', 1, 1, 8]);
        assert_eq!(shard, want);
    }

    #[test]
    fn collapse_keeps_lines() {
        assert_eq!(collapse("  a   b \n\n c\td  \n"), "a b\nc d");
    }

    #[test]
    fn collapse_agrees_with_split_whitespace() {
        fn reference(text: &str) -> String {
            text.lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        }
        // Every white space character, and neighbours of the byte patterns `space_len` looks for.
        let mut chars: Vec<char> = (0..0x3100u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace() || (0x2000..0x2070).contains(&(*c as u32)))
            .collect();
        chars.extend([
            '\u{80}', '\u{84}', '\u{86}', '\u{9F}', '\u{A1}', '\u{167F}', '\u{1681}', '\u{3001}',
            '\u{3041}',
        ]);
        for c in chars {
            for text in [
                format!("a{c}b"),
                format!("{c}a"),
                format!("a{c}"),
                format!("設定 a{c}{c}b 契約"),
                format!("a b\n{c}\n c"),
            ] {
                assert_eq!(collapse(&text), reference(&text), "{text:?}");
            }
        }
        // Short random mixtures of words and every kind of white space.
        let alphabet = [
            'a', '設', ' ', '\n', '\t', '\r', '\u{3000}', '\u{a0}', '\u{2028}', '“',
        ];
        let mut seed: u64 = 7;
        for _ in 0..5000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (seed >> 60) as usize;
            let text: String = (0..len)
                .map(|k| alphabet[((seed >> (4 * k)) % alphabet.len() as u64) as usize])
                .collect();
            assert_eq!(collapse(&text), reference(&text), "{text:?}");
        }
        for text in [
            "",
            " ",
            "a",
            "a b",
            "a  b",
            " a",
            "a ",
            "\n\na\n\n",
            "a\r\nb",
            "契約　更新",
            "a b\nc d",
            "a\n\nb",
            "a \nb",
            "a\n b",
            "設定\n“契約” — 更新\u{85}",
            "a\u{a0}",
        ] {
            assert_eq!(collapse(text), reference(text), "{text:?}");
        }
    }
}
