//! `voxprep receive`: serve the provider's pushes (status reports and inbound
//! messages or key presses) and write each one as a line.
//!
//! Runs until Ctrl-C or SIGTERM, then finishes the pushes in progress and
//! exits 130. A push's lines are written, and with `--out FILE` synced to
//! the disk, before the provider gets its 200; when they cannot be written,
//! the provider gets 500 (it pushes again) and the command stops with the
//! error. Diagnostics on stderr never stop it: a closed or full stderr (a
//! dead log collector) loses them, not pushes.

use super::format::Format;
use super::journal::Journal;
use super::render::receive::{self as lines, Line, escaped};
use super::values::parse_secs;
use anyhow::{Context, bail};
use clap::ValueEnum;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use std::io::{self, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use voxprep::provider::receiver::{Event, Receiver, ReceiverOptions, StopHandle};

/// What a bare GET (a browser, a health check) is answered.
const READY: &str = "voxprep receive: ready for status reports and inbound pushes";

/// The running receiver, for the signal handler.
static RUNNING: OnceLock<StopHandle> = OnceLock::new();
/// A signal asked it to stop.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// On the first SIGINT/SIGTERM while serving: stop accepting, let the
/// pushes in progress finish, and say so; true. A second signal, or one
/// before the receiver runs: false (exit at once).
pub fn interrupt() -> bool {
    let Some(stop) = RUNNING.get() else {
        return false;
    };
    if INTERRUPTED.swap(true, Ordering::SeqCst) {
        return false;
    }
    // Stop first: a full stderr pipe may block the message.
    stop.stop();
    say(format_args!(
        "stopping: finishing the pushes in progress (signal again to stop at once)"
    ));
    true
}

/// A diagnostic on stderr. Never fails: a closed or broken stderr must not
/// take the receiver down with it (`eprintln!` panics on EPIPE).
fn say(what: std::fmt::Arguments) {
    let _ = writeln!(io::stderr().lock(), "voxprep receive: {what}");
}

/// `--format`: the shared formats but `csv` (a stream of pushes of two
/// kinds has no one header row to go under).
fn line_format() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(
        Format::value_variants()
            .iter()
            .filter(|f| **f != Format::Csv)
            .filter_map(ValueEnum::to_possible_value),
    )
    .try_map(|s| Format::from_str(&s, false))
}

/// Arguments of `voxprep receive`.
#[derive(Debug, clap::Args)]
#[command(after_help = super::help::RECEIVE)]
pub struct ReceiveArgs {
    /// Address and port to listen on. The default takes connections from this
    /// machine only (behind a reverse proxy); use 0.0.0.0:PORT to take them
    /// from the provider directly, with --allow.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Only serve these client addresses (comma-separated or repeated): the
    /// provider's; others are closed unread. Pushes carry no credentials,
    /// so this is the only check.
    #[arg(long, value_name = "IP", value_delimiter = ',')]
    pub allow: Vec<IpAddr>,
    /// Append the lines to this file instead of writing them to stdout, each
    /// synced to the disk before the push is answered (a new file is
    /// created readable by its owner only: it holds phone numbers).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How each status or message is written: a line for people, or a JSON
    /// object per line (JSON Lines).
    #[arg(long, default_value = "human", value_parser = line_format())]
    pub format: Format,
    /// The body of the answer to an accepted push.
    #[arg(long, value_name = "TEXT", default_value = "ok")]
    pub reply: String,
    /// Seconds a client may take to send its request, from its connection.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
    pub timeout: Duration,
    /// Also store every push in the ledger `voxprep send` records into,
    /// committed to the disk before the push is answered, each status
    /// once (so that `voxprep status` joins it to its send). Without a
    /// PATH: VOXPREP_LEDGER, else the default ledger
    /// (~/.local/share/voxprep/ledger.sqlite). The lines are written as
    /// well.
    #[arg(long, value_name = "PATH", num_args = 0..=1)]
    pub ledger: Option<Option<PathBuf>>,
}

/// The ledger `--ledger` names: its value, else `VOXPREP_LEDGER`, else the
/// default one.
fn ledger_path(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    given
        .or_else(|| std::env::var_os("VOXPREP_LEDGER").map(PathBuf::from))
        .or_else(voxprep::ledger::default_path)
        .ok_or_else(|| anyhow::anyhow!("no ledger path: give --ledger PATH or set VOXPREP_LEDGER"))
}

