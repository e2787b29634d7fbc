//! Renderings of check and cost results: human text, JSON and CSV. Pure: the
//! writers take any [`Write`] and never touch stdout themselves.

use crate::billing::{self, BillingUnits, Fen};
use crate::check::FileReport;
use crate::spec::{Severity, Verdict};
use serde::Serialize;
use std::io::{self, Write};

/// The results of a check run.
#[derive(Debug, Clone, Default)]
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
    pub fn summary(&self) -> Summary {
        let count = |v| self.files.iter().filter(|f| f.verdict == v).count();
        let mut ms = 0u64;
        let mut units = 0u64;
        let mut unknown = 0;
        for f in &self.files {
            match (f.duration_s, f.billing_units) {
                (Some(d), Some(u)) => {
                    ms = ms.saturating_add((d * 1000.0).round() as u64);
                    units = units.saturating_add(u);
                }
                _ => unknown += 1,
            }
        }
        Summary {
            files: self.files.len(),
            pass: count(Verdict::Pass),
            warn: count(Verdict::Warn),
            fail: count(Verdict::Fail),
            unreadable: self.files.iter().filter(|f| f.is_unreadable()).count(),
            skipped: self.skipped,
            total_duration_s: ms as f64 / 1000.0,
            total_billing_units: units,
            files_without_duration: unknown,
            loudness: loudness_spread(
                &self
                    .files
                    .iter()
                    .filter_map(|f| f.signal.as_ref()?.loudness_lufs)
                    .collect::<Vec<_>>(),
            ),
        }
    }
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Warn => "warn",
        Verdict::Fail => "fail",
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn secs(d: Option<f64>) -> String {
    d.map_or_else(|| "-".to_string(), |d| format!("{d:.3} s"))
}

fn units(u: Option<u64>) -> String {
    match u {
        Some(1) => "1 unit".to_string(),
        Some(n) => format!("{n} units"),
        None => "- units".to_string(),
    }
}

/// A line per file (verdict, duration, units, path), its problems indented
/// beneath, then a summary.
pub fn write_human(report: &Report, w: &mut impl Write) -> io::Result<()> {
    for f in &report.files {
        let loudness = match f.signal.as_ref().and_then(|s| s.loudness_lufs) {
            Some(l) => format!("{l:>6.1} LUFS  "),
            None => String::new(),
        };
        writeln!(
            w,
            "{:<4}  {:>10}  {:>9}  {loudness}{}",
            verdict_word(f.verdict).to_uppercase(),
            secs(f.duration_s),
            units(f.billing_units),
            f.path.display()
        )?;
        for p in &f.problems {
            writeln!(
                w,
                "      {} {}: {}",
                severity_word(p.severity),
                p.code,
                p.message
            )?;
        }
    }
    let s = report.summary();
    writeln!(w)?;
    write!(
        w,
        "{} file(s): {} pass, {} warn, {} fail",
        s.files, s.pass, s.warn, s.fail
    )?;
    if s.unreadable > 0 {
        write!(w, " ({} unreadable)", s.unreadable)?;
    }
    if s.skipped > 0 {
        write!(w, "; {} non-audio file(s) skipped", s.skipped)?;
    }
    writeln!(w)?;
    write!(
        w,
        "total {:.3} s, {} billing unit(s) per call",
        s.total_duration_s, s.total_billing_units
    )?;
    if s.files_without_duration > 0 {
        write!(
            w,
            " (not counting {} file(s) of unknown duration)",
            s.files_without_duration
        )?;
    }
    writeln!(w)?;
    if let Some(l) = s.loudness {
        write!(
            w,
            "loudness of {} file(s): median {:.1} LUFS, from {:.1} to {:.1}",
            l.files, l.median_lufs, l.min_lufs, l.max_lufs
        )?;
        if l.outliers > 0 {
            write!(
                w,
                "; {} file(s) more than {LOUDNESS_SPREAD_LU:.0} LU from the median \
                 (voxprep convert --loudness {:.0} evens them out)",
                l.outliers, l.median_lufs
            )?;
        }
        writeln!(w)?;
    }
    Ok(())
}

/// One JSON document `{"files":[...],"summary":{...}}`, newline-terminated.
pub fn write_json(report: &Report, w: &mut impl Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        files: &'a [FileReport],
        summary: Summary,
    }
    serde_json::to_writer_pretty(
        &mut *w,
        &Doc {
            files: &report.files,
            summary: report.summary(),
        },
    )?;
    writeln!(w)
}

