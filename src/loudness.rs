//! Integrated loudness (ITU-R BS.1770-4, as EBU R128 uses it) of the signal
//! the provider will play, through the `ebur128` crate (a port of
//! libebur128), and the gain that brings it to a target.
//!
//! `voxprep convert --loudness` meters the resampled mono signal at the
//! output rate: what the listener hears, with nothing above 4 kHz (8000 Hz
//! output); `voxprep check --loudness` meters the recording as it is. It keeps one
//! energy per 100 ms block (8 bytes: under 300 KiB for an hour); the
//! crate's histogram mode would keep memory constant but rounds to 0.1 LU.

use crate::error::{Error, Result};

/// The highest sample peak loudness normalising may produce, in dBFS: the
/// gain stops there rather than clip (a telephone line has no headroom to
/// spare, and limiting is distortion).
#[cfg(feature = "convert")]
pub(crate) const PEAK_CEILING_DBFS: f64 = -1.0;

/// Gating and integration of BS.1770-4 over a mono signal.
pub(crate) struct Meter(ebur128::EbuR128);

impl std::fmt::Debug for Meter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Meter")
            .field("rate", &self.0.rate())
            .finish()
    }
}

impl Meter {
    /// A meter for mono samples at `rate` Hz.
    ///
    /// # Errors
    /// [`Error::Malformed`] when the crate refuses the rate.
    pub(crate) fn new(rate: u32) -> Result<Meter> {
        ebur128::EbuR128::new(1, rate, ebur128::Mode::I)
            .map(Meter)
            .map_err(|e| Error::Malformed(format!("loudness meter at {rate} Hz: {e}")))
    }

    /// Add samples (full scale ±1.0).
    ///
    /// # Errors
    /// Never in practice (the crate's errors are for other modes and channels).
    #[cfg(any(feature = "convert", test))]
    pub(crate) fn add(&mut self, samples: &[f32]) -> Result<()> {
        self.0
            .add_frames_f32(samples)
            .map_err(|e| Error::Malformed(format!("loudness meter: {e}")))
    }

    /// Add 16-bit samples.
    ///
    /// # Errors
    /// As [`Meter::add`].
    pub(crate) fn add_i16(&mut self, samples: &[i16]) -> Result<()> {
        self.0
            .add_frames_i16(samples)
            .map_err(|e| Error::Malformed(format!("loudness meter: {e}")))
    }

    /// Integrated loudness in LUFS; `None` when nothing passes the gates
    /// (silence, or less than one 400 ms block).
    pub(crate) fn integrated_lufs(&self) -> Option<f64> {
        self.0.loudness_global().ok().filter(|l| l.is_finite())
    }
}

/// The gain, in dB, that takes a signal of `measured` LUFS to `target` LUFS
/// without pushing its sample peak (`peak`, linear) past `ceiling_dbfs`.
/// Returns the gain and whether the target was given up for the ceiling.
///
/// Where the ceiling is in the way, the gain stops at it; it never turns a
/// signal down that was asked to go up (an input already peaking above the
/// ceiling is then left as it is), and a cut the target asks for is made in
/// full even when the peak stays above the ceiling.
#[cfg(any(feature = "convert", test))]
pub(crate) fn gain_to_target(
    measured: f64,
    target: f64,
    peak: f32,
    ceiling_dbfs: f64,
) -> (f64, bool) {
    let wanted = target - measured;
    if peak <= 0.0 {
        return (wanted, false);
    }
    let room = ceiling_dbfs - 20.0 * f64::from(peak).log10();
    if wanted <= room {
        (wanted, false)
    } else if room >= 0.0 {
        (room, true)
    } else if wanted <= 0.0 {
        (wanted, false)
    } else {
        (0.0, true)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `secs` of a sine at `freq` Hz and amplitude `amp` (share of full
    /// scale), sampled at `rate`.
    pub(crate) fn tone(freq: f64, rate: u32, secs: f64, amp: f64) -> Vec<f32> {
        let n = (f64::from(rate) * secs) as usize;
        (0..n)
            .map(|i| {
                (amp * (2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate)).sin())
                    as f32
            })
            .collect()
    }

    #[test]
    fn a_sine_measures_as_bs1770_says() {
        // EBU Tech 3341 case 1 is a stereo 1 kHz sine at -23 dBFS: -23 LUFS.
        // The same sine in mono is 3.01 LU quieter (one channel, not two).
        for rate in [8000, 11025, 48000] {
            let mut m = Meter::new(rate).unwrap();
            m.add(&tone(1000.0, rate, 20.0, 10f64.powf(-23.0 / 20.0)))
                .unwrap();
            let l = m.integrated_lufs().unwrap();
            assert!((l - (-26.01)).abs() < 0.1, "{rate} Hz: {l}");
        }
    }

    #[test]
    fn silence_and_short_inputs_have_no_loudness() {
        let mut m = Meter::new(8000).unwrap();
        m.add(&[0.0; 80_000]).unwrap();
        assert_eq!(m.integrated_lufs(), None);
        let mut m = Meter::new(8000).unwrap();
        m.add(&tone(1000.0, 8000, 0.3, 0.5)).unwrap();
        assert_eq!(m.integrated_lufs(), None);
    }

    #[test]
    fn gains_stop_at_the_peak_ceiling() {
        // -30 LUFS to -16 wants +14 dB; a peak at -6 dBFS leaves 5 dB of room.
        let peak = 10f64.powf(-6.0 / 20.0) as f32;
        let (g, capped) = gain_to_target(-30.0, -16.0, peak, -1.0);
        assert!((g - 5.0).abs() < 1e-4 && capped, "{g}");
        let (g, capped) = gain_to_target(-30.0, -33.0, peak, -1.0);
        assert!((g + 3.0).abs() < 1e-9 && !capped);
        assert_eq!(gain_to_target(-30.0, -20.0, 0.0, -1.0), (10.0, false));
        // A peak already above the ceiling: asked up, left alone; asked down, cut.
        let hot = 10f64.powf(-0.5 / 20.0) as f32;
        assert_eq!(gain_to_target(-20.0, -16.0, hot, -1.0), (0.0, true));
        let (g, capped) = gain_to_target(-20.0, -23.0, hot, -1.0);
        assert!((g + 3.0).abs() < 1e-9 && !capped);
        let (g, capped) = gain_to_target(-20.0, -20.2, hot, -1.0);
        assert!((g + 0.2).abs() < 1e-9 && !capped, "{g}");
    }
}
