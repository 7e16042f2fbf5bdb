//! The manifest writer: the edits `shirube prove` (and `prove --from`, `import --legacy-proof`) make to the
//! proof manifest. The reader is [`crate::proof::parse`]; the gate that judges pages by it is
//! [`crate::proof::gate`]; the command is `cmd/prove.rs`.
//!
//! The manifest is the authors' file: comments, blank lines and the order of their entries must survive. So this
//! module edits it as text, line by line, guided by the positions the YAML parser reported, and re-parses the
//! result before anything is written. It never reformats what it does not touch.

use crate::proof::{Engagement, Use};
use crate::yaml;

/// The engagement fields a new entry gets.
#[derive(Debug, Clone)]
pub struct NewEngagement {
    /// Unique id.
    pub id: String,
    /// Private.
    pub customer: Option<String>,
    /// Private.
    pub csm: Option<String>,
    /// Tier id.
    pub tier: String,
    /// YYYY-MM-DD.
    pub date: String,
    /// success | partial | failed.
    pub outcome: String,
    /// Private.
    pub note: Option<String>,
}

/// Adds `(path, hash)` uses to `existing` (an engagement parsed from `text`), or updates the hash of a use that
/// is already there. Returns the new text, or why it cannot be edited safely.
pub fn add_uses(
    text: &str,
    existing: &Engagement,
    uses: &[(String, String)],
) -> Result<String, String> {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // `- {id: X, tier: low, used: [...]}`: one line holds the whole engagement, and no line can be added to it.
    let first = lines
        .get(existing.line.saturating_sub(1))
        .ok_or("the manifest changed while reading it")?;
    let mut rest = first.trim_start();
    for prefix in ["engagements:", "[", "- "] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest).trim_start();
    }
    if rest.starts_with('{') {
        return Err(format!(
            "engagement {} is written in flow style ({{id: ..., used: [...]}}), which prove cannot edit; write it one key a line (`- id: {}`, then `tier:`, `date:` and `used:` below it)",
            existing.id, existing.id
        ));
    }
    // Work from the bottom up so that earlier line numbers stay valid.
    let mut updates: Vec<(&Use, &str)> = Vec::new();
    let mut appends: Vec<(&str, &str)> = Vec::new();
    for (path, hash) in uses {
        match existing.used.iter().find(|u| u.path == *path) {
            Some(u) => updates.push((u, hash)),
            None => appends.push((path, hash)),
        }
    }
    if !appends.is_empty() {
        let entry_lines = appends
            .iter()
            .flat_map(|(p, h)| {
                [
                    format!("- path: {}", yaml::scalar(p)),
                    format!("  hash: {h}"),
                ]
            })
            .collect::<Vec<_>>();
        match existing.used.iter().max_by_key(|u| u.line) {
            Some(last) => {
                let idx = last.line - 1;
                let line = lines
                    .get(idx)
                    .ok_or("the manifest changed while reading it")?;
                let dash = dash_column(line).ok_or_else(|| flow_style(&existing.id))?;
                let end = block_end(&lines, idx, dash);
                let pad = " ".repeat(dash);
                for (k, l) in entry_lines.iter().enumerate() {
                    lines.insert(end + k, format!("{pad}{l}"));
                }
            }
            None => {
                // No uses yet: find `used:` in the engagement's block, or add it at the end of the block.
                let start = existing.line - 1;
                let item_dash =
                    engagement_dash(&lines, start).ok_or("cannot find the engagement's entry")?;
                let end = block_end(&lines, start, item_dash);
                let key_pad = " ".repeat(item_dash + 2);
                // The engagement's own `used:` key, at its key column (or after its dash), not a line of a
                // block scalar (a `note: |` may well say "used: the portal").
                let used_at = (start..end).find(|&i| {
                    let l = &lines[i];
                    l.strip_prefix(key_pad.as_str())
                        .is_some_and(|r| r.starts_with("used:"))
                        || l.get(item_dash..).is_some_and(|r| r.starts_with("- used:"))
                });
                let insert_at = match used_at {
                    Some(i) => {
                        lines[i] = format!("{key_pad}used:");
                        i + 1
                    }
                    None => {
                        lines.insert(end, format!("{key_pad}used:"));
                        end + 1
                    }
                };
                for (k, l) in entry_lines.iter().enumerate() {
                    lines.insert(insert_at + k, format!("{key_pad}  {l}"));
                }
            }
        }
    }
    updates.sort_by_key(|(u, _)| std::cmp::Reverse(u.line));
    for (u, hash) in updates {
        let idx = u.line - 1;
        let line = lines
            .get(idx)
            .ok_or("the manifest changed while reading it")?
            .clone();
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with("- path:") || trimmed.starts_with("path:") {
            let key_col = if trimmed.starts_with('-') {
                indent + 2
            } else {
                indent
            };
            let dash = if trimmed.starts_with('-') {
                indent
            } else {
                indent.saturating_sub(2)
            };
            let end = block_end(&lines, idx, dash);
            let hash_line = (idx..end).find(|&i| {
                lines[i]
                    .trim_start()
                    .trim_start_matches("- ")
                    .starts_with("hash:")
            });
            let new = format!("{}hash: {hash}", " ".repeat(key_col));
            match hash_line {
                // The author's comment on the line stays.
                Some(i) => lines[i] = format!("{new}{}", comment_of(&lines[i])),
                None => lines.insert(idx + 1, new),
            }
        } else if let Some(rest) = trimmed.strip_prefix("- ") {
            // A bare path: `- playbooks/x.md` becomes `- path: ...` with its hash.
            let comment = comment_of(rest);
            lines[idx] = format!(
                "{}- path: {}{comment}",
                " ".repeat(indent),
                yaml::scalar(&u.path)
            );
            lines.insert(idx + 1, format!("{}hash: {hash}", " ".repeat(indent + 2)));
        } else {
            return Err(flow_style(&existing.id));
        }
    }
    Ok(join(lines, text))
}

