//! `voxprep send`: the local recording's check (stderr), the requests of a
//! dry run, and each request's outcome as a line, a JSON object or a CSV
//! row.

use super::super::format::{Format, csv_row};
use super::cell;
use serde::Serialize;
use std::io::{self, Write};
use voxprep::check::FileReport;
use voxprep::provider::{
    BatchOutcome, BatchReport, Content, Mobile, SendStatus, StopCause, SubmitRequest,
    unsent_numbers,
};

/// `send file`'s check of its local recording, in `voxprep check`'s words,
/// and what playing it to `numbers` numbers costs.
pub fn write_recording_check(
    report: &FileReport,
    numbers: usize,
    w: &mut impl Write,
) -> io::Result<()> {
    super::check::write_file(report, w)?;
    if let Some(u) = report.billing_units {
        writeln!(
            w,
            "billing: {u} unit(s) of 12 s per answered call played to the end; \
             up to {} unit(s) for {numbers} number(s)",
            u.saturating_mul(numbers as u64)
        )?;
    }
    Ok(())
}

/// The numbers of a request as one CSV cell: `;`-separated.
fn numbers_cell(numbers: &[Mobile]) -> String {
    numbers
        .iter()
        .map(Mobile::as_str)
        .collect::<Vec<_>>()
        .join(";")
}

/// Numbers as one comma-separated line: what `--to` takes.
fn numbers_list(numbers: &[Mobile]) -> String {
    numbers
        .iter()
        .map(Mobile::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

/// The numbers of `reports` that may be sent again
/// ([`BatchReport::unsent`]), one a line: what `--unsent FILE` holds and
/// `--to @FILE` reads.
pub fn unsent_lines(reports: &[BatchReport]) -> String {
    unsent_numbers(reports)
        .iter()
        .map(|m| format!("{}\n", m.as_str()))
        .collect()
}

/// For stderr after the provider refused a request for the whole account:
/// which code, and how many requests were therefore not sent.
pub fn write_account_stop(reports: &[BatchReport], w: &mut impl Write) -> io::Result<()> {
    let Some(code) = reports.iter().find_map(BatchReport::account_rejection) else {
        return Ok(());
    };
    let stopped = reports
        .iter()
        .filter(|r| {
            matches!(
                r.outcome,
                BatchOutcome::NotAttempted(StopCause::AccountRejected(_))
            )
        })
        .count();
    writeln!(
        w,
        "voxprep: the provider refused a request for the whole account ({}); \
         the {stopped} remaining request(s) were not sent",
        code.describe()
    )
}

/// The CSV columns of a dry run, in order.
pub const PLAN_CSV_HEADER: &[&str] = &["numbers", "content", "url"];

/// The requests a send would make (password shown as `***`), as `format`
/// asks; `units` are the recording's billing units per call, when known.
pub fn write_plan(
    plan: &[SubmitRequest],
    content: &Content,
    units: Option<u64>,
    format: Format,
    w: &mut impl Write,
) -> io::Result<()> {
    match format {
        Format::Human => {
            let n: usize = plan.iter().map(|r| r.numbers().len()).sum();
            writeln!(w, "dry run: nothing sent")?;
            writeln!(w, "content: {}", content.render())?;
            writeln!(w, "{n} number(s) in {} request(s)", plan.len())?;
            for (i, r) in plan.iter().enumerate() {
                writeln!(
                    w,
                    "request {}/{} ({} numbers): GET {}",
                    i + 1,
                    plan.len(),
                    r.numbers().len(),
                    r.redacted_url()
                )?;
            }
            Ok(())
        }
        Format::Json => {
            #[derive(Serialize)]
            struct Planned<'a> {
                numbers: &'a [Mobile],
                content: &'a str,
                url: &'a str,
            }
            #[derive(Serialize)]
            struct Doc<'a> {
                dry_run: bool,
                form: &'static str,
                billing_units_per_call: Option<u64>,
                requests: Vec<Planned<'a>>,
            }
            let doc = Doc {
                dry_run: true,
                form: content.form(),
                billing_units_per_call: units,
                requests: plan
                    .iter()
                    .map(|r| Planned {
                        numbers: r.numbers(),
                        content: r.content(),
                        url: r.redacted_url(),
                    })
                    .collect(),
            };
            serde_json::to_writer(&mut *w, &doc)?;
            writeln!(w)
        }
        Format::Csv => {
            csv_row(w, PLAN_CSV_HEADER)?;
            for r in plan {
                csv_row(
                    w,
                    [
                        numbers_cell(r.numbers()).as_str(),
                        r.content(),
                        r.redacted_url(),
                    ],
                )?;
            }
            Ok(())
        }
    }
}

