//! Converting many files into a mirrored tree, in parallel.
//!
//! The files come from [`crate::batch`]'s walker (the same one `voxprep
//! check` uses); this module maps each to its place under the output folder,
//! refuses collisions and outputs that would land on an input, and runs the
//! conversions on all cores. One bad file is one failed [`FolderOutcome`];
//! the rest go on.

use super::target::canonical_target;
use super::{Conversion, ConvertOptions, convert_file};
use crate::error::{Error, Result, Usage};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// One input file and the root (file or folder argument) it was found under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeInput {
    /// The argument the file was found under.
    pub root: PathBuf,
    /// The file.
    pub path: PathBuf,
}

/// The result for one file of a folder conversion.
#[derive(Debug)]
pub struct FolderOutcome {
    /// The input file.
    pub input: PathBuf,
    /// Where its output goes.
    pub output: PathBuf,
    /// The conversion, or why it failed.
    pub result: Result<Conversion>,
}

impl FolderOutcome {
    /// Whether the file converted with nothing to report, converted with
    /// warnings, or failed.
    pub fn status(&self) -> Status {
        match &self.result {
            Ok(c) if c.warnings.is_empty() => Status::Converted,
            Ok(_) => Status::Warn,
            Err(_) => Status::Failed,
        }
    }
}

/// How one conversion ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Converted; the output passes its check with no warning.
    Converted,
    /// Converted, with warnings (see [`Conversion::warnings`]).
    Warn,
    /// Not converted; no output was left.
    Failed,
}

impl Status {
    /// `converted`, `warn` or `failed`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Converted => "converted",
            Status::Warn => "warn",
            Status::Failed => "failed",
        }
    }
}

/// The totals of a set of conversions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Files tried.
    pub files: usize,
    /// Files converted (with or without warnings).
    pub converted: usize,
    /// Files converted with warnings.
    pub warnings: usize,
    /// Files that failed.
    pub failed: usize,
    /// Seconds of output written.
    pub output_seconds: f64,
    /// Billing units per call of the outputs (one call of each).
    pub billing_units: u64,
    /// Seconds that trimming silence removed.
    pub trim_saved_seconds: f64,
    /// Billing units per call that trimming silence saved.
    pub trim_saved_units: u64,
}

impl Summary {
    /// The totals of `outcomes`.
    pub fn of(outcomes: &[FolderOutcome]) -> Summary {
        let ok: Vec<&Conversion> = outcomes
            .iter()
            .filter_map(|o| o.result.as_ref().ok())
            .collect();
        let trims = || ok.iter().filter_map(|c| c.trimmed);
        Summary {
            files: outcomes.len(),
            converted: ok.len(),
            warnings: ok.iter().filter(|c| !c.warnings.is_empty()).count(),
            failed: outcomes.len() - ok.len(),
            // `fold` from +0.0: an empty f64 `sum` is -0.0.
            output_seconds: ok.iter().map(|c| c.duration_s()).fold(0.0, |a, b| a + b),
            billing_units: ok.iter().filter_map(|c| c.billing_units).sum(),
            trim_saved_seconds: trims().map(|t| t.seconds).fold(0.0, |a, b| a + b),
            trim_saved_units: trims().map(|t| t.billing_units).sum(),
        }
    }
}

/// Where `input` goes under `outdir`: its path relative to its root, with
/// the extension replaced; with several roots, under a folder named after
/// its root.
pub(super) fn output_path(
    input: &TreeInput,
    outdir: &Path,
    ext: &str,
    several_roots: bool,
) -> PathBuf {
    let rel: PathBuf = match input.path.strip_prefix(&input.root) {
        Ok(r) if !r.as_os_str().is_empty() => {
            let base = if several_roots {
                input
                    .root
                    .file_name()
                    .map(PathBuf::from)
                    .unwrap_or_default()
            } else {
                PathBuf::new()
            };
            base.join(r)
        }
        _ => input
            .path
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_default(),
    };
    outdir.join(rel).with_extension(ext)
}

