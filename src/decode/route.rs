//! Which decoder reads a file, from what its first bytes are (the one
//! sniffer, [`crate::sniff`]), its name (the one table of headerless
//! formats, [`crate::formats`]) and, for WAV, its `fmt ` chunk (the one RIFF
//! walker, [`crate::wav`]): one of our decoders, symphonia, or none, with a
//! sentence naming what voxprep cannot read.
//!
//! `.amr` files are known by their magic line, whatever their name, and
//! read by [`super::amr`] (with the `amr` feature); AMR in MP4/3GPP by the
//! sample entry of the sound track, demuxed by symphonia and decoded by
//! [`super::amr`].
//!
//! WAV holding PCM, float, A-law or mu-law is read by us, through the
//! walker, so that every WAV the walker makes sense of converts: sizes that
//! disagree with the file, placeholder sizes, 12- or 20-bit samples in
//! wider containers, RIFX. symphonia reads the ADPCM WAVs and every other
//! container.

use super::DecodeOptions;
use super::own::{AmrBand, Encoding};
use crate::error::{Error, Result, Setting, Usage};
use crate::formats::{self, Headerless};
use crate::sniff::{self, format_label};
use crate::wav::{self, ByteOrder, WAVE_FORMAT_EXTENSIBLE, WavFacts, format_tag_name};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// How to open a file.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Route {
    /// One of our decoders.
    Own(OwnStream),
    /// symphonia, with this lower-case extension as a hint (symphonia 0.6
    /// probes by content and does not use it; it is passed for the day it
    /// does).
    Media {
        /// The hint: none for a `.vox` that is really a container, whose
        /// extension says nothing about what it is.
        hint: Option<String>,
    },
    /// AMR in an MP4/3GPP track (`samr`, `sawb`): symphonia's demuxer, our
    /// AMR decoder.
    AmrInMp4 {
        /// Which AMR.
        band: AmrBand,
        /// The track's id.
        track_id: u32,
    },
}

/// Where the coded bytes are and what they hold.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct OwnStream {
    /// Container id for [`super::SourceFacts::container`].
    pub(super) container: &'static str,
    /// How the bytes decode.
    pub(super) encoding: Encoding,
    /// Samples per second.
    pub(super) rate: u32,
    /// Interleaved channels.
    pub(super) channels: u16,
    /// Where the coded bytes start.
    pub(super) offset: u64,
    /// How many there are (`None`: to the end of the file).
    pub(super) len: Option<u64>,
    /// Bytes the container declares but the file does not hold.
    pub(super) missing: u64,
    /// Frames the container declares, when it does.
    pub(super) declared_frames: Option<u64>,
}

/// Rates voxprep reads: below 4000 Hz is no speech, above 768 kHz no
/// recorder; a header outside is hostile or broken, and believing it would
/// make a resampler allocate without bound.
pub(super) const RATES: std::ops::RangeInclusive<u32> = 4000..=768_000;

/// The most channels voxprep reads.
pub(super) const MAX_CHANNELS: u16 = 32;

/// WAV format tags symphonia decodes that we leave to it: MS ADPCM and IMA
/// ADPCM (symphonia-format-riff 0.6, `wave/chunks.rs`).
const SYMPHONIA_WAV_TAGS: [u16; 2] = [0x0002, 0x0011];

/// [`crate::sniff::sniff`] ids of containers no decoder of ours reads.
const UNREAD_CONTAINERS: [&str; 12] = [
    "rf64",
    "bw64",
    "w64",
    "riff",
    "iff",
    "au",
    "wma",
    "amr-mc",
    "amr-wb-mc",
    "speex",
    "voc",
    "midi",
];

