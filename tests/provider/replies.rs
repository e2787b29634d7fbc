//! The replies to a send, through the library: each rejection and its
//! meaning, and each way a request can fail (a body that is not the
//! reply, an HTTP error, a redirect, no answer, no connection), with what
//! it means for sending again.

use super::*;
use std::time::{Duration, Instant};
use voxprep::provider::{StopCause, unsent_numbers};

/// The account-wide rejections: balance (-1011, -1006), account (-1000,
/// -1004, -1005), IP address (-1003) and channel (-1018, -1020).
const ACCOUNT_WIDE: [&str; 8] = [
    "-1011", "-1006", "-1000", "-1004", "-1005", "-1003", "-1018", "-1020",
];

/// The numbers of `reports` that may be sent again, as strings.
fn unsent(reports: &[BatchReport]) -> Vec<String> {
    unsent_numbers(reports)
        .iter()
        .map(|m| m.as_str().to_string())
        .collect()
}

#[test]
fn each_rejection_is_a_reply_with_its_meaning() {
    let fake = FakeProvider::start(|i, _| Reply::code(REJECTIONS[i].0));
    let client = client(&fake.base_url);
    for (code, en, zh) in REJECTIONS {
        let reports = send_code(&client, "13800138000");
        assert_eq!(statuses(&reports), [SendStatus::Rejected], "{code}");
        let (got, smsid) = replied(&reports[0]);
        assert_eq!((got.0.to_string(), smsid), (code.to_string(), None));
        let words = got.describe();
        for want in [code, en, zh] {
            assert!(words.contains(want), "{code}: missing {want:?} in {words}");
        }
    }
    assert_eq!(fake.received().len(), REJECTIONS.len());
}

#[test]
fn numeric_codes_and_extra_fields_are_understood() {
    let fake = answering(NUMERIC_REPLIES);
    let client = client(&fake.base_url);
    let reports = send_code(&client, "13800138000");
    assert_eq!(replied(&reports[0]), (StatusCode(0), Some("ABC")));
    let reports = send_code(&client, "13800138000");
    assert_eq!(statuses(&reports), [SendStatus::Rejected]);
    let (code, smsid) = replied(&reports[0]);
    assert_eq!((code, smsid), (StatusCode(-1012), None));
    assert!(code.meaning().unwrap().zh.contains("黑名单"));
}

