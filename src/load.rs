//! Loading: read the config and walk `playbooks/` and `content/` into [`Sources`].
//!
//! This stage only reads files and splits front matter from the body, keeping the line where each part starts
//! so that later errors point at the real line. It does not interpret any value; that is `validate`'s job.

use crate::config::CONFIG_FILE;
use crate::diagnostics::Diagnostic;
use crate::{HashMap, HashSet};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Folders that hold Markdown, relative to the site root.
pub const CONTENT_DIRS: [&str; 2] = ["playbooks", "content"];

/// One Markdown file, split.
#[derive(Debug, Clone)]
pub struct SourceDoc {
    /// Path relative to the site root, `/`-separated.
    pub path: String,
    /// The whole file (BOM removed).
    pub text: String,
    /// The YAML between the `---` lines, and the number of lines before it (1: the opening `---`).
    pub front: Option<(String, usize)>,
    /// Byte offset in `text` where the body starts.
    pub body_start: usize,
    /// 1-based line where the body starts.
    pub body_line: usize,
}

impl SourceDoc {
    /// The Markdown body.
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }
}

/// Everything read from disk for one build.
#[derive(Debug, Default)]
pub struct Sources {
    /// The site root.
    pub root: PathBuf,
    /// Text of `shirube.yaml`, if present.
    pub config_text: Option<String>,
    /// Markdown files in walk order (sorted by path).
    pub docs: Vec<SourceDoc>,
    /// Every other file under the content folders (images, downloads), relative to the root.
    pub files: BTreeSet<String>,
    /// Files that are there but could not be read: Markdown files (not UTF-8, front matter not closed) and
    /// `shirube.yaml`. Each has its own error; links and `requires` that point at one, and the config's
    /// absence, are not reported again.
    pub unreadable: BTreeSet<String>,
    /// The proof manifest: `manifest.yaml` and every `manifest/*.yaml`, in path order.
    pub manifests: Vec<crate::load::ManifestFile>,
}

/// True for names editors and systems leave behind: `.x.swp`, `x~`, `.#x`, `#x#`, `4913`, `.DS_Store`,
/// JetBrains' `x___jb_tmp___` and `x___jb_old___`, and the temp files of Qt's safe save (Kate, KWrite, Qt
/// Creator: see `is_qt_temp_name`).
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || name == "4913"
        || is_qt_temp_name(name)
}

/// Qt's `QSaveFile` writes `x.md` as `x.md.` plus six random letters or digits (`x.md.aB3xYz`; older Qt puts
/// the process id in the last ones), then renames it over `x.md`. So: a name with an extension, then six ASCII
/// letters or digits. Real files rarely end that way, and to leave alone the few that do (`notes.txt.backup`),
/// the six must not be all lowercase letters, as extensions are. (A Qt name that happens to be all lowercase,
/// about 1 in 64, is then taken as a change: one extra rebuild, nothing lost.)
fn is_qt_temp_name(name: &str) -> bool {
    let Some((stem, random)) = name.rsplit_once('.') else {
        return false;
    };
    random.len() == 6
        && random.bytes().all(|b| b.is_ascii_alphanumeric())
        && !random.bytes().all(|b| b.is_ascii_lowercase())
        && stem
            .rsplit_once('.')
            .is_some_and(|(base, ext)| !base.is_empty() && !ext.is_empty())
}

/// A file's size, modification and change times and inode. A file whose stamp is the same as when it was read
/// is taken as unchanged (a rename over it changes the inode and the change time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    changed: (i64, i64),
    inode: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        let (changed, inode) = {
            use std::os::unix::fs::MetadataExt as _;
            ((meta.ctime(), meta.ctime_nsec()), meta.ino())
        };
        #[cfg(not(unix))]
        let (changed, inode) = ((0, 0), 0);
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            changed,
            inode,
        }
    }
}

/// What [`load_again`] found for one Markdown file.
enum DocRead {
    /// Same stamp as when it was last read.
    Unchanged,
    /// Read, with the stamp of the file read.
    Doc(SourceDoc, Option<Stamp>),
    /// Could not be read.
    Failed(Diagnostic),
}

