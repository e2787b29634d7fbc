//! `voxprep status`: the ledger's report as lines for people (a summary
//! per send, the numbers that need attention), one JSON document, or a
//! CSV row per number.

use super::super::clock::utc_millis;
use super::super::format::{Format, csv_row};
use super::{cell, shown};
use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;
use voxprep::ledger::{Billing, NumberState, NumberStatus, Report, SendSummary, Totals};
use voxprep::provider::StatusCode;

/// How many numbers of one kind the human output lists per send before
/// "and N more".
const LISTED: usize = 20;

/// What `status` shows.
pub struct View<'a> {
    /// The ledger file.
    pub ledger: &'a Path,
    /// The report.
    pub report: &'a Report,
    /// Its billing.
    pub billing: &'a Billing,
    /// With `--pending-older-than`: the age and the numbers.
    pub pending: Option<(Duration, Vec<&'a NumberStatus>)>,
}

/// Write `view` in `format`.
pub fn write(view: &View<'_>, format: Format, w: &mut impl Write) -> io::Result<()> {
    match format {
        Format::Human => human(view, w),
        Format::Json => json(view, w),
        Format::Csv => csv(view, w),
    }
}

/// The code's English meaning, or "unknown code".
fn meaning(code: StatusCode) -> &'static str {
    code.meaning().map_or("unknown code", |m| m.en)
}

fn counts(t: &Totals) -> String {
    format!(
        "{} delivered, {} failed, {} pending, {} unknown, {} rejected, {} not sent",
        t.delivered, t.failed, t.pending, t.unknown, t.rejected, t.not_sent
    )
}

fn what(s: &SendSummary) -> String {
    let fields: Vec<&str> = [s.app.as_deref(), s.template.as_deref(), s.detail.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    shown(&format!("{} {}", s.form, fields.join("|")))
}

fn human(view: &View<'_>, w: &mut impl Write) -> io::Result<()> {
    let r = view.report;
    writeln!(w, "ledger {}", shown(&view.ledger.display().to_string()))?;
    if r.sends.is_empty() {
        writeln!(w, "no send recorded for this selection")?;
    }
    for s in &r.sends {
        writeln!(
            w,
            "send {} at {}: {}, {} request(s), {} number(s)",
            s.send,
            utc_millis(s.created_ms),
            what(s),
            s.requests.len(),
            s.totals.numbers
        )?;
        writeln!(w, "  {}", counts(&s.totals))?;
        for q in &s.requests {
            let how = match (q.status.as_str(), &q.smsid, q.code, q.outcome_ms) {
                (_, _, _, None) => {
                    "outcome unknown: no outcome recorded (the sender stopped before it could)"
                        .to_string()
                }
                ("accepted", Some(id), _, _) => format!("accepted, smsid {}", shown(id)),
                ("rejected", _, Some(c), _) => format!("rejected {}: {}", c, meaning(c)),
                (status, _, _, _) => format!(
                    "{}: {}",
                    status.replace('_', " "),
                    shown(q.reason.as_deref().unwrap_or("-"))
                ),
            };
            if q.status.as_str() != "accepted" || q.smsid.is_none() {
                writeln!(
                    w,
                    "  request {} ({} number(s)): {how}",
                    q.request, q.totals.numbers
                )?;
            }
        }
        for state in [
            NumberState::Failed,
            NumberState::Rejected,
            NumberState::Unknown,
            NumberState::NotSent,
        ] {
            let of: Vec<&NumberStatus> = r
                .numbers
                .iter()
                .filter(|n| n.send == s.send && n.state == state)
                .collect();
            for n in of.iter().take(LISTED) {
                let why = n
                    .code
                    .map(|c| format!(" {c}: {}", meaning(c)))
                    .unwrap_or_default();
                writeln!(w, "  {:<9} {}{why}", state.as_str(), shown(&n.phone))?;
            }
            if of.len() > LISTED {
                writeln!(
                    w,
                    "  ... and {} more {} (--format csv lists every number)",
                    of.len() - LISTED,
                    state.as_str()
                )?;
            }
        }
    }
    if let Some((age, pending)) = &view.pending {
        writeln!(
            w,
            "pending for more than {}: {} number(s)",
            age_words(*age),
            pending.len()
        )?;
        for n in pending {
            writeln!(
                w,
                "  {} request {} smsid {} accepted {}",
                shown(&n.phone),
                n.request,
                shown(n.smsid.as_deref().unwrap_or("-")),
                utc_millis(n.outcome_ms.unwrap_or(n.requested_ms))
            )?;
        }
    }
    if !r.unmatched.is_empty() {
        writeln!(
            w,
            "{} status report(s) match no recorded number (a request of unknown outcome may \
             have gone out, or the send was not recorded here)",
            r.unmatched.len()
        )?;
    }
    writeln!(
        w,
        "total: {} number(s): {}",
        r.totals.numbers,
        counts(&r.totals)
    )?;
    let b = view.billing;
    let mut line = format!(
        "billed: at most {} unit(s) for {} delivered (answered) call(s)",
        b.billed_units.0, r.totals.delivered
    );
    if let (Some(cost), Some(price)) = (b.cost, b.price_per_unit) {
        line.push_str(&format!(" = {cost} at {} fen a unit", price.0));
    }
    if b.delivered_without_units > 0 {
        line.push_str(&format!(
            "; {} delivered call(s) of unknown length not counted",
            b.delivered_without_units
        ));
    }
    writeln!(w, "{line}")?;
    if b.pending_units.0 > 0 || b.unknown_units.0 > 0 {
        writeln!(
            w,
            "may still be billed: up to {} unit(s) pending, up to {} unit(s) of unknown outcome",
            b.pending_units.0, b.unknown_units.0
        )?;
    }
    Ok(())
}

fn age_words(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        s if s % 86_400 == 0 && s > 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 && s > 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 && s > 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// One JSON document.
#[derive(Serialize)]
struct Document<'a> {
    ledger: String,
    totals: &'a Totals,
    billing: &'a Billing,
    sends: &'a [SendSummary],
    numbers: Vec<NumberRow<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pending_older_than: Option<Pending<'a>>,
    unmatched: &'a [voxprep::ledger::Unmatched],
}

#[derive(Serialize)]
struct Pending<'a> {
    seconds: u64,
    numbers: Vec<NumberRow<'a>>,
}

