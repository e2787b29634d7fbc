//! `voxprep package`: recordings, their texts and durations, ready to file
//! with the provider.

use super::convert::{PipelineArgs, stray_level_values};
use super::format::Format;
use super::output::progress;
use super::{EXIT_FAIL, EXIT_OK, values};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use voxprep::convert::OutputFormat;
use voxprep::filing::names::NamePolicy;
use voxprep::filing::{PackageOptions, build_package};

/// Arguments of `voxprep package`.
#[derive(Debug, clap::Args)]
#[command(after_help = super::help::PACKAGE)]
pub struct PackageArgs {
    /// Recordings (files or folders, walked like `voxprep check`) and the
    /// `.txt` texts beside them.
    #[arg(required = true, value_name = "INPUT", allow_negative_numbers = true)]
    pub inputs: Vec<PathBuf>,
    /// The package folder (made when missing).
    #[arg(short, long, value_name = "OUTDIR")]
    pub output: PathBuf,
    /// A table of texts: .csv, .tsv or .xlsx, first column the recording's
    /// name (with or without extension), second its text. Wins over a .txt
    /// beside the recording.
    #[arg(long, value_name = "FILE")]
    pub texts: Option<PathBuf>,
    /// Format of every file; by default a conforming file keeps its own and
    /// the others become WAV.
    #[arg(long, value_name = "wav|vox")]
    pub to: Option<OutputFormat>,
    /// WAV rate of every WAV; by default a conforming WAV keeps its own and
    /// the others get the rate `check` advises.
    #[arg(long, value_parser = values::rate)]
    pub rate: Option<u32>,
    /// Which file names are accepted: portable (ASCII letters, digits and
    /// `-_.`, at most 64 characters) or any (whatever the notice can carry:
    /// no `|`, control characters or path separators).
    #[arg(long, value_name = "POLICY", default_value = "portable", value_parser = ["portable", "any"])]
    pub names: String,
    /// Level, trimming, DC, the VOX encoder and how inputs are decoded. A
    /// level or trimming makes every recording go through the conversion,
    /// the conforming ones too.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Replace files (recordings, manifest) that exist in the package folder.
    #[arg(long)]
    pub force: bool,
    /// Report format (human or json; the manifest is always CSV and XLSX).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Run `voxprep package`.
pub fn run(args: PackageArgs) -> anyhow::Result<ExitCode> {
    stray_level_values(&args.pipeline, &args.inputs, "package")?;
    if args.format == Format::Csv {
        anyhow::bail!(
            "package: the report is human or json; the manifest itself is written as CSV and XLSX"
        );
    }
    let names: NamePolicy = args.names.parse().map_err(anyhow::Error::msg)?;
    let opts = PackageOptions {
        texts: args.texts.clone(),
        to: args.to,
        rate: args.rate,
        convert: args.pipeline.to_options(
            args.to.unwrap_or(OutputFormat::Wav),
            args.rate.unwrap_or(8000),
            args.force,
        ),
        names,
    };
    let bar = progress(0, "packaging");
    let package = build_package(&args.inputs, &args.output, &opts, &|p| {
        bar.set_message(p.display().to_string());
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    super::render::package::write(&package, args.format, &mut out)
        .and_then(|()| out.flush())
        .context("cannot write the report")?;
    Ok(ExitCode::from(if package.is_complete() {
        EXIT_OK
    } else {
        EXIT_FAIL
    }))
}

#[cfg(test)]
mod tests {
    use super::super::{Args, Command};
    use clap::Parser;

    fn parse(v: &[&str]) -> Result<super::PackageArgs, clap::Error> {
        let mut all = vec!["voxprep", "package"];
        all.extend_from_slice(v);
        match Args::try_parse_from(all)?.command {
            Command::Package(a) => Ok(a),
            _ => unreachable!(),
        }
    }

    #[test]
    fn parses() {
        let a = parse(&["rec/", "-o", "out", "--texts", "t.csv", "--names", "any"]).unwrap();
        assert_eq!(a.names, "any");
        assert_eq!(a.texts.unwrap().to_str(), Some("t.csv"));
        assert_eq!((a.to, a.rate, a.force), (None, None, false));
        let a = parse(&[
            "rec/",
            "-o",
            "out",
            "--to",
            "vox",
            "--trim-silence",
            "--force",
        ])
        .unwrap();
        assert_eq!(a.pipeline.trim_silence, Some(-45.0));
        assert!(a.force);
        assert!(parse(&["rec/"]).is_err(), "-o is required");
        assert!(parse(&["rec/", "-o", "o", "--names", "loose"]).is_err());
        assert!(parse(&["rec/", "-o", "o", "--rate", "16000"]).is_err());
    }
}
