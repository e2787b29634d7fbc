//! `voxprep convert`: one file to one file, or folders into a mirrored tree.

use super::format::Format;
use super::output::progress;
use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use super::{stdin, values};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use voxprep::check::CheckOptions;

use super::render::error_words;
use voxprep::convert::{
    ConvertOptions, Destination, Done, FolderOutcome, Level, OutputFormat, PlannedFile, TreeInput,
    TrimSilence, destination, plan_file, plan_tree, run_file, run_plan,
};
use voxprep::decode::DecodeOptions;
use voxprep::vox::{DecoderFlavor, EncoderKind};
use voxprep::{Error, Usage, batch};

/// Arguments of `voxprep convert`.
#[derive(Debug, clap::Args)]
#[command(after_help = super::help::CONVERT)]
pub struct ConvertArgs {
    /// The input file, or files and folders (converted into a mirrored tree).
    // Negative numbers are taken here too, so that `--normalize -3` (a
    // value without `=`) is caught and explained, not a clap error.
    #[arg(required = true, value_name = "INPUT", allow_negative_numbers = true)]
    pub inputs: Vec<PathBuf>,
    /// The output file (one input file), or the output folder: an existing
    /// one, or a path ending in / (several inputs, or a folder).
    #[arg(short, long, value_name = "OUTPUT")]
    pub output: PathBuf,
    /// Output format; by default the extension of OUTPUT (folders: wav).
    /// An OUTPUT named as another audio format (x.wav with --to vox) is
    /// refused.
    #[arg(long, value_name = "wav|vox")]
    pub to: Option<OutputFormat>,
    /// Output sample rate for WAV (VOX is always 8000).
    #[arg(long, default_value_t = 8000, value_parser = values::rate)]
    pub rate: u32,
    /// Level, trimming, DC, the VOX encoder and how inputs are decoded.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Replace existing outputs (never an input). With --skip-existing,
    /// redo only the existing outputs it does not keep.
    #[arg(long)]
    pub force: bool,
    /// Keep existing outputs that pass check at the rate asked for, and
    /// report them as skipped: resumes an interrupted or extended folder
    /// run. An existing output that does not pass is refused (redone with
    /// --force).
    #[arg(long)]
    pub skip_existing: bool,
    /// When inputs of one name (welcome.mp3, welcome.wav) would be written
    /// to one output, convert the lossless one (WAV, FLAC, AIFF, CAF, .sln)
    /// and skip the others, instead of refusing them all.
    #[arg(long)]
    pub prefer_lossless: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// The flags of the conversion pipeline that `convert` and `package` share.
#[derive(Debug, clap::Args)]
pub struct PipelineArgs {
    /// Scale the peak to DBFS (default -1; a level is given after `=`:
    /// --normalize=-3).
    #[arg(long, value_name = "DBFS", num_args = 0..=1, require_equals = true,
          default_missing_value = "-1", conflicts_with = "gain")]
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
    /// Cut leading and trailing silence below DBFS (default -45; a level is
    /// given after `=`: --trim-silence=-50), keeping 0.1 s.
    #[arg(long, value_name = "DBFS", num_args = 0..=1, require_equals = true,
          default_missing_value = "-45")]
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
    /// Decoder for .vox inputs: exact (sox, libsndfile), ffmpeg (exact but
    /// for 32752 instead of 32767 after positive clipping), shift-add or
    /// asterisk.
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
}

impl PipelineArgs {
    /// The library options these flags ask for (no I/O), with `force` and
    /// the defaults for the rest.
    pub fn to_options(&self, format: OutputFormat, rate: u32, force: bool) -> ConvertOptions {
        let level = match (self.normalize, self.gain, self.loudness) {
            (_, _, Some(l)) => Level::NormalizeLoudness(l),
            (Some(t), _, None) => Level::NormalizePeak(t),
            (None, Some(g), None) => Level::GainDb(g),
            (None, None, None) => Level::Unchanged,
        };
        ConvertOptions {
            format,
            rate,
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
            force,
            skip_existing: false,
            prefer_lossless: false,
            check: CheckOptions::default(),
        }
    }
}