/// Sets the scalar `key` (`tier`, `date`, `outcome`, `customer`, `csm`, `note`) of `existing` (an engagement
/// parsed from `text`) to `value`, or removes the key when `value` is `None`. A comment after the old value stays;
/// a multi-line old value (`note: |` and its lines) is replaced whole. A key the engagement lacks is added before
/// its `used:` list.
pub fn set_field(
    text: &str,
    existing: &Engagement,
    key: &str,
    value: Option<&str>,
) -> Result<String, String> {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let start = existing.line.saturating_sub(1);
    if lines
        .get(start)
        .is_some_and(|l| l.trim_start().trim_start_matches("- ").starts_with('{'))
    {
        return Err(format!(
            "engagement {} is written in flow style ({{id: ..., used: [...]}}), which prove cannot edit; write it one key a line",
            existing.id
        ));
    }
    let dash = engagement_dash(&lines, start).ok_or("cannot find the engagement's entry")?;
    let end = block_end(&lines, start, dash);
    let key_col = dash + 2;
    let pad = " ".repeat(key_col);
    let own = format!("{key}:");
    // The line holding the key, and what comes before the key on it (the item's `- ` on its first line).
    let item_start = (0..=start)
        .rev()
        .find(|&i| dash_column(&lines[i]) == Some(dash))
        .unwrap_or(start);
    let found = (item_start..end).find_map(|i| {
        let l = &lines[i];
        if i == item_start {
            let dashed = format!("- {own}");
            return l
                .get(dash..)
                .is_some_and(|r| r.starts_with(&dashed))
                .then(|| (i, format!("{}- ", " ".repeat(dash))));
        }
        l.strip_prefix(pad.as_str())
            .is_some_and(|r| r.starts_with(own.as_str()))
            .then(|| (i, pad.clone()))
    });
    match (found, value) {
        (Some((i, prefix)), value) => {
            let old = lines[i][prefix.len() + own.len()..].to_string();
            // A block scalar's lines, or a plain scalar folded over several lines, are indented deeper.
            let value_end = block_end(&lines, i, key_col);
            match value {
                Some(v) => {
                    let comment = if old.trim_start().starts_with(['|', '>']) {
                        ""
                    } else {
                        comment_after_value(&old)
                    };
                    lines[i] = format!("{prefix}{key}: {}{comment}", yaml::scalar(v));
                    lines.drain(i + 1..value_end);
                }
                None => {
                    if prefix.ends_with("- ") {
                        // The item's first key goes: the next key takes its dash.
                        lines.drain(i..value_end);
                        if let Some(next) = lines.get_mut(i)
                            && next.starts_with(pad.as_str())
                        {
                            next.replace_range(dash..dash + 1, "-");
                        }
                    } else {
                        lines.drain(i..value_end);
                    }
                }
            }
        }
        (None, Some(v)) => {
            let used_at = (start..end).find(|&i| {
                lines[i]
                    .strip_prefix(pad.as_str())
                    .is_some_and(|r| r.starts_with("used:"))
            });
            lines.insert(
                used_at.unwrap_or(end),
                format!("{pad}{key}: {}", yaml::scalar(v)),
            );
        }
        (None, None) => {}
    }
    Ok(join(lines, text))
}

