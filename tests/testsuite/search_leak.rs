//! Nothing unproven or draft reaches the search index: not as a term in any shard (decoded here, since shards
//! are binary and prefix-compressed, so a grep could miss a term), not in a fragment, the manifest or the
//! scripts, not in a `--preview` build either, and the runtime finds nothing for it.

use crate::support::*;
use std::path::Path;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

/// Canary words of unpublished pages, as the tokenizer turns them into terms.
const CANARY_TERMS: [&str; 8] = [
    "canarytitleunproven",
    "canarybodyunproven",
    "canarytagunproven",
    "canarytitledraft",
    "canarybodydraft",
    "canarytitleexpired",
    "鵺鶫",
    "鶫鵼",
];

fn canary_site(root: &Path) {
    write(
        root,
        &[
            (
                "shirube.yaml",
                "title: Canary guide\nbase_url: https://guide.example/\nlanguage: ja\n",
            ),
            (
                "content/index.md",
                "---\ntitle: Welcome\n---\nStart here.\n",
            ),
            (
                "playbooks/onboarding/sso.md",
                "---\ntitle: Connect SSO\nphase: onboarding\ntier: low\n---\nSSOを設定します。Then read [the secret one](secret.md).\n",
            ),
            (
                "playbooks/onboarding/secret.md",
                "---\ntitle: CanaryTitleUnproven\nphase: onboarding\ntier: low\nsummary: 鵺鶫鵼の手順\ntags: [canarytagunproven]\n---\n\
                 ## Heading\n\nCanaryBodyUnproven SSOを設定します。\n",
            ),
            (
                "playbooks/adoption/old.md",
                "---\ntitle: CanaryTitleExpired\nphase: adoption\ntier: low\n---\nSSO 鵺鶫\n",
            ),
            (
                "content/faq/draft.md",
                "---\ntitle: CanaryTitleDraft\nphase: onboarding\ndraft: true\n---\nCanaryBodyDraft SSO\n",
            ),
            (
                "manifest.yaml",
                "engagements:\n  - id: E1\n    customer: Someone KK\n    tier: low\n    date: 2026-10-01\n    outcome: success\n    used:\n      - playbooks/onboarding/sso.md\n      - content/faq/draft.md\n\
                 \n  - id: E2\n    customer: Old KK\n    tier: low\n    date: 2024-01-01\n    outcome: success\n    used:\n      - playbooks/adoption/old.md\n\
                 \n  - id: E3\n    customer: Partial KK\n    tier: low\n    date: 2026-11-01\n    outcome: partial\n    used:\n      - playbooks/onboarding/secret.md\n",
            ),
        ],
    );
}

fn varint(b: &[u8], pos: &mut usize) -> usize {
    let (mut v, mut shift) = (0usize, 0);
    loop {
        let byte = b[*pos];
        *pos += 1;
        v |= ((byte & 0x7f) as usize) << shift;
        if byte < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// Every term of a shard.
fn shard_terms(b: &[u8]) -> Vec<String> {
    assert_eq!(&b[..4], shirube::search::SHARD_MAGIC, "shard magic");
    let mut pos = 4;
    let n = varint(b, &mut pos);
    let mut prev: Vec<u8> = Vec::new();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let shared = varint(b, &mut pos);
        let rest = varint(b, &mut pos);
        let mut key = prev[..shared].to_vec();
        key.extend_from_slice(&b[pos..pos + rest]);
        pos += rest;
        let _pages = varint(b, &mut pos);
        let len = varint(b, &mut pos);
        pos += len;
        out.push(String::from_utf8(key.clone()).expect("terms are UTF-8"));
        prev = key;
    }
    assert_eq!(pos, b.len(), "shard fully read");
    out
}

/// Canary terms found in the index of `out`, and the number of terms read.
fn leaks(out: &Path) -> (Vec<String>, usize) {
    let mut found = Vec::new();
    let mut terms = 0;
    let mut files: Vec<_> = walk(&out.join("search"));
    files.push(out.join("shirube-search.js"));
    files.push(out.join("shirube-search-ui.js"));
    for f in files {
        let bytes = std::fs::read(&f).expect("read");
        let name = f.display().to_string();
        let text = if name.ends_with(".bin") && name.contains("/s/") {
            let t = shard_terms(&bytes);
            terms += t.len();
            t.join("\n")
        } else {
            String::from_utf8_lossy(&bytes).to_lowercase()
        };
        for c in CANARY_TERMS {
            if text.contains(c) || text.contains("鵺") {
                found.push(format!("{c} in {name}"));
            }
        }
    }
    found.sort();
    found.dedup();
    (found, terms)
}

#[test]
fn unpublished_pages_never_reach_the_index() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("site");
    canary_site(&root);
    for (name, extra) in [("public", &[][..]), ("preview", &["--preview"][..])] {
        let out = tmp.path().join(name);
        build(&root, &out, extra);
        let (found, terms) = leaks(&out);
        assert!(terms > 5, "{name}: the shards were read ({terms} terms)");
        assert_eq!(found, Vec::<String>::new(), "{name}");
        let manifest = std::fs::read_to_string(out.join("search/manifest.json")).expect("manifest");
        assert!(
            manifest.contains("\"pages\":1,"),
            "{name}: only the proven page: {manifest}"
        );
    }
    if node().is_none() {
        return skip("node 18+ is not installed");
    }
    let out = tmp.path().join("preview");
    let script = format!(
        "import {{ search }} from '{}';\n\
         const dir = {:?};\n\
         for (const q of ['canarybodyunproven', 'CanaryTitleDraft', '鵺鶫', 'canarytagunproven']) {{\n\
           const r = await search(q, {{ baseDir: dir }});\n\
           if (r.length) throw new Error(q + ' found ' + JSON.stringify(r));\n\
         }}\n\
         const ok = await search('SSO', {{ baseDir: dir, limit: 10 }});\n\
         if (ok.length !== 1 || ok[0].title !== 'Connect SSO') throw new Error(JSON.stringify(ok));\n",
        repo_root()
            .join("themes/default/static/shirube-search.js")
            .display(),
        out.display().to_string()
    );
    let (ok, stdout, stderr) = run_node(&["--input-type=module", "-e", &script], &[]);
    assert!(ok, "{stdout}\n{stderr}");
}