/// What an earlier [`load_again`] read, so that the next one reads only the files that changed.
#[derive(Debug, Default)]
pub struct Reuse {
    /// Stamp of each Markdown file when the previous load read it without error.
    stamps: HashMap<String, Stamp>,
    /// Every Markdown file of the previous load.
    paths: HashSet<String>,
    /// The previous load's documents, handed back with [`Reuse::give_back`] (moved, never copied).
    docs: HashMap<String, SourceDoc>,
    /// Paths to read again whatever their stamp says (a stamp has the clock's resolution, so two saves in a row
    /// can leave the same one; a file watcher names the files it saw change).
    pub force: HashSet<String>,
}

impl Reuse {
    /// Hands the documents of a load back, for the next [`load_again`] to take the unchanged ones from.
    pub fn give_back(&mut self, docs: Vec<SourceDoc>) {
        self.docs
            .extend(docs.into_iter().map(|d| (d.path.clone(), d)));
    }
}

/// Which documents a [`load_again`] found different from the previous load.
#[derive(Debug, Default)]
pub struct Changed {
    /// Markdown files that are new, or whose text changed, or that could not be read.
    pub docs: HashSet<String>,
    /// Markdown files that are gone.
    pub removed: HashSet<String>,
    /// The whole tree was walked ([`load_again`]): files may have been added, removed or renamed, and the
    /// other files of the content folders may have changed. False after [`reload`], which read only the files
    /// it was given.
    pub walked: bool,
}

/// Reads the site at `root`, reading again only the Markdown files whose stamp changed since the load that
/// filled `reuse` (and those in `reuse.force`); with an empty `reuse`, every file. Problems (unreadable files,
/// unclosed front matter) are returned, not fatal.
pub fn load_again(root: &Path, reuse: &mut Reuse) -> (Sources, Vec<Diagnostic>, Changed) {
    let mut diags = Vec::new();
    let mut unreadable = BTreeSet::new();
    let config_text = read_config(root).unwrap_or_else(|d| {
        diags.push(d);
        unreadable.insert(CONFIG_FILE.to_string());
        None
    });
    let mut md = Vec::new();
    let mut files = BTreeSet::new();
    for dir in CONTENT_DIRS {
        let base = root.join(dir);
        if !base.is_dir() {
            continue;
        }
        let walker = walkdir::WalkDir::new(&base)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e
                        .path()
                        .map(|p| rel(root, p))
                        .unwrap_or_else(|| dir.to_string());
                    diags.push(
                        Diagnostic::error(path, format!("cannot read: {e}"))
                            .code("unreadable-file"),
                    );
                    continue;
                }
            };
            if entry.file_type().is_symlink() {
                diags.push(
                    Diagnostic::warning(rel(root, entry.path()), "is a symbolic link, which shirube does not follow").code("symbolic-link")
                        .with_help("put the file (or folder) itself here, or leave it out of the site's folders"),
                );
                continue;
            }
            if !entry.file_type().is_file() {
                continue;
            }
            let path = rel(root, entry.path());
            if entry.path().to_str().is_none() {
                diags.push(
                    Diagnostic::error(path, "the file name is not valid UTF-8")
                        .code("invalid-file-name")
                        .with_help("rename the file: shirube makes URLs from file names"),
                );
                continue;
            }
            if path.ends_with(".md") || path.ends_with(".markdown") {
                md.push(path);
            } else {
                files.insert(path);
            }
        }
    }
    let mut old = std::mem::take(&mut reuse.docs);
    let force = std::mem::take(&mut reuse.force);
    let mut changed = Changed {
        walked: true,
        ..Changed::default()
    };
    // In parallel: the stamp of each file that was read before, and the file itself when it is new or its
    // stamp changed. The walk took no stamps: each is taken here, on two cores, and a file that is read gets
    // the stamp of the open file, so stamp and text always belong together.
    let read: Vec<DocRead> = md
        .par_iter()
        .map(|p| {
            if old.contains_key(p) && !force.contains(p) {
                let stamp = std::fs::symlink_metadata(root.join(p))
                    .ok()
                    .map(|m| Stamp::of(&m));
                if let Some(stamp) = stamp
                    && reuse.stamps.get(p) == Some(&stamp)
                {
                    return DocRead::Unchanged;
                }
            }
            match read_doc_stamped(root, p) {
                Ok((doc, stamp)) => DocRead::Doc(doc, stamp),
                Err(d) => DocRead::Failed(d),
            }
        })
        .collect();
    let mut docs = Vec::with_capacity(read.len());
    let mut present = HashSet::with_capacity_and_hasher(md.len(), Default::default());
    for (path, r) in md.into_iter().zip(read) {
        present.insert(path.clone());
        match r {
            // The earlier document, moved, not copied.
            DocRead::Unchanged => {
                if let Some(doc) = old.remove(&path) {
                    docs.push(doc);
                }
            }
            DocRead::Doc(doc, stamp) => {
                if old.get(&path).is_none_or(|o| o.text != doc.text) {
                    changed.docs.insert(path.clone());
                }
                match stamp {
                    Some(stamp) => reuse.stamps.insert(path, stamp),
                    None => reuse.stamps.remove(&path),
                };
                docs.push(doc);
            }
            DocRead::Failed(d) => {
                reuse.stamps.remove(&path);
                unreadable.insert(path.clone());
                changed.docs.insert(path);
                diags.push(d);
            }
        }
    }
    changed.removed = reuse
        .paths
        .iter()
        .filter(|p| !present.contains(*p))
        .cloned()
        .collect();
    reuse.stamps.retain(|p, _| present.contains(p));
    reuse.paths = present;
    let manifests = load_manifests(root, &mut diags);
    (
        Sources {
            root: root.to_path_buf(),
            config_text,
            docs,
            files,
            unreadable,
            manifests,
        },
        diags,
        changed,
    )
}

