//! Diagnostic codes (`error[unknown-phase]`): every diagnostic has one, in human, JSON and GitHub output; the
//! codes are the ones `shirube::diagnostics::ALL_CODES` lists (a snapshot, so a renamed code shows in review);
//! no construction in the source goes without one; and `docs/diagnostics.md` explains each, no more, no fewer.

use crate::common::{TestSite, repo_root};
use shirube::diagnostics::ALL_CODES;
use std::collections::BTreeSet;

/// Sites with many kinds of mistakes between them: front matter, YAML syntax, links, config, manifest, theme.
fn bad_sites() -> Vec<TestSite> {
    let pages = TestSite::empty();
    pages.write("shirube.yaml", "title: Mistakes\n");
    pages.write(
        "manifest.yaml",
        "engagements:\n  - id: E1\n    tier: lwo\n    date: 2026-13-01\n    outcome: great\n    used:\n      - playbooks/onboarding/nowhere.md\n      - path: playbooks/onboarding/a.md\n        hash: xyz\n  - id: E1\n    tier: low\n    date: 2026-10-01\n    used: [playbooks/onboarding/a.md, playbooks/onboarding/a.md]\n",
    );
    for (path, text) in [
        (
            "playbooks/onboarding/a.md",
            "---\ntitle: A\nphase: onbording\nkind: recipe\n---\n# One {#go}\n# Two {#go}\n",
        ),
        ("playbooks/onboarding/b.md", "---\nphase: onboarding\n---\n"),
        (
            "playbooks/onboarding/c.md",
            "---\ntitle: C\nphase: onboarding\nrequires: [playbooks/nowhere.md, playbooks/onboarding/c.md]\n---\n",
        ),
        (
            "playbooks/onboarding/d.md",
            "---\ntitle: D\nphase: onboarding\n---\n[x](missing.md) [y](c.md#no-such-heading) [z](../../../up.md) ![i](nope.png) [s](javascript:alert(1))\n",
        ),
        (
            "playbooks/onboarding/e.md",
            "---\ntitle: E\nphase: onboarding\ntime: soon\ntier: [lwo]\nlastmod: 2024-01-01\nslug: \"\"\naliases: [\"no slash\"]\ndraft: maybe\nweight: ten\n---\n",
        ),
        (
            "playbooks/onboarding/f.md",
            "---\ntitle: \"F: broken\nphase: onboarding\n---\n",
        ),
        ("playbooks/onboarding/g.md", "+++\ntitle = \"G\"\n+++\n"),
        ("playbooks/onboarding/h.md", "---\ntitle: H\n"),
        (
            "playbooks/onboarding/i.md",
            "---\ntitle: \"\"\nphase: onboarding\ntime: 1001h\n---\n",
        ),
    ] {
        pages.write(path, text);
    }
    pages.write("playbooks/onboarding/latin1.md", "");
    std::fs::write(
        pages.path("playbooks/onboarding/latin1.md"),
        b"---\ntitle: caf\xe9\n---\n",
    )
    .unwrap();

    let config = TestSite::empty();
    config.write(
        "shirube.yaml",
        "title: \"\"\nbase_url: \"not a url\"\ntheme: nosuch\nphases: [{ id: Bad Id }, { id: onboarding }, { id: onboarding }]\ntiers: [{ id: all }]\nfeedback_url: nope\nproof:\n  min_proofs: 0\nsearch:\n  synonyms: [[MFA]]\n",
    );
    vec![pages, config]
}

