//! `voxprep balance`: read the balance through `QueryBlance`.
//!
//! Exit codes: 0 the balance was read, 1 the provider refused it (a negative
//! code), 2 usage error, 3 transport error.

use super::connection::{self, ConnArgs};
use super::render;
use super::{EXIT_FAIL, EXIT_OK, EXIT_TRANSPORT, EXIT_USAGE};
use std::io::Write;
use std::process::ExitCode;
use voxprep::provider::{AccountKind, BalanceReply, ProviderError};

/// Arguments of `voxprep balance`.
#[derive(Debug, clap::Args)]
#[command(after_help = super::help::BALANCE)]
pub struct BalanceArgs {
    /// The account is a sub-account: the number is messages left, not fen.
    #[arg(long)]
    pub sub_account: bool,
    /// Connection options.
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Run `voxprep balance`.
pub fn run(args: BalanceArgs) -> anyhow::Result<ExitCode> {
    let client = connection::client(&args.conn)?;
    let kind = if args.sub_account {
        AccountKind::Sub
    } else {
        AccountKind::Main
    };
    let format = args.conn.format;
    let mut out = std::io::stdout().lock();
    if args.conn.dry_run {
        render::balance::write_plan(&client.balance_redacted_url(), format, &mut out)
            .and_then(|()| out.flush())?;
        return Ok(ExitCode::from(EXIT_OK));
    }
    let reply = client.balance(kind);
    render::balance::write_reply(&reply, format, &mut out).and_then(|()| out.flush())?;
    drop(out);
    let code = match &reply {
        Ok(BalanceReply::Balance(_)) => EXIT_OK,
        Ok(BalanceReply::Refused(_)) => EXIT_FAIL,
        Err(e) => {
            eprintln!("voxprep: error: {e}");
            error_exit(e)
        }
    };
    Ok(ExitCode::from(code))
}

fn error_exit(e: &ProviderError) -> u8 {
    match e {
        ProviderError::Invalid(_) => EXIT_USAGE,
        _ => EXIT_TRANSPORT,
    }
}

#[cfg(test)]
mod tests {
    use super::super::format::Format;
    use super::super::{Args, Command};
    use clap::Parser;
    use std::time::Duration;

    #[test]
    fn parses() {
        let a = Args::try_parse_from(["voxprep", "balance", "--sub-account"]).unwrap();
        let Command::Balance(b) = a.command else {
            panic!()
        };
        assert!(b.sub_account && b.conn.timeout == Duration::from_secs(30));
        let a = Args::try_parse_from(["voxprep", "balance", "--format", "csv"]).unwrap();
        let Command::Balance(b) = a.command else {
            panic!()
        };
        assert_eq!(b.conn.format, Format::Csv);
    }
}
