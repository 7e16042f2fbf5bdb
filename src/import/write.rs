//! The importer's only writer. Every path is inside `--into` (no `..`, no absolute path, no symbolic link on the
//! way), and a file is overwritten only when the previous import wrote it and nobody has changed it since, or with
//! `--force`. What each import wrote is remembered in `.shirube-import.json` (path → hash of the bytes written).

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The state file's name in the site folder.
pub const STATE_FILE: &str = ".shirube-import.json";

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It was not there: written.
    Created,
    /// The previous import's version, untouched since: replaced.
    Updated,
    /// The same bytes were there already.
    Unchanged,
    /// Changed since the last import, or not written by an import: left alone (no `--force`).
    KeptEdited,
    /// Replaced an edited file because of `--force`.
    Forced,
}

/// Writes files under one folder.
pub struct Writer {
    into: PathBuf,
    force: bool,
    old: BTreeMap<String, String>,
    new: BTreeMap<String, String>,
    /// Every file given to [`Writer::put`], with what happened to it.
    pub done: Vec<(String, Outcome)>,
}

/// A short hash of bytes, as the state file keeps them.
pub fn hash(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().take(10).map(|b| format!("{b:02x}")).collect()
}

impl Writer {
    /// A writer for `into`, reading the previous import's state. `Err`: the state file is there but unreadable.
    pub fn new(into: &Path, force: bool) -> Result<Writer, String> {
        let old = match std::fs::read_to_string(into.join(STATE_FILE)) {
            Ok(text) => {
                let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                    format!("{STATE_FILE} cannot be read ({e}); delete it to start again (every existing file then counts as yours)")
                })?;
                v.get("files")
                    .and_then(|f| f.as_object())
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                            .collect()
                    })
                    .unwrap_or_default()
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(format!("cannot read {STATE_FILE}: {e}")),
        };
        Ok(Writer {
            into: into.to_path_buf(),
            force,
            old,
            new: BTreeMap::new(),
            done: Vec::new(),
        })
    }

    /// Files the previous import wrote.
    pub fn previous(&self) -> impl Iterator<Item = &String> {
        self.old.keys()
    }

    /// Whether `rel` is there, unchanged since the previous import wrote it (or not there at all).
    pub fn is_ours(&self, rel: &str) -> bool {
        match std::fs::read(self.into.join(rel)) {
            Ok(bytes) => self.old.get(rel) == Some(&hash(&bytes)),
            Err(_) => true,
        }
    }

    /// Writes `bytes` to `rel` (a `/`-separated path under the folder) unless that would lose someone's edits.
    pub fn put(&mut self, rel: &str, bytes: &[u8]) -> Result<Outcome, String> {
        let path = self.checked_path(rel)?;
        let new_hash = hash(bytes);
        let outcome = match std::fs::read(&path) {
            Ok(current) => {
                let current_hash = hash(&current);
                if current_hash == new_hash {
                    Outcome::Unchanged
                } else if self.old.get(rel) == Some(&current_hash) {
                    Outcome::Updated
                } else if self.force {
                    Outcome::Forced
                } else {
                    Outcome::KeptEdited
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Outcome::Created,
            Err(e) => return Err(format!("cannot read {rel}: {e}")),
        };
        match outcome {
            Outcome::Created | Outcome::Updated | Outcome::Forced => {
                write_atomic(&path, bytes).map_err(|e| format!("cannot write {rel}: {e}"))?;
                self.new.insert(rel.to_string(), new_hash);
            }
            Outcome::Unchanged => {
                self.new.insert(rel.to_string(), new_hash);
            }
            Outcome::KeptEdited => {
                // Still the previous import's file as far as the next run is concerned: it stays "edited".
                if let Some(h) = self.old.get(rel) {
                    self.new.insert(rel.to_string(), h.clone());
                }
            }
        }
        self.done.push((rel.to_string(), outcome));
        Ok(outcome)
    }

    /// Writes a file the import regenerates every time (its report), whatever is there.
    pub fn put_generated(&mut self, rel: &str, bytes: &[u8]) -> Result<(), String> {
        let path = self.checked_path(rel)?;
        write_atomic(&path, bytes).map_err(|e| format!("cannot write {rel}: {e}"))
    }

    /// Writes the state file: what this import wrote, plus what the previous one wrote and this one did not
    /// touch (so that a file removed from the source is still known as the import's own).
    pub fn finish(mut self, source: &str) -> Result<Vec<(String, Outcome)>, String> {
        for (k, v) in &self.old {
            self.new.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let json = serde_json::json!({
            "note": "Written by shirube import: the files it wrote and a hash of their bytes, so that running it again replaces only files nobody has edited. Delete this file to make every existing file count as edited.",
            "source": source,
            "files": self.new,
        });
        // Serializing a JSON value cannot fail.
        let text = serde_json::to_string_pretty(&json).unwrap_or_default() + "\n";
        let path = self.checked_path(STATE_FILE)?;
        write_atomic(&path, text.as_bytes())
            .map_err(|e| format!("cannot write {STATE_FILE}: {e}"))?;
        Ok(self.done)
    }

    /// `into/rel`, refused when `rel` could lead outside the folder.
    fn checked_path(&self, rel: &str) -> Result<PathBuf, String> {
        let p = Path::new(rel);
        if rel.is_empty() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(format!(
                "refusing to write {rel:?}: not a plain path inside the site folder"
            ));
        }
        let mut at = self.into.clone();
        for c in p.components() {
            at.push(c);
            if let Ok(meta) = std::fs::symlink_metadata(&at)
                && meta.file_type().is_symlink()
            {
                return Err(format!(
                    "refusing to write {rel}: {} is a symbolic link, which could lead outside the site folder",
                    at.display()
                ));
            }
        }
        Ok(at)
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.shirube-import-tmp"));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edited_files_are_kept_and_paths_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::new(dir.path(), false).unwrap();
        assert_eq!(w.put("a/b.md", b"one").unwrap(), Outcome::Created);
        assert!(w.put("../x.md", b"no").is_err());
        assert!(w.put("/etc/x", b"no").is_err());
        w.finish("hugo").unwrap();
        let mut w = Writer::new(dir.path(), false).unwrap();
        assert_eq!(w.put("a/b.md", b"one").unwrap(), Outcome::Unchanged);
        assert_eq!(w.put("a/b.md", b"two").unwrap(), Outcome::Updated);
        w.finish("hugo").unwrap();
        std::fs::write(dir.path().join("a/b.md"), "mine").unwrap();
        let mut w = Writer::new(dir.path(), false).unwrap();
        assert_eq!(w.put("a/b.md", b"three").unwrap(), Outcome::KeptEdited);
        w.finish("hugo").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a/b.md")).unwrap(),
            "mine"
        );
        let mut w = Writer::new(dir.path(), false).unwrap();
        assert_eq!(
            w.put("a/b.md", b"three").unwrap(),
            Outcome::KeptEdited,
            "still edited on the next run"
        );
        let mut w = Writer::new(dir.path(), true).unwrap();
        assert_eq!(w.put("a/b.md", b"three").unwrap(), Outcome::Forced);
    }
}
