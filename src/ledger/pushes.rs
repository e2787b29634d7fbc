//! Storing the provider's pushes durably, from many threads, with group
//! commit.
//!
//! One writer thread owns the write connection. A caller hands its push
//! over a channel and blocks until the transaction holding it has
//! committed. The writer takes every push waiting when it starts a
//! transaction, so the pushes that arrive while one commit is syncing
//! form the next batch: no linger, one fsync for many pushes
//! (docs/ledger.md has the measurements).
//!
//! De-duplication:
//! - a status report is stored once per `(key, phone, status)`:
//!   `UNIQUE` and `ON CONFLICT DO NOTHING`, so a push retried after a lost
//!   answer is a duplicate;
//! - an inbound message has no id: the same user, partner number and
//!   content within [`INBOUND_REPEAT_WINDOW`] of a stored one is a repeat
//!   (its `repeats` count goes up), not a new row.

use super::{LedgerError, millis, schema};
use crate::provider::push::{Inbound, Push, StatusReport};
use rusqlite::{Connection, TransactionBehavior, params};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

/// Two inbound pushes with the same user, partner number and content this
/// close together are one message pushed twice. The provider documents
/// no retry interval; ten minutes covers retries after a lost answer, and
/// a user who sends the same text (or presses the same key) twice within
/// it is counted once, with a repeat.
pub const INBOUND_REPEAT_WINDOW: Duration = Duration::from_secs(600);

/// The most pushes one transaction takes: a bound on what one failed
/// commit sends back as errors.
const MAX_BATCH: usize = 4096;

/// What storing one push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Stored {
    /// Status reports or inbound messages stored for the first time.
    pub new: usize,
    /// Those already in the ledger (pushed again).
    pub duplicates: usize,
}

impl Stored {
    /// Whether something in the push was new.
    pub fn is_new(&self) -> bool {
        self.new > 0
    }
}

/// One push waiting for the writer, and where to send its result.
struct Job {
    push: Push,
    received_ms: i64,
    reply: SyncSender<Result<Stored, LedgerError>>,
}

/// Stores pushes in the ledger, durably, before returning. `Send + Sync`:
/// share one in an `Arc` between the receiver's threads. Dropping it lets
/// the writer finish what it holds and waits for it.
///
/// ```no_run
/// use std::sync::Arc;
/// use std::time::SystemTime;
/// use voxprep::ledger::PushStore;
/// use voxprep::provider::push::Push;
///
/// let store = Arc::new(PushStore::open("ledger.sqlite".as_ref())?);
/// // What a receiver's handler does, on any thread:
/// let handle = |push: &Push| -> std::io::Result<()> {
///     store.store(push, SystemTime::now())?;
///     Ok(())
/// };
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct PushStore {
    jobs: Option<Sender<Job>>,
    writer: Option<JoinHandle<()>>,
    path: PathBuf,
}

impl PushStore {
    /// Open the ledger at `path` (created if needed, as
    /// [`super::Ledger::open`]) and start the writer thread.
    ///
    /// # Errors
    /// As [`super::Ledger::open`]; [`LedgerError::Io`] when the thread
    /// cannot be started.
    pub fn open(path: &Path) -> Result<PushStore, LedgerError> {
        super::create_private(path)?;
        let conn = schema::open(path, true)?;
        let (jobs, queue) = mpsc::channel();
        let owned = path.to_path_buf();
        let writer = std::thread::Builder::new()
            .name("voxprep-ledger-writer".into())
            .spawn(move || write_loop(conn, &owned, queue))
            .map_err(|e| LedgerError::Io {
                path: path.to_path_buf(),
                what: "cannot start the writer thread",
                reason: e.to_string(),
            })?;
        Ok(PushStore {
            jobs: Some(jobs),
            writer: Some(writer),
            path: path.to_path_buf(),
        })
    }

    /// Store `push`, received at `received_at`, and return once it is
    /// committed (or was already in the ledger).
    ///
    /// # Errors
    /// [`LedgerError::Sqlite`] when the commit failed (nothing of the
    /// batch was stored: answer the provider with an error so that it
    /// pushes again); [`LedgerError::WriterStopped`].
    pub fn store(&self, push: &Push, received_at: SystemTime) -> Result<Stored, LedgerError> {
        let stopped = || LedgerError::WriterStopped {
            path: self.path.clone(),
        };
        let (reply, answer) = mpsc::sync_channel(1);
        let job = Job {
            push: push.clone(),
            received_ms: millis(received_at),
            reply,
        };
        self.jobs
            .as_ref()
            .ok_or_else(stopped)?
            .send(job)
            .map_err(|_| stopped())?;
        answer.recv().map_err(|_| stopped())?
    }
}

