//! A small HTTP server for the provider's pushes to the partner's own URLs:
//! status reports (section 2) and inbound messages and key presses
//! (section 4).
//!
//! What it does with a request:
//! - the client's address must be in [`ReceiverOptions::allow`] when that
//!   list is not empty (403 otherwise): the pushes carry no credentials, so
//!   limiting them to the provider's addresses is the only check there is;
//! - `GET` and `POST` only (405 otherwise); one request per connection; a
//!   bare `GET` (no query) is answered 200 with [`ReceiverOptions::ready`]
//!   and not reported, for browsers and health checks;
//! - the query and the body are read within [`Limits`] and the socket
//!   timeout, then classified by their parameters, not by the path (so one
//!   URL can serve both pushes): see [`classify`];
//! - a push is handed to the caller's handler *before* the answer goes out;
//!   only when the handler succeeds does the provider get 200. When the
//!   handler fails (a full disk, a closed pipe), the provider gets 500, so it
//!   can push again, and [`Receiver::serve`] returns the error. A push can
//!   therefore arrive twice (the provider pushes again after a lost answer):
//!   de-duplicate on `(key, phone, status)` downstream;
//! - anything else gets a 4xx/5xx answer and is reported to the handler as
//!   [`Event::Refused`].
//!
//! ```no_run
//! use voxprep::provider::receiver::{Event, Receiver, ReceiverOptions};
//! let receiver = Receiver::bind("127.0.0.1:8080", ReceiverOptions::default())?;
//! receiver.serve(|event| {
//!     if let Event::Push { push, .. } = event {
//!         println!("{push:?}");
//!     }
//!     Ok(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```

mod http;

pub use super::push::{Push, classify};
pub use http::Limits;

use http::ReadError;
use std::io::{self, BufReader, Read};
use std::net::{
    IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs,
};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the receiver treats clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverOptions {
    /// Only these client addresses are served; empty serves everyone.
    pub allow: Vec<IpAddr>,
    /// The time a client has to send its whole request (and the write
    /// timeout of the answer).
    pub timeout: Duration,
    /// Connections served at once; more get 503 at once.
    pub max_connections: usize,
    /// Size limits of one request.
    pub limits: Limits,
    /// The body of the answer to an accepted push (the document leaves it to
    /// the partner), without the line end the answer adds.
    pub reply: String,
    /// The body of the answer to a bare `GET` (a browser, a health check),
    /// without the line end the answer adds.
    pub ready: String,
}

impl Default for ReceiverOptions {
    /// Everyone, 10 s, 32 connections, [`Limits::default`], reply `ok`,
    /// ready `ready for status reports and inbound pushes`.
    fn default() -> Self {
        ReceiverOptions {
            allow: Vec::new(),
            timeout: Duration::from_secs(10),
            max_connections: 32,
            limits: Limits::default(),
            reply: "ok".into(),
            ready: "ready for status reports and inbound pushes".into(),
        }
    }
}

/// What happened to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A push was read; it is answered 200 once the handler returns `Ok`.
    Push {
        /// The client's address.
        from: SocketAddr,
        /// What it carried.
        push: Push,
    },
    /// The request was answered with an error status.
    Refused {
        /// The client's address.
        from: SocketAddr,
        /// The HTTP status sent (0 when the connection failed before an
        /// answer could be sent, e.g. a timeout).
        status: u16,
        /// Why, in a sentence.
        reason: String,
    },
}

/// A bound listener, ready to [`serve`](Receiver::serve).
#[derive(Debug)]
pub struct Receiver {
    listener: TcpListener,
    options: ReceiverOptions,
    stop: StopHandle,
}

/// Stops a running [`Receiver::serve`] from another thread.
#[derive(Debug, Clone)]
pub struct StopHandle {
    stopped: Arc<AtomicBool>,
    wake: SocketAddr,
}

impl StopHandle {
    /// Ask the receiver to stop: it finishes the requests in progress and
    /// `serve` returns `Ok`.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        // `accept` blocks; a connection of our own wakes it up.
        let _ = TcpStream::connect_timeout(&self.wake, Duration::from_secs(1));
    }

    fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }
}

