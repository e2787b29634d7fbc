//! A fake QXT provider on 127.0.0.1 for the integration tests: it records
//! every request (path, raw query, decoded parameters) and answers as the
//! test scripts it, including never answering at all.
//!
//! A plain `TcpListener` serving one connection at a time, in the order they
//! were made: enough for the client under test, which sends one GET per
//! connection and says `Connection: close`.

use crate::common::PATIENCE;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The request target [`FakeProvider::settled`] sends itself; never recorded.
const SETTLE: &str = "/__settle__";

/// One request as the provider received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The path, e.g. `/Recv_center`.
    pub path: String,
    /// The query exactly as on the wire (still percent-encoded).
    pub raw_query: String,
    /// The decoded parameters, in order.
    pub params: Vec<(String, String)>,
}

impl Received {
    /// The decoded value of parameter `key`, if present once.
    pub fn param(&self, key: &str) -> Option<&str> {
        let mut it = self.params.iter().filter(|(k, _)| k == key);
        let v = it.next().map(|(_, v)| v.as_str());
        assert!(it.next().is_none(), "parameter {key} given twice");
        v
    }

    /// The parameter names, in order.
    pub fn keys(&self) -> Vec<&str> {
        self.params.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// `DesMobile` split on commas.
    pub fn numbers(&self) -> Vec<String> {
        self.param("DesMobile")
            .unwrap_or("")
            .split(',')
            .map(str::to_string)
            .collect()
    }
}

/// How to answer one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// HTTP 200 with this body.
    Ok(String),
    /// This status and body.
    Status(u16, String),
    /// HTTP 302 to this location.
    Redirect(String),
    /// Read the request, then never answer (the connection stays open).
    Never,
}

impl Reply {
    /// HTTP 200 with a JSON submit reply: `{"code":"<code>"}` plus an smsid when 0.
    pub fn code(code: &str) -> Reply {
        if code == "0" {
            Reply::Ok(r#"{"smsid":"E7254F86ED07C231CDC7657D0F9BC420", "code":"0"}"#.into())
        } else {
            Reply::Ok(format!(r#"{{"code": "{code}"}}"#))
        }
    }
}

type Script = Box<dyn Fn(usize, &Received) -> Reply + Send>;

/// The running fake. Dropping it stops the server.
pub struct FakeProvider {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeProvider {
    /// Start a fake that answers every request with `reply`.
    pub fn always(reply: Reply) -> FakeProvider {
        FakeProvider::start(move |_, _| reply.clone())
    }

    /// Start a fake that answers request `i` (0-based) with `script(i, &request)`.
    pub fn start(script: impl Fn(usize, &Received) -> Reply + Send + 'static) -> FakeProvider {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("a local address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let received = Arc::clone(&received);
            let stop = Arc::clone(&stop);
            let script: Script = Box::new(script);
            std::thread::spawn(move || serve(&listener, &script, &received, &stop))
        };
        FakeProvider {
            base_url: format!("http://{addr}"),
            addr,
            received,
            stop,
            thread: Some(thread),
        }
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Every request made before this call, straggler or not. The fake takes
    /// connections one at a time in the order they were made, so once it has
    /// answered one of ours made now, it has recorded every earlier one.
    pub fn settled(&self) -> Vec<Received> {
        let mut s = TcpStream::connect(self.addr).expect("connect to the fake");
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        s.write_all(format!("GET {SETTLE} HTTP/1.1\r\n\r\n").as_bytes())
            .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer)
            .expect("the fake answers within the patience bound");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        self.received()
    }
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // `accept` blocks: a connection of our own wakes it.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    listener: &TcpListener,
    script: &Script,
    received: &Mutex<Vec<Received>>,
    stop: &AtomicBool,
) {
    // Connections we never answer are kept here, so they stay open.
    let mut held = Vec::new();
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(mut stream) = stream else { continue };
        let _ = stream.set_read_timeout(Some(PATIENCE));
        let Some(target) = request_target(&mut stream) else {
            continue;
        };
        if target == SETTLE {
            respond(&mut stream, 200, &[], "settled");
            continue;
        }
        let (path, raw_query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (target.clone(), String::new()),
        };
        let params = form_urlencoded::parse(raw_query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let rec = Received {
            path,
            raw_query,
            params,
        };
        // Recorded before the answer: a client that has its answer finds
        // its request here.
        let index = {
            let mut all = received.lock().unwrap();
            all.push(rec.clone());
            all.len() - 1
        };
        match script(index, &rec) {
            Reply::Ok(body) => respond(&mut stream, 200, &[], &body),
            Reply::Status(code, body) => respond(&mut stream, code, &[], &body),
            Reply::Redirect(to) => respond(&mut stream, 302, &[("Location", &to)], "moved"),
            Reply::Never => held.push(stream),
        }
    }
}

/// Read a request head (to its empty line) and return its target, `None`
/// when the client went away or sent something else.
fn request_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).ok().filter(|&n| n > 0)?;
        head.extend_from_slice(&buf[..n]);
        if head.len() > 64 * 1024 {
            return None;
        }
    }
    let head = String::from_utf8(head).ok()?;
    let mut words = head.lines().next()?.split(' ');
    match (words.next(), words.next()) {
        (Some("GET"), Some(target)) => Some(target.to_string()),
        _ => None,
    }
}

fn respond(stream: &mut TcpStream, code: u16, headers: &[(&str, &str)], body: &str) {
    let mut answer = format!(
        "HTTP/1.1 {code} Fake\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        answer.push_str(&format!("{name}: {value}\r\n"));
    }
    answer.push_str("\r\n");
    answer.push_str(body);
    let _ = stream.write_all(answer.as_bytes());
}
