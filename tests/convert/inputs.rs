//! The files telephony users have (fixtures/telephony, gsm, g722, odd-wav,
//! opus, amr): each decodes to the samples its reference decoder gives (sox,
//! ffmpeg, libopus or opencore-amr, golden files beside it; exact, since
//! every format but Opus decodes to integers a float holds exactly, and Opus
//! within the LSBs its case states), converts to a WAV and a VOX that pass check with the
//! input's duration, and is checked with that duration.

use super::*;
use voxprep::check::{CheckOptions, Fix, check_path};
use voxprep::decode::{AudioReader, DecodeOptions};
use voxprep::spec::Verdict;

/// An input, the options it needs and its reference decoding.
struct Case {
    input: PathBuf,
    reference: PathBuf,
    vox_rate: Option<u32>,
    /// How far a sample may be from the reference's, in 16-bit LSBs (0:
    /// the same float).
    lsb: u32,
}

fn case(input: &str, reference: &str) -> Case {
    Case {
        input: fixture(input),
        reference: fixture(reference),
        vox_rate: None,
        lsb: 0,
    }
}

/// The Opus fixtures and how far opus-pure may be from libopus on each, in
/// LSBs at 16 bits: SILK is bit-exact, CELT (and so hybrid) rounds its
/// float maths differently.
const OPUS: [(&str, u32); 5] = [
    ("speech-silk-16000Hz.opus", 0),
    ("speech-silk-16000Hz.webm", 0),
    ("hybrid-48000Hz.opus", 1),
    ("hybrid-48000Hz.webm", 1),
    ("celt-stereo-48000Hz.opus", 1),
];

/// The AMR fixtures (fixtures/amr) that are whole and undamaged, each with
/// opencore's decoding; the 3GPP files hold the frames of the 12.2 and
/// 23.85 kbit/s ones.
#[cfg(feature = "amr")]
fn amr_cases() -> Vec<Case> {
    let mut v = Vec::new();
    for stem in ["12k2", "4k75", "all-modes", "dtx-7k4"] {
        v.push(case(
            &format!("amr/speech-espeak-8000Hz-{stem}.amr"),
            &format!("amr/speech-espeak-8000Hz-{stem}.opencore-decoded.wav"),
        ));
    }
    for stem in ["23k85", "12k65", "all-modes", "dtx-12k65"] {
        v.push(case(
            &format!("amr/speech-espeak-16000Hz-{stem}.amr"),
            &format!("amr/speech-espeak-16000Hz-{stem}.opencore-decoded.wav"),
        ));
    }
    v.push(case(
        "amr/speech-espeak-8000Hz-12k2.3gp",
        "amr/speech-espeak-8000Hz-12k2.opencore-decoded.wav",
    ));
    v.push(case(
        "amr/speech-espeak-16000Hz-23k85.3gp",
        "amr/speech-espeak-16000Hz-23k85.opencore-decoded.wav",
    ));
    v
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
    for (name, lsb) in OPUS {
        v.push(Case {
            lsb,
            ..case(
                &format!("opus/{name}"),
                &format!("opus/{name}.libopus-decoded.wav"),
            )
        });
    }
    #[cfg(feature = "amr")]
    v.extend(amr_cases());
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

/// A decoding: interleaved floats in -1.0..1.0, its rate and channels.
struct Decoded {
    samples: Vec<f32>,
    rate: u32,
    channels: usize,
}

impl Decoded {
    fn frames(&self) -> u64 {
        (self.samples.len() / self.channels) as u64
    }
}

/// The reference decoding.
fn reference(path: &Path) -> Decoded {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    let samples = match spec.sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(Result::unwrap).collect(),
        hound::SampleFormat::Int => {
            assert_eq!(spec.bits_per_sample, 16, "{}", path.display());
            r.samples::<i16>()
                .map(|s| f32::from(s.unwrap()) / 32768.0)
                .collect()
        }
    };
    Decoded {
        samples,
        rate: spec.sample_rate,
        channels: usize::from(spec.channels),
    }
}

