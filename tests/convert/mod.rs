//! Conversion on real-tool fixtures (fixtures/convert/make.sh says how each
//! was made): what a conversion writes, through the library (`convert_file`,
//! `convert_tree`), read back by hound, sox and ffmpeg; the exit codes,
//! flags, reports and signals of `voxprep convert`, through the binary
//! (`mod cli`).

use crate::common::{ffmpeg_lufs, fixture, have_tool};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use voxprep::check::{CheckOptions, check_path};
use voxprep::convert::{
    Conversion, ConvertOptions, FolderOutcome, Level, OutputFormat, Summary, TreeInput,
    TrimSilence, convert_file, convert_tree,
};
use voxprep::decode::DecodeOptions;
use voxprep::spec::Verdict;
use voxprep::vox::DecoderFlavor;
use voxprep::{Error, Setting, Usage, batch};

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

fn wav_samples(p: &Path) -> (hound::WavSpec, Vec<i16>) {
    let mut r = hound::WavReader::open(p).unwrap();
    let spec = r.spec();
    (spec, r.samples::<i16>().map(|s| s.unwrap()).collect())
}

fn peak_dbfs(samples: &[i16]) -> f64 {
    let peak = samples.iter().map(|&v| i32::from(v).abs()).max().unwrap();
    20.0 * (f64::from(peak) / 32768.0).log10()
}

fn ceil_len(frames: u64, from: u64, to: u64) -> u64 {
    (frames * to).div_ceil(from)
}

/// Write a 16-bit mono 8000 Hz WAV with hound.
fn write_wav(path: &Path, samples: impl IntoIterator<Item = i16>) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for s in samples {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
}

/// Convert, expecting success.
#[track_caller]
fn converted(input: &Path, output: &Path, opts: &ConvertOptions) -> Conversion {
    convert_file(input, output, opts)
        .unwrap_or_else(|e| panic!("{} -> {}: {e}", input.display(), output.display()))
}

/// Convert, expecting a failure whose message holds `expect` (in any case)
/// and nothing left in the output's folder; the error.
#[track_caller]
fn refused(input: &Path, output: &Path, opts: &ConvertOptions, expect: &str) -> Error {
    let dir = output.parent().unwrap();
    let before = listing(dir);
    let e = match convert_file(input, output, opts) {
        Ok(c) => panic!("{} converted: {c:#?}", input.display()),
        Err(e) => e,
    };
    assert!(
        e.to_string()
            .to_lowercase()
            .contains(&expect.to_lowercase()),
        "wanted {expect:?} in: {e}"
    );
    assert_eq!(
        listing(dir),
        before,
        "files left behind for {}",
        input.display()
    );
    e
}

fn wav_at(rate: u32) -> ConvertOptions {
    ConvertOptions {
        rate,
        ..ConvertOptions::default()
    }
}

fn vox() -> ConvertOptions {
    ConvertOptions {
        format: OutputFormat::Vox,
        ..ConvertOptions::default()
    }
}

fn with_level(level: Level) -> ConvertOptions {
    ConvertOptions {
        level,
        ..ConvertOptions::default()
    }
}

/// Convert the files under `roots` into `out` as `voxprep convert ROOTS -o
/// OUT` does: the check walker finds them, the output folder is made first.
fn convert_folder(roots: &[PathBuf], out: &Path, opts: &ConvertOptions) -> Vec<FolderOutcome> {
    let found = batch::collect(roots, batch::is_audio);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let inputs: Vec<TreeInput> = found
        .files
        .into_iter()
        .map(|(root, path)| TreeInput { root, path })
        .collect();
    fs::create_dir_all(out).unwrap();
    convert_tree(&inputs, out, opts, &|_| {})
}

/// The outcome for the input named `name`.
fn outcome<'a>(outcomes: &'a [FolderOutcome], name: &str) -> &'a FolderOutcome {
    outcomes
        .iter()
        .find(|o| o.input.ends_with(name))
        .unwrap_or_else(|| panic!("no outcome for {name}"))
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

