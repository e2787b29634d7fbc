//! AMR-NB and AMR-WB in the `.amr` storage format (RFC 4867 section 5):
//! the magic line, then one record a 20 ms frame, a header byte
//! (`P FT(4) Q P P`) and the frame's bits padded to whole bytes. The records
//! are cut here and decoded by `rvoip-codec-core` (lib `codec_core`), whose
//! decoders follow the 3GPP fixed-point references (TS 26.073, TS 26.173)
//! and agree with opencore-amr, the decoder sox uses (docs/inputs.md
//! has the figures).
//!
//! Every record gives one frame of samples, as opencore gives it: speech,
//! comfort noise for a SID or NO_DATA record, concealment for WB's
//! SPEECH_LOST, a reserved frame type or a record cut short. Those count
//! as bad frames, and so do a frame the writer marked damaged (Q bit
//! clear; decoded from its bits all the same, as opencore does) and a
//! NO_DATA straight after speech: DTX goes from speech to a pause through
//! a SID, so a NO_DATA there stands for a frame lost (it is decoded the
//! same either way). A reserved frame type says nothing of its length:
//! like sox, the reader takes it for a header alone and reads on from the
//! next byte. WB samples have their two low bits cleared, as the
//! reference decoder's have.
//!
//! The framing here is always built; the decoder only with the `amr`
//! feature.

use super::own::AmrBand;
#[cfg(feature = "amr")]
use codec_core::codecs::amr::AmrCodec;
#[cfg(feature = "amr")]
use codec_core::types::{CodecConfig, CodedFrame, FrameKind, VariableRateCodec};

/// Payload bits of each frame type, 0..=15: NB speech modes 4.75..12.2
/// kbit/s, SID (8), NO_DATA (15); `None` for types reserved or without a
/// defined length in storage (3GPP TS 26.101 table 1a; RFC 4867 section 3.6).
const NB_BITS: [Option<u16>; 16] = [
    Some(95),
    Some(103),
    Some(118),
    Some(134),
    Some(148),
    Some(159),
    Some(204),
    Some(244),
    Some(39),
    None,
    None,
    None,
    None,
    None,
    None,
    Some(0),
];

/// As [`NB_BITS`] for WB: speech modes 6.60..23.85 kbit/s, SID (9),
/// SPEECH_LOST (14), NO_DATA (15) (3GPP TS 26.201 table 2).
const WB_BITS: [Option<u16>; 16] = [
    Some(132),
    Some(177),
    Some(253),
    Some(285),
    Some(317),
    Some(365),
    Some(397),
    Some(461),
    Some(477),
    Some(40),
    None,
    None,
    None,
    None,
    Some(0),
    Some(0),
];

impl AmrBand {
    /// The magic line a storage file starts with.
    pub(super) fn magic(self) -> &'static [u8] {
        match self {
            AmrBand::Narrow => b"#!AMR\n",
            AmrBand::Wide => b"#!AMR-WB\n",
        }
    }

    /// Samples per second.
    pub(super) fn rate(self) -> u32 {
        match self {
            AmrBand::Narrow => 8000,
            AmrBand::Wide => 16_000,
        }
    }

    /// Samples of one 20 ms frame.
    #[cfg(feature = "amr")]
    pub(super) fn frame_samples(self) -> usize {
        match self {
            AmrBand::Narrow => 160,
            AmrBand::Wide => 320,
        }
    }

    fn bits(self, frame_type: u8) -> Option<u16> {
        let table = match self {
            AmrBand::Narrow => &NB_BITS,
            AmrBand::Wide => &WB_BITS,
        };
        table[usize::from(frame_type & 0x0F)]
    }

    /// Bytes of the record whose header byte is `header`, header included
    /// (1 for a reserved frame type).
    pub(super) fn record_len(self, header: u8) -> usize {
        1 + self
            .bits(header >> 3)
            .map_or(0, |b| usize::from(b).div_ceil(8))
    }

    /// The speech modes.
    #[cfg(feature = "amr")]
    fn modes(self) -> u8 {
        match self {
            AmrBand::Narrow => 8,
            AmrBand::Wide => 9,
        }
    }
}

