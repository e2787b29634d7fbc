//! The conversion pipeline: any input to a WAV or VOX file the provider accepts.
//!
//! ```text
//! decode (symphonia / vox) -> downmix (mean) -> resample (rubato Fft)
//!        -> level (gain / normalise) -> TPDF dither -> 16-bit -> WAV (hound) / VOX encoder
//! ```
//!
//! Everything streams packet by packet, so memory does not grow with the
//! input. Normalising and trimming silence need to know the whole signal
//! first: they read the input twice (an analysis pass, then the real one).
//!
//! A conversion that changes neither rate nor level and keeps DC (a 16-bit
//! mono input at the target rate, or VOX to WAV) copies the samples
//! unchanged: the quantiser only dithers samples that are not already on
//! the 16-bit grid, and such an input read by our own decoders skips the
//! float pipeline altogether (`fast`: integers from the reader to the sink).
//!
//! Outputs are written to a temporary file beside the target, checked with
//! [`crate::check::check_path`] (the code behind `voxprep check`; the
//! signal analysis is done on what is written, as it is written), and only
//! then renamed into place. An input is never overwritten, however its path
//! is spelled.

mod fast;
mod folder;
mod highpass;
mod mix;
mod plan;
mod resample;
mod sink;
mod target;

use crate::billing::{self, BillingUnits, Frames, RoundingRule};
use crate::check::{CheckOptions, FileReport};
use crate::decode::{AudioReader, DecodeOptions, SourceFacts};
use crate::error::{Error, Result, Setting, Usage};
use crate::loudness;
use crate::signal::{SignalAnalyser, SignalStats, Thresholds};
use crate::spec::{Code, Verdict};
use crate::vox::{DecoderFlavor, EncoderKind};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub use folder::{
    Done, FolderOutcome, Status, Summary, TreeInput, convert_tree, plan_tree, run_file, run_plan,
};
pub use plan::{Action, Destination, Fidelity, PlannedFile, Skip, destination, plan_file};
use target::check_output_path;
pub use target::remove_temporary_files;
#[cfg(feature = "filing")]
pub(crate) use target::{
    TempFile, canonical_target, on_output, resolve_output, same_file, writable_target,
};

/// The container written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// 16-bit mono PCM WAV (44-byte header, format tag 1).
    #[default]
    Wav,
    /// Headerless 4-bit Dialogic ADPCM at 8000 Hz.
    Vox,
}

impl OutputFormat {
    /// The file extension (`wav`, `vox`).
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Wav => "wav",
            OutputFormat::Vox => "vox",
        }
    }

    /// The format an output path's extension asks for, if any.
    pub fn from_path(p: &Path) -> Option<OutputFormat> {
        p.extension()?.to_str()?.parse().ok()
    }

    /// The format to write to `output`: `asked`, or the one its name says.
    ///
    /// # Errors
    /// [`Usage::FormatContradictsName`] when the name is that of another
    /// audio format than `asked` (`x.wav` for VOX, `x.mp3`);
    /// [`Usage::Setting`] ([`Setting::Format`]) when nothing is asked and
    /// the name says neither WAV nor VOX.
    pub fn for_output(output: &Path, asked: Option<OutputFormat>) -> Result<OutputFormat> {
        match asked.or_else(|| OutputFormat::from_path(output)) {
            Some(format) => match name_contradicts(output, format) {
                Some(e) => Err(e.into()),
                None => Ok(format),
            },
            None => Err(Usage::setting(
                Setting::Format,
                format!(
                    "convert: cannot tell the format from {}: not a .wav or .vox name",
                    output.display()
                ),
            )
            .into()),
        }
    }
}

/// [`Usage::FormatContradictsName`] when `output`'s extension names an audio
/// format other than `format` (what `voxprep check` would judge it by).
pub(crate) fn name_contradicts(output: &Path, format: OutputFormat) -> Option<Usage> {
    let ext = output.extension()?.to_str()?.to_ascii_lowercase();
    (ext != format.extension() && crate::spec::is_audio_extension(&ext)).then(|| {
        Usage::FormatContradictsName {
            output: output.to_path_buf(),
            named: ext,
            writes: format.extension().to_string(),
        }
    })
}

