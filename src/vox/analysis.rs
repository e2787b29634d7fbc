//! What a VOX stream holds beyond its length: the samples the exact family
//! plays, how differently the shift-add family plays the same bytes, and
//! whether the decoded signal sits at the rails (the sign that the file is
//! not Dialogic ADPCM at all, or was written at another rate). Pure: bytes
//! in, figures out; what the figures mean for a prompt is the spec's
//! ([`crate::spec::vox_stream_problems`]).

use super::screen::{Screen, ScreenFigures};
use super::{Decoder, DecoderFlavor};
use serde::Serialize;

/// A decoded sample at or beyond this magnitude is "at the rails": the last
/// 12-bit step below full scale (2047 x 16 = 32752).
pub const RAIL_LEVEL: i32 = 32752;

/// Only runs of at least this many consecutive rail samples count (8 ms at
/// 8 kHz). A clipped full-scale 300 Hz square wave, a legitimate if loud
/// signal, sits at the rails for runs of about 13 samples; mu-law, A-law or
/// 8-bit PCM decoded as ADPCM walks into the rails for hundreds.
pub const RAIL_RUN: usize = 64;

/// Below this RMS (share of full scale, about -60 dBFS) the exact decoding is
/// treated as silence and no SNR between the decoders is computed.
const SILENCE_RMS: f64 = 0.001;

/// Bytes decoded per piece, whose sums are kept in integers: those of a
/// piece cannot overflow.
const PIECE: usize = 1 << 18;

/// Figures about one VOX stream, decoded as Dialogic ADPCM.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoxAnalysis {
    /// The stream decoded with [`DecoderFlavor::Exact`] (what sox and
    /// libsndfile play): feed these to the signal analysis.
    #[serde(skip)]
    pub samples: Vec<i16>,
    /// Largest |exact - shift-add| over the stream, as a share of full scale.
    pub drift_max: f64,
    /// Mean of (exact - shift-add), the DC offset between the two decodings,
    /// as a share of full scale (signed).
    pub drift_mean: f64,
    /// SNR in dB of the shift-add decoding against the exact one; `None` when
    /// the exact decoding is silence, infinite when they agree exactly.
    pub shift_add_snr_db: Option<f64>,
    /// Share of samples lying in runs of at least [`RAIL_RUN`] rail samples.
    pub rails_share: f64,
    /// Longest run of consecutive rail samples.
    pub longest_rail_run: usize,
    /// Share of the exact decoder's steps that overshoot a rail by more than
    /// `s/8` ("ADPCM state errors").
    pub overshoot_share: f64,
    /// Whether the stream is ADPCM at all: its state errors counted, and
    /// what its bytes look like read as raw PCM once it has one.
    pub screen: ScreenFigures,
}

/// Decode `bytes` with the exact and shift-add flavours and measure them.
pub fn analyse_stream(bytes: &[u8]) -> VoxAnalysis {
    let mut analyser = Analyser::new();
    let mut samples = Vec::with_capacity(bytes.len() * 2);
    analyser.feed(bytes, &mut samples);
    analyser.finish(samples)
}

/// The streaming form of [`analyse_stream`]: feed the bytes in pieces, keep
/// (or drop) the exact samples yourself, then [`finish`](Analyser::finish).
#[derive(Debug, Clone)]
pub struct Analyser {
    exact: Decoder,
    shift_add: Decoder,
    count: u64,
    signal_energy: f64,
    diff_energy: f64,
    diff_sum: f64,
    diff_max: i32,
    run: usize,
    longest_run: usize,
    in_long_runs: u64,
    screen: Screen,
}

impl Default for Analyser {
    fn default() -> Self {
        Analyser::new()
    }
}

impl Analyser {
    /// A fresh analyser at the start of a stream.
    pub fn new() -> Analyser {
        Analyser {
            exact: Decoder::new(DecoderFlavor::Exact),
            shift_add: Decoder::new(DecoderFlavor::ShiftAdd),
            count: 0,
            signal_energy: 0.0,
            diff_energy: 0.0,
            diff_sum: 0.0,
            diff_max: 0,
            run: 0,
            longest_run: 0,
            in_long_runs: 0,
            screen: Screen::new(),
        }
    }

    /// Analyse the next `bytes`, appending their exact decoding to `exact_out`.
    pub fn feed(&mut self, bytes: &[u8], exact_out: &mut Vec<i16>) {
        // The sums are kept in integers per piece: exact, and free of the
        // latency of floating-point additions.
        exact_out.reserve(bytes.len() * 2);
        for piece in bytes.chunks(PIECE) {
            self.feed_piece(piece, exact_out);
        }
    }

