//! check's advice and convert's behaviour, on every fixture: a file that
//! check says a conversion fixes converts (to WAV and to VOX), and a file
//! convert refuses is never advertised as fixable. Through the library.

use crate::common::fixture;
use std::path::{Path, PathBuf};
use voxprep::check::{CheckOptions, Fix, check_path};
use voxprep::convert::{ConvertOptions, OutputFormat, convert_file};

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

fn convert_to(input: &Path, dir: &Path, format: OutputFormat) -> voxprep::Result<()> {
    let output = dir.join(format!("out.{}", format.extension()));
    let opts = ConvertOptions {
        format,
        force: true,
        ..ConvertOptions::default()
    };
    convert_file(input, &output, &opts).map(|_| ())
}

#[test]
fn check_advises_exactly_what_convert_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let all = fixtures();
    assert!(all.len() > 100, "found only {} fixtures", all.len());
    let (mut fixable, mut refused) = (0, 0);
    let mut disagreements = Vec::new();
    for input in &all {
        let report = check_path(input, &CheckOptions::default());
        for format in [OutputFormat::Wav, OutputFormat::Vox] {
            let converted = convert_to(input, dir.path(), format);
            match (&report.fix, &converted) {
                (Some(Fix::Convert { .. }), Err(e)) => disagreements.push(format!(
                    "{}: check says convert fixes it, convert to {format:?} fails: {e}",
                    input.display()
                )),
                (Some(Fix::Convert { .. }), Ok(())) => fixable += 1,
                (_, Err(_)) => refused += 1,
                (_, Ok(())) => {}
            }
        }
        // A file whose problems a conversion cures gets an answer either way.
        let curable = report.problems.iter().any(|p| p.code.remedy().is_some());
        if curable != report.fix.is_some() {
            disagreements.push(format!(
                "{}: curable problems {curable}, fix {:?}",
                input.display(),
                report.fix
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    // The fixtures hold both kinds.
    assert!(
        fixable > 40 && refused > 20,
        "{fixable} fixable, {refused} refused"
    );
}
