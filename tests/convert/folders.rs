//! Folders: converted into a mirrored tree, each file's outcome its own,
//! outputs never landing on inputs, nor converted again on the next run.

use super::*;
use voxprep::Usage;
use voxprep::batch;
use voxprep::check::{CheckOptions, check_path};
use voxprep::convert::{FolderOutcome, Summary, TreeInput, convert_tree};
use voxprep::spec::Verdict;

/// Convert the files under `roots` into `out` as `voxprep convert ROOTS -o
/// OUT` does: the check walker finds them, the output folder is made first.
fn convert_folder(roots: &[PathBuf], out: &Path, opts: &ConvertOptions) -> Vec<FolderOutcome> {
    let found = batch::collect(roots, batch::is_audio);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let inputs: Vec<TreeInput> = found
        .files
        .into_iter()
        .map(|(root, path)| TreeInput { root, path })
        .collect();
    fs::create_dir_all(out).unwrap();
    convert_tree(&inputs, out, opts, &|_| {})
}

/// The outcome for the input named `name`.
fn outcome<'a>(outcomes: &'a [FolderOutcome], name: &str) -> &'a FolderOutcome {
    outcomes
        .iter()
        .find(|o| o.input.ends_with(name))
        .unwrap_or_else(|| panic!("no outcome for {name}"))
}

#[test]
fn folders_convert_into_a_mirrored_tree() {
    let src = source_tree();
    let s = src.path();
    let out = tempfile::tempdir().unwrap();
    let outcomes = convert_folder(&[s.to_path_buf()], out.path(), &vox());
    let sum = Summary::of(&outcomes);
    assert_eq!(
        (sum.files, sum.converted, sum.failed, sum.billing_units),
        (4, 3, 1, 3),
        "{sum:?}"
    );
    let failed = outcome(&outcomes, "bad.wav").result.as_ref().unwrap_err();
    assert!(failed.to_string().contains("MP3 audio in WAV"), "{failed}");
    // Mirrored, extension replaced, no temporary files, no folder for the failed file.
    assert_eq!(tree(out.path()), SOURCE_TREE_AS_VOX);
    for f in ["a/b/two.vox", "a/one.vox", "three.vox"] {
        assert_ne!(
            check_path(&out.path().join(f), &CheckOptions::default()).verdict,
            Verdict::Fail
        );
    }
    // A second run refuses to overwrite; force replaces.
    let again = convert_folder(&[s.to_path_buf()], out.path(), &vox());
    assert_eq!(Summary::of(&again).converted, 0);
    for f in ["one.mp3", "two.flac", "three.vox"] {
        let e = outcome(&again, f).result.as_ref().unwrap_err();
        assert!(matches!(e.usage(), Some(Usage::OutputExists(_))), "{e:?}");
    }
    let forced = convert_folder(&[s.join("a")], &out.path().join("a"), &forced(vox()));
    assert_eq!(Summary::of(&forced).converted, 2);
}

#[test]
fn folder_outputs_never_land_on_inputs() {
    let src = clashing_folder();
    let s = src.path();
    let before = clashing_inputs(s);
    let outcomes = convert_folder(&[s.to_path_buf()], s, &forced(ConvertOptions::default()));
    let usage = |name: &str| {
        outcome(&outcomes, name)
            .result
            .as_ref()
            .unwrap_err()
            .usage()
    };
    assert!(
        matches!(usage("a.wav"), Some(Usage::OutputIsInput(_))),
        "{outcomes:#?}"
    );
    assert!(
        matches!(usage("b.mp3"), Some(Usage::OverwritesInput { .. })),
        "{outcomes:#?}"
    );
    assert!(
        matches!(usage("b.wav"), Some(Usage::OutputCollision { .. })),
        "{outcomes:#?}"
    );
    assert!(
        matches!(usage("c.ogg"), Some(Usage::OutputCollision { .. })),
        "{outcomes:#?}"
    );
    assert!(outcome(&outcomes, "c.flac").result.is_ok(), "{outcomes:#?}");
    assert_eq!(before, clashing_inputs(s));
    assert_no_temporary_files(s);
}

#[test]
fn outputs_inside_an_input_folder_are_not_converted_again() {
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    fs::copy(conv("tone-44100Hz-stereo.mp3"), s.join("x.mp3")).unwrap();
    let out = s.join("out");
    let first = convert_folder(&[s.to_path_buf()], &out, &ConvertOptions::default());
    assert_eq!(Summary::of(&first).converted, 1);
    let second = convert_folder(&[s.to_path_buf()], &out, &forced(ConvertOptions::default()));
    assert_eq!(second.len(), 1, "{second:#?}");
    assert!(second[0].result.is_ok(), "{second:#?}");
    assert_eq!(tree(&out), ["x.wav"]);
}
