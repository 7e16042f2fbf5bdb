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
//! - **connections** ([`conn`]), a thread each, read and bound request heads, check each request's path and
//!   `Host` ([`http`]), ask the site thread for the file, and add the live-reload client ([`inject`]) to HTML;
//!   a client that sends nothing or reads nothing holds only its own thread, and only until a timeout;
//! - the **event hub** keeps the open Server-Sent Events streams. It never writes to a socket itself: each
//!   stream has a bounded queue that its connection's thread writes out, and a stream whose queue is full (its
//!   client stopped reading) is dropped, so a stuck tab cannot stop the site thread.
//!
//! Left out: HTTPS, HTTP/2 (so a browser allows six connections per host: the client keeps one event stream
//! for all of a browser's tabs, see `client.js`), and serving on a public interface without `--bind` (which
//! warns).

pub mod conn;
pub mod http;
pub mod inject;
pub mod watch;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::site::{Options, Session, Update};
use crate::{HashMap, HashSet};
use conn::Reply;
use http::{Refusal, Target};
use inject::{LiveState, OverlayItem};
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
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
/// How long a connection waits for the site thread.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);

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

    {
        let front = Front {
            tx: tx.clone(),
            hub: Arc::clone(&hub),
            base_path: Arc::clone(&base_path),
            bind,
        };
        let limits = conn::Limits::from_env();
        std::thread::spawn(move || conn::serve(listener, limits, Arc::new(front)));
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

/// Messages waiting for one event stream, at most. Each is at most an overlay's worth (bounded, see
/// [`inject::overlay_items`]); a stream that falls this far behind is not reading, and is dropped.
const STREAM_QUEUE: usize = 16;

/// Event streams open at once, at most: a new one beyond this drops the oldest. A browser keeps one for all its
/// tabs (`client.js`), so this is room for many browsers; without it, clients that open streams and never read
/// them would keep connections for ever (pings are too small to fill a socket and time a write out).
const MAX_STREAMS: usize = 64;

/// The open event streams. Sending never waits for a client: each stream has a bounded queue, written to its
/// socket by the stream's own connection thread ([`Hub::stream`]); a full queue drops the stream.
#[derive(Default)]
struct Hub {
    clients: Mutex<Vec<EventStream>>,
    hello: Mutex<String>,
}

struct EventStream {
    queue: mpsc::SyncSender<Arc<str>>,
    /// The same socket, to shut it down when the stream is dropped (which ends a write blocked on it).
    socket: TcpStream,
}

impl Hub {
    fn set_hello(&self, json: &str) {
        if let Ok(mut h) = self.hello.lock() {
            *h = json.to_string();
        }
    }

    /// Serves one event stream until it fails or is dropped: the response head, a `hello` with the current
    /// build, then what [`Hub::send`] queues for it.
    fn stream(&self, mut stream: TcpStream) {
        let Ok(socket) = stream.try_clone() else {
            return;
        };
        let (queue, rx) = mpsc::sync_channel::<Arc<str>>(STREAM_QUEUE);
        // Added and the hello read under one lock: an event sent meanwhile is either in the hello or queued.
        let hello = match self.clients.lock() {
            Ok(mut clients) => {
                if clients.len() >= MAX_STREAMS {
                    let oldest = clients.remove(0);
                    let _ = oldest.socket.shutdown(std::net::Shutdown::Both);
                }
                clients.push(EventStream { queue, socket });
                self.hello.lock().map(|h| h.clone()).unwrap_or_default()
            }
            Err(_) => return,
        };
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
                    Connection: close\r\nX-Accel-Buffering: no\r\n\r\nretry: 500\n\n";
        let first = format!("{head}event: hello\ndata: {hello}\n\n");
        if stream.write_all(first.as_bytes()).is_ok() {
            for text in rx {
                if stream.write_all(text.as_bytes()).is_err() {
                    break;
                }
            }
        }
        let _ = stream.shutdown(std::net::Shutdown::Both);
    }

    /// Queues one event for every stream, dropping the ones that are gone or too far behind.
    fn send(&self, event: &str, data: &str) {
        self.write(&format!("event: {event}\ndata: {data}\n\n"));
    }

    fn ping(&self) {
        self.write(": ping\n\n");
    }

    fn write(&self, text: &str) {
        let text: Arc<str> = Arc::from(text);
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain(|c| match c.queue.try_send(Arc::clone(&text)) {
                Ok(()) => true,
                Err(mpsc::TrySendError::Full(_)) => {
                    let _ = c.socket.shutdown(std::net::Shutdown::Both);
                    false
                }
                Err(mpsc::TrySendError::Disconnected(_)) => false,
            });
        }
    }
}

/// What the connections ([`conn`]) ask of the site.
struct Front {
    tx: Sender<Msg>,
    hub: Arc<Hub>,
    base_path: Arc<RwLock<String>>,
    bind: IpAddr,
}

