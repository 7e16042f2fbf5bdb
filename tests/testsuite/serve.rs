//! `shirube serve`, the real binary on a free loopback port, over plain HTTP and its Server-Sent Events stream.
//!
//! Each test makes a site with `shirube init` in a temp folder (its base URL moved under `/guide/`, so that the
//! base path is exercised), starts `shirube serve --port 0`, edits files on disk the ways editors do, and reads
//! what the server says. Every wait has a timeout, and the server is killed when a test ends.

use crate::common::mangle::{Rng, damage_some, sources};
use crate::common::{BIN, snapshot};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// The day proofs are judged against, for `build` and `serve` alike.
const TODAY: &str = "2026-11-25";
const WAIT: Duration = Duration::from_secs(10);

/// A site made by `shirube init`, served under `/guide/`.
fn new_site(tmp: &Path) -> PathBuf {
    let root = tmp.join("site");
    let ok = Command::new(BIN)
        .args(["init", root.to_str().unwrap()])
        .env("SHIRUBE_TODAY", TODAY)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "shirube init failed");
    let config = root.join("shirube.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace(
            "base_url: https://guide.example.com/",
            "base_url: https://guide.example.com/guide/",
        ),
    )
    .unwrap();
    root
}

/// A running `shirube serve`, killed on drop.
struct Server {
    child: Child,
    port: u16,
    stderr: Receiver<String>,
}

impl Server {
    fn start(root: &Path, args: &[&str]) -> Server {
        Server::start_with_env(root, args, &[])
    }

    /// [`Server::start`] with more environment variables.
    fn start_with_env(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(BIN)
            .arg("serve")
            .args(["--root", root.to_str().unwrap()])
            .args(args)
            .env("SHIRUBE_TODAY", TODAY)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, stderr) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            port: 0,
            stderr,
        };
        let line = server.wait_line(|l| l.starts_with("serving "));
        let port = line
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        server.port = port;
        server
    }

    /// The next stderr line that matches, within [`WAIT`].
    #[track_caller]
    fn wait_line(&mut self, want: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + WAIT;
        let mut seen = Vec::new();
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(line) if want(&line) => return line,
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        panic!("no such line on stderr; saw:\n{}", seen.join("\n"));
    }

    fn get(&self, path: &str) -> Response {
        request(
            self.port,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
                self.port
            ),
        )
    }

    fn events(&self) -> Events {
        Events::connect(self.port, "/guide/__shirube/events")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body without what `serve` adds to HTML: what a build writes.
    fn built(&self) -> Vec<u8> {
        let text = self.text();
        let end_tag = "></script>\n";
        match (
            text.find("<script id=\"shirube-live\""),
            text.find("__shirube/client.js\"></script>\n"),
        ) {
            (Some(a), Some(b)) if a < b => {
                let end = b + text[b..].find(end_tag).unwrap() + end_tag.len();
                format!("{}{}", &text[..a], &text[end..]).into_bytes()
            }
            _ => self.body.clone(),
        }
    }

    /// The build id in the live state injected into the page.
    fn live_id(&self) -> u64 {
        let state = self.live_errors();
        let rest = &state[state.find("\"id\":").expect("no id") + 5..];
        rest[..rest.find(',').unwrap()].parse().unwrap()
    }

    /// The live state injected into the page (JSON).
    fn live_errors(&self) -> String {
        let text = self.text();
        let open = "<script id=\"shirube-live\" type=\"application/json\">";
        let start = text
            .find(open)
            .unwrap_or_else(|| panic!("no live state in {text}"))
            + open.len();
        let rest = &text[start..];
        rest[..rest.find("</script>").unwrap()].to_string()
    }
}

/// Sends raw bytes on a new connection, reads the response.
fn request(port: u16, raw: &str) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    read_response(&mut s, raw.starts_with("HEAD "))
}

/// Reads one response: the head, then Content-Length bytes (or to the end when there is none).
fn read_response(s: &mut TcpStream, head_only: bool) -> Response {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let split = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => panic!("no response head: {:?}", String::from_utf8_lossy(&buf)),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .and_then(|n| n.trim().parse::<usize>().ok());
    let want = if head_only { Some(0) } else { length };
    while want.is_none_or(|n| buf.len() < split + 4 + n) {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Response {
        status,
        head,
        body: buf[split + 4..].to_vec(),
    }
}

/// One event stream, read on its own thread.
struct Events {
    rx: Receiver<(String, String)>,
}

impl Events {
    fn connect(port: u16, path: &str) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(
            format!(
                "GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nAccept: text/event-stream\r\n\r\n"
            )
            .as_bytes(),
        )
        .unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut event = String::from("message");
            for line in BufReader::new(s).lines().map_while(Result::ok) {
                if let Some(e) = line.strip_prefix("event: ") {
                    event = e.to_string();
                } else if let Some(d) = line.strip_prefix("data: ") {
                    if tx.send((event.clone(), d.to_string())).is_err() {
                        break;
                    }
                    event = "message".into();
                }
            }
        });
        let events = Events { rx };
        let (name, _) = events.next();
        assert_eq!(name, "hello");
        events
    }

    #[track_caller]
    fn next(&self) -> (String, String) {
        self.rx
            .recv_timeout(WAIT)
            .expect("no event from the server in time")
    }

    /// Nothing more arrives for a while: one change, one event.
    #[track_caller]
    fn quiet(&self) {
        if let Ok(e) = self.rx.recv_timeout(Duration::from_millis(600)) {
            panic!("one more event than expected: {e:?}");
        }
    }
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(root.join(rel)).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    write(root, rel, &text.replacen(from, to, 1));
}

