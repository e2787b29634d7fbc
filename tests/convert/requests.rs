//! What `voxprep convert` does with the request itself, through the real
//! binary: an existing output, `--skip-existing` and `--force`, `--to`
//! against the output's name, file and folder outputs, optional values,
//! usage errors (exit 2, never a file row) and inputs sharing an output.

use super::cli::{convert, fails};
use super::*;
use crate::common::voxprep;
use voxprep::convert::TrimSilence;

#[test]
fn existing_output_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = kept_output(dir.path());
    let input = conv("tone-s16-8000Hz-mono.wav");
    fails(&input, &out, &[], 2, "exists; use --force");
    assert_eq!(fs::read(&out).unwrap(), b"keep me");
    convert(&input, &out, &["--force"]).run().success();
    assert_replaced(&out);
}

/// One file with `--skip-existing`: an output that passes check is
/// skipped (exit 0); one that does not is refused, or redone with --force.
#[test]
fn skip_existing_for_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = kept_output(dir.path());
    let input = conv("tone-s16-8000Hz-mono.wav");
    fails(
        &input,
        &out,
        &["--skip-existing"],
        2,
        "o.wav exists but fails its check",
    );
    assert_eq!(fs::read(&out).unwrap(), b"keep me");
    convert(&input, &out, &["--skip-existing", "--force"])
        .run()
        .success()
        .stdout_has("converted  ");
    assert_replaced(&out);
    let v = convert(&input, &out, &["--skip-existing", "--format", "json"])
        .run()
        .success()
        .json();
    assert_eq!(v["files"][0]["status"], "skipped");
    // Kept only at the rate asked for.
    fails(
        &input,
        &out,
        &["--skip-existing", "--rate", "11025"],
        2,
        "is 8000 Hz, not the 11025 Hz asked for; use --force to redo it",
    );
}

/// An existing output is the same usage error (exit 2, nothing on stdout,
/// nothing converted) for one file and in a folder, where the files whose
/// outputs are new are not converted either.
#[test]
fn an_existing_output_is_exit_2_in_file_and_folder_mode() {
    let dir = tempfile::tempdir().unwrap();
    let out = kept_output(dir.path());
    let input = conv("tone-s16-8000Hz-mono.wav");
    for format in ["human", "json", "csv"] {
        let run = convert(&input, &out, &["--format", format])
            .run()
            .code(2)
            .stderr_has("o.wav exists; use --force to replace it, or --skip-existing");
        assert!(run.stdout().is_empty(), "{run}");
    }
    let src = tempfile::tempdir().unwrap();
    fs::copy(&input, src.path().join("o.wav")).unwrap();
    fs::copy(&input, src.path().join("new.wav")).unwrap();
    let run = convert(src.path(), dir.path(), &["--format", "json"])
        .run()
        .code(2)
        .stderr_has("o.wav exists; use --force");
    assert!(run.stdout().is_empty(), "{run}");
    assert_eq!(listing(dir.path()), ["o.wav"]);
    assert_eq!(fs::read(&out).unwrap(), b"keep me");
}

/// `convert welcome.mp3 -o x.wav --to vox` would write VOX bytes named
/// `.wav`, which its own check fails: a usage error naming both.
#[test]
fn to_contradicting_the_output_name_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let mp3 = conv("tone-44100Hz-stereo.mp3");
    let x = dir.path().join("x.wav");
    fails(
        &mp3,
        &x,
        &["--to", "vox"],
        2,
        "x.wav is named .wav but would hold VOX",
    );
    convert(&mp3, &x, &["--to", "vox"])
        .run()
        .code(2)
        .stderr_has(&format!(
            "name it {} or leave out --to",
            x.with_extension("vox").display()
        ));
    let m = dir.path().join("x.mp3");
    fails(
        &mp3,
        &m,
        &["--to", "wav"],
        2,
        "x.mp3 is named .mp3 but would hold WAV",
    );
    // Agreeing, or a name that is no audio format's, is fine.
    convert(&mp3, &x, &["--to", "wav"]).run().success();
    convert(&mp3, &dir.path().join("x.v2"), &["--to", "vox"])
        .run()
        .success();
}

