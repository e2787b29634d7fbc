//! `voxprep convert` itself: exit codes, flags, reports, signals. What a
//! conversion writes and refuses is the library's (the other modules);
//! here each flag is shown to reach it, and one or two cases show each
//! exit code and report through the command.

use super::*;
use crate::common::{Voxprep, have_tool, voxprep};
use serde_json::Value;
use std::process::Command;
use voxprep::convert::TrimSilence;
use voxprep::decode::DecodeOptions;
use voxprep::vox::{DecoderFlavor, EncoderKind};

/// `voxprep convert INPUT -o OUT EXTRA...`.
pub(super) fn convert(input: &Path, out: &Path, extra: &[&str]) -> Voxprep {
    let mut cmd = voxprep();
    cmd.arg("convert").arg(input).arg("-o").arg(out).args(extra);
    cmd
}

pub(super) fn convert_json(input: &Path, out: &Path, extra: &[&str]) -> Value {
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
            vec!["--normalize=-3"],
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
        (
            // Clipped: ffmpeg differs from exact only after positive clipping.
            fixture("vox/speech-espeak-clipped-8000Hz.sox.vox"),
            "wav",
            vec!["--vox-decoder", "ffmpeg"],
            ConvertOptions {
                decode: DecodeOptions {
                    vox_decoder: DecoderFlavor::Ffmpeg,
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
pub(super) fn fails(input: &Path, out: &Path, extra: &[&str], code: i32, expect: &str) {
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
/// naming the flag), the error once on stderr, nothing left behind. Which
/// inputs are refused, in what words, is the library's
/// (`failures::hostile_inputs_fail_clearly_and_leave_nothing`): here the
/// first of them, and a missing file, which the command refuses itself.
#[test]
fn failures_exit_1_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let faulty = faulty_inputs(dir.path());
    let out = dir.path().join("out").join("out.wav");
    fs::create_dir(out.parent().unwrap()).unwrap();
    let (input, expect) = &faulty[0];
    fails(input, &out, &[], 1, expect);
    let (missing, expect) = faulty.last().unwrap();
    fails(missing, &out, &[], 2, expect);
    let mp3 = conv("tone-44100Hz-stereo.mp3");
    for (input, extra, expect) in [
        (
            conv("tone-8000Hz.vox"),
            &["--to", "vox", "--rate", "11025"][..],
            "out.wav is named .wav but would hold VOX; name it",
        ),
        (mp3.clone(), &["--loudness", "-70"], "out of range"),
    ] {
        fails(&input, &out, extra, 2, expect);
    }
    let bare = dir.path().join("out").join("bare");
    fails(&mp3, &bare, &[], 2, "cannot tell the format");
    let vox_out = dir.path().join("out").join("out.vox");
    fails(
        &conv("tone-8000Hz.vox"),
        &vox_out,
        &["--rate", "11025"],
        2,
        "VOX is always 8000 Hz, not 11025 (check --rate)",
    );
    // An output that is the input, spelled another way, even with --force.
    let own = dir.path().join("own");
    fs::create_dir(&own).unwrap();
    let (input, spellings) = input_and_its_spellings(&own);
    let original = fs::read(&input).unwrap();
    fails(&input, &spellings[1], &["--force"], 2, "is the input");
    assert_eq!(fs::read(&input).unwrap(), original);
    let u = unwritable();
    convert(&conv("tone-s16-8000Hz-mono.wav"), &u.target, &[])
        .run()
        .code(1)
        .stderr_has("cannot create the output");
    assert_eq!(listing(&u.ro), Vec::<String>::new());
}

/// A conforming input (nothing to change: the integer fast path), with
/// `--keep-dc` and by default (the fixtures have no offset to take out):
/// WAV to WAV holds the input's samples, WAV to VOX with greedy is
/// `sox -D`'s bytes, and a truncated input still fails as it did.
#[test]
fn a_conforming_input_is_copied() {
    let dir = tempfile::tempdir().unwrap();
    let speech = fixture("vox/speech-espeak-8000Hz.wav");
    let samples = |p: &Path| -> Vec<i16> {
        let mut r = hound::WavReader::open(p).unwrap();
        r.samples::<i16>().map(|s| s.unwrap()).collect()
    };
    for flags in [&["--keep-dc"][..], &[]] {
        let wav = dir.path().join(format!("copy{}.wav", flags.len()));
        convert(&speech, &wav, flags).run().success();
        assert!(samples(&wav) == samples(&speech), "{flags:?}");
        for clip in ["speech-espeak-8000Hz", "tone-440Hz-1001samples-8000Hz"] {
            let input = fixture(&format!("vox/{clip}.wav"));
            let vox = dir.path().join(format!("{clip}{}.vox", flags.len()));
            let mut extra = flags.to_vec();
            extra.extend(["--vox-encoder", "greedy"]);
            convert(&input, &vox, &extra).run().success();
            // The fixture is `sox -D`'s encoding (fixtures/README.md).
            let sox = fs::read(fixture(&format!("vox/{clip}.sox.vox"))).unwrap();
            assert!(fs::read(&vox).unwrap() == sox, "{clip} {flags:?}");
            if have_tool("sox") {
                let live = dir.path().join(format!("{clip}.sox.vox"));
                let made = Command::new("sox")
                    .arg("-D")
                    .arg(&input)
                    .args(["-t", "vox", "-r", "8000"])
                    .arg(&live)
                    .status()
                    .unwrap();
                assert!(made.success());
                assert!(
                    fs::read(&vox).unwrap() == fs::read(&live).unwrap(),
                    "{clip}"
                );
            }
        }
        let cut = fixture("wav/bad-data-truncated.wav");
        let out = dir.path().join("cut.wav");
        convert(&cut, &out, flags)
            .run()
            .code(1)
            .stderr_has("the file ends early");
        assert!(!out.exists());
    }
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
        &["--trim-silence", "--keep-dc"],
    );
    assert!(text.contains("\n    trimmed 0.90 s of silence"), "{text}");
    assert!(text.contains("billing unit(s) saved"), "{text}");
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
/// what could not be done, as a warning and a null.
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
    let silent = silent_wav(dir.path());
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
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap()
            .contains("MP3 audio in WAV")
    );
    assert_eq!(tree(out.path()), SOURCE_TREE_AS_VOX);
    // Run again: the outputs exist. Refused before any work, like one file.
    convert(s, out.path(), &["--to", "vox"])
        .run()
        .code(2)
        .stderr_has("3 files cannot be converted as asked; nothing was converted")
        .stderr_has("exists; use --force to replace it, or --skip-existing");
    convert(
        &s.join("a"),
        &out.path().join("a"),
        &["--to", "vox", "--force"],
    )
    .run()
    .success()
    .stdout_has("2 converted");
}

/// Outputs on inputs and outputs two inputs share are refused before any
/// work, all of them named, as a usage error: nothing converted, no rows.
#[test]
fn folder_outputs_on_inputs_are_refused_before_work() {
    let src = clashing_folder();
    let s = src.path();
    let before = clashing_inputs(s);
    let run = convert(s, s, &["--force", "--format", "json"])
        .run()
        .code(2)
        .stderr_has("5 files cannot be converted as asked; nothing was converted")
        .stderr_has("a.wav is the input file")
        .stderr_has(&format!(
            "{} and {} would both be written to {}; --prefer-lossless converts {}",
            s.join("c.flac").display(),
            s.join("c.ogg").display(),
            s.join("c.wav").display(),
            s.join("c.flac").display(),
        ));
    assert!(run.stdout().is_empty(), "{run}");
    assert_eq!(before, clashing_inputs(s));
    assert_eq!(listing(s), ["a.wav", "b.mp3", "b.wav", "c.flac", "c.ogg"]);
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
            .args(["--to", "vox", "--keep-dc", "--vox-encoder", kind])
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

/// The hostile fixtures (absurd rates, channel counts and chunk sizes,
/// noise and empty files under audio names) in one folder with good files,
/// 47 in all, under a 512 MiB address-space limit: check reports on every
/// file, convert converts the good ones and names each failure; neither
/// run aborts or stops at the first bad file.
#[test]
fn a_hostile_folder_finishes_with_a_report_within_512_mib() {
    if !crate::common::have_tool("prlimit") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir(&input).unwrap();
    let mut hostile = Vec::new();
    for entry in fs::read_dir(fixture("hostile")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "py") {
            continue;
        }
        let name = path.file_name().unwrap().to_owned();
        fs::copy(&path, input.join(&name)).unwrap();
        hostile.push(name.to_string_lossy().into_owned());
    }
    let good = [
        "check/pass-8000hz-prompt.wav",
        "check/stereo-44100hz.wav",
        "convert/tone-44100Hz-stereo.mp3",
        "convert/tone-48000Hz-mono.flac",
        "convert/tone-44100Hz-stereo.ogg",
        "convert/tone-44100Hz-mono.m4a",
        "convert/tone-22050Hz-mono.aiff",
        "convert/tone-8000Hz.vox",
        "telephony/speech-8000Hz.ulaw",
        "gsm/speech-espeak-8000Hz.gsm",
        "g722/speech-espeak-16000Hz.g722",
    ];
    for rel in good {
        // Stems kept distinct (`a.mp3` and `a.ogg` would share `a.wav`).
        let path = Path::new(rel);
        let name = format!(
            "good-{}-{}.{}",
            path.file_stem().unwrap().to_string_lossy(),
            path.extension().unwrap().to_string_lossy(),
            path.extension().unwrap().to_string_lossy()
        );
        fs::copy(fixture(rel), input.join(name)).unwrap();
    }
    let total = hostile.len() + good.len();
    assert!(total >= 45, "{total} files");
    const LIMIT: u64 = 512 * 1024 * 1024;

    let run = crate::common::voxprep_within(LIMIT)
        .args(["check", "--format", "json"])
        .arg(&input)
        .run()
        .code(1);
    let report = run.json();
    let files = report["files"].as_array().expect("files");
    assert_eq!(files.len(), total, "{run}");
    assert_eq!(report["summary"]["files"], total, "{run}");
    for f in files {
        let path = f["path"].as_str().unwrap();
        if path.contains("/good-") {
            // Conforming, or one conversion away, with its length.
            let ok = f["verdict"] == "pass" || f["fix"]["convert"] == true;
            assert!(ok && f["duration_s"].is_number(), "{path}: {f}");
        }
    }

    // `out/`: a folder to make. noise.flac and noise.mp3 share an output;
    // the lossless one is converted.
    let out = dir.path().join("out/");
    let run = crate::common::voxprep_within(LIMIT)
        .args(["convert", "--format", "json", "--prefer-lossless", "-o"])
        .arg(&out)
        .arg(&input)
        .run()
        .code(1);
    let report = run.json();
    let files = report["files"].as_array().expect("files");
    assert_eq!(files.len(), total, "{run}");
    for f in files {
        let input = f["input"].as_str().unwrap();
        let name = Path::new(input).file_name().unwrap().to_string_lossy();
        if name.starts_with("good-") {
            assert!(
                matches!(f["status"].as_str(), Some("converted" | "warn")),
                "{f}"
            );
            assert!(Path::new(f["output"].as_str().unwrap()).is_file(), "{f}");
        } else if name == "noise.mp3" {
            assert_eq!(f["status"], "skipped", "{f}");
            assert_eq!(f["reason"], "less-faithful", "{f}");
        } else if f["status"] == "failed" {
            let error = f["error"].as_str().unwrap();
            assert!(error.contains(&*name), "the error names the file: {error}");
        }
    }
    assert!(
        files.iter().filter(|f| f["status"] == "failed").count() > 20,
        "{run}"
    );
    assert_no_temporary_files(&out);
}

/// The attack run's finding: `convert in.wav -o /dev/full --force` as root
/// replaced the device node with a WAV file. A device (made here with
/// mknod, as root) or a FIFO is refused with --force too, exit 2, and stays
/// what it was.
#[cfg(unix)]
#[test]
fn a_device_or_fifo_output_is_refused_even_with_force() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.wav");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let dev = dir.path().join("full.wav");
    let root = Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "7"])
        .status()
        .is_ok_and(|s| s.success());
    let mut cases = vec![(fifo, "a named pipe (FIFO)")];
    if root {
        cases.push((dev, "a character device"));
    } else {
        eprintln!("SKIPPING the device node case: mknod needs root");
    }
    for (out, kind) in cases {
        convert(
            &conv("tone-s16-8000Hz-mono.wav"),
            &out,
            &["--to", "wav", "--force"],
        )
        .run()
        .code(2)
        .stderr_has(&format!("{} is {kind}", out.display()));
        let t = fs::symlink_metadata(&out).unwrap().file_type();
        assert!(
            t.is_fifo() || t.is_char_device(),
            "{} was replaced",
            out.display()
        );
    }
    assert_no_temporary_files(dir.path());
}

