//! The signal warnings: what the figures of [`crate::signal`] mean for a
//! prompt on a phone line.

use super::{Code, Problem};
use crate::billing::{self, Frames, RoundingRule};
use crate::signal::{SignalStats, Thresholds, dbfs, secs_to_frames};

/// `dc-offset` is judged only on recordings at least this long (seconds):
/// the mean of a few milliseconds is part of the waveform, not an offset a
/// high-pass can take out (convert's settles in about 20 ms).
pub const MIN_DC_OFFSET_S: f64 = 0.1;

/// This many [`SignalStats::rail_samples`] (at the rails, in runs of 1 or
/// 2) are clipping; one or two can be a legitimate peak.
pub const MIN_RAIL_SAMPLES: u64 = 3;

/// A [`SignalStats::peak_pileup`] of at least this is clipping. Clean
/// speech and professional prompts stay below 4; clipped speech resampled
/// to 8000 Hz and turned down (no rails left) reaches it on about half the
/// files with 1-5 % of the samples clipped and on 95 % above 5 %
/// (`docs/detectors-clipping.md`).
pub const PILEUP_MIN_SCORE: f64 = 6.5;

/// The signal warnings for `stats`, in a stable order: `silent`, `clipping`,
/// `flat-tops`, `low-level`, `leading-silence`, `trailing-silence`,
/// `dc-offset`.
pub fn signal_problems(stats: &SignalStats, t: &Thresholds) -> Vec<Problem> {
    let mut out = Vec::new();
    let raw = stats.exact;
    if stats.analysed_samples == 0 {
        return out;
    }
    if stats.silent {
        let message = if stats.digital_silence {
            "digital silence throughout: every sample is 0".to_string()
        } else {
            format!(
                "near-silence throughout: peak {} dBFS never reaches the silence threshold of {} dBFS",
                fmt_db(stats.peak_dbfs),
                t.silence_dbfs
            )
        };
        out.push(Problem::new(Code::Silent, message));
    }
    if let Some(message) = clipping(stats, t) {
        out.push(Problem::new(Code::Clipping, message));
    }
    if stats.flat_top_runs > 0 {
        out.push(Problem::new(
            Code::FlatTops,
            format!(
                "{} run(s) of {} or more samples held at the peak of {} dBFS ({} samples, longest run {}): \
                 the recording was clipped and then turned down, or limited hard; it is distorted",
                stats.flat_top_runs,
                t.clip_run,
                fmt_db(stats.peak_dbfs),
                stats.flat_top_samples,
                stats.longest_flat_top
            ),
        ));
    }
    if !stats.silent && dbfs(f64::from(raw.peak)) < t.low_level_dbfs {
        out.push(Problem::new(
            Code::LowLevel,
            format!(
                "peak {} dBFS is below {} dBFS: it will sound faint on a phone line",
                fmt_db(stats.peak_dbfs),
                t.low_level_dbfs
            ),
        ));
    }
    if !stats.silent {
        let limit = secs_to_frames(t.max_edge_silence_s, raw.rate);
        let pad = secs_to_frames(t.trim_pad_s.max(0.0), raw.rate);
        let n = stats.analysed_samples;
        for (code, which, frames) in [
            (Code::LeadingSilence, "leading", raw.leading),
            (Code::TrailingSilence, "trailing", raw.trailing),
        ] {
            if frames <= limit {
                continue;
            }
            let before = billing::billing_units(Frames(n), raw.rate, RoundingRule::StartedPeriod);
            let after = billing::billing_units(
                Frames(n - frames.saturating_sub(pad)),
                raw.rate,
                RoundingRule::StartedPeriod,
            );
            let saving = match (before, after) {
                (Some(b), Some(a)) if a < b => format!(
                    "trimming it to {:.1} s would save {} billing unit(s) per call ({} -> {})",
                    t.trim_pad_s,
                    b.0 - a.0,
                    b.0,
                    a.0
                ),
                (Some(b), _) => format!(
                    "trimming it would not lower the billing units ({} per call)",
                    b.0
                ),
                _ => String::new(),
            };
            out.push(Problem::new(
                code,
                format!(
                    "{which} silence of {:.2} s (more than {} s); {saving}",
                    secs(frames, raw.rate),
                    t.max_edge_silence_s
                ),
            ));
        }
    }
    if stats.dc_offset_pct.abs() > t.max_dc_offset_pct
        && secs(stats.analysed_samples, raw.rate) >= MIN_DC_OFFSET_S
    {
        out.push(Problem::new(
            Code::DcOffset,
            format!(
                "DC offset of {:+.2} % of full scale (more than {} %)",
                stats.dc_offset_pct, t.max_dc_offset_pct
            ),
        ));
    }
    out
}

