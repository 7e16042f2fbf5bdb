//! `shirube import mkdocs`: titles and order from `mkdocs.yml`'s nav, admonitions (`!!!`, `???`), content tabs,
//! relative and directory-style links, images beside the pages.

use crate::import_common::Import;
use std::collections::BTreeSet;

#[test]
fn an_mkdocs_site_is_converted_and_checks_without_errors() {
    let t = Import::fixture("mkdocs");
    let before = t.outside();
    t.import("mkdocs", &[]).expect_ok();
    t.check_ok();
    assert_eq!(before, t.outside());

    let install = t.read("playbooks/getting-started/install.md");
    // The nav's title and order; the file's own `# Installing` is not repeated.
    assert!(
        install.starts_with("---\ntitle: Install the app\nphase: onboarding\nweight: 20\n"),
        "{install}"
    );
    assert!(!install.contains("# Installing"), "{install}");
    assert!(install.contains(
        "> [!NOTE]\n> **Before you start**\n>\n> You need an **admin** account.\n>\n> Ask your IT team if you do not have one.\n"
    ), "{install}");
    assert!(install.contains("<details><summary>Silent install</summary>\n\nUse `kumo-setup --silent` for a fleet.\n\n</details>"), "{install}");
    assert!(
        install.contains("**macOS**\n\nOpen the `.dmg` file."),
        "{install}"
    );
    assert!(
        install.contains(
            "![The sign-in screen](../../content/assets/docs/getting-started/img/screen.png)"
        ),
        "{install}"
    );
    assert!(
        install.contains("[connect SSO](connect-sso.md#okta), then [renew](../billing/renew.md)"),
        "{install}"
    );
    assert!(
        t.site
            .join("content/assets/docs/getting-started/img/screen.png")
            .is_file()
    );

    let sso = t.read("playbooks/getting-started/connect-sso.md");
    assert!(
        sso.contains("> [!WARNING]\n> Test with one user first."),
        "{sso}"
    );
    assert!(sso.contains("[home](../../content/index.md)"), "{sso}");
    // A directory-style link (`../getting-started/connect-sso/`) finds the page too.
    let renew = t.read("playbooks/billing/renew.md");
    assert!(
        renew.contains("summary: What to check before the renewal date.\n"),
        "{renew}"
    );
    assert!(
        renew.contains("[SSO page](../getting-started/connect-sso.md)"),
        "{renew}"
    );
    // Kinds: the FAQ folder, and about.md as a plain page.
    assert!(
        t.read("content/faq/sso.md")
            .starts_with("---\ntitle: Do I need SSO?\n")
    );
    assert!(
        t.read("content/about.md")
            .starts_with("---\ntitle: About\n")
    );
    assert!(
        t.read("content/index.md")
            .contains("[the install](../playbooks/getting-started/install.md)")
    );
    let report = t.read("import-report.md");
    assert!(
        report.contains("(from `docs/getting-started/install.md:26`): MkDocs snippet (--8<--)"),
        "{report}"
    );
    assert!(
        report.contains("- MkDocs !!! admonition → admonition: 2"),
        "{report}"
    );
    let mapping = t.read("import.yaml");
    assert!(mapping.contains("  getting-started:   # 2 pages, \"Getting started\"; guess: phase from \"getting started\"\n    phase: onboarding\n"), "{mapping}");
    assert!(mapping.contains("  billing:   # 1 page, \"Billing\"; guess: phase from \"billing\"\n    phase: renewal\n"), "{mapping}");
}

#[test]
fn an_mkdocs_build_publishes_exactly_what_the_legacy_option_proves() {
    let t = Import::fixture("mkdocs");
    t.import("mkdocs", &[]).expect_ok();
    t.build_ok();
    let gated = |t: &Import| -> BTreeSet<String> {
        t.published()
            .into_iter()
            .filter(|(k, _)| k != "page")
            .map(|(_, title)| title)
            .collect()
    };
    assert!(gated(&t).is_empty());
    assert!(
        t.published()
            .contains(&("page".to_string(), "About".to_string())),
        "pages are not gated"
    );
    t.import("mkdocs", &["--legacy-proof"]).expect_ok();
    t.build_ok();
    let want: BTreeSet<String> = [
        "Install the app",
        "Connect SSO",
        "Renew your subscription",
        "Do I need SSO?",
    ]
    .iter()
    .map(std::string::ToString::to_string)
    .collect();
    assert_eq!(gated(&t), want);
    assert_eq!(t.legacy_paths().len(), 4);
}
