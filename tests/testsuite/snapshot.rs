//! Snapshots (insta) of whole outputs a reader or an author sees: the diagnostics of a site with one mistake
//! of each common kind, in human, JSON and GitHub form, and the HTML of the key pages of the sample site. A
//! change to any of them shows as a diff to review (`cargo insta review`, or `INSTA_UPDATE=always` and
//! `git diff`), not as a silent pass.

use crate::common::{TestSite, copy_sample_site};

/// A site with one mistake of each common kind, and a warning.
fn mistakes() -> TestSite {
    let site = TestSite::empty();
    site.write("shirube.yaml", "title: Mistakes\n");
    site.write("manifest.yaml", "engagements: []\n");
    for (path, text) in [
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
            "---\ntitle: D\nphase: onboarding\n---\n[x](missing.md) and [y](c.md#no-such-heading)\n",
        ),
        (
            "playbooks/onboarding/e.md",
            "---\ntitle: E\nphase: onboarding\ntime: soon\ntier: [lwo]\nlastmod: 2024-01-01\n---\n",
        ),
        (
            "playbooks/onboarding/f.md",
            "---\ntitle: \"F: broken\nphase: onboarding\n---\n",
        ),
    ] {
        site.write(path, text);
    }
    site
}

#[test]
fn diagnostics_of_common_mistakes() {
    let site = mistakes();
    let human = site.run(&["check"]);
    human.expect_code(1);
    insta::assert_snapshot!("diagnostics_human", human.stderr);
    let json = site.run(&["check", "--format", "json"]);
    json.expect_code(1);
    insta::assert_snapshot!("diagnostics_json", json.stdout);
    let github = site.run(&["check", "--format", "github"]);
    github.expect_code(1);
    insta::assert_snapshot!("diagnostics_github", github.stdout);
}

#[test]
fn key_pages_of_the_sample_site() {
    let site = TestSite::empty();
    std::fs::remove_dir(site.path("")).unwrap();
    copy_sample_site(&site.path(""));
    site.build(&[]).expect_ok();
    for (name, path) in [
        (
            "page_playbook",
            "playbooks/onboarding/connect-sso/index.html",
        ),
        ("page_kickoff", "kickoff/index.html"),
        ("page_faq_index", "faq/index.html"),
        ("page_search", "search/index.html"),
    ] {
        insta::assert_snapshot!(name, site.out(path));
    }
}
