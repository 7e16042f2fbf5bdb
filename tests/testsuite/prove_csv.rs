//! `shirube prove --from FILE.csv`: CRM exports as Salesforce, HubSpot and Japanese Excel write them, imported
//! into a copy of `tests/fixtures/import/site`; exact error text for each kind of bad row; importing twice
//! changes nothing; `--dry-run` writes nothing; a mapping saved in shirube.yaml; an imported engagement
//! publishes its page.

use crate::common::*;

const SALESFORCE_MAP: &str = "id=\"Opportunity ID\",customer=\"Account Name\",csm=\"Opportunity Owner\",tier=Segment,date=\"Close Date\",outcome=Stage,pages=\"Playbooks Used\"";
const SALESFORCE_VALUES: [&str; 10] = [
    "--value",
    "tier:SMB=low",
    "--value",
    "tier:Mid-Market=mid",
    "--value",
    "outcome:Closed Won=success",
    "--value",
    "outcome:Closed Lost=failed",
    "--value",
    "outcome:Prospecting=",
];

fn export(name: &str) -> String {
    fixture_dir("import/exports")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn salesforce(site: &TestSite, file: &str, extra: &[&str]) -> Run {
    let mut args = vec!["prove", "--from", file, "--map", SALESFORCE_MAP];
    args.extend(SALESFORCE_VALUES);
    args.extend(extra);
    site.run(&args)
}

#[test]
fn a_salesforce_export_imports_once_and_then_changes_nothing() {
    let site = TestSite::fixture("import/site");
    let hand_written = site.read("manifest.yaml");
    let file = export("salesforce.csv");
    let run = salesforce(&site, &file, &[]);
    run.expect_ok();
    assert_eq!(
        run.stdout,
        "added 006A1 (2 pages)\nadded 006A2 (1 page)\nadded 006A3 (1 page)\n"
    );
    assert!(
        run.stderr.ends_with(": 4 rows: 3 added, 0 updated, 0 unchanged, 0 refused, 1 skipped by --value (written to manifest/imported.yaml)\n"),
        "{}",
        run.stderr
    );
    let imported = site.read("manifest/imported.yaml");
    // The quoted cell with a comma, and the one with a line break holding two pages (a title and a path).
    assert!(imported.contains("  - id: 006A1\n    customer: Acme, Inc.\n    csm: Jane Roe\n    tier: low\n    date: 2026-10-02\n    outcome: success\n    used:\n      - path: playbooks/onboarding/connect-sso.md\n"), "{imported}");
    assert!(imported.contains("      - path: playbooks/onboarding/invite-admins.md\n"));
    // A page named by its URL; month-first dates, told by 10/20/2026.
    assert!(imported.contains("  - id: 006A2\n    customer: Globex Corporation\n    csm: John Doe\n    tier: mid\n    date: 2026-10-20\n    outcome: success\n    used:\n      - path: content/faq/reset-password.md\n"), "{imported}");
    assert!(imported.contains("outcome: failed"));
    assert!(!imported.contains("006A4"), "Prospecting rows are skipped");
    assert!(!imported.contains("12000"), "unmapped columns go nowhere");
    assert_eq!(
        site.read("manifest.yaml"),
        hand_written,
        "manifest.yaml is not touched"
    );

    // Again: nothing changes, not one byte.
    let run = salesforce(&site, &file, &[]);
    run.expect_ok();
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.ends_with(": 4 rows: 0 added, 0 updated, 3 unchanged, 0 refused, 1 skipped by --value (manifest/imported.yaml is up to date)\n"),
        "{}",
        run.stderr
    );
    assert_eq!(site.read("manifest/imported.yaml"), imported);

    // A changed export: --dry-run says what would change and writes nothing; then the real run does it.
    let changed = site.tmp().join("changed.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &changed,
        text.replace(
            "Closed Lost,Invite your admins",
            "Closed Won,\"Invite your admins;Connect your SSO provider\"",
        )
        .replace("Globex Corporation", "Globex Corp"),
    )
    .unwrap();
    let changed = changed.to_string_lossy().into_owned();
    let run = salesforce(&site, &changed, &["--dry-run"]);
    run.expect_ok();
    assert_eq!(
        run.stdout,
        "would update 006A2: customer changed\nwould update 006A3: outcome failed → success, +playbooks/onboarding/connect-sso.md\nunchanged 006A1\n"
    );
    assert!(run.stderr.contains("0 added, 2 updated, 1 unchanged, 0 refused, 1 skipped by --value (dry run, nothing written)"), "{}", run.stderr);
    assert!(
        !run.stdout.contains("Globex"),
        "private values are not printed"
    );
    assert_eq!(site.read("manifest/imported.yaml"), imported);
    let run = salesforce(&site, &changed, &[]);
    run.expect_ok();
    let updated = site.read("manifest/imported.yaml");
    assert_eq!(
        updated,
        imported
            .replace("customer: Globex Corporation", "customer: Globex Corp")
            .replace(
                "    outcome: failed\n    used:\n      - path: playbooks/onboarding/invite-admins.md\n        hash: 1680f224a192c7ef\n",
                "    outcome: success\n    used:\n      - path: playbooks/onboarding/invite-admins.md\n        hash: 1680f224a192c7ef\n      - path: playbooks/onboarding/connect-sso.md\n        hash: 9ba3ac7e71bf57c2\n"
            )
    );
}

