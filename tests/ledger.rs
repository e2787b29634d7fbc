//! The ledger through the library (`voxprep::ledger`): sends recorded
//! before and after their requests, pushes stored from many threads, the
//! report that joins them; and `voxprep status` through the binary on a
//! ledger filled here.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use voxprep::billing::{BillingUnits, Fen};
use voxprep::ledger::{
    Filter, Ledger, LedgerError, NumberState, Outcome, PushStore, Report, RequestId, SendRecord,
};
use voxprep::provider::push::{self, Push};
use voxprep::provider::{Content, Mobile, StatusCode};

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
}

fn mobiles(list: &[&str]) -> Vec<Mobile> {
    list.iter().map(|n| Mobile::parse(n).unwrap()).collect()
}

fn status_push(args: &str) -> Push {
    push::classify(&format!("args={args}"), b"").unwrap()
}

/// The state of `phone` in `report` (its only attempt).
fn state(report: &Report, phone: &str) -> (NumberState, Option<i64>) {
    let n = report
        .numbers
        .iter()
        .find(|n| n.phone == phone)
        .unwrap_or_else(|| panic!("{phone} not in {report:#?}"));
    (n.state, n.code.map(|c| c.0))
}

/// A ledger holding one send of a two-unit recording in four requests:
/// - request 1 (accepted, smsid S1): 13800000001 delivered (pushed twice),
///   13800000002 failed 9994, 13800000003 no report (pending), 13800000004
///   only 9995 (pending), 13800000005 failed 9992 (retryable);
/// - request 2 (the sender "crashed" before its outcome): 13800000006;
/// - request 3 rejected -1011 (balance): 13800000007;
/// - request 4 not sent: 13800000008;
/// - request 5 accepted as S5 with its push stored *before* the outcome:
///   13800000009 delivered.
///
/// Plus a push for an smsid no request has.
fn fill(path: &Path) -> Vec<RequestId> {
    let mut ledger = Ledger::open(path).unwrap();
    let content = Content::file("app1", "T7", "welcome.wav").unwrap();
    let mut record = SendRecord::new(&content, at(0));
    record.units_per_call = Some(BillingUnits(2));
    let send = ledger.record_send(&record).unwrap();
    let pushes = PushStore::open(path).unwrap();

    let r1 = ledger
        .record_request(
            send,
            &mobiles(&[
                "13800000001",
                "13800000002",
                "13800000003",
                "13800000004",
                "13800000005",
            ]),
            at(1),
        )
        .unwrap();
    ledger
        .record_outcome(
            r1,
            &Outcome::Accepted {
                smsid: Some("S1".into()),
            },
            at(2),
        )
        .unwrap();
    let first = pushes
        .store(
            &status_push("S1,13800000001,0;S1,13800000002,9994;S1,13800000004,9995;"),
            at(60),
        )
        .unwrap();
    assert_eq!((first.new, first.duplicates), (3, 0));
    // The provider pushes again (our answer was lost), and reports 9992.
    let again = pushes
        .store(
            &status_push("S1,13800000001,0;S1,13800000005,9992;"),
            at(61),
        )
        .unwrap();
    assert_eq!((again.new, again.duplicates), (1, 1));

    // Recorded, then the process dies before the outcome: nothing more.
    let r2 = ledger
        .record_request(send, &mobiles(&["13800000006"]), at(3))
        .unwrap();

    let r3 = ledger
        .record_request(send, &mobiles(&["13800000007"]), at(4))
        .unwrap();
    ledger
        .record_outcome(
            r3,
            &Outcome::Rejected {
                code: StatusCode(-1011),
            },
            at(4),
        )
        .unwrap();
    let r4 = ledger
        .record_request(send, &mobiles(&["+86 138 0000 0008"]), at(5))
        .unwrap();
    ledger
        .record_outcome(
            r4,
            &Outcome::NotSent {
                reason: "could not connect".into(),
            },
            at(5),
        )
        .unwrap();

    // The push of S5 arrives before its outcome is recorded.
    let r5 = ledger
        .record_request(send, &mobiles(&["13800000009"]), at(6))
        .unwrap();
    assert!(
        pushes
            .store(&status_push("S5,13800000009,0;"), at(6))
            .unwrap()
            .is_new()
    );
    ledger
        .record_outcome(
            r5,
            &Outcome::Accepted {
                smsid: Some("S5".into()),
            },
            at(7),
        )
        .unwrap();

    // A push for an smsid the ledger never recorded.
    pushes
        .store(&status_push("NOPE,13900000000,0;"), at(70))
        .unwrap();
    vec![r1, r2, r3, r4, r5]
}

