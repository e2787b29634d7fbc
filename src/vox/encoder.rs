//! The streaming encoder: samples in, bytes out, with an explicit `finish`.

use super::greedy;
use super::search::{Single, Trellis};
use super::split::Split;
use super::state::State;
use super::{EncoderKind, NibbleOrder};

/// A streaming Dialogic ADPCM encoder.
///
/// [`encode`](Encoder::encode) may be called with any number of samples,
/// odd counts included; the bytes are the same as for one call on the whole
/// input. The search encoders decide each code later than they see the
/// sample (not at all with one path; with more, up to a 16.4 s segment and
/// 512 samples, segments being searched on several threads; at most
/// [`MAX_DELAY`](super::MAX_DELAY) samples), so their bytes come out with a
/// delay; [`block_hint`](Encoder::block_hint) says how much to hand over at
/// once. [`finish`](Encoder::finish) writes everything
/// still held and, after an odd number of samples, one last byte whose second
/// nibble is 0 (what `sox` writes).
///
/// ```
/// use voxprep::vox::{Encoder, EncoderKind};
/// let mut enc = Encoder::new(EncoderKind::Greedy);
/// let mut out = Vec::new();
/// enc.encode(&[1000, -1000, 500], &mut out);
/// enc.finish(&mut out);
/// assert_eq!(out.len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Encoder {
    engine: Engine,
    order: NibbleOrder,
    /// First nibble of a byte not yet complete.
    pending: Option<u8>,
    /// Codes decided by a search engine, before packing.
    codes: Vec<u8>,
}

#[derive(Debug, Clone)]
enum Engine {
    Greedy(State),
    SearchSplit(Box<Split<1>>),
    UniversalSplit(Box<Split<3>>),
    SearchSingle(Single<1>),
    UniversalSingle(Single<3>),
}

impl Encoder {
    /// An encoder of `kind`, writing the usual nibble order (high first).
    pub fn new(kind: EncoderKind) -> Encoder {
        Encoder::with_order(kind, NibbleOrder::HighFirst)
    }

    /// An encoder with an explicit nibble order.
    pub fn with_order(kind: EncoderKind, order: NibbleOrder) -> Encoder {
        let engine = match kind {
            EncoderKind::Greedy => Engine::Greedy(State::INITIAL),
            EncoderKind::Search { paths: 0 | 1 } => Engine::SearchSingle(Single::exact()),
            EncoderKind::Universal { paths: 0 | 1 } => Engine::UniversalSingle(Single::universal()),
            EncoderKind::Search { paths } => {
                Engine::SearchSplit(Box::new(Split::new(Trellis::exact(paths))))
            }
            EncoderKind::Universal { paths } => {
                Engine::UniversalSplit(Box::new(Split::new(Trellis::universal(paths))))
            }
        };
        Encoder {
            engine,
            order,
            pending: None,
            codes: Vec::new(),
        }
    }

    /// How many samples to hand [`encode`](Encoder::encode) at a time so
    /// that the encoder can spread its work over the threads it uses: for a
    /// search of two or more paths, one segment of the split per thread
    /// (16.4 s each; fewer at hundreds of paths, to bound memory); otherwise 256 Ki samples, from which greedy spreads
    /// over lanes and cores (it splits from 64 Ki up). Calls of any size
    /// give the same bytes; this only decides how much runs at once.
    pub fn block_hint(&self) -> usize {
        match &self.engine {
            Engine::SearchSplit(t) => t.block_hint(),
            Engine::UniversalSplit(t) => t.block_hint(),
            _ => 1 << 18,
        }
    }

    /// Encode `samples`, appending finished bytes to `out`.
    pub fn encode(&mut self, samples: &[i16], out: &mut Vec<u8>) {
        out.reserve(samples.len() / 2 + 1);
        match &mut self.engine {
            Engine::Greedy(state) => {
                let mut rest = samples;
                if let (Some(first), Some((&x, tail))) = (self.pending, rest.split_first()) {
                    out.push(self.order.join(first, state.encode_greedy(x)));
                    self.pending = None;
                    rest = tail;
                }
                let even = rest.len() & !1;
                greedy::encode_pairs(state, &rest[..even], self.order, out);
                if let Some(&x) = rest.get(even) {
                    self.pending = Some(state.encode_greedy(x));
                }
                return;
            }
            Engine::SearchSplit(t) => t.push_all(samples, &mut self.codes),
            Engine::UniversalSplit(t) => t.push_all(samples, &mut self.codes),
            Engine::SearchSingle(t) => t.push_all(samples, &mut self.codes),
            Engine::UniversalSingle(t) => t.push_all(samples, &mut self.codes),
        }
        self.flush_codes(out);
    }

    /// End the stream: write every code still held, then pad an odd final
    /// nibble with code 0 as sox does.
    pub fn finish(mut self, out: &mut Vec<u8>) {
        match &mut self.engine {
            Engine::Greedy(_) | Engine::SearchSingle(_) | Engine::UniversalSingle(_) => {}
            Engine::SearchSplit(t) => t.finish(&mut self.codes),
            Engine::UniversalSplit(t) => t.finish(&mut self.codes),
        }
        self.flush_codes(out);
        if let Some(first) = self.pending.take() {
            out.push(self.order.join(first, 0));
        }
    }

    /// Pack the codes decided so far into bytes, completing a pending
    /// nibble first and keeping an odd last one pending.
    fn flush_codes(&mut self, out: &mut Vec<u8>) {
        let mut codes = &self.codes[..];
        if let (Some(first), Some((&second, rest))) = (self.pending, codes.split_first()) {
            out.push(self.order.join(first, second));
            self.pending = None;
            codes = rest;
        }
        let pairs = codes.chunks_exact(2);
        self.pending = self.pending.or(pairs.remainder().first().copied());
        let order = self.order;
        out.extend(pairs.map(|pair| order.join(pair[0], pair[1])));
        self.codes.clear();
    }
}
