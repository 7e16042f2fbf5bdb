//! `shirube import jekyll`: pages with front matter, `_posts/`, Liquid (`link`, `post_url`, `include`,
//! `highlight`, `site.baseurl`, `relative_url`), just-the-docs callouts; files without front matter left out.

use crate::import_common::Import;
use std::collections::BTreeSet;

#[test]
fn a_jekyll_site_is_converted_and_checks_without_errors() {
    let t = Import::fixture("jekyll");
    let before = t.outside();
    t.import("jekyll", &[]).expect_ok();
    t.check_ok();
    assert_eq!(before, t.outside());

    let gs = t.read("playbooks/docs/getting-started.md");
    assert!(
        gs.starts_with("---\ntitle: Getting started\nphase: onboarding\nweight: 1\n"),
        "{gs}"
    );
    assert!(gs.contains("> [!NOTE]\n> You need an admin account.\n\nKeep your admin password in a password manager.\n"), "{gs}");
    assert!(
        gs.contains("![The dashboard](../../content/assets/assets/images/shot.png)"),
        "{gs}"
    );
    assert!(
        gs.contains("[billing](billing.md) and the [latest release](../posts/new-dashboard.md)"),
        "{gs}"
    );
    let billing = t.read("playbooks/docs/billing.md");
    assert!(
        billing.contains("phase: renewal\nsummary: Invoices, seats and the renewal date.\n"),
        "{billing}"
    );
    assert!(
        billing.contains("[getting started](getting-started.md)"),
        "{billing}"
    );
    assert!(
        billing.contains("```bash\nkumo invoices --year 2024\n```"),
        "{billing}"
    );
    let post = t.read("playbooks/posts/new-dashboard.md");
    assert!(post.contains("phase: onboarding\n# imported from _posts/2024-03-01-new-dashboard.md (jekyll), dated 2024-03-01\n"), "{post}");
    assert!(
        t.read("content/index.md")
            .contains("[getting started](../playbooks/docs/getting-started.md)")
    );
    assert!(
        t.read("content/faq/sso.md")
            .contains("[getting started](../../playbooks/docs/getting-started.md)")
    );
    assert!(
        !t.site.join("playbooks/README.md").exists(),
        "no front matter: not a page"
    );
    let report = t.read("import-report.md");
    assert!(
        report.contains("(from `docs/billing.md:14`): Liquid {{ page.plan }}"),
        "{report}"
    );
    assert!(
        report.contains("1 Markdown files without front matter were left out"),
        "{report}"
    );
}

#[test]
fn a_jekyll_build_publishes_exactly_what_the_legacy_option_proves() {
    let t = Import::fixture("jekyll");
    t.import("jekyll", &[]).expect_ok();
    t.build_ok();
    assert!(
        t.published().iter().all(|(k, _)| k == "page"),
        "{:?}",
        t.published()
    );
    t.import("jekyll", &["--legacy-proof"]).expect_ok();
    t.build_ok();
    let titles: BTreeSet<String> = t
        .published()
        .into_iter()
        .filter(|(k, _)| k != "page")
        .map(|(_, title)| title)
        .collect();
    let want: BTreeSet<String> = [
        "Getting started",
        "Billing and renewal",
        "The new dashboard",
        "Is SSO required?",
    ]
    .iter()
    .map(std::string::ToString::to_string)
    .collect();
    assert_eq!(titles, want);
}
