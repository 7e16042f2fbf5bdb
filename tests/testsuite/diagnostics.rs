//! Every diagnostic an author can meet, asserted word for word, caret included.
//!
//! Each test writes a small site into a temp folder, runs the real binary, and compares stderr with the exact
//! text an author would see. The site is written inline so the input and the expected message sit together.

use pretty_assertions::assert_eq;
use std::path::Path;
use std::process::Command;

// No proof gate: these pages have no manifest, and diagnostics of unpublished pages are only warnings.
const CONFIG: &str = "title: Test guide\nproof:\n  gate: []\n";

/// Writes `files` (path, contents) into a new temp site with a default config unless one is given.
fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    if !files.iter().any(|(p, _)| *p == "shirube.yaml") {
        std::fs::write(dir.path().join("shirube.yaml"), CONFIG).expect("write config");
    }
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
        std::fs::write(p, text).expect("write file");
    }
    dir
}

/// Runs shirube with `args` in `root`; returns exit code, stdout, stderr.
fn run(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shirube"))
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .expect("run shirube");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `shirube check` on a site made of `files`: exit code and stderr.
fn check(files: &[(&str, &str)]) -> (i32, String) {
    let dir = site(files);
    let (code, _, stderr) = run(dir.path(), &["check"]);
    (code, stderr)
}

#[test]
fn yaml_syntax_error_points_at_line_and_column() {
    let (code, err) = check(&[(
        "playbooks/onboarding/a.md",
        "---\ntitle: Connect SSO: Okta\nphase: onboarding\n---\nBody\n",
    )]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "playbooks/onboarding/a.md:2:19: error[yaml-syntax]: mapping values are not allowed in this context\n 2 | title: Connect SSO: Okta\n   |                   ^\n  help: put the value in quotes if it contains \": \" (title: \"SSO: Okta\"), and start each key at the beginning of its line\n\n1 error, 0 warnings\n"
    );
}

#[test]
fn unknown_phase_suggests_the_closest() {
    let (code, err) = check(&[(
        "playbooks/onboarding/a.md",
        "---\ntitle: Connect SSO\nphase: onbording\n---\nBody\n",
    )]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "playbooks/onboarding/a.md:3:8: error[unknown-phase]: unknown phase \"onbording\"\n 3 | phase: onbording\n   |        ^^^^^^^^^\n  help: did you mean \"onboarding\"?\n\n1 error, 0 warnings\n"
    );
}

#[test]
fn unknown_tier_in_a_list_points_at_the_item() {
    let (code, err) = check(&[(
        "playbooks/onboarding/a.md",
        "---\ntitle: Connect SSO\nphase: onboarding\ntier: [low, mdi]\n---\n",
    )]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "playbooks/onboarding/a.md:4:13: error[unknown-tier]: unknown tier \"mdi\"\n 4 | tier: [low, mdi]\n   |             ^^^\n  help: did you mean \"mid\"?\n\n1 error, 0 warnings\n"
    );
}

#[test]
fn missing_title() {
    let (code, err) = check(&[("content/about.md", "---\nsummary: About us\n---\nBody\n")]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "content/about.md:1:1: error[missing-key]: missing required key \"title\"\n 1 | ---\n   | ^^^\n  help: add a line `title: ...` to the front matter\n\n1 error, 0 warnings\n"
    );
}

#[test]
fn requires_pointing_at_nothing() {
    let (code, err) = check(&[
        (
            "playbooks/onboarding/invite-admins.md",
            "---\ntitle: Invite\nphase: onboarding\n---\n",
        ),
        (
            "playbooks/onboarding/sso.md",
            "---\ntitle: SSO\nphase: onboarding\nrequires:\n  - playbooks/onboarding/invite-admin.md\n---\n",
        ),
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "playbooks/onboarding/sso.md:5:5: error[unknown-requires]: requires \"playbooks/onboarding/invite-admin.md\", but there is no such page\n 5 |   - playbooks/onboarding/invite-admin.md\n   |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  help: did you mean \"playbooks/onboarding/invite-admins.md\"?\n\n1 error, 0 warnings\n"
    );
}

#[test]
fn broken_link_anchor_and_image() {
    // A missing heading id is a warning by default (`links: { missing_anchor: warn }`); the page and the
    // image are errors.
    let (code, err) = check(&[
        (
            "playbooks/onboarding/sso.md",
            "---\ntitle: SSO\nphase: onboarding\n---\n## Set up the IdP {#idp}\n",
        ),
        (
            "playbooks/adoption/roll-out.md",
            "---\ntitle: Roll out\nphase: adoption\n---\nFirst [connect SSO](../onboarding/ssso.md).\n\
             Then [the IdP part](../onboarding/sso.md#ipd).\n\n![Diagram](img/flow.png)\n",
        ),
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "playbooks/adoption/roll-out.md:5:21: error[missing-page]: broken link: \"../onboarding/ssso.md\" resolves to playbooks/onboarding/ssso.md, which is not a page or file\n 5 | First [connect SSO](../onboarding/ssso.md).\n   |                     ^^^^^^^^^^^^^^^^^^^^^\n  help: did you mean \"../onboarding/sso.md\"?\n\n\
         playbooks/adoption/roll-out.md:6:21: warning[missing-anchor]: broken link: playbooks/onboarding/sso.md has no heading with id \"ipd\"\n 6 | Then [the IdP part](../onboarding/sso.md#ipd).\n   |                     ^^^^^^^^^^^^^^^^^^^^^^^^\n  help: did you mean \"#idp\"?\n\n\
         playbooks/adoption/roll-out.md:8:12: error[missing-image]: image not found: \"img/flow.png\" (looked for playbooks/adoption/img/flow.png)\n 8 | ![Diagram](img/flow.png)\n   |            ^^^^^^^^^^^^\n  help: paths are relative to this file; check the folder and the file name\n\n\
         2 errors, 1 warning\n"
    );
}

#[test]
fn a_bad_percent_escape_in_a_link_is_a_broken_link_not_a_crash() {
    // `%a` followed by a two-byte character once made shirube panic (a slice inside the character).
    let (code, err) = check(&[(
        "playbooks/onboarding/sso.md",
        "---\ntitle: SSO\nphase: onboarding\n---\nSee [this](foo%aé.md).\n",
    )]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "playbooks/onboarding/sso.md:5:12: error[missing-page]: broken link: \"foo%aé.md\" resolves to playbooks/onboarding/foo%aé.md, which is not a page or file\n 5 | See [this](foo%aé.md).\n   |            ^^^^^^^^^\n  help: paths are relative to this file; check the folder and the file name\n\n\
         1 error, 0 warnings\n"
    );
}

#[test]
fn missing_image_in_raw_html() {
    let (code, err) = check(&[(
        "playbooks/onboarding/sso.md",
        "---\ntitle: SSO\nphase: onboarding\n---\nThe settings:\n\n<figure><img alt=\"IdP\" src=\"img/idp.png\"></figure>\n",
    )]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "playbooks/onboarding/sso.md:7:29: error[missing-image]: image not found: \"img/idp.png\" (looked for playbooks/onboarding/img/idp.png)\n 7 | <figure><img alt=\"IdP\" src=\"img/idp.png\"></figure>\n   |                             ^^^^^^^^^^^\n  help: paths are relative to this file; check the folder and the file name\n\n\
         1 error, 0 warnings\n"
    );
}

#[test]
fn duplicate_output_paths_name_both_files() {
    let (code, err) = check(&[
        ("content/pricing.md", "---\ntitle: Pricing\n---\n"),
        (
            "content/plans.md",
            "---\ntitle: Plans\nslug: pricing\n---\n",
        ),
        ("content/phases/onboarding.md", "---\ntitle: Clash\n---\n"),
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "content/phases/onboarding.md:1:1: error[output-clash]: output path /phases/onboarding/ is already the page of phase \"onboarding\"\n 1 | ---\n   | ^^^\n  help: set another `slug:` or rename the file\n\n\
         content/pricing.md:1:1: error[output-clash]: output path /pricing/ is also the output of content/plans.md\n 1 | ---\n   | ^^^\n  help: give one of them another `slug:` or rename one of the files\n\n\
         2 errors, 0 warnings\n"
    );
}

#[test]
fn content_from_hugo_loads_with_warnings_only() {
    let dir = site(&[(
        "content/migrated.md",
        "---\ntitle: Migrated\ndescription: >-\n  A folded\n  summary.\nlastmod: 2024-05-01\ntilte: typo\n---\n---\nBody after a thematic break.\n",
    )]);
    let (code, _, err) = run(dir.path(), &["build"]);
    assert_eq!(code, 0, "{err}");
    let expected = "content/migrated.md:6:1: warning[unknown-key]: unknown front matter key \"lastmod\"\n 6 | lastmod: 2024-05-01\n   | ^^^^^^^\n  help: shirube ignores this key; remove it if you do not need it\n\n\
                    content/migrated.md:7:1: warning[unknown-key]: unknown front matter key \"tilte\"\n 7 | tilte: typo\n   | ^^^^^\n  help: did you mean \"title\"?\n\n";
    assert!(err.starts_with(expected), "{err}");
    let html = std::fs::read_to_string(dir.path().join("public/migrated/index.html"))
        .expect("page written");
    assert!(
        html.contains("A folded summary."),
        "description is read as summary"
    );
    assert!(
        html.contains("<hr />"),
        "the thematic break stays in the body"
    );
}

#[test]
fn five_different_errors_are_all_reported_in_one_run() {
    let (code, err) = check(&[
        (
            "playbooks/onboarding/a.md",
            "---\ntitle: A\nphase: onbording\n---\n",
        ),
        ("playbooks/onboarding/b.md", "---\nphase: onboarding\n---\n"),
        (
            "playbooks/onboarding/c.md",
            "---\ntitle: C\nphase: onboarding\nrequires: [playbooks/nowhere.md]\n---\n",
        ),
        (
            "playbooks/onboarding/d.md",
            "---\ntitle: D\nphase: onboarding\n---\n[x](missing.md)\n",
        ),
        (
            "playbooks/onboarding/e.md",
            "---\ntitle: E\nphase: onboarding\ntime: soon\n---\n",
        ),
    ]);
    assert_eq!(code, 1);
    let headlines: Vec<&str> = err.lines().filter(|l| l.contains(": error[")).collect();
    assert_eq!(
        headlines,
        [
            "playbooks/onboarding/a.md:3:8: error[unknown-phase]: unknown phase \"onbording\"",
            "playbooks/onboarding/b.md:1:1: error[missing-key]: missing required key \"title\"",
            "playbooks/onboarding/c.md:4:12: error[unknown-requires]: requires \"playbooks/nowhere.md\", but there is no such page",
            "playbooks/onboarding/d.md:5:5: error[missing-page]: broken link: \"missing.md\" resolves to playbooks/onboarding/missing.md, which is not a page or file",
            "playbooks/onboarding/e.md:4:7: error[invalid-time]: cannot read time \"soon\"",
        ]
    );
    assert!(err.ends_with("\n5 errors, 0 warnings\n"), "{err}");
}

#[test]
fn config_errors_have_did_you_mean() {
    let (code, err) = check(&[(
        "shirube.yaml",
        "title: Guide\nlanguage: jp\nbase_ur: https://x.example/\n",
    )]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "shirube.yaml:2:11: error[unknown-value]: unknown value \"jp\"\n 2 | language: jp\n   |           ^^\n  help: did you mean \"ja\"?\n\n\
         shirube.yaml:3:1: error[unknown-key]: unknown key \"base_ur\"\n 3 | base_ur: https://x.example/\n   | ^^^^^^^\n  help: did you mean \"base_url\"?\n\n\
         2 errors, 0 warnings\n"
    );
}

#[test]
fn missing_config_says_how_to_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with(&format!(
            "shirube.yaml: error[no-site]: no shirube.yaml in {}\n",
            dir.path().display()
        )),
        "{err}"
    );
    assert!(err.contains(
        "help: run shirube in the folder of your site or a folder inside it, pass `--root DIR`, or create a site \
         with `shirube init`"
    ));
}

#[test]
fn kickoff_cycle_is_named() {
    let (code, err) = check(&[
        (
            "playbooks/onboarding/a.md",
            "---\ntitle: A\nphase: onboarding\nbefore_kickoff: true\nrequires: [playbooks/onboarding/b.md]\n---\n",
        ),
        (
            "playbooks/onboarding/b.md",
            "---\ntitle: B\nphase: onboarding\nbefore_kickoff: true\nrequires: [playbooks/onboarding/a.md]\n---\n",
        ),
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "playbooks/onboarding/a.md:5:12: error[requires-cycle]: before_kickoff playbooks require each other in a cycle: playbooks/onboarding/a.md → playbooks/onboarding/b.md → playbooks/onboarding/a.md\n 5 | requires: [playbooks/onboarding/b.md]\n   |            ^^^^^^^^^^^^^^^^^^^^^^^^^\n  help: remove one of these `requires` entries so the kickoff path has an order\n\n1 error, 0 warnings\n"
    );
    // Through a page that is not published (a draft here): still an error, since the preview and the
    // build after its proof could not order the kickoff path.
    let (code, err) = check(&[
        (
            "playbooks/onboarding/a.md",
            "---\ntitle: A\nphase: onboarding\nbefore_kickoff: true\nrequires: [b.md]\n---\n",
        ),
        (
            "playbooks/onboarding/b.md",
            "---\ntitle: B\nphase: onboarding\nbefore_kickoff: true\ndraft: true\nrequires: [c.md]\n---\n",
        ),
        (
            "playbooks/onboarding/c.md",
            "---\ntitle: C\nphase: onboarding\nbefore_kickoff: true\nrequires: [a.md]\n---\n",
        ),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with("playbooks/onboarding/a.md:5:12: error[requires-cycle]: before_kickoff playbooks require each other in a cycle: playbooks/onboarding/a.md → playbooks/onboarding/b.md → playbooks/onboarding/c.md → playbooks/onboarding/a.md\n"),
        "{err}"
    );
    assert!(err.ends_with("\n1 error, 1 warning\n"), "{err}");
}

#[test]
fn a_page_that_requires_itself_or_a_cycle_of_any_pages_is_an_error() {
    let (code, err) = check(&[
        (
            "playbooks/onboarding/a.md",
            "---\ntitle: A\nphase: onboarding\nrequires: [a.md]\n---\n",
        ),
        (
            "playbooks/onboarding/b.md",
            "---\ntitle: B\nphase: onboarding\nrequires: [c.md]\n---\n",
        ),
        (
            "playbooks/onboarding/c.md",
            "---\ntitle: C\nphase: onboarding\nbefore_kickoff: true\nrequires: [b.md]\n---\n",
        ),
        // A kickoff playbook that requires itself is named once, as requiring itself.
        (
            "playbooks/onboarding/d.md",
            "---\ntitle: D\nphase: onboarding\nbefore_kickoff: true\nrequires:\n  - playbooks/onboarding/d.md\n---\n",
        ),
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "playbooks/onboarding/a.md:4:12: error[requires-cycle]: playbooks/onboarding/a.md requires itself\n 4 | requires: [a.md]\n   |            ^^^^\n  help: remove this `requires` entry: a page cannot be its own prerequisite\n\n\
         playbooks/onboarding/b.md:4:12: error[requires-cycle]: pages require each other in a cycle: playbooks/onboarding/b.md → playbooks/onboarding/c.md → playbooks/onboarding/b.md\n 4 | requires: [c.md]\n   |            ^^^^\n  help: remove one of these `requires` entries: each page would ask the reader to complete the other first\n\n\
         playbooks/onboarding/d.md:6:5: error[requires-cycle]: playbooks/onboarding/d.md requires itself\n 6 |   - playbooks/onboarding/d.md\n   |     ^^^^^^^^^^^^^^^^^^^^^^^^^\n  help: remove this `requires` entry: a page cannot be its own prerequisite\n\n\
         3 errors, 0 warnings\n"
    );
}

#[test]
fn a_heading_id_written_twice_is_an_error() {
    let (code, err) = check(&[(
        "playbooks/onboarding/a.md",
        "---\ntitle: A\nphase: onboarding\n---\n## Set up {#dup}\n\nText.\n\n### Check it {#dup .note}\n",
    )]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "playbooks/onboarding/a.md:9:15: error[duplicate-heading-id]: heading id \"dup\" is used twice on this page (first on line 5)\n 9 | ### Check it {#dup .note}\n   |               ^^^^\n  help: give each heading its own `{#id}`: a link to this id would only ever reach the first\n\n\
         1 error, 0 warnings\n"
    );
}

#[test]
fn a_time_over_1000_hours_is_an_error() {
    let (code, err) = check(&[
        (
            "playbooks/onboarding/a.md",
            "---\ntitle: A\nphase: onboarding\ntime: 99999999999999999999h\n---\n",
        ),
        (
            "playbooks/onboarding/b.md",
            "---\ntitle: B\nphase: onboarding\ntime: 1000h 1m\n---\n",
        ),
        (
            "playbooks/onboarding/c.md",
            "---\ntitle: C\nphase: onboarding\ntime: 1000h\n---\n",
        ),
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "playbooks/onboarding/a.md:4:7: error[time-too-long]: time \"99999999999999999999h\" is more than 1000 h\n 4 | time: 99999999999999999999h\n   |       ^^^^^^^^^^^^^^^^^^^^^\n  help: give the effort of this one task, in minutes or hours, for example `20m` or `2h`\n\n\
         playbooks/onboarding/b.md:4:7: error[time-too-long]: time \"1000h 1m\" is more than 1000 h\n 4 | time: 1000h 1m\n   |       ^^^^^^^^\n  help: give the effort of this one task, in minutes or hours, for example `20m` or `2h`\n\n\
         2 errors, 0 warnings\n"
    );
}

#[test]
fn script_and_data_urls_in_markdown_are_left_out_with_a_warning() {
    let dir = site(&[(
        "content/a.md",
        "---\ntitle: A\n---\n[run](javascript:alert(1)) and ![shot *x*](data:image/png;base64,AA)\n\n\
         [old](VBScript:msgbox) [hidden](&#106;avascript:alert(2))\n\n<a href=\"javascript:void(0)\">raw</a>\n",
    )]);
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
    let help = |what: &str| {
        format!(
            "  help: shirube does not write `javascript:`, `vbscript:` or `data:` URLs from Markdown {what}s (the \
             text stays); put a file next to the page and link to it, or use raw HTML if you mean it\n\n"
        )
    };
    assert_eq!(
        err,
        format!(
            "content/a.md:4:7: warning[script-url]: link to a `javascript:` URL left out\n 4 | [run](javascript:alert(1)) and ![shot *x*](data:image/png;base64,AA)\n   |       ^^^^^^^^^^^^^^^^^^^\n{}\
             content/a.md:4:44: warning[script-url]: image to a `data:` URL left out\n 4 | [run](javascript:alert(1)) and ![shot *x*](data:image/png;base64,AA)\n   |                                            ^^^^^^^^^^^^^^^^^^^^^^^^\n{}\
             content/a.md:6:7: warning[script-url]: link to a `vbscript:` URL left out\n 6 | [old](VBScript:msgbox) [hidden](&#106;avascript:alert(2))\n   |       ^^^^^^^^^^^^^^^\n{}\
             content/a.md:6:24: warning[script-url]: link to a `javascript:` URL left out\n 6 | [old](VBScript:msgbox) [hidden](&#106;avascript:alert(2))\n   |                        ^^^^^^^^^^^^^^^^^^^\n{}\
             0 errors, 4 warnings\n",
            help("link"),
            help("image"),
            help("link"),
            help("link")
        )
    );
    let (code, _, err) = run(dir.path(), &["build"]);
    assert_eq!(code, 0, "{err}");
    let html =
        std::fs::read_to_string(dir.path().join("public/a/index.html")).expect("page written");
    assert!(
        html.contains("<p>run and shot <em>x</em></p>\n<p>old hidden</p>"),
        "{html}"
    );
    assert!(!html.contains("data:image"), "{html}");
    assert!(!html.to_lowercase().contains("vbscript"), "{html}");
    // Raw HTML is the author's own, as written.
    assert!(
        html.contains("<a href=\"javascript:void(0)\">raw</a>"),
        "{html}"
    );
}

#[test]
fn failed_build_writes_nothing_and_says_so() {
    let dir = site(&[("content/a.md", "---\ntitle: A\ndraft: yes\n---\n")]);
    let (code, _, err) = run(dir.path(), &["build"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "content/a.md:3:8: error[expected-boolean]: expected true or false\n 3 | draft: yes\n   |        ^^^\n  help: write `true` or `false` (yes/no/on/off are not booleans here)\n\nbuild failed: 1 error, 0 warnings; nothing was written\n"
    );
    assert!(!dir.path().join("public").exists());
}

#[test]
fn check_json_lists_the_same_diagnostics() {
    let dir = site(&[(
        "playbooks/onboarding/a.md",
        "---\ntitle: A\nphase: onbording\n---\n",
    )]);
    let (code, out, _) = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["errors"], 1);
    assert_eq!(v["warnings"], 0);
    let d = &v["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["path"], "playbooks/onboarding/a.md");
    assert_eq!(d["line"], 3);
    assert_eq!(d["col"], 8);
    assert_eq!(d["message"], "unknown phase \"onbording\"");
    assert_eq!(d["help"], "did you mean \"onboarding\"?");
}

#[test]
fn template_errors_point_at_the_template_line() {
    // A syntax error, found when the templates are compiled.
    let (code, err) = check(&[
        ("content/about.md", "---\ntitle: About\n---\nBody\n"),
        ("templates/page.html", "<main>\n{% if %}\n</main>\n"),
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "templates/page.html:2:7: error[template-error]: template error: Found `%}` but expected one of: integer, float, string, \
         bool, ident, `-`, `not`, `<`, `{`, `[` or `(`\n 2 | {% if %}\n   |       ^^\n\n1 error, 0 warnings\n"
    );
    // Every broken template, not only the first Tera meets.
    let (code, err) = check(&[
        ("templates/page.html", "<main>\n{% if %}\n</main>\n"),
        ("templates/tier.html", "<main>\n{{ }}\n</main>\n"),
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("templates/page.html:2:7: error[template-error]: template error: Found `%}`"),
        "{err}"
    );
    assert!(
        err.contains("templates/tier.html:2:4: error[template-error]: template error: Found `}}`"),
        "{err}"
    );
    assert!(err.ends_with("\n2 errors, 0 warnings\n"), "{err}");
    // An error while rendering a page: the template's line, and the page being rendered.
    let (code, err) = check(&[
        ("content/about.md", "---\ntitle: About\n---\nBody\n"),
        (
            "templates/page.html",
            "<main>\n<p>{{ 1 + \"x\" }}</p>\n</main>\n",
        ),
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "templates/page.html:2:7: error[template-error]: template error: `+` requires both operands to be numbers, found `i64` \
         and `string`\n 2 | <p>{{ 1 + \"x\" }}</p>\n   |       ^^^^^^^\n  help: while rendering about/index.html\n\n\
         1 error, 0 warnings\n"
    );
}

#[test]
fn names_too_long_for_the_file_system_are_errors_in_check() {
    let long = "a".repeat(201);
    let (code, err) = check(&[(
        "playbooks/onboarding/a.md",
        &format!("---\ntitle: A\nphase: onboarding\nslug: {long}\n---\nBody\n"),
    )]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        format!(
            "playbooks/onboarding/a.md:4:7: error[name-too-long]: slug is too long for a file name (201 bytes, at most 200)\n \
             4 | slug: {}…\n   |       {}\n  help: a slug is one part of the page's URL: a few words are \
             enough\n\n1 error, 0 warnings\n",
            // The excerpt shows 120 characters of a long line.
            "a".repeat(114),
            "^".repeat(114)
        )
    );
    // A file name that fits the file system, but not with the temporary names beside it.
    let name = format!("playbooks/onboarding/{}.md", "b".repeat(210));
    let (code, err) = check(&[(
        name.as_str(),
        "---\ntitle: B\nphase: onboarding\n---\nBody\n",
    )]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with(&format!(
            "{name}: error[name-too-long]: the URL part \"bbbbbbbbbbbbbbbbbbbb…\" is too long for a file name (210 bytes, at most 200)\n  \
             help: rename the file or its folder, or set a shorter `slug:`\n"
        )),
        "{err}"
    );
    let id = "p".repeat(65);
    let (code, err) = check(&[(
        "shirube.yaml",
        &format!("title: T\nproof:\n  gate: []\nphases:\n  - id: {id}\n    name: P\n"),
    )]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with(&format!(
            "shirube.yaml:5:9: error[id-too-long]: phase id is 65 characters long, at most 64\n 5 |   - id: {id}\n"
        )),
        "{err}"
    );
}

#[test]
fn bytes_and_names_that_are_not_utf8_and_symlinks_are_named() {
    use std::os::unix::ffi::OsStrExt;
    let dir = site(&[
        (
            "playbooks/onboarding/a.md",
            "---\ntitle: A\nphase: onboarding\n---\nBody\n",
        ),
        ("content/outside.md", "---\ntitle: Outside\n---\n"),
    ]);
    // Latin-1 "é" on line 6, after "Caf".
    std::fs::write(
        dir.path().join("playbooks/onboarding/b.md"),
        b"---\ntitle: B\nphase: onboarding\n---\nBody\nCaf\xe9\n",
    )
    .unwrap();
    let bad_name = std::ffi::OsStr::from_bytes(b"ab\xffout.md");
    std::fs::write(
        dir.path().join("content").join(bad_name),
        "---\ntitle: X\n---\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("content/outside.md"),
        dir.path().join("content/linked.md"),
    )
    .unwrap();
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "content/ab\u{fffd}out.md: error[invalid-file-name]: the file name is not valid UTF-8\n  help: rename the file: shirube \
         makes URLs from file names\n\n\
         content/linked.md: warning[symbolic-link]: is a symbolic link, which shirube does not follow\n  help: put the file (or \
         folder) itself here, or leave it out of the site's folders\n\n\
         playbooks/onboarding/b.md:6:4: error[not-utf8]: not valid UTF-8 (byte 43)\n  help: it looks like Windows-1252 \
         (Latin-1); save the file as UTF-8\n\n\
         2 errors, 1 warning\n"
    );
}

#[test]
fn a_file_that_cannot_be_read_is_one_error_not_one_per_link_to_it() {
    let a = "---\ntitle: A\nphase: onboarding\nrequires: [b.md, playbooks/onboarding/c.md]\n---\n\
             See [b](b.md), [c](c#step) and ![c](c.md).\n";
    let dir = site(&[
        ("playbooks/onboarding/a.md", a),
        // Front matter that is never closed.
        (
            "playbooks/onboarding/c.md",
            "---\ntitle: C\nphase: onboarding\n## Step {#step}\n",
        ),
    ]);
    // Latin-1 "é" on line 5.
    std::fs::write(
        dir.path().join("playbooks/onboarding/b.md"),
        b"---\ntitle: B\nphase: onboarding\n---\nCaf\xe9\n",
    )
    .expect("write b.md");
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "playbooks/onboarding/b.md:5:4: error[not-utf8]: not valid UTF-8 (byte 38)\n  help: it looks like Windows-1252 \
         (Latin-1); save the file as UTF-8\n\n\
         playbooks/onboarding/c.md:1:1: error[unclosed-front-matter]: front matter is not closed\n 1 | ---\n   | ^^^\n  help: add a line \
         with `---` after the last front matter line\n\n\
         2 errors, 0 warnings\n"
    );
}

#[test]
fn a_config_that_is_not_utf8_is_one_error_that_names_the_encoding() {
    let dir = site(&[]);
    // 導入 (introduction) in Shift_JIS, as Windows editors in Japan save it.
    std::fs::write(
        dir.path().join("shirube.yaml"),
        b"title: Guide\nlanguage: ja\nphases:\n  - id: onboarding\n    name: \x93\xb1\x93\xfc\n",
    )
    .expect("write config");
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "shirube.yaml:5:11: error[not-utf8]: not valid UTF-8 (byte 63)\n  help: it looks like Shift_JIS; save the file as \
         UTF-8\n\n1 error, 0 warnings\n"
    );
}

#[test]
fn control_characters_in_file_names_and_lines_are_escaped() {
    // A name that would clear the screen, one with a line break, and a line with colour codes.
    let (code, err) = check(&[
        ("content/a\x1b[2Jb.md", "---\nsummary: x\n---\n"),
        (
            "content/c\nd.md",
            "---\ntitle: L\n---\n\x1b[31mSee\x1b[0m [x](nope\u{202e}.md)\n",
        ),
    ]);
    assert_eq!(code, 1);
    // The caret stands under the link, after the escapes as shown.
    let caret = format!("   | {}{}", " ".repeat(27), "^".repeat(15));
    assert_eq!(
        err,
        format!(
            "content/a\\u{{1b}}[2Jb.md:1:1: error[missing-key]: missing required key \"title\"\n 1 | ---\n   | ^^^\n  help: add \
             a line `title: ...` to the front matter\n\n\
             content/c\\nd.md:4:18: error[missing-page]: broken link: \"nope\\u{{202e}}.md\" resolves to content/nope\\u{{202e}}.md, \
             which is not a page or file\n 4 | \\u{{1b}}[31mSee\\u{{1b}}[0m [x](nope\\u{{202e}}.md)\n{caret}\n  help: \
             paths are relative to this file; check the folder and the file name\n\n\
             2 errors, 0 warnings\n"
        )
    );
}

#[test]
fn links_find_names_written_with_composed_or_decomposed_accents() {
    // The files are named as macOS names them (NFD: "e" then a combining accent); the links and the
    // `requires` are typed as keyboards type them (NFC: "é"), and the other way round.
    let (nfc, nfd) = ("caf\u{e9}", "cafe\u{301}");
    let a = format!(
        "---\ntitle: A\nphase: onboarding\nrequires: [{nfc}.md]\n---\n\
         [menu]({nfc}.md#menu) [menu]({nfc}) ![photo](img/{nfc}.png) [back](../adoption/{nfd}-2.md)\n"
    );
    let dir = site(&[
        ("playbooks/onboarding/a.md", a.as_str()),
        (
            &format!("playbooks/onboarding/{nfd}.md"),
            "---\ntitle: Café\nphase: onboarding\n---\n## Menu {#menu}\n",
        ),
        (&format!("playbooks/onboarding/img/{nfd}.png"), "png"),
        (
            &format!("playbooks/adoption/{nfc}-2.md"),
            "---\ntitle: Café 2\nphase: adoption\n---\n",
        ),
    ]);
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!((code, err.as_str()), (0, "0 errors, 0 warnings\n"));
    let (code, _, err) = run(dir.path(), &["build"]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(dir.path().join("public/playbooks/onboarding/a/index.html"))
        .expect("page written");
    // Page URLs are NFC, whatever the file's name.
    assert!(
        html.contains("href=\"/playbooks/onboarding/caf%C3%A9/#menu\""),
        "{html}"
    );
}

#[test]
fn an_alias_bomb_in_front_matter_is_named_in_words() {
    let mut fm = "---\ntitle: A\nb0: &b0 [x, x, x, x, x, x, x, x, x, x]\n".to_string();
    for i in 1..7 {
        let refs = vec![format!("*b{}", i - 1); 10].join(", ");
        fm.push_str(&format!("b{i}: &b{i} [{refs}]\n"));
    }
    fm.push_str("---\nBody\n");
    let (code, err) = check(&[("content/a.md", fm.as_str())]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "content/a.md:8:15: error[yaml-too-large]: YAML too large to read: it grows to more than 250,000 values here\n \
         8 | b5: &b5 [*b4, *b4, *b4, *b4, *b4, *b4, *b4, *b4, *b4, *b4]\n   |               ^\n  help: an alias \
         (`*name`) repeats the whole value its anchor (`&name`) names, and aliases of values that hold aliases \
         multiply: write the values out, or use fewer aliases\n\n1 error, 0 warnings\n"
    );
}

#[test]
fn tables_with_too_many_cells_are_an_error_not_gigabytes() {
    // 200 columns over 300 one-letter lines: 3 KB of Markdown, 60,200 cells once the short rows are filled
    // with empty cells as GitHub does. Twenty such tables once took 3 GB.
    let header = format!(
        "|{}|\n|{}|\n",
        vec!["h"; 200].join("|"),
        vec!["-"; 200].join("|")
    );
    let body = format!(
        "---\ntitle: A\n---\nIntro.\n\n{header}{}",
        "a\n".repeat(300)
    );
    let (code, err) = check(&[("content/a.md", body.as_str())]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with(
            "content/a.md:7:1: error[table-too-large]: tables too large: 60200 cells up to this table (rows × header columns), at \
             most 50000 on a page\n 7 | |-|-|-|"
        ),
        "{err}"
    );
    assert!(
        err.ends_with(
            "  help: split the table over several pages, or put the data in a CSV file next to the page and link \
             to it; rows shorter than the header count in full (they are filled with empty cells)\n\n1 error, 0 \
             warnings\n"
        ),
        "{err}"
    );
    // Under the limit: a table of 10 columns and 4,900 rows is fine.
    let row = format!("|{}|\n", ["a"; 10].join("|"));
    let body = format!(
        "---\ntitle: B\n---\n|{}|\n|{}|\n{}",
        ["h"; 10].join("|"),
        ["-"; 10].join("|"),
        row.repeat(4_900)
    );
    let (code, err) = check(&[("content/b.md", body.as_str())]);
    assert_eq!((code, err.as_str()), (0, "0 errors, 0 warnings\n"));
}

#[test]
fn every_bad_front_matter_value_is_reported_in_one_run() {
    let (code, err) = check(&[(
        "playbooks/onboarding/a.md",
        "---\ntitle: [A]\nphase: onboarding\nweight: ten\nbefore_kickoff: yes # soon\ntime: 1h30\nhugo_key: 1\n---\nBody\n",
    )]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "playbooks/onboarding/a.md:2:8: error[invalid-value]: expected string scalar\n 2 | title: [A]\n   |        ^\n\n\
         playbooks/onboarding/a.md:4:9: error[expected-number]: expected a whole number\n 4 | weight: ten\n   |         ^^^\n  help: write a number such as 10\n\n\
         playbooks/onboarding/a.md:5:17: error[expected-boolean]: expected true or false\n 5 | before_kickoff: yes # soon\n   |                 ^^^\n  help: write `true` or `false` (yes/no/on/off are not booleans here)\n\n\
         playbooks/onboarding/a.md:6:7: error[invalid-time]: cannot read time \"1h30\"\n 6 | time: 1h30\n   |       ^^^^\n  help: write the effort as minutes or hours, for example `20m`, `1h` or `1h 30m`\n\n\
         playbooks/onboarding/a.md:7:1: warning[unknown-key]: unknown front matter key \"hugo_key\"\n 7 | hugo_key: 1\n   | ^^^^^^^^\n  help: shirube ignores this key; remove it if you do not need it\n\n\
         4 errors, 1 warning\n"
    );
}

#[test]
fn an_empty_title_and_min_proofs_0_are_config_errors() {
    let (code, err) = check(&[("shirube.yaml", "title: \"\"\nproof:\n  min_proofs: 0\n")]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "shirube.yaml:1:8: error[empty-title]: title is empty\n 1 | title: \"\"\n   |        ^\n  help: write the guide's name, for example `title: Kumo HR Guide`; every page shows it\n\n\
         shirube.yaml:3:15: error[invalid-min-proofs]: min_proofs is 0\n 3 |   min_proofs: 0\n   |               ^\n  help: a gated page needs at least 1 successful engagement; to publish a kind without proof, leave it out of `gate:` (`gate: []` gates nothing)\n\n\
         2 errors, 0 warnings\n"
    );
}

#[test]
fn site_absolute_links_to_theme_files_are_known() {
    // The default theme's style.css and scripts are published at the root; a file nobody has is an error.
    let (code, err) = check(&[(
        "content/about.md",
        "---\ntitle: About\n---\n[css](/style.css) [js](/guide.js) [m](/manifest.json) [x](/nope.css)\n",
    )]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with(
            "content/about.md:4:59: error[missing-page]: broken link: nothing is published at \"/nope.css\"\n"
        ),
        "{err}"
    );
    assert!(err.ends_with("\n1 error, 0 warnings\n"), "{err}");
}

#[test]
fn check_format_github_annotates_each_diagnostic_on_its_line() {
    let dir = site(&[
        (
            "playbooks/onboarding/sso.md",
            "---\ntitle: SSO\nphase: onboarding\n---\n## Set up the IdP {#idp}\n",
        ),
        (
            "playbooks/adoption/roll-out.md",
            "---\ntitle: Roll out\nphase: adoption\n---\nFirst [connect SSO](../onboarding/ssso.md).\n\
             Then [the IdP part](../onboarding/sso.md#ipd).\n",
        ),
        (
            "playbooks/onboarding/a.md",
            "---\ntitle: Connect SSO\nphase: onbording\n---\nBody\n",
        ),
        // `%` and `,` in a path are escaped, or GitHub would cut the file name there.
        (
            "content/100%,done.md",
            "---\nsummary: About us\n---\nBody\n",
        ),
    ]);
    // Run from the folder above the site, as CI does from a repository whose guide is in a subfolder.
    let name = dir.path().file_name().unwrap().to_str().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shirube"))
        .args(["check", "--format", "github", "--root", name])
        .current_dir(dir.path().parent().unwrap())
        .output()
        .expect("run shirube");
    assert_eq!(out.status.code(), Some(1));
    let p = |path: &str| format!("{name}/{path}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "::error file={},line=1,col=1,title=shirube missing-key::missing required key \"title\"%0Ahelp: add a line `title: ...` to the front matter\n\
             ::error file={},line=5,col=21,title=shirube missing-page::broken link: \"../onboarding/ssso.md\" resolves to playbooks/onboarding/ssso.md, which is not a page or file%0Ahelp: did you mean \"../onboarding/sso.md\"?\n\
             ::warning file={},line=6,col=21,title=shirube missing-anchor::broken link: playbooks/onboarding/sso.md has no heading with id \"ipd\"%0Ahelp: did you mean \"#idp\"?\n\
             ::error file={},line=3,col=8,title=shirube unknown-phase::unknown phase \"onbording\"%0Ahelp: did you mean \"onboarding\"?\n",
            p("content/100%25%2Cdone.md"),
            p("playbooks/adoption/roll-out.md"),
            p("playbooks/adoption/roll-out.md"),
            p("playbooks/onboarding/a.md"),
        )
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "3 errors, 1 warning\n"
    );
}
