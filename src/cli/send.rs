//! `voxprep send` and `voxprep balance` (to be written).

use std::process::ExitCode;

/// The forms of `voxprep send`.
#[derive(Debug, clap::Subcommand)]
pub enum SendCommand {
    /// Placeholder.
    File,
}

/// Arguments of `voxprep balance`.
#[derive(Debug, clap::Args)]
pub struct BalanceArgs {}

/// Run `voxprep send`.
pub fn run_send(_cmd: SendCommand) -> anyhow::Result<ExitCode> {
    anyhow::bail!("send: not implemented yet")
}

/// Run `voxprep balance`.
pub fn run_balance(_args: BalanceArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("balance: not implemented yet")
}
