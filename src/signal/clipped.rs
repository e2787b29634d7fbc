//! Clipping that survived resampling, dither or a level change: samples at
//! the rails in no particular run, and samples piled up just below the peak.
//!
//! A clipped recording that is resampled afterwards keeps few exact
//! full-scale runs: the filter rounds the plateaus, overshoots the rails and
//! clips again, leaving isolated full-scale samples; turned down after that,
//! it keeps none at all. What survives is the shape of the amplitude
//! distribution near the peak: speech thins out steadily towards its peak,
//! while the clipped stretches pile up as a bump at 0.7-0.9 of it (Aleinik
//! and Matveev, "Detection of Clipped Fragments in Speech Signals", 2014, use
//! the same histogram tail). The rule and its rates are in
//! `docs/detectors-clipping.md`.
//!
//! One pass, constant memory: a rail count, a histogram of
//! magnitudes near the peak (8 193 counters, in steps of 4), and a tone guard that leaves out of the
//! histogram the 256-sample blocks an order-4 linear predictor follows
//! closely (beeps, two-tones and dial tones pile up near their peak too).

use super::Sample;
use crate::dot::dot;

/// Samples judged together by the tone guard.
const TONE_BLOCK: usize = 256;

/// A block whose order-4 prediction gain is at least this (20 dB, as a
/// power ratio) is a tone, and left out of the histogram (20 dB, not 25:
/// a tone through VOX or MP3 carries coding noise about 20-25 dB down).
const TONE_GAIN: f64 = 100.0;

/// The histogram counts magnitudes in steps of 4 (`|x| >> 2`): a bin of
/// the score spans at least 329 magnitudes, so the steps move its edges by
/// about 1 %, and the counters fit in 32 KiB.
const STEP_BITS: u32 = 2;

/// A block with fewer samples than this from 0.45 of the counted peak so far up is
/// counted without the tone test.
const FEW: usize = 16;

/// Bins the range 0..=peak is cut into when the histogram is judged.
const BINS: usize = 25;

/// The pile-up is judged only on signals whose peak is at least this
/// magnitude (-12 dBFS, the floor of `flat-tops` too): quieter, the coding
/// noise of VOX or G.711 makes a tone look like noise to the tone guard,
/// and a clipped prompt is seldom turned down that far.
const MIN_PEAK: u16 = 8232;

/// ... and only on signals with at least this many distinct magnitudes
/// (steps of 4)
/// near the peak (a coarse or synthetic signal has a lumpy histogram).
const MIN_LEVELS: usize = 64;

/// How much denser (ratio) a pair of bins near the peak must be than the
/// sparsest pair below it for its excess to count.
const MIN_RISE: f64 = 1.5;

/// Is this magnitude at a rail: full scale, or the largest value that a
/// decoded mu-law (32 124) or A-law (32 256) sample can have.
#[inline(always)]
pub(super) fn at_rail(magnitude: u16) -> bool {
    magnitude >= 32_767 || magnitude == 32_124 || magnitude == 32_256
}

/// Samples at the rails in runs at least this long are not counted as
/// scattered: the full-scale ones are clipped runs already, and a long run
/// at a mu-law or A-law maximum is a hot G.711 recording's business.
pub(super) const LONG_RAIL_RUN: u64 = 3;

/// The lowest magnitude [`at_rail`] can be true of: blocks quieter than it
/// are not scanned for rails.
pub(super) const LOWEST_RAIL: u16 = 32_124;

/// Streaming state of the pile-up measure: feed it every sample in order.
#[derive(Debug, Clone)]
pub(super) struct Pileup {
    /// Samples of each magnitude 0..=32768 (in steps of 4), outside tone
    /// blocks and from 0.45 of their peak so far up.
    histogram: Vec<u32>,
    /// The largest magnitude so far outside tone blocks.
    peak: u16,
    /// The block in progress: [`ORDER`] samples carried from the block
    /// before, then up to [`TONE_BLOCK`] new ones.
    block: [i16; TONE_BLOCK + ORDER],
    /// New samples in `block`.
    len: usize,
}

impl Pileup {
    pub(super) fn new() -> Pileup {
        Pileup {
            histogram: vec![0; (32_768 >> STEP_BITS) + 1],
            peak: 0,
            block: [0; TONE_BLOCK + ORDER],
            len: 0,
        }
    }

    /// The next samples.
    pub(super) fn feed<S: Sample>(&mut self, mut samples: &[S]) {
        while !samples.is_empty() {
            let take = (TONE_BLOCK - self.len).min(samples.len());
            let to = &mut self.block[ORDER + self.len..ORDER + self.len + take];
            for (d, s) in to.iter_mut().zip(&samples[..take]) {
                *d = s.value();
            }
            self.len += take;
            samples = &samples[take..];
            if self.len == TONE_BLOCK {
                self.end_block();
            }
        }
    }

