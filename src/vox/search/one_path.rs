//! The one-path search: [`Single`] follows one decoder state and decides
//! each code at once.

use std::hint::select_unpredictable;

use super::cost::{at_the_rails, capped_code, code_of, pair_window, pairs, rails, recips, spread};
use super::lanes::{Lanes, PackedRails};
use crate::vox::DecoderFlavor;
use crate::vox::state::{FFMPEG_MAX, family};
use crate::vox::tables::NEXT_INDEX;

/// The one-path search (`paths == 1`): each sample's code is the cheaper
/// by [`cost`](super::cost::cost) (overshoot penalised) of two levels, the
/// greedy level of the families' mean predictor and its neighbour on the
/// sample's side (see [`pair_window`]; trying both neighbours, as the
/// trellis does, gains nothing measurable at one path and adds work).
/// No history: every decision is final at once, so codes come out without
/// delay.
#[derive(Debug, Clone)]
pub(crate) struct Single<const N: usize> {
    /// One row per step index, 64 of them (49 used) so that indexing by
    /// `i & 63` needs no bounds check.
    rows: Box<[SingleRow<N>; 64]>,
    lo: [i32; N],
    hi: [i32; N],
    /// `lo` and `hi` packed.
    rails: PackedRails,
    /// The most the first (exact) family's predictor may reach (see
    /// [`capped_code`]): `hi[0]` too, so that a step past it leaves the
    /// fast path.
    cap: i32,
    /// How much the families' disagreement weighs in the cost (see
    /// [`cost`](super::cost::cost)).
    spread: i32,
    pred: [i32; N],
    index: u8,
}

/// What the one-path search reads at one step index.
#[derive(Debug, Clone, Copy)]
struct SingleRow<const N: usize> {
    /// The reciprocal that picks the middle level (see
    /// [`middle_level`](super::cost::middle_level)).
    recip: u64,
    /// `levels[l + 1]` for reconstruction level `l` (0 the most negative),
    /// with level 0 again at 0 and level 15 again at 17, so that the three
    /// candidates around any middle level are `levels[m..m + 3]`, clamped
    /// as the trellis clamps them.
    levels: [Level<N>; 18],
}

/// One reconstruction level at one step index, with what
/// [`cost`](super::cost::cost) needs precomputed.
#[derive(Debug, Clone, Copy)]
struct Level<const N: usize> {
    /// Each family's signed difference.
    diff: [i32; N],
    /// The same, as one number to add to packed predictors (see [`Lanes`]).
    step: u64,
    /// Their sum.
    sum: i32,
    /// `spread * (diff[f] - diff[g])` for each pair `f < g`, in the order
    /// of [`cost`](super::cost::cost) (three pairs at most).
    pairs: [i32; 3],
    /// The step index after this level, and the code above it.
    next_code: i32,
    /// The next step index's reciprocal (see
    /// [`middle_level`](super::cost::middle_level)), so that the next
    /// sample need not wait for its row to find it.
    next_recip: i32,
}

impl<const N: usize> Single<N> {
    fn new(families: [DecoderFlavor; N], spread: i32, cap: i32) -> Single<N> {
        let tables = families.map(|f| family(f).0);
        let blank = Level {
            diff: [0i32; N],
            step: 0,
            sum: 0,
            pairs: [0; 3],
            next_code: 0,
            next_recip: 0,
        };
        let mut rows = Box::new(
            [SingleRow {
                recip: 0,
                levels: [blank; 18],
            }; 64],
        );
        for (i, row) in rows.iter_mut().enumerate().take(tables[0].len()) {
            row.recip = recips::<N>()[i];
            for (at, level) in row.levels.iter_mut().enumerate() {
                let code = code_of((at as i32 - 1).clamp(0, 15));
                let diff = tables.map(|t| t[i][code as usize]);
                let pairs = pairs(&diff, spread);
                let next = NEXT_INDEX[i][(code & 7) as usize];
                *level = Level {
                    diff,
                    step: Lanes::step(&diff),
                    sum: diff.iter().sum(),
                    pairs,
                    next_code: (code as i32) << 8 | next as i32,
                    next_recip: recips::<N>()[next as usize] as i32,
                };
            }
        }
        let (lo, hi) = rails(families, cap);
        Single {
            rows,
            lo,
            hi,
            rails: PackedRails::new(&lo, &hi),
            cap,
            spread,
            pred: [0; N],
            index: 0,
        }
    }

