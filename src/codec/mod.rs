//! Decoders of the telephony codecs no dependency of ours decodes: pure
//! functions of bytes, no I/O, each tested sample for sample against a
//! reference decoder (sox, ffmpeg). [`crate::decode`] puts them behind
//! [`crate::decode::AudioReader`].

// Not yet called outside its tests: the reader's wiring lands separately.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) mod gsm;
