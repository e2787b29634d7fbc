//! Content analysis of decoded 16-bit mono samples: level, silence, clipping
//! (full-scale runs, samples at the rails, and the pile-up near the peak that
//! clipping leaves after resampling: [`clipped`]), leading/trailing silence
//! and DC offset. Pure: no I/O.
//!
//! The analysis is streaming: create a [`SignalAnalyser`], [`feed`] it chunks
//! of samples as they are decoded (WAV data, decoded VOX...), then [`finish`]
//! it. Memory stays constant whatever the length of the recording. What the
//! figures mean for a prompt is the spec's ([`crate::spec::signal_problems`]).
//!
//! [`feed`]: SignalAnalyser::feed
//! [`finish`]: SignalAnalyser::finish

mod clipped;
mod envelope;

pub use envelope::{Envelope, MAX_ENVELOPE_BINS};

use crate::billing::{self, Frames, RoundingRule};
use crate::loudness::Meter;
use clipped::Pileup;
use envelope::EnvelopeBuilder;
use serde::Serialize;

/// Full scale of a 16-bit sample, the 0 dBFS reference.
const FULL_SCALE: f64 = 32768.0;

/// Samples summed at a time (keeps the block sums in 32 bits).
const BLOCK: usize = 4096;

/// A sample whose magnitude is at least this is "full scale" (clipped):
/// +32767 and -32767/-32768.
const CLIP_LEVEL: u16 = 32767;

/// Flat tops are warned about only when the peak is at least this loud
/// (dBFS). A recording clipped and then turned down keeps its flat tops at
/// its new peak; a natural signal repeats the exact value of its peak on
/// `clip_run` samples in a row only when that peak is quiet or very low in
/// frequency (at -12 dBFS the curvature at a peak stays under one unit a
/// sample only below about 20 Hz at 8 kHz).
pub const FLAT_TOP_MIN_DBFS: f64 = -12.0;

/// Where the analysis draws its lines (silence, clipping runs) and where the
/// spec draws the warnings' (low level, edge silence, DC offset).
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// A sample whose magnitude stays below this level (dBFS) is silence.
    /// Used for leading/trailing silence and for "silent throughout".
    /// Default -50 dBFS (about 0.3 % of full scale).
    pub silence_dbfs: f64,
    /// A recording whose peak is below this level (dBFS) is "low level".
    /// Default -20 dBFS: faint on a phone line.
    pub low_level_dbfs: f64,
    /// Leading or trailing silence longer than this (seconds) is warned about.
    /// Default 0.5 s.
    pub max_edge_silence_s: f64,
    /// Silence kept at each end when estimating what trimming would save
    /// (seconds). Default 0.1 s.
    pub trim_pad_s: f64,
    /// A run of at least this many consecutive full-scale samples is a
    /// clipped run, and one at exactly a peak below full scale a flat top.
    /// Default 3 (a single full-scale sample can be legitimate).
    pub clip_run: u32,
    /// A mean (DC) offset larger than this, in percent of full scale, is
    /// warned about. Default 2 %.
    pub max_dc_offset_pct: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            silence_dbfs: -50.0,
            low_level_dbfs: -20.0,
            max_edge_silence_s: 0.5,
            trim_pad_s: 0.1,
            clip_run: 3,
            max_dc_offset_pct: 2.0,
        }
    }
}

