//! The options `send` and `balance` share (where the provider is, how long to
//! wait, how to write the results) and the one place a provider client is
//! built from them and the environment.

use super::credentials::{self, ENV_NAME, ENV_PASSWORD};
use super::format::Format;
use super::values::parse_secs;
use anyhow::anyhow;
use std::time::Duration;
use voxprep::provider::{
    BaseUrl, BaseUrlError, BaseUrlProblem, Client, Credentials, DEFAULT_BASE_URL, Timeouts,
};

/// Options shared by `send` and `balance`.
#[derive(Debug, clap::Args)]
pub struct ConnArgs {
    /// The provider's base URL.
    #[arg(long, env = "QXT_BASE_URL", value_name = "URL", default_value = DEFAULT_BASE_URL)]
    pub base_url: String,
    /// Overall timeout of each request, in seconds (decimals allowed).
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_secs)]
    pub timeout: Duration,
    /// Connect timeout, in seconds [default: 5, or half of --timeout if shorter].
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    pub connect_timeout: Option<Duration>,
    /// Try again up to N times when no connection could be made. A request
    /// that may have reached the provider is never sent again.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retry_connect: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Validate and print the request(s), password shown as ***; send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// A client for the account in the environment, as `conn` says.
pub fn client(conn: &ConnArgs) -> anyhow::Result<Client> {
    let credentials = credentials::from_env()?;
    let base = BaseUrl::parse(&conn.base_url).map_err(|e| base_url_error(&e, &credentials))?;
    let mut timeouts = Timeouts::with_overall(conn.timeout);
    if let Some(c) = conn.connect_timeout {
        timeouts.connect = c;
    }
    Ok(Client::new(base, credentials, timeouts)?.with_connect_retries(conn.retry_connect))
}

/// The library's refusal of `--base-url`, with where the credentials come
/// from when the URL tried to carry them.
fn base_url_error(e: &BaseUrlError, credentials: &Credentials) -> anyhow::Error {
    // The URL is quoted: keep a password pasted into it out of the message.
    let message = credentials.redact(&e.to_string());
    match e.problem {
        BaseUrlProblem::UserInfo => {
            anyhow!("{message}; the account and password come from {ENV_NAME} and {ENV_PASSWORD}")
        }
        _ => anyhow!(message),
    }
}
