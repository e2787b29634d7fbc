//! What became of each request of a send, as types: a [`BatchReport`] per
//! request, its [`BatchOutcome`], and the [`SendStatus`] that sums it up in
//! one word.

use super::ProviderError;
use super::codes::{RejectionScope, StatusCode};
use super::numbers::Mobile;
use super::reply::SubmitReply;
use serde::Serialize;
use std::fmt;

/// What became of one request, in one word. Serialized in snake case
/// (`accepted`, `rejected`, `outcome_unknown`, `not_sent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SendStatus {
    /// The provider accepted the request (code `0`).
    Accepted,
    /// The provider replied with another code: it will not call these numbers.
    Rejected,
    /// The request may have reached the provider but no reply was understood
    /// (a timeout or broken connection after connecting, an HTTP error, an
    /// unreadable reply): check the status reports before sending again.
    OutcomeUnknown,
    /// The request certainly never left (no connection could be made, or it
    /// was not attempted after an earlier failure): it may be sent again.
    NotSent,
}

impl SendStatus {
    /// The serialized name: `accepted`, `rejected`, `outcome_unknown` or `not_sent`.
    pub fn as_str(self) -> &'static str {
        match self {
            SendStatus::Accepted => "accepted",
            SendStatus::Rejected => "rejected",
            SendStatus::OutcomeUnknown => "outcome_unknown",
            SendStatus::NotSent => "not_sent",
        }
    }
}

impl fmt::Display for SendStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What became of one request.
#[derive(Debug, Clone)]
pub enum BatchOutcome {
    /// The provider replied; the reply says accepted or rejected.
    Replied(SubmitReply),
    /// The request failed (never sent, or outcome unknown; see the error).
    Failed(ProviderError),
    /// Not attempted, because of what happened to an earlier request.
    NotAttempted(StopCause),
}

/// Why the requests after one were not attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopCause {
    /// An earlier request failed in transport (never sent, or its outcome
    /// unknown).
    TransportFailure,
    /// The provider refused an earlier request with a code that applies to
    /// the whole account ([`RejectionScope::Account`]): the rest would be
    /// refused too.
    AccountRejected(StatusCode),
    /// The caller's record of the send (the ledger) could not be written,
    /// so no further request went out: a request that is not on record
    /// could not be told apart from one never made.
    NotRecorded,
}

impl BatchOutcome {
    /// The outcome in one word.
    pub fn status(&self) -> SendStatus {
        match self {
            BatchOutcome::Replied(reply) if reply.accepted() => SendStatus::Accepted,
            BatchOutcome::Replied(_) => SendStatus::Rejected,
            BatchOutcome::Failed(e) if e.may_have_reached_provider() => SendStatus::OutcomeUnknown,
            BatchOutcome::Failed(_) | BatchOutcome::NotAttempted(_) => SendStatus::NotSent,
        }
    }
}

/// One request of a send and its outcome.
#[derive(Debug, Clone)]
pub struct BatchReport {
    /// The numbers of this request.
    pub numbers: Vec<Mobile>,
    /// What happened.
    pub outcome: BatchOutcome,
}

impl BatchReport {
    /// The outcome in one word (see [`BatchOutcome::status`]).
    pub fn status(&self) -> SendStatus {
        self.outcome.status()
    }

    /// The reply's code when the provider refused the request for the
    /// whole account ([`RejectionScope::Account`]).
    pub fn account_rejection(&self) -> Option<StatusCode> {
        match &self.outcome {
            BatchOutcome::Replied(reply)
                if matches!(
                    reply.code.rejection_scope(),
                    Some(RejectionScope::Account(_))
                ) =>
            {
                Some(reply.code)
            }
            _ => None,
        }
    }

    /// Whether nobody in this request was called and it may be sent again
    /// as it is: it never left ([`SendStatus::NotSent`]), or the provider
    /// refused it for the whole account (once the account is put right, the
    /// same request can go). Not for an outcome unknown (it may have been
    /// acted on) nor for a rejection about these numbers or this content
    /// (sending it again would be refused again).
    pub fn unsent(&self) -> bool {
        self.status() == SendStatus::NotSent || self.account_rejection().is_some()
    }
}

/// The numbers of every [`BatchReport::unsent`] request, in order: what may
/// be sent again.
pub fn unsent_numbers(reports: &[BatchReport]) -> Vec<Mobile> {
    reports
        .iter()
        .filter(|r| r.unsent())
        .flat_map(|r| r.numbers.iter().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{Call, StatusCode};

    fn replied(code: i64) -> BatchOutcome {
        BatchOutcome::Replied(SubmitReply {
            code: StatusCode(code),
            smsid: (code == 0).then(|| "E725".to_string()),
        })
    }

    #[test]
    fn every_outcome_has_its_status() {
        let unknown = ProviderError::OutcomeUnknown {
            call: Call::Submit,
            endpoint: "http://h/Recv_center".into(),
            reason: "no complete reply within 1 s".into(),
        };
        let never = ProviderError::NotSent {
            call: Call::Submit,
            endpoint: "http://h/Recv_center".into(),
            reason: "could not connect".into(),
        };
        let http = ProviderError::Http {
            call: Call::Submit,
            endpoint: "http://h/Recv_center".into(),
            status: 500,
            excerpt: String::new(),
        };
        let cases = [
            (replied(0), SendStatus::Accepted),
            (replied(-1010), SendStatus::Rejected),
            (replied(9994), SendStatus::Rejected),
            (BatchOutcome::Failed(unknown), SendStatus::OutcomeUnknown),
            (BatchOutcome::Failed(http), SendStatus::OutcomeUnknown),
            (BatchOutcome::Failed(never), SendStatus::NotSent),
            (
                BatchOutcome::NotAttempted(StopCause::TransportFailure),
                SendStatus::NotSent,
            ),
            (
                BatchOutcome::NotAttempted(StopCause::AccountRejected(StatusCode(-1011))),
                SendStatus::NotSent,
            ),
        ];
        for (outcome, want) in cases {
            assert_eq!(outcome.status(), want, "{outcome:?}");
        }
    }

    #[test]
    fn unsent_numbers_are_those_nobody_was_called_on() {
        let report = |n: &str, outcome| BatchReport {
            numbers: vec![crate::provider::Mobile::parse(n).unwrap()],
            outcome,
        };
        let unknown = ProviderError::OutcomeUnknown {
            call: Call::Submit,
            endpoint: "http://h/Recv_center".into(),
            reason: "garbage".into(),
        };
        let reports = [
            report("13800138000", replied(0)),
            report("13800138001", replied(-1010)),
            report("13800138002", replied(-1011)),
            report("13800138003", BatchOutcome::Failed(unknown)),
            report(
                "13800138004",
                BatchOutcome::NotAttempted(StopCause::TransportFailure),
            ),
        ];
        let numbers = unsent_numbers(&reports);
        let unsent: Vec<&str> = numbers.iter().map(|m| m.as_str()).collect();
        assert_eq!(unsent, ["13800138002", "13800138004"]);
        assert_eq!(reports[2].account_rejection(), Some(StatusCode(-1011)));
        assert_eq!(reports[1].account_rejection(), None);
    }

    #[test]
    fn statuses_serialize_as_their_names() {
        for s in [
            SendStatus::Accepted,
            SendStatus::Rejected,
            SendStatus::OutcomeUnknown,
            SendStatus::NotSent,
        ] {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        assert_eq!(SendStatus::OutcomeUnknown.to_string(), "outcome_unknown");
    }
}
