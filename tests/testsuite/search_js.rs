//! Runs the Node tests of the search runtime (`tests/search/*.test.mjs`): the shared tokenizer vectors and the
//! runtime's behaviour on a built site. Skips with a message when Node 18+ is missing, unless
//! `SHIRUBE_REQUIRE_BROWSER=1`.

use crate::support::*;

#[test]
fn node_tests_of_the_runtime() {
    if node().is_none() {
        skip("node 18+ is not installed");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("public");
    build(
        &repo_root().join("tests/search/site"),
        &out,
        &["--base-url", "/guide/"],
    );
    let (ok, stdout, stderr) = run_node(
        &[
            "--test",
            "tests/search/tokenize.test.mjs",
            "tests/search/runtime.test.mjs",
        ],
        &[("SHIRUBE_SITE_DIR", out.display().to_string())],
    );
    assert!(ok, "node --test failed:\n{stdout}\n{stderr}");
}