/// Every input family, to WAV and to VOX: passes check, exact length, sox agrees.
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
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "tone-s16-96000Hz-mono.wav",
        "tone-48000Hz-mono.flac",
        "tone-s24-48000Hz-mono.wav",
    ] {
        let out = dir.path().join(format!("{name}.wav"));
        converted(&conv(name), &out, &ConvertOptions::default());
        let db = peak_dbfs(&wav_samples(&out).1);
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

/// Neither rate nor level changes: the samples are copied bit for bit.
#[test]
fn untouched_conversion_is_bit_exact() {
    let dir = tempfile::tempdir().unwrap();
    let input = conv("tone-s16-8000Hz-mono.wav");
    let out = dir.path().join("same.wav");
    converted(&input, &out, &ConvertOptions::default());
    assert_eq!(wav_samples(&out).1, wav_samples(&input).1);
}

/// VOX to WAV is the decoder's output, bit for bit (the exact decoder = sox's).
#[test]
fn vox_to_wav_is_the_decoder_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("v.wav");
    let vox = conv("tone-8000Hz.vox");
    let bytes = fs::read(&vox).unwrap();
    converted(&vox, &out, &ConvertOptions::default());
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
        ..ConvertOptions::default()
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
fn normalize_sets_the_peak() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("n.wav");
    converted(
        &conv("tone-s16-44100Hz-stereo.wav"),
        &out,
        &with_level(Level::NormalizePeak(-3.0)),
    );
    let db = peak_dbfs(&wav_samples(&out).1);
    assert!((db + 3.0).abs() < 0.05, "peak {db}");
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
        let c = converted(&input, &out, &with_level(Level::NormalizeLoudness(target)));
        let l = c.loudness.expect("measured");
        assert_eq!(l.target_lufs, target);
        assert!(!l.peak_limited, "{c:#?}");
        let after = l.after_lufs.unwrap();
        assert!((after - target).abs() < 0.05, "{input:?}: {after}");
        let gain = c.gain_db.unwrap();
        let before = l.before_lufs;
        assert!((before + gain - target).abs() < 1e-6, "{c:#?}");
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
            let stereo = if c.source.channels == 2 { 6.02 } else { 0.0 };
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
    let c = converted(
        &conv("tone-s16-44100Hz-stereo.wav"),
        &out,
        &with_level(Level::NormalizeLoudness(-3.0)),
    );
    assert!(c.loudness.unwrap().peak_limited, "{c:#?}");
    let warnings = c.warnings.join("\n");
    assert!(
        warnings.contains("not -3.0") && warnings.contains("-1.0 dBFS"),
        "{warnings}"
    );
    let db = peak_dbfs(&wav_samples(&out).1);
    assert!(db <= -0.99 && db > -1.1, "peak {db}");

    let silent = dir.path().join("silent.wav");
    write_wav(&silent, std::iter::repeat_n(0, 8000));
    let loud = with_level(Level::NormalizeLoudness(-16.0));
    let c = converted(&silent, &dir.path().join("s.wav"), &loud);
    assert!(c.loudness.is_none(), "{c:#?}");
    assert!(
        c.warnings.join("\n").contains("cannot be measured"),
        "{c:#?}"
    );
    let too_quiet = with_level(Level::NormalizeLoudness(-70.0));
    let e = refused(
        &silent,
        &dir.path().join("x.wav"),
        &too_quiet,
        "out of range",
    );
    assert!(
        matches!(
            e.usage(),
            Some(Usage::Setting {
                setting: Setting::Loudness,
                ..
            })
        ),
        "{e:?}"
    );
}

#[test]
fn gain_overs_are_limited_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g.wav");
    let c = converted(
        &conv("loud-44100Hz-mono.wav"),
        &out,
        &with_level(Level::GainDb(6.0)),
    );
    assert!(c.clipped_samples > 0, "{c:#?}");
    assert!(
        c.warnings.join("\n").contains("clipped and limited"),
        "{c:#?}"
    );
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
    let trim = ConvertOptions {
        trim: Some(TrimSilence::default()),
        ..ConvertOptions::default()
    };
    let c = converted(&conv("padded-silence-8000Hz-mono.wav"), &out, &trim);
    let saved = c.trimmed.expect("trimmed");
    assert_eq!(format!("{:.2}", saved.seconds), "0.90", "{saved:?}");
    // 0.4 s + 0.5 s tone + 0.7 s; keep the tone plus 0.1 s either side (the tone starts at 0).
    let n = wav_samples(&out).1.len();
    assert!((5599..=5600).contains(&n), "{n}");
    assert_eq!(c.frames, n as u64);
}

