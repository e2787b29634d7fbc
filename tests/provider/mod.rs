//! The provider's HTTP API against a fake provider on 127.0.0.1: the
//! requests on the wire, the replies read and what each failure means,
//! through the library (`provider::Client`); `voxprep send` and `voxprep
//! balance` (exit codes, flags, the three formats, the words on stderr),
//! through the binary (`mod cli`).
//!
//! The password shows nowhere a person looks: the library's errors and
//! `Debug` output are searched for it, and every run of the binary goes
//! through `cli::run()`, which asserts that it is in neither stdout nor
//! stderr, raw or percent-encoded.

use crate::common::fixture;
use crate::fake_provider::{FakeProvider, Received, Reply};
use std::time::{Duration, Instant};
use voxprep::billing::Fen;
use voxprep::provider::{
    AccountKind, Balance, BalanceCode, BalanceReply, BaseUrl, BaseUrlProblem, BatchOutcome,
    BatchReport, Client, Content, Credentials, ExtCode, ProviderError, Recipients, SendStatus,
    StatusCode, Timeouts,
};

const NAME: &str = "acme-corp";
/// A password with characters that need percent-encoding.
const PASSWORD: &str = "Pw-s3cr3t!&=x";
const PASSWORD_ENCODED: &str = "Pw-s3cr3t%21%26%3Dx";

fn numbers(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("138{i:08}")).collect()
}

fn assert_credentials(r: &Received) {
    assert_eq!(r.param("CpName"), Some(NAME));
    assert_eq!(
        r.param("CpPassword"),
        Some(PASSWORD),
        "the provider gets the real password"
    );
}

#[track_caller]
fn assert_no_password(seen: &str) {
    for secret in [PASSWORD, PASSWORD_ENCODED, "s3cr3t"] {
        assert!(
            !seen.contains(secret),
            "password leaked ({secret}) in: {seen}"
        );
    }
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture")
}

/// A client of `base` with the test credentials and default timeouts.
fn client(base: &str) -> Client {
    client_with(base, Timeouts::default())
}

fn client_with(base: &str, timeouts: Timeouts) -> Client {
    Client::new(
        BaseUrl::parse(base).unwrap(),
        Credentials::try_new(NAME, PASSWORD).unwrap(),
        timeouts,
    )
    .unwrap()
}

/// Send verification code 1234 to `to`.
fn send_code(client: &Client, to: &str) -> Vec<BatchReport> {
    let content = Content::code("1234").unwrap();
    client.send(&content, &Recipients::parse_list(to).unwrap(), None)
}

fn statuses(reports: &[BatchReport]) -> Vec<SendStatus> {
    reports.iter().map(BatchReport::status).collect()
}

/// The error of a request that failed (with no password in its words).
#[track_caller]
fn failure(report: &BatchReport) -> &ProviderError {
    match &report.outcome {
        BatchOutcome::Failed(e) => {
            assert_no_password(&format!("{e} {e:?}"));
            e
        }
        other => panic!("not a failure: {other:?}"),
    }
}

/// The submit reply of a request that was answered.
#[track_caller]
fn replied(report: &BatchReport) -> (StatusCode, Option<&str>) {
    match &report.outcome {
        BatchOutcome::Replied(r) => (r.code, r.smsid.as_deref()),
        other => panic!("no reply: {other:?}"),
    }
}

// ---------------------------------------------------------------- the query

#[test]
fn file_notice_sends_the_exact_query() {
    let fake = FakeProvider::always(Reply::code("0"));
    let content = Content::file("app1", "T7", "welcome.wav").unwrap();
    let to = Recipients::parse_list("138 0013 8000,+8613900139000").unwrap();
    let reports = client(&fake.base_url).send(&content, &to, None);
    assert_eq!(reports.len(), 1);
    assert_eq!(
        replied(&reports[0]),
        (StatusCode(0), Some("E7254F86ED07C231CDC7657D0F9BC420"))
    );
    let got = fake.received();
    assert_eq!(got.len(), 1);
    let q = &got[0];
    assert_eq!(q.path, "/Recv_center");
    assert_eq!(q.keys(), ["CpName", "CpPassword", "DesMobile", "Content"]);
    assert_credentials(q);
    assert_eq!(q.param("DesMobile"), Some("13800138000,13900139000"));
    assert_eq!(
        q.param("Content"),
        Some("【语音通知文件】app1|T7|welcome.wav")
    );
    // UTF-8, percent-encoded on the wire; the separators literal commas.
    assert!(q.raw_query.is_ascii(), "{}", q.raw_query);
    assert!(
        q.raw_query.contains("DesMobile=13800138000,13900139000&"),
        "{}",
        q.raw_query
    );
    assert!(q.raw_query.contains("Content=%E3%80%90%E8%AF%AD%E9%9F%B3%E9%80%9A%E7%9F%A5%E6%96%87%E4%BB%B6%E3%80%91app1%7CT7%7Cwelcome.wav"), "{}", q.raw_query);
    assert!(
        q.raw_query
            .contains(&format!("CpPassword={PASSWORD_ENCODED}&")),
        "{}",
        q.raw_query
    );
}

#[test]
fn tts_keypress_with_param_and_ext_code() {
    let fake = FakeProvider::always(Reply::code("0"));
    let content = Content::notice("A1", "TPL-9", Some("张三 先生".into()), true).unwrap();
    let to = Recipients::parse_list("13800138000").unwrap();
    let ext = ExtCode::try_new("10690001").unwrap();
    let reports = client(&fake.base_url).send(&content, &to, Some(&ext));
    assert_eq!(statuses(&reports), [SendStatus::Accepted]);
    let q = &fake.received()[0];
    assert_eq!(
        q.keys(),
        ["CpName", "CpPassword", "DesMobile", "Content", "ExtCode"]
    );
    assert_eq!(
        q.param("Content"),
        Some("【语音通知按键】A1|TPL-9|张三 先生")
    );
    assert_eq!(q.param("ExtCode"), Some("10690001"));
    assert!(
        q.raw_query.contains("%20"),
        "a space is %20, not +: {}",
        q.raw_query
    );
}

#[test]
fn tts_without_param_and_code_forms() {
    let fake = FakeProvider::always(Reply::code("0"));
    let client = client(&fake.base_url);
    let to = Recipients::parse_list("13800138000").unwrap();
    let tts = Content::notice("A1", "T", None, false).unwrap();
    assert_eq!(
        statuses(&client.send(&tts, &to, None)),
        [SendStatus::Accepted]
    );
    assert_eq!(
        statuses(&send_code(&client, "13800138000")),
        [SendStatus::Accepted]
    );
    let got = fake.received();
    assert_eq!(got[0].param("Content"), Some("【语音通知】A1|T|"));
    assert_eq!(got[1].param("Content"), Some("【语音验证码】1234"));
    assert!(got.iter().all(|q| q.param("ExtCode").is_none()));
}

