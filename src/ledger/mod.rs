//! The ledger: one SQLite file joining what was sent to what the provider
//! pushed back, so that a partner can answer, for a send to 50,000
//! numbers, how many were delivered, which failed and why, which are
//! still pending, which requests have an unknown outcome, and what it
//! cost (feature `ledger`).
//!
//! - Sends: [`Ledger::record_send`] once, then for every request
//!   [`Ledger::record_request`] *before* it goes out and
//!   [`Ledger::record_outcome`] after. A request is written as
//!   [`SendStatus::OutcomeUnknown`] and only its outcome changes that, so a
//!   crash in between leaves it unknown, never missing.
//! - Pushes: a [`PushStore`] (`Send + Sync`, share it in an `Arc`) stores
//!   status reports and inbound messages durably before returning, with
//!   group commit: one writer thread commits whatever arrived while the
//!   previous commit was syncing.
//! - Status: [`Ledger::report`] joins requests to status reports (a
//!   report's `key` is the request's `smsid`) into a [`Report`]: one
//!   [`NumberState`] per number of every request, totals, billed units,
//!   and the pushes that match no request.
//!
//! The file is in WAL mode with `synchronous=FULL`; every write is a
//! `BEGIN IMMEDIATE` transaction; the schema is versioned with `PRAGMA
//! user_version` (docs/ledger.md).
//!
//! ```
//! use std::time::SystemTime;
//! use voxprep::ledger::{Filter, Ledger, Outcome, PushStore, SendRecord};
//! use voxprep::provider::{Content, Mobile, push};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("ledger.sqlite");
//! let mut ledger = Ledger::open(&path)?;
//! let content = Content::file("app1", "T7", "welcome.wav")?;
//! let now = SystemTime::now();
//! let send = ledger.record_send(&SendRecord::new(&content, now))?;
//! let numbers = [Mobile::parse("13800138000")?, Mobile::parse("13900139000")?];
//! let request = ledger.record_request(send, &numbers, now)?;
//! ledger.record_outcome(request, &Outcome::Accepted { smsid: Some("E725".into()) }, now)?;
//!
//! let pushes = PushStore::open(&path)?;
//! let pushed = push::classify("args=E725,13800138000,0;", b"")?;
//! assert!(pushes.store(&pushed, now)?.is_new());
//!
//! let report = ledger.report(&Filter::default())?;
//! assert_eq!((report.totals.delivered, report.totals.pending), (1, 1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod pushes;
mod report;
mod schema;

pub use pushes::{INBOUND_REPEAT_WINDOW, PushStore, Stored};
pub use report::{
    Billing, Filter, NumberState, NumberStatus, Report, RequestSummary, SendSummary, Totals,
    Unmatched, retryable,
};

use crate::billing::BillingUnits;
use crate::provider::{
    BatchOutcome, BatchReport, Content, ExtCode, Mobile, SendStatus, StatusCode,
};
use rusqlite::{Connection, TransactionBehavior, params};
use serde::Serialize;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Errors reading or writing the ledger. Messages start with `ledger:` and
/// name the file.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// SQLite failed (the file cannot be opened, is not a database, the
    /// disk is full, another process held the lock too long...).
    #[error("ledger: {}: {what}: {reason}", path.display())]
    Sqlite {
        /// The ledger file.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// SQLite's message.
        reason: String,
    },
    /// The file (or its folder) could not be made.
    #[error("ledger: {}: {what}: {reason}", path.display())]
    Io {
        /// The ledger file.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The system's message.
        reason: String,
    },
    /// The file was written by a newer voxprep, with a schema this one
    /// does not know.
    #[error(
        "ledger: {}: schema version {found} is newer than this voxprep knows (version {known}); \
         use a newer voxprep",
        path.display()
    )]
    NewerSchema {
        /// The ledger file.
        path: PathBuf,
        /// The file's `user_version`.
        found: u32,
        /// The latest version this build knows.
        known: u32,
    },
    /// No such ledger file.
    #[error("ledger: {}: no such file", path.display())]
    Missing {
        /// The path looked for.
        path: PathBuf,
    },
    /// [`Ledger::record_request`] or [`Ledger::record_outcome`] named a
    /// send or request the file does not hold, or an outcome was recorded
    /// twice.
    #[error("ledger: {}: {what}", path.display())]
    Misuse {
        /// The ledger file.
        path: PathBuf,
        /// What was wrong.
        what: String,
    },
    /// The push store's writer thread is gone (it panicked): nothing more
    /// can be stored through this handle.
    #[error("ledger: {}: the push writer has stopped", path.display())]
    WriterStopped {
        /// The ledger file.
        path: PathBuf,
    },
}

