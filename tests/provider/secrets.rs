//! The password in every encoding a reply may echo it in, and the
//! decodings that would recover it, written here with encoders and decoders
//! not the library's own (form_urlencoded, percent-encoding, serde_json,
//! base64, and small HTML and JSON-escape decoders): a property test of
//! `Credentials::redact`, and [`assert_undecodable`] for the runs of the
//! binary (`cli::secrets`).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use proptest::prelude::*;
use voxprep::provider::Credentials;

/// The characters of generated passwords: what needs encoding in a URL, in
/// HTML, in JSON, beyond the BMP.
const CHARS: [char; 22] = [
    'a', 'Z', '7', ' ', '"', '\'', 'ä', '中', '😀', '%', '+', '&', '<', '>', '\\', '/', '=', ':',
    '#', ';', '-', '_',
];

/// `s` percent-encoded byte by byte, the case of each hex digit taken from
/// the bits of `case` (so upper, lower and mixed).
fn percent(s: &str, case: u64) -> String {
    s.bytes()
        .enumerate()
        .map(|(i, b)| {
            let hex = format!("{b:02X}");
            let mut out = String::from("%");
            for (j, c) in hex.chars().enumerate() {
                let lower = case.rotate_left((2 * i + j) as u32) & 1 == 1;
                out.push(if lower { c.to_ascii_lowercase() } else { c });
            }
            out
        })
        .collect()
}

/// HTML: each character as a named, decimal or hex reference, or bare
/// where HTML allows it, chosen by `pick`.
fn html(s: &str, pick: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| match (pick >> (2 * (i % 32))) & 3 {
            0 => match c {
                '"' => "&quot;".into(),
                '&' => "&amp;".into(),
                '<' => "&lt;".into(),
                '>' => "&gt;".into(),
                '\'' => "&#39;".into(),
                c => c.to_string(),
            },
            1 => format!("&#{};", c as u32),
            2 => format!("&#x{:X};", c as u32),
            _ => format!("&#x{:x};", c as u32),
        })
        .collect()
}

/// JSON: every character as `\uXXXX` (surrogate pairs beyond the BMP),
/// lower or upper case.
fn json_all(s: &str, upper: bool) -> String {
    let mut units = [0u16; 2];
    s.chars()
        .flat_map(|c| c.encode_utf16(&mut units).to_vec())
        .map(|u| {
            if upper {
                format!("\\u{u:04X}")
            } else {
                format!("\\u{u:04x}")
            }
        })
        .collect()
}

/// A JSON string's escaped inside, as serde_json writes it, with `/` as `\/`.
fn json_min(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap();
    quoted[1..quoted.len() - 1].replace('/', "\\/")
}