/// One request's outcome: a JSON object of `requests`, a CSV row, the words
/// of a human line.
#[derive(Serialize)]
struct Row<'a> {
    numbers: &'a [Mobile],
    status: SendStatus,
    accepted: bool,
    /// The provider's code, as a string (`"0"`, `"-1010"`), when it replied.
    code: Option<String>,
    smsid: Option<&'a str>,
    message: String,
}

impl<'a> Row<'a> {
    fn of(report: &'a BatchReport) -> Row<'a> {
        let status = report.status();
        let (code, smsid, message) = match &report.outcome {
            BatchOutcome::Replied(reply) => {
                let message = match (&reply.smsid, status) {
                    (None, SendStatus::Accepted) => {
                        format!("{} (the reply carried no smsid)", reply.code.describe())
                    }
                    _ => reply.code.describe(),
                };
                (
                    Some(reply.code.to_string()),
                    reply.smsid.as_deref(),
                    message,
                )
            }
            BatchOutcome::Failed(e) => (None, None, e.to_string()),
            BatchOutcome::NotAttempted(StopCause::TransportFailure) => (
                None,
                None,
                "not attempted after an earlier request failed; safe to send later".to_string(),
            ),
            BatchOutcome::NotAttempted(StopCause::AccountRejected(code)) => (
                None,
                None,
                format!(
                    "not attempted after an earlier request was refused for the whole account \
                     ({}); safe to send once that is put right",
                    code.describe()
                ),
            ),
            BatchOutcome::NotAttempted(StopCause::NotRecorded) => (
                None,
                None,
                "not attempted: the ledger could not record it first; safe to send later"
                    .to_string(),
            ),
        };
        Row {
            numbers: &report.numbers,
            status,
            accepted: status == SendStatus::Accepted,
            code,
            smsid,
            message,
        }
    }

    /// What a human line says after `request i/n (k numbers): `.
    fn human(&self) -> String {
        use crate::cli::paint::{Tone, paint};
        match self.status {
            SendStatus::Accepted => format!(
                "{}, smsid {}",
                paint("accepted", Tone::Good),
                self.smsid.unwrap_or("(none in the reply)")
            ),
            SendStatus::Rejected => format!("{} {}", paint("REJECTED", Tone::Bad), self.message),
            SendStatus::OutcomeUnknown => {
                format!("{}: {}", paint("OUTCOME UNKNOWN", Tone::Bad), self.message)
            }
            SendStatus::NotSent => format!("{}: {}", paint("NOT SENT", Tone::Warn), self.message),
        }
    }
}

/// The CSV columns of a send, in order.
pub const CSV_HEADER: &[&str] = &["numbers", "status", "accepted", "code", "smsid", "message"];

/// Each request's outcome as `format` asks; `units` are the recording's
/// billing units per call, when known.
pub fn write_reports(
    reports: &[BatchReport],
    units: Option<u64>,
    format: Format,
    w: &mut impl Write,
) -> io::Result<()> {
    let rows: Vec<Row> = reports.iter().map(Row::of).collect();
    match format {
        Format::Human => {
            let total = rows.len();
            for (i, row) in rows.iter().enumerate() {
                writeln!(
                    w,
                    "request {}/{total} ({} numbers): {}",
                    i + 1,
                    row.numbers.len(),
                    row.human()
                )?;
            }
            let count = |accepted_only: bool| -> usize {
                rows.iter()
                    .filter(|r| r.accepted || !accepted_only)
                    .map(|r| r.numbers.len())
                    .sum()
            };
            writeln!(w, "accepted: {} of {} number(s)", count(true), count(false))?;
            let unsent = unsent_numbers(reports);
            if !unsent.is_empty() {
                writeln!(
                    w,
                    "not sent: {} number(s); nobody was called, safe to send again:\n{}",
                    unsent.len(),
                    numbers_list(&unsent)
                )?;
            }
            let unknown: Vec<Mobile> = reports
                .iter()
                .filter(|r| r.status() == SendStatus::OutcomeUnknown)
                .flat_map(|r| r.numbers.iter().cloned())
                .collect();
            if !unknown.is_empty() {
                writeln!(
                    w,
                    "outcome unknown: {} number(s); check the status reports before sending them again:\n{}",
                    unknown.len(),
                    numbers_list(&unknown)
                )?;
            }
            Ok(())
        }
        Format::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                billing_units_per_call: Option<u64>,
                requests: &'a [Row<'a>],
                unsent: Vec<Mobile>,
            }
            let doc = Doc {
                billing_units_per_call: units,
                requests: &rows,
                unsent: unsent_numbers(reports),
            };
            serde_json::to_writer(&mut *w, &doc)?;
            writeln!(w)
        }
        Format::Csv => {
            csv_row(w, CSV_HEADER)?;
            for row in &rows {
                csv_row(
                    w,
                    [
                        numbers_cell(row.numbers),
                        row.status.as_str().to_string(),
                        row.accepted.to_string(),
                        cell(row.code.as_deref()),
                        cell(row.smsid),
                        row.message.clone(),
                    ],
                )?;
            }
            Ok(())
        }
    }
}

