//! Which decoder reads a file, from what its first bytes are (the one
//! sniffer, [`crate::sniff`]) and, for WAV, its format tag (the one RIFF
//! walker, [`crate::wav`]): our Dialogic decoder, symphonia, or none, with a
//! sentence naming what voxprep cannot read.

use crate::error::{Error, Result};
use crate::sniff::{self, format_label};
use crate::wav::{self, WAVE_FORMAT_EXTENSIBLE, format_tag_name};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// How to open a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Route {
    /// Headerless Dialogic ADPCM.
    Vox,
    /// symphonia, with this lower-case extension as a hint (symphonia 0.6
    /// probes by content and does not use it; it is passed for the day it
    /// does).
    Media {
        /// The hint: none for a `.vox` that is really a container, whose
        /// extension says nothing about what it is.
        hint: Option<String>,
    },
}

/// WAV format tags symphonia decodes (symphonia-format-riff 0.6,
/// `wave/chunks.rs`): PCM, MS ADPCM, IEEE float, A-law, mu-law, IMA ADPCM.
const SYMPHONIA_WAV_TAGS: [u16; 6] = [0x0001, 0x0002, 0x0003, 0x0006, 0x0007, 0x0011];

/// [`crate::sniff::sniff`] ids of containers no decoder of ours reads.
const UNREAD_CONTAINERS: [&str; 13] = [
    "rf64", "bw64", "w64", "riff", "rifx", "iff", "au", "wma", "amr", "amr-wb", "speex", "voc",
    "midi",
];

/// Where to send `path`, whose open file is `file`; leaves `file` at its start.
///
/// # Errors
/// I/O errors; [`Error::Malformed`] for an empty file; [`Error::Unsupported`]
/// naming a container or WAV codec voxprep cannot decode.
pub(super) fn route<F: Read + Seek>(path: &Path, file: &mut F) -> Result<Route> {
    let io = |e| Error::io(path, e);
    let sniffed = sniff::sniff_reader(file).map_err(io)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let vox_named = ext.as_deref() == Some("vox");
    let route = match sniffed {
        Some("empty") => return Err(Error::Malformed("decode: empty file (0 bytes)".into())),
        // A `.vox` that starts like a container is that container, not ADPCM.
        None if vox_named => Route::Vox,
        Some("wav") => {
            wav_codec(file).map_err(io)?.map_or(Ok(()), Err)?;
            Route::Media {
                hint: ext.filter(|_| !vox_named),
            }
        }
        Some(id @ ("rf64" | "bw64")) => {
            return Err(Error::Unsupported(format!(
                "decode: {} is not supported; re-save it as plain WAV",
                format_label(id)
            )));
        }
        Some(id) if UNREAD_CONTAINERS.contains(&id) => {
            return Err(Error::Unsupported(format!(
                "decode: {} is not supported; convert it to WAV or FLAC with ffmpeg or sox first",
                format_label(id)
            )));
        }
        _ => Route::Media {
            hint: ext.filter(|_| !vox_named),
        },
    };
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(route)
}

/// `Some(error)` when a RIFF/WAVE file holds a codec symphonia cannot decode
/// (judged by the effective format tag; a file without a readable `fmt `
/// chunk is left to symphonia, which says what is wrong).
fn wav_codec<F: Read + Seek>(file: &mut F) -> std::io::Result<Option<Error>> {
    let facts = wav::inspect(file)?;
    let Some(fmt) = facts.fmt else {
        return Ok(None);
    };
    let tag = fmt.effective_tag();
    if tag == WAVE_FORMAT_EXTENSIBLE || SYMPHONIA_WAV_TAGS.contains(&tag) {
        return Ok(None);
    }
    let message = match format_tag_name(tag) {
        "unregistered" => format!("decode: WAV with format tag {tag:#06x} is not supported"),
        name => format!(
            "decode: {name} audio in WAV (format tag {tag:#06x}) is not supported; \
             convert it with ffmpeg or sox first"
        ),
    };
    Ok(Some(Error::Unsupported(message)))
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

    fn route_of(name: &str, bytes: Vec<u8>) -> Result<Route> {
        route(Path::new(name), &mut Cursor::new(bytes))
    }

    fn unsupported(name: &str, bytes: Vec<u8>) -> String {
        match route_of(name, bytes) {
            Err(Error::Unsupported(m)) => m,
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn names_unsupported_wav_codecs() {
        assert!(unsupported("a.wav", wav_with_tag(0x31)).contains("GSM 6.10"));
        assert!(unsupported("a.wav", wav_with_tag(0x55)).contains("MP3"));
        assert!(unsupported("a.wav", wav_with_tag(0x1234)).contains("0x1234"));
        for tag in [1, 2, 3, 6, 7, 0x11] {
            assert_eq!(
                route_of("a.wav", wav_with_tag(tag)).unwrap(),
                Route::Media {
                    hint: Some("wav".into())
                }
            );
        }
        assert!(unsupported("a.wav", b"RF64\xff\xff\xff\xffWAVE".to_vec()).contains("RF64"));
        assert!(unsupported("a.au", b".snd\0\0\0\x18".to_vec()).contains("AU"));
    }

    #[test]
    fn vox_unless_it_is_a_container() {
        let adpcm = vec![0x77, 0x88, 0x12, 0x34, 0x56];
        assert_eq!(route_of("x.VOX", adpcm.clone()).unwrap(), Route::Vox);
        assert_eq!(
            route_of("x.raw", adpcm).unwrap(),
            Route::Media {
                hint: Some("raw".into())
            }
        );
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
