//! One file in, one [`FileReport`] out: what the file is, the spec's
//! problems with it, signal analysis, duration, billing, and what would fix
//! it.
//!
//! [`check_path`] never fails: a file that cannot be opened or read is a
//! report with verdict `fail` and the problem code `unreadable`. Fields that
//! could not be read are `None` (JSON `null`), never guessed.
//!
//! ```
//! use voxprep::check::{check_path, CheckOptions};
//! use voxprep::spec::Verdict;
//!
//! let report = check_path("fixtures/check/pass-8000hz-prompt.wav".as_ref(), &CheckOptions::default());
//! assert_eq!(report.verdict, Verdict::Pass);
//! assert_eq!(report.sample_rate, Some(8000));
//! assert_eq!(report.billing_units, Some(1));
//! ```

mod vox;
mod wav;

pub(crate) use vox::VoxFindings;
#[cfg(feature = "convert")]
pub(crate) use vox::VoxStream;
pub use vox::judge_vox_rates;

use crate::billing::{self, Frames, RoundingRule};
use crate::signal::{SignalAnalyser, SignalStats, Thresholds};
use crate::spec::{self, Adjustment, AudioKind, Problem, Remedy, Severity, Verdict};
use crate::voice::VoiceFigures;
use crate::{Error, Result, sniff};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::io;
use std::path::{Path, PathBuf};

/// Options of a check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Thresholds of the signal warnings.
    pub thresholds: Thresholds,
    /// Decode conforming files and analyse their samples (default `true`).
    /// Without it only the format rules, duration and units are reported.
    pub analyse_signal: bool,
    /// Also measure the integrated loudness of analysed files (default
    /// `false`: it makes the analysis several times slower).
    pub measure_loudness: bool,
    /// For a file with a problem that converting cures, read it the way a
    /// conversion does, to say in [`FileReport::fix`] whether one can
    /// (default `true`; needs the `decode` feature, without which no fix is
    /// reported). A file whose header does not give its length (MP3, FLAC,
    /// GSM in WAV...) is read that way whatever this says, for its duration.
    pub advise: bool,
    /// The rate `.vox` files were recorded at (default 8000, the provider's;
    /// any other fails `vox-rate`).
    pub vox_rate: u32,
    /// The rate of headerless files whose name does not say it (`.raw`,
    /// `.pcm`); it also overrides the rate a name says.
    pub input_rate: Option<u32>,
    /// Also compute each analysed recording's min/max envelope
    /// ([`crate::signal::Envelope`]) at most this many bins wide (default
    /// `None`: no envelope), in the same pass as the analysis.
    pub envelope_bins: Option<usize>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            thresholds: Thresholds::default(),
            analyse_signal: true,
            measure_loudness: false,
            advise: true,
            vox_rate: spec::VOX_RATE,
            input_rate: None,
            envelope_bins: None,
        }
    }
}

impl CheckOptions {
    /// A signal analyser for samples at `rate` Hz, as these options ask,
    /// of a recording `expected` samples long when that is known.
    pub(crate) fn analyser(&self, rate: u32, expected: Option<u64>) -> SignalAnalyser {
        let mut a = SignalAnalyser::new(rate, &self.thresholds);
        if self.measure_loudness {
            a = a.measure_loudness();
        }
        if let Some(bins) = self.envelope_bins {
            a = a.with_envelope(bins, expected);
        }
        a
    }
}

/// What would make a file right, as far as voxprep can tell.
#[derive(Debug, Clone, PartialEq)]
pub enum Fix {
    /// A conversion reads this file (the way `convert` opens its inputs,
    /// tried to the end) and writes a conforming one; the adjustments also
    /// cure warnings.
    Convert {
        /// The WAV rate to write: the input's when the provider plays WAV
        /// at it (8000 or 11025 Hz, so no bandwidth is thrown away), else
        /// 8000.
        rate: u32,
        /// Adjustments that cure warnings too, sorted.
        adjust: Vec<Adjustment>,
        /// With [`Adjustment::TrimSilence`]: the level below which trimming
        /// takes samples for silence, the check's own
        /// ([`Thresholds::silence_dbfs`]), so that the trim cuts what the
        /// warning measured.
        trim_threshold_dbfs: Option<f64>,
        /// The rate the conversion must be told the `.vox` input has, when it
        /// is not 8000 Hz.
        vox_rate: Option<u32>,
        /// The rate the conversion must be told a headerless input has, when
        /// the check was told it.
        input_rate: Option<u32>,
    },
    /// A conversion would cure the problems but cannot read this file.
    CannotConvert {
        /// Why, in a sentence.
        reason: String,
    },
}

