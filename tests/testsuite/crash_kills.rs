//! Builds killed with real signals at random instants, on a generated 1,000-page site.
//!
//! Ignored by default (it takes minutes); run it with a release binary:
//!
//! ```text
//! cargo test --release --test testsuite crash_kills:: -- --ignored --nocapture
//! SHIRUBE_KILL_ITERATIONS=500 SHIRUBE_KILL_PAGES=10000 cargo test --release --test testsuite crash_kills:: -- --ignored --nocapture
//! ```
//!
//! Between two builds the sources change as a CS team changes them: lines appended to up to 300 playbooks,
//! pages turned into drafts and back, new pages added and deleted. Each build is stopped by SIGKILL, SIGINT or
//! SIGTERM, either at a uniformly random instant or just after it starts writing the output (when its journal
//! or staging folder appears). After each stop:
//! - SIGINT and SIGTERM leave exactly the old output or exactly the new one, and no temporary file;
//! - SIGKILL leaves the old output, the new one, or one that the next build turns into exactly the new one
//!   (exit 0);
//! - nothing of shirube's is left beside the output folder.
//!
//! The new output is known beforehand from a build of the same sources into another folder. `tests/testsuite/crash.rs`
//! stops builds at every kind of change deterministically; this test is the one with real signals.

use crate::common::{BIN, TODAY, snapshot};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

type Tree = BTreeMap<String, Vec<u8>>;

/// A small deterministic random number generator (xorshift64*), so that a failing run can be repeated with
/// `SHIRUBE_KILL_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn env_or(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn command(site: &Path, out: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["build", "--out", out])
        .current_dir(site)
        .env("NO_COLOR", "1")
        .env("SHIRUBE_TODAY", TODAY)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

#[track_caller]
fn build_ok(site: &Path, out: &str) {
    let done = command(site, out).output().unwrap();
    assert!(
        done.status.success(),
        "build --out {out} failed:\n{}",
        String::from_utf8_lossy(&done.stderr)
    );
}

/// What differs between two outputs, briefly.
fn diff(a: &Tree, b: &Tree) -> String {
    let only_a: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).take(5).collect();
    let only_b: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).take(5).collect();
    let changed: Vec<_> = a
        .iter()
        .filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v))
        .map(|(k, _)| k)
        .take(5)
        .collect();
    format!("only in the first: {only_a:?}; only in the second: {only_b:?}; different: {changed:?}")
}

/// Entries beside the output folder that shirube left (staging or set-aside outputs).
fn leftovers(site: &Path) -> Vec<String> {
    std::fs::read_dir(site)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".public.shirube-"))
        .collect()
}

/// Whether the build has begun changing the output: the journal is in the marker, or a staging folder exists.
fn writing(site: &Path) -> bool {
    let journal = std::fs::read(site.join("public/.shirube-output"))
        .is_ok_and(|m| m.starts_with(b"This folder is written by shirube. A build was changing"));
    journal || !leftovers(site).is_empty()
}

/// Changes the sources: appended lines, drafts on and off, pages added and deleted.
fn edit(site: &Path, rng: &mut Rng, playbooks: &[PathBuf], added: &mut Vec<PathBuf>, round: usize) {
    for _ in 0..rng.below(300) + 1 {
        let p = &playbooks[rng.below(playbooks.len())];
        let mut text = std::fs::read_to_string(p).unwrap();
        text.push_str(&format!("\nA line added in round {round}.\n"));
        std::fs::write(p, text).unwrap();
    }
    for _ in 0..rng.below(4) {
        let p = &playbooks[rng.below(playbooks.len())];
        let text = std::fs::read_to_string(p).unwrap();
        let toggled = match text.strip_prefix("---\ndraft: true\n") {
            Some(rest) => format!("---\n{rest}"),
            None => text.replacen("---\n", "---\ndraft: true\n", 1),
        };
        std::fs::write(p, toggled).unwrap();
    }
    if !added.is_empty() && rng.below(2) == 0 {
        let gone = added.swap_remove(rng.below(added.len()));
        std::fs::remove_file(gone).unwrap();
    }
    for _ in 0..rng.below(3) {
        let p = site.join(format!(
            "content/notes/round-{round}-{}.md",
            rng.next() % 1000
        ));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(
            &p,
            format!("---\ntitle: Notes from round {round}\n---\n\nWhat changed this round.\n"),
        )
        .unwrap();
        added.push(p);
    }
}

