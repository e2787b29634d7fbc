//! The accept loop and one request, on hyper's HTTP/1 server and tokio.
//!
//! A connection takes a slot (a semaphore permit) *before* it is accepted
//! and holds it to its end, so slots count sockets, idle ones included.
//! hyper reads the head within [`Limits::max_head`] and the header timeout
//! (431, 400 or a closed connection), and answers `Expect: 100-continue`;
//! the body is read here, bounded in size and by the request's deadline.

use super::report::Reports;
use super::{DRAIN_TIME, Event, Limits, ReceiverOptions, StopHandle, canonical, classify};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Bytes, Incoming};
use hyper::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use hyper::server::conn::http1;
use hyper::{Method, Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The handler a push is given to.
pub(super) type Handler = dyn Fn(Event) -> io::Result<()> + Send + Sync;

/// Connections accepted beyond [`ReceiverOptions::max_connections`] only to
/// be answered 503 once their request is read.
const BUSY_SLOTS: usize = 64;
/// The time a connection answered 503 has to send its request.
const BUSY_TIMEOUT: Duration = Duration::from_secs(1);
/// After a body larger than the limit, how much more is read (and dropped)
/// so that the client sees the 413 rather than a reset, and for how long.
const LINGER_BYTES: usize = 256 * 1024;
const LINGER_TIME: Duration = Duration::from_secs(1);

/// The first error of the handler, and the stop it causes.
pub(super) struct Failure {
    first: Mutex<Option<io::Error>>,
    stop: StopHandle,
}

impl Failure {
    pub(super) fn new(stop: StopHandle) -> Failure {
        Failure {
            first: Mutex::new(None),
            stop,
        }
    }

    /// Keep `e` if it is the first, and stop the server.
    pub(super) fn set(&self, e: io::Error) {
        self.first
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(e);
        self.stop.stop();
    }

    pub(super) fn take(&self) -> Option<io::Error> {
        self.first.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// What every connection task shares.
pub(super) struct Shared {
    pub(super) options: ReceiverOptions,
    pub(super) handler: Arc<Handler>,
    pub(super) failure: Arc<Failure>,
    pub(super) reports: Arc<Reports>,
}

impl Shared {
    fn refused(&self, from: SocketAddr, status: u16, reason: String) {
        self.reports.send(Event::Refused {
            from,
            status,
            reason,
        });
    }
}

/// A connection's slot: served, or only answered 503.
enum Slot {
    Serve(#[allow(dead_code)] OwnedSemaphorePermit), // held, never read
    Busy(#[allow(dead_code)] OwnedSemaphorePermit),  // held, never read
}

/// Accept and serve until `stop`, then let the requests in progress finish
/// (for at most [`DRAIN_TIME`]).
pub(super) async fn run(
    listener: TcpListener,
    shared: Arc<Shared>,
    stop: StopHandle,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(shared.options.max_connections.max(1)));
    let busy_slots = Arc::new(Semaphore::new(BUSY_SLOTS));
    let serving = builder(&shared.options.limits, shared.options.timeout);
    let busy = builder(
        &shared.options.limits,
        shared.options.timeout.min(BUSY_TIMEOUT),
    );
    let graceful = GracefulShutdown::new();
    let mut stopped = stop.stopped.subscribe();
    let outcome = loop {
        if stop.is_stopped() {
            break Ok(());
        }
        let slot = tokio::select! {
            biased;
            _ = stopped.changed() => continue,
            p = Arc::clone(&slots).acquire_owned() => p.map(Slot::Serve),
            p = Arc::clone(&busy_slots).acquire_owned() => p.map(Slot::Busy),
        };
        // The semaphores are never closed.
        let Ok(slot) = slot else { break Ok(()) };
        let (stream, from) = tokio::select! {
            biased;
            _ = stopped.changed() => continue,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) if is_transient(&e) => {
                    // Out of descriptors: let connections end before the next try.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
                Err(e) => break Err(e),
            },
        };
        let allow = &shared.options.allow;
        if !allow.is_empty() && !allow.contains(&canonical(from.ip())) {
            drop(stream);
            shared.refused(
                from,
                0,
                format!("{} is not in the allow list: closed unread", from.ip()),
            );
            continue;
        }
        // A slot may have come free while this one waited in accept.
        let slot = match slot {
            Slot::Busy(b) => match Arc::clone(&slots).try_acquire_owned() {
                Ok(p) => {
                    drop(b);
                    Slot::Serve(p)
                }
                Err(_) => Slot::Busy(b),
            },
            serve => serve,
        };
        let is_busy = matches!(slot, Slot::Busy(_));
        let timeout = if is_busy {
            shared.options.timeout.min(BUSY_TIMEOUT)
        } else {
            shared.options.timeout
        };
        let deadline = Instant::now() + timeout;
        let task_shared = Arc::clone(&shared);
        let service = hyper::service::service_fn(move |request| {
            let shared = Arc::clone(&task_shared);
            async move {
                let answer = answer(request, from, is_busy, deadline, &shared).await;
                Ok::<_, Infallible>(answer)
            }
        });
        let http = if is_busy { &busy } else { &serving };
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let _slot = slot;
            if let Err(e) = connection.await {
                let (status, reason) = connection_error(&e);
                shared.refused(from, status, reason);
            }
        });
    };
    drop(listener);
    let _ = tokio::time::timeout(DRAIN_TIME, graceful.shutdown()).await;
    outcome
}

/// hyper's HTTP/1 server as we use it: one request per connection, the
/// head bounded in size and time.
fn builder(limits: &Limits, timeout: Duration) -> http1::Builder {
    let mut b = http1::Builder::new();
    b.timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .max_header_size(limits.max_head)
        .keep_alive(false)
        .title_case_headers(true)
        .half_close(false);
    b
}

/// How a connection ended without our answer, for [`Event::Refused`]:
/// hyper answered a malformed or oversized head itself.
fn connection_error(e: &hyper::Error) -> (u16, String) {
    if e.is_parse_too_large() {
        (431, "the request head is too long".into())
    } else if e.is_parse() {
        (400, format!("malformed request head: {e}"))
    } else if e.is_timeout() {
        (0, "timed out waiting for the request head".into())
    } else if e.is_incomplete_message() {
        (0, "the connection closed in the request head".into())
    } else {
        (0, format!("the connection failed: {e}"))
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

type Answer = Response<Full<Bytes>>;

fn text(status: u16, body: String) -> Answer {
    let mut answer = Response::new(Full::new(Bytes::from(body)));
    *answer.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    answer.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    answer
}

/// Answer `status` with `reason` and report it.
fn refuse(shared: &Shared, from: SocketAddr, status: u16, reason: String) -> Answer {
    let answer = text(status, format!("{reason}\n"));
    shared.refused(from, status, reason);
    answer
}

/// Read and answer one request.
async fn answer(
    request: Request<Incoming>,
    from: SocketAddr,
    busy: bool,
    deadline: Instant,
    shared: &Shared,
) -> Answer {
    let (head, body) = request.into_parts();
    let framed =
        head.headers.contains_key(CONTENT_LENGTH) || head.headers.contains_key(TRANSFER_ENCODING);
    // A POST without a length has no body we could find the end of.
    if head.method == Method::POST && !framed {
        return refuse(shared, from, 411, "a POST needs Content-Length".into());
    }
    // The body is read before any answer, refusals included: closing with
    // unread bytes would reset the connection and lose the answer.
    let max_body = shared.options.limits.max_body;
    let body = tokio::time::timeout_at(deadline, read_body(body, max_body)).await;
    if busy {
        return refuse(shared, from, 503, "busy, push again later".into());
    }
    if head.method != Method::GET && head.method != Method::POST {
        let method: String = head.method.as_str().chars().take(60).collect();
        let mut answer = refuse(
            shared,
            from,
            405,
            format!("method {} is not GET or POST", method.escape_debug()),
        );
        answer
            .headers_mut()
            .insert(ALLOW, hyper::header::HeaderValue::from_static("GET, POST"));
        *answer.body_mut() = Full::new(Bytes::from_static(b"GET or POST\n"));
        return answer;
    }
    let body = match body {
        Err(_) => {
            let reason = "timed out waiting for the request body".into();
            return refuse(shared, from, 408, reason);
        }
        Ok(Err(BodyError::TooLarge)) => {
            let reason = format!("the body is larger than {max_body} bytes");
            return refuse(shared, from, 413, reason);
        }
        Ok(Err(BodyError::Failed(e))) => {
            // No one is left to read an answer.
            shared.refused(
                from,
                0,
                format!("the connection failed in the request body: {e}"),
            );
            return text(400, String::new());
        }
        Ok(Ok(body)) => body,
    };
    let query = head.uri.query().unwrap_or("");
    // A bare GET (a browser, a load balancer's health check) carries no
    // push: say what is here, and report nothing.
    if head.method == Method::GET && query.is_empty() && body.is_empty() {
        return text(200, format!("{}\n", shared.options.ready));
    }
    match classify(query, &body) {
        Ok(push) => {
            let handler = Arc::clone(&shared.handler);
            let event = Event::Push { from, push };
            let outcome = match tokio::task::spawn_blocking(move || handler(event)).await {
                Ok(outcome) => outcome,
                Err(e) => Err(io::Error::other(format!(
                    "receiver: the push handler failed: {e}"
                ))),
            };
            match outcome {
                Ok(()) => text(200, format!("{}\n", shared.options.reply)),
                Err(e) => {
                    shared.failure.set(e);
                    text(500, "could not record the push; push again\n".into())
                }
            }
        }
        Err(e) => {
            let reason = e.to_string();
            let reason = reason
                .strip_prefix("provider: ")
                .unwrap_or(&reason)
                .to_string();
            refuse(shared, from, 400, reason)
        }
    }
}

enum BodyError {
    TooLarge,
    Failed(hyper::Error),
}

/// The whole body, at most `max` bytes. A stated length beyond `max` is
/// refused unread; a chunked body that grows beyond it is read a little
/// further (and dropped) so that the answer is not lost to a reset.
async fn read_body(mut body: Incoming, max: usize) -> Result<Vec<u8>, BodyError> {
    if body.size_hint().lower() > max as u64 {
        return Err(BodyError::TooLarge);
    }
    let mut data = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(BodyError::Failed)?;
        let Ok(chunk) = frame.into_data() else {
            continue; // trailers
        };
        if chunk.len() > max - data.len() {
            let _ = tokio::time::timeout(LINGER_TIME, async {
                let mut dropped = 0;
                while dropped < LINGER_BYTES {
                    match body.frame().await {
                        Some(Ok(f)) => dropped += f.data_ref().map_or(0, Bytes::len),
                        _ => break,
                    }
                }
            })
            .await;
            return Err(BodyError::TooLarge);
        }
        data.extend_from_slice(&chunk);
    }
    Ok(data)
}
