//! symphonia behind [`super::AudioReader`]: every container and codec it
//! knows that no decoder of ours reads, with each call guarded so that a
//! panic on hostile input is an error on that file. Its demuxers also carry
//! Opus, which our [`super::opus`] decodes, and AMR in MP4/3GPP, which our
//! [`super::amr`] decodes.

#[cfg(feature = "amr")]
use super::amr::AmrDecoder;
use super::matroska::End;
use super::opus::{self, BadPacket, OpusStream};
use super::own::{AmrBand, Encoding};
use super::{DecodeStats, SourceFacts, codec_name};
use crate::error::{Error, Result};
use std::io;
use symphonia::core::codecs::audio::well_known::CODEC_ID_OPUS;
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymErr;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::packet::Packet;

/// A demuxer and the decoder of its audio track.
pub(super) struct MediaStream {
    format: Box<dyn FormatReader>,
    decoder: Decoder,
    track: u32,
    first: bool,
    /// Track time base (numerator, denominator).
    time_base: Option<(u32, u32)>,
    /// The timestamp the next packet should have.
    next_pts: Option<i64>,
}

/// What decodes the track's packets.
enum Decoder {
    /// symphonia's decoder for the codec.
    Symphonia(Box<dyn AudioDecoder>),
    /// Ours, for Opus.
    Opus(Box<OpusStream>),
    /// Ours, for AMR records (symphonia demuxes AMR in MP4 but gives its
    /// track no codec parameters).
    #[cfg(feature = "amr")]
    Amr {
        decoder: Box<AmrDecoder>,
        pcm: Vec<i16>,
    },
}

/// The most frames one packet may declare: a decoder makes room for a
/// whole packet before it reads a byte, so a header's figure is an
/// allocation. 2^20 frames is 22 s at 48 kHz; real packets are at most
/// 65535 frames (FLAC), 4096 (ALAC), 1152 (MP3).
pub(crate) const MAX_FRAMES_PER_PACKET: u64 = 1 << 20;

/// The most samples (frames times channels) one packet may declare: 2^22,
/// 32 MiB as f64.
pub(crate) const MAX_SAMPLES_PER_PACKET: u64 = 1 << 22;

/// Refuse a track whose header declares packets so long that the decoder
/// would reserve hundreds of megabytes before reading a byte (a CAF `desc`
/// with 2^28 frames per packet asked symphonia's PCM decoder for 512 MiB
/// and aborted the process under a 512 MiB limit).
///
/// # Errors
/// [`Error::Limit`] naming the figure.
fn bound_packets(
    params: &symphonia::core::codecs::audio::AudioCodecParameters,
    container: &str,
    codec: &str,
) -> Result<()> {
    let frames = params
        .max_frames_per_packet
        .unwrap_or(0)
        .max(params.frames_per_block.unwrap_or(0));
    let channels = params.channels.as_ref().map_or(1, |c| c.count().max(1)) as u64;
    let samples = frames.saturating_mul(channels);
    if frames > MAX_FRAMES_PER_PACKET || samples > MAX_SAMPLES_PER_PACKET {
        return Err(Error::Limit(format!(
            "decode: {codec} in {container}: the header declares packets of {frames} frames \
             ({channels} channel(s)), more than the {MAX_FRAMES_PER_PACKET} voxprep reads: \
             the header is damaged"
        )));
    }
    Ok(())
}

impl MediaStream {
    /// Open any container symphonia reads. `ext` is a lower-case extension hint.
    ///
    /// # Errors
    /// [`Error::Malformed`] for an unrecognisable file or one without audio;
    /// [`Error::Unsupported`] naming a codec symphonia lacks.
    pub(super) fn open(
        source: Box<dyn MediaSource>,
        ext: Option<&str>,
    ) -> Result<(MediaStream, SourceFacts)> {
        let format = probe(source, ext)?;
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
        let mut declared_frames = track.num_frames;
        let mut sample_rate = params.sample_rate.unwrap_or(0);
        let mut channels = params.channels.as_ref().map_or(0, |c| c.count());
        let decoder = if params.codec == CODEC_ID_OPUS {
            let head = opus::Head::parse(params.extra_data.as_deref())?;
            // Ogg's length counts the pre-skip (its granule positions do).
            let delay = u64::from(track.delay.unwrap_or(0));
            declared_frames = declared_frames.map(|n| n.saturating_sub(delay));
            (sample_rate, channels) = (opus::RATE, usize::from(head.channels));
            Decoder::Opus(Box::new(OpusStream::new(head)?))
        } else {
            bound_packets(&params, &container, &codec)?;
            let made = guarded(|| {
                symphonia::default::get_codecs()
                    .make_audio_decoder(&params, &AudioDecoderOptions::default())
            })?;
            Decoder::Symphonia(made.map_err(|e| match e {
                SymErr::Unsupported(_) => Error::Unsupported(format!(
                    "decode: {codec} audio (in {container}) is not supported: \
                     voxprep has no {codec} decoder; convert it to WAV or FLAC with ffmpeg first"
                )),
                e => Error::Malformed(format!("decode: {codec} in {container}: {e}")),
            })?)
        };
        let facts = SourceFacts {
            container,
            codec,
            sample_rate,
            channels: u16::try_from(channels).unwrap_or(u16::MAX),
            declared_frames,
        };
        let stream = MediaStream {
            format,
            // Opus's rate and channels are known from its header.
            first: matches!(decoder, Decoder::Symphonia(_)),
            decoder,
            track: track_id,
            time_base,
            next_pts: None,
        };
        Ok((stream, facts))
    }

