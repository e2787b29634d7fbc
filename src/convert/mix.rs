//! Pure sample arithmetic: downmix, level, TPDF dither and 16-bit quantising.

/// Append the mean of the channels of each interleaved frame to `out`.
/// (The mean, not the sum: the mix can never exceed the loudest channel.)
/// Every sample leaves [`tame`]d: the decoders pass a float file's values on
/// as they are.
pub(super) fn downmix(interleaved: &[f32], channels: usize, out: &mut Vec<f32>) {
    match channels {
        0 => {}
        1 => out.extend(interleaved.iter().copied().map(tame)),
        2 => out.extend(
            interleaved
                .chunks_exact(2)
                .map(|f| tame((f[0] + f[1]) * 0.5)),
        ),
        n => {
            let scale = 1.0 / n as f32;
            out.extend(
                interleaved
                    .chunks_exact(n)
                    .map(|f| tame(f.iter().sum::<f32>() * scale)),
            );
        }
    }
}

/// The largest magnitude a sample keeps (full scale is 1): far above any
/// real signal, far below where the resampler's and the filters' sums
/// overflow `f32`.
const MAX_SAMPLE: f32 = 1.0e6;

/// A sample the pipeline can compute with: NaN and the infinities (which
/// the resampler's FFT turns into a panic) are silence, and magnitudes are
/// capped at [`MAX_SAMPLE`].
fn tame(v: f32) -> f32 {
    if v.is_finite() {
        v.clamp(-MAX_SAMPLE, MAX_SAMPLE)
    } else {
        0.0
    }
}

/// Decibels to a linear amplitude factor.
pub(super) fn db_to_gain(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// A linear amplitude to dBFS (`None` for zero).
pub(super) fn gain_to_db(g: f64) -> Option<f64> {
    (g > 0.0).then(|| 20.0 * g.log10())
}

/// The largest absolute sample.
pub(super) fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0f32, |m, &v| m.max(v.abs()))
}

/// `x.round()` (half away from zero), without the library call that
/// `round` is on baseline x86-64: a truncating conversion and a look at
/// what it left. Exact for every finite `x` below 2^63 (below 2^24 the
/// remainder is a float difference that loses nothing; above, every float
/// is whole); the infinities give +/-2^63 and NaN 0, which the caller
/// limits or zeroes as it does `round`'s.
fn round(x: f32) -> f32 {
    let t = x as i64;
    let rest = x - t as f32;
    t.saturating_add(i64::from(rest >= 0.5))
        .saturating_sub(i64::from(rest <= -0.5)) as f32
}

/// Quantises `f32` samples to 16 bits with TPDF dither, limiting rather than
/// wrapping, and counting what it had to limit.
///
/// A sample already on the 16-bit grid (an untouched 16-bit input, digital
/// silence) passes unchanged: dither is only spent where rounding is needed.
/// The generator is seeded, so a conversion is reproducible.
#[derive(Debug, Clone)]
pub(super) struct Quantiser {
    gain: f32,
    rng: u64,
    /// Samples that were beyond full scale before limiting.
    pub clipped: u64,
    /// The largest absolute value seen before limiting, in full-scale units.
    pub peak: f32,
}

impl Quantiser {
    /// A quantiser that first multiplies by `gain`.
    pub(super) fn new(gain: f64) -> Quantiser {
        Quantiser {
            gain: gain as f32,
            rng: 0x9E37_79B9_7F4A_7C15,
            clipped: 0,
            peak: 0.0,
        }
    }

