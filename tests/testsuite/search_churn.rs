//! A one-page edit rewrites only the search files whose bytes it changes (issue 19): every index file but the
//! manifest is named by a hash of its bytes, positions count from the start of each section and the impact is
//! made in the browser from the page length, so an edit of one paragraph touches the shards of that section's
//! terms, the page's fragment and the list that names it, the docs file and the manifest; nothing else.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Must match `BLOCK_ALIGN` in `src/search/invert.rs` and the first section's block in `src/search.rs`.
const BLOCK_ALIGN: u64 = 4096;
const FIRST_SECTION_BLOCK: u64 = 1;

fn build(site: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_shirube"))
        .args(["build", "--root"])
        .arg(site)
        .arg("--out")
        .arg(site.join("public"))
        .output()
        .expect("shirube runs");
    assert!(
        out.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file under `dir` (relative path → inode and modification time): a file shirube writes is a new
/// inode renamed into place, an unchanged one keeps both.
fn stamps(dir: &Path) -> BTreeMap<String, (u64, i64, i64)> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if e.file_type().is_file() {
            let m = e.metadata().expect("metadata");
            let rel = e.path().strip_prefix(dir).expect("under dir");
            out.insert(
                rel.to_string_lossy().replace('\\', "/"),
                (m.ino(), m.mtime(), m.mtime_nsec()),
            );
        }
    }
    out
}

fn varint(b: &[u8], at: &mut usize) -> u64 {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let x = b[*at];
        *at += 1;
        v |= u64::from(x & 0x7f) << shift;
        if x < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// A shard's terms, each with its pages and each page's positions.
/// A shard's terms, each with (page, positions) per page that has it.
type Terms = Vec<(String, Vec<(u64, Vec<u64>)>)>;

fn shard(bytes: &[u8]) -> Terms {
    assert_eq!(&bytes[..4], shirube::search::SHARD_MAGIC);
    let mut at = 4;
    let n = varint(bytes, &mut at);
    let mut prev: Vec<u8> = Vec::new();
    let mut out = Vec::new();
    for _ in 0..n {
        let shared = varint(bytes, &mut at) as usize;
        let rest = varint(bytes, &mut at) as usize;
        let mut term = prev[..shared].to_vec();
        term.extend_from_slice(&bytes[at..at + rest]);
        at += rest;
        let ndocs = varint(bytes, &mut at) as usize;
        let len = varint(bytes, &mut at) as usize;
        let body = &bytes[at..at + len];
        at += len;
        let mut p = 0;
        let mut doc = 0;
        let docs: Vec<u64> = (0..ndocs)
            .map(|_| {
                doc += varint(body, &mut p);
                doc
            })
            .collect();
        p += ndocs; // frequency bytes
        let lengths: Vec<usize> = (0..ndocs).map(|_| varint(body, &mut p) as usize).collect();
        let mut pages = Vec::new();
        for (d, l) in docs.into_iter().zip(lengths) {
            let end = p + l;
            let mut pos = Vec::new();
            let mut v = 0;
            while p < end {
                v += varint(body, &mut p);
                pos.push(v);
            }
            pages.push((d, pos));
        }
        assert_eq!(p, body.len(), "postings fully read");
        out.push((String::from_utf8(term.clone()).expect("UTF-8"), pages));
        prev = term;
    }
    assert_eq!(at, bytes.len(), "shard fully read");
    out
}

struct Index {
    manifest: serde_json::Value,
    /// Shard file name → its terms.
    shards: BTreeMap<String, Terms>,
}

fn index(public: &Path) -> Index {
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(public.join("search/manifest.json")).expect("manifest"),
    )
    .expect("JSON");
    let mut shards = BTreeMap::new();
    for name in manifest["shard_files"].as_array().expect("shard_files") {
        let path = format!("search/s/{}.bin", name.as_str().expect("name"));
        shards.insert(
            path.clone(),
            shard(&std::fs::read(public.join(&path)).expect("shard")),
        );
    }
    Index { manifest, shards }
}

