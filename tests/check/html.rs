//! `voxprep check --format html`, `-o` and `--envelope`, through the
//! binary; and the report of the whole fixtures folder opened in headless
//! Chromium, which must show what the JSON says.

use crate::common::{fixture, have_tool, voxprep};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Put first in the copy's `<head>`: every error the page meets (uncaught
/// exceptions, failed loads, refusals of the page's content policy,
/// `console.error`) into a list the probe reports.
const ERROR_TRAP: &str = r#"<script>window.voxprepProbeErrors=[];(function(){
var E=window.voxprepProbeErrors;
window.addEventListener("error",function(e){E.push("error: "+(e.message||(e.target&&e.target.outerHTML||"").slice(0,160)))},true);
window.addEventListener("unhandledrejection",function(e){E.push("unhandled rejection: "+e.reason)});
document.addEventListener("securitypolicyviolation",function(e){E.push("refused by the content policy: "+e.violatedDirective+" "+e.blockedURI)});
var o=console.error;console.error=function(){E.push("console.error: "+Array.prototype.join.call(arguments," "));return o.apply(console,arguments)};
})();</script>"#;

/// Chromium, headless, with a profile of its own under `dir`, no network
/// services, and its console on stderr.
fn chromium(dir: &Path) -> Command {
    let mut c = Command::new("chromium");
    c.args([
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1280,900",
    ])
    .arg(format!("--user-data-dir={}", dir.join("profile").display()))
    .stdin(Stdio::null());
    c
}

/// Run `cmd` to its end, killed after a minute; its stdout and stderr.
fn run_bounded(mut cmd: Command) -> (String, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut s).unwrap();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut s).unwrap();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    let err = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
    (out, err)
}

/// The text of `<pre id="voxprep-probe">` in a dumped DOM, unescaped.
fn probe_result(dom: &str) -> Option<Value> {
    // The last one: the probe's own source names the element too.
    let start = dom.rfind("<pre id=\"voxprep-probe\">")? + "<pre id=\"voxprep-probe\">".len();
    let end = start + dom[start..].find("</pre>")?;
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    Some(serde_json::from_str(&text).expect("the probe writes JSON"))
}