impl FromStr for OutputFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "wav" => Ok(OutputFormat::Wav),
            "vox" => Ok(OutputFormat::Vox),
            _ => Err(Usage::setting(
                Setting::Format,
                format!("convert: unknown output format {s:?} (wav or vox)"),
            )
            .into()),
        }
    }
}

/// The highest sample peak, dBFS, that normalising to a loudness allows.
pub const PEAK_CEILING_DBFS: f64 = loudness::PEAK_CEILING_DBFS;

/// What to do with the level.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Level {
    /// Leave it.
    #[default]
    Unchanged,
    /// Multiply by this many dB.
    GainDb(f64),
    /// Scale so that the peak (after resampling) is at this many dBFS.
    NormalizePeak(f64),
    /// Scale so that the integrated loudness (BS.1770-4, measured after
    /// resampling) is at this many LUFS, as far as the sample peak allows
    /// (at most [`PEAK_CEILING_DBFS`]).
    NormalizeLoudness(f64),
}

/// Trim leading and trailing silence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrimSilence {
    /// Samples whose magnitude stays below this (dBFS, measured on the
    /// resampled signal before any gain) count as silence.
    pub threshold_dbfs: f64,
    /// Silence kept before the first and after the last sound, in milliseconds.
    pub pad_ms: u32,
}

impl Default for TrimSilence {
    fn default() -> Self {
        TrimSilence {
            threshold_dbfs: -45.0,
            pad_ms: 100,
        }
    }
}

pub use fast::COPY_DC_SHARE;
pub use highpass::CORNER_HZ as HIGH_PASS_CORNER_HZ;

/// Every choice of a conversion. `Default` is 8000 Hz WAV, level unchanged.
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    /// WAV or VOX.
    pub format: OutputFormat,
    /// Output rate for WAV (8000 or 11025). VOX is always 8000.
    pub rate: u32,
    /// Gain or normalisation.
    pub level: Level,
    /// Trim leading/trailing silence.
    pub trim: Option<TrimSilence>,
    /// Remove DC and sub-audio rumble with a high-pass below the telephone
    /// band ([`HIGH_PASS_CORNER_HZ`]; default `true`), before the level is
    /// measured and set. `false` keeps the signal as it is (a conforming
    /// 16-bit input then converts bit for bit); with `true` so does a
    /// conforming input with no DC offset to speak of ([`COPY_DC_SHARE`]),
    /// which has nothing for the filter to take out but rumble.
    pub remove_dc: bool,
    /// VOX encoder.
    pub vox_encoder: EncoderKind,
    /// Decoding limits and the VOX input decoder.
    pub decode: DecodeOptions,
    /// Replace an existing output (never an input). With `skip_existing`,
    /// only the existing outputs that are not kept are replaced.
    pub force: bool,
    /// Keep an existing output that passes its check and has the rate
    /// asked for, instead of converting again (the file is reported as
    /// skipped); an existing output that does not is refused, or replaced
    /// with `force`. What resumes an interrupted or extended folder run.
    pub skip_existing: bool,
    /// In a folder, when inputs of one name (`welcome.mp3`, `welcome.wav`)
    /// would be written to one output, convert the most faithful one
    /// ([`Fidelity`]) and skip the others, instead of refusing them all.
    pub prefer_lossless: bool,
    /// How outputs are checked.
    pub check: CheckOptions,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            format: OutputFormat::Wav,
            rate: 8000,
            level: Level::Unchanged,
            trim: None,
            remove_dc: true,
            vox_encoder: EncoderKind::default(),
            decode: DecodeOptions::default(),
            force: false,
            skip_existing: false,
            prefer_lossless: false,
            check: CheckOptions::default(),
        }
    }
}

impl ConvertOptions {
    /// The rate the output will have.
    pub fn output_rate(&self) -> u32 {
        match self.format {
            OutputFormat::Vox => crate::spec::VOX_RATE,
            OutputFormat::Wav => self.rate,
        }
    }

