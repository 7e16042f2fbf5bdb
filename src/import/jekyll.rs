//! jekyll (not yet).

use super::SourceSite;
use std::path::Path;

/// Reads a jekyll site.
pub fn read(_src: &Path, _into: &Path) -> Result<SourceSite, String> {
    Err("not yet".into())
}