impl LedgerError {
    fn sqlite(path: &Path, what: &'static str, e: rusqlite::Error) -> LedgerError {
        LedgerError::Sqlite {
            path: path.to_path_buf(),
            what,
            reason: e.to_string(),
        }
    }
}

impl From<LedgerError> for std::io::Error {
    /// For a push handler that answers `io::Result`: the provider gets an
    /// error status and pushes again.
    fn from(e: LedgerError) -> std::io::Error {
        std::io::Error::other(e)
    }
}

/// The id of a send in the ledger (one row of `sends`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct SendId(pub i64);

/// The id of one request in the ledger (one row of `requests`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RequestId(pub i64);

impl fmt::Display for SendId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a send sends, as the ledger keeps it.
#[derive(Debug, Clone)]
pub struct SendRecord<'a> {
    /// The content (a verification code is stored masked: see
    /// [`SendRecord::detail`]).
    pub content: &'a Content,
    /// The `ExtCode`, when given.
    pub ext_code: Option<&'a ExtCode>,
    /// Billing units of one call played to the end (a checked recording's,
    /// or a TTS estimate), when known.
    pub units_per_call: Option<BillingUnits>,
    /// When the send started.
    pub at: SystemTime,
}

impl<'a> SendRecord<'a> {
    /// `content` at `at`, without extension code or units.
    pub fn new(content: &'a Content, at: SystemTime) -> SendRecord<'a> {
        SendRecord {
            content,
            ext_code: None,
            units_per_call: None,
            at,
        }
    }

    /// The app id, template id and detail stored: the recording's name,
    /// the TTS parameter, or for a verification code one `*` per digit
    /// (the code is a secret for a few minutes and the ledger is kept for
    /// months: it records that a code was sent, never which).
    pub fn detail(&self) -> (Option<&str>, Option<&str>, Option<String>) {
        match self.content {
            Content::Code(c) => (None, None, Some("*".repeat(c.as_str().len()))),
            Content::Notice {
                app,
                template,
                param,
            }
            | Content::NoticeKeypress {
                app,
                template,
                param,
            } => (
                Some(app.as_str()),
                Some(template.as_str()),
                param.as_ref().map(|p| p.as_str().to_string()),
            ),
            Content::File {
                app,
                template,
                recording,
            } => (
                Some(app.as_str()),
                Some(template.as_str()),
                Some(recording.as_str().to_string()),
            ),
        }
    }
}

/// What became of one request, as [`Ledger::record_outcome`] stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted (code 0), with the reply's `smsid`: the key its status
    /// reports will carry. `None` only if the provider left it out.
    Accepted {
        /// The reply's `smsid`.
        smsid: Option<String>,
    },
    /// Refused with this code: nobody in the request is called.
    Rejected {
        /// The reply's code.
        code: StatusCode,
    },
    /// The request may have reached the provider, and no reply was
    /// understood.
    OutcomeUnknown {
        /// What happened (the transport error).
        reason: String,
    },
    /// The request certainly never left.
    NotSent {
        /// Why.
        reason: String,
    },
}

