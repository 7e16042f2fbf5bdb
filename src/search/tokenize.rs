//! The search tokenizer: text → terms. `docs/search-tokenizer.md` is its spec; `shirube-search.js` implements
//! the same spec for queries, and both are tested against `tests/search/tokenize.json`.
//!
//! Normalize (NFKC, lowercase, `ς`→`σ`), then split into runs: a run of CJK characters (Han, kana, Hangul)
//! gives overlapping character bigrams (a one-character run gives that character), and a run of letters, digits
//! and marks gives one word, stemmed lightly for English plurals. There is no dictionary: a dictionary segmenter
//! in Rust and the one in a browser split Japanese differently, and bigrams cannot disagree.
//!
//! Left out on purpose: hiragana/katakana folding, stop words (the query side decides what is optional), and
//! segmentation of scripts written without spaces other than CJK (Thai is one word per run).

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Longest word token, in characters; longer words are cut (URLs, hashes).
pub const MAX_WORD_CHARS: usize = 40;

/// One token of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The term as indexed: a stemmed word, a CJK bigram, or a lone CJK character.
    pub term: String,
    /// True for CJK bigrams and unigrams.
    pub cjk: bool,
}

/// NFKC, then lowercase, then final sigma folded to sigma: `ＳＳＯ` → `sso`, `ｶﾀｶﾅ` → `カタカナ`.
pub fn normalize(text: &str) -> String {
    // ASCII is already NFKC; most English text takes this path.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    // Most text is already NFKC: the quick check avoids decomposing and recomposing it.
    let lower = match is_nfkc_quick(text.chars()) {
        IsNormalized::Yes => text.to_lowercase(),
        _ => text.nfkc().collect::<String>().to_lowercase(),
    };
    if lower.contains('ς') {
        lower.replace('ς', "σ")
    } else {
        lower
    }
}

/// Characters that form bigrams: Han, hiragana, katakana (with `ー`), Hangul, iteration marks.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3005..=0x3007        // 々 〆 〇
        | 0x3041..=0x3096      // hiragana
        | 0x309D..=0x309F      // ゝ ゞ ゟ
        | 0x30A1..=0x30FA      // katakana
        | 0x30FC..=0x30FF      // ー ヽ ヾ ヿ
        | 0x31F0..=0x31FF      // katakana phonetic extensions
        | 0x1100..=0x11FF      // Hangul jamo
        | 0x3131..=0x318E      // Hangul compatibility jamo
        | 0xAC00..=0xD7A3      // Hangul syllables
        | 0x3400..=0x4DBF      // CJK extension A
        | 0x4E00..=0x9FFF      // CJK unified ideographs
        | 0xF900..=0xFAFF      // CJK compatibility ideographs
        | 0x20000..=0x2FA1F    // CJK extensions B-F, compatibility supplement
        | 0x30000..=0x323AF // CJK extensions G-H
    )
}

/// Characters of word tokens: Unicode Alphabetic, Numeric (Nd, Nl, No) or Mark, and not CJK.
pub fn is_word(c: char) -> bool {
    !is_cjk(c) && (c.is_alphanumeric() || is_combining_mark(c))
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Light English stemming, for words of ASCII letters only, four letters or more: plural → singular.
pub fn stem(word: &str) -> String {
    let mut w = word.to_string();
    stem_in_place(&mut w);
    w
}

/// [`stem`] on a buffer, without allocating.
fn stem_in_place(word: &mut String) {
    if word.len() < 4 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return;
    }
    if word.len() > 4 && word.ends_with("ies") {
        word.truncate(word.len() - 3);
        word.push('y');
        return;
    }
    for suffix in ["sses", "xes", "ches", "shes", "zzes"] {
        if word.ends_with(suffix) {
            word.truncate(word.len() - 2);
            return;
        }
    }
    if word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") {
        return;
    }
    if word.ends_with('s') {
        word.pop();
    }
}

/// Tokenizes `text` (normalizing it first). Token positions are the indices of the returned list.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for_each_token(text, |term, cjk| {
        out.push(Token {
            term: term.to_string(),
            cjk,
        })
    });
    out
}

/// Calls `f(term, is_cjk)` for each token of `text` in order: [`tokenize`] without allocating a string per
/// token, for the index builder.
pub fn for_each_token(text: &str, mut f: impl FnMut(&str, bool)) {
    let norm = normalize(text);
    let chars: Vec<char> = norm.chars().collect();
    let mut buf = String::with_capacity(64);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_cjk(c) {
            let start = i;
            while i < chars.len() && is_cjk(chars[i]) {
                i += 1;
            }
            let run = &chars[start..i];
            if run.len() == 1 {
                buf.clear();
                buf.push(run[0]);
                f(&buf, true);
            } else {
                for w in run.windows(2) {
                    buf.clear();
                    buf.push(w[0]);
                    buf.push(w[1]);
                    f(&buf, true);
                }
            }
        } else if is_word(c) {
            let word = &mut buf;
            word.clear();
            let mut n = 0;
            while i < chars.len() {
                let c = chars[i];
                if is_word(c) {
                    if n < MAX_WORD_CHARS {
                        word.push(c);
                        n += 1;
                    }
                    i += 1;
                } else if is_apostrophe(c) && i + 1 < chars.len() && is_word(chars[i + 1]) {
                    // "don't" → "dont", "customer's" → "customers" (then stemmed).
                    i += 1;
                } else {
                    break;
                }
            }
            stem_in_place(word);
            f(word, false);
        } else {
            i += 1;
        }
    }
}

/// Just the terms of [`tokenize`].
pub fn terms(text: &str) -> Vec<String> {
    tokenize(text).into_iter().map(|t| t.term).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        for (input, want) in [
            ("ＳＳＯ", vec!["sso"]),
            ("ｶﾀｶﾅ", vec!["カタ", "タカ", "カナ"]),
            ("契約更新", vec!["契約", "約更", "更新"]),
            ("SSO設定", vec!["sso", "設定"]),
            ("円", vec!["円"]),
            ("3月の", vec!["3", "月の"]),
            ("Invite admins", vec!["invite", "admin"]),
            ("policies", vec!["policy"]),
            ("processes", vec!["process"]),
            ("status", vec!["status"]),
            ("don't", vec!["dont"]),
            ("e-mail", vec!["e", "mail"]),
            ("", vec![]),
            ("。、！", vec![]),
        ] {
            assert_eq!(terms(input), want, "{input:?}");
        }
    }

    #[test]
    fn long_words_are_cut() {
        let t = terms(&"a".repeat(100));
        assert_eq!(t, vec!["a".repeat(MAX_WORD_CHARS)]);
    }
}
