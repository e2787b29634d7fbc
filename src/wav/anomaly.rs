//! What the walker finds wrong with a file's RIFF structure: facts with
//! their figures. Whether each is an error or a warning, and the words for
//! it, are the spec's ([`crate::spec`]).

use super::FmtError;

/// One thing wrong with the structure of a RIFF/WAVE file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Anomaly {
    /// The file is 0 bytes.
    Empty,
    /// The file does not start with `RIFF....WAVE`; what it is instead is in
    /// [`super::WavFacts::sniffed`].
    NotRiffWave {
        /// The first bytes of the file (`len` of them are real).
        head: [u8; 12],
        /// How many bytes of `head` the file holds.
        len: usize,
    },
    /// A RIFX (big-endian) file: its chunks are walked, but the provider
    /// plays little-endian RIFF only.
    BigEndian,
    /// No `fmt ` chunk anywhere.
    NoFmt,
    /// No `data` chunk anywhere.
    NoData,
    /// The `fmt ` chunk comes after the `data` chunk.
    FmtAfterData {
        /// Offset of the `fmt ` chunk's header.
        offset: u64,
    },
    /// The `fmt ` chunk cannot be read.
    FmtMalformed {
        /// Why.
        error: FmtError,
        /// The size its header declares.
        declared: u32,
    },
    /// A second `fmt ` or `data` chunk (the first is used).
    DuplicateChunk {
        /// Its id.
        id: [u8; 4],
        /// Offset of its header.
        offset: u64,
    },
    /// The data chunk declares more bytes than the file holds.
    DataTruncated {
        /// The size the data chunk declares.
        declared: u32,
        /// Data bytes the file holds.
        present: u64,
    },
    /// The data chunk's size is a streaming writer's placeholder
    /// ([`super::is_size_placeholder`]) larger than the file.
    DataSizePlaceholder {
        /// The placeholder.
        declared: u32,
        /// Data bytes the file holds.
        present: u64,
    },
    /// A chunk other than the data chunk runs past the end of the file.
    ChunkTruncated {
        /// Its id.
        id: [u8; 4],
        /// Offset of its header.
        offset: u64,
        /// The size it declares.
        declared: u32,
        /// Body bytes the file holds.
        present: u64,
    },
    /// The RIFF size is a streaming writer's placeholder larger than the
    /// file.
    RiffSizePlaceholder {
        /// The placeholder.
        declared: u32,
    },
    /// The RIFF header declares more bytes than the file holds.
    RiffPastEnd {
        /// Where the RIFF header says the file ends (size + 8).
        riff_end: u64,
    },
    /// The RIFF header declares fewer bytes than a chunk inside it needs.
    RiffCutsChunk {
        /// Where the RIFF header says the file ends.
        riff_end: u64,
        /// The chunk that crosses that end.
        id: [u8; 4],
        /// Offset of its header.
        offset: u64,
        /// Where it ends.
        end: u64,
    },
    /// A `fmt ` or `data` chunk lies after the end the RIFF header declares.
    ChunkAfterRiff {
        /// Where the RIFF header says the file ends.
        riff_end: u64,
        /// The chunk's id.
        id: [u8; 4],
    },
    /// Bytes after the end of the RIFF data.
    TrailingBytes {
        /// How many.
        count: u64,
        /// The RIFF header's size field.
        riff_size: u64,
    },
    /// Bytes inside the RIFF that are not a chunk header.
    StrayBytes {
        /// Where they start.
        offset: u64,
        /// How many, up to the end of the RIFF.
        len: u64,
        /// The four bytes where a chunk id was expected.
        id: [u8; 4],
    },
    /// An odd-sized chunk without its pad byte.
    MissingPadByte {
        /// Its id.
        id: [u8; 4],
        /// Offset of its header.
        offset: u64,
        /// Its (odd) size.
        size: u32,
    },
    /// More than [`super::MAX_CHUNKS`] chunks: the walk stopped.
    TooManyChunks {
        /// Where the walk stopped.
        stopped_at: u64,
    },
}
