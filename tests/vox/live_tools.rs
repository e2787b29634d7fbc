//! Our streams through the real tools: sox and libsndfile must decode the
//! search encoders' output exactly as our exact decoder does, without sox's
//! "ADPCM state errors", and sox -N must agree with the low-first order;
//! ffmpeg's `adpcm_ima_oki` must decode every encoder's streams, clipped
//! ones included, exactly as our ffmpeg decoder does.

use super::*;
use crate::common::have_tool;
use std::process::Command;

fn sox_decode(vox_path: &std::path::Path, extra: &[&str]) -> (Vec<i16>, String) {
    let out = Command::new("sox")
        .args(extra)
        .args(["-t", "vox", "-r", "8000", "-c", "1"])
        .arg(vox_path)
        .args(["-t", "s16", "-"])
        .output()
        .expect("run sox");
    assert!(
        out.status.success(),
        "sox failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pcm = out
        .stdout
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    (pcm, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The VOX file at `vox_path` decoded by libsndfile's `sndfile-convert`
/// (through a 16-bit WAV at `wav_out`).
fn sndfile_decode(vox_path: &std::path::Path, wav_out: &std::path::Path) -> Vec<i16> {
    let st = Command::new("sndfile-convert")
        .arg("-pcm16")
        .arg(vox_path)
        .arg(wav_out)
        .status()
        .expect("run sndfile-convert");
    assert!(st.success());
    hound::WavReader::open(wav_out)
        .expect("wav")
        .into_samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect()
}

#[test]
fn sox_and_libsndfile_decode_our_streams_like_our_exact_decoder() {
    if !have_tool("sox") || !have_tool("sndfile-convert") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for clip in ["speech-espeak-8000Hz", "square-300Hz-0dBFS-8000Hz"] {
        let x = wav(&format!("{clip}.wav"));
        for kind in [EncoderKind::Search { paths: 16 }, EncoderKind::default()] {
            let bytes = vox::encode(&x, kind);
            let path = dir.path().join(format!("{clip}.vox"));
            std::fs::write(&path, &bytes).expect("write");
            let (pcm, stderr) = sox_decode(&path, &["-V2"]);
            assert_eq!(
                pcm,
                vox::decode(&bytes, DecoderFlavor::Exact),
                "{clip} {kind}: sox"
            );
            assert!(!stderr.contains("state errors"), "{clip} {kind}: {stderr}");
            let back = sndfile_decode(&path, &dir.path().join("out.wav"));
            assert_eq!(
                back,
                vox::decode(&bytes, DecoderFlavor::Exact),
                "{clip} {kind}: sndfile"
            );
        }
    }
}

#[test]
fn sox_reports_state_errors_for_an_overshooting_stream() {
    // Guards the test above: sox does complain when the predictor is
    // driven past the rails beyond the grace (code 7 forever).
    if !have_tool("sox") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("overshoot.vox");
    std::fs::write(&path, [0x77u8; 200]).expect("write");
    let (_, stderr) = sox_decode(&path, &["-V2"]);
    assert!(stderr.contains("state errors"), "sox said: {stderr:?}");
}

#[test]
fn sox_low_nibble_first_matches_our_low_first_decoder() {
    if !have_tool("sox") {
        return;
    }
    let path = fixture("vox/speech-espeak-8000Hz.sox.vox");
    let (pcm, _) = sox_decode(&path, &["-N"]);
    let mut ours = Vec::new();
    Decoder::with_order(DecoderFlavor::Exact, NibbleOrder::LowFirst)
        .decode(&bytes("speech-espeak-8000Hz.sox.vox"), &mut ours);
    assert_eq!(pcm, ours);
}

/// `bytes` decoded by ffmpeg's `adpcm_ima_oki`: ffmpeg has no raw VOX
/// demuxer, so the stream goes in a WAV of format 0x0017 (Dialogic OKI
/// ADPCM), as fixtures/vox/make-ffmpeg.sh does.
fn ffmpeg_decode(dir: &std::path::Path, bytes: &[u8]) -> Vec<i16> {
    let n = u32::try_from(bytes.len()).expect("small stream");
    let mut wav = Vec::with_capacity(bytes.len() + 44);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(n + 36).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    for field in [0x17u16, 1] {
        wav.extend_from_slice(&field.to_le_bytes());
    }
    for field in [8000u32, 4000] {
        wav.extend_from_slice(&field.to_le_bytes());
    }
    for field in [1u16, 4] {
        wav.extend_from_slice(&field.to_le_bytes());
    }
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&n.to_le_bytes());
    wav.extend_from_slice(bytes);
    let path = dir.join("oki.wav");
    std::fs::write(&path, wav).expect("write");
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-i"])
        .arg(&path)
        .args(["-f", "s16le", "-"])
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect()
}

#[test]
fn ffmpeg_decodes_our_streams_like_our_ffmpeg_decoder() {
    if !have_tool("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for clip in [
        "speech-espeak-8000Hz",
        "speech-espeak-clipped-8000Hz",
        "square-300Hz-0dBFS-8000Hz",
    ] {
        let x = wav(&format!("{clip}.wav"));
        for kind in [
            EncoderKind::Greedy,
            EncoderKind::Search { paths: 16 },
            EncoderKind::default(),
        ] {
            let bytes = vox::encode(&x, kind);
            assert_eq!(
                ffmpeg_decode(dir.path(), &bytes),
                vox::decode(&bytes, DecoderFlavor::Ffmpeg),
                "{clip} {kind}: ffmpeg"
            );
        }
    }
    // Arbitrary bytes too: code 7 forever rides the top rail.
    let rail = [0x77u8; 200];
    let pcm = ffmpeg_decode(dir.path(), &rail);
    assert_eq!(pcm, vox::decode(&rail, DecoderFlavor::Ffmpeg));
    assert_eq!(pcm.iter().max(), Some(&32752));
}

/// The default encoder's stream of loud clipped speech plays sample for
/// sample the same on sox, libsndfile and ffmpeg (issue 19): it never takes
/// the predictor above ffmpeg's top rail (2047 x 16), where ffmpeg stops
/// 15 below the others. sox -D's stream of the same input does not.
#[test]
fn default_stream_of_clipped_speech_decodes_alike_on_sox_libsndfile_and_ffmpeg() {
    if !have_tool("sox") || !have_tool("sndfile-convert") || !have_tool("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let x = wav("speech-espeak-clipped-8000Hz.wav");
    let decode_all = |bytes: &[u8]| {
        let path = dir.path().join("clipped.vox");
        std::fs::write(&path, bytes).expect("write");
        let (sox, _) = sox_decode(&path, &[]);
        let sndfile = sndfile_decode(&path, &dir.path().join("sndfile.wav"));
        (sox, sndfile, ffmpeg_decode(dir.path(), bytes))
    };
    let (sox, sndfile, ffmpeg) = decode_all(&vox::encode(&x, EncoderKind::default()));
    assert_eq!(sox.len(), x.len());
    assert!(sox == sndfile, "sox and libsndfile differ");
    let differing = sox.iter().zip(&ffmpeg).filter(|(a, b)| a != b).count();
    assert_eq!(
        differing, 0,
        "ffmpeg differs from sox at {differing} samples"
    );
    assert_eq!(sox.len(), ffmpeg.len());
    // The input does reach the rail: sox's own stream plays differently.
    let (sox, _, ffmpeg) = decode_all(&bytes("speech-espeak-clipped-8000Hz.sox.vox"));
    assert!(sox.iter().zip(&ffmpeg).any(|(a, b)| a != b));
}
