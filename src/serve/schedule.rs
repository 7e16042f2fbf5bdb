//! When `serve` builds, and what it shows: a state machine fed file changes, finished builds and the time, that
//! answers with what to do. It owns no session, thread or socket, and reads no clock: every call is given the
//! time, so its tests are tables of timed events, without sleeps.
//!
//! There are two sessions: the **served** one, and the **standby** that the builder updates while the first
//! one keeps serving. The standby is in one place at a time: here ("home"), with the builder, or *held* (a
//! finished build waiting to be shown). The scheduler tracks where it is, which changes each session has not
//! read yet (its backlog), and the deadlines:
//!
//! - a build starts once changes have settled for [`SETTLE`] (at most [`SETTLE_MAX`] after the first one);
//! - its result is shown only once the sources have been quiet for [`QUIET`] (or [`SETTLE_MAX`] after the
//!   first change not shown), so a change made in steps is one reload; a change while a result waits makes it
//!   stale: it is not shown, and the next build starts from it;
//! - a good result is swapped in (a `reload`, a `css` swap, or nothing when no text changed: see
//!   [`Swap::unless_same_text`]); a failed one shows the overlay and the last good build stays served;
//! - when idle, now and then, the standby compares every source file, in case the watcher lost an event.
//!
//! Left out: what a session is, how it is built, what the browser is sent, and whether two sessions have the
//! same text (the caller answers that, see [`Swap::unless_same_text`]).

use super::watch::css_only;
use std::time::{Duration, Instant};

/// After a batch of changes, wait until no more have come for this long before building (each new batch starts
/// the wait again), so that a `git checkout` of many files is one build.
pub const SETTLE: Duration = Duration::from_millis(5);
/// A build's result (a reload, or the errors) is shown only once no change has come for this long: a change
/// made of steps is then one reload, not one per step, and no half-applied state is shown (a formatter or sync
/// tool rewriting files one after the other, JetBrains' safe write in four steps, truncate then write, a slow
/// `git checkout`). With only [`SETTLE`], steps 20 ms apart were each reloaded, some with the error overlay.
/// The build itself starts after [`SETTLE`] and runs meanwhile; a change during the wait makes its result
/// stale (it is not shown, and the next build starts from it). One save waits for this once, within the
/// 100 ms the reload may take.
pub const QUIET: Duration = Duration::from_millis(50);
/// ...but never longer than this after the first change, so that a stream of changes that never stops is still
/// built and shown now and then.
pub const SETTLE_MAX: Duration = Duration::from_secs(1);
/// At most this often, and only after [`IDLE`] without changes, the standby compares every source file with
/// what it read, instead of only the files the watcher named.
pub const FULL_EVERY: Duration = Duration::from_secs(10);
/// See [`FULL_EVERY`].
pub const IDLE: Duration = Duration::from_secs(2);

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The watcher reports changed source paths (`rescan`: it lost events, anything may have changed).
    Changed {
        /// Source paths, relative to the site root.
        paths: Vec<String>,
        /// Read everything again.
        rescan: bool,
    },
    /// The builder finished the last [`Order`]; its result is held by the caller until an action says what to
    /// do with it.
    Built(Done),
    /// Only time passed (a deadline from [`Scheduler::next_deadline`] came, or a request was answered).
    Time,
}

/// A finished build, as far as scheduling goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Done {
    /// The [`Order::seq`] it was built for.
    pub seq: u64,
    /// It compared every source file ([`Order::compare_all`]).
    pub compare_all: bool,
    /// Source files it found changed.
    pub changed: usize,
    /// It can be served: no errors.
    pub ok: bool,
}

/// What to do, in order. A [`Action::Swap`] comes first, and only builds follow it (they may hand the builder
/// the session that was served until the swap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Hand the standby session to the builder.
    Build(Order),
    /// Hand the builder a new session, which reads everything: the standby after the first good build.
    WarmUp(Order),
    /// Serve the held build from now on; the session served until now becomes the standby.
    Swap(Swap),
    /// Show the held build's errors in the browser; the last good build stays served, and the held session
    /// becomes the standby.
    ShowErrors,
    /// The held build is not shown (it is stale, or changes nothing): its session becomes the standby.
    Park,
}