    /// Open the AMR track `track_id` of an MP4/3GPP file (the router found
    /// its `samr` or `sawb` sample entry): symphonia demuxes it, our AMR
    /// decoder reads the records in its samples (3GPP TS 26.244: the
    /// storage format's records without the magic line, one or more a
    /// sample).
    ///
    /// # Errors
    /// As [`MediaStream::open`]; [`Error::Unsupported`] in a build without
    /// the `amr` feature.
    pub(super) fn open_amr(
        source: Box<dyn MediaSource>,
        band: AmrBand,
        track_id: u32,
    ) -> Result<(MediaStream, SourceFacts)> {
        #[cfg(not(feature = "amr"))]
        {
            let _ = (source, track_id);
            Err(Error::Unsupported(format!(
                "decode: {} audio is not supported by this build of voxprep \
                 (built without the `amr` feature)",
                Encoding::Amr(band).name().to_ascii_uppercase()
            )))
        }
        #[cfg(feature = "amr")]
        {
            let format = probe(source, Some("3gp"))?;
            let container = format.format_info().short_name.to_string();
            let track = format
                .tracks()
                .iter()
                .find(|t| t.id == track_id)
                .ok_or_else(|| Error::Malformed(format!("decode: {container}: no AMR track")))?;
            let rate = band.rate();
            let time_base = track.time_base.map(|tb| (tb.numer.get(), tb.denom.get()));
            // The track's length in its time base, at the AMR rate.
            let declared_frames = match (track.duration, time_base) {
                (Some(d), Some((num, den))) => {
                    let f = u128::from(d.get()) * u128::from(num) * u128::from(rate)
                        / u128::from(den.max(1));
                    u64::try_from(f).ok()
                }
                _ => None,
            };
            let facts = SourceFacts {
                container,
                codec: Encoding::Amr(band).name(),
                sample_rate: rate,
                channels: 1,
                declared_frames,
            };
            let stream = MediaStream {
                format,
                decoder: Decoder::Amr {
                    decoder: Box::new(AmrDecoder::new(band)),
                    pcm: Vec::new(),
                },
                track: track_id,
                first: false,
                time_base,
                next_pts: None,
            };
            Ok((stream, facts))
        }
    }

    /// The track's number in its container.
    pub(super) fn track(&self) -> u32 {
        self.track
    }

    /// For Opus, trim the end as `end` says (what Matroska's
    /// `DiscardPadding` says, which symphonia does not apply).
    pub(super) fn set_opus_end(&mut self, end: End) {
        if let Decoder::Opus(opus) = &mut self.decoder {
            opus.set_end(end);
        }
    }

