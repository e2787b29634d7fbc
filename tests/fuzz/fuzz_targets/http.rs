//! The receiver's hand-written HTTP/1.x request reader, then the push parser.
//! src/lib.rs says what is asserted.
#![no_main]
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| voxprep_fuzz::http(bytes));
