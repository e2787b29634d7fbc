//! `check` on fixtures made by sox, ffmpeg and espeak-ng (see
//! fixtures/README.md): what it finds, through the library; the exit status,
//! flags and output formats of `voxprep check`, through the binary (`mod cli`).

use crate::common::{ffmpeg_lufs, fixture, have_tool};
use std::path::PathBuf;
use std::process::Command;
use voxprep::batch;
use voxprep::check::{CheckOptions, FileReport, Fix, check_path};
use voxprep::report::Report;
use voxprep::signal::Thresholds;
use voxprep::spec::{Severity, Verdict};

/// Check one fixture as `voxprep check` does by default.
fn check(rel: &str) -> FileReport {
    check_path(&fixture(rel), &CheckOptions::default())
}

/// Check one fixture with other signal thresholds.
fn check_with(rel: &str, thresholds: Thresholds) -> FileReport {
    let opts = CheckOptions {
        thresholds,
        ..CheckOptions::default()
    };
    check_path(&fixture(rel), &opts)
}

/// Walk and check `paths` as `voxprep check PATHS...` does.
fn check_all(paths: &[PathBuf], opts: &CheckOptions) -> Report {
    batch::check_all(paths, opts, |_| {}, |_| {})
}

fn codes(f: &FileReport) -> Vec<&str> {
    f.problems.iter().map(|p| p.code.as_str()).collect()
}

#[test]
fn passing_8000_hz_prompt() {
    let f = check("check/pass-8000hz-prompt.wav");
    assert_eq!(f.verdict, Verdict::Pass, "{f:#?}");
    assert_eq!(f.container.as_deref(), Some("wav"));
    assert_eq!(f.sample_rate, Some(8000));
    assert_eq!(f.channels, Some(1));
    assert_eq!(f.bits_per_sample, Some(16));
    assert_eq!(f.format_tag, Some(1));
    assert_eq!(f.samples, Some(14411));
    assert_eq!(f.duration_s, Some(1.801));
    assert_eq!(f.billing_units, Some(1));
    assert!(f.problems.is_empty());
    let signal = f.signal.as_ref().expect("analysed");
    let peak = signal.peak_dbfs.unwrap();
    assert!(
        (peak - -3.0).abs() < 0.1,
        "sox normalised it to -3 dBFS, got {peak}"
    );
    assert_eq!(signal.analysed_samples, 14411);
}

#[test]
fn passing_11025_hz_prompt() {
    let f = check("check/pass-11025hz-prompt.wav");
    assert_eq!(f.verdict, Verdict::Pass, "{f:#?}");
    assert_eq!(f.sample_rate, Some(11025));
    assert_eq!(f.billing_units, Some(1));
}

#[test]
fn vox_from_sox() {
    let f = check("check/prompt-8000hz.vox");
    assert_eq!(f.verdict, Verdict::Pass, "{f:#?}");
    assert_eq!(f.container.as_deref(), Some("vox"));
    assert_eq!(f.sample_rate, Some(8000));
    assert_eq!(f.bits_per_sample, Some(4));
    assert_eq!(f.samples, Some(7206 * 2));
    assert_eq!(f.duration_s, Some(1.801));
    assert_eq!(f.format_tag, None);
}

/// The warning fixtures: each warns with one code, whose message carries
/// its figures.
const WARNINGS: [(&str, &str, &str); 6] = [
    ("check/silent-8000hz.wav", "silent", "digital silence"),
    ("check/clipped-8000hz.wav", "clipping", "full-scale samples"),
    (
        "check/flat-tops-8000hz.wav",
        "flat-tops",
        "440 run(s) of 3 or more samples held at the peak of -1.0 dBFS (2680 samples",
    ),
    ("check/quiet-8000hz.wav", "low-level", "peak -30.1 dBFS"),
    ("check/dc-offset-8000hz.wav", "dc-offset", "+10.00 %"),
    (
        "check/leading-silence-8000hz.wav",
        "leading-silence",
        "0.80 s",
    ),
];

