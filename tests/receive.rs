//! `voxprep receive`: the real binary on 127.0.0.1, fed raw HTTP requests
//! shaped like the provider's pushes (provider-api.md sections 2 and 4).
//! The command is the subject (its lines on stdout, its file, its words on
//! stderr, its exit status); the receiver's HTTP handling and the pushes'
//! parsing have unit tests beside their code (src/provider/receiver,
//! src/provider/push.rs).

use crate::common::{PATIENCE, have_tool, voxprep};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// A running `voxprep receive` with its stdout and stderr lines; killed
/// when dropped, so that a failing test leaves no receiver behind.
struct Server {
    child: Child,
    addr: String,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
}

fn lines(r: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = voxprep()
            .args(["receive", "--listen", "127.0.0.1:0"])
            .args(args)
            .spawn();
        let stdout = lines(child.stdout.take().unwrap());
        let stderr = lines(child.stderr.take().unwrap());
        let banner = stderr.recv_timeout(PATIENCE).unwrap();
        let addr = banner_addr(&banner);
        Server {
            child,
            addr,
            stdout,
            stderr,
        }
    }

    /// Send one raw request; the whole answer.
    fn send(&self, raw: &[u8]) -> String {
        send_to(&self.addr, raw)
    }

    fn next_stdout(&self) -> String {
        self.stdout
            .recv_timeout(PATIENCE)
            .expect("a line on stdout")
    }

    fn next_stderr(&self) -> String {
        self.stderr
            .recv_timeout(PATIENCE)
            .expect("a line on stderr")
    }

    /// Stop with SIGTERM as a service manager would; the exit code.
    fn stop(mut self) -> Option<i32> {
        if have_tool("kill") {
            Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status()
                .unwrap();
        } else {
            self.child.kill().unwrap();
        }
        self.child.wait().unwrap().code()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // After `stop` the child is gone: nothing to kill.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Send one raw request to `addr`; the whole answer ("" when the
/// connection was closed or reset unanswered).
fn send_to(addr: &str, raw: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    let _ = s.write_all(raw);
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    String::from_utf8(answer).unwrap()
}

/// The address in the banner `voxprep receive: listening on http://ADDR/ ...`.
fn banner_addr(banner: &str) -> String {
    banner
        .split("listening on http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {banner:?}"))
        .to_string()
}

fn post(path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: partner\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: partner\r\n\r\n").into_bytes()
}

#[test]
fn status_reports_and_inbound_messages_become_json_lines() {
    let server = Server::start(&["--format", "json"]);
    // A status push, POSTed as a form: two statuses, one line each.
    let answer = server.send(&post(
        "/qxt/status",
        "args=E725%2C13800138000%2C0%3BE725%2C13900139000%2C-1010%3B",
    ));
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\nok\n"), "{answer}");
    let first: Value = serde_json::from_str(&server.next_stdout()).unwrap();
    let second: Value = serde_json::from_str(&server.next_stdout()).unwrap();
    assert_eq!(first["type"], "status");
    assert_eq!(first["key"], "E725");
    assert_eq!(first["phone"], "13800138000");
    assert_eq!(first["delivered"], true);
    assert_eq!(first["from"], "127.0.0.1");
    assert_eq!(second["status"], -1010);
    assert_eq!(second["delivered"], false);
    assert!(
        second["message"]
            .as_str()
            .unwrap()
            .contains("invalid destination number")
    );
    let at = first["received_at"].as_str().unwrap();
    assert!(
        at.len() == 20 && at.ends_with('Z') && at.as_bytes()[10] == b'T',
        "{at}"
    );

    // The document's own inbound example, on another path of the same server.
    let answer = server.send(&get(
        "/qxt/in?userMoblie=159****3423&content=%E6%B5%8B%E8%AF%95&cpMoblie=1069***1234",
    ));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let inbound: Value = serde_json::from_str(&server.next_stdout()).unwrap();
    assert_eq!(inbound["type"], "inbound");
    assert_eq!(inbound["user_mobile"], "159****3423");
    assert_eq!(inbound["content"], "测试");
    assert_eq!(inbound["cp_mobile"], "1069***1234");

    // The status push with `args` in the URL, as the document draws it.
    let answer = server.send(&get("/?args=K9,13700137000,0;"));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let third: Value = serde_json::from_str(&server.next_stdout()).unwrap();
    assert_eq!(third["key"], "K9");

    // What it cannot read is refused, said on stderr, and the server goes on.
    let answer = server.send(&post("/", "args=E1,138;"));
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("key,phone,status"), "{answer}");
    let said = server.next_stderr();
    assert!(
        said.contains("answered 400") && said.contains("key,phone,status"),
        "{said}"
    );
    let answer = server.send(b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(server.next_stderr().contains("answered 413"));
    let answer = server.send(&get(&format!("/?args={}", "x".repeat(20_000))));
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    assert!(server.next_stderr().contains("answered 431"));

    // A bare GET (a health check) is answered and not written.
    let answer = server.send(&get("/"));
    assert!(
        answer.starts_with("HTTP/1.1 200 OK\r\n")
            && answer.ends_with(
                "\r\n\r\nvoxprep receive: ready for status reports and inbound pushes\n"
            ),
        "{answer}"
    );

    let answer = server.send(&get("/?args=K10,13700137000,0;"));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let fourth: Value = serde_json::from_str(&server.next_stdout()).unwrap();
    assert_eq!(fourth["key"], "K10");
    if have_tool("kill") {
        assert_eq!(server.stop(), Some(130));
    } else {
        server.stop();
    }
}

