//! Opening the ledger file: the pragmas every connection gets, and the
//! schema migrations, versioned in code through `PRAGMA user_version`.
//!
//! [`MIGRATIONS`]`[i]` takes a file from version `i` to version `i + 1`. A
//! file is brought to the latest version inside one `BEGIN IMMEDIATE`
//! transaction (read the version, apply the missing steps, set the
//! version), so two processes opening a new file at once cannot both
//! migrate it. A file whose version is newer than this build knows is
//! refused: an older voxprep must not write rows a newer schema reads
//! differently.

use super::LedgerError;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

/// How long a connection waits for another process's write lock before
/// failing with "database is locked". Writes take the lock at `BEGIN
/// IMMEDIATE`, so a wait is never part of a deadlock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema, one step per version. Never edit a step that has shipped:
/// add a new one.
pub(crate) const MIGRATIONS: &[&str] = &[
    // Version 1.
    "
    -- One row per invocation that sends: what was sent, once.
    CREATE TABLE sends (
        id              INTEGER PRIMARY KEY,
        created_ms      INTEGER NOT NULL,       -- Unix time, milliseconds, UTC
        form            TEXT NOT NULL CHECK (form IN ('file', 'code', 'tts', 'tts-keypress')),
        app             TEXT,                   -- NULL for a verification code
        template        TEXT,
        detail          TEXT,                   -- recording name, TTS parameter, or the code masked
        ext_code        TEXT,
        units_per_call  INTEGER                 -- billing units of one call played to the end; NULL unknown
    );
    -- One row per request to Recv_center (at most 200 numbers). Written as
    -- outcome_unknown before the request goes out; only record_outcome
    -- changes it, so a crash in between leaves it unknown.
    CREATE TABLE requests (
        id          INTEGER PRIMARY KEY,
        send_id     INTEGER NOT NULL REFERENCES sends(id),
        created_ms  INTEGER NOT NULL,
        status      TEXT NOT NULL DEFAULT 'outcome_unknown'
                    CHECK (status IN ('outcome_unknown', 'accepted', 'rejected', 'not_sent')),
        smsid       TEXT,                       -- accepted only: the key of its status reports
        code        INTEGER,                    -- the reply's code (accepted 0, rejected why)
        reason      TEXT,                       -- transport failure, for outcome_unknown / not_sent
        outcome_ms  INTEGER                     -- NULL: no outcome recorded (in flight, or crashed)
    );
    CREATE INDEX requests_smsid ON requests (smsid) WHERE smsid IS NOT NULL;
    CREATE INDEX requests_created ON requests (created_ms);
    CREATE TABLE request_numbers (
        request_id  INTEGER NOT NULL REFERENCES requests(id),
        phone       TEXT NOT NULL,
        PRIMARY KEY (request_id, phone)
    ) WITHOUT ROWID;
    CREATE INDEX request_numbers_phone ON request_numbers (phone);
    -- Status pushes: one row per (key, phone, status), however often pushed.
    CREATE TABLE status_reports (
        id           INTEGER PRIMARY KEY,
        key          TEXT NOT NULL,             -- the smsid of the request
        phone        TEXT NOT NULL,
        status       INTEGER NOT NULL,
        received_ms  INTEGER NOT NULL,          -- the first arrival
        UNIQUE (key, phone, status)
    );
    -- Inbound messages and key presses. The provider gives no id: the same
    -- (user, cp number, content) within INBOUND_REPEAT_WINDOW of a stored
    -- row is a repeat, counted in `repeats`, not a new row.
    CREATE TABLE inbound (
        id           INTEGER PRIMARY KEY,
        user_mobile  TEXT NOT NULL,
        cp_mobile    TEXT NOT NULL,
        content      TEXT NOT NULL,
        received_ms  INTEGER NOT NULL,
        repeats      INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX inbound_sender ON inbound (user_mobile, cp_mobile, received_ms);
    ",
];

/// The version this build writes: the number of migration steps.
#[cfg(test)]
pub(crate) fn latest() -> u32 {
    MIGRATIONS.len() as u32
}

/// Open `path` (creating it only when `create`) with the ledger's pragmas
/// and migrate it to the latest version.
pub(crate) fn open(path: &Path, create: bool) -> Result<Connection, LedgerError> {
    open_with(path, create, MIGRATIONS)
}

/// [`open`] with another list of steps (the migration tests use longer lists).
pub(crate) fn open_with(
    path: &Path,
    create: bool,
    steps: &[&str],
) -> Result<Connection, LedgerError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let err = |what: &'static str| move |e: rusqlite::Error| LedgerError::sqlite(path, what, e);
    let mut conn = Connection::open_with_flags(path, flags).map_err(err("cannot open"))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(err("cannot set the busy timeout"))?;
    // WAL: readers never block the writer; synchronous=FULL syncs the WAL
    // at every commit, so a committed push survives a power cut
    // (docs/ledger.md, "Durability").
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(err("cannot switch to WAL"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(LedgerError::Sqlite {
            path: path.to_path_buf(),
            what: "cannot switch to WAL",
            reason: format!("journal mode is {mode}"),
        });
    }
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
        .map_err(err("cannot set the pragmas"))?;
    migrate(&mut conn, path, steps)?;
    Ok(conn)
}

/// Bring the file to `steps.len()`, inside one `BEGIN IMMEDIATE`.
fn migrate(conn: &mut Connection, path: &Path, steps: &[&str]) -> Result<(), LedgerError> {
    let err = |what: &'static str| move |e: rusqlite::Error| LedgerError::sqlite(path, what, e);
    let want = steps.len() as u32;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err("cannot lock the file to migrate it"))?;
    let found: u32 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(err("cannot read the schema version"))?;
    if found > want {
        return Err(LedgerError::NewerSchema {
            path: path.to_path_buf(),
            found,
            known: want,
        });
    }
    if found == want {
        // Nothing to do; the transaction rolls back on drop, writing nothing.
        return Ok(());
    }
    for step in &steps[found as usize..] {
        tx.execute_batch(step)
            .map_err(err("cannot migrate the schema"))?;
    }
    tx.pragma_update(None, "user_version", want)
        .map_err(err("cannot set the schema version"))?;
    tx.commit().map_err(err("cannot commit the migration"))
}

