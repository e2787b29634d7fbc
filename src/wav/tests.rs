//! Walker tests on WAV bytes built in memory, and the builder the spec tests share.

use super::*;
use crate::spec::{Severity, wav_problems};
use std::io::Cursor;

/// A 16-byte classic fmt body, consistent for uncompressed formats.
pub(crate) fn fmt_body(tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
    let align = channels.wrapping_mul(bits.div_ceil(8));
    let mut v = Vec::new();
    v.extend_from_slice(&tag.to_le_bytes());
    v.extend_from_slice(&channels.to_le_bytes());
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&rate.wrapping_mul(u32::from(align)).to_le_bytes());
    v.extend_from_slice(&align.to_le_bytes());
    v.extend_from_slice(&bits.to_le_bytes());
    v
}

/// A 40-byte WAVE_FORMAT_EXTENSIBLE fmt body around `sub_tag`.
pub(crate) fn extensible_body(
    sub_tag: u16,
    channels: u16,
    rate: u32,
    bits: u16,
    valid: u16,
) -> Vec<u8> {
    let mut v = fmt_body(0xFFFE, channels, rate, bits);
    v.extend_from_slice(&22u16.to_le_bytes());
    v.extend_from_slice(&valid.to_le_bytes());
    v.extend_from_slice(&4u32.to_le_bytes());
    v.extend_from_slice(&sub_tag.to_le_bytes());
    v.extend_from_slice(&[
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
    ]);
    v
}

/// Builds RIFF/WAVE bytes chunk by chunk; sizes can be made to lie.
#[derive(Default)]
pub(crate) struct WavBuilder {
    chunks: Vec<u8>,
    riff_size: Option<u32>,
    trailing: Vec<u8>,
}

impl WavBuilder {
    pub(crate) fn new() -> WavBuilder {
        WavBuilder::default()
    }

    /// The canonical file: fmt (16-bit mono PCM at `rate`) then `frames` samples.
    pub(crate) fn pcm(rate: u32, frames: usize) -> WavBuilder {
        WavBuilder::new()
            .chunk(b"fmt ", &fmt_body(1, 1, rate, 16))
            .chunk(b"data", &sample_bytes(frames))
    }

    /// A chunk whose size is its body's length, padded when odd.
    pub(crate) fn chunk(self, id: &[u8; 4], body: &[u8]) -> WavBuilder {
        self.chunk_sized(id, body.len() as u32, body, true)
    }

    /// A chunk declaring `size` whatever the body, with or without pad byte.
    pub(crate) fn chunk_sized(
        mut self,
        id: &[u8; 4],
        size: u32,
        body: &[u8],
        pad: bool,
    ) -> WavBuilder {
        self.chunks.extend_from_slice(id);
        self.chunks.extend_from_slice(&size.to_le_bytes());
        self.chunks.extend_from_slice(body);
        if pad && body.len() % 2 == 1 {
            self.chunks.push(0);
        }
        self
    }

    /// Raw bytes among the chunks.
    pub(crate) fn raw(mut self, bytes: &[u8]) -> WavBuilder {
        self.chunks.extend_from_slice(bytes);
        self
    }

    /// Override the RIFF size field.
    pub(crate) fn riff_size(mut self, size: u32) -> WavBuilder {
        self.riff_size = Some(size);
        self
    }

    /// Bytes after the RIFF (not counted in its size).
    pub(crate) fn trailing(mut self, bytes: &[u8]) -> WavBuilder {
        self.trailing.extend_from_slice(bytes);
        self
    }

    pub(crate) fn build(&self) -> Vec<u8> {
        let mut v = b"RIFF".to_vec();
        let size = self.riff_size.unwrap_or(4 + self.chunks.len() as u32);
        v.extend_from_slice(&size.to_le_bytes());
        v.extend_from_slice(b"WAVE");
        v.extend_from_slice(&self.chunks);
        v.extend_from_slice(&self.trailing);
        v
    }
}

/// `frames` 16-bit samples of a ramp.
pub(crate) fn sample_bytes(frames: usize) -> Vec<u8> {
    (0..frames)
        .flat_map(|i| ((i as i16).wrapping_mul(37)).to_le_bytes())
        .collect()
}

pub(crate) fn facts(bytes: &[u8]) -> WavFacts {
    inspect(&mut Cursor::new(bytes)).expect("a cursor does not fail")
}

/// Codes of all problems (structure + format), in order.
pub(crate) fn codes(bytes: &[u8]) -> Vec<&'static str> {
    wav_problems(&facts(bytes)).iter().map(|p| p.code).collect()
}

fn problem<'a>(f: &'a WavFacts, code: &str) -> &'a Problem {
    f.problems
        .iter()
        .find(|p| p.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", f.problems))
}

#[test]
fn canonical_file_is_clean() {
    let b = WavBuilder::pcm(8000, 400).build();
    let f = facts(&b);
    assert_eq!(f.problems, vec![]);
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
    assert_eq!(f.problems, vec![]);
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
    assert_eq!(f.problems, vec![]);
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
    assert_eq!(
        f.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
        ["missing-pad-byte"]
    );
    assert_eq!(f.problems[0].severity, Severity::Warning);
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
        f.problems
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
        f.problems
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
    assert_eq!(f.problems[0].severity, Severity::Warning);
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
        f.problems
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
    assert_eq!(codes(&b), ["chunk-truncated", "no-data"]);
}

#[test]
fn empty_and_foreign_files() {
    assert_eq!(codes(b""), ["empty-file"]);
    let f = facts(b"ID3\x04\0\0\0\0\0\0\xff\xfb\x90\x00");
    assert_eq!(f.sniffed, Some("mp3"));
    assert!(!f.is_wave());
    assert_eq!(f.problems[0].code, "not-wav");
    assert!(
        f.problems[0].message.contains("an MP3 file"),
        "{}",
        f.problems[0].message
    );
    assert_eq!(codes(b"RIFF\x04\0"), ["not-wav"]);
    assert!(
        facts(b"RIFF\x04\0").problems[0]
            .message
            .contains("too short")
    );
    assert!(
        facts(b"RIFF\x04\0\0\0AVI ").problems[0]
            .message
            .contains("'AVI '")
    );
    assert!(
        facts(b"hello world!").problems[0]
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
    assert_eq!(
        f.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
        ["too-many-chunks"]
    );
}

#[test]
fn io_errors_are_errors() {
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }
    impl Seek for Failing {
        fn seek(&mut self, _: SeekFrom) -> io::Result<u64> {
            Ok(100)
        }
    }
    assert!(inspect(&mut Failing).is_err());
}