#[test]
fn out_appends_human_lines_and_the_allow_list_is_enforced() {
    let dir = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let fresh = dir.path().join("fresh.log");
        let server = Server::start(&["--out", fresh.to_str().unwrap()]);
        server.stop();
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let log = dir.path().join("pushes.log");
    std::fs::write(&log, "earlier line\n").unwrap();
    let log_arg = log.to_str().unwrap();
    let server = Server::start(&[
        "--out",
        log_arg,
        "--allow",
        "127.0.0.1",
        "--reply",
        "received",
    ]);
    let answer = server.send(&post(
        "/",
        "userMoblie=13800138000&content=1&cpMoblie=10690001",
    ));
    assert!(answer.ends_with("\r\n\r\nreceived\n"), "{answer}");
    // Written and flushed before the answer.
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "earlier line");
    assert!(
        lines[1].ends_with(" inbound 13800138000 -> 10690001: \"1\""),
        "{text}"
    );
    server.stop();

    // Outside the allow list: closed unread, no answer; said on stderr.
    let server = Server::start(&["--out", log_arg, "--allow", "192.0.2.1,192.0.2.2"]);
    let answer = server.send(&get("/?args=K1,13800138000,0;"));
    assert_eq!(answer, "");
    let said = server.next_stderr();
    assert!(
        said.contains("dropped: 127.0.0.1 is not in the allow list"),
        "{said}"
    );
    server.stop();
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 2);
}

#[test]
fn listen_errors_are_usage_errors() {
    voxprep()
        .args(["receive", "--listen", "not-an-address"])
        .run()
        .code(2)
        .stderr_has("cannot listen on not-an-address");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    voxprep()
        .args(["receive", "--listen", &addr])
        .run()
        .code(2)
        .stderr_has(&format!("cannot listen on {addr}"));
    voxprep()
        .args(["receive", "--allow", "example.com"])
        .run()
        .code(2);
}

#[test]
fn csv_is_refused_before_listening() {
    voxprep()
        .args(["receive", "--listen", "127.0.0.1:0", "--format", "csv"])
        .run()
        .code(2)
        .stderr_has("invalid value 'csv' for '--format <FORMAT>'")
        .stderr_has("[possible values: human, json]")
        .stderr_lacks("listening");
}

/// Issue 18: with stderr a broken pipe (a dead log collector), each refused
/// request killed its connection's thread before its slot was freed; after
/// 32 of them every request got 503.
#[test]
fn r18_a_broken_stderr_does_not_wedge_the_server() {
    let mut child = voxprep()
        .args(["receive", "--listen", "127.0.0.1:0", "--format", "json"])
        .spawn();
    let stdout = lines(child.stdout.take().unwrap());
    // Read the banner, then close our end: from here on every write to
    // stderr fails with EPIPE.
    let mut stderr = child.stderr.take().unwrap();
    let mut banner = Vec::new();
    let mut byte = [0u8; 1];
    while stderr.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        banner.push(byte[0]);
    }
    drop(stderr);
    let addr = banner_addr(&String::from_utf8(banner).unwrap());
    for _ in 0..40 {
        let answer = send_to(&addr, &get("/?nothing=here"));
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    }
    let answer = send_to(&addr, &get("/?args=K1,13800138000,0;"));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let line: Value = serde_json::from_str(&stdout.recv_timeout(PATIENCE).unwrap()).unwrap();
    assert_eq!(line["key"], "K1");
    let _ = child.kill();
    let _ = child.wait();
}

