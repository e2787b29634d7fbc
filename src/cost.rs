//! What a set of checked recordings (and TTS templates, priced by their
//! estimated duration) costs: billing units per call and money for a number
//! of recipients and plays, and what trimming their silence would save. Integer fen, checked arithmetic: a figure too large for 64
//! bits is an [`Overflow`] error, never a wrapped or missing number. Pure.

use crate::billing::{self, BillingUnits, Fen, Overflow};
use crate::check::FileReport;
use crate::spec::{Adjustment, Code, Remedy, Verdict};
use crate::template::{self, TemplateReport};
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
    /// One line per TTS template, priced by its estimated duration.
    pub templates: Vec<TemplateCostLine>,
    /// Totals over the files whose cost is known, and the templates.
    pub total: CostTotal,
}

/// The cost of one recording. Money is `None` when the duration is unknown.
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
    /// Billing units per call that trimming the silence would save
    /// ([`trim_saving`]); `None` when the samples were not analysed.
    pub trim_saving_units: Option<u64>,
    /// What that saves over all calls, in fen.
    pub trim_saving_fen: Option<u64>,
    /// What that saves over all calls, in yuan.
    pub trim_saving_yuan: Option<String>,
    /// Problem codes from the check (errors and warnings).
    pub codes: Vec<Code>,
}

/// The cost of one TTS template, from the estimate of how long it takes to
/// read ([`template::Estimate`]). Money is `None` for an empty text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateCostLine {
    /// Where it came from (`templates.txt:3`), if from a file.
    pub source: Option<String>,
    /// The text.
    pub text: String,
    /// Its check verdict (a failing template would be refused by the
    /// provider).
    pub verdict: Verdict,
    /// Estimated duration in seconds.
    pub estimated_s: Option<f64>,
    /// Estimated billing units per call.
    pub billing_units: Option<u64>,
    /// Whether the estimate is near a 12-second boundary (one unit more or
    /// fewer is possible).
    pub near_boundary: bool,
    /// Cost of one call, in fen.
    pub per_call_fen: Option<u64>,
    /// Cost of one call, in yuan.
    pub per_call_yuan: Option<String>,
    /// Cost of all calls, in fen.
    pub all_calls_fen: Option<u64>,
    /// Cost of all calls, in yuan.
    pub all_calls_yuan: Option<String>,
    /// Problem codes from the template check (errors and warnings).
    pub codes: Vec<template::Code>,
}

/// Totals of a [`CostReport`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostTotal {
    /// Sum of the known durations, in seconds (templates: estimated).
    pub duration_s: f64,
    /// Sum of the known billing units per call (templates: estimated).
    pub billing_units: u64,
    /// The part of `billing_units` that is estimated: the templates' units.
    pub template_units: u64,
    /// One call of each file, in fen.
    pub per_call_fen: u64,
    /// One call of each file, in yuan.
    pub per_call_yuan: String,
    /// All calls of all files, in fen.
    pub all_calls_fen: u64,
    /// All calls of all files, in yuan.
    pub all_calls_yuan: String,
    /// Files whose cost is unknown (not in the totals).
    pub files_without_cost: usize,
    /// Billing units that trimming the silence would save on one call of
    /// each file.
    pub trim_saving_units: u64,
    /// What that saves over all calls, in fen.
    pub trim_saving_fen: u64,
    /// What that saves over all calls, in yuan.
    pub trim_saving_yuan: String,
    /// Files whose samples were not analysed, so whose saving is unknown
    /// (not in the saving's total): those in a format the provider does not
    /// play, or unreadable.
    pub files_without_trim_saving: usize,
}

