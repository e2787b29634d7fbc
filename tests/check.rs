//! `voxprep check` end to end: the real binary on fixtures made by sox,
//! ffmpeg and espeak-ng (see fixtures/README.md).

use crate::common::{ffmpeg_lufs, fixture, have_tool, voxprep};
use serde_json::Value;
use std::process::Command;

/// Run `voxprep check --format json ARGS...`; returns (exit code, document).
fn check_json(args: &[&str]) -> (i32, Value) {
    let out = voxprep()
        .arg("check")
        .arg("--format")
        .arg("json")
        .args(args)
        .run();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), doc)
}

fn fx(rel: &str) -> String {
    fixture(rel).to_string_lossy().into_owned()
}

fn codes(file: &Value) -> Vec<String> {
    file["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_string())
        .collect()
}

/// The single file row of a one-file check.
fn one(rel: &str) -> (i32, Value) {
    let (code, doc) = check_json(&[&fx(rel)]);
    assert_eq!(doc["files"].as_array().unwrap().len(), 1);
    (code, doc["files"][0].clone())
}

#[test]
fn passing_8000_hz_prompt() {
    let (code, f) = one("check/pass-8000hz-prompt.wav");
    assert_eq!(code, 0);
    assert_eq!(f["verdict"], "pass", "{f:#}");
    assert_eq!(f["container"], "wav");
    assert_eq!(f["sample_rate"], 8000);
    assert_eq!(f["channels"], 1);
    assert_eq!(f["bits_per_sample"], 16);
    assert_eq!(f["format_tag"], 1);
    assert_eq!(f["samples"], 14411);
    assert_eq!(f["duration_s"], 1.801);
    assert_eq!(f["billing_units"], 1);
    assert!(f["problems"].as_array().unwrap().is_empty());
    let peak = f["signal"]["peak_dbfs"].as_f64().unwrap();
    assert!(
        (peak - -3.0).abs() < 0.1,
        "sox normalised it to -3 dBFS, got {peak}"
    );
    assert_eq!(f["signal"]["analysed_samples"], 14411);
}

#[test]
fn passing_11025_hz_prompt() {
    let (code, f) = one("check/pass-11025hz-prompt.wav");
    assert_eq!((code, f["verdict"].as_str()), (0, Some("pass")), "{f:#}");
    assert_eq!(f["sample_rate"], 11025);
    assert_eq!(f["billing_units"], 1);
}

#[test]
fn vox_from_sox() {
    let (code, f) = one("check/prompt-8000hz.vox");
    assert_eq!((code, f["verdict"].as_str()), (0, Some("pass")), "{f:#}");
    assert_eq!(f["container"], "vox");
    assert_eq!(f["sample_rate"], 8000);
    assert_eq!(f["bits_per_sample"], 4);
    assert_eq!(f["samples"], 7206 * 2);
    assert_eq!(f["duration_s"], 1.801);
    assert!(f["format_tag"].is_null());
}

#[test]
fn signal_warnings_with_their_figures() {
    for (rel, code, needle) in [
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
    ] {
        let (exit, f) = one(rel);
        assert_eq!(exit, 0, "warnings do not fail: {rel}");
        assert_eq!(f["verdict"], "warn", "{rel}: {f:#}");
        assert_eq!(codes(&f), [code], "{rel}");
        let msg = f["problems"][0]["message"].as_str().unwrap();
        assert!(msg.contains(needle), "{rel}: {msg}");
        assert_eq!(f["problems"][0]["severity"], "warning");
    }
}

#[test]
fn leading_silence_says_what_trimming_saves() {
    let (_, f) = one("check/leading-silence-8000hz.wav");
    assert_eq!(f["billing_units"], 2);
    assert_eq!(f["signal"]["trimmed_billing_units"], 1);
    assert_eq!(f["signal"]["leading_silence_s"], 0.8);
    let msg = f["problems"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("save 1 billing unit(s) per call (2 -> 1)"),
        "{msg}"
    );
}

#[test]
fn clipping_figures() {
    let (_, f) = one("check/clipped-8000hz.wav");
    assert!(f["signal"]["clipped_runs"].as_u64().unwrap() > 100, "{f:#}");
    assert!(f["signal"]["longest_clip_run"].as_u64().unwrap() >= 3);
}

/// sox `stats` is the oracle for flat tops: its "Pk count" (samples at the
/// peak level) equals our samples in flat tops where every peak sample lies
/// in a run of 3 or more, and a clean prompt has none.
#[test]
fn flat_tops_agree_with_sox_stats() {
    let (_, f) = one("check/flat-tops-8000hz.wav");
    let signal = &f["signal"];
    assert_eq!(signal["clipped_runs"], 0, "{f:#}");
    assert_eq!(signal["flat_top_runs"], 440, "{f:#}");
    assert_eq!(signal["longest_flat_top"], 7, "{f:#}");
    let (_, clean) = one("check/pass-8000hz-prompt.wav");
    assert_eq!(clean["signal"]["flat_top_runs"], 0, "{clean:#}");
    if !have_tool("sox") {
        return;
    }
    let stats = Command::new("sox")
        .arg(fx("check/flat-tops-8000hz.wav"))
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
    let ours = signal["flat_top_samples"].as_f64().unwrap();
    assert!(
        (ours - pk_count).abs() <= pk_count * 0.005,
        "flat-top samples {ours}, sox Pk count {pk_count}"
    );
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

#[test]
fn thresholds_are_options() {
    let (_, doc) = check_json(&[
        "--max-edge-silence",
        "1",
        &fx("check/leading-silence-8000hz.wav"),
    ]);
    assert_eq!(doc["files"][0]["verdict"], "pass");
    let (_, doc) = check_json(&["--max-dc-offset", "20", &fx("check/dc-offset-8000hz.wav")]);
    assert_eq!(doc["files"][0]["verdict"], "pass");
    let (_, doc) = check_json(&["--clip-run", "50", &fx("check/clipped-8000hz.wav")]);
    assert_eq!(doc["files"][0]["verdict"], "pass");
    let (_, doc) = check_json(&["--silence-threshold", "-100", &fx("check/quiet-8000hz.wav")]);
    assert_eq!(codes(&doc["files"][0]), ["low-level"]);
}

#[test]
fn stereo_44100_fails_with_codes() {
    let (code, f) = one("check/stereo-44100hz.wav");
    assert_eq!(code, 1);
    assert_eq!(f["verdict"], "fail");
    assert_eq!(codes(&f), ["not-mono", "bad-sample-rate"]);
    assert_eq!(f["problems"][0]["severity"], "error");
    assert_eq!(f["channels"], 2);
    assert_eq!(f["sample_rate"], 44100);
    // Its facts are known, so they are reported; its signal is not analysed.
    assert_eq!(f["samples"], 4410);
    assert!(f["signal"].is_null());
}

#[test]
fn prompt_folder_skips_non_audio_and_fails_the_mp3() {
    let (code, doc) = check_json(&[&fx("check/prompts")]);
    assert_eq!(code, 1);
    let files = doc["files"].as_array().unwrap();
    let names: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0].ends_with("welcome.mp3") && names[1].ends_with("welcome.wav"),
        "{names:?}"
    );
    assert_eq!(files[0]["verdict"], "fail");
    assert_eq!(files[0]["container"], "mp3");
    assert_eq!(codes(&files[0]), ["not-accepted"]);
    let msg = files[0]["problems"][0]["message"].as_str().unwrap();
    assert!(msg.contains("MP3") && !msg.contains("voxprep"), "{msg}");
    // What fixes it is data: convert reads this MP3 to its end.
    assert_eq!(files[0]["fix"]["convert"], true, "{:#}", files[0]);
    assert_eq!(files[0]["fix"]["adjust"], serde_json::json!([]));
    assert!(files[1]["fix"].is_null());
    assert!(files[0]["duration_s"].is_null() && files[0]["billing_units"].is_null());
    assert_eq!(files[1]["verdict"], "pass");
    let s = &doc["summary"];
    assert_eq!(
        (s["files"].as_u64(), s["pass"].as_u64(), s["fail"].as_u64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(s["skipped"], 1);
}

#[test]
fn explicit_non_audio_file_is_checked() {
    let (code, f) = one("check/not-audio.txt");
    assert_eq!(code, 1);
    assert_eq!(f["verdict"], "fail");
    assert_eq!(codes(&f), ["not-audio"]);
}

#[test]
fn json_rows_have_every_field() {
    let (_, doc) = check_json(&[&fx("check")]);
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
    let out = voxprep().args(["check", &fx("check/prompts")]).run();
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

#[cfg(unix)]
#[test]
fn unreadable_file_is_a_fail_row() {
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

    let (code, doc) = check_json(&[&dir.path().to_string_lossy()]);
    assert_eq!(code, 1, "{doc:#}");
    let files = doc["files"].as_array().unwrap();
    let row = |name: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name))
            .unwrap()
    };
    let broken = row("broken.wav");
    assert_eq!(broken["verdict"], "fail");
    assert_eq!(codes(broken), ["unreadable"]);
    assert!(broken["sample_rate"].is_null() && broken["samples"].is_null());
    assert_eq!(row("ok.wav")["verdict"], "pass");
    if !root_can_read {
        let locked = row("locked.wav");
        assert_eq!(codes(locked), ["unreadable"]);
        let msg = locked["problems"][0]["message"].as_str().unwrap();
        assert!(msg.contains("ermission denied"), "{msg}");
    } else {
        assert_eq!(row("locked.wav")["verdict"], "pass");
    }
    assert_eq!(
        doc["summary"]["unreadable"].as_u64().unwrap(),
        if root_can_read { 1 } else { 2 }
    );
}

