//! Slugs for URLs and step ids ([`slugify`]), and heading ids as GitHub makes them ([`github_slug`]).
//!
//! [`slugify`]: NFKC first (so full-width `ＳＳＯ` and `sso` agree), then lower case; letters and digits of any
//! script are kept (Japanese headings keep readable ids), every other run of characters becomes one `-`. Heading
//! ids used it too until heading ids followed GitHub; [`slugify`] still makes the ids those headings had, so that
//! old links keep working for a release (see `markdown::assign_heading_ids`).

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// `Connect your SSO!` → `connect-your-sso`; `契約更新の手順` → `契約更新の手順`; `snake_case` → `snake-case`.
pub fn slugify(s: &str) -> String {
    // Most titles, headings and steps are ASCII, kana, kanji and their punctuation: one pass, no Unicode tables.
    if let Some(slug) = plain_slug(s) {
        return slug;
    }
    if is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        slug_of(s.chars())
    } else {
        slug_of(s.nfkc())
    }
}

/// What a character of the plain subset does in a slug.
enum Plain {
    Keep(char),
    Dash,
}

/// The characters whose NFKC and lower case are known without tables and that compose with nothing (ASCII,
/// full-width ASCII, kana, the main ideograph blocks, Japanese punctuation), or `None` for any other.
fn plain(c: char) -> Option<Plain> {
    let c = match c as u32 {
        // Full-width ASCII is ASCII after NFKC.
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0)?,
        _ => c,
    };
    if c.is_ascii() {
        return Some(if c.is_ascii_alphanumeric() {
            Plain::Keep(c.to_ascii_lowercase())
        } else {
            Plain::Dash
        });
    }
    if is_plain_cjk(c) || is_cjk_mark(c) || matches!(c, '\u{3007}') {
        return Some(Plain::Keep(c));
    }
    // Japanese punctuation (the ideographic space's NFKC is a space), dashes and curly quotes: not letters or
    // digits, so separators.
    if is_cjk_punctuation(c)
        || matches!(
            c,
            '\u{2013}' | '\u{2014}' | '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}'
        )
    {
        return Some(Plain::Dash);
    }
    None
}

/// The ideographic space, 、。〃〄, the CJK brackets, 〒〓〜〝〞〟〠 and ・: frequent in Japanese text, and none of
/// them a letter, digit or mark. Slugs and the search tokenizer answer them without the Unicode tables.
pub fn is_cjk_punctuation(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x3004 | 0x3008..=0x3020 | 0x30FB)
}

/// [`slug_of`] for a text of [`plain`] characters only; `None` when it has any other.
fn plain_slug(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars() {
        match plain(c)? {
            Plain::Keep(c) => keep(&mut out, &mut dash, c),
            Plain::Dash => dash = true,
        }
    }
    Some(out)
}

fn slug_of(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in chars {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                keep(&mut out, &mut dash, c.to_ascii_lowercase());
            } else {
                dash = true;
            }
        } else if is_plain_cjk(c) {
            // Letters without case: no lower-casing, no table look-ups.
            keep(&mut out, &mut dash, c);
        } else {
            for c in c.to_lowercase() {
                if c.is_alphanumeric() || is_cjk_mark(c) {
                    keep(&mut out, &mut dash, c);
                } else {
                    dash = true;
                }
            }
        }
    }
    out
}

/// Appends a kept character, after one `-` if characters were dropped since the last one kept.
fn keep(out: &mut String, dash: &mut bool, c: char) {
    if *dash && !out.is_empty() {
        out.push('-');
    }
    *dash = false;
    out.push(c);
}

/// Hiragana, katakana and the main CJK ideograph blocks: letters, already in NFKC, without case.
fn is_plain_cjk(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}')
}

/// Marks that belong to Japanese words although Unicode does not call them alphanumeric (ー, 々, ゝ).
fn is_cjk_mark(c: char) -> bool {
    matches!(c, 'ー' | '々' | 'ゝ' | 'ゞ' | 'ヽ' | 'ヾ' | '〆')
}

