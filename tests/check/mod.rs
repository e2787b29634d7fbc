//! `check` on fixtures made by sox, ffmpeg and espeak-ng (see
//! fixtures/README.md): what it finds, through the library: a file's facts
//! and verdict (`files`), its signal's warnings and their figures
//! (`signal`); the exit status, flags and output formats of `voxprep
//! check`, through the binary (`cli`).
//!
//! The cases both sides need (the warning fixtures, the thresholds, the
//! loudness files, a folder with unreadable files) are here, once.

#[cfg(feature = "cli")]
mod cli;
mod files;
#[cfg(feature = "cli")]
mod html;
mod signal;

use crate::common::fixture;
use std::path::PathBuf;
use voxprep::batch;
use voxprep::check::{CheckOptions, FileReport, check_path};
use voxprep::report::Report;
use voxprep::signal::Thresholds;

/// Check one fixture as `voxprep check` does by default.
fn check(rel: &str) -> FileReport {
    check_path(&fixture(rel), &CheckOptions::default())
}

/// Walk and check `paths` as `voxprep check PATHS...` does.
fn check_all(paths: &[PathBuf], opts: &CheckOptions) -> Report {
    batch::check_all(paths, opts, |_| {}, |_| {})
}

fn codes(f: &FileReport) -> Vec<&str> {
    f.problems.iter().map(|p| p.code.as_str()).collect()
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

/// A signal threshold, as `voxprep check`'s flag and as the library's
/// option, and a fixture whose verdict it moves: the codes left (none: it
/// passes).
struct ThresholdCase {
    fixture: &'static str,
    flag: [&'static str; 2],
    thresholds: Thresholds,
    codes: &'static [&'static str],
}

/// Each threshold, moved past the figure of a fixture that warns.
fn threshold_cases() -> [ThresholdCase; 5] {
    let t = Thresholds::default;
    let case = |fixture, flag, thresholds, codes| ThresholdCase {
        fixture,
        flag,
        thresholds,
        codes,
    };
    [
        case(
            "check/leading-silence-8000hz.wav",
            ["--max-edge-silence", "1"],
            Thresholds {
                max_edge_silence_s: 1.0,
                ..t()
            },
            &[],
        ),
        case(
            "check/dc-offset-8000hz.wav",
            ["--max-dc-offset", "20"],
            Thresholds {
                max_dc_offset_pct: 20.0,
                ..t()
            },
            &[],
        ),
        case(
            "check/clipped-8000hz.wav",
            ["--clip-run", "50"],
            Thresholds {
                clip_run: 50,
                ..t()
            },
            &[],
        ),
        // Silence below -100 dBFS only: the quiet prompt is still quiet.
        case(
            "check/quiet-8000hz.wav",
            ["--silence-threshold", "-100"],
            Thresholds {
                silence_dbfs: -100.0,
                ..t()
            },
            &["low-level"],
        ),
        case(
            "check/quiet-8000hz.wav",
            ["--low-level", "-40"],
            Thresholds {
                low_level_dbfs: -40.0,
                ..t()
            },
            &[],
        ),
    ]
}

/// The fixtures of the loudness tests: a prompt, a quiet one, a VOX and silence.
const LOUDNESS_FILES: [&str; 4] = [
    "check/pass-8000hz-prompt.wav",
    "check/quiet-8000hz.wav",
    "check/prompt-8000hz.vox",
    "check/silent-8000hz.wav",
];

/// What `voxprep check --loudness` asks of the library.
fn measuring_loudness() -> CheckOptions {
    CheckOptions {
        measure_loudness: true,
        ..CheckOptions::default()
    }
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
