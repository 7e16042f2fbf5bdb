//! Writing to the terminal without panicking. `println!` and `eprintln!` panic when their stream is closed, as it
//! is when `shirube status | head -1` has read all it wants; a build must not die of that (it would write nothing)
//! and no command may end in a panic. Messages for the person at the terminal go through [`err`] (or the crate's
//! `say!`, its `eprintln!`), a command's output, what scripts read, through [`out`].

use std::io::{self, Write};

/// Writes a message to standard error. If standard error cannot be written (nobody reads it any more), the
/// message is dropped and the command goes on.
pub fn err(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// Writes a command's output to standard output. A reader that stopped early (`| head`) is not a failure: the
/// rest is dropped. Any other error (a full disk behind `>`) is returned, for the command to fail with.
pub fn out(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        done => done,
    }
}

/// [`out`], or the exit code of a command whose output could not be written, after saying why.
pub fn out_or_fail(text: &str) -> Result<(), std::process::ExitCode> {
    out(text).map_err(|e| {
        err(&format!("error: cannot write to standard output: {e}\n"));
        std::process::ExitCode::from(1)
    })
}