#[test]
fn the_report_joins_requests_outcomes_and_pushes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    fill(&path);
    let ledger = Ledger::open_existing(&path).unwrap();
    let report = ledger.report(&Filter::default()).unwrap();
    use NumberState as S;
    let want = [
        ("13800000001", (S::Delivered, Some(0))),
        ("13800000002", (S::Failed, Some(9994))),
        ("13800000003", (S::Pending, None)),
        ("13800000004", (S::Pending, Some(9995))),
        ("13800000005", (S::Failed, Some(9992))),
        ("13800000006", (S::Unknown, None)),
        ("13800000007", (S::Rejected, Some(-1011))),
        ("13800000008", (S::NotSent, None)),
        ("13800000009", (S::Delivered, Some(0))),
    ];
    for (phone, s) in want {
        assert_eq!(state(&report, phone), s, "{phone}");
    }
    let t = report.totals;
    assert_eq!(
        (
            t.numbers,
            t.delivered,
            t.failed,
            t.pending,
            t.unknown,
            t.rejected,
            t.not_sent
        ),
        (9, 2, 2, 2, 1, 1, 1)
    );
    // The crashed request reads as unknown, with no outcome time.
    let crashed = &report.sends[0].requests[1];
    assert_eq!(crashed.status.as_str(), "outcome_unknown");
    assert_eq!(crashed.outcome_ms, None);
    // The push for an unrecorded smsid is kept, and shown apart.
    assert_eq!(report.unmatched.len(), 1);
    assert_eq!(report.unmatched[0].key, "NOPE");

    // Billing: 2 delivered x 2 units; 2 pending and 1 unknown may cost more.
    let billing = report.billing(Some(Fen(12))).unwrap();
    assert_eq!(billing.billed_units, BillingUnits(4));
    assert_eq!(billing.cost, Some(Fen(48)));
    assert_eq!(billing.pending_units, BillingUnits(4));
    assert_eq!(billing.unknown_units, BillingUnits(2));

    assert_eq!(
        report.resendable(false),
        ["13800000005", "13800000007", "13800000008"]
    );
    assert_eq!(
        report.resendable(true),
        ["13800000005", "13800000006", "13800000007", "13800000008"]
    );
    let old: Vec<&str> = report
        .pending_older_than(Duration::from_secs(60), at(100))
        .iter()
        .map(|n| n.phone.as_str())
        .collect();
    assert_eq!(old, ["13800000003", "13800000004"]);
}

#[test]
fn filters_by_smsid_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    fill(&path);
    let ledger = Ledger::open_existing(&path).unwrap();
    let one = ledger
        .report(&Filter {
            smsid: Some("S5".into()),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(one.totals.numbers, 1);
    assert_eq!(state(&one, "13800000009").0, NumberState::Delivered);
    assert!(one.unmatched.is_empty());
    let late = ledger
        .report(&Filter {
            since: Some(at(5)),
            ..Filter::default()
        })
        .unwrap();
    let phones: Vec<&str> = late.numbers.iter().map(|n| n.phone.as_str()).collect();
    assert_eq!(phones, ["13800000008", "13800000009"]);
}

#[test]
fn pushes_from_eight_threads_are_all_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let store = Arc::new(PushStore::open(&path).unwrap());
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let mut new = 0;
                for i in 0..1000 {
                    let p = status_push(&format!("K{t},1380000{i:04},0;"));
                    new += store.store(&p, SystemTime::now()).unwrap().new;
                    // Every tenth push comes twice.
                    if i % 10 == 0 {
                        let again = store.store(&p, SystemTime::now()).unwrap();
                        assert_eq!((again.new, again.duplicates), (0, 1));
                    }
                }
                new
            })
        })
        .collect();
    let new: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(new, 8000);
    drop(store);
    let conn = rusqlite_free_count(&path);
    assert_eq!(conn, (8000, 8000));
}

