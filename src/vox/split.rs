//! The K-best search on long inputs, on several threads, with the bytes of
//! one search.
//!
//! A search's decisions depend on everything before them, so one search is
//! one long chain of work. But two searches with several paths that start
//! apart on the same input soon hold the very same frontier (the same
//! states in the same order at the same costs), and from there they decide
//! alike. So a long input is cut into segments of [`SEGMENT`] samples,
//! searched at the same time on a rayon pool (see [`pool`](super::pool)):
//!
//! 1. Each segment after the first is searched by a guess: a search started
//!    from rest [`WARM_UP`] samples before the segment, which notes its
//!    frontier after every commit in the segment (every 512 samples) and the
//!    path each commit's codes came through.
//! 2. Then, in order, the one search over the whole input is carried into
//!    each segment (the truth: the previous segment's search, right after
//!    its last commit), sample block by sample block, until its frontier is
//!    one the guess noted. From that commit on the guess makes exactly the
//!    truth's decisions ([`Trellis::same_frontier`] says why); the codes the
//!    guess's next commit wrote for the samples before came through its own
//!    history, so those are taken from the truth's history instead, along
//!    the path the guess noted. The guess, at the segment's end, is then the
//!    truth. A truth that never meets the guess searches the whole segment.
//!
//! The bytes are therefore exactly those of one search over the whole input
//! (tests compare them on speech, noise and inputs whose searches never
//! meet): the split loses nothing at its joins, whatever the signal. What a
//! join costs is time: the truth's search up to the meeting, usually none
//! (on 15 minutes of speech most guesses already hold the truth's frontier
//! where their segment starts, on real prompts about half of them, and the
//! rest meet within a few thousand samples) and at most the whole segment
//! again.

use rayon::prelude::*;

use super::pool;
use super::search::{Frontier, Trellis};

/// Samples per segment (16.4 s at 8 kHz); a multiple of the commit interval,
/// so that every segment starts right after a commit.
pub(crate) const SEGMENT: usize = 1 << 17;
/// Samples searched from rest before a segment by its guess; a multiple of
/// the commit interval and at least the first commit's distance, so that
/// the guess commits where the truth does.
const WARM_UP: usize = 4096;
const _: () = assert!(
    SEGMENT.is_multiple_of(Trellis::<1>::COMMIT_EVERY)
        && WARM_UP.is_multiple_of(Trellis::<1>::COMMIT_EVERY)
        && WARM_UP >= Trellis::<1>::FIRST_COMMIT
);
/// The most segments searched at once (one per thread): the held samples
/// stay below 64 segments (8 Mi samples, 16 MB) on machines of any size.
const MAX_BATCH: usize = 64;
/// What the guesses of one batch may hold at most (their searches, noted
/// frontiers and codes), which bounds the batch at many paths: about 220 KB
/// a guess at eight paths, 42 MB at 4096.
const GUESS_BUDGET: usize = 256 << 20;

/// The most samples held before their codes are written: up to a segment
/// less one waiting for the rest of its segment, and the samples the one
/// search holds right after the commit at a segment's end.
pub(crate) const MAX_DELAY: usize = SEGMENT - 1 + Trellis::<1>::HELD_AFTER_COMMIT;

/// Segments searched at once for a search of `paths` paths: one per thread
/// of the pool the work runs on (two at least, at most [`MAX_BATCH`]), and
/// no more than [`GUESS_BUDGET`] allows.
pub(crate) fn batch<const N: usize>(paths: usize) -> usize {
    let guess = Trellis::<N>::footprint(paths)
        + (SEGMENT / Trellis::<N>::COMMIT_EVERY + 1) * Trellis::<N>::frontier_bytes(paths)
        + SEGMENT
        + WARM_UP;
    pool::threads()
        .clamp(2, MAX_BATCH)
        .min((GUESS_BUDGET / guess).max(2))
}

/// How the segments were joined (for tests and curiosity).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Joins {
    /// Segments whose guess held the truth's frontier where the segment
    /// starts (the first segment's guess is the truth).
    pub(crate) guessed: usize,
    /// Segments where the truth met the guess later.
    pub(crate) met: usize,
    /// Segments searched again to the end by the truth.
    pub(crate) redone: usize,
    /// Samples of segments after the first that the truth searched (the
    /// work the split did twice).
    pub(crate) again: usize,
}

