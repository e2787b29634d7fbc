//! RPE decoding (GSM 06.10 4.3.1, which reuses the encoder's 4.2.15 to
//! 4.2.17): a subframe's block maximum and 13 coded pulses back to the
//! 40-sample reconstructed long-term residual erp, the pulses on a 3:1 grid.

use super::arith::{add, asl, asr, mult_r, sub};
use super::tables::FAC;

/// Samples in a subframe.
pub(super) const SUBFRAME_SAMPLES: usize = 40;

/// The reconstructed long-term residual erp\[0..39\] of one subframe from its
/// block maximum xmaxc (0..=63), grid position mc (0..=3) and pulses xmc
/// (0..=7 each).
pub(super) fn decode(xmaxc: u8, mc: u8, xmc: &[u8; 13]) -> [i16; SUBFRAME_SAMPLES] {
    let (exp, mant) = exponent_mantissa(xmaxc);
    grid_positioning(mc, &inverse_quantize(xmc, exp, mant))
}

/// The exponent (-4..=6) and mantissa (0..=7) of the decoded block maximum
/// (as computed in 4.2.15).
fn exponent_mantissa(xmaxc: u8) -> (i16, usize) {
    let xmaxc = i16::from(xmaxc);
    let mut exp = if xmaxc > 15 { (xmaxc >> 3) - 1 } else { 0 };
    let mut mant = xmaxc - (exp << 3);
    if mant == 0 {
        exp = -4;
        mant = 7;
    } else {
        while mant <= 7 {
            mant = (mant << 1) | 1;
            exp -= 1;
        }
        mant -= 8;
    }
    // 0..=7 by the steps above, for every xmaxc of 6 bits.
    (exp, mant.unsigned_abs().into())
}

/// The pulses xMp\[0..12\] from their 3-bit codes, scaled by the block
/// maximum's mantissa (table 4.6) and exponent (APCM inverse quantization,
/// 4.2.16).
fn inverse_quantize(xmc: &[u8; 13], exp: i16, mant: usize) -> [i16; 13] {
    let temp1 = FAC[mant];
    let temp2 = sub(6, exp);
    let temp3 = asl(1, sub(temp2, 1));
    xmc.map(|code| {
        // The code's sign restored: -7, -5, .., 7, then as a Q15 fraction.
        let temp = ((i16::from(code) << 1) - 7) << 12;
        let temp = mult_r(temp1, temp);
        let temp = add(temp, temp3);
        asr(temp, temp2)
    })
}

/// erp: the pulses at positions mc, mc + 3, .., mc + 36, zero elsewhere
/// (RPE grid positioning, 4.2.17).
fn grid_positioning(mc: u8, xmp: &[i16; 13]) -> [i16; SUBFRAME_SAMPLES] {
    let mut erp = [0; SUBFRAME_SAMPLES];
    for (slot, &pulse) in erp[usize::from(mc)..].iter_mut().step_by(3).zip(xmp) {
        *slot = pulse;
    }
    erp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponent_and_mantissa_of_the_block_maximum() {
        assert_eq!(exponent_mantissa(0), (-4, 7));
        assert_eq!(exponent_mantissa(1), (-3, 7));
        assert_eq!(exponent_mantissa(8), (0, 0));
        assert_eq!(exponent_mantissa(15), (0, 7));
        assert_eq!(exponent_mantissa(16), (1, 0));
        assert_eq!(exponent_mantissa(63), (6, 7));
        for xmaxc in 0..64 {
            let (exp, mant) = exponent_mantissa(xmaxc);
            assert!((-4..=6).contains(&exp) && mant <= 7, "{xmaxc}");
        }
    }

    #[test]
    fn pulses_are_odd_multiples_of_the_step_rounded() {
        // xmaxc 63: exp 6, mant 7 (FAC 32767), so temp2 = 0 and temp3 = 0:
        // the pulses are the Q15 products themselves.
        let xmp = inverse_quantize(&[0, 3, 4, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0], 6, 7);
        assert_eq!(xmp[..4], [-28671, -4096, 4096, 28671]);
        // xmaxc 0: exp -4, mant 7; temp2 = 10, temp3 = 512.
        let xmp = inverse_quantize(&[0, 7, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0], -4, 7);
        assert_eq!(xmp[..4], [-28, 28, -4, 4]);
    }

    #[test]
    fn grid_puts_the_pulses_every_third_sample_from_mc() {
        let xmp: [i16; 13] = std::array::from_fn(|i| i as i16 + 1);
        for mc in 0..4 {
            let erp = grid_positioning(mc, &xmp);
            // Pulse i (value i + 1) at mc + 3i: 13 pulses, the last at mc + 36.
            let mut want = [0; SUBFRAME_SAMPLES];
            for i in 0..13 {
                want[usize::from(mc) + 3 * i] = i as i16 + 1;
            }
            assert_eq!(erp, want, "mc {mc}");
        }
    }
}
