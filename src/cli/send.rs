//! `voxprep send {file,code,tts}` and `voxprep balance`: the provider's API.
//!
//! Everything is validated before the first byte goes out (exit 2, nothing
//! sent). Exit codes: 0 every request accepted, 1 the provider rejected at
//! least one (or refused the balance), 2 usage or validation error, 3
//! transport error (the message says whether the outcome is unknown or the
//! request was never sent). Credentials come from `QXT_CP_NAME` and
//! `QXT_CP_PASSWORD` only, never from flags (they would show in `ps`).

use super::{EXIT_FAIL, EXIT_OK, EXIT_TRANSPORT};
use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use voxprep::check::{CheckOptions, FileReport};
use voxprep::provider::{
    AccountKind, Balance, BalanceReply, BaseUrl, BaseUrlProblem, BatchOutcome, BatchReport, Client,
    Content, Credentials, DEFAULT_BASE_URL, ExtCode, ProviderError, Recipients, SubmitRequest,
    Timeouts,
};
use voxprep::spec::{Severity, Verdict};

/// The environment variable holding the account name.
pub const ENV_NAME: &str = "QXT_CP_NAME";
/// The environment variable holding the password.
pub const ENV_PASSWORD: &str = "QXT_CP_PASSWORD";

/// The forms of `voxprep send`.
#[derive(Debug, clap::Subcommand)]
pub enum SendCommand {
    /// Play a filed recording: 【语音通知文件】APPID|模板ID|录音文件名.
    ///
    /// When --recording names a local file, it is checked against the
    /// provider's spec first (as `voxprep check` does) and only its file name
    /// is sent.
    File(SendFileArgs),
    /// Read out a verification code of 4 to 6 digits: 【语音验证码】DIGITS.
    Code(SendCodeArgs),
    /// A filed TTS notice: 【语音通知】APPID|模板ID|参数, or with --keypress
    /// 【语音通知按键】APPID|模板ID|参数.
    Tts(SendTtsArgs),
}

/// Arguments of `voxprep send file`.
#[derive(Debug, clap::Args)]
pub struct SendFileArgs {
    /// App id (APPID) issued by the provider.
    #[arg(long, value_name = "APPID")]
    pub app: String,
    /// Template id (模板ID) of the filed notice.
    #[arg(long, value_name = "ID")]
    pub template: String,
    /// The recording as filed with the provider, or a local file of that
    /// name (checked first; only its file name is sent).
    #[arg(long, value_name = "NAME_OR_PATH")]
    pub recording: String,
    /// Send even when the local recording fails the check (and skip the check).
    #[arg(long)]
    pub no_check: bool,
    /// Numbers and connection options.
    #[command(flatten)]
    pub common: SendCommon,
}

/// Arguments of `voxprep send code`.
#[derive(Debug, clap::Args)]
pub struct SendCodeArgs {
    /// The verification code: 4 to 6 digits.
    #[arg(value_name = "DIGITS")]
    pub digits: String,
    /// Numbers and connection options.
    #[command(flatten)]
    pub common: SendCommon,
}

/// Arguments of `voxprep send tts`.
#[derive(Debug, clap::Args)]
pub struct SendTtsArgs {
    /// App id (APPID) issued by the provider.
    #[arg(long, value_name = "APPID")]
    pub app: String,
    /// Template id (模板ID) of the filed TTS text.
    #[arg(long, value_name = "ID")]
    pub template: String,
    /// The value of the template's variable (参数), if it has one.
    #[arg(long, value_name = "TEXT")]
    pub param: Option<String>,
    /// Accept key presses (【语音通知按键】); they arrive as inbound pushes.
    #[arg(long)]
    pub keypress: bool,
    /// Numbers and connection options.
    #[command(flatten)]
    pub common: SendCommon,
}

