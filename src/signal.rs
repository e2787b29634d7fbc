//! Content analysis of decoded 16-bit mono samples: silence, clipping, level,
//! leading/trailing silence, DC offset. Pure functions. (To be written.)

use serde::Serialize;

/// Thresholds for the signal warnings (each a `check` option).
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// Peak below this (dBFS) is "low level".
    pub low_level_dbfs: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { low_level_dbfs: -20.0 }
    }
}

/// Figures measured on a signal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalStats {
    /// Peak level in dBFS (None for digital silence).
    pub peak_dbfs: Option<f64>,
}
