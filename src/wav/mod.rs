//! Our own RIFF/WAVE chunk walker: a validator, not a reader.
//!
//! [`inspect`] walks every chunk of a file, records each one, parses `fmt `
//! and `fact` with bounded buffers and skips everything else by seeking, so a
//! size read from a header never decides how much memory is used. What it
//! finds wrong with the *structure* (missing or misplaced chunks, truncation,
//! RIFF size against the file, pad bytes, stray bytes) goes into
//! [`WavFacts::anomalies`] as facts with their figures; the spec
//! ([`crate::spec::wav_problems`]) turns those into problems and adds the
//! *format* rules (PCM, mono, 16-bit, rate, frame arithmetic). Neither ever
//! fails on bad bytes: only I/O errors are errors.
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

mod anomaly;
mod chunks;
mod tags;

pub use anomaly::Anomaly;
pub use chunks::{ByteOrder, Fmt, FmtError, WAVE_FORMAT_EXTENSIBLE, WAVE_FORMAT_PCM, id_label};
pub use tags::{format_tag_label, format_tag_name};

use crate::billing::Frames;
use crate::sniff::{self, SNIFF_LEN};
use chunks::{FMT_READ_LIMIT, is_chunk_id, parse_fact, parse_fmt};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// How many chunks the walker records before it gives up (a warning): a
/// hostile file of millions of empty chunks must not cost memory or time.
pub const MAX_CHUNKS: usize = 4096;

/// Whether a chunk size that runs past the end of the file is a streaming
/// writer's placeholder, meaning "to the end of the file": 0xFFFFFFFF
/// (ffmpeg, and most writers), 0x7FFFFFFF (arecord) and 0x7FFFF000 (sox),
/// written when the output is a pipe and the header cannot be patched.
pub fn is_size_placeholder(size: u32) -> bool {
    matches!(size, u32::MAX | 0x7FFF_FFFF | 0x7FFF_F000)
}

/// Chunk ids seen in WAV files in the wild (RIFF, Broadcast WAV, sampler and
/// editor chunks), used only to settle whether an odd chunk was padded.
const KNOWN_IDS: &[&[u8; 4]] = &[
    b"fmt ", b"data", b"fact", b"LIST", b"cue ", b"bext", b"JUNK", b"junk", b"PAD ", b"FLLR",
    b"smpl", b"inst", b"id3 ", b"ID3 ", b"iXML", b"axml", b"cart", b"DISP", b"plst", b"acid",
    b"umid", b"minf", b"elm1", b"regn", b"levl", b"PEAK", b"afsp", b"link", b"MD5 ", b"wavl",
];

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
    /// Little-endian (RIFF) or big-endian (RIFX) numbers.
    pub byte_order: ByteOrder,
    /// What the first bytes say the file is (see [`sniff::sniff`]): `"wav"`
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
    /// What is wrong with the structure, in the order found.
    pub anomalies: Vec<Anomaly>,
}

impl WavFacts {
    fn new(file_len: u64) -> WavFacts {
        WavFacts {
            file_len,
            byte_order: ByteOrder::Little,
            sniffed: None,
            riff_size: None,
            chunks: Vec::new(),
            fmt: None,
            data: None,
            fact_samples: None,
            fmt_after_data: false,
            trailing: 0,
            anomalies: Vec::new(),
        }
    }

    /// Whether the file starts with a RIFF/WAVE (or RIFX/WAVE) header.
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
        if fmt.effective_tag() != WAVE_FORMAT_PCM
            || fmt.channels != 1
            || fmt.bits_per_sample != 16
            || self.byte_order != ByteOrder::Little
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

/// The file being walked: its first bytes kept in memory, so that the
/// headers of an ordinary file cost no further reads, the rest by seeking.
struct Source<'a, R> {
    r: &'a mut R,
    head: Box<[u8; SNIFF_LEN]>,
    head_len: usize,
    file_len: u64,
    order: ByteOrder,
}

