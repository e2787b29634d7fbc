//! (replaced by the calibrated module on merge)
use serde::Serialize;
/// Placeholder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeechRate {
    /// Placeholder.
    pub rate: f64,
}
impl SpeechRate {
    /// Placeholder.
    pub fn doubt(&self) -> Option<String> {
        None
    }
}
/// Placeholder.
pub fn speech_rate(_text: &str, _voiced_s: f64) -> Option<SpeechRate> {
    None
}
