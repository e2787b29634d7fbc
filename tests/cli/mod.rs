//! Conventions every command shares: shell completions, the man page,
//! colour, help texts.

use crate::common::{have_tool, voxprep};
use std::process::Command;

/// The bash completion script, sourced in a real bash, completes the
/// subcommands and a subcommand's flags.
#[test]
fn bash_completion_completes_subcommands_and_flags() {
    if !have_tool("bash") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("voxprep.bash");
    let run = voxprep().args(["completions", "bash"]).run().success();
    std::fs::write(&script, &run.output.stdout).unwrap();
    let complete = |line: &str| -> Vec<String> {
        let words: Vec<&str> = line.split(' ').collect();
        let program = format!(
            "source {script:?}
COMP_WORDS=({words})
COMP_CWORD={cword}
COMP_LINE={line:?}
COMP_POINT=${{#COMP_LINE}}
_voxprep voxprep {cur:?} {prev:?}
printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            words = words
                .iter()
                .map(|w| format!("{w:?}"))
                .collect::<Vec<_>>()
                .join(" "),
            cword = words.len() - 1,
            cur = words[words.len() - 1],
            prev = words[words.len() - 2],
        );
        let out = Command::new("bash")
            .arg("-c")
            .arg(program)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(complete("voxprep ch"), ["check"]);
    assert_eq!(complete("voxprep co"), ["cost", "convert", "completions"]);
    assert!(complete("voxprep convert --keep").contains(&"--keep-dc".to_string()));
}

/// `voxprep man` writes a page `man -l` renders, listing the subcommands;
/// `--dir` writes a page per subcommand with its options.
#[test]
fn the_man_page_renders() {
    if !have_tool("man") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("voxprep.1");
    let run = voxprep().arg("man").run().success();
    std::fs::write(&page, &run.output.stdout).unwrap();
    let man = |page: &std::path::Path| {
        let out = Command::new("man")
            .arg("-l")
            .arg(page)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = man(&page);
    for want in [
        "NAME",
        "SYNOPSIS",
        "SUBCOMMANDS",
        "voxprep-check(1)",
        "voxprep-convert(1)",
    ] {
        assert!(text.contains(want), "no {want} in:\n{text}");
    }
    voxprep()
        .arg("man")
        .arg("--dir")
        .arg(dir.path())
        .run()
        .success();
    let convert = man(&dir.path().join("voxprep-convert.1"));
    assert!(convert.contains("--keep-dc"), "{convert}");
    assert!(dir.path().join("voxprep-send-file.1").is_file());
}

/// Every subcommand's `--help` ends in examples; those that talk to the
/// provider name the environment variables the credentials come from.
#[test]
fn every_help_has_examples_and_the_credentials_variables() {
    for sub in [
        "check",
        "cost",
        "convert",
        "send",
        "send file",
        "send code",
        "send tts",
        "balance",
        "receive",
        "status",
        "completions",
        "man",
    ] {
        let run = voxprep().args(sub.split(' ')).arg("--help").run().success();
        let text = run.stdout();
        assert!(text.contains("EXAMPLES:\n  voxprep "), "{sub}:\n{text}");
        if sub.starts_with("send") || sub == "balance" {
            for var in ["QXT_CP_NAME", "QXT_CP_PASSWORD"] {
                assert!(text.contains(var), "{sub} --help lacks {var}");
            }
        }
    }
}

/// Verdicts are coloured with `--color always` (also into a pipe, and with
/// NO_COLOR set: the flag is explicit), never with `--color never`, and by
/// default not into a pipe; JSON is never coloured.
#[test]
fn verdicts_are_coloured_only_when_asked_or_at_a_terminal() {
    let file = crate::common::fixture("check/pass-8000hz-prompt.wav");
    let green_pass = "\x1b[32mPASS\x1b[0m";
    let run = voxprep()
        .args(["check", "--color", "always"])
        .arg(&file)
        .env("NO_COLOR", "1")
        .run()
        .success();
    assert!(run.stdout().contains(green_pass), "{run}");
    for args in [&["--color", "never"][..], &[][..]] {
        let run = voxprep()
            .arg("check")
            .args(args)
            .arg(&file)
            .env_remove("NO_COLOR")
            .run()
            .success();
        assert!(!run.stdout().contains('\x1b'), "{args:?}: {run}");
    }
    let run = voxprep()
        .args(["check", "--color", "always", "--format", "json"])
        .arg(&file)
        .run()
        .success();
    assert!(!run.stdout().contains('\x1b'), "{run}");
    // The flag is global: before the subcommand too.
    let run = voxprep()
        .args(["--color", "always", "check"])
        .arg(&file)
        .run()
        .success();
    assert!(run.stdout().contains(green_pass), "{run}");
}

/// `check -` reads standard input and judges it by its content: a WAV as a
/// WAV (no wrong-extension), an MP3 as an MP3 with its duration; the row
/// is named `-`, and no temporary copy is left behind.
#[test]
fn check_reads_standard_input() {
    let wav = std::fs::read(crate::common::fixture("check/pass-8000hz-prompt.wav")).unwrap();
    let run = voxprep()
        .args(["check", "-", "--format", "json"])
        .stdin(wav)
        .run()
        .success();
    let v = run.json();
    assert_eq!(v["files"][0]["path"], "-", "{run}");
    assert_eq!(v["files"][0]["verdict"], "pass", "{run}");
    assert_eq!(v["files"][0]["samples"], 14411, "{run}");

    let mp3 = std::fs::read(crate::common::fixture("convert/tone-44100Hz-stereo.mp3")).unwrap();
    let run = voxprep().args(["check", "-"]).stdin(mp3).run().code(1);
    let text = run.stdout();
    assert!(text.contains("not-accepted: MP3"), "{run}");
    assert!(text.contains("0.500 s") && text.contains("  -\n"), "{run}");

    voxprep()
        .args(["check", "-", "-"])
        .stdin(Vec::new())
        .run()
        .code(2)
        .stderr_has("only once");
    let leftovers: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(".voxprep-stdin-")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `convert -` reads standard input, `-o -` writes standard output (WAV,
/// or VOX with `--to vox`) with the report on stderr; a failure writes no
/// audio and exits 1; `-` appears as the path in the report.
#[test]
fn convert_reads_stdin_and_writes_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let mp3 = std::fs::read(crate::common::fixture("convert/tone-44100Hz-stereo.mp3")).unwrap();

    let out = dir.path().join("from-stdin.wav");
    let run = voxprep()
        .args(["convert", "-", "-o"])
        .arg(&out)
        .stdin(mp3.clone())
        .run()
        .success();
    assert!(run.stdout().starts_with("converted  - -> "), "{run}");
    let (spec, samples) = crate::convert::wav_samples(&out);
    assert_eq!((spec.sample_rate, samples.len()), (8000, 4000));

    let run = voxprep()
        .arg("convert")
        .arg(crate::common::fixture("convert/tone-44100Hz-stereo.mp3"))
        .args(["-o", "-"])
        .run()
        .success();
    assert!(run.output.stdout.starts_with(b"RIFF"), "{run}");
    assert!(run.stderr().contains(" -> -  mp3"), "{run}");
    let piped = dir.path().join("piped.wav");
    std::fs::write(&piped, &run.output.stdout).unwrap();
    let checked = voxprep::check::check_path(&piped, &voxprep::check::CheckOptions::default());
    assert_eq!(
        checked.verdict,
        voxprep::spec::Verdict::Pass,
        "{checked:#?}"
    );

    let gsm = std::fs::read(crate::common::fixture("gsm/speech-espeak-8000Hz.gsm")).unwrap();
    let run = voxprep()
        .args(["convert", "-", "-o", "-", "--to", "vox"])
        .stdin(gsm)
        .run()
        .success();
    // 3.52 s at 8 kHz, two samples a byte.
    assert_eq!(run.output.stdout.len(), 14_080, "{run}");

    let run = voxprep()
        .args(["convert", "-", "-o", "-"])
        .stdin(b"not audio".to_vec())
        .run()
        .code(1);
    assert!(run.output.stdout.is_empty(), "{run}");
    assert!(
        run.stderr().contains("-: decode: not an audio file"),
        "{run}"
    );

    voxprep()
        .args(["convert", "-", "-", "-o", "x/"])
        .stdin(Vec::new())
        .run()
        .code(2)
        .stderr_has("as the only input");
}
