//! A build killed or interrupted at any instant is harmless.
//!
//! The output writer counts its changes to the file system and, under a test hook
//! (`SHIRUBE_TEST_CRASH_AFTER=N` aborts the process, `SHIRUBE_TEST_INTERRUPT_AFTER=N` sends it SIGINT, just
//! before change N+1), these tests stop a real build at its changes in turn (every kind of change; see
//! [`each_stop`]), on a copy of the sample site
//! between two builds that differ in every way a gate cares about (an edited page, a page that becomes a draft,
//! a deleted page, a new page, and in one case a static file that becomes a folder). After each stop:
//!
//! - an abort leaves the old output, the new one, or a state that the next build turns into exactly the new
//!   output (exit 0), with nothing of shirube's left beside the output folder;
//! - Ctrl-C leaves exactly the old output or exactly the new one, and no temporary file.
//!
//! `tests/testsuite/crash_kills.rs` does the same with real signals at random instants on a 1,000-page site (ignored:
//! run it with `cargo test --release --test testsuite crash_kills:: -- --ignored`).

use crate::common::{BIN, TODAY, copy_sample_site, snapshot};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

type Tree = BTreeMap<String, Vec<u8>>;

/// A copy of the sample site with its old and new states built once, without any hook.
struct Case {
    _tmp: tempfile::TempDir,
    site: PathBuf,
    old: Tree,
    new: Tree,
}