/// Bytes of whole records at the start of `bytes`.
pub(super) fn whole_records(band: AmrBand, bytes: &[u8]) -> usize {
    let mut at = 0;
    while let Some(&header) = bytes.get(at) {
        let len = band.record_len(header);
        if at + len > bytes.len() {
            break;
        }
        at += len;
    }
    at
}

/// One AMR stream's decoder.
#[cfg(feature = "amr")]
pub(super) struct AmrDecoder {
    band: AmrBand,
    codec: Box<AmrCodec>,
    /// The speech mode of the last speech frame: what a gap or a lost
    /// frame is decoded in, as the reference does.
    last_mode: u8,
    /// The last record was speech: a NO_DATA now is a lost frame, not a
    /// pause (DTX enters a pause with a SID first).
    in_speech: bool,
}

/// Frames decoded from a run of records.
#[cfg(feature = "amr")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Decoded {
    /// Speech, comfort noise and pauses, as the file says.
    pub good: u64,
    /// Concealed: damaged (Q bit clear), lost, reserved types, cut short.
    pub bad: u64,
}

#[cfg(feature = "amr")]
impl AmrDecoder {
    pub(super) fn new(band: AmrBand) -> AmrDecoder {
        AmrDecoder {
            band,
            codec: Box::new(new_codec(band)),
            last_mode: 0,
            in_speech: false,
        }
    }

    /// Decode the storage-format records in `bytes` (a record cut short at
    /// the end is decoded as a lost frame) into `out`, one frame of
    /// samples each.
    pub(super) fn decode_records(&mut self, bytes: &[u8], out: &mut Vec<i16>) -> Decoded {
        let mut n = Decoded::default();
        let mut at = 0;
        while let Some(&header) = bytes.get(at) {
            let end = at
                .saturating_add(self.band.record_len(header))
                .min(bytes.len());
            if self.decode(&bytes[at..end], out) {
                n.good += 1;
            } else {
                n.bad += 1;
            }
            at = end;
        }
        n
    }

    /// Decode the record `record` (header byte first, as long as
    /// [`AmrBand::record_len`] says) into `out`, one frame of samples;
    /// whether the record was a good one (not damaged, lost or reserved).
    pub(super) fn decode(&mut self, record: &[u8], out: &mut Vec<i16>) -> bool {
        let n = self.band.frame_samples();
        let Some((&header, payload)) = record.split_first() else {
            return false;
        };
        let frame_type = (header >> 3) & 0x0F;
        let quality_ok = header & 0x04 != 0;
        let sid = match self.band {
            AmrBand::Narrow => 8,
            AmrBand::Wide => 9,
        };
        let speech = frame_type < self.band.modes();
        let whole = self
            .band
            .bits(frame_type)
            .is_some_and(|b| payload.len() == usize::from(b).div_ceil(8));
        // A frame marked damaged (Q bit clear) is counted bad but decoded
        // from its bits as a good one: opencore does so (it reads no Q bit
        // in the storage format), where the 3GPP receiver would conceal it.
        let (kind, good) = match frame_type {
            t if speech => {
                self.last_mode = t;
                (FrameKind::Speech, quality_ok && whole)
            }
            t if t == sid => (FrameKind::ComfortNoise, quality_ok && whole),
            // Nothing sent: a pause in DTX, decoded (as the reference does)
            // by the DTX state; straight after speech, a frame lost.
            15 => (FrameKind::NoData, !self.in_speech),
            // SPEECH_LOST (WB) and the reserved types.
            _ => (FrameKind::Lost, false),
        };
        self.in_speech = speech;
        let mode = if kind == FrameKind::Speech {
            frame_type
        } else {
            self.last_mode
        };
        let frame = CodedFrame {
            kind,
            mode,
            quality_ok: true,
            data: payload.to_vec(),
        };
        let start = out.len();
        let good = match self.guarded(&frame) {
            Some(pcm) if pcm.len() == n => {
                out.extend_from_slice(&pcm);
                good
            }
            _ => {
                // The decoder refused the frame: conceal it as lost, and
                // give silence when even that fails.
                let lost = CodedFrame {
                    kind: FrameKind::Lost,
                    mode: self.last_mode,
                    quality_ok: false,
                    data: Vec::new(),
                };
                match self.guarded(&lost) {
                    Some(pcm) if pcm.len() == n => out.extend_from_slice(&pcm),
                    _ => {
                        out.truncate(start);
                        out.resize(start + n, 0);
                    }
                }
                false
            }
        };
        if self.band == AmrBand::Wide {
            // The WB reference decoder's output has 14 significant bits: it
            // clears the two low ones (TS 26.173 `D_IF_decode`, opencore
            // too); rvoip-codec-core leaves them, and agrees above them.
            for s in &mut out[start..] {
                *s &= !3;
            }
        }
        good
    }