    /// Decode the next packet into `buf`; its channel count, 0 at the end.
    /// The first decoded packet settles `facts`' rate and channels.
    pub(super) fn next(
        &mut self,
        facts: &mut SourceFacts,
        stats: &mut DecodeStats,
        max_bad_share: f64,
        buf: &mut Vec<f32>,
    ) -> Result<usize> {
        let channels = loop {
            let packet = match guarded(|| self.format.next_packet())? {
                Ok(Some(p)) => p,
                Ok(None) => break 0,
                Err(SymErr::ResetRequired) => break 0,
                Err(SymErr::IoError(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    stats.truncated = true;
                    break 0;
                }
                Err(SymErr::DecodeError(_)) => {
                    stats.bad_packets += 1;
                    stats.check_bad_share(max_bad_share)?;
                    continue;
                }
                Err(e) => {
                    return Err(Error::Malformed(format!(
                        "decode: {}: {e}",
                        facts.container
                    )));
                }
            };
            if packet.track_id != self.track {
                continue;
            }
            let pts = packet.pts.get();
            // A packet spans its trimmed ends too (the priming packet of a
            // Vorbis stream is all trim, with no duration).
            let (span, slack) = match (&self.decoder, self.time_base) {
                (Decoder::Opus(_), Some(tb)) => opus_span(&packet, tb),
                _ => (
                    packet
                        .dur
                        .get()
                        .saturating_add(packet.trim_start.get())
                        .saturating_add(packet.trim_end.get()),
                    0,
                ),
            };
            if let (Some(next), Some((num, den))) = (self.next_pts, self.time_base)
                && pts > next.saturating_add(slack)
                && facts.sample_rate > 0
            {
                // The demuxer skipped corrupt data: count what is missing.
                let units = (pts - next) as u128;
                let frames =
                    units * u128::from(num) * u128::from(facts.sample_rate) / u128::from(den);
                stats.lost_frames += u64::try_from(frames).unwrap_or(u64::MAX);
            }
            self.next_pts = pts.checked_add_unsigned(span);
            let decoder = match &mut self.decoder {
                Decoder::Symphonia(decoder) => decoder,
                Decoder::Opus(opus) => {
                    let trim_end = self
                        .time_base
                        .map_or(0, |tb| ticks_to_frames(packet.trim_end.get(), tb));
                    match guarded(|| opus.decode(&packet.data, trim_end, buf))? {
                        Ok(frames) => {
                            stats.packets += 1;
                            if frames > 0 {
                                break opus.channels();
                            }
                        }
                        Err(BadPacket(_)) => {
                            stats.bad_packets += 1;
                            stats.check_bad_share(max_bad_share)?;
                        }
                    }
                    continue;
                }
                #[cfg(feature = "amr")]
                Decoder::Amr { decoder, pcm } => {
                    pcm.clear();
                    let n = decoder.decode_records(&packet.data, pcm);
                    stats.packets += n.good;
                    if n.bad > 0 {
                        stats.bad_packets += n.bad;
                        stats.check_bad_share(max_bad_share)?;
                    }
                    if pcm.is_empty() {
                        continue;
                    }
                    buf.clear();
                    buf.extend(pcm.iter().map(|&s| f32::from(s) / 32_768.0));
                    break 1;
                }
            };
            match guarded(|| decoder.decode(&packet))? {
                Ok(decoded) => {
                    let spec = decoded.spec();
                    let rate = spec.rate();
                    let ch = spec.channels().count();
                    if self.first {
                        self.first = false;
                        let channels = u16::try_from(ch).unwrap_or(u16::MAX);
                        super::route::check_bounds(rate, channels)?;
                        facts.sample_rate = rate;
                        facts.channels = channels;
                    } else if rate != facts.sample_rate {
                        return Err(Error::Unsupported(format!(
                            "decode: sample rate changes mid-stream ({} Hz to {rate} Hz)",
                            facts.sample_rate
                        )));
                    } else if ch == 0 || ch > usize::from(super::route::MAX_CHANNELS) {
                        return Err(Error::Limit(format!("decode: a packet with {ch} channels")));
                    }
                    stats.packets += 1;
                    if decoded.frames() == 0 {
                        continue;
                    }
                    decoded.copy_to_vec_interleaved(&mut *buf);
                    break ch;
                }
                Err(SymErr::DecodeError(_)) => {
                    stats.bad_packets += 1;
                    stats.check_bad_share(max_bad_share)?;
                }
                Err(SymErr::IoError(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    stats.truncated = true;
                    break 0;
                }
                Err(e) => {
                    return Err(Error::Malformed(format!("decode: {}: {e}", facts.codec)));
                }
            }
        };
        Ok(channels)
    }
}

/// How far an Opus packet moves the clock, in ticks of the track's time
/// base `(numerator, denominator)`, from its own table of contents
/// (Matroska gives no duration), and the rounding its timestamps may carry:
/// Matroska counts milliseconds, and a 2.5 ms packet's do not add up.
fn opus_span(packet: &Packet, (num, den): (u32, u32)) -> (u64, i64) {
    let Some(frames) = opus::packet_frames(&packet.data) else {
        return (packet.dur.get(), 0);
    };
    let per_tick = u128::from(opus::RATE) * u128::from(num);
    let ticks = u128::from(frames) * u128::from(den) / per_tick.max(1);
    // One tick of slack when a tick is longer than a frame.
    let coarse = per_tick > u128::from(den);
    (u64::try_from(ticks).unwrap_or(u64::MAX), i64::from(coarse))
}

/// `ticks` of a time base `(numerator, denominator)` in 48 kHz frames.
fn ticks_to_frames(ticks: u64, (num, den): (u32, u32)) -> u64 {
    let frames = u128::from(ticks) * u128::from(num) * u128::from(opus::RATE) / u128::from(den);
    u64::try_from(frames).unwrap_or(u64::MAX)
}

/// Probe `source` with symphonia's formats.
///
/// # Errors
/// [`Error::Malformed`] for a file no format matches or cannot read.
fn probe(source: Box<dyn MediaSource>, ext: Option<&str>) -> Result<Box<dyn FormatReader>> {
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
    probed.map_err(|e| match e {
        SymErr::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            Error::Malformed("decode: file too short to hold audio".into())
        }
        SymErr::Unsupported(_) => Error::Malformed(
            "decode: not an audio file voxprep recognises (no container format matched)".into(),
        ),
        e => Error::Malformed(format!("decode: cannot read the container: {e}")),
    })
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
