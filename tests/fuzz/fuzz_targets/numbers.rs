//! The `@file` number reader (`Recipients::parse_lines`).
//! src/lib.rs says what is asserted.
#![no_main]
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| voxprep_fuzz::numbers(bytes));
