//! The VOX rules: a `.vox` must be headerless Dialogic ADPCM, and should
//! play alike on every decoder family.

use super::{Code, Problem, with_article};
use crate::sniff::{format_label, sniff};
use crate::voice::VoiceFigures;
use crate::vox::{RawGuess, ScreenFigures, VoxAnalysis};

/// `not-adpcm` needs at least this many "ADPCM state errors": decoder steps
/// that overshoot a rail by more than `s/8`...
pub const MIN_STATE_ERRORS: u64 = 5;

/// ...making up at least this share of the steps. No ADPCM encoder writes
/// such a step on purpose: 7,038 VOX files written by sox, libsndfile and
/// voxprep's encoders from speech, music, tones, noise, silence and
/// full-scale squares have none, while random bytes have 17-40% and mu-law,
/// A-law and 8- or 16-bit PCM read as ADPCM 0.77-99.98%
/// (`benches/vox-not-adpcm.sh`, docs/vox-encoder.md).
pub const STATE_ERROR_SHARE_LIMIT: f64 = 0.002;

/// `vox-at-rails` is reported when more than this share of the samples lies
/// in rail runs of at least [`crate::vox::RAIL_RUN`] samples (and the stream
/// is not already `not-adpcm`).
pub const RAILS_SHARE_LIMIT: f64 = 0.02;

/// `decoder-disagreement` is reported when the exact and shift-add decodings
/// differ by more than this share of full scale at some sample (0.1 = 10%,
/// about 1 dB of headroom lost on the shift-add side, and clipping on loud
/// prompts)...
///
/// ffmpeg's decoding is not compared: it equals the exact one until the
/// first positive clip and then lies at most 15 (of 32768, 0.05%) below,
/// far under both limits (60 dB or more between the two on clipped speech;
/// docs/vox-encoder.md has the figures).
pub const DRIFT_LIMIT: f64 = 0.10;

/// ...or when the shift-add decoding, measured against the exact one, has an
/// SNR below this many dB: the mismatch then carries more than a tenth of the
/// signal's energy, twice the codec's own noise (about 19 dB on speech).
/// The drift is a random walk that needs time to build up, so a short prompt
/// from a greedy encoder passes where a long one fails (docs/vox-encoder.md
/// has the figures).
pub const DISAGREEMENT_SNR_LIMIT_DB: f64 = 10.0;

/// Problems of a headerless VOX file from its length and first bytes (pass
/// up to [`crate::sniff::SNIFF_LEN`] bytes): empty, or really a container.
pub fn vox_problems(file_len: u64, head: &[u8]) -> Vec<Problem> {
    if file_len == 0 {
        return vec![super::file::empty_file()];
    }
    match sniff(head) {
        Some(id) if id != "empty" => vec![Problem::new(
            Code::VoxIsContainer,
            format!(
                "this .vox file is really {}, not headerless Dialogic ADPCM",
                with_article(format_label(id))
            ),
        )],
        _ => Vec::new(),
    }
}

/// `vox-rate` for a `.vox` recorded at `rate` Hz, not the provider's 8000.
pub fn vox_rate(rate: u32) -> Problem {
    Problem::new(
        Code::VoxRate,
        format!(
            "recorded at {rate} Hz; the provider plays VOX at {} Hz, so it would play {:.0}% \
             too {}",
            super::VOX_RATE,
            (f64::from(super::VOX_RATE) / f64::from(rate) - 1.0).abs() * 100.0,
            if rate < super::VOX_RATE {
                "fast and high"
            } else {
                "slow and low"
            }
        ),
    )
}

/// `not-adpcm` when the screen of a stream finds at least
/// [`MIN_STATE_ERRORS`] state errors and [`STATE_ERROR_SHARE_LIMIT`] of the
/// steps: the bytes are not Dialogic ADPCM. The sentence names the raw
/// reading of the bytes that looks like audio, or says none does.
pub fn not_adpcm(f: &ScreenFigures) -> Option<Problem> {
    let share = f.state_error_share();
    if f.state_errors < MIN_STATE_ERRORS || share < STATE_ERROR_SHARE_LIMIT {
        return None;
    }
    let likely = match f.raw_guess {
        Some(RawGuess {
            format: Some(format),
            gain_db,
        }) => {
            let named = match format.extension() {
                Some(ext) => format!(" (usually named `.{ext}`)"),
                None => String::new(),
            };
            format!(
                "read as {format} the bytes look like audio (prediction gain {gain_db:.1} dB): \
                 probably {format}{named} under a `.vox` name"
            )
        }
        Some(RawGuess { gain_db, .. }) => format!(
            "no raw reading (mu-law, A-law, 8- or 16-bit PCM) looks like audio either (best \
             prediction gain {gain_db:.1} dB): random data or noise"
        ),
        None => "random data or noise".to_string(),
    };
    Some(Problem::new(
        Code::NotAdpcm,
        format!(
            "not Dialogic ADPCM: decoded as ADPCM, {:.1}% of the steps ({} of {}) push the \
             predictor past full scale (\"ADPCM state errors\", which ADPCM encoders do not \
             write); {likely}",
            share * 100.0,
            f.state_errors,
            f.steps
        ),
    ))
}

