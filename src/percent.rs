//! Percent-encoding of URLs, one function per use, and `%XX` decoding of URL paths, all on the
//! `percent-encoding` crate: each use names the ASCII bytes it escapes (as `%XX`, upper-case hex).
//!
//! - [`encode_path`]: a URL written into XML (sitemap, feed, robots.txt) or a redirect: non-ASCII and spaces.
//! - [`encode_component`]: a value in a query string (feedback and survey links): all but RFC 3986 unreserved.
//! - [`encode_reserved`]: a file name made into a URL path (assets): only `%`, `#` and `?`; non-ASCII is kept.
//! - [`decode`]: links in pages (`markdown`) and requests to the preview server (`serve`); strict, unlike the
//!   crate's decoder, which keeps a malformed escape as it is.
//!
//! Part of the model layer: imports nothing of the pipeline.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// The ASCII bytes [`encode_path`] escapes (non-ASCII bytes are always escaped): the space only.
const PATH: &AsciiSet = &AsciiSet::EMPTY.add(b' ');

/// The ASCII bytes [`encode_component`] escapes: all but the unreserved characters of RFC 3986.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The ASCII bytes [`encode_reserved`] escapes: those that would start an escape, a fragment or a query.
const RESERVED: &AsciiSet = &AsciiSet::EMPTY.add(b'%').add(b'#').add(b'?');

/// Percent-encodes non-ASCII characters and spaces in a URL, leaving its structure alone.
pub fn encode_path(url: &str) -> String {
    utf8_percent_encode(url, PATH).to_string()
}

/// Percent-encodes everything but the unreserved characters of RFC 3986, for a query value.
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// A file path made safe to write as a URL path: `%`, `#` and `?` (which a file name may hold, and which
/// would otherwise start an escape, a fragment or a query) become `%25`, `%23` and `%3F`. Other characters,
/// non-ASCII ones too, are kept as they are (the crate escapes every non-ASCII byte, so only the ASCII runs
/// go through it).
pub fn encode_reserved(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while !rest.is_empty() {
        let ascii = rest.find(|c: char| !c.is_ascii()).unwrap_or(rest.len());
        out.extend(utf8_percent_encode(&rest[..ascii], RESERVED));
        let other = rest[ascii..]
            .find(|c: char| c.is_ascii())
            .map_or(rest.len(), |k| ascii + k);
        out.push_str(&rest[ascii..other]);
        rest = &rest[other..];
    }
    out
}

/// `s` with every `%XX` escape decoded; `None` for an escape that is not two hex digits, or bytes that are not
/// UTF-8 once decoded.
pub fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let hex = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_hexdigit);
    let well_formed = (0..bytes.len())
        .filter(|&i| bytes[i] == b'%')
        .all(|i| hex(i + 1) && hex(i + 2));
    if !well_formed {
        return None;
    }
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::{decode, encode_component, encode_path, encode_reserved};

    /// Each encoder against every ASCII character (escaped as upper-case `%XX`, or kept) and a non-ASCII one.
    #[test]
    fn each_encoder_escapes_exactly_its_set() {
        // (encoder, the ASCII characters it escapes, what it makes of a non-ASCII one)
        type Case = (fn(&str) -> String, fn(char) -> bool, &'static str);
        let cases: [Case; 3] = [
            (encode_path, |c| c == ' ', "%E8%A8%AD"),
            (
                encode_component,
                |c| !(c.is_ascii_alphanumeric() || "-._~".contains(c)),
                "%E8%A8%AD",
            ),
            (encode_reserved, |c| "%#?".contains(c), "設"),
        ];
        for (encode, escaped, non_ascii) in cases {
            for c in (0u8..=0x7F).map(char::from) {
                let want = if escaped(c) {
                    format!("%{:02X}", c as u8)
                } else {
                    c.to_string()
                };
                assert_eq!(encode(&c.to_string()), want, "{c:?}");
            }
            assert_eq!(encode("設"), non_ascii);
        }
        assert_eq!(
            encode_reserved("a/設定 50%#?.png"),
            "a/設定 50%25%23%3F.png"
        );
        assert_eq!(
            encode_path("https://g.example/ガイド/a b?q#f"),
            "https://g.example/%E3%82%AC%E3%82%A4%E3%83%89/a%20b?q#f"
        );
    }

    #[test]
    fn reserved_characters_of_file_names_are_escaped() {
        let name = "assets/50% off #1?.png";
        assert_eq!(encode_reserved(name), "assets/50%25 off %231%3F.png");
        assert_eq!(decode(&encode_reserved(name)).as_deref(), Some(name));
    }

    #[test]
    fn decodes_escapes_and_refuses_bad_ones() {
        assert_eq!(decode("a%20b").as_deref(), Some("a b"));
        assert_eq!(decode("%E8%A8%AD%E5%AE%9A").as_deref(), Some("設定"));
        assert_eq!(decode("plain/設定.md").as_deref(), Some("plain/設定.md"));
        assert_eq!(decode("%2e%2E").as_deref(), Some(".."));
        for bad in ["%", "%2", "%zz", "%+1", "%aé", "%é", "%FF"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
