//! `voxprep send` (`send`) and `voxprep balance` (`balance`)
//! themselves, through the binary, and the password echoed back in every
//! encoding (`secrets`); here, what both commands share: where the
//! credentials and the base URL come from, and the runner that checks every
//! run for the password in any decodable form.

mod balance;
mod secrets;
mod send;

use super::*;
use crate::common::{Run, voxprep};

/// Run voxprep with the test credentials and `base` (if any) as the base URL.
fn run(base: Option<&str>, args: &[&str]) -> Run {
    run_env(
        base,
        args,
        &[("QXT_CP_NAME", NAME), ("QXT_CP_PASSWORD", PASSWORD)],
    )
}

/// Run voxprep with `env` the only variables of its own (and no proxy), and
/// assert that the password is on neither stream.
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
    let run = cmd.run();
    // The streams only: a command line may carry it on purpose.
    for stream in [&run.stdout, &run.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert_no_password(&text);
        for (_, value) in env.iter().filter(|(k, _)| *k == "QXT_CP_PASSWORD") {
            if value.chars().count() >= 4 {
                super::secrets::assert_undecodable(&text, value);
            }
        }
    }
    run
}

/// `voxprep send code 1234 --to 13800138000 EXTRA...` against `base`.
fn send_code_run(base: &str, extra: &[&str]) -> Run {
    let mut args = vec!["send", "code", "1234", "--to", "13800138000"];
    args.extend(extra);
    run(Some(base), &args)
}

/// `send file --app A --template TEMPLATE --recording RECORDING --to TO`.
fn send_file<'a>(template: &'a str, recording: &'a str, to: &'a str) -> Vec<&'a str> {
    vec![
        "send",
        "file",
        "--app",
        "A",
        "--template",
        template,
        "--recording",
        recording,
        "--to",
        to,
    ]
}

#[test]
fn base_urls_with_credentials_are_refused_with_where_credentials_come_from() {
    run(
        Some(&format!("http://{NAME}:{PASSWORD_ENCODED}@127.0.0.1:9")),
        &["balance"],
    )
    .code(2)
    .stderr_has("must not carry user info")
    .stderr_has("come from QXT_CP_NAME and QXT_CP_PASSWORD");
}

/// The binary's default features leave TLS out: an https base URL is refused
/// before anything is sent, saying why.
#[cfg(not(feature = "tls"))]
#[test]
fn https_needs_the_tls_feature() {
    send_code_run("https://127.0.0.1:9", &[])
        .code(2)
        .stderr_has("https needs voxprep built with the `tls` cargo feature");
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
            run_env(Some(&fake.base_url), args, &env)
                .code(2)
                .stderr_has(var);
        }
    }
    assert!(fake.settled().is_empty());
}

#[test]
fn base_url_comes_from_the_environment() {
    let fake = FakeProvider::always(Reply::Ok("5".into()));
    run_env(
        None,
        &["balance"],
        &[
            ("QXT_CP_NAME", NAME),
            ("QXT_CP_PASSWORD", PASSWORD),
            ("QXT_BASE_URL", &fake.base_url),
        ],
    )
    .success();
    assert_eq!(fake.received().len(), 1);
}

#[test]
fn help_does_not_show_the_password() {
    run(None, &["send", "code", "--help"])
        .success()
        .stdout_has("--to")
        .stdout_has("--dry-run");
}
