//! The provider's spec as rules: every problem has a stable kebab-case code,
//! a severity and a sentence a person understands, with the figures. Pure
//! functions, no I/O.
//!
//! The provider accepts two kinds of recording (provider-api.md, section 5):
//! WAV holding plain Windows PCM (format tag 1), 16-bit, mono, 8000 or
//! 11025 Hz; and headerless VOX (4-bit Dialogic ADPCM at 8000 Hz).
//!
//! Entry points:
//! - WAV: [`crate::wav::inspect`] walks the file and records the *structural*
//!   problems in [`WavFacts::problems`]; [`wav_problems`] returns those plus the
//!   *format* rules ([`fmt_problems`]) and the frame arithmetic. [`conforms`]
//!   says whether there is no error; [`WavFacts::pcm16_mono`] where to read
//!   the samples for signal analysis.
//! - VOX: [`vox_problems`] from the file length and its first bytes.
//! - Other audio: [`not_accepted`]; [`audio_kind`] tells from an extension
//!   whether a file is audio we check at all.
//! - [`sniff`] names a file from its first bytes; [`format_tag_name`] names a
//!   WAV format tag.
//!
//! # Problem codes
//!
//! | code | severity | meaning |
//! |---|---|---|
//! | `empty-file` | error | the file is 0 bytes |
//! | `not-wav` | error | a `.wav` that is not RIFF/WAVE; the message names what it is (MP3, Ogg, FLAC, RF64...) |
//! | `no-fmt` | error | no `fmt ` chunk |
//! | `no-data` | error | no `data` chunk |
//! | `fmt-after-data` | error | the `fmt ` chunk comes after the `data` chunk |
//! | `fmt-malformed` | error | `fmt ` shorter than 16 bytes, or extensible without its 22 extra bytes |
//! | `duplicate-chunk` | error | a second `fmt ` or `data` chunk |
//! | `data-truncated` | error | the data chunk declares more bytes than the file holds (says how many are missing) |
//! | `chunk-truncated` | error | another chunk runs past the end of the file |
//! | `size-placeholder` | error | RIFF or data size is 0xFFFFFFFF, left by a writer streaming to a pipe |
//! | `riff-size-mismatch` | error | the RIFF size disagrees with the file and its chunks (says by how much) |
//! | `trailing-bytes` | warning | bytes after the end of the RIFF data |
//! | `stray-bytes` | warning | bytes inside the RIFF that are not a chunk |
//! | `missing-pad-byte` | warning | an odd-sized chunk without its pad byte |
//! | `too-many-chunks` | warning | more than 4096 chunks; the walk stopped |
//! | `not-pcm` | error | format tag other than 1 (PCM), named (IEEE float, A-law, mu-law, IMA ADPCM...) |
//! | `extensible` | error | WAVE_FORMAT_EXTENSIBLE, even around 16-bit mono PCM; `voxprep convert` rewrites it |
//! | `not-mono` | error | channels other than 1 |
//! | `not-16-bit` | error | bits per sample other than 16 |
//! | `bad-sample-rate` | error | sample rate other than 8000 or 11025 Hz |
//! | `block-align-mismatch` | error | nBlockAlign is not channels x bytes per sample |
//! | `byte-rate-mismatch` | error | nAvgBytesPerSec is not sample rate x bytes per frame |
//! | `zero-samples` | error | no whole sample frame in the data |
//! | `data-not-whole-frames` | error | the data size is not a whole number of frames |
//! | `vox-is-container` | error | a `.vox` that is really a container (RIFF, ID3/MP3, Ogg, FLAC, AIFF, MP4...) |
//! | `not-accepted` | error | an audio format the provider does not take (MP3, FLAC, Ogg...); `voxprep convert` makes one |
//!
//! The same table is in [`CODES`] and in README.md.

use crate::wav::{Fmt, FmtError, WAVE_FORMAT_EXTENSIBLE, WAVE_FORMAT_PCM, WavFacts};
use serde::Serialize;

mod sniff;

