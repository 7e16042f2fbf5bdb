//! Writing the output folder safely.
//!
//! shirube never deletes or overwrites anything it did not make. The output folder carries a marker file; a
//! build writes everything into a staging folder beside it and swaps it in only once every file is written, so
//! a failed or killed build leaves the previous output as it was.
//!
//! A file whose bytes equal the same file in the previous output is not written again: the staging folder gets
//! a hard link to it. Rebuilding a 10,000-page site then creates almost no new files (on ext4 without a journal,
//! creating thousands of files just after deleting thousands costs seconds of kernel time), and unchanged files
//! keep their timestamps, so `rsync` or a deploy tool that compares times uploads only what changed.

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
    /// Files linked unchanged from the previous output instead of written.
    pub reused: usize,
    /// Time filling the staging folder, in ms.
    pub stage_ms: f64,
    /// Time removing the previous output after the swap, in ms.
    pub remove_ms: f64,
}

/// Writes `files` into a staging folder next to `out`, then swaps it into place.
pub fn write_atomically(out: &Path, files: &[OutputFile]) -> io::Result<Written> {
    let out = absolute(out)?;
    let parent = out
        .parent()
        .ok_or_else(|| io::Error::other("the output folder has no parent"))?;
    std::fs::create_dir_all(parent)?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "public".into());
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.shirube-staging-{pid}"));
    let old = parent.join(format!(".{name}.shirube-old-{pid}"));
    clean_leftovers(parent, &name);
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    std::fs::create_dir(&staging)?;
    let previous = out.join(MARKER).is_file().then_some(out.as_path());
    let started = Instant::now();
    let mut written = Written::default();
    match write_all(&staging, previous, files) {
        Ok(reused) => written.reused = reused,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    }
    written.stage_ms = ms(started);
    if out.exists() {
        std::fs::rename(&out, &old)?;
        if let Err(e) = std::fs::rename(&staging, &out) {
            // Put the previous output back before reporting.
            let _ = std::fs::rename(&old, &out);
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
        let started = Instant::now();
        remove_tree(&old)?;
        written.remove_ms = ms(started);
    } else {
        std::fs::rename(&staging, &out)?;
    }
    Ok(written)
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Removes a folder of ours: files in parallel (on a 10,000-page site that is most of the time spent
/// replacing the previous output), then the folders, deepest first.
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

/// Fills `dir`; returns how many files were linked from `previous` rather than written.
fn write_all(dir: &Path, previous: Option<&Path>, files: &[OutputFile]) -> io::Result<usize> {
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
        .map(|f| {
            if f.path.starts_with('/') || f.path.split('/').any(|s| s == "..") {
                return Err(io::Error::other(format!(
                    "refusing to write outside the output: {}",
                    f.path
                )));
            }
            let to = dir.join(&f.path);
            if let Some(prev) = previous
                && reuse(&prev.join(&f.path), &to, &f.bytes)
            {
                return Ok(1);
            }
            std::fs::write(to, &f.bytes).map(|()| 0)
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))
}

/// Hard-links `from` (a file of the previous output) to `to` when it holds exactly `bytes`. Returns false
/// (and the caller writes the file) when it differs, is not a plain file, or the file system cannot link.
fn reuse(from: &Path, to: &Path, bytes: &[u8]) -> bool {
    // symlink_metadata: a symlink someone put into the output is never linked or followed.
    let same_size = std::fs::symlink_metadata(from)
        .is_ok_and(|m| m.file_type().is_file() && m.len() == bytes.len() as u64);
    same_size
        && std::fs::read(from).is_ok_and(|old| old == bytes)
        && std::fs::hard_link(from, to).is_ok()
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

    #[test]
    fn unchanged_files_are_reused_changed_ones_rewritten() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let file = |path: &str, bytes: &[u8]| OutputFile {
            path: path.into(),
            bytes: bytes.to_vec(),
        };
        write_atomically(
            &out,
            &[file("same.html", b"same"), file("a/edit.html", b"abcd")],
        )
        .unwrap();
        let ino = |p: &str| std::fs::metadata(out.join(p)).unwrap().ino();
        let (same, edit) = (ino("same.html"), ino("a/edit.html"));
        // A symlink planted in the output is never linked into the next one, even with the same bytes.
        std::fs::write(dir.path().join("outside.txt"), b"link").unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside.txt"), out.join("l.txt")).unwrap();
        let written = write_atomically(
            &out,
            &[
                file("same.html", b"same"),
                // Same length, other bytes: must be rewritten, not reused.
                file("a/edit.html", b"abce"),
                file("l.txt", b"link"),
            ],
        )
        .unwrap();
        assert_eq!(written.reused, 1);
        assert_eq!(ino("same.html"), same, "unchanged file is the same inode");
        assert_ne!(ino("a/edit.html"), edit);
        assert_eq!(std::fs::read(out.join("a/edit.html")).unwrap(), b"abce");
        let l = std::fs::symlink_metadata(out.join("l.txt")).unwrap();
        assert!(l.file_type().is_file() && l.nlink() == 1);
        assert_eq!(
            std::fs::read(dir.path().join("outside.txt")).unwrap(),
            b"link"
        );
    }
}
