//! The K-best search on long inputs, on several threads.
//!
//! A search's decisions depend on everything before them, so one search is
//! one long chain of work. But two searches with four or more paths that
//! start in different states on the same input soon pass through the same
//! decoder state on their best paths, and a stream plays as its encoder
//! meant as long as every code is decided for the state the decoders are
//! really in. So a long input is cut into segments of [`SEGMENT`] samples,
//! searched at the same time on a rayon pool (see [`pool`](super::pool)):
//!
//! 1. Each segment after the first starts from a guessed state: where the
//!    decoders end up on the search's codes for the [`WARM_UP`] samples
//!    before it, searched from rest. The segment's codes are decoded once
//!    more to record the decoders' state every [`CHECK`] samples.
//! 2. Then, in order, each segment's guess is compared with the true state
//!    that the codes before it left the decoders in. When they differ, the
//!    segment is searched again from the true state (the bridge) until the
//!    decoders reach one of the recorded states; the bridge's codes up to
//!    there and the guessed search's codes after it make the segment. From
//!    that sample on every decoder of every family is exactly where the
//!    guessed search assumed it to be, so each of its codes is decided for
//!    the true state. A bridge that never meets the recorded states becomes
//!    the whole segment.
//!
//! Every segment's search ends at its last sample, as the whole search does
//! at the end of the input. The bytes are a function of the input alone:
//! segments sit at fixed positions, so neither the number of threads nor the
//! sizes of the encoder's calls change them. They are not the bytes of one
//! search over the whole input, which carries its K paths across the joins,
//! but they play as well: on speech and pink noise the bridges mostly meet
//! and no family's SNR moves by more than a few hundredths of a dB.
//! Only where bridges never meet (full-scale white noise) does a join show,
//! a little either way, since it still ends one search without look-ahead
//! and starts the next from one state. With two paths most bridges never
//! meet on speech, so fewer than [`MIN_PATHS`] are not split.
//! An input of one segment or less is encoded exactly as by one search.

use rayon::prelude::*;

use super::pool;
use super::search::{FamilyState, Trellis};

/// Samples per segment (16.4 s at 8 kHz).
pub(crate) const SEGMENT: usize = 1 << 17;
/// Samples searched from rest before a segment to guess its starting state.
const WARM_UP: usize = 1024;
/// Samples between the recorded states that a bridge is compared with.
const CHECK: usize = 64;
/// The most segments searched at once (one per thread): the held samples
/// and the guesses' codes stay below 64 segments (8 Mi samples, about 30 MB
/// in all) on machines of any size.
const MAX_BATCH: usize = 64;

/// Segments searched at once: one per thread of the pool the work runs on
/// (two at least, at most [`MAX_BATCH`]).
pub(crate) fn batch() -> usize {
    pool::threads().clamp(2, MAX_BATCH)
}

/// The fewest paths whose searches are split: with fewer, searches started
/// apart rarely meet, and a bridge that never meets does the segment's work
/// twice.
pub(crate) const MIN_PATHS: usize = 4;

/// How the segments were joined (for tests and curiosity).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Joins {
    /// Segments whose guess was the true state (the first always is).
    pub(crate) guessed: usize,
    /// Segments whose bridge met a recorded state.
    pub(crate) met: usize,
    /// Segments searched again to the end from the true state.
    pub(crate) redone: usize,
}

/// A K-best search over `N` families that splits long inputs into segments.
#[derive(Debug, Clone)]
pub(crate) struct Split<const N: usize> {
    /// A search that has seen nothing, cloned for every run.
    blank: Trellis<N>,
    /// The `WARM_UP` samples before the current segment (fewer before the
    /// first), then the samples of the current segment and any after it
    /// that are not searched yet.
    held: Vec<i16>,
    /// How many of `held` come before the current segment.
    before: usize,
    /// The decoders' true state where the current segment starts.
    truth: FamilyState<N>,
    joins: Joins,
}

/// One segment searched from a guessed state.
struct Guess<const N: usize> {
    start: FamilyState<N>,
    codes: Vec<u8>,
    /// The decoders' state after every whole `CHECK` codes.
    checks: Vec<FamilyState<N>>,
    end: FamilyState<N>,
}

impl<const N: usize> Split<N> {
    /// Split the work of `blank`, a search that has seen nothing.
    pub(crate) fn new(blank: Trellis<N>) -> Split<N> {
        Split {
            blank,
            held: Vec::new(),
            before: 0,
            truth: FamilyState::REST,
            joins: Joins::default(),
        }
    }