/// The CSV columns, in order.
pub const CSV_HEADER: &[&str] = &[
    "path",
    "verdict",
    "container",
    "sample_rate",
    "channels",
    "bits_per_sample",
    "format_tag",
    "samples",
    "duration_s",
    "billing_units",
    "peak_dbfs",
    "rms_dbfs",
    "dc_offset_pct",
    "clipped_runs",
    "longest_clip_run",
    "leading_silence_s",
    "trailing_silence_s",
    "trimmed_billing_units",
    "codes",
    "problems",
    "loudness_lufs",
];

/// RFC 4180 CSV: a header row, then a row per file. Empty cells are unknown
/// values; `codes` is `;`-separated, `problems` the messages ` | `-separated.
pub fn write_csv(report: &Report, w: &mut impl Write) -> io::Result<()> {
    write_csv_row(w, CSV_HEADER.iter().map(|s| s.to_string()))?;
    for f in &report.files {
        let opt = |v: Option<String>| v.unwrap_or_default();
        let sig = f.signal.as_ref();
        let row = vec![
            f.path.to_string_lossy().into_owned(),
            verdict_word(f.verdict).to_string(),
            opt(f.container.clone()),
            opt(f.sample_rate.map(|v| v.to_string())),
            opt(f.channels.map(|v| v.to_string())),
            opt(f.bits_per_sample.map(|v| v.to_string())),
            opt(f.format_tag.map(|v| v.to_string())),
            opt(f.samples.map(|v| v.to_string())),
            opt(f.duration_s.map(|v| format!("{v:.3}"))),
            opt(f.billing_units.map(|v| v.to_string())),
            opt(sig.and_then(|s| s.peak_dbfs).map(|v| format!("{v:.2}"))),
            opt(sig.and_then(|s| s.rms_dbfs).map(|v| format!("{v:.2}"))),
            opt(sig.map(|s| format!("{:.2}", s.dc_offset_pct))),
            opt(sig.map(|s| s.clipped_runs.to_string())),
            opt(sig.map(|s| s.longest_clip_run.to_string())),
            opt(sig.map(|s| format!("{:.3}", s.leading_silence_s))),
            opt(sig.map(|s| format!("{:.3}", s.trailing_silence_s))),
            opt(sig
                .and_then(|s| s.trimmed_billing_units)
                .map(|v| v.to_string())),
            f.problems
                .iter()
                .map(|p| p.code)
                .collect::<Vec<_>>()
                .join(";"),
            f.problems
                .iter()
                .map(|p| p.message.as_str())
                .collect::<Vec<_>>()
                .join(" | "),
            opt(sig.and_then(|s| s.loudness_lufs).map(|v| format!("{v:.2}"))),
        ];
        write_csv_row(w, row.into_iter())?;
    }
    Ok(())
}

fn write_csv_row(w: &mut impl Write, cells: impl Iterator<Item = String>) -> io::Result<()> {
    let mut first = true;
    for cell in cells {
        if !first {
            w.write_all(b",")?;
        }
        first = false;
        if cell.contains([',', '"', '\n', '\r']) {
            write!(w, "\"{}\"", cell.replace('"', "\"\""))?;
        } else {
            w.write_all(cell.as_bytes())?;
        }
    }
    w.write_all(b"\r\n")
}

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
    pub codes: Vec<&'static str>,
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

fn money(fen: Option<u64>, yuan: &Option<String>) -> String {
    match (fen, yuan) {
        (Some(f), Some(y)) => format!("{f} fen (¥{y})"),
        _ => "-".to_string(),
    }
}

/// A table: a line per file, then the total.
pub fn write_cost_human(c: &CostReport, w: &mut impl Write) -> io::Result<()> {
    writeln!(
        w,
        "price {} per unit; {} recipient(s) x {} play(s) = {} call(s) per recording",
        Fen(c.price_fen),
        c.recipients,
        c.plays,
        c.calls
    )?;
    writeln!(
        w,
        "{:<4}  {:>10}  {:>9}  {:>22}  {:>26}  file",
        "", "duration", "units", "per call", "all calls"
    )?;
    for l in &c.files {
        writeln!(
            w,
            "{:<4}  {:>10}  {:>9}  {:>22}  {:>26}  {}",
            verdict_word(l.verdict).to_uppercase(),
            secs(l.duration_s),
            units(l.billing_units),
            money(l.per_call_fen, &l.per_call_yuan),
            money(l.all_calls_fen, &l.all_calls_yuan),
            l.path
        )?;
    }
    let t = &c.total;
    writeln!(
        w,
        "{:<4}  {:>10}  {:>9}  {:>22}  {:>26}  {} file(s)",
        "",
        format!("{:.3} s", t.duration_s),
        units(Some(t.billing_units)),
        money(t.per_call_fen, &t.per_call_yuan),
        money(t.all_calls_fen, &t.all_calls_yuan),
        c.files.len()
    )?;
    if t.files_without_cost > 0 {
        writeln!(
            w,
            "({} file(s) of unknown duration are not in the total)",
            t.files_without_cost
        )?;
    }
    Ok(())
}

