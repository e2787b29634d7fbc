//! The Dialogic (OKI) 4-bit ADPCM codec of headerless `.vox` files.
//!
//! A VOX file is nothing but 4-bit codes, two per byte, first sample in the
//! high nibble, at 8000 samples per second for this provider. The algorithm and
//! its tables are those of Dialogic's application note *Dialogic ADPCM
//! Algorithm* (00-1366-001).
//!
//! Decoders in the field spell the difference added to the predictor in two
//! ways (plus Asterisk's variant), and because the predictor is a pure
//! integrator a stream encoded for one family drifts when played by another.
//! [`DecoderFlavor`] names the three (and ffmpeg's, which is the exact
//! family with a lower top rail); [`EncoderKind`] chooses between the
//! reference-compatible greedy encoder and two search encoders, one of which
//! ([`EncoderKind::Universal`], the default) writes streams that play well on
//! every family.
//!
//! ```
//! use voxprep::vox::{self, DecoderFlavor, EncoderKind};
//! let tone: Vec<i16> = (0..800).map(|i| ((i as f64 * 0.3).sin() * 8000.0) as i16).collect();
//! let bytes = vox::encode(&tone, EncoderKind::Greedy);
//! assert_eq!(bytes.len(), 400);
//! let back = vox::decode(&bytes, DecoderFlavor::Exact);
//! assert_eq!(back.len(), 800);
//! ```

mod analysis;
mod decoder;
mod encoder;
mod greedy;
mod pool;
mod screen;
mod search;
mod split;
mod state;
mod tables;

pub use analysis::{Analyser, RAIL_LEVEL, RAIL_RUN, VoxAnalysis, analyse_stream};
pub use decoder::Decoder;
pub use encoder::Encoder;
pub use screen::{AUDIO_GAIN_DB, RawFormat, RawGuess, Screen, ScreenFigures};
pub use search::MAX_PATHS;

use crate::error::{Error, Result, Setting, Usage};
use std::fmt;
use std::str::FromStr;

/// Paths of [`EncoderKind::Search`] when none are given: enough to beat
/// greedy on exact decoders by 1.5 dB on speech with room to spare, where
/// four paths clear it only narrowly.
pub const DEFAULT_SEARCH_PATHS: usize = 16;

/// Paths of [`EncoderKind::Universal`] when none are given: eight, the
/// fewest that clear the quality bar on every decoder family (at least
/// 1 dB over greedy, sox's own encoder, on greedy's own family, on the
/// speech fixture and on the mean of twenty real prompts, and never more
/// than 0.1 dB below it on any one prompt; four paths miss by 0.42 dB on
/// one prompt). See docs/vox-encoder.md, "The default encoder".
pub const DEFAULT_UNIVERSAL_PATHS: usize = 8;

/// The most samples a search encoder holds before deciding their codes:
/// none for one path; for two or more, a segment of the split search less
/// one, and the 512 samples the search holds after its last commit
/// (131 583 in all, 16.4 s; see docs/vox-encoder.md, "Split searches").
pub const MAX_DELAY: usize = split::MAX_DELAY;

/// The decoder families found in the field. They differ in how the difference
/// added to the predictor is computed for a code of magnitude `m` at step `s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DecoderFlavor {
    /// `floor((2m + 1) s / 8)`, 16-bit predictor clamped to -32768..=32767
    /// (so 32767 can appear). Bit for bit what sox (since 13.0), libsndfile
    /// (since 1.0.18) and so Audacity decode; ffmpeg's `adpcm_ima_oki` agrees
    /// except after positive clipping ([`DecoderFlavor::Ffmpeg`]). The default.
    #[default]
    Exact,
    /// ffmpeg's `adpcm_ima_oki` decoder (`adpcm_ima_oki_expand_nibble` in
    /// libavcodec/adpcm.c): in 12-bit units, `diff = ((2m + 1) * s) >> 3`,
    /// added or (sign bit set) subtracted, the predictor clamped with
    /// `av_clip_intp2(p, 11)` to -2048..=2047, and the sample is `p * 16`.
    /// The difference is the exact family's; only the top rail differs: the
    /// largest sample is 2047 x 16 = 32752, where sox and libsndfile reach
    /// 32767 and carry the extra +15 until the next negative clamp. So ffmpeg
    /// agrees with [`DecoderFlavor::Exact`] except after positive clipping,
    /// by at most 15 (of 32768).
    Ffmpeg,
    /// The application note's shift-and-add spelling `s/8 + (m&4 ? s) +
    /// (m&2 ? s/2) + (m&1 ? s/4)` with each term truncated, 12-bit predictor
    /// clamped to -2048..=2047. Used by spandsp (and so FreeSWITCH), MAME's
    /// OKI emulation, old sox and libsndfile, and most likely Dialogic boards.
    ShiftAdd,
    /// Asterisk's `codec_adpcm.c` (default build): shift-add plus one when
    /// bit 1 of the code is set and the step is odd; clamped to -2047..=2047.
    Asterisk,
}

