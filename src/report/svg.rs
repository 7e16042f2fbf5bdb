//! The report's charts, as inline SVG written here: no chart library, no script, no request.
//!
//! Colours are CSS classes (`.c-success`, `.c-expired`, ...) that the report's style sheet sets for light and
//! dark schemes and for print; text uses `currentColor`. Each chart carries a `<title>` and `<desc>` so a screen
//! reader says what it shows, and the report prints the same numbers as a table beside it.

use crate::text::escape_attr as esc;
use std::fmt::Write as _;

/// One stacked bar: its label under the axis and its segments, `(css class, value)`, bottom first.
pub struct Bar {
    /// Label under the bar (may be empty to skip it).
    pub label: String,
    /// Segments, bottom first.
    pub parts: Vec<(&'static str, u32)>,
}

/// A stacked bar chart `width` × `height` (viewBox units), with a y axis of round steps.
pub struct Chart<'a> {
    /// Id prefix for the title and description.
    pub id: &'a str,
    /// What it shows (the `<title>`).
    pub title: &'a str,
    /// A sentence with its main figures (the `<desc>`).
    pub desc: &'a str,
    /// The bars, left to right.
    pub bars: &'a [Bar],
    /// A vertical marker line before the bar with this index, with its label (max_age_days).
    pub marker: Option<(f64, String)>,
    /// Labels sit at each bar's left edge (bins of a range: 0, 30, 60 days) rather than under its middle.
    pub edge_labels: bool,
}

const W: f64 = 760.0;
const H: f64 = 260.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 36.0;
const TOP: f64 = 14.0;

/// A round step for an axis up to `max`: 1, 2, 5, 10, 20, 50, ...
fn step(max: u32) -> u32 {
    let mut s = 1u32;
    loop {
        for m in [1, 2, 5] {
            let candidate = s.saturating_mul(m);
            if max / candidate <= 5 {
                return candidate;
            }
        }
        s = s.saturating_mul(10);
    }
}

/// The chart as an `<svg>` element.
pub fn stacked_bars(c: &Chart) -> String {
    let mut out = String::new();
    let max = c
        .bars
        .iter()
        .map(|b| b.parts.iter().map(|p| p.1).sum::<u32>())
        .max()
        .unwrap_or(0)
        .max(1);
    let step = step(max);
    let top_value = max.div_ceil(step) * step;
    let plot_w = W - LEFT - 8.0;
    let plot_h = H - BOTTOM - TOP;
    let y = |v: f64| TOP + plot_h - v / f64::from(top_value) * plot_h;
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-t\">{title}</title><desc id=\"{id}-d\">{desc}</desc>",
        id = esc(c.id),
        title = esc(c.title),
        desc = esc(c.desc)
    );
    // Grid and y labels.
    let mut v = 0;
    while v <= top_value {
        let yy = y(f64::from(v));
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{x2}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/>\
             <text class=\"axis\" x=\"{lx}\" y=\"{ty:.1}\" text-anchor=\"end\">{v}</text>",
            x2 = W - 8.0,
            lx = LEFT - 6.0,
            ty = yy + 4.0
        );
        v += step;
    }
    let n = c.bars.len().max(1) as f64;
    let slot = plot_w / n;
    let bar_w = (slot * 0.78).max(1.0);
    // Label every k-th bar so labels do not overlap (about 7 px per character at this size).
    let longest = c
        .bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let every = ((longest * 7.0 + 6.0) / slot).ceil().max(1.0) as usize;
    for (i, bar) in c.bars.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
        let mut base = 0.0;
        let _ = write!(
            out,
            "<g><title>{}: {}</title>",
            esc(&bar.label),
            bar.parts
                .iter()
                .map(|(class, v)| format!("{} {v}", class.trim_start_matches("c-")))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for (class, value) in &bar.parts {
            if *value == 0 {
                continue;
            }
            let top = base + f64::from(*value);
            let _ = write!(
                out,
                "<rect class=\"{class}\" x=\"{x:.1}\" width=\"{bar_w:.1}\" y=\"{y1:.1}\" height=\"{h:.1}\"/>",
                y1 = y(top),
                h = y(base) - y(top)
            );
            base = top;
        }
        out.push_str("</g>");
        if i % every == 0 && !bar.label.is_empty() {
            let _ = write!(
                out,
                "<text class=\"axis\" x=\"{cx:.1}\" y=\"{ly}\" text-anchor=\"middle\">{}</text>",
                esc(&bar.label),
                cx = if c.edge_labels {
                    LEFT + slot * i as f64
                } else {
                    x + bar_w / 2.0
                },
                ly = H - BOTTOM + 16.0
            );
        }
    }
    if let Some((at, label)) = &c.marker {
        let x = LEFT + slot * at;
        let _ = write!(
            out,
            "<line class=\"marker\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{TOP}\" y2=\"{yb:.1}\"/>\
             <text class=\"axis marker-label\" x=\"{tx:.1}\" y=\"{ty}\" text-anchor=\"end\">{}</text>",
            esc(label),
            yb = H - BOTTOM,
            tx = x - 4.0,
            ty = TOP + 10.0
        );
    }
    let _ = write!(
        out,
        "<line class=\"axis-line\" x1=\"{LEFT}\" x2=\"{x2}\" y1=\"{yb}\" y2=\"{yb}\"/></svg>",
        x2 = W - 8.0,
        yb = H - BOTTOM
    );
    out
}

/// A small horizontal bar for a share (0.0 to 1.0), with the share as its accessible name.
pub fn share_bar(share: f64, class: &str, label: &str) -> String {
    let w = (share.clamp(0.0, 1.0) * 100.0).round();
    format!(
        "<svg class=\"share\" viewBox=\"0 0 100 10\" role=\"img\" aria-label=\"{}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><rect class=\"track\" width=\"100\" height=\"10\"/>\
         <rect class=\"{class}\" width=\"{w}\" height=\"10\"/></svg>",
        esc(label)
    )
}

#[cfg(test)]
mod tests {
    use super::{Bar, Chart, stacked_bars, step};

    #[test]
    fn axis_steps_are_round_and_few() {
        assert_eq!(step(1), 1);
        assert_eq!(step(5), 1);
        assert_eq!(step(6), 2);
        assert_eq!(step(23), 5);
        assert_eq!(step(480), 100);
        assert_eq!(step(20_000), 5_000);
    }

    #[test]
    fn bars_are_as_tall_as_their_values_and_labels_escaped() {
        let bars = [
            Bar {
                label: "2026-01".into(),
                parts: vec![("c-success", 2), ("c-failed", 2)],
            },
            Bar {
                label: "<x>".into(),
                parts: vec![("c-success", 0)],
            },
        ];
        let svg = stacked_bars(&Chart {
            id: "c",
            title: "T & U",
            desc: "d",
            bars: &bars,
            marker: None,
            edge_labels: false,
        });
        assert!(svg.contains("<title id=\"c-t\">T &amp; U</title>"), "{svg}");
        assert!(svg.contains("&lt;x&gt;"), "{svg}");
        // Two segments of 2 on an axis up to 4: each half of the plot (210 high).
        assert_eq!(svg.matches("height=\"105.0\"").count(), 2, "{svg}");
        assert!(!svg.contains("<x>"));
    }
}