/// A full disk is reported on the output the user named, not on the hidden
/// temporary file, and leaves nothing behind. Run in a private mount
/// namespace with a 64 KiB tmpfs (root only; skipped loudly otherwise).
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_names_the_output_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("ten-seconds.wav");
    write_wav(&input, (0..80_000).map(|i| ((i % 80) as i16 - 40) * 300));
    let small = dir.path().join("small");
    fs::create_dir(&small).unwrap();
    let script = r#"mount -t tmpfs -o size=64k tmpfs "$1" || exit 77
"$2" convert "$3" -o "$1/out.wav"; rc=$?
echo "--- left:"; ls -A "$1"; exit $rc"#;
    let out = Command::new("unshare")
        .args(["-m", "sh", "-c", script, "sh"])
        .arg(&small)
        .arg(env!("CARGO_BIN_EXE_voxprep"))
        .arg(&input)
        .output();
    let out = match out {
        Ok(o) if o.status.code().is_some_and(|c| c != 77 && c < 100) => o,
        other => {
            eprintln!(
                "SKIPPING: cannot mount a tmpfs in a private namespace (needs root and unshare): {:?}",
                other.map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
            );
            return;
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!("{}/out.wav", small.display())),
        "{stderr}"
    );
    assert!(
        !stderr.contains(".out.wav."),
        "names the temporary file: {stderr}"
    );
    assert!(stderr.to_lowercase().contains("no space"), "{stderr}");
    // `ls -A` of the small disk, after the run: empty.
    let left = stdout.split("--- left:").nth(1).unwrap_or_default();
    assert!(left.trim().is_empty(), "left behind: {left}");
}