/// A single-file output name is never made a folder: a stray second
/// argument, or a folder input, with `-o ok.wav` is a usage error saying
/// what to do; a folder output must exist or end in `/`.
#[test]
fn a_file_name_is_never_made_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mp3 = d.join("welcome.mp3");
    fs::copy(conv("tone-44100Hz-stereo.mp3"), &mp3).unwrap();
    let ok = d.join("ok.wav");
    fs::write(d.join("extra.wav"), b"").unwrap();
    voxprep()
        .arg("convert")
        .arg(&mp3)
        .arg("-o")
        .arg(&ok)
        .arg(d.join("extra.wav"))
        .run()
        .code(2)
        .stderr_has("ok.wav is not a folder")
        .stderr_has("give one input file for -o");
    let src = source_tree();
    fails(src.path(), &ok, &[], 2, "ok.wav is not a folder");
    let ready = d.join("ready");
    fails(src.path(), &ready, &[], 2, "end it with / (-o");
    assert_eq!(listing(d), ["extra.wav", "welcome.mp3"]);
    // With a slash, the folder is made; an existing folder is used.
    convert(src.path(), &d.join("ready/"), &["--to", "vox"])
        .run()
        .code(1);
    assert_eq!(tree(&ready), SOURCE_TREE_AS_VOX);
    convert(&mp3, d, &[]).run().success();
    assert!(d.join("welcome.wav").is_file());
}

/// `--normalize` and `--trim-silence` take a level only after `=`: alone,
/// they never swallow the input after them; a level written after a space
/// is refused, saying how to write it, before any work.
#[test]
fn optional_values_never_take_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = conv("tone-s16-44100Hz-stereo.wav");
    for (flag, opts) in [
        ("--normalize", with_level(Level::NormalizePeak(-1.0))),
        (
            "--trim-silence",
            ConvertOptions {
                trim: Some(TrimSilence::default()),
                ..ConvertOptions::default()
            },
        ),
    ] {
        let out = dir.path().join(format!("{flag}.wav"));
        voxprep()
            .args(["convert", flag])
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .run()
            .success();
        let lib = dir.path().join(format!("{flag}-lib.wav"));
        converted(&input, &lib, &opts);
        assert!(fs::read(&out).unwrap() == fs::read(&lib).unwrap(), "{flag}");
    }
    let out = dir.path().join("n.wav");
    for (flags, hint) in [
        (["--normalize", "-3"], "(--normalize=-3)"),
        (["--trim-silence", "-50"], "(--trim-silence=-50)"),
    ] {
        fails(&input, &out, &flags, 2, hint);
    }
}

/// A usage error is never a file row: `--trim-silence=40` (out of range)
/// and `--trim-silence 40` are refused before any work, on stderr only,
/// in every report format, for one file and for a folder.
#[test]
fn usage_errors_are_never_file_rows() {
    let dir = tempfile::tempdir().unwrap();
    let input = conv("tone-s16-8000Hz-mono.wav");
    let src = source_tree();
    let folder = dir.path().join("ready/");
    for (input, out) in [
        (input.as_path(), dir.path().join("t.wav")),
        (src.path(), folder),
    ] {
        for format in ["human", "json", "csv"] {
            for (flags, expect) in [
                (
                    &["--trim-silence=40"][..],
                    "silence threshold 40 dBFS out of range (-120..0) (check --trim-silence)",
                ),
                (&["--trim-silence", "40"], "(--trim-silence=40)"),
                (&["--normalize=3"], "(check --normalize)"),
            ] {
                let run = convert(input, &out, flags)
                    .args(["--format", format])
                    .run()
                    .code(2)
                    .stderr_has(expect)
                    .stdout_lacks("FAILED");
                assert!(run.stdout().is_empty(), "{run}");
            }
        }
    }
    assert_eq!(listing(dir.path()), Vec::<String>::new());
}

/// `welcome.mp3` and `welcome.wav` in one folder share `welcome.wav`:
/// refused before work, both named, with the way out; with
/// `--prefer-lossless` the WAV is converted and the MP3 reported skipped.
#[test]
fn inputs_sharing_an_output_are_refused_unless_prefer_lossless() {
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    fs::copy(conv("tone-44100Hz-stereo.mp3"), s.join("welcome.mp3")).unwrap();
    fs::copy(conv("tone-s16-8000Hz-mono.wav"), s.join("welcome.wav")).unwrap();
    fs::copy(conv("tone-48000Hz-mono.flac"), s.join("other.flac")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = out.path();
    let run = convert(s, o, &[]).run().code(2).stderr_has(&format!(
        "{} and {} would both be written to {}; --prefer-lossless converts {}",
        s.join("welcome.mp3").display(),
        s.join("welcome.wav").display(),
        o.join("welcome.wav").display(),
        s.join("welcome.wav").display()
    ));
    assert!(run.stdout().is_empty(), "{run}");
    assert_eq!(listing(o), Vec::<String>::new());

    let v = convert(s, o, &["--prefer-lossless", "--format", "json"])
        .run()
        .success()
        .json();
    let row = |name: &str| {
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["input"].as_str().unwrap().ends_with(name))
            .unwrap()
            .clone()
    };
    assert_eq!(row("welcome.mp3")["status"], "skipped");
    assert_eq!(row("welcome.mp3")["reason"], "less-faithful");
    assert_eq!(
        row("welcome.mp3")["converted"],
        s.join("welcome.wav").to_str().unwrap()
    );
    assert_eq!(row("welcome.wav")["status"], "converted");
    assert_eq!(row("welcome.wav")["source"]["codec"], "pcm_s16le");
    assert_eq!(v["summary"]["skipped"], 1);
    assert_eq!(v["summary"]["converted"], 2);
    assert_eq!(listing(o), ["other.wav", "welcome.wav"]);
}

