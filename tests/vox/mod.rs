//! The VOX codec against golden vectors made by the reference tools (sox,
//! libsndfile), hand-computed sequences and the tools themselves (here and
//! `live_tools`), quality margins and pinned bytes (`quality`), what a
//! stream's analysis and `check` say of it (`analysis`), and properties
//! (`properties`). See fixtures/README.md for how every file under
//! fixtures/vox was made.

mod analysis;
mod live_tools;
mod properties;
mod quality;

use crate::common::fixture;
use voxprep::vox::{self, Decoder, DecoderFlavor, Encoder, EncoderKind, NibbleOrder};

/// The clips with golden vectors (base names under fixtures/vox).
const CLIPS: [&str; 4] = [
    "tone-440Hz-m6dBFS-8000Hz",
    "square-300Hz-0dBFS-8000Hz",
    "speech-espeak-8000Hz",
    "tone-440Hz-1001samples-8000Hz",
];

fn wav(name: &str) -> Vec<i16> {
    let path = fixture(&format!("vox/{name}"));
    let reader = hound::WavReader::open(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.bits_per_sample, spec.sample_rate),
        (1, 16, 8000)
    );
    reader
        .into_samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect()
}

fn bytes(name: &str) -> Vec<u8> {
    let path = fixture(&format!("vox/{name}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn snr(x: &[i16], y: &[i16]) -> f64 {
    assert_eq!(x.len(), y.len());
    let (mut sig, mut err) = (0f64, 0f64);
    for (&a, &b) in x.iter().zip(y) {
        sig += (a as f64).powi(2);
        err += (a as f64 - b as f64).powi(2);
    }
    10.0 * (sig / err).log10()
}

/// The decoded length of `samples` samples after encoding (a padding nibble
/// makes it even).
fn padded(n: usize) -> usize {
    n + (n & 1)
}

mod golden {
    use super::*;

    #[test]
    fn exact_decoder_equals_sox_and_libsndfile_pcm() {
        for clip in CLIPS {
            let ours = vox::decode(&bytes(&format!("{clip}.sox.vox")), DecoderFlavor::Exact);
            assert_eq!(
                ours,
                wav(&format!("{clip}.sox.sox-decoded.wav")),
                "{clip}: sox"
            );
            if clip != "tone-440Hz-1001samples-8000Hz" {
                assert_eq!(
                    ours,
                    wav(&format!("{clip}.sox.sndfile-decoded.wav")),
                    "{clip}: sndfile"
                );
            }
        }
    }

    /// The clips ffmpeg decoded (fixtures/vox/make-ffmpeg.sh): the golden
    /// clips, and loud speech clipped at +9 dBFS.
    const FFMPEG_CLIPS: [&str; 5] = [
        CLIPS[0],
        CLIPS[1],
        CLIPS[2],
        CLIPS[3],
        "speech-espeak-clipped-8000Hz",
    ];

    #[test]
    fn ffmpeg_decoder_equals_ffmpeg_pcm() {
        for clip in FFMPEG_CLIPS {
            let stream = bytes(&format!("{clip}.sox.vox"));
            assert_eq!(
                vox::decode(&stream, DecoderFlavor::Ffmpeg),
                wav(&format!("{clip}.sox.ffmpeg-decoded.wav")),
                "{clip}: ffmpeg"
            );
        }
    }

    #[test]
    fn ffmpeg_differs_from_sox_only_after_positive_clipping() {
        for clip in FFMPEG_CLIPS {
            let sox = wav(&format!("{clip}.sox.sox-decoded.wav"));
            let ffmpeg = wav(&format!("{clip}.sox.ffmpeg-decoded.wav"));
            assert_eq!(sox.len(), ffmpeg.len(), "{clip}");
            let first_rail = sox.iter().position(|&s| s == 32767);
            for (i, (&a, &b)) in sox.iter().zip(&ffmpeg).enumerate() {
                let d = a as i32 - b as i32;
                if first_rail.is_none_or(|r| i < r) {
                    assert_eq!(d, 0, "{clip}: sample {i} before any positive clip");
                } else {
                    // sox carries 32767's +15 until a negative clamp.
                    assert!(d == 0 || d == 15, "{clip}: sample {i}: {a} vs {b}");
                }
            }
            let differing = sox.iter().zip(&ffmpeg).filter(|(a, b)| a != b).count();
            match clip {
                "square-300Hz-0dBFS-8000Hz" | "speech-espeak-clipped-8000Hz" => {
                    assert!(differing > 0, "{clip}: ffmpeg should differ from sox");
                    assert!(ffmpeg.iter().all(|&s| s <= 32752), "{clip}");
                }
                _ => assert_eq!(differing, 0, "{clip}"),
            }
        }
    }

    #[test]
    fn square_exercises_the_32767_quirk() {
        let pcm = wav("square-300Hz-0dBFS-8000Hz.sox.sox-decoded.wav");
        assert!(pcm.contains(&32767));
        assert!(pcm.contains(&-32768));
        assert!(
            pcm.iter()
                .any(|&s| s > 0 && s != 32767 && (s as i32 - 32767) % 16 == 0)
        );
    }

    #[test]
    fn greedy_reencode_of_reference_decoding_gives_the_same_bytes() {
        for clip in CLIPS {
            let decoded = wav(&format!("{clip}.sox.sox-decoded.wav"));
            let original = bytes(&format!("{clip}.sox.vox"));
            assert_eq!(
                vox::encode(&decoded, EncoderKind::Greedy),
                original,
                "{clip}"
            );
        }
    }
}

/// Sequences worked out by hand from the three formulas, over steps where they
/// differ. Codes 4 3 | A 7 | 7 6 | F 5 from the zero state:
///
/// | code | index | s | exact | shift-add | Asterisk |
/// |---|---|---|---|---|---|
/// | 4 | 0 | 16 | +18 -> 18 | +18 -> 18 | +18 -> 18 |
/// | 3 | 2 | 19 | +16 -> 34 | +15 -> 33 | +16 -> 34 |
/// | A | 1 | 17 | -10 -> 24 | -10 -> 23 | -11 -> 23 |
/// | 7 | 0 | 16 | +30 -> 54 | +30 -> 53 | +30 -> 53 |
/// | 7 | 8 | 34 | +63 -> 117 | +63 -> 116 | +63 -> 116 |
/// | 6 | 16 | 73 | +118 -> 235 | +118 -> 234 | +119 -> 235 |
/// | F | 22 | 130 | -243 -> -8 | -243 -> -9 | -243 -> -8 |
/// | 5 | 30 | 279 | +383 -> 375 | +382 -> 373 | +382 -> 374 |
///
/// (12-bit values; the decoders output them times 16.)
mod hand_computed {
    use super::*;

    const BYTES: [u8; 4] = [0x43, 0xA7, 0x76, 0xF5];

    fn times16(v: [i16; 8]) -> Vec<i16> {
        v.iter().map(|x| x * 16).collect()
    }

    #[test]
    fn exact() {
        let want = times16([18, 34, 24, 54, 117, 235, -8, 375]);
        assert_eq!(vox::decode(&BYTES, DecoderFlavor::Exact), want);
    }

    #[test]
    fn shift_add() {
        let want = times16([18, 33, 23, 53, 116, 234, -9, 373]);
        assert_eq!(vox::decode(&BYTES, DecoderFlavor::ShiftAdd), want);
    }

    #[test]
    fn asterisk() {
        let want = times16([18, 34, 23, 53, 116, 235, -8, 374]);
        assert_eq!(vox::decode(&BYTES, DecoderFlavor::Asterisk), want);
    }

    #[test]
    fn rails_per_flavour() {
        // Sixteen bytes of code 7 climb to the top rail, then code F to the bottom.
        let mut up_down = vec![0x77u8; 16];
        up_down.extend([0xFFu8; 16]);
        let rails = |f| {
            let y = vox::decode(&up_down, f);
            (y[31], y[63])
        };
        assert_eq!(rails(DecoderFlavor::Exact), (32767, -32768));
        assert_eq!(rails(DecoderFlavor::ShiftAdd), (2047 * 16, -2048 * 16));
        assert_eq!(rails(DecoderFlavor::Asterisk), (2047 * 16, -2047 * 16));
        assert_eq!(rails(DecoderFlavor::Ffmpeg), (2047 * 16, -2048 * 16));
    }

    #[test]
    fn low_nibble_first_order() {
        let swapped: Vec<u8> = BYTES.iter().map(|b| b.rotate_left(4)).collect();
        let mut out = Vec::new();
        Decoder::with_order(DecoderFlavor::Exact, NibbleOrder::LowFirst).decode(&swapped, &mut out);
        assert_eq!(out, vox::decode(&BYTES, DecoderFlavor::Exact));
        let x = wav("speech-espeak-8000Hz.wav");
        let mut enc = Encoder::with_order(EncoderKind::Greedy, NibbleOrder::LowFirst);
        let mut low = Vec::new();
        enc.encode(&x, &mut low);
        enc.finish(&mut low);
        let high: Vec<u8> = low.iter().map(|b| b.rotate_left(4)).collect();
        assert_eq!(high, bytes("speech-espeak-8000Hz.sox.vox"));
    }
}
