//! The streaming decoder: bytes in, 16-bit samples out, state kept across calls.

use super::state::{Lane, State};
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

    /// Decode `bytes`, appending two samples per byte to `out`.
    pub fn decode(&mut self, bytes: &[u8], out: &mut Vec<i16>) {
        let mut lane = Lane::new(self.state, self.flavor);
        let order = self.order;
        out.reserve(bytes.len() * 2);
        for &b in bytes {
            let (first, second) = order.split(b);
            let a = lane.decode(first);
            let b = lane.decode(second);
            out.extend_from_slice(&[a, b]);
        }
        self.state = lane.state();
    }

    /// [`Decoder::decode`], also counting the steps that overshoot a rail by
    /// more than `s/8` (what sox and libsndfile call "ADPCM state errors").
    pub fn decode_counting(&mut self, bytes: &[u8], out: &mut Vec<i16>) -> u64 {
        let mut lane = Lane::new(self.state, self.flavor);
        let order = self.order;
        out.reserve(bytes.len() * 2);
        let mut errors = 0u64;
        for &b in bytes {
            let (first, second) = order.split(b);
            let (a, oa) = lane.decode_checked(first);
            let (b, ob) = lane.decode_checked(second);
            out.extend_from_slice(&[a, b]);
            errors += u64::from(oa) + u64::from(ob);
        }
        self.state = lane.state();
        errors
    }

    /// The state for a hot loop elsewhere in the codec.
    pub(crate) fn lane(&self) -> Lane {
        Lane::new(self.state, self.flavor)
    }

    /// Take back the state a hot loop left.
    pub(crate) fn set_lane(&mut self, lane: Lane) {
        self.state = lane.state();
    }

    /// The nibble order.
    pub(crate) fn order(&self) -> NibbleOrder {
        self.order
    }

    /// Decode one 4-bit code (low 4 bits of `code`).
    pub fn decode_code(&mut self, code: u8) -> i16 {
        self.state.decode(code, self.flavor)
    }
}
