//! Live reload in a real browser: Debian's Chromium driven by `playwright-core` under `node --test`
//! (`tests/browser/serve.test.mjs`).
//!
//! This test makes a site with `shirube init` (served under `/guide/`), starts `shirube serve --port 0` on it, and
//! runs the Node tests, which open a page, edit its Markdown on disk and wait for the new text without
//! navigating; break the front matter and see the overlay, then fix it; and change a stylesheet and see it
//! swapped without a reload.
//!
//! Without Node 18+, `node_modules/playwright-core` (run `npm ci`) or Chromium (`/usr/bin/chromium`, or
//! `SHIRUBE_CHROMIUM`), the test prints SKIP and passes, unless `SHIRUBE_REQUIRE_BROWSER=1`, where it fails.

use crate::common::{BIN, repo_root};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TODAY: &str = "2026-11-25";

/// Kills the server when the test ends, however it ends.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn live_reload_in_chromium() {
    let Some(chromium) =
        crate::common::browser_prerequisites("live_reload_in_chromium", &["playwright-core"])
    else {
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let site = tmp.path().join("site");
    let init = Command::new(BIN)
        .args(["init", site.to_str().expect("UTF-8 temp path")])
        .env("SHIRUBE_TODAY", TODAY)
        .output()
        .expect("run shirube init");
    assert!(init.status.success());
    let config = site.join("shirube.yaml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        text.replace(
            "base_url: https://guide.example.com/",
            "base_url: https://guide.example.com/guide/",
        ),
    )
    .expect("write config");

    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--root"])
        .arg(&site)
        .env("SHIRUBE_TODAY", TODAY)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start shirube serve");
    let stderr = child.stderr.take().expect("stderr");
    let server = Guard(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let started = Instant::now();
    let url = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(20).saturating_sub(started.elapsed()))
            .expect("shirube serve did not start");
        if let Some(rest) = line
            .split(" at ")
            .nth(1)
            .filter(|_| line.starts_with("serving "))
        {
            break rest.split_whitespace().next().unwrap_or("").to_string();
        }
    };
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/guide/"),
        "{url}"
    );

    let status = Command::new("node")
        .args([
            "--test",
            "--test-reporter=spec",
            "tests/browser/serve.test.mjs",
        ])
        .current_dir(repo_root())
        .env("SHIRUBE_URL", &url)
        .env("SHIRUBE_SITE", &site)
        .env("SHIRUBE_CHROMIUM", &chromium)
        .status()
        .expect("run node --test");
    drop(server);
    assert!(
        status.success(),
        "node --test tests/browser/serve.test.mjs failed"
    );
}
