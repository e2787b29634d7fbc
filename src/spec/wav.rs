//! The WAV rules: the walker's structural findings worded, the format rules
//! of the `fmt ` chunk, and the frame arithmetic of the data.

use super::{ACCEPTED, Code, Problem, Severity, WAV_RATES, with_article};
use crate::sniff::format_label;
use crate::wav::{
    Anomaly, Fmt, FmtError, WAVE_FORMAT_EXTENSIBLE, WAVE_FORMAT_PCM, WavFacts, format_tag_label,
    format_tag_name, id_label,
};

/// All problems of a walked WAV file: the structural ones in the order the
/// walker found them, then the format rules of the fmt chunk, then the frame
/// arithmetic.
pub fn wav_problems(facts: &WavFacts) -> Vec<Problem> {
    let mut out: Vec<Problem> = facts
        .anomalies
        .iter()
        .map(|a| anomaly_problem(a, facts))
        .collect();
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

const PLACEHOLDER: &str =
    "a placeholder left by a writer that streamed to a pipe and never filled it in";

/// The problem a structural finding is.
fn anomaly_problem(a: &Anomaly, facts: &WavFacts) -> Problem {
    let file_len = facts.file_len;
    let (code, message) = match a {
        Anomaly::Empty => return super::file::empty_file(),
        Anomaly::NotRiffWave { head, len } => (
            Code::NotWav,
            not_wav(facts.sniffed, &head[..*len], file_len),
        ),
        Anomaly::BigEndian => (
            Code::NotWav,
            "a RIFX (big-endian RIFF) WAVE file; the provider plays only little-endian RIFF/WAVE"
                .to_string(),
        ),
        Anomaly::NoFmt => (
            Code::NoFmt,
            "no fmt chunk: the format of the samples is unknown".to_string(),
        ),
        Anomaly::NoData => (
            Code::NoData,
            "no data chunk: the file holds no samples".to_string(),
        ),
        Anomaly::FmtAfterData { offset } => (
            Code::FmtAfterData,
            format!(
                "the fmt chunk (offset {offset}) comes after the data chunk; players that stream read the samples before knowing their format"
            ),
        ),
        Anomaly::FmtMalformed { error, declared } => {
            (Code::FmtMalformed, fmt_malformed(error, *declared))
        }
        Anomaly::DuplicateChunk { id, offset } => (
            Code::DuplicateChunk,
            format!(
                "a second {} chunk at offset {offset}; players disagree on which one counts (the first is used here)",
                id_label(id)
            ),
        ),
        Anomaly::DataSizePlaceholder { declared, present } => (
            Code::SizePlaceholder,
            format!(
                "the data chunk's size is {declared:#010X}, {PLACEHOLDER}; the file holds {present} data bytes"
            ),
        ),
        Anomaly::DataTruncated { declared, present } => (
            Code::DataTruncated,
            format!(
                "the data chunk declares {declared} bytes but the file holds only {present}: {} bytes missing (truncated file)",
                u64::from(*declared).saturating_sub(*present)
            ),
        ),
        Anomaly::ChunkTruncated {
            id,
            offset,
            declared,
            present,
        } => (
            Code::ChunkTruncated,
            format!(
                "the {} chunk at offset {offset} declares {declared} bytes but the file holds only {present}: {} bytes missing (truncated file)",
                id_label(id),
                u64::from(*declared).saturating_sub(*present)
            ),
        ),
        Anomaly::RiffSizePlaceholder { declared } => (
            Code::SizePlaceholder,
            format!(
                "the RIFF size is {declared:#010X}, {PLACEHOLDER}; the file is {file_len} bytes"
            ),
        ),
        Anomaly::RiffPastEnd { riff_end } => (
            Code::RiffSizeMismatch,
            format!(
                "the RIFF header declares {riff_end} bytes but the file is {file_len}: {} bytes short",
                riff_end.saturating_sub(file_len)
            ),
        ),
        Anomaly::RiffCutsChunk {
            riff_end,
            id,
            offset,
            end,
        } => (
            Code::RiffSizeMismatch,
            format!(
                "the RIFF header declares {riff_end} bytes but the {} chunk at offset {offset} runs to {end}; the file is {file_len} bytes ({} more than declared)",
                id_label(id),
                file_len.saturating_sub(*riff_end)
            ),
        ),
        Anomaly::ChunkAfterRiff { riff_end, id } => (
            Code::RiffSizeMismatch,
            format!(
                "the RIFF header declares {riff_end} bytes but the {} chunk lies after that; the file is {file_len} bytes ({} more than declared)",
                id_label(id),
                file_len.saturating_sub(*riff_end)
            ),
        ),
        Anomaly::TrailingBytes { count, riff_size } => (
            Code::TrailingBytes,
            format!(
                "{count} bytes after the end of the RIFF data (RIFF size {riff_size}, file {file_len} bytes); players ignore them"
            ),
        ),
        Anomaly::StrayBytes { offset, len, id } => {
            let what = if *len < 8 {
                "too short to be a chunk header".to_string()
            } else {
                format!("not a chunk header (id {})", id_label(id))
            };
            (
                Code::StrayBytes,
                format!(
                    "{len} bytes at offset {offset}, inside the RIFF, are {what}; players ignore them"
                ),
            )
        }
        Anomaly::MissingPadByte { id, offset, size } => (
            Code::MissingPadByte,
            format!(
                "the {} chunk at offset {offset} has an odd size ({size}) but no pad byte after it",
                id_label(id)
            ),
        ),
        Anomaly::TooManyChunks { stopped_at } => (
            Code::TooManyChunks,
            format!(
                "more than {} chunks; stopped walking at offset {stopped_at} of {file_len}",
                crate::wav::MAX_CHUNKS
            ),
        ),
    };
    Problem::new(code, message)
}

/// The `not-wav` sentence, naming what the first bytes say the file is.
fn not_wav(sniffed: Option<&str>, head: &[u8], file_len: u64) -> String {
    match sniffed {
        Some("riff") => format!(
            "a RIFF file of form '{}', not WAVE",
            String::from_utf8_lossy(head.get(8..12).unwrap_or_default())
        ),
        Some("wav") | None if head.starts_with(b"RIFF") => {
            format!("only {file_len} bytes: too short for a RIFF/WAVE header (12 bytes)")
        }
        Some(id) => format!(
            "this is {}, not a RIFF/WAVE file; {ACCEPTED}",
            with_article(format_label(id))
        ),
        None => {
            let shown: Vec<String> = head.iter().take(4).map(|b| format!("{b:02X}")).collect();
            format!(
                "not a RIFF/WAVE file (it starts with bytes {})",
                shown.join(" ")
            )
        }
    }
}

fn fmt_malformed(e: &FmtError, declared: u32) -> String {
    match e {
        FmtError::TooShort { len } => {
            format!("the fmt chunk holds {len} bytes (declared {declared}); at least 16 are needed")
        }
        FmtError::ExtensibleTooShort { len, cb_size } => format!(
            "the WAVE_FORMAT_EXTENSIBLE fmt chunk holds {len} bytes (declared {declared}, cbSize {}); 40 bytes with cbSize 22 are needed",
            cb_size.map_or_else(|| "absent".to_string(), |c| c.to_string())
        ),
    }
}

/// The rules on the fmt chunk alone: format tag, extensible, channels, bits,
/// rate, block align and byte rate.
fn fmt_problems(fmt: &Fmt) -> Vec<Problem> {
    [
        format_tag_rule(fmt),
        channels_rule(fmt),
        bits_rule(fmt),
        rate_rule(fmt),
        block_align_rule(fmt),
        byte_rate_rule(fmt),
        fmt_size_rule(fmt),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A plain-PCM `fmt ` chunk should be the 16 bytes of PCMWAVEFORMAT (or
/// the 18 of a WAVEFORMATEX with cbSize 0, which every reader measured
/// takes). Measured on 8 kHz mono PCM with sox 14.4.2, ffmpeg 5.1 and
/// libsndfile 1.2: all read sizes 16, 18, 20, 24 and 40 whatever cbSize
/// says; sox cannot read 17 or 19 ("Could not find data chunk"). Asterisk's
/// `format_wav.c` skips `size - 16` bytes after the fields, without the pad
/// byte of an odd size, and its seek and tell count from byte 44.
fn fmt_size_rule(fmt: &Fmt) -> Option<Problem> {
    if fmt.format_tag != WAVE_FORMAT_PCM {
        return None;
    }
    let size = fmt.chunk_size;
    let why = match (size, fmt.cb_size) {
        (16, _) | (18, Some(0)) => return None,
        (s, _) if s % 2 == 1 => format!(
            "the fmt chunk is {s} bytes, an odd size: sox 14.4 and Asterisk's WAV reader skip it \
             without its pad byte and then find no data chunk (\"Could not find data chunk\")"
        ),
        (s, Some(cb)) if u32::from(cb) + 18 != s => format!(
            "the fmt chunk is {s} bytes but its cbSize says {cb} extra bytes ({} in all): \
             readers that trust one or the other disagree on where the chunk ends",
            u32::from(cb) + 18
        ),
        (s, _) => format!(
            "the fmt chunk is {s} bytes ({} extra bytes on plain PCM): Asterisk seeks and \
             counts positions from byte 44, so they are off by {} bytes",
            s - 16,
            s - 16
        ),
    };
    Some(Problem::new(
        Code::FmtUnusualSize,
        format!("{why}; the canonical PCM fmt chunk is 16 bytes"),
    ))
}

fn format_tag_rule(fmt: &Fmt) -> Option<Problem> {
    match fmt.format_tag {
        WAVE_FORMAT_PCM => None,
        WAVE_FORMAT_EXTENSIBLE => {
            let inner = match fmt.sub_format_tag {
                Some(WAVE_FORMAT_PCM) => "PCM".to_string(),
                Some(t) => format!(
                    "{} (sub-format {})",
                    format_tag_name(t),
                    format_tag_label(t)
                ),
                None => "an unknown sub-format GUID".to_string(),
            };
            Some(Problem::new(
                Code::Extensible,
                format!(
                    "WAVE_FORMAT_EXTENSIBLE (format tag 0xFFFE) around {inner}; the provider wants plain Windows PCM (format tag 1)"
                ),
            ))
        }
        t => Some(Problem::new(
            Code::NotPcm,
            format!(
                "format tag {}, not 0x0001 (PCM); the provider wants plain PCM",
                format_tag_label(t)
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
    Some(Problem::new(
        Code::NotMono,
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
    if fmt.bits_per_sample == 0 && fmt.format_tag != WAVE_FORMAT_PCM {
        // A compressed format (GSM, MP3 in WAV) has no sample size to
        // declare; not-pcm already says what is wrong. PCM of 0 bits is
        // not-16-bit like any other size.
        return None;
    }
    let mut msg = format!("{} bits per sample", fmt.bits_per_sample);
    if let Some(v) = valid {
        msg.push_str(&format!(" ({v} of them valid)"));
    }
    msg.push_str("; the provider wants 16");
    Some(Problem::new(Code::Not16Bit, msg))
}

fn rate_rule(fmt: &Fmt) -> Option<Problem> {
    (!WAV_RATES.contains(&fmt.sample_rate)).then(|| {
        Problem::new(
            Code::BadSampleRate,
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
        Problem::new(
            Code::BlockAlignMismatch,
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
        Problem::new(
            Code::ByteRateMismatch,
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
fn frame_problems(facts: &WavFacts) -> Vec<Problem> {
    let mut out = Vec::new();
    let (Some(fmt), Some(data)) = (&facts.fmt, &facts.data) else {
        return out;
    };
    let Some(fb) = fmt.frame_bytes() else {
        if data.available == 0 {
            out.push(Problem::new(
                Code::ZeroSamples,
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
        out.push(Problem::new(Code::ZeroSamples, msg));
    }
    let whole = data.missing() == 0;
    let rest = u64::from(data.declared) % fb;
    if whole && rest != 0 && data.declared != 0 {
        out.push(Problem::new(
            Code::DataNotWholeFrames,
            format!(
                "the data chunk is {} bytes: not a whole number of {fb}-byte frames ({rest} byte(s) left over)",
                data.declared
            ),
        ));
    }
    out
}