    /// Where level `code` sits in [`SingleRow::levels`] (`levels[l + 1]`
    /// holds level `l`).
    fn at(code: u8) -> usize {
        let m = (code & 7) as usize;
        if code & 8 != 0 { 8 - m } else { 9 + m }
    }

    /// Encode `samples`, appending one code per sample to `codes`.
    ///
    /// Each code depends on the state the previous one left, so this loop
    /// runs at the speed of that chain, and does little per sample: the
    /// predictors packed in one number ([`Lanes`]: one addition steps
    /// them all, one test checks every rail), their sum and scaled
    /// differences carried with them rather than recomputed, the next step
    /// index's reciprocal read with the level, the two costs compared by
    /// their difference (one product per term of
    /// [`cost`](super::cost::cost) instead of two squares), and the winner
    /// selected without a branch on the data.
    pub(crate) fn push_all(&mut self, samples: &[i16], codes: &mut Vec<u8>) {
        let start = codes.len();
        codes.resize(start + samples.len(), 0);
        let mut index = self.index;
        let mut recip = self.rows[(index & 63) as usize].recip;
        let mut packed = Lanes::pack(&self.pred);
        // Carried from sample to sample with the predictors rather than
        // computed from them.
        let mut sum = self.pred.iter().sum::<i32>();
        let mut apart = pairs(&self.pred, self.spread);
        for (out, &x) in codes[start..].iter_mut().zip(samples) {
            let x = x as i32;
            let row = &self.rows[(index & 63) as usize];
            let lower = pair_window(N as i32 * x - sum, recip);
            let cands = [&row.levels[lower], &row.levels[lower + 1]];
            let [a, b] = cands;
            let u = [packed.wrapping_add(a.step), packed.wrapping_add(b.step)];
            let sums = [sum + a.sum, sum + b.sum];
            let mut aparts = [[0i32; 3]; 2];
            for q in 0..3 {
                aparts[0][q] = apart[q] + a.pairs[q];
                aparts[1][q] = apart[q] + b.pairs[q];
            }
            // cost(b) - cost(a), term by term as (v - w)(v + w) where v and w
            // are the terms [`cost`] squares: one product per term.
            let t = N as i32 * x - sum;
            let mut second = (a.sum - b.sum) as i64 * (2 * t - a.sum - b.sum) as i64;
            let terms = (b.pairs.iter().zip(&a.pairs)).zip(aparts[0].iter().zip(&aparts[1]));
            for ((pb, pa), (va, vb)) in terms.take(N * (N - 1) / 2) {
                second += (pb - pa) as i64 * (va + vb) as i64;
            }
            let second = second < 0;
            // The candidates are in the order of their differences in every
            // family, so only the first can pass a low rail and only the
            // second a high one; one test for all families at once.
            let (won, next_recip) = if self.rails.hold(u[0], u[1]) {
                // The first of the cheaper, as the reference keeps it. Which
                // one wins is a coin toss on speech: selects, not branches.
                let pick = |a: i32, b: i32| select_unpredictable(second, b, a);
                packed = select_unpredictable(second, u[1], u[0]);
                sum = pick(sums[0], sums[1]);
                for q in 0..3 {
                    apart[q] = pick(aparts[0][q], aparts[1][q]);
                }
                (
                    pick(a.next_code, b.next_code),
                    pick(a.next_recip, b.next_recip),
                )
            } else {
                let pred = Lanes::unpack::<N>(packed);
                // A level that would take the exact family past the cap
                // gives way to the nearest one below that does not.
                let capped = |at: usize| {
                    let diff = |c: u8| row.levels[Self::at(c)].diff[0];
                    let level = &row.levels[at];
                    Self::at(capped_code(
                        pred[0],
                        (level.next_code >> 8) as u8,
                        self.cap,
                        diff,
                    ))
                };
                let (a, b) = (&row.levels[capped(lower)], &row.levels[capped(lower + 1)]);
                let rails = (self.lo, self.hi);
                let (ca, pa) = at_the_rails(pred, index, x, &a.diff, rails, self.spread);
                let (cb, pb) = at_the_rails(pred, index, x, &b.diff, rails, self.spread);
                let second = cb < ca;
                let clamped = if second { pb } else { pa };
                packed = Lanes::pack(&clamped);
                sum = clamped.iter().sum();
                apart = pairs(&clamped, self.spread);
                let won = if second { b } else { a };
                (won.next_code, won.next_recip)
            };
            recip = next_recip as u32 as u64;
            index = won as u8;
            *out = (won >> 8) as u8;
        }
        self.pred = Lanes::unpack(packed);
        self.index = index;
    }
}