    /// Decode one frame, `None` on an error or a panic inside the decoder
    /// (after which it starts afresh: its state is unknown).
    fn guarded(&mut self, frame: &CodedFrame) -> Option<Vec<i16>> {
        let codec = &mut self.codec;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| codec.decode_frame(frame))) {
            Ok(decoded) => decoded.ok(),
            Err(_) => {
                *self.codec = new_codec(self.band);
                None
            }
        }
    }
}

#[cfg(feature = "amr")]
fn new_codec(band: AmrBand) -> AmrCodec {
    let config = match band {
        AmrBand::Narrow => CodecConfig::amr_nb(),
        AmrBand::Wide => CodecConfig::amr_wb(),
    };
    // The default configurations are valid by construction: a failure here
    // is a bug in the crate, not something a file can cause.
    AmrCodec::new(&config).unwrap_or_else(|e| panic!("amr: the default {band:?} codec: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_lengths_follow_the_frame_type() {
        // NB 12.2 kbit/s: 244 bits = 31 bytes, plus the header.
        assert_eq!(AmrBand::Narrow.record_len(7 << 3 | 4), 32);
        // NB 4.75 kbit/s (frame type 0): 95 bits = 12 bytes.
        assert_eq!(AmrBand::Narrow.record_len(4), 13);
        assert_eq!(AmrBand::Narrow.record_len(8 << 3 | 4), 6);
        assert_eq!(AmrBand::Narrow.record_len(15 << 3 | 4), 1);
        assert_eq!(AmrBand::Narrow.record_len(12 << 3), 1);
        // WB 23.85 kbit/s: 477 bits = 60 bytes.
        assert_eq!(AmrBand::Wide.record_len(8 << 3 | 4), 61);
        assert_eq!(AmrBand::Wide.record_len(9 << 3 | 4), 6);
        assert_eq!(AmrBand::Wide.record_len(14 << 3), 1);
        // The padding bits around the type do not matter.
        assert_eq!(AmrBand::Narrow.record_len(0x80 | 7 << 3 | 7), 32);
    }

    #[test]
    fn whole_records_stop_before_a_cut_one() {
        let mut bytes = vec![7 << 3 | 4];
        bytes.extend_from_slice(&[0; 31]);
        bytes.push(15 << 3 | 4);
        bytes.push(7 << 3 | 4);
        bytes.extend_from_slice(&[0; 10]);
        assert_eq!(whole_records(AmrBand::Narrow, &bytes), 33);
        assert_eq!(whole_records(AmrBand::Narrow, &[]), 0);
    }

    /// Every frame type with every payload pattern tried: one frame of
    /// samples each, never a panic, bad frames said to be bad.
    #[cfg(feature = "amr")]
    #[test]
    fn any_record_gives_one_frame() {
        for band in [AmrBand::Narrow, AmrBand::Wide] {
            let mut dec = AmrDecoder::new(band);
            let mut seed = 0x1234_5678u32;
            for round in 0..4 {
                for header in 0..=255u8 {
                    let len = band.record_len(header);
                    let mut record = vec![header];
                    record.extend((1..len).map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 17;
                        seed ^= seed << 5;
                        (seed >> 24) as u8
                    }));
                    let mut out = vec![1, 2, 3];
                    let good = dec.decode(&record, &mut out);
                    assert_eq!(out.len(), 3 + band.frame_samples(), "{header:#x}");
                    if band == AmrBand::Wide {
                        assert!(out[3..].iter().all(|s| s & 3 == 0), "14 bits");
                    }
                    let ft = (header >> 3) & 0x0F;
                    let q = header & 4 != 0;
                    if ft < band.modes() && q {
                        assert!(good, "{band:?} round {round}: {header:#x}");
                    }
                    if band.bits(ft).is_none() || !q && ft != 15 {
                        assert!(!good, "{band:?}: {header:#x}");
                    }
                }
            }
        }
    }
}