impl DecoderFlavor {
    /// All flavours, exact first (ffmpeg, the exact family's variant, last).
    pub const ALL: [DecoderFlavor; 4] = [
        DecoderFlavor::Exact,
        DecoderFlavor::ShiftAdd,
        DecoderFlavor::Asterisk,
        DecoderFlavor::Ffmpeg,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            DecoderFlavor::Exact => "exact",
            DecoderFlavor::Ffmpeg => "ffmpeg",
            DecoderFlavor::ShiftAdd => "shift-add",
            DecoderFlavor::Asterisk => "asterisk",
        }
    }
}

impl fmt::Display for DecoderFlavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DecoderFlavor {
    type Err = Error;

    fn from_str(s: &str) -> Result<DecoderFlavor> {
        match s.to_ascii_lowercase().as_str() {
            "exact" => Ok(DecoderFlavor::Exact),
            "ffmpeg" => Ok(DecoderFlavor::Ffmpeg),
            "shift-add" | "shiftadd" => Ok(DecoderFlavor::ShiftAdd),
            "asterisk" => Ok(DecoderFlavor::Asterisk),
            _ => Err(Usage::setting(
                Setting::VoxDecoder,
                format!(
                    "vox: unknown decoder flavour {s:?} (expected exact, ffmpeg, shift-add or asterisk)"
                ),
            )
            .into()),
        }
    }
}

/// How the encoder chooses codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EncoderKind {
    /// One code at a time, exactly as libsndfile and `sox -D` do: byte for
    /// byte their output. Best on exact-family decoders, drifts on others.
    Greedy,
    /// K-best search scored against the exact family: about 1-2 dB better than
    /// greedy on sox/libsndfile/ffmpeg, but drifts on the other families.
    Search {
        /// How many decoder states are kept (1..=[`MAX_PATHS`]).
        paths: usize,
    },
    /// K-best search scored against all three families at once: streams that
    /// play well on every decoder. The default.
    Universal {
        /// How many decoder states are kept (1..=[`MAX_PATHS`]).
        paths: usize,
    },
}

impl Default for EncoderKind {
    fn default() -> EncoderKind {
        EncoderKind::Universal {
            paths: DEFAULT_UNIVERSAL_PATHS,
        }
    }
}

impl fmt::Display for EncoderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncoderKind::Greedy => f.write_str("greedy"),
            EncoderKind::Search { paths } => write!(f, "search:{paths}"),
            EncoderKind::Universal { paths } => write!(f, "universal:{paths}"),
        }
    }
}

impl FromStr for EncoderKind {
    type Err = Error;

    /// `greedy`, `search`, `universal` (default paths), or `search:K` /
    /// `universal:K` with K in 1..=[`MAX_PATHS`].
    fn from_str(s: &str) -> Result<EncoderKind> {
        let lower = s.to_ascii_lowercase();
        let (name, paths) = match lower.split_once(':') {
            Some((name, k)) => match k.parse::<usize>() {
                Ok(k) if (1..=MAX_PATHS).contains(&k) => (name, Some(k)),
                _ => {
                    return Err(Usage::setting(
                        Setting::VoxEncoder,
                        format!("vox: bad path count in {s:?} (expected 1..={MAX_PATHS})"),
                    )
                    .into());
                }
            },
            None => (lower.as_str(), None),
        };
        match (name, paths) {
            ("greedy", None) => Ok(EncoderKind::Greedy),
            ("search", k) => Ok(EncoderKind::Search {
                paths: k.unwrap_or(DEFAULT_SEARCH_PATHS),
            }),
            ("universal", k) => Ok(EncoderKind::Universal {
                paths: k.unwrap_or(DEFAULT_UNIVERSAL_PATHS),
            }),
            _ => Err(Usage::setting(
                Setting::VoxEncoder,
                format!(
                    "vox: unknown encoder {s:?} (expected greedy, search[:K] or universal[:K])"
                ),
            )
            .into()),
        }
    }
}

/// Which nibble of a byte holds the earlier sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NibbleOrder {
    /// First sample in the high nibble: Dialogic VOX, sox, libsndfile. The default.
    #[default]
    HighFirst,
    /// First sample in the low nibble: some OKI-chip data (sox's `-N`).
    LowFirst,
}

impl NibbleOrder {
    /// The two codes of `byte`, earlier sample first.
    #[inline]
    pub fn split(self, byte: u8) -> (u8, u8) {
        match self {
            NibbleOrder::HighFirst => (byte >> 4, byte & 15),
            NibbleOrder::LowFirst => (byte & 15, byte >> 4),
        }
    }