    /// Feed samples; the codes of every segment completed are appended to
    /// `codes`.
    pub(crate) fn push_all(&mut self, mut samples: &[i16], codes: &mut Vec<u8>) {
        // Whole segments are searched a batch at a time, a segment per
        // thread, so that `held` stays below a batch for calls of any size.
        let batch = batch() * SEGMENT;
        while !samples.is_empty() {
            let room = self.before + batch - self.held.len();
            let (now, rest) = samples.split_at(room.min(samples.len()));
            self.held.extend_from_slice(now);
            samples = rest;
            let whole = (self.held.len() - self.before) / SEGMENT * SEGMENT;
            if whole > 0 && (whole == batch || samples.is_empty()) {
                self.run(whole, codes);
            }
        }
    }

    /// Append the codes of the samples still held: the last segment ends here.
    pub(crate) fn finish(&mut self, codes: &mut Vec<u8>) {
        let rest = self.held.len() - self.before;
        if rest > 0 {
            self.run(rest, codes);
        }
    }

    /// How the segments so far were joined.
    #[cfg(test)]
    pub(crate) fn joins(&self) -> Joins {
        self.joins
    }

    /// Search the `len` samples of `held` after `before` (whole segments but
    /// the last), then keep only the `WARM_UP` samples before what follows.
    fn run(&mut self, len: usize, codes: &mut Vec<u8>) {
        let (held, blank) = (&self.held, &self.blank);
        let end = self.before + len;
        let starts: Vec<usize> = (self.before..end).step_by(SEGMENT).collect();
        let segment = |s: usize| &held[s..(s + SEGMENT).min(end)];
        let guesses: Vec<Guess<N>> = pool::install(|| {
            starts
                .par_iter()
                .map(|&s| guess(blank, &held[s - WARM_UP.min(s)..s], segment(s)))
                .collect()
        });
        for (g, &s) in guesses.into_iter().zip(&starts) {
            let (seg_codes, end_state) = join(blank, self.truth, g, segment(s), &mut self.joins);
            codes.extend_from_slice(&seg_codes);
            self.truth = end_state;
        }
        let keep = end - WARM_UP.min(end);
        self.held.drain(..keep);
        self.before = end - keep;
    }
}

/// The codes of one search of `x` from `from`, to its end.
fn search<const N: usize>(blank: &Trellis<N>, from: FamilyState<N>, x: &[i16]) -> Vec<u8> {
    let mut t = blank.clone();
    t.start_at(from);
    let mut codes = Vec::with_capacity(x.len());
    t.push_all(x, &mut codes);
    t.finish(&mut codes);
    codes
}

/// Search segment `x` from the state that searching `warm` (the samples
/// before it) from rest leads to; the first segment of an input has no
/// `warm` and starts at rest, its true state.
fn guess<const N: usize>(blank: &Trellis<N>, warm: &[i16], x: &[i16]) -> Guess<N> {
    let start = search(blank, FamilyState::REST, warm)
        .into_iter()
        .fold(FamilyState::REST, |s, c| blank.decode(s, c));
    let codes = search(blank, start, x);
    let mut checks = Vec::with_capacity(x.len() / CHECK);
    let mut state = start;
    for chunk in codes.chunks(CHECK) {
        state = chunk.iter().fold(state, |s, &c| blank.decode(s, c));
        if chunk.len() == CHECK {
            checks.push(state);
        }
    }
    Guess {
        start,
        codes,
        checks,
        end: state,
    }
}

