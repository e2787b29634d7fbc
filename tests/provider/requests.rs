//! What the library puts on the wire: each form of content in the query,
//! the numbers in batches of 200, the plan of a dry run, and the password
//! nowhere but in the query itself.

use super::*;
use std::time::Duration;
use voxprep::provider::{AccountKind, BaseUrlProblem, ExtCode};

#[test]
fn file_notice_sends_the_exact_query() {
    let fake = FakeProvider::always(Reply::code("0"));
    let content = Content::file("app1", "T7", "welcome.wav").unwrap();
    let to = Recipients::parse_list("138 0013 8000,+8613900139000").unwrap();
    let reports = client(&fake.base_url).send(&content, &to, None);
    assert_eq!(reports.len(), 1);
    assert_eq!(replied(&reports[0]), (StatusCode(0), Some(SMSID)));
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
    let (text, list) = numbers_with_duplicates();
    let to = Recipients::parse_lines(&text, "to.txt").unwrap();
    assert_eq!(to.duplicates_removed(), 2);
    let fake = FakeProvider::always(Reply::code("0"));
    let content = Content::code("1234").unwrap();
    let reports = client(&fake.base_url).send(&content, &to, None);
    assert_sent_200_a_request(&fake, &list);
    assert_eq!(statuses(&reports), [SendStatus::Accepted; 3]);
    assert_eq!(reports[2].numbers.len(), 50);
    assert_eq!(replied(&reports[0]).1, Some(SMSID));
}

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
fn client_debug_and_errors_never_show_the_password() {
    let fake = FakeProvider::start(|i, q| match i {
        0 => Reply::code("0"),
        1 => Reply::Status(500, format!("oops {}", q.raw_query)),
        _ => Reply::Never,
    });
    let client = client_with(
        &fake.base_url,
        Timeouts::with_overall(Duration::from_millis(500)),
    );
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
    assert!(seen.contains(SMSID) && seen.contains("HTTP 500"), "{seen}");
    assert_no_password(&seen);
    assert_eq!(fake.settled().len(), 3);
}

/// `send_with` tells its journal about each request before it goes out and
/// after; when the journal fails, nothing more goes out and the rest is
/// `NotRecorded`.
#[test]
fn the_journal_hears_of_each_request_first_and_a_failing_one_stops_the_send() {
    use voxprep::provider::{BatchOutcome, Step, StopCause};
    let fake = FakeProvider::always(Reply::code("0"));
    let client = client(&fake.base_url);
    let content = Content::file("A", "T", "x.vox").unwrap();
    let to = Recipients::parse_list(&numbers(450).join(",")).unwrap();
    let mut heard = Vec::new();
    let (reports, failure) = client.send_with(&content, &to, None, |step| {
        match step {
            Step::Before(numbers) => {
                heard.push(format!(
                    "before {} ({} sent so far)",
                    numbers.len(),
                    fake.settled().len()
                ));
                if heard.len() == 5 {
                    return Err("disk full");
                }
            }
            Step::After(r) => heard.push(format!("after {}", r.numbers.len())),
        }
        Ok(())
    });
    assert_eq!(
        heard,
        [
            "before 200 (0 sent so far)",
            "after 200",
            "before 200 (1 sent so far)",
            "after 200",
            "before 50 (2 sent so far)",
        ]
    );
    assert_eq!(failure, Some("disk full"));
    assert_eq!(
        fake.settled().len(),
        2,
        "the unrecorded request never went out"
    );
    assert!(matches!(
        reports[2].outcome,
        BatchOutcome::NotAttempted(StopCause::NotRecorded)
    ));
}
