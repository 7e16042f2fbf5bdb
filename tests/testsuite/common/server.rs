//! A static file server on 127.0.0.1 for the browser tests: GET and HEAD of the files under `root`, served
//! under a URL prefix (`/` or `/docs/guide/`), `index.html` for folders, a site's `404.html` (with status 404)
//! for anything else, nothing cached (the tests rebuild and reload). Stops when dropped.

use super::percent_decode;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub(crate) struct StaticServer {
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl StaticServer {
    pub(crate) fn start(root: PathBuf, prefix: &str) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, prefix) = (stop.clone(), prefix.to_string());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (root, prefix) = (root.clone(), prefix.clone());
                std::thread::spawn(move || serve(stream, &root, &prefix));
            }
        });
        StaticServer {
            origin: format!("http://{addr}"),
            addr,
            stop,
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(mut stream: TcpStream, root: &Path, prefix: &str) {
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
    let found = path
        .strip_prefix(prefix)
        .and_then(|rel| resolve(root, rel))
        .and_then(|file| Some((std::fs::read(&file).ok()?, content_type(&file))));
    let (status, body, kind) = match found {
        Some((bytes, kind)) => ("200 OK", bytes, kind),
        None => (
            "404 Not Found",
            not_found(root, prefix, &path),
            "text/html; charset=utf-8",
        ),
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

/// The file for a path relative to the prefix, refusing `..`.
fn resolve(root: &Path, rel: &str) -> Option<PathBuf> {
    if rel.split('/').any(|s| s == "..") {
        return None;
    }
    let file = root.join(rel.trim_start_matches('/'));
    if file.is_dir() {
        Some(file.join("index.html")).filter(|f| f.is_file())
    } else {
        Some(file).filter(|f| f.is_file())
    }
}

/// The 404 page of the site the path is under: `root/404.html`, or for several sites side by side under `/`
/// (`/en/...`), `root/en/404.html`.
fn not_found(root: &Path, prefix: &str, path: &str) -> Vec<u8> {
    let rel = path.strip_prefix(prefix).unwrap_or("");
    let first = rel.trim_start_matches('/').split('/').next().unwrap_or("");
    [root.join(first).join("404.html"), root.join("404.html")]
        .iter()
        .find_map(|p| std::fs::read(p).ok())
        .unwrap_or_else(|| b"not found".to_vec())
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
