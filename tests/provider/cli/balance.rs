//! `voxprep balance`: the balance in fen and yuan or in messages, in each
//! format; a refusal exits 1, a failure 3. Which code means what is the
//! library's (`provider::balance`); here two cases show it through the
//! command.

use super::*;
use serde_json::Value;

#[test]
fn balance_in_fen_and_yuan() {
    let fake = FakeProvider::always(Reply::Ok("12345".into()));
    run(Some(&fake.base_url), &["balance"])
        .success()
        .stdout_has("12345 fen")
        .stdout_has("123.45");
    let doc = run(Some(&fake.base_url), &["balance", "--format", "json"]).json();
    assert_eq!(doc["code"], 0);
    assert_eq!(doc["balance_fen"], 12345);
    assert_eq!(doc["yuan"], "123.45");
    assert_balance_query(&fake.received()[0]);
}

#[test]
fn balance_as_csv() {
    let fake = answering(["12345", "-2"]);
    let csv = ["balance", "--format", "csv"];
    let r = run(Some(&fake.base_url), &csv).success();
    assert_eq!(
        r.stdout(),
        "code,balance_fen,yuan,messages_left,message,error\r\n0,12345,123.45,,,\r\n"
    );
    let r = run(Some(&fake.base_url), &csv).code(1);
    assert!(
        r.stdout().ends_with(
            "\r\n-2,,,,-2: the balance may be queried once a minute at most (1分钟之内只能查询一次余额),\r\n"
        ),
        "{r}"
    );
}

#[test]
fn sub_account_balance_is_messages_left() {
    let fake = FakeProvider::always(Reply::Ok("77\r\n".into()));
    run(Some(&fake.base_url), &["balance", "--sub-account"])
        .success()
        .stdout_has("messages left: 77")
        .stdout_lacks("fen");
    let doc = run(
        Some(&fake.base_url),
        &["balance", "--sub-account", "--format", "json"],
    )
    .json();
    assert_eq!(doc["messages_left"], 77);
    assert_eq!(doc["balance_fen"], Value::Null);
}

/// A refusal the document lists and one it does not: exit 1, the meaning
/// in words, the code (and no balance) in JSON.
#[test]
fn balance_refusals_exit_1_with_their_meaning() {
    let cases = [BALANCE_REFUSALS[1], BALANCE_REFUSALS[4]];
    let fake = FakeProvider::start(move |i, _| Reply::Ok(cases[i / 2].0.into()));
    for (code, en, zh) in cases {
        run(Some(&fake.base_url), &["balance"])
            .code(1)
            .stdout_has(en)
            .stdout_has(zh);
        let doc = run(Some(&fake.base_url), &["balance", "--format", "json"])
            .code(1)
            .json();
        assert_eq!(doc["code"].as_i64(), Some(code.parse().unwrap()));
        assert_eq!(doc["balance_fen"], Value::Null);
    }
}

#[test]
fn balance_garbage_and_http_errors_exit_3() {
    let fake = failing_balance();
    run(Some(&fake.base_url), &["balance"])
        .code(3)
        .stderr_has("not a whole number")
        .stderr_has("maintenance");
    let r = run(Some(&fake.base_url), &["balance", "--format", "json"]).code(3);
    assert!(
        r.json()["error"].as_str().unwrap().contains("HTTP 503"),
        "{r}"
    );
    run(Some(&fake.base_url), &["balance", "--timeout", "0.5"])
        .code(3)
        .stderr_has("no balance was read");
}
