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

mod common;

use common::{BIN, copy_dir, repo_root};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Proof dates of the sample manifest are judged against this day, so the set of published pages is fixed.
const TODAY: &str = "2026-11-25";

#[test]
fn reader_experience_in_chromium() {
    let Some(chromium) = common::browser_prerequisites(
        "reader_experience_in_chromium",
        &["playwright-core", "axe-core"],
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");

    // The sample site, copied so the Node tests can edit a playbook and rebuild it.
    let en = tmp.path().join("site-en");
    for part in [
        "shirube.yaml",
        "manifest.yaml",
        "playbooks",
        "content",
        "themes",
    ] {
        let from = repo_root().join(part);
        if from.is_dir() {
            copy_dir(&from, &en.join(part));
        } else {
            std::fs::create_dir_all(&en).expect("site folder");
            std::fs::copy(&from, en.join(part)).expect("copy site file");
        }
    }
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

    let server = Server::start(out.clone());
    let screenshots = target_dir().join("screenshots");
    std::fs::create_dir_all(&screenshots).expect("screenshot folder");
    let status = Command::new("node")
        .args([
            "--test",
            "--test-reporter=spec",
            "tests/browser/reader.test.mjs",
        ])
        .current_dir(repo_root())
        .env("SHIRUBE_ORIGIN", format!("http://{}", server.addr))
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

/// A static file server on 127.0.0.1 for the test's output folder: GET and HEAD, `index.html` for folders,
/// the site's `404.html` for anything else, nothing cached (the Node tests rebuild and reload).
struct Server {
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start(root: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let root = root.clone();
                std::thread::spawn(move || serve(stream, &root));
            }
        });
        Server { addr, stop }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(mut stream: TcpStream, root: &Path) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    // Skip the headers.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let mut parts = request.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let path = percent_decode(target.split(['?', '#']).next().unwrap_or("/"));
    let (status, body, kind) = match resolve(root, &path) {
        Some(file) => match std::fs::read(&file) {
            Ok(bytes) => ("200 OK", bytes, content_type(&file)),
            Err(_) => not_found(root, &path),
        },
        None => not_found(root, &path),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(&body);
    }
}

/// The file for a URL path, refusing `..`.
fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let rel = path.trim_start_matches('/');
    if rel.split('/').any(|s| s == "..") {
        return None;
    }
    let file = root.join(rel);
    if file.is_dir() {
        Some(file.join("index.html")).filter(|f| f.is_file())
    } else {
        Some(file).filter(|f| f.is_file())
    }
}

/// The 404 page of the site the path is under (`/en/...` → `en/404.html`).
fn not_found(root: &Path, path: &str) -> (&'static str, Vec<u8>, &'static str) {
    let site = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let body = std::fs::read(root.join(site).join("404.html")).unwrap_or_default();
    ("404 Not Found", body, "text/html; charset=utf-8")
}

fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