/// The `clipping` sentence, from the strongest evidence: full-scale runs,
/// samples at the rails, or the pile-up below the peak.
fn clipping(stats: &SignalStats, t: &Thresholds) -> Option<String> {
    let pileup = stats.peak_pileup.filter(|&z| z >= PILEUP_MIN_SCORE);
    if stats.clipped_runs > 0 {
        Some(format!(
            "{} run(s) of {} or more full-scale samples ({} samples, longest run {}): the recording is distorted",
            stats.clipped_runs, t.clip_run, stats.clipped_samples, stats.longest_clip_run
        ))
    } else if stats.rail_samples >= MIN_RAIL_SAMPLES {
        Some(format!(
            "{} samples at the rails in runs of 1 or 2 (full scale, or the largest value mu-law \
             or A-law decodes to): clipped, then resampled or dithered; the recording is distorted",
            stats.rail_samples
        ))
    } else {
        pileup.map(|z| {
            format!(
                "samples pile up just below the peak of {} dBFS (score {z:.1}, clipping from {PILEUP_MIN_SCORE}): \
                 clipped, then resampled or turned down; the recording is distorted",
                fmt_db(stats.peak_dbfs)
            )
        })
    }
}

fn fmt_db(db: Option<f64>) -> String {
    db.map_or_else(|| "-inf".to_string(), |d| format!("{d:.1}"))
}

