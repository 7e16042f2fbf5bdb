//! The HTTP side of `serve`, as pure functions: which file a request asks for, whether its `Host` may ask at
//! all, and the content type of a path. Nothing here touches a socket, so every case is a table test.

use std::net::IpAddr;

/// What a request asks for, once its path is checked.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// An output file, by its path relative to the output root (`faq/index.html`).
    File(String),
    /// The live-reload event stream.
    Events,
    /// The live-reload client script.
    Client,
    /// The path is the base path without its trailing slash (or a folder without it): redirect there.
    Redirect(String),
}

/// Why a request is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 400: malformed, or a path that tries to leave the site (`..`, encoded slashes, backslashes, NUL).
    BadRequest,
    /// 404: a well-formed path outside the base path.
    NotFound,
}

/// Under the base path, the endpoints of the preview server itself.
pub const EVENTS_PATH: &str = "__shirube/events";
/// See [`EVENTS_PATH`].
pub const CLIENT_PATH: &str = "__shirube/client.js";

/// The Content-Security-Policy of every response. Scripts only from the server itself, plus the one inline
/// script of the default theme by its hash (it marks `<html>` as having JavaScript before the page is drawn);
/// the live-reload client is a file too ([`CLIENT_PATH`]), and its state a JSON data block, which the policy
/// does not cover. No inline styles in markup (the overlay sets `element.style`, which the policy allows), no
/// plugins, no `<base>` to elsewhere, forms only to the server, and no framing by other sites. Images and media
/// may come from anywhere, as a guide's pages may show them from elsewhere; they cannot run code.
///
/// A theme of one's own with other inline scripts or scripts from elsewhere sees them refused in `serve`, with
/// the violation in the browser's console.
pub const CSP: &str = "default-src 'self'; \
    script-src 'self' 'sha256-qOhFsq0QMV2REqNwk5hGH5bZE9SkX6gt6yeyKdYPv+U='; style-src 'self'; \
    img-src * data: blob:; media-src * data: blob:; font-src 'self' data:; connect-src 'self'; \
    object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/// A response's status line and headers, through the blank line: `Content-Type`, `Content-Length`, no caching,
/// `nosniff`, the [`CSP`], then `extra`.
pub fn response_head(status: u16, ctype: &str, len: usize, extra: &[(&str, String)]) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        414 => "URI Too Long",
        416 => "Range Not Satisfiable",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "Service Unavailable",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nContent-Security-Policy: {CSP}\r\n"
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// Maps a request target (`/onboarding/faq/?x=1`) to what it asks for, under `base` (`/onboarding/`).
pub fn target(url: &str, base: &str) -> Result<Target, Refusal> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    // Only origin-form targets: `*`, `http://host/…` and the like are not for a file server.
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(Refusal::BadRequest);
    }
    let lower = path.to_ascii_lowercase();
    // An encoded slash or backslash would let one segment hide another; nothing shirube writes needs them.
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return Err(Refusal::BadRequest);
    }
    let decoded = crate::percent::decode(path).ok_or(Refusal::BadRequest)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return Err(Refusal::BadRequest);
    }
    // An empty segment (`/guide//faq/`) is nothing shirube writes, and after the base path it would leave a path
    // that starts with `/` (found by the fuzz target serve_request).
    if decoded.contains("//")
        || decoded
            .split('/')
            .any(|seg| seg == ".." || seg == "." || seg.chars().any(char::is_control))
    {
        return Err(Refusal::BadRequest);
    }
    if decoded == base.trim_end_matches('/') && base != "/" {
        return Ok(Target::Redirect(base.to_string()));
    }
    let Some(rel) = decoded.strip_prefix(base) else {
        return Err(Refusal::NotFound);
    };
    if rel == EVENTS_PATH {
        return Ok(Target::Events);
    }
    if rel == CLIENT_PATH {
        return Ok(Target::Client);
    }
    if rel.is_empty() || rel.ends_with('/') {
        return Ok(Target::File(format!("{rel}index.html")));
    }
    Ok(Target::File(rel.to_string()))
}

