//! What the encoders write: SNR margins over greedy (sox's encoder) on
//! each decoder family, and the search encoders' bytes pinned by a hash.

use super::*;

/// SNR on each of [`DecoderFlavor::ALL`]: exact, shift-add, Asterisk, ffmpeg.
fn table(x: &[i16], kind: EncoderKind) -> [f64; 4] {
    let bytes = vox::encode(x, kind);
    DecoderFlavor::ALL.map(|f| snr(x, &vox::decode(&bytes, f)[..x.len()]))
}

#[test]
fn search_beats_greedy_by_1_5_db_on_exact_decoders() {
    let x = wav("speech-espeak-8000Hz.wav");
    let greedy = table(&x, EncoderKind::Greedy);
    let search = table(
        &x,
        EncoderKind::Search {
            paths: vox::DEFAULT_SEARCH_PATHS,
        },
    );
    eprintln!("greedy {greedy:.2?} search {search:.2?}");
    assert!(
        search[0] >= greedy[0] + 1.5,
        "search {search:?} greedy {greedy:?}"
    );
}

#[test]
fn universal_8_beats_greedys_own_family_by_1_db_on_every_family() {
    let x = wav("speech-espeak-8000Hz.wav");
    let greedy = table(&x, EncoderKind::Greedy);
    let universal = table(&x, EncoderKind::Universal { paths: 8 });
    eprintln!("greedy {greedy:.2?} universal:8 {universal:.2?}");
    // Greedy plays well only on its own family: the others drift.
    assert!(
        greedy[1] < greedy[0] - 5.0 && greedy[2] < greedy[0] - 5.0,
        "{greedy:?}"
    );
    for (f, snr) in DecoderFlavor::ALL.iter().zip(universal) {
        assert!(
            snr >= greedy[0] + 1.0,
            "{f}: universal {snr:.2} vs greedy {:.2}",
            greedy[0]
        );
    }
}

/// The quality bar of the default encoder (issue 19): on every decoder
/// family at least greedy's own-family (exact) SNR + 1.0 dB on the speech
/// fixture and on the mean of a set of real prompts, and never more than
/// 0.1 dB below greedy's own-family figure on any single prompt. Held here
/// with a margin of 0.3 dB on each, so that a change eating into the bar
/// fails before the bar itself is crossed. Measured (docs/vox-encoder.md):
/// speech +1.87 dB; the four real prompts below +0.72 dB (letters-q) and up,
/// mean +1.5 dB; `benches/vox-quality.sh` holds the twenty-prompt set.
const MARGIN: f64 = 0.3;

#[test]
fn default_clears_greedys_own_family_by_1_db_on_every_family_on_speech() {
    assert_eq!(EncoderKind::default(), EncoderKind::Universal { paths: 8 });
    let x = wav("speech-espeak-8000Hz.wav");
    let greedy = table(&x, EncoderKind::Greedy);
    let default = table(&x, EncoderKind::default());
    eprintln!("greedy {greedy:.2?} default {default:.2?}");
    for (f, snr) in DecoderFlavor::ALL.iter().zip(default) {
        assert!(
            snr >= greedy[0] + 1.0 + MARGIN,
            "{f}: default {snr:.2} vs greedy's own {:.2}",
            greedy[0]
        );
    }
}

/// Four real prompts (Debian's asterisk-core-sounds-en-wav, the hardest of
/// the bench's twenty for the search: see fixtures/README.md).
const REAL_PROMPTS: [&str; 4] = [
    "asterisk/allison-letters-q.wav",
    "asterisk/allison-digits-h-13.wav",
    "asterisk/allison-hours.wav",
    "asterisk/allison-digits-30.wav",
];

#[test]
fn default_clears_the_bar_on_real_prompts() {
    let mut gains = Vec::new();
    for name in REAL_PROMPTS {
        let x = wav(name);
        let own = table(&x, EncoderKind::Greedy)[0];
        let default = table(&x, EncoderKind::default());
        eprintln!("{name}: greedy's own {own:.2} default {default:.2?}");
        for (f, snr) in DecoderFlavor::ALL.iter().zip(default) {
            assert!(
                snr >= own - 0.1 + MARGIN,
                "{name} on {f}: default {snr:.2} vs greedy's own {own:.2}"
            );
        }
        gains.push(default.map(|snr| snr - own));
    }
    for (i, f) in DecoderFlavor::ALL.iter().enumerate() {
        let mean = gains.iter().map(|g| g[i]).sum::<f64>() / gains.len() as f64;
        assert!(mean >= 1.0 + MARGIN, "{f}: mean gain {mean:.2} dB");
    }
}

