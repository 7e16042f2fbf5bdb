//! Writing the output folder safely.
//!
//! shirube never deletes or overwrites anything it did not make. The output folder carries a marker file. A
//! build writes every new or changed file under a temporary name before it replaces anything, so a failed
//! build leaves the previous output as it was; unchanged files are not touched at all (see
//! [`write_atomically`]).

use crate::HashSet;
use crate::render::OutputFile;
use rayon::prelude::*;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::Instant;

/// The marker file shirube puts in every folder it writes.
pub const MARKER: &str = ".shirube-output";

const MARKER_TEXT: &str =
    "This folder is written by shirube. It is replaced on every build: do not edit it by hand.\n";

/// Folders of a site that hold sources; the output may be neither one of them nor inside one.
const SOURCE_DIRS: [&str; 6] = [
    "playbooks",
    "content",
    "themes",
    "templates",
    "static",
    "manifest",
];

/// Makes `p` absolute and normal (`.` and `..` removed) without needing it to exist.
pub fn absolute(p: &Path) -> io::Result<PathBuf> {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    };
    // Resolve symlinks in the longest existing prefix, then append the rest.
    let mut existing = abs.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    let mut normal = PathBuf::new();
    for c in out.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    Ok(normal)
}

/// Why an output folder is refused, or `None` when shirube may write there.
pub fn refuse_reason(root: &Path, out: &Path) -> Option<String> {
    let (Ok(root), Ok(out)) = (absolute(root), absolute(out)) else {
        return Some("cannot resolve the path".into());
    };
    if out.parent().is_none() {
        return Some("it is the file system root".into());
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && absolute(&home).ok().as_deref() == Some(out.as_path())
    {
        return Some("it is your home folder".into());
    }
    if out == root {
        return Some("it is the site root".into());
    }
    if root.starts_with(&out) {
        return Some("it contains the site".into());
    }
    for dir in SOURCE_DIRS {
        let src = root.join(dir);
        if out.starts_with(&src) {
            return Some(format!("it is inside the source folder {dir}/"));
        }
    }
    if out.exists() {
        if !out.is_dir() {
            return Some("it is a file".into());
        }
        let empty = std::fs::read_dir(&out)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !out.join(MARKER).is_file() {
            return Some(format!(
                "it is not empty and shirube did not create it (no {MARKER} marker file)"
            ));
        }
    }
    None
}

/// What [`write_atomically`] did, for `build --timings`.
#[derive(Debug, Default)]
pub struct Written {
    /// Files whose bytes did not change, left as they were.
    pub unchanged: usize,
    /// Files written (new or changed).
    pub written: usize,
    /// Files of the previous output that this build no longer makes, removed.
    pub removed: usize,
    /// Whether the whole folder was replaced (first build, or a file turned into a folder) rather than updated.
    pub replaced: bool,
    /// Time comparing and writing the new files, in ms.
    pub prepare_ms: f64,
    /// Time switching them into place and removing what is gone, in ms.
    pub commit_ms: f64,
}

/// Makes `out` hold exactly `files` (and the marker), so that a failure leaves the previous output as it was.
///
/// When `out` holds a previous build, it is updated in two steps. First every new or changed file is written
/// beside its target under a temporary name (`.index.html.shirube-new`); files whose bytes did not change are
/// not touched, so they keep their modification times and `rsync`-style deploys upload only what changed. If
/// anything fails there, the temporary files are removed and the output is as it was. Then each one is renamed
/// over its target (one atomic rename per file) and files that are no longer made are removed. A build killed
/// in that short second step leaves a mix of old and new files, which the next build corrects.
///
/// On the first build, or when a file must replace a folder (or the other way round), everything is written
/// into a staging folder beside `out` that is swapped in once complete.
pub fn write_atomically(out: &Path, files: &[OutputFile]) -> io::Result<Written> {
    write_atomically_over(out, files, scan_previous(out))
}

/// [`write_atomically`], with the previous output read beforehand by [`scan_previous`] (its result is
/// `previous`), so that reading it can overlap with the build. Nothing else may write to `out` in between.
pub fn write_atomically_over(
    out: &Path,
    files: &[OutputFile],
    previous: io::Result<Option<Previous>>,
) -> io::Result<Written> {
    for f in files {
        if f.path.is_empty()
            || f.path.starts_with('/')
            || f.path.split('/').any(|s| s == ".." || s == ".")
        {
            return Err(io::Error::other(format!(
                "refusing to write outside the output: {}",
                f.path
            )));
        }
    }
    let out = absolute(out)?;
    let parent = out
        .parent()
        .ok_or_else(|| io::Error::other("the output folder has no parent"))?;
    std::fs::create_dir_all(parent)?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "public".into());
    clean_leftovers(parent, &name);
    if let Some(previous) = previous?
        && let Some(plan) = plan_update(previous, files)
    {
        return update(&out, files, plan);
    }
    replace(&out, parent, &name, files)
}

