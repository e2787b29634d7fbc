//! The top-level argument parser and the value parsers several commands
//! share. Each subcommand's flags live beside its `run` function
//! (`check.rs`, `cost.rs`, `template.rs`, `convert.rs`, `send.rs`,
//! `balance.rs`, `receive.rs`, `status.rs`; `connection.rs` for what `send` and `balance` share).

use clap::{Parser, Subcommand};

/// Check, convert and bill voice prompts for the QXT voice platform (企信通).
#[derive(Debug, Parser)]
#[command(name = "voxprep", version, about, long_about = None)]
pub struct Args {
    /// When to colour the human output: auto (a terminal, and NO_COLOR
    /// unset), always or never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = super::paint::ColorChoice::Auto)]
    pub color: super::paint::ColorChoice,
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
    /// Check TTS template texts and estimate what a call of each costs.
    #[command(subcommand)]
    Template(super::template::TemplateCommand),
    /// Convert any audio file into a conforming WAV or VOX.
    Convert(super::convert::ConvertArgs),
    /// Make the filing package: recordings made conforming, paired with
    /// their texts, and a manifest (CSV and Excel) of names, texts,
    /// durations, billing units and hashes.
    Package(super::package::PackageArgs),
    /// Submit a voice notice to the provider.
    #[command(subcommand)]
    Send(super::send::SendCommand),
    /// Query the account balance.
    Balance(super::balance::BalanceArgs),
    /// Serve the provider's pushes (status reports, inbound messages and key
    /// presses) and write each as a line.
    Receive(super::receive::ReceiveArgs),
    /// What became of the sends recorded in the ledger: delivered, failed
    /// and why, pending, unknown; what it cost; what to send again.
    Status(super::status::StatusArgs),
    /// Write a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(super::generate::CompletionsArgs),
    /// Write the manual page.
    Man(super::generate::ManArgs),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn parser_is_consistent() {
        Args::command().debug_assert();
    }
}