impl ConvertArgs {
    /// The library options these flags ask for (no I/O).
    pub fn to_options(&self, format: OutputFormat) -> ConvertOptions {
        ConvertOptions {
            skip_existing: self.skip_existing,
            prefer_lossless: self.prefer_lossless,
            ..self.pipeline.to_options(format, self.rate, self.force)
        }
    }
}

/// Run `voxprep convert`. Everything the request gets wrong (flags, the
/// output's name, outputs that exist or clash) is found before any work and
/// is a usage error (exit 2, stderr, no file rows).
pub fn run(args: ConvertArgs) -> anyhow::Result<ExitCode> {
    stray_values(&args)?;
    let dashes = args.inputs.iter().filter(|p| stdin::is_dash(p)).count();
    if dashes > 0 || stdin::is_dash(&args.output) {
        return run_dash(args, dashes);
    }
    match destination(&args.inputs, &args.output)? {
        Destination::File { input, output } => {
            let format = OutputFormat::for_output(&output, args.to)?;
            let opts = args.to_options(format);
            opts.validate()?;
            let planned = plan_file(&input, &output, &opts);
            refuse(std::slice::from_ref(&planned), &opts)?;
            let outcome = run_file(planned, &opts);
            finish(vec![outcome], args.format)
        }
        Destination::Folder(outdir) => {
            let opts = args.to_options(args.to.unwrap_or(OutputFormat::Wav));
            opts.validate()?;
            run_folder(&args, &outdir, &opts)
        }
    }
}

/// One file from standard input (`-`), to standard output (`-o -`), or
/// both: the input is spooled to a private temporary file and reported as
/// `-`; the output is written to a private temporary file (atomically, as
/// always), then copied to stdout, and the report goes to stderr so that
/// stdout holds only the audio. `-o -` writes WAV unless `--to vox`.
fn run_dash(args: ConvertArgs, dashes: usize) -> anyhow::Result<ExitCode> {
    if dashes > 1 || (dashes == 1 && args.inputs.len() > 1) {
        anyhow::bail!("convert: `-` (standard input) converts alone, as the only input");
    }
    let to_stdout = stdin::is_dash(&args.output);
    let spooled = if dashes == 1 {
        Some(stdin::spool()?)
    } else {
        None
    };
    let input = match (&spooled, args.inputs.as_slice()) {
        (Some(s), _) => s.path.clone(),
        (None, [one]) if !one.is_dir() => one.clone(),
        _ => anyhow::bail!("convert: `-o -` (standard output) takes one input file"),
    };
    let scratch = to_stdout.then(stdin::scratch_dir).transpose()?;
    let format = match (&scratch, args.to) {
        (Some(_), to) => to.unwrap_or(OutputFormat::Wav),
        (None, to) => OutputFormat::for_output(&args.output, to)?,
    };
    let output = match &scratch {
        Some(dir) => dir.path.join(format!("stdout.{}", format.extension())),
        None => args.output.clone(),
    };
    let opts = args.to_options(format);
    opts.validate()?;
    let planned = plan_file(&input, &output, &opts);
    refuse(std::slice::from_ref(&planned), &opts)?;
    let mut outcome = run_file(planned, &opts);
    // The temporary files are `-` in the report.
    let dash = PathBuf::from(stdin::DASH);
    if spooled.is_some() {
        rename(&mut outcome, &input, &dash);
    }
    if to_stdout {
        rename(&mut outcome, &output, &dash);
        if outcome.result.is_ok() {
            let mut out = std::io::stdout().lock();
            std::io::copy(&mut std::fs::File::open(&output)?, &mut out)
                .and_then(|_| out.flush())
                .context("cannot write the converted audio to standard output")?;
        }
        let failed = outcome.result.is_err();
        let mut err = std::io::stderr().lock();
        super::render::convert::write(
            std::slice::from_ref(&outcome),
            args.format,
            &mut err,
            &mut std::io::sink(),
        )?;
        if args.format == Format::Human
            && let Err(e) = &outcome.result
        {
            writeln!(err, "voxprep: error: {}", error_words(e))?;
        }
        return Ok(ExitCode::from(if failed { EXIT_FAIL } else { EXIT_OK }));
    }
    finish(vec![outcome], args.format)
}