/// Figures measured on a signal. Levels are rounded to 0.01 dB, times to 1 ms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalStats {
    /// Number of samples analysed.
    pub analysed_samples: u64,
    /// Peak level in dBFS; `None` for digital silence (every sample 0).
    pub peak_dbfs: Option<f64>,
    /// RMS level in dBFS; `None` for digital silence.
    pub rms_dbfs: Option<f64>,
    /// Mean sample value in percent of full scale (signed).
    pub dc_offset_pct: f64,
    /// Runs of at least `clip_run` consecutive full-scale samples.
    pub clipped_runs: u64,
    /// Samples inside those runs.
    pub clipped_samples: u64,
    /// Length of the longest run of full-scale samples (any length).
    pub longest_clip_run: u64,
    /// Samples at the rails in runs of 1 or 2, as clipping leaves them once
    /// resampled or dithered: full scale, or the largest magnitude a
    /// decoded mu-law (32124) or A-law (32256) sample has.
    pub rail_samples: u64,
    /// How far samples pile up just below the peak, as clipping leaves them
    /// once resampled or turned down (a z-score, rounded to 0.01; clean
    /// speech stays below about 5, 0 when nothing rises). Tone-like blocks
    /// are left out. `None` when the peak is below -12 dBFS or the signal
    /// has fewer than 64 distinct magnitudes from 0.48 of the peak up.
    pub peak_pileup: Option<f64>,
    /// When the peak is below full scale and at least
    /// [`FLAT_TOP_MIN_DBFS`]: runs of at least `clip_run` consecutive samples
    /// held at exactly the peak magnitude (flat tops: clipped, then turned
    /// down, or limited hard). Otherwise 0 (at full scale `clipped_runs`
    /// counts them).
    pub flat_top_runs: u64,
    /// Samples inside those runs.
    pub flat_top_samples: u64,
    /// Length of the longest run of samples at the peak magnitude (any
    /// length), under the same condition.
    pub longest_flat_top: u64,
    /// Every sample is exactly 0.
    pub digital_silence: bool,
    /// No sample reaches the silence threshold (includes digital silence).
    pub silent: bool,
    /// Seconds before the first sample at or above the silence threshold.
    pub leading_silence_s: f64,
    /// Seconds after the last sample at or above the silence threshold.
    pub trailing_silence_s: f64,
    /// Billing units of the recording as analysed.
    pub billing_units: Option<u64>,
    /// Billing units if leading and trailing silence were trimmed, keeping
    /// the pad at each end.
    pub trimmed_billing_units: Option<u64>,
    /// Integrated loudness (ITU-R BS.1770-4), LUFS, rounded to 0.01: only
    /// when asked for, and `None` for silence or less than 0.4 s.
    pub loudness_lufs: Option<f64>,
    /// The min/max envelope of the samples, only when asked for
    /// ([`SignalAnalyser::with_envelope`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope: Option<Envelope>,
    /// The exact figures the rounded ones above come from.
    #[serde(skip)]
    pub exact: ExactFigures,
}

/// The integer figures behind [`SignalStats`]: what the spec's rules compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExactFigures {
    /// The sample rate analysed at, Hz.
    pub rate: u32,
    /// The largest sample magnitude (0..=32768).
    pub peak: u16,
    /// Frames before the first sample at or above the silence threshold.
    pub leading: u64,
    /// Frames after the last sample at or above the silence threshold.
    pub trailing: u64,
}

/// A 16-bit sample as the analyser can read it: native or little-endian bytes.
trait Sample: Copy {
    fn value(self) -> i16;
}

impl Sample for i16 {
    #[inline(always)]
    fn value(self) -> i16 {
        self
    }
}

impl Sample for [u8; 2] {
    #[inline(always)]
    fn value(self) -> i16 {
        i16::from_le_bytes(self)
    }
}

/// Streaming analyser: feed it chunks, then finish.
#[derive(Debug)]
pub struct SignalAnalyser {
    rate: u32,
    silence_level: u16,
    /// The magnitude of [`FLAT_TOP_MIN_DBFS`].
    flat_top_level: u16,
    clip_run: u64,
    pad_s: f64,
    count: u64,
    peak: u16,
    sum: i128,
    sum_sq: f64,
    /// Runs of full-scale samples.
    clip: Runs,
    /// Samples at the rails ([`clipped::at_rail`]), and their runs.
    rails: u64,
    rail_runs: Runs,
    /// The amplitude distribution near the peak.
    pileup: Pileup,
    /// Runs at the running peak magnitude (only the final peak's count).
    top: Runs,
    first_loud: Option<u64>,
    last_loud: Option<u64>,
    /// Integrated loudness, when asked for ([`SignalAnalyser::measure_loudness`]).
    meter: Option<Meter>,
    /// The envelope, when asked for ([`SignalAnalyser::with_envelope`]).
    envelope: Option<EnvelopeBuilder>,
}

