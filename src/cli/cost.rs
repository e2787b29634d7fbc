//! `voxprep cost`: billing units and money for a set of recordings.

use super::check::{exit_status, run_checks};
use super::format::Format;
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use voxprep::billing::Fen;
use voxprep::check::CheckOptions;
use voxprep::cost;

/// Arguments of `voxprep cost`.
#[derive(Debug, clap::Args)]
#[command(after_help = super::help::COST)]
pub struct CostArgs {
    /// Recordings (files or folders, walked like `voxprep check`).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Price of one billing unit (12 s of one call), in fen (1/100 yuan).
    #[arg(long, value_name = "N")]
    pub price_fen: u64,
    /// Recipients each recording is played to.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub recipients: u64,
    /// Plays (calls) per recipient.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub plays: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Check this many files at a time (default: one per core).
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}

/// Run `voxprep cost`.
pub fn run(args: CostArgs) -> anyhow::Result<ExitCode> {
    // Cost needs durations only: skip the signal analysis and the advice.
    let opts = CheckOptions {
        analyse_signal: false,
        measure_loudness: false,
        advise: false,
        ..CheckOptions::default()
    };
    let checked = run_checks(args.paths, &opts, args.jobs)?;
    let cost = cost::cost_report(
        &checked.files,
        Fen(args.price_fen),
        args.recipients,
        args.plays,
    );
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    super::render::cost::write(&cost, args.format, &mut out)
        .and_then(|()| out.flush())
        .context("cannot write the report")?;
    let (code, note) = exit_status(&checked, false);
    if let Some(note) = note {
        eprintln!("voxprep: {note}");
    }
    Ok(ExitCode::from(code))
}

#[cfg(test)]
mod tests {
    use super::super::{Args, Command};
    use clap::Parser;

    fn cost(args: &[&str]) -> Result<super::CostArgs, clap::Error> {
        let mut all = vec!["voxprep", "cost"];
        all.extend_from_slice(args);
        Args::try_parse_from(all).map(|a| match a.command {
            Command::Cost(c) => c,
            _ => unreachable!(),
        })
    }

    #[test]
    fn parses() {
        let a = cost(&["a.wav", "--price-fen", "12", "--recipients", "100"]).unwrap();
        assert_eq!((a.price_fen, a.recipients, a.plays), (12, 100, 1));
        assert!(cost(&["a.wav"]).is_err(), "price is required");
        assert!(cost(&["--price-fen", "1"]).is_err(), "a path is required");
        assert!(cost(&["a.wav", "--price-fen", "-1"]).is_err());
        assert!(cost(&["a.wav", "--price-fen", "1", "--recipients", "0"]).is_err());
        assert!(cost(&["a.wav", "--price-fen", "1", "--format", "xml"]).is_err());
    }
}