    /// Judge the block in progress: its samples near the peak go into the
    /// histogram unless it is a tone. Only magnitudes from 0.48 of the final
    /// peak up are ever judged, so samples below 0.45 of the counted peak so far
    /// are not counted, and a block without one is not even tested for a
    /// tone: most of a recording costs a maximum and nothing else.
    fn end_block(&mut self) {
        let n = self.len;
        let x = &self.block[..n + ORDER];
        let block_peak = x[ORDER..].iter().fold(0u16, |m, s| m.max(s.unsigned_abs()));
        // The floor follows the peak of the blocks counted, not of the tones
        // left out: the histogram's own peak is what the score is cut by.
        let floor = (u32::from(self.peak.max(block_peak)) * 9 / 20) as u16;
        if block_peak > 0 && block_peak >= floor {
            let near: usize = x[ORDER..]
                .iter()
                .map(|s| usize::from(s.unsigned_abs() >= floor))
                .sum();
            // A tone spends much of its time near its peak; a block with
            // only a few samples there hardly moves the histogram either way.
            if near < FEW || n < 2 * ORDER || !is_tone(x) {
                self.peak = self.peak.max(block_peak);
                // Samples near the peak come in bunches (the loud half of a
                // pitch period): stretches of 16 without one are told by a
                // test without a branch per sample, and skipped.
                for lane in x[ORDER..].chunks(16) {
                    if lane
                        .iter()
                        .fold(false, |any, s| any | (s.unsigned_abs() >= floor))
                    {
                        for s in lane {
                            let m = s.unsigned_abs();
                            self.histogram[usize::from(m >> STEP_BITS)] += u32::from(m >= floor);
                        }
                    }
                }
            }
        }
        self.block.copy_within(n..n + ORDER, 0);
        self.len = 0;
    }

    /// The pile-up score: how many standard deviations (of a count) the
    /// densest pair of bins near the peak stands above the sparsest pair
    /// below it, when it stands at least [`MIN_RISE`] times above. `None`
    /// when the signal is too quiet or too coarse to judge; `Some(0.0)` when
    /// nothing rises.
    pub(super) fn finish(mut self) -> Option<f64> {
        if self.len > 0 {
            self.end_block();
        }
        let peak = self.histogram.iter().rposition(|&c| c > 0)?;
        if peak < usize::from(MIN_PEAK >> STEP_BITS) {
            return None;
        }
        let judged = &self.histogram[bin_start(FIRST_BIN, peak + 1)..=peak];
        let levels: usize = judged.iter().map(|&c| usize::from(c > 0)).sum();
        if levels < MIN_LEVELS {
            return None;
        }
        Some(score(&self.histogram[..=peak]))
    }
}

/// The first of the [`BINS`] the score looks at (0.48 of the peak up).
const FIRST_BIN: usize = 12;

/// The first level of bin `i` when 0..span is cut into [`BINS`] bins.
fn bin_start(i: usize, span: usize) -> usize {
    (i * span).div_ceil(BINS)
}

/// The pile-up score of a histogram whose last entry is the peak.
fn score(histogram: &[u32]) -> f64 {
    let span = histogram.len();
    let mut bins = [0u64; BINS];
    for (i, bin) in bins.iter_mut().enumerate().skip(FIRST_BIN) {
        let levels = &histogram[bin_start(i, span)..bin_start(i + 1, span)];
        *bin = levels.iter().map(|&c| u64::from(c)).sum();
    }
    // Pairs of neighbouring bins: one bin of a short file is noisy.
    let pairs: Vec<f64> = bins.windows(2).map(|w| (w[0] + w[1]) as f64).collect();
    let mut best = 0.0f64;
    for i in FIRST_BIN + 2..pairs.len() {
        let floor = pairs[FIRST_BIN..=i - 2]
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let w = pairs[i];
        if (w + 1.0) / (floor + 1.0) >= MIN_RISE {
            best = best.max((w - floor) / (w + floor + 1.0).sqrt());
        }
    }
    best
}

/// Order of the tone guard's predictor: 4 follows two sinusoids at once
/// (a downmixed two-tone, a DTMF digit) as exactly as 2 follows one.
const ORDER: usize = 4;

