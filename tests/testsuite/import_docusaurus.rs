//! `shirube import docusaurus`: `.md` and `.mdx` docs, `_category_.json`/`.yml` labels, `:::` admonitions,
//! tabs, MDX imports, `/docs/...` links and slugs, static images; `_` partials left out.

use crate::import_common::Import;
use std::collections::BTreeSet;

#[test]
fn a_docusaurus_site_is_converted_and_checks_without_errors() {
    let t = Import::fixture("docusaurus");
    let before = t.outside();
    t.import("docusaurus", &[]).expect_ok();
    t.check_ok();
    assert_eq!(before, t.outside());

    let install = t.read("playbooks/getting-started/01-install.md");
    assert!(install.starts_with("---\ntitle: Install the app\nphase: onboarding\nsummary: Put Kumo on every laptop.\nweight: 1\ntags: [setup]\n"), "{install}");
    assert!(!install.contains("import Tabs"), "{install}");
    assert!(
        install.contains("> [!NOTE]\n> You need an admin account.\n"),
        "{install}"
    );
    assert!(
        install.contains("> [!TIP]\n> **Fleet installs**\n>\n> Use the silent installer.\n"),
        "{install}"
    );
    assert!(
        install.contains("**macOS**\n")
            && install.contains("**Windows**\n")
            && !install.contains("<TabItem"),
        "{install}"
    );
    assert!(
        install.contains("![The installer](../../content/assets/static/img/install.png)"),
        "{install}"
    );
    assert!(
        t.site
            .join("content/assets/static/img/install.png")
            .is_file()
    );
    let invite = t.read("playbooks/getting-started/invite.md");
    assert!(
        invite.contains("> [!WARNING]\n> Invite at least two.\n"),
        "{invite}"
    );
    // `/docs/renewals` is the slug of billing/renew.md; `./01-install.mdx` the .mdx file.
    assert!(
        invite.contains(
            "[renewals](../billing/renew.md) and the [installer](01-install.md#fleet-installs)"
        ),
        "{invite}"
    );
    let renew = t.read("playbooks/billing/renew.md");
    assert!(
        renew.contains("> [!CAUTION]\n> **Check the date**\n"),
        "{renew}"
    );
    // The title from the first heading; a doc URL without its number prefix.
    let faq = t.read("content/faq/sso.md");
    assert!(faq.starts_with("---\ntitle: Do we need SSO?\n"), "{faq}");
    assert!(
        faq.contains("[Install the app](../../playbooks/getting-started/01-install.md)"),
        "{faq}"
    );
    assert!(
        t.read("playbooks/intro.md")
            .starts_with("---\ntitle: Welcome to Kumo\n")
    );
    assert!(
        !t.site.join("playbooks/_partial.md").exists(),
        "partials are not pages"
    );
    let mapping = t.read("import.yaml");
    assert!(mapping.contains("  billing:   # 1 page, \"Billing & renewals\"; guess: phase from \"billing\"\n    phase: renewal\n"), "{mapping}");
    assert!(
        mapping.contains("  faq:   # 1 page, \"FAQ\"; guess: kind from \"faq\"\n"),
        "{mapping}"
    );
    let report = t.read("import-report.md");
    assert!(
        report
            .contains("(from `docs/getting-started/01-install.mdx:33`): MDX component <Highlight"),
        "{report}"
    );
}

#[test]
fn a_docusaurus_build_publishes_exactly_what_the_legacy_option_proves() {
    let t = Import::fixture("docusaurus");
    t.import("docusaurus", &[]).expect_ok();
    t.build_ok();
    assert!(t.published().is_empty());
    t.import("docusaurus", &["--legacy-proof"]).expect_ok();
    t.build_ok();
    let titles: BTreeSet<String> = t.published().into_iter().map(|(_, title)| title).collect();
    let want: BTreeSet<String> = [
        "Install the app",
        "Invite your admins",
        "Renew your plan",
        "Do we need SSO?",
        "Welcome to Kumo",
    ]
    .iter()
    .map(std::string::ToString::to_string)
    .collect();
    assert_eq!(titles, want);
}
