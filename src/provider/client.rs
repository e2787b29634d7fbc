//! The blocking HTTP client (ureq 3).
//!
//! ureq 3 has no timeouts by default; we set them all explicitly. Each request
//! goes on a fresh connection (no pool), redirects are not followed and ureq
//! never retries on its own, so one call of ours is at most one request on
//! the wire per attempt, and a new attempt is made only after a failure to
//! connect.

use super::REDACTED;
use super::codes::RejectionScope;
use super::content::{Content, ExtCode};
use super::credentials::Credentials;
use super::numbers::{self, Mobile, Recipients};
use super::outcome::{BatchOutcome, BatchReport, StopCause};
use super::reply::{self, AccountKind, BalanceReply, SubmitReply};
use super::url::{self, BaseUrl};
use super::{Call, ProviderError};
use std::fmt;
use std::io;
use std::time::Duration;

/// The largest reply body read; the real ones are under 100 bytes.
const MAX_BODY: u64 = 64 * 1024;

/// Pause before a new connection attempt, times the attempt number.
const RETRY_PAUSE: Duration = Duration::from_millis(250);

/// Timeouts of every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Name lookup, and separately TCP (and TLS) set-up. Keep it below
    /// `overall`: ureq reports a connection still not made when the overall
    /// timeout fires as an overall timeout, which we must then count as
    /// "outcome unknown".
    pub connect: Duration,
    /// The whole exchange, from the first byte to the end of the reply.
    pub overall: Duration,
}

impl Default for Timeouts {
    /// 5 s to connect, 30 s overall.
    fn default() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(5),
            overall: Duration::from_secs(30),
        }
    }
}

impl Timeouts {
    /// `overall`, with a connect timeout of 5 s or half of `overall`, whichever is shorter.
    pub fn with_overall(overall: Duration) -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(5).min(overall / 2),
            overall,
        }
    }
}

/// One submission, ready to go: at most 200 numbers and the rendered content.
#[derive(Clone)]
pub struct SubmitRequest {
    numbers: Vec<Mobile>,
    content: String,
    url: String,
    redacted_url: String,
}

impl SubmitRequest {
    /// The destination numbers.
    pub fn numbers(&self) -> &[Mobile] {
        &self.numbers
    }

    /// The `Content` text, before percent-encoding.
    pub fn content(&self) -> &str {
        &self.content
    }

    /// The full request URL with the password replaced by `***`: exactly what
    /// goes on the wire otherwise.
    pub fn redacted_url(&self) -> &str {
        &self.redacted_url
    }
}

impl fmt::Debug for SubmitRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubmitRequest")
            .field("numbers", &self.numbers.len())
            .field("content", &self.content)
            .field("url", &self.redacted_url)
            .finish()
    }
}

/// What [`Client::send_with`] tells its journal about one request.
#[derive(Debug)]
pub enum Step<'a> {
    /// The request is about to go out to these numbers.
    Before(&'a [Mobile]),
    /// The request went out (or failed to): its report.
    After(&'a BatchReport),
}

/// A client for one account.
pub struct Client {
    base: BaseUrl,
    credentials: Credentials,
    timeouts: Timeouts,
    connect_retries: u32,
    agent: ureq::Agent,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("credentials", &self.credentials)
            .field("timeouts", &self.timeouts)
            .field("connect_retries", &self.connect_retries)
            .finish_non_exhaustive()
    }
}

/// How a failed attempt ended.
enum Failure {
    /// No connection was made: the request did not leave.
    NotConnected(String),
    /// Connected (or cannot tell): the provider may have the request.
    Unknown(String),
}

