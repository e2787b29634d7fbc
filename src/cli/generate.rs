//! `voxprep completions SHELL` and `voxprep man`: shell completions and the
//! man page, generated from the clap definitions so they cannot drift from
//! the flags.

use super::args::Args;
use clap::CommandFactory;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Write a completion script for a shell.
#[derive(Debug, clap::Args)]
#[command(after_help = super::help::COMPLETIONS)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Write the manual page (roff).
#[derive(Debug, clap::Args)]
#[command(after_help = super::help::MAN)]
pub struct ManArgs {
    /// Write voxprep.1 and a page per subcommand (voxprep-check.1,
    /// voxprep-send-file.1...) into DIR instead of voxprep.1 on stdout.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn completions(a: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = Args::command();
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "voxprep", &mut out);
    write_stdout(&out)
}

pub fn man(a: ManArgs) -> anyhow::Result<ExitCode> {
    let cmd = Args::command();
    let Some(dir) = a.dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut page)?;
        return write_stdout(&page);
    };
    let mut pages = Vec::new();
    collect_pages(cmd, "voxprep", &mut pages);
    for (name, cmd) in pages {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut page)?;
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, &page)
            .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", path.display()))?;
    }
    Ok(ExitCode::from(super::EXIT_OK))
}

/// `cmd` as page `name`, then each subcommand as `name-sub`, depth first.
fn collect_pages(cmd: clap::Command, name: &str, pages: &mut Vec<(String, clap::Command)>) {
    let subs: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .cloned()
        .collect();
    // Named `voxprep-check` (the page), used as `voxprep check`.
    let used_as = name.replace('-', " ");
    pages.push((
        name.to_string(),
        cmd.name(name.to_string()).bin_name(used_as),
    ));
    for sub in subs {
        let sub_name = format!("{name}-{}", sub.get_name());
        collect_pages(sub, &sub_name, pages);
    }
}

fn write_stdout(bytes: &[u8]) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::from(super::EXIT_OK)),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::from(super::EXIT_OK)),
        Err(e) => Err(e.into()),
    }
}