impl Receiver {
    /// Listen on `addr` (port 0 picks a free port; see [`Receiver::local_addr`]).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub fn bind(addr: impl ToSocketAddrs, options: ReceiverOptions) -> io::Result<Receiver> {
        let listener = TcpListener::bind(addr)?;
        let local = listener.local_addr()?;
        let wake_ip = match local.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        Ok(Receiver {
            listener,
            options,
            stop: StopHandle {
                stopped: Arc::new(AtomicBool::new(false)),
                wake: SocketAddr::new(wake_ip, local.port()),
            },
        })
    }

    /// The address actually bound.
    ///
    /// # Errors
    /// When the socket cannot tell.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// A handle that stops [`Receiver::serve`].
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Serve until stopped or until `handler` fails. Each connection gets a
    /// thread of its own, up to [`ReceiverOptions::max_connections`];
    /// `handler` is called from those threads, one call at a time.
    ///
    /// # Errors
    /// The first error `handler` returned, or a failure of the listener.
    pub fn serve<F>(&self, handler: F) -> io::Result<()>
    where
        F: FnMut(&Event) -> io::Result<()> + Send,
    {
        let handler = Mutex::new(handler);
        let failure: Mutex<Option<io::Error>> = Mutex::new(None);
        let active = AtomicUsize::new(0);
        std::thread::scope(|scope| -> io::Result<()> {
            for conn in self.listener.incoming() {
                if self.stop.is_stopped() {
                    break;
                }
                let stream = match conn {
                    Ok(s) => s,
                    // A client that gave up between SYN and accept, or a
                    // momentary shortage of descriptors: go on.
                    Err(e) if is_transient(&e) => continue,
                    Err(e) => {
                        self.stop.stopped.store(true, Ordering::SeqCst);
                        return Err(e);
                    }
                };
                if active.fetch_add(1, Ordering::SeqCst) >= self.options.max_connections {
                    active.fetch_sub(1, Ordering::SeqCst);
                    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
                    let _ = http::respond(&mut &stream, 503, &[], "busy, push again later\n");
                    continue;
                }
                let (handler, failure, active, stop) = (&handler, &failure, &active, &self.stop);
                let options = &self.options;
                scope.spawn(move || {
                    let call = |event: &Event| -> io::Result<()> {
                        let mut h = handler.lock().unwrap_or_else(|p| p.into_inner());
                        (*h)(event)
                    };
                    if let Err(e) = serve_one(stream, options, call) {
                        let mut f = failure.lock().unwrap_or_else(|p| p.into_inner());
                        f.get_or_insert(e);
                        drop(f);
                        stop.stop();
                    }
                    active.fetch_sub(1, Ordering::SeqCst);
                });
            }
            Ok(())
        })?;
        match failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    ) || e.raw_os_error().is_some_and(|c| c == 23 || c == 24) // ENFILE, EMFILE
}

