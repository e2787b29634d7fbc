//! The signal's warnings and their figures, through the library: each
//! warning fixture, flat tops against sox, the thresholds that move them,
//! and loudness against ffmpeg.

use super::*;
use crate::common::{ffmpeg_lufs, have_tool};
use std::process::Command;
use voxprep::spec::{Severity, Verdict};

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

/// Issue 17: clipped speech resampled by sox (`sox prompt.wav -r 8000 -b
/// 16 out.wav gain N`) keeps no run of 3 full-scale samples; it is found
/// from the samples at the rails, and turned down from the pile-up below
/// its peak. A clean prompt near full scale is not clipping.
#[test]
fn clipping_that_survived_resampling() {
    for (rel, rails) in [
        (
            "check/clipped-gain15-resampled-8000hz.wav",
            "487 samples at the rails in runs of 1 or 2",
        ),
        (
            "check/clipped-gain25-resampled-8000hz.wav",
            "1513 samples at the rails in runs of 1 or 2",
        ),
    ] {
        let f = check(rel);
        assert_eq!(codes(&f), ["clipping"], "{rel}: {f:#?}");
        let signal = f.signal.as_ref().unwrap();
        assert_eq!(signal.clipped_runs, 0, "{rel}");
        assert!(f.problems[0].message.starts_with(rails), "{rel}: {f:#?}");
        assert!(signal.peak_pileup.unwrap() > voxprep::spec::PILEUP_MIN_SCORE);
    }
    let f = check("check/clipped-gain15-turned-down-8000hz.wav");
    assert_eq!(codes(&f), ["clipping"], "{f:#?}");
    let signal = f.signal.as_ref().unwrap();
    assert_eq!(signal.rail_samples, 0);
    assert!(f.problems[0].message.contains("pile up"), "{f:#?}");
    for clean in [
        "check/pass-8000hz-prompt.wav",
        "vox/speech-espeak-8000Hz.wav",
    ] {
        let f = check(clean);
        assert_eq!(codes(&f), Vec::<&str>::new(), "{clean}: {f:#?}");
        let z = f.signal.as_ref().unwrap().peak_pileup.unwrap();
        assert!(z < 5.0, "{clean}: {z}");
    }
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
    for case in threshold_cases() {
        let opts = CheckOptions {
            thresholds: case.thresholds,
            ..CheckOptions::default()
        };
        let f = check_path(&fixture(case.fixture), &opts);
        assert_eq!(codes(&f), case.codes, "{:?}: {f:#?}", case.flag);
        if case.codes.is_empty() {
            assert_eq!(f.verdict, Verdict::Pass, "{:?}: {f:#?}", case.flag);
        }
    }
}

/// Each recording's integrated loudness, when asked for, as ffmpeg's
/// ebur128 filter measures it (within 0.15 LU; it prints 0.1 LU steps), and
/// the spread in the summary.
#[test]
fn loudness_is_measured_when_asked_and_summed_up() {
    let files: Vec<PathBuf> = LOUDNESS_FILES.iter().map(|f| fixture(f)).collect();
    let report = check_all(&files, &measuring_loudness());
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
    let spread = report.summary().unwrap().loudness.expect("a spread");
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
    assert!(report.summary().unwrap().loudness.is_none());
}
