//! Every rendering of every command's results, the human, JSON and CSV
//! forms of one outcome beside each other. The library hands over typed
//! outcomes; the words (and the command lines they suggest) are chosen here.

pub mod balance;
pub mod check;
pub mod convert;
pub mod cost;
pub mod html;
pub mod package;
pub mod receive;
pub mod send;
pub mod status;
pub mod template;

/// A library error in the command line's words: its message, and for a
/// request that cannot be done as asked, the flag to change.
pub fn error_words(e: &voxprep::Error) -> String {
    use voxprep::{Setting, Usage};
    let flag = |s: &Setting| match s {
        Setting::Format => "--to",
        Setting::Rate => "--rate",
        Setting::Gain => "--gain",
        Setting::NormalizePeak => "--normalize",
        Setting::Loudness => "--loudness",
        Setting::TrimThreshold => "--trim-silence",
        Setting::VoxEncoder => "--vox-encoder",
        Setting::VoxDecoder => "--vox-decoder",
        Setting::InputRate => "--input-rate",
        Setting::VoxRate => "--vox-rate",
        _ => "the options",
    };
    if let voxprep::Error::Truncated { .. } = e.kind() {
        return format!("{e}; --accept-truncated converts what is there");
    }
    match e.usage() {
        Some(Usage::OutputExists(_)) => format!(
            "{e}; use --force to replace it, or --skip-existing to keep it if it passes check"
        ),
        Some(Usage::OutputsExist(_)) => {
            format!("{e}; use --force to replace them (nothing was written)")
        }
        Some(Usage::ExistingOutputUnfit { .. }) => format!("{e}; use --force to redo it"),
        Some(Usage::FormatContradictsName { output, writes, .. }) => format!(
            "{e}; name it {} or leave out --to",
            output.with_extension(writes).display()
        ),
        Some(Usage::OutputNotAFolder(out)) => match out.extension() {
            // `-o ok.wav` names a file: never made a folder.
            Some(_) => format!(
                "{e}; give one input file for -o {}, or -o an existing folder or a path \
                 ending in / (-o ready/)",
                out.display()
            ),
            None => format!(
                "{e}; give -o an existing folder, or end it with / (-o {}/) to have it made",
                out.display()
            ),
        },
        Some(Usage::Setting { setting, .. }) => format!("{e} (check {})", flag(setting)),
        _ => e.to_string(),
    }
}

/// `12.345 s`, or `-` when unknown. A duration finer than the
/// millisecond (only ever one just past a billing boundary, see
/// `billing::duration_secs`) is shown to the microsecond: `12.000125 s`.
pub fn secs(d: Option<f64>) -> String {
    d.map_or_else(|| "-".to_string(), |d| format!("{} s", secs_figure(d)))
}

/// The figure of [`secs`], without the unit (CSV cells, columns).
pub fn secs_figure(d: f64) -> String {
    let ms = d * 1000.0;
    if (ms - ms.round()).abs() > 1e-6 {
        format!("{d:.6}")
    } else {
        format!("{d:.3}")
    }
}

/// `1 unit`, `3 units`, or `- units` when unknown.
pub fn units(u: Option<u64>) -> String {
    match u {
        Some(1) => "1 unit".to_string(),
        Some(n) => format!("{n} units"),
        None => "- units".to_string(),
    }
}

/// A name or text from a file, safe on a terminal: control characters
/// (escape sequences, carriage returns, line breaks) shown escaped, as Rust
/// writes them (`\u{1b}`, `\n`).
pub fn shown(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .map(|c| match c.is_control() {
            true => c.escape_debug().to_string(),
            false => c.to_string(),
        })
        .collect()
}

/// An optional value as a CSV cell: empty when unknown.
pub fn cell<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_past_a_billing_boundary_shows_it() {
        use voxprep::billing::{Frames, duration_secs};
        assert_eq!(secs(Some(duration_secs(Frames(96_000), 8000))), "12.000 s");
        assert_eq!(
            secs(Some(duration_secs(Frames(96_001), 8000))),
            "12.000125 s"
        );
        assert_eq!(secs(Some(duration_secs(Frames(28_110), 8000))), "3.513 s");
        assert_eq!(secs(None), "-");
    }
    use std::path::PathBuf;
    use voxprep::{Error, Usage};

    #[test]
    fn usage_errors_name_the_flag() {
        let e = Error::from(Usage::OutputExists(PathBuf::from("o.wav"))).with_path("i.mp3");
        assert_eq!(
            error_words(&e),
            "i.mp3: convert: output o.wav exists; use --force to replace it, or --skip-existing \
             to keep it if it passes check"
        );
        let opts = voxprep::convert::ConvertOptions {
            format: voxprep::convert::OutputFormat::Vox,
            rate: 11025,
            ..Default::default()
        };
        let e = opts.validate().unwrap_err();
        assert_eq!(
            error_words(&e),
            "convert: VOX is always 8000 Hz, not 11025 (check --rate)"
        );
    }
}
