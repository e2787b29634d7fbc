//! The K-best search: [`Trellis`] keeps the `paths` cheapest decoder
//! states, extends each by the three levels around its greedy one, merges
//! states that became the same, and writes codes out once the best path
//! has settled them.
//!
//! Memory is bounded: back pointers are kept for `DELAY + WINDOW` samples;
//! whenever that fills, the best node's path is traced back, its oldest
//! `WINDOW` codes are written out, and nodes whose path disagrees with those
//! codes are dropped. Decisions are therefore at most `DELAY + WINDOW` samples
//! late, and the history never exceeds `(DELAY + WINDOW) * paths` entries.

use super::MAX_PATHS;
use super::cost::{at_the_rails, capped_code, code_of, cost, middle_level, recips, spread};
use crate::vox::DecoderFlavor;
use crate::vox::state::{FFMPEG_MAX, family};
use crate::vox::tables::{MERGE_SHIFT, NEXT_INDEX, STEPS};

/// Samples of history kept after a commit (decision depth).
const DELAY: usize = 512;
/// Samples written out per commit.
const WINDOW: usize = 512;
/// How many levels either side of the greedy level are tried.
const SPREAD: i32 = 1;

#[derive(Debug, Clone, Copy)]
struct Node<const N: usize> {
    cost: u64,
    /// The state packed for merging: each predictor in buckets of about an
    /// eighth of the step size (`tables::MERGE_SHIFT`), then the step
    /// index. Nodes with the same key count as the same state and only the
    /// cheaper survives: near-identical states would otherwise fill the K
    /// paths with one choice. Buckets rather than exact keys improve speech
    /// on every family and leave tones, music and noise about as they are.
    key: u64,
    pred: [i32; N],
    index: u8,
    parent: u16,
    code: u8,
}

impl<const N: usize> Node<N> {
    /// A placeholder, overwritten before it is read.
    const BLANK: Node<N> = Node {
        cost: 0,
        key: 0,
        pred: [0; N],
        index: 0,
        parent: 0,
        code: 0,
    };

    #[inline]
    fn same_state(&self, other: &Node<N>) -> bool {
        self.key == other.key
    }
}

/// The decoders' state after some codes, one predictor per family the
/// search scores (16-bit units) and the step index they share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FamilyState<const N: usize> {
    pub(crate) pred: [i32; N],
    pub(crate) index: u8,
}

impl<const N: usize> FamilyState<N> {
    /// Where every decoder starts: predictors 0, step index 0.
    pub(crate) const REST: FamilyState<N> = FamilyState {
        pred: [0; N],
        index: 0,
    };
}

/// Up to this many paths, survivors are picked in the pass that makes the
/// candidates (see `push_small`); above it, a hash merge and a selection
/// are used.
const SMALL: usize = 8;

/// The search engine, scored against `N` decoder families.
#[derive(Debug, Clone)]
pub(crate) struct Trellis<const N: usize> {
    /// `diffs[index][code][family]`: the signed differences, all families together.
    diffs: Box<[[[i32; N]; 16]; 49]>,
    lo: [i32; N],
    hi: [i32; N],
    /// `hi - lo`: a predictor `u` is inside when `(u - lo) as u32 <= span`.
    span: [u32; N],
    /// The most the first (exact) family's predictor may reach: ffmpeg's
    /// top rail for the universal search (see [`top_rail`]), none for the
    /// exact-only one.
    cap: i32,
    /// How much the families' disagreement weighs in the cost (see [`cost`]).
    spread: i32,
    /// The reciprocals that pick the middle level (see [`middle_level`]).
    recip: &'static [u64; STEPS],
    paths: usize,
    nodes: Vec<Node<N>>,
    cand: Vec<Node<N>>,
    /// Back pointers, `paths` per layer: `parent << 4 | code`.
    hist: Vec<u32>,
    layers: usize,
    /// Open-addressing table for merging identical states: (stamp, candidate).
    table: Vec<(u32, u32)>,
    stamp: u32,
    /// Scratch for tracing back.
    trace: Vec<u8>,
    anc: Vec<u16>,
}

impl Trellis<1> {
    /// K-best search scored against the exact family only.
    pub(crate) fn exact(paths: usize) -> Trellis<1> {
        Trellis::new([DecoderFlavor::Exact], paths, 1, i32::MAX)
    }
}

