//! GSM 06.10 full-rate speech decoder (ETSI EN 300 961, "RPE-LTP"), bit-exact
//! with libgsm, which sox, `untoast` and ffmpeg's `libgsm` decoders use.
//!
//! A frame is 20 ms: 260 bits of coded parameters (see [`frame`]) become 160
//! samples at 8 kHz. Per frame, as in the standard's decoder (clause 4.3):
//!
//! 1. for each of the four 40-sample subframes, RPE decoding ([`rpe`]) and
//!    long-term (pitch) synthesis ([`long_term`]) rebuild the short-term
//!    residual;
//! 2. short-term synthesis ([`short_term`]) filters the frame's 160 residual
//!    samples through the lattice the log-area ratios describe;
//! 3. de-emphasis, upscaling by 2 and truncation to a multiple of 8 make the
//!    output (4.3.5 to 4.3.7).
//!
//! Section numbers are GSM 06.10's, which libgsm's comments also use; ETSI
//! EN 300 961 numbers the same clauses one higher (4.3.2 is its 5.3.2).
//!
//! Two packings are read: the raw frame of `.gsm` files (33 bytes, a 0xD
//! signature nibble) and the WAV49 block of WAV format 0x0031 (65 bytes, two
//! frames). Pure functions of bytes: the caller reads files and chunks.

mod arith;
mod frame;
mod long_term;
mod rpe;
mod short_term;
mod tables;

use arith::{add, mult_r};
use frame::Params;
use long_term::LongTerm;
use short_term::ShortTerm;

/// Bytes of a raw GSM 06.10 frame: the signature nibble and 260 bits.
pub(crate) const FRAME_BYTES: usize = 33;
/// Samples a frame decodes to (20 ms at 8 kHz).
pub(crate) const FRAME_SAMPLES: usize = 160;
/// Bytes of a WAV49 block (WAV format tag 0x0031, `nBlockAlign`): two frames
/// of 260 bits, no signature.
pub(crate) const WAV49_BLOCK_BYTES: usize = 65;
/// Samples a WAV49 block decodes to (`wSamplesPerBlock`).
pub(crate) const WAV49_BLOCK_SAMPLES: usize = 2 * FRAME_SAMPLES;
/// The signature in the high nibble of a raw frame's first byte.
pub(crate) const SIGNATURE: u8 = 0xD;

/// De-emphasis coefficient, 0.86 in Q15 (GSM 06.10 4.3.5).
const DEEMPHASIS: i16 = 28180;

/// A raw frame whose high nibble is not [`SIGNATURE`]: not GSM 06.10, or a
/// stream that lost its frame alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("gsm: frame signature nibble is {nibble:#x}, not 0xd")]
pub(crate) struct BadSignature {
    /// The nibble found.
    pub(crate) nibble: u8,
}

/// A GSM 06.10 decoder: the state one frame leaves to the next. One stream,
/// one decoder; frames in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GsmDecoder {
    /// Long-term synthesis: the last 120 residual samples and the last lag.
    long_term: LongTerm,
    /// Short-term synthesis: the previous log-area ratios and the lattice.
    short_term: ShortTerm,
    /// msr, the de-emphasis filter's last output.
    msr: i16,
}

impl GsmDecoder {
    /// A decoder at the start of a stream (all state zero, lag 40).
    pub(crate) fn new() -> GsmDecoder {
        GsmDecoder {
            long_term: LongTerm::new(),
            short_term: ShortTerm::new(),
            msr: 0,
        }
    }

