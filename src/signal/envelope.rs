//! A min/max envelope of a recording at a fixed number of bins: what a
//! waveform thumbnail is drawn from, computed in the same streaming pass as
//! the rest of the analysis (no second read of the file).
//!
//! Bins are by sample index: bin `i` holds samples `i * samples_per_bin`
//! up to the next bin's first. When the length is known beforehand (a WAV
//! header, a VOX file's size) the width is chosen so that the recording
//! fills at most the bins asked for; when it is not, or more samples come
//! than announced, adjacent bins are merged in pairs (the width doubles)
//! whenever they are all full. Memory is the bins', whatever the length.

use super::{CLIP_LEVEL, Sample};
use serde::Serialize;

/// The most bins an envelope has, whatever is asked: bounds its memory
/// (two samples and a flag a bin).
pub const MAX_ENVELOPE_BINS: usize = 65_536;

/// The min/max envelope of a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Envelope {
    /// Samples each bin covers (the last bin may cover fewer).
    pub samples_per_bin: u64,
    /// The smallest sample of each bin.
    pub min: Vec<i16>,
    /// The largest sample of each bin.
    pub max: Vec<i16>,
    /// The bins (indices, ascending) that hold part of a clipped run: at
    /// least `clip_run` consecutive full-scale samples, what the
    /// `clipping` warning counts.
    pub clipped: Vec<u32>,
}

impl Envelope {
    /// How many bins it has.
    pub fn len(&self) -> usize {
        self.min.len()
    }

    /// Whether it has no bins (no samples).
    pub fn is_empty(&self) -> bool {
        self.min.is_empty()
    }
}

/// Builds an [`Envelope`] from samples fed in chunks of any size.
#[derive(Debug, Clone)]
pub(crate) struct EnvelopeBuilder {
    capacity: usize,
    width: u64,
    min: Vec<i16>,
    max: Vec<i16>,
    clipped: Vec<bool>,
    /// Samples seen.
    pos: u64,
    /// The bin `pos` falls in (`pos / width`), and where in it
    /// (`pos % width`).
    bin: usize,
    offset: u64,
    /// Full-scale samples in a row up to `pos`.
    run: u64,
    clip_run: u64,
}

impl EnvelopeBuilder {
    /// At most `bins` bins (1 to [`MAX_ENVELOPE_BINS`]) for a recording of
    /// `expected` samples, if known; runs of `clip_run` full-scale samples
    /// are marked.
    pub(crate) fn new(bins: usize, expected: Option<u64>, clip_run: u64) -> EnvelopeBuilder {
        let capacity = bins.clamp(1, MAX_ENVELOPE_BINS);
        let width = expected.map_or(1, |n| n.div_ceil(capacity as u64).max(1));
        EnvelopeBuilder {
            capacity,
            width,
            min: Vec::new(),
            max: Vec::new(),
            clipped: Vec::new(),
            pos: 0,
            bin: 0,
            offset: 0,
            run: 0,
            clip_run: clip_run.max(1),
        }
    }

    /// The next samples; `peak` is their largest magnitude (the analyser
    /// has it already), which spares the clipping scan of quieter blocks.
    pub(super) fn feed<S: Sample>(&mut self, samples: &[S], peak: u16) {
        let start = self.pos;
        let mut rest = samples;
        while !rest.is_empty() {
            // The bin and the offset in it follow `pos` without a division
            // per bin (two divisions a bin were a sixth of a check's time).
            if self.bin >= self.capacity {
                self.halve();
            }
            let room = self.width - self.offset;
            let take = usize::try_from(room).unwrap_or(usize::MAX).min(rest.len());
            let (part, tail) = rest.split_at(take);
            let (lo, hi) = min_max(part);
            let bin = self.bin;
            if bin == self.min.len() {
                self.min.push(lo);
                self.max.push(hi);
                self.clipped.push(false);
            } else {
                self.min[bin] = self.min[bin].min(lo);
                self.max[bin] = self.max[bin].max(hi);
            }
            self.pos += take as u64;
            self.offset += take as u64;
            if self.offset == self.width {
                self.offset = 0;
                self.bin += 1;
            }
            rest = tail;
        }
        if peak >= CLIP_LEVEL || self.run > 0 {
            self.mark_clipping(samples, start);
        }
    }