#[test]
fn truncated_input_converts_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.wav");
    let c = converted(
        &conv("truncated-s16-8000Hz-mono.wav"),
        &out,
        &ConvertOptions::default(),
    );
    assert!(
        c.warnings
            .join("\n")
            .contains("audio missing: 0.250 s decoded of 0.500 s"),
        "{c:#?}"
    );
    assert_eq!(wav_samples(&out).1.len(), 2000);
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
    let opts = ConvertOptions::default();
    for (input, expect) in [
        (empty, "empty"),
        (random, "not an audio file"),
        (conv("opus-48000Hz-mono.opus"), "opus"),
        (conv("gsm-in-wav-8000Hz.wav"), "GSM 6.10"),
        (conv("mp3-in-wav-8000Hz.wav"), "MP3 audio in WAV"),
        (
            conv("rf64-8000Hz-mono.wav"),
            "RF64 (64-bit WAV) is not supported",
        ),
        (dir.path().join("missing.wav"), "no such file"),
    ] {
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
    let out = dir.path().join("o.wav");
    fs::write(&out, b"keep me").unwrap();
    let input = conv("tone-s16-8000Hz-mono.wav");
    let e = refused(&input, &out, &ConvertOptions::default(), "exists");
    assert!(matches!(e.usage(), Some(Usage::OutputExists(_))), "{e:?}");
    assert_eq!(fs::read(&out).unwrap(), b"keep me");
    let force = ConvertOptions {
        force: true,
        ..ConvertOptions::default()
    };
    converted(&input, &out, &force);
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
    let force = ConvertOptions {
        force: true,
        ..ConvertOptions::default()
    };
    let mut spellings = vec![
        input.clone(),
        dir.path().join("sub/../in.wav"),
        dir.path().join("./in.wav"),
    ];
    #[cfg(unix)]
    {
        let link = dir.path().join("link.wav");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        spellings.push(link);
    }
    for spelled in spellings {
        let e = refused(&input, &spelled, &force, "is the input");
        assert!(matches!(e.usage(), Some(Usage::OutputIsInput(_))), "{e:?}");
    }
    assert_eq!(fs::read(&input).unwrap(), original);
}

/// An output path that cannot be written, and the read-only folder to watch
/// (made writable again on drop, so that it can be removed).
struct Unwritable {
    _dir: tempfile::TempDir,
    ro: PathBuf,
    target: PathBuf,
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(&self.ro, fs::Permissions::from_mode(0o755));
        }
    }
}

/// A folder we cannot write into. Root ignores permission bits (CI runs as
/// root), so when chmod does not stop us, write below a regular file instead,
/// which fails for everyone.
fn unwritable() -> Unwritable {
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
    Unwritable {
        _dir: dir,
        ro,
        target,
    }
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
    assert!(
        c.warnings
            .join("\n")
            .contains("lost to corrupt data and skipped"),
        "{c:#?}"
    );
    // More than 5% lost: a failure, and no output.
    refused(
        &conv("corrupt-many-frames-48000Hz-mono.flac"),
        &dir.path().join("c2.wav"),
        &opts,
        "of the audio is corrupt",
    );
    // MP3: symphonia resyncs silently; the loss shows against the LAME header's length.
    let c = converted(
        &conv("corrupt-mid-44100Hz-stereo.mp3"),
        &dir.path().join("c3.wav"),
        &opts,
    );
    assert!(c.warnings.join("\n").contains("audio missing"), "{c:#?}");
}