/// Removes the uses of `paths` from `existing` (an engagement parsed from `text`), with their hashes and any
/// lines of their entries.
pub fn remove_uses(text: &str, existing: &Engagement, paths: &[String]) -> Result<String, String> {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut gone: Vec<&Use> = existing
        .used
        .iter()
        .filter(|u| paths.contains(&u.path))
        .collect();
    gone.sort_by_key(|u| std::cmp::Reverse(u.line));
    for u in gone {
        let idx = u.line - 1;
        let line = lines
            .get(idx)
            .ok_or("the manifest changed while reading it")?;
        let trimmed = line.trim_start();
        // `- path: x` or `- x`: the item starts on this line; `path:` under a `- hash:` line is not written by
        // prove and is left to the author.
        let Some(dash) = dash_column(line) else {
            return Err(flow_style(&existing.id));
        };
        if !trimmed.starts_with("- ") {
            return Err(flow_style(&existing.id));
        }
        let end = block_end(&lines, idx, dash);
        lines.drain(idx..end);
    }
    Ok(join(lines, text))
}

/// The ` # comment` after a scalar value (` "quoted # not a comment"  # comment`), or "".
fn comment_after_value(value: &str) -> &str {
    let t = value.trim_start();
    let close = match t.chars().next() {
        Some('"') => {
            let mut escaped = false;
            t.char_indices().skip(1).find_map(|(i, c)| {
                let end = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                end.then_some(i)
            })
        }
        Some('\'') => {
            // `''` is a quote inside the value.
            let b = t.as_bytes();
            let mut i = 1;
            loop {
                match (b.get(i), b.get(i + 1)) {
                    (Some(b'\''), Some(b'\'')) => i += 2,
                    (Some(b'\''), _) => break Some(i),
                    (Some(_), _) => i += 1,
                    (None, _) => break None,
                }
            }
        }
        _ => return comment_of(value),
    };
    match close {
        Some(i) => {
            let rest = &t[i + 1..];
            if rest.starts_with(char::is_whitespace) && rest.trim_start().starts_with('#') {
                rest
            } else {
                ""
            }
        }
        None => "",
    }
}