    /// Find the runs of full-scale samples among `samples` (the first at
    /// `start`) and mark the bins of those long enough.
    fn mark_clipping<S: Sample>(&mut self, samples: &[S], start: u64) {
        for (i, s) in samples.iter().enumerate() {
            if s.value().unsigned_abs() >= CLIP_LEVEL {
                self.run += 1;
            } else if self.run > 0 {
                self.end_run(start + i as u64);
            }
        }
    }

    /// The run of full-scale samples ending before sample `end` is over.
    fn end_run(&mut self, end: u64) {
        if self.run >= self.clip_run && end > 0 {
            let first = (end - self.run) / self.width;
            let last = (end - 1) / self.width;
            for bin in first..=last {
                if let Some(c) = usize::try_from(bin)
                    .ok()
                    .and_then(|b| self.clipped.get_mut(b))
                {
                    *c = true;
                }
            }
        }
        self.run = 0;
    }

    /// Merge adjacent bins in pairs: half as many, twice as wide.
    fn halve(&mut self) {
        let pairs = self.min.len().div_ceil(2);
        for i in 0..pairs {
            let (a, b) = (2 * i, (2 * i + 1).min(self.min.len() - 1));
            self.min[i] = self.min[a].min(self.min[b]);
            self.max[i] = self.max[a].max(self.max[b]);
            self.clipped[i] = self.clipped[a] | self.clipped[b];
        }
        self.min.truncate(pairs);
        self.max.truncate(pairs);
        self.clipped.truncate(pairs);
        self.width = self.width.saturating_mul(2);
        // Below the capacity: `pos` filled at most `capacity` bins of the
        // old width, so at most half of them at the new.
        self.bin = usize::try_from(self.pos / self.width).unwrap_or(usize::MAX);
        self.offset = self.pos % self.width;
    }

    /// The envelope of everything fed.
    pub(crate) fn finish(mut self) -> Envelope {
        if self.run > 0 {
            self.end_run(self.pos);
        }
        Envelope {
            samples_per_bin: self.width,
            clipped: (0..)
                .zip(&self.clipped)
                .filter(|&(_, &c)| c)
                .map(|(i, _)| i)
                .collect(),
            min: self.min,
            max: self.max,
        }
    }
}

