//! Wall time per stage, for `build --timings` and benchmarks.

use std::time::{Duration, Instant};

/// Wall time per pipeline stage, for `build --timings` and benchmarks.
#[derive(Debug, Clone)]
pub struct Timings {
    last: Instant,
    /// Stage name and duration, in pipeline order.
    pub stages: Vec<(&'static str, Duration)>,
    /// The files that took longest to render, slowest first.
    pub slowest: Vec<(String, Duration)>,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            last: Instant::now(),
            stages: Vec::new(),
            slowest: Vec::new(),
        }
    }
}

impl Timings {
    /// Records the time since the previous stage ended as `stage`.
    pub fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.stages.push((stage, now - self.last));
        self.last = now;
    }

    /// Records a duration measured inside a stage that ran in parallel with others (not a lap).
    pub fn record(&mut self, stage: &'static str, took: Duration) {
        self.stages.push((stage, took));
    }

    /// `load 12.3 ms, validate 4.5 ms, ...`.
    pub fn summary(&self) -> String {
        durations(self.stages.iter().map(|(name, d)| (*name, *d)))
    }

    /// `slowest to render: faq/index.html 310.2 ms, ...`, or empty when nothing was rendered.
    pub fn slowest_summary(&self) -> String {
        if self.slowest.is_empty() {
            return String::new();
        }
        let slowest = durations(self.slowest.iter().map(|(path, d)| (path.as_str(), *d)));
        format!("slowest to render: {slowest}")
    }
}

/// `name 12.3 ms, other 4.5 ms`.
fn durations<'a>(items: impl Iterator<Item = (&'a str, Duration)>) -> String {
    let parts: Vec<String> = items
        .map(|(name, d)| format!("{name} {:.1} ms", d.as_secs_f64() * 1000.0))
        .collect();
    parts.join(", ")
}
