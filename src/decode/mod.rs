//! Decoding arbitrary input to PCM: symphonia 0.6 for every container and
//! codec it knows, our own Dialogic decoder for headerless `.vox`.
//!
//! [`AudioReader`] yields the audio packet by packet (interleaved `f32` in
//! -1.0..1.0), so memory does not grow with the length of the input. It keeps
//! count of what went wrong on the way ([`DecodeStats`]): corrupt packets are
//! skipped and counted, a file that ends early is converted as far as it goes
//! and marked truncated; [`AudioReader::warnings`] turns that into sentences.
//! Too many bad packets, an unknown codec or a container we cannot read are
//! [`Error`]s that name the codec or container.

mod edit_list;

use edit_list::Edit;

use crate::error::{Error, Result};
use crate::vox::{self, DecoderFlavor};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use symphonia::core::codecs::audio::well_known as ids;
use symphonia::core::codecs::audio::{AudioCodecId, AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymErr;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

/// The sample rate assumed for headerless VOX input.
pub const VOX_INPUT_RATE: u32 = crate::billing::VOX_RATE;

/// Limits and choices for decoding.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeOptions {
    /// Refuse inputs longer than this many seconds (a safety limit against
    /// runaway files; 4 hours by default).
    pub max_seconds: u64,
    /// Fail when more than this share of the packets (0.0..1.0) were corrupt
    /// and skipped. Default 0.05.
    pub max_bad_packet_share: f64,
    /// Which Dialogic decoder reads `.vox` input.
    pub vox_decoder: DecoderFlavor,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            max_seconds: 4 * 3600,
            max_bad_packet_share: 0.05,
            vox_decoder: DecoderFlavor::default(),
        }
    }
}

/// What the input is, as far as the container and the first packets tell.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceFacts {
    /// Container (`wav`, `mp3`, `ogg`, `vox`...).
    pub container: String,
    /// Codec name (`pcm_s16le`, `mp3`, `vorbis`, `dialogic-adpcm`...).
    pub codec: String,
    /// Sample rate of the decoded audio, Hz.
    pub sample_rate: u32,
    /// Channels of the decoded audio.
    pub channels: u16,
    /// Frames the container announces, when it does.
    pub declared_frames: Option<u64>,
}