impl Trellis<3> {
    /// K-best search scored against all three decoder families.
    pub(crate) fn universal(paths: usize) -> Trellis<3> {
        Trellis::new(
            [
                DecoderFlavor::Exact,
                DecoderFlavor::ShiftAdd,
                DecoderFlavor::Asterisk,
            ],
            paths,
            spread(paths),
            FFMPEG_MAX,
        )
    }
}

impl<const N: usize> Trellis<N> {
    fn new(families: [DecoderFlavor; N], paths: usize, spread: i32, cap: i32) -> Trellis<N> {
        let paths = paths.clamp(1, MAX_PATHS);
        let max_cand = paths * (2 * SPREAD as usize + 1);
        let table_len = if paths > SMALL {
            (max_cand * 2).next_power_of_two()
        } else {
            0
        };
        let tables = families.map(|f| family(f).0);
        let (lo, mut hi) = (families.map(|f| family(f).1), families.map(|f| family(f).2));
        // A step past the cap leaves the fast path (see `score`).
        hi[0] = hi[0].min(cap);
        let mut diffs = Box::new([[[0i32; N]; 16]; 49]);
        for (i, row) in diffs.iter_mut().enumerate() {
            for (code, cell) in row.iter_mut().enumerate() {
                for (f, d) in cell.iter_mut().enumerate() {
                    *d = tables[f][i][code];
                }
            }
        }
        let mut t = Trellis {
            diffs,
            lo,
            hi,
            span: std::array::from_fn(|f| (hi[f] - lo[f]) as u32),
            cap,
            spread,
            recip: recips::<N>(),
            paths,
            nodes: Vec::with_capacity(paths),
            cand: Vec::with_capacity(max_cand),
            hist: vec![0; (DELAY + WINDOW) * paths],
            layers: 0,
            table: vec![(0, 0); table_len],
            stamp: 0,
            trace: Vec::with_capacity(DELAY + WINDOW),
            anc: Vec::with_capacity(paths),
        };
        t.start_at(FamilyState::REST);
        t
    }

    /// Start the search over from `state`, forgetting everything held.
    pub(crate) fn start_at(&mut self, state: FamilyState<N>) {
        self.nodes.clear();
        self.nodes.push(Node {
            cost: 0,
            key: 0,
            pred: state.pred,
            index: state.index,
            parent: 0,
            code: 0,
        });
        self.layers = 0;
    }

    /// The decoders' state after `code` from `state`: what every family's
    /// decoder does with it.
    pub(crate) fn decode(&self, state: FamilyState<N>, code: u8) -> FamilyState<N> {
        let i = state.index as usize;
        let d = &self.diffs[i][(code & 15) as usize];
        FamilyState {
            pred: std::array::from_fn(|f| (state.pred[f] + d[f]).clamp(self.lo[f], self.hi[f])),
            index: NEXT_INDEX[i][(code & 7) as usize],
        }
    }

    /// Feed samples; codes that became final are appended to `codes`.
    pub(crate) fn push_all(&mut self, samples: &[i16], codes: &mut Vec<u8>) {
        for &x in samples {
            self.push(x as i32);
            if self.layers == DELAY + WINDOW {
                self.commit(codes);
            }
        }
    }

    /// Append every remaining code of the best path.
    pub(crate) fn finish(&mut self, codes: &mut Vec<u8>) {
        if self.layers == 0 {
            return;
        }
        let best = self.best();
        self.trace_from(best);
        codes.extend(self.trace.iter().rev());
        self.layers = 0;
        self.nodes.clear();
    }

    /// The cost, the family predictors and the code of the candidate
    /// reached from `node` by `code`. One unsigned test per predictor finds
    /// both rails and the cap; only a candidate past one takes the slow path.
    #[inline(always)]
    fn score(&self, node: &Node<N>, code: u8, x: i32) -> (u64, [i32; N], u8) {
        let d = &self.diffs[node.index as usize][code as usize];
        let mut pred = [0i32; N];
        let mut outside = false;
        for f in 0..N {
            let u = node.pred[f] + d[f];
            outside |= (u - self.lo[f]) as u32 > self.span[f];
            pred[f] = u;
        }
        if outside {
            return self.score_outside(node, code, x);
        }
        (node.cost + cost(x, &pred, self.spread), pred, code)
    }

