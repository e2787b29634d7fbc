//! Walker tests on WAV bytes built in memory, and the builder the spec tests share.

use super::*;
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

#[test]
fn structure_is_recorded_as_anomalies() {
    let mut b = WavBuilder::pcm(8000, 1000).build();
    b.truncate(44 + 1200);
    assert_eq!(
        facts(&b).anomalies,
        [Anomaly::DataTruncated {
            declared: 2000,
            present: 1200
        }]
    );
    let b = WavBuilder::new()
        .chunk(b"fmt ", &fmt_body(1, 1, 8000, 16))
        .chunk_sized(b"junk", 13, &[7; 13], false)
        .chunk(b"data", &sample_bytes(10))
        .build();
    assert_eq!(
        facts(&b).anomalies,
        [Anomaly::MissingPadByte {
            id: *b"junk",
            offset: 36,
            size: 13
        }]
    );
    let b = WavBuilder::pcm(8000, 10).trailing(&[0xAB; 7]).build();
    assert_eq!(
        facts(&b).anomalies,
        [Anomaly::TrailingBytes {
            count: 7,
            riff_size: 56
        }]
    );
    assert_eq!(facts(b"").anomalies, [Anomaly::Empty]);
    assert!(WavBuilder::pcm(8000, 10).build().len() > 44);
    assert_eq!(facts(&WavBuilder::pcm(8000, 10).build()).anomalies, []);
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
