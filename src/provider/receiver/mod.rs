//! A small HTTP server for the provider's pushes to the partner's own URLs:
//! status reports (section 2) and inbound messages and key presses
//! (section 4), on hyper 1 and tokio (docs/receiver.md has the design and
//! its measurements).
//!
//! What it does with a connection and its request:
//! - the client's address must be in [`ReceiverOptions::allow`] when that
//!   list is not empty: the pushes carry no credentials, so limiting them to
//!   the provider's addresses is the only check there is. A client outside
//!   the list is closed as soon as it is accepted, before a byte is read, so
//!   it never holds one of the [`ReceiverOptions::max_connections`] slots;
//!   it is reported as [`Event::Refused`] with status 0;
//! - a connection takes a slot before it is accepted; when all are taken, a
//!   few more connections are accepted to be answered 503 (after their
//!   request is read, so the client sees the answer, not a reset), and the
//!   rest wait in the listen backlog;
//! - `GET` and `POST` only (405 otherwise); one request per connection; a
//!   bare `GET` (no query) is answered 200 with [`ReceiverOptions::ready`]
//!   and not reported, for browsers and health checks;
//! - the head and the body are read within [`Limits`] and within
//!   [`ReceiverOptions::timeout`] from the connection's start (a client that
//!   sends nothing, or trickles its head, is closed; one that trickles its
//!   body gets 408), then classified by their parameters, not by the path
//!   (so one URL can serve both pushes): see [`classify`];
//! - a push is handed to the caller's handler, on a thread where it may
//!   block (until a line is synced, a row committed), *before* the answer
//!   goes out; only when the handler succeeds does the provider get 200.
//!   When the handler fails (a full disk, a closed pipe), the provider gets
//!   500, so it can push again, the server stops and [`Receiver::serve`]
//!   returns the error. A push can therefore arrive twice (the provider
//!   pushes again after a lost answer): de-duplicate on `(key, phone,
//!   status)` downstream;
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

mod report;
mod serve;
#[cfg(test)]
mod tests;

pub use super::push::{Push, classify};

use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpSocket};
use tokio::runtime::Runtime;
use tokio::sync::watch;

/// Size limits for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Request line and headers together, in bytes (431 beyond).
    pub max_head: usize,
    /// The body after de-chunking, in bytes (413 beyond).
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

/// How the receiver treats clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverOptions {
    /// Only these client addresses are served; empty serves everyone.
    pub allow: Vec<IpAddr>,
    /// The time a client has to send its whole request, from the moment its
    /// connection is accepted.
    pub timeout: Duration,
    /// Connections served at once. A few more are answered 503; the rest
    /// wait to be accepted.
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
    /// The request was answered with an error status, or the connection
    /// closed without an answer.
    Refused {
        /// The client's address.
        from: SocketAddr,
        /// The HTTP status sent (0 when no answer was sent: a client outside
        /// the allow list, a timeout in the head, a connection that failed).
        status: u16,
        /// Why, in a sentence.
        reason: String,
    },
}

/// The longest a stop waits for the requests in progress.
pub const DRAIN_TIME: Duration = Duration::from_secs(10);

/// The listen backlog: connections the kernel holds while every slot is
/// taken (the default of `TcpListener::bind` is 128).
const BACKLOG: u32 = 1024;

/// A bound listener, ready to [`serve`](Receiver::serve).
#[derive(Debug)]
pub struct Receiver {
    runtime: Runtime,
    listener: TcpListener,
    options: ReceiverOptions,
    stop: StopHandle,
}

/// Stops a running [`Receiver::serve`] from another thread (a signal
/// handler's, say).
#[derive(Debug, Clone)]
pub struct StopHandle {
    stopped: Arc<watch::Sender<bool>>,
}

impl StopHandle {
    /// Ask the receiver to stop: it accepts no more connections, finishes
    /// the requests in progress (for at most [`DRAIN_TIME`]) and `serve`
    /// returns.
    pub fn stop(&self) {
        self.stopped.send_replace(true);
    }

    fn is_stopped(&self) -> bool {
        *self.stopped.borrow()
    }
}

impl Receiver {
    /// Listen on `addr` (port 0 picks a free port; see [`Receiver::local_addr`]).
    ///
    /// # Errors
    /// When the address cannot be resolved or bound.
    pub fn bind(addr: impl ToSocketAddrs, options: ReceiverOptions) -> io::Result<Receiver> {
        // One thread for the connections: as fast as two workers under load
        // and a little smaller (docs/receiver.md). The handler runs on the
        // blocking pool either way.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .thread_name("voxprep-receive")
            .enable_io()
            .enable_time()
            .build()?;
        let listener = {
            let _inside = runtime.enter();
            listen(addr)?
        };
        Ok(Receiver {
            runtime,
            listener,
            options,
            stop: StopHandle {
                stopped: Arc::new(watch::channel(false).0),
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

    /// Serve until stopped or until `handler` fails; blocks the calling
    /// thread. Each connection is a task; `handler` is called on tokio's
    /// blocking threads, so it may block, and for different requests at the
    /// same time (at most [`ReceiverOptions::max_connections`] pushes at
    /// once, plus the reports of refused requests from one thread of their
    /// own).
    ///
    /// # Errors
    /// The first error `handler` returned (the request it was called for got
    /// 500), or a failure of the listener.
    pub fn serve<F>(self, handler: F) -> io::Result<()>
    where
        F: Fn(Event) -> io::Result<()> + Send + Sync + 'static,
    {
        let Receiver {
            runtime,
            listener,
            options,
            stop,
        } = self;
        let failure = Arc::new(serve::Failure::new(stop.clone()));
        let handler: Arc<serve::Handler> = Arc::new(handler);
        let reporter = report::Reporter::start(Arc::clone(&handler), Arc::clone(&failure));
        let shared = Arc::new(serve::Shared {
            options,
            handler,
            failure: Arc::clone(&failure),
            reports: reporter.sender(),
        });
        let served = runtime.block_on(serve::run(listener, shared, stop));
        reporter.finish(DRAIN_TIME);
        // A handler still blocked after the drain (a hung disk) is left
        // behind rather than waited for.
        runtime.shutdown_timeout(Duration::from_secs(1));
        match failure.take() {
            Some(e) => Err(e),
            None => served,
        }
    }
}

/// Bind a listener with our backlog, trying each address `addr` resolves to.
fn listen(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
    let mut last = None;
    for addr in addr.to_socket_addrs()? {
        let attempt = (|| {
            let socket = match addr {
                SocketAddr::V4(_) => TcpSocket::new_v4()?,
                SocketAddr::V6(_) => TcpSocket::new_v6()?,
            };
            // As std's TcpListener::bind does on Unix: a restart can take
            // the port back from connections in TIME_WAIT.
            #[cfg(unix)]
            socket.set_reuseaddr(true)?;
            socket.bind(addr)?;
            socket.listen(BACKLOG)
        })();
        match attempt {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any address",
        )
    }))
}

/// An IPv4 client on a dual-stack socket shows as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}