/// Options of every `send` form.
#[derive(Debug, clap::Args)]
pub struct SendCommon {
    /// Destination numbers: a comma-separated list, or @FILE with one number
    /// per line (blank lines and # comments skipped). May be repeated.
    /// Mainland mobiles; +86/86, spaces and dashes are stripped, duplicates dropped.
    #[arg(long, value_name = "NUMBERS", required = true)]
    pub to: Vec<String>,
    /// Extension code (ExtCode): the long outbound caller number to use.
    #[arg(long, value_name = "DIGITS")]
    pub ext_code: Option<String>,
    /// Connection options.
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Options shared by `send` and `balance`.
#[derive(Debug, clap::Args)]
pub struct ConnArgs {
    /// The provider's base URL.
    #[arg(long, env = "QXT_BASE_URL", value_name = "URL", default_value = DEFAULT_BASE_URL)]
    pub base_url: String,
    /// Overall timeout of each request, in seconds (decimals allowed).
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_secs)]
    pub timeout: Duration,
    /// Connect timeout, in seconds [default: 5, or half of --timeout if shorter].
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    pub connect_timeout: Option<Duration>,
    /// Try again up to N times when no connection could be made. A request
    /// that may have reached the provider is never sent again.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retry_connect: u32,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Validate and print the request(s), password shown as ***; send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `voxprep balance`.
#[derive(Debug, clap::Args)]
pub struct BalanceArgs {
    /// The account is a sub-account: the number is messages left, not fen.
    #[arg(long)]
    pub sub_account: bool,
    /// Connection options.
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Lines for people.
    Human,
    /// One JSON document on stdout.
    Json,
}

pub(super) fn parse_secs(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !v.is_finite() || v <= 0.0 || v > 86_400.0 {
        return Err(format!(
            "{s:?}: must be more than 0 and at most 86400 seconds"
        ));
    }
    Ok(Duration::from_secs_f64(v))
}

/// Credentials from the environment; a missing one is a usage error naming it.
fn credentials_from_env() -> anyhow::Result<Credentials> {
    let get = |var: &str| -> anyhow::Result<String> {
        match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(v),
            Ok(_) => bail!("{var} is set but empty; set it to your provider account's value"),
            Err(std::env::VarError::NotPresent) => {
                bail!("{var} is not set; export {var} with your provider account's value")
            }
            Err(std::env::VarError::NotUnicode(_)) => bail!("{var} is not valid UTF-8"),
        }
    };
    let name = get(ENV_NAME)?;
    let password = get(ENV_PASSWORD)?;
    Ok(Credentials::try_new(name, password)?)
}

fn client(conn: &ConnArgs) -> anyhow::Result<Client> {
    let credentials = credentials_from_env()?;
    let base = BaseUrl::parse(&conn.base_url).map_err(|e| {
        // The URL is quoted: keep a password pasted into it out of the message.
        let message = credentials.redact(&e.to_string());
        match e.problem {
            BaseUrlProblem::UserInfo => anyhow!(
                "{message}; the account and password come from {ENV_NAME} and {ENV_PASSWORD}"
            ),
            _ => anyhow!(message),
        }
    })?;
    let mut timeouts = Timeouts::with_overall(conn.timeout);
    if let Some(c) = conn.connect_timeout {
        timeouts.connect = c;
    }
    Ok(Client::new(base, credentials, timeouts)?.with_connect_retries(conn.retry_connect))
}

/// `--to` values: lists and @FILEs, merged and de-duplicated.
fn recipients(to: &[String]) -> anyhow::Result<Recipients> {
    let mut numbers = Vec::new();
    let mut duplicates = 0;
    for item in to {
        let r = if let Some(path) = item.strip_prefix('@') {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("--to @{path}: cannot read the number file"))?;
            Recipients::parse_lines(&text, path)?
        } else {
            Recipients::parse_list(item)?
        };
        duplicates += r.duplicates_removed();
        numbers.extend_from_slice(r.numbers());
    }
    let r = Recipients::new(numbers)?;
    if duplicates + r.duplicates_removed() > 0 {
        eprintln!(
            "voxprep: note: {} duplicate number(s) dropped",
            duplicates + r.duplicates_removed()
        );
    }
    Ok(r)
}

/// The one place `send file` runs `voxprep check`'s library on a recording.
fn check_recording(path: &Path) -> FileReport {
    voxprep::check::check_path(path, &CheckOptions::default())
}

/// What `send file` learnt about a local recording.
struct RecordingCheck {
    report: FileReport,
}