/// The smallest and largest of a run of samples ((0, 0) for none).
fn min_max<S: Sample>(samples: &[S]) -> (i16, i16) {
    // Two plain reductions: the compiler turns each into packed 16-bit
    // min/max instructions (one pass keeping both spilled its lanes).
    let lo = samples.iter().map(|s| s.value()).fold(i16::MAX, i16::min);
    let hi = samples.iter().map(|s| s.value()).fold(i16::MIN, i16::max);
    if samples.is_empty() { (0, 0) } else { (lo, hi) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(samples: &[i16], bins: usize, expected: Option<u64>, chunk: usize) -> Envelope {
        let mut b = EnvelopeBuilder::new(bins, expected, 3);
        for c in samples.chunks(chunk.max(1)) {
            let peak = c.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
            b.feed(c, peak);
        }
        b.finish()
    }

    /// The envelope computed the obvious way, for a given width.
    fn naive(samples: &[i16], width: usize) -> (Vec<i16>, Vec<i16>) {
        samples
            .chunks(width)
            .map(|c| (*c.iter().min().unwrap(), *c.iter().max().unwrap()))
            .unzip()
    }

    #[test]
    fn a_known_length_fills_the_bins_by_sample_index() {
        let x: Vec<i16> = (0..1000).map(|i| (i * 37 % 2001 - 1000) as i16).collect();
        let e = envelope(&x, 100, Some(1000), 333);
        assert_eq!(e.samples_per_bin, 10);
        assert_eq!(e.len(), 100);
        assert_eq!((e.min.clone(), e.max.clone()), naive(&x, 10));
        // 1001 samples in 100 bins: 11 a bin, 91 bins.
        let e = envelope(&x[..999], 100, Some(999), 7);
        assert_eq!((e.samples_per_bin, e.len()), (10, 100));
        let e = envelope(&[5; 1001], 100, Some(1001), 64);
        assert_eq!((e.samples_per_bin, e.len()), (11, 91));
    }

    #[test]
    fn an_unknown_length_merges_bins_and_stays_bounded() {
        let x: Vec<i16> = (0..10_007)
            .map(|i| ((i * 7919) % 65536 - 32768) as i16)
            .collect();
        let e = envelope(&x, 64, None, 1000);
        assert!(e.len() <= 64 && e.len() > 32, "{}", e.len());
        let w = e.samples_per_bin as usize;
        assert!(w.is_power_of_two());
        assert_eq!((e.min.clone(), e.max.clone()), naive(&x, w));
        // More samples than announced: merged the same way.
        let e = envelope(&x, 64, Some(100), 333);
        assert!(e.len() <= 64, "{}", e.len());
        assert_eq!(
            (e.min.clone(), e.max.clone()),
            naive(&x, e.samples_per_bin as usize)
        );
    }

    #[test]
    fn clipped_runs_are_marked_in_their_bins() {
        let mut x = vec![0i16; 100];
        x[15..19].copy_from_slice(&[32767; 4]); // a run of 4: bins 1 (10-19)
        x[38..42].copy_from_slice(&[-32768; 4]); // across bins 3 and 4
        x[60..62].copy_from_slice(&[32767; 2]); // too short
        x[97..].copy_from_slice(&[32767; 3]); // at the very end
        for chunk in [1, 3, 10, 100] {
            let e = envelope(&x, 10, Some(100), chunk);
            assert_eq!(e.clipped, [1, 3, 4, 9], "chunks of {chunk}");
        }
        // Merged: the flags follow.
        let e = envelope(&x, 10, None, 7);
        assert_eq!(e.samples_per_bin, 16);
        assert_eq!(e.clipped, [0, 1, 2, 6]);
    }

    #[test]
    fn nothing_in_nothing_out() {
        let e = envelope(&[], 10, Some(0), 1);
        assert!(e.is_empty() && e.clipped.is_empty());
        assert_eq!(e.samples_per_bin, 1);
        // Any bin count is usable.
        let e = envelope(&[1, -1, 3], 0, None, 1);
        assert_eq!((e.min, e.max), (vec![-1], vec![3]));
        let e = envelope(&[1, 2], usize::MAX, Some(u64::MAX), 1);
        assert_eq!(e.len(), 1);
    }

    proptest::proptest! {
        /// Any samples, any chunking, any bin count, known length or not:
        /// bounded, and equal to the obvious computation at its width.
        #[test]
        fn equals_the_obvious_envelope(
            x in proptest::collection::vec(proptest::num::i16::ANY, 1..5000),
            bins in 1usize..300,
            chunk in 1usize..2000,
            known in proptest::bool::ANY,
        ) {
            let expected = known.then_some(x.len() as u64);
            let e = envelope(&x, bins, expected, chunk);
            proptest::prop_assert!(e.len() <= bins);
            let (min, max) = naive(&x, e.samples_per_bin as usize);
            proptest::prop_assert_eq!(&e.min, &min);
            proptest::prop_assert_eq!(&e.max, &max);
            if known {
                proptest::prop_assert_eq!(e.samples_per_bin, (x.len() as u64).div_ceil(bins as u64));
            }
        }
    }
}
