//! The greedy encoder's fast path: the same bytes as the one-sample loop,
//! several times faster.
//!
//! Greedy encoding is one long chain of dependent steps (each code depends
//! on the state the previous code left), so a single loop runs at the speed
//! of that chain, not of the processor. But two greedy encoders that start
//! in different states on the same input soon reach the same state (the step
//! index pins at its ends, and the predictor follows the signal), and from
//! then on they write the same codes. So a long input is cut into segments
//! that are encoded at the same time, interleaved three to a thread (the
//! processor overlaps their chains), on every thread of a rayon pool (see
//! [`pool`](super::pool)):
//!
//! 1. Each segment after the first starts from a guessed state: the state
//!    reached by encoding the [`WARM_UP`] samples before it from rest.
//!    While encoding, it records its state every [`CHECK_EVERY`] samples.
//! 2. Then, in order, each segment's guess is compared with the true state
//!    the previous segment ended in. When they differ, the segment is
//!    re-encoded from the true state, a block at a time, until the state at
//!    the end of a block equals the recorded one: from there on the two
//!    encodings are the same, so the recorded bytes stand.
//!
//! The output is therefore byte for byte what the plain loop writes, for
//! any input (a test compares them on inputs built to converge slowly); only
//! the time depends on how fast the states meet, which on speech is within
//! a few blocks.

use super::NibbleOrder;
use super::pool;
use super::state::State;
use super::tables::{ROWS_EXACT, Row};

/// Segments encoded at once on one thread.
const LANES: usize = 3;
/// Samples between recorded states (even, so blocks are whole bytes).
const CHECK_EVERY: usize = 512;
/// Samples encoded from rest before a segment to guess its starting state.
const WARM_UP: usize = 1024;
/// The shortest segment worth splitting off; shorter inputs use one loop.
const MIN_SEGMENT: usize = 32 * 1024;

/// The encoder state in registers: the predictor and the step index's row.
#[derive(Debug, Clone, Copy)]
struct Reg {
    p: i32,
    row: &'static Row,
}

impl Reg {
    fn of(state: State) -> Reg {
        Reg {
            p: state.predictor() as i32,
            row: &ROWS_EXACT[state.step_index() as usize],
        }
    }

    fn state(self) -> State {
        State::new(self.p as i16, self.row.index)
    }

    /// One greedy step, `State::encode_greedy` spelled for speed: the
    /// magnitude `min(7, |d| / 4s)` by a reciprocal, the difference and the
    /// next row from this row, and the clamp only when the predictor leaves
    /// the 16-bit range.
    #[inline(always)]
    fn step(&mut self, x: i16) -> u8 {
        let d = x as i32 - self.p;
        let q = ((d.unsigned_abs() as u64 * self.row.recip) >> 32).min(7);
        let code = q as usize | ((d >> 28) & 8) as usize;
        let v = self.p + self.row.diff[code];
        self.p = if (v + 32768) as u32 > 65535 {
            clamp_16(v)
        } else {
            v
        };
        self.row = self.row.next[code];
        code as u8
    }

    /// Encode the pairs of `x` (even length) into `out` (half as long),
    /// the first sample in the high nibble.
    #[inline]
    fn run(&mut self, x: &[i16], out: &mut [u8]) {
        for (pair, byte) in x.chunks_exact(2).zip(out.iter_mut()) {
            let a = self.step(pair[0]);
            let b = self.step(pair[1]);
            *byte = a << 4 | b;
        }
    }
}

/// The predictor clamped to 16 bits, out of the hot loop: a call keeps the
/// compiler from turning the one rare test before it into two.
#[cold]
#[inline(never)]
fn clamp_16(v: i32) -> i32 {
    v.clamp(-32768, 32767)
}

/// Encode `x` (even length) greedily from `state` into whole bytes appended
/// to `out`, leaving `state` where the exact decoder would be.
pub(crate) fn encode_pairs(state: &mut State, x: &[i16], order: NibbleOrder, out: &mut Vec<u8>) {
    debug_assert!(x.len().is_multiple_of(2));
    let start = out.len();
    out.resize(start + x.len() / 2, 0);
    let bytes = &mut out[start..];
    let segments = (pool::threads() * LANES).min(x.len() / MIN_SEGMENT);
    if segments < 2 {
        let mut r = Reg::of(*state);
        r.run(x, bytes);
        *state = r.state();
    } else {
        let from = *state;
        *state = pool::install(|| encode_split(from, x, &mut *bytes, segments).0);
    }
    if order == NibbleOrder::LowFirst {
        for b in bytes {
            *b = b.rotate_left(4);
        }
    }
}