#[test]
fn signal_warnings_with_their_figures() {
    for (rel, code, needle) in WARNINGS {
        let f = check(rel);
        assert_eq!(f.verdict, Verdict::Warn, "{rel}: {f:#?}");
        assert_eq!(codes(&f), [code], "{rel}");
        let msg = &f.problems[0].message;
        assert!(msg.contains(needle), "{rel}: {msg}");
        assert_eq!(f.problems[0].severity, Severity::Warning);
    }
}

#[test]
fn leading_silence_says_what_trimming_saves() {
    let f = check("check/leading-silence-8000hz.wav");
    assert_eq!(f.billing_units, Some(2));
    let signal = f.signal.as_ref().expect("analysed");
    assert_eq!(signal.trimmed_billing_units, Some(1));
    assert_eq!(signal.leading_silence_s, 0.8);
    let msg = &f.problems[0].message;
    assert!(
        msg.contains("save 1 billing unit(s) per call (2 -> 1)"),
        "{msg}"
    );
}

#[test]
fn clipping_figures() {
    let f = check("check/clipped-8000hz.wav");
    let signal = f.signal.as_ref().expect("analysed");
    assert!(signal.clipped_runs > 100, "{f:#?}");
    assert!(signal.longest_clip_run >= 3);
}

/// sox `stats` is the oracle for flat tops: its "Pk count" (samples at the
/// peak level) equals our samples in flat tops where every peak sample lies
/// in a run of 3 or more, and a clean prompt has none.
#[test]
fn flat_tops_agree_with_sox_stats() {
    let f = check("check/flat-tops-8000hz.wav");
    let signal = f.signal.as_ref().expect("analysed");
    assert_eq!(signal.clipped_runs, 0, "{f:#?}");
    assert_eq!(signal.flat_top_runs, 440, "{f:#?}");
    assert_eq!(signal.longest_flat_top, 7, "{f:#?}");
    let clean = check("check/pass-8000hz-prompt.wav");
    assert_eq!(
        clean.signal.as_ref().unwrap().flat_top_runs,
        0,
        "{clean:#?}"
    );
    if !have_tool("sox") {
        return;
    }
    let stats = Command::new("sox")
        .arg(fixture("check/flat-tops-8000hz.wav"))
        .args(["-n", "stats"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&stats.stderr);
    let pk_count = text
        .lines()
        .find(|l| l.starts_with("Pk count"))
        .and_then(|l| l.split_whitespace().last())
        .unwrap_or_else(|| panic!("no Pk count in {text}"));
    // sox prints three significant figures: "2.68k".
    let pk_count: f64 = match pk_count.strip_suffix('k') {
        Some(k) => k.parse::<f64>().unwrap() * 1000.0,
        None => pk_count.parse().unwrap(),
    };
    let ours = signal.flat_top_samples as f64;
    assert!(
        (ours - pk_count).abs() <= pk_count * 0.005,
        "flat-top samples {ours}, sox Pk count {pk_count}"
    );
}

/// Each threshold moves its warning's line.
#[test]
fn thresholds_move_the_warnings() {
    let t = Thresholds::default;
    let f = check_with(
        "check/leading-silence-8000hz.wav",
        Thresholds {
            max_edge_silence_s: 1.0,
            ..t()
        },
    );
    assert_eq!(f.verdict, Verdict::Pass, "{f:#?}");
    let f = check_with(
        "check/dc-offset-8000hz.wav",
        Thresholds {
            max_dc_offset_pct: 20.0,
            ..t()
        },
    );
    assert_eq!(f.verdict, Verdict::Pass, "{f:#?}");
    let f = check_with(
        "check/clipped-8000hz.wav",
        Thresholds {
            clip_run: 50,
            ..t()
        },
    );
    assert_eq!(f.verdict, Verdict::Pass, "{f:#?}");
    let f = check_with(
        "check/quiet-8000hz.wav",
        Thresholds {
            silence_dbfs: -100.0,
            ..t()
        },
    );
    assert_eq!(codes(&f), ["low-level"]);
    let f = check_with(
        "check/quiet-8000hz.wav",
        Thresholds {
            low_level_dbfs: -40.0,
            ..t()
        },
    );
    assert_eq!(f.verdict, Verdict::Pass, "{f:#?}");
}

#[test]
fn stereo_44100_fails_with_codes() {
    let f = check("check/stereo-44100hz.wav");
    assert_eq!(f.verdict, Verdict::Fail);
    assert_eq!(codes(&f), ["not-mono", "bad-sample-rate"]);
    assert_eq!(f.problems[0].severity, Severity::Error);
    assert_eq!(f.channels, Some(2));
    assert_eq!(f.sample_rate, Some(44100));
    // Its facts are known, so they are reported; its signal is not analysed.
    assert_eq!(f.samples, Some(4410));
    assert!(f.signal.is_none());
}

#[test]
fn prompt_folder_skips_non_audio_and_fails_the_mp3() {
    let report = check_all(&[fixture("check/prompts")], &CheckOptions::default());
    let files = &report.files;
    let names: Vec<_> = files.iter().map(|f| f.path.display().to_string()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0].ends_with("welcome.mp3") && names[1].ends_with("welcome.wav"),
        "{names:?}"
    );
    let (mp3, wav) = (&files[0], &files[1]);
    assert_eq!(mp3.verdict, Verdict::Fail);
    assert_eq!(mp3.container.as_deref(), Some("mp3"));
    assert_eq!(codes(mp3), ["not-accepted"]);
    let msg = &mp3.problems[0].message;
    assert!(msg.contains("MP3") && !msg.contains("voxprep"), "{msg}");
    // What fixes it is data: convert reads this MP3 to its end. A build
    // without a decoder cannot tell, and says nothing.
    let readable = cfg!(feature = "decode").then_some(Fix::Convert { adjust: vec![] });
    assert_eq!(mp3.fix, readable, "{mp3:#?}");
    assert_eq!(wav.fix, None);
    assert!(mp3.duration_s.is_none() && mp3.billing_units.is_none());
    assert_eq!(wav.verdict, Verdict::Pass);
    let s = report.summary();
    assert_eq!((s.files, s.pass, s.fail), (2, 1, 1));
    assert_eq!(s.skipped, 1);
}

