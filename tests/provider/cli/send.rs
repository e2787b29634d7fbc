//! `voxprep send`: its exit codes (0 accepted, 1 rejected, 2 refused before
//! sending, 3 in transport), its flags, the human, JSON and CSV reports and
//! the words on stderr. Which replies mean what is the library's (the
//! `replies` tests); here one or two cases show each through the command.
//! Last, `send file` with a recording on disk: checked as `voxprep check`
//! checks it (in its words, on stderr), billed, refused when it fails
//! unless `--no-check`, and only its name sent.

use super::*;
use serde_json::Value;
use std::fs;
use std::path::Path;

/// The human lines: the documented acceptance (exit 0), the documented
/// rejection and a code the document does not list (exit 1), each with
/// its meaning.
#[test]
fn human_lines_of_the_documented_replies_and_an_unknown_code() {
    let (code, en, zh) = REJECTIONS[11];
    let mut bodies = documented_replies();
    bodies.push(format!(r#"{{"code": "{code}"}}"#));
    let fake = answering(bodies);
    send_code_run(&fake.base_url, &[])
        .success()
        .stdout_has(&format!("accepted, smsid {SMSID}"));
    send_code_run(&fake.base_url, &[])
        .code(1)
        .stdout_has("-1000: account does not exist (用户账号不存在)")
        .stderr_has("rejected at least one");
    let r = send_code_run(&fake.base_url, &[]).code(1);
    for want in [code, en, zh] {
        assert!(r.stdout().contains(want), "{code}: missing {want:?}: {r}");
    }
    assert_eq!(fake.received().len(), 3);
}

/// JSON: a request's code as a string, `accepted`, the smsid (null when
/// rejected) and the meaning.
#[test]
fn json_of_an_accepted_and_a_rejected_request() {
    let fake = answering(NUMERIC_REPLIES);
    let json = ["--format", "json"];
    let doc = send_code_run(&fake.base_url, &json).success().json();
    assert_eq!(doc["requests"][0]["smsid"], "ABC");
    let doc = send_code_run(&fake.base_url, &json).code(1).json();
    let q = &doc["requests"][0];
    assert_eq!(q["code"], "-1012");
    assert_eq!(q["accepted"], false);
    assert_eq!(q["smsid"], Value::Null);
    assert!(q["message"].as_str().unwrap().contains("黑名单"), "{q}");
}

/// `--to @FILE` reads a number list; the duplicates dropped are counted on
/// stderr, and the report has a row per request.
#[test]
fn numbers_from_a_file_are_deduplicated_and_sent_200_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let (text, list) = numbers_with_duplicates();
    let file = dir.path().join("to.txt");
    std::fs::write(&file, text).unwrap();
    let fake = FakeProvider::always(Reply::code("0"));
    let to = format!("@{}", file.display());
    let r = run(
        Some(&fake.base_url),
        &["send", "code", "1234", "--to", &to, "--format", "json"],
    )
    .success()
    .stderr_has("2 duplicate");
    assert_sent_200_a_request(&fake, &list);
    let doc = r.json();
    let reqs = doc["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 3);
    assert!(
        reqs.iter()
            .all(|q| q["accepted"] == true && q["code"] == "0" && q["status"] == "accepted")
    );
    assert_eq!(reqs[2]["numbers"].as_array().unwrap().len(), 50);
    assert_eq!(reqs[0]["smsid"], SMSID);
}

/// An unknown outcome exits 3: the human line says so, quoting what came
/// back (password hidden), and stderr says what to do before resending.
#[test]
fn non_json_body_is_exit_3_quoting_a_redacted_excerpt() {
    let fake = echoing_gateway();
    send_code_run(&fake.base_url, &[])
        .code(3)
        .stdout_has("OUTCOME UNKNOWN: ")
        .stdout_has(ECHO_REDACTED)
        .stderr_has("not JSON")
        .stderr_has(CHECK_BEFORE_RESENDING);
    assert_eq!(fake.received().len(), 1);
}

/// `--timeout` and `--retry-connect` reach the client: a reply that never
/// comes is waited for once, the batches after it are not sent, and the
/// JSON report says which is which.
#[test]
fn a_reply_that_never_comes_is_sent_once_and_outcome_unknown() {
    let fake = FakeProvider::always(Reply::Never);
    let list = numbers(450).join(",");
    let started = std::time::Instant::now();
    let r = run(
        Some(&fake.base_url),
        &[
            "send",
            "code",
            "1234",
            "--to",
            &list,
            "--timeout",
            "1",
            "--retry-connect",
            "3",
            "--format",
            "json",
        ],
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let r = r.code(3).stderr_has(CHECK_BEFORE_RESENDING);
    assert_eq!(
        fake.settled().len(),
        1,
        "exactly one request, no resend, no next batch"
    );
    let doc = r.json();
    let requests = doc["requests"].as_array().unwrap();
    let statuses: Vec<&Value> = requests.iter().map(|q| &q["status"]).collect();
    assert_eq!(statuses, ["outcome_unknown", "not_sent", "not_sent"]);
    let message = requests[0]["message"].as_str().unwrap();
    assert!(message.contains("outcome unknown"), "{message}");
}

/// A garbage reply to request 2 of 3: exit 3; the human output lists the
/// 50 numbers of request 3, never sent, and the 200 of request 2, whose
/// outcome is unknown; `--unsent FILE` holds the 50, one a line, and
/// `--to @FILE` sends exactly them.
#[test]
fn a_garbage_reply_to_request_2_lists_the_unsent_numbers() {
    let fake = FakeProvider::start(|i, _| {
        if i == 1 {
            Reply::Ok("<html>gateway busy</html>".into())
        } else {
            Reply::code("0")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unsent.txt");
    let list = numbers(450).join(",");
    let unsent = &numbers(450)[400..];
    let r = run(
        Some(&fake.base_url),
        &[
            "send",
            "code",
            "1234",
            "--to",
            &list,
            "--unsent",
            file.to_str().unwrap(),
        ],
    )
    .code(3)
    .stdout_has("request 3/3 (50 numbers): NOT SENT: ")
    .stdout_has(&format!(
        "not sent: 50 number(s); nobody was called, safe to send again:\n{}\n",
        unsent.join(",")
    ))
    .stdout_has(&format!(
        "outcome unknown: 200 number(s); check the status reports before sending them again:\n{}\n",
        numbers(400)[200..].join(",")
    ))
    .stderr_has("50 number(s) not sent written to");
    assert_eq!(fake.settled().len(), 2, "request 3 never left");
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written, format!("{}\n", unsent.join("\n")), "{r}");

    // Ready for --to @FILE: the 50, and only them, go out.
    let again = FakeProvider::always(Reply::code("0"));
    let to = format!("@{}", file.display());
    run(
        Some(&again.base_url),
        &["send", "code", "1234", "--to", &to],
    )
    .success();
    let received = again.settled();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].numbers(), unsent);
}

/// -1011 (insufficient balance) on request 1 of 3: the fake sees exactly
/// one request; the other two are `not_sent`, the exit status is 1 (a
/// rejection, not a transport error), stderr says why, and all 450 numbers
/// are the ones to send again (nobody was called).
#[test]
fn insufficient_balance_on_request_1_stops_the_rest() {
    let fake = FakeProvider::always(Reply::code("-1011"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unsent.txt");
    let list = numbers(450).join(",");
    let base = ["send", "code", "1234", "--to", &list];
    let r = run(Some(&fake.base_url), &base)
        .code(1)
        .stdout_has("request 1/3 (200 numbers): REJECTED -1011: insufficient balance (余额不足)")
        .stdout_has("request 2/3 (200 numbers): NOT SENT: not attempted after an earlier request was refused for the whole account (-1011: ")
        .stdout_has(&format!("not sent: 450 number(s); nobody was called, safe to send again:\n{list}\n"))
        .stderr_has("refused a request for the whole account (-1011: insufficient balance");
    assert!(
        r.stderr()
            .contains("the 2 remaining request(s) were not sent"),
        "{r}"
    );
    assert_eq!(fake.settled().len(), 1, "exactly one request");

    let mut args = base.to_vec();
    args.extend(["--format", "json", "--unsent", file.to_str().unwrap()]);
    let doc = run(Some(&fake.base_url), &args).code(1).json();
    let statuses: Vec<&Value> = doc["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| &q["status"])
        .collect();
    assert_eq!(statuses, ["rejected", "not_sent", "not_sent"]);
    assert_eq!(doc["unsent"].as_array().unwrap().len(), 450);
    assert_eq!(fake.settled().len(), 2, "again exactly one request");
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written.lines().collect::<Vec<_>>(), numbers(450));
}

/// An existing `--unsent` file is refused before anything is sent (exit
/// 2) unless `--force`; with it, the file is replaced, empty when
/// everything went out.
#[test]
fn an_existing_unsent_file_is_refused_before_sending() {
    let fake = FakeProvider::always(Reply::code("0"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unsent.txt");
    std::fs::write(&file, "13900139000\n").unwrap();
    let path = file.to_str().unwrap();
    send_code_run(&fake.base_url, &["--unsent", path])
        .code(2)
        .stderr_has("exists; use --force");
    assert_eq!(fake.settled().len(), 0, "nothing sent");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "13900139000\n");
    send_code_run(&fake.base_url, &["--unsent", path, "--force"]).success();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary left"
    );
}

#[test]
fn connection_refused_is_exit_3_never_sent_and_retried_only_when_asked() {
    let base = nobody_listening();
    send_code_run(&base, &["--timeout", "1"])
        .code(3)
        .stderr_has("never sent")
        .stderr_has("safe to send it again")
        .stderr_lacks("outcome unknown")
        .stdout_lacks("outcome unknown");
    send_code_run(&base, &["--timeout", "1", "--retry-connect", "1"])
        .code(3)
        .stderr_has("(2 attempts)");
}

#[test]
fn csv_has_a_row_per_request() {
    let fake = FakeProvider::start(|i, _| Reply::code(if i == 1 { "-1010" } else { "0" }));
    let list = numbers(201).join(",");
    let r = run(
        Some(&fake.base_url),
        &["send", "code", "1234", "--to", &list, "--format", "csv"],
    )
    .code(1)
    .stderr_has("rejected at least one");
    let stdout = r.stdout();
    let rows: Vec<&str> = stdout.split("\r\n").collect();
    assert_eq!(rows[0], "numbers,status,accepted,code,smsid,message");
    let first = numbers(200).join(";");
    assert!(
        rows[1].starts_with(&format!("{first},accepted,true,0,{SMSID},0: accepted")),
        "{}",
        rows[1]
    );
    assert!(
        rows[2].starts_with("13800000200,rejected,false,-1010,,-1010: invalid destination number"),
        "{}",
        rows[2]
    );
    assert_eq!(rows[3], "", "two rows and a final line end: {r}");

    let r = send_code_run(&fake.base_url, &["--format", "csv", "--dry-run"]).success();
    let stdout = r.stdout();
    let rows: Vec<&str> = stdout.split("\r\n").collect();
    assert_eq!(rows[0], "numbers,content,url");
    assert!(
        rows[1].starts_with(&format!(
            "13800138000,【语音验证码】1234,{}/Recv_center?CpName=acme-corp&CpPassword=***&",
            fake.base_url
        )),
        "{}",
        rows[1]
    );
    assert_eq!(fake.settled().len(), 2, "the dry run sent nothing");
}

/// `send code DIGITS --to TO EXTRA...`.
fn code_to<'a>(digits: &'a str, to: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["send", "code", digits, "--to", to];
    args.extend(extra);
    args
}

#[test]
fn validation_failures_send_nothing_and_exit_2() {
    let fake = FakeProvider::always(Reply::code("0"));
    let dir = tempfile::tempdir().unwrap();
    let missing_at = format!("@{}", dir.path().join("nope.txt").display());
    let missing_wav = dir.path().join("sub").join("missing.wav");
    let missing_wav = missing_wav.to_str().unwrap();
    let dir_path = dir.path().to_str().unwrap();
    let one = "13800138000";
    let tts = |extra: &[&'static str]| {
        let mut args = vec!["send", "tts", "--app"];
        args.extend(extra);
        args.extend(["--to", "13800138000"]);
        args
    };
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (code_to("123", one, &[]), "4 to 6 digits"),
        (code_to("12ab", one, &[]), "4 to 6 digits"),
        (
            code_to("1234", "12345", &[]),
            "not a mainland mobile number",
        ),
        (code_to("1234", "13800138000,abc", &[]), "item 2"),
        (code_to("1234", ",", &[]), "no destination numbers"),
        (
            code_to("1234", &missing_at, &[]),
            "cannot read the number file",
        ),
        (
            code_to("1234", one, &["--ext-code", "12x"]),
            "extension code",
        ),
        (code_to("1234", one, &["--timeout", "0"]), "more than 0"),
        (tts(&["A|B", "--template", "T"]), "'|'"),
        (tts(&["A", "--template", "T", "--param", ""]), "is empty"),
        (send_file("", "r.wav", one), "template id"),
        (send_file("T", missing_wav, one), "no such file"),
        (send_file("T", dir_path, one), "not a regular file"),
        (send_file("T", "r|x.wav", one), "'|'"),
    ];
    for (args, want) in &cases {
        run(Some(&fake.base_url), args).code(2).stderr_has(want);
    }
    run(Some("ftp://127.0.0.1"), &code_to("1234", one, &[]))
        .code(2)
        .stderr_has("http://");
    assert!(
        fake.settled().is_empty(),
        "a validation failure sent a request"
    );
}

#[test]
fn dry_run_prints_the_redacted_request_and_sends_nothing() {
    let fake = FakeProvider::always(Reply::code("0"));
    let list = numbers(201).join(",");
    let mut args = send_file("T", "x.vox", &list);
    args.push("--dry-run");
    run(Some(&fake.base_url), &args)
        .success()
        .stdout_has("nothing sent")
        .stdout_has("【语音通知文件】A|T|x.vox")
        .stdout_has(&format!(
            "GET {}/Recv_center?CpName=acme-corp&CpPassword=***&DesMobile=13800000000,",
            fake.base_url
        ))
        .stdout_has("request 2/2 (1 numbers)");
    let doc = send_code_run(&fake.base_url, &["--dry-run", "--format", "json"]).json();
    assert_eq!(doc["dry_run"], true);
    assert_eq!(doc["requests"][0]["content"], "【语音验证码】1234");
    assert!(
        doc["requests"][0]["url"]
            .as_str()
            .unwrap()
            .contains("CpPassword=***&"),
        "{doc}"
    );
    run(Some(&fake.base_url), &["balance", "--dry-run"])
        .stdout_has("QueryBlance?CpName=acme-corp&CpPassword=***");
    assert!(fake.settled().is_empty());
}

/// Each form of `send` and its flags become the content and query the
/// dry run shows: the TTS parameter, key presses, the extension code.
#[test]
fn dry_runs_show_each_form_from_its_flags() {
    let fake = FakeProvider::always(Reply::code("0"));
    let plan = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--to", "13800138000", "--dry-run", "--format", "json"]);
        let doc = run(Some(&fake.base_url), &all).success().json();
        doc["requests"][0].clone()
    };
    let q = plan(&[
        "send",
        "tts",
        "--app",
        "A1",
        "--template",
        "TPL-9",
        "--param",
        "张三 先生",
        "--keypress",
        "--ext-code",
        "10690001",
    ]);
    assert_eq!(q["content"], "【语音通知按键】A1|TPL-9|张三 先生");
    let url = q["url"].as_str().unwrap();
    assert!(
        url.ends_with("&ExtCode=10690001") && url.contains("%20"),
        "{url}"
    );
    let q = plan(&["send", "tts", "--app", "A1", "--template", "T"]);
    assert_eq!(q["content"], "【语音通知】A1|T|");
    assert!(!q["url"].as_str().unwrap().contains("ExtCode"), "{q}");
    let q = plan(&[
        "send",
        "file",
        "--app",
        "app1",
        "--template",
        "T7",
        "--recording",
        "welcome.wav",
    ]);
    assert_eq!(q["content"], "【语音通知文件】app1|T7|welcome.wav");
    assert!(fake.settled().is_empty());
}

// ------------------------------------------------ a recording on disk

/// Write `dir/name`, a 16-bit WAV of a 440 Hz tone (hound, not voxprep);
/// its path.
fn tone_wav(dir: &Path, name: &str, rate: u32, channels: u16, seconds: f64) -> String {
    let path = dir.join(name);
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    let frames = (f64::from(rate) * seconds) as u32;
    for i in 0..frames {
        let s = (f64::from(i) * 440.0 * std::f64::consts::TAU / f64::from(rate)).sin() * 8000.0;
        for _ in 0..channels {
            w.write_sample(s as i16).unwrap();
        }
    }
    w.finalize().unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_local_recording_is_checked_and_only_its_name_sent() {
    let dir = tempfile::tempdir().unwrap();
    let wav = tone_wav(dir.path(), "welcome.wav", 8000, 1, 12.5);
    let fake = FakeProvider::always(Reply::code("0"));
    let args = send_file("T", &wav, "13800138000,13900139000");
    run(Some(&fake.base_url), &args)
        .success()
        .stderr_has("2 unit(s) of 12 s per answered call")
        .stderr_has("up to 4 unit(s) for 2 number(s)")
        .stderr_has(&format!("PASS    12.500 s    2 units  {wav}\n"));
    assert_eq!(
        fake.received()[0].param("Content"),
        Some("【语音通知文件】A|T|welcome.wav")
    );
    let mut args = send_file("T", &wav, "13800138000");
    args.extend(["--format", "json"]);
    let doc = run(Some(&fake.base_url), &args).success().json();
    assert_eq!(doc["billing_units_per_call"], 2);
}

#[test]
fn a_failing_recording_is_refused_unless_no_check() {
    let dir = tempfile::tempdir().unwrap();
    let wav = tone_wav(dir.path(), "music.wav", 44100, 2, 0.5);
    let fake = FakeProvider::always(Reply::code("0"));
    let mut args = send_file("T", &wav, "13800138000");
    let r = run(Some(&fake.base_url), &args)
        .code(2)
        .stderr_has("FAIL")
        .stderr_has("nothing sent");
    // The file's lines are `voxprep check`'s own, problems and all.
    let check = voxprep().args(["check", &wav]).run().stdout();
    let file_lines = check.split("\n\n").next().unwrap();
    assert!(
        file_lines.starts_with("FAIL") && file_lines.contains("      error "),
        "{check}"
    );
    r.stderr_has(file_lines);
    assert!(fake.settled().is_empty(), "a failing recording was sent");
    args.push("--no-check");
    run(Some(&fake.base_url), &args).success();
    assert_eq!(
        fake.received()[0].param("Content"),
        Some("【语音通知文件】A|T|music.wav")
    );
}

/// Issue 17, item 2: bytes that are not ADPCM under a `.vox` name (48 000
/// random bytes; mu-law speech) used to pass with warnings and were sent.
#[test]
fn a_vox_that_is_not_adpcm_is_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeProvider::always(Reply::code("0"));
    for (fixture, likely) in [
        ("vox/not-adpcm-random.vox", "random data or noise"),
        (
            "vox/not-adpcm-mulaw-speech-8000Hz.vox",
            "probably raw G.711 mu-law",
        ),
    ] {
        // Under the name it would be filed as.
        let path = dir.path().join("r.vox");
        std::fs::copy(crate::common::fixture(fixture), &path).unwrap();
        let path = path.to_str().unwrap();
        run(Some(&fake.base_url), &send_file("T", path, "13800138000"))
            .code(2)
            .stderr_has("FAIL")
            .stderr_has("error not-adpcm: not Dialogic ADPCM")
            .stderr_has(likely)
            .stderr_has("nothing sent");
        assert!(fake.settled().is_empty(), "{fixture} was sent");
    }
}

/// Every request of a send is in the ledger with its outcome: accepted
/// (pending until a report comes), refused, and unknown after a reply that
/// never came; `voxprep status` reads them back. `--no-ledger` records
/// nothing, and a ledger that cannot be opened stops the send before a
/// byte goes out.
#[test]
fn sends_are_recorded_in_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite");
    let ledger_arg = ledger.to_str().unwrap();
    // 201 numbers: two requests, the first accepted, the second refused.
    let numbers: Vec<String> = (0..201).map(|i| format!("1380013{i:04}")).collect();
    let list = dir.path().join("numbers.txt");
    fs::write(&list, numbers.join("\n")).unwrap();
    let to = format!("@{}", list.display());
    let fake = FakeProvider::start(|i, _| match i {
        0 => Reply::code("0"),
        _ => Reply::code("-1012"),
    });
    run(
        Some(&fake.base_url),
        &["send", "code", "1234", "--to", &to, "--ledger", ledger_arg],
    )
    .code(1);
    let status = voxprep()
        .args(["status", "--format", "json", "--ledger", ledger_arg])
        .run()
        .success()
        .json();
    assert_eq!(status["totals"]["pending"], 200, "{status:#}");
    assert_eq!(status["totals"]["rejected"], 1, "{status:#}");
    let doc = fs::read(&ledger).unwrap();
    assert!(
        !doc.windows(4).any(|w| w == b"1234"),
        "the verification code is stored masked"
    );

    // A request whose reply never comes: its outcome is unknown.
    let silent = FakeProvider::always(Reply::Never);
    run(
        Some(&silent.base_url),
        &[
            "send",
            "code",
            "5678",
            "--to",
            "13900139000",
            "--timeout",
            "0.5",
            "--ledger",
            ledger_arg,
        ],
    )
    .code(3);
    let status = voxprep()
        .args(["status", "--format", "json", "--ledger", ledger_arg])
        .run()
        .success()
        .json();
    assert_eq!(status["totals"]["unknown"], 1, "{status:#}");

    // --no-ledger: nothing recorded.
    let ok = FakeProvider::always(Reply::code("0"));
    run(
        Some(&ok.base_url),
        &[
            "send",
            "code",
            "1234",
            "--to",
            "13700137000",
            "--no-ledger",
            "--ledger",
            ledger_arg,
        ],
    )
    .success();
    let status = voxprep()
        .args(["status", "--format", "json", "--ledger", ledger_arg])
        .run()
        .success()
        .json();
    assert_eq!(status["totals"]["pending"], 200, "{status:#}");

    // A ledger that cannot be opened: nothing is sent.
    let before = ok.received().len();
    run(
        Some(&ok.base_url),
        &[
            "send",
            "code",
            "1234",
            "--to",
            "13700137000",
            "--ledger",
            "/proc/nope/ledger.sqlite",
        ],
    )
    .code(2)
    .stderr_has("nothing sent");
    assert_eq!(ok.received().len(), before);
}
