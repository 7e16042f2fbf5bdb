//! Pages → posting lists: the heavy half of the index build, in parallel and without an allocation per
//! (page, term).
//!
//! 1. Each page is tokenized once ([`PageTerms::new`], in parallel). A term is a hash key without being
//!    copied into a `String`: its UTF-8 bytes packed into a `u128` ([`Vocabulary::key`]; for CJK bigrams,
//!    straight from the two characters, [`cjk_key`]). The page's positions are grouped by term with a
//!    counting sort into one flat array.
//! 2. The distinct terms of all pages are sorted (code point order, as the shards need) and numbered; each
//!    page's terms are renumbered and sorted by that number ([`invert`]).
//! 3. The term numbers are cut into ranges with about the same number of postings, and each range is encoded
//!    by its own task: it picks its terms out of every page (a binary search per page, since a page's terms
//!    are sorted) in page order, so each posting list comes out sorted by page without a merge.
//!
//! The posting list format is in `docs/search-index.md` ("Shard").

use super::push_varint;
use super::tokenize::{self, Term};
use crate::{HashMap, HashSet};
use rayon::prelude::*;
use std::sync::Mutex;

/// Where a text comes from, for its weight in the impact score.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Title,
    Summary,
    Heading,
    Body,
}

impl Field {
    /// Weight of one occurrence (integers, so weighted term frequencies add up exactly).
    fn weight(self) -> u32 {
        match self {
            Field::Title => 6,
            Field::Heading => 3,
            Field::Summary => 2,
            Field::Body => 1,
        }
    }
}

/// The weighted term frequency is stored in 7 bits (larger ones are capped: BM25 saturates long before); the
/// top bit of the byte says "the term is in the title".
const TF_MAX: u32 = 127;
const TITLE_FLAG: u8 = 0x80;
/// Positions of block `b` (0: title, summary, tags and URL words; then one per section) start at
/// `b * BLOCK_ALIGN`, or at the next multiple of it after the previous block's last position when that one ran
/// longer; within a block, each line starts at the next multiple of [`LINE_ALIGN`] after the previous line's
/// last position plus one (the gap that keeps phrases within a line). So a word added to a line moves no
/// position of another line (unless the line grows past a multiple of `LINE_ALIGN`), nor of another section
/// (unless it grows past a multiple of `BLOCK_ALIGN`), and the posting lists of the terms elsewhere on the page
/// keep their bytes (`docs/search-index.md`, "Files").
pub(super) const BLOCK_ALIGN: u32 = 4096;
/// See [`BLOCK_ALIGN`].
pub(super) const LINE_ALIGN: u32 = 32;
/// The bit of a page's term frequency that says "the term is in the title".
const IN_TITLE: u32 = 1 << 31;

/// A term as a hash key: its UTF-8 bytes packed big-endian into a `u128` when they fit in 16 bytes (a term
/// never contains NUL, so zero bytes at the end are padding), else `LONG` plus an index into the long terms.
type Key = u128;
/// 0xFF is never a byte of UTF-8, so no packed term starts with it.
const LONG: Key = 0xFF << 120;

/// Up to 16 bytes, big-endian and zero-padded, as a [`Key`]. Shifted into two `u64` byte by byte rather than
/// copied into a `[u8; 16]` and read back: reading back what was just written bytewise stalls the CPU, and
/// this runs once per token.
fn pack(bytes: &[u8]) -> Key {
    let half = |part: &[u8]| -> u64 {
        let mut v = 0u64;
        for &b in part {
            v = v << 8 | u64::from(b);
        }
        // At most 8 bytes, so the shift is at most 64 (an empty part is 0 either way).
        v.checked_shl(8 * (8 - part.len() as u32)).unwrap_or(0)
    };
    let (high, low) = bytes.split_at(bytes.len().min(8));
    Key::from(half(high)) << 64 | Key::from(half(low))
}

