//! Just enough HTTP/1.x to take one request from a client we do not trust.
//!
//! Every read is bounded: the request line and headers together by
//! [`Limits::max_head`], the body by [`Limits::max_body`], each chunk-size
//! line by [`MAX_LINE`]. Nothing is allocated from a size the client states
//! before that size has been checked against the limits. Timeouts are the
//! socket's (set by the caller). One request per connection: every answer
//! says `Connection: close`.

use std::io::{self, BufRead, Read, Write};

/// The longest chunk-size or trailer line accepted, in bytes.
pub(crate) const MAX_LINE: usize = 1024;

/// Size limits for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Request line and headers together, in bytes.
    pub max_head: usize,
    /// The body after de-chunking, in bytes.
    pub max_body: usize,
}

impl Default for Limits {
    /// 16 KiB of head (URLs of a few hundred bytes are what pushes carry) and
    /// 1 MiB of body (about 25 000 status triples).
    fn default() -> Self {
        Limits {
            max_head: 16 * 1024,
            max_body: 1024 * 1024,
        }
    }
}

/// The request line and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Head {
    /// `GET`, `POST`, ... as sent.
    pub method: String,
    /// The request target: path and query, as sent (not decoded).
    pub target: String,
    /// Header names in lower case, values trimmed, in order.
    pub headers: Vec<(String, String)>,
}

impl Head {
    /// The first value of a header, by its lower-case name.
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The query string: what follows the first `?` of the target, or "".
    pub(super) fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }

    /// The client sent `Expect: 100-continue` and waits for a go-ahead.
    pub(super) fn expects_continue(&self) -> bool {
        self.header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    }
}

/// Why a request could not be taken.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The client closed the connection before sending anything.
    Closed,
    /// The request is malformed or too large: answer with this status.
    Refuse {
        /// The HTTP status to answer with.
        status: u16,
        /// What was wrong, for the log and the answer's body.
        reason: String,
    },
    /// The socket failed or timed out; nothing sensible can be answered.
    Io(io::Error),
}

impl ReadError {
    fn refuse(status: u16, reason: impl Into<String>) -> Self {
        ReadError::Refuse {
            status,
            reason: reason.into(),
        }
    }
}

/// Where the body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Length(usize),
    Chunked,
}

/// Read the request line and the headers.
///
/// # Errors
/// [`ReadError::Closed`] on a connection closed before the first byte,
/// [`ReadError::Refuse`] (400, 431, 505) on a malformed or oversized head,
/// [`ReadError::Io`] when the socket fails (a timeout included).
pub(crate) fn read_head<R: BufRead>(r: &mut R, limits: &Limits) -> Result<Head, ReadError> {
    let mut budget = limits.max_head;
    // Tolerate empty lines before the request line (RFC 9112, 2.2).
    let mut line;
    let mut first = true;
    loop {
        line = read_line(r, &mut budget, 431, "the request head")?;
        match line {
            None if first => return Err(ReadError::Closed),
            None => return Err(ReadError::refuse(400, "the request ends in its head")),
            Some(ref l) if l.is_empty() => first = false,
            Some(_) => break,
        }
    }
    let line = line.unwrap_or_default();
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::refuse(400, "malformed request line"));
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ReadError::refuse(400, "malformed request method"));
    }
    if target.is_empty() {
        return Err(ReadError::refuse(400, "empty request target"));
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(ReadError::refuse(
            505,
            "only HTTP/1.0 and HTTP/1.1 are spoken here",
        ));
    }
    let mut headers = Vec::new();
    loop {
        let Some(line) = read_line(r, &mut budget, 431, "the request head")? else {
            return Err(ReadError::refuse(400, "the request ends in its headers"));
        };
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            return Err(ReadError::refuse(
                400,
                "folded header lines are not accepted",
            ));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(ReadError::refuse(400, "a header line without a colon"));
        };
        if name.is_empty() || name.ends_with([' ', '\t']) {
            return Err(ReadError::refuse(400, "malformed header name"));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    Ok(Head {
        method: method.to_string(),
        target: target.to_string(),
        headers,
    })
}

/// Read the body the head announces, de-chunked.
///
/// # Errors
/// [`ReadError::Refuse`] (400, 411, 413, 501) when the framing is malformed,
/// missing for a POST, or larger than the limit; [`ReadError::Io`] when the
/// socket fails or the body ends early.
pub(crate) fn read_body<R: BufRead>(
    r: &mut R,
    head: &Head,
    limits: &Limits,
) -> Result<Vec<u8>, ReadError> {
    match framing(head, limits)? {
        Framing::Length(0) => Ok(Vec::new()),
        Framing::Length(n) => {
            let mut body = vec![0; n];
            r.read_exact(&mut body).map_err(ReadError::Io)?;
            Ok(body)
        }
        Framing::Chunked => read_chunked(r, limits),
    }
}

