//! Themes: templates, static files and UI strings, layered.
//!
//! From bottom to top: the default theme compiled into the binary; `themes/<name>/` from the site when it
//! exists (so the sample site's own `themes/default/` is what you edit); then the site's own `templates/` and
//! `static/`, where one file overrides the theme's file at the same relative path.

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use std::collections::BTreeMap;
use std::path::Path;
use walkdir::WalkDir;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// The starter site for `shirube init`, by language.
pub fn starter(lang: &str) -> &'static [(&'static str, &'static [u8])] {
    match lang {
        "ja" => embedded::INIT_JA,
        _ => embedded::INIT_EN,
    }
}

/// One file of a theme and where it came from (for messages).
#[derive(Debug, Clone)]
pub struct ThemeFile {
    /// Where it came from: `themes/default/templates/page.html`, or `(built-in) templates/page.html`.
    pub origin: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// A resolved theme.
#[derive(Debug, Default)]
pub struct Theme {
    /// Templates by name (`page.html`).
    pub templates: BTreeMap<String, ThemeFile>,
    /// Static files by output path (`style.css`).
    pub statics: BTreeMap<String, ThemeFile>,
    /// UI strings for the site language, falling back to English.
    pub ui: BTreeMap<String, String>,
}

/// Loads the theme named in the config, with the site's overrides.
pub fn load(root: &Path, config: &Config) -> (Theme, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut files: BTreeMap<String, ThemeFile> = BTreeMap::new();
    for (rel, bytes) in embedded::THEME_DEFAULT {
        files.insert(
            rel.to_string(),
            ThemeFile {
                origin: format!("(built-in theme) {rel}"),
                bytes: bytes.to_vec(),
            },
        );
    }
    let theme_dir = root.join("themes").join(&config.theme);
    if theme_dir.is_dir() {
        read_tree(root, &theme_dir, "", &mut files, &mut diags);
    } else if config.theme != "default" {
        let text =
            std::fs::read_to_string(root.join(crate::config::CONFIG_FILE)).unwrap_or_default();
        let line = text
            .lines()
            .position(|l| l.starts_with("theme:"))
            .map_or(0, |i| i + 1);
        let col = text
            .lines()
            .nth(line.saturating_sub(1))
            .and_then(|l| l.find(config.theme.as_str()))
            .map_or(1, |c| c + 1);
        diags.push(
            Diagnostic::error(
                crate::config::CONFIG_FILE,
                format!("theme \"{}\" not found", config.theme),
            )
            .code("unknown-theme")
            .at(&text, line, col, config.theme.chars().count())
            .with_help(format!(
                "create the folder themes/{}/ or remove the `theme:` line",
                config.theme
            )),
        );
    }
    read_tree(
        root,
        &root.join("templates"),
        "templates/",
        &mut files,
        &mut diags,
    );
    read_tree(
        root,
        &root.join("static"),
        "static/",
        &mut files,
        &mut diags,
    );

    let mut theme = Theme::default();
    let lang_file = format!("i18n/{}.yaml", config.language.code());
    let mut i18n: BTreeMap<String, ThemeFile> = BTreeMap::new();
    for (rel, file) in files {
        if let Some(name) = rel.strip_prefix("templates/") {
            theme.templates.insert(name.to_string(), file);
        } else if let Some(name) = rel.strip_prefix("static/") {
            theme.statics.insert(name.to_string(), file);
        } else if rel == "i18n/en.yaml" || rel == lang_file {
            i18n.insert(rel, file);
        }
    }
    // Files the build writes itself: a static file with the same name would be replaced without a word.
    let generated = [
        ("sitemap.xml", "the generated sitemap lists exactly the published pages"),
        (
            "robots.txt",
            "the generated robots.txt points search engines at the sitemap, and shuts them out of previews",
        ),
        ("manifest.json", "the generated manifest.json is the public summary of the proof"),
        ("search/manifest.json", "it is part of the search index"),
    ]
    .into_iter()
    .chain(
        crate::feed::enabled(config)
            .then_some((crate::feed::PATH, "the generated feed lists the proven playbooks and FAQs")),
    );
    for (name, why) in generated {
        if let Some(file) = theme.statics.remove(name) {
            diags.push(
                Diagnostic::warning(
                    &file.origin,
                    format!("not copied: shirube writes its own {name}"),
                )
                .code("reserved-theme-file")
                .with_help(format!("remove this file: {why}")),
            );
        }
    }
    // UI strings are laid over each other key by key, not file by file, so a site's i18n file may hold only
    // the strings it changes: built-in English, the site's English, then the same for the site's language.
    let mut parse = |file: &ThemeFile| -> BTreeMap<String, String> {
        let text = String::from_utf8_lossy(&file.bytes).to_string();
        let at = crate::yaml::Embedded {
            path: &file.origin,
            file: &text,
            line_offset: 0,
        };
        crate::yaml::parse::<BTreeMap<String, String>>(&text, at).unwrap_or_else(|d| {
            diags.push(d);
            BTreeMap::new()
        })
    };
    let mut layers = vec!["i18n/en.yaml"];
    if lang_file != layers[0] {
        layers.push(&lang_file);
    }
    for rel in layers {
        if let Some(bytes) = embedded::THEME_DEFAULT
            .iter()
            .find_map(|(r, b)| (*r == rel).then_some(*b))
        {
            theme.ui.extend(parse(&ThemeFile {
                origin: format!("(built-in theme) {rel}"),
                bytes: bytes.to_vec(),
            }));
        }
        if let Some(file) = i18n.get(rel).filter(|f| !f.origin.starts_with("(built-in")) {
            theme.ui.extend(parse(file));
        }
    }
    (theme, diags)
}

/// Reads every file under `dir` into `files` as `prefix + relative path`.
fn read_tree(
    root: &Path,
    dir: &Path,
    prefix: &str,
    files: &mut BTreeMap<String, ThemeFile>,
    diags: &mut Vec<Diagnostic>,
) {
    if !dir.is_dir() {
        return;
    }
    for entry in WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !crate::load::is_ignored_name(&e.file_name().to_string_lossy())
        })
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(
                    Diagnostic::error(dir.display().to_string(), format!("cannot read: {e}"))
                        .code("unreadable-file"),
                );
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = crate::load::rel(dir, entry.path());
        let origin = crate::load::rel(root, entry.path());
        match std::fs::read(entry.path()) {
            Ok(bytes) => {
                files.insert(format!("{prefix}{rel}"), ThemeFile { origin, bytes });
            }
            Err(e) => diags.push(
                Diagnostic::error(origin, format!("cannot read: {e}")).code("unreadable-file"),
            ),
        }
    }
}

/// A short content hash (64 bit, hex) for cache-busting file names and query strings: rustc-hash's, which
/// reads 16 bytes at a time. The search index hashes every shard and fragment it writes (52 MB at 10,000
/// pages), which byte-at-a-time FNV-1a took 61 ms of CPU for. Not for anything an attacker chooses to collide.
pub fn short_hash(bytes: &[u8]) -> String {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(bytes);
    format!("{:016x}", h.finish())
}
