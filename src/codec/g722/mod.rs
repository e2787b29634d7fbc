//! ITU-T G.722 decoding: 7 kHz audio at 64 kbit/s by sub-band ADPCM
//! (SB-ADPCM), as in a `.g722` file.
//!
//! Each byte holds a higher sub-band code in its top 2 bits and a lower
//! sub-band code in its low 6. An ADPCM decoder per band turns its code
//! into one 8 kHz sample, and the receive QMF turns that pair into two
//! samples at 16 kHz, the real rate whatever RTP's clock says. In the 56 and
//! 48 kbit/s modes the lowest 1 or 2 bits of each byte carry other data and
//! are ignored; every mode adapts on the same top 4 bits of the lower code.
//!
//! Written from ITU-T Recommendation G.722 (1988; 3rd edition 09/2012) with
//! its fixed-point arithmetic: 16-bit saturating `add`, `mult` =
//! `(a * b) >> 15`, the clamps of LIMIT and of the predictor coefficients.
//! The tests compare the output with ffmpeg's `g722` decoder sample for
//! sample (fixtures/README.md, `g722/`).

mod band;
mod qmf;
mod tables;

use band::{Band, add, limit, mult};
use qmf::ReceiveQmf;
use tables::{QQ2, QQ4, QQ5, QQ6, WH, WL};

/// The output sample rate of G.722, whatever the bit rate (the file-name
/// table, `crate::formats`, says it for `.g722` files).
#[cfg(test)]
pub(crate) const G722_RATE: u32 = 16_000;

/// The three modes of G.722: how many of the lower sub-band's 6 bits carry
/// audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum G722Mode {
    /// Mode 1, 64 kbit/s: all 6 bits. What `.g722` files hold.
    #[default]
    Kbit64,
    /// Mode 2, 56 kbit/s: the top 5 bits; the lowest bit is data.
    // No file name says 56 or 48 kbit/s; these modes are kept, and tested
    // against ffmpeg, for streams that come with their bit rate.
    #[cfg_attr(not(test), allow(dead_code))]
    Kbit56,
    /// Mode 3, 48 kbit/s: the top 4 bits; the lowest 2 bits are data.
    #[cfg_attr(not(test), allow(dead_code))]
    Kbit48,
}

/// A streaming G.722 decoder. Every byte gives two 16 kHz samples; calls
/// may split the stream anywhere and give the same output as one call on
/// the whole stream. Every byte sequence is a valid stream, so decoding
/// cannot fail.
#[derive(Debug, Clone)]
pub(crate) struct G722Decoder {
    mode: G722Mode,
    lower: Band,
    higher: Band,
    qmf: ReceiveQmf,
}

impl Default for G722Decoder {
    fn default() -> G722Decoder {
        G722Decoder::new()
    }
}

impl G722Decoder {
    /// A 64 kbit/s decoder in the reset state.
    pub(crate) fn new() -> G722Decoder {
        G722Decoder::with_mode(G722Mode::Kbit64)
    }

    /// A decoder for `mode` in the reset state.
    pub(crate) fn with_mode(mode: G722Mode) -> G722Decoder {
        G722Decoder {
            mode,
            lower: Band::new(32),
            higher: Band::new(8),
            qmf: ReceiveQmf::new(),
        }
    }

    /// Decode `bytes` (one byte = two 16 kHz output samples), appending to
    /// `out`.
    pub(crate) fn decode(&mut self, bytes: &[u8], out: &mut Vec<i16>) {
        out.reserve(bytes.len() * 2);
        for &byte in bytes {
            let rl = self.lower_sample(byte & 0x3f);
            let rh = self.higher_sample(byte >> 6);
            out.extend(self.qmf.synthesize(rl, rh));
        }
    }

    /// The lower sub-band decoder on a 6-bit code `ilr`: INVQBL gives the
    /// output at the mode's resolution, INVQAL the 4-bit difference signal
    /// the band adapts on.
    #[inline]
    fn lower_sample(&mut self, ilr: u8) -> i16 {
        let band = &mut self.lower;
        let level = match self.mode {
            G722Mode::Kbit64 => QQ6[usize::from(ilr)],
            G722Mode::Kbit56 => QQ5[usize::from(ilr >> 1)],
            G722Mode::Kbit48 => QQ4[usize::from(ilr >> 2)],
        };
        // INVQBL, RECONS, LIMIT
        let dl = mult(band.det(), level << 3);
        let yl = limit(add(band.prediction(), dl));
        // INVQAL, then LOGSCL/SCALEL and the predictor.
        let il4 = usize::from(ilr >> 2);
        let dlt = mult(band.det(), QQ4[il4] << 3);
        band.adapt_scale(WL[il4], 18432, 8);
        band.adapt_predictor(dlt);
        yl
    }