#[test]
fn an_imported_engagement_publishes_its_page() {
    let site = TestSite::fixture("import/site");
    site.build(&[]).expect_ok();
    let page = "playbooks/onboarding/invite-admins/index.html";
    assert!(
        !site.public().join(page).exists(),
        "unproven before the import"
    );
    salesforce(&site, &export("salesforce.csv"), &[]).expect_ok();
    site.build(&[]).expect_ok();
    assert!(site.out(page).contains("Invite your admins"));
    assert!(site.public().join("faq/reset-password/index.html").exists());
}

#[test]
fn a_mapping_saved_in_shirube_yaml_makes_the_import_one_command() {
    let site = TestSite::fixture("import/site");
    let config = site.read("shirube.yaml");
    site.write(
        "shirube.yaml",
        &format!(
            "{config}mapping:\n  columns:\n    id: Deal ID\n    customer: Company name\n    csm: Deal owner\n    tier: Tier\n    date: Close date\n    outcome: Deal stage\n    pages: Guide page\n  into: manifest/hubspot.yaml\n"
        ),
    );
    let run = site.run(&["prove", "--from", &export("hubspot.csv")]);
    run.expect_ok();
    assert_eq!(run.stdout, "added 9001 (2 pages)\nadded 9002 (1 page)\n");
    let imported = site.read("manifest/hubspot.yaml");
    // One row per engagement and page; a numeric id is quoted so that it stays a string; ISO dates with times.
    assert!(imported.contains("  - id: \"9001\"\n    customer: Hooli\n    csm: Gavin\n    tier: low\n    date: 2026-10-05\n    outcome: success\n    used:\n      - path: playbooks/onboarding/connect-sso.md\n        hash: 9ba3ac7e71bf57c2\n      - path: playbooks/onboarding/invite-admins.md\n"), "{imported}");
    assert!(imported.contains("    date: 2026-10-07\n    outcome: partial\n"));
    site.run(&["check"]).expect_ok();

    // An unknown key in the saved mapping is an error with a did-you-mean, as everywhere in shirube.yaml.
    site.edit("shirube.yaml", "  into:", "  inot:");
    let run = site.run(&["check"]);
    run.expect_code(1);
    assert!(run.stderr.contains("inot"), "{}", run.stderr);
}

#[test]
fn a_japanese_excel_export_in_cp932_with_full_width_digits() {
    let site = TestSite::fixture("import/site");
    let run = site.run(&[
        "prove",
        "--from",
        &export("japan.csv"),
        "--map",
        "id=案件ID,customer=会社名,csm=担当者,tier=区分,date=完了日,outcome=結果,pages=使用したガイド",
        "--value",
        "tier:中堅=mid",
        "--value",
        "tier:小規模=low",
        "--value",
        "outcome:成約=success",
        "--into",
        "manifest/japan.yaml",
    ]);
    run.expect_ok();
    assert_eq!(
        run.stdout,
        "added JP-001 (1 page)\nadded JP-002 (2 pages)\n"
    );
    let imported = site.read("manifest/japan.yaml");
    assert!(imported.contains("  - id: JP-001\n    customer: 株式会社ひので物流\n    csm: 山田\n    tier: mid\n    date: 2026-10-02\n    outcome: success\n    used:\n      - path: playbooks/onboarding/import-employees.md\n"), "{imported}");
    assert!(imported.contains("  - id: JP-002\n    customer: 株式会社さくら商事\n    csm: 佐藤\n    tier: low\n    date: 2026-10-09\n"), "{imported}");
    // The fixture really is CP932, not UTF-8.
    let bytes = std::fs::read(export("japan.csv")).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err());
}

