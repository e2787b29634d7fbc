//! `voxprep cost`: a table, JSON, or CSV. Templates come after the
//! recordings, their estimated figures marked `~` (human) or `template`
//! (CSV's `kind`).

use super::super::format::{Format, csv_row};
use super::{cell, secs, units};
use std::io::{self, Write};
use voxprep::billing::Fen;
use voxprep::cost::CostReport;

/// Write `cost` as `format` asks.
pub fn write(cost: &CostReport, format: Format, w: &mut impl Write) -> io::Result<()> {
    match format {
        Format::Human => human(cost, w),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *w, cost)?;
            writeln!(w)
        }
        Format::Csv => csv(cost, w),
    }
}

fn money(fen: Option<u64>, yuan: &Option<String>) -> String {
    match (fen, yuan) {
        (Some(f), Some(y)) => format!("{f} fen (¥{y})"),
        _ => "-".to_string(),
    }
}

/// A table: a line per file, then the total and what trimming would save.
fn human(c: &CostReport, w: &mut impl Write) -> io::Result<()> {
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
        "{:<4}  {:>10}  {:>9}  {:>22}  {:>26}  {:>10}  file",
        "", "duration", "units", "per call", "all calls", "trim saves"
    )?;
    for l in &c.files {
        writeln!(
            w,
            "{}  {:>10}  {:>9}  {:>22}  {:>26}  {:>10}  {}",
            crate::cli::paint::verdict(&format!("{:<4}", l.verdict.as_str().to_uppercase())),
            secs(l.duration_s),
            units(l.billing_units),
            money(l.per_call_fen, &l.per_call_yuan),
            money(l.all_calls_fen, &l.all_calls_yuan),
            units(l.trim_saving_units),
            l.path
        )?;
    }
    for l in &c.templates {
        let name = match &l.source {
            Some(s) => format!("tts {s}: {}", l.text),
            None => format!("tts: {}", l.text),
        };
        writeln!(
            w,
            "{}  {:>10}  {:>9}  {:>22}  {:>26}  {:>10}  {name}",
            crate::cli::paint::verdict(&format!("{:<4}", l.verdict.as_str().to_uppercase())),
            l.estimated_s
                .map_or_else(|| "-".to_string(), |s| format!("~{s:.1} s")),
            units(l.billing_units),
            money(l.per_call_fen, &l.per_call_yuan),
            money(l.all_calls_fen, &l.all_calls_yuan),
            "-",
        )?;
    }
    let t = &c.total;
    let count = if c.templates.is_empty() {
        format!("{} file(s)", c.files.len())
    } else {
        format!(
            "{} file(s), {} template(s)",
            c.files.len(),
            c.templates.len()
        )
    };
    writeln!(
        w,
        "{:<4}  {:>10}  {:>9}  {:>22}  {:>26}  {:>10}  {count}",
        "",
        format!("{:.3} s", t.duration_s),
        units(Some(t.billing_units)),
        Fen(t.per_call_fen).to_string(),
        Fen(t.all_calls_fen).to_string(),
        units(Some(t.trim_saving_units)),
    )?;
    if !c.templates.is_empty() {
        let near = c.templates.iter().filter(|l| l.near_boundary).count();
        write!(
            w,
            "(~: estimated; {} of the {} unit(s) are the templates', read at a set TTS rate",
            t.template_units, t.billing_units
        )?;
        if near > 0 {
            write!(
                w,
                "; {near} template(s) near a 12 s boundary may bill a unit more or fewer"
            )?;
        }
        writeln!(w, ")")?;
        let failing = c
            .templates
            .iter()
            .filter(|l| l.verdict == voxprep::spec::Verdict::Fail)
            .count();
        if failing > 0 {
            writeln!(
                w,
                "({failing} template(s) break a rule of the provider: voxprep template check \
                 says which)"
            )?;
        }
    }
    if t.files_without_cost > 0 {
        writeln!(
            w,
            "({} file(s) of unknown duration are not in the total)",
            t.files_without_cost
        )?;
    }
    write!(
        w,
        "trimming the silence (voxprep convert --trim-silence) would save {} billing unit(s) \
         per call of each file, {} over all calls",
        t.trim_saving_units,
        Fen(t.trim_saving_fen)
    )?;
    if t.files_without_trim_saving > 0 {
        write!(
            w,
            " (not counting {} file(s) whose samples were not analysed)",
            t.files_without_trim_saving
        )?;
    }
    writeln!(w)
}

/// The CSV columns, in order: one row per file, then a `TOTAL` row.
pub const CSV_HEADER: &[&str] = &[
    "path",
    "verdict",
    "duration_s",
    "billing_units",
    "per_call_fen",
    "per_call_yuan",
    "all_calls_fen",
    "all_calls_yuan",
    "codes",
    "trim_saving_units",
    "trim_saving_fen",
    "trim_saving_yuan",
    "kind",
    "text",
    "near_boundary",
];

