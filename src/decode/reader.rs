//! [`AudioReader`]: any supported input, packet by packet.

use super::edit_list::{self, Edit};
use super::route::{self, Route};
use super::{DecodeOptions, DecodeStats, SourceFacts, codec_name};
use crate::error::{Error, Result};
use crate::spec::VOX_RATE;
use crate::vox;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymErr;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

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
    buf: Vec<f32>,
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
    Media {
        format: Box<dyn FormatReader>,
        decoder: Box<dyn AudioDecoder>,
        track: u32,
        first: bool,
        /// Track time base (numerator, denominator).
        time_base: Option<(u32, u32)>,
        /// The timestamp the next packet should have.
        next_pts: Option<i64>,
    },
    Vox {
        reader: Box<dyn Read + Send>,
        decoder: vox::Decoder,
        bytes: Vec<u8>,
        pcm: Vec<i16>,
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
    /// Open a file the way every conversion opens its inputs: headerless
    /// `.vox` through our Dialogic decoder at 8000 Hz, everything else that
    /// the first bytes (and, for WAV, the format tag) say symphonia reads,
    /// through symphonia. This is the one function that says whether
    /// voxprep can read a file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened; [`Error::Malformed`] for an
    /// empty or unrecognisable file; [`Error::Unsupported`] naming the codec or
    /// container voxprep cannot decode. Errors carry the path.
    pub fn open_path(path: &Path, opts: &DecodeOptions) -> Result<AudioReader> {
        let mut file = crate::files::open_regular(path)?;
        let opened = match route::route(path, &mut file).map_err(|e| e.with_path(path))? {
            Route::Vox => Ok(AudioReader::open_vox(Box::new(BufReader::new(file)), opts)),
            Route::Media { hint } => AudioReader::open_media(Box::new(file), hint.as_deref(), opts),
        };
        let mut r = opened.map_err(|e| e.with_path(path))?;
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
        Ok(r)
    }

    fn new(facts: SourceFacts, opts: &DecodeOptions, inner: Inner) -> AudioReader {
        AudioReader {
            facts,
            stats: DecodeStats::default(),
            max_seconds: opts.max_seconds,
            max_bad_share: opts.max_bad_packet_share,
            buf: Vec::new(),
            inner,
            edit: None,
            trim: None,
            failed: false,
        }
    }

    /// Open a headerless VOX stream (8000 Hz, mono) with the decoder chosen in `opts`.
    fn open_vox(reader: Box<dyn Read + Send>, opts: &DecodeOptions) -> AudioReader {
        AudioReader::new(
            SourceFacts {
                container: "vox".into(),
                codec: "dialogic-adpcm".into(),
                sample_rate: VOX_RATE,
                channels: 1,
                declared_frames: None,
            },
            opts,
            Inner::Vox {
                reader,
                decoder: vox::Decoder::new(opts.vox_decoder),
                bytes: vec![0; 16 * 1024],
                pcm: Vec::new(),
            },
        )
    }

    /// Open any container symphonia reads. `ext` is a lower-case extension hint.
    ///
    /// # Errors
    /// As [`AudioReader::open_path`], without the path.
    fn open_media(
        source: Box<dyn MediaSource>,
        ext: Option<&str>,
        opts: &DecodeOptions,
    ) -> Result<AudioReader> {
        let mss = MediaSourceStream::new(source, Default::default());
        let mut hint = Hint::new();
        if let Some(ext) = ext {
            hint.with_extension(ext);
        }
        let probed = guarded(|| {
            symphonia::default::get_probe().probe(
                &hint,
                mss,
                FormatOptions::default(),
                MetadataOptions::default(),
            )
        })?;
        let format = probed.map_err(|e| match e {
            SymErr::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                Error::Malformed("decode: file too short to hold audio".into())
            }
            SymErr::Unsupported(_) => Error::Malformed(
                "decode: not an audio file voxprep recognises (no container format matched)".into(),
            ),
            e => Error::Malformed(format!("decode: cannot read the container: {e}")),
        })?;
        let container = format.format_info().short_name.to_string();
        let track = format
            .default_track(TrackType::Audio)
            .or_else(|| {
                format
                    .tracks()
                    .iter()
                    .find(|t| t.codec_params.as_ref().is_some_and(|p| p.is_audio()))
            })
            .ok_or_else(|| Error::Malformed(format!("decode: {container}: no audio track")))?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| Error::Malformed(format!("decode: {container}: no audio track")))?
            .clone();
        let codec = codec_name(params.codec);
        let track_id = track.id;
        let time_base = track.time_base.map(|tb| (tb.numer.get(), tb.denom.get()));
        let declared_frames = track.num_frames;
        let made = guarded(|| {
            symphonia::default::get_codecs()
                .make_audio_decoder(&params, &AudioDecoderOptions::default())
        })?;
        let decoder = made.map_err(|e| match e {
            SymErr::Unsupported(_) => Error::Unsupported(format!(
                "decode: {codec} audio (in {container}) is not supported: \
                     voxprep has no {codec} decoder; convert it to WAV or FLAC with ffmpeg first"
            )),
            e => Error::Malformed(format!("decode: {codec} in {container}: {e}")),
        })?;
        let sample_rate = params.sample_rate.unwrap_or(0);
        let channels = params.channels.as_ref().map_or(0, |c| c.count());
        Ok(AudioReader::new(
            SourceFacts {
                container,
                codec,
                sample_rate,
                channels: u16::try_from(channels).unwrap_or(u16::MAX),
                declared_frames,
            },
            opts,
            Inner::Media {
                format,
                decoder,
                track: track_id,
                first: true,
                time_base,
                next_pts: None,
            },
        ))
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
    /// packets, or an input longer than the limit.
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
                self.finish_checks()?;
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
        let frames = (self.buf.len() / channels) as u64;
        self.stats.frames += frames;
        if self.stats.frames
            > self
                .max_seconds
                .saturating_mul(u64::from(self.facts.sample_rate))
        {
            return Err(Error::Limit(format!(
                "decode: input longer than the limit of {} s",
                self.max_seconds
            )));
        }
        Ok(Some(Chunk {
            samples: &self.buf,
            channels,
        }))
    }

    /// Decode the next packet into `buf`; its channel count, 0 at the end.
    fn decode_next(&mut self) -> Result<usize> {
        let channels = match &mut self.inner {
            Inner::Vox {
                reader,
                decoder,
                bytes,
                pcm,
            } => {
                let n = loop {
                    match reader.read(bytes) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            return Err(Error::Malformed(format!("decode: vox: read failed: {e}")));
                        }
                    }
                };
                if n == 0 {
                    return Ok(0);
                }
                pcm.clear();
                decoder.decode(&bytes[..n], pcm);
                self.buf.clear();
                self.buf.extend(pcm.iter().map(|&s| f32::from(s) / 32768.0));
                self.stats.packets += 1;
                1
            }
            Inner::Media {
                format,
                decoder,
                track,
                first,
                time_base,
                next_pts,
            } => loop {
                let packet = match guarded(|| format.next_packet())? {
                    Ok(Some(p)) => p,
                    Ok(None) => break 0,
                    Err(SymErr::ResetRequired) => break 0,
                    Err(SymErr::IoError(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                        self.stats.truncated = true;
                        break 0;
                    }
                    Err(SymErr::DecodeError(_)) => {
                        self.stats.bad_packets += 1;
                        self.stats.check_bad_share(self.max_bad_share)?;
                        continue;
                    }
                    Err(e) => {
                        return Err(Error::Malformed(format!(
                            "decode: {}: {e}",
                            self.facts.container
                        )));
                    }
                };
                if packet.track_id != *track {
                    continue;
                }
                let pts = packet.pts.get();
                if let (Some(next), Some((num, den))) = (*next_pts, *time_base)
                    && pts > next
                    && self.facts.sample_rate > 0
                {
                    // The demuxer skipped corrupt data: count what is missing.
                    let units = (pts - next) as u128;
                    let frames = units * u128::from(num) * u128::from(self.facts.sample_rate)
                        / u128::from(den);
                    self.stats.lost_frames += u64::try_from(frames).unwrap_or(u64::MAX);
                }
                *next_pts = pts.checked_add_unsigned(packet.dur.get());
                match guarded(|| decoder.decode(&packet))? {
                    Ok(buf) => {
                        let spec = buf.spec();
                        let rate = spec.rate();
                        let ch = spec.channels().count();
                        if ch == 0 || rate == 0 {
                            return Err(Error::Malformed(format!(
                                "decode: {}: packet with {ch} channels at {rate} Hz",
                                self.facts.codec
                            )));
                        }
                        if *first {
                            *first = false;
                            self.facts.sample_rate = rate;
                            self.facts.channels = u16::try_from(ch).unwrap_or(u16::MAX);
                        } else if rate != self.facts.sample_rate {
                            return Err(Error::Unsupported(format!(
                                "decode: sample rate changes mid-stream ({} Hz to {rate} Hz)",
                                self.facts.sample_rate
                            )));
                        }
                        if buf.frames() == 0 {
                            self.stats.packets += 1;
                            continue;
                        }
                        buf.copy_to_vec_interleaved(&mut self.buf);
                        self.stats.packets += 1;
                        break ch;
                    }
                    Err(SymErr::DecodeError(_)) => {
                        self.stats.bad_packets += 1;
                        self.stats.check_bad_share(self.max_bad_share)?;
                    }
                    Err(SymErr::IoError(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                        self.stats.truncated = true;
                        break 0;
                    }
                    Err(e) => {
                        return Err(Error::Malformed(format!(
                            "decode: {}: {e}",
                            self.facts.codec
                        )));
                    }
                }
            },
        };
        Ok(channels)
    }

    fn finish_checks(&mut self) -> Result<()> {
        self.stats.finish(&self.facts, self.max_bad_share)
    }
}