    /// The VOX decoder flavour used for `.vox` inputs.
    pub fn vox_decoder(&self) -> DecoderFlavor {
        self.decode.vox_decoder
    }

    /// Reject combinations the provider cannot take.
    ///
    /// # Errors
    /// [`Error::Usage`] for a rate other than 8000/11025, 11025 Hz VOX, or a
    /// level or threshold that is not a finite number in range.
    pub fn validate(&self) -> Result<()> {
        if !matches!(self.rate, 8000 | 11025) {
            return Err(Usage::setting(
                Setting::Rate,
                format!(
                    "convert: rate {} Hz is not accepted by the provider (8000 or 11025)",
                    self.rate
                ),
            )
            .into());
        }
        if self.format == OutputFormat::Vox && self.rate != 8000 {
            return Err(Usage::setting(
                Setting::Rate,
                format!("convert: VOX is always 8000 Hz, not {}", self.rate),
            )
            .into());
        }
        match self.level {
            Level::GainDb(db) if !db.is_finite() || db.abs() > 60.0 => {
                return Err(Usage::setting(
                    Setting::Gain,
                    format!("convert: gain {db} dB out of range (-60..60)"),
                )
                .into());
            }
            Level::NormalizePeak(db) if !db.is_finite() || !(-60.0..=0.0).contains(&db) => {
                return Err(Usage::setting(
                    Setting::NormalizePeak,
                    format!("convert: normalise target {db} dBFS out of range (-60..0)"),
                )
                .into());
            }
            Level::NormalizeLoudness(l) if !l.is_finite() || !(-60.0..=0.0).contains(&l) => {
                return Err(Usage::setting(
                    Setting::Loudness,
                    format!("convert: loudness target {l} LUFS out of range (-60..0)"),
                )
                .into());
            }
            _ => {}
        }
        if let Some(t) = self.trim
            && (!t.threshold_dbfs.is_finite() || !(-120.0..0.0).contains(&t.threshold_dbfs))
        {
            return Err(Usage::setting(
                Setting::TrimThreshold,
                format!(
                    "convert: silence threshold {} dBFS out of range (-120..0)",
                    t.threshold_dbfs
                ),
            )
            .into());
        }
        Ok(())
    }
}

/// What trimming silence saved.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrimSaved {
    /// Output frames removed at the start.
    pub leading_frames: u64,
    /// Output frames removed at the end.
    pub trailing_frames: u64,
    /// Seconds saved.
    pub seconds: f64,
    /// Billing units saved per call.
    pub billing_units: u64,
}

/// What loudness normalising did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LoudnessChange {
    /// The target asked for, LUFS.
    pub target_lufs: f64,
    /// Integrated loudness before the gain (after resampling), LUFS.
    pub before_lufs: f64,
    /// Integrated loudness of the 16-bit samples written (for VOX: those
    /// given to the encoder), LUFS; `None` when it cannot be measured.
    pub after_lufs: Option<f64>,
    /// The gain stopped short of the target to keep the peak at
    /// [`PEAK_CEILING_DBFS`].
    pub peak_limited: bool,
}

/// One finished conversion.
#[derive(Debug, Clone, Serialize)]
pub struct Conversion {
    /// The input file.
    pub input: PathBuf,
    /// The output file.
    pub output: PathBuf,
    /// What the input was.
    pub source: SourceFacts,
    /// Frames decoded from the input (per channel).
    pub input_frames: u64,
    /// WAV or VOX.
    pub format: OutputFormat,
    /// Output sample rate.
    pub rate: u32,
    /// Output samples.
    pub frames: u64,
    /// Billing units of the output, per call.
    pub billing_units: Option<u64>,
    /// Gain applied, in dB (`None` when the level was left alone).
    pub gain_db: Option<f64>,
    /// Peak level before limiting, dBFS (`None` for digital silence).
    pub peak_dbfs: Option<f64>,
    /// Samples limited at full scale.
    pub clipped_samples: u64,
    /// Whether the high-pass ran: asked for (not `--keep-dc`), and the
    /// input's samples were not copied because it already conformed with
    /// no DC offset to speak of (see [`COPY_DC_SHARE`]).
    pub high_pass: bool,
    /// What loudness normalising did, when asked and the input was measurable.
    pub loudness: Option<LoudnessChange>,
    /// What trimming silence saved, when asked.
    pub trimmed: Option<TrimSaved>,
    /// Things the user should know (corrupt packets, truncation, clipping,
    /// and the output's check warnings).
    pub warnings: Vec<String>,
    /// The check of the output, as `voxprep check` reports it.
    pub check: FileReport,
}