/// What happened while decoding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodeStats {
    /// Frames delivered so far (per channel).
    pub frames: u64,
    /// Packets decoded successfully.
    pub packets: u64,
    /// Corrupt packets skipped.
    pub bad_packets: u64,
    /// Frames missing inside the stream (gaps in the packet timestamps where
    /// the demuxer skipped corrupt data).
    pub lost_frames: u64,
    /// The file ended before its container said it would.
    pub truncated: bool,
}

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
    /// Open a file: `.vox` (any case) through our Dialogic decoder at 8000 Hz,
    /// everything else through symphonia with the extension as a hint.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened; [`Error::Malformed`] for an
    /// empty or unrecognisable file; [`Error::Unsupported`] naming the codec or
    /// container voxprep cannot decode. Errors carry the path.
    pub fn open_path(path: &Path, opts: &DecodeOptions) -> Result<AudioReader> {
        // Look before opening: opening a FIFO would block.
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if !meta.is_file() {
            let what = if meta.is_dir() {
                "a folder"
            } else {
                "not a regular file"
            };
            return Err(Error::io(path, io::Error::other(what)));
        }
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        if len == 0 {
            return Err(Error::Malformed("decode: empty file (0 bytes)".into()).with_path(path));
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        // A `.vox` that starts like a container is that container, not ADPCM.
        let vox_named = ext.as_deref() == Some("vox");
        if vox_named && !looks_like_container(&mut file).map_err(|e| Error::io(path, e))? {
            return Ok(AudioReader::open_vox(Box::new(BufReader::new(file)), opts));
        }
        let ext = if vox_named { None } else { ext };
        match AudioReader::open_media(Box::new(file), ext.as_deref(), opts) {
            Ok(mut r) => {
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
            Err(e) => {
                // symphonia's probe says only "unsupported"; look at the bytes to name it.
                let named = File::open(path)
                    .ok()
                    .and_then(|mut f| sniff_unsupported(&mut f));
                Err(named.map(Error::Unsupported).unwrap_or(e).with_path(path))
            }
        }
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
        }
    }

    /// Open a headerless VOX stream (8000 Hz, mono) with the decoder chosen in `opts`.
    pub fn open_vox(reader: Box<dyn Read + Send>, opts: &DecodeOptions) -> AudioReader {
        AudioReader::new(
            SourceFacts {
                container: "vox".into(),
                codec: "dialogic-adpcm".into(),
                sample_rate: VOX_INPUT_RATE,
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
    pub fn open_media(
        source: Box<dyn MediaSource>,
        ext: Option<&str>,
        opts: &DecodeOptions,
    ) -> Result<AudioReader> {
        let mss = MediaSourceStream::new(source, Default::default());
        let mut hint = Hint::new();
        if let Some(ext) = ext {
            hint.with_extension(ext);
        }
        let format = symphonia::default::get_probe()
            .probe(
                &hint,
                mss,
                FormatOptions::default(),
                MetadataOptions::default(),
            )
            .map_err(|e| match e {
                SymErr::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    Error::Malformed("decode: file too short to hold audio".into())
                }
                SymErr::Unsupported(_) => Error::Malformed(
                    "decode: not an audio file voxprep recognises (no container format matched)"
                        .into(),
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
        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(&params, &AudioDecoderOptions::default())
            .map_err(|e| match e {
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
        let mut w = Vec::new();
        if self.stats.bad_packets > 0 {
            w.push(format!(
                "{} of {} packets were corrupt and skipped",
                self.stats.bad_packets,
                self.stats.bad_packets + self.stats.packets
            ));
        }
        if self.stats.lost_frames > 0 {
            let rate = self.facts.sample_rate.max(1);
            w.push(format!(
                "{} of audio lost to corrupt data and skipped",
                crate::billing::duration_ms(crate::billing::Frames(self.stats.lost_frames), rate)
            ));
        }
        if self.stats.truncated {
            let rate = self.facts.sample_rate.max(1);
            let got = crate::billing::duration_ms(crate::billing::Frames(self.stats.frames), rate);
            match self.facts.declared_frames {
                Some(d) if d > self.stats.frames => w.push(format!(
                    "audio missing: {got} decoded of {} the container declares (truncated or corrupt file)",
                    crate::billing::duration_ms(crate::billing::Frames(d), rate)
                )),
                _ => w.push(format!("file ends early (truncated?): {got} decoded")),
            }
        }
        w
    }

    /// The next decoded packet, or `None` at the end.
    ///
    /// # Errors
    /// I/O errors, a sample rate that changes mid-stream, too many corrupt
    /// packets, or an input longer than the limit.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk<'_>>> {
        let channels = loop {
            // Past the edit's end there is only the encoder's padding.
            let channels = match self.trim {
                Some(t) if t.finished() => 0,
                _ => self.decode_next()?,
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
                let packet = match format.next_packet() {
                    Ok(Some(p)) => p,
                    Ok(None) => break 0,
                    Err(SymErr::ResetRequired) => break 0,
                    Err(SymErr::IoError(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                        self.stats.truncated = true;
                        break 0;
                    }
                    Err(SymErr::DecodeError(_)) => {
                        self.stats.bad_packets += 1;
                        check_bad_share(&self.stats, self.max_bad_share)?;
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
                match decoder.decode(&packet) {
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
                        check_bad_share(&self.stats, self.max_bad_share)?;
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
        let total = self.stats.packets + self.stats.bad_packets;
        if total > 0 && self.stats.packets == 0 {
            return Err(Error::Malformed(format!(
                "decode: {}: all {total} packets were corrupt",
                self.facts.codec
            )));
        }
        if self.stats.bad_packets > 0 {
            check_bad_share_final(&self.stats, self.max_bad_share)?;
        }
        let seen = self.stats.frames.saturating_add(self.stats.lost_frames);
        if self.stats.lost_frames as f64 > self.max_bad_share * seen as f64 {
            return Err(Error::Malformed(format!(
                "decode: {}: {:.0}% of the audio is corrupt (more than {:.0}% lost)",
                self.facts.codec,
                100.0 * self.stats.lost_frames as f64 / seen.max(1) as f64,
                self.max_bad_share * 100.0
            )));
        }
        if let Some(d) = self.facts.declared_frames
            && seen < d
        {
            self.stats.truncated = true;
        }
        if self.stats.frames == 0 {
            return Err(Error::Malformed(format!(
                "decode: {} in {}: no audio in the file",
                self.facts.codec, self.facts.container
            )));
        }
        Ok(())
    }
}

/// While decoding, fail early only once enough packets were seen to judge.
fn check_bad_share(stats: &DecodeStats, max: f64) -> Result<()> {
    let total = stats.packets + stats.bad_packets;
    if total >= 100 {
        check_bad_share_final(stats, max)
    } else {
        Ok(())
    }
}

fn check_bad_share_final(stats: &DecodeStats, max: f64) -> Result<()> {
    let total = stats.packets + stats.bad_packets;
    if total > 0 && stats.bad_packets as f64 / total as f64 > max {
        return Err(Error::Malformed(format!(
            "decode: {} of {total} packets are corrupt (more than {:.0}% of the file lost)",
            stats.bad_packets,
            max * 100.0
        )));
    }
    Ok(())
}

/// Whether a file starts with the magic of a container symphonia reads
/// (RIFF, RF64, ID3, Ogg, FLAC, AIFF, CAF, MP4, Matroska). Rewinds.
fn looks_like_container<R: Read + Seek>(r: &mut R) -> io::Result<bool> {
    let mut head = [0u8; 12];
    let mut n = 0;
    while n < head.len() {
        match r.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    r.seek(SeekFrom::Start(0))?;
    let h = &head[..n];
    Ok(h.len() >= 4
        && (matches!(
            &h[..4],
            b"RIFF" | b"RF64" | b"BW64" | b"OggS" | b"fLaC" | b"FORM" | b"caff"
        ) || h.starts_with(b"ID3")
            || h.starts_with(&[0x1A, 0x45, 0xDF, 0xA3])
            || (h.len() >= 8 && &h[4..8] == b"ftyp")))
}

/// A readable name for a symphonia codec id.
pub fn codec_name(id: AudioCodecId) -> String {
    let name = match id {
        ids::CODEC_ID_PCM_S16LE => "pcm_s16le",
        ids::CODEC_ID_PCM_S16BE => "pcm_s16be",
        ids::CODEC_ID_PCM_S24LE => "pcm_s24le",
        ids::CODEC_ID_PCM_S24BE => "pcm_s24be",
        ids::CODEC_ID_PCM_S32LE => "pcm_s32le",
        ids::CODEC_ID_PCM_S32BE => "pcm_s32be",
        ids::CODEC_ID_PCM_S8 => "pcm_s8",
        ids::CODEC_ID_PCM_U8 => "pcm_u8",
        ids::CODEC_ID_PCM_F32LE => "pcm_f32le",
        ids::CODEC_ID_PCM_F32BE => "pcm_f32be",
        ids::CODEC_ID_PCM_F64LE => "pcm_f64le",
        ids::CODEC_ID_PCM_F64BE => "pcm_f64be",
        ids::CODEC_ID_PCM_ALAW => "a-law",
        ids::CODEC_ID_PCM_MULAW => "mu-law",
        ids::CODEC_ID_ADPCM_MS => "ms-adpcm",
        ids::CODEC_ID_ADPCM_IMA_WAV => "ima-adpcm",
        ids::CODEC_ID_ADPCM_IMA_QT => "ima-adpcm-qt",
        ids::CODEC_ID_ADPCM_G722 => "g722",
        ids::CODEC_ID_ADPCM_G726 | ids::CODEC_ID_ADPCM_G726LE => "g726",
        ids::CODEC_ID_VORBIS => "vorbis",
        ids::CODEC_ID_OPUS => "opus",
        ids::CODEC_ID_SPEEX => "speex",
        ids::CODEC_ID_MP1 => "mp1",
        ids::CODEC_ID_MP2 => "mp2",
        ids::CODEC_ID_MP3 => "mp3",
        ids::CODEC_ID_AAC => "aac",
        ids::CODEC_ID_AC3 => "ac3",
        ids::CODEC_ID_EAC3 => "eac3",
        ids::CODEC_ID_WMA => "wma",
        ids::CODEC_ID_FLAC => "flac",
        ids::CODEC_ID_WAVPACK => "wavpack",
        ids::CODEC_ID_ALAC => "alac",
        _ => return format!("codec {id}"),
    };
    name.to_string()
}

/// Name what a file is when symphonia's probe gave up: RF64/BW64, or a WAV
/// whose format tag symphonia has no decoder for.
fn sniff_unsupported<R: Read + Seek>(r: &mut R) -> Option<String> {
    let mut head = [0u8; 12];
    r.read_exact(&mut head).ok()?;
    match &head[..4] {
        b"RF64" | b"BW64" => {
            return Some(format!(
                "decode: {} (64-bit WAV) is not supported; re-save it as plain WAV",
                String::from_utf8_lossy(&head[..4])
            ));
        }
        b"RIFF" if &head[8..12] == b"WAVE" => {}
        _ => return None,
    }
    // Walk at most 64 chunks looking for `fmt `.
    let mut pos = 12u64;
    for _ in 0..64 {
        r.seek(SeekFrom::Start(pos)).ok()?;
        let mut hdr = [0u8; 10];
        r.read_exact(&mut hdr).ok()?;
        let size = u64::from(u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]));
        if &hdr[..4] == b"fmt " {
            let tag = u16::from_le_bytes([hdr[8], hdr[9]]);
            let name = match tag {
                0x0010 => "OKI ADPCM",
                0x0017 => "Dialogic OKI ADPCM",
                0x0022 => "TrueSpeech",
                0x0031 | 0x0032 => "GSM 6.10",
                0x0040 => "G.721 ADPCM",
                0x0050 => "MPEG Layer I/II",
                0x0055 => "MP3",
                0x0064 | 0x0045 => "G.726 ADPCM",
                0x0161..=0x0163 => "WMA",
                0x2000 => "AC-3",
                0x0001 | 0x0002 | 0x0003 | 0x0006 | 0x0007 | 0x0011 | 0xFFFE => return None,
                _ => {
                    return Some(format!(
                        "decode: WAV with format tag {tag:#06x} is not supported"
                    ));
                }
            };
            return Some(format!(
                "decode: {name} audio in WAV (format tag {tag:#06x}) is not supported; \
                 convert it with ffmpeg or sox first"
            ));
        }
        pos = pos.checked_add(8)?.checked_add(size + (size & 1))?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn wav_with_tag(tag: u16) -> Vec<u8> {
        let mut v = b"RIFF\0\0\0\0WAVE".to_vec();
        v.extend_from_slice(b"LIST\x03\0\0\0abc\0"); // odd chunk, padded
        v.extend_from_slice(b"fmt \x10\0\0\0");
        v.extend_from_slice(&tag.to_le_bytes());
        v.extend_from_slice(&[1, 0, 0x40, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0]);
        v
    }

    #[test]
    fn names_unsupported_wav_codecs() {
        let gsm = sniff_unsupported(&mut Cursor::new(wav_with_tag(0x31))).unwrap();
        assert!(gsm.contains("GSM 6.10"), "{gsm}");
        let mp3 = sniff_unsupported(&mut Cursor::new(wav_with_tag(0x55))).unwrap();
        assert!(mp3.contains("MP3"), "{mp3}");
        assert_eq!(sniff_unsupported(&mut Cursor::new(wav_with_tag(1))), None);
        let rf64 =
            sniff_unsupported(&mut Cursor::new(b"RF64\xff\xff\xff\xffWAVE".to_vec())).unwrap();
        assert!(rf64.contains("RF64"));
        assert_eq!(
            sniff_unsupported(&mut Cursor::new(b"garbage".to_vec())),
            None
        );
    }

    #[test]
    fn container_magic_is_recognised() {
        assert!(looks_like_container(&mut Cursor::new(b"RIFF\0\0\0\0WAVE".to_vec())).unwrap());
        assert!(looks_like_container(&mut Cursor::new(b"\0\0\0\x20ftypM4A ".to_vec())).unwrap());
        assert!(looks_like_container(&mut Cursor::new(b"ID3\x04".to_vec())).unwrap());
        assert!(
            !looks_like_container(&mut Cursor::new(vec![0x77, 0x88, 0x12, 0x34, 0x56])).unwrap()
        );
        assert!(!looks_like_container(&mut Cursor::new(vec![0x01])).unwrap());
    }

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