impl Drop for PushStore {
    fn drop(&mut self) {
        // Closing the channel ends the writer's loop once it is drained.
        drop(self.jobs.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// The writer: wait for a push, take every other one waiting, store them
/// all in one transaction, commit, answer each.
fn write_loop(mut conn: Connection, path: &Path, queue: Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match store_batch(&mut conn, &batch) {
            Ok(results) => {
                for (job, stored) in batch.iter().zip(results) {
                    // A caller that went away does not stop the others.
                    let _ = job.reply.send(Ok(stored));
                }
            }
            Err(e) => {
                let e = LedgerError::sqlite(path, "cannot store the pushes", e);
                for job in &batch {
                    let _ = job.reply.send(Err(e.clone()));
                }
            }
        }
    }
}

/// Store a batch in one `BEGIN IMMEDIATE` transaction; all or nothing.
fn store_batch(conn: &mut Connection, batch: &[Job]) -> rusqlite::Result<Vec<Stored>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        results.push(match &job.push {
            Push::Status(reports) => store_statuses(&tx, reports, job.received_ms)?,
            Push::Inbound(m) => store_inbound(&tx, m, job.received_ms)?,
        });
    }
    tx.commit()?;
    Ok(results)
}

fn store_statuses(
    conn: &Connection,
    reports: &[StatusReport],
    received_ms: i64,
) -> rusqlite::Result<Stored> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO status_reports (key, phone, status, received_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key, phone, status) DO NOTHING",
    )?;
    let mut stored = Stored::default();
    for r in reports {
        match insert.execute(params![r.key, r.phone, r.status.0, received_ms])? {
            0 => stored.duplicates += 1,
            _ => stored.new += 1,
        }
    }
    Ok(stored)
}

fn store_inbound(conn: &Connection, m: &Inbound, received_ms: i64) -> rusqlite::Result<Stored> {
    let window = i64::try_from(INBOUND_REPEAT_WINDOW.as_millis()).unwrap_or(i64::MAX);
    let repeat = conn
        .prepare_cached(
            "UPDATE inbound SET repeats = repeats + 1
         WHERE id = (SELECT id FROM inbound
                     WHERE user_mobile = ?1 AND cp_mobile = ?2 AND content = ?3
                       AND received_ms BETWEEN ?4 - ?5 AND ?4 + ?5
                     ORDER BY received_ms DESC LIMIT 1)",
        )?
        .execute(params![
            m.user_mobile,
            m.cp_mobile,
            m.content,
            received_ms,
            window
        ])?;
    if repeat > 0 {
        return Ok(Stored {
            new: 0,
            duplicates: 1,
        });
    }
    conn.prepare_cached(
        "INSERT INTO inbound (user_mobile, cp_mobile, content, received_ms) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![m.user_mobile, m.cp_mobile, m.content, received_ms])?;
    Ok(Stored {
        new: 1,
        duplicates: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::StatusCode;
    use std::time::UNIX_EPOCH;

    fn status(key: &str, phone: &str, code: i64) -> StatusReport {
        StatusReport {
            key: key.into(),
            phone: phone.into(),
            status: StatusCode(code),
        }
    }

    fn inbound(content: &str) -> Push {
        Push::Inbound(Inbound {
            user_mobile: "13800138000".into(),
            content: content.into(),
            cp_mobile: "10690001".into(),
        })
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
    }

    #[test]
    fn the_store_is_send_and_sync() {
        fn shareable<T: Send + Sync>() {}
        shareable::<PushStore>();
    }

    #[test]
    fn status_reports_are_stored_once_per_key_phone_status() {
        let dir = tempfile::tempdir().unwrap();
        let store = PushStore::open(&dir.path().join("l.sqlite")).unwrap();
        let push = Push::Status(vec![status("k", "1", 9995), status("k", "1", 0)]);
        assert_eq!(
            store.store(&push, at(0)).unwrap(),
            Stored {
                new: 2,
                duplicates: 0
            }
        );
        let again = Push::Status(vec![status("k", "1", 0), status("k", "2", 0)]);
        assert_eq!(
            store.store(&again, at(1)).unwrap(),
            Stored {
                new: 1,
                duplicates: 1
            }
        );
        assert_eq!(
            store.store(&Push::Status(vec![]), at(2)).unwrap(),
            Stored::default()
        );
    }

    #[test]
    fn inbound_repeats_within_the_window_are_one_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.sqlite");
        let store = PushStore::open(&path).unwrap();
        assert!(store.store(&inbound("1"), at(0)).unwrap().is_new());
        assert!(!store.store(&inbound("1"), at(30)).unwrap().is_new());
        assert!(store.store(&inbound("2"), at(31)).unwrap().is_new());
        // Past the window of the stored one: a new message.
        let later = at(INBOUND_REPEAT_WINDOW.as_secs() + 1);
        assert!(store.store(&inbound("1"), later).unwrap().is_new());
        drop(store);
        let conn = Connection::open(&path).unwrap();
        let rows: Vec<(String, i64)> = conn
            .prepare("SELECT content, repeats FROM inbound ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows, [("1".into(), 1), ("2".into(), 0), ("1".into(), 0)]);
    }

    #[test]
    fn a_failed_commit_is_an_error_for_the_caller() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.sqlite");
        let store = PushStore::open(&path).unwrap();
        // Another connection holds the write lock past the busy timeout.
        let mut other = Connection::open(&path).unwrap();
        other.busy_timeout(Duration::from_secs(10)).unwrap();
        let tx = other
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        let e = store
            .store(&Push::Status(vec![status("k", "1", 0)]), at(0))
            .unwrap_err();
        assert!(e.to_string().contains("cannot store the pushes"), "{e}");
        drop(tx);
        assert!(
            store
                .store(&Push::Status(vec![status("k", "1", 0)]), at(0))
                .unwrap()
                .is_new()
        );
    }
}
