//! Does a text belong to its recording? The speech rate it implies, against
//! a documented range: CJK characters per second for Chinese text, words per
//! second for Latin-script (English) text. Pure: no I/O.
//!
//! A partner files each recording with its text. When the text read at a
//! plausible pace cannot fill the recording, or cannot fit in it, the text
//! probably belongs to another recording: the package warns "text may not
//! match the recording", with the rate.
//!
//! - [`count`] measures a text: CJK characters, Latin words and digits, the
//!   way they are read aloud; punctuation is not counted.
//! - [`voiced_seconds`] measures a recording: its duration minus the leading
//!   and trailing silence the check measured, so that padding does not
//!   distort the rate.
//! - [`judge`] compares the two with [`Limits`] (by default the ranges
//!   calibrated in `docs/speech-rate.md`).
//!
//! ```
//! use voxprep::filing::rate::{Limits, Pace, count, judge};
//!
//! let text = "Please enter your password followed by the pound key.";
//! assert_eq!(count(text).words, 9);
//! // 9 words in 3.2 s of voice: 2.8 words/s.
//! let ok = judge(count(text), 3.2, &Limits::default()).unwrap();
//! assert_eq!(ok.pace, Pace::Plausible);
//! // The same text filed with a one-word recording.
//! let bad = judge(count(text), 0.6, &Limits::default()).unwrap();
//! assert_eq!(bad.pace, Pace::TooFast);
//! println!("{}", bad.warning().unwrap());
//! ```
//!
//! What the check cannot catch: a wrong text of about the same length as
//! the right one (most mismatches between prompts of one library; see the
//! figures in `docs/speech-rate.md`), a recording of the right length with
//! other words, and a recording that is mostly music or noise between its
//! first and last loud sample.

use crate::check::FileReport;
use crate::text::{CharClass, class};
use serde::Serialize;
use std::fmt;

/// What a text is made of, counted the way it is read aloud.
///
/// Digits are read in the text's language: in a text with any CJK
/// character each digit is one syllable (Chinese reads phone numbers, codes
/// and most short numbers digit by digit, and 一百 or 二十 have about as
/// many syllables as digits); otherwise each digit is one word ("press 1";
/// a number read as a number takes about as long: "five hundred" for 500,
/// "twenty-eight point eight" for 28.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct TextCount {
    /// CJK characters (Han, kana, Hangul), one syllable each, and the
    /// digits of a text that has any.
    pub cjk: u32,
    /// Latin-script words (runs of letters; an apostrophe between letters
    /// joins them, a hyphen or a dot splits), and the digits of a text with
    /// no CJK character.
    pub words: u32,
}

impl TextCount {
    /// Nothing to read: no CJK character, word or digit.
    pub fn is_empty(&self) -> bool {
        self.cjk == 0 && self.words == 0
    }
}

/// Count what `text` has to read: see [`TextCount`]. Punctuation, spaces
/// and symbols are not counted.
pub fn count(text: &str) -> TextCount {
    let chars: Vec<char> = text.chars().collect();
    let has_cjk = chars.iter().any(|&c| class(c) == CharClass::Cjk);
    let mut n = TextCount::default();
    let mut in_word = false;
    for (i, &c) in chars.iter().enumerate() {
        match class(c) {
            CharClass::Cjk => n.cjk += 1,
            CharClass::Digit if has_cjk => n.cjk += 1,
            CharClass::Digit => n.words += 1,
            CharClass::Letter => {
                if !in_word {
                    n.words += 1;
                }
                in_word = true;
                continue;
            }
            // "you'd", "party's": one word.
            _ if in_word
                && matches!(c, '\'' | '\u{2019}')
                && chars
                    .get(i + 1)
                    .is_some_and(|&d| class(d) == CharClass::Letter) =>
            {
                continue;
            }
            _ => {}
        }
        in_word = false;
    }
    n
}

/// Seconds of a recording between its first and last sample at or above
/// the check's silence threshold ([`crate::signal::Thresholds::silence_dbfs`]):
/// its duration minus the leading and trailing silence. Silence a speaker
/// leaves inside the recording (pauses between sentences) still counts.
///
/// `None` when the report has no duration or no signal figures (the samples
/// were not decoded), or the recording is silent throughout.
pub fn voiced_seconds(report: &FileReport) -> Option<f64> {
    let signal = report.signal.as_ref()?;
    if signal.silent {
        return None;
    }
    voiced_span(
        report.duration_s?,
        signal.leading_silence_s,
        signal.trailing_silence_s,
    )
}

