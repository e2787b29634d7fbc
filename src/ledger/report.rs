//! The status of sends: requests joined to their status reports (a
//! report's `key` is the request's `smsid`), one [`NumberStatus`] per
//! number of every request, and what the policy makes of them: totals,
//! billed units, pending numbers by age, numbers safe to send again.
//! [`read`] is the only function here that touches the file.

use super::{RequestId, SendId, millis};
use crate::billing::{self, BillingUnits, Fen, Figure, Overflow};
use crate::provider::{Mobile, RejectionScope, SendStatus, StatusCode};
use rusqlite::{Connection, params};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, SystemTime};

/// Status 9995, "message is in an intermediate state": not a final report.
const INTERMEDIATE: StatusCode = StatusCode(9995);

/// Which requests a report covers.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Requests made at or after this time (and status reports received at
    /// or after it); all when `None`.
    pub since: Option<SystemTime>,
    /// Only the request with this `smsid` (and the reports keyed by it).
    pub smsid: Option<String>,
}

/// What became of one number of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberState {
    /// A status report `0`: delivered (for a voice call: answered).
    Delivered,
    /// A final status report other than `0`: the call did not reach the
    /// user; the code says why.
    Failed,
    /// Accepted, and no final report yet (none, or only 9995, "in an
    /// intermediate state").
    Pending,
    /// The request's outcome is unknown: it may have reached the provider.
    Unknown,
    /// The provider refused the request; nobody in it was called.
    Rejected,
    /// The request never left.
    NotSent,
}

impl NumberState {
    /// The serialized name (`delivered`, `failed`, `pending`, `unknown`,
    /// `rejected`, `not_sent`).
    pub fn as_str(self) -> &'static str {
        match self {
            NumberState::Delivered => "delivered",
            NumberState::Failed => "failed",
            NumberState::Pending => "pending",
            NumberState::Unknown => "unknown",
            NumberState::Rejected => "rejected",
            NumberState::NotSent => "not_sent",
        }
    }
}

/// One number of one request and its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberStatus {
    /// The send it belongs to.
    pub send: SendId,
    /// The request.
    pub request: RequestId,
    /// The request's `smsid`, when accepted.
    pub smsid: Option<String>,
    /// The number.
    pub phone: String,
    /// What became of it.
    pub state: NumberState,
    /// The code: of the rejection, of the final (or intermediate) status
    /// report, `0` when delivered; `None` otherwise.
    pub code: Option<StatusCode>,
    /// When the request was recorded, Unix milliseconds.
    pub requested_ms: i64,
    /// When the request's outcome was recorded, Unix milliseconds; `None`
    /// when it never was (in flight, or the sender died).
    pub outcome_ms: Option<i64>,
    /// When the report that decided the state arrived, Unix milliseconds.
    pub reported_ms: Option<i64>,
}

/// Numbers by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    /// Numbers in all (a number sent twice counts twice).
    pub numbers: u64,
    /// [`NumberState::Delivered`].
    pub delivered: u64,
    /// [`NumberState::Failed`].
    pub failed: u64,
    /// [`NumberState::Pending`].
    pub pending: u64,
    /// [`NumberState::Unknown`].
    pub unknown: u64,
    /// [`NumberState::Rejected`].
    pub rejected: u64,
    /// [`NumberState::NotSent`].
    pub not_sent: u64,
}

impl Totals {
    fn add(&mut self, state: NumberState) {
        self.numbers += 1;
        *match state {
            NumberState::Delivered => &mut self.delivered,
            NumberState::Failed => &mut self.failed,
            NumberState::Pending => &mut self.pending,
            NumberState::Unknown => &mut self.unknown,
            NumberState::Rejected => &mut self.rejected,
            NumberState::NotSent => &mut self.not_sent,
        } += 1;
    }
}

/// One request of a send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestSummary {
    /// Its id.
    pub request: RequestId,
    /// Its outcome; `outcome_unknown` until one is recorded.
    pub status: SendStatus,
    /// The `smsid` when accepted.
    pub smsid: Option<String>,
    /// The reply's code (accepted `0`, rejected why).
    pub code: Option<StatusCode>,
    /// The transport failure, for `outcome_unknown` and `not_sent`.
    pub reason: Option<String>,
    /// When it was recorded, Unix milliseconds.
    pub requested_ms: i64,
    /// When its outcome was recorded; `None`: never (in flight, or the
    /// sender died before it could).
    pub outcome_ms: Option<i64>,
    /// Its numbers by state.
    pub totals: Totals,
}

