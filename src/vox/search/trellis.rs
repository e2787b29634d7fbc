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
use super::cost::{at_the_rails, capped_code, code_of, middle_level, pairs, rails, recips, spread};
use super::lanes::{Lanes, PackedRails};
use crate::vox::DecoderFlavor;
use crate::vox::state::{FFMPEG_MAX, family};
use crate::vox::tables::{MERGE_SHIFT, NEXT_INDEX, STEPS};

/// Samples of history kept after a commit (decision depth).
const DELAY: usize = 512;
/// Samples written out per commit.
const WINDOW: usize = 512;
// A commit's pruning reads the frontier layer of the commit before (see
// `Trellis::same_frontier`).
const _: () = assert!(DELAY == WINDOW);
/// How many levels either side of the greedy level are tried.
const SPREAD: i32 = 1;

/// One state of the frontier (or a candidate for it).
#[derive(Debug, Clone, Copy)]
struct Node<const N: usize> {
    cost: u64,
    /// The state packed for merging: each predictor in buckets of about an
    /// eighth of the step size (`tables::MERGE_SHIFT`), then the step
    /// index (see [`Keys`]). Nodes with the same key count as the same
    /// state and only the cheaper survives: near-identical states would
    /// otherwise fill the K paths with one choice. Buckets rather than
    /// exact keys improve speech on every family and leave tones, music
    /// and noise about as they are.
    key: u64,
    /// The family predictors, packed (see [`Lanes`]).
    lanes: u64,
    /// Their sum and `spread * (p_f - p_g)` for each pair `f < g`, carried
    /// from parent to child rather than computed from the predictors.
    sum: i32,
    apart: [i32; 3],
    index: u8,
    parent: u16,
    code: u8,
}

impl<const N: usize> Node<N> {
    /// A placeholder, overwritten before it is read.
    const BLANK: Node<N> = Node {
        cost: 0,
        key: 0,
        lanes: 0,
        sum: 0,
        apart: [0; 3],
        index: 0,
        parent: 0,
        code: 0,
    };

    #[inline]
    fn same_state(&self, other: &Node<N>) -> bool {
        self.key == other.key
    }

    fn pred(&self) -> [i32; N] {
        Lanes::unpack(self.lanes)
    }
}

/// One reconstruction level at one step index, with what a candidate
/// through it needs precomputed (as `one_path`'s rows hold it).
#[derive(Debug, Clone, Copy)]
struct Level {
    /// The families' signed differences, as one number to add to packed
    /// predictors (see [`Lanes`]).
    step: u64,
    /// Their sum.
    sum: i32,
    /// `spread * (d_f - d_g)` for each pair `f < g`.
    pairs: [i32; 3],
    /// The step index after this level.
    next: u8,
    code: u8,
}

/// By step index, 64 of them (49 used) so that `i & 63` needs no bounds
/// check: `levels[l + 1]` holds reconstruction level `l` (0 the most
/// negative), level 0 again at 0 and level 15 again at 17, so that the
/// three candidates around a middle level `m` are `levels[m..m + 3]`.
type Levels = [[Level; 18]; 64];

/// The state keys of packed predictors, by the step index they are at:
/// `key = lanes & mask | tag`. The mask clears the `MERGE_SHIFT` low bits
/// of every lane (the bucket; lanes hold `p + 2^18`, a multiple of the
/// bucket, so two predictors share a masked lane exactly when they share
/// `p >> shift`), and the tag puts the step index in the cleared bits
/// (its low five bits in lane 0, its sixth in lane 1: every shift is at
/// least 5). Keys are used only for equality; no key has bit 63 set.
#[derive(Debug, Clone, Copy)]
struct Keys {
    mask: u64,
    tag: u64,
}