/// What a previous build left in the output folder, read by [`scan_previous`].
pub struct Previous {
    /// Every file (or symlink), by `/`-separated path.
    files: HashSet<String>,
    /// Every folder.
    dirs: HashSet<String>,
}

/// Reads the output folder `out` as a previous build left it: `None` when there is none (no folder, or no
/// marker file). Temporary files of a build that was killed while writing are removed. Only reads (and removes
/// our own temporary files), so it can run on another thread while the site is built.
pub fn scan_previous(out: &Path) -> io::Result<Option<Previous>> {
    let out = absolute(out)?;
    if !out.join(MARKER).is_file() {
        return Ok(None);
    }
    let mut files = HashSet::default();
    let mut dirs = HashSet::default();
    for entry in walkdir::WalkDir::new(&out).min_depth(1) {
        let entry = entry.map_err(io::Error::other)?;
        let rel = crate::load::rel(&out, entry.path());
        if entry.file_type().is_dir() {
            dirs.insert(rel);
        } else if is_temp(&entry) {
            std::fs::remove_file(entry.path())?;
        } else {
            files.insert(rel);
        }
    }
    Ok(Some(Previous { files, dirs }))
}

/// What an update in place needs to know.
struct Plan<'a> {
    /// The previous output.
    old: Previous,
    /// Every folder the new files need.
    needed: HashSet<&'a str>,
    /// Those of them that do not exist yet, parents first.
    new_dirs: Vec<&'a str>,
}

/// `None` when the previous output cannot be updated in place: a new file's path is a folder there, or one of
/// its folders is a file or a symlink (never written through: it could point anywhere).
fn plan_update(old: Previous, files: &[OutputFile]) -> Option<Plan<'_>> {
    let needed: HashSet<&str> = files
        .iter()
        .flat_map(|f| f.path.match_indices('/').map(|(i, _)| &f.path[..i]))
        .collect();
    if needed.iter().any(|d| old.files.contains(*d))
        || files.iter().any(|f| old.dirs.contains(&f.path))
    {
        return None;
    }
    let mut new_dirs: Vec<&str> = needed
        .iter()
        .filter(|d| !old.dirs.contains(**d))
        .copied()
        .collect();
    // Sorted paths put every parent before its children.
    new_dirs.sort_unstable();
    Some(Plan {
        old,
        needed,
        new_dirs,
    })
}

/// The temporary name a changed file is written under, beside its target.
fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}{TEMP_SUFFIX}"))
}

const TEMP_SUFFIX: &str = ".shirube-new";

fn is_temp(entry: &walkdir::DirEntry) -> bool {
    let name = entry.file_name().to_string_lossy();
    entry.file_type().is_file() && name.starts_with('.') && name.ends_with(TEMP_SUFFIX)
}