#[test]
fn explicit_non_audio_file_is_checked() {
    let report = check_all(&[fixture("check/not-audio.txt")], &CheckOptions::default());
    assert_eq!(report.files.len(), 1);
    let f = &report.files[0];
    assert_eq!(f.verdict, Verdict::Fail);
    assert_eq!(codes(f), ["not-audio"]);
}

/// A folder with a readable WAV, a dangling link and (unless we run as root)
/// a file we may not read.
#[cfg(unix)]
struct Unreadable {
    dir: tempfile::TempDir,
    root_can_read: bool,
}

#[cfg(unix)]
fn unreadable_folder() -> Unreadable {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ok = dir.path().join("ok.wav");
    std::fs::copy(fixture("check/pass-8000hz-prompt.wav"), &ok).unwrap();
    // A dangling link named .wav cannot be read, even by root (CI runs as root).
    std::os::unix::fs::symlink(dir.path().join("gone.wav"), dir.path().join("broken.wav")).unwrap();
    let locked = dir.path().join("locked.wav");
    std::fs::copy(fixture("check/pass-8000hz-prompt.wav"), &locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let root_can_read = std::fs::read(&locked).is_ok();
    if root_can_read {
        eprintln!(
            "NOTE: running as root: chmod 000 does not stop reading; checking the dangling link only"
        );
    }
    Unreadable { dir, root_can_read }
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_a_fail_row() {
    let Unreadable { dir, root_can_read } = unreadable_folder();
    let report = check_all(&[dir.path().to_path_buf()], &CheckOptions::default());
    let row = |name: &str| {
        report
            .files
            .iter()
            .find(|f| f.path.ends_with(name))
            .unwrap_or_else(|| panic!("no row for {name}: {report:#?}"))
    };
    let broken = row("broken.wav");
    assert_eq!(broken.verdict, Verdict::Fail);
    assert_eq!(codes(broken), ["unreadable"]);
    assert!(broken.sample_rate.is_none() && broken.samples.is_none());
    assert_eq!(row("ok.wav").verdict, Verdict::Pass);
    if !root_can_read {
        let locked = row("locked.wav");
        assert_eq!(codes(locked), ["unreadable"]);
        let msg = &locked.problems[0].message;
        assert!(msg.contains("ermission denied"), "{msg}");
    } else {
        assert_eq!(row("locked.wav").verdict, Verdict::Pass);
    }
    assert_eq!(
        report.summary().unreadable,
        if root_can_read { 1 } else { 2 }
    );
}

/// sox is the oracle for sample counts and peaks of every WAV fixture.
#[test]
fn figures_agree_with_sox() {
    if !have_tool("soxi") || !have_tool("sox") {
        return;
    }
    let report = check_all(&[fixture("check")], &CheckOptions::default());
    let mut compared = 0;
    for f in &report.files {
        let path = &f.path;
        if path.extension().is_none_or(|e| e != "wav") || f.verdict == Verdict::Fail {
            continue;
        }
        let soxi = Command::new("soxi").arg("-s").arg(path).output().unwrap();
        let samples: u64 = String::from_utf8_lossy(&soxi.stdout)
            .trim()
            .parse()
            .unwrap();
        assert_eq!(f.samples, Some(samples), "{path:?}");
        let stat = Command::new("sox")
            .arg(path)
            .args(["-n", "stat"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&stat.stderr);
        let field = |name: &str| -> f64 {
            let line = text.lines().find(|l| l.starts_with(name)).unwrap();
            line.rsplit(' ').next().unwrap().parse().unwrap()
        };
        let peak = field("Maximum amplitude:").max(-field("Minimum amplitude:"));
        match f.signal.as_ref().and_then(|s| s.peak_dbfs) {
            None => assert_eq!(peak, 0.0, "{path:?}"),
            Some(db) => {
                let sox_db = 20.0 * peak.log10();
                assert!((db - sox_db).abs() < 0.05, "{path:?}: {db} vs sox {sox_db}");
            }
        }
        compared += 1;
    }
    assert!(compared >= 9, "only {compared} WAV fixtures compared");
}

/// The fixtures of the loudness tests: a prompt, a quiet one, a VOX and silence.
const LOUDNESS_FILES: [&str; 4] = [
    "check/pass-8000hz-prompt.wav",
    "check/quiet-8000hz.wav",
    "check/prompt-8000hz.vox",
    "check/silent-8000hz.wav",
];

/// Each recording's integrated loudness, when asked for, as ffmpeg's
/// ebur128 filter measures it (within 0.15 LU; it prints 0.1 LU steps), and
/// the spread in the summary.
#[test]
fn loudness_is_measured_when_asked_and_summed_up() {
    let files: Vec<PathBuf> = LOUDNESS_FILES.iter().map(|f| fixture(f)).collect();
    let opts = CheckOptions {
        measure_loudness: true,
        ..CheckOptions::default()
    };
    let report = check_all(&files, &opts);
    // Rows come in path order: find each file's own.
    let lufs = |i: usize| {
        let row = report.files.iter().find(|r| r.path == files[i]).unwrap();
        row.signal.as_ref().unwrap().loudness_lufs
    };
    for (i, f) in files.iter().enumerate().take(3) {
        let ours = lufs(i).unwrap_or_else(|| panic!("no loudness for {f:?}"));
        // ffmpeg has no headerless-VOX reader: sox decodes it first (its
        // exact decoder, the one check meters).
        let dir = tempfile::tempdir().unwrap();
        let input = if f.extension().is_some_and(|e| e == "vox") {
            if !have_tool("sox") {
                continue;
            }
            let wav = dir.path().join("decoded.wav");
            let ok = Command::new("sox")
                .args(["-t", "vox", "-r", "8000"])
                .arg(f)
                .arg(&wav)
                .status()
                .unwrap();
            assert!(ok.success());
            wav
        } else {
            f.clone()
        };
        if let Some(theirs) = ffmpeg_lufs(&input) {
            assert!(
                (ours - theirs).abs() <= 0.15,
                "{f:?}: ours {ours}, ffmpeg {theirs}"
            );
        }
    }
    // The quiet fixture is far below the prompt.
    assert!(lufs(1).unwrap() < lufs(0).unwrap() - 10.0);
    // Silence has no loudness.
    assert_eq!(lufs(3), None);
    let spread = report.summary().loudness.expect("a spread");
    assert_eq!(spread.files, 3);
    assert_eq!(spread.min_lufs, lufs(1).unwrap());
    assert!(spread.outliers >= 1, "{spread:?}");

    // Not asked: none per file and none in the summary.
    let report = check_all(&files[..1], &CheckOptions::default());
    assert!(
        report.files[0]
            .signal
            .as_ref()
            .unwrap()
            .loudness_lufs
            .is_none()
    );
    assert!(report.summary().loudness.is_none());
}

/// `voxprep check` itself: exit status, flags, formats, wording.
#[cfg(feature = "cli")]
mod cli {
    use super::*;
    use crate::common::voxprep;
    use serde_json::{Value, json};

    fn fx(rel: &str) -> String {
        fixture(rel).to_string_lossy().into_owned()
    }

    fn json_codes(file: &Value) -> Vec<&str> {
        file["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap())
            .collect()
    }

    /// The JSON document `voxprep check --format json` prints for `report`.
    fn document(report: &Report) -> Value {
        json!({ "files": report.files, "summary": report.summary() })
    }

    /// The exit status sums up the verdicts (0 pass or warn, 1 fail), and
    /// the JSON rows are the library's reports with default options.
    #[test]
    fn exit_status_and_json_are_the_librarys_verdicts() {
        let mut cases: Vec<(PathBuf, i32)> = vec![
            (fixture("check/pass-8000hz-prompt.wav"), 0),
            (fixture("check/pass-11025hz-prompt.wav"), 0),
            (fixture("check/prompt-8000hz.vox"), 0),
            (fixture("check/stereo-44100hz.wav"), 1),
            (fixture("check/prompts"), 1),
            (fixture("check/not-audio.txt"), 1),
        ];
        // Warnings do not fail.
        cases.extend(WARNINGS.iter().map(|(rel, ..)| (fixture(rel), 0)));
        #[cfg(unix)]
        let unreadable = unreadable_folder();
        #[cfg(unix)]
        cases.push((unreadable.dir.path().to_path_buf(), 1));
        for (path, code) in cases {
            let run = voxprep()
                .args(["check", "--format", "json"])
                .arg(&path)
                .run()
                .code(code);
            let want = document(&check_all(&[path], &CheckOptions::default()));
            assert_eq!(run.json(), want, "{run}");
        }
    }

    #[test]
    fn strict_turns_warnings_into_exit_1() {
        let quiet = fx("check/quiet-8000hz.wav");
        voxprep().args(["check", &quiet]).run().code(0);
        voxprep().args(["check", "--strict", &quiet]).run().code(1);
        // A threshold option moves the line.
        voxprep()
            .args(["check", "--strict", "--low-level", "-40", &quiet])
            .run()
            .code(0);
    }

    /// Each threshold flag reaches the check.
    #[test]
    fn thresholds_are_options() {
        let check_json = |args: &[&str]| -> Value {
            voxprep()
                .args(["check", "--format", "json"])
                .args(args)
                .run()
                .json()
        };
        let doc = check_json(&[
            "--max-edge-silence",
            "1",
            &fx("check/leading-silence-8000hz.wav"),
        ]);
        assert_eq!(doc["files"][0]["verdict"], "pass");
        let doc = check_json(&["--max-dc-offset", "20", &fx("check/dc-offset-8000hz.wav")]);
        assert_eq!(doc["files"][0]["verdict"], "pass");
        let doc = check_json(&["--clip-run", "50", &fx("check/clipped-8000hz.wav")]);
        assert_eq!(doc["files"][0]["verdict"], "pass");
        let doc = check_json(&["--silence-threshold", "-100", &fx("check/quiet-8000hz.wav")]);
        assert_eq!(json_codes(&doc["files"][0]), ["low-level"]);
    }

    #[test]
    fn json_rows_have_every_field() {
        let doc = voxprep()
            .args(["check", "--format", "json", &fx("check")])
            .run()
            .json();
        let files = doc["files"].as_array().unwrap();
        assert!(files.len() >= 11);
        for f in files {
            for key in [
                "path",
                "verdict",
                "container",
                "sample_rate",
                "channels",
                "bits_per_sample",
                "format_tag",
                "samples",
                "duration_s",
                "billing_units",
                "problems",
                "signal",
            ] {
                assert!(f.get(key).is_some(), "{key} missing in {f:#}");
            }
        }
        for key in [
            "files",
            "pass",
            "warn",
            "fail",
            "skipped",
            "total_duration_s",
            "total_billing_units",
        ] {
            assert!(doc["summary"].get(key).is_some(), "summary.{key} missing");
        }
    }

    /// The JSON words: verdicts, codes and severities as strings, what is
    /// unknown as null, the fix as `{"convert": true, "adjust": []}`.
    #[test]
    fn json_words_and_nulls() {
        let doc = voxprep()
            .args(["check", "--format", "json", &fx("check/prompts")])
            .run()
            .code(1)
            .json();
        let files = &doc["files"];
        assert_eq!(files[0]["verdict"], "fail");
        assert_eq!(files[0]["container"], "mp3");
        assert_eq!(json_codes(&files[0]), ["not-accepted"]);
        assert_eq!(files[0]["problems"][0]["severity"], "error");
        assert_eq!(files[0]["fix"]["convert"], true, "{:#}", files[0]);
        assert_eq!(files[0]["fix"]["adjust"], json!([]));
        assert!(files[1]["fix"].is_null());
        assert!(files[0]["duration_s"].is_null() && files[0]["billing_units"].is_null());
        assert_eq!(files[1]["verdict"], "pass");
        let s = &doc["summary"];
        assert_eq!(
            (s["files"].as_u64(), s["pass"].as_u64(), s["fail"].as_u64()),
            (Some(2), Some(1), Some(1))
        );
        assert_eq!(s["skipped"], 1);
        let doc = voxprep()
            .args(["check", "--format", "json", &fx("check/quiet-8000hz.wav")])
            .run()
            .json();
        assert_eq!(doc["files"][0]["verdict"], "warn");
        assert_eq!(doc["files"][0]["problems"][0]["severity"], "warning");
    }

    #[test]
    fn output_is_deterministic_across_thread_counts() {
        let dir = fx("check");
        let a = voxprep()
            .args(["check", "--format", "json", "-j", "1", &dir])
            .run();
        let b = voxprep()
            .args(["check", "--format", "json", "-j", "4", &dir])
            .run();
        assert_eq!(a.stdout, b.stdout);
    }

    #[test]
    fn human_and_csv() {
        let out = voxprep()
            .args(["check", &fx("check/prompts")])
            .run()
            .code(1);
        let text = out.stdout();
        assert!(text.contains("FAIL"), "{text}");
        assert!(text.contains("error not-accepted:"), "{text}");
        assert!(
            text.contains("2 file(s): 1 pass, 0 warn, 1 fail; 1 non-audio file(s) skipped"),
            "{text}"
        );
        assert!(text.contains("billing unit(s) per call"), "{text}");
        assert!(
            out.stderr.is_empty(),
            "no progress bar when stderr is not a terminal"
        );

        let out = voxprep()
            .args(["check", "--format", "csv", &fx("check/prompts")])
            .run();
        let text = out.stdout();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("path,verdict,container,sample_rate,"));
        assert!(
            lines[1].contains(",fail,mp3,") && lines[1].contains("not-accepted"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].contains(",pass,wav,8000,1,16,1,4000,0.500,1,"),
            "{}",
            lines[2]
        );
    }

    #[test]
    fn exit_2_when_nothing_can_be_read() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.wav");
        let out = voxprep()
            .args(["check", "--format", "json"])
            .arg(&missing)
            .run()
            .code(2)
            .stderr_has("no file could be read");
        assert_eq!(json_codes(&out.json()["files"][0]), ["unreadable"]);

        // An empty folder (no argument: the current folder).
        std::fs::write(dir.path().join("readme.txt"), "x").unwrap();
        voxprep()
            .arg("check")
            .current_dir(dir.path())
            .run()
            .code(2)
            .stderr_has("no audio files found");
    }

    #[test]
    fn exit_2_on_usage_errors() {
        let f = fx("check/pass-8000hz-prompt.wav");
        for args in [
            vec!["check", "--format", "xml", &f],
            vec!["check", "--low-level", "5", &f],
            vec!["check", "--silence-threshold", "abc", &f],
            vec!["check", "-j", "0", &f],
            vec!["check", "--no-such-flag", &f],
        ] {
            voxprep().args(&args).run().code(2);
        }
    }

    #[test]
    fn help_documents_the_thresholds() {
        let text = voxprep().args(["check", "--help"]).run().success().stdout();
        for flag in [
            "--silence-threshold",
            "--low-level",
            "--max-edge-silence",
            "--trim-pad",
            "--clip-run",
            "--max-dc-offset",
            "--strict",
            "--format",
            "[default: -20]",
            "Exit status",
        ] {
            assert!(text.contains(flag), "--help lacks {flag}:\n{text}");
        }
    }

    /// `--loudness` measures (the library's figures, in JSON and in words),
    /// and without it there is nothing of loudness in the output.
    #[test]
    fn loudness_flag_measures_and_sums_up() {
        let files: Vec<PathBuf> = LOUDNESS_FILES.iter().map(|f| fixture(f)).collect();
        let doc = voxprep()
            .args(["check", "--format", "json", "--loudness"])
            .args(&files)
            .run()
            .json();
        let opts = CheckOptions {
            measure_loudness: true,
            ..CheckOptions::default()
        };
        assert_eq!(doc, document(&check_all(&files, &opts)));
        assert_eq!(doc["summary"]["loudness"]["files"], 3);
        let quiet = fx(LOUDNESS_FILES[1]);
        let row = doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["path"] == quiet.as_str())
            .unwrap();
        assert!(row["signal"]["loudness_lufs"].as_f64().is_some(), "{row}");

        let doc = voxprep()
            .args(["check", "--format", "json"])
            .arg(&files[0])
            .run()
            .json();
        assert!(doc["files"][0]["signal"]["loudness_lufs"].is_null());
        assert!(doc["summary"].get("loudness").is_none());

        let text = voxprep()
            .args(["check", "--loudness"])
            .args(&files)
            .run()
            .stdout();
        assert!(text.contains(" LUFS  "), "{text}");
        assert!(text.contains("loudness of 3 file(s): median"), "{text}");
        assert!(text.contains("voxprep convert --loudness"), "{text}");
    }
}
