//! Our own RIFF/WAVE chunk walker: a validator, not a reader.
//!
//! [`inspect`] walks every chunk of a file, records each one, parses `fmt `
//! and `fact` with bounded buffers and skips everything else by seeking, so a
//! size read from a header never decides how much memory is used. What it
//! finds wrong with the *structure* (missing or misplaced chunks, truncation,
//! RIFF size against the file, pad bytes, stray bytes) goes into
//! [`WavFacts::problems`]; the *format* rules (PCM, mono, 16-bit, rate, frame
//! arithmetic) are applied by [`crate::spec::wav_problems`], which returns the
//! structural problems followed by the format ones. Neither ever fails on bad
//! bytes: only I/O errors are errors.
//!
//! ```
//! use std::io::Cursor;
//! use voxprep::{spec, wav};
//!
//! // 44-byte header + 4 samples of 16-bit mono PCM at 8000 Hz
//! let mut b = Vec::new();
//! b.extend_from_slice(b"RIFF"); b.extend_from_slice(&44u32.to_le_bytes());
//! b.extend_from_slice(b"WAVEfmt "); b.extend_from_slice(&16u32.to_le_bytes());
//! for v in [1u16, 1] { b.extend_from_slice(&v.to_le_bytes()); }
//! for v in [8000u32, 16000] { b.extend_from_slice(&v.to_le_bytes()); }
//! for v in [2u16, 16] { b.extend_from_slice(&v.to_le_bytes()); }
//! b.extend_from_slice(b"data"); b.extend_from_slice(&8u32.to_le_bytes());
//! b.extend_from_slice(&[0; 8]);
//!
//! let facts = wav::inspect(&mut Cursor::new(b))?;
//! assert!(spec::wav_problems(&facts).is_empty());
//! assert_eq!(facts.frames(), Some(voxprep::billing::Frames(4)));
//! let pcm = facts.pcm16_mono().expect("plain 16-bit mono PCM");
//! assert_eq!((pcm.offset, pcm.len, pcm.sample_rate), (44, 8, 8000));
//! # Ok::<(), std::io::Error>(())
//! ```

mod chunks;

pub use chunks::{
    FMT_READ_LIMIT, Fmt, FmtError, WAVE_FORMAT_EXTENSIBLE, WAVE_FORMAT_PCM, id_label, is_chunk_id,
    parse_fact, parse_fmt,
};

use crate::billing::Frames;
use crate::spec::{self, Problem, code};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// How many chunks the walker records before it gives up (a warning): a
/// hostile file of millions of empty chunks must not cost memory or time.
pub const MAX_CHUNKS: usize = 4096;

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

impl Chunk {
    /// Offset just past the chunk's declared body (the pad byte, if any, not included).
    pub fn end(&self) -> u64 {
        self.offset + 8 + u64::from(self.size)
    }
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

impl Data {
    /// Bytes the declared size claims but the file does not hold.
    pub fn missing(&self) -> u64 {
        u64::from(self.declared).saturating_sub(self.available)
    }
}

/// Where the samples of a 16-bit mono PCM file are, for signal analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PcmSpan {
    /// Offset of the first sample byte.
    pub offset: u64,
    /// Bytes to read: whole frames actually present (`frames * 2`).
    pub len: u64,
    /// Whole frames present.
    pub frames: Frames,
    /// nSamplesPerSec, as declared (may be a rate the spec rejects).
    pub sample_rate: u32,
}

