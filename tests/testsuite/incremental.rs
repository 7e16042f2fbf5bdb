//! `serve`'s incremental rebuild against full builds, byte for byte.
//!
//! A copy of the sample site goes through a sequence of edits of every kind an author makes (text, headings
//! that other pages link to, new and deleted pages, order, proof, drafts, templates, static files, assets, the
//! config), each followed by one update of a long-lived [`Session`]. After each step, every output file (and
//! every diagnostic) must be the same as a full build's from scratch, and [`Output::file`] (how `serve`
//! answers a request) must give the same bytes as [`Output::render_all`] (how `build` writes).

#![allow(clippy::result_large_err)]

use crate::common::copy_sample_site;
use pretty_assertions::assert_eq;
use shirube::pipeline::{self, Options, Session, Timings, Work};
use std::collections::BTreeMap;

/// Days since 1970-01-01 of 2026-11-25: the sample manifest's proofs are judged against a fixed day.
const TODAY: i64 = 20_782;

fn files_of(files: Vec<shirube::model::OutputFile>) -> BTreeMap<String, Vec<u8>> {
    // Later files with the same path replace earlier ones, as when they are written.
    files.into_iter().map(|f| (f.path, f.bytes)).collect()
}

struct Bench {
    root: std::path::PathBuf,
    opts: Options,
    session: Session,
}

impl Bench {
    fn write(&self, rel: &str, text: &str) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap()
    }

    #[track_caller]
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Updates the session as `serve` would after the watcher named `touched`, checks the result against a
    /// full build, and returns how much work the update did and whether it had errors.
    #[track_caller]
    fn step(&mut self, what: &str, touched: &[&str]) -> (Work, bool) {
        let touched: Vec<String> = touched
            .iter()
            .map(std::string::ToString::to_string)
            .collect();
        let update = self.session.update(&touched);
        let full = pipeline::build(&self.opts);
        assert_eq!(
            update.diagnostics.render(),
            full.diagnostics.render(),
            "{what}: diagnostics differ"
        );
        if full.diagnostics.has_errors() {
            assert!(update.diagnostics.has_errors(), "{what}");
            eprintln!(
                "{what}: errors, as expected or not:\n{}",
                full.diagnostics.render()
            );
            return (update.work, true);
        }
        let mut output = self
            .session
            .output()
            .unwrap_or_else(|e| panic!("{what}: {e:?}"));
        let (files, diags) = output.render_all(&mut Timings::default());
        assert!(diags.is_empty(), "{what}: {diags:?}");
        let incremental = files_of(files);
        let full = files_of(full.files);
        let paths: Vec<&String> = incremental.keys().collect();
        let full_paths: Vec<&String> = full.keys().collect();
        assert_eq!(paths, full_paths, "{what}: the set of files differs");
        for (path, bytes) in &full {
            let mine = &incremental[path];
            if mine != bytes {
                panic!(
                    "{what}: {path} differs from the full build\n--- incremental:\n{}\n--- full:\n{}",
                    String::from_utf8_lossy(mine),
                    String::from_utf8_lossy(bytes)
                );
            }
            // One file at a time, as `serve` answers a request.
            let one = output
                .file(path)
                .unwrap_or_else(|| panic!("{what}: no {path}"));
            assert!(
                one.as_ref().ok() == Some(bytes),
                "{what}: file({path}) differs"
            );
        }
        assert_eq!(
            output.paths().iter().collect::<Vec<_>>(),
            full_paths,
            "{what}: paths()"
        );
        assert!(output.file("no/such/page/index.html").is_none());
        (update.work, false)
    }
}

