//! Writing the output folder safely.
//!
//! shirube never deletes or overwrites anything it did not make. The output folder carries a marker file. A
//! build writes every new or changed file under a temporary name before it replaces anything, so a failed
//! build leaves the previous output as it was; unchanged files are not touched at all (see
//! [`write_atomically`]).

use crate::HashSet;
use crate::interrupt;
use crate::model::OutputFile;
use rayon::prelude::*;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::Instant;

/// The marker file shirube puts in every folder it writes.
pub const MARKER: &str = ".shirube-output";

const MARKER_TEXT: &str = "This folder is written by shirube. It is replaced on every build: do not edit it by hand.\n\
     The files below are those shirube wrote; anything else here (a .git folder, a CNAME) is left alone.\n\n";

/// The marker's text while a build is switching the output over: the list then holds the previous build's
/// files as well as the new ones (see [`write_atomically`]).
const JOURNAL_TEXT: &str = "This folder is written by shirube. A build was changing it: the next build finishes the job.\n\
     The files below are those shirube may have written; anything else here is left alone.\n\n";

/// The marker file's text: [`MARKER_TEXT`], then every file shirube wrote.
fn marker_text(files: &[OutputFile]) -> Vec<u8> {
    list_text(MARKER_TEXT, files.iter().map(|f| f.path.as_str()))
}

/// `head`, then `paths` one per line (`\` and line breaks escaped as `\\` and `\n`).
fn list_text<'a>(head: &str, paths: impl IntoIterator<Item = &'a str>) -> Vec<u8> {
    let mut text = String::from(head);
    for path in paths {
        text.push_str(&path.replace('\\', "\\\\").replace('\n', "\\n"));
        text.push('\n');
    }
    text.into_bytes()
}

/// The files a marker lists, or `None` for a marker without a list (written by shirube before 0.1 kept one:
/// everything in the folder is then taken as shirube's).
fn marker_list(text: &str) -> Option<HashSet<String>> {
    let (_, list) = text.split_once("\n\n")?;
    let unescape = |line: &str| {
        let mut out = String::with_capacity(line.len());
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        }
        out
    };
    Some(list.lines().map(unescape).collect())
}

/// The folders on a `/`-separated output path, outermost first: `a/b/c.html` → `a`, `a/b`.
fn folders(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

/// Folders of a site that hold sources; the output may be neither one of them nor inside one.
const SOURCE_DIRS: [&str; 6] = [
    "playbooks",
    "content",
    "themes",
    "templates",
    "static",
    "manifest",
];

/// Makes `p` absolute and normal (`.` and `..` removed, symlinks resolved) without needing it to exist.
///
/// Component by component: every prefix that exists is resolved before the next `..` applies to it, so
/// `missing/../link/x` is `target-of-link/x`, as it would be once `missing` exists.
pub fn absolute(p: &Path) -> io::Result<PathBuf> {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => {
                out.push(other);
                if let Ok(real) = out.canonicalize() {
                    out = real;
                }
            }
        }
    }
    Ok(out)
}

/// A lock on a folder, held by one shirube process at a time (an advisory `flock` on the folder itself, so no
/// lock file is left anywhere). Released when dropped, or when the process ends however it ends.
pub struct FolderLock {
    _dir: std::fs::File,
}

/// Locks `dir`, waiting while another shirube holds it; `waiting` is said first when it does.
pub fn lock_folder(dir: &Path, waiting: &str) -> io::Result<FolderLock> {
    let handle = std::fs::File::open(dir)?;
    match handle.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            say!("note: {waiting}");
            handle.lock()?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(e),
    }
    Ok(FolderLock { _dir: handle })
}

