//! Headerless audio that voxprep knows by its file name: what is in it, at
//! what rate, and how many samples a number of bytes holds. One table, read
//! by `check` (durations, billing units) and by `decode` (which decoder
//! reads it), so the two cannot disagree about a file.
//!
//! The names are those of Asterisk's and FreeSWITCH's prompt libraries:
//! `.ulaw .ul .mu .pcmu`, `.alaw .al .pcma`, `.sln` (8 kHz) and `.sln12`
//! ... `.sln192`, `.gsm`, `.g722`, plus `.vox` and the rate-less `.raw` and
//! `.pcm` (16-bit signed little-endian whose rate must be given).

use crate::billing::Frames;

/// What a headerless file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Headerless {
    /// Dialogic (OKI) 4-bit ADPCM: two samples a byte, high nibble first.
    Vox,
    /// G.711 mu-law: a byte a sample.
    MuLaw,
    /// G.711 A-law: a byte a sample.
    ALaw,
    /// Signed 16-bit little-endian PCM ("signed linear"), mono.
    Slin,
    /// GSM 06.10 full rate: 33-byte frames of 160 samples.
    Gsm,
    /// G.722 at 64 kbit/s: a byte holds two samples at 16000 Hz.
    G722,
}

/// A headerless format and the rate its name says (`None`: the name says
/// nothing, the rate must be given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Named {
    /// What the file holds.
    pub format: Headerless,
    /// Samples per second.
    pub rate: Option<u32>,
}

/// The headerless format a file extension (without the dot, any case) names.
pub fn by_extension(ext: &str) -> Option<Named> {
    use Headerless::*;
    let (format, rate) = match ext.to_ascii_lowercase().as_str() {
        "vox" => (Vox, 8000),
        "ulaw" | "ul" | "mu" | "pcmu" => (MuLaw, 8000),
        "alaw" | "al" | "pcma" => (ALaw, 8000),
        "sln" => (Slin, 8000),
        "sln12" => (Slin, 12_000),
        "sln16" => (Slin, 16_000),
        "sln24" => (Slin, 24_000),
        "sln32" => (Slin, 32_000),
        "sln44" => (Slin, 44_100),
        "sln48" => (Slin, 48_000),
        "sln96" => (Slin, 96_000),
        "sln192" => (Slin, 192_000),
        "raw" | "pcm" => {
            return Some(Named {
                format: Slin,
                rate: None,
            });
        }
        "gsm" => (Gsm, 8000),
        "g722" => (G722, 16_000),
        _ => return None,
    };
    Some(Named {
        format,
        rate: Some(rate),
    })
}

/// Bytes of one raw GSM 06.10 frame.
pub const GSM_FRAME_BYTES: u64 = 33;
/// Samples of one GSM 06.10 frame.
pub const GSM_FRAME_SAMPLES: u64 = 160;

impl Headerless {
    /// Whole samples in `bytes` bytes of this format (a partial GSM frame or
    /// a half 16-bit sample at the end holds none).
    pub fn frames(self, bytes: u64) -> Frames {
        Frames(match self {
            Headerless::Vox | Headerless::G722 => bytes.saturating_mul(2),
            Headerless::MuLaw | Headerless::ALaw => bytes,
            Headerless::Slin => bytes / 2,
            Headerless::Gsm => bytes / GSM_FRAME_BYTES * GSM_FRAME_SAMPLES,
        })
    }

    /// A short id for JSON's `container` (`vox`, `mulaw`, `alaw`, `slin`,
    /// `gsm`, `g722`).
    pub fn id(self) -> &'static str {
        match self {
            Headerless::Vox => "vox",
            Headerless::MuLaw => "mulaw",
            Headerless::ALaw => "alaw",
            Headerless::Slin => "slin",
            Headerless::Gsm => "gsm",
            Headerless::G722 => "g722",
        }
    }

    /// The format whose [`Headerless::id`] is `id`.
    pub fn from_id(id: &str) -> Option<Headerless> {
        [
            Headerless::Vox,
            Headerless::MuLaw,
            Headerless::ALaw,
            Headerless::Slin,
            Headerless::Gsm,
            Headerless::G722,
        ]
        .into_iter()
        .find(|h| h.id() == id)
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            Headerless::Vox => "headerless Dialogic ADPCM (VOX)",
            Headerless::MuLaw => "raw G.711 mu-law",
            Headerless::ALaw => "raw G.711 A-law",
            Headerless::Slin => "raw signed linear PCM",
            Headerless::Gsm => "raw GSM 06.10",
            Headerless::G722 => "raw G.722",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asterisk_names() {
        let n = by_extension("SLN16").unwrap();
        assert_eq!((n.format, n.rate), (Headerless::Slin, Some(16_000)));
        assert_eq!(by_extension("pcmu").unwrap().format, Headerless::MuLaw);
        assert_eq!(by_extension("al").unwrap().format, Headerless::ALaw);
        assert_eq!(by_extension("raw").unwrap().rate, None);
        assert_eq!(by_extension("g722").unwrap().rate, Some(16_000));
        assert_eq!(by_extension("wav"), None);
    }

    #[test]
    fn samples_from_bytes() {
        assert_eq!(Headerless::Gsm.frames(33 * 10 + 5), Frames(1600));
        assert_eq!(Headerless::Slin.frames(16_001), Frames(8000));
        assert_eq!(Headerless::G722.frames(8000), Frames(16_000));
        assert_eq!(Headerless::MuLaw.frames(8000), Frames(8000));
        assert_eq!(Headerless::Vox.frames(u64::MAX), Frames(u64::MAX));
    }
}