    fn feed_piece(&mut self, bytes: &[u8], exact_out: &mut Vec<i16>) {
        let mut exact = self.exact.lane();
        let order = self.exact.order();
        let base = exact_out.len();
        exact_out.resize(base + 2 * bytes.len(), 0);
        let ex = &mut exact_out[base..];
        // Each flavour in a loop of its own, the exact one first: its chain
        // then stays in registers. (One loop for both spilled; two threads
        // were slower, as rayon's handoff per 64 KiB that `voxprep check`
        // reads costs more than it saves.)...
        let mut overshoots = 0u64;
        for (&b, e) in bytes.iter().zip(ex.chunks_exact_mut(2)) {
            let (first, second) = order.split(b);
            let (e0, o0) = exact.decode_checked(first);
            let (e1, o1) = exact.decode_checked(second);
            e[0] = e0;
            e[1] = e1;
            overshoots += u64::from(o0) + u64::from(o1);
        }
        // ...then the shift-add chain, with the sums over both samples in
        // its shadow: the decoder's chain of dependent steps leaves the
        // arithmetic units idle, so the sums cost next to nothing there.
        let mut shift = self.shift_add.lane();
        let shift_order = self.shift_add.order();
        let (mut signal, mut diff_energy, mut diff_sum) = (0u64, 0u64, 0i64);
        let mut diff_max = self.diff_max;
        for (&b, e) in bytes.iter().zip(exact_out[base..].chunks_exact(2)) {
            let (first, second) = shift_order.split(b);
            let s = [shift.decode(first), shift.decode(second)];
            for (&e, s) in e.iter().zip(s) {
                let (e, s) = (i32::from(e), i32::from(s));
                let d = e - s;
                signal += (e * e) as u64;
                diff_energy += (i64::from(d) * i64::from(d)) as u64;
                diff_sum += i64::from(d);
                diff_max = diff_max.max(d.abs());
            }
        }
        self.shift_add.set_lane(shift);
        self.track_rails(&exact_out[base..]);
        self.exact.set_lane(exact);
        self.signal_energy += signal as f64;
        self.diff_energy += diff_energy as f64;
        self.diff_sum += diff_sum as f64;
        self.diff_max = diff_max;
        self.screen.note(bytes, overshoots);
        self.count += 2 * bytes.len() as u64;
    }

    /// Follow the runs of rail samples through `exact`. Stretches without a
    /// rail sample (nearly all of a genuine stream) are skipped whole.
    fn track_rails(&mut self, exact: &[i16]) {
        let at_rail = |e: i16| i32::from(e).abs() >= RAIL_LEVEL;
        for part in exact.chunks(64) {
            if !part.iter().fold(false, |any, &e| any | at_rail(e)) {
                if self.run > 0 {
                    self.end_run();
                }
                continue;
            }
            for &e in part {
                if at_rail(e) {
                    self.run += 1;
                } else if self.run > 0 {
                    self.end_run();
                }
            }
        }
    }

    fn end_run(&mut self) {
        if self.run >= RAIL_RUN {
            self.in_long_runs += self.run as u64;
        }
        self.longest_run = self.longest_run.max(self.run);
        self.run = 0;
    }

    /// The figures, with `samples` (the exact decoding, or empty) attached.
    pub fn finish(mut self, samples: Vec<i16>) -> VoxAnalysis {
        self.end_run();
        let n = self.count.max(1) as f64;
        let full = 32768.0;
        let rms = (self.signal_energy / n).sqrt() / full;
        let shift_add_snr_db = if self.count == 0 || rms < SILENCE_RMS {
            None
        } else if self.diff_energy == 0.0 {
            Some(f64::INFINITY)
        } else {
            Some(10.0 * (self.signal_energy / self.diff_energy).log10())
        };
        let screen = self.screen.figures();
        VoxAnalysis {
            samples,
            drift_max: self.diff_max as f64 / full,
            drift_mean: self.diff_sum / n / full,
            shift_add_snr_db,
            rails_share: self.in_long_runs as f64 / n,
            longest_rail_run: self.longest_run,
            overshoot_share: screen.state_error_share(),
            screen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vox::{EncoderKind, encode};

    fn speechlike(n: usize) -> Vec<i16> {
        // A deterministic, speech-like mix: two swept tones with an envelope.
        (0..n)
            .map(|i| {
                let t = i as f64 / 8000.0;
                let env = (t * 3.0 * std::f64::consts::PI).sin().abs();
                let v = (2.0 * std::f64::consts::PI * (200.0 + 300.0 * t) * t).sin() * 0.6
                    + (2.0 * std::f64::consts::PI * 1300.0 * t).sin() * 0.3;
                (v * env * 20000.0) as i16
            })
            .collect()
    }

    #[test]
    fn empty_and_silent_streams() {
        let a = analyse_stream(&[]);
        assert!(a.samples.is_empty());
        assert_eq!(a.shift_add_snr_db, None);
        let silent = encode(&vec![0i16; 8000], EncoderKind::Greedy);
        let a = analyse_stream(&silent);
        assert_eq!(a.samples.len(), 8000);
        assert_eq!((a.rails_share, a.overshoot_share), (0.0, 0.0));
    }

    #[test]
    fn random_walk_into_the_rails_sits_there() {
        // Code 7 forever: the predictor runs to the positive rail and stays.
        let a = analyse_stream(&[0x77; 4000]);
        assert!(a.rails_share > 0.9);
    }

    #[test]
    fn exact_samples_are_the_exact_decoding() {
        let x = speechlike(16000);
        let bytes = encode(&x, EncoderKind::Universal { paths: 4 });
        let a = analyse_stream(&bytes);
        assert_eq!(a.samples, crate::vox::decode(&bytes, DecoderFlavor::Exact));
    }

    #[test]
    fn streaming_equals_one_shot() {
        let bytes = encode(&speechlike(5001), EncoderKind::Greedy);
        let whole = analyse_stream(&bytes);
        let mut an = Analyser::new();
        let mut samples = Vec::new();
        for chunk in bytes.chunks(333) {
            an.feed(chunk, &mut samples);
        }
        assert_eq!(an.finish(samples), whole);
    }
}