#[test]
fn edits_on_disk_reach_the_browser_once_each() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let server = Server::start(&root, &["--port", "0"]);
    let events = server.events();
    let page = "/guide/playbooks/onboarding/invite-admins/";
    assert!(server.get(page).text().contains("Invite your admins"));

    // A plain write.
    let rel = "playbooks/onboarding/invite-admins.md";
    edit(
        &root,
        rel,
        "title: Invite your admins",
        "title: Invite every admin",
    );
    assert_eq!(events.next().0, "reload");
    events.quiet();
    let r = server.get(page);
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Invite every admin"));

    // Write a temp file, then rename it over the page (VS Code, JetBrains, `sed -i`).
    let text = std::fs::read_to_string(root.join(rel)).unwrap();
    let tmp_file = root.join("playbooks/onboarding/.invite-admins.md.tmp42");
    std::fs::write(
        &tmp_file,
        text.replace("Invite every admin", "Invite two admins"),
    )
    .unwrap();
    std::fs::rename(&tmp_file, root.join(rel)).unwrap();
    assert_eq!(events.next().0, "reload");
    events.quiet();
    assert!(server.get(page).text().contains("Invite two admins"));

    // A new file in a new subfolder.
    write(
        &root,
        "playbooks/adoption/deeper/new-one.md",
        "---\ntitle: A brand new playbook\nphase: adoption\n---\n\nFresh text.\n",
    );
    assert_eq!(events.next().0, "reload");
    events.quiet();
    let r = server.get("/guide/playbooks/adoption/deeper/new-one/");
    assert_eq!(r.status, 200, "{}", r.head);
    assert!(r.text().contains("A brand new playbook"));

    // Delete it: its page is gone, with the theme's 404 page.
    std::fs::remove_file(root.join("playbooks/adoption/deeper/new-one.md")).unwrap();
    assert_eq!(events.next().0, "reload");
    events.quiet();
    let r = server.get("/guide/playbooks/adoption/deeper/new-one/");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("<html"), "the theme's 404 page");

    // Only a stylesheet: the browser swaps it instead of reloading.
    let css = "static/extra.css";
    write(&root, css, "body { color: red }\n");
    assert_eq!(
        events.next().0,
        "reload",
        "a new static file may change pages"
    );
    events.quiet();
    assert_eq!(
        server.get("/guide/extra.css").text(),
        "body { color: red }\n"
    );
    write(&root, css, "body { color: blue }\n");
    assert_eq!(events.next().0, "css");
    events.quiet();
    assert_eq!(
        server.get("/guide/extra.css").text(),
        "body { color: blue }\n"
    );

    // Nothing of this touched public/.
    assert!(!root.join("public").exists());
}

#[test]
fn broken_front_matter_shows_the_overlay_and_keeps_the_last_good_page() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let mut server = Server::start(&root, &["--port", "0"]);
    let events = server.events();
    let page = "/guide/playbooks/onboarding/invite-admins/";
    let before = server.get(page);
    assert_eq!(
        before.live_errors(),
        format!(
            "{{\"id\":{},\"events\":\"/guide/__shirube/events\",\"errors\":[]}}",
            before.live_id()
        )
    );

    let rel = "playbooks/onboarding/invite-admins.md";
    edit(
        &root,
        rel,
        "title: Invite your admins",
        "title: [Invite your admins",
    );
    let (name, data) = events.next();
    assert_eq!(name, "errors");
    assert!(
        data.contains("playbooks/onboarding/invite-admins.md:3:6: error[yaml-syntax]: "),
        "{data}"
    );
    assert!(data.contains("help: "), "{data}");
    events.quiet();
    // The terminal says the same.
    server.wait_line(|l| {
        l.starts_with("playbooks/onboarding/invite-admins.md:3:6: error[yaml-syntax]: ")
    });

    // The last good page, with the errors in its live state (the client shows them over it).
    let during = server.get(page);
    assert_eq!(during.status, 200);
    assert_eq!(during.built(), before.built());
    assert!(
        during
            .live_errors()
            .contains("playbooks/onboarding/invite-admins.md:3:6: error[yaml-syntax]: ")
    );

    edit(
        &root,
        rel,
        "title: [Invite your admins",
        "title: Invite the admins",
    );
    assert_eq!(events.next().0, "reload");
    events.quiet();
    let after = server.get(page);
    assert!(after.text().contains("Invite the admins"));
    assert!(after.live_errors().ends_with("\"errors\":[]}"));
}