/// A K-best search over `N` families that splits long inputs into segments.
#[derive(Debug, Clone)]
pub(crate) struct Split<const N: usize> {
    /// A search that has seen nothing, cloned for every guess.
    blank: Trellis<N>,
    /// The `WARM_UP` samples before the current segment (fewer before the
    /// first), then the samples of the current segment and any after it
    /// that are not searched yet.
    held: Vec<i16>,
    /// How many of `held` come before the current segment.
    before: usize,
    /// Whether the current segment is the input's first.
    first: bool,
    /// Segments searched at once ([`batch`]).
    batch: usize,
    /// The one search over the input, at the start of the current segment.
    truth: Trellis<N>,
    joins: Joins,
}

/// One segment searched by a guess.
struct Guess<const N: usize> {
    /// The guess at the segment's end, not finished.
    search: Trellis<N>,
    /// Its codes from the segment's first sample on (those its commits in
    /// the segment wrote for samples in it).
    codes: Vec<u8>,
    /// Its frontier right after each commit in the segment, the first at
    /// the segment's start, and the first sample after each.
    frontiers: Vec<Frontier>,
    /// For each commit in the segment after its start, the node of the
    /// commit's frontier before (`paths[i]` is a node of `frontiers[i]`)
    /// that its codes' path passed through.
    paths: Vec<u16>,
}

impl<const N: usize> Split<N> {
    /// Split the work of `blank`, a search that has seen nothing.
    pub(crate) fn new(blank: Trellis<N>) -> Split<N> {
        Split {
            truth: blank.clone(),
            batch: batch::<N>(blank.paths()),
            blank,
            held: Vec::new(),
            before: 0,
            first: true,
            joins: Joins::default(),
        }
    }

