//! What a conversion will do, decided before any work: whether it writes a
//! file or into a folder, and for each input whether it is converted,
//! skipped (its output exists and passes check; a more faithful input of
//! the same name is converted) or refused (and why).
//!
//! A front end can then refuse the whole request before anything is
//! written, listing every refusal at once; [`super::convert_tree`] instead
//! turns each refusal into that file's failure.

use super::ConvertOptions;
use super::target::check_output_path;
use crate::check::{CheckOptions, FileReport};
use crate::error::{Error, Result, Usage};
use crate::spec::{Severity, Verdict};
use serde::Serialize;
use std::fs;
use std::path::{Path, PathBuf};

/// Where a conversion writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// One input file to one output file.
    File {
        /// The input.
        input: PathBuf,
        /// The output.
        output: PathBuf,
    },
    /// Files and folders into this folder, mirroring the input tree.
    Folder(PathBuf),
}

/// What `inputs` and `output` ask for. One input that is not a folder, with
/// an output that is neither an existing folder nor a path ending in a
/// separator, is file to file. Anything else converts into the folder
/// `output`, which must then be one already or end in a separator
/// (`ready/`): a name such as `ok.wav` is never made into a folder.
///
/// # Errors
/// [`Error::Io`] when the only input cannot be found;
/// [`Usage::OutputNotAFolder`] for several inputs or a folder with an
/// output that is not a folder.
pub fn destination(inputs: &[PathBuf], output: &Path) -> Result<Destination> {
    let into_folder = output.is_dir() || ends_with_separator(output);
    let one_file = match inputs {
        [one] => !fs::metadata(one).map_err(|e| Error::io(one, e))?.is_dir(),
        _ => false,
    };
    if one_file && !into_folder {
        Ok(Destination::File {
            input: inputs[0].clone(),
            output: output.to_path_buf(),
        })
    } else if into_folder {
        Ok(Destination::Folder(output.to_path_buf()))
    } else {
        Err(Usage::OutputNotAFolder(output.to_path_buf()).into())
    }
}

/// `ready/` (or `ready\` on Windows).
fn ends_with_separator(p: &Path) -> bool {
    p.as_os_str()
        .as_encoded_bytes()
        .last()
        .is_some_and(|&b| std::path::is_separator(char::from(b)))
}

/// How faithfully an input holds its recording, judged by its name's
/// extension: what the `prefer_lossless` option ranks inputs of one name
/// by. Lossless beats lossy; two of a kind are a tie, which nothing breaks.
/// A `.wav` counts as lossless whatever codec it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fidelity {
    /// Every other name: perceptual codecs (MP3, AAC and M4A, Ogg Vorbis,
    /// Opus, WebM and Matroska, WMA, AMR, 3GP) and the telephony codecs
    /// (VOX, µ-law, A-law, GSM, G.722).
    Lossy,
    /// PCM and lossless codecs: WAV, FLAC, AIFF and AIFC, CAF, signed
    /// linear (`.sln`, `.sln16`..., `.raw`, `.pcm`).
    Lossless,
}

impl Fidelity {
    /// The fidelity `path`'s extension (any case) says.
    pub fn of(path: &Path) -> Fidelity {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let slin = matches!(
            crate::formats::by_extension(&ext).map(|n| n.format),
            Some(crate::formats::Headerless::Slin)
        );
        match ext.as_str() {
            "wav" | "wave" | "flac" | "aif" | "aiff" | "aifc" | "caf" => Fidelity::Lossless,
            _ if slin => Fidelity::Lossless,
            _ => Fidelity::Lossy,
        }
    }

    /// The one input of `inputs` strictly more faithful than all the
    /// others, if there is one.
    pub fn best<'a>(inputs: impl IntoIterator<Item = &'a Path>) -> Option<&'a Path> {
        let mut ranked: Vec<(Fidelity, &Path)> =
            inputs.into_iter().map(|p| (Fidelity::of(p), p)).collect();
        ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
        match ranked.as_slice() {
            [(f, p), rest @ ..] if rest.iter().all(|(g, _)| g < f) => Some(p),
            _ => None,
        }
    }
}

/// Why an input was not converted, though nothing is wrong with it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Skip {
    /// Its output exists, passes its check and has the rate asked for (the
    /// `skip_existing` option): the output's check.
    OutputPasses {
        /// The existing output's check.
        check: Box<FileReport>,
    },
    /// A more faithful input of the same name is converted to the same
    /// output (the `prefer_lossless` option).
    LessFaithful {
        /// The input converted instead.
        #[serde(serialize_with = "lossy_path")]
        converted: PathBuf,
    },
}

fn lossy_path<S: serde::Serializer>(p: &Path, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&p.to_string_lossy())
}

