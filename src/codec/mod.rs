//! Decoders of the telephony codecs no dependency of ours decodes: pure
//! functions of bytes, no I/O, each tested sample for sample against a
//! reference decoder (sox, ffmpeg). [`crate::decode`] puts them behind
//! [`crate::decode::AudioReader`].

pub(crate) mod g711;
// G.711 also serves the core: the VOX screen reads bytes as µ-law and
// A-law to name what a non-ADPCM `.vox` really is.
#[cfg(feature = "decode")]
pub(crate) mod g722;
#[cfg(feature = "decode")]
pub(crate) mod gsm;
