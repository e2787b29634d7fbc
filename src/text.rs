//! What a text is made of, for reading it aloud: CJK characters (one
//! syllable each in Mandarin), Latin words, digits and punctuation. Shared by
//! the TTS template estimate ([`crate::template`]) and the filing package's
//! check of a recording's text against its duration ([`crate::filing`]).

use std::ops::RangeInclusive;

/// The class of one character, as a reader would treat it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CharClass {
    /// A CJK ideograph (Han), kana or Hangul syllable: read as one syllable.
    Cjk,
    /// A letter of an alphabet (Latin, Greek, Cyrillic...).
    Letter,
    /// An ASCII or full-width digit.
    Digit,
    /// Punctuation, ASCII or full-width (a pause when read).
    Punct,
    /// White space.
    Space,
    /// Anything else (symbols, control characters, emoji...).
    Other,
}

/// The class of `c`.
pub(crate) fn class(c: char) -> CharClass {
    match c {
        '0'..='9' | '０'..='９' => CharClass::Digit,
        _ if is_cjk(c) => CharClass::Cjk,
        _ if c.is_whitespace() => CharClass::Space,
        _ if is_punct(c) => CharClass::Punct,
        _ if c.is_alphabetic() => CharClass::Letter,
        _ => CharClass::Other,
    }
}

/// Han ideographs (with the extensions), kana and Hangul syllables.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'     // CJK Unified Ideographs Extension A
        | '\u{4E00}'..='\u{9FFF}'   // CJK Unified Ideographs
        | '\u{F900}'..='\u{FAFF}'   // CJK Compatibility Ideographs
        | '\u{20000}'..='\u{3134F}' // Extensions B to G
        | '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{AC00}'..='\u{D7AF}'   // Hangul syllables
    ) && c != '\u{30FB}' // ・ (katakana middle dot) is punctuation
}

/// ASCII punctuation, CJK punctuation (、。「」...) and full-width forms
/// (，！？：；).
pub(crate) fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c,
            '\u{3000}'..='\u{303F}'   // CJK Symbols and Punctuation
            | '\u{FF01}'..='\u{FF0F}' // ！＂＃...／
            | '\u{FF1A}'..='\u{FF20}' // ：；＜＝＞？＠
            | '\u{FF3B}'..='\u{FF40}'
            | '\u{FF5B}'..='\u{FF65}'
            | '\u{2010}'..='\u{2027}' // dashes, quotes, ellipsis
            | '\u{30FB}'
            | '\u{00A1}' | '\u{00BF}' | '\u{00AB}' | '\u{00BB}'
        )
}

// The rules of a request's fields, here (a leaf module) so that both
// `template` and `provider::content` use them without an import cycle.

/// How many digits a voice verification code (`【语音验证码】1234`) has.
pub const VERIFICATION_CODE_DIGITS: RangeInclusive<usize> = 4..=6;

/// Whether `s` is a voice verification code: 4 to 6 ASCII digits.
pub fn is_verification_code(s: &str) -> bool {
    VERIFICATION_CODE_DIGITS.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// What makes a value unfit for one `|`-separated field of a request's
/// `Content` (app id, template id, the variable's value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldFault {
    /// Empty or white space.
    Empty,
    /// Holds `|`, the separator of the fields.
    Separator,
    /// Holds a control character.
    Control,
}

/// The first [`FieldFault`] of `value`, if any.
pub fn field_fault(value: &str) -> Option<FieldFault> {
    if value.trim().is_empty() {
        Some(FieldFault::Empty)
    } else if value.contains('|') {
        Some(FieldFault::Separator)
    } else if value.chars().any(char::is_control) {
        Some(FieldFault::Control)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let got: Vec<CharClass> = "您好A1，. ３€".chars().map(class).collect();
        use CharClass::*;
        assert_eq!(
            got,
            [Cjk, Cjk, Letter, Digit, Punct, Punct, Space, Digit, Other]
        );
        assert_eq!(class('한'), Cjk);
        assert_eq!(class('カ'), Cjk);
        assert_eq!(class('ー'), Cjk);
        assert_eq!(class('・'), Punct);
        assert_eq!(class('。'), Punct);
        assert_eq!(class('é'), Letter);
        assert_eq!(class('\n'), Space);
    }
}