/// `duration_s` minus `leading_s` and `trailing_s`, the figures a check
/// reports ([`crate::signal::SignalStats`]); what [`voiced_seconds`]
/// computes from a report. `None` when nothing is left or a figure is not
/// a finite number.
pub fn voiced_span(duration_s: f64, leading_s: f64, trailing_s: f64) -> Option<f64> {
    let v = duration_s - leading_s - trailing_s;
    (v.is_finite() && v > 0.0).then_some(v)
}

/// A plausible range of speech rates, in units per voiced second.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RateRange {
    /// The slowest plausible rate.
    pub min: f64,
    /// The fastest plausible rate.
    pub max: f64,
}

/// Where [`judge`] draws its lines.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limits {
    /// CJK characters per voiced second. Default
    /// [`CJK_CHARS_PER_S`].
    pub cjk_per_s: RateRange,
    /// Latin words per voiced second. Default [`ENGLISH_WORDS_PER_S`].
    pub words_per_s: RateRange,
    /// Seconds a recording may run beyond the slowest rate before it is too
    /// slow: a word said on its own is drawn out, and breath or noise at an
    /// edge may reach the silence threshold. It decides only for short
    /// texts. Default [`SHORT_TEXT_SLACK_S`].
    pub slack_s: f64,
}

/// The default range of Latin words per voiced second, calibrated on the
/// 551 English prompts of Asterisk's core sounds with their texts
/// (`docs/speech-rate.md`, `benches/speech-rate.sh`).
pub const ENGLISH_WORDS_PER_S: RateRange = RateRange { min: 1.0, max: 4.5 };

/// The default range of CJK characters per voiced second: Mandarin read
/// speech runs at about 4 to 5.5 syllables a second (Pellegrino, Coupé and
/// Marsico 2011, "A cross-language perspective on speech information rate",
/// *Language* 87(3): about 5.2 syllables/s read, pauses removed; Chinese radio
/// and television news: 250 to 350 characters a minute), with the margins
/// the English range has around its typical rate (`docs/speech-rate.md`).
pub const CJK_CHARS_PER_S: RateRange = RateRange { min: 1.5, max: 8.0 };

/// The default [`Limits::slack_s`].
pub const SHORT_TEXT_SLACK_S: f64 = 0.6;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            cjk_per_s: CJK_CHARS_PER_S,
            words_per_s: ENGLISH_WORDS_PER_S,
            slack_s: SHORT_TEXT_SLACK_S,
        }
    }
}

/// How a recording's pace compares with its text's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pace {
    /// Within the range.
    Plausible,
    /// More text than the recording could say: faster than the fastest rate.
    TooFast,
    /// Less text than the recording holds: slower than the slowest rate.
    TooSlow,
}

/// The unit a rate is given in: the text's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RateUnit {
    /// CJK characters per second (text with no Latin word).
    CharsPerSecond,
    /// Words per second (text with no CJK character).
    WordsPerSecond,
    /// Mixed text: the voiced seconds themselves, against the seconds its
    /// characters and words take at the slowest and fastest rates.
    Seconds,
}

/// The judgement of one text against one recording.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RateJudgement {
    /// What the text has to read.
    pub count: TextCount,
    /// The recording's voiced seconds.
    pub voiced_s: f64,
    /// The unit of [`rate`](Self::rate) and [`expected`](Self::expected).
    pub unit: RateUnit,
    /// The rate in the text's unit (characters or words per second; for
    /// mixed text the voiced seconds).
    pub rate: f64,
    /// The plausible range for this text in the same unit: the [`Limits`]
    /// ranges, the slow end lowered by [`Limits::slack_s`] (for mixed text,
    /// the seconds at the fastest rates to the seconds at the slowest plus
    /// the slack).
    pub expected: RateRange,
    /// Within the range, or which way out of it.
    pub pace: Pace,
}

impl RateJudgement {
    /// `Some("text may not match the recording: 9.8 words/s (expected
    /// 1.0–4.5 for English)")` when the pace is not plausible.
    pub fn warning(&self) -> Option<String> {
        (self.pace != Pace::Plausible).then(|| format!("text may not match the recording: {self}"))
    }
}