/// The key of the CJK bigram `a` `b` (or of `a` alone): [`pack`] of their UTF-8, computed from the code
/// points without spelling them out. CJK characters take 3 or 4 bytes, so two fit in 8.
fn cjk_key(a: char, b: Option<char>) -> Key {
    /// UTF-8 of `c`, big-endian in the low bytes, and its length.
    fn utf8(c: char) -> (u64, u32) {
        let c = u64::from(u32::from(c));
        match c {
            0..=0x7F => (c, 1),
            0x80..=0x7FF => ((0xC0 | c >> 6) << 8 | (0x80 | (c & 0x3F)), 2),
            0x800..=0xFFFF => (
                (0xE0 | c >> 12) << 16 | (0x80 | (c >> 6 & 0x3F)) << 8 | (0x80 | (c & 0x3F)),
                3,
            ),
            _ => (
                (0xF0 | c >> 18) << 24
                    | (0x80 | (c >> 12 & 0x3F)) << 16
                    | (0x80 | (c >> 6 & 0x3F)) << 8
                    | (0x80 | (c & 0x3F)),
                4,
            ),
        }
    }
    let (mut bits, mut len) = utf8(a);
    if let Some(b) = b {
        let (more, n) = utf8(b);
        bits = bits << (8 * n) | more;
        len += n;
    }
    // At most 8 bytes: placed at the top of the key, as `pack` does.
    Key::from(bits) << (128 - 8 * len)
}

/// The terms longer than 16 bytes (rare: long words), shared by the tokenizing tasks.
#[derive(Default)]
pub(super) struct Vocabulary {
    long: Mutex<(HashMap<String, u32>, Vec<String>)>,
}

impl Vocabulary {
    fn key(&self, term: &str) -> Key {
        let bytes = term.as_bytes();
        if bytes.len() <= 16 {
            return pack(bytes);
        }
        // A panic while holding the lock cannot leave the table half-updated, so a poisoned lock is usable.
        let mut guard = self
            .long
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (ids, terms) = &mut *guard;
        if let Some(&id) = ids.get(term) {
            return LONG | Key::from(id);
        }
        let id = terms.len() as u32;
        terms.push(term.to_string());
        ids.insert(term.to_string(), id);
        LONG | Key::from(id)
    }

    fn text(&self, key: Key) -> String {
        if key & LONG == LONG {
            let guard = self
                .long
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            return guard
                .1
                .get((key & 0xFFFF_FFFF) as usize)
                .cloned()
                .unwrap_or_default();
        }
        let bytes = key.to_be_bytes();
        let len = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        // Packed from a &str, so valid UTF-8.
        String::from_utf8_lossy(&bytes[..len]).into_owned()
    }
}

/// Reusable buffers of one tokenizing task.
#[derive(Default)]
pub(super) struct Scratch {
    index: HashMap<Key, u32>,
    /// Per term of the page, in order of first occurrence: key, weighted frequency (top bit: in the title),
    /// number of occurrences.
    terms: Vec<(Key, u32, u32)>,
    /// (term, position) per token.
    tokens: Vec<(u32, u32)>,
    /// Positions grouped by term, and where each term's group ends.
    grouped: Vec<u32>,
    cursor: Vec<u32>,
    buf: String,
}

/// What one page contributes to the index.
pub(super) struct PageTerms {
    /// Number of tokens.
    length: u32,
    /// The page's terms, in order of first occurrence.
    keys: Vec<Key>,
    /// Per term, its weighted frequency; the top bit says "in the title" ([`IN_TITLE`]).
    tf: Vec<u32>,
    /// Each term's positions, encoded as in a posting list (varint deltas): term `i`'s are
    /// `positions[ends[i - 1]..ends[i]]`. Fields and lines are separated by a gap in positions, so a phrase
    /// never spans two blocks.
    positions: Vec<u8>,
    ends: Vec<u32>,
    /// Each block after the first, and the block its positions start in: itself, unless an earlier block ran
    /// longer than [`BLOCK_ALIGN`] positions.
    pub block_starts: Vec<(u32, u32)>,
}