#[test]
fn after_a_first_build_that_failed_every_later_edit_is_built() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let rel = "playbooks/onboarding/invite-admins.md";
    edit(
        &root,
        rel,
        "title: Invite your admins",
        "title: [Invite your admins",
    );
    let server = Server::start(&root, &["--port", "0"]);
    let events = server.events();
    let page = "/guide/playbooks/onboarding/invite-admins/";
    edit(
        &root,
        rel,
        "title: [Invite your admins",
        "title: Invite the admins",
    );
    assert_eq!(events.next().0, "reload");
    events.quiet();
    assert!(server.get(page).text().contains("Invite the admins"));
    // Serve once held no build to fall back on, and stopped building after this first fix.
    for title in ["Invite admins first", "Invite admins second"] {
        let from = server.get(page).text();
        let old = if from.contains("Invite admins first") {
            "title: Invite admins first"
        } else {
            "title: Invite the admins"
        };
        edit(&root, rel, old, &format!("title: {title}"));
        assert_eq!(events.next().0, "reload", "{title}");
        events.quiet();
        assert!(server.get(page).text().contains(title), "{title}");
    }
}

/// `shirube build --preview` of the site into `out`: every file, by path, as `serve` must serve it.
fn preview_build(root: &Path, out: &Path) -> BTreeMap<String, Vec<u8>> {
    let built = Command::new(BIN)
        .args(["build", "--preview", "--root", root.to_str().unwrap()])
        .args(["--out", out.to_str().unwrap()])
        .env("SHIRUBE_TODAY", TODAY)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let mut files = snapshot(out);
    files.remove(".shirube-output");
    files
}

/// The server serves each file byte for byte as built, HTML with the live script added (and only there).
#[track_caller]
fn assert_serves(server: &Server, files: &BTreeMap<String, Vec<u8>>) {
    for (path, bytes) in files {
        let r = server.get(&format!("/guide/{path}"));
        assert_eq!(r.status, 200, "{path}");
        assert!(r.built() == *bytes, "{path} differs from the build");
        if path.ends_with(".html") {
            assert!(r.text().contains("id=\"shirube-live\""), "{path}");
            assert!(
                !String::from_utf8_lossy(bytes).contains("shirube-live"),
                "{path}"
            );
        }
    }
}

#[test]
fn served_files_equal_a_preview_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let files = preview_build(&root, &tmp.path().join("out"));
    assert!(files.len() > 20);
    let server = Server::start(&root, &["--port", "0"]);
    assert_serves(&server, &files);
    // Folders without their slash, and the base path without its slash, redirect.
    let r = server.get("/guide/faq");
    assert_eq!(r.status, 301);
    assert!(r.head.contains("Location: /guide/faq/"), "{}", r.head);
    let r = server.get("/guide");
    assert_eq!(r.status, 302);
    assert!(r.head.contains("Cache-Control: no-store"));
    let r = server.get("/guide/style.css");
    assert!(r.head.contains("Content-Type: text/css"), "{}", r.head);
}

/// Whether a stderr line is the end of a rebuild: `built N pages ...` or `build failed ...`.
fn rebuilt(line: &str) -> bool {
    line.starts_with("built ") || line.starts_with("build failed")
}

#[test]
fn damaged_and_restored_sources_leave_serve_working_and_equal_to_a_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let sources = sources(&root);
    let mut server = Server::start(&root, &["--port", "0"]);
    let page = "/guide/playbooks/onboarding/invite-admins/";
    let good = server.get(page);
    assert_eq!(good.status, 200);

    // Each round damages one file, then puts it back; every save must end in a rebuild that is reported,
    // the server must keep answering, and a failed rebuild must keep the last good page. (A damaged file that
    // still builds may change the site any way, even its base path.)
    const ROUNDS: usize = 24;
    let mut rng = Rng(0x0005_eed0_f541_70be);
    let mut failed = 0;
    for round in 0..ROUNDS {
        let path = &sources[rng.below(sources.len())];
        let pristine = std::fs::read(path).unwrap();
        let mut bytes = pristine.clone();
        while bytes == pristine {
            damage_some(&mut bytes, &mut rng);
        }
        std::fs::write(path, &bytes).unwrap();
        let line = server.wait_line(rebuilt);
        let now = server.get(page);
        let why = || {
            format!(
                "round {round}: {line}\n--- {}\n{}",
                path.display(),
                String::from_utf8_lossy(&bytes)
            )
        };
        eprintln!("round {round}: {}: {line}: {}", path.display(), now.status);
        assert!(now.status >= 200, "{}", why());
        if line.starts_with("build failed") {
            failed += 1;
            assert_eq!(now.status, 200, "{}", why());
            assert!(
                now.built() == good.built(),
                "not the last good page: {}",
                why()
            );
            assert!(!now.live_errors().ends_with("\"errors\":[]}"), "{}", why());
        }
        std::fs::write(path, &pristine).unwrap();
        server.wait_line(|l| l.starts_with("built "));
    }
    assert!(
        failed >= 4,
        "only {failed} of {ROUNDS} rounds broke the site"
    );

    // Settled: what is served equals a preview build of the site as it is on disk again.
    let end = Instant::now() + Duration::from_millis(500);
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        if server.stderr.recv_timeout(left).is_err() {
            break;
        }
    }
    assert_serves(&server, &preview_build(&root, &tmp.path().join("out")));
    assert!(server.get(page).live_errors().ends_with("\"errors\":[]}"));
}

