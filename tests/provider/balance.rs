//! The balance query through the library: the request, the two kinds of
//! balance, each refusal's meaning, and what is an error.

use super::*;
use std::time::Duration;
use voxprep::billing::Fen;
use voxprep::provider::{AccountKind, Balance, BalanceCode, BalanceReply};

#[test]
fn balance_in_fen_and_messages_left() {
    let fake = answering(["12345", "77\r\n"]);
    let client = client(&fake.base_url);
    assert_eq!(
        client.balance(AccountKind::Main).unwrap(),
        BalanceReply::Balance(Balance::Money(Fen(12345)))
    );
    assert_eq!(
        client.balance(AccountKind::Sub).unwrap(),
        BalanceReply::Balance(Balance::Messages(77))
    );
    assert_balance_query(&fake.received()[0]);
}

#[test]
fn balance_refusals_have_their_meaning() {
    let fake = FakeProvider::start(|i, _| Reply::Ok(BALANCE_REFUSALS[i].0.into()));
    let client = client(&fake.base_url);
    for (code, en, zh) in BALANCE_REFUSALS {
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
    let fake = failing_balance();
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