/// What the builder is to do with the standby.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Source paths changed since the standby last read, sorted, without duplicates.
    pub paths: Vec<String>,
    /// The number of the last batch of changes the build includes.
    pub seq: u64,
    /// Compare every source file, not only `paths` (after lost events, or when idle).
    pub compare_all: bool,
    /// Render one file per template even if no template or config changed (after lost events, or after a failed
    /// build: see `build_ok`).
    pub render_check: bool,
}

impl Order {
    /// A new session's first build: it reads everything anyway, and is shown only if it fails.
    fn warm_up() -> Order {
        Order {
            paths: Vec::new(),
            seq: 0,
            compare_all: false,
            render_check: false,
        }
    }
}

/// How the open tabs learn of a swap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Swap {
    /// Only stylesheets changed: the browser swaps them instead of reloading.
    pub css_only: bool,
    /// The paths changed since the served build was made, when the swap may need no reload at all: if every
    /// one is a text source with the same text in both builds (and no overlay is up), nothing is sent. `None`
    /// for a full comparison, or when nothing was served before.
    pub unless_same_text: Option<Vec<String>>,
}

/// See the module documentation.
#[derive(Debug)]
pub struct Scheduler {
    /// A good build is served (none while the first build has failed).
    serving: bool,
    /// The standby session is here, not with the builder nor held.
    standby_home: bool,
    /// A finished build waiting to be shown.
    held: Option<Done>,
    /// Paths changed since each session was last updated (`""` stands for "read everything").
    served_backlog: Vec<String>,
    standby_backlog: Vec<String>,
    /// Batches of changes are numbered; a build is shown only when it includes a batch that the served one
    /// does not. (After a swap, the old session catches up in the background without a reload.)
    seq: u64,
    served_seq: u64,
    /// The standby's last update failed: the next one renders one file per template whatever changed. (Its
    /// templates were compiled when they changed, and are not again when the fix is elsewhere, say in a page's
    /// data, or when a later event names the same template again.)
    recheck: bool,
    /// When the last full comparison was ordered.
    last_full: Instant,
    /// When to hand the standby to the builder, and when the first change not built yet came.
    due: Option<Due>,
    /// When the standby, idle, compares every file (see [`FULL_EVERY`]).
    idle_check: Option<Instant>,
    /// When the last change came.
    last_change: Option<Instant>,
    /// When the first change not shown yet came.
    unshown_since: Option<Instant>,
}

impl Scheduler {
    /// The scheduler after the first build, and what to do first. When that build is good, it is served and a
    /// new standby is warmed up; when it failed, its session is the standby (the caller shows its errors).
    pub fn new(first_ok: bool, now: Instant) -> (Scheduler, Vec<Action>) {
        let s = Scheduler {
            serving: first_ok,
            standby_home: !first_ok,
            held: None,
            served_backlog: Vec::new(),
            standby_backlog: Vec::new(),
            seq: 0,
            served_seq: 0,
            recheck: !first_ok,
            last_full: now,
            due: None,
            idle_check: None,
            last_change: None,
            unshown_since: None,
        };
        let first = if first_ok {
            vec![Action::WarmUp(Order::warm_up())]
        } else {
            Vec::new()
        };
        (s, first)
    }

    /// What to do about `event`, which came at `now`.
    pub fn on_event(&mut self, event: Event, now: Instant) -> Vec<Action> {
        let mut actions = Vec::new();
        match event {
            Event::Changed { paths, rescan } => self.changed(paths, rescan, now, &mut actions),
            Event::Built(done) => self.built(done, now, &mut actions),
            Event::Time => {}
        }
        self.show_due(now, &mut actions);
        self.build_due(now, &mut actions);
        actions
    }

    /// When to be called again with [`Event::Time`] if nothing else happens first; `None`: only on an event.
    pub fn next_deadline(&self) -> Option<Instant> {
        let build = self
            .standby_home
            .then(|| earliest(self.due.map(|d| d.at), self.idle_check))
            .flatten();
        earliest(build, self.show_at())
    }

    /// When the held result may be shown: [`QUIET`] after the last change, or [`SETTLE_MAX`] after the first
    /// one not shown.
    fn show_at(&self) -> Option<Instant> {
        self.held?;
        let quiet = self.last_change.map(|t| t + QUIET);
        // Never `None`: a result is held with `unshown_since` set.
        let cap = self.unshown_since.map(|t| t + SETTLE_MAX);
        earliest(quiet, cap)
    }

