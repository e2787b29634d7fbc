//! The top-level argument parser and the value parsers several commands
//! share. Each subcommand's flags live beside its `run` function
//! (`check.rs`, `cost.rs`, `convert.rs`, `send.rs`, `balance.rs`,
//! `receive.rs`; `connection.rs` for what `send` and `balance` share).

use clap::{Parser, Subcommand};
use std::time::Duration;

/// Check, convert and bill voice prompts for the QXT voice platform (企信通).
#[derive(Debug, Parser)]
#[command(name = "voxprep", version, about, long_about = None)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check recordings (files or folders) against the provider's spec.
    Check(super::check::CheckArgs),
    /// Billing units and money for a set of recordings and recipients.
    Cost(super::cost::CostArgs),
    /// Convert any audio file into a conforming WAV or VOX.
    Convert(super::convert::ConvertArgs),
    /// Submit a voice notice to the provider.
    #[command(subcommand)]
    Send(super::send::SendCommand),
    /// Query the account balance.
    Balance(super::balance::BalanceArgs),
    /// Serve the provider's pushes (status reports, inbound messages and key
    /// presses) and write each as a line.
    Receive(super::receive::ReceiveArgs),
}

/// A number of seconds: more than 0, at most a day, decimals allowed.
pub fn parse_secs(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !v.is_finite() || v <= 0.0 || v > 86_400.0 {
        return Err(format!(
            "{s:?}: must be more than 0 and at most 86400 seconds"
        ));
    }
    Ok(Duration::from_secs_f64(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn parser_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn seconds() {
        assert_eq!(parse_secs("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_secs(" 86400 "), Ok(Duration::from_secs(86_400)));
        for bad in ["0", "-1", "x", "nan", "inf", "86400.5"] {
            assert!(parse_secs(bad).is_err(), "{bad:?}");
        }
    }
}
