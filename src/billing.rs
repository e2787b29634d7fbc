//! Duration and billing: the provider bills every call per *started* 12 seconds.
//!
//! Everything here is integer arithmetic on frame counts; seconds as floats
//! appear only for display. Pure functions, no I/O.

use serde::Serialize;
use std::fmt;

/// Length of one billing unit, in seconds.
pub const UNIT_SECONDS: u64 = 12;

/// A count of sample frames (one sample per channel). For the mono files the
/// provider accepts, one frame is one sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Frames(pub u64);

/// Billing units: started 12-second periods of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct BillingUnits(pub u64);

/// Money in fen (1/100 yuan), the provider's unit for balances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Fen(pub u64);

/// A duration in whole milliseconds, rounded down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Millis(pub u64);

/// How a duration is rounded to billing units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RoundingRule {
    /// Every started period counts in full (the provider's rule): 12.000 s is
    /// one unit, 12.000 s plus one sample is two.
    #[default]
    StartedPeriod,
}

/// Billing units for `frames` at `rate` Hz.
///
/// Returns `None` for zero frames (an empty recording is not billable, it is
/// broken) or a zero rate.
pub fn billing_units(frames: Frames, rate: u32, rule: RoundingRule) -> Option<BillingUnits> {
    if frames.0 == 0 || rate == 0 {
        return None;
    }
    let per_unit = u64::from(rate) * UNIT_SECONDS;
    match rule {
        RoundingRule::StartedPeriod => Some(BillingUnits(frames.0.div_ceil(per_unit))),
    }
}

/// Billing units for a duration of `ms` (an estimate: a TTS text has no
/// frames). `None` for zero.
pub fn units_of_millis(ms: Millis, rule: RoundingRule) -> Option<BillingUnits> {
    if ms.0 == 0 {
        return None;
    }
    match rule {
        RoundingRule::StartedPeriod => Some(BillingUnits(ms.0.div_ceil(UNIT_SECONDS * 1000))),
    }
}

/// Duration of `frames` at `rate` Hz, in whole milliseconds (rounded down,
/// saturating). A zero rate gives zero.
pub fn duration_ms(frames: Frames, rate: u32) -> Millis {
    if rate == 0 {
        return Millis(0);
    }
    let ms = u128::from(frames.0) * 1000 / u128::from(rate);
    Millis(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// Duration in seconds as a float, for display and JSON only: whole
/// milliseconds ([`duration_ms`], truncated), so that every command shows the
/// same figure for the same file (28 110 samples at 8 kHz are 3.513 s, not
/// 3.51375 rounded to 3.514). Where the truncation would land on a billing
/// boundary the file has passed (96 001 samples at 8 kHz: 2 units, yet
/// "12.000 s"), the exact figure instead (12.000125 s), so that a duration
/// never reads as fewer units than it bills.
pub fn duration_secs(frames: Frames, rate: u32) -> f64 {
    let ms = duration_ms(frames, rate).0;
    let exact_ms = u128::from(frames.0) * 1000 == u128::from(ms) * u128::from(rate);
    if ms > 0 && !exact_ms && ms.is_multiple_of(UNIT_SECONDS * 1000) {
        frames.0 as f64 / f64::from(rate)
    } else {
        ms as f64 / 1000.0
    }
}

/// Frames in a headerless VOX file of `bytes` bytes: two 4-bit samples a byte.
pub fn vox_frames(bytes: u64) -> Frames {
    Frames(bytes.saturating_mul(2))
}

/// A billing figure too large for 64 bits. It has no exact value to show, so
/// it is an error, never a wrapped, saturated or missing number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("billing: {0} is too large to count (more than {max})", max = u64::MAX)]
pub struct Overflow(pub Figure);

/// Which figure overflowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Figure {
    /// Calls per recording: recipients x plays.
    Calls,
    /// A sum of billing units.
    Units,
    /// An amount of money.
    Money,
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Figure::Calls => "the number of calls (recipients x plays)",
            Figure::Units => "the total of billing units",
            Figure::Money => "the amount of money",
        })
    }
}