/// Where to send `path`, whose open file is `file`; leaves `file` at its start.
///
/// # Errors
/// I/O errors; [`Error::Malformed`] for an empty file or a WAV without the
/// chunks to read it; [`Error::Unsupported`] naming a container or codec
/// voxprep cannot decode; [`Error::Usage`] for a raw file whose rate must be
/// given; [`Error::Limit`] for a rate or channel count out of bounds.
pub(super) fn route<F: Read + Seek>(
    path: &Path,
    file: &mut F,
    opts: &DecodeOptions,
) -> Result<Route> {
    let io = |e| Error::io(path, e);
    let sniffed = sniff::sniff_reader(file).map_err(io)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let named = ext.as_deref().and_then(formats::by_extension);
    let route = match sniffed {
        Some("empty") => return Err(Error::Malformed("decode: empty file (0 bytes)".into())),
        // A headerless name on bytes that start like a container: the
        // container (a `.vox` that is really a WAV is a WAV).
        None => match named {
            Some(named) => Route::Own(headerless(named, file, opts).map_err(io)??),
            None => Route::Media { hint: ext },
        },
        // Raw GSM told by its frames, whatever the name says.
        Some("gsm") => {
            let gsm = formats::by_extension("gsm").expect("gsm is a headerless name");
            Route::Own(headerless(gsm, file, opts).map_err(io)??)
        }
        Some("wav" | "rifx") => {
            let facts = wav::inspect(file).map_err(io)?;
            match wav_stream(&facts)? {
                Some(stream) => Route::Own(stream),
                None => Route::Media {
                    hint: ext.filter(|_| named.is_none()),
                },
            }
        }
        Some(id @ ("amr" | "amr-wb")) => {
            let band = if id == "amr" {
                AmrBand::Narrow
            } else {
                AmrBand::Wide
            };
            Route::Own(amr_stream(band)?)
        }
        Some(id @ ("rf64" | "bw64")) => {
            return Err(Error::Unsupported(format!(
                "decode: {} is not supported; re-save it as plain WAV",
                format_label(id)
            )));
        }
        Some("3gp" | "mp4" | "m4a" | "mov") => {
            let entry = super::edit_list::sound_sample_entry(file);
            let band = entry.and_then(|e| match &e.kind {
                b"samr" => Some(AmrBand::Narrow),
                b"sawb" => Some(AmrBand::Wide),
                _ => None,
            });
            match (entry, band) {
                (Some(entry), Some(band)) => {
                    amr_feature(band)?;
                    Route::AmrInMp4 {
                        band,
                        track_id: entry.track_id,
                    }
                }
                _ => Route::Media {
                    hint: ext.filter(|_| named.is_none()),
                },
            }
        }
        Some(id) if UNREAD_CONTAINERS.contains(&id) => {
            return Err(Error::Unsupported(format!(
                "decode: {} is not supported; convert it to WAV or FLAC with ffmpeg or sox first",
                format_label(id)
            )));
        }
        _ => Route::Media {
            hint: ext.filter(|_| named.is_none()),
        },
    };
    if let Route::Own(s) = &route {
        check_bounds(s.rate, s.channels)?;
    }
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(route)
}

/// Refuse a rate or channel count outside what voxprep reads.
pub(super) fn check_bounds(rate: u32, channels: u16) -> Result<()> {
    if !RATES.contains(&rate) {
        return Err(Error::Limit(format!(
            "decode: sample rate {rate} Hz is outside {}..={} Hz",
            RATES.start(),
            RATES.end()
        )));
    }
    if channels == 0 || channels > MAX_CHANNELS {
        return Err(Error::Limit(format!(
            "decode: {channels} channels (voxprep reads 1 to {MAX_CHANNELS})"
        )));
    }
    Ok(())
}

/// Refuse AMR in a build without the `amr` feature.
fn amr_feature(band: AmrBand) -> Result<()> {
    if cfg!(feature = "amr") {
        return Ok(());
    }
    Err(Error::Unsupported(format!(
        "decode: {} audio is not supported by this build of voxprep \
         (built without the `amr` feature)",
        Encoding::Amr(band).name().to_ascii_uppercase()
    )))
}

/// An `.amr` storage file: the records after the magic line.
///
/// # Errors
/// [`Error::Unsupported`] in a build without the `amr` feature.
fn amr_stream(band: AmrBand) -> Result<OwnStream> {
    amr_feature(band)?;
    Ok(OwnStream {
        container: if band == AmrBand::Narrow {
            "amr"
        } else {
            "amr-wb"
        },
        encoding: Encoding::Amr(band),
        rate: band.rate(),
        channels: 1,
        offset: band.magic().len() as u64,
        len: None,
        missing: 0,
        // The storage format does not say how many frames it holds.
        declared_frames: None,
    })
}

