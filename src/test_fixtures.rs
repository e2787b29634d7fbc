//! Reading the files under `fixtures/` in unit tests (fixtures/README.md
//! says how each was made): the codecs' golden vectors; and deterministic
//! noise for tests that need bytes no encoder wrote.

use std::path::PathBuf;

fn path(folder: &str, name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(folder)
        .join(name)
}

/// The bytes of `fixtures/FOLDER/NAME`.
pub(crate) fn bytes(folder: &str, name: &str) -> Vec<u8> {
    let path = path(folder, name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// The samples of `fixtures/FOLDER/NAME`, a 16-bit mono WAV at `rate` Hz.
pub(crate) fn wav(folder: &str, name: &str, rate: u32) -> Vec<i16> {
    let path = path(folder, name);
    let reader = hound::WavReader::open(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.bits_per_sample, spec.sample_rate),
        (1, 16, rate),
        "{path:?}"
    );
    reader
        .into_samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect()
}

/// `n` pseudo-random bytes from `seed` (xorshift64): the same every run.
pub(crate) fn random_bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect()
}

/// `n` samples of full-scale white noise from `seed` (a 32-bit linear
/// congruential generator, its high half): the same every run.
pub(crate) fn noise(seed: u32, n: usize) -> Vec<i16> {
    let mut v = seed;
    (0..n)
        .map(|_| {
            v = v.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (v >> 16) as i16
        })
        .collect()
}

/// `n` samples of a full-scale square, `half` samples at each rail.
pub(crate) fn square(n: usize, half: usize) -> Vec<i16> {
    (0..n)
        .map(|i| {
            if (i / half).is_multiple_of(2) {
                i16::MAX
            } else {
                i16::MIN
            }
        })
        .collect()
}

/// Write `samples` to `path` as a 16-bit mono WAV at `rate` Hz.
#[cfg(feature = "decode")]
pub(crate) fn write_wav(path: &std::path::Path, rate: u32, samples: impl IntoIterator<Item = i16>) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create WAV");
    for s in samples {
        w.write_sample(s).expect("write sample");
    }
    w.finalize().expect("finish WAV");
}
