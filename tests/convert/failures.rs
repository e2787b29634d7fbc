//! What a conversion refuses, and what it leaves behind: inputs at fault,
//! requests at fault (an output that exists, or is the input), folders it
//! cannot write, damaged audio (converted with a warning up to a bound),
//! and the temporary files of runs that were killed.

use super::*;
use voxprep::{Setting, Usage};

#[test]
fn truncated_input_fails_unless_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let input = conv("truncated-s16-8000Hz-mono.wav");
    let e = refused(
        &input,
        &dir.path().join("out.wav"),
        &ConvertOptions::default(),
        "ends early: 0.250 s decoded of the 0.500 s its header declares",
    );
    assert!(
        matches!(e.kind(), voxprep::Error::Truncated { .. }),
        "{e:?}"
    );
    let accept = ConvertOptions {
        decode: voxprep::decode::DecodeOptions {
            accept_truncated: true,
            ..Default::default()
        },
        ..ConvertOptions::default()
    };
    let (_dir, out, c) = converted_afresh(&input, &accept);
    assert_warns(
        &c,
        "audio missing: the file ends early, 0.250 s decoded of the 0.500 s",
    );
    assert_eq!(wav_samples(&out).1.len(), 2000);
}

#[test]
fn hostile_inputs_fail_clearly_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wav");
    let opts = ConvertOptions::default();
    for (input, expect) in faulty_inputs(inputs.path()) {
        // The input is at fault, not the request.
        let e = refused(&input, &out, &opts, expect);
        assert!(e.usage().is_none(), "{e:?}");
    }
    let e = refused(
        &conv("tone-8000Hz.vox"),
        &dir.path().join("x.wav"),
        &ConvertOptions {
            rate: 11025,
            ..vox()
        },
        "8000",
    );
    assert!(
        matches!(
            e.usage(),
            Some(Usage::Setting {
                setting: Setting::Rate,
                ..
            })
        ),
        "{e:?}"
    );
}

#[test]
fn existing_output_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = kept_output(dir.path());
    let input = conv("tone-s16-8000Hz-mono.wav");
    let e = refused(&input, &out, &ConvertOptions::default(), "exists");
    assert!(matches!(e.usage(), Some(Usage::OutputExists(_))), "{e:?}");
    assert_eq!(fs::read(&out).unwrap(), b"keep me");
    converted(&input, &out, &forced(ConvertOptions::default()));
    assert_replaced(&out);
}

#[test]
fn output_that_is_the_input_is_refused_however_spelled() {
    let dir = tempfile::tempdir().unwrap();
    let (input, spellings) = input_and_its_spellings(dir.path());
    let original = fs::read(&input).unwrap();
    let force = forced(ConvertOptions::default());
    for spelled in spellings {
        let e = refused(&input, &spelled, &force, "is the input");
        assert!(matches!(e.usage(), Some(Usage::OutputIsInput(_))), "{e:?}");
    }
    assert_eq!(fs::read(&input).unwrap(), original);
}

#[test]
fn unwritable_output_folder_fails_and_leaves_nothing() {
    let u = unwritable();
    let e = convert_file(
        &conv("tone-s16-8000Hz-mono.wav"),
        &u.target,
        &ConvertOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("cannot create the output"), "{e}");
    assert_eq!(listing(&u.ro), Vec::<String>::new());
}

#[test]
fn corrupt_packets_are_skipped_counted_and_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ConvertOptions::default();
    // One damaged FLAC frame of 47: skipped, counted, converted with a warning.
    let c = converted(
        &conv("corrupt-one-frame-8000Hz-mono.flac"),
        &dir.path().join("c.wav"),
        &opts,
    );
    assert_warns(&c, "lost to corrupt data and skipped");
    // More than 5% lost: a failure, and no output.
    refused(
        &conv("corrupt-many-frames-48000Hz-mono.flac"),
        &dir.path().join("c2.wav"),
        &opts,
        "of the audio is corrupt",
    );
    // MP3: symphonia resyncs silently; the loss shows against the LAME
    // header's length, and is loss (the file is whole), not truncation.
    let c = converted(
        &conv("corrupt-mid-44100Hz-stereo.mp3"),
        &dir.path().join("c3.wav"),
        &opts,
    );
    assert_warns(&c, "the header declares (unreadable data skipped)");
}

/// SIGKILL cannot be caught: the next conversion into that folder removes
/// what a killed run left (its process gone, the file untouched for 10 min).
#[cfg(target_os = "linux")]
#[test]
fn a_killed_runs_temporary_file_is_removed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join(".old.wav.4999999-0.tmp.wav");
    fs::write(&stale, b"half a file").unwrap();
    fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
        .unwrap();
    let c = converted(
        &conv("tone-s16-8000Hz-mono.wav"),
        &dir.path().join("new.wav"),
        &ConvertOptions::default(),
    );
    assert!(!stale.exists());
    assert_warns(&c, "removed 1 temporary file(s)");
    assert_eq!(listing(dir.path()), vec!["new.wav".to_string()]);
}

/// The output length limit (`DecodeOptions::max_seconds`, 4 hours by
/// default) stops a conversion as the decoded length passes it, before the
/// output grows further, and leaves nothing behind.
#[test]
fn an_input_longer_than_the_limit_is_refused_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("long.wav");
    let mut opts = ConvertOptions::default();
    opts.decode.max_seconds = 1;
    // 1.8 s of speech.
    let e = refused(
        &fixture("check/pass-8000hz-prompt.wav"),
        &out,
        &opts,
        "longer than the limit of 1 s",
    );
    assert!(matches!(e.kind(), Error::Limit(_)), "{e:?}");
    assert!(!out.exists());
    assert_no_temporary_files(dir.path());
    assert_eq!(ConvertOptions::default().decode.max_seconds, 4 * 3600);
}

/// benches/mutate.sh found it: a float WAV whose bytes hold NaN (a run of
/// 0xFF) panicked in the resampler's FFT. NaN and the infinities are
/// silence, huge values capped; the file converts to both formats.
#[test]
fn float_wav_with_nan_and_infinities_converts() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("nan-f32-48000Hz-mono.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(&input, spec).unwrap();
    for i in 0..4800 {
        let v = match i {
            1000..1062 => f32::NAN,
            2000 => f32::INFINITY,
            2001 => f32::NEG_INFINITY,
            3000 => f32::MAX,
            _ => 0.5 * (i as f32 * 0.0576).sin(),
        };
        w.write_sample(v).unwrap();
    }
    w.finalize().unwrap();
    for format in [OutputFormat::Wav, OutputFormat::Vox] {
        let opts = ConvertOptions {
            format,
            ..ConvertOptions::default()
        };
        let (_dir, out, _) = converted_afresh(&input, &opts);
        assert!(fs::metadata(&out).unwrap().len() > 0);
    }
}