impl PageTerms {
    /// Tokenizes the fields of one page, in order: text, field and block (see [`BLOCK_ALIGN`]; blocks must
    /// not decrease).
    pub(super) fn new<'t>(
        fields: impl IntoIterator<Item = (&'t str, Field, u32)>,
        vocab: &Vocabulary,
        scratch: &mut Scratch,
    ) -> PageTerms {
        let Scratch {
            index,
            terms,
            tokens,
            grouped,
            cursor,
            buf,
        } = scratch;
        index.clear();
        terms.clear();
        tokens.clear();
        let mut next = 0u32;
        let mut block = 0u32;
        let mut block_starts = Vec::new();
        for (text, field, b) in fields {
            if b != block {
                block = b;
                next = next
                    .div_ceil(BLOCK_ALIGN)
                    .saturating_mul(BLOCK_ALIGN)
                    .max(b.saturating_mul(BLOCK_ALIGN));
                block_starts.push((b, next / BLOCK_ALIGN));
            }
            let weight = field.weight();
            let title = if field == Field::Title { IN_TITLE } else { 0 };
            for line in text.split('\n') {
                let before = tokens.len();
                tokenize::for_each_term_in(line, buf, |term| {
                    let key = match term {
                        Term::Word(word) => vocab.key(word),
                        Term::Cjk(a, b) => cjk_key(a, b),
                    };
                    let id = *index.entry(key).or_insert_with(|| {
                        terms.push((key, 0, 0));
                        terms.len() as u32 - 1
                    });
                    let t = &mut terms[id as usize];
                    // Saturates below the title bit: a page would need hundreds of millions of tokens.
                    t.1 = ((t.1 & !IN_TITLE) + weight).min(IN_TITLE - 1) | (t.1 & IN_TITLE) | title;
                    t.2 += 1;
                    tokens.push((id, next));
                    next += 1;
                });
                if tokens.len() > before {
                    // A gap, so that no phrase spans two lines, up to the next line's place.
                    next = (next + 1).div_ceil(LINE_ALIGN).saturating_mul(LINE_ALIGN);
                }
            }
        }
        // Group the positions by term (a counting sort keeps each term's positions in order), then encode.
        cursor.clear();
        let mut at = 0u32;
        for &(_, _, c) in terms.iter() {
            cursor.push(at);
            at += c;
        }
        grouped.clear();
        grouped.resize(tokens.len(), 0);
        for &(id, pos) in tokens.iter() {
            let c = &mut cursor[id as usize];
            grouped[*c as usize] = pos;
            *c += 1;
        }
        let mut positions = Vec::with_capacity(tokens.len() + tokens.len() / 2);
        let mut ends = Vec::with_capacity(terms.len());
        let mut from = 0usize;
        for &(_, _, c) in terms.iter() {
            let mut prev = 0u32;
            for &p in &grouped[from..from + c as usize] {
                push_varint(&mut positions, u64::from(p - prev));
                prev = p;
            }
            from += c as usize;
            ends.push(positions.len() as u32);
        }
        PageTerms {
            length: tokens.len() as u32,
            keys: terms.iter().map(|t| t.0).collect(),
            tf: terms.iter().map(|t| t.1).collect(),
            positions,
            ends,
            block_starts,
        }
    }
}

/// A page after [`invert`] has numbered the terms: per term of the page, its number and impact byte.
struct Numbered {
    ids: Vec<u32>,
    flags: Vec<u8>,
    positions: Vec<u8>,
    ends: Vec<u32>,
}

/// The postings of a run of pages, grouped by term (counting sorts), each term's in page order: for term `t`,
/// `docs[n[t]..n[t + 1]]` (page ids), `flags[...]` (impact bytes), `lengths[...]` (bytes of positions) and
/// `positions[bytes[t]..bytes[t + 1]]`. Copying the data here, while the run's pages are being read in
/// order, keeps the encoder reading memory in order too.
struct Chunk {
    n: Vec<u32>,
    bytes: Vec<u32>,
    docs: Vec<u32>,
    flags: Vec<u8>,
    lengths: Vec<u32>,
    positions: Vec<u8>,
}

impl Chunk {
    fn new(run: &[Numbered], first: u32, vocab_len: usize) -> Chunk {
        let mut n = vec![0u32; vocab_len + 1];
        let mut bytes = vec![0u32; vocab_len + 1];
        for p in run {
            let mut from = 0u32;
            for (&id, &end) in p.ids.iter().zip(&p.ends) {
                n[id as usize + 1] += 1;
                bytes[id as usize + 1] += end - from;
                from = end;
            }
        }
        for t in 0..vocab_len {
            n[t + 1] += n[t];
            bytes[t + 1] += bytes[t];
        }
        let (total, total_bytes) = (n[vocab_len] as usize, bytes[vocab_len] as usize);
        let mut chunk = Chunk {
            docs: vec![0; total],
            flags: vec![0; total],
            lengths: vec![0; total],
            positions: vec![0; total_bytes],
            n,
            bytes,
        };
        let mut at = chunk.n.clone();
        let mut at_bytes = chunk.bytes.clone();
        for (i, p) in run.iter().enumerate() {
            let mut from = 0u32;
            for ((&id, &end), &flag) in p.ids.iter().zip(&p.ends).zip(&p.flags) {
                let (slot, byte) = (&mut at[id as usize], &mut at_bytes[id as usize]);
                let s = *slot as usize;
                chunk.docs[s] = first + i as u32;
                chunk.flags[s] = flag;
                chunk.lengths[s] = end - from;
                let len = (end - from) as usize;
                chunk.positions[*byte as usize..*byte as usize + len]
                    .copy_from_slice(&p.positions[from as usize..end as usize]);
                *slot += 1;
                *byte += end - from;
                from = end;
            }
        }
        chunk
    }
}