    /// Feed samples; the codes of every segment completed are appended to
    /// `codes`.
    pub(crate) fn push_all(&mut self, mut samples: &[i16], codes: &mut Vec<u8>) {
        // Whole segments are searched a batch at a time, a segment per
        // thread, so that `held` stays below a batch for calls of any size.
        let batch = self.batch * SEGMENT;
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

    /// Append the codes of the samples still held: the search ends here.
    pub(crate) fn finish(&mut self, codes: &mut Vec<u8>) {
        let rest = self.held.len() - self.before;
        if rest > 0 {
            self.run(rest, codes);
        }
        self.truth.finish(codes);
    }

    /// Samples to hand over per call so that a batch of segments runs at
    /// once.
    pub(crate) fn block_hint(&self) -> usize {
        self.batch * SEGMENT
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
        let skip = usize::from(self.first);
        // The input's first segment is searched by the truth itself, at
        // the same time as the other segments' guesses.
        let (truth, first) = (&mut self.truth, self.first);
        let (guesses, ()) = pool::install(|| {
            rayon::join(
                || -> Vec<Guess<N>> {
                    starts[skip..]
                        .par_iter()
                        .map(|&s| guess(blank, &held[s - WARM_UP..s], segment(s)))
                        .collect()
                },
                || {
                    if first {
                        truth.push_all(segment(starts[0]), codes);
                    }
                },
            )
        });
        if self.first {
            self.joins.guessed += 1;
            self.first = false;
        }
        for (g, &s) in guesses.into_iter().zip(&starts[skip..]) {
            join(&mut self.truth, g, segment(s), codes, &mut self.joins);
        }
        let keep = end - WARM_UP.min(end);
        self.held.drain(..keep);
        self.before = end - keep;
    }
}

/// Search segment `x` from rest, starting on `warm`, the samples before it,
/// noting its frontiers and paths (see [`Guess`]).
fn guess<const N: usize>(blank: &Trellis<N>, warm: &[i16], x: &[i16]) -> Guess<N> {
    let mut search = blank.clone();
    let mut codes = Vec::with_capacity(x.len() + warm.len());
    search.push_all(warm, &mut codes);
    let written = codes.len();
    let mut frontiers = vec![search.frontier()];
    let mut paths = Vec::with_capacity(x.len() / Trellis::<N>::COMMIT_EVERY);
    for block in x.chunks(Trellis::<N>::COMMIT_EVERY) {
        search.push_noting(block, &mut codes, |node| paths.push(node));
        if block.len() == Trellis::<N>::COMMIT_EVERY {
            frontiers.push(search.frontier());
        }
    }
    // The codes the commits in the segment wrote: from the commit at its
    // start's `COMMIT_EVERY` samples before it on; only those from the
    // segment's first sample are kept.
    let before = Trellis::<N>::COMMIT_EVERY;
    codes.drain(..(written + before).min(codes.len()));
    Guess {
        search,
        codes,
        frontiers,
        paths,
    }
}

/// Carry `truth`, the one search at the start of segment `x`, to its end,
/// appending the codes it writes there to `codes`: by searching until its
/// frontier is one the guess `g` noted, then by taking the guess.
fn join<const N: usize>(
    truth: &mut Trellis<N>,
    g: Guess<N>,
    x: &[i16],
    codes: &mut Vec<u8>,
    joins: &mut Joins,
) {
    let every = Trellis::<N>::COMMIT_EVERY;
    // A meeting at frontier `i` needs the path the guess's next commit noted.
    for (i, (f, &node)) in g.frontiers.iter().zip(&g.paths).enumerate() {
        if truth.same_frontier(f) {
            // The codes of the `every` samples before the meeting, along
            // the guess's path through this frontier, from the truth's
            // history; then the guess's own.
            truth.path_codes(node, codes);
            codes.extend_from_slice(&g.codes[i * every..]);
            *truth = g.search;
            joins.again += i * every;
            if i == 0 {
                joins.guessed += 1;
            } else {
                joins.met += 1;
            }
            return;
        }
        truth.push_all(&x[i * every..((i + 1) * every).min(x.len())], codes);
    }
    let searched = g.paths.len() * every;
    truth.push_all(&x[searched.min(x.len())..], codes);
    joins.redone += 1;
    joins.again += x.len();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Speech-like test signal: the espeak-ng fixture, repeated.
    fn speech(len: usize) -> Vec<i16> {
        let one = crate::vox::fixtures::wav("speech-espeak-8000Hz.wav");
        one.iter().cycle().take(len).copied().collect()
    }

    /// Full-scale white noise.
    fn noise(len: usize, seed: u32) -> Vec<i16> {
        crate::test_fixtures::noise(seed, len)
    }

    fn whole<const N: usize>(blank: &Trellis<N>, x: &[i16]) -> Vec<u8> {
        let mut t = blank.clone();
        let mut codes = Vec::with_capacity(x.len());
        t.push_all(x, &mut codes);
        t.finish(&mut codes);
        codes
    }

    fn split<const N: usize>(blank: &Trellis<N>, x: &[i16], call: usize) -> (Vec<u8>, Joins) {
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

    /// The split's bytes are one search's, on speech and on noise, for
    /// two, four and eight paths, whatever the call sizes.
    #[test]
    fn split_streams_are_one_search() {
        let mut x = speech(2 * SEGMENT + 5000);
        x.extend(noise(SEGMENT, 7));
        x.extend(speech(3001));
        for paths in [2, 4, 8] {
            let blank = Trellis::universal(paths);
            let one = whole(&blank, &x);
            let (parts, joins) = split(&blank, &x, x.len());
            assert_eq!(joins.guessed + joins.met + joins.redone, 4, "{joins:?}");
            assert!(parts == one, "{paths} paths: split differs ({joins:?})");
            if paths == 4 {
                for call in [1000, SEGMENT - 1, SEGMENT + 3] {
                    assert!(split(&blank, &x, call).0 == one, "calls of {call}");
                }
            }
        }
        let blank = Trellis::exact(4);
        assert!(
            split(&blank, &x, 4096).0 == whole(&blank, &x),
            "exact family"
        );
    }

    /// No code is written more than [`MAX_DELAY`] samples after its
    /// sample was handed over, and a call that ends a segment short of the
    /// next reaches that bound.
    #[test]
    fn codes_are_at_most_max_delay_late() {
        let x = speech(2 * SEGMENT + 1000);
        let mut s = Split::new(Trellis::universal(2));
        let (mut codes, mut fed) = (Vec::new(), 0);
        for (i, call) in [2 * SEGMENT - 1, 1, 1000].into_iter().enumerate() {
            s.push_all(&x[fed..fed + call], &mut codes);
            fed += call;
            let late = fed - codes.len();
            assert!(late <= MAX_DELAY, "call {i}: {late} samples held");
            if i == 0 {
                assert_eq!(late, MAX_DELAY);
            }
        }
        s.finish(&mut codes);
        assert_eq!(codes.len(), x.len());
    }

    /// Above eight paths the engine merges by a hash table and selects
    /// without sorting; its frontier still decides alone.
    #[test]
    fn many_paths_split_as_one_search() {
        let blank = Trellis::universal(16);
        let x = speech(SEGMENT + 8192);
        let (parts, joins) = split(&blank, &x, x.len());
        assert_eq!(joins.guessed + joins.met + joins.redone, 2, "{joins:?}");
        assert!(parts == whole(&blank, &x), "{joins:?}");
    }

    /// A guess the truth meets only later, and one it never meets: the
    /// bytes are still one search's.
    #[test]
    fn late_and_missed_meetings_keep_one_searchs_bytes() {
        let blank = Trellis::universal(4);
        let x = speech(SEGMENT + 20_000);
        let (s, seg) = (SEGMENT, &x[SEGMENT..]);
        let one = whole(&blank, &x);
        let truth_at = |t: &mut Trellis<3>, codes: &mut Vec<u8>| t.push_all(&x[..s], codes);
        // Warmed on noise instead of the samples before: the frontiers
        // differ at the start and meet later.
        let warm = noise(WARM_UP, 3);
        for (name, spoil) in [("late", false), ("never", true)] {
            let mut g = guess(&blank, &warm, seg);
            if spoil {
                // Frontiers no search holds: the truth never meets them.
                g.frontiers
                    .iter_mut()
                    .for_each(|f| *f = Trellis::universal(5).frontier());
            }
            let (mut t, mut codes, mut joins) = (blank.clone(), Vec::new(), Joins::default());
            truth_at(&mut t, &mut codes);
            join(&mut t, g, seg, &mut codes, &mut joins);
            t.finish(&mut codes);
            assert!(codes == one, "{name}: {joins:?}");
            let (met, redone) = (usize::from(!spoil), usize::from(spoil));
            assert_eq!(
                (joins.guessed, joins.met, joins.redone),
                (0, met, redone),
                "{name}"
            );
            assert!(
                joins.again > 0 && joins.again <= seg.len(),
                "{name}: {joins:?}"
            );
        }
    }

    /// How the joins went on long inputs, for docs/vox-encoder.md:
    /// `cargo test --release --lib joins_on_long_inputs -- --ignored --nocapture`.
    /// The real prompts are Debian's asterisk-core-sounds-en-wav, unpacked
    /// by benches/speech-rate.sh (skipped when absent).
    #[test]
    #[ignore]
    fn joins_on_long_inputs() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/out/speech-rate/wav/usr/share/asterisk/sounds/en_US_f_Allison"
        );
        let mut prompts = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut names: Vec<_> = entries.map(|e| e.expect("entry").path()).collect();
            names.sort();
            for n in names
                .iter()
                .filter(|p| p.extension().is_some_and(|e| e == "wav"))
            {
                let mut r = hound::WavReader::open(n).expect("prompt");
                prompts.extend(r.samples::<i16>().map(|s| s.expect("sample")));
            }
        }
        let mut seed = 12345u64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        };
        // Pink noise (Paul Kellet's economy filter) at about -15 dBFS RMS.
        let (mut b0, mut b1, mut b2) = (0f64, 0f64, 0f64);
        let pink: Vec<i16> = (0..8 * SEGMENT)
            .map(|_| {
                let w = rnd();
                b0 = 0.99765 * b0 + w * 0.099_046;
                b1 = 0.963 * b1 + w * 0.296_516_4;
                b2 = 0.57 * b2 + w * 1.052_691_3;
                ((b0 + b1 + b2 + w * 0.1848) * 6000.0).clamp(-32768.0, 32767.0) as i16
            })
            .collect();
        let inputs = [
            ("speech, 15 min", speech(7_195_000)),
            ("asterisk prompts", prompts),
            ("pink noise, 131 s", pink),
            ("white noise, full scale, 49 s", noise(3 * SEGMENT, 9)),
        ];
        for (name, x) in &inputs {
            if x.is_empty() {
                eprintln!("{name}: not found, skipped");
                continue;
            }
            for paths in [2, 4, 8] {
                let blank = Trellis::universal(paths);
                let t = std::time::Instant::now();
                let (codes, joins) = split(&blank, x, x.len());
                let took = t.elapsed().as_secs_f64();
                assert_eq!(codes.len(), x.len());
                eprintln!(
                    "{name} ({} samples), universal:{paths}: {joins:?}, {took:.2} s",
                    x.len()
                );
            }
        }
    }
}