/// Run a call into symphonia, turning a panic on hostile input into an
/// error: one bad file must not take a batch down with it. (The panic hook
/// has already printed its message by then.)
fn guarded<T>(call: impl FnOnce() -> T) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).map_err(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        Error::Malformed(format!("decode: the decoder failed on this file ({why})"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn random_bytes_are_malformed_not_a_panic() {
        let bytes: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let err = AudioReader::open_media(
            Box::new(Cursor::new(bytes)),
            Some("wav"),
            &DecodeOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::Malformed(_)), "{err}");
    }

    #[test]
    fn decodes_an_in_memory_wav() {
        // 8000 Hz mono 16-bit, 100 samples, written by hound.
        let mut cur = Cursor::new(Vec::new());
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::new(&mut cur, spec).unwrap();
        for i in 0..100i16 {
            w.write_sample(i * 300 - 15000).unwrap();
        }
        w.finalize().unwrap();
        let mut r = AudioReader::open_media(
            Box::new(Cursor::new(cur.into_inner())),
            Some("wav"),
            &DecodeOptions::default(),
        )
        .unwrap();
        let mut got = Vec::new();
        while let Some(c) = r.next_chunk().unwrap() {
            assert_eq!(c.channels, 1);
            got.extend_from_slice(c.samples);
        }
        assert_eq!(got.len(), 100);
        assert_eq!(got[0], -15000.0 / 32768.0);
        assert_eq!(r.facts().sample_rate, 8000);
        assert!(r.warnings().is_empty());
    }
}