    /// Changes have come for [`SETTLE_MAX`] without one being shown: a result is shown even if more come.
    fn capped(&self, now: Instant) -> bool {
        self.unshown_since.is_some_and(|t| now >= t + SETTLE_MAX)
    }

    fn changed(
        &mut self,
        mut paths: Vec<String>,
        rescan: bool,
        now: Instant,
        out: &mut Vec<Action>,
    ) {
        if paths.is_empty() && !rescan {
            return;
        }
        if rescan {
            paths.push(String::new());
        }
        self.seq += 1;
        self.idle_check = None;
        self.served_backlog.extend(paths.iter().cloned());
        self.standby_backlog.extend(paths);
        let first = self.due.map_or(now, |d| d.first);
        self.due = Some(Due {
            at: (now + SETTLE).min(first + SETTLE_MAX),
            first,
        });
        self.last_change = Some(now);
        self.unshown_since.get_or_insert(now);
        // A result waiting to be shown is stale now: it is not shown (unless changes have kept coming for
        // SETTLE_MAX), and the next build starts from it.
        if self.held.is_some() && !self.capped(now) {
            self.held = None;
            self.standby_home = true;
            out.push(Action::Park);
        }
    }

    fn built(&mut self, done: Done, now: Instant, out: &mut Vec<Action>) {
        // A full comparison that found a changed file found an event the watcher lost.
        let news =
            done.seq > self.served_seq || !self.serving || (done.compare_all && done.changed > 0);
        self.recheck = !done.ok;
        // Changes that came during the build make its result stale, as in `changed`.
        let stale = !self.standby_backlog.is_empty() && !self.capped(now);
        if (news || !done.ok) && !stale {
            // Shown by `show_due`, once the sources are quiet.
            self.unshown_since.get_or_insert(now);
            self.held = Some(done);
            return;
        }
        self.standby_home = true;
        out.push(Action::Park);
        if now.duration_since(self.last_full) >= FULL_EVERY && self.standby_backlog.is_empty() {
            self.idle_check = Some(now + IDLE);
        }
        self.build_soon(now);
    }

    /// Shows the held result once its time has come.
    fn show_due(&mut self, now: Instant, out: &mut Vec<Action>) {
        if self.show_at().is_none_or(|at| at > now) {
            return;
        }
        let Some(done) = self.held.take() else {
            return;
        };
        self.unshown_since = None;
        if done.ok {
            self.swap(done, out);
        } else {
            self.standby_home = true;
            out.push(Action::ShowErrors);
        }
        self.build_soon(now);
    }

    /// Swaps the held build in: the sessions trade places, and with them their backlogs.
    fn swap(&mut self, done: Done, out: &mut Vec<Action>) {
        let css = self.serving
            && self.served_backlog.iter().all(|p| !p.is_empty())
            && css_only(&self.served_backlog);
        let unless_same_text =
            (self.serving && !done.compare_all).then(|| self.served_backlog.clone());
        out.push(Action::Swap(Swap {
            css_only: css,
            unless_same_text,
        }));
        std::mem::swap(&mut self.served_backlog, &mut self.standby_backlog);
        self.served_seq = done.seq;
        if self.serving {
            self.standby_home = true;
        } else {
            // Nothing was served before (the first build failed): a new standby, warmed up by the builder like
            // the first one, reads everything, so what it had waiting is in it.
            self.serving = true;
            self.standby_backlog.clear();
            self.due = None;
            out.push(Action::WarmUp(Order::warm_up()));
        }
    }

    /// Changes wait for the standby, and no build is planned: plan one now.
    fn build_soon(&mut self, now: Instant) {
        if !self.standby_backlog.is_empty() && self.due.is_none() {
            self.due = Some(Due {
                at: now,
                first: now,
            });
        }
    }

