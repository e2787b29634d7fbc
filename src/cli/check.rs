//! `voxprep check`: check recordings against the provider's spec.

use super::format::CheckFormat;
use super::output;
use super::render::html;
use super::values;
use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;
use voxprep::batch;
use voxprep::check::CheckOptions;
use voxprep::report::{Report, Summary};
use voxprep::signal::Thresholds;

/// Arguments of `voxprep check`.
#[derive(Debug, clap::Args)]
#[command(after_help = super::help::CHECK)]
pub struct CheckArgs {
    /// Files and folders to check; folders are walked recursively and their
    /// non-audio files skipped. A file named here is always checked. `-`
    /// reads standard input (judged by its content). Default: `.`
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format; `html` is one self-contained page for people, with a
    /// waveform thumbnail per file.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Write the report to FILE (in one go, once complete) instead of
    /// standard output; an existing FILE is replaced only with `--force`.
    /// The html report's links start from FILE's folder.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace the `-o` FILE if it exists.
    #[arg(long, requires = "output")]
    pub force: bool,
    /// Add each analysed recording's min/max envelope, at most N bins, to
    /// the JSON (`signal.envelope`); with `--format html`, the thumbnails'
    /// bins (default 200).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub envelope: Option<u32>,
    /// With `--format html`: the price of one billing unit, in fen, for
    /// the money in the summary.
    #[arg(long, value_name = "N")]
    pub price_fen: Option<u64>,
    /// With `--price-fen`: the recipients each prompt is played to.
    #[arg(long, value_name = "N", requires = "price_fen",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub recipients: Option<u64>,
    /// Exit with status 1 when any file has a warning, not only on failures.
    #[arg(long)]
    pub strict: bool,
    /// Also measure each recording's integrated loudness (ITU-R BS.1770-4,
    /// LUFS) and sum up how far the recordings spread; even them out with
    /// `voxprep convert --loudness`.
    #[arg(long)]
    pub loudness: bool,
    /// Do not say what would fix a file: skips reading each file whose
    /// problems a conversion cures to its end (the way `voxprep convert`
    /// would), which is what finding out costs.
    #[arg(long)]
    pub no_fix: bool,
    /// The rates of headerless files.
    #[command(flatten)]
    pub rates: RateArgs,
    /// Signal thresholds.
    #[command(flatten)]
    pub thresholds: ThresholdArgs,
    /// Check this many files at a time (default: one per core).
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}

/// The rates of headerless files, shared by `check` and `cost`.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct RateArgs {
    /// The rate `.vox` files were recorded at; anything but 8000 (the
    /// provider's) fails `vox-rate`, and durations are counted at it.
    #[arg(long, value_name = "HZ", default_value_t = 8000, value_parser = values::input_rate)]
    pub vox_rate: u32,
    /// The sample rate of headerless files whose name does not say it
    /// (`.raw`, `.pcm`); it also overrides the rate a name says.
    #[arg(long, value_name = "HZ", value_parser = values::input_rate)]
    pub input_rate: Option<u32>,
}

/// The signal-warning thresholds, shared by commands that analyse samples.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Signal thresholds")]
pub struct ThresholdArgs {
    /// Samples quieter than this (dBFS) are silence: used for leading/trailing
    /// silence and the `silent` warning (nothing louder anywhere).
    #[arg(long, value_name = "DBFS", default_value_t = -50.0, allow_negative_numbers = true,
          value_parser = values::db_level)]
    pub silence_threshold: f64,
    /// Warn `low-level` when the peak is below this (dBFS).
    #[arg(long, value_name = "DBFS", default_value_t = -20.0, allow_negative_numbers = true,
          value_parser = values::db_level)]
    pub low_level: f64,
    /// Warn `leading-silence` / `trailing-silence` when either end has more
    /// silence than this (seconds).
    #[arg(long, value_name = "SECS", default_value_t = 0.5, value_parser = values::seconds)]
    pub max_edge_silence: f64,
    /// Silence kept at each end when estimating the units trimming would save (seconds).
    #[arg(long, value_name = "SECS", default_value_t = 0.1, value_parser = values::seconds)]
    pub trim_pad: f64,
    /// Warn `clipping` on runs of at least this many consecutive full-scale
    /// samples, and `flat-tops` on runs of as many samples held at a peak
    /// below full scale.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub clip_run: u32,
    /// Warn `dc-offset` when the mean sample value exceeds this, in percent of full scale.
    #[arg(long, value_name = "PCT", default_value_t = 2.0, value_parser = values::percent)]
    pub max_dc_offset: f64,
}

