//! One sub-band's ADPCM state and its adaptation: the quantizer scale factor
//! (blocks LOGSCL/SCALEL for the lower band, LOGSCH/SCALEH for the higher)
//! and the pole-zero predictor the two bands share (PARREC, RECONS, UPZERO,
//! UPPOL2, UPPOL1, FILTEZ, FILTEP, PREDIC), in the 16-bit fixed-point
//! arithmetic of ITU-T G.722. Pure: numbers in, numbers out.
//!
//! One departure from the ITU-T's reference code, to decode as ffmpeg does:
//! the zero section's output SZ is summed in 32 bits and the prediction
//! `S = SP + SZ` is clamped to 16 bits once, where the reference code
//! saturates every partial sum. The two agree while the sums stay within 16
//! bits, as they do on every encoded fixture; crafted bytes get past them
//! (`crafted-16000Hz.g722` in fixtures/g722: its test fails with the
//! reference code's saturations).

use super::tables::ILB;

/// 16-bit addition, saturating (the Recommendation's and its reference
/// code's `add`).
#[inline]
pub(super) fn add(a: i16, b: i16) -> i16 {
    a.saturating_add(b)
}

/// 16-bit subtraction, saturating (`sub`).
#[inline]
pub(super) fn sub(a: i16, b: i16) -> i16 {
    a.saturating_sub(b)
}

/// Fractional multiplication `(a * b) >> 15`, saturating (`mult`: only
/// `-32768 * -32768` overflows).
#[inline]
pub(super) fn mult(a: i16, b: i16) -> i16 {
    clamp16((i32::from(a) * i32::from(b)) >> 15)
}

/// Left shift, saturating (`shl`).
#[inline]
fn shl(a: i16, n: u32) -> i16 {
    clamp16(i32::from(a) << n)
}

/// The sign as the reference code takes it (`shr(x, 15)`): -1 below zero,
/// 0 otherwise.
#[inline]
fn sign(x: i16) -> i16 {
    x >> 15
}

#[inline]
fn clamp16(x: i32) -> i16 {
    x.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
}

/// Block LIMIT: the reconstructed signal clamped to 15 bits.
#[inline]
pub(super) fn limit(x: i16) -> i16 {
    x.clamp(-16384, 16383)
}

/// A sub-band's decoder state. Index 0 of the signal histories is the
/// current sample, index `k` the one `k` samples back; coefficient arrays
/// are indexed from 1, as the Recommendation numbers them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Band {
    /// Linear quantizer scale factor (DETL or DETH).
    det: i16,
    /// Logarithmic quantizer scale factor (NBL or NBH).
    nb: i16,
    /// Predicted signal, pole and zero sections together (SL or SH).
    s: i16,
    /// Output of the zero section (SZL or SZH), in 32 bits (module docs).
    sz: i32,
    /// Pole section coefficients A1, A2.
    a: [i16; 3],
    /// Zero section coefficients B1 to B6.
    b: [i16; 7],
    /// Quantized difference signal and its last six values (DLT, DH).
    d: [i16; 7],
    /// Partially reconstructed signal, its signs drive the pole adaptation
    /// (PLT, PH).
    p: [i16; 3],
    /// Reconstructed signal before LIMIT (RLT, RH).
    r: [i16; 3],
}

impl Band {
    /// The reset state: everything zero but the scale factor, which starts
    /// at its smallest value (32 for the lower band, 8 for the higher).
    pub(super) const fn new(det: i16) -> Band {
        Band {
            det,
            nb: 0,
            s: 0,
            sz: 0,
            a: [0; 3],
            b: [0; 7],
            d: [0; 7],
            p: [0; 3],
            r: [0; 3],
        }
    }

    /// The linear scale factor the next code is dequantized with.
    #[inline]
    pub(super) fn det(&self) -> i16 {
        self.det
    }

    /// The predicted value of the next sample (SL or SH).
    #[inline]
    pub(super) fn prediction(&self) -> i16 {
        self.s
    }

