//! What a file is, from its first bytes: the one sniffer. `check` uses it
//! to say "this is an MP3, not a WAV" and to catch `.vox` files that are
//! really containers; `decode` to choose how to open an input.

use std::io::{self, Read, Seek, SeekFrom};

/// How many leading bytes [`sniff`] can use: enough to see past a small ID3
/// tag and to confirm an MPEG frame by the next frame's header.
pub const SNIFF_LEN: usize = 4096;

/// A short id for what `head` (the first bytes of a file, up to
/// [`SNIFF_LEN`]) is, or `None` when it is not recognised (for a `.vox`,
/// that is what raw ADPCM looks like).
///
/// Ids: `empty`, `wav`, `riff` (RIFF of another form), `rifx`, `rf64`,
/// `bw64`, `w64`, `mp3`, `aac` (ADTS), `ogg`, `opus`, `vorbis`, `speex`,
/// `ogg-flac`, `flac`, `aiff`, `aifc`, `iff`, `m4a`, `mp4`, `mov`, `3gp`,
/// `amr`, `amr-wb`, `amr-mc`, `amr-wb-mc` (multi-channel AMR), `caf`, `wma`,
/// `au`, `mkv`, `voc`, `midi`, and `gsm` for raw GSM 06.10 told by its
/// content ([`GSM_SNIFF_FRAMES`]). Name them for people with [`format_label`].
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    if head.is_empty() {
        return Some("empty");
    }
    let at = |range: std::ops::Range<usize>| head.get(range).unwrap_or_default();
    let id = match at(0..4) {
        b"RIFF" => match at(8..12) {
            b"WAVE" => "wav",
            _ if head.len() < 12 => "wav",
            _ => "riff",
        },
        b"RIFX" => "rifx",
        b"RF64" => "rf64",
        b"BW64" => "bw64",
        b"riff" if at(4..8) == [0x2E, 0x91, 0xCF, 0x11] => "w64",
        b"OggS" if head.get(4).is_none_or(|&v| v == 0) => ogg_kind(head),
        b"fLaC" => "flac",
        b"FORM" => match at(8..12) {
            b"AIFF" => "aiff",
            b"AIFC" => "aifc",
            _ => "iff",
        },
        b"caff" => "caf",
        b".snd" => "au",
        b"MThd" => "midi",
        [0x1A, 0x45, 0xDF, 0xA3] => "mkv",
        [0x30, 0x26, 0xB2, 0x75] => "wma",
        _ if at(4..8) == b"ftyp" => match at(8..12) {
            b"M4A " | b"M4B " | b"M4P " => "m4a",
            b"qt  " => "mov",
            [b'3', b'g', ..] => "3gp",
            _ => "mp4",
        },
        _ if head.starts_with(b"#!AMR-WB\n") => "amr-wb",
        _ if head.starts_with(b"#!AMR\n") => "amr",
        _ if head.starts_with(b"#!AMR_MC1.0\n") => "amr-mc",
        _ if head.starts_with(b"#!AMR-WB_MC1.0\n") => "amr-wb-mc",
        _ if head.starts_with(b"Creative Voice File") => "voc",
        _ if head.starts_with(b"ID3") && head.get(3).is_none_or(|v| (2..=4).contains(v)) => {
            id3_kind(head)
        }
        _ if adts_at(head, 0) => "aac",
        _ if mpeg_audio_at(head, 0) => "mp3",
        _ if looks_like_gsm(head) => "gsm",
        _ => return None,
    };
    Some(id)
}

/// Raw GSM 06.10 is told by its content when at least this many whole
/// 33-byte frames each start with the signature nibble 0xD. Any other
/// bytes do that by chance with odds of 16^-8 (about 2 in 10^10); a real
/// VOX, µ-law or PCM recording has no reason to.
pub const GSM_SNIFF_FRAMES: usize = 8;

/// Whether `head` is raw GSM 06.10 frames (see [`GSM_SNIFF_FRAMES`]).
fn looks_like_gsm(head: &[u8]) -> bool {
    let frame = crate::formats::GSM_FRAME_BYTES as usize;
    let frames = head.len() / frame;
    frames >= GSM_SNIFF_FRAMES && head.chunks_exact(frame).all(|f| f[0] >> 4 == 0xD)
}

/// [`sniff`] the first [`SNIFF_LEN`] bytes of `r`, read from its start.
///
/// # Errors
/// Only I/O errors.
pub fn sniff_reader<R: Read + Seek>(r: &mut R) -> io::Result<Option<&'static str>> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    r.seek(SeekFrom::Start(0))?;
    r.by_ref().take(SNIFF_LEN as u64).read_to_end(&mut head)?;
    Ok(sniff(&head))
}