/// The text of `shirube.yaml`, `None` when there is none.
pub fn read_config(root: &Path) -> Result<Option<String>, Diagnostic> {
    let bytes = match std::fs::read(root.join(CONFIG_FILE)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(
                Diagnostic::error(CONFIG_FILE, format!("cannot read: {e}")).code("unreadable-file")
            );
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| not_utf8(CONFIG_FILE, e))?;
    Ok(Some(text.trim_start_matches('\u{feff}').to_string()))
}

/// The error for a file at `path` that is not UTF-8: where its first bad byte is (the line, and the column in
/// characters of the valid text before it), and the encoding it looks like.
fn not_utf8(path: &str, e: std::string::FromUtf8Error) -> Diagnostic {
    let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
    let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = std::str::from_utf8(&valid[line_start..]).map_or(1, |s| s.chars().count() + 1);
    Diagnostic::error(
        path,
        format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
    )
    .code("not-utf8")
    .at_line(line, col)
    .with_help(match guess_encoding(e.as_bytes()) {
        Some(enc) => format!("it looks like {enc}; save the file as UTF-8"),
        None => "the rest is UTF-8: retype the text at this place and save the file as UTF-8"
            .to_string(),
    })
}

/// The encoding text that is not UTF-8 most likely is: UTF-16 (a byte order mark, or many zero bytes),
/// Shift_JIS (the usual one for Japanese files saved on Windows), EUC-JP, else a Western single-byte one.
/// `None` when it is mostly UTF-8 (more valid non-ASCII characters than broken ones): a damaged UTF-8 file.
fn guess_encoding(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xff, 0xfe])
        || bytes.starts_with(&[0xfe, 0xff])
        || bytes.iter().filter(|&&b| b == 0).count() * 4 > bytes.len()
    {
        return Some("UTF-16");
    }
    let (mut good, mut bad) = (0usize, 0usize);
    for c in String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| !c.is_ascii())
    {
        if c == char::REPLACEMENT_CHARACTER {
            bad += 1;
        } else {
            good += 1;
        }
    }
    if good > bad {
        return None;
    }
    // Each byte sequence valid in the encoding; a Shift_JIS lead byte below 0xa0 (kana and most kanji) cannot
    // start an EUC-JP character, so it tells the two apart.
    let mut sjis = true;
    let mut sjis_low_lead = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 || (0xa1..=0xdf).contains(&b) {
            i += 1;
        } else if (0x81..=0x9f).contains(&b) || (0xe0..=0xfc).contains(&b) {
            match bytes.get(i + 1) {
                Some(0x40..=0x7e | 0x80..=0xfc) => {
                    sjis_low_lead |= b < 0xa0;
                    i += 2;
                }
                _ => {
                    sjis = false;
                    break;
                }
            }
        } else {
            sjis = false;
            break;
        }
    }
    let mut euc = true;
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (0..=0x7f, _) => i += 1,
            (0x8e, Some(0xa1..=0xdf)) | (0xa1..=0xfe, Some(0xa1..=0xfe)) => i += 2,
            _ => {
                euc = false;
                break;
            }
        }
    }
    Some(match (sjis, sjis_low_lead, euc) {
        (true, true, _) => "Shift_JIS",
        (_, _, true) => "EUC-JP",
        (true, false, false) => "Shift_JIS",
        _ => "Windows-1252 (Latin-1)",
    })
}

