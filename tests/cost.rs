//! Cost on the check fixtures: the figures, through the library
//! (`cost::cost_report` on the check's reports); `voxprep cost`'s exit
//! status and formats, through the binary (`mod cli`).

use crate::common::fixture;
use std::path::PathBuf;
use voxprep::batch;
use voxprep::billing::Fen;
use voxprep::check::CheckOptions;
use voxprep::cost::{CostReport, cost_report};
use voxprep::spec::Verdict;

/// What `voxprep cost` checks: durations only.
fn durations_only() -> CheckOptions {
    CheckOptions {
        analyse_signal: false,
        measure_loudness: false,
        advise: false,
        ..CheckOptions::default()
    }
}

/// Price the files under `paths` as `voxprep cost PATHS...` does.
fn cost(paths: &[PathBuf], price_fen: u64, recipients: u64, plays: u64) -> CostReport {
    let checked = batch::check_all(paths, &durations_only(), |_| {}, |_| {});
    cost_report(&checked.files, Fen(price_fen), recipients, plays)
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
    assert_eq!(c.total.per_call_fen, Some(36));
    assert_eq!(c.total.all_calls_fen, Some(72_000));
    assert_eq!(c.total.all_calls_yuan.as_deref(), Some("720.00"));
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
    assert_eq!(c.total.per_call_fen, Some(10));
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
    assert_eq!(c.total.per_call_fen, Some(20));
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