/// Appends a new engagement to the end of `text` (an existing manifest, or empty for a new file).
pub fn append_engagement(
    text: &str,
    e: &NewEngagement,
    uses: &[(String, String)],
) -> Result<String, String> {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let key = lines.iter().position(|l| l.starts_with("engagements:"));
    let dash = match key {
        None => {
            if lines
                .iter()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            {
                return Err("the manifest has no `engagements:` list at the top level".into());
            }
            lines.push("engagements:".into());
            2
        }
        Some(i) => {
            let rest = lines[i]["engagements:".len()..].trim();
            if rest == "[]" {
                lines[i] = "engagements:".into();
            } else if !rest.is_empty() && !rest.starts_with('#') {
                return Err("`engagements:` is written in flow style ([...]); write one `- id:` entry per line".into());
            }
            lines[i + 1..]
                .iter()
                .find_map(|l| dash_column(l))
                .unwrap_or(2)
        }
    };
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    // A blank line between engagements; none after a bare `engagements:`.
    if key.is_some_and(|k| lines[k + 1..].iter().any(|l| dash_column(l).is_some())) {
        lines.push(String::new());
    }
    let pad = " ".repeat(dash);
    let field = |k: &str, v: &str| format!("{pad}  {k}: {v}");
    lines.push(format!("{pad}- id: {}", yaml::scalar(&e.id)));
    if let Some(c) = &e.customer {
        lines.push(field("customer", &yaml::scalar(c)));
    }
    if let Some(c) = &e.csm {
        lines.push(field("csm", &yaml::scalar(c)));
    }
    lines.push(field("tier", &yaml::scalar(&e.tier)));
    lines.push(field("date", &e.date));
    lines.push(field("outcome", &e.outcome));
    lines.push(format!("{pad}  used:"));
    for (p, h) in uses {
        lines.push(format!("{pad}    - path: {}", yaml::scalar(p)));
        lines.push(format!("{pad}      hash: {h}"));
    }
    if let Some(n) = &e.note {
        lines.push(field("note", &yaml::scalar(n)));
    }
    Ok(join(lines, text))
}

/// The ` # comment` at the end of a line of plain scalars (hashes, paths: `quote` puts any `#` of a value in
/// quotes), or "".
fn comment_of(line: &str) -> &str {
    line.find(" #").map_or("", |i| &line[i..])
}

fn flow_style(id: &str) -> String {
    format!(
        "the `used:` list of engagement {id} is written in flow style ([...]); write one `- path:` entry per line"
    )
}

/// Column of the `-` of a block sequence item on this line.
fn dash_column(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    (trimmed.starts_with("- ") || trimmed == "-").then(|| line.len() - trimmed.len())
}

/// The `-` column of the engagement whose first key is on line `start` (the item may start on that line).
fn engagement_dash(lines: &[String], start: usize) -> Option<usize> {
    (0..=start).rev().find_map(|i| {
        let l = &lines[i];
        let t = l.trim_start();
        (t.starts_with("- ")).then(|| l.len() - t.len())
    })
}

/// The line index just after the block item starting at `start` whose `-` is at column `dash`: the first later
/// line that is not blank, not a comment, and not indented deeper than the dash. Trailing blank lines stay out.
fn block_end(lines: &[String], start: usize, dash: usize) -> usize {
    let mut end = start + 1;
    let mut last_content = start + 1;
    while end < lines.len() {
        let l = &lines[end];
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            end += 1;
            continue;
        }
        if l.len() - t.len() <= dash {
            break;
        }
        end += 1;
        last_content = end;
    }
    last_content
}

