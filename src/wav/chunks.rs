//! The bytes of single chunks: the `fmt ` chunk (WAVEFORMAT, WAVEFORMATEX,
//! WAVEFORMATEXTENSIBLE) and the `fact` chunk. Each parser takes a slice that
//! the walker read with a bounded buffer, so nothing here allocates.

/// `wFormatTag` of plain PCM.
pub const WAVE_FORMAT_PCM: u16 = 0x0001;
/// `wFormatTag` of WAVE_FORMAT_EXTENSIBLE.
pub const WAVE_FORMAT_EXTENSIBLE: u16 = 0xFFFE;

/// The fixed tail shared by every `KSDATAFORMAT_SUBTYPE_*` GUID that wraps a
/// classic format tag: `xxxxxxxx-0000-0010-8000-00AA00389B71`, as stored on
/// disk (little-endian Data1..Data3) after the first four bytes.
const KSDATAFORMAT_TAIL: [u8; 12] = [
    0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];

/// How many bytes of a `fmt ` chunk the walker reads; the rest is skipped.
/// WAVEFORMATEXTENSIBLE needs 40, codec extras beyond that are not looked at.
pub(crate) const FMT_READ_LIMIT: usize = 64;

/// The `fmt ` chunk's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fmt {
    /// The size the chunk header declares (16 for classic PCM, 18, 40...).
    pub chunk_size: u32,
    /// wFormatTag (1 = PCM, 3 = IEEE float, 0xFFFE = extensible...).
    pub format_tag: u16,
    /// nChannels.
    pub channels: u16,
    /// nSamplesPerSec.
    pub sample_rate: u32,
    /// nAvgBytesPerSec.
    pub byte_rate: u32,
    /// nBlockAlign.
    pub block_align: u16,
    /// wBitsPerSample (for extensible: the container size).
    pub bits_per_sample: u16,
    /// cbSize, when the chunk is long enough to hold it (18 bytes or more).
    pub cb_size: Option<u16>,
    /// For WAVE_FORMAT_EXTENSIBLE: wValidBitsPerSample.
    pub valid_bits_per_sample: Option<u16>,
    /// For WAVE_FORMAT_EXTENSIBLE: dwChannelMask.
    pub channel_mask: Option<u32>,
    /// For WAVE_FORMAT_EXTENSIBLE: the sub-format's format tag (first two bytes
    /// of the GUID), when the GUID is a standard `KSDATAFORMAT_SUBTYPE_*` one.
    pub sub_format_tag: Option<u16>,
    /// For WAVE_FORMAT_EXTENSIBLE: the raw sub-format GUID as stored.
    pub sub_format: Option<[u8; 16]>,
}

impl Fmt {
    /// The format tag that says what the samples are: the sub-format's tag
    /// for WAVE_FORMAT_EXTENSIBLE (when it is a standard one), else `format_tag`.
    pub fn effective_tag(&self) -> u16 {
        match (self.format_tag, self.sub_format_tag) {
            (WAVE_FORMAT_EXTENSIBLE, Some(sub)) => sub,
            (tag, _) => tag,
        }
    }

    /// Whether the samples are stored uncompressed, one block per frame
    /// (PCM, IEEE float, A-law, mu-law, possibly inside extensible).
    pub fn is_uncompressed(&self) -> bool {
        matches!(self.effective_tag(), 0x0001 | 0x0003 | 0x0006 | 0x0007)
    }

    /// Bytes in one frame for uncompressed formats, computed from channels and
    /// bits (`channels * ceil(bits / 8)`); `None` for compressed formats or
    /// when channels or bits are zero.
    pub fn frame_bytes(&self) -> Option<u64> {
        if !self.is_uncompressed() {
            return None;
        }
        let n = u64::from(self.channels) * u64::from(self.bits_per_sample).div_ceil(8);
        (n > 0).then_some(n)
    }
}

/// Why a `fmt ` chunk could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FmtError {
    /// Fewer than the 16 bytes of WAVEFORMAT.
    TooShort {
        /// Bytes available.
        len: usize,
    },
    /// WAVE_FORMAT_EXTENSIBLE without room for its 22 extra bytes.
    ExtensibleTooShort {
        /// Bytes available.
        len: usize,
        /// The declared cbSize, when present.
        cb_size: Option<u16>,
    },
}

