//! Two figures of a recorded voice that rise together when a recording plays
//! faster than it was recorded: its median pitch (F0) and its brightness.
//! A VOX recorded at 6000 Hz and played at 8000 Hz has its pitch 4/3 higher
//! than the same voice recorded at 8000 Hz (its brightness rises less: the
//! 6 kHz recording has nothing above 3 kHz). What the figures mean for a batch of
//! prompts is the spec's ([`crate::spec::vox_rate_suspects`]); a voice
//! alone cannot tell (a high voice is not a fast one). Pure: samples in,
//! figures out.
//!
//! The analysis is streaming, like [`crate::signal::SignalAnalyser`]:
//! [`VoiceAnalyser::feed`] it chunks of samples, then
//! [`VoiceAnalyser::finish`] it. Memory stays constant (about 70 KiB)
//! whatever the length of the recording.
//!
//! How (docs/vox-rate-notes.md has the measurements behind it):
//! - the signal is cut into 10 ms blocks; a block's level is its energy
//!   without its mean;
//! - pitch: the signal, low-passed and decimated to about 2000 Hz, in 40 ms
//!   frames every 10 ms; a frame is voiced when its normalised
//!   cross-correlation peaks above [`VOICED`] at a lag of 60 to 500 Hz, and
//!   its F0 is that of the shortest lag whose peak reaches
//!   0.9 of the highest. Only frames within [`PITCH_RANGE_DB`] of the
//!   loudest count: the median F0 of those is [`VoiceFigures::f0_hz`];
//! - brightness: the RMS frequency of the blocks within
//!   [`BRIGHTNESS_RANGE_DB`] of the loudest, from the energy of the
//!   sample-to-sample differences against the energy of the samples (for a
//!   tone at f Hz, exactly f). It rises with the formants and the
//!   fricatives, as a spectral centroid does, for a fraction of the cost;
//!   it spreads too widely from prompt to prompt to decide on.

use crate::dot::dot;
use serde::Serialize;

/// A frame is voiced when its normalised cross-correlation peaks above this.
pub const VOICED: f64 = 0.5;

/// Pitch frames quieter than the loudest frame by more than this many dB
/// are left out (breaths, noise, reverberation tails).
pub const PITCH_RANGE_DB: i32 = 30;

/// Blocks quieter than the loudest block by more than this many dB are left
/// out of the brightness.
pub const BRIGHTNESS_RANGE_DB: i32 = 40;

/// The lowest and highest pitch searched, Hz.
pub const F0_RANGE_HZ: (f64, f64) = (60.0, 500.0);

/// The pitch analysis runs on the signal decimated to about this rate (Hz):
/// the harmonics that carry the pitch are below its Nyquist frequency.
const PITCH_RATE: f64 = 2000.0;

/// Blocks per second (10 ms blocks).
const BLOCKS_PER_S: f64 = 100.0;

/// Blocks per pitch frame (40 ms frames, one every block).
const FRAME_BLOCKS: usize = 4;

/// Decimation filter taps per unit of the decimation factor (32 at 8000 Hz).
const TAPS_PER_FACTOR: usize = 8;

/// Level histogram bins, 1 dB each, from 0 dB (a mean square of one unit
/// squared) up; a 16-bit signal peaks at 90.3 dB.
const LEVEL_BINS: usize = 100;

/// Pitch histogram bins per octave, from [`F0_FLOOR_HZ`]: 1.5% apart.
const F0_BINS_PER_OCTAVE: f64 = 48.0;

/// The bottom of the pitch histogram, Hz (below [`F0_RANGE_HZ`], so that the
/// whole range fits with its interpolation).
const F0_FLOOR_HZ: f64 = 50.0;

/// Pitch histogram bins: 50 to 600 Hz.
const F0_BINS: usize = 173;

/// A periodic signal correlates as well at twice its period, and on the
/// coarse lag grid of the decimated signal the true period's peak can come
/// out a little lower than its multiple's: the shortest lag whose peak
/// reaches this share of the highest peak is the period.
const FIRST_PEAK_SHARE: f64 = 0.9;

