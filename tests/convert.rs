//! `voxprep convert` through the real binary, on real-tool fixtures
//! (fixtures/convert/make.sh says how each was made).

use crate::common::{Voxprep, ffmpeg_lufs, fixture, have_tool, voxprep};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use voxprep::check::{CheckOptions, check_path};
use voxprep::spec::Verdict;

fn conv(name: &str) -> PathBuf {
    fixture(&format!("convert/{name}"))
}

/// Files in `dir` (names), sorted: to prove nothing stray is left behind.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn wav_samples(p: &Path) -> (hound::WavSpec, Vec<i16>) {
    let mut r = hound::WavReader::open(p).unwrap();
    let spec = r.spec();
    (spec, r.samples::<i16>().map(|s| s.unwrap()).collect())
}

fn ceil_len(frames: u64, from: u64, to: u64) -> u64 {
    (frames * to).div_ceil(from)
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

/// Every input family, to WAV and to VOX: exit 0, passes check, exact length, sox agrees.
#[test]
fn every_input_family_converts_to_wav_and_vox() {
    // (fixture, input frames, input rate) - AAC in M4A is exact too: trimmed
    // by its edit list (symphonia 0.6 does not; voxprep reads `elst` itself).
    let cases: &[(&str, u64, u64)] = &[
        ("tone-44100Hz-stereo.mp3", 22050, 44100),
        ("tone-48000Hz-mono.flac", 24001, 48000),
        ("tone-44100Hz-stereo.ogg", 22050, 44100),
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
        for (ext, out_rate) in [("wav", 8000u64), ("vox", 8000), ("wav", 11025)] {
            let out = dir.path().join(format!("{name}.{out_rate}.{ext}"));
            let mut cmd = convert(&conv(name), &out, &[]);
            if out_rate == 11025 {
                cmd.args(["--rate", "11025"]);
            }
            let res = cmd.run().success();
            let stdout = String::from_utf8_lossy(&res.stdout).into_owned();
            assert!(
                stdout.starts_with("converted") || stdout.starts_with("warn"),
                "{stdout}"
            );
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
    assert!(
        listing(dir.path()).iter().all(|n| !n.starts_with('.')),
        "{:?}",
        listing(dir.path())
    );
}

/// AAC in M4A: the edit list's priming (1024 frames from ffmpeg's encoder)
/// is skipped and its padding cut, so the audio lines up with ffmpeg's own
/// decode, which applies the same edit at the start.
#[test]
fn m4a_priming_is_skipped_as_ffmpeg_skips_it() {
    use voxprep::decode::{AudioReader, DecodeOptions};
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
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "tone-s16-96000Hz-mono.wav",
        "tone-48000Hz-mono.flac",
        "tone-s24-48000Hz-mono.wav",
    ] {
        let out = dir.path().join(format!("{name}.wav"));
        convert(&conv(name), &out, &[]).run().success();
        let (_, s) = wav_samples(&out);
        let peak = s.iter().map(|&v| i32::from(v).abs()).max().unwrap();
        let db = 20.0 * (f64::from(peak) / 32768.0).log10();
        assert!((db + 6.0).abs() < 0.3, "{name}: peak {db:.2} dBFS");
    }
}

/// `convert` and `check` show the same duration for the same file. The
/// speech fixture is 28 110 samples, 3.51375 s: both say 3.513 s (whole
/// milliseconds); `convert` used to round it to 3.514 s.
#[test]
fn convert_and_check_show_the_same_duration() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("speech.vox");
    let converted = convert(&fixture("vox/speech-espeak-8000Hz.wav"), &out, &[]).run();
    let text = String::from_utf8_lossy(&converted.stdout);
    assert!(converted.status.success(), "{text}");
    assert!(text.contains("3.513 s -> vox 8000 Hz 3.513 s"), "{text}");
    let checked = voxprep().arg("check").arg(&out).run();
    let text = String::from_utf8_lossy(&checked.stdout);
    assert!(text.contains("3.513 s"), "{text}");
}

/// Neither rate nor level changes: the samples are copied bit for bit.
#[test]
fn untouched_conversion_is_bit_exact() {
    let dir = tempfile::tempdir().unwrap();
    let input = conv("tone-s16-8000Hz-mono.wav");
    let out = dir.path().join("same.wav");
    convert(&input, &out, &[]).run().success();
    assert_eq!(wav_samples(&out).1, wav_samples(&input).1);
}

/// VOX to WAV is the decoder's output, bit for bit (the exact decoder = sox's).
#[test]
fn vox_to_wav_is_the_decoder_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("v.wav");
    let vox = conv("tone-8000Hz.vox");
    convert(&vox, &out, &[]).run().success();
    let ours = wav_samples(&out).1;
    let lib = voxprep::vox::decode(&fs::read(&vox).unwrap(), voxprep::vox::DecoderFlavor::Exact);
    assert_eq!(ours, lib);
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
    // Another decoder flavour gives another (valid) result.
    let out2 = dir.path().join("v2.wav");
    convert(&vox, &out2, &[])
        .args(["--vox-decoder", "shift-add"])
        .run()
        .success();
    assert_eq!(wav_samples(&out2).1.len(), ours.len());
}

