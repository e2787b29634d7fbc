//! [`AudioReader`]: any supported input, packet by packet, through one of
//! our decoders ([`super::own`]) or symphonia ([`super::media`]).

use super::edit_list::{self, Edit};
use super::media::MediaStream;
use super::own::ByteStream;
use super::route::{self, Route};
use super::{DecodeOptions, DecodeStats, SourceFacts};
use super::{matroska, ogg};
use crate::error::{Error, Result};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use symphonia::core::io::ReadOnlySource;

/// A decoded packet: interleaved samples in -1.0..1.0.
#[derive(Debug)]
pub struct Chunk<'a> {
    /// Interleaved samples, `frames x channels`.
    pub samples: &'a [f32],
    /// Channels in `samples` (at least 1).
    pub channels: usize,
}

/// Reads any supported input packet by packet.
pub struct AudioReader {
    facts: SourceFacts,
    stats: DecodeStats,
    max_seconds: u64,
    max_bad_share: f64,
    accept_truncated: bool,
    buf: Vec<f32>,
    /// The samples of [`AudioReader::next_i16`].
    ints: Vec<i16>,
    inner: Inner,
    /// The MP4 edit to apply, and what is left of it once the rate is known.
    edit: Option<Edit>,
    trim: Option<Trim>,
    /// Decoding failed (possibly inside symphonia, mid-call): the reader
    /// refuses to go on rather than touch a decoder in an unknown state.
    failed: bool,
}

/// An edit in frames at the decoded rate, counted down as packets arrive.
#[derive(Debug, Clone, Copy)]
struct Trim {
    skip: u64,
    keep: Option<u64>,
}

impl Trim {
    /// The frames `[lo, hi)` of a packet of `frames` to present.
    fn window(&mut self, frames: u64) -> (u64, u64) {
        let lo = self.skip.min(frames);
        self.skip -= lo;
        let mut hi = frames;
        if let Some(keep) = self.keep.as_mut() {
            hi = lo + (frames - lo).min(*keep);
            *keep -= hi - lo;
        }
        (lo, hi)
    }

    fn finished(&self) -> bool {
        self.keep == Some(0)
    }
}

enum Inner {
    Media(Box<MediaStream>),
    Own {
        stream: ByteStream,
        /// Bytes the container declares but the file lacks.
        missing: u64,
    },
}

impl std::fmt::Debug for AudioReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioReader")
            .field("facts", &self.facts)
            .field("stats", &self.stats)
            .finish()
    }
}

impl AudioReader {
    /// Open a file the way every conversion opens its inputs: WAV holding
    /// PCM, float or G.711, headerless VOX, G.711 and signed linear through
    /// our own decoders, everything else that the first bytes (and, for
    /// WAV, the format tag) say symphonia reads, through symphonia. This is
    /// the one function that says whether voxprep can read a file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened; [`Error::Malformed`] for an
    /// empty or unrecognisable file; [`Error::Unsupported`] naming the codec or
    /// container voxprep cannot decode; [`Error::Limit`] for a rate or
    /// channel count out of bounds; [`Error::Usage`] for a headerless file
    /// whose rate must be given. Errors carry the path.
    pub fn open_path(path: &Path, opts: &DecodeOptions) -> Result<AudioReader> {
        let mut file = crate::files::open_regular(path)?;
        let route = route::route(path, &mut file, opts).map_err(|e| e.with_path(path))?;
        let mut r = match route {
            Route::Own(s) => {
                file.seek(SeekFrom::Start(s.offset))
                    .map_err(|e| Error::io(path, e))?;
                let facts = SourceFacts {
                    container: s.container.into(),
                    codec: s.encoding.name(),
                    sample_rate: s.rate,
                    channels: s.channels,
                    declared_frames: s.declared_frames,
                };
                let stream =
                    ByteStream::new(Box::new(file), s.len, s.encoding, usize::from(s.channels));
                AudioReader::new(
                    facts,
                    opts,
                    Inner::Own {
                        stream,
                        missing: s.missing,
                    },
                )
            }
            Route::Media { hint } => {
                let opened = match MediaStream::open(Box::new(file), hint.as_deref()) {
                    // symphonia reads to the end of an Ogg or Matroska file
                    // when it opens one (the last page, the segment's size)
                    // and refuses it there when it is cut short or damaged:
                    // read such a file as a stream instead, as far as it
                    // goes, so that what is missing is reported as such.
                    Err(Error::Malformed(_)) if streamable(path) => {
                        let file = crate::files::open_regular(path)?;
                        MediaStream::open(Box::new(ReadOnlySource::new(file)), hint.as_deref())
                    }
                    other => other,
                };
                let (stream, facts) = opened.map_err(|e| e.with_path(path))?;
                AudioReader::new(facts, opts, Inner::Media(Box::new(stream)))
            }
            Route::AmrInMp4 { band, track_id } => {
                let (stream, facts) = MediaStream::open_amr(Box::new(file), band, track_id)
                    .map_err(|e| e.with_path(path))?;
                AudioReader::new(facts, opts, Inner::Media(Box::new(stream)))
            }
        };
        // AAC in MP4 carries its priming and padding in an edit list
        // that symphonia does not apply (see `edit_list`).
        if r.facts.container == "isomp4" && r.facts.codec == "aac" {
            let (rate, declared) = (r.facts.sample_rate, r.facts.declared_frames);
            r.edit = File::open(path)
                .ok()
                .and_then(|f| edit_list::sound_track_edit(&mut BufReader::new(f)))
                // An edit that skips the whole track is not believed.
                .filter(|e| declared.is_none_or(|n| e.skip_frames(rate) < n));
        }
        // symphonia skips an Ogg page whose checksum fails without a
        // word (see `ogg`).
        if r.facts.container == "ogg"
            && let Some(damage) = File::open(path)
                .ok()
                .and_then(|f| ogg::damage(BufReader::new(f)).ok().flatten())
        {
            r.stats.damaged_bytes = damage.bytes;
        }
        // Opus in Matroska/WebM ends where the last block's DiscardPadding
        // says, which symphonia does not apply (see `matroska`).
        if let Inner::Media(stream) = &mut r.inner
            && r.facts.container == "matroska"
            && r.facts.codec == "opus"
            && let Some(end) = File::open(path)
                .ok()
                .and_then(|f| matroska::opus_end(f, u64::from(stream.track())))
        {
            stream.set_opus_end(end);
        }
        Ok(r)
    }

