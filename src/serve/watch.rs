//! Watching the site's sources with notify and notify-debouncer-full, and one pure function, [`classify`], that
//! sorts the debounced events into what a rebuild needs to know.
//!
//! Folders are watched, never single files: an editor's atomic save (write a temp file, rename it over) replaces
//! the file's inode, and a watch on the file would be gone after the first save. The site root is watched without
//! recursion (for `shirube.yaml`, `manifest.yaml` and source folders that appear later), and each source folder
//! recursively. The watcher knows nothing of HTTP or of the build: it hands [`Batch`]es to a callback.
//!
//! Events are hints. The rebuild compares every source file's size, times and inode with what it read before,
//! so an event that was lost or folded into another still ends in a correct build; the paths in a batch are
//! read again even when their stamp looks unchanged.

use crate::config::CONFIG_FILE;
use crate::load::MANIFEST_FILE;
use crate::load::is_ignored_name;
use notify::event::{CreateKind, EventKind};
use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// Top-level folders whose files are sources.
pub const WATCHED_DIRS: [&str; 6] = [
    "playbooks",
    "content",
    "themes",
    "templates",
    "static",
    "manifest",
];

/// How long a file must be quiet before its events are handed on. Editors write a save within a few
/// milliseconds; a longer wait only delays the reload.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// What changed, as far as the build is concerned.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Changed source paths, relative to the site root, `/`-separated, sorted, each once.
    pub paths: Vec<String>,
    /// The watcher lost track (queue overflow, a watch error): read everything again.
    pub rescan: bool,
    /// Source folders that appeared at the top level after the watch started: they need a watch of their own.
    pub new_dirs: Vec<String>,
}

impl Batch {
    /// True when there is nothing to rebuild for.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.rescan
    }

    /// Adds another batch to this one.
    pub fn merge(&mut self, other: Batch) {
        self.paths.extend(other.paths);
        self.paths.sort();
        self.paths.dedup();
        self.rescan |= other.rescan;
        self.new_dirs.extend(other.new_dirs);
        self.new_dirs.sort();
        self.new_dirs.dedup();
    }
}

/// True when every path is a stylesheet: the browser can swap its stylesheets instead of reloading.
pub fn css_only(paths: &[String]) -> bool {
    !paths.is_empty() && paths.iter().all(|p| p.ends_with(".css"))
}

/// One debounced event, reduced to what [`classify`] reads.
#[derive(Debug, Clone)]
pub struct RawEvent {
    /// What happened.
    pub kind: EventKind,
    /// The paths it names (absolute).
    pub paths: Vec<PathBuf>,
    /// The watcher says events were lost.
    pub rescan: bool,
}

/// Sorts events: keeps creations, changes, renames and removals of source files; drops reads, editor droppings
/// (swap and backup files, `4913`, `.#lock` files, temp files), and anything outside the source folders (the
/// output folder, `.git`, `node_modules`).
pub fn classify(root: &Path, events: &[RawEvent]) -> Batch {
    let mut batch = Batch::default();
    for e in events {
        batch.rescan |= e.rescan;
        if matches!(e.kind, EventKind::Access(_)) {
            continue;
        }
        for path in &e.paths {
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            let mut parts = Vec::new();
            let mut plain = true;
            for c in rel.components() {
                match c {
                    Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
                    _ => plain = false,
                }
            }
            if !plain || parts.is_empty() || parts.iter().any(|p| is_ignored_name(p)) {
                continue;
            }
            let top = parts[0].as_str();
            let relevant = if parts.len() == 1 {
                top == CONFIG_FILE || top == MANIFEST_FILE || WATCHED_DIRS.contains(&top)
            } else {
                WATCHED_DIRS.contains(&top)
            };
            if !relevant {
                continue;
            }
            if parts.len() == 1
                && WATCHED_DIRS.contains(&top)
                && matches!(
                    e.kind,
                    EventKind::Create(CreateKind::Folder | CreateKind::Any)
                        | EventKind::Modify(notify::event::ModifyKind::Name(_))
                )
            {
                batch.new_dirs.push(top.to_string());
            }
            batch.paths.push(parts.join("/"));
        }
    }
    batch.paths.sort();
    batch.paths.dedup();
    batch.new_dirs.sort();
    batch.new_dirs.dedup();
    batch
}

/// Leaves out of `batch` folders inside the source folders that exist and are empty: `mkdir -p` before a save
/// would otherwise rebuild (and reload the browser) once for the folder and once more for the file. The file
/// is not missed: the watcher watches a new folder before it reports it, so a file made after this look has
/// its own event, and a folder that already holds one is not empty. New top-level source folders stay: they
/// are watched only once the batch is handled.
pub fn drop_empty_folders(root: &Path, batch: &mut Batch) {
    let new_dirs = &batch.new_dirs;
    batch.paths.retain(|p| {
        new_dirs.contains(p)
            || !std::fs::read_dir(root.join(p)).is_ok_and(|mut entries| entries.next().is_none())
    });
}

/// The running watcher; dropping it stops watching.
pub struct Watcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    root: PathBuf,
}

