//! The cost model both searches score candidates with, and the levels
//! they try: what a candidate costs ([`cost`], [`at_the_rails`]), how much
//! the families' disagreement weighs ([`spread`]), and which levels are
//! tried ([`middle_level`], [`pair_window`], [`code_of`]).

use crate::vox::DecoderFlavor;
use crate::vox::state::{family, overshoot};
use crate::vox::tables::{RECIP_4S, RECIP_12S, STEPS};

/// Added to a candidate's cost when a predictor overshoots the rails beyond
/// the grace of `s/8` (16 times the largest possible squared error of a sample).
const OVERSHOOT_PENALTY: u64 = 1 << 36;

/// How much the families' disagreement weighs in the cost of a universal
/// search with `paths` paths: the `spread` of [`cost`], so the weight is
/// its square (25, 9, 4). Fewer paths see less of the future and need the
/// families held together more firmly. The values give the best
/// worst-family SNR averaged over clips of speech, music and noise; the
/// gain over the plain summed squared error (spread 1) is large at one path
/// and small from four up (see the README's VOX section).
pub(super) const fn spread(paths: usize) -> i32 {
    match paths {
        0 | 1 => 5,
        2 | 3 => 3,
        _ => 2,
    }
}

/// The reciprocals that pick the middle level for `N` families.
pub(super) fn recips<const N: usize>() -> &'static [u64; STEPS] {
    const { assert!(N == 1 || N == 3) };
    if N == 1 { &RECIP_4S } else { &RECIP_12S }
}

/// The middle of the three levels a search tries for sample `x` from
/// predictors whose sum is `N x - d`: the greedy level of the families'
/// mean predictor, `min(7, |d| / 4Ns)` signed, where `recip` is the step
/// index's entry of [`recips`] (so no division by `N`, and no branch on the
/// sign, which speech makes a coin toss: `7 - q` is `15 - (8 + q)`).
#[inline(always)]
pub(super) fn middle_level(d: i32, recip: u64) -> i32 {
    let q = ((d.unsigned_abs() as u64 * recip) >> 32).min(7) as i32;
    (8 + q) ^ ((d >> 31) & 15)
}

/// The two levels the one-path search tries, as the index into
/// `SingleRow::levels` of the lower one: the greedy level of the families'
/// mean predictor (see [`middle_level`]; `d` is `N x - sum`) and its
/// neighbour on the side of the sample. The greedy level's difference is the
/// middle of the interval `|d|` falls in, so the remainder of the division
/// says which neighbour is nearer: the one further out when `|d|` is in the
/// upper half of the interval (below the largest magnitude), else the one
/// further in (across zero from magnitude 0). Both cases are `|d| / 4Ns`
/// rounded to the nearest whole `m` (at most 7), the pair being magnitudes
/// `m - 1` and `m` on the sample's side of zero; as `levels[l + 1]` holds
/// level `l`, the pair starts at `8 + m` for `d >= 0` and `8 - m` below
/// (a test holds this to the spelled-out rule).
#[inline(always)]
pub(super) fn pair_window(d: i32, recip: u64) -> usize {
    let m = ((d.unsigned_abs() as u64 * recip + (1 << 31)) >> 32).min(7) as i32;
    let s = d >> 31;
    (8 + ((m ^ s) - s)) as usize & 15
}

/// The cost of predictors `u` (inside their rails) for sample `x`:
/// `(N x - sum u)^2 + sum over pairs f < g of (spread * (u_f - u_g))^2`.
///
/// With `spread` 1 this is `N` times the summed squared error over the
/// families, since `sum (x - u_f)^2 = ((N x - sum u)^2 + pairs) / N`: the
/// first term is the error of the families' mean, the second how far they
/// disagree. A larger spread keeps the families together: a predictor is an
/// integrator, so a disagreement left now is carried into every later
/// sample, which a search of few paths cannot see coming. For one family
/// it is the squared error.
#[inline(always)]
pub(super) fn cost<const N: usize>(x: i32, u: &[i32; N], spread: i32) -> u64 {
    let t = (N as i32 * x - u.iter().sum::<i32>()) as i64;
    let pairs = pairs(u, spread);
    let apart = pairs.iter().take(N * (N - 1) / 2);
    apart.fold((t * t) as u64, |cost, &a| {
        cost + (a as i64 * a as i64) as u64
    })
}

/// `spread * (v[f] - v[g])` for each pair `f < g` (`(0, 1), (0, 2), (1,
/// 2)` for three families; none for one): the terms [`cost`] squares, and
/// what the one-path search carries and reads per level.
#[inline(always)]
pub(super) fn pairs<const N: usize>(v: &[i32; N], spread: i32) -> [i32; 3] {
    let mut pairs = [0; 3];
    let mut q = 0;
    for f in 0..N {
        for g in f + 1..N {
            pairs[q] = spread * (v[f] - v[g]);
            q += 1;
        }
    }
    pairs
}