/// The file's `user_version`.
pub(crate) fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut st = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn an_empty_file_is_migrated_to_the_latest_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.sqlite");
        // Version 0: a file SQLite made, with no schema.
        Connection::open(&path).unwrap();
        let conn = open(&path, false).unwrap();
        assert_eq!(version(&conn).unwrap(), latest());
        assert_eq!(
            tables(&conn),
            [
                "inbound",
                "request_numbers",
                "requests",
                "sends",
                "status_reports"
            ]
        );
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        // FULL is 2.
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2);
    }

    #[test]
    fn reopening_the_latest_version_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.sqlite");
        let conn = open(&path, true).unwrap();
        conn.execute(
            "INSERT INTO status_reports (key, phone, status, received_ms) VALUES ('k', '1', 0, 5)",
            [],
        )
        .unwrap();
        let changes = |c: &Connection| -> i64 {
            c.query_row("PRAGMA data_version", [], |r| r.get(0))
                .unwrap()
        };
        let before = changes(&conn);
        let again = open(&path, false).unwrap();
        assert_eq!(version(&again).unwrap(), latest());
        // data_version moves when another connection commits: none did.
        assert_eq!(changes(&conn), before);
        let rows: i64 = again
            .query_row("SELECT count(*) FROM status_reports", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }

    #[test]
    fn a_file_at_an_older_version_is_upgraded_with_its_rows() {
        // A later step (as a version 2 would be) applied to a version-1
        // file that holds rows: the runner applies only the missing step.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.sqlite");
        let v1 = open(&path, true).unwrap();
        v1.execute(
            "INSERT INTO status_reports (key, phone, status, received_ms) VALUES ('k', '1', 0, 5)",
            [],
        )
        .unwrap();
        drop(v1);
        let v2_step = "ALTER TABLE status_reports ADD COLUMN source TEXT NOT NULL DEFAULT 'push';";
        let steps = [MIGRATIONS[0], v2_step];
        let v2 = open_with(&path, false, &steps).unwrap();
        assert_eq!(version(&v2).unwrap(), 2);
        let source: String = v2
            .query_row(
                "SELECT source FROM status_reports WHERE key = 'k'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(source, "push");
        // And this build refuses the upgraded file.
        drop(v2);
        let e = open(&path, false).unwrap_err();
        assert!(
            matches!(
                e,
                LedgerError::NewerSchema {
                    found: 2,
                    known: 1,
                    ..
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn a_failing_step_leaves_the_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.sqlite");
        drop(open(&path, true).unwrap());
        let steps = [
            MIGRATIONS[0],
            "CREATE TABLE t (a); SELECT no_such_function();",
        ];
        assert!(open_with(&path, false, &steps).is_err());
        let conn = open(&path, false).unwrap();
        assert_eq!(version(&conn).unwrap(), 1);
        assert!(!tables(&conn).contains(&"t".to_string()));
    }

    #[test]
    fn a_newer_file_is_refused_with_both_versions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.sqlite");
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", 7).unwrap();
        drop(c);
        let e = open(&path, false).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("version 7") && text.contains("version 1"),
            "{text}"
        );
    }

    #[test]
    fn a_missing_file_is_not_created_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.sqlite");
        assert!(open(&path, false).is_err());
        assert!(!path.exists());
    }
}