/// Held while a build reads and writes `out` (a lock on the folder that holds it): a second build there waits,
/// rather than mixing its files with the first one's (a preview build's unproven pages among the published
/// ones, say).
pub fn lock(out: &Path) -> io::Result<FolderLock> {
    let out = absolute(out)?;
    let parent = out
        .parent()
        .ok_or_else(|| io::Error::other("the output folder has no parent"))?;
    std::fs::create_dir_all(parent)?;
    lock_folder(
        parent,
        &format!(
            "another shirube build is writing into {}; waiting for it to finish",
            parent.display()
        ),
    )
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
        // A source folder may be a symlink: compare with where it leads too.
        let linked = absolute(&root.join(dir)).ok();
        for src in [Some(root.join(dir)), linked].into_iter().flatten() {
            if out.starts_with(&src) {
                return Some(format!("it is inside the source folder {dir}/"));
            }
            if src.starts_with(&out) {
                return Some(format!("it holds the source folder {dir}/"));
            }
        }
    }
    if std::fs::symlink_metadata(&out).is_ok() && !out.exists() {
        return Some("it is a symbolic link that leads nowhere".into());
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

/// Makes `out` hold exactly `files` (and the marker), so that a failure leaves the previous output as it was
/// and a crash at any instant is harmless.
///
/// When `out` holds a previous build, it is updated in place, in three steps:
/// 1. **Journal.** The marker file is rewritten (atomically) to list every file this build may leave there:
///    the previous build's and the new ones. From then on, whatever instant the process dies at, the next
///    build recognises every file and folder of ours and finishes the job: it removes what is no longer made.
/// 2. **Prepare.** Every new or changed file is written beside its target under a temporary name
///    (`.index.html.shirube-new`); files whose bytes did not change are not touched, so they keep their
///    modification times and `rsync`-style deploys upload only what changed. If anything fails here, or
///    Ctrl-C arrives, the temporary files are removed, the marker is put back and the output is as it was.
/// 3. **Switch.** Files that are no longer made are removed first (a page that left the guide goes before
///    anything else), each temporary file is renamed over its target (one atomic rename per file), emptied
///    folders are removed and the marker is rewritten to list the new build's files only. A signal waits for
///    this step to end (see [`crate::interrupt`]).
///
/// On the first build, or when a file must replace a folder (or the other way round), everything is written
/// into a staging folder beside `out` that is swapped in once complete (see [`recover`] for a crash there).
pub fn write_atomically(out: &Path, files: &[OutputFile]) -> io::Result<Written> {
    recover(out)?;
    write_atomically_over(out, files, scan_previous(out))
}

/// [`write_atomically`], with the previous output read beforehand by [`scan_previous`] (its result is
/// `previous`), so that reading it can overlap with the build. [`recover`] must have run before that read,
/// and nothing else may write to `out` in between.
pub fn write_atomically_over(
    out: &Path,
    files: &[OutputFile],
    previous: io::Result<Option<Previous>>,
) -> io::Result<Written> {
    for f in files {
        if f.path.is_empty()
            || f.path == MARKER
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
    // From here on, Ctrl-C waits for a safe point.
    let _section = interrupt::section();
    let mut previous = previous?;
    let foreign = previous
        .as_mut()
        .map_or_else(Vec::new, |p| std::mem::take(&mut p.foreign));
    if let Some(clash) = foreign_clash(&foreign, files) {
        return Err(io::Error::other(format!(
            "{clash} in the output folder was not written by shirube, and this build writes there; \
             move it out of the output folder (shirube never replaces what it did not write)"
        )));
    }
    if let Some(previous) = previous
        && let Some(plan) = plan_update(previous, files)
    {
        return update(&out, files, plan);
    }
    replace(&out, parent, &name, files)
}

/// The first of `foreign` that a new file would replace: the same path, or a folder on its path.
fn foreign_clash<'a>(foreign: &'a [String], files: &[OutputFile]) -> Option<&'a str> {
    if foreign.is_empty() {
        return None;
    }
    let foreign: HashSet<&str> = foreign.iter().map(String::as_str).collect();
    for f in files {
        let path = f.path.as_str();
        if let Some(hit) = folders(path).chain([path]).find(|p| foreign.contains(p)) {
            return foreign.get(hit).copied();
        }
    }
    None
}

/// What a previous build left in the output folder, read by [`scan_previous`].
pub struct Previous {
    /// Every file (or symlink) shirube wrote there, by `/`-separated path.
    files: HashSet<String>,
    /// Every folder holding them (and, with a marker that lists no files, every folder).
    dirs: HashSet<String>,
    /// What someone else put there (a `.git` folder, a CNAME file): outermost paths, never removed or replaced.
    foreign: Vec<String>,
    /// The marker file as it was, put back when an update fails.
    marker: Vec<u8>,
}