/// For stderr after a transport failure: each failure, and whether its
/// request may be sent again.
pub fn write_transport_errors(reports: &[BatchReport], w: &mut impl Write) -> io::Result<()> {
    for report in reports {
        if let BatchOutcome::Failed(e) = &report.outcome {
            writeln!(w, "voxprep: error: {e}")?;
            if report.status() == SendStatus::NotSent {
                writeln!(
                    w,
                    "voxprep: the request never left; it is safe to send it again"
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use voxprep::provider::{
        BaseUrl, Call, Client, Credentials, ProviderError, Recipients, StatusCode, SubmitReply,
        Timeouts,
    };

    fn numbers(list: &str) -> Vec<Mobile> {
        Recipients::parse_list(list).unwrap().numbers().to_vec()
    }

    fn reports() -> Vec<BatchReport> {
        let replied = |code, smsid: Option<&str>| {
            BatchOutcome::Replied(SubmitReply {
                code: StatusCode(code),
                smsid: smsid.map(str::to_string),
            })
        };
        let failed = BatchOutcome::Failed(ProviderError::OutcomeUnknown {
            call: Call::Submit,
            endpoint: "http://h/Recv_center".into(),
            reason: "no complete reply within 1 s".into(),
        });
        [
            ("13800138000,13900139000", replied(0, Some("E725"))),
            ("13700137000", replied(-1010, None)),
            ("13600136000", failed),
            (
                "13500135000",
                BatchOutcome::NotAttempted(StopCause::TransportFailure),
            ),
        ]
        .into_iter()
        .map(|(list, outcome)| BatchReport {
            numbers: numbers(list),
            outcome,
        })
        .collect()
    }

    fn render(format: Format) -> String {
        let mut out = Vec::new();
        write_reports(&reports(), Some(2), format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn human_lines_say_each_status() {
        let text = render(Format::Human);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "request 1/4 (2 numbers): accepted, smsid E725");
        assert_eq!(
            lines[1],
            "request 2/4 (1 numbers): REJECTED -1010: invalid destination number (发送目的地手机号码无效)"
        );
        assert!(lines[2].starts_with("request 3/4 (1 numbers): OUTCOME UNKNOWN: provider: "));
        assert!(lines[3].starts_with("request 4/4 (1 numbers): NOT SENT: not attempted"));
        assert_eq!(lines[4], "accepted: 2 of 5 number(s)");
        assert_eq!(
            lines[5],
            "not sent: 1 number(s); nobody was called, safe to send again:"
        );
        assert_eq!(lines[6], "13500135000");
        assert!(lines[7].starts_with("outcome unknown: 1 number(s); check the status reports"));
        assert_eq!(lines[8], "13600136000");
        assert_eq!(unsent_lines(&reports()), "13500135000\n");
    }

    #[test]
    fn json_has_every_field_of_every_request() {
        let v: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
        assert_eq!(v["billing_units_per_call"], 2);
        let r = v["requests"].as_array().unwrap();
        let statuses: Vec<&str> = r.iter().map(|q| q["status"].as_str().unwrap()).collect();
        assert_eq!(
            statuses,
            ["accepted", "rejected", "outcome_unknown", "not_sent"]
        );
        for q in r {
            for key in ["numbers", "status", "accepted", "code", "smsid", "message"] {
                assert!(q.get(key).is_some(), "{key} missing in {q}");
            }
        }
        assert_eq!(r[0]["numbers"][1], "13900139000");
        assert_eq!(
            (&r[0]["accepted"], &r[0]["code"]),
            (&true.into(), &"0".into())
        );
        assert_eq!(r[0]["smsid"], "E725");
        assert_eq!(
            (&r[1]["code"], &r[1]["smsid"]),
            (&"-1010".into(), &serde_json::Value::Null)
        );
        assert_eq!(r[2]["code"], serde_json::Value::Null);
        assert_eq!(r[3]["accepted"], false);
        assert_eq!(v["unsent"], serde_json::json!(["13500135000"]));
    }

    #[test]
    fn csv_is_a_header_and_a_row_per_request() {
        let text = render(Format::Csv);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "numbers,status,accepted,code,smsid,message");
        assert_eq!(
            lines[1],
            "13800138000;13900139000,accepted,true,0,E725,0: accepted (submit reply) / \
             delivered to the destination (status report) (消息被发送到目的地（同步相应接收到0表示受理成功，返回状态推送0表示下发成功）)"
        );
        assert!(
            lines[2].starts_with("13700137000,rejected,false,-1010,,-1010: "),
            "{}",
            lines[2]
        );
        assert!(
            lines[3].starts_with("13600136000,outcome_unknown,false,,,"),
            "{}",
            lines[3]
        );
        assert!(
            lines[4].starts_with("13500135000,not_sent,false,,,not attempted"),
            "{}",
            lines[4]
        );
        assert_eq!(lines.len(), 6, "header, 4 rows, the final empty piece");
    }

    #[test]
    fn dry_runs_in_every_format() {
        let client = Client::new(
            BaseUrl::parse("http://127.0.0.1:9").unwrap(),
            Credentials::try_new("acme", "hunter2").unwrap(),
            Timeouts::with_overall(Duration::from_secs(1)),
        )
        .unwrap();
        let content = Content::code("1234").unwrap();
        let to = Recipients::parse_list("13800138000,13900139000").unwrap();
        let plan = client.plan(&content, &to, None);
        let render = |format| {
            let mut out = Vec::new();
            write_plan(&plan, &content, None, format, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let human = render(Format::Human);
        assert!(human.starts_with("dry run: nothing sent\n"), "{human}");
        assert!(human.contains("2 number(s) in 1 request(s)\n"), "{human}");
        let v: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
        assert_eq!((&v["dry_run"], &v["form"]), (&true.into(), &"code".into()));
        assert_eq!(v["requests"][0]["content"], "【语音验证码】1234");
        let csv = render(Format::Csv);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "numbers,content,url");
        // The URL holds commas between the numbers: the cell is quoted.
        assert!(
            lines[1].starts_with(
                "13800138000;13900139000,【语音验证码】1234,\
                 \"http://127.0.0.1:9/Recv_center?CpName=acme&CpPassword=***&"
            ),
            "{}",
            lines[1]
        );
        for text in [human, csv, v.to_string()] {
            assert!(!text.contains("hunter2"), "{text}");
        }
    }

    #[test]
    fn transport_errors_say_which_may_be_sent_again() {
        let never = BatchReport {
            numbers: numbers("13800138000"),
            outcome: BatchOutcome::Failed(ProviderError::NotSent {
                call: Call::Submit,
                endpoint: "http://h/Recv_center".into(),
                reason: "could not connect".into(),
            }),
        };
        let mut out = Vec::new();
        write_transport_errors(&[never], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("never sent") && text.contains("safe to send it again"),
            "{text}"
        );
        let mut out = Vec::new();
        write_transport_errors(&reports(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(!text.contains("safe to send"), "{text}");
    }
}