/// `from` called `to` throughout an outcome: its paths, its conversion's,
/// its output check's and its error's.
fn rename(o: &mut FolderOutcome, from: &std::path::Path, to: &std::path::Path) {
    let swap = |p: &mut PathBuf| {
        if p == from {
            *p = to.to_path_buf();
        }
    };
    swap(&mut o.input);
    swap(&mut o.output);
    match &mut o.result {
        Ok(Done::Converted(c)) => {
            swap(&mut c.input);
            swap(&mut c.output);
            swap(&mut c.check.path);
        }
        Ok(Done::Skipped(_)) => {}
        Err(e) => {
            let taken = std::mem::replace(e, Error::Malformed(String::new()));
            *e = match taken {
                Error::WithPath { path, source } if path == from => Error::WithPath {
                    path: to.to_path_buf(),
                    source,
                },
                Error::Io { path, source } if path == from => Error::Io {
                    path: to.to_path_buf(),
                    source,
                },
                other => other,
            };
        }
    }
}

/// An input that does not exist and reads as a number is a value meant for
/// `--normalize` or `--trim-silence` (whichever was given), which take
/// theirs after `=`.
fn stray_values(args: &ConvertArgs) -> anyhow::Result<()> {
    stray_level_values(&args.pipeline, &args.inputs, "convert")
}

/// An input that does not exist and reads as a number is a value meant for
/// `--normalize` or `--trim-silence` (whichever was given): `command`
/// explains it.
pub fn stray_level_values(
    pipeline: &PipelineArgs,
    inputs: &[PathBuf],
    command: &str,
) -> anyhow::Result<()> {
    let flags: Vec<&str> = [
        (pipeline.normalize.is_some(), "--normalize"),
        (pipeline.trim_silence.is_some(), "--trim-silence"),
    ]
    .into_iter()
    .filter_map(|(given, flag)| given.then_some(flag))
    .collect();
    let Some(flag) = flags.first() else {
        return Ok(());
    };
    for input in inputs {
        let text = input.to_string_lossy();
        if text.trim().parse::<f64>().is_ok() && std::fs::symlink_metadata(input).is_err() {
            anyhow::bail!(
                "{command}: there is no input `{text}`; a level for {} is written after `=` \
                 ({flag}={text})",
                flags.join(" or ")
            );
        }
    }
    Ok(())
}

/// Refuse the whole request, naming every file, when any is refused.
fn refuse(plan: &[PlannedFile], opts: &ConvertOptions) -> anyhow::Result<()> {
    let refused: Vec<String> = plan
        .iter()
        .filter_map(|p| p.refusal())
        .map(|e| refusal_words(e, opts))
        .collect();
    // Inputs sharing an output share one refusal: say it once.
    let mut lines = refused.clone();
    lines.dedup();
    match refused.as_slice() {
        [] => Ok(()),
        [one] => anyhow::bail!("{one}"),
        many => anyhow::bail!(
            "convert: {} files cannot be converted as asked; nothing was converted:\n  {}",
            many.len(),
            lines.join("\n  ")
        ),
    }
}

/// A refusal in the command line's words, with the flag that changes it
/// (`--prefer-lossless` only when it would).
fn refusal_words(e: &Error, opts: &ConvertOptions) -> String {
    match e.usage() {
        Some(Usage::OutputCollision {
            preferred: Some(p), ..
        }) if !opts.prefer_lossless => {
            format!(
                "{}; --prefer-lossless converts {} and skips the other(s)",
                error_words(e),
                p.display()
            )
        }
        _ => error_words(e),
    }
}

fn run_folder(
    args: &ConvertArgs,
    outdir: &std::path::Path,
    opts: &ConvertOptions,
) -> anyhow::Result<ExitCode> {
    let (inputs, walk_errors) = collect_inputs(&args.inputs);
    if inputs.is_empty() {
        if let Some((_, e)) = walk_errors.into_iter().next() {
            return Err(e.into());
        }
        anyhow::bail!("convert: no audio files found under the inputs");
    }
    let plan = plan_tree(&inputs, outdir, opts);
    refuse(&plan, opts)?;
    std::fs::create_dir_all(outdir)
        .with_context(|| format!("cannot create the output folder {}", outdir.display()))?;
    let bar = progress(plan.len() as u64, "converting");
    let mut outcomes = run_plan(plan, outdir, opts, &|o: &FolderOutcome| {
        bar.set_message(o.input.display().to_string());
        bar.inc(1);
    });
    bar.finish_and_clear();
    outcomes.extend(walk_errors.into_iter().map(|(path, e)| FolderOutcome {
        input: path,
        output: outdir.to_path_buf(),
        result: Err(e),
    }));
    finish(outcomes, args.format)
}

