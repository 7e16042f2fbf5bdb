//! `shirube prove --from FILE.xlsx`: the first sheet of an Excel workbook, read as a CSV export would be
//! (`tests/fixtures/import/exports/salesforce.xlsx`, written by `tests/fixtures/import/make/xlsx.py` as Excel saves
//! one: shared strings, a numeric id, dates as date-formatted serial numbers, a cell with a line break).

use crate::common::*;

const MAP: &str = "id=\"Opportunity ID\",customer=\"Account Name\",csm=\"Opportunity Owner\",tier=Segment,date=\"Close Date\",outcome=Stage,pages=\"Playbooks Used\"";

fn import(site: &TestSite, file: &str) -> Run {
    site.run(&[
        "prove",
        "--from",
        file,
        "--map",
        MAP,
        "--value",
        "tier:SMB=low",
        "--value",
        "tier:Mid-Market=mid",
        "--value",
        "outcome:Closed Won=success",
        "--value",
        "outcome:Closed Lost=failed",
    ])
}

#[test]
fn an_excel_workbook_imports_once_and_then_changes_nothing() {
    let site = TestSite::fixture("import/site");
    let file = fixture_dir("import/exports")
        .join("salesforce.xlsx")
        .to_string_lossy()
        .into_owned();
    let run = import(&site, &file);
    run.expect_ok();
    assert_eq!(run.stdout, "added 7001 (2 pages)\nadded X-7002 (1 page)\n");
    let imported = site.read("manifest/imported.yaml");
    // The numeric id without ".0", the date cell (serial 46300) as a date, the two pages of the cell with a line
    // break (a title and a path), Japanese text as it is.
    assert!(
        imported.contains("  - id: \"7001\"\n    customer: Initech, Inc.\n    csm: Jane Roe\n    tier: low\n    date: 2026-10-05\n    outcome: success\n    used:\n      - path: playbooks/onboarding/connect-sso.md\n"),
        "{imported}"
    );
    assert!(imported.contains("      - path: playbooks/onboarding/invite-admins.md\n"));
    assert!(
        imported.contains("  - id: X-7002\n    customer: 株式会社サンプル\n    csm: 山田\n    tier: mid\n    date: 2026-10-15\n    outcome: failed\n"),
        "{imported}"
    );
    let again = import(&site, &file);
    again.expect_ok();
    assert!(
        again
            .stderr
            .contains("2 rows: 0 added, 0 updated, 2 unchanged"),
        "{}",
        again.stderr
    );
    assert_eq!(site.read("manifest/imported.yaml"), imported);
}

#[test]
fn a_file_named_xlsx_that_is_no_workbook_is_an_error() {
    let site = TestSite::fixture("import/site");
    site.write("deals.xlsx", "Opportunity ID,Stage\r\n1,Closed Won\r\n");
    let run = import(&site, "deals.xlsx");
    run.expect_code(1);
    assert!(
        run.stderr
            .contains("deals.xlsx: error[undecodable-file]: cannot read the workbook:")
            && run
                .stderr
                .contains("help: save it again from Excel as .xlsx, or as \"CSV UTF-8\""),
        "{}",
        run.stderr
    );
    assert!(!site.path("manifest/imported.yaml").exists());
}