/// Reads the output folder `out` as a previous build left it: `None` when there is none (no folder, or no
/// marker file). Temporary files of a build that was killed while writing are removed. Only reads (and removes
/// our own temporary files), so it can run on another thread while the site is built.
pub fn scan_previous(out: &Path) -> io::Result<Option<Previous>> {
    let out = absolute(out)?;
    if !out.join(MARKER).is_file() {
        return Ok(None);
    }
    let marker = std::fs::read(out.join(MARKER))?;
    let listed = marker_list(&String::from_utf8_lossy(&marker));
    // The folders of the listed files: the walk goes into no other.
    let listed_dirs: Option<HashSet<&str>> = listed
        .as_ref()
        .map(|l| l.iter().flat_map(|f| folders(f)).collect());
    let mut files = HashSet::default();
    let mut dirs = HashSet::default();
    let mut foreign = Vec::new();
    let mut walk = walkdir::WalkDir::new(&out).min_depth(1).into_iter();
    while let Some(entry) = walk.next() {
        let entry = entry.map_err(io::Error::other)?;
        let rel = crate::load::rel(&out, entry.path());
        if is_temp(&entry) {
            std::fs::remove_file(entry.path())?;
            continue;
        }
        let ours = match (&listed, &listed_dirs) {
            (Some(_), Some(dirs)) if entry.file_type().is_dir() => dirs.contains(rel.as_str()),
            (Some(files), _) => files.contains(&rel) || rel == MARKER,
            (None, _) => true,
        };
        if !ours {
            if entry.file_type().is_dir() {
                walk.skip_current_dir();
            }
            foreign.push(rel);
        } else if entry.file_type().is_dir() {
            dirs.insert(rel);
        } else if rel != MARKER {
            files.insert(rel);
        }
    }
    Ok(Some(Previous {
        files,
        dirs,
        foreign,
        marker,
    }))
}

/// Finishes or undoes what a build killed while replacing the whole output left beside `out`: run before
/// [`scan_previous`], with the output folder locked.
///
/// - A staging folder (`.public.shirube-staging-<pid>`) never became the output: its files are removed.
/// - A previous output moved aside (`.public.shirube-old-<pid>`) is put back when the process died before the
///   new one took its place, so the site is never left without an output. Otherwise what someone else had put
///   in it (a CNAME) is moved into the output, and the files of ours are removed.
///
/// Only files that a marker lists as ours are removed; a folder goes only once it is empty.
pub fn recover(out: &Path) -> io::Result<()> {
    let out = absolute(out)?;
    let _section = interrupt::section();
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        return Ok(());
    };
    let name = name.to_string_lossy();
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    let staging = format!(".{name}.shirube-staging-");
    let old = format!(".{name}.shirube-old-");
    let mut leftovers: Vec<(bool, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            if n.starts_with(&staging) {
                Some((false, e.path()))
            } else if n.starts_with(&old) {
                Some((true, e.path()))
            } else {
                None
            }
        })
        .collect();
    leftovers.sort();
    for (was_output, dir) in leftovers {
        if was_output && std::fs::symlink_metadata(&out).is_err() {
            std::fs::rename(&dir, &out)?;
            continue;
        }
        remove_leftover(&dir, was_output.then_some(out.as_path()))?;
    }
    Ok(())
}

/// Removes the files of ours in `dir` (a staging or set-aside output folder), then its folders once empty.
/// What someone else put there is moved to the same place in `keep_foreign_in` when there is nothing there
/// yet; otherwise it stays, and so does the folder.
fn remove_leftover(dir: &Path, keep_foreign_in: Option<&Path>) -> io::Result<()> {
    if let Some(previous) = scan_previous(dir)? {
        if let Some(out) = keep_foreign_in {
            for rel in &previous.foreign {
                if std::fs::symlink_metadata(out.join(rel)).is_err() {
                    move_entries(std::slice::from_ref(rel), dir, out)?;
                }
            }
        }
        previous.files.par_iter().try_for_each(|f| {
            failpoint::step();
            not_found_is_ok(std::fs::remove_file(dir.join(f)))
        })?;
        // The marker goes last: until then, it says which files here are ours.
        failpoint::step();
        not_found_is_ok(std::fs::remove_file(dir.join(MARKER)))?;
    }
    // Folders only, deepest first; one that still holds anything stays.
    let mut dirs: Vec<(usize, PathBuf)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_dir())
        .map(|e| (e.depth(), e.into_path()))
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.0));
    for (_, d) in dirs {
        failpoint::step();
        match std::fs::remove_dir(&d) {
            Err(e) if e.kind() == io::ErrorKind::DirectoryNotEmpty => {}
            other => not_found_is_ok(other)?,
        }
    }
    Ok(())
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
    let needed: HashSet<&str> = files.iter().flat_map(|f| folders(&f.path)).collect();
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