/// What the voice analysis measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VoiceFigures {
    /// Voiced 40 ms frames (one every 10 ms) within [`PITCH_RANGE_DB`] of
    /// the loudest frame: what the median pitch is taken over.
    pub voiced_frames: u64,
    /// The median pitch of those frames, Hz (1.5% steps); `None` without
    /// any.
    pub f0_hz: Option<f64>,
    /// The RMS frequency of the blocks within [`BRIGHTNESS_RANGE_DB`] of
    /// the loudest, Hz; `None` for digital silence.
    pub brightness_hz: Option<f64>,
}

/// Streaming voice analyser: feed it chunks of samples, then finish.
#[derive(Debug)]
pub struct VoiceAnalyser {
    rate: f64,
    /// Full-rate samples per block.
    block: usize,
    /// Decimation factor (full-rate samples per pitch sample).
    factor: usize,
    /// Decimated samples per block.
    pitch_block: usize,
    /// The decimation filter (low-pass, unity gain at DC).
    taps: Vec<f32>,
    /// Lags searched, in decimated samples.
    lags: (usize, usize),
    /// Full-rate samples not yet in a block, behind `taps.len() - 1` older
    /// ones (the filter's history).
    x: Vec<f32>,
    /// The sample before the next block (for its first difference).
    prev: Option<f32>,
    /// Decimated samples from the start of the next pitch frame on.
    y: Vec<f32>,
    /// The block index of `y[0]`'s block.
    y_block: u64,
    /// Blocks done.
    blocks: u64,
    /// Pitch frames done (the next ends at block `frames + FRAME_BLOCKS - 1`).
    frames: u64,
    /// Energies (without their mean) of the blocks from `y_block` on.
    energies: Vec<f64>,
    /// Each block's products `y[n] * y[n + lag]` summed over it, for the
    /// frames that needed them: `(block, sums)`, the last few.
    products: Vec<(u64, Vec<f32>)>,
    /// The loudest block and frame so far (level bins).
    loudest_block: usize,
    loudest_frame: usize,
    /// Per block level: the sums of squared differences and of energies.
    brightness: [(f64, f64); LEVEL_BINS],
    /// Voiced frames per frame level and pitch bin (allocated at the first).
    pitch: Vec<u32>,
    /// Scratch: a frame's products summed per lag, and their normalised
    /// correlations (kept to spare an allocation per frame).
    sums: Vec<f32>,
    r: Vec<f64>,
}

impl VoiceAnalyser {
    /// A fresh analyser for samples at `rate` Hz (at least 1).
    pub fn new(rate: u32) -> VoiceAnalyser {
        let rate = f64::from(rate.max(1));
        let factor = ((rate / PITCH_RATE).round() as usize).max(1);
        let pitch_rate = rate / factor as f64;
        let pitch_block = ((pitch_rate / BLOCKS_PER_S).round() as usize).max(1);
        let taps = lowpass(TAPS_PER_FACTOR * factor, 0.35 / factor as f64);
        // One lag more on each side: a period is a peak between two lags.
        let lag_min = ((pitch_rate / F0_RANGE_HZ.1).floor() as usize)
            .saturating_sub(1)
            .max(1);
        let lag_max = ((pitch_rate / F0_RANGE_HZ.0).ceil() as usize + 1).max(lag_min + 2);
        VoiceAnalyser {
            rate,
            block: pitch_block * factor,
            factor,
            pitch_block,
            x: vec![0.0; taps.len() - 1],
            taps,
            lags: (lag_min, lag_max),
            prev: None,
            y: Vec::new(),
            y_block: 0,
            blocks: 0,
            frames: 0,
            energies: Vec::new(),
            products: Vec::new(),
            loudest_block: 0,
            loudest_frame: 0,
            brightness: [(0.0, 0.0); LEVEL_BINS],
            pitch: Vec::new(),
            sums: Vec::new(),
            r: Vec::new(),
        }
    }

    /// The rate the pitch analysis runs at, Hz.
    fn pitch_rate(&self) -> f64 {
        self.rate / self.factor as f64
    }

    /// Analyse the next chunk of samples.
    pub fn feed(&mut self, samples: &[i16]) {
        self.x.extend(samples.iter().map(|&s| f32::from(s)));
        let history = self.taps.len() - 1;
        let mut at = history;
        while self.x.len() - at >= self.block {
            self.block_at(at);
            at += self.block;
        }
        self.x.drain(..at - history);
    }

