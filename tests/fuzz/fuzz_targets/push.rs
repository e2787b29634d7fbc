//! The push parser (`provider::push::classify`); query and body split at the first NUL.
//! src/lib.rs says what is asserted.
#![no_main]
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| voxprep_fuzz::push(bytes));
