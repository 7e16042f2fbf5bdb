//! `shirube serve`: the guide in a browser while it is being written, rebuilt and reloaded on every save.
//!
//! It serves the **preview** build (unproven pages shown with their banner) from memory: nothing is written,
//! `public/` is never touched. Threads, each with one job:
//!
//! - the **watcher** ([`watch`]) turns file events into batches of changed paths;
//! - the **site thread** owns the site: it renders a file when a request asks for it (so an edit costs the
//!   pages that are looked at, not the whole site), and swaps in a new build when one is ready and the
//!   sources have been quiet for a moment (one reload per change, even one made in steps). *When* to build,
//!   swap, reload or show errors is decided by the [`schedule::Scheduler`], a pure state machine that the
//!   thread feeds its messages and the time; the thread only does what it answers;
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
pub mod schedule;
pub mod watch;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::pipeline::{Options, Session, Update};
use crate::{HashMap, HashSet};
use conn::Reply;
use http::{Refusal, Target};
use inject::{LiveState, OverlayItem};
use schedule::{Action, Done, Event, Order, Scheduler};
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
    /// Files rendered to check it (see [`build_ok`]).
    rendered: Rendered,
    /// What it was built for.
    order: Order,
}

impl Built {
    /// What the scheduler needs to know of it.
    fn done(&self) -> Done {
        Done {
            seq: self.order.seq,
            compare_all: self.order.compare_all,
            changed: self.update.work.changed,
            ok: self.ok.is_ok(),
        }
    }
}

/// What the builder thread is handed: a session, and what to update in it.
struct Job {
    session: Box<Session>,
    order: Order,
}

/// Starts the builder thread, which runs each [`Job`] and sends the result back as [`Msg::Built`].
fn spawn_builder(tx: Sender<Msg>) -> Sender<Job> {
    let (jobs, rx) = mpsc::channel::<Job>();
    std::thread::spawn(move || {
        for job in rx {
            if tx.send(Msg::Built(Box::new(build(job)))).is_err() {
                break;
            }
        }
    });
    jobs
}

