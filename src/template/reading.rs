//! How long a TTS voice reads a text: syllables and pauses, at a speech
//! rate. The reading model (docs/templates.md says why each rule):
//!
//! - a CJK character is one syllable;
//! - a run of digits is read as a number (`1234`: 一千二百三十四, 7
//!   syllables) when it has at most [`MAX_NUMBER_DIGITS`] digits and no
//!   leading zero, and digit by digit otherwise (phone numbers, codes,
//!   tracking numbers), and also when it follows 码 or 号 (验证码1234,
//!   尾号0571) or precedes 年 (2025年); a decimal point is 点 and the
//!   digits after it are read one by one;
//! - a Latin word in capitals is spelled letter by letter (`APP`: 3, `W`
//!   counts 3, "double-u"); another Latin word counts its vowel groups;
//!   another alphabet's letter is one syllable;
//! - `%` is 百分之 (3), `#` and `*` are 井号 and 星号 (2; 1 before 号),
//!   `@` is 2, a currency sign 1, `+`, `&`, `/`, `~` 1, `-` and `:` between
//!   digits 1 (到, 点);
//! - a comma-class mark (，、；：) is a short pause, a sentence end (。！？…)
//!   a long one; a run of marks is one pause, the longest; marks at the
//!   very end are not a pause (the call ends there).
//!
//! Pure: text in, figures out.

use crate::billing::{self, BillingUnits, Millis, RoundingRule, UNIT_SECONDS};
use crate::text::{CharClass, class};
use serde::Serialize;

/// The default speech rate, in syllables per second: the rate of the
/// Mandarin Hearing in Noise Test sentences (4.46 characters a second),
/// within the 4 to 5.5 of read and broadcast Mandarin (docs/templates.md).
pub const DEFAULT_RATE: f64 = 4.5;

/// The speech rates [`EstimateOptions::rate`] accepts, in syllables per
/// second.
pub const RATES: std::ops::RangeInclusive<f64> = 1.0..=15.0;

/// A short pause (comma-class mark), in milliseconds.
pub const SHORT_PAUSE_MS: u64 = 300;

/// A long pause (sentence end), in milliseconds.
pub const LONG_PAUSE_MS: u64 = 600;

/// How far off the estimate may be (0.15: 15 %) when deciding whether it is
/// near a 12-second boundary.
pub const DEFAULT_MARGIN: f64 = 0.15;

/// The longest run of digits read as a number; longer runs are read digit
/// by digit.
pub const MAX_NUMBER_DIGITS: usize = 5;

/// What a text sounds like, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Reading {
    /// Syllables spoken.
    pub syllables: u64,
    /// Short pauses (comma-class marks).
    pub short_pauses: u64,
    /// Long pauses (sentence ends).
    pub long_pauses: u64,
}

/// How to turn a [`Reading`] into seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimateOptions {
    /// Syllables per second (within [`RATES`]).
    pub rate: f64,
    /// How far off the estimate may be, as a fraction (0.15).
    pub margin: f64,
}

impl Default for EstimateOptions {
    fn default() -> EstimateOptions {
        EstimateOptions {
            rate: DEFAULT_RATE,
            margin: DEFAULT_MARGIN,
        }
    }
}

/// An estimate of the spoken duration of a text, and its billing units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// What was counted.
    #[serde(flatten)]
    pub reading: Reading,
    /// The rate used, in syllables per second.
    pub rate: f64,
    /// The estimated duration, in seconds (whole milliseconds).
    pub seconds: f64,
    /// Billing units per call: started 12-second periods, at least 1 (an
    /// answered call is billed).
    pub billing_units: u64,
    /// The units if the text takes `margin` longer to read.
    pub units_if_slower: u64,
    /// The units if it takes `margin` less.
    pub units_if_faster: u64,
    /// Whether those differ from `billing_units`: the estimate is near a
    /// 12-second boundary.
    pub near_boundary: bool,
}

