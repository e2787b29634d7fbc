//! Opus packets, demuxed by symphonia from Ogg or Matroska/WebM, decoded by
//! opus-pure (symphonia 0.6 has no Opus decoder).
//!
//! opus-pure is held to libopus, the reference ffmpeg decodes Opus with
//! (`ffmpeg -c:a libopus`): on `fixtures/opus` SILK decodes bit-exact and
//! hybrid and CELT within one LSB at 16 bits (`tests/convert/inputs.rs`).
//! To get the samples libopus gives, we decode as it does for 16-bit output:
//! at 48 kHz, with the header's output gain, and soft-clipped (the codec
//! rings past full scale; libopus bends such peaks down rather than letting
//! them clip), but keep the float.
//!
//! Where the audio starts and ends (RFC 7845 4.2, 4.4): the first `pre-skip`
//! decoded frames are the encoder's delay, dropped here, taken from the
//! `OpusHead` in both containers (symphonia gives Ogg's as the track delay,
//! and nothing for WebM). The end is trimmed as the demuxer says: Ogg's last
//! granule position arrives as the last packet's `trim_end`; Matroska's
//! `DiscardPadding`, which symphonia 0.6 does not apply, is read by
//! [`super::matroska`] and given through [`OpusStream::set_end`].

use super::matroska::End;
use crate::error::{Error, Result};
use opus_pure::{MAX_PACKET_SAMPLES, OpusDecoder, SoftClip};

/// The rate Opus is decoded at: its own (RFC 7845 4: granule positions and
/// pre-skip count 48 kHz samples), the one libopus's output is compared at.
pub(super) const RATE: u32 = 48_000;

/// What an `OpusHead` (RFC 7845 5.1) says that decoding needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Head {
    /// Output channels, 1 or 2 (channel mapping family 0).
    pub(super) channels: u8,
    /// Frames at 48 kHz to drop from the start.
    pub(super) pre_skip: u16,
    /// Gain to apply, Q7.8 dB.
    pub(super) output_gain_q8: i16,
}

impl Head {
    /// Read an `OpusHead` packet (symphonia's codec extra data in both
    /// containers: Ogg's first packet, Matroska's `CodecPrivate`).
    ///
    /// # Errors
    /// [`Error::Malformed`] when it is missing, short or not an `OpusHead`
    /// of a version we read; [`Error::Unsupported`] for more than two
    /// channels (a multistream surround layout, mapping family 1 or 255).
    pub(super) fn parse(bytes: Option<&[u8]>) -> Result<Head> {
        let malformed = |why: &str| Error::Malformed(format!("decode: opus: {why}"));
        let b = bytes.ok_or_else(|| malformed("no OpusHead header: channels unknown"))?;
        if b.len() < 19 || &b[..8] != b"OpusHead" {
            return Err(malformed("the OpusHead header is missing or cut short"));
        }
        // The upper four bits of the version are the major version: a
        // decoder must refuse any but 0 (RFC 7845 5.1).
        if b[8] >> 4 != 0 {
            return Err(Error::Unsupported(format!(
                "decode: opus: OpusHead version {} is not supported",
                b[8]
            )));
        }
        let (channels, family) = (b[9], b[18]);
        if channels == 0 {
            return Err(malformed("the OpusHead header declares no channels"));
        }
        if family != 0 || channels > 2 {
            return Err(Error::Unsupported(format!(
                "decode: opus with {channels} channels (channel mapping family {family}) \
                 is not supported; voxprep reads mono and stereo Opus"
            )));
        }
        Ok(Head {
            channels,
            pre_skip: u16::from_le_bytes([b[10], b[11]]),
            output_gain_q8: i16::from_le_bytes([b[16], b[17]]),
        })
    }
}

/// A packet opus-pure refused (bad framing in its table of contents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BadPacket(pub(super) String);

/// An Opus stream's decoder and where it stands in the pre-skip.
pub(super) struct OpusStream {
    decoder: OpusDecoder,
    clip: SoftClip,
    channels: usize,
    /// Frames still to drop from the start.
    skip: u64,
    /// Packets seen (decoded or refused).
    seen: u64,
    /// The last packet and its end trim, when the container says so
    /// outside the packets (Matroska's `DiscardPadding`).
    end: Option<End>,
    /// One packet's samples: the longest a packet holds (120 ms).
    pcm: Vec<f32>,
}

impl OpusStream {
    /// A decoder for the stream `head` describes, at [`RATE`].
    ///
    /// # Errors
    /// [`Error::Malformed`] if opus-pure refuses the channel count (it
    /// cannot: [`Head::parse`] lets through only 1 and 2).
    pub(super) fn new(head: Head) -> Result<OpusStream> {
        let channels = usize::from(head.channels);
        let mut decoder = OpusDecoder::new(RATE as i32, channels)
            .map_err(|e| Error::Malformed(format!("decode: opus: {e}")))?;
        decoder.gain_q8 = i32::from(head.output_gain_q8);
        Ok(OpusStream {
            decoder,
            clip: SoftClip::new(channels),
            channels,
            skip: u64::from(head.pre_skip),
            seen: 0,
            end: None,
            pcm: vec![0.0; MAX_PACKET_SAMPLES * channels],
        })
    }

    /// Trim the stream's end as `end` says (see [`super::matroska`]).
    pub(super) fn set_end(&mut self, end: End) {
        self.end = Some(end);
    }

