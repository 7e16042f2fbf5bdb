//! The reader experience in a real browser: Debian's Chromium driven by `playwright-core` under `node --test`
//! (`tests/browser/reader.test.mjs`).
//!
//! This test builds the sample site (English, under `/en/`), a `shirube init --lang ja` site (under `/ja/`) and
//! a site with a long phase (under `/big/`) with the real binary, serves both from a small HTTP server on a loopback port, and runs the Node tests
//! against it. They tick steps, pick tiers, rebuild the site with an inserted step (through the same binary),
//! check accessibility with axe-core in light and dark mode, and write screenshots to `target/screenshots/`.
//!
//! Without Node 18+, `node_modules/` (run `npm ci`) or Chromium (`/usr/bin/chromium`, or `SHIRUBE_CHROMIUM`), the
//! test prints SKIP and passes, unless `SHIRUBE_REQUIRE_BROWSER=1`, as in CI, where it fails.

use crate::common::server::StaticServer;
use crate::common::{BIN, copy_sample_site, repo_root};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Proof dates of the sample manifest are judged against this day, so the set of published pages is fixed.
const TODAY: &str = "2026-11-25";

#[test]
fn reader_experience_in_chromium() {
    let Some(chromium) = crate::common::browser_prerequisites(
        "reader_experience_in_chromium",
        &["playwright-core", "axe-core"],
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");

    // The sample site, copied so the Node tests can edit a playbook and rebuild it.
    let en = tmp.path().join("site-en");
    copy_sample_site(&en);
    build(&en, &out.join("en"), "/en/");

    // A Japanese site, as `shirube init --lang ja` makes it.
    let ja = tmp.path().join("site-ja");
    shirube(
        tmp.path(),
        &[
            "init",
            ja.to_str().expect("UTF-8 temp path"),
            "--lang",
            "ja",
        ],
    );
    build(&ja, &out.join("ja"), "/ja/");

    // A guide with more playbooks in one phase than the home map lists: 30 in onboarding, odd ones for the
    // low tier and even ones for mid, two steps each (three for the last two).
    let big = tmp.path().join("site-big");
    std::fs::create_dir_all(big.join("playbooks/onboarding")).expect("site folder");
    std::fs::write(
        big.join("shirube.yaml"),
        "title: Big guide\nproof:\n  gate: []\n",
    )
    .expect("config");
    for n in 1..=30 {
        let tier = if n % 2 == 1 { "low" } else { "mid" };
        let extra = if n >= 29 { "3. Tell the team.\n" } else { "" };
        std::fs::write(
            big.join(format!("playbooks/onboarding/step-{n:02}.md")),
            format!(
                "---\ntitle: Step {n:02}\nphase: onboarding\ntier: {tier}\nweight: {n}\n---\n\n\
                 1. Open page {n}.\n2. Save page {n}.\n{extra}"
            ),
        )
        .expect("playbook");
    }
    build(&big, &out.join("big"), "/big/");

    let server = StaticServer::start(out.clone(), "/");
    let screenshots = target_dir().join("screenshots");
    std::fs::create_dir_all(&screenshots).expect("screenshot folder");
    let status = Command::new("node")
        .args([
            "--test",
            "--test-reporter=spec",
            "tests/browser/reader.test.mjs",
        ])
        .current_dir(repo_root())
        .env("SHIRUBE_ORIGIN", &server.origin)
        .env("SHIRUBE_BIN", BIN)
        .env("SHIRUBE_SITE_EN", &en)
        .env("SHIRUBE_OUT_EN", out.join("en"))
        .env("SHIRUBE_TODAY", TODAY)
        .env("SHIRUBE_CHROMIUM", &chromium)
        .env("SHIRUBE_SCREENSHOTS", &screenshots)
        .status()
        .expect("cannot run node");
    drop(server);
    assert!(
        status.success(),
        "the browser tests failed (their output is above)"
    );
    println!("screenshots: {}", screenshots.display());
}

fn shirube(dir: &Path, args: &[&str]) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SHIRUBE_TODAY", TODAY)
        .output()
        .expect("cannot run shirube");
    assert!(
        out.status.success(),
        "shirube {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn build(site: &Path, out: &Path, base: &str) {
    shirube(
        site,
        &[
            "build",
            "--out",
            out.to_str().expect("UTF-8 temp path"),
            "--base-url",
            base,
        ],
    );
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}
