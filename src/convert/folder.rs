//! Converting many files into a mirrored tree, in parallel.
//!
//! The files come from [`crate::batch`]'s walker (the same one `voxprep
//! check` uses). [`plan_tree`] maps each to its place under the output
//! folder and decides, before any work, what becomes of outputs that exist,
//! that two inputs would share, or that would land on an input;
//! [`run_plan`] runs the conversions on all cores. One bad file is one
//! failed [`FolderOutcome`]; the rest go on.

use super::plan::{Action, PlannedFile, Skip, plan_file};
use super::target::canonical_target;
use super::{Conversion, ConvertOptions, Fidelity, convert_file};
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

/// What was done with a file that did not fail.
#[derive(Debug)]
pub enum Done {
    /// It was converted.
    Converted(Box<Conversion>),
    /// It was left alone, and why.
    Skipped(Skip),
}

/// The result for one file of a conversion.
#[derive(Debug)]
pub struct FolderOutcome {
    /// The input file.
    pub input: PathBuf,
    /// Where its output goes.
    pub output: PathBuf,
    /// What was done, or why it failed.
    pub result: Result<Done>,
}

impl FolderOutcome {
    /// Whether the file converted with nothing to report, converted with
    /// warnings, was skipped, or failed.
    pub fn status(&self) -> Status {
        match &self.result {
            Ok(Done::Converted(c)) if c.warnings.is_empty() => Status::Converted,
            Ok(Done::Converted(_)) => Status::Warn,
            Ok(Done::Skipped(_)) => Status::Skipped,
            Err(_) => Status::Failed,
        }
    }

    /// The conversion, when the file was converted.
    pub fn conversion(&self) -> Option<&Conversion> {
        match &self.result {
            Ok(Done::Converted(c)) => Some(c),
            _ => None,
        }
    }
}

/// How one file ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Converted; the output passes its check with no warning.
    Converted,
    /// Converted, with warnings (see [`Conversion::warnings`]).
    Warn,
    /// Not converted, and nothing wrong: see [`Skip`].
    Skipped,
    /// Not converted; no output was left.
    Failed,
}

impl Status {
    /// `converted`, `warn`, `skipped` or `failed`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Converted => "converted",
            Status::Warn => "warn",
            Status::Skipped => "skipped",
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
    /// Files skipped (see [`Skip`]).
    pub skipped: usize,
    /// Files that failed.
    pub failed: usize,
    /// Seconds of output written.
    pub output_seconds: f64,
    /// Billing units per call of the outputs written (one call of each).
    pub billing_units: u64,
    /// Seconds that trimming silence removed.
    pub trim_saved_seconds: f64,
    /// Billing units per call that trimming silence saved.
    pub trim_saved_units: u64,
}