impl ThresholdArgs {
    /// The library's thresholds (the one conversion point).
    pub fn into_thresholds(self) -> Thresholds {
        Thresholds {
            silence_dbfs: self.silence_threshold,
            low_level_dbfs: self.low_level,
            max_edge_silence_s: self.max_edge_silence,
            trim_pad_s: self.trim_pad,
            clip_run: self.clip_run,
            max_dc_offset_pct: self.max_dc_offset,
        }
    }
}

/// Run `f` on a pool of `jobs` threads, or on rayon's global pool (one per core).
pub fn with_jobs<T: Send>(jobs: Option<u16>, f: impl FnOnce() -> T + Send) -> anyhow::Result<T> {
    match jobs {
        None => Ok(f()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(usize::from(n))
                .build()
                .context("cannot start the worker threads")?;
            Ok(pool.install(f))
        }
    }
}

/// Check `paths` (default `.`) with a progress bar on a terminal.
pub fn run_checks(
    paths: Vec<PathBuf>,
    opts: &CheckOptions,
    jobs: Option<u16>,
) -> anyhow::Result<Report> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let bar = OnceLock::new();
    let report = with_jobs(jobs, || {
        batch::check_all(
            &paths,
            opts,
            |n| {
                let _ = bar.set(output::progress(n as u64, "checking"));
            },
            |_| {
                if let Some(b) = bar.get() {
                    b.inc(1);
                }
            },
        )
    })?;
    if let Some(b) = bar.get() {
        b.finish_and_clear();
    }
    Ok(report)
}

/// The exit status a report's summary adds up to, and a note for stderr
/// when it is 2.
pub fn exit_status(s: &Summary, strict: bool) -> (u8, Option<&'static str>) {
    if s.files == 0 {
        (EXIT_USAGE, Some("no audio files found"))
    } else if s.unreadable == s.files {
        (EXIT_USAGE, Some("no file could be read"))
    } else if s.fail > 0 || (strict && s.warn > 0) {
        (EXIT_FAIL, None)
    } else {
        (EXIT_OK, None)
    }
}

/// A refused `-o FILE` in the words of `check`'s flags.
fn output_words(e: &voxprep::Error) -> String {
    match e.usage() {
        Some(voxprep::Usage::OutputExists(p)) => {
            format!("{} exists; use --force to replace it", p.display())
        }
        Some(voxprep::Usage::OutputIsFolder(p)) => {
            format!("-o {} is a folder; give a file name", p.display())
        }
        _ => e.to_string(),
    }
}