/// A headerless file known by its name.
fn headerless<F: Read + Seek>(
    named: formats::Named,
    file: &mut F,
    opts: &DecodeOptions,
) -> std::io::Result<Result<OwnStream>> {
    let len = file.seek(SeekFrom::End(0))?;
    let (encoding, rate) = match named.format {
        Headerless::Vox => (Encoding::Vox(opts.vox_decoder), Some(opts.vox_rate)),
        Headerless::MuLaw => (Encoding::MuLaw, opts.input_rate.or(named.rate)),
        Headerless::ALaw => (Encoding::ALaw, opts.input_rate.or(named.rate)),
        Headerless::Slin => (
            Encoding::Int {
                bytes: 2,
                big_endian: false,
            },
            opts.input_rate.or(named.rate),
        ),
        Headerless::Gsm => (Encoding::Gsm, opts.input_rate.or(named.rate)),
        Headerless::G722 => (Encoding::G722, opts.input_rate.or(named.rate)),
    };
    let Some(rate) = rate else {
        return Ok(Err(Usage::setting(
            Setting::InputRate,
            format!(
                "decode: the sample rate of {} cannot be told from the file",
                named.format.label()
            ),
        )
        .into()));
    };
    Ok(Ok(OwnStream {
        container: named.format.id(),
        encoding,
        rate,
        channels: 1,
        offset: 0,
        len: None,
        missing: 0,
        declared_frames: Some(named.format.frames(len).0),
    }))
}

