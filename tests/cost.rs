//! `voxprep cost` end to end on the check fixtures.

use crate::common::{fixture, voxprep};
use serde_json::Value;

fn fx(rel: &str) -> String {
    fixture(rel).to_string_lossy().into_owned()
}

#[test]
fn json_per_file_and_total() {
    let out = voxprep()
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
        .arg(fx("check/pass-8000hz-prompt.wav"))
        .arg(fx("check/leading-silence-8000hz.wav"))
        .run();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
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
    let out = voxprep()
        .args(["cost", "--price-fen", "5"])
        .arg(fx("check/prompt-8000hz.vox"))
        .run();
    assert_eq!(out.status.code(), Some(0));
    let text = out.stdout();
    assert!(
        text.contains("1 recipient(s) x 1 play(s) = 1 call(s)"),
        "{text}"
    );
    assert!(text.contains("5 fen (¥0.05)"), "{text}");
    assert!(text.contains("prompt-8000hz.vox"), "{text}");
}

#[test]
fn failing_files_exit_1_with_unknown_cost() {
    let out = voxprep()
        .args(["cost", "--price-fen", "10", "--format", "json"])
        .arg(fx("check/prompts"))
        .run();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mp3 = &doc["files"][0];
    assert_eq!(mp3["verdict"], "fail");
    assert!(mp3["per_call_fen"].is_null());
    assert_eq!(mp3["codes"][0], "not-accepted");
    assert_eq!(doc["total"]["files_without_cost"], 1);
    assert_eq!(doc["total"]["per_call_fen"], 10);
}

#[test]
fn usage_errors_exit_2() {
    let f = fx("check/pass-8000hz-prompt.wav");
    voxprep().args(["cost", &f]).run().code(2);
    voxprep().args(["cost", "--price-fen", "1"]).run().code(2);
    voxprep()
        .args(["cost", "--price-fen", "x", &f])
        .run()
        .code(2);
    voxprep()
        .args(["cost", "--price-fen", "1", "--recipients", "0", &f])
        .run()
        .code(2);
    voxprep()
        .args(["cost", "--price-fen", "1", "/nonexistent/a.wav"])
        .run()
        .code(2);
}
