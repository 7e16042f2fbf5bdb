//! A request head as `serve` reads it from a socket, arriving in pieces: read and checked by
//! `serve::conn::request_from_pieces` under small limits, then routed by `serve::http::target` under two base
//! paths, with the Host check and the Range header parser on what it carries. No panic; a head is answered
//! only with a status `serve` uses; a routed file never leaves the site.
//!
//! The first byte of the input sets where the rest is cut into pieces (as reads from a socket return them).

#![no_main]

use libfuzzer_sys::fuzz_target;
use shirube::serve::conn::{Limits, request_from_pieces};
use shirube::serve::http::{self, Target};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, rest)) = data.split_first() else {
        return;
    };
    let step = usize::from(cut % 64) + 1;
    let pieces: Vec<Vec<u8>> = rest.chunks(step).map(<[u8]>::to_vec).collect();
    // Small limits, so that the fuzzer reaches them.
    let limits = Limits {
        idle: Duration::from_secs(60),
        write: Duration::from_secs(1),
        max_line: 256,
        max_head: 1024,
        max_conns: 1,
    };
    let req = match request_from_pieces(pieces, &limits) {
        Ok(req) => req,
        Err(None) => return,
        Err(Some(status)) => {
            assert!(
                matches!(status, 400 | 414 | 431),
                "refused with an unexpected status {status}"
            );
            return;
        }
    };
    assert!(req.header("host").is_some(), "a request without Host got through");
    for bind in [IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V4(Ipv4Addr::UNSPECIFIED)] {
        let _ = http::host_allowed(req.header("host"), bind);
    }
    let _ = http::range(req.header("range"), 10_000);
    for base in ["/", "/guide/docs/"] {
        if let Ok(Target::File(path)) = http::target(&req.url, base) {
            assert!(!path.starts_with('/'), "{path:?} from {:?}", req.url);
            assert!(
                !path.split('/').any(|s| s == ".." || s == "."),
                "{path:?} from {:?}",
                req.url
            );
            assert!(
                !path.contains(['\\', '\0']),
                "{path:?} from {:?}",
                req.url
            );
            let _ = http::content_type(&path);
        }
    }
});
