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
//! One pass, constant memory: a rail count, an exact histogram of
//! magnitudes (32 769 counters), and a tone guard that leaves out of the
//! histogram the 256-sample blocks an order-4 linear predictor follows
//! closely (beeps, two-tones and dial tones pile up near their peak too).

/// Samples judged together by the tone guard.
const TONE_BLOCK: usize = 256;

/// A block whose order-4 prediction gain is at least this (20 dB, as a
/// power ratio) is a tone, and left out of the histogram (20 dB, not 25:
/// a tone through VOX or MP3 carries coding noise about 20-25 dB down).
const TONE_GAIN: f64 = 100.0;

/// Bins the range 0..=peak is cut into when the histogram is judged.
const BINS: usize = 25;

/// The pile-up is judged only on signals whose peak is at least this
/// magnitude (-12 dBFS, the floor of `flat-tops` too): quieter, the coding
/// noise of VOX or G.711 makes a tone look like noise to the tone guard,
/// and a clipped prompt is seldom turned down that far.
const MIN_PEAK: u16 = 8232;

/// ... and only on signals with at least this many distinct magnitudes
/// (a coarse or synthetic signal has a lumpy histogram).
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
    /// Samples of each magnitude, 0..=32768, outside tone blocks.
    histogram: Vec<u32>,
    /// The block in progress: [`ORDER`] samples carried from the block
    /// before, then up to [`TONE_BLOCK`] new ones.
    block: [i16; TONE_BLOCK + ORDER],
    /// New samples in `block`.
    len: usize,
}

impl Pileup {
    pub(super) fn new() -> Pileup {
        Pileup {
            histogram: vec![0; 32_769],
            block: [0; TONE_BLOCK + ORDER],
            len: 0,
        }
    }

    /// The next samples.
    pub(super) fn feed(&mut self, samples: impl Iterator<Item = i16>) {
        for s in samples {
            self.block[ORDER + self.len] = s;
            self.len += 1;
            if self.len == TONE_BLOCK {
                self.end_block();
            }
        }
    }

    /// Judge the block in progress: into the histogram unless it is a tone.
    fn end_block(&mut self) {
        let n = self.len;
        let x = &self.block[..n + ORDER];
        if n < 2 * ORDER || !is_tone(x) {
            for &s in &x[ORDER..] {
                self.histogram[usize::from(s.unsigned_abs())] += 1;
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
        let levels = self.histogram.iter().filter(|&&c| c > 0).count();
        if peak < usize::from(MIN_PEAK) || levels < MIN_LEVELS {
            return None;
        }
        Some(score(&self.histogram[..=peak]))
    }
}

/// The pile-up score of a histogram whose last entry is the peak.
fn score(histogram: &[u32]) -> f64 {
    let span = histogram.len();
    let mut bins = [0u64; BINS];
    for (level, &c) in histogram.iter().enumerate() {
        bins[level * BINS / span] += u64::from(c);
    }
    // Pairs of neighbouring bins: one bin of a short file is noisy.
    let pairs: Vec<f64> = bins.windows(2).map(|w| (w[0] + w[1]) as f64).collect();
    let mut best = 0.0f64;
    for i in 14..pairs.len() {
        let floor = pairs[12..=i - 2]
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
    // Covariance sums of x[n-i] x[n-j], i, j in 0..=ORDER; f64 holds them
    // exactly (at most 256 products of 2^30 each).
    let mut r = [[0.0f64; ORDER + 1]; ORDER + 1];
    for w in x.windows(ORDER + 1) {
        let v: [f64; ORDER + 1] = std::array::from_fn(|i| f64::from(w[ORDER - i]));
        for i in 0..=ORDER {
            for j in i..=ORDER {
                r[i][j] += v[i] * v[j];
            }
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
    for i in 0..ORDER {
        for j in 0..ORDER {
            let (a, b) = (i.min(j) + 1, i.max(j) + 1);
            m[i][j] = r[a][b] + if i == j { ridge } else { 0.0 };
        }
        m[i][ORDER] = r[0][i + 1];
    }
    // Gaussian elimination: the matrix is symmetric positive definite.
    for k in 0..ORDER {
        let pivot = m[k][k];
        if pivot <= 0.0 {
            return false;
        }
        for i in k + 1..ORDER {
            let f = m[i][k] / pivot;
            for j in k..=ORDER {
                m[i][j] -= f * m[k][j];
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
        p.feed(x.iter().copied());
        p.finish()
    }

    #[test]
    fn rails() {
        assert!(at_rail(32_767) && at_rail(32_768) && at_rail(32_124) && at_rail(32_256));
        assert!(!at_rail(32_766) && !at_rail(32_123) && !at_rail(20_000));
        assert!(LOWEST_RAIL <= 32_124);
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
        p.feed(tone.iter().copied());
        assert_eq!(p.histogram.iter().map(|&c| u64::from(c)).sum::<u64>(), 0);
    }
}
