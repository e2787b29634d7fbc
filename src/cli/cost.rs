//! `voxprep cost` (to be written).

use std::process::ExitCode;

/// Arguments of `voxprep cost`.
#[derive(Debug, clap::Args)]
pub struct CostArgs {}

/// Run `voxprep cost`.
pub fn run(_args: CostArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("cost: not implemented yet")
}
