//! The integer fast path: a conversion whose output is the input's samples
//! copies them as integers instead of taking them through the float
//! pipeline.
//!
//! That is an input our own reader gives as 16-bit samples (16-bit
//! little-endian PCM, in WAV or signed linear, or VOX, whose decoder gives
//! 16-bit samples), mono, at the output rate, converted with no level
//! change and no trimming ([`conforms`]), and either with the high-pass
//! off (`--keep-dc`) or with no offset for it to take out
//! ([`without_offset`]: the mean within a tenth of `check`'s `dc-offset`
//! threshold, [`COPY_DC_SHARE`], read in a first integer pass). The float pipeline with the high-pass off scales
//! each sample by 1/32768 (exact in `f32`), neither downmixes nor
//! resamples, and the quantiser finds every value on the 16-bit grid and
//! gives it back without dither: the identity, which this path skips.
//! Tests hold the two paths to the same bytes.
//!
//! By default the high-pass runs on everything else; on an input that
//! already conforms and has no offset it would only move a conforming
//! recording's samples (by rumble below 60 Hz) and add dither, so the
//! samples are copied instead: what `check` passes, `convert` leaves as it
//! is (docs/conversion.md, "Conforming inputs are copied").

use super::sink::Sink;
use super::{ConvertOptions, Level};
use crate::decode::AudioReader;
use crate::error::Result;

/// The largest DC offset of an input whose samples the default conversion
/// copies rather than high-passes, as a share of `check`'s `dc-offset`
/// threshold: a tenth, 0.2% of full scale (66 in 16-bit units) by default.
/// Such an offset costs 0.02 dB of headroom and nothing the VOX encoder
/// notices (its predictor holds a constant); the filter would change every
/// sample to take it out. Debian's 568 Asterisk prompts reach 0.05%, the
/// espeak-ng speech fixture 0.11%.
pub const COPY_DC_SHARE: f64 = 0.1;

/// Whether converting `reader`'s input as `opts` say changes neither its
/// format nor its level: samples copied, unless the high-pass is to take
/// an offset out.
pub(super) fn conforms(reader: &AudioReader, opts: &ConvertOptions) -> bool {
    #[cfg(test)]
    if tests::FLOAT_ONLY.get() {
        return false;
    }
    let facts = reader.facts();
    opts.level == Level::Unchanged
        && opts.trim.is_none()
        && reader.reads_i16()
        && facts.channels == 1
        && facts.sample_rate == opts.output_rate()
}

/// Whether the samples of `reader` (read to the end) have a mean within
/// `max_pct` percent of full scale of zero.
pub(super) fn without_offset(reader: &mut AudioReader, max_pct: f64) -> Result<bool> {
    let (mut sum, mut count) = (0i64, 0u64);
    while let Some(samples) = reader.next_i16()? {
        // Sums of i32 per block (a loop the compiler vectorises); a block
        // of 2^16 samples cannot overflow one.
        for part in samples.chunks(1 << 16) {
            sum += i64::from(part.iter().map(|&s| i32::from(s)).sum::<i32>());
        }
        count += samples.len() as u64;
    }
    Ok(sum.unsigned_abs() as f64 <= max_pct / 100.0 * 32768.0 * count as f64)
}