/// `check` in all three formats: every diagnostic has a code from [`ALL_CODES`]. Returns the codes seen.
fn check_codes(site: &TestSite) -> BTreeSet<String> {
    let json = site.run(&["check", "--format", "json"]);
    json.expect_code(1);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("check's JSON");
    let diagnostics = report["diagnostics"]
        .as_array()
        .expect("a diagnostics list");
    assert!(!diagnostics.is_empty(), "{}", json.stdout);
    let mut seen = BTreeSet::new();
    for d in diagnostics {
        let code = d["code"].as_str().unwrap_or("");
        assert!(
            ALL_CODES.contains(&code),
            "a diagnostic without a known code: {d}"
        );
        seen.insert(code.to_string());
    }

    let human = site.run(&["check"]);
    human.expect_code(1);
    let headlines: Vec<&str> = human
        .stderr
        .lines()
        .filter(|l| {
            l.starts_with("error")
                || l.starts_with("warning")
                || l.contains(": error")
                || l.contains(": warning")
        })
        .collect();
    assert_eq!(headlines.len(), diagnostics.len(), "{}", human.stderr);
    for l in headlines {
        let code = l
            .split_once("error[")
            .or_else(|| l.split_once("warning["))
            .and_then(|(_, rest)| rest.split_once("]: "))
            .map(|(code, _)| code);
        assert!(
            code.is_some_and(|c| ALL_CODES.contains(&c)),
            "a headline without a code: {l}"
        );
    }

    let github = site.run(&["check", "--format", "github"]);
    github.expect_code(1);
    let lines: Vec<&str> = github.stdout.lines().collect();
    assert_eq!(lines.len(), diagnostics.len(), "{}", github.stdout);
    for l in lines {
        let code = l
            .split_once("title=shirube ")
            .and_then(|(_, rest)| rest.split_once("::"))
            .map(|(code, _)| code);
        assert!(
            code.is_some_and(|c| ALL_CODES.contains(&c)),
            "an annotation without a code: {l}"
        );
    }
    seen
}

#[test]
fn every_diagnostic_of_bad_sites_has_a_code_in_every_format() {
    let mut seen = BTreeSet::new();
    for site in bad_sites() {
        seen.extend(check_codes(&site));
    }
    // The fixtures do reach many kinds of problem (a check that they still say what they were made to say).
    for code in [
        "unknown-phase",
        "unknown-kind",
        "missing-key",
        "unknown-requires",
        "requires-cycle",
        "missing-page",
        "missing-anchor",
        "missing-image",
        "link-outside-site",
        "script-url",
        "duplicate-heading-id",
        "invalid-time",
        "time-too-long",
        "unknown-tier",
        "unknown-key",
        "empty-slug",
        "invalid-alias",
        "expected-boolean",
        "yaml-syntax",
        "toml-front-matter",
        "unclosed-front-matter",
        "not-utf8",
        "empty-title",
        "invalid-base-url",
        "invalid-id",
        "duplicate-id",
        "reserved-tier-id",
        "invalid-url",
        "synonym-group-too-small",
    ] {
        assert!(seen.contains(code), "no {code} among {seen:?}");
    }
}

/// The sorted list of codes. A code is part of shirube's interface (CI scripts match on it): renaming or
/// removing one shows here.
#[test]
fn the_codes_are_stable() {
    let mut sorted = ALL_CODES.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, ALL_CODES, "ALL_CODES is sorted and has no repeats");
    for code in ALL_CODES {
        assert!(
            !code.is_empty()
                && code.split('-').all(|w| !w.is_empty()
                    && w.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
            "{code:?} is not kebab-case"
        );
    }
    insta::assert_snapshot!("diagnostic_codes", ALL_CODES.join("\n"));
}

/// The non-test source of `src/`, file by file (what comes before a file's `#[cfg(test)]` module).
fn sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![repo_root().join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = match text.find("#[cfg(test)]\nmod tests") {
                    Some(i) => text[..i].to_string(),
                    None => text,
                };
                out.push((path.display().to_string(), code));
            }
        }
    }
    out.sort();
    out
}