#[test]
fn normalize_sets_the_peak() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("n.wav");
    convert(&conv("tone-s16-44100Hz-stereo.wav"), &out, &[])
        .args(["--normalize", "-3"])
        .run()
        .success();
    let (_, s) = wav_samples(&out);
    let peak = s.iter().map(|&v| i32::from(v).abs()).max().unwrap();
    let db = 20.0 * (f64::from(peak) / 32768.0).log10();
    assert!((db + 3.0).abs() < 0.05, "peak {db}");
}

/// `voxprep convert INPUT -o OUT EXTRA...`.
fn convert(input: &Path, out: &Path, extra: &[&str]) -> Voxprep {
    let mut cmd = voxprep();
    cmd.arg("convert").arg(input).arg("-o").arg(out).args(extra);
    cmd
}

fn convert_json(input: &Path, out: &Path, extra: &[&str]) -> serde_json::Value {
    let res = convert(input, out, extra)
        .args(["--format", "json"])
        .run()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    doc["files"][0].clone()
}

#[test]
fn loudness_reaches_the_target_as_ffmpeg_measures_it() {
    let dir = tempfile::tempdir().unwrap();
    for (input, target) in [
        (fixture("vox/speech-espeak-8000Hz.wav"), -30.0),
        (conv("tone-44100Hz-stereo.mp3"), -24.0),
        (conv("tone-s16-44100Hz-stereo.wav"), -19.0),
    ] {
        let out = dir.path().join(format!("l{target}.wav"));
        let row = convert_json(&input, &out, &["--loudness", &target.to_string()]);
        let l = &row["loudness"];
        assert_eq!(l["target_lufs"], target);
        assert_eq!(l["peak_limited"], false, "{row}");
        let after = l["after_lufs"].as_f64().unwrap();
        assert!((after - target).abs() < 0.05, "{input:?}: {after}");
        let gain = row["gain_db"].as_f64().unwrap();
        let before = l["before_lufs"].as_f64().unwrap();
        assert!((before + gain - target).abs() < 1e-6, "{row}");
        if let Some(theirs) = ffmpeg_lufs(&out) {
            assert!(
                (theirs - target).abs() <= 0.15,
                "{input:?}: ffmpeg says {theirs}"
            );
        }
        if let Some(theirs) = ffmpeg_lufs(&input) {
            // The input as ffmpeg measures it: at its own rate (the tones
            // sit below 4 kHz, so resampling to 8 kHz keeps them) and
            // summing the channels' powers. The stereo fixtures carry
            // 440 Hz on the left and 1 kHz on the right: their mean,
            // (L + R) / 2, has a quarter of that power, 6.02 LU less.
            let channels = row["source"]["channels"].as_u64().unwrap();
            let stereo = if channels == 2 { 6.02 } else { 0.0 };
            assert!(
                (theirs - stereo - before).abs() <= 0.15,
                "{input:?}: ffmpeg {theirs}, ours {before}"
            );
        }
    }
}

