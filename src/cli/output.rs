//! Terminal helpers shared by the commands: progress bars on stderr when it is a terminal.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A progress bar for `len` files on stderr, hidden when stderr is not a terminal.
pub fn progress(len: u64, verb: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{verb} {{bar:30}} {{pos}}/{{len}} {{elapsed_precise}} {{wide_msg}}"
    )) {
        bar.set_style(style);
    }
    bar
}