    fn new(facts: SourceFacts, opts: &DecodeOptions, inner: Inner) -> AudioReader {
        AudioReader {
            facts,
            stats: DecodeStats::default(),
            max_seconds: opts.max_seconds,
            max_bad_share: opts.max_bad_packet_share,
            accept_truncated: opts.accept_truncated,
            buf: Vec::new(),
            ints: Vec::new(),
            inner,
            edit: None,
            trim: None,
            failed: false,
        }
    }

    /// What the input is. `sample_rate` and `channels` are those of the
    /// decoded audio once the first chunk has been read.
    pub fn facts(&self) -> &SourceFacts {
        &self.facts
    }

    /// What happened so far.
    pub fn stats(&self) -> &DecodeStats {
        &self.stats
    }

    /// Sentences for what went wrong but did not stop decoding.
    pub fn warnings(&self) -> Vec<String> {
        self.stats.warnings(&self.facts)
    }

    /// The next decoded packet, or `None` at the end.
    ///
    /// # Errors
    /// I/O errors, a sample rate that changes mid-stream, too many corrupt
    /// packets, an input longer than the limit, or one that ends before
    /// its container says (unless [`DecodeOptions::accept_truncated`]).
    pub fn next_chunk(&mut self) -> Result<Option<Chunk<'_>>> {
        if self.failed {
            return Err(Error::Malformed(
                "decode: decoding already failed on this file".into(),
            ));
        }
        let channels = loop {
            // Past the edit's end there is only the encoder's padding.
            let channels = match self.trim {
                Some(t) if t.finished() => 0,
                _ => self.decode_next().inspect_err(|_| self.failed = true)?,
            };
            if channels == 0 {
                self.finish_checks().inspect_err(|_| self.failed = true)?;
                return Ok(None);
            }
            if let Some(edit) = self.edit.take() {
                let rate = self.facts.sample_rate;
                let keep = edit.keep_frames(rate);
                self.facts.declared_frames = keep.or(self.facts.declared_frames);
                self.trim = Some(Trim {
                    skip: edit.skip_frames(rate),
                    keep,
                });
            }
            let Some(trim) = self.trim.as_mut() else {
                break channels;
            };
            let (lo, hi) = trim.window((self.buf.len() / channels) as u64);
            self.buf.truncate(hi as usize * channels);
            self.buf.drain(..lo as usize * channels);
            if !self.buf.is_empty() {
                break channels;
            }
        };
        self.count_frames((self.buf.len() / channels) as u64)?;
        Ok(Some(Chunk {
            samples: &self.buf,
            channels,
        }))
    }

    /// Decode the next packet into `buf`; its channel count, 0 at the end.
    fn decode_next(&mut self) -> Result<usize> {
        match &mut self.inner {
            Inner::Own { stream, .. } => {
                let n = stream.next(&mut self.buf)?;
                self.own_decoded(n)
            }
            Inner::Media(stream) => stream.next(
                &mut self.facts,
                &mut self.stats,
                self.max_bad_share,
                &mut self.buf,
            ),
        }
    }

    /// The bookkeeping after our own decoder gave `n` samples: the channel
    /// count, 0 at the end.
    fn own_decoded(&mut self, n: usize) -> Result<usize> {
        let Inner::Own { stream, missing } = &self.inner else {
            return Ok(0);
        };
        self.stats.packets = stream.good_units;
        if stream.bad_units > self.stats.bad_packets {
            self.stats.bad_packets = stream.bad_units;
            self.stats.check_bad_share(self.max_bad_share)?;
        }
        if n == 0 {
            if *missing > 0 || stream.ends_in_a_cut_unit() {
                self.stats.truncated = true;
            }
            return Ok(0);
        }
        Ok(usize::from(self.facts.channels))
    }

    /// Whether [`AudioReader::next_i16`] reads this input: 16-bit
    /// little-endian PCM (WAV, signed linear) or VOX, read by our own
    /// decoders, whose samples are whole 16-bit values.
    pub(crate) fn reads_i16(&self) -> bool {
        matches!(&self.inner, Inner::Own { stream, .. } if stream.has_i16())
    }

    /// [`AudioReader::next_chunk`] for an input that
    /// [`AudioReader::reads_i16`]: the next packet's interleaved samples as
    /// integers (what `next_chunk` gives, times 32768), `None` at the end,
    /// with the same checks and errors (truncation, the length limit,
    /// bytes that are not ADPCM).
    ///
    /// # Errors
    /// Those of `next_chunk`; [`Error::Unsupported`] for an input that
    /// does not [`AudioReader::reads_i16`].
    pub(crate) fn next_i16(&mut self) -> Result<Option<&[i16]>> {
        if self.failed {
            return Err(Error::Malformed(
                "decode: decoding already failed on this file".into(),
            ));
        }
        let decoded = match &mut self.inner {
            Inner::Own { stream, .. } => stream.next_i16(&mut self.ints),
            Inner::Media(_) => Err(Error::Unsupported(
                "decode: symphonia's samples are not read as integers".into(),
            )),
        };
        let channels = decoded
            .and_then(|n| self.own_decoded(n))
            .inspect_err(|_| self.failed = true)?;
        if channels == 0 {
            self.finish_checks().inspect_err(|_| self.failed = true)?;
            return Ok(None);
        }
        self.count_frames((self.ints.len() / channels) as u64)?;
        Ok(Some(&self.ints))
    }

    /// Add `frames` decoded; fails past the length limit.
    fn count_frames(&mut self, frames: u64) -> Result<()> {
        self.stats.frames += frames;
        if self.stats.frames
            > self
                .max_seconds
                .saturating_mul(u64::from(self.facts.sample_rate))
        {
            self.failed = true;
            return Err(Error::Limit(format!(
                "decode: input longer than the limit of {} s",
                self.max_seconds
            )));
        }
        Ok(())
    }

    fn finish_checks(&mut self) -> Result<()> {
        self.stats
            .finish(&self.facts, self.max_bad_share, self.accept_truncated)
    }
}

