//! The search tokenizer: text → terms. `docs/search-tokenizer.md` is its spec; `shirube-search.js` implements
//! the same spec for queries, and both are tested against `tests/search/tokenize.json`.
//!
//! Normalize (NFKC, lowercase, `ς`→`σ`), then split into runs: a run of CJK characters (Han, kana, Hangul)
//! gives overlapping character bigrams (a one-character run gives that character), and a run of letters, digits
//! and marks gives one word, stemmed lightly for English plurals. There is no dictionary: a dictionary segmenter
//! in Rust and the one in a browser split Japanese differently, and bigrams cannot disagree.
//!
//! Two spelling variants are folded inside CJK runs, before the bigrams are made: a katakana word's final `ー` is
//! dropped when the word is four characters or longer (`プロバイダー` → `プロバイダ`), and the okurigana of the
//! compounds in [`OKURIGANA`] is dropped (`申し込み` → `申込み`). Both sides fold the same way, so either spelling
//! finds the other.
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
    // Latin and the other alphabets come before every range below: one comparison for most English text.
    if (c as u32) < 0x1100 {
        return false;
    }
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

/// Okurigana that is optional: in each entry `XhY`, a hiragana `h` between the kanji `X` and `Y` is dropped, so
/// `申し込み` and `申込み` (and `申込`, through the query side's optional bigrams) meet. A table, not a rule: a
/// rule such as "hiragana between two kanji is optional" would drop particles too (`東京と大阪` → `東京大阪`).
/// The same table is `OKURIGANA` in `shirube-search.js`; `tests/search/tokenize.json` has a vector for each
/// entry, and `tests/search/tokenize.test.mjs` checks that the two tables are the same.
pub const OKURIGANA: &[&str] = &[
    "申し込",
    "振り込",
    "取り扱",
    "受け付",
    "引き落",
    "問い合",
    "書き込",
    "読み込",
    "取り込",
    "組み込",
    "絞り込",
    "売り上",
    "割り当",
    "割り引",
    "払い戻",
    "切り替",
    "立ち上",
    "打ち合",
    "取り消",
    "差し替",
    "引き継",
    "貼り付",
    "書き出",
    "呼び出",
    "締め切",
    "繰り越",
    "受け取",
    "受け入",
    "振り替",
];

/// Katakana of a katakana word (for the final `ー` rule): U+30A1–30FA, `ー` U+30FC, U+31F0–31FF.
pub fn is_katakana(c: char) -> bool {
    matches!(c as u32, 0x30A1..=0x30FA | 0x30FC | 0x31F0..=0x31FF)
}

/// True when the hiragana `c`, between `before` and `after`, is okurigana of an [`OKURIGANA`] compound.
fn okurigana(before: char, c: char, after: char) -> bool {
    // Almost every character is no hiragana: one comparison for them.
    if !('\u{3041}'..='\u{3096}').contains(&c) {
        return false;
    }
    OKURIGANA.iter().any(|e| {
        let mut it = e.chars();
        it.next() == Some(before) && it.next() == Some(c) && it.next() == Some(after)
    })
}

/// Characters of word tokens: Unicode Alphabetic, Numeric (Nd, Nl, No) or Mark, and not CJK.
pub fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if crate::slug::is_cjk_punctuation(c) {
        return false;
    }
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
    // Every rule below removes a final `s`: most words end otherwise, and are left as they are at once.
    if word.len() < 4 || !word.ends_with('s') || !word.bytes().all(|b| b.is_ascii_lowercase()) {
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
        });
    });
    out
}

/// Calls `f(term, is_cjk)` for each token of `text` in order: [`tokenize`] without allocating a string per
/// token.
pub fn for_each_token(text: &str, mut f: impl FnMut(&str, bool)) {
    let mut buf = String::with_capacity(64);
    let mut pair = String::with_capacity(8);
    for_each_term_in(text, &mut buf, |term| match term {
        Term::Word(w) => f(w, false),
        Term::Cjk(a, b) => {
            pair.clear();
            pair.push(a);
            pair.extend(b);
            f(&pair, true);
        }
    });
}

/// One token as [`for_each_term_in`] gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term<'a> {
    /// A word, normalized and stemmed.
    Word(&'a str),
    /// A CJK bigram (two characters), or a lone CJK character: left for the caller to spell, since the index
    /// builder makes its key straight from the characters.
    Cjk(char, Option<char>),
}