/// (rows, distinct (key, phone, status)) in status_reports, read through
/// the library's report: every push is unmatched there.
fn rusqlite_free_count(path: &Path) -> (usize, usize) {
    let report = Ledger::open_existing(path)
        .unwrap()
        .report(&Filter::default())
        .unwrap();
    let mut keys: Vec<(String, String)> = report
        .unmatched
        .iter()
        .map(|u| (u.key.clone(), u.phone.clone()))
        .collect();
    let rows = keys.len();
    keys.sort();
    keys.dedup();
    (rows, keys.len())
}

#[test]
fn reopening_and_newer_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let ledger = Ledger::open(&path).unwrap();
    let v = ledger.schema_version().unwrap();
    assert!(v >= 1);
    drop(ledger);
    // Reopening changes nothing and keeps the version.
    assert_eq!(Ledger::open(&path).unwrap().schema_version().unwrap(), v);
    // A missing file is not made by open_existing.
    let missing = dir.path().join("none.sqlite");
    assert!(matches!(
        Ledger::open_existing(&missing),
        Err(LedgerError::Missing { .. })
    ));
    assert!(!missing.exists());
    // A file from a newer voxprep is refused, naming both versions.
    let newer = dir.path().join("newer.sqlite");
    std::fs::write(&newer, sqlite_with_user_version(v + 1)).unwrap();
    let e = Ledger::open_existing(&newer).unwrap_err();
    assert!(matches!(e, LedgerError::NewerSchema { .. }), "{e:?}");
    assert!(e.to_string().contains("newer"), "{e}");
}

/// An empty SQLite database file whose header says `user_version`
/// (offset 60, big-endian): a page of header, as SQLite writes it.
fn sqlite_with_user_version(version: u32) -> Vec<u8> {
    let mut page = vec![0u8; 4096];
    page[..16].copy_from_slice(b"SQLite format 3\0");
    page[16..18].copy_from_slice(&4096u16.to_be_bytes()); // page size
    page[18] = 1; // write version: legacy
    page[19] = 1; // read version
    page[21] = 64; // max embedded payload fraction
    page[22] = 32; // min
    page[23] = 32; // leaf
    page[24..28].copy_from_slice(&1u32.to_be_bytes()); // change counter
    page[28..32].copy_from_slice(&1u32.to_be_bytes()); // pages in the file
    page[44..48].copy_from_slice(&4u32.to_be_bytes()); // schema format
    page[56..60].copy_from_slice(&1u32.to_be_bytes()); // UTF-8
    page[60..64].copy_from_slice(&version.to_be_bytes());
    page[92..96].copy_from_slice(&1u32.to_be_bytes()); // version-valid-for
    page[96..100].copy_from_slice(&3_054_001u32.to_be_bytes()); // SQLite version
    page[100] = 0x0d; // the schema table's root: an empty leaf page
    page[105..107].copy_from_slice(&4096u16.to_be_bytes());
    page
}

#[cfg(feature = "cli")]
mod cli {
    use super::*;
    use crate::common::voxprep;
    use std::path::PathBuf;