    fn uniform(&mut self) -> f32 {
        // xorshift64*: plenty for dither.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let r = self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (r >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Append the quantised `x` to `out`.
    pub(super) fn quantise(&mut self, x: &[f32], out: &mut Vec<i16>) {
        out.reserve(x.len());
        // A block of whole values in range (every block of a conversion that
        // changes neither rate nor level) is copied exactly, without dither,
        // in loops the compiler vectorises.
        let g = self.gain;
        // In range, adding and removing 1.5 * 2^23 rounds to a whole
        // number; only whole numbers come back unchanged (NaN never).
        let is_whole = |s: f32| {
            let l = (s * g) * 32768.0;
            (-32768.0..=32767.0).contains(&l) & ((l + 12_582_912.0) - 12_582_912.0 == l)
        };
        // The first sample settles resampled or scaled blocks, which would
        // otherwise pay for a scan of the whole block before the real work.
        let whole = x.first().is_some_and(|&s| is_whole(s))
            && x.iter().fold(true, |acc, &s| acc & is_whole(s));
        if whole {
            self.peak = x.iter().fold(self.peak, |p, &s| {
                let a = (s * g).abs();
                if a > p { a } else { p }
            });
            out.extend(x.iter().map(|&s| ((s * g) * 32768.0) as i32 as i16));
            return;
        }
        for &s in x {
            let v = s * self.gain;
            let a = v.abs();
            if a > self.peak {
                self.peak = a;
            }
            let mut l = v * 32768.0;
            // Whole values (every sample of a conversion that changes
            // neither rate nor level) take no dither and no `round`, which
            // is a library call on baseline x86-64.
            let whole = l as i32;
            if whole as f32 == l {
                let q = if whole > 32767 {
                    self.clipped += 1;
                    32767
                } else if whole < -32768 {
                    self.clipped += 1;
                    -32768
                } else {
                    whole as i16
                };
                out.push(q);
                continue;
            }
            // TPDF: difference of two uniforms, +/-1 LSB peak.
            l += self.uniform() - self.uniform();
            let r = round(l);
            let q = if r > 32767.0 {
                if v * 32768.0 > 32767.0 {
                    self.clipped += 1;
                }
                32767
            } else if r < -32768.0 {
                if v * 32768.0 < -32768.0 {
                    self.clipped += 1;
                }
                -32768
            } else if r.is_nan() {
                0
            } else {
                r as i16
            };
            out.push(q);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downmix_silences_nan_and_infinities_and_caps_the_rest() {
        let mut out = Vec::new();
        let odd = [
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MAX,
            -f32::MAX,
            0.5,
        ];
        downmix(&odd, 1, &mut out);
        assert_eq!(out, [0.0, 0.0, 0.0, MAX_SAMPLE, -MAX_SAMPLE, 0.5]);
        out.clear();
        downmix(&[f32::MAX, f32::MAX, 0.25, f32::NAN], 2, &mut out);
        assert_eq!(out, [0.0, 0.0]);
    }

    #[test]
    fn downmix_is_the_mean() {
        let mut out = Vec::new();
        downmix(&[1.0, 0.0, -0.5, -0.5], 2, &mut out);
        assert_eq!(out, [0.5, -0.5]);
        out.clear();
        downmix(&[0.3, 0.3, 0.3, 0.9, 0.0, 0.0], 3, &mut out);
        assert!((out[0] - 0.3).abs() < 1e-6 && (out[1] - 0.3).abs() < 1e-6);
    }

    #[test]
    fn untouched_16_bit_samples_pass_bit_exact() {
        let ints: Vec<i16> = vec![-32768, -1, 0, 1, 12345, 32767];
        let f: Vec<f32> = ints.iter().map(|&s| f32::from(s) / 32768.0).collect();
        let mut q = Quantiser::new(1.0);
        let mut out = Vec::new();
        q.quantise(&f, &mut out);
        assert_eq!(out, ints);
        assert_eq!(q.clipped, 0);
    }

    #[test]
    fn whole_and_mixed_blocks_agree() {
        // The same whole samples through the all-whole fast path and, with
        // one fractional sample added, through the per-sample path.
        let ints: Vec<i16> = (0..1000).map(|i| (i * 61 % 65536 - 32768) as i16).collect();
        let f: Vec<f32> = ints.iter().map(|&s| f32::from(s) / 32768.0).collect();
        let (mut fast, mut slow) = (Quantiser::new(1.0), Quantiser::new(1.0));
        let (mut a, mut b) = (Vec::new(), Vec::new());
        fast.quantise(&f, &mut a);
        let mut mixed = f.clone();
        mixed.push(0.25 / 32768.0);
        slow.quantise(&mixed, &mut b);
        assert_eq!(a, ints);
        assert_eq!(&b[..ints.len()], &ints[..]);
        assert_eq!(fast.peak, slow.peak);
        // Out-of-range values always take the per-sample path: clipped, counted.
        let (mut fast, mut slow) = (Quantiser::new(2.0), Quantiser::new(2.0));
        fast.quantise(&[0.75, -0.75, 0.25], &mut a);
        slow.quantise(&[0.75, -0.75, 0.25, 0.1 / 32768.0], &mut b);
        assert_eq!((fast.clipped, slow.clipped), (2, 2));
    }

    #[test]
    fn dither_is_tpdf_and_unbiased() {
        // A constant half an LSB above zero: dithered output averages 0.5 LSB.
        let x = vec![0.5f32 / 32768.0; 100_000];
        let mut q = Quantiser::new(1.0);
        let mut out = Vec::new();
        q.quantise(&x, &mut out);
        let mean = out.iter().map(|&v| f64::from(v)).sum::<f64>() / out.len() as f64;
        assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
        assert!(out.iter().all(|&v| (-1..=2).contains(&v)));
    }

    #[test]
    fn overs_are_limited_and_counted_not_wrapped() {
        let mut q = Quantiser::new(db_to_gain(6.0));
        let mut out = Vec::new();
        q.quantise(&[0.9, -0.9, 0.1], &mut out);
        assert_eq!(&out[..2], &[32767, -32768]);
        assert_eq!(q.clipped, 2);
        assert!(q.peak > 1.7);
    }

    #[test]
    fn round_is_f32_round() {
        let mut values = vec![0.5f32, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999997, -0.49999997];
        values.extend([32767.5, -32768.5, 8_388_607.5, 8_388_608.0, 16_777_217.0]);
        values.extend([1.0e9, -1.0e9, 3.0e10, -3.0e10, 0.0, -0.0]);
        // Every quarter and a spread of fractions across the 16-bit range.
        values.extend((-140_000..140_000).map(|i| i as f32 * 0.25));
        let mut rng = 0x1234_5678_9ABC_DEF0u64;
        for _ in 0..200_000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            values.push((rng >> 32) as u32 as f32 / 65_536.0 - 32_768.5);
        }
        for x in values {
            assert_eq!(round(x), x.round(), "{x}");
        }
        assert_eq!(round(f32::NAN), 0.0);
        assert!(round(f32::INFINITY) > 32767.0 && round(f32::NEG_INFINITY) < -32768.0);
    }

    #[test]
    fn db_round_trip() {
        assert!((db_to_gain(-6.0206) - 0.5).abs() < 1e-4);
        assert!((gain_to_db(0.5).unwrap() + 6.0206).abs() < 1e-3);
        assert_eq!(gain_to_db(0.0), None);
    }
}