#[test]
fn requests_outside_the_site_or_for_other_hosts_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    std::fs::write(tmp.path().join("secret.txt"), "secret").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        tmp.path().join("secret.txt"),
        root.join("content/secret.txt"),
    )
    .unwrap();
    let server = Server::start(&root, &["--port", "0"]);
    for (path, status) in [
        ("/guide/../secret.txt", 400),
        ("/guide/%2e%2e/secret.txt", 400),
        ("/guide/%2E%2E/%2E%2E/etc/passwd", 400),
        ("/guide/faq%2f..%2f..%2fsecret.txt", 400),
        ("/guide/..%5csecret.txt", 400),
        ("/guide/%00", 400),
        ("/guide/%ff", 400),
        ("//etc/passwd", 400),
        ("/etc/passwd", 404),
        ("/guide/secret.txt", 404),
        ("/guide/content/secret.txt", 404),
        ("/guide/no/such/page/", 404),
    ] {
        let r = server.get(path);
        assert_eq!(r.status, status, "{path}: {}", r.head);
        assert!(!r.text().contains("secret"), "{path}");
    }
    let host = |h: &str| {
        request(
            server.port,
            &format!("GET /guide/ HTTP/1.1\r\nHost: {h}\r\n\r\n"),
        )
        .status
    };
    assert_eq!(host("evil.example"), 403);
    assert_eq!(host(&format!("evil.example:{}", server.port)), 403);
    assert_eq!(
        host(&format!("localhost.evil.example:{}", server.port)),
        403
    );
    assert_eq!(host(&format!("localhost:{}", server.port)), 200);
    assert_eq!(host(&format!("[::1]:{}", server.port)), 200);
    let post = request(
        server.port,
        &format!(
            "POST /guide/ HTTP/1.1\r\nHost: localhost:{}\r\nContent-Length: 0\r\n\r\n",
            server.port
        ),
    );
    assert_eq!(post.status, 405);
    let head = request(
        server.port,
        &format!(
            "HEAD /guide/ HTTP/1.1\r\nHost: localhost:{}\r\n\r\n",
            server.port
        ),
    );
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());

    // Every answer carries the policy; the live-reload client is a file.
    assert!(
        head.head
            .contains("Content-Security-Policy: default-src 'self'; script-src 'self' 'sha256-"),
        "{}",
        head.head
    );
    let client = server.get("/guide/__shirube/client.js");
    assert_eq!(client.status, 200);
    assert!(
        client.head.contains("Content-Type: text/javascript"),
        "{}",
        client.head
    );
    assert!(client.text().contains("EventSource"));

    // Garbage does not bring the server down.
    for junk in [
        "\r\n\r\n",
        "GARBAGE\r\n\r\n",
        "GET\r\n\r\n",
        "GET / HTTP/9.9\r\n\r\n",
    ] {
        let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let _ = s.write_all(junk.as_bytes());
        let _ = s.read_to_end(&mut Vec::new());
    }
    let mut half = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let _ = half.write_all(b"GET /guide/ HT");
    drop(half);
    assert_eq!(server.get("/guide/").status, 200);
}

#[test]
fn a_taken_port_falls_back_and_a_public_bind_warns() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let taken = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = taken.local_addr().unwrap().port();
    let server = Server::start(&root, &["--port", &port.to_string()]);
    assert_ne!(server.port, port);
    assert_eq!(server.get("/guide/").status, 200);
    drop(server);

    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--root",
            root.to_str().unwrap(),
            "--port",
            "0",
            "--bind",
            "0.0.0.0",
        ])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(first.starts_with("warning: serving on 0.0.0.0"), "{first}");

    let bad = Command::new(BIN)
        .args([
            "serve",
            "--root",
            root.to_str().unwrap(),
            "--bind",
            "not-an-ip",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// The built-in theme's `page.html`, for a site's own `templates/` override.
fn builtin_page_template() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/page.html"),
    )
    .unwrap()
}

#[test]
fn a_template_that_fails_when_rendering_fails_the_build_and_keeps_the_last_good_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let mut server = Server::start(&root, &["--port", "0"]);
    let events = server.events();
    let page = "/guide/playbooks/onboarding/invite-admins/";
    let before = server.get(page);
    let home = server.get("/guide/");
    assert_eq!((before.status, home.status), (200, 200));

    // It compiles, but no page has `nosuchvar`: rendering fails.
    let template = builtin_page_template();
    let at = template.find("{%- endblock main %}").unwrap();
    let line = template[..at].lines().count() + usize::from(template[..at].ends_with('\n'));
    let broken = format!(
        "{}{{{{ nosuchvar.x }}}}{}",
        &template[..at],
        &template[at..]
    );
    write(&root, "templates/page.html", &broken);
    let want = format!(
        "templates/page.html:{line}:4: error[template-error]: template error: Variable `nosuchvar`"
    );
    let (name, data) = events.next();
    assert_eq!(name, "errors", "{data}");
    assert!(data.contains(&want), "{want} in {data}");
    events.quiet();
    server.wait_line(|l| l.starts_with(&want));
    server.wait_line(|l| l.starts_with("build failed (templates"));
    // `check` says the same.
    let check = Command::new(BIN)
        .args(["check", "--root", root.to_str().unwrap()])
        .env("SHIRUBE_TODAY", TODAY)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&check.stderr).into_owned()
        + &String::from_utf8_lossy(&check.stdout);
    assert!(said.contains(&want), "{said}");

    // The last good pages, with the error over them: those that use the template and those that do not.
    let during = server.get(page);
    assert_eq!(during.status, 200);
    assert!(during.built() == before.built());
    assert!(during.live_errors().contains(&want));
    let home_during = server.get("/guide/");
    assert_eq!(home_during.status, 200);
    assert!(home_during.built() == home.built());
    assert!(home_during.live_errors().contains(&want));

    std::fs::remove_file(root.join("templates/page.html")).unwrap();
    assert_eq!(events.next().0, "reload");
    events.quiet();
    let after = server.get(page);
    assert_eq!(after.status, 200);
    assert!(after.live_errors().ends_with("\"errors\":[]}"));
}

