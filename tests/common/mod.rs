//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// Path of a file under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// The `voxprep` binary under test.
pub fn voxprep() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("voxprep").expect("voxprep binary is built")
}

/// Whether an external reference tool is on PATH; prints a loud line when it is not.
pub fn have_tool(name: &str) -> bool {
    let ok = Command::new(name).arg("--version").output().is_ok()
        || Command::new("which")
            .arg(name)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
    if !ok {
        eprintln!(
            "SKIPPING: reference tool `{name}` is not installed (apt-get install sox ffmpeg sndfile-programs)"
        );
    }
    ok
}

/// Integrated loudness as ffmpeg's ebur128 filter measures it (the summary's
/// `I:` line, 0.1 LU steps); `None` (and a loud line) without ffmpeg.
pub fn ffmpeg_lufs(p: &std::path::Path) -> Option<f64> {
    if !have_tool("ffmpeg") {
        return None;
    }
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(p)
        .args(["-af", "ebur128", "-f", "null", "-"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    let line = text
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("I:"))
        .unwrap_or_else(|| panic!("no I: line from ffmpeg: {text}"));
    Some(line.split_whitespace().nth(1).unwrap().parse().unwrap())
}