/// `{"convert": true, "rate": 8000, "adjust": [...]}` (plus
/// `"trim_threshold_dbfs"` when trimming) or `{"convert": false, "reason":
/// "..."}`.
impl Serialize for Fix {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match self {
            Fix::Convert {
                rate,
                adjust,
                trim_threshold_dbfs,
                vox_rate,
                input_rate,
            } => {
                m.serialize_entry("convert", &true)?;
                m.serialize_entry("rate", rate)?;
                m.serialize_entry("adjust", adjust)?;
                if let Some(t) = trim_threshold_dbfs {
                    m.serialize_entry("trim_threshold_dbfs", t)?;
                }
                if let Some(r) = vox_rate {
                    m.serialize_entry("vox_rate", r)?;
                }
                if let Some(r) = input_rate {
                    m.serialize_entry("input_rate", r)?;
                }
            }
            Fix::CannotConvert { reason } => {
                m.serialize_entry("convert", &false)?;
                m.serialize_entry("reason", reason)?;
            }
        }
        m.end()
    }
}

/// The result of checking one file. Fields that could not be read are `None`.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file.
    #[serde(serialize_with = "lossy_path")]
    pub path: PathBuf,
    /// Pass, warn or fail.
    pub verdict: Verdict,
    /// `wav`, `vox`, or what the file really is (`mp3`, `ogg`...; see
    /// [`crate::sniff::sniff`]).
    pub container: Option<String>,
    /// Sample rate in Hz.
    pub sample_rate: Option<u32>,
    /// Channels.
    pub channels: Option<u16>,
    /// Bits per sample (4 for VOX).
    pub bits_per_sample: Option<u16>,
    /// WAV format tag, as written in the file.
    pub format_tag: Option<u16>,
    /// Sample frames actually present.
    pub samples: Option<u64>,
    /// Duration in seconds (from the sample count; rounded down to the ms).
    pub duration_s: Option<f64>,
    /// Billing units per call (started 12-second periods).
    pub billing_units: Option<u64>,
    /// Everything found, errors and warnings.
    pub problems: Vec<Problem>,
    /// Signal figures, when the samples were decoded.
    pub signal: Option<SignalStats>,
    /// The voice's figures, for a `.vox` file whose samples were decoded at
    /// the provider's rate and reach the silence threshold: what
    /// [`judge_vox_rates`] compares.
    pub voice: Option<VoiceFigures>,
    /// What would cure the problems: `None` when nothing is wrong, when no
    /// problem is one a conversion cures, or when the check was not asked
    /// to find out ([`CheckOptions::advise`]).
    pub fix: Option<Fix>,
}

fn lossy_path<S: Serializer>(path: &Path, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string_lossy())
}

impl FileReport {
    /// An empty report for `path` (verdict pass, nothing known yet).
    pub fn new(path: impl Into<PathBuf>) -> FileReport {
        FileReport {
            path: path.into(),
            verdict: Verdict::Pass,
            container: None,
            sample_rate: None,
            channels: None,
            bits_per_sample: None,
            format_tag: None,
            samples: None,
            duration_s: None,
            billing_units: None,
            problems: Vec::new(),
            signal: None,
            voice: None,
            fix: None,
        }
    }

    /// A fail report for a file that could not be read.
    pub fn unreadable(path: impl Into<PathBuf>, err: &Error) -> FileReport {
        let mut r = FileReport::new(path);
        r.problems.push(spec::unreadable(&describe(err)));
        r.verdict = Verdict::Fail;
        r
    }

    /// Whether the file could not be read at all.
    pub fn is_unreadable(&self) -> bool {
        self.problems
            .iter()
            .any(|p| p.code == spec::Code::Unreadable)
    }

    /// Record `frames` at `rate`: samples, duration and billing units.
    fn set_length(&mut self, frames: Frames, rate: u32) {
        self.samples = Some(frames.0);
        if rate > 0 {
            self.duration_s = Some(billing::duration_secs(frames, rate));
            self.billing_units =
                billing::billing_units(frames, rate, RoundingRule::StartedPeriod).map(|u| u.0);
        }
    }

    fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    fn finish(mut self) -> FileReport {
        self.verdict = Verdict::from_problems(&self.problems);
        self
    }
}

/// The innermost message of `err`, without the path (the report row names it).
pub(crate) fn describe(err: &Error) -> String {
    match err.kind() {
        Error::Io { source, .. } => source.to_string(),
        e => e.to_string(),
    }
}

/// Check one file. Never fails: unreadable files are fail reports.
///
/// The extension decides the rules: `.wav` gets the RIFF walker, the WAV rules
/// and (when the format conforms) signal analysis; `.vox` the VOX rules and a
/// duration from its size; other audio extensions fail as not accepted. Any
/// other file (named explicitly) is sniffed and reported for what it is.
pub fn check_path(path: &Path, opts: &CheckOptions) -> FileReport {
    check_path_streamed(path, opts, None)
}

/// What was analysed of a file as it was written, for its check to take
/// as given instead of reading the file again.
#[derive(Debug)]
// Only `convert` analyses what it writes; without it nothing is streamed.
#[cfg_attr(not(feature = "convert"), allow(dead_code))]
pub(crate) enum Streamed {
    /// Every byte of a `.vox` file, fed to a [`VoxStream`].
    Vox(VoxFindings),
    /// Every sample of a 16-bit mono PCM WAV file, fed to
    /// [`CheckOptions::analyser`] at the file's rate.
    Wav(SignalStats),
}

/// [`check_path`] of a file whose samples were already analysed as they
/// were written (`streamed`): the format rules are checked on the file, the
/// signal analysis is taken as given. `convert` runs that analysis while it
/// writes.
pub(crate) fn check_path_streamed(
    path: &Path,
    opts: &CheckOptions,
    streamed: Option<Streamed>,
) -> FileReport {
    match check_file(path, opts, streamed) {
        Ok(mut report) => {
            let cures: Vec<Remedy> = report
                .problems
                .iter()
                .filter_map(|p| p.code.remedy())
                .collect();
            let unknown_length = report.duration_s.is_none();
            // Read it the way a conversion would when that says something: a
            // cure to advise, or a length the header did not give.
            let readable = (!cures.is_empty() && (opts.advise || unknown_length))
                .then(|| convertible(path, opts))
                .flatten();
            if let (Some(Ok(read)), true) = (&readable, unknown_length) {
                report.set_length(read.frames, read.rate);
                if report.sample_rate.is_none() {
                    report.sample_rate = Some(read.rate);
                }
            }
            if opts.advise {
                report.fix = readable.map(|r| advise(path, cures, r, opts));
            }
            report.finish()
        }
        Err(err) => FileReport::unreadable(path, &err),
    }
}

/// What [`check_path`] reports on a `.vox` file of these `bytes` (without
/// the conversion advice, which reads the file again): the entry point of
/// the fuzz target `vox` and its regression test.
#[doc(hidden)]
pub fn check_vox_bytes(bytes: &[u8], opts: &CheckOptions) -> FileReport {
    let mut report = FileReport::new("fuzz.vox");
    let len = bytes.len() as u64;
    vox::check(&mut io::Cursor::new(bytes), len, &mut report, opts, None)
        .expect("a cursor does not fail");
    report.finish()
}

