//! A test for every rule, on WAV bytes built in memory: the walker's
//! findings as worded here, and the format rules.

use super::*;
use crate::billing::Frames;
use crate::sniff::format_label;
use crate::wav::tests::{WavBuilder, extensible_body, facts, fmt_body, sample_bytes};
use crate::wav::{Chunk, Data, MAX_CHUNKS, WavFacts, format_tag_name};

/// Codes of all problems (structure + format), in order.
fn codes(bytes: &[u8]) -> Vec<&'static str> {
    codes_of(&facts(bytes))
}

fn codes_of(f: &WavFacts) -> Vec<&'static str> {
    wav_problems(f).iter().map(|p| p.code.as_str()).collect()
}

fn problem(f: &WavFacts, code: &str) -> Problem {
    let all = wav_problems(f);
    all.iter()
        .find(|p| p.code == code)
        .cloned()
        .unwrap_or_else(|| panic!("no {code} in {all:?}"))
}

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
    assert!(m.contains("around PCM") && !m.contains("voxprep"), "{m}");
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
    assert_eq!(vox_problems(0, b"")[0].code, Code::EmptyFile);
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
        assert_eq!((p.code, p.severity), (Code::NotAccepted, Severity::Error));
        assert!(
            p.message.contains(name) && !p.message.contains("voxprep"),
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
    let w = Problem::new(Code::TrailingBytes, "x");
    let e = Problem::new(Code::NotPcm, "x");
    assert_eq!(Verdict::from_problems::<Code>(&[]), Verdict::Pass);
    assert_eq!(
        Verdict::from_problems(std::slice::from_ref(&w)),
        Verdict::Warn
    );
    assert_eq!(Verdict::from_problems(&[w, e]), Verdict::Fail);
}