    /// The block of `x` starting at `at`: its level and brightness sums, its
    /// decimated samples, and the pitch frames they complete.
    fn block_at(&mut self, at: usize) {
        let x = &self.x[at..at + self.block];
        let prev = self.prev.unwrap_or(x[0]);
        let (sum, squares, diffs) = block_sums(x, prev);
        self.prev = Some(x[x.len() - 1]);
        let n = x.len() as f64;
        let energy = (squares - sum * sum / n).max(0.0);
        let bin = level_bin(energy / n);
        self.loudest_block = self.loudest_block.max(bin);
        let b = &mut self.brightness[bin];
        b.0 += diffs;
        b.1 += energy;
        let history = self.taps.len() - 1;
        for k in 0..self.pitch_block {
            let end = at + (k + 1) * self.factor;
            self.y
                .push(dot(&self.taps, &self.x[end - history - 1..end]));
        }
        self.energies.push(energy);
        self.blocks += 1;
        // A frame needs its lags' samples past its end: whole blocks of them.
        let ahead = self.lags.1.div_ceil(self.pitch_block) as u64;
        while self.frames + FRAME_BLOCKS as u64 + ahead <= self.blocks {
            self.frame();
        }
    }

    /// The next pitch frame: blocks `frames..frames + FRAME_BLOCKS`.
    fn frame(&mut self) {
        let first = self.frames;
        self.frames += 1;
        let skip = (first - self.y_block) as usize;
        let energy: f64 = self.energies[skip..skip + FRAME_BLOCKS].iter().sum();
        let bin = level_bin(energy / (FRAME_BLOCKS * self.block) as f64);
        self.loudest_frame = self.loudest_frame.max(bin);
        // A frame this far below the loudest so far can never count.
        if bin + (PITCH_RANGE_DB as usize) >= self.loudest_frame
            && let Some(f0) = self.frame_f0(first)
        {
            if self.pitch.is_empty() {
                self.pitch = vec![0; LEVEL_BINS * F0_BINS];
            }
            self.pitch[bin * F0_BINS + f0_bin(f0)] += 1;
        }
        // Keep the samples from the next frame's first block on.
        let done = (self.frames - self.y_block) as usize;
        if done >= 64 {
            self.y.drain(..done * self.pitch_block);
            self.energies.drain(..done);
            self.y_block = self.frames;
        }
    }

    /// The F0 of the frame whose first block is `first`, if it is voiced.
    fn frame_f0(&mut self, first: u64) -> Option<f64> {
        let (lag_min, lag_max) = self.lags;
        let lags = lag_max - lag_min + 1;
        let mut sums = std::mem::take(&mut self.sums);
        sums.clear();
        sums.resize(lags, 0.0);
        for block in first..first + FRAME_BLOCKS as u64 {
            let products = self.products(block);
            for (s, p) in sums.iter_mut().zip(products) {
                *s += p;
            }
        }
        let f0 = self.frame_f0_from(first, &sums);
        self.sums = sums;
        f0
    }

    /// [`Self::frame_f0`] from the frame's products summed for every lag.
    fn frame_f0_from(&mut self, first: u64, sums: &[f32]) -> Option<f64> {
        let mut r = std::mem::take(&mut self.r);
        let f0 = self.frame_f0_into(first, sums, &mut r);
        self.r = r;
        f0
    }

