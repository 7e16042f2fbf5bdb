//! `shirube serve`: the guide in a browser while it is being written, rebuilt and reloaded on every save.
//!
//! It serves the **preview** build (unproven pages shown with their banner) from memory: nothing is written,
//! `public/` is never touched. Threads, each with one job:
//!
//! - the **watcher** ([`watch`]) turns file events into batches of changed paths;
//! - the **site thread** owns the site: it renders a file when a request asks for it (so an edit costs the
//!   pages that are looked at, not the whole site), and swaps in a new build when one is ready and the
//!   sources have been quiet for `QUIET` (one reload per change, even one made in steps);
//! - the **builder** updates a second [`Session`] from disk while the first one keeps serving. A build with
//!   errors is never swapped in (after a template or config change, that includes a template that fails when
//!   rendering: see `build_ok`): the last good build stays served and the browser shows an overlay;
//! - **HTTP workers** ([`http`]) check each request's path and `Host`, ask the site thread for the file, and
//!   add the live-reload client ([`inject`]) to HTML;
//! - the **event hub** keeps the open Server-Sent Events streams, written through `Request::into_writer()`
//!   (tiny_http's streaming `Response` would buffer events until the stream ends).
//!
//! Left out: HTTPS, HTTP/2 (so a browser allows six connections per host: the client keeps one event stream
//! for all of a browser's tabs, see `client.js`), and serving on a public interface without `--bind` (which
//! warns).

pub mod http;
pub mod inject;
pub mod watch;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::site::{Options, Session, Update};
use crate::{HashMap, HashSet};
use http::{Refusal, Target};
use inject::{LiveState, OverlayItem};
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use watch::Batch;

/// What `shirube serve` was asked to do.
#[derive(Debug, Clone)]
pub struct Args {
    /// The site root.
    pub root: PathBuf,
    /// The first port to try; 0 lets the system choose.
    pub port: u16,
    /// The address to listen on.
    pub bind: String,
    /// Open the browser once serving.
    pub open: bool,
}

/// Ports tried after the asked one is taken.
const PORT_TRIES: u16 = 20;
/// After a batch of changes, wait until no more have come for this long before building (each new batch starts
/// the wait again), so that a `git checkout` of many files is one build.
const SETTLE: Duration = Duration::from_millis(5);
/// A build's result (a reload, or the errors) is shown only once no change has come for this long: a change
/// made of steps is then one reload, not one per step, and no half-applied state is shown (a formatter or sync
/// tool rewriting files one after the other, JetBrains' safe write in four steps, truncate then write, a slow
/// `git checkout`). With only [`SETTLE`], steps 20 ms apart were each reloaded, some with the error overlay.
/// The build itself starts after [`SETTLE`] and runs meanwhile; a change during the wait makes its result
/// stale (it is not shown, and the next build starts from it). One save waits for this once, within the
/// 100 ms the reload may take.
const QUIET: Duration = Duration::from_millis(50);
/// ...but never longer than this after the first change, so that a stream of changes that never stops is still
/// built and shown now and then.
const SETTLE_MAX: Duration = Duration::from_secs(1);
/// At most this often, and only after [`IDLE`] without changes, the standby compares every source file with
/// what it read, instead of only the files the watcher named.
const FULL_EVERY: Duration = Duration::from_secs(10);
/// See [`FULL_EVERY`].
const IDLE: Duration = Duration::from_secs(2);
/// A comment on every event stream this often, so that closed tabs show up as write errors.
const PING: Duration = Duration::from_secs(15);
/// How long an HTTP worker waits for the site thread.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);
/// HTTP worker threads.
const WORKERS: usize = 8;

