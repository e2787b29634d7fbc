//! Opening input files: only regular files, looked at before they are opened.

use crate::{Error, Result};
use std::fs::File;
use std::io;
use std::path::Path;

/// Open `path` for reading when it is a regular file (symbolic links
/// followed). A folder, FIFO, socket or device is an [`Error::Io`] saying
/// what it is, without opening it: opening a FIFO would block until a writer
/// comes, and reading a device may never end.
///
/// # Errors
/// [`Error::Io`] naming `path`.
pub(crate) fn open_regular(path: &Path) -> Result<File> {
    let io_err = |e| Error::io(path, e);
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file"
        };
        return Err(io_err(io::Error::other(what)));
    }
    File::open(path).map_err(io_err)
}