#[test]
#[ignore = "minutes long: cargo test --release --test testsuite crash_kills:: -- --ignored"]
fn builds_killed_at_random_instants_leave_the_old_or_the_new_output() {
    let iterations = env_or("SHIRUBE_KILL_ITERATIONS", 200) as usize;
    let pages = env_or("SHIRUBE_KILL_PAGES", 1000);
    let mut rng = Rng(env_or("SHIRUBE_KILL_SEED", 0x5EED_1234_ABCD) | 1);
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let generator = crate::common::repo_root().join("../shared/bench/gen_corpus.py");
    let made = Command::new("python3")
        .arg(&generator)
        .args(["--pages", &pages.to_string(), "--out"])
        .arg(&site)
        .output()
        .expect("python3 runs the corpus generator");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let playbooks: Vec<PathBuf> = walkdir(&site.join("playbooks"));
    let mut added = Vec::new();

    build_ok(&site, "public");
    // How long a build takes, for the random instants.
    let started = Instant::now();
    build_ok(&site, "public");
    let build_time = started.elapsed();
    let mut current = snapshot(&site.join("public"));
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();

    for round in 0..iterations {
        edit(&site, &mut rng, &playbooks, &mut added, round);
        let _ = std::fs::remove_dir_all(tmp.path().join("expected"));
        build_ok(&site, "../expected");
        let expected = snapshot(&tmp.path().join("expected"));
        assert_ne!(
            expected, current,
            "round {round}: the edits changed nothing"
        );

        let (signal, name) =
            [("KILL", "SIGKILL"), ("INT", "SIGINT"), ("TERM", "SIGTERM")][rng.below(3)];
        let while_writing = rng.below(3) != 0;
        let mut child = command(&site, "public").spawn().unwrap();
        let started = Instant::now();
        if while_writing {
            // Just after the build starts changing the output, at a random point of its writes.
            while !writing(&site) && child.try_wait().unwrap().is_none() {
                std::thread::sleep(Duration::from_micros(200));
            }
            std::thread::sleep(Duration::from_micros(rng.next() % 40_000));
        } else {
            let nanos = build_time.as_nanos() as u64 * 12 / 10;
            std::thread::sleep(Duration::from_nanos(rng.next() % nanos.max(1)));
        }
        let _ = Command::new("kill")
            .args(["-s", signal, &child.id().to_string()])
            .status();
        let done = child.wait_with_output().unwrap();
        let stopped_after = started.elapsed();
        let stderr = String::from_utf8_lossy(&done.stderr).into_owned();
        let after = snapshot(&site.join("public"));
        let temps: Vec<_> = after
            .keys()
            .filter(|k| k.ends_with(".shirube-new"))
            .collect();
        let state = if after == expected {
            "new"
        } else if after == current {
            "old"
        } else {
            "mixed"
        };
        let finished = done.status.success();
        let context = format!(
            "round {round}: {name} after {stopped_after:?} (build {build_time:?}, while writing {while_writing}), \
             exit {:?}, output {state}\n{stderr}",
            done.status
        );
        if finished {
            assert_eq!(state, "new", "{context}");
        } else if signal != "KILL" {
            assert!(state != "mixed", "{context}: {}", diff(&after, &expected));
            assert!(temps.is_empty(), "{context}: temporary files {temps:?}");
            assert_eq!(leftovers(&site), Vec::<String>::new(), "{context}");
            assert!(
                matches!(done.status.code(), Some(130 | 143)),
                "{context}: expected exit code 130 or 143"
            );
        }
        *tally
            .entry(format!(
                "{name} {} → {state}",
                if finished { "(finished first)" } else { "" }
            ))
            .or_default() += 1;
        if state != "new" {
            build_ok(&site, "public");
            let fixed = snapshot(&site.join("public"));
            assert!(
                fixed == expected,
                "{context}: the next build did not leave exactly the new output: {}",
                diff(&fixed, &expected)
            );
            assert_eq!(leftovers(&site), Vec::<String>::new(), "{context}");
        }
        current = expected;
    }
    eprintln!(
        "{iterations} builds of a {pages}-page site (a whole build {build_time:?}) stopped by signals:"
    );
    for (what, n) in &tally {
        eprintln!("  {n:4}  {what}");
    }
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
    out.sort();
    out
}