    /// Decode one raw 33-byte frame (0xD signature nibble, then the
    /// parameters most significant bit first) to 160 samples at 8 kHz.
    ///
    /// # Errors
    ///
    /// [`BadSignature`] when the first nibble is not 0xD; `out` and the
    /// decoder's state are then untouched. This is libgsm's behaviour
    /// (`gsm_decode` returns -1 before decoding), and sox, which decodes with
    /// libgsm, ends the stream at such a frame. ffmpeg's native decoder warns
    /// and decodes the bits anyway. Refusing leaves the choice to the caller:
    /// stop as sox does, or skip the frame and go on with the same state.
    pub(crate) fn decode_frame(
        &mut self,
        frame: &[u8; FRAME_BYTES],
        out: &mut [i16; FRAME_SAMPLES],
    ) -> Result<(), BadSignature> {
        let nibble = frame[0] >> 4;
        if nibble != SIGNATURE {
            return Err(BadSignature { nibble });
        }
        self.decode_params(&Params::from_frame(frame), out);
        Ok(())
    }

    /// Decode one 65-byte WAV49 block (two frames packed least significant
    /// bit first, no signature) to 320 samples. Any 65 bytes are a block.
    pub(crate) fn decode_wav49_block(
        &mut self,
        block: &[u8; WAV49_BLOCK_BYTES],
        out: &mut [i16; WAV49_BLOCK_SAMPLES],
    ) {
        let (halves, _) = out.as_chunks_mut::<FRAME_SAMPLES>();
        for (params, half) in Params::from_wav49(block).iter().zip(halves) {
            self.decode_params(params, half);
        }
    }

    /// The decoder proper (GSM 06.10 4.3) on one frame's parameters.
    fn decode_params(&mut self, params: &Params, out: &mut [i16; FRAME_SAMPLES]) {
        let mut wt = [0; FRAME_SAMPLES];
        let (subframes, _) = wt.as_chunks_mut::<{ rpe::SUBFRAME_SAMPLES }>();
        for (sub, drp) in params.subframes.iter().zip(subframes) {
            let erp = rpe::decode(sub.xmaxc, sub.mc, &sub.xmc);
            *drp = self.long_term.synthesize(sub.nc, sub.bc, &erp);
        }
        self.short_term.synthesize(&params.larc, &wt, out);
        self.postprocess(out);
    }