/// A source tree with three good inputs in folders, one opus (not decoded)
/// and a note (not audio).
fn source_tree() -> tempfile::TempDir {
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    fs::create_dir_all(s.join("a/b")).unwrap();
    fs::create_dir_all(s.join("c")).unwrap();
    fs::copy(conv("tone-44100Hz-stereo.mp3"), s.join("a/one.mp3")).unwrap();
    fs::copy(conv("tone-48000Hz-mono.flac"), s.join("a/b/two.flac")).unwrap();
    fs::copy(conv("tone-8000Hz.vox"), s.join("three.vox")).unwrap();
    fs::copy(conv("opus-48000Hz-mono.opus"), s.join("c/bad.opus")).unwrap();
    fs::write(s.join("notes.txt"), b"not audio").unwrap();
    src
}

#[test]
fn folders_convert_into_a_mirrored_tree() {
    let src = source_tree();
    let s = src.path();
    let out = tempfile::tempdir().unwrap();
    let outcomes = convert_folder(&[s.to_path_buf()], out.path(), &vox());
    let sum = Summary::of(&outcomes);
    assert_eq!(
        (sum.files, sum.converted, sum.failed, sum.billing_units),
        (4, 3, 1, 3),
        "{sum:?}"
    );
    let failed = outcome(&outcomes, "bad.opus").result.as_ref().unwrap_err();
    assert!(failed.to_string().contains("opus"), "{failed}");
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
    // A second run refuses to overwrite; force replaces.
    let again = convert_folder(&[s.to_path_buf()], out.path(), &vox());
    assert_eq!(Summary::of(&again).converted, 0);
    for f in ["one.mp3", "two.flac", "three.vox"] {
        let e = outcome(&again, f).result.as_ref().unwrap_err();
        assert!(matches!(e.usage(), Some(Usage::OutputExists(_))), "{e:?}");
    }
    let force = ConvertOptions {
        force: true,
        ..vox()
    };
    let forced = convert_folder(&[s.join("a")], &out.path().join("a"), &force);
    assert_eq!(Summary::of(&forced).converted, 2);
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
    let force = ConvertOptions {
        force: true,
        ..ConvertOptions::default()
    };
    let outcomes = convert_folder(&[s.to_path_buf()], s, &force);
    let usage = |name: &str| {
        outcome(&outcomes, name)
            .result
            .as_ref()
            .unwrap_err()
            .usage()
    };
    assert!(
        matches!(usage("a.wav"), Some(Usage::OutputIsInput(_))),
        "{outcomes:#?}"
    );
    assert!(
        matches!(usage("b.mp3"), Some(Usage::OverwritesInput { .. })),
        "{outcomes:#?}"
    );
    assert!(
        matches!(usage("b.wav"), Some(Usage::OutputCollision { .. })),
        "{outcomes:#?}"
    );
    assert!(
        matches!(usage("c.ogg"), Some(Usage::OutputCollision { .. })),
        "{outcomes:#?}"
    );
    assert!(outcome(&outcomes, "c.flac").result.is_ok(), "{outcomes:#?}");
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
    let first = convert_folder(&[s.to_path_buf()], &out, &ConvertOptions::default());
    assert_eq!(Summary::of(&first).converted, 1);
    let force = ConvertOptions {
        force: true,
        ..ConvertOptions::default()
    };
    let second = convert_folder(&[s.to_path_buf()], &out, &force);
    assert_eq!(second.len(), 1, "{second:#?}");
    assert!(second[0].result.is_ok(), "{second:#?}");
    assert_eq!(tree(&out), ["x.wav"]);
}

#[test]
fn a_vox_name_on_a_container_is_decoded_as_the_container() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("really-mp3.vox");
    fs::copy(conv("tone-44100Hz-stereo.mp3"), &fake).unwrap();
    let out = dir.path().join("o.wav");
    let c = converted(&fake, &out, &ConvertOptions::default());
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
    assert!(
        c.warnings
            .join("\n")
            .contains("removed 1 temporary file(s)"),
        "{c:#?}"
    );
    assert_eq!(listing(dir.path()), vec!["new.wav".to_string()]);
}

/// `voxprep convert` itself: exit codes, flags, reports, signals.
#[cfg(feature = "cli")]
mod cli {
    use super::*;
    use crate::common::{Voxprep, voxprep};
    use serde_json::Value;
    use voxprep::vox::EncoderKind;

