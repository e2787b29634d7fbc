//! Each input family to WAV and to VOX: the length, the format and the
//! level of what is written, read back by hound, sox and ffmpeg, and the
//! decoders' own output where nothing needs changing.

use super::*;
use crate::common::have_tool;
use std::process::Command;
use voxprep::check::{CheckOptions, check_path};
use voxprep::decode::DecodeOptions;
use voxprep::spec::Verdict;
use voxprep::vox::DecoderFlavor;

fn ceil_len(frames: u64, from: u64, to: u64) -> u64 {
    (frames * to).div_ceil(from)
}

/// Every input family, to WAV and to VOX: passes check, exact length, sox agrees.
#[test]
fn every_input_family_converts_to_wav_and_vox() {
    // (fixture, input frames, input rate) - AAC in M4A is exact too: trimmed
    // by its edit list (symphonia 0.6 does not; voxprep reads `elst` itself).
    let cases: &[(&str, u64, u64)] = &[
        ("tone-44100Hz-stereo.mp3", 22050, 44100),
        ("tone-48000Hz-mono.flac", 24001, 48000),
        ("tone-44100Hz-stereo.ogg", 22050, 44100),
        ("opus-48000Hz-mono.opus", 14400, 48000),
        ("tone-44100Hz-mono.m4a", 22050, 44100),
        ("tone-22050Hz-mono.aiff", 11031, 22050),
        ("tone-f32-48000Hz-mono.wav", 24001, 48000),
        ("tone-s24-48000Hz-mono.wav", 24001, 48000),
        ("tone-s16-44100Hz-stereo.wav", 22051, 44100),
        ("tone-s16-96000Hz-mono.wav", 48001, 96000),
        ("tone-8000Hz.vox", 4002, 8000),
    ];
    let dir = tempfile::tempdir().unwrap();
    for &(name, frames, rate) in cases {
        for (opts, out_rate) in [
            (wav_at(8000), 8000u64),
            (vox(), 8000),
            (wav_at(11025), 11025),
        ] {
            let ext = opts.format.extension();
            let out = dir.path().join(format!("{name}.{out_rate}.{ext}"));
            let c = converted(&conv(name), &out, &opts);
            assert_ne!(c.check.verdict, Verdict::Fail, "{name} -> {ext}: {c:#?}");
            let report = check_path(&out, &CheckOptions::default());
            assert_ne!(
                report.verdict,
                Verdict::Fail,
                "{name} -> {ext}: {:?}",
                report.problems
            );
            let want = ceil_len(frames, rate, out_rate);
            let got = if ext == "wav" {
                let (spec, s) = wav_samples(&out);
                assert_eq!(
                    (spec.channels, spec.sample_rate, spec.bits_per_sample),
                    (1, out_rate as u32, 16)
                );
                // Plain 44-byte header, format tag 1.
                let bytes = fs::read(&out).unwrap();
                assert_eq!(&bytes[12..16], b"fmt ");
                assert_eq!(u32::from_le_bytes(bytes[16..20].try_into().unwrap()), 16);
                assert_eq!(u16::from_le_bytes([bytes[20], bytes[21]]), 1);
                assert_eq!(&bytes[36..40], b"data");
                s.len() as u64
            } else {
                fs::metadata(&out).unwrap().len() * 2
            };
            // VOX: two samples a byte, an odd count leaves one padding nibble.
            let want = if ext == "vox" {
                want.div_ceil(2) * 2
            } else {
                want
            };
            assert_eq!(got, want, "{name} -> {ext} at {out_rate}");
            sox_reads_back(&out, ext == "vox", out_rate as u32, got);
        }
    }
    // Nothing but outputs in the folder: no temporary files.
    assert_no_temporary_files(dir.path());
}