fn secs(frames: u64, rate: u32) -> f64 {
    billing::duration_secs(Frames(frames), rate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::analyse;
    use crate::signal::tests::{clip_then_resample, clipped_then_scaled, laplacian, sine};

    const RATE: u32 = 8000;

    fn problems(x: &[i16]) -> Vec<Problem> {
        let t = Thresholds::default();
        signal_problems(&analyse(x, RATE, &t), &t)
    }

    fn codes(x: &[i16]) -> Vec<Code> {
        problems(x).iter().map(|p| p.code).collect()
    }

    #[test]
    fn clean_sine_has_no_warnings() {
        assert_eq!(codes(&sine(2.0, 0.5, 440.0)), Vec::<Code>::new());
    }

    #[test]
    fn silence() {
        let p = problems(&vec![0; 8000]);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].code, Code::Silent);
        assert!(p[0].message.contains("digital silence"), "{}", p[0].message);
        // -60 dBFS sine: below the -50 dBFS silence threshold.
        let p = problems(&sine(1.0, 0.001, 440.0));
        assert_eq!(p[0].code, Code::Silent);
        assert!(
            p[0].message.contains("peak -59.9 dBFS") && p[0].message.contains("-50 dBFS"),
            "{}",
            p[0].message
        );
    }

    #[test]
    fn clipping_and_flat_tops() {
        assert_eq!(codes(&clipped_then_scaled(1.0, 32_767)), [Code::Clipping]);
        let p = problems(&clipped_then_scaled(1.0, 29_204)); // -1 dBFS
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].code, Code::FlatTops);
        assert!(
            p[0].message.contains("at the peak of -1.0 dBFS"),
            "{}",
            p[0].message
        );
        // Quieter than the flat-top floor, and a clean sine at -1 dBFS: nothing.
        assert_eq!(codes(&clipped_then_scaled(1.0, 6_000)), Vec::<Code>::new());
        assert_eq!(codes(&sine(1.0, 0.891, 440.0)), Vec::<Code>::new());
        let t = Thresholds {
            clip_run: 5,
            ..Thresholds::default()
        };
        let s = analyse(&[32767, 32767, 32767, 32767], RATE, &t);
        assert!(
            signal_problems(&s, &t)
                .iter()
                .all(|p| p.code != Code::Clipping)
        );
    }

    #[test]
    fn clipping_after_resampling_is_found() {
        // Mostly low frequencies, like speech: clipped stretches span
        // several samples.
        let noise = laplacian(96_000, 30_000.0);
        let smooth: Vec<f64> = noise
            .windows(8)
            .map(|w| w.iter().map(|&v| f64::from(v)).sum::<f64>())
            .collect();
        let top = smooth.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let speech: Vec<i16> = smooth.iter().map(|v| (v / top * 30_000.0) as i16).collect();
        for gain_db in [10.0, 15.0, 20.0] {
            let gain = 10f64.powf(gain_db / 20.0);
            // Resampled after the clipping: few or no full-scale runs left.
            let x = clip_then_resample(&speech, gain, 1.0);
            let p = problems(&x);
            assert!(
                p.iter().any(|p| p.code == Code::Clipping),
                "{gain_db} dB: {p:?}"
            );
            // ... and turned down 6 dB: no rails either, only the pile-up
            // (which, on noise this smooth, needs more than 10 dB).
            if gain_db < 15.0 {
                continue;
            }
            let x = clip_then_resample(&speech, gain, 0.5);
            let s = analyse(&x, RATE, &Thresholds::default());
            assert_eq!((s.rail_samples, s.clipped_runs), (0, 0));
            let p = problems(&x);
            assert!(
                !p.is_empty(),
                "{gain_db} dB turned down: {:?}",
                s.peak_pileup
            );
            assert_eq!(p[0].code, Code::Clipping, "{gain_db} dB turned down");
            assert!(p[0].message.contains("pile up"), "{}", p[0].message);
        }
    }

    #[test]
    fn clean_signals_near_full_scale_are_not_clipping() {
        // Speech-like noise, band-limited, at -1 dBFS; tones at -1 dBFS
        // (a sine piles up near its peak: the tone guard leaves it out).
        let speech = clip_then_resample(&laplacian(48_000, 30_000.0), 1.0, 1.0);
        let peak = speech.iter().map(|v| v.unsigned_abs()).max().unwrap();
        let speech: Vec<i16> = speech
            .iter()
            .map(|&v| (f64::from(v) * 29_204.0 / f64::from(peak)).round() as i16)
            .collect();
        assert_eq!(codes(&speech), Vec::<Code>::new());
        assert_eq!(codes(&sine(2.0, 0.891, 440.0)), Vec::<Code>::new());
        let two_tone: Vec<i16> = sine(2.0, 0.445, 697.0)
            .iter()
            .zip(sine(2.0, 0.445, 1209.0))
            .map(|(a, b)| a + b)
            .collect();
        assert_eq!(codes(&two_tone), Vec::<Code>::new());
    }

    #[test]
    fn samples_at_the_rails_in_no_run() {
        let mut x = sine(1.0, 0.5, 440.0);
        for (i, v) in [32_767, -32_768, 32_767].into_iter().enumerate() {
            x[1000 * i + 7] = v;
        }
        let p = problems(&x);
        assert_eq!(p.len(), 1);
        assert!(
            p[0].message
                .starts_with("3 samples at the rails in runs of 1 or 2"),
            "{}",
            p[0].message
        );
        // Two are not enough; the decoded mu-law maximum is a rail.
        x[2007] = 0;
        assert_eq!(codes(&x), Vec::<Code>::new());
        x[2007] = -32_124;
        x[3007] = 32_124;
        assert_eq!(codes(&x), [Code::Clipping]);
    }

    #[test]
    fn low_level() {
        let quiet = sine(1.0, 0.05, 440.0);
        let p = problems(&quiet);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].code, Code::LowLevel);
        assert!(
            p[0].message.contains("-26.0 dBFS") && p[0].message.contains("-20"),
            "{}",
            p[0].message
        );
        let lenient = Thresholds {
            low_level_dbfs: -30.0,
            ..Thresholds::default()
        };
        assert!(signal_problems(&analyse(&quiet, RATE, &lenient), &lenient).is_empty());
    }

    #[test]
    fn leading_silence_that_costs_a_unit() {
        // 2 s of silence, then 11 s of tone: 13 s = 2 units; trimmed to 11.1 s = 1 unit.
        let mut samples = vec![0i16; 16_000];
        samples.extend(sine(11.0, 0.5, 440.0));
        let w = problems(&samples);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].code, Code::LeadingSilence);
        assert!(w[0].message.contains("2.00 s"), "{}", w[0].message);
        assert!(
            w[0].message
                .contains("save 1 billing unit(s) per call (2 -> 1)"),
            "{}",
            w[0].message
        );
    }

    #[test]
    fn trailing_silence_that_saves_nothing() {
        let mut samples = sine(2.0, 0.5, 440.0);
        samples.extend(vec![3i16; 8000]); // 1 s of near-silence
        let w = problems(&samples);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].code, Code::TrailingSilence);
        assert!(
            w[0].message
                .contains("would not lower the billing units (1 per call)")
        );
    }

    #[test]
    fn short_edges_are_fine() {
        let mut samples = vec![0i16; 3000]; // 0.375 s
        samples.extend(sine(1.0, 0.5, 440.0));
        samples.extend(vec![0i16; 4000]); // exactly 0.5 s: not more than the limit
        assert_eq!(codes(&samples), Vec::<Code>::new());
    }

    #[test]
    fn dc_offset_needs_a_tenth_of_a_second() {
        let short: Vec<i16> = vec![3277; 799]; // 0.0999 s at 8 kHz
        assert!(!codes(&short).contains(&Code::DcOffset));
        let long: Vec<i16> = vec![3277; 800];
        assert!(codes(&long).contains(&Code::DcOffset));
    }

    #[test]
    fn dc_offset_either_way() {
        let samples: Vec<i16> = sine(1.0, 0.5, 440.0).iter().map(|s| s / 2 + 3277).collect();
        assert_eq!(codes(&samples), [Code::DcOffset]);
        let negative: Vec<i16> = samples.iter().map(|s| -s).collect();
        let p = problems(&negative);
        assert_eq!(p[0].code, Code::DcOffset);
        assert!(p[0].message.contains("-10.0"), "{}", p[0].message);
    }

    #[test]
    fn nothing_analysed_nothing_said() {
        assert!(problems(&[]).is_empty());
    }

    proptest::proptest! {
        /// Any samples and any thresholds: no panic.
        #[test]
        fn never_panics(
            samples in proptest::collection::vec(proptest::num::i16::ANY, 0..5_000),
            silence in -200.0f64..10.0,
            edge in -1.0f64..5.0,
            pad in -1.0f64..5.0,
            rate in 0u32..50_000,
        ) {
            let t = Thresholds {
                silence_dbfs: silence,
                max_edge_silence_s: edge,
                trim_pad_s: pad,
                ..Thresholds::default()
            };
            let _ = signal_problems(&analyse(&samples, rate, &t), &t);
        }
    }
}