/// One send: what was sent, its requests and its numbers by state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendSummary {
    /// Its id.
    pub send: SendId,
    /// When it started, Unix milliseconds.
    pub created_ms: i64,
    /// `file`, `code`, `tts` or `tts-keypress`.
    pub form: String,
    /// App id (none for a code).
    pub app: Option<String>,
    /// Template id (none for a code).
    pub template: Option<String>,
    /// Recording name, TTS parameter, or the code masked (`****`).
    pub detail: Option<String>,
    /// Billing units of one call played to the end, when known.
    pub units_per_call: Option<BillingUnits>,
    /// Its requests.
    pub requests: Vec<RequestSummary>,
    /// Its numbers by state.
    pub totals: Totals,
}

/// A status report that matches no number of any selected request: its
/// key is no recorded `smsid` (a request whose outcome is unknown, a send
/// made without the ledger, or another ledger's), or its phone was not in
/// that request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmatched {
    /// The report's key (an `smsid`).
    pub key: String,
    /// The phone as pushed.
    pub phone: String,
    /// The status.
    pub status: StatusCode,
    /// When it arrived, Unix milliseconds.
    pub received_ms: i64,
}

/// The status of the selected sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Every selected send with its requests, oldest first.
    pub sends: Vec<SendSummary>,
    /// Every number of every selected request, in request order.
    pub numbers: Vec<NumberStatus>,
    /// All numbers by state.
    pub totals: Totals,
    /// Status reports that match no selected number.
    pub unmatched: Vec<Unmatched>,
}

/// What the selected sends cost, as far as the ledger knows.
///
/// Billed: only calls with a delivered report (`0`), which for a voice
/// call means answered; a call is billed per started 12 s from answer to
/// hang-up, so `units_per_call` (the whole recording played) times the
/// delivered calls is an upper bound of what the provider bills. Failed,
/// rejected and never-sent calls cost nothing; pending and unknown ones
/// may still be billed, and are counted apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Billing {
    /// Units of the delivered calls whose send knows its units per call.
    pub billed_units: BillingUnits,
    /// Delivered calls of sends whose units per call are unknown (not in
    /// `billed_units`).
    pub delivered_without_units: u64,
    /// At most this many more units, if every pending call is answered.
    pub pending_units: BillingUnits,
    /// At most this many more units, for requests whose outcome is
    /// unknown, if every call went out and was answered.
    pub unknown_units: BillingUnits,
    /// `billed_units` at the price given, when one was.
    pub cost: Option<Fen>,
    /// The price per unit given.
    pub price_per_unit: Option<Fen>,
}

/// Whether a number whose call failed with `code` (or whose request was
/// refused with it) may be sent again as it is: the refusal was about the
/// account (balance, account state, address, channel: fixed on the
/// account, see [`RejectionScope::Account`]) or about the moment (rate
/// limits, daily limit, sending hours, system errors, an expired or
/// unrouted message). Not for codes about the number or the content
/// (invalid number, blacklist, filtered words, review), which would fail
/// again, nor -9990 ("the carrier returned no status"), which may have
/// been called.
pub fn retryable(code: StatusCode) -> bool {
    if let Some(RejectionScope::Account(_)) = code.rejection_scope() {
        return true;
    }
    matches!(
        code.0,
        // 单用户接收日上限, 不在允许的下发时间段, 未找到对应的网关消息队列,
        // 系统异常, 消息有效时间已过期, 查找路由失败, 提交通道速度上限,
        // 提交运营商网关速度太快.
        -1017 | -1019 | -1022 | -1099 | 9992 | 9998 | -9999 | -111
    )
}

/// The state of one number from its request's outcome and the status
/// reports `(status, received_ms)` for it: a delivered report wins;
/// else the latest final report; else pending (with 9995 when that came).
fn state_of(
    status: SendStatus,
    code: Option<StatusCode>,
    reports: &[(StatusCode, i64)],
) -> (NumberState, Option<StatusCode>, Option<i64>) {
    match status {
        SendStatus::Rejected => return (NumberState::Rejected, code, None),
        SendStatus::OutcomeUnknown => return (NumberState::Unknown, None, None),
        SendStatus::NotSent => return (NumberState::NotSent, None, None),
        SendStatus::Accepted => {}
    }
    if let Some(&(c, at)) = reports
        .iter()
        .filter(|(c, _)| c.is_ok())
        .min_by_key(|r| r.1)
    {
        return (NumberState::Delivered, Some(c), Some(at));
    }
    if let Some(&(c, at)) = reports
        .iter()
        .filter(|(c, _)| *c != INTERMEDIATE)
        .max_by_key(|r| r.1)
    {
        return (NumberState::Failed, Some(c), Some(at));
    }
    match reports.iter().max_by_key(|r| r.1) {
        Some(&(c, at)) => (NumberState::Pending, Some(c), Some(at)),
        None => (NumberState::Pending, None, None),
    }
}

