//! What check finds in a file: its facts, its verdict and the codes of its
//! problems; folders (what is skipped, what cannot be read); the figures
//! against sox's.

use super::*;
use crate::common::have_tool;
use std::process::Command;
use voxprep::check::Fix;
use voxprep::spec::{Severity, Verdict};

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
    // The MP3 is 8000 Hz mono: the suggestion keeps that rate.
    let readable = cfg!(feature = "decode").then_some(Fix::Convert {
        rate: 8000,
        adjust: vec![],
        trim_threshold_dbfs: None,
        vox_rate: None,
        input_rate: None,
    });
    assert_eq!(mp3.fix, readable, "{mp3:#?}");
    assert_eq!(wav.fix, None);
    // Its length is what a conversion reads (the header of an MP3 does not
    // give it); a build that cannot decode does not know it.
    let length = cfg!(feature = "decode").then_some((0.5, 1));
    assert_eq!(mp3.duration_s.zip(mp3.billing_units), length, "{mp3:#?}");
    assert_eq!(wav.verdict, Verdict::Pass);
    let s = report.summary().unwrap();
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
        report.summary().unwrap().unreadable,
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

/// The `.vox` files of a run flagged `vox-rate-suspect`, by file name.
fn suspects(report: &Report) -> Vec<String> {
    report
        .files
        .iter()
        .filter(|f| codes(f).contains(&"vox-rate-suspect"))
        .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Six prompts by one voice, the sixth recorded at 6000 Hz: it alone is
/// suspect, and warns (the verdict is the problems' again).
#[test]
fn the_6000_hz_vox_of_a_folder_is_suspect() {
    let report = check_all(&[fixture("vox-rate/mixed")], &CheckOptions::default());
    assert_eq!(report.files.len(), 6);
    assert_eq!(suspects(&report), ["prompt-6-6000Hz.vox"]);
    let f = &report.files[5];
    assert_eq!(f.verdict, Verdict::Warn, "{f:#?}");
    let p = f.problems.last().unwrap();
    assert_eq!(p.severity, Severity::Warning);
    assert!(p.message.contains("6000 Hz"), "{}", p.message);
    let voice = f.voice.expect("measured");
    assert!(voice.voiced_frames >= voxprep::spec::SUSPECT_MIN_VOICED_FRAMES);
}

/// The same prompts all at 8000 Hz: none suspect. Each file alone is not
/// judged (a batch of one), nor are files declared at another rate.
#[test]
fn a_folder_of_8000_hz_vox_has_no_suspect() {
    let report = check_all(&[fixture("vox-rate/all-8000Hz")], &CheckOptions::default());
    assert_eq!(report.files.len(), 6);
    assert!(report.files.iter().all(|f| f.voice.is_some()));
    assert_eq!(suspects(&report), Vec::<String>::new());
    // Both folders in one run: each is judged on its own.
    let both = check_all(
        &[fixture("vox-rate/all-8000Hz"), fixture("vox-rate/mixed")],
        &CheckOptions::default(),
    );
    assert_eq!(suspects(&both), ["prompt-6-6000Hz.vox"]);
    let alone = check_all(
        &[fixture("vox-rate/mixed/prompt-6-6000Hz.vox")],
        &CheckOptions::default(),
    );
    assert_eq!(suspects(&alone), Vec::<String>::new());
    let declared = CheckOptions {
        vox_rate: 6000,
        ..CheckOptions::default()
    };
    let report = check_all(&[fixture("vox-rate/mixed")], &declared);
    assert!(report.files.iter().all(|f| f.voice.is_none()));
    assert_eq!(suspects(&report), Vec::<String>::new());
}

/// No hostile fixture passes (a PCM WAV declaring 0 bits per sample once
/// did), and each failure says why: a problem with a code, never a panic.
#[test]
fn every_hostile_file_fails_with_a_reason() {
    let mut seen = 0;
    for entry in std::fs::read_dir(fixture("hostile")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "py") {
            continue;
        }
        let r = voxprep::check::check_path(&path, &voxprep::check::CheckOptions::default());
        assert_eq!(r.verdict, voxprep::spec::Verdict::Fail, "{path:?}: {r:#?}");
        assert!(!r.problems.is_empty(), "{path:?}");
        seen += 1;
    }
    assert!(seen >= 35, "{seen}");
}
