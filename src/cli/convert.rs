//! `voxprep convert`: one file to one file, or folders into a mirrored tree.

use super::format::Format;
use super::output::progress;
use super::values;
use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;
use voxprep::check::CheckOptions;

use voxprep::convert::{
    ConvertOptions, FolderOutcome, Level, OutputFormat, TreeInput, TrimSilence, convert_file,
    convert_tree,
};
use voxprep::decode::DecodeOptions;
use voxprep::vox::{DecoderFlavor, EncoderKind};
use voxprep::{Error, batch};

/// Arguments of `voxprep convert`.
#[derive(Debug, clap::Args)]
#[command(after_help = super::help::CONVERT)]
pub struct ConvertArgs {
    /// The input file, or files and folders (converted into a mirrored tree).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// The output file (one input file), or the output folder.
    #[arg(short, long, value_name = "OUTPUT")]
    pub output: PathBuf,
    /// Output format; by default the extension of OUTPUT (folders: wav).
    #[arg(long, value_name = "wav|vox")]
    pub to: Option<OutputFormat>,
    /// Output sample rate for WAV (VOX is always 8000).
    #[arg(long, default_value_t = 8000, value_parser = values::rate)]
    pub rate: u32,
    /// Scale the peak to DBFS (default -1).
    #[arg(long, value_name = "DBFS", num_args = 0..=1, default_missing_value = "-1",
          allow_negative_numbers = true, conflicts_with = "gain")]
    pub normalize: Option<f64>,
    /// Change the level by DB decibels; overs are limited and reported.
    #[arg(long, value_name = "DB", allow_negative_numbers = true)]
    pub gain: Option<f64>,
    /// Scale to an integrated loudness of LUFS (ITU-R BS.1770-4, e.g. -16),
    /// measured on the output signal; the gain stops where the peak would
    /// pass -1 dBFS.
    #[arg(long, value_name = "LUFS", allow_negative_numbers = true,
          conflicts_with_all = ["gain", "normalize"])]
    pub loudness: Option<f64>,
    /// Cut leading and trailing silence below DBFS (default -45), keeping 0.1 s.
    #[arg(long, value_name = "DBFS", num_args = 0..=1, default_missing_value = "-45",
          allow_negative_numbers = true)]
    pub trim_silence: Option<f64>,
    /// Keep DC and sub-audio rumble (by default a 60 Hz high-pass removes
    /// them before the level is set).
    #[arg(long)]
    pub keep_dc: bool,
    /// VOX encoder: greedy (sox's bytes), search, search:K, universal or
    /// universal:K (K paths; universal:8 sounds about 2 dB better than the
    /// default, and is much slower).
    #[arg(long, value_name = "KIND", default_value_t = EncoderKind::default())]
    pub vox_encoder: EncoderKind,
    /// Decoder for .vox inputs: exact, shift-add or asterisk.
    #[arg(long, value_name = "FLAVOR", default_value_t = DecoderFlavor::default())]
    pub vox_decoder: DecoderFlavor,
    /// The rate `.vox` inputs were recorded at (old Dialogic prompts are
    /// often 6000).
    #[arg(long, value_name = "HZ", default_value_t = 8000, value_parser = values::input_rate)]
    pub vox_rate: u32,
    /// The sample rate of headerless inputs whose name does not say it
    /// (`.raw`, `.pcm`: 16-bit signed little-endian mono); it also overrides
    /// the rate a name says (`.sln16`...).
    #[arg(long, value_name = "HZ", value_parser = values::input_rate)]
    pub input_rate: Option<u32>,
    /// Convert an input that ends before its header says it does, as far as
    /// it goes (by default that fails: the result would hold only part of the
    /// recording).
    #[arg(long)]
    pub accept_truncated: bool,
    /// Replace existing outputs (never an input).
    #[arg(long)]
    pub force: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

impl ConvertArgs {
    /// The library options these flags ask for (no I/O).
    pub fn to_options(&self, format: OutputFormat) -> ConvertOptions {
        let level = match (self.normalize, self.gain, self.loudness) {
            (_, _, Some(l)) => Level::NormalizeLoudness(l),
            (Some(t), _, None) => Level::NormalizePeak(t),
            (None, Some(g), None) => Level::GainDb(g),
            (None, None, None) => Level::Unchanged,
        };
        ConvertOptions {
            format,
            rate: self.rate,
            level,
            trim: self.trim_silence.map(|t| TrimSilence {
                threshold_dbfs: t,
                ..TrimSilence::default()
            }),
            remove_dc: !self.keep_dc,
            vox_encoder: self.vox_encoder,
            decode: DecodeOptions {
                vox_decoder: self.vox_decoder,
                vox_rate: self.vox_rate,
                input_rate: self.input_rate,
                accept_truncated: self.accept_truncated,
                ..DecodeOptions::default()
            },
            force: self.force,
            check: CheckOptions::default(),
        }
    }
}

/// Run `voxprep convert`.
pub fn run(args: ConvertArgs) -> anyhow::Result<ExitCode> {
    // One input that is not a folder, and an output that is not a folder: file to file.
    let single = args.inputs.len() == 1 && !args.inputs[0].is_dir() && !args.output.is_dir();
    if single && std::fs::symlink_metadata(&args.inputs[0]).is_err() {
        anyhow::bail!("convert: {}: no such file", args.inputs[0].display());
    }
    if single {
        run_single(&args)
    } else {
        run_folder(&args)
    }
}