    /// Decode one packet into `out` (replacing what it held), dropping what
    /// is left of the pre-skip and the last `trim_end` frames (or the end
    /// trim [`OpusStream::set_end`] gave, on the packet it names); the
    /// frames kept (0 when the pre-skip or the trim covers the packet).
    ///
    /// # Errors
    /// [`BadPacket`] when opus-pure refuses the packet; `out` is then empty.
    pub(super) fn decode(
        &mut self,
        data: &[u8],
        trim_end: u64,
        out: &mut Vec<f32>,
    ) -> Result<usize, BadPacket> {
        out.clear();
        self.seen += 1;
        let trim_end = match self.end {
            Some(end) if end.packet == self.seen => trim_end.max(end.trim),
            _ => trim_end,
        };
        let n = self
            .decoder
            .decode(data, MAX_PACKET_SAMPLES, &mut self.pcm)
            .map_err(|e| BadPacket(e.to_string()))?;
        let decoded = &mut self.pcm[..n * self.channels];
        self.clip.apply(decoded);
        let (lo, hi) = keep(n as u64, &mut self.skip, trim_end);
        out.extend_from_slice(&decoded[lo as usize * self.channels..hi as usize * self.channels]);
        Ok((hi - lo) as usize)
    }

    /// Output channels.
    pub(super) fn channels(&self) -> usize {
        self.channels
    }
}

/// The frames `[lo, hi)` of a packet of `frames` to keep, with `skip`
/// frames of pre-skip still to drop (counted down) and `trim_end` to drop
/// at its end.
fn keep(frames: u64, skip: &mut u64, trim_end: u64) -> (u64, u64) {
    let hi = frames.saturating_sub(trim_end);
    let lo = (*skip).min(hi);
    *skip -= lo;
    (lo, hi)
}

/// The frames (at 48 kHz) a packet holds, from its table of contents, when
/// it parses: what the stream's clock advances by for it.
pub(super) fn packet_frames(data: &[u8]) -> Option<u64> {
    opus_pure::packet::samples_48k(data).ok().map(|n| n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(channels: u8, pre_skip: u16, family: u8) -> Vec<u8> {
        let mut b = b"OpusHead\x01".to_vec();
        b.push(channels);
        b.extend_from_slice(&pre_skip.to_le_bytes());
        b.extend_from_slice(&48_000u32.to_le_bytes());
        b.extend_from_slice(&(-256i16).to_le_bytes());
        b.push(family);
        b
    }

    #[test]
    fn heads_we_read_and_heads_we_refuse() {
        assert_eq!(
            Head::parse(Some(&head(2, 312, 0))).unwrap(),
            Head {
                channels: 2,
                pre_skip: 312,
                output_gain_q8: -256
            }
        );
        let refused = |b: Option<&[u8]>| Head::parse(b).unwrap_err().to_string();
        assert!(refused(None).contains("no OpusHead"));
        assert!(refused(Some(&head(1, 312, 0)[..18])).contains("cut short"));
        assert!(refused(Some(&head(0, 312, 0))).contains("no channels"));
        assert!(refused(Some(&head(6, 312, 1))).contains("6 channels"));
        assert!(refused(Some(&head(3, 312, 0))).contains("3 channels"));
        let mut v2 = head(1, 312, 0);
        v2[8] = 0x10;
        assert!(refused(Some(&v2)).contains("version 16"));
        assert!(refused(Some(b"OpusTags\x01\x01\0\0\0\0\0\0\0\0\0\0\0")).contains("OpusHead"));
    }

    #[test]
    fn pre_skip_spans_packets_and_the_end_is_trimmed() {
        let mut skip = 1000;
        assert_eq!(keep(960, &mut skip, 0), (960, 960));
        assert_eq!(keep(960, &mut skip, 0), (40, 960));
        assert_eq!(keep(960, &mut skip, 0), (0, 960));
        assert_eq!(keep(960, &mut skip, 648), (0, 312));
        assert_eq!(keep(960, &mut skip, 2000), (0, 0));
        // A stream shorter than its pre-skip keeps nothing.
        let mut skip = 312;
        assert_eq!(keep(960, &mut skip, 900), (60, 60));
    }

    #[test]
    fn corrupt_packets_are_refused_not_a_panic() {
        let mut s = OpusStream::new(Head {
            channels: 1,
            pre_skip: 0,
            output_gain_q8: 0,
        })
        .unwrap();
        let mut out = vec![1.0];
        // Code 3 (frame count follows) with no count byte; a VBR frame length
        // running past the end.
        for bad in [&[0x03][..], &[0xFB, 0x82, 0xFF]] {
            assert!(s.decode(bad, 0, &mut out).is_err(), "{bad:?}");
            assert!(out.is_empty());
        }
        assert_eq!(packet_frames(&[0x03]), None);
        // A 20 ms SILK frame of zeros decodes to 960 frames.
        assert_eq!(packet_frames(&[0x08, 0, 0]), Some(960));
        assert_eq!(s.decode(&[0x08, 0, 0], 0, &mut out), Ok(960));
        let mut seed = 7u32;
        for _ in 0..2000 {
            let len = (seed % 300) as usize;
            let packet: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (seed >> 16) as u8
                })
                .collect();
            let _ = s.decode(&packet, 0, &mut out);
            assert!(out.len() <= MAX_PACKET_SAMPLES);
        }
    }
}
