//! `voxprep convert` (to be written).

use std::process::ExitCode;

/// Arguments of `voxprep convert`.
#[derive(Debug, clap::Args)]
pub struct ConvertArgs {}

/// Run `voxprep convert`.
pub fn run(_args: ConvertArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("convert: not implemented yet")
}
