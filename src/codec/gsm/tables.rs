//! The constant tables of the GSM 06.10 decoder.
//!
//! Source: ETSI EN 300 961 (GSM 06.10), tables 4.1 to 4.6 (numbered as in the
//! standard; libgsm's `table.c` cites the same numbers); the frame layout
//! from the standard's list of coded parameters, which RFC 3551 section
//! 4.5.8.1 prints bit by bit.
//!
//! Only the decoder's tables are here: the encoder's (4.3a DLB, 4.4 H, 4.5
//! NRFAC, A and MAC of 4.1) are not needed.

/// Bits of the eight coded log-area ratios LARc\[1..8\] (RFC 3551 4.5.8.1).
pub(super) const LAR_BITS: [u32; 8] = [6, 6, 5, 5, 4, 4, 3, 3];

/// Bits of a subframe's lag Nc, gain bc, grid position Mc and block maximum
/// xmaxc, in that order; then 13 pulses xMc of [`PULSE_BITS`] each (RFC 3551
/// 4.5.8.1).
pub(super) const SUBFRAME_BITS: [u32; 4] = [7, 2, 2, 6];

/// Bits of one RPE pulse xMc.
pub(super) const PULSE_BITS: u32 = 3;

/// B\[1..8\], the offsets of the log-area-ratio quantizer, used to decode
/// LARc (GSM 06.10 table 4.1).
#[rustfmt::skip]
pub(super) const B: [i16; 8] = [0, 0, 2048, -2560, 94, -1792, -341, -1144];

/// MIC\[1..8\], the smallest value of each coded log-area ratio: adding it
/// restores LARc's sign (GSM 06.10 table 4.1).
#[rustfmt::skip]
pub(super) const MIC: [i16; 8] = [-32, -32, -16, -16, -8, -8, -4, -4];

/// INVA\[1..8\] = integer(32768 * 8 / A\[1..8\]), the inverse quantizer
/// slopes (GSM 06.10 table 4.2).
#[rustfmt::skip]
pub(super) const INVA: [i16; 8] = [13107, 13107, 13107, 13107, 19223, 17476, 31454, 29708];

/// QLB\[0..3\], the long-term predictor gains by coded gain bc (GSM 06.10
/// table 4.3b).
#[rustfmt::skip]
pub(super) const QLB: [i16; 4] = [3277, 11469, 21299, 32767];

/// FAC\[0..7\], the normalized direct mantissas of the RPE block maximum
/// (GSM 06.10 table 4.6).
#[rustfmt::skip]
pub(super) const FAC: [i16; 8] = [18431, 20479, 22527, 24575, 26623, 28671, 30719, 32767];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_is_260_bits() {
        let lars: u32 = LAR_BITS.iter().sum();
        let subframe: u32 = SUBFRAME_BITS.iter().sum::<u32>() + 13 * PULSE_BITS;
        assert_eq!((lars, subframe), (36, 56));
        assert_eq!(lars + 4 * subframe, 260);
    }

    #[test]
    fn mic_is_minus_half_the_range_of_each_lar() {
        for (mic, bits) in MIC.iter().zip(LAR_BITS) {
            assert_eq!(i32::from(*mic), -(1 << (bits - 1)));
        }
    }
}
