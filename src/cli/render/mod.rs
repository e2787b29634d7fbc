//! Every rendering of every command's results, the human, JSON and CSV
//! forms of one outcome beside each other. The library hands over typed
//! outcomes; the words (and the command lines they suggest) are chosen here.

pub mod balance;
pub mod check;
pub mod convert;
pub mod cost;
pub mod receive;
pub mod send;

/// `12.345 s`, or `-` when unknown.
pub fn secs(d: Option<f64>) -> String {
    d.map_or_else(|| "-".to_string(), |d| format!("{d:.3} s"))
}

/// `1 unit`, `3 units`, or `- units` when unknown.
pub fn units(u: Option<u64>) -> String {
    match u {
        Some(1) => "1 unit".to_string(),
        Some(n) => format!("{n} units"),
        None => "- units".to_string(),
    }
}

/// An optional value as a CSV cell: empty when unknown.
pub fn cell<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}
