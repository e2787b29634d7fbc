//! Where outputs go, safely: never onto an input, never over an existing file
//! without `force`, always through a temporary file beside the target that
//! is removed on every error path (and swept up after a killed run).

use super::{OutputFormat, name_contradicts};
use crate::error::{Error, Result, Usage};
use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Whether `a` and `b` are the same file (same device and inode on Unix,
/// same canonical path elsewhere). `false` if either does not exist.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (fs::metadata(a), fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        ma.dev() == mb.dev() && ma.ino() == mb.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (ma, mb);
        matches!((fs::canonicalize(a), fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
    }
}

/// The canonical form of a path that may not exist yet: its parent
/// canonicalised, plus its file name.
pub(crate) fn canonical_target(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = fs::canonicalize(p) {
        return Some(c);
    }
    let name = p.file_name()?;
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(fs::canonicalize(parent).ok()?.join(name))
}

/// Refuse an output that is the input (however spelled), that is named
/// as another format than `format`, that exists (unless `force`), or that
/// is a folder.
///
/// # Errors
/// [`Error::Usage`] naming the output.
pub(crate) fn check_output_path(
    input: &Path,
    output: &Path,
    format: OutputFormat,
    force: bool,
) -> Result<()> {
    if let Some(e) = name_contradicts(output, format) {
        return Err(e.into());
    }
    let is_input = same_file(input, output)
        || matches!((canonical_target(input), canonical_target(output)), (Some(a), Some(b)) if a == b);
    if is_input {
        return Err(Usage::OutputIsInput(output.to_path_buf()).into());
    }
    match fs::symlink_metadata(output) {
        Ok(m) if m.is_dir() => Err(Usage::OutputIsFolder(output.to_path_buf()).into()),
        Ok(_) if !force => Err(Usage::OutputExists(output.to_path_buf()).into()),
        _ => Ok(()),
    }
}

/// A temporary file beside the target, removed on drop unless persisted.
#[derive(Debug)]
pub(crate) struct TempFile {
    path: PathBuf,
    armed: bool,
    /// Stale temporary files of killed runs removed from the same folder
    /// when this one was created (see [`sweep_stale`]).
    pub(crate) swept: usize,
}

/// How old a dead process's temporary file must be before it is removed: a
/// running conversion writes its file continually.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Folders already swept by this process.
static SWEPT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Remove, once per folder per process, the temporary files that a killed
/// voxprep left there (SIGKILL cannot be caught, so its signal handler never
/// ran): names `.<name>.<pid>-<n>.tmp.<wav|vox>` whose process is gone (no
/// `/proc/<pid>`) and that were last written more than [`STALE_AFTER`] ago.
/// Linux only (elsewhere there is no cheap way to ask whether a process
/// lives); errors are ignored. Returns how many files were removed.
pub(crate) fn sweep_stale(dir: &Path) -> usize {
    if !cfg!(target_os = "linux") || !Path::new("/proc/self").exists() {
        return 0;
    }
    {
        let mut swept = SWEPT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if swept.iter().any(|d| d == dir) {
            return 0;
        }
        swept.push(dir.to_path_buf());
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_file_pid) else {
            continue;
        };
        if pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists() {
            continue;
        }
        let old = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if old && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The process id in a name [`TempFile::create_beside`] makes
/// (`.<name>.<pid>-<n>.tmp.<wav|vox>`), `None` for any other name.
fn temp_file_pid(name: &str) -> Option<u32> {
    let stem = name
        .strip_suffix(".tmp.wav")
        .or_else(|| name.strip_suffix(".tmp.vox"))?;
    let (target, tag) = stem.strip_prefix('.')?.rsplit_once('.')?;
    let (pid, n) = tag.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if target.is_empty() || !digits(pid) || !digits(n) {
        return None;
    }
    pid.parse().ok()
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The temporary files that exist now, so that an interrupted run can remove
/// them ([`remove_temporary_files`]).
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic while holding the lock leaves a usable list.
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Remove every temporary output file this process has open, and return how
/// many were removed. For a signal handler: a run that is interrupted
/// (Ctrl-C, `kill`, `timeout`) otherwise leaves its hidden
/// `.<name>.<pid>-<n>.tmp.<ext>` files beside the outputs. Outputs already in
/// place are not touched; a conversion still running afterwards fails.
pub fn remove_temporary_files() -> usize {
    let paths = std::mem::take(&mut *live());
    paths.iter().filter(|p| fs::remove_file(p).is_ok()).count()
}

impl TempFile {
    /// Create `.<name>.<pid>-<n>.tmp.<ext>` in the target's folder (`ext` is
    /// the output format's, so that the check of the temporary file sees the
    /// right type whatever the target is called).
    pub(crate) fn create_beside(target: &Path, ext: &str) -> Result<TempFile> {
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let swept = sweep_stale(dir);
        for _ in 0..100 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(".{name}.{}-{n}.tmp.{ext}", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(_) => {
                    live().push(path.clone());
                    return Ok(TempFile {
                        path,
                        armed: true,
                        swept,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(Error::Io {
                        path: dir.to_path_buf(),
                        source: io::Error::new(
                            e.kind(),
                            format!("cannot create the output here: {e}"),
                        ),
                    });
                }
            }
        }
        Err(Error::io(
            dir,
            io::Error::other("cannot find a free temporary name"),
        ))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Move the file to `target`. Without `force`, fails if `target` appeared
    /// meanwhile (hard link + unlink, so no window where it is clobbered).
    pub(crate) fn persist(mut self, target: &Path, force: bool) -> Result<()> {
        if force {
            fs::rename(&self.path, target).map_err(|e| Error::io(target, e))?;
        } else {
            match fs::hard_link(&self.path, target) {
                Ok(()) => {
                    let _ = fs::remove_file(&self.path);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    return Err(Usage::OutputExists(target.to_path_buf()).into());
                }
                // File systems without hard links: check, then rename.
                Err(_) => {
                    if target.exists() {
                        return Err(Usage::OutputExists(target.to_path_buf()).into());
                    }
                    fs::rename(&self.path, target).map_err(|e| Error::io(target, e))?;
                }
            }
        }
        self.armed = false;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            let _ = fs::remove_file(&self.path);
        }
        live().retain(|p| p != &self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("voxprep-out-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn refuses_the_input_however_spelled() {
        let d = tmpdir("same");
        let a = d.join("a.wav");
        fs::write(&a, b"x").unwrap();
        let spelled = d.join(".").join("sub").join("..").join("a.wav");
        fs::create_dir_all(d.join("sub")).unwrap();
        assert!(matches!(
            check_output_path(&a, &spelled, OutputFormat::Wav, true),
            Err(Error::Usage(_))
        ));
        let link = d.join("b.wav");
        fs::hard_link(&a, &link).unwrap();
        assert!(matches!(
            check_output_path(&a, &link, OutputFormat::Wav, true),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            check_output_path(&a, &d.join("c.wav"), OutputFormat::Wav, false),
            Ok(())
        ));
        assert!(matches!(
            check_output_path(&d.join("c.wav"), &a, OutputFormat::Wav, false),
            Err(Error::Usage(_))
        ));
        assert!(check_output_path(&d.join("c.wav"), &a, OutputFormat::Wav, true).is_ok());
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn temp_file_is_removed_unless_persisted() {
        let d = tmpdir("tmp");
        let target = d.join("out.wav");
        let t = TempFile::create_beside(&target, "wav").unwrap();
        let p = t.path().to_path_buf();
        assert!(p.exists());
        drop(t);
        assert!(!p.exists());
        let t = TempFile::create_beside(&target, "wav").unwrap();
        t.persist(&target, false).unwrap();
        assert!(target.exists());
        let t = TempFile::create_beside(&target, "wav").unwrap();
        assert!(matches!(t.persist(&target, false), Err(Error::Usage(_))));
        assert_eq!(fs::read_dir(&d).unwrap().count(), 1);
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn temporary_names_are_told_apart() {
        assert_eq!(temp_file_pid(".out.wav.4242-0.tmp.wav"), Some(4242));
        assert_eq!(temp_file_pid(".a.b.c.vox.7-12.tmp.vox"), Some(7));
        for other in [
            "out.wav",
            ".out.wav.tmp.wav",
            ".out.wav.42.tmp.wav",
            ".out.wav.x-1.tmp.wav",
            ".out.wav.42-.tmp.wav",
            "..42-1.tmp.wav",
            "out.wav.42-1.tmp.wav",
            ".out.wav.42-1.tmp.mp3",
        ] {
            assert_eq!(temp_file_pid(other), None, "{other}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn stale_temporary_files_of_dead_processes_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let old = std::time::SystemTime::now() - 2 * STALE_AFTER;
        let make = |name: &str, mtime: std::time::SystemTime| {
            let p = dir.path().join(name);
            fs::write(&p, b"x").unwrap();
            fs::File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_modified(mtime)
                .unwrap();
            p
        };
        // pid_max is at most 2^22 on Linux: this process cannot exist.
        let dead = make(".a.wav.4999999-0.tmp.wav", old);
        let fresh = make(".b.wav.4999999-1.tmp.wav", std::time::SystemTime::now());
        let alive = make(&format!(".c.wav.{}-0.tmp.wav", 1), old);
        let other = make("keep.wav", old);
        assert_eq!(sweep_stale(dir.path()), 1);
        assert!(!dead.exists() && fresh.exists() && alive.exists() && other.exists());
        // Once per folder per process.
        let again = make(".d.wav.4999999-2.tmp.wav", old);
        assert_eq!(sweep_stale(dir.path()), 0);
        assert!(again.exists());
    }
}