#[test]
fn a_page_that_fails_to_render_when_asked_for_keeps_its_last_good_version() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    // A template that fails for one page only, once its title is changed: the render check after the template
    // change passes, and the save of the page changes no template, so only the request finds the error.
    let template = builtin_page_template();
    let at = template.find("{%- endblock main %}").unwrap();
    let line = template[..at].lines().count() + usize::from(template[..at].ends_with('\n'));
    let picky = format!(
        "{}{{% if page.title == \"Broken on purpose\" %}}{{{{ nosuchvar.x }}}}{{% endif %}}{}",
        &template[..at],
        &template[at..]
    );
    write(&root, "templates/page.html", &picky);
    let mut server = Server::start(&root, &["--port", "0"]);
    let events = server.events();
    let page = "/guide/playbooks/onboarding/invite-admins/";
    let before = server.get(page);
    assert_eq!(before.status, 200);

    let rel = "playbooks/onboarding/invite-admins.md";
    edit(
        &root,
        rel,
        "title: Invite your admins",
        "title: Broken on purpose",
    );
    assert_eq!(events.next().0, "reload");
    let now = server.get(page);
    assert_eq!(now.status, 200, "{}", now.text());
    assert!(now.built() == before.built(), "not the last good page");
    let want = format!("templates/page.html:{line}:");
    assert!(now.live_errors().contains(&want), "{}", now.live_errors());
    // Every tab and the terminal are told, once.
    let (name, data) = events.next();
    assert_eq!(name, "errors");
    assert!(data.contains(&want), "{data}");
    server.wait_line(|l| l.starts_with(&want));
    server.wait_line(|l| l.contains("failed to render"));
    assert_eq!(server.get(page).status, 200);
    events.quiet();

    edit(&root, rel, "title: Broken on purpose", "title: Fixed again");
    assert_eq!(events.next().0, "reload");
    let fixed = server.get(page);
    assert!(fixed.text().contains("Fixed again"));
    assert!(fixed.live_errors().ends_with("\"errors\":[]}"));
}

#[test]
fn a_restarted_server_makes_open_pages_reload() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let page = "/guide/playbooks/onboarding/invite-admins/";
    let server = Server::start(&root, &["--port", "0"]);
    let first = server.get(page).live_id();
    drop(server);
    // A tab opened on the first server compares its id with the `hello` of the second: they must differ, or it
    // would keep showing what it had.
    let server = Server::start(&root, &["--port", "0"]);
    let again = server.get(page).live_id();
    assert_ne!(first, again);
}

/// Saves made of steps, the ways editors and tools make them, each reach the browser as one reload with the new
/// text. How steps spread over time are batched (20 ms apart, a stream that never stops, a change during a
/// build) is tested without waiting, on the scheduler: `serve::schedule`'s tests.
#[test]
fn saves_made_of_steps_reload_once_with_the_new_text() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let server = Server::start(&root, &["--port", "0"]);
    let events = server.events();

    // A formatter or sync tool rewriting files one after the other.
    let files: Vec<PathBuf> = sources(&root)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    assert!(files.len() >= 5);
    for round in 0..2 {
        for f in &files {
            let mut text = std::fs::read_to_string(f).unwrap();
            text.push_str(&format!("\nRewritten in round {round}.\n"));
            std::fs::write(f, text).unwrap();
        }
    }
    assert_eq!(events.next().0, "reload");
    events.quiet();

    // JetBrains' safe write: a temp file, the old file renamed away, the temp renamed over it, the old deleted.
    let rel = "playbooks/onboarding/invite-admins.md";
    let page = "/guide/playbooks/onboarding/invite-admins/";
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let jb_tmp = root.join(format!("{rel}___jb_tmp___"));
    let jb_old = root.join(format!("{rel}___jb_old___"));
    std::fs::write(
        &jb_tmp,
        text.replace("Invite your admins", "Invite the JetBrains admins"),
    )
    .unwrap();
    std::fs::rename(&path, &jb_old).unwrap();
    std::fs::rename(&jb_tmp, &path).unwrap();
    std::fs::remove_file(&jb_old).unwrap();
    assert_eq!(events.next().0, "reload");
    events.quiet();
    assert!(
        server
            .get(page)
            .text()
            .contains("Invite the JetBrains admins")
    );

    // Qt's safe save (Kate): `name.md.XXXXXX`, then a rename over the file.
    let qt_tmp = root.join(format!("{rel}.aB3xYz"));
    std::fs::write(
        &qt_tmp,
        text.replace("Invite your admins", "Invite the Kate admins"),
    )
    .unwrap();
    std::fs::rename(&qt_tmp, &path).unwrap();
    assert_eq!(events.next().0, "reload");
    events.quiet();
    assert!(server.get(page).text().contains("Invite the Kate admins"));

    // Truncate, then write.
    std::fs::write(&path, "").unwrap();
    std::fs::write(
        &path,
        text.replace("Invite your admins", "Invite patient admins"),
    )
    .unwrap();
    assert_eq!(events.next().0, "reload");
    events.quiet();
    assert!(server.get(page).text().contains("Invite patient admins"));
}

