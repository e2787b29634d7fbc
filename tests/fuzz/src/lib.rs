//! The fuzz targets' bodies: each takes arbitrary bytes, calls the library
//! as voxprep does on untrusted input, and asserts what must hold. The
//! targets in `fuzz_targets/` are one line each; the integration suite's
//! `fuzz_regress` module includes this file (`#[path]`) and replays
//! `tests/fuzz/regress/<target>/*` through the same functions, without
//! libFuzzer.
// Each function is one target; the regression test reaches them through
// TARGETS, the fuzz targets by name.
#![allow(dead_code)]

use std::io::Cursor;
use voxprep::check::{self, CheckOptions};
use voxprep::filing::texts;
use voxprep::provider::push::{Push, classify};
use voxprep::provider::{AccountKind, BalanceReply, Credentials, Recipients, fuzzing};
use voxprep::sniff;
use voxprep::spec::{self, Severity, Verdict};
use voxprep::template::{self, Form, TemplateOptions};
use voxprep::vox::{self, DecoderFlavor};
use voxprep::wav::{self, MAX_CHUNKS};

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target by name: the name is its folder under `corpus/` and
/// `regress/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("inspect", inspect),
    ("vox", vox),
    ("sniff", sniff),
    ("push", push),
    ("reply", reply),
    ("numbers", numbers),
    ("template", template),
    ("table", table),
];

/// `wav::inspect` and the WAV rules: facts that agree with the bytes.
pub fn inspect(bytes: &[u8]) {
    let facts = wav::inspect(&mut Cursor::new(bytes)).expect("a cursor does not fail");
    let len = bytes.len() as u64;
    assert_eq!(facts.file_len, len);
    assert!(facts.chunks.len() <= MAX_CHUNKS);
    assert!(facts.chunks.windows(2).all(|w| w[0].offset < w[1].offset));
    assert!(facts.chunks.iter().all(|c| c.offset + 8 <= len));
    assert!(facts.trailing <= len);
    if let Some(d) = &facts.data {
        assert!(d.available <= u64::from(d.declared));
        assert!(d.offset + d.available <= len);
        if let Some(n) = facts.frames() {
            let fb = facts.fmt.as_ref().and_then(|f| f.frame_bytes()).unwrap();
            assert!(n.0 * fb <= d.available);
        }
    }
    if let Some(pcm) = facts.pcm16_mono() {
        assert!(pcm.offset + pcm.len <= len && pcm.len == pcm.frames.0 * 2);
    }
    let problems = spec::wav_problems(&facts);
    for p in &problems {
        assert_eq!(p.severity, p.code.severity(), "{p:?}");
    }
    let conforms = problems.iter().all(|p| p.severity != Severity::Error);
    assert_eq!(spec::conforms(&facts), conforms);
    if conforms {
        assert!(facts.pcm16_mono().is_some_and(|p| p.frames.0 > 0));
    }
}

/// What `voxprep check` does to a `.vox` file's bytes (the VOX rules, the
/// exact and shift-add decodings, the ADPCM screen, signal and voice
/// analysis), and the decoders: two samples a byte, the stream fed in two
/// pieces decodes as in one.
pub fn vox(bytes: &[u8]) {
    let len = bytes.len();
    let report = check::check_vox_bytes(bytes, &CheckOptions::default());
    assert_eq!(report.verdict, Verdict::from_problems(&report.problems));
    if len > 0 && report.verdict != Verdict::Fail {
        assert_eq!(report.samples, Some(2 * len as u64), "{report:?}");
    }
    for flavor in DecoderFlavor::ALL {
        assert_eq!(vox::decode(bytes, flavor).len(), 2 * len);
    }
    let whole = vox::analyse_stream(bytes);
    assert_eq!(whole.samples.len(), 2 * len);
    assert_eq!(whole.screen.steps, 2 * len as u64);
    assert!(whole.screen.state_errors <= whole.screen.steps);
    assert!((0.0..=1.0).contains(&whole.rails_share), "{whole:?}");
    let cut = bytes.first().map_or(0, |&b| usize::from(b) % (len + 1));
    let mut split = vox::Analyser::new();
    let mut samples = Vec::new();
    split.feed(&bytes[..cut], &mut samples);
    split.feed(&bytes[cut..], &mut samples);
    let split = split.finish(samples);
    assert_eq!(split.samples, whole.samples);
    assert_eq!(split.screen.steps, whole.screen.steps);
    assert_eq!(split.screen.state_errors, whole.screen.state_errors);
    assert_eq!(split.longest_rail_run, whole.longest_rail_run);
}

/// The input sniffer: deterministic, the same from a reader, and blind to
/// what lies past `SNIFF_LEN`.
pub fn sniff(bytes: &[u8]) {
    let id = sniff::sniff(bytes);
    assert_eq!(id, sniff::sniff(bytes));
    let head = &bytes[..bytes.len().min(sniff::SNIFF_LEN)];
    assert_eq!(id, sniff::sniff(head));
    let from_reader = sniff::sniff_reader(&mut Cursor::new(bytes)).expect("a cursor");
    assert_eq!(id, from_reader);
    assert_eq!(id == Some("empty"), bytes.is_empty());
    if let Some(id) = id {
        assert!(!sniff::format_label(id).is_empty());
    }
    let _ = spec::vox_problems(bytes.len() as u64, head);
}

