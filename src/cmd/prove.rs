//! `shirube prove PATH... --engagement ID`: record that pages were used in an engagement, with their hashes.

use crate::HashMap;
use crate::config::Config;
use crate::dates::{format_date, parse_date};
use crate::diagnostics::{Diagnostics, did_you_mean_path};
use crate::load::{MANIFEST_DIR, MANIFEST_FILE, ManifestFile};
use crate::manifest_edit::{NewEngagement, add_uses, append_engagement};
use crate::model::Page;
use crate::pipeline::{self, Options};
use crate::proof::{self, Engagement};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod from;

/// What `prove` was asked to record (its command-line arguments; the docs are `shirube prove --help`).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The playbooks or FAQs used, e.g. playbooks/onboarding/connect-sso.md.
    #[arg(required_unless_present = "from")]
    pub paths: Vec<PathBuf>,
    /// The engagement id, e.g. ENG-2026-031. An existing id adds pages to that engagement, as recorded.
    #[arg(long, required_unless_present = "from")]
    pub engagement: Option<String>,
    /// The customer's name. Private: never published.
    #[arg(long)]
    pub customer: Option<String>,
    /// The customer-success manager. Private: never published.
    #[arg(long)]
    pub csm: Option<String>,
    /// The customer's touch tier (needed for a new engagement), e.g. low.
    #[arg(long)]
    pub tier: Option<String>,
    /// When the engagement happened, YYYY-MM-DD. Default: today.
    #[arg(long)]
    pub date: Option<String>,
    /// success, partial or failed. Only success counts as proof. Default: success.
    #[arg(long)]
    pub outcome: Option<String>,
    /// A private note about the engagement.
    #[arg(long)]
    pub note: Option<String>,
    #[command(flatten)]
    pub import: from::ImportArgs,
}

fn fail(code: u8, msg: &str, help: &str) -> ExitCode {
    say!("error: {msg}\n  help: {help}");
    ExitCode::from(code)
}

/// Runs `shirube prove`.
pub fn run(root: &Path, args: &Args) -> ExitCode {
    crate::interrupt::install();
    match record(root, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// The pages of a checked site by source path, with their decisions.
type BySrc<'a> = HashMap<&'a str, (&'a Page, &'a proof::Decision)>;

/// Records the engagement; `Err` with the exit code once the error is said.
fn record(root: &Path, args: &Args) -> Result<(), ExitCode> {
    // One prove at a time per site, from reading the manifest to writing it: two at once would each write
    // their own edit of the same text, and one engagement would be lost.
    let _lock = match crate::output::lock_folder(
        root,
        "another shirube prove is editing this site's manifest; waiting for it to finish",
    ) {
        Ok(lock) => Some(lock),
        // No such folder: reading the site below says so.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(fail(
                1,
                &format!("cannot lock the site folder {}: {e}", root.display()),
                "run the command from the site's folder, or pass --root",
            ));
        }
    };
    let checked = check_site(root)?;
    if let Some(file) = &args.import.from {
        return match from::run(root, &checked, file, &args.import) {
            code if code == ExitCode::SUCCESS => Ok(()),
            code => Err(code),
        };
    }
    let engagement = args.engagement.clone().unwrap_or_default();
    let args = &Args {
        engagement: Some(engagement.clone()),
        ..args.clone()
    };
    if args.paths.is_empty() {
        return Err(fail(
            2,
            "no page given",
            "name the playbooks or FAQs used: shirube prove playbooks/onboarding/connect-sso.md --engagement ENG-1",
        ));
    }
    let config = &checked.config;
    let by_src: BySrc = checked
        .pages
        .iter()
        .zip(&checked.decisions)
        .map(|(p, d)| (p.src.as_str(), (p, d)))
        .collect();
    check_texts(args, &engagement)?;
    // Resolve and check every path before touching the manifest.
    let uses = resolve_pages(root, args, &by_src, config)?;
    if let Some(t) = &args.tier
        && config.tier_index(t).is_none()
    {
        return Err(fail(
            2,
            &format!("unknown tier \"{t}\""),
            &config.customer_tier_help(t),
        ));
    }
    let outcome = args.outcome.clone().unwrap_or_else(|| "success".into());
    let outcome_is = match proof::Outcome::parse(&outcome) {
        Ok(o) => o,
        Err(help) => return Err(fail(2, &format!("unknown outcome \"{outcome}\""), &help)),
    };
    let date = read_date(args, checked.today)?;
    let existing = checked
        .manifest
        .engagements
        .iter()
        .find(|e| e.id == engagement);
    let (file, new_text) = match existing {
        Some(e) => add_to_engagement(args, e, &checked, &uses)?,
        None => new_engagement(root, args, &checked, &uses, date, outcome)?,
    };
    verify_edit(&checked, &file, &new_text, &engagement, &uses)?;
    if let Err(e) = write_replacing(&root.join(&file.path), &new_text) {
        return Err(fail(
            1,
            &format!("cannot write {}: {e}", file.path),
            "check the file's permissions",
        ));
    }
    let listed: String = uses
        .iter()
        .map(|(path, hash)| format!("{path} {hash}\n"))
        .collect();
    crate::console::out_or_fail(&listed)?;
    say!(
        "recorded {} page{} in engagement {} ({})",
        uses.len(),
        if uses.len() == 1 { "" } else { "s" },
        engagement,
        file.path
    );
    let (tier, outcome) = match existing {
        Some(e) => (Some(e.tier), e.outcome),
        None => (
            args.tier.as_deref().and_then(|t| config.tier_index(t)),
            outcome_is,
        ),
    };
    warn_off_tier(&by_src, &uses, &engagement, tier, outcome, config);
    Ok(())
}

