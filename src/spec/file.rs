//! Rules on a file as a whole: what its name says it is, and files that are
//! not a recording the provider takes at all.

use super::{ACCEPTED, Code, Problem};
use crate::formats::{self, Named};
use crate::sniff::format_label;

/// What a file extension says about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioKind {
    /// `.wav`: checked with the WAV rules.
    Wav,
    /// `.vox`: checked with the VOX rules.
    Vox,
    /// Headerless telephony audio (`.ulaw`, `.sln16`, `.gsm`, `.g722`...):
    /// fails as [`not_accepted`], with its length from its size.
    Headerless(Named),
    /// Other audio in a container (`mp3`, `flac`...): fails as
    /// [`not_accepted`]; holds the lower-case extension.
    Other(&'static str),
}

/// Audio extensions of containers the provider does not accept but `check`
/// reports on.
const OTHER_AUDIO_EXTENSIONS: [&str; 17] = [
    "mp3", "flac", "ogg", "opus", "m4a", "aac", "aif", "aiff", "aifc", "caf", "amr", "awb", "wma",
    "oga", "webm", "mka", "3gp",
];

/// The kind of audio an extension (without the dot, any case) names, or
/// `None` for a name that says nothing of audio.
pub fn audio_kind(ext: &str) -> Option<AudioKind> {
    let lower = ext.to_ascii_lowercase();
    match lower.as_str() {
        "wav" => Some(AudioKind::Wav),
        "vox" => Some(AudioKind::Vox),
        other => formats::by_extension(other)
            .map(AudioKind::Headerless)
            .or_else(|| {
                OTHER_AUDIO_EXTENSIONS
                    .iter()
                    .find(|&&e| e == other)
                    .map(|&e| AudioKind::Other(e))
            }),
    }
}

/// Whether a folder walk checks files with this extension: every audio
/// name but `.raw` and `.pcm`, which say nothing of their rate and name
/// camera images and other data as often as sound (a file named on the
/// command line is checked whatever its name).
pub fn is_audio_extension(ext: &str) -> bool {
    match audio_kind(ext) {
        Some(AudioKind::Headerless(named)) => named.rate.is_some(),
        kind => kind.is_some(),
    }
}

/// `not-accepted` for an audio file the provider does not take; `format` is
/// an extension (`mp3`, `flac`...) or a [`crate::sniff::sniff`] id.
pub fn not_accepted(format: &str) -> Problem {
    Problem::new(
        Code::NotAccepted,
        format!(
            "{} is not an accepted format: {ACCEPTED}",
            format_label(&format.to_ascii_lowercase())
        ),
    )
}

/// `not-audio` for a file named explicitly whose bytes are no audio format
/// voxprep knows; `ext` is its extension (empty for none).
pub fn not_audio(ext: &str) -> Problem {
    let what = if ext.is_empty() {
        "no extension".to_string()
    } else {
        format!("extension .{ext}")
    };
    Problem::new(
        Code::NotAudio,
        format!(
            "not a recognised audio file ({what}); the provider plays .wav (PCM) and .vox (Dialogic ADPCM)"
        ),
    )
}

/// `wrong-extension` for a RIFF/WAVE file whose extension (empty for none)
/// is not `.wav`.
pub fn wrong_extension(ext: &str) -> Problem {
    let name = if ext.is_empty() {
        "has no extension".to_string()
    } else {
        format!("ends in .{ext}")
    };
    Problem::new(
        Code::WrongExtension,
        format!(
            "a RIFF/WAVE file whose name {name}; the provider recognises recordings by a .wav name"
        ),
    )
}

/// `unreadable` for a file that could not be opened or read; `why` is the
/// system's reason (without the path: the report row names the file).
pub fn unreadable(why: &str) -> Problem {
    Problem::new(Code::Unreadable, format!("cannot read the file: {why}"))
}

/// `empty-file`.
pub(crate) fn empty_file() -> Problem {
    Problem::new(Code::EmptyFile, "the file is empty (0 bytes)")
}
