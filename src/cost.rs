//! What a set of checked recordings costs: billing units per call and money
//! for a number of recipients and plays. Integer fen, checked arithmetic;
//! an amount that overflows is `None`, never a wrapped number. Pure.

use crate::billing::{self, BillingUnits, Fen};
use crate::check::FileReport;
use crate::spec::{Code, Verdict};
use serde::Serialize;

/// What a set of recordings costs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostReport {
    /// Price of one billing unit, in fen.
    pub price_fen: u64,
    /// Recipients of each recording.
    pub recipients: u64,
    /// Plays (calls) per recipient.
    pub plays: u64,
    /// Calls per recording: recipients x plays.
    pub calls: u64,
    /// One line per file.
    pub files: Vec<CostLine>,
    /// Totals over the files whose cost is known.
    pub total: CostTotal,
}

/// The cost of one recording. Money is `None` when the duration is unknown
/// or the amount overflows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostLine {
    /// The file.
    pub path: String,
    /// Its check verdict (a failing file would be rejected by the provider).
    pub verdict: Verdict,
    /// Duration in seconds.
    pub duration_s: Option<f64>,
    /// Billing units per call.
    pub billing_units: Option<u64>,
    /// Cost of one call, in fen.
    pub per_call_fen: Option<u64>,
    /// Cost of one call, in yuan ("0.10").
    pub per_call_yuan: Option<String>,
    /// Cost of all calls, in fen.
    pub all_calls_fen: Option<u64>,
    /// Cost of all calls, in yuan.
    pub all_calls_yuan: Option<String>,
    /// Problem codes from the check (errors and warnings).
    pub codes: Vec<Code>,
}

/// Totals of a [`CostReport`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostTotal {
    /// Sum of the known durations, in seconds.
    pub duration_s: f64,
    /// Sum of the known billing units per call.
    pub billing_units: u64,
    /// One call of each file, in fen.
    pub per_call_fen: Option<u64>,
    /// One call of each file, in yuan.
    pub per_call_yuan: Option<String>,
    /// All calls of all files, in fen.
    pub all_calls_fen: Option<u64>,
    /// All calls of all files, in yuan.
    pub all_calls_yuan: Option<String>,
    /// Files whose cost is unknown (not in the totals).
    pub files_without_cost: usize,
}

/// Price the checked `files`: `recipients x plays` calls of each.
/// Arithmetic is integer and checked; an overflow makes an amount `None`.
pub fn cost_report(files: &[FileReport], price: Fen, recipients: u64, plays: u64) -> CostReport {
    let calls = recipients.checked_mul(plays);
    let mut lines = Vec::with_capacity(files.len());
    let mut total_ms = 0u64;
    let mut total_units: Option<u64> = Some(0);
    let mut unknown = 0;
    for f in files {
        let u = f.billing_units.map(BillingUnits);
        let per_call = u.and_then(|u| billing::cost(u, price, 1));
        let all = u.zip(calls).and_then(|(u, c)| billing::cost(u, price, c));
        match (f.duration_s, f.billing_units) {
            (Some(d), Some(n)) => {
                total_ms = total_ms.saturating_add((d * 1000.0).round() as u64);
                total_units = total_units.and_then(|t| t.checked_add(n));
            }
            _ => unknown += 1,
        }
        lines.push(CostLine {
            path: f.path.to_string_lossy().into_owned(),
            verdict: f.verdict,
            duration_s: f.duration_s,
            billing_units: f.billing_units,
            per_call_fen: per_call.map(|c| c.0),
            per_call_yuan: per_call.map(Fen::yuan),
            all_calls_fen: all.map(|c| c.0),
            all_calls_yuan: all.map(Fen::yuan),
            codes: f.problems.iter().map(|p| p.code).collect(),
        });
    }
    let per_call = total_units.and_then(|u| billing::cost(BillingUnits(u), price, 1));
    let all = total_units
        .zip(calls)
        .and_then(|(u, c)| billing::cost(BillingUnits(u), price, c));
    CostReport {
        price_fen: price.0,
        recipients,
        plays,
        calls: calls.unwrap_or(u64::MAX),
        files: lines,
        total: CostTotal {
            duration_s: total_ms as f64 / 1000.0,
            billing_units: total_units.unwrap_or(u64::MAX),
            per_call_fen: per_call.map(|c| c.0),
            per_call_yuan: per_call.map(Fen::yuan),
            all_calls_fen: all.map(|c| c.0),
            all_calls_yuan: all.map(Fen::yuan),
            files_without_cost: unknown,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::row;

    #[test]
    fn prices_per_file_and_in_total() {
        let files = vec![
            row("a/ok.wav", Verdict::Pass, Some(12.5), Some(2)),
            row("b/quiet.wav", Verdict::Warn, Some(3.5), Some(1)),
            row("c/x.mp3", Verdict::Fail, None, None),
        ];
        let c = cost_report(&files, Fen(15), 1000, 2);
        assert_eq!(c.calls, 2000);
        assert_eq!(c.files[0].per_call_fen, Some(30));
        assert_eq!(c.files[0].all_calls_fen, Some(60_000));
        assert_eq!(c.files[0].all_calls_yuan.as_deref(), Some("600.00"));
        assert_eq!(c.files[2].per_call_fen, None);
        assert_eq!(c.total.billing_units, 3);
        assert_eq!(c.total.per_call_fen, Some(45));
        assert_eq!(c.total.all_calls_fen, Some(90_000));
        assert_eq!(c.total.files_without_cost, 1);
        let overflow = cost_report(&files, Fen(u64::MAX), u64::MAX, 2);
        assert_eq!(overflow.files[0].all_calls_fen, None);
        assert_eq!(overflow.total.per_call_fen, None);
    }
}
