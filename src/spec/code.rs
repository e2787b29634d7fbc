//! The problem vocabulary: every code `check` can report, with its severity
//! and what it means. Nothing else in the crate defines a code.

use serde::Serialize;

use super::Severity;

crate::codes::problem_codes! {
    /// A stable problem code of a recording. Serialised as its kebab-case
    /// string (`not-pcm`), which never changes once released.
    pub enum Code;
    /// The file is 0 bytes.
    EmptyFile = "empty-file", Error, "the file is 0 bytes";
    /// A `.wav` that is not RIFF/WAVE.
    NotWav = "not-wav", Error, "a `.wav` that is not RIFF/WAVE; the message names what it is (MP3, Ogg, FLAC, RF64...)";
    /// No `fmt ` chunk.
    NoFmt = "no-fmt", Error, "no `fmt ` chunk";
    /// No `data` chunk.
    NoData = "no-data", Error, "no `data` chunk";
    /// The `fmt ` chunk comes after the `data` chunk.
    FmtAfterData = "fmt-after-data", Error, "the `fmt ` chunk comes after the `data` chunk";
    /// An unreadable `fmt ` chunk.
    FmtMalformed = "fmt-malformed", Error, "`fmt ` shorter than 16 bytes, or extensible without its 22 extra bytes";
    /// A second `fmt ` or `data` chunk.
    DuplicateChunk = "duplicate-chunk", Error, "a second `fmt ` or `data` chunk";
    /// The data chunk declares more bytes than the file holds.
    DataTruncated = "data-truncated", Error, "the data chunk declares more bytes than the file holds (says how many are missing)";
    /// Another chunk runs past the end of the file.
    ChunkTruncated = "chunk-truncated", Error, "another chunk runs past the end of the file";
    /// RIFF or data size 0xFFFFFFFF, left by a writer streaming to a pipe.
    SizePlaceholder = "size-placeholder", Error, "RIFF or data size is 0xFFFFFFFF, left by a writer streaming to a pipe";
    /// The RIFF size disagrees with the file and its chunks.
    RiffSizeMismatch = "riff-size-mismatch", Error, "the RIFF size disagrees with the file and its chunks (says by how much)";
    /// Bytes after the end of the RIFF data.
    TrailingBytes = "trailing-bytes", Warning, "bytes after the end of the RIFF data";
    /// Bytes inside the RIFF that are not a chunk.
    StrayBytes = "stray-bytes", Warning, "bytes inside the RIFF that are not a chunk";
    /// An odd-sized chunk without its pad byte.
    MissingPadByte = "missing-pad-byte", Warning, "an odd-sized chunk without its pad byte";
    /// A plain-PCM `fmt ` chunk of another size than 16 bytes (18 with
    /// cbSize 0 excepted), which some players mis-read.
    FmtUnusualSize = "fmt-unusual-size", Warning, "a PCM `fmt ` chunk of another size than 16 bytes (or 18 with cbSize 0): odd sizes (17, 19...) stop sox 14.4 and Asterisk's WAV reader, which skip no pad byte and then find no data chunk; a cbSize that disagrees with the size, or extra bytes, puts Asterisk's seek and position (which assume a 44-byte header) off; convert writes the canonical 16-byte chunk";
    /// More chunks than the walker records; the walk stopped.
    TooManyChunks = "too-many-chunks", Warning, "more than 4096 chunks; the walk stopped";
    /// A format tag other than 1 (PCM).
    NotPcm = "not-pcm", Error, "format tag other than 1 (PCM), named (IEEE float, A-law, mu-law, IMA ADPCM...)";
    /// WAVE_FORMAT_EXTENSIBLE, even around 16-bit mono PCM.
    Extensible = "extensible", Error, "WAVE_FORMAT_EXTENSIBLE, even around 16-bit mono PCM";
    /// Channels other than 1.
    NotMono = "not-mono", Error, "channels other than 1";
    /// Bits per sample other than 16.
    Not16Bit = "not-16-bit", Error, "bits per sample other than 16";
    /// A sample rate other than 8000 or 11025 Hz.
    BadSampleRate = "bad-sample-rate", Error, "sample rate other than 8000 or 11025 Hz";
    /// nBlockAlign is not channels x bytes per sample.
    BlockAlignMismatch = "block-align-mismatch", Error, "nBlockAlign is not channels x bytes per sample";
    /// nAvgBytesPerSec is not sample rate x bytes per frame.
    ByteRateMismatch = "byte-rate-mismatch", Error, "nAvgBytesPerSec is not sample rate x bytes per frame";
    /// No whole sample frame in the data.
    ZeroSamples = "zero-samples", Error, "no whole sample frame in the data";
    /// The data size is not a whole number of frames.
    DataNotWholeFrames = "data-not-whole-frames", Error, "the data size is not a whole number of frames";
    /// A `.vox` that is really a container.
    VoxIsContainer = "vox-is-container", Error, "a `.vox` that is really a container (RIFF, ID3/MP3, Ogg, FLAC, AIFF, MP4...)";
    /// A `.vox` recorded at another rate than the provider's.
    VoxRate = "vox-rate", Error, "a `.vox` recorded at another rate than the 8000 Hz the provider plays VOX at (as the check was told): it would play at the wrong speed and pitch";
    /// An audio format the provider does not take.
    NotAccepted = "not-accepted", Error, "an audio format the provider does not take (MP3, FLAC, Ogg...)";
    /// The file could not be opened or read.
    Unreadable = "unreadable", Error, "the file could not be opened or read (permissions, I/O error, dangling link, missing path, a folder or FIFO named as a file); its fields are all null";
    /// A file named explicitly that is no audio format voxprep knows.
    NotAudio = "not-audio", Error, "a file named explicitly that is no audio format";
    /// A RIFF/WAVE file whose name does not end in `.wav`.
    WrongExtension = "wrong-extension", Error, "a RIFF/WAVE file whose name does not end in `.wav`";
    /// Nothing louder than the silence threshold anywhere.
    Silent = "silent", Warning, "no sample reaches the silence threshold (-50 dBFS by default): digital silence or near-silence; says the peak";
    /// The recording is clipped: full-scale runs, samples at the rails, or
    /// samples piled up just below the peak.
    Clipping = "clipping", Warning, "the recording is clipped: a run of at least 3 (by default) consecutive full-scale samples (+32767, -32767, -32768), or at least 3 samples at the rails in runs of 1 or 2 (full scale, or the largest value decoded mu-law or A-law has: clipped, then resampled or dithered), or samples piled up just below the peak (pile-up score at least 6.5: clipped, then resampled or turned down); says which, with its figures";
    /// Runs of samples held at a peak below full scale.
    FlatTops = "flat-tops", Warning, "the peak is below full scale but at least -12 dBFS, and runs of at least 3 (by default) consecutive samples sit at exactly the peak magnitude: clipped and then turned down, or limited hard";
    /// The peak is below the low-level threshold.
    LowLevel = "low-level", Warning, "the peak is below -20 dBFS (by default): faint on a phone line";
    /// More leading silence than allowed.
    LeadingSilence = "leading-silence", Warning, "more than 0.5 s (by default) of silence before the first sample at or above the silence threshold; says whether trimming would lower the billing units";
    /// More trailing silence than allowed.
    TrailingSilence = "trailing-silence", Warning, "more than 0.5 s (by default) of silence after the last sample at or above the silence threshold; says whether trimming would lower the billing units";
    /// The mean sample value is far from zero.
    DcOffset = "dc-offset", Warning, "the mean sample value is more than 2% (by default) of full scale, in a recording of 0.1 s or more; convert takes it out";
    /// A `.vox` whose bytes are not Dialogic ADPCM.
    NotAdpcm = "not-adpcm", Error, "a `.vox` that is not Dialogic ADPCM: at least 5 decoder steps, and at least 0.2% of them, overshoot full scale by more than s/8 (\"ADPCM state errors\", which no ADPCM encoder writes); says which raw reading of the bytes looks like audio (mu-law, A-law, 8- or 16-bit PCM) or that none does (random data)";
    /// A `.vox` whose decoding sits at the rails.
    VoxAtRails = "vox-at-rails", Warning, "a `.vox` whose decoded samples sit at full scale in runs of 64 or more for more than 2% of the samples, without ADPCM state errors: clipped flat at full scale, or bytes of one value (0x00, 0x88) that are not ADPCM either";
    /// A `.vox` that plays differently on the decoder families.
    DecoderDisagreement = "decoder-disagreement", Warning, "a `.vox` whose exact (sox/libsndfile) and shift-add (Dialogic/FreeSWITCH) decodings drift more than 10% of full scale apart, or whose SNR between them is below 10 dB: it plays differently on the two decoder families (ffmpeg's decoding is not compared: it differs from the exact one by at most 15 of 32768, after positive clipping)";
    /// A `.vox` whose voice is higher than the others in its folder, as a
    /// 6000 Hz recording played at 8000 Hz is.
    VoxRateSuspect = "vox-rate-suspect", Warning, "a `.vox` whose voice is higher in pitch than the median of the `.vox` files in its folder by at least half the rise of a recording made at 6000 Hz and played at 8000 Hz (a pitch 15.5% higher, score 0.144): it may have been recorded at 6000 Hz and would play 33% too fast and high; judged only in a folder of at least 5 `.vox` files with half a second of voiced speech or more, taken to be by one voice";
}

