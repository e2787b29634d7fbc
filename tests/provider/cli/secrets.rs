//! The password echoed back by the provider, in every encoding the tests
//! know (`provider::secrets`), in a 200 reply, in an HTTP error body and in
//! a redirect target, to `send` and `balance`, human, JSON and CSV: no
//! decoding of stdout or stderr recovers it, and the excerpt still shows
//! where it was.

use super::super::secrets::{assert_undecodable, encodings};
use super::*;

/// A password that needs every kind of escaping.
const HARD_PASSWORD: &str = "Pä ss\"中😀&<\\+%/=x";

#[test]
fn a_password_echoed_in_any_encoding_never_reaches_the_output() {
    let kinds = encodings(NAME, HARD_PASSWORD, 0x0f0f_3c3c_a5a5_9696).len();
    // Request i: encoding i / 2, in a 200 reply when i is even, else in a 500.
    let fake = FakeProvider::start(|i, q| {
        let pw = q.param("CpPassword").unwrap_or_default();
        let all = encodings(NAME, pw, 0x0f0f_3c3c_a5a5_9696);
        let (label, echo) = &all[(i / 2) % all.len()];
        let body = format!("echo {label}: {echo} end");
        if i % 2 == 0 {
            Reply::Ok(body)
        } else {
            Reply::Status(500, body)
        }
    });
    let env = [("QXT_CP_NAME", NAME), ("QXT_CP_PASSWORD", HARD_PASSWORD)];
    let mut runs = 0;
    for args in [
        &["send", "code", "1234", "--to", "13800138000"][..],
        &["balance"],
    ] {
        for format in ["human", "json", "csv"] {
            for _ in 0..kinds * 2 {
                let mut args = args.to_vec();
                args.extend(["--format", format]);
                let r = run_env(Some(&fake.base_url), &args, &env).code(3);
                let seen = format!("{}\n{}", r.stdout(), r.stderr());
                assert_undecodable(&seen, HARD_PASSWORD);
                assert!(seen.contains("end") && seen.contains("***"), "{seen}");
                runs += 1;
            }
        }
    }
    assert_eq!(fake.received().len(), runs);
}

/// A redirect target (quoted without its query) echoing the password in
/// each encoding a header can carry.
#[test]
fn a_redirect_echoing_the_password_is_quoted_without_it() {
    let fake = FakeProvider::start(|i, q| {
        let pw = q.param("CpPassword").unwrap_or_default();
        let ascii: Vec<String> = encodings(NAME, pw, 7)
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| e.bytes().all(|b| b.is_ascii_graphic()) && !e.contains(['?', '#']))
            .collect();
        Reply::Redirect(format!("http://127.0.0.1:9/x/{}/y", ascii[i % ascii.len()]))
    });
    let env = [("QXT_CP_NAME", NAME), ("QXT_CP_PASSWORD", HARD_PASSWORD)];
    for _ in 0..20 {
        let r = run_env(Some(&fake.base_url), &["balance"], &env).code(3);
        let seen = r.stderr();
        assert_undecodable(&seen, HARD_PASSWORD);
        // A base64 run swallows the `/`s around it: the whole run goes.
        assert!(seen.contains("redirect to http://127.0.0.1:"), "{seen}");
        assert!(
            seen.contains("***") && seen.contains("(not followed)"),
            "{seen}"
        );
    }
}

/// A password shorter than four characters: bodies are not quoted at all.
#[test]
fn a_short_password_keeps_bodies_out_of_the_output() {
    let fake = FakeProvider::always(Reply::Status(500, "echo: a%2B, YSs=, &#97;+".into()));
    let env = [("QXT_CP_NAME", NAME), ("QXT_CP_PASSWORD", "a+")];
    for args in [
        &["balance"][..],
        &["send", "code", "1234", "--to", "13800138000"],
    ] {
        let r = run_env(Some(&fake.base_url), args, &env).code(3);
        let seen = format!("{}\n{}", r.stdout(), r.stderr());
        assert!(seen.contains("not quoted"), "{seen}");
        assert!(!seen.contains("echo"), "{seen}");
    }
}
