//! Cost on the check fixtures: the figures, through the library
//! (`cost::cost_report` on the check's reports); `voxprep cost`'s exit
//! status and formats, through the binary (`mod cli`).

use crate::common::fixture;
use std::path::PathBuf;
use voxprep::batch;
use voxprep::billing::{Fen, Figure, Overflow};
use voxprep::check::CheckOptions;
use voxprep::cost::{CostReport, cost_report};
use voxprep::spec::Verdict;

/// What `voxprep cost` checks: durations, and the samples of the files the
/// provider plays as they are (for what trimming would save).
fn cost_options() -> CheckOptions {
    CheckOptions {
        analyse_signal: true,
        measure_loudness: false,
        advise: false,
        ..CheckOptions::default()
    }
}

/// Price the files under `paths` as `voxprep cost PATHS...` does.
fn cost(paths: &[PathBuf], price_fen: u64, recipients: u64, plays: u64) -> CostReport {
    let checked = batch::check_all(paths, &cost_options(), |_| {}, |_| {});
    cost_report(&checked.files, Fen(price_fen), recipients, plays).unwrap()
}

fn two_prompts() -> Vec<PathBuf> {
    vec![
        fixture("check/pass-8000hz-prompt.wav"),
        fixture("check/leading-silence-8000hz.wav"),
    ]
}

#[test]
fn per_file_and_total() {
    let c = cost(&two_prompts(), 12, 1000, 2);
    assert_eq!(c.calls, 2000);
    let pass = c
        .files
        .iter()
        .find(|l| l.path.ends_with("pass-8000hz-prompt.wav"))
        .unwrap();
    let leading = c
        .files
        .iter()
        .find(|l| l.path.ends_with("leading-silence-8000hz.wav"))
        .unwrap();
    // Rows in path order: the leading-silence prompt (12.3 s) first.
    assert_eq!(c.files[0].path, leading.path);
    assert_eq!(leading.billing_units, Some(2), "12.3 s is 2 units: {c:#?}");
    assert_eq!(leading.per_call_fen, Some(24));
    assert_eq!(leading.all_calls_fen, Some(48_000));
    assert_eq!(leading.all_calls_yuan.as_deref(), Some("480.00"));
    assert_eq!(pass.billing_units, Some(1));
    assert_eq!(pass.per_call_yuan.as_deref(), Some("0.12"));
    assert_eq!(c.total.billing_units, 3);
    assert_eq!(c.total.per_call_fen, 36);
    assert_eq!(c.total.all_calls_fen, 72_000);
    assert_eq!(c.total.all_calls_yuan, "720.00");
    assert_eq!(c.total.duration_s, 14.101);
}

#[test]
fn failing_files_have_unknown_cost() {
    // An RF64 file: no length a conversion could read either.
    let rf64 = fixture("convert/rf64-8000Hz-mono.wav");
    let c = cost(&[rf64, fixture("check/prompts/welcome.wav")], 10, 1, 1);
    let rf64 = &c.files[1];
    assert!(rf64.path.ends_with("rf64-8000Hz-mono.wav"), "{c:#?}");
    assert_eq!(rf64.verdict, Verdict::Fail);
    assert_eq!(rf64.per_call_fen, None);
    assert_eq!(rf64.codes, ["not-wav"]);
    assert_eq!(c.total.files_without_cost, 1);
    assert_eq!(c.total.per_call_fen, 10);
}

/// A file in a format the provider does not play costs what its conversion
/// will: its length is read the way convert reads it.
#[cfg(feature = "decode")]
#[test]
fn convertible_files_cost_what_their_conversion_will() {
    let c = cost(&[fixture("check/prompts")], 10, 1, 1);
    let mp3 = &c.files[0];
    assert_eq!(mp3.verdict, Verdict::Fail);
    assert_eq!(mp3.codes, ["not-accepted"]);
    assert_eq!(mp3.per_call_fen, Some(10));
    assert_eq!(c.total.files_without_cost, 0);
    assert_eq!(c.total.per_call_fen, 20);
}