/// Take one request from `stream` and answer it. Errors are the handler's
/// only; a misbehaving client is an [`Event::Refused`].
fn serve_one<F>(stream: TcpStream, options: &ReceiverOptions, mut handler: F) -> io::Result<()>
where
    F: FnMut(&Event) -> io::Result<()>,
{
    let Ok(from) = stream.peer_addr() else {
        return Ok(());
    };
    if stream.set_read_timeout(Some(options.timeout)).is_err()
        || stream.set_write_timeout(Some(options.timeout)).is_err()
    {
        return Ok(());
    }
    let mut writer = &stream;
    let mut reader = BufReader::new(Deadline {
        stream: &stream,
        at: Instant::now() + options.timeout,
    });
    let refuse = |status: u16, reason: String| Event::Refused {
        from,
        status,
        reason,
    };
    let head = match http::read_head(&mut reader, &options.limits) {
        Ok(h) => h,
        Err(ReadError::Closed) => return Ok(()),
        Err(ReadError::Refuse { status, reason }) => {
            let _ = http::respond(&mut writer, status, &[], &format!("{reason}\n"));
            linger(&stream);
            return handler(&refuse(status, reason));
        }
        Err(ReadError::Io(e)) => return handler(&refuse(0, io_reason(&e, "head"))),
    };
    if !options.allow.is_empty() && !options.allow.contains(&canonical(from.ip())) {
        let _ = http::respond(&mut writer, 403, &[], "not an allowed address\n");
        linger(&stream);
        return handler(&refuse(
            403,
            format!("{} is not in the allow list", from.ip()),
        ));
    }
    if head.method != "GET" && head.method != "POST" {
        let _ = http::respond(&mut writer, 405, &[("Allow", "GET, POST")], "GET or POST\n");
        linger(&stream);
        return handler(&refuse(
            405,
            format!("method {} is not GET or POST", http::excerpt(&head.method)),
        ));
    }
    if head.expects_continue() {
        let _ = http::go_on(&mut writer);
    }
    let body = match http::read_body(&mut reader, &head, &options.limits) {
        Ok(b) => b,
        Err(ReadError::Refuse { status, reason }) => {
            let _ = http::respond(&mut writer, status, &[], &format!("{reason}\n"));
            linger(&stream);
            return handler(&refuse(status, reason));
        }
        Err(ReadError::Closed) => return Ok(()),
        Err(ReadError::Io(e)) => return handler(&refuse(0, io_reason(&e, "body"))),
    };
    // A bare GET (a browser, a load balancer's health check) carries no
    // push: say what is here, and report nothing.
    if head.method == "GET" && head.query().is_empty() && body.is_empty() {
        let _ = http::respond(&mut writer, 200, &[], &format!("{}\n", options.ready));
        return Ok(());
    }
    match classify(head.query(), &body) {
        Ok(push) => {
            let outcome = handler(&Event::Push { from, push });
            let (status, text) = match &outcome {
                Ok(()) => (200, format!("{}\n", options.reply)),
                Err(_) => (500, "could not record the push; push again\n".to_string()),
            };
            let _ = http::respond(&mut writer, status, &[], &text);
            outcome
        }
        Err(e) => {
            let reason = e.to_string();
            let reason = reason
                .strip_prefix("provider: ")
                .unwrap_or(&reason)
                .to_string();
            let _ = http::respond(&mut writer, 400, &[], &format!("{reason}\n"));
            handler(&refuse(400, reason))
        }
    }
}

/// One request read from `bytes` as [`Receiver`] reads it from a socket:
/// its method, target and de-chunked body, or the status it is refused with
/// (`0`: the bytes end early). The entry point of the fuzz target `http`
/// and its regression test.
///
/// # Errors
/// The refusal's status and reason.
#[doc(hidden)]
pub fn read_request(
    bytes: &[u8],
    limits: &Limits,
) -> Result<(String, String, Vec<u8>), (u16, String)> {
    let mut r = bytes;
    let refused = |e: ReadError| match e {
        ReadError::Closed => (0, "closed".to_string()),
        ReadError::Refuse { status, reason } => (status, reason),
        ReadError::Io(e) => (0, e.to_string()),
    };
    let head = http::read_head(&mut r, limits).map_err(refused)?;
    let body = http::read_body(&mut r, &head, limits).map_err(refused)?;
    Ok((head.method, head.target, body))
}

/// After an early answer, the client may still be sending what we did not
/// read; closing now would reset the connection and could destroy the answer
/// before the client reads it. So: end our side, then read and drop what
/// still comes, at most [`LINGER_BYTES`] for at most [`LINGER_TIME`].
fn linger(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let mut rest = Deadline {
        stream,
        at: Instant::now() + LINGER_TIME,
    };
    let _ = io::copy(&mut rest.by_ref().take(LINGER_BYTES), &mut io::sink());
}

/// How much unread request [`linger`] drops before closing.
const LINGER_BYTES: u64 = 256 * 1024;
/// How long [`linger`] waits for the client to finish sending.
const LINGER_TIME: Duration = Duration::from_secs(1);

/// Reads from a socket until a fixed instant: the timeout bounds the whole
/// request, not each read, so a client trickling a byte at a time cannot
/// hold a connection for longer than [`ReceiverOptions::timeout`].
struct Deadline<'a> {
    stream: &'a TcpStream,
    at: Instant,
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