fn parse_status(s: &str) -> SendStatus {
    match s {
        "accepted" => SendStatus::Accepted,
        "rejected" => SendStatus::Rejected,
        "not_sent" => SendStatus::NotSent,
        _ => SendStatus::OutcomeUnknown,
    }
}

/// A pushed phone as the requests store theirs (`+86`, spaces removed),
/// or as pushed when it is no mobile number.
fn normal_phone(phone: &str) -> String {
    Mobile::parse(phone).map_or_else(|_| phone.to_string(), |m| m.as_str().to_string())
}

/// Read the report for `filter`.
pub(super) fn read(conn: &Connection, filter: &Filter) -> rusqlite::Result<Report> {
    let since = filter.since.map(millis);
    let smsid = filter.smsid.as_deref();

    // Status reports in the window, by (key, phone).
    let mut reports: HashMap<(String, String), Vec<(StatusCode, i64)>> = HashMap::new();
    let mut raw = Vec::new();
    {
        let mut st = conn.prepare(
            "SELECT key, phone, status, received_ms FROM status_reports
             WHERE (?1 IS NULL OR received_ms >= ?1) AND (?2 IS NULL OR key = ?2)
             ORDER BY id",
        )?;
        let rows = st.query_map(params![since, smsid], |r| {
            Ok(Unmatched {
                key: r.get(0)?,
                phone: r.get(1)?,
                status: StatusCode(r.get(2)?),
                received_ms: r.get(3)?,
            })
        })?;
        for row in rows {
            let row = row?;
            reports
                .entry((row.key.clone(), normal_phone(&row.phone)))
                .or_default()
                .push((row.status, row.received_ms));
            raw.push(row);
        }
    }

    let mut sends: BTreeMap<i64, SendSummary> = BTreeMap::new();
    let mut numbers = Vec::new();
    let mut totals = Totals::default();
    let mut matched: HashSet<(String, String)> = HashSet::new();
    let mut st = conn.prepare(
        "SELECT s.id, s.created_ms, s.form, s.app, s.template, s.detail, s.units_per_call,
                r.id, r.status, r.smsid, r.code, r.reason, r.created_ms, r.outcome_ms, n.phone
         FROM requests r
         JOIN sends s ON s.id = r.send_id
         LEFT JOIN request_numbers n ON n.request_id = r.id
         WHERE (?1 IS NULL OR r.created_ms >= ?1) AND (?2 IS NULL OR r.smsid = ?2)
         ORDER BY s.id, r.id, n.phone",
    )?;
    let mut rows = st.query(params![since, smsid])?;
    while let Some(r) = rows.next()? {
        let send_id: i64 = r.get(0)?;
        let send = match sends.entry(send_id) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(SendSummary {
                send: SendId(send_id),
                created_ms: r.get(1)?,
                form: r.get(2)?,
                app: r.get(3)?,
                template: r.get(4)?,
                detail: r.get(5)?,
                units_per_call: r
                    .get::<_, Option<i64>>(6)?
                    .map(|u| BillingUnits(u64::try_from(u).unwrap_or(0))),
                requests: Vec::new(),
                totals: Totals::default(),
            }),
        };
        let request_id = RequestId(r.get(7)?);
        if send.requests.last().map(|q| q.request) != Some(request_id) {
            let status: String = r.get(8)?;
            send.requests.push(RequestSummary {
                request: request_id,
                status: parse_status(&status),
                smsid: r.get(9)?,
                code: r.get::<_, Option<i64>>(10)?.map(StatusCode),
                reason: r.get(11)?,
                requested_ms: r.get(12)?,
                outcome_ms: r.get(13)?,
                totals: Totals::default(),
            });
        }
        let Some(phone) = r.get::<_, Option<String>>(14)? else {
            continue;
        };
        let request = send.requests.last_mut().expect("pushed above");
        let key = (request.smsid.clone().unwrap_or_default(), phone.clone());
        let found = match &request.smsid {
            Some(_) => reports.get(&key).map_or(&[][..], Vec::as_slice),
            None => &[],
        };
        let (state, code, reported_ms) = state_of(request.status, request.code, found);
        if request.smsid.is_some() && !found.is_empty() {
            matched.insert(key);
        }
        request.totals.add(state);
        send.totals.add(state);
        totals.add(state);
        numbers.push(NumberStatus {
            send: send.send,
            request: request.request,
            smsid: request.smsid.clone(),
            phone,
            state,
            code,
            requested_ms: request.requested_ms,
            outcome_ms: request.outcome_ms,
            reported_ms,
        });
    }
    let unmatched = raw
        .into_iter()
        .filter(|u| !matched.contains(&(u.key.clone(), normal_phone(&u.phone))))
        .collect();
    Ok(Report {
        sends: sends.into_values().collect(),
        numbers,
        totals,
        unmatched,
    })
}