impl<R: Read + Seek> Source<'_, R> {
    /// Read into `buf` from `pos`; returns the count (short at end of file).
    fn read_at(&mut self, pos: u64, buf: &mut [u8]) -> io::Result<usize> {
        if let Ok(start) = usize::try_from(pos)
            && start.saturating_add(buf.len()) <= self.head_len
        {
            buf.copy_from_slice(&self.head[start..start + buf.len()]);
            return Ok(buf.len());
        }
        self.r.seek(SeekFrom::Start(pos))?;
        read_full(self.r, buf)
    }

    /// Whether 4 bytes at `pos` look like a chunk id followed by a size that
    /// fits in the file (used to tell a padded odd chunk from an unpadded one).
    fn header_at(&mut self, pos: u64) -> io::Result<bool> {
        if pos.saturating_add(8) > self.file_len {
            return Ok(false);
        }
        let mut h = [0u8; 8];
        if self.read_at(pos, &mut h)? < 8 {
            return Ok(false);
        }
        let size = u64::from(self.order.u32([h[4], h[5], h[6], h[7]]));
        Ok(is_chunk_id(&h[..4]) && pos + 8 + size <= self.file_len)
    }
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
/// Reads the first [`SNIFF_LEN`] bytes, then only chunk headers, at
/// most 64 bytes of `fmt ` and 4 bytes of `fact`.
///
/// # Errors
/// Only I/O errors; everything wrong with the bytes is an [`Anomaly`] in the facts.
pub fn inspect<R: Read + Seek>(r: &mut R) -> io::Result<WavFacts> {
    let file_len = r.seek(SeekFrom::End(0))?;
    let mut facts = WavFacts::new(file_len);
    let mut head = Box::new([0u8; SNIFF_LEN]);
    r.seek(SeekFrom::Start(0))?;
    let n = read_full(r, &mut head[..])?;
    facts.sniffed = sniff::sniff(&head[..n]);
    if file_len == 0 {
        facts.anomalies.push(Anomaly::Empty);
        return Ok(facts);
    }
    let order = match &head[..4.min(n)] {
        b"RIFF" => ByteOrder::Little,
        b"RIFX" => ByteOrder::Big,
        _ => ByteOrder::Little,
    };
    if n < 12 || !matches!(&head[..4], b"RIFF" | b"RIFX") || &head[8..12] != b"WAVE" {
        let mut first = [0u8; 12];
        let len = n.min(12);
        first[..len].copy_from_slice(&head[..len]);
        facts
            .anomalies
            .push(Anomaly::NotRiffWave { head: first, len });
        return Ok(facts);
    }
    let riff_size = order.u32([head[4], head[5], head[6], head[7]]);
    facts.riff_size = Some(riff_size);
    facts.byte_order = order;
    if order == ByteOrder::Big {
        facts.anomalies.push(Anomaly::BigEndian);
    }
    let src = Source {
        r,
        head,
        head_len: n,
        file_len,
        order,
    };
    Walker {
        src,
        facts: &mut facts,
        riff_end: 8 + u64::from(riff_size),
        fmt_seen: false,
    }
    .walk()?;
    Ok(facts)
}