#[test]
fn loudness_stops_at_the_peak_ceiling_and_skips_silence() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hot.wav");
    let row = convert_json(
        &conv("tone-s16-44100Hz-stereo.wav"),
        &out,
        &["--loudness", "-3"],
    );
    assert_eq!(row["loudness"]["peak_limited"], true, "{row}");
    let warnings = row["warnings"].to_string();
    assert!(
        warnings.contains("not -3.0") && warnings.contains("-1.0 dBFS"),
        "{warnings}"
    );
    let (_, s) = wav_samples(&out);
    let peak = s.iter().map(|&v| i32::from(v).abs()).max().unwrap();
    let db = 20.0 * (f64::from(peak) / 32768.0).log10();
    assert!(db <= -0.99 && db > -1.1, "peak {db}");

    let silent = dir.path().join("silent.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&silent, spec).unwrap();
    for _ in 0..8000 {
        w.write_sample(0i16).unwrap();
    }
    w.finalize().unwrap();
    let row = convert_json(&silent, &dir.path().join("s.wav"), &["--loudness", "-16"]);
    assert!(row["loudness"].is_null(), "{row}");
    assert!(
        row["warnings"].to_string().contains("cannot be measured"),
        "{row}"
    );
    convert(&silent, &dir.path().join("x.wav"), &["--loudness", "-70"])
        .run()
        .code(2)
        .stderr_has("out of range");
}

#[test]
fn gain_overs_are_limited_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g.wav");
    let res = convert(&conv("loud-44100Hz-mono.wav"), &out, &[])
        .args(["--gain", "6"])
        .run()
        .success();
    let stdout = String::from_utf8_lossy(&res.stdout).into_owned();
    assert!(stdout.contains("clipped and limited"), "{stdout}");
    let (_, s) = wav_samples(&out);
    assert!(s.contains(&32767) && s.contains(&-32768));
    // Never wrapped: a sine has no jumps from one rail to the other.
    assert!(
        s.windows(2)
            .all(|w| (i32::from(w[0]) - i32::from(w[1])).abs() < 40000)
    );
}

#[test]
fn trim_silence_reports_what_it_saved() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.wav");
    let res = convert(&conv("padded-silence-8000Hz-mono.wav"), &out, &[])
        .arg("--trim-silence")
        .run()
        .success();
    let stdout = String::from_utf8_lossy(&res.stdout).into_owned();
    assert!(stdout.contains("trimmed 0.90 s of silence"), "{stdout}");
    assert!(stdout.contains("billing unit(s) saved"), "{stdout}");
    // 0.4 s + 0.5 s tone + 0.7 s; keep the tone plus 0.1 s either side (the tone starts at 0).
    let n = wav_samples(&out).1.len();
    assert!((5599..=5600).contains(&n), "{n}");
}

#[test]
fn truncated_input_converts_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.wav");
    let res = convert(&conv("truncated-s16-8000Hz-mono.wav"), &out, &[])
        .run()
        .success();
    assert!(
        String::from_utf8_lossy(&res.stdout).contains("audio missing: 0.250 s decoded of 0.500 s")
    );
    assert_eq!(wav_samples(&out).1.len(), 2000);
}

/// Run a conversion expected to fail; return stderr. Asserts the folder is unchanged.
fn fails(input: &Path, out: &Path, extra: &[&str], code: i32, expect: &str) -> String {
    let dir = out.parent().unwrap();
    let before = listing(dir);
    let res = convert(input, out, extra).run().code(code);
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    assert!(
        stderr.to_lowercase().contains(&expect.to_lowercase()),
        "wanted {expect:?} in: {stderr}"
    );
    assert_eq!(
        listing(dir),
        before,
        "files left behind for {}",
        input.display()
    );
    stderr
}

#[test]
fn hostile_inputs_fail_clearly_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let empty = inputs.path().join("empty.wav");
    fs::write(&empty, b"").unwrap();
    let random = inputs.path().join("random.mp3");
    let bytes: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    fs::write(&random, bytes).unwrap();
    let out = dir.path().join("out.wav");
    fails(&empty, &out, &[], 1, "empty");
    fails(&random, &out, &[], 1, "not an audio file");
    fails(&conv("opus-48000Hz-mono.opus"), &out, &[], 1, "opus");
    fails(&conv("gsm-in-wav-8000Hz.wav"), &out, &[], 1, "GSM 6.10");
    fails(
        &conv("mp3-in-wav-8000Hz.wav"),
        &out,
        &[],
        1,
        "MP3 audio in WAV",
    );
    fails(
        &conv("rf64-8000Hz-mono.wav"),
        &out,
        &[],
        1,
        "RF64 (64-bit WAV) is not supported",
    );
    fails(
        &dir.path().join("missing.wav"),
        &out,
        &[],
        2,
        "no such file",
    );
    fails(
        &conv("tone-8000Hz.vox"),
        &dir.path().join("x.wav"),
        &["--to", "vox", "--rate", "11025"],
        2,
        "8000",
    );
}

