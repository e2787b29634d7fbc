//! Writing outputs safely: never onto an input, never over an existing file
//! without `force`, always through a temporary file beside the target that
//! is removed on every error path.

use super::OutputFormat;
use crate::check::{VoxFindings, VoxStream};
use crate::error::{Error, Result, Usage};
use crate::vox::{self, EncoderKind};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::thread;

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

/// Where the 16-bit samples go.
pub(crate) struct Sink {
    path: PathBuf,
    kind: SinkKind,
}

enum SinkKind {
    /// Taken by `finish`.
    Wav(Option<hound::WavWriter<BufWriter<File>>>),
    /// VOX. Once a whole block has come, the encoder moves to a thread of
    /// its own (and the check's analysis of the bytes to a third), so that
    /// decoding the input (the caller's thread), encoding and analysing
    /// overlap; a shorter output is encoded in `finish`, without threads.
    Vox {
        /// Samples gathered until `block` are there.
        pending: Vec<i16>,
        /// Samples handed to the encoder at once ([`vox::Encoder::block_hint`]).
        block: usize,
        /// The encoder, the file and the analysis, until the threads start.
        idle: Option<Box<Idle>>,
        threads: Option<VoxThreads>,
    },
}

/// What a VOX sink's threads take when they start.
type Idle = (vox::Encoder, BufWriter<File>, Option<VoxStream>);

/// The threads of a VOX sink.
struct VoxThreads {
    /// Blocks to the encoder; one waits at most. With the block being
    /// filled, the one being encoded and one spare, a sink holds at most
    /// four blocks (2 MB for one path on two cores; a split search's block
    /// is one segment per thread, so more on larger machines).
    blocks: Option<mpsc::SyncSender<Vec<i16>>>,
    /// An emptied block coming back, to be filled again.
    spare: mpsc::Receiver<Vec<i16>>,
    /// Joined by `finish`, or on drop (an error path), so that no thread
    /// still writes the temporary file when it is removed.
    encoder: Option<thread::JoinHandle<io::Result<()>>>,
    /// The check's analysis of the bytes written.
    analysis: Option<thread::JoinHandle<VoxFindings>>,
}

impl VoxThreads {
    fn start(path: &Path, idle: Box<Idle>) -> Result<VoxThreads> {
        let (enc, file, analyse) = *idle;
        let (blocks, to_encode) = mpsc::sync_channel(1);
        let (back, spare) = mpsc::sync_channel(1);
        let (written, analysis) = match analyse {
            Some(mut stream) => {
                let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(4);
                let analysis = thread::Builder::new()
                    .name("voxprep-check".into())
                    .spawn(move || {
                        for bytes in rx {
                            stream.feed(&bytes);
                        }
                        stream.finish()
                    })
                    .map_err(|e| Error::io(path, e))?;
                (Some(tx), Some(analysis))
            }
            None => (None, None),
        };
        let encoder = thread::Builder::new()
            .name("voxprep-encode".into())
            .spawn(move || encode_blocks(enc, file, to_encode, back, written))
            .map_err(|e| Error::io(path, e))?;
        Ok(VoxThreads {
            blocks: Some(blocks),
            spare,
            encoder: Some(encoder),
            analysis,
        })
    }

    /// The encoder's error, once it stopped taking blocks.
    fn stopped(&mut self) -> io::Error {
        drop(self.blocks.take());
        match self.encoder.take().map(|e| e.join()) {
            Some(Ok(Err(e))) => e,
            _ => io::Error::other("vox encoder stopped"),
        }
    }
}

impl Drop for VoxThreads {
    fn drop(&mut self) {
        drop(self.blocks.take());
        if let Some(encoder) = self.encoder.take() {
            let _ = encoder.join();
        }
        if let Some(analysis) = self.analysis.take() {
            let _ = analysis.join();
        }
    }
}

/// What [`Sink::finish`] found in the written VOX bytes, if asked to.
pub(crate) type Analysed = Option<VoxFindings>;