#[test]
fn incremental_updates_equal_full_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_sample_site(&root);
    let opts = Options {
        root: root.clone(),
        base_url: Some("https://guide.example.com/onboarding/".into()),
        preview: true,
        today: Some(TODAY),
    };
    let mut b = Bench {
        root,
        session: Session::new(opts.clone()),
        opts,
    };
    let (first, failed) = b.step("first build", &[]);
    assert!(!failed);
    assert!(first.rendered > 30, "{first:?}");
    assert!(first.templates);

    let (w, _) = b.step("nothing changed", &[]);
    assert_eq!((w.validated, w.rendered, w.templates), (0, 0, false));

    let sso = "playbooks/onboarding/connect-sso.md";
    b.edit(
        sso,
        "\n\n",
        "\n\nA sentence added while the browser watches.\n\n",
    );
    let (w, failed) = b.step("text of one playbook", &[sso]);
    assert!(!failed);
    assert_eq!((w.validated, w.rendered), (1, 1), "{w:?}");

    // A heading that another page links to, then the link.
    b.write(
        "content/target.md",
        "---\ntitle: Target\n---\n\n## First part\n\nText.\n",
    );
    b.write(
        "content/linker.md",
        "---\ntitle: Linker\n---\n\nSee [the first part](target.md#first-part) and [a file](files/checklist.txt).\n",
    );
    b.write("content/files/checklist.txt", "1. Sign in\n");
    let (_, failed) = b.step(
        "two new pages and an asset",
        &[
            "content/target.md",
            "content/linker.md",
            "content/files/checklist.txt",
        ],
    );
    assert!(!failed);
    b.edit("content/target.md", "## First part", "## Second part");
    // A missing heading id is a warning by default (`links: { missing_anchor: warn }`): the update must
    // still render the linker again, or its diagnostics would not be the full build's (`step` compares them).
    let (_, failed) = b.step("a heading renamed under a link", &["content/target.md"]);
    assert!(!failed);
    let full = pipeline::build(&b.opts).diagnostics.render();
    assert!(
        full.contains(
            "warning[missing-anchor]: broken link: content/target.md has no heading with id \"first-part\""
        ),
        "the link to #first-part is broken now: {full}"
    );
    b.edit("content/linker.md", "#first-part", "#second-part");
    let (w, failed) = b.step("the link fixed", &["content/linker.md"]);
    assert!(!failed);
    assert!(w.rendered <= 2, "{w:?}");

    // The linked file goes away (only the file is named), then comes back.
    std::fs::remove_file(b.root.join("content/files/checklist.txt")).unwrap();
    let (_, failed) = b.step("linked file deleted", &["content/files/checklist.txt"]);
    assert!(failed);
    b.write("content/files/checklist.txt", "1. Sign in\n2. Invite\n");
    let (_, failed) = b.step("linked file back", &["content/files/checklist.txt"]);
    assert!(!failed);

    // A broken link's did-you-mean changes when a page with a close name appears.
    b.edit(
        "content/linker.md",
        "See ",
        "Broken: [x](other-page.md). See ",
    );
    let (_, failed) = b.step("broken link", &["content/linker.md"]);
    assert!(failed);
    b.write("content/other-pag.md", "---\ntitle: Other\n---\n\nText.\n");
    let (_, failed) = b.step("a close name appears", &["content/other-pag.md"]);
    assert!(failed);
    b.edit("content/linker.md", "Broken: [x](other-page.md). ", "");
    let (_, failed) = b.step("broken link removed", &["content/linker.md"]);
    assert!(!failed);

    // Temp file and rename, as editors save.
    let tmp_file = b.root.join("content/.target.md.swp");
    std::fs::write(
        &tmp_file,
        b.read("content/target.md")
            .replace("Text.", "Text, saved atomically."),
    )
    .unwrap();
    std::fs::rename(&tmp_file, b.root.join("content/target.md")).unwrap();
    let (_, failed) = b.step("atomic save", &["content/target.md"]);
    assert!(!failed, "atomic save");

    // Order within a phase: prev/next neighbours and the phase and home pages change.
    b.edit(sso, "weight: 20", "weight: 999");
    let (_, failed) = b.step("weight", &[sso]);
    assert!(!failed, "weight");

    // Proof: remove the engagements' use of a page, so it becomes unproven (banner, links to it dropped).
    let manifest = b.read("manifest.yaml");
    let mut unproven = String::new();
    let mut skip_hash = false;
    for line in manifest.lines() {
        let dropped = line.trim() == "- path: playbooks/onboarding/invite-admins.md"
            || (skip_hash && line.trim_start().starts_with("hash:"));
        skip_hash = line.trim() == "- path: playbooks/onboarding/invite-admins.md";
        if !dropped {
            unproven.push_str(line);
            unproven.push('\n');
        }
    }
    assert_ne!(manifest, unproven);
    b.write("manifest.yaml", &unproven);
    let (_, failed) = b.step("manifest", &["manifest.yaml"]);
    assert!(!failed, "manifest");

    b.edit(
        "content/target.md",
        "title: Target",
        "title: Target\ndraft: true",
    );
    let (_, failed) = b.step("draft", &["content/target.md"]);
    assert!(!failed, "draft");

    // Delete a page another links to, then bring it back.
    let target = b.read("content/target.md");
    std::fs::remove_file(b.root.join("content/target.md")).unwrap();
    let (_, failed) = b.step("linked page deleted", &["content/target.md"]);
    assert!(failed);
    b.write("content/target.md", &target);
    let (_, failed) = b.step("linked page back", &["content/target.md"]);
    assert!(!failed, "linked page back");

    // A file in a new subfolder.
    b.write(
        "playbooks/adoption/deeper/new-one.md",
        "---\ntitle: A new one\nphase: adoption\n---\n\nLink to [SSO](../../onboarding/connect-sso.md).\n",
    );
    let (_, failed) = b.step("new subfolder", &["playbooks/adoption/deeper/new-one.md"]);
    assert!(!failed, "new subfolder");

    // A static file and an absolute link to it.
    b.edit(
        "content/linker.md",
        "See ",
        "Also [extra](/extra.txt). See ",
    );
    let (_, failed) = b.step(
        "link to a static file not there yet",
        &["content/linker.md"],
    );
    assert!(failed);
    b.write("static/extra.txt", "extra\n");
    let (_, failed) = b.step("static file", &["static/extra.txt"]);
    assert!(!failed);

    // Templates and config rebuild everything.
    b.edit(
        "themes/default/templates/page.html",
        "</article>",
        "</article><!-- edited -->",
    );
    let (w, failed) = b.step("template", &["themes/default/templates/page.html"]);
    assert!(w.templates && !failed);
    b.edit("shirube.yaml", "title: ", "title: Renamed ");
    let (w, failed) = b.step("config", &["shirube.yaml"]);
    assert!(w.rendered > 30 && !failed, "{w:?}");

    // Broken front matter, then fixed.
    let faq = "content/faq/export-data.md";
    let text = b.read(faq);
    b.write(faq, &text.replacen("title: ", "title: [", 1));
    let (_, failed) = b.step("broken front matter", &[faq]);
    assert!(failed);
    b.write(faq, &text);
    let (_, failed) = b.step("front matter fixed", &[faq]);
    assert!(!failed, "front matter fixed");

    // A change the watcher did not name (the size differs, so the stamp does).
    b.edit(sso, "A sentence added", "A longer sentence that was added");
    let (w, failed) = b.step("unnamed change", &[]);
    assert!(!failed);
    assert_eq!(w.validated, 1, "{w:?}");
}

