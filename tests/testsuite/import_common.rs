//! Helpers of the `import_*` tests: a fixture source copied beside an empty site folder, the real binary run on
//! them, and a snapshot of every file under the temp folder to prove that nothing outside `--into` changed.

use crate::common::{BIN, TODAY, copy_dir, fixture_dir};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A source (`<tmp>/src`) and the site it is imported into (`<tmp>/site`).
pub(crate) struct Import {
    pub tmp: tempfile::TempDir,
    pub src: PathBuf,
    pub site: PathBuf,
}

impl Import {
    /// `tests/fixtures/import/<name>` copied to `<tmp>/src`.
    pub(crate) fn fixture(name: &str) -> Import {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("src");
        copy_dir(&fixture_dir(&format!("import/{name}")), &src);
        let site = tmp.path().join("site");
        Import { tmp, src, site }
    }

    /// Runs `shirube ARGS` in the temp folder.
    pub(crate) fn shirube(&self, args: &[&str]) -> crate::common::Run {
        let out = Command::new(BIN)
            .args(args)
            .current_dir(self.tmp.path())
            .env("NO_COLOR", "1")
            .env("SHIRUBE_TODAY", TODAY)
            .output()
            .unwrap();
        crate::common::Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `shirube import SOURCE <src> --into <site> EXTRA...`
    pub(crate) fn import(&self, source: &str, extra: &[&str]) -> crate::common::Run {
        self.import_from(source, &self.src.clone(), extra)
    }

    /// `shirube import SOURCE FROM --into <site> EXTRA...`
    pub(crate) fn import_from(
        &self,
        source: &str,
        from: &Path,
        extra: &[&str],
    ) -> crate::common::Run {
        let from = from.to_str().unwrap().to_string();
        let site = self.site.to_str().unwrap().to_string();
        let mut args = vec!["import", source, &from, "--into", &site];
        args.extend_from_slice(extra);
        self.shirube(&args)
    }

    /// `shirube check` of the imported site: panics unless it has no errors.
    #[track_caller]
    pub(crate) fn check_ok(&self) -> String {
        let r = self.shirube(&["check", "--root", self.site.to_str().unwrap()]);
        r.expect_ok();
        assert!(
            r.stderr.contains("\n0 errors,") || r.stderr.starts_with("0 errors,"),
            "{}",
            r.stderr
        );
        r.stderr
    }

    /// `shirube build` of the imported site into `<site>/public`: panics unless it succeeds.
    #[track_caller]
    pub(crate) fn build_ok(&self) {
        self.shirube(&["build", "--root", self.site.to_str().unwrap()])
            .expect_ok();
    }

    /// A file of the imported site.
    #[track_caller]
    pub(crate) fn read(&self, rel: &str) -> String {
        let p = self.site.join(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
    }

    /// Titles of the published pages, from `public/manifest.json` (which lists exactly those), by kind.
    pub(crate) fn published(&self) -> BTreeSet<(String, String)> {
        let text = std::fs::read_to_string(self.site.join("public/manifest.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["kind"].as_str().unwrap().to_string(),
                    p["title"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// Paths the legacy manifest proves.
    pub(crate) fn legacy_paths(&self) -> BTreeSet<String> {
        let Ok(text) = std::fs::read_to_string(self.site.join("manifest/legacy-import.yaml"))
        else {
            return BTreeSet::new();
        };
        text.lines()
            .filter_map(|l| l.trim().strip_prefix("- path: "))
            .map(|p| p.trim_matches('"').to_string())
            .collect()
    }

    /// Every file under the temp folder but the site, with its bytes.
    pub(crate) fn outside(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut m = BTreeMap::new();
        for e in walkdir::WalkDir::new(self.tmp.path()).into_iter().flatten() {
            if e.file_type().is_file() && !e.path().starts_with(&self.site) {
                m.insert(e.path().to_path_buf(), std::fs::read(e.path()).unwrap());
            }
        }
        m
    }

    /// Every file of the built site's output, as text (for leak checks).
    pub(crate) fn public_text(&self) -> String {
        let mut all = String::new();
        for e in walkdir::WalkDir::new(self.site.join("public"))
            .into_iter()
            .flatten()
        {
            if e.file_type().is_file() {
                all.push_str(&String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()));
            }
        }
        all
    }
}
