//! Folders: converted into a mirrored tree, each file's outcome its own,
//! outputs never landing on inputs, nor converted again on the next run.

use super::*;
use voxprep::Usage;
use voxprep::batch;
use voxprep::check::{CheckOptions, check_path};
use voxprep::convert::{
    Action, Done, FolderOutcome, PlannedFile, Skip, Status, Summary, TreeInput, convert_tree,
    plan_tree,
};
use voxprep::spec::Verdict;

/// The files under `roots`, as the check walker finds them.
fn tree_inputs(roots: &[PathBuf]) -> Vec<TreeInput> {
    let found = batch::collect(roots, batch::is_audio);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    found
        .files
        .into_iter()
        .map(|(root, path)| TreeInput { root, path })
        .collect()
}

/// Convert the files under `roots` into `out` as `voxprep convert ROOTS -o
/// OUT` does: the check walker finds them, the output folder is made first.
fn convert_folder(roots: &[PathBuf], out: &Path, opts: &ConvertOptions) -> Vec<FolderOutcome> {
    fs::create_dir_all(out).unwrap();
    convert_tree(&tree_inputs(roots), out, opts, &|_| {})
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
        matches!(usage("b.mp3"), Some(Usage::OutputCollision { .. })),
        "{outcomes:#?}"
    );
    assert!(
        matches!(usage("b.wav"), Some(Usage::OutputCollision { .. })),
        "{outcomes:#?}"
    );
    // Neither of two inputs sharing an output is converted: not the first
    // found (once it was, and the second failed).
    for name in ["c.flac", "c.ogg"] {
        assert!(
            matches!(usage(name), Some(Usage::OutputCollision { .. })),
            "{outcomes:#?}"
        );
    }
    assert_eq!(before, clashing_inputs(s));
    assert_no_temporary_files(s);
    assert_eq!(listing(s), ["a.wav", "b.mp3", "b.wav", "c.flac", "c.ogg"]);

    // Preferring the lossless input: c.flac is converted, c.ogg skipped;
    // b.wav would be written onto itself, still refused.
    let opts = ConvertOptions {
        prefer_lossless: true,
        ..forced(ConvertOptions::default())
    };
    let outcomes = convert_folder(&[s.to_path_buf()], s, &opts);
    assert!(
        outcome(&outcomes, "c.flac").conversion().is_some(),
        "{outcomes:#?}"
    );
    assert_eq!(outcome(&outcomes, "c.ogg").status(), Status::Skipped);
    assert_eq!(outcome(&outcomes, "b.mp3").status(), Status::Skipped);
    let b = outcome(&outcomes, "b.wav").result.as_ref().unwrap_err();
    assert!(matches!(b.usage(), Some(Usage::OutputIsInput(_))), "{b:?}");
    assert_eq!(before, clashing_inputs(s));
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

/// An output that lands on another input, which itself goes elsewhere: the
/// folder `d` and the file `d/one.wav` given together, converted into the
/// folder above `d`.
#[test]
fn an_output_on_another_input_is_refused() {
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    fs::create_dir(s.join("d")).unwrap();
    fs::copy(conv("tone-44100Hz-stereo.mp3"), s.join("d/one.mp3")).unwrap();
    fs::copy(conv("tone-s16-8000Hz-mono.wav"), s.join("d/one.wav")).unwrap();
    let plan = plan_tree(
        &[
            TreeInput {
                root: s.join("d"),
                path: s.join("d/one.mp3"),
            },
            TreeInput {
                root: s.join("d/one.wav"),
                path: s.join("d/one.wav"),
            },
        ],
        s,
        &ConvertOptions::default(),
    );
    assert!(
        matches!(
            plan[0].refusal().and_then(|e| e.usage()),
            Some(Usage::OverwritesInput { input, .. }) if input.ends_with("d/one.wav")
        ),
        "{plan:#?}"
    );
    assert!(matches!(plan[1].action, Action::Convert), "{plan:#?}");
}

/// `dir` with `welcome.mp3`, `welcome.wav` and `other.flac`, plus `extra`
/// (names of copies of the 8000 Hz WAV fixture).
fn welcome_folder(extra: &[&str]) -> TempDir {
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    fs::copy(conv("tone-44100Hz-stereo.mp3"), s.join("welcome.mp3")).unwrap();
    fs::copy(conv("tone-s16-8000Hz-mono.wav"), s.join("welcome.wav")).unwrap();
    fs::copy(conv("tone-48000Hz-mono.flac"), s.join("other.flac")).unwrap();
    for name in extra {
        fs::copy(conv("tone-s16-8000Hz-mono.wav"), s.join(name)).unwrap();
    }
    src
}

/// The plan for the input named `name`.
fn planned<'a>(plan: &'a [PlannedFile], name: &str) -> &'a PlannedFile {
    plan.iter()
        .find(|p| p.input.ends_with(name))
        .unwrap_or_else(|| panic!("no plan for {name}: {plan:#?}"))
}