#[test]
fn existing_output_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.wav");
    fs::write(&out, b"keep me").unwrap();
    fails(
        &conv("tone-s16-8000Hz-mono.wav"),
        &out,
        &[],
        2,
        "exists; use --force",
    );
    assert_eq!(fs::read(&out).unwrap(), b"keep me");
    convert(&conv("tone-s16-8000Hz-mono.wav"), &out, &[])
        .arg("--force")
        .run()
        .success();
    assert_eq!(wav_samples(&out).1.len(), 4001);
    assert_eq!(listing(dir.path()), ["o.wav"]);
}

#[test]
fn output_that_is_the_input_is_refused_however_spelled() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.wav");
    fs::copy(conv("tone-s16-8000Hz-mono.wav"), &input).unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    let original = fs::read(&input).unwrap();
    for spelled in [
        input.clone(),
        dir.path().join("sub/../in.wav"),
        dir.path().join("./in.wav"),
    ] {
        fails(&input, &spelled, &["--force"], 2, "is the input");
    }
    #[cfg(unix)]
    {
        let link = dir.path().join("link.wav");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        fails(&input, &link, &["--force"], 2, "is the input");
        fs::remove_file(&link).unwrap();
    }
    assert_eq!(fs::read(&input).unwrap(), original);
}

/// A folder we cannot write into. Root ignores permission bits (CI runs as
/// root), so when chmod does not stop us, write below a regular file instead,
/// which fails for everyone.
#[test]
fn unwritable_output_folder_fails_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    fs::create_dir(&ro).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
    }
    let probe = ro.join("probe");
    let target = if fs::write(&probe, b"").is_ok() {
        eprintln!(
            "NOTE: running with privileges that ignore folder permissions; using a file-as-folder instead"
        );
        fs::remove_file(&probe).unwrap();
        let blocker = dir.path().join("blocker");
        fs::write(&blocker, b"not a folder").unwrap();
        blocker.join("out.wav")
    } else {
        ro.join("out.wav")
    };
    let out = convert(&conv("tone-s16-8000Hz-mono.wav"), &target, &[]).run();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot create the output"),
        "{out}"
    );
    assert_eq!(listing(&ro), Vec::<String>::new());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn json_report_for_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("j.vox");
    let res = convert(&conv("tone-44100Hz-stereo.mp3"), &out, &[])
        .args(["--format", "json", "--vox-encoder", "greedy"])
        .run()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    let f = &v["files"][0];
    assert_eq!(f["status"], "converted");
    assert_eq!(f["format"], "vox");
    assert_eq!(f["frames"], 4000);
    assert_eq!(f["source"]["codec"], "mp3");
    assert_eq!(f["source"]["channels"], 2);
    assert_eq!(v["summary"]["converted"], 1);
}

#[test]
fn corrupt_packets_are_skipped_counted_and_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.wav");
    // One damaged FLAC frame of 47: skipped, counted, converted with a warning.
    let res = convert(&conv("corrupt-one-frame-8000Hz-mono.flac"), &out, &[])
        .run()
        .success();
    let stdout = String::from_utf8_lossy(&res.stdout).into_owned();
    assert!(
        stdout.contains("lost to corrupt data and skipped"),
        "{stdout}"
    );
    // More than 5% lost: a failure, and no output.
    let out2 = dir.path().join("c2.wav");
    fails(
        &conv("corrupt-many-frames-48000Hz-mono.flac"),
        &out2,
        &[],
        1,
        "of the audio is corrupt",
    );
    // MP3: symphonia resyncs silently; the loss shows against the LAME header's length.
    let out3 = dir.path().join("c3.wav");
    let res = convert(&conv("corrupt-mid-44100Hz-stereo.mp3"), &out3, &[])
        .run()
        .success();
    assert!(String::from_utf8_lossy(&res.stdout).contains("audio missing"));
}

/// Every file and folder under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            e.unwrap()
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    v.sort();
    v
}