/// Page id of `url` (relative to the base path), through the fragment lists.
fn page_id(public: &Path, m: &serde_json::Value, url: &str) -> u64 {
    let per = m["fragment_list_pages"].as_u64().expect("per list");
    for (k, list) in m["fragment_lists"]
        .as_array()
        .expect("lists")
        .iter()
        .enumerate()
    {
        let bytes =
            std::fs::read(public.join(format!("search/l/{}.bin", list.as_str().expect("name"))))
                .expect("list");
        for (i, name) in bytes.chunks(8).enumerate() {
            let hex: String = name.iter().map(|b| format!("{b:02x}")).collect();
            let frag: serde_json::Value = serde_json::from_slice(
                &std::fs::read(public.join(format!("search/f/{hex}.json"))).expect("fragment"),
            )
            .expect("JSON");
            if frag["u"] == url {
                return k as u64 * per + i as u64;
            }
        }
    }
    panic!("no fragment for {url}");
}

/// Every (position, term, shard) of page `doc` in `block`.
fn positions_in_block(ix: &Index, doc: u64, block: u64) -> Vec<(u64, String, String)> {
    let mut out = Vec::new();
    for (path, terms) in &ix.shards {
        for (term, pages) in terms {
            for (_, pos) in pages.iter().filter(|(d, _)| *d == doc) {
                for &p in pos.iter().filter(|p| **p / BLOCK_ALIGN == block) {
                    out.push((p, term.clone(), path.clone()));
                }
            }
        }
    }
    out.sort();
    out
}

/// The terms of the line that holds position `at` (a line's tokens are at consecutive positions, and lines
/// are apart), and the shards that hold them.
fn line_terms(all: &[(u64, String, String)], at: u64) -> BTreeMap<String, String> {
    let i = all.iter().position(|p| p.0 == at).expect("position");
    let (mut lo, mut hi) = (i, i);
    while lo > 0 && all[lo - 1].0 + 1 >= all[lo].0 {
        lo -= 1;
    }
    while hi + 1 < all.len() && all[hi].0 + 1 >= all[hi + 1].0 {
        hi += 1;
    }
    all[lo..=hi]
        .iter()
        .map(|(_, t, s)| (t.clone(), s.clone()))
        .collect()
}