/// The cost report as one JSON document.
pub fn write_cost_json(c: &CostReport, w: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, c)?;
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Problem;

    fn row(path: &str, verdict: Verdict, dur: Option<f64>, units: Option<u64>) -> FileReport {
        let mut f = FileReport::new(path);
        f.verdict = verdict;
        f.duration_s = dur;
        f.billing_units = units;
        f
    }

    fn sample() -> Report {
        let mut warn = row("b/quiet.wav", Verdict::Warn, Some(3.5), Some(1));
        warn.problems
            .push(Problem::warning("low-level", "low level: peak -30.0 dBFS"));
        let mut fail = row("c/x,\"y\".mp3", Verdict::Fail, None, None);
        fail.container = Some("mp3".into());
        fail.problems.push(Problem::error(
            "not-accepted",
            "MP3 is not an accepted format",
        ));
        Report {
            files: vec![
                row("a/ok.wav", Verdict::Pass, Some(12.5), Some(2)),
                warn,
                fail,
            ],
            skipped: 4,
        }
    }

    #[test]
    fn summary_counts() {
        let s = sample().summary();
        assert_eq!(
            (s.files, s.pass, s.warn, s.fail, s.skipped),
            (3, 1, 1, 1, 4)
        );
        assert_eq!(s.total_duration_s, 16.0);
        assert_eq!(s.total_billing_units, 3);
        assert_eq!(s.files_without_duration, 1);
    }

    #[test]
    fn human() {
        let mut out = Vec::new();
        write_human(&sample(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("PASS    12.500 s    2 units  a/ok.wav\n"),
            "{text}"
        );
        assert!(
            text.contains("      warning low-level: low level: peak -30.0 dBFS\n"),
            "{text}"
        );
        assert!(text.contains("FAIL           -    - units  c/x"), "{text}");
        assert!(text.contains("3 file(s): 1 pass, 1 warn, 1 fail; 4 non-audio file(s) skipped"));
        assert!(
            text.contains("total 16.000 s, 3 billing unit(s) per call (not counting 1 file(s)")
        );
    }

    #[test]
    fn json_has_the_fields_and_nulls() {
        let mut out = Vec::new();
        write_json(&sample(), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let f = &v["files"][2];
        for key in [
            "path",
            "verdict",
            "container",
            "sample_rate",
            "channels",
            "bits_per_sample",
            "format_tag",
            "samples",
            "duration_s",
            "billing_units",
            "problems",
            "signal",
        ] {
            assert!(f.get(key).is_some(), "missing {key}");
        }
        assert_eq!(f["verdict"], "fail");
        assert!(f["sample_rate"].is_null());
        assert_eq!(f["problems"][0]["severity"], "error");
        assert_eq!(f["problems"][0]["code"], "not-accepted");
        assert_eq!(v["summary"]["warn"], 1);
        assert_eq!(v["summary"]["total_billing_units"], 3);
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

    #[test]
    fn csv_quotes() {
        let mut out = Vec::new();
        write_csv(&sample(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], CSV_HEADER.join(","));
        assert_eq!(lines.len(), 5); // header, 3 rows, final empty
        assert!(
            lines[3].starts_with("\"c/x,\"\"y\"\".mp3\",fail,mp3,,"),
            "{}",
            lines[3]
        );
        assert!(
            lines[3].ends_with(",not-accepted,MP3 is not an accepted format,"),
            "{}",
            lines[3]
        );
        assert_eq!(lines[1].split(',').count(), CSV_HEADER.len());
    }

    #[test]
    fn cost() {
        let r = sample();
        let c = cost_report(&r.files, Fen(15), 1000, 2);
        assert_eq!(c.calls, 2000);
        assert_eq!(c.files[0].per_call_fen, Some(30));
        assert_eq!(c.files[0].all_calls_fen, Some(60_000));
        assert_eq!(c.files[0].all_calls_yuan.as_deref(), Some("600.00"));
        assert_eq!(c.files[2].per_call_fen, None);
        assert_eq!(c.total.billing_units, 3);
        assert_eq!(c.total.per_call_fen, Some(45));
        assert_eq!(c.total.all_calls_fen, Some(90_000));
        assert_eq!(c.total.files_without_cost, 1);
        let mut out = Vec::new();
        write_cost_human(&c, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("60000 fen (¥600.00)"), "{text}");
        assert!(text.contains("2000 call(s) per recording"), "{text}");
        let overflow = cost_report(&r.files, Fen(u64::MAX), u64::MAX, 2);
        assert_eq!(overflow.files[0].all_calls_fen, None);
        assert_eq!(overflow.total.per_call_fen, None);
    }
}
