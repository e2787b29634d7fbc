//! The integration tests, in one test binary so that they link once
//! (ripgrep's layout: `autotests = false` and one `[[test]]` in Cargo.toml).
//! One module per area, beside this file; a file here is compiled only once
//! it is declared below. `cargo test --test integration convert::` runs one
//! area.
//!
//! A module that runs the binary needs the `cli` feature (cargo builds the
//! binary, and sets `CARGO_BIN_EXE_voxprep`, only with it).

mod common;
#[cfg(feature = "provider")]
mod fake_provider;

#[cfg(feature = "convert")]
mod agreement;
mod architecture;
mod check;
#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "convert")]
mod convert;
mod cost;
#[cfg(feature = "cli")]
mod filing;
#[cfg(feature = "ledger")]
mod ledger;
// The fuzz targets need the filing package and the provider (all in `cli`).
#[cfg(feature = "cli")]
mod fuzz_regress;
#[cfg(feature = "provider")]
mod provider;
#[cfg(feature = "cli")]
mod receive;
#[cfg(feature = "cli")]
mod template;
mod vox;
mod wav;