impl Report {
    /// Pending numbers whose request was accepted at least `age` before
    /// `now` (by when its outcome was recorded), oldest first.
    pub fn pending_older_than(&self, age: Duration, now: SystemTime) -> Vec<&NumberStatus> {
        let cutoff = millis(now).saturating_sub(i64::try_from(age.as_millis()).unwrap_or(i64::MAX));
        let mut old: Vec<&NumberStatus> = self
            .numbers
            .iter()
            .filter(|n| n.state == NumberState::Pending)
            .filter(|n| n.outcome_ms.unwrap_or(n.requested_ms) <= cutoff)
            .collect();
        old.sort_by_key(|n| n.outcome_ms.unwrap_or(n.requested_ms));
        old
    }

    /// The numbers safe to send again, each once, in the order first
    /// seen. Across every attempt at a number in the report:
    /// - none delivered or pending (it may still be called);
    /// - none of unknown outcome, unless `include_unknown` (it may have
    ///   been called: sending again may call twice);
    /// - its latest attempt of known outcome never left, or failed or was
    ///   refused with a [`retryable`] code (an attempt of unknown outcome
    ///   alone qualifies with `include_unknown`).
    pub fn resendable(&self, include_unknown: bool) -> Vec<String> {
        let mut order: Vec<&str> = Vec::new();
        let mut attempts: HashMap<&str, Vec<&NumberStatus>> = HashMap::new();
        for n in &self.numbers {
            let seen = attempts.entry(n.phone.as_str()).or_default();
            if seen.is_empty() {
                order.push(&n.phone);
            }
            seen.push(n);
        }
        order
            .into_iter()
            .filter(|phone| {
                let all = &attempts[phone];
                if all
                    .iter()
                    .any(|n| matches!(n.state, NumberState::Delivered | NumberState::Pending))
                {
                    return false;
                }
                let unknown = all.iter().any(|n| n.state == NumberState::Unknown);
                if unknown && !include_unknown {
                    return false;
                }
                match all
                    .iter()
                    .filter(|n| n.state != NumberState::Unknown)
                    .max_by_key(|n| (n.requested_ms, n.request))
                {
                    None => unknown,
                    Some(last) => match last.state {
                        NumberState::NotSent => true,
                        NumberState::Failed | NumberState::Rejected => {
                            last.code.is_some_and(retryable)
                        }
                        _ => false,
                    },
                }
            })
            .map(str::to_string)
            .collect()
    }

