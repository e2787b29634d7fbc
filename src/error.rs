//! The crate's one error type, grouped by what the caller should do about it.
//!
//! A recording that does not conform to the provider's spec is *not* an error:
//! that is data (see [`crate::spec::Problem`]). An [`Error`] means we could not
//! read, decode, write or send something.

use std::io;
use std::path::{Path, PathBuf};

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, grouped by what the caller should do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing failed at the operating-system level: check the
    /// path, permissions or disk, then try again.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The input is broken (truncated, corrupt, not what its name says):
    /// fix or replace the input.
    #[error("{0}")]
    Malformed(String),
    /// The input ends before its container says it does: part of the
    /// recording is missing. Replace the input, or read what is there (the
    /// decoding's `accept_truncated` option).
    #[error("decode: the file ends early: {decoded} decoded{}", match declared {
        Some(d) => format!(" of the {d} its header declares"),
        None => String::new(),
    })]
    Truncated {
        /// What was decoded.
        decoded: crate::billing::Millis,
        /// What the container declares, when it does.
        declared: Option<crate::billing::Millis>,
    },
    /// The input is valid but uses something voxprep does not handle (a codec,
    /// a container): convert it with another tool first.
    #[error("{0}")]
    Unsupported(String),
    /// The input exceeds a safety limit (size, duration): split it or raise the limit.
    #[error("{0}")]
    Limit(String),
    /// The caller asked for something that cannot be done as asked (bad option
    /// value, output exists, output is the input): change the request. What
    /// to change is in the [`Usage`] value.
    #[error(transparent)]
    Usage(#[from] Usage),
    #[cfg(feature = "provider")]
    /// Talking to the provider failed; see [`crate::provider::ProviderError`].
    #[error(transparent)]
    Provider(#[from] crate::provider::ProviderError),
    /// Another error, with the file it concerns.
    #[error("{}: {source}", path.display())]
    WithPath {
        /// The file the error concerns.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
}

/// A request that cannot be done as asked, with what the caller can change.
/// The messages name the library's options ([`Setting`]), never a command
/// line's flags: a front end words its own hint.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Usage {
    /// The output exists; replacing it must be asked for (the conversion's
    /// `force` option).
    #[error("convert: output {} exists", .0.display())]
    OutputExists(PathBuf),
    /// The output is the input, however spelled.
    #[error("convert: output {} is the input file; refusing to overwrite an input", .0.display())]
    OutputIsInput(PathBuf),
    /// The output exists and is not a regular file (a device, a named pipe,
    /// a socket): voxprep writes only regular files, with `force` or without.
    #[error("output {} is {kind}; voxprep writes only regular files", output.display())]
    OutputNotAFile {
        /// The output, as given.
        output: PathBuf,
        /// What it is (`a character device`, `a named pipe (FIFO)`...).
        kind: &'static str,
    },
    /// The output is a folder.
    #[error("convert: output {} is a folder; give a file name", .0.display())]
    OutputIsFolder(PathBuf),
    /// The output exists and, asked to keep an output that passes its
    /// check (the conversion's `skip_existing` option), it does not: it
    /// fails the check or is not what was asked for. Redoing it must be
    /// asked for (`force`).
    #[error("convert: output {} exists but {why}", output.display())]
    ExistingOutputUnfit {
        /// The output.
        output: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// The output's name says one format and the conversion would write
    /// another (VOX bytes in a file named `.wav`).
    #[error("convert: output {} is named .{named} but would hold {}", output.display(), writes.to_uppercase())]
    FormatContradictsName {
        /// The output.
        output: PathBuf,
        /// Its extension, lower case.
        named: String,
        /// The extension of the format that would be written (`wav`, `vox`).
        writes: String,
    },
    /// Several inputs, or a folder, were given with an output that is not a
    /// folder: an existing one, or a path ending in a separator (`ready/`).
    #[error("convert: {} is not a folder, and several inputs or a folder are converted into one", .0.display())]
    OutputNotAFolder(PathBuf),
    /// Two or more inputs of one run would be written to one output.
    #[error("convert: {} would {} be written to {}", list(inputs), if inputs.len() == 2 { "both" } else { "all" }, output.display())]
    OutputCollision {
        /// The inputs, in walk order.
        inputs: Vec<PathBuf>,
        /// The output.
        output: PathBuf,
        /// The input the conversion's `prefer_lossless` option would keep
        /// (the only one of the most faithful kind, see
        /// [`crate::convert::Fidelity`]); `None` when there is no single one.
        preferred: Option<PathBuf>,
    },
    /// An output of a run would overwrite another input of it.
    #[error("convert: output {} would overwrite the input {}", output.display(), input.display())]
    OverwritesInput {
        /// The output.
        output: PathBuf,
        /// The input it would replace.
        input: PathBuf,
    },
    /// Outputs of a run exist; replacing them must be asked for (`force`).
    #[error("{} exist{}: {}", if .0.len() == 1 { "an output" } else { "outputs" }, if .0.len() == 1 { "s" } else { "" }, list(.0))]
    OutputsExist(Vec<PathBuf>),
    /// The output folder is, or is inside, an input folder: a later run
    /// would take the outputs for inputs.
    #[error("the output folder {} is inside the input folder {}", output.display(), input.display())]
    OutputInsideInput {
        /// The output folder.
        output: PathBuf,
        /// The input folder.
        input: PathBuf,
    },
    /// Nothing to work on was found under the inputs.
    #[error("{0}")]
    NoInputs(String),
    /// A setting's value cannot be used (out of range, unknown, or at odds
    /// with another setting).
    #[error("{message}")]
    Setting {
        /// Which setting.
        setting: Setting,
        /// What is wrong with it, with the value.
        message: String,
    },
}

/// A library option that a [`Usage::Setting`] error concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// The output format (WAV or VOX).
    Format,
    /// The output sample rate.
    Rate,
    /// A gain in dB.
    Gain,
    /// The peak to normalise to.
    NormalizePeak,
    /// The loudness to normalise to.
    Loudness,
    /// The silence threshold of trimming.
    TrimThreshold,
    /// The VOX encoder.
    VoxEncoder,
    /// The VOX decoder flavour.
    VoxDecoder,
    /// The sample rate of a headerless input whose name does not say it.
    InputRate,
    /// The sample rate of a `.vox` input.
    VoxRate,
}

/// `a`, `a and b`, `a, b and c`.
fn list(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

impl Usage {
    /// A [`Usage::Setting`] error.
    pub(crate) fn setting(setting: Setting, message: impl Into<String>) -> Usage {
        Usage::Setting {
            setting,
            message: message.into(),
        }
    }
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Attach the path this error concerns (no-op for errors that already carry one).
    pub fn with_path(self, path: impl AsRef<Path>) -> Error {
        match self {
            e @ (Error::Io { .. } | Error::WithPath { .. }) => e,
            e => Error::WithPath {
                path: path.as_ref().to_path_buf(),
                source: Box::new(e),
            },
        }
    }

    /// The [`Usage`] this error is, past any [`Error::WithPath`] wrappers.
    pub fn usage(&self) -> Option<&Usage> {
        match self.kind() {
            Error::Usage(u) => Some(u),
            _ => None,
        }
    }

    /// The innermost error, past any [`Error::WithPath`] wrappers.
    pub fn kind(&self) -> &Error {
        match self {
            Error::WithPath { source, .. } => source.kind(),
            e => e,
        }
    }
}