/// Everything the walker learned about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WavFacts {
    /// Length of the file in bytes.
    pub file_len: u64,
    /// What the first bytes say the file is (see [`spec::sniff`]): `"wav"`
    /// for RIFF/WAVE, else `"mp3"`, `"rf64"`, `"empty"`..., `None` if unknown.
    pub sniffed: Option<&'static str>,
    /// The RIFF header's size field, when the file starts with `RIFF....WAVE`.
    pub riff_size: Option<u32>,
    /// Every chunk, in file order (at most [`MAX_CHUNKS`]).
    pub chunks: Vec<Chunk>,
    /// The (first) fmt chunk, when present and readable.
    pub fmt: Option<Fmt>,
    /// The (first) data chunk, when present.
    pub data: Option<Data>,
    /// `dwSampleLength` of the fact chunk, when present.
    pub fact_samples: Option<u32>,
    /// Whether the fmt chunk came after the data chunk.
    pub fmt_after_data: bool,
    /// Bytes after the end the RIFF header declares (0 when none).
    pub trailing: u64,
    /// Structural problems found while walking (format rules come from
    /// [`spec::wav_problems`]).
    pub problems: Vec<Problem>,
}

impl WavFacts {
    fn new(file_len: u64) -> WavFacts {
        WavFacts {
            file_len,
            sniffed: None,
            riff_size: None,
            chunks: Vec::new(),
            fmt: None,
            data: None,
            fact_samples: None,
            fmt_after_data: false,
            trailing: 0,
            problems: Vec::new(),
        }
    }

    /// Whether the file starts with a RIFF/WAVE header.
    pub fn is_wave(&self) -> bool {
        self.riff_size.is_some()
    }

    /// Whole frames in the data actually present, for uncompressed formats
    /// (PCM, float, A-law, mu-law). `None` without fmt or data, or for
    /// compressed formats, whose frame count only a decoder knows (the
    /// declared count is in [`WavFacts::fact_samples`]).
    pub fn frames(&self) -> Option<Frames> {
        let fb = self.fmt.as_ref()?.frame_bytes()?;
        Some(Frames(self.data.as_ref()?.available / fb))
    }

    /// Where to read the samples when they are 16-bit mono PCM (format tag 1,
    /// or extensible around PCM), whatever else is wrong (rate, truncation...).
    /// `None` when they cannot be decoded as such.
    pub fn pcm16_mono(&self) -> Option<PcmSpan> {
        let fmt = self.fmt.as_ref()?;
        let data = self.data.as_ref()?;
        if fmt.effective_tag() != WAVE_FORMAT_PCM || fmt.channels != 1 || fmt.bits_per_sample != 16
        {
            return None;
        }
        let frames = data.available / 2;
        Some(PcmSpan {
            offset: data.offset,
            len: frames * 2,
            frames: Frames(frames),
            sample_rate: fmt.sample_rate,
        })
    }
}

/// Read into `buf` until it is full or the reader ends; returns the count.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn read_at<R: Read + Seek>(r: &mut R, pos: u64, buf: &mut [u8]) -> io::Result<usize> {
    r.seek(SeekFrom::Start(pos))?;
    read_full(r, buf)
}

/// Whether 4 bytes at `pos` look like a chunk id followed by a size that fits
/// in the file (used to tell a padded odd chunk from an unpadded one).
fn chunk_header_at<R: Read + Seek>(r: &mut R, pos: u64, file_len: u64) -> io::Result<bool> {
    if pos.saturating_add(8) > file_len {
        return Ok(false);
    }
    let mut h = [0u8; 8];
    if read_at(r, pos, &mut h)? < 8 {
        return Ok(false);
    }
    let size = u64::from(u32::from_le_bytes([h[4], h[5], h[6], h[7]]));
    Ok(is_chunk_id(&h[..4]) && pos + 8 + size <= file_len)
}

/// [`inspect`] on a file. The file is only read.
///
/// # Errors
/// Only I/O errors opening or reading the file.
pub fn inspect_path(path: &Path) -> crate::Result<WavFacts> {
    let mut f = std::fs::File::open(path).map_err(|e| crate::Error::io(path, e))?;
    inspect(&mut f).map_err(|e| crate::Error::io(path, e))
}