/// AAC in M4A: the edit list's priming (1024 frames from ffmpeg's encoder)
/// is skipped and its padding cut, so the audio lines up with ffmpeg's own
/// decode, which applies the same edit at the start.
#[test]
fn m4a_priming_is_skipped_as_ffmpeg_skips_it() {
    use voxprep::decode::AudioReader;
    let input = conv("tone-44100Hz-mono.m4a");
    let mut reader = AudioReader::open_path(&input, &DecodeOptions::default()).unwrap();
    let mut ours = Vec::new();
    while let Some(chunk) = reader.next_chunk().unwrap() {
        ours.extend_from_slice(chunk.samples);
    }
    assert_eq!(
        ours.len(),
        22050,
        "0.5 s at 44.1 kHz, as the edit list says"
    );
    if !have_tool("ffmpeg") {
        return;
    }
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&input)
        .args(["-f", "f32le", "-"])
        .output()
        .unwrap();
    let theirs: Vec<f32> = out
        .stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert!(theirs.len() >= ours.len(), "ffmpeg gave {}", theirs.len());
    // The best lag between the two decodes is 0 (untrimmed it was 1024).
    let error_at = |lag: usize| -> f64 {
        ours.iter()
            .zip(&theirs[lag..])
            .take(20_000)
            .map(|(a, b)| f64::from(a - b).powi(2))
            .sum()
    };
    let best = (0..=2112)
        .min_by(|&a, &b| error_at(a).total_cmp(&error_at(b)))
        .unwrap();
    assert_eq!(best, 0);
    let signal: f64 = ours
        .iter()
        .take(20_000)
        .map(|&a| f64::from(a).powi(2))
        .sum();
    let snr = 10.0 * (signal / error_at(0)).log10();
    assert!(snr > 40.0, "two AAC decoders agree to {snr:.1} dB");
}

/// Lossy and resampled inputs keep their level: a -6 dBFS 440 Hz tone stays near -6 dBFS.
#[test]
fn level_survives_the_pipeline() {
    for name in [
        "tone-s16-96000Hz-mono.wav",
        "tone-48000Hz-mono.flac",
        "tone-s24-48000Hz-mono.wav",
    ] {
        let (_dir, out, _) = converted_afresh(&conv(name), &ConvertOptions::default());
        // After the first 50 ms: a tone that starts at full amplitude
        // overshoots by up to 0.9 dB for a few ms in any high-pass.
        let db = peak_dbfs(&wav_samples(&out).1[400..]);
        assert!((db + 6.0).abs() < 0.3, "{name}: peak {db:.2} dBFS");
    }
}

/// A conversion and a check of its output give the same duration. The
/// speech fixture is 28 110 samples, 3.51375 s: both say 3.513 s (whole
/// milliseconds); `convert` used to round it to 3.514 s.
#[test]
fn convert_and_check_agree_on_the_duration() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("speech.vox");
    let c = converted(&fixture("vox/speech-espeak-8000Hz.wav"), &out, &vox());
    assert_eq!((c.input_duration_s(), c.duration_s()), (3.513, 3.513));
    assert_eq!(c.check.duration_s, Some(3.513));
    let checked = check_path(&out, &CheckOptions::default());
    assert_eq!(checked.duration_s, Some(3.513));
}

