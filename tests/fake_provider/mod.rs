//! A fake QXT provider on 127.0.0.1 for the integration tests: it records
//! every request (path, raw query, decoded parameters) and answers as the
//! test scripts it, including never answering at all.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use tiny_http::{Header, Response, Server};

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
    received: Arc<Mutex<Vec<Received>>>,
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
}

impl FakeProvider {
    /// Start a fake that answers every request with `reply`.
    pub fn always(reply: Reply) -> FakeProvider {
        FakeProvider::start(move |_, _| reply.clone())
    }

    /// Start a fake that answers request `i` (0-based) with `script(i, &request)`.
    pub fn start(script: impl Fn(usize, &Received) -> Reply + Send + 'static) -> FakeProvider {
        let server = Arc::new(Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0"));
        let port = server.server_addr().to_ip().expect("an IP listener").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let server = Arc::clone(&server);
            let received = Arc::clone(&received);
            let script: Script = Box::new(script);
            std::thread::spawn(move || {
                // Requests we never answer are kept here, so their connections stay open.
                let mut held = Vec::new();
                for request in server.incoming_requests() {
                    let url = request.url().to_string();
                    let (path, raw_query) = match url.split_once('?') {
                        Some((p, q)) => (p.to_string(), q.to_string()),
                        None => (url.clone(), String::new()),
                    };
                    let params = form_urlencoded::parse(raw_query.as_bytes())
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect();
                    let rec = Received {
                        path,
                        raw_query,
                        params,
                    };
                    let index = {
                        let mut all = received.lock().unwrap();
                        all.push(rec.clone());
                        all.len() - 1
                    };
                    match script(index, &rec) {
                        Reply::Ok(body) => respond(request, 200, body),
                        Reply::Status(code, body) => respond(request, code, body),
                        Reply::Redirect(to) => {
                            let loc = Header::from_bytes("Location", to.as_bytes()).unwrap();
                            let _ = request.respond(
                                Response::from_string("moved")
                                    .with_status_code(302)
                                    .with_header(loc),
                            );
                        }
                        Reply::Never => held.push(request),
                    }
                }
            })
        };
        FakeProvider {
            base_url: format!("http://127.0.0.1:{port}"),
            received,
            server,
            thread: Some(thread),
        }
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The requests received, after giving a straggler a moment to arrive.
    pub fn settled(&self) -> Vec<Received> {
        std::thread::sleep(Duration::from_millis(100));
        self.received()
    }
}

fn respond(request: tiny_http::Request, code: u16, body: String) {
    let header = Header::from_bytes("Content-Type", "text/plain; charset=utf-8").unwrap();
    let _ = request.respond(
        Response::from_string(body)
            .with_status_code(code)
            .with_header(header),
    );
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
