//! Names of WAV format tags (`wFormatTag`), for messages.

use super::WAVE_FORMAT_EXTENSIBLE;

/// The name of a WAV format tag, from Microsoft's mmreg.h; `unregistered`
/// for a tag it does not list.
pub fn format_tag_name(tag: u16) -> &'static str {
    match tag {
        0x0000 => "unknown",
        0x0001 => "PCM",
        0x0002 => "MS ADPCM",
        0x0003 => "IEEE float",
        0x0005 => "IBM CVSD",
        0x0006 => "A-law",
        0x0007 => "mu-law",
        0x0008 => "DTS",
        0x0010 => "OKI ADPCM",
        0x0011 => "IMA ADPCM",
        0x0012 => "MediaSpace ADPCM",
        0x0013 => "Sierra ADPCM",
        0x0014 => "G.723 ADPCM",
        0x0017 => "Dialogic OKI ADPCM",
        0x0020 => "Yamaha ADPCM",
        0x0022 => "TrueSpeech",
        0x0031 => "GSM 6.10",
        0x0032 => "MSN audio (GSM 6.10)",
        0x0040 => "G.721 ADPCM",
        0x0045 => "G.726 ADPCM",
        0x0050 => "MPEG audio",
        0x0055 => "MP3",
        0x0064 => "G.726 ADPCM",
        0x0065 => "G.722 ADPCM",
        0x00FF => "AAC",
        0x0160 => "WMA v1",
        0x0161 => "WMA v2",
        0x0162 => "WMA Pro",
        0x0163 => "WMA Lossless",
        0x1610 => "HE-AAC",
        0x2000 => "AC-3",
        0x2001 => "DTS",
        0x704F => "Opus",
        0xF1AC => "FLAC",
        WAVE_FORMAT_EXTENSIBLE => "WAVE_FORMAT_EXTENSIBLE",
        0xFFFF => "experimental",
        _ => "unregistered",
    }
}

/// A format tag with its name, for messages: `0x0031 (GSM 6.10)`.
pub fn format_tag_label(tag: u16) -> String {
    format!("0x{tag:04X} ({})", format_tag_name(tag))
}
