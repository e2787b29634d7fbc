//! The manifest of a filing package: one row per recording (file name,
//! text, duration, billing units per call, format, size, SHA-256, note) and a
//! totals row, as CSV (UTF-8 with a byte-order mark, which Excel needs to
//! show Chinese) and as an Excel workbook. Both hold the same cells.
//!
//! Durations are those `voxprep check` reports (see
//! [`crate::billing::duration_secs`]): the samples divided by the rate,
//! written to the millisecond, rounded down, except a duration a hair past a
//! 12-second boundary, which is written in full so that it visibly costs
//! the extra unit.

use crate::error::{Error, Result};
use serde::Serialize;

/// The column titles, Chinese for the provider and English for everyone else.
pub const COLUMNS: [&str; 8] = [
    "文件名 (file name)",
    "录音文字 (text)",
    "时长/秒 (duration, s)",
    "计费单位/次 (billing units per call)",
    "格式 (format)",
    "大小/字节 (size, bytes)",
    "SHA-256",
    "备注 (note)",
];

/// One recording in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManifestRow {
    /// The file name, as named in the notice.
    pub name: String,
    /// The text spoken in it (empty when none was found).
    pub text: String,
    /// Duration in seconds, as `voxprep check` reports it.
    pub duration_s: f64,
    /// Billing units (started 12-second periods) of one call playing it once.
    pub billing_units: u64,
    /// `WAV PCM 16-bit mono 8000 Hz` or `VOX Dialogic ADPCM 4-bit mono 8000 Hz`.
    pub format: String,
    /// Size of the file, bytes.
    pub size_bytes: u64,
    /// SHA-256 of the file, lower-case hex.
    pub sha256: String,
    /// What the filer should know (`no text`, a warning), else empty.
    pub note: String,
}

/// The sums of a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Totals {
    /// Recordings listed.
    pub recordings: usize,
    /// Their durations, seconds (summed, then rounded to the microsecond).
    pub duration_s: f64,
    /// Their billing units per call, summed: one call to each.
    pub billing_units: u64,
    /// Their sizes, bytes.
    pub size_bytes: u64,
}

impl Totals {
    /// The sums of `rows`.
    pub fn of(rows: &[ManifestRow]) -> Totals {
        let seconds: f64 = rows.iter().map(|r| r.duration_s).sum();
        Totals {
            recordings: rows.len(),
            duration_s: (seconds * 1e6).round() / 1e6,
            billing_units: rows.iter().map(|r| r.billing_units).sum(),
            size_bytes: rows.iter().map(|r| r.size_bytes).sum(),
        }
    }

    /// The first cell of the totals row.
    pub fn label(&self) -> String {
        format!(
            "{} (total): {} recording{}",
            super::texts::TOTALS_PREFIX,
            self.recordings,
            if self.recordings == 1 { "" } else { "s" }
        )
    }
}

/// A cell: text or a number. The CSV writes numbers in Rust's shortest
/// round-trip form, the workbook as numbers, so both read back equal.
enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    Blank,
}

fn cells(row: &ManifestRow) -> [Cell<'_>; 8] {
    [
        Cell::Text(&row.name),
        Cell::Text(&row.text),
        Cell::Number(row.duration_s),
        Cell::Number(row.billing_units as f64),
        Cell::Text(&row.format),
        Cell::Number(row.size_bytes as f64),
        Cell::Text(&row.sha256),
        Cell::Text(&row.note),
    ]
}

/// The totals row but its label (first cell).
fn total_cells(t: &Totals) -> [Cell<'static>; 8] {
    [
        Cell::Blank,
        Cell::Blank,
        Cell::Number(t.duration_s),
        Cell::Number(t.billing_units as f64),
        Cell::Blank,
        Cell::Number(t.size_bytes as f64),
        Cell::Blank,
        Cell::Blank,
    ]
}

/// The manifest as CSV: a byte-order mark, the titles, the rows, the totals.
pub fn to_csv(rows: &[ManifestRow]) -> Result<Vec<u8>> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let totals = Totals::of(rows);
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        let fail = |e: csv::Error| Error::Malformed(format!("cannot write the manifest: {e}"));
        w.write_record(COLUMNS).map_err(fail)?;
        let text = |c: &Cell<'_>| match c {
            Cell::Text(s) => (*s).to_string(),
            Cell::Number(n) => format!("{n}"),
            Cell::Blank => String::new(),
        };
        for row in rows {
            w.write_record(cells(row).iter().map(text)).map_err(fail)?;
        }
        let mut last: Vec<String> = total_cells(&totals).iter().map(text).collect();
        last[0] = totals.label();
        w.write_record(&last).map_err(fail)?;
        w.flush()
            .map_err(|e| Error::Malformed(format!("cannot write the manifest: {e}")))?;
    }
    Ok(out)
}