impl Conversion {
    /// Seconds of output written.
    pub fn duration_s(&self) -> f64 {
        billing::duration_secs(Frames(self.frames), self.rate)
    }

    /// Seconds of input decoded.
    pub fn input_duration_s(&self) -> f64 {
        billing::duration_secs(Frames(self.input_frames), self.source.sample_rate)
    }
}

/// Convert `input` to `output` as `opts` says.
///
/// # Errors
/// [`Error::Usage`] when the output exists (without `force`), is the
/// input, or is named as another format (`x.wav` for VOX); decoding errors naming the file and codec; I/O errors on the output;
/// [`Error::Malformed`] when the output fails its check. On error no output
/// and no temporary file are left behind.
pub fn convert_file(input: &Path, output: &Path, opts: &ConvertOptions) -> Result<Conversion> {
    opts.validate()?;
    // Where the bytes really go (the file a link points to); errors and
    // reports name `output`, as the caller spelled it.
    let target = check_output_path(input, output, opts.format, opts.force)?;
    let rate = opts.output_rate();
    let open = || AudioReader::open_path(input, &opts.decode);

    // Pass 1 (only when needed): peak and where the sound is.
    let loud = matches!(opts.level, Level::NormalizeLoudness(_));
    let analysis = match (opts.level, opts.trim) {
        (Level::NormalizePeak(_) | Level::NormalizeLoudness(_), _) | (_, Some(_)) => {
            Some(analyse(&mut open()?, rate, opts, loud)?)
        }
        _ => None,
    };
    let mut warnings = Vec::new();
    let mut loudness = None;
    let gain = match opts.level {
        Level::Unchanged => 1.0,
        Level::GainDb(db) => mix::db_to_gain(db),
        Level::NormalizePeak(target) => match analysis.as_ref().map(|a| a.peak) {
            Some(p) if p > 0.0 => mix::db_to_gain(target) / f64::from(p),
            _ => {
                warnings.push("input is digital silence; not normalised".to_string());
                1.0
            }
        },
        Level::NormalizeLoudness(target) => {
            match analysis.as_ref().and_then(|a| Some((a.lufs?, a.peak))) {
                Some((before, peak)) => {
                    let ceiling = loudness::PEAK_CEILING_DBFS;
                    let (db, peak_limited) =
                        loudness::gain_to_target(before, target, peak, ceiling);
                    loudness = Some(LoudnessChange {
                        target_lufs: target,
                        before_lufs: before,
                        after_lufs: None,
                        peak_limited,
                    });
                    mix::db_to_gain(db)
                }
                None => {
                    warnings.push(
                        "loudness cannot be measured (silent, or shorter than 0.4 s); \
                         not normalised"
                            .to_string(),
                    );
                    1.0
                }
            }
        }
    };
    let window = analysis.as_ref().and_then(|a| a.window);
    if opts.trim.is_some() && window.is_none() {
        warnings.push("whole input is below the silence threshold; nothing trimmed".into());
    }

    let mut reader = open()?;
    // A conforming input with no offset to take out is copied (see `fast`).
    let copy = fast::conforms(&reader, opts)
        && (!opts.remove_dc || {
            let max_pct = opts.check.thresholds.max_dc_offset_pct * fast::COPY_DC_SHARE;
            fast::without_offset(&mut open()?, max_pct).map_err(|e| e.with_path(input))?
        });
    let high_pass = opts.remove_dc && !copy;
    let tmp = target::TempFile::create_beside(&target, opts.format.extension())?;
    let own = |e: Error| target::on_output(e, tmp.path(), output);
    if tmp.swept > 0 {
        warnings.push(format!(
            "removed {} temporary file(s) that a killed voxprep left beside the output",
            tmp.swept
        ));
    }
    // The check of the output analyses its samples (VOX: its bytes) while
    // they are written.
    let analyse = opts.check.analyse_signal.then_some(&opts.check);
    let mut sink = sink::Sink::create(tmp.path(), opts.format, rate, opts.vox_encoder, analyse)
        .map_err(own)?;
    let mut quant = mix::Quantiser::new(gain);
    let mut block = Vec::new();
    let mut pos = 0u64;
    let (start, end) = window.unwrap_or((0, u64::MAX));
    let mut written = 0u64;
    let mut total_out = 0u64;
    // The output is measured again only when loudness was asked for.
    let mut meter = match loudness {
        Some(_) => Some(loudness::Meter::new(rate)?),
        None => None,
    };
    // A level change cannot undo clipping: say so when the input, as
    // decoded, is clipped by the check's own rule.
    let mut scan = (opts.level != Level::Unchanged).then(|| InputScan::new(&opts.check.thresholds));
    if copy {
        let peak = fast::copy(&mut reader, &mut sink, |sink, samples| {
            written += samples.len() as u64;
            sink.write(samples)
                .map_err(|e| own(e.with_path(tmp.path())))
        })
        .map_err(|e| e.with_path(input))?;
        total_out = written;
        // What the quantiser would have seen: |s| / 32768, exact in f32.
        quant.peak = peak as f32 / 32768.0;
    } else {
        stream(&mut reader, rate, high_pass, scan.as_mut(), |mono| {
            let len = mono.len() as u64;
            let lo = start.clamp(pos, pos + len) - pos;
            let hi = end.clamp(pos, pos + len) - pos;
            pos += len;
            total_out += len;
            if lo < hi {
                block.clear();
                quant.quantise(&mono[lo as usize..hi as usize], &mut block);
                if let Some(m) = meter.as_mut() {
                    m.add_i16(&block)?;
                }
                written += block.len() as u64;
                sink.write(&block)
                    .map_err(|e| own(e.with_path(tmp.path())))?;
            }
            Ok(())
        })
        .map_err(|e| e.with_path(input))?;
    }
    let analysed = sink.finish().map_err(|e| own(e.with_path(tmp.path())))?;
    warnings.extend(reader.warnings());
    if let Some(clipped) = scan.and_then(|s| s.clipping()) {
        warnings.push(format!(
            "input is clipped: {clipped}; changing the level does not undo clipping"
        ));
    }
    if quant.clipped > 0 {
        warnings.push(format!(
            "{} samples clipped and limited at full scale (peak {:+.1} dBFS before limiting)",
            quant.clipped,
            mix::gain_to_db(f64::from(quant.peak)).unwrap_or(0.0)
        ));
    }

    if let (Some(change), Some(m)) = (loudness.as_mut(), meter.as_ref()) {
        change.after_lufs = m.integrated_lufs();
        if change.peak_limited {
            warnings.push(format!(
                "loudness {} LUFS, not {:.1}: more gain would push the peak past {:.1} dBFS",
                change
                    .after_lufs
                    .map_or("unknown".to_string(), |l| format!("{l:.1}")),
                change.target_lufs,
                loudness::PEAK_CEILING_DBFS
            ));
        }
    }

    // The output's own check: what would fix it is beside the point.
    let check_opts = CheckOptions {
        advise: false,
        ..opts.check.clone()
    };
    let mut check = crate::check::check_path_streamed(tmp.path(), &check_opts, analysed);
    check.path = output.to_path_buf();
    if check.verdict == Verdict::Fail {
        let why: Vec<String> = check
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.code, p.message))
            .collect();
        return Err(
            Error::Malformed(format!("convert: output fails check: {}", why.join("; ")))
                .with_path(output),
        );
    }
    for p in &check.problems {
        warnings.push(format!("check: {}: {}", p.code, p.message));
    }
    tmp.persist(&target, opts.force)
        .map_err(|e| target::on_output(e, &target, output))?;

    let trimmed = window.map(|(s, e)| {
        let kept = e.min(total_out) - s;
        let full_units =
            billing::billing_units(Frames(total_out), rate, RoundingRule::StartedPeriod);
        let kept_units = billing::billing_units(Frames(kept), rate, RoundingRule::StartedPeriod);
        TrimSaved {
            leading_frames: s,
            trailing_frames: total_out - e.min(total_out),
            seconds: billing::duration_secs(Frames(total_out - kept), rate),
            billing_units: full_units.map_or(0, |u| u.0) - kept_units.map_or(0, |u| u.0),
        }
    });
    Ok(Conversion {
        input: input.to_path_buf(),
        output: output.to_path_buf(),
        source: reader.facts().clone(),
        input_frames: reader.stats().frames,
        format: opts.format,
        rate,
        frames: written,
        billing_units: billing::billing_units(Frames(written), rate, RoundingRule::StartedPeriod)
            .map(|BillingUnits(u)| u),
        gain_db: (opts.level != Level::Unchanged).then(|| mix::gain_to_db(gain).unwrap_or(0.0)),
        peak_dbfs: mix::gain_to_db(f64::from(quant.peak)),
        clipped_samples: quant.clipped,
        high_pass,
        loudness,
        trimmed,
        warnings,
        check,
    })
}