/// Count the syllables and pauses of `text` as a TTS voice reads it.
pub fn read(text: &str) -> Reading {
    let chars: Vec<char> = text.chars().collect();
    let mut r = Reading::default();
    // A pending pause: written only when something is read after it.
    let mut pause = Pause::None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let before = i.checked_sub(1).map(|p| chars[p]);
        let after = chars.get(i + 1).copied();
        let (syllables, step, this_pause) = match class(c) {
            CharClass::Cjk => (1, 1, Pause::None),
            CharClass::Digit => {
                let (s, n) = digits(&chars, i);
                (s, n, Pause::None)
            }
            CharClass::Letter => {
                let n = chars[i..]
                    .iter()
                    .take_while(|&&c| class(c) == CharClass::Letter)
                    .count();
                (word(&chars[i..i + n]), n, Pause::None)
            }
            CharClass::Punct | CharClass::Other => symbol(c, before, after),
            CharClass::Space => (0, 1, Pause::None),
        };
        if syllables > 0 {
            match pause {
                Pause::Short => r.short_pauses += 1,
                Pause::Long => r.long_pauses += 1,
                Pause::None => {}
            }
            pause = Pause::None;
            r.syllables += syllables;
        } else if r.syllables > 0 {
            pause = pause.max(this_pause);
        }
        i += step;
    }
    r
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Pause {
    None,
    Short,
    Long,
}

/// Syllables and pause of one mark or symbol, and how many characters it
/// takes (always 1).
fn symbol(c: char, before: Option<char>, after: Option<char>) -> (u64, usize, Pause) {
    let digit = |c: Option<char>| c.is_some_and(|c| class(c) == CharClass::Digit);
    let before_hao = after == Some('号');
    let s = match c {
        '，' | ',' | '、' | '；' | ';' | '：' | ':' if !(digit(before) && digit(after)) => {
            return (0, 1, Pause::Short);
        }
        '。' | '！' | '!' | '？' | '?' | '…' | '.' | '．' => return (0, 1, Pause::Long),
        ':' | '：' | '-' | '－' | '~' | '～' if digit(before) && digit(after) => 1,
        '%' | '％' => 3,
        '#' | '＃' | '*' | '＊' if before_hao => 1,
        '#' | '＃' | '*' | '＊' => 2,
        '@' | '＠' => 2,
        '¥' | '￥' | '$' | '€' | '£' => 1,
        '+' | '＋' | '&' | '＆' | '/' | '／' | '=' => 1,
        _ => 0,
    };
    (s, 1, Pause::None)
}

/// Syllables of a run of letters: spelled when in capitals, else a word.
fn word(letters: &[char]) -> u64 {
    if !letters.iter().all(char::is_ascii_alphabetic) {
        return letters.len() as u64;
    }
    if letters.iter().all(char::is_ascii_uppercase) {
        return letters.iter().map(|&c| if c == 'W' { 3 } else { 1 }).sum();
    }
    // Vowel groups, less a silent final e, at least one.
    let lower: Vec<char> = letters.iter().map(char::to_ascii_lowercase).collect();
    let vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
    let mut groups = 0u64;
    let mut prev = false;
    for &c in &lower {
        let v = vowel(c);
        if v && !prev {
            groups += 1;
        }
        prev = v;
    }
    let n = lower.len();
    if n > 2 && lower[n - 1] == 'e' && !vowel(lower[n - 2]) && lower[n - 2] != 'l' {
        groups = groups.saturating_sub(1);
    }
    groups.max(1)
}

/// Syllables of the number starting at `chars[at]` (with a decimal part),
/// and how many characters it takes.
fn digits(chars: &[char], at: usize) -> (u64, usize) {
    let run = |from: usize| {
        chars[from..]
            .iter()
            .take_while(|&&c| class(c) == CharClass::Digit)
            .count()
    };
    let n = run(at);
    let whole: String = chars[at..at + n].iter().map(|&c| ascii_digit(c)).collect();
    let prev = chars[..at]
        .iter()
        .rev()
        .find(|&&c| !matches!(class(c), CharClass::Space | CharClass::Punct));
    let next = chars.get(at + n).copied();
    let as_code = matches!(prev, Some('码' | '号')) || next == Some('年');
    let mut syllables = if as_code {
        n as u64
    } else {
        number_words(&whole).map_or(n as u64, |w| w.chars().count() as u64)
    };
    let mut taken = n;
    // A decimal part: 点 and its digits one by one.
    if matches!(next, Some('.' | '．')) {
        let frac = chars.get(at + n + 1).map_or(0, |_| run(at + n + 1));
        if frac > 0 {
            syllables += 1 + frac as u64;
            taken += 1 + frac;
        }
    }
    (syllables, taken)
}