    /// The byte holding `first` then `second`.
    #[inline]
    pub fn join(self, first: u8, second: u8) -> u8 {
        match self {
            NibbleOrder::HighFirst => (first & 15) << 4 | (second & 15),
            NibbleOrder::LowFirst => (second & 15) << 4 | (first & 15),
        }
    }
}

/// Encode a whole buffer (the high nibble first; an odd count is padded with
/// code 0 like sox).
pub fn encode(samples: &[i16], kind: EncoderKind) -> Vec<u8> {
    let mut out = Vec::with_capacity(samples.len() / 2 + 1);
    let mut enc = Encoder::new(kind);
    enc.encode(samples, &mut out);
    enc.finish(&mut out);
    out
}

/// Decode a whole buffer (the high nibble first): two samples per byte.
pub fn decode(bytes: &[u8], flavor: DecoderFlavor) -> Vec<i16> {
    let mut out = Vec::with_capacity(bytes.len() * 2);
    Decoder::new(flavor).decode(bytes, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse() {
        assert_eq!(
            "exact".parse::<DecoderFlavor>().unwrap(),
            DecoderFlavor::Exact
        );
        assert_eq!(
            "shift-add".parse::<DecoderFlavor>().unwrap(),
            DecoderFlavor::ShiftAdd
        );
        assert_eq!(
            "Asterisk".parse::<DecoderFlavor>().unwrap(),
            DecoderFlavor::Asterisk
        );
        assert_eq!(
            "ffmpeg".parse::<DecoderFlavor>().unwrap(),
            DecoderFlavor::Ffmpeg
        );
        assert!("oki".parse::<DecoderFlavor>().is_err());
        assert_eq!(
            "greedy".parse::<EncoderKind>().unwrap(),
            EncoderKind::Greedy
        );
        assert_eq!(
            "search".parse::<EncoderKind>().unwrap(),
            EncoderKind::Search {
                paths: DEFAULT_SEARCH_PATHS
            }
        );
        assert_eq!(
            "universal".parse::<EncoderKind>().unwrap(),
            EncoderKind::default()
        );
        assert_eq!(
            "universal:64".parse::<EncoderKind>().unwrap(),
            EncoderKind::Universal { paths: 64 }
        );
        assert!("search:0".parse::<EncoderKind>().is_err());
        assert!("greedy:4".parse::<EncoderKind>().is_err());
        assert!("trellis".parse::<EncoderKind>().is_err());
        for k in [
            EncoderKind::Greedy,
            EncoderKind::Search { paths: 3 },
            EncoderKind::default(),
        ] {
            assert_eq!(k.to_string().parse::<EncoderKind>().unwrap(), k);
        }
        for f in DecoderFlavor::ALL {
            assert_eq!(f.to_string().parse::<DecoderFlavor>().unwrap(), f);
        }
    }

    #[test]
    fn nibble_orders() {
        assert_eq!(NibbleOrder::HighFirst.split(0x7A), (0x7, 0xA));
        assert_eq!(NibbleOrder::LowFirst.split(0x7A), (0xA, 0x7));
        for o in [NibbleOrder::HighFirst, NibbleOrder::LowFirst] {
            let (a, b) = o.split(0x3C);
            assert_eq!(o.join(a, b), 0x3C);
        }
    }

    #[test]
    fn odd_count_is_padded_with_code_zero() {
        let bytes = encode(&[1000, -1000, 500], EncoderKind::Greedy);
        assert_eq!(bytes.len(), 2);
        assert_eq!(bytes[1] & 15, 0);
    }
}

/// libsndfile's own OKI ADPCM self-test vector (`src/ima_oki_adpcm.c`, the
/// `#ifdef TEST` block: `test_codes` and `test_pcm`), 72 bytes / 144 samples.
/// It exercises the 32767 quirk.
#[cfg(test)]
pub(crate) mod libsndfile_vector {
    #[rustfmt::skip]
    pub(crate) const CODES: [u8; 72] = [
        0x08, 0x08, 0x04, 0x7f, 0x72, 0xf7, 0x9f, 0x7c, 0xd7, 0xbc, 0x7a, 0xa7, 0xb8,
        0x4b, 0x0b, 0x38, 0xf6, 0x9d, 0x7a, 0xd7, 0xbc, 0x7a, 0xd7, 0xa8, 0x6c, 0x81,
        0x98, 0xe4, 0x0e, 0x7a, 0xd7, 0x9e, 0x7b, 0xc7, 0xab, 0x7a, 0x85, 0xc0, 0xb3,
        0x8f, 0x58, 0xd7, 0xad, 0x7a, 0xd7, 0xad, 0x7a, 0x87, 0xd0, 0x2b, 0x0e, 0x48,
        0xd7, 0xad, 0x78, 0xf7, 0xbc, 0x7a, 0xb7, 0xa8, 0x4b, 0x88, 0x18, 0xd5, 0x8d,
        0x6a, 0xa4, 0x98, 0x08, 0x00, 0x80, 0x88,
    ];

    #[rustfmt::skip]
    pub(crate) const PCM: [i16; 144] = [
        32, 0, 32, 0, 32, 320, 880, -336, 2304, 4192, -992, 10128, 5360, -16352,
        30208, 2272, -31872, 14688, -7040, -32432, 14128, -1392, -15488, 22960,
        1232, -1584, 21488, -240, 2576, -15360, 960, -1152, -30032, 10320, 1008,
        -30032, 16528, 1008, -30032, 16528, -5200, -30592, 15968, 448, -30592,
        15968, 448, -2368, 30960, 3024, -80, 8384, 704, -1616, -29168, -1232, 1872,
        -32768, 13792, -1728, -32768, 13792, 4480, -32192, 14368, -7360, -32752,
        13808, -1712, -21456, 16992, 1472, -1344, 26848, -1088, 2016, -17728, 208,
        -2112, -32768, 1376, -1728, -32768, 13792, -1728, -32768, 13792, -1728,
        -32768, 13792, -1728, -32768, 13792, -1728, -4544, 32767, -1377, 1727,
        15823, -2113, 207, -27345, 591, -2513, -32768, 13792, -1728, -32768, 13792,
        10688, -31632, 14928, -6800, -32192, 14368, -1152, -20896, 17552, 2032,
        -784, 22288, 560, -2256, -4816, 2176, 64, -21120, 9920, 6816, -24224, 16128,
        608, -13488, 9584, 272, -2544, 16, -2304, -192, 1728, -16, 1568, 128, -1184,
    ];

    #[test]
    fn exact_decoder_reproduces_libsndfile_self_test() {
        assert_eq!(super::decode(&CODES, super::DecoderFlavor::Exact), PCM);
    }

    #[test]
    fn greedy_encoder_reproduces_libsndfile_self_test() {
        assert_eq!(super::encode(&PCM, super::EncoderKind::Greedy), CODES);
    }
}

/// Reading the files under `fixtures/vox` (fixtures/README.md says how each
/// was made).
#[cfg(test)]
pub(crate) mod fixtures {
    /// The samples of a 16-bit mono 8000 Hz WAV.
    pub(crate) fn wav(name: &str) -> Vec<i16> {
        crate::test_fixtures::wav("vox", name, 8000)
    }

    /// The bytes of a file.
    pub(crate) fn bytes(name: &str) -> Vec<u8> {
        crate::test_fixtures::bytes("vox", name)
    }
}

/// The greedy encoder against the bytes sox and libsndfile wrote for the
/// same clips, including where they pad an odd length differently.
#[cfg(test)]
mod golden {
    use super::fixtures::{bytes, wav};
    use crate::vox::{self, Decoder, DecoderFlavor, EncoderKind};

    /// The clips with golden vectors (base names under fixtures/vox).
    const CLIPS: [&str; 4] = [
        "tone-440Hz-m6dBFS-8000Hz",
        "square-300Hz-0dBFS-8000Hz",
        "speech-espeak-8000Hz",
        "tone-440Hz-1001samples-8000Hz",
    ];

    #[test]
    fn greedy_bytes_equal_sox_and_libsndfile() {
        for clip in CLIPS {
            let x = wav(&format!("{clip}.wav"));
            let ours = vox::encode(&x, EncoderKind::Greedy);
            assert_eq!(ours, bytes(&format!("{clip}.sox.vox")), "{clip}: sox -D");
            let sndfile = bytes(&format!("{clip}.sndfile.vox"));
            if x.len().is_multiple_of(2) {
                assert_eq!(ours, sndfile, "{clip}: libsndfile");
            } else {
                // Odd length: sox pads with code 0, libsndfile encodes a zero
                // sample; everything before the last nibble is the same.
                let n = ours.len();
                assert_eq!(ours[..n - 1], sndfile[..n - 1], "{clip}");
                assert_eq!(ours[n - 1] >> 4, sndfile[n - 1] >> 4, "{clip}");
                assert_eq!(ours[n - 1] & 15, 0, "{clip}: sox's padding nibble");
                let mut s = Decoder::new(DecoderFlavor::Exact);
                let mut scratch = Vec::new();
                s.decode(&ours[..n - 1], &mut scratch);
                let mut st = s.lane().state();
                st.decode(ours[n - 1] >> 4, DecoderFlavor::Exact);
                assert_eq!(
                    st.encode_greedy(0),
                    sndfile[n - 1] & 15,
                    "{clip}: libsndfile pads"
                );
            }
        }
    }
}
