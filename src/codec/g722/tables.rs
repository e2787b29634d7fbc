//! The constant tables of the G.722 SB-ADPCM decoder.
//!
//! Source: ITU-T Recommendation G.722, *7 kHz audio-coding within 64 kbit/s*
//! (Melbourne 1988; 3rd edition 09/2012), the computational details of the
//! decoder's blocks; each table below names the block that reads it and the
//! Recommendation's name for it. The inverse-quantizer levels are indexed by
//! the code as it arrives, with the sign the code carries already applied;
//! they are in the Recommendation's units, and the blocks scale them by 8
//! before multiplying by the scale factor. The ITU-T's fixed-point reference
//! code (ITU-T G.191 STL, `g722` module: `qtab6`, `qtab5`, `qtab4`, `qtab2`,
//! `ila2`, `coef_qmf`) holds the same numbers so scaled; a test below checks
//! the scale factors against it.

/// Lower sub-band levels for a 6-bit code, 64 kbit/s (block INVQBL, mode 1;
/// QQ6). Codes 0 to 3 are not emitted by an encoder and decode as the
/// smallest negative level.
#[rustfmt::skip]
pub(super) const QQ6: [i16; 64] = [
      -17,   -17,   -17,   -17, -3101, -2738, -2376, -2088,
    -1873, -1689, -1535, -1399, -1279, -1170, -1072,  -982,
     -899,  -822,  -750,  -682,  -618,  -558,  -501,  -447,
     -396,  -347,  -300,  -254,  -211,  -170,  -130,   -91,
     3101,  2738,  2376,  2088,  1873,  1689,  1535,  1399,
     1279,  1170,  1072,   982,   899,   822,   750,   682,
      618,   558,   501,   447,   396,   347,   300,   254,
      211,   170,   130,    91,    54,    17,   -54,   -17,
];

/// Lower sub-band levels for the top 5 bits of the code, 56 kbit/s (block
/// INVQBL, mode 2; QQ5).
#[rustfmt::skip]
pub(super) const QQ5: [i16; 32] = [
      -35,   -35, -2919, -2195, -1765, -1458, -1219, -1023,
     -858,  -714,  -587,  -473,  -370,  -276,  -190,  -110,
     2919,  2195,  1765,  1458,  1219,  1023,   858,   714,
      587,   473,   370,   276,   190,   110,    35,   -35,
];

/// Lower sub-band levels for the top 4 bits of the code: the 48 kbit/s output
/// (block INVQBL, mode 3) and, in every mode, the difference signal the lower
/// band adapts on (block INVQAL; QQ4).
#[rustfmt::skip]
pub(super) const QQ4: [i16; 16] = [
        0, -2557, -1612, -1121,  -786,  -530,  -323,  -150,
     2557,  1612,  1121,   786,   530,   323,   150,     0,
];

/// Higher sub-band levels for the 2-bit code (block INVQAH; QQ2).
#[rustfmt::skip]
pub(super) const QQ2: [i16; 4] = [-926, -202, 926, 202];

/// Lower sub-band log scale factor multipliers by the top 4 bits of the code
/// (block LOGSCL; WL, here indexed by the code rather than its magnitude).
#[rustfmt::skip]
pub(super) const WL: [i16; 16] = [
      -60,  3042,  1198,   538,   334,   172,    58,   -30,
     3042,  1198,   538,   334,   172,    58,   -30,   -60,
];

/// Higher sub-band log scale factor multipliers by the 2-bit code (block
/// LOGSCH; WH, indexed by the code).
#[rustfmt::skip]
pub(super) const WH: [i16; 4] = [798, -214, 798, -214];

/// Inverse logarithm, the mantissa of the linear scale factor (blocks SCALEL
/// and SCALEH; ILB): `ILB[i] = round(2048 * 2^(i / 32))`.
#[rustfmt::skip]
pub(super) const ILB: [i16; 32] = [
     2048,  2093,  2139,  2186,  2233,  2282,  2332,  2383,
     2435,  2489,  2543,  2599,  2656,  2714,  2774,  2834,
     2896,  2960,  3025,  3091,  3158,  3228,  3298,  3371,
     3444,  3520,  3597,  3676,  3756,  3838,  3922,  4008,
];

/// The 24 coefficients h0 to h23 of the quadrature mirror filters, shared by
/// the transmit and the receive QMF (symmetric: `H[i] == H[23 - i]`).
#[rustfmt::skip]
pub(super) const H: [i16; 24] = [
        3,   -11,   -11,    53,    12,  -156,    32,   362,
     -210,  -805,   951,  3876,  3876,   951,  -805,  -210,
      362,    32,  -156,    12,    53,   -11,   -11,     3,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_come_in_opposite_pairs() {
        for i in 4..32 {
            assert_eq!(QQ6[i], -QQ6[i + 28], "QQ6[{i}]");
        }
        for i in 2..16 {
            assert_eq!(QQ5[i], -QQ5[i + 14], "QQ5[{i}]");
        }
        for i in 1..8 {
            assert_eq!(QQ4[i], -QQ4[i + 7], "QQ4[{i}]");
            assert_eq!(WL[i], WL[i + 7], "WL[{i}]");
        }
        assert_eq!(QQ2[0], -QQ2[2]);
        assert_eq!(QQ2[1], -QQ2[3]);
    }

    #[test]
    fn qmf_is_symmetric() {
        for i in 0..24 {
            assert_eq!(H[i], H[23 - i], "h{i}");
        }
    }

    #[test]
    fn ilb_is_the_rounded_power_of_two() {
        for (i, &v) in ILB.iter().enumerate() {
            let exact = 2048.0 * (i as f64 / 32.0).exp2();
            assert_eq!(v, exact.round() as i16, "ILB[{i}] ({exact})");
        }
    }
}
