//! Helpers shared by the integration tests.
// Unused in builds whose features leave out the tests that use them (and
// `Voxprep::stdin` until a command reads stdin).
#![allow(dead_code)]

#[cfg(feature = "cli")]
mod cmd;

#[cfg(feature = "cli")]
pub use cmd::{Run, Voxprep, voxprep, voxprep_within};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Path of a file under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// Set (to anything but `0`) by `.ci/run`: a missing reference tool fails
/// the test that needs it instead of skipping it, so CI cannot go green
/// without its oracles.
pub const REQUIRE_ORACLES: &str = "VOXPREP_REQUIRE_ORACLES";

/// Whether an external reference tool is on PATH. When it is not: panics
/// under [`REQUIRE_ORACLES`], else prints a loud line (the caller skips).
pub fn have_tool(name: &str) -> bool {
    let ok = Command::new(name).arg("--version").output().is_ok()
        || Command::new("which")
            .arg(name)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
    if !ok {
        let install = "apt-get install sox libsox-fmt-all ffmpeg sndfile-programs chromium";
        if std::env::var_os(REQUIRE_ORACLES).is_some_and(|v| v != "0") {
            panic!(
                "reference tool `{name}` is not on PATH and {REQUIRE_ORACLES} is set: {install}"
            );
        }
        eprintln!("SKIPPING: reference tool `{name}` is not installed ({install})");
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

/// How long a test waits for an event before failing: a bound, never a pace.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Wait until `ready` says so, looking every few milliseconds; fail the
/// test, naming `what`, after [`PATIENCE`].
#[track_caller]
pub fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !ready() {
        assert!(Instant::now() < deadline, "no {what} after {PATIENCE:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
}
