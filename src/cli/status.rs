//! `voxprep status`: what became of the sends recorded in the ledger:
//! delivered, failed (and why), pending, unknown, rejected, not sent; what
//! it cost; which numbers may be sent again.
//!
//! Exit codes: 0 the status was read (whatever it says), 2 usage error, or
//! the ledger cannot be read.

use super::clock::{Since, parse_duration, parse_since};
use super::format::Format;
use super::render;
use super::render::status::View;
use anyhow::{Context, anyhow};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};
use voxprep::billing::Fen;
use voxprep::ledger::{self, Filter, Ledger};

/// Arguments of `voxprep status`.
#[derive(Debug, clap::Args)]
#[command(after_help = super::help::STATUS)]
pub struct StatusArgs {
    /// The ledger file. Default: $XDG_DATA_HOME/voxprep/ledger.sqlite, or
    /// ~/.local/share/voxprep/ledger.sqlite.
    #[arg(long, value_name = "PATH", env = "VOXPREP_LEDGER")]
    pub ledger: Option<PathBuf>,
    /// Only requests made since then: a duration before now (24h, 30m, 7d)
    /// or a UTC date or time (2026-12-01, 2026-12-01T08:00:00Z).
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    pub since: Option<Since>,
    /// Only the request with this smsid (the id the provider's reply and
    /// status reports carry).
    #[arg(long, value_name = "SMSID")]
    pub smsid: Option<String>,
    /// Price of one billing unit, in fen: adds the cost of the delivered
    /// (answered) calls.
    #[arg(long, value_name = "N")]
    pub price_fen: Option<u64>,
    /// List only the numbers accepted this long ago (30m, 2h, 1d) and
    /// still without a final status report.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub pending_older_than: Option<Duration>,
    /// Write the numbers safe to send again to FILE, one a line (what
    /// `send --to @FILE` reads): never sent, or failed or refused for a
    /// reason that may pass (balance, rate limits, sending hours...); never
    /// a number delivered, pending, or of unknown outcome. Written whole or
    /// not at all; an existing FILE is refused unless --force.
    #[arg(long, value_name = "FILE")]
    pub resendable: Option<PathBuf>,
    /// With --resendable: also the numbers of requests whose outcome is
    /// unknown (they may have been called: sending again may call twice).
    #[arg(long, requires = "resendable")]
    pub include_unknown: bool,
    /// Replace the --resendable FILE if it exists.
    #[arg(long, requires = "resendable")]
    pub force: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Run `voxprep status`.
pub fn run(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let path = match args.ledger {
        Some(p) => p,
        None => ledger::default_path().ok_or_else(|| {
            anyhow!("no ledger path: give --ledger PATH or set VOXPREP_LEDGER (HOME is not set)")
        })?,
    };
    if let Some(file) = &args.resendable {
        super::unsent::check_target_as("--resendable", file, args.force, "nothing written")?;
    }
    let now = SystemTime::now();
    let filter = Filter {
        since: args.since.map(|s| s.resolve(now)),
        smsid: args.smsid,
    };
    let ledger = Ledger::open_existing(&path).map_err(|e| match e {
        ledger::LedgerError::Missing { .. } => anyhow!(
            "{e} (no send has been recorded in this ledger yet; give --ledger PATH or set \
             VOXPREP_LEDGER)"
        ),
        e => anyhow::Error::new(e),
    })?;
    let report = ledger.report(&filter)?;
    let billing = report
        .billing(args.price_fen.map(Fen))
        .context("cannot add up the billing")?;
    let view = View {
        ledger: &path,
        report: &report,
        billing: &billing,
        pending: args
            .pending_older_than
            .map(|age| (age, report.pending_older_than(age, now))),
    };
    let mut out = std::io::stdout().lock();
    render::status::write(&view, args.format, &mut out).and_then(|()| out.flush())?;
    drop(out);
    if let Some(file) = &args.resendable {
        let numbers = report.resendable(args.include_unknown);
        let text: String = numbers.iter().map(|n| format!("{n}\n")).collect();
        super::unsent::write_as("--resendable", file, &text, args.force)?;
        let unknown = report.resendable(true).len() - report.resendable(false).len();
        let mut err = std::io::stderr().lock();
        writeln!(
            err,
            "voxprep: {} number(s) safe to send again written to {} (send them with --to @{1})",
            numbers.len(),
            file.display()
        )?;
        if args.include_unknown && unknown > 0 {
            writeln!(
                err,
                "voxprep: warning: {unknown} of them belong to requests whose outcome is unknown: \
                 the provider may have called them already, and sending again calls them twice"
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::super::{Args, Command};
    use super::*;
    use clap::Parser;

    fn parse(args: &[&str]) -> Result<StatusArgs, clap::Error> {
        let mut all = vec!["voxprep", "status"];
        all.extend_from_slice(args);
        Args::try_parse_from(all).map(|a| match a.command {
            Command::Status(s) => s,
            _ => unreachable!(),
        })
    }

    #[test]
    fn flags() {
        let a = parse(&[
            "--ledger",
            "l.sqlite",
            "--since",
            "2h",
            "--pending-older-than",
            "30m",
            "--price-fen",
            "12",
            "--format",
            "csv",
        ])
        .unwrap();
        assert_eq!(a.ledger, Some(PathBuf::from("l.sqlite")));
        assert_eq!(a.since, Some(Since::Ago(Duration::from_secs(7200))));
        assert_eq!(a.pending_older_than, Some(Duration::from_secs(1800)));
        assert_eq!(a.price_fen, Some(12));
        assert_eq!(a.format, Format::Csv);
        for bad in [
            &["--include-unknown"][..],
            &["--force"],
            &["--pending-older-than", "30"],
            &["--since", "yesterday"],
            &["--price-fen", "-1"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(parse(&["--resendable", "r.txt", "--include-unknown", "--force"]).is_ok());
    }
}
