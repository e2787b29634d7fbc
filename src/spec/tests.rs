//! A test for every rule, on WAV bytes built in memory.

use super::*;
use crate::wav::tests::{WavBuilder, codes, extensible_body, facts, fmt_body, sample_bytes};

fn wav_with_fmt(body: &[u8], data: &[u8]) -> Vec<u8> {
    WavBuilder::new()
        .chunk(b"fmt ", body)
        .chunk(b"data", data)
        .build()
}

fn messages(bytes: &[u8]) -> Vec<String> {
    wav_problems(&facts(bytes))
        .into_iter()
        .map(|p| p.message)
        .collect()
}

#[test]
fn conforming_rates() {
    for rate in WAV_RATES {
        let b = WavBuilder::pcm(rate, 100).build();
        assert_eq!(codes(&b), Vec::<&str>::new());
        assert!(conforms(&facts(&b)));
    }
}

#[test]
fn format_tags_are_named() {
    for (tag, bits, name) in [
        (3u16, 32u16, "IEEE float"),
        (6, 8, "A-law"),
        (7, 8, "mu-law"),
        (0x11, 4, "IMA ADPCM"),
        (0x02, 4, "MS ADPCM"),
        (0x31, 0, "GSM 6.10"),
        (0x55, 0, "MP3"),
        (0x10, 4, "OKI ADPCM"),
        (0x17, 4, "Dialogic OKI ADPCM"),
    ] {
        let b = wav_with_fmt(&fmt_body(tag, 1, 8000, bits), &[0; 64]);
        let ps = wav_problems(&facts(&b));
        let p = ps.iter().find(|p| p.code == "not-pcm").expect("not-pcm");
        assert_eq!(p.severity, Severity::Error);
        assert!(p.message.contains(name), "{}", p.message);
        assert!(p.message.contains(&format!("0x{tag:04X}")), "{}", p.message);
        assert!(!conforms(&facts(&b)));
    }
    assert_eq!(format_tag_name(1), "PCM");
    assert_eq!(format_tag_name(0xFFFE), "WAVE_FORMAT_EXTENSIBLE");
    assert_eq!(format_tag_name(0x1234), "unregistered");
}

#[test]
fn float_wav_fails_on_tag_and_bits_only() {
    let b = wav_with_fmt(&fmt_body(3, 1, 8000, 32), &[0; 64]);
    assert_eq!(codes(&b), ["not-pcm", "not-16-bit"]);
}

#[test]
fn extensible_is_an_error_even_around_16_bit_mono_pcm() {
    let b = wav_with_fmt(&extensible_body(1, 1, 8000, 16, 16), &sample_bytes(10));
    assert_eq!(codes(&b), ["extensible"]);
    let m = &messages(&b)[0];
    assert!(
        m.contains("around PCM") && m.contains("voxprep convert"),
        "{m}"
    );
    // still decodable for signal analysis
    assert_eq!(facts(&b).pcm16_mono().map(|p| p.frames.0), Some(10));
    // around float, 24 valid bits in 32
    let b = wav_with_fmt(&extensible_body(3, 1, 8000, 32, 24), &[0; 64]);
    assert_eq!(codes(&b), ["extensible", "not-16-bit"]);
    let ms = messages(&b);
    assert!(ms[0].contains("IEEE float"), "{}", ms[0]);
    assert!(
        ms[1].contains("32 bits per sample (24 of them valid)"),
        "{}",
        ms[1]
    );
    assert_eq!(facts(&b).pcm16_mono(), None);
}

#[test]
fn channels_rule() {
    let b = wav_with_fmt(&fmt_body(1, 2, 8000, 16), &sample_bytes(20));
    assert_eq!(codes(&b), ["not-mono"]);
    assert!(messages(&b)[0].contains("2 channels (stereo)"));
    assert_eq!(facts(&b).frames(), Some(crate::billing::Frames(10)));
    assert_eq!(facts(&b).pcm16_mono(), None);
    let b = wav_with_fmt(&fmt_body(1, 6, 8000, 16), &sample_bytes(60));
    assert!(messages(&b)[0].contains("6 channels"));
}

#[test]
fn zero_channels_does_not_divide_by_zero() {
    let b = wav_with_fmt(&fmt_body(1, 0, 8000, 16), &sample_bytes(10));
    assert_eq!(codes(&b), ["not-mono"]);
    assert_eq!(facts(&b).frames(), None);
}

#[test]
fn bits_rule() {
    let b = wav_with_fmt(&fmt_body(1, 1, 8000, 8), &[0x80; 50]);
    assert_eq!(codes(&b), ["not-16-bit"]);
    assert!(messages(&b)[0].contains("8 bits per sample"));
    let b = wav_with_fmt(&fmt_body(1, 1, 8000, 24), &[0; 60]);
    assert_eq!(codes(&b), ["not-16-bit"]);
}

#[test]
fn rate_rule() {
    for rate in [44100, 16000, 0, 8001] {
        let b = WavBuilder::pcm(rate, 10).build();
        assert_eq!(codes(&b), ["bad-sample-rate"], "{rate}");
        assert!(messages(&b)[0].starts_with(&format!("{rate} Hz")));
    }
}

#[test]
fn block_align_rule() {
    let mut body = fmt_body(1, 1, 8000, 16);
    body[12] = 4; // nBlockAlign 4 for mono 16-bit
    let b = wav_with_fmt(&body, &sample_bytes(10));
    assert_eq!(codes(&b), ["block-align-mismatch"]);
    assert!(
        messages(&b)[0].contains("block align is 4"),
        "{:?}",
        messages(&b)
    );
}

