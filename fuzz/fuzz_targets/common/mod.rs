//! Checks every fuzz target makes of the diagnostics it gets back.

use shirube::diagnostics::Diagnostic;

/// Each diagnostic points into `file` (the whole file the input became): a line of it, or the line after the
/// last (an error at the end of the file), and a column at most one past the end of that line, counted in
/// characters as `str::lines` gives the line. Line 0 is "no position". Rendering it for the terminal does not
/// panic either.
pub fn check_positions(file: &str, diags: &[Diagnostic]) {
    let lines: Vec<&str> = file.lines().collect();
    for d in diags {
        let _ = d.render();
        if d.line == 0 {
            continue;
        }
        assert!(
            d.line <= lines.len() + 1,
            "line {} of a file of {} lines: {d:?}",
            d.line,
            lines.len()
        );
        let width = lines.get(d.line - 1).map_or(0, |l| l.chars().count());
        assert!(
            d.col <= width + 1,
            "column {} of line {} ({width} characters): {d:?}",
            d.col,
            d.line
        );
    }
}