fn framing(head: &Head, limits: &Limits) -> Result<Framing, ReadError> {
    let lengths: Vec<&str> = head
        .headers
        .iter()
        .filter(|(n, _)| n == "content-length")
        .map(|(_, v)| v.as_str())
        .collect();
    if let Some(te) = head.header("transfer-encoding") {
        if !lengths.is_empty() {
            return Err(ReadError::refuse(
                400,
                "both Content-Length and Transfer-Encoding",
            ));
        }
        if !te.eq_ignore_ascii_case("chunked") {
            return Err(ReadError::refuse(
                501,
                format!("transfer encoding {:?} is not supported", excerpt(te)),
            ));
        }
        return Ok(Framing::Chunked);
    }
    let Some(first) = lengths.first() else {
        // A POST without a length has no body we could find the end of.
        return if head.method == "POST" {
            Err(ReadError::refuse(411, "a POST needs Content-Length"))
        } else {
            Ok(Framing::Length(0))
        };
    };
    if lengths.iter().any(|l| l != first) {
        return Err(ReadError::refuse(400, "conflicting Content-Length headers"));
    }
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ReadError::refuse(400, "malformed Content-Length"));
    }
    match first.parse::<usize>() {
        Ok(n) if n <= limits.max_body => Ok(Framing::Length(n)),
        _ => Err(too_large(limits)),
    }
}

fn too_large(limits: &Limits) -> ReadError {
    ReadError::refuse(
        413,
        format!("the body is larger than {} bytes", limits.max_body),
    )
}

fn read_chunked<R: BufRead>(r: &mut R, limits: &Limits) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let mut budget = MAX_LINE;
        let Some(line) = read_line(r, &mut budget, 400, "a chunk-size line")? else {
            return Err(ReadError::Io(io::ErrorKind::UnexpectedEof.into()));
        };
        let size = line.split(';').next().unwrap_or("").trim();
        if size.is_empty() || size.len() > 8 || !size.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ReadError::refuse(400, "malformed chunk size"));
        }
        let size = usize::from_str_radix(size, 16).map_err(|_| too_large(limits))?;
        if size == 0 {
            break;
        }
        if size > limits.max_body - body.len() {
            return Err(too_large(limits));
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..]).map_err(ReadError::Io)?;
        let mut budget = 2;
        match read_line(r, &mut budget, 400, "the end of a chunk")? {
            Some(l) if l.is_empty() => {}
            _ => return Err(ReadError::refuse(400, "a chunk longer than its size")),
        }
    }
    // Trailers: read and ignore, bounded like the head.
    let mut budget = limits.max_head;
    loop {
        match read_line(r, &mut budget, 431, "the trailers")? {
            Some(l) if l.is_empty() => return Ok(body),
            Some(_) => {}
            None => return Err(ReadError::Io(io::ErrorKind::UnexpectedEof.into())),
        }
    }
}

/// One line ending in LF (a CR before it is dropped), within `budget` bytes
/// (which it reduces). `None` at a clean end of input.
fn read_line<R: BufRead>(
    r: &mut R,
    budget: &mut usize,
    status: u16,
    what: &str,
) -> Result<Option<String>, ReadError> {
    if *budget == 0 {
        return Err(ReadError::refuse(status, format!("{what} is too long")));
    }
    let mut buf = Vec::new();
    let limit = u64::try_from(*budget).unwrap_or(u64::MAX);
    let n = r
        .by_ref()
        .take(limit)
        .read_until(b'\n', &mut buf)
        .map_err(ReadError::Io)?;
    *budget -= n;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') {
        return Err(if *budget == 0 {
            ReadError::refuse(status, format!("{what} is too long"))
        } else {
            ReadError::Io(io::ErrorKind::UnexpectedEof.into())
        });
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| ReadError::refuse(400, format!("{what} is not UTF-8")))
}

/// Write a complete plain-text answer and close the exchange.
///
/// # Errors
/// When the socket fails.
pub(crate) fn respond<W: Write>(
    w: &mut W,
    status: u16,
    extra: &[(&str, &str)],
    body: &str,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    w.write_all(head.as_bytes())?;
    w.write_all(body.as_bytes())?;
    w.flush()
}

/// Tell a client that sent `Expect: 100-continue` to go on.
///
/// # Errors
/// When the socket fails.
pub(crate) fn go_on<W: Write>(w: &mut W) -> io::Result<()> {
    w.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    w.flush()
}

