//! `voxprep convert`: a line per file with its warnings and a summary,
//! JSON, or CSV.

use super::super::format::{Format, csv_row};
use super::cell;
use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;
use voxprep::convert::{Conversion, Done, FolderOutcome, Skip, Status, Summary};

/// Write `outcomes` as `format` asks. With one file in human form, a
/// failure's error goes to `err` (the row says FAILED); with several, under
/// its row.
pub fn write(
    outcomes: &[FolderOutcome],
    format: Format,
    out: &mut impl Write,
    err: &mut impl Write,
) -> io::Result<()> {
    match format {
        Format::Human => human(outcomes, out, err),
        Format::Json => json(outcomes, out),
        Format::Csv => csv(outcomes, out),
    }
}

fn human(outcomes: &[FolderOutcome], out: &mut impl Write, err: &mut impl Write) -> io::Result<()> {
    for o in outcomes {
        match &o.result {
            Ok(Done::Skipped(skip)) => {
                writeln!(
                    out,
                    "skipped    {} -> {}  {}",
                    o.input.display(),
                    o.output.display(),
                    skip_words(skip)
                )?;
            }
            Ok(Done::Converted(c)) => {
                writeln!(out, "{}", human_row(o.status(), c))?;
                for w in &c.warnings {
                    writeln!(out, "    warning: {w}")?;
                }
                if let Some(l) = c.loudness {
                    writeln!(
                        out,
                        "    loudness {:.1} -> {} LUFS (target {:.1}, gain {:+.1} dB)",
                        l.before_lufs,
                        l.after_lufs.map_or("?".to_string(), |a| format!("{a:.1}")),
                        l.target_lufs,
                        c.gain_db.unwrap_or(0.0)
                    )?;
                }
                if let Some(t) = c.trimmed {
                    let secs = |frames| {
                        voxprep::billing::duration_secs(voxprep::billing::Frames(frames), c.rate)
                    };
                    writeln!(
                        out,
                        "    trimmed {:.2} s of silence ({:.2} s lead, {:.2} s tail): {} billing unit(s) saved per call",
                        t.seconds,
                        secs(t.leading_frames),
                        secs(t.trailing_frames),
                        t.billing_units
                    )?;
                }
            }
            Err(e) => {
                writeln!(
                    out,
                    "{}     {} -> {}",
                    crate::cli::paint::verdict("FAILED"),
                    o.input.display(),
                    o.output.display()
                )?;
                if outcomes.len() == 1 {
                    writeln!(err, "voxprep: error: {}", super::error_words(e))?;
                } else {
                    writeln!(out, "    error: {}", super::error_words(e))?;
                }
            }
        }
    }
    if outcomes.len() > 1 {
        let s = Summary::of(outcomes);
        let trimmed = if s.trim_saved_seconds > 0.0 {
            format!(
                "; trimming saved {:.1} s and {} units per call",
                s.trim_saved_seconds, s.trim_saved_units
            )
        } else {
            String::new()
        };
        let skipped = match s.skipped {
            0 => String::new(),
            n => format!(", {n} skipped"),
        };
        writeln!(
            out,
            "\n{} files: {} converted ({} with warnings){skipped}, {} failed; {:.1} s of output, {} billing units per call{trimmed}",
            s.files, s.converted, s.warnings, s.failed, s.output_seconds, s.billing_units,
        )?;
    }
    Ok(())
}

/// Why a file was skipped, for a person.
fn skip_words(skip: &Skip) -> String {
    match skip {
        Skip::OutputPasses { check } => format!(
            "output exists and passes check ({}, {})",
            super::secs(check.duration_s),
            super::units(check.billing_units)
        ),
        Skip::LessFaithful { converted } => {
            format!("{} (lossless) is converted instead", converted.display())
        }
    }
}

/// Why a file was skipped, as a CSV cell (the JSON `reason`).
fn skip_reason(skip: &Skip) -> &'static str {
    match skip {
        Skip::OutputPasses { .. } => "output-passes",
        Skip::LessFaithful { .. } => "less-faithful",
    }
}

