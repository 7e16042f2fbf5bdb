//! The search quality set (`tests/search/quality.json`: realistic queries over the bilingual fixture site, half
//! of them Japanese, each with the page it should find). Builds the fixture with the real binary, runs every query
//! through the real runtime in Node, asserts recall@5 ≥ 0.9 and prints MRR. Skips without Node 18+ unless
//! `SHIRUBE_REQUIRE_BROWSER=1`.

use crate::support::*;

#[test]
fn recall_at_5_is_at_least_0_9() {
    let cases: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("tests/search/quality.json"))
            .expect("quality set"),
    )
    .expect("valid JSON");
    let cases = cases.as_array().expect("a list");
    let japanese = cases
        .iter()
        .filter(|c| {
            c["query"]
                .as_str()
                .is_some_and(|q| q.chars().any(shirube::search::tokenize::is_cjk))
        })
        .count();
    assert!(cases.len() >= 40, "at least 40 queries");
    assert!(japanese * 2 >= cases.len(), "at least half in Japanese");

    if node().is_none() {
        skip("node 18+ is not installed");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("public");
    build(&repo_root().join("tests/search/site"), &out, &[]);
    let (ok, stdout, stderr) = run_node(
        &[
            "tests/search/quality.mjs",
            out.to_str().expect("utf-8 path"),
            "0.9",
        ],
        &[],
    );
    let summary = stdout.lines().last().unwrap_or_default();
    eprintln!("{stdout}");
    let v: serde_json::Value = serde_json::from_str(summary)
        .unwrap_or_else(|e| panic!("quality.mjs printed no summary ({e}):\n{stdout}\n{stderr}"));
    let recall = v["recall_at_5"].as_f64().expect("recall");
    let mrr = v["mrr"].as_f64().expect("mrr");
    println!(
        "search quality: {} queries ({} Japanese), recall@5 = {recall:.3}, MRR = {mrr:.3}",
        v["queries"], v["japanese"]
    );
    assert!(ok, "quality.mjs failed:\n{stderr}");
    assert!(
        recall >= 0.9,
        "recall@5 = {recall:.3} < 0.9; misses: {}",
        v["misses"]
    );
    // The original queries (no `section`) must not get worse with the variants, synonyms and typos of issue 24.
    let base = &v["sections"]["base"];
    let (base_recall, base_mrr) = (
        base["recall_at_5"].as_f64().expect("base recall"),
        base["mrr"].as_f64().expect("base mrr"),
    );
    println!("  base: recall@5 = {base_recall:.3}, MRR = {base_mrr:.3}");
    assert!(
        base_recall >= 1.0 && base_mrr >= 0.975,
        "the original set got worse: recall@5 = {base_recall:.3}, MRR = {base_mrr:.3}; misses: {}",
        v["misses"]
    );
    // Issue 24's section: spelling variants, synonyms (from the fixture's shirube.yaml) and typos.
    let variants = &v["sections"]["variants"];
    let n = variants["queries"].as_u64().expect("variants section");
    let ja = variants["japanese"].as_u64().expect("japanese");
    let (var_recall, var_mrr) = (
        variants["recall_at_5"].as_f64().expect("recall"),
        variants["mrr"].as_f64().expect("mrr"),
    );
    println!(
        "  variants, synonyms and typos: {n} queries ({ja} Japanese), recall@5 = {var_recall:.3}, MRR = {var_mrr:.3}"
    );
    assert!(n >= 30 && ja * 2 >= n, "{n} queries, {ja} Japanese");
    assert!(
        var_recall >= 0.95,
        "variants: recall@5 = {var_recall:.3}; misses: {}",
        v["misses"]
    );
}
