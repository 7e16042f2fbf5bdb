//! The command line: help texts, `init`, `new`, `check`, the commands that are not there yet, and usage errors.

use crate::common::{TestSite, run_in};
use pretty_assertions::assert_eq;
use std::path::Path;

#[test]
fn help_explains_each_command() {
    let tmp = tempfile::tempdir().unwrap();
    let run = run_in(tmp.path(), &["--help"], &[]);
    run.expect_ok();
    assert!(
        run.stdout
            .contains("builds a self-serve onboarding guide from Markdown playbooks and FAQs"),
        "{}",
        run.stdout
    );
    for cmd in ["init", "build", "check", "new", "serve", "prove", "status"] {
        assert!(
            run.stdout.contains(&format!("\n  {cmd} ")),
            "`{cmd}` missing from --help:\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("--root <DIR>"));

    let purposes = [
        ("init", "Create a new guide with a working sample"),
        ("build", "Build the guide into a folder ready to upload"),
        (
            "check",
            "Report every error and warning without writing anything",
        ),
        ("new", "Start a new playbook or FAQ with valid front matter"),
        ("serve", "Preview the guide in a browser"),
        (
            "prove",
            "Record that playbooks or FAQs were used in a customer engagement",
        ),
        ("status", "what to prove next"),
    ];
    for (cmd, purpose) in purposes {
        let run = run_in(tmp.path(), &[cmd, "--help"], &[]);
        run.expect_ok();
        assert!(
            run.stdout.split("\n\n").next().unwrap().contains(purpose),
            "shirube {cmd} --help:\n{}",
            run.stdout
        );
        assert!(
            run.stdout.contains(&format!("Usage: shirube {cmd}")),
            "{}",
            run.stdout
        );
    }
    // Options are documented where they are used.
    let build = run_in(tmp.path(), &["build", "--help"], &[]).stdout;
    for opt in ["--out <DIR>", "--base-url <URL>", "--preview"] {
        assert!(build.contains(opt), "{opt} missing:\n{build}");
    }
    let new = run_in(tmp.path(), &["new", "--help"], &[]).stdout;
    assert!(
        new.contains("--phase <PHASE>") && new.contains("--tier <TIER>"),
        "{new}"
    );
    assert!(
        run_in(tmp.path(), &["init", "--help"], &[])
            .stdout
            .contains("--lang <LANG>")
    );
    assert!(
        run_in(tmp.path(), &["check", "--help"], &[])
            .stdout
            .contains("--format <FORMAT>")
    );
}

/// `shirube init DIR [--lang L]` in a temp dir, then a build there.
fn init_and_build(lang: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["init", "guide"];
    if lang != "en" {
        args.extend(["--lang", lang]);
    }
    let run = run_in(tmp.path(), &args, &[]);
    run.expect_ok();
    assert!(
        run.stderr.contains("created a new guide in guide"),
        "{}",
        run.stderr
    );
    let site = tmp.path().join("guide");
    for file in [
        "shirube.yaml",
        "manifest.yaml",
        "content/index.md",
        "content/faq/index.md",
    ] {
        assert!(site.join(file).is_file(), "init did not write {file}");
    }
    let run = run_in(&site, &["build"], &[]);
    run.expect_clean();
    assert!(site.join("public/index.html").is_file());
    assert!(site.join("public/.shirube-output").is_file());
    let check = run_in(&site, &["check"], &[]);
    check.expect_ok();
    assert!(
        check.stderr.contains("0 errors, 0 warnings"),
        "{}",
        check.stderr
    );
    tmp
}

#[test]
fn init_english_site_builds_without_warnings() {
    let tmp = init_and_build("en");
    let home = std::fs::read_to_string(tmp.path().join("guide/public/index.html")).unwrap();
    assert!(home.contains("<html lang=\"en\" "));
    // A few playbooks per phase: every phase column of the map has at least one card.
    let map = crate::common::between(&home, "<ol class=\"map\"", "</section>");
    let columns: Vec<&str> = map.split("<li class=\"map-phase phase-").skip(1).collect();
    assert_eq!(columns.len(), 4, "{map}");
    for (col, phase) in columns
        .iter()
        .zip(["onboarding", "adoption", "retention", "renewal"])
    {
        assert!(col.starts_with(phase), "{col}");
        assert!(
            !crate::common::card_titles(col).is_empty(),
            "no playbook in {phase}"
        );
    }
}

#[test]
fn init_japanese_site_builds_without_warnings() {
    let tmp = init_and_build("ja");
    let home = std::fs::read_to_string(tmp.path().join("guide/public/index.html")).unwrap();
    assert!(home.contains("<html lang=\"ja\" "));
    assert!(home.contains("本文へスキップ"));
    let config = std::fs::read_to_string(tmp.path().join("guide/shirube.yaml")).unwrap();
    assert!(config.contains("language: ja"), "{config}");
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("busy");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let run = run_in(tmp.path(), &["init", "busy"], &[]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("error: busy is not empty"),
        "{}",
        run.stderr
    );
    assert_eq!(
        crate::common::entries(&dir).into_iter().collect::<Vec<_>>(),
        ["notes.txt"]
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );

    // An existing empty folder is fine, and so is one holding only what the desktop leaves everywhere.
    std::fs::create_dir(tmp.path().join("empty")).unwrap();
    run_in(tmp.path(), &["init", "empty"], &[]).expect_ok();
    assert!(tmp.path().join("empty/shirube.yaml").is_file());
    std::fs::create_dir(tmp.path().join("mac")).unwrap();
    std::fs::write(tmp.path().join("mac/.DS_Store"), "\0").unwrap();
    run_in(tmp.path(), &["init", "mac"], &[]).expect_ok();
    assert!(tmp.path().join("mac/shirube.yaml").is_file());

    // A file is named as one.
    std::fs::write(tmp.path().join("notes.md"), "mine").unwrap();
    let run = run_in(tmp.path(), &["init", "notes.md"], &[]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        "error: notes.md is a file, not a folder\n  help: give the name of a new or empty folder: `shirube init NEW_FOLDER`\n"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("notes.md")).unwrap(),
        "mine"
    );

    // With --root, a relative DIR is under it, as every other path is.
    run_in(tmp.path(), &["init", "--root", "sites", "hr"], &[]).expect_ok();
    assert!(tmp.path().join("sites/hr/shirube.yaml").is_file());
    assert!(!tmp.path().join("hr").exists());
}

/// Replaces the sample text `new` wrote into `rel` with the author's own words.
fn fill_in(site: &TestSite, rel: &str) {
    let mut text = site.read(rel);
    for (i, sample) in shirube::model::SCAFFOLD_TEXTS.iter().enumerate() {
        text = text.replace(sample, &format!("Our own sentence {i}."));
    }
    site.write(rel, &text);
}

/// A fresh site from `init`, as a [`TestSite`].
fn init_site() -> TestSite {
    let site = TestSite::empty();
    run_in(&site.root, &["init"], &[]).expect_ok();
    assert!(site.path("shirube.yaml").is_file());
    site
}

#[test]
fn new_playbook_has_valid_front_matter_and_builds() {
    let site = init_site();
    let run = site.run(&[
        "new",
        "playbook",
        "Connect SSO",
        "--phase",
        "onboarding",
        "--tier",
        "low",
    ]);
    run.expect_ok();
    assert_eq!(run.stdout, "playbooks/onboarding/connect-sso.md\n");
    let text = site.read("playbooks/onboarding/connect-sso.md");
    let front = crate::common::between(&text, "---\n", "\n---\n");
    assert!(front.lines().any(|l| l == "title: Connect SSO"), "{text}");
    assert!(front.lines().any(|l| l == "phase: onboarding"), "{text}");
    assert!(front.lines().any(|l| l == "tier: low"), "{text}");
    // Its sample sentences are warnings until they are replaced, so none is published unnoticed.
    let check = site.run(&["check"]);
    check.expect_ok();
    assert_eq!(
        check
            .stderr
            .matches("is sample text from `shirube new`")
            .count(),
        5,
        "{}",
        check.stderr
    );
    assert!(
        check.stderr.contains(
            "playbooks/onboarding/connect-sso.md:5:11: warning[sample-text]: \"Write one sentence here: what the reader gets done.\" is sample text"
        ),
        "{}",
        check.stderr
    );
    site.run(&["check", "--strict"]).expect_code(1);
    fill_in(&site, "playbooks/onboarding/connect-sso.md");
    // A new playbook builds; it is unproven, so only a preview shows it.
    site.build(&[]).expect_clean();
    assert!(
        !site
            .public()
            .join("playbooks/onboarding/connect-sso")
            .exists()
    );
    site.build(&["--preview"]).expect_clean();
    let html = site.out("playbooks/onboarding/connect-sso/index.html");
    assert_eq!(crate::common::h1(&html), "Connect SSO");
    assert!(
        html.contains("<span class=\"vh\">Tier: </span>Low touch"),
        "{html}"
    );

    // Several tiers, and an FAQ.
    site.run(&[
        "new",
        "playbook",
        "Plan the rollout: phase 2",
        "--phase",
        "adoption",
        "--tier",
        "low,mid",
    ])
    .expect_ok();
    fill_in(&site, "playbooks/adoption/plan-the-rollout-phase-2.md");
    let text = site.read("playbooks/adoption/plan-the-rollout-phase-2.md");
    assert!(
        text.contains("title: \"Plan the rollout: phase 2\"\n"),
        "{text}"
    );
    assert!(text.contains("tier: [low, mid]\n"), "{text}");
    let run = site.run(&[
        "new",
        "faq",
        "Can I undo an import?",
        "--phase",
        "onboarding",
    ]);
    run.expect_ok();
    assert_eq!(run.stdout, "content/faq/can-i-undo-an-import.md\n");
    fill_in(&site, "content/faq/can-i-undo-an-import.md");
    site.build(&[]).expect_clean();
    site.build(&["--preview"]).expect_clean();
    assert_eq!(
        crate::common::h1(&site.out("playbooks/adoption/plan-the-rollout-phase-2/index.html")),
        "Plan the rollout: phase 2"
    );
    assert_eq!(
        crate::common::h1(&site.out("faq/can-i-undo-an-import/index.html")),
        "Can I undo an import?"
    );
}

/// Titles that YAML reads as something else when written plain: each must come back as the same title.
#[test]
fn new_titles_that_yaml_would_misread_come_back_as_written() {
    let site = init_site();
    let titles = [
        "on",
        "No",
        "1.5",
        "# of seats",
        "- dash first",
        "Q: why?",
        "Trailing #hash",
        "@mention setup",
        "'quoted' start",
    ];
    for title in titles {
        let run = site.run(&["new", "faq", "--phase", "onboarding", "--", title]);
        run.expect_ok();
        let file = run.stdout.trim().to_string();
        assert!(site.path(&file).is_file(), "{title}: {file}");
        fill_in(&site, &file);
    }
    site.build(&["--preview"]).expect_clean();
    let faq = site.out("faq/index.html");
    for title in titles {
        let escaped = title.replace('\'', "&#39;");
        assert!(
            faq.contains(title) || faq.contains(&escaped),
            "{title} is not on the FAQ page as written"
        );
    }
}

#[test]
fn new_with_a_japanese_title_asks_for_an_ascii_file_name() {
    let site = init_site();
    let run = site.run(&["new", "playbook", "SSOを設定する", "--phase", "onboarding"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains(
            "error: the title gives the file name \"ssoを設定する.md\", which is not ASCII"
        ) && run.stderr.contains("--slug"),
        "{}",
        run.stderr
    );
    assert!(!site.path("playbooks/onboarding/ssoを設定する.md").exists());
    site.run(&[
        "new",
        "playbook",
        "SSOを設定する",
        "--phase",
        "onboarding",
        "--slug",
        "SSOの設定",
    ])
    .expect_code(2);
    let run = site.run(&[
        "new",
        "playbook",
        "SSOを設定する",
        "--phase",
        "onboarding",
        "--slug",
        "SSO Setup",
    ]);
    run.expect_ok();
    assert_eq!(run.stdout, "playbooks/onboarding/sso-setup.md\n");
    assert!(
        site.read("playbooks/onboarding/sso-setup.md")
            .contains("title: SSOを設定する\n")
    );
    fill_in(&site, "playbooks/onboarding/sso-setup.md");
    site.build(&["--preview"]).expect_clean();
    assert_eq!(
        crate::common::h1(&site.out("playbooks/onboarding/sso-setup/index.html")),
        "SSOを設定する"
    );
}

/// A file an author names in Japanese by hand still builds: links to it resolve, and the sitemap lists it
/// percent-encoded.
#[test]
fn a_japanese_file_name_builds_with_encoded_urls() {
    let site = init_site();
    site.write(
        "playbooks/onboarding/ssoを設定する.md",
        "---\ntitle: SSOを設定する\nphase: onboarding\n---\n\n本文。\n",
    );
    site.build(&["--preview"]).expect_clean();
    assert_eq!(
        crate::common::h1(&site.out("playbooks/onboarding/ssoを設定する/index.html")),
        "SSOを設定する"
    );
    let (problems, _) = crate::common::check_links(&site.public(), "https://guide.example.com/");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let sitemap = site.out("sitemap.xml");
    assert!(
        sitemap.contains(
            "/playbooks/onboarding/sso%E3%82%92%E8%A8%AD%E5%AE%9A%E3%81%99%E3%82%8B/</loc>"
        ),
        "{sitemap}"
    );
}

#[test]
fn new_refuses_to_overwrite_and_unknown_phases() {
    let site = init_site();
    site.run(&["new", "playbook", "Connect SSO", "--phase", "onboarding"])
        .expect_ok();
    site.write(
        "playbooks/onboarding/connect-sso.md",
        "---\ntitle: Edited by hand\nphase: onboarding\n---\n\nMine.\n",
    );
    let run = site.run(&["new", "playbook", "Connect SSO", "--phase", "onboarding"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("error: playbooks/onboarding/connect-sso.md already exists"),
        "{}",
        run.stderr
    );
    assert_eq!(
        site.read("playbooks/onboarding/connect-sso.md"),
        "---\ntitle: Edited by hand\nphase: onboarding\n---\n\nMine.\n"
    );

    let run = site.run(&["new", "playbook", "Something", "--phase", "onbording"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("error[unknown-phase]: unknown phase \"onbording\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("help: did you mean \"onboarding\"?"),
        "{}",
        run.stderr
    );
    assert!(!site.path("playbooks/onbording").exists());

    let run = site.run(&[
        "new",
        "playbook",
        "Something",
        "--phase",
        "onboarding",
        "--tier",
        "hihg",
    ]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("error[unknown-tier]: unknown tier \"hihg\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean \"high\"?"),
        "{}",
        run.stderr
    );
    assert!(!site.path("playbooks/onboarding/something.md").exists());
}

#[test]
fn serve_rejects_a_bad_port_before_starting() {
    // serve itself is tested in tests/testsuite/serve.rs; here only that a usage error never starts a server.
    let site = init_site();
    let run = site.run(&["serve", "--port", "99999"]);
    run.expect_code(2);
    assert!(run.stderr.contains("99999"), "{}", run.stderr);
    assert!(!site.path("public").exists(), "serve never writes public/");
}

#[test]
fn usage_errors_exit_2() {
    let site = init_site();
    for args in [
        &["build", "--bogus"][..],
        &["--bogus"],
        &["frobnicate"],
        &[],
        &["check", "--format", "xml"],
    ] {
        let run = site.run(args);
        run.expect_code(2);
        assert!(
            run.stderr.contains("error:") || run.stderr.contains("Usage:"),
            "{args:?}: {}",
            run.stderr
        );
    }
    let run = site.run(&["build", "--bogus"]);
    assert!(
        run.stderr.contains("unexpected argument '--bogus'"),
        "{}",
        run.stderr
    );
    assert!(!site.path("public").exists());
}

#[test]
fn check_reports_a_clean_site() {
    let site = TestSite::fixture("full");
    let run = site.run(&["check"]);
    run.expect_ok();
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("0 errors, 0 warnings"),
        "{}",
        run.stderr
    );
    assert!(!site.path("public").exists(), "check must not write");

    let run = site.run(&["check", "--format", "json"]);
    run.expect_ok();
    assert!(run.stdout.contains("\"errors\": 0"), "{}", run.stdout);
    assert!(run.stdout.contains("\"warnings\": 0"), "{}", run.stdout);
    assert!(run.stdout.contains("\"diagnostics\": []"), "{}", run.stdout);
    assert!(run.stdout.trim_start().starts_with('{') && run.stdout.trim_end().ends_with('}'));
    assert!(!site.path("public").exists());

    // The same with --root from elsewhere, and with errors: exit 1, counted in the JSON.
    site.edit(
        "playbooks/adoption/custom-reports.md",
        "phase: adoption",
        "phase: adopton",
    );
    let elsewhere = site.tmp();
    let run = run_in(
        elsewhere,
        &[
            "check",
            "--format",
            "json",
            "--root",
            site.root.to_str().unwrap(),
        ],
        &[],
    );
    run.expect_code(1);
    assert!(run.stdout.contains("\"errors\": 1"), "{}", run.stdout);
    assert!(
        run.stdout.contains("unknown phase \\\"adopton\\\""),
        "{}",
        run.stdout
    );
}

#[test]
fn build_summary_counts_pages() {
    let site = TestSite::fixture("overrides");
    let run = site.build(&[]);
    run.expect_clean();
    // One playbook (the home intro is not a page of its own).
    assert!(
        run.stderr.lines().any(|l| l.starts_with("built 1 page (")),
        "{}",
        run.stderr
    );
    assert!(Path::new(&site.public()).join("index.html").is_file());
}

/// The number in `line` between `before` and `after`; panics (showing the line) when there is none.
#[track_caller]
fn number_between(line: &str, before: &str, after: &str) -> usize {
    line.split(before)
        .nth(1)
        .and_then(|s| s.split(after).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number between {before:?} and {after:?}: {line}"))
}

#[test]
fn build_timings_name_stages_slow_files_and_what_was_written() {
    let site = TestSite::fixture("full");
    site.build(&[]).expect_ok();
    // A second build changes nothing on disk; an edit changes one page.
    site.edit(
        "playbooks/adoption/custom-reports.md",
        "tier: [high]",
        "tier: [high, mid]",
    );
    let run = site.build(&["--timings"]);
    run.expect_ok();
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("timings: "))
        .unwrap_or_else(|| panic!("no timings line:\n{}", run.stderr));
    for stage in [
        "load ",
        "validate ",
        "gate ",
        "markdown ",
        "render+index ",
        "write ",
    ] {
        assert!(line.contains(stage), "{stage} missing: {line}");
    }
    assert!(line.contains("(updated: "), "{line}");
    // The edited page, and the phase, tier and home pages that list it, are written; most files are not.
    let written = number_between(line, "updated: ", " written");
    let unchanged = number_between(line, "written, ", " unchanged");
    assert!(written >= 1 && written < unchanged, "{line}");
    assert!(
        run.stderr.contains("\nslowest to render: "),
        "{}",
        run.stderr
    );
}

/// Runs the binary in `dir` with standard output and standard error closed before it writes to them, as when
/// `| head -1` has read all it wants; returns the exit code.
fn run_with_closed_pipes(dir: &Path, args: &[&str]) -> Option<i32> {
    let mut child = std::process::Command::new(crate::common::BIN)
        .args(args)
        .current_dir(dir)
        .env("SHIRUBE_TODAY", crate::common::TODAY)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run shirube");
    // Closing our ends now: the child starts, loads the site and only then writes, into pipes nobody reads.
    drop(child.stdout.take());
    drop(child.stderr.take());
    child.wait().expect("wait for shirube").code()
}

/// A reader that stops early is no crash: `println!` would panic (exit 101) on the closed pipe, and a build that
/// died printing its warnings would write nothing.
#[test]
fn closed_output_pipes_are_no_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    crate::common::copy_sample_site(&site);
    // The sample site has a warning (a stale FAQ), so the build writes to standard error before it is done.
    assert_eq!(run_with_closed_pipes(&site, &["build"]), Some(0));
    assert!(
        site.join("public/index.html").is_file(),
        "the build wrote its output"
    );
    for args in [
        &["status"][..],
        &["status", "--format", "json"],
        &["check", "--format", "json"],
        &["check"],
    ] {
        assert_eq!(
            run_with_closed_pipes(&site, args),
            Some(0),
            "shirube {args:?}"
        );
    }
    assert_eq!(
        run_with_closed_pipes(
            &site,
            &["new", "faq", "Closed pipes", "--phase", "adoption"]
        ),
        Some(0)
    );
    assert!(site.join("content/faq/closed-pipes.md").is_file());
}

#[test]
fn commands_find_the_site_from_a_folder_inside_it() {
    let site = TestSite::empty();
    crate::common::copy_sample_site(&site.root);
    let inner = site.path("playbooks/onboarding");
    let run = run_in(&inner, &["build"], &[]);
    run.expect_ok();
    assert!(
        site.public().join("index.html").is_file(),
        "the output goes to the site's public/, not the subfolder's: {}",
        run.stderr
    );
    assert!(!inner.join("public").exists());
    run_in(&inner, &["check"], &[]).expect_ok();
    let status = run_in(&inner, &["status", "--format", "json"], &[]);
    status.expect_ok();
    assert!(
        status.stdout.contains("playbooks/onboarding/"),
        "{}",
        status.stdout
    );
    // `new` writes into the site, not below the current folder.
    let new = run_in(
        &inner,
        &[
            "new",
            "faq",
            "Where is the audit log?",
            "--phase",
            "adoption",
        ],
        &[],
    );
    new.expect_ok();
    assert_eq!(new.stdout.trim(), "content/faq/where-is-the-audit-log.md");
    assert!(site.path("content/faq/where-is-the-audit-log.md").is_file());
}

#[test]
fn every_command_outside_a_site_says_so_the_same_way() {
    let tmp = tempfile::tempdir().unwrap();
    let build = run_in(tmp.path(), &["build"], &[]);
    build.expect_code(1);
    let said = build.stderr.lines().take(2).collect::<Vec<_>>().join("\n");
    assert!(
        said.starts_with("shirube.yaml: error[no-site]: no shirube.yaml in ."),
        "{said}"
    );
    for args in [
        &["check"][..],
        &["status"],
        &["new", "faq", "A question?", "--phase", "onboarding"],
        // Before, serve started and answered 500 for everything.
        &["serve", "--port", "0"],
    ] {
        let run = run_in(tmp.path(), args, &[]);
        run.expect_code(1);
        assert!(
            run.stderr.starts_with(&said),
            "{args:?} said:\n{}\nexpected it to start with:\n{said}",
            run.stderr
        );
    }
    assert_eq!(
        crate::common::entries(tmp.path()).len(),
        0,
        "nothing may be written outside a site"
    );
}

/// Completion scripts for each shell name every subcommand; bash's parses; the man page has a section per
/// subcommand.
#[test]
fn completions_and_man_page_cover_every_subcommand() {
    let site = TestSite::empty();
    let subcommands = ["init", "build", "check", "new", "serve", "prove", "status"];
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = site.run(&["completions", shell]);
        run.expect_ok();
        for sub in subcommands {
            assert!(run.stdout.contains(sub), "{shell}: no {sub}");
        }
        if shell == "bash" {
            let script = site.tmp().join("shirube.bash");
            std::fs::write(&script, &run.stdout).unwrap();
            let ok = std::process::Command::new("bash")
                .arg("-n")
                .arg(&script)
                .status()
                .expect("bash runs");
            assert!(ok.success(), "the bash completion script does not parse");
        }
    }
    let run = site.run(&["completions", "tcsh"]);
    run.expect_code(2);
    let man = site.run(&["man"]);
    man.expect_ok();
    assert!(man.stdout.starts_with(".ie") && man.stdout.contains(".TH shirube 1"));
    for sub in subcommands {
        assert!(
            man.stdout
                .contains(&format!(".SH \"SHIRUBE {}\"", sub.to_uppercase())),
            "no section for {sub}"
        );
    }
}