fn run_single(args: &ConvertArgs) -> anyhow::Result<ExitCode> {
    let input = &args.inputs[0];
    let format = match (args.to, OutputFormat::from_path(&args.output)) {
        (Some(f), _) | (None, Some(f)) => f,
        (None, None) => anyhow::bail!(
            "convert: cannot tell the format from {} (use a .wav or .vox name, or --to)",
            args.output.display()
        ),
    };
    let opts = args.to_options(format);
    let result = convert_file(input, &args.output, &opts);
    let outcome = FolderOutcome {
        input: input.clone(),
        output: args.output.clone(),
        result,
    };
    let usage = matches!(&outcome.result, Err(e) if matches!(e.kind(), Error::Usage(_)));
    let failed = outcome.result.is_err();
    render(std::slice::from_ref(&outcome), args.format)?;
    Ok(ExitCode::from(if usage {
        EXIT_USAGE
    } else if failed {
        EXIT_FAIL
    } else {
        EXIT_OK
    }))
}

fn run_folder(args: &ConvertArgs) -> anyhow::Result<ExitCode> {
    if args.output.is_file() {
        anyhow::bail!(
            "convert: with several inputs or a folder, -o must be a folder ({} is a file)",
            args.output.display()
        );
    }
    let format = args.to.unwrap_or(OutputFormat::Wav);
    let opts = args.to_options(format);
    opts.validate()?;
    let (inputs, walk_errors) = collect_inputs(&args.inputs);
    if inputs.is_empty() {
        if let Some((_, e)) = walk_errors.into_iter().next() {
            return Err(e.into());
        }
        anyhow::bail!("convert: no audio files found under the inputs");
    }
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("cannot create the output folder {}", args.output.display()))?;
    let bar = progress(inputs.len() as u64, "converting");
    let outcomes = convert_tree(&inputs, &args.output, &opts, &|o: &FolderOutcome| {
        bar.set_message(o.input.display().to_string());
        bar.inc(1);
    });
    bar.finish_and_clear();
    let mut outcomes = outcomes;
    outcomes.extend(walk_errors.into_iter().map(|(path, e)| FolderOutcome {
        input: path,
        output: args.output.clone(),
        result: Err(e),
    }));
    render(&outcomes, args.format)?;
    let failed = outcomes.iter().any(|o| o.result.is_err());
    Ok(ExitCode::from(if failed { EXIT_FAIL } else { EXIT_OK }))
}

/// The files under the inputs, through the shared folder walker
/// ([`voxprep::batch::collect`], the one `check` uses), plus the paths that
/// could not be walked.
fn collect_inputs(roots: &[PathBuf]) -> (Vec<TreeInput>, Vec<(PathBuf, Error)>) {
    let found = batch::collect(roots, batch::is_audio);
    let files = found
        .files
        .into_iter()
        .map(|(root, path)| TreeInput { root, path })
        .collect();
    (files, found.errors)
}

fn render(outcomes: &[FolderOutcome], format: Format) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    super::render::convert::write(outcomes, format, &mut out, &mut err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Args;
    use clap::Parser;

    fn parse(v: &[&str]) -> Result<ConvertArgs, clap::Error> {
        let mut all = vec!["voxprep", "convert"];
        all.extend_from_slice(v);
        match Args::try_parse_from(all)?.command {
            crate::cli::Command::Convert(a) => Ok(a),
            _ => unreachable!(),
        }
    }

    #[test]
    fn flags_become_options() {
        let a = parse(&["in.mp3", "-o", "out.vox", "--normalize", "--trim-silence"]).unwrap();
        let o = a.to_options(OutputFormat::Vox);
        assert_eq!(o.level, Level::NormalizePeak(-1.0));
        assert_eq!(o.trim.unwrap().threshold_dbfs, -45.0);
        assert_eq!(o.rate, 8000);
        let a = parse(&[
            "in.mp3",
            "-o",
            "o.wav",
            "--normalize",
            "-3",
            "--rate",
            "11025",
        ])
        .unwrap();
        assert_eq!(
            a.to_options(OutputFormat::Wav).level,
            Level::NormalizePeak(-3.0)
        );
        assert_eq!(a.rate, 11025);
        let a = parse(&[
            "in.mp3",
            "-o",
            "o.wav",
            "--gain=-6",
            "--vox-encoder",
            "greedy",
        ])
        .unwrap();
        assert_eq!(a.to_options(OutputFormat::Wav).level, Level::GainDb(-6.0));
        assert_eq!(a.vox_encoder, EncoderKind::Greedy);
    }

    #[test]
    fn bad_flags_are_rejected() {
        assert!(parse(&["in.mp3", "-o", "o.wav", "--rate", "16000"]).is_err());
        assert!(parse(&["in.mp3", "-o", "o.wav", "--to", "mp3"]).is_err());
        assert!(parse(&["in.mp3", "-o", "o.wav", "--gain", "3", "--normalize"]).is_err());
        assert!(parse(&["in.mp3", "-o", "o.wav", "--gain", "3", "--loudness", "-16"]).is_err());
        assert!(parse(&["in.mp3", "-o", "o.wav", "--normalize", "--loudness", "-16"]).is_err());
        let a = parse(&["in.mp3", "-o", "o.wav", "--loudness", "-16"]).unwrap();
        assert_eq!(
            a.to_options(OutputFormat::Wav).level,
            Level::NormalizeLoudness(-16.0)
        );
        assert!(parse(&["in.mp3"]).is_err());
        assert!(parse(&["in.mp3", "-o", "o.wav", "--vox-decoder", "nope"]).is_err());
    }
}