pub use sniff::{SNIFF_LEN, format_label, sniff};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Content is doubtful but the provider will accept the file.
    Warning,
    /// The provider will reject the file, or it will not play correctly.
    Error,
}

/// One finding about one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// Stable kebab-case code, e.g. `not-pcm`.
    pub code: &'static str,
    /// A sentence for a person, with the figures.
    pub message: String,
}

impl Problem {
    /// An error with `code` and `message`.
    pub fn error(code: &'static str, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Error,
            code,
            message: message.into(),
        }
    }

    /// A warning with `code` and `message`.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            code,
            message: message.into(),
        }
    }
}

/// The verdict for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Conforms, no warnings.
    Pass,
    /// Conforms, with warnings.
    Warn,
    /// Does not conform (or could not be read).
    Fail,
}

impl Severity {
    /// `warning` or `error`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl Verdict {
    /// `pass`, `warn` or `fail`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }

    /// The verdict a list of problems adds up to.
    pub fn from_problems(problems: &[Problem]) -> Verdict {
        if problems.iter().any(|p| p.severity == Severity::Error) {
            Verdict::Fail
        } else if problems.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Warn
        }
    }
}

/// The stable problem codes of the format rules (signal warnings have their own).
pub mod code {
    /// The file is 0 bytes.
    pub const EMPTY_FILE: &str = "empty-file";
    /// A `.wav` that is not RIFF/WAVE.
    pub const NOT_WAV: &str = "not-wav";
    /// No `fmt ` chunk.
    pub const NO_FMT: &str = "no-fmt";
    /// No `data` chunk.
    pub const NO_DATA: &str = "no-data";
    /// `fmt ` after `data`.
    pub const FMT_AFTER_DATA: &str = "fmt-after-data";
    /// Unreadable `fmt ` chunk.
    pub const FMT_MALFORMED: &str = "fmt-malformed";
    /// A second `fmt ` or `data` chunk.
    pub const DUPLICATE_CHUNK: &str = "duplicate-chunk";
    /// Data chunk larger than the file holds.
    pub const DATA_TRUNCATED: &str = "data-truncated";
    /// Another chunk runs past the end of the file.
    pub const CHUNK_TRUNCATED: &str = "chunk-truncated";
    /// 0xFFFFFFFF sizes of a streamed file.
    pub const SIZE_PLACEHOLDER: &str = "size-placeholder";
    /// RIFF size disagrees with the file.
    pub const RIFF_SIZE_MISMATCH: &str = "riff-size-mismatch";
    /// Bytes after the RIFF data.
    pub const TRAILING_BYTES: &str = "trailing-bytes";
    /// Bytes inside the RIFF that are not a chunk.
    pub const STRAY_BYTES: &str = "stray-bytes";
    /// Odd chunk without pad byte.
    pub const MISSING_PAD_BYTE: &str = "missing-pad-byte";
    /// Walk stopped after too many chunks.
    pub const TOO_MANY_CHUNKS: &str = "too-many-chunks";
    /// Format tag other than PCM.
    pub const NOT_PCM: &str = "not-pcm";
    /// WAVE_FORMAT_EXTENSIBLE.
    pub const EXTENSIBLE: &str = "extensible";
    /// Not one channel.
    pub const NOT_MONO: &str = "not-mono";
    /// Not 16 bits per sample.
    pub const NOT_16_BIT: &str = "not-16-bit";
    /// Rate other than 8000 or 11025 Hz.
    pub const BAD_SAMPLE_RATE: &str = "bad-sample-rate";
    /// nBlockAlign inconsistent.
    pub const BLOCK_ALIGN_MISMATCH: &str = "block-align-mismatch";
    /// nAvgBytesPerSec inconsistent.
    pub const BYTE_RATE_MISMATCH: &str = "byte-rate-mismatch";
    /// No whole frame.
    pub const ZERO_SAMPLES: &str = "zero-samples";
    /// Data size not a whole number of frames.
    pub const DATA_NOT_WHOLE_FRAMES: &str = "data-not-whole-frames";
    /// A `.vox` that is a container.
    pub const VOX_IS_CONTAINER: &str = "vox-is-container";
    /// An audio format the provider does not take.
    pub const NOT_ACCEPTED: &str = "not-accepted";
}