    /// Hands the standby to the builder once the changes have settled, or when it has been idle long enough
    /// for a full comparison.
    /// (A deadline that passes while the standby is away is kept, and met when it comes back.)
    fn build_due(&mut self, now: Instant, out: &mut Vec<Action>) {
        if !self.standby_home {
            return;
        }
        if self.due.is_some_and(|d| d.at <= now) {
            // Settled: build what changed since the standby's last update (after lost events, compare every
            // file).
            self.due = None;
            let mut paths = std::mem::take(&mut self.standby_backlog);
            let rescan = paths.iter().any(String::is_empty);
            paths.retain(|p| !p.is_empty());
            paths.sort();
            paths.dedup();
            self.standby_home = false;
            out.push(Action::Build(Order {
                paths,
                seq: self.seq,
                compare_all: rescan,
                render_check: rescan || self.recheck,
            }));
        } else if self.idle_check.is_some_and(|at| at <= now) {
            // Nothing happened for a while: the standby compares every source file, in case an event was
            // lost. (Not while saves come in: it would delay the next.)
            self.idle_check = None;
            self.last_full = now;
            self.standby_home = false;
            out.push(Action::Build(Order {
                paths: Vec::new(),
                seq: self.served_seq,
                compare_all: true,
                render_check: self.recheck,
            }));
        }
    }
}

/// A planned build.
#[derive(Debug, Clone, Copy)]
struct Due {
    /// When it starts.
    at: Instant,
    /// When the first change it waits for came.
    first: Instant,
}

