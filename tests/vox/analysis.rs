//! What a stream's analysis says of it (decoder disagreement, bytes that
//! are not ADPCM), and the problems `check` reports for VOX files from it.

use super::*;
use crate::common::have_tool;
use std::process::Command;
use voxprep::check::{CheckOptions, FileReport, check_path};
use voxprep::spec::Verdict;
use voxprep::vox::{RawFormat, analyse_stream};

/// The speech fixture four times over (14 s): long enough for the drift
/// of a single-family stream to build up.
fn long_speech() -> Vec<i16> {
    let x = wav("speech-espeak-8000Hz.wav");
    x.iter().copied().cycle().take(4 * x.len()).collect()
}

#[test]
fn sox_stream_disagrees_universal_stream_does_not() {
    // Greedy bytes are sox -D's bytes (see `golden`).
    let sox = analyse_stream(&vox::encode(&long_speech(), EncoderKind::Greedy));
    eprintln!(
        "sox -D stream: {:?}",
        (sox.drift_max, sox.drift_mean, sox.shift_add_snr_db)
    );
    let codes: Vec<_> = voxprep::spec::vox_stream_problems(&sox)
        .iter()
        .map(|p| p.code)
        .collect();
    assert_eq!(codes, ["decoder-disagreement"]);
    let ours = analyse_stream(&vox::encode(&long_speech(), EncoderKind::default()));
    eprintln!(
        "default stream: {:?}",
        (ours.drift_max, ours.drift_mean, ours.shift_add_snr_db)
    );
    assert!(
        voxprep::spec::vox_stream_problems(&ours).is_empty(),
        "{:?}",
        voxprep::spec::vox_stream_problems(&ours)
    );
    assert!(
        ours.shift_add_snr_db.unwrap() > 25.0 && ours.drift_max < 0.02,
        "{ours:?}"
    );
}

#[test]
fn figures_of_the_short_sox_fixture() {
    let a = analyse_stream(&bytes("speech-espeak-8000Hz.sox.vox"));
    assert_eq!(a.samples, wav("speech-espeak-8000Hz.sox.sox-decoded.wav"));
    let snr = a.shift_add_snr_db.unwrap();
    assert!(
        (11.5..12.5).contains(&snr) && (0.04..0.05).contains(&a.drift_max),
        "{a:?}"
    );
}

#[test]
fn non_adpcm_bytes_are_not_adpcm_and_named() {
    // mu-law silence is 0xFF: codes F F... walk into the negative rail.
    // A-law and unsigned 8-bit silence (0xD5, 0x80) decode to small idle
    // patterns instead, so the rails figure alone misses them; but all
    // three push the predictor past the rails by more than s/8 ("ADPCM
    // state errors") on a fifth of their steps or more, which no ADPCM
    // encoder does; and read raw, each is smooth only in its own format.
    for (name, format) in [
        ("not-adpcm-mulaw-speech-8000Hz.vox", RawFormat::MuLaw),
        ("not-adpcm-alaw-speech-8000Hz.vox", RawFormat::ALaw),
        ("not-adpcm-u8-speech-8000Hz.vox", RawFormat::U8),
        ("not-adpcm-s16-speech-8000Hz.vox", RawFormat::S16Le),
    ] {
        let a = analyse_stream(&bytes(name));
        eprintln!(
            "{name}: rails {:.3} longest {} overshoot {:.3} guess {:?}",
            a.rails_share, a.longest_rail_run, a.overshoot_share, a.screen.raw_guess
        );
        assert!(a.overshoot_share > 0.01, "{name}");
        assert_eq!(a.screen.raw_guess.unwrap().format, Some(format), "{name}");
        let p = voxprep::spec::vox_stream_problems(&a);
        let codes: Vec<_> = p.iter().map(|p| p.code).collect();
        assert_eq!(codes, ["not-adpcm"], "{name}");
        assert!(p[0].message.contains(format.label()), "{}", p[0].message);
    }
}

#[test]
fn real_adpcm_is_not_at_the_rails() {
    for clip in CLIPS {
        for tool in ["sox", "sndfile"] {
            let a = analyse_stream(&bytes(&format!("{clip}.{tool}.vox")));
            assert!(a.rails_share <= 0.02, "{clip}: {}", a.rails_share);
            assert_eq!(a.overshoot_share, 0.0, "{clip}.{tool}");
            assert!(
                voxprep::spec::vox_stream_problems(&a)
                    .iter()
                    .all(|p| p.code != "vox-at-rails")
            );
        }
    }
}