impl Watcher {
    /// Starts watching the site at `root`; `on_batch` gets every non-empty batch, on the watcher's thread.
    pub fn start(
        root: &Path,
        on_batch: impl Fn(Batch) + Send + 'static,
    ) -> Result<Watcher, notify::Error> {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let for_handler = root.clone();
        let handler = move |result: DebounceEventResult| {
            let batch = match result {
                Ok(events) => {
                    let raw: Vec<RawEvent> = events
                        .iter()
                        .map(|e| RawEvent {
                            kind: e.event.kind,
                            paths: e.event.paths.clone(),
                            rescan: e.event.need_rescan(),
                        })
                        .collect();
                    let mut batch = classify(&for_handler, &raw);
                    drop_empty_folders(&for_handler, &mut batch);
                    batch
                }
                // A watch error means events may be missing: read everything again.
                Err(_) => Batch {
                    rescan: true,
                    ..Batch::default()
                },
            };
            if !batch.is_empty() || !batch.new_dirs.is_empty() {
                on_batch(batch);
            }
        };
        let debouncer = new_debouncer(DEBOUNCE, Some(DEBOUNCE / 5), handler)?;
        let mut w = Watcher {
            debouncer,
            root: root.clone(),
        };
        w.debouncer.watch(&root, RecursiveMode::NonRecursive)?;
        for dir in WATCHED_DIRS {
            w.watch_dir(dir);
        }
        Ok(w)
    }

    /// Watches a top-level source folder recursively, if it exists (again after it was removed and made anew).
    pub fn watch_dir(&mut self, dir: &str) {
        let path = self.root.join(dir);
        if path.is_dir() {
            let _ = self.debouncer.unwatch(&path);
            let _ = self.debouncer.watch(&path, RecursiveMode::Recursive);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{DataChange, ModifyKind, RemoveKind, RenameMode};

    fn ev(kind: EventKind, paths: &[&str]) -> RawEvent {
        RawEvent {
            kind,
            paths: paths.iter().map(|p| Path::new("/site").join(p)).collect(),
            rescan: false,
        }
    }

    #[test]
    fn keeps_source_changes_and_drops_the_rest() {
        let modify = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let events = [
            ev(modify, &["content/faq/a.md"]),
            ev(modify, &["content/faq/a.md"]),
            ev(
                EventKind::Access(notify::event::AccessKind::Close(
                    notify::event::AccessMode::Write,
                )),
                &["playbooks/x.md"],
            ),
            ev(
                EventKind::Create(CreateKind::File),
                &["playbooks/.x.md.swp"],
            ),
            ev(EventKind::Create(CreateKind::File), &["playbooks/x.md~"]),
            ev(EventKind::Create(CreateKind::File), &["playbooks/4913"]),
            ev(EventKind::Create(CreateKind::File), &["content/.#a.md"]),
            ev(EventKind::Create(CreateKind::File), &["content/#a.md#"]),
            ev(EventKind::Create(CreateKind::File), &["content/a.md.tmp"]),
            ev(modify, &["content/a.md___jb_tmp___"]),
            ev(
                EventKind::Modify(ModifyKind::Name(RenameMode::From)),
                &["content/a.md___jb_old___"],
            ),
            ev(
                EventKind::Create(CreateKind::File),
                &["content/a.md.aB3xYz"],
            ),
            ev(modify, &["public/index.html"]),
            ev(modify, &[".git/index"]),
            ev(modify, &["node_modules/x/y.js"]),
            ev(modify, &["notes.txt"]),
            ev(modify, &["shirube.yaml"]),
            ev(modify, &["manifest.yaml"]),
            ev(EventKind::Remove(RemoveKind::File), &["manifest/2026.yaml"]),
            ev(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &["content/.a.md.tmp123", "content/a.md"],
            ),
            RawEvent {
                kind: modify,
                paths: vec![PathBuf::from("/elsewhere/content/a.md")],
                rescan: false,
            },
        ];
        let b = classify(Path::new("/site"), &events);
        assert_eq!(
            b.paths,
            [
                "content/a.md",
                "content/faq/a.md",
                "manifest.yaml",
                "manifest/2026.yaml",
                "shirube.yaml"
            ]
        );
        assert!(!b.rescan);
        assert!(b.new_dirs.is_empty());
    }

    #[test]
    fn new_source_folders_and_lost_events() {
        let b = classify(
            Path::new("/site"),
            &[
                ev(EventKind::Create(CreateKind::Folder), &["static"]),
                ev(EventKind::Create(CreateKind::Folder), &["public"]),
                ev(EventKind::Create(CreateKind::File), &["static/logo.svg"]),
            ],
        );
        assert_eq!(b.new_dirs, ["static"]);
        assert_eq!(b.paths, ["static", "static/logo.svg"]);
        let lost = RawEvent {
            kind: EventKind::Other,
            paths: vec![],
            rescan: true,
        };
        let b = classify(Path::new("/site"), &[lost]);
        assert!(b.rescan && !b.is_empty());
        assert!(classify(Path::new("/site"), &[]).is_empty());
    }

    #[test]
    fn empty_new_folders_do_not_rebuild() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        std::fs::create_dir_all(root.join("playbooks/adoption/empty")).unwrap();
        std::fs::create_dir_all(root.join("playbooks/adoption/full")).unwrap();
        std::fs::write(root.join("playbooks/adoption/full/a.md"), "x").unwrap();
        std::fs::create_dir_all(root.join("static")).unwrap();
        let mut batch = Batch {
            paths: vec![
                "playbooks/adoption/empty".into(),
                "playbooks/adoption/full".into(),
                "playbooks/adoption/gone".into(),
                "playbooks/x.md".into(),
                "static".into(),
            ],
            rescan: false,
            new_dirs: vec!["static".into()],
        };
        drop_empty_folders(root, &mut batch);
        assert_eq!(
            batch.paths,
            [
                "playbooks/adoption/full",
                "playbooks/adoption/gone",
                "playbooks/x.md",
                "static"
            ]
        );
    }

    #[test]
    fn stylesheet_only_batches() {
        assert!(css_only(&["themes/default/static/style.css".into()]));
        assert!(!css_only(&[
            "themes/default/static/style.css".into(),
            "content/a.md".into()
        ]));
        assert!(!css_only(&[]));
    }
}