    /// `voxprep convert INPUT -o OUT EXTRA...`.
    fn convert(input: &Path, out: &Path, extra: &[&str]) -> Voxprep {
        let mut cmd = voxprep();
        cmd.arg("convert").arg(input).arg("-o").arg(out).args(extra);
        cmd
    }

    fn convert_json(input: &Path, out: &Path, extra: &[&str]) -> Value {
        let doc = convert(input, out, extra)
            .args(["--format", "json"])
            .run()
            .success()
            .json();
        doc["files"][0].clone()
    }

    /// Each flag becomes the option it names: the command writes the bytes
    /// the library writes with that option.
    #[test]
    fn flags_reach_the_conversion() {
        let dir = tempfile::tempdir().unwrap();
        let stereo = conv("tone-s16-44100Hz-stereo.wav");
        let cases: Vec<(PathBuf, &str, Vec<&str>, ConvertOptions)> = vec![
            (stereo.clone(), "wav", vec![], ConvertOptions::default()),
            (
                stereo.clone(),
                "wav",
                vec!["--rate", "11025"],
                wav_at(11025),
            ),
            (stereo.clone(), "vox", vec![], vox()),
            (
                stereo.clone(),
                "vox",
                vec!["--vox-encoder", "greedy"],
                ConvertOptions {
                    vox_encoder: EncoderKind::Greedy,
                    ..vox()
                },
            ),
            (
                stereo.clone(),
                "wav",
                vec!["--normalize", "-3"],
                with_level(Level::NormalizePeak(-3.0)),
            ),
            (
                stereo.clone(),
                "wav",
                vec!["--normalize"],
                with_level(Level::NormalizePeak(-1.0)),
            ),
            (
                stereo.clone(),
                "wav",
                vec!["--loudness", "-19"],
                with_level(Level::NormalizeLoudness(-19.0)),
            ),
            (
                conv("loud-44100Hz-mono.wav"),
                "wav",
                vec!["--gain", "6"],
                with_level(Level::GainDb(6.0)),
            ),
            (
                conv("padded-silence-8000Hz-mono.wav"),
                "wav",
                vec!["--trim-silence"],
                ConvertOptions {
                    trim: Some(TrimSilence::default()),
                    ..ConvertOptions::default()
                },
            ),
            (
                conv("tone-8000Hz.vox"),
                "wav",
                vec!["--vox-decoder", "shift-add"],
                ConvertOptions {
                    decode: DecodeOptions {
                        vox_decoder: DecoderFlavor::ShiftAdd,
                        ..DecodeOptions::default()
                    },
                    ..ConvertOptions::default()
                },
            ),
        ];
        for (i, (input, ext, flags, opts)) in cases.into_iter().enumerate() {
            let by_cli = dir.path().join(format!("{i}-cli.{ext}"));
            let by_lib = dir.path().join(format!("{i}-lib.{ext}"));
            convert(&input, &by_cli, &flags).run().success();
            converted(&input, &by_lib, &opts);
            let bytes = fs::read(&by_lib).unwrap();
            assert!(
                fs::read(&by_cli).unwrap() == bytes,
                "{flags:?}: not the bytes of {opts:?}"
            );
            // And the flag makes a difference: without it, other bytes.
            if !flags.is_empty() {
                let plain = dir.path().join(format!("{i}-plain.{ext}"));
                let format = opts.format;
                let defaults = ConvertOptions {
                    format,
                    ..ConvertOptions::default()
                };
                converted(&input, &plain, &defaults);
                assert!(
                    fs::read(&plain).unwrap() != bytes,
                    "{flags:?} changes nothing"
                );
            }
        }
    }

    /// Run a conversion expected to fail with `code` and `expect` on stderr,
    /// leaving the output's folder as it was.
    fn fails(input: &Path, out: &Path, extra: &[&str], code: i32, expect: &str) {
        let dir = out.parent().unwrap();
        let before = listing(dir);
        let run = convert(input, out, extra).run().code(code);
        assert!(
            run.stderr().to_lowercase().contains(&expect.to_lowercase()),
            "wanted {expect:?} in: {run}"
        );
        assert_eq!(
            listing(dir),
            before,
            "files left behind for {}",
            input.display()
        );
    }