/// The file at `path` starts like an Ogg or Matroska/WebM file: containers
/// symphonia also reads as a stream, without seeking.
fn streamable(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && (magic == *b"OggS" || magic == [0x1A, 0x45, 0xDF, 0xA3])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(path: &Path) -> Result<(Vec<f32>, AudioReader)> {
        let mut r = AudioReader::open_path(path, &DecodeOptions::default())?;
        let mut got = Vec::new();
        while let Some(c) = r.next_chunk()? {
            got.extend_from_slice(c.samples);
        }
        Ok((got, r))
    }

    #[test]
    fn random_bytes_are_malformed_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("noise.bin");
        let bytes: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        std::fs::write(&path, bytes).unwrap();
        let err = AudioReader::open_path(&path, &DecodeOptions::default()).unwrap_err();
        assert!(matches!(err.kind(), Error::Malformed(_)), "{err}");
    }

    #[test]
    fn decodes_a_wav_hound_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.wav");
        crate::test_fixtures::write_wav(&path, 8000, (0..100i16).map(|i| i * 300 - 15000));
        let (got, r) = read_all(&path).unwrap();
        assert_eq!(got.len(), 100);
        assert_eq!(got[0], -15000.0 / 32768.0);
        assert_eq!(
            (r.facts().container.as_str(), r.facts().sample_rate),
            ("wav", 8000)
        );
        assert!(r.warnings().is_empty());
    }

    #[test]
    fn a_truncated_wav_fails_unless_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.wav");
        let mut bytes = b"RIFF\x24\x10\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x80\x3e\0\0\x02\0\x10\0data\0\x10\0\0".to_vec();
        bytes.extend_from_slice(&[0u8; 1000]); // 500 of the 2048 samples declared
        std::fs::write(&path, &bytes).unwrap();
        let err = read_all(&path).unwrap_err();
        assert!(matches!(err.kind(), Error::Truncated { .. }), "{err}");
        let mut r = AudioReader::open_path(
            &path,
            &DecodeOptions {
                accept_truncated: true,
                ..DecodeOptions::default()
            },
        )
        .unwrap();
        let mut n = 0;
        while let Some(c) = r.next_chunk().unwrap() {
            n += c.samples.len();
        }
        assert_eq!(n, 500);
        assert!(
            r.warnings()[0].contains("audio missing"),
            "{:?}",
            r.warnings()
        );
    }
}