/// Walk the chunks of a file that claims to be RIFF/WAVE.
///
/// Reads the first [`spec::SNIFF_LEN`] bytes, then only chunk headers, at
/// most [`FMT_READ_LIMIT`] bytes of `fmt ` and 4 bytes of `fact`.
///
/// # Errors
/// Only I/O errors; everything wrong with the bytes is a [`Problem`] in the facts.
pub fn inspect<R: Read + Seek>(r: &mut R) -> io::Result<WavFacts> {
    let file_len = r.seek(SeekFrom::End(0))?;
    let mut facts = WavFacts::new(file_len);
    let mut head = [0u8; spec::SNIFF_LEN];
    let n = read_at(r, 0, &mut head)?;
    let head = &head[..n];
    facts.sniffed = spec::sniff(head);
    if file_len == 0 {
        facts.problems.push(spec::empty_file());
        return Ok(facts);
    }
    if n < 12 || &head[..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        facts
            .problems
            .push(spec::not_wav(facts.sniffed, head, file_len));
        return Ok(facts);
    }
    let riff_size = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
    facts.riff_size = Some(riff_size);
    Walker {
        r,
        facts: &mut facts,
        riff_end: 8 + u64::from(riff_size),
    }
    .walk()?;
    Ok(facts)
}

struct Walker<'a, R> {
    r: &'a mut R,
    facts: &'a mut WavFacts,
    riff_end: u64,
}