/// One row of the code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CodeInfo {
    /// The stable code.
    pub code: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// What it means.
    pub meaning: &'static str,
}

const fn row(code: &'static str, severity: Severity, meaning: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        severity,
        meaning,
    }
}

/// Every code these rules produce, in the order of the table above.
pub const CODES: &[CodeInfo] = {
    use Severity::{Error as E, Warning as W};
    &[
        row(code::EMPTY_FILE, E, "the file is 0 bytes"),
        row(
            code::NOT_WAV,
            E,
            "a .wav that is not RIFF/WAVE; the message names what it is",
        ),
        row(code::NO_FMT, E, "no fmt chunk"),
        row(code::NO_DATA, E, "no data chunk"),
        row(
            code::FMT_AFTER_DATA,
            E,
            "the fmt chunk comes after the data chunk",
        ),
        row(
            code::FMT_MALFORMED,
            E,
            "fmt shorter than 16 bytes, or extensible without its 22 extra bytes",
        ),
        row(code::DUPLICATE_CHUNK, E, "a second fmt or data chunk"),
        row(
            code::DATA_TRUNCATED,
            E,
            "the data chunk declares more bytes than the file holds",
        ),
        row(
            code::CHUNK_TRUNCATED,
            E,
            "another chunk runs past the end of the file",
        ),
        row(
            code::SIZE_PLACEHOLDER,
            E,
            "RIFF or data size is 0xFFFFFFFF, left by a writer streaming to a pipe",
        ),
        row(
            code::RIFF_SIZE_MISMATCH,
            E,
            "the RIFF size disagrees with the file and its chunks",
        ),
        row(
            code::TRAILING_BYTES,
            W,
            "bytes after the end of the RIFF data",
        ),
        row(
            code::STRAY_BYTES,
            W,
            "bytes inside the RIFF that are not a chunk",
        ),
        row(
            code::MISSING_PAD_BYTE,
            W,
            "an odd-sized chunk without its pad byte",
        ),
        row(
            code::TOO_MANY_CHUNKS,
            W,
            "more than 4096 chunks; the walk stopped",
        ),
        row(code::NOT_PCM, E, "format tag other than 1 (PCM), named"),
        row(
            code::EXTENSIBLE,
            E,
            "WAVE_FORMAT_EXTENSIBLE, even around 16-bit mono PCM",
        ),
        row(code::NOT_MONO, E, "channels other than 1"),
        row(code::NOT_16_BIT, E, "bits per sample other than 16"),
        row(
            code::BAD_SAMPLE_RATE,
            E,
            "sample rate other than 8000 or 11025 Hz",
        ),
        row(
            code::BLOCK_ALIGN_MISMATCH,
            E,
            "nBlockAlign is not channels x bytes per sample",
        ),
        row(
            code::BYTE_RATE_MISMATCH,
            E,
            "nAvgBytesPerSec is not sample rate x bytes per frame",
        ),
        row(code::ZERO_SAMPLES, E, "no whole sample frame in the data"),
        row(
            code::DATA_NOT_WHOLE_FRAMES,
            E,
            "the data size is not a whole number of frames",
        ),
        row(
            code::VOX_IS_CONTAINER,
            E,
            "a .vox that is really a container, named",
        ),
        row(
            code::NOT_ACCEPTED,
            E,
            "an audio format the provider does not take, named",
        ),
    ]
};

/// Sample rates the provider plays WAV at.
pub const WAV_RATES: [u32; 2] = [8000, 11025];

/// What the provider accepts, for messages.
const ACCEPTED: &str = "the provider plays only WAV (PCM, 16-bit, mono, 8000 or 11025 Hz) and VOX (Dialogic ADPCM, 8000 Hz)";