#[test]
fn a_one_page_edit_writes_only_the_search_files_it_changes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = tmp.path().join("site");
    let generator = crate::common::repo_root().join("../shared/bench/gen_corpus.py");
    if !generator.exists() {
        // The generator sits beside the repository on the team's machines and in CI, not in a bare clone.
        eprintln!("SKIP: {} not found", generator.display());
        return;
    }
    let made = Command::new("python3")
        .arg(&generator)
        .args(["--pages", "1000", "--lang", "en", "--out"])
        .arg(&site)
        .output()
        .expect("python3 runs the corpus generator");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    build(&site);
    let public = site.join("public");
    let before = stamps(&public);
    let old = index(&public);

    // A published playbook with a section of several paragraphs: one word added near the start of its second
    // paragraph, as an author fixes a sentence.
    let pages: serde_json::Value =
        serde_json::from_slice(&std::fs::read(public.join("manifest.json")).expect("manifest"))
            .expect("JSON");
    let base = old.manifest["base"].as_str().expect("base").to_string();
    let (src, url, section, old_line, new_line) = pages["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .filter(|p| p["kind"] == "playbook" && p["state"] == "published")
        .find_map(|p| {
            let url = p["url"].as_str()?;
            let rel = url.strip_prefix(&base)?;
            let src: PathBuf = site.join(format!("{}.md", rel.trim_end_matches('/')));
            let text = std::fs::read_to_string(&src).ok()?;
            let body = text.splitn(3, "---\n").nth(2)?;
            // Sections: the text before the first heading is section 0 only when it has text.
            let mut section = 0u64;
            let mut intro = false;
            let mut seen_heading = false;
            let mut paragraphs_here = 0;
            let mut fenced = false;
            for line in body.lines() {
                if line.starts_with("```") {
                    fenced = !fenced;
                    continue;
                }
                if fenced {
                    continue;
                }
                if line.starts_with('#') {
                    if seen_heading || intro {
                        section += 1;
                    }
                    seen_heading = true;
                    paragraphs_here = 0;
                    continue;
                }
                let prose = line.len() > 40
                    && line.ends_with('.')
                    && line.starts_with(|c: char| c.is_ascii_uppercase());
                if !seen_heading && !line.trim().is_empty() {
                    intro = true;
                }
                if prose && seen_heading {
                    paragraphs_here += 1;
                    if paragraphs_here == 2 {
                        // After the line's first word: the words after it move.
                        let (first, rest) = line.split_once(' ')?;
                        let new_line = format!("{first} today {rest}");
                        return Some((src, rel.to_string(), section, line.to_string(), new_line));
                    }
                }
            }
            None
        })
        .expect("a published playbook with two paragraphs in a section");
    let old_doc = page_id(&public, &old.manifest, &url);
    let text = std::fs::read_to_string(&src).expect("source");
    std::fs::write(&src, text.replacen(&old_line, &new_line, 1)).expect("edit");
    build(&site);
    let after = stamps(&public);
    let new = index(&public);

    let written: BTreeSet<&String> = after
        .iter()
        .filter(|(p, v)| p.starts_with("search/") && before.get(*p) != Some(v))
        .map(|(p, _)| p)
        .collect();
    let deleted: BTreeSet<&String> = before
        .keys()
        .filter(|p| p.starts_with("search/") && !after.contains_key(*p))
        .collect();

    // What the design allows: the shards that hold a term of the edited section (before or after the edit),
    // a shard beside each boundary that may have moved with them, the fragment, its list, the docs file and
    // the manifest.
    let doc = page_id(&public, &new.manifest, &url);
    assert_eq!(doc, old_doc, "page ids kept");
    let block = FIRST_SECTION_BLOCK + section;
    let new_positions = positions_in_block(&new, doc, block);
    let today = new_positions
        .iter()
        .filter(|p| p.1 == "today")
        .map(|p| p.0)
        .max()
        .unwrap_or_else(|| panic!("the edited section is block {block}: {new_positions:?}"));
    // The edited line's terms, after the edit and before (the line starts at the same place).
    let line = line_terms(&new_positions, today);
    let old_positions = positions_in_block(&old, doc, block);
    let old_line = old_positions
        .iter()
        .find(|p| p.0 / 32 == today / 32 || p.0 + 1 == today)
        .map(|p| line_terms(&old_positions, p.0))
        .unwrap_or_default();
    let section_shards: BTreeSet<&String> = new_positions.iter().map(|p| &p.2).collect();
    let touched: BTreeSet<&String> = line.values().collect();
    let shards_written: Vec<&&String> = written
        .iter()
        .filter(|p| p.starts_with("search/s/"))
        .collect();
    let elsewhere: Vec<&&String> = shards_written
        .iter()
        .copied()
        .filter(|s| {
            !new.shards[s.as_str()]
                .iter()
                .any(|(t, _)| line.contains_key(t) || old_line.contains_key(t))
        })
        .collect();
    assert!(
        elsewhere.len() <= 2,
        "shards rewritten that hold no term of the edited line: {elsewhere:?}"
    );
    let bound = touched.len() + 2 + 4;
    let total = new.shards.len();
    assert!(
        written.len() <= bound,
        "{} search files written for a one-word edit, more than the {bound} the design allows \
         ({} shards hold a term of the edited line, of {total}): {written:?}",
        written.len(),
        touched.len()
    );
    // Old versions of the rewritten files are gone; nothing else was.
    assert!(
        deleted.len() < written.len(),
        "{} deleted, {} written: {deleted:?}",
        deleted.len(),
        written.len()
    );
    for d in &deleted {
        let kind = &d[..9];
        assert!(
            written.iter().any(|w| w.starts_with(kind)),
            "{d} deleted, but no file of its kind was written"
        );
    }
    assert!(
        written.contains(&"search/manifest.json".to_string()),
        "the manifest names the new files"
    );
    // Outside search/, only the edited page changed.
    let other: Vec<&String> = after
        .iter()
        .filter(|(p, v)| {
            !p.starts_with("search/") && *p != ".shirube-output" && before.get(*p) != Some(v)
        })
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        other,
        vec![&format!("{url}index.html")],
        "files written outside search/"
    );
    eprintln!(
        "one-word edit at {} pages: {} search files written ({} shards of {total}; {} hold a term of the \
         line, {} of the section), {} deleted",
        new.manifest["pages"],
        written.len(),
        shards_written.len(),
        touched.len(),
        section_shards.len(),
        deleted.len()
    );
}