#[test]
fn numbers_are_deduplicated_and_sent_200_a_request() {
    let list = numbers(450);
    // Same numbers again in other spellings: dropped as duplicates.
    let mut text = String::from("# customers\n");
    for n in &list {
        text.push_str(n);
        text.push('\n');
    }
    text.push_str(&format!("\n+86 {}\n86{}\n", &list[0], &list[449]));
    let to = Recipients::parse_lines(&text, "to.txt").unwrap();
    assert_eq!(to.duplicates_removed(), 2);
    let fake = FakeProvider::always(Reply::code("0"));
    let content = Content::code("1234").unwrap();
    let reports = client(&fake.base_url).send(&content, &to, None);
    let got = fake.received();
    let sizes: Vec<usize> = got.iter().map(|q| q.numbers().len()).collect();
    assert_eq!(sizes, [200, 200, 50]);
    let sent: Vec<String> = got.iter().flat_map(Received::numbers).collect();
    assert_eq!(sent, list, "every number once, in order");
    assert_eq!(statuses(&reports), [SendStatus::Accepted; 3]);
    assert_eq!(reports[2].numbers.len(), 50);
    assert_eq!(
        replied(&reports[0]).1,
        Some("E7254F86ED07C231CDC7657D0F9BC420")
    );
}

// ---------------------------------------------------------------- replies

#[test]
fn each_rejection_is_a_reply_with_its_meaning() {
    let cases = [
        ("-1000", "account does not exist", "用户账号不存在"),
        ("-1003", "IP address not allowed", "IP不合法"),
        ("-1007", "too many messages in one batch", "限制200条"),
        (
            "-1010",
            "invalid destination number",
            "发送目的地手机号码无效",
        ),
        ("-1011", "insufficient balance", "余额不足"),
        ("-1013", "filtered words", "内容包含过滤字"),
        ("-1019", "sending hours", "不在允许的下发时间段"),
        ("-2001", "encryption signature", "加密签名不正确"),
        ("-1099", "system error", "系统异常"),
        ("-9999", "submit-rate limit", "提交通道速度上限"),
        ("9997", "service barred", "短消息业务被禁止"),
        ("-4242", "unknown code", "-4242"),
    ];
    let fake = FakeProvider::start(move |i, _| Reply::code(cases[i].0));
    let client = client(&fake.base_url);
    for (code, en, zh) in cases {
        let reports = send_code(&client, "13800138000");
        assert_eq!(statuses(&reports), [SendStatus::Rejected], "{code}");
        let (got, smsid) = replied(&reports[0]);
        assert_eq!((got.0.to_string(), smsid), (code.to_string(), None));
        let words = got.describe();
        for want in [code, en, zh] {
            assert!(words.contains(want), "{code}: missing {want:?} in {words}");
        }
    }
    assert_eq!(fake.received().len(), cases.len());
}

#[test]
fn numeric_codes_and_extra_fields_are_understood() {
    let fake = FakeProvider::start(|i, _| {
        Reply::Ok(
            [
                r#"{"code":0,"smsid":"ABC","extra":{"x":1}}"#,
                r#"{"msg":"no","code":-1012}"#,
            ][i]
                .to_string(),
        )
    });
    let client = client(&fake.base_url);
    let reports = send_code(&client, "13800138000");
    assert_eq!(replied(&reports[0]), (StatusCode(0), Some("ABC")));
    let reports = send_code(&client, "13800138000");
    assert_eq!(statuses(&reports), [SendStatus::Rejected]);
    let (code, smsid) = replied(&reports[0]);
    assert_eq!((code, smsid), (StatusCode(-1012), None));
    assert!(code.meaning().unwrap().zh.contains("黑名单"));
}

#[test]
fn a_rejected_batch_does_not_stop_the_others() {
    let fake = FakeProvider::start(|i, _| Reply::code(if i == 1 { "-1010" } else { "0" }));
    let reports = send_code(&client(&fake.base_url), &numbers(450).join(","));
    assert_eq!(
        statuses(&reports),
        [
            SendStatus::Accepted,
            SendStatus::Rejected,
            SendStatus::Accepted
        ]
    );
    assert_eq!(fake.received().len(), 3);
}

#[test]
fn non_json_body_is_outcome_unknown_quoting_a_redacted_excerpt() {
    // A broken gateway echoing the request URL, password included.
    let fake = FakeProvider::start(|_, q| {
        Reply::Ok(format!(
            "<html><body>Error in /Recv_center?{}</body></html>",
            q.raw_query
        ))
    });
    let reports = send_code(&client(&fake.base_url), "13800138000");
    assert_eq!(statuses(&reports), [SendStatus::OutcomeUnknown]);
    let e = failure(&reports[0]);
    assert!(matches!(e, ProviderError::UnexpectedBody { .. }), "{e:?}");
    let words = e.to_string();
    assert!(words.contains("not JSON"), "{words}");
    assert!(
        words.contains("<html><body>Error in /Recv_center?CpName=acme-corp&CpPassword=***"),
        "{words}"
    );
    assert!(
        words.contains("outcome unknown: check the status reports before sending again"),
        "{words}"
    );
    assert_eq!(fake.received().len(), 1);
}