impl Single<1> {
    /// One-path search against the exact family.
    pub(crate) fn exact() -> Single<1> {
        Single::new([DecoderFlavor::Exact], 1, i32::MAX)
    }
}

impl Single<3> {
    /// One-path search against all three families.
    pub(crate) fn universal() -> Single<3> {
        Single::new(
            [
                DecoderFlavor::Exact,
                DecoderFlavor::ShiftAdd,
                DecoderFlavor::Asterisk,
            ],
            spread(1),
            FFMPEG_MAX,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::cost::cost;
    use super::*;

    /// The one-path search spelled plainly: at each sample the two levels
    /// of [`pair_window`], each scored by [`cost`] (or [`at_the_rails`]),
    /// the first of the cheaper kept.
    fn one_path_reference<const N: usize>(
        families: [DecoderFlavor; N],
        spread: i32,
        cap: i32,
        x: &[i16],
    ) -> Vec<u8> {
        let tables = families.map(|f| family(f).0);
        let rails = rails(families, cap);
        let (mut pred, mut index) = ([0i32; N], 0u8);
        let mut codes = Vec::new();
        for &x in x {
            let x = x as i32;
            let i = index as usize;
            let sum: i32 = pred.iter().sum();
            // `levels[l + 1]` holds level `l`.
            let lower = pair_window(N as i32 * x - sum, recips::<N>()[i]) as i32 - 1;
            let mut best: Option<(u64, [i32; N], u8)> = None;
            for level in [lower, lower + 1] {
                // A level past the cap: the highest below it that is not.
                let mut level = level.clamp(0, 15);
                while level > 0 && pred[0] + tables[0][i][code_of(level) as usize] > cap {
                    level -= 1;
                }
                let code = code_of(level);
                let d = tables.map(|t| t[i][code as usize]);
                let u: [i32; N] = std::array::from_fn(|f| pred[f] + d[f]);
                let inside = (0..N).all(|f| rails.0[f] <= u[f] && u[f] <= rails.1[f]);
                let (c, u) = if inside {
                    (cost(x, &u, spread), u)
                } else {
                    at_the_rails(pred, index, x, &d, rails, spread)
                };
                if best.is_none_or(|(b, _, _)| c < b) {
                    best = Some((c, u, code));
                }
            }
            let (_, u, code) = best.expect("two candidates");
            pred = u;
            index = NEXT_INDEX[i][(code & 7) as usize];
            codes.push(code);
        }
        codes
    }

    #[test]
    fn single_path_engine_equals_its_plain_reference() {
        let growing: Vec<i16> = (0..3000)
            .map(|i| ((i as f64 * 0.05).sin() * (i as f64 * 9.0)) as i16)
            .collect();
        // Full-scale square waves drive the predictors into the rails, where
        // the single-path engine takes its slow path.
        let square = crate::test_fixtures::square(3000, 7);
        let noise = crate::test_fixtures::noise(1, 3000);
        let all = [
            DecoderFlavor::Exact,
            DecoderFlavor::ShiftAdd,
            DecoderFlavor::Asterisk,
        ];
        for x in [growing, square, noise] {
            let mut b = Vec::new();
            Single::universal().push_all(&x, &mut b);
            assert_eq!(b, one_path_reference(all, spread(1), FFMPEG_MAX, &x));
            let mut b = Vec::new();
            Single::exact().push_all(&x, &mut b);
            let exact = [DecoderFlavor::Exact];
            assert_eq!(b, one_path_reference(exact, 1, i32::MAX, &x));
        }
    }
}
