//! Properties over random signals and bytes: streaming in chunks equals
//! one shot, no encoder overshoots the predictor, decoding never panics.

use super::*;
use proptest::prelude::*;
use voxprep::vox::analyse_stream;

fn kinds() -> impl Strategy<Value = EncoderKind> {
    prop_oneof![
        Just(EncoderKind::Greedy),
        (1usize..6).prop_map(|paths| EncoderKind::Search { paths }),
        (1usize..4).prop_map(|paths| EncoderKind::Universal { paths }),
        Just(EncoderKind::Search { paths: 20 }),
        Just(EncoderKind::Universal { paths: 12 }),
    ]
}

fn signal() -> impl Strategy<Value = Vec<i16>> {
    prop_oneof![
        proptest::collection::vec(any::<i16>(), 0..2600),
        (0usize..2600, 1.0f64..3000.0, 100.0f64..32767.0).prop_map(|(n, hz, amp)| {
            (0..n)
                .map(|i| ((i as f64 * hz / 8000.0 * std::f64::consts::TAU).sin() * amp) as i16)
                .collect()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn streaming_in_random_chunks_equals_one_shot(
        x in signal(),
        kind in kinds(),
        cuts in proptest::collection::vec(0usize..700, 0..12),
    ) {
        let whole = vox::encode(&x, kind);
        prop_assert_eq!(whole.len(), padded(x.len()) / 2);
        let mut enc = Encoder::new(kind);
        let mut out = Vec::new();
        let mut rest = &x[..];
        for c in cuts {
            let (a, b) = rest.split_at(c.min(rest.len()));
            enc.encode(a, &mut out);
            rest = b;
        }
        enc.encode(rest, &mut out);
        enc.finish(&mut out);
        prop_assert_eq!(&out, &whole);

        // Decoding in pieces equals decoding at once, for every flavour.
        for f in DecoderFlavor::ALL {
            let mut dec = Decoder::new(f);
            let mut y = Vec::new();
            for piece in whole.chunks(37) {
                dec.decode(piece, &mut y);
            }
            prop_assert_eq!(y, vox::decode(&whole, f));
        }
    }

    #[test]
    fn no_encoder_writes_an_adpcm_state_error(kind in kinds(), x in signal()) {
        // The basis of `not-adpcm`.
        let a = analyse_stream(&vox::encode(&x, kind));
        prop_assert_eq!(a.overshoot_share, 0.0, "{}", kind);
    }

    #[test]
    fn ffmpeg_is_exact_but_for_the_top_rail(
        b in proptest::collection::vec(any::<u8>(), 0..3000),
    ) {
        // Why check's decoder-disagreement leaves ffmpeg out: its decoding
        // equals the exact one until the first 32767, and after it lies at
        // most 15 (of 32768) below.
        let exact = vox::decode(&b, DecoderFlavor::Exact);
        let ffmpeg = vox::decode(&b, DecoderFlavor::Ffmpeg);
        let first = exact.iter().position(|&s| s == 32767).unwrap_or(exact.len());
        prop_assert_eq!(&exact[..first], &ffmpeg[..first]);
        for (&e, &f) in exact.iter().zip(&ffmpeg) {
            prop_assert!(e == f || e as i32 - f as i32 == 15, "{} {}", e, f);
        }
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(
        b in proptest::collection::vec(any::<u8>(), 0..3000),
    ) {
        for f in DecoderFlavor::ALL {
            for order in [NibbleOrder::HighFirst, NibbleOrder::LowFirst] {
                let mut y = Vec::new();
                Decoder::with_order(f, order).decode(&b, &mut y);
                prop_assert_eq!(y.len(), 2 * b.len());
            }
        }
        let a = analyse_stream(&b);
        prop_assert!(a.rails_share >= 0.0 && a.rails_share <= 1.0);
        let _ = voxprep::spec::vox_stream_problems(&a);
    }
}