/// Render the outcomes; exit 1 when a file failed. A usage error that
/// appears only once the work is under way (an output made meanwhile by
/// someone else) is still exit 2, and for one file not a row.
fn finish(outcomes: Vec<FolderOutcome>, format: Format) -> anyhow::Result<ExitCode> {
    let usage = |o: &FolderOutcome| matches!(&o.result, Err(e) if e.usage().is_some());
    if let [one] = outcomes.as_slice()
        && let Err(e) = &one.result
        && usage(one)
    {
        anyhow::bail!("{}", error_words(e));
    }
    render(&outcomes, format)?;
    Ok(ExitCode::from(if outcomes.iter().any(usage) {
        EXIT_USAGE
    } else if outcomes.iter().any(|o| o.result.is_err()) {
        EXIT_FAIL
    } else {
        EXIT_OK
    }))
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
        let a = parse(&["in.mp3", "-o", "o.wav", "--normalize=-3", "--rate", "11025"]).unwrap();
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
        assert_eq!(a.pipeline.vox_encoder, EncoderKind::Greedy);
    }

    /// An optional value comes after `=`: the flag alone never takes the
    /// next argument, which stays an input.
    #[test]
    fn optional_values_never_take_the_next_argument() {
        let a = parse(&["--normalize", "in.wav", "-o", "out.wav"]).unwrap();
        assert_eq!(a.inputs, [PathBuf::from("in.wav")]);
        assert_eq!(a.pipeline.normalize, Some(-1.0));
        let a = parse(&["--trim-silence", "in.wav", "-o", "out.wav"]).unwrap();
        assert_eq!(a.inputs, [PathBuf::from("in.wav")]);
        assert_eq!(a.pipeline.trim_silence, Some(-45.0));
        let a = parse(&["in.wav", "-o", "o.wav", "--trim-silence=-50"]).unwrap();
        assert_eq!(a.pipeline.trim_silence, Some(-50.0));
        // A value without `=` is an input (which `run` explains).
        let a = parse(&["in.wav", "-o", "o.wav", "--normalize", "-3"]).unwrap();
        assert_eq!(a.inputs, [PathBuf::from("in.wav"), PathBuf::from("-3")]);
        assert_eq!(a.pipeline.normalize, Some(-1.0));
        let e = stray_values(&a).unwrap_err().to_string();
        assert!(
            e.contains("no input `-3`; a level for --normalize is"),
            "{e}"
        );
        assert!(e.contains("(--normalize=-3)"), "{e}");
        let a = parse(&["in.wav", "-o", "o.wav", "--trim-silence", "40"]).unwrap();
        let e = stray_values(&a).unwrap_err().to_string();
        assert!(e.contains("(--trim-silence=40)"), "{e}");
        // A file named like a number is an input like any other.
        let a = parse(&["in.wav", "2024", "-o", "o/"]).unwrap();
        assert!(stray_values(&a).is_ok());
    }

    #[test]
    fn skip_existing_and_prefer_lossless_reach_the_options() {
        let a = parse(&[
            "d/",
            "-o",
            "o/",
            "--skip-existing",
            "--prefer-lossless",
            "--force",
        ])
        .unwrap();
        let o = a.to_options(OutputFormat::Wav);
        assert!(o.skip_existing && o.prefer_lossless && o.force);
        let o = parse(&["d/", "-o", "o/"])
            .unwrap()
            .to_options(OutputFormat::Wav);
        assert!(!o.skip_existing && !o.prefer_lossless && !o.force);
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
        let a = parse(&["in.vox", "-o", "o.wav", "--vox-decoder", "ffmpeg"]).unwrap();
        assert_eq!(a.pipeline.vox_decoder, DecoderFlavor::Ffmpeg);
    }
}
