//! K-best ("trellis") search encoders.
//!
//! The encoder keeps the `paths` cheapest decoder states reached so far. For
//! each new sample every state is extended by the codes whose reconstruction
//! levels lie next to the sample (the greedy code and its neighbours), states
//! that became identical are merged keeping the cheaper, and the `paths`
//! cheapest survive. A node carries one predictor per decoder family it is
//! scored against (1 for [`EncoderKind::Search`](super::EncoderKind::Search),
//! 3 for [`EncoderKind::Universal`](super::EncoderKind::Universal)); the step
//! index is the same for every family because it depends on the codes only.
//! States whose predictors agree to within about an eighth of the step are
//! merged too, keeping the search's paths apart.
//! The cost ([`cost`]) is the squared error of the families' mean plus
//! their weighted disagreement (for one family, the squared error), plus a
//! penalty whenever a family's predictor would overshoot the rails by more
//! than `s/8` (which makes sox report "ADPCM state errors"). With one path
//! the search is [`Single`], which decides each code at once.
//!
//! Memory is bounded: back pointers are kept for `DELAY + WINDOW` samples;
//! whenever that fills, the best node's path is traced back, its oldest
//! `WINDOW` codes are written out, and nodes whose path disagrees with those
//! codes are dropped. Decisions are therefore at most `DELAY + WINDOW` samples
//! late, and the history never exceeds `(DELAY + WINDOW) * paths` entries.

use std::hint::select_unpredictable;

use super::DecoderFlavor;
use super::state::{family, overshoot};
use super::tables::{MERGE_SHIFT, NEXT_INDEX, RECIP_4S, RECIP_12S, STEPS};

/// Samples of history kept after a commit (decision depth).
pub(crate) const DELAY: usize = 512;
/// Samples written out per commit.
pub(crate) const WINDOW: usize = 512;
/// How many levels either side of the greedy level are tried.
const SPREAD: i32 = 1;
/// Largest number of paths accepted (back pointers are 16-bit).
pub const MAX_PATHS: usize = 4096;

/// Added to a candidate's cost when a predictor overshoots the rails beyond
/// the grace of `s/8` (16 times the largest possible squared error of a sample).
const OVERSHOOT_PENALTY: u64 = 1 << 36;

#[derive(Debug, Clone, Copy)]
struct Node<const N: usize> {
    cost: u64,
    /// The state packed for merging: each predictor in buckets of about an
    /// eighth of the step size (`tables::MERGE_SHIFT`), then the step
    /// index. Nodes with the same key count as the same state and only the
    /// cheaper survives: near-identical states would otherwise fill the K
    /// paths with one choice. Measured on speech this adds 0.4-0.6 dB at
    /// K = 4 and 8 on every family (exact keys: universal:8 20.36 dB at
    /// worst on the espeak fixture, bucketed: 20.85); a tone, a chirp,
    /// music and noise moved by -0.3 to +0.25 dB at K = 8.
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
        Trellis::new([DecoderFlavor::Exact], paths, 1)
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
        )
    }
}