/// Private and unmapped columns of a CRM export imported with `prove --from`.
const CSV_CANARIES: [&str; 6] = [
    "CsvCanaryCustomer",
    "CsvCanaryCsm",
    "CsvCanaryNote",
    "CsvCanaryAmount",
    "CsvCanaryEmail",
    "株式会社鵺鶫",
];

#[test]
fn nothing_of_an_imported_csv_reaches_any_output() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("site");
    canary_site(&root);
    let csv = tmp.path().join("crm.csv");
    std::fs::write(
        &csv,
        "Deal,Company,Owner,Segment,Closed,Stage,Pages,Notes,Amount,Contact Email\r\n\
         D-1,CsvCanaryCustomer,CsvCanaryCsm,low,2026-10-03,success,Connect SSO,CsvCanaryNote,CsvCanaryAmount,CsvCanaryEmail@example.com\r\n\
         D-2,株式会社鵺鶫,CsvCanaryCsm,low,2026-10-04,success,playbooks/onboarding/sso.md,\"CsvCanaryNote, again\",CsvCanaryAmount,CsvCanaryEmail@example.com\r\n",
    )
    .expect("write csv");
    let res = std::process::Command::new(BIN)
        .args(["prove", "--root"])
        .arg(&root)
        .arg("--from")
        .arg(&csv)
        .args([
            "--map",
            "id=Deal,customer=Company,csm=Owner,tier=Segment,date=Closed,outcome=Stage,pages=Pages,note=Notes",
        ])
        .env("SHIRUBE_TODAY", "2026-11-20")
        .output()
        .expect("run shirube");
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let manifest = std::fs::read_to_string(root.join("manifest/imported.yaml")).expect("imported");
    assert!(
        manifest.contains("CsvCanaryCustomer") && manifest.contains("株式会社鵺鶫"),
        "the canaries are in the manifest, where private fields belong: {manifest}"
    );
    for (name, extra) in [("public", &[][..]), ("preview", &["--preview"][..])] {
        let out = tmp.path().join(name);
        build(&root, &out, extra);
        let mut found = Vec::new();
        for f in walk(&out) {
            let bytes = std::fs::read(&f).expect("read");
            let mut texts = vec![String::from_utf8_lossy(&bytes).to_lowercase()];
            let rel = f.strip_prefix(&out).expect("under out").to_string_lossy();
            texts.push(rel.to_lowercase());
            if rel.ends_with(".bin") && rel.contains("/s/") {
                texts.push(shard_terms(&bytes).join("\n"));
            }
            for c in CSV_CANARIES {
                let c = c.to_lowercase();
                if texts.iter().any(|t| t.contains(&c)) {
                    found.push(format!("{c} in {rel}"));
                }
            }
        }
        assert_eq!(found, Vec::<String>::new(), "{name}");
    }
}