    /// Quantizer adaptation: blocks LOGSCL and SCALEL (`max_nb` 18432,
    /// `exponent` 8) or LOGSCH and SCALEH (22528, 10), with `w` the
    /// multiplier the code selects (WL or WH).
    #[inline]
    pub(super) fn adapt_scale(&mut self, w: i16, max_nb: i16, exponent: i16) {
        // LOGSCL/LOGSCH: NB leaks by 127/128 (32512 / 32768) and takes the step.
        self.nb = add(mult(self.nb, 32512), w).clamp(0, max_nb);
        self.det = scale(self.nb, exponent);
    }

    /// Predictor adaptation on the quantized difference signal `d` of the
    /// current sample (the 4-bit one in the lower band, blocks INVQAL and
    /// INVQAH give it), then the prediction of the next sample.
    #[inline]
    pub(super) fn adapt_predictor(&mut self, d: i16) {
        self.d[0] = d;
        // PARREC (only its sign is used), RECONS: with the previous
        // sample's prediction.
        self.p[0] = clamp16(i32::from(d) + self.sz);
        self.r[0] = add(self.s, d);
        self.upzero();
        self.uppol2();
        self.uppol1();
        self.sz = self.filtez();
        let sp = self.filtep();
        // PREDIC, clamped once (module docs).
        self.s = clamp16(sp + self.sz);
    }

    /// UPZERO: each zero coefficient leaks by 255/256 (32640 / 32768) and
    /// moves 128 towards agreeing in sign with the difference signal it
    /// multiplies, unless the current difference is zero; then DELAYA shifts
    /// the difference signals along.
    fn upzero(&mut self) {
        let wd1 = if self.d[0] == 0 { 0 } else { 128 };
        let sg0 = sign(self.d[0]);
        for i in (1..=6).rev() {
            let wd3 = mult(self.b[i], 32640);
            self.b[i] = if sign(self.d[i]) == sg0 {
                add(wd3, wd1)
            } else {
                sub(wd3, wd1)
            };
            self.d[i] = self.d[i - 1];
        }
    }

    /// UPPOL2: the second pole coefficient, within +-0.375 (12288).
    fn uppol2(&mut self) {
        let [sg0, sg1, sg2] = self.p.map(sign);
        let wd1 = shl(self.a[1], 2);
        let wd2 = if sg0 == sg1 { sub(0, wd1) } else { wd1 } >> 7;
        let wd3 = if sg0 == sg2 { 128 } else { -128 };
        let apl2 = add(add(wd2, wd3), mult(self.a[2], 32512));
        self.a[2] = apl2.clamp(-12288, 12288);
    }

    /// UPPOL1: the first pole coefficient, within the stability bound
    /// `+-(15360 - A2)`, then DELAYA shifts the partial reconstructions.
    fn uppol1(&mut self) {
        let [sg0, sg1, _] = self.p.map(sign);
        let wd1 = if sg0 == sg1 { 192 } else { -192 };
        let apl1 = add(wd1, mult(self.a[1], 32640));
        let wd3 = sub(15360, self.a[2]);
        self.a[1] = apl1.clamp(-wd3, wd3);
        self.p[2] = self.p[1];
        self.p[1] = self.p[0];
    }

    /// FILTEZ: the sixth-order zero section on the difference signals,
    /// summed in 32 bits (module docs).
    fn filtez(&self) -> i32 {
        (1..=6)
            .map(|i| i32::from(mult(add(self.d[i], self.d[i]), self.b[i])))
            .sum()
    }

    /// FILTEP: DELAYA shifts the reconstructed signals, then the
    /// second-order pole section runs on them; the sum is left to PREDIC.
    fn filtep(&mut self) -> i32 {
        self.r[2] = self.r[1];
        self.r[1] = self.r[0];
        let wd1 = mult(self.a[1], add(self.r[1], self.r[1]));
        let wd2 = mult(self.a[2], add(self.r[2], self.r[2]));
        i32::from(wd1) + i32::from(wd2)
    }
}