impl Code {
    /// What converting the file does about this problem: `None` when
    /// converting cannot cure it (the source itself is broken, silent,
    /// distorted or not audio at all).
    pub const fn remedy(self) -> Option<Remedy> {
        use Code::*;
        match self {
            WrongExtension | NotWav | FmtAfterData | DuplicateChunk | SizePlaceholder
            | RiffSizeMismatch | TrailingBytes | StrayBytes | MissingPadByte | FmtUnusualSize
            | TooManyChunks | NotPcm | Extensible | NotMono | Not16Bit | BadSampleRate
            | BlockAlignMismatch | ByteRateMismatch | DataNotWholeFrames | VoxIsContainer
            | NotAccepted | ChunkTruncated | DecoderDisagreement | VoxRate | DcOffset => {
                Some(Remedy::Convert)
            }
            LowLevel => Some(Remedy::ConvertWith(Adjustment::Normalize)),
            LeadingSilence | TrailingSilence => Some(Remedy::ConvertWith(Adjustment::TrimSilence)),
            Unreadable | NotAudio | EmptyFile | NoFmt | NoData | FmtMalformed | DataTruncated
            | ZeroSamples | Silent | Clipping | FlatTops | NotAdpcm | VoxAtRails
            | VoxRateSuspect => None,
        }
    }
}

/// What converting a file does about one of its problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Remedy {
    /// A conversion writes a conforming file in place of this one.
    Convert,
    /// A conversion with this adjustment cures it.
    ConvertWith(Adjustment),
}

/// A change a conversion can make beyond the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Adjustment {
    /// Scale the peak to just below full scale.
    Normalize,
    /// Cut leading and trailing silence.
    TrimSilence,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_unique_kebab_case() {
        crate::codes::assert_vocabulary(Code::ALL, Code::as_str, Code::meaning, Code::parse);
    }
}
