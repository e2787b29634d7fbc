//! voxprep: check, convert and bill voice prompts for the QXT voice platform
//! (企信通), and talk to its HTTP API.
//!
//! The provider plays a recording only when it is plain PCM WAV (format tag 1,
//! 16-bit, mono, 8000 or 11025 Hz) or headerless 4-bit Dialogic ADPCM (VOX) at
//! 8000 Hz, and bills every call per started 12 seconds.
//!
//! Module map:
//! - [`billing`]: frames, durations, billing units and money (pure).
//! - [`wav`]: our own RIFF/WAVE chunk walker, a validator rather than a reader.
//! - [`spec`]: the provider's rules as stable problem codes (pure).
//! - [`signal`]: content analysis of decoded samples (pure).
//! - [`loudness`]: integrated loudness (ITU-R BS.1770-4) and gain to a target.
//! - [`check`]: one file in, one [`check::FileReport`] out.
//! - [`batch`]: walking folders and running one job per file in parallel.
//! - [`report`]: human, JSON and CSV renderings of reports (pure).
//! - [`vox`]: the Dialogic ADPCM codec.
//! - [`decode`]: any audio file to PCM through symphonia.
//! - [`convert`]: the conversion pipeline.
//! - [`provider`]: the provider's HTTP API.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod batch;
pub mod billing;
pub mod check;
#[cfg(feature = "convert")]
pub mod convert;
pub mod cost;
#[cfg(feature = "decode")]
pub mod decode;
pub mod error;
mod files;
pub mod loudness;
#[cfg(feature = "provider")]
pub mod provider;
pub mod report;
pub mod signal;
pub mod sniff;
pub mod spec;
pub mod vox;
pub mod wav;

pub use error::{Error, Result, Setting, Usage};
