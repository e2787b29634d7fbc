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
//! histogram the 256-sample blocks an order-2 linear predictor follows
//! closely (beeps and dial tones pile up near their peak too, cleanly).

/// Samples judged together by the tone guard.
const TONE_BLOCK: usize = 256;

/// A block whose order-2 prediction gain is at least this (25 dB, as a
/// power ratio) is a tone, and left out of the histogram.
const TONE_GAIN: f64 = 316.227_766;

/// Bins the range 0..=peak is cut into when the histogram is judged.
const BINS: usize = 25;

/// The pile-up is judged only on signals whose peak is at least this
/// magnitude (-24 dBFS): below it the bins hold too few levels each.
const MIN_PEAK: u16 = 2048;

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

/// The lowest magnitude [`at_rail`] can be true of: blocks quieter than it
/// are not scanned for rails.
pub(super) const LOWEST_RAIL: u16 = 32_124;

/// Streaming state of the pile-up measure: feed it every sample in order.
#[derive(Debug, Clone)]
pub(super) struct Pileup {
    /// Samples of each magnitude, 0..=32768, outside tone blocks.
    histogram: Vec<u32>,
    /// The block in progress: two samples carried from the block before,
    /// then up to [`TONE_BLOCK`] new ones.
    block: [i16; TONE_BLOCK + 2],
    /// New samples in `block`.
    len: usize,
}

impl Pileup {
    pub(super) fn new() -> Pileup {
        Pileup {
            histogram: vec![0; 32_769],
            block: [0; TONE_BLOCK + 2],
            len: 0,
        }
    }

    /// The next samples.
    pub(super) fn feed(&mut self, samples: impl Iterator<Item = i16>) {
        for s in samples {
            self.block[2 + self.len] = s;
            self.len += 1;
            if self.len == TONE_BLOCK {
                self.end_block();
            }
        }
    }

    /// Judge the block in progress: into the histogram unless it is a tone.
    fn end_block(&mut self) {
        let n = self.len;
        let x = &self.block[..n + 2];
        if n < 3 || !is_tone(x) {
            for &s in &x[2..] {
                self.histogram[usize::from(s.unsigned_abs())] += 1;
            }
        }
        self.block.copy_within(n..n + 2, 0);
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
        let floor = pairs[12..=i - 2].iter().copied().fold(f64::INFINITY, f64::min);
        let w = pairs[i];
        if (w + 1.0) / (floor + 1.0) >= MIN_RISE {
            best = best.max((w - floor) / (w + floor + 1.0).sqrt());
        }
    }
    best
}

/// Does an order-2 least-squares predictor follow this block (two carried
/// samples, then the block) closely enough to call it a tone?
fn is_tone(x: &[i16]) -> bool {
    // Covariance sums of x[n] with x[n-1] and x[n-2]; f64 holds them
    // exactly (at most 256 products of 2^30 each).
    let (mut r00, mut r01, mut r02, mut r11, mut r12, mut r22) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for w in x.windows(3) {
        let (x2, x1, x0) = (f64::from(w[0]), f64::from(w[1]), f64::from(w[2]));
        r00 += x0 * x0;
        r01 += x0 * x1;
        r02 += x0 * x2;
        r11 += x1 * x1;
        r12 += x1 * x2;
        r22 += x2 * x2;
    }
    if r00 == 0.0 {
        return false; // digital silence: no tone, and harmless in bin 0
    }
    let det = r11 * r22 - r12 * r12;
    let residual = if det > 1e-9 * r11 * r22 {
        let a1 = (r01 * r22 - r02 * r12) / det;
        let a2 = (r02 * r11 - r01 * r12) / det;
        r00 - a1 * r01 - a2 * r02
    } else if r11 > 0.0 {
        // x[n-1] and x[n-2] are proportional (a constant, or a run at a
        // rail): order 1 is all there is.
        r00 - r01 * r01 / r11
    } else {
        r00
    };
    residual * TONE_GAIN <= r00
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
        let tone: Vec<i16> = (0..258)
            .map(|i| (20_000.0 * (f64::from(i) * 0.3).sin()) as i16)
            .collect();
        assert!(is_tone(&tone));
        assert!(!is_tone(&laplacian(258, 20_000.0)));
        assert!(!is_tone(&[0; 258]));
        assert!(is_tone(&[1000; 258])); // a constant: order 1 predicts it
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