/// `--skip-existing` resumes a folder run: the outputs there that pass
/// check are skipped (in the human, JSON and CSV reports) and left as they
/// are, the new input converted; an output that fails check is refused, and
/// redone by `--force` with it, the others still skipped.
#[test]
fn skip_existing_resumes_a_folder_run() {
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    fs::copy(conv("tone-44100Hz-stereo.mp3"), s.join("one.mp3")).unwrap();
    fs::copy(conv("tone-48000Hz-mono.flac"), s.join("two.flac")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = out.path();
    convert(s, o, &[]).run().success();
    let one = fs::read(o.join("one.wav")).unwrap();
    let two = fs::read(o.join("two.wav")).unwrap();
    fs::copy(conv("tone-22050Hz-mono.aiff"), s.join("three.aiff")).unwrap();
    convert(s, o, &[])
        .run()
        .code(2)
        .stderr_has("--skip-existing");

    let run = convert(s, o, &["--skip-existing"]).run().success();
    let text = run.stdout();
    for name in ["one", "two"] {
        let line = format!(
            "skipped    {} -> {}  output exists and passes check (0.500 s, 1 unit)",
            s.join(format!(
                "{name}.{}",
                if name == "one" { "mp3" } else { "flac" }
            ))
            .display(),
            o.join(format!("{name}.wav")).display()
        );
        assert!(text.contains(&line), "{line:?} in {run}");
    }
    assert!(text.contains("converted  "), "{run}");
    assert!(
        text.contains("3 files: 1 converted (0 with warnings), 2 skipped, 0 failed"),
        "{run}"
    );
    assert_eq!(fs::read(o.join("one.wav")).unwrap(), one);

    // All done: the same run again skips everything, in every format.
    let v = convert(s, o, &["--skip-existing", "--format", "json"])
        .run()
        .success()
        .json();
    assert_eq!(v["summary"]["skipped"], 3);
    let f = &v["files"][0];
    assert_eq!(f["status"], "skipped", "{f}");
    assert_eq!(f["reason"], "output-passes", "{f}");
    assert_eq!(f["check"]["verdict"], "pass", "{f}");
    let csv = convert(s, o, &["--skip-existing", "--format", "csv"])
        .run()
        .success()
        .stdout();
    let mut lines = csv.lines();
    assert!(
        lines.next().unwrap().ends_with(",error,skip_reason"),
        "{csv}"
    );
    for line in lines {
        assert!(
            line.contains(",skipped,") && line.ends_with(",output-passes"),
            "{line}"
        );
    }

    // A broken output is not kept: refused, then redone with --force.
    fs::write(o.join("two.wav"), b"junk").unwrap();
    convert(s, o, &["--skip-existing"])
        .run()
        .code(2)
        .stderr_has("two.wav exists but fails its check")
        .stderr_has("use --force to redo it");
    let v = convert(s, o, &["--skip-existing", "--force", "--format", "json"])
        .run()
        .success()
        .json();
    assert_eq!(v["summary"]["converted"], 1);
    assert_eq!(v["summary"]["skipped"], 2);
    assert_eq!(fs::read(o.join("one.wav")).unwrap(), one);
    assert!(
        fs::read(o.join("two.wav")).unwrap() == two,
        "two.wav not redone"
    );
}

#[test]
fn output_without_extension_follows_to() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("prompt");
    convert(&conv("tone-44100Hz-stereo.mp3"), &out, &["--to", "vox"])
        .run()
        .success();
    assert_eq!(fs::metadata(&out).unwrap().len(), 2000);
}
