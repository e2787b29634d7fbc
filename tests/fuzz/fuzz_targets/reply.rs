//! The provider reply parsers (submit and balance) and their redacted excerpt.
//! src/lib.rs says what is asserted.
#![no_main]
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| voxprep_fuzz::reply(bytes));