/// An IPv4 client on a dual-stack socket shows as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn io_reason(e: &io::Error, part: &str) -> String {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            format!("timed out waiting for the request {part}")
        }
        io::ErrorKind::UnexpectedEof => format!("the connection closed in the request {part}"),
        _ => format!("the connection failed in the request {part}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::StatusCode;
    use std::io::{Read, Write};

    /// A receiver serving on a free port, with what it saw.
    struct Running {
        addr: SocketAddr,
        stop: StopHandle,
        seen: Arc<Mutex<Vec<Event>>>,
        thread: std::thread::JoinHandle<io::Result<()>>,
    }

    /// Start a receiver whose handler records every event and, when asked,
    /// fails on pushes.
    fn start(options: ReceiverOptions, fail_on_push: bool) -> Running {
        let r = Receiver::bind("127.0.0.1:0", options).unwrap();
        let addr = r.local_addr().unwrap();
        let stop = r.stop_handle();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let seen2 = Arc::clone(&seen);
        let thread = std::thread::spawn(move || {
            r.serve(move |e| {
                seen2.lock().unwrap().push(e.clone());
                match e {
                    Event::Push { .. } if fail_on_push => Err(io::Error::other("disk full")),
                    _ => Ok(()),
                }
            })
        });
        Running {
            addr,
            stop,
            seen,
            thread,
        }
    }

    fn exchange(addr: SocketAddr, raw: &[u8]) -> String {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(raw).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }

    #[test]
    fn serves_both_pushes_and_refuses_the_rest() {
        let Running {
            addr,
            stop,
            seen,
            thread: t,
        } = start(ReceiverOptions::default(), false);
        let a = exchange(
            addr,
            b"POST /status HTTP/1.1\r\nContent-Length: 22\r\n\r\nargs=k1,13800138000,0;",
        );
        assert!(
            a.starts_with("HTTP/1.1 200 OK\r\n") && a.ends_with("\r\n\r\nok\n"),
            "{a}"
        );
        let b = exchange(
            addr,
            b"GET /in?userMoblie=1&content=%E6%B5%8B&cpMoblie=2 HTTP/1.1\r\n\r\n",
        );
        assert!(b.starts_with("HTTP/1.1 200"), "{b}");
        let ready = exchange(addr, b"GET /health HTTP/1.1\r\n\r\n");
        assert!(
            ready.starts_with("HTTP/1.1 200")
                && ready.ends_with("\r\n\r\nready for status reports and inbound pushes\n"),
            "{ready}"
        );
        let c = exchange(addr, b"GET /?x=1 HTTP/1.1\r\n\r\n");
        assert!(
            c.starts_with("HTTP/1.1 400") && c.contains("neither"),
            "{c}"
        );
        let d = exchange(addr, b"DELETE / HTTP/1.1\r\n\r\n");
        assert!(
            d.starts_with("HTTP/1.1 405") && d.contains("Allow: GET, POST"),
            "{d}"
        );
        stop.stop();
        t.join().unwrap().unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 4, "{seen:?}");
        let Event::Push {
            push: Push::Status(r),
            ..
        } = &seen[0]
        else {
            panic!("{:?}", seen[0])
        };
        assert_eq!((r[0].key.as_str(), r[0].status), ("k1", StatusCode(0)));
        assert!(
            matches!(&seen[1], Event::Push { push: Push::Inbound(m), .. } if m.content == "测")
        );
        assert!(matches!(&seen[2], Event::Refused { status: 400, .. }));
        assert!(matches!(&seen[3], Event::Refused { status: 405, .. }));
    }

    #[test]
    fn a_failing_handler_answers_500_and_stops_the_server() {
        let Running {
            addr, thread: t, ..
        } = start(ReceiverOptions::default(), true);
        let a = exchange(addr, b"GET /?args=k,1,0; HTTP/1.1\r\n\r\n");
        assert!(a.starts_with("HTTP/1.1 500"), "{a}");
        let err = t.join().unwrap().unwrap_err();
        assert_eq!(err.to_string(), "disk full");
    }

    #[test]
    fn clients_outside_the_allow_list_are_refused() {
        let options = ReceiverOptions {
            allow: vec!["192.0.2.1".parse().unwrap()],
            ..ReceiverOptions::default()
        };
        let Running {
            addr,
            stop,
            seen,
            thread: t,
        } = start(options, false);
        let a = exchange(addr, b"GET /?args=k,1,0; HTTP/1.1\r\n\r\n");
        assert!(a.starts_with("HTTP/1.1 403"), "{a}");
        stop.stop();
        t.join().unwrap().unwrap();
        assert!(matches!(
            &seen.lock().unwrap()[0],
            Event::Refused { status: 403, .. }
        ));
    }

    #[test]
    fn a_silent_client_times_out_without_holding_the_others() {
        let r = start_timing_out(Duration::from_millis(300));
        let (addr, stop, seen) = (r.addr, r.stop, r.seen);
        let mut silent = TcpStream::connect(addr).unwrap();
        silent.write_all(b"GET /?args=k,1,0; HTTP/1.1\r\n").unwrap();
        // Served while the silent client still holds its connection.
        let a = exchange(addr, b"GET /?args=k,1,0; HTTP/1.1\r\n\r\n");
        assert!(a.starts_with("HTTP/1.1 200"), "{a}");
        let mut rest = String::new();
        let _ = silent.read_to_string(&mut rest);
        assert_eq!(rest, "", "a timed-out client gets no answer");
        stop.stop();
        r.thread.join().unwrap().unwrap();
        assert_timed_out(&seen.lock().unwrap());
    }

    fn start_timing_out(timeout: Duration) -> Running {
        let options = ReceiverOptions {
            timeout,
            ..ReceiverOptions::default()
        };
        start(options, false)
    }

    /// One of the events is a connection dropped for its timeout.
    fn assert_timed_out(seen: &[Event]) {
        assert!(
            seen.iter().any(|e| matches!(e, Event::Refused { status: 0, reason, .. } if reason.contains("timed out"))),
            "{seen:?}"
        );
    }

    #[test]
    fn the_timeout_bounds_the_whole_request_not_each_read() {
        let r = start_timing_out(Duration::from_millis(400));
        let (addr, stop, seen) = (r.addr, r.stop, r.seen);
        let mut trickle = TcpStream::connect(addr).unwrap();
        let started = std::time::Instant::now();
        // A byte every 50 ms: each read is quick, the request never ends.
        for b in b"GET /?args=k,1,0;k,2,0;k,3,0;k,4,0; HTTP/1.1\r\n"
            .iter()
            .cycle()
        {
            if trickle.write_all(&[*b]).is_err() || started.elapsed() > Duration::from_secs(5) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
            if !seen.lock().unwrap().is_empty() {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        stop.stop();
        r.thread.join().unwrap().unwrap();
        assert_timed_out(&seen.lock().unwrap());
    }

    #[test]
    fn connections_beyond_the_limit_get_503() {
        let options = ReceiverOptions {
            max_connections: 1,
            timeout: Duration::from_secs(5),
            ..ReceiverOptions::default()
        };
        let Running {
            addr, stop, thread, ..
        } = start(options, false);
        let mut holder = TcpStream::connect(addr).unwrap();
        holder.write_all(b"GET /?args=k,1,0; HTTP/1.1\r\n").unwrap();
        // Connections are accepted in the order they were made, and the
        // count is taken when one is accepted, not when its thread starts:
        // the holder's connection counts before the next one is looked at.
        let busy = exchange(addr, b"GET /?args=k,1,0; HTTP/1.1\r\n\r\n");
        assert!(busy.starts_with("HTTP/1.1 503"), "{busy}");
        holder.write_all(b"\r\n").unwrap();
        let mut answer = String::new();
        holder.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        stop.stop();
        thread.join().unwrap().unwrap();
    }

    #[test]
    fn expect_continue_gets_a_go_ahead() {
        let Running {
            addr,
            stop,
            thread: t,
            ..
        } = start(ReceiverOptions::default(), false);
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"POST / HTTP/1.1\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n")
            .unwrap();
        let mut first = [0u8; 25];
        s.read_exact(&mut first).unwrap();
        assert_eq!(&first, b"HTTP/1.1 100 Continue\r\n\r\n");
        s.write_all(b"args=k,1,0").unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        stop.stop();
        t.join().unwrap().unwrap();
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    }

    #[test]
    fn ipv4_mapped_addresses_match_ipv4_entries() {
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(canonical(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(canonical(v6), v6);
    }
}
