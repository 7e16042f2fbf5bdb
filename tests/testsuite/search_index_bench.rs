//! Benchmark (not a test): how long `search::build` takes on a real site, apart from the rest of the build.
//! Ignored by default; run it on a generated corpus with a release build:
//!
//! ```text
//! python3 ../shared/bench/gen_corpus.py --pages 10000 --out /tmp/c10k
//! SHIRUBE_BENCH_SITE=/tmp/c10k cargo test --release --test testsuite search_index_bench:: -- --ignored --nocapture
//! ```
//!
//! Prints the median and minimum wall time and the median CPU time (user + system, all threads) of building the
//! index, over `SHIRUBE_BENCH_RUNS` runs (default 7). Nothing is asserted about time.

use shirube::pipeline::{Options, Session};
use std::time::Instant;

/// User + system CPU time of this process so far, in seconds (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses and may contain spaces).
    let Some(rest) = stat.rsplit(')').next() else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks: f64 = fields
        .get(11..13)
        .map(|f| f.iter().filter_map(|x| x.parse::<f64>().ok()).sum())
        .unwrap_or(0.0);
    ticks / 100.0
}

#[test]
#[ignore = "benchmark: needs SHIRUBE_BENCH_SITE and a release build"]
fn search_index_build_time() {
    let Ok(site) = std::env::var("SHIRUBE_BENCH_SITE") else {
        eprintln!("SKIP: set SHIRUBE_BENCH_SITE to a site folder (see the top of this file)");
        return;
    };
    let runs: usize = std::env::var("SHIRUBE_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7)
        .max(1);
    let mut session = Session::new(Options {
        root: site.into(),
        ..Options::default()
    });
    let update = session.update(&[]);
    assert!(!update.diagnostics.has_errors(), "the site has errors");
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    let mut files = 0;
    for _ in 0..runs {
        // A new Output has an empty search cache: the first search file asked for builds the index.
        let output = session.output().unwrap_or_else(|_| panic!("no output"));
        let (c0, t0) = (cpu_seconds(), Instant::now());
        let manifest = output.file("search/manifest.json");
        wall.push(t0.elapsed().as_secs_f64() * 1000.0);
        cpu.push((cpu_seconds() - c0) * 1000.0);
        assert!(matches!(manifest, Some(Ok(_))), "no search manifest");
        files = output
            .paths()
            .iter()
            .filter(|p| p.starts_with("search/"))
            .count();
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let min = wall.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "search index: {} pages, {files} files; build median {:.0} ms wall (min {min:.0}), {:.0} ms CPU, over {runs} runs",
        update.pages,
        median(&mut wall),
        median(&mut cpu),
    );
}
