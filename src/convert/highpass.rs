//! The high-pass filter that removes DC and sub-audio rumble before the
//! level is set: pure arithmetic on samples at the output rate.
//!
//! A second-order Butterworth high-pass with its corner at [`CORNER_HZ`],
//! below the telephone band (300-3400 Hz): nothing at DC, -31 dB at 10 Hz,
//! -19 dB at 20 Hz, -3 dB at 60 Hz, -0.5 dB at 100 Hz and -0.007 dB at
//! 300 Hz, where the band a call carries starts (docs/conversion.md has the
//! table and why 60 Hz). A DC offset costs a
//! prompt headroom (its peaks clip sooner once normalised) and makes the
//! ADPCM encoder spend its steps on a constant; rumble is energy the phone
//! network throws away anyway.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// The corner (-3 dB) frequency, in Hz.
pub const CORNER_HZ: f64 = 60.0;

/// A biquad in transposed direct form II, in `f64` (a corner this far below
/// the rate needs the precision), started as if the first sample had always
/// been there, so a DC offset does not turn into a click at the start.
#[derive(Debug, Clone)]
pub(super) struct HighPass {
    b0: f64,
    b1: f64,
    b2: f64,
    a1: f64,
    a2: f64,
    s1: f64,
    s2: f64,
    started: bool,
}

impl HighPass {
    /// The filter for samples at `rate` Hz (bilinear transform, the corner
    /// pre-warped so it lands on [`CORNER_HZ`] at any rate).
    pub(super) fn new(rate: u32) -> HighPass {
        let k = (PI * CORNER_HZ / f64::from(rate)).tan();
        let q = FRAC_1_SQRT_2;
        let norm = 1.0 / (1.0 + k / q + k * k);
        HighPass {
            b0: norm,
            b1: -2.0 * norm,
            b2: norm,
            a1: 2.0 * (k * k - 1.0) * norm,
            a2: (1.0 - k / q + k * k) * norm,
            s1: 0.0,
            s2: 0.0,
            started: false,
        }
    }

    /// Filter `x` in place, continuing from the previous block.
    pub(super) fn process(&mut self, x: &mut [f32]) {
        if let (false, Some(&first)) = (self.started, x.first()) {
            // The steady state of a constant input: the output is 0.
            let x0 = f64::from(first);
            self.s2 = self.b2 * x0;
            self.s1 = (self.b1 + self.b2) * x0;
            self.started = true;
        }
        for v in x {
            let input = f64::from(*v);
            let y = self.b0 * input + self.s1;
            self.s1 = self.b1 * input - self.a1 * y + self.s2;
            self.s2 = self.b2 * input - self.a2 * y;
            *v = y as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gain in dB of a sine at `freq` through the filter at `rate`,
    /// measured after a second of settling.
    fn gain_db(freq: f64, rate: u32) -> f64 {
        let n = rate as usize * 3;
        let mut x: Vec<f32> = (0..n)
            .map(|i| (0.5 * (2.0 * PI * freq * i as f64 / f64::from(rate)).sin()) as f32)
            .collect();
        let rms_in = rms(&x[rate as usize..]);
        HighPass::new(rate).process(&mut x);
        20.0 * (rms(&x[rate as usize..]) / rms_in).log10()
    }

    fn rms(x: &[f32]) -> f64 {
        (x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
    }

    #[test]
    fn response_at_the_corner_in_band_and_below() {
        for rate in [8000, 11025] {
            let at = |f| gain_db(f, rate);
            assert!((at(60.0) + 3.01).abs() < 0.05, "{rate}: 60 Hz {}", at(60.0));
            assert!(at(300.0) > -0.01 && at(300.0) < 0.0, "300 Hz {}", at(300.0));
            assert!(at(1000.0).abs() < 0.001, "1 kHz {}", at(1000.0));
            assert!((at(20.0) + 19.1).abs() < 0.2, "20 Hz {}", at(20.0));
            assert!((at(10.0) + 31.1).abs() < 0.3, "10 Hz {}", at(10.0));
        }
    }

    #[test]
    fn dc_is_removed_without_a_click() {
        // 0.1 s of silence sitting at +2% DC, then a tone on top of it.
        let rate = 8000;
        let mut x: Vec<f32> = (0..rate as usize)
            .map(|i| {
                let tone = if i >= 800 {
                    0.3 * (2.0 * PI * 500.0 * i as f64 / 8000.0).sin()
                } else {
                    0.0
                };
                (0.02 + tone) as f32
            })
            .collect();
        let mut hp = HighPass::new(rate);
        // In blocks, as the converter feeds it.
        for block in x.chunks_mut(333) {
            hp.process(block);
        }
        // The DC-only start stays at 0: no step at the first sample.
        assert!(x[..800].iter().all(|v| v.abs() < 1e-6), "{:?}", &x[..8]);
        let tail = &x[4000..];
        let mean = tail.iter().map(|&v| f64::from(v)).sum::<f64>() / tail.len() as f64;
        assert!(mean.abs() < 1e-4, "mean {mean}");
    }

    #[test]
    fn silence_stays_digital_silence() {
        let mut x = vec![0.0f32; 1000];
        HighPass::new(8000).process(&mut x);
        assert!(x.iter().all(|&v| v == 0.0));
    }
}
