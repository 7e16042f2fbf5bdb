//! Slugs for URLs and heading ids, the same rule everywhere.
//!
//! NFKC first (so full-width `ＳＳＯ` and `sso` agree), then lower case; letters and digits of any script are
//! kept (Japanese headings keep readable ids), every other run of characters becomes one `-`.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// `Connect your SSO!` → `connect-your-sso`; `契約更新の手順` → `契約更新の手順`; `snake_case` → `snake-case`.
pub fn slugify(s: &str) -> String {
    // NFKC leaves ASCII, kana and kanji as they are; checking that is much cheaper than normalizing.
    if s.chars().all(|c| c.is_ascii() || is_plain_cjk(c))
        || is_nfkc_quick(s.chars()) == IsNormalized::Yes
    {
        slug_of(s.chars())
    } else {
        slug_of(s.nfkc())
    }
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
        ];
        for r in ranges {
            let chars: Vec<char> = r.filter_map(char::from_u32).collect();
            for chunk in chars.chunks(7) {
                let s: String = chunk.iter().copied().chain(['A', 'ｶ', ' ', 'é']).collect();
                assert_eq!(slugify(&s), reference(&s), "{s:?}");
            }
        }
        assert_eq!(ascii_slug("管理者を招待する"), "");
    }
}