/// Issue 18: key, userMoblie and cpMoblie reached the human lines raw, so a
/// push could forge a line or write terminal escapes into the log.
#[test]
fn r18_pushed_text_cannot_forge_lines_or_write_escapes() {
    let forge = "INJ%0A2026-01-01T00:00:00Z%20status%20E725%2013900000000%20delivered";
    let status = format!("/?args={forge},139%1B[2J,0;");
    let inbound = "/?userMoblie=1%0A2&content=%1B[2J&cpMoblie=%1B]0;x%07";
    let server = Server::start(&[]);
    assert!(server.send(&get(&status)).starts_with("HTTP/1.1 200"));
    assert!(server.send(&get(inbound)).starts_with("HTTP/1.1 200"));
    let line = server.next_stdout();
    assert!(
        line.ends_with(
            " status INJ\\n2026-01-01T00:00:00Z status E725 13900000000 delivered \
             139\\u{1b}[2J delivered"
        ),
        "{line}"
    );
    let line = server.next_stdout();
    assert!(
        line.ends_with(r#" inbound 1\n2 -> \u{1b}]0;x\u{7}: "\u{1b}[2J""#),
        "{line}"
    );
    // Nothing else came out: the forged line is part of the first.
    assert!(
        server
            .stdout
            .recv_timeout(Duration::from_millis(200))
            .is_err()
    );
    drop(server);

    let server = Server::start(&["--format", "json"]);
    assert!(server.send(&get(&status)).starts_with("HTTP/1.1 200"));
    assert!(server.send(&get(inbound)).starts_with("HTTP/1.1 200"));
    let first: Value = serde_json::from_str(&server.next_stdout()).unwrap();
    assert_eq!(
        first["key"],
        "INJ\n2026-01-01T00:00:00Z status E725 13900000000 delivered"
    );
    assert_eq!(first["phone"], "139\u{1b}[2J");
    let second = server.next_stdout();
    assert!(!second.chars().any(char::is_control), "{second:?}");
    let second: Value = serde_json::from_str(&second).unwrap();
    assert_eq!(second["user_mobile"], "1\n2");
    assert_eq!(second["cp_mobile"], "\u{1b}]0;x\u{7}");
    assert!(
        server
            .stdout
            .recv_timeout(Duration::from_millis(200))
            .is_err()
    );
}

/// A connection to `addr` from 127.0.0.2 (a loopback address on Linux).
#[cfg(target_os = "linux")]
fn connect_from_127_0_0_2(addr: &str) -> TcpStream {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        let s = socket.connect(addr.parse().unwrap()).await.unwrap();
        let s = s.into_std().unwrap();
        s.set_nonblocking(false).unwrap();
        s
    })
}

/// Issue 18: clients outside --allow could hold all 32 connection slots,
/// since the list was checked after the request head was read.
#[test]
#[cfg(target_os = "linux")]
fn r18_idle_clients_outside_allow_do_not_lock_out_the_provider() {
    let server = Server::start(&["--allow", "127.0.0.1", "--format", "json"]);
    let idle: Vec<TcpStream> = (0..64)
        .map(|_| connect_from_127_0_0_2(&server.addr))
        .collect();
    let started = Instant::now();
    let answer = server.send(&get("/?args=K1,13800138000,0;"));
    let took = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    let line: Value = serde_json::from_str(&server.next_stdout()).unwrap();
    assert_eq!(line["key"], "K1");
    drop(idle);
}

/// Issue 18: a full disk left a partial line, and after a restart the next
/// push was glued to it. Found at start-up: cut back and said.
#[test]
fn r18_a_partial_last_line_is_cut_off_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("pushes.log");
    std::fs::write(
        &log,
        "2026-01-01T00:00:00Z status K0 1 delivered\n2026-01-01T00:0",
    )
    .unwrap();
    let mut child = voxprep()
        .args(["receive", "--listen", "127.0.0.1:0", "--out"])
        .arg(&log)
        .spawn();
    let stderr = lines(child.stderr.take().unwrap());
    let said = stderr.recv_timeout(PATIENCE).unwrap();
    assert!(
        said.contains("ended in a partial line (15 bytes, never acknowledged)")
            && said.contains("cut back to its last whole line (43 bytes)"),
        "{said}"
    );
    let addr = banner_addr(&stderr.recv_timeout(PATIENCE).unwrap());
    assert!(send_to(&addr, &get("/?args=K1,13800138000,0;")).starts_with("HTTP/1.1 200"));
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[1].ends_with(" status K1 13800138000 delivered"),
        "{text}"
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// Issue 18, the write error itself: a file size limit (`ulimit -f`, with
/// SIGXFSZ ignored) makes a write stop part-way, as a full disk does. The
/// push gets 500, the file is cut back to its last whole line, every push
/// answered 200 is in it, and the command exits 2.
#[test]
#[cfg(target_os = "linux")]
fn r18_a_failed_write_leaves_no_partial_line() {
    if !have_tool("sh") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("pushes.log");
    // 1 block of 512 bytes.
    let script = format!(
        "trap '' XFSZ; ulimit -f 1; exec \"$0\" receive --listen 127.0.0.1:0 --out '{}'",
        log.display()
    );
    let mut child = Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_voxprep")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = lines(child.stderr.take().unwrap());
    let addr = banner_addr(&stderr.recv_timeout(PATIENCE).unwrap());
    let mut answered = Vec::new();
    let mut failed = false;
    for i in 0..100 {
        let answer = send_to(&addr, &get(&format!("/?args=KEY{i:03},13800138000,0;")));
        if answer.starts_with("HTTP/1.1 500") {
            failed = true;
            break;
        }
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        answered.push(format!("KEY{i:03}"));
    }
    assert!(failed, "no write failed");
    assert_eq!(child.wait().unwrap().code(), Some(2));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.ends_with('\n'), "{text:?}");
    assert!(text.len() <= 512);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), answered.len(), "{text}");
    for (line, key) in lines.iter().zip(&answered) {
        assert!(
            line.contains(&format!(" status {key} 13800138000 delivered")),
            "{line}"
        );
    }
}