impl conn::Handler for Front {
    fn respond(&self, req: &conn::Req) -> Reply {
        handle(req, &self.tx, &self.base_path, self.bind)
    }

    fn stream(&self, _req: &conn::Req, stream: TcpStream) {
        self.hub.stream(stream);
    }
}

/// Answers one request, on its connection's thread.
fn handle(req: &conn::Req, tx: &Sender<Msg>, base_path: &RwLock<String>, bind: IpAddr) -> Reply {
    const TEXT: &str = "text/plain; charset=utf-8";
    if !http::host_allowed(req.header("Host"), bind) {
        return reply(
            req,
            403,
            TEXT,
            b"403: this preview server only answers requests for localhost\n".to_vec(),
        );
    }
    if !matches!(req.method.as_str(), "GET" | "HEAD") {
        return reply(
            req,
            405,
            TEXT,
            b"405: the preview server only answers GET and HEAD\n".to_vec(),
        );
    }
    let base = base_path
        .read()
        .map(|b| b.clone())
        .unwrap_or_else(|_| "/".into());
    let target = match http::target(&req.url, &base) {
        Ok(t) => t,
        Err(Refusal::BadRequest) => {
            return reply(req, 400, TEXT, b"400: bad request\n".to_vec());
        }
        Err(Refusal::NotFound) => {
            // `/` of a guide served under a path: the guide.
            if req.url.split(['?', '#']).next() == Some("/") {
                return redirect(req, 302, base.clone());
            }
            // Outside the base path, say where the guide is, with a link (a tab left on an old path after
            // `base_url` changed gets there in one click).
            let href = crate::text::escape_attr(&base);
            let body = format!(
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Not found</title></head><body>\
                 <p>404: not found. The guide is served under <a href=\"{href}\">{href}</a>.</p></body></html>\n"
            );
            return reply(req, 404, "text/html; charset=utf-8", body.into_bytes());
        }
    };
    let path = match target {
        Target::Events if req.head_only() => {
            return reply(req, 200, "text/event-stream", Vec::new());
        }
        Target::Events => return Reply::Stream,
        Target::Client => {
            let js = inject::CLIENT_JS.as_bytes().to_vec();
            return reply(req, 200, "text/javascript; charset=utf-8", js);
        }
        Target::Redirect(to) => return redirect(req, 302, to),
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
            return reply(
                req,
                503,
                TEXT,
                b"503: the preview server is busy\n".to_vec(),
            );
        }
    };
    let events = format!("{base}{}", http::EVENTS_PATH);
    let client = format!("{base}{}", http::CLIENT_PATH);
    let state =
        |live: &Live| -> (u64, Arc<Vec<OverlayItem>>) { (live.id, Arc::clone(&live.errors)) };
    let (status, ctype, body) = match answer {
        Answer::Redirect(to) => return redirect(req, 301, to),
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
                (status, ctype, Arc::new(inject::inject(&bytes, &s, &client)))
            } else {
                (status, ctype, bytes)
            }
        }
        Answer::Missing { page, live } => {
            let (id, errors) = state(&live);
            let s = LiveState {
                id,
                events: &events,
                errors: &errors,
            };
            let (status, ctype, body) = match (page, errors.is_empty()) {
                (Some(page), _) => (
                    404,
                    "text/html; charset=utf-8",
                    inject::inject(&page, &s, &client),
                ),
                (None, false) => (
                    500,
                    "text/html; charset=utf-8",
                    inject::error_page(&s, &client),
                ),
                (None, true) => (404, TEXT, b"404: not found\n".to_vec()),
            };
            (status, ctype, Arc::new(body))
        }
    };
    if status != 200 {
        return send(req, status, ctype, body, None, &[]);
    }
    // A single byte range (Safari plays `<video>` only from a server that answers them), else everything.
    let range = match req.header("If-Range") {
        // No validators are sent, so none can match: the whole file.
        Some(_) => http::Range::Whole,
        None => http::range(req.header("Range"), body.len()),
    };
    let accept = ("Accept-Ranges", "bytes".to_string());
    let len = body.len();
    match range {
        // `http::range` keeps the range inside the body; should it not, the whole file is sent.
        http::Range::Part(start, end) if start <= end && end < len => {
            let content_range = format!("bytes {start}-{end}/{len}");
            let headers = [accept, ("Content-Range", content_range)];
            send(req, 206, ctype, body, Some(start..end + 1), &headers)
        }
        http::Range::Unsatisfiable => {
            let content_range = format!("bytes */{len}");
            let headers = [accept, ("Content-Range", content_range)];
            send(req, 416, ctype, Arc::new(Vec::new()), None, &headers)
        }
        http::Range::Whole | http::Range::Part(..) => send(req, 200, ctype, body, None, &[accept]),
    }
}

/// A redirect's target with the query of the request (`/search?q=sso` → `/search/?q=sso`).
fn with_query(to: String, url: &str) -> String {
    match url.split_once('?') {
        Some((_, query)) => format!("{to}?{}", query.split('#').next().unwrap_or("")),
        None => to,
    }
}