#[test]
fn four_paths_would_not_clear_it() {
    // Guards the test above: the prompt set does tell encoders apart.
    let x = wav(REAL_PROMPTS[0]);
    let own = table(&x, EncoderKind::Greedy)[0];
    let four = table(&x, EncoderKind::Universal { paths: 4 });
    assert!(
        four.iter().any(|&snr| snr < own - 0.1),
        "{four:?} vs {own:.2}"
    );
}

#[test]
fn small_universal_still_beats_greedy_everywhere() {
    let x = wav("speech-espeak-8000Hz.wav");
    let greedy = table(&x, EncoderKind::Greedy);
    let two = table(&x, EncoderKind::Universal { paths: 2 });
    eprintln!("universal:2 {two:.2?}");
    for (f, snr) in DecoderFlavor::ALL.iter().zip(two) {
        assert!(
            snr >= greedy[0],
            "{f}: universal:2 {snr:.2} below greedy's {:.2}",
            greedy[0]
        );
    }
}

#[test]
fn tones_and_noise_do_not_get_worse() {
    let mut v = 5u32;
    let noise: Vec<i16> = (0..16_000)
        .map(|_| {
            v = v.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (v >> 16) as i16 / 4
        })
        .collect();
    let clips = [
        (
            "tone-440Hz-m6dBFS-8000Hz.wav",
            wav("tone-440Hz-m6dBFS-8000Hz.wav"),
        ),
        (
            "square-300Hz-0dBFS-8000Hz.wav",
            wav("square-300Hz-0dBFS-8000Hz.wav"),
        ),
        ("white noise at -12 dBFS", noise),
    ];
    for (clip, x) in clips {
        let greedy = table(&x, EncoderKind::Greedy);
        let universal = table(&x, EncoderKind::default());
        eprintln!("{clip}: greedy {greedy:.2?} default {universal:.2?}");
        for snr in universal {
            assert!(snr >= greedy[0], "{clip}: {universal:?} vs {greedy:?}");
        }
    }
}

// ------------------------------------------------ pinned bytes

/// FNV-1a, 64-bit.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Speech, a full-scale square (the rails) and white noise, one after
/// another: 3.5 s + 0.5 s + 1 s, inside one split segment.
fn signal() -> Vec<i16> {
    let mut x = wav("speech-espeak-8000Hz.wav");
    x.extend(&wav("square-300Hz-0dBFS-8000Hz.wav")[..4000]);
    let mut v = 7u32;
    x.extend((0..8000).map(|_| {
        v = v.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (v >> 16) as i16
    }));
    x
}

/// The search encoders' bytes, pinned by a hash. A change meant to keep
/// them (a refactor, a speed-up) must pass this unchanged; a change meant to
/// alter them updates the hashes and says in its commit what it changes and
/// how the SNR figures moved.
#[test]
fn search_bytes_are_unchanged() {
    let x = signal();
    // Taken at e59eb40 (before the K-best change of 314dd83, which kept
    // them) with `benches/vox_tool.rs` and the same hash in Python. The
    // universal ones changed when the cost gained its spread weight
    // (the families' disagreement weighed more) and one path tried two
    // levels instead of three; search:K kept its bytes. They changed again
    // when the universal search stopped at ffmpeg's top rail (the square
    // reaches it; the speech and noise parts did not move). And again when
    // the searches of up to 8 paths picked their survivors by sorting the
    // candidates by (cost, number) instead of one by one: equal costs now
    // go to the first candidate (search:16 and universal:12 kept theirs).
    let expected: [(&str, u64); 9] = [
        ("search:1", 0x2b83_956c_41f0_d616),
        ("search:4", 0x8efe_b5f1_ab6d_9893),
        ("search:16", 0x5c6d_f2b3_935f_6f99),
        ("universal:1", 0x5f3c_cdfb_ca87_cdbc),
        ("universal:2", 0x5b92_56d2_9d4c_69e4),
        ("universal:3", 0x62d3_099b_6cd0_f9f9),
        ("universal:4", 0x7c13_b7da_9a2d_c26e),
        ("universal:8", 0xc8e0_fa9a_77d3_8788),
        ("universal:12", 0xae21_3b6b_3246_939b),
    ];
    let mut wrong = Vec::new();
    for (name, hash) in expected {
        let kind: EncoderKind = name.parse().unwrap();
        let got = fnv(&vox::encode(&x, kind));
        if got != hash {
            wrong.push(format!("(\"{name}\", {got:#018x}),"));
        }
    }
    assert!(wrong.is_empty(), "bytes changed:\n{}", wrong.join("\n"));
}
