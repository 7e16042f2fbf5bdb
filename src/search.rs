//! The search index: published pages → the files under `search/` that `shirube-search.js` reads.
//!
//! This module only ever sees the pages `pipeline::build` hands it, which are the published ones: drafts and
//! unproven pages never reach it, so they cannot leak into a shard. `docs/search-index.md` describes the file
//! formats; `docs/search-tokenizer.md` the tokenizer (in [`tokenize`]).
//!
//! Layout: one small file with a fixed name, and every other file named by a hash of its own bytes, so that
//! a rebuild after an edit writes only the files whose bytes changed, and browsers and CDNs can keep any of
//! them forever:
//!
//! ```text
//! search/manifest.json        fixed name, small: the names of the files below, shard boundaries, facets
//! search/d/<hash>.bin         facet combination and length of each page
//! search/s/<hash>.bin         postings for a sorted range of terms, with positions and term frequencies
//! search/l/<hash>.bin         the fragment names of 64 pages
//! search/f/<hash>.json        one page: URL, title, summary and the text of each section (for excerpts)
//! ```
//!
//! What an edit of one page changes: its fragment and the list that names it, the docs file when its length
//! changed, and the shards of the terms whose postings on that page changed: positions are counted from the
//! start of each section ([`invert::BLOCK_ALIGN`]), and the BM25 impact is made in the browser from the term
//! frequency and the page length, so the terms of the other sections keep their bytes. Shard boundaries are
//! chosen by the terms themselves ([`cut_shards`]), so the other shards keep theirs.
//!
//! Scores are BM25 with title, heading and summary boosts, so the browser needs only term frequencies, page
//! lengths and document frequencies. Left out: ranking signals other than text (no popularity), and stemming
//! beyond plurals.

mod invert;
pub mod tokenize;

use crate::HashSet;
use crate::config::Config;
use crate::markdown::Rendered;
use crate::model::OutputFile;
use crate::model::{Kind, Page};
use crate::text::collapse;
use invert::{Field, PageTerms, Scratch, Vocabulary};
use rayon::prelude::*;
use serde::Serialize;

/// The folders of index files named by their content, as `_headers` patterns under the base path
/// (`search/s/*`, `search/f/*`, ...): hosts may cache them for good, since a build that changes a file writes it under
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

/// Format version, in the manifest.
pub const VERSION: u32 = 3;
/// Magic bytes at the start of a shard.
pub const SHARD_MAGIC: &[u8; 4] = b"SHS3";
/// The one file of the index with a fixed name.
pub const MANIFEST_PATH: &str = "search/manifest.json";
/// A shard holds at least this many bytes of postings, unless it is the last one.
pub const SHARD_MIN_BYTES: usize = 4 * 1024;
/// Past [`SHARD_MIN_BYTES`], a shard ends after about this many more bytes on average (see [`cut_shards`]).
pub const SHARD_TARGET_BYTES: usize = 8 * 1024;
/// A shard is closed once its postings reach this many bytes (one term's postings are never split).
pub const SHARD_MAX_BYTES: usize = 48 * 1024;
/// Pages per list of fragment names (`search/l/`).
pub const FRAGMENT_LIST_PAGES: usize = 64;
/// The block of a page's first section (see [`invert::BLOCK_ALIGN`]).
const FIRST_SECTION_BLOCK: u32 = 1;

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
    /// Sections: the text before the first heading (heading and anchor empty), then one per heading, each
    /// `[heading, anchor, text or the index of the part in p that holds it, block of its positions]`.
    x: Vec<(String, String, TextOrPart, u32)>,
    /// Names of the page's other parts (`f/<name>.json`, each `[[section index, text], ...]`), when its text
    /// is longer than [`FRAGMENT_TEXT_BYTES`]. Left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    p: Vec<String>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum TextOrPart {
    Text(String),
    Part(usize),
}

