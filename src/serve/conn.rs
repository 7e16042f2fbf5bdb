//! The front of the preview server: accepting connections, reading request heads, writing responses.
//!
//! Why not tiny_http (which `serve` used before): it reads a request line or header with no bound on its length
//! (a 500 MB header is kept in memory), sets no read or write timeout (an idle connection, or a client that
//! stops reading a response, holds a thread for ever), and gives no access to the socket to set them. Eight
//! clients that did not read a large file blocked all of `serve`'s eight worker threads, and one event stream
//! that did not read blocked the thread that writes events, which is the site thread. What it did besides,
//! `serve` did itself already (it wrote every response head through `into_writer()`), so this module replaces it
//! with little code: [`httparse`] parses the head, everything else is here.
//!
//! - **A thread per connection**, at most [`Limits::max_conns`] at once (beyond that, a `503` and the connection
//!   is closed). A client that does not read holds its own thread, and nobody else's.
//! - **Reading a head:** into a buffer bounded by [`Limits::max_head`], within [`Limits::idle`] of the
//!   connection's last response (or of its opening), whatever arrives meanwhile. A request line longer than
//!   [`Limits::max_line`] gets `414`, a longer head `431`, a head that is not HTTP (a TLS hello) or whose
//!   request line is not UTF-8 `400`, and so does one without exactly one `Host`. A connection that sends no
//!   complete head in time is closed without an answer.
//! - **Writing:** every write has [`Limits::write`] to make progress, or the connection is dropped. `TCP_NODELAY`
//!   is set, so a head and its body may be written apart without waiting for the client's delayed ACK.
//! - **Bodies** are not read: `serve` answers only GET and HEAD. A request that announces a body is answered, and
//!   its connection closed (so the body is never taken for the next request).
//!
//! Left out: request bodies, chunked uploads, pipelining beyond reading requests one after the other, HTTP/2,
//! TLS.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Bounds on what one connection may take.
#[derive(Debug, Clone)]
pub struct Limits {
    /// A complete request head must arrive within this, counted from the connection's opening or its last
    /// response; otherwise the connection is closed.
    pub idle: Duration,
    /// A write that makes no progress for this long drops the connection.
    pub write: Duration,
    /// The longest request line (`414` beyond).
    pub max_line: usize,
    /// The largest request head, request line included (`431` beyond).
    pub max_head: usize,
    /// Connections open at once (`503` beyond).
    pub max_conns: usize,
}

/// Most headers in one request (`431` beyond).
const MAX_HEADERS: usize = 100;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            idle: Duration::from_secs(5),
            write: Duration::from_secs(10),
            max_line: 8 * 1024,
            // Browsers send the cookies of every `localhost` server (cookies ignore the port): room for them.
            max_head: 64 * 1024,
            max_conns: 256,
        }
    }
}

impl Limits {
    /// The defaults, with the timeouts from `SHIRUBE_SERVE_IDLE_MS` and `SHIRUBE_SERVE_WRITE_MS` when they are
    /// set to a number (tests use short ones; nobody else needs to).
    pub fn from_env() -> Limits {
        let ms = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_millis)
        };
        let mut limits = Limits::default();
        if let Some(d) = ms("SHIRUBE_SERVE_IDLE_MS") {
            limits.idle = d;
        }
        if let Some(d) = ms("SHIRUBE_SERVE_WRITE_MS") {
            limits.write = d;
        }
        limits
    }
}

/// A request head, checked.
#[derive(Debug)]
pub struct Req {
    /// `GET`, `HEAD`, …
    pub method: String,
    /// The request target as sent (`/guide/faq/?q=1`).
    pub url: String,
    /// Every header, in order (values that are not UTF-8 are read lossily).
    pub headers: Vec<(String, String)>,
    /// The connection closes after the response (`Connection: close`, HTTP/1.0, or a body that is not read).
    pub close: bool,
}

impl Req {
    /// The first header with this name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A HEAD request: the response has no body.
    pub fn head_only(&self) -> bool {
        self.method == "HEAD"
    }
}

/// A body shared between responses (a large file is not copied for each request).
pub struct Body {
    /// The file.
    pub bytes: Arc<Vec<u8>>,
    /// The part of it that is sent.
    pub range: Range<usize>,
}

/// What to do with a request.
pub enum Reply {
    /// Write this head, then the body.
    Send {
        /// The status line and headers, with the blank line that ends them.
        head: Vec<u8>,
        /// Nothing for HEAD and empty bodies.
        body: Option<Body>,
    },
    /// Hand the connection to [`Handler::stream`] (an event stream).
    Stream,
}