#[test]
fn folders_convert_into_a_mirrored_tree() {
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    fs::create_dir_all(s.join("a/b")).unwrap();
    fs::create_dir_all(s.join("c")).unwrap();
    fs::copy(conv("tone-44100Hz-stereo.mp3"), s.join("a/one.mp3")).unwrap();
    fs::copy(conv("tone-48000Hz-mono.flac"), s.join("a/b/two.flac")).unwrap();
    fs::copy(conv("tone-8000Hz.vox"), s.join("three.vox")).unwrap();
    fs::copy(conv("opus-48000Hz-mono.opus"), s.join("c/bad.opus")).unwrap();
    fs::write(s.join("notes.txt"), b"not audio").unwrap();
    let out = tempfile::tempdir().unwrap();
    let res = convert(s, out.path(), &[])
        .args(["--to", "vox", "--format", "json"])
        .run()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    assert_eq!(v["summary"]["files"], 4);
    assert_eq!(v["summary"]["converted"], 3);
    assert_eq!(v["summary"]["failed"], 1);
    assert_eq!(v["summary"]["billing_units"], 3);
    let failed: Vec<&serde_json::Value> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "failed")
        .collect();
    assert!(failed[0]["error"].as_str().unwrap().contains("opus"));
    // Mirrored, extension replaced, no temporary files, no folder for the failed file.
    assert_eq!(
        tree(out.path()),
        ["a", "a/b", "a/b/two.vox", "a/one.vox", "three.vox"]
    );
    for f in ["a/b/two.vox", "a/one.vox", "three.vox"] {
        assert_ne!(
            check_path(&out.path().join(f), &CheckOptions::default()).verdict,
            Verdict::Fail
        );
    }
    // A second run refuses to overwrite; --force replaces.
    convert(s, out.path(), &[])
        .args(["--to", "vox"])
        .run()
        .code(1);
    let res = convert(&s.join("a"), &out.path().join("a"), &[])
        .args(["--to", "vox", "--force"])
        .run()
        .success();
    assert!(String::from_utf8_lossy(&res.stdout).contains("2 converted"));
}

#[test]
fn folder_outputs_never_land_on_inputs() {
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    fs::copy(conv("tone-s16-8000Hz-mono.wav"), s.join("a.wav")).unwrap();
    fs::copy(conv("tone-44100Hz-stereo.mp3"), s.join("b.mp3")).unwrap();
    fs::copy(conv("tone-s16-8000Hz-mono.wav"), s.join("b.wav")).unwrap();
    fs::copy(conv("tone-44100Hz-stereo.ogg"), s.join("c.ogg")).unwrap();
    fs::copy(conv("tone-48000Hz-mono.flac"), s.join("c.flac")).unwrap();
    let before: Vec<Vec<u8>> = ["a.wav", "b.wav"]
        .iter()
        .map(|f| fs::read(s.join(f)).unwrap())
        .collect();
    let res = convert(s, s, &[])
        .args(["--force", "--format", "json"])
        .run()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    let errors: Vec<String> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["error"].as_str().map(String::from))
        .collect();
    let all = errors.join("\n");
    assert!(all.contains("is the input file"), "{all}");
    assert!(all.contains("would overwrite the input"), "{all}");
    assert!(all.contains("would both be written"), "{all}");
    let after: Vec<Vec<u8>> = ["a.wav", "b.wav"]
        .iter()
        .map(|f| fs::read(s.join(f)).unwrap())
        .collect();
    assert_eq!(before, after);
    assert!(
        listing(s).iter().all(|n| !n.starts_with('.')),
        "{:?}",
        listing(s)
    );
}

#[test]
fn outputs_inside_an_input_folder_are_not_converted_again() {
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    fs::copy(conv("tone-44100Hz-stereo.mp3"), s.join("x.mp3")).unwrap();
    let out = s.join("out");
    convert(s, &out, &[]).run().success();
    convert(s, &out, &[]).arg("--force").run().success();
    assert_eq!(tree(&out), ["x.wav"]);
}

#[test]
fn a_vox_name_on_a_container_is_decoded_as_the_container() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("really-mp3.vox");
    fs::copy(conv("tone-44100Hz-stereo.mp3"), &fake).unwrap();
    let out = dir.path().join("o.wav");
    let res = convert(&fake, &out, &[]).run().success();
    assert!(String::from_utf8_lossy(&res.stdout).contains(" mp3 44100 Hz 2ch"));
    assert_eq!(wav_samples(&out).1.len(), 4000);
}