impl<const N: usize> Trellis<N> {
    fn new(families: [DecoderFlavor; N], paths: usize, spread: i32) -> Trellis<N> {
        let paths = paths.clamp(1, MAX_PATHS);
        let max_cand = paths * (2 * SPREAD as usize + 1);
        let table_len = if paths > SMALL {
            (max_cand * 2).next_power_of_two()
        } else {
            0
        };
        let tables = families.map(|f| family(f).0);
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
            lo: families.map(|f| family(f).1),
            hi: families.map(|f| family(f).2),
            span: families.map(|f| (family(f).2 - family(f).1) as u32),
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

    /// The cost and the family predictors of the candidate reached from
    /// `node` by `code`. One unsigned test per predictor finds both rails;
    /// only a candidate past one takes the clamping path.
    #[inline(always)]
    fn score(&self, node: &Node<N>, code: u8, x: i32) -> (u64, [i32; N]) {
        let d = &self.diffs[node.index as usize][code as usize];
        let mut pred = [0i32; N];
        let mut outside = false;
        for f in 0..N {
            let u = node.pred[f] + d[f];
            outside |= (u - self.lo[f]) as u32 > self.span[f];
            pred[f] = u;
        }
        if outside {
            let rails = (self.lo, self.hi);
            let (added, pred) = at_the_rails(node.pred, node.index, x, d, rails, self.spread);
            return (node.cost + added, pred);
        }
        (node.cost + cost(x, &pred, self.spread), pred)
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
                let (cost, pred) = self.score(&node, code, x);
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
                let (cost, pred) = self.score(&node, code, x);
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

/// The one-path search (`paths == 1`): each sample's code is the cheaper by
/// [`cost`] (overshoot penalised) of two levels, the greedy level of the
/// families' mean predictor and its neighbour on the sample's side (see
/// [`pair_window`]; the trellis tries both neighbours, which at one path
/// gained nothing measurable and cost a third more work). No history: every
/// decision is final at once, so codes come out without delay.
#[derive(Debug, Clone)]
pub(crate) struct Single<const N: usize> {
    /// One row per step index, 64 of them (49 used) so that indexing by
    /// `i & 63` needs no bounds check.
    rows: Box<[SingleRow<N>; 64]>,
    lo: [i32; N],
    hi: [i32; N],
    /// `lo` and `hi` packed (see [`Lanes`]), with every guard bit set.
    lo_lanes: u64,
    hi_lanes: u64,
    /// How much the families' disagreement weighs in the cost (see [`cost`]).
    spread: i32,
    pred: [i32; N],
    index: u8,
}

/// What the one-path search reads at one step index.
#[derive(Debug, Clone, Copy)]
struct SingleRow<const N: usize> {
    /// The reciprocal that picks the middle level (see [`middle_level`]).
    recip: u64,
    /// `levels[l + 1]` for reconstruction level `l` (0 the most negative),
    /// with level 0 again at 0 and level 15 again at 17, so that the three
    /// candidates around any middle level are `levels[m..m + 3]`, clamped
    /// as the trellis clamps them.
    levels: [Level<N>; 18],
}

/// One reconstruction level at one step index, with what [`cost`] needs
/// precomputed.
#[derive(Debug, Clone, Copy)]
struct Level<const N: usize> {
    /// Each family's signed difference.
    diff: [i32; N],
    /// The same, as one number to add to packed predictors (see [`Lanes`]).
    step: u64,
    /// Their sum.
    sum: i32,
    /// `spread * (diff[f] - diff[g])` for each pair `f < g`, in the order
    /// of [`cost`] (three pairs at most).
    pairs: [i32; 3],
    /// The step index after this level, and the code above it.
    next_code: i32,
    /// The next step index's reciprocal (see [`middle_level`]), so that the
    /// next sample need not wait for its row to find it.
    next_recip: i32,
}

impl<const N: usize> Single<N> {
    fn new(families: [DecoderFlavor; N], spread: i32) -> Single<N> {
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
        Single {
            rows,
            lo: families.map(|f| family(f).1),
            hi: families.map(|f| family(f).2),
            lo_lanes: Lanes::pack(&families.map(|f| family(f).1)),
            hi_lanes: Lanes::pack(&families.map(|f| family(f).2)) | Lanes::GUARDS,
            spread,
            pred: [0; N],
            index: 0,
        }
    }

    /// Encode `samples`, appending one code per sample to `codes`.
    ///
    /// Each code depends on the state the previous one left, so this loop
    /// runs at the speed of that chain, and does little per sample: the
    /// predictors packed in one number ([`Lanes`]: one addition steps
    /// them all, one test checks every rail), their sum and scaled
    /// differences carried with them rather than recomputed, the next step
    /// index's reciprocal read with the level, the two costs compared by
    /// their difference (one product per term of [`cost`] instead of two
    /// squares), and the winner selected without a branch on the data.
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
            let inside = (u[0] | Lanes::GUARDS).wrapping_sub(self.lo_lanes)
                & self.hi_lanes.wrapping_sub(u[1])
                & Lanes::GUARDS;
            let (second, won) = if inside == Lanes::GUARDS {
                // The first of the cheaper, as the reference keeps it. Which
                // one wins is a coin toss on speech: selects, not branches.
                let pick = |a: i32, b: i32| select_unpredictable(second, b, a);
                packed = select_unpredictable(second, u[1], u[0]);
                sum = pick(sums[0], sums[1]);
                for q in 0..3 {
                    apart[q] = pick(aparts[0][q], aparts[1][q]);
                }
                (second, pick(a.next_code, b.next_code))
            } else {
                let pred = Lanes::unpack::<N>(packed);
                let rails = (self.lo, self.hi);
                let (ca, pa) = at_the_rails(pred, index, x, &a.diff, rails, self.spread);
                let (cb, pb) = at_the_rails(pred, index, x, &b.diff, rails, self.spread);
                let second = cb < ca;
                let clamped = if second { pb } else { pa };
                packed = Lanes::pack(&clamped);
                sum = clamped.iter().sum();
                apart = pairs(&clamped, self.spread);
                (second, if second { b.next_code } else { a.next_code })
            };
            recip = select_unpredictable(second, b.next_recip, a.next_recip) as u32 as u64;
            index = won as u8;
            *out = (won >> 8) as u8;
        }
        self.pred = Lanes::unpack(packed);
        self.index = index;
    }
}

/// Up to three predictors packed in one `u64`, 21 bits each, so that a
/// candidate's predictors are one addition and the rails one test. A lane
/// holds `p + 2^18`: every predictor and every unclamped step from one
/// (`|p + d| < 2^17`) stays below `2^19`, so lanes never carry into each
/// other and bit 20 of each lane is free as a guard. Adding [`Lanes::step`]
/// of the differences (an integer sum with negative terms, so the lanes
/// stay exact) steps every predictor at once. A lane is at least its rail
/// `r` when `(u | guard) - (r + 2^18)` keeps the guard bit, and at most it
/// when `(r + 2^18 | guard) - u` does.
struct Lanes;

impl Lanes {
    const BITS: u32 = 21;
    const BIAS: i64 = 1 << 18;
    /// Bit 20 of each of the three lanes.
    const GUARDS: u64 = (1 << 20) | (1 << 41) | (1 << 62);

