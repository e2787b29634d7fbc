//! What `voxprep check` does to a `.vox` file's bytes, and the VOX decoders.
//! src/lib.rs says what is asserted.
#![no_main]
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| voxprep_fuzz::vox(bytes));