    /// Billed units (and money at `price` per unit): see [`Billing`].
    ///
    /// # Errors
    /// [`Overflow`] when a figure does not fit in 64 bits.
    pub fn billing(&self, price: Option<Fen>) -> Result<Billing, Overflow> {
        let per = |count: fn(&Totals) -> u64| -> Result<BillingUnits, Overflow> {
            let mut total = 0u64;
            for s in &self.sends {
                if let Some(units) = s.units_per_call {
                    total = units
                        .0
                        .checked_mul(count(&s.totals))
                        .and_then(|u| total.checked_add(u))
                        .ok_or(Overflow(Figure::Units))?;
                }
            }
            Ok(BillingUnits(total))
        };
        let billed_units = per(|t| t.delivered)?;
        Ok(Billing {
            billed_units,
            delivered_without_units: self
                .sends
                .iter()
                .filter(|s| s.units_per_call.is_none())
                .map(|s| s.totals.delivered)
                .sum(),
            pending_units: per(|t| t.pending)?,
            unknown_units: per(|t| t.unknown)?,
            cost: price
                .map(|p| billing::cost(billed_units, p, 1))
                .transpose()?,
            price_per_unit: price,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: StatusCode = StatusCode(0);

    #[test]
    fn a_number_state_from_outcome_and_reports() {
        let acc = SendStatus::Accepted;
        assert_eq!(
            state_of(acc, Some(OK), &[]),
            (NumberState::Pending, None, None)
        );
        assert_eq!(
            state_of(acc, Some(OK), &[(INTERMEDIATE, 5)]),
            (NumberState::Pending, Some(INTERMEDIATE), Some(5))
        );
        assert_eq!(
            state_of(acc, Some(OK), &[(StatusCode(9992), 5), (INTERMEDIATE, 7)]),
            (NumberState::Failed, Some(StatusCode(9992)), Some(5))
        );
        // A delivered report wins over a failure, whatever the order.
        assert_eq!(
            state_of(acc, Some(OK), &[(StatusCode(-9990), 9), (OK, 8)]),
            (NumberState::Delivered, Some(OK), Some(8))
        );
        assert_eq!(
            state_of(SendStatus::Rejected, Some(StatusCode(-1010)), &[(OK, 1)]),
            (NumberState::Rejected, Some(StatusCode(-1010)), None)
        );
        assert_eq!(
            state_of(SendStatus::OutcomeUnknown, None, &[]).0,
            NumberState::Unknown
        );
        assert_eq!(
            state_of(SendStatus::NotSent, None, &[]).0,
            NumberState::NotSent
        );
    }

    #[test]
    fn retryable_codes_are_about_the_account_or_the_moment() {
        for c in [
            -1011, -1006, -1000, -1003, -1018, -1017, -1019, -1099, 9992, 9998, -9999, -111,
        ] {
            assert!(retryable(StatusCode(c)), "{c}");
        }
        for c in [
            0, -1010, -1012, -1013, -1050, 9994, 9996, 9997, -9990, -4242,
        ] {
            assert!(!retryable(StatusCode(c)), "{c}");
        }
    }

    fn number(phone: &str, request: i64, state: NumberState, code: Option<i64>) -> NumberStatus {
        NumberStatus {
            send: SendId(1),
            request: RequestId(request),
            smsid: None,
            phone: phone.into(),
            state,
            code: code.map(StatusCode),
            requested_ms: request * 1000,
            outcome_ms: Some(request * 1000 + 10),
            reported_ms: None,
        }
    }

    fn report(numbers: Vec<NumberStatus>) -> Report {
        Report {
            sends: vec![],
            numbers,
            totals: Totals::default(),
            unmatched: vec![],
        }
    }

    #[test]
    fn resendable_numbers_are_those_certainly_not_called() {
        use NumberState as S;
        let r = report(vec![
            number("1", 1, S::Delivered, Some(0)),
            number("2", 1, S::Failed, Some(9992)),
            number("3", 1, S::Failed, Some(-1010)),
            number("4", 1, S::Pending, None),
            number("5", 1, S::Unknown, None),
            number("6", 1, S::NotSent, None),
            number("7", 1, S::Rejected, Some(-1011)),
            // Failed for good first, then never sent: the latest decides.
            number("8", 1, S::Failed, Some(-1012)),
            number("8", 2, S::NotSent, None),
            // Sent again and delivered: never.
            number("9", 1, S::NotSent, None),
            number("9", 2, S::Delivered, Some(0)),
            // Unknown once, then refused for the account.
            number("10", 1, S::Unknown, None),
            number("10", 2, S::Rejected, Some(-1011)),
        ]);
        assert_eq!(r.resendable(false), ["2", "6", "7", "8"]);
        assert_eq!(r.resendable(true), ["2", "5", "6", "7", "8", "10"]);
    }

    #[test]
    fn pending_by_age() {
        use NumberState as S;
        let r = report(vec![
            number("1", 1, S::Pending, None),
            number("2", 5, S::Pending, None),
            number("3", 1, S::Delivered, Some(0)),
        ]);
        let now = super::super::time_of(6_000);
        let old: Vec<&str> = r
            .pending_older_than(Duration::from_secs(2), now)
            .iter()
            .map(|n| n.phone.as_str())
            .collect();
        assert_eq!(old, ["1"]);
        assert_eq!(r.pending_older_than(Duration::ZERO, now).len(), 2);
    }
}
