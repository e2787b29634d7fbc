//! The provider's spec as policy: facts about a file (from the RIFF walker,
//! the signal analysis, the VOX analysis) in, [`Problem`]s out. Every
//! problem has a stable [`Code`], a severity and a sentence a person
//! understands, with the figures. Pure functions, no I/O.
//!
//! The provider accepts two kinds of recording (provider-api.md, section 5):
//! WAV holding plain Windows PCM (format tag 1), 16-bit, mono, 8000 or
//! 11025 Hz; and headerless VOX (4-bit Dialogic ADPCM at 8000 Hz).
//!
//! - WAV: [`wav_problems`] from what [`crate::wav::inspect`] found;
//!   [`conforms`] says whether there is no error.
//! - VOX: [`vox_problems`] from the file's length and first bytes;
//!   [`vox_stream_problems`] from the analysis of its decoded stream
//!   ([`not_adpcm`] from its screen alone, which decoding also runs);
//!   [`vox_rate_suspects`] from the voices of the `.vox` files checked
//!   together ([`crate::voice`]).
//! - Samples: [`signal_problems`] from [`crate::signal::SignalStats`].
//! - Files of other kinds: [`audio_kind`], [`not_accepted`], [`not_audio`],
//!   [`wrong_extension`], [`unreadable`].
//!
//! Every code, with its severity and meaning, is in [`Code`]; what
//! converting does about each is [`Code::remedy`].

mod code;
mod file;
mod signal;
#[cfg(test)]
mod tests;
mod vox;
mod wav;

pub use code::{Adjustment, Code, Remedy};
pub(crate) use file::empty_file;
pub use file::{
    AudioKind, audio_kind, is_audio_extension, not_accepted, not_audio, unreadable, wrong_extension,
};
pub use signal::{MIN_DC_OFFSET_S, MIN_RAIL_SAMPLES, PILEUP_MIN_SCORE, signal_problems};
pub use vox::{
    DISAGREEMENT_SNR_LIMIT_DB, DRIFT_LIMIT, MIN_STATE_ERRORS, RAILS_SHARE_LIMIT,
    STATE_ERROR_SHARE_LIMIT, SUSPECT_MIN_BATCH, SUSPECT_MIN_VOICED_FRAMES, SUSPECT_SCORE,
    VoxRateScore, not_adpcm, vox_problems, vox_rate, vox_rate_scores, vox_rate_suspects,
    vox_stream_problems,
};
pub use wav::{conforms, wav_problems};

use serde::Serialize;

/// Sample rates the provider plays WAV at.
pub const WAV_RATES: [u32; 2] = [8000, 11025];

/// The sample rate the provider plays VOX files at.
pub const VOX_RATE: u32 = 8000;

/// What the provider accepts, for messages.
const ACCEPTED: &str = "the provider plays only WAV (PCM, 16-bit, mono, 8000 or 11025 Hz) and VOX (Dialogic ADPCM, 8000 Hz)";

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Content is doubtful but the provider will accept the file.
    Warning,
    /// The provider will reject the file, or it will not play correctly.
    Error,
}

impl Severity {
    /// `warning` or `error`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A code of one of the problem vocabularies ([`Code`] for a recording,
/// [`crate::template::Code`] for a TTS template): it knows its severity.
pub trait ProblemCode: Copy {
    /// Whether the problem fails what it is about or only warns.
    fn severity(self) -> Severity;
}

impl ProblemCode for Code {
    fn severity(self) -> Severity {
        Code::severity(self)
    }
}

/// One finding about one file (or, with another vocabulary, one template).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem<C = Code> {
    /// Error or warning: the code's ([`ProblemCode::severity`]).
    pub severity: Severity,
    /// The stable code, e.g. `not-pcm`.
    pub code: C,
    /// A sentence for a person, with the figures.
    pub message: String,
}

impl<C: ProblemCode> Problem<C> {
    /// A problem with `code` and `message`; the severity is the code's.
    pub fn new(code: C, message: impl Into<String>) -> Problem<C> {
        Problem {
            severity: code.severity(),
            code,
            message: message.into(),
        }
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
    /// `pass`, `warn` or `fail`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }

    /// The verdict a list of problems adds up to.
    pub fn from_problems<C>(problems: &[Problem<C>]) -> Verdict {
        if problems.iter().any(|p| p.severity == Severity::Error) {
            Verdict::Fail
        } else if problems.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Warn
        }
    }
}

/// `an MP3 file`, `a FLAC file`: a format label with its article.
fn with_article(label: &str) -> String {
    let vowel_sound = label.starts_with(['A', 'E', 'I', 'O', 'U'])
        || label.starts_with("MP")
        || label.starts_with("RF");
    format!("{} {label} file", if vowel_sound { "an" } else { "a" })
}
