//! `voxprep check` itself: exit status, flags, formats, wording. What
//! check finds is the library's (`files`, `signal`); the JSON rows here
//! are compared with the library's reports.

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
    json!({ "files": report.files, "summary": report.summary().unwrap() })
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

/// Each threshold flag reaches the check: the JSON is the library's with
/// that option, and the flag moves the fixture's verdict.
#[test]
fn thresholds_are_options() {
    for case in threshold_cases() {
        let path = fixture(case.fixture);
        let doc = voxprep()
            .args(["check", "--format", "json"])
            .args(case.flag)
            .arg(&path)
            .run()
            .success()
            .json();
        let opts = CheckOptions {
            thresholds: case.thresholds,
            ..CheckOptions::default()
        };
        assert_eq!(doc, document(&check_all(&[path], &opts)), "{:?}", case.flag);
        assert_eq!(json_codes(&doc["files"][0]), case.codes, "{:?}", case.flag);
    }
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
    // The MP3's length is what convert reads; its signal is not analysed.
    assert_eq!(files[0]["duration_s"], 0.5);
    assert_eq!(files[0]["billing_units"], 1);
    assert!(files[0]["signal"].is_null());
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
    let rows = [
        (lines[1], &[",fail,mp3,", "not-accepted"][..]),
        (lines[2], &[",pass,wav,8000,1,16,1,4000,0.500,1,"]),
    ];
    for (line, wants) in rows {
        for want in wants {
            assert!(line.contains(want), "no {want:?} in {line}");
        }
    }
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
    assert_eq!(doc, document(&check_all(&files, &measuring_loudness())));
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

/// The fix line, and `--no-fix` leaving it out (and the reading it costs).
#[test]
fn fix_lines_and_no_fix() {
    let folder = fx("check/prompts");
    // welcome.wav beside it is taken: the suggestion does not land on it.
    voxprep()
        .args(["check", &folder])
        .run()
        .code(1)
        .stdout_has("      fix: voxprep convert ")
        .stdout_has("welcome.mp3 -o ")
        .stdout_has("welcome.converted.wav");
    let run = voxprep()
        .args(["check", "--no-fix", "--format", "json", &folder])
        .run()
        .code(1);
    let no_advice = CheckOptions {
        advise: false,
        ..CheckOptions::default()
    };
    assert_eq!(
        run.json(),
        document(&check_all(&[fixture("check/prompts")], &no_advice))
    );
    assert!(run.json()["files"][0]["fix"].is_null(), "{run}");
}

/// `vox-rate-suspect` in the human form, with the hint naming the flag.
#[test]
fn vox_rate_suspect_says_how_to_declare_the_rate() {
    voxprep()
        .args(["check", &fx("vox-rate/mixed")])
        .run()
        .code(0)
        .stdout_has("warning vox-rate-suspect: its voice is ")
        .stdout_has("hint: if it was recorded at 6000 Hz, say so:")
        .stdout_has("--vox-rate 6000");
    voxprep()
        .args(["check", &fx("vox-rate/all-8000Hz")])
        .run()
        .code(0)
        .stdout_lacks("vox-rate-suspect");
}