    /// [`Self::frame_f0_from`] with `r` to hold the normalised correlations.
    fn frame_f0_into(&self, first: u64, sums: &[f32], r: &mut Vec<f64>) -> Option<f64> {
        let (lag_min, _) = self.lags;
        let lags = sums.len();
        let d = self.pitch_block;
        let start = (first - self.y_block) as usize * d;
        let len = FRAME_BLOCKS * d;
        let e0 = f64::from(dot(
            &self.y[start..start + len],
            &self.y[start..start + len],
        ));
        if e0 <= 0.0 {
            return None;
        }
        // The energy of the window `lag` samples on, slid one lag at a time.
        let mut e_lag = f64::from(dot(
            &self.y[start + lag_min..start + lag_min + len],
            &self.y[start + lag_min..start + lag_min + len],
        ));
        r.clear();
        for (i, &s) in sums.iter().enumerate() {
            if i > 0 {
                let lag = lag_min + i;
                let out = f64::from(self.y[start + lag - 1]);
                let into = f64::from(self.y[start + lag - 1 + len]);
                e_lag = (e_lag - out * out + into * into).max(0.0);
            }
            let norm = (e0 * e_lag).sqrt();
            r.push(if norm > 0.0 { f64::from(s) / norm } else { 0.0 });
        }
        // Each local peak inside the range (a slope running out of it is no
        // period), refined by a parabola through it and its neighbours:
        // (lag offset, height).
        let peak = |i: usize| -> (f64, f64) {
            let (a, b, c) = (r[i - 1], r[i], r[i + 1]);
            let den = a - 2.0 * b + c;
            if den < 0.0 {
                let d = (0.5 * (a - c) / den).clamp(-0.5, 0.5);
                (d, b - 0.25 * (a - c) * d)
            } else {
                (0.0, b)
            }
        };
        let peaks = || {
            (1..lags.saturating_sub(1))
                .filter(|&i| r[i] > r[i - 1] && r[i] >= r[i + 1])
                .map(|i| (i, peak(i)))
        };
        let highest = peaks().map(|p| p.1.1).fold(f64::NEG_INFINITY, f64::max);
        if highest <= VOICED {
            return None;
        }
        let (best, (offset, _)) =
            peaks().find(|p| p.1.1 >= FIRST_PEAK_SHARE * highest && p.1.1 > VOICED)?;
        let f0 = self.pitch_rate() / ((lag_min + best) as f64 + offset);
        (F0_RANGE_HZ.0..=F0_RANGE_HZ.1).contains(&f0).then_some(f0)
    }

    /// The sums over `block` of `y[n] * y[n + lag]` for every lag, computed
    /// once (a block is in four frames).
    fn products(&mut self, block: u64) -> &[f32] {
        let at = match self.products.iter().position(|(b, _)| *b == block) {
            Some(at) => at,
            None => {
                let (lag_min, lag_max) = self.lags;
                let d = self.pitch_block;
                let start = (block - self.y_block) as usize * d;
                let y = &self.y;
                // The oldest entry's buffer is reused: a block is in
                // FRAME_BLOCKS frames, all done before a newer block's.
                let at = if self.products.len() < FRAME_BLOCKS {
                    self.products
                        .push((block, Vec::with_capacity(lag_max - lag_min + 1)));
                    self.products.len() - 1
                } else {
                    let oldest = (0..self.products.len())
                        .min_by_key(|&i| self.products[i].0)
                        .unwrap_or(0);
                    self.products[oldest].0 = block;
                    oldest
                };
                let sums = &mut self.products[at].1;
                sums.clear();
                sums.extend(
                    (lag_min..=lag_max)
                        .map(|lag| dot(&y[start..start + d], &y[start + lag..start + lag + d])),
                );
                at
            }
        };
        &self.products[at].1
    }

    /// The figures for everything fed so far (a last partial block or frame
    /// is left out).
    pub fn finish(self) -> VoiceFigures {
        let (mut diffs, mut energy) = (0.0, 0.0);
        let floor = self
            .loudest_block
            .saturating_sub(BRIGHTNESS_RANGE_DB as usize);
        for &(d, e) in &self.brightness[floor..] {
            diffs += d;
            energy += e;
        }
        // For a tone at f: diffs / energy = 4 sin^2(pi f / rate).
        let brightness_hz = (energy > 0.0).then(|| {
            self.rate / std::f64::consts::PI * ((diffs / energy).sqrt() / 2.0).min(1.0).asin()
        });
        let mut counts = [0u64; F0_BINS];
        if !self.pitch.is_empty() {
            let floor = self.loudest_frame.saturating_sub(PITCH_RANGE_DB as usize);
            for level in self.pitch.chunks_exact(F0_BINS).skip(floor) {
                for (c, &n) in counts.iter_mut().zip(level) {
                    *c += u64::from(n);
                }
            }
        }
        let voiced_frames: u64 = counts.iter().sum();
        let f0_hz = (voiced_frames > 0).then(|| {
            // The lower median.
            let half = voiced_frames.div_ceil(2);
            let mut seen = 0;
            let bin = counts
                .iter()
                .position(|&c| {
                    seen += c;
                    seen >= half
                })
                .unwrap_or(0);
            round2(F0_FLOOR_HZ * (bin as f64 / F0_BINS_PER_OCTAVE).exp2())
        });
        VoiceFigures {
            voiced_frames,
            f0_hz,
            brightness_hz: brightness_hz.map(round2),
        }
    }
}

