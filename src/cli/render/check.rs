//! `voxprep check`: a line per file with its problems, JSON, or CSV.

use super::super::format::csv_row;
use super::{cell, secs, units};
use crate::cli::format::Format;
use serde::Serialize;
use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use voxprep::check::{FileReport, Fix};
use voxprep::report::{LOUDNESS_SPREAD_LU, Report, Summary};
use voxprep::spec::{Adjustment, Code};

/// Write `report`, whose totals are `summary`, as `format` asks.
pub fn write(
    report: &Report,
    summary: &Summary,
    format: Format,
    w: &mut impl Write,
) -> io::Result<()> {
    match format {
        Format::Human => human(report, summary, w),
        Format::Json => json(report, summary, w),
        Format::Csv => csv(report, w),
    }
}

/// One file's lines of the human form: verdict, duration, units and path,
/// its problems indented beneath, and what would fix it. `send file` writes
/// its recording's check with it.
pub fn write_file(f: &FileReport, w: &mut impl Write) -> io::Result<()> {
    write_file_named(f, &mut Outputs::default(), w)
}

fn write_file_named(f: &FileReport, outputs: &mut Outputs, w: &mut impl Write) -> io::Result<()> {
    let loudness = match f.signal.as_ref().and_then(|s| s.loudness_lufs) {
        Some(l) => format!("{l:>6.1} LUFS  "),
        None => String::new(),
    };
    writeln!(
        w,
        "{}  {:>10}  {:>9}  {loudness}{}",
        crate::cli::paint::verdict(&format!("{:<4}", f.verdict.as_str().to_uppercase())),
        secs(f.duration_s),
        units(f.billing_units),
        f.path.display()
    )?;
    write_problems(f, outputs, w)
}

/// A file's lines each ([`write_file`]), then a summary.
fn human(report: &Report, s: &Summary, w: &mut impl Write) -> io::Result<()> {
    let mut outputs = Outputs::default();
    for f in &report.files {
        write_file_named(f, &mut outputs, w)?;
    }
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
    if s.trim_saving_units > 0 {
        write!(
            w,
            "trimming the silence (voxprep convert --trim-silence) would save {} billing unit(s) per call",
            s.trim_saving_units
        )?;
        if s.files_without_trim_saving > 0 {
            write!(
                w,
                " (not counting {} file(s) whose samples were not analysed)",
                s.files_without_trim_saving
            )?;
        }
        writeln!(w)?;
    }
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

/// One file's problems, indented, then what would fix it.
fn write_problems(f: &FileReport, outputs: &mut Outputs, w: &mut impl Write) -> io::Result<()> {
    for p in &f.problems {
        let severity = crate::cli::paint::verdict(p.severity.as_str());
        writeln!(w, "      {severity} {}: {}", p.code, p.message)?;
    }
    if f.problems.iter().any(|p| p.code == Code::NotAdpcm) {
        writeln!(
            w,
            "      hint: voxprep convert reads raw mu-law, A-law and 16-bit PCM named .ulaw, \
             .alaw or .sln (8000 Hz; --input-rate HZ for another rate)"
        )?;
    }
    if f.problems.iter().any(|p| p.code == Code::VoxRateSuspect) {
        writeln!(
            w,
            "      hint: if it was recorded at 6000 Hz, say so: voxprep check and voxprep \
             convert --vox-rate 6000"
        )?;
    }
    if let Some(fix) = fix_words(f, outputs) {
        writeln!(w, "      {fix}")?;
    }
    Ok(())
}

/// The output names the fix lines of one report have suggested, so that no
/// two suggest the same file.
#[derive(Debug, Default)]
pub struct Outputs(HashSet<PathBuf>);

impl Outputs {
    /// Where a conversion of `input` can write: beside it, as `.wav`, unless
    /// that is the input itself (any case), an existing file, or a name
    /// already suggested; then `NAME.converted.wav`, `NAME.converted-2.wav`...
    fn claim(&mut self, input: &Path) -> PathBuf {
        // Standard input converts to `stdin.wav` (`voxprep convert - -o stdin.wav`).
        let input = if input == Path::new("-") {
            Path::new("stdin")
        } else {
            input
        };
        let is_wav = input
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("wav"));
        let stem = input.file_stem().unwrap_or_default().to_string_lossy();
        let candidates = (!is_wav)
            .then(|| input.with_extension("wav"))
            .into_iter()
            .chain((1..).map(|n| {
                let suffix = if n == 1 {
                    String::new()
                } else {
                    format!("-{n}")
                };
                input.with_file_name(format!("{stem}.converted{suffix}.wav"))
            }));
        for candidate in candidates {
            if !candidate.exists() && self.0.insert(candidate.clone()) {
                return candidate;
            }
        }
        unreachable!("the candidate names never run out")
    }
}