/// [`for_each_token`] for the index builder, which tokenizes many short texts: words are spelled in a caller's
/// scratch buffer (nothing is allocated once `buf` has grown), CJK characters are not spelled at all.
/// Normalization is streamed (no normalized copy of `text`): ASCII is only lowercased, text that passes the
/// NFKC quick check only lowercased, the rest goes through NFKC. Lowercasing char by char is the same as
/// lowercasing the whole text here, because the only context-dependent mapping (final sigma) is folded to `σ`
/// anyway.
pub fn for_each_term_in(text: &str, buf: &mut String, mut f: impl FnMut(Term<'_>)) {
    if text.is_ascii() {
        scan(
            text.bytes().map(|b| char::from(b.to_ascii_lowercase())),
            buf,
            &mut f,
        );
    } else if text.chars().all(|c| simple(c).is_some()) {
        scan(text.chars().map(|c| simple(c).unwrap_or(c)), buf, &mut f);
    } else if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        scan(
            text.chars().flat_map(char::to_lowercase).map(fold_sigma),
            buf,
            &mut f,
        );
    } else {
        scan(
            text.nfkc().flat_map(char::to_lowercase).map(fold_sigma),
            buf,
            &mut f,
        );
    }
}

/// NFKC and lowercase of `c` for the characters most Japanese and English text is made of, when they do not
/// depend on the neighbouring characters: ASCII, full-width ASCII (`Ａ` → `a`, `（` → `(`), the ideographic
/// space, dashes and curly quotes, CJK punctuation, kana without the combining or spacing voiced marks, and the unified ideographs. A
/// text of these characters only is normalized one character at a time, without the NFKC quick check (none of
/// them composes with a neighbour, and no combining mark is among them).
fn simple(c: char) -> Option<char> {
    match c as u32 {
        0..=0x7F => Some(c.to_ascii_lowercase()),
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).map(|a| a.to_ascii_lowercase()),
        0x3000 => Some(' '),
        0x3001..=0x3011 | 0x3013..=0x301F | 0x3041..=0x3096 | 0x30A1..=0x30FC | 0x4E00..=0x9FFF => {
            Some(c)
        }
        0x2013 | 0x2014 | 0x2018 | 0x2019 | 0x201C | 0x201D => Some(c),
        _ => None,
    }
}

fn fold_sigma(c: char) -> char {
    if c == 'ς' { 'σ' } else { c }
}

