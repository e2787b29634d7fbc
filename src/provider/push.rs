//! Parsing what the provider pushes to the partner's own URLs (sections 2
//! and 4). Pure functions; [`super::receiver`] serves those URLs with them,
//! and [`classify`] is the one entry point for a whole request.
//!
//! - Status reports ("推送状态报告", POST): `args=key,phone,status;key,phone,status;`
//!   where `key` is the `smsid` of the submission and `status` a code of the
//!   status table (`0` delivered). The document shows `args` in the URL but
//!   says it is POSTed; [`classify`] takes it from either the form body or the query.
//! - Inbound messages and key presses ("接收短信", GET):
//!   `?userMoblie=…&content=…&cpMoblie=…` (sic), `content` UTF-8, percent-encoded.

use super::ProviderError;
use super::codes::StatusCode;
use percent_encoding::percent_decode_str;
use serde::Serialize;

/// One delivery status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    /// The message's unique id: the `smsid` of the submit reply ("smsid=key").
    pub key: String,
    /// The destination number.
    pub phone: String,
    /// `0` delivered; otherwise see [`StatusCode::describe`].
    pub status: StatusCode,
}

/// An inbound message or key press.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inbound {
    /// The user's number (`userMoblie`).
    pub user_mobile: String,
    /// The text, or the key pressed (`content`).
    pub content: String,
    /// The partner's number that received it (`cpMoblie`).
    pub cp_mobile: String,
}

/// Decode `application/x-www-form-urlencoded` pairs (a query string or a
/// form body): `+` is a space, `%XX` bytes are UTF-8 (invalid sequences replaced).
fn form_pairs(input: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    input
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// What one request to the partner's URL carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Push {
    /// A status push (section 2): zero or more delivery statuses.
    Status(Vec<StatusReport>),
    /// An inbound message or key press (section 4).
    Inbound(Inbound),
}

/// Tell what a request carries, from its query string and its body, and
/// parse it.
///
/// Lenient where the provider's document is unclear, strict about content:
/// - `args` in the query or in a form body is a status push (the document
///   shows it in the URL but says it is POSTed);
/// - a body of bare `key,phone,status;` triples, without `args=`, is a status
///   push too;
/// - `userMoblie`, `content` and `cpMoblie`, in the query or a form body, are
///   an inbound push (all three must be there).
///
/// # Errors
/// [`ProviderError::Invalid`] when the body is not UTF-8, the request is
/// neither kind, or its fields are malformed.
pub fn classify(query: &str, body: &[u8]) -> Result<Push, ProviderError> {
    let body = std::str::from_utf8(body)
        .map_err(|e| ProviderError::Invalid(format!("push: the body is not UTF-8 ({e})")))?;
    let mut pairs = form_pairs(query);
    let body_is_form = body.contains('=');
    if body_is_form {
        pairs.extend(form_pairs(body));
    }
    if let Some(args) = value(&pairs, "args") {
        return parse_status_args(args).map(Push::Status);
    }
    if ["userMoblie", "content", "cpMoblie"]
        .iter()
        .any(|k| value(&pairs, k).is_some())
    {
        return inbound_from(&pairs).map(Push::Inbound);
    }
    if !body_is_form && !body.trim().is_empty() {
        return parse_status_args(body.trim()).map(Push::Status);
    }
    Err(ProviderError::Invalid(
        "push: neither a status report (`args`) nor an inbound push \
         (`userMoblie`, `content`, `cpMoblie`)"
            .into(),
    ))
}

/// The first value of `key` among decoded pairs.
fn value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Parse the decoded `args` value: `key,phone,status;` repeated. Empty items
/// (the final `;`) are skipped. Errors quote the first malformed triple.
fn parse_status_args(args: &str) -> Result<Vec<StatusReport>, ProviderError> {
    let mut out = Vec::new();
    for (i, item) in args.split(';').enumerate() {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let bad = |why: &str| {
            let shown: String = item.chars().take(80).collect();
            ProviderError::Invalid(format!("status push: item {} {shown:?}: {why}", i + 1))
        };
        let parts: Vec<&str> = item.split(',').map(str::trim).collect();
        let [key, phone, status] = parts[..] else {
            return Err(bad("is not key,phone,status"));
        };
        if key.is_empty() || phone.is_empty() {
            return Err(bad("has an empty key or phone"));
        }
        let status: i64 = status
            .parse()
            .map_err(|_| bad("status is not an integer"))?;
        out.push(StatusReport {
            key: key.to_string(),
            phone: phone.to_string(),
            status: StatusCode(status),
        });
    }
    Ok(out)
}

