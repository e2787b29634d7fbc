//! `wav::inspect` and the WAV rules on arbitrary bytes (src/lib.rs says what is asserted).
#![no_main]
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| voxprep_fuzz::inspect(bytes));
