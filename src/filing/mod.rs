//! The filing package: what the provider asks for before a recording can be
//! played (the document's section 5: 将录音文件及录音文字版内容、录音时长报备过来):
//! each recording, the text spoken in it, and its duration.
//!
//! [`build_package`] (feature `filing`) takes recordings in any format and
//! their texts (a `.txt` beside each, or a table), makes every recording
//! conforming (copying the ones that already are, byte for byte), and
//! writes a manifest in CSV and Excel with each file's name, text,
//! duration, billing units, format, size and SHA-256. What is missing or
//! doubtful is a [`Finding`] with a stable code.
//!
//! The pure parts build without the feature: [`names`] (can a name be used
//! in the notice?) and [`rate`] (does a text fit its recording's duration?).

pub mod names;
pub mod rate;

#[cfg(feature = "filing")]
pub mod manifest;
#[cfg(feature = "filing")]
mod package;
#[cfg(feature = "filing")]
pub mod texts;

#[cfg(feature = "filing")]
pub use package::{
    Action, Filed, FilingCode, Finding, MANIFEST_CSV, MANIFEST_XLSX, Package, PackageOptions,
    Recording, TextSource, build_package,
};
