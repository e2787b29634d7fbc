//! The codec state (predictor and step index) and the one-sample steps:
//! decode one code, or encode one sample greedily. Pure, no buffers.

use super::DecoderFlavor;
use super::tables::{
    NEXT_INDEX, RECIP_4S, ROWS_ASTERISK, ROWS_EXACT, ROWS_SHIFT_ADD, Row, SIGNED_ASTERISK,
    SIGNED_EXACT, SIGNED_SHIFT_ADD, STEP_SIZES,
};

/// Rails of the exact family's predictor (16-bit).
pub(crate) const EXACT_MIN: i32 = -32768;
pub(crate) const EXACT_MAX: i32 = 32767;
/// Top rail of ffmpeg's `adpcm_ima_oki`: its 12-bit predictor is clamped to
/// 2047 before the output is multiplied by 16 (its bottom rail is
/// [`EXACT_MIN`], -2048 x 16).
pub(crate) const FFMPEG_MAX: i32 = 2047 * 16;
/// Rails of the shift-add family: the 12-bit range -2048..=2047, times 16.
pub(crate) const SHIFT_ADD_MIN: i32 = -2048 * 16;
pub(crate) const SHIFT_ADD_MAX: i32 = 2047 * 16;
/// Rails of Asterisk's decoder: -2047..=2047, times 16.
pub(crate) const ASTERISK_MIN: i32 = -2047 * 16;
pub(crate) const ASTERISK_MAX: i32 = 2047 * 16;

/// A Dialogic ADPCM decoder (or encoder) state: the predictor, in 16-bit
/// units, and the step index 0..=48. Starts at (0, 0); a VOX file never resets.
///
/// For the exact family the predictor is libsndfile's `last_output`, which can
/// be 32767 (the "32767 quirk": a positive clamp leaves the +15 in place until
/// a negative clamp removes it). For the 12-bit families it is always a
/// multiple of 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct State {
    predictor: i16,
    step_index: u8,
}

impl State {
    /// The state every VOX stream starts from: predictor 0, step index 0.
    pub(crate) const INITIAL: State = State {
        predictor: 0,
        step_index: 0,
    };

    /// A state with the given predictor and step index (clamped to 0..=48).
    pub(crate) fn new(predictor: i16, step_index: u8) -> State {
        State {
            predictor,
            step_index: step_index.min(super::tables::MAX_STEP_INDEX),
        }
    }

    /// The predictor, which is also the last decoded sample (16-bit).
    pub(crate) fn predictor(&self) -> i16 {
        self.predictor
    }

    /// The step index, 0..=48.
    pub(crate) fn step_index(&self) -> u8 {
        self.step_index
    }

    /// The current step size in 12-bit units (16..=1552).
    #[cfg(test)]
    pub(crate) fn step_size(&self) -> i32 {
        STEP_SIZES[self.step_index as usize]
    }

    /// Decode one 4-bit code (only the low 4 bits of `code` are used) with
    /// `flavor`, update the state and return the 16-bit sample.
    #[inline]
    pub(crate) fn decode(&mut self, code: u8, flavor: DecoderFlavor) -> i16 {
        let (p, _) = step(self.predictor as i32, self.step_index, code, flavor);
        self.predictor = p as i16;
        self.step_index = NEXT_INDEX[self.step_index as usize][(code & 7) as usize];
        self.predictor
    }

    /// Encode one sample the way libsndfile's `adpcm_encode` and `sox -D` do
    /// (`m = min(7, 4|d| / 16s)`, sign set when the sample is below the
    /// predictor), update the state as the exact decoder would, and return the
    /// 4-bit code.
    #[inline]
    pub(crate) fn encode_greedy(&mut self, sample: i16) -> u8 {
        let code = greedy_code(self.predictor as i32, self.step_index, sample as i32);
        self.decode(code, DecoderFlavor::Exact);
        code
    }
}

