//! voxprep: check, convert and bill voice prompts for the QXT voice platform
//! (企信通), and talk to its HTTP API.
//!
//! The provider plays a recording only when it is plain PCM WAV (format tag 1,
//! 16-bit, mono, 8000 or 11025 Hz) or headerless 4-bit Dialogic ADPCM (VOX) at
//! 8000 Hz, and bills every call per started 12 seconds.
//!
//! ```
//! use voxprep::check::{CheckOptions, check_path};
//! use voxprep::spec::{Code, Verdict};
//!
//! // A conforming prompt: its duration, and what one call of it costs.
//! let ok = check_path("fixtures/check/pass-8000hz-prompt.wav".as_ref(), &CheckOptions::default());
//! assert_eq!(ok.verdict, Verdict::Pass);
//! assert_eq!(ok.billing_units, Some(1));
//!
//! // A stereo 44.1 kHz WAV: each problem has a stable code and a sentence.
//! let bad = check_path("fixtures/check/stereo-44100hz.wav".as_ref(), &CheckOptions::default());
//! assert_eq!(bad.verdict, Verdict::Fail);
//! let codes: Vec<Code> = bad.problems.iter().map(|p| p.code).collect();
//! assert_eq!(codes, [Code::NotMono, Code::BadSampleRate]);
//! for p in &bad.problems {
//!     println!("{} {}: {}", p.severity.as_str(), p.code, p.message);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Module map:
//! - [`check`]: one file in, one [`check::FileReport`] out; [`batch`] walks
//!   folders and checks their files in parallel; [`report`] and [`cost`]
//!   add them up.
//! - [`spec`]: the provider's rules as policy: facts in, [`spec::Problem`]s
//!   with a stable [`spec::Code`] out (pure).
//! - [`wav`]: our own RIFF/WAVE chunk walker, a validator rather than a
//!   reader; [`sniff`] names a file from its first bytes.
//! - [`signal`]: content analysis of decoded samples (pure); [`voice`]: the
//!   pitch and brightness of a recorded voice (pure).
//! - [`formats`]: the headerless formats (G.711, signed linear, GSM, G.722,
//!   VOX) voxprep knows by their file names.
//! - [`billing`]: frames, durations, billing units and money (pure).
//! - [`filing`]: the filing package (recordings, texts, manifest; feature
//!   `filing`), with its pure parts: names the notice can carry, and
//!   whether a text fits its recording's duration.
//! - [`template`]: TTS templates: the provider's rules for the filed text
//!   and its one variable, and an estimate of how long it takes to read
//!   and what a call of it costs (pure).
//! - [`vox`]: the Dialogic ADPCM codec (pure).
//! - `decode` (feature `decode`): any audio file to PCM through symphonia.
//! - `convert` (feature `convert`): the conversion pipeline.
//! - `provider` (feature `provider`; `tls` for https): the provider's HTTP
//!   API and the receiver of its pushes.
//! - `ledger` (feature `ledger`): one SQLite file joining what was sent to
//!   the provider's status pushes: delivered, failed, pending, unknown,
//!   and what it cost.
//!
//! With `default-features = false` only the core is built (check, the VOX
//! codec, billing, signal analysis): no symphonia, rubato, HTTP or TLS.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(unreachable_pub)]

pub mod batch;
pub mod billing;
pub mod check;
mod codec;
mod codes;
#[cfg(feature = "convert")]
pub mod convert;
pub mod cost;
#[cfg(feature = "decode")]
pub mod decode;
mod dot;
pub mod error;
mod files;
pub mod filing;
pub mod formats;
#[cfg(feature = "ledger")]
pub mod ledger;
mod loudness;
#[cfg(feature = "convert")]
pub mod output;
#[cfg(feature = "provider")]
pub mod provider;
pub mod report;
pub mod signal;
pub mod sniff;
pub mod spec;
pub mod template;
mod text;
pub mod voice;
pub mod vox;
pub mod wav;

#[cfg(test)]
mod test_fixtures;

pub use error::{Error, Result, Setting, Usage};
