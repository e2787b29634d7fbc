//! Keeping the password out of every text we print: provider bodies,
//! header values, transport error texts, URLs (docs/secrets.md).
//!
//! Matching encodings of the secret would need one pattern per encoder and
//! per mix of encoders (an encoder may leave `!` bare and another escape
//! it). We decode instead: the text is turned into a list of bytes, each
//! remembering the range of the original text it came from, and passed
//! through every decoding and every composition of two of them (percent and
//! form encoding, HTML character references, JSON string escapes, base64).
//! Wherever a view holds the password, the original range it came from
//! becomes `***`. A base64 run that decodes to text holding the password is
//! replaced whole: base64 of a substring depends on its alignment, decoding
//! the run does not.
//!
//! A password shorter than [`MIN_CHARS`] characters would match half of
//! any text once decoded; for such a password only its exact raw and
//! percent-encoded forms between word boundaries are replaced, and
//! [`Redactor::quotable`] says provider bodies must not be quoted at all.

use super::REDACTED;
use std::ops::Range;

/// The shortest password whose every encoding is searched for.
pub(crate) const MIN_CHARS: usize = 4;

/// How many decodings are composed: 2 finds `%2541` (`%41` encoded again)
/// and percent-encoded base64.
const DEPTH: usize = 2;

/// Parameter names whose value is removed whatever it is: a reply echoing
/// a URL must not show a password we do not know about (a previous one).
const SECRET_KEYS: [&[u8]; 1] = [b"cppassword"];

/// One byte of a decoded view and the range of the original text it came
/// from. No `Debug`: a view may spell the secret.
#[derive(Clone, Copy)]
struct Unit {
    byte: u8,
    /// A `+` that form decoding reads as a space: it matches both.
    plus_space: bool,
    start: usize,
    end: usize,
}

/// Finds and replaces the password in text. `Debug` does not show it.
pub(crate) struct Redactor<'a> {
    secret: &'a [u8],
}

impl std::fmt::Debug for Redactor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor(***)")
    }
}

impl<'a> Redactor<'a> {
    /// A redactor of `secret` (never empty: [`super::Credentials`] refuses that).
    pub(crate) fn new(secret: &'a str) -> Redactor<'a> {
        Redactor {
            secret: secret.as_bytes(),
        }
    }

    /// Whether text holding the password in some encoding can be quoted
    /// safely: false for a password shorter than [`MIN_CHARS`].
    pub(crate) fn quotable(&self) -> bool {
        std::str::from_utf8(self.secret).map_or(0, |s| s.chars().count()) >= MIN_CHARS
    }

    /// `text` with every encoding of the password, and the value of every
    /// `CpPassword` parameter, replaced by `***`.
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut ranges = Vec::new();
        let units = identity(text);
        if self.quotable() {
            self.scan(&units, DEPTH, &mut ranges);
        } else {
            self.short_matches(text, &mut ranges);
            secret_params(&units, &mut ranges);
        }
        replace(text, ranges)
    }

    /// Record in `out` where `view` holds the secret, directly or through
    /// up to `depth` more decodings.
    fn scan(&self, view: &[Unit], depth: usize, out: &mut Vec<Range<usize>>) {
        find(view, self.secret, out);
        secret_params(view, out);
        if depth == 0 {
            return;
        }
        for decoded in [percent(view), html(view), json(view)]
            .into_iter()
            .flatten()
        {
            self.scan(&decoded, depth - 1, out);
        }
        // Every byte of a decoded run stands for the whole run: a hit
        // replaces the run.
        for decoded in base64_runs(view, self.secret.len()) {
            self.scan(&decoded, depth - 1, out);
        }
    }

    /// The raw and percent-encoded (any case) forms of a short password,
    /// where neither neighbour is a letter or digit.
    fn short_matches(&self, text: &str, out: &mut Vec<Range<usize>>) {
        let bytes = text.as_bytes();
        let views = [Some(identity(text)), percent(&identity(text))];
        for view in views.iter().flatten() {
            let mut hits = Vec::new();
            find(view, self.secret, &mut hits);
            for r in hits {
                let before = r.start.checked_sub(1).map(|i| bytes[i]);
                let after = bytes.get(r.end).copied();
                let word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
                if !word(before) && !word(after) {
                    out.push(r);
                }
            }
        }
    }
}

/// The text itself, byte by byte.
fn identity(text: &str) -> Vec<Unit> {
    text.bytes()
        .enumerate()
        .map(|(i, byte)| Unit {
            byte,
            plus_space: false,
            start: i,
            end: i + 1,
        })
        .collect()
}

/// The original range of the units `view[from..to]`.
fn span(view: &[Unit], from: usize, to: usize) -> Range<usize> {
    view[from].start..view[to - 1].end
}

