//! Mangled input never crashes shirube. The sample site (the repository root) is damaged the way real files get
//! damaged: cut short (also in the middle of a UTF-8 character), bytes spliced in (YAML and Markdown syntax,
//! template tags, control characters, broken UTF-8), lines dropped, repeated or swapped. `check`, `build
//! --preview` and `status` must each end with exit code 0 (still fine) or 1 (errors reported, each naming the
//! file), never with a panic.
//!
//! The damage is drawn from a fixed seed, so every run tries the same cases; a failure names its round and
//! prints the damaged files. For a longer hunt: `SHIRUBE_MANGLE_ROUNDS=2000 SHIRUBE_MANGLE_SEED=42 cargo test
//! --release --test mangled`.

mod common;

use common::{Run, copy_dir, repo_root, run_in};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Rounds of damage (each damages up to three files of a fresh copy) and the seed, unless the environment says.
const ROUNDS: u64 = 80;
const SEED: u64 = 0x0005_eed0_f541_70be;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// xorshift64*: small, deterministic, good enough to pick offsets and cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// What gets spliced in: syntax of every language a source file mixes, and bytes editors and checkouts produce.
const SPLICES: &[&[u8]] = &[
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

/// The parts of the sample site a build reads.
const SITE: &[&str] = &[
    "shirube.yaml",
    "manifest.yaml",
    "playbooks",
    "content",
    "themes",
];

#[test]
fn damaged_sources_give_errors_never_a_panic() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let site = tmp.path().join("site");
    for part in SITE {
        let from = repo_root().join(part);
        if from.is_dir() {
            copy_dir(&from, &site.join(part));
        } else {
            std::fs::create_dir_all(&site).expect("site folder");
            std::fs::copy(&from, site.join(part)).expect("copy a site file");
        }
    }
    // What may be damaged: the config, the manifest and every Markdown file (not the theme: a broken template
    // is an error too, but the theme is not what authors edit).
    let mut targets: Vec<PathBuf> = vec![site.join("shirube.yaml"), site.join("manifest.yaml")];
    for dir in ["playbooks", "content"] {
        for entry in walkdir::WalkDir::new(site.join(dir)) {
            let entry = entry.expect("walk the sample site");
            if entry.path().extension().is_some_and(|e| e == "md") {
                targets.push(entry.into_path());
            }
        }
    }
    targets.sort();
    assert!(
        targets.len() > 20,
        "the sample site has {} sources",
        targets.len()
    );
    let pristine: BTreeMap<PathBuf, Vec<u8>> = targets
        .iter()
        .map(|p| (p.clone(), std::fs::read(p).expect("read a source")))
        .collect();

    let out = tmp.path().join("out");
    let rounds = setting("SHIRUBE_MANGLE_ROUNDS", ROUNDS);
    let mut rng = Rng(setting("SHIRUBE_MANGLE_SEED", SEED) | 1);
    let mut failed_builds = 0;
    for round in 0..rounds {
        let mut damaged = Vec::new();
        for _ in 0..3 {
            let path = &targets[rng.below(targets.len())];
            let mut bytes = std::fs::read(path).expect("read a source");
            for _ in 0..=rng.below(3) {
                damage(&mut bytes, &mut rng);
            }
            std::fs::write(path, &bytes).expect("write a damaged source");
            damaged.push(path.strip_prefix(&site).unwrap_or(path).to_path_buf());
        }
        let out_arg = out.to_str().expect("UTF-8 temp path");
        for args in [
            &["check"][..],
            &["build", "--preview", "--out", out_arg],
            &["status"],
        ] {
            let run = run_in(&site, args, &[]);
            if let Err(why) = judge(&run) {
                let files: Vec<String> = damaged
                    .iter()
                    .map(|p| {
                        let text = std::fs::read(site.join(p)).unwrap_or_default();
                        format!("--- {}\n{}", p.display(), String::from_utf8_lossy(&text))
                    })
                    .collect();
                panic!(
                    "round {round}: `shirube {}` {why}\n--- stderr\n{}\n{}",
                    args.join(" "),
                    run.stderr,
                    files.join("\n")
                );
            }
            if args[0] == "build" && run.code == 1 {
                failed_builds += 1;
            }
        }
        for (path, bytes) in &pristine {
            std::fs::write(path, bytes).expect("restore a source");
        }
    }
    // The damage must be real: most rounds break the build.
    eprintln!("{failed_builds} of {rounds} damaged sites failed to build, none crashed");
    assert!(
        failed_builds > rounds / 2,
        "only {failed_builds} of {rounds} damaged sites failed to build"
    );
    // And the restored site builds again.
    let run = run_in(&site, &["check"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// Exit code 0, or 1 with errors that name a file; never a panic or a signal.
fn judge(run: &Run) -> Result<(), String> {
    if run.stderr.contains("panicked") || run.code > 1 || run.code < 0 {
        return Err(format!("crashed (exit code {})", run.code));
    }
    if run.code == 1 && !run.stderr.contains("error") {
        return Err("failed without saying why".into());
    }
    if run.code == 1 && !names_a_file(&run.stderr) {
        return Err("failed without naming a file".into());
    }
    Ok(())
}

/// Whether some error line starts with a source path (`playbooks/...`, `content/...`, `shirube.yaml`, ...).
fn names_a_file(stderr: &str) -> bool {
    stderr.lines().any(|l| {
        l.contains(": error: ")
            && ["playbooks/", "content/", "shirube.yaml", "manifest.yaml"]
                .iter()
                .any(|p| l.starts_with(p))
    })
}

/// One kind of damage at a random place.
fn damage(bytes: &mut Vec<u8>, rng: &mut Rng) {
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

#[test]
fn a_crash_or_an_unexplained_failure_is_caught() {
    let run = |code, stderr: &str| Run {
        code,
        stdout: String::new(),
        stderr: stderr.into(),
    };
    let error = "playbooks/a.md:3:1: error: unknown phase \"x\"\n\n1 error";
    assert!(judge(&run(0, "")).is_ok());
    assert!(judge(&run(1, error)).is_ok());
    assert!(judge(&run(101, "thread 'main' panicked at src/x.rs:1:1")).is_err());
    assert!(judge(&run(-1, "")).is_err());
    assert!(judge(&run(1, "")).is_err());
    assert!(judge(&run(1, "error: something went wrong")).is_err());
}

#[test]
fn the_damage_is_deterministic() {
    // The same seed damages the same way, so a failing round can be replayed.
    let run = |seed| {
        let mut rng = Rng(seed);
        let mut text = b"title: x\nphase: onboarding\n---\nbody\n".to_vec();
        for _ in 0..10 {
            damage(&mut text, &mut rng);
        }
        text
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}
