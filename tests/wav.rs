//! The RIFF/WAVE walker and the spec rules through the library, on the
//! fixtures in `fixtures/wav/` (tool-made and crafted, see fixtures/README.md),
//! plus property tests over random and mutated bytes.

use crate::common::{fixture, have_tool};
use proptest::prelude::*;
use std::io::Cursor;
use voxprep::billing::Frames;
use voxprep::sniff;
use voxprep::spec::{self, Severity, Verdict};
use voxprep::wav::{self, MAX_CHUNKS, WavFacts};

struct Case {
    file: &'static str,
    codes: &'static [&'static str],
    /// Whole frames present (`None` when unknown).
    frames: Option<u64>,
}

const fn case(file: &'static str, codes: &'static [&'static str], frames: Option<u64>) -> Case {
    Case {
        file,
        codes,
        frames,
    }
}

/// Every fixture under fixtures/wav and the codes it must produce, in order.
const CASES: &[Case] = &[
    // made by sox / ffmpeg / libsndfile
    case("pcm-s16le-8000Hz-mono.wav", &[], Some(2000)),
    case("pcm-s16le-11025Hz-mono.wav", &[], Some(2756)),
    case("pcm-s16le-8000Hz-mono-ffmpeg-list.wav", &[], Some(1600)),
    case("pcm-s16le-8000Hz-mono-ffmpeg-bext.wav", &[], Some(1600)),
    case(
        "pcm-s16le-8000Hz-mono-ffmpeg-piped.wav",
        &["size-placeholder"],
        Some(1600),
    ),
    case(
        "pcm-s16le-44100Hz-stereo.wav",
        &["not-mono", "bad-sample-rate"],
        Some(4410),
    ),
    case(
        "pcm-s16le-16000Hz-mono.wav",
        &["bad-sample-rate"],
        Some(4000),
    ),
    case("pcm-u8-8000Hz-mono.wav", &["not-16-bit"], Some(2000)),
    case(
        "extensible-s16le-8000Hz-mono.wav",
        &["extensible"],
        Some(2000),
    ),
    case(
        "extensible-s24le-8000Hz-mono.wav",
        &["extensible", "not-16-bit"],
        Some(2000),
    ),
    case(
        "float-f32le-8000Hz-mono.wav",
        &["not-pcm", "not-16-bit"],
        Some(2000),
    ),
    case(
        "mulaw-8000Hz-mono.wav",
        &["not-pcm", "not-16-bit"],
        Some(2000),
    ),
    case(
        "alaw-8000Hz-mono.wav",
        &["not-pcm", "not-16-bit"],
        Some(2000),
    ),
    case(
        "ima-adpcm-8000Hz-mono.wav",
        &["not-pcm", "not-16-bit"],
        None,
    ),
    case("ms-adpcm-8000Hz-mono.wav", &["not-pcm", "not-16-bit"], None),
    case("gsm-8000Hz-mono.wav", &["not-pcm"], None),
    case("rf64-s16le-8000Hz-mono.wav", &["not-wav"], None),
    case("not-wav-mp3.wav", &["not-wav"], None),
    case("not-wav-mp3-no-id3.wav", &["not-wav"], None),
    case("not-wav-ogg-vorbis.wav", &["not-wav"], None),
    case("not-wav-ogg-opus.wav", &["not-wav"], None),
    case("not-wav-flac.wav", &["not-wav"], None),
    case("not-wav-aiff.wav", &["not-wav"], None),
    case("not-wav-m4a.wav", &["not-wav"], None),
    case("not-wav-aifc.wav", &["not-wav"], None),
    case("not-wav-au.wav", &["not-wav"], None),
    case("not-wav-caf.wav", &["not-wav"], None),
    case("not-wav-w64.wav", &["not-wav"], None),
    case("not-wav-aac-adts.wav", &["not-wav"], None),
    case("not-wav-wma.wav", &["not-wav"], None),
    case("not-wav-webm-opus.wav", &["not-wav"], None),
    case("not-wav-ogg-speex.wav", &["not-wav"], None),
    // crafted by fixtures/wav/make-crafted.py
    case("bad-missing-fmt.wav", &["no-fmt"], None),
    case("bad-missing-data.wav", &["no-data"], None),
    case("bad-fmt-after-data.wav", &["fmt-after-data"], Some(800)),
    case("bad-data-truncated.wav", &["data-truncated"], Some(400)),
    case(
        "bad-riff-size-too-large.wav",
        &["riff-size-mismatch"],
        Some(800),
    ),
    case(
        "bad-riff-size-too-small.wav",
        &["riff-size-mismatch"],
        Some(800),
    ),
    case(
        "bad-data-not-whole-frames.wav",
        &["data-not-whole-frames"],
        Some(800),
    ),
    case("bad-zero-samples.wav", &["zero-samples"], Some(0)),
    case("bad-block-align.wav", &["block-align-mismatch"], Some(800)),
    case("bad-byte-rate.wav", &["byte-rate-mismatch"], Some(800)),
    case("bad-fmt-short.wav", &["fmt-malformed"], None),
    case("bad-extensible-no-subformat.wav", &["fmt-malformed"], None),
    case("bad-duplicate-data.wav", &["duplicate-chunk"], Some(800)),
    case("bad-empty.wav", &["empty-file"], None),
    case("bad-riff-only.wav", &["no-fmt", "no-data"], None),
    case("bad-truncated-header.wav", &["not-wav"], None),
    case("bad-size-placeholder.wav", &["size-placeholder"], Some(800)),
    case("quirk-odd-chunk-padding.wav", &[], Some(800)),
    case("quirk-chunks-everywhere.wav", &[], Some(800)),
    case("warn-trailing-bytes.wav", &["trailing-bytes"], Some(800)),
    case(
        "warn-odd-chunk-unpadded.wav",
        &["missing-pad-byte"],
        Some(800),
    ),
    case("warn-stray-bytes.wav", &["stray-bytes"], Some(800)),
    case("warn-fmt-17-bytes.wav", &["fmt-unusual-size"], Some(800)),
    case(
        "warn-fmt-20-bytes-cbsize-0.wav",
        &["fmt-unusual-size"],
        Some(800),
    ),
];

fn inspect_fixture(name: &str) -> WavFacts {
    let path = fixture(&format!("wav/{name}"));
    wav::inspect_path(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn message(facts: &WavFacts, code: &str) -> String {
    spec::wav_problems(facts)
        .into_iter()
        .find(|p| p.code == code)
        .map(|p| p.message)
        .unwrap_or_else(|| panic!("no {code}"))
}

#[test]
fn every_fixture_gives_its_codes() {
    let mut failures = Vec::new();
    for c in CASES {
        let facts = inspect_fixture(c.file);
        let problems = spec::wav_problems(&facts);
        let got: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
        if got != c.codes || facts.frames().map(|f| f.0) != c.frames {
            failures.push(format!(
                "{}: codes {got:?} (want {:?}), frames {:?} (want {:?}); {problems:#?}",
                c.file,
                c.codes,
                facts.frames(),
                c.frames
            ));
        }
        let verdict = Verdict::from_problems(&problems);
        let want = if c.codes.is_empty() {
            Verdict::Pass
        } else if c.file.starts_with("warn-") {
            Verdict::Warn
        } else {
            Verdict::Fail
        };
        if verdict != want {
            failures.push(format!("{}: verdict {verdict:?}, want {want:?}", c.file));
        }
        assert_eq!(
            spec::conforms(&facts),
            verdict != Verdict::Fail,
            "{}",
            c.file
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_is_in_the_table() {
    let dir = fixture("wav");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".wav") {
            assert!(
                CASES.iter().any(|c| c.file == name),
                "{name} has no expected codes in tests/wav.rs"
            );
        }
    }
}

/// Our frame count against sox's, for every uncompressed tool-made fixture.
#[test]
fn frames_agree_with_soxi() {
    if !have_tool("soxi") {
        return;
    }
    let mut checked = 0;
    for c in CASES
        .iter()
        .filter(|c| !c.file.starts_with(['b', 'q', 'w', 'n', 'r']))
    {
        if c.file.contains("piped") {
            continue; // soxi believes the 0xFFFFFFFF placeholder
        }
        let Some(ours) = inspect_fixture(c.file).frames() else {
            continue;
        };
        let out = std::process::Command::new("soxi")
            .arg("-s")
            .arg(fixture(&format!("wav/{}", c.file)))
            .output()
            .unwrap();
        let theirs: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        assert_eq!(ours.0, theirs, "{}", c.file);
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixtures compared");
}

#[test]
fn conforming_files_are_decodable_pcm() {
    for (name, rate, frames) in [
        ("pcm-s16le-8000Hz-mono.wav", 8000, 2000),
        ("pcm-s16le-11025Hz-mono.wav", 11025, 2756),
        ("pcm-s16le-8000Hz-mono-ffmpeg-bext.wav", 8000, 1600),
        // fails the spec, but the samples can still be analysed
        ("extensible-s16le-8000Hz-mono.wav", 8000, 2000),
        ("bad-data-truncated.wav", 8000, 400),
    ] {
        let facts = inspect_fixture(name);
        let pcm = facts.pcm16_mono().unwrap_or_else(|| panic!("{name}"));
        assert_eq!(
            (pcm.sample_rate, pcm.frames, pcm.len),
            (rate, Frames(frames), 2 * frames),
            "{name}"
        );
        assert!(pcm.offset + pcm.len <= facts.file_len);
    }
    for name in [
        "pcm-u8-8000Hz-mono.wav",
        "pcm-s16le-44100Hz-stereo.wav",
        "mulaw-8000Hz-mono.wav",
    ] {
        assert_eq!(inspect_fixture(name).pcm16_mono(), None, "{name}");
    }
}

#[test]
fn foreign_files_are_named() {
    for (name, sniffed, label) in [
        ("rf64-s16le-8000Hz-mono.wav", "rf64", "RF64"),
        ("not-wav-mp3.wav", "mp3", "MP3"),
        ("not-wav-mp3-no-id3.wav", "mp3", "MP3"),
        ("not-wav-ogg-vorbis.wav", "vorbis", "Ogg Vorbis"),
        ("not-wav-ogg-opus.wav", "opus", "Ogg Opus"),
        ("not-wav-flac.wav", "flac", "FLAC"),
        ("not-wav-aiff.wav", "aiff", "AIFF"),
        ("not-wav-m4a.wav", "m4a", "MP4/M4A"),
        ("not-wav-aifc.wav", "aifc", "AIFF-C"),
        ("not-wav-au.wav", "au", "Sun/NeXT AU"),
        ("not-wav-caf.wav", "caf", "Core Audio"),
        ("not-wav-w64.wav", "w64", "Sony Wave64"),
        ("not-wav-aac-adts.wav", "aac", "AAC (ADTS)"),
        ("not-wav-wma.wav", "wma", "WMA"),
        ("not-wav-webm-opus.wav", "mkv", "Matroska/WebM"),
        ("not-wav-ogg-speex.wav", "speex", "Ogg Speex"),
    ] {
        let facts = inspect_fixture(name);
        assert_eq!(facts.sniffed, Some(sniffed), "{name}");
        let m = message(&facts, "not-wav");
        assert!(m.contains(label) && !m.contains("voxprep"), "{name}: {m}");
        // the same bytes named .vox are containers too
        let bytes = std::fs::read(fixture(&format!("wav/{name}"))).unwrap();
        let head = &bytes[..bytes.len().min(sniff::SNIFF_LEN)];
        let vox = spec::vox_problems(bytes.len() as u64, head);
        assert_eq!(
            vox.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(),
            ["vox-is-container"],
            "{name}"
        );
        assert!(vox[0].message.contains(label), "{name}: {}", vox[0].message);
    }
    // a real WAV named .vox
    let bytes = std::fs::read(fixture("wav/pcm-s16le-8000Hz-mono.wav")).unwrap();
    assert!(
        spec::vox_problems(bytes.len() as u64, &bytes[..64])[0]
            .message
            .contains("RIFF/WAVE")
    );
}

#[test]
fn messages_carry_the_figures() {
    let f = inspect_fixture("bad-data-truncated.wav");
    assert!(
        message(&f, "data-truncated")
            .contains("declares 1600 bytes but the file holds only 800: 800 bytes missing")
    );
    let f = inspect_fixture("bad-riff-size-too-large.wav");
    assert!(message(&f, "riff-size-mismatch").contains("1000 bytes short"));
    let f = inspect_fixture("bad-riff-size-too-small.wav");
    assert!(message(&f, "riff-size-mismatch").contains("600 more than declared"));
    let f = inspect_fixture("warn-trailing-bytes.wav");
    assert_eq!(f.trailing, 64);
    assert!(message(&f, "trailing-bytes").starts_with("64 bytes after the end"));
    let f = inspect_fixture("pcm-s16le-44100Hz-stereo.wav");
    assert!(message(&f, "bad-sample-rate").starts_with("44100 Hz"));
    let f = inspect_fixture("mulaw-8000Hz-mono.wav");
    assert!(message(&f, "not-pcm").contains("0x0007 (mu-law)"));
    let f = inspect_fixture("ima-adpcm-8000Hz-mono.wav");
    assert!(message(&f, "not-pcm").contains("IMA ADPCM"));
    assert_eq!(f.fact_samples, Some(2000));
    let f = inspect_fixture("gsm-8000Hz-mono.wav");
    assert!(message(&f, "not-pcm").contains("GSM 6.10"));
    let f = inspect_fixture("float-f32le-8000Hz-mono.wav");
    assert!(message(&f, "not-pcm").contains("IEEE float"));
    let f = inspect_fixture("extensible-s16le-8000Hz-mono.wav");
    assert!(message(&f, "extensible").contains("around PCM"));
    let f = inspect_fixture("pcm-s16le-8000Hz-mono-ffmpeg-piped.wav");
    assert!(message(&f, "size-placeholder").contains("3200 data bytes"));
}

#[test]
fn chunks_are_all_reported() {
    let f = inspect_fixture("quirk-chunks-everywhere.wav");
    let ids: Vec<String> = f
        .chunks
        .iter()
        .map(|c| String::from_utf8_lossy(&c.id).into_owned())
        .collect();
    assert_eq!(
        ids,
        [
            "bext", "fmt ", "fact", "cue ", "LIST", "data", "LIST", "x-yz"
        ]
    );
    assert_eq!(f.fact_samples, Some(800));
    let f = inspect_fixture("pcm-s16le-8000Hz-mono-ffmpeg-bext.wav");
    let ids: Vec<&[u8; 4]> = f.chunks.iter().map(|c| &c.id).collect();
    assert_eq!(ids, [b"fmt ", b"bext", b"LIST", b"data"]);
}

// ---- property tests: no panic, sane facts, on any bytes ----

/// Facts must be consistent with the bytes, whatever the bytes.
fn check_sane(bytes: &[u8]) -> Result<(), TestCaseError> {
    let facts =
        wav::inspect(&mut Cursor::new(bytes)).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let len = bytes.len() as u64;
    prop_assert_eq!(facts.file_len, len);
    prop_assert!(facts.chunks.len() <= MAX_CHUNKS);
    prop_assert!(facts.chunks.windows(2).all(|w| w[0].offset < w[1].offset));
    prop_assert!(facts.chunks.iter().all(|c| c.offset + 8 <= len));
    prop_assert_eq!(
        facts.is_wave(),
        bytes.len() >= 12 && matches!(&bytes[..4], b"RIFF" | b"RIFX") && &bytes[8..12] == b"WAVE"
    );
    prop_assert!(facts.trailing <= len);
    if let Some(d) = &facts.data {
        prop_assert!(d.available <= u64::from(d.declared));
        prop_assert!(d.offset + d.available <= len);
        if let Some(Frames(n)) = facts.frames() {
            let fb = facts.fmt.as_ref().and_then(|f| f.frame_bytes()).unwrap();
            prop_assert!(n * fb <= d.available);
            prop_assert!(n * fb <= len);
        }
    }
    if facts.fmt.is_some() {
        prop_assert!(facts.chunks.iter().any(|c| &c.id == b"fmt "));
    }
    if let Some(pcm) = facts.pcm16_mono() {
        prop_assert_eq!(pcm.len % 2, 0);
        prop_assert!(pcm.offset + pcm.len <= len);
        prop_assert_eq!(pcm.len, pcm.frames.0 * 2);
    }
    let problems = spec::wav_problems(&facts);
    for p in &problems {
        prop_assert_eq!(p.severity, p.code.severity());
        prop_assert!(!p.message.is_empty());
    }
    prop_assert_eq!(
        spec::conforms(&facts),
        problems.iter().all(|p| p.severity != Severity::Error)
    );
    // a file that conforms has whole 16-bit mono frames to analyse
    if spec::conforms(&facts) {
        prop_assert!(facts.pcm16_mono().is_some_and(|p| p.frames.0 > 0));
    }
    let _ = sniff::sniff(bytes);
    let _ = spec::vox_problems(len, &bytes[..bytes.len().min(sniff::SNIFF_LEN)]);
    Ok(())
}

/// A few small valid and quirky WAVs to mutate.
fn seeds() -> Vec<Vec<u8>> {
    [
        "pcm-s16le-8000Hz-mono-ffmpeg-list.wav",
        "quirk-chunks-everywhere.wav",
        "quirk-odd-chunk-padding.wav",
        "extensible-s16le-8000Hz-mono.wav",
        "ima-adpcm-8000Hz-mono.wav",
        "bad-zero-samples.wav",
    ]
    .iter()
    .map(|n| std::fs::read(fixture(&format!("wav/{n}"))).unwrap())
    .collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
    Truncate(usize),
    /// Overwrite a little-endian u32 (size fields...) with an edge value.
    SetU32(usize, u32),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(i, x)| Mutation::Flip(i, x)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 1..64usize).prop_map(|(i, n)| Mutation::Remove(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
        (
            any::<usize>(),
            prop_oneof![
                Just(0u32),
                Just(1),
                Just(u32::MAX),
                Just(u32::MAX - 1),
                Just(0x8000_0000),
                any::<u32>()
            ]
        )
            .prop_map(|(i, v)| Mutation::SetU32(i, v)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len();
    if n == 0 {
        return;
    }
    match m {
        Mutation::Flip(i, x) => bytes[i % n] ^= x,
        Mutation::Insert(i, v) => {
            let at = i % (n + 1);
            bytes.splice(at..at, v.iter().copied());
        }
        Mutation::Remove(i, k) => {
            let at = i % n;
            bytes.drain(at..(at + k).min(n));
        }
        Mutation::Truncate(i) => bytes.truncate(i % n),
        Mutation::SetU32(i, v) => {
            if n >= 4 {
                let at = i % (n - 3);
                bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
            }
        }
    }
}

proptest! {
    // PROPTEST_CASES=100000 for a deeper run
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
    ))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        check_sane(&bytes)?;
    }

    #[test]
    fn random_bytes_after_a_riff_header_never_panic(
        size in any::<u32>(),
        body in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let mut bytes = b"RIFF".to_vec();
        bytes.extend_from_slice(&size.to_le_bytes());
        bytes.extend_from_slice(b"WAVE");
        bytes.extend_from_slice(&body);
        check_sane(&bytes)?;
    }

    #[test]
    fn mutated_wavs_never_panic(
        seed in 0..6usize,
        muts in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut bytes = seeds()[seed].clone();
        for m in &muts {
            apply(&mut bytes, m);
        }
        check_sane(&bytes)?;
    }
}
