//! Our own decoders behind [`super::AudioReader`]: bytes read from the
//! file in bounded pieces, cut at whole coding units (a sample frame, a GSM
//! frame, a WAV49 block, an AMR record), and turned into `f32` samples with
//! the same scaling symphonia uses (`i16 / 32768`, `u8 / 128 - 1`...), so a
//! file reads the same whichever decoder reads it.

use crate::codec::g711;
use crate::codec::g722::G722Decoder;
use crate::codec::gsm::{self, GsmDecoder};
use crate::error::{Error, Result};
use crate::vox;
use std::io::{self, Read};

/// How bytes become samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Encoding {
    /// Dialogic ADPCM, high nibble first.
    Vox(vox::DecoderFlavor),
    /// G.711 mu-law.
    MuLaw,
    /// G.711 A-law.
    ALaw,
    /// Integer PCM in `bytes`-byte containers (1: unsigned, else signed).
    Int {
        /// Container bytes a sample (1..=4).
        bytes: u8,
        /// Big-endian (RIFX).
        big_endian: bool,
    },
    /// IEEE float, 4 or 8 bytes.
    Float {
        /// 4 or 8.
        bytes: u8,
        /// Big-endian (RIFX).
        big_endian: bool,
    },
    /// GSM 06.10 in raw 33-byte frames.
    Gsm,
    /// GSM 06.10 in WAV's 65-byte blocks of two frames (WAV49).
    Wav49,
    /// G.722 at 64 kbit/s: a byte holds two samples.
    G722,
    /// AMR in the `.amr` storage format, after the magic line: records of
    /// a header byte and one frame's bits (see [`super::amr`]).
    Amr(AmrBand),
}

/// The two AMR codecs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AmrBand {
    /// AMR-NB (3GPP TS 26.071), 8000 Hz.
    Narrow,
    /// AMR-WB (3GPP TS 26.171, ITU-T G.722.2), 16000 Hz.
    Wide,
}

impl Encoding {
    /// Bytes of one sample of one channel (Vox: a byte holds two samples;
    /// counted as one unit of one byte; AMR: the shortest record, each
    /// record's length being its own).
    fn unit_bytes(self) -> usize {
        match self {
            Encoding::Vox(_)
            | Encoding::MuLaw
            | Encoding::ALaw
            | Encoding::G722
            | Encoding::Amr(_) => 1,
            Encoding::Int { bytes, .. } | Encoding::Float { bytes, .. } => usize::from(bytes),
            Encoding::Gsm => gsm::FRAME_BYTES,
            Encoding::Wav49 => gsm::WAV49_BLOCK_BYTES,
        }
    }

    /// A codec name for [`super::SourceFacts::codec`].
    pub(super) fn name(self) -> String {
        match self {
            Encoding::Vox(_) => "dialogic-adpcm".into(),
            Encoding::MuLaw => "mu-law".into(),
            Encoding::ALaw => "a-law".into(),
            Encoding::Int { bytes: 1, .. } => "pcm_u8".into(),
            Encoding::Int { bytes, big_endian } => {
                format!("pcm_s{}{}", bytes * 8, if big_endian { "be" } else { "le" })
            }
            Encoding::Float { bytes, big_endian } => {
                format!("pcm_f{}{}", bytes * 8, if big_endian { "be" } else { "le" })
            }
            Encoding::Gsm | Encoding::Wav49 => "gsm".into(),
            Encoding::G722 => "g722".into(),
            Encoding::Amr(AmrBand::Narrow) => "amr-nb".into(),
            Encoding::Amr(AmrBand::Wide) => "amr-wb".into(),
        }
    }
}

/// Bytes read from the file at a time.
const PIECE: usize = 64 * 1024;

/// A stream of coded bytes and its decoder.
pub(super) struct ByteStream {
    reader: Box<dyn Read + Send>,
    /// Bytes still to read (`None`: to the end of the file).
    left: Option<u64>,
    encoding: Encoding,
    channels: usize,
    vox: Option<vox::Decoder>,
    /// Whether the `.vox` bytes are ADPCM at all (checked at the end).
    screen: vox::Screen,
    gsm: Option<Box<GsmDecoder>>,
    g722: Option<Box<G722Decoder>>,
    #[cfg(feature = "amr")]
    amr: Option<super::amr::AmrDecoder>,
    bytes: Vec<u8>,
    /// Bytes of a unit split between two reads.
    carried: usize,
    pcm: Vec<i16>,
    /// Bytes of an incomplete last unit, dropped at the end.
    pub(super) dropped_tail: usize,
    /// Units that could not be decoded (a GSM frame without its signature),
    /// given as silence of their length, or that were concealed (an AMR
    /// frame marked damaged or lost).
    pub(super) bad_units: u64,
    /// Units decoded well: coding frames for the framed codecs (GSM, AMR),
    /// pieces for the others; with [`ByteStream::bad_units`], the share
    /// of bad ones.
    pub(super) good_units: u64,
}