/// The problems of a decoded VOX stream:
/// - `not-adpcm` (an error, [`not_adpcm`]) when the bytes are not Dialogic
///   ADPCM; then nothing else (a stream that is no ADPCM disagrees with
///   itself anyway);
/// - `vox-at-rails` (a warning) when more than [`RAILS_SHARE_LIMIT`] of the
///   samples sit at the rails in long runs: clipped flat at full scale, or
///   bytes of one value that walk the predictor into a rail without an
///   overshoot (0x00, 0x88);
/// - `decoder-disagreement` (a warning) when the exact and shift-add
///   decodings differ by more than [`DRIFT_LIMIT`] of full scale, or their
///   SNR is below [`DISAGREEMENT_SNR_LIMIT_DB`]. Not reported together with
///   `vox-at-rails`.
pub fn vox_stream_problems(a: &VoxAnalysis) -> Vec<Problem> {
    if let Some(p) = not_adpcm(&a.screen) {
        return vec![p];
    }
    let mut out = Vec::new();
    if a.rails_share > RAILS_SHARE_LIMIT {
        out.push(Problem::new(
            Code::VoxAtRails,
            format!(
                "decoded as Dialogic ADPCM, {:.1}% of the samples sit at full scale in long \
                 stretches (longest {} samples): clipped flat, or bytes that are not ADPCM",
                a.rails_share * 100.0,
                a.longest_rail_run
            ),
        ));
        return out;
    }
    let snr_low = a
        .shift_add_snr_db
        .is_some_and(|s| s < DISAGREEMENT_SNR_LIMIT_DB);
    if a.drift_max > DRIFT_LIMIT || snr_low {
        let snr = match a.shift_add_snr_db {
            Some(s) if s.is_finite() => format!("{s:.1} dB"),
            Some(_) => "identical".to_string(),
            None => "n/a (silence)".to_string(),
        };
        out.push(Problem::new(
            Code::DecoderDisagreement,
            format!(
                "plays differently on Dialogic/FreeSWITCH-style decoders: DC drift up to \
                 {:.1}% of full scale (mean {:+.1}%), SNR between the decoders {snr}",
                a.drift_max * 100.0,
                a.drift_mean * 100.0
            ),
        ));
    }
    out
}

/// `vox-rate-suspect` is reported for a file whose score reaches this: the
/// natural logarithm of its median pitch over the batch's median pitch. A
/// 6000 Hz recording played at 8000 Hz scores ln(4/3) = 0.288 against
/// prompts by the same voice recorded at 8000 Hz; this is half of it (a
/// pitch 15.5% above the batch's). The brightness is reported beside it but
/// left out of the score: it spreads too widely from prompt to prompt
/// (docs/vox-rate-notes.md).
pub const SUSPECT_SCORE: f64 = 0.144;

/// A file's figures count (towards the batch's medians, and for a verdict on
/// it) only with at least this many voiced frames (10 ms apart): half a
/// second of voiced speech.
pub const SUSPECT_MIN_VOICED_FRAMES: u64 = 50;

/// `vox-rate-suspect` is judged only in a batch of at least this many files
/// whose figures count: with fewer, one odd file moves the medians.
pub const SUSPECT_MIN_BATCH: usize = 5;

/// How a file's voice compares with its batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VoxRateScore {
    /// The file's median pitch over the batch's median, Hz/Hz.
    pub f0_ratio: f64,
    /// The file's brightness over the batch's median.
    pub brightness_ratio: f64,
    /// The logarithm of the pitch ratio: what is held against
    /// [`SUSPECT_SCORE`].
    pub score: f64,
}