#[test]
fn byte_rate_rule() {
    let mut body = fmt_body(1, 1, 8000, 16);
    body[8..12].copy_from_slice(&8000u32.to_le_bytes());
    let b = wav_with_fmt(&body, &sample_bytes(10));
    assert_eq!(codes(&b), ["byte-rate-mismatch"]);
    assert!(messages(&b)[0].contains("byte rate is 8000") && messages(&b)[0].contains("16000"));
}

#[test]
fn compressed_formats_skip_align_and_rate_arithmetic() {
    let mut body = fmt_body(0x11, 1, 8000, 4);
    body[12..14].copy_from_slice(&256u16.to_le_bytes());
    body[8..12].copy_from_slice(&4055u32.to_le_bytes());
    let b = WavBuilder::new()
        .chunk(b"fmt ", &body)
        .chunk(b"fact", &1000u32.to_le_bytes())
        .chunk(b"data", &[0; 512])
        .build();
    assert_eq!(codes(&b), ["not-pcm", "not-16-bit"]);
    let f = facts(&b);
    assert_eq!(f.frames(), None);
    assert_eq!(f.fact_samples, Some(1000));
}

#[test]
fn zero_samples() {
    let b = WavBuilder::pcm(8000, 0).build();
    assert_eq!(codes(&b), ["zero-samples"]);
    assert!(messages(&b)[0].contains("empty"));
    let b = wav_with_fmt(&fmt_body(1, 1, 8000, 16), &[0]);
    assert_eq!(codes(&b), ["zero-samples", "data-not-whole-frames"]);
}

#[test]
fn data_not_whole_frames() {
    let mut data = sample_bytes(800);
    data.push(0);
    let b = wav_with_fmt(&fmt_body(1, 1, 8000, 16), &data);
    assert_eq!(codes(&b), ["data-not-whole-frames"]);
    assert!(
        messages(&b)[0].contains("1601 bytes") && messages(&b)[0].contains("1 byte(s) left over")
    );
    assert_eq!(facts(&b).frames(), Some(crate::billing::Frames(800)));
}

#[test]
fn vox_rules() {
    assert_eq!(vox_problems(0, b""), vec![empty_file()]);
    assert_eq!(
        vox_problems(6, &[0x08, 0x80, 0x08, 0x80, 0x77, 0x12]),
        vec![]
    );
    for (head, name) in [
        (&b"RIFF\x24\0\0\0WAVEfmt "[..], "RIFF/WAVE"),
        (b"ID3\x04\0\0\0\0\0\x05", "MP3"),
        (&[0xFF, 0xFB, 0x90, 0x00], "MP3"),
        (b"OggS\0\x02", "Ogg"),
        (b"fLaC\0\0\0\x22", "FLAC"),
        (b"FORM\0\0\0\x20AIFF", "AIFF"),
        (b"\0\0\0\x20ftypM4A ", "MP4"),
    ] {
        let ps = vox_problems(1000, head);
        assert_eq!(ps.len(), 1, "{head:?}");
        assert_eq!(ps[0].code, "vox-is-container");
        assert!(ps[0].message.contains(name), "{}", ps[0].message);
    }
}

#[test]
fn not_accepted_names_the_format() {
    for (ext, name) in [
        ("mp3", "MP3"),
        ("FLAC", "FLAC"),
        ("aif", "AIFF"),
        ("opus", "Opus"),
        ("m4a", "MP4"),
    ] {
        let p = not_accepted(ext);
        assert_eq!((p.code, p.severity), ("not-accepted", Severity::Error));
        assert!(
            p.message.contains(name) && p.message.contains("voxprep convert"),
            "{}",
            p.message
        );
    }
    // a sniffed id works too
    assert!(not_accepted("vorbis").message.starts_with("Ogg Vorbis"));
}

#[test]
fn audio_extensions() {
    assert_eq!(audio_kind("wav"), Some(AudioKind::Wav));
    assert_eq!(audio_kind("WAV"), Some(AudioKind::Wav));
    assert_eq!(audio_kind("vox"), Some(AudioKind::Vox));
    assert_eq!(audio_kind("Mp3"), Some(AudioKind::Other("mp3")));
    for ext in [
        "mp3", "flac", "ogg", "opus", "m4a", "aac", "aif", "aiff", "caf", "amr", "wma",
    ] {
        assert!(is_audio_extension(ext), "{ext}");
        assert_ne!(format_label(ext), "unknown", "{ext}");
    }
    for ext in ["txt", "", "wavx", "pdf", "md"] {
        assert!(!is_audio_extension(ext), "{ext}");
    }
}

#[test]
fn verdicts() {
    let w = Problem::warning("trailing-bytes", "x");
    let e = Problem::error("not-pcm", "x");
    assert_eq!(Verdict::from_problems(&[]), Verdict::Pass);
    assert_eq!(Verdict::from_problems(std::slice::from_ref(&w)), Verdict::Warn);
    assert_eq!(Verdict::from_problems(&[w, e]), Verdict::Fail);
}

#[test]
fn code_table_is_complete_and_documented() {
    let mut seen = std::collections::HashSet::new();
    let module_doc = include_str!("../spec.rs");
    let readme = include_str!("../../README.md");
    for c in CODES {
        assert!(seen.insert(c.code), "duplicate {}", c.code);
        assert!(
            c.code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{} is not kebab-case",
            c.code
        );
        let sev = match c.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let row = format!("| `{}` | {sev} |", c.code);
        assert!(
            module_doc.contains(&format!("//! {row}")),
            "spec.rs docs lack {row}"
        );
        assert!(readme.contains(&row), "README.md lacks {row}");
    }
}