#[test]
fn bound_to_every_interface_it_answers_requests_for_its_addresses() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let mut server = Server::start(&root, &["--port", "0", "--bind", "0.0.0.0"]);
    server.wait_line(|l| l.starts_with("  on other machines: http://"));
    let host = |h: &str| {
        request(
            server.port,
            &format!("GET /guide/ HTTP/1.1\r\nHost: {h}\r\n\r\n"),
        )
        .status
    };
    // A phone or a colleague's machine asks by this machine's address (an IP literal, never a rebinding).
    assert_eq!(host(&format!("192.168.1.23:{}", server.port)), 200);
    assert_eq!(host(&format!("10.1.2.3:{}", server.port)), 200);
    assert_eq!(host(&format!("[fd00::2]:{}", server.port)), 200);
    assert_eq!(host(&format!("localhost:{}", server.port)), 200);
    // Names are still refused.
    assert_eq!(host(&format!("evil.example:{}", server.port)), 403);
    assert_eq!(host(&format!("192.168.1.23.nip.io:{}", server.port)), 403);
}

fn has_header(r: &Response, line: &str) -> bool {
    r.head.lines().any(|l| l.trim_end() == line)
}

#[test]
fn ranges_redirects_content_types_and_kept_alive_connections() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    write(
        &root,
        "static/captions.vtt",
        "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n",
    );
    write(&root, "static/app.wasm", "\0asm");
    let server = Server::start(&root, &["--port", "0"]);
    let port = server.port;
    let get = |path: &str, extra: &str| {
        request(
            port,
            &format!("GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\n{extra}\r\n"),
        )
    };

    // The query survives the redirects.
    let r = get("/guide/faq?q=sso&x=1", "");
    assert_eq!(r.status, 301);
    assert!(
        has_header(&r, "Location: /guide/faq/?q=sso&x=1"),
        "{}",
        r.head
    );
    let r = get("/guide?q=sso", "");
    assert_eq!(r.status, 302);
    assert!(has_header(&r, "Location: /guide/?q=sso"), "{}", r.head);

    // Content types that media, captions and fonts need (sent with nosniff).
    let r = get("/guide/captions.vtt", "");
    assert!(r.head.contains("Content-Type: text/vtt"), "{}", r.head);
    let r = get("/guide/app.wasm", "");
    assert!(
        r.head.contains("Content-Type: application/wasm"),
        "{}",
        r.head
    );

    // Byte ranges.
    let whole = get("/guide/style.css", "");
    assert_eq!(whole.status, 200);
    assert!(
        whole.head.contains("Accept-Ranges: bytes"),
        "{}",
        whole.head
    );
    let len = whole.body.len();
    assert!(len > 100);
    let part = get("/guide/style.css", "Range: bytes=10-19\r\n");
    assert_eq!(part.status, 206, "{}", part.head);
    assert!(
        part.head
            .lines()
            .any(|l| l == format!("Content-Range: bytes 10-19/{len}")),
        "{}",
        part.head
    );
    assert_eq!(part.body, whole.body[10..20]);
    let tail = get("/guide/style.css", "Range: bytes=-5\r\n");
    assert_eq!(tail.status, 206);
    assert_eq!(tail.body, whole.body[len - 5..]);
    let past = get("/guide/style.css", &format!("Range: bytes={len}-\r\n"));
    assert_eq!(past.status, 416, "{}", past.head);
    assert!(
        past.head
            .lines()
            .any(|l| l == format!("Content-Range: bytes */{len}")),
        "{}",
        past.head
    );
    // Several ranges, or a validator that cannot match: the whole file.
    assert_eq!(
        get("/guide/style.css", "Range: bytes=0-1,5-6\r\n").status,
        200
    );
    assert_eq!(
        get(
            "/guide/style.css",
            "Range: bytes=0-1\r\nIf-Range: \"x\"\r\n"
        )
        .status,
        200
    );

    // No `Connection: close` that the server would not keep: a connection answers one request after another.
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    for path in ["/guide/", "/guide/style.css", "/guide/faq/"] {
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n").as_bytes())
            .unwrap();
        let r = read_response(&mut s, false);
        assert_eq!(r.status, 200, "{path}");
        assert!(
            !r.head.to_ascii_lowercase().contains("connection: close"),
            "{}",
            r.head
        );
    }
}