impl ByteStream {
    /// Read `left` bytes (or all) of `reader` as `channels` interleaved
    /// channels of `encoding`.
    pub(super) fn new(
        reader: Box<dyn Read + Send>,
        left: Option<u64>,
        encoding: Encoding,
        channels: usize,
    ) -> ByteStream {
        ByteStream {
            reader,
            left,
            encoding,
            channels: channels.max(1),
            vox: match encoding {
                Encoding::Vox(flavor) => Some(vox::Decoder::new(flavor)),
                _ => None,
            },
            screen: vox::Screen::new(),
            gsm: matches!(encoding, Encoding::Gsm | Encoding::Wav49)
                .then(|| Box::new(GsmDecoder::new())),
            g722: (encoding == Encoding::G722).then(|| Box::new(G722Decoder::new())),
            #[cfg(feature = "amr")]
            amr: match encoding {
                Encoding::Amr(band) => Some(super::amr::AmrDecoder::new(band)),
                _ => None,
            },
            bytes: vec![0; PIECE],
            carried: 0,
            pcm: Vec::new(),
            dropped_tail: 0,
            bad_units: 0,
            good_units: 0,
        }
    }

    /// Decode the next piece into `out` (interleaved, -1.0..1.0); returns
    /// the number of samples, 0 at the end.
    pub(super) fn next(&mut self, out: &mut Vec<f32>) -> Result<usize> {
        out.clear();
        let Some((whole, have)) = self.fill()? else {
            return self.ended();
        };
        self.convert(whole, out);
        self.consumed(whole, have);
        Ok(out.len())
    }

    /// Whether [`ByteStream::next_i16`] reads this stream: 16-bit
    /// little-endian PCM, or VOX (whose decoder gives 16-bit samples).
    pub(super) fn has_i16(&self) -> bool {
        matches!(
            self.encoding,
            Encoding::Vox(_)
                | Encoding::Int {
                    bytes: 2,
                    big_endian: false
                }
        )
    }

    /// [`ByteStream::next`] for a stream that [`ByteStream::has_i16`]: the
    /// samples as integers, the very values `next` scales by 1/32768.
    ///
    /// # Errors
    /// Those of `next`; [`Error::Unsupported`] for any other encoding.
    pub(super) fn next_i16(&mut self, out: &mut Vec<i16>) -> Result<usize> {
        out.clear();
        if !self.has_i16() {
            return Err(Error::Unsupported(format!(
                "decode: {} has no 16-bit samples to read",
                self.encoding.name()
            )));
        }
        let Some((whole, have)) = self.fill()? else {
            return self.ended();
        };
        self.good_units += 1;
        let b = &self.bytes[..whole];
        match self.encoding {
            Encoding::Vox(_) => {
                if let Some(dec) = self.vox.as_mut() {
                    let errors = dec.decode_counting(b, out);
                    self.screen.note(b, errors);
                }
            }
            _ => {
                let (pairs, _) = b.as_chunks::<2>();
                out.extend(pairs.iter().map(|&p| i16::from_le_bytes(p)));
            }
        }
        self.consumed(whole, have);
        Ok(out.len())
    }

    /// Read until the buffer holds at least one whole unit: `(whole, have)`,
    /// the bytes of whole units and all the bytes held; `None` at the end
    /// (the incomplete tail, if any, counted in `dropped_tail`).
    fn fill(&mut self) -> Result<Option<(usize, usize)>> {
        let unit = self.encoding.unit_bytes() * self.channels;
        loop {
            let room = PIECE - self.carried;
            let want = match self.left {
                Some(left) => room.min(usize::try_from(left).unwrap_or(usize::MAX)),
                None => room,
            };
            let n = if want == 0 {
                0
            } else {
                read_some(
                    &mut self.reader,
                    &mut self.bytes[self.carried..self.carried + want],
                )?
            };
            if let Some(left) = self.left.as_mut() {
                *left -= n as u64;
            }
            let have = self.carried + n;
            if n == 0 {
                self.dropped_tail = have;
                self.carried = 0;
                return Ok(None);
            }
            let whole = match self.encoding {
                Encoding::Amr(band) => super::amr::whole_records(band, &self.bytes[..have]),
                _ => have - have % unit,
            };
            if whole == 0 {
                self.carried = have;
                continue;
            }
            return Ok(Some((whole, have)));
        }
    }

    /// The `whole` bytes were decoded: keep the rest of the `have` for the
    /// next piece.
    fn consumed(&mut self, whole: usize, have: usize) {
        self.bytes.copy_within(whole..have, 0);
        self.carried = have - whole;
    }