#[test]
fn the_fixtures_report_opens_in_chromium_as_the_json_says() {
    if !have_tool("chromium") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let fixtures = fixture("");
    let run = voxprep()
        .args(["check", "--loudness", "--format", "html", "-o"])
        .arg(&report)
        .arg(&fixtures)
        .run();
    // Fixtures fail on purpose; the report is written all the same.
    let run = run.code(1);
    assert!(run.stdout().is_empty(), "{run}");
    let json = voxprep()
        .args(["check", "--loudness", "--format", "json"])
        .arg(&fixtures)
        .run()
        .code(1)
        .json();
    let summary = &json["summary"];
    let files = json["files"].as_array().unwrap();

    // A copy with the error trap first and the probe last.
    let page = std::fs::read_to_string(&report).unwrap();
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no network"
    );
    let probe = include_str!("html_probe.js");
    let copy = page
        .replacen("<head>", &format!("<head>{ERROR_TRAP}"), 1)
        .replacen("</body>", &format!("<script>{probe}</script></body>"), 1);
    let probed = dir.path().join("probed.html");
    std::fs::write(&probed, copy).unwrap();

    let mut cmd = chromium(dir.path());
    cmd.arg("--dump-dom")
        .arg(format!("file://{}", probed.display()));
    let (dom, log) = run_bounded(cmd);
    let found = probe_result(&dom).unwrap_or_else(|| {
        panic!("no probe result in the page (did the probe run?); chromium said:\n{log}")
    });
    assert!(found.get("probe_failed").is_none(), "{found:#}");

    // No error of any kind, in the page or on chromium's console.
    assert_eq!(found["errors"], serde_json::json!([]), "{found:#}");
    let console: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .filter(|l| {
            ["Uncaught", "Refused", "Failed to", "Not allowed"]
                .iter()
                .any(|w| l.contains(w))
        })
        .collect();
    assert!(console.is_empty(), "console errors: {console:#?}");

    // One row per file, the same verdicts, the summary's counts the JSON's.
    assert_eq!(found["rows"], files.len(), "{found:#}");
    for v in ["pass", "warn", "fail"] {
        assert_eq!(found["summary"][v], summary[v], "{v}: {found:#}");
        assert_eq!(found["row_verdicts"][v], summary[v], "{v}: {found:#}");
    }
    assert_eq!(found["summary"]["units"], summary["total_billing_units"]);

    // A thumbnail for every analysed file (WAV and VOX alike), none drawn
    // before it came into view, every one drawn once scrolled to.
    let analysed = files.iter().filter(|f| !f["signal"].is_null()).count();
    assert!(analysed > 20, "{analysed}");
    assert!(
        files
            .iter()
            .any(|f| !f["signal"].is_null() && f["container"] == "vox")
    );
    assert_eq!(found["thumbnails"], analysed, "{found:#}");
    assert_eq!(found["drawn_before_scrolling"], 0, "{found:#}");
    assert_eq!(found["undrawn"], serde_json::json!([]), "{found:#}");

    // Filtering by `fail` shows the failing rows and only them.
    let fail = &found["fail_filter"];
    assert_eq!(fail["shown"], summary["fail"], "{found:#}");
    assert_eq!(fail["all_fail"], true, "{found:#}");
    assert_eq!(
        fail["counter"],
        format!("{} of {} shown", summary["fail"], files.len())
    );
    // And by a problem code: exactly the files that have it.
    let mut clipped: Vec<String> = files
        .iter()
        .filter(|f| {
            f["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["code"] == "clipping")
        })
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    let mut shown: Vec<String> = found["clipping_filter"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    clipped.sort();
    shown.sort();
    assert!(!clipped.is_empty());
    assert_eq!(shown, clipped);

    // What a reviewer sees first, as a picture.
    let shot = dir.path().join("report.png");
    let mut cmd = chromium(dir.path());
    cmd.arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", report.display()));
    let (_, log) = run_bounded(cmd);
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot ({e}): {log}"));
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{}",
        png.len()
    );
    if let Some(keep) = std::env::var_os("VOXPREP_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}

#[test]
fn the_page_links_each_file_from_where_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir_all(lib.join("a b")).unwrap();
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    std::fs::copy(
        fixture("check/pass-8000hz-prompt.wav"),
        lib.join("a b/#1 <x>.wav"),
    )
    .unwrap();
    std::fs::copy(fixture("check/prompt-8000hz.vox"), lib.join("v.vox")).unwrap();
    // To stdout: from the current folder.
    let page = voxprep()
        .current_dir(dir.path())
        .args(["check", "lib", "--format", "html"])
        .run()
        .success()
        .stdout();
    assert!(
        page.contains("href=\"lib/a%20b/%231%20%3Cx%3E.wav\""),
        "{page}"
    );
    assert!(page.contains("lib/a b/#1 &lt;x&gt;.wav"));
    assert!(!page.contains("<x>"));
    // A WAV gets a player, a VOX does not, both get a thumbnail.
    assert_eq!(page.matches("class=\"play\"").count(), 1);
    assert_eq!(page.matches("<canvas").count(), 2);
    // With -o: from the page's folder.
    voxprep()
        .current_dir(dir.path())
        .args(["check", "lib", "--format", "html", "-o", "out/r.html"])
        .run()
        .success();
    let page = std::fs::read_to_string(dir.path().join("out/r.html")).unwrap();
    assert!(page.contains("href=\"../lib/v.vox\""), "{page}");
}

#[test]
fn output_files_are_never_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    std::fs::write(&out, "keep").unwrap();
    let wav = fixture("check/pass-8000hz-prompt.wav");
    voxprep()
        .args(["check", "--format", "json", "-o"])
        .arg(&out)
        .arg(&wav)
        .run()
        .code(2)
        .stderr_has("exists; use --force to replace it");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep");
    voxprep()
        .args(["check", "--format", "json", "--force", "-o"])
        .arg(&out)
        .arg(&wav)
        .run()
        .success();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(doc["summary"]["pass"], 1);
    // Nothing left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn the_envelope_is_in_the_json_when_asked_for() {
    let wav = fixture("check/leading-silence-8000hz.wav");
    let vox = fixture("check/prompt-8000hz.vox");
    let doc = voxprep()
        .args(["check", "--format", "json", "--envelope", "50"])
        .arg(&wav)
        .arg(&vox)
        .run()
        .json();
    for f in doc["files"].as_array().unwrap() {
        let e = &f["signal"]["envelope"];
        let (min, max) = (e["min"].as_array().unwrap(), e["max"].as_array().unwrap());
        let per_bin = e["samples_per_bin"].as_u64().unwrap();
        let samples = f["signal"]["analysed_samples"].as_u64().unwrap();
        // Binned by sample index over the whole length: at most 50 bins.
        assert_eq!(min.len() as u64, samples.div_ceil(per_bin), "{f:#}");
        assert!(min.len() <= 50 && min.len() > 25, "{f:#}");
        assert!(
            min.iter()
                .zip(max)
                .all(|(lo, hi)| lo.as_i64() <= hi.as_i64())
        );
        assert!(e["clipped"].as_array().unwrap().is_empty());
    }
    // The leading silence is in the first bins, the speech after it.
    let first = &doc["files"][0]["signal"]["envelope"]["max"];
    assert!(first[0].as_i64().unwrap() < 200, "{first}");
    // Not asked for: not there.
    let doc = voxprep()
        .args(["check", "--format", "json"])
        .arg(&wav)
        .run()
        .json();
    assert!(doc["files"][0]["signal"].get("envelope").is_none());
    // Clipping is marked.
    let doc = voxprep()
        .args(["check", "--format", "json", "--envelope", "20"])
        .arg(fixture("check/clipped-8000hz.wav"))
        .run()
        .json();
    assert!(
        !doc["files"][0]["signal"]["envelope"]["clipped"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn html_options_are_refused_where_they_mean_nothing() {
    let wav = fixture("check/pass-8000hz-prompt.wav");
    for args in [
        &["--format", "csv", "--envelope", "10"][..],
        &["--envelope", "10"],
        &["--format", "json", "--price-fen", "10"],
        &["--format", "html", "--recipients", "10"],
        &["--format", "html", "--envelope", "0"],
        &["--force"],
    ] {
        voxprep().arg("check").args(args).arg(&wav).run().code(2);
    }
    voxprep()
        .args([
            "check",
            "--format",
            "html",
            "--price-fen",
            "12",
            "--recipients",
            "1000",
        ])
        .arg(&wav)
        .run()
        .success()
        .stdout_has("¥120.00");
}