/// Resolve `--recording`: the file name to send and, for a local file, its check.
fn recording(args: &SendFileArgs) -> anyhow::Result<(String, Option<RecordingCheck>)> {
    let given = &args.recording;
    let path = PathBuf::from(given);
    let has_folder = given.contains('/') || given.contains('\\');
    if path.exists() && !path.is_file() {
        bail!("--recording {given:?}: not a regular file");
    }
    if !path.is_file() {
        if has_folder {
            bail!(
                "--recording {given:?}: no such file (give a local file, or the bare name as filed)"
            );
        }
        eprintln!(
            "voxprep: note: {given:?} is not a local file; sending the name as filed, unchecked"
        );
        return Ok((given.clone(), None));
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| anyhow!("--recording {given:?}: the file name is not valid UTF-8"))?
        .to_string();
    if args.no_check {
        eprintln!("voxprep: note: --no-check: {given:?} not checked");
        return Ok((name, None));
    }
    let report = check_recording(&path);
    Ok((name, Some(RecordingCheck { report })))
}

/// Run `voxprep send`.
pub fn run_send(cmd: SendCommand) -> anyhow::Result<ExitCode> {
    let (content, common, check) = match cmd {
        SendCommand::File(a) => {
            let (name, check) = recording(&a)?;
            let content = Content::file(&a.app, &a.template, name)?;
            (content, a.common, check)
        }
        SendCommand::Code(a) => (Content::code(&a.digits)?, a.common, None),
        SendCommand::Tts(a) => (
            Content::notice(&a.app, &a.template, a.param, a.keypress)?,
            a.common,
            None,
        ),
    };
    let to = recipients(&common.to)?;
    let ext = common.ext_code.map(ExtCode::try_new).transpose()?;
    let conn = &common.conn;
    let client = client(conn)?;
    let format = conn.format;

    let units = check.as_ref().and_then(|c| c.report.billing_units);
    if let Some(c) = &check {
        print_check(&c.report, to.numbers().len())?;
        if c.report.verdict == Verdict::Fail {
            bail!(
                "{}: the recording fails the provider's spec (fix it with `voxprep convert`); nothing sent (--no-check sends anyway)",
                c.report.path.display()
            );
        }
    }

    let plan = client.plan(&content, &to, ext.as_ref());
    if conn.dry_run {
        print_plan(&plan, &content, units, format)?;
        return Ok(ExitCode::from(EXIT_OK));
    }
    let reports = client.send(&content, &to, ext.as_ref());
    print_reports(&reports, units, format)
}

fn print_check(report: &FileReport, numbers: usize) -> anyhow::Result<()> {
    // stdout carries only the results (one document in JSON mode): this goes to stderr.
    let mut err = std::io::stderr().lock();
    let verdict = match report.verdict {
        Verdict::Pass => "pass",
        Verdict::Warn => "warn",
        Verdict::Fail => "FAIL",
    };
    let duration = report
        .duration_s
        .map(|d| format!(", {d:.3} s"))
        .unwrap_or_default();
    writeln!(
        err,
        "recording {}: {verdict}{duration}",
        report.path.display()
    )?;
    for p in &report.problems {
        let sev = if p.severity == Severity::Error {
            "error"
        } else {
            "warning"
        };
        writeln!(err, "  {sev} [{}] {}", p.code, p.message)?;
    }
    if let Some(u) = report.billing_units {
        writeln!(
            err,
            "billing: {u} unit(s) of 12 s per answered call played to the end; up to {} unit(s) for {numbers} number(s)",
            u.saturating_mul(numbers as u64)
        )?;
    }
    Ok(())
}

fn print_plan(
    plan: &[SubmitRequest],
    content: &Content,
    units: Option<u64>,
    format: Format,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            let requests: Vec<Value> = plan
                .iter()
                .map(|r| {
                    json!({
                        "numbers": r.numbers(),
                        "content": r.content(),
                        "url": r.redacted_url(),
                    })
                })
                .collect();
            let doc = json!({
                "dry_run": true,
                "form": content.form(),
                "billing_units_per_call": units,
                "requests": requests,
            });
            writeln!(out, "{doc}")?;
        }
        Format::Human => {
            let n: usize = plan.iter().map(|r| r.numbers().len()).sum();
            writeln!(out, "dry run: nothing sent")?;
            writeln!(out, "content: {}", content.render())?;
            writeln!(out, "{n} number(s) in {} request(s)", plan.len())?;
            for (i, r) in plan.iter().enumerate() {
                writeln!(
                    out,
                    "request {}/{} ({} numbers): GET {}",
                    i + 1,
                    plan.len(),
                    r.numbers().len(),
                    r.redacted_url()
                )?;
            }
        }
    }
    Ok(())
}