/// The text a page's fragment holds itself; the sections past it go into parts of about this size, so that
/// the first query on a site of long pages reads the sections that match, not every page's whole text.
pub const FRAGMENT_TEXT_BYTES: usize = 6 * 1024;

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
    /// The site's base path (`/` or `/onboarding/`); result URLs are made under it.
    base: &'a str,
    /// Number of pages in the index.
    pages: usize,
    /// The average page length in tokens (to two decimals: the manifest changes with every edit anyway).
    length_average: f64,
    /// Name of the docs file (`d/<name>.bin`).
    docs: String,
    /// First term of each shard (the first is always "").
    shards: Vec<String>,
    /// Name of each shard (`s/<name>.bin`).
    shard_files: Vec<String>,
    /// Name of each list of fragment names (`l/<name>.bin`), `fragment_list_pages` pages each.
    fragment_lists: Vec<String>,
    fragment_list_pages: usize,
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
    let mut docs: Vec<PageTerms> = pages
        .par_iter()
        .zip(sections.par_iter())
        .map_init(Scratch::default, |scratch, ((page, _), secs)| {
            PageTerms::new(fields(page, secs), &vocab, scratch)
        })
        .collect();
    // Where each section's positions start (its block, unless an earlier one ran long).
    let section_blocks: Vec<Vec<u32>> = docs
        .iter_mut()
        .zip(&sections)
        .map(|(d, secs)| {
            let starts = std::mem::take(&mut d.block_starts);
            (0..secs.len() as u32)
                .map(|i| {
                    let b = FIRST_SECTION_BLOCK + i;
                    starts.iter().find(|s| s.0 == b).map_or(b, |s| s.1)
                })
                .collect()
        })
        .collect();
    let inverted = invert::invert(docs, &vocab);

    // Shards: the sorted terms cut into ranges of about SHARD_TARGET_BYTES, where the terms themselves say.
    let cuts = cut_shards(&inverted.terms, &inverted.postings);
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

    // Fragments, the lists of their names, and the docs table.
    let (fragments, parts): (Vec<Vec<u8>>, Vec<Vec<Vec<u8>>>) = pages
        .par_iter()
        .zip(sections.into_par_iter())
        .zip(section_blocks.par_iter())
        .zip(combo_of.par_iter())
        .map(|((((page, _), secs), blocks), &c)| fragment(page, secs, blocks, c))
        .unzip();
    let parts: Vec<Vec<u8>> = parts.into_iter().flatten().collect();
    let width: u8 = if combos.len() <= 256 { 1 } else { 2 };
    let mut docs_bin = vec![width];
    for &c in &combo_of {
        if width == 1 {
            docs_bin.push(c as u8);
        } else {
            docs_bin.extend_from_slice(&(c as u16).to_le_bytes());
        }
    }
    docs_bin.extend(inverted.lengths.iter().map(|&l| length_byte(f64::from(l))));
    let average = if inverted.lengths.is_empty() {
        1.0
    } else {
        inverted.lengths.iter().map(|&l| f64::from(l)).sum::<f64>() / inverted.lengths.len() as f64
    };

    // Every file but the manifest is named by a hash of its bytes.
    let shard_names: Vec<[u8; HASH_BYTES]> =
        shard_files.par_iter().map(|f| content_hash(f)).collect();
    let fragment_names: Vec<[u8; HASH_BYTES]> =
        fragments.par_iter().map(|f| content_hash(f)).collect();
    let lists: Vec<Vec<u8>> = fragment_names
        .chunks(FRAGMENT_LIST_PAGES)
        .map(<[[u8; 8]]>::concat)
        .collect();
    let list_names: Vec<[u8; HASH_BYTES]> = lists.iter().map(|l| content_hash(l)).collect();
    let docs_name = content_hash(&docs_bin);

    let facet_values = |ids: Vec<(String, String)>, counts: &[usize]| -> Vec<FacetValue> {
        ids.into_iter()
            .zip(counts)
            .map(|((id, name), &count)| FacetValue { id, name, count })
            .collect()
    };
    let manifest = Manifest {
        version: VERSION,
        base: &config.base_url.path,
        pages: pages.len(),
        length_average: (average * 100.0).round() / 100.0,
        docs: hex(&docs_name),
        shards: boundaries,
        shard_files: shard_names.iter().map(|h| hex(h)).collect(),
        fragment_lists: list_names.iter().map(|h| hex(h)).collect(),
        fragment_list_pages: FRAGMENT_LIST_PAGES,
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

    let mut files = Vec::with_capacity(shard_files.len() + fragments.len() + lists.len() + 2);
    files.push(OutputFile {
        // Serializing plain strings and numbers cannot fail.
        path: MANIFEST_PATH.into(),
        bytes: serde_json::to_vec(&manifest).unwrap_or_default(),
    });
    files.push(OutputFile {
        path: format!("search/d/{}.bin", hex(&docs_name)),
        bytes: docs_bin,
    });
    let named = |dir: &str, ext: &str, names: &[[u8; HASH_BYTES]], bytes: Vec<Vec<u8>>| {
        names
            .iter()
            .zip(bytes)
            .map(|(h, bytes)| OutputFile {
                path: format!("search/{dir}/{}.{ext}", hex(h)),
                bytes,
            })
            .collect::<Vec<_>>()
    };
    files.extend(named("s", "bin", &shard_names, shard_files));
    files.extend(named("l", "bin", &list_names, lists));
    files.extend(named("f", "json", &fragment_names, fragments));
    let part_names: Vec<[u8; HASH_BYTES]> = parts.par_iter().map(|f| content_hash(f)).collect();
    files.extend(named("f", "json", &part_names, parts));
    // Two pages with the same fragment (or two equal shards) share one file.
    let mut seen = HashSet::default();
    files.retain(|f| seen.insert(f.path.clone()));
    files
}

/// Bytes of the hash that names a file (16 hex digits: two different files of any number of builds of a site
/// do not get the same name by chance).
const HASH_BYTES: usize = 8;

