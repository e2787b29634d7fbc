//! The input sniffer (`sniff::sniff`, `sniff_reader`).
//! src/lib.rs says what is asserted.
#![no_main]
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| voxprep_fuzz::sniff(bytes));
