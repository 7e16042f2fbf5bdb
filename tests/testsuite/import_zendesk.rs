//! `shirube import zendesk`: a Help Center export with English and Japanese articles, tables, images and links
//! between articles, as one JSON file and as a folder of API pages.

use crate::import_common::Import;
use std::collections::BTreeSet;

const INVITE: &str = "playbooks/en-us/set-up-your-account/11-invite-your-team.md";
const RENEW: &str = "playbooks/en-us/renewal/12-renew-your-plan.md";
const JA_INVITE: &str = "playbooks/ja/section-3001/21.md";
const JA_FAQ: &str = "content/faq/ja/section-3002/22.md";

#[test]
fn a_zendesk_export_becomes_pages_with_tables_images_and_links() {
    let t = Import::fixture("zendesk");
    let before = t.outside();
    let export = t.src.join("export.json");
    let r = t.import_from("zendesk", &export, &[]);
    r.expect_ok();
    assert!(r.stdout.contains("imported 6 pages"), "{}", r.stdout);
    t.check_ok();
    assert_eq!(before, t.outside());

    let invite = t.read(INVITE);
    assert!(
        invite.starts_with(
            "---\ntitle: Invite your team\nphase: onboarding\nweight: 1\ntags: [admins]\n"
        ),
        "{invite}"
    );
    assert!(
        invite.contains("1. Open **Settings > Members**.\n2. Click *Invite*."),
        "{invite}"
    );
    // Images stay links to the help centre: nothing is fetched.
    assert!(
        invite.contains(
            "![Invite dialog](https://help.example.com/hc/article_attachments/501/invite.png)"
        ),
        "{invite}"
    );
    // A full URL of another article becomes its .md file; an article not in the export loses its link.
    assert!(
        invite.contains("[renew your plan](../renewal/12-renew-your-plan.md)"),
        "{invite}"
    );
    assert!(invite.contains("or read an old article."), "{invite}");
    let renew = t.read(RENEW);
    assert!(
        renew.contains(
            "## Plans\n\n| Plan    | Seats     |\n| ------- | --------- |\n| Starter | up to 50  |"
        ),
        "{renew}"
    );
    assert!(
        renew.contains("[Invite your team](../set-up-your-account/11-invite-your-team.md)"),
        "{renew}"
    );
    let ja = t.read(JA_INVITE);
    assert!(
        ja.starts_with("---\ntitle: 管理者を招待する\nphase: onboarding\n"),
        "{ja}"
    );
    assert!(
        ja.contains("| 手順 | 内容    |\n| -- | ----- |\n| 1  | 設定を開く |"),
        "a table without a header row: {ja}"
    );
    assert!(
        ja.contains(
            "詳しくは[パスワードの再設定](../../../content/faq/ja/section-3002/22.md)を参照"
        ),
        "{ja}"
    );
    let faq = t.read(JA_FAQ);
    assert!(faq.contains("title: パスワードを再設定するには？"), "{faq}");
    assert!(faq.contains("[Invite your team](../../../../playbooks/en-us/set-up-your-account/11-invite-your-team.md)"), "{faq}");
    assert!(
        t.read("playbooks/en-us/renewal/13-upcoming-changes.md")
            .contains("\ndraft: true\n")
    );
    // An article restricted to a user segment is not for a public guide: a draft, listed.
    assert!(
        t.read("playbooks/en-us/set-up-your-account/14-internal-escalation-contacts.md")
            .contains("\ndraft: true\n")
    );

    let mapping = t.read("import.yaml");
    for want in [
        "  Set up your account:   # 2 pages; guess: phase from \"set up\"\n    phase: onboarding\n",
        "  よくある質問:   # 1 page; guess: kind from \"よくある質問\"\n    phase: null\n    tier: all\n    kind: faq\n",
        "  導入ガイド:   # 1 page; guess: phase from \"導入\"\n    phase: onboarding\n",
        "  Billing and Contracts:   # 2 pages; guess: phase from \"billing\"\n    phase: renewal\n",
    ] {
        assert!(
            mapping.contains(want),
            "import.yaml lacks {want:?}:\n{mapping}"
        );
    }
    let report = t.read("import-report.md");
    assert!(report.contains("- `playbooks/en-us/set-up-your-account/11-invite-your-team.md`: `/hc/en-us/articles/99-Retired`"), "{report}");
    assert!(
        report.contains("- Zendesk table without a header row: its first row made the header: 1"),
        "{report}"
    );
    assert!(report.contains("14-internal-escalation-contacts.md` (from `export.json (article 14)`): restricted to a user segment in Zendesk: imported as a draft"), "{report}");
}