fn decoded(case: &Case) -> Decoded {
    let mut reader = AudioReader::open_path(&case.input, &case.decode_options())
        .unwrap_or_else(|e| panic!("{}: {e}", case.name()));
    let mut samples = Vec::new();
    let mut channels = 0;
    while let Some(chunk) = reader
        .next_chunk()
        .unwrap_or_else(|e| panic!("{}: {e}", case.name()))
    {
        assert!(
            channels == 0 || channels == chunk.channels,
            "{}",
            case.name()
        );
        channels = chunk.channels;
        samples.extend_from_slice(chunk.samples);
    }
    let warnings = reader.warnings();
    assert!(warnings.is_empty(), "{}: {warnings:?}", case.name());
    Decoded {
        samples,
        rate: reader.facts().sample_rate,
        channels: usize::from(reader.facts().channels),
    }
}

/// How far `ours` is from the reference's 16-bit sample `theirs`, in LSBs,
/// once rounded to 16 bits as libopus rounds its own float output.
fn lsb_distance(ours: f32, theirs: f32) -> u32 {
    let ours = (ours * 32768.0).round().clamp(-32768.0, 32767.0);
    (ours - theirs * 32768.0).abs() as u32
}

#[test]
fn every_input_decodes_to_its_reference_samples() {
    for case in cases() {
        let ours = decoded(&case);
        let theirs = reference(&case.reference);
        let name = case.name();
        assert_eq!(
            (ours.rate, ours.channels),
            (theirs.rate, theirs.channels),
            "{name}"
        );
        assert_eq!(ours.samples.len(), theirs.samples.len(), "{name}: length");
        let (ours, theirs) = (&ours.samples, &theirs.samples);
        let off = |i: usize| match case.lsb {
            0 => ours[i] != theirs[i],
            lsb => lsb_distance(ours[i], theirs[i]) > lsb,
        };
        if let Some(i) = (0..ours.len()).find(|&i| off(i)) {
            panic!(
                "{name}: sample {i} is {} where the reference has {} (allowed: {} LSB)",
                ours[i], theirs[i], case.lsb
            );
        }
        // The tolerance stated is the one needed, not a loose bound.
        if case.lsb > 0 {
            let worst = (0..ours.len())
                .map(|i| lsb_distance(ours[i], theirs[i]))
                .max();
            assert_eq!(worst, Some(case.lsb), "{name}");
        }
    }
}

