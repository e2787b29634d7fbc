//! check's advice and convert's behaviour, on every fixture. Through the
//! library:
//! - a file that check says a conversion fixes converts (to WAV and to VOX),
//!   and the conversion it suggests (rate, normalising, trimming) leaves
//!   none of the problems a conversion cures (but silence at the ends
//!   that a DC offset hid);
//! - a file convert refuses is never advertised as fixable;
//! - a file convert reads has no error that check says a conversion cannot
//!   cure, but for data missing from the source (the conversion keeps only
//!   what is left, so check does not offer it).

use crate::common::fixture;
use std::path::{Path, PathBuf};
use voxprep::check::{CheckOptions, Fix, check_path};
use voxprep::convert::{
    Conversion, ConvertOptions, Level, OutputFormat, TrimSilence, convert_file,
};
use voxprep::spec::{Adjustment, Code, Severity};

/// Every fixture file (scripts and notes aside), sorted.
fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![fixture("")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if !matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("md" | "sh" | "py")
            ) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn convert_to(input: &Path, dir: &Path, opts: ConvertOptions) -> voxprep::Result<Conversion> {
    let output = dir.join(format!("out.{}", opts.format.extension()));
    let opts = ConvertOptions {
        force: true,
        ..opts
    };
    convert_file(input, &output, &opts)
}

/// The conversion a fix suggests.
fn suggested(rate: u32, adjust: &[Adjustment], trim: Option<f64>) -> ConvertOptions {
    let mut opts = ConvertOptions {
        rate,
        ..ConvertOptions::default()
    };
    for a in adjust {
        match a {
            Adjustment::Normalize => opts.level = Level::NormalizePeak(-1.0),
            Adjustment::TrimSilence => {
                opts.trim = Some(TrimSilence {
                    threshold_dbfs: trim.expect("a trim comes with its threshold"),
                    ..TrimSilence::default()
                });
            }
        }
    }
    opts
}

#[test]
fn check_advises_exactly_what_convert_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let all = fixtures();
    assert!(all.len() > 100, "found only {} fixtures", all.len());
    let (mut fixable, mut refused) = (0, 0);
    let mut disagreements = Vec::new();
    let mut say = |what: String| disagreements.push(what);
    for input in &all {
        let name = input.display();
        let report = check_path(input, &CheckOptions::default());
        for format in [OutputFormat::Wav, OutputFormat::Vox] {
            // The VOX encoder does not decide whether a file converts:
            // greedy keeps this walk over every fixture quick in debug builds.
            let plain = ConvertOptions {
                format,
                vox_encoder: voxprep::vox::EncoderKind::Greedy,
                ..ConvertOptions::default()
            };
            match (&report.fix, convert_to(input, dir.path(), plain)) {
                (Some(Fix::Convert { .. }), Err(e)) => {
                    say(format!(
                        "{name}: check says convert fixes it, to {format:?} fails: {e}"
                    ));
                }
                (Some(Fix::Convert { .. }), Ok(_)) => fixable += 1,
                (_, Err(_)) => refused += 1,
                (_, Ok(_)) => {
                    // Read to the end and converted: every error it had is
                    // one a conversion cures, or audio the source lacks.
                    for p in &report.problems {
                        let cured = p.code.remedy().is_some() || p.code == Code::DataTruncated;
                        if p.severity == Severity::Error && !cured {
                            say(format!("{name}: converts, yet {} has no remedy", p.code));
                        }
                    }
                }
            }
        }
        // A file whose problems a conversion cures gets an answer either way.
        let curable = report.problems.iter().any(|p| p.code.remedy().is_some());
        if curable != report.fix.is_some() {
            say(format!(
                "{name}: curable problems {curable}, fix {:?}",
                report.fix
            ));
        }
        // The suggested conversion cures what it says it cures.
        if let Some(Fix::Convert {
            rate,
            adjust,
            trim_threshold_dbfs,
            ..
        }) = &report.fix
        {
            let opts = suggested(*rate, adjust, *trim_threshold_dbfs);
            match convert_to(input, dir.path(), opts) {
                Ok(done) => {
                    assert_eq!(done.rate, *rate, "{name}");
                    let had_dc = report.problems.iter().any(|p| p.code == Code::DcOffset);
                    for p in &done.check.problems {
                        // Taking out an offset can show the silence it hid
                        // at the ends; check of the source cannot see it.
                        let revealed = had_dc
                            && matches!(p.code, Code::LeadingSilence | Code::TrailingSilence);
                        if p.code.remedy().is_some() && !revealed {
                            say(format!(
                                "{name}: the suggested conversion leaves {}",
                                p.code
                            ));
                        }
                    }
                }
                Err(e) => say(format!("{name}: the suggested conversion fails: {e}")),
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    // The fixtures hold both kinds.
    assert!(
        fixable > 40 && refused > 20,
        "{fixable} fixable, {refused} refused"
    );
}
