//! `shirube report` and `--feedback` on the command line: where the report may be written, feedback exports as
//! Google Forms (UTF-8 with BOM, CRLF) and Japanese Microsoft Forms via Excel (CP932) write them, the `helpful`
//! figure of `status --format json`, and comments reaching nothing but the report. The report in a browser is
//! `browser_report`.

use crate::common::*;

fn sample() -> TestSite {
    let site = TestSite::empty();
    copy_sample_site(&site.root);
    site
}

fn feedback_fixture(name: &str) -> String {
    fixture_dir("feedback")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn status_json(site: &TestSite, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["status", "--format", "json"];
    args.extend_from_slice(extra);
    let run = site.run(&args);
    run.expect_ok();
    serde_json::from_str(&run.stdout).expect("status JSON")
}

fn page<'a>(json: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    json["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .find(|p| p["path"] == path)
        .unwrap_or_else(|| panic!("no row for {path}"))
}

#[test]
fn the_report_is_written_outside_the_output_only() {
    let site = sample();
    site.build(&[]).expect_ok();
    let before = snapshot(&site.public());

    // Into the output folder, or a folder under it: refused, nothing written.
    for out in ["public/report.html", "public/playbooks/report.html"] {
        let run = site.run(&["report", "--out", out]);
        run.expect_code(2);
        assert!(
            run.stderr.contains("refusing to write the report to")
                && run.stderr.contains("the report names customers"),
            "{}",
            run.stderr
        );
    }
    // Another folder shirube built (it holds the marker) is an output folder too.
    site.build(&["--out", "../staging"]).expect_ok();
    let run = site.run(&["report", "--out", "../staging/report.html"]);
    run.expect_code(2);
    assert!(run.stderr.contains(".shirube-output"), "{}", run.stderr);
    assert!(!site.tmp().join("staging/report.html").exists());
    assert_eq!(snapshot(&site.public()), before, "public/ is untouched");

    // A file that is not a report is never overwritten.
    site.write("notes.html", "<p>my notes</p>");
    let run = site.run(&["report", "--out", "notes.html"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("is not a report shirube wrote"),
        "{}",
        run.stderr
    );
    assert_eq!(site.read("notes.html"), "<p>my notes</p>");

    // Beside the site: written, and written again over its own previous report.
    let run = site.run(&["report"]);
    run.expect_ok();
    assert!(
        run.stderr.contains(
            "report.html: 33 gated pages (27 published, 5 to prove, 0 expiring within 60 days)"
        ) && run.stderr.contains("It is internal"),
        "{}",
        run.stderr
    );
    let html = site.read("report.html");
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("Internal report. It may name customers"));
    site.run(&["report"]).expect_ok();
    // Nothing but the report was left beside it (the temporary file is renamed over it).
    assert!(!site.path(".report.html.shirube-tmp").exists());
}

#[test]
fn status_json_has_no_helpful_field_without_feedback() {
    let site = sample();
    let json = status_json(&site, &[]);
    for p in json["pages"].as_array().expect("pages") {
        assert!(p.get("helpful").is_none(), "{p}");
        assert!(p["needs"].is_u64(), "{p}");
    }
    // needs: one for each page to prove in the sample (min_proofs 1), zero for the published.
    assert_eq!(
        page(&json, "playbooks/retention/access-review.md")["needs"],
        1
    );
    assert_eq!(
        page(&json, "playbooks/onboarding/connect-sso.md")["needs"],
        0
    );
}

