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

/// How many symbolic links [`resolve_output`] follows before it calls it a
/// loop (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Where writing `output` really writes: `output` itself, or, when it is a
/// symbolic link, the file the chain of links ends at (which may not exist
/// yet). The temporary file goes beside that file and is renamed onto it,
/// so the link stays a link and its target gets the new contents.
///
/// # Errors
/// [`Error::Io`] naming `output` for a loop of links or an unreadable link.
pub(crate) fn resolve_output(output: &Path) -> Result<PathBuf> {
    let mut p = output.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p).map_err(|e| Error::io(output, e))?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(Error::io(
        output,
        io::Error::other(format!("more than {MAX_LINKS} symbolic links: a loop")),
    ))
}

/// What a path that is not a regular file is, in words, or `None` for a
/// regular file (or nothing there).
fn not_a_file(meta: &fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
        if t.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some(if t.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    })
}

/// Whether `output` may be written (with `force` or without), and where:
/// the path [`resolve_output`] gives. What is there already must be a
/// regular file, replaced only with `force`; a folder, a device, a FIFO or
/// a socket is refused either way (renaming over a device node would
/// replace the node itself). Errors name `output` as the caller spelled it.
///
/// # Errors
/// [`Usage::OutputIsFolder`], [`Usage::OutputNotAFile`],
/// [`Usage::OutputExists`]; [`Error::Io`] for a loop of links.
pub(crate) fn writable_target(output: &Path, force: bool) -> Result<PathBuf> {
    let target = resolve_output(output)?;
    match fs::symlink_metadata(&target) {
        Ok(m) if m.is_dir() => Err(Usage::OutputIsFolder(output.to_path_buf()).into()),
        Ok(m) => match not_a_file(&m) {
            Some(kind) => Err(Usage::OutputNotAFile {
                output: output.to_path_buf(),
                kind,
            }
            .into()),
            None if !force => Err(Usage::OutputExists(output.to_path_buf()).into()),
            None => Ok(target),
        },
        Err(_) => Ok(target),
    }
}

/// Refuse an output that is the input (however spelled, through links
/// too), that is named as another format than `format`, that exists
/// (unless `force`), or that is not a regular file ([`writable_target`]).
/// Returns where the output will really be written.
///
/// # Errors
/// [`Error::Usage`] naming the output.
pub(crate) fn check_output_path(
    input: &Path,
    output: &Path,
    format: OutputFormat,
    force: bool,
) -> Result<PathBuf> {
    if let Some(e) = name_contradicts(output, format) {
        return Err(e.into());
    }
    let target = resolve_output(output)?;
    let is_input = same_file(input, &target)
        || matches!((canonical_target(input), canonical_target(&target)), (Some(a), Some(b)) if a == b);
    if is_input {
        return Err(Usage::OutputIsInput(output.to_path_buf()).into());
    }
    writable_target(output, force)
}

