//! The proof gate end to end: nothing unproven or private leaks into a published build, `prove` keeps the
//! author's manifest intact, and `status --format json` reports every field.

use std::path::Path;
use std::process::Command;

const TODAY: &str = "2026-11-25";

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

fn shirube(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shirube"))
        .args(args)
        .arg("--root")
        .arg(root)
        .env("SHIRUBE_TODAY", TODAY)
        .output()
        .expect("run shirube");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `dir`, as (relative path, contents).
fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("under dir")
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read(&p).expect("read file")));
            }
        }
    }
    out
}

/// A site whose unproven pages and private manifest fields carry canary strings.
fn canary_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        &[
            (
                "shirube.yaml",
                "title: Canary guide\nbase_url: https://guide.example/\n",
            ),
            (
                "content/index.md",
                "---\ntitle: Welcome\n---\nStart with [SSO](../playbooks/onboarding/sso.md).\n",
            ),
            (
                "playbooks/onboarding/sso.md",
                "---\ntitle: Connect SSO\nphase: onboarding\ntier: low\nbefore_kickoff: true\nrequires: [playbooks/onboarding/canaryslugunproven.md]\n---\n\
                 Then read [the secret one](canaryslugunproven.md), [by its URL](/playbooks/onboarding/canaryslugunproven/), \
                 [by its full URL](https://guide.example/playbooks/onboarding/canaryslugunproven/) and [a draft question](/faq/#draft).\n",
            ),
            (
                "playbooks/onboarding/canaryslugunproven.md",
                "---\ntitle: CanaryTitleUnproven\nphase: onboarding\ntier: low\nbefore_kickoff: true\nsummary: CanarySummaryUnproven\ntags: [canarytagunproven]\n---\n\
                 CanaryBodyUnproven ![diagram](canary-asset-unproven.svg)\n",
            ),
            (
                "playbooks/onboarding/canary-asset-unproven.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            ),
            (
                "playbooks/adoption/old.md",
                "---\ntitle: CanaryTitleExpired\nphase: adoption\ntier: low\n---\nCanaryBodyExpired\n",
            ),
            (
                "content/faq/draft.md",
                "---\ntitle: CanaryTitleDraft\nphase: onboarding\ndraft: true\n---\nCanaryBodyDraft\n",
            ),
            (
                "manifest.yaml",
                "engagements:\n  - id: CanaryEngagementId\n    customer: CanaryCustomerName\n    csm: CanaryCsmName\n    tier: low\n    date: 2026-10-01\n    outcome: success\n    used:\n      - playbooks/onboarding/sso.md\n      - content/faq/draft.md\n    note: CanaryPrivateNote\n\
                 \n  - id: CanaryOldEngagement\n    customer: CanaryOldCustomer\n    tier: low\n    date: 2024-01-01\n    outcome: success\n    used:\n      - playbooks/adoption/old.md\n\
                 \n  - id: CanaryPartialEngagement\n    customer: CanaryPartialCustomer\n    tier: low\n    date: 2026-11-01\n    outcome: partial\n    used:\n      - playbooks/onboarding/canaryslugunproven.md\n",
            ),
        ],
    );
    dir
}

const CANARIES: [&str; 16] = [
    "canaryslugunproven",
    "CanaryTitleUnproven",
    "CanarySummaryUnproven",
    "canarytagunproven",
    "CanaryBodyUnproven",
    "canary-asset-unproven",
    "CanaryTitleExpired",
    "CanaryBodyExpired",
    "CanaryTitleDraft",
    "CanaryBodyDraft",
    "CanaryEngagementId",
    "CanaryCustomerName",
    "CanaryCsmName",
    "CanaryPrivateNote",
    "CanaryOldCustomer",
    "CanaryPartialCustomer",
];