impl SignalAnalyser {
    /// A fresh analyser for samples at `rate` Hz.
    pub fn new(rate: u32, thresholds: &Thresholds) -> SignalAnalyser {
        SignalAnalyser {
            rate,
            silence_level: level_from_dbfs(thresholds.silence_dbfs),
            flat_top_level: level_from_dbfs(FLAT_TOP_MIN_DBFS),
            clip_run: u64::from(thresholds.clip_run.max(1)),
            pad_s: thresholds.trim_pad_s.max(0.0),
            count: 0,
            peak: 0,
            sum: 0,
            sum_sq: 0.0,
            clip: Runs::default(),
            rails: 0,
            rail_runs: Runs::default(),
            pileup: Pileup::new(),
            top: Runs::default(),
            first_loud: None,
            last_loud: None,
            meter: None,
            envelope: None,
        }
    }

    /// Also compute the min/max envelope ([`SignalStats::envelope`]) at
    /// most `bins` bins wide (1 to [`MAX_ENVELOPE_BINS`]), for a recording
    /// of `expected` samples when its length is known.
    pub fn with_envelope(mut self, bins: usize, expected: Option<u64>) -> SignalAnalyser {
        self.envelope = Some(EnvelopeBuilder::new(bins, expected, self.clip_run));
        self
    }

    /// Also measure the integrated loudness ([`SignalStats::loudness_lufs`]).
    /// It costs several times the rest of the analysis.
    pub fn measure_loudness(mut self) -> SignalAnalyser {
        self.meter = Meter::new(self.rate).ok();
        self
    }

    /// Analyse the next chunk of samples.
    pub fn feed(&mut self, samples: &[i16]) {
        for block in samples.chunks(BLOCK) {
            self.feed_block(block);
        }
    }

    /// Analyse the next chunk of 16-bit little-endian samples straight from
    /// the bytes of a WAV data chunk (no conversion pass).
    pub fn feed_le_bytes(&mut self, samples: &[[u8; 2]]) {
        for block in samples.chunks(BLOCK) {
            self.feed_block(block);
        }
    }

    /// One block of at most [`BLOCK`] samples: the sums in [`block_sums`]; the
    /// per-sample work (clipped runs, first/last loud sample) only where the
    /// block's peak calls for it.
    fn feed_block<S: Sample>(&mut self, block: &[S]) {
        if let Some(meter) = self.meter.as_mut() {
            let mut values = [0i16; BLOCK];
            for (v, s) in values.iter_mut().zip(block) {
                *v = s.value();
            }
            // Mono i16 frames: the meter cannot fail on them.
            let _ = meter.add_i16(&values[..block.len()]);
        }
        let (peak, sum, sum_sq) = block_sums(block);
        if let Some(envelope) = self.envelope.as_mut() {
            envelope.feed(block, peak);
        }
        self.flat_tops(block, peak);
        self.peak = self.peak.max(peak);
        self.sum += i128::from(sum);
        self.sum_sq += sum_sq;
        if peak >= CLIP_LEVEL {
            for s in block {
                self.clip
                    .push(s.value().unsigned_abs() >= CLIP_LEVEL, self.clip_run);
            }
        } else if self.clip.run > 0 && !block.is_empty() {
            self.clip.end(self.clip_run);
        }
        if peak >= clipped::LOWEST_RAIL {
            for s in block {
                let rail = clipped::at_rail(s.value().unsigned_abs());
                self.rails += u64::from(rail);
                self.rail_runs.push(rail, clipped::LONG_RAIL_RUN);
            }
        } else if self.rail_runs.run > 0 && !block.is_empty() {
            self.rail_runs.end(clipped::LONG_RAIL_RUN);
        }
        self.pileup.feed(block);
        if peak >= self.silence_level {
            let level = self.silence_level;
            let loud = |s: &S| s.value().unsigned_abs() >= level;
            if self.first_loud.is_none() {
                self.first_loud = block.iter().position(loud).map(|i| self.count + i as u64);
            }
            self.last_loud = block.iter().rposition(loud).map(|i| self.count + i as u64);
        }
        self.count += block.len() as u64;
    }

