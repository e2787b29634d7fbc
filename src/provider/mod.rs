//! The provider's HTTP API (provider-api.md and the Chinese original
//! provider-api.zh.txt, sections 1, 3 and 6): submit voice notices through
//! `Recv_center`, read the balance through `QueryBlance`.
//!
//! - [`Content`]: what to send, one variant per form, validated.
//! - [`Recipients`]: validated, de-duplicated mobile numbers, sent 200 a request.
//! - [`Client`]: blocking (ureq 3) with explicit connect and overall timeouts.
//!
//! Money and secrets come first:
//! - a request is never sent again on its own once it may have reached the
//!   provider: a timeout or a broken connection after connecting is reported as
//!   "outcome unknown: check the status reports before sending again"; only a
//!   failure to connect is retried, and only when asked
//!   ([`Client::with_connect_retries`]);
//! - the password prints as `***` in `Debug`, in errors and in
//!   [`SubmitRequest::redacted_url`]; a provider body, a header value or a
//!   transport error is quoted only as a short excerpt with every encoding
//!   of the password removed ([`Credentials::redact`], docs/secrets.md).
//!
//! Where the English rendering (provider-api.md) and the Chinese original
//! (provider-api.zh.txt) differ, the original wins:
//! - `ExtCode`: the English table calls it optional; the original only says
//!   "填外呼长号码" (fill in the long outbound number). Its example URL leaves it
//!   out, so we send it only when given.
//! - `DesMobile`: neither text names a separator for several numbers; only
//!   code -1007 ("限制200条") implies batches. We send commas (the English note).
//! - `Content`: the original says "UTF-8编码"; percent-encoding is the English
//!   gloss, and what any URL needs.
//! - `QueryBlance` codes: the original prints -1, -2, -3 with an en dash
//!   ("–1"); the balance reply's parser accepts U+2013 as a minus sign.
//! - The original's heading writes `recv_center` in lower case; its example
//!   URL, which we follow, has `Recv_center`.
//! - A TTS template without a variable: the original always shows three
//!   fields; we send an empty third field (see [`Content::render`]).
//!
//! The two pushes the provider makes to the partner's own URLs (status
//! reports, section 2; inbound messages and key presses, section 4) are
//! parsed by [`push`] and served by [`receiver`], a small bounded HTTP server.
//!
//! ```no_run
//! use voxprep::provider::{Client, Content, Credentials, Recipients, Timeouts, BaseUrl};
//! let client = Client::new(
//!     BaseUrl::default(),
//!     Credentials::try_new("acme", "secret")?,
//!     Timeouts::default(),
//! )?;
//! let content = Content::file("app1", "T7", "welcome.wav")?;
//! let to = Recipients::parse_list("13800138000,+86 139 0013 9000")?;
//! for batch in client.send(&content, &to, None) {
//!     println!("{} numbers: {}", batch.numbers.len(), batch.status());
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod client;
mod codes;
mod content;
mod credentials;
mod numbers;
mod outcome;
pub mod push;
pub mod receiver;
mod redact;
mod reply;
mod url;

pub use client::{Client, Step, SubmitRequest, Timeouts};
pub use codes::{AccountProblem, BalanceCode, Meaning, RejectionScope, StatusCode};
pub use content::{Content, ExtCode, Field, RecordingName, VerificationCode};
pub use credentials::{Credentials, Password};
pub use numbers::{MAX_PER_REQUEST, Mobile, Recipients};
pub use outcome::{BatchOutcome, BatchReport, SendStatus, StopCause, unsent_numbers};
pub use reply::{AccountKind, Balance, BalanceReply, SubmitReply};
pub use url::{BaseUrl, BaseUrlError, BaseUrlProblem, DEFAULT_BASE_URL};

/// The reply parsers, with their error as the text a [`ProviderError`]
/// would carry (what is wrong, then the redacted excerpt): the entry points
/// of the fuzz target `reply` and its regression test.
#[doc(hidden)]
pub mod fuzzing {
    use super::{AccountKind, BalanceReply, Credentials, SubmitReply, reply};

    /// Parse a submit reply body.
    ///
    /// # Errors
    /// What is wrong, and the excerpt.
    pub fn parse_submit(body: &[u8], credentials: &Credentials) -> Result<SubmitReply, String> {
        reply::parse_submit(body, credentials).map_err(|p| format!("{}: {}", p.what, p.excerpt))
    }

    /// Parse a balance reply body.
    ///
    /// # Errors
    /// What is wrong, and the excerpt.
    pub fn parse_balance(
        body: &[u8],
        kind: AccountKind,
        credentials: &Credentials,
    ) -> Result<BalanceReply, String> {
        reply::parse_balance(body, kind, credentials)
            .map_err(|p| format!("{}: {}", p.what, p.excerpt))
    }

    /// The excerpt of `body` an error would quote.
    pub fn excerpt(body: &[u8], credentials: &Credentials) -> String {
        reply::excerpt(body, credentials)
    }
}

use std::fmt;

/// What every rendering of a secret shows in place of it.
pub(crate) const REDACTED: &str = "***";

/// Which call failed; it decides what a failure means for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `Recv_center`: a failure after connecting may have sent messages.
    Submit,
    /// `QueryBlance`: no side effect.
    Balance,
}

impl Call {
    fn unknown_outcome(self) -> &'static str {
        match self {
            Call::Submit => "outcome unknown: check the status reports before sending again",
            Call::Balance => "no balance was read",
        }
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Call::Submit => "Recv_center",
            Call::Balance => "QueryBlance",
        })
    }
}

/// Errors talking to the provider. Messages never contain the password;
/// endpoints are quoted without their query.
///
/// A rejection with a status code is *not* an error: it is a
/// [`SubmitReply`] or a [`BalanceReply::Refused`].
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// Invalid input (content field, number, base URL, credentials): nothing was sent.
    #[error("provider: {0}")]
    Invalid(String),
    /// The request never left: the connection could not be made. Safe to send again.
    #[error("provider: {call} request was never sent: {reason} ({endpoint})")]
    NotSent {
        /// Which call.
        call: Call,
        /// The URL without its query.
        endpoint: String,
        /// What happened, with the number of attempts.
        reason: String,
    },
    /// The connection was made, then the exchange failed (timeout, reset):
    /// the provider may have acted on the request.
    #[error("provider: {call} {reason} ({endpoint}); {}", call.unknown_outcome())]
    OutcomeUnknown {
        /// Which call.
        call: Call,
        /// The URL without its query.
        endpoint: String,
        /// What happened.
        reason: String,
    },
    /// The provider (or something in front of it) answered with an HTTP error status.
    #[error("provider: {call} answered HTTP {status} ({endpoint}), body {excerpt:?}; {}", call.unknown_outcome())]
    Http {
        /// Which call.
        call: Call,
        /// The URL without its query.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body, redacted.
        excerpt: String,
    },
    /// A reply came but could not be understood.
    #[error("provider: {call} {what} ({endpoint}), body {excerpt:?}; {}", call.unknown_outcome())]
    UnexpectedBody {
        /// Which call.
        call: Call,
        /// The URL without its query.
        endpoint: String,
        /// What is wrong.
        what: String,
        /// The start of the body, redacted.
        excerpt: String,
    },
}

impl ProviderError {
    /// Whether the request may have reached the provider (so it must not be
    /// sent again blindly). `false` for [`ProviderError::Invalid`] and
    /// [`ProviderError::NotSent`].
    pub fn may_have_reached_provider(&self) -> bool {
        !matches!(
            self,
            ProviderError::Invalid(_) | ProviderError::NotSent { .. }
        )
    }
}
