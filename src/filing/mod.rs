//! (placeholder)

pub mod rate;
