//! Decoders of the telephony codecs no dependency of ours decodes: pure
//! functions of bytes, no I/O, each tested sample for sample against a
//! reference decoder (sox, ffmpeg). [`crate::decode`] puts them behind
//! [`crate::decode::AudioReader`].

// Not yet called outside the tests: the reader takes it up in a change of
// its own.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) mod g722;