/// What will be done with one input.
#[derive(Debug)]
pub enum Action {
    /// Convert it.
    Convert,
    /// Leave it: nothing needs doing.
    Skip(Skip),
    /// Refuse it: the request cannot be done as asked (an [`Error::Usage`]).
    Refuse(Error),
}

/// One input, its output, and what will be done.
#[derive(Debug)]
pub struct PlannedFile {
    /// The input file.
    pub input: PathBuf,
    /// Where its output goes.
    pub output: PathBuf,
    /// What will be done.
    pub action: Action,
}

impl PlannedFile {
    /// The refusal, if this input is refused.
    pub fn refusal(&self) -> Option<&Error> {
        match &self.action {
            Action::Refuse(e) => Some(e),
            _ => None,
        }
    }
}

/// What converting `input` to `output` with `opts` will do: refuse an
/// output that is the input, a folder, or named as another format; an
/// output that exists is refused, replaced (`force`), or kept when it
/// passes its check (`skip_existing`; one that does not is refused, or
/// replaced with `force`). Reads the existing output to check it.
pub fn plan_file(input: &Path, output: &Path, opts: &ConvertOptions) -> PlannedFile {
    let action = match check_output_path(input, output, opts.format, true) {
        Err(e) => Action::Refuse(e),
        Ok(_) => existing_output(output, opts),
    };
    PlannedFile {
        input: input.to_path_buf(),
        output: output.to_path_buf(),
        action,
    }
}

/// What to do about an output that may exist.
fn existing_output(output: &Path, opts: &ConvertOptions) -> Action {
    if fs::symlink_metadata(output).is_err() {
        return Action::Convert;
    }
    if !opts.skip_existing {
        return match opts.force {
            true => Action::Convert,
            false => Action::Refuse(Usage::OutputExists(output.to_path_buf()).into()),
        };
    }
    let check = crate::check::check_path(
        output,
        &CheckOptions {
            advise: false,
            ..opts.check.clone()
        },
    );
    match unfit(&check, opts) {
        None => Action::Skip(Skip::OutputPasses {
            check: Box::new(check),
        }),
        Some(_) if opts.force => Action::Convert,
        Some(why) => Action::Refuse(
            Usage::ExistingOutputUnfit {
                output: output.to_path_buf(),
                why,
            }
            .into(),
        ),
    }
}

/// Why an existing output is not what `opts` would write: it fails its
/// check, or has another rate.
fn unfit(check: &FileReport, opts: &ConvertOptions) -> Option<String> {
    if check.verdict == Verdict::Fail {
        let why: Vec<String> = check
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| format!("{}: {}", p.code, p.message))
            .collect();
        return Some(format!("fails its check ({})", why.join("; ")));
    }
    match check.sample_rate {
        Some(r) if r != opts.output_rate() => Some(format!(
            "is {r} Hz, not the {} Hz asked for",
            opts.output_rate()
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossless_names_beat_lossy_ones_and_ties_pick_none() {
        let p = Path::new;
        assert_eq!(Fidelity::of(p("a.WAV")), Fidelity::Lossless);
        assert_eq!(Fidelity::of(p("a.sln16")), Fidelity::Lossless);
        assert_eq!(Fidelity::of(p("a.vox")), Fidelity::Lossy);
        assert_eq!(Fidelity::of(p("a")), Fidelity::Lossy);
        assert_eq!(
            Fidelity::best([p("w.mp3"), p("w.flac"), p("w.ogg")]),
            Some(p("w.flac"))
        );
        assert_eq!(Fidelity::best([p("w.mp3"), p("w.opus")]), None);
        assert_eq!(Fidelity::best([p("w.wav"), p("w.aiff")]), None);
    }

    #[test]
    fn several_inputs_need_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let a = d.join("a.mp3");
        fs::write(&a, b"x").unwrap();
        let ok = d.join("ok.wav");
        assert_eq!(
            destination(std::slice::from_ref(&a), &ok).unwrap(),
            Destination::File {
                input: a.clone(),
                output: ok.clone()
            }
        );
        for inputs in [vec![a.clone(), d.join("extra.wav")], vec![d.to_path_buf()]] {
            let e = destination(&inputs, &ok).unwrap_err();
            assert!(
                matches!(e.usage(), Some(Usage::OutputNotAFolder(_))),
                "{e:?}"
            );
        }
        let slash = d.join("ready/");
        assert_eq!(
            destination(&[a.clone(), a.clone()], &slash).unwrap(),
            Destination::Folder(slash.clone())
        );
        assert_eq!(
            destination(std::slice::from_ref(&a), d).unwrap(),
            Destination::Folder(d.to_path_buf())
        );
        assert!(matches!(
            destination(&[d.join("gone.wav")], &ok),
            Err(Error::Io { .. })
        ));
    }
}