    /// The end of the stream: refuse bytes that decoded as VOX but are not
    /// Dialogic ADPCM (their samples are no recording).
    fn ended(&self) -> Result<usize> {
        match self.encoding {
            Encoding::Vox(_) => match crate::spec::not_adpcm(&self.screen.figures()) {
                Some(p) => Err(Error::Malformed(format!("decode: {}", p.message))),
                None => Ok(0),
            },
            _ => Ok(0),
        }
    }

    /// At the end: whether the last unit was cut short, where that means
    /// the file was cut (an AMR record: the storage format has no length
    /// to tell, and a whole file ends on a whole record).
    pub(super) fn ends_in_a_cut_unit(&self) -> bool {
        self.dropped_tail > 0 && matches!(self.encoding, Encoding::Amr(_))
    }

    fn convert(&mut self, len: usize, out: &mut Vec<f32>) {
        let b = &self.bytes[..len];
        let from_i16 = |s: i16| f32::from(s) / 32_768.0;
        if !matches!(
            self.encoding,
            Encoding::Gsm | Encoding::Wav49 | Encoding::Amr(_)
        ) {
            self.good_units += 1;
        }
        match self.encoding {
            Encoding::Vox(_) => {
                self.pcm.clear();
                if let Some(dec) = self.vox.as_mut() {
                    let errors = dec.decode_counting(b, &mut self.pcm);
                    self.screen.note(b, errors);
                }
                out.extend(self.pcm.iter().map(|&s| from_i16(s)));
            }
            Encoding::Gsm => {
                let mut frame = [0i16; gsm::FRAME_SAMPLES];
                for unit in b.chunks_exact(gsm::FRAME_BYTES) {
                    let decoded = self.gsm.as_mut().and_then(|dec| {
                        let unit: &[u8; gsm::FRAME_BYTES] = unit.try_into().ok()?;
                        dec.decode_frame(unit, &mut frame).ok()
                    });
                    if decoded.is_none() {
                        // A frame without its signature: as long in silence.
                        frame = [0; gsm::FRAME_SAMPLES];
                        self.bad_units += 1;
                    } else {
                        self.good_units += 1;
                    }
                    out.extend(frame.iter().map(|&s| from_i16(s)));
                }
            }
            Encoding::Wav49 => {
                let mut block = [0i16; gsm::WAV49_BLOCK_SAMPLES];
                for unit in b.chunks_exact(gsm::WAV49_BLOCK_BYTES) {
                    if let (Some(dec), Ok(unit)) = (self.gsm.as_mut(), unit.try_into()) {
                        dec.decode_wav49_block(unit, &mut block);
                    }
                    self.good_units += 1;
                    out.extend(block.iter().map(|&s| from_i16(s)));
                }
            }
            Encoding::G722 => {
                self.pcm.clear();
                if let Some(dec) = self.g722.as_mut() {
                    dec.decode(b, &mut self.pcm);
                }
                out.extend(self.pcm.iter().map(|&s| from_i16(s)));
            }
            #[cfg(feature = "amr")]
            Encoding::Amr(_) => {
                self.pcm.clear();
                if let Some(dec) = self.amr.as_mut() {
                    let n = dec.decode_records(b, &mut self.pcm);
                    self.good_units += n.good;
                    self.bad_units += n.bad;
                }
                out.extend(self.pcm.iter().map(|&s| from_i16(s)));
            }
            // Not routed here without the feature (see `route`).
            #[cfg(not(feature = "amr"))]
            Encoding::Amr(_) => {}
            Encoding::MuLaw => out.extend(b.iter().map(|&x| from_i16(g711::mulaw(x)))),
            Encoding::ALaw => out.extend(b.iter().map(|&x| from_i16(g711::alaw(x)))),
            Encoding::Int { bytes: 1, .. } => {
                out.extend(b.iter().map(|&x| f32::from(x) / 128.0 - 1.0));
            }
            Encoding::Int { bytes, big_endian } => {
                let w = usize::from(bytes);
                out.extend(b.chunks_exact(w).map(|s| {
                    // Sign-extend the container into the top of an i32.
                    let mut v = 0u32;
                    for i in 0..w {
                        let byte = if big_endian { s[i] } else { s[w - 1 - i] };
                        v = v << 8 | u32::from(byte);
                    }
                    let v = (v << (32 - 8 * w)) as i32;
                    match w {
                        2 => from_i16((v >> 16) as i16),
                        3 => (v >> 8) as f32 / 8_388_608.0,
                        _ => (f64::from(v) / 2_147_483_648.0) as f32,
                    }
                }));
            }
            Encoding::Float {
                bytes: 4,
                big_endian,
            } => out.extend(b.chunks_exact(4).map(|s| {
                let a = [s[0], s[1], s[2], s[3]];
                if big_endian {
                    f32::from_be_bytes(a)
                } else {
                    f32::from_le_bytes(a)
                }
            })),
            Encoding::Float { big_endian, .. } => out.extend(b.chunks_exact(8).map(|s| {
                let mut a = [0u8; 8];
                a.copy_from_slice(s);
                (if big_endian {
                    f64::from_be_bytes(a)
                } else {
                    f64::from_le_bytes(a)
                }) as f32
            })),
        }
    }
}

