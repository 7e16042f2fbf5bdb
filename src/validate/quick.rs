//! Front matter in the shape nearly every page has, read without the YAML parser.
//!
//! At 10,000 pages serde-saphyr took about 40 µs per page, most of the validate stage, for a handful of
//! `key: value` lines. [`front`] reads those lines directly, and only when it is sure to read them exactly as
//! serde-saphyr would: every line `key: value` starting at column 1, each value a plain scalar or a flow list
//! (`[a, b]`) of plain scalars, and nothing YAML could read as anything but text where text is expected. Anything
//! else (quotes, block lists, folded `>-` text, comments, anchors, tabs, duplicate keys, `null`, numbers where a
//! text is expected, an error of any kind) returns `None`, and the caller parses with serde-saphyr, which also
//! words the errors. A unit test holds the two equal on every front matter of the repository and on tricky cases.

use super::{At, Front, Scalar, StrList};

/// A value as written.
enum Value<'a> {
    /// A plain scalar, and its column.
    Plain(&'a str),
    /// A flow list of plain scalars, each with its column.
    List(Vec<(&'a str, usize)>),
}

/// `yaml` read as [`Front`], or `None` when it is not in the simple shape (see the module documentation).
pub(super) fn front(yaml: &str) -> Option<Front> {
    let mut f = Front::default();
    let mut keys: Vec<&str> = Vec::new();
    for (i, line) in yaml.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.bytes().all(|b| b == b' ') {
            continue;
        }
        if !line.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            return None;
        }
        let colon = line.find(": ")?;
        let key = &line[..colon];
        // A key YAML reads as something other than text (`null`, `true`) is left to serde-saphyr too.
        if !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            || !is_plain_text(key)
            || keys.contains(&key)
        {
            return None;
        }
        keys.push(key);
        let rest = &line[colon + 2..];
        let text = rest.trim_start_matches(' ');
        let text = text.trim_end_matches(' ');
        // Characters YAML rejects or reads specially (as the manifest's fast reader, `proof::fast`): controls,
        // a byte order mark inside the document, U+FFFE/FFFF, and the Unicode line separators.
        if text.is_empty()
            || text.chars().any(|c| {
                c.is_control()
                    || matches!(
                        c,
                        '\u{feff}' | '\u{fffe}' | '\u{ffff}' | '\u{2028}' | '\u{2029}'
                    )
            })
        {
            return None;
        }
        // The key, ": " and the spaces are ASCII: bytes and characters agree up to the value.
        let col = colon + 2 + (rest.len() - rest.trim_start_matches(' ').len()) + 1;
        let value = read_value(text, col)?;
        let line = i + 1;
        let at = |value| At { value, line, col };
        match key {
            "title" => f.title = Some(at(text_of(&value)?)),
            "kind" => f.kind = Some(at(text_of(&value)?)),
            "phase" => f.phase = Some(at(text_of(&value)?)),
            "slug" => f.slug = Some(at(text_of(&value)?)),
            "summary" => f.summary = Some(text_of(&value)?),
            "description" => f.description = Some(text_of(&value)?),
            "tier" => {
                f.tier = Some(At {
                    value: list_of(value, line)?,
                    line,
                    col,
                });
            }
            "requires" => {
                f.requires = Some(At {
                    value: list_of(value, line)?,
                    line,
                    col,
                });
            }
            "aliases" => {
                f.aliases = Some(At {
                    value: list_of(value, line)?,
                    line,
                    col,
                });
            }
            "tags" => f.tags = Some(list_of(value, line)?),
            "time" => {
                let Value::Plain(s) = value else { return None };
                // serde-saphyr hands a whole number over as a number: the same text.
                let ok = is_plain_text(s) || is_whole_number(s);
                let value = Scalar(ok.then(|| s.to_string())?);
                f.time = Some(At { value, line, col });
            }
            "weight" => {
                let Value::Plain(s) = value else { return None };
                f.weight = Some(is_whole_number(s).then(|| s.parse().ok())??);
            }
            "draft" => f.draft = Some(flag(&value)?),
            "before_kickoff" => f.before_kickoff = Some(flag(&value)?),
            // Known, not read; serde-saphyr still reads the value, and refuses some.
            _ if refused(&value) => return None,
            "proof" => {}
            _ => f.unknown.push(At {
                value: key.to_string(),
                line,
                col: 1,
            }),
        }
    }
    Some(f)
}