/// Neither rate nor level changes: the samples are copied bit for bit,
/// with `--keep-dc` and by default (the tone has no offset). With an
/// offset, the default high-pass takes it out and leaves the tone.
#[test]
fn untouched_conversion_is_bit_exact() {
    let input = conv("tone-s16-8000Hz-mono.wav");
    let a = wav_samples(&input).1;
    for opts in [
        keep_dc(ConvertOptions::default()),
        ConvertOptions::default(),
    ] {
        let (_dir, out, c) = converted_afresh(&input, &opts);
        assert_eq!(wav_samples(&out).1, a, "{opts:?}");
        assert!(!c.high_pass);
    }
    let dir = tempfile::tempdir().unwrap();
    let offset = dir.path().join("offset.wav");
    write_wav(&offset, a.iter().map(|&v| v / 2 + 1000));
    let (_dir, out, c) = converted_afresh(&offset, &ConvertOptions::default());
    assert!(c.high_pass);
    let b = wav_samples(&out).1;
    // A 440 Hz tone passes the 60 Hz high-pass at its level (-0.04 dB),
    // shifted in phase (11 degrees): compare levels after the onset. The
    // offset (3% of full scale) is gone.
    let rms =
        |x: &[i16]| (x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / x.len() as f64).sqrt();
    let half: Vec<i16> = a.iter().map(|&v| v / 2).collect();
    let db = 20.0 * (rms(&b[400..]) / rms(&half[400..])).log10();
    assert!(db.abs() < 0.1, "{db:.3} dB");
    let mean = b[400..].iter().map(|&v| f64::from(v)).sum::<f64>() / (b.len() - 400) as f64;
    assert!(mean.abs() < 10.0, "{mean}");
}

/// VOX to WAV is the decoder's output, bit for bit (the exact decoder = sox's).
#[test]
fn vox_to_wav_is_the_decoder_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("v.wav");
    let vox = conv("tone-8000Hz.vox");
    let bytes = fs::read(&vox).unwrap();
    converted(&vox, &out, &keep_dc(ConvertOptions::default()));
    let ours = wav_samples(&out).1;
    assert_eq!(ours, voxprep::vox::decode(&bytes, DecoderFlavor::Exact));
    if have_tool("sox") {
        let raw = Command::new("sox")
            .args(["-t", "vox", "-r", "8000"])
            .arg(&vox)
            .args(["-t", "raw", "-e", "signed", "-b", "16", "-L", "-"])
            .output()
            .unwrap()
            .stdout;
        let sox: Vec<i16> = raw
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(ours, sox);
    }
    // Another decoder flavour gives another (valid) result: that flavour's.
    let out2 = dir.path().join("v2.wav");
    let shift_add = ConvertOptions {
        decode: DecodeOptions {
            vox_decoder: DecoderFlavor::ShiftAdd,
            ..DecodeOptions::default()
        },
        ..keep_dc(ConvertOptions::default())
    };
    converted(&vox, &out2, &shift_add);
    let theirs = wav_samples(&out2).1;
    assert_eq!(theirs.len(), ours.len());
    assert_eq!(
        theirs,
        voxprep::vox::decode(&bytes, DecoderFlavor::ShiftAdd)
    );
    assert_ne!(theirs, ours);
}

#[test]
fn a_vox_name_on_a_container_is_decoded_as_the_container() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("really-mp3.vox");
    fs::copy(conv("tone-44100Hz-stereo.mp3"), &fake).unwrap();
    let (_out_dir, out, c) = converted_afresh(&fake, &ConvertOptions::default());
    assert_eq!(
        (
            c.source.codec.as_str(),
            c.source.sample_rate,
            c.source.channels
        ),
        ("mp3", 44100, 2)
    );
    assert_eq!(wav_samples(&out).1.len(), 4000);
}

/// Assert that sox reads `p` back as expected (skips loudly without sox).
fn sox_reads_back(p: &Path, vox: bool, rate: u32, frames: u64) {
    if !have_tool("sox") {
        return;
    }
    let mut cmd = Command::new("sox");
    if vox {
        cmd.args(["-t", "vox", "-r", "8000"]);
    }
    let out = cmd.arg(p).args(["-n", "stat"]).output().unwrap();
    assert!(
        out.status.success(),
        "sox failed on {}: {}",
        p.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stderr);
    let read: u64 = text
        .lines()
        .find(|l| l.starts_with("Samples read"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert_eq!(read, frames, "sox sample count of {}", p.display());
    if !vox {
        let info = Command::new("soxi").arg(p).output().unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(info.contains(&format!("Sample Rate    : {rate}")), "{info}");
        assert!(info.contains("Channels       : 1"), "{info}");
        assert!(info.contains("16-bit Signed Integer PCM"), "{info}");
    }
}
