//! Command-line glue: parse arguments, call the library, render, pick an exit code.
//! Binary only; declared from `main.rs`, never from `lib.rs`.

mod args;
mod balance;
mod check;
mod clock;
mod connection;
mod convert;
mod cost;
mod credentials;
mod format;
mod generate;
mod help;
mod journal;
mod output;
mod package;
mod paint;
mod receive;
mod recipients;
mod render;
mod send;
mod send_record;
mod status;
mod stdin;
mod template;
mod unsent;
mod values;

use clap::Parser;
use std::process::ExitCode;

pub use args::{Args, Command};

/// Everything passed (warnings allowed).
pub const EXIT_OK: u8 = 0;
/// Some file failed (or warned, with `--strict`); the provider rejected a request.
pub const EXIT_FAIL: u8 = 1;
/// Usage or validation error, or nothing could be read at all.
pub const EXIT_USAGE: u8 = 2;
/// Transport error talking to the provider.
pub const EXIT_TRANSPORT: u8 = 3;
/// Stopped by SIGINT (Ctrl-C), SIGTERM or SIGHUP: 128 + SIGINT, as shells
/// report Ctrl-C.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Called on SIGINT, SIGTERM or SIGHUP: true when a running command stops
/// gently on its own (`receive` finishes the pushes in progress), false
/// when the process should exit at once.
pub fn stop_gently() -> bool {
    receive::interrupt()
}

/// An error for stderr, once: a library error in the command line's words
/// (its message already holds its causes); anything else with its chain.
pub fn words(err: &anyhow::Error) -> String {
    if let Some(e) = err.downcast_ref::<voxprep::Error>() {
        return render::error_words(e);
    }
    let mut text = err.to_string();
    for cause in err.chain().skip(1) {
        text.push_str(": ");
        text.push_str(&cause.to_string());
    }
    text
}

/// Parse the process arguments and run the chosen command.
pub fn run() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    paint::init(args.color);
    match args.command {
        Command::Check(a) => check::run(a),
        Command::Cost(a) => cost::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Package(a) => package::run(a),
        Command::Send(a) => send::run(a),
        Command::Template(a) => template::run(a),
        Command::Balance(a) => balance::run(a),
        Command::Receive(a) => receive::run(a),
        Command::Status(a) => status::run(a),
        Command::Completions(a) => generate::completions(a),
        Command::Man(a) => generate::man(a),
    }
}