/// The leading-silence prompt (12.3 s, 2 units) trims to 11.6 s, 1 unit;
/// the clean prompt saves nothing. The savings add up per call and over
/// all calls, and check's summary has the same total.
#[test]
fn trimming_savings_are_totalled() {
    let c = cost(&two_prompts(), 12, 1000, 2);
    let leading = &c.files[0];
    assert!(
        leading.path.ends_with("leading-silence-8000hz.wav"),
        "{c:#?}"
    );
    assert_eq!(leading.trim_saving_units, Some(1));
    assert_eq!(leading.trim_saving_fen, Some(24_000));
    assert_eq!(c.files[1].trim_saving_units, Some(0));
    assert_eq!(c.total.trim_saving_units, 1);
    assert_eq!(c.total.trim_saving_fen, 24_000);
    assert_eq!(c.total.trim_saving_yuan, "240.00");
    assert_eq!(c.total.files_without_trim_saving, 0);

    let checked = batch::check_all(&two_prompts(), &CheckOptions::default(), |_| {}, |_| {});
    let s = checked.summary().unwrap();
    assert_eq!((s.trim_saving_units, s.files_without_trim_saving), (1, 0));
}

/// A figure too large for 64 bits is an error naming it, not a missing
/// amount.
#[test]
fn overflow_is_an_error() {
    let checked = batch::check_all(&two_prompts(), &cost_options(), |_| {}, |_| {});
    let e = cost_report(&checked.files, Fen(u64::MAX / 2), 1, 1).unwrap_err();
    assert_eq!(e, Overflow(Figure::Money));
    let e = cost_report(&checked.files, Fen(1), u64::MAX, 2).unwrap_err();
    assert_eq!(e, Overflow(Figure::Calls));
}

/// A minimal RFC 4180 reader: rows of cells, quoted cells unquoted; every
/// row must end in CRLF.
#[cfg(feature = "cli")]
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "a row ends in CRLF");
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => {
                assert!(c != '"' && c != '\n', "a bare {c:?} in {text:?}");
                cell.push(c);
            }
        }
    }
    assert!(
        !quoted && cell.is_empty() && row.is_empty(),
        "{text:?} ends mid-row"
    );
    rows
}

/// `voxprep cost` itself: exit status and formats.
#[cfg(feature = "cli")]
mod cli {
    use super::*;
    use crate::common::voxprep;
    use serde_json::json;

    /// The JSON document is the library's report, with the documented names.
    #[test]
    fn json_per_file_and_total() {
        let doc = voxprep()
            .args([
                "cost",
                "--price-fen",
                "12",
                "--recipients",
                "1000",
                "--plays",
                "2",
                "--format",
                "json",
            ])
            .args(two_prompts())
            .run()
            .success()
            .json();
        assert_eq!(doc, json!(cost(&two_prompts(), 12, 1000, 2)));
        assert_eq!(doc["calls"], 2000);
        let files = doc["files"].as_array().unwrap();
        assert_eq!(files[0]["billing_units"], 2, "12.3 s is 2 units: {doc:#}");
        assert_eq!(files[0]["per_call_fen"], 24);
        assert_eq!(files[0]["all_calls_fen"], 48_000);
        assert_eq!(files[0]["all_calls_yuan"], "480.00");
        assert_eq!(files[1]["billing_units"], 1);
        assert_eq!(files[1]["per_call_yuan"], "0.12");
        assert_eq!(doc["total"]["billing_units"], 3);
        assert_eq!(doc["total"]["per_call_fen"], 36);
        assert_eq!(doc["total"]["all_calls_fen"], 72_000);
        assert_eq!(doc["total"]["all_calls_yuan"], "720.00");
        assert_eq!(doc["total"]["duration_s"], 14.101);
    }

