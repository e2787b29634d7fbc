//! Decoders of the telephony codecs no dependency of ours decodes: pure
//! functions of bytes, no I/O, each tested sample for sample against a
//! reference decoder (sox, ffmpeg). [`crate::decode`] puts them behind
//! [`crate::decode::AudioReader`].

pub(crate) mod g711;
pub(crate) mod g722;
pub(crate) mod gsm;