/// Billing units per call that trimming the silence at its ends would save
/// on `file`: what `voxprep convert --trim-silence` cuts (both ends, down to
/// the pad), counted only when the check advises it (a `leading-silence` or
/// `trailing-silence` problem), so `Some(0)` for a file without one. `None`
/// when the samples were not analysed.
pub fn trim_saving(file: &FileReport) -> Option<BillingUnits> {
    let signal = file.signal.as_ref()?;
    let advised = file
        .problems
        .iter()
        .any(|p| p.code.remedy() == Some(Remedy::ConvertWith(Adjustment::TrimSilence)));
    Some(
        match (advised, signal.billing_units, signal.trimmed_billing_units) {
            (true, Some(before), Some(after)) => {
                billing::trim_saving(BillingUnits(before), BillingUnits(after))
            }
            _ => BillingUnits(0),
        },
    )
}

/// The sum of the known [`trim_saving`]s of `files`, and how many are unknown.
///
/// # Errors
/// [`Overflow`] when the sum does not fit in 64 bits.
pub fn total_trim_saving(files: &[FileReport]) -> Result<(BillingUnits, usize), Overflow> {
    let savings: Vec<Option<BillingUnits>> = files.iter().map(trim_saving).collect();
    let unknown = savings.iter().filter(|s| s.is_none()).count();
    Ok((
        billing::total_units(savings.into_iter().flatten())?,
        unknown,
    ))
}

/// Price the checked `files`: `recipients x plays` calls of each.
///
/// # Errors
/// [`Overflow`] when a figure (calls, units or money, of a file or of the
/// total) does not fit in 64 bits.
pub fn cost_report(
    files: &[FileReport],
    price: Fen,
    recipients: u64,
    plays: u64,
) -> Result<CostReport, Overflow> {
    campaign_report(files, &[], price, recipients, plays)
}