    #[test]
    fn human_table() {
        let text = voxprep()
            .args(["cost", "--price-fen", "5"])
            .arg(fixture("check/prompt-8000hz.vox"))
            .run()
            .success()
            .stdout();
        assert!(
            text.contains("1 recipient(s) x 1 play(s) = 1 call(s)"),
            "{text}"
        );
        assert!(text.contains("5 fen (¥0.05)"), "{text}");
        assert!(text.contains("prompt-8000hz.vox"), "{text}");
    }

    #[test]
    fn failing_files_exit_1_with_unknown_cost() {
        let files = [
            fixture("convert/rf64-8000Hz-mono.wav"),
            fixture("check/prompts/welcome.wav"),
        ];
        let doc = voxprep()
            .args(["cost", "--price-fen", "10", "--format", "json"])
            .args(&files)
            .run()
            .code(1)
            .json();
        assert_eq!(doc, json!(cost(&files, 10, 1, 1)));
        let rf64 = &doc["files"][1];
        assert_eq!(rf64["verdict"], "fail");
        assert!(rf64["per_call_fen"].is_null());
        assert_eq!(rf64["codes"][0], "not-wav");
        assert_eq!(doc["total"]["files_without_cost"], 1);
        assert_eq!(doc["total"]["per_call_fen"], 10);
    }

    /// `cost billing.mp3`: an MP3 (12.5 s at 22 050 Hz) costs the units of
    /// the file its conversion writes, 2, not 0.
    #[test]
    fn an_mp3_has_units() {
        let doc = voxprep()
            .args(["cost", "--price-fen", "10", "--format", "json"])
            .arg(fixture("check/billing-12.5s-22050hz.mp3"))
            .run()
            .code(1)
            .json();
        let f = &doc["files"][0];
        assert_eq!(f["billing_units"], 2, "{doc:#}");
        assert_eq!(f["duration_s"], 12.5);
        assert_eq!(f["per_call_fen"], 20);
        assert_eq!(f["codes"][0], "not-accepted");
        assert_eq!(doc["total"]["billing_units"], 2);
        assert_eq!(doc["total"]["files_without_cost"], 0);
    }

    /// Every kind of input convert reads costs what the file convert writes
    /// of it is billed: its units and duration as `voxprep check` reads the
    /// output.
    #[test]
    fn every_input_costs_what_its_conversion_is_billed() {
        let dir = tempfile::tempdir().unwrap();
        for (input, extra) in [
            ("check/billing-12.5s-22050hz.mp3", &[][..]),
            ("convert/tone-44100Hz-stereo.ogg", &[]),
            ("convert/tone-48000Hz-mono.flac", &[]),
            ("convert/tone-44100Hz-mono.m4a", &[]),
            ("convert/tone-22050Hz-mono.aiff", &[]),
            ("convert/tone-s16-96000Hz-mono.wav", &[]),
            ("gsm/speech-espeak-8000Hz.gsm", &[]),
            ("gsm/speech-espeak-8000Hz-wav49.wav", &[]),
            ("opus/hybrid-48000Hz.opus", &[]),
            ("amr/speech-espeak-16000Hz-23k85.amr", &[]),
            ("opus/speech-silk-16000Hz.webm", &[]),
            ("telephony/speech-16000Hz.sln16", &[]),
            ("telephony/speech-8000Hz.alaw", &[]),
            ("telephony/speech-6000Hz.vox", &["--vox-rate", "6000"]),
        ] {
            let doc = voxprep()
                .args(["cost", "--price-fen", "1", "--format", "json"])
                .args(extra)
                .arg(fixture(input))
                .run()
                .json();
            let priced = &doc["files"][0];
            let out = dir.path().join("out.wav");
            voxprep()
                .arg("convert")
                .arg(fixture(input))
                .arg("-o")
                .arg(&out)
                .args(["--force"])
                .args(extra)
                .run()
                .success();
            let written = &voxprep()
                .args(["check", "--format", "json"])
                .arg(&out)
                .run()
                .json()["files"][0];
            assert!(
                priced["billing_units"].as_u64().unwrap() > 0,
                "{input}: {priced}"
            );
            assert_eq!(
                (&priced["billing_units"], &priced["duration_s"]),
                (&written["billing_units"], &written["duration_s"]),
                "{input}"
            );
        }
    }

