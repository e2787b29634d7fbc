//! Writing a whole file (a report, a page) the way conversions write their
//! outputs: into a temporary file beside it, renamed into place once
//! complete, so that a reader never sees half of it; an existing file is
//! replaced only with `force`, and never a folder, device or pipe.

use crate::convert::{TempFile, on_output, writable_target};
use crate::{Error, Result};
use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Whether `output` may be written (with `force`, an existing regular file
/// may be replaced), and where: a symbolic link's final target. For
/// refusing a request before the work that fills the file.
///
/// # Errors
/// [`Error::Usage`] naming `output` when it exists (without `force`) or is
/// not a regular file; [`Error::Io`] for a loop of links.
pub fn writable(output: &Path, force: bool) -> Result<PathBuf> {
    writable_target(output, force)
}

/// Write `output` with what `fill` writes, through a temporary file beside
/// it that is renamed into place only when `fill` and the flush succeed (and
/// removed otherwise). Without `force`, a file that appeared meanwhile is
/// not replaced.
///
/// # Errors
/// As [`writable`]; [`Error::Io`] naming `output` when writing fails.
pub fn write_atomically(
    output: &Path,
    force: bool,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let target = writable_target(output, force)?;
    // The temporary file keeps the output's extension (a simple one).
    let ext = target
        .extension()
        .and_then(|e| e.to_str())
        .filter(|e| !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or("out");
    let tmp = TempFile::create_beside(&target, ext)?;
    let own = |e: io::Error| on_output(Error::io(tmp.path(), e), tmp.path(), output);
    let file = OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(tmp.path())
        .map_err(own)?;
    let mut w = BufWriter::new(file);
    fill(&mut w).and_then(|()| w.flush()).map_err(own)?;
    let file = w.into_inner().map_err(|e| own(e.into_error()))?;
    file.sync_all().map_err(own)?;
    drop(file);
    tmp.persist(&target, force)
        .map_err(|e| on_output(e, &target, output))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_refuses_to_replace_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report.html");
        write_atomically(&out, false, |w| w.write_all(b"one")).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"one");
        let e = write_atomically(&out, false, |w| w.write_all(b"two")).unwrap_err();
        assert!(
            matches!(e.usage(), Some(crate::Usage::OutputExists(_))),
            "{e}"
        );
        assert!(writable(&out, false).is_err() && writable(&out, true).is_ok());
        write_atomically(&out, true, |w| w.write_all(b"two")).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"two");
        // A failing writer leaves the old file and no temporary file.
        let e = write_atomically(&out, true, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(e.to_string().contains("report.html"), "{e}");
        assert_eq!(std::fs::read(&out).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // A folder is never a report.
        assert!(write_atomically(dir.path(), true, |_| Ok(())).is_err());
    }
}
