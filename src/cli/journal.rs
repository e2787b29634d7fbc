//! `voxprep receive --out FILE`: an append-only file of whole lines, each
//! synced to the disk before its push is answered.
//!
//! - Whole lines: the text of one push is written under a lock with one
//!   `write_all`; when that fails part-way (a full disk), the file is cut
//!   back to the end of the last whole line, so a line is never left half
//!   written for the next one to be glued to. A file that already ends in
//!   a partial line (a crash or a power loss in the middle of a write) is
//!   cut back the same way when it is opened.
//! - Synced: `fdatasync` before the answer, so an answered push survives a
//!   power loss, not just a killed process. Pushes handled at the same time
//!   share one sync (group commit): whoever finds no sync running starts
//!   one for everything written so far; the others wait for it.
//!
//! Files that are not regular (a FIFO, `/dev/stdout`) are written and
//! flushed only: they cannot be cut back or synced.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Condvar, Mutex, MutexGuard};

/// An open output file of lines.
pub struct Journal {
    writer: Mutex<Writer>,
    /// A second descriptor of the same file, synced without the writer's lock.
    sync_file: Option<File>,
    synced: Mutex<Synced>,
    wake: Condvar,
}

struct Writer {
    file: File,
    /// The end of the last whole line.
    len: u64,
    /// Texts written so far.
    written: u64,
    regular: bool,
}

#[derive(Default)]
struct Synced {
    /// Texts written and known synced.
    upto: u64,
    /// A sync is running.
    busy: bool,
    /// A sync failed: what is on the disk is unknown from here on.
    failed: Option<(io::ErrorKind, String)>,
}

/// What [`Journal::open`] cut off the end of an existing file.
#[derive(Debug, PartialEq, Eq)]
pub struct Repaired {
    /// Bytes of the partial last line, dropped.
    pub dropped: u64,
    /// The length kept: whole lines.
    pub kept: u64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Journal {
    /// Open `path` for appending (created readable by its owner only: the
    /// lines hold phone numbers), cutting a partial last line off.
    ///
    /// # Errors
    /// When the file cannot be opened, read, cut or synced.
    pub fn open(path: &Path) -> io::Result<(Journal, Option<Repaired>)> {
        let mut open = OpenOptions::new();
        open.read(true).append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let existed = path.exists();
        let mut file = open.open(path)?;
        let regular = file.metadata()?.is_file();
        let (len, repaired) = if regular {
            repair(&mut file)?
        } else {
            (0, None)
        };
        if regular && !existed {
            // A new file's name is durable once its folder is synced.
            sync_parent(path);
        }
        let sync_file = if regular {
            Some(file.try_clone()?)
        } else {
            None
        };
        let journal = Journal {
            writer: Mutex::new(Writer {
                file,
                len,
                written: 0,
                regular,
            }),
            sync_file,
            synced: Mutex::new(Synced::default()),
            wake: Condvar::new(),
        };
        Ok((journal, repaired))
    }

    /// Append `text` (whole lines) and return once it is on the disk.
    ///
    /// # Errors
    /// When the write fails (the file is then cut back to its last whole
    /// line) or a sync fails (then every later call fails too).
    pub fn append(&self, text: &[u8]) -> io::Result<()> {
        let seq = {
            let mut w = lock(&self.writer);
            if let Err(e) = w.file.write_all(text).and_then(|()| w.file.flush()) {
                if w.regular {
                    let len = w.len;
                    if let Err(cut) = w.file.set_len(len) {
                        return Err(io::Error::new(
                            e.kind(),
                            format!("{e}; and cutting the partial line off failed: {cut}"),
                        ));
                    }
                }
                return Err(e);
            }
            w.len += text.len() as u64;
            w.written += 1;
            w.written
        };
        match &self.sync_file {
            Some(file) => self.sync_upto(file, seq),
            None => Ok(()),
        }
    }

    /// Wait until text number `seq` is synced, syncing when no one else is.
    fn sync_upto(&self, file: &File, seq: u64) -> io::Result<()> {
        let mut s = lock(&self.synced);
        loop {
            if let Some((kind, text)) = &s.failed {
                return Err(io::Error::new(*kind, text.clone()));
            }
            if s.upto >= seq {
                return Ok(());
            }
            if s.busy {
                s = self.wake.wait(s).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            s.busy = true;
            drop(s);
            // Everything written before this point is covered by the sync.
            let target = lock(&self.writer).written;
            let outcome = file.sync_data();
            s = lock(&self.synced);
            s.busy = false;
            match outcome {
                Ok(()) => s.upto = s.upto.max(target),
                Err(e) => s.failed = Some((e.kind(), format!("syncing to the disk: {e}"))),
            }
            self.wake.notify_all();
        }
    }
}

/// The length of `file` up to its last line end, cut to it if needed.
fn repair(file: &mut File) -> io::Result<(u64, Option<Repaired>)> {
    let len = file.metadata()?.len();
    let mut end = len;
    let mut block = vec![0u8; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(block.len() as u64);
        let part = &mut block[..usize::try_from(end - start).unwrap_or(0)];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(part)?;
        if let Some(at) = part.iter().rposition(|&b| b == b'\n') {
            end = start + at as u64 + 1;
            break;
        }
        end = start;
    }
    if end == len {
        return Ok((len, None));
    }
    file.set_len(end)?;
    file.sync_all()?;
    Ok((
        end,
        Some(Repaired {
            dropped: len - end,
            kept: end,
        }),
    ))
}

fn sync_parent(path: &Path) {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Ok(dir) = File::open(parent) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn appends_whole_lines_from_many_threads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.log");
        let (journal, repaired) = Journal::open(&path).unwrap();
        assert_eq!(repaired, None);
        let journal = Arc::new(journal);
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let j = Arc::clone(&journal);
                std::thread::spawn(move || {
                    for i in 0..50 {
                        j.append(format!("t{t} line {i}\nsecond {i}\n").as_bytes())
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 800);
        // Each text's two lines stay together.
        let lines: Vec<&str> = text.lines().collect();
        for pair in lines.chunks(2) {
            assert!(
                pair[0].starts_with('t') && pair[1].starts_with("second"),
                "{pair:?}"
            );
        }
    }

    /// Issue 18: a crash in the middle of a write left a partial line, and
    /// the next push after a restart was glued to it.
    #[test]
    fn r18_a_partial_last_line_is_cut_off_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.log");
        std::fs::write(&path, "one\ntwo\nthree-partial").unwrap();
        let (journal, repaired) = Journal::open(&path).unwrap();
        assert_eq!(
            repaired,
            Some(Repaired {
                dropped: 13,
                kept: 8
            })
        );
        journal.append(b"four\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\ntwo\nfour\n");
        // No line end at all: nothing is kept.
        std::fs::write(&path, "x".repeat(200_000)).unwrap();
        let (_, repaired) = Journal::open(&path).unwrap();
        assert_eq!(repaired.map(|r| r.kept), Some(0));
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
        // Whole lines and an empty file are left alone.
        std::fs::write(&path, "a\n").unwrap();
        assert_eq!(Journal::open(&path).unwrap().1, None);
        std::fs::write(&path, "").unwrap();
        assert_eq!(Journal::open(&path).unwrap().1, None);
    }

    #[test]
    #[cfg(unix)]
    fn a_file_that_is_not_regular_is_written_only() {
        // /dev/null: nothing to cut or sync.
        let (journal, repaired) = Journal::open(Path::new("/dev/null")).unwrap();
        assert_eq!(repaired, None);
        journal.append(b"line\n").unwrap();
    }
}