#[test]
fn readme_table_is_the_code_enum() {
    // The README's table, row for row, is `Code::ALL` in order, with each
    // code's severity and meaning.
    let readme = include_str!("../../README.md");
    let start = readme
        .find("| code | severity | meaning |")
        .expect("README has the problem-code table");
    let rows: Vec<(String, String, String)> = readme[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            assert_eq!(cells.len(), 3, "{l}");
            (
                cells[0].trim_matches('`').to_string(),
                cells[1].to_string(),
                cells[2].to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = Code::ALL
        .iter()
        .map(|c| {
            (
                c.as_str().to_string(),
                c.severity().as_str().to_string(),
                c.meaning().to_string(),
            )
        })
        .collect();
    assert_eq!(rows, want);
}

#[test]
fn canonical_file_is_clean() {
    let b = WavBuilder::pcm(8000, 400).build();
    let f = facts(&b);
    assert_eq!(wav_problems(&f), vec![]);
    assert_eq!(f.file_len, 44 + 800);
    assert_eq!(f.sniffed, Some("wav"));
    assert_eq!(f.riff_size, Some(36 + 800));
    assert_eq!(
        f.chunks.iter().map(|c| &c.id).collect::<Vec<_>>(),
        [b"fmt ", b"data"]
    );
    assert_eq!(
        f.chunks[1],
        Chunk {
            id: *b"data",
            offset: 36,
            size: 800
        }
    );
    assert_eq!(
        f.data,
        Some(Data {
            offset: 44,
            declared: 800,
            available: 800
        })
    );
    assert_eq!(f.frames(), Some(Frames(400)));
    assert_eq!(f.trailing, 0);
    assert!(!f.fmt_after_data);
    let pcm = f.pcm16_mono().unwrap();
    assert_eq!((pcm.offset, pcm.len, pcm.frames), (44, 800, Frames(400)));
    assert_eq!(codes(&b), Vec::<&str>::new());
}

#[test]
fn other_chunks_anywhere_are_fine() {
    let b = WavBuilder::new()
        .chunk(b"bext", &[0; 20])
        .chunk(b"fmt ", &fmt_body(1, 1, 11025, 16))
        .chunk(b"fact", &100u32.to_le_bytes())
        .chunk(b"LIST", b"INFOISFT\x05\0\0\0sox\0\0\0")
        .chunk(b"cue ", &[0; 4])
        .chunk(b"data", &sample_bytes(100))
        .chunk(b"LIST", b"INFOICMT\x03\0\0\0abc\0")
        .chunk(b"zzzz", &[1, 2, 3])
        .build();
    let f = facts(&b);
    assert_eq!(wav_problems(&f), vec![]);
    assert_eq!(f.chunks.len(), 8);
    assert_eq!(f.fact_samples, Some(100));
    assert_eq!(f.frames(), Some(Frames(100)));
}

#[test]
fn odd_chunk_with_pad_byte_is_fine() {
    let b = WavBuilder::new()
        .chunk(b"fmt ", &fmt_body(1, 1, 8000, 16))
        .chunk(b"junk", &[7; 13])
        .chunk(b"data", &sample_bytes(10))
        .build();
    let f = facts(&b);
    assert_eq!(wav_problems(&f), vec![]);
    assert_eq!(f.chunks[2].offset, 36 + 8 + 14);
}

#[test]
fn odd_chunk_without_pad_byte_is_a_warning() {
    let b = WavBuilder::new()
        .chunk(b"fmt ", &fmt_body(1, 1, 8000, 16))
        .chunk_sized(b"junk", 13, &[7; 13], false)
        .chunk(b"data", &sample_bytes(10))
        .build();
    let f = facts(&b);
    assert_eq!(codes_of(&f), ["missing-pad-byte"]);
    assert_eq!(wav_problems(&f)[0].severity, Severity::Warning);
    assert_eq!(f.frames(), Some(Frames(10)));
    // an unpadded odd chunk at the very end of the file
    let b = WavBuilder::pcm(8000, 10)
        .chunk_sized(b"note", 3, b"abc", false)
        .build();
    assert_eq!(codes(&b), ["missing-pad-byte"]);
}

#[test]
fn pad_byte_left_out_of_riff_size_is_fine() {
    let mut b = WavBuilder::pcm(8000, 10).chunk(b"note", b"abc").build();
    let riff = (b.len() - 8 - 1) as u32;
    b[4..8].copy_from_slice(&riff.to_le_bytes());
    assert_eq!(codes(&b), Vec::<&str>::new());
}

#[test]
fn missing_fmt() {
    let b = WavBuilder::new().chunk(b"data", &sample_bytes(10)).build();
    let f = facts(&b);
    assert_eq!(f.fmt, None);
    assert_eq!(f.frames(), None);
    assert_eq!(codes(&b), ["no-fmt"]);
}

#[test]
fn missing_data() {
    let b = WavBuilder::new()
        .chunk(b"fmt ", &fmt_body(1, 1, 8000, 16))
        .build();
    assert_eq!(codes(&b), ["no-data"]);
    assert_eq!(facts(&b).frames(), None);
}

#[test]
fn fmt_after_data() {
    let b = WavBuilder::new()
        .chunk(b"data", &sample_bytes(10))
        .chunk(b"fmt ", &fmt_body(1, 1, 8000, 16))
        .build();
    let f = facts(&b);
    assert!(f.fmt_after_data);
    assert_eq!(f.frames(), Some(Frames(10)));
    assert_eq!(codes(&b), ["fmt-after-data"]);
}

#[test]
fn truncated_data_says_how_much_is_missing() {
    let mut b = WavBuilder::pcm(8000, 1000).build();
    b.truncate(44 + 1200);
    let f = facts(&b);
    assert_eq!(
        f.data,
        Some(Data {
            offset: 44,
            declared: 2000,
            available: 1200
        })
    );
    assert_eq!(f.data.as_ref().unwrap().missing(), 800);
    assert_eq!(f.frames(), Some(Frames(600)));
    assert_eq!(codes(&b), ["data-truncated"]);
    assert!(
        problem(&f, "data-truncated")
            .message
            .contains("800 bytes missing"),
        "{:?}",
        wav_problems(&f)
    );
    // cut mid-sample: whole frames only
    b.truncate(44 + 1199);
    assert_eq!(facts(&b).frames(), Some(Frames(599)));
    assert_eq!(facts(&b).pcm16_mono().unwrap().len, 1198);
}

#[test]
fn data_larger_than_file_with_riff_size_matching_file() {
    let b = WavBuilder::new()
        .chunk(b"fmt ", &fmt_body(1, 1, 8000, 16))
        .chunk_sized(b"data", 1600, &sample_bytes(400), false)
        .build();
    assert_eq!(codes(&b), ["data-truncated"]);
}

#[test]
fn riff_size_too_large() {
    let b = WavBuilder::pcm(8000, 10).riff_size(36 + 20 + 100).build();
    let f = facts(&b);
    assert_eq!(codes(&b), ["riff-size-mismatch"]);
    assert!(
        problem(&f, "riff-size-mismatch")
            .message
            .contains("100 bytes short")
    );
}

#[test]
fn riff_size_too_small() {
    // the RIFF ends inside the data chunk
    let b = WavBuilder::pcm(8000, 10).riff_size(36 + 10).build();
    let f = facts(&b);
    assert_eq!(codes(&b), ["riff-size-mismatch"]);
    assert!(
        problem(&f, "riff-size-mismatch")
            .message
            .contains("10 more than declared"),
        "{:?}",
        wav_problems(&f)
    );
    // the RIFF ends before the data chunk starts
    let b = WavBuilder::pcm(8000, 10).riff_size(4 + 24).build();
    assert_eq!(codes(&b), ["riff-size-mismatch"]);
    // RIFF size 0
    let b = WavBuilder::pcm(8000, 10).riff_size(0).build();
    assert_eq!(codes(&b), ["riff-size-mismatch"]);
}

#[test]
fn trailing_bytes_are_a_warning() {
    let b = WavBuilder::pcm(8000, 10).trailing(&[0xAB; 7]).build();
    let f = facts(&b);
    assert_eq!(f.trailing, 7);
    assert_eq!(codes(&b), ["trailing-bytes"]);
    assert_eq!(wav_problems(&f)[0].severity, Severity::Warning);
    // a chunk outside the RIFF (e.g. an appended LIST) is trailing too
    let b = WavBuilder::pcm(8000, 10)
        .trailing(b"LIST\x04\0\0\0INFO")
        .build();
    assert_eq!(codes(&b), ["trailing-bytes"]);
    assert_eq!(facts(&b).trailing, 12);
}

#[test]
fn placeholder_sizes_of_a_streamed_file() {
    let b = WavBuilder::new()
        .chunk(b"fmt ", &fmt_body(1, 1, 8000, 16))
        .chunk_sized(b"data", u32::MAX, &sample_bytes(300), false)
        .riff_size(u32::MAX)
        .build();
    let f = facts(&b);
    assert_eq!(codes(&b), ["size-placeholder"]);
    assert_eq!(f.frames(), Some(Frames(300)));
    // only the RIFF size is a placeholder
    let b = WavBuilder::pcm(8000, 10).riff_size(u32::MAX).build();
    assert_eq!(codes(&b), ["size-placeholder"]);
}

#[test]
fn stray_bytes_inside_the_riff() {
    let b = WavBuilder::pcm(8000, 10).raw(&[0; 16]).build();
    let f = facts(&b);
    assert_eq!(codes(&b), ["stray-bytes"]);
    assert!(
        problem(&f, "stray-bytes")
            .message
            .contains("16 bytes at offset 64"),
        "{:?}",
        wav_problems(&f)
    );
    let b = WavBuilder::pcm(8000, 10).raw(b"abc").build();
    assert_eq!(codes(&b), ["stray-bytes"]);
}

#[test]
fn duplicate_chunks() {
    let b = WavBuilder::pcm(8000, 10)
        .chunk(b"fmt ", &fmt_body(1, 2, 44100, 16))
        .build();
    let f = facts(&b);
    assert_eq!(codes(&b), ["duplicate-chunk"]);
    assert_eq!(f.fmt.as_ref().unwrap().channels, 1, "the first fmt counts");
    let b = WavBuilder::pcm(8000, 10)
        .chunk(b"data", &sample_bytes(5))
        .build();
    assert_eq!(codes(&b), ["duplicate-chunk"]);
    assert_eq!(facts(&b).frames(), Some(Frames(10)));
}

#[test]
fn malformed_fmt() {
    let b = WavBuilder::new()
        .chunk(b"fmt ", &[1, 0, 1, 0])
        .chunk(b"data", &sample_bytes(4))
        .build();
    let f = facts(&b);
    assert_eq!(codes(&b), ["fmt-malformed"]);
    assert!(
        problem(&f, "fmt-malformed")
            .message
            .contains("holds 4 bytes")
    );
    let b = WavBuilder::new()
        .chunk(b"fmt ", &extensible_body(1, 1, 8000, 16, 16)[..18])
        .chunk(b"data", &sample_bytes(4))
        .build();
    assert_eq!(codes(&b), ["fmt-malformed"]);
}

#[test]
fn huge_fmt_size_is_not_allocated() {
    let b = WavBuilder::new()
        .chunk_sized(b"fmt ", 0x7FFF_FFFF, &fmt_body(1, 1, 8000, 16), false)
        .build();
    let f = facts(&b);
    assert_eq!(f.fmt.as_ref().map(|f| f.sample_rate), Some(8000));
    assert_eq!(
        codes(&b),
        ["chunk-truncated", "no-data", "fmt-unusual-size"]
    );
}

/// The sizes a PCM fmt chunk is written in, and what sox, ffmpeg and
/// libsndfile make of them (measured: `fmt_size_rule`).
#[test]
fn unusual_fmt_sizes_warn() {
    let cases: [(u32, Option<u16>, Option<&str>); 9] = [
        (16, None, None),
        (18, Some(0), None),
        (17, None, Some("odd size")),
        (19, Some(0), Some("odd size")),
        (18, Some(2), Some("cbSize says 2 extra bytes (20 in all)")),
        (20, Some(0), Some("cbSize says 0")),
        (20, Some(2), Some("4 extra bytes")),
        (40, Some(22), Some("24 extra bytes")),
        (40, Some(100), Some("cbSize says 100")),
    ];
    for (size, cb, want) in cases {
        let mut body = fmt_body(1, 1, 8000, 16);
        if let Some(cb) = cb {
            body.extend_from_slice(&cb.to_le_bytes());
        }
        body.resize(size as usize, 0);
        let b = WavBuilder::new()
            .chunk(b"fmt ", &body)
            .chunk(b"data", &sample_bytes(8))
            .build();
        let problems = wav_problems(&facts(&b));
        let got: Vec<&Problem> = problems
            .iter()
            .filter(|p| p.code == Code::FmtUnusualSize)
            .collect();
        match want {
            None => assert!(got.is_empty(), "{size}/{cb:?}: {got:?}"),
            Some(words) => {
                assert_eq!(got.len(), 1, "{size}/{cb:?}: {problems:?}");
                assert!(
                    got[0].message.contains(words),
                    "{size}/{cb:?}: {}",
                    got[0].message
                );
                assert_eq!(got[0].severity, Severity::Warning);
            }
        }
    }
}

#[test]
fn empty_and_foreign_files() {
    assert_eq!(codes(b""), ["empty-file"]);
    let f = facts(b"ID3\x04\0\0\0\0\0\0\xff\xfb\x90\x00");
    assert_eq!(f.sniffed, Some("mp3"));
    assert!(!f.is_wave());
    assert_eq!(wav_problems(&f)[0].code, "not-wav");
    assert!(
        wav_problems(&f)[0].message.contains("an MP3 file"),
        "{}",
        wav_problems(&f)[0].message
    );
    assert_eq!(codes(b"RIFF\x04\0"), ["not-wav"]);
    assert!(
        wav_problems(&facts(b"RIFF\x04\0"))[0]
            .message
            .contains("too short")
    );
    assert!(
        wav_problems(&facts(b"RIFF\x04\0\0\0AVI "))[0]
            .message
            .contains("'AVI '")
    );
    assert!(
        wav_problems(&facts(b"hello world!"))[0]
            .message
            .contains("68 65 6C 6C")
    );
}

#[test]
fn too_many_chunks_stops_the_walk() {
    let mut w = WavBuilder::pcm(8000, 2);
    for _ in 0..MAX_CHUNKS {
        w = w.chunk(b"pad ", &[]);
    }
    let f = facts(&w.build());
    assert_eq!(f.chunks.len(), MAX_CHUNKS);
    assert_eq!(codes_of(&f), ["too-many-chunks"]);
}

#[test]
fn riff_ending_inside_a_truncated_chunk_is_a_size_mismatch() {
    // RIFF says 100 bytes, the data chunk declares 10000, the file holds 500
    let b = WavBuilder::new()
        .chunk(b"fmt ", &fmt_body(1, 1, 8000, 16))
        .chunk_sized(b"data", 10_000, &sample_bytes(232), false)
        .riff_size(92)
        .build();
    assert_eq!(b.len(), 508);
    assert_eq!(codes(&b), ["data-truncated", "riff-size-mismatch"]);
}

#[test]
fn chunk_like_junk_after_the_riff_is_trailing() {
    let b = WavBuilder::pcm(8000, 10).trailing(b"abcdefghijkl").build();
    let f = facts(&b);
    assert_eq!(codes(&b), ["trailing-bytes"]);
    assert_eq!(f.chunks.len(), 2);
    // an ID3 tag appended after the RIFF
    let b = WavBuilder::pcm(8000, 10)
        .trailing(b"ID3\x03\0\0\0\0\0\x10")
        .build();
    assert_eq!(codes(&b), ["trailing-bytes"]);
}

#[test]
fn compressed_empty_data_has_zero_samples() {
    let b = WavBuilder::new()
        .chunk(b"fmt ", &fmt_body(0x11, 1, 8000, 4))
        .chunk(b"data", &[])
        .build();
    assert_eq!(codes(&b), ["not-pcm", "not-16-bit", "zero-samples"]);
}

#[test]
fn unpadded_odd_chunk_before_data_whose_shifted_header_also_parses() {
    // "ata" + size byte 0x40 reads as an id, and the next bytes as a small size
    let mut data = vec![0u8; 1600];
    data[0] = 0; // first sample 0: the shifted size is 6
    let b = WavBuilder::new()
        .chunk(b"fmt ", &fmt_body(1, 1, 8000, 16))
        .chunk_sized(b"note", 11, b"odd-sized!!", false)
        .chunk(b"data", &data)
        .build();
    let f = facts(&b);
    assert_eq!(codes(&b), ["missing-pad-byte"]);
    assert_eq!(f.frames(), Some(Frames(800)));
}
