//! The integer fast path: a conversion whose float pipeline would give back
//! the input's samples unchanged copies them as integers instead.
//!
//! That is an input our own reader gives as 16-bit samples (16-bit
//! little-endian PCM, in WAV or signed linear, or VOX, whose decoder gives
//! 16-bit samples), mono, at the output rate, converted with no level
//! change, no trimming and the high-pass off (`remove_dc: false`). The
//! float pipeline then scales each sample by 1/32768 (exact in `f32`),
//! neither downmixes nor resamples, and the quantiser finds every value on
//! the 16-bit grid and gives it back without dither: the identity, which
//! this path skips. Tests hold the two paths to the same bytes.
//!
//! The high-pass (on by default) changes every sample, and the dither
//! after it draws from one seeded sequence sample by sample; an integer
//! path equal to that output would be the float path again, so those
//! conversions keep it.

use super::sink::Sink;
use super::{ConvertOptions, Level};
use crate::decode::AudioReader;
use crate::error::Result;

/// Whether converting `reader`'s input as `opts` say copies its samples:
/// the float pipeline would be the identity on them.
pub(super) fn copies_samples(reader: &AudioReader, opts: &ConvertOptions) -> bool {
    #[cfg(test)]
    if tests::FLOAT_ONLY.get() {
        return false;
    }
    let facts = reader.facts();
    opts.level == Level::Unchanged
        && opts.trim.is_none()
        && !opts.remove_dc
        && reader.reads_i16()
        && facts.channels == 1
        && facts.sample_rate == opts.output_rate()
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
                if reader.is_ok_and(|r| copies_samples(&r, opts)) {
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

    /// WAV to WAV of a conforming file keeps its samples; the default
    /// (high-pass on), a level or another rate do not take the fast path.
    #[test]
    fn a_conforming_wav_is_copied_and_only_when_nothing_changes() {
        let input = fixture("vox/speech-espeak-8000Hz.wav");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.wav");
        let opts = keep_dc(OutputFormat::Wav, 8000, EncoderKind::Greedy);
        let c = convert_file(&input, &out, &opts).unwrap();
        let samples = |p: &Path| -> Vec<i16> {
            let mut r = hound::WavReader::open(p).unwrap();
            r.samples::<i16>().map(|s| s.unwrap()).collect()
        };
        assert_eq!(samples(&out), samples(&input));
        assert_eq!(c.frames, c.input_frames);
        let open = || AudioReader::open_path(&input, &opts.decode).unwrap();
        assert!(copies_samples(&open(), &opts));
        let others = [
            ConvertOptions::default(),
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
            assert!(!copies_samples(&open(), other), "{other:?}");
        }
        let stereo = fixture("check/stereo-44100hz.wav");
        let stereo = AudioReader::open_path(&stereo, &opts.decode).unwrap();
        assert!(!copies_samples(&stereo, &opts));
    }
}
