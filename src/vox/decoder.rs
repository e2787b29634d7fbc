//! The streaming decoder: bytes in, 16-bit samples out, state kept across calls.

use super::state::{State, family};
use super::tables::NEXT_INDEX;
use super::{DecoderFlavor, NibbleOrder};

/// A streaming Dialogic ADPCM decoder. Every byte gives two samples; calls may
/// split the stream anywhere and the output is the same as one call on the
/// whole stream. Any byte sequence is a valid stream, so decoding cannot fail.
///
/// ```
/// use voxprep::vox::{Decoder, DecoderFlavor};
/// let mut dec = Decoder::new(DecoderFlavor::Exact);
/// let mut pcm = Vec::new();
/// dec.decode(&[0x08, 0x08], &mut pcm);
/// assert_eq!(pcm, [32, 0, 32, 0]);
/// ```
#[derive(Debug, Clone)]
pub struct Decoder {
    state: State,
    flavor: DecoderFlavor,
    order: NibbleOrder,
}

impl Decoder {
    /// A decoder of `flavor` for the usual nibble order (high nibble first),
    /// starting from the zero state.
    pub fn new(flavor: DecoderFlavor) -> Decoder {
        Decoder::with_order(flavor, NibbleOrder::HighFirst)
    }

    /// A decoder with an explicit nibble order.
    pub fn with_order(flavor: DecoderFlavor, order: NibbleOrder) -> Decoder {
        Decoder {
            state: State::INITIAL,
            flavor,
            order,
        }
    }

    /// The flavour this decoder emulates.
    pub fn flavor(&self) -> DecoderFlavor {
        self.flavor
    }

    /// The current state (after the last decoded sample).
    pub fn state(&self) -> State {
        self.state
    }

    /// Decode `bytes`, appending two samples per byte to `out`.
    pub fn decode(&mut self, bytes: &[u8], out: &mut Vec<i16>) {
        let (table, lo, hi) = family(self.flavor);
        let mut p = self.state.predictor() as i32;
        let mut index = self.state.step_index() as usize;
        let mut one = |code: u8| -> i16 {
            let code = code as usize;
            p = (p + table[index][code]).max(lo).min(hi);
            index = NEXT_INDEX[index][code & 7] as usize;
            p as i16
        };
        let order = self.order;
        out.reserve(bytes.len() * 2);
        for &b in bytes {
            let (first, second) = order.split(b);
            let a = one(first);
            let b = one(second);
            out.extend_from_slice(&[a, b]);
        }
        self.state = State::new(p as i16, index as u8);
    }

    /// Decode one 4-bit code (low 4 bits of `code`).
    pub fn decode_code(&mut self, code: u8) -> i16 {
        self.state.decode(code, self.flavor)
    }
}