/// The application behind the connections.
pub trait Handler: Send + Sync + 'static {
    /// Answers one request.
    fn respond(&self, req: &Req) -> Reply;
    /// Takes over a connection that [`Handler::respond`] answered with [`Reply::Stream`]; returns when done
    /// with it (it runs on the connection's own thread).
    fn stream(&self, req: &Req, stream: TcpStream);
}

/// Accepts connections until the listener fails, each on its own thread.
pub fn serve(listener: TcpListener, limits: Limits, handler: Arc<dyn Handler>) {
    let open = Arc::new(AtomicUsize::new(0));
    let limits = Arc::new(limits);
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else {
            // Out of file descriptors, or a connection reset before it was accepted: the next one may work,
            // once some close (a pause, so that running out of descriptors does not spin a core).
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        if open.load(Ordering::SeqCst) >= limits.max_conns {
            // A few bytes fit in any socket buffer; the timeout only guards against a broken one.
            let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
            let _ = stream.write_all(&refusal(503, "too many connections"));
            continue;
        }
        open.fetch_add(1, Ordering::SeqCst);
        let guard = Open(Arc::clone(&open));
        let limits = Arc::clone(&limits);
        let handler = Arc::clone(&handler);
        let spawned = std::thread::Builder::new()
            .name("serve-conn".into())
            .spawn(move || {
                let _guard = guard;
                connection(stream, &limits, handler.as_ref());
            });
        if spawned.is_err() {
            // No thread for it (the guard was dropped with the closure, and the stream with it).
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Counts an open connection until dropped.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Why no request came out of a connection.
#[derive(Debug, PartialEq, Eq)]
enum NoHead {
    /// The client closed, the connection failed, or the head did not come in time: close without an answer.
    Gone,
    /// Answer with this status and message, then close.
    Refuse(u16, &'static str),
}

/// Requests, one after the other, until the client or a limit ends the connection.
fn connection(mut stream: TcpStream, limits: &Limits, handler: &dyn Handler) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(limits.write));
    let mut buf = Vec::new();
    loop {
        let req = match read_head(&mut stream, &mut buf, limits).and_then(|end| {
            let req = parse_head(&buf[..end]);
            buf.drain(..end);
            req
        }) {
            Ok(req) => req,
            Err(NoHead::Gone) => return,
            Err(NoHead::Refuse(status, message)) => {
                let _ = stream.write_all(&refusal(status, message));
                return linger(stream);
            }
        };
        match handler.respond(&req) {
            Reply::Send { head, body } => {
                let sent = stream.write_all(&head).is_ok()
                    && body.is_none_or(|b| {
                        b.bytes
                            .get(b.range)
                            .is_some_and(|part| stream.write_all(part).is_ok())
                    });
                if !sent {
                    return;
                }
                if req.close {
                    return linger(stream);
                }
            }
            Reply::Stream => return handler.stream(&req, stream),
        }
    }
}

/// Closes after an answer, reading (and dropping) what the client still sends for a moment, so that the answer
/// is not lost to the reset that closing with unread data sends.
fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut sink = [0u8; 8192];
    let mut left: usize = 1 << 20;
    while left > 0 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

/// Reads until `buf` holds a complete head; returns its length (through the blank line).
fn read_head<S: Read + Timed>(
    stream: &mut S,
    buf: &mut Vec<u8>,
    limits: &Limits,
) -> Result<usize, NoHead> {
    let deadline = Instant::now() + limits.idle;
    let mut chunk = [0u8; 8192];
    loop {
        // Empty lines before a request are allowed (RFC 9112 section 2.2), and would not count as a line.
        let blank = buf
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        if blank > 0 {
            buf.drain(..blank);
        }
        let line = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
        if line > limits.max_line {
            return Err(NoHead::Refuse(414, "the request line is too long"));
        }
        if let Some(end) = head_end(buf) {
            return Ok(end);
        }
        // Garbage (a TLS hello) is refused as soon as it is seen, not when the head would have ended.
        check_start(buf)?;
        if buf.len() >= limits.max_head {
            return Err(NoHead::Refuse(431, "the request head is too large"));
        }
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or(NoHead::Gone)?;
        stream.set_timeout(left).map_err(|_| NoHead::Gone)?;
        // Never more than one byte past the limit.
        let room = (limits.max_head + 1 - buf.len()).min(chunk.len());
        match stream.read(&mut chunk[..room]) {
            Ok(0) => return Err(NoHead::Gone),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(NoHead::Gone),
        }
    }
}

/// A stream whose reads can time out.
trait Timed {
    fn set_timeout(&mut self, d: Duration) -> io::Result<()>;
}

impl Timed for TcpStream {
    fn set_timeout(&mut self, d: Duration) -> io::Result<()> {
        self.set_read_timeout(Some(d))
    }
}

/// The length of the head in `buf` through its blank line (`\r\n\r\n`, or bare `\n`s), if it is complete.
fn head_end(buf: &[u8]) -> Option<usize> {
    let at = buf.iter().enumerate().position(|(i, &b)| {
        b == b'\n'
            && (buf.get(i + 1) == Some(&b'\n')
                || (buf.get(i + 1) == Some(&b'\r') && buf.get(i + 2) == Some(&b'\n')))
    })?;
    Some(if buf[at + 1] == b'\n' { at + 2 } else { at + 3 })
}

/// Refuses the start of a head that cannot become a request: a request line that is not UTF-8 (so far), or
/// anything `httparse` rejects (it rejects a bad byte as soon as it meets it).
fn check_start(buf: &[u8]) -> Result<(), NoHead> {
    let line_end = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
    if let Err(e) = std::str::from_utf8(&buf[..line_end]) {
        // `error_len()` is `None` for a character cut off at the end, which the next read may complete.
        if e.error_len().is_some() || line_end < buf.len() {
            return Err(NoHead::Refuse(400, "the request line is not UTF-8"));
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    match httparse::Request::new(&mut headers).parse(buf) {
        Ok(_) => Ok(()),
        Err(httparse::Error::TooManyHeaders) => Err(NoHead::Refuse(431, "too many header fields")),
        Err(_) => Err(NoHead::Refuse(400, "this is not an HTTP/1.x request")),
    }
}

/// Checks a complete head and reads what `serve` needs from it.
fn parse_head(head: &[u8]) -> Result<Req, NoHead> {
    check_start(head)?;
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    if !matches!(parsed.parse(head), Ok(httparse::Status::Complete(_))) {
        return Err(NoHead::Refuse(400, "this is not an HTTP/1.x request"));
    }
    // `Complete` sets all three.
    let (Some(method), Some(url), Some(version)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Err(NoHead::Refuse(400, "this is not an HTTP/1.x request"));
    };
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).trim().to_string(),
            )
        })
        .collect();
    fn named<'a>(
        headers: &'a [(String, String)],
        name: &'a str,
    ) -> impl Iterator<Item = &'a (String, String)> {
        headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
    }
    let named = |name: &'static str| named(&headers, name);
    if named("Host").count() != 1 {
        return Err(NoHead::Refuse(
            400,
            "a request needs exactly one Host header",
        ));
    }
    let lengths: Vec<&str> = named("Content-Length").map(|(_, v)| v.as_str()).collect();
    let has_body = match lengths.as_slice() {
        [] => false,
        [n] => match n.parse::<u64>() {
            Ok(n) => n > 0,
            Err(_) => return Err(NoHead::Refuse(400, "Content-Length is not a number")),
        },
        _ => return Err(NoHead::Refuse(400, "more than one Content-Length header")),
    } || named("Transfer-Encoding").next().is_some();
    let connection = named("Connection")
        .flat_map(|(_, v)| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .collect::<Vec<_>>();
    let close = has_body
        || connection.iter().any(|t| t == "close")
        || (version == 0 && !connection.iter().any(|t| t == "keep-alive"));
    Ok(Req {
        method: method.to_string(),
        url: url.to_string(),
        headers,
        close,
    })
}