/// `e` with the temporary file `tmp` it names replaced by the output the
/// user asked for: a full disk is reported on `out.wav`, not on
/// `.out.wav.1234-0.tmp.wav`.
pub(crate) fn on_output(e: Error, tmp: &Path, output: &Path) -> Error {
    match e {
        Error::Io { path, source } if path == tmp => Error::Io {
            path: output.to_path_buf(),
            source,
        },
        Error::WithPath { path, source } if path == tmp => Error::WithPath {
            path: output.to_path_buf(),
            source,
        },
        Error::Usage(Usage::OutputExists(path)) if path == tmp => {
            Usage::OutputExists(output.to_path_buf()).into()
        }
        Error::Usage(Usage::OutputNotAFile { output: path, kind }) if path == tmp => {
            Usage::OutputNotAFile {
                output: output.to_path_buf(),
                kind,
            }
            .into()
        }
        other => other,
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
/// ran): names `.<name>.<pid>-<n>.tmp.<ext>` whose process is gone (no
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
/// (`.<name>.<pid>-<n>.tmp.<ext>`, where `<ext>` is the name's own
/// extension, or `out` for a name without a simple one: what `convert`
/// and `check -o` write), `None` for any other name.
fn temp_file_pid(name: &str) -> Option<u32> {
    let (stem, ext) = name.rsplit_once(".tmp.")?;
    let (target, tag) = stem.strip_prefix('.')?.rsplit_once('.')?;
    let (pid, n) = tag.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let own_ext = Path::new(target).extension().and_then(|e| e.to_str());
    let ext_fits = !ext.is_empty()
        && ext.bytes().all(|b| b.is_ascii_alphanumeric())
        && (own_ext == Some(ext) || ext == "out");
    if target.is_empty() || !digits(pid) || !digits(n) || !ext_fits {
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
        // Something that is not a regular file may have appeared since the
        // request was checked: never rename over it.
        if let Ok(m) = fs::symlink_metadata(target)
            && let Some(kind) = not_a_file(&m)
        {
            return Err(Usage::OutputNotAFile {
                output: target.to_path_buf(),
                kind,
            }
            .into());
        }
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
    #[cfg(unix)]
    use std::os::unix::fs::FileTypeExt;

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
        assert!(check_output_path(&a, &d.join("c.wav"), OutputFormat::Wav, false).is_ok());
        assert!(matches!(
            check_output_path(&d.join("c.wav"), &a, OutputFormat::Wav, false),
            Err(Error::Usage(_))
        ));
        assert!(check_output_path(&d.join("c.wav"), &a, OutputFormat::Wav, true).is_ok());
        let _ = fs::remove_dir_all(&d);
    }

    /// A symbolic link to the input is the input too.
    #[cfg(unix)]
    #[test]
    fn refuses_a_link_to_the_input() {
        let d = tmpdir("link-input");
        let a = d.join("a.wav");
        fs::write(&a, b"x").unwrap();
        let link = d.join("link.wav");
        std::os::unix::fs::symlink("a.wav", &link).unwrap();
        let e = check_output_path(&a, &link, OutputFormat::Wav, true).unwrap_err();
        assert!(
            matches!(e.usage(), Some(Usage::OutputIsInput(p)) if *p == link),
            "{e}"
        );
        let _ = fs::remove_dir_all(&d);
    }

    /// Devices, FIFOs, sockets and folders are refused with `force` or
    /// without, directly and through a link, and the error names the path
    /// as given.
    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_replaced() {
        let d = tmpdir("special");
        let fifo = d.join("fifo.wav");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let sock = d.join("sock.wav");
        let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let dir = d.join("dir.wav");
        fs::create_dir(&dir).unwrap();
        let mut special = vec![(fifo.clone(), "a named pipe (FIFO)"), (sock, "a socket")];
        // A character device like /dev/full (1, 7) needs root to make.
        let dev = d.join("full.wav");
        let root = std::process::Command::new("mknod")
            .arg(&dev)
            .args(["c", "1", "7"])
            .status()
            .is_ok_and(|s| s.success());
        if root {
            special.push((dev, "a character device"));
        } else {
            eprintln!("SKIPPING the device case: mknod needs root");
        }
        let link = d.join("link.wav");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        special.push((link, "a named pipe (FIFO)"));
        for (path, kind) in &special {
            for force in [false, true] {
                let e = writable_target(path, force).unwrap_err();
                assert!(
                    matches!(e.usage(), Some(Usage::OutputNotAFile { output, kind: k }) if output == path && k == kind),
                    "{}: {e}",
                    path.display()
                );
            }
        }
        for force in [false, true] {
            let e = writable_target(&dir, force).unwrap_err();
            assert!(matches!(e.usage(), Some(Usage::OutputIsFolder(_))), "{e}");
        }
        // The last moment: a FIFO that appears after the check is not
        // renamed over either.
        let tmp = TempFile::create_beside(&fifo, "wav").unwrap();
        let e = tmp.persist(&fifo, true).unwrap_err();
        assert!(
            matches!(e.usage(), Some(Usage::OutputNotAFile { .. })),
            "{e}"
        );
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        let _ = fs::remove_dir_all(&d);
    }

    /// A link is followed to the file it names: that file is what exists
    /// (or not) and what is replaced, and the link stays a link.
    #[cfg(unix)]
    #[test]
    fn links_are_followed_to_their_file() {
        use std::os::unix::fs::symlink;
        let d = tmpdir("links");
        let real = d.join("real.wav");
        fs::write(&real, b"old").unwrap();
        let link = d.join("link.wav");
        symlink("real.wav", &link).unwrap();
        let e = writable_target(&link, false).unwrap_err();
        assert!(
            matches!(e.usage(), Some(Usage::OutputExists(p)) if *p == link),
            "{e}"
        );
        assert_eq!(writable_target(&link, true).unwrap(), d.join("real.wav"));
        let tmp = TempFile::create_beside(&real, "wav").unwrap();
        fs::write(tmp.path(), b"new").unwrap();
        tmp.persist(&real, true).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&link).unwrap(), b"new");
        // Dangling: the file it would name is written.
        let dangling = d.join("dangling.wav");
        symlink("made.wav", &dangling).unwrap();
        assert_eq!(
            writable_target(&dangling, false).unwrap(),
            d.join("made.wav")
        );
        // A loop is an error naming the output.
        symlink("loop-b.wav", d.join("loop-a.wav")).unwrap();
        symlink("loop-a.wav", d.join("loop-b.wav")).unwrap();
        let e = writable_target(&d.join("loop-a.wav"), true).unwrap_err();
        assert!(
            e.to_string().contains("loop-a.wav") && e.to_string().contains("loop"),
            "{e}"
        );
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn errors_on_the_temporary_file_name_the_output() {
        let tmp = Path::new("/x/.out.wav.1-0.tmp.wav");
        let out = Path::new("/x/out.wav");
        let e = on_output(
            Error::io(tmp, io::Error::from(io::ErrorKind::StorageFull)),
            tmp,
            out,
        );
        assert!(matches!(&e, Error::Io { path, .. } if path == out), "{e:?}");
        let other = on_output(Error::io("/y", io::Error::other("x")), tmp, out);
        assert!(matches!(&other, Error::Io { path, .. } if path == Path::new("/y")));
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
        // check -o: the report's own extension, or `out`.
        assert_eq!(temp_file_pid(".report.html.42-1.tmp.html"), Some(42));
        assert_eq!(temp_file_pid(".notes.42-1.tmp.out"), Some(42));
        for other in [
            "out.wav",
            ".out.wav.tmp.wav",
            ".out.wav.42.tmp.wav",
            ".out.wav.x-1.tmp.wav",
            ".out.wav.42-.tmp.wav",
            "..42-1.tmp.wav",
            "out.wav.42-1.tmp.wav",
            ".out.wav.42-1.tmp.mp3",
            ".report.html.42-1.tmp.wav",
            ".report.html.42-1.tmp.",
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