/// A search's frontier, as [`Trellis::same_frontier`] compares it: how
/// many layers of back pointers are held, and each node's cost, packed
/// predictors and step index, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frontier {
    layers: usize,
    nodes: Vec<(u64, u64, u8)>,
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
    /// The levels tried, by step index (see [`Levels`]).
    levels: Box<Levels>,
    /// By step index: how to make a state key ([`Keys`]) and the
    /// reciprocal that picks the middle level (see [`middle_level`]).
    keys: [Keys; 64],
    recip: [u64; 64],
    lo: [i32; N],
    hi: [i32; N],
    /// `lo` and `hi` packed.
    rails: PackedRails,
    /// The most the first (exact) family's predictor may reach: ffmpeg's
    /// top rail for the universal search (see [`capped_code`]), none for the
    /// exact-only one.
    cap: i32,
    /// How much the families' disagreement weighs in the cost (see [`cost`]).
    spread: i32,
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
        let (lo, hi) = rails(families, cap);
        let mut diffs = Box::new([[[0i32; N]; 16]; 49]);
        for (i, row) in diffs.iter_mut().enumerate() {
            for (code, cell) in row.iter_mut().enumerate() {
                for (f, d) in cell.iter_mut().enumerate() {
                    *d = tables[f][i][code];
                }
            }
        }
        let blank = Level {
            step: 0,
            sum: 0,
            pairs: [0; 3],
            next: 0,
            code: 0,
        };
        let mut levels = Box::new([[blank; 18]; 64]);
        for (i, row) in levels.iter_mut().enumerate().take(STEPS) {
            for (at, level) in row.iter_mut().enumerate() {
                let code = code_of((at as i32 - 1).clamp(0, 15));
                let d = diffs[i][code as usize];
                *level = Level {
                    step: Lanes::step(&d),
                    sum: d.iter().sum(),
                    pairs: pairs(&d, spread),
                    next: NEXT_INDEX[i][(code & 7) as usize],
                    code,
                };
            }
        }
        let mut keys = [Keys { mask: 0, tag: 0 }; 64];
        let mut recip = [0u64; 64];
        for i in 0..STEPS {
            // MERGE_SHIFT is by the index a code leads from: find one that
            // leads to `i` (every index is reached from some index).
            let (from, m) = (0..STEPS)
                .flat_map(|j| (0..8).map(move |m| (j, m)))
                .find(|&(j, m)| NEXT_INDEX[j][m] as usize == i)
                .expect("every step index is reached");
            let low = (1u64 << MERGE_SHIFT[from][m]) - 1;
            let lanes = 1 | 1 << Lanes::BITS | 1 << (2 * Lanes::BITS);
            keys[i] = Keys {
                mask: !(low * lanes),
                tag: (i as u64 & 31) | (i as u64 >> 5) << Lanes::BITS,
            };
            recip[i] = recips::<N>()[i];
        }
        let mut t = Trellis {
            diffs,
            levels,
            keys,
            recip,
            lo,
            hi,
            rails: PackedRails::new(&lo, &hi),
            cap,
            spread,
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
        t.nodes.push(t.root([0; N], 0));
        t
    }

    /// The node of `pred` at step index `index` with cost 0.
    fn root(&self, pred: [i32; N], index: u8) -> Node<N> {
        let lanes = Lanes::pack(&pred);
        Node {
            cost: 0,
            key: self.key(lanes, index),
            lanes,
            sum: pred.iter().sum(),
            apart: pairs(&pred, self.spread),
            index,
            parent: 0,
            code: 0,
        }
    }

    #[inline(always)]
    fn key(&self, lanes: u64, index: u8) -> u64 {
        let k = &self.keys[(index & 63) as usize];
        lanes & k.mask | k.tag
    }

    /// How many paths the search keeps.
    pub(crate) fn paths(&self) -> usize {
        self.paths
    }

    /// The frontier, to compare another search with later.
    pub(crate) fn frontier(&self) -> Frontier {
        Frontier {
            layers: self.layers,
            nodes: self
                .nodes
                .iter()
                .map(|n| (n.cost, n.lanes, n.index))
                .collect(),
        }
    }

    /// Whether this search's frontier is `f`: the same states in the same
    /// order at the same costs, and as many layers held.
    ///
    /// Two searches of the same samples whose frontiers are the same right
    /// after a commit (costs counted from their cheapest node) make the
    /// same decisions from there on: the next samples' candidates, their
    /// order and their selection are made from the frontier alone, and the
    /// next commit prunes by ancestors in the frontier's own layer. Only
    /// the codes that commit writes (the samples before) come from the
    /// history behind it, which may differ (see [`Trellis::path_codes`]).
    pub(crate) fn same_frontier(&self, f: &Frontier) -> bool {
        self.layers == f.layers
            && self.nodes.len() == f.nodes.len()
            && self
                .nodes
                .iter()
                .zip(&f.nodes)
                .all(|(n, &(cost, lanes, index))| {
                    n.cost == cost && n.lanes == lanes && n.index == index
                })
    }

    /// Append the codes of the path that ends at frontier node `node`, over
    /// every layer held, oldest first.
    pub(crate) fn path_codes(&mut self, node: u16, codes: &mut Vec<u8>) {
        self.trace_from(node as usize);
        codes.extend(self.trace.iter().rev());
    }

    /// Feed samples; codes that became final are appended to `codes`.
    pub(crate) fn push_all(&mut self, samples: &[i16], codes: &mut Vec<u8>) {
        self.push_noting(samples, codes, |_| ());
    }

    /// [`Trellis::push_all`], also handing `kept`, at every commit, the
    /// position in the frontier of the commit before (`WINDOW` samples
    /// earlier) of the node the written codes' path passes through.
    pub(crate) fn push_noting(
        &mut self,
        samples: &[i16],
        codes: &mut Vec<u8>,
        mut kept: impl FnMut(u16),
    ) {
        for &x in samples {
            self.push(x as i32);
            if self.layers == DELAY + WINDOW {
                kept(self.commit(codes));
            }
        }
    }

    /// Samples between commits, once `DELAY + WINDOW` have been pushed.
    pub(crate) const COMMIT_EVERY: usize = WINDOW;
    /// Samples pushed from the start before the first commit.
    pub(crate) const FIRST_COMMIT: usize = DELAY + WINDOW;
    /// Samples whose codes are not written yet right after a commit.
    pub(crate) const HELD_AFTER_COMMIT: usize = DELAY;

    /// Bytes a search holds besides its input: back pointers and frontier.
    pub(crate) fn footprint(paths: usize) -> usize {
        paths * ((DELAY + WINDOW) * 4 + 2 * std::mem::size_of::<Node<N>>())
    }

    /// Bytes a noted [`Frontier`] of `paths` nodes holds.
    pub(crate) fn frontier_bytes(paths: usize) -> usize {
        std::mem::size_of::<Frontier>() + paths * std::mem::size_of::<(u64, u64, u8)>()
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

    /// The middle of the levels tried from `node` for sample `x`, as the
    /// position in its row of [`Levels`] of the first of the three.
    #[inline(always)]
    fn middle(&self, node: &Node<N>, x: i32) -> usize {
        let recip = self.recip[(node.index & 63) as usize];
        middle_level(N as i32 * x - node.sum, recip) as usize
    }

    /// The candidate reached from `node` (at frontier position `parent`)
    /// through `level`: its cost by [`cost`] from the carried sums, or, when
    /// a predictor leaves its rails or the exact one passes the cap (one
    /// test for all), by [`Trellis::outside`].
    #[inline(always)]
    fn child(&self, node: &Node<N>, parent: usize, level: &Level, x: i32) -> Node<N> {
        let lanes = node.lanes.wrapping_add(level.step);
        if !self.rails.inside(lanes) {
            return self.outside(node, parent, level.code, x);
        }
        let apart = Self::apart_through(node, level);
        Node {
            cost: Self::cost_through(node, level, N as i32 * x - node.sum),
            key: self.key(lanes, level.next),
            lanes,
            sum: node.sum + level.sum,
            apart,
            index: level.next,
            parent: parent as u16,
            code: level.code,
        }
    }

    /// The pair differences of the child of `node` through `level`.
    #[inline(always)]
    fn apart_through(node: &Node<N>, level: &Level) -> [i32; 3] {
        let mut apart = node.apart;
        for (a, p) in apart.iter_mut().zip(&level.pairs).take(N * (N - 1) / 2) {
            *a += p;
        }
        apart
    }

    /// The cost of the child of `node` through `level` (inside the rails),
    /// where `t0` is `N x` less the sum of the node's predictors: [`cost`]
    /// from the sum and pair differences the node carries and the level's.
    #[inline(always)]
    fn cost_through(node: &Node<N>, level: &Level, t0: i32) -> u64 {
        let t = (t0 - level.sum) as i64;
        let mut cost = (t * t) as u64;
        for q in 0..N * (N - 1) / 2 {
            let a = (node.apart[q] + level.pairs[q]) as i64;
            cost += (a * a) as u64;
        }
        node.cost + cost
    }

    /// [`Trellis::child`] for a candidate past a rail or the cap: a code
    /// that would take the exact family above the cap is replaced by the
    /// nearest one below that does not (see [`capped_code`]), and the
    /// predictors are clamped and penalised by [`at_the_rails`].
    #[cold]
    #[inline(never)]
    fn outside(&self, node: &Node<N>, parent: usize, code: u8, x: i32) -> Node<N> {
        let from = node.pred();
        let row = &self.diffs[node.index as usize];
        let code = capped_code(from[0], code, self.cap, |c| row[c as usize][0]);
        let rails = (self.lo, self.hi);
        let d = &row[code as usize];
        let (added, pred) = at_the_rails(from, node.index, x, d, rails, self.spread);
        let index = NEXT_INDEX[node.index as usize][(code & 7) as usize];
        Node {
            cost: node.cost + added,
            parent: parent as u16,
            code,
            ..self.root(pred, index)
        }
    }

    #[inline]
    fn push(&mut self, x: i32) {
        if self.paths <= 2 {
            self.push_small::<2, 6>(x);
        } else if self.paths <= 4 {
            self.push_small::<4, 12>(x);
        } else if self.paths <= SMALL {
            self.push_small::<SMALL, { 3 * SMALL }>(x);
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

    /// One sample for small `paths`: every candidate is scored first (`C`
    /// of them at most, three per node), then sorted by (cost, candidate
    /// number) with a fixed network of compare-exchanges ([`sort_network`]:
    /// no branch on the data), and taken in that order, each unless a
    /// member already has its state (that member cost no more and came
    /// first), until `paths` are in. The set holds candidate numbers; only
    /// the survivors are made into nodes, once, and the frontier comes out
    /// in order of cost.
    ///
    /// Picking the survivors one by one as the candidates came (the set's
    /// most expensive member found again after every entry) was a chain of
    /// data-driven branches, most of them taken: 14.7 of 22 candidates
    /// entered the set a sample at eight paths. The sort costs the same
    /// whatever the data, and the walk after it mostly stops after `paths`
    /// steps.
    ///
    /// `S` is the set's capacity, `paths` rounded up to 2, 4 or 8; empty
    /// slots hold a key no state has (keys use 63 bits).
    fn push_small<const S: usize, const C: usize>(&mut self, x: i32) {
        const NO_STATE: u64 = u64::MAX;
        const { assert!(C == 3 * S) };
        // Always three levels (SPREAD is 1): at the ends one is tried
        // twice, and the second try is dropped as the same state, not
        // cheaper.
        const _: () = assert!(SPREAD == 1);
        /// `from` marks a candidate made by [`Trellis::outside`], kept in `cand`.
        const OUTSIDE: u8 = 0x80;
        let k = self.paths;
        debug_assert!(k <= S && self.nodes.len() <= S);
        // The candidates as arrays of numbers, not nodes: cost, state key,
        // and where the rest comes from (the position of the level in its
        // row, or a node made on the slow path).
        let mut costs_in = [0u64; C];
        let mut keys_in = [0u64; C];
        let mut from = [0u8; C];
        let made = 3 * self.nodes.len();
        self.cand.clear();
        for (parent, node) in self.nodes.iter().enumerate() {
            let row = &self.levels[(node.index & 63) as usize];
            let at = self.middle(node, x);
            let t0 = N as i32 * x - node.sum;
            for j in 0..3 {
                let c = 3 * parent + j;
                let level = &row[at + j];
                let lanes = node.lanes.wrapping_add(level.step);
                if !self.rails.inside(lanes) {
                    let n = self.outside(node, parent, level.code, x);
                    costs_in[c] = n.cost;
                    keys_in[c] = n.key;
                    from[c] = OUTSIDE | self.cand.len() as u8;
                    self.cand.push(n);
                    continue;
                }
                costs_in[c] = Self::cost_through(node, level, t0);
                keys_in[c] = self.key(lanes, level.next);
                from[c] = (at + j) as u8;
            }
        }
        // Candidates in order of (cost, number); each enters unless a
        // member has its state (that member is cheaper or equal and came
        // first), until `paths` have entered.
        let mut ord = [u64::MAX; 32];
        for c in 0..made {
            ord[c] = costs_in[c].min((1 << 58) - 1) << 5 | c as u64;
        }
        if C <= 8 {
            sort_network::<8>((&mut ord[..8]).try_into().expect("8"));
        } else if C <= 16 {
            sort_network::<16>((&mut ord[..16]).try_into().expect("16"));
        } else {
            sort_network::<32>(&mut ord);
        }
        let mut top = [0u8; S];
        let mut keys = [NO_STATE; S];
        let mut count = 0usize;
        for &o in &ord[..made] {
            let c = (o & 31) as usize;
            let key = keys_in[c];
            let mut dup = false;
            for &member in &keys {
                dup |= member == key;
            }
            if !dup {
                top[count] = c as u8;
                keys[count] = key;
                count += 1;
                if count == k {
                    break;
                }
            }
        }
        // The survivors' nodes, made once.
        let mut next = [Node::<N>::BLANK; S];
        for (n, &c) in next.iter_mut().zip(&top[..count]) {
            let c = c as usize;
            let parent = c / 3;
            *n = if from[c] & OUTSIDE != 0 {
                self.cand[(from[c] & !OUTSIDE) as usize]
            } else {
                let node = &self.nodes[parent];
                let level = &self.levels[(node.index & 63) as usize][from[c] as usize];
                let apart = Self::apart_through(node, level);
                Node {
                    cost: costs_in[c],
                    key: keys_in[c],
                    lanes: node.lanes.wrapping_add(level.step),
                    sum: node.sum + level.sum,
                    apart,
                    index: level.next,
                    parent: parent as u16,
                    code: level.code,
                }
            };
        }
        self.nodes.clear();
        self.nodes.extend_from_slice(&next[..count]);
    }

    /// One sample for large `paths`: every candidate is made, identical
    /// states are merged, and the `paths` cheapest survive.
    fn push_large(&mut self, x: i32) {
        self.cand.clear();
        for parent in 0..self.nodes.len() {
            let node = self.nodes[parent];
            let row = &self.levels[(node.index & 63) as usize];
            let at = self.middle(&node, x);
            // The levels around the middle one, each once.
            let (from, to) = (at.max(1), (at + 2).min(16));
            for level in &row[from..=to] {
                let c = self.child(&node, parent, level, x);
                self.cand.push(c);
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
    /// that do not share them; returns the best path's node in layer
    /// `WINDOW - 1`, the frontier of the commit before.
    fn commit(&mut self, codes: &mut Vec<u8>) -> u16 {
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
        keep
    }
}

/// Sort `v` ascending with Batcher's odd-even merge sort (`M` a power of
/// two): a fixed sequence of compare-exchanges, no branch on the data.
#[inline(always)]
fn sort_network<const M: usize>(v: &mut [u64; M]) {
    let mut p = 1;
    while p < M {
        let mut k = p;
        while k >= 1 {
            let mut j = k % p;
            while j + k < M {
                for i in 0..k.min(M - j - k) {
                    if (i + j) / (2 * p) == (i + j + k) / (2 * p) {
                        let (a, b) = (v[i + j], v[i + j + k]);
                        v[i + j] = a.min(b);
                        v[i + j + k] = a.max(b);
                    }
                }
                j += 2 * k;
            }
            k /= 2;
        }
        p *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::super::cost::cost;
    use super::*;
    use crate::vox::fixtures::wav;

    const FIRST: usize = Trellis::<1>::FIRST_COMMIT;

    /// A path of the plain search: its cost, predictors, step index, key
    /// and every code since the last commit.
    #[derive(Clone)]
    struct Path<const N: usize> {
        cost: u64,
        pred: [i32; N],
        index: u8,
        key: u64,
        codes: Vec<u8>,
    }

    /// The K-best search spelled plainly, whole paths instead of back
    /// pointers: at each sample the three levels around [`middle_level`]
    /// of every path, each scored by [`cost`] (or [`at_the_rails`], the
    /// code capped), the state key made from the predictors shifted by
    /// `MERGE_SHIFT`; up to eight paths, the candidates taken in order of
    /// (cost, candidate number), each unless a path already taken has its
    /// state, until `paths` are taken; from nine, the candidates merged by
    /// state (the cheaper kept where the first stood) and selected as
    /// `push_large` selects; every `DELAY + WINDOW` samples the oldest
    /// `WINDOW` codes of the first cheapest path written, and the paths
    /// that disagree with them dropped.
    fn reference<const N: usize>(
        families: [DecoderFlavor; N],
        paths: usize,
        spread: i32,
        cap: i32,
        x: &[i16],
    ) -> Vec<u8> {
        let tables = families.map(|f| family(f).0);
        let rails = rails(families, cap);
        let root = Path {
            cost: 0,
            pred: [0; N],
            index: 0,
            key: 0,
            codes: Vec::new(),
        };
        let mut nodes = vec![root];
        let mut out = Vec::new();
        let best = |nodes: &[Path<N>]| {
            let min = nodes.iter().map(|n| n.cost).min().expect("a path");
            nodes.iter().position(|n| n.cost == min).expect("a path")
        };
        for &x in x {
            let x = x as i32;
            let mut cands = Vec::new();
            for n in &nodes {
                let i = n.index as usize;
                let d = N as i32 * x - n.pred.iter().sum::<i32>();
                let l = middle_level(d, recips::<N>()[i]);
                let mut levels = vec![(l - 1).max(0), l, (l + 1).min(15)];
                if paths > SMALL {
                    levels.dedup();
                }
                for level in levels {
                    let mut code = code_of(level);
                    let diff = |code: u8| tables.map(|t| t[i][code as usize]);
                    let u: [i32; N] = std::array::from_fn(|f| n.pred[f] + diff(code)[f]);
                    let inside = (0..N).all(|f| rails.0[f] <= u[f] && u[f] <= rails.1[f]);
                    let (c, u) = if inside {
                        (cost(x, &u, spread), u)
                    } else {
                        code = capped_code(n.pred[0], code, cap, |c| diff(c)[0]);
                        at_the_rails(n.pred, n.index, x, &diff(code), rails, spread)
                    };
                    let m = (code & 7) as usize;
                    let sh = MERGE_SHIFT[i][m];
                    let key = u
                        .iter()
                        .fold(0u64, |k, &p| k << 16 | (p >> sh) as u16 as u64);
                    let mut codes = n.codes.clone();
                    codes.push(code);
                    cands.push(Path {
                        cost: n.cost + c,
                        pred: u,
                        index: NEXT_INDEX[i][m],
                        key: key << 8 | NEXT_INDEX[i][m] as u64,
                        codes,
                    });
                }
            }
            let mut set: Vec<Path<N>> = Vec::new();
            if paths <= SMALL {
                // In order of (cost, candidate number), each state once (its
                // first), the first `paths`.
                let mut order: Vec<usize> = (0..cands.len()).collect();
                order.sort_by_key(|&c| (cands[c].cost, c));
                for c in order {
                    if set.len() < paths && set.iter().all(|n| n.key != cands[c].key) {
                        set.push(cands[c].clone());
                    }
                }
            } else {
                for c in cands {
                    match set.iter().position(|n| n.key == c.key) {
                        Some(s) if c.cost < set[s].cost => set[s] = c,
                        Some(_) => {}
                        None => set.push(c),
                    }
                }
                if set.len() > paths {
                    set.select_nth_unstable_by_key(paths - 1, |n| n.cost);
                    set.truncate(paths);
                }
            }
            nodes = set;
            if nodes[0].codes.len() == DELAY + WINDOW {
                let settled = nodes[best(&nodes)].codes[..WINDOW].to_vec();
                out.extend_from_slice(&settled);
                nodes.retain(|n| n.codes[..WINDOW] == settled[..]);
                for n in &mut nodes {
                    n.codes.drain(..WINDOW);
                }
            }
        }
        if !x.is_empty() {
            out.extend_from_slice(&nodes[best(&nodes)].codes);
        }
        out
    }

    fn search<const N: usize>(mut t: Trellis<N>, x: &[i16]) -> Vec<u8> {
        let mut codes = Vec::new();
        t.push_all(x, &mut codes);
        t.finish(&mut codes);
        codes
    }

    #[test]
    fn engine_equals_its_plain_reference() {
        let speech = wav("speech-espeak-8000Hz.wav")[6000..10_000].to_vec();
        // Full-scale square waves drive the predictors into the rails and
        // past the cap, where candidates take the slow path.
        let square = crate::test_fixtures::square(3000, 7);
        let noise = crate::test_fixtures::noise(7, 3000);
        let all = [
            DecoderFlavor::Exact,
            DecoderFlavor::ShiftAdd,
            DecoderFlavor::Asterisk,
        ];
        for x in [&speech, &square, &noise] {
            for paths in [2, 3, 4, 8, 12] {
                let want = reference(all, paths, spread(paths), FFMPEG_MAX, x);
                assert_eq!(
                    search(Trellis::universal(paths), x),
                    want,
                    "universal:{paths}"
                );
                let exact = [DecoderFlavor::Exact];
                let want = reference(exact, paths, 1, i32::MAX, x);
                assert_eq!(search(Trellis::exact(paths), x), want, "search:{paths}");
            }
        }
    }

    #[test]
    fn keys_of_packed_predictors_are_the_bucketed_states() {
        // Two predictors share a masked lane exactly when they share a
        // bucket, for every step index and across the whole range.
        let t = Trellis::universal(8);
        for (from, shifts) in MERGE_SHIFT.iter().enumerate() {
            for (m, &sh) in shifts.iter().enumerate() {
                let index = NEXT_INDEX[from][m];
                let key = |p: [i32; 3]| t.key(Lanes::pack(&p), index);
                for p in (-32768..=32767).step_by(97) {
                    for q in [p - 1, p + 1, p + (1 << sh), p - (1 << sh), p + 3, p ^ 1] {
                        let q = q.clamp(-32768, 32767);
                        let same = p >> sh == q >> sh;
                        assert_eq!(key([p, 0, 5]) == key([q, 0, 5]), same, "{p} {q} at {index}");
                        assert_eq!(key([7, p, 5]) == key([7, q, 5]), same, "{p} {q} at {index}");
                        assert_eq!(key([7, 0, p]) == key([7, 0, q]), same, "{p} {q} at {index}");
                    }
                }
                let other = (index + 1) % STEPS as u8;
                let a = t.key(Lanes::pack(&[0, 0, 0]), index);
                let b = t.key(Lanes::pack(&[0, 0, 0]), other);
                assert_ne!(a, b, "step indices {index} and {other}");
            }
        }
    }

    /// The frontier comparison that lets a split search take a guess's
    /// codes: equal only with every cost, state, the order and the layers.
    #[test]
    fn frontiers_compare_costs_states_order_and_layers() {
        let speech = wav("speech-espeak-8000Hz.wav");
        let mut t = Trellis::universal(8);
        let mut codes = Vec::new();
        t.push_all(&speech[..FIRST + 3 * WINDOW], &mut codes);
        let f = t.frontier();
        assert!(f.nodes.len() >= 2, "{f:?}");
        assert!(t.same_frontier(&f));
        let spoilt = [
            |f: &mut Frontier| f.nodes[1].0 += 1,
            |f: &mut Frontier| f.nodes[1].1 ^= 1 << 10,
            |f: &mut Frontier| f.nodes[1].2 ^= 1,
            |f: &mut Frontier| f.nodes.swap(0, 1),
            |f: &mut Frontier| f.layers -= 1,
            |f: &mut Frontier| f.nodes.truncate(1),
        ];
        for (i, spoil) in spoilt.iter().enumerate() {
            let mut g = f.clone();
            spoil(&mut g);
            assert!(!t.same_frontier(&g), "change {i}");
        }
        // A search of the same samples one sample later holds another.
        let mut u = Trellis::universal(8);
        u.push_all(&speech[1..FIRST + 3 * WINDOW + 1], &mut codes);
        assert!(!t.same_frontier(&u.frontier()));
    }

    #[test]
    fn the_network_sorts() {
        let mut v = 1u64;
        let mut next = || {
            v ^= v << 13;
            v ^= v >> 7;
            v ^= v << 17;
            v % 50 // many equal values
        };
        for _ in 0..2000 {
            let mut a: [u64; 32] = std::array::from_fn(|_| next());
            let mut want = a;
            want.sort_unstable();
            sort_network(&mut a);
            assert_eq!(a, want);
            let mut b: [u64; 8] = std::array::from_fn(|_| next());
            let mut want = b;
            want.sort_unstable();
            sort_network(&mut b);
            assert_eq!(b, want);
            let mut c: [u64; 16] = std::array::from_fn(|_| next());
            let mut want = c;
            want.sort_unstable();
            sort_network(&mut c);
            assert_eq!(c, want);
        }
    }

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
