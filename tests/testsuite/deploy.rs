//! The deploy recipes of `docs/deploy/`: parsed, and their commands run against a copy of the sample site on
//! a local folder, with `shirube` on the PATH and a stand-in for `aws` that records what it was asked.

use crate::common::{BIN, copy_sample_site, file_list, repo_root};
use std::path::PathBuf;

/// A copy of the sample site, and a folder of programs to put first on the PATH: `shirube`, and `aws`, which
/// appends its arguments to `aws.log` beside the site.
struct Stage {
    _tmp: tempfile::TempDir,
    site: PathBuf,
    bin: PathBuf,
}

impl Stage {
    fn new() -> Stage {
        let tmp = tempfile::tempdir().unwrap();
        let site = tmp.path().join("site");
        copy_sample_site(&site);
        let bin = tmp.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::os::unix::fs::symlink(BIN, bin.join("shirube")).unwrap();
        let aws = bin.join("aws");
        std::fs::write(
            &aws,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\n",
                tmp.path().join("aws.log").display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).unwrap();
        Stage {
            _tmp: tmp,
            site,
            bin,
        }
    }

    /// Runs `script` with bash in the site folder; panics with its output when it fails.
    #[track_caller]
    fn sh(&self, script: &str, env: &[(&str, &str)]) {
        let path = format!(
            "{}:{}",
            self.bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = std::process::Command::new("bash")
            .args(["-euo", "pipefail", "-c", script])
            .current_dir(&self.site)
            .env("PATH", path)
            .envs(env.iter().copied())
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{script}\n--- stdout\n{}\n--- stderr\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// What the recipe would upload: every file under `public/`.
    fn uploaded(&self) -> Vec<String> {
        file_list(&self.site.join("public")).into_iter().collect()
    }

    fn aws_log(&self) -> String {
        std::fs::read_to_string(self.site.parent().unwrap().join("aws.log")).unwrap_or_default()
    }
}

fn recipe(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("docs/deploy").join(name)).unwrap()
}

#[track_caller]
fn assert_published_cleanly(files: &[String]) {
    assert!(files.iter().any(|f| f == "index.html"), "{files:?}");
    assert!(files.iter().any(|f| f == "_headers"), "{files:?}");
    assert!(
        !files.iter().any(|f| f.ends_with(".shirube-output")),
        "the marker would be uploaded: {files:?}"
    );
}

#[test]
fn github_pages_workflow_checks_builds_and_uploads_without_the_marker() {
    let text = recipe("github-pages.yml");
    let workflow: serde_json::Value = serde_saphyr::from_str(&text).expect("the workflow is YAML");
    let steps = workflow["jobs"]["build"]["steps"]
        .as_array()
        .expect("jobs.build.steps");
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let install = runs
        .iter()
        .find(|r| r.contains("cargo install"))
        .expect("an install step");
    assert!(
        install.contains("--locked") && (install.contains("--tag") || install.contains("--rev")),
        "shirube is installed pinned: {install}"
    );
    assert!(runs.contains(&"shirube check --format github"), "{runs:?}");
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-pages-artifact@"))
        })
        .expect("an upload step");
    assert_eq!(upload["with"]["path"], "public");
    assert!(
        workflow["jobs"]["deploy"]["steps"][0]["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/deploy-pages@"))
    );

    // Run every step but the install, with the expressions GitHub would fill in.
    let stage = Stage::new();
    for run in runs.iter().filter(|r| !r.contains("cargo install")) {
        let run = run
            .replace("${{ github.repository_owner }}", "example")
            .replace("${{ github.event.repository.name }}", "guide");
        assert!(
            !run.contains("${{"),
            "an expression the test does not fill in: {run}"
        );
        stage.sh(&run, &[]);
    }
    let files = stage.uploaded();
    assert_published_cleanly(&files);
    let sitemap = std::fs::read_to_string(stage.site.join("public/sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://example.github.io/guide/"),
        "{sitemap}"
    );
}

/// `key = "value"` in a TOML table, as the recipe writes it (a string with `\"` escapes).
fn toml_string(text: &str, key: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&format!("{key} = \"")))
        .unwrap_or_else(|| panic!("no {key} in the recipe"));
    let value = line.split_once(" = ").unwrap().1;
    serde_json::from_str(value).expect("a TOML basic string reads as JSON here")
}

#[test]
fn netlify_and_cloudflare_builds_publish_without_the_marker() {
    let text = recipe("netlify.toml");
    assert!(text.contains("[build]"));
    assert_eq!(toml_string(&text, "publish"), "public");
    let stage = Stage::new();
    stage.sh(
        &toml_string(&text, "command"),
        &[("URL", "https://guide-example.netlify.app")],
    );
    assert_published_cleanly(&stage.uploaded());

    let text = recipe("cloudflare-pages.txt");
    let setting = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .map(str::trim)
            .unwrap_or_else(|| panic!("no {name}"))
            .to_string()
    };
    assert_eq!(setting("Build output directory"), "public");
    let stage = Stage::new();
    stage.sh(&setting("Build command"), &[]);
    assert_published_cleanly(&stage.uploaded());
}

#[test]
fn s3_script_syncs_hashed_search_files_immutable_and_never_the_marker() {
    let stage = Stage::new();
    let script = repo_root().join("docs/deploy/s3.sh");
    stage.sh(
        &format!("bash {}", script.display()),
        &[
            ("BUCKET", "s3://guide-example/onboarding"),
            ("BASE_URL", "https://guide.example.com/onboarding/"),
            ("DISTRIBUTION", "E123"),
        ],
    );
    let log = stage.aws_log();
    let calls: Vec<&str> = log.lines().collect();
    assert_eq!(calls.len(), 3, "{log}");
    assert!(
        calls[0].starts_with(
            "s3 sync public s3://guide-example/onboarding --exclude * --include search/*/*"
        ) && calls[0].ends_with("--cache-control public, max-age=31536000, immutable"),
        "{log}"
    );
    assert!(
        calls[1].contains("--delete")
            && calls[1].contains("--exclude .shirube-output")
            && calls[1].ends_with("--cache-control public, max-age=0, must-revalidate"),
        "{log}"
    );
    assert!(
        calls[2].starts_with("cloudfront create-invalidation --distribution-id E123"),
        "{log}"
    );
    // The immutable pass's pattern matches the folders `_headers` calls immutable, and nothing else.
    let headers = std::fs::read_to_string(stage.site.join("public/_headers")).unwrap();
    let immutable: Vec<&str> = headers
        .lines()
        .filter(|l| l.starts_with('/') && l.contains("/search/"))
        .collect();
    assert!(!immutable.is_empty(), "{headers}");
    for file in stage.uploaded() {
        let in_folder = file
            .strip_prefix("search/")
            .is_some_and(|r| r.contains('/'));
        let named = immutable
            .iter()
            .any(|p| file.starts_with(p.trim_start_matches("/onboarding/").trim_end_matches('*')));
        assert_eq!(in_folder, named, "{file}");
    }
}