fn check_file(path: &Path, opts: &CheckOptions, streamed: Option<Streamed>) -> Result<FileReport> {
    let (streamed_wav, streamed_vox) = match streamed {
        Some(Streamed::Wav(stats)) => (Some(stats), None),
        Some(Streamed::Vox(found)) => (None, Some(found)),
        None => (None, None),
    };
    let mut file = crate::files::open_regular(path)?;
    let io_err = |e| Error::io(path, e);
    let mut report = FileReport::new(path);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match spec::audio_kind(ext) {
        Some(AudioKind::Wav) => {
            wav::check(&mut file, &mut report, opts, streamed_wav).map_err(io_err)?
        }
        Some(AudioKind::Vox) => {
            let len = file.metadata().map_err(io_err)?.len();
            vox::check(&mut file, len, &mut report, opts, streamed_vox).map_err(io_err)?
        }
        kind => {
            // Any other name: what the bytes are comes first.
            match sniff::sniff_reader(&mut file).map_err(io_err)? {
                Some("wav") => {
                    wav::check(&mut file, &mut report, opts, None).map_err(io_err)?;
                    report.problems.insert(0, spec::wrong_extension(ext));
                }
                Some("empty") => report.problems.push(spec::empty_file()),
                Some("gsm") => {
                    let gsm = crate::formats::by_extension("gsm").expect("a headerless name");
                    let len = file.metadata().map_err(io_err)?.len();
                    headerless(&mut report, gsm, len, opts);
                }
                Some(id) => {
                    report.container = Some(id.to_string());
                    report.problems.push(spec::not_accepted(id));
                }
                None => match kind {
                    Some(AudioKind::Headerless(named)) => {
                        let len = file.metadata().map_err(io_err)?.len();
                        headerless(&mut report, named, len, opts);
                    }
                    Some(AudioKind::Other(ext)) => {
                        report.container = Some(ext.to_string());
                        report.problems.push(spec::not_accepted(ext));
                    }
                    _ => report.problems.push(spec::not_audio(ext)),
                },
            }
        }
    }
    Ok(report)
}

/// A headerless telephony file (`.ulaw`, `.sln16`, `.gsm`...): its length
/// from its size, and `not-accepted`.
fn headerless(
    report: &mut FileReport,
    named: crate::formats::Named,
    len: u64,
    opts: &CheckOptions,
) {
    use crate::formats::Headerless;
    let format = named.format;
    report.container = Some(format.id().to_string());
    report.channels = Some(1);
    report.bits_per_sample = match format {
        Headerless::MuLaw | Headerless::ALaw => Some(8),
        Headerless::Slin => Some(16),
        Headerless::Vox => Some(4),
        Headerless::Gsm | Headerless::G722 => None,
    };
    let rate = opts.input_rate.or(named.rate);
    report.sample_rate = rate;
    let frames = format.frames(len);
    match rate {
        Some(rate) => report.set_length(frames, rate),
        None => report.samples = Some(frames.0),
    }
    if len == 0 {
        report.problems.push(spec::empty_file());
    } else {
        report.problems.push(spec::not_accepted(format.id()));
    }
}

/// What a conversion reads from a file: its rate and its length there.
struct Readable {
    rate: u32,
    frames: Frames,
}

/// The fix for the problems whose `cures` these are, given what a
/// conversion reads (or why it cannot).
fn advise(
    path: &Path,
    cures: Vec<Remedy>,
    readable: std::result::Result<Readable, String>,
    opts: &CheckOptions,
) -> Fix {
    let mut adjust: Vec<Adjustment> = cures
        .iter()
        .filter_map(|r| match r {
            Remedy::ConvertWith(a) => Some(*a),
            Remedy::Convert => None,
        })
        .collect();
    adjust.sort();
    adjust.dedup();
    let trim_threshold_dbfs = adjust
        .contains(&Adjustment::TrimSilence)
        .then_some(opts.thresholds.silence_dbfs);
    let is_vox = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("vox"));
    match readable {
        Ok(Readable {
            rate: input_rate, ..
        }) => Fix::Convert {
            rate: if spec::WAV_RATES.contains(&input_rate) {
                input_rate
            } else {
                spec::WAV_RATES[0]
            },
            adjust,
            trim_threshold_dbfs,
            vox_rate: is_vox
                .then_some(opts.vox_rate)
                .filter(|&r| r != spec::VOX_RATE),
            input_rate: opts.input_rate,
        },
        Err(reason) => Fix::CannotConvert { reason },
    }
}

/// Whether a conversion can read `path` to its end (asked of the opener
/// `convert` uses, so that the advice and the conversion cannot disagree),
/// and what it reads: `None` when this build cannot tell (no `decode`
/// feature).
#[cfg(feature = "decode")]
fn convertible(path: &Path, opts: &CheckOptions) -> Option<std::result::Result<Readable, String>> {
    let decode = crate::decode::DecodeOptions {
        vox_rate: opts.vox_rate,
        input_rate: opts.input_rate,
        ..crate::decode::DecodeOptions::default()
    };
    Some(
        crate::decode::probe(path, &decode)
            .map(|(facts, stats)| Readable {
                rate: facts.sample_rate,
                frames: Frames(stats.frames),
            })
            .map_err(|e| describe(&e)),
    )
}