/// What follows an ID3v2 tag, when the tag fits in `head`; MP3 otherwise.
fn id3_kind(head: &[u8]) -> &'static str {
    let Some(h) = head.get(..10) else {
        return "mp3";
    };
    if h[6..10].iter().any(|b| b & 0x80 != 0) {
        return "mp3";
    }
    let size = h[6..10]
        .iter()
        .fold(0usize, |acc, &b| (acc << 7) | usize::from(b));
    let footer = if h[5] & 0x10 != 0 { 10 } else { 0 };
    let after = 10 + size + footer;
    match head.get(after..) {
        Some(rest) if rest.starts_with(b"fLaC") => "flac",
        Some(rest) if adts_at(rest, 0) => "aac",
        _ => "mp3",
    }
}

/// Opus, Vorbis, Speex or FLAC inside Ogg, from the first packet.
fn ogg_kind(head: &[u8]) -> &'static str {
    let Some(&nsegs) = head.get(26) else {
        return "ogg";
    };
    let packet = head.get(27 + usize::from(nsegs)..).unwrap_or_default();
    if packet.starts_with(b"OpusHead") {
        "opus"
    } else if packet.starts_with(b"\x01vorbis") {
        "vorbis"
    } else if packet.starts_with(b"\x7fFLAC") {
        "ogg-flac"
    } else if packet.starts_with(b"Speex   ") {
        "speex"
    } else {
        "ogg"
    }
}

/// Length of the MPEG audio frame whose header is at `head[at..]`, when it is
/// a valid header (sync, version, layer, bitrate, rate, emphasis).
fn mpeg_frame_len(head: &[u8], at: usize) -> Option<usize> {
    let h = head.get(at..at + 4)?;
    if h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
        return None;
    }
    let version = (h[1] >> 3) & 3; // 0 = 2.5, 1 = reserved, 2 = MPEG-2, 3 = MPEG-1
    let layer = (h[1] >> 1) & 3; // 0 = reserved, 1 = III, 2 = II, 3 = I
    let br_idx = usize::from(h[2] >> 4);
    let sr_idx = usize::from((h[2] >> 2) & 3);
    let padding = usize::from((h[2] >> 1) & 1);
    if version == 1 || layer == 0 || br_idx == 0 || br_idx == 15 || sr_idx == 3 || h[3] & 3 == 2 {
        return None;
    }
    #[rustfmt::skip]
    const KBPS: [[u16; 15]; 5] = [
        [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448], // MPEG-1 layer I
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],    // MPEG-1 layer II
        [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],     // MPEG-1 layer III
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],    // MPEG-2/2.5 layer I
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],         // MPEG-2/2.5 layer II, III
    ];
    const RATES: [[usize; 3]; 3] = [
        [11025, 12000, 8000],
        [22050, 24000, 16000],
        [44100, 48000, 32000],
    ];
    let mpeg1 = version == 3;
    let table = match (mpeg1, layer) {
        (true, 3) => 0,
        (true, 2) => 1,
        (true, _) => 2,
        (false, 3) => 3,
        (false, _) => 4,
    };
    let bitrate = usize::from(KBPS[table][br_idx]) * 1000;
    let rate = RATES[match version {
        0 => 0,
        2 => 1,
        _ => 2,
    }][sr_idx];
    let len = match layer {
        3 => (12 * bitrate / rate + padding) * 4,
        1 if !mpeg1 => 72 * bitrate / rate + padding,
        _ => 144 * bitrate / rate + padding,
    };
    (len >= 4).then_some(len)
}

/// An MPEG audio frame header at `at`, confirmed by the next frame's header
/// when `head` reaches that far.
fn mpeg_audio_at(head: &[u8], at: usize) -> bool {
    let Some(len) = mpeg_frame_len(head, at) else {
        return false;
    };
    let next = at + len;
    if head.len() < next + 4 {
        return true;
    }
    mpeg_frame_len(head, next).is_some() && head[next + 1] & 0xFE == head[at + 1] & 0xFE
}

/// An ADTS (raw AAC) header at `at`, confirmed by the next one when in reach.
fn adts_at(head: &[u8], at: usize) -> bool {
    let adts_len = |p: usize| -> Option<usize> {
        let h = head.get(p..p + 7)?;
        if h[0] != 0xFF || h[1] & 0xF6 != 0xF0 || (h[2] >> 2) & 0xF > 12 {
            return None;
        }
        let len = (usize::from(h[3] & 3) << 11) | (usize::from(h[4]) << 3) | usize::from(h[5] >> 5);
        (len >= 7).then_some(len)
    };
    let Some(len) = adts_len(at) else {
        return false;
    };
    head.len() < at + len + 7 || adts_len(at + len).is_some()
}