#[test]
fn missing_code_is_outcome_unknown() {
    let fake = FakeProvider::always(Reply::Ok(r#"{"smsid":"X"}"#.into()));
    let reports = send_code(&client(&fake.base_url), "13800138000");
    assert_eq!(statuses(&reports), [SendStatus::OutcomeUnknown]);
    let words = failure(&reports[0]).to_string();
    assert!(words.contains("no \"code\""), "{words}");
}

#[test]
fn http_500_is_outcome_unknown() {
    let fake = FakeProvider::always(Reply::Status(500, "Internal Server Error".into()));
    let reports = send_code(&client(&fake.base_url), "13800138000");
    assert_eq!(statuses(&reports), [SendStatus::OutcomeUnknown]);
    let e = failure(&reports[0]);
    assert!(
        matches!(e, ProviderError::Http { status: 500, .. }),
        "{e:?}"
    );
    let words = e.to_string();
    assert!(
        words.contains("HTTP 500") && words.contains("Internal Server Error"),
        "{words}"
    );
    assert!(words.contains("outcome unknown"), "{words}");
}

#[test]
fn redirects_are_not_followed() {
    let fake = FakeProvider::start(|_, q| Reply::Redirect(format!("/Recv_center?{}", q.raw_query)));
    let reports = send_code(&client(&fake.base_url), "13800138000");
    assert_eq!(statuses(&reports), [SendStatus::OutcomeUnknown]);
    let e = failure(&reports[0]);
    assert!(
        matches!(e, ProviderError::Http { status: 302, .. }),
        "{e:?}"
    );
    let words = e.to_string();
    assert!(
        words.contains("HTTP 302") && words.contains("redirect to /Recv_center (not followed)"),
        "{words}"
    );
    assert_eq!(fake.settled().len(), 1, "the redirect was followed");
}

#[test]
fn a_reply_that_never_comes_is_sent_once_and_outcome_unknown() {
    let fake = FakeProvider::always(Reply::Never);
    let client = client_with(
        &fake.base_url,
        Timeouts::with_overall(Duration::from_secs(1)),
    )
    .with_connect_retries(3);
    let started = Instant::now();
    let reports = send_code(&client, &numbers(450).join(","));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        fake.settled().len(),
        1,
        "exactly one request, no resend, no next batch"
    );
    assert_eq!(
        statuses(&reports),
        [
            SendStatus::OutcomeUnknown,
            SendStatus::NotSent,
            SendStatus::NotSent
        ]
    );
    let e = failure(&reports[0]);
    assert!(matches!(e, ProviderError::OutcomeUnknown { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("outcome unknown: check the status reports before sending again"),
        "{e}"
    );
    assert!(matches!(reports[1].outcome, BatchOutcome::NotAttempted));
}

#[test]
fn connection_refused_is_never_sent_and_retried_only_when_asked() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let once = client_with(&base, Timeouts::with_overall(Duration::from_secs(1)));
    let reports = send_code(&once, "13800138000");
    assert_eq!(statuses(&reports), [SendStatus::NotSent]);
    let e = failure(&reports[0]);
    assert!(matches!(e, ProviderError::NotSent { .. }), "{e:?}");
    assert!(!e.may_have_reached_provider());
    let words = e.to_string();
    assert!(words.contains("never sent"), "{words}");
    assert!(!words.contains("outcome unknown"), "{words}");
    let twice = once.with_connect_retries(1);
    let reports = send_code(&twice, "13800138000");
    let words = failure(&reports[0]).to_string();
    assert!(words.contains("(2 attempts)"), "{words}");
}

#[test]
fn a_connection_closed_after_the_request_is_outcome_unknown_and_not_retried() {
    use std::io::{Read, Write};
    use std::sync::mpsc;
    // A raw server: read each request head, report its first line, then hang
    // up without a word. Connections are taken one at a time, in the order
    // they were made.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (heads, seen) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            drop(stream);
            let first = String::from_utf8_lossy(&head)
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            if heads.send(first).is_err() {
                break;
            }
        }
    });
    let client = client_with(
        &format!("http://{addr}"),
        Timeouts::with_overall(Duration::from_secs(2)),
    )
    .with_connect_retries(3);
    let reports = send_code(&client, "13800138000");
    assert_eq!(statuses(&reports), [SendStatus::OutcomeUnknown]);
    let words = failure(&reports[0]).to_string();
    assert!(
        words.contains("outcome unknown: check the status reports before sending again"),
        "{words}"
    );
    // The send has returned: every connection it made is queued by now.
    // Ours, made last, is taken last; the heads before it are everything it
    // sent.
    let mut marker = std::net::TcpStream::connect(addr).unwrap();
    marker.write_all(b"MARKER\r\n\r\n").unwrap();
    let mut requests = Vec::new();
    loop {
        let head = seen
            .recv_timeout(crate::common::PATIENCE)
            .expect("the server takes the marker");
        if head == "MARKER" {
            break;
        }
        requests.push(head);
    }
    assert_eq!(
        requests.len(),
        1,
        "the request was sent again: {requests:?}"
    );
    assert!(requests[0].starts_with("GET /Recv_center?"), "{requests:?}");
}

/// The replies as the provider's document prints them.
#[test]
fn the_documented_replies() {
    let fake = FakeProvider::start(|i, _| {
        Reply::Ok(fixture_text(
            [
                "provider/submit-accepted.json",
                "provider/submit-rejected-1000.json",
            ][i],
        ))
    });
    let client = client(&fake.base_url);
    let reports = send_code(&client, "13800138000");
    assert_eq!(
        replied(&reports[0]),
        (StatusCode(0), Some("E7254F86ED07C231CDC7657D0F9BC420"))
    );
    let reports = send_code(&client, "13800138000");
    assert_eq!(replied(&reports[0]), (StatusCode(-1000), None));
}

// ---------------------------------------------------------------- balance

#[test]
fn balance_in_fen_and_messages_left() {
    let fake = FakeProvider::start(|i, _| Reply::Ok(["12345", "77\r\n"][i].into()));
    let client = client(&fake.base_url);
    assert_eq!(
        client.balance(AccountKind::Main).unwrap(),
        BalanceReply::Balance(Balance::Money(Fen(12345)))
    );
    assert_eq!(
        client.balance(AccountKind::Sub).unwrap(),
        BalanceReply::Balance(Balance::Messages(77))
    );
    let q = &fake.received()[0];
    assert_eq!(q.path, "/QueryBlance");
    assert_eq!(q.keys(), ["CpName", "CpPassword"]);
    assert_credentials(q);
}

#[test]
fn balance_refusals_have_their_meaning() {
    let cases = [
        ("-1", "wrong account or password", "账号或密码错误"),
        ("-2", "once a minute", "1分钟之内只能查询一次余额"),
        ("-3", "not enabled", "该账号未开通"),
        ("-99", "insufficient balance", "余额不足"),
        ("-5", "unknown code", "-5"),
    ];
    let fake = FakeProvider::start(move |i, _| Reply::Ok(cases[i].0.into()));
    let client = client(&fake.base_url);
    for (code, en, zh) in cases {
        let reply = client.balance(AccountKind::Main).unwrap();
        let want = BalanceCode(code.parse().unwrap());
        assert_eq!(reply, BalanceReply::Refused(want));
        let words = want.describe();
        for want in [en, zh] {
            assert!(words.contains(want), "{code}: missing {want:?} in {words}");
        }
    }
}