/// Analyse a whole slice at once (convenience over [`VoiceAnalyser`]).
pub fn analyse(samples: &[i16], rate: u32) -> VoiceFigures {
    let mut a = VoiceAnalyser::new(rate);
    a.feed(samples);
    a.finish()
}

/// A windowed-sinc low-pass of `n` taps cutting at `cutoff` (a share of the
/// sample rate), Hamming window, unity gain at DC.
fn lowpass(n: usize, cutoff: f64) -> Vec<f32> {
    let mid = (n as f64 - 1.0) / 2.0;
    let h: Vec<f64> = (0..n)
        .map(|i| {
            let t = i as f64 - mid;
            let sinc = if t == 0.0 {
                2.0 * cutoff
            } else {
                (2.0 * std::f64::consts::PI * cutoff * t).sin() / (std::f64::consts::PI * t)
            };
            let window = 0.54
                - 0.46 * (2.0 * std::f64::consts::PI * i as f64 / (n as f64 - 1.0).max(1.0)).cos();
            sinc * window
        })
        .collect();
    let gain: f64 = h.iter().sum();
    h.iter().map(|&v| (v / gain) as f32).collect()
}

/// The level bin of a mean square: whole dB, 0 for below one unit squared.
fn level_bin(mean_square: f64) -> usize {
    if mean_square > 1.0 {
        ((10.0 * mean_square.log10()) as usize).min(LEVEL_BINS - 1)
    } else {
        0
    }
}

/// The pitch histogram bin of `f0` Hz.
fn f0_bin(f0: f64) -> usize {
    let bin = (F0_BINS_PER_OCTAVE * (f0 / F0_FLOOR_HZ).log2()).round();
    (bin.max(0.0) as usize).min(F0_BINS - 1)
}