    /// The higher sub-band decoder on a 2-bit code `ih`: INVQAH gives the
    /// difference signal for both the output and the adaptation.
    #[inline]
    fn higher_sample(&mut self, ih: u8) -> i16 {
        let band = &mut self.higher;
        let ih = usize::from(ih);
        // INVQAH, RECONS, LIMIT
        let dh = mult(band.det(), QQ2[ih] << 3);
        let yh = limit(add(band.prediction(), dh));
        // LOGSCH/SCALEH, then the predictor.
        band.adapt_scale(WH[ih], 22528, 10);
        band.adapt_predictor(dh);
        yh
    }
}

#[cfg(test)]
mod tests {
    use super::{G722Decoder, G722Mode};
    use proptest::prelude::*;

    fn decode(bytes: &[u8], mode: G722Mode) -> Vec<i16> {
        let mut out = Vec::new();
        G722Decoder::with_mode(mode).decode(bytes, &mut out);
        out
    }

    #[test]
    fn silence_decodes_near_zero() {
        // The codes nearest zero in both bands (low 0x3d = +17, high 3 =
        // +202): the output stays small.
        let out = decode(&[0xfd; 800], G722Mode::Kbit64);
        assert_eq!(out.len(), 1600);
        assert!(out.iter().all(|s| s.abs() < 64), "{:?}", &out[..32]);
    }

    #[test]
    fn modes_ignore_the_data_bits() {
        let bytes: Vec<u8> = (0..=255).collect();
        let masked = |mask: u8| bytes.iter().map(|b| b & mask).collect::<Vec<u8>>();
        assert_eq!(
            decode(&bytes, G722Mode::Kbit56),
            decode(&masked(0xfe), G722Mode::Kbit56)
        );
        assert_eq!(
            decode(&bytes, G722Mode::Kbit48),
            decode(&masked(0xfc), G722Mode::Kbit48)
        );
        assert_ne!(
            decode(&bytes, G722Mode::Kbit64),
            decode(&masked(0xfe), G722Mode::Kbit64)
        );
    }

    fn mode() -> impl Strategy<Value = G722Mode> {
        prop_oneof![
            Just(G722Mode::Kbit64),
            Just(G722Mode::Kbit56),
            Just(G722Mode::Kbit48)
        ]
    }

    proptest! {
        #[test]
        fn any_bytes_decode_to_two_samples_each(
            bytes in proptest::collection::vec(any::<u8>(), 0..4096),
            mode in mode(),
        ) {
            prop_assert_eq!(decode(&bytes, mode).len(), 2 * bytes.len());
        }

        #[test]
        fn streaming_in_pieces_equals_one_call(
            bytes in proptest::collection::vec(any::<u8>(), 0..2048),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
            mode in mode(),
        ) {
            let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
            cuts.sort_unstable();
            let mut decoder = G722Decoder::with_mode(mode);
            let mut out = Vec::new();
            let mut start = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                decoder.decode(&bytes[start..cut], &mut out);
                start = cut;
            }
            prop_assert_eq!(out, decode(&bytes, mode));
        }
    }
}

/// The decoder against ffmpeg's decoding of the same bytes (fixtures/g722;
/// fixtures/README.md says how each file was made).
#[cfg(test)]
mod golden {
    use super::{G722_RATE, G722Decoder, G722Mode};

    fn bytes(name: &str) -> Vec<u8> {
        crate::test_fixtures::bytes("g722", name)
    }

    fn wav(name: &str) -> Vec<i16> {
        crate::test_fixtures::wav("g722", name, G722_RATE)
    }

    /// Decode `<clip>.g722` in `mode` and compare with ffmpeg's `golden`.
    fn check(clip: &str, mode: G722Mode, golden: &str) {
        let input = bytes(&format!("{clip}.g722"));
        let expected = wav(&format!("{clip}.g722.{golden}.wav"));
        let mut ours = Vec::new();
        G722Decoder::with_mode(mode).decode(&input, &mut ours);
        assert_eq!(ours.len(), 2 * input.len(), "{clip}");
        assert_eq!(expected.len(), ours.len(), "{clip}: ffmpeg's length");
        if let Some(i) = (0..ours.len()).find(|&i| ours[i] != expected[i]) {
            let end = (i + 8).min(ours.len());
            panic!(
                "{clip} {golden}: first difference at sample {i} of {}: ours {:?}, ffmpeg {:?}",
                ours.len(),
                &ours[i..end],
                &expected[i..end]
            );
        }
    }

    /// Clips encoded by ffmpeg from sox-made sources, and crafted bytes.
    const CLIPS: [&str; 4] = [
        "speech-espeak-16000Hz",
        "sweep-100-7900Hz-16000Hz",
        "noise-burst-16000Hz",
        "crafted-16000Hz",
    ];

    #[test]
    fn decodes_as_ffmpeg_at_64_kbit() {
        for clip in CLIPS {
            check(clip, G722Mode::Kbit64, "ffmpeg-decoded");
        }
    }

    #[test]
    fn decodes_as_ffmpeg_at_56_and_48_kbit() {
        for clip in ["sweep-100-7900Hz-16000Hz", "crafted-16000Hz"] {
            check(clip, G722Mode::Kbit56, "ffmpeg-decoded-56k");
            check(clip, G722Mode::Kbit48, "ffmpeg-decoded-48k");
        }
    }
}