impl Client {
    /// A client for `base` (e.g. [`BaseUrl::default`]) and `credentials`.
    ///
    /// # Errors
    /// [`ProviderError::Invalid`] when a timeout is zero.
    pub fn new(
        base: BaseUrl,
        credentials: Credentials,
        timeouts: Timeouts,
    ) -> Result<Client, ProviderError> {
        if timeouts.connect.is_zero() || timeouts.overall.is_zero() {
            return Err(ProviderError::Invalid(
                "timeouts must be longer than zero".into(),
            ));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_resolve(Some(timeouts.connect))
            .timeout_connect(Some(timeouts.connect))
            .timeout_global(Some(timeouts.overall))
            // Read error bodies ourselves, to quote them.
            .http_status_as_error(false)
            // A redirect would send the password and the request again, elsewhere.
            .max_redirects(0)
            // A fresh connection per request: a failure to connect then proves
            // that this very request never left.
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .user_agent(concat!("voxprep/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Client {
            base,
            credentials,
            timeouts,
            connect_retries: 0,
            agent,
        })
    }

    /// Retry a request up to `n` more times when, and only when, no
    /// connection could be made (so it certainly never left).
    pub fn with_connect_retries(mut self, n: u32) -> Client {
        self.connect_retries = n;
        self
    }

    /// The base URL.
    pub fn base_url(&self) -> &BaseUrl {
        &self.base
    }

    /// The timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// The requests that [`Client::send`] would make, in order: one per 200
    /// numbers: what a dry run shows.
    pub fn plan(
        &self,
        content: &Content,
        to: &Recipients,
        ext_code: Option<&ExtCode>,
    ) -> Vec<SubmitRequest> {
        let text = content.render();
        let endpoint = self.base.join("Recv_center");
        to.batches()
            .map(|batch| {
                let des = numbers::join(batch);
                let mut pairs = vec![
                    ("CpName", self.credentials.name()),
                    ("CpPassword", self.credentials.password().expose()),
                    ("DesMobile", des.as_str()),
                    ("Content", text.as_str()),
                ];
                if let Some(ext) = ext_code {
                    pairs.push(("ExtCode", ext.as_str()));
                }
                let url = url::with_query(&endpoint, &pairs);
                SubmitRequest {
                    numbers: batch.to_vec(),
                    content: text.clone(),
                    redacted_url: self.redact_url(&url),
                    url,
                }
            })
            .collect()
    }

    /// Send one request and read its reply.
    ///
    /// # Errors
    /// [`ProviderError::NotSent`], [`ProviderError::OutcomeUnknown`],
    /// [`ProviderError::Http`] or [`ProviderError::UnexpectedBody`]. A
    /// rejection is an `Ok` reply with a non-zero code.
    pub fn submit(&self, request: &SubmitRequest) -> Result<SubmitReply, ProviderError> {
        let endpoint = self.endpoint("Recv_center");
        let body = self.fetch(Call::Submit, &endpoint, &request.url)?;
        reply::parse_submit(&body, &self.credentials).map_err(|p| ProviderError::UnexpectedBody {
            call: Call::Submit,
            endpoint,
            what: p.what,
            excerpt: p.excerpt,
        })
    }

    /// Send `content` to every number of `to`, 200 numbers a request, in
    /// order. A rejection about these numbers or this content does not stop
    /// the others (they carry other numbers). Two things do, and the
    /// remaining requests are [`BatchOutcome::NotAttempted`], never sent, so
    /// they may be sent later without risk: a transport failure, and a
    /// rejection that applies to the whole account (balance, account, IP
    /// address, channel: [`StatusCode::rejection_scope`]).
    ///
    /// [`StatusCode::rejection_scope`]: super::StatusCode::rejection_scope
    pub fn send(
        &self,
        content: &Content,
        to: &Recipients,
        ext_code: Option<&ExtCode>,
    ) -> Vec<BatchReport> {
        self.send_with(content, to, ext_code, |_| {
            Ok::<(), std::convert::Infallible>(())
        })
        .0
    }

    /// [`Client::send`], telling `journal` about each request just before
    /// it goes out ([`Step::Before`]) and just after ([`Step::After`]), so
    /// that a record of it (the ledger) exists before the provider can act
    /// on it. When the journal fails, nothing more is sent: the rest is
    /// [`StopCause::NotRecorded`], and the first failure is returned beside
    /// the reports.
    pub fn send_with<E>(
        &self,
        content: &Content,
        to: &Recipients,
        ext_code: Option<&ExtCode>,
        mut journal: impl FnMut(Step<'_>) -> Result<(), E>,
    ) -> (Vec<BatchReport>, Option<E>) {
        let mut stop: Option<StopCause> = None;
        let mut failure: Option<E> = None;
        let reports = self
            .plan(content, to, ext_code)
            .into_iter()
            .map(|req| {
                if stop.is_none()
                    && let Err(e) = journal(Step::Before(&req.numbers))
                {
                    failure.get_or_insert(e);
                    stop = Some(StopCause::NotRecorded);
                }
                let outcome = if let Some(cause) = stop {
                    BatchOutcome::NotAttempted(cause)
                } else {
                    match self.submit(&req) {
                        Ok(reply) => {
                            if let Some(RejectionScope::Account(_)) = reply.code.rejection_scope() {
                                stop = Some(StopCause::AccountRejected(reply.code));
                            }
                            BatchOutcome::Replied(reply)
                        }
                        Err(e) => {
                            stop = Some(StopCause::TransportFailure);
                            BatchOutcome::Failed(e)
                        }
                    }
                };
                let report = BatchReport {
                    numbers: req.numbers,
                    outcome,
                };
                if !matches!(report.outcome, BatchOutcome::NotAttempted(_))
                    && let Err(e) = journal(Step::After(&report))
                {
                    failure.get_or_insert(e);
                    stop = Some(StopCause::NotRecorded);
                }
                report
            })
            .collect();
        (reports, failure)
    }

    /// The `QueryBlance` URL with the password replaced by `***`.
    pub fn balance_redacted_url(&self) -> String {
        self.redact_url(&self.balance_url())
    }

    fn balance_url(&self) -> String {
        url::with_query(
            &self.base.join("QueryBlance"),
            &[
                ("CpName", self.credentials.name()),
                ("CpPassword", self.credentials.password().expose()),
            ],
        )
    }

    /// `url` with the value of `CpPassword` replaced by a literal `***`
    /// (the key appears once: in values, `=` is percent-encoded), and the
    /// password wherever else it shows (in the content, say).
    fn redact_url(&self, url: &str) -> String {
        let secret = format!(
            "CpPassword={}",
            url::encode(self.credentials.password().expose())
        );
        let url = url.replacen(&secret, &format!("CpPassword={REDACTED}"), 1);
        self.credentials.redact(&url)
    }

    /// The URL of `endpoint` as errors quote it.
    fn endpoint(&self, endpoint: &str) -> String {
        self.credentials.redact(&self.base.join(endpoint))
    }

    /// Query the balance; `kind` says how to read the number. The provider
    /// allows one query a minute (code -2).
    ///
    /// # Errors
    /// As [`Client::submit`]; a refusal is an `Ok` [`BalanceReply::Refused`].
    pub fn balance(&self, kind: AccountKind) -> Result<BalanceReply, ProviderError> {
        let endpoint = self.endpoint("QueryBlance");
        let url = self.balance_url();
        let body = self.fetch(Call::Balance, &endpoint, &url)?;
        reply::parse_balance(&body, kind, &self.credentials).map_err(|p| {
            ProviderError::UnexpectedBody {
                call: Call::Balance,
                endpoint,
                what: p.what,
                excerpt: p.excerpt,
            }
        })
    }

    /// GET `url`, retrying only failures to connect (when asked); return a
    /// 2xx body.
    fn fetch(&self, call: Call, endpoint: &str, url: &str) -> Result<Vec<u8>, ProviderError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.attempt(call, endpoint, url) {
                Ok(body) => return Ok(body),
                Err(Err(e)) => return Err(e),
                Err(Ok(Failure::NotConnected(reason))) => {
                    if attempt > self.connect_retries {
                        let tries = if attempt == 1 {
                            String::new()
                        } else {
                            format!(" ({attempt} attempts)")
                        };
                        return Err(ProviderError::NotSent {
                            call,
                            endpoint: endpoint.to_string(),
                            reason: format!("{reason}{tries}"),
                        });
                    }
                    std::thread::sleep(RETRY_PAUSE * attempt);
                }
                Err(Ok(Failure::Unknown(reason))) => {
                    return Err(ProviderError::OutcomeUnknown {
                        call,
                        endpoint: endpoint.to_string(),
                        reason,
                    });
                }
            }
        }
    }