/// The end of the parenthesized group that starts at `open` (a `(`), skipping string and char literals.
fn group_end(s: &[u8], open: usize) -> usize {
    let mut depth = 0;
    let mut i = open;
    while i < s.len() {
        match s[i] {
            b'"' => {
                i += 1;
                while i < s.len() && s[i] != b'"' {
                    if s[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'\'' if i + 2 < s.len() && (s[i + 2] == b'\'' || s[i + 1] == b'\\') => {
                i += if s[i + 1] == b'\\' { 3 } else { 2 };
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    panic!("unbalanced parentheses");
}

/// The method names called on the value of the call whose `(` is at `open`: `.code("x").at(...)` gives
/// `["code", "at"]`.
fn chain(s: &[u8], open: usize) -> Vec<String> {
    let mut names = Vec::new();
    let mut i = group_end(s, open) + 1;
    loop {
        while i < s.len() && s[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= s.len() || s[i] != b'.' {
            return names;
        }
        let start = i + 1;
        let mut end = start;
        while end < s.len() && (s[end].is_ascii_alphanumeric() || s[end] == b'_') {
            end += 1;
        }
        if end >= s.len() || s[end] != b'(' {
            return names;
        }
        names.push(String::from_utf8_lossy(&s[start..end]).into_owned());
        i = group_end(s, end) + 1;
    }
}

/// Every `Diagnostic::error(…)` and `Diagnostic::warning(…)` outside tests is followed by `.code(…)` in its
/// own chain of calls, so no diagnostic leaves without a code; every literal code is in [`ALL_CODES`].
#[test]
fn no_diagnostic_is_made_without_a_code() {
    let mut missing = Vec::new();
    let mut sites = 0;
    for (path, text) in sources() {
        let s = text.as_bytes();
        for ctor in ["Diagnostic::error(", "Diagnostic::warning("] {
            for (at, _) in text.match_indices(ctor) {
                // `fn error(` itself, and doc comments that name it, are not constructions.
                let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                if text[line_start..at].trim_start().starts_with("//") {
                    continue;
                }
                sites += 1;
                let open = at + ctor.len() - 1;
                if !chain(s, open).iter().any(|m| m == "code") {
                    let line = text[..at].matches('\n').count() + 1;
                    missing.push(format!("{path}:{line}"));
                }
            }
        }
        for (at, _) in text.match_indices(".code(\"") {
            let rest = &text[at + 7..];
            let code = &rest[..rest.find('"').unwrap()];
            assert!(
                ALL_CODES.contains(&code),
                "{path}: .code(\"{code}\") is not in ALL_CODES"
            );
        }
    }
    assert!(
        sites > 50,
        "only {sites} constructions found: is the scan broken?"
    );
    assert!(
        missing.is_empty(),
        "diagnostics made without `.code(…)`: {missing:#?}"
    );
}

/// Each code is a literal somewhere in the source besides `ALL_CODES` (no code is listed that nothing uses).
#[test]
fn every_listed_code_is_used() {
    let all: String = sources()
        .into_iter()
        .map(|(path, text)| {
            if path.ends_with("diagnostics.rs") {
                // Without the list itself.
                let start = text.find("pub const ALL_CODES").unwrap();
                let end = start + text[start..].find("];").unwrap();
                format!("{}{}", &text[..start], &text[end..])
            } else {
                text
            }
        })
        .collect();
    for code in ALL_CODES {
        assert!(
            all.contains(&format!("\"{code}\"")),
            "{code} is in ALL_CODES but no source uses it"
        );
    }
}

/// `docs/diagnostics.md` has one `## \`code\`` section per code, in the order of [`ALL_CODES`], each with an
/// example and a fix.
#[test]
fn the_diagnostics_page_explains_every_code() {
    let doc = std::fs::read_to_string(repo_root().join("docs/diagnostics.md")).unwrap();
    let headings: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("## `"))
        .filter_map(|l| l.strip_suffix('`'))
        .collect();
    assert_eq!(headings, ALL_CODES);
    for section in doc.split("\n## `").skip(1) {
        let code = &section[..section.find('`').unwrap()];
        assert!(
            section.contains(&format!("[{code}]: ")),
            "the section of {code} shows no message with its code"
        );
        assert!(
            section.contains("**Fix:**"),
            "the section of {code} says no fix"
        );
    }
}