/// The manifest files, as [`load_again`] reads them, or the problems reading them.
pub fn read_manifests(root: &Path) -> Result<Vec<crate::load::ManifestFile>, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let files = load_manifests(root, &mut diags);
    if diags.is_empty() {
        Ok(files)
    } else {
        Err(diags)
    }
}

/// Reads one Markdown file (relative to `root`) as [`load_again`] does.
pub fn read_one(root: &Path, path: &str) -> Result<SourceDoc, Diagnostic> {
    read_doc(root, path)
}

/// The load stage for a save: reads again only the files in `touched` (paths relative to the root) and
/// `shirube.yaml` and the manifest files, and puts them in `sources`, which an earlier load filled without any
/// problem. `docs` indexes `sources.docs` by path.
///
/// `None`, with `sources` as it was, when that is not enough to be right: a touched path in a content folder
/// that is not a Markdown file `sources` has (a new file, an image, a folder), or a file that cannot be read
/// now. Then the caller walks the whole tree with [`load_again`]; this is what keeps a save at 10,000 pages
/// from costing a walk and 10,000 `stat` calls.
pub fn reload(
    root: &Path,
    sources: &mut Sources,
    docs: &HashMap<String, usize>,
    touched: &[String],
) -> Option<Changed> {
    let mut read = Vec::new();
    for path in touched {
        let top = path.split('/').next().unwrap_or("");
        if path.is_empty() {
            return None;
        }
        if CONTENT_DIRS.contains(&top) {
            read.push((*docs.get(path)?, read_one(root, path).ok()?));
        }
    }
    let config_text = read_config(root).ok()?;
    let manifests = read_manifests(root).ok()?;
    let mut changed = Changed::default();
    for (i, doc) in read {
        let old = sources.docs.get_mut(i)?;
        if old.text != doc.text {
            changed.docs.insert(doc.path.clone());
            *old = doc;
        }
    }
    sources.config_text = config_text;
    sources.manifests = manifests;
    Some(changed)
}

/// Reads `manifest.yaml` and `manifest/**/*.yaml` (and `.yml`), sorted by path.
fn load_manifests(root: &Path, diags: &mut Vec<Diagnostic>) -> Vec<ManifestFile> {
    let mut paths = Vec::new();
    if root.join(MANIFEST_FILE).is_file() {
        paths.push(MANIFEST_FILE.to_string());
    }
    let dir = root.join(MANIFEST_DIR);
    if dir.is_dir() {
        let walker = walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
        for entry in walker.flatten() {
            let name = entry.file_name().to_string_lossy();
            if entry.file_type().is_file() && (name.ends_with(".yaml") || name.ends_with(".yml")) {
                paths.push(rel(root, entry.path()));
            }
        }
    }
    let mut files = Vec::new();
    for path in paths {
        match std::fs::read_to_string(root.join(&path)) {
            Ok(text) => files.push(ManifestFile {
                path,
                text: text.trim_start_matches('\u{feff}').to_string(),
            }),
            Err(e) => diags
                .push(Diagnostic::error(path, format!("cannot read: {e}")).code("unreadable-file")),
        }
    }
    files
}