/// The byte order of a file's numbers: RIFF is little-endian, RIFX (rare,
/// from old Macs and some DAWs) big-endian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ByteOrder {
    /// RIFF.
    #[default]
    Little,
    /// RIFX.
    Big,
}

impl ByteOrder {
    /// Two bytes as a number.
    pub(crate) fn u16(self, b: [u8; 2]) -> u16 {
        match self {
            ByteOrder::Little => u16::from_le_bytes(b),
            ByteOrder::Big => u16::from_be_bytes(b),
        }
    }

    /// Four bytes as a number.
    pub(crate) fn u32(self, b: [u8; 4]) -> u32 {
        match self {
            ByteOrder::Little => u32::from_le_bytes(b),
            ByteOrder::Big => u32::from_be_bytes(b),
        }
    }
}

/// Parse the first bytes of a `fmt ` chunk (`bytes` may be shorter than the
/// declared `chunk_size` when the walker stopped reading or the file ends).
pub(crate) fn parse_fmt(bytes: &[u8], chunk_size: u32, order: ByteOrder) -> Result<Fmt, FmtError> {
    if bytes.len() < 16 {
        return Err(FmtError::TooShort { len: bytes.len() });
    }
    let u16_at = |at: usize| order.u16([bytes[at], bytes[at + 1]]);
    let u32_at = |at: usize| order.u32([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let mut fmt = Fmt {
        chunk_size,
        format_tag: u16_at(0),
        channels: u16_at(2),
        sample_rate: u32_at(4),
        byte_rate: u32_at(8),
        block_align: u16_at(12),
        bits_per_sample: u16_at(14),
        cb_size: (bytes.len() >= 18).then(|| u16_at(16)),
        valid_bits_per_sample: None,
        channel_mask: None,
        sub_format_tag: None,
        sub_format: None,
    };
    if fmt.format_tag == WAVE_FORMAT_EXTENSIBLE {
        if bytes.len() < 40 || fmt.cb_size.is_some_and(|cb| cb < 22) {
            return Err(FmtError::ExtensibleTooShort {
                len: bytes.len(),
                cb_size: fmt.cb_size,
            });
        }
        fmt.valid_bits_per_sample = Some(u16_at(18));
        fmt.channel_mask = Some(u32_at(20));
        let mut guid = [0u8; 16];
        guid.copy_from_slice(&bytes[24..40]);
        // Data1 (which holds the tag) in the file's order. RIFX writers
        // differ on the rest: sox swaps only the tag's two bytes and keeps
        // the little-endian tail; others store Data1..Data3 big-endian.
        let le_tail = guid[4..] == KSDATAFORMAT_TAIL;
        let (tag, high, tail_ok) = match order {
            ByteOrder::Little => ([guid[0], guid[1]], [guid[2], guid[3]], le_tail),
            ByteOrder::Big if le_tail => ([guid[0], guid[1]], [guid[2], guid[3]], true),
            ByteOrder::Big => (
                [guid[2], guid[3]],
                [guid[0], guid[1]],
                guid[4..8] == [0x00, 0x00, 0x00, 0x10] && guid[8..] == KSDATAFORMAT_TAIL[4..],
            ),
        };
        if tail_ok && high == [0, 0] {
            fmt.sub_format_tag = Some(order.u16(tag));
        }
        fmt.sub_format = Some(guid);
    }
    Ok(fmt)
}

/// `dwSampleLength` of a `fact` chunk, when it holds at least 4 bytes.
pub(crate) fn parse_fact(bytes: &[u8], order: ByteOrder) -> Option<u32> {
    (bytes.len() >= 4).then(|| order.u32([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

/// Whether four bytes can be a chunk id: printable ASCII (space included),
/// as every registered and every sane private id is.
pub(crate) fn is_chunk_id(id: &[u8]) -> bool {
    id.len() == 4 && id.iter().all(|b| (0x20..=0x7E).contains(b))
}

/// A chunk id for messages: `'fmt '` when printable, else hex bytes.
pub fn id_label(id: &[u8; 4]) -> String {
    if is_chunk_id(id) {
        format!(
            "'{}'",
            id.iter().map(|&b| char::from(b)).collect::<String>()
        )
    } else {
        format!("{:02X} {:02X} {:02X} {:02X}", id[0], id[1], id[2], id[3])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcm16(tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
        let align = channels * bits.div_ceil(8);
        let mut v = Vec::new();
        v.extend_from_slice(&tag.to_le_bytes());
        v.extend_from_slice(&channels.to_le_bytes());
        v.extend_from_slice(&rate.to_le_bytes());
        v.extend_from_slice(&(rate * u32::from(align)).to_le_bytes());
        v.extend_from_slice(&align.to_le_bytes());
        v.extend_from_slice(&bits.to_le_bytes());
        v
    }

    #[test]
    fn classic_pcm() {
        let f = parse_fmt(&pcm16(1, 1, 8000, 16), 16, ByteOrder::Little).unwrap();
        assert_eq!(
            (f.format_tag, f.channels, f.sample_rate, f.byte_rate),
            (1, 1, 8000, 16000)
        );
        assert_eq!((f.block_align, f.bits_per_sample, f.cb_size), (2, 16, None));
        assert_eq!(f.frame_bytes(), Some(2));
        assert_eq!(f.effective_tag(), 1);
    }

    #[test]
    fn too_short() {
        assert_eq!(
            parse_fmt(&[1, 0, 1, 0], 4, ByteOrder::Little),
            Err(FmtError::TooShort { len: 4 })
        );
    }

    #[test]
    fn extensible_pcm() {
        let mut b = pcm16(0xFFFE, 1, 8000, 16);
        b.extend_from_slice(&22u16.to_le_bytes());
        b.extend_from_slice(&16u16.to_le_bytes());
        b.extend_from_slice(&4u32.to_le_bytes());
        b.extend_from_slice(&[1, 0, 0, 0]);
        b.extend_from_slice(&KSDATAFORMAT_TAIL);
        let f = parse_fmt(&b, 40, ByteOrder::Little).unwrap();
        assert_eq!(f.sub_format_tag, Some(1));
        assert_eq!(f.valid_bits_per_sample, Some(16));
        assert_eq!(f.channel_mask, Some(4));
        assert_eq!(f.effective_tag(), 1);
        assert!(f.is_uncompressed());
        // a non-standard GUID tail leaves the sub-format unknown
        b[30] ^= 0xFF;
        let f = parse_fmt(&b, 40, ByteOrder::Little).unwrap();
        assert_eq!(f.sub_format_tag, None);
        assert_eq!(f.effective_tag(), 0xFFFE);
        assert_eq!(f.frame_bytes(), None);
        // cbSize too small
        b[16] = 0;
        assert!(matches!(
            parse_fmt(&b, 40, ByteOrder::Little),
            Err(FmtError::ExtensibleTooShort { .. })
        ));
        assert!(matches!(
            parse_fmt(&b[..20], 20, ByteOrder::Little),
            Err(FmtError::ExtensibleTooShort { .. })
        ));
    }

    #[test]
    fn big_endian_fmt() {
        let mut b = Vec::new();
        for v in [1u16, 2] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        for v in [44_100u32, 176_400] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        for v in [4u16, 16] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        let f = parse_fmt(&b, 16, ByteOrder::Big).unwrap();
        assert_eq!((f.format_tag, f.channels, f.sample_rate), (1, 2, 44_100));
        assert_eq!((f.block_align, f.bits_per_sample), (4, 16));
        assert_eq!(parse_fact(&[0, 0, 1, 0], ByteOrder::Big), Some(256));
    }

    #[test]
    fn compressed_has_no_frame_size() {
        let f = parse_fmt(&pcm16(0x11, 1, 8000, 4), 16, ByteOrder::Little).unwrap();
        assert_eq!(f.frame_bytes(), None);
        let f = parse_fmt(&pcm16(1, 0, 8000, 16), 16, ByteOrder::Little).unwrap();
        assert_eq!(f.frame_bytes(), None);
    }

    #[test]
    fn ids() {
        assert!(is_chunk_id(b"fmt "));
        assert!(!is_chunk_id(&[0, 0, 0, 0]));
        assert_eq!(id_label(b"LIST"), "'LIST'");
        assert_eq!(id_label(&[0, 1, 0xFF, 0x20]), "00 01 FF 20");
    }
}