    /// [`Trellis::score`] for a candidate past a rail or the cap: a code
    /// that would take the exact family above the cap is replaced by the
    /// nearest one below that does not (see [`capped_code`]), and the
    /// predictors are clamped and penalised by [`at_the_rails`].
    #[cold]
    #[inline(never)]
    fn score_outside(&self, node: &Node<N>, code: u8, x: i32) -> (u64, [i32; N], u8) {
        let row = &self.diffs[node.index as usize];
        let code = capped_code(node.pred[0], code, self.cap, |c| row[c as usize][0]);
        let rails = (self.lo, self.hi);
        let d = &row[code as usize];
        let (added, pred) = at_the_rails(node.pred, node.index, x, d, rails, self.spread);
        (node.cost + added, pred, code)
    }

    /// The candidate reached from `node` (at frontier position `parent`) by
    /// `code`, with cost and predictors from [`Trellis::score`].
    #[inline(always)]
    fn candidate(node: &Node<N>, parent: usize, code: u8, cost: u64, pred: [i32; N]) -> Node<N> {
        let i = node.index as usize;
        let index = NEXT_INDEX[i][(code & 7) as usize];
        let sh = MERGE_SHIFT[i][(code & 7) as usize];
        let mut key = 0u64;
        for p in pred {
            key = key << 16 | ((p >> sh) as u16 as u64);
        }
        Node {
            cost,
            key: key << 8 | index as u64,
            pred,
            index,
            parent: parent as u16,
            code,
        }
    }

    /// The middle of the levels tried from `node` for sample `x`.
    #[inline(always)]
    fn level(&self, node: &Node<N>, x: i32) -> i32 {
        middle_level(&node.pred, self.recip[node.index as usize], x)
    }

    #[inline]
    fn push(&mut self, x: i32) {
        if self.paths <= 2 {
            self.push_small::<2>(x);
        } else if self.paths <= 4 {
            self.push_small::<4>(x);
        } else if self.paths <= SMALL {
            self.push_small::<SMALL>(x);
        } else {
            self.push_large(x);
        }
        // Record back pointers for the new layer.
        let base = self.layers * self.paths;
        for (slot, n) in self.hist[base..base + self.nodes.len()]
            .iter_mut()
            .zip(&self.nodes)
        {
            *slot = (n.parent as u32) << 4 | n.code as u32;
        }
        self.layers += 1;
    }

    /// One sample for small `paths`: the survivors are picked in the pass
    /// that makes the candidates, keeping a bounded set and its most
    /// expensive member. A candidate enters if it is cheaper than that
    /// member (or the set is not full) and no member has its state, replaces
    /// a member with its state if cheaper, and is dropped otherwise. A
    /// candidate too expensive to enter is dropped once scored, before its
    /// state key and node are made.
    ///
    /// `S` is the set's capacity, `paths` rounded up to 2, 4 or 8: the scans
    /// cover all `S` slots without a branch, empty slots holding a key no
    /// state has (keys use 56 bits) and a cost of 0, which never counts as
    /// the maximum over the first slot.
    fn push_small<const S: usize>(&mut self, x: i32) {
        const NO_STATE: u64 = u64::MAX;
        let k = self.paths;
        debug_assert!(k <= S);
        let mut top = [Node::<N>::BLANK; S];
        let mut keys = [NO_STATE; S];
        let mut costs = [0u64; S];
        let mut count = 0usize;
        let mut max_at = 0usize;
        let mut max_cost = 0u64;
        for parent in 0..self.nodes.len() {
            let node = self.nodes[parent];
            // Always three levels (SPREAD is 1): at the ends one is tried
            // twice, and the second try is dropped as the same state, not
            // cheaper.
            const _: () = assert!(SPREAD == 1);
            let level = self.level(&node, x);
            for l in [(level - SPREAD).max(0), level, (level + SPREAD).min(15)] {
                let code = code_of(l);
                let (cost, pred, code) = self.score(&node, code, x);
                if count == k && cost >= max_cost {
                    continue;
                }
                let c = Self::candidate(&node, parent, code, cost, pred);
                // The member with this state, if any (at most one has it).
                let mut same = S;
                for (t, &key) in keys.iter().enumerate() {
                    same = if key == c.key { t } else { same };
                }
                let slot = if same < S {
                    if c.cost >= costs[same] {
                        continue;
                    }
                    same
                } else if count < k {
                    count += 1;
                    count - 1
                } else {
                    max_at
                };
                top[slot] = c;
                keys[slot] = c.key;
                costs[slot] = c.cost;
                // The most expensive member matters only to a full set.
                if count == k {
                    max_at = 0;
                    max_cost = costs[0];
                    for (t, &cost) in costs.iter().enumerate().skip(1) {
                        let more = cost > max_cost;
                        max_cost = if more { cost } else { max_cost };
                        max_at = if more { t } else { max_at };
                    }
                }
            }
        }
        self.nodes.clear();
        self.nodes.extend_from_slice(&top[..count]);
    }