/// RFC 4180 CSV: a header, a row per file, a row per template (`kind`
/// `template`, `path` its source, `text` its text, `duration_s` its
/// estimate), then a row whose path is `TOTAL` (verdict and codes empty).
/// Unknown amounts are empty cells. New columns go at the end, so readers
/// by position keep working.
fn csv(c: &CostReport, w: &mut impl Write) -> io::Result<()> {
    csv_row(w, CSV_HEADER)?;
    for l in &c.files {
        csv_row(
            w,
            [
                l.path.clone(),
                l.verdict.as_str().to_string(),
                cell(l.duration_s.map(|d| format!("{d:.3}"))),
                cell(l.billing_units),
                cell(l.per_call_fen),
                cell(l.per_call_yuan.as_ref()),
                cell(l.all_calls_fen),
                cell(l.all_calls_yuan.as_ref()),
                l.codes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(";"),
                cell(l.trim_saving_units),
                cell(l.trim_saving_fen),
                cell(l.trim_saving_yuan.as_ref()),
                "recording".to_string(),
                String::new(),
                String::new(),
            ],
        )?;
    }
    for l in &c.templates {
        csv_row(
            w,
            [
                l.source.clone().unwrap_or_default(),
                l.verdict.as_str().to_string(),
                cell(l.estimated_s.map(|d| format!("{d:.3}"))),
                cell(l.billing_units),
                cell(l.per_call_fen),
                cell(l.per_call_yuan.as_ref()),
                cell(l.all_calls_fen),
                cell(l.all_calls_yuan.as_ref()),
                l.codes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(";"),
                String::new(),
                String::new(),
                String::new(),
                "template".to_string(),
                l.text.clone(),
                l.near_boundary.to_string(),
            ],
        )?;
    }
    let t = &c.total;
    csv_row(
        w,
        [
            "TOTAL".to_string(),
            String::new(),
            format!("{:.3}", t.duration_s),
            t.billing_units.to_string(),
            t.per_call_fen.to_string(),
            t.per_call_yuan.clone(),
            t.all_calls_fen.to_string(),
            t.all_calls_yuan.clone(),
            String::new(),
            t.trim_saving_units.to_string(),
            t.trim_saving_fen.to_string(),
            t.trim_saving_yuan.clone(),
            String::new(),
            String::new(),
            String::new(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use voxprep::check::FileReport;
    use voxprep::spec::Verdict;

    fn priced() -> CostReport {
        let mut ok = FileReport::new("a/ok.wav");
        ok.verdict = Verdict::Pass;
        ok.duration_s = Some(12.5);
        ok.billing_units = Some(2);
        let mut mp3 = FileReport::new("c/x.mp3");
        mp3.verdict = Verdict::Fail;
        voxprep::cost::cost_report(&[ok, mp3], Fen(15), 1000, 2).unwrap()
    }

    #[test]
    fn human_table() {
        let mut out = Vec::new();
        write(&priced(), Format::Human, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("60000 fen (¥600.00)"), "{text}");
        assert!(text.contains("2000 call(s) per recording"), "{text}");
        assert!(text.contains("(1 file(s) of unknown duration"), "{text}");
        assert!(
            text.contains("would save 0 billing unit(s) per call of each file, 0 fen (¥0.00) over all calls (not counting 2 file(s)"),
            "{text}"
        );
    }

    #[test]
    fn csv_rows_and_total() {
        let mut out = Vec::new();
        write(&priced(), Format::Csv, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], CSV_HEADER.join(","));
        assert_eq!(
            lines[1],
            "a/ok.wav,pass,12.500,2,30,0.30,60000,600.00,,,,,recording,,"
        );
        assert_eq!(lines[2], "c/x.mp3,fail,,,,,,,,,,,recording,,");
        assert_eq!(
            lines[3],
            "TOTAL,,12.500,2,30,0.30,60000,600.00,,0,0,0.00,,,"
        );
    }

    fn with_a_template() -> CostReport {
        use voxprep::template::{TemplateOptions, check};
        let mut ok = FileReport::new("a/ok.wav");
        ok.verdict = Verdict::Pass;
        ok.duration_s = Some(12.5);
        ok.billing_units = Some(2);
        let opts = TemplateOptions {
            param_max: Some("张三丰".into()),
            ..TemplateOptions::default()
        };
        let t = check("${name}，您好，您的快递已到。", &opts).with_source("t.txt:1");
        voxprep::cost::campaign_report(&[ok], &[t], Fen(10), 100, 1).unwrap()
    }

    #[test]
    fn templates_are_lines_and_in_the_total() {
        let mut out = Vec::new();
        write(&with_a_template(), Format::Human, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("tts t.txt:1: ${name}，您好"), "{text}");
        assert!(text.contains("1 file(s), 1 template(s)"), "{text}");
        assert!(text.contains("(~: estimated; 1 of the 3 unit(s)"), "{text}");
        let mut out = Vec::new();
        write(&with_a_template(), Format::Csv, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert!(
            lines[2].starts_with("t.txt:1,pass,")
                && lines[2].ends_with(",,,,template,${name}，您好，您的快递已到。,false"),
            "{text}"
        );
        assert!(lines[3].starts_with("TOTAL,,"), "{text}");
    }
}