/// SCALEL (`exponent` 8) and SCALEH (10): the linear scale factor from the
/// logarithmic one, `NB` read as a 4.11 fixed-point exponent of two, its
/// fraction's top 5 bits looked up in ILB.
#[inline]
pub(super) fn scale(nb: i16, exponent: i16) -> i16 {
    let wd1 = i32::from(ILB[((nb >> 6) & 31) as usize]);
    let shift = i32::from(exponent) - i32::from(nb >> 11);
    let wd3 = if shift >= 0 {
        wd1 >> shift
    } else {
        wd1 << -shift
    };
    clamp16(wd3 << 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference code's precomputed scale factors (ITU-T G.191 STL,
    /// `g722` module, `ila2`), spot values: `ila2[k]` is SCALEH's result
    /// for `NB = 64 k` and SCALEL's for `NB = 64 (k - 64)`.
    const ILA2: [(usize, i16); 10] = [
        (0, 8),
        (19, 12),
        (64, 32),
        (127, 124),
        (128, 128),
        (200, 608),
        (255, 2004),
        (300, 5312),
        (320, 8192),
        (352, 16384),
    ];

    #[test]
    fn scale_factors_match_the_reference_table() {
        for (k, det) in ILA2 {
            let nb = (64 * k) as i16;
            assert_eq!(scale(nb, 10), det, "SCALEH, NB = {nb}");
            if k >= 64 {
                let nb = (64 * (k - 64)) as i16;
                assert_eq!(scale(nb, 8), det, "SCALEL, NB = {nb}");
            }
        }
    }

    #[test]
    fn reset_scale_factors_are_those_of_nb_zero() {
        assert_eq!(scale(0, 8), Band::new(32).det());
        assert_eq!(scale(0, 10), Band::new(8).det());
    }

    #[test]
    fn scale_factors_grow_with_nb_up_to_the_largest() {
        for (max_nb, exponent) in [(18432, 8), (22528, 10)] {
            let mut last = 0;
            for nb in 0..=max_nb {
                let det = scale(nb, exponent);
                assert!(det >= last, "NB = {nb}");
                last = det;
            }
            assert_eq!(last, 16384);
        }
    }

    #[test]
    fn saturating_operators() {
        assert_eq!(mult(-32768, -32768), 32767);
        assert_eq!(mult(16384, 16384), 8192);
        assert_eq!(mult(-1, 1), -1);
        assert_eq!(shl(8192, 2), 32767);
        assert_eq!(shl(-8193, 2), -32768);
        assert_eq!(add(30000, 30000), 32767);
        assert_eq!(sub(0, -32768), 32767);
        assert_eq!((sign(-1), sign(0), sign(1)), (-1, 0, 0));
        assert_eq!((limit(20000), limit(-20000), limit(5)), (16383, -16384, 5));
    }

    #[test]
    fn zero_and_pole_sections_sum_in_32_bits() {
        let mut band = Band::new(32);
        band.b = [0, 32767, 32767, 32767, 32767, 32767, 32767];
        band.d = [0, 10000, 10000, 10000, 10000, 10000, 10000];
        // Six terms of mult(20000, 32767) = 19999: past 16 bits, kept.
        assert_eq!(band.filtez(), 6 * 19999);
        // FILTEP shifts R(j) into R(j-1): both terms at full scale, past 16
        // bits together, kept for PREDIC.
        band.a = [0, 27000, 12288];
        band.r = [32767, 32767, 0];
        assert_eq!(band.filtep(), 26999 + 12287);
        assert_eq!(band.r, [32767, 32767, 32767]);
    }

    #[test]
    fn held_code_keeps_the_predictor_stable() {
        // The largest difference, always positive: NB climbs to its
        // ceiling and the pole coefficients stay within their bounds.
        let mut band = Band::new(32);
        for _ in 0..2000 {
            let d = mult(band.det(), 2557 << 3);
            band.adapt_scale(3042, 18432, 8);
            band.adapt_predictor(d);
            assert!(band.a[2].abs() <= 12288);
            assert!(band.a[1].abs() <= 15360 - band.a[2]);
        }
        assert_eq!(band.nb, 18432);
        assert_eq!(band.det(), 16384);
    }
}