/// Sum, sum of squares and sum of squared first differences of a block
/// whose previous sample is `prev`, in lanes that vectorise.
fn block_sums(x: &[f32], prev: f32) -> (f64, f64, f64) {
    const LANES: usize = 8;
    let (mut sum, mut squares, mut diffs) = ([0f32; LANES], [0f32; LANES], [0f32; LANES]);
    let mut before = prev;
    let mut chunks = x.chunks_exact(LANES);
    for c in &mut chunks {
        let mut shifted = [0f32; LANES];
        shifted[0] = before;
        shifted[1..].copy_from_slice(&c[..LANES - 1]);
        for i in 0..LANES {
            sum[i] += c[i];
            squares[i] += c[i] * c[i];
            let d = c[i] - shifted[i];
            diffs[i] += d * d;
        }
        before = c[LANES - 1];
    }
    let (mut s, mut q, mut d) = (0f64, 0f64, 0f64);
    for &v in chunks.remainder() {
        s += f64::from(v);
        q += f64::from(v * v);
        d += f64::from((v - before) * (v - before));
        before = v;
    }
    let total = |lanes: [f32; LANES]| lanes.iter().map(|&v| f64::from(v)).sum::<f64>();
    (s + total(sum), q + total(squares), d + total(diffs))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::TAU;

    /// `secs` of a pulse-train-like voiced sound at `f0` Hz (harmonics
    /// falling 6 dB an octave up to 3400 Hz), at `rate`.
    fn voiced(secs: f64, f0: f64, rate: u32) -> Vec<i16> {
        let n = (secs * f64::from(rate)) as usize;
        let harmonics = (3400.0 / f0) as usize;
        (0..n)
            .map(|i| {
                let t = i as f64 / f64::from(rate);
                let v: f64 = (1..=harmonics)
                    .map(|k| (TAU * f0 * k as f64 * t).sin() / k as f64)
                    .sum();
                (v * 6000.0) as i16
            })
            .collect()
    }

    fn tone(secs: f64, f: f64, rate: u32) -> Vec<i16> {
        let n = (secs * f64::from(rate)) as usize;
        (0..n)
            .map(|i| ((TAU * f * i as f64 / f64::from(rate)).sin() * 10_000.0) as i16)
            .collect()
    }

    #[test]
    fn voiced_sound_gives_its_f0() {
        for (f0, rate) in [(100.0, 8000), (130.0, 8000), (220.0, 8000), (310.0, 6000)] {
            let v = analyse(&voiced(1.0, f0, rate), rate);
            let got = v.f0_hz.unwrap();
            assert!((got / f0 - 1.0).abs() < 0.015, "{f0} Hz at {rate}: {v:?}");
            // 1 s: 97 frames of 40 ms every 10 ms, less those waiting for
            // lags past the end.
            assert!(v.voiced_frames >= 90, "{v:?}");
        }
    }

    #[test]
    fn tones_at_f_and_four_thirds_f_give_brightness_in_that_ratio() {
        for f in [300.0, 600.0, 1200.0, 2400.0] {
            let low = analyse(&tone(1.0, f, 8000), 8000).brightness_hz.unwrap();
            let high = analyse(&tone(1.0, f * 4.0 / 3.0, 8000), 8000)
                .brightness_hz
                .unwrap();
            assert!((low / f - 1.0).abs() < 0.01, "{f}: {low}");
            assert!((high / low - 4.0 / 3.0).abs() < 0.01, "{f}: {low} {high}");
        }
    }

    #[test]
    fn a_voice_played_four_thirds_fast_rises_four_thirds() {
        // The same samples read at 6000 Hz and at 8000 Hz.
        let x = voiced(2.0, 120.0, 6000);
        let at6 = analyse(&x, 6000);
        let at8 = analyse(&x, 8000);
        let ratio = |a: Option<f64>, b: Option<f64>| b.unwrap() / a.unwrap();
        assert!(
            (ratio(at6.f0_hz, at8.f0_hz) - 4.0 / 3.0).abs() < 0.03,
            "{at6:?} {at8:?}"
        );
        assert!(
            (ratio(at6.brightness_hz, at8.brightness_hz) - 4.0 / 3.0).abs() < 0.01,
            "{at6:?} {at8:?}"
        );
    }

    #[test]
    fn noise_and_silence_are_not_voiced() {
        let mut seed = 1u32;
        let noise: Vec<i16> = (0..16_000)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 20) as i16 - 2048
            })
            .collect();
        let v = analyse(&noise, 8000);
        assert!(v.voiced_frames < 10, "{v:?}");
        let v = analyse(&[0; 16_000], 8000);
        assert_eq!(
            v,
            VoiceFigures {
                voiced_frames: 0,
                f0_hz: None,
                brightness_hz: None
            }
        );
        assert_eq!(analyse(&[], 8000).f0_hz, None);
    }

    #[test]
    fn quiet_frames_do_not_count() {
        // 1 s at 200 Hz, then 1 s at 100 Hz 40 dB quieter: only the loud one.
        let mut x = voiced(1.0, 200.0, 8000);
        x.extend(voiced(1.0, 100.0, 8000).iter().map(|s| s / 100));
        let v = analyse(&x, 8000);
        assert!((v.f0_hz.unwrap() / 200.0 - 1.0).abs() < 0.015, "{v:?}");
        assert!(v.voiced_frames < 110, "{v:?}");
    }

    #[test]
    fn chunking_does_not_matter() {
        let x = voiced(1.5, 150.0, 8000);
        let whole = analyse(&x, 8000);
        for size in [1, 7, 80, 333, 4096] {
            let mut a = VoiceAnalyser::new(8000);
            for c in x.chunks(size) {
                a.feed(c);
            }
            assert_eq!(a.finish(), whole, "chunks of {size}");
        }
    }

    #[test]
    fn any_rate_is_harmless() {
        for rate in [0, 1, 4000, 11025, 48_000, 768_000] {
            let _ = analyse(&tone(0.2, 440.0, rate.max(1)), rate);
        }
    }
}