/// What splicing the segments took (for tests and curiosity).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Splices {
    /// Segments whose guess was the true state.
    guessed: usize,
    /// Segments re-encoded until they met their recorded states.
    met: usize,
    /// Segments re-encoded to the end without meeting them.
    redone: usize,
}

/// One stretch of the input and what encoding it from a guess recorded.
#[derive(Debug)]
struct Segment {
    /// First sample (even).
    start: usize,
    /// Samples (even).
    len: usize,
    /// The state the encoding started from.
    guess: State,
    /// The state after each whole block of `CHECK_EVERY` samples.
    checkpoints: Vec<State>,
    /// The state at the end.
    end: State,
}

fn encode_split(state: State, x: &[i16], bytes: &mut [u8], count: usize) -> (State, Splices) {
    // Equal segments in whole blocks; the last one takes the rest.
    let blocks = x.len() / CHECK_EVERY;
    let per = blocks / count * CHECK_EVERY;
    let mut segs: Vec<Segment> = (0..count)
        .map(|j| {
            let start = j * per;
            let len = if j + 1 == count { x.len() - start } else { per };
            // Segments after the first guess theirs in `run_group`, on
            // their own thread.
            let guess = state;
            Segment {
                start,
                len,
                guess,
                checkpoints: Vec::with_capacity(len / CHECK_EVERY),
                end: guess,
            }
        })
        .collect();
    // Disjoint output slices, one per segment.
    let mut outs: Vec<&mut [u8]> = Vec::with_capacity(count);
    let mut rest = &mut *bytes;
    for s in &segs {
        let (head, tail) = rest.split_at_mut(s.len / 2);
        outs.push(head);
        rest = tail;
    }
    // Groups of LANES segments, spread over the pool.
    let mut groups: Vec<(&mut [Segment], &mut [&mut [u8]])> =
        segs.chunks_mut(LANES).zip(outs.chunks_mut(LANES)).collect();
    run_groups(&mut groups, x);
    drop(groups);
    drop(outs);
    // Splice: every segment must start from where the one before ended.
    let mut splices = Splices::default();
    let mut truth = segs[0].end;
    for seg in &mut segs[1..] {
        if seg.guess == truth {
            splices.guessed += 1;
        } else {
            let out = &mut bytes[seg.start / 2..(seg.start + seg.len) / 2];
            let x = &x[seg.start..seg.start + seg.len];
            match redo(seg, truth, x, out) {
                None => splices.met += 1,
                Some(end) => {
                    splices.redone += 1;
                    seg.end = end;
                }
            }
        }
        truth = seg.end;
    }
    (truth, splices)
}

fn run_groups(groups: &mut [(&mut [Segment], &mut [&mut [u8]])], x: &[i16]) {
    match groups {
        [] => {}
        [(segs, outs)] => run_group(segs, outs, x),
        _ => {
            // On the pool `pool::install` chose.
            let (a, b) = groups.split_at_mut(groups.len() / 2);
            rayon::join(|| run_groups(a, x), || run_groups(b, x));
        }
    }
}

/// Encode up to `LANES` segments interleaved: their common whole blocks in
/// one loop, then each one's remainder alone. Each segment but the first of
/// the input starts from its guess: the state reached by encoding the
/// `WARM_UP` samples before it from rest.
fn run_group(segs: &mut [Segment], outs: &mut [&mut [u8]], x: &[i16]) {
    for seg in segs.iter_mut().filter(|s| s.start > 0) {
        let mut r = Reg::of(State::INITIAL);
        for &s in &x[seg.start - WARM_UP.min(seg.start)..seg.start] {
            r.step(s);
        }
        seg.guess = r.state();
        seg.end = seg.guess;
    }
    if segs.len() == LANES {
        let common = segs.iter().map(|s| s.len).min().unwrap_or(0) / CHECK_EVERY;
        let mut regs: [Reg; LANES] = std::array::from_fn(|l| Reg::of(segs[l].guess));
        for k in 0..common {
            let lo = k * CHECK_EVERY;
            let xs: [&[i16; CHECK_EVERY]; LANES] = std::array::from_fn(|l| {
                let at = segs[l].start + lo;
                x[at..at + CHECK_EVERY].try_into().expect("a whole block")
            });
            let mut os = outs.iter_mut();
            let ob: [&mut [u8; CHECK_EVERY / 2]; LANES] = std::array::from_fn(|_| {
                let o = os.next().expect("one output per lane");
                (&mut o[lo / 2..(lo + CHECK_EVERY) / 2])
                    .try_into()
                    .expect("a whole block")
            });
            interleave(&mut regs, xs, ob);
            for (seg, r) in segs.iter_mut().zip(&regs) {
                seg.checkpoints.push(r.state());
            }
        }
        for ((seg, out), r) in segs.iter_mut().zip(outs.iter_mut()).zip(regs) {
            seg.end = r.state();
            finish_segment(seg, common * CHECK_EVERY, x, out);
        }
    } else {
        for (seg, out) in segs.iter_mut().zip(outs.iter_mut()) {
            finish_segment(seg, 0, x, out);
        }
    }
}