/// The name of a WAV format tag (`wFormatTag`), from Microsoft's mmreg.h.
pub fn format_tag_name(tag: u16) -> &'static str {
    match tag {
        0x0000 => "unknown",
        0x0001 => "PCM",
        0x0002 => "MS ADPCM",
        0x0003 => "IEEE float",
        0x0005 => "IBM CVSD",
        0x0006 => "A-law",
        0x0007 => "mu-law",
        0x0008 => "DTS",
        0x0010 => "OKI ADPCM",
        0x0011 => "IMA ADPCM",
        0x0012 => "MediaSpace ADPCM",
        0x0013 => "Sierra ADPCM",
        0x0014 => "G.723 ADPCM",
        0x0017 => "Dialogic OKI ADPCM",
        0x0020 => "Yamaha ADPCM",
        0x0022 => "TrueSpeech",
        0x0031 => "GSM 6.10",
        0x0040 => "G.721 ADPCM",
        0x0050 => "MPEG audio",
        0x0055 => "MP3",
        0x0064 => "G.726 ADPCM",
        0x0065 => "G.722 ADPCM",
        0x00FF => "AAC",
        0x0160 => "WMA v1",
        0x0161 => "WMA v2",
        0x0162 => "WMA Pro",
        0x0163 => "WMA Lossless",
        0x1610 => "HE-AAC",
        0x2000 => "AC-3",
        0x2001 => "DTS",
        0x704F => "Opus",
        0xF1AC => "FLAC",
        WAVE_FORMAT_EXTENSIBLE => "WAVE_FORMAT_EXTENSIBLE",
        0xFFFF => "experimental",
        _ => "unregistered",
    }
}

fn tag_label(tag: u16) -> String {
    format!("0x{tag:04X} ({})", format_tag_name(tag))
}

/// `empty-file`.
pub(crate) fn empty_file() -> Problem {
    Problem::error(code::EMPTY_FILE, "the file is empty (0 bytes)")
}

/// `not-wav`, naming what the first bytes say the file is.
pub(crate) fn not_wav(sniffed: Option<&str>, head: &[u8], file_len: u64) -> Problem {
    let msg = match sniffed {
        Some("riff") => format!(
            "a RIFF file of form '{}', not WAVE",
            String::from_utf8_lossy(head.get(8..12).unwrap_or_default())
        ),
        Some("wav") | None if head.starts_with(b"RIFF") => {
            format!("only {file_len} bytes: too short for a RIFF/WAVE header (12 bytes)")
        }
        Some(id) => format!(
            "this is {}, not a RIFF/WAVE file; {ACCEPTED}: `voxprep convert` makes one",
            with_article(format_label(id))
        ),
        None => {
            let shown: Vec<String> = head.iter().take(4).map(|b| format!("{b:02X}")).collect();
            format!(
                "not a RIFF/WAVE file (it starts with bytes {})",
                shown.join(" ")
            )
        }
    };
    Problem::error(code::NOT_WAV, msg)
}

fn with_article(label: &str) -> String {
    let vowel_sound = label.starts_with(['A', 'E', 'I', 'O', 'U'])
        || label.starts_with("MP")
        || label.starts_with("RF");
    format!("{} {label} file", if vowel_sound { "an" } else { "a" })
}

/// `fmt-malformed`.
pub(crate) fn fmt_malformed(e: &FmtError, declared: u32) -> Problem {
    let msg = match e {
        FmtError::TooShort { len } => {
            format!("the fmt chunk holds {len} bytes (declared {declared}); at least 16 are needed")
        }
        FmtError::ExtensibleTooShort { len, cb_size } => format!(
            "the WAVE_FORMAT_EXTENSIBLE fmt chunk holds {len} bytes (declared {declared}, cbSize {}); 40 bytes with cbSize 22 are needed",
            cb_size.map_or_else(|| "absent".to_string(), |c| c.to_string())
        ),
    };
    Problem::error(code::FMT_MALFORMED, msg)
}