/// The manifest as an Excel workbook (`.xlsx`): one worksheet, titles in
/// bold and frozen, the same cells as [`to_csv`], texts wrapped.
pub fn to_xlsx(rows: &[ManifestRow]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| {
        Error::Malformed(format!("cannot write the manifest workbook: {e}"))
    };
    let totals = Totals::of(rows);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("manifest").map_err(fail)?;
    let title = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let plain = Format::new().set_align(FormatAlign::Top);
    let seconds = Format::new()
        .set_num_format("0.000###")
        .set_align(FormatAlign::Top);
    let integer = Format::new()
        .set_num_format("0")
        .set_align(FormatAlign::Top);
    let bold = Format::new().set_bold();
    let bold_seconds = Format::new().set_bold().set_num_format("0.000###");
    let bold_integer = Format::new().set_bold().set_num_format("0");
    let widths = [28.0, 48.0, 12.0, 14.0, 30.0, 12.0, 66.0, 30.0];
    for (col, (name, width)) in COLUMNS.iter().zip(widths).enumerate() {
        let col = col as u16;
        sheet
            .write_string_with_format(0, col, *name, &title)
            .map_err(fail)?;
        sheet.set_column_width(col, width).map_err(fail)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (col, cell) in cells(row).iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text(s) => {
                    let f = if col == 1 { &wrap } else { &plain };
                    sheet.write_string_with_format(r, col, *s, f)
                }
                Cell::Number(n) => {
                    let f = if col == 2 { &seconds } else { &integer };
                    sheet.write_number_with_format(r, col, *n, f)
                }
                Cell::Blank => continue,
            }
            .map_err(fail)?;
        }
    }
    let r = rows.len() as u32 + 1;
    let label = totals.label();
    sheet
        .write_string_with_format(r, 0, &label, &bold)
        .map_err(fail)?;
    for (col, cell) in total_cells(&totals).iter().enumerate() {
        if let Cell::Number(n) = cell {
            let f = if col == 2 {
                &bold_seconds
            } else {
                &bold_integer
            };
            sheet
                .write_number_with_format(r, col as u16, *n, f)
                .map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, text: &str, s: f64, units: u64) -> ManifestRow {
        ManifestRow {
            name: name.into(),
            text: text.into(),
            duration_s: s,
            billing_units: units,
            format: "WAV PCM 16-bit mono 8000 Hz".into(),
            size_bytes: 44 + (s * 16000.0) as u64,
            sha256: "ab".repeat(32),
            note: String::new(),
        }
    }

    #[test]
    fn csv_has_a_bom_titles_rows_and_totals() {
        let rows = [
            row("a.wav", "您好, \"欢迎\"", 3.25, 1),
            row("b.wav", "", 12.000125, 2),
        ];
        let csv = to_csv(&rows).unwrap();
        assert!(csv.starts_with(b"\xEF\xBB\xBF"));
        let text = std::str::from_utf8(&csv[3..]).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert!(lines[0].starts_with("文件名 (file name),录音文字 (text),"));
        assert!(lines[1].starts_with("a.wav,\"您好, \"\"欢迎\"\"\",3.25,1,WAV"));
        assert!(lines[2].starts_with("b.wav,,12.000125,2,"));
        assert_eq!(
            lines[3],
            "合计 (total): 2 recordings,,15.250125,3,,244090,,"
        );
    }

    #[test]
    fn totals_round_to_the_microsecond() {
        let rows = [row("a", "", 0.1, 1), row("b", "", 0.2, 1)];
        assert_eq!(Totals::of(&rows).duration_s, 0.3);
        assert_eq!(Totals::of(&rows[..1]).label(), "合计 (total): 1 recording");
    }

    #[test]
    fn workbook_is_a_zip() {
        let bytes = to_xlsx(&[row("a.wav", "x", 1.0, 1)]).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"));
    }
}