#[test]
fn tab_separated_exports_utf8_and_excel_unicode_text() {
    let site = TestSite::fixture("import/site");
    let map = "id=ID,customer=Customer,tier=Tier,date=Date,outcome=Outcome,pages=Pages";
    for (file, id) in [("unicode-text.txt", "T-1"), ("plain.tsv", "T-2")] {
        let run = site.run(&["prove", "--from", &export(file), "--map", map]);
        run.expect_ok();
        assert_eq!(run.stdout, format!("added {id} (1 page)\n"));
    }
    let imported = site.read("manifest/imported.yaml");
    // 46297 is Excel's serial number for 2026-10-02.
    assert!(
        imported
            .contains("  - id: T-1\n    customer: Tab Co\n    tier: low\n    date: 2026-10-02\n"),
        "{imported}"
    );
    assert!(imported.contains("  - id: T-2\n"));
}

const BAD_MAP: &str = "id=Opportunity ID,customer=Account Name,tier=Segment,date=Close Date,outcome=Stage,pages=Playbooks Used";

#[test]
fn every_bad_row_is_reported_at_once_and_the_good_ones_are_recorded() {
    let site = TestSite::fixture("import/site");
    // A relative path, as a user types it: diagnostics name the file so.
    std::fs::copy(export("bad-rows.csv"), site.path("bad-rows.csv")).unwrap();
    let args = [
        "prove",
        "--from",
        "bad-rows.csv",
        "--map",
        BAD_MAP,
        "--value",
        "tier:SMB=low",
        "--value",
        "tier:Mid=mid",
        "--value",
        "outcome:Closed Won=success",
    ];
    let mut all_or_nothing = args.to_vec();
    all_or_nothing.push("--all-or-nothing");
    let run = site.run(&all_or_nothing);
    run.expect_code(1);
    assert_eq!(run.stdout, "would add E-1 (1 page)\n");
    assert!(
        run.stderr
            .ends_with("(nothing written: --all-or-nothing and some rows have errors)\n"),
        "{}",
        run.stderr
    );
    assert!(!site.path("manifest/imported.yaml").exists());

    let run = site.run(&args);
    run.expect_code(1);
    assert_eq!(run.stdout, "added E-1 (1 page)\n");
    pretty_assertions::assert_eq!(
        run.stderr,
        r#"bad-rows.csv:3:1: error[empty-id]: column "Opportunity ID": the engagement id is empty
  help: give every row the id of its engagement (opportunity, deal or ticket)

bad-rows.csv:4:3: error[unknown-tier]: column "Segment": unknown tier "Enterprise"
  help: map it to a tier: --value "tier:Enterprise=tech" (tiers in shirube.yaml: tech, low, mid, high)

bad-rows.csv:5:4: error[invalid-date]: column "Close Date": "2026-13-45" is not a date
  help: write it as 2026-10-02, 2026/10/02 or 10/2/2026 (with --date-format when the order is unclear), or as an Excel date number

bad-rows.csv:6:4: error[future-date]: column "Close Date": 2027-01-01 is in the future
  help: record an engagement once it has happened

bad-rows.csv:7:5: error[unknown-outcome]: column "Stage": unknown outcome "Negotiation"
  help: map it: --value "outcome:Negotiation=success" (or partial or failed; map it to nothing, --value "outcome:Negotiation=", to leave such rows out)

bad-rows.csv:8:6: error[unknown-page]: column "Playbooks Used": no playbook or FAQ "Conect your SSO provider"
  help: did you mean "Connect your SSO provider" (playbooks/onboarding/connect-sso.md)?

bad-rows.csv:9:6: error[proof-not-needed]: column "Playbooks Used": "About us" (content/about.md) is a page, which needs no proof
  help: name only playbooks and FAQs (the kinds under `proof: gate:` in shirube.yaml)

bad-rows.csv:10:6: error[no-page-named]: column "Playbooks Used": no page is named
  help: name the playbooks or FAQs used, by path, URL or exact title, separated by `;` or line breaks

bad-rows.csv:12:3: error[conflicting-rows]: column "Segment": engagement E-10 is mid here but low on row 11
  help: give every row of one engagement the same values, or each engagement its own id

bad-rows.csv:13:4: error[ambiguous-date]: column "Close Date": "10/2/2026" may be 2026-10-02 or 2026-02-10
  help: say which with --date-format mdy (month first) or --date-format dmy (day first), or `date_format:` under `mapping:` in shirube.yaml

bad-rows.csv: 12 rows: 1 added, 0 updated, 0 unchanged, 0 refused, 10 rows with errors left out (written to manifest/imported.yaml)
"#
    );
    assert!(
        site.read("manifest/imported.yaml")
            .contains("  - id: E-1\n")
    );
}

