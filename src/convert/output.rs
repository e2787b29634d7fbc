//! Writing outputs safely: never onto an input, never over an existing file
//! without `force`, always through a temporary file beside the target that
//! is removed on every error path.

use super::OutputFormat;
use crate::error::{Error, Result};
use crate::vox::{self, EncoderKind};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Whether `a` and `b` are the same file (same device and inode on Unix,
/// same canonical path elsewhere). `false` if either does not exist.
pub fn same_file(a: &Path, b: &Path) -> bool {
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

/// Refuse an output that is the input (however spelled) or that exists
/// (unless `force`), or that is a folder.
///
/// # Errors
/// [`Error::Usage`] naming the output.
pub fn check_output_path(input: &Path, output: &Path, force: bool) -> Result<()> {
    let is_input = same_file(input, output)
        || matches!((canonical_target(input), canonical_target(output)), (Some(a), Some(b)) if a == b);
    if is_input {
        return Err(Error::Usage(format!(
            "convert: output {} is the input file; refusing to overwrite an input",
            output.display()
        )));
    }
    match fs::symlink_metadata(output) {
        Ok(m) if m.is_dir() => Err(Error::Usage(format!(
            "convert: output {} is a folder; give a file name",
            output.display()
        ))),
        Ok(_) if !force => Err(Error::Usage(format!(
            "convert: output {} exists; use --force to replace it",
            output.display()
        ))),
        _ => Ok(()),
    }
}

/// A temporary file beside the target, removed on drop unless persisted.
#[derive(Debug)]
pub(crate) struct TempFile {
    path: PathBuf,
    armed: bool,
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
        for _ in 0..100 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(".{name}.{}-{n}.tmp.{ext}", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(_) => {
                    live().push(path.clone());
                    return Ok(TempFile { path, armed: true });
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
                    return Err(Error::Usage(format!(
                        "convert: output {} exists; use --force to replace it",
                        target.display()
                    )));
                }
                // File systems without hard links: check, then rename.
                Err(_) => {
                    if target.exists() {
                        return Err(Error::Usage(format!(
                            "convert: output {} exists; use --force to replace it",
                            target.display()
                        )));
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

/// Where the 16-bit samples go.
pub(crate) struct Sink {
    path: PathBuf,
    kind: SinkKind,
}

enum SinkKind {
    Wav(hound::WavWriter<BufWriter<File>>),
    Vox {
        enc: vox::Encoder,
        /// Samples gathered until `block` are there.
        pending: Vec<i16>,
        /// Samples handed to the encoder at once ([`vox::Encoder::block_hint`]).
        block: usize,
        buf: Vec<u8>,
        file: BufWriter<File>,
    },
}

impl Sink {
    fn err(&self, e: io::Error) -> Error {
        Error::io(&self.path, e)
    }

    fn hound_err(path: &Path, e: hound::Error) -> Error {
        match e {
            hound::Error::IoError(e) => Error::io(path, e),
            e => Error::Malformed(format!("wav writer: {e}")).with_path(path),
        }
    }

    pub(crate) fn create(
        path: &Path,
        format: OutputFormat,
        rate: u32,
        kind: EncoderKind,
    ) -> Result<Sink> {
        let file = OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        let file = BufWriter::with_capacity(64 * 1024, file);
        let kind = match format {
            OutputFormat::Wav => {
                let spec = hound::WavSpec {
                    channels: 1,
                    sample_rate: rate,
                    bits_per_sample: 16,
                    sample_format: hound::SampleFormat::Int,
                };
                SinkKind::Wav(
                    hound::WavWriter::new(file, spec).map_err(|e| Sink::hound_err(path, e))?,
                )
            }
            OutputFormat::Vox => {
                let enc = vox::Encoder::new(kind);
                SinkKind::Vox {
                    block: enc.block_hint(),
                    enc,
                    pending: Vec::new(),
                    buf: Vec::new(),
                    file,
                }
            }
        };
        Ok(Sink {
            path: path.to_path_buf(),
            kind,
        })
    }

    pub(crate) fn write(&mut self, samples: &[i16]) -> Result<()> {
        let r = match &mut self.kind {
            SinkKind::Wav(w) => {
                // hound's data length is a u32 of bytes: 2^31 samples at most.
                if u64::from(w.len()) + samples.len() as u64 > u64::from(u32::MAX / 2 - 64) {
                    return Err(Error::Limit("wav writer: output larger than 4 GiB".into()));
                }
                let mut iw = w.get_i16_writer(samples.len() as u32);
                for &s in samples {
                    iw.write_sample(s);
                }
                return iw.flush().map_err(|e| Sink::hound_err(&self.path, e));
            }
            SinkKind::Vox {
                enc,
                pending,
                block,
                buf,
                file,
            } => {
                pending.extend_from_slice(samples);
                if pending.len() < *block {
                    return Ok(());
                }
                buf.clear();
                enc.encode(pending, buf);
                pending.clear();
                file.write_all(buf)
            }
        };
        r.map_err(|e| self.err(e))
    }

    pub(crate) fn finish(self) -> Result<()> {
        let path = self.path;
        match self.kind {
            SinkKind::Wav(w) => w.finalize().map_err(|e| Sink::hound_err(&path, e)),
            SinkKind::Vox {
                mut enc,
                pending,
                mut buf,
                mut file,
                ..
            } => {
                buf.clear();
                enc.encode(&pending, &mut buf);
                enc.finish(&mut buf);
                file.write_all(&buf).map_err(|e| Error::io(&path, e))?;
                let f = file
                    .into_inner()
                    .map_err(|e| Error::io(&path, e.into_error()))?;
                f.sync_all().map_err(|e| Error::io(&path, e))
            }
        }
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

    #[test]
    fn vox_sink_bytes_do_not_depend_on_how_samples_arrive() {
        // Over two encode blocks, in pieces of odd and uneven sizes: the
        // file is what one call on the whole input writes.
        let kinds = [
            EncoderKind::Greedy,
            EncoderKind::Universal { paths: 2 },
            EncoderKind::Universal { paths: 4 },
        ];
        let block = kinds
            .iter()
            .map(|&k| vox::Encoder::new(k).block_hint())
            .max()
            .unwrap();
        let n = 2 * block + 12_345;
        let x: Vec<i16> = (0..n)
            .map(|i| {
                let t = i as f64 / 8000.0;
                ((t * 440.0 * std::f64::consts::TAU).sin() * (t * 0.7).sin() * 20000.0) as i16
            })
            .collect();
        let d = tmpdir("sink");
        for kind in kinds {
            let path = d.join("out.vox");
            fs::write(&path, b"").unwrap(); // `TempFile` creates it in use
            let mut sink = Sink::create(&path, OutputFormat::Vox, 8000, kind).unwrap();
            let mut rest = &x[..];
            let mut k = 0usize;
            while !rest.is_empty() {
                k += 1;
                let take = rest.len().min(1 + (k * 7919) % 5000);
                sink.write(&rest[..take]).unwrap();
                rest = &rest[take..];
            }
            sink.finish().unwrap();
            assert_eq!(fs::read(&path).unwrap(), vox::encode(&x, kind), "{kind}");
        }
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn refuses_the_input_however_spelled() {
        let d = tmpdir("same");
        let a = d.join("a.wav");
        fs::write(&a, b"x").unwrap();
        let spelled = d.join(".").join("sub").join("..").join("a.wav");
        fs::create_dir_all(d.join("sub")).unwrap();
        assert!(matches!(
            check_output_path(&a, &spelled, true),
            Err(Error::Usage(_))
        ));
        let link = d.join("b.wav");
        fs::hard_link(&a, &link).unwrap();
        assert!(matches!(
            check_output_path(&a, &link, true),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            check_output_path(&a, &d.join("c.wav"), false),
            Ok(())
        ));
        assert!(matches!(
            check_output_path(&d.join("c.wav"), &a, false),
            Err(Error::Usage(_))
        ));
        assert!(check_output_path(&d.join("c.wav"), &a, true).is_ok());
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
}