/// One block of `LANES` segments, their steps interleaved so that the
/// processor works on three dependency chains at once. Three is the most
/// whose states stay in registers: with four the step rows spill to the
/// stack and the loop is slower. Codes gather in a local array and are
/// copied out at the end of the block.
#[inline(never)]
fn interleave(
    regs: &mut [Reg; LANES],
    xs: [&[i16; CHECK_EVERY]; LANES],
    ob: [&mut [u8; CHECK_EVERY / 2]; LANES],
) {
    let mut codes = [[0u8; CHECK_EVERY / 2]; LANES];
    let mut r = *regs;
    for i in 0..CHECK_EVERY / 2 {
        let hi: [u8; LANES] = std::array::from_fn(|l| r[l].step(xs[l][2 * i]));
        let lo: [u8; LANES] = std::array::from_fn(|l| r[l].step(xs[l][2 * i + 1]));
        for l in 0..LANES {
            codes[l][i] = hi[l] << 4 | lo[l];
        }
    }
    *regs = r;
    for (o, c) in ob.into_iter().zip(&codes) {
        o.copy_from_slice(c);
    }
}

/// Encode `seg` from sample `done` (relative, a whole block) to its end,
/// starting from `seg.end`, recording checkpoints.
fn finish_segment(seg: &mut Segment, done: usize, x: &[i16], out: &mut [u8]) {
    let mut r = Reg::of(if done == 0 { seg.guess } else { seg.end });
    let xs = &x[seg.start + done..seg.start + seg.len];
    for (xb, ob) in xs
        .chunks(CHECK_EVERY)
        .zip(out[done / 2..].chunks_mut(CHECK_EVERY / 2))
    {
        r.run(xb, ob);
        if xb.len() == CHECK_EVERY {
            seg.checkpoints.push(r.state());
        }
    }
    seg.end = r.state();
}