/// Each input converts to a WAV and a VOX that pass check, as long as the
/// input (to the output sample), and check gives the input that duration.
#[test]
fn every_input_converts_and_is_checked_with_its_duration() {
    let dir = tempfile::tempdir().unwrap();
    for case in cases() {
        let theirs = reference(&case.reference);
        let (frames, rate) = (theirs.frames(), theirs.rate);
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
        let want = decoded(&case(src, src)).samples;
        for ext in exts {
            let copy = dir.path().join(format!("prompt.{ext}"));
            fs::copy(fixture(src), &copy).unwrap();
            let got = decoded(&case(&copy.to_string_lossy(), src)).samples;
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
    let err =
        AudioReader::open_path(&raw, &DecodeOptions::default()).expect_err(".raw without a rate");
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

/// Raw GSM under another name (`.wav`, `.vox`, `.ulaw`, `.bin`) is told by
/// its frames: check names it and gives its duration, convert decodes it
/// as sox does.
#[test]
fn misnamed_raw_gsm_is_read_for_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let gsm = fixture("gsm/speech-espeak-8000Hz.gsm");
    let want = reference(&fixture("gsm/speech-espeak-8000Hz.gsm.sox-decoded.wav"));
    for name in [
        "misnamed.wav",
        "misnamed.vox",
        "misnamed.ulaw",
        "misnamed.bin",
    ] {
        let input = dir.path().join(name);
        fs::copy(&gsm, &input).unwrap();
        let report = check_path(&input, &CheckOptions::default());
        assert_eq!(report.verdict, Verdict::Fail, "{name}");
        assert_eq!(report.container.as_deref(), Some("gsm"), "{name}");
        assert_eq!(report.samples, Some(want.frames()), "{name}");
        let said = report.problems[0].message.clone();
        assert!(said.contains("GSM 06.10"), "{name}: {said}");
        assert!(matches!(report.fix, Some(Fix::Convert { .. })), "{name}");
        let got = decoded(&Case {
            input,
            reference: PathBuf::new(),
            vox_rate: None,
            lsb: 0,
        });
        assert_eq!((&got.samples, got.rate), (&want.samples, 8000), "{name}");
    }
}

/// `bytes` written to `dir/name`.
fn written(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

/// An Opus file cut short fails as truncated, or converts what is there
/// with a warning when that is accepted; damaged bytes anywhere give a
/// result or an error, never a panic caught in the decoder.
#[test]
fn cut_or_damaged_opus_is_reported_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let accept = DecodeOptions {
        accept_truncated: true,
        ..DecodeOptions::default()
    };
    let read = |path: &Path, opts: &DecodeOptions| -> voxprep::Result<(u64, Vec<String>)> {
        let mut r = AudioReader::open_path(path, opts)?;
        while r.next_chunk()?.is_some() {}
        Ok((r.stats().frames, r.warnings()))
    };
    for (name, _) in OPUS {
        let bytes = fs::read(fixture(&format!("opus/{name}"))).unwrap();
        let whole = reference(&fixture(&format!("opus/{name}.libopus-decoded.wav"))).frames();

        for at in (0..bytes.len()).step_by(97) {
            let mut damaged = bytes.clone();
            for b in &mut damaged[at..(at + 48).min(bytes.len())] {
                *b ^= 0xA5;
            }
            let path = written(dir.path(), name, &damaged);
            if let Err(e) = read(&path, &DecodeOptions::default()) {
                assert!(
                    !e.to_string().contains("decoder failed"),
                    "{name} at {at}: {e}"
                );
            }
        }

        let cut = written(dir.path(), name, &bytes[..bytes.len() * 85 / 100]);
        let err = read(&cut, &DecodeOptions::default()).expect_err(name);
        match err.kind() {
            Error::Truncated { .. } => {}
            // Cut inside the first page of audio (the CELT file has one):
            // symphonia cannot start the stream.
            Error::Malformed(m) if m.contains("too short to hold audio") => continue,
            _ => panic!("{name}: {err}"),
        }
        let (frames, warnings) = read(&cut, &accept).unwrap();
        assert!(frames > 0 && frames < whole, "{name}: {frames} of {whole}");
        assert!(
            warnings.iter().any(|w| w.contains("ends early")),
            "{name}: {warnings:?}"
        );
    }
}

/// A damaged Ogg page near the end takes its audio with it
/// (symphonia skips it silently, ffmpeg says "CRC mismatch"): the reader
/// finds the page whose checksum fails and says audio was lost.
#[test]
fn a_damaged_ogg_page_is_reported_as_lost_audio() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = fs::read(fixture("opus/speech-silk-16000Hz.opus")).unwrap();
    // The last page of audio but one (the last is short).
    let pages: Vec<usize> = (0..bytes.len() - 4)
        .filter(|&i| &bytes[i..i + 4] == b"OggS")
        .collect();
    let page = pages[pages.len() - 2];
    for b in &mut bytes[page + 300..page + 700] {
        *b ^= 0xA5;
    }
    let path = written(dir.path(), "damaged.opus", &bytes);
    let mut r = AudioReader::open_path(&path, &DecodeOptions::default()).unwrap();
    while r.next_chunk().unwrap().is_some() {}
    let warnings = r.warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("damaged") && w.contains("lost")),
        "{warnings:?}"
    );
}

