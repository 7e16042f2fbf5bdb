//! Helpers shared by the search tests (`tests/search*.rs`, `tests/browser_search.rs`): finding Node and
//! Chromium, building a site with the real binary, and a tiny static file server for the browser test.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_shirube");

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// True when CI demands the JS and browser tests (`SHIRUBE_REQUIRE_BROWSER=1`): a missing tool is a failure.
pub fn required() -> bool {
    std::env::var("SHIRUBE_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// Prints a SKIP line, or panics when the tool is required.
pub fn skip(why: &str) {
    assert!(!required(), "SHIRUBE_REQUIRE_BROWSER=1 but {why}");
    eprintln!("SKIP: {why} (set SHIRUBE_REQUIRE_BROWSER=1 to make this a failure)");
}

/// `node` when it is version 18 or newer.
pub fn node() -> Option<&'static str> {
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
pub fn build(root: &Path, out: &Path, extra: &[&str]) {
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
pub fn copy_tree(from: &Path, to: &Path) {
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
pub fn walk(dir: &Path) -> Vec<PathBuf> {
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
pub fn run_node(args: &[&str], envs: &[(&str, String)]) -> (bool, String, String) {
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

/// A static file server on 127.0.0.1 for `root`, serving it under `prefix` (`/` or `/docs/guide/`). Stops when
/// dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    stop: Arc<AtomicBool>,
}

impl Server {
    pub fn start(root: PathBuf, prefix: &str) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let origin = format!("http://{}", listener.local_addr().expect("addr"));
        let stop = Arc::new(AtomicBool::new(false));
        let (stop2, prefix) = (stop.clone(), prefix.to_string());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (root, prefix) = (root.clone(), prefix.clone());
                std::thread::spawn(move || serve_one(stream, &root, &prefix));
            }
        });
        Server { origin, stop }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.origin.trim_start_matches("http://"));
    }
}

fn serve_one(mut stream: TcpStream, root: &Path, prefix: &str) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let path = percent_decode(path);
    let (status, body, ctype) = match path.strip_prefix(prefix) {
        Some(rel) if !rel.split('/').any(|s| s == "..") => {
            let mut file = root.join(rel);
            if file.is_dir() {
                file = file.join("index.html");
            }
            match std::fs::read(&file) {
                Ok(b) => ("200 OK", b, content_type(&file)),
                Err(_) => ("404 Not Found", b"not found".to_vec(), "text/plain"),
            }
        }
        _ => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-cache\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("xml") => "application/xml",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}