#[test]
fn saves_that_change_no_text_do_not_reload() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let mut server = Server::start(&root, &["--port", "0"]);
    let events = server.events();
    let page = "/guide/playbooks/onboarding/invite-admins/";
    let rel = "playbooks/onboarding/invite-admins.md";
    let path = root.join(rel);
    let id = server.get(page).live_id();

    // The same bytes written again, then a `touch` (a new modification time), then the manifest rewritten.
    let text = std::fs::read(&path).unwrap();
    std::fs::write(&path, &text).unwrap();
    server.wait_line(rebuilt);
    std::fs::File::options()
        .append(true)
        .open(&path)
        .unwrap()
        .set_modified(std::time::SystemTime::now())
        .unwrap();
    server.wait_line(rebuilt);
    let manifest = root.join("manifest.yaml");
    std::fs::write(&manifest, std::fs::read(&manifest).unwrap()).unwrap();
    server.wait_line(rebuilt);
    events.quiet();
    assert_eq!(server.get(page).live_id(), id);

    // A real change reloads, and so does undoing it (the other build never saw the change).
    edit(
        &root,
        rel,
        "title: Invite your admins",
        "title: Invite some admins",
    );
    assert_eq!(events.next().0, "reload");
    events.quiet();
    std::fs::write(&path, &text).unwrap();
    assert_eq!(events.next().0, "reload");
    events.quiet();
    assert!(server.get(page).text().contains("Invite your admins"));
    std::fs::write(&path, &text).unwrap();
    server.wait_line(rebuilt);
    events.quiet();
}

#[test]
fn outside_the_base_path_it_points_to_the_guide() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let mut server = Server::start(&root, &["--port", "0"]);
    let events = server.events();
    let r = server.get("/?x=1");
    assert_eq!(r.status, 302);
    assert!(has_header(&r, "Location: /guide/?x=1"), "{}", r.head);

    // `base_url`'s path changes while a tab is open on the old one.
    edit(
        &root,
        "shirube.yaml",
        "https://guide.example.com/guide/",
        "https://guide.example.com/docs/",
    );
    assert_eq!(events.next().0, "reload");
    let url = format!("http://127.0.0.1:{}/docs/", server.port);
    server.wait_line(|l| l.ends_with(&format!("now served at {url}")));
    let r = server.get("/guide/faq/");
    assert_eq!(r.status, 404);
    assert!(r.head.contains("Content-Type: text/html"), "{}", r.head);
    assert!(r.text().contains("<a href=\"/docs/\">"), "{}", r.text());
    assert_eq!(server.get("/docs/faq/").status, 200);
}

#[cfg(target_os = "linux")]
#[test]
fn open_says_so_when_the_browser_cannot_be_opened() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    // An `xdg-open` that fails, as it does without a display.
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let fake = bin.join("xdg-open");
    std::fs::write(&fake, "#!/bin/sh\nexit 3\n").unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut server = Server::start_with_env(&root, &["--port", "0", "--open"], &[("PATH", &path)]);
    server.wait_line(|l| l.starts_with("note: could not open a browser; open http://127.0.0.1:"));
}

/// Sends `raw` and reads until the server closes the connection: the bytes, or `None` when it stayed open for
/// [`WAIT`] (a bound that only matters when the test fails).
fn until_closed(s: &mut TcpStream, raw: &[u8]) -> Option<Vec<u8>> {
    s.set_read_timeout(Some(WAIT)).unwrap();
    let _ = s.write_all(raw);
    let mut got = Vec::new();
    let mut chunk = [0u8; 65536];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => return Some(got),
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return None;
            }
            // Reset: closed too.
            Err(_) => return Some(got),
        }
    }
}

fn status_of(bytes: &[u8]) -> u16 {
    let text = String::from_utf8_lossy(bytes);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[test]
fn oversize_and_malformed_request_heads_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let server = Server::start(&root, &["--port", "0"]);
    let port = server.port;
    let answer = |raw: Vec<u8>| {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let got = until_closed(&mut s, &raw).expect("the connection stayed open");
        (status_of(&got), String::from_utf8_lossy(&got).into_owned())
    };
    let long_target = format!(
        "GET /guide/{} HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "a".repeat(20_000)
    );
    assert_eq!(answer(long_target.into_bytes()).0, 414);
    let big_head = format!(
        "GET /guide/ HTTP/1.1\r\nHost: localhost\r\nCookie: {}\r\n\r\n",
        "a".repeat(200_000)
    );
    assert_eq!(answer(big_head.into_bytes()).0, 431);
    let many = format!(
        "GET /guide/ HTTP/1.1\r\nHost: localhost\r\n{}\r\n",
        "X-A: b\r\n".repeat(500)
    );
    assert_eq!(answer(many.into_bytes()).0, 431);
    for (raw, why) in [
        (&b"GET /guide/ HTTP/1.1\r\n\r\n"[..], "no Host"),
        (b"GET /guide/ HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n\r\n", "two Hosts"),
        (b"GET /guide/\xff\xfe HTTP/1.1\r\nHost: localhost\r\n\r\n", "not UTF-8"),
        // The start of a TLS 1.3 ClientHello (no line end, so nothing waits for one).
        (
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x8a\x1f\x00\x9c\xd5\x44\x21\x07\x7a\xbb\x10\xe2",
            "TLS hello",
        ),
    ] {
        let (status, text) = answer(raw.to_vec());
        assert_eq!(status, 400, "{why}: {text}");
    }
    // A header streamed without end is cut off at the limit, not read to its end: the writer below would take
    // minutes to send its 500 MB if the server read them.
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut w = s.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = w.write_all(b"GET /guide/ HTTP/1.1\r\nHost: localhost\r\nX-Big: ");
        let block = vec![b'a'; 1 << 20];
        let mut sent = 0usize;
        while sent < 500 && w.write_all(&block).is_ok() {
            sent += 1;
        }
        sent
    });
    let got = until_closed(&mut s, b"").expect("the connection stayed open");
    assert_eq!(status_of(&got), 431);
    let sent_mb = writer.join().unwrap();
    assert!(sent_mb < 500, "the server read {sent_mb} MB of one header");
    // And the server still answers.
    assert_eq!(server.get("/guide/").status, 200);
}