fn ascii_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
        c => c,
    }
}

/// How a TTS voice reads `digits` as a number (`1234`: 一千二百三十四,
/// `10`: 十, `10005`: 一万零五); `None` when it reads them digit by digit
/// instead: more than [`MAX_NUMBER_DIGITS`] digits, a leading zero, or not
/// ASCII digits.
pub fn number_words(digits: &str) -> Option<String> {
    const DIGIT: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    const PLACE: [&str; 5] = ["", "十", "百", "千", "万"];
    let n = digits.len();
    if n == 0 || n > MAX_NUMBER_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if n > 1 && digits.starts_with('0') {
        return None;
    }
    if digits == "0" {
        return Some("零".into());
    }
    let mut out = String::new();
    let mut zero = false;
    for (i, b) in digits.bytes().enumerate() {
        let d = usize::from(b - b'0');
        let place = n - 1 - i;
        if d == 0 {
            zero = true;
            continue;
        }
        if zero && !out.is_empty() {
            out.push('零');
        }
        zero = false;
        // 10 to 19 read 十, 十一...: no leading 一.
        if !(d == 1 && place == 1 && out.is_empty()) {
            out.push(DIGIT[d]);
        }
        out.push_str(PLACE[place]);
    }
    Some(out)
}

/// Estimate how long `reading` takes at `opts.rate`, and its billing units.
/// A rate outside [`RATES`] is clamped into it.
pub fn estimate(reading: Reading, opts: &EstimateOptions) -> Estimate {
    let rate = opts.rate.clamp(*RATES.start(), *RATES.end());
    let margin = opts.margin.clamp(0.0, 1.0);
    let speech_ms = (reading.syllables as f64 * 1000.0 / rate).round() as u64;
    let ms = speech_ms
        .saturating_add(reading.short_pauses.saturating_mul(SHORT_PAUSE_MS))
        .saturating_add(reading.long_pauses.saturating_mul(LONG_PAUSE_MS));
    let units = |ms: f64| {
        billing::units_of_millis(Millis(ms.round() as u64), RoundingRule::StartedPeriod)
            .unwrap_or(BillingUnits(1))
            .0
    };
    let billing_units = units(ms as f64);
    let units_if_slower = units(ms as f64 * (1.0 + margin));
    let units_if_faster = units(ms as f64 * (1.0 - margin));
    Estimate {
        reading,
        rate,
        seconds: ms as f64 / 1000.0,
        billing_units,
        units_if_slower,
        units_if_faster,
        near_boundary: units_if_slower != billing_units || units_if_faster != billing_units,
    }
}

