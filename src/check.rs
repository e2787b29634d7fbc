//! One file in, one [`FileReport`] out: container sniffing, spec rules,
//! signal analysis, duration and billing. (To be written.)

use crate::signal::{SignalStats, Thresholds};
use crate::spec::{Problem, Verdict};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Options of a check.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Thresholds of the signal warnings.
    pub thresholds: Thresholds,
}

/// The result of checking one file. Fields that could not be read are `None`.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// Pass, warn or fail.
    pub verdict: Verdict,
    /// `wav`, `vox`, or what the file really is (`mp3`, `ogg`...).
    pub container: Option<String>,
    /// Sample rate in Hz.
    pub sample_rate: Option<u32>,
    /// Channels.
    pub channels: Option<u16>,
    /// Bits per sample.
    pub bits_per_sample: Option<u16>,
    /// WAV format tag.
    pub format_tag: Option<u16>,
    /// Sample frames.
    pub samples: Option<u64>,
    /// Duration in seconds.
    pub duration_s: Option<f64>,
    /// Billing units per call.
    pub billing_units: Option<u64>,
    /// Everything found.
    pub problems: Vec<Problem>,
    /// Signal figures, when the samples could be decoded.
    pub signal: Option<SignalStats>,
}

/// Check one file. Never fails: unreadable files are fail reports.
pub fn check_path(_path: &Path, _opts: &CheckOptions) -> FileReport {
    todo!()
}