impl<R: Read + Seek> Walker<'_, R> {
    fn walk(&mut self) -> io::Result<()> {
        let file_len = self.facts.file_len;
        let riff_end = self.riff_end;
        let mut pos: u64 = 12;
        // a chunk that crosses the declared RIFF end while fitting in the file
        let mut crosses_riff_end: Option<Chunk> = None;
        // fmt or data chunks that start at or past the declared RIFF end
        let mut needed_outside: Vec<[u8; 4]> = Vec::new();
        // where the walk stopped, and whether it stopped on a truncated chunk
        let mut truncated: Option<Chunk> = None;
        let mut stray: Option<(u64, [u8; 4])> = None;
        let mut gave_up = false;

        while pos < file_len {
            if self.facts.chunks.len() >= MAX_CHUNKS {
                gave_up = true;
                break;
            }
            let mut h = [0u8; 8];
            let got = read_at(self.r, pos, &mut h)?;
            if got < 8 || !is_chunk_id(&h[..4]) {
                stray = Some((pos, [h[0], h[1], h[2], h[3]]));
                break;
            }
            let id = [h[0], h[1], h[2], h[3]];
            let size = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
            let chunk = Chunk {
                id,
                offset: pos,
                size,
            };
            let body = pos + 8;
            let end = chunk.end();
            self.facts.chunks.push(chunk.clone());

            if pos < riff_end && end > riff_end && end <= file_len && crosses_riff_end.is_none() {
                crosses_riff_end = Some(chunk.clone());
            }
            if pos >= riff_end && (&id == b"fmt " || &id == b"data") {
                needed_outside.push(id);
            }
            match &id {
                b"fmt " => self.on_fmt(&chunk)?,
                b"data" => self.on_data(&chunk),
                b"fact" if self.facts.fact_samples.is_none() => {
                    let mut b = [0u8; 4];
                    let k = read_at(self.r, body, &mut b[..size.min(4) as usize])?;
                    self.facts.fact_samples = parse_fact(&b[..k]);
                }
                _ => {}
            }
            if end > file_len {
                truncated = Some(chunk);
                pos = file_len;
                break;
            }
            pos = if size % 2 == 1 {
                self.after_odd(&chunk)?
            } else {
                end
            };
        }

        if let Some(c) = &truncated {
            self.on_truncated(c);
        }
        if let Some((at, id)) = stray {
            self.on_stray(at, id);
        }
        if gave_up {
            self.facts.problems.push(Problem::warning(
                code::TOO_MANY_CHUNKS,
                format!(
                    "more than {MAX_CHUNKS} chunks; stopped walking at offset {pos} of {file_len}"
                ),
            ));
        }
        self.riff_size_rules(crosses_riff_end, &needed_outside, truncated.as_ref());
        if self.facts.fmt.is_none()
            && !self
                .facts
                .problems
                .iter()
                .any(|p| p.code == code::FMT_MALFORMED)
        {
            self.facts.problems.push(Problem::error(
                code::NO_FMT,
                "no fmt chunk: the format of the samples is unknown",
            ));
        }
        if self.facts.data.is_none() {
            self.facts.problems.push(Problem::error(
                code::NO_DATA,
                "no data chunk: the file holds no samples",
            ));
        }
        Ok(())
    }

    fn on_fmt(&mut self, c: &Chunk) -> io::Result<()> {
        if self.facts.fmt.is_some()
            || self
                .facts
                .problems
                .iter()
                .any(|p| p.code == code::FMT_MALFORMED)
        {
            self.duplicate(c);
            return Ok(());
        }
        if self.facts.data.is_some() {
            self.facts.fmt_after_data = true;
            self.facts.problems.push(Problem::error(
                code::FMT_AFTER_DATA,
                format!("the fmt chunk (offset {}) comes after the data chunk; players that stream read the samples before knowing their format", c.offset),
            ));
        }
        let mut buf = [0u8; FMT_READ_LIMIT];
        let want = (c.size as usize).min(FMT_READ_LIMIT);
        let got = read_at(self.r, c.offset + 8, &mut buf[..want])?;
        match parse_fmt(&buf[..got], c.size) {
            Ok(fmt) => self.facts.fmt = Some(fmt),
            Err(e) => self.facts.problems.push(spec::fmt_malformed(&e, c.size)),
        }
        Ok(())
    }

    fn on_data(&mut self, c: &Chunk) {
        if self.facts.data.is_some() {
            self.duplicate(c);
            return;
        }
        let body = c.offset + 8;
        let available = u64::from(c.size).min(self.facts.file_len.saturating_sub(body));
        self.facts.data = Some(Data {
            offset: body,
            declared: c.size,
            available,
        });
    }

    fn duplicate(&mut self, c: &Chunk) {
        self.facts.problems.push(Problem::error(
            code::DUPLICATE_CHUNK,
            format!("a second {} chunk at offset {}; players disagree on which one counts (the first is used here)", id_label(&c.id), c.offset),
        ));
    }

    /// Next position after an odd-sized chunk: past its pad byte, unless the
    /// pad byte is missing (then warn).
    fn after_odd(&mut self, c: &Chunk) -> io::Result<u64> {
        let end = c.end();
        let file_len = self.facts.file_len;
        let unpadded = || {
            Problem::warning(
                code::MISSING_PAD_BYTE,
                format!(
                    "the {} chunk at offset {} has an odd size ({}) but no pad byte after it",
                    id_label(&c.id),
                    c.offset,
                    c.size
                ),
            )
        };
        if end == file_len {
            self.facts.problems.push(unpadded());
            return Ok(end);
        }
        if chunk_header_at(self.r, end + 1, file_len)? || !chunk_header_at(self.r, end, file_len)? {
            Ok(end + 1)
        } else {
            self.facts.problems.push(unpadded());
            Ok(end)
        }
    }

    fn on_truncated(&mut self, c: &Chunk) {
        let file_len = self.facts.file_len;
        let missing = c.end() - file_len;
        let present = file_len - (c.offset + 8).min(file_len);
        if &c.id == b"data"
            && self
                .facts
                .data
                .as_ref()
                .is_some_and(|d| d.offset == c.offset + 8)
        {
            if c.size == u32::MAX {
                self.facts.problems.push(Problem::error(
                    code::SIZE_PLACEHOLDER,
                    format!("the data chunk's size is 0xFFFFFFFF, a placeholder left by a writer that streamed to a pipe and never filled it in; the file holds {present} data bytes; `voxprep convert` rewrites it with true sizes"),
                ));
            } else {
                self.facts.problems.push(Problem::error(
                    code::DATA_TRUNCATED,
                    format!("the data chunk declares {} bytes but the file holds only {present}: {missing} bytes missing (truncated file)", c.size),
                ));
            }
        } else {
            self.facts.problems.push(Problem::error(
                code::CHUNK_TRUNCATED,
                format!("the {} chunk at offset {} declares {} bytes but the file holds only {present}: {missing} bytes missing (truncated file)", id_label(&c.id), c.offset, c.size),
            ));
        }
    }

    fn on_stray(&mut self, at: u64, id: [u8; 4]) {
        let file_len = self.facts.file_len;
        if at >= self.riff_end {
            return; // counted as trailing bytes
        }
        let len = self.riff_end.min(file_len) - at;
        let what = if len < 8 {
            "too short to be a chunk header".to_string()
        } else {
            format!("not a chunk header (id {})", id_label(&id))
        };
        self.facts.problems.push(Problem::warning(
            code::STRAY_BYTES,
            format!("{len} bytes at offset {at}, inside the RIFF, are {what}; players ignore them"),
        ));
    }

    fn riff_size_rules(
        &mut self,
        crosses: Option<Chunk>,
        needed_outside: &[[u8; 4]],
        truncated: Option<&Chunk>,
    ) {
        let file_len = self.facts.file_len;
        let riff_end = self.riff_end;
        let riff_size = riff_end - 8;
        let data_placeholder = self
            .facts
            .problems
            .iter()
            .any(|p| p.code == code::SIZE_PLACEHOLDER);
        if riff_end > file_len {
            if riff_size == u64::from(u32::MAX) {
                if !data_placeholder {
                    self.facts.problems.push(Problem::error(
                        code::SIZE_PLACEHOLDER,
                        format!("the RIFF size is 0xFFFFFFFF, a placeholder left by a writer that streamed to a pipe and never filled it in; the file is {file_len} bytes; `voxprep convert` rewrites it with true sizes"),
                    ));
                }
                return;
            }
            // a truncated last chunk that ends where the RIFF says explains it already
            if truncated.is_some_and(|c| c.end() == riff_end || c.end() + 1 == riff_end) {
                return;
            }
            self.facts.problems.push(Problem::error(
                code::RIFF_SIZE_MISMATCH,
                format!("the RIFF header declares {riff_end} bytes but the file is {file_len}: {} bytes short", riff_end - file_len),
            ));
            return;
        }
        if riff_end == file_len {
            return;
        }
        // riff_end < file_len
        let last_end = self.facts.chunks.last().map(Chunk::end);
        let trailing = file_len - riff_end;
        if last_end == Some(riff_end)
            && trailing == 1
            && self.facts.chunks.last().is_some_and(|c| c.size % 2 == 1)
        {
            return; // the pad byte of the last chunk, left out of the RIFF size
        }
        self.facts.trailing = trailing;
        if let Some(c) = crosses {
            self.facts.problems.push(Problem::error(
                code::RIFF_SIZE_MISMATCH,
                format!("the RIFF header declares {riff_end} bytes but the {} chunk at offset {} runs to {}; the file is {file_len} bytes ({} more than declared)", id_label(&c.id), c.offset, c.end(), file_len - riff_end),
            ));
            return;
        }
        if let Some(id) = needed_outside.first() {
            self.facts.problems.push(Problem::error(
                code::RIFF_SIZE_MISMATCH,
                format!("the RIFF header declares {riff_end} bytes but the {} chunk lies after that; the file is {file_len} bytes ({} more than declared)", id_label(id), file_len - riff_end),
            ));
            return;
        }
        self.facts.problems.push(Problem::warning(
            code::TRAILING_BYTES,
            format!("{trailing} bytes after the end of the RIFF data (RIFF size {riff_size}, file {file_len} bytes); players ignore them"),
        ));
    }
}

#[cfg(test)]
pub(crate) mod tests;