    fn ledger_path() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite");
        fill(&path);
        (dir, path)
    }

    #[test]
    fn status_json_csv_and_human() {
        let (_dir, path) = ledger_path();
        let json = voxprep()
            .args([
                "status",
                "--format",
                "json",
                "--price-fen",
                "12",
                "--ledger",
            ])
            .arg(&path)
            .run()
            .success()
            .json();
        assert_eq!(json["totals"]["delivered"], 2);
        assert_eq!(json["totals"]["unknown"], 1);
        assert_eq!(json["billing"]["billed_units"], 4);
        assert_eq!(json["billing"]["cost"], 48);
        let failed = json["numbers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["phone"] == "13800000002")
            .unwrap();
        assert_eq!(failed["state"], "failed");
        assert_eq!(failed["code"], 9994);
        assert!(failed["meaning"].as_str().unwrap().contains("no account"));
        assert_eq!(json["unmatched"][0]["key"], "NOPE");

        let csv = voxprep()
            .args(["status", "--format", "csv"])
            .env("VOXPREP_LEDGER", &path)
            .run()
            .success()
            .stdout();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 10, "{csv}");
        assert!(lines[0].starts_with("send,request,requested_at,smsid,phone,state,code"));
        assert!(
            lines
                .iter()
                .any(|l| l.contains(",13800000007,rejected,-1011,insufficient balance,")),
            "{csv}"
        );

        voxprep()
            .args(["status", "--ledger"])
            .arg(&path)
            .args(["--pending-older-than", "1m"])
            .run()
            .success()
            .stdout_has("2 delivered, 2 failed, 2 pending, 1 unknown, 1 rejected, 1 not sent")
            .stdout_has("failed    13800000002 9994: message cannot be delivered")
            .stdout_has("no outcome recorded")
            .stdout_has("pending for more than 1m: 2 number(s)")
            .stdout_has("1 status report(s) match no recorded number")
            .stdout_has("billed: at most 4 unit(s) for 2 delivered (answered) call(s)");
    }

    #[test]
    fn status_escapes_control_characters() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite");
        let mut ledger = Ledger::open(&path).unwrap();
        let content = Content::notice("app1", "T1", Some("张三\u{1b}[2J".into()), false)
            .unwrap_or_else(
                // The TTS parameter refuses control characters: then the
                // escape goes in through an unmatched push's smsid instead.
                |_| Content::notice("app1", "T1", None, false).unwrap(),
            );
        let send = ledger
            .record_send(&SendRecord::new(&content, at(0)))
            .unwrap();
        let id = ledger
            .record_request(send, &mobiles(&["13800000001"]), at(0))
            .unwrap();
        ledger
            .record_outcome(
                id,
                &Outcome::OutcomeUnknown {
                    reason: "reset\u{1b}[31m by peer".into(),
                },
                at(1),
            )
            .unwrap();
        let run = voxprep()
            .args(["status", "--ledger"])
            .arg(&path)
            .run()
            .success();
        let out = run.stdout();
        assert!(!out.contains('\u{1b}'), "{out}");
        assert!(out.contains("reset\\u{1b}[31m by peer"), "{out}");
    }

    #[test]
    fn resendable_file() {
        let (dir, path) = ledger_path();
        let file = dir.path().join("again.txt");
        voxprep()
            .args(["status", "--format", "json", "--ledger"])
            .arg(&path)
            .arg("--resendable")
            .arg(&file)
            .run()
            .success()
            .stderr_has("3 number(s) safe to send again");
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "13800000005\n13800000007\n13800000008\n"
        );
        // An existing file is refused before anything, and kept.
        voxprep()
            .args(["status", "--ledger"])
            .arg(&path)
            .arg("--resendable")
            .arg(&file)
            .run()
            .code(2)
            .stderr_has("use --force");
        voxprep()
            .args(["status", "--ledger"])
            .arg(&path)
            .arg("--resendable")
            .arg(&file)
            .args(["--force", "--include-unknown"])
            .run()
            .success()
            .stderr_has("warning: 1 of them belong to requests whose outcome is unknown");
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "13800000005\n13800000006\n13800000007\n13800000008\n"
        );
        // No temporary file left behind.
        assert_eq!(
            std::fs::read_dir(dir.path())
                .unwrap()
                .filter(|e| e
                    .as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp"))
                .count(),
            0
        );
    }

    #[test]
    fn status_on_a_missing_or_foreign_ledger_exits_2() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.sqlite");
        voxprep()
            .args(["status", "--ledger"])
            .arg(&missing)
            .run()
            .code(2)
            .stderr_has("no such file");
        assert!(!missing.exists());
        let junk = dir.path().join("junk.sqlite");
        std::fs::write(&junk, b"not a database, just text that is long enough").unwrap();
        voxprep()
            .args(["status", "--ledger"])
            .arg(&junk)
            .run()
            .code(2)
            .stderr_has("ledger:");
        let newer = dir.path().join("newer.sqlite");
        std::fs::write(&newer, sqlite_with_user_version(99)).unwrap();
        voxprep()
            .args(["status", "--ledger"])
            .arg(&newer)
            .run()
            .code(2)
            .stderr_has("schema version 99 is newer");
    }
}
