use clap::Parser;
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: a build allocates millions of small strings on every core, and glibc's
/// per-thread arenas spent ~14% of a 10,000-page build in malloc/free and tens of thousands of `mprotect` calls.
/// Built not to ask for transparent huge pages (Cargo.toml says why): `MIMALLOC_ALLOW_THP=1` cannot bring the
/// request back, and only a kernel set to use them always (`/sys/kernel/mm/transparent_hugepage/enabled`) does.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    shirube::cli::run(shirube::cli::Cli::parse())
}