/// Whether a request with this `Host` header may be answered. A page on another site can make the browser
/// send requests to the preview server under a name of its own that resolves to 127.0.0.1 (DNS rebinding);
/// such a request carries that name, so only the loopback names and the bound address are let through. Bound
/// to every interface (`--bind 0.0.0.0` or `::`), any IP address is: a phone on the LAN asks for
/// `192.168.1.10:1111`, and a rebinding attack cannot send an IP address as `Host`, only a name.
pub fn host_allowed(host: Option<&str>, bind: IpAddr) -> bool {
    let Some(host) = host else {
        // HTTP/1.0 without a Host header: not something a browser sends.
        return true;
    };
    let port_ok = |p: &str| {
        p.is_empty()
            || p.strip_prefix(':')
                .is_some_and(|d| d.chars().all(|c| c.is_ascii_digit()))
    };
    let name = match host.strip_prefix('[') {
        // `[::1]:1111`
        Some(rest) => match rest.split_once(']') {
            Some((ip, port)) if port_ok(port) => ip,
            _ => return false,
        },
        None => host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                host
            }
        }),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" {
        return true;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback() || ip == bind || bind.is_unspecified(),
        Err(_) => false,
    }
}

/// What a `Range` header asks of a body.
#[derive(Debug, PartialEq, Eq)]
pub enum Range {
    /// No range, one that is not understood, or several: the whole body, with 200 (as RFC 9110 allows).
    Whole,
    /// Bytes `start..=end`, both inside the body: 206.
    Part(usize, usize),
    /// A single range that starts after the body's end: 416.
    Unsatisfiable,
}

/// Reads a `Range` header (`bytes=0-99`, `bytes=100-`, `bytes=-100`) for a body of `len` bytes.
pub fn range(header: Option<&str>, len: usize) -> Range {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Range::Whole;
    };
    let spec = spec.trim();
    if spec.contains(',') {
        return Range::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Range::Whole;
    };
    let number = |s: &str| -> Option<usize> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Larger than any body: as far as the body goes.
        Some(s.parse().unwrap_or(usize::MAX))
    };
    match (first.trim().is_empty(), number(first), number(last)) {
        // `-N`: the last N bytes.
        (true, _, Some(n)) => {
            if n == 0 || len == 0 {
                Range::Unsatisfiable
            } else {
                Range::Part(len - n.min(len), len - 1)
            }
        }
        (false, Some(start), None) if last.trim().is_empty() => {
            if start >= len {
                Range::Unsatisfiable
            } else {
                Range::Part(start, len - 1)
            }
        }
        (false, Some(start), Some(end)) if start <= end => {
            if start >= len {
                Range::Unsatisfiable
            } else {
                Range::Part(start, end.min(len - 1))
            }
        }
        _ => Range::Whole,
    }
}