/// Load, validate and gate the site; `Err` when it cannot be read or its manifest has errors (prove must edit a
/// valid file).
fn check_site(root: &Path) -> Result<pipeline::Checked, ExitCode> {
    let mut diags = Diagnostics::default();
    let Some(checked) = pipeline::prepare(
        &Options {
            root: root.to_path_buf(),
            ..Options::default()
        },
        &mut diags,
    ) else {
        crate::console::err(&diags.render());
        return Err(ExitCode::from(1));
    };
    let manifest_errors: Vec<_> = diags
        .sorted()
        .into_iter()
        .filter(|d| d.severity == crate::diagnostics::Severity::Error)
        .filter(|d| checked.sources.manifests.iter().any(|m| m.path == d.path))
        .cloned()
        .collect();
    if !manifest_errors.is_empty() {
        let mut only = Diagnostics::default();
        only.extend(manifest_errors);
        crate::console::err(&only.render());
        return Err(fail(
            1,
            "the manifest has errors",
            "fix them first, so that prove edits a valid file",
        ));
    }
    Ok(checked)
}

/// The values go into the manifest as YAML scalars: no empty id, nothing a line cannot hold.
fn check_texts(args: &Args, engagement: &String) -> Result<(), ExitCode> {
    if engagement.trim().is_empty() {
        return Err(fail(
            2,
            "the engagement id is empty",
            "give an id, for example --engagement ENG-2026-031",
        ));
    }
    let texts = [
        ("--engagement", Some(engagement)),
        ("--customer", args.customer.as_ref()),
        ("--csm", args.csm.as_ref()),
        ("--note", args.note.as_ref()),
    ];
    for (flag, value) in texts {
        if let Some(v) = value
            && v.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(fail(
                2,
                &format!("{flag} holds a control character"),
                "write it in plain text (line breaks and tabs are fine)",
            ));
        }
    }
    Ok(())
}

/// Each page given, as a source path and the hash of its content now; every one must be a gated page.
fn resolve_pages(
    root: &Path,
    args: &Args,
    by_src: &BySrc,
    config: &Config,
) -> Result<Vec<(String, String)>, ExitCode> {
    let mut uses: Vec<(String, String)> = Vec::new();
    for given in &args.paths {
        let src = site_relative(root, given);
        let Some((page, decision)) = by_src.get(src.as_str()) else {
            let help = match did_you_mean_path(&src, by_src.keys().copied()) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => "give the path of a playbook or FAQ, for example playbooks/onboarding/connect-sso.md".into(),
            };
            return Err(fail(2, &format!("no page at \"{src}\""), &help));
        };
        if !decision.gated {
            return Err(fail(
                2,
                &format!("{src} is a {}, which needs no proof", page.kind.id()),
                &proof::gate_help(config),
            ));
        }
        if !uses.iter().any(|(p, _)| *p == src) {
            uses.push((src, decision.content_hash(page, config)));
        }
    }
    Ok(uses)
}

/// `--date`, or today: a real date, not in the future.
fn read_date(args: &Args, today: i64) -> Result<String, ExitCode> {
    match &args.date {
        None => Ok(format_date(today)),
        Some(d) => match parse_date(d) {
            None => Err(fail(
                2,
                &format!("invalid date \"{d}\""),
                "write the date as YYYY-MM-DD",
            )),
            Some(days) if days > today => Err(fail(
                2,
                &format!("date {d} is in the future"),
                "record an engagement once it has happened",
            )),
            Some(_) => Ok(d.clone()),
        },
    }
}

