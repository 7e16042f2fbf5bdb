//! `requires` between pages: which page an entry names, the cycles they make, and the order of the kickoff
//! path (the `before_kickoff` playbooks, each after its prerequisites).
//!
//! `validate` reports the cycles and `render` lists the kickoff path in order: both call [`kickoff_order`], so
//! the check and the order cannot disagree. Messages are left to the callers; this module only finds.
//!
//! Part of the model layer: imports nothing of the pipeline.

use crate::HashMap;
use crate::model::{Kind, Page};
use unicode_normalization::UnicodeNormalization;

/// A cycle of `requires`: each page (an index into the pages given) with the index of its `requires` entry
/// that leads on to the next; the last leads back to the first. Never empty.
pub type Cycle = Vec<(usize, usize)>;

/// Resolves a `requires` entry: a site-relative path, or a path relative to the requiring file.
pub fn resolve_require<'a>(
    from: &str,
    req: &str,
    pages: &'a HashMap<&str, &Page>,
) -> Option<&'a Page> {
    if let Some(p) = pages.get(req) {
        return Some(p);
    }
    let dir = from.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let joined = crate::routes::join_path(dir, req)?;
    if let Some(p) = pages.get(joined.as_str()) {
        return Some(p);
    }
    // The same name with its accents composed or decomposed (NFC or NFD): a page named on macOS, a path
    // typed elsewhere. Only names that are not ASCII get here, and only when they name no page as written.
    if req.is_ascii() {
        return None;
    }
    let want: Vec<String> = [req, joined.as_str()].map(|p| p.nfc().collect()).into();
    pages
        .iter()
        .find(|(src, _)| !src.is_ascii() && want.contains(&src.nfc().collect::<String>()))
        .map(|(_, p)| *p)
}

/// Whether `page` is on the kickoff path: a `before_kickoff` playbook.
pub fn on_kickoff_path(page: &Page) -> bool {
    page.before_kickoff && page.kind == Kind::Playbook
}

/// The kickoff path among `pages`, as indices into it: each playbook after its prerequisites on the path (a
/// prerequisite off the path does not order it), and otherwise by `key` (smallest first, then by index). Or,
/// when the `requires` among them leave no order, every cycle among them ([`cycles`]). `all` is every page by
/// source path, for resolving `requires` entries.
pub fn kickoff_order<K: Ord>(
    pages: &[&Page],
    all: &HashMap<&str, &Page>,
    key: impl Fn(usize) -> K,
) -> Result<Vec<usize>, Vec<Cycle>> {
    let edges = prerequisites(pages, all, on_kickoff_path);
    // Kahn's algorithm: repeatedly take the first ready page by key, in O(n log n).
    let mut unmet: Vec<usize> = edges.iter().map(Vec::len).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); pages.len()];
    for (i, out) in edges.iter().enumerate() {
        for &(d, _) in out {
            dependents[d].push(i);
        }
    }
    let on_path: Vec<usize> = (0..pages.len())
        .filter(|&i| on_kickoff_path(pages[i]))
        .collect();
    let mut ready: std::collections::BTreeSet<(K, usize)> = on_path
        .iter()
        .filter(|&&i| unmet[i] == 0)
        .map(|&i| (key(i), i))
        .collect();
    let mut done = Vec::with_capacity(on_path.len());
    while let Some((_, next)) = ready.pop_first() {
        done.push(next);
        for &j in &dependents[next] {
            unmet[j] -= 1;
            if unmet[j] == 0 {
                ready.insert((key(j), j));
            }
        }
    }
    if done.len() < on_path.len() {
        return Err(find_cycles(&edges, on_path));
    }
    Ok(done)
}

/// The cycles of `requires` among the pages `keep` keeps, one per set of pages, as found from the first page
/// on. Every page that is in a cycle is in at least one of them. `all` is as for [`kickoff_order`].
pub fn cycles(
    pages: &[&Page],
    all: &HashMap<&str, &Page>,
    keep: impl Fn(&Page) -> bool,
) -> Vec<Cycle> {
    let edges = prerequisites(pages, all, &keep);
    let starts = (0..pages.len()).filter(|&i| keep(pages[i]));
    find_cycles(&edges, starts)
}

/// Each page's prerequisites among those `keep` keeps (none for a page it does not keep): (page, index of its
/// `requires` entry), one per entry.
fn prerequisites(
    pages: &[&Page],
    all: &HashMap<&str, &Page>,
    keep: impl Fn(&Page) -> bool,
) -> Vec<Vec<(usize, usize)>> {
    let index: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| keep(p))
        .map(|(i, p)| (p.src.as_str(), i))
        .collect();
    pages
        .iter()
        .map(|page| {
            if !keep(page) {
                return Vec::new();
            }
            page.requires
                .iter()
                .enumerate()
                .filter_map(|(k, (r, _, _))| {
                    let target = resolve_require(&page.src, r, all)?;
                    Some((*index.get(target.src.as_str())?, k))
                })
                .collect()
        })
        .collect()
}

/// The cycles of the graph `edges`, searched depth-first from each of `starts` not reached yet, without
/// recursion.
fn find_cycles(
    edges: &[Vec<(usize, usize)>],
    starts: impl IntoIterator<Item = usize>,
) -> Vec<Cycle> {
    // 0 unseen, 1 on the current path, 2 done.
    let mut state = vec![0u8; edges.len()];
    let mut seen: crate::HashSet<Vec<usize>> = crate::HashSet::default();
    let mut cycles = Vec::new();
    for start in starts {
        if state[start] != 0 {
            continue;
        }
        // The pages on the current path, each with the number of its edges followed so far.
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some((at, next)) = stack.last_mut() {
            let Some(&(to, _)) = edges[*at].get(*next) else {
                state[*at] = 2;
                stack.pop();
                continue;
            };
            *next += 1;
            match state[to] {
                0 => {
                    state[to] = 1;
                    stack.push((to, 0));
                }
                1 => {
                    // A loop back to a page on the current path: the pages from it to here. Each of them has
                    // followed at least one edge (`next` >= 1): the one that leads on along the cycle.
                    let from = stack.iter().position(|(p, _)| *p == to).unwrap_or(0);
                    let cycle: Cycle = stack[from..]
                        .iter()
                        .map(|&(p, next)| (p, edges[p][next - 1].1))
                        .collect();
                    let mut key: Vec<usize> = cycle.iter().map(|(p, _)| *p).collect();
                    key.sort_unstable();
                    if seen.insert(key) {
                        cycles.push(cycle);
                    }
                }
                _ => {}
            }
        }
    }
    cycles
}