/// Runs the preview server until the process is stopped.
pub fn run(args: &Args) -> ExitCode {
    let bind: IpAddr = match args.bind.as_str() {
        "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
        other => match other.parse() {
            Ok(ip) => ip,
            Err(_) => {
                say!(
                    "error: --bind {other:?} is not an IP address\n  help: use 127.0.0.1 (the default), or the address of one of this machine's interfaces"
                );
                return ExitCode::from(2);
            }
        },
    };
    if !bind.is_loopback() {
        say!(
            "warning: serving on {bind}, which other machines on the network can reach; the preview shows \
             unpublished pages\n  help: leave out --bind to serve on 127.0.0.1 only"
        );
    }
    let (listener, port) = match listen(bind, args.port) {
        Ok(l) => l,
        Err(e) => {
            say!(
                "error: cannot listen on {bind}:{}: {e}\n  help: choose another port with --port",
                args.port
            );
            return ExitCode::from(2);
        }
    };
    let server = match tiny_http::Server::from_listener(listener, None) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            say!("error: cannot start the server: {e}");
            return ExitCode::from(1);
        }
    };

    let opts = Options {
        root: args.root.clone(),
        base_url: None,
        preview: true,
        today: None,
    };
    let started = Instant::now();
    let mut first = Box::new(Session::new(opts.clone()));
    let update = first.update(&[]);
    let first_ok = build_ok(&first, &update, true);
    report(
        &update,
        first_ok.as_ref().map(|_| &()),
        started.elapsed(),
        &[],
    );
    let base = first_base(&first);

    let (tx, rx) = mpsc::channel::<Msg>();
    let hub = Arc::new(Hub::default());
    let base_path = Arc::new(RwLock::new(base.clone()));
    let shown = if bind.is_unspecified() {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        bind
    };
    let url = format!("http://{}:{port}{base}", url_host(shown));
    say!(
        "serving {} at {url} (preview: unpublished pages are shown with a banner; Ctrl-C stops)",
        args.root.display()
    );
    if bind.is_unspecified() {
        match lan_address(bind) {
            Some(ip) => say!("  on other machines: http://{}:{port}{base}", url_host(ip)),
            None => say!(
                "  on other machines: http://ADDRESS:{port}{base}, with this machine's IP address"
            ),
        }
    }

    let watcher = {
        let tx = tx.clone();
        match watch::Watcher::start(&args.root, move |batch| {
            let _ = tx.send(Msg::Changed(batch));
        }) {
            Ok(w) => Some(w),
            Err(e) => {
                say!(
                    "warning: cannot watch {} for changes: {e}; reload the page by hand after a rebuild",
                    args.root.display()
                );
                None
            }
        }
    };

    for _ in 0..WORKERS {
        let server = Arc::clone(&server);
        let tx = tx.clone();
        let hub = Arc::clone(&hub);
        let base_path = Arc::clone(&base_path);
        std::thread::spawn(move || {
            while let Ok(request) = server.recv() {
                handle(request, &tx, &hub, &base_path, bind);
            }
        });
    }
    {
        let hub = Arc::clone(&hub);
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(PING);
                hub.ping();
            }
        });
    }
    if args.open {
        open_browser(&url);
    }
    let site = SiteThread {
        opts,
        hub,
        base_path,
        watcher,
        tx,
        origin: format!("http://{}:{port}", url_host(shown)),
    };
    site.run(rx, first, first_ok, update);
    ExitCode::SUCCESS
}

/// An IP address as the host part of a URL (`[::1]` for IPv6).
fn url_host(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    }
}