/// The manifest file that holds engagement `e`, and its text with the pages added.
fn add_to_engagement(
    args: &Args,
    e: &Engagement,
    checked: &pipeline::Checked,
    uses: &[(String, String)],
) -> Result<(ManifestFile, String), ExitCode> {
    // Pages are added to the engagement as recorded; a flag that says otherwise (`--outcome failed` on a
    // success) would be silently dropped, and the page counted as proof of what did not happen.
    let conflicts = conflicts(args, e, &checked.config);
    if !conflicts.is_empty() {
        let (flags, recorded): (Vec<_>, Vec<_>) = conflicts.into_iter().unzip();
        return Err(fail(
            2,
            &format!(
                "engagement {} is recorded with {}",
                e.id,
                recorded.join(", ")
            ),
            &format!(
                "to add pages to it as recorded, drop {}; to change it, edit {}:{} by hand",
                flags.join(" "),
                e.file,
                e.line
            ),
        ));
    }
    let Some(file) = checked.sources.manifests.iter().find(|m| m.path == e.file) else {
        return Err(fail(
            1,
            "the manifest changed while reading it",
            "run the command again",
        ));
    };
    match add_uses(&file.text, e, uses) {
        Ok(t) => Ok((file.clone(), t)),
        Err(why) => {
            // "what is wrong; how to fix it"
            let help = match why.split_once("; ") {
                Some((_, fix)) => format!("{fix}, then run prove again"),
                None => "add the pages to the engagement by hand".into(),
            };
            let what = why.split_once("; ").map_or(why.as_str(), |(w, _)| w);
            Err(fail(
                1,
                &format!("cannot edit {}: {what}", file.path),
                &help,
            ))
        }
    }
}

/// The manifest file a new engagement goes to, and its text with the engagement appended.
fn new_engagement(
    root: &Path,
    args: &Args,
    checked: &pipeline::Checked,
    uses: &[(String, String)],
    date: String,
    outcome: String,
) -> Result<(ManifestFile, String), ExitCode> {
    let engagement = args.engagement.clone().unwrap_or_default();
    let Some(tier) = args.tier.clone() else {
        return Err(fail(
            2,
            &format!("engagement {engagement} is new, so it needs a tier"),
            "add --tier, for example --tier low",
        ));
    };
    let file = target_file(root, &checked.sources.manifests);
    let new = NewEngagement {
        id: engagement,
        customer: args.customer.clone(),
        csm: args.csm.clone(),
        tier,
        date,
        outcome,
        note: args.note.clone(),
    };
    match append_engagement(&file.text, &new, uses) {
        Ok(t) => Ok((file, t)),
        Err(why) => Err(fail(
            1,
            &format!("cannot edit {}: {why}", file.path),
            "edit the manifest by hand",
        )),
    }
}

/// Checks that the edited manifest parses, and that the engagement now holds every page, before it is written.
fn verify_edit(
    checked: &pipeline::Checked,
    file: &ManifestFile,
    new_text: &str,
    engagement: &str,
    uses: &[(String, String)],
) -> Result<(), ExitCode> {
    let known: HashMap<&str, bool> = checked
        .pages
        .iter()
        .zip(&checked.decisions)
        .map(|(p, d)| (p.src.as_str(), d.gated))
        .collect();
    let mut files: Vec<ManifestFile> = checked
        .sources
        .manifests
        .iter()
        .filter(|m| m.path != file.path)
        .cloned()
        .collect();
    files.push(ManifestFile {
        path: file.path.clone(),
        text: new_text.to_string(),
    });
    let (reparsed, errors) = proof::parse(&files, &checked.config, &known, checked.today);
    let recorded = reparsed
        .engagements
        .iter()
        .find(|e| e.id == engagement)
        .is_some_and(|e| {
            uses.iter().all(|(p, h)| {
                e.used
                    .iter()
                    .any(|u| u.path == *p && u.hash.as_deref() == Some(h.as_str()))
            })
        });
    let errors: Vec<_> = errors
        .into_iter()
        .filter(|d| d.severity == crate::diagnostics::Severity::Error)
        .collect();
    if !errors.is_empty() || !recorded {
        let mut d = Diagnostics::default();
        d.extend(errors);
        crate::console::err(&d.render());
        return Err(fail(
            1,
            &format!("editing {} would break it; nothing was written", file.path),
            "please report this, and add the engagement by hand meanwhile",
        ));
    }
    Ok(())
}