impl Outcome {
    /// The outcome of a request as the provider client reports it.
    pub fn of(report: &BatchReport) -> Outcome {
        match &report.outcome {
            BatchOutcome::Replied(reply) if reply.accepted() => Outcome::Accepted {
                smsid: reply.smsid.clone(),
            },
            BatchOutcome::Replied(reply) => Outcome::Rejected { code: reply.code },
            BatchOutcome::Failed(e) if e.may_have_reached_provider() => Outcome::OutcomeUnknown {
                reason: e.to_string(),
            },
            BatchOutcome::Failed(e) => Outcome::NotSent {
                reason: e.to_string(),
            },
            BatchOutcome::NotAttempted(cause) => Outcome::NotSent {
                reason: match cause {
                    crate::provider::StopCause::TransportFailure => {
                        "not attempted after an earlier request failed in transport".to_string()
                    }
                    crate::provider::StopCause::AccountRejected(code) => format!(
                        "not attempted after the provider refused an earlier request for \
                         the whole account ({})",
                        code.describe()
                    ),
                    crate::provider::StopCause::NotRecorded => {
                        "not attempted: the ledger could not record it".to_string()
                    }
                },
            },
        }
    }

    /// The outcome in one word.
    pub fn status(&self) -> SendStatus {
        match self {
            Outcome::Accepted { .. } => SendStatus::Accepted,
            Outcome::Rejected { .. } => SendStatus::Rejected,
            Outcome::OutcomeUnknown { .. } => SendStatus::OutcomeUnknown,
            Outcome::NotSent { .. } => SendStatus::NotSent,
        }
    }
}

/// Where the ledger lives when neither a path nor `VOXPREP_LEDGER` is
/// given: `$XDG_DATA_HOME/voxprep/ledger.sqlite` when `XDG_DATA_HOME` is
/// an absolute path, else `$HOME/.local/share/voxprep/ledger.sqlite`;
/// `None` without either.
pub fn default_path() -> Option<PathBuf> {
    default_path_from(std::env::var_os("XDG_DATA_HOME"), std::env::var_os("HOME"))
}

/// [`default_path`] from given values of `XDG_DATA_HOME` and `HOME`.
pub fn default_path_from(
    xdg_data_home: Option<OsString>,
    home: Option<OsString>,
) -> Option<PathBuf> {
    let base = match xdg_data_home.map(PathBuf::from) {
        // The XDG spec: a relative path is invalid and ignored.
        Some(x) if x.is_absolute() => x,
        _ => {
            let home = PathBuf::from(home.filter(|h| !h.is_empty())?);
            home.join(".local").join("share")
        }
    };
    Some(base.join("voxprep").join("ledger.sqlite"))
}

/// Milliseconds since the Unix epoch (0 before it; saturating far after).
pub(crate) fn millis(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The inverse of [`millis`].
#[cfg(test)]
pub(crate) fn time_of(ms: i64) -> SystemTime {
    UNIX_EPOCH + std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// Create the ledger file (and its folder) readable by its owner only, if
/// it does not exist: it holds phone numbers. SQLite gives its `-wal` and
/// `-shm` files the same permissions.
fn create_private(path: &Path) -> Result<(), LedgerError> {
    let io = |what: &'static str| {
        move |e: std::io::Error| LedgerError::Io {
            path: path.to_path_buf(),
            what,
            reason: e.to_string(),
        }
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io("cannot create its folder"))?;
    }
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    match open.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io("cannot create the file")(e)),
    }
}

/// A connection to the ledger for recording sends and reading the status.
/// One per thread (it is `Send`, not `Sync`); pushes go through a
/// [`PushStore`].
#[derive(Debug)]
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
}

impl Ledger {
    /// Open the ledger at `path`, creating it (and its folder) if needed,
    /// and bring its schema to this build's version.
    ///
    /// # Errors
    /// [`LedgerError`]: the file cannot be made or opened, is not a
    /// ledger, or has a newer schema.
    pub fn open(path: &Path) -> Result<Ledger, LedgerError> {
        create_private(path)?;
        Ok(Ledger {
            conn: schema::open(path, true)?,
            path: path.to_path_buf(),
        })
    }