/// The inverted index: every term in code point order, with its page count and encoded postings.
pub(super) struct Inverted {
    pub terms: Vec<String>,
    pub pages: Vec<u32>,
    pub postings: Vec<Vec<u8>>,
    /// Number of tokens of each page, in page order.
    pub lengths: Vec<u32>,
}

/// Turns the pages' terms (in page id order) into posting lists. See the module documentation.
pub(super) fn invert(pages: Vec<PageTerms>, vocab: &Vocabulary) -> Inverted {
    // Every distinct term, sorted, numbered.
    let keys: HashSet<Key> = pages
        .par_iter()
        .fold(HashSet::default, |mut set, p| {
            set.extend(p.keys.iter().copied());
            set
        })
        .reduce(HashSet::default, |a, b| {
            let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
            big.extend(small);
            big
        });
    let mut sorted: Vec<(String, Key)> = keys.into_iter().map(|k| (vocab.text(k), k)).collect();
    sorted.par_sort_unstable();
    let id_of: HashMap<Key, u32> = sorted
        .iter()
        .enumerate()
        .map(|(i, (_, k))| (*k, i as u32))
        .collect();
    let terms: Vec<String> = sorted.into_iter().map(|(t, _)| t).collect();
    let vocab_len = terms.len();

    // Term numbers, and per page and term one byte: the title bit and the weighted frequency. The BM25
    // impact is made in the browser from it and the page's length (in the docs file), so that an edit that
    // changes a page's length changes one byte of the docs file, not every posting list of the page.
    let lengths: Vec<u32> = pages.iter().map(|p| p.length).collect();
    let pages: Vec<Numbered> = pages
        .into_par_iter()
        .map(|p| {
            let flags =
                p.tf.iter()
                    .map(|&tf| {
                        let title = tf & IN_TITLE != 0;
                        let tf = (tf & !IN_TITLE).clamp(1, TF_MAX) as u8;
                        tf | if title { TITLE_FLAG } else { 0 }
                    })
                    .collect();
            // Every key was collected above.
            let ids = p
                .keys
                .iter()
                .map(|k| id_of.get(k).copied().unwrap_or(0))
                .collect();
            Numbered {
                ids,
                flags,
                positions: p.positions,
                ends: p.ends,
            }
        })
        .collect();

    // Transpose, in parallel: runs of pages, each grouped by term.
    let runs = (rayon::current_num_threads() * 2).max(1);
    let run_len = pages.len().div_ceil(runs).max(1);
    let chunks: Vec<Chunk> = pages
        .par_chunks(run_len)
        .enumerate()
        .map(|(i, run)| Chunk::new(run, (i * run_len) as u32, vocab_len))
        .collect();
    drop(pages);
    let df: Vec<u32> = (0..vocab_len)
        .map(|t| chunks.iter().map(|c| c.n[t + 1] - c.n[t]).sum())
        .collect();

    // Encode, in parallel over ranges of terms with about the same number of postings.
    let total: usize = df.iter().map(|&d| d as usize).sum();
    let tasks = (rayon::current_num_threads() * 4).max(1);
    let per_task = total / tasks + 1;
    let mut ranges = Vec::with_capacity(tasks + 1);
    let (mut lo, mut acc) = (0usize, 0usize);
    for (id, &d) in df.iter().enumerate() {
        acc += d as usize;
        if acc >= per_task {
            ranges.push(lo..id + 1);
            lo = id + 1;
            acc = 0;
        }
    }
    if lo < vocab_len || ranges.is_empty() {
        ranges.push(lo..vocab_len);
    }
    let postings: Vec<Vec<u8>> = ranges
        .into_par_iter()
        .map(|range| {
            range
                .map(|t| encode(&chunks, t, df[t] as usize))
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect();
    Inverted {
        terms,
        pages: df,
        postings,
        lengths,
    }
}

/// One term's postings (see "Shard" in `docs/search-index.md`): the page ids (varint deltas), one frequency
/// byte per page, the byte length of each page's positions (varints), then the positions (varint deltas per page).
fn encode(chunks: &[Chunk], t: usize, df: usize) -> Vec<u8> {
    let bytes: usize = chunks
        .iter()
        .map(|c| (c.bytes[t + 1] - c.bytes[t]) as usize)
        .sum();
    let mut out = Vec::with_capacity(df * 3 + bytes);
    let mut prev = 0u32;
    for c in chunks {
        for &doc in &c.docs[c.n[t] as usize..c.n[t + 1] as usize] {
            push_varint(&mut out, u64::from(doc - prev));
            prev = doc;
        }
    }
    for c in chunks {
        out.extend_from_slice(&c.flags[c.n[t] as usize..c.n[t + 1] as usize]);
    }
    for c in chunks {
        for &len in &c.lengths[c.n[t] as usize..c.n[t + 1] as usize] {
            push_varint(&mut out, u64::from(len));
        }
    }
    for c in chunks {
        out.extend_from_slice(&c.positions[c.bytes[t] as usize..c.bytes[t + 1] as usize]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_sort_like_the_terms() {
        let vocab = Vocabulary::default();
        let words = [
            "a",
            "ab",
            "abc",
            "abcdefgh",
            "abcdefghi",
            "契約更新",
            "設定",
            "z",
            "x".repeat(16).as_str(),
            &"y".repeat(17),
        ]
        .map(String::from);
        for w in &words {
            assert_eq!(vocab.text(vocab.key(w)), *w);
        }
        let short: Vec<&String> = words.iter().filter(|w| w.len() <= 16).collect();
        for a in &short {
            for b in &short {
                assert_eq!(
                    vocab.key(a).cmp(&vocab.key(b)),
                    a.as_bytes().cmp(b.as_bytes())
                );
            }
        }
        assert_eq!(
            vocab.key(&"y".repeat(17)),
            vocab.key(&"y".repeat(17)),
            "interned once"
        );
    }

    #[test]
    fn cjk_keys_are_the_keys_of_their_spelling() {
        let vocab = Vocabulary::default();
        let chars = [
            '設',
            '定',
            'ア',
            'ー',
            '々',
            '한',
            '\u{1100}',
            '\u{20B9F}',
            '\u{3134A}',
            'a',
            'é',
        ];
        for &a in &chars {
            assert_eq!(cjk_key(a, None), vocab.key(&a.to_string()), "{a}");
            for &b in &chars {
                assert_eq!(cjk_key(a, Some(b)), vocab.key(&format!("{a}{b}")), "{a}{b}");
            }
        }
    }

    #[test]
    fn postings_are_sorted_by_page_with_positions() {
        let vocab = Vocabulary::default();
        let mut scratch = Scratch::default();
        let pages: Vec<PageTerms> = [
            vec![
                ("Invite admins", Field::Title, 0),
                ("invite\nthe admins", Field::Body, 4),
            ],
            vec![("設定", Field::Body, 4)],
            vec![("admin", Field::Body, 0)],
        ]
        .into_iter()
        .map(|fields| PageTerms::new(fields, &vocab, &mut scratch))
        .collect();
        let inv = invert(pages, &vocab);
        assert_eq!(inv.terms, ["admin", "invite", "the", "設定"]);
        assert_eq!(inv.pages, [2, 1, 1, 1]);
        assert_eq!(inv.lengths, [5, 1, 1]);
        let admin = &inv.postings[0];
        // Pages 0 and 2 (deltas 0, 2); two frequency bytes, the first with the title flag (title 6 + body 1 =
        // 7), the second 1; then the byte lengths of the position lists and the lists: page 0 has admin at 1
        // (title) and in block 4 (its body) on the second line, page 2 at 0.
        assert_eq!(&admin[..4], &[0, 2, TITLE_FLAG | 7, 1]);
        let mut page0 = vec![1];
        push_varint(&mut page0, u64::from(4 * BLOCK_ALIGN + LINE_ALIGN + 1 - 1));
        let mut want = vec![page0.len() as u8, 1];
        want.extend_from_slice(&page0);
        want.push(0);
        assert_eq!(&admin[4..], &want[..]);
    }
}