/// Whether a file's voice figures count for the batch judgement.
fn counts(v: &VoiceFigures) -> Option<(f64, f64)> {
    match (v.f0_hz, v.brightness_hz) {
        (Some(f0), Some(c))
            if v.voiced_frames >= SUSPECT_MIN_VOICED_FRAMES && f0 > 0.0 && c > 0.0 =>
        {
            Some((f0, c))
        }
        _ => None,
    }
}

/// The median of `v` (the mean of the middle two for an even count).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Each file's score against the batch (`None` for a file whose figures do
/// not count, and for every file when fewer than [`SUSPECT_MIN_BATCH`]
/// count). The batch is taken to be prompts by one voice (`check` makes one
/// of each folder's `.vox` files).
pub fn vox_rate_scores(batch: &[Option<VoiceFigures>]) -> Vec<Option<VoxRateScore>> {
    let counted: Vec<Option<(f64, f64)>> =
        batch.iter().map(|v| v.as_ref().and_then(counts)).collect();
    let (f0s, cs): (Vec<f64>, Vec<f64>) = counted.iter().flatten().copied().unzip();
    if f0s.len() < SUSPECT_MIN_BATCH {
        return vec![None; batch.len()];
    }
    let (m_f0, m_c) = (median(f0s), median(cs));
    counted
        .iter()
        .map(|c| {
            c.map(|(f0, c)| {
                let (f0_ratio, brightness_ratio) = (f0 / m_f0, c / m_c);
                VoxRateScore {
                    f0_ratio,
                    brightness_ratio,
                    score: f0_ratio.ln(),
                }
            })
        })
        .collect()
}