/// Convert every input into the tree under `outdir`. `done` is called after
/// each file (for a progress bar), from any thread. Outcomes come back in
/// the order of `inputs`.
pub fn convert_tree(
    inputs: &[TreeInput],
    outdir: &Path,
    opts: &ConvertOptions,
    done: &(dyn Fn(&FolderOutcome) + Sync),
) -> Vec<FolderOutcome> {
    let several = {
        let mut roots: Vec<&PathBuf> = inputs.iter().map(|i| &i.root).collect();
        roots.sort();
        roots.dedup();
        roots.len() > 1
    };
    let ext = opts.format.extension();
    let canon_out = fs::canonicalize(outdir).ok();
    // Skip what lies inside an output folder nested in an input folder (a
    // previous run's outputs). When the output folder is the input folder
    // (or contains it), nothing is skipped: the overwrite checks below apply.
    let inputs: Vec<&TreeInput> = inputs
        .iter()
        .filter(|i| {
            let (Some(out), Ok(root), Ok(path)) = (
                &canon_out,
                fs::canonicalize(&i.root),
                fs::canonicalize(&i.path),
            ) else {
                return true;
            };
            !(out != &root && out.starts_with(&root) && path.starts_with(out))
        })
        .collect();
    let planned: Vec<(PathBuf, PathBuf)> = inputs
        .iter()
        .map(|i| (i.path.clone(), output_path(i, outdir, ext, several)))
        .collect();

    let canon_inputs: HashMap<PathBuf, &Path> = planned
        .iter()
        .filter_map(|(i, _)| Some((fs::canonicalize(i).ok()?, i.as_path())))
        .collect();
    // Two inputs to one output, or an output that is another input: fail those rows.
    let mut first_for: HashMap<&Path, &Path> = HashMap::new();
    let mut verdicts: Vec<Option<Error>> = Vec::with_capacity(planned.len());
    for (inp, out) in &planned {
        let clash = if let Some(other) = first_for.get(out.as_path()) {
            Some(Error::from(Usage::OutputCollision {
                first: other.to_path_buf(),
                second: inp.clone(),
                output: out.clone(),
            }))
        } else {
            canonical_target(out)
                .and_then(|c| canon_inputs.get(&c))
                .filter(|v| **v != inp.as_path())
                .map(|victim| {
                    Error::from(Usage::OverwritesInput {
                        output: out.clone(),
                        input: victim.to_path_buf(),
                    })
                })
        };
        first_for.entry(out.as_path()).or_insert(inp.as_path());
        verdicts.push(clash);
    }

    planned
        .into_par_iter()
        .zip(verdicts.into_par_iter())
        .map(|((input, output), clash)| {
            let result = match clash {
                Some(e) => Err(e),
                None => prepare_dir(&output).and_then(|()| {
                    let r = convert_file(&input, &output, opts);
                    if r.is_err() {
                        remove_empty_parents(&output, outdir);
                    }
                    r
                }),
            };
            let outcome = FolderOutcome {
                result: result.map_err(|e| e.with_path(&input)),
                input,
                output,
            };
            done(&outcome);
            outcome
        })
        .collect()
}

fn prepare_dir(output: &Path) -> Result<()> {
    match output.parent() {
        Some(d) if !d.as_os_str().is_empty() => fs::create_dir_all(d).map_err(|e| Error::io(d, e)),
        _ => Ok(()),
    }
}

/// After a failure, remove the folders made for `output` if they are empty
/// (`remove_dir` refuses non-empty ones), up to but not including `outdir`.
fn remove_empty_parents(output: &Path, outdir: &Path) {
    let mut dir = output.parent();
    while let Some(d) = dir {
        if d == outdir || !d.starts_with(outdir) || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ti(root: &str, path: &str) -> TreeInput {
        TreeInput {
            root: root.into(),
            path: path.into(),
        }
    }

    #[test]
    fn an_empty_summary_is_zero_not_minus_zero() {
        let s = Summary::of(&[]);
        assert_eq!(s.files, 0);
        assert!(s.output_seconds.is_sign_positive() && s.trim_saved_seconds.is_sign_positive());
        assert_eq!(
            serde_json::to_value(&s).unwrap()["trim_saved_seconds"].to_string(),
            "0.0"
        );
    }

    #[test]
    fn mirrors_the_tree() {
        let out = Path::new("/o");
        assert_eq!(
            output_path(&ti("in", "in/a/b.mp3"), out, "wav", false),
            Path::new("/o/a/b.wav")
        );
        assert_eq!(
            output_path(&ti("in", "in/a/b.mp3"), out, "vox", true),
            Path::new("/o/in/a/b.vox")
        );
        assert_eq!(
            output_path(&ti("x/c.flac", "x/c.flac"), out, "wav", false),
            Path::new("/o/c.wav")
        );
        assert_eq!(
            output_path(&ti("x/c.flac", "x/c.flac"), out, "wav", true),
            Path::new("/o/c.wav")
        );
    }
}