// ------------------------------------------------ check on VOX files

// `check` on VOX files: decoded samples reach the signal analysis and the
// VOX problems appear with their figures.

fn check_one(path: &std::path::Path) -> FileReport {
    check_path(path, &CheckOptions::default())
}

fn codes(file: &FileReport) -> Vec<&str> {
    file.problems.iter().map(|p| p.code.as_str()).collect()
}

#[test]
fn sox_vox_of_long_speech_warns_decoder_disagreement() {
    if !have_tool("sox") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("speech-14s.vox");
    let st = Command::new("sox")
        .arg("-D")
        .arg(fixture("vox/speech-espeak-8000Hz.wav"))
        .args(["-t", "vox", "-r", "8000"])
        .arg(&path)
        .args(["repeat", "3"])
        .status()
        .expect("run sox");
    assert!(st.success());
    let f = check_one(&path);
    assert_eq!(f.verdict, Verdict::Warn, "{f:#?}");
    assert!(codes(&f).contains(&"decoder-disagreement"), "{f:#?}");
    let p = f
        .problems
        .iter()
        .find(|p| p.code == "decoder-disagreement")
        .unwrap();
    assert!(
        p.message.contains("dB") && !p.message.contains("voxprep"),
        "{}",
        p.message
    );
    // The exact decoding went through the signal analysis.
    assert_eq!(f.signal.as_ref().unwrap().analysed_samples, 4 * 28110);
}

#[test]
fn our_default_vox_has_no_vox_problems() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("speech.vox");
    let bytes = vox::encode(&wav("speech-espeak-8000Hz.wav"), EncoderKind::default());
    std::fs::write(&path, bytes).expect("write");
    let f = check_one(&path);
    assert!(
        !codes(&f)
            .iter()
            .any(|&c| c == "decoder-disagreement" || c == "vox-at-rails"),
        "{f:#?}"
    );
    assert!(
        f.signal.as_ref().and_then(|s| s.peak_dbfs).is_some(),
        "{f:#?}"
    );
}

#[test]
fn non_adpcm_vox_fails_with_no_signal_and_no_fix() {
    for name in [
        "mulaw-speech-8000Hz",
        "alaw-speech-8000Hz",
        "u8-speech-8000Hz",
        "s16-speech-8000Hz",
        "random",
    ] {
        let f = check_one(&fixture(&format!("vox/not-adpcm-{name}.vox")));
        assert_eq!(f.verdict, Verdict::Fail, "{f:#?}");
        assert_eq!(codes(&f), ["not-adpcm"], "{f:#?}");
        // The decoded noise is no recording: no signal figures, no cure.
        assert!(f.signal.is_none() && f.fix.is_none(), "{f:#?}");
        // The length is the file's all the same.
        assert!(f.duration_s.is_some_and(|d| d > 0.0), "{f:#?}");
    }
    let f = check_one(&fixture("vox/not-adpcm-random.vox"));
    assert!(f.problems[0].message.contains("random data"), "{f:#?}");
    let f = check_one(&fixture("vox/not-adpcm-mulaw-speech-8000Hz.vox"));
    assert!(
        f.problems[0]
            .message
            .contains("probably raw G.711 mu-law (usually named `.ulaw`)"),
        "{f:#?}"
    );
}

#[cfg(feature = "convert")]
#[test]
fn convert_refuses_non_adpcm_vox() {
    use voxprep::convert::{ConvertOptions, convert_file};
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out.wav");
    let err = convert_file(
        &fixture("vox/not-adpcm-mulaw-speech-8000Hz.vox"),
        &out,
        &ConvertOptions::default(),
    )
    .expect_err("not ADPCM");
    let msg = format!("{err:#}");
    assert!(
        msg.contains("not Dialogic ADPCM") && msg.contains("mu-law"),
        "{msg}"
    );
    assert!(!out.exists());
    // Renamed to what it holds, it converts.
    let renamed = dir.path().join("speech.ulaw");
    std::fs::copy(fixture("vox/not-adpcm-mulaw-speech-8000Hz.vox"), &renamed).expect("copy");
    let done = convert_file(&renamed, &out, &ConvertOptions::default()).expect("converts");
    assert_ne!(done.check.verdict, Verdict::Fail, "{:#?}", done.check);
}