    /// De-emphasis, upscaling and truncation (GSM 06.10 4.3.5 to 4.3.7):
    /// `msr = s + mult_r(msr, 0.86)`, output `2 msr` with its low 3 bits
    /// cleared, both saturated.
    fn postprocess(&mut self, s: &mut [i16; FRAME_SAMPLES]) {
        for x in s {
            self.msr = add(*x, mult_r(self.msr, DEEMPHASIS));
            *x = add(self.msr, self.msr) & !7;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_bad_signature_is_refused_and_changes_nothing() {
        let mut frame = [0x5A; FRAME_BYTES];
        let mut dec = GsmDecoder::new();
        let mut out = [7; FRAME_SAMPLES];
        frame[0] = 0xD5;
        dec.decode_frame(&frame, &mut out).unwrap();
        let (before, out_before) = (dec.clone(), out);
        for nibble in (0..16).filter(|&n| n != SIGNATURE) {
            frame[0] = (nibble << 4) | 5;
            assert_eq!(
                dec.decode_frame(&frame, &mut out),
                Err(BadSignature { nibble })
            );
            assert_eq!((&dec, out), (&before, out_before), "nibble {nibble:#x}");
        }
        assert_eq!(
            BadSignature { nibble: 0xc }.to_string(),
            "gsm: frame signature nibble is 0xc, not 0xd"
        );
    }

    #[test]
    fn a_block_is_two_frames_with_one_state() {
        // The same parameters, packed both ways, decode to the same samples.
        let block: [u8; WAV49_BLOCK_BYTES] = std::array::from_fn(|i| (i * 37 + 11) as u8);
        let [first, second] = Params::from_wav49(&block);
        let mut reference = GsmDecoder::new();
        let mut two = [0; WAV49_BLOCK_SAMPLES];
        let (halves, _) = two.as_chunks_mut::<FRAME_SAMPLES>();
        reference.decode_params(&first, &mut halves[0]);
        reference.decode_params(&second, &mut halves[1]);
        let mut dec = GsmDecoder::new();
        let mut out = [0; WAV49_BLOCK_SAMPLES];
        dec.decode_wav49_block(&block, &mut out);
        assert_eq!((out, dec), (two, reference));
    }

    proptest! {
        #[test]
        fn any_signed_frames_decode_without_panic(
            frames in prop::collection::vec(prop::collection::vec(any::<u8>(), FRAME_BYTES), 1..6)
        ) {
            let mut dec = GsmDecoder::new();
            for bytes in frames {
                let mut frame = [0; FRAME_BYTES];
                frame.copy_from_slice(&bytes);
                frame[0] = (SIGNATURE << 4) | (frame[0] & 0x0F);
                let mut out = [0; FRAME_SAMPLES];
                prop_assert!(dec.decode_frame(&frame, &mut out).is_ok());
                prop_assert!(out.iter().all(|s| s % 8 == 0));
            }
        }

        #[test]
        fn any_blocks_decode_without_panic(
            blocks in prop::collection::vec(prop::collection::vec(any::<u8>(), WAV49_BLOCK_BYTES), 1..4)
        ) {
            let mut dec = GsmDecoder::new();
            for bytes in blocks {
                let mut block = [0; WAV49_BLOCK_BYTES];
                block.copy_from_slice(&bytes);
                let mut out = [0; WAV49_BLOCK_SAMPLES];
                dec.decode_wav49_block(&block, &mut out);
                prop_assert!(out.iter().all(|s| s % 8 == 0));
            }
        }
    }
}

/// The decoder against sox's decodings of the files in `fixtures/gsm`
/// (fixtures/README.md says how each was made), sample for sample.
#[cfg(test)]
mod golden {
    use super::*;

    /// Speech and a full-scale sweep, encoded by sox (libgsm).
    const CLIPS: [&str; 2] = ["speech-espeak-8000Hz", "sweep-100-3800Hz-0dBFS-8000Hz"];

    fn bytes(name: &str) -> Vec<u8> {
        crate::test_fixtures::bytes("gsm", name)
    }

    fn wav(name: &str) -> Vec<i16> {
        crate::test_fixtures::wav("gsm", name, 8000)
    }

    /// The data chunk of a WAV49 file, after checking its fmt chunk says GSM
    /// 6.10 (tag 0x0031) in 65-byte blocks.
    fn wav49_data(file: &[u8]) -> &[u8] {
        assert_eq!((&file[..4], &file[8..12]), (&b"RIFF"[..], &b"WAVE"[..]));
        let mut pos = 12;
        let mut saw_fmt = false;
        while pos + 8 <= file.len() {
            let id = &file[pos..pos + 4];
            let len = u32::from_le_bytes(file[pos + 4..pos + 8].try_into().unwrap()) as usize;
            let body = &file[pos + 8..(pos + 8 + len).min(file.len())];
            match id {
                b"fmt " => {
                    let tag = u16::from_le_bytes([body[0], body[1]]);
                    let block_align = u16::from_le_bytes([body[12], body[13]]);
                    assert_eq!((tag, usize::from(block_align)), (0x0031, WAV49_BLOCK_BYTES));
                    saw_fmt = true;
                }
                b"data" => {
                    assert!(saw_fmt, "data before fmt");
                    return body;
                }
                _ => {}
            }
            pos += 8 + len + (len & 1);
        }
        panic!("no data chunk");
    }

    fn decode_raw(file: &[u8]) -> Vec<i16> {
        let (frames, rest) = file.as_chunks::<FRAME_BYTES>();
        assert!(rest.is_empty(), "{} bytes after the last frame", rest.len());
        let mut dec = GsmDecoder::new();
        let mut pcm = Vec::new();
        for (i, frame) in frames.iter().enumerate() {
            let mut out = [0; FRAME_SAMPLES];
            dec.decode_frame(frame, &mut out)
                .unwrap_or_else(|e| panic!("frame {i}: {e}"));
            pcm.extend_from_slice(&out);
        }
        pcm
    }

    /// Whole blocks only; sox counts a pad byte in the data length of an odd
    /// number of blocks.
    fn decode_wav49(data: &[u8]) -> Vec<i16> {
        let (blocks, rest) = data.as_chunks::<WAV49_BLOCK_BYTES>();
        assert!(rest.len() <= 1, "{} bytes after the last block", rest.len());
        let mut dec = GsmDecoder::new();
        let mut pcm = Vec::new();
        for block in blocks {
            let mut out = [0; WAV49_BLOCK_SAMPLES];
            dec.decode_wav49_block(block, &mut out);
            pcm.extend_from_slice(&out);
        }
        pcm
    }

    /// Equal sample for sample, or a message that says where they part.
    fn assert_same(ours: &[i16], sox: &[i16], what: &str) {
        assert_eq!(ours.len(), sox.len(), "{what}: sample count");
        let differ = |(a, b): &(&i16, &i16)| a != b;
        if let Some(i) = ours.iter().zip(sox).position(|p| differ(&p)) {
            let n = ours.iter().zip(sox).filter(differ).count();
            panic!(
                "{what}: {n} samples differ, the first at {i} (frame {}): ours {}, sox {}",
                i / FRAME_SAMPLES,
                ours[i],
                sox[i]
            );
        }
    }

    #[test]
    fn raw_frames_decode_as_sox_does() {
        for clip in CLIPS.into_iter().chain(["random-frames"]) {
            let ours = decode_raw(&bytes(&format!("{clip}.gsm")));
            let sox = wav(&format!("{clip}.gsm.sox-decoded.wav"));
            assert_same(&ours, &sox, clip);
        }
    }

    #[test]
    fn wav49_blocks_decode_as_sox_does() {
        for clip in CLIPS.into_iter().chain(["random-blocks"]) {
            let ours = decode_wav49(wav49_data(&bytes(&format!("{clip}-wav49.wav"))));
            let sox = wav(&format!("{clip}-wav49.sox-decoded.wav"));
            assert_same(&ours, &sox, clip);
        }
    }

    #[test]
    fn both_packings_of_one_encoding_hold_the_same_parameters() {
        // sox encodes a clip the same way for both files; only the packing
        // (and the padding to a whole block) differs.
        for clip in CLIPS {
            let raw = bytes(&format!("{clip}.gsm"));
            let wav49 = bytes(&format!("{clip}-wav49.wav"));
            let (frames, _) = raw.as_chunks::<FRAME_BYTES>();
            let (blocks, _) = wav49_data(&wav49).as_chunks::<WAV49_BLOCK_BYTES>();
            let from_blocks: Vec<Params> = blocks.iter().flat_map(Params::from_wav49).collect();
            assert!(from_blocks.len() - frames.len() <= 1, "{clip}");
            for (i, frame) in frames.iter().enumerate() {
                assert_eq!(
                    Params::from_frame(frame),
                    from_blocks[i],
                    "{clip} frame {i}"
                );
            }
        }
    }

    #[test]
    fn a_bad_signature_mid_stream_stops_nothing_before_it() {
        let mut raw = bytes("speech-espeak-8000Hz.gsm");
        let bad = 40;
        raw[bad * FRAME_BYTES] = 0xC0 | (raw[bad * FRAME_BYTES] & 0x0F);
        let sox = wav("speech-espeak-8000Hz.gsm.sox-decoded.wav");
        let (frames, _) = raw.as_chunks::<FRAME_BYTES>();
        let mut dec = GsmDecoder::new();
        let mut out = [0; FRAME_SAMPLES];
        for (i, frame) in frames[..bad].iter().enumerate() {
            dec.decode_frame(frame, &mut out).unwrap();
            assert_same(&out, &sox[i * FRAME_SAMPLES..][..FRAME_SAMPLES], "before");
        }
        let state = dec.clone();
        assert_eq!(
            dec.decode_frame(&frames[bad], &mut out),
            Err(BadSignature { nibble: 0xC })
        );
        assert_eq!(dec, state);
    }
}
