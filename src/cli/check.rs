//! `voxprep check` (to be written).

use std::process::ExitCode;

/// Arguments of `voxprep check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {}

/// Run `voxprep check`.
pub fn run(_args: CheckArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("check: not implemented yet")
}