/// The signed difference `flavor` adds to the predictor of `state` for `code`
/// (16-bit units), before clamping to the rails.
#[cfg(test)]
pub(crate) fn difference(state: State, code: u8, flavor: DecoderFlavor) -> i32 {
    family(flavor).0[state.step_index as usize][(code & 15) as usize]
}

/// The greedy (libsndfile / `sox -D`) code for `sample` from predictor `p` at
/// step index `index`.
#[inline]
pub(crate) fn greedy_code(p: i32, index: u8, sample: i32) -> u8 {
    let d = sample - p;
    // min(7, 4|d| / 16s) == min(7, |d| / 4s); |d| <= 65535.
    let q = (d.unsigned_abs() as u64 * RECIP_4S[index as usize]) >> 32;
    let m = q.min(7) as u8;
    if d < 0 { 8 | m } else { m }
}

/// The signed-difference table and the rails (16-bit units) of a flavour.
#[inline]
pub(crate) fn family(flavor: DecoderFlavor) -> (&'static [[i32; 16]; 49], i32, i32) {
    match flavor {
        DecoderFlavor::Exact => (&SIGNED_EXACT, EXACT_MIN, EXACT_MAX),
        DecoderFlavor::Ffmpeg => (&SIGNED_EXACT, EXACT_MIN, FFMPEG_MAX),
        DecoderFlavor::ShiftAdd => (&SIGNED_SHIFT_ADD, SHIFT_ADD_MIN, SHIFT_ADD_MAX),
        DecoderFlavor::Asterisk => (&SIGNED_ASTERISK, ASTERISK_MIN, ASTERISK_MAX),
    }
}

/// The hot-loop rows of a flavour (see [`Row`]).
#[inline]
pub(crate) fn rows(flavor: DecoderFlavor) -> &'static [Row; 49] {
    match flavor {
        DecoderFlavor::Exact | DecoderFlavor::Ffmpeg => &ROWS_EXACT,
        DecoderFlavor::ShiftAdd => &ROWS_SHIFT_ADD,
        DecoderFlavor::Asterisk => &ROWS_ASTERISK,
    }
}

/// A decoder's state held for a hot loop: the predictor, the step index's
/// row and the flavour's rails.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lane {
    p: i32,
    row: &'static Row,
    lo: i32,
    hi: i32,
}

impl Lane {
    pub(crate) fn new(state: State, flavor: DecoderFlavor) -> Lane {
        let (_, lo, hi) = family(flavor);
        Lane {
            p: state.predictor as i32,
            row: &rows(flavor)[state.step_index as usize],
            lo,
            hi,
        }
    }

    pub(crate) fn state(self) -> State {
        State::new(self.p as i16, self.row.index)
    }

    /// [`State::decode`] for the loop: decode the low 4 bits of `code`.
    #[inline(always)]
    pub(crate) fn decode(&mut self, code: u8) -> i16 {
        // Inlined, the unused overshoot test compiles away.
        self.decode_checked(code).0
    }

    /// Decode the low 4 bits of `code`, also telling whether the step
    /// overshot a rail by more than `s/8` (see [`overshoot`]).
    #[inline(always)]
    pub(crate) fn decode_checked(&mut self, code: u8) -> (i16, bool) {
        let code = (code & 15) as usize;
        let u = self.p + self.row.diff[code];
        let over = u > self.hi + self.row.grace || u < self.lo - self.row.grace;
        self.p = u.clamp(self.lo, self.hi);
        self.row = self.row.next[code];
        (self.p as i16, over)
    }
}

/// How far `u` lies past the rails `lo..=hi` beyond libsndfile's grace of
/// `s/8` at step index `index` (0 when within; in 16-bit units).
#[inline]
pub(crate) fn overshoot(u: i32, index: u8, lo: i32, hi: i32) -> i32 {
    let grace = (STEP_SIZES[index as usize] >> 3) * 16;
    (u - hi - grace).max(lo - grace - u).max(0)
}