    /// 1 when the input is at fault, 2 when the request is (with a hint
    /// naming the flag), the error once on stderr, nothing left behind.
    #[test]
    fn failures_exit_1_usage_errors_exit_2() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.wav");
        fs::write(&empty, b"").unwrap();
        let random = dir.path().join("random.mp3");
        let bytes: Vec<u8> = (0..8192u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        fs::write(&random, bytes).unwrap();
        let out = dir.path().join("out").join("out.wav");
        fs::create_dir(out.parent().unwrap()).unwrap();
        let mp3 = conv("tone-44100Hz-stereo.mp3");
        for (input, extra, code, expect) in [
            (empty, &[][..], 1, "empty"),
            (random, &[], 1, "not an audio file"),
            (conv("opus-48000Hz-mono.opus"), &[], 1, "opus"),
            (conv("gsm-in-wav-8000Hz.wav"), &[], 1, "GSM 6.10"),
            (conv("mp3-in-wav-8000Hz.wav"), &[], 1, "MP3 audio in WAV"),
            (
                conv("rf64-8000Hz-mono.wav"),
                &[],
                1,
                "RF64 (64-bit WAV) is not supported",
            ),
            (
                conv("corrupt-many-frames-48000Hz-mono.flac"),
                &[],
                1,
                "of the audio is corrupt",
            ),
            (dir.path().join("missing.wav"), &[], 2, "no such file"),
            (
                conv("tone-8000Hz.vox"),
                &["--to", "vox", "--rate", "11025"],
                2,
                "VOX is always 8000 Hz, not 11025 (check --rate)",
            ),
            (mp3.clone(), &["--loudness", "-70"], 2, "out of range"),
        ] {
            fails(&input, &out, extra, code, expect);
        }
        let bare = dir.path().join("out").join("bare");
        fails(&mp3, &bare, &[], 2, "cannot tell the format");
        let u = unwritable();
        convert(&conv("tone-s16-8000Hz-mono.wav"), &u.target, &[])
            .run()
            .code(1)
            .stderr_has("cannot create the output");
        assert_eq!(listing(&u.ro), Vec::<String>::new());
    }

