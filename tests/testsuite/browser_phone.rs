//! The guide on a phone (issue 20), in a real browser: Debian's Chromium driven by `playwright-core` under
//! `node --test` (`tests/browser/phone.test.mjs`), at 360 and 1280 px.
//!
//! Builds the sample site (under `/en/`), a `shirube init --lang ja` site (under `/ja/`) and a small site whose
//! playbook has alternative paths and an optional block (under `/alt/`) with the real binary, serves them from
//! a loopback HTTP server and runs the Node tests: the first screen of the home page, step labels, alternative
//! paths, tables and overflow on every page, the favicon, the 404 page, the search list by keyboard, axe-core,
//! and screenshots of every page type (both widths, light and dark, English and Japanese) in
//! `target/screenshots/phone/`.
//!
//! Skips (prints SKIP and passes) without Node 18+, `node_modules/` or Chromium, unless
//! `SHIRUBE_REQUIRE_BROWSER=1`.

use crate::common::server::StaticServer;
use crate::common::{BIN, copy_sample_site, repo_root};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Proof dates of the sample manifest are judged against this day, so the set of published pages is fixed.
const TODAY: &str = "2026-11-25";

/// A playbook with a step before and after two alternative paths (two steps and one), an optional block and
/// a heading under the first path.
const ALT_PLAYBOOK: &str = "---\ntitle: Connect SSO\nphase: onboarding\ntime: 20m\nbefore_kickoff: true\n---\n\n\
Pick the provider you use.\n\n1. Open the security settings.\n\n## Okta {.alternative}\n\n1. Add the Okta app.\n\n\
### Check\n\n1. Copy the Okta metadata.\n\n## Entra ID {.alternative}\n\n1. Add the Entra app.\n\n\
## Finish\n\n1. Paste the metadata.\n\n> [!OPTIONAL]\n> 1. Tell your team it is ready.\n";

#[test]
fn the_guide_on_a_phone_in_chromium() {
    let Some(chromium) = crate::common::browser_prerequisites(
        "the_guide_on_a_phone_in_chromium",
        &["playwright-core", "axe-core"],
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");

    let en = tmp.path().join("site-en");
    copy_sample_site(&en);
    build(&en, &out.join("en"), "/en/");

    let ja = tmp.path().join("site-ja");
    let ja_arg = ja.to_str().expect("UTF-8 temp path");
    shirube(tmp.path(), &["init", ja_arg, "--lang", "ja"]);
    build(&ja, &out.join("ja"), "/ja/");

    let alt = tmp.path().join("site-alt");
    std::fs::create_dir_all(alt.join("playbooks/onboarding")).expect("site folder");
    std::fs::write(
        alt.join("shirube.yaml"),
        "title: Paths guide\nproof:\n  gate: []\n",
    )
    .expect("config");
    std::fs::write(alt.join("playbooks/onboarding/sso.md"), ALT_PLAYBOOK).expect("playbook");
    build(&alt, &out.join("alt"), "/alt/");

    let server = StaticServer::start(out.clone(), "/");
    let screenshots = target_dir().join("screenshots").join("phone");
    std::fs::create_dir_all(&screenshots).expect("screenshot folder");
    let status = Command::new("node")
        .args([
            "--test",
            "--test-reporter=spec",
            "tests/browser/phone.test.mjs",
        ])
        .current_dir(repo_root())
        .env("SHIRUBE_ORIGIN", &server.origin)
        .env("SHIRUBE_CHROMIUM", &chromium)
        .env("SHIRUBE_SCREENSHOTS", &screenshots)
        .status()
        .expect("cannot run node");
    drop(server);
    assert!(
        status.success(),
        "the phone tests failed (their output is above)"
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
    let out = out.to_str().expect("UTF-8 temp path");
    shirube(site, &["build", "--out", out, "--base-url", base]);
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}