/// This machine's address on its network, for `--bind 0.0.0.0` or `::`: the address the system would send
/// from to a documentation address (no packet is sent: connecting a UDP socket only picks a route).
fn lan_address(bind: IpAddr) -> Option<IpAddr> {
    let probe = |local: IpAddr, remote: IpAddr| {
        let socket = std::net::UdpSocket::bind((local, 0)).ok()?;
        socket.connect((remote, 9)).ok()?;
        let ip = socket.local_addr().ok()?.ip();
        (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
    };
    let v4 = || {
        probe(
            Ipv4Addr::UNSPECIFIED.into(),
            Ipv4Addr::new(192, 0, 2, 1).into(),
        )
    };
    match bind {
        IpAddr::V4(_) => v4(),
        // `::` takes IPv4 too (on most systems): a LAN's IPv4 address is the one people type.
        IpAddr::V6(_) => v4().or_else(|| {
            probe(
                std::net::Ipv6Addr::UNSPECIFIED.into(),
                "2001:db8::1".parse().ok()?,
            )
        }),
    }
}

/// Binds `port`, or the next free one when it is taken.
fn listen(ip: IpAddr, port: u16) -> io::Result<(TcpListener, u16)> {
    if port == 0 {
        let l = TcpListener::bind((ip, 0))?;
        let p = l.local_addr()?.port();
        return Ok((l, p));
    }
    let mut last = None;
    for p in port..=port.saturating_add(PORT_TRIES) {
        match TcpListener::bind((ip, p)) {
            Ok(l) => {
                if p != port {
                    say!("note: port {port} is in use; serving on port {p} instead");
                }
                return Ok((l, p));
            }
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free port")))
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(cmd)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let url = url.to_string();
    match spawned {
        // `xdg-open` exists but fails without a display (SSH, a container): waited for, so that it says so
        // and leaves no zombie process behind.
        Ok(mut child) => {
            std::thread::spawn(move || {
                if child.wait().is_ok_and(|status| !status.success()) && !cfg!(windows) {
                    say!("note: could not open a browser; open {url} yourself");
                }
            });
        }
        Err(_) => say!("note: could not open a browser; open {url} yourself"),
    }
}

/// The base path of a session's config, `/` when it has none.
fn first_base(session: &Session) -> String {
    // Not through `session.output()`: at 10,000 pages that takes 30 ms, and this runs between a build and
    // its reload event.
    session.base_path().unwrap_or("/").to_string()
}

/// Files rendered while checking a build, by output path: served as they are once the build is swapped in.
type Rendered = Vec<(String, Vec<u8>)>;

/// `Ok` when an update can be served, with the files rendered to check it; otherwise every diagnostic to show.
///
/// Pages are rendered when they are asked for, so an error that a template only shows when it renders (an
/// unknown variable, a bad filter) is not in the update's diagnostics. With `render_check` (after a template
/// or config change, a full comparison, the first build), one file per template is rendered here, so such an
/// error fails the build (overlay, terminal, last good build kept) instead of breaking pages one by one. A
/// save of Markdown pages skips this: it changes no template, and at 10,000 pages the check costs tens of
/// milliseconds. A page that still fails when asked for is reported then (see `SiteThread::run`).
fn build_ok(
    session: &Session,
    update: &Update,
    render_check: bool,
) -> Result<Rendered, Diagnostics> {
    if update.diagnostics.has_errors() {
        return Err(update.diagnostics.clone());
    }
    if !render_check && !session.output_may_fail() {
        return Ok(Vec::new());
    }
    let failed = |errors: Vec<Diagnostic>| {
        let mut d = update.diagnostics.clone();
        d.extend(errors);
        Err(d)
    };
    let output = match session.output() {
        Ok(o) => o,
        Err(errors) => return failed(errors),
    };
    if !render_check {
        return Ok(Vec::new());
    }
    use rayon::prelude::*;
    type Made = Option<Result<Vec<u8>, Diagnostic>>;
    let results: Vec<(String, Made)> = output
        .one_file_per_template()
        .into_par_iter()
        .map(|path| {
            let file = output.file(&path);
            (path, file)
        })
        .collect();
    let mut rendered = Vec::new();
    let mut errors: Vec<Diagnostic> = Vec::new();
    for (path, file) in results {
        match file {
            Some(Ok(bytes)) => rendered.push((path, bytes)),
            // The same broken template or partial fails every file that uses it the same way: say it once.
            Some(Err(d)) if !errors.iter().any(|e| same_error(e, &d)) => errors.push(d),
            Some(Err(_)) | None => {}
        }
    }
    if errors.is_empty() {
        Ok(rendered)
    } else {
        failed(errors)
    }
}

/// Two render errors at the same place with the same message, whichever file was being rendered.
fn same_error(a: &Diagnostic, b: &Diagnostic) -> bool {
    (&a.path, a.line, a.col, &a.message) == (&b.path, b.line, b.col, &b.message)
}

/// Prints the result of a build to the terminal, the way `shirube build` does.
fn report(update: &Update, ok: Result<&(), &Diagnostics>, took: Duration, paths: &[String]) {
    let ms = took.as_secs_f64() * 1000.0;
    let what = match paths {
        [] => String::new(),
        [one] => format!(" ({one})"),
        [one, rest @ ..] => format!(" ({one} and {} more)", rest.len()),
    };
    match ok {
        Ok(()) => say!(
            "built {} pages in {ms:.0} ms{what}, {}",
            update.pages,
            update.diagnostics.summary()
        ),
        Err(d) => {
            crate::console::err(&d.render());
            say!(
                "build failed{what}: {}; the browser shows the errors, and the last good build is still served",
                d.summary()
            );
        }
    }
}

enum Msg {
    /// Files changed.
    Changed(Batch),
    /// A worker asks for a file.
    Request(Request),
    /// The builder finished updating the standby session.
    Built(Box<Built>),
}

/// A finished update of the standby session.
struct Built {
    session: Box<Session>,
    update: Update,
    ok: Result<(), Diagnostics>,
    took: Duration,
    paths: Vec<String>,
    /// Files rendered to check it (see [`build_ok`]).
    rendered: Rendered,
    /// The number of the last batch of changes it includes.
    seq: u64,
    /// It compared every source file.
    full: bool,
}

struct Request {
    /// Output path (`faq/index.html`).
    path: String,
    reply: mpsc::SyncSender<Answer>,
}

/// The site thread's answer to a worker.
enum Answer {
    /// The file (HTML gets the client injected by the worker).
    File {
        bytes: Arc<Vec<u8>>,
        live: Live,
        status: u16,
    },
    /// No such file: the 404 page, if the site has one.
    Missing {
        page: Option<Arc<Vec<u8>>>,
        live: Live,
    },
    /// A folder asked for without its trailing slash.
    Redirect(String),
}

/// The live state that goes into each page.
#[derive(Clone)]
struct Live {
    id: u64,
    errors: Arc<Vec<OverlayItem>>,
}

#[derive(serde::Serialize)]
struct ErrorsEvent<'a> {
    errors: &'a [OverlayItem],
}

fn hello_json(live: &Live) -> String {
    #[derive(serde::Serialize)]
    struct Hello<'a> {
        id: u64,
        errors: &'a [OverlayItem],
    }
    inject::script_json(&Hello {
        id: live.id,
        errors: &live.errors,
    })
}

struct SiteThread {
    opts: Options,
    hub: Arc<Hub>,
    base_path: Arc<RwLock<String>>,
    watcher: Option<watch::Watcher>,
    tx: Sender<Msg>,
    /// `http://127.0.0.1:1111`: the served URL without its base path.
    origin: String,
}

impl SiteThread {
    /// A file of the served build failed to render when it was asked for (a template error that the render
    /// check did not meet, such as one that only some pages' data trigger): the build is a failed one after
    /// all. The terminal and every open tab show the error (once); the file's last good bytes stay served.
    fn render_failed(&self, live: &mut Live, path: &str, d: Diagnostic) {
        let items = with_error(&live.errors, &d);
        if items == *live.errors {
            return;
        }
        crate::console::err(&d.render());
        say!(
            "{path} failed to render: the browser shows the error, and its last good version is still served"
        );
        live.errors = Arc::new(items);
        self.hub.set_hello(&hello_json(live));
        let event = ErrorsEvent {
            errors: &live.errors,
        };
        self.hub.send("errors", &inject::script_json(&event));
    }

    /// Serves files and swaps builds until the channel closes.
    fn run(
        mut self,
        rx: Receiver<Msg>,
        first: Box<Session>,
        first_ok: Result<Rendered, Diagnostics>,
        update: Update,
    ) {
        let (build_tx, build_rx) = mpsc::channel::<(Box<Session>, Vec<String>, u64, bool, bool)>();
        {
            let tx = self.tx.clone();
            std::thread::spawn(move || {
                // `full`: compare every source file; `check`: render one file per template even if no
                // template or config changed (after lost events, anything may have changed).
                for (mut session, paths, seq, full, check) in build_rx {
                    let started = Instant::now();
                    let update = if full {
                        session.update_all(&paths)
                    } else {
                        session.update(&paths)
                    };
                    let check = check
                        || update.work.templates
                        || paths.iter().any(|p| p == crate::config::CONFIG_FILE);
                    let (ok, rendered) = match build_ok(&session, &update, check) {
                        Ok(rendered) => (Ok(()), rendered),
                        Err(d) => (Err(d), Vec::new()),
                    };
                    let took = started.elapsed();
                    let built = Built {
                        session,
                        update,
                        ok,
                        took,
                        rendered,
                        paths,
                        seq,
                        full,
                    };
                    if tx.send(Msg::Built(Box::new(built))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(update);
        let mut live = Live {
            id: first_id(),
            errors: Arc::new(Vec::new()),
        };
        // Files rendered to check the build about to be served: they need not be rendered again.
        let mut seed: Rendered = Vec::new();
        // Two sessions: the served one, and the standby that the builder updates (None while it has it).
        // Each has the paths touched since it was last updated (`""` stands for "read everything").
        let mut served: Option<Box<Session>> = None;
        let mut standby: Option<Box<Session>> = None;
        let mut served_backlog: Vec<String> = Vec::new();
        // Batches of changes are numbered; a build is swapped in only when it includes a batch that the served
        // one does not. (After a swap, the old session catches up in the background without a reload.)
        let mut seq: u64 = 0;
        let mut served_seq: u64 = 0;
        let mut standby_backlog: Vec<String> = Vec::new();
        // The standby's last update failed: the next one renders one file per template whatever changed. (Its
        // templates were compiled when they changed, and are not again when the fix is elsewhere, say in a
        // page's data, or when a later event names the same template again.)
        let mut recheck = first_ok.is_err();
        match first_ok {
            Ok(rendered) => {
                seed = rendered;
                served = Some(first);
                // Warm the standby up now, so that the first edit is already an incremental build.
                let standby = Box::new(Session::new(self.opts.clone()));
                let _ = build_tx.send((standby, Vec::new(), 0, false, false));
            }
            Err(d) => {
                live.errors = Arc::new(inject::overlay_items(&d));
                standby = Some(first);
            }
        }
        self.hub.set_hello(&hello_json(&live));
        let mut last_full = Instant::now();
        // When to hand the standby to the builder, and when the first waiting change came.
        let mut due: Option<(Instant, Instant)> = None;
        // When the standby, idle, compares every file (see FULL_EVERY).
        let mut idle_check: Option<Instant> = None;

        let mut files: HashMap<String, Arc<Vec<u8>>> = HashMap::default();
        // A build's result waiting for the sources to be quiet (see QUIET), when the last change came, and
        // the first change not shown yet.
        let mut held: Option<Box<Built>> = None;
        let mut last_change: Option<Instant> = None;
        let mut unshown_since: Option<Instant> = None;

        loop {
            let current = served.take();
            let output = current.as_ref().and_then(|s| s.output().ok());
            // Files rendered from the current build (`fresh`), in `files` with the last good bytes of every
            // file rendered since serve started: what is served when a file fails to render.
            let mut fresh: HashSet<String> = HashSet::default();
            // Only templated files can fail to render: other files' old bytes are not kept (the search
            // index's paths change with each generation, and would pile up).
            files.retain(|path, _| path.ends_with(".html"));
            for (path, bytes) in seed.drain(..) {
                files.insert(path.clone(), Arc::new(bytes));
                fresh.insert(path);
            }
            // The build to serve next, and whether to do so without a reload (see `same_sources`).
            let (swap, silent): (Box<Built>, bool) = loop {
                // When the held result may be shown: QUIET after the last change, or SETTLE_MAX after the
                // first one not shown.
                let show_at = held.as_ref().map(|_| {
                    let quiet = last_change.map(|t| t + QUIET);
                    let cap = unshown_since.map(|t| t + SETTLE_MAX);
                    match (quiet, cap) {
                        (Some(q), Some(c)) => q.min(c),
                        (q, c) => q.or(c).unwrap_or_else(Instant::now),
                    }
                });
                if show_at.is_some_and(|at| at <= Instant::now())
                    && let Some(built) = held.take()
                {
                    unshown_since = None;
                    report(&built.update, built.ok.as_ref(), built.took, &built.paths);
                    match &built.ok {
                        Ok(()) => {
                            let silent = live.errors.is_empty()
                                && !built.full
                                && current.as_ref().is_some_and(|served| {
                                    same_sources(served, &built.session, &served_backlog)
                                });
                            break (built, silent);
                        }
                        Err(d) => {
                            let items = inject::overlay_items(d);
                            // A save the watcher reported twice fails twice the same way: the overlay
                            // already shows these errors, so nothing is sent again.
                            if *live.errors != items {
                                live.errors = Arc::new(items);
                                self.hub.set_hello(&hello_json(&live));
                                let event = ErrorsEvent {
                                    errors: &live.errors,
                                };
                                self.hub.send("errors", &inject::script_json(&event));
                            }
                            standby = Some(built.session);
                        }
                    }
                    if !standby_backlog.is_empty() && due.is_none() {
                        let now = Instant::now();
                        due = Some((now, now));
                    }
                    continue;
                }
                let build_at = match (due.map(|(at, _)| at), idle_check) {
                    _ if standby.is_none() => None,
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                let deadline = match (build_at, show_at) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                let msg = match deadline {
                    Some(at) => {
                        let now = Instant::now();
                        if now >= at {
                            Err(RecvTimeoutError::Timeout)
                        } else {
                            rx.recv_timeout(at - now)
                        }
                    }
                    None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                };
                match msg {
                    Ok(Msg::Request(req)) => {
                        let (a, failed) =
                            answer(output.as_ref(), &req.path, &mut files, &mut fresh, &live);
                        let _ = req.reply.send(a);
                        if let Some(d) = failed {
                            self.render_failed(&mut live, &req.path, d);
                        }
                    }
                    Ok(Msg::Changed(batch)) => {
                        if let Some(w) = self.watcher.as_mut() {
                            for dir in &batch.new_dirs {
                                w.watch_dir(dir);
                            }
                        }
                        if batch.is_empty() {
                            continue;
                        }
                        let mut paths = batch.paths;
                        if batch.rescan {
                            paths.push(String::new());
                        }
                        seq += 1;
                        idle_check = None;
                        served_backlog.extend(paths.iter().cloned());
                        standby_backlog.extend(paths);
                        let now = Instant::now();
                        let first = due.map_or(now, |(_, first)| first);
                        due = Some(((now + SETTLE).min(first + SETTLE_MAX), first));
                        last_change = Some(now);
                        unshown_since.get_or_insert(now);
                        // A result waiting to be shown is stale now: it is not shown (unless changes
                        // have kept coming for SETTLE_MAX), and the next build starts from it.
                        if let Some(built) = held.take() {
                            if unshown_since.is_some_and(|t| now >= t + SETTLE_MAX) {
                                held = Some(built);
                            } else {
                                standby = Some(built.session);
                            }
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        let now = Instant::now();
                        if due.is_some_and(|(at, _)| at <= now) {
                            // Settled: hand the standby to the builder with what changed since its last
                            // update (after lost events, with the order to compare every file).
                            due = None;
                            if let Some(session) = standby.take() {
                                let mut paths = std::mem::take(&mut standby_backlog);
                                let rescan = paths.iter().any(String::is_empty);
                                paths.retain(|p| !p.is_empty());
                                paths.sort();
                                paths.dedup();
                                let check = rescan || recheck;
                                let _ = build_tx.send((session, paths, seq, rescan, check));
                            }
                        } else if idle_check.is_some_and(|at| at <= now) {
                            // Nothing happened for a while: the standby compares every source file, in
                            // case an event was lost. (Not while saves come in: it would delay the next.)
                            idle_check = None;
                            if let Some(session) = standby.take() {
                                last_full = now;
                                let _ =
                                    build_tx.send((session, Vec::new(), served_seq, true, recheck));
                            }
                        }
                    }
                    Ok(Msg::Built(built)) => {
                        // A full comparison that found a changed file found an event the watcher lost.
                        let shown = built.seq > served_seq
                            || current.is_none()
                            || (built.full && built.update.work.changed > 0);
                        recheck = built.ok.is_err();
                        let now = Instant::now();
                        let capped = unshown_since.is_some_and(|t| now >= t + SETTLE_MAX);
                        // Changes that came during the build make its result stale, as in `Changed`.
                        let stale = !standby_backlog.is_empty() && !capped;
                        if (shown || built.ok.is_err()) && !stale {
                            // Shown at the top of the loop, once the sources are quiet.
                            unshown_since.get_or_insert(now);
                            held = Some(built);
                            continue;
                        }
                        standby = Some(built.session);
                        if last_full.elapsed() >= FULL_EVERY && standby_backlog.is_empty() {
                            idle_check = Some(Instant::now() + IDLE);
                        }
                        if !standby_backlog.is_empty() && due.is_none() {
                            let now = Instant::now();
                            due = Some((now, now));
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            };
            drop(output);
            // Swap: the new build is served from now on, and the old one becomes the standby.
            let css = current.is_some() && {
                let changed: Vec<String> = served_backlog
                    .iter()
                    .filter(|p| !p.is_empty())
                    .cloned()
                    .collect();
                watch::css_only(&changed) && served_backlog.iter().all(|p| !p.is_empty())
            };
            std::mem::swap(&mut served_backlog, &mut standby_backlog);
            served_seq = swap.seq;
            if let Ok(mut b) = self.base_path.write() {
                let base = first_base(&swap.session);
                if *b != base {
                    say!(
                        "base_url's path changed: the guide is now served at {}{base}",
                        self.origin
                    );
                }
                *b = base;
            }
            served = Some(swap.session);
            seed = swap.rendered;
            standby = current;
            if standby.is_none() {
                // Nothing was served before (the first build failed): a new standby, warmed up by the builder
                // like the first one, reads everything, so what it had waiting is in it.
                standby_backlog.clear();
                let fresh = Box::new(Session::new(self.opts.clone()));
                let _ = build_tx.send((fresh, Vec::new(), 0, false, false));
            }
            if !silent {
                live.id += 1;
                live.errors = Arc::new(Vec::new());
                self.hub.set_hello(&hello_json(&live));
                let event = if css { "css" } else { "reload" };
                self.hub.send(event, &format!("{{\"id\":{}}}", live.id));
            }
            if !standby_backlog.is_empty() && due.is_none() {
                let now = Instant::now();
                due = Some((now, now));
            }
        }
    }
}

/// Whether `new` was built from the same sources as `served`, so that it serves the same files and the open
/// tabs need no reload: every path changed since `served` was built (`changed`) is a text source (a page,
/// `shirube.yaml`, a manifest file) with the same text in both, and both judged proofs on the same day. A
/// `touch`, a `chmod`, the same bytes written again (sync clients, backup tools, an editor's save without
/// changes) then cause no reload, which would lose the reader's place. Anything else (an image, a template, a
/// stylesheet, a folder, lost events) counts as a change.
fn same_sources(served: &Session, new: &Session, changed: &[String]) -> bool {
    served.day().is_some()
        && served.day() == new.day()
        && !changed.is_empty()
        && changed.iter().all(|p| {
            !p.is_empty()
                && served
                    .source_text(p)
                    .is_some_and(|t| new.source_text(p) == Some(t))
        })
}

/// The site thread's answer for one output path, and the error when the file failed to render.
fn answer(
    output: Option<&crate::site::Output<'_>>,
    path: &str,
    files: &mut HashMap<String, Arc<Vec<u8>>>,
    fresh: &mut HashSet<String>,
    live: &Live,
) -> (Answer, Option<Diagnostic>) {
    let file = |bytes: Arc<Vec<u8>>, status: u16| Answer::File {
        bytes,
        live: live.clone(),
        status,
    };
    if fresh.contains(path)
        && let Some(bytes) = files.get(path)
    {
        return (file(Arc::clone(bytes), 200), None);
    }
    let Some(output) = output else {
        // No good build yet: the error page.
        let missing = Answer::Missing {
            page: None,
            live: live.clone(),
        };
        return (missing, None);
    };
    match output.file(path) {
        Some(Ok(bytes)) => {
            let bytes = Arc::new(bytes);
            files.insert(path.to_string(), Arc::clone(&bytes));
            fresh.insert(path.to_string());
            (file(bytes, 200), None)
        }
        Some(Err(d)) => {
            // This file cannot be made from the new build: its last good bytes (from any earlier build),
            // with the error on top.
            let live = Live {
                id: live.id,
                errors: Arc::new(with_error(&live.errors, &d)),
            };
            let a = match files.get(path) {
                Some(bytes) => Answer::File {
                    bytes: Arc::clone(bytes),
                    live,
                    status: 200,
                },
                None => Answer::Missing { page: None, live },
            };
            (a, Some(d))
        }
        None => {
            let folder = format!("{path}/index.html");
            if !path.is_empty() && !path.ends_with("index.html") && output.file(&folder).is_some() {
                let to = crate::percent::encode_path(&format!("{}{path}/", output.base_path()));
                return (Answer::Redirect(to), None);
            }
            let page = output.file("404.html").and_then(Result::ok).map(Arc::new);
            let missing = Answer::Missing {
                page,
                live: live.clone(),
            };
            (missing, None)
        }
    }
}

/// The overlay's items with one more error, errors first; unchanged when it is already there.
fn with_error(items: &[OverlayItem], d: &Diagnostic) -> Vec<OverlayItem> {
    let mut diags = Diagnostics::default();
    diags.push(d.clone());
    let mut all = items.to_vec();
    for item in inject::overlay_items(&diags) {
        if !all.contains(&item) {
            let at = all.iter().take_while(|i| i.severity == "error").count();
            all.insert(at, item);
        }
    }
    all
}

/// The first build's id: the time, so that a tab opened before serve was restarted sees another id in the
/// `hello` of the new server and reloads (ids counted from 1 would repeat, and such a tab would stay stale).
/// Milliseconds times 1000, so that the ids of an earlier run (its start plus one per build) cannot reach it
/// unless it built a thousand times per millisecond; below 2^53, so that JavaScript compares them exactly.
fn first_id() -> u64 {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_millis() as u64);
    (ms % (1 << 43)) * 1000 + 1
}

/// The open event streams.
#[derive(Default)]
struct Hub {
    clients: Mutex<Vec<Box<dyn Write + Send>>>,
    hello: Mutex<String>,
}

impl Hub {
    fn set_hello(&self, json: &str) {
        if let Ok(mut h) = self.hello.lock() {
            *h = json.to_string();
        }
    }

    /// Takes a new stream: the response head, then a `hello` with the current build.
    fn add(&self, mut w: Box<dyn Write + Send>) {
        let hello = self.hello.lock().map(|h| h.clone()).unwrap_or_default();
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
                    Connection: close\r\nX-Accel-Buffering: no\r\n\r\nretry: 500\n\n";
        // One write: a second one would wait for the browser's delayed ACK of the first (see `respond`).
        let first = format!("{head}event: hello\ndata: {hello}\n\n");
        let ok = w.write_all(first.as_bytes()).is_ok() && w.flush().is_ok();
        if ok && let Ok(mut c) = self.clients.lock() {
            c.push(w);
        }
    }

    /// Sends one event to every stream, dropping the ones that are gone.
    fn send(&self, event: &str, data: &str) {
        self.write(&format!("event: {event}\ndata: {data}\n\n"));
    }

    fn ping(&self) {
        self.write(": ping\n\n");
    }

    fn write(&self, text: &str) {
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain_mut(|w| w.write_all(text.as_bytes()).is_ok() && w.flush().is_ok());
        }
    }
}

/// Answers one request on a worker thread.
fn handle(
    request: tiny_http::Request,
    tx: &Sender<Msg>,
    hub: &Hub,
    base_path: &RwLock<String>,
    bind: IpAddr,
) {
    use tiny_http::Method;
    let host = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_string());
    if !http::host_allowed(host.as_deref(), bind) {
        return respond(
            request,
            403,
            "text/plain; charset=utf-8",
            b"403: this preview server only answers requests for localhost\n".to_vec(),
        );
    }
    let head = match request.method() {
        Method::Get => false,
        Method::Head => true,
        _ => {
            return respond(
                request,
                405,
                "text/plain; charset=utf-8",
                b"405: the preview server only answers GET and HEAD\n".to_vec(),
            );
        }
    };
    let base = base_path
        .read()
        .map(|b| b.clone())
        .unwrap_or_else(|_| "/".into());
    let target = match http::target(request.url(), &base) {
        Ok(t) => t,
        Err(Refusal::BadRequest) => {
            return respond(
                request,
                400,
                "text/plain; charset=utf-8",
                b"400: bad request\n".to_vec(),
            );
        }
        Err(Refusal::NotFound) => {
            // `/` of a guide served under a path: the guide.
            if request.url().split(['?', '#']).next() == Some("/") {
                return redirect(request, 302, base.clone());
            }
            // Outside the base path, say where the guide is, with a link (a tab left on an old path after
            // `base_url` changed gets there in one click).
            let href = crate::text::escape_attr(&base);
            let body = format!(
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Not found</title></head><body>\
                 <p>404: not found. The guide is served under <a href=\"{href}\">{href}</a>.</p></body></html>\n"
            );
            return respond(request, 404, "text/html; charset=utf-8", body.into_bytes());
        }
    };
    let path = match target {
        Target::Events => {
            if head {
                return respond(request, 200, "text/event-stream", Vec::new());
            }
            hub.add(request.into_writer());
            return;
        }
        Target::Redirect(to) => return redirect(request, 302, to),
        Target::File(p) => p,
    };
    let (reply_tx, reply_rx) = mpsc::sync_channel(1);
    let asked = tx.send(Msg::Request(Request {
        path: path.clone(),
        reply: reply_tx,
    }));
    let answer = match asked
        .ok()
        .and_then(|()| reply_rx.recv_timeout(ANSWER_TIMEOUT).ok())
    {
        Some(a) => a,
        None => {
            return respond(
                request,
                503,
                "text/plain; charset=utf-8",
                b"503: the preview server is busy\n".to_vec(),
            );
        }
    };
    let events = format!("{base}{}", http::EVENTS_PATH);
    let state =
        |live: &Live| -> (u64, Arc<Vec<OverlayItem>>) { (live.id, Arc::clone(&live.errors)) };
    let (status, ctype, body) = match answer {
        Answer::Redirect(to) => return redirect(request, 301, to),
        Answer::File {
            bytes,
            live,
            status,
        } => {
            let ctype = http::content_type(&path);
            if ctype.starts_with("text/html") {
                let (id, errors) = state(&live);
                let s = LiveState {
                    id,
                    events: &events,
                    errors: &errors,
                };
                (status, ctype, inject::inject(&bytes, &s))
            } else {
                (status, ctype, bytes.as_ref().clone())
            }
        }
        Answer::Missing { page, live } => {
            let (id, errors) = state(&live);
            let s = LiveState {
                id,
                events: &events,
                errors: &errors,
            };
            match (page, errors.is_empty()) {
                (Some(page), _) => (404, "text/html; charset=utf-8", inject::inject(&page, &s)),
                (None, false) => (500, "text/html; charset=utf-8", inject::error_page(&s)),
                (None, true) => (
                    404,
                    "text/plain; charset=utf-8",
                    b"404: not found\n".to_vec(),
                ),
            }
        }
    };
    if status != 200 {
        return respond(request, status, ctype, body);
    }
    // A single byte range (Safari plays `<video>` only from a server that answers them), else everything.
    let header = |name: &'static str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_string())
    };
    let range = match header("If-Range") {
        // No validators are sent, so none can match: the whole file.
        Some(_) => http::Range::Whole,
        None => http::range(header("Range").as_deref(), body.len()),
    };
    let accept = ("Accept-Ranges", "bytes".to_string());
    match range {
        http::Range::Whole => respond_with(request, 200, ctype, &body, &[accept]),
        http::Range::Part(start, end) => {
            let content_range = format!("bytes {start}-{end}/{}", body.len());
            let headers = [accept, ("Content-Range", content_range)];
            // `http::range` keeps the range inside the body; should it not, the whole file is sent.
            match body.get(start..=end) {
                Some(part) => respond_with(request, 206, ctype, part, &headers),
                None => respond_with(request, 200, ctype, &body, &headers[..1]),
            }
        }
        http::Range::Unsatisfiable => {
            let content_range = format!("bytes */{}", body.len());
            let headers = [accept, ("Content-Range", content_range)];
            respond_with(request, 416, ctype, &[], &headers);
        }
    }
}

/// A redirect's target with the query of the request (`/search?q=sso` → `/search/?q=sso`).
fn with_query(to: String, url: &str) -> String {
    match url.split_once('?') {
        Some((_, query)) => format!("{to}?{}", query.split('#').next().unwrap_or("")),
        None => to,
    }
}

/// Sends a complete response. Written through `into_writer()` because tiny_http would add headers of its own;
/// the connection stays open for the browser's next request (tiny_http reads it). The head and body go out in
/// one write: written apart, the body waited behind the head for the browser's delayed ACK (Nagle's
/// algorithm, which tiny_http leaves on), about 40 ms on each request after the first on a connection.
fn respond(request: tiny_http::Request, status: u16, ctype: &str, body: Vec<u8>) {
    respond_with(request, status, ctype, &body, &[]);
}

/// Redirects to `to`, with the request's query string (`/search?q=sso` → `/search/?q=sso`).
fn redirect(request: tiny_http::Request, status: u16, to: String) {
    let to = with_query(to, request.url());
    respond_with(
        request,
        status,
        "text/plain; charset=utf-8",
        &[],
        &[("Location", to)],
    );
}

/// [`respond`] with any headers.
fn respond_with(
    request: tiny_http::Request,
    status: u16,
    ctype: &str,
    body: &[u8],
    headers: &[(&str, String)],
) {
    let head_only = *request.method() == tiny_http::Method::Head;
    let reason = match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        416 => "Range Not Satisfiable",
        500 => "Internal Server Error",
        _ => "Service Unavailable",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if status == 405 {
        head.push_str("Allow: GET, HEAD\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    if !head_only {
        out.extend_from_slice(body);
    }
    let mut w = request.into_writer();
    let _ = w.write_all(&out);
    let _ = w.flush();
}