/// The reason phrase of the statuses this module uses.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// A short, printable excerpt of client-supplied text for messages.
pub(crate) fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(60).filter(|c| !c.is_control()).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &str) -> Result<Head, ReadError> {
        read_head(&mut raw.as_bytes(), &Limits::default())
    }

    fn request(raw: &[u8], limits: &Limits) -> Result<(Head, Vec<u8>), ReadError> {
        let mut r = raw;
        let h = read_head(&mut r, limits)?;
        let b = read_body(&mut r, &h, limits)?;
        Ok((h, b))
    }

    fn status_of(e: ReadError) -> u16 {
        match e {
            ReadError::Refuse { status, .. } => status,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_get_with_a_query() {
        let h =
            head("GET /in?userMoblie=1&content=a HTTP/1.1\r\nHost: x\r\nX-A:  b \r\n\r\n").unwrap();
        assert_eq!(h.method, "GET");
        assert_eq!(h.query(), "userMoblie=1&content=a");
        assert_eq!(h.header("host"), Some("x"));
        assert_eq!(h.header("x-a"), Some("b"));
        // Bare LF line ends and leading empty lines are tolerated.
        let h = head("\r\nGET / HTTP/1.0\nHost: y\n\n").unwrap();
        assert_eq!((h.target.as_str(), h.query()), ("/", ""));
    }

    #[test]
    fn bodies_by_length_and_by_chunks() {
        let limits = Limits::default();
        let (_, b) = request(
            b"POST / HTTP/1.1\r\nContent-Length: 6\r\n\r\nargs=1",
            &limits,
        )
        .unwrap();
        assert_eq!(b, b"args=1");
        let raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nargs\r\n2\r\n=1\r\n0\r\nX-T: y\r\n\r\n";
        let (_, b) = request(raw, &limits).unwrap();
        assert_eq!(b, b"args=1");
        let (_, b) = request(b"GET / HTTP/1.1\r\n\r\n", &limits).unwrap();
        assert!(b.is_empty());
    }

    #[test]
    fn closed_before_anything() {
        assert!(matches!(head(""), Err(ReadError::Closed)));
    }

    #[test]
    fn malformed_heads_are_refused_with_400_or_505() {
        for raw in [
            "GET /\r\n\r\n",
            "GET  / HTTP/1.1\r\n\r\n",
            "get / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
            "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nA : b\r\n\r\n",
            "GET / HTTP/1.1\r\nA: b\r\n",
        ] {
            assert_eq!(status_of(head(raw).unwrap_err()), 400, "{raw:?}");
        }
        assert_eq!(status_of(head("GET / HTTP/2.0\r\n\r\n").unwrap_err()), 505);
        let mut bad = b"GET /\xff HTTP/1.1\r\n\r\n".as_slice();
        assert_eq!(
            status_of(read_head(&mut bad, &Limits::default()).unwrap_err()),
            400
        );
    }

    #[test]
    fn sizes_are_checked_before_anything_is_allocated() {
        let small = Limits {
            max_head: 64,
            max_body: 10,
        };
        let long_target = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(100));
        assert_eq!(
            status_of(read_head(&mut long_target.as_bytes(), &small).unwrap_err()),
            431
        );
        let many_headers = format!("GET / HTTP/1.1\r\n{}\r\n", "A: b\r\n".repeat(20));
        assert_eq!(
            status_of(read_head(&mut many_headers.as_bytes(), &small).unwrap_err()),
            431
        );
        // A stated length far beyond the limit is refused without reading it.
        let huge = b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n";
        assert_eq!(status_of(request(huge, &small).unwrap_err()), 413);
        let over = b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n01234567890";
        assert_eq!(status_of(request(over, &small).unwrap_err()), 413);
        let chunks = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n6\r\n012345\r\n0\r\n\r\n";
        assert_eq!(status_of(request(chunks, &small).unwrap_err()), 413);
        let big_chunk = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\n";
        assert_eq!(status_of(request(big_chunk, &small).unwrap_err()), 413);
    }

    #[test]
    fn framing_errors() {
        let l = Limits::default();
        let cases: [(&[u8], u16); 6] = [
            (b"POST / HTTP/1.1\r\n\r\n", 411),
            (
                b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
                400,
            ),
            (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
            (
                b"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                400,
            ),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
            (
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
                400,
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(
                status_of(request(raw, &l).unwrap_err()),
                want,
                "{:?}",
                String::from_utf8_lossy(raw)
            );
        }
        // A body shorter than its length is a socket-level failure, not a refusal.
        let short = b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc";
        assert!(matches!(request(short, &l), Err(ReadError::Io(_))));
    }

    #[test]
    fn answers_are_complete() {
        let mut out = Vec::new();
        respond(&mut out, 405, &[("Allow", "GET, POST")], "no").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Length: 2\r\nConnection: close\r\nAllow: GET, POST\r\n\r\nno"
        );
        assert_eq!(excerpt("a\u{7}b"), "ab");
        assert!(excerpt(&"x".repeat(100)).ends_with('…'));
    }
}