/// A value after `key: `, trimmed, starting at column `col`.
fn read_value(text: &str, col: usize) -> Option<Value<'_>> {
    let Some(inner) = text.strip_prefix('[') else {
        return (!starts_specially(text) && !text.contains(": ") && !text.contains(" #"))
            .then_some(Value::Plain(text))
            .filter(|_| !text.ends_with(':'));
    };
    let inner = inner.strip_suffix(']')?;
    let mut items = Vec::new();
    if inner.trim_matches(' ').is_empty() {
        return Some(Value::List(items));
    }
    let mut offset = 1; // bytes of `text` before the item: the `[`
    for raw in inner.split(',') {
        let item = raw.trim_matches(' ');
        if item.is_empty()
            || starts_specially(item)
            || item.contains(['[', ']', '{', '}', '#', ':', '"', '\''])
        {
            return None;
        }
        let lead = raw.len() - raw.trim_start_matches(' ').len();
        let item_col = col + text[..offset + lead].chars().count();
        items.push((item, item_col));
        offset += raw.len() + 1;
    }
    Some(Value::List(items))
}

/// Whether serde-saphyr refuses the value even under a key it ignores: a float that is not finite (`.inf`,
/// `-.nan`) or too large for one (`1e999`), which its default policy rejects. Also true for a few words it keeps
/// as text (`inf`, `nan`): those are left to it too, which is only slower.
fn refused(v: &Value<'_>) -> bool {
    let non_finite = |s: &str| {
        let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
        s.parse::<f64>().is_ok_and(|f| !f.is_finite())
            || [".inf", ".nan"]
                .iter()
                .any(|w| unsigned.eq_ignore_ascii_case(w))
    };
    match v {
        Value::Plain(s) => non_finite(s),
        Value::List(items) => items.iter().any(|(s, _)| non_finite(s)),
    }
}

/// Characters a plain scalar may not start with (indicators), or that start something else.
fn starts_specially(s: &str) -> bool {
    s.starts_with([
        '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@',
        '`',
    ])
}

/// Text YAML reads as a string and nothing else: not empty, not null, a boolean or a number.
fn is_plain_text(s: &str) -> bool {
    const SPECIAL: [&str; 22] = [
        "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes",
        "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
    ];
    let numeric = s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'_' | b'e' | b'E'))
        || s.starts_with("0x")
        || s.starts_with("0o")
        || s.starts_with('.')
        || s.parse::<f64>().is_ok();
    !s.is_empty() && !SPECIAL.contains(&s) && !numeric
}

/// `0`, or digits without a leading zero, that fit an `i64`.
fn is_whole_number(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 18
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s == "0" || !s.starts_with('0'))
}

fn text_of(v: &Value<'_>) -> Option<String> {
    match v {
        Value::Plain(s) if is_plain_text(s) => Some(s.to_string()),
        _ => None,
    }
}

/// A string or a list of strings; list items carry their position, a single string none (as serde-saphyr).
fn list_of(v: Value<'_>, line: usize) -> Option<StrList> {
    match v {
        Value::Plain(s) => is_plain_text(s).then(|| StrList(vec![(s.to_string(), None)])),
        Value::List(items) => items
            .into_iter()
            .map(|(s, col)| is_plain_text(s).then(|| (s.to_string(), Some((line, col)))))
            .collect::<Option<Vec<_>>>()
            .map(StrList),
    }
}

