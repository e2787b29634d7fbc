//! Parsing the provider's replies. Pure functions of the body bytes.
//!
//! Submit (`Recv_center`): `{"smsid":"E725…", "code":"0"}` when accepted,
//! `{"code":"-1000"}` when rejected. `code` may come as a string or a number;
//! unknown fields are ignored.
//!
//! Balance (`QueryBlance`): a bare number, `>= 0` the balance in fen (or the
//! messages left, for a sub-account), negative a refusal code.

use super::codes::{BalanceCode, StatusCode};
use super::credentials::Credentials;
use super::redact::{MIN_CHARS, Redactor};
use crate::billing::Fen;
use serde::Serialize;

/// How much of a body an error quotes, in characters.
const EXCERPT_CHARS: usize = 120;

/// The provider's answer to one submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubmitReply {
    /// `0` accepted; anything else says why not (see [`StatusCode::describe`]).
    pub code: StatusCode,
    /// The message's unique id (also the `key` of status reports); present
    /// only when accepted.
    pub smsid: Option<String>,
}

impl SubmitReply {
    /// Whether the provider accepted the submission.
    pub fn accepted(&self) -> bool {
        self.code.is_ok()
    }
}

/// Which kind of account is asking: the same `QueryBlance` number is money
/// for a main account and messages left for a sub-account ("查询子账号剩余条数").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountKind {
    /// A main account: the number is fen.
    #[default]
    Main,
    /// A sub-account: the number is messages left.
    Sub,
}

/// A balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Balance {
    /// Money left on a main account.
    Money(Fen),
    /// Messages left on a sub-account.
    Messages(u64),
}

/// The provider's answer to a balance query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BalanceReply {
    /// The balance.
    Balance(Balance),
    /// A negative reply: why no balance was given.
    Refused(BalanceCode),
}

/// Why a body could not be understood. The excerpt is short and redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BodyProblem {
    /// What is wrong ("reply is not JSON").
    pub(crate) what: String,
    /// The start of the body, control characters escaped, password removed.
    pub(crate) excerpt: String,
}

/// Parse a submit reply body.
///
/// # Errors
/// [`BodyProblem`] when the body is not a JSON object, has no `code`, or its
/// `code` is not an integer.
pub(crate) fn parse_submit(
    body: &[u8],
    credentials: &Credentials,
) -> Result<SubmitReply, BodyProblem> {
    let problem = |what: &str| BodyProblem {
        what: what.to_string(),
        excerpt: excerpt(body, credentials),
    };
    let text = std::str::from_utf8(body).map_err(|_| problem("reply is not UTF-8 text"))?;
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err(problem("reply is empty"));
    }
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|_| problem("reply is not JSON"))?;
    let obj = value
        .as_object()
        .ok_or_else(|| problem("reply is JSON but not an object"))?;
    let code = match obj.get("code") {
        None | Some(serde_json::Value::Null) => return Err(problem("reply has no \"code\"")),
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) => parse_int(s),
        Some(_) => None,
    }
    .ok_or_else(|| problem("reply's \"code\" is not an integer"))?;
    // Printed as it came: quoted like any other text from outside, so an
    // id echoing the password, or control characters, never reach a
    // terminal (a real one is 32 hex digits).
    let smsid = match obj.get("smsid") {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
            Some(quote(s.trim(), credentials))
        }
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Ok(SubmitReply {
        code: StatusCode(code),
        smsid,
    })
}

/// Parse a balance reply body for an account of `kind`.
///
/// # Errors
/// [`BodyProblem`] when the body is not a bare integer.
pub(crate) fn parse_balance(
    body: &[u8],
    kind: AccountKind,
    credentials: &Credentials,
) -> Result<BalanceReply, BodyProblem> {
    let problem = |what: &str| BodyProblem {
        what: what.to_string(),
        excerpt: excerpt(body, credentials),
    };
    let text = std::str::from_utf8(body).map_err(|_| problem("reply is not UTF-8 text"))?;
    let text = text.trim_start_matches('\u{feff}').trim();
    // Some JSON-minded gateways quote a bare value; accept "123" too.
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    if text.is_empty() {
        return Err(problem("reply is empty"));
    }
    let n = parse_int(text).ok_or_else(|| problem("reply is not a whole number"))?;
    Ok(match u64::try_from(n) {
        Ok(v) => BalanceReply::Balance(match kind {
            AccountKind::Main => Balance::Money(Fen(v)),
            AccountKind::Sub => Balance::Messages(v),
        }),
        Err(_) => BalanceReply::Refused(BalanceCode(n)),
    })
}

/// An optionally signed decimal integer. The Chinese original prints -1, -2
/// and -3 with an en dash ("–1"); a reply copied from such a text would carry
/// it, so U+2013 is accepted as a minus sign too.
fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, digits) =
        if let Some(rest) = s.strip_prefix('-').or_else(|| s.strip_prefix('\u{2013}')) {
            (true, rest)
        } else {
            (false, s.strip_prefix('+').unwrap_or(s))
        };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// The start of `body` for an error message: lossy UTF-8, every encoding
/// of the password and the value of any `CpPassword` parameter replaced by
/// `***` (docs/secrets.md), then [`sanitize`]d. With a password too short
/// to find reliably ([`Redactor::quotable`]) the body is not quoted at all,
/// only measured.
pub(crate) fn excerpt(body: &[u8], credentials: &Credentials) -> String {
    let redactor = Redactor::new(credentials.password().expose());
    if !redactor.quotable() {
        return format!(
            "[{} bytes, not quoted: the password is shorter than {MIN_CHARS} characters]",
            body.len()
        );
    }
    // The whole body (at most 64 KiB): an encoding of the password that
    // straddles the cut is still found.
    let text = String::from_utf8_lossy(body);
    sanitize(&redactor.redact(&text))
}