fn inbound_from(pairs: &[(String, String)]) -> Result<Inbound, ProviderError> {
    let get = |key: &str| {
        value(pairs, key)
            .map(str::to_string)
            .ok_or_else(|| ProviderError::Invalid(format!("inbound push: no `{key}` parameter")))
    };
    Ok(Inbound {
        user_mobile: get("userMoblie")?,
        content: get("content")?,
        cp_mobile: get("cpMoblie")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(query: &str, body: &str) -> Result<Vec<StatusReport>, ProviderError> {
        match classify(query, body.as_bytes())? {
            Push::Status(reports) => Ok(reports),
            other => panic!("not a status push: {other:?}"),
        }
    }

    fn inbound(query: &str) -> Result<Inbound, ProviderError> {
        match classify(query, b"")? {
            Push::Inbound(m) => Ok(m),
            other => panic!("not an inbound push: {other:?}"),
        }
    }

    #[test]
    fn status_reports_from_query_or_body() {
        let want = vec![
            StatusReport {
                key: "E725".into(),
                phone: "13800138000".into(),
                status: StatusCode(0),
            },
            StatusReport {
                key: "E726".into(),
                phone: "13900139000".into(),
                status: StatusCode(9994),
            },
        ];
        let raw = "args=E725,13800138000,0;E726,13900139000,9994;";
        assert_eq!(statuses(raw, "").unwrap(), want);
        assert_eq!(statuses(&format!("?{raw}"), "").unwrap(), want);
        assert_eq!(statuses("", raw).unwrap(), want);
        let encoded = "args=E725%2C13800138000%2C0%3BE726%2C13900139000%2C9994%3B";
        assert_eq!(statuses(encoded, "").unwrap(), want);
        assert_eq!(statuses("args=", "").unwrap(), vec![]);
        assert_eq!(parse_status_args("").unwrap(), vec![]);
        assert_eq!(
            parse_status_args("k,1,-9990").unwrap()[0].status,
            StatusCode(-9990)
        );
    }

    #[test]
    fn bad_status_pushes() {
        let e = parse_status_args("a,1,0;b,2;").unwrap_err().to_string();
        assert!(
            e.contains("item 2") && e.contains("key,phone,status"),
            "{e}"
        );
        assert!(parse_status_args("a,1,x;").is_err());
        assert!(parse_status_args(",1,0;").is_err());
    }

    #[test]
    fn inbound_example_from_the_document() {
        let m = inbound("userMoblie=159****3423&content=%E6%B5%8B%E8%AF%95&cpMoblie=1069***1234")
            .unwrap();
        assert_eq!(
            m,
            Inbound {
                user_mobile: "159****3423".into(),
                content: "测试".into(),
                cp_mobile: "1069***1234".into()
            }
        );
        assert_eq!(
            inbound("?userMoblie=1&content=a+b&cpMoblie=2")
                .unwrap()
                .content,
            "a b"
        );
        assert!(
            inbound("userMoblie=1&content=x")
                .unwrap_err()
                .to_string()
                .contains("cpMoblie")
        );
    }

    #[test]
    fn classify_tells_the_two_pushes_apart() {
        let status = classify("", b"args=k1,13800138000,0;k2,13900139000,-1010;").unwrap();
        let Push::Status(reports) = status else {
            panic!("{status:?}")
        };
        assert_eq!(reports.len(), 2);
        assert_eq!(reports[1].status, StatusCode(-1010));
        // In the query, as the document's example shows it.
        let one = classify("args=k1,13800138000,0;", b"").unwrap();
        assert_eq!(one, classify("", b"args=k1%2C13800138000%2C0%3B").unwrap());
        // A bare body of triples.
        assert_eq!(one, classify("", b"k1,13800138000,0;\r\n").unwrap());
        let inbound = classify("userMoblie=1&content=%E6%B5%8B%E8%AF%95&cpMoblie=2", b"").unwrap();
        assert_eq!(
            inbound,
            Push::Inbound(Inbound {
                user_mobile: "1".into(),
                content: "测试".into(),
                cp_mobile: "2".into()
            })
        );
        // A form POST of the inbound fields works too.
        assert_eq!(
            classify("", b"userMoblie=1&content=%E6%B5%8B%E8%AF%95&cpMoblie=2").unwrap(),
            inbound
        );
    }

    #[test]
    fn classify_refuses_what_it_cannot_read() {
        let msg = |q: &str, b: &[u8]| classify(q, b).unwrap_err().to_string();
        assert!(msg("", b"").contains("neither a status report"));
        assert!(msg("x=1", b"y=2").contains("neither a status report"));
        assert!(msg("", b"\xff\xfe").contains("not UTF-8"));
        assert!(msg("userMoblie=1&content=x", b"").contains("cpMoblie"));
        assert!(msg("", b"hello").contains("key,phone,status"));
        assert!(msg("args=a,1,zero;", b"").contains("not an integer"));
    }
}