/// A candidate's cost and predictors when some family's predictor left its
/// rails: every family stepped from `from` by `diffs` at step index
/// `index`, clamped to `rails` (lows, highs). The cost is [`cost`] of the
/// clamped predictors plus, for each family that passed a rail by more
/// than the grace of `s/8`, [`OVERSHOOT_PENALTY`] and the squared excess,
/// both scaled as `cost` scales a squared error (times `N`, times
/// `spread^2`), so that no disagreement outweighs them.
#[cold]
#[inline(never)]
pub(super) fn at_the_rails<const N: usize>(
    from: [i32; N],
    index: u8,
    x: i32,
    diffs: &[i32; N],
    (lo, hi): ([i32; N], [i32; N]),
    spread: i32,
) -> (u64, [i32; N]) {
    let mut penalties = 0u64;
    let mut pred = [0i32; N];
    for f in 0..N {
        let u = from[f] + diffs[f];
        pred[f] = u.max(lo[f]).min(hi[f]);
        if pred[f] != u {
            let over = overshoot(u, index, lo[f], hi[f]) as u64;
            if over > 0 {
                penalties += OVERSHOOT_PENALTY + over * over;
            }
        }
    }
    let scale = N as u64 * (spread * spread).max(1) as u64;
    (cost(x, &pred, spread) + penalties * scale, pred)
}

/// The rails a search holds each family's predictor to (lows, highs): the
/// families' own, but for the first (exact) family's top, which is at most
/// `cap`, so that a step past the cap leaves the searches' fast paths and
/// [`capped_code`] replaces it.
pub(super) fn rails<const N: usize>(
    families: [DecoderFlavor; N],
    cap: i32,
) -> ([i32; N], [i32; N]) {
    let (lo, mut hi) = (families.map(|f| family(f).1), families.map(|f| family(f).2));
    hi[0] = hi[0].min(cap);
    (lo, hi)
}

/// `code`, or when it would take a predictor `p` above `cap` (its
/// difference `diff(code)` too large), the code of the highest lower level
/// that does not. One always exists: the level below zero (sign set, m = 0)
/// steps down, and `p` is at most `cap`.
///
/// This keeps a universal stream inside the range where ffmpeg agrees with
/// sox and libsndfile: ffmpeg's `adpcm_ima_oki` stops the predictor at
/// `2047 x 16 = 32752`, sox and libsndfile at 32767, so a stream whose
/// exact predictor never passes 32752 decodes to the same samples on all
/// three (the bottom rail, -32768, is the same for them).
#[cold]
pub(super) fn capped_code(p: i32, code: u8, cap: i32, diff: impl Fn(u8) -> i32) -> u8 {
    let m = (code & 7) as i32;
    let mut level = if code & 8 != 0 { 7 - m } else { 8 + m };
    while level > 0 && p + diff(code_of(level)) > cap {
        level -= 1;
    }
    code_of(level)
}