    /// CSV: RFC 4180, a header row, a row per file, a TOTAL row with the
    /// savings.
    #[test]
    fn csv_parses() {
        let text = voxprep()
            .args([
                "cost",
                "--price-fen",
                "12",
                "--recipients",
                "1000",
                "--plays",
                "2",
            ])
            .args(["--format", "csv"])
            .args(two_prompts())
            .run()
            .success()
            .stdout();
        let rows = parse_csv(&text);
        let header = &rows[0];
        assert_eq!(header[0], "path");
        assert!(rows.iter().all(|r| r.len() == header.len()), "{rows:?}");
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        assert_eq!(rows.len(), 4, "header, two files, the total: {rows:?}");
        assert!(rows[1][0].ends_with("leading-silence-8000hz.wav"));
        assert_eq!(rows[1][col("billing_units")], "2");
        assert_eq!(rows[1][col("trim_saving_units")], "1");
        assert_eq!(rows[1][col("codes")], "leading-silence");
        let total = &rows[3];
        assert_eq!(total[0], "TOTAL");
        assert_eq!(total[col("billing_units")], "3");
        assert_eq!(total[col("all_calls_fen")], "72000");
        assert_eq!(total[col("trim_saving_units")], "1");
        assert_eq!(total[col("trim_saving_fen")], "24000");
        assert_eq!(total[col("trim_saving_yuan")], "240.00");
    }

    /// The human table ends with what trimming would save.
    #[test]
    fn human_savings_line() {
        voxprep()
            .args([
                "cost",
                "--price-fen",
                "12",
                "--recipients",
                "1000",
                "--plays",
                "2",
            ])
            .args(two_prompts())
            .run()
            .success()
            .stdout_has(
                "trimming the silence (voxprep convert --trim-silence) would save 1 billing \
                 unit(s) per call of each file, 24000 fen (¥240.00) over all calls\n",
            );
    }

    /// check's summary totals the savings too: the human line and JSON.
    #[test]
    fn check_summary_totals_savings() {
        voxprep()
            .arg("check")
            .args(two_prompts())
            .run()
            .success()
            .stdout_has(
                "trimming the silence (voxprep convert --trim-silence) would save 1 billing unit(s) per call\n",
            );
        let doc = voxprep()
            .args(["check", "--format", "json"])
            .args(two_prompts())
            .run()
            .success()
            .json();
        assert_eq!(doc["summary"]["trim_saving_units"], 1);
        assert_eq!(doc["summary"]["files_without_trim_saving"], 0);
    }

    /// An amount too large to count: exit 2, a message naming it, nothing
    /// on stdout (no "-" in place of the amount).
    #[test]
    fn overflow_exits_2_with_a_message() {
        for args in [
            &["--price-fen", "18446744073709551615"][..],
            &[
                "--price-fen",
                "1",
                "--recipients",
                "18446744073709551615",
                "--plays",
                "2",
            ],
        ] {
            let r = voxprep()
                .arg("cost")
                .args(args)
                .args(["--format", "json"])
                .args(two_prompts())
                .run()
                .code(2)
                .stderr_has("too large to count");
            assert_eq!(r.stdout(), "", "{r}");
        }
    }

    #[test]
    fn usage_errors_exit_2() {
        let f = fixture("check/pass-8000hz-prompt.wav");
        let f = f.to_str().unwrap();
        for args in [
            &["cost", f][..],
            &["cost", "--price-fen", "1"],
            &["cost", "--price-fen", "x", f],
            &["cost", "--price-fen", "1", "--recipients", "0", f],
            &["cost", "--price-fen", "1", "/nonexistent/a.wav"],
        ] {
            voxprep().args(args).run().code(2);
        }
    }
}