/// One decoder step without the index update: the new predictor (clamped to
/// the flavour's rails) and how far the unclamped value went past the rails
/// beyond libsndfile's grace of `s/8` (0 when within; in 16-bit units).
#[inline]
pub(crate) fn step(p: i32, index: u8, code: u8, flavor: DecoderFlavor) -> (i32, i32) {
    let (table, lo, hi) = family(flavor);
    let u = p + table[index as usize][(code & 15) as usize];
    let clamped = u.max(lo).min(hi);
    if clamped == u {
        (u, 0)
    } else {
        (clamped, overshoot(u, index, lo, hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_codes_from_rest() {
        // Step 16 at index 0: exact diff for m = 0 is floor(16/8) = 2 -> 32.
        let mut s = State::INITIAL;
        assert_eq!(s.decode(0x0, DecoderFlavor::Exact), 32);
        assert_eq!(s.step_index(), 0);
        assert_eq!(s.decode(0x8, DecoderFlavor::Exact), 0);
        // m = 7 at index 0: floor(15 * 16 / 8) = 30 -> 480; index 0 -> 8.
        assert_eq!(s.decode(0x7, DecoderFlavor::Exact), 480);
        assert_eq!(s.step_index(), 8);
    }

    #[test]
    fn greedy_matches_the_formula() {
        let mut s = State::INITIAL;
        // d = 1000, step16 = 256: 4000 / 256 = 15 -> 7.
        assert_eq!(s.encode_greedy(1000), 7);
        let mut s = State::INITIAL;
        assert_eq!(s.encode_greedy(-64), 8 | 1);
        let mut s = State::INITIAL;
        assert_eq!(s.encode_greedy(0), 0);
    }

    #[test]
    fn exact_clamp_keeps_32767() {
        let mut s = State::new(32752, 48);
        assert_eq!(s.decode(0x7, DecoderFlavor::Exact), 32767);
        // The +15 stays through a negative step that does not clamp.
        let v = s.decode(0x8, DecoderFlavor::Exact);
        assert_eq!((v as i32 - 32767) % 16, 0);
    }

    #[test]
    fn ffmpeg_clamps_at_32752_and_keeps_multiples_of_16() {
        // Same step as exact_clamp_keeps_32767: ffmpeg stops at 2047 x 16.
        let mut s = State::new(32752, 48);
        assert_eq!(s.decode(0x7, DecoderFlavor::Ffmpeg), 32752);
        let v = s.decode(0x8, DecoderFlavor::Ffmpeg);
        assert_eq!(v % 16, 0);
        // The bottom rail is the exact family's, -2048 x 16.
        let mut s = State::new(-32000, 48);
        assert_eq!(s.decode(0xF, DecoderFlavor::Ffmpeg), -32768);
        let mut e = State::new(-32000, 48);
        assert_eq!(e.decode(0xF, DecoderFlavor::Exact), -32768);
    }

    #[test]
    fn overshoot_is_measured_beyond_the_grace() {
        // At index 48 (s = 1552) grace = 194 * 16 = 3104.
        let (p, over) = step(32000, 48, 0x7, DecoderFlavor::Exact);
        assert_eq!(p, 32767);
        assert_eq!(
            over,
            32000 + super::super::tables::DIFF_EXACT[48][7] - 32767 - 3104
        );
        let (_, over) = step(32000, 48, 0x0, DecoderFlavor::Exact);
        assert_eq!(over, 0);
    }

    #[test]
    fn step_indices_are_shared() {
        // The hand-computed sequence of tests/vox/mod.rs: codes 4 3 | A 7 | 7 6 |
        // F 5 from the zero state.
        const BYTES: [u8; 4] = [0x43, 0xA7, 0x76, 0xF5];
        let mut s = State::INITIAL;
        let mut idx = Vec::new();
        for b in BYTES {
            for code in [b >> 4, b & 15] {
                s.decode(code, DecoderFlavor::Exact);
                idx.push(s.step_index());
            }
        }
        assert_eq!(idx, [2, 1, 0, 8, 16, 22, 30, 34]);
    }
}