#[cfg(not(feature = "decode"))]
fn convertible(
    _path: &Path,
    _opts: &CheckOptions,
) -> Option<std::result::Result<Readable, String>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn unreadable_report_has_nulls() {
        let err = Error::io("/nope", io::Error::from(io::ErrorKind::PermissionDenied));
        let r = FileReport::unreadable("/nope", &err);
        assert_eq!(r.verdict, Verdict::Fail);
        assert!(r.is_unreadable());
        assert_eq!(r.samples, None);
        assert!(
            r.problems[0].message.contains("ermission denied"),
            "{}",
            r.problems[0].message
        );
        assert!(!r.problems[0].message.contains("/nope"));
    }

    #[test]
    fn folders_and_missing_files_are_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let r = check_path(dir.path(), &CheckOptions::default());
        assert!(r.is_unreadable());
        assert!(
            r.problems[0].message.contains("a folder"),
            "{}",
            r.problems[0].message
        );
        let r = check_path(&dir.path().join("none.wav"), &CheckOptions::default());
        assert!(r.is_unreadable() && r.verdict == Verdict::Fail);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_named_explicitly_does_not_hang() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.wav");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
        let r = check_path(&fifo, &CheckOptions::default());
        assert!(r.is_unreadable());
        assert!(r.problems[0].message.contains("not a regular file"));
    }

    #[test]
    fn set_length_uses_integer_billing() {
        let mut r = FileReport::new("x.wav");
        r.set_length(Frames(96_001), 8000);
        assert_eq!(
            (r.samples, r.duration_s, r.billing_units),
            (Some(96_001), Some(12.000125), Some(2))
        );
        let mut r = FileReport::new("x.wav");
        r.set_length(Frames(0), 8000);
        assert_eq!(r.billing_units, None);
        let mut r = FileReport::new("x.wav");
        r.set_length(Frames(5), 0);
        assert_eq!((r.duration_s, r.billing_units), (None, None));
    }

    #[test]
    fn fix_serialises_as_documented() {
        let fix = Fix::Convert {
            rate: 11025,
            adjust: vec![Adjustment::Normalize, Adjustment::TrimSilence],
            trim_threshold_dbfs: Some(-50.0),
            vox_rate: None,
            input_rate: None,
        };
        assert_eq!(
            serde_json::to_string(&fix).unwrap(),
            r#"{"convert":true,"rate":11025,"adjust":["normalize","trim-silence"],"trim_threshold_dbfs":-50.0}"#
        );
        let fix = Fix::Convert {
            rate: 8000,
            adjust: vec![],
            trim_threshold_dbfs: None,
            vox_rate: Some(6000),
            input_rate: None,
        };
        assert_eq!(
            serde_json::to_string(&fix).unwrap(),
            r#"{"convert":true,"rate":8000,"adjust":[],"vox_rate":6000}"#
        );
        let fix = Fix::CannotConvert {
            reason: "GSM".into(),
        };
        assert_eq!(
            serde_json::to_string(&fix).unwrap(),
            r#"{"convert":false,"reason":"GSM"}"#
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Mutated WAVs and random VOX bytes: never a panic, the verdict is
        /// what the problems add up to, and a fail has an error.
        #[test]
        fn hostile_bytes_never_panic(
            flips in proptest::collection::vec((0usize..300, proptest::num::u8::ANY), 0..12),
            cut in 0usize..400,
            noise in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let samples: Vec<i16> = (0..150).map(|i| (i * 211 % 30000) as i16).collect();
            let mut bytes = wav::tests::wav_bytes(8000, &samples);
            for (at, v) in flips {
                if let Some(b) = bytes.get_mut(at) {
                    *b = v;
                }
            }
            bytes.truncate(cut);
            bytes.extend_from_slice(&noise);
            for name in ["x.wav", "x.vox", "x.mp3", "x.bin"] {
                let path = dir.path().join(name);
                std::fs::write(&path, &bytes).unwrap();
                let r = check_path(&path, &CheckOptions::default());
                proptest::prop_assert_eq!(r.verdict, Verdict::from_problems(&r.problems));
                // Signal analysis only runs on conforming files (WAV bytes
                // under another name still fail on the name afterwards).
                if r.signal.is_some() && matches!(name, "x.wav" | "x.vox") {
                    proptest::prop_assert!(r.verdict != Verdict::Fail);
                }
            }
        }
    }
}