    /// Count runs at the running peak magnitude. Only runs at the final
    /// peak matter, and no sample before the peak first appears can equal
    /// it, so the count starts over whenever the peak rises. Blocks quieter
    /// than the peak are not scanned. Full-scale peaks are left to the
    /// clipping runs.
    fn flat_tops<S: Sample>(&mut self, block: &[S], block_peak: u16) {
        if block.is_empty() {
            return;
        }
        if block_peak > self.peak {
            self.top = Runs::default();
        }
        let level = block_peak.max(self.peak);
        if block_peak < level || level >= CLIP_LEVEL || level < self.flat_top_level {
            self.top.end(self.clip_run);
            return;
        }
        // Natural signals touch their peak now and then, one sample at a
        // time, so most stretches of 16 have no sample at the level: those
        // are told by a test without a branch per sample, and only the rest
        // are walked sample by sample.
        let (mut top, min) = (self.top, self.clip_run);
        let at = |s: &S| s.value().unsigned_abs() == level;
        let mut lanes = block.chunks_exact(16);
        for lane in &mut lanes {
            if lane.iter().fold(false, |any, s| any | at(s)) {
                lane.iter().for_each(|s| top.push(at(s), min));
            } else {
                top.push(false, min);
            }
        }
        lanes.remainder().iter().for_each(|s| top.push(at(s), min));
        self.top = top;
    }

    /// The figures for everything fed so far.
    pub fn finish(mut self) -> SignalStats {
        self.clip.end(self.clip_run);
        self.top.end(self.clip_run);
        self.rail_runs.end(clipped::LONG_RAIL_RUN);
        if self.peak >= CLIP_LEVEL || self.peak < self.flat_top_level {
            self.top = Runs::default();
        }
        let n = self.count;
        let (leading, trailing) = match (self.first_loud, self.last_loud) {
            (Some(first), Some(last)) => (first, n - 1 - last),
            _ => (n, n),
        };
        let silent = self.first_loud.is_none();
        let digital_silence = self.peak == 0;
        let rms = if n == 0 {
            0.0
        } else {
            (self.sum_sq / n as f64).sqrt()
        };
        let mean = if n == 0 {
            0.0
        } else {
            self.sum as f64 / n as f64
        };
        let units = |frames: u64| {
            billing::billing_units(Frames(frames), self.rate, RoundingRule::StartedPeriod)
                .map(|u| u.0)
        };
        let trimmed = if silent {
            None
        } else {
            let pad = secs_to_frames(self.pad_s, self.rate);
            units(n - leading.saturating_sub(pad) - trailing.saturating_sub(pad))
        };
        SignalStats {
            analysed_samples: n,
            peak_dbfs: (!digital_silence).then(|| round2(dbfs(f64::from(self.peak)))),
            rms_dbfs: (!digital_silence).then(|| round2(dbfs(rms))),
            dc_offset_pct: round2(mean / FULL_SCALE * 100.0),
            clipped_runs: self.clip.runs,
            clipped_samples: self.clip.samples,
            longest_clip_run: self.clip.longest,
            rail_samples: self.rails - self.rail_runs.samples,
            peak_pileup: self.pileup.finish().map(round2),
            flat_top_runs: self.top.runs,
            flat_top_samples: self.top.samples,
            longest_flat_top: self.top.longest,
            digital_silence,
            silent,
            leading_silence_s: secs(leading, self.rate),
            trailing_silence_s: secs(trailing, self.rate),
            billing_units: units(n),
            trimmed_billing_units: trimmed,
            loudness_lufs: self
                .meter
                .as_ref()
                .and_then(Meter::integrated_lufs)
                .map(round2),
            envelope: self.envelope.map(EnvelopeBuilder::finish),
            exact: ExactFigures {
                rate: self.rate,
                peak: self.peak,
                leading,
                trailing,
            },
        }
    }
}

/// Runs of samples at one level: the one in progress, those of at least the
/// minimum length, the samples in them and the longest of any length.
#[derive(Debug, Clone, Copy, Default)]
struct Runs {
    run: u64,
    runs: u64,
    samples: u64,
    longest: u64,
}