#[test]
fn a_mapping_that_does_not_fit_the_header_says_which_column_it_meant() {
    let site = TestSite::fixture("import/site");
    std::fs::copy(export("bad-rows.csv"), site.path("bad-rows.csv")).unwrap();
    let run = site.run(&[
        "prove",
        "--from",
        "bad-rows.csv",
        "--map",
        "id=Opportunity ID,tier=Segment,date=Close Dat,pages=Playbooks Used",
    ]);
    run.expect_code(1);
    assert_eq!(
        run.stderr,
        "bad-rows.csv:1:1: error[unknown-column]: no column \"Close Dat\" (mapped to date)\n  help: did you mean \"Close Date\"? (--map date=\"Close Date\")\n\n\
         bad-rows.csv:1:1: error[unmapped-field]: no column is mapped to outcome\n  help: map them with --map outcome=\"Stage\" (or under `mapping: columns:` in shirube.yaml); the columns are: \"Opportunity ID\", \"Account Name\", \"Segment\", \"Close Date\", \"Stage\", \"Playbooks Used\"\n\n\
         bad-rows.csv: 0 rows: 0 added, 0 updated, 0 unchanged, 0 refused (manifest/imported.yaml is up to date)\n"
    );
    // Usage errors: an unknown field, a --value that gives no tier.
    let run = site.run(&["prove", "--from", "bad-rows.csv", "--map", "tire=Segment"]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        "error: --map: unknown field \"tire\"\n  help: did you mean \"tier\"?\n"
    );
    let run = site.run(&[
        "prove",
        "--from",
        "bad-rows.csv",
        "--value",
        "tier:SMB=small",
    ]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        "error: the mapping gives tier \"small\" for \"SMB\", which is no tier\n  help: tiers in shirube.yaml: tech, low, mid, high\n"
    );
}

#[test]
fn an_engagement_written_by_hand_is_never_changed_by_an_import() {
    let site = TestSite::fixture("import/site");
    let hand_written = site.read("manifest.yaml");
    site.write(
        "crm.csv",
        "ID,Tier,Date,Outcome,Pages\nHAND-1,low,2026-09-01,success,Invite your admins\nHAND-1B,low,2026-09-01,partial,Invite your admins\n",
    );
    let run = site.run(&[
        "prove",
        "--from",
        "crm.csv",
        "--map",
        "id=ID,tier=Tier,date=Date,outcome=Outcome,pages=Pages",
    ]);
    run.expect_code(1);
    assert_eq!(
        run.stderr,
        "crm.csv:2:1: error[import-conflict]: column \"ID\": engagement HAND-1 is recorded in manifest.yaml:4, and the export differs: outcome partial → success\n  help: this import writes only manifest/imported.yaml; change the engagement in manifest.yaml by hand, or import into that file with --into manifest.yaml\n\n\
         crm.csv: 2 rows: 1 added, 0 updated, 0 unchanged, 1 refused (written to manifest/imported.yaml)\n"
    );
    assert_eq!(site.read("manifest.yaml"), hand_written);
}