#[test]
fn a_google_forms_export_gives_each_page_its_helpful_figure() {
    let site = sample();
    let file = feedback_fixture("google-forms.csv");
    let run = site.run(&["status", "--format", "json", "--feedback", &file]);
    run.expect_ok();
    // The one bad row, at FILE:ROW:COLUMN with the header's name and the fix.
    assert!(
        run.stderr.contains(&format!(
            "{file}:11:3: warning[unknown-answer]: column \"Was this page helpful?\": \"Maybe\" is neither yes nor no; the row is left out"
        )) && run.stderr.contains("help: say what it means: --value \"helpful:Maybe=yes\" (or =no)"),
        "{}",
        run.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    // Three yes (one URL with a query and fragment) and one no.
    assert_eq!(
        page(&json, "playbooks/onboarding/connect-sso.md")["helpful"],
        serde_json::json!({"yes": 3, "no": 1, "rate": 0.75})
    );
    assert_eq!(
        page(&json, "playbooks/onboarding/import-employees.md")["helpful"],
        serde_json::json!({"yes": 1, "no": 2, "rate": 0.333})
    );
    assert_eq!(
        page(&json, "content/faq/admin-roles.md")["helpful"],
        serde_json::json!({"yes": 1, "no": 0, "rate": 1.0})
    );
    assert!(
        page(&json, "playbooks/onboarding/invite-admins.md")
            .get("helpful")
            .is_none()
    );
    // Comments are private: never in the JSON.
    assert!(!run.stdout.contains("CANARY-FEEDBACK-7731"));
    assert!(!run.stdout.contains("Apply"));

    // The value mapping turns the bad row into an answer.
    let json = status_json(&site, &["--feedback", &file, "--value", "helpful:Maybe=no"]);
    assert_eq!(
        page(&json, "content/faq/admin-roles.md")["helpful"],
        serde_json::json!({"yes": 1, "no": 1, "rate": 0.5})
    );
}

#[test]
fn a_japanese_forms_export_in_cp932_is_read() {
    let site = sample();
    let file = feedback_fixture("microsoft-forms-cp932.csv");
    assert!(
        std::str::from_utf8(&std::fs::read(&file).expect("fixture")).is_err(),
        "the fixture really is CP932"
    );
    let json = status_json(&site, &["--feedback", &file]);
    assert_eq!(
        page(&json, "playbooks/onboarding/payroll-calendar.md")["helpful"],
        serde_json::json!({"yes": 1, "no": 2, "rate": 0.333})
    );
    assert_eq!(
        page(&json, "playbooks/onboarding/connect-sso.md")["helpful"],
        serde_json::json!({"yes": 1, "no": 0, "rate": 1.0})
    );
    site.run(&["report", "--feedback", &file]).expect_ok();
    let html = site.read("report.html");
    // Decoded comments, CP932's circled digit included, newest first; and the answers' dates.
    let a = html
        .find("手順①の画面が古い、今は「給与設定」です")
        .expect("the 11/5 comment");
    let b = html
        .find("締め日の説明が分かりにくいです。例を１つ入れてほしい（株式会社サンプル）")
        .expect("the 11/4 comment");
    assert!(a < b, "newest comment first");
    assert!(html.contains("<time>2026-11-05</time>"));
}

#[test]
fn the_report_lists_helpfulness_lowest_first_with_comments() {
    let site = sample();
    let file = feedback_fixture("google-forms.csv");
    let run = site.run(&["report", "--feedback", &file]);
    run.expect_ok();
    assert!(
        run.stderr.contains("; 9 feedback answers"),
        "{}",
        run.stderr
    );
    let html = site.read("report.html");
    let section = between(&html, "<section id=\"helpful\"", "</section>");
    let order: Vec<String> = attr_values(section, "data-path");
    assert_eq!(
        order,
        [
            "playbooks/onboarding/import-employees.md",
            "playbooks/onboarding/connect-sso.md",
            "content/faq/admin-roles.md"
        ]
    );
    // The comment with a quoted comma and a line break, whole.
    assert!(
        section.contains(
            "The template has a &quot;Department&quot; column,\r\nbut the import rejects it CANARY-FEEDBACK-7731"
        ),
        "{section}"
    );
    // The answer about a page that is not in the guide is shown apart, with its comment.
    assert!(section.contains("https://guide.kumohr.example/playbooks/onboarding/old-sso-page/"));
    assert!(section.contains("The link in the kickoff email is broken"));
    assert!(section.contains("1 row was left out (a bad row"));

    // Comments reach nothing but the report: a build after it holds none.
    site.build(&[]).expect_ok();
    for file in file_list(&site.public()) {
        let bytes = std::fs::read(site.public().join(&file)).expect("output file");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("CANARY-FEEDBACK-7731"), "{file}");
        assert!(!text.contains("kickoff email is broken"), "{file}");
    }
}

#[test]
fn a_feedback_export_without_the_needed_columns_is_refused_with_the_columns() {
    let site = sample();
    site.write(
        "answers.csv",
        "When,Where,Score\r\n2026-11-02,https://guide.kumohr.example/faq/admin-roles/,5\r\n",
    );
    let run = site.run(&["report", "--feedback", "answers.csv"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains(
            "answers.csv:1:1: error[unmapped-field]: no column of the feedback export is the page URL or the helpful answer (yes or no)"
        ) && run.stderr.contains(
            "help: name the columns with --map page=\"Where\",helpful=\"COLUMN\"; the columns are: \"When\", \"Where\", \"Score\""
        ),
        "{}",
        run.stderr
    );
    assert!(!site.path("report.html").exists(), "nothing written");

    // Mapped, with the scores' meaning: read.
    let json = status_json(
        &site,
        &[
            "--feedback",
            "answers.csv",
            "--map",
            "page=Where,helpful=Score,date=When",
            "--value",
            "helpful:5=yes",
        ],
    );
    assert_eq!(
        page(&json, "content/faq/admin-roles.md")["helpful"],
        serde_json::json!({"yes": 1, "no": 0, "rate": 1.0})
    );

    // A mapped column that is not there: did-you-mean.
    let run = site.run(&["status", "--feedback", "answers.csv", "--map", "page=Were"]);
    run.expect_code(1);
    assert!(
        run.stderr
            .contains("error[unknown-column]: no column \"Were\" (mapped to page)")
            && run
                .stderr
                .contains("did you mean \"Where\"? (--map page=\"Where\")"),
        "{}",
        run.stderr
    );
}