/// Cost of `units` at `price` per unit, `calls` times (recipients x plays).
///
/// # Errors
/// [`Overflow`] when the amount does not fit in 64 bits of fen.
pub fn cost(units: BillingUnits, price: Fen, calls: u64) -> Result<Fen, Overflow> {
    units
        .0
        .checked_mul(price.0)
        .and_then(|f| f.checked_mul(calls))
        .map(Fen)
        .ok_or(Overflow(Figure::Money))
}

/// Calls per recording: `recipients` x `plays`.
///
/// # Errors
/// [`Overflow`] when the product does not fit in 64 bits.
pub fn calls(recipients: u64, plays: u64) -> Result<u64, Overflow> {
    recipients.checked_mul(plays).ok_or(Overflow(Figure::Calls))
}

/// The sum of `units`.
///
/// # Errors
/// [`Overflow`] when the sum does not fit in 64 bits.
pub fn total_units(
    units: impl IntoIterator<Item = BillingUnits>,
) -> Result<BillingUnits, Overflow> {
    units
        .into_iter()
        .try_fold(0u64, |t, u| t.checked_add(u.0))
        .map(BillingUnits)
        .ok_or(Overflow(Figure::Units))
}

/// What trimming saves per call: the units of the recording as it is less
/// the units of it trimmed (zero when trimming would not lower them).
pub fn trim_saving(untrimmed: BillingUnits, trimmed: BillingUnits) -> BillingUnits {
    BillingUnits(untrimmed.0.saturating_sub(trimmed.0))
}

impl Fen {
    /// The amount in yuan, as a decimal string with two places ("12.05").
    pub fn yuan(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} fen (¥{})", self.0, self.yuan())
    }
}

impl fmt::Display for Millis {
    /// Seconds with three decimals, "12.000 s".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03} s", self.0 / 1000, self.0 % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: RoundingRule = RoundingRule::StartedPeriod;

    #[test]
    fn durations_never_read_as_fewer_units_than_billed() {
        assert_eq!(duration_secs(Frames(96_000), 8000), 12.0);
        assert_eq!(duration_secs(Frames(96_001), 8000), 12.000125);
        assert_eq!(duration_secs(Frames(96_007), 8000), 12.000875);
        assert_eq!(duration_secs(Frames(96_008), 8000), 12.001);
        assert_eq!(duration_secs(Frames(28_110), 8000), 3.513);
        assert_eq!(duration_secs(Frames(1), 8000), 0.0);
        // 11025 Hz: 132 300 samples are 12 s exactly, one more is past it.
        assert_eq!(duration_secs(Frames(132_300), 11025), 12.0);
        assert!(duration_secs(Frames(132_301), 11025) > 12.0);
    }

    #[test]
    fn units_at_8000_hz_edges() {
        assert_eq!(
            billing_units(Frames(95_999), 8000, R),
            Some(BillingUnits(1))
        );
        assert_eq!(
            billing_units(Frames(96_000), 8000, R),
            Some(BillingUnits(1))
        );
        assert_eq!(
            billing_units(Frames(96_001), 8000, R),
            Some(BillingUnits(2))
        );
        assert_eq!(billing_units(Frames(1), 8000, R), Some(BillingUnits(1)));
    }

    #[test]
    fn units_at_11025_hz_edges() {
        assert_eq!(
            billing_units(Frames(132_300), 11025, R),
            Some(BillingUnits(1))
        );
        assert_eq!(
            billing_units(Frames(132_301), 11025, R),
            Some(BillingUnits(2))
        );
    }

    #[test]
    fn vox_byte_edges() {
        assert_eq!(
            billing_units(vox_frames(48_000), 8000, R),
            Some(BillingUnits(1))
        );
        assert_eq!(
            billing_units(vox_frames(48_001), 8000, R),
            Some(BillingUnits(2))
        );
    }

    #[test]
    fn units_of_milliseconds() {
        assert_eq!(units_of_millis(Millis(0), R), None);
        assert_eq!(units_of_millis(Millis(1), R), Some(BillingUnits(1)));
        assert_eq!(units_of_millis(Millis(12_000), R), Some(BillingUnits(1)));
        assert_eq!(units_of_millis(Millis(12_001), R), Some(BillingUnits(2)));
    }

