//! `voxprep receive`: a line per status or inbound message, for people or
//! as JSON Lines. Both come from the same typed [`Line`]s.

use serde::Serialize;
use std::fmt::Write as _;
use std::net::IpAddr;
use voxprep::provider::StatusCode;
use voxprep::provider::receiver::Push;

/// One line of output: a delivery status or an inbound message. In JSON its
/// kind is the `type` field (`status`, `inbound`), first.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Line<'a> {
    /// One status of a status push.
    Status(StatusLine<'a>),
    /// An inbound message or key press.
    Inbound(InboundLine<'a>),
}

/// A delivery status (section 2).
#[derive(Debug, Serialize)]
pub struct StatusLine<'a> {
    /// When the push arrived: RFC 3339, UTC, to the second.
    pub received_at: &'a str,
    /// The client that pushed it.
    pub from: IpAddr,
    /// The message's id (the `smsid` of the submission).
    pub key: &'a str,
    /// The destination number.
    pub phone: &'a str,
    /// The status code, `0` delivered.
    pub status: StatusCode,
    /// Whether `status` is `0`.
    pub delivered: bool,
    /// The code with its meaning.
    pub message: String,
}

/// An inbound message or key press (section 4).
#[derive(Debug, Serialize)]
pub struct InboundLine<'a> {
    /// When the push arrived: RFC 3339, UTC, to the second.
    pub received_at: &'a str,
    /// The client that pushed it.
    pub from: IpAddr,
    /// The user's number (`userMoblie`).
    pub user_mobile: &'a str,
    /// The text, or the key pressed.
    pub content: &'a str,
    /// The partner's number that received it (`cpMoblie`).
    pub cp_mobile: &'a str,
}

/// The lines of one push from `from`, received at `at`: one per status (none
/// for a status push without statuses), or one for an inbound message.
pub fn lines<'a>(push: &'a Push, from: IpAddr, at: &'a str) -> Vec<Line<'a>> {
    match push {
        Push::Status(reports) => reports
            .iter()
            .map(|r| {
                Line::Status(StatusLine {
                    received_at: at,
                    from,
                    key: &r.key,
                    phone: &r.phone,
                    status: r.status,
                    delivered: r.status.is_ok(),
                    message: r.status.describe(),
                })
            })
            .collect(),
        Push::Inbound(m) => vec![Line::Inbound(InboundLine {
            received_at: at,
            from,
            user_mobile: &m.user_mobile,
            content: &m.content,
            cp_mobile: &m.cp_mobile,
        })],
    }
}

/// For people: `AT status KEY PHONE delivered|CODE: meaning` and
/// `AT inbound USER -> CP: "content"` (quoted and escaped: it is the
/// sender's text). The key and the numbers come from the client too: their
/// control characters (and backslashes) are escaped as Rust escapes them,
/// `\n`, `\u{1b}`, so that a push can neither forge a line nor reach the
/// terminal that shows the log.
pub fn human(lines: &[Line]) -> String {
    let mut text = String::new();
    for line in lines {
        let _ = match line {
            Line::Status(s) => {
                let what = if s.delivered { "delivered" } else { &s.message };
                writeln!(
                    text,
                    "{} status {} {} {what}",
                    s.received_at,
                    escaped(s.key),
                    escaped(s.phone)
                )
            }
            Line::Inbound(m) => writeln!(
                text,
                "{} inbound {} -> {}: {:?}",
                m.received_at,
                escaped(m.user_mobile),
                escaped(m.cp_mobile),
                m.content
            ),
        };
    }
    text
}

/// `s` with what `{:?}` would escape escaped, quotes aside (the field is not
/// quoted): control characters, backslashes, and the invisible characters
/// Rust's `escape_debug` escapes.
pub fn escaped(s: &str) -> std::borrow::Cow<'_, str> {
    let plain = |c: char| c == '"' || c == '\'' || c.escape_debug().len() == 1;
    if s.chars().all(plain) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '"' || c == '\'' {
            out.push(c);
        } else {
            out.extend(c.escape_debug());
        }
    }
    out.into()
}