    /// One request. The nested result keeps "retry may be possible" apart
    /// from final errors.
    fn attempt(
        &self,
        call: Call,
        endpoint: &str,
        url: &str,
    ) -> Result<Vec<u8>, Result<Failure, ProviderError>> {
        let mut response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| Ok(self.classify(&e)))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec();
        let body = match body {
            Ok(b) => b,
            Err(ureq::Error::BodyExceedsLimit(_)) => {
                return Err(Err(ProviderError::UnexpectedBody {
                    call,
                    endpoint: endpoint.to_string(),
                    what: format!("reply is longer than {} KiB", MAX_BODY / 1024),
                    excerpt: String::new(),
                }));
            }
            // Connected and answered: whatever breaks now, the request is there.
            Err(e) => return Err(Ok(Failure::Unknown(self.describe_after_connect(&e)))),
        };
        if !(200..300).contains(&status) {
            let mut excerpt = reply::excerpt(&body, &self.credentials);
            if (300..400).contains(&status)
                && let Some(loc) = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
            {
                let loc = reply::quote(loc.split('?').next().unwrap_or(""), &self.credentials);
                excerpt = format!("redirect to {loc} (not followed) {excerpt}");
            }
            return Err(Err(ProviderError::Http {
                call,
                endpoint: endpoint.to_string(),
                status,
                excerpt,
            }));
        }
        Ok(body)
    }

    /// Sort a ureq error into "never connected" and "may have been received".
    /// Only errors that can happen before the request is written count as the
    /// former; anything else is unknown.
    fn classify(&self, e: &ureq::Error) -> Failure {
        use ureq::Error as E;
        use ureq::Timeout as T;
        let connect = self.timeouts.connect.as_secs_f64();
        match e {
            E::HostNotFound => Failure::NotConnected("host not found".into()),
            E::Timeout(T::Resolve) => {
                Failure::NotConnected(format!("name lookup timed out after {connect} s"))
            }
            E::Timeout(T::Connect) => {
                Failure::NotConnected(format!("could not connect within {connect} s"))
            }
            E::Io(io) if connect_phase_io(io) => {
                Failure::NotConnected(format!("could not connect: {}", io.kind()))
            }
            E::ConnectionFailed | E::ConnectProxyFailed(_) => {
                Failure::NotConnected("could not connect".into())
            }
            E::BadUri(_) | E::Http(_) | E::InvalidProxyUrl | E::RequireHttpsOnly(_) => {
                Failure::NotConnected(format!(
                    "bad request URL: {}",
                    reply::quote(&e.to_string(), &self.credentials)
                ))
            }
            _ => Failure::Unknown(self.describe_after_connect(e)),
        }
    }

    fn describe_after_connect(&self, e: &ureq::Error) -> String {
        match e {
            ureq::Error::Timeout(_) => format!(
                "no complete reply within {} s",
                self.timeouts.overall.as_secs_f64()
            ),
            e => format!(
                "failed after connecting: {}",
                reply::quote(&e.to_string(), &self.credentials)
            ),
        }
    }
}