/// What the analysis pass found.
#[derive(Debug, Clone, Copy)]
struct Analysis {
    peak: f32,
    /// Integrated loudness, when asked for and measurable.
    lufs: Option<f64>,
    /// Output frames `[start, end)` to keep when trimming.
    window: Option<(u64, u64)>,
}

fn analyse(
    reader: &mut AudioReader,
    rate: u32,
    opts: &ConvertOptions,
    loudness: bool,
) -> Result<Analysis> {
    let trim = opts.trim;
    let thr = trim.map_or(f32::INFINITY, |t| mix::db_to_gain(t.threshold_dbfs) as f32);
    let mut peak = 0.0f32;
    let mut meter = match loudness {
        true => Some(loudness::Meter::new(rate)?),
        false => None,
    };
    let mut first = None;
    let mut last = None;
    let mut pos = 0u64;
    stream(reader, rate, opts.remove_dc, None, |x| {
        peak = peak.max(mix::peak(x));
        if let Some(m) = meter.as_mut() {
            m.add(x)?;
        }
        if trim.is_some() {
            if let Some(i) = x.iter().position(|v| v.abs() > thr) {
                first.get_or_insert(pos + i as u64);
            }
            if let Some(i) = x.iter().rposition(|v| v.abs() > thr) {
                last = Some(pos + i as u64);
            }
        }
        pos += x.len() as u64;
        Ok(())
    })?;
    let window = match (trim, first, last) {
        (Some(t), Some(f), Some(l)) => {
            let pad = u64::from(rate) * u64::from(t.pad_ms) / 1000;
            Some((f.saturating_sub(pad), (l + 1 + pad).min(pos)))
        }
        _ => None,
    };
    Ok(Analysis {
        peak,
        lufs: meter.and_then(|m| m.integrated_lufs()),
        window,
    })
}

