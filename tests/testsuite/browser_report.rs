//! `shirube report` in a real browser: Debian's Chromium driven by `playwright-core` under `node --test`
//! (`tests/browser/report.test.mjs`).
//!
//! Each test writes a report with the real binary, and beside it the `status --format json` of the same site on
//! the same day, serves both from a loopback port and has the Node tests compare them: heatmap cells, "what to
//! prove next", expiring proofs and helpfulness; no request beyond the report itself; axe-core with no serious
//! or critical violation in light and dark; print. Screenshots go to `target/screenshots/report-*.png`.
//!
//! One test uses the sample site (the repository root) with the Google Forms feedback fixture; the other a
//! 10,000-page corpus from `../shared/bench/gen_corpus.py` (or `SHIRUBE_GEN_CORPUS`), skipped when that
//! generator or python3 is missing. Without Node 18+, `node_modules/` (run `npm ci`) or Chromium the tests print
//! SKIP and pass, unless `SHIRUBE_REQUIRE_BROWSER=1`.

use crate::common::server::StaticServer;
use crate::common::{BIN, copy_sample_site, fixture_dir, repo_root};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs shirube in `site` on `today`, returning stdout; panics when it fails.
fn shirube(site: &Path, today: &str, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(site)
        .env("NO_COLOR", "1")
        .env("SHIRUBE_TODAY", today)
        .output()
        .expect("cannot run shirube");
    assert!(
        out.status.success(),
        "shirube {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes `served/NAME/report.html` and `served/NAME/status.json` for `site` on `today`.
fn report(site: &Path, served: &Path, name: &str, today: &str, extra: &[&str]) {
    let dir = served.join(name);
    std::fs::create_dir_all(&dir).expect("report folder");
    let out = dir.join("report.html");
    let mut args = vec!["report", "--out", out.to_str().expect("UTF-8 temp path")];
    args.extend_from_slice(extra);
    shirube(site, today, &args);
    let mut args = vec!["status", "--format", "json"];
    args.extend_from_slice(extra);
    std::fs::write(dir.join("status.json"), shirube(site, today, &args)).expect("status.json");
}

fn run_node(served: &Path, names: &str, chromium: &Path) {
    let server = StaticServer::start(served.to_path_buf(), "/");
    let screenshots = target_dir().join("screenshots");
    let status = Command::new("node")
        .args([
            "--test",
            "--test-reporter=spec",
            "tests/browser/report.test.mjs",
        ])
        .current_dir(repo_root())
        .env("SHIRUBE_ORIGIN", &server.origin)
        .env("SHIRUBE_REPORT_DIR", served)
        .env("SHIRUBE_REPORTS", names)
        .env("SHIRUBE_CHROMIUM", chromium)
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

#[test]
fn the_report_of_the_sample_site_in_chromium() {
    let Some(chromium) = crate::common::browser_prerequisites(
        "the_report_of_the_sample_site_in_chromium",
        &["playwright-core", "axe-core"],
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let site = tmp.path().join("site");
    copy_sample_site(&site);
    let served = tmp.path().join("served");
    let feedback = fixture_dir("feedback").join("google-forms.csv");
    report(
        &site,
        &served,
        "sample",
        crate::common::TODAY,
        &["--feedback", feedback.to_str().expect("UTF-8 path")],
    );
    run_node(&served, "sample", &chromium);
}

#[test]
fn the_report_of_a_10000_page_corpus_in_chromium() {
    let Some(chromium) = crate::common::browser_prerequisites(
        "the_report_of_a_10000_page_corpus_in_chromium",
        &["playwright-core", "axe-core"],
    ) else {
        return;
    };
    let generator = std::env::var_os("SHIRUBE_GEN_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/bench/gen_corpus.py"));
    if !generator.is_file() {
        println!(
            "SKIP the_report_of_a_10000_page_corpus_in_chromium: no corpus generator at {} (set SHIRUBE_GEN_CORPUS)",
            generator.display()
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let site = tmp.path().join("corpus");
    let made = Command::new("python3")
        .arg(&generator)
        .args(["--pages", "10000", "--as-of", "2026-11-01", "--out"])
        .arg(&site)
        .output()
        .expect("python3 runs the corpus generator");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let served = tmp.path().join("served");
    // Seven months after the corpus's day: some proofs expire within 60 days, none has yet.
    report(&site, &served, "corpus", "2027-06-01", &[]);
    let status: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(served.join("corpus/status.json")).expect("status.json"),
    )
    .expect("status JSON");
    assert!(
        status["expiring"].as_array().is_some_and(|e| !e.is_empty()),
        "the corpus has proofs expiring within 60 days on that day"
    );
    run_node(&served, "corpus", &chromium);
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}
