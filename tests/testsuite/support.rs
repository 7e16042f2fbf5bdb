//! Helpers shared by the search tests (`tests/search*.rs`, `tests/testsuite/browser_search.rs`): finding Node and
//! Chromium, building a site with the real binary. (The browser test's file server is `tests/testsuite/common/server.rs`.)

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The binary under test.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_shirube");

/// The repository root.
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// True when CI demands the JS and browser tests (`SHIRUBE_REQUIRE_BROWSER=1`): a missing tool is a failure.
pub(crate) fn required() -> bool {
    std::env::var("SHIRUBE_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// Prints a SKIP line, or panics when the tool is required.
pub(crate) fn skip(why: &str) {
    assert!(!required(), "SHIRUBE_REQUIRE_BROWSER=1 but {why}");
    eprintln!("SKIP: {why} (set SHIRUBE_REQUIRE_BROWSER=1 to make this a failure)");
}

/// `node` when it is version 18 or newer.
pub(crate) fn node() -> Option<&'static str> {
    let out = Command::new("node").arg("--version").output().ok()?;
    let v = String::from_utf8_lossy(&out.stdout);
    let major: u32 = v
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()?;
    (major >= 18).then_some("node")
}

/// Builds `root` into `out` with extra arguments; panics with shirube's output when it fails.
pub(crate) fn build(root: &Path, out: &Path, extra: &[&str]) {
    let mut cmd = Command::new(BIN);
    cmd.arg("build")
        .arg("--root")
        .arg(root)
        .arg("--out")
        .arg(out)
        .args(extra)
        .env("SHIRUBE_TODAY", "2026-11-20");
    let res = cmd.output().expect("run shirube");
    assert!(
        res.status.success(),
        "shirube build failed:\n{}{}",
        String::from_utf8_lossy(&res.stdout),
        String::from_utf8_lossy(&res.stderr)
    );
}

/// Copies a directory tree.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).expect("under from");
        let dest = to.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::copy(&entry, &dest).expect("copy");
    }
}

/// Every file under `dir`, sorted.
pub(crate) fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Runs `node args...` in the repository root with `envs`; returns (success, stdout, stderr).
pub(crate) fn run_node(args: &[&str], envs: &[(&str, String)]) -> (bool, String, String) {
    let mut cmd = Command::new("node");
    cmd.args(args).current_dir(repo_root());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run node");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}