/// All problems of a walked WAV file: the structural ones [`crate::wav::inspect`]
/// found, then the format rules of the fmt chunk, then the frame arithmetic.
pub fn wav_problems(facts: &WavFacts) -> Vec<Problem> {
    let mut out = facts.problems.clone();
    if let Some(fmt) = &facts.fmt {
        out.extend(fmt_problems(fmt));
    }
    out.extend(frame_problems(facts));
    out
}

/// Whether a walked WAV file meets the spec (no error; warnings allowed).
pub fn conforms(facts: &WavFacts) -> bool {
    wav_problems(facts)
        .iter()
        .all(|p| p.severity != Severity::Error)
}

/// The rules on the fmt chunk alone: format tag, extensible, channels, bits,
/// rate, block align and byte rate.
pub fn fmt_problems(fmt: &Fmt) -> Vec<Problem> {
    [
        format_tag_rule(fmt),
        channels_rule(fmt),
        bits_rule(fmt),
        rate_rule(fmt),
        block_align_rule(fmt),
        byte_rate_rule(fmt),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn format_tag_rule(fmt: &Fmt) -> Option<Problem> {
    match fmt.format_tag {
        WAVE_FORMAT_PCM => None,
        WAVE_FORMAT_EXTENSIBLE => {
            let inner = match fmt.sub_format_tag {
                Some(WAVE_FORMAT_PCM) => "PCM".to_string(),
                Some(t) => format!("{} (sub-format {})", format_tag_name(t), tag_label(t)),
                None => "an unknown sub-format GUID".to_string(),
            };
            Some(Problem::error(
                code::EXTENSIBLE,
                format!(
                    "WAVE_FORMAT_EXTENSIBLE (format tag 0xFFFE) around {inner}; the provider wants plain Windows PCM (format tag 1): `voxprep convert` rewrites it"
                ),
            ))
        }
        t => Some(Problem::error(
            code::NOT_PCM,
            format!(
                "format tag {}, not 0x0001 (PCM); the provider wants plain PCM: `voxprep convert` makes it",
                tag_label(t)
            ),
        )),
    }
}

fn channels_rule(fmt: &Fmt) -> Option<Problem> {
    let what = match fmt.channels {
        1 => return None,
        2 => "2 channels (stereo)".to_string(),
        n => format!("{n} channels"),
    };
    Some(Problem::error(
        code::NOT_MONO,
        format!("{what}; the provider wants mono (1 channel)"),
    ))
}

fn bits_rule(fmt: &Fmt) -> Option<Problem> {
    let valid = fmt
        .valid_bits_per_sample
        .filter(|&v| v != fmt.bits_per_sample);
    if fmt.bits_per_sample == 16 && valid.is_none() {
        return None;
    }
    let mut msg = format!("{} bits per sample", fmt.bits_per_sample);
    if let Some(v) = valid {
        msg.push_str(&format!(" ({v} of them valid)"));
    }
    msg.push_str("; the provider wants 16");
    Some(Problem::error(code::NOT_16_BIT, msg))
}

fn rate_rule(fmt: &Fmt) -> Option<Problem> {
    (!WAV_RATES.contains(&fmt.sample_rate)).then(|| {
        Problem::error(
            code::BAD_SAMPLE_RATE,
            format!(
                "{} Hz; the provider plays WAV at 8000 or 11025 Hz",
                fmt.sample_rate
            ),
        )
    })
}

fn block_align_rule(fmt: &Fmt) -> Option<Problem> {
    let expected = fmt.frame_bytes()?;
    (u64::from(fmt.block_align) != expected).then(|| {
        Problem::error(
            code::BLOCK_ALIGN_MISMATCH,
            format!(
                "block align is {} but {} channel(s) of {} bits make {expected} bytes a frame",
                fmt.block_align, fmt.channels, fmt.bits_per_sample
            ),
        )
    })
}

fn byte_rate_rule(fmt: &Fmt) -> Option<Problem> {
    let frame = fmt.frame_bytes()?;
    let expected = u64::from(fmt.sample_rate) * frame;
    (u64::from(fmt.byte_rate) != expected).then(|| {
        Problem::error(
            code::BYTE_RATE_MISMATCH,
            format!(
                "byte rate is {} but {} Hz x {frame} bytes a frame make {expected}",
                fmt.byte_rate, fmt.sample_rate
            ),
        )
    })
}

/// Zero samples (any format: no data bytes; uncompressed: no whole frame) and
/// data that is not a whole number of frames (uncompressed formats only;
/// skipped when the data is truncated, which says so already).
pub fn frame_problems(facts: &WavFacts) -> Vec<Problem> {
    let mut out = Vec::new();
    let (Some(fmt), Some(data)) = (&facts.fmt, &facts.data) else {
        return out;
    };
    let Some(fb) = fmt.frame_bytes() else {
        if data.available == 0 {
            out.push(Problem::error(
                code::ZERO_SAMPLES,
                "the data chunk holds no bytes: no samples",
            ));
        }
        return out;
    };
    let frames = data.available / fb;
    if frames == 0 {
        let msg = if data.declared == 0 {
            "the data chunk is empty: no samples".to_string()
        } else {
            format!(
                "the data holds {} bytes, less than one {fb}-byte frame: no samples",
                data.available
            )
        };
        out.push(Problem::error(code::ZERO_SAMPLES, msg));
    }
    let whole = data.missing() == 0;
    let rest = u64::from(data.declared) % fb;
    if whole && rest != 0 && data.declared != 0 {
        out.push(Problem::error(
            code::DATA_NOT_WHOLE_FRAMES,
            format!(
                "the data chunk is {} bytes: not a whole number of {fb}-byte frames ({rest} byte(s) left over)",
                data.declared
            ),
        ));
    }
    out
}

/// Problems of a headerless VOX file from its length and first bytes (pass
/// up to [`SNIFF_LEN`] bytes): empty, or really a container.
pub fn vox_problems(file_len: u64, head: &[u8]) -> Vec<Problem> {
    if file_len == 0 {
        return vec![empty_file()];
    }
    match sniff(head) {
        Some(id) if id != "empty" => vec![Problem::error(
            code::VOX_IS_CONTAINER,
            format!(
                "this .vox file is really {}, not headerless Dialogic ADPCM; `voxprep convert` makes a real VOX",
                with_article(format_label(id))
            ),
        )],
        _ => Vec::new(),
    }
}

/// `not-accepted` for an audio file the provider does not take; `format` is
/// an extension (`mp3`, `flac`...) or a [`sniff`] id.
pub fn not_accepted(format: &str) -> Problem {
    Problem::error(
        code::NOT_ACCEPTED,
        format!(
            "{} is not an accepted format: {ACCEPTED}; `voxprep convert` makes one",
            format_label(&format.to_ascii_lowercase())
        ),
    )
}

/// What a file extension says about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioKind {
    /// `.wav`: checked with the WAV rules.
    Wav,
    /// `.vox`: checked with the VOX rules.
    Vox,
    /// Other audio (`mp3`, `flac`...): fails as [`not_accepted`]; holds the
    /// lower-case extension.
    Other(&'static str),
}

/// Audio extensions the provider does not accept but `check` reports on.
pub const OTHER_AUDIO_EXTENSIONS: [&str; 13] = [
    "mp3", "flac", "ogg", "opus", "m4a", "aac", "aif", "aiff", "aifc", "caf", "amr", "wma", "oga",
];

/// The kind of audio an extension (without the dot, any case) names, or
/// `None` for files a folder walk skips.
pub fn audio_kind(ext: &str) -> Option<AudioKind> {
    let lower = ext.to_ascii_lowercase();
    match lower.as_str() {
        "wav" => Some(AudioKind::Wav),
        "vox" => Some(AudioKind::Vox),
        other => OTHER_AUDIO_EXTENSIONS
            .iter()
            .find(|&&e| e == other)
            .map(|&e| AudioKind::Other(e)),
    }
}

/// Whether a folder walk checks files with this extension.
pub fn is_audio_extension(ext: &str) -> bool {
    audio_kind(ext).is_some()
}

#[cfg(test)]
mod tests;
