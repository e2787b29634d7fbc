//! `send --unsent FILE`: the numbers that may be sent again, one a line,
//! written whole or not at all, never over an existing file unless asked.

use anyhow::{Context, bail};
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Refuse `path` before anything is sent: a folder, or an existing file
/// without `force`.
pub fn check_target(path: &Path, force: bool) -> anyhow::Result<()> {
    check_target_as("--unsent", path, force, "nothing sent")
}

/// [`check_target`] for the file of another flag (`--resendable`), saying
/// `nothing` of what was not done.
pub fn check_target_as(flag: &str, path: &Path, force: bool, nothing: &str) -> anyhow::Result<()> {
    if path.is_dir() {
        bail!("{flag} {}: is a folder; give a file name", path.display());
    }
    if !force && fs::symlink_metadata(path).is_ok() {
        bail!(
            "{flag} {}: the file exists; use --force to replace it ({nothing})",
            path.display()
        );
    }
    Ok(())
}

/// Write `text` to `path` atomically: a temporary file beside it, flushed
/// to disk, then moved into place. Without `force` the move fails if `path`
/// appeared meanwhile (a hard link, which never replaces a file).
pub fn write(path: &Path, text: &str, force: bool) -> anyhow::Result<()> {
    write_as("--unsent", path, text, force)
}

/// [`write`] for the file of another flag (`--resendable`).
pub fn write_as(flag: &str, path: &Path, text: &str, force: bool) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = create_temporary(dir, &name)
        .with_context(|| format!("{flag} {}: cannot create a file beside it", path.display()))?;
    let result = fill(&tmp, text).and_then(|()| persist(&tmp, path, force));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("{flag} {}: cannot write the file", path.display()))
}

fn create_temporary(dir: &Path, name: &str) -> io::Result<PathBuf> {
    for n in 0..100 {
        let tmp = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(_) => return Ok(tmp),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("no free temporary name"))
}

fn fill(tmp: &Path, text: &str) -> io::Result<()> {
    let mut f = OpenOptions::new().write(true).truncate(true).open(tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

fn persist(tmp: &Path, target: &Path, force: bool) -> io::Result<()> {
    if force {
        return fs::rename(tmp, target);
    }
    match fs::hard_link(tmp, target) {
        Ok(()) => fs::remove_file(tmp),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(io::Error::new(
            e.kind(),
            "the file appeared meanwhile; not replaced (use --force)",
        )),
        // File systems without hard links: check, then rename.
        Err(_) if target.exists() => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "the file appeared meanwhile; not replaced (use --force)",
        )),
        Err(_) => fs::rename(tmp, target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_new_files_and_replaces_only_when_forced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("unsent.txt");
        check_target(&path, false).unwrap();
        write(&path, "13800138000\n", false).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "13800138000\n");
        let e = check_target(&path, false).unwrap_err();
        assert!(e.to_string().contains("use --force"), "{e}");
        let e = write(&path, "x\n", false).unwrap_err();
        assert!(format!("{e:#}").contains("not replaced"), "{e:#}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "13800138000\n");
        check_target(&path, true).unwrap();
        write(&path, "", true).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "");
        assert!(check_target(dir.path(), true).is_err());
        // No temporary file left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