/// A temporary file of ours, or anything (a symlink, say) at such a name: removed, never written through.
fn is_temp(entry: &walkdir::DirEntry) -> bool {
    let name = entry.file_name().to_string_lossy();
    !entry.file_type().is_dir() && name.starts_with('.') && name.ends_with(TEMP_SUFFIX)
}

/// Writes `bytes` to a new file at `temp`. Whatever was at that name is removed first, and the file is created
/// anew (`O_EXCL`): a symlink planted there is never followed. A file that could not be written is removed.
pub(crate) fn write_temp(temp: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    not_found_is_ok(std::fs::remove_file(temp))?;
    failpoint::step();
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp)
        .and_then(|mut f| f.write_all(bytes));
    if written.is_err() {
        let _ = std::fs::remove_file(temp);
    }
    written
}

/// Replaces the marker file in `out` with `bytes`, atomically.
fn write_marker(out: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = out.join(MARKER);
    let temp = temp_path(&target);
    write_temp(&temp, bytes)?;
    failpoint::step();
    std::fs::rename(&temp, &target).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

/// The error a write gives up with when Ctrl-C or SIGTERM arrives.
fn interrupted() -> io::Error {
    io::Error::new(io::ErrorKind::Interrupted, "interrupted by a signal")
}

/// Updates the previous output in place (see [`write_atomically`]).
fn update(out: &Path, files: &[OutputFile], plan: Plan) -> io::Result<Written> {
    let started = Instant::now();
    let marker = marker_text(files);
    // Which files differ from what is there: reads only.
    let changed: Vec<bool> = files
        .par_iter()
        .map(|f| !(plan.old.files.contains(&f.path) && same_bytes(&out.join(&f.path), &f.bytes)))
        .collect();
    let keep: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut gone: Vec<&str> = plan
        .old
        .files
        .iter()
        .map(String::as_str)
        .filter(|p| !keep.contains(p))
        .collect();
    gone.sort_unstable();
    let mut stale_dirs: Vec<&str> = plan
        .old
        .dirs
        .iter()
        .map(String::as_str)
        .filter(|d| !plan.needed.contains(d))
        .collect();
    // Children before parents.
    stale_dirs.sort_unstable_by(|a, b| b.cmp(a));
    let unchanged = changed.iter().filter(|c| !**c).count();
    if unchanged == files.len()
        && gone.is_empty()
        && stale_dirs.is_empty()
        && plan.new_dirs.is_empty()
        && plan.old.marker == marker
    {
        return Ok(Written {
            unchanged: unchanged + 1,
            prepare_ms: ms(started),
            ..Written::default()
        });
    }

    // 1. The journal: every file this build may leave here, listed before anything changes.
    if interrupt::requested() {
        return Err(interrupted());
    }
    let mut owned: Vec<&str> = plan.old.files.iter().map(String::as_str).collect();
    owned.extend(files.iter().map(|f| f.path.as_str()));
    owned.sort_unstable();
    owned.dedup();
    write_marker(out, &list_text(JOURNAL_TEXT, owned))?;

    // 2. New folders and temporary files; undone on failure.
    let mut created = Vec::new();
    let mut result = Ok(());
    for d in &plan.new_dirs {
        failpoint::step();
        match std::fs::create_dir(out.join(d)) {
            Ok(()) => created.push(out.join(d)),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    // For each changed file, its temporary file.
    let temps: Vec<io::Result<PathBuf>> = if result.is_ok() {
        files
            .par_iter()
            .zip(&changed)
            .filter(|(_, changed)| **changed)
            .map(|(f, _)| {
                if interrupt::requested() {
                    return Err(interrupted());
                }
                let temp = temp_path(&out.join(&f.path));
                write_temp(&temp, &f.bytes).map(|()| temp)
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
        for t in temps.iter().flatten() {
            let _ = std::fs::remove_file(t);
        }
        for d in created.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
        let _ = write_marker(out, &plan.old.marker);
        return Err(e);
    }
    let prepare_ms = ms(started);

    // 3. The switch. What is no longer made goes first, then the new files take their places.
    let started = Instant::now();
    gone.par_iter().try_for_each(|p| {
        failpoint::step();
        // Gone already is fine: the previous output may have been read a while ago (`write_atomically_over`).
        not_found_is_ok(std::fs::remove_file(out.join(p)))
    })?;
    let changed_files = files.iter().zip(&changed).filter(|(_, c)| **c);
    for ((f, _), temp) in changed_files.zip(temps.iter().flatten()) {
        failpoint::step();
        std::fs::rename(temp, out.join(&f.path))?;
    }
    for d in stale_dirs {
        failpoint::step();
        // A folder that still holds files someone else put there stays.
        match std::fs::remove_dir(out.join(d)) {
            Err(e) if e.kind() == io::ErrorKind::DirectoryNotEmpty => {}
            other => not_found_is_ok(other)?,
        }
    }
    write_marker(out, &marker)?;
    Ok(Written {
        unchanged,
        written: files.len() - unchanged + 1,
        removed: gone.len(),
        replaced: false,
        prepare_ms,
        commit_ms: ms(started),
    })
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

/// Writes everything into a staging folder beside `out`, swaps it in, then moves what someone else had put in
/// the previous output into the new one and removes the rest. A crash at any point is finished or undone by
/// [`recover`].
fn replace(out: &Path, parent: &Path, name: &str, files: &[OutputFile]) -> io::Result<Written> {
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.shirube-staging-{pid}"));
    let old = parent.join(format!(".{name}.shirube-old-{pid}"));
    if std::fs::symlink_metadata(&staging).is_ok() {
        remove_leftover(&staging, None)?;
    }
    failpoint::step();
    std::fs::create_dir(&staging)?;
    let started = Instant::now();
    if let Err(e) = write_all(&staging, files) {
        let _ = remove_leftover(&staging, None);
        return Err(e);
    }
    let mut written = Written {
        written: files.len() + 1,
        replaced: true,
        prepare_ms: ms(started),
        ..Written::default()
    };
    let started = Instant::now();
    if std::fs::symlink_metadata(out).is_ok() {
        failpoint::step();
        if let Err(e) = std::fs::rename(out, &old) {
            let _ = remove_leftover(&staging, None);
            return Err(e);
        }
        failpoint::step();
        if let Err(e) = std::fs::rename(&staging, out) {
            // Put the previous output back before reporting.
            let _ = std::fs::rename(&old, out);
            let _ = remove_leftover(&staging, None);
            return Err(e);
        }
        remove_leftover(&old, Some(out))?;
    } else {
        failpoint::step();
        if let Err(e) = std::fs::rename(&staging, out) {
            let _ = remove_leftover(&staging, None);
            return Err(e);
        }
    }
    written.commit_ms = ms(started);
    Ok(written)
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Moves the entries `rels` (relative paths) from folder `from` to the same places in folder `to`; those
/// already moved, or missing, are skipped.
fn move_entries(rels: &[String], from: &Path, to: &Path) -> io::Result<()> {
    for rel in rels {
        let source = from.join(rel);
        if std::fs::symlink_metadata(&source).is_err() {
            continue;
        }
        let target = to.join(rel);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)?;
        }
        failpoint::step();
        std::fs::rename(&source, &target)?;
    }
    Ok(())
}

/// Writes the marker (first, so that a crash leaves a folder whose files are all known as ours), then `files`.
fn write_all(dir: &Path, files: &[OutputFile]) -> io::Result<()> {
    failpoint::step();
    std::fs::write(dir.join(MARKER), marker_text(files))?;
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(|p| dir.join(p)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        failpoint::step();
        std::fs::create_dir_all(d)?;
    }
    files.par_iter().try_for_each(|f| {
        if interrupt::requested() {
            return Err(interrupted());
        }
        failpoint::step();
        std::fs::write(dir.join(&f.path), &f.bytes)
    })
}

/// A test hook that makes the crash tests deterministic: with `SHIRUBE_TEST_CRASH_AFTER=N` (or
/// `SHIRUBE_TEST_INTERRUPT_AFTER=N`) in the environment, the output writer aborts the process (or sends itself
/// SIGINT) just before its N+1th change to the file system. `tests/testsuite/crash.rs` steps N through the
/// changes a build makes. Without the variables, a step is one relaxed atomic load.
mod failpoint {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicUsize, Ordering};

    enum Action {
        Abort,
        Interrupt,
    }

    fn plan() -> &'static Option<(Action, usize)> {
        static PLAN: OnceLock<Option<(Action, usize)>> = OnceLock::new();
        PLAN.get_or_init(|| {
            let read = |var| std::env::var(var).ok()?.parse::<usize>().ok();
            if let Some(n) = read("SHIRUBE_TEST_CRASH_AFTER") {
                Some((Action::Abort, n))
            } else {
                read("SHIRUBE_TEST_INTERRUPT_AFTER").map(|n| (Action::Interrupt, n))
            }
        })
    }

    /// Counts one change to the file system, and crashes there when the test hook asks for it.
    pub(super) fn step() {
        static STEPS: AtomicUsize = AtomicUsize::new(0);
        let Some((action, after)) = plan() else {
            return;
        };
        if STEPS.fetch_add(1, Ordering::SeqCst) == *after {
            match action {
                Action::Abort => std::process::abort(),
                Action::Interrupt => crate::interrupt::raise_interrupt(),
            }
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
    fn a_second_build_into_the_same_folder_waits_for_the_first() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = lock(&out).unwrap();
        let released = std::sync::Arc::new(AtomicBool::new(false));
        let second = {
            let (out, released) = (out.clone(), released.clone());
            std::thread::spawn(move || {
                let _second = lock(&out).unwrap();
                released.load(Ordering::SeqCst)
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(150));
        released.store(true, Ordering::SeqCst);
        drop(first);
        assert!(
            second.join().unwrap(),
            "the second lock was taken while the first was held"
        );
    }

    #[test]
    fn symlinks_do_not_get_the_output_into_a_source_folder() {
        let dir = tempfile::tempdir().unwrap();
        let (site, elsewhere) = (dir.path().join("site"), dir.path().join("elsewhere"));
        std::fs::create_dir_all(site.join("content")).unwrap();
        std::fs::create_dir_all(elsewhere.join("playbooks")).unwrap();
        std::os::unix::fs::symlink(site.join("content"), dir.path().join("lc")).unwrap();
        // `missing/..` must not hide the symlink that follows it.
        let sneaky = dir.path().join("missing/../lc/x");
        assert_eq!(
            refuse_reason(&site, &sneaky).as_deref(),
            Some("it is inside the source folder content/")
        );
        // A source folder that is a symlink: the folder it leads to is a source folder too.
        std::os::unix::fs::symlink(elsewhere.join("playbooks"), site.join("playbooks")).unwrap();
        assert_eq!(
            refuse_reason(&site, &elsewhere.join("playbooks/out")).as_deref(),
            Some("it is inside the source folder playbooks/")
        );
        // An output that holds a source folder (through that symlink) would delete it.
        assert_eq!(
            refuse_reason(&site, &elsewhere).as_deref(),
            Some("it holds the source folder playbooks/")
        );
        assert_eq!(refuse_reason(&site, &dir.path().join("www")), None);
        std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("dangling"))
            .unwrap();
        assert_eq!(
            refuse_reason(&site, &dir.path().join("dangling")).as_deref(),
            Some("it is a symbolic link that leads nowhere")
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
        // The new page and the marker, whose list of files changed.
        assert_eq!((w.unchanged, w.written, w.removed), (1, 2, 2), "{w:?}");
        let marker = marker_text(&[file("keep.html", b"keep"), file("c/new.html", b"new")]);
        assert_eq!(
            tree(&out),
            [
                (MARKER.to_string(), marker),
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
    fn what_someone_else_put_in_the_output_stays() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_atomically(
            &out,
            &[file("index.html", b"1"), file("a/old.html", b"old")],
        )
        .unwrap();
        // A deploy setup: a git checkout in the output, a CNAME file, a note in one of our folders.
        std::fs::create_dir_all(out.join(".git/objects")).unwrap();
        std::fs::write(out.join(".git/config"), b"[core]").unwrap();
        std::fs::write(out.join("CNAME"), b"guide.example.com").unwrap();
        std::fs::write(out.join("a/note.txt"), b"mine").unwrap();
        // An update in place removes our old page, not theirs, and keeps the folder that holds their note.
        let w = write_atomically(&out, &[file("index.html", b"2")]).unwrap();
        assert!(!w.replaced);
        assert_eq!(w.removed, 1);
        let theirs = |out: &Path| {
            (
                std::fs::read(out.join(".git/config")).unwrap(),
                std::fs::read(out.join("CNAME")).unwrap(),
                std::fs::read(out.join("a/note.txt")).unwrap(),
            )
        };
        let kept = (
            b"[core]".to_vec(),
            b"guide.example.com".to_vec(),
            b"mine".to_vec(),
        );
        assert_eq!(theirs(&out), kept);
        assert!(out.join(".git/objects").is_dir() && !out.join("a/old.html").exists());
        // A file that becomes a folder replaces the whole output: their files move into the new one.
        let w = write_atomically(&out, &[file("index.html/x", b"3")]).unwrap();
        assert!(w.replaced);
        assert_eq!(theirs(&out), kept);
        assert_eq!(std::fs::read(out.join("index.html/x")).unwrap(), b"3");
        // A build that would write over one of their files is refused, and changes nothing.
        let before = tree(&out);
        let err = write_atomically(&out, &[file("CNAME", b"other")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("CNAME in the output folder was not written by shirube"),
            "{err}"
        );
        let err = write_atomically(&out, &[file(".git/x.html", b"other")]).unwrap_err();
        assert!(
            err.to_string().starts_with(".git in the output folder"),
            "{err}"
        );
        assert_eq!(tree(&out), before);
        // A marker copied into someone else's folder lists none of their files: nothing of theirs goes.
        let foreign = dir.path().join("foreign");
        std::fs::create_dir_all(foreign.join("docs")).unwrap();
        std::fs::write(foreign.join("docs/thesis.txt"), b"precious").unwrap();
        std::fs::copy(out.join(MARKER), foreign.join(MARKER)).unwrap();
        write_atomically(&foreign, &[file("index.html", b"4")]).unwrap();
        assert_eq!(
            std::fs::read(foreign.join("docs/thesis.txt")).unwrap(),
            b"precious"
        );
    }

    #[test]
    fn a_symlink_at_a_temporary_name_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_atomically(&out, &[file("index.html", b"1")]).unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, b"ORIG").unwrap();
        let temp = out.join(format!(".index.html{TEMP_SUFFIX}"));
        // Planted after the previous output was read, so that the write meets it.
        let previous = scan_previous(&out);
        std::os::unix::fs::symlink(&victim, &temp).unwrap();
        write_atomically_over(&out, &[file("index.html", b"2")], previous).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"ORIG");
        assert!(
            std::fs::symlink_metadata(out.join("index.html"))
                .unwrap()
                .is_file()
        );
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"2");
        // And one there before the build is removed when the previous output is read.
        std::os::unix::fs::symlink(&victim, &temp).unwrap();
        write_atomically(&out, &[file("index.html", b"3")]).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"ORIG");
        assert!(std::fs::symlink_metadata(&temp).is_err());
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
                file("l.txt", b"first"),
            ],
        )
        .unwrap();
        assert!(first.replaced);
        let ino = |p: &str| std::fs::metadata(out.join(p)).unwrap().ino();
        let (same, edit) = (ino("same.html"), ino("a/edit.html"));
        // A symlink planted in the output in place of a file of ours is replaced, never written through, even
        // with the same bytes.
        std::fs::write(dir.path().join("outside.txt"), b"link").unwrap();
        std::fs::remove_file(out.join("l.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside.txt"), out.join("l.txt")).unwrap();
        // What a build killed while writing leaves behind.
        std::fs::write(out.join(format!("a/.edit.html{TEMP_SUFFIX}")), b"half").unwrap();
        let second = [
            file("same.html", b"same"),
            // Same length, other bytes: must be rewritten.
            file("a/edit.html", b"abce"),
            file("l.txt", b"link"),
            file("new/deep/index.html", b"new"),
        ];
        let w = write_atomically(&out, &second).unwrap();
        assert!(!w.replaced);
        assert_eq!((w.unchanged, w.written), (1, 4), "{w:?}"); // same.html; the marker lists other files
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
                (MARKER.to_string(), marker_text(&second)),
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
