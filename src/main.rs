//! The `voxprep` binary: a thin adapter over the library (see `cli`).

mod cli;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Ctrl-C, `kill` or `timeout` would otherwise leave the hidden temporary
    // files of conversions in progress beside their outputs.
    let _ = ctrlc::set_handler(|| {
        if cli::stop_gently() {
            return;
        }
        let removed = voxprep::convert::remove_temporary_files();
        let mut stderr = std::io::stderr();
        let _ = match removed {
            0 => writeln!(stderr, "voxprep: interrupted"),
            n => writeln!(
                stderr,
                "voxprep: interrupted; removed {n} unfinished output file(s)"
            ),
        };
        std::process::exit(i32::from(cli::EXIT_INTERRUPTED));
    });
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`voxprep check dir | head`) is not a failure.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(
                std::io::stderr().lock(),
                "voxprep: error: {}",
                cli::words(&err)
            );
            ExitCode::from(cli::EXIT_USAGE)
        }
    }
}