/// Read every sample of `reader` as an integer and write it to `sink`
/// (through `write`, which names the file in errors); returns the largest
/// magnitude seen (32768 for -32768).
pub(super) fn copy(
    reader: &mut AudioReader,
    sink: &mut Sink,
    mut write: impl FnMut(&mut Sink, &[i16]) -> Result<()>,
) -> Result<u32> {
    let (mut lo, mut hi) = (0i16, 0i16);
    while let Some(samples) = reader.next_i16()? {
        // The extremes in i16 (a loop the compiler vectorises), not |s|.
        (lo, hi) = samples
            .iter()
            .fold((lo, hi), |(lo, hi), &s| (lo.min(s), hi.max(s)));
        write(sink, samples)?;
    }
    Ok(lo.unsigned_abs().max(hi.unsigned_abs()).into())
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::{OutputFormat, convert_file};
    use super::*;
    use crate::decode::DecodeOptions;
    use crate::vox::EncoderKind;
    use std::cell::Cell;
    use std::fs;
    use std::path::{Path, PathBuf};

    thread_local! {
        /// Set by a test to send a conversion through the float pipeline.
        pub(in crate::convert) static FLOAT_ONLY: Cell<bool> = const { Cell::new(false) };
    }

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(rel)
    }

    /// What converting `input` as `opts` say gives, through the fast path
    /// (when it applies) or the float pipeline: the output's bytes and the
    /// report without its paths, or the error's text.
    fn outcome(input: &Path, dir: &Path, opts: &ConvertOptions, float: bool) -> String {
        let out = dir.join(format!("out.{}", opts.format.extension()));
        let _ = fs::remove_file(&out);
        FLOAT_ONLY.set(float);
        let done = convert_file(input, &out, opts);
        FLOAT_ONLY.set(false);
        let text = match done {
            Ok(c) => {
                let mut report = serde_json::to_value(&c).unwrap();
                report["output"] = serde_json::Value::Null;
                report["check"]["path"] = serde_json::Value::Null;
                let bytes = fs::read(&out).unwrap();
                format!("{report}\n{} bytes, fnv {:016x}", bytes.len(), fnv(&bytes))
            }
            Err(e) => format!("error: {e}"),
        };
        text.replace(&dir.display().to_string(), "DIR")
    }

    fn fnv(b: &[u8]) -> u64 {
        b.iter().fold(0xcbf2_9ce4_8422_2325, |h, &x| {
            (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    fn keep_dc(format: OutputFormat, rate: u32, encoder: EncoderKind) -> ConvertOptions {
        ConvertOptions {
            format,
            rate,
            remove_dc: false,
            vox_encoder: encoder,
            ..ConvertOptions::default()
        }
    }

    /// Every input the fast path takes writes what the float pipeline
    /// writes, byte for byte, with the same report; every input it does
    /// not take (other formats, hostile headers, truncation, bytes that
    /// are not ADPCM) fails or converts exactly as before.
    #[test]
    fn fast_and_float_paths_write_the_same_files_and_fail_alike() {
        let dir = tempfile::tempdir().unwrap();
        let (fast_dir, float_dir) = (dir.path().join("fast"), dir.path().join("float"));
        fs::create_dir_all(&fast_dir).unwrap();
        fs::create_dir_all(&float_dir).unwrap();
        let mut inputs = Vec::new();
        for sub in ["wav", "odd-wav", "hostile", "check", "vox", "telephony"] {
            for e in fs::read_dir(fixture(sub)).unwrap() {
                let p = e.unwrap().path();
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
                if matches!(ext, "wav" | "vox" | "sln") {
                    inputs.push(p);
                }
            }
        }
        inputs.sort();
        let mut fast_taken = 0;
        let options = [
            keep_dc(OutputFormat::Wav, 8000, EncoderKind::Greedy),
            keep_dc(OutputFormat::Wav, 11025, EncoderKind::Greedy),
            keep_dc(OutputFormat::Vox, 8000, EncoderKind::Greedy),
            keep_dc(OutputFormat::Vox, 8000, EncoderKind::default()),
        ];
        for input in &inputs {
            for opts in &options {
                let fast = outcome(input, &fast_dir, opts, false);
                let float = outcome(input, &float_dir, opts, true);
                assert_eq!(fast, float, "{} as {opts:?}", input.display());
                let reader = AudioReader::open_path(input, &opts.decode);
                if reader.is_ok_and(|r| conforms(&r, opts)) {
                    fast_taken += 1;
                }
            }
        }
        // The comparison covered the fast path, not only the slow one.
        assert!(
            fast_taken >= 20,
            "{fast_taken} conversions took the fast path"
        );
    }

    /// WAV to WAV of a conforming file keeps its samples, with the
    /// high-pass off or on (the speech has no offset); a level, trimming
    /// or another rate do not take the fast path.
    #[test]
    fn a_conforming_wav_is_copied_and_only_when_nothing_changes() {
        let input = fixture("vox/speech-espeak-8000Hz.wav");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.wav");
        let samples = |p: &Path| -> Vec<i16> {
            let mut r = hound::WavReader::open(p).unwrap();
            r.samples::<i16>().map(|s| s.unwrap()).collect()
        };
        let opts = keep_dc(OutputFormat::Wav, 8000, EncoderKind::Greedy);
        for o in [&opts, &ConvertOptions::default()] {
            let _ = fs::remove_file(&out);
            let c = convert_file(&input, &out, o).unwrap();
            assert!(samples(&out) == samples(&input), "{o:?}");
            assert_eq!(c.frames, c.input_frames);
            assert!(!c.high_pass);
        }
        let open = || AudioReader::open_path(&input, &opts.decode).unwrap();
        assert!(conforms(&open(), &opts));
        assert!(without_offset(&mut open(), 0.2).unwrap());
        assert!(!without_offset(&mut open(), 0.1).unwrap(), "0.11% offset");
        let others = [
            ConvertOptions {
                level: Level::GainDb(-3.0),
                ..opts.clone()
            },
            ConvertOptions {
                trim: Some(super::super::TrimSilence::default()),
                ..opts.clone()
            },
            ConvertOptions {
                rate: 11025,
                ..opts.clone()
            },
        ];
        for other in &others {
            assert!(!conforms(&open(), other), "{other:?}");
        }
        let stereo = fixture("check/stereo-44100hz.wav");
        let stereo = AudioReader::open_path(&stereo, &opts.decode).unwrap();
        assert!(!conforms(&stereo, &opts));
    }

    /// By default a conforming input with an offset is high-passed (the
    /// offset goes), and with `--keep-dc` copied (it stays).
    #[test]
    fn an_offset_is_taken_out_unless_kept() {
        let input = fixture("check/dc-offset-8000hz.wav");
        let dir = tempfile::tempdir().unwrap();
        let mean = |p: &Path| -> f64 {
            let mut r = hound::WavReader::open(p).unwrap();
            let x: Vec<i16> = r.samples::<i16>().map(|s| s.unwrap()).collect();
            x.iter().map(|&s| f64::from(s)).sum::<f64>() / x.len() as f64 / 32768.0
        };
        let reader = || AudioReader::open_path(&input, &DecodeOptions::default()).unwrap();
        assert!(conforms(&reader(), &ConvertOptions::default()));
        assert!(!without_offset(&mut reader(), 2.0).unwrap());
        assert!(mean(&input).abs() > 0.02, "{}", mean(&input));
        let out = dir.path().join("default.wav");
        let c = convert_file(&input, &out, &ConvertOptions::default()).unwrap();
        assert!(c.high_pass);
        assert!(mean(&out).abs() < 0.0005, "{}", mean(&out));
        let out = dir.path().join("kept.wav");
        let opts = keep_dc(OutputFormat::Wav, 8000, EncoderKind::Greedy);
        let c = convert_file(&input, &out, &opts).unwrap();
        assert!(!c.high_pass);
        assert_eq!(mean(&out), mean(&input));
    }

    /// An offset just inside the limit is copied, just outside it is not.
    #[test]
    fn the_offset_limit_is_inclusive() {
        let dir = tempfile::tempdir().unwrap();
        // A limit of exactly 32 in 16-bit units: the mean of the tone
        // below is its offset.
        let (limit, max_pct) = (32i16, 100.0 * 32.0 / 32768.0);
        for (offset, copied) in [
            (limit, true),
            (-limit, true),
            (limit + 1, false),
            (-limit - 1, false),
        ] {
            let path = dir.path().join(format!("dc{offset}.wav"));
            let tone = (0..8000).map(|i| if i % 2 == 0 { 1000 } else { -1000 });
            crate::test_fixtures::write_wav(&path, 8000, tone.map(|t| t + offset));
            let mut r = AudioReader::open_path(&path, &DecodeOptions::default()).unwrap();
            assert_eq!(
                without_offset(&mut r, max_pct).unwrap(),
                copied,
                "offset {offset}"
            );
        }
    }
}