    fn pack<const N: usize>(values: &[i32; N]) -> u64 {
        const { assert!(N <= 3) };
        let mut packed = 0u64;
        for (f, &v) in values.iter().enumerate() {
            packed |= ((v as i64 + Self::BIAS) as u64) << (Self::BITS * f as u32);
        }
        packed
    }

    fn unpack<const N: usize>(packed: u64) -> [i32; N] {
        std::array::from_fn(|f| {
            let lane = (packed >> (Self::BITS * f as u32)) & ((1 << Self::BITS) - 1);
            (lane as i64 - Self::BIAS) as i32
        })
    }

    /// The number whose addition adds `diff[f]` to lane `f`.
    fn step<const N: usize>(diff: &[i32; N]) -> u64 {
        let mut step = 0u64;
        for (f, &d) in diff.iter().enumerate() {
            step = step.wrapping_add((d as i64 as u64).wrapping_shl(Self::BITS * f as u32));
        }
        step
    }
}

impl Single<1> {
    /// One-path search against the exact family.
    pub(crate) fn exact() -> Single<1> {
        Single::new([DecoderFlavor::Exact], 1)
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
        )
    }
}

/// How much the families' disagreement weighs in the cost of a universal
/// search with `paths` paths: the `spread` of [`cost`], so the weight is
/// its square (25, 9, 4). Fewer paths see less of the future and need the
/// families held together more firmly. Chosen on nine clips (four voices,
/// music, pink noise, hiss, a chirp, a tone) by the mean over clips of the
/// worst family's SNR; on that measure the encoders gained 3.6 dB at one
/// path (16.6 to 20.3, with the two-level window), 0.8 at two, 0.3 at four,
/// 0.2 at eight and 0.1 at sixteen over the plain summed squared error
/// (spread 1). See the README's VOX section.
pub(crate) const fn spread(paths: usize) -> i32 {
    match paths {
        0 | 1 => 5,
        2 | 3 => 3,
        _ => 2,
    }
}

/// The reciprocals that pick the middle level for `N` families.
fn recips<const N: usize>() -> &'static [u64; STEPS] {
    const { assert!(N == 1 || N == 3) };
    if N == 1 { &RECIP_4S } else { &RECIP_12S }
}

