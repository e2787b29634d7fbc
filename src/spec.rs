//! The provider's spec as rules: every problem has a stable kebab-case code,
//! a severity and a sentence a person understands. Pure functions, no I/O.
//!
//! (Rules to be written; the types below are the shared vocabulary.)

use serde::Serialize;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Content is doubtful but the provider will accept the file.
    Warning,
    /// The provider will reject the file, or it will not play correctly.
    Error,
}

/// One finding about one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// Stable kebab-case code, e.g. `not-pcm`.
    pub code: &'static str,
    /// A sentence for a person, with the figures.
    pub message: String,
}

impl Problem {
    /// An error with `code` and `message`.
    pub fn error(code: &'static str, message: impl Into<String>) -> Problem {
        Problem { severity: Severity::Error, code, message: message.into() }
    }

    /// A warning with `code` and `message`.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Problem {
        Problem { severity: Severity::Warning, code, message: message.into() }
    }
}

/// The verdict for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Conforms, no warnings.
    Pass,
    /// Conforms, with warnings.
    Warn,
    /// Does not conform (or could not be read).
    Fail,
}

impl Verdict {
    /// The verdict a list of problems adds up to.
    pub fn from_problems(problems: &[Problem]) -> Verdict {
        if problems.iter().any(|p| p.severity == Severity::Error) {
            Verdict::Fail
        } else if problems.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Warn
        }
    }
}