#[test]
fn balance_garbage_and_http_errors_are_errors() {
    let fake = FakeProvider::start(|i, _| match i {
        0 => Reply::Ok("<html>maintenance</html>".into()),
        1 => Reply::Status(503, "busy".into()),
        _ => Reply::Never,
    });
    let quick = client_with(
        &fake.base_url,
        Timeouts::with_overall(Duration::from_millis(500)),
    );
    let e = quick.balance(AccountKind::Main).unwrap_err();
    assert!(matches!(e, ProviderError::UnexpectedBody { .. }), "{e:?}");
    let words = e.to_string();
    assert!(
        words.contains("not a whole number") && words.contains("maintenance"),
        "{words}"
    );
    let e = quick.balance(AccountKind::Main).unwrap_err();
    assert!(
        matches!(e, ProviderError::Http { status: 503, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("HTTP 503"), "{e}");
    let e = quick.balance(AccountKind::Main).unwrap_err();
    assert!(matches!(e, ProviderError::OutcomeUnknown { .. }), "{e:?}");
    assert!(e.to_string().contains("no balance was read"), "{e}");
    assert_no_password(&format!("{e} {e:?}"));
}

// ---------------------------------------------------------------- nothing sent

#[test]
fn the_plan_is_the_redacted_requests_and_sends_nothing() {
    let fake = FakeProvider::always(Reply::code("0"));
    let client = client(&fake.base_url);
    let content = Content::file("A", "T", "x.vox").unwrap();
    let to = Recipients::parse_list(&numbers(201).join(",")).unwrap();
    let plan = client.plan(&content, &to, None);
    assert_eq!(plan.len(), 2);
    assert_eq!((plan[0].numbers().len(), plan[1].numbers().len()), (200, 1));
    assert_eq!(plan[0].content(), "【语音通知文件】A|T|x.vox");
    assert!(
        plan[0].redacted_url().starts_with(&format!(
            "{}/Recv_center?CpName=acme-corp&CpPassword=***&DesMobile=13800000000,",
            fake.base_url
        )),
        "{}",
        plan[0].redacted_url()
    );
    assert!(
        client
            .balance_redacted_url()
            .contains("QueryBlance?CpName=acme-corp&CpPassword=***"),
        "{}",
        client.balance_redacted_url()
    );
    assert_no_password(&format!("{plan:?}"));
    assert!(fake.settled().is_empty());
}

#[test]
fn base_urls_with_credentials_are_refused_without_quoting_them() {
    let e = BaseUrl::parse(&format!("http://{NAME}:{PASSWORD_ENCODED}@127.0.0.1:9")).unwrap_err();
    assert_eq!(e.problem, BaseUrlProblem::UserInfo);
    assert_no_password(&format!("{e} {e:?}"));
    #[cfg(not(feature = "tls"))]
    assert_eq!(
        BaseUrl::parse("https://127.0.0.1:9").unwrap_err().problem,
        BaseUrlProblem::HttpsWithoutTls
    );
}

#[test]
fn library_client_debug_and_errors_never_show_the_password() {
    use voxprep::provider::{
        AccountKind, BaseUrl, BatchOutcome, Client, Content, Credentials, Recipients, SendStatus,
        Timeouts,
    };
    let fake = FakeProvider::start(|i, q| match i {
        0 => Reply::code("0"),
        1 => Reply::Status(500, format!("oops {}", q.raw_query)),
        _ => Reply::Never,
    });
    let client = Client::new(
        BaseUrl::parse(&fake.base_url).unwrap(),
        Credentials::try_new(NAME, PASSWORD).unwrap(),
        Timeouts::with_overall(std::time::Duration::from_millis(500)),
    )
    .unwrap();
    let content = Content::code("1234").unwrap();
    let to = Recipients::parse_list("13800138000").unwrap();
    let mut seen = format!("{client:?}");
    for want in [SendStatus::Accepted, SendStatus::OutcomeUnknown] {
        let reports = client.send(&content, &to, None);
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].status(), want);
        seen.push_str(&format!("{reports:?}"));
        if let BatchOutcome::Failed(e) = &reports[0].outcome {
            assert!(e.may_have_reached_provider());
            seen.push_str(&e.to_string());
        }
    }
    let e = client.balance(AccountKind::Main).unwrap_err();
    seen.push_str(&format!("{e:?} {e}"));
    seen.push_str(&format!("{:?}", client.plan(&content, &to, None)));
    assert!(
        seen.contains("E7254F86ED07C231CDC7657D0F9BC420") && seen.contains("HTTP 500"),
        "{seen}"
    );
    for secret in [PASSWORD, PASSWORD_ENCODED] {
        assert!(!seen.contains(secret), "password leaked: {seen}");
    }
    assert_eq!(fake.settled().len(), 3);
}

/// `voxprep send` and `voxprep balance` themselves.
#[cfg(feature = "cli")]
mod cli {
    use super::*;
    use crate::common::voxprep;
    use serde_json::Value;
    use std::path::Path;

    /// What a run printed, and how it exited.
    struct Run {
        code: i32,
        stdout: String,
        stderr: String,
    }

    impl Run {
        fn json(&self) -> Value {
            serde_json::from_str(&self.stdout)
                .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
        }

        fn all(&self) -> String {
            format!("{}\n{}", self.stdout, self.stderr)
        }
    }

    /// Run voxprep with the test credentials and `base` (if any) as the base URL.
    fn run(base: Option<&str>, args: &[&str]) -> Run {
        run_env(
            base,
            args,
            &[("QXT_CP_NAME", NAME), ("QXT_CP_PASSWORD", PASSWORD)],
        )
    }