/// The tokenizer proper, over normalized characters.
fn scan(chars: impl Iterator<Item = char>, buf: &mut String, f: &mut impl FnMut(Term<'_>)) {
    let mut chars = chars.peekable();
    // The previous character of the current CJK run, and the run's length so far.
    let mut prev: Option<char> = None;
    let mut run = 0usize;
    // Length of the katakana word that ends at `c` (0 when `c` is no katakana).
    let mut kata = 0usize;
    while let Some(c) = chars.next() {
        if is_cjk(c) {
            kata = if is_katakana(c) { kata + 1 } else { 0 };
            // Variant folding (see the module documentation): the character is left out, as if absent.
            let next = chars.peek().copied();
            if c == 'ー' && kata >= 4 && !next.is_some_and(is_katakana) {
                continue;
            }
            if let (Some(p), Some(n)) = (prev, next)
                && okurigana(p, c, n)
            {
                continue;
            }
            if let Some(p) = prev {
                f(Term::Cjk(p, Some(c)));
            }
            prev = Some(c);
            run += 1;
            continue;
        }
        if let (1, Some(p)) = (run, prev) {
            f(Term::Cjk(p, None));
        }
        prev = None;
        run = 0;
        kata = 0;
        if !is_word(c) {
            continue;
        }
        buf.clear();
        buf.push(c);
        let mut n = 1;
        loop {
            match chars.peek() {
                Some(&c) if is_word(c) => {
                    if n < MAX_WORD_CHARS {
                        buf.push(c);
                        n += 1;
                    }
                    chars.next();
                }
                // "don't" → "dont", "customer's" → "customers" (then stemmed). An apostrophe not followed by a
                // word character ends the word (and is no token itself).
                Some(&c) if is_apostrophe(c) => {
                    chars.next();
                    if !chars.peek().is_some_and(|&d| is_word(d)) {
                        break;
                    }
                }
                _ => break,
            }
        }
        stem_in_place(buf);
        f(Term::Word(buf));
    }
    if let (1, Some(p)) = (run, prev) {
        f(Term::Cjk(p, None));
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
    fn japanese_punctuation_is_no_word_character() {
        // `is_word` answers these without the Unicode tables (`slug::is_cjk_punctuation`): they must be what
        // the tables say.
        for c in (0x3000..=0x3004).chain(0x3008..=0x3020).chain([0x30FB]) {
            let c = char::from_u32(c).unwrap_or(' ');
            assert!(
                !c.is_alphanumeric() && !is_combining_mark(c) && !is_cjk(c),
                "{c:?}"
            );
            assert!(!is_word(c), "{c:?}");
        }
    }

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
            ("プロバイダー", vec!["プロ", "ロバ", "バイ", "イダ"]),
            ("ユーザーの", vec!["ユー", "ーザ", "ザの"]),
            ("キー", vec!["キー"]),
            ("申し込み", vec!["申込", "込み"]),
            ("東京と大阪", vec!["東京", "京と", "と大", "大阪"]),
        ] {
            assert_eq!(terms(input), want, "{input:?}");
        }
    }

    /// The tokenizer as first written (normalize the whole text, then scan a `Vec<char>`): the streaming one
    /// must give the same tokens.
    fn reference(text: &str) -> Vec<(String, bool)> {
        let chars: Vec<char> = normalize(text).chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if is_cjk(c) {
                let start = i;
                while i < chars.len() && is_cjk(chars[i]) {
                    i += 1;
                }
                let mut run: Vec<char> = Vec::new();
                let mut kata = 0;
                for k in start..i {
                    let c = chars[k];
                    kata = if is_katakana(c) { kata + 1 } else { 0 };
                    let next = chars.get(k + 1).copied().filter(|&n| is_cjk(n));
                    if c == 'ー' && kata >= 4 && !next.is_some_and(is_katakana) {
                        continue;
                    }
                    let before = if k > start { Some(chars[k - 1]) } else { None };
                    if let (Some(b), Some(n)) = (before, next)
                        && okurigana(b, c, n)
                    {
                        continue;
                    }
                    run.push(c);
                }
                if run.len() == 1 {
                    out.push((run[0].to_string(), true));
                } else {
                    for w in run.windows(2) {
                        out.push((w.iter().collect(), true));
                    }
                }
            } else if is_word(c) {
                let mut word = String::new();
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
                        i += 1;
                    } else {
                        break;
                    }
                }
                out.push((stem(&word), false));
            } else {
                i += 1;
            }
        }
        out
    }

    #[test]
    fn streaming_matches_reference() {
        let samples = [
            "Invite your Admins' team don't 'quoted' it's",
            "ＳＳＯの設定とｶﾞｲﾄﾞ、ΣΊΣΥΦΟΣ Σ ς ﬁle ① ㈱ ½ ™",
            "契約更新の手順。請求書発行 3月の締め日 円",
            "café cafe\u{301} İstanbul ß ﬀ Ǆ Ⅻ",
            "한국어 텍스트 and 中文 mixed ｱｲｳ",
            "a'",
            "'a",
            "x’y",
            "日",
            "",
            "プロバイダーの設定、ユーザー。マネージャー申し込み受け付け ｻｰﾊﾞｰ すごーい",
        ];
        let long = "word ".repeat(10) + &"a".repeat(100) + "日本語";
        for text in samples.iter().copied().chain([long.as_str()]) {
            let mut got = Vec::new();
            for_each_token(text, |t, cjk| got.push((t.to_string(), cjk)));
            assert_eq!(got, reference(text), "{text:?}");
        }
    }

    #[test]
    fn streaming_matches_reference_on_fixture_sites() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let mut files = 0;
        for dir in ["search/site", "fixtures/ja", "fixtures/full"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                files += 1;
                for line in text.lines() {
                    let mut got = Vec::new();
                    for_each_token(line, |t, cjk| got.push((t.to_string(), cjk)));
                    assert_eq!(got, reference(line), "{}: {line:?}", entry.path().display());
                }
            }
        }
        assert!(files > 10, "fixture sites found");
    }

    #[test]
    fn simple_characters_normalize_alone() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if let Some(n) = simple(c) {
                assert_eq!(
                    n.to_string(),
                    normalize(&c.to_string()),
                    "U+{:04X}",
                    c as u32
                );
                // Nothing composes with a simple neighbour, on either side (combining marks and half-width
                // kana, which do compose, are not simple, so a text with them takes the NFKC path).
                for other in [
                    'a', 'A', 'か', 'カ', 'ー', '、', 'Ａ', '（', '\u{3000}', '日', '’',
                ] {
                    assert!(simple(other).is_some());
                    let pair: String = [c, other].into_iter().collect();
                    let alone: String = [n].into_iter().chain(simple(other)).collect();
                    assert_eq!(normalize(&pair), alone, "U+{:04X} then {other:?}", c as u32);
                    let pair: String = [other, c].into_iter().collect();
                    let alone: String = simple(other).into_iter().chain([n]).collect();
                    assert_eq!(normalize(&pair), alone, "{other:?} then U+{:04X}", c as u32);
                }
            }
        }
    }

    #[test]
    fn long_words_are_cut() {
        let t = terms(&"a".repeat(100));
        assert_eq!(t, vec!["a".repeat(MAX_WORD_CHARS)]);
    }
}