/// The input as decoded and downmixed, before resampling and any filter or
/// gain, analysed the way `check` analyses a file.
struct InputScan {
    thresholds: Thresholds,
    /// Made at the first packet, when the input's rate is known.
    analyser: Option<SignalAnalyser>,
    samples: Vec<i16>,
}

impl InputScan {
    fn new(thresholds: &Thresholds) -> InputScan {
        InputScan {
            thresholds: thresholds.clone(),
            analyser: None,
            samples: Vec::new(),
        }
    }

    /// The next decoded mono samples (full scale 1.0) at `rate` Hz.
    fn feed(&mut self, rate: u32, mono: &[f32]) {
        let t = &self.thresholds;
        let a = self
            .analyser
            .get_or_insert_with(|| SignalAnalyser::new(rate, t));
        self.samples.clear();
        // 16-bit PCM decodes to s / 32768: this gives its samples back.
        self.samples.extend(
            mono.iter()
                .map(|&v| (v * 32768.0).round().clamp(-32768.0, 32767.0) as i16),
        );
        a.feed(&self.samples);
    }

    /// The `clipping` sentence of the check, if the input is clipped.
    fn clipping(self) -> Option<String> {
        let stats: SignalStats = self.analyser?.finish();
        crate::spec::signal_problems(&stats, &self.thresholds)
            .into_iter()
            .find(|p| p.code == Code::Clipping)
            .map(|p| p.message)
    }
}