#[test]
fn exit_2_when_nothing_can_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.wav");
    let out = voxprep()
        .args(["check", "--format", "json"])
        .arg(&missing)
        .run();
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(codes(&doc["files"][0]), ["unreadable"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no file could be read"));

    // An empty folder (no argument: the current folder).
    std::fs::write(dir.path().join("readme.txt"), "x").unwrap();
    let out = voxprep().arg("check").current_dir(dir.path()).run();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no audio files found"));
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
    let out = voxprep().args(["check", "--help"]).run();
    let text = out.stdout();
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

/// sox is the oracle for sample counts and peaks of every WAV fixture.
#[test]
fn figures_agree_with_sox() {
    if !have_tool("soxi") || !have_tool("sox") {
        return;
    }
    let (_, doc) = check_json(&[&fx("check")]);
    for f in doc["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        if !path.ends_with(".wav") || f["verdict"] == "fail" {
            continue;
        }
        let soxi = Command::new("soxi").arg("-s").arg(path).output().unwrap();
        let samples: u64 = String::from_utf8_lossy(&soxi.stdout)
            .trim()
            .parse()
            .unwrap();
        assert_eq!(f["samples"].as_u64(), Some(samples), "{path}");
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
        match f["signal"]["peak_dbfs"].as_f64() {
            None => assert_eq!(peak, 0.0, "{path}"),
            Some(db) => {
                let sox_db = 20.0 * peak.log10();
                assert!((db - sox_db).abs() < 0.05, "{path}: {db} vs sox {sox_db}");
            }
        }
    }
}

/// `--loudness`: each recording's integrated loudness, as ffmpeg's ebur128
/// filter measures it (within 0.15 LU; it prints 0.1 LU steps), and the
/// spread in the summary.
#[test]
fn loudness_is_measured_when_asked_and_summed_up() {
    let files = [
        fx("check/pass-8000hz-prompt.wav"),
        fx("check/quiet-8000hz.wav"),
        fx("check/prompt-8000hz.vox"),
        fx("check/silent-8000hz.wav"),
    ];
    let args: Vec<&str> = std::iter::once("--loudness")
        .chain(files.iter().map(String::as_str))
        .collect();
    let (_, doc) = check_json(&args);
    let rows = doc["files"].as_array().unwrap();
    // Rows come in path order: find each file's own.
    let lufs = |i: usize| {
        let row = rows
            .iter()
            .find(|r| r["path"] == files[i].as_str())
            .unwrap();
        row["signal"]["loudness_lufs"].as_f64()
    };
    for (i, f) in files.iter().enumerate().take(3) {
        let ours = lufs(i).unwrap_or_else(|| panic!("no loudness for {f}"));
        // ffmpeg has no headerless-VOX reader: sox decodes it first (its
        // exact decoder, the one check meters).
        let dir = tempfile::tempdir().unwrap();
        let input = if f.ends_with(".vox") {
            if !have_tool("sox") {
                continue;
            }
            let wav = dir.path().join("decoded.wav");
            let ok = Command::new("sox")
                .args(["-t", "vox", "-r", "8000", f])
                .arg(&wav)
                .status()
                .unwrap();
            assert!(ok.success());
            wav
        } else {
            f.into()
        };
        if let Some(theirs) = ffmpeg_lufs(&input) {
            assert!(
                (ours - theirs).abs() <= 0.15,
                "{f}: ours {ours}, ffmpeg {theirs}"
            );
        }
    }
    // The quiet fixture is far below the prompt.
    assert!(lufs(1).unwrap() < lufs(0).unwrap() - 10.0);
    // Silence has no loudness.
    assert_eq!(lufs(3), None);
    let spread = &doc["summary"]["loudness"];
    assert_eq!(spread["files"], 3);
    assert_eq!(spread["min_lufs"], lufs(1).unwrap());
    assert!(spread["outliers"].as_u64().unwrap() >= 1, "{spread}");

    // Not asked: null per file and nothing in the summary.
    let (_, doc) = check_json(&[&files[0]]);
    assert!(doc["files"][0]["signal"]["loudness_lufs"].is_null());
    assert!(doc["summary"].get("loudness").is_none());

    let human = voxprep().arg("check").arg("--loudness").args(&files).run();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains(" LUFS  "), "{text}");
    assert!(text.contains("loudness of 3 file(s): median"), "{text}");
    assert!(text.contains("voxprep convert --loudness"), "{text}");
}