fn flag(v: &Value<'_>) -> Option<bool> {
    match v {
        Value::Plain("true") => Some(true),
        Value::Plain("false") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the fast reader took `yaml`; panics when it read it differently from serde-saphyr.
    fn agrees(yaml: &str) -> bool {
        super::super::quick_reader_agrees(yaml).unwrap_or_else(|e| panic!("{yaml}\n{e}"))
    }

    #[test]
    fn simple_front_matter_is_read_as_serde_saphyr_reads_it() {
        for yaml in [
            "title: Invite your admins\nphase: onboarding\ntier: [low, mid]\ntime: 20m\nweight: 10\n",
            "title: CSMと成功の基準を合意する（検証環境）\nphase: onboarding\ntier: [tech, low, mid]\nsummary: キックオフ前の準備を完了し、整えます。\ntime: 45m\nweight: 8870\ntags: [kickoff, planning]\n",
            "title: X\ntags: [展開, 計画]\nrequires: [playbooks/a.md,  playbooks/b.md ]\n",
            "title: X\ntier: all\ndraft: true\nbefore_kickoff: false\ntime: 45\n",
            "title:   Spaces around   \nkind: faq\nslug: c-sharp\nsummary: C# and F#, 100% sure\n",
            "title: 2段階認証を設定する\nlastmod: 2024-01-01\nproof: x\n",
            "title: X\r\nphase: adoption\r\n",
            "title: X\ntier: []\n",
            "title: y\nsummary: n\nslug: Y\ntags: [y, n, yes-and-no]\n",
            "title: 1st step\nsummary: 3月の締め\ntime: 1h 30m\nweight: 0\n",
            "",
            "\n\n",
        ] {
            assert!(agrees(yaml), "not taken: {yaml}");
        }
    }

    #[test]
    fn anything_else_is_left_to_serde_saphyr() {
        for yaml in [
            "title: \"Quoted\"\n",
            "title: 'Single'\n",
            "title: X\ntags:\n  - a\n  - b\n",
            "title: X\nsummary: >-\n  folded\n  text\n",
            "# comment\ntitle: X\n",
            "title: X # comment\n",
            "title: a: b\n",
            "title: X\ntitle: Y\n",
            "title: null\n",
            "title: ~\n",
            "title: 123\n",
            "title: true\n",
            "weight: 010\n",
            "weight: -5\n",
            "weight: ten\n",
            "draft: yes\n",
            "time: 1.5\n",
            "tier: [a, [b]]\n",
            "tier: [a, 'b']\n",
            "tier: [a,, b]\n",
            "tier: [low\n",
            "title: &anchor X\n",
            "title: X\n  continued\n",
            "title:\tX\n",
            "title: [broken\n",
            "title:\n",
            "---\ntitle: X\n",
            "\u{feff}title: X\n",
            // Refused by serde-saphyr even under a key it ignores.
            "title: X\nlastmod: .INF\n",
            "title: X\nproof: -.nan\n",
            "title: X\nextra: [a, 1e999]\n",
            // Keys that are not text.
            "title: X\nnull: [a]\n",
            "title: X\nNULL: a\n",
            "title: X\ntrue: a\n",
            "title: X\ne5: a\n",
            // Characters YAML rejects inside a document.
            "title: X\u{feff}\n",
            "title: X\nextra: [a, b\u{ffff}]\n",
            "title: a\u{2028}b\n",
        ] {
            assert!(front(yaml).is_none(), "taken: {yaml:?}");
        }
    }

    #[test]
    fn what_serde_saphyr_refuses_under_an_unknown_key_is_left_to_it() {
        // Found by `cargo fuzz run front_matter`: the fast reader took these pages, serde-saphyr refuses the
        // `.INF` value, the `null` key and the byte order mark.
        for yaml in [
            "title: Secret draft plabt plaben\nphaser: low\ndRaft: .INF\n",
            "title: Connect SSO\nphase: onboaonboarding\ntier: in with your identity provider.\nnull: [playbooks/onboarding/invite-admins.md]\n",
            // ...and a byte order mark inside a value.
            "title: Connectxpected ':' :'\nraquires: \u{feff}!K/did not find expected keyed key-admins.md]\n",
        ] {
            assert_eq!(super::super::quick_reader_agrees(yaml), Ok(false), "{yaml}");
        }
    }

    /// Reads the front matter of every Markdown file under `dirs`: (taken by the fast reader, total).
    fn check_all(dirs: &[std::path::PathBuf]) -> (usize, usize) {
        let (mut taken, mut total) = (0, 0);
        for dir in dirs {
            for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
                if entry.path().extension().is_none_or(|e| e != "md") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                let Some(rest) = text.strip_prefix("---\n") else {
                    continue;
                };
                let Some(end) = rest.find("\n---") else {
                    continue;
                };
                total += 1;
                if agrees(&rest[..end + 1]) {
                    taken += 1;
                }
            }
        }
        (taken, total)
    }

    /// Every front matter of the repository's own sites (sample, init sites, fixtures) gives the same result
    /// both ways, and the fast reader takes most of them.
    #[test]
    fn every_front_matter_of_the_repository_agrees() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let dirs: Vec<_> = [
            "playbooks",
            "content",
            "src/init",
            "tests/fixtures",
            "tests/search/site",
        ]
        .iter()
        .map(|d| root.join(d))
        .collect();
        let (taken, total) = check_all(&dirs);
        assert!(total > 100, "{total} files");
        assert!(
            taken * 10 > total * 8,
            "fast reader took {taken} of {total}"
        );
    }

    /// The same over a generated corpus:
    /// `SHIRUBE_FRONT_CORPUS=/tmp/c10k cargo test --lib quick -- --ignored --nocapture`.
    #[test]
    #[ignore = "needs SHIRUBE_FRONT_CORPUS, a site made by ../shared/bench/gen_corpus.py"]
    fn every_front_matter_of_a_generated_corpus_agrees() {
        let dir = std::env::var_os("SHIRUBE_FRONT_CORPUS").expect("SHIRUBE_FRONT_CORPUS");
        let (taken, total) = check_all(&[dir.into()]);
        println!("fast reader took {taken} of {total} front matters");
        assert!(total > 0);
    }
}