/// Updates a session as its order says, and checks whether the result can be served (see [`build_ok`]): with
/// a render check when the order asks for one, or a template or the config changed.
fn build(Job { mut session, order }: Job) -> Built {
    let started = Instant::now();
    let update = if order.compare_all {
        session.update_all(&order.paths)
    } else {
        session.update(&order.paths)
    };
    let check = order.render_check
        || update.work.templates
        || order.paths.iter().any(|p| p == crate::config::CONFIG_FILE);
    let (ok, rendered) = match build_ok(&session, &update, check) {
        Ok(rendered) => (Ok(()), rendered),
        Err(d) => (Err(d), Vec::new()),
    };
    Built {
        session,
        update,
        ok,
        took: started.elapsed(),
        rendered,
        order,
    }
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

/// What the site thread keeps besides the served session: the standby wherever the [`Scheduler`] says it is,
/// and what the browser is shown.
struct State {
    sched: Scheduler,
    live: Live,
    /// The standby session, while it is neither with the builder nor held.
    standby: Option<Box<Session>>,
    /// A finished build waiting to be shown, or to be parked as the standby: the scheduler says which, and when.
    held: Option<Box<Built>>,
    /// The last good bytes of every file rendered since serve started, by output path: what is served when a
    /// file fails to render.
    files: HashMap<String, Arc<Vec<u8>>>,
    /// Files rendered to check the build about to be served: they need not be rendered again.
    seed: Rendered,
    builder: Sender<Job>,
}

/// A held build about to be served.
struct Swapping {
    built: Box<Built>,
    /// The event for the open tabs (`reload` or `css`); `None` when the build serves the same text.
    event: Option<&'static str>,
    /// What the scheduler said to do after the swap.
    then: Vec<Action>,
}

impl SiteThread {
    /// Shows `items` in the overlay of every open tab and of every page served from now on.
    fn show_overlay(&self, live: &mut Live, items: Vec<OverlayItem>) {
        live.errors = Arc::new(items);
        self.hub.set_hello(&hello_json(live));
        let event = ErrorsEvent {
            errors: &live.errors,
        };
        self.hub.send("errors", &inject::script_json(&event));
    }

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
        self.show_overlay(live, items);
    }

    /// Serves files and swaps builds until the channel closes.
    fn run(
        mut self,
        rx: Receiver<Msg>,
        first: Box<Session>,
        first_ok: Result<Rendered, Diagnostics>,
        update: Update,
    ) {
        drop(update);
        let (sched, actions) = Scheduler::new(first_ok.is_ok(), Instant::now());
        let mut st = State {
            sched,
            live: Live {
                id: first_id(),
                errors: Arc::new(Vec::new()),
            },
            standby: None,
            held: None,
            files: HashMap::default(),
            seed: Vec::new(),
            builder: spawn_builder(self.tx.clone()),
        };
        let mut served = match first_ok {
            Ok(rendered) => {
                st.seed = rendered;
                Some(first)
            }
            Err(d) => {
                st.live.errors = Arc::new(inject::overlay_items(&d));
                st.standby = Some(first);
                None
            }
        };
        self.hub.set_hello(&hello_json(&st.live));
        // Warm the standby up now, so that the first edit is already an incremental build.
        self.perform(&mut st, actions, None);
        loop {
            let Some(next) = self.serve_until_swap(&rx, &mut st, served.as_deref()) else {
                return;
            };
            served = Some(self.swap_in(&mut st, served, next));
        }
    }

    /// Answers requests from `current` (the served session, none while no build was good) and feeds the
    /// scheduler until it swaps a new build in; `None` once the channel is closed.
    fn serve_until_swap(
        &mut self,
        rx: &Receiver<Msg>,
        st: &mut State,
        current: Option<&Session>,
    ) -> Option<Swapping> {
        let output = current.and_then(|s| s.output().ok());
        // Files rendered from the current build, in `st.files`.
        let mut fresh: HashSet<String> = HashSet::default();
        // Only templated files can fail to render: other files' old bytes are not kept (the search index's
        // file names change with their bytes, and would pile up).
        st.files.retain(|path, _| path.ends_with(".html"));
        for (path, bytes) in st.seed.drain(..) {
            st.files.insert(path.clone(), Arc::new(bytes));
            fresh.insert(path);
        }
        loop {
            let msg = match st.sched.next_deadline() {
                Some(at) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            let event = match msg {
                Ok(Msg::Request(req)) => {
                    let (a, failed) = answer(
                        output.as_ref(),
                        &req.path,
                        &mut st.files,
                        &mut fresh,
                        &st.live,
                    );
                    let _ = req.reply.send(a);
                    if let Some(d) = failed {
                        self.render_failed(&mut st.live, &req.path, d);
                    }
                    Event::Time
                }
                Ok(Msg::Changed(batch)) => {
                    if let Some(w) = self.watcher.as_mut() {
                        for dir in &batch.new_dirs {
                            w.watch_dir(dir);
                        }
                    }
                    Event::Changed {
                        paths: batch.paths,
                        rescan: batch.rescan,
                    }
                }
                Ok(Msg::Built(built)) => {
                    let done = built.done();
                    st.held = Some(built);
                    Event::Built(done)
                }
                Err(RecvTimeoutError::Timeout) => Event::Time,
                Err(RecvTimeoutError::Disconnected) => return None,
            };
            let actions = st.sched.on_event(event, Instant::now());
            if let Some(swap) = self.perform(st, actions, current) {
                return Some(swap);
            }
        }
    }

    /// Does what the scheduler said, in order, up to a swap: that is returned, with the actions after it, for
    /// the caller to do once `current` is no longer borrowed.
    fn perform(
        &self,
        st: &mut State,
        actions: Vec<Action>,
        current: Option<&Session>,
    ) -> Option<Swapping> {
        let mut actions = actions.into_iter();
        while let Some(action) = actions.next() {
            match action {
                Action::Build(order) => {
                    if let Some(session) = st.standby.take() {
                        let _ = st.builder.send(Job { session, order });
                    }
                }
                Action::WarmUp(order) => {
                    let session = Box::new(Session::new(self.opts.clone()));
                    let _ = st.builder.send(Job { session, order });
                }
                Action::Park => st.standby = st.held.take().map(|built| built.session),
                Action::ShowErrors => {
                    let Some(built) = st.held.take() else {
                        continue;
                    };
                    report(
                        &built.update,
                        built.ok.as_ref(),
                        built.took,
                        &built.order.paths,
                    );
                    if let Err(d) = &built.ok {
                        let items = inject::overlay_items(d);
                        // A save the watcher reported twice fails twice the same way: the overlay already
                        // shows these errors, so nothing is sent again.
                        if *st.live.errors != items {
                            self.show_overlay(&mut st.live, items);
                        }
                    }
                    st.standby = Some(built.session);
                }
                Action::Swap(swap) => {
                    let Some(built) = st.held.take() else {
                        continue;
                    };
                    report(
                        &built.update,
                        built.ok.as_ref(),
                        built.took,
                        &built.order.paths,
                    );
                    let silent = swap.unless_same_text.is_some_and(|changed| {
                        st.live.errors.is_empty()
                            && current.is_some_and(|s| same_sources(s, &built.session, &changed))
                    });
                    let event = match (silent, swap.css_only) {
                        (true, _) => None,
                        (false, true) => Some("css"),
                        (false, false) => Some("reload"),
                    };
                    let then = actions.collect();
                    return Some(Swapping { built, event, then });
                }
            }
        }
        None
    }

    /// Serves the swapped-in build from now on, tells the open tabs, and returns its session; the one served
    /// until now (`old`) becomes the standby.
    fn swap_in(&self, st: &mut State, old: Option<Box<Session>>, swap: Swapping) -> Box<Session> {
        let Swapping { built, event, then } = swap;
        if let Ok(mut b) = self.base_path.write() {
            let base = first_base(&built.session);
            if *b != base {
                say!(
                    "base_url's path changed: the guide is now served at {}{base}",
                    self.origin
                );
            }
            *b = base;
        }
        st.seed = built.rendered;
        st.standby = old;
        if let Some(event) = event {
            st.live.id += 1;
            st.live.errors = Arc::new(Vec::new());
            self.hub.set_hello(&hello_json(&st.live));
            self.hub.send(event, &format!("{{\"id\":{}}}", st.live.id));
        }
        // Only builds follow a swap (see `Action`): nothing is left to return.
        let _ = self.perform(st, then, None);
        built.session
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
    output: Option<&crate::pipeline::Output<'_>>,
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
    let Some(answer) = asked
        .ok()
        .and_then(|()| reply_rx.recv_timeout(ANSWER_TIMEOUT).ok())
    else {
        return reply(
            req,
            503,
            TEXT,
            b"503: the preview server is busy\n".to_vec(),
        );
    };
    file_reply(req, &path, &base, answer)
}

/// The response for the site thread's answer about `path`: HTML with the live-reload client added (see
/// [`inject`]), a 404 or error page, or a redirect; a single byte range when one is asked for.
fn file_reply(req: &conn::Req, path: &str, base: &str, answer: Answer) -> Reply {
    const TEXT: &str = "text/plain; charset=utf-8";
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
            let ctype = http::content_type(path);
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
