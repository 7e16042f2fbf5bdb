//! The shared tokenizer vectors (`tests/search/tokenize.json`) against the Rust tokenizer. The same file is
//! checked against `shirube-search.js` by `tests/search/tokenize.test.mjs` (run from `tests/testsuite/search_js.rs`), so
//! the index side and the query side split text the same way. Spec: `docs/search-tokenizer.md`.
//!
//! `SHIRUBE_BLESS=1 cargo test --test testsuite search_tokenizer::` rewrites the expected terms from the Rust side; read the
//! diff before committing it.

use serde_json::Value;
use shirube::search::tokenize::terms;

#[test]
fn shared_vectors() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/search/tokenize.json");
    let text = std::fs::read_to_string(&path).expect("tests/search/tokenize.json exists");
    let mut cases: Vec<Value> = serde_json::from_str(&text).expect("valid JSON");
    assert!(cases.len() >= 30, "keep the vectors broad");
    if std::env::var_os("SHIRUBE_BLESS").is_some() {
        for c in &mut cases {
            let input = c["input"].as_str().expect("input is a string").to_string();
            c["terms"] = serde_json::json!(terms(&input));
        }
        let mut out = serde_json::to_string_pretty(&cases).expect("serializable");
        out.push('\n');
        std::fs::write(&path, out).expect("writable");
        return;
    }
    let mut failures = Vec::new();
    for c in &cases {
        let input = c["input"].as_str().expect("input is a string");
        let want: Vec<String> = c["terms"]
            .as_array()
            .expect("terms is an array")
            .iter()
            .map(|t| t.as_str().expect("terms are strings").to_string())
            .collect();
        let got = terms(input);
        if got != want {
            failures.push(format!(
                "{}: {input:?}\n  want {want:?}\n  got  {got:?}",
                c["note"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
