//! Short-term synthesis (GSM 06.10 4.3.3 and 4.3.4, which reuse the
//! encoder's 4.2.8 and 4.2.9): the coded log-area ratios are decoded
//! (tables 4.1, 4.2), interpolated with the previous frame's over samples
//! 0..=12, 13..=26 and 27..=39, turned into reflection coefficients, and
//! drive an 8-stage lattice filter over the frame's 160 residual samples.

use std::ops::Range;

use super::FRAME_SAMPLES;
use super::arith::{add, mult_r, sub};
use super::tables::{B, INVA, MIC};

/// The four stretches of a frame with their own coefficients, and how each
/// mixes the previous frame's decoded ratios with this frame's (4.2.9.1).
const SEGMENTS: [(Range<usize>, Mix); 4] = [
    (0..13, Mix::MostlyPrevious),
    (13..27, Mix::Half),
    (27..40, Mix::MostlyCurrent),
    (40..FRAME_SAMPLES, Mix::Current),
];

/// An interpolation of the log-area ratios (4.2.9.1).
#[derive(Debug, Clone, Copy)]
enum Mix {
    /// 3/4 previous + 1/4 current.
    MostlyPrevious,
    /// 1/2 each.
    Half,
    /// 1/4 previous + 3/4 current.
    MostlyCurrent,
    /// The current ratios alone.
    Current,
}

/// The short-term synthesis filter's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ShortTerm {
    /// LARpp(j-1)\[1..8\], the previous frame's decoded log-area ratios
    /// (zero before the first frame).
    previous: [i16; 8],
    /// v\[0..8\], the lattice's delay line.
    v: [i16; 9],
}

impl ShortTerm {
    /// The state at the start of a stream: all zero.
    pub(super) fn new() -> ShortTerm {
        ShortTerm {
            previous: [0; 8],
            v: [0; 9],
        }
    }

    /// The reconstructed signal sr\[0..159\] of one frame from its coded
    /// log-area ratios `larc` and the reconstructed residual `wt`.
    pub(super) fn synthesize(
        &mut self,
        larc: &[u8; 8],
        wt: &[i16; FRAME_SAMPLES],
        sr: &mut [i16; FRAME_SAMPLES],
    ) {
        let current = decode_lars(larc);
        for (range, mix) in SEGMENTS {
            let rp = interpolate(&self.previous, &current, mix).map(reflection);
            self.filter(&rp, &wt[range.clone()], &mut sr[range]);
        }
        self.previous = current;
    }

    /// The lattice filter with reflection coefficients `rp` over `wt` into
    /// `sr` (4.3.4).
    fn filter(&mut self, rp: &[i16; 8], wt: &[i16], sr: &mut [i16]) {
        let v = &mut self.v;
        for (out, &w) in sr.iter_mut().zip(wt) {
            let mut sri = w;
            for i in (0..8).rev() {
                sri = sub(sri, mult_r(rp[i], v[i]));
                v[i + 1] = add(v[i], mult_r(rp[i], sri));
            }
            v[0] = sri;
            *out = sri;
        }
    }
}

/// LARpp\[1..8\], the decoded log-area ratios (4.2.8): MIC restores each
/// code's sign, then B and INVA undo the quantizer's offset and slope.
fn decode_lars(larc: &[u8; 8]) -> [i16; 8] {
    std::array::from_fn(|i| {
        // LARc + MIC is -32..=31 at most: the shift cannot overflow.
        let temp1 = add(i16::from(larc[i]), MIC[i]) << 10;
        let temp1 = sub(temp1, B[i] << 1);
        let temp1 = mult_r(INVA[i], temp1);
        add(temp1, temp1)
    })
}

/// LARp\[1..8\] for one stretch of the frame (4.2.9.1).
fn interpolate(previous: &[i16; 8], current: &[i16; 8], mix: Mix) -> [i16; 8] {
    std::array::from_fn(|i| {
        let (p, c) = (previous[i], current[i]);
        match mix {
            Mix::MostlyPrevious => add(add(p >> 2, c >> 2), p >> 1),
            Mix::Half => add(p >> 1, c >> 1),
            Mix::MostlyCurrent => add(add(p >> 2, c >> 2), c >> 1),
            Mix::Current => c,
        }
    })
}

/// The reflection coefficient rp of an interpolated log-area ratio LARp
/// (4.2.9.2): a piecewise-linear approximation, odd in LARp, never -32768.
fn reflection(larp: i16) -> i16 {
    let magnitude = if larp == i16::MIN {
        i16::MAX
    } else {
        larp.abs()
    };
    let rp = if magnitude < 11059 {
        magnitude << 1
    } else if magnitude < 20070 {
        magnitude + 11059
    } else {
        add(magnitude >> 2, 26112)
    };
    if larp < 0 { -rp } else { rp }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lars_decode_by_tables_4_1_and_4_2() {
        // The middle codes (LARc = -MIC) decode to -B * INVA / 2^13.
        let middle = MIC.map(|m| m.unsigned_abs() as u8);
        assert_eq!(
            decode_lars(&middle),
            [0, 0, -3276, 4096, -220, 3822, 1310, 4148]
        );
        // The largest codes, and the smallest.
        assert_eq!(
            decode_lars(&[63, 63, 31, 31, 15, 15, 7, 7]),
            [25394, 25394, 9012, 16384, 8190, 11468, 7206, 9718]
        );
        assert_eq!(
            decode_lars(&[0; 8]),
            [-26214, -26214, -16384, -9012, -9832, -4916, -6554, -3278]
        );
    }

    #[test]
    fn interpolation_weights_previous_and_current() {
        let (p, c) = ([400; 8], [-800; 8]);
        assert_eq!(interpolate(&p, &c, Mix::MostlyPrevious), [100; 8]);
        assert_eq!(interpolate(&p, &c, Mix::Half), [-200; 8]);
        assert_eq!(interpolate(&p, &c, Mix::MostlyCurrent), [-500; 8]);
        assert_eq!(interpolate(&p, &c, Mix::Current), c);
    }

    #[test]
    fn reflection_is_piecewise_linear_and_odd() {
        assert_eq!(reflection(0), 0);
        assert_eq!(reflection(11058), 22116);
        assert_eq!(reflection(11059), 22118);
        assert_eq!(reflection(20069), 31128);
        assert_eq!(reflection(20070), 31129);
        assert_eq!(reflection(32767), 32767);
        assert_eq!(reflection(i16::MIN), -32767);
        for larp in -32767..=32767 {
            assert_eq!(reflection(-larp), -reflection(larp));
        }
    }

    #[test]
    fn silence_in_silence_out_and_the_filter_rings() {
        let mut st = ShortTerm::new();
        let mut sr = [1; FRAME_SAMPLES];
        st.synthesize(&[32, 32, 16, 16, 8, 8, 4, 4], &[0; FRAME_SAMPLES], &mut sr);
        assert_eq!(sr, [0; FRAME_SAMPLES]);
        // One impulse through a filter with only the first reflection
        // coefficient set: sr[k] = -rp1 * sr[k - 1], decaying geometrically.
        let mut st = ShortTerm::new();
        let mut wt = [0; FRAME_SAMPLES];
        wt[40] = 16384;
        let rp = [-16384, 0, 0, 0, 0, 0, 0, 0];
        st.filter(&rp, &wt[40..44], &mut sr[40..44]);
        assert_eq!(sr[40..44], [16384, 8192, 4096, 2048]);
    }
}