/// Canaries found in any output file's path or contents.
fn leaks(out: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for (path, bytes) in all_files(out) {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        for c in CANARIES {
            let c_l = c.to_lowercase();
            if path.to_lowercase().contains(&c_l) || text.contains(&c_l) {
                found.push(format!("{c} in {path}"));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn nothing_unproven_or_private_reaches_a_published_build() {
    let site = canary_site();
    let (code, _, err) = shirube(site.path(), &["build"]);
    assert_eq!(code, 0, "{err}");
    let out = site.path().join("public");
    assert!(
        out.join("playbooks/onboarding/sso/index.html").is_file(),
        "the proven page is published"
    );
    assert_eq!(leaks(&out), Vec::<String>::new());
    // The published page says what it requires, as plain text without a link, and warns the author.
    let sso =
        std::fs::read_to_string(out.join("playbooks/onboarding/sso/index.html")).expect("page");
    assert!(!sso.contains("canaryslugunproven"));
    assert!(err.contains(
        "playbooks/onboarding/sso.md:6:12: warning[requires-unpublished]: requires playbooks/onboarding/canaryslugunproven.md, which is not published"
    ), "{err}");
    assert!(err.contains(
        "playbooks/onboarding/sso.md:8:28: warning[link-to-unpublished]: link to playbooks/onboarding/canaryslugunproven.md, which is not published in this build"
    ), "{err}");
    for (col, what) in [
        (
            65,
            "playbooks/onboarding/canaryslugunproven.md (at \"/playbooks/onboarding/canaryslugunproven/\")",
        ),
        (
            127,
            "playbooks/onboarding/canaryslugunproven.md (at \"https://guide.example/playbooks/onboarding/canaryslugunproven/\")",
        ),
        (214, "content/faq/draft.md (on the FAQ page)"),
    ] {
        let warning = format!(
            "playbooks/onboarding/sso.md:8:{col}: warning[link-to-unpublished]: link to {what}, which is not published in this build"
        );
        assert!(err.contains(&warning), "{warning}\n{err}");
    }
    assert!(
        err.contains("held back 3 pages (1 draft, 1 expired, 1 unproven)"),
        "{err}"
    );
}

#[test]
fn preview_shows_what_build_hides_but_never_private_fields() {
    let site = canary_site();
    let out = site.path().join("preview");
    let (code, _, err) = shirube(
        site.path(),
        &[
            "build",
            "--preview",
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let found = leaks(&out);
    // The test can fail: unproven content is there in preview...
    for c in [
        "CanaryTitleUnproven",
        "CanaryBodyExpired",
        "CanaryTitleDraft",
        "canary-asset-unproven",
    ] {
        assert!(
            found.iter().any(|f| f.starts_with(c)),
            "{c} missing from preview: {found:?}"
        );
    }
    // ...but customers, CSMs, notes and engagement ids never are.
    for c in [
        "CanaryEngagementId",
        "CanaryCustomerName",
        "CanaryCsmName",
        "CanaryPrivateNote",
        "CanaryOldCustomer",
    ] {
        assert!(
            !found.iter().any(|f| f.starts_with(c)),
            "{c} leaked into preview: {found:?}"
        );
    }
    let page =
        std::fs::read_to_string(out.join("playbooks/onboarding/canaryslugunproven/index.html"))
            .expect("page");
    assert!(
        page.contains("Unproven: needs 1 more successful engagement with a low-touch customer."),
        "{page}"
    );
    assert!(
        page.contains("<meta name=\"robots\" content=\"noindex"),
        "preview pages are not for search engines"
    );
    let robots = std::fs::read_to_string(out.join("robots.txt")).expect("robots");
    assert!(robots.contains("Disallow: /"));
}

#[test]
fn public_manifest_lists_published_pages_with_counts_only() {
    let site = canary_site();
    let (code, _, err) = shirube(site.path(), &["build"]);
    assert_eq!(code, 0, "{err}");
    let json =
        std::fs::read_to_string(site.path().join("public/manifest.json")).expect("manifest.json");
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let pages = v["pages"].as_array().expect("pages");
    let sso = pages
        .iter()
        .find(|p| p["url"] == "/playbooks/onboarding/sso/")
        .expect("sso listed");
    assert_eq!(sso["title"], "Connect SSO");
    assert_eq!(sso["phase"], "onboarding");
    assert_eq!(sso["tiers"], serde_json::json!(["low"]));
    assert_eq!(sso["proofs"], serde_json::json!({"low": 1}));
    assert_eq!(sso["newest_proof"], "2026-10-01");
    assert_eq!(sso["state"], "published");
    assert_eq!(pages.len(), 1, "only the published page: {json}");
}

/// A site with two playbooks (sso.md, invite.md) for `prove`, and `manifest` as its manifest.yaml.
fn prove_site(manifest: &str) -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("temp dir");
    write(
        site.path(),
        &[
            ("shirube.yaml", "title: T\n"),
            (
                "playbooks/onboarding/sso.md",
                "---\ntitle: SSO\nphase: onboarding\n---\nSteps.\n",
            ),
            (
                "playbooks/onboarding/invite.md",
                "---\ntitle: Invite\nphase: onboarding\n---\nSteps.\n",
            ),
            ("manifest.yaml", manifest),
        ],
    );
    site
}

#[test]
fn prove_round_trip_keeps_comments_and_order() {
    let manifest = "# Proofs for our guide. Keep this comment.\nengagements:\n  # The first customer.\n  - id: ENG-1\n    customer: Acme KK   # private\n    tier: low\n    date: 2026-10-01\n    used:\n      - playbooks/onboarding/sso.md\n    note: Went well.\n";
    let site = prove_site(manifest);
    write(
        site.path(),
        &[("content/about.md", "---\ntitle: About\n---\n")],
    );
    // Add a page to an existing engagement, and give the hand-written entry its hash.
    let (code, out, err) = shirube(
        site.path(),
        &[
            "prove",
            "playbooks/onboarding/sso.md",
            "playbooks/onboarding/invite.md",
            "--engagement",
            "ENG-1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let hashes: Vec<&str> = out
        .lines()
        .map(|l| l.split(' ').nth(1).expect("path and hash"))
        .collect();
    assert_eq!(hashes.len(), 2);
    let after = std::fs::read_to_string(site.path().join("manifest.yaml")).expect("manifest");
    assert_eq!(
        after,
        format!(
            "# Proofs for our guide. Keep this comment.\nengagements:\n  # The first customer.\n  - id: ENG-1\n    customer: Acme KK   # private\n    tier: low\n    date: 2026-10-01\n    used:\n      - path: playbooks/onboarding/sso.md\n        hash: {}\n      - path: playbooks/onboarding/invite.md\n        hash: {}\n    note: Went well.\n",
            hashes[0], hashes[1]
        )
    );
    // Proving again changes nothing: no duplicate entry.
    let (code, _, err) = shirube(
        site.path(),
        &[
            "prove",
            "playbooks/onboarding/sso.md",
            "--engagement",
            "ENG-1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(site.path().join("manifest.yaml")).expect("manifest"),
        after
    );
    // A new engagement is appended at the end.
    let (code, _, err) = shirube(
        site.path(),
        &[
            "prove",
            "playbooks/onboarding/invite.md",
            "--engagement",
            "ENG-2",
            "--tier",
            "mid",
            "--customer",
            "Beta: Inc",
            "--date",
            "2026-11-20",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let third = std::fs::read_to_string(site.path().join("manifest.yaml")).expect("manifest");
    assert!(third.starts_with(&after));
    assert_eq!(
        &third[after.len()..],
        format!(
            "\n  - id: ENG-2\n    customer: \"Beta: Inc\"\n    tier: mid\n    date: 2026-11-20\n    outcome: success\n    used:\n      - path: playbooks/onboarding/invite.md\n        hash: {}\n",
            hashes[1]
        )
    );
    // Refusals: unknown path (did-you-mean), ungated kind, unknown tier, future date.
    let refuse = |args: &[&str]| {
        let (code, _, err) = shirube(site.path(), args);
        assert_eq!(code, 2, "{err}");
        err
    };
    assert_eq!(
        refuse(&[
            "prove",
            "playbooks/onboarding/ssoo.md",
            "--engagement",
            "ENG-3",
            "--tier",
            "low"
        ]),
        "error: no page at \"playbooks/onboarding/ssoo.md\"\n  help: did you mean \"playbooks/onboarding/sso.md\"?\n"
    );
    assert_eq!(
        refuse(&[
            "prove",
            "content/about.md",
            "--engagement",
            "ENG-3",
            "--tier",
            "low"
        ]),
        "error: content/about.md is a page, which needs no proof\n  help: only these kinds need proof (`proof: gate:` in shirube.yaml): playbook, faq\n"
    );
    assert_eq!(
        refuse(&[
            "prove",
            "playbooks/onboarding/sso.md",
            "--engagement",
            "ENG-3",
            "--tier",
            "lw"
        ]),
        "error: unknown tier \"lw\"\n  help: did you mean \"low\"?\n"
    );
    assert!(
        refuse(&[
            "prove",
            "playbooks/onboarding/sso.md",
            "--engagement",
            "ENG-3",
            "--tier",
            "low",
            "--date",
            "2027-01-01"
        ])
        .starts_with("error: date 2027-01-01 is in the future")
    );
    // An existing engagement takes pages as recorded: flags that repeat what it records are fine, flags that
    // contradict it are refused (else `--outcome failed` would be dropped and the page counted as proof).
    let (code, _, err) = shirube(
        site.path(),
        &[
            "prove",
            "playbooks/onboarding/sso.md",
            "--engagement",
            "ENG-1",
            "--tier",
            "low",
            "--customer",
            "Acme KK",
            "--date",
            "2026-10-01",
            "--outcome",
            "success",
            "--note",
            "Went well.",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        refuse(&[
            "prove",
            "playbooks/onboarding/invite.md",
            "--engagement",
            "ENG-1",
            "--tier",
            "mid",
            "--date",
            "2026-10-02",
            "--outcome",
            "failed",
            "--csm",
            "Bob",
        ]),
        "error: engagement ENG-1 is recorded with tier low (not mid), date 2026-10-01 (not 2026-10-02), \
         outcome success (not failed), no CSM (not Bob)\n  \
         help: to add pages to it as recorded, drop --tier --date --outcome --csm; to change it, edit \
         manifest.yaml:4 by hand\n"
    );
    assert_eq!(
        refuse(&[
            "prove",
            "playbooks/onboarding/sso.md",
            "--engagement",
            " ",
            "--tier",
            "low"
        ]),
        "error: the engagement id is empty\n  help: give an id, for example --engagement ENG-2026-031\n"
    );
    assert_eq!(
        refuse(&[
            "prove",
            "playbooks/onboarding/sso.md",
            "--engagement",
            "ENG-3",
            "--tier",
            "low",
            "--customer",
            "Acme\u{1}"
        ]),
        "error: --customer holds a control character\n  help: write it in plain text (line breaks and tabs are fine)\n"
    );
    assert_eq!(
        std::fs::read_to_string(site.path().join("manifest.yaml")).expect("manifest"),
        third,
        "refusals write nothing"
    );
}

#[test]
fn status_json_reports_every_field() {
    let site = canary_site();
    let (code, out, err) = shirube(site.path(), &["status", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["format"], 1);
    assert_eq!(v["today"], TODAY);
    let page = |path: &str| {
        v["pages"]
            .as_array()
            .expect("pages")
            .iter()
            .find(|p| p["path"] == path)
            .cloned()
            .expect(path)
    };
    let sso = page("playbooks/onboarding/sso.md");
    assert_eq!(sso["state"], "published");
    assert_eq!(sso["published"], true);
    assert_eq!(sso["url"], "playbooks/onboarding/sso/");
    assert_eq!(sso["kind"], "playbook");
    assert_eq!(sso["phase"], "onboarding");
    assert_eq!(sso["tiers"], serde_json::json!(["low"]));
    assert_eq!(
        sso["proofs"],
        serde_json::json!({"tech": 0, "low": 1, "mid": 0, "high": 0})
    );
    assert_eq!(sso["newest_proof"], "2026-10-01");
    assert_eq!(sso["expires_in_days"], 540 - 55);
    assert_eq!(sso["drift"], "unknown");
    assert_eq!(
        sso["uses"],
        serde_json::json!({"success": 1, "partial": 0, "failed": 0})
    );
    assert_eq!(sso["hash"].as_str().map(str::len), Some(16));
    let old = page("playbooks/adoption/old.md");
    assert_eq!(old["state"], "expired");
    assert_eq!(old["expires_in_days"], 540 - 1059);
    let unproven = page("playbooks/onboarding/canaryslugunproven.md");
    assert_eq!(unproven["state"], "unproven");
    assert_eq!(
        unproven["reason"],
        "needs 1 more successful engagement with a low-touch customer"
    );
    assert_eq!(
        unproven["uses"],
        serde_json::json!({"success": 0, "partial": 1, "failed": 0})
    );
    assert_eq!(page("content/faq/draft.md")["state"], "draft");
    assert_eq!(
        v["to_prove"],
        serde_json::json!([
            "playbooks/adoption/old.md",
            "playbooks/onboarding/canaryslugunproven.md"
        ])
    );
    assert!(
        !out.contains("Canary") || !out.contains("CanaryCustomerName"),
        "no customer in status JSON"
    );
    assert!(!out.contains("CanaryEngagementId"));
}

#[test]
fn manifest_errors_fail_the_build_with_positions() {
    let site = canary_site();
    write(
        site.path(),
        &[(
            "manifest.yaml",
            "engagements:\n  - id: E1\n    tier: lowe\n    date: 2026-13-01\n    outcome: sucess\n    used:\n      - playbooks/onboarding/ssso.md\n",
        )],
    );
    let (code, _, err) = shirube(site.path(), &["check"]);
    assert_eq!(code, 1);
    let headlines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("manifest.yaml:"))
        .collect();
    assert_eq!(
        headlines,
        [
            "manifest.yaml:3:11: error[unknown-tier]: unknown tier \"lowe\"",
            "manifest.yaml:4:11: error[invalid-date]: invalid date \"2026-13-01\"",
            "manifest.yaml:5:14: error[unknown-outcome]: unknown outcome \"sucess\"",
            "manifest.yaml:7:9: error[unknown-page]: no page at \"playbooks/onboarding/ssso.md\"",
        ]
    );
}

#[test]
fn manifest_folder_files_are_merged() {
    let site = tempfile::tempdir().expect("temp dir");
    write(
        site.path(),
        &[
            ("shirube.yaml", "title: T\n"),
            (
                "playbooks/onboarding/sso.md",
                "---\ntitle: SSO\nphase: onboarding\ntier: low\n---\nSteps.\n",
            ),
            (
                "playbooks/onboarding/invite.md",
                "---\ntitle: Invite\nphase: onboarding\ntier: mid\n---\nSteps.\n",
            ),
            (
                "manifest/2026-q3.yaml",
                "engagements:\n  - id: Q3-1\n    tier: low\n    date: 2026-08-01\n    used: [playbooks/onboarding/sso.md]\n",
            ),
            (
                "manifest/2026-q4.yaml",
                "engagements:\n  - id: Q4-1\n    tier: mid\n    date: 2026-11-01\n    used: [playbooks/onboarding/invite.md]\n",
            ),
        ],
    );
    let (code, _, err) = shirube(site.path(), &["build"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        site.path()
            .join("public/playbooks/onboarding/sso/index.html")
            .is_file()
    );
    assert!(
        site.path()
            .join("public/playbooks/onboarding/invite/index.html")
            .is_file()
    );
    // The same id in two files is an error that names the first one.
    write(
        site.path(),
        &[(
            "manifest/2026-q4.yaml",
            "engagements:\n  - id: Q3-1\n    tier: mid\n    date: 2026-11-01\n    used: [playbooks/onboarding/invite.md]\n",
        )],
    );
    let (code, _, err) = shirube(site.path(), &["check"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with(
            "manifest/2026-q4.yaml:2:9: error[duplicate-engagement-id]: duplicate engagement id \"Q3-1\"\n 2 |   - id: Q3-1\n   |         ^^^^\n  help: manifest/2026-q3.yaml:2 already uses it; give each engagement its own id\n"
        ),
        "{err}"
    );
}

#[test]
fn a_page_with_broken_front_matter_is_not_also_missing_from_the_manifest() {
    let site = canary_site();
    write(
        site.path(),
        &[(
            "playbooks/onboarding/sso.md",
            "---\ntitle: [Connect SSO\n---\n",
        )],
    );
    let (code, _, err) = shirube(site.path(), &["check"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("playbooks/onboarding/sso.md:2:8: error[yaml-syntax]:"),
        "{err}"
    );
    assert!(!err.contains("no page at"), "one mistake, one error: {err}");
}

/// The Atom feed lists published playbooks and FAQs by their newest proof, escaped so a real XML parser reads
/// it back, and nothing held back; a site whose `base_url` has no host gets no feed and no link to one.
#[test]
fn the_feed_lists_proven_pages_newest_proof_first() {
    let site = canary_site();
    write(
        site.path(),
        &[
            (
                "playbooks/adoption/reports.md",
                "---\ntitle: Reports & \"KPIs\" <weekly>\nphase: adoption\ntier: [low, mid]\nsummary: Build the <b>first</b> report & share it.\n---\nBody.\n",
            ),
            (
                "content/faq/billing.md",
                "---\ntitle: 請求書の送付先は変更できますか？\nphase: renewal\ntier: all\n---\nはい。\n",
            ),
            (
                "content/about.md",
                "---\ntitle: About this guide\n---\nAn ungated page: never in the feed.\n",
            ),
            (
                "manifest/more.yaml",
                "engagements:\n  - id: e-reports\n    customer: C\n    tier: mid\n    date: 2026-11-20\n    used: [playbooks/adoption/reports.md]\n\
                 \n  - id: e-billing\n    customer: D\n    tier: low\n    date: 2026-10-01\n    used: [content/faq/billing.md, content/about.md]\n",
            ),
        ],
    );
    let (code, _, err) = shirube(site.path(), &["build"]);
    assert_eq!(code, 0, "{err}");
    let out = site.path().join("public");
    let xml = std::fs::read_to_string(out.join("feed.xml")).expect("feed.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let feed = doc.root_element();
    assert_eq!(
        feed.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let child = |n: roxmltree::Node<'_, '_>, name: &str| {
        n.children()
            .find(|c| c.has_tag_name(name))
            .and_then(|c| c.text())
            .map(str::to_string)
    };
    assert_eq!(child(feed, "title").as_deref(), Some("Canary guide"));
    assert_eq!(child(feed, "id").as_deref(), Some("https://guide.example/"));
    assert_eq!(
        child(feed, "updated").as_deref(),
        Some("2026-11-20T00:00:00Z")
    );
    let entries: Vec<(String, String, String, Vec<String>)> = feed
        .children()
        .filter(|c| c.has_tag_name("entry"))
        .map(|e| {
            let link = e
                .children()
                .find(|c| c.has_tag_name("link"))
                .and_then(|l| l.attribute("href"))
                .expect("entry link")
                .to_string();
            let terms = e
                .children()
                .filter(|c| c.has_tag_name("category"))
                .map(|c| c.attribute("term").expect("term").to_string())
                .collect();
            (
                child(e, "title").expect("title"),
                link,
                child(e, "updated").expect("updated"),
                terms,
            )
        })
        .collect();
    let want = |title: &str, url: &str, date: &str, terms: &[&str]| {
        (
            title.to_string(),
            format!("https://guide.example/{url}"),
            format!("{date}T00:00:00Z"),
            terms
                .iter()
                .map(std::string::ToString::to_string)
                .collect::<Vec<_>>(),
        )
    };
    // Newest proof first; the two proven on the same day in URL order. The ungated page, the unproven, the
    // expired and the draft one are not there.
    assert_eq!(
        entries,
        vec![
            want(
                "Reports & \"KPIs\" <weekly>",
                "playbooks/adoption/reports/",
                "2026-11-20",
                &["adoption", "low", "mid"],
            ),
            want(
                "請求書の送付先は変更できますか？",
                "faq/billing/",
                "2026-10-01",
                &["renewal", "tech", "low", "mid", "high"],
            ),
            want(
                "Connect SSO",
                "playbooks/onboarding/sso/",
                "2026-10-01",
                &["onboarding", "low"],
            ),
        ]
    );
    let reports = feed
        .children()
        .find(|c| c.has_tag_name("entry"))
        .expect("entry");
    assert_eq!(
        child(reports, "summary").as_deref(),
        Some("Build the <b>first</b> report & share it.")
    );
    // Every entry is a page of the output, and every page links to the feed.
    for (_, url, _, _) in &entries {
        let rel = url
            .strip_prefix("https://guide.example/")
            .expect("under base");
        assert!(out.join(rel).join("index.html").is_file(), "{url}");
    }
    let home = std::fs::read_to_string(out.join("index.html")).expect("home");
    assert!(
        home.contains(
            "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Canary guide\" href=\"/feed.xml\">"
        ),
        "{home}"
    );

    // A preview build shows unproven pages, but its feed still lists only what is published.
    let preview = site.path().join("preview");
    let (code, _, err) = shirube(
        site.path(),
        &[
            "build",
            "--preview",
            "--out",
            preview.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(preview.join("feed.xml")).expect("preview feed"),
        xml
    );

    // Without a host in base_url, readers could not follow its links: no feed, no link to one.
    write(
        site.path(),
        &[("shirube.yaml", "title: Canary guide\nbase_url: /guide/\n")],
    );
    let (code, _, err) = shirube(site.path(), &["build"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.join("feed.xml").exists());
    for (path, bytes) in all_files(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("feed.xml"), "{path} mentions the feed");
    }
}

#[test]
fn a_page_changed_since_its_proof_is_a_warning_that_says_what_to_do() {
    let site = tempfile::tempdir().expect("temp dir");
    write(
        site.path(),
        &[
            ("shirube.yaml", "title: T\n"),
            (
                "playbooks/onboarding/sso.md",
                "---\ntitle: SSO\nphase: onboarding\ntier: low\n---\nSteps.\n",
            ),
            ("manifest.yaml", "engagements: []\n"),
        ],
    );
    let (code, _, err) = shirube(
        site.path(),
        &[
            "prove",
            "playbooks/onboarding/sso.md",
            "--engagement",
            "ENG-1",
            "--tier",
            "low",
            "--date",
            "2026-11-02",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, _, clean) = shirube(site.path(), &["check"]);
    assert_eq!(clean, "0 errors, 0 warnings\n");
    write(
        site.path(),
        &[(
            "playbooks/onboarding/sso.md",
            "---\ntitle: SSO\nphase: onboarding\ntier: low\n---\nSteps, rewritten.\n",
        )],
    );
    let (code, _, err) = shirube(site.path(), &["check"]);
    assert_eq!(code, 0, "a warning only");
    assert_eq!(
        err,
        "playbooks/onboarding/sso.md: warning[stale-proof]: changed since it was last proven on 2026-11-02\n  \
         help: prove it again with a low-touch customer (shirube prove playbooks/onboarding/sso.md); \
         `shirube status` shows every page\n\n0 errors, 1 warning\n"
    );
}

/// `prove` leaves the manifest file as the author keeps it: comments on hash lines, notes that mention
/// `used:`, CRLF line endings, a byte order mark, its permissions, and a symlink to a shared file.
#[test]
fn prove_keeps_the_manifest_file_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    let site = prove_site("engagements: []\n");
    let prove = |args: &[&str]| {
        let (code, _, err) = shirube(site.path(), args);
        assert_eq!(code, 0, "{err}");
    };
    prove(&[
        "prove",
        "playbooks/onboarding/sso.md",
        "--engagement",
        "E1",
        "--tier",
        "low",
    ]);
    // The author comments the hash line; a later prove after an edit updates the hash, not the comment.
    let manifest = site.path().join("manifest.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let hash_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("hash:"))
        .unwrap()
        .to_string();
    let commented = text.replace(&hash_line, &format!("{hash_line} # checked by Alex"));
    std::fs::write(&manifest, &commented).unwrap();
    write(
        site.path(),
        &[(
            "playbooks/onboarding/sso.md",
            "---\ntitle: SSO\nphase: onboarding\n---\nNew steps.\n",
        )],
    );
    prove(&["prove", "playbooks/onboarding/sso.md", "--engagement", "E1"]);
    let after = std::fs::read_to_string(&manifest).unwrap();
    let new_hash = after
        .lines()
        .find(|l| l.trim_start().starts_with("hash:"))
        .unwrap();
    assert!(new_hash.ends_with(" # checked by Alex"), "{after}");
    assert_ne!(
        new_hash,
        format!("{hash_line} # checked by Alex"),
        "the hash changed"
    );

    // A note block that mentions `used:` in an engagement without uses: the note keeps all its lines.
    let note = "engagements:\r\n  - id: E2\r\n    tier: low\r\n    date: 2026-11-01\r\n    note: |\r\n      \
                Went well.\r\n      used: the portal until March\r\n";
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(note.as_bytes());
    std::fs::write(&manifest, &bytes).unwrap();
    std::fs::set_permissions(&manifest, std::fs::Permissions::from_mode(0o600)).unwrap();
    prove(&[
        "prove",
        "playbooks/onboarding/invite.md",
        "--engagement",
        "E2",
    ]);
    let after = std::fs::read(&manifest).unwrap();
    assert!(
        after.starts_with(b"\xEF\xBB\xBF"),
        "the byte order mark stays"
    );
    let after = String::from_utf8(after[3..].to_vec()).unwrap();
    assert!(
        after.contains("      used: the portal until March\r\n"),
        "{after}"
    );
    assert!(
        after.contains("    used:\r\n      - path: playbooks/onboarding/invite.md\r\n"),
        "{after}"
    );
    assert!(
        !after.replace("\r\n", "").contains('\n'),
        "CRLF everywhere: {after:?}"
    );
    // A new engagement appended keeps CRLF too.
    prove(&[
        "prove",
        "playbooks/onboarding/sso.md",
        "--engagement",
        "E3",
        "--tier",
        "low",
    ]);
    let after = std::fs::read_to_string(&manifest).unwrap();
    assert!(
        after.contains("- id: E3\r\n") && !after.replace("\r\n", "").contains('\n'),
        "{after:?}"
    );
    let mode = std::fs::metadata(&manifest).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the manifest keeps its permissions");

    // A symlinked manifest: the file it leads to is edited, and the link stays a link.
    let shared = site.path().join("shared.yaml");
    std::fs::rename(&manifest, &shared).unwrap();
    std::os::unix::fs::symlink(&shared, &manifest).unwrap();
    prove(&[
        "prove",
        "playbooks/onboarding/invite.md",
        "--engagement",
        "E4",
        "--tier",
        "mid",
    ]);
    assert!(
        std::fs::symlink_metadata(&manifest)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&shared)
            .unwrap()
            .contains("- id: E4")
    );
}

/// Eight proves at once into one manifest: every engagement is recorded.
#[test]
fn proves_at_the_same_time_lose_nothing() {
    let site = prove_site("engagements: []\n");
    let children: Vec<_> = (0..8)
        .map(|i| {
            std::process::Command::new(env!("CARGO_BIN_EXE_shirube"))
                .args([
                    "prove",
                    "playbooks/onboarding/sso.md",
                    "--tier",
                    "low",
                    "--engagement",
                ])
                .arg(format!("ENG-{i}"))
                .current_dir(site.path())
                .env("SHIRUBE_TODAY", TODAY)
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("run shirube")
        })
        .collect();
    for mut c in children {
        assert!(c.wait().expect("wait").success());
    }
    let text = std::fs::read_to_string(site.path().join("manifest.yaml")).unwrap();
    for i in 0..8 {
        assert!(
            text.contains(&format!("- id: ENG-{i}\n")),
            "ENG-{i} was lost:\n{text}"
        );
    }
}

#[test]
fn a_success_with_a_tier_the_page_does_not_target_is_recorded_with_a_warning() {
    let site = prove_site("engagements: []\n");
    write(
        site.path(),
        &[(
            "playbooks/retention/review.md",
            "---\ntitle: Review\nphase: onboarding\ntier: [high]\n---\nSteps.\n",
        )],
    );
    let (code, out, err) = shirube(
        site.path(),
        &[
            "prove",
            "playbooks/retention/review.md",
            "--engagement",
            "E1",
            "--tier",
            "low",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let hash = out.split(' ').nth(1).expect("path and hash").trim();
    assert_eq!(
        err,
        "recorded 1 page in engagement E1 (manifest.yaml)\nwarning[off-tier-proof]: engagement E1 is low tier, which playbooks/retention/review.md does not target: it is not proof of the page\n  help: the page targets high; it is published after a success with a high-touch customer. If it is meant for low customers too, add low to its `tier:`\n"
    );
    let manifest = std::fs::read_to_string(site.path().join("manifest.yaml")).expect("manifest");
    assert!(manifest.contains(&format!("hash: {hash}")), "{manifest}");
    // `check` says the same of the entry, where it is.
    let (code, _, err) = shirube(site.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        "manifest.yaml:7:15: warning[off-tier-proof]: engagement E1 is low tier, which playbooks/retention/review.md does not target: it is not proof of the page\n 7 |       - path: playbooks/retention/review.md\n   |               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  help: the page targets high; it is published after a success with a high-touch customer. If it is meant for low customers too, add low to its `tier:`\n\n0 errors, 1 warning\n"
    );
    // Adding it to an existing engagement of another tier warns too; a partial outcome is no proof anyway, and
    // a targeted tier is proof: no warning.
    let (code, _, err) = shirube(
        site.path(),
        &[
            "prove",
            "playbooks/retention/review.md",
            "--engagement",
            "E1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("\nwarning[off-tier-proof]: engagement E1 is low tier"),
        "{err}"
    );
    for (id, tier, outcome) in [("E2", "mid", "partial"), ("E3", "high", "success")] {
        let (code, _, err) = shirube(
            site.path(),
            &[
                "prove",
                "playbooks/retention/review.md",
                "--engagement",
                id,
                "--tier",
                tier,
                "--outcome",
                outcome,
            ],
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            err,
            format!("recorded 1 page in engagement {id} (manifest.yaml)\n")
        );
    }
    // Proven now by the high-tier success: the low-tier records are history, and check says nothing of them.
    let (code, _, err) = shirube(site.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "0 errors, 0 warnings\n");
}

#[test]
fn a_stale_page_held_back_is_first_in_what_to_prove() {
    let site = canary_site();
    let manifest = std::fs::read_to_string(site.path().join("manifest.yaml")).expect("manifest");
    let manifest = manifest.replace(
        "      - playbooks/onboarding/sso.md\n",
        "      - path: playbooks/onboarding/sso.md\n        hash: 0123456789abcdef\n",
    );
    write(
        site.path(),
        &[
            (
                "shirube.yaml",
                "title: Canary guide\nbase_url: https://guide.example/\nproof:\n  on_change: unpublish\n",
            ),
            ("manifest.yaml", &manifest),
        ],
    );
    let (code, out, err) = shirube(site.path(), &["status", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(
        v["to_prove"],
        serde_json::json!([
            "playbooks/onboarding/sso.md",
            "playbooks/adoption/old.md",
            "playbooks/onboarding/canaryslugunproven.md"
        ])
    );
    let (code, out, err) = shirube(site.path(), &["status"]);
    assert_eq!(code, 0, "{err}");
    let next = out.split("\nWhat to scale next\n").nth(1).expect("section");
    assert_eq!(
        next,
        "  prove these (held back since a change first, then most used in engagements):\n    \
         playbooks/onboarding/sso.md\n      used in 1 engagement (1 successful, 0 partial, 0 failed); changed since it was last proven on 2026-10-01; prove it again with a low-touch customer (shirube prove playbooks/onboarding/sso.md)\n    \
         playbooks/adoption/old.md\n      used in 1 engagement (1 successful, 0 partial, 0 failed); its proof is older than 540 days (newest 2024-01-01); needs 1 more successful engagement with a low-touch customer\n    \
         playbooks/onboarding/canaryslugunproven.md\n      used in 1 engagement (0 successful, 1 partial, 0 failed); needs 1 more successful engagement with a low-touch customer\n"
    );
}

#[test]
fn prove_starts_an_empty_manifest_and_explains_flow_style_engagements() {
    // `engagements:` with nothing under it yet is how a team starts: prove appends to it.
    let site = prove_site("# Our proofs.\nengagements:\n");
    let (code, _, err) = shirube(site.path(), &["check"]);
    assert_eq!((code, err.as_str()), (0, "0 errors, 0 warnings\n"));
    let (code, out, err) = shirube(
        site.path(),
        &[
            "prove",
            "playbooks/onboarding/sso.md",
            "--engagement",
            "E1",
            "--tier",
            "low",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let hash = out.split(' ').nth(1).expect("path and hash").trim();
    assert_eq!(
        std::fs::read_to_string(site.path().join("manifest.yaml")).expect("manifest"),
        format!(
            "# Our proofs.\nengagements:\n  - id: E1\n    tier: low\n    date: {TODAY}\n    outcome: success\n    used:\n      - path: playbooks/onboarding/sso.md\n        hash: {hash}\n"
        )
    );

    // An engagement written in flow style cannot take another line: say so, and how to rewrite it.
    let flow = "engagements:\n  - {id: ENG-F1, tier: low, date: 2026-10-01, used: [playbooks/onboarding/sso.md]}\n";
    let site = prove_site(flow);
    let (code, _, err) = shirube(
        site.path(),
        &[
            "prove",
            "playbooks/onboarding/invite.md",
            "--engagement",
            "ENG-F1",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: cannot edit manifest.yaml: engagement ENG-F1 is written in flow style ({id: ..., used: [...]}), which prove cannot edit\n  help: write it one key a line (`- id: ENG-F1`, then `tier:`, `date:` and `used:` below it), then run prove again\n"
    );
    assert_eq!(
        std::fs::read_to_string(site.path().join("manifest.yaml")).expect("manifest"),
        flow
    );
}

#[test]
fn with_nothing_gated_the_manifest_is_unused_said_once() {
    let site = prove_site(
        "engagements:\n  - id: E1\n    tier: low\n    date: 2026-10-01\n    used:\n      - playbooks/onboarding/sso.md\n      - playbooks/onboarding/invite.md\n",
    );
    write(
        site.path(),
        &[("shirube.yaml", "title: T\nproof:\n  gate: []\n")],
    );
    let (code, _, err) = shirube(site.path(), &["check"]);
    assert_eq!(code, 0);
    assert_eq!(
        err,
        "manifest.yaml:2:9: warning[manifest-unused]: nothing needs proof (`gate: []`), so this manifest is not used\n 2 |   - id: E1\n   |         ^^\n  help: to publish pages only once they are proven, list their kinds in shirube.yaml: `proof: gate: [playbook, faq]`\n\n0 errors, 1 warning\n"
    );
    let (code, _, err) = shirube(
        site.path(),
        &[
            "prove",
            "playbooks/onboarding/sso.md",
            "--engagement",
            "E2",
            "--tier",
            "low",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.ends_with(
            "error: playbooks/onboarding/sso.md is a playbook, which needs no proof\n  help: no kind needs proof: `proof: gate:` in shirube.yaml is empty\n"
        ),
        "{err}"
    );
}