/// Our reading of a walked WAV, `None` when symphonia reads its codec.
///
/// # Errors
/// [`Error::Malformed`] without a readable `fmt ` or `data` chunk;
/// [`Error::Unsupported`] naming a codec no decoder of ours reads.
fn wav_stream(facts: &WavFacts) -> Result<Option<OwnStream>> {
    let Some(fmt) = &facts.fmt else {
        return Err(Error::Malformed(
            "decode: wav: no readable fmt chunk: the format of the samples is unknown".into(),
        ));
    };
    let tag = fmt.effective_tag();
    if SYMPHONIA_WAV_TAGS.contains(&tag) && facts.byte_order == ByteOrder::Little {
        return Ok(None);
    }
    let Some(data) = &facts.data else {
        return Err(Error::Malformed("decode: wav: no data chunk".into()));
    };
    let big_endian = facts.byte_order == ByteOrder::Big;
    let channels = fmt.channels;
    // Bytes of one channel's sample: what the block holds, else what the bits need.
    let per_channel = u32::from(fmt.block_align)
        .checked_div(u32::from(channels))
        .filter(|&b| b > 0 && u32::from(fmt.block_align) % u32::from(channels) == 0)
        .unwrap_or_else(|| u32::from(fmt.bits_per_sample).div_ceil(8));
    let encoding = match (tag, per_channel) {
        (0x0001, b @ 1..=4) => Encoding::Int {
            bytes: b as u8,
            big_endian,
        },
        (0x0003, b @ (4 | 8)) => Encoding::Float {
            bytes: b as u8,
            big_endian,
        },
        (0x0006, 1) => Encoding::ALaw,
        (0x0007, 1) => Encoding::MuLaw,
        // GSM 06.10 in WAV: 65-byte blocks of 320 samples, mono (what sox
        // and ffmpeg write and read).
        (0x0031, _) if fmt.block_align == 65 && channels == 1 => Encoding::Wav49,
        (0x0001 | 0x0003 | 0x0006 | 0x0007, b) => {
            return Err(Error::Unsupported(format!(
                "decode: wav: {} samples of {b} bytes are not supported",
                format_tag_name(tag)
            )));
        }
        (WAVE_FORMAT_EXTENSIBLE, _) => {
            return Err(Error::Unsupported(
                "decode: wav: WAVE_FORMAT_EXTENSIBLE around an unknown sub-format".into(),
            ));
        }
        _ => {
            let message = match format_tag_name(tag) {
                "unregistered" => {
                    format!("decode: WAV with format tag {tag:#06x} is not supported")
                }
                name => format!(
                    "decode: {name} audio in WAV (format tag {tag:#06x}) is not supported; \
                     convert it with ffmpeg or sox first"
                ),
            };
            return Err(Error::Unsupported(message));
        }
    };
    check_bounds(fmt.sample_rate, channels)?;
    // A placeholder size (a writer streaming to a pipe) means "to the end".
    let placeholder = data.missing() > 0 && crate::wav::is_size_placeholder(data.declared);
    let declared_frames = match encoding {
        // Whole blocks only; a pad byte after an odd count is not audio.
        Encoding::Wav49 => u64::from(data.declared) / 65 * 320,
        _ => u64::from(data.declared) / (u64::from(per_channel) * u64::from(channels)),
    };
    Ok(Some(OwnStream {
        container: if big_endian { "rifx" } else { "wav" },
        encoding,
        rate: fmt.sample_rate,
        channels,
        offset: data.offset,
        len: Some(data.available),
        missing: if placeholder { 0 } else { data.missing() },
        declared_frames: (!placeholder).then_some(declared_frames),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A WAV with a padded odd chunk, a `fmt ` of `tag` (mono 8000 Hz,
    /// `bits` bits) and `data` bytes.
    fn wav(tag: u16, bits: u16, data: &[u8]) -> Vec<u8> {
        let align = bits.div_ceil(8);
        let mut v = b"RIFF\0\0\0\0WAVE".to_vec();
        v.extend_from_slice(b"LIST\x03\0\0\0abc\0"); // odd chunk, padded
        v.extend_from_slice(b"fmt \x10\0\0\0");
        for x in [tag, 1] {
            v.extend_from_slice(&x.to_le_bytes());
        }
        for x in [8000u32, 8000 * u32::from(align)] {
            v.extend_from_slice(&x.to_le_bytes());
        }
        for x in [align, bits] {
            v.extend_from_slice(&x.to_le_bytes());
        }
        v.extend_from_slice(b"data");
        v.extend_from_slice(&(data.len() as u32).to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    fn route_with(name: &str, bytes: Vec<u8>, opts: &DecodeOptions) -> Result<Route> {
        route(Path::new(name), &mut Cursor::new(bytes), opts)
    }

    fn route_of(name: &str, bytes: Vec<u8>) -> Result<Route> {
        route_with(name, bytes, &DecodeOptions::default())
    }

    fn own(name: &str, bytes: Vec<u8>) -> OwnStream {
        match route_of(name, bytes) {
            Ok(Route::Own(s)) => s,
            other => panic!("{name}: {other:?}"),
        }
    }

    fn unsupported(name: &str, bytes: Vec<u8>) -> String {
        match route_of(name, bytes) {
            Err(Error::Unsupported(m)) => m,
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn wavs_of_ours_and_of_symphonia() {
        let s = own("a.wav", wav(1, 16, &[0; 8]));
        assert_eq!(
            (s.encoding, s.rate, s.channels),
            (
                Encoding::Int {
                    bytes: 2,
                    big_endian: false
                },
                8000,
                1
            )
        );
        assert_eq!(
            (s.offset, s.len, s.missing, s.declared_frames),
            (56, Some(8), 0, Some(4))
        );
        // 12 bits in 16-bit containers, mu-law, float.
        assert_eq!(
            own("a.wav", wav(1, 12, &[0; 8])).encoding,
            Encoding::Int {
                bytes: 2,
                big_endian: false
            }
        );
        assert_eq!(own("a.wav", wav(7, 8, &[0; 8])).encoding, Encoding::MuLaw);
        assert_eq!(
            own("a.wav", wav(3, 32, &[0; 8])).encoding,
            Encoding::Float {
                bytes: 4,
                big_endian: false
            }
        );
        // The ADPCMs are symphonia's.
        for tag in [2, 0x11] {
            assert_eq!(
                route_of("a.wav", wav(tag, 4, &[0; 8])).unwrap(),
                Route::Media {
                    hint: Some("wav".into())
                }
            );
        }
        let mut gsm = wav(0x31, 0, &[0; 130]);
        gsm[44..46].copy_from_slice(&65u16.to_le_bytes()); // blockAlign of WAV49
        assert_eq!(own("a.wav", gsm).encoding, Encoding::Wav49);
        assert!(unsupported("a.wav", wav(0x31, 0, &[0; 65])).contains("GSM 6.10"));
        assert!(unsupported("a.wav", wav(0x55, 0, &[0; 8])).contains("MP3"));
        assert!(unsupported("a.wav", wav(0x1234, 0, &[0; 8])).contains("0x1234"));
        assert!(unsupported("a.wav", b"RF64\xff\xff\xff\xffWAVE".to_vec()).contains("RF64"));
        assert!(unsupported("a.au", b".snd\0\0\0\x18".to_vec()).contains("AU"));
    }

    #[test]
    fn truncated_and_placeholder_data() {
        let mut cut = wav(1, 16, &[0; 100]);
        cut.truncate(cut.len() - 40);
        let s = own("a.wav", cut);
        assert_eq!(
            (s.len, s.missing, s.declared_frames),
            (Some(60), 40, Some(50))
        );
        let mut piped = wav(1, 16, &[0; 100]);
        let at = piped.len() - 104;
        piped[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let s = own("a.wav", piped);
        assert_eq!((s.len, s.missing, s.declared_frames), (Some(100), 0, None));
    }

    #[test]
    fn hostile_rates_and_channels_are_refused() {
        let mut one_hz = wav(1, 16, &[0; 8]);
        one_hz[36..40].copy_from_slice(&1u32.to_le_bytes());
        assert!(matches!(route_of("a.wav", one_hz), Err(Error::Limit(_))));
        let mut many = wav(1, 16, &[0; 8]);
        many[34..36].copy_from_slice(&1000u16.to_le_bytes());
        assert!(matches!(route_of("a.wav", many), Err(Error::Limit(_))));
    }

    #[test]
    fn raw_gsm_by_content_under_any_name() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/gsm/speech-espeak-8000Hz.gsm"
        );
        let gsm = std::fs::read(path).unwrap();
        for name in ["x.wav", "x.bin", "x.vox", "x.ulaw"] {
            let s = own(name, gsm.clone());
            assert_eq!((s.container, s.rate), ("gsm", 8000), "{name}");
        }
    }

    #[test]
    fn headerless_by_name_unless_it_is_a_container() {
        let adpcm = vec![0x77, 0x88, 0x12, 0x34, 0x56];
        let s = own("x.VOX", adpcm.clone());
        assert_eq!(
            (s.container, s.rate, s.declared_frames),
            ("vox", 8000, Some(10))
        );
        let six = DecodeOptions {
            vox_rate: 6000,
            ..DecodeOptions::default()
        };
        match route_with("x.vox", adpcm.clone(), &six).unwrap() {
            Route::Own(s) => assert_eq!(s.rate, 6000),
            other => panic!("{other:?}"),
        }
        assert_eq!(own("x.ul", adpcm.clone()).encoding, Encoding::MuLaw);
        assert_eq!(own("x.sln16", adpcm.clone()).rate, 16_000);
        assert!(matches!(
            route_of("x.raw", adpcm.clone()),
            Err(Error::Usage(Usage::Setting {
                setting: Setting::InputRate,
                ..
            }))
        ));
        let told = DecodeOptions {
            input_rate: Some(11_025),
            ..DecodeOptions::default()
        };
        match route_with("x.raw", adpcm.clone(), &told).unwrap() {
            Route::Own(s) => assert_eq!(s.rate, 11_025),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            route_of("x.bin", adpcm).unwrap(),
            Route::Media {
                hint: Some("bin".into())
            }
        );
        // A `.vox` that is really a container is that container.
        assert_eq!(
            route_of("x.vox", b"fLaC\0\0\0\x22".to_vec()).unwrap(),
            Route::Media { hint: None }
        );
        assert!(matches!(
            route_of("x.vox", Vec::new()),
            Err(Error::Malformed(_))
        ));
    }
}