/// I/O errors that only a connection attempt produces (ureq's own list of
/// address-level connect errors, `is_addr_specific_error`).
fn connect_phase_io(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::AddrNotAvailable
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::new(
            BaseUrl::parse("http://127.0.0.1:9").unwrap(),
            Credentials::try_new("acme", "pa ss&word").unwrap(),
            Timeouts::with_overall(Duration::from_secs(1)),
        )
        .unwrap()
    }

    #[test]
    fn plan_splits_and_redacts() {
        let c = client();
        let numbers: Vec<Mobile> = (0..450)
            .map(|i| Mobile::parse(&format!("139{:08}", i)).unwrap())
            .collect();
        let to = Recipients::new(numbers).unwrap();
        let content = Content::code("1234").unwrap();
        let plan = c.plan(&content, &to, Some(&ExtCode::try_new("8").unwrap()));
        assert_eq!(
            plan.iter().map(|r| r.numbers().len()).collect::<Vec<_>>(),
            [200, 200, 50]
        );
        let r = &plan[2];
        assert!(r.redacted_url().starts_with(
            "http://127.0.0.1:9/Recv_center?CpName=acme&CpPassword=***&DesMobile=13900000400,13900000401,"
        ), "{}", r.redacted_url());
        assert!(r.redacted_url().ends_with(
            "&Content=%E3%80%90%E8%AF%AD%E9%9F%B3%E9%AA%8C%E8%AF%81%E7%A0%81%E3%80%911234&ExtCode=8"
        ));
        assert!(r.url.contains("CpPassword=pa%20ss%26word&"));
        let dbg = format!("{r:?} {c:?}");
        assert!(!dbg.contains("pa ss") && !dbg.contains("pa%20ss"), "{dbg}");
        assert_eq!(
            c.balance_redacted_url(),
            "http://127.0.0.1:9/QueryBlance?CpName=acme&CpPassword=***"
        );
        // The password elsewhere in the URL (here a TTS parameter) too.
        let content = Content::notice("A", "T", Some("pa ss&word".into()), false).unwrap();
        let to = Recipients::parse_list("13800138000").unwrap();
        let url = c.plan(&content, &to, None)[0].redacted_url().to_string();
        assert!(url.ends_with("%7CT%7C***"), "{url}");
    }

    #[test]
    fn connect_refused_is_not_sent_and_retried_only_when_asked() {
        // Bind then drop: the port is (almost certainly) closed now.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = BaseUrl::parse(&format!("http://127.0.0.1:{port}")).unwrap();
        let creds = Credentials::try_new("acme", "pw").unwrap();
        let c = Client::new(base, creds, Timeouts::with_overall(Duration::from_secs(1))).unwrap();
        let e = c.balance(AccountKind::Main).unwrap_err();
        assert!(matches!(e, ProviderError::NotSent { .. }), "{e}");
        assert!(!e.may_have_reached_provider());
        assert!(!e.to_string().contains("attempts"), "{e}");
        let e = c
            .with_connect_retries(2)
            .balance(AccountKind::Main)
            .unwrap_err();
        assert!(e.to_string().contains("(3 attempts)"), "{e}");
    }

    #[test]
    fn zero_timeouts_are_refused() {
        let t = Timeouts {
            connect: Duration::ZERO,
            overall: Duration::from_secs(1),
        };
        let creds = Credentials::try_new("a", "b").unwrap();
        assert!(Client::new(BaseUrl::default(), creds, t).is_err());
    }
}
