//! The texts spoken in the recordings: read from a `.txt` beside each
//! recording, or from a table (`.csv`, `.tsv`, `.xlsx`) of name and text.
//!
//! Text files come from editors that do not all write UTF-8: Notepad on a
//! Chinese Windows saves "ANSI", which is GBK, and "Unicode", which is
//! UTF-16 with a byte-order mark; Excel's "CSV" on the same machine is GBK
//! too. [`decode`] reads UTF-8 (with or without a BOM), UTF-16 with a BOM,
//! and otherwise GB18030 (the superset of GBK), and says which it used so
//! that a report can ask the user to look at a text that was not UTF-8.

use crate::error::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The encoding a text was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16 (little- or big-endian), told by its byte-order mark.
    Utf16,
    /// Not UTF-8 and no BOM: read as GB18030 (GBK's superset).
    Gb18030,
}

impl TextEncoding {
    /// `UTF-8`, `UTF-16`, `GB18030`.
    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16 => "UTF-16",
            TextEncoding::Gb18030 => "GB18030",
        }
    }
}

/// The largest text file read beside a recording, in bytes: a recording's
/// text is a few hundred characters.
pub const MAX_TEXT_BYTES: u64 = 1024 * 1024;

/// The largest table of texts read, in bytes: thousands of texts take a few
/// megabytes.
pub const MAX_TABLE_BYTES: u64 = 64 * 1024 * 1024;

/// Decode the bytes of a text file. `None` when they are neither UTF-8,
/// UTF-16 with a BOM, nor GB18030.
pub fn decode(bytes: &[u8]) -> Option<(String, TextEncoding)> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .ok()
            .map(|s| (s.to_string(), TextEncoding::Utf8));
    }
    for (bom, enc) in [
        (&b"\xFF\xFE"[..], encoding_rs::UTF_16LE),
        (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE),
    ] {
        if bytes.starts_with(bom) {
            let (text, had_errors) = enc.decode_with_bom_removal(bytes);
            return (!had_errors).then(|| (text.into_owned(), TextEncoding::Utf16));
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some((s.to_string(), TextEncoding::Utf8));
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    (!had_errors).then(|| (text.into_owned(), TextEncoding::Gb18030))
}

/// A text as it will be filed: line ends made `\n`, white space at either end
/// removed, a BOM or NUL characters dropped.
pub fn tidy(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|&c| c != '\u{FEFF}' && c != '\0')
        .collect::<String>()
        .trim()
        .to_string()
}

/// Read a whole file, refusing one larger than `limit` bytes.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, limit));
    }
    Ok(bytes)
}

fn too_large(path: &Path, limit: u64) -> Error {
    Error::Limit(format!(
        "{}: larger than {} MiB; no text{} is that large",
        path.display(),
        limit >> 20,
        if limit == MAX_TABLE_BYTES {
            " table"
        } else {
            " of a recording"
        }
    ))
}

/// Read a text file beside a recording, tidied.
///
/// # Errors
/// I/O errors; [`Error::Malformed`] when the bytes are no text encoding
/// voxprep reads; [`Error::Limit`] past [`MAX_TEXT_BYTES`].
pub fn read_text_file(path: &Path) -> Result<(String, TextEncoding)> {
    let bytes = read_bounded(path, MAX_TEXT_BYTES)?;
    let (text, enc) = decode(&bytes).ok_or_else(|| not_text(path))?;
    Ok((tidy(&text), enc))
}

/// Why bytes are no text.
const NOT_TEXT: &str =
    "not text in UTF-8, UTF-16 (with a byte-order mark) or GB18030; save it as UTF-8";

fn not_text(path: &Path) -> Error {
    Error::Malformed(format!("{}: {NOT_TEXT}", path.display()))
}

/// One row of a table of texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableRow {
    /// The row's number in the file, from 1 (as a spreadsheet shows it).
    pub row: usize,
    /// The recording's name (a file name, with or without its extension).
    pub name: String,
    /// The text, tidied.
    pub text: String,
}

/// A table of texts read from a file.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// The file.
    pub path: PathBuf,
    /// The rows that name a recording, in file order.
    pub rows: Vec<TableRow>,
    /// The encoding of a CSV or TSV file (`None` for `.xlsx`).
    pub encoding: Option<TextEncoding>,
}

/// First cells that mark a header row (compared case-insensitively, white
/// space trimmed), including the manifest's own, so that a manifest edited
/// in a spreadsheet can be read back as the table of texts.
const HEADER_NAMES: [&str; 11] = [
    "name",
    "file",
    "filename",
    "file name",
    "file_name",
    "recording",
    "文件名",
    "录音文件名",
    "录音文件",
    "名称",
    "文件名 (file name)",
];

/// Whether a first row is a header: its first cell is a column title.
fn is_header(first_cell: &str) -> bool {
    let c = first_cell.trim().to_lowercase();
    HEADER_NAMES.contains(&c.as_str())
}

/// The first cell of the manifest's totals row.
pub(crate) const TOTALS_PREFIX: &str = "合计";

