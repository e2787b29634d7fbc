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
    /// The input is valid but uses something voxprep does not handle (a codec,
    /// a container): convert it with another tool first.
    #[error("{0}")]
    Unsupported(String),
    /// The input exceeds a safety limit (size, duration): split it or raise the limit.
    #[error("{0}")]
    Limit(String),
    /// The caller asked for something that cannot be done as asked (bad option
    /// value, output exists, output is the input): change the request.
    #[error("{0}")]
    Usage(String),
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

    /// The innermost error, past any [`Error::WithPath`] wrappers.
    pub fn kind(&self) -> &Error {
        match self {
            Error::WithPath { source, .. } => source.kind(),
            e => e,
        }
    }
}