/// `p` relative to `root` (a path found by walking `root`), `/`-separated.
pub(crate) fn rel(root: &Path, p: &Path) -> String {
    let r = p.strip_prefix(root).unwrap_or(p);
    // Paths from a walk are clean joins: on Unix the text is already `/`-separated.
    if std::path::MAIN_SEPARATOR == '/'
        && let Some(s) = r.to_str()
    {
        return s.to_string();
    }
    r.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn read_doc(root: &Path, path: &str) -> Result<SourceDoc, Diagnostic> {
    read_doc_stamped(root, path).map(|(doc, _)| doc)
}

/// [`read_doc`], with the stamp of the file it read (`None` when its metadata cannot be read).
fn read_doc_stamped(root: &Path, path: &str) -> Result<(SourceDoc, Option<Stamp>), Diagnostic> {
    use std::io::Read as _;
    let cannot = |e: std::io::Error| {
        Diagnostic::error(path, format!("cannot read: {e}")).code("unreadable-file")
    };
    let mut file = std::fs::File::open(root.join(path)).map_err(cannot)?;
    let meta = file.metadata().ok();
    let mut bytes = Vec::with_capacity(meta.as_ref().map_or(0, |m| m.len() as usize));
    file.read_to_end(&mut bytes).map_err(cannot)?;
    let stamp = meta.map(|m| Stamp::of(&m));
    let text = String::from_utf8(bytes).map_err(|e| not_utf8(path, e))?;
    Ok((split(path, text)?, stamp))
}

/// Splits front matter from body. A file without a leading `---` line is all body.
pub fn split(path: &str, text: String) -> Result<SourceDoc, Diagnostic> {
    let text = match text.strip_prefix('\u{feff}') {
        Some(t) => t.to_string(),
        None => text,
    };
    let first = text.lines().next().unwrap_or("");
    if first.trim_end() == "+++" {
        return Err(
            Diagnostic::error(path, "TOML front matter (+++) is not supported")
                .code("toml-front-matter")
                .at(&text, 1, 1, 3)
                .with_help("write the front matter as YAML between two `---` lines"),
        );
    }
    if first.trim_end() != "---" {
        return Ok(SourceDoc {
            path: path.into(),
            text,
            front: None,
            body_start: 0,
            body_line: 1,
        });
    }
    // Walk lines keeping byte offsets; the first `---` or `...` line after the opening one closes the block.
    let mut offset = first.len() + line_end_len(&text[first.len()..]);
    let yaml_start = offset;
    let mut line_no = 2;
    while offset < text.len() {
        let rest = &text[offset..];
        let line = rest.split('\n').next().unwrap_or("");
        let next = offset + line.len() + usize::from(rest.len() > line.len());
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let yaml = text[yaml_start..offset].to_string();
            return Ok(SourceDoc {
                path: path.into(),
                front: Some((yaml, 1)),
                body_start: next.min(text.len()),
                body_line: line_no + 1,
                text,
            });
        }
        offset = next;
        line_no += 1;
    }
    Err(Diagnostic::error(path, "front matter is not closed")
        .code("unclosed-front-matter")
        .at(&text, 1, 1, 3)
        .with_help("add a line with `---` after the last front matter line"))
}