/// The codes of segment `x` for decoders in state `truth`, and the state
/// they leave them in: the guess's codes if it started there, else a bridge
/// from `truth` until it meets one of the guess's recorded states, then the
/// guess's codes.
fn join<const N: usize>(
    blank: &Trellis<N>,
    truth: FamilyState<N>,
    g: Guess<N>,
    x: &[i16],
    joins: &mut Joins,
) -> (Vec<u8>, FamilyState<N>) {
    if g.start == truth {
        joins.guessed += 1;
        return (g.codes, g.end);
    }
    let mut t = blank.clone();
    t.start_at(truth);
    let mut codes = Vec::with_capacity(x.len());
    let (mut state, mut decoded) = (truth, 0);
    for chunk in x.chunks(CHECK) {
        t.push_all(chunk, &mut codes);
        while decoded < codes.len() {
            state = blank.decode(state, codes[decoded]);
            decoded += 1;
            if decoded % CHECK == 0 && g.checks.get(decoded / CHECK - 1) == Some(&state) {
                codes.truncate(decoded);
                codes.extend_from_slice(&g.codes[decoded..]);
                joins.met += 1;
                return (codes, g.end);
            }
        }
    }
    t.finish(&mut codes);
    let state = codes[decoded..]
        .iter()
        .fold(state, |s, &c| blank.decode(s, c));
    joins.redone += 1;
    (codes, state)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Speech-like test signal: the espeak-ng fixture, repeated.
    fn speech(len: usize) -> Vec<i16> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/vox/speech-espeak-8000Hz.wav"
        );
        let mut r = hound::WavReader::open(path).expect("speech fixture");
        let one: Vec<i16> = r.samples::<i16>().map(|s| s.expect("sample")).collect();
        one.iter().cycle().take(len).copied().collect()
    }

    fn whole(blank: &Trellis<3>, x: &[i16]) -> Vec<u8> {
        search(blank, FamilyState::REST, x)
    }

    fn split(blank: &Trellis<3>, x: &[i16], call: usize) -> (Vec<u8>, Joins) {
        let mut s = Split::new(blank.clone());
        let mut codes = Vec::new();
        for chunk in x.chunks(call.max(1)) {
            s.push_all(chunk, &mut codes);
        }
        s.finish(&mut codes);
        (codes, s.joins())
    }

    #[test]
    fn one_segment_is_one_search() {
        let blank = Trellis::universal(4);
        for len in [0, 1, 1000, SEGMENT] {
            let x = speech(len);
            assert_eq!(split(&blank, &x, 777).0, whole(&blank, &x), "{len} samples");
        }
    }

    #[test]
    fn bytes_do_not_depend_on_call_sizes() {
        let blank = Trellis::universal(4);
        let x = speech(2 * SEGMENT + 5000);
        let (one, joins) = split(&blank, &x, x.len());
        assert_eq!(one.len(), x.len());
        assert_eq!(joins.guessed + joins.met + joins.redone, 3);
        for call in [1000, SEGMENT - 1, SEGMENT + 3] {
            assert_eq!(split(&blank, &x, call).0, one, "calls of {call}");
        }
    }

    /// Decoded by each family, the split stream is what its searches meant:
    /// as good as one search over the whole input.
    #[test]
    fn split_streams_play_as_well_as_one_search() {
        use crate::vox::{DecoderFlavor, decode};
        let blank = Trellis::universal(4);
        let x = speech(3 * SEGMENT);
        let pack = |c: &[u8]| c.chunks(2).map(|p| p[0] << 4 | p[1]).collect::<Vec<u8>>();
        let (codes, joins) = split(&blank, &x, x.len());
        assert!(joins.met + joins.guessed >= 2, "{joins:?}");
        let (a, b) = (pack(&whole(&blank, &x)), pack(&codes));
        for f in DecoderFlavor::ALL {
            let snr = |bytes: &[u8]| {
                let y = decode(bytes, f);
                let (mut s, mut n) = (0f64, 0f64);
                for (&p, &q) in x.iter().zip(&y) {
                    s += f64::from(p).powi(2);
                    n += (f64::from(p) - f64::from(q)).powi(2);
                }
                10.0 * (s / n).log10()
            };
            let (one, parts) = (snr(&a), snr(&b));
            assert!(
                (one - parts).abs() < 0.05,
                "{f:?}: {one:.3} dB whole, {parts:.3} dB split"
            );
        }
    }

    /// A bridge that never meets the guess becomes the segment: the bytes
    /// are then those of one search from the true state.
    #[test]
    fn a_bridge_that_never_meets_searches_the_whole_segment() {
        let blank = Trellis::universal(4);
        let x = speech(20_000);
        let truth = FamilyState::REST;
        let mut g = guess(&blank, &speech(3000)[1000..], &x);
        assert_ne!(g.start, truth);
        // Recorded states no decoder can be in: the bridge cannot meet them.
        for c in &mut g.checks {
            c.index = 60;
        }
        let mut joins = Joins::default();
        let (codes, end) = join(&blank, truth, g, &x, &mut joins);
        assert_eq!(joins.redone, 1);
        let want = search(&blank, truth, &x);
        assert_eq!(codes, want);
        assert_eq!(end, want.iter().fold(truth, |s, &c| blank.decode(s, c)));
    }
}