/// Decode, downmix and resample `reader` to `rate`, high-pass it when
/// `remove_dc`, and hand the mono blocks to `f`; the decoded mono samples go
/// to `scan` first, when given. Both passes of a conversion see the same
/// samples: the level is measured on what is written.
///
/// Decoding runs on this thread; downmixing, resampling and `f` (quantising,
/// encoding, writing) on a second one, fed through a bounded channel, so the
/// two halves overlap on two cores and memory stays bounded (at most
/// [`PIPELINE_DEPTH`] decoded packets in flight).
fn stream(
    reader: &mut AudioReader,
    rate: u32,
    remove_dc: bool,
    scan: Option<&mut InputScan>,
    f: impl FnMut(&[f32]) -> Result<()> + Send,
) -> Result<()> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Packet>(PIPELINE_DEPTH);
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || consume(rx, rate, remove_dc, scan, f));
        let produced = produce(reader, &tx);
        drop(tx); // ends the worker's loop
        let consumed = worker.join().unwrap_or_else(|_| {
            Err(Error::Malformed(
                "convert: the resampling thread panicked".into(),
            ))
        });
        // A worker failure makes the producer stop early with Ok: report the
        // worker's error first, then any decoding error.
        consumed.and(produced)
    })
}

/// Decoded packets in flight between the decoding and the resampling thread.
const PIPELINE_DEPTH: usize = 8;

/// One decoded packet: interleaved samples, channels, and the source rate.
struct Packet {
    samples: Vec<f32>,
    channels: usize,
    rate: u32,
}

fn produce(reader: &mut AudioReader, tx: &std::sync::mpsc::SyncSender<Packet>) -> Result<()> {
    while let Some(chunk) = reader.next_chunk()? {
        let (samples, channels) = (chunk.samples.to_vec(), chunk.channels);
        // The rate is known once the first packet is decoded.
        let rate = reader.facts().sample_rate;
        if tx
            .send(Packet {
                samples,
                channels,
                rate,
            })
            .is_err()
        {
            break; // the worker stopped on an error; it reports it
        }
    }
    Ok(())
}

fn consume(
    rx: std::sync::mpsc::Receiver<Packet>,
    rate: u32,
    remove_dc: bool,
    mut scan: Option<&mut InputScan>,
    f: impl FnMut(&[f32]) -> Result<()>,
) -> Result<()> {
    let mut high_pass = remove_dc.then(|| highpass::HighPass::new(rate));
    let mut f = f;
    let mut f = move |x: &mut Vec<f32>| {
        if let Some(hp) = high_pass.as_mut() {
            hp.process(x);
        }
        f(x)
    };
    let mut mono = Vec::new();
    let mut out = Vec::new();
    let mut resampler: Option<resample::Resampler> = None;
    let mut started = false;
    for packet in rx {
        mono.clear();
        mix::downmix(&packet.samples, packet.channels, &mut mono);
        if let Some(s) = scan.as_deref_mut() {
            s.feed(packet.rate, &mono);
        }
        if !started {
            started = true;
            if packet.rate != rate {
                resampler = Some(resample::Resampler::try_new(packet.rate, rate)?);
            }
        }
        match resampler.as_mut() {
            Some(r) => {
                out.clear();
                r.process(&mono, &mut out)?;
                if !out.is_empty() {
                    f(&mut out)?;
                }
            }
            None => f(&mut mono)?,
        }
    }
    if let Some(r) = resampler {
        out.clear();
        r.finish(&mut out)?;
        if !out.is_empty() {
            f(&mut out)?;
        }
    }
    Ok(())
}