/// The VOX encoder's thread: encode each block as it arrives and write its
/// bytes (and hand them to the analysis, if any); when the sender hangs up,
/// end the stream, flush and sync.
fn encode_blocks(
    mut enc: vox::Encoder,
    mut file: BufWriter<File>,
    blocks: mpsc::Receiver<Vec<i16>>,
    spare: mpsc::SyncSender<Vec<i16>>,
    written: Option<mpsc::SyncSender<Vec<u8>>>,
) -> io::Result<()> {
    let mut out = |bytes: Vec<u8>| -> io::Result<()> {
        file.write_all(&bytes)?;
        if let Some(w) = &written {
            // The analysis ends only with the sink; it cannot hang up first.
            let _ = w.send(bytes);
        }
        Ok(())
    };
    for mut block in blocks {
        let mut buf = Vec::with_capacity(block.len() / 2 + 1);
        enc.encode(&block, &mut buf);
        out(buf)?;
        block.clear();
        // The sink may have finished and stopped taking blocks back.
        let _ = spare.try_send(block);
    }
    let mut buf = Vec::new();
    enc.finish(&mut buf);
    out(buf)?;
    drop(written);
    file.into_inner().map_err(|e| e.into_error())?.sync_all()
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

    /// A sink writing `path`. For VOX, `analyse` (the check's analysis)
    /// is fed every byte written, on a thread of its own; [`Sink::finish`]
    /// returns what it found.
    pub(crate) fn create(
        path: &Path,
        format: OutputFormat,
        rate: u32,
        kind: EncoderKind,
        analyse: Option<VoxStream>,
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
                SinkKind::Wav(Some(
                    hound::WavWriter::new(file, spec).map_err(|e| Sink::hound_err(path, e))?,
                ))
            }
            OutputFormat::Vox => {
                let enc = vox::Encoder::new(kind);
                let block = enc.block_hint();
                SinkKind::Vox {
                    pending: Vec::new(),
                    block,
                    idle: Some(Box::new((enc, file, analyse))),
                    threads: None,
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
            SinkKind::Wav(None) => Err(io::Error::other("wav writer already finished")),
            SinkKind::Wav(Some(w)) => {
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
                pending,
                block,
                idle,
                threads,
            } => {
                pending.extend_from_slice(samples);
                if pending.len() < *block {
                    return Ok(());
                }
                let threads = match (threads.as_mut(), idle.take()) {
                    (Some(t), _) => t,
                    (None, Some(idle)) => threads.insert(VoxThreads::start(&self.path, idle)?),
                    (None, None) => return Err(self.err(io::Error::other("vox sink finished"))),
                };
                let next = threads
                    .spare
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(*block));
                let full = std::mem::replace(pending, next);
                match threads.blocks.as_ref().map(|b| b.send(full)) {
                    Some(Ok(())) => Ok(()),
                    _ => Err(threads.stopped()),
                }
            }
        };
        r.map_err(|e| self.err(e))
    }

    pub(crate) fn finish(mut self) -> Result<Analysed> {
        let path = self.path.clone();
        let panicked = |what: &str| Error::io(&path, io::Error::other(format!("{what} panicked")));
        match &mut self.kind {
            SinkKind::Wav(w) => match w.take() {
                Some(w) => w
                    .finalize()
                    .map_err(|e| Sink::hound_err(&path, e))
                    .map(|()| None),
                None => Ok(None),
            },
            SinkKind::Vox {
                pending,
                idle,
                threads,
                ..
            } => {
                let Some(mut t) = threads.take() else {
                    // Shorter than a block: encoded here, and the check
                    // reads the file.
                    let Some(idle) = idle.take() else {
                        return Ok(None);
                    };
                    let (mut enc, mut file, _) = *idle;
                    let mut buf = Vec::new();
                    enc.encode(pending, &mut buf);
                    enc.finish(&mut buf);
                    let written = file
                        .write_all(&buf)
                        .and_then(|()| file.into_inner().map_err(|e| e.into_error()))
                        .and_then(|f| f.sync_all());
                    return written.map(|()| None).map_err(|e| Error::io(&path, e));
                };
                // A failed send means the encoder already stopped; joining
                // it says why.
                if let Some(blocks) = t.blocks.take() {
                    let _ = blocks.send(std::mem::take(pending));
                }
                match t.encoder.take().map(|e| e.join()) {
                    Some(Ok(written)) => written.map_err(|e| Error::io(&path, e))?,
                    Some(Err(_)) => return Err(panicked("vox encoder thread")),
                    None => return Err(Error::io(&path, io::Error::other("vox encoder stopped"))),
                }
                match t.analysis.take().map(|a| a.join()) {
                    None => Ok(None),
                    Some(Ok(found)) => Ok(Some(found)),
                    Some(Err(_)) => Err(panicked("vox check thread")),
                }
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
            let opts = crate::check::CheckOptions::default();
            let analyse = Some(VoxStream::new(&opts));
            let mut sink = Sink::create(&path, OutputFormat::Vox, 8000, kind, analyse).unwrap();
            let mut rest = &x[..];
            let mut k = 0usize;
            while !rest.is_empty() {
                k += 1;
                let take = rest.len().min(1 + (k * 7919) % 5000);
                sink.write(&rest[..take]).unwrap();
                rest = &rest[take..];
            }
            let (stats, codec) = sink.finish().unwrap().expect("asked for the analysis");
            assert_eq!(fs::read(&path).unwrap(), vox::encode(&x, kind), "{kind}");
            // The analysis of the bytes as written is the check's of the file.
            let checked = crate::check::check_path(&path, &opts);
            assert_eq!(
                format!("{:?}", checked.signal),
                format!("{:?}", Some(stats))
            );
            let codes = |p: &[crate::spec::Problem]| p.iter().map(|p| p.code).collect::<Vec<_>>();
            for p in &crate::spec::vox_stream_problems(&codec) {
                assert!(codes(&checked.problems).contains(&p.code), "{kind}: {p:?}");
            }
        }
        let _ = fs::remove_dir_all(&d);
    }

    /// A write error on the encoder's thread reaches the caller with the
    /// file's name and the system's reason (`/dev/full` fails every write).
    #[cfg(target_os = "linux")]
    #[test]
    fn encoder_thread_errors_reach_the_caller() {
        let path = Path::new("/dev/full");
        let kind = EncoderKind::Greedy;
        let mut sink = Sink::create(path, OutputFormat::Vox, 8000, kind, None).unwrap();
        let x = vec![1000i16; 1 << 20];
        let mut failed = None;
        for chunk in x.chunks(4096) {
            if let Err(e) = sink.write(chunk) {
                failed = Some(e);
                break;
            }
        }
        let err = match failed {
            Some(e) => e,
            None => sink.finish().expect_err("writing /dev/full fails"),
        };
        let text = err.to_string();
        assert!(text.contains("/dev/full"), "{text}");
        assert!(text.to_lowercase().contains("space"), "{text}");
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
            File::options()
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