/// Read a table of texts: the first column names the recording, the second
/// holds its text; other columns are ignored. A first row whose first cell
/// is a column title (`name`, `file`, `文件名`...) is a header; rows whose
/// name is empty, and the totals row of a voxprep manifest, are skipped.
/// `.csv` is comma-separated, `.tsv` tab-separated (both UTF-8, UTF-16 or
/// GB18030, as Excel saves them), `.xlsx` its first worksheet.
///
/// # Errors
/// I/O errors naming the file; [`Error::Unsupported`] for another
/// extension; [`Error::Malformed`] for a file that cannot be parsed.
pub fn read_table(path: &Path) -> Result<Table> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let delimited = |delimiter| {
        let bytes = read_bounded(path, MAX_TABLE_BYTES)?;
        parse_delimited(&bytes, delimiter).map_err(|e| match e {
            Error::Malformed(why) => Error::Malformed(format!("{}: {why}", path.display())),
            other => other,
        })
    };
    let (rows, encoding) = match ext.as_str() {
        "csv" => delimited(b',').map(|(r, e)| (r, Some(e)))?,
        "tsv" | "tab" => delimited(b'\t').map(|(r, e)| (r, Some(e)))?,
        #[cfg(feature = "filing")]
        "xlsx" | "xlsm" | "xls" | "ods" => (table_rows(spreadsheet(path)?), None),
        _ => {
            return Err(Error::Unsupported(format!(
                "{}: a table of texts is .csv, .tsv or .xlsx",
                path.display()
            )));
        }
    };
    Ok(Table {
        path: path.to_path_buf(),
        rows,
        encoding,
    })
}

/// The rows of a table given as the bytes of a delimited text file
/// (`delimiter` `b','` or `b'\t'`), as [`read_table`] reads a `.csv` or
/// `.tsv` file.
///
/// # Errors
/// [`Error::Malformed`] when the bytes are not text or not a table.
pub fn parse_delimited(bytes: &[u8], delimiter: u8) -> Result<(Vec<TableRow>, TextEncoding)> {
    let (text, enc) = decode(bytes).ok_or_else(|| Error::Malformed(NOT_TEXT.to_string()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut cells = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::Malformed(format!("not a readable table: {e}")))?;
        cells.push(record.iter().map(str::to_string).collect());
    }
    Ok((table_rows(cells), enc))
}

/// The rows of a table's cells that name a recording.
fn table_rows(cells: Vec<Vec<String>>) -> Vec<TableRow> {
    let mut rows = Vec::new();
    for (i, row) in cells.into_iter().enumerate() {
        let name = row
            .first()
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        if (i == 0 && is_header(&name)) || name.is_empty() || name.starts_with(TOTALS_PREFIX) {
            continue;
        }
        let text = row.get(1).map(|t| tidy(t)).unwrap_or_default();
        rows.push(TableRow {
            row: i + 1,
            name,
            text,
        });
    }
    rows
}

/// The cells of a spreadsheet's first worksheet, as text.
#[cfg(feature = "filing")]
fn spreadsheet(path: &Path) -> Result<Vec<Vec<String>>> {
    use calamine::{Data, Reader};
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() > MAX_TABLE_BYTES {
        return Err(too_large(path, MAX_TABLE_BYTES));
    }
    let bad = |e: &dyn std::fmt::Display| {
        Error::Malformed(format!(
            "{}: not a readable spreadsheet: {e}",
            path.display()
        ))
    };
    let mut book = calamine::open_workbook_auto(path).map_err(|e| bad(&e))?;
    let Some(first) = book.sheet_names().first().cloned() else {
        return Ok(Vec::new());
    };
    let range = book.worksheet_range(&first).map_err(|e| bad(&e))?;
    let cell = |d: &Data| match d {
        Data::Empty => String::new(),
        // A name typed as a number (1001) is read back as 1001, not 1001.0.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    };
    Ok(range
        .rows()
        .map(|row| row.iter().map(cell).collect())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_editors_write() {
        let s = "您好，欢迎致电";
        assert_eq!(decode(s.as_bytes()), Some((s.into(), TextEncoding::Utf8)));
        let bom = [b"\xEF\xBB\xBF".as_slice(), s.as_bytes()].concat();
        assert_eq!(decode(&bom), Some((s.into(), TextEncoding::Utf8)));
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(s.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&le), Some((s.into(), TextEncoding::Utf16)));
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(s.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&be), Some((s.into(), TextEncoding::Utf16)));
        let (gbk, _, _) = encoding_rs::GBK.encode(s);
        assert_eq!(decode(&gbk), Some((s.into(), TextEncoding::Gb18030)));
        // Not text in any of them.
        assert_eq!(decode(b"\x80\xFF\xFF\x30"), None);
    }

    #[test]
    fn tidy_trims_and_unifies_line_ends() {
        assert_eq!(tidy("\u{FEFF}  a\r\nb\rc \n"), "a\nb\nc");
    }

    #[test]
    fn tables_skip_headers_blank_names_and_totals() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(
            &p,
            "文件名,文字\nwelcome.wav,\"您好, 欢迎\"\n,orphan\nbye, 再见 \n合计 total,x\n",
        )
        .unwrap();
        let t = read_table(&p).unwrap();
        let got: Vec<(usize, &str, &str)> = t
            .rows
            .iter()
            .map(|r| (r.row, r.name.as_str(), r.text.as_str()))
            .collect();
        assert_eq!(got, [(2, "welcome.wav", "您好, 欢迎"), (4, "bye", "再见")]);
        // No header: the first row is data.
        std::fs::write(&p, "a,one\nb\n").unwrap();
        let t = read_table(&p).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1].text, "");
        let tsv = dir.path().join("t.tsv");
        std::fs::write(&tsv, "a\tone, two\n").unwrap();
        assert_eq!(read_table(&tsv).unwrap().rows[0].text, "one, two");
        let e = read_table(&dir.path().join("t.json")).unwrap_err();
        assert!(e.to_string().contains(".csv, .tsv or .xlsx"), "{e}");
    }
}