impl Runs {
    /// The next sample: in a run (`inside`) or not; a run of at least `min`
    /// samples counts when it ends.
    #[inline]
    fn push(&mut self, inside: bool, min: u64) {
        if inside {
            self.run += 1;
        } else if self.run > 0 {
            self.end(min);
        }
    }

    /// End the run in progress, counting it if it has at least `min` samples.
    fn end(&mut self, min: u64) {
        self.longest = self.longest.max(self.run);
        if self.run >= min {
            self.runs += 1;
            self.samples += self.run;
        }
        self.run = 0;
    }
}

/// Peak magnitude, sum and sum of squares of one block of at most [`BLOCK`]
/// samples, in a branch-free loop over independent lanes that maps onto SIMD
/// registers even on baseline x86-64: i16 max/min (SSE2 has them, not u16
/// max), i32 sums (|sum| <= BLOCK * 32768 = 2^27) and f32 squares (per-lane
/// sums below 2^39, relative error ~1e-5: far below the 0.01 dB shown). Kept
/// out of line so that the analyser's state does not crowd the registers.
#[inline(never)]
fn block_sums<S: Sample>(block: &[S]) -> (u16, i32, f64) {
    const LANES: usize = 16;
    let mut hi = [0i16; LANES];
    let mut lo = [0i16; LANES];
    let mut sums = [0i32; LANES];
    let mut squares = [0f32; LANES];
    let mut lanes = block.chunks_exact(LANES);
    for c in &mut lanes {
        for i in 0..LANES {
            let s = c[i].value();
            hi[i] = hi[i].max(s);
            lo[i] = lo[i].min(s);
            sums[i] += i32::from(s);
            squares[i] += f32::from(s) * f32::from(s);
        }
    }
    for (i, s) in lanes.remainder().iter().enumerate() {
        let s = s.value();
        hi[i] = hi[i].max(s);
        lo[i] = lo[i].min(s);
        sums[i] += i32::from(s);
        squares[i] += f32::from(s) * f32::from(s);
    }
    let max = hi.iter().copied().max().unwrap_or(0);
    let min = lo.iter().copied().min().unwrap_or(0);
    let peak = max.unsigned_abs().max(min.unsigned_abs());
    let sum: i32 = sums.iter().sum();
    let sum_sq: f64 = squares.iter().map(|&x| f64::from(x)).sum();
    (peak, sum, sum_sq)
}

/// Analyse a whole slice at once (convenience over [`SignalAnalyser`]).
pub fn analyse(samples: &[i16], rate: u32, thresholds: &Thresholds) -> SignalStats {
    let mut a = SignalAnalyser::new(rate, thresholds);
    a.feed(samples);
    a.finish()
}

/// Sample magnitude corresponding to `db` dBFS, rounded up, at least 1.
fn level_from_dbfs(db: f64) -> u16 {
    let level = (FULL_SCALE * 10f64.powf(db / 20.0)).ceil();
    if level.is_nan() || level < 1.0 {
        1
    } else if level > f64::from(u16::MAX) {
        u16::MAX
    } else {
        level as u16
    }
}