/// Run `voxprep check`.
pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let html = args.format == CheckFormat::Html;
    if args.envelope.is_some() && !matches!(args.format, CheckFormat::Json | CheckFormat::Html) {
        anyhow::bail!("--envelope adds the envelope to --format json or html");
    }
    if args.price_fen.is_some() && !html {
        anyhow::bail!(
            "--price-fen prices the --format html report; voxprep cost prices files in every format"
        );
    }
    // A report that could not be written is refused before the work.
    if let Some(o) = &args.output {
        voxprep::output::writable(o, args.force).map_err(|e| anyhow::anyhow!(output_words(&e)))?;
    }
    let thresholds = args.thresholds.into_thresholds();
    let envelope_bins = match (args.envelope, html) {
        (Some(n), _) => Some(n as usize),
        (None, true) => Some(html::THUMBNAIL_BINS),
        (None, false) => None,
    };
    let opts = CheckOptions {
        thresholds: thresholds.clone(),
        analyse_signal: true,
        measure_loudness: args.loudness,
        advise: !args.no_fix,
        vox_rate: args.rates.vox_rate,
        input_rate: args.rates.input_rate,
        envelope_bins,
    };
    let inputs = args.paths.clone();
    // `-`: standard input, copied to a file the checks read, reported as `-`.
    let spooled = match args
        .paths
        .iter()
        .filter(|p| super::stdin::is_dash(p))
        .count()
    {
        0 => None,
        1 => Some(super::stdin::spool()?),
        _ => anyhow::bail!("`-` (standard input) can be named only once"),
    };
    let paths = args
        .paths
        .into_iter()
        .map(|p| match &spooled {
            Some(s) if super::stdin::is_dash(&p) => s.path.clone(),
            _ => p,
        })
        .collect();
    let mut report = run_checks(paths, &opts, args.jobs)?;
    if let Some(s) = &spooled {
        for f in report.files.iter_mut().filter(|f| f.path == s.path) {
            f.path = PathBuf::from(super::stdin::DASH);
        }
    }
    let summary = report.summary()?;
    let cost = match args.price_fen {
        Some(price) => Some(
            voxprep::cost::cost_report(
                &report.files,
                voxprep::billing::Fen(price),
                args.recipients.unwrap_or(1),
                1,
            )
            .context("cannot price the recordings")?,
        ),
        None => None,
    };
    let cwd = if html {
        std::env::current_dir().context("cannot read the current folder")?
    } else {
        PathBuf::new()
    };
    // The page's links start from the folder it is written to.
    let base = match &args.output {
        Some(o) => html::folder_of(&cwd, o),
        None => cwd.clone(),
    };
    let render = |mut w: &mut dyn Write| match args.format.common() {
        Some(format) => super::render::check::write(&report, &summary, format, &mut w),
        None => html::write(
            &report,
            &summary,
            &html::Page {
                inputs: &inputs,
                thresholds: &thresholds,
                cwd: &cwd,
                base: &base,
                cost: cost.as_ref(),
            },
            &mut w,
        ),
    };
    match &args.output {
        Some(o) => voxprep::output::write_atomically(o, args.force, render)
            .map_err(|e| anyhow::anyhow!(output_words(&e)))?,
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            render(&mut out)
                .and_then(|()| out.flush())
                .context("cannot write the report")?;
        }
    }
    let (code, note) = exit_status(&summary, args.strict);
    if let Some(note) = note {
        eprintln!("voxprep: {note}");
    }
    Ok(ExitCode::from(code))
}

#[cfg(test)]
mod tests {
    use super::super::Args;
    use super::super::Command;
    use clap::Parser;

    fn check(args: &[&str]) -> Result<super::CheckArgs, clap::Error> {
        let mut all = vec!["voxprep", "check"];
        all.extend_from_slice(args);
        Args::try_parse_from(all).map(|a| match a.command {
            Command::Check(c) => c,
            _ => unreachable!(),
        })
    }

    #[test]
    fn defaults_match_the_library() {
        let a = check(&[]).unwrap();
        assert!(a.paths.is_empty() && !a.strict && a.jobs.is_none());
        assert_eq!(
            a.thresholds.into_thresholds(),
            voxprep::signal::Thresholds::default()
        );
    }

    #[test]
    fn thresholds_parse_and_validate() {
        let a = check(&[
            "--low-level",
            "-30",
            "--silence-threshold=-60",
            "--clip-run",
            "5",
            "x",
        ])
        .unwrap();
        let t = a.thresholds.into_thresholds();
        assert_eq!(
            (t.low_level_dbfs, t.silence_dbfs, t.clip_run),
            (-30.0, -60.0, 5)
        );
        assert!(check(&["--low-level", "3"]).is_err());
        assert!(check(&["--low-level", "nan"]).is_err());
        assert!(check(&["--max-edge-silence", "-1"]).is_err());
        assert!(check(&["--clip-run", "0"]).is_err());
        assert!(check(&["-j", "0"]).is_err());
        assert!(check(&["--format", "xml"]).is_err());
        assert_eq!(
            check(&["-j", "3", "--format", "csv", "--strict"])
                .unwrap()
                .jobs,
            Some(3)
        );
    }
}