/// The replies as the provider's document prints them.
#[test]
fn the_documented_replies() {
    let fake = answering(documented_replies());
    let client = client(&fake.base_url);
    let reports = send_code(&client, "13800138000");
    assert_eq!(replied(&reports[0]), (StatusCode(0), Some(SMSID)));
    let reports = send_code(&client, "13800138000");
    assert_eq!(replied(&reports[0]), (StatusCode(-1000), None));
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

/// A rejection that applies to the whole account stops the send: the
/// provider sees one request, the other two are `not_sent`, and all 450
/// numbers may be sent again once the account is put right (nobody was
/// called).
#[test]
fn an_account_wide_rejection_stops_the_remaining_requests() {
    for code in ACCOUNT_WIDE {
        let fake = FakeProvider::always(Reply::code(code));
        let reports = send_code(&client(&fake.base_url), &numbers(450).join(","));
        assert_eq!(fake.settled().len(), 1, "{code}: exactly one request");
        assert_eq!(
            statuses(&reports),
            [
                SendStatus::Rejected,
                SendStatus::NotSent,
                SendStatus::NotSent
            ],
            "{code}"
        );
        let want = StopCause::AccountRejected(StatusCode(code.parse().unwrap()));
        for r in &reports[1..] {
            assert!(
                matches!(r.outcome, BatchOutcome::NotAttempted(c) if c == want),
                "{code}: {:?}",
                r.outcome
            );
        }
        assert_eq!(unsent(&reports), numbers(450), "{code}");
    }
}

/// A rejection about this content (-1013 filtered words) or these numbers
/// (-1012 blacklisted) does not stop the send, and those numbers are not
/// ones to send again.
#[test]
fn a_rejection_about_numbers_or_content_does_not_stop() {
    for code in ["-1013", "-1012"] {
        let fake = FakeProvider::start(move |i, _| Reply::code(if i == 0 { code } else { "0" }));
        let reports = send_code(&client(&fake.base_url), &numbers(450).join(","));
        assert_eq!(fake.settled().len(), 3, "{code}");
        assert_eq!(
            statuses(&reports),
            [
                SendStatus::Rejected,
                SendStatus::Accepted,
                SendStatus::Accepted
            ]
        );
        assert!(unsent(&reports).is_empty());
    }
}

/// A garbage reply to request 2 of 3: request 2's outcome is unknown (not
/// to be sent again blindly), request 3 is not sent and its 50 numbers are
/// the ones to send again.
#[test]
fn a_garbage_reply_to_request_2_leaves_the_last_50_numbers_unsent() {
    let fake = FakeProvider::start(|i, _| {
        if i == 1 {
            Reply::Ok("<html>gateway busy</html>".into())
        } else {
            Reply::code("0")
        }
    });
    let reports = send_code(&client(&fake.base_url), &numbers(450).join(","));
    assert_eq!(fake.settled().len(), 2);
    assert_eq!(
        statuses(&reports),
        [
            SendStatus::Accepted,
            SendStatus::OutcomeUnknown,
            SendStatus::NotSent
        ]
    );
    assert_eq!(unsent(&reports), numbers(450)[400..]);
}

/// Send code 1234 to one number through `fake`, expecting an unknown
/// outcome whose error `is` what it should be; the error's words.
#[track_caller]
fn unknown_outcome(fake: &FakeProvider, is: impl Fn(&ProviderError) -> bool) -> String {
    let reports = send_code(&client(&fake.base_url), "13800138000");
    assert_eq!(statuses(&reports), [SendStatus::OutcomeUnknown]);
    let e = failure(&reports[0]);
    assert!(is(e), "{e:?}");
    e.to_string()
}

#[test]
fn non_json_body_is_outcome_unknown_quoting_a_redacted_excerpt() {
    let fake = echoing_gateway();
    let words = unknown_outcome(&fake, |e| matches!(e, ProviderError::UnexpectedBody { .. }));
    assert!(words.contains("not JSON"), "{words}");
    assert!(words.contains(ECHO_REDACTED), "{words}");
    assert!(words.contains(CHECK_BEFORE_RESENDING), "{words}");
    assert_eq!(fake.received().len(), 1);
}

#[test]
fn missing_code_is_outcome_unknown() {
    let fake = FakeProvider::always(Reply::Ok(r#"{"smsid":"X"}"#.into()));
    let words = unknown_outcome(&fake, |e| matches!(e, ProviderError::UnexpectedBody { .. }));
    assert!(words.contains("no \"code\""), "{words}");
}

#[test]
fn http_500_is_outcome_unknown() {
    let fake = FakeProvider::always(Reply::Status(500, "Internal Server Error".into()));
    let words = unknown_outcome(&fake, |e| {
        matches!(e, ProviderError::Http { status: 500, .. })
    });
    assert!(
        words.contains("HTTP 500") && words.contains("Internal Server Error"),
        "{words}"
    );
    assert!(words.contains("outcome unknown"), "{words}");
}

#[test]
fn redirects_are_not_followed() {
    let fake = FakeProvider::start(|_, q| Reply::Redirect(format!("/Recv_center?{}", q.raw_query)));
    let words = unknown_outcome(&fake, |e| {
        matches!(e, ProviderError::Http { status: 302, .. })
    });
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
    assert!(e.to_string().contains(CHECK_BEFORE_RESENDING), "{e}");
    assert!(matches!(
        reports[1].outcome,
        BatchOutcome::NotAttempted(StopCause::TransportFailure)
    ));
}

#[test]
fn connection_refused_is_never_sent_and_retried_only_when_asked() {
    let once = client_with(
        &nobody_listening(),
        Timeouts::with_overall(Duration::from_secs(1)),
    );
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
    assert!(words.contains(CHECK_BEFORE_RESENDING), "{words}");
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
