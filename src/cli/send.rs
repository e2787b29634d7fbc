//! `voxprep send {file,code,tts}`: submit voice notices through `Recv_center`.
//!
//! Everything is validated before the first byte goes out (exit 2, nothing
//! sent), the `--unsent` file included. Exit codes: 0 every request
//! accepted, 1 the provider rejected at least one (and, after a rejection
//! for the whole account, the rest were not sent), 2 usage or validation
//! error, 3 transport error (the message says whether the outcome is
//! unknown or the request was never sent).

use super::connection::{self, ConnArgs};
use super::render;
use super::{EXIT_FAIL, EXIT_OK, EXIT_TRANSPORT};
use anyhow::{anyhow, bail};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use voxprep::check::{CheckOptions, FileReport};
use voxprep::provider::{BatchOutcome, BatchReport, Content, ExtCode, SendStatus};
use voxprep::spec::Verdict;

/// The forms of `voxprep send`.
#[derive(Debug, clap::Subcommand)]
#[command(after_help = super::help::SEND)]
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
#[command(after_help = super::help::SEND_FILE)]
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
#[command(after_help = super::help::SEND_CODE)]
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
#[command(after_help = super::help::SEND_TTS)]
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
    /// Write the numbers not sent to FILE, one a line, ready for `--to
    /// @FILE`: those of requests never attempted or refused for the whole
    /// account (nobody in them was called). Written after every send, empty
    /// when all went out, whole or not at all. An existing FILE is refused
    /// before anything is sent, unless --force.
    #[arg(long, value_name = "FILE")]
    pub unsent: Option<PathBuf>,
    /// Replace the --unsent FILE if it exists.
    #[arg(long, requires = "unsent")]
    pub force: bool,
    /// The ledger every request is recorded in, before it goes out and
    /// with its outcome after (see `voxprep status`). Default:
    /// $XDG_DATA_HOME/voxprep/ledger.sqlite, or
    /// ~/.local/share/voxprep/ledger.sqlite.
    #[arg(long, value_name = "PATH", env = "VOXPREP_LEDGER")]
    pub ledger: Option<PathBuf>,
    /// Record nothing, whatever --ledger or VOXPREP_LEDGER say (`voxprep
    /// status` will not know of this send).
    #[arg(long)]
    pub no_ledger: bool,
    /// Connection options.
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Resolve `--recording`: the file name to send and, for a local file, its
/// check (none with `--no-check`, or for a bare name as filed).
fn recording(args: &SendFileArgs) -> anyhow::Result<(String, Option<FileReport>)> {
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
    let report = voxprep::check::check_path(&path, &CheckOptions::default());
    Ok((name, Some(report)))
}

/// Run `voxprep send`.
pub fn run(cmd: SendCommand) -> anyhow::Result<ExitCode> {
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
    if let (Some(path), false) = (&common.unsent, common.conn.dry_run) {
        super::unsent::check_target(path, common.force)?;
    }
    let to = super::recipients::read(&common.to)?;
    let ext = common.ext_code.map(ExtCode::try_new).transpose()?;
    let conn = &common.conn;
    let client = connection::client(conn)?;

    let units = check.as_ref().and_then(|c| c.billing_units);
    if let Some(report) = &check {
        // stdout carries only the results (one document in JSON): the check goes to stderr.
        let mut err = std::io::stderr().lock();
        render::send::write_recording_check(report, to.numbers().len(), &mut err)?;
        if report.verdict == Verdict::Fail {
            bail!(
                "{}: the recording fails the provider's spec (see above); nothing sent \
                 (--no-check sends anyway)",
                report.path.display()
            );
        }
    }

    let mut out = std::io::stdout().lock();
    if conn.dry_run {
        let plan = client.plan(&content, &to, ext.as_ref());
        render::send::write_plan(&plan, &content, units, conn.format, &mut out)
            .and_then(|()| out.flush())?;
        return Ok(ExitCode::from(EXIT_OK));
    }
    let mut journal = super::send_record::open(
        common.ledger.as_ref(),
        common.no_ledger,
        &content,
        ext.as_ref(),
        units,
    )?;
    let (reports, ledger_error) = client.send_with(&content, &to, ext.as_ref(), |step| {
        journal.as_mut().map_or(Ok(()), |j| j.step(step))
    });
    render::send::write_reports(&reports, units, conn.format, &mut out)
        .and_then(|()| out.flush())?;
    drop(out);
    let mut code = exit_code(&reports);
    let mut err = std::io::stderr().lock();
    if let Some(e) = ledger_error {
        writeln!(
            err,
            "voxprep: error: the ledger could not record the send ({e:#}); the requests \
             after it were not sent"
        )?;
        code = code.max(EXIT_FAIL);
    }
    match code {
        EXIT_TRANSPORT => render::send::write_transport_errors(&reports, &mut err)?,
        EXIT_FAIL => {
            writeln!(err, "voxprep: the provider rejected at least one request")?;
            render::send::write_account_stop(&reports, &mut err)?;
        }
        _ => {}
    }
    if let Some(path) = &common.unsent {
        let lines = render::send::unsent_lines(&reports);
        match super::unsent::write(path, &lines, common.force) {
            Ok(()) if !lines.is_empty() => writeln!(
                err,
                "voxprep: {} number(s) not sent written to {} (send them with --to @{0})",
                lines.lines().count(),
                path.display()
            )?,
            Ok(()) => {}
            // The requests went out: their exit status stands, made at
            // least 1 so that a script sees the file is missing.
            Err(e) => {
                writeln!(err, "voxprep: error: {e:#}")?;
                code = code.max(EXIT_FAIL);
            }
        }
    }
    Ok(ExitCode::from(code))
}