#[test]
fn output_without_extension_follows_to() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("prompt");
    convert(&conv("tone-44100Hz-stereo.mp3"), &out, &[])
        .args(["--to", "vox"])
        .run()
        .success();
    assert_eq!(fs::metadata(&out).unwrap().len(), 2000);
    let bare = dir.path().join("bare");
    fails(
        &conv("tone-44100Hz-stereo.mp3"),
        &bare,
        &[],
        2,
        "cannot tell the format",
    );
}

/// A folder of prompts long enough for the greedy encoder and the split
/// search to spread them over threads. Folder conversion runs each file on a
/// pool thread that waits for the file's encoding thread; the split must not
/// wait for that same pool (it once did, and the run hung). Two threads are
/// forced so that the split happens on any machine.
#[test]
fn folder_of_long_prompts_converts_to_split_vox_without_hanging() {
    let (spec, speech) = wav_samples(&fixture("vox/speech-espeak-8000Hz.wav"));
    let src = tempfile::tempdir().unwrap();
    let mut inputs = Vec::new();
    for k in 0..4 {
        // About 70 s each (more than one of the sink's encoding blocks, so
        // that some are encoded while decoding goes on), each a little
        // different.
        let samples: Vec<i16> = speech
            .iter()
            .cycle()
            .skip(k * 1000)
            .take(20 * speech.len())
            .copied()
            .collect();
        let path = src.path().join(format!("prompt{k}.wav"));
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for &s in &samples {
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
        inputs.push((format!("prompt{k}.vox"), samples));
    }
    for kind in ["greedy", "universal:4"] {
        let out = tempfile::tempdir().unwrap();
        convert(src.path(), out.path(), &[])
            .args(["--to", "vox", "--vox-encoder", kind])
            .env("RAYON_NUM_THREADS", "2")
            .timeout(std::time::Duration::from_secs(120))
            .run()
            .success();
        for (name, samples) in &inputs {
            let got = fs::read(out.path().join(name)).unwrap();
            let want = voxprep::vox::encode(samples, kind.parse().unwrap());
            assert!(got == want, "{name}: not the {kind} encoder's bytes");
        }
    }
}

/// A conversion stopped by a signal (SIGINT from Ctrl-C; SIGTERM from kill
/// and timeout) removes its unfinished temporary file, leaves no output and
/// exits with 130.
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
    let row = convert_json(
        &conv("tone-s16-8000Hz-mono.wav"),
        &dir.path().join("new.wav"),
        &[],
    );
    assert!(!stale.exists());
    assert!(
        row["warnings"]
            .to_string()
            .contains("removed 1 temporary file(s)"),
        "{row}"
    );
    assert_eq!(listing(dir.path()), vec!["new.wav".to_string()]);
}

#[test]
fn interrupted_conversion_removes_its_temporary_file() {
    use std::time::{Duration, Instant};
    if !have_tool("kill") {
        return;
    }
    // About five minutes of speech: the default encoder takes over a second.
    let (spec, speech) = wav_samples(&fixture("vox/speech-espeak-8000Hz.wav"));
    let src = tempfile::tempdir().unwrap();
    let input = src.path().join("long.wav");
    let mut w = hound::WavWriter::create(&input, spec).unwrap();
    for &s in speech.iter().cycle().take(86 * speech.len()) {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
    for signal in ["INT", "TERM"] {
        let out = tempfile::tempdir().unwrap();
        let child = voxprep()
            .arg("convert")
            .arg(&input)
            .arg("-o")
            .arg(out.path().join("long.vox"))
            .spawn();
        // Under way once its temporary file exists.
        let deadline = Instant::now() + Duration::from_secs(30);
        while listing(out.path()).is_empty() {
            assert!(Instant::now() < deadline, "no temporary file appeared");
            std::thread::sleep(Duration::from_millis(5));
        }
        Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        let done = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(130), "SIG{signal}: {stderr}");
        assert!(stderr.contains("interrupted"), "SIG{signal}: {stderr}");
        assert_eq!(listing(out.path()), Vec::<String>::new(), "SIG{signal}");
    }
}