impl Summary {
    /// The totals of `outcomes`.
    pub fn of(outcomes: &[FolderOutcome]) -> Summary {
        let ok: Vec<&Conversion> = outcomes.iter().filter_map(|o| o.conversion()).collect();
        let trims = || ok.iter().filter_map(|c| c.trimmed);
        let count = |s: Status| outcomes.iter().filter(|o| o.status() == s).count();
        Summary {
            files: outcomes.len(),
            converted: ok.len(),
            warnings: count(Status::Warn),
            skipped: count(Status::Skipped),
            failed: count(Status::Failed),
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

/// Convert every input into the tree under `outdir`: [`plan_tree`], then
/// [`run_plan`], each refusal a failed file. `done` is called after each
/// file (for a progress bar), from any thread. Outcomes come back in the
/// order of `inputs`.
pub fn convert_tree(
    inputs: &[TreeInput],
    outdir: &Path,
    opts: &ConvertOptions,
    done: &(dyn Fn(&FolderOutcome) + Sync),
) -> Vec<FolderOutcome> {
    run_plan(plan_tree(inputs, outdir, opts), outdir, opts, done)
}

/// What converting `inputs` into the tree under `outdir` will do with each,
/// in the order of `inputs`, before anything is written:
///
/// - inputs lying inside `outdir` nested in an input folder (a previous
///   run's outputs) are left out;
/// - inputs that would be written to one output ([`Usage::OutputCollision`],
///   naming them all) are refused, or with `prefer_lossless` the most
///   faithful ([`Fidelity`]) is converted and the others skipped;
/// - an output that would land on another input is refused
///   ([`Usage::OverwritesInput`]);
/// - the rest as [`plan_file`] says (existing outputs: refused, replaced,
///   or kept when they pass check). Existing outputs are checked in
///   parallel.
pub fn plan_tree(inputs: &[TreeInput], outdir: &Path, opts: &ConvertOptions) -> Vec<PlannedFile> {
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

    let mut sharing: HashMap<&Path, Vec<&Path>> = HashMap::new();
    for (inp, out) in &planned {
        sharing
            .entry(out.as_path())
            .or_default()
            .push(inp.as_path());
    }
    let canon_inputs: HashMap<PathBuf, &Path> = planned
        .iter()
        .filter_map(|(i, _)| Some((fs::canonicalize(i).ok()?, i.as_path())))
        .collect();

    planned
        .par_iter()
        .map(|(input, output)| {
            let shared = &sharing[output.as_path()];
            let preferred = match shared.len() {
                1 => None,
                _ => Fidelity::best(shared.iter().copied()),
            };
            let refuse = |e: Usage| PlannedFile {
                input: input.clone(),
                output: output.clone(),
                action: Action::Refuse(e.into()),
            };
            if shared.len() > 1 {
                match preferred {
                    Some(p) if opts.prefer_lossless && p != input.as_path() => {
                        return PlannedFile {
                            input: input.clone(),
                            output: output.clone(),
                            action: Action::Skip(Skip::LessFaithful {
                                converted: p.to_path_buf(),
                            }),
                        };
                    }
                    Some(_) if opts.prefer_lossless => {}
                    _ => {
                        return refuse(Usage::OutputCollision {
                            inputs: shared.iter().map(|p| p.to_path_buf()).collect(),
                            output: output.clone(),
                            preferred: preferred.map(Path::to_path_buf),
                        });
                    }
                }
            }
            let victim = canonical_target(output)
                .and_then(|c| canon_inputs.get(&c))
                .filter(|v| **v != input.as_path());
            if let Some(victim) = victim {
                return refuse(Usage::OverwritesInput {
                    output: output.clone(),
                    input: victim.to_path_buf(),
                });
            }
            plan_file(input, output, opts)
        })
        .collect()
}

/// Carry out `plan` (from [`plan_tree`]) under `outdir` on all cores:
/// convert (making the output's folders, and removing them again if the
/// conversion fails), skip, or fail each file with its refusal. `done` is
/// called after each file, from any thread. Outcomes come back in the order
/// of `plan`.
pub fn run_plan(
    plan: Vec<PlannedFile>,
    outdir: &Path,
    opts: &ConvertOptions,
    done: &(dyn Fn(&FolderOutcome) + Sync),
) -> Vec<FolderOutcome> {
    plan.into_par_iter()
        .map(|p| {
            let outcome = run_planned(p, opts, Some(outdir));
            done(&outcome);
            outcome
        })
        .collect()
}

/// Carry out one planned file (from [`plan_file`]): convert it, skip it,
/// or fail with its refusal. No folder is made for the output.
pub fn run_file(planned: PlannedFile, opts: &ConvertOptions) -> FolderOutcome {
    run_planned(planned, opts, None)
}

/// [`run_file`]; with `outdir`, the output's folders below it are made
/// first, and removed again if the conversion fails.
fn run_planned(p: PlannedFile, opts: &ConvertOptions, outdir: Option<&Path>) -> FolderOutcome {
    let PlannedFile {
        input,
        output,
        action,
    } = p;
    let result = match action {
        Action::Refuse(e) => Err(e),
        Action::Skip(skip) => Ok(Done::Skipped(skip)),
        Action::Convert => {
            let made = match outdir {
                Some(_) => prepare_dir(&output),
                None => Ok(()),
            };
            made.and_then(|()| convert_file(&input, &output, opts))
                .inspect_err(|_| {
                    if let Some(outdir) = outdir {
                        remove_empty_parents(&output, outdir);
                    }
                })
                .map(|c| Done::Converted(Box::new(c)))
        }
    };
    FolderOutcome {
        result: result.map_err(|e| e.with_path(&input)),
        input,
        output,
    }
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