/// Where the lines go.
enum Sink {
    Stdout(Mutex<io::Stdout>),
    File(Journal),
}

impl Sink {
    fn write(&self, text: &str) -> io::Result<()> {
        match self {
            Sink::Stdout(out) => {
                let mut out = out.lock().unwrap_or_else(|p| p.into_inner());
                out.write_all(text.as_bytes())?;
                out.flush()
            }
            Sink::File(journal) => journal.append(text.as_bytes()),
        }
    }
}

/// Run `voxprep receive`.
pub fn run(args: ReceiveArgs) -> anyhow::Result<ExitCode> {
    let text_of: fn(&[Line]) -> String = match args.format {
        Format::Human => lines::human,
        Format::Json => lines::json,
        // Refused by the argument parser already.
        Format::Csv => bail!("receive writes human or json lines, not csv"),
    };
    let options = ReceiverOptions {
        allow: args.allow,
        timeout: args.timeout,
        reply: args.reply,
        ready: READY.to_string(),
        ..ReceiverOptions::default()
    };
    let receiver = Receiver::bind(args.listen.as_str(), options)
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let (sink, name) = match &args.out {
        Some(path) => {
            let (journal, repaired) = Journal::open(path)
                .with_context(|| format!("cannot open {} for appending", path.display()))?;
            if let Some(r) = repaired {
                say(format_args!(
                    "{} ended in a partial line ({} bytes, never acknowledged): cut back to \
                     its last whole line ({} bytes)",
                    path.display(),
                    r.dropped,
                    r.kept
                ));
            }
            (Sink::File(journal), path.display().to_string())
        }
        None => (Sink::Stdout(Mutex::new(io::stdout())), "stdout".into()),
    };
    let store = match args.ledger {
        Some(given) => {
            let path = ledger_path(given)?;
            let store = voxprep::ledger::PushStore::open(&path)
                .with_context(|| format!("cannot open the ledger {}", path.display()))?;
            Some((store, path))
        }
        None => None,
    };
    let addr = receiver.local_addr()?;
    say(format_args!(
        "listening on http://{addr}/ (status reports and inbound pushes, any path); \
         writing to {name}; stop with Ctrl-C"
    ));
    let store = store.map(|(store, path)| {
        say(format_args!(
            "storing pushes in the ledger {}",
            path.display()
        ));
        store
    });
    let _ = RUNNING.set(receiver.stop_handle());
    receiver
        .serve(move |event| match event {
            Event::Push { from, push } => {
                let now = SystemTime::now();
                // The ledger first: a line that then fails to be written
                // gets the provider 500, and its push again, stored once.
                if let Some(store) = &store {
                    store.store(&push, now)?;
                }
                let at = timestamp(now);
                sink.write(&text_of(&lines::lines(&push, from.ip(), &at)))
            }
            Event::Refused {
                from,
                status,
                reason,
            } => {
                let reason = escaped(&reason);
                match status {
                    0 => say(format_args!("{from}: dropped: {reason}")),
                    s => say(format_args!("{from}: answered {s}: {reason}")),
                }
                Ok(())
            }
        })
        .with_context(|| format!("writing pushes to {name}"))?;
    if INTERRUPTED.load(Ordering::SeqCst) {
        say(format_args!("stopped"));
        return Ok(ExitCode::from(super::EXIT_INTERRUPTED));
    }
    Ok(ExitCode::SUCCESS)
}

/// RFC 3339 in UTC to the second, e.g. `2026-11-29T19:30:05Z`.
fn timestamp(t: SystemTime) -> String {
    let ms = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    super::clock::utc_millis(i64::try_from(ms).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::super::{Args, Command};
    use super::*;
    use clap::Parser;

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
    fn format_is_human_or_json_never_csv() {
        let parse = |args: &[&str]| {
            let mut all = vec!["voxprep", "receive"];
            all.extend_from_slice(args);
            Args::try_parse_from(all).map(|a| match a.command {
                Command::Receive(r) => r.format,
                _ => unreachable!(),
            })
        };
        assert_eq!(parse(&[]).unwrap(), Format::Human);
        assert_eq!(parse(&["--format", "json"]).unwrap(), Format::Json);
        let e = parse(&["--format", "csv"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::InvalidValue);
        let text = e.to_string();
        assert!(
            text.contains("invalid value 'csv' for '--format <FORMAT>'")
                && text.contains("[possible values: human, json]"),
            "{text}"
        );
    }
}