/// The code of a reconstruction level 0..=15 (0 the most negative
/// difference: sign set, m = 7; 15 the most positive).
#[inline]
pub(super) fn code_of(level: i32) -> u8 {
    // Branch-free: below 8, `c` is negative and `c ^ (c >> 31)` is `7 - level`.
    let c = level - 8;
    ((c ^ (c >> 31)) & 7 | ((c >> 31) & 8)) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vox::fixtures::wav;
    use crate::vox::state::{State, difference, greedy_code};
    use crate::vox::{self, DecoderFlavor, EncoderKind};

    /// Reconstruction level 0..=15 of a code, ordered from most negative
    /// (sign set, m = 7) to most positive (m = 7).
    fn level_of(code: u8) -> i32 {
        let m = (code & 7) as i32;
        if code & 8 != 0 { 7 - m } else { 8 + m }
    }

    #[test]
    fn middle_level_is_the_greedy_level_of_the_mean() {
        for index in 0..49u8 {
            let i = index as usize;
            for x in (-32768..=32767).step_by(7) {
                for p in [-32768, -5000, 0, 123, 32767] {
                    let greedy = level_of(greedy_code(p, index, x));
                    assert_eq!(
                        middle_level(x - p, RECIP_4S[i]),
                        greedy,
                        "index {index} x {x} p {p}"
                    );
                    // Three equal predictors: their mean is `p`.
                    assert_eq!(
                        middle_level(3 * (x - p), RECIP_12S[i]),
                        greedy,
                        "index {index} x {x} p {p}"
                    );
                }
            }
        }
    }

    #[test]
    fn pair_window_is_the_greedy_level_and_its_nearer_neighbour() {
        for (i, &recip) in RECIP_12S.iter().enumerate() {
            for d in -3 * 65535i32..=3 * 65535 {
                let prod = d.unsigned_abs() as u64 * recip;
                let q = (prod >> 32).min(7) as i32;
                let outward = (prod >> 31) & 1 == 1 && prod >> 32 < 7;
                let level = (8 + q) ^ ((d >> 31) & 15);
                let up = outward == (d >= 0);
                let spelled = (level + up as i32) as usize;
                assert_eq!(pair_window(d, recip), spelled, "index {i} d {d}");
            }
        }
    }

    #[test]
    fn pair_window_brackets_the_sample() {
        // The exact family alone, from predictor 0: the two levels tried
        // always hold the one nearest the sample (the greedy level's
        // difference is the middle of its interval).
        let t = &crate::vox::tables::SIGNED_EXACT;
        for (i, row) in t.iter().enumerate() {
            for x in (-32768..=32767).step_by(13) {
                let lower = pair_window(x, RECIP_4S[i]) as i32 - 1;
                let pair = [lower.clamp(0, 15), (lower + 1).clamp(0, 15)];
                let err = |l: i32| (x - row[code_of(l) as usize]).abs();
                let nearest = (0..16).min_by_key(|&l| err(l)).expect("16 levels");
                assert!(
                    pair.iter().any(|&l| err(l) == err(nearest)),
                    "index {i} x {x}: tried {pair:?}, nearest {nearest}"
                );
            }
        }
    }

    #[test]
    fn levels_round_trip() {
        for code in 0..16u8 {
            assert_eq!(code_of(level_of(code)), code);
        }
        assert_eq!(code_of(0), 0xF);
        assert_eq!(code_of(15), 0x7);
    }

    #[test]
    fn universal_streams_decode_alike_on_sox_and_ffmpeg() {
        // The square and clipped speech push every encoder to the top rail,
        // where ffmpeg's decoder stops 15 below sox's; loud noise and a
        // square riding just under full scale too.
        let noise = crate::test_fixtures::noise(99, 20_000);
        let near: Vec<i16> = (0..8000)
            .map(|i| if (i / 13) % 2 == 0 { 32_760 } else { -100 })
            .collect();
        let inputs = [
            wav("square-300Hz-0dBFS-8000Hz.wav"),
            wav("speech-espeak-clipped-8000Hz.wav"),
            noise,
            near,
        ];
        for x in &inputs {
            // Greedy does ride the rail: the inputs do test something.
            let greedy = vox::encode(x, EncoderKind::Greedy);
            let exact = vox::decode(&greedy, DecoderFlavor::Exact);
            assert!(exact.contains(&32767));
            for paths in [1, 2, 3, 4, 8, 16] {
                let kind = EncoderKind::Universal { paths };
                let bytes = vox::encode(x, kind);
                let exact = vox::decode(&bytes, DecoderFlavor::Exact);
                assert_eq!(exact, vox::decode(&bytes, DecoderFlavor::Ffmpeg), "{kind}");
                assert!(exact.iter().all(|&s| s <= 32752), "{kind}");
            }
        }
    }

    #[test]
    fn capped_code_is_the_highest_level_within_the_cap() {
        let t = &crate::vox::tables::SIGNED_EXACT;
        for (i, row) in t.iter().enumerate() {
            for p in (32_000..=32_752).step_by(16) {
                for code in 0..16u8 {
                    let got = capped_code(p, code, 32_752, |c| row[c as usize]);
                    let level = level_of(code);
                    let want = (0..=level)
                        .rev()
                        .find(|&l| p + row[code_of(l) as usize] <= 32_752)
                        .expect("a level steps down");
                    assert_eq!(got, code_of(want), "index {i} p {p} code {code}");
                }
            }
        }
    }

    #[test]
    fn search_streams_never_overshoot_past_the_grace() {
        // The full-scale square drives every encoder into the rails.
        let x = wav("square-300Hz-0dBFS-8000Hz.wav");
        for kind in [
            EncoderKind::Search { paths: 16 },
            EncoderKind::Universal { paths: 16 },
        ] {
            let bytes = vox::encode(&x, kind);
            for f in DecoderFlavor::ALL {
                let mut s = State::INITIAL;
                for &b in &bytes {
                    for code in [b >> 4, b & 15] {
                        let before = s;
                        s.decode(code, f);
                        let grace = (before.step_size() >> 3) * 16;
                        let d = s.predictor() as i32 - before.predictor() as i32;
                        let full = difference(before, code, f);
                        assert!(
                            (full - d).abs() <= grace,
                            "{kind} on {f}: overshoot {} > {grace}",
                            (full - d).abs()
                        );
                    }
                }
            }
        }
    }
}