/// `9.8 words/s (expected 1.0–4.5 for English)`, `12.0 characters/s
/// (expected 1.5–8.0 for Chinese)`, or for mixed text `3.1 s voiced for 12
/// characters and 4 words (expected 1.2–5.0 s)`.
impl fmt::Display for RateJudgement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RateRange { min, max } = self.expected;
        match self.unit {
            RateUnit::WordsPerSecond => write!(
                f,
                "{:.1} words/s (expected {min:.1}–{max:.1} for English)",
                self.rate
            ),
            RateUnit::CharsPerSecond => write!(
                f,
                "{:.1} characters/s (expected {min:.1}–{max:.1} for Chinese)",
                self.rate
            ),
            RateUnit::Seconds => write!(
                f,
                "{:.1} s voiced for {} and {} (expected {min:.1}–{max:.1} s)",
                self.rate,
                plural(self.count.cjk, "character"),
                plural(self.count.words, "word"),
            ),
        }
    }
}

/// `1 word`, `4 words`.
fn plural(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Judge a text of `count` against `voiced_s` seconds of voice
/// ([`voiced_seconds`]).
///
/// The recording is plausible when its voiced seconds lie between the
/// seconds the text takes at the fastest rates and at the slowest rates
/// plus [`Limits::slack_s`]:
///
/// ```text
/// cjk / cjk_max + words / words_max  <=  voiced  <=  cjk / cjk_min + words / words_min + slack
/// ```
///
/// For text of one script that is its rate in its own unit against the
/// range, the slow end lowered by the slack: a long text is held to the
/// documented range, a one-word prompt may take up to 1.6 s. Mixed
/// text adds the times of its parts and is shown in seconds.
///
/// `None` when the text has nothing to read or `voiced_s` is not a positive
/// number: nothing to judge.
pub fn judge(count: TextCount, voiced_s: f64, limits: &Limits) -> Option<RateJudgement> {
    if count.is_empty() || !(voiced_s.is_finite() && voiced_s > 0.0) {
        return None;
    }
    let (cjk, words) = (f64::from(count.cjk), f64::from(count.words));
    let fastest = cjk / limits.cjk_per_s.max + words / limits.words_per_s.max;
    let slowest = cjk / limits.cjk_per_s.min + words / limits.words_per_s.min + limits.slack_s;
    let pace = if voiced_s < fastest {
        Pace::TooFast
    } else if voiced_s > slowest {
        Pace::TooSlow
    } else {
        Pace::Plausible
    };
    let (unit, units) = match (count.cjk, count.words) {
        (_, 0) => (RateUnit::CharsPerSecond, cjk),
        (0, _) => (RateUnit::WordsPerSecond, words),
        _ => (RateUnit::Seconds, 0.0),
    };
    let (rate, expected) = if unit == RateUnit::Seconds {
        (
            voiced_s,
            RateRange {
                min: fastest,
                max: slowest,
            },
        )
    } else {
        let range = RateRange {
            min: units / slowest,
            max: units / fastest,
        };
        (units / voiced_s, range)
    };
    Some(RateJudgement {
        count,
        voiced_s,
        unit,
        rate,
        expected,
        pace,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(cjk: u32, words: u32) -> TextCount {
        TextCount { cjk, words }
    }

    #[test]
    fn counts_words_cjk_and_digits() {
        assert_eq!(count("Please enter your password."), n(0, 4));
        // An apostrophe joins, a hyphen splits.
        assert_eq!(count("If you'd like, Call-Forward"), n(0, 5));
        assert_eq!(count("party’s extension"), n(0, 2));
        // A trailing or quoting apostrophe is punctuation.
        assert_eq!(count("'quoted' words'"), n(0, 2));
        // Digits in English: one word each.
        assert_eq!(count("press 1 for sales, 500 to test"), n(0, 9));
        assert_eq!(count("a 28.8 kilobit modem"), n(0, 6));
        // CJK: one per character, digits one syllable each, punctuation
        // (full-width too) ignored.
        assert_eq!(count("您好，请按１号键。"), n(7, 0));
        assert_eq!(count("请拨打95588"), n(8, 0));
        assert_eq!(count("欢迎致电VIP客户专线"), n(8, 1));
        assert_eq!(count("A.M."), n(0, 2));
        assert!(count(" ,.!?。！ ").is_empty());
        assert!(count("#*@").is_empty());
    }

    #[test]
    fn voiced_span_takes_off_the_edges() {
        let v = voiced_span(3.0, 0.5, 0.25).unwrap();
        assert!((v - 2.25).abs() < 1e-12);
        assert_eq!(voiced_span(1.0, 0.6, 0.4), None);
        assert_eq!(voiced_span(f64::NAN, 0.0, 0.0), None);
    }

    #[test]
    fn voiced_seconds_needs_signal_figures() {
        let mut report = FileReport::new("x.wav");
        report.duration_s = Some(2.0);
        assert_eq!(voiced_seconds(&report), None);
    }

    #[test]
    fn english_rates() {
        let l = Limits::default();
        // 20 words in 6 s: 3.3 words/s.
        let j = judge(n(0, 20), 6.0, &l).unwrap();
        assert_eq!(
            (j.pace, j.unit),
            (Pace::Plausible, RateUnit::WordsPerSecond)
        );
        assert!((j.rate - 20.0 / 6.0).abs() < 1e-12);
        assert_eq!(j.warning(), None);
        // 20 words in 2 s: too fast.
        let j = judge(n(0, 20), 2.0, &l).unwrap();
        assert_eq!(j.pace, Pace::TooFast);
        assert_eq!(
            j.warning().unwrap(),
            "text may not match the recording: 10.0 words/s (expected 1.0–4.5 for English)"
        );
        // 20 words in 30 s: too slow.
        assert_eq!(judge(n(0, 20), 30.0, &l).unwrap().pace, Pace::TooSlow);
    }

    #[test]
    fn short_texts_have_slack_on_the_slow_side() {
        let l = Limits::default();
        // One word said slowly in 1.5 s: 0.7 words/s, still plausible.
        let j = judge(n(0, 1), 1.5, &l).unwrap();
        assert_eq!(j.pace, Pace::Plausible);
        assert!(j.expected.min < l.words_per_s.min);
        assert_eq!(j.expected.max, l.words_per_s.max);
        // But not a one-word text for 5 s of voice.
        assert_eq!(judge(n(0, 1), 5.0, &l).unwrap().pace, Pace::TooSlow);
        // The fast side has no slack: one word in 0.1 s.
        assert_eq!(judge(n(0, 1), 0.1, &l).unwrap().pace, Pace::TooFast);
    }

    #[test]
    fn chinese_rates() {
        let l = Limits::default();
        // 20 characters in 4.5 s: 4.4 characters/s.
        let j = judge(n(20, 0), 4.5, &l).unwrap();
        assert_eq!(
            (j.pace, j.unit),
            (Pace::Plausible, RateUnit::CharsPerSecond)
        );
        let j = judge(n(40, 0), 2.0, &l).unwrap();
        assert_eq!(j.pace, Pace::TooFast);
        assert_eq!(
            j.warning().unwrap(),
            "text may not match the recording: 20.0 characters/s (expected 1.5–8.0 for Chinese)"
        );
        assert_eq!(judge(n(10, 0), 20.0, &l).unwrap().pace, Pace::TooSlow);
    }

    #[test]
    fn mixed_text_adds_the_times_of_its_parts() {
        let l = Limits::default();
        // 8 characters (1.0–5.3 s) and 1 word (0.2–1.0 s), plus the slack.
        let j = judge(n(8, 1), 3.0, &l).unwrap();
        assert_eq!((j.pace, j.unit), (Pace::Plausible, RateUnit::Seconds));
        assert!((j.expected.min - (8.0 / 8.0 + 1.0 / 4.5)).abs() < 1e-12);
        assert!((j.expected.max - (8.0 / 1.5 + 1.0 / 1.0 + 0.6)).abs() < 1e-12);
        assert_eq!(
            judge(n(8, 1), 0.5, &l).unwrap().warning().unwrap(),
            "text may not match the recording: 0.5 s voiced for 8 characters and 1 word (expected 1.2–6.9 s)"
        );
        assert_eq!(judge(n(8, 1), 9.0, &l).unwrap().pace, Pace::TooSlow);
    }

    #[test]
    fn nothing_to_judge() {
        let l = Limits::default();
        assert_eq!(judge(n(0, 0), 2.0, &l), None);
        assert_eq!(judge(n(0, 3), 0.0, &l), None);
        assert_eq!(judge(n(0, 3), f64::INFINITY, &l), None);
    }
}