/// Inputs of one name that share an output are all refused before any
/// work, each refusal naming every one of them and the one
/// `prefer_lossless` would keep; the other files go ahead.
#[test]
fn inputs_sharing_an_output_are_refused_naming_them_all() {
    let src = welcome_folder(&[]);
    let s = src.path();
    let out = tempfile::tempdir().unwrap();
    let plan = plan_tree(&tree_inputs(&[s.to_path_buf()]), out.path(), &vox());
    for name in ["welcome.mp3", "welcome.wav"] {
        match planned(&plan, name).refusal().and_then(|e| e.usage()) {
            Some(Usage::OutputCollision {
                inputs,
                output,
                preferred,
            }) => {
                assert_eq!(inputs, &[s.join("welcome.mp3"), s.join("welcome.wav")]);
                assert_eq!(output, &out.path().join("welcome.vox"));
                assert_eq!(preferred.as_deref(), Some(s.join("welcome.wav").as_path()));
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    let e = planned(&plan, "welcome.mp3").refusal().unwrap().to_string();
    assert!(e.contains("welcome.mp3 and ") && e.contains("welcome.wav would both be written"));
    assert!(matches!(
        planned(&plan, "other.flac").action,
        Action::Convert
    ));
    // Nothing is written by planning.
    assert_eq!(listing(out.path()), Vec::<String>::new());
}

/// With `prefer_lossless` the lossless input is converted and the lossy
/// one skipped, saying which was converted; two lossless ones are a tie,
/// still refused.
#[test]
fn prefer_lossless_converts_the_lossless_one() {
    let src = welcome_folder(&[]);
    let s = src.path();
    let out = tempfile::tempdir().unwrap();
    let opts = ConvertOptions {
        prefer_lossless: true,
        ..ConvertOptions::default()
    };
    let outcomes = convert_folder(&[s.to_path_buf()], out.path(), &opts);
    let mp3 = outcome(&outcomes, "welcome.mp3");
    assert_eq!(mp3.status(), Status::Skipped);
    match &mp3.result {
        Ok(Done::Skipped(Skip::LessFaithful { converted })) => {
            assert_eq!(converted, &s.join("welcome.wav"))
        }
        other => panic!("{other:?}"),
    }
    let wav = outcome(&outcomes, "welcome.wav").conversion().unwrap();
    assert_eq!(wav.source.codec, "pcm_s16le");
    assert_eq!(tree(out.path()), ["other.wav", "welcome.wav"]);
    let sum = Summary::of(&outcomes);
    assert_eq!(
        (sum.converted, sum.skipped, sum.failed),
        (2, 1, 0),
        "{sum:?}"
    );

    let tie = welcome_folder(&["welcome.aiff"]);
    let plan = plan_tree(&tree_inputs(&[tie.path().to_path_buf()]), out.path(), &opts);
    for name in ["welcome.aiff", "welcome.mp3", "welcome.wav"] {
        assert!(
            matches!(
                planned(&plan, name).refusal().and_then(|e| e.usage()),
                Some(Usage::OutputCollision { preferred: None, inputs, .. }) if inputs.len() == 3
            ),
            "{name}: {plan:#?}"
        );
    }
}

/// `skip_existing` keeps the outputs that exist and pass check (a resumed
/// run converts only what is new), refuses one that fails check or has
/// another rate, and with `force` redoes only that one.
#[test]
fn skip_existing_keeps_outputs_that_pass_and_refuses_the_others() {
    let src = source_tree();
    let s = src.path();
    let out = tempfile::tempdir().unwrap();
    let first = convert_folder(&[s.to_path_buf()], out.path(), &ConvertOptions::default());
    assert_eq!(Summary::of(&first).converted, 3);
    let kept = fs::read(out.path().join("a/one.wav")).unwrap();
    // One more prompt, then the run again.
    fs::copy(conv("tone-22050Hz-mono.aiff"), s.join("four.aiff")).unwrap();
    let skip = ConvertOptions {
        skip_existing: true,
        ..ConvertOptions::default()
    };
    let again = convert_folder(&[s.to_path_buf()], out.path(), &skip);
    let sum = Summary::of(&again);
    assert_eq!(
        (sum.converted, sum.skipped, sum.failed),
        (1, 3, 1),
        "{again:#?}"
    );
    assert!(outcome(&again, "four.aiff").conversion().is_some());
    match &outcome(&again, "one.mp3").result {
        Ok(Done::Skipped(Skip::OutputPasses { check })) => {
            assert_ne!(check.verdict, Verdict::Fail);
            assert_eq!(check.path, out.path().join("a/one.wav"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fs::read(out.path().join("a/one.wav")).unwrap(), kept);

    // An output that fails check is not kept: refused, or redone with force.
    fs::write(out.path().join("a/one.wav"), b"not a wav").unwrap();
    let plan = plan_tree(&tree_inputs(&[s.to_path_buf()]), out.path(), &skip);
    let e = planned(&plan, "one.mp3").refusal().unwrap();
    assert!(
        matches!(e.usage(), Some(Usage::ExistingOutputUnfit { .. })),
        "{e:?}"
    );
    assert!(e.to_string().contains("exists but fails its check"), "{e}");
    let redo = convert_folder(&[s.to_path_buf()], out.path(), &forced(skip.clone()));
    let sum = Summary::of(&redo);
    assert_eq!((sum.converted, sum.skipped), (1, 3), "{redo:#?}");
    assert!(outcome(&redo, "one.mp3").conversion().is_some());
    assert_eq!(fs::read(out.path().join("a/one.wav")).unwrap(), kept);

    // Outputs at another rate than asked are not what this run would write.
    let plan = plan_tree(
        &tree_inputs(&[s.to_path_buf()]),
        out.path(),
        &ConvertOptions {
            rate: 11025,
            ..skip
        },
    );
    let e = planned(&plan, "two.flac").refusal().unwrap().to_string();
    assert!(e.contains("is 8000 Hz, not the 11025 Hz asked for"), "{e}");
}
