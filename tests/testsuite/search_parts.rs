//! Long pages keep their first sections in the fragment and the rest in parts; a query reads only the parts
//! that hold the sections where its words occur (issue 19, "search bytes"). Through the real runtime in Node.

use crate::support::*;

#[test]
fn a_query_reads_only_the_part_of_a_long_page_that_matches() {
    if node().is_none() {
        skip("node 18+ is not installed");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = tmp.path().join("site");
    copy_tree(&repo_root().join("tests/search/site"), &site);
    // Twelve sections of about 1.5 KB each; one word only in the tenth.
    let mut page = String::from("---\ntitle: Administrator handbook\nkind: page\n---\n\n");
    for i in 1..=12 {
        page.push_str(&format!("## Chapter {i}\n\n"));
        for line in 0..6 {
            let special = if i == 10 && line == 3 {
                " Only here the handbook mentions zygomorphic calendars."
            } else {
                ""
            };
            page.push_str(&format!(
                "Paragraph {line} of chapter {i} explains how administrators review settings, \
                 invite colleagues, check reports and keep records tidy for the whole organisation \
                 every quarter.{special} It goes on for a while so that the page is long.\n\n"
            ));
        }
    }
    std::fs::write(site.join("content/handbook.md"), &page).expect("write page");
    let out = tmp.path().join("public");
    build(&site, &out, &[]);

    let script = r#"
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
const { search, stats, reset } = await import(pathToFileURL(process.env.RUNTIME).href);
const dir = process.env.SITE;
reset();
const r = await search('zygomorphic', { baseDir: dir, limit: 5 });
const files = stats({ baseDir: dir }).files;
const fragments = files.filter((f) => f.startsWith('search/f/'));
const frag = JSON.parse(readFileSync(dir + '/' + fragments[0], 'utf8'));
console.log(JSON.stringify({
  urls: r.map((x) => x.url),
  excerpt: r[0]?.excerpt,
  section: r[0]?.sections[0]?.url,
  fragments,
  parts: frag.p ?? [],
  inline: frag.x.filter((x) => typeof x[2] === 'string').length,
}));
"#;
    let (ok, stdout, stderr) = run_node(
        &["--input-type=module", "-e", script],
        &[
            (
                "RUNTIME",
                repo_root()
                    .join("themes/default/static/shirube-search.js")
                    .display()
                    .to_string(),
            ),
            ("SITE", out.display().to_string()),
        ],
    );
    assert!(ok, "node failed:\n{stdout}\n{stderr}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    assert_eq!(v["urls"], serde_json::json!(["/handbook/"]), "{v}");
    assert!(
        v["excerpt"]
            .as_str()
            .is_some_and(|e| e.contains("<mark>zygomorphic</mark>")),
        "excerpt from the tenth chapter: {v}"
    );
    assert_eq!(v["section"], "/handbook/#chapter-10", "{v}");
    let parts = v["parts"].as_array().expect("parts").len();
    assert!(
        parts >= 2,
        "a page of about 18 KB of text is split into parts: {v}"
    );
    assert!(
        (1..12).contains(&v["inline"].as_u64().expect("inline")),
        "{v}"
    );
    // The fragment and the one part holding chapter 10, not the others.
    assert_eq!(
        v["fragments"].as_array().expect("fragments").len(),
        2,
        "{v}"
    );
}