    /// Open an existing ledger (for reading the status): a missing file is
    /// [`LedgerError::Missing`], never created.
    ///
    /// # Errors
    /// As [`Ledger::open`], and [`LedgerError::Missing`].
    pub fn open_existing(path: &Path) -> Result<Ledger, LedgerError> {
        if !path.is_file() {
            return Err(LedgerError::Missing {
                path: path.to_path_buf(),
            });
        }
        Ok(Ledger {
            conn: schema::open(path, false)?,
            path: path.to_path_buf(),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the file (after opening: this build's).
    ///
    /// # Errors
    /// [`LedgerError::Sqlite`].
    pub fn schema_version(&self) -> Result<u32, LedgerError> {
        schema::version(&self.conn).map_err(|e| self.err("cannot read the schema version", e))
    }

    fn err(&self, what: &'static str, e: rusqlite::Error) -> LedgerError {
        LedgerError::sqlite(&self.path, what, e)
    }

    /// Record a send (what is sent), before its first request.
    ///
    /// # Errors
    /// [`LedgerError::Sqlite`].
    pub fn record_send(&self, send: &SendRecord<'_>) -> Result<SendId, LedgerError> {
        let (app, template, detail) = send.detail();
        let units = send
            .units_per_call
            .map(|u| i64::try_from(u.0).unwrap_or(i64::MAX));
        self.conn
            .execute(
                "INSERT INTO sends (created_ms, form, app, template, detail, ext_code, units_per_call)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    millis(send.at),
                    send.content.form(),
                    app,
                    template,
                    detail,
                    send.ext_code.map(ExtCode::as_str),
                    units
                ],
            )
            .map_err(|e| self.err("cannot record the send", e))?;
        Ok(SendId(self.conn.last_insert_rowid()))
    }

    /// Record a request of `send` to `numbers`, *before* it goes out. It
    /// stands as [`SendStatus::OutcomeUnknown`] until
    /// [`Ledger::record_outcome`]: if the process dies in between, that is
    /// what the status says.
    ///
    /// # Errors
    /// [`LedgerError::Misuse`] for an unknown send; [`LedgerError::Sqlite`].
    pub fn record_request(
        &mut self,
        send: SendId,
        numbers: &[Mobile],
        at: SystemTime,
    ) -> Result<RequestId, LedgerError> {
        let path = self.path.clone();
        let path = path.as_path();
        let err = |what| move |e| LedgerError::sqlite(path, what, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err("cannot record the request"))?;
        let known: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sends WHERE id = ?1)",
                [send.0],
                |r| r.get(0),
            )
            .map_err(err("cannot record the request"))?;
        if !known {
            return Err(LedgerError::Misuse {
                path: self.path.clone(),
                what: format!("no send {send}"),
            });
        }
        tx.execute(
            "INSERT INTO requests (send_id, created_ms) VALUES (?1, ?2)",
            params![send.0, millis(at)],
        )
        .map_err(err("cannot record the request"))?;
        let id = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO request_numbers (request_id, phone) VALUES (?1, ?2)
                     ON CONFLICT DO NOTHING",
                )
                .map_err(err("cannot record the request"))?;
            for n in numbers {
                insert
                    .execute(params![id, n.as_str()])
                    .map_err(err("cannot record the request's numbers"))?;
            }
        }
        tx.commit().map_err(err("cannot commit the request"))?;
        Ok(RequestId(id))
    }

    /// Record what became of a request, after it.
    ///
    /// # Errors
    /// [`LedgerError::Misuse`] for an unknown request or one whose outcome
    /// is already recorded; [`LedgerError::Sqlite`].
    pub fn record_outcome(
        &self,
        id: RequestId,
        outcome: &Outcome,
        at: SystemTime,
    ) -> Result<(), LedgerError> {
        let (smsid, code, reason) = match outcome {
            Outcome::Accepted { smsid } => (smsid.as_deref(), Some(0), None),
            Outcome::Rejected { code } => (None, Some(code.0), None),
            Outcome::OutcomeUnknown { reason } | Outcome::NotSent { reason } => {
                (None, None, Some(reason.as_str()))
            }
        };
        let changed = self
            .conn
            .execute(
                "UPDATE requests SET status = ?2, smsid = ?3, code = ?4, reason = ?5, outcome_ms = ?6
                 WHERE id = ?1 AND outcome_ms IS NULL",
                params![
                    id.0,
                    outcome.status().as_str(),
                    smsid,
                    code,
                    reason,
                    millis(at)
                ],
            )
            .map_err(|e| self.err("cannot record the outcome", e))?;
        if changed == 0 {
            return Err(LedgerError::Misuse {
                path: self.path.clone(),
                what: format!("request {id}: no such request, or its outcome is already recorded"),
            });
        }
        Ok(())
    }

    /// The status of every request selected by `filter`, joined to its
    /// status reports.
    ///
    /// # Errors
    /// [`LedgerError::Sqlite`].
    pub fn report(&self, filter: &Filter) -> Result<Report, LedgerError> {
        report::read(&self.conn, filter).map_err(|e| self.err("cannot read the status", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_follows_xdg_then_home() {
        let p = |x: Option<&str>, h: Option<&str>| {
            default_path_from(x.map(OsString::from), h.map(OsString::from))
        };
        assert_eq!(
            p(Some("/data"), Some("/home/a")),
            Some(PathBuf::from("/data/voxprep/ledger.sqlite"))
        );
        assert_eq!(
            p(Some("relative"), Some("/home/a")),
            Some(PathBuf::from("/home/a/.local/share/voxprep/ledger.sqlite"))
        );
        assert_eq!(
            p(None, Some("/home/a")),
            Some(PathBuf::from("/home/a/.local/share/voxprep/ledger.sqlite"))
        );
        assert_eq!(p(None, None), None);
        assert_eq!(p(Some(""), Some("")), None);
    }

    #[test]
    fn a_code_is_stored_masked() {
        let content = Content::code("042817").unwrap();
        let rec = SendRecord::new(&content, UNIX_EPOCH);
        assert_eq!(rec.detail(), (None, None, Some("******".to_string())));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.sqlite");
        let ledger = Ledger::open(&path).unwrap();
        ledger.record_send(&rec).unwrap();
        drop(ledger);
        let bytes = std::fs::read(&path).unwrap();
        let wal = std::fs::read(path.with_extension("sqlite-wal")).unwrap_or_default();
        for b in [&bytes, &wal] {
            assert!(!b.windows(6).any(|w| w == b"042817"), "code digits on disk");
        }
    }

    #[test]
    fn outcomes_are_recorded_once_and_only_for_known_requests() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(&dir.path().join("sub/l.sqlite")).unwrap();
        let content = Content::code("1234").unwrap();
        let send = ledger
            .record_send(&SendRecord::new(&content, UNIX_EPOCH))
            .unwrap();
        let n = [Mobile::parse("13800138000").unwrap()];
        let e = ledger
            .record_request(SendId(99), &n, UNIX_EPOCH)
            .unwrap_err();
        assert!(e.to_string().contains("no send 99"), "{e}");
        let id = ledger.record_request(send, &n, UNIX_EPOCH).unwrap();
        let rejected = Outcome::Rejected {
            code: StatusCode(-1010),
        };
        ledger.record_outcome(id, &rejected, UNIX_EPOCH).unwrap();
        let e = ledger
            .record_outcome(id, &rejected, UNIX_EPOCH)
            .unwrap_err();
        assert!(e.to_string().contains("already recorded"), "{e}");
        assert!(
            ledger
                .record_outcome(RequestId(42), &rejected, UNIX_EPOCH)
                .is_err()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_new_ledger_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.sqlite");
        Ledger::open(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
}