/// The earlier of two optional times.
fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What happens at a step of a case.
    #[derive(Clone, Copy)]
    enum In {
        /// The watcher reports these paths (space-separated; none: only a new folder).
        Save(&'static str),
        /// The watcher lost events.
        Rescan,
        /// The builder finishes the order it was given, with no errors.
        Ok,
        /// ...with errors.
        Failed,
        /// ...with no errors, having found this many changed files.
        Found(usize),
    }

    /// The scheduler with a builder that finishes when a case says so, and a log of what the scheduler said.
    struct Sim {
        s: Scheduler,
        t0: Instant,
        /// The order the builder is working on.
        building: Option<Order>,
        log: Vec<String>,
    }

    impl Sim {
        fn note(&mut self, at: Instant, actions: Vec<Action>) {
            for a in actions {
                let line = match a {
                    Action::WarmUp(o) => {
                        assert!(self.building.replace(o).is_none(), "the builder is busy");
                        "warm up".to_string()
                    }
                    Action::Build(o) => {
                        let mut line = format!("build #{}", o.seq);
                        for (on, word) in [
                            (!o.paths.is_empty(), o.paths.join(",").as_str()),
                            (o.compare_all, "all"),
                            (o.render_check, "check"),
                        ] {
                            if on {
                                line = format!("{line} {word}");
                            }
                        }
                        assert!(self.building.replace(o).is_none(), "the builder is busy");
                        line
                    }
                    Action::Swap(w) => {
                        let event = if w.css_only { "css" } else { "reload" };
                        match w.unless_same_text {
                            Some(paths) => format!("{event} unless same text: {}", paths.join(",")),
                            None => event.to_string(),
                        }
                    }
                    Action::ShowErrors => "errors".to_string(),
                    Action::Park => "park".to_string(),
                };
                self.log
                    .push(format!("{} {line}", at.duration_since(self.t0).as_millis()));
            }
        }

        /// Meets every deadline up to `to`, as the site thread does when no message comes.
        fn wait(&mut self, to: Instant) {
            // Each deadline met changes what is due: the bound only stops a scheduler that loops.
            for _ in 0..10_000 {
                match self.s.next_deadline() {
                    Some(at) if at <= to => {
                        let actions = self.s.on_event(Event::Time, at);
                        self.note(at, actions);
                    }
                    _ => return,
                }
            }
            panic!("deadlines that never pass");
        }

        fn feed(&mut self, at: Instant, input: In) {
            let event = match input {
                In::Save(paths) => Event::Changed {
                    paths: paths.split_whitespace().map(String::from).collect(),
                    rescan: false,
                },
                In::Rescan => Event::Changed {
                    paths: Vec::new(),
                    rescan: true,
                },
                In::Ok | In::Failed | In::Found(_) => {
                    let order = self.building.take().expect("the builder has no order");
                    Event::Built(Done {
                        seq: order.seq,
                        compare_all: order.compare_all,
                        changed: if let In::Found(n) = input { n } else { 0 },
                        ok: !matches!(input, In::Failed),
                    })
                }
            };
            let actions = self.s.on_event(event, at);
            self.note(at, actions);
        }
    }

    /// Runs a case: the first build (good or not), then each input at its time in milliseconds, meeting the
    /// deadlines on the way and after, up to `until`. Returns what the scheduler said, a line per action.
    fn run(first_ok: bool, steps: &[(u64, In)], until: u64) -> Vec<String> {
        let t0 = Instant::now();
        let (s, first) = Scheduler::new(first_ok, t0);
        let mut sim = Sim {
            s,
            t0,
            building: None,
            log: Vec::new(),
        };
        sim.note(t0, first);
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        for &(ms, input) in steps {
            sim.wait(at(ms));
            sim.feed(at(ms), input);
        }
        sim.wait(at(until));
        sim.log
    }

    use In::*;

    /// A case: its name, whether the first build was good, the inputs by time, when it ends, what is said.
    type Case = (
        &'static str,
        bool,
        &'static [(u64, In)],
        u64,
        &'static [&'static str],
    );

    /// Each case: its name, whether the first build was good, the inputs, when it ends, and what the scheduler
    /// says. Builds start 5 ms ([`SETTLE`]) after a save; results are shown 50 ms ([`QUIET`]) after the last.
    #[test]
    fn when_to_build_reload_and_show_errors() {
        #[rustfmt::skip]
        let cases: &[Case] = &[
            ("one save: built once settled, shown once quiet, then the other session catches up", true,
             &[(1, Ok), (100, Save("a.md")), (120, Ok), (170, Ok)], 5_000,
             &["0 warm up", "1 park", "105 build #1 a.md", "150 reload unless same text: a.md",
               "150 build #1 a.md", "170 park"]),
            ("a new folder alone is no change", true,
             &[(1, Ok), (100, Save(""))], 5_000,
             &["0 warm up", "1 park"]),
            ("a formatter rewriting files 20 ms apart: each result is stale, one reload after the last", true,
             &[(1, Ok), (100, Save("a.md")), (110, Ok), (120, Save("b.md")), (130, Ok),
               (140, Save("c.md")), (150, Ok), (200, Ok)], 5_000,
             &["0 warm up", "1 park", "105 build #1 a.md", "120 park", "125 build #2 b.md",
               "140 park", "145 build #3 c.md", "190 reload unless same text: a.md,b.md,c.md",
               "190 build #3 a.md,b.md,c.md", "200 park"]),
            ("JetBrains' safe write in four steps 20 ms apart, the page missing between: one reload", true,
             &[(1, Ok), (100, Save("a.md___jb_tmp___ a.md")), (110, Ok), (120, Save("a.md")), (130, Failed),
               (140, Save("a.md")), (150, Ok), (160, Save("a.md___jb_old___")), (170, Ok), (230, Ok)], 5_000,
             &["0 warm up", "1 park", "105 build #1 a.md,a.md___jb_tmp___", "120 park",
               "125 build #2 a.md", "140 park", "145 build #3 a.md check", "160 park",
               "165 build #4 a.md___jb_old___", "210 reload unless same text: \
                a.md___jb_tmp___,a.md,a.md,a.md,a.md___jb_old___",
               "210 build #4 a.md,a.md___jb_old___,a.md___jb_tmp___", "230 park"]),
            ("truncate, then write 30 ms later: the empty file's errors are never shown", true,
             &[(1, Ok), (100, Save("a.md")), (110, Failed), (130, Save("a.md")), (140, Ok), (200, Ok)], 5_000,
             &["0 warm up", "1 park", "105 build #1 a.md", "130 park", "135 build #2 a.md check",
               "180 reload unless same text: a.md,a.md", "180 build #2 a.md", "200 park"]),
            ("a change during a build makes its result stale, and the next build starts from it", true,
             &[(1, Ok), (100, Save("a.md")), (107, Save("b.md")), (110, Ok), (130, Ok), (200, Ok)], 5_000,
             &["0 warm up", "1 park", "105 build #1 a.md", "110 park", "112 build #2 b.md",
               "157 reload unless same text: a.md,b.md", "157 build #2 a.md,b.md", "200 park"]),
            ("a failed build shows the errors and serves the last good one; the fix renders every template",
             true,
             &[(1, Ok), (100, Save("a.md")), (110, Failed), (1_000, Save("a.md")), (1_010, Ok), (1_100, Ok)],
             5_000,
             &["0 warm up", "1 park", "105 build #1 a.md", "150 errors", "1005 build #2 a.md check",
               "1050 reload unless same text: a.md,a.md", "1050 build #2 a.md", "1100 park"]),
            ("after a failed first build, the first good one is swapped in and a new standby warmed up", false,
             &[(100, Save("a.md")), (110, Ok), (200, Ok)], 5_000,
             &["105 build #1 a.md check", "150 reload", "150 warm up", "200 park"]),
            ("only a stylesheet: its swap, not a reload", true,
             &[(1, Ok), (100, Save("static/x.css")), (110, Ok), (200, Ok)], 5_000,
             &["0 warm up", "1 park", "105 build #1 static/x.css",
               "150 css unless same text: static/x.css", "150 build #1 static/x.css", "200 park"]),
            ("lost events: every file compared and every template rendered, and a reload whatever changed", true,
             &[(1, Ok), (100, Rescan), (110, Ok), (200, Ok)], 5_000,
             &["0 warm up", "1 park", "105 build #1 all check", "150 reload", "150 build #1 all check",
               "200 park"]),
            ("idle for long enough: the standby compares every file; finding nothing, nothing is shown", true,
             &[(1, Ok), (11_000, Save("a.md")), (11_010, Ok), (11_060, Ok), (13_100, Ok)], 30_000,
             &["0 warm up", "1 park", "11005 build #1 a.md", "11050 reload unless same text: a.md",
               "11050 build #1 a.md", "11060 park", "13060 build #1 all", "13100 park"]),
            ("...finding a change the watcher lost, it is shown", true,
             &[(1, Ok), (11_000, Save("a.md")), (11_010, Ok), (11_060, Ok), (13_100, Found(2))], 30_000,
             &["0 warm up", "1 park", "11005 build #1 a.md", "11050 reload unless same text: a.md",
               "11050 build #1 a.md", "11060 park", "13060 build #1 all", "13100 reload"]),
            ("no idle comparison while saves come in", true,
             &[(1, Ok), (11_000, Save("a.md")), (11_010, Ok), (11_060, Ok), (12_000, Save("b.md")),
               (12_010, Ok), (12_060, Ok)], 13_000,
             &["0 warm up", "1 park", "11005 build #1 a.md", "11050 reload unless same text: a.md",
               "11050 build #1 a.md", "11060 park", "12005 build #2 b.md",
               "12050 reload unless same text: b.md", "12050 build #2 b.md", "12060 park"]),
        ];
        for (name, first_ok, steps, until, want) in cases {
            // Shown when a case's inputs do not fit its builds.
            eprintln!("case: {name}");
            let got = run(*first_ok, steps, *until);
            assert_eq!(got, *want, "{name}");
        }
    }

    /// Saves every 20 ms for 2.5 s: a result is still shown, [`SETTLE_MAX`] after the first change not shown (the
    /// save at 100 ms, then the build held at 1,110 ms), and the last once it is built.
    #[test]
    fn a_stream_of_saves_is_shown_once_a_second() {
        let mut steps = vec![(1, Ok)];
        for t in (100..2_600).step_by(20) {
            steps.push((t, Save("a.md")));
            steps.push((t + 10, Ok));
        }
        // The builder finishes the last save's build, then the other session's.
        steps.extend([(2_700, Ok), (2_800, Ok)]);
        let got = run(true, &steps, 5_000);
        let shown: Vec<&str> = got
            .iter()
            .map(String::as_str)
            .filter(|l| l.contains("reload"))
            .map(|l| l.split(' ').next().unwrap_or(""))
            .collect();
        assert_eq!(shown, ["1100", "2110", "2700"], "{got:#?}");
    }

    /// With nothing to do, the site thread waits for a message without a deadline.
    #[test]
    fn no_deadline_when_nothing_waits() {
        let t0 = Instant::now();
        let (mut s, _) = Scheduler::new(true, t0);
        assert_eq!(s.next_deadline(), None);
        s.on_event(
            Event::Changed {
                paths: vec!["a.md".into()],
                rescan: false,
            },
            t0,
        );
        assert_eq!(s.next_deadline(), None, "the standby is with the builder");
    }
}
