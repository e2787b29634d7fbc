//! Decoding arbitrary input to PCM: symphonia 0.6 for every container and
//! codec it knows, our own decoders for headerless `.vox`, telephony formats
//! and WAV PCM, opus-pure for the Opus that symphonia demuxes from Ogg and
//! WebM but cannot decode, and (with the `amr` feature) `rvoip-codec-core`
//! for AMR-NB/WB, in `.amr` files and as symphonia demuxes it from 3GPP.
//!
//! [`AudioReader`] yields the audio packet by packet (interleaved `f32` in
//! -1.0..1.0), so memory does not grow with the length of the input. It keeps
//! count of what went wrong on the way ([`DecodeStats`]): corrupt packets are
//! skipped and counted, a file that ends early is converted as far as it goes
//! and marked truncated; [`AudioReader::warnings`] turns that into sentences.
//! Too many bad packets, an unknown codec or a container we cannot read are
//! [`crate::Error`]s that name the codec or container.
//!
//! [`AudioReader::open_path`] is the one opener: `convert` opens its inputs
//! with it, and [`probe`] (which `check` asks whether a conversion could fix
//! a file) reads a file through it to the end, so the two cannot disagree.

mod amr;
mod edit_list;
mod matroska;
mod media;
mod ogg;
mod opus;
mod own;
mod reader;
mod route;
mod stats;

pub use reader::{AudioReader, Chunk};
pub use stats::DecodeStats;

use crate::error::Result;
use crate::vox::DecoderFlavor;
use std::path::Path;
use symphonia::core::codecs::audio::AudioCodecId;
use symphonia::core::codecs::audio::well_known as ids;

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
    /// The rate `.vox` input was recorded at (default 8000; old Dialogic
    /// prompts are often 6000).
    pub vox_rate: u32,
    /// The rate of headerless input whose name says none (`.raw`, `.pcm`);
    /// when given it also overrides the rate a name says (`.sln16`...).
    pub input_rate: Option<u32>,
    /// Read an input that ends before its container says it does, as far as
    /// it goes, with a warning (default `false`: that is an
    /// [`crate::Error::Truncated`], since the result would hold only part of
    /// what was recorded).
    pub accept_truncated: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            max_seconds: 4 * 3600,
            max_bad_packet_share: 0.05,
            vox_decoder: DecoderFlavor::default(),
            vox_rate: crate::spec::VOX_RATE,
            input_rate: None,
            accept_truncated: false,
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

/// Read `path` to its end through [`AudioReader::open_path`], as a
/// conversion does, keeping no samples: what it is and how many frames it
/// holds, or the error a conversion would stop on.
///
/// # Errors
/// As [`AudioReader::open_path`] and [`AudioReader::next_chunk`].
pub fn probe(path: &Path, opts: &DecodeOptions) -> Result<(SourceFacts, DecodeStats)> {
    let mut reader = AudioReader::open_path(path, opts)?;
    while reader
        .next_chunk()
        .map_err(|e| e.with_path(path))?
        .is_some()
    {}
    Ok((reader.facts().clone(), reader.stats().clone()))
}

/// A readable name for a symphonia codec id.
pub(crate) fn codec_name(id: AudioCodecId) -> String {
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