    fn run_env(base: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = voxprep();
        for var in [
            "QXT_CP_NAME",
            "QXT_CP_PASSWORD",
            "QXT_BASE_URL",
            "http_proxy",
            "HTTP_PROXY",
            "ALL_PROXY",
            "all_proxy",
        ] {
            cmd.env_remove(var);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.args(args);
        if let Some(b) = base {
            cmd.args(["--base-url", b]);
        }
        let out = cmd.run();
        let r = Run {
            code: out.status.code().expect("exit code"),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert_no_password(&r.all());
        r
    }

    #[test]
    fn each_rejection_family_exits_1_with_its_meaning() {
        let cases = [
            ("-1000", "account does not exist", "用户账号不存在"),
            ("-1003", "IP address not allowed", "IP不合法"),
            ("-1007", "too many messages in one batch", "限制200条"),
            (
                "-1010",
                "invalid destination number",
                "发送目的地手机号码无效",
            ),
            ("-1011", "insufficient balance", "余额不足"),
            ("-1013", "filtered words", "内容包含过滤字"),
            ("-1019", "sending hours", "不在允许的下发时间段"),
            ("-2001", "encryption signature", "加密签名不正确"),
            ("-1099", "system error", "系统异常"),
            ("-9999", "submit-rate limit", "提交通道速度上限"),
            ("9997", "service barred", "短消息业务被禁止"),
            ("-4242", "unknown code", "-4242"),
        ];
        let fake = FakeProvider::start(move |i, _| Reply::code(cases[i].0));
        for (code, en, zh) in cases {
            let r = run(
                Some(&fake.base_url),
                &["send", "code", "1234", "--to", "13800138000"],
            );
            assert_eq!(r.code, 1, "{code}: {}", r.all());
            for want in [code, en, zh] {
                assert!(
                    r.stdout.contains(want),
                    "{code}: missing {want:?} in {}",
                    r.stdout
                );
            }
        }
        assert_eq!(fake.received().len(), cases.len());
    }

    #[test]
    fn numeric_codes_and_extra_fields_are_understood() {
        let fake = FakeProvider::start(|i, _| {
            Reply::Ok(
                [
                    r#"{"code":0,"smsid":"ABC","extra":{"x":1}}"#,
                    r#"{"msg":"no","code":-1012}"#,
                ][i]
                    .to_string(),
            )
        });
        let r = run(
            Some(&fake.base_url),
            &[
                "send",
                "code",
                "1234",
                "--to",
                "13800138000",
                "--format",
                "json",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.all());
        assert_eq!(r.json()["requests"][0]["smsid"], "ABC");
        let r = run(
            Some(&fake.base_url),
            &[
                "send",
                "code",
                "1234",
                "--to",
                "13800138000",
                "--format",
                "json",
            ],
        );
        assert_eq!(r.code, 1, "{}", r.all());
        let q = &r.json()["requests"][0];
        assert_eq!(q["code"], "-1012");
        assert_eq!(q["accepted"], false);
        assert_eq!(q["smsid"], Value::Null);
        assert!(q["message"].as_str().unwrap().contains("黑名单"), "{q}");
    }

    #[test]
    fn numbers_are_deduplicated_and_sent_200_a_request() {
        let dir = tempfile::tempdir().unwrap();
        let list = numbers(450);
        // Same numbers again in other spellings: dropped as duplicates.
        let mut text = String::from("# customers\n");
        for n in &list {
            text.push_str(n);
            text.push('\n');
        }
        text.push_str(&format!("\n+86 {}\n86{}\n", &list[0], &list[449]));
        let file = dir.path().join("to.txt");
        std::fs::write(&file, text).unwrap();
        let fake = FakeProvider::always(Reply::code("0"));
        let to = format!("@{}", file.display());
        let r = run(
            Some(&fake.base_url),
            &["send", "code", "1234", "--to", &to, "--format", "json"],
        );
        assert_eq!(r.code, 0, "{}", r.all());
        let got = fake.received();
        let sizes: Vec<usize> = got.iter().map(|q| q.numbers().len()).collect();
        assert_eq!(sizes, [200, 200, 50]);
        let sent: Vec<String> = got.iter().flat_map(Received::numbers).collect();
        assert_eq!(sent, list, "every number once, in order");
        let doc = r.json();
        let reqs = doc["requests"].as_array().unwrap();
        assert_eq!(reqs.len(), 3);
        assert!(
            reqs.iter()
                .all(|q| q["accepted"] == true && q["code"] == "0" && q["status"] == "accepted")
        );
        assert_eq!(reqs[2]["numbers"].as_array().unwrap().len(), 50);
        assert_eq!(reqs[0]["smsid"], "E7254F86ED07C231CDC7657D0F9BC420");
        assert!(r.stderr.contains("2 duplicate"), "{}", r.stderr);
    }

    #[test]
    fn non_json_body_is_exit_3_quoting_a_redacted_excerpt() {
        // A broken gateway echoing the request URL, password included.
        let fake = FakeProvider::start(|_, q| {
            Reply::Ok(format!(
                "<html><body>Error in /Recv_center?{}</body></html>",
                q.raw_query
            ))
        });
        let r = run(
            Some(&fake.base_url),
            &["send", "code", "1234", "--to", "13800138000"],
        );
        assert_eq!(r.code, 3, "{}", r.all());
        assert!(r.all().contains("not JSON"), "{}", r.all());
        assert!(
            r.all()
                .contains("<html><body>Error in /Recv_center?CpName=acme-corp&CpPassword=***"),
            "{}",
            r.all()
        );
        assert!(
            r.all()
                .contains("outcome unknown: check the status reports before sending again"),
            "{}",
            r.all()
        );
        assert_eq!(fake.received().len(), 1);
    }

    #[test]
    fn http_500_is_exit_3_outcome_unknown() {
        let fake = FakeProvider::always(Reply::Status(500, "Internal Server Error".into()));
        let r = run(
            Some(&fake.base_url),
            &[
                "send",
                "code",
                "1234",
                "--to",
                "13800138000",
                "--format",
                "json",
            ],
        );
        assert_eq!(r.code, 3, "{}", r.all());
        let q = &r.json()["requests"][0];
        assert_eq!(q["status"], "outcome_unknown");
        let msg = q["message"].as_str().unwrap();
        assert!(
            msg.contains("HTTP 500") && msg.contains("Internal Server Error"),
            "{msg}"
        );
        assert!(msg.contains("outcome unknown"), "{msg}");
    }

    #[test]
    fn a_reply_that_never_comes_is_sent_once_and_outcome_unknown() {
        let fake = FakeProvider::always(Reply::Never);
        let list = numbers(450).join(",");
        let started = std::time::Instant::now();
        let r = run(
            Some(&fake.base_url),
            &[
                "send",
                "code",
                "1234",
                "--to",
                &list,
                "--timeout",
                "1",
                "--retry-connect",
                "3",
                "--format",
                "json",
            ],
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(r.code, 3, "{}", r.all());
        assert_eq!(
            fake.settled().len(),
            1,
            "exactly one request, no resend, no next batch"
        );
        assert!(
            r.stderr
                .contains("outcome unknown: check the status reports before sending again"),
            "{}",
            r.stderr
        );
        let statuses: Vec<Value> = r.json()["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["status"].clone())
            .collect();
        assert_eq!(statuses, ["outcome_unknown", "not_sent", "not_sent"]);
    }

    #[test]
    fn human_output_of_an_unknown_outcome() {
        let fake = FakeProvider::always(Reply::Never);
        let r = run(
            Some(&fake.base_url),
            &[
                "send",
                "code",
                "1234",
                "--to",
                "13800138000",
                "--timeout",
                "0.5",
            ],
        );
        assert_eq!(r.code, 3, "{}", r.all());
        assert!(r.stdout.contains("OUTCOME UNKNOWN"), "{}", r.stdout);
        assert_eq!(fake.settled().len(), 1);
    }

    #[test]
    fn connection_refused_is_exit_3_never_sent_and_retried_only_when_asked() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let r = run(
            Some(&base),
            &[
                "send",
                "code",
                "1234",
                "--to",
                "13800138000",
                "--timeout",
                "1",
            ],
        );
        assert_eq!(r.code, 3, "{}", r.all());
        assert!(
            r.stderr.contains("never sent") && r.stderr.contains("safe to send it again"),
            "{}",
            r.stderr
        );
        assert!(!r.all().contains("outcome unknown"), "{}", r.all());
        let r = run(
            Some(&base),
            &[
                "send",
                "code",
                "1234",
                "--to",
                "13800138000",
                "--timeout",
                "1",
                "--retry-connect",
                "1",
            ],
        );
        assert_eq!(r.code, 3, "{}", r.all());
        assert!(r.stderr.contains("(2 attempts)"), "{}", r.stderr);
    }

    #[test]
    fn csv_has_a_row_per_request() {
        let fake = FakeProvider::start(|i, _| Reply::code(if i == 1 { "-1010" } else { "0" }));
        let list = numbers(201).join(",");
        let r = run(
            Some(&fake.base_url),
            &["send", "code", "1234", "--to", &list, "--format", "csv"],
        );
        assert_eq!(r.code, 1, "{}", r.all());
        let rows: Vec<&str> = r.stdout.split("\r\n").collect();
        assert_eq!(rows[0], "numbers,status,accepted,code,smsid,message");
        let first = numbers(200).join(";");
        assert!(
            rows[1].starts_with(&format!(
                "{first},accepted,true,0,E7254F86ED07C231CDC7657D0F9BC420,0: accepted"
            )),
            "{}",
            rows[1]
        );
        assert!(
            rows[2]
                .starts_with("13800000200,rejected,false,-1010,,-1010: invalid destination number"),
            "{}",
            rows[2]
        );
        assert_eq!(rows[3], "", "two rows and a final line end: {}", r.stdout);
        assert!(r.stderr.contains("rejected at least one"), "{}", r.stderr);

        let r = run(
            Some(&fake.base_url),
            &[
                "send",
                "code",
                "1234",
                "--to",
                "13800138000",
                "--format",
                "csv",
                "--dry-run",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.all());
        let rows: Vec<&str> = r.stdout.split("\r\n").collect();
        assert_eq!(rows[0], "numbers,content,url");
        assert!(
            rows[1].starts_with(&format!(
                "13800138000,【语音验证码】1234,{}/Recv_center?CpName=acme-corp&CpPassword=***&",
                fake.base_url
            )),
            "{}",
            rows[1]
        );
        assert_eq!(fake.settled().len(), 2, "the dry run sent nothing");
    }

    #[test]
    fn balance_in_fen_and_yuan() {
        let fake = FakeProvider::always(Reply::Ok("12345".into()));
        let r = run(Some(&fake.base_url), &["balance"]);
        assert_eq!(r.code, 0, "{}", r.all());
        assert!(
            r.stdout.contains("12345 fen") && r.stdout.contains("123.45"),
            "{}",
            r.stdout
        );
        let r = run(Some(&fake.base_url), &["balance", "--format", "json"]);
        let doc = r.json();
        assert_eq!(doc["code"], 0);
        assert_eq!(doc["balance_fen"], 12345);
        assert_eq!(doc["yuan"], "123.45");
        let q = &fake.received()[0];
        assert_eq!(q.path, "/QueryBlance");
        assert_eq!(q.keys(), ["CpName", "CpPassword"]);
        assert_credentials(q);
    }

    #[test]
    fn balance_as_csv() {
        let fake = FakeProvider::start(|i, _| Reply::Ok(["12345", "-2"][i].into()));
        let r = run(Some(&fake.base_url), &["balance", "--format", "csv"]);
        assert_eq!(r.code, 0, "{}", r.all());
        assert_eq!(
            r.stdout,
            "code,balance_fen,yuan,messages_left,message,error\r\n0,12345,123.45,,,\r\n"
        );
        let r = run(Some(&fake.base_url), &["balance", "--format", "csv"]);
        assert_eq!(r.code, 1, "{}", r.all());
        assert!(
        r.stdout.ends_with(
            "\r\n-2,,,,-2: the balance may be queried once a minute at most (1分钟之内只能查询一次余额),\r\n"
        ),
        "{}",
        r.stdout
    );
    }

    #[test]
    fn sub_account_balance_is_messages_left() {
        let fake = FakeProvider::always(Reply::Ok("77\r\n".into()));
        let r = run(Some(&fake.base_url), &["balance", "--sub-account"]);
        assert_eq!(r.code, 0, "{}", r.all());
        assert!(r.stdout.contains("messages left: 77"), "{}", r.stdout);
        assert!(!r.stdout.contains("fen"), "{}", r.stdout);
        let doc = run(
            Some(&fake.base_url),
            &["balance", "--sub-account", "--format", "json"],
        )
        .json();
        assert_eq!(doc["messages_left"], 77);
        assert_eq!(doc["balance_fen"], Value::Null);
    }

    #[test]
    fn balance_refusals_exit_1_with_their_meaning() {
        let cases = [
            ("-1", "wrong account or password", "账号或密码错误"),
            ("-2", "once a minute", "1分钟之内只能查询一次余额"),
            ("-3", "not enabled", "该账号未开通"),
            ("-99", "insufficient balance", "余额不足"),
            ("-5", "unknown code", "-5"),
        ];
        let fake = FakeProvider::start(move |i, _| Reply::Ok(cases[i / 2].0.into()));
        for (code, en, zh) in cases {
            let r = run(Some(&fake.base_url), &["balance"]);
            assert_eq!(r.code, 1, "{code}: {}", r.all());
            for want in [en, zh] {
                assert!(
                    r.stdout.contains(want),
                    "{code}: missing {want:?} in {}",
                    r.stdout
                );
            }
            let doc = run(Some(&fake.base_url), &["balance", "--format", "json"]).json();
            assert_eq!(doc["code"].as_i64(), Some(code.parse().unwrap()));
            assert_eq!(doc["balance_fen"], Value::Null);
        }
    }

    #[test]
    fn balance_garbage_and_http_errors_exit_3() {
        let fake = FakeProvider::start(|i, _| match i {
            0 => Reply::Ok("<html>maintenance</html>".into()),
            1 => Reply::Status(503, "busy".into()),
            _ => Reply::Never,
        });
        let r = run(Some(&fake.base_url), &["balance"]);
        assert_eq!(r.code, 3, "{}", r.all());
        assert!(
            r.stderr.contains("not a whole number") && r.stderr.contains("maintenance"),
            "{}",
            r.stderr
        );
        let r = run(Some(&fake.base_url), &["balance", "--format", "json"]);
        assert_eq!(r.code, 3, "{}", r.all());
        assert!(
            r.json()["error"].as_str().unwrap().contains("HTTP 503"),
            "{}",
            r.stdout
        );
        let r = run(Some(&fake.base_url), &["balance", "--timeout", "0.5"]);
        assert_eq!(r.code, 3, "{}", r.all());
        assert!(r.stderr.contains("no balance was read"), "{}", r.stderr);
    }

    #[test]
    fn validation_failures_send_nothing_and_exit_2() {
        let fake = FakeProvider::always(Reply::code("0"));
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.txt");
        let missing_at = format!("@{}", missing.display());
        let missing_wav = dir.path().join("sub").join("missing.wav");
        let missing_wav = missing_wav.to_str().unwrap();
        let dir_path = dir.path().to_str().unwrap();
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (
                vec!["send", "code", "123", "--to", "13800138000"],
                "4 to 6 digits",
            ),
            (
                vec!["send", "code", "12ab", "--to", "13800138000"],
                "4 to 6 digits",
            ),
            (
                vec!["send", "code", "1234", "--to", "12345"],
                "not a mainland mobile number",
            ),
            (
                vec!["send", "code", "1234", "--to", "13800138000,abc"],
                "item 2",
            ),
            (
                vec!["send", "code", "1234", "--to", ","],
                "no destination numbers",
            ),
            (
                vec!["send", "code", "1234", "--to", &missing_at],
                "cannot read the number file",
            ),
            (
                vec![
                    "send",
                    "code",
                    "1234",
                    "--to",
                    "13800138000",
                    "--ext-code",
                    "12x",
                ],
                "extension code",
            ),
            (
                vec![
                    "send",
                    "tts",
                    "--app",
                    "A|B",
                    "--template",
                    "T",
                    "--to",
                    "13800138000",
                ],
                "'|'",
            ),
            (
                vec![
                    "send",
                    "tts",
                    "--app",
                    "A",
                    "--template",
                    "T",
                    "--param",
                    "",
                    "--to",
                    "13800138000",
                ],
                "is empty",
            ),
            (
                vec![
                    "send",
                    "file",
                    "--app",
                    "A",
                    "--template",
                    "",
                    "--recording",
                    "r.wav",
                    "--to",
                    "13800138000",
                ],
                "template id",
            ),
            (
                vec![
                    "send",
                    "file",
                    "--app",
                    "A",
                    "--template",
                    "T",
                    "--recording",
                    missing_wav,
                    "--to",
                    "13800138000",
                ],
                "no such file",
            ),
            (
                vec![
                    "send",
                    "file",
                    "--app",
                    "A",
                    "--template",
                    "T",
                    "--recording",
                    dir_path,
                    "--to",
                    "13800138000",
                ],
                "not a regular file",
            ),
            (
                vec![
                    "send",
                    "file",
                    "--app",
                    "A",
                    "--template",
                    "T",
                    "--recording",
                    "r|x.wav",
                    "--to",
                    "13800138000",
                ],
                "'|'",
            ),
            (
                vec![
                    "send",
                    "code",
                    "1234",
                    "--to",
                    "13800138000",
                    "--timeout",
                    "0",
                ],
                "more than 0",
            ),
        ];
        for (args, want) in &cases {
            let r = run(Some(&fake.base_url), args);
            assert_eq!(r.code, 2, "{args:?}: {}", r.all());
            assert!(
                r.stderr.contains(want),
                "{args:?}: missing {want:?} in {}",
                r.stderr
            );
        }
        let r = run(
            Some("ftp://127.0.0.1"),
            &["send", "code", "1234", "--to", "13800138000"],
        );
        assert_eq!(r.code, 2, "{}", r.all());
        assert!(r.stderr.contains("http://"), "{}", r.stderr);
        assert!(
            fake.settled().is_empty(),
            "a validation failure sent a request"
        );
    }

    #[test]
    fn base_urls_with_credentials_are_refused_with_where_credentials_come_from() {
        let r = run(
            Some(&format!("http://{NAME}:{PASSWORD_ENCODED}@127.0.0.1:9")),
            &["balance"],
        );
        assert_eq!(r.code, 2, "{}", r.all());
        assert!(
            r.stderr.contains("must not carry user info")
                && r.stderr
                    .contains("come from QXT_CP_NAME and QXT_CP_PASSWORD"),
            "{}",
            r.stderr
        );
    }

    /// The binary's default features leave TLS out: an https base URL is refused
    /// before anything is sent, saying why.
    #[cfg(not(feature = "tls"))]
    #[test]
    fn https_needs_the_tls_feature() {
        let r = run(
            Some("https://127.0.0.1:9"),
            &["send", "code", "1234", "--to", "13800138000"],
        );
        assert_eq!(r.code, 2, "{}", r.all());
        assert!(
            r.stderr
                .contains("https needs voxprep built with the `tls` cargo feature"),
            "{}",
            r.stderr
        );
    }

    #[test]
    fn missing_credentials_are_usage_errors_naming_the_variable() {
        let fake = FakeProvider::always(Reply::code("0"));
        for (env, var) in [
            (vec![("QXT_CP_PASSWORD", PASSWORD)], "QXT_CP_NAME"),
            (vec![("QXT_CP_NAME", NAME)], "QXT_CP_PASSWORD"),
            (
                vec![("QXT_CP_NAME", NAME), ("QXT_CP_PASSWORD", "")],
                "QXT_CP_PASSWORD",
            ),
        ] {
            for args in [
                &["send", "code", "1234", "--to", "13800138000"][..],
                &["balance"],
            ] {
                let r = run_env(Some(&fake.base_url), args, &env);
                assert_eq!(r.code, 2, "{}", r.all());
                assert!(r.stderr.contains(var), "{var}: {}", r.stderr);
            }
        }
        assert!(fake.settled().is_empty());
    }

    #[test]
    fn dry_run_prints_the_redacted_request_and_sends_nothing() {
        let fake = FakeProvider::always(Reply::code("0"));
        let list = numbers(201).join(",");
        let r = run(
            Some(&fake.base_url),
            &[
                "send",
                "file",
                "--app",
                "A",
                "--template",
                "T",
                "--recording",
                "x.vox",
                "--to",
                &list,
                "--dry-run",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.all());
        assert!(r.stdout.contains("nothing sent"), "{}", r.stdout);
        assert!(
            r.stdout.contains("【语音通知文件】A|T|x.vox"),
            "{}",
            r.stdout
        );
        assert!(
            r.stdout.contains(&format!(
                "GET {}/Recv_center?CpName=acme-corp&CpPassword=***&DesMobile=13800000000,",
                fake.base_url
            )),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("request 2/2 (1 numbers)"), "{}", r.stdout);
        let r = run(
            Some(&fake.base_url),
            &[
                "send",
                "code",
                "1234",
                "--to",
                "13800138000",
                "--dry-run",
                "--format",
                "json",
            ],
        );
        let doc = r.json();
        assert_eq!(doc["dry_run"], true);
        assert_eq!(doc["requests"][0]["content"], "【语音验证码】1234");
        assert!(
            doc["requests"][0]["url"]
                .as_str()
                .unwrap()
                .contains("CpPassword=***&"),
            "{doc}"
        );
        let r = run(Some(&fake.base_url), &["balance", "--dry-run"]);
        assert!(
            r.stdout
                .contains("QueryBlance?CpName=acme-corp&CpPassword=***"),
            "{}",
            r.stdout
        );
        assert!(fake.settled().is_empty());
    }

    /// Each form of `send` and its flags become the content and query the
    /// dry run shows: the TTS parameter, key presses, the extension code.
    #[test]
    fn dry_runs_show_each_form_from_its_flags() {
        let fake = FakeProvider::always(Reply::code("0"));
        let plan = |args: &[&str]| {
            let mut all = args.to_vec();
            all.extend(["--to", "13800138000", "--dry-run", "--format", "json"]);
            let r = run(Some(&fake.base_url), &all);
            assert_eq!(r.code, 0, "{}", r.all());
            r.json()["requests"][0].clone()
        };
        let q = plan(&[
            "send",
            "tts",
            "--app",
            "A1",
            "--template",
            "TPL-9",
            "--param",
            "张三 先生",
            "--keypress",
            "--ext-code",
            "10690001",
        ]);
        assert_eq!(q["content"], "【语音通知按键】A1|TPL-9|张三 先生");
        let url = q["url"].as_str().unwrap();
        assert!(
            url.ends_with("&ExtCode=10690001") && url.contains("%20"),
            "{url}"
        );
        let q = plan(&["send", "tts", "--app", "A1", "--template", "T"]);
        assert_eq!(q["content"], "【语音通知】A1|T|");
        assert!(!q["url"].as_str().unwrap().contains("ExtCode"), "{q}");
        let q = plan(&[
            "send",
            "file",
            "--app",
            "app1",
            "--template",
            "T7",
            "--recording",
            "welcome.wav",
        ]);
        assert_eq!(q["content"], "【语音通知文件】app1|T7|welcome.wav");
        assert!(fake.settled().is_empty());
    }

    #[test]
    fn base_url_comes_from_the_environment() {
        let fake = FakeProvider::always(Reply::Ok("5".into()));
        let r = run_env(
            None,
            &["balance"],
            &[
                ("QXT_CP_NAME", NAME),
                ("QXT_CP_PASSWORD", PASSWORD),
                ("QXT_BASE_URL", &fake.base_url),
            ],
        );
        assert_eq!(r.code, 0, "{}", r.all());
        assert_eq!(fake.received().len(), 1);
    }

    #[test]
    fn help_does_not_show_the_password() {
        let r = run(None, &["send", "code", "--help"]);
        assert_eq!(r.code, 0);
        assert!(
            r.stdout.contains("--to") && r.stdout.contains("--dry-run"),
            "{}",
            r.stdout
        );
    }

    /// Write a 16-bit mono WAV of a 440 Hz tone (hound, not voxprep).
    fn tone_wav(path: &Path, rate: u32, channels: u16, seconds: f64) {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        let frames = (f64::from(rate) * seconds) as u32;
        for i in 0..frames {
            let s = (f64::from(i) * 440.0 * std::f64::consts::TAU / f64::from(rate)).sin() * 8000.0;
            for _ in 0..channels {
                w.write_sample(s as i16).unwrap();
            }
        }
        w.finalize().unwrap();
    }

    #[test]
    fn a_local_recording_is_checked_and_only_its_name_sent() {
        let dir = tempfile::tempdir().unwrap();
        let wav = dir.path().join("welcome.wav");
        tone_wav(&wav, 8000, 1, 12.5);
        let fake = FakeProvider::always(Reply::code("0"));
        let r = run(
            Some(&fake.base_url),
            &[
                "send",
                "file",
                "--app",
                "A",
                "--template",
                "T",
                "--recording",
                wav.to_str().unwrap(),
                "--to",
                "13800138000,13900139000",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.all());
        assert!(
            r.stderr.contains("2 unit(s) of 12 s per answered call"),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr.contains("up to 4 unit(s) for 2 number(s)"),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr
                .contains(&format!("PASS    12.500 s    2 units  {}\n", wav.display())),
            "{}",
            r.stderr
        );
        assert_eq!(
            fake.received()[0].param("Content"),
            Some("【语音通知文件】A|T|welcome.wav")
        );
        let r = run(
            Some(&fake.base_url),
            &[
                "send",
                "file",
                "--app",
                "A",
                "--template",
                "T",
                "--recording",
                wav.to_str().unwrap(),
                "--to",
                "13800138000",
                "--format",
                "json",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.all());
        assert_eq!(r.json()["billing_units_per_call"], 2);
    }

    #[test]
    fn a_failing_recording_is_refused_unless_no_check() {
        let dir = tempfile::tempdir().unwrap();
        let wav = dir.path().join("music.wav");
        tone_wav(&wav, 44100, 2, 0.5);
        let wav = wav.to_str().unwrap();
        let fake = FakeProvider::always(Reply::code("0"));
        let r = run(
            Some(&fake.base_url),
            &[
                "send",
                "file",
                "--app",
                "A",
                "--template",
                "T",
                "--recording",
                wav,
                "--to",
                "13800138000",
            ],
        );
        assert_eq!(r.code, 2, "{}", r.all());
        assert!(
            r.stderr.contains("FAIL") && r.stderr.contains("nothing sent"),
            "{}",
            r.stderr
        );
        // The file's lines are `voxprep check`'s own, problems and all.
        let check = voxprep().args(["check", wav]).run();
        let check = check.stdout();
        let file_lines = check.split("\n\n").next().unwrap();
        assert!(
            file_lines.starts_with("FAIL") && file_lines.contains("      error "),
            "{check}"
        );
        assert!(
            r.stderr.contains(file_lines),
            "not check's words:\n{file_lines}\nin:\n{}",
            r.stderr
        );
        assert!(fake.settled().is_empty(), "a failing recording was sent");
        let r = run(
            Some(&fake.base_url),
            &[
                "send",
                "file",
                "--app",
                "A",
                "--template",
                "T",
                "--recording",
                wav,
                "--to",
                "13800138000",
                "--no-check",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.all());
        assert_eq!(
            fake.received()[0].param("Content"),
            Some("【语音通知文件】A|T|music.wav")
        );
    }

    #[test]
    fn the_documented_replies() {
        let fake = FakeProvider::start(|i, _| {
            Reply::Ok(fixture_text(
                [
                    "provider/submit-accepted.json",
                    "provider/submit-rejected-1000.json",
                ][i],
            ))
        });
        let r = run(
            Some(&fake.base_url),
            &["send", "code", "1234", "--to", "13800138000"],
        );
        assert_eq!(r.code, 0, "{}", r.all());
        assert!(
            r.stdout
                .contains("accepted, smsid E7254F86ED07C231CDC7657D0F9BC420"),
            "{}",
            r.stdout
        );
        let r = run(
            Some(&fake.base_url),
            &["send", "code", "1234", "--to", "13800138000"],
        );
        assert_eq!(r.code, 1, "{}", r.all());
        assert!(
            r.stdout
                .contains("-1000: account does not exist (用户账号不存在)"),
            "{}",
            r.stdout
        );
    }
}