/// JSON Lines: one object per line. serde_json escapes U+0000 to U+001F
/// (a line end cannot split an object, an ESC cannot reach a terminal);
/// DEL and the C1 controls (U+007F to U+009F), which JSON allows raw and
/// some terminals obey, are escaped here too.
pub fn json(lines: &[Line]) -> String {
    let mut text = String::new();
    for line in lines {
        // A struct of strings, numbers and booleans always serializes.
        if let Ok(object) = serde_json::to_string(line) {
            // Outside strings JSON is ASCII, so these are inside strings.
            for c in object.chars() {
                if ('\u{7f}'..='\u{9f}').contains(&c) {
                    let _ = write!(text, "\\u{:04x}", u32::from(c));
                } else {
                    text.push(c);
                }
            }
            text.push('\n');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use voxprep::provider::push::{Inbound, StatusReport};

    fn status_push() -> Push {
        Push::Status(vec![
            StatusReport {
                key: "k1".into(),
                phone: "13800138000".into(),
                status: StatusCode(0),
            },
            StatusReport {
                key: "k1".into(),
                phone: "13900139000".into(),
                status: StatusCode(-1010),
            },
        ])
    }

    fn inbound_push() -> Push {
        Push::Inbound(Inbound {
            user_mobile: "1".into(),
            content: "测试\n1".into(),
            cp_mobile: "2".into(),
        })
    }

    const FROM: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

    #[test]
    fn human_lines() {
        let push = status_push();
        assert_eq!(
            human(&lines(&push, FROM, "T")),
            "T status k1 13800138000 delivered\n\
             T status k1 13900139000 -1010: invalid destination number (发送目的地手机号码无效)\n"
        );
        let push = inbound_push();
        assert_eq!(
            human(&lines(&push, FROM, "T")),
            "T inbound 1 -> 2: \"测试\\n1\"\n"
        );
        assert!(human(&lines(&Push::Status(vec![]), FROM, "T")).is_empty());
    }

    /// Issue 18: `key`, `userMoblie` and `cpMoblie` were written raw, so a
    /// push could forge a line or send escapes to the terminal.
    #[test]
    fn r18_client_text_cannot_forge_lines_or_reach_the_terminal() {
        let forged = "INJ\n2026-01-01T00:00:00Z status E725 13900000000 delivered";
        let push = Push::Status(vec![StatusReport {
            key: forged.into(),
            phone: "139\u{1b}[2J".into(),
            status: StatusCode(0),
        }]);
        let text = human(&lines(&push, FROM, "T"));
        assert_eq!(
            text,
            "T status INJ\\n2026-01-01T00:00:00Z status E725 13900000000 delivered \
             139\\u{1b}[2J delivered\n"
        );
        let push = Push::Inbound(Inbound {
            user_mobile: "1\r\n\u{9b}2J\\".into(),
            content: "\u{1b}]0;x\u{7}".into(),
            cp_mobile: "2\u{7f}\u{202e}".into(),
        });
        let text = human(&lines(&push, FROM, "T"));
        assert_eq!(
            text,
            "T inbound 1\\r\\n\\u{9b}2J\\\\ -> 2\\u{7f}\\u{202e}: \"\\u{1b}]0;x\\u{7}\"\n"
        );
        assert!(!text.trim_end().chars().any(char::is_control), "{text}");
        // JSON: one object per line, every control character escaped, the
        // values intact.
        let text = json(&lines(&push, FROM, "T"));
        assert_eq!(text.lines().count(), 1);
        assert!(!text.trim_end().chars().any(char::is_control), "{text}");
        let object: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(object["user_mobile"], "1\r\n\u{9b}2J\\");
        assert_eq!(object["cp_mobile"], "2\u{7f}\u{202e}");
        assert_eq!(object["content"], "\u{1b}]0;x\u{7}");
        assert_eq!(escaped("13800138000"), "13800138000");
        assert_eq!(escaped("a\"b'c"), "a\"b'c");
    }

    #[test]
    fn json_lines_have_the_type_first_and_every_field() {
        let push = status_push();
        let text = json(&lines(&push, FROM, "T"));
        assert!(
            text.starts_with("{\"type\":\"status\",\"received_at\":\"T\","),
            "{text}"
        );
        let objects: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            objects[1],
            serde_json::json!({
                "type": "status", "received_at": "T", "from": "192.0.2.1",
                "key": "k1", "phone": "13900139000", "status": -1010, "delivered": false,
                "message": "-1010: invalid destination number (发送目的地手机号码无效)",
            })
        );
        assert_eq!(objects[0]["delivered"], true);
        let push = inbound_push();
        let object: serde_json::Value =
            serde_json::from_str(json(&lines(&push, FROM, "T")).trim_end()).unwrap();
        assert_eq!(
            object,
            serde_json::json!({
                "type": "inbound", "received_at": "T", "from": "192.0.2.1",
                "user_mobile": "1", "content": "测试\n1", "cp_mobile": "2",
            })
        );
        assert!(json(&lines(&Push::Status(vec![]), FROM, "T")).is_empty());
    }
}