#[test]
fn idle_and_half_sent_connections_are_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let server =
        Server::start_with_env(&root, &["--port", "0"], &[("SHIRUBE_SERVE_IDLE_MS", "300")]);
    let port = server.port;
    let connect = || TcpStream::connect(("127.0.0.1", port)).unwrap();
    // Nothing sent: closed without an answer.
    assert_eq!(until_closed(&mut connect(), b""), Some(Vec::new()));
    // Half a head (slowloris): the same.
    assert_eq!(
        until_closed(
            &mut connect(),
            b"GET /guide/ HTTP/1.1\r\nHost: localhost\r\nX-A: b"
        ),
        Some(Vec::new())
    );
    // After an answer, a kept-alive connection that asks nothing more is closed too.
    let mut s = connect();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(format!("GET /guide/ HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n").as_bytes())
        .unwrap();
    assert_eq!(read_response(&mut s, false).status, 200);
    assert_eq!(until_closed(&mut s, b""), Some(Vec::new()));
}

#[test]
fn clients_that_never_read_a_large_file_hold_up_no_one() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    let big: Vec<u8> = (0..10 << 20).map(|i: u32| (i % 251) as u8).collect();
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(root.join("static/big.bin"), &big).unwrap();
    let server = Server::start(&root, &["--port", "0"]);
    let port = server.port;
    // More clients than serve had worker threads (8), each asking for 10 MB and reading none of it.
    let stuck: Vec<TcpStream> = (0..12)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.write_all(
                format!("GET /guide/big.bin HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n").as_bytes(),
            )
            .unwrap();
            s
        })
        .collect();
    // Everyone else is still answered.
    for path in ["/guide/", "/guide/style.css", "/guide/faq/"] {
        assert_eq!(server.get(path).status, 200, "{path}");
    }
    // That they are dropped after the write timeout is `conn::tests::a_client_that_stops_reading_is_dropped`
    // (reading them here to see it would make them readers).
    drop(stuck);
}

#[test]
fn an_event_stream_that_never_reads_holds_up_no_one() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_site(tmp.path());
    // 3,000 pages that fail with long errors: each failed build sends them to every event stream and puts
    // them into every page.
    let long = "x".repeat(300);
    for i in 0..3000 {
        write(
            &root,
            &format!("content/faq/b{i:04}.md"),
            &format!("---\ntitle: [{long} {i}\n---\n"),
        );
    }
    let server = Server::start_with_env(
        &root,
        &["--port", "0"],
        &[("SHIRUBE_SERVE_WRITE_MS", "500")],
    );
    let port = server.port;
    let mut stuck = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stuck
        .write_all(
            format!("GET /guide/__shirube/events HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n")
                .as_bytes(),
        )
        .unwrap();
    let events = server.events();
    // Saves that change the first error, so that each is sent again. Each is answered while the stuck stream
    // holds its events (before, the site thread blocked writing to it after about two saves).
    let mut last = String::new();
    let mut sizes = Vec::new();
    for n in 0..8 {
        let blank = "\n".repeat(2 - n % 2);
        write(
            &root,
            "content/faq/b0000.md",
            &format!("---{blank}title: [{long} 0\n---\n"),
        );
        let (name, data) = events.next();
        assert_eq!(name, "errors");
        sizes.push(data.len());
        last = data;
        assert!(server.get("/guide/faq/").status >= 200);
    }
    // A bounded summary: the first errors and a count, in each event and in each page.
    assert!(
        sizes.iter().all(|&n| n < 256 * 1024),
        "event sizes: {sizes:?}"
    );
    assert!(
        last.contains("more errors"),
        "{}",
        &last[last.len().saturating_sub(300)..]
    );
    let page = server.get("/guide/");
    assert!(
        page.body.len() < 256 * 1024,
        "{} bytes of page",
        page.body.len()
    );
    assert!(
        page.text().contains("more errors"),
        "{}",
        &page.text()[..3000.min(page.text().len())]
    );
    drop(stuck);
}
