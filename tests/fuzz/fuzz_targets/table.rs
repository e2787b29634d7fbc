//! The table of texts: `filing::texts::decode` and `parse_delimited`.
//! src/lib.rs says what is asserted.
#![no_main]
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| voxprep_fuzz::table(bytes));
