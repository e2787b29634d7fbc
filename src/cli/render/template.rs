//! `voxprep template check`: a block per template, JSON, or CSV.

use super::super::format::{Format, csv_row};
use super::{cell, units};
use serde::Serialize;
use std::io::{self, Write};
use voxprep::spec::Verdict;
use voxprep::template::{Code, Estimate, TemplateReport};

/// Write `reports` as `format` asks.
pub fn write(reports: &[TemplateReport], format: Format, w: &mut impl Write) -> io::Result<()> {
    match format {
        Format::Human => human(reports, w),
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut *w,
                &Document {
                    templates: reports,
                    summary: Summary::of(reports),
                },
            )?;
            writeln!(w)
        }
        Format::Csv => csv(reports, w),
    }
}

/// The JSON document: the reports and their totals.
#[derive(Serialize)]
struct Document<'a> {
    templates: &'a [TemplateReport],
    summary: Summary,
}

/// Templates by verdict.
#[derive(Serialize)]
struct Summary {
    templates: usize,
    pass: usize,
    warn: usize,
    fail: usize,
}

impl Summary {
    fn of(reports: &[TemplateReport]) -> Summary {
        let n = |v: Verdict| reports.iter().filter(|r| r.verdict == v).count();
        Summary {
            templates: reports.len(),
            pass: n(Verdict::Pass),
            warn: n(Verdict::Warn),
            fail: n(Verdict::Fail),
        }
    }
}

/// `~5.3 s (21 syllables, 2 short and 1 long pause(s) at 4.5/s)`.
pub fn estimate_words(e: &Estimate) -> String {
    format!(
        "~{:.1} s ({} syllables, {} short and {} long pause(s) at {}/s)",
        e.seconds, e.reading.syllables, e.reading.short_pauses, e.reading.long_pauses, e.rate
    )
}

/// `1 unit per call`, with the other count when near a boundary.
fn units_words(e: &Estimate) -> String {
    let mut s = format!("{} per call", units(Some(e.billing_units)));
    if e.units_if_slower != e.billing_units {
        s.push_str(&format!(" ({} if read more slowly)", e.units_if_slower));
    } else if e.units_if_faster != e.billing_units {
        s.push_str(&format!(" ({} if read faster)", e.units_if_faster));
    }
    s
}

/// The flag a problem's fix needs, for a person reading the human form.
fn hint(code: Code) -> Option<&'static str> {
    match code {
        Code::VariableNotEstimated => Some("give it with --param-max VALUE"),
        Code::HashLikeVariable => Some("--hash-variables recognises it"),
        _ => None,
    }
}

fn human(reports: &[TemplateReport], w: &mut impl Write) -> io::Result<()> {
    for r in reports {
        let source = r
            .source
            .as_deref()
            .map(|s| format!("{s}  "))
            .unwrap_or_default();
        writeln!(
            w,
            "{}  {source}{}",
            crate::cli::paint::verdict(&format!("{:<4}", r.verdict.as_str().to_uppercase())),
            r.text
        )?;
        for p in &r.problems {
            let severity = crate::cli::paint::verdict(p.severity.as_str());
            match hint(p.code) {
                Some(h) => writeln!(w, "      {severity} {}: {} ({h})", p.code, p.message)?,
                None => writeln!(w, "      {severity} {}: {}", p.code, p.message)?,
            }
        }
        if let Some(e) = &r.estimate {
            let filled = match (&r.param_max, r.variables.first()) {
                (Some(v), Some(var)) => format!("; {} read as {v:?}", var.written),
                (None, Some(var)) => format!("; {} left out", var.written),
                _ => String::new(),
            };
            writeln!(w, "      {}{filled}: {}", estimate_words(e), units_words(e))?;
        }
    }
    let s = Summary::of(reports);
    writeln!(
        w,
        "\n{} template(s): {} pass, {} warn, {} fail",
        s.templates, s.pass, s.warn, s.fail
    )?;
    writeln!(
        w,
        "the durations are estimates of a TTS voice at a set rate, not the provider's own; \
         a call is billed from answer to hang-up"
    )
}

/// The CSV columns, in order.
pub const CSV_HEADER: &[&str] = &[
    "source",
    "text",
    "form",
    "verdict",
    "variables",
    "estimated_s",
    "syllables",
    "billing_units",
    "units_if_slower",
    "units_if_faster",
    "near_boundary",
    "codes",
];

/// RFC 4180 CSV: a header, then a row per template.
fn csv(reports: &[TemplateReport], w: &mut impl Write) -> io::Result<()> {
    csv_row(w, CSV_HEADER)?;
    for r in reports {
        let e = r.estimate.as_ref();
        let form = serde_json::to_value(r.form)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        csv_row(
            w,
            [
                r.source.clone().unwrap_or_default(),
                r.text.clone(),
                form,
                r.verdict.as_str().to_string(),
                r.variables
                    .iter()
                    .map(|v| v.written.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
                cell(e.map(|e| format!("{:.3}", e.seconds))),
                cell(e.map(|e| e.reading.syllables)),
                cell(e.map(|e| e.billing_units)),
                cell(e.map(|e| e.units_if_slower)),
                cell(e.map(|e| e.units_if_faster)),
                cell(e.map(|e| e.near_boundary)),
                r.problems
                    .iter()
                    .map(|p| p.code.to_string())
                    .collect::<Vec<_>>()
                    .join(";"),
            ],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use voxprep::template::{TemplateOptions, check};

    fn reports() -> Vec<TemplateReport> {
        let opts = TemplateOptions {
            param_max: Some("张三丰".into()),
            ..TemplateOptions::default()
        };
        vec![
            check("${name}，您好，您的快递已到。", &opts).with_source("t.txt:1"),
            check("尊敬的${name}，您好。", &TemplateOptions::default()),
        ]
    }

    #[test]
    fn human_blocks() {
        let mut out = Vec::new();
        write(&reports(), Format::Human, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("PASS  t.txt:1  ${name}，您好"), "{text}");
        assert!(
            text.contains("${name} read as \"张三丰\": 1 unit per call"),
            "{text}"
        );
        assert!(text.contains("error variable-in-middle"), "{text}");
        assert!(text.contains("(give it with --param-max VALUE)"), "{text}");
        assert!(
            text.contains("2 template(s): 1 pass, 0 warn, 1 fail"),
            "{text}"
        );
    }

    #[test]
    fn csv_rows() {
        let mut out = Vec::new();
        write(&reports(), Format::Csv, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], CSV_HEADER.join(","));
        assert!(
            lines[1].starts_with("t.txt:1,${name}，您好，您的快递已到。,notice,pass,${name},"),
            "{text}"
        );
        assert!(
            lines[2].ends_with(",variable-in-middle;variable-not-estimated"),
            "{text}"
        );
    }
}
