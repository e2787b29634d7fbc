//! Unpacking a frame's 260 bits into its 76 coded parameters, from the two
//! packings in use: the raw frame (0xD signature nibble, then each parameter
//! most significant bit first, RFC 3551 4.5.8.1) and Microsoft's WAV49 block
//! (two frames in 65 bytes, no signature, a continuous stream of bits least
//! significant bit first: frame 1 in bits 0..260, frame 2 in bits 260..520).
//!
//! Every parameter is read with exactly its width, so each is in range for
//! the decoder's tables and index arithmetic whatever the bytes are.

use super::tables::{LAR_BITS, PULSE_BITS, SUBFRAME_BITS};
use super::{FRAME_BYTES, WAV49_BLOCK_BYTES};

/// The coded parameters of one 20 ms frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Params {
    /// LARc\[1..8\], the coded log-area ratios (unsigned, 6/6/5/5/4/4/3/3 bits).
    pub(super) larc: [u8; 8],
    /// The four 5 ms subframes.
    pub(super) subframes: [Subframe; 4],
}

/// The coded parameters of one 40-sample subframe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Subframe {
    /// Nc, the long-term predictor lag (0..=127; 40..=120 when valid).
    pub(super) nc: u8,
    /// bc, the coded long-term predictor gain (0..=3).
    pub(super) bc: u8,
    /// Mc, the RPE grid position (0..=3).
    pub(super) mc: u8,
    /// xmaxc, the coded block maximum (0..=63).
    pub(super) xmaxc: u8,
    /// xMc\[0..12\], the coded RPE pulses (0..=7 each).
    pub(super) xmc: [u8; 13],
}

impl Params {
    /// The parameters of a raw frame. Its signature nibble (the first 4 bits)
    /// is skipped, not checked: that is the caller's business.
    pub(super) fn from_frame(frame: &[u8; FRAME_BYTES]) -> Params {
        let mut bits = MsbFirst {
            bytes: frame,
            pos: 4,
        };
        Params::read(&mut bits)
    }

    /// The parameters of the two frames of a WAV49 block, in order.
    pub(super) fn from_wav49(block: &[u8; WAV49_BLOCK_BYTES]) -> [Params; 2] {
        let mut bits = LsbFirst {
            bytes: block,
            pos: 0,
        };
        let first = Params::read(&mut bits);
        let second = Params::read(&mut bits);
        [first, second]
    }

    /// Read the parameters in the order of the bit stream.
    fn read(bits: &mut impl Bits) -> Params {
        let larc = LAR_BITS.map(|n| bits.take(n));
        let subframes = [(); 4].map(|()| {
            let [nc, bc, mc, xmaxc] = SUBFRAME_BITS.map(|n| bits.take(n));
            let xmc = [(); 13].map(|()| bits.take(PULSE_BITS));
            Subframe {
                nc,
                bc,
                mc,
                xmaxc,
                xmc,
            }
        });
        Params { larc, subframes }
    }
}

/// A source of fields of at most 8 bits.
trait Bits {
    /// The next `n` bits (`n <= 8`) as an unsigned number.
    fn take(&mut self, n: u32) -> u8;
}

/// Bits from the most significant of each byte on; a field's first bit is
/// its most significant.
struct MsbFirst<'a> {
    bytes: &'a [u8; FRAME_BYTES],
    pos: usize,
}

impl Bits for MsbFirst<'_> {
    fn take(&mut self, n: u32) -> u8 {
        let mut value = 0;
        for _ in 0..n {
            let bit = (self.bytes[self.pos / 8] >> (7 - self.pos % 8)) & 1;
            value = (value << 1) | bit;
            self.pos += 1;
        }
        value
    }
}

/// Bits from the least significant of each byte on; a field's first bit is
/// its least significant.
struct LsbFirst<'a> {
    bytes: &'a [u8; WAV49_BLOCK_BYTES],
    pos: usize,
}

impl Bits for LsbFirst<'_> {
    fn take(&mut self, n: u32) -> u8 {
        let mut value = 0;
        for i in 0..n {
            let bit = (self.bytes[self.pos / 8] >> (self.pos % 8)) & 1;
            value |= bit << i;
            self.pos += 1;
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field at its largest value.
    fn all_ones() -> Params {
        let sub = Subframe {
            nc: 127,
            bc: 3,
            mc: 3,
            xmaxc: 63,
            xmc: [7; 13],
        };
        Params {
            larc: [63, 63, 31, 31, 15, 15, 7, 7],
            subframes: [sub; 4],
        }
    }

    #[test]
    fn all_bits_set_gives_every_field_its_maximum() {
        assert_eq!(Params::from_frame(&[0xFF; FRAME_BYTES]), all_ones());
        assert_eq!(
            Params::from_wav49(&[0xFF; WAV49_BLOCK_BYTES]),
            [all_ones(), all_ones()]
        );
    }

    #[test]
    fn raw_frame_fields_are_msb_first_after_the_signature() {
        let mut frame = [0; FRAME_BYTES];
        // Byte 0: signature 0xD, then LARc[1]'s top 4 bits; byte 1 starts with
        // its low 2 bits: LARc[1] = 0b1000_01.
        frame[0] = 0xD8;
        frame[1] = 0x40;
        // LARc ends at bit 4 + 36 = 40 (byte 5); Nc is bits 40..47: 0b1010000 = 80.
        frame[5] = 0xA0;
        // The last pulse of the last subframe is the frame's last 3 bits.
        frame[32] = 0x05;
        let p = Params::from_frame(&frame);
        assert_eq!(p.larc, [0b10_0001, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(p.subframes[0].nc, 80);
        assert_eq!(p.subframes[3].xmc[12], 5);
        assert_eq!(p.subframes[3].xmc[11], 0);
    }

    #[test]
    fn wav49_fields_are_lsb_first_and_the_second_frame_starts_at_bit_260() {
        let mut block = [0; WAV49_BLOCK_BYTES];
        // LARc[1] is the low 6 bits of byte 0; LARc[2] starts in its top 2.
        block[0] = 0b1100_0101;
        // Byte 32: bit 256 is the top bit of frame 1's xMc[11], bits 257..259
        // its xMc[12], bits 260..263 the low 4 bits of frame 2's LARc[1].
        block[32] = 0b1001_0111;
        // Byte 33: frame 2's LARc[1] top 2 bits, then LARc[2]'s first 6.
        block[33] = 0b0000_0010;
        let [first, second] = Params::from_wav49(&block);
        assert_eq!(first.larc[..2], [0b00_0101, 0b11]);
        assert_eq!(first.subframes[3].xmc[11], 0b100);
        assert_eq!(first.subframes[3].xmc[12], 0b011);
        assert_eq!(second.larc[..2], [0b10_1001, 0]);
    }
}
