//! The receive quadrature mirror filter of ITU-T G.722 (block RECEIVE QMF):
//! one lower- and one higher-band sample at 8 kHz in, two output samples at
//! 16 kHz out. Pure.

use super::band::{add, sub};
use super::tables::H;

/// The receive QMF's delay line: the last twelve sums and differences of
/// the two bands, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ReceiveQmf {
    /// XD: lower minus higher band.
    xd: [i16; 12],
    /// XS: lower plus higher band.
    xs: [i16; 12],
}

impl ReceiveQmf {
    /// The reset state: silence.
    pub(super) const fn new() -> ReceiveQmf {
        ReceiveQmf {
            xd: [0; 12],
            xs: [0; 12],
        }
    }

    /// Take the two bands' reconstructed samples `rl` and `rh` (each within
    /// 15 bits, block LIMIT) and give two output samples in time order:
    /// `XOUT1 = 2 sum h(2i) XD(j-i)`, `XOUT2 = 2 sum h(2i+1) XS(j-i)`,
    /// `i = 0..=11`, each scaled down by 2^12 with saturation as the
    /// reference code does (`L_shl(acc, 4)`, then the high 16 bits).
    #[inline]
    pub(super) fn synthesize(&mut self, rl: i16, rh: i16) -> [i16; 2] {
        self.xd.copy_within(0..11, 1);
        self.xs.copy_within(0..11, 1);
        self.xd[0] = sub(rl, rh);
        self.xs[0] = add(rl, rh);
        let (mut acc1, mut acc2) = (0i32, 0i32);
        for i in 0..12 {
            acc1 += 2 * i32::from(H[2 * i]) * i32::from(self.xd[i]);
            acc2 += 2 * i32::from(H[2 * i + 1]) * i32::from(self.xs[i]);
        }
        [high_half(acc1), high_half(acc2)]
    }
}

/// `extract_h(L_shl(acc, 4))`: shift left by 4 with 32-bit saturation and
/// keep the high 16 bits. `acc` stays well within 32 bits: the largest sum
/// is `2 * 32768 * sum |h|`, under 2^29.
#[inline]
fn high_half(acc: i32) -> i16 {
    let shifted = (i64::from(acc) << 4).clamp(i64::from(i32::MIN), i64::from(i32::MAX));
    (shifted >> 16) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feed one pulse and 11 zeros; return the 24 output samples.
    fn pulse_response(rl: i16, rh: i16) -> Vec<i16> {
        let mut qmf = ReceiveQmf::new();
        let mut out = qmf.synthesize(rl, rh).to_vec();
        for _ in 1..12 {
            out.extend(qmf.synthesize(0, 0));
        }
        out
    }

    #[test]
    fn a_lower_band_pulse_gives_the_filter_coefficients() {
        // 2048 in the lower band: XD = XS = 2048, and 2 * h * 2048 / 2^12 = h.
        assert_eq!(pulse_response(2048, 0), H);
    }

    #[test]
    fn a_higher_band_pulse_gives_them_with_alternating_signs() {
        let expected: Vec<i16> = H
            .iter()
            .enumerate()
            .map(|(i, &h)| if i % 2 == 0 { -h } else { h })
            .collect();
        assert_eq!(pulse_response(0, 2048), expected);
    }

    #[test]
    fn output_saturates() {
        assert_eq!(high_half(i32::MAX / 2), i16::MAX);
        assert_eq!(high_half(i32::MIN / 2), i16::MIN);
        assert_eq!(high_half(-1), -1);
        assert_eq!(high_half(4096), 1);
        // Full-scale opposite bands held: the largest sums clip at the rails.
        let mut qmf = ReceiveQmf::new();
        let mut out = Vec::new();
        for j in 0..48 {
            let x = if j % 2 == 0 { 16383 } else { -16384 };
            out.extend(qmf.synthesize(x, -x));
        }
        assert!(
            out.contains(&i16::MAX) || out.contains(&i16::MIN),
            "{out:?}"
        );
    }
}