/// The middle of the three levels a search tries from predictors `pred`
/// for sample `x`: the greedy level of the families' mean predictor,
/// `min(7, |N x - sum| / 4Ns)` signed, where `recip` is the step index's
/// entry of [`recips`] (so no division by `N`, and no branch on the sign,
/// which speech makes a coin toss: `7 - q` is `15 - (8 + q)`).
#[inline(always)]
fn middle_level<const N: usize>(pred: &[i32; N], recip: u64, x: i32) -> i32 {
    let d = N as i32 * x - pred.iter().sum::<i32>();
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
fn pair_window(d: i32, recip: u64) -> usize {
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
fn cost<const N: usize>(x: i32, u: &[i32; N], spread: i32) -> u64 {
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
fn pairs<const N: usize>(v: &[i32; N], spread: i32) -> [i32; 3] {
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
fn at_the_rails<const N: usize>(
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

/// The code of a reconstruction level 0..=15 (0 the most negative
/// difference: sign set, m = 7; 15 the most positive).
#[inline]
fn code_of(level: i32) -> u8 {
    // Branch-free: below 8, `c` is negative and `c ^ (c >> 31)` is `7 - level`.
    let c = level - 8;
    ((c ^ (c >> 31)) & 7 | ((c >> 31) & 8)) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vox::state::greedy_code;

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
                        middle_level(&[p], RECIP_4S[i], x),
                        greedy,
                        "index {index} x {x} p {p}"
                    );
                    // Three equal predictors: their mean is `p`.
                    assert_eq!(
                        middle_level(&[p; 3], RECIP_12S[i], x),
                        greedy,
                        "index {index} x {x} p {p}"
                    );
                }
            }
        }
    }

    /// The one-path search spelled plainly: at each sample the two levels
    /// of [`pair_window`], each scored by [`cost`] (or [`at_the_rails`]),
    /// the first of the cheaper kept.
    fn one_path_reference<const N: usize>(
        families: [DecoderFlavor; N],
        spread: i32,
        x: &[i16],
    ) -> Vec<u8> {
        let tables = families.map(|f| family(f).0);
        let rails = (families.map(|f| family(f).1), families.map(|f| family(f).2));
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
                let code = code_of(level.clamp(0, 15));
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
        let square: Vec<i16> = (0..3000)
            .map(|i| if (i / 7) % 2 == 0 { i16::MAX } else { i16::MIN })
            .collect();
        let mut v = 1u32;
        let noise: Vec<i16> = (0..3000)
            .map(|_| {
                v = v.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (v >> 16) as i16
            })
            .collect();
        let all = [
            DecoderFlavor::Exact,
            DecoderFlavor::ShiftAdd,
            DecoderFlavor::Asterisk,
        ];
        for x in [growing, square, noise] {
            let mut b = Vec::new();
            Single::universal().push_all(&x, &mut b);
            assert_eq!(b, one_path_reference(all, spread(1), &x));
            let mut b = Vec::new();
            Single::exact().push_all(&x, &mut b);
            assert_eq!(b, one_path_reference([DecoderFlavor::Exact], 1, &x));
        }
    }

    #[test]
    fn lanes_step_and_test_every_predictor_at_once() {
        use crate::vox::state::{EXACT_MAX, EXACT_MIN};
        let (lo, hi) = ([EXACT_MIN, -32768, -32752], [EXACT_MAX, 32752, 32752]);
        let (lo_lanes, hi_lanes) = (Lanes::pack(&lo), Lanes::pack(&hi) | Lanes::GUARDS);
        let inside = |u: u64| {
            (u | Lanes::GUARDS).wrapping_sub(lo_lanes) & hi_lanes.wrapping_sub(u) & Lanes::GUARDS
                == Lanes::GUARDS
        };
        let mut v = 12345u32;
        let mut next = |span: i32| {
            v = v.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (v >> 8) as i32 % span
        };
        for _ in 0..100_000 {
            let p: [i32; 3] = std::array::from_fn(|f| next(hi[f] - lo[f] + 1) + lo[f]);
            let d: [i32; 3] = std::array::from_fn(|_| next(2 * 46_560 + 1) - 46_560);
            let u = Lanes::pack(&p).wrapping_add(Lanes::step(&d));
            let want: [i32; 3] = std::array::from_fn(|f| p[f] + d[f]);
            assert_eq!(Lanes::unpack::<3>(u), want, "p {p:?} d {d:?}");
            let within = (0..3).all(|f| lo[f] <= want[f] && want[f] <= hi[f]);
            assert_eq!(inside(u), within, "p {p:?} d {d:?}");
        }
        // One family: the unused lanes never fail the test.
        let u = Lanes::pack(&[32767]).wrapping_add(Lanes::step(&[-65535]));
        assert_eq!(Lanes::unpack::<1>(u), [-32768]);
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
    fn merge_buckets_span_one_to_two_steps() {
        // In 16-bit units: more than s, at most 2s, at the step index the
        // code leads to.
        use crate::vox::tables::STEP_SIZES;
        for (i, row) in MERGE_SHIFT.iter().enumerate() {
            for (m, &shift) in row.iter().enumerate() {
                let s = STEP_SIZES[NEXT_INDEX[i][m] as usize];
                let bucket = 1i32 << shift;
                assert!(
                    s < bucket && bucket <= 2 * s,
                    "index {i} m {m}: s {s}, bucket {bucket}"
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