/// Read `path` to its end with `opts`: the samples and the reader.
#[cfg(feature = "amr")]
fn read_all(path: &Path, opts: &DecodeOptions) -> voxprep::Result<(Vec<f32>, AudioReader)> {
    let mut reader = AudioReader::open_path(path, opts)?;
    let mut samples = Vec::new();
    while let Some(chunk) = reader.next_chunk()? {
        samples.extend_from_slice(chunk.samples);
    }
    Ok((samples, reader))
}

/// AMR files are what check calls a format the provider does not take,
/// with their length, and what convert makes good.
#[cfg(feature = "amr")]
#[test]
fn amr_is_checked_as_audio_convert_can_fix() {
    for case in amr_cases() {
        let report = check_path(&case.input, &CheckOptions::default());
        let name = case.name();
        assert_eq!(report.verdict, Verdict::Fail, "{name}: {report:#?}");
        assert!(
            matches!(report.fix, Some(Fix::Convert { .. })),
            "{name}: {report:#?}"
        );
        assert!(report.duration_s.is_some_and(|d| d > 3.0), "{name}");
    }
}

/// Frames marked damaged (Q bit clear) or lost (NO_DATA in speech for NB,
/// SPEECH_LOST for WB), 20 of 176 (fixtures/amr/damage.py), are counted
/// as corrupt: past the default 5% the file is refused with the count;
/// allowed, it decodes with a warning, as opencore decodes it (a damaged
/// frame from its bits; NB exactly; WB exactly up to its first SPEECH_LOST
/// frame, whose concealment differs from opencore's: 13 dB SNR against
/// it over the file, docs/inputs.md).
#[cfg(feature = "amr")]
#[test]
fn damaged_amr_frames_are_counted_and_decoded_as_opencore_does() {
    for rate in [8000, 16000] {
        let c = case(
            &format!("amr/speech-espeak-{rate}Hz-damaged.amr"),
            &format!("amr/speech-espeak-{rate}Hz-damaged.opencore-decoded.wav"),
        );
        let name = c.name();
        let err = read_all(&c.input, &DecodeOptions::default())
            .err()
            .unwrap_or_else(|| panic!("{name}: read past 11% corrupt frames"));
        assert!(
            err.to_string().contains("20 of 176 packets are corrupt"),
            "{name}: {err}"
        );

        let lenient = DecodeOptions {
            max_bad_packet_share: 0.2,
            ..DecodeOptions::default()
        };
        let (ours, reader) = read_all(&c.input, &lenient).unwrap();
        assert_eq!(reader.stats().bad_packets, 20, "{name}");
        assert_eq!(reader.stats().packets, 156, "{name}");
        assert_eq!(
            reader.warnings(),
            ["20 of 176 packets were corrupt and skipped"],
            "{name}"
        );
        let theirs = reference(&c.reference).samples;
        assert_eq!(ours.len(), theirs.len(), "{name}");
        if rate == 8000 {
            assert!(ours == theirs, "{name}: differs from opencore");
        } else {
            // Frame 25 is the first SPEECH_LOST: 320 samples a frame.
            let exact = 25 * 320;
            assert!(
                ours[..exact] == theirs[..exact],
                "{name}: differs from opencore before the lost frame"
            );
            let signal: f64 = theirs.iter().map(|&x| f64::from(x).powi(2)).sum();
            let error: f64 = ours
                .iter()
                .zip(&theirs)
                .map(|(&a, &b)| f64::from(a - b).powi(2))
                .sum();
            let snr = 10.0 * (signal / error).log10();
            assert!(snr > 12.0, "{name}: {snr:.1} dB against opencore");
        }
    }
}

