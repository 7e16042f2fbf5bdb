//! Slugs for URLs and heading ids, the same rule everywhere.
//!
//! NFKC first (so full-width `ＳＳＯ` and `sso` agree), then lower case; letters and digits of any script are
//! kept (Japanese headings keep readable ids), every other run of characters becomes one `-`.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// `Connect your SSO!` → `connect-your-sso`; `契約更新の手順` → `契約更新の手順`; `snake_case` → `snake-case`.
pub fn slugify(s: &str) -> String {
    // NFKC leaves ASCII and most Japanese text as it is; checking that is much cheaper than normalizing.
    if s.is_ascii() || is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        slug_of(s.chars())
    } else {
        slug_of(s.nfkc())
    }
}

fn slug_of(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in chars.flat_map(char::to_lowercase) {
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
        assert_eq!(ascii_slug("管理者を招待する"), "");
    }
}