/// The first bytes of the SHA-256 of `bytes`: a file's name.
fn content_hash(bytes: &[u8]) -> [u8; HASH_BYTES] {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let mut out = [0u8; HASH_BYTES];
    out.copy_from_slice(&digest[..HASH_BYTES]);
    out
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Steps of [`length_byte`] per doubling of a page's length.
pub const LENGTH_STEPS: f64 = 16.0;

/// A page length (tokens) as one byte, on a log scale of [`LENGTH_STEPS`] steps per doubling (within 3%: less
/// than the rounding of impacts to 127 levels). The runtime reads it as `2^(byte / LENGTH_STEPS) - 1`.
fn length_byte(tokens: f64) -> u8 {
    (LENGTH_STEPS * (1.0 + tokens.max(0.0)).log2())
        .round()
        .clamp(0.0, 255.0) as u8
}

/// Cuts the sorted terms into shards. A shard ends after a term when it holds at least [`SHARD_MIN_BYTES`]
/// and a hash of the term falls under the term's share of [`SHARD_TARGET_BYTES`] (so a shard ends after
/// about that many bytes past the minimum, and right after a term that large), or when it reaches
/// [`SHARD_MAX_BYTES`]. Where a shard ends depends on its own terms, not on how many bytes came before: a
/// change to some posting lists moves only the nearby cuts, and the other shards keep their bytes (and their
/// names).
fn cut_shards(terms: &[String], postings: &[Vec<u8>]) -> Vec<std::ops::Range<usize>> {
    let mut cuts: Vec<std::ops::Range<usize>> = Vec::new();
    let (mut first, mut bytes) = (0usize, 0usize);
    for (i, (term, body)) in terms.iter().zip(postings).enumerate() {
        let size = body.len() + term.len() + 4;
        bytes += size;
        let chance = (size as u128) << 64;
        let drawn = u128::from(term_hash(term)) * SHARD_TARGET_BYTES as u128;
        if bytes >= SHARD_MAX_BYTES || (bytes >= SHARD_MIN_BYTES && drawn < chance) {
            cuts.push(first..i + 1);
            first = i + 1;
            bytes = 0;
        }
    }
    if first < terms.len() || cuts.is_empty() {
        cuts.push(first..terms.len());
    }
    cuts
}

/// FNV-1a of the term, mixed (fixed here, so that cuts do not move with a dependency's hash function).
fn term_hash(term: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in term.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // splitmix64's finalizer: FNV's low bits are poor, and the whole range is compared.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The fields of a page in index order, with their blocks (see [`invert::BLOCK_ALIGN`]): title, summary, tags
/// and the words of the URL (block 0, a line each), then the body section by section (1 on).
fn fields<'p>(
    page: &'p Page,
    sections: &'p [SectionJson],
) -> impl Iterator<Item = (&'p str, Field, u32)> + 'p {
    std::iter::once((page.title.as_str(), Field::Title, 0))
        .chain(page.summary.iter().map(|s| (s.as_str(), Field::Summary, 0)))
        .chain(page.tags.iter().map(|t| (t.as_str(), Field::Summary, 0)))
        .chain(std::iter::once((url_words(&page.url), Field::Body, 0)))
        .chain(sections.iter().zip(FIRST_SECTION_BLOCK..).flat_map(
            |((heading, _, text), block)| {
                [
                    (heading.as_str(), Field::Heading, block),
                    (text.as_str(), Field::Body, block),
                ]
            },
        ))
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

/// A page's fragment, and its other parts (see [`Fragment`]): the sections in order, as many as fit in
/// [`FRAGMENT_TEXT_BYTES`] in the fragment itself, the rest in parts of about that size (a longer section is a
/// part of its own).
fn fragment(
    page: &Page,
    sections: Vec<SectionJson>,
    blocks: &[u32],
    combo: usize,
) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut x = Vec::with_capacity(sections.len());
    let mut parts: Vec<Vec<(usize, String)>> = Vec::new();
    let (mut inline, mut part_bytes) = (0usize, 0usize);
    for (i, ((heading, anchor, text), &block)) in sections.into_iter().zip(blocks).enumerate() {
        if parts.is_empty() && inline + text.len() <= FRAGMENT_TEXT_BYTES {
            inline += text.len();
            x.push((heading, anchor, TextOrPart::Text(text), block));
            continue;
        }
        if parts.is_empty() || part_bytes + text.len() > FRAGMENT_TEXT_BYTES {
            parts.push(Vec::new());
            part_bytes = 0;
        }
        part_bytes += text.len();
        let n = parts.len() - 1;
        parts[n].push((i, text));
        x.push((heading, anchor, TextOrPart::Part(n), block));
    }
    // Serializing plain strings and numbers cannot fail.
    let parts: Vec<Vec<u8>> = parts
        .iter()
        .map(|p| serde_json::to_vec(p).unwrap_or_default())
        .collect();
    let f = Fragment {
        u: &page.url,
        t: &page.title,
        c: combo,
        s: page.summary.as_deref().unwrap_or(""),
        x,
        p: parts.iter().map(|p| hex(&content_hash(p))).collect(),
    };
    (serde_json::to_vec(&f).unwrap_or_default(), parts)
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