/// The `Content-Type` for a file, by its extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "bmp" => "image/bmp",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "mp4" | "m4v" => "video/mp4",
        "webm" => "video/webm",
        "mov" => "video/quicktime",
        "ogv" => "video/ogg",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "vtt" => "text/vtt; charset=utf-8",
        "wasm" => "application/wasm",
        "webmanifest" => "application/manifest+json",
        "map" => "application/json",
        "yaml" | "yml" => "text/yaml; charset=utf-8",
        "ics" => "text/calendar; charset=utf-8",
        "rss" => "application/rss+xml",
        "atom" => "application/atom+xml",
        "epub" => "application/epub+zip",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_under_the_base_path() {
        let ok = |url: &str, base: &str| target(url, base);
        assert_eq!(ok("/", "/"), Ok(Target::File("index.html".into())));
        assert_eq!(
            ok("/faq/?q=1#x", "/"),
            Ok(Target::File("faq/index.html".into()))
        );
        assert_eq!(
            ok("/onboarding/style.css?v=1", "/onboarding/"),
            Ok(Target::File("style.css".into()))
        );
        assert_eq!(
            ok("/onboarding", "/onboarding/"),
            Ok(Target::Redirect("/onboarding/".into()))
        );
        assert_eq!(ok("/other/", "/onboarding/"), Err(Refusal::NotFound));
        assert_eq!(
            ok("/onboarding/__shirube/events", "/onboarding/"),
            Ok(Target::Events)
        );
        assert_eq!(
            ok("/%E6%89%8B%E9%A0%86/", "/"),
            Ok(Target::File("手順/index.html".into()))
        );
    }

    #[test]
    fn traversal_and_malformed_paths_are_refused() {
        for url in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/a%2f..%2f..%2fetc/passwd",
            "/a%5c..%5cetc",
            "/a\\..\\etc",
            "/a/./b",
            "/%00",
            "/%zz",
            "/%ff%fe",
            "//etc/passwd",
            "http://evil.example/",
            "*",
            "",
        ] {
            assert_eq!(target(url, "/"), Err(Refusal::BadRequest), "{url}");
        }
        // Found by fuzz/fuzz_targets/serve_request.rs: an empty segment after the base path made a file path
        // that starts with `/`.
        for url in [
            "/guide/docs//fq/?q=1",
            "/guide/docs/a//b",
            "/guide/docs/%2F",
        ] {
            assert_eq!(
                target(url, "/guide/docs/"),
                Err(Refusal::BadRequest),
                "{url}"
            );
        }
    }

    #[test]
    fn only_loopback_hosts_are_let_through() {
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        for host in [
            "localhost",
            "localhost:1111",
            "LOCALHOST.",
            "127.0.0.1:1111",
            "127.0.0.2",
            "[::1]:1111",
        ] {
            assert!(host_allowed(Some(host), lo), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "192.168.1.10:1111",
            "",
            "[::1",
        ] {
            assert!(!host_allowed(Some(host), lo), "{host}");
        }
        let lan: IpAddr = "192.168.1.10".parse().unwrap();
        assert!(host_allowed(Some("192.168.1.10:1111"), lan));
        assert!(!host_allowed(Some("192.168.1.11:1111"), lan));
        // Bound to every interface: any address, still no other name.
        for any in ["0.0.0.0", "::"] {
            let any: IpAddr = any.parse().unwrap();
            for host in [
                "192.168.1.11:1111",
                "[fd00::2]:1111",
                "10.0.0.7",
                "localhost:1111",
            ] {
                assert!(host_allowed(Some(host), any), "{host}");
            }
            for host in ["evil.example:1111", "192.168.1.11.nip.io", "[fd00::2"] {
                assert!(!host_allowed(Some(host), any), "{host}");
            }
        }
    }

    /// The hash in the policy is the default theme's inline script's: a change to that script must change it.
    #[test]
    fn the_policy_lets_the_default_theme_run() {
        use sha2::Digest;
        let base = include_str!("../../themes/default/templates/base.html");
        let inline: Vec<&str> = base
            .split("<script>")
            .skip(1)
            .filter_map(|rest| rest.split_once("</script>").map(|(js, _)| js))
            .collect();
        assert_eq!(inline.len(), 1, "{inline:?}");
        let digest = sha2::Sha256::digest(inline[0].as_bytes());
        let hash = format!("'sha256-{}'", base64(&digest));
        assert!(CSP.contains(&hash), "{hash} is not in {CSP}");
        assert!(!CSP.contains("unsafe-inline") && !CSP.contains("unsafe-eval"));
        // The same policy as a published build's `_headers` for the default theme.
        let hashes = std::collections::BTreeSet::from([hash]);
        assert_eq!(CSP, crate::render::hosting::policy(&hashes));
    }

    fn base64(bytes: &[u8]) -> String {
        const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("search/x/s/0.bin"), "application/octet-stream");
        assert_eq!(content_type("img/A.PNG"), "image/png");
        for (path, want) in [
            ("a.wasm", "application/wasm"),
            ("captions.vtt", "text/vtt; charset=utf-8"),
            ("a.mp3", "audio/mpeg"),
            ("a.m4a", "audio/mp4"),
            ("a.ogg", "audio/ogg"),
            ("a.wav", "audio/wav"),
            ("screen.mov", "video/quicktime"),
            ("site.webmanifest", "application/manifest+json"),
            ("f.ttf", "font/ttf"),
            ("f.otf", "font/otf"),
        ] {
            assert_eq!(content_type(path), want, "{path}");
        }
    }

    #[test]
    fn byte_ranges() {
        use Range::*;
        let r = |h: &str| range(Some(h), 100);
        assert_eq!(range(None, 100), Whole);
        assert_eq!(r("bytes=0-9"), Part(0, 9));
        assert_eq!(r("bytes=0-0"), Part(0, 0));
        assert_eq!(r("bytes=90-"), Part(90, 99));
        assert_eq!(r("bytes=90-1000"), Part(90, 99));
        assert_eq!(r("bytes=-10"), Part(90, 99));
        assert_eq!(r("bytes=-1000"), Part(0, 99));
        assert_eq!(r("bytes=0-99999999999999999999999"), Part(0, 99));
        assert_eq!(r("bytes=100-"), Unsatisfiable);
        assert_eq!(r("bytes=100-200"), Unsatisfiable);
        assert_eq!(r("bytes=-0"), Unsatisfiable);
        assert_eq!(range(Some("bytes=0-"), 0), Unsatisfiable);
        // Not understood, or several ranges: the whole body.
        for h in [
            "bytes=9-0",
            "bytes=a-b",
            "bytes=-",
            "items=0-9",
            "bytes=0-1,5-6",
            "bytes=1",
            "bytes=--1",
        ] {
            assert_eq!(r(h), Whole, "{h}");
        }
    }
}