/// Updates the previous output in place (see [`write_atomically`]).
fn update(out: &Path, files: &[OutputFile], plan: Plan) -> io::Result<Written> {
    let started = Instant::now();
    let marker = OutputFile {
        path: MARKER.to_string(),
        bytes: MARKER_TEXT.as_bytes().to_vec(),
    };
    let all: Vec<&OutputFile> = files.iter().chain([&marker]).collect();
    let mut created = Vec::new();
    let mut result = Ok(());
    for d in &plan.new_dirs {
        match std::fs::create_dir(out.join(d)) {
            Ok(()) => created.push(out.join(d)),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    // For each file: `Some(temp)` when it was written under a temporary name, `None` when unchanged.
    let temps: Vec<io::Result<Option<PathBuf>>> = if result.is_ok() {
        all.par_iter()
            .map(|f| {
                let target = out.join(&f.path);
                if plan.old.files.contains(&f.path) && same_bytes(&target, &f.bytes) {
                    return Ok(None);
                }
                let temp = temp_path(&target);
                std::fs::write(&temp, &f.bytes).map(|()| Some(temp))
            })
            .collect()
    } else {
        Vec::new()
    };
    if let Some(Err(e)) = temps.iter().find(|t| t.is_err()) {
        result = Err(io::Error::new(e.kind(), e.to_string()));
    }
    if let Err(e) = result {
        // Leave the previous output as it was.
        for t in temps.iter().flatten().flatten() {
            let _ = std::fs::remove_file(t);
        }
        for d in created.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
        return Err(e);
    }
    let prepare_ms = ms(started);

    let started = Instant::now();
    let mut written = Written {
        prepare_ms,
        ..Written::default()
    };
    for (f, temp) in all.iter().zip(&temps) {
        match temp {
            Ok(Some(temp)) => {
                std::fs::rename(temp, out.join(&f.path))?;
                written.written += 1;
            }
            _ => written.unchanged += 1,
        }
    }
    let keep: HashSet<&str> = all.iter().map(|f| f.path.as_str()).collect();
    let gone: Vec<&String> = plan
        .old
        .files
        .iter()
        .filter(|p| !keep.contains(p.as_str()))
        .collect();
    // Gone already is fine: the previous output may have been read a while ago (`write_atomically_over`).
    gone.par_iter()
        .try_for_each(|p| not_found_is_ok(std::fs::remove_file(out.join(p))))?;
    written.removed = gone.len();
    let mut empty: Vec<&String> = plan
        .old
        .dirs
        .iter()
        .filter(|d| !plan.needed.contains(d.as_str()))
        .collect();
    // Children before parents.
    empty.sort_unstable_by(|a, b| b.cmp(a));
    for d in empty {
        not_found_is_ok(std::fs::remove_dir(out.join(d)))?;
    }
    written.commit_ms = ms(started);
    Ok(written)
}

fn not_found_is_ok(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Whether the file at `path` is a plain file (not a symlink) holding exactly `bytes`.
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    std::fs::symlink_metadata(path)
        .is_ok_and(|m| m.file_type().is_file() && m.len() == bytes.len() as u64)
        && std::fs::read(path).is_ok_and(|old| old == bytes)
}

/// Writes everything into a staging folder beside `out`, then swaps it in and removes the previous output.
fn replace(out: &Path, parent: &Path, name: &str, files: &[OutputFile]) -> io::Result<Written> {
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.shirube-staging-{pid}"));
    let old = parent.join(format!(".{name}.shirube-old-{pid}"));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    std::fs::create_dir(&staging)?;
    let started = Instant::now();
    if let Err(e) = write_all(&staging, files) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    let mut written = Written {
        written: files.len() + 1,
        replaced: true,
        prepare_ms: ms(started),
        ..Written::default()
    };
    let started = Instant::now();
    if out.exists() {
        std::fs::rename(out, &old)?;
        if let Err(e) = std::fs::rename(&staging, out) {
            // Put the previous output back before reporting.
            let _ = std::fs::rename(&old, out);
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
        remove_tree(&old)?;
    } else {
        std::fs::rename(&staging, out)?;
    }
    written.commit_ms = ms(started);
    Ok(written)
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Removes a folder of ours: files in parallel, then the folders, deepest first.
fn remove_tree(dir: &Path) -> io::Result<()> {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_dir() {
            dirs.push((entry.depth(), entry.into_path()));
        } else {
            files.push(entry.into_path());
        }
    }
    files.par_iter().try_for_each(std::fs::remove_file)?;
    dirs.sort_by_key(|d| std::cmp::Reverse(d.0));
    for (_, d) in dirs {
        std::fs::remove_dir(d)?;
    }
    Ok(())
}

fn write_all(dir: &Path, files: &[OutputFile]) -> io::Result<()> {
    std::fs::write(dir.join(MARKER), MARKER_TEXT)?;
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(|p| dir.join(p)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        std::fs::create_dir_all(d)?;
    }
    files
        .par_iter()
        .try_for_each(|f| std::fs::write(dir.join(&f.path), &f.bytes))
}

/// Removes staging or old folders that a killed build left behind (ours only: they carry our marker).
fn clean_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [
        format!(".{name}.shirube-staging-"),
        format!(".{name}.shirube-old-"),
    ];
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        if prefixes.iter().any(|p| n.starts_with(p.as_str())) && e.path().join(MARKER).is_file() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_outputs() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::create_dir_all(root.join("notes")).unwrap();
        std::fs::write(root.join("notes/x.txt"), "keep").unwrap();
        assert_eq!(
            refuse_reason(root, root).as_deref(),
            Some("it is the site root")
        );
        assert_eq!(
            refuse_reason(root, &root.join("content/out")).as_deref(),
            Some("it is inside the source folder content/")
        );
        assert_eq!(
            refuse_reason(root, Path::new("/")).as_deref(),
            Some("it is the file system root")
        );
        assert!(
            refuse_reason(root, &root.join("notes"))
                .unwrap()
                .starts_with("it is not empty")
        );
        assert_eq!(refuse_reason(root, &root.join("public")), None);
        assert_eq!(
            refuse_reason(root, root.parent().unwrap()).as_deref(),
            Some("it contains the site")
        );
    }

    #[test]
    fn swap_replaces_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_atomically(
            &out,
            &[OutputFile {
                path: "a/index.html".into(),
                bytes: b"one".to_vec(),
            }],
        )
        .unwrap();
        write_atomically(
            &out,
            &[OutputFile {
                path: "b.html".into(),
                bytes: b"two".to_vec(),
            }],
        )
        .unwrap();
        assert!(!out.join("a/index.html").exists());
        assert_eq!(std::fs::read(out.join("b.html")).unwrap(), b"two");
        assert!(out.join(MARKER).is_file());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["public"]);
    }

    fn file(path: &str, bytes: &[u8]) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: bytes.to_vec(),
        }
    }

    /// Every file under `dir` with its bytes (symlinks as their target), sorted.
    fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<_> = walkdir::WalkDir::new(dir)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| !e.file_type().is_dir())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                let bytes = if e.path_is_symlink() {
                    std::fs::read_link(e.path())
                        .unwrap()
                        .to_string_lossy()
                        .as_bytes()
                        .to_vec()
                } else {
                    std::fs::read(e.path()).unwrap()
                };
                (rel, bytes)
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn previous_output_read_ahead() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // No output yet, and a folder shirube did not write: nothing to update in place.
        assert!(scan_previous(&out).unwrap().is_none());
        write_atomically(
            &out,
            &[
                file("keep.html", b"keep"),
                file("a/gone.html", b"gone"),
                file("b/gone.html", b"gone too"),
            ],
        )
        .unwrap();
        let previous = scan_previous(&out).unwrap();
        assert!(previous.is_some());
        // Someone removes files while the site builds: the update does not fail on them.
        std::fs::remove_file(out.join("a/gone.html")).unwrap();
        std::fs::remove_dir_all(out.join("b")).unwrap();
        let w = write_atomically_over(
            &out,
            &[file("keep.html", b"keep"), file("c/new.html", b"new")],
            Ok(previous),
        )
        .unwrap();
        assert!(!w.replaced);
        assert_eq!((w.unchanged, w.written, w.removed), (2, 1, 2), "{w:?}");
        assert_eq!(
            tree(&out),
            [
                (MARKER.to_string(), MARKER_TEXT.as_bytes().to_vec()),
                ("c/new.html".to_string(), b"new".to_vec()),
                ("keep.html".to_string(), b"keep".to_vec()),
            ]
        );
        // A failed read ahead fails the write and leaves the output alone.
        let err = write_atomically_over(
            &out,
            &[file("other.html", b"x")],
            Err(io::Error::other("boom")),
        );
        assert!(err.is_err());
        assert!(out.join("keep.html").is_file() && !out.join("other.html").exists());
    }

    #[test]
    fn update_touches_only_what_changed() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = write_atomically(
            &out,
            &[
                file("same.html", b"same"),
                file("a/edit.html", b"abcd"),
                file("old/gone/index.html", b"gone"),
            ],
        )
        .unwrap();
        assert!(first.replaced);
        let ino = |p: &str| std::fs::metadata(out.join(p)).unwrap().ino();
        let (same, edit) = (ino("same.html"), ino("a/edit.html"));
        // A symlink planted in the output is replaced, never written through, even with the same bytes.
        std::fs::write(dir.path().join("outside.txt"), b"link").unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside.txt"), out.join("l.txt")).unwrap();
        // What a build killed while writing leaves behind.
        std::fs::write(out.join(format!("a/.edit.html{TEMP_SUFFIX}")), b"half").unwrap();
        let w = write_atomically(
            &out,
            &[
                file("same.html", b"same"),
                // Same length, other bytes: must be rewritten.
                file("a/edit.html", b"abce"),
                file("l.txt", b"link"),
                file("new/deep/index.html", b"new"),
            ],
        )
        .unwrap();
        assert!(!w.replaced);
        assert_eq!((w.unchanged, w.written), (2, 3), "{w:?}"); // same.html and the marker
        assert_eq!(w.removed, 1, "{w:?}"); // the old page
        assert_eq!(ino("same.html"), same, "an unchanged file is not touched");
        assert_ne!(ino("a/edit.html"), edit);
        let l = std::fs::symlink_metadata(out.join("l.txt")).unwrap();
        assert!(l.file_type().is_file());
        assert_eq!(
            std::fs::read(dir.path().join("outside.txt")).unwrap(),
            b"link"
        );
        assert_eq!(
            tree(&out),
            [
                (MARKER.to_string(), MARKER_TEXT.as_bytes().to_vec()),
                ("a/edit.html".into(), b"abce".to_vec()),
                ("l.txt".into(), b"link".to_vec()),
                ("new/deep/index.html".into(), b"new".to_vec()),
                ("same.html".into(), b"same".to_vec()),
            ]
        );
        assert!(!out.join("old").exists(), "emptied folders are removed");
        assert!(!out.join(format!("a/.edit.html{TEMP_SUFFIX}")).exists());
    }

    #[test]
    fn failed_update_leaves_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_atomically(&out, &[file("a/index.html", b"one"), file("b.html", b"b")]).unwrap();
        // The temporary name of a.html is taken by a folder, so writing it fails.
        std::fs::create_dir(out.join(format!("a/.index.html{TEMP_SUFFIX}"))).unwrap();
        let before = tree(&out);
        let err = write_atomically(
            &out,
            &[
                file("a/index.html", b"two"),
                file("b.html", b"b2"),
                file("c/d/index.html", b"new"),
            ],
        );
        assert!(err.is_err());
        assert_eq!(tree(&out), before);
        assert!(
            !out.join("c").exists(),
            "folders made for the failed build are removed"
        );
        assert!(!out.join(format!(".b.html{TEMP_SUFFIX}")).exists());
    }

    #[test]
    fn a_file_that_becomes_a_folder_replaces_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_atomically(&out, &[file("x", b"file"), file("y/index.html", b"y")]).unwrap();
        let w =
            write_atomically(&out, &[file("x/index.html", b"dir"), file("y", b"file")]).unwrap();
        assert!(w.replaced);
        assert_eq!(std::fs::read(out.join("x/index.html")).unwrap(), b"dir");
        assert_eq!(std::fs::read(out.join("y")).unwrap(), b"file");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["public"], "no staging folder is left");
    }

    #[test]
    fn refuses_paths_outside_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        for bad in ["../x", "/etc/x", "a/../../x", ""] {
            assert!(write_atomically(&out, &[file(bad, b"x")]).is_err(), "{bad}");
        }
        assert!(!out.exists());
    }
}