/// Text from outside that is not a body (a header value, a transport error
/// message) for an error message: the password redacted, then [`sanitize`]d.
pub(crate) fn quote(text: &str, credentials: &Credentials) -> String {
    sanitize(&credentials.redact(text))
}

/// `text` made safe to print and short: white space runs collapsed to one
/// space, control characters and the invisible ones that reorder or hide
/// text (bidirectional overrides, zero-width) escaped as `\u{..}`, at most
/// [`EXCERPT_CHARS`] characters, then `…` when cut.
pub(crate) fn sanitize(text: &str) -> String {
    let mut out = String::new();
    let mut last_space = false;
    let mut count = 0;
    let mut truncated = false;
    for c in text.chars() {
        if count >= EXCERPT_CHARS {
            truncated = true;
            break;
        }
        if c.is_whitespace() && !invisible(c) {
            if !last_space {
                out.push(' ');
                count += 1;
            }
            last_space = true;
            continue;
        }
        last_space = false;
        if c.is_control() || invisible(c) {
            let escaped = format!("\\u{{{:x}}}", c as u32);
            count += escaped.chars().count();
            out.push_str(&escaped);
        } else {
            out.push(c);
            count += 1;
        }
    }
    let out = out.trim().to_string();
    if truncated { format!("{out}…") } else { out }
}

/// Format characters that change how a terminal shows the text around
/// them without showing themselves.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        Credentials::try_new("acme", "hunter2").unwrap()
    }

    #[test]
    fn accepted_reply() {
        let r = parse_submit(
            br#"{"smsid":"E7254F86ED07C231CDC7657D0F9BC420", "code":"0"}"#,
            &creds(),
        )
        .unwrap();
        assert!(r.accepted());
        assert_eq!(r.smsid.as_deref(), Some("E7254F86ED07C231CDC7657D0F9BC420"));
    }

    #[test]
    fn code_as_string_or_number_and_unknown_fields() {
        for body in [
            r#"{"code": "-1000"}"#,
            r#"{"code":-1000}"#,
            r#"{"code":" -1000 ","extra":[1,2],"msg":"x"}"#,
            "\u{feff}{\"code\":\"-1000\"}\r\n",
        ] {
            let r = parse_submit(body.as_bytes(), &creds()).unwrap();
            assert_eq!(r.code, StatusCode(-1000), "{body}");
            assert!(!r.accepted() && r.smsid.is_none());
        }
        let r = parse_submit(br#"{"code":0,"smsid":12345}"#, &creds()).unwrap();
        assert_eq!(r.smsid.as_deref(), Some("12345"));
    }

    #[test]
    fn an_smsid_is_quoted_like_any_text_from_outside() {
        let body = r#"{"code":"0","smsid":"id:aHVudGVyMg==\u001b[2J"}"#;
        let r = parse_submit(body.as_bytes(), &creds()).unwrap();
        assert_eq!(r.smsid.as_deref(), Some("id:***\\u{1b}[2J"));
    }

    #[test]
    fn bad_submit_bodies() {
        let cases: &[(&[u8], &str)] = &[
            (b"<html>Service Unavailable</html>", "not JSON"),
            (b"", "empty"),
            (b"{\"smsid\":\"x\"}", "no \"code\""),
            (b"{\"code\":null}", "no \"code\""),
            (b"{\"code\":\"ok\"}", "not an integer"),
            (b"{\"code\":1.5}", "not an integer"),
            (b"[0]", "not an object"),
            (b"\xff\xfe{", "not UTF-8"),
        ];
        for (body, want) in cases {
            let p = parse_submit(body, &creds()).unwrap_err();
            assert!(
                p.what.contains(want),
                "{:?}: {}",
                String::from_utf8_lossy(body),
                p.what
            );
        }
    }

    #[test]
    fn balances() {
        let c = creds();
        assert_eq!(
            parse_balance(b"12345", AccountKind::Main, &c),
            Ok(BalanceReply::Balance(Balance::Money(Fen(12345))))
        );
        assert_eq!(
            parse_balance(b" 0\r\n", AccountKind::Main, &c),
            Ok(BalanceReply::Balance(Balance::Money(Fen(0))))
        );
        assert_eq!(
            parse_balance(b"77", AccountKind::Sub, &c),
            Ok(BalanceReply::Balance(Balance::Messages(77)))
        );
        for (body, code) in [
            ("-1", -1),
            ("-2", -2),
            ("-3", -3),
            ("-99", -99),
            ("\u{2013}1", -1),
            ("-7", -7),
            ("\"-2\"", -2),
        ] {
            assert_eq!(
                parse_balance(body.as_bytes(), AccountKind::Main, &c),
                Ok(BalanceReply::Refused(BalanceCode(code))),
                "{body}"
            );
        }
        for bad in [
            "",
            "12.5",
            "abc",
            "{\"balance\":1}",
            "99999999999999999999999",
        ] {
            assert!(
                parse_balance(bad.as_bytes(), AccountKind::Main, &c).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn excerpts_are_short_and_credential_free() {
        let body = format!(
            "Error {}: CpName=acme&CpPassword=hunter2&x=1 CpPassword=old-secret {}",
            "\u{7}",
            "z".repeat(500)
        );
        let e = excerpt(body.as_bytes(), &creds());
        assert!(!e.contains("hunter2") && !e.contains("old-secret"), "{e}");
        assert!(e.contains("CpPassword=***&x=1"), "{e}");
        assert!(e.contains("\\u{7}"), "{e}");
        assert!(
            e.chars().count() <= EXCERPT_CHARS + 1 && e.ends_with('…'),
            "{e}"
        );
        assert_eq!(excerpt(b"  a \n\n b  ", &creds()), "a b");
    }
}
