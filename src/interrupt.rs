//! Ctrl-C and SIGTERM stop a command at a safe point.
//!
//! Commands that write files (`build`, `prove`) call [`install`]. A signal then sets a flag and waits for the
//! section of code that is changing files (a [`Section`], held by the output writer) to reach a safe point
//! before the process ends: the writer checks [`requested`] while it writes temporary files, removes them and
//! gives up, or finishes the short switch-over it has begun. So an interrupted build leaves the previous output
//! or the new one, and no temporary files. Outside a section the process ends at once: nothing is half-written.
//!
//! SIGKILL cannot be caught; the output writer's journal (see [`crate::output`]) makes that harmless too.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Held while files are being changed; a signal waits for it.
static SAFE_POINT: Mutex<()> = Mutex::new(());

/// While alive, a signal waits before ending the process. Take one with [`section`].
pub struct Section {
    _guard: MutexGuard<'static, ()>,
}

/// Begins a section that a signal lets finish (or give up at its next check of [`requested`]).
pub fn section() -> Section {
    Section {
        // A poisoned lock only means a thread panicked inside a section; the lock itself still works.
        _guard: SAFE_POINT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    }
}

/// Whether Ctrl-C or SIGTERM has arrived: a long write should undo what it began and return.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Makes Ctrl-C (SIGINT) and SIGTERM end the process at a safe point, with exit code 130 or 143 as a shell
/// would give. Does nothing when the handlers cannot be installed (the default then applies: the journal keeps
/// the output safe).
pub fn install() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            REQUESTED.store(true, Ordering::SeqCst);
            let _wait = section();
            say!(
                "interrupted: shirube stopped at a safe point; the output folder holds the last complete build"
            );
            std::process::exit(128 + signal);
        }
    });
}

/// Sends SIGINT to this process, for the crash tests (see `output::failpoint`). The flag is set at once, as
/// if the signal had been handled at this very instant, so that the test's outcome does not depend on when the
/// handler's thread runs.
pub(crate) fn raise_interrupt() {
    REQUESTED.store(true, Ordering::SeqCst);
    let _ = signal_hook::low_level::raise(signal_hook::consts::SIGINT);
}