    /// One sample for large `paths`: every candidate is made, identical
    /// states are merged, and the `paths` cheapest survive.
    fn push_large(&mut self, x: i32) {
        self.cand.clear();
        for parent in 0..self.nodes.len() {
            let node = self.nodes[parent];
            let level = self.level(&node, x);
            for l in (level - SPREAD).max(0)..(level + SPREAD).min(15) + 1 {
                let code = code_of(l);
                let (cost, pred, code) = self.score(&node, code, x);
                self.cand
                    .push(Self::candidate(&node, parent, code, cost, pred));
            }
        }
        self.merge_identical();
        if self.cand.len() > self.paths {
            self.cand
                .select_nth_unstable_by_key(self.paths - 1, |n| n.cost);
            self.cand.truncate(self.paths);
        }
        std::mem::swap(&mut self.nodes, &mut self.cand);
    }

    /// Merge candidates with the same state, keeping the cheaper one.
    fn merge_identical(&mut self) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.table.fill((0, 0));
            self.stamp = 1;
        }
        let mask = self.table.len() - 1;
        let mut kept = 0;
        for i in 0..self.cand.len() {
            let c = self.cand[i];
            let h = (c.key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32;
            let mut slot = (h >> 7) as usize & mask;
            loop {
                let (stamp, j) = self.table[slot];
                if stamp != self.stamp {
                    self.table[slot] = (self.stamp, kept as u32);
                    self.cand[kept] = c;
                    kept += 1;
                    break;
                }
                let other = &mut self.cand[j as usize];
                if other.same_state(&c) {
                    if c.cost < other.cost {
                        *other = c;
                    }
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        self.cand.truncate(kept);
    }

    fn best(&self) -> usize {
        let mut best = 0;
        for (i, n) in self.nodes.iter().enumerate() {
            if n.cost < self.nodes[best].cost {
                best = i;
            }
        }
        best
    }

    /// Fill `trace` with the codes of the path ending at frontier node `node`,
    /// newest first, over all stored layers.
    fn trace_from(&mut self, node: usize) {
        self.trace.clear();
        let mut i = node;
        for layer in (0..self.layers).rev() {
            let e = self.hist[layer * self.paths + i];
            self.trace.push((e & 15) as u8);
            i = (e >> 4) as usize;
        }
    }

    /// Write out the oldest `WINDOW` codes of the best path and drop the nodes
    /// that do not share them.
    fn commit(&mut self, codes: &mut Vec<u8>) {
        let best = self.best();
        self.trace_from(best);
        // `trace` is newest first: the oldest WINDOW codes are at the end.
        codes.extend(self.trace[self.layers - WINDOW..].iter().rev());
        // Ancestor of every frontier node in layer WINDOW - 1.
        self.anc.clear();
        self.anc.extend((0..self.nodes.len()).map(|i| i as u16));
        for layer in (WINDOW..self.layers).rev() {
            let row = &self.hist[layer * self.paths..];
            for a in &mut self.anc {
                *a = (row[*a as usize] >> 4) as u16;
            }
        }
        let keep = self.anc[best];
        // Compact the frontier and its back-pointer layer together.
        let last = (self.layers - 1) * self.paths;
        let mut kept = 0;
        for i in 0..self.nodes.len() {
            if self.anc[i] == keep {
                self.nodes[kept] = self.nodes[i];
                self.hist[last + kept] = self.hist[last + i];
                kept += 1;
            }
        }
        self.nodes.truncate(kept);
        self.hist
            .copy_within(WINDOW * self.paths..self.layers * self.paths, 0);
        self.layers -= WINDOW;
        // Keep costs small: only differences matter.
        let min = self.nodes.iter().map(|n| n.cost).min().unwrap_or(0);
        for n in &mut self.nodes {
            n.cost -= min;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_code_per_sample_and_bounded_history() {
        let x: Vec<i16> = (0..5000)
            .map(|i| ((i as f64 * 0.07).sin() * 12000.0) as i16)
            .collect();
        let mut t = Trellis::exact(8);
        let mut codes = Vec::new();
        t.push_all(&x, &mut codes);
        assert!(t.layers < DELAY + WINDOW);
        assert_eq!(t.hist.len(), (DELAY + WINDOW) * 8);
        t.finish(&mut codes);
        assert_eq!(codes.len(), x.len());
    }
}