/// Form-encode every byte (`%XX`), so that decoding gives them back.
fn form_encode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// The push parser on a query and a body (split at the first NUL): a push
/// re-serialised as the provider would send it parses to the same push.
pub fn push(bytes: &[u8]) {
    let (query, body) = match bytes.iter().position(|&b| b == 0) {
        Some(i) => (&bytes[..i], &bytes[i + 1..]),
        None => (&[][..], bytes),
    };
    let query = String::from_utf8_lossy(query);
    let Ok(push) = classify(&query, body) else {
        return;
    };
    let again = match &push {
        Push::Status(reports) => {
            for r in reports {
                assert!(!r.key.is_empty() && !r.phone.is_empty(), "{r:?}");
                assert!(!r.key.contains([',', ';']) && !r.phone.contains([',', ';']));
            }
            let args: String = reports
                .iter()
                .map(|r| format!("{},{},{};", r.key, r.phone, r.status.0))
                .collect();
            classify("", format!("args={}", form_encode(&args)).as_bytes())
        }
        Push::Inbound(m) => {
            let query = format!(
                "userMoblie={}&content={}&cpMoblie={}",
                form_encode(&m.user_mobile),
                form_encode(&m.content),
                form_encode(&m.cp_mobile)
            );
            classify(&query, b"")
        }
    };
    assert_eq!(again.as_ref().ok(), Some(&push), "{again:?}");
}

/// The password the reply target's credentials hold.
const PASSWORD: &str = "Pw7#secret";

/// The provider's reply parsers: no panic, and no error quotes the password.
pub fn reply(bytes: &[u8]) {
    let credentials = Credentials::try_new("partner", PASSWORD).expect("valid credentials");
    match fuzzing::parse_submit(bytes, &credentials) {
        Ok(r) => {
            if let Some(id) = &r.smsid {
                assert!(!id.is_empty() && id.trim() == id);
            }
        }
        Err(e) => assert!(!e.contains(PASSWORD), "{e}"),
    }
    for kind in [AccountKind::Main, AccountKind::Sub] {
        match fuzzing::parse_balance(bytes, kind, &credentials) {
            Ok(BalanceReply::Refused(code)) => assert!(code.0 < 0),
            Ok(BalanceReply::Balance(_)) => {}
            Err(e) => assert!(!e.contains(PASSWORD), "{e}"),
        }
    }
    let excerpt = fuzzing::excerpt(bytes, &credentials);
    assert!(!excerpt.contains(PASSWORD), "{excerpt}");
    assert!(excerpt.chars().count() <= 121 + 4 * 120, "{excerpt}");
}

/// The `@file` number reader: numbers are eleven digits `1[3-9]…`,
/// distinct, and every line counted once.
pub fn numbers(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let Ok(r) = Recipients::parse_lines(&text, "numbers.txt") else {
        return;
    };
    let lines = text
        .lines()
        .filter(|s| !s.trim().is_empty() && !s.trim_start().starts_with('#'))
        .count();
    assert_eq!(r.numbers().len() + r.duplicates_removed(), lines);
    let mut seen = std::collections::HashSet::new();
    for m in r.numbers() {
        let b = m.as_str().as_bytes();
        assert!(b.len() == 11 && b.iter().all(u8::is_ascii_digit), "{m:?}");
        assert!(b[0] == b'1' && (b'3'..=b'9').contains(&b[1]), "{m:?}");
        assert!(seen.insert(m.clone()));
    }
    let total: usize = r.batches().map(<[_]>::len).sum();
    assert_eq!(total, r.numbers().len());
}

/// The TTS template checker, in each form, with and without `#name#`
/// variables: variables lie inside the text, in order, and the verdict is
/// the problems'.
pub fn template(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for hash in [false, true] {
        let parsed = template::parse(&text, hash);
        let mut end = 0;
        for v in &parsed.variables {
            assert!(
                end <= v.start && v.start < v.end && v.end <= text.len(),
                "{v:?}"
            );
            assert_eq!(&text[v.start..v.end], v.written);
            end = v.end;
        }
        for form in [Form::Notice, Form::Keypress, Form::Code] {
            let opts = TemplateOptions {
                form,
                hash_variables: hash,
                param_max: Some("12345".into()),
                ..TemplateOptions::default()
            };
            let report = template::check(&text, &opts);
            for p in &report.problems {
                assert_eq!(p.severity, p.code.severity(), "{p:?}");
            }
            let errors = report
                .problems
                .iter()
                .any(|p| p.severity == Severity::Error);
            assert_eq!(errors, report.verdict == Verdict::Fail, "{report:?}");
        }
    }
}

/// The table of texts and the text decoder: decoding is deterministic, a
/// table's rows are named, numbered from 1 in order.
pub fn table(bytes: &[u8]) {
    let decoded = texts::decode(bytes);
    assert_eq!(decoded, texts::decode(bytes));
    if let Some((text, _)) = &decoded {
        let tidy = texts::tidy(text);
        assert_eq!(texts::tidy(&tidy), tidy);
    }
    for delimiter in [b',', b'\t'] {
        match texts::parse_delimited(bytes, delimiter) {
            Ok((rows, encoding)) => {
                assert_eq!(Some(encoding), decoded.as_ref().map(|d| d.1));
                let mut last = 0;
                for r in &rows {
                    assert!(r.row > last && !r.name.is_empty() && r.name.trim() == r.name);
                    last = r.row;
                }
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
}