/// Read what is there into `buf` (short only at the end of the file).
fn read_some(r: &mut dyn Read, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::Malformed(format!("decode: read failed: {e}"))),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// Reads at most 7 bytes a call, to split units across reads.
    struct Dribble(Cursor<Vec<u8>>);
    impl Read for Dribble {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(7);
            self.0.read(&mut buf[..n])
        }
    }

    fn all(
        bytes: &[u8],
        left: Option<u64>,
        encoding: Encoding,
        channels: usize,
    ) -> (Vec<f32>, usize) {
        let mut s = ByteStream::new(
            Box::new(Dribble(Cursor::new(bytes.to_vec()))),
            left,
            encoding,
            channels,
        );
        let mut got = Vec::new();
        let mut piece = Vec::new();
        while s.next(&mut piece).unwrap() > 0 {
            got.extend_from_slice(&piece);
        }
        (got, s.dropped_tail)
    }

    #[test]
    fn integer_containers_scale_as_symphonia_does() {
        let le = Encoding::Int {
            bytes: 2,
            big_endian: false,
        };
        let (x, tail) = all(&[0x00, 0x80, 0xFF, 0x7F, 0x01], None, le, 1);
        assert_eq!(x, [-1.0, 32_767.0 / 32_768.0]);
        assert_eq!(tail, 1);
        let be = Encoding::Int {
            bytes: 3,
            big_endian: true,
        };
        let (x, _) = all(&[0x80, 0x00, 0x00, 0x00, 0x00, 0x01], None, be, 1);
        assert_eq!(x, [-1.0, 1.0 / 8_388_608.0]);
        let u8s = Encoding::Int {
            bytes: 1,
            big_endian: false,
        };
        assert_eq!(
            all(&[0, 128, 255], None, u8s, 1).0,
            [-1.0, 0.0, 127.0 / 128.0]
        );
        let s32 = Encoding::Int {
            bytes: 4,
            big_endian: false,
        };
        assert_eq!(all(&[0, 0, 0, 0x40], None, s32, 1).0, [0.5]);
    }

    #[test]
    fn a_length_limit_and_whole_frames_of_every_channel() {
        let le = Encoding::Int {
            bytes: 2,
            big_endian: false,
        };
        // Stereo: 2 frames of 4 bytes, then 3 stray bytes cut by the limit.
        let bytes = [1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 9, 9, 9];
        let (x, tail) = all(&bytes, Some(11), le, 2);
        assert_eq!(x.len(), 4);
        assert_eq!(tail, 3);
    }

    #[test]
    fn vox_that_is_not_adpcm_fails_at_the_end() {
        // mu-law bytes of a loud 500 Hz tone: read as ADPCM, state errors.
        let mu: Vec<u8> = (0..8000)
            .map(|i| {
                let s = ((f64::from(i) * std::f64::consts::FRAC_PI_8).sin() * 20_000.0) as i16;
                (0..=255u8)
                    .min_by_key(|&b| (i32::from(g711::mulaw(b)) - i32::from(s)).abs())
                    .unwrap()
            })
            .collect();
        let vox = Encoding::Vox(vox::DecoderFlavor::Exact);
        let mut s = ByteStream::new(Box::new(Cursor::new(mu)), None, vox, 1);
        let mut piece = Vec::new();
        let err = loop {
            match s.next(&mut piece) {
                Ok(0) => panic!("read to the end"),
                Ok(_) => {}
                Err(e) => break e.to_string(),
            }
        };
        assert!(err.contains("not Dialogic ADPCM"), "{err}");
        assert!(err.contains("mu-law"), "{err}");
        // Genuine ADPCM reads to its end.
        let tone: Vec<i16> = (0..8000)
            .map(|i| ((f64::from(i) * std::f64::consts::FRAC_PI_8).sin() * 20_000.0) as i16)
            .collect();
        let bytes = vox::encode(&tone, vox::EncoderKind::Greedy);
        assert_eq!(all(&bytes, None, vox, 1).0.len(), 8000);
    }

    #[test]
    fn g711_bytes() {
        assert_eq!(
            all(&[0x80], None, Encoding::MuLaw, 1).0,
            [32_124.0 / 32_768.0]
        );
        assert_eq!(
            all(&[0xAA], None, Encoding::ALaw, 1).0,
            [32_256.0 / 32_768.0]
        );
    }
}