    #[test]
    fn zero_is_not_billable() {
        assert_eq!(billing_units(Frames(0), 8000, R), None);
        assert_eq!(billing_units(Frames(10), 0, R), None);
    }

    #[test]
    fn huge_counts_do_not_overflow() {
        assert_eq!(
            billing_units(Frames(u64::MAX), 8000, R),
            Some(BillingUnits(u64::MAX.div_ceil(96_000)))
        );
        assert_eq!(duration_ms(Frames(u64::MAX), 1), Millis(u64::MAX));
    }

    #[test]
    fn durations() {
        assert_eq!(duration_ms(Frames(96_000), 8000), Millis(12_000));
        assert_eq!(duration_ms(Frames(96_001), 8000), Millis(12_000));
        assert_eq!(Millis(12_000).to_string(), "12.000 s");
        assert_eq!(duration_ms(Frames(5), 0), Millis(0));
        // Seconds for display are the same whole milliseconds.
        assert_eq!(
            format!("{:.3}", duration_secs(Frames(28_110), 8000)),
            "3.513"
        );
        assert_eq!(duration_secs(Frames(5), 0), 0.0);
    }

    #[test]
    fn money() {
        assert_eq!(cost(BillingUnits(2), Fen(10), 3), Ok(Fen(60)));
        assert_eq!(
            cost(BillingUnits(u64::MAX), Fen(2), 1),
            Err(Overflow(Figure::Money))
        );
        // The product of the first two fits; the third factor does not.
        assert_eq!(
            cost(BillingUnits(1 << 32), Fen(1 << 31), 2),
            Err(Overflow(Figure::Money))
        );
        assert_eq!(cost(BillingUnits(0), Fen(u64::MAX), u64::MAX), Ok(Fen(0)));
        assert_eq!(Fen(1205).yuan(), "12.05");
        assert_eq!(Fen(7).yuan(), "0.07");
    }

    #[test]
    fn calls_and_totals_overflow_as_errors() {
        assert_eq!(calls(1000, 2), Ok(2000));
        assert_eq!(calls(u64::MAX, 2), Err(Overflow(Figure::Calls)));
        assert_eq!(
            total_units([BillingUnits(2), BillingUnits(3)]),
            Ok(BillingUnits(5))
        );
        assert_eq!(total_units([]), Ok(BillingUnits(0)));
        assert_eq!(
            total_units([BillingUnits(u64::MAX), BillingUnits(1)]),
            Err(Overflow(Figure::Units))
        );
        assert_eq!(
            Overflow(Figure::Money).to_string(),
            "billing: the amount of money is too large to count (more than 18446744073709551615)"
        );
    }

    #[test]
    fn trimming_saves_the_difference_or_nothing() {
        assert_eq!(
            trim_saving(BillingUnits(3), BillingUnits(2)),
            BillingUnits(1)
        );
        assert_eq!(
            trim_saving(BillingUnits(2), BillingUnits(2)),
            BillingUnits(0)
        );
        assert_eq!(
            trim_saving(BillingUnits(1), BillingUnits(2)),
            BillingUnits(0)
        );
    }

    /// A converted file is billed as its source: `ceil(ceil(n x to / from)
    /// / (12 to)) = ceil(n / (12 from))`, so the units of a file at its own
    /// rate are the units of its conversion to any rate.
    #[test]
    fn resampling_keeps_the_units() {
        for from in [6000u32, 8000, 11025, 16000, 22050, 44100, 48000] {
            for to in [8000u32, 11025] {
                for unit in 1..4u64 {
                    let edge = unit * 12 * u64::from(from);
                    for n in [edge - 1, edge, edge + 1] {
                        let out = (u128::from(n) * u128::from(to)).div_ceil(u128::from(from));
                        assert_eq!(
                            billing_units(Frames(out as u64), to, R),
                            billing_units(Frames(n), from, R),
                            "{n} frames at {from} Hz to {to} Hz"
                        );
                    }
                }
            }
        }
    }
}
