//! The provider's HTTP API against a fake provider on 127.0.0.1: the
//! requests on the wire (`requests`), the replies to a send and what each
//! failure means (`replies`) and the balance query (`balance`), through the
//! library (`provider::Client`); `voxprep send` and `voxprep balance` (exit
//! codes, flags, the three formats, the words on stderr), through the
//! binary (`cli`).
//!
//! The cases both sides need (the rejection codes and their words, the
//! scripted fakes) are here, once.
//!
//! The password shows nowhere a person looks: the library's errors and
//! `Debug` output are searched for it, and every run of the binary goes
//! through `cli::run_env()`, which asserts that no decoding of stdout or
//! stderr recovers it (`secrets`: the encodings and decodings, and a
//! property test of the redaction).

mod balance;
#[cfg(feature = "cli")]
mod cli;
mod replies;
mod requests;
mod secrets;

use crate::common::fixture;
use crate::fake_provider::{FakeProvider, Received, Reply};
use voxprep::provider::{
    BaseUrl, BatchOutcome, BatchReport, Client, Content, Credentials, ProviderError, Recipients,
    SendStatus, StatusCode, Timeouts,
};

const NAME: &str = "acme-corp";
/// A password with characters that need percent-encoding.
const PASSWORD: &str = "Pw-s3cr3t!&=x";
const PASSWORD_ENCODED: &str = "Pw-s3cr3t%21%26%3Dx";

/// The smsid of the fake's acceptances (`Reply::code("0")`) and of the
/// documented one.
const SMSID: &str = "E7254F86ED07C231CDC7657D0F9BC420";

/// What an unknown outcome advises, in the library's words and the CLI's.
const CHECK_BEFORE_RESENDING: &str =
    "outcome unknown: check the status reports before sending again";

/// Each submit rejection the provider documents, and one it does not: the
/// code and the words (English, Chinese) that must describe it.
const REJECTIONS: [(&str, &str, &str); 12] = [
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

/// Each balance refusal the provider documents, and one it does not, the
/// same way.
const BALANCE_REFUSALS: [(&str, &str, &str); 5] = [
    ("-1", "wrong account or password", "账号或密码错误"),
    ("-2", "once a minute", "1分钟之内只能查询一次余额"),
    ("-3", "not enabled", "该账号未开通"),
    ("-99", "insufficient balance", "余额不足"),
    ("-5", "unknown code", "-5"),
];

/// Submit replies with numeric codes and fields the document does not
/// list: an acceptance (smsid `ABC`), then rejection -1012 (blacklisted).
const NUMERIC_REPLIES: [&str; 2] = [
    r#"{"code":0,"smsid":"ABC","extra":{"x":1}}"#,
    r#"{"msg":"no","code":-1012}"#,
];

/// How [`echoing_gateway`]'s page is quoted: its start, the password hidden.
const ECHO_REDACTED: &str = "<html><body>Error in /Recv_center?CpName=acme-corp&CpPassword=***";

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

/// The balance query: its path, its parameters in order, the credentials.
fn assert_balance_query(q: &Received) {
    assert_eq!(q.path, "/QueryBlance");
    assert_eq!(q.keys(), ["CpName", "CpPassword"]);
    assert_credentials(q);
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

/// A fake answering its requests, in order, with HTTP 200 and these bodies.
fn answering<S: Into<String>>(bodies: impl IntoIterator<Item = S>) -> FakeProvider {
    let bodies: Vec<String> = bodies.into_iter().map(Into::into).collect();
    FakeProvider::start(move |i, _| Reply::Ok(bodies[i].clone()))
}

/// The provider document's own submit replies (fixtures/provider), in
/// order: an acceptance, then rejection -1000.
fn documented_replies() -> Vec<String> {
    ["submit-accepted.json", "submit-rejected-1000.json"]
        .map(|name| std::fs::read_to_string(fixture(&format!("provider/{name}"))).unwrap())
        .to_vec()
}

/// A broken gateway: HTTP 200 and an HTML page echoing the request URL,
/// password included.
fn echoing_gateway() -> FakeProvider {
    FakeProvider::start(|_, q| {
        Reply::Ok(format!(
            "<html><body>Error in /Recv_center?{}</body></html>",
            q.raw_query
        ))
    })
}

/// A balance query answered with a page that is no number, then HTTP 503,
/// then never.
fn failing_balance() -> FakeProvider {
    FakeProvider::start(|i, _| match i {
        0 => Reply::Ok("<html>maintenance</html>".into()),
        1 => Reply::Status(503, "busy".into()),
        _ => Reply::Never,
    })
}

/// A base URL nobody listens on: a port bound and let go.
fn nobody_listening() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

/// A number list of 450 numbers, one a line under a comment, then the
/// first and the last again in other spellings (duplicates, to be dropped);
/// and the 450 numbers.
fn numbers_with_duplicates() -> (String, Vec<String>) {
    let list = numbers(450);
    let mut text = String::from("# customers\n");
    for n in &list {
        text.push_str(n);
        text.push('\n');
    }
    text.push_str(&format!("\n+86 {}\n86{}\n", &list[0], &list[449]));
    (text, list)
}

/// The fake received `list` in requests of 200, 200 and 50: every number
/// once, in order.
#[track_caller]
fn assert_sent_200_a_request(fake: &FakeProvider, list: &[String]) {
    let got = fake.received();
    let sizes: Vec<usize> = got.iter().map(|q| q.numbers().len()).collect();
    assert_eq!(sizes, [200, 200, 50]);
    let sent: Vec<String> = got.iter().flat_map(Received::numbers).collect();
    assert_eq!(sent, list, "every number once, in order");
}

// ------------------------------------------------ the library's side

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
