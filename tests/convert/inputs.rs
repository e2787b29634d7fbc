//! The files telephony users have (fixtures/telephony, gsm, g722, odd-wav):
//! each decodes to the samples its reference decoder gives (sox or ffmpeg,
//! golden files beside it; exact, since every format here decodes to
//! integers a float holds exactly), converts to a WAV and a VOX that pass
//! check with the input's duration, and is checked with that duration.

use super::*;
use voxprep::check::{CheckOptions, Fix, check_path};
use voxprep::decode::{AudioReader, DecodeOptions};
use voxprep::spec::Verdict;

/// An input, the options it needs and its reference decoding.
struct Case {
    input: PathBuf,
    reference: PathBuf,
    vox_rate: Option<u32>,
}

fn case(input: &str, reference: &str) -> Case {
    Case {
        input: fixture(input),
        reference: fixture(reference),
        vox_rate: None,
    }
}

fn cases() -> Vec<Case> {
    let mut v = vec![
        case(
            "telephony/speech-8000Hz.ulaw",
            "telephony/speech-8000Hz.ulaw.sox-decoded.wav",
        ),
        case(
            "telephony/speech-8000Hz.alaw",
            "telephony/speech-8000Hz.alaw.sox-decoded.wav",
        ),
        case(
            "telephony/speech-8000Hz.sln",
            "telephony/speech-8000Hz.sln.sox-decoded.wav",
        ),
        case(
            "telephony/speech-16000Hz.sln16",
            "telephony/speech-16000Hz.sln16.sox-decoded.wav",
        ),
        Case {
            vox_rate: Some(6000),
            ..case(
                "telephony/speech-6000Hz.vox",
                "telephony/speech-6000Hz.vox.sox-decoded.wav",
            )
        },
    ];
    for stem in ["speech-espeak-8000Hz", "sweep-100-3800Hz-0dBFS-8000Hz"] {
        v.push(case(
            &format!("gsm/{stem}.gsm"),
            &format!("gsm/{stem}.gsm.sox-decoded.wav"),
        ));
        v.push(case(
            &format!("gsm/{stem}-wav49.wav"),
            &format!("gsm/{stem}-wav49.sox-decoded.wav"),
        ));
    }
    v.push(case(
        "gsm/random-frames.gsm",
        "gsm/random-frames.gsm.sox-decoded.wav",
    ));
    v.push(case(
        "gsm/random-blocks-wav49.wav",
        "gsm/random-blocks-wav49.sox-decoded.wav",
    ));
    for stem in [
        "speech-espeak-16000Hz",
        "sweep-100-7900Hz-16000Hz",
        "noise-burst-16000Hz",
        "crafted-16000Hz",
    ] {
        v.push(case(
            &format!("g722/{stem}.g722"),
            &format!("g722/{stem}.g722.ffmpeg-decoded.wav"),
        ));
    }
    let odd = fixture("odd-wav");
    let mut names: Vec<String> = fs::read_dir(&odd)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".wav") && !n.contains("-decoded"))
        .collect();
    names.sort();
    assert!(names.len() >= 15, "{names:?}");
    for name in names {
        let stem = name.trim_end_matches(".wav");
        let by = if name.starts_with("rifx-") {
            "sox"
        } else {
            "ffmpeg"
        };
        v.push(case(
            &format!("odd-wav/{name}"),
            &format!("odd-wav/{stem}.{by}-decoded.wav"),
        ));
    }
    v
}

impl Case {
    fn decode_options(&self) -> DecodeOptions {
        DecodeOptions {
            vox_rate: self.vox_rate.unwrap_or(8000),
            ..DecodeOptions::default()
        }
    }

    fn check_options(&self) -> CheckOptions {
        CheckOptions {
            vox_rate: self.vox_rate.unwrap_or(8000),
            ..CheckOptions::default()
        }
    }

    fn name(&self) -> String {
        self.input.display().to_string()
    }
}

/// The reference decoding, as floats in -1.0..1.0, and its rate.
fn reference(path: &Path) -> (Vec<f32>, u32) {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    assert_eq!(spec.channels, 1, "{}", path.display());
    let samples = match spec.sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(Result::unwrap).collect(),
        hound::SampleFormat::Int => {
            assert_eq!(spec.bits_per_sample, 16, "{}", path.display());
            r.samples::<i16>()
                .map(|s| f32::from(s.unwrap()) / 32768.0)
                .collect()
        }
    };
    (samples, spec.sample_rate)
}

fn decoded(case: &Case) -> (Vec<f32>, u32) {
    let mut reader = AudioReader::open_path(&case.input, &case.decode_options())
        .unwrap_or_else(|e| panic!("{}: {e}", case.name()));
    let mut samples = Vec::new();
    while let Some(chunk) = reader
        .next_chunk()
        .unwrap_or_else(|e| panic!("{}: {e}", case.name()))
    {
        assert_eq!(chunk.channels, 1, "{}", case.name());
        samples.extend_from_slice(chunk.samples);
    }
    let warnings = reader.warnings();
    assert!(warnings.is_empty(), "{}: {warnings:?}", case.name());
    (samples, reader.facts().sample_rate)
}

#[test]
fn every_input_decodes_to_its_reference_samples() {
    for case in cases() {
        let (ours, rate) = decoded(&case);
        let (theirs, their_rate) = reference(&case.reference);
        assert_eq!(rate, their_rate, "{}", case.name());
        assert_eq!(ours.len(), theirs.len(), "{}: length", case.name());
        if let Some(i) = (0..ours.len()).find(|&i| ours[i] != theirs[i]) {
            panic!(
                "{}: sample {i} is {} where the reference has {}",
                case.name(),
                ours[i],
                theirs[i]
            );
        }
    }
}