/// An AMR file cut short: mid-frame, it is truncated (refused unless
/// accepted, then read to its last whole frame with a warning); anywhere,
/// in the storage format or in 3GPP, a result or an error, never a panic.
#[cfg(feature = "amr")]
#[test]
fn truncated_amr_is_refused_or_read_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let nb = fixture("amr/speech-espeak-8000Hz-12k2.amr");
    let bytes = fs::read(&nb).unwrap();
    // 12.2 kbit/s: 32-byte records after the 6-byte magic line; cut the
    // 100th record in the middle.
    assert_eq!((bytes.len() - 6) % 32, 0);
    let cut = dir.path().join("cut.amr");
    fs::write(&cut, &bytes[..6 + 99 * 32 + 10]).unwrap();
    let err = read_all(&cut, &DecodeOptions::default()).unwrap_err();
    assert!(
        matches!(err.kind(), voxprep::Error::Truncated { .. }),
        "{err}"
    );
    let accept = DecodeOptions {
        accept_truncated: true,
        ..DecodeOptions::default()
    };
    let (ours, reader) = read_all(&cut, &accept).unwrap();
    assert_eq!(ours.len(), 99 * 160);
    let theirs = reference(&fixture(
        "amr/speech-espeak-8000Hz-12k2.opencore-decoded.wav",
    ))
    .samples;
    assert!(ours[..] == theirs[..ours.len()]);
    assert!(
        reader.warnings().join(" ").contains("ends early"),
        "{:?}",
        reader.warnings()
    );

    for name in [
        "speech-espeak-8000Hz-all-modes.amr",
        "speech-espeak-16000Hz-dtx-12k65.amr",
        "speech-espeak-8000Hz-12k2.3gp",
    ] {
        let bytes = fs::read(fixture(&format!("amr/{name}"))).unwrap();
        let path = dir.path().join(name);
        for len in (0..bytes.len()).step_by(89) {
            fs::write(&path, &bytes[..len]).unwrap();
            match read_all(&path, &accept) {
                Ok((samples, _)) => assert!(samples.len() <= 200 * 320, "{name} at {len}"),
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
    }
}

/// A `fmt ` chunk of unusual size (17 bytes and its pad byte; 20 bytes
/// whose cbSize says 0) warns `fmt-unusual-size`, and convert cures it: the
/// canonical 44-byte header with the same samples. sox 14.4 cannot read the
/// 17-byte one at all, which is why it warns.
#[test]
fn unusual_fmt_sizes_convert_to_the_canonical_chunk() {
    for name in ["warn-fmt-17-bytes.wav", "warn-fmt-20-bytes-cbsize-0.wav"] {
        let input = fixture(&format!("wav/{name}"));
        let before = check_path(&input, &CheckOptions::default());
        assert!(
            before
                .problems
                .iter()
                .any(|p| p.code == voxprep::spec::Code::FmtUnusualSize),
            "{name}: {:?}",
            before.problems
        );
        assert!(
            matches!(before.fix, Some(Fix::Convert { .. })),
            "{name}: {:?}",
            before.fix
        );
        let (_dir, out, c) = converted_afresh(&input, &keep_dc(ConvertOptions::default()));
        assert_eq!(
            c.check.verdict,
            Verdict::Pass,
            "{name}: {:?}",
            c.check.problems
        );
        let bytes = fs::read(&out).unwrap();
        assert_eq!(
            &bytes[12..20],
            b"fmt \x10\0\0\0",
            "{name}: a 16-byte fmt chunk"
        );
        assert_eq!(&bytes[36..40], b"data");
        // The data chunk (800 samples) is the last chunk of the input.
        let data = fs::read(&input).unwrap();
        assert_eq!(
            &bytes[44..],
            &data[data.len() - 1600..],
            "{name}: the same samples"
        );
    }
    if crate::common::have_tool("sox") {
        let out = std::process::Command::new("sox")
            .arg(fixture("wav/warn-fmt-17-bytes.wav"))
            .args(["-n", "stat"])
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "sox reads a 17-byte fmt chunk now: update the warning"
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("Could not find data chunk"));
    }
}