#[test]
fn a_folder_of_api_pages_imports_like_one_export() {
    let one = Import::fixture("zendesk");
    one.import_from("zendesk", &one.src.join("export.json"), &[])
        .expect_ok();
    let pages = Import::fixture("zendesk");
    pages
        .import_from("zendesk", &pages.src.join("pages"), &[])
        .expect_ok();
    pages.check_ok();
    for rel in [INVITE, RENEW, JA_INVITE, JA_FAQ] {
        let strip = |s: String| {
            s.lines()
                .filter(|l| !l.starts_with("# imported from"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(one.read(rel)), strip(pages.read(rel)), "{rel}");
    }
}

#[test]
fn legacy_proof_publishes_the_imported_articles_and_nothing_else() {
    let t = Import::fixture("zendesk");
    let export = t.src.join("export.json");
    t.import_from("zendesk", &export, &[]).expect_ok();
    t.build_ok();
    assert!(t.published().is_empty(), "{:?}", t.published());
    assert!(!t.public_text().contains("管理者を招待する"));

    t.import_from("zendesk", &export, &["--legacy-proof"])
        .expect_ok();
    let proven = t.legacy_paths();
    let want: BTreeSet<String> = [INVITE, RENEW, JA_INVITE, JA_FAQ]
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    assert_eq!(proven, want, "every article but the draft");
    t.build_ok();
    let titles: BTreeSet<String> = t.published().into_iter().map(|(_, title)| title).collect();
    assert_eq!(
        titles,
        [
            "Invite your team",
            "Renew your plan",
            "管理者を招待する",
            "パスワードを再設定するには？"
        ]
        .iter()
        .map(std::string::ToString::to_string)
        .collect()
    );
    let text = t.public_text();
    assert!(
        !text.contains("Upcoming changes"),
        "the draft article is not published"
    );
    assert!(
        !text.contains("escalation"),
        "the restricted article is not published"
    );
    assert!(text.contains("https://help.example.com/hc/article_attachments/501/invite.png"));
    let ja = std::fs::read_to_string(
        t.site
            .join("public/playbooks/ja/section-3001/21/index.html"),
    )
    .unwrap();
    assert!(
        ja.contains("<table><thead><tr><th>手順</th><th>内容</th></tr></thead>"),
        "{ja}"
    );

    // Running it again changes nothing.
    let r = t.import_from("zendesk", &export, &["--legacy-proof"]);
    assert!(
        r.stdout.contains("files: 0 new, 0 updated,"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_file_that_is_not_an_export_is_refused_with_its_position() {
    let t = Import::fixture("zendesk");
    std::fs::write(
        t.src.join("bad.json"),
        "{\"articles\": [\n  {\"id\": 1,}\n]}",
    )
    .unwrap();
    let r = t.import_from("zendesk", &t.src.join("bad.json"), &[]);
    r.expect_code(1);
    assert!(r.stderr.contains("bad.json:2:"), "{}", r.stderr);
    assert!(r.stderr.contains("not valid JSON"), "{}", r.stderr);
    assert!(
        !t.site.exists(),
        "nothing is created when the source cannot be read"
    );
}
