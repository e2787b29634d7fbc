//! Colour for people at a terminal: verdicts and severities in the human
//! output, as ripgrep does it. `--color auto` (the default) colours only
//! when stdout is a terminal, `TERM` is not `dumb` and `NO_COLOR` is unset
//! or empty (<https://no-color.org>); `always` and `never` decide outright.
//! JSON and CSV are never coloured.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    /// Always (also into a pipe or file).
    Always,
    /// Never.
    Never,
}

static ON: AtomicBool = AtomicBool::new(false);

/// Decide once, at the start of a run.
pub fn init(choice: ColorChoice) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
                && std::io::stdout().is_terminal()
        }
    };
    ON.store(on, Ordering::Relaxed);
}

/// What a word says, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Pass, converted, sent: green.
    Good,
    /// Warn: yellow.
    Warn,
    /// Fail, error: bold red.
    Bad,
}

/// `text` in its tone's colour when colour is on; as it is otherwise. Pad
/// before painting, so that columns stay aligned.
pub fn paint(text: &str, tone: Tone) -> String {
    if !ON.load(Ordering::Relaxed) {
        return text.to_string();
    }
    let code = match tone {
        Tone::Good => "32",
        Tone::Warn => "33",
        Tone::Bad => "1;31",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// A verdict word (`pass`, `warn`, `fail`, any case) painted by its meaning.
pub fn verdict(text: &str) -> String {
    let tone = match text.trim().to_ascii_lowercase().as_str() {
        "pass" | "converted" | "ok" | "accepted" | "sent" => Tone::Good,
        "warn" | "warning" => Tone::Warn,
        _ => Tone::Bad,
    };
    paint(text, tone)
}