/// The line that says what would fix `f`: the conversion to run, or why
/// there is none.
pub fn fix_words(f: &FileReport, outputs: &mut Outputs) -> Option<String> {
    match f.fix.as_ref()? {
        Fix::Convert {
            rate,
            adjust,
            trim_threshold_dbfs,
            vox_rate,
            input_rate,
        } => {
            if f.path.to_str().is_none() {
                return Some(
                    "fix: voxprep convert can make a conforming file of it; \
                     rename it first (its name is not valid UTF-8)"
                        .to_string(),
                );
            }
            let mut line = format!(
                "fix: voxprep convert {} -o {}",
                shell_word(&f.path),
                shell_word(&outputs.claim(&f.path))
            );
            if let Some(r) = vox_rate {
                line.push_str(&format!(" --vox-rate {r}"));
            }
            if let Some(r) = input_rate {
                line.push_str(&format!(" --input-rate {r}"));
            }
            if *rate != 8000 {
                line.push_str(&format!(" --rate {rate}"));
            }
            for a in adjust {
                match a {
                    Adjustment::Normalize => line.push_str(" --normalize"),
                    Adjustment::TrimSilence => match trim_threshold_dbfs {
                        Some(t) => line.push_str(&format!(" --trim-silence={t}")),
                        None => line.push_str(" --trim-silence"),
                    },
                }
            }
            Some(line)
        }
        Fix::CannotConvert { reason } => Some(format!("convert cannot read it: {reason}")),
    }
}

