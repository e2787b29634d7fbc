//! `voxprep template check` and `voxprep cost --template` through the
//! binary: exit codes, the JSON document, @FILE.

use crate::common::voxprep;
use serde_json::json;

const OK: &str = "${name}，您好，您的快递已到，请及时取件。";
const MIDDLE: &str = "尊敬的${name}，您好。";

#[test]
fn a_valid_template_exits_0_with_its_estimate() {
    let doc = voxprep()
        .args(["template", "check", OK, "--param-max", "张三丰"])
        .args(["--format", "json"])
        .run()
        .success()
        .json();
    let t = &doc["templates"][0];
    assert_eq!(t["verdict"], "pass", "{doc:#}");
    assert_eq!(t["form"], "notice");
    assert_eq!(t["variables"][0]["written"], "${name}");
    assert_eq!(t["variables"][0]["syntax"], "dollar");
    assert_eq!(t["variables"][0]["placement"], "start");
    assert_eq!(t["param_max"], "张三丰");
    assert_eq!(t["estimate"]["syllables"], 16);
    assert_eq!(t["estimate"]["short_pauses"], 3);
    assert_eq!(t["estimate"]["billing_units"], 1);
    assert_eq!(t["estimate"]["rate"], 4.5);
    assert_eq!(t["problems"], json!([]));
    assert_eq!(
        doc["summary"],
        json!({"templates": 1, "pass": 1, "warn": 0, "fail": 0})
    );
}

#[test]
fn a_rule_broken_exits_1_warnings_exit_0() {
    let doc = voxprep()
        .args(["template", "check", MIDDLE, OK, "--format", "json"])
        .run()
        .code(1)
        .json();
    assert_eq!(doc["templates"][0]["verdict"], "fail");
    assert_eq!(
        doc["templates"][0]["problems"][0]["code"],
        "variable-in-middle"
    );
    assert_eq!(doc["templates"][0]["problems"][0]["severity"], "error");
    // Without --param-max: a warning, and the estimate leaves it out.
    assert_eq!(doc["templates"][1]["verdict"], "warn");
    assert_eq!(
        doc["templates"][1]["problems"][0]["code"],
        "variable-not-estimated"
    );
    voxprep()
        .args(["template", "check", OK])
        .run()
        .success()
        .stdout_has("(give it with --param-max VALUE)");
}

#[test]
fn verification_codes() {
    voxprep()
        .args(["template", "check", "042817", "--form", "code"])
        .run()
        .success();
    voxprep()
        .args(["template", "check", "12a", "--form", "code"])
        .run()
        .code(1)
        .stdout_has("not-verification-code");
}

#[test]
fn a_file_of_templates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("templates.txt");
    std::fs::write(&path, format!("\u{feff}{OK}\n\n{MIDDLE}\n")).unwrap();
    let arg = format!("@{}", path.display());
    let doc = voxprep()
        .args(["template", "check", &arg, "--format", "json"])
        .args(["--param-max", "张三丰"])
        .run()
        .code(1)
        .json();
    let p = path.display();
    assert_eq!(doc["templates"][0]["source"], format!("{p}:1"));
    assert_eq!(doc["templates"][0]["text"], OK, "the BOM is stripped");
    assert_eq!(doc["templates"][1]["source"], format!("{p}:3"));
    assert_eq!(doc["summary"]["templates"], 2);
}

#[test]
fn usage_errors_exit_2() {
    voxprep().args(["template", "check"]).run().code(2);
    voxprep()
        .args(["template", "check", "x", "--tts-rate", "0"])
        .run()
        .code(2);
    voxprep()
        .args(["template", "check", "@/nonexistent/templates.txt"])
        .run()
        .code(2)
        .stderr_has("cannot read templates from /nonexistent/templates.txt");
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "\n  \n").unwrap();
    voxprep()
        .args(["template", "check"])
        .arg(format!("@{}", empty.display()))
        .run()
        .code(2)
        .stderr_has("no template in it");
}

#[test]
fn csv_has_a_row_per_template() {
    let text = voxprep()
        .args(["template", "check", OK, MIDDLE, "--format", "csv"])
        .run()
        .code(1)
        .stdout();
    let rows: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows[0].starts_with("source,text,form,verdict"), "{text}");
}

/// `voxprep cost` prices templates beside recordings, or alone.
mod cost {
    use super::*;
    use crate::common::fixture;

    #[test]
    fn templates_beside_recordings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("templates.txt");
        std::fs::write(&path, format!("{OK}\n")).unwrap();
        let doc = voxprep()
            .args(["cost", "--price-fen", "10", "--recipients", "5000"])
            .arg(fixture("check/pass-8000hz-prompt.wav"))
            .arg("--template")
            .arg(format!("@{}", path.display()))
            .args(["--param-max", "张三丰", "--format", "json"])
            .run()
            .success()
            .json();
        assert_eq!(doc["files"].as_array().unwrap().len(), 1, "{doc:#}");
        let t = &doc["templates"][0];
        assert_eq!(t["verdict"], "pass");
        assert_eq!(t["billing_units"], 1);
        assert_eq!(t["per_call_fen"], 10);
        assert_eq!(t["all_calls_fen"], 50_000);
        assert_eq!(t["near_boundary"], false);
        assert_eq!(t["text"], OK);
        assert_eq!(doc["total"]["billing_units"], 2);
        assert_eq!(doc["total"]["template_units"], 1);
        assert_eq!(doc["total"]["all_calls_fen"], 100_000);
    }

    #[test]
    fn templates_alone_and_a_failing_one_exits_1() {
        let doc = voxprep()
            .args(["cost", "--price-fen", "10", "--format", "json"])
            .args(["--template", OK, "--param-max", "张三丰"])
            .run()
            .success()
            .json();
        assert_eq!(doc["files"], json!([]));
        assert_eq!(doc["total"]["billing_units"], 1);
        let text = voxprep()
            .args(["cost", "--price-fen", "10", "--template", MIDDLE])
            .run()
            .code(1)
            .stdout();
        assert!(text.contains("tts: 尊敬的${name}"), "{text}");
        assert!(text.contains("break a rule of the provider"), "{text}");
        voxprep().args(["cost", "--price-fen", "10"]).run().code(2);
    }
}