    #[test]
    fn existing_output_needs_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o.wav");
        fs::write(&out, b"keep me").unwrap();
        let input = conv("tone-s16-8000Hz-mono.wav");
        fails(&input, &out, &[], 2, "exists; use --force");
        assert_eq!(fs::read(&out).unwrap(), b"keep me");
        convert(&input, &out, &["--force"]).run().success();
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
        let mut spellings = vec![
            input.clone(),
            dir.path().join("sub/../in.wav"),
            dir.path().join("./in.wav"),
        ];
        #[cfg(unix)]
        {
            let link = dir.path().join("link.wav");
            std::os::unix::fs::symlink(&input, &link).unwrap();
            spellings.push(link);
        }
        for spelled in spellings {
            fails(&input, &spelled, &["--force"], 2, "is the input");
        }
        assert_eq!(fs::read(&input).unwrap(), original);
    }

    #[test]
    fn output_without_extension_follows_to() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("prompt");
        convert(&conv("tone-44100Hz-stereo.mp3"), &out, &["--to", "vox"])
            .run()
            .success();
        assert_eq!(fs::metadata(&out).unwrap().len(), 2000);
    }

    /// The human report: a line per file, its warnings, what trimming saved.
    #[test]
    fn human_report_lines() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("really-mp3.vox");
        fs::copy(conv("tone-44100Hz-stereo.mp3"), &fake).unwrap();
        let out = dir.path().join("o.wav");
        let run = convert(&fake, &out, &[]).run().success();
        assert_eq!(
            run.stdout(),
            format!(
                "converted  {} -> {}  mp3 44100 Hz 2ch 0.500 s -> wav 8000 Hz 0.500 s, 1 unit(s)\n",
                fake.display(),
                out.display()
            )
        );
        let stdout = |input: &Path, name: &str, extra: &[&str]| {
            convert(input, &dir.path().join(name), extra)
                .run()
                .success()
                .stdout()
        };
        let text = stdout(&conv("loud-44100Hz-mono.wav"), "g.wav", &["--gain", "6"]);
        assert!(text.starts_with("warn "), "{text}");
        assert!(
            text.contains("\n    warning: ") && text.contains("clipped and limited"),
            "{text}"
        );
        let text = stdout(
            &conv("padded-silence-8000Hz-mono.wav"),
            "t.wav",
            &["--trim-silence"],
        );
        assert!(text.contains("\n    trimmed 0.90 s of silence"), "{text}");
        assert!(text.contains("billing unit(s) saved"), "{text}");
        let text = stdout(&conv("truncated-s16-8000Hz-mono.wav"), "tr.wav", &[]);
        assert!(
            text.contains("audio missing: 0.250 s decoded of 0.500 s"),
            "{text}"
        );
        let text = stdout(&conv("corrupt-one-frame-8000Hz-mono.flac"), "c.wav", &[]);
        assert!(text.contains("lost to corrupt data and skipped"), "{text}");
        let text = stdout(&conv("corrupt-mid-44100Hz-stereo.mp3"), "c3.wav", &[]);
        assert!(text.contains("audio missing"), "{text}");
    }

    /// `convert` and `check` show the same duration for the same file: 3.513 s.
    #[test]
    fn convert_and_check_show_the_same_duration() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("speech.vox");
        convert(&fixture("vox/speech-espeak-8000Hz.wav"), &out, &[])
            .run()
            .success()
            .stdout_has("3.513 s -> vox 8000 Hz 3.513 s");
        voxprep()
            .arg("check")
            .arg(&out)
            .run()
            .success()
            .stdout_has("3.513 s");
    }

    #[test]
    fn json_report_for_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("j.vox");
        let v = convert(&conv("tone-44100Hz-stereo.mp3"), &out, &[])
            .args(["--format", "json", "--vox-encoder", "greedy"])
            .run()
            .success()
            .json();
        let f = &v["files"][0];
        assert_eq!(f["status"], "converted");
        assert_eq!(f["format"], "vox");
        assert_eq!(f["frames"], 4000);
        assert_eq!(f["source"]["codec"], "mp3");
        assert_eq!(f["source"]["channels"], 2);
        assert_eq!(v["summary"]["converted"], 1);
    }

    /// Loudness in the JSON report: the target, before and after, the gain;
    /// what could not be done, as warnings.
    #[test]
    fn json_report_of_loudness() {
        let dir = tempfile::tempdir().unwrap();
        let row = convert_json(
            &conv("tone-s16-44100Hz-stereo.wav"),
            &dir.path().join("l.wav"),
            &["--loudness", "-19"],
        );
        let l = &row["loudness"];
        assert_eq!(l["target_lufs"], -19.0);
        assert_eq!(l["peak_limited"], false, "{row}");
        let (before, after) = (l["before_lufs"].as_f64(), l["after_lufs"].as_f64());
        let gain = row["gain_db"].as_f64().unwrap();
        assert!((before.unwrap() + gain + 19.0).abs() < 1e-6, "{row}");
        assert!((after.unwrap() + 19.0).abs() < 0.05, "{row}");
        assert_eq!(row["source"]["channels"], 2);
        let row = convert_json(
            &conv("tone-s16-44100Hz-stereo.wav"),
            &dir.path().join("hot.wav"),
            &["--loudness", "-3"],
        );
        assert_eq!(row["loudness"]["peak_limited"], true, "{row}");
        let warnings = row["warnings"].to_string();
        assert!(
            warnings.contains("not -3.0") && warnings.contains("-1.0 dBFS"),
            "{warnings}"
        );
        let silent = dir.path().join("silent.wav");
        write_wav(&silent, std::iter::repeat_n(0, 8000));
        let row = convert_json(&silent, &dir.path().join("s.wav"), &["--loudness", "-16"]);
        assert!(row["loudness"].is_null(), "{row}");
        assert!(
            row["warnings"].to_string().contains("cannot be measured"),
            "{row}"
        );
    }

    /// A folder run exits 1 when a file fails, and says which in its report;
    /// a second run refuses to overwrite; --force replaces.
    #[test]
    fn folder_runs_exit_1_when_a_file_fails() {
        let src = source_tree();
        let s = src.path();
        let out = tempfile::tempdir().unwrap();
        let v = convert(s, out.path(), &["--to", "vox", "--format", "json"])
            .run()
            .code(1)
            .json();
        assert_eq!(v["summary"]["files"], 4);
        assert_eq!(v["summary"]["converted"], 3);
        assert_eq!(v["summary"]["failed"], 1);
        assert_eq!(v["summary"]["billing_units"], 3);
        let failed: Vec<&Value> = v["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == "failed")
            .collect();
        assert!(failed[0]["error"].as_str().unwrap().contains("opus"));
        assert_eq!(
            tree(out.path()),
            ["a", "a/b", "a/b/two.vox", "a/one.vox", "three.vox"]
        );
        convert(s, out.path(), &["--to", "vox"]).run().code(1);
        convert(
            &s.join("a"),
            &out.path().join("a"),
            &["--to", "vox", "--force"],
        )
        .run()
        .success()
        .stdout_has("2 converted");
    }

    #[test]
    fn outputs_inside_an_input_folder_are_not_converted_again() {
        let src = tempfile::tempdir().unwrap();
        let s = src.path();
        fs::copy(conv("tone-44100Hz-stereo.mp3"), s.join("x.mp3")).unwrap();
        let out = s.join("out");
        convert(s, &out, &[]).run().success();
        convert(s, &out, &["--force"]).run().success();
        assert_eq!(tree(&out), ["x.wav"]);
    }

    #[test]
    fn folder_outputs_on_inputs_are_errors_in_the_report() {
        let src = tempfile::tempdir().unwrap();
        let s = src.path();
        fs::copy(conv("tone-s16-8000Hz-mono.wav"), s.join("a.wav")).unwrap();
        fs::copy(conv("tone-44100Hz-stereo.mp3"), s.join("b.mp3")).unwrap();
        fs::copy(conv("tone-s16-8000Hz-mono.wav"), s.join("b.wav")).unwrap();
        fs::copy(conv("tone-44100Hz-stereo.ogg"), s.join("c.ogg")).unwrap();
        fs::copy(conv("tone-48000Hz-mono.flac"), s.join("c.flac")).unwrap();
        let inputs = || {
            ["a.wav", "b.wav"]
                .map(|f| fs::read(s.join(f)).unwrap())
                .to_vec()
        };
        let before = inputs();
        let v = convert(s, s, &["--force", "--format", "json"])
            .run()
            .code(1)
            .json();
        let errors: Vec<&str> = v["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["error"].as_str())
            .collect();
        let all = errors.join("\n");
        assert!(all.contains("is the input file"), "{all}");
        assert!(all.contains("would overwrite the input"), "{all}");
        assert!(all.contains("would both be written"), "{all}");
        assert_eq!(before, inputs());
        assert!(
            listing(s).iter().all(|n| !n.starts_with('.')),
            "{:?}",
            listing(s)
        );
    }

    /// A folder of prompts long enough for the greedy encoder and the split
    /// search to spread them over threads. Folder conversion runs each file on a
    /// pool thread that waits for the file's encoding thread; the split must not
    /// wait for that same pool (it once did, and the run hung). Two threads are
    /// forced so that the split happens on any machine. Through the binary:
    /// the thread count is the process's (RAYON_NUM_THREADS), and a hang is
    /// bounded by killing the process.
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
    #[test]
    fn interrupted_conversion_removes_its_temporary_file() {
        if !have_tool("kill") {
            return;
        }
        // About five minutes of speech: the default encoder takes over a second.
        let (_, speech) = wav_samples(&fixture("vox/speech-espeak-8000Hz.wav"));
        let src = tempfile::tempdir().unwrap();
        let input = src.path().join("long.wav");
        write_wav(
            &input,
            speech.iter().copied().cycle().take(86 * speech.len()),
        );
        for signal in ["INT", "TERM"] {
            let out = tempfile::tempdir().unwrap();
            let child = convert(&input, &out.path().join("long.vox"), &[]).spawn();
            // Under way once its temporary file exists.
            crate::common::wait_for("a temporary file", || !listing(out.path()).is_empty());
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
}
