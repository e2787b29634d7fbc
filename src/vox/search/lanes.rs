//! Up to three predictors packed in one number ([`Lanes`]), so that the
//! searches step every family's predictor with one addition and check
//! every rail with one test.

/// Up to three predictors packed in one `u64`, 21 bits each, so that a
/// candidate's predictors are one addition and the rails one test. A lane
/// holds `p + 2^18`: every predictor and every unclamped step from one
/// (`|p + d| < 2^17`) stays below `2^19`, so lanes never carry into each
/// other and bit 20 of each lane is free as a guard. Adding [`Lanes::step`]
/// of the differences (an integer sum with negative terms, so the lanes
/// stay exact) steps every predictor at once. A lane is at least its rail
/// `r` when `(u | guard) - (r + 2^18)` keeps the guard bit, and at most it
/// when `(r + 2^18 | guard) - u` does.
pub(super) struct Lanes;

impl Lanes {
    pub(super) const BITS: u32 = 21;
    pub(super) const BIAS: i64 = 1 << 18;
    /// Bit 20 of each of the three lanes.
    pub(super) const GUARDS: u64 = (1 << 20) | (1 << 41) | (1 << 62);

    pub(super) fn pack<const N: usize>(values: &[i32; N]) -> u64 {
        const { assert!(N <= 3) };
        let mut packed = 0u64;
        for (f, &v) in values.iter().enumerate() {
            packed |= ((v as i64 + Self::BIAS) as u64) << (Self::BITS * f as u32);
        }
        packed
    }

    pub(super) fn unpack<const N: usize>(packed: u64) -> [i32; N] {
        std::array::from_fn(|f| {
            let lane = (packed >> (Self::BITS * f as u32)) & ((1 << Self::BITS) - 1);
            (lane as i64 - Self::BIAS) as i32
        })
    }

    /// The number whose addition adds `diff[f]` to lane `f`.
    pub(super) fn step<const N: usize>(diff: &[i32; N]) -> u64 {
        let mut step = 0u64;
        for (f, &d) in diff.iter().enumerate() {
            step = step.wrapping_add((d as i64 as u64).wrapping_shl(Self::BITS * f as u32));
        }
        step
    }
}

/// The families' rails as packed lanes (see [`Lanes`]): one test tells
/// whether every packed predictor lies within its rails.
#[derive(Debug, Clone, Copy)]
pub(super) struct PackedRails {
    /// `lo` packed, and `hi` packed with every guard bit set.
    lo: u64,
    hi: u64,
}

impl PackedRails {
    pub(super) fn new<const N: usize>(lo: &[i32; N], hi: &[i32; N]) -> PackedRails {
        PackedRails {
            lo: Lanes::pack(lo),
            hi: Lanes::pack(hi) | Lanes::GUARDS,
        }
    }

    /// Whether every lane of `low` is at least its low rail and every lane
    /// of `high` at most its high rail.
    #[inline(always)]
    pub(super) fn hold(&self, low: u64, high: u64) -> bool {
        (low | Lanes::GUARDS).wrapping_sub(self.lo) & self.hi.wrapping_sub(high) & Lanes::GUARDS
            == Lanes::GUARDS
    }

    /// Whether every lane of `lanes` lies within its rails.
    #[inline(always)]
    pub(super) fn inside(&self, lanes: u64) -> bool {
        self.hold(lanes, lanes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_step_and_test_every_predictor_at_once() {
        use crate::vox::state::{EXACT_MAX, EXACT_MIN};
        let (lo, hi) = ([EXACT_MIN, -32768, -32752], [EXACT_MAX, 32752, 32752]);
        let rails = PackedRails::new(&lo, &hi);
        let mut v = 12345u32;
        let mut next = |span: i32| {
            v = v.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (v >> 8) as i32 % span
        };
        for _ in 0..100_000 {
            let p: [i32; 3] = std::array::from_fn(|f| next(hi[f] - lo[f] + 1) + lo[f]);
            let d: [i32; 3] = std::array::from_fn(|_| next(2 * 46_560 + 1) - 46_560);
            let u = Lanes::pack(&p).wrapping_add(Lanes::step(&d));
            let want: [i32; 3] = std::array::from_fn(|f| p[f] + d[f]);
            assert_eq!(Lanes::unpack::<3>(u), want, "p {p:?} d {d:?}");
            let within = (0..3).all(|f| lo[f] <= want[f] && want[f] <= hi[f]);
            assert_eq!(rails.inside(u), within, "p {p:?} d {d:?}");
        }
        // One family: the unused lanes never fail the test.
        let u = Lanes::pack(&[32767]).wrapping_add(Lanes::step(&[-65535]));
        assert_eq!(Lanes::unpack::<1>(u), [-32768]);
    }
}