/// Each input converts to a WAV and a VOX that pass check, as long as the
/// input (to the output sample), and check gives the input that duration.
#[test]
fn every_input_converts_and_is_checked_with_its_duration() {
    let dir = tempfile::tempdir().unwrap();
    for case in cases() {
        let (theirs, rate) = reference(&case.reference);
        let frames = theirs.len() as u64;
        let name = case.name();

        let input = check_path(&case.input, &case.check_options());
        assert_eq!(input.samples, Some(frames), "{name}: {input:#?}");
        assert_eq!(
            input.duration_s,
            Some((frames * 1000 / u64::from(rate)) as f64 / 1000.0),
            "{name}"
        );
        // What fails is curable, and check says so (a 16-bit 8 kHz mono PCM
        // WAV with a 20-byte fmt chunk is what the provider plays: no fix).
        if input.verdict == Verdict::Fail {
            assert!(
                matches!(input.fix, Some(Fix::Convert { .. })),
                "{name}: {input:#?}"
            );
        }

        for format in [OutputFormat::Wav, OutputFormat::Vox] {
            let opts = ConvertOptions {
                format,
                decode: case.decode_options(),
                ..ConvertOptions::default()
            };
            let out = dir
                .path()
                .join(format!("{}.{}", input_stem(&case), format.extension()));
            let c = converted(&case.input, &out, &opts);
            assert_eq!(c.input_frames, frames, "{name}");
            let want = (frames * 8000).div_ceil(u64::from(rate));
            assert_eq!(c.frames, want, "{name} -> {}", format.extension());
            // VOX holds two samples a byte: an odd count gets a pad nibble.
            let want = match format {
                OutputFormat::Vox => want.div_ceil(2) * 2,
                OutputFormat::Wav => want,
            };
            let report = check_path(&out, &CheckOptions::default());
            assert_ne!(
                report.verdict,
                Verdict::Fail,
                "{name} -> {}: {:?}",
                format.extension(),
                report.problems
            );
            assert_eq!(report.samples, Some(want), "{name}");
        }
    }
}

fn input_stem(case: &Case) -> String {
    let rel = case.input.strip_prefix(fixture("")).unwrap();
    rel.to_string_lossy().replace(['/', '.'], "_")
}

/// Every name Asterisk and FreeSWITCH give these formats reads the same.
#[test]
fn every_telephony_name_reads_as_its_format() {
    let dir = tempfile::tempdir().unwrap();
    let aliases: &[(&str, &[&str])] = &[
        (
            "telephony/speech-8000Hz.ulaw",
            &["ul", "mu", "pcmu", "ULAW"],
        ),
        ("telephony/speech-8000Hz.alaw", &["al", "pcma"]),
        ("telephony/speech-8000Hz.sln", &["SLN"]),
    ];
    for &(src, exts) in aliases {
        let want = decoded(&case(src, src)).0;
        for ext in exts {
            let copy = dir.path().join(format!("prompt.{ext}"));
            fs::copy(fixture(src), &copy).unwrap();
            let got = decoded(&case(&copy.to_string_lossy(), src)).0;
            assert!(got == want, ".{ext} does not read as {src}");
        }
    }
    // The rate an `.slnNN` name says, and `.raw` at the rate given.
    let sln = fixture("telephony/speech-16000Hz.sln16");
    for (ext, rate) in [("sln16", 16000), ("sln48", 48000), ("sln12", 12000)] {
        let copy = dir.path().join(format!("p.{ext}"));
        fs::copy(&sln, &copy).unwrap();
        let r = AudioReader::open_path(&copy, &DecodeOptions::default()).unwrap();
        assert_eq!(r.facts().sample_rate, rate, ".{ext}");
    }
    let raw = dir.path().join("p.raw");
    fs::copy(&sln, &raw).unwrap();
    let Err(err) = AudioReader::open_path(&raw, &DecodeOptions::default()) else {
        panic!(".raw without a rate opened");
    };
    assert!(err.to_string().contains("rate"), "{err}");
    let opts = DecodeOptions {
        input_rate: Some(16000),
        ..DecodeOptions::default()
    };
    assert_eq!(
        AudioReader::open_path(&raw, &opts)
            .unwrap()
            .facts()
            .sample_rate,
        16000
    );
}

/// A 6 kHz VOX read at 8 kHz is a different, shorter recording: check fails
/// it `vox-rate` only when told its real rate, and the fix carries the rate.
#[test]
fn a_6khz_vox_is_billed_at_its_rate() {
    let vox = fixture("telephony/speech-6000Hz.vox");
    let at_6k = check_path(
        &vox,
        &CheckOptions {
            vox_rate: 6000,
            ..CheckOptions::default()
        },
    );
    assert_eq!(at_6k.duration_s, Some(1.0));
    assert_eq!(at_6k.problems[0].code.as_str(), "vox-rate");
    match at_6k.fix {
        Some(Fix::Convert { vox_rate, .. }) => assert_eq!(vox_rate, Some(6000)),
        other => panic!("{other:?}"),
    }
    let at_8k = check_path(&vox, &CheckOptions::default());
    assert_eq!(at_8k.duration_s, Some(0.75));
}
