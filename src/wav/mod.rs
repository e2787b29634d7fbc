//! Our own RIFF/WAVE chunk walker: a validator, not a reader. It reports
//! every chunk and every structural oddity, and never allocates by a size
//! read from a header. (To be written; the types are the interface.)

use crate::billing::Frames;
use crate::spec::Problem;
use std::io::{self, Read, Seek};

/// One chunk as found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The four-character id, e.g. `*b"fmt "`.
    pub id: [u8; 4],
    /// Offset of the chunk header from the start of the file.
    pub offset: u64,
    /// The size the header declares (without the pad byte).
    pub size: u32,
}

/// The `fmt ` chunk's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fmt {
    /// wFormatTag (1 = PCM, 3 = IEEE float, 0xFFFE = extensible...).
    pub format_tag: u16,
    /// nChannels.
    pub channels: u16,
    /// nSamplesPerSec.
    pub sample_rate: u32,
    /// nAvgBytesPerSec.
    pub byte_rate: u32,
    /// nBlockAlign.
    pub block_align: u16,
    /// wBitsPerSample.
    pub bits_per_sample: u16,
    /// For WAVE_FORMAT_EXTENSIBLE: the sub-format's format tag (first two bytes of the GUID).
    pub sub_format_tag: Option<u16>,
}

/// Where the sample data is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Data {
    /// Offset of the first sample byte.
    pub offset: u64,
    /// Size the data chunk declares.
    pub declared: u32,
    /// Bytes actually present in the file (<= declared when truncated).
    pub available: u64,
}

/// Everything the walker learned about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WavFacts {
    /// Length of the file in bytes.
    pub file_len: u64,
    /// Every chunk, in file order.
    pub chunks: Vec<Chunk>,
    /// The fmt chunk, when present and readable.
    pub fmt: Option<Fmt>,
    /// The data chunk, when present.
    pub data: Option<Data>,
    /// Structural problems found while walking.
    pub problems: Vec<Problem>,
}

impl WavFacts {
    /// Whole frames in the data actually present, when fmt and data allow computing it.
    pub fn frames(&self) -> Option<Frames> {
        todo!()
    }
}

/// Walk the chunks of a file that claims to be RIFF/WAVE.
///
/// # Errors
/// Only I/O errors; everything wrong with the bytes is a [`Problem`] in the facts.
pub fn inspect<R: Read + Seek>(_r: &mut R) -> io::Result<WavFacts> {
    todo!()
}
