//! `voxprep cost`: billing units and money for a set of recordings and TTS
//! templates.

use super::EXIT_OK;
use super::check::{ThresholdArgs, exit_status, run_checks};
use super::format::Format;
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use voxprep::billing::Fen;
use voxprep::check::CheckOptions;
use voxprep::cost;
use voxprep::template::Form;

/// Arguments of `voxprep cost`.
#[derive(Debug, clap::Args)]
#[command(after_help = super::help::COST)]
pub struct CostArgs {
    /// Recordings (files or folders, walked like `voxprep check`); optional
    /// when a template is given.
    #[arg(value_name = "PATH", required_unless_present = "templates")]
    pub paths: Vec<PathBuf>,
    /// A TTS template text, or @FILE of them (one per non-empty line),
    /// priced by its estimated duration; repeatable.
    #[arg(long = "template", value_name = "TEXT|@FILE")]
    pub templates: Vec<String>,
    /// The estimate of the templates' duration.
    #[command(flatten)]
    pub estimate: super::template::EstimateArgs,
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
    /// The rates of headerless files (as `check`).
    #[command(flatten)]
    pub rates: super::check::RateArgs,
    /// Signal thresholds: the silence trimming would cut.
    #[command(flatten)]
    pub thresholds: ThresholdArgs,
    /// Check this many files at a time (default: one per core).
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}

/// Run `voxprep cost`.
pub fn run(args: CostArgs) -> anyhow::Result<ExitCode> {
    // Durations, and the edge silence of the files the provider plays as
    // they are (what trimming would save); no loudness, no advice.
    let opts = CheckOptions {
        thresholds: args.thresholds.into_thresholds(),
        analyse_signal: true,
        measure_loudness: false,
        advise: false,
        vox_rate: args.rates.vox_rate,
        input_rate: args.rates.input_rate,
        envelope_bins: None,
    };
    // Templates first: a file of them that cannot be read is a usage
    // error before any recording is checked.
    let sources = super::template::load(&args.templates)?;
    let templates = super::template::check_all(&sources, &args.estimate.options(Form::Notice));
    let (files, status) = if args.paths.is_empty() {
        (Vec::new(), (EXIT_OK, None))
    } else {
        let checked = run_checks(args.paths, &opts, args.jobs)?;
        let summary = checked.summary().context("cannot total the check")?;
        (checked.files, exit_status(&summary, false))
    };
    let cost = cost::campaign_report(
        &files,
        &templates,
        Fen(args.price_fen),
        args.recipients,
        args.plays,
    )
    .context("cannot price the recordings")?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    super::render::cost::write(&cost, args.format, &mut out)
        .and_then(|()| out.flush())
        .context("cannot write the report")?;
    let (code, note) = status;
    let code = code.max(super::template::exit_code(&templates));
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
        assert!(
            cost(&["--price-fen", "1"]).is_err(),
            "a path or a template is required"
        );
        let a = cost(&[
            "--price-fen",
            "10",
            "--template",
            "@t.txt",
            "--template",
            "${name}您好",
            "--param-max",
            "张三丰",
            "--tts-rate",
            "4",
        ])
        .unwrap();
        assert!(a.paths.is_empty());
        assert_eq!(a.templates, ["@t.txt", "${name}您好"]);
        assert_eq!(a.estimate.param_max.as_deref(), Some("张三丰"));
        assert_eq!(a.estimate.tts_rate, 4.0);
        let a = cost(&["prompts/", "--price-fen", "1", "--template", "x"]).unwrap();
        assert_eq!((a.paths.len(), a.templates.len()), (1, 1));
        assert!(cost(&["a.wav", "--price-fen", "-1"]).is_err());
        assert!(cost(&["a.wav", "--price-fen", "1", "--recipients", "0"]).is_err());
        assert!(cost(&["a.wav", "--price-fen", "1", "--format", "xml"]).is_err());
        let a = cost(&[
            "a.vox",
            "--price-fen",
            "1",
            "--vox-rate",
            "6000",
            "--input-rate",
            "16000",
            "--trim-pad",
            "0.2",
            "--format",
            "csv",
        ])
        .unwrap();
        assert_eq!((a.rates.vox_rate, a.rates.input_rate), (6000, Some(16000)));
        assert_eq!(a.thresholds.into_thresholds().trim_pad_s, 0.2);
    }
}