/// Recorded all the same: the engagement happened, and `status` ranks what to prove next by every use. But
/// whoever records a success most likely takes it for proof, which it is not for a page that does not target
/// the customer's tier.
fn warn_off_tier(
    by_src: &BySrc,
    uses: &[(String, String)],
    engagement: &str,
    tier: Option<usize>,
    outcome: proof::Outcome,
    config: &Config,
) {
    let Some(tier) = tier else { return };
    if outcome != proof::Outcome::Success {
        return;
    }
    for (path, _) in uses {
        if let Some((page, _)) = by_src.get(path.as_str())
            && !page.tiers.contains(&tier)
        {
            let (message, help) = proof::off_tier_warning(page, engagement, tier, config);
            say!("warning[off-tier-proof]: {message}\n  help: {help}");
        }
    }
}

/// The flags given for an existing engagement that differ from what the manifest records: (flag, "what is
/// recorded (not what was given)").
fn conflicts(args: &Args, e: &Engagement, config: &Config) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    let mut compare =
        |flag: &'static str, what: &str, given: Option<&str>, recorded: Option<&str>| {
            if let Some(given) = given
                && Some(given) != recorded
            {
                let recorded =
                    recorded.map_or_else(|| format!("no {what}"), |r| format!("{what} {r}"));
                found.push((flag, format!("{recorded} (not {given})")));
            }
        };
    compare(
        "--tier",
        "tier",
        args.tier.as_deref(),
        Some(&config.tiers[e.tier].id),
    );
    let date = format_date(e.date);
    // Compared as days: the text may differ and name the same day.
    let given_date = args
        .date
        .as_deref()
        .filter(|d| parse_date(d) != Some(e.date));
    compare("--date", "date", given_date, Some(&date));
    compare(
        "--outcome",
        "outcome",
        args.outcome.as_deref(),
        Some(e.outcome.as_str()),
    );
    compare(
        "--customer",
        "customer",
        args.customer.as_deref(),
        e.customer.as_deref(),
    );
    compare("--csm", "CSM", args.csm.as_deref(), e.csm.as_deref());
    compare("--note", "note", args.note.as_deref(), e.note.as_deref());
    found
}

/// A path given on the command line, as a site-relative `/`-separated path.
fn site_relative(root: &Path, given: &Path) -> String {
    let abs_root = crate::output::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let candidate = if given.is_absolute() {
        Some(given.to_path_buf())
    } else {
        std::env::current_dir().ok().map(|d| d.join(given))
    };
    if let Some(abs) = candidate.and_then(|c| crate::output::absolute(&c).ok())
        && abs.exists()
        && let Ok(rel) = abs.strip_prefix(&abs_root)
    {
        return rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
    }
    given
        .to_string_lossy()
        .replace('\\', "/")
        .trim_start_matches("./")
        .to_string()
}

/// The manifest file a new engagement goes to: manifest.yaml, else the last file of manifest/, else a new
/// manifest.yaml.
fn target_file(root: &Path, manifests: &[ManifestFile]) -> ManifestFile {
    if let Some(m) = manifests.iter().find(|m| m.path == MANIFEST_FILE) {
        return m.clone();
    }
    if let Some(m) = manifests.iter().rfind(|m| m.path.starts_with(MANIFEST_DIR)) {
        return m.clone();
    }
    let _ = root;
    ManifestFile {
        path: MANIFEST_FILE.into(),
        text: String::new(),
    }
}

/// Writes `text` to `path` through a temporary file in the same folder and a rename, so a crash never leaves
/// half a manifest. The file stays what it was in every other way: a symlinked manifest is written where the
/// link leads, its permissions (it names customers: often 0600) are kept, and so is a byte order mark.
fn write_replacing(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Read as _;
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let old = std::fs::metadata(&path).ok();
    // The manifest was read without its byte order mark: look at the file's first bytes again.
    let mut start = [0u8; 3];
    let had_bom = std::fs::File::open(&path)
        .and_then(|mut f| f.read_exact(&mut start))
        .is_ok()
        && start == BOM;
    let bytes = if had_bom && !text.starts_with('\u{feff}') {
        [BOM, text.as_bytes()].concat()
    } else {
        text.as_bytes().to_vec()
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.shirube-tmp-{}", std::process::id()));
    // Ctrl-C waits for the rename, so no temporary file is left behind.
    let _section = crate::interrupt::section();
    crate::output::write_temp(&tmp, &bytes)?;
    old.map_or(Ok(()), |m| std::fs::set_permissions(&tmp, m.permissions()))
        .and_then(|()| std::fs::rename(&tmp, &path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}