/// The 12-second boundary nearest to `seconds` (12, 24...).
pub fn nearest_boundary(seconds: f64) -> u64 {
    let unit = UNIT_SECONDS as f64;
    ((seconds / unit).round().max(1.0) as u64) * UNIT_SECONDS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syl(text: &str) -> u64 {
        read(text).syllables
    }

    #[test]
    fn numbers_in_words() {
        for (digits, words) in [
            ("0", "零"),
            ("7", "七"),
            ("10", "十"),
            ("15", "十五"),
            ("20", "二十"),
            ("105", "一百零五"),
            ("110", "一百一十"),
            ("1234", "一千二百三十四"),
            ("2000", "二千"),
            ("10005", "一万零五"),
            ("12000", "一万二千"),
            ("99999", "九万九千九百九十九"),
        ] {
            assert_eq!(number_words(digits).as_deref(), Some(words), "{digits}");
        }
        assert_eq!(number_words("0571"), None, "a leading zero");
        assert_eq!(number_words("123456"), None, "too long");
        assert_eq!(number_words(""), None);
        assert_eq!(number_words("12a"), None);
    }

    #[test]
    fn digits_as_numbers_or_one_by_one() {
        assert_eq!(syl("1234"), 7, "一千二百三十四");
        assert_eq!(syl("１２３４"), 7, "full-width digits");
        assert_eq!(syl("金额1234元"), 2 + 7 + 1);
        assert_eq!(syl("13800138000"), 11, "a phone number, digit by digit");
        assert_eq!(syl("042817"), 6, "a code with a leading zero");
        assert_eq!(syl("验证码1234"), 3 + 4, "after 码: digit by digit");
        assert_eq!(syl("尾号：0571"), 2 + 4);
        assert_eq!(syl("2025年"), 4 + 1, "a year, digit by digit");
        assert_eq!(syl("12.50元"), 2 + 1 + 2 + 1, "十二点五零元");
        assert_eq!(syl("10:30"), 1 + 1 + 2, "十点三十");
        assert_eq!(syl("50%"), 2 + 3, "百分之五十");
    }

    #[test]
    fn latin_acronyms_and_words() {
        assert_eq!(syl("APP"), 3);
        assert_eq!(syl("WWW"), 9);
        assert_eq!(syl("请下载APP查看"), 3 + 3 + 2);
        assert_eq!(syl("hello"), 2);
        assert_eq!(syl("code"), 1, "silent final e");
        assert_eq!(syl("table"), 2);
        assert_eq!(syl("iPhone"), 2);
        assert_eq!(syl("α"), 1);
    }

    #[test]
    fn punctuation_is_a_pause_not_at_the_end() {
        let r = read("您好，快递到了。请取件！");
        assert_eq!(r.syllables, 9);
        assert_eq!((r.short_pauses, r.long_pauses), (1, 1), "{r:?}");
        let r = read("您好！！……请取件。。");
        assert_eq!(
            (r.short_pauses, r.long_pauses),
            (0, 1),
            "a run is one pause"
        );
        let r = read("，您好");
        assert_eq!((r.short_pauses, r.long_pauses), (0, 0), "nothing before it");
        assert_eq!(read("【通知】您好").syllables, 4);
        assert_eq!(syl("请按#号键"), 5, "井号键");
        assert_eq!(syl("按#结束"), 1 + 2 + 2);
    }

    #[test]
    fn seconds_and_units() {
        let opts = EstimateOptions::default();
        // 45 syllables at 4.5/s: 10 s, one unit; 15 % more is 11.5 s.
        let e = estimate(
            Reading {
                syllables: 45,
                ..Reading::default()
            },
            &opts,
        );
        assert_eq!((e.seconds, e.billing_units), (10.0, 1));
        assert!(!e.near_boundary);
        // 11.4 s: 15 % more is past 12 s.
        let e = estimate(
            Reading {
                syllables: 45,
                short_pauses: 2,
                long_pauses: 1,
            },
            &opts,
        );
        assert_eq!(e.seconds, 11.2);
        assert_eq!((e.billing_units, e.units_if_slower), (1, 2));
        assert!(e.near_boundary);
        // 13 s: 2 units, may be 1.
        let e = estimate(
            Reading {
                syllables: 54,
                short_pauses: 0,
                long_pauses: 1,
            },
            &opts,
        );
        assert_eq!(e.seconds, 12.6);
        assert_eq!((e.billing_units, e.units_if_faster), (2, 1));
        // Nothing to read still bills one unit.
        let e = estimate(Reading::default(), &opts);
        assert_eq!(
            (e.seconds, e.billing_units, e.near_boundary),
            (0.0, 1, false)
        );
        // The rate is clamped.
        let e = estimate(
            Reading {
                syllables: 10,
                ..Reading::default()
            },
            &EstimateOptions {
                rate: 0.0,
                margin: 0.15,
            },
        );
        assert_eq!(e.rate, 1.0);
        assert_eq!(nearest_boundary(11.2), 12);
        assert_eq!(nearest_boundary(1.0), 12);
        assert_eq!(nearest_boundary(25.0), 24);
    }
}
