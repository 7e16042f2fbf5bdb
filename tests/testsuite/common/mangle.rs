//! Damage to source files, the way real files get damaged: cut short (also inside a UTF-8 character), bytes
//! spliced in (YAML, Markdown, template and control bytes, broken UTF-8), a few bytes gone, lines dropped,
//! repeated or swapped. Drawn from a seeded generator, so a failing case can be replayed.

use std::path::{Path, PathBuf};

/// xorshift64*: small, deterministic, good enough to pick offsets and cases.
pub(crate) struct Rng(pub u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// What gets spliced in: syntax of every language a source file mixes, and bytes editors and checkouts produce.
pub(crate) const SPLICES: &[&[u8]] = &[
    b"---\n",
    b"\n---\n",
    b":",
    b": [",
    b"- ",
    b"\"",
    b"'",
    b"&anchor ",
    b"*alias",
    b"!!binary ",
    b"{{ page.title }}",
    b"{% if %}",
    b"](",
    b"](../nowhere.md#no-such-heading)",
    b"![x](missing.png)",
    b"> [!WARNING]\n",
    b"## {#}",
    b"{#dup}",
    b"[^1]",
    b"|---|\n",
    b"- [ ] ",
    b"1. ",
    b"```\n",
    b"<details><summary>",
    b"<script>",
    b"<!--",
    b"\t",
    b"\r",
    b"\r\n",
    b"\0",
    b"\x1b[31m",
    b"\xff\xfe",
    b"\xe3\x81",
    "\u{3000}".as_bytes(),
    "\u{301}".as_bytes(),
    "\u{feff}".as_bytes(),
    "🎉".as_bytes(),
    "**「重要」**を".as_bytes(),
    b"phase: onbording\n",
    b"tier: [low, nowhere]\n",
    b"requires: [../nowhere.md]\n",
    b"weight: -99999999999999999999\n",
    b"time: 999999999h\n",
    b"date: 2099-01-01\n",
    b"date: 2026-02-30\n",
    b"hash: sha256:zz\n",
    b"outcome: maybe\n",
    b"min_proofs: -1\n",
    b"max_age_days: 1e400\n",
];

/// What an author edits, and so what gets damaged: the config, the manifest and every Markdown file under
/// `playbooks/` and `content/` of the site at `root` (not the theme), sorted.
pub(crate) fn sources(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![root.join("shirube.yaml"), root.join("manifest.yaml")];
    for dir in ["playbooks", "content"] {
        for entry in walkdir::WalkDir::new(root.join(dir)) {
            let entry = entry.expect("walk the site");
            if entry.path().extension().is_some_and(|e| e == "md") {
                out.push(entry.into_path());
            }
        }
    }
    out.sort();
    out
}

/// One to three kinds of damage ([`damage`]) at random places.
pub(crate) fn damage_some(bytes: &mut Vec<u8>, rng: &mut Rng) {
    for _ in 0..=rng.below(3) {
        damage(bytes, rng);
    }
}

/// One kind of damage at a random place.
pub(crate) fn damage(bytes: &mut Vec<u8>, rng: &mut Rng) {
    let len = bytes.len();
    let at = rng.below(len + 1);
    match rng.below(6) {
        // Cut short, possibly inside a UTF-8 character.
        0 => bytes.truncate(at),
        // Something spliced in.
        1 => {
            let s = SPLICES[rng.below(SPLICES.len())];
            bytes.splice(at..at, s.iter().copied());
        }
        // A few bytes gone.
        2 => {
            let end = (at + 1 + rng.below(40)).min(len);
            bytes.drain(at.min(end)..end);
        }
        // Lines dropped, repeated or swapped.
        kind => {
            let mut lines: Vec<Vec<u8>> =
                bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            let i = rng.below(lines.len());
            let j = rng.below(lines.len());
            match kind {
                3 => {
                    lines.remove(i);
                }
                4 => {
                    let line = lines[i].clone();
                    lines.insert(j, line);
                }
                _ => lines.swap(i, j),
            }
            *bytes = lines.join(&b'\n');
        }
    }
}
