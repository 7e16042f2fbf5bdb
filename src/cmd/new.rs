//! `shirube new`: a playbook or FAQ with valid front matter, in the folder its kind belongs in.

use crate::config::{self, CONFIG_FILE};
use crate::console;
use crate::load;
use crate::model::{Kind, SCAFFOLD_TEXTS};
use crate::slug::slugify;
use crate::validate;
use crate::yaml;
use clap::ValueEnum;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// Runs `shirube new`.
pub fn run(
    root: &Path,
    kind: NewKind,
    title: &str,
    phase: &str,
    tier: Option<&str>,
    slug: Option<&str>,
) -> ExitCode {
    if let Err(code) = super::require_site(root) {
        return code;
    }
    let Ok(text) = std::fs::read_to_string(root.join(CONFIG_FILE)) else {
        say!(
            "error[unreadable-file]: cannot read {CONFIG_FILE}\n  help: run `shirube check` to see why"
        );
        return ExitCode::from(1);
    };
    let (Some(config), _) = config::parse(&text) else {
        say!("error: {CONFIG_FILE} has errors\n  help: run `shirube check` to see them");
        return ExitCode::from(1);
    };
    if config.phase_index(phase).is_none() {
        say!(
            "error[unknown-phase]: unknown phase \"{phase}\"\n  help: {}",
            config.unknown_phase_help(phase)
        );
        return ExitCode::from(2);
    }
    let tiers: Vec<&str> = tier
        .unwrap_or("all")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    for t in &tiers {
        if *t != "all" && config.tier_index(t).is_none() {
            say!(
                "error[unknown-tier]: unknown tier \"{t}\"\n  help: {}",
                config.unknown_tier_help(t)
            );
            return ExitCode::from(2);
        }
    }
    let title = title.trim();
    if title.is_empty() {
        say!(
            "error: the title is empty\n  help: write it in quotes: shirube new playbook \"Connect your SSO\""
        );
        return ExitCode::from(2);
    }
    let slug = match slug {
        Some(given) => {
            let s = slugify(given);
            if s.is_empty() || !s.is_ascii() {
                say!(
                    "error: --slug \"{given}\" is not a file name of ASCII letters, digits and dashes\n  help: for example --slug sso-setup"
                );
                return ExitCode::from(2);
            }
            s
        }
        None => {
            let s = file_slug(title, kind);
            if !s.is_ascii() {
                // Non-ASCII file names are mangled by some zip tools, mail and older systems, and make long
                // percent-encoded URLs: ask for one in ASCII.
                say!(
                    "error: the title gives the file name \"{s}.md\", which is not ASCII\n  help: choose the file name with --slug, in ASCII letters, digits and dashes, for example --slug sso-setup"
                );
                return ExitCode::from(2);
            }
            s
        }
    };
    let (rel, kind) = match kind {
        NewKind::Playbook => (format!("playbooks/{phase}/{slug}.md"), Kind::Playbook),
        NewKind::Faq => (format!("content/faq/{slug}.md"), Kind::Faq),
    };
    let path = root.join(&rel);
    if path.exists() {
        say!("error: {rel} already exists\n  help: choose another title, or edit that file");
        return ExitCode::from(2);
    }
    let tier_value = match tiers.as_slice() {
        [one] => yaml::scalar(one),
        many => {
            let quoted: Vec<String> = many.iter().map(|t| yaml::scalar(t)).collect();
            format!("[{}]", quoted.join(", "))
        }
    };
    // Sample text that `check` reports until it is replaced (model::SCAFFOLD_TEXTS).
    let [summary, answer, achieves, needs, first, next] = SCAFFOLD_TEXTS;
    let body = match kind {
        Kind::Faq => format!("{answer}\n"),
        _ => format!(
            "{achieves}\n\n## Before you start\n\n- {needs}\n\n## Steps\n\n1. {first}\n2. {next}\n"
        ),
    };
    let file = format!(
        "---\ntitle: {}\nphase: {}\ntier: {tier_value}\nsummary: {}\ntime: 15m\n---\n\n{body}",
        yaml::scalar(title),
        yaml::scalar(phase),
        yaml::scalar(summary),
    );
    // Read back as `check` will: a title that YAML cannot hold as written is a bug here, not the author's.
    let readable = load::split(&rel, file.clone())
        .ok()
        .and_then(|doc| validate::read_page(&doc, &config).0)
        .is_some_and(|page| page.title == title);
    if !readable {
        say!(
            "error: cannot write a valid front matter for this title\n  help: please report it, and write the file by hand meanwhile"
        );
        return ExitCode::from(1);
    }
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .and_then(|mut f| f.write_all(file.as_bytes()))
        });
    match written {
        Ok(()) => {
            if let Err(code) = console::out_or_fail(&format!("{rel}\n")) {
                return code;
            }
            say!(
                "created {rel}; it is unpublished until an engagement proves it (see manifest.yaml)"
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            say!("error: cannot write {rel}: {e}");
            ExitCode::from(1)
        }
    }
}

/// A file name from a title. Japanese stays readable (`SSOを設定する` → `ssoを設定する`); a title with no
/// letters or digits at all falls back to the kind and a timestamp.
fn file_slug(title: &str, kind: NewKind) -> String {
    let s = slugify(title);
    if !s.is_empty() {
        return s
            .chars()
            .take(80)
            .collect::<String>()
            .trim_end_matches('-')
            .to_string();
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    match kind {
        NewKind::Playbook => format!("playbook-{secs}"),
        NewKind::Faq => format!("faq-{secs}"),
    }
}

/// What `new` creates.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum NewKind {
    /// A step-by-step playbook, in the folder of its phase (playbooks/onboarding/ for --phase onboarding).
    Playbook,
    /// A question and answer under content/faq/.
    Faq,
}
