//! `voxprep balance`: the request of a dry run, and the reply as a line, a
//! JSON document or a CSV row.

use super::super::format::{Format, csv_row};
use super::cell;
use serde::Serialize;
use std::io::{self, Write};
use voxprep::provider::{Balance, BalanceReply, ProviderError};

/// The request a balance query would make (password shown as `***`).
pub fn write_plan(redacted_url: &str, format: Format, w: &mut impl Write) -> io::Result<()> {
    match format {
        Format::Human => {
            writeln!(w, "dry run: nothing sent")?;
            writeln!(w, "GET {redacted_url}")
        }
        Format::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                dry_run: bool,
                url: &'a str,
            }
            serde_json::to_writer(
                &mut *w,
                &Doc {
                    dry_run: true,
                    url: redacted_url,
                },
            )?;
            writeln!(w)
        }
        Format::Csv => {
            csv_row(w, ["url"])?;
            csv_row(w, [redacted_url])
        }
    }
}

/// The reply as JSON and CSV give it: `code` and `balance_fen` always
/// (`null` when not known), the rest only when they apply.
#[derive(Serialize, Default)]
struct Doc {
    /// `0` for a balance, the negative code of a refusal, `null` on error.
    code: Option<i64>,
    /// Fen left on a main account.
    balance_fen: Option<u64>,
    /// The same in yuan, `"123.45"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    yuan: Option<String>,
    /// Messages left on a sub-account.
    #[serde(skip_serializing_if = "Option::is_none")]
    messages_left: Option<u64>,
    /// What a refusal's code means.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    /// Why no reply was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl Doc {
    fn of(reply: &Result<BalanceReply, ProviderError>) -> Doc {
        match reply {
            Ok(BalanceReply::Balance(Balance::Money(fen))) => Doc {
                code: Some(0),
                balance_fen: Some(fen.0),
                yuan: Some(fen.yuan()),
                ..Doc::default()
            },
            Ok(BalanceReply::Balance(Balance::Messages(n))) => Doc {
                code: Some(0),
                messages_left: Some(*n),
                ..Doc::default()
            },
            Ok(BalanceReply::Refused(c)) => Doc {
                code: Some(c.0),
                message: Some(c.describe()),
                ..Doc::default()
            },
            Err(e) => Doc {
                error: Some(e.to_string()),
                ..Doc::default()
            },
        }
    }
}

/// The CSV columns, in order.
pub const CSV_HEADER: &[&str] = &[
    "code",
    "balance_fen",
    "yuan",
    "messages_left",
    "message",
    "error",
];

/// The reply (or the failure to get one) as `format` asks. The human form
/// writes nothing for a failure: the error goes to stderr.
pub fn write_reply(
    reply: &Result<BalanceReply, ProviderError>,
    format: Format,
    w: &mut impl Write,
) -> io::Result<()> {
    match format {
        Format::Human => match reply {
            Ok(BalanceReply::Balance(Balance::Money(fen))) => {
                writeln!(w, "balance: {} fen (¥{})", fen.0, fen.yuan())
            }
            Ok(BalanceReply::Balance(Balance::Messages(n))) => writeln!(w, "messages left: {n}"),
            Ok(BalanceReply::Refused(c)) => writeln!(w, "balance refused: {}", c.describe()),
            Err(_) => Ok(()),
        },
        Format::Json => {
            serde_json::to_writer(&mut *w, &Doc::of(reply))?;
            writeln!(w)
        }
        Format::Csv => {
            let d = Doc::of(reply);
            csv_row(w, CSV_HEADER)?;
            csv_row(
                w,
                [
                    cell(d.code),
                    cell(d.balance_fen),
                    cell(d.yuan),
                    cell(d.messages_left),
                    cell(d.message),
                    cell(d.error),
                ],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use voxprep::billing::Fen;
    use voxprep::provider::{BalanceCode, Call};

    fn render(reply: &Result<BalanceReply, ProviderError>, format: Format) -> String {
        let mut out = Vec::new();
        write_reply(reply, format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn replies() -> [Result<BalanceReply, ProviderError>; 4] {
        [
            Ok(BalanceReply::Balance(Balance::Money(Fen(12345)))),
            Ok(BalanceReply::Balance(Balance::Messages(77))),
            Ok(BalanceReply::Refused(BalanceCode(-2))),
            Err(ProviderError::Http {
                call: Call::Balance,
                endpoint: "http://h/QueryBlance".into(),
                status: 503,
                excerpt: "busy".into(),
            }),
        ]
    }

    #[test]
    fn human() {
        let text: Vec<String> = replies().iter().map(|r| render(r, Format::Human)).collect();
        assert_eq!(text[0], "balance: 12345 fen (¥123.45)\n");
        assert_eq!(text[1], "messages left: 77\n");
        assert_eq!(
            text[2],
            "balance refused: -2: the balance may be queried once a minute at most \
             (1分钟之内只能查询一次余额)\n"
        );
        assert_eq!(text[3], "");
    }

    #[test]
    fn json_keeps_code_and_balance_fen_and_adds_what_applies() {
        let docs: Vec<serde_json::Value> = replies()
            .iter()
            .map(|r| serde_json::from_str(&render(r, Format::Json)).unwrap())
            .collect();
        assert_eq!(
            docs[0],
            serde_json::json!({"code": 0, "balance_fen": 12345, "yuan": "123.45"})
        );
        assert_eq!(
            docs[1],
            serde_json::json!({"code": 0, "balance_fen": null, "messages_left": 77})
        );
        assert_eq!(docs[2]["code"], -2);
        assert_eq!(docs[2]["balance_fen"], serde_json::Value::Null);
        assert!(
            docs[2]["message"]
                .as_str()
                .unwrap()
                .contains("once a minute")
        );
        assert_eq!(docs[3]["code"], serde_json::Value::Null);
        assert!(docs[3]["error"].as_str().unwrap().contains("HTTP 503"));
        assert_eq!(docs[3].as_object().unwrap().len(), 3);
    }

    #[test]
    fn csv_is_a_header_and_one_row() {
        let rows: Vec<String> = replies().iter().map(|r| render(r, Format::Csv)).collect();
        let header = "code,balance_fen,yuan,messages_left,message,error\r\n";
        assert_eq!(rows[0], format!("{header}0,12345,123.45,,,\r\n"));
        assert_eq!(rows[1], format!("{header}0,,,77,,\r\n"));
        assert!(
            rows[2].starts_with(&format!("{header}-2,,,,-2: the balance")),
            "{}",
            rows[2]
        );
        assert!(
            rows[3].starts_with(&format!(
                "{header},,,,,\"provider: QueryBlance answered HTTP 503"
            )),
            "{}",
            rows[3]
        );
    }

    #[test]
    fn dry_run() {
        let url = "http://h/QueryBlance?CpName=a&CpPassword=***";
        let render = |format| {
            let mut out = Vec::new();
            write_plan(url, format, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            render(Format::Human),
            format!("dry run: nothing sent\nGET {url}\n")
        );
        assert_eq!(
            render(Format::Json),
            format!("{{\"dry_run\":true,\"url\":\"{url}\"}}\n")
        );
        assert_eq!(render(Format::Csv), format!("url\r\n{url}\r\n"));
    }
}