/// Push `bytes` as units all standing for `view[from..to]`.
fn push_decoded(out: &mut Vec<Unit>, bytes: &[u8], view: &[Unit], from: usize, to: usize) {
    let r = span(view, from, to);
    out.extend(bytes.iter().map(|&byte| Unit {
        byte,
        plus_space: false,
        start: r.start,
        end: r.end,
    }));
}

/// Every place `view` spells `secret`.
fn find(view: &[Unit], secret: &[u8], out: &mut Vec<Range<usize>>) {
    if secret.is_empty() || view.len() < secret.len() {
        return;
    }
    for i in 0..=view.len() - secret.len() {
        let w = &view[i..i + secret.len()];
        if w.iter()
            .zip(secret)
            .all(|(u, &s)| u.byte == s || (u.plus_space && s == b' '))
        {
            out.push(span(view, i, i + secret.len()));
        }
    }
}

/// The value after every `CpPassword=` or `"CpPassword":"` (any case).
fn secret_params(view: &[Unit], out: &mut Vec<Range<usize>>) {
    for key in SECRET_KEYS {
        let mut i = 0;
        while i + key.len() <= view.len() {
            let matched = view[i..i + key.len()]
                .iter()
                .zip(key)
                .all(|(u, &k)| u.byte.eq_ignore_ascii_case(&k));
            if !matched {
                i += 1;
                continue;
            }
            let mut j = i + key.len();
            let skip = |j: &mut usize, set: &[u8]| {
                while *j < view.len() && set.contains(&view[*j].byte) {
                    *j += 1;
                }
            };
            skip(&mut j, b"\"' ");
            if j < view.len() && matches!(view[j].byte, b'=' | b':') {
                j += 1;
                skip(&mut j, b"\"' ");
                let from = j;
                while j < view.len() && !b"&\"'<>,;} \t\r\n".contains(&view[j].byte) {
                    j += 1;
                }
                if j > from {
                    out.push(span(view, from, j));
                }
            }
            i = j.max(i + 1);
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Percent decoding, `%XX` in either case; a bare `+` also matches a space
/// (form encoding). `None` when there is nothing to decode.
fn percent(view: &[Unit]) -> Option<Vec<Unit>> {
    let mut out = Vec::with_capacity(view.len());
    let mut changed = false;
    let mut i = 0;
    while i < view.len() {
        let u = view[i];
        if u.byte == b'%'
            && let Some((h, l)) = view
                .get(i + 1)
                .zip(view.get(i + 2))
                .and_then(|(h, l)| hex(h.byte).zip(hex(l.byte)))
        {
            push_decoded(&mut out, &[h << 4 | l], view, i, i + 3);
            changed = true;
            i += 3;
            continue;
        }
        if u.byte == b'+' {
            changed = true;
            out.push(Unit {
                plus_space: true,
                ..u
            });
        } else {
            out.push(u);
        }
        i += 1;
    }
    changed.then_some(out)
}

/// HTML character references: `&#NN;`, `&#xHH;` (the `;` optional) and the
/// named ones a password may need (any case).
fn html(view: &[Unit]) -> Option<Vec<Unit>> {
    const NAMED: [(&[u8], char); 6] = [
        (b"quot", '"'),
        (b"amp", '&'),
        (b"lt", '<'),
        (b"gt", '>'),
        (b"apos", '\''),
        (b"nbsp", '\u{a0}'),
    ];
    decode_escapes(view, b'&', |rest| html_reference(rest, &NAMED))
}

/// Each `lead` byte that `parse` reads an escape after replaced by the
/// character the escape stands for (every unit of it mapped to the
/// original bytes of the whole escape); `None` when nothing changed.
fn decode_escapes(
    view: &[Unit],
    lead: u8,
    parse: impl Fn(&[Unit]) -> Option<(char, usize)>,
) -> Option<Vec<Unit>> {
    let mut out = Vec::with_capacity(view.len());
    let mut changed = false;
    let mut i = 0;
    while i < view.len() {
        if view[i].byte == lead
            && let Some((c, len)) = parse(&view[i + 1..])
        {
            let mut buf = [0u8; 4];
            push_decoded(
                &mut out,
                c.encode_utf8(&mut buf).as_bytes(),
                view,
                i,
                i + 1 + len,
            );
            changed = true;
            i += 1 + len;
            continue;
        }
        out.push(view[i]);
        i += 1;
    }
    changed.then_some(out)
}

/// The character a reference after `&` stands for, and how many units it
/// takes.
fn html_reference(rest: &[Unit], named: &[(&[u8], char)]) -> Option<(char, usize)> {
    let at = |i: usize| rest.get(i).map(|u| u.byte);
    if at(0) == Some(b'#') {
        let (radix, mut i) = match at(1) {
            Some(b'x' | b'X') => (16, 2),
            _ => (10, 1),
        };
        let digits_from = i;
        let mut value: u32 = 0;
        while let Some(d) = at(i).and_then(|b| (b as char).to_digit(radix)) {
            value = value.checked_mul(radix)?.checked_add(d)?;
            i += 1;
            if i - digits_from > 8 {
                return None;
            }
        }
        if i == digits_from {
            return None;
        }
        if at(i) == Some(b';') {
            i += 1;
        }
        return char::from_u32(value).map(|c| (c, i));
    }
    named.iter().find_map(|(name, c)| {
        let n = name.len();
        let fits = rest.len() > n
            && rest[..n]
                .iter()
                .zip(name.iter())
                .all(|(u, b)| u.byte.eq_ignore_ascii_case(b))
            && rest[n].byte == b';';
        fits.then_some((*c, n + 1))
    })
}

/// JSON string escapes: `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t` and
/// `\uXXXX` (either case), a surrogate pair as one character.
fn json(view: &[Unit]) -> Option<Vec<Unit>> {
    decode_escapes(view, b'\\', json_escape)
}

/// The character an escape after `\` stands for, and how many units it takes.
fn json_escape(rest: &[Unit]) -> Option<(char, usize)> {
    let u16_at = |from: usize| -> Option<u32> {
        let digits = rest.get(from..from + 4)?;
        digits
            .iter()
            .try_fold(0u32, |acc, u| Some(acc << 4 | u32::from(hex(u.byte)?)))
    };
    let simple = match rest.first()?.byte {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hi = u16_at(1)?;
            if (0xD800..0xDC00).contains(&hi)
                && rest.get(5).map(|u| u.byte) == Some(b'\\')
                && rest.get(6).map(|u| u.byte) == Some(b'u')
                && let Some(lo) = u16_at(7).filter(|lo| (0xDC00..0xE000).contains(lo))
            {
                let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?;
                return Some((c, 11));
            }
            return char::from_u32(hi).map(|c| (c, 5));
        }
        _ => return None,
    };
    Some((simple, 1))
}

/// The value of a base64 digit, standard or URL-safe alphabet.
fn base64_digit(b: u8) -> Option<u32> {
    Some(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    } as u32)
}

/// Each run of base64 digits (with its `=` padding) long enough to hold
/// `min_len` bytes, decoded from each of its first four digits (the run
/// may be glued to other text), every byte standing for the whole run.
fn base64_runs(view: &[Unit], min_len: usize) -> Vec<Vec<Unit>> {
    let mut decoded = Vec::new();
    let mut i = 0;
    while i < view.len() {
        if base64_digit(view[i].byte).is_none() {
            i += 1;
            continue;
        }
        let from = i;
        while i < view.len() && base64_digit(view[i].byte).is_some() {
            i += 1;
        }
        let digits_end = i;
        while i < view.len() && view[i].byte == b'=' {
            i += 1;
        }
        let range = span(view, from, i);
        for skip in 0..4 {
            let digits = &view[(from + skip).min(digits_end)..digits_end];
            if digits.len() * 3 / 4 < min_len {
                break;
            }
            let mut bytes = Vec::with_capacity(digits.len() * 3 / 4);
            let (mut acc, mut bits) = (0u32, 0);
            for u in digits {
                acc = (acc << 6 | base64_digit(u.byte).unwrap_or(0)) & 0xFFFF;
                bits += 6;
                if bits >= 8 {
                    bits -= 8;
                    bytes.push((acc >> bits) as u8);
                }
            }
            decoded.push(
                bytes
                    .into_iter()
                    .map(|byte| Unit {
                        byte,
                        plus_space: false,
                        start: range.start,
                        end: range.end,
                    })
                    .collect(),
            );
        }
    }
    decoded
}

/// `text` with `ranges` (merged, widened to character boundaries) replaced
/// by `***`.
fn replace(text: &str, mut ranges: Vec<Range<usize>>) -> String {
    if ranges.is_empty() {
        return text.to_string();
    }
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut iter = ranges.into_iter().peekable();
    while let Some(r) = iter.next() {
        let mut end = r.end;
        while let Some(next) = iter.peek() {
            if next.start > end {
                break;
            }
            end = end.max(next.end);
            iter.next();
        }
        let mut start = r.start.max(pos);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while end < text.len() && !text.is_char_boundary(end) {
            end += 1;
        }
        if start < pos {
            // Widened into the last replacement: extend it.
            start = pos;
        }
        out.push_str(&text[pos..start]);
        if !out.ends_with(REDACTED) || start > pos {
            out.push_str(REDACTED);
        }
        pos = end.max(pos);
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

    const PW: &str = "p ä\"&<+%/中😀";

    fn redact(text: &str) -> String {
        Redactor::new(PW).redact(text)
    }

    /// `form` around some text is redacted to `***` and nothing else.
    #[track_caller]
    fn gone(form: &str) {
        let text = format!("before {form} after");
        assert_eq!(redact(&text), "before *** after", "{form}");
    }

    fn percent_bytes(s: &str, upper: bool) -> String {
        s.bytes()
            .map(|b| {
                if upper {
                    format!("%{b:02X}")
                } else {
                    format!("%{b:02x}")
                }
            })
            .collect()
    }

    #[test]
    fn raw_and_percent_in_any_case() {
        gone(PW);
        gone(&percent_bytes(PW, true));
        gone(&percent_bytes(PW, false));
        // Mixed case within a byte and bytes left bare.
        gone("p%20%c3%A4%22%26%3c%2B%25%2f%E4%b8%AD%f0%9F%98%80");
        gone("p %c3%A4\"%26<%2B%%2f中😀");
    }

    #[test]
    fn form_encoding_and_double_encoding() {
        gone("p+%C3%A4%22%26%3C%2B%25%2F%E4%B8%AD%F0%9F%98%80");
        gone(&percent_bytes(PW, true).replace('%', "%25"));
        gone(&percent_bytes(PW, false).replace('%', "%25"));
    }

    #[test]
    fn html_references() {
        gone("p &#228;&quot;&amp;&lt;+%/中😀");
        gone("p &#xE4;&#34;&#38;&#60;&#43;&#37;&#x2F;&#20013;&#x1F600;");
        gone("p &#XE4&QUOT;&AMP;&lt;+%/&#x4e2d;&#128512;");
        gone("p ä&#34;&amp;&lt;+%/中😀");
        gone("p ä&quot;&amp;&lt;+%&#47;中😀");
    }

    #[test]
    fn json_escapes() {
        gone("p \\u00e4\\\"&<+%\\/\\u4E2D\\ud83d\\ude00");
        gone("p \\u00E4\\u0022\\u0026\\u003c\\u002b\\u0025/\\u4e2d\\uD83D\\uDE00");
        let quoted = serde_json::to_string(PW).unwrap();
        gone(&quoted[1..quoted.len() - 1]);
    }

    #[test]
    fn base64_at_every_alignment_and_of_the_pair() {
        for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
            for prefix in ["", "a", "ab", "abc", "acme:"] {
                let encoded = engine.encode(format!("{prefix}{PW}"));
                let out = redact(&format!("Authorization: Basic {encoded}\n"));
                assert_eq!(out, "Authorization: Basic ***\n", "{prefix:?} {encoded}");
                // Glued to other text.
                let out = redact(&format!("token=xyz{encoded}"));
                assert!(!out.contains(&encoded[4..]), "{out}");
            }
        }
    }

    #[test]
    fn compositions_of_two() {
        let b64 = STANDARD.encode(format!("acme:{PW}"));
        // Percent-encoded base64 (`+`, `/`, `=`).
        gone(&percent_bytes(&b64, false));
        // JSON-escaped slashes in base64, as PHP writes them.
        gone(&b64.replace('/', "\\/"));
        // HTML of percent, JSON of HTML.
        gone(&percent_bytes(PW, true).replace('%', "&#37;"));
        gone("p \\u0026#228;\\\"&<+%/中😀");
    }

    #[test]
    fn password_parameters_lose_their_value_whatever_it_is() {
        let r = Redactor::new("hunter2");
        assert_eq!(
            r.redact("x?CpName=a&cppassword=old-one&y=1 {\"CpPassword\": \"older\"}"),
            "x?CpName=a&cppassword=***&y=1 {\"CpPassword\": \"***\"}"
        );
        assert_eq!(
            r.redact("next=%2Fx%3FCpPassword%3Dold%26y%3D1"),
            "next=%2Fx%3FCpPassword%3D***%26y%3D1"
        );
    }

    #[test]
    fn nothing_else_changes() {
        let text = "<html>maintenance 中文 &amp; \\u0041 %41 YWJj</html>";
        assert_eq!(redact(text), text);
        assert_eq!(
            Redactor::new("hunter2").redact("a hunter2hunter2 b"),
            "a *** b"
        );
    }

    #[test]
    fn short_passwords_only_at_word_boundaries_raw_or_percent() {
        let r = Redactor::new("a&");
        assert!(!r.quotable());
        assert_eq!(r.redact("x a& y a%26 z ba& a&b"), "x *** y *** z ba& a&b");
        assert_eq!(r.redact("CpPassword=zz&"), "CpPassword=***&");
        assert!(Redactor::new("abcd").quotable());
        assert!(Redactor::new("中文ab").quotable());
        assert!(!Redactor::new("中文a").quotable());
    }

    #[test]
    fn debug_does_not_show_the_secret() {
        assert_eq!(format!("{:?}", Redactor::new(PW)), "Redactor(***)");
    }
}