/// Price the checked `files` and `templates` together: `recipients x
/// plays` calls of each. A template's units are those of its estimate.
///
/// # Errors
/// [`Overflow`] when a figure (calls, units or money, of a line or of the
/// total) does not fit in 64 bits.
pub fn campaign_report(
    files: &[FileReport],
    templates: &[TemplateReport],
    price: Fen,
    recipients: u64,
    plays: u64,
) -> Result<CostReport, Overflow> {
    let calls = billing::calls(recipients, plays)?;
    let mut lines = Vec::with_capacity(files.len());
    let mut total_ms = 0u64;
    let mut known = Vec::new();
    let mut unknown = 0;
    for f in files {
        let units = f.billing_units.map(BillingUnits);
        let per_call = units.map(|u| billing::cost(u, price, 1)).transpose()?;
        let all = units.map(|u| billing::cost(u, price, calls)).transpose()?;
        match (f.duration_s, units) {
            (Some(d), Some(u)) => {
                total_ms = total_ms.saturating_add((d * 1000.0).round() as u64);
                known.push(u);
            }
            _ => unknown += 1,
        }
        let saving = trim_saving(f);
        let saving_fen = saving.map(|u| billing::cost(u, price, calls)).transpose()?;
        lines.push(CostLine {
            path: f.path.to_string_lossy().into_owned(),
            verdict: f.verdict,
            duration_s: f.duration_s,
            billing_units: f.billing_units,
            per_call_fen: per_call.map(|c| c.0),
            per_call_yuan: per_call.map(Fen::yuan),
            all_calls_fen: all.map(|c| c.0),
            all_calls_yuan: all.map(Fen::yuan),
            trim_saving_units: saving.map(|u| u.0),
            trim_saving_fen: saving_fen.map(|c| c.0),
            trim_saving_yuan: saving_fen.map(Fen::yuan),
            codes: f.problems.iter().map(|p| p.code).collect(),
        });
    }
    let mut template_lines = Vec::with_capacity(templates.len());
    let mut template_units = Vec::new();
    for t in templates {
        let e = t.estimate.as_ref();
        let units = e.map(|e| BillingUnits(e.billing_units));
        let per_call = units.map(|u| billing::cost(u, price, 1)).transpose()?;
        let all = units.map(|u| billing::cost(u, price, calls)).transpose()?;
        if let Some(e) = e {
            total_ms = total_ms.saturating_add((e.seconds * 1000.0).round() as u64);
            template_units.push(BillingUnits(e.billing_units));
        }
        template_lines.push(TemplateCostLine {
            source: t.source.clone(),
            text: t.text.clone(),
            verdict: t.verdict,
            estimated_s: e.map(|e| e.seconds),
            billing_units: units.map(|u| u.0),
            near_boundary: e.is_some_and(|e| e.near_boundary),
            per_call_fen: per_call.map(|c| c.0),
            per_call_yuan: per_call.map(Fen::yuan),
            all_calls_fen: all.map(|c| c.0),
            all_calls_yuan: all.map(Fen::yuan),
            codes: t.problems.iter().map(|p| p.code).collect(),
        });
    }
    let template_units = billing::total_units(template_units)?;
    known.push(template_units);
    let units = billing::total_units(known)?;
    let per_call = billing::cost(units, price, 1)?;
    let all = billing::cost(units, price, calls)?;
    let (saving, no_saving) = total_trim_saving(files)?;
    let saving_fen = billing::cost(saving, price, calls)?;
    Ok(CostReport {
        price_fen: price.0,
        recipients,
        plays,
        calls,
        files: lines,
        templates: template_lines,
        total: CostTotal {
            duration_s: total_ms as f64 / 1000.0,
            billing_units: units.0,
            template_units: template_units.0,
            per_call_fen: per_call.0,
            per_call_yuan: per_call.yuan(),
            all_calls_fen: all.0,
            all_calls_yuan: all.yuan(),
            files_without_cost: unknown,
            trim_saving_units: saving.0,
            trim_saving_fen: saving_fen.0,
            trim_saving_yuan: saving_fen.yuan(),
            files_without_trim_saving: no_saving,
        },
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::billing::{Figure, Overflow};
    use crate::report::tests::row;
    use crate::signal::{Thresholds, analyse};
    use crate::spec::Problem;

    /// `f` as analysed: `units` as it is, `trimmed` with its silence trimmed,
    /// and the edge-silence warning when `warned`.
    pub(crate) fn analysed(
        mut f: FileReport,
        units: u64,
        trimmed: u64,
        warned: bool,
    ) -> FileReport {
        let mut signal = analyse(&[1000; 80], 8000, &Thresholds::default());
        signal.billing_units = Some(units);
        signal.trimmed_billing_units = Some(trimmed);
        f.signal = Some(signal);
        if warned {
            f.problems
                .push(Problem::new(Code::LeadingSilence, "leading silence"));
        }
        f
    }

    #[test]
    fn prices_per_file_and_in_total() {
        let files = vec![
            row("a/ok.wav", Verdict::Pass, Some(12.5), Some(2)),
            row("b/quiet.wav", Verdict::Warn, Some(3.5), Some(1)),
            row("c/x.mp3", Verdict::Fail, None, None),
        ];
        let c = cost_report(&files, Fen(15), 1000, 2).unwrap();
        assert_eq!(c.calls, 2000);
        assert_eq!(c.files[0].per_call_fen, Some(30));
        assert_eq!(c.files[0].all_calls_fen, Some(60_000));
        assert_eq!(c.files[0].all_calls_yuan.as_deref(), Some("600.00"));
        assert_eq!(c.files[2].per_call_fen, None);
        assert_eq!(c.total.billing_units, 3);
        assert_eq!(c.total.per_call_fen, 45);
        assert_eq!(c.total.all_calls_fen, 90_000);
        assert_eq!(c.total.all_calls_yuan, "900.00");
        assert_eq!(c.total.files_without_cost, 1);
    }

    #[test]
    fn templates_are_priced_by_their_estimate() {
        use crate::template::{TemplateOptions, check};
        let files = vec![row("a/ok.wav", Verdict::Pass, Some(12.5), Some(2))];
        let opts = TemplateOptions {
            param_max: Some("张三丰".into()),
            ..TemplateOptions::default()
        };
        let templates = vec![
            check("${name}，您好，您的快递已到。", &opts).with_source("t.txt:1"),
            check("尊敬的${name}，您好。", &opts),
            check("", &opts),
        ];
        let c = campaign_report(&files, &templates, Fen(10), 100, 1).unwrap();
        let t = &c.templates[0];
        assert_eq!(t.source.as_deref(), Some("t.txt:1"));
        assert_eq!((t.verdict, t.billing_units), (Verdict::Pass, Some(1)));
        assert_eq!((t.per_call_fen, t.all_calls_fen), (Some(10), Some(1000)));
        assert_eq!(c.templates[1].verdict, Verdict::Fail);
        assert_eq!(c.templates[1].codes, ["variable-in-middle"]);
        assert_eq!(c.templates[2].billing_units, None);
        // 2 units of the file, 1 of each readable template.
        assert_eq!((c.total.billing_units, c.total.template_units), (4, 2));
        assert_eq!(c.total.all_calls_fen, 4000);
        let estimated = templates[0].estimate.as_ref().unwrap().seconds
            + templates[1].estimate.as_ref().unwrap().seconds;
        assert!((c.total.duration_s - 12.5 - estimated).abs() < 1e-9);
        // Without templates: the report of the files alone.
        assert_eq!(
            campaign_report(&files, &[], Fen(10), 100, 1),
            cost_report(&files, Fen(10), 100, 1)
        );
    }

    #[test]
    fn overflow_is_an_error_naming_the_figure() {
        let files = vec![row("a/ok.wav", Verdict::Pass, Some(12.5), Some(2))];
        assert_eq!(
            cost_report(&files, Fen(1), u64::MAX, 2),
            Err(Overflow(Figure::Calls))
        );
        assert_eq!(
            cost_report(&files, Fen(u64::MAX), 1, 1),
            Err(Overflow(Figure::Money))
        );
        // Each file fits, their sum of units does not.
        let huge = vec![
            row("a.vox", Verdict::Pass, Some(1.0), Some(u64::MAX)),
            row("b.vox", Verdict::Pass, Some(1.0), Some(1)),
        ];
        assert_eq!(
            cost_report(&huge, Fen(0), 1, 1),
            Err(Overflow(Figure::Units))
        );
        // The saving overflows on its own: 3 units fit at this price, 2 of
        // them saved do too, the calls do not.
        let price = Fen(u64::MAX / 3);
        assert!(cost_report(&files, price, 1, 1).is_ok());
        assert_eq!(
            cost_report(&files, price, 2, 1),
            Err(Overflow(Figure::Money))
        );
    }

    #[test]
    fn savings_count_advised_trims_of_analysed_files() {
        let files = vec![
            // Both ends trimmed: 3 -> 1 units, warned.
            analysed(row("a.wav", Verdict::Warn, Some(30.0), Some(3)), 3, 1, true),
            // Trimming would lower the units but nothing warns: not advised.
            analysed(
                row("b.wav", Verdict::Pass, Some(12.1), Some(2)),
                2,
                1,
                false,
            ),
            // Warned, but trimming saves nothing.
            analysed(row("c.wav", Verdict::Warn, Some(5.0), Some(1)), 1, 1, true),
            // Not analysed (an MP3): unknown.
            row("d.mp3", Verdict::Fail, Some(5.0), Some(1)),
        ];
        let saved: Vec<Option<u64>> = files.iter().map(|f| trim_saving(f).map(|u| u.0)).collect();
        assert_eq!(saved, [Some(2), Some(0), Some(0), None]);
        assert_eq!(total_trim_saving(&files), Ok((BillingUnits(2), 1)));
        let c = cost_report(&files, Fen(10), 100, 1).unwrap();
        assert_eq!(c.files[0].trim_saving_units, Some(2));
        assert_eq!(c.files[0].trim_saving_fen, Some(2000));
        assert_eq!(c.files[3].trim_saving_fen, None);
        assert_eq!(c.total.trim_saving_units, 2);
        assert_eq!(c.total.trim_saving_fen, 2000);
        assert_eq!(c.total.trim_saving_yuan, "20.00");
        assert_eq!(c.total.files_without_trim_saving, 1);
    }
}