/// A heading id as GitHub gives it to a heading of text `s` (github-slugger's `slug`, also Hugo's `github`
/// style), before repeats are numbered: lower case (no NFKC), then every character dropped but letters, marks,
/// decimal and letter numbers, connector punctuation (`_`), characters with the Alphabetic property, `-` and
/// the space; each space becomes `-`. So `EM>PS Transition` → `emps-transition`, `snake_case` stays,
/// `🎉 Launch day` → `-launch-day`, `Q&A` → `qa`, `ＳＳＯの設定` → `ｓｓｏの設定`.
pub fn github_slug(s: &str) -> String {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    let keep = |c: char| match c {
        ' ' | '-' => true,
        _ if c.is_ascii() => c.is_ascii_alphanumeric() || c == '_',
        // github-slugger removes these categories, but not the characters among them that are Alphabetic
        // (circled letters such as Ⓐ are Other_Symbol and Alphabetic).
        _ => {
            c.is_alphabetic()
                || matches!(
                    get_general_category(c),
                    G::UppercaseLetter
                        | G::LowercaseLetter
                        | G::TitlecaseLetter
                        | G::ModifierLetter
                        | G::OtherLetter
                        | G::NonspacingMark
                        | G::SpacingMark
                        | G::EnclosingMark
                        | G::DecimalNumber
                        | G::LetterNumber
                        | G::ConnectorPunctuation
                )
        }
    };
    s.to_lowercase()
        .chars()
        .filter(|&c| keep(c))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Only the ASCII words of `s`, slugified: `SSOを設定する` → `sso`. Empty when there are none.
pub fn ascii_slug(s: &str) -> String {
    let ascii: String = s
        .nfkc()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    slugify(&ascii)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for (input, want) in [
            ("Connect your SSO!", "connect-your-sso"),
            ("usage-statistics.html", "usage-statistics-html"),
            ("snake_case", "snake-case"),
            ("ＳＳＯの設定", "ssoの設定"),
            ("契約更新の手順", "契約更新の手順"),
            ("  Step 1: import  ", "step-1-import"),
            ("データ・インポート", "データ-インポート"),
            ("🎉 Launch day", "launch-day"),
            ("!!!", ""),
            // Not NFKC already: half-width katakana, a ligature, a decomposed が, Ⅳ.
            ("ｶﾀｶﾅ ガイド", "カタカナ-ガイド"),
            ("ﬁle", "file"),
            ("か\u{3099}いど", "がいど"),
            ("Phase Ⅳ", "phase-iv"),
        ] {
            assert_eq!(slugify(input), want, "{input}");
        }
        assert_eq!(ascii_slug("SSOを設定する"), "sso");
    }

    #[test]
    fn github_slugs() {
        // Worked out by hand from github-slugger's rule (lower case; drop all but letters, marks, decimal and
        // letter numbers, `_`, `-` and the space; space → `-`), not from a run of this code. The page-level
        // table, with repeats, is in tests/testsuite/links.rs.
        for (input, want) in [
            ("EM>PS Transition", "emps-transition"),
            ("snake_case", "snake_case"),
            ("C++", "c"),
            ("Q&A", "qa"),
            ("A & B", "a--b"),
            ("🎉 Launch day", "-launch-day"),
            ("ＳＳＯの設定", "ｓｓｏの設定"),
            ("データ・インポート", "データインポート"),
            ("Phase Ⅳ", "phase-ⅳ"),
            ("Step ① Sign in", "step--sign-in"),
            ("", ""),
        ] {
            assert_eq!(github_slug(input), want, "{input}");
        }
    }

    /// The rule as the module doc states it, without the fast paths.
    fn reference(s: &str) -> String {
        let mut out = String::new();
        let mut dash = false;
        for c in s.nfkc().flat_map(char::to_lowercase) {
            if c.is_alphanumeric() || is_cjk_mark(c) {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                dash = false;
                out.push(c);
            } else {
                dash = true;
            }
        }
        out
    }

    #[test]
    fn fast_paths_agree_with_the_rule() {
        // Every character of the blocks the fast paths cover and their neighbours, mixed with others.
        let ranges = [
            0x20..0x80,
            0x3000..0x3100,
            0x3400..0x3500,
            0x4DB0..0x4E10,
            0x9FF0..0xA010,
            0xFF00..0xFFF0,
            0xC0..0x250,
            0x2000..0x2070,
        ];
        for r in ranges {
            let chars: Vec<char> = r.filter_map(char::from_u32).collect();
            for chunk in chars.chunks(7) {
                // Once with characters that take the slow path, once with only plain ones (when the chunk's are).
                for tail in [&['A', 'ｶ', ' ', 'é'][..], &['A', ' ', '1']] {
                    let s: String = chunk.iter().chain(tail).collect();
                    assert_eq!(slugify(&s), reference(&s), "{s:?}");
                }
            }
            // Each character alone too, where the fast path decides by itself.
            for &c in &chars {
                assert_eq!(slugify(&c.to_string()), reference(&c.to_string()), "{c:?}");
            }
        }
        assert_eq!(ascii_slug("管理者を招待する"), "");
    }
}
