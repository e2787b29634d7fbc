//! `wav::inspect` and the spec rules on arbitrary bytes: no panic, and facts
//! that agree with the bytes (the same invariants as the proptests in
//! tests/wav.rs, checked with coverage guidance).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use voxprep::spec::{self, Severity};
use voxprep::sniff;
use voxprep::wav::{self, MAX_CHUNKS};

fuzz_target!(|bytes: &[u8]| {
    let facts = wav::inspect(&mut Cursor::new(bytes)).expect("a cursor does not fail");
    let len = bytes.len() as u64;
    assert_eq!(facts.file_len, len);
    assert!(facts.chunks.len() <= MAX_CHUNKS);
    assert!(facts.chunks.windows(2).all(|w| w[0].offset < w[1].offset));
    assert!(facts.chunks.iter().all(|c| c.offset + 8 <= len));
    assert!(facts.trailing <= len);
    if let Some(d) = &facts.data {
        assert!(d.available <= u64::from(d.declared));
        assert!(d.offset + d.available <= len);
        if let Some(n) = facts.frames() {
            let fb = facts.fmt.as_ref().and_then(|f| f.frame_bytes()).unwrap();
            assert!(n.0 * fb <= d.available);
        }
    }
    if let Some(pcm) = facts.pcm16_mono() {
        assert!(pcm.offset + pcm.len <= len && pcm.len == pcm.frames.0 * 2);
    }
    let problems = spec::wav_problems(&facts);
    for p in &problems {
        assert_eq!(p.severity, p.code.severity(), "{p:?}");
    }
    let conforms = problems.iter().all(|p| p.severity != Severity::Error);
    assert_eq!(spec::conforms(&facts), conforms);
    if conforms {
        assert!(facts.pcm16_mono().is_some_and(|p| p.frames.0 > 0));
    }
    let _ = sniff::sniff(bytes);
    let _ = spec::vox_problems(len, &bytes[..bytes.len().min(sniff::SNIFF_LEN)]);
});