/// A path as one shell word that the command line cannot take for a flag:
/// quoted when it holds anything but letters, digits and `_./-`, and
/// behind `./` when it starts with `-`.
fn shell_word(p: &Path) -> String {
    let s = p.to_string_lossy();
    let s = if s.starts_with('-') {
        format!("./{s}").into()
    } else {
        s
    };
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// One JSON document `{"files":[...],"summary":{...}}`, newline-terminated.
fn json(report: &Report, summary: &Summary, w: &mut impl Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        files: &'a [FileReport],
        summary: &'a Summary,
    }
    serde_json::to_writer_pretty(
        &mut *w,
        &Doc {
            files: &report.files,
            summary,
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
    "fix",
];

/// RFC 4180 CSV: a header row, then a row per file. Empty cells are unknown
/// values; `codes` is `;`-separated, `problems` the messages ` | `-separated.
fn csv(report: &Report, w: &mut impl Write) -> io::Result<()> {
    csv_row(w, CSV_HEADER)?;
    let mut outputs = Outputs::default();
    for f in &report.files {
        let sig = f.signal.as_ref();
        let dp = |v: Option<f64>, places: usize| cell(v.map(|v| format!("{v:.places$}")));
        let row = [
            f.path.to_string_lossy().into_owned(),
            f.verdict.as_str().to_string(),
            cell(f.container.as_ref()),
            cell(f.sample_rate),
            cell(f.channels),
            cell(f.bits_per_sample),
            cell(f.format_tag),
            cell(f.samples),
            dp(f.duration_s, 3),
            cell(f.billing_units),
            dp(sig.and_then(|s| s.peak_dbfs), 2),
            dp(sig.and_then(|s| s.rms_dbfs), 2),
            dp(sig.map(|s| s.dc_offset_pct), 2),
            cell(sig.map(|s| s.clipped_runs)),
            cell(sig.map(|s| s.longest_clip_run)),
            dp(sig.map(|s| s.leading_silence_s), 3),
            dp(sig.map(|s| s.trailing_silence_s), 3),
            cell(sig.and_then(|s| s.trimmed_billing_units)),
            f.problems
                .iter()
                .map(|p| p.code.to_string())
                .collect::<Vec<_>>()
                .join(";"),
            f.problems
                .iter()
                .map(|p| p.message.as_str())
                .collect::<Vec<_>>()
                .join(" | "),
            dp(sig.and_then(|s| s.loudness_lufs), 2),
            fix_words(f, &mut outputs).unwrap_or_default(),
        ];
        csv_row(w, row)?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use voxprep::spec::{Code, Problem, Verdict};

    fn row(path: &str, verdict: Verdict, dur: Option<f64>, units: Option<u64>) -> FileReport {
        let mut f = FileReport::new(path);
        f.verdict = verdict;
        f.duration_s = dur;
        f.billing_units = units;
        f
    }

    pub(crate) fn sample() -> Report {
        let mut warn = row("b/quiet.wav", Verdict::Warn, Some(3.5), Some(1));
        warn.problems
            .push(Problem::new(Code::LowLevel, "low level: peak -30.0 dBFS"));
        warn.fix = Some(Fix::Convert {
            rate: 8000,
            adjust: vec![Adjustment::Normalize],
            trim_threshold_dbfs: None,
            vox_rate: None,
            input_rate: None,
        });
        let mut fail = row("c/x,\"y\".mp3", Verdict::Fail, None, None);
        fail.container = Some("mp3".into());
        fail.problems.push(Problem::new(
            Code::NotAccepted,
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

    fn render(format: Format) -> String {
        let mut out = Vec::new();
        let report = sample();
        let summary = report.summary().unwrap();
        write(&report, &summary, format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn human() {
        let text = render(Format::Human);
        assert!(
            text.contains("PASS    12.500 s    2 units  a/ok.wav\n"),
            "{text}"
        );
        assert!(
            text.contains("      warning low-level: low level: peak -30.0 dBFS\n"),
            "{text}"
        );
        assert!(text.contains("FAIL           -    - units  c/x"), "{text}");
        assert!(
            text.contains(
                "      fix: voxprep convert b/quiet.wav -o b/quiet.converted.wav --normalize\n"
            ),
            "{text}"
        );
        assert!(text.contains("3 file(s): 1 pass, 1 warn, 1 fail; 4 non-audio file(s) skipped"));
        assert!(
            text.contains("total 16.000 s, 3 billing unit(s) per call (not counting 1 file(s)")
        );
    }

    fn convert_fix(rate: u32, adjust: Vec<Adjustment>, trim: Option<f64>) -> Option<Fix> {
        Some(Fix::Convert {
            rate,
            adjust,
            trim_threshold_dbfs: trim,
            vox_rate: None,
            input_rate: None,
        })
    }

    #[test]
    fn suggested_outputs_never_land_on_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("welcome.wav"), b"a good prompt").unwrap();
        let mut outputs = Outputs::default();
        // The input itself (any case), an existing file, a name suggested already.
        assert_eq!(outputs.claim(&d.join("B.WAV")), d.join("B.converted.wav"));
        assert_eq!(
            outputs.claim(&d.join("welcome.mp3")),
            d.join("welcome.converted.wav")
        );
        assert_eq!(outputs.claim(&d.join("x.mp3")), d.join("x.wav"));
        assert_eq!(outputs.claim(&d.join("x.vox")), d.join("x.converted.wav"));
        assert_eq!(outputs.claim(&d.join("x.ogg")), d.join("x.converted-2.wav"));
        assert_eq!(outputs.claim(&d.join("noext")), d.join("noext.wav"));
    }

    #[test]
    fn suggested_paths_are_safe_to_paste() {
        assert_eq!(shell_word(Path::new("-x.mp3")), "./-x.mp3");
        assert_eq!(shell_word(Path::new("a b")), "'a b'");
        assert_eq!(shell_word(Path::new("$(x)")), "'$(x)'");
    }

    #[test]
    fn fix_lines() {
        let mut outputs = Outputs::default();
        let mut f = FileReport::new("in dir/it's.mp3");
        f.fix = convert_fix(8000, vec![], None);
        assert_eq!(
            fix_words(&f, &mut outputs).unwrap(),
            r"fix: voxprep convert 'in dir/it'\''s.mp3' -o 'in dir/it'\''s.wav'"
        );
        // An accepted 11025 Hz rate is kept; trimming cuts at the check's threshold.
        let mut f = FileReport::new("quiet.wav");
        f.fix = convert_fix(
            11025,
            vec![Adjustment::Normalize, Adjustment::TrimSilence],
            Some(-35.0),
        );
        assert_eq!(
            fix_words(&f, &mut outputs).unwrap(),
            "fix: voxprep convert quiet.wav -o quiet.converted.wav --rate 11025 --normalize \
             --trim-silence=-35"
        );
        f.fix = Some(Fix::CannotConvert {
            reason: "GSM 6.10 audio in WAV is not supported".into(),
        });
        assert_eq!(
            fix_words(&f, &mut outputs).unwrap(),
            "convert cannot read it: GSM 6.10 audio in WAV is not supported"
        );
        f.fix = None;
        assert_eq!(fix_words(&f, &mut outputs), None);
    }

    #[test]
    fn json_has_the_fields_and_nulls() {
        let v: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
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
            "fix",
        ] {
            assert!(f.get(key).is_some(), "missing {key}");
        }
        assert_eq!(f["verdict"], "fail");
        assert!(f["sample_rate"].is_null());
        assert_eq!(f["problems"][0]["severity"], "error");
        assert_eq!(f["problems"][0]["code"], "not-accepted");
        assert!(f["fix"].is_null());
        assert_eq!(v["files"][1]["fix"]["convert"], true);
        assert_eq!(v["files"][1]["fix"]["adjust"][0], "normalize");
        assert_eq!(v["files"][1]["fix"]["rate"], 8000);
        assert_eq!(v["summary"]["warn"], 1);
        assert_eq!(v["summary"]["total_billing_units"], 3);
    }

    #[test]
    fn csv_quotes() {
        let text = render(Format::Csv);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], CSV_HEADER.join(","));
        assert_eq!(lines.len(), 5); // header, 3 rows, final empty
        assert!(
            lines[3].starts_with("\"c/x,\"\"y\"\".mp3\",fail,mp3,,"),
            "{}",
            lines[3]
        );
        assert!(
            lines[3].ends_with(",not-accepted,MP3 is not an accepted format,,"),
            "{}",
            lines[3]
        );
        assert_eq!(lines[1].split(',').count(), CSV_HEADER.len());
    }
}