/// `vox-rate-suspect` for each file of a batch whose score reaches
/// [`SUSPECT_SCORE`] ([`vox_rate_scores`]), in the batch's order.
pub fn vox_rate_suspects(batch: &[Option<VoiceFigures>]) -> Vec<Option<Problem>> {
    let scores = vox_rate_scores(batch);
    let n = scores.iter().flatten().count();
    scores
        .into_iter()
        .map(|s| {
            let s = s.filter(|s| s.score >= SUSPECT_SCORE)?;
            Some(Problem::new(
                Code::VoxRateSuspect,
                format!(
                    "its voice is {:.0}% higher in pitch than the median of the {n} .vox \
                     files in its folder ({:+.0}% in brightness), as a recording made at \
                     6000 Hz and played at {} Hz would be (33% too fast and high): was it \
                     recorded at 6000 Hz?",
                    (s.f0_ratio - 1.0) * 100.0,
                    (s.brightness_ratio - 1.0) * 100.0,
                    super::VOX_RATE,
                ),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vox::{EncoderKind, analyse_stream, encode};

    #[test]
    fn empty_and_silent_streams_have_no_problems() {
        assert!(vox_stream_problems(&analyse_stream(&[])).is_empty());
        let silent = encode(&vec![0i16; 8000], EncoderKind::Greedy);
        let a = analyse_stream(&silent);
        assert!(vox_stream_problems(&a).is_empty(), "{a:?}");
    }

    #[test]
    fn walks_into_the_rails_are_flagged() {
        // Code 7 forever: the predictor runs to the positive rail and keeps
        // pushing past it, a state error a step.
        let p = vox_stream_problems(&analyse_stream(&[0x77; 4000]));
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].code, Code::NotAdpcm);
        // Code 0 forever: it creeps up by s/8 and sits there, no overshoot.
        let p = vox_stream_problems(&analyse_stream(&[0x00; 4000]));
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].code, Code::VoxAtRails);
    }

    /// A deterministic pseudo-random byte stream.
    fn random_bytes(n: usize) -> Vec<u8> {
        crate::test_fixtures::random_bytes(0x9E37_79B9_7F4A_7C15, n)
    }

    #[test]
    fn random_bytes_are_not_adpcm() {
        let p = vox_stream_problems(&analyse_stream(&random_bytes(48_000)));
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].code, Code::NotAdpcm);
        assert_eq!(p[0].severity, super::super::Severity::Error);
        assert!(p[0].message.contains("random data"), "{}", p[0].message);
    }

    #[test]
    fn the_threshold_needs_both_a_count_and_a_share() {
        let figures = |state_errors, steps| ScreenFigures {
            steps,
            state_errors,
            raw_guess: None,
        };
        // 4 errors in 100 steps: too few to say.
        assert!(not_adpcm(&figures(4, 100)).is_none());
        assert!(not_adpcm(&figures(5, 100)).is_some());
        // 0.1% of the steps: more than real VOX ever had, still not enough.
        assert!(not_adpcm(&figures(100, 100_000)).is_none());
        assert!(not_adpcm(&figures(200, 100_000)).is_some());
    }

    #[test]
    fn the_likely_format_is_named() {
        let f = ScreenFigures {
            steps: 1000,
            state_errors: 300,
            raw_guess: Some(RawGuess {
                format: Some(crate::vox::RawFormat::MuLaw),
                gain_db: 12.0,
            }),
        };
        let p = not_adpcm(&f).unwrap();
        assert!(
            p.message
                .contains("probably raw G.711 mu-law (usually named `.ulaw`)"),
            "{}",
            p.message
        );
    }

    #[test]
    fn universal_stream_agrees_across_decoders() {
        let x: Vec<i16> = (0..16000)
            .map(|i| {
                let t = f64::from(i) / 8000.0;
                let env = (t * 3.0 * std::f64::consts::PI).sin().abs();
                let v = (std::f64::consts::TAU * (200.0 + 300.0 * t) * t).sin() * 0.6
                    + (std::f64::consts::TAU * 1300.0 * t).sin() * 0.3;
                (v * env * 20000.0) as i16
            })
            .collect();
        let a = analyse_stream(&encode(&x, EncoderKind::Universal { paths: 4 }));
        assert!(vox_stream_problems(&a).is_empty(), "{a:?}");
    }

    fn voice(voiced_frames: u64, f0: f64, c: f64) -> Option<VoiceFigures> {
        Some(VoiceFigures {
            voiced_frames,
            f0_hz: Some(f0),
            brightness_hz: Some(c),
        })
    }

    #[test]
    fn the_one_fast_voice_of_a_batch_is_suspect() {
        let mut batch: Vec<_> = (0..6)
            .map(|i| voice(200, 120.0 + f64::from(i) * 3.0, 900.0 + f64::from(i) * 20.0))
            .collect();
        // The third file played 4/3 fast, a silent one, a short one.
        batch[2] = voice(200, 126.0 * 4.0 / 3.0, 940.0 * 4.0 / 3.0);
        batch.push(None);
        batch.push(voice(49, 400.0, 3000.0));
        let p = vox_rate_suspects(&batch);
        let flagged: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some()).collect();
        assert_eq!(flagged, [2]);
        let p = p[2].as_ref().unwrap();
        assert_eq!(p.code, Code::VoxRateSuspect);
        assert!(p.message.contains("of the 6 .vox files"), "{}", p.message);
        let s = vox_rate_scores(&batch)[2].unwrap();
        // Against a median a little above its own voice's: under ln(4/3).
        assert!(s.score > SUSPECT_SCORE && s.score < 0.3, "{s:?}");
    }

    #[test]
    fn a_small_batch_or_an_even_one_is_not_judged() {
        let mut batch: Vec<_> = (0..SUSPECT_MIN_BATCH - 1)
            .map(|_| voice(200, 120.0, 900.0))
            .collect();
        batch.push(voice(200, 160.0, 1200.0));
        batch.push(voice(20, 120.0, 900.0));
        assert!(
            vox_rate_scores(&batch)
                .iter()
                .take(SUSPECT_MIN_BATCH)
                .all(Option::is_some)
        );
        batch.remove(0);
        assert!(vox_rate_suspects(&batch).iter().all(Option::is_none));
        let even: Vec<_> = (0..10).map(|_| voice(200, 150.0, 1000.0)).collect();
        assert!(vox_rate_suspects(&even).iter().all(Option::is_none));
        assert!(vox_rate_suspects(&[]).is_empty());
    }

    #[test]
    fn a_voice_just_under_the_score_is_not_suspect() {
        let mut batch: Vec<_> = (0..8).map(|_| voice(200, 100.0, 1000.0)).collect();
        let r = (SUSPECT_SCORE - 0.001).exp();
        batch[0] = voice(200, 100.0 * r, 1500.0);
        assert!(vox_rate_suspects(&batch)[0].is_none());
        let r = (SUSPECT_SCORE + 0.001).exp();
        batch[0] = voice(200, 100.0 * r, 800.0);
        assert!(vox_rate_suspects(&batch)[0].is_some());
    }
}