/// A name for people of a [`sniff`] id or an audio file extension.
pub fn format_label(id: &str) -> &'static str {
    match id {
        "empty" => "empty",
        "wav" => "RIFF/WAVE",
        "riff" => "RIFF (not WAVE)",
        "rifx" => "RIFX (big-endian RIFF)",
        "rf64" => "RF64 (64-bit WAV)",
        "bw64" => "BW64 (64-bit broadcast WAV)",
        "w64" => "Sony Wave64",
        "mp3" => "MP3",
        "aac" => "AAC (ADTS)",
        "ogg" | "oga" => "Ogg",
        "opus" => "Ogg Opus",
        "vorbis" => "Ogg Vorbis",
        "speex" => "Ogg Speex",
        "ogg-flac" => "Ogg FLAC",
        "flac" => "FLAC",
        "aiff" | "aif" => "AIFF",
        "aifc" => "AIFF-C",
        "iff" => "IFF",
        "m4a" => "MP4/M4A audio",
        "mp4" => "MP4",
        "mov" => "QuickTime",
        "3gp" => "3GPP",
        "amr" => "AMR",
        "amr-wb" => "AMR-WB",
        "amr-mc" => "multi-channel AMR",
        "amr-wb-mc" => "multi-channel AMR-WB",
        "caf" => "Core Audio (CAF)",
        "wma" => "WMA (ASF)",
        "au" => "Sun/NeXT AU",
        "mkv" => "Matroska/WebM",
        "voc" => "Creative VOC",
        "midi" => "MIDI",
        "vox" => "VOX",
        // Headerless telephony audio, by extension or by id.
        other => crate::formats::by_extension(other)
            .map(|n| n.format)
            .or_else(|| crate::formats::Headerless::from_id(other))
            .map_or("unknown", crate::formats::Headerless::label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_gsm_is_told_by_its_signature_nibbles() {
        let mut gsm: Vec<u8> = (0..33 * 8).map(|i| (i * 37 % 251) as u8).collect();
        for f in gsm.chunks_exact_mut(33) {
            f[0] = 0xD0 | (f[0] & 0x0F);
        }
        assert_eq!(sniff(&gsm), Some("gsm"));
        // Seven frames are too few; one frame without the nibble is not GSM.
        assert_eq!(sniff(&gsm[..33 * 7 + 20]), None);
        let mut broken = gsm.clone();
        broken[33 * 5] = 0x40;
        assert_eq!(sniff(&broken), None);
    }

    fn with_size(tag: &[u8; 4], size: u32, form: &[u8; 4]) -> Vec<u8> {
        let mut v = tag.to_vec();
        v.extend_from_slice(&size.to_le_bytes());
        v.extend_from_slice(form);
        v
    }

    /// A valid MPEG-1 layer III header at 128 kbps, 44100 Hz: 417-byte frames.
    const MP3_HDR: [u8; 4] = [0xFF, 0xFB, 0x90, 0x00];

    #[test]
    fn containers() {
        assert_eq!(sniff(b""), Some("empty"));
        assert_eq!(sniff(&with_size(b"RIFF", 36, b"WAVE")), Some("wav"));
        assert_eq!(sniff(&with_size(b"RIFF", 36, b"AVI ")), Some("riff"));
        assert_eq!(sniff(b"RIFF\x24\0"), Some("wav"));
        assert_eq!(sniff(&with_size(b"RF64", u32::MAX, b"WAVE")), Some("rf64"));
        assert_eq!(sniff(&with_size(b"FORM", 36, b"AIFF")), Some("aiff"));
        assert_eq!(sniff(&with_size(b"FORM", 36, b"AIFC")), Some("aifc"));
        assert_eq!(sniff(b"fLaC\0\0\0\x22"), Some("flac"));
        assert_eq!(sniff(b"caff\0\x01\0\0"), Some("caf"));
        assert_eq!(sniff(b"\0\0\0\x20ftypM4A \0\0\0\0"), Some("m4a"));
        assert_eq!(sniff(b"\0\0\0\x20ftypisom\0\0\0\0"), Some("mp4"));
        assert_eq!(sniff(b"\0\0\0\x14ftyp3gp4"), Some("3gp"));
        assert_eq!(sniff(b"#!AMR\n\x3c"), Some("amr"));
        assert_eq!(sniff(b"#!AMR-WB\n"), Some("amr-wb"));
        assert_eq!(sniff(b"#!AMR_MC1.0\n\0\0\0\x01"), Some("amr-mc"));
        assert_eq!(sniff(b"#!AMR-WB_MC1.0\n"), Some("amr-wb-mc"));
        assert_eq!(
            sniff(&[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11]),
            Some("wma")
        );
        assert_eq!(sniff(b".snd\0\0\0\x18"), Some("au"));
        assert_eq!(sniff(&[0x1A, 0x45, 0xDF, 0xA3, 0x01]), Some("mkv"));
    }

    #[test]
    fn ogg_codecs() {
        let page = |packet: &[u8]| {
            let mut v = b"OggS\0\x02".to_vec();
            v.extend_from_slice(&[0; 20]);
            v.push(1); // one segment
            v.push(packet.len() as u8);
            v.extend_from_slice(packet);
            v
        };
        assert_eq!(sniff(&page(b"OpusHead\x01\x01")), Some("opus"));
        assert_eq!(sniff(&page(b"\x01vorbis\0\0")), Some("vorbis"));
        assert_eq!(sniff(&page(b"\x7fFLAC\x01\0")), Some("ogg-flac"));
        assert_eq!(sniff(&page(b"Speex   1.2")), Some("speex"));
        assert_eq!(sniff(&page(b"whatever")), Some("ogg"));
        assert_eq!(sniff(b"OggS"), Some("ogg"));
    }

    #[test]
    fn mp3_by_id3_or_frame_sync() {
        assert_eq!(sniff(b"ID3\x04\0\0\0\0\0\x05"), Some("mp3"));
        // ID3 in front of FLAC
        let mut v = b"ID3\x04\0\0\0\0\0\x02\0\0".to_vec();
        v.extend_from_slice(b"fLaC");
        assert_eq!(sniff(&v), Some("flac"));
        // one frame header alone
        assert_eq!(sniff(&MP3_HDR), Some("mp3"));
        // two frames 417 bytes apart
        let mut two = vec![0u8; 417 + 4];
        two[..4].copy_from_slice(&MP3_HDR);
        two[417..].copy_from_slice(&MP3_HDR);
        assert_eq!(sniff(&two), Some("mp3"));
        // a sync-like start not followed by a second frame is not MP3
        two[417] = 0x12;
        assert_eq!(sniff(&two), None);
        // reserved bitrate, rate or layer are not MP3
        assert_eq!(sniff(&[0xFF, 0xFB, 0xF0, 0x00]), None);
        assert_eq!(sniff(&[0xFF, 0xFB, 0x9C, 0x00]), None);
        // layer 0 is ADTS, and a 4-byte ADTS header is too short to be one
        assert_eq!(sniff(&[0xFF, 0xF9, 0x90, 0x00]), None);
    }

    #[test]
    fn frame_lengths() {
        assert_eq!(mpeg_frame_len(&MP3_HDR, 0), Some(417));
        // padded
        assert_eq!(mpeg_frame_len(&[0xFF, 0xFB, 0x92, 0x00], 0), Some(418));
        // MPEG-2 layer III, 8 kbps... at 8000 Hz is MPEG-2.5: 72 * 8000 / 8000 = 72
        assert_eq!(mpeg_frame_len(&[0xFF, 0xE3, 0x18, 0x00], 0), Some(72));
    }

    #[test]
    fn adts() {
        // AAC-LC 44100 Hz, frame length 0x100 = 256
        let mut v = vec![0u8; 256 + 7];
        let hdr = [0xFF, 0xF1, 0x50, 0x80, 0x20, 0x1F, 0xFC];
        v[..7].copy_from_slice(&hdr);
        v[256..].copy_from_slice(&hdr);
        assert_eq!(sniff(&v), Some("aac"));
        v[256] = 0;
        assert_eq!(sniff(&v), None);
    }

    #[test]
    fn implausible_magic_is_not_enough() {
        assert_eq!(sniff(b"ID3\x09\0\0\0\0\0\0"), None);
        assert_eq!(sniff(b"OggS\x05\0\0"), None);
    }

    #[test]
    fn raw_adpcm_is_unknown() {
        assert_eq!(sniff(&[0x08, 0x80, 0x08, 0x80, 0x77, 0x12]), None);
        assert_eq!(sniff(&[0u8; 64]), None);
    }

    #[test]
    fn labels() {
        assert_eq!(format_label("mp3"), "MP3");
        assert_eq!(format_label("aif"), "AIFF");
        assert_eq!(format_label("nonsense"), "unknown");
    }
}