/// Edits that change what the checks across pages and the gate read, each compared with a full build.
#[test]
fn edits_to_what_pages_share_equal_full_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_sample_site(&root);
    let opts = Options {
        root: root.clone(),
        base_url: None,
        preview: false,
        today: Some(TODAY),
    };
    let mut b = Bench {
        root,
        session: Session::new(opts.clone()),
        opts,
    };
    let (_, failed) = b.step("first build", &[]);
    assert!(!failed);
    let sso = "playbooks/onboarding/connect-sso.md";
    let admins = "playbooks/onboarding/invite-admins.md";

    // A `requires` that closes a cycle on the kickoff path, then opened again.
    b.edit(
        admins,
        "before_kickoff: true\n",
        "before_kickoff: true\nrequires: [playbooks/onboarding/connect-sso.md]\n",
    );
    let (_, failed) = b.step("kickoff cycle", &[admins]);
    assert!(failed, "a cycle on the kickoff path is an error");
    b.edit(
        admins,
        "requires: [playbooks/onboarding/connect-sso.md]\n",
        "",
    );
    let (_, failed) = b.step("kickoff cycle opened", &[admins]);
    assert!(!failed);

    // Off the kickoff checklist and back: the kickoff page and the home page change.
    b.edit(sso, "before_kickoff: true", "before_kickoff: false");
    let (w, failed) = b.step("before_kickoff off", &[sso]);
    assert!(!failed);
    assert_eq!(w.validated, 1, "{w:?}");
    b.edit(sso, "before_kickoff: false", "before_kickoff: true");
    let (_, failed) = b.step("before_kickoff on", &[sso]);
    assert!(!failed);

    // A slug changes the URL that other pages link to.
    b.edit(admins, "weight: 10", "weight: 10\nslug: admins");
    let (w, failed) = b.step("slug of a linked page", &[admins]);
    assert!(!failed);
    assert!(w.rendered > 1, "pages linking to it render again: {w:?}");

    // Another phase and another tier: phase, tier and home pages change.
    b.edit(sso, "phase: onboarding", "phase: adoption");
    let (_, failed) = b.step("phase", &[sso]);
    assert!(!failed);
    b.edit(sso, "tier: [low, mid, high]", "tier: [high]");
    let (_, failed) = b.step("tier", &[sso]);
    assert!(!failed);

    // The title of a page that others show in their cards and "requires" lists.
    b.edit(
        admins,
        "title: Invite your admins",
        "title: Invite the admins",
    );
    let (_, failed) = b.step("title", &[admins]);
    assert!(!failed);

    // Two pages saved at once, one of them with the same bytes as before.
    let faq = "content/faq/sso-required.md";
    b.edit(sso, "Single sign-on means", "Single sign-on (SSO) means");
    let same = b.read(faq);
    b.write(faq, &same);
    let (w, failed) = b.step("two saves, one without a change", &[sso, faq]);
    assert!(!failed);
    assert_eq!(w.validated, 1, "{w:?}");

    // A page renamed: gone under one name, new under another, in one update.
    let text = b.read(faq);
    std::fs::remove_file(b.root.join(faq)).unwrap();
    b.write("content/faq/sso-needed.md", &text);
    let (_, _) = b.step("renamed page", &[faq, "content/faq/sso-needed.md"]);
    std::fs::remove_file(b.root.join("content/faq/sso-needed.md")).unwrap();
    b.write(faq, &text);
    let (_, failed) = b.step("renamed back", &[faq, "content/faq/sso-needed.md"]);
    assert!(!failed);

    // A new manifest file under manifest/ that proves a page nobody had proven.
    b.write(
        "content/faq/brand-new.md",
        "---\ntitle: A brand new question\nphase: onboarding\ntier: all\n---\n\nThe answer.\n",
    );
    let (_, failed) = b.step("unproven page", &["content/faq/brand-new.md"]);
    assert!(!failed);
    b.write(
        "manifest/2026-12.yaml",
        "engagements:\n  - id: ENG-NEW-1\n    customer: Example KK\n    date: 2026-11-20\n    outcome: success\n    tier: low\n    used:\n      - content/faq/brand-new.md\n",
    );
    let (_, failed) = b.step("proven by a new manifest file", &["manifest/2026-12.yaml"]);
    assert!(!failed);
    let published = pipeline::build(&b.opts)
        .files
        .iter()
        .any(|f| f.path == "faq/brand-new/index.html");
    assert!(published, "the new manifest file publishes the page");

    // The theme's UI strings name the admonitions: every page renders again.
    b.edit(
        "themes/default/i18n/en.yaml",
        "admonition_note: \"Note\"",
        "admonition_note: \"Good to know\"",
    );
    let (w, failed) = b.step("UI strings", &["themes/default/i18n/en.yaml"]);
    assert!(!failed);
    assert!(w.rendered > 30, "{w:?}");

    // A config change that makes a page invalid (its phase is gone), then back.
    let config = b.read("shirube.yaml");
    b.edit(sso, "phase: adoption", "phase: nosuchphase");
    let (_, failed) = b.step("unknown phase", &[sso]);
    assert!(failed);
    b.write("shirube.yaml", &config);
    b.edit(sso, "phase: nosuchphase", "phase: onboarding");
    let (_, failed) = b.step("phase fixed", &[sso, "shirube.yaml"]);
    assert!(!failed);
}
