//! `%XX` decoding of URL paths, for links in pages (`markdown`) and requests to the preview server (`serve`).

/// `s` with every `%XX` escape decoded; `None` for an escape that is not two hex digits, or bytes that are not
/// UTF-8 once decoded.
pub fn decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_string());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // `get`, not indexing: the two bytes after `%` may end inside a multi-byte character.
            let hex = s.get(i + 1..i + 3)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A file path made safe to write as a URL path: `%`, `#` and `?` (which a file name may hold, and which
/// would otherwise start an escape, a fragment or a query) become `%25`, `%23` and `%3F`.
pub fn encode_reserved(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{decode, encode_reserved};

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