fn human_row(status: Status, c: &Conversion) -> String {
    let status = match status {
        Status::Warn => crate::cli::paint::paint("warn     ", crate::cli::paint::Tone::Warn),
        _ => crate::cli::paint::paint("converted", crate::cli::paint::Tone::Good),
    };
    format!(
        "{status}  {} -> {}  {} {} Hz {}ch {:.3} s -> {} {} Hz {}, {} unit(s)",
        c.input.display(),
        c.output.display(),
        c.source.codec,
        c.source.sample_rate,
        c.source.channels,
        c.input_duration_s(),
        c.format.extension(),
        c.rate,
        super::secs(Some(c.duration_s())),
        c.billing_units.unwrap_or(0)
    )
}

/// One file of the JSON document: the conversion with its status and
/// output duration, or the failure.
#[derive(Serialize)]
#[serde(untagged)]
enum JsonRow<'a> {
    Done {
        status: Status,
        duration_s: f64,
        #[serde(flatten)]
        conversion: &'a Conversion,
    },
    Skipped {
        status: Status,
        input: &'a Path,
        output: &'a Path,
        #[serde(flatten)]
        skip: &'a Skip,
    },
    Failed {
        status: Status,
        input: &'a Path,
        output: &'a Path,
        error: String,
    },
}

impl<'a> JsonRow<'a> {
    fn of(o: &'a FolderOutcome) -> JsonRow<'a> {
        match &o.result {
            Ok(Done::Converted(c)) => JsonRow::Done {
                status: o.status(),
                duration_s: c.duration_s(),
                conversion: c,
            },
            Ok(Done::Skipped(skip)) => JsonRow::Skipped {
                status: Status::Skipped,
                input: &o.input,
                output: &o.output,
                skip,
            },
            Err(e) => JsonRow::Failed {
                status: Status::Failed,
                input: &o.input,
                output: &o.output,
                error: super::error_words(e),
            },
        }
    }
}

/// One JSON document: `{"files": [...], "summary": {...}}`.
fn json(outcomes: &[FolderOutcome], out: &mut impl Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        files: Vec<JsonRow<'a>>,
        summary: Summary,
    }
    let doc = Doc {
        files: outcomes.iter().map(JsonRow::of).collect(),
        summary: Summary::of(outcomes),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// The CSV columns, in order.
pub const CSV_HEADER: &[&str] = &[
    "input",
    "output",
    "status",
    "source_container",
    "source_codec",
    "source_rate",
    "source_channels",
    "input_duration_s",
    "format",
    "rate",
    "duration_s",
    "billing_units",
    "gain_db",
    "peak_dbfs",
    "clipped_samples",
    "trim_saved_s",
    "trim_saved_units",
    "warnings",
    "error",
    "skip_reason",
];

/// RFC 4180 CSV: a header, then a row per file; `warnings` are ` | `-separated.
fn csv(outcomes: &[FolderOutcome], out: &mut impl Write) -> io::Result<()> {
    csv_row(out, CSV_HEADER)?;
    for o in outcomes {
        let mut row = vec![
            o.input.to_string_lossy().into_owned(),
            o.output.to_string_lossy().into_owned(),
            o.status().as_str().to_string(),
        ];
        match &o.result {
            Ok(Done::Converted(c)) => row.extend([
                c.source.container.clone(),
                c.source.codec.clone(),
                c.source.sample_rate.to_string(),
                c.source.channels.to_string(),
                format!("{:.3}", c.input_duration_s()),
                c.format.extension().to_string(),
                c.rate.to_string(),
                format!("{:.3}", c.duration_s()),
                cell(c.billing_units),
                cell(c.gain_db.map(|g| format!("{g:.2}"))),
                cell(c.peak_dbfs.map(|p| format!("{p:.2}"))),
                c.clipped_samples.to_string(),
                cell(c.trimmed.map(|t| format!("{:.3}", t.seconds))),
                cell(c.trimmed.map(|t| t.billing_units)),
                c.warnings.join(" | "),
                String::new(),
                String::new(),
            ]),
            Ok(Done::Skipped(skip)) => {
                row.extend(std::iter::repeat_n(String::new(), CSV_HEADER.len() - 4));
                row.push(skip_reason(skip).to_string());
            }
            Err(e) => {
                row.extend(std::iter::repeat_n(String::new(), CSV_HEADER.len() - 5));
                row.push(super::error_words(e));
                row.push(String::new());
            }
        }
        csv_row(out, row)?;
    }
    Ok(())
}
