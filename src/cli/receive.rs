//! `voxprep receive`: serve the provider's pushes (status reports and inbound
//! messages or key presses) and write each one as a line.
//!
//! Runs until Ctrl-C or SIGTERM (exit 130). A line is written and flushed
//! before the provider gets its 200, so a push that was answered is on disk;
//! when the output cannot be written, the provider gets 500 (it pushes again)
//! and the command stops with the error.

use super::args::parse_secs;
use anyhow::Context;
use serde_json::json;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use voxprep::provider::push::{Inbound, StatusReport};
use voxprep::provider::receiver::{Event, Push, Receiver, ReceiverOptions};

/// How each push is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A line per status or message, for people.
    Human,
    /// A JSON object per status or message, one per line (JSON Lines).
    Json,
}

/// Arguments of `voxprep receive`.
#[derive(Debug, clap::Args)]
pub struct ReceiveArgs {
    /// Address and port to listen on. The default takes connections from this
    /// machine only (behind a reverse proxy); use 0.0.0.0:PORT to take them
    /// from the provider directly, with --allow.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Only serve these client addresses (comma-separated or repeated): the
    /// provider's. Pushes carry no credentials, so this is the only check.
    #[arg(long, value_name = "IP", value_delimiter = ',')]
    pub allow: Vec<IpAddr>,
    /// Append the lines to this file instead of writing them to stdout (a
    /// new file is created readable by its owner only: it holds phone
    /// numbers).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How each status or message is written.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The body of the answer to an accepted push.
    #[arg(long, value_name = "TEXT", default_value = "ok")]
    pub reply: String,
    /// Seconds a client may take to send its request.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
    pub timeout: Duration,
}

/// Run `voxprep receive`.
pub fn run(args: ReceiveArgs) -> anyhow::Result<ExitCode> {
    let options = ReceiverOptions {
        allow: args.allow,
        timeout: args.timeout,
        reply: args.reply,
        ..ReceiverOptions::default()
    };
    let receiver = Receiver::bind(args.listen.as_str(), options)
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let (mut out, name): (Box<dyn Write + Send>, String) = match &args.out {
        Some(path) => {
            let mut open = OpenOptions::new();
            open.create(true).append(true);
            // The lines hold phone numbers and messages: a new file is the
            // owner's alone (an existing one keeps its permissions).
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
            let file = open
                .open(path)
                .with_context(|| format!("cannot open {} for appending", path.display()))?;
            (Box::new(file), path.display().to_string())
        }
        None => (Box::new(io::stdout()), "stdout".into()),
    };
    let addr = receiver.local_addr()?;
    eprintln!(
        "voxprep receive: listening on http://{addr}/ (status reports and inbound pushes, \
         any path); writing to {name}; stop with Ctrl-C"
    );
    let format = args.format;
    receiver
        .serve(|event| match event {
            Event::Push { from, push } => {
                let text = render(push, &from.ip(), &timestamp(SystemTime::now()), format);
                out.write_all(text.as_bytes())?;
                out.flush()
            }
            Event::Refused {
                from,
                status,
                reason,
            } => {
                match status {
                    0 => eprintln!("voxprep receive: {from}: dropped: {reason}"),
                    s => eprintln!("voxprep receive: {from}: answered {s}: {reason}"),
                }
                Ok(())
            }
        })
        .with_context(|| format!("writing pushes to {name}"))?;
    Ok(ExitCode::SUCCESS)
}

/// The lines for one push (none for a status push without statuses).
fn render(push: &Push, from: &IpAddr, at: &str, format: Format) -> String {
    let mut text = String::new();
    match (push, format) {
        (Push::Status(reports), Format::Human) => {
            for StatusReport { key, phone, status } in reports {
                let what = if status.is_ok() {
                    "delivered".to_string()
                } else {
                    status.describe()
                };
                text.push_str(&format!("{at} status {key} {phone} {what}\n"));
            }
        }
        (Push::Status(reports), Format::Json) => {
            for r in reports {
                let line = json!({
                    "type": "status", "received_at": at, "from": from.to_string(),
                    "key": r.key, "phone": r.phone, "status": r.status.0,
                    "delivered": r.status.is_ok(), "message": r.status.describe(),
                });
                text.push_str(&format!("{line}\n"));
            }
        }
        (Push::Inbound(m), Format::Human) => {
            let Inbound {
                user_mobile,
                content,
                cp_mobile,
            } = m;
            text.push_str(&format!(
                "{at} inbound {user_mobile} -> {cp_mobile}: {content:?}\n"
            ));
        }
        (Push::Inbound(m), Format::Json) => {
            let line = json!({
                "type": "inbound", "received_at": at, "from": from.to_string(),
                "user_mobile": m.user_mobile, "content": m.content, "cp_mobile": m.cp_mobile,
            });
            text.push_str(&format!("{line}\n"));
        }
    }
    text
}

/// RFC 3339 in UTC to the second, e.g. `2026-11-29T19:30:05Z`.
fn timestamp(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to (year, month, day): Howard Hinnant's
/// `civil_from_days`, for days on or after the epoch.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use voxprep::provider::StatusCode;

    #[test]
    fn timestamps_are_utc_rfc3339() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let at = |s: u64| timestamp(UNIX_EPOCH + Duration::from_secs(s));
        // `date -u -d @1795980605 +%FT%TZ`
        assert_eq!(at(1_795_980_605), "2026-11-29T19:30:05Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(4_107_542_399), "2100-02-28T23:59:59Z");
        assert_eq!(at(4_107_542_400), "2100-03-01T00:00:00Z");
    }

    #[test]
    fn lines_for_each_push_and_format() {
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let status = Push::Status(vec![
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
        ]);
        let human = render(&status, &ip, "T", Format::Human);
        assert_eq!(
            human,
            "T status k1 13800138000 delivered\n\
             T status k1 13900139000 -1010: invalid destination number (发送目的地手机号码无效)\n"
        );
        let json = render(&status, &ip, "T", Format::Json);
        let lines: Vec<serde_json::Value> = json
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["status"], -1010);
        assert_eq!(lines[1]["delivered"], false);
        assert_eq!(lines[0]["from"], "192.0.2.1");
        let inbound = Push::Inbound(Inbound {
            user_mobile: "1".into(),
            content: "测试\n1".into(),
            cp_mobile: "2".into(),
        });
        assert_eq!(
            render(&inbound, &ip, "T", Format::Human),
            "T inbound 1 -> 2: \"测试\\n1\"\n"
        );
        assert!(render(&Push::Status(vec![]), &ip, "T", Format::Json).is_empty());
    }
}