fn build(site: &Path, hook: Option<(&str, usize)>) -> (Option<i32>, String) {
    let mut cmd = Command::new(BIN);
    cmd.arg("build")
        .current_dir(site)
        .env("NO_COLOR", "1")
        .env("SHIRUBE_TODAY", TODAY)
        .env_remove("SHIRUBE_TEST_CRASH_AFTER")
        .env_remove("SHIRUBE_TEST_INTERRUPT_AFTER");
    if let Some((var, n)) = hook {
        cmd.env(var, n.to_string());
    }
    let out = cmd.output().expect("cannot run the shirube binary");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(site: &Path, rel: &str, text: &str) {
    let p = site.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Puts the site's sources in the old state (`false`) or the new one (`true`).
fn sources(site: &Path, new: bool) {
    // Kept beside the site, not in it.
    let aside = site.parent().unwrap();
    let original = std::fs::read_to_string(aside.join("qbr-prep.md"))
        .or_else(|_| std::fs::read_to_string(site.join("playbooks/renewal/qbr-prep.md")))
        .unwrap();
    std::fs::write(aside.join("qbr-prep.md"), &original).unwrap();
    let _ = std::fs::remove_dir_all(site.join("static"));
    let _ = std::fs::remove_file(site.join("content/old-notes.md"));
    let _ = std::fs::remove_file(site.join("content/new-notes.md"));
    let page = |title: &str| format!("---\ntitle: {title}\n---\n\nNotes.\n");
    if new {
        // A page that becomes a draft (it must leave the output), a new page and a folder for a file.
        write(
            site,
            "playbooks/renewal/qbr-prep.md",
            &original.replacen("---\n", "---\ndraft: true\n", 1),
        );
        write(site, "content/new-notes.md", &page("New notes"));
        write(
            site,
            "static/help/index.html",
            "<p>help, now a folder</p>\n",
        );
    } else {
        // A page that the new build no longer has.
        write(site, "playbooks/renewal/qbr-prep.md", &original);
        write(site, "content/old-notes.md", &page("Old notes"));
        write(site, "static/help", "help, a file\n");
    }
    // The second edit that differs: a paragraph added to a page that stays.
    let page = site.join("playbooks/onboarding/invite-admins.md");
    let text = std::fs::read_to_string(&page).unwrap();
    let line = "\nOne more line, added between builds.\n";
    let text = text.replace(line, "");
    std::fs::write(&page, if new { format!("{text}{line}") } else { text }).unwrap();
}

/// The changes to stop a build at: every one of the first 12 and the last 80 (the journal, the removals, the
/// renames and the clean-up are there), and every sixth in between, where the temporary files are written one
/// like the next. `run(n)` stops a build after `n` changes and says whether the build ran to its end instead.
fn each_stop(mut run: impl FnMut(usize) -> bool) -> usize {
    const STRIDE: usize = 6;
    const DENSE: usize = 80;
    let mut n = 0;
    let past_end = loop {
        if run(n) {
            break n;
        }
        n += if n < 12 { 1 } else { STRIDE };
    };
    // The stride may have stepped past the end: the first stop that lets the build finish is the total.
    for n in past_end.saturating_sub(DENSE).max(12)..past_end {
        if (n - 12) % STRIDE != 0 && run(n) {
            return n;
        }
    }
    past_end
}

impl Case {
    /// `replace`: whether the change also turns a static file into a folder (so the whole output is replaced,
    /// not updated in place).
    fn new(replace: bool) -> Case {
        let tmp = tempfile::tempdir().unwrap();
        let site = tmp.path().join("site");
        copy_sample_site(&site);
        sources(&site, true);
        if !replace {
            std::fs::remove_dir_all(site.join("static")).unwrap();
        }
        let (code, err) = build(&site, None);
        assert_eq!(code, Some(0), "{err}");
        let new = snapshot(&site.join("public"));
        std::fs::remove_dir_all(site.join("public")).unwrap();
        sources(&site, false);
        if !replace {
            std::fs::remove_dir_all(site.join("static")).unwrap();
        }
        let (code, err) = build(&site, None);
        assert_eq!(code, Some(0), "{err}");
        let old = snapshot(&site.join("public"));
        std::fs::remove_dir_all(site.join("public")).unwrap();
        sources(&site, true);
        if !replace {
            std::fs::remove_dir_all(site.join("static")).unwrap();
        }
        for (gone, tree) in [("qbr-prep", &new), ("old-notes", &new), ("new-notes", &old)] {
            assert!(
                !tree.keys().any(|k| k.contains(gone)),
                "{gone} must not be in {:?}",
                tree.keys().collect::<Vec<_>>()
            );
        }
        assert!(old.keys().any(|k| k.contains("qbr-prep")));
        Case {
            _tmp: tmp,
            site,
            old,
            new,
        }
    }

    fn public(&self) -> PathBuf {
        self.site.join("public")
    }

    /// Puts the old output in place, as the old build wrote it, with a CNAME file someone else added.
    fn restore_old(&self, cname: bool) {
        let public = self.public();
        if public.exists() {
            std::fs::remove_dir_all(&public).unwrap();
        }
        for (rel, bytes) in &self.old {
            let p = public.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        if cname {
            std::fs::write(public.join("CNAME"), "guide.example.com\n").unwrap();
        }
    }

    /// The output with `CNAME` taken out (checked on its own).
    fn output(&self, cname: bool) -> Tree {
        let mut tree = snapshot(&self.public());
        if cname {
            assert_eq!(
                tree.remove("CNAME").as_deref(),
                Some(&b"guide.example.com\n"[..]),
                "the CNAME someone else put in the output is lost"
            );
        }
        tree
    }

    /// Entries beside the output folder that shirube left (staging or set-aside outputs).
    fn leftovers(&self) -> Vec<String> {
        std::fs::read_dir(&self.site)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with(".public.shirube-"))
            .collect()
    }

    fn temps(tree: &Tree) -> Vec<&String> {
        tree.keys()
            .filter(|k| k.ends_with(".shirube-new"))
            .collect()
    }

    /// Aborts a build at changes it makes ([`each_stop`]); returns how many changes a whole build made.
    fn abort_everywhere(&self, first_build: bool, cname: bool) -> usize {
        each_stop(|n| {
            if first_build {
                let _ = std::fs::remove_dir_all(self.public());
            } else {
                self.restore_old(cname);
            }
            let (code, err) = build(&self.site, Some(("SHIRUBE_TEST_CRASH_AFTER", n)));
            if code == Some(0) {
                assert_eq!(self.output(cname), self.new, "after a whole build");
                return true;
            }
            assert_eq!(code, None, "step {n}: expected an abort\n{err}");
            let (code, err) = build(&self.site, None);
            assert_eq!(
                code,
                Some(0),
                "step {n}: the build after a crash failed:\n{err}"
            );
            let after = self.output(cname);
            assert!(
                after == self.new,
                "step {n}: the build after a crash did not leave exactly the new output; \
                 extra: {:?}, missing: {:?}, different: {:?}",
                after
                    .keys()
                    .filter(|k| !self.new.contains_key(*k))
                    .collect::<Vec<_>>(),
                self.new
                    .keys()
                    .filter(|k| !after.contains_key(*k))
                    .collect::<Vec<_>>(),
                after
                    .iter()
                    .filter(|(k, v)| self.new.get(*k).is_some_and(|n| n != *v))
                    .map(|(k, _)| k)
                    .collect::<Vec<_>>()
            );
            assert_eq!(self.leftovers(), Vec::<String>::new(), "step {n}");
            false
        })
    }

    /// Interrupts a build at changes it makes: the output is then exactly the old or the new one. Returns how
    /// many changes a whole build made, and how many stops left the old output and the new one.
    fn interrupt_everywhere(&self, cname: bool) -> (usize, usize, usize) {
        let (mut old, mut new) = (0, 0);
        let total = each_stop(|n| {
            self.restore_old(cname);
            let (code, err) = build(&self.site, Some(("SHIRUBE_TEST_INTERRUPT_AFTER", n)));
            let after = self.output(cname);
            assert_eq!(Case::temps(&after), Vec::<&String>::new(), "step {n}");
            assert_eq!(self.leftovers(), Vec::<String>::new(), "step {n}");
            if code == Some(0) {
                assert_eq!(after, self.new, "after a whole build");
                return true;
            }
            assert_eq!(code, Some(130), "step {n}: expected exit code 130\n{err}");
            if after == self.old {
                old += 1;
            } else if after == self.new {
                new += 1;
            } else {
                panic!(
                    "step {n}: an interrupted build left neither the old output nor the new one\n{err}"
                );
            }
            false
        });
        (total, old, new)
    }
}

#[test]
fn an_update_aborted_at_any_change_is_finished_by_the_next_build() {
    let case = Case::new(false);
    let steps = case.abort_everywhere(false, true);
    // The journal, every temporary file, each removal and rename: a whole update makes many changes.
    assert!(steps > 20, "only {steps} changes: is the hook counting?");
}

#[test]
fn a_replacement_aborted_at_any_change_is_finished_by_the_next_build() {
    let case = Case::new(true);
    let steps = case.abort_everywhere(false, true);
    assert!(steps > 20, "only {steps} changes: is the hook counting?");
}

#[test]
fn a_first_build_aborted_at_any_change_is_finished_by_the_next_build() {
    let case = Case::new(false);
    let steps = case.abort_everywhere(true, false);
    assert!(steps > 20, "only {steps} changes: is the hook counting?");
}

#[test]
fn ctrl_c_at_any_change_leaves_the_old_or_the_new_output() {
    for replace in [false, true] {
        let case = Case::new(replace);
        let (steps, old, new) = case.interrupt_everywhere(true);
        // Both outcomes happen: before the switch Ctrl-C undoes, once it has begun it finishes.
        assert!(
            old > 0 && new > 0,
            "replace {replace}: {steps} changes, {old} left the old output, {new} the new one"
        );
    }
}