/// Re-encode `seg` from its true starting state until it meets a recorded
/// checkpoint. Returns `None` when it met one (the recorded end stands),
/// else the true end state.
fn redo(seg: &Segment, truth: State, x: &[i16], out: &mut [u8]) -> Option<State> {
    let mut r = Reg::of(truth);
    for (k, (xb, ob)) in x
        .chunks(CHECK_EVERY)
        .zip(out.chunks_mut(CHECK_EVERY / 2))
        .enumerate()
    {
        r.run(xb, ob);
        if seg.checkpoints.get(k) == Some(&r.state()) {
            return None;
        }
    }
    Some(r.state())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vox::state::difference;
    use crate::vox::{self, DecoderFlavor, EncoderKind};
    use proptest::prelude::*;

    /// The plain one-sample loop.
    fn reference(state: State, x: &[i16]) -> (Vec<u8>, State) {
        let mut s = state;
        let codes: Vec<u8> = x.iter().map(|&v| s.encode_greedy(v)).collect();
        let bytes = codes.chunks(2).map(|c| c[0] << 4 | c[1]).collect();
        (bytes, s)
    }

    /// Compare the public entry point and the split itself (with 8
    /// segments, whatever the pool) against the plain loop.
    fn check(x: &[i16], state: State) -> Splices {
        let (want, want_state) = reference(state, x);
        let mut s = state;
        let mut got = vec![0xAA];
        encode_pairs(&mut s, x, NibbleOrder::HighFirst, &mut got);
        assert_eq!(got[0], 0xAA, "existing output kept");
        assert!(got[1..] == want[..], "bytes differ from the plain loop");
        assert_eq!(s, want_state);
        let mut got = vec![0; x.len() / 2];
        let (end, splices) = encode_split(state, x, &mut got, 2 * LANES);
        assert!(got == want, "split bytes differ from the plain loop");
        assert_eq!(end, want_state);
        assert_eq!(
            splices.guessed + splices.met + splices.redone,
            2 * LANES - 1
        );
        splices
    }

    #[test]
    fn split_encoding_of_speech_meets_the_true_states() {
        let mut r = hound::WavReader::open(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/vox/speech-espeak-8000Hz.wav"
        ))
        .unwrap();
        let speech: Vec<i16> = r.samples::<i16>().map(|s| s.unwrap()).collect();
        let x: Vec<i16> = speech
            .iter()
            .cycle()
            .take((20 * speech.len()) & !1)
            .copied()
            .collect();
        let splices = check(&x, State::INITIAL);
        // Guessed right, or re-encoded only until the states met.
        assert_eq!(splices.redone, 0, "{splices:?}");
        // Any state a stream can reach has a predictor that is a multiple
        // of 16 (or the 32767 quirk); such a state meets the guesses too.
        let splices = check(&x, State::new(5008, 40));
        assert_eq!(splices.redone, 0, "{splices:?}");
        // One that is not never meets them, and is still encoded exactly.
        let splices = check(&x, State::new(5000, 40));
        assert!(splices.redone > 0, "{splices:?}");
    }

    /// A cheap deterministic noise source.
    fn noise(n: usize, seed: u64, amp: i32) -> Vec<i16> {
        let mut v = seed;
        (0..n)
            .map(|_| {
                v = v
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((v >> 33) as i32 % amp - amp / 2) as i16
            })
            .collect()
    }

    #[test]
    fn split_encoding_equals_the_plain_loop() {
        // Speech-like: bursts of noise and tones with silences between.
        let mut x = Vec::new();
        for k in 0..40 {
            x.extend(noise(7000 + k * 13, k as u64, 1 + (k as i32 % 7) * 4000));
            x.extend(
                (0..5000).map(|i| ((i as f64 * 0.02 * (k + 1) as f64).sin() * 20000.0) as i16),
            );
            x.extend(std::iter::repeat_n(0i16, 1000 + k * 7));
        }
        x.truncate(x.len() & !1);
        assert!(x.len() >= 2 * MIN_SEGMENT * LANES);
        // A predictor that is not a multiple of 16 keeps its offset until
        // it clips, so those segments are re-encoded to the end.
        check(&x, State::INITIAL);
        let splices = check(&x, State::new(-1234, 30));
        assert!(splices.redone > 0, "{splices:?}");
        check(&x[2..], State::new(32767, 48));
    }

    #[test]
    fn split_encoding_is_exact_when_states_never_meet_early() {
        // Full-scale alternation keeps the step index high and the
        // predictor swinging: guesses meet the truth late or never, so the
        // splice has to re-encode.
        let x: Vec<i16> = (0..600_000)
            .map(|i| if (i / 3) % 2 == 0 { 32767 } else { -32768 })
            .collect();
        check(&x, State::INITIAL);
        let loud = noise(400_000, 7, 65536);
        check(&loud, State::new(100, 20));
    }

    #[test]
    fn short_inputs_use_one_loop() {
        let x = noise(1000, 3, 20000);
        check(&x, State::INITIAL);
        check(&[], State::INITIAL);
    }

    proptest! {
        // Saved failures go beside this file (greedy.proptest-regressions):
        // the default would put them in a proptest-regressions/ folder at the
        // top of the repository.
        #![proptest_config(ProptestConfig {
            cases: 48,
            failure_persistence: Some(Box::new(
                proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
            )),
            ..ProptestConfig::default()
        })]

        #[test]
        fn greedy_reencode_of_a_decoded_stream_gives_the_same_bytes(
            raw in proptest::collection::vec(0u8..16, 0..4000),
        ) {
            // Any code sequence whose decoding never clamps: a code that
            // would clamp is replaced by the same magnitude with the other
            // sign, or, when both clamp (steps above 32767 exist), by the
            // smallest magnitude towards zero.
            let mut s = State::INITIAL;
            let mut codes = Vec::with_capacity(raw.len() + 1);
            let clamps = |s: State, c: u8| {
                let full = difference(s, c, DecoderFlavor::Exact);
                !(-32768..=32767).contains(&(s.predictor() as i32 + full))
            };
            for mut c in raw {
                if clamps(s, c) {
                    c ^= 8;
                }
                if clamps(s, c) {
                    c = if s.predictor() > 0 { 8 } else { 0 };
                }
                s.decode(c, DecoderFlavor::Exact);
                codes.push(c);
            }
            if codes.len() % 2 == 1 {
                codes.push(if clamps(s, 0) { 8 } else { 0 });
            }
            let bytes: Vec<u8> = codes.chunks(2).map(|p| p[0] << 4 | p[1]).collect();
            let pcm = vox::decode(&bytes, DecoderFlavor::Exact);
            prop_assert_eq!(vox::encode(&pcm, EncoderKind::Greedy), bytes);
        }
    }
}
