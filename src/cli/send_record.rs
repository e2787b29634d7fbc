//! `send`'s record in the ledger: the send once, each request just before
//! it goes out (as outcome unknown), and its outcome just after, so that a
//! crash in between leaves "unknown", never nothing.

use anyhow::{Context, anyhow};
use std::path::PathBuf;
use std::time::SystemTime;
use voxprep::billing::BillingUnits;
use voxprep::ledger::{self, Ledger, Outcome, RequestId, SendId, SendRecord};
use voxprep::provider::{Content, ExtCode, Step};

/// An open ledger and the send being recorded in it.
pub struct Journal {
    ledger: Ledger,
    send: SendId,
    path: PathBuf,
    /// The request that went out last, waiting for its outcome.
    pending: Option<RequestId>,
}

/// Open the ledger `--ledger` names (the default one when `None`; none
/// with `--no-ledger`) and record the send, before any request goes out.
///
/// # Errors
/// When the ledger cannot be opened or written: nothing is sent then.
pub fn open(
    ledger_path: Option<&PathBuf>,
    no_ledger: bool,
    content: &Content,
    ext: Option<&ExtCode>,
    units: Option<u64>,
) -> anyhow::Result<Option<Journal>> {
    if no_ledger {
        return Ok(None);
    }
    let path = match ledger_path {
        Some(p) => p.clone(),
        None => ledger::default_path().ok_or_else(|| {
            anyhow!(
                "no ledger path: give --ledger PATH, set VOXPREP_LEDGER, or --no-ledger \
                 (HOME is not set)"
            )
        })?,
    };
    let ledger = Ledger::open(&path)
        .with_context(|| format!("cannot open the ledger {}; nothing sent", path.display()))?;
    let send = ledger
        .record_send(&SendRecord {
            content,
            ext_code: ext,
            units_per_call: units.map(BillingUnits),
            at: SystemTime::now(),
        })
        .with_context(|| format!("cannot record the send in {}; nothing sent", path.display()))?;
    Ok(Some(Journal {
        ledger,
        send,
        path,
        pending: None,
    }))
}

impl Journal {
    /// Record one step of the send.
    pub fn step(&mut self, step: Step<'_>) -> anyhow::Result<()> {
        let now = SystemTime::now();
        match step {
            Step::Before(numbers) => {
                let id = self.ledger.record_request(self.send, numbers, now)?;
                self.pending = Some(id);
            }
            Step::After(report) => {
                if let Some(id) = self.pending.take() {
                    self.ledger.record_outcome(id, &Outcome::of(report), now)?;
                }
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Journal({})", self.path.display())
    }
}