/// The JSON and human fields of one request's outcome.
struct Row {
    status: &'static str,
    accepted: bool,
    code: Option<String>,
    smsid: Option<String>,
    message: String,
}

fn row(outcome: &BatchOutcome) -> Row {
    match outcome {
        BatchOutcome::Replied(reply) => Row {
            status: if reply.accepted() {
                "accepted"
            } else {
                "rejected"
            },
            accepted: reply.accepted(),
            code: Some(reply.code.to_string()),
            smsid: reply.smsid.clone(),
            message: match (&reply.smsid, reply.accepted()) {
                (None, true) => format!("{} (the reply carried no smsid)", reply.code.describe()),
                _ => reply.code.describe(),
            },
        },
        BatchOutcome::Failed(e) => Row {
            status: if e.may_have_reached_provider() {
                "outcome_unknown"
            } else {
                "not_sent"
            },
            accepted: false,
            code: None,
            smsid: None,
            message: e.to_string(),
        },
        BatchOutcome::NotAttempted => Row {
            status: "not_sent",
            accepted: false,
            code: None,
            smsid: None,
            message: "not attempted after an earlier request failed; safe to send later".into(),
        },
    }
}

fn print_reports(
    reports: &[BatchReport],
    units: Option<u64>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let rows: Vec<Row> = reports.iter().map(|r| row(&r.outcome)).collect();
    let transport = reports
        .iter()
        .any(|r| !matches!(r.outcome, BatchOutcome::Replied(_)));
    let rejected = rows.iter().any(|r| r.status == "rejected");
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            let requests: Vec<Value> = reports
                .iter()
                .zip(&rows)
                .map(|(rep, row)| {
                    json!({
                        "numbers": rep.numbers,
                        "status": row.status,
                        "accepted": row.accepted,
                        "code": row.code,
                        "smsid": row.smsid,
                        "message": row.message,
                    })
                })
                .collect();
            let doc = json!({ "billing_units_per_call": units, "requests": requests });
            writeln!(out, "{doc}")?;
        }
        Format::Human => {
            let total = reports.len();
            for (i, (rep, row)) in reports.iter().zip(&rows).enumerate() {
                let what = match row.status {
                    "accepted" => format!(
                        "accepted, smsid {}",
                        row.smsid.as_deref().unwrap_or("(none in the reply)")
                    ),
                    "rejected" => format!("REJECTED {}", row.message),
                    "outcome_unknown" => format!("OUTCOME UNKNOWN: {}", row.message),
                    _ => format!("NOT SENT: {}", row.message),
                };
                writeln!(
                    out,
                    "request {}/{total} ({} numbers): {what}",
                    i + 1,
                    rep.numbers.len()
                )?;
            }
            let accepted: usize = reports
                .iter()
                .zip(&rows)
                .filter(|(_, r)| r.accepted)
                .map(|(rep, _)| rep.numbers.len())
                .sum();
            let all: usize = reports.iter().map(|r| r.numbers.len()).sum();
            writeln!(out, "accepted: {accepted} of {all} number(s)")?;
        }
    }
    drop(out);
    if transport {
        for (rep, row) in reports.iter().zip(&rows) {
            if let BatchOutcome::Failed(e) = &rep.outcome {
                eprintln!("voxprep: error: {e}");
                if row.status == "not_sent" {
                    eprintln!("voxprep: the request never left; it is safe to send it again");
                }
            }
        }
        return Ok(ExitCode::from(EXIT_TRANSPORT));
    }
    if rejected {
        eprintln!("voxprep: the provider rejected at least one request");
        return Ok(ExitCode::from(EXIT_FAIL));
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// Run `voxprep balance`.
pub fn run_balance(args: BalanceArgs) -> anyhow::Result<ExitCode> {
    let client = client(&args.conn)?;
    let kind = if args.sub_account {
        AccountKind::Sub
    } else {
        AccountKind::Main
    };
    let format = args.conn.format;
    let mut out = std::io::stdout().lock();
    if args.conn.dry_run {
        match format {
            Format::Json => writeln!(
                out,
                "{}",
                json!({ "dry_run": true, "url": client.balance_redacted_url() })
            )?,
            Format::Human => {
                writeln!(out, "dry run: nothing sent")?;
                writeln!(out, "GET {}", client.balance_redacted_url())?;
            }
        }
        return Ok(ExitCode::from(EXIT_OK));
    }
    let reply = client.balance(kind);
    let (doc, human, code) = match &reply {
        Ok(BalanceReply::Balance(Balance::Money(fen))) => (
            json!({ "code": 0, "balance_fen": fen.0, "yuan": fen.yuan() }),
            format!("balance: {} fen (¥{})", fen.0, fen.yuan()),
            EXIT_OK,
        ),
        Ok(BalanceReply::Balance(Balance::Messages(n))) => (
            json!({ "code": 0, "balance_fen": null, "messages_left": n }),
            format!("messages left: {n}"),
            EXIT_OK,
        ),
        Ok(BalanceReply::Refused(c)) => (
            json!({ "code": c.0, "balance_fen": null, "message": c.describe() }),
            format!("balance refused: {}", c.describe()),
            EXIT_FAIL,
        ),
        Err(e) => (
            json!({ "code": null, "balance_fen": null, "error": e.to_string() }),
            String::new(),
            transport_exit(e),
        ),
    };
    match format {
        Format::Json => writeln!(out, "{doc}")?,
        Format::Human if !human.is_empty() => writeln!(out, "{human}")?,
        Format::Human => {}
    }
    if let Err(e) = &reply {
        eprintln!("voxprep: error: {e}");
    }
    Ok(ExitCode::from(code))
}

fn transport_exit(e: &ProviderError) -> u8 {
    match e {
        ProviderError::Invalid(_) => super::EXIT_USAGE,
        _ => EXIT_TRANSPORT,
    }
}

#[cfg(test)]
mod tests {
    use super::super::Args;
    use super::*;
    use clap::Parser;

    #[test]
    fn parses_every_form() {
        let a = Args::try_parse_from([
            "voxprep",
            "send",
            "file",
            "--app",
            "A",
            "--template",
            "T",
            "--recording",
            "r.wav",
            "--to",
            "13800138000",
            "--to",
            "@nums.txt",
            "--timeout",
            "1.5",
            "--format",
            "json",
            "--dry-run",
            "--no-check",
            "--ext-code",
            "99",
        ])
        .unwrap();
        let super::super::Command::Send(SendCommand::File(f)) = a.command else {
            panic!()
        };
        assert_eq!(f.common.to, ["13800138000", "@nums.txt"]);
        assert_eq!(f.common.conn.timeout, Duration::from_millis(1500));
        assert!(f.no_check && f.common.conn.dry_run && f.common.conn.format == Format::Json);

        let a = Args::try_parse_from(["voxprep", "send", "code", "1234", "--to", "1"]).unwrap();
        let super::super::Command::Send(SendCommand::Code(c)) = a.command else {
            panic!()
        };
        assert_eq!(c.digits, "1234");

        let a = Args::try_parse_from([
            "voxprep",
            "send",
            "tts",
            "--app",
            "A",
            "--template",
            "T",
            "--param",
            "x",
            "--keypress",
            "--to",
            "1",
        ])
        .unwrap();
        let super::super::Command::Send(SendCommand::Tts(t)) = a.command else {
            panic!()
        };
        assert!(t.keypress && t.param.as_deref() == Some("x"));

        let a = Args::try_parse_from(["voxprep", "balance", "--sub-account"]).unwrap();
        let super::super::Command::Balance(b) = a.command else {
            panic!()
        };
        assert!(b.sub_account && b.conn.timeout == Duration::from_secs(30));
    }

    #[test]
    fn bad_flags_are_refused() {
        for args in [
            &["voxprep", "send", "code", "1234"][..],
            &[
                "voxprep",
                "send",
                "code",
                "1234",
                "--to",
                "1",
                "--timeout",
                "0",
            ],
            &[
                "voxprep",
                "send",
                "code",
                "1234",
                "--to",
                "1",
                "--timeout",
                "x",
            ],
            &[
                "voxprep", "send", "code", "1234", "--to", "1", "--format", "xml",
            ],
            &["voxprep", "send", "file", "--app", "A", "--to", "1"],
        ] {
            assert!(Args::try_parse_from(args).is_err(), "{args:?}");
        }
    }
}
