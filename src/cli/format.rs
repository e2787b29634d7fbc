//! The one `--format` every subcommand takes, and the CSV cell writer the
//! renderers share.

use std::io::{self, Write};

/// How a command writes its results on stdout. `human` means the same in
/// every subcommand: lines for people, a summary at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Lines for people, then a summary.
    #[default]
    Human,
    /// JSON: one document (`receive`: one object per line, JSON Lines).
    Json,
    /// CSV (RFC 4180): a header row, then a row per file or request.
    Csv,
}

/// `voxprep check`'s `--format`: the formats every command has, and a
/// page for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CheckFormat {
    /// Lines for people, then a summary.
    #[default]
    Human,
    /// JSON: one document.
    Json,
    /// CSV (RFC 4180): a header row, then a row per file.
    Csv,
    /// One self-contained HTML page: summary, money, loudness, and a row
    /// per file with a waveform thumbnail.
    Html,
}

impl CheckFormat {
    /// The common format this is, `None` for HTML.
    pub fn common(self) -> Option<Format> {
        match self {
            CheckFormat::Human => Some(Format::Human),
            CheckFormat::Json => Some(Format::Json),
            CheckFormat::Csv => Some(Format::Csv),
            CheckFormat::Html => None,
        }
    }
}

/// One RFC 4180 CSV row: cells quoted when they hold a comma, quote or line
/// break; rows end in CRLF.
pub fn csv_row<S: AsRef<str>>(
    w: &mut impl Write,
    cells: impl IntoIterator<Item = S>,
) -> io::Result<()> {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        let cell = cell.as_ref();
        if cell.contains([',', '"', '\n', '\r']) {
            write!(w, "\"{}\"", cell.replace('"', "\"\""))?;
        } else {
            w.write_all(cell.as_bytes())?;
        }
    }
    w.write_all(b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        let mut out = Vec::new();
        csv_row(&mut out, ["a", "b,c", "say \"hi\"", "x\ny", ""]).unwrap();
        assert_eq!(out, b"a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\",\r\n");
    }
}