struct Walker<'a, R> {
    src: Source<'a, R>,
    facts: &'a mut WavFacts,
    riff_end: u64,
    /// A fmt chunk was met, readable or not.
    fmt_seen: bool,
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
            let got = self.src.read_at(pos, &mut h)?;
            if got < 8 || !is_chunk_id(&h[..4]) {
                stray = Some((pos, [h[0], h[1], h[2], h[3]]));
                break;
            }
            let id = [h[0], h[1], h[2], h[3]];
            let size = self.src.order.u32([h[4], h[5], h[6], h[7]]);
            let chunk = Chunk {
                id,
                offset: pos,
                size,
            };
            let body = pos + 8;
            let end = chunk.end();
            let needed = &id == b"fmt " || &id == b"data";
            if pos >= riff_end && end > file_len && !needed {
                break; // junk after the RIFF that merely looks like a chunk: trailing bytes
            }
            self.facts.chunks.push(chunk.clone());

            if pos < riff_end && end > riff_end && crosses_riff_end.is_none() {
                crosses_riff_end = Some(chunk.clone());
            }
            if pos >= riff_end && needed {
                needed_outside.push(id);
            }
            match &id {
                b"fmt " => self.on_fmt(&chunk)?,
                b"data" => self.on_data(&chunk),
                b"fact" if self.facts.fact_samples.is_none() => {
                    let mut b = [0u8; 4];
                    let k = self.src.read_at(body, &mut b[..size.min(4) as usize])?;
                    self.facts.fact_samples = parse_fact(&b[..k], self.src.order);
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
            self.facts
                .anomalies
                .push(Anomaly::TooManyChunks { stopped_at: pos });
        }
        self.riff_size_rules(crosses_riff_end, &needed_outside, truncated.as_ref());
        if !self.fmt_seen {
            self.facts.anomalies.push(Anomaly::NoFmt);
        }
        if self.facts.data.is_none() {
            self.facts.anomalies.push(Anomaly::NoData);
        }
        Ok(())
    }

    fn on_fmt(&mut self, c: &Chunk) -> io::Result<()> {
        if self.fmt_seen {
            self.duplicate(c);
            return Ok(());
        }
        self.fmt_seen = true;
        if self.facts.data.is_some() {
            self.facts.fmt_after_data = true;
            self.facts
                .anomalies
                .push(Anomaly::FmtAfterData { offset: c.offset });
        }
        let mut buf = [0u8; FMT_READ_LIMIT];
        let want = (c.size as usize).min(FMT_READ_LIMIT);
        let got = self.src.read_at(c.offset + 8, &mut buf[..want])?;
        match parse_fmt(&buf[..got], c.size, self.src.order) {
            Ok(fmt) => self.facts.fmt = Some(fmt),
            Err(error) => self.facts.anomalies.push(Anomaly::FmtMalformed {
                error,
                declared: c.size,
            }),
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
        self.facts.anomalies.push(Anomaly::DuplicateChunk {
            id: c.id,
            offset: c.offset,
        });
    }

    /// Next position after an odd-sized chunk: past its pad byte, unless the
    /// pad byte is missing (then warn).
    fn after_odd(&mut self, c: &Chunk) -> io::Result<u64> {
        let end = c.end();
        let file_len = self.facts.file_len;
        let unpadded = || Anomaly::MissingPadByte {
            id: c.id,
            offset: c.offset,
            size: c.size,
        };
        if end == file_len {
            self.facts.anomalies.push(unpadded());
            return Ok(end);
        }
        // A zero pad byte can never start a chunk id, so a valid header right
        // at `end` means the pad byte is missing; when a header is valid at
        // both places, a well-known id decides.
        let at_end = self.src.header_at(end)?;
        let unpadded_wins = at_end && (!self.src.header_at(end + 1)? || self.known_id_at(end)?);
        if unpadded_wins {
            self.facts.anomalies.push(unpadded());
            Ok(end)
        } else {
            Ok(end + 1)
        }
    }

    fn known_id_at(&mut self, pos: u64) -> io::Result<bool> {
        let mut id = [0u8; 4];
        Ok(self.src.read_at(pos, &mut id)? == 4 && KNOWN_IDS.contains(&&id))
    }

    fn on_truncated(&mut self, c: &Chunk) {
        let file_len = self.facts.file_len;
        let present = file_len - (c.offset + 8).min(file_len);
        let is_data = &c.id == b"data"
            && self
                .facts
                .data
                .as_ref()
                .is_some_and(|d| d.offset == c.offset + 8);
        self.facts.anomalies.push(match (is_data, c.size) {
            (true, declared) if is_size_placeholder(declared) => {
                Anomaly::DataSizePlaceholder { declared, present }
            }
            (true, declared) => Anomaly::DataTruncated { declared, present },
            (false, declared) => Anomaly::ChunkTruncated {
                id: c.id,
                offset: c.offset,
                declared,
                present,
            },
        });
    }

    fn on_stray(&mut self, at: u64, id: [u8; 4]) {
        if at >= self.riff_end {
            return; // counted as trailing bytes
        }
        let len = self.riff_end.min(self.facts.file_len) - at;
        self.facts.anomalies.push(Anomaly::StrayBytes {
            offset: at,
            len,
            id,
        });
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
            .anomalies
            .iter()
            .any(|a| matches!(a, Anomaly::DataSizePlaceholder { .. }));
        if riff_end > file_len {
            if u32::try_from(riff_size).is_ok_and(is_size_placeholder) {
                if !data_placeholder {
                    self.facts.anomalies.push(Anomaly::RiffSizePlaceholder {
                        declared: riff_size as u32,
                    });
                }
                return;
            }
            // a truncated last chunk that ends where the RIFF says explains it already
            if truncated.is_some_and(|c| c.end() == riff_end || c.end() + 1 == riff_end) {
                return;
            }
            self.facts.anomalies.push(Anomaly::RiffPastEnd { riff_end });
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
        let anomaly = if let Some(c) = crosses {
            Anomaly::RiffCutsChunk {
                riff_end,
                id: c.id,
                offset: c.offset,
                end: c.end(),
            }
        } else if let Some(&id) = needed_outside.first() {
            Anomaly::ChunkAfterRiff { riff_end, id }
        } else {
            Anomaly::TrailingBytes {
                count: trailing,
                riff_size,
            }
        };
        self.facts.anomalies.push(anomaly);
    }
}

#[cfg(test)]
pub(crate) mod tests;
