//! Long-term synthesis filtering (GSM 06.10 4.3.2): the pitch predictor adds
//! to each subframe's RPE residual the reconstructed signal of `Nr` samples
//! before, scaled by the decoded gain (table 4.3b).

use super::arith::{add, mult_r};
use super::rpe::SUBFRAME_SAMPLES;
use super::tables::QLB;

/// The longest lag, which is also how much history the filter keeps.
const MAX_LAG: u8 = 120;
/// The shortest lag.
const MIN_LAG: u8 = 40;
const HISTORY: usize = MAX_LAG as usize;

/// The long-term synthesis filter's state: the last 120 samples of the
/// reconstructed short-term residual drp, and the last valid lag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LongTerm {
    /// drp\[-120..-1\], oldest first.
    history: [i16; HISTORY],
    /// nrp, the lag used last: a lag outside 40..=120 (possible only in a
    /// corrupt frame) is replaced by it.
    nrp: u8,
}

impl LongTerm {
    /// The state at the start of a stream: silence, lag 40.
    pub(super) fn new() -> LongTerm {
        LongTerm {
            history: [0; HISTORY],
            nrp: MIN_LAG,
        }
    }

    /// The reconstructed short-term residual drp\[0..39\] of one subframe
    /// from its residual `erp`, lag `nc` (0..=127) and coded gain `bc`
    /// (0..=3); the history moves on by a subframe.
    ///
    /// A lag outside 40..=120 keeps the previous one, as libgsm does (ffmpeg
    /// clips it instead; the two differ only on corrupt frames).
    pub(super) fn synthesize(
        &mut self,
        nc: u8,
        bc: u8,
        erp: &[i16; SUBFRAME_SAMPLES],
    ) -> [i16; SUBFRAME_SAMPLES] {
        let nr = if (MIN_LAG..=MAX_LAG).contains(&nc) {
            nc
        } else {
            self.nrp
        };
        self.nrp = nr;
        let brp = QLB[usize::from(bc)];
        // drp[k - nr] for k < 40 <= nr: always in the history.
        let start = HISTORY - usize::from(nr);
        let past = &self.history[start..start + SUBFRAME_SAMPLES];
        let mut drp = [0; SUBFRAME_SAMPLES];
        for ((d, &e), &p) in drp.iter_mut().zip(erp).zip(past) {
            *d = add(e, mult_r(brp, p));
        }
        self.history.copy_within(SUBFRAME_SAMPLES.., 0);
        self.history[HISTORY - SUBFRAME_SAMPLES..].copy_from_slice(&drp);
        drp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A residual with one pulse at `at`.
    fn pulse(at: usize, value: i16) -> [i16; SUBFRAME_SAMPLES] {
        let mut erp = [0; SUBFRAME_SAMPLES];
        erp[at] = value;
        erp
    }

    #[test]
    fn a_pulse_comes_back_one_lag_later_scaled_by_the_gain() {
        let mut lt = LongTerm::new();
        let quiet = [0; SUBFRAME_SAMPLES];
        assert_eq!(lt.synthesize(50, 3, &pulse(5, 10000)), pulse(5, 10000));
        // Sample 5 + 50 = 55 is sample 15 of the next subframe; gain 32767/32768.
        assert_eq!(lt.synthesize(50, 3, &quiet), pulse(15, 10000));
        // Lag 120 reaches three subframes back: the third subframe sees the
        // silence before the stream, the fourth the first one's pulse, at
        // gain 3277 (0.1).
        assert_eq!(lt.synthesize(120, 0, &quiet), quiet);
        assert_eq!(lt.synthesize(120, 0, &quiet), pulse(5, 1000));
    }

    #[test]
    fn a_lag_out_of_range_keeps_the_last_valid_one() {
        let mut lt = LongTerm::new();
        lt.synthesize(0, 0, &pulse(39, 100));
        assert_eq!(lt.nrp, 40, "the initial lag");
        // Sample 39 comes back 40 samples later, at 79 = 39 of this subframe.
        assert_eq!(
            lt.synthesize(127, 3, &[0; SUBFRAME_SAMPLES]),
            pulse(39, 100)
        );
        lt.synthesize(64, 0, &[0; SUBFRAME_SAMPLES]);
        lt.synthesize(39, 0, &[0; SUBFRAME_SAMPLES]);
        assert_eq!(lt.nrp, 64);
    }

    #[test]
    fn the_sum_saturates() {
        let mut lt = LongTerm::new();
        lt.synthesize(40, 0, &[30000; SUBFRAME_SAMPLES]);
        assert_eq!(
            lt.synthesize(40, 3, &[30000; SUBFRAME_SAMPLES]),
            [32767; SUBFRAME_SAMPLES]
        );
        assert_eq!(
            lt.synthesize(40, 3, &[-32768; SUBFRAME_SAMPLES]),
            [-2; SUBFRAME_SAMPLES]
        );
    }
}