fn form(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The password (and the account name with it) in each encoding the tests
/// know, named.
pub fn encodings(name: &str, pw: &str, seed: u64) -> Vec<(&'static str, String)> {
    let pair = format!("{name}:{pw}");
    let mut v = vec![
        ("raw", pw.to_string()),
        ("percent", percent(pw, seed)),
        ("percent-upper", percent(pw, 0)),
        ("percent-lower", percent(pw, u64::MAX)),
        ("form", form(pw)),
        ("html", html(pw, seed)),
        ("html-named", html(pw, 0)),
        ("json", json_min(pw)),
        ("json-u-lower", json_all(pw, false)),
        ("json-u-upper", json_all(pw, true)),
        (
            "double-percent",
            percent(&percent(pw, seed), seed.rotate_left(7)),
        ),
        ("double-form", form(&form(pw))),
        ("pair-percent", format!("{name}%3A{}", percent(pw, seed))),
        ("json-of-html", json_all(&html(pw, seed), seed & 1 == 0)),
        (
            "html-of-percent",
            html(&percent(pw, seed), seed.rotate_left(3)),
        ),
        ("percent-of-base64", percent(&STANDARD.encode(&pair), seed)),
        ("json-of-base64", json_min(&STANDARD.encode(pw))),
    ];
    for (label, engine) in [
        ("base64", &STANDARD),
        ("base64-nopad", &STANDARD_NO_PAD),
        ("base64-url", &URL_SAFE),
        ("base64-url-nopad", &URL_SAFE_NO_PAD),
    ] {
        v.push((label, engine.encode(pw)));
        v.push((label, engine.encode(&pair)));
        for prefix in ["x", "xy", "xyz"] {
            v.push((label, engine.encode(format!("{prefix}{pw}"))));
        }
    }
    v
}

/// HTML character references decoded (named ones as HTML5 spells them, and
/// the legacy upper-case ones; `;` optional after a number).
fn html_decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let named = [
            ("&quot;", '"'),
            ("&QUOT;", '"'),
            ("&amp;", '&'),
            ("&AMP;", '&'),
            ("&lt;", '<'),
            ("&LT;", '<'),
            ("&gt;", '>'),
            ("&GT;", '>'),
            ("&apos;", '\''),
            ("&nbsp;", '\u{a0}'),
        ];
        if let Some((n, c)) = named.iter().find(|(n, _)| rest.starts_with(n)) {
            out.push(*c);
            rest = &rest[n.len()..];
            continue;
        }
        let num = rest.strip_prefix("&#").and_then(|r| {
            let (radix, r) = match r.strip_prefix(['x', 'X']) {
                Some(r) => (16, r),
                None => (10, r),
            };
            let len = r.find(|c: char| !c.is_digit(radix)).unwrap_or(r.len());
            let c = char::from_u32(u32::from_str_radix(&r[..len], radix).ok()?)?;
            let taken = rest.len() - r.len() + len;
            Some((c, taken + usize::from(r[len..].starts_with(';'))))
        });
        match num {
            Some((c, taken)) => {
                out.push(c);
                rest = &rest[taken..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// JSON string escapes decoded, surrogate pairs joined.
fn json_decode(s: &str) -> String {
    let mut units: Vec<u16> = Vec::new();
    let mut out = String::new();
    let flush = |units: &mut Vec<u16>, out: &mut String| {
        out.push_str(&String::from_utf16_lossy(units));
        units.clear();
    };
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek().copied() {
                Some('u') => {
                    let hex: String = chars.clone().skip(1).take(4).collect();
                    if let (4, Ok(u)) = (hex.len(), u16::from_str_radix(&hex, 16)) {
                        chars.nth(4);
                        units.push(u);
                        continue;
                    }
                }
                Some(e @ ('"' | '\\' | '/')) => {
                    chars.next();
                    flush(&mut units, &mut out);
                    out.push(e);
                    continue;
                }
                _ => {}
            }
        }
        flush(&mut units, &mut out);
        out.push(c);
    }
    flush(&mut units, &mut out);
    out
}

/// Each run of base64 digits decoded from each of its first four, both
/// alphabets.
fn base64_decode_runs(s: &str) -> Vec<String> {
    let lenient = GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let std = GeneralPurpose::new(&base64::alphabet::STANDARD, lenient);
    let url = GeneralPurpose::new(&base64::alphabet::URL_SAFE, lenient);
    let mut out = Vec::new();
    for (engine, digits) in [(&std, "+/"), (&url, "-_")] {
        let runs = s.split(|c: char| !(c.is_ascii_alphanumeric() || digits.contains(c)));
        for run in runs.filter(|r| r.len() >= 4) {
            for skip in 0..4.min(run.len()) {
                let mut r = &run[skip..];
                if r.len() % 4 == 1 {
                    r = &r[..r.len() - 1];
                }
                if let Ok(bytes) = engine.decode(r) {
                    out.push(String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
    }
    out
}

/// `text` and everything one or two decodings of it give.
pub fn decodings(text: &str) -> Vec<String> {
    let mut all = vec![text.to_string()];
    let mut frontier = vec![text.to_string()];
    for _ in 0..2 {
        let mut next = Vec::new();
        for t in &frontier {
            let percent = |t: &str| {
                percent_encoding::percent_decode_str(t)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            next.push(percent(t));
            next.push(percent(&t.replace('+', " ")));
            next.push(html_decode(t));
            next.push(json_decode(t));
            next.extend(base64_decode_runs(t));
        }
        next.retain(|t| !all.contains(t));
        all.extend(next.iter().cloned());
        frontier = next;
    }
    all
}

/// No decoding of `text` (up to two deep) holds `password`.
#[track_caller]
pub fn assert_undecodable(text: &str, password: &str) {
    for decoded in decodings(text) {
        assert!(
            !decoded.contains(password),
            "the password can be recovered from {text:?} (as {decoded:?})"
        );
    }
}

fn password() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(CHARS.to_vec()), 4..14)
        .prop_map(|cs| cs.into_iter().collect())
}

/// Text around an echo: letters, digits, spaces and JSON punctuation.
fn filler() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 {}\":,=]{0,12}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the password, each of its encodings, in text or in a JSON
    /// document, is redacted so that no decoding recovers it.
    #[test]
    fn no_encoding_of_the_password_survives_redaction(
        pw in password(),
        seed in any::<u64>(),
        before in filler(),
        after in filler(),
    ) {
        let creds = Credentials::try_new("acme-corp", pw.clone()).unwrap();
        for (label, encoded) in encodings("acme-corp", &pw, seed) {
            for text in [
                format!("{before}{encoded}{after}"),
                format!("{{\"msg\":\"{before}\",\"echo\":\"{encoded}\",\"code\":\"-1\"}}"),
                format!("<p>{before} {encoded} {after}</p>"),
            ] {
                // The encoding really holds the password (else the case
                // proves nothing).
                prop_assert!(
                    decodings(&text).iter().any(|d| d.contains(&pw)),
                    "{label}: {text:?} does not decode to the password"
                );
                let redacted = creds.redact(&text);
                for decoded in decodings(&redacted) {
                    prop_assert!(
                        !decoded.contains(&pw),
                        "{label}: {text:?} -> {redacted:?} still decodes to {decoded:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn every_encoding_is_known_to_the_test_decoders() {
    let pw = "p ä\"&<+%/中😀";
    for (label, encoded) in encodings("acme", pw, 0x5a5a_1234_9876_abcd) {
        assert!(
            decodings(&encoded).iter().any(|d| d.contains(pw)),
            "{label}: {encoded}"
        );
    }
}
