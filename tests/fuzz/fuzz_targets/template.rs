//! The TTS template checker (`template::parse`, `template::check`).
//! src/lib.rs says what is asserted.
#![no_main]
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| voxprep_fuzz::template(bytes));