/// Does an order-4 least-squares predictor follow this block ([`ORDER`]
/// carried samples, then the block) closely enough to call it a tone?
fn is_tone(x: &[i16]) -> bool {
    // Covariance sums r[i][j] = sum over the block of x[t-i] x[t-j], i, j in
    // 0..=ORDER; f64 holds them exactly (at most 256 products of 2^30).
    // Only the first row takes a pass over the block: the others are it,
    // shifted, give or take the products at the two ends.
    let mut f = [0.0f64; TONE_BLOCK + ORDER];
    for (d, &s) in f.iter_mut().zip(x) {
        *d = f64::from(s);
    }
    let f = &f[..x.len()];
    let m = f.len();
    let mut r = [[0.0f64; ORDER + 1]; ORDER + 1];
    for k in 0..=ORDER {
        r[0][k] = dot(&f[ORDER..], &f[ORDER - k..m - k]);
    }
    for i in 1..=ORDER {
        for j in i..=ORDER {
            let lag = j - i;
            let head: f64 = (ORDER - i..ORDER).map(|u| f[u] * f[u - lag]).sum();
            let tail: f64 = (m - i..m).map(|u| f[u] * f[u - lag]).sum();
            r[i][j] = r[0][lag] + head - tail;
        }
    }
    let energy = r[0][0];
    if energy == 0.0 {
        return false; // digital silence: no tone, and harmless in bin 0
    }
    // Normal equations R a = p over lags 1..=ORDER, with a ridge so that a
    // constant or a run at a rail (whose lags are proportional) still solves.
    let mut m = [[0.0f64; ORDER + 1]; ORDER];
    let ridge = 1e-9 * (1..=ORDER).map(|i| r[i][i]).sum::<f64>() + 1e-9;
    for (i, row) in m.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate().take(ORDER) {
            let (a, b) = (i.min(j) + 1, i.max(j) + 1);
            *cell = r[a][b] + if i == j { ridge } else { 0.0 };
        }
        row[ORDER] = r[0][i + 1];
    }
    // Gaussian elimination: the matrix is symmetric positive definite.
    for k in 0..ORDER {
        let pivot = m[k][k];
        if pivot <= 0.0 {
            return false;
        }
        let (done, rest) = m.split_at_mut(k + 1);
        let top = &done[k];
        for row in rest {
            let f = row[k] / pivot;
            for (cell, t) in row.iter_mut().zip(top).skip(k) {
                *cell -= f * t;
            }
        }
    }
    let mut a = [0.0f64; ORDER];
    for i in (0..ORDER).rev() {
        let known: f64 = (i + 1..ORDER).map(|j| m[i][j] * a[j]).sum();
        a[i] = (m[i][ORDER] - known) / m[i][i];
    }
    let residual = energy - (0..ORDER).map(|i| a[i] * r[0][i + 1]).sum::<f64>();
    residual * TONE_GAIN <= energy
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::tests::laplacian;

    fn pileup(x: &[i16]) -> Option<f64> {
        let mut p = Pileup::new();
        p.feed(x);
        p.finish()
    }

    #[test]
    fn rails() {
        assert!(at_rail(32_767) && at_rail(32_768) && at_rail(32_124) && at_rail(32_256));
        assert!(!at_rail(32_766) && !at_rail(32_123) && !at_rail(20_000));
        const { assert!(LOWEST_RAIL <= 32_124) };
    }

    #[test]
    fn tones_are_told_from_noise() {
        let tone: Vec<i16> = (0..260)
            .map(|i| (20_000.0 * (f64::from(i) * 0.3).sin()) as i16)
            .collect();
        assert!(is_tone(&tone));
        assert!(!is_tone(&laplacian(260, 20_000.0)));
        assert!(!is_tone(&[0; 260]));
        assert!(is_tone(&[1000; 260])); // a constant: order 1 predicts it
        let two_tone: Vec<i16> = (0..260)
            .map(|i| (9_000.0 * ((f64::from(i) * 0.3).sin() + (f64::from(i) * 0.9).sin())) as i16)
            .collect();
        assert!(is_tone(&two_tone));
    }

    #[test]
    fn speech_like_noise_does_not_pile_up() {
        let s = pileup(&laplacian(40_000, 30_000.0)).unwrap();
        assert!(s < 3.0, "{s}");
    }

    #[test]
    fn clipped_noise_piles_up_below_the_peak() {
        // Clipped at a quarter of its peak, then turned down to -1 dBFS:
        // no rails, but a wall of samples at the new peak.
        let x: Vec<i16> = laplacian(40_000, 30_000.0)
            .iter()
            .map(|&v| (f64::from(v.clamp(-7_500, 7_500)) * 3.9).round() as i16)
            .collect();
        let s = pileup(&x).unwrap();
        assert!(s > 20.0, "{s}");
    }

    #[test]
    fn quiet_or_coarse_signals_are_not_judged() {
        assert_eq!(pileup(&laplacian(40_000, 2_000.0)), None);
        let coarse: Vec<i16> = laplacian(40_000, 40.0).iter().map(|v| v * 256).collect();
        assert_eq!(pileup(&coarse), None);
        assert_eq!(pileup(&[]), None);
    }

    #[test]
    fn tone_blocks_stay_out_of_the_histogram() {
        // A full-scale tone piles up near its peak, as every sine does.
        let tone: Vec<i16> = (0..40_000)
            .map(|i| (30_000.0 * (f64::from(i) * 0.3).sin()) as i16)
            .collect();
        let mut p = Pileup::new();
        p.feed(&tone);
        assert_eq!(p.histogram.iter().map(|&c| u64::from(c)).sum::<u64>(), 0);
    }
}
