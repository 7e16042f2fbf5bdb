//! Mangled input never crashes shirube. The sample site (the repository root) is damaged the way real files get
//! damaged: cut short (also in the middle of a UTF-8 character), bytes spliced in (YAML and Markdown syntax,
//! template tags, control characters, broken UTF-8), lines dropped, repeated or swapped. `check`, `build
//! --preview` and `status` must each end with exit code 0 (still fine) or 1 (errors reported, each naming the
//! file), never with a panic.
//!
//! The damage is drawn from a fixed seed, so every run tries the same cases; a failure names its round and
//! prints the damaged files. For a longer hunt: `SHIRUBE_MANGLE_ROUNDS=2000 SHIRUBE_MANGLE_SEED=42 cargo test
//! --release --test testsuite mangled::`.

use crate::common::mangle::{Rng, damage, damage_some, sources};
use crate::common::{Run, copy_sample_site, run_in};
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

#[test]
fn damaged_sources_give_errors_never_a_panic() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let site = tmp.path().join("site");
    copy_sample_site(&site);
    let targets = sources(&site);
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
            damage_some(&mut bytes, &mut rng);
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
        l.contains(": error[")
            && ["playbooks/", "content/", "shirube.yaml", "manifest.yaml"]
                .iter()
                .any(|p| l.starts_with(p))
    })
}

#[test]
fn a_crash_or_an_unexplained_failure_is_caught() {
    let run = |code, stderr: &str| Run {
        code,
        stdout: String::new(),
        stderr: stderr.into(),
    };
    let error = "playbooks/a.md:3:1: error[unknown-phase]: unknown phase \"x\"\n\n1 error";
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