fn line_end_len(s: &str) -> usize {
    if s.starts_with("\r\n") {
        2
    } else {
        usize::from(s.starts_with('\n'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_lines_and_thematic_breaks() {
        let d = split("a.md", "---\ntitle: A\n---\n---\nbody\n".into()).unwrap();
        assert_eq!(d.front.as_ref().unwrap().0, "title: A\n");
        assert_eq!(d.body(), "---\nbody\n");
        assert_eq!(d.body_line, 4);
    }

    #[test]
    fn split_handles_crlf_bom_and_no_front_matter() {
        let d = split("a.md", "\u{feff}---\r\ntitle: A\r\n---\r\nbody".into()).unwrap();
        assert_eq!(d.front.as_ref().unwrap().0, "title: A\r\n");
        assert_eq!(d.body(), "body");
        let d = split("a.md", "# Just text\n".into()).unwrap();
        assert!(d.front.is_none());
        assert!(split("a.md", "---\ntitle: A\n".into()).is_err());
    }

    #[test]
    fn the_encoding_of_text_that_is_not_utf8_is_guessed() {
        // 日本語のガイド in Shift_JIS and EUC-JP; "Café" in Latin-1; UTF-8 Japanese with one byte cut out.
        let sjis = b"title: \x93\xfa\x96\x7b\x8c\xea\x82\xcc\x83\x4b\x83\x43\x83\x68\n";
        let euc = b"title: \xc6\xfc\xcb\xdc\xb8\xec\xa4\xce\xa5\xac\xa5\xa4\xa5\xc9\n";
        let mut damaged = "title: 日本語のガイド\n".as_bytes().to_vec();
        damaged.remove(8);
        for (bytes, expected) in [
            (&sjis[..], Some("Shift_JIS")),
            (&euc[..], Some("EUC-JP")),
            (&b"title: Caf\xe9\n"[..], Some("Windows-1252 (Latin-1)")),
            (&b"\xff\xfet\x00i\x00"[..], Some("UTF-16")),
            (&damaged[..], None),
        ] {
            assert_eq!(guess_encoding(bytes), expected, "{bytes:x?}");
        }
    }

    #[test]
    fn editor_droppings_are_ignored() {
        for n in [
            ".#a.md",
            "a.md~",
            ".a.md.swp",
            "#a.md#",
            "4913",
            ".DS_Store",
            "a.md___jb_tmp___",
            "a.md___jb_old___",
            "a.md.aB3xYz",
            "invite-admins.md.QWERTY",
            "a.md.123456",
            "logo.png.x1y2z3",
        ] {
            assert!(is_ignored_name(n), "{n}");
        }
        // Real names, some close to Qt's temp names.
        for n in [
            "a.md",
            "notes.txt.backup",
            "archive.tar.gz",
            "report.AB12cd",
            "md.ABCDEF",
            "v1.2.3aBcD",
            "a.md.aB3xYzq",
            "a.md.aB-xYz",
            "screen.recording.mp4",
        ] {
            assert!(!is_ignored_name(n), "{n}");
        }
    }

    #[test]
    fn loading_again_reads_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/faq")).unwrap();
        std::fs::write(root.join("content/a.md"), "---\ntitle: A\n---\nA\n").unwrap();
        std::fs::write(root.join("content/faq/b.md"), "---\ntitle: B\n---\nB\n").unwrap();
        std::fs::write(root.join("content/faq/bad.md"), [0xff, 0xfe]).unwrap();
        let mut reuse = Reuse::default();
        let texts = |s: &Sources| -> Vec<(String, String)> {
            s.docs
                .iter()
                .map(|d| (d.path.clone(), d.text.clone()))
                .collect()
        };
        let (first, diags, changed) = load_again(root, &mut reuse);
        assert_eq!(diags.len(), 1, "{diags:?}"); // bad.md is not UTF-8
        assert_eq!(changed.docs.len(), 3);
        assert_eq!(texts(&first)[0].0, "content/a.md");
        assert_eq!(texts(&first)[1].0, "content/faq/b.md");
        assert_eq!(reuse.stamps.len(), 2, "a stamp for each file read");

        // b.md grows: only it is new; a.md is taken over from the first load.
        reuse.give_back(first.docs);
        std::fs::write(
            root.join("content/faq/b.md"),
            "---\ntitle: B\n---\nB, longer\n",
        )
        .unwrap();
        let (second, _, changed) = load_again(root, &mut reuse);
        let mut changed_docs: Vec<&String> = changed.docs.iter().collect();
        changed_docs.sort();
        assert_eq!(changed_docs, ["content/faq/b.md", "content/faq/bad.md"]);
        assert!(texts(&second)[1].1.contains("B, longer"));
        assert!(texts(&second)[0].1.contains("title: A"));

        // The same bytes written again under a forced path are read, and are no change.
        reuse.give_back(second.docs);
        reuse.force.insert("content/a.md".into());
        std::fs::remove_file(root.join("content/faq/b.md")).unwrap();
        let (third, _, changed) = load_again(root, &mut reuse);
        assert!(!changed.docs.contains("content/a.md"));
        assert_eq!(
            changed.removed.iter().collect::<Vec<_>>(),
            ["content/faq/b.md"]
        );
        assert_eq!(third.docs.len(), 1);
    }
}

/// The manifest file at the site root.
pub const MANIFEST_FILE: &str = "manifest.yaml";

/// The folder of manifest files, merged, for teams that prefer one file per quarter or per CSM.
pub const MANIFEST_DIR: &str = "manifest";

/// A manifest file's text.
#[derive(Debug, Clone)]
pub struct ManifestFile {
    /// Site-relative path.
    pub path: String,
    /// Contents.
    pub text: String,
}