/// A complete plain-text response that closes the connection.
fn refusal(status: u16, message: &str) -> Vec<u8> {
    let body = format!("{status}: {message}\n");
    let mut out = super::http::response_head(
        status,
        "text/plain; charset=utf-8",
        body.len(),
        &[("Connection", "close".to_string())],
    );
    out.extend_from_slice(body.as_bytes());
    out
}

/// Bytes handed out in the given pieces, then a timeout: a client as [`read_head`] sees it, without a socket.
struct Pieces(Vec<Vec<u8>>);

impl Read for Pieces {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let Some(piece) = self.0.first_mut() else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        let n = piece.len().min(out.len());
        out[..n].copy_from_slice(&piece[..n]);
        piece.drain(..n);
        if piece.is_empty() {
            self.0.remove(0);
        }
        Ok(n)
    }
}

impl Timed for Pieces {
    fn set_timeout(&mut self, _: Duration) -> io::Result<()> {
        Ok(())
    }
}

/// Reads and checks one request head that arrives in `pieces`, as a connection does: the request, or the status
/// it is refused with (`Err(None)`: the client would be dropped without an answer). For the fuzz target
/// `fuzz/fuzz_targets/serve_request.rs`; `serve` reads from sockets.
#[doc(hidden)]
pub fn request_from_pieces(pieces: Vec<Vec<u8>>, limits: &Limits) -> Result<Req, Option<u16>> {
    let mut stream = Pieces(pieces);
    let mut buf = Vec::new();
    let no_head = |e: NoHead| match e {
        NoHead::Gone => None,
        NoHead::Refuse(status, _) => Some(status),
    };
    let end = read_head(&mut stream, &mut buf, limits).map_err(no_head)?;
    parse_head(&buf[..end]).map_err(no_head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head_of(pieces: &[&[u8]]) -> Result<Req, NoHead> {
        let mut s = Pieces(pieces.iter().map(|p| p.to_vec()).collect());
        let mut buf = Vec::new();
        let end = read_head(&mut s, &mut buf, &Limits::default())?;
        parse_head(&buf[..end])
    }

    #[test]
    fn heads_in_pieces_and_their_fields() {
        let req = head_of(&[
            b"\r\nGET /a?b HT",
            b"TP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n",
            b"\r\n",
        ])
        .unwrap();
        assert_eq!((req.method.as_str(), req.url.as_str()), ("GET", "/a?b"));
        assert_eq!(req.header("range"), Some("bytes=0-1"));
        assert!(!req.close);
        let req = head_of(&[b"GET / HTTP/1.0\nHost: x\n\n"]).unwrap();
        assert!(req.close);
        let req = head_of(&[b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Keep-Alive, close\r\n\r\n"])
            .unwrap();
        assert!(req.close);
        let req =
            head_of(&[b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"]).unwrap();
        assert!(req.close);
    }

    #[test]
    fn bad_heads_are_refused() {
        let refused = |pieces: &[&[u8]]| match head_of(pieces) {
            Err(NoHead::Refuse(status, _)) => status,
            other => panic!("{other:?}"),
        };
        let long_line = format!("GET /{} HTTP/1.1\r\n", "a".repeat(9000));
        assert_eq!(refused(&[long_line.as_bytes()]), 414);
        // Too long before its end arrives.
        assert_eq!(refused(&[&[b'a'; 9000]]), 414);
        let big = format!("GET / HTTP/1.1\r\nHost: x\r\n{}", "X-A: b\r\n".repeat(9000));
        assert_eq!(refused(&[big.as_bytes()]), 431);
        let many = format!(
            "GET / HTTP/1.1\r\nHost: x\r\n{}\r\n",
            "X-A: b\r\n".repeat(101)
        );
        assert_eq!(refused(&[many.as_bytes()]), 431);
        assert_eq!(refused(&[b"GET / HTTP/1.1\r\n\r\n"]), 400);
        assert_eq!(
            refused(&[b"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"]),
            400
        );
        assert_eq!(refused(&[b"GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n"]), 400);
        assert_eq!(
            refused(&[b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n"]),
            400
        );
        // A TLS hello: refused without waiting for a blank line that never comes.
        assert_eq!(
            refused(&[b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"]),
            400
        );
        // A character cut in two by the network is not refused.
        let split = head_of(&[b"GET /\xe6\x89", b"\x8b HTTP/1.1\r\nHost: a\r\n\r\n"]);
        assert_eq!(split.map(|r| r.url).ok().as_deref(), Some("/\u{624b}"));
        assert_eq!(refused(&[b"GARBAGE\r\n\r\n"]), 400);
        // Nothing complete before the timeout: closed without an answer.
        assert!(matches!(
            head_of(&[b"GET / HTTP/1.1\r\nHost: x\r\n"]),
            Err(NoHead::Gone)
        ));
        assert!(matches!(head_of(&[]), Err(NoHead::Gone)));
    }

    /// A real loopback connection: the server side, and the client side.
    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (server, client)
    }

    /// Answers everything with 64 MB, more than any socket buffers hold.
    struct Big(Arc<Vec<u8>>);

    impl Handler for Big {
        fn respond(&self, _: &Req) -> Reply {
            Reply::Send {
                head: b"HTTP/1.1 200 OK\r\n\r\n".to_vec(),
                body: Some(Body {
                    bytes: Arc::clone(&self.0),
                    range: 0..self.0.len(),
                }),
            }
        }
        fn stream(&self, _: &Req, _: TcpStream) {}
    }

    /// The connection's thread gives up on a client that asked for a large file and reads none of it (before,
    /// such a client held one of eight worker threads for ever).
    #[test]
    fn a_client_that_stops_reading_is_dropped() {
        let (server, mut client) = pair();
        client
            .write_all(b"GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        let limits = Limits {
            write: Duration::from_millis(200),
            ..Limits::default()
        };
        let handler = Big(Arc::new(vec![b'x'; 64 << 20]));
        let (done_tx, done) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            connection(server, &limits, &handler);
            let _ = done_tx.send(());
        });
        // The bound only matters if the test fails: the thread returns after the write timeout.
        done.recv_timeout(Duration::from_secs(60))
            .expect("the connection was not dropped");
        drop(client);
    }
}