/// The level of a sample magnitude, dBFS (`-inf` for 0).
pub(crate) fn dbfs(magnitude: f64) -> f64 {
    20.0 * (magnitude / FULL_SCALE).log10()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Seconds for display, in whole milliseconds ([`billing::duration_secs`]).
fn secs(frames: u64, rate: u32) -> f64 {
    billing::duration_secs(Frames(frames), rate)
}

/// Whole frames in `s` seconds at `rate`, rounded; 0 for a negative or NaN time.
pub(crate) fn secs_to_frames(s: f64, rate: u32) -> u64 {
    let f = (s * f64::from(rate)).round();
    if f.is_nan() || f <= 0.0 { 0 } else { f as u64 }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const RATE: u32 = 8000;

    /// `secs` of a sine at `freq` Hz and `amplitude` (share of full scale), 8 kHz.
    pub(crate) fn sine(secs: f64, amplitude: f64, freq: f64) -> Vec<i16> {
        let n = (secs * f64::from(RATE)) as usize;
        (0..n)
            .map(|i| {
                let x = amplitude * (2.0 * std::f64::consts::PI * freq * i as f64 / 8000.0).sin();
                (x * 32767.0).round() as i16
            })
            .collect()
    }

    /// Noise with a speech-like (Laplacian) amplitude distribution, from a
    /// fixed-seed generator, scaled to `peak`.
    pub(crate) fn laplacian(n: usize, peak: f64) -> Vec<i16> {
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        let mut uniform = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng >> 11) as f64 / (1u64 << 53) as f64
        };
        let raw: Vec<f64> = (0..n)
            .map(|_| {
                let u = uniform().max(1e-12);
                let sign = if uniform() < 0.5 { -1.0 } else { 1.0 };
                sign * -u.ln()
            })
            .collect();
        let max = raw.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        raw.iter()
            .map(|v| (v / max * peak).round() as i16)
            .collect()
    }

    /// `x` times `gain`, clipped at full scale as a 16-bit writer clips,
    /// then halved in rate by a windowed-sinc low-pass (as resampling after
    /// the clipping does), times `after`, clipped again.
    pub(crate) fn clip_then_resample(x: &[i16], gain: f64, after: f64) -> Vec<i16> {
        let clipped: Vec<f64> = x
            .iter()
            .map(|&v| (f64::from(v) * gain).clamp(-32768.0, 32767.0))
            .collect();
        // 31 taps, cut-off at a quarter of the input rate, Hann window.
        let taps: Vec<f64> = (-15i32..=15)
            .map(|k| {
                let t = f64::from(k);
                let sinc = if k == 0 {
                    0.5
                } else {
                    (std::f64::consts::PI * t * 0.5).sin() / (std::f64::consts::PI * t)
                };
                sinc * (0.5 + 0.5 * (std::f64::consts::PI * t / 16.0).cos())
            })
            .collect();
        let sum: f64 = taps.iter().sum();
        clipped
            .windows(taps.len())
            .step_by(2)
            .map(|w| {
                let y: f64 = w.iter().zip(&taps).map(|(a, b)| a * b).sum::<f64>() / sum;
                (y * after).round().clamp(-32768.0, 32767.0) as i16
            })
            .collect()
    }

    /// A sine pushed 6 dB past full scale, clipped, then scaled to `top`:
    /// flat tops at exactly `top`.
    pub(crate) fn clipped_then_scaled(secs: f64, top: i16) -> Vec<i16> {
        sine(secs, 2.0, 440.0)
            .iter()
            .map(|&v| (f64::from(v.clamp(-32767, 32767)) / 32767.0 * f64::from(top)).round() as i16)
            .collect()
    }

    #[test]
    fn clean_sine_figures() {
        let s = analyse(&sine(2.0, 0.5, 440.0), RATE, &Thresholds::default());
        assert_eq!(s.peak_dbfs, Some(-6.02));
        // RMS of a sine is peak - 3.01 dB.
        assert!(
            (s.rms_dbfs.unwrap() - -9.03).abs() < 0.02,
            "{:?}",
            s.rms_dbfs
        );
        assert_eq!(s.dc_offset_pct, 0.0);
        assert_eq!(s.leading_silence_s, 0.0);
        assert_eq!(s.billing_units, Some(1));
    }

    #[test]
    fn digital_and_near_silence() {
        let s = analyse(&vec![0; 8000], RATE, &Thresholds::default());
        assert!(s.digital_silence && s.silent);
        assert_eq!(s.peak_dbfs, None);
        assert_eq!(s.rms_dbfs, None);
        assert_eq!(s.trimmed_billing_units, None);
        // -60 dBFS sine: below the -50 dBFS silence threshold.
        let s = analyse(&sine(1.0, 0.001, 440.0), RATE, &Thresholds::default());
        assert!(s.silent && !s.digital_silence);
    }

    #[test]
    fn clipping_runs_across_chunks() {
        let mut a = SignalAnalyser::new(RATE, &Thresholds::default());
        a.feed(&[0, 1000, 32767, 32767]);
        a.feed(&[32767, 32767, 0, -32768, -32768, -32768, 5]);
        a.feed(&[32767, 0]); // a single full-scale sample is not a run
        let s = a.finish();
        assert_eq!(
            (s.clipped_runs, s.clipped_samples, s.longest_clip_run),
            (2, 7, 4)
        );
        let t = Thresholds {
            clip_run: 5,
            ..Thresholds::default()
        };
        let s = analyse(&[32767, 32767, 32767, 32767], RATE, &t);
        assert_eq!(s.clipped_runs, 0);
    }

    #[test]
    fn flat_tops_below_full_scale() {
        let x = clipped_then_scaled(1.0, 29_204); // -1 dBFS
        let s = analyse(&x, RATE, &Thresholds::default());
        assert_eq!(s.clipped_runs, 0);
        assert!(s.flat_top_runs > 800, "{s:?}"); // two a cycle, 440 cycles
        assert!(s.longest_flat_top >= 3);
        // Fed in chunks that split runs and blocks: the same figures.
        let mut a = SignalAnalyser::new(RATE, &Thresholds::default());
        for chunk in x.chunks(BLOCK - 5) {
            for part in chunk.chunks(7) {
                a.feed(part);
            }
        }
        let chunked = a.finish();
        assert_eq!(
            (
                chunked.flat_top_runs,
                chunked.flat_top_samples,
                chunked.longest_flat_top
            ),
            (s.flat_top_runs, s.flat_top_samples, s.longest_flat_top)
        );
    }

    #[test]
    fn flat_tops_count_only_at_the_final_peak() {
        // Runs at 20 000, then one sample louder: the runs no longer count.
        let mut x = vec![20_000, 20_000, 20_000, 0, 20_000, 20_000, 20_000, 0];
        x.push(20_001);
        let s = analyse(&x, RATE, &Thresholds::default());
        assert_eq!((s.flat_top_runs, s.longest_flat_top), (0, 1));
        // Runs at the final peak, in blocks apart, both signs.
        let mut y = vec![0i16; 3 * BLOCK];
        y[10..13].copy_from_slice(&[-20_000; 3]);
        y[2 * BLOCK - 1..2 * BLOCK + 3].copy_from_slice(&[20_000; 4]);
        y[2 * BLOCK + 100] = 19_000;
        let s = analyse(&y, RATE, &Thresholds::default());
        assert_eq!(
            (s.flat_top_runs, s.flat_top_samples, s.longest_flat_top),
            (2, 7, 4)
        );
    }

    #[test]
    fn no_flat_tops_on_clean_quiet_or_full_scale_signals() {
        let t = Thresholds::default();
        // A clean sine at -1 dBFS never repeats its peak.
        assert_eq!(analyse(&sine(1.0, 0.891, 440.0), RATE, &t).flat_top_runs, 0);
        // Flat tops quieter than FLAT_TOP_MIN_DBFS are not counted.
        let s = analyse(&clipped_then_scaled(1.0, 6_000), RATE, &t); // -14.7 dBFS
        assert_eq!(s.flat_top_runs, 0);
        // Digital silence has no flat tops.
        assert_eq!(analyse(&[0; 9000], RATE, &t).flat_top_runs, 0);
        // At full scale the runs are clipping, not flat tops.
        let s = analyse(&clipped_then_scaled(1.0, 32_767), RATE, &t);
        assert_eq!(s.flat_top_runs, 0);
        assert!(s.clipped_runs > 0);
    }

    #[test]
    fn run_at_end_counts() {
        let s = analyse(&[0, -32767, -32767, -32767], RATE, &Thresholds::default());
        assert_eq!(s.clipped_runs, 1);
        assert_eq!(s.longest_clip_run, 3);
    }

    #[test]
    fn edge_silence_and_what_trimming_would_bill() {
        // 2 s of silence, then 11 s of tone: 13 s = 2 units; trimmed to 11.1 s = 1 unit.
        let mut samples = vec![0i16; 16_000];
        samples.extend(sine(11.0, 0.5, 440.0));
        let s = analyse(&samples, RATE, &Thresholds::default());
        assert_eq!(s.leading_silence_s, 2.0);
        assert_eq!(s.billing_units, Some(2));
        assert_eq!(s.trimmed_billing_units, Some(1));
        // The tone starts at a zero crossing: one more silent sample.
        assert_eq!((s.exact.leading, s.exact.trailing), (16_001, 0));
    }

    #[test]
    fn dc_offset() {
        let samples: Vec<i16> = sine(1.0, 0.5, 440.0).iter().map(|s| s / 2 + 3277).collect();
        let s = analyse(&samples, RATE, &Thresholds::default());
        assert!((s.dc_offset_pct - 10.0).abs() < 0.05, "{}", s.dc_offset_pct);
    }

    #[test]
    fn chunked_equals_whole() {
        let mut samples = vec![0i16; 5000];
        samples.extend(sine(3.0, 0.9, 300.0));
        samples.extend([32767; 10]);
        let whole = analyse(&samples, RATE, &Thresholds::default());
        let mut a = SignalAnalyser::new(RATE, &Thresholds::default());
        for chunk in samples.chunks(777) {
            a.feed(chunk);
        }
        assert_eq!(a.finish(), whole);
        let bytes: Vec<[u8; 2]> = samples.iter().map(|s| s.to_le_bytes()).collect();
        let mut a = SignalAnalyser::new(RATE, &Thresholds::default());
        for chunk in bytes.chunks(1001) {
            a.feed_le_bytes(chunk);
        }
        assert_eq!(a.finish(), whole);
    }

    #[test]
    fn empty_input_is_harmless() {
        let s = analyse(&[], RATE, &Thresholds::default());
        assert_eq!(s.analysed_samples, 0);
        assert_eq!(s.billing_units, None);
        let s = analyse(&[100], 0, &Thresholds::default());
        assert_eq!(s.billing_units, None);
    }

    #[test]
    fn odd_thresholds_do_not_panic() {
        let t = Thresholds {
            silence_dbfs: f64::NAN,
            low_level_dbfs: 10.0,
            max_edge_silence_s: -1.0,
            trim_pad_s: f64::INFINITY,
            clip_run: 0,
            max_dc_offset_pct: -1.0,
        };
        let _ = analyse(&sine(0.5, 0.5, 440.0), RATE, &t);
        assert_eq!(level_from_dbfs(20.0), u16::MAX);
        assert_eq!(level_from_dbfs(-200.0), 1);
    }

    proptest::proptest! {
        /// Any samples, any chunking, any rate: no panic, and the same figures
        /// as one call (RMS within rounding: the f32 lanes follow the blocks).
        #[test]
        fn chunking_does_not_matter(
            samples in proptest::collection::vec(proptest::num::i16::ANY, 0..20_000),
            split in 1usize..5000,
            rate in 0u32..50_000,
        ) {
            let t = Thresholds::default();
            let whole = analyse(&samples, rate, &t);
            let mut a = SignalAnalyser::new(rate, &t);
            for c in samples.chunks(split) {
                a.feed(c);
            }
            let parts = a.finish();
            let close = match (whole.rms_dbfs, parts.rms_dbfs) {
                (Some(x), Some(y)) => (x - y).abs() <= 0.011,
                (x, y) => x == y,
            };
            proptest::prop_assert!(close);
            proptest::prop_assert_eq!(
                SignalStats { rms_dbfs: None, ..whole },
                SignalStats { rms_dbfs: None, ..parts }
            );
        }
    }

    #[test]
    fn loudness_only_when_asked() {
        // A 1 kHz sine at -23 dBFS, mono: -26.01 LUFS (BS.1770; EBU Tech
        // 3341 case 1 is the stereo one at -23).
        let amp = 32768.0 * 10f64.powf(-23.0 / 20.0);
        let x: Vec<i16> = (0..80_000)
            .map(|i| {
                (amp * (2.0 * std::f64::consts::PI * 1000.0 * f64::from(i) / 8000.0).sin()) as i16
            })
            .collect();
        let t = Thresholds::default();
        assert_eq!(analyse(&x, 8000, &t).loudness_lufs, None);
        let mut a = SignalAnalyser::new(8000, &t).measure_loudness();
        for part in x.chunks(1000) {
            a.feed(part);
        }
        let l = a.finish().loudness_lufs.unwrap();
        assert!((l + 26.01).abs() < 0.05, "{l}");
    }
}