/// The whole loop of issue 18: `send` records its requests in a ledger;
/// the provider (a fake) accepts them and, as the real one does, pushes
/// the status reports back to the partner's `receive --ledger` (here while
/// it is still answering the submit: a report may arrive before the send
/// has recorded its smsid), twice for good measure; one request never gets
/// an answer. `status` joins them: delivered, failed with its meaning,
/// pending, unknown; the report pushed twice counts once.
#[test]
fn sends_and_their_reports_meet_in_the_ledger() {
    use crate::fake_provider::{FakeProvider, Reply};
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite");
    let ledger_arg = ledger.to_str().unwrap();
    let creds = [("QXT_CP_NAME", "acme"), ("QXT_CP_PASSWORD", "s3cret-pass")];
    let send = |base: &str, to: &str, extra: &[&str]| {
        let mut cmd = voxprep();
        for (k, v) in creds {
            cmd.env(k, v);
        }
        cmd.args(["send", "tts", "--app", "A", "--template", "T7", "--to", to])
            .args(["--ledger", ledger_arg, "--base-url", base])
            .args(extra)
            .run()
    };
    let server = Server::start(&["--format", "json", "--ledger", ledger_arg]);
    assert!(
        server
            .next_stderr()
            .contains("storing pushes in the ledger")
    );
    let smsid = "E7254F86ED07C231CDC7657D0F9BC420";
    let receiver = server.addr.clone();
    // The first number answered, the second has no account (9994), the
    // third never reported.
    let provider = FakeProvider::start(move |_, request| {
        let n = request.numbers();
        let body = format!("args={smsid},{},0;{smsid},{},9994;", n[0], n[1]);
        for _ in 0..2 {
            let answer = send_to(&receiver, &post("/status", &body));
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        }
        Reply::code("0")
    });
    send(
        &provider.base_url,
        "13800000001,13800000002,13800000003",
        &[],
    )
    .success();
    let silent = FakeProvider::always(Reply::Never);
    send(&silent.base_url, "13900000009", &["--timeout", "0.5"]).code(3);
    for _ in 0..4 {
        server.next_stdout();
    }
    assert_eq!(server.stop(), Some(130));

    let status = voxprep()
        .args(["status", "--format", "json", "--ledger", ledger_arg])
        .run()
        .success()
        .json();
    let totals = &status["totals"];
    assert_eq!(
        (
            &totals["delivered"],
            &totals["failed"],
            &totals["pending"],
            &totals["unknown"]
        ),
        (
            &Value::from(1),
            &Value::from(1),
            &Value::from(1),
            &Value::from(1)
        ),
        "{status:#}"
    );
    let state = |phone: &str| {
        status["numbers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["phone"] == phone)
            .map(|n| n["state"].as_str().unwrap().to_string())
    };
    assert_eq!(state("13800000001").as_deref(), Some("delivered"));
    assert_eq!(state("13800000002").as_deref(), Some("failed"));
    assert_eq!(state("13800000003").as_deref(), Some("pending"));
    assert_eq!(state("13900000009").as_deref(), Some("unknown"));
    // Stored once, though pushed twice.
    let rows = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from status_reports').fetchone()[0])",
            ledger_arg,
        ])
        .output();
    if let Ok(out) = rows {
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "2");
    }
}