/// A complete response with this body.
fn reply(req: &conn::Req, status: u16, ctype: &str, body: Vec<u8>) -> Reply {
    send(req, status, ctype, Arc::new(body), None, &[])
}

/// Redirects to `to`, with the request's query string (`/search?q=sso` → `/search/?q=sso`).
fn redirect(req: &conn::Req, status: u16, to: String) -> Reply {
    let to = with_query(to, &req.url);
    send(
        req,
        status,
        "text/plain; charset=utf-8",
        Arc::new(Vec::new()),
        None,
        &[("Location", to)],
    )
}

/// A response with `part` of `body` (all of it when `None`, nothing for HEAD) and more headers. Heads are
/// written by hand (tiny_http, which `serve` used before, added headers of its own and buffered).
fn send(
    req: &conn::Req,
    status: u16,
    ctype: &str,
    body: Arc<Vec<u8>>,
    part: Option<std::ops::Range<usize>>,
    headers: &[(&str, String)],
) -> Reply {
    let range = part.unwrap_or(0..body.len());
    let mut extra = headers.to_vec();
    if status == 405 {
        extra.push(("Allow", "GET, HEAD".to_string()));
    }
    if req.close {
        extra.push(("Connection", "close".to_string()));
    }
    let head = http::response_head(status, ctype, range.len(), &extra);
    let body = (!req.head_only() && !range.is_empty()).then_some(conn::Body { bytes: body, range });
    Reply::Send { head, body }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    /// An event stream whose client never reads: sending to it never waits, and once its queue is full it is
    /// dropped and its connection closed. (Before, the site thread wrote events itself and blocked on such a
    /// client: after two failed saves with 3,000 errors, no request was answered any more.)
    #[test]
    fn an_event_stream_that_does_not_read_is_dropped_without_waiting() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let hub = Arc::new(Hub::default());
        let streaming = {
            let hub = Arc::clone(&hub);
            std::thread::spawn(move || hub.stream(server))
        };
        // The hello is written once the stream is registered.
        client
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut got = Vec::new();
        while !got.ends_with(b"event: hello\ndata: \n\n") {
            let mut byte = [0u8; 1];
            assert_eq!(client.read(&mut byte).unwrap(), 1, "no hello");
            got.push(byte[0]);
        }
        let (sent_tx, sent) = mpsc::channel();
        {
            let hub = Arc::clone(&hub);
            std::thread::spawn(move || {
                let data = "x".repeat(1 << 20);
                // More than the socket buffers and the queue hold: the stream is dropped before the end.
                for n in 1..=200 {
                    hub.send("errors", &data);
                    let open = hub.clients.lock().map(|c| c.len()).unwrap_or(0);
                    if open == 0 {
                        let _ = sent_tx.send(Some(n));
                        return;
                    }
                }
                let _ = sent_tx.send(None);
            });
        }
        // The bound only matters if the test fails (a send that blocks).
        let n = sent
            .recv_timeout(Duration::from_secs(60))
            .expect("a send blocked");
        assert!(n.is_some(), "the stream was never dropped");
        // The connection's thread is done, and the client sees the end of the stream after what was buffered.
        streaming.join().unwrap();
        got.clear();
        let ended = loop {
            let mut chunk = [0u8; 1 << 16];
            match client.read(&mut chunk) {
                Ok(0) => break true,
                Ok(k) => got.extend_from_slice(&chunk[..k]),
                Err(e) => {
                    break !matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    );
                }
            }
        };
        assert!(ended, "the connection stayed open");
        assert!(got.starts_with(
            b"event: errors
"
        ));
    }

    /// Opens an event stream on `hub` over loopback; returns the client once its hello has arrived.
    fn open_stream(hub: &Arc<Hub>) -> TcpStream {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let hub = Arc::clone(hub);
        std::thread::spawn(move || hub.stream(server));
        client
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut got = Vec::new();
        while !got.ends_with(b"event: hello\ndata: \n\n") {
            let mut byte = [0u8; 1];
            assert_eq!(client.read(&mut byte).unwrap(), 1, "no hello");
            got.push(byte[0]);
        }
        client
    }

    /// Streams that are never read hold no connection for ever: past [`MAX_STREAMS`], the oldest is closed.
    #[test]
    fn past_the_most_streams_the_oldest_is_closed() {
        let hub = Arc::new(Hub::default());
        let mut clients: Vec<TcpStream> = (0..MAX_STREAMS).map(|_| open_stream(&hub)).collect();
        clients.push(open_stream(&hub));
        // The bound (the read timeout) only matters if the test fails.
        let mut rest = Vec::new();
        assert_eq!(
            clients[0].read_to_end(&mut rest).unwrap(),
            0,
            "the oldest is closed"
        );
        assert_eq!(hub.clients.lock().unwrap().len(), MAX_STREAMS);
    }
}
