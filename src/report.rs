//! The results of a check run and their totals. Pure: renderings (human,
//! JSON, CSV) are the binary's; the model is `Serialize`.

use crate::billing::{self, BillingUnits, Overflow};
use crate::check::FileReport;
use crate::spec::Verdict;
use serde::Serialize;

/// The results of a check run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// One row per file, in output order.
    pub files: Vec<FileReport>,
    /// Non-audio files skipped in folders.
    pub skipped: usize,
}

/// Totals of a [`Report`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Files checked (rows).
    pub files: usize,
    /// Files that pass.
    pub pass: usize,
    /// Files that pass with warnings.
    pub warn: usize,
    /// Files that fail (including unreadable ones).
    pub fail: usize,
    /// Files that could not be read at all.
    pub unreadable: usize,
    /// Non-audio files skipped in folders.
    pub skipped: usize,
    /// Sum of the known durations, in seconds.
    pub total_duration_s: f64,
    /// Sum of the known billing units per call (one call of each file).
    pub total_billing_units: u64,
    /// Files whose duration is unknown (not in the totals).
    pub files_without_duration: usize,
    /// Billing units per call (one call of each file) that trimming the
    /// silence would save, where the check advises it
    /// ([`crate::cost::trim_saving`]).
    pub trim_saving_units: u64,
    /// Files whose samples were not analysed, so whose saving is unknown
    /// (not in `trim_saving_units`).
    pub files_without_trim_saving: usize,
    /// How the measured loudness spreads (`None` when none was measured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loudness: Option<LoudnessSpread>,
}

/// How the integrated loudness of the recordings spreads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LoudnessSpread {
    /// Recordings measured.
    pub files: usize,
    /// The quietest, LUFS.
    pub min_lufs: f64,
    /// The median, LUFS (the lower middle value for an even count).
    pub median_lufs: f64,
    /// The loudest, LUFS.
    pub max_lufs: f64,
    /// Recordings more than [`LOUDNESS_SPREAD_LU`] from the median.
    pub outliers: usize,
}

/// How far from the median a recording may be, in LU, before the summary
/// counts it: about what a listener notices between two prompts in a row.
pub const LOUDNESS_SPREAD_LU: f64 = 3.0;

/// The spread of the loudness values, `None` for none.
pub fn loudness_spread(values: &[f64]) -> Option<LoudnessSpread> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let median = v[(v.len() - 1) / 2];
    Some(LoudnessSpread {
        files: v.len(),
        min_lufs: v[0],
        median_lufs: median,
        max_lufs: v[v.len() - 1],
        outliers: v
            .iter()
            .filter(|&&x| (x - median).abs() > LOUDNESS_SPREAD_LU)
            .count(),
    })
}

impl Report {
    /// The totals.
    ///
    /// # Errors
    /// [`Overflow`] when a total of billing units does not fit in 64 bits.
    pub fn summary(&self) -> Result<Summary, Overflow> {
        let count = |v| self.files.iter().filter(|f| f.verdict == v).count();
        let mut ms = 0u64;
        let mut units = Vec::new();
        let mut unknown = 0;
        for f in &self.files {
            match (f.duration_s, f.billing_units) {
                (Some(d), Some(u)) => {
                    ms = ms.saturating_add((d * 1000.0).round() as u64);
                    units.push(BillingUnits(u));
                }
                _ => unknown += 1,
            }
        }
        let (saving, no_saving) = crate::cost::total_trim_saving(&self.files)?;
        Ok(Summary {
            files: self.files.len(),
            pass: count(Verdict::Pass),
            warn: count(Verdict::Warn),
            fail: count(Verdict::Fail),
            unreadable: self.files.iter().filter(|f| f.is_unreadable()).count(),
            skipped: self.skipped,
            total_duration_s: ms as f64 / 1000.0,
            total_billing_units: billing::total_units(units)?.0,
            files_without_duration: unknown,
            trim_saving_units: saving.0,
            files_without_trim_saving: no_saving,
            loudness: loudness_spread(
                &self
                    .files
                    .iter()
                    .filter_map(|f| f.signal.as_ref()?.loudness_lufs)
                    .collect::<Vec<_>>(),
            ),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A report row with a verdict, a duration and billing units.
    pub(crate) fn row(
        path: &str,
        verdict: Verdict,
        dur: Option<f64>,
        units: Option<u64>,
    ) -> FileReport {
        let mut f = FileReport::new(path);
        f.verdict = verdict;
        f.duration_s = dur;
        f.billing_units = units;
        f
    }

    #[test]
    fn summary_counts() {
        let report = Report {
            files: vec![
                row("a/ok.wav", Verdict::Pass, Some(12.5), Some(2)),
                row("b/quiet.wav", Verdict::Warn, Some(3.5), Some(1)),
                row("c/x.mp3", Verdict::Fail, None, None),
            ],
            skipped: 4,
        };
        let s = report.summary().unwrap();
        assert_eq!(
            (s.files, s.pass, s.warn, s.fail, s.skipped),
            (3, 1, 1, 1, 4)
        );
        assert_eq!(s.total_duration_s, 16.0);
        assert_eq!(s.total_billing_units, 3);
        assert_eq!(s.files_without_duration, 1);
        // No file was analysed: no saving known.
        assert_eq!((s.trim_saving_units, s.files_without_trim_saving), (0, 3));
    }

    #[test]
    fn summary_totals_the_savings_of_trimming() {
        use crate::cost::tests::analysed;
        let report = Report {
            files: vec![
                analysed(row("a.wav", Verdict::Warn, Some(30.0), Some(3)), 3, 1, true),
                analysed(row("b.wav", Verdict::Warn, Some(13.0), Some(2)), 2, 1, true),
                analysed(row("c.wav", Verdict::Pass, Some(1.0), Some(1)), 1, 1, false),
                row("d.mp3", Verdict::Fail, Some(5.0), Some(1)),
            ],
            skipped: 0,
        };
        let s = report.summary().unwrap();
        assert_eq!((s.trim_saving_units, s.files_without_trim_saving), (3, 1));
    }

    #[test]
    fn a_total_too_large_is_an_error() {
        let report = Report {
            files: vec![
                row("a.vox", Verdict::Pass, Some(1.0), Some(u64::MAX)),
                row("b.vox", Verdict::Pass, Some(1.0), Some(1)),
            ],
            skipped: 0,
        };
        assert_eq!(report.summary(), Err(Overflow(billing::Figure::Units)));
    }

    #[test]
    fn loudness_spread_counts_what_is_far_from_the_median() {
        assert_eq!(loudness_spread(&[]), None);
        assert_eq!(loudness_spread(&[f64::NEG_INFINITY]), None);
        let s = loudness_spread(&[-20.0, -16.0, -19.0, -23.5, -18.0]).unwrap();
        assert_eq!(
            (s.files, s.min_lufs, s.median_lufs, s.max_lufs),
            (5, -23.5, -19.0, -16.0)
        );
        // -23.5 is 4.5 LU below; -16 exactly 3 LU above does not count.
        assert_eq!(s.outliers, 1);
        // An even count takes the lower middle value.
        assert_eq!(loudness_spread(&[-10.0, -20.0]).unwrap().median_lufs, -20.0);
    }
}