/// 3 when a request failed in transport (its outcome unknown, or it never
/// left), else 1 when the provider rejected one (the requests it stopped
/// included), else 0.
fn exit_code(reports: &[BatchReport]) -> u8 {
    if reports
        .iter()
        .any(|r| matches!(r.outcome, BatchOutcome::Failed(_)))
    {
        EXIT_TRANSPORT
    } else if reports.iter().any(|r| r.status() != SendStatus::Accepted) {
        EXIT_FAIL
    } else {
        EXIT_OK
    }
}

#[cfg(test)]
mod tests {
    use super::super::format::Format;
    use super::super::{Args, Command};
    use super::*;
    use clap::Parser;
    use std::time::Duration;
    use voxprep::provider::{Mobile, StatusCode, StopCause, SubmitReply};

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
            "--unsent",
            "left.txt",
            "--force",
        ])
        .unwrap();
        let Command::Send(SendCommand::File(f)) = a.command else {
            panic!()
        };
        assert_eq!(f.common.to, ["13800138000", "@nums.txt"]);
        assert_eq!(f.common.conn.timeout, Duration::from_millis(1500));
        assert!(f.no_check && f.common.conn.dry_run && f.common.conn.format == Format::Json);
        assert_eq!(
            f.common.unsent.as_deref(),
            Some(std::path::Path::new("left.txt"))
        );
        assert!(f.common.force);

        let a = Args::try_parse_from(["voxprep", "send", "code", "1234", "--to", "1"]).unwrap();
        let Command::Send(SendCommand::Code(c)) = a.command else {
            panic!()
        };
        assert_eq!(c.digits, "1234");
        assert_eq!(c.common.conn.format, Format::Human);

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
            "--format",
            "csv",
        ])
        .unwrap();
        let Command::Send(SendCommand::Tts(t)) = a.command else {
            panic!()
        };
        assert!(t.keypress && t.param.as_deref() == Some("x"));
        assert_eq!(t.common.conn.format, Format::Csv);
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
            &["voxprep", "send", "code", "1234", "--to", "1", "--force"],
        ] {
            assert!(Args::try_parse_from(args).is_err(), "{args:?}");
        }
    }

    #[test]
    fn exit_codes_follow_the_worst_status() {
        let report = |outcome| BatchReport {
            numbers: vec![Mobile::parse("13800138000").unwrap()],
            outcome,
        };
        let replied = |code| {
            report(BatchOutcome::Replied(SubmitReply {
                code: StatusCode(code),
                smsid: None,
            }))
        };
        assert_eq!(exit_code(&[replied(0), replied(0)]), EXIT_OK);
        assert_eq!(exit_code(&[replied(0), replied(-1010)]), EXIT_FAIL);
        let never = BatchOutcome::Failed(voxprep::provider::ProviderError::NotSent {
            call: voxprep::provider::Call::Submit,
            endpoint: "http://h/Recv_center".into(),
            reason: "could not connect".into(),
        });
        assert_eq!(
            exit_code(&[
                replied(-1010),
                report(never),
                report(BatchOutcome::NotAttempted(StopCause::TransportFailure))
            ]),
            EXIT_TRANSPORT
        );
        // Stopped by a rejection for the whole account: nothing failed in
        // transport.
        assert_eq!(
            exit_code(&[
                replied(-1011),
                report(BatchOutcome::NotAttempted(StopCause::AccountRejected(
                    StatusCode(-1011)
                )))
            ]),
            EXIT_FAIL
        );
    }
}