fn join(lines: Vec<String>, original: &str) -> String {
    let newline = if original.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut s = lines
        .into_iter()
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect::<Vec<_>>()
        .join(newline);
    s.push_str(newline);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proof::Outcome;

    fn engagement(line: usize, used: &[(&str, usize)]) -> Engagement {
        Engagement {
            id: "ENG-1".into(),
            customer: None,
            csm: None,
            tier: 0,
            date: 0,
            outcome: Outcome::Success,
            note: None,
            used: used
                .iter()
                .map(|(p, l)| Use {
                    path: p.to_string(),
                    hash: None,
                    line: *l,
                    col: 1,
                })
                .collect(),
            file: "manifest.yaml".into(),
            line,
        }
    }

    const MANIFEST: &str = "# Our proofs. Keep this comment.\nengagements:\n  - id: ENG-1   # first\n    tier: low\n    date: 2026-10-01\n    used:\n      - path: playbooks/a.md   # SSO\n      - playbooks/b.md\n    note: went well\n\n  # Second one, by hand.\n  - id: ENG-2\n    tier: mid\n    date: 2026-10-02\n    used: []\n";

    #[test]
    fn adds_and_updates_uses_keeping_comments() {
        let e = engagement(3, &[("playbooks/a.md", 7), ("playbooks/b.md", 8)]);
        let uses = vec![
            ("playbooks/a.md".to_string(), "0123456789abcdef".to_string()),
            ("playbooks/b.md".to_string(), "1111111111111111".to_string()),
            ("playbooks/c.md".to_string(), "2222222222222222".to_string()),
        ];
        let out = add_uses(MANIFEST, &e, &uses).unwrap();
        assert_eq!(
            out,
            "# Our proofs. Keep this comment.\nengagements:\n  - id: ENG-1   # first\n    tier: low\n    date: 2026-10-01\n    used:\n      - path: playbooks/a.md   # SSO\n        hash: 0123456789abcdef\n      - path: playbooks/b.md\n        hash: 1111111111111111\n      - path: playbooks/c.md\n        hash: 2222222222222222\n    note: went well\n\n  # Second one, by hand.\n  - id: ENG-2\n    tier: mid\n    date: 2026-10-02\n    used: []\n"
        );
        // Proving the same page again updates its hash instead of adding a second entry.
        let e2 = engagement(
            3,
            &[
                ("playbooks/a.md", 7),
                ("playbooks/b.md", 9),
                ("playbooks/c.md", 11),
            ],
        );
        let again = add_uses(
            &out,
            &e2,
            &[("playbooks/a.md".into(), "ffffffffffffffff".into())],
        )
        .unwrap();
        assert_eq!(again.matches("playbooks/a.md").count(), 1);
        assert!(again.contains("      - path: playbooks/a.md   # SSO\n        hash: ffffffffffffffff\n      - path: playbooks/b.md"));
    }

    #[test]
    fn fills_an_empty_used_list() {
        let e = engagement(12, &[]);
        let out = add_uses(
            MANIFEST,
            &e,
            &[("playbooks/a.md".into(), "0123456789abcdef".into())],
        )
        .unwrap();
        assert!(out.ends_with("  - id: ENG-2\n    tier: mid\n    date: 2026-10-02\n    used:\n      - path: playbooks/a.md\n        hash: 0123456789abcdef\n"), "{out}");
    }

    #[test]
    fn appends_a_new_engagement_at_the_end() {
        let e = NewEngagement {
            id: "ENG-3".into(),
            customer: Some("Acme: KK".into()),
            csm: None,
            tier: "low".into(),
            date: "2026-11-20".into(),
            outcome: "success".into(),
            note: None,
        };
        let out = append_engagement(
            MANIFEST,
            &e,
            &[("playbooks/a.md".into(), "0123456789abcdef".into())],
        )
        .unwrap();
        assert!(out.starts_with(MANIFEST), "existing text is kept as is");
        assert_eq!(
            &out[MANIFEST.len()..],
            "\n  - id: ENG-3\n    customer: \"Acme: KK\"\n    tier: low\n    date: 2026-11-20\n    outcome: success\n    used:\n      - path: playbooks/a.md\n        hash: 0123456789abcdef\n"
        );
        let fresh = append_engagement("", &e, &[]).unwrap();
        assert!(
            fresh.starts_with("engagements:\n  - id: ENG-3\n"),
            "{fresh}"
        );
    }

    #[test]
    fn refuses_flow_style() {
        let text = "engagements:\n  - id: ENG-1\n    tier: low\n    date: 2026-10-01\n    used: [playbooks/a.md]\n";
        let e = engagement(2, &[("playbooks/a.md", 5)]);
        let err = add_uses(
            text,
            &e,
            &[("playbooks/b.md".into(), "0123456789abcdef".into())],
        )
        .unwrap_err();
        assert!(err.contains("flow style"), "{err}");
        // The whole engagement in flow style.
        let text =
            "engagements:\n  - {id: ENG-1, tier: low, date: 2026-10-01, used: [playbooks/a.md]}\n";
        let e = engagement(2, &[("playbooks/a.md", 2)]);
        let err = add_uses(
            text,
            &e,
            &[("playbooks/b.md".into(), "0123456789abcdef".into())],
        )
        .unwrap_err();
        assert_eq!(
            err,
            "engagement ENG-1 is written in flow style ({id: ..., used: [...]}), which prove cannot edit; write it one key a line (`- id: ENG-1`, then `tier:`, `date:` and `used:` below it)"
        );
    }
}
