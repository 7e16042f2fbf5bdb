//! The search UI in a real browser: builds the bilingual fixture (under the subpath `/docs/guide/`) and the
//! repository's sample site, serves both on loopback with a tiny HTTP server, and runs
//! `node --test tests/browser/search.test.mjs` (playwright-core driving Debian's chromium). Skips with a message
//! when Node, `node_modules` (`npm ci`) or chromium are missing, unless `SHIRUBE_REQUIRE_BROWSER=1`.

use crate::common::server::StaticServer;
use crate::support::*;
use std::path::Path;

#[test]
fn search_ui_in_chromium() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    if node().is_none() {
        return skip("node 18+ is not installed");
    }
    if !repo_root().join("node_modules/playwright-core").is_dir() {
        return skip("node_modules/playwright-core is missing (run `npm ci`)");
    }
    if !Path::new(&chromium).is_file() {
        return skip(&format!("{chromium} is missing (apt-get install chromium)"));
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let fixture = tmp.path().join("fixture");
    build(
        &repo_root().join("tests/search/site"),
        &fixture,
        &["--base-url", "/docs/guide/"],
    );
    let sample = tmp.path().join("sample");
    build(&repo_root(), &sample, &["--base-url", "/"]);
    let fixture_server = StaticServer::start(fixture, "/docs/guide/");
    let sample_server = StaticServer::start(sample, "/");
    let (ok, stdout, stderr) = run_node(
        &["--test", "tests/browser/search.test.mjs"],
        &[
            (
                "SHIRUBE_FIXTURE_URL",
                format!("{}/docs/guide/", fixture_server.origin),
            ),
            ("SHIRUBE_SAMPLE_URL", format!("{}/", sample_server.origin)),
            ("CHROMIUM", chromium),
        ],
    );
    assert!(ok, "browser test failed:\n{stdout}\n{stderr}");
}