/// A number with its code's meaning, for JSON.
#[derive(Serialize)]
struct NumberRow<'a> {
    #[serde(flatten)]
    number: &'a NumberStatus,
    meaning: Option<&'static str>,
}

fn row(n: &NumberStatus) -> NumberRow<'_> {
    NumberRow {
        number: n,
        meaning: n.code.map(meaning),
    }
}

fn json(view: &View<'_>, w: &mut impl Write) -> io::Result<()> {
    let r = view.report;
    let doc = Document {
        ledger: view.ledger.display().to_string(),
        totals: &r.totals,
        billing: view.billing,
        sends: &r.sends,
        numbers: r.numbers.iter().map(row).collect(),
        pending_older_than: view.pending.as_ref().map(|(age, numbers)| Pending {
            seconds: age.as_secs(),
            numbers: numbers.iter().map(|n| row(n)).collect(),
        }),
        unmatched: &r.unmatched,
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

/// A row per number: every number, or with `--pending-older-than` those.
fn csv(view: &View<'_>, w: &mut impl Write) -> io::Result<()> {
    csv_row(
        w,
        [
            "send",
            "request",
            "requested_at",
            "smsid",
            "phone",
            "state",
            "code",
            "meaning",
            "reported_at",
        ],
    )?;
    let numbers: Vec<&NumberStatus> = match &view.pending {
        Some((_, pending)) => pending.clone(),
        None => view.report.numbers.iter().collect(),
    };
    for n in numbers {
        csv_row(
            w,
            [
                n.send.to_string(),
                n.request.to_string(),
                utc_millis(n.requested_ms),
                n.smsid.clone().unwrap_or_default(),
                n.phone.clone(),
                n.state.as_str().to_string(),
                cell(n.code),
                n.code.map(meaning).unwrap_or_default().to_string(),
                cell(n.reported_ms.map(utc_millis)),
            ],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_in_their_largest_unit() {
        assert_eq!(age_words(Duration::from_secs(1800)), "30m");
        assert_eq!(age_words(Duration::from_secs(7200)), "2h");
        assert_eq!(age_words(Duration::from_secs(86_400)), "1d");
        assert_eq!(age_words(Duration::from_secs(90)), "90s");
    }
}
