//! What to send (`Content`), one variant per form of the provider document:
//!
//! | form | text sent |
//! |------|-----------|
//! | verification code | `【语音验证码】1234` (4 to 6 digits) |
//! | TTS notice | `【语音通知】APPID\|模板ID\|参数` |
//! | TTS notice with key press | `【语音通知按键】APPID\|模板ID\|参数` |
//! | recording-file notice | `【语音通知文件】APPID\|模板ID\|录音文件名` |
//!
//! The bracketed prefixes are literal, with full-width 【】. Every field is
//! validated when built, so a `Content` always renders to a valid text.

use super::ProviderError;
use crate::text::{FieldFault, field_fault, is_verification_code};
use serde::Serialize;
use std::fmt;

/// One `|`-separated field of a notice (app id, template id, TTS parameter):
/// non-empty, no `|` (the separator), no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Field(String);

impl Field {
    /// Validate `value` as the field called `what` (named in the error).
    ///
    /// # Errors
    /// [`ProviderError::Invalid`] naming the field and the problem.
    pub fn try_new(what: &str, value: impl Into<String>) -> Result<Field, ProviderError> {
        let value = value.into();
        let why = match field_fault(&value) {
            None => return Ok(Field(value)),
            Some(FieldFault::Empty) => "is empty",
            Some(FieldFault::Separator) => "contains '|', which separates the fields of Content",
            Some(FieldFault::Control) => "contains a control character",
        };
        Err(invalid(what, &value, why))
    }

    /// Like [`Field::try_new`], also refusing leading or trailing white space
    /// (an id copied with a stray space would be rejected by the provider).
    fn id(what: &str, value: impl Into<String>) -> Result<Field, ProviderError> {
        let f = Field::try_new(what, value)?;
        if f.0.trim() != f.0 {
            return Err(invalid(what, &f.0, "has leading or trailing white space"));
        }
        Ok(f)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn invalid(what: &str, value: &str, why: &str) -> ProviderError {
    ProviderError::Invalid(format!("{what} {value:?} {why}"))
}

/// A voice verification code: 4 to 6 ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct VerificationCode(String);

impl VerificationCode {
    /// Validate.
    ///
    /// # Errors
    /// [`ProviderError::Invalid`] when `digits` is not 4 to 6 ASCII digits.
    pub fn try_new(digits: impl Into<String>) -> Result<VerificationCode, ProviderError> {
        let digits = digits.into();
        if !is_verification_code(&digits) {
            return Err(invalid(
                "verification code",
                &digits,
                "must be 4 to 6 digits (0-9)",
            ));
        }
        Ok(VerificationCode(digits))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The file name of a recording filed with the provider: a bare name (no
/// folder), a valid [`Field`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RecordingName(Field);

impl RecordingName {
    /// Validate.
    ///
    /// # Errors
    /// [`ProviderError::Invalid`] when `name` is not a bare file name.
    pub fn try_new(name: impl Into<String>) -> Result<RecordingName, ProviderError> {
        let f = Field::id("recording name", name)?;
        let s = f.as_str();
        if s.contains('/') || s.contains('\\') {
            return Err(invalid(
                "recording name",
                s,
                "must be a bare file name, without a folder",
            ));
        }
        if s == "." || s == ".." {
            return Err(invalid("recording name", s, "is not a file name"));
        }
        Ok(RecordingName(f))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// The optional `ExtCode` parameter: the long outbound caller number to use
/// (原文 "填外呼长号码"). Digits only, 1 to 20 of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ExtCode(String);

impl ExtCode {
    /// Validate.
    ///
    /// # Errors
    /// [`ProviderError::Invalid`] when `code` is not 1 to 20 ASCII digits.
    pub fn try_new(code: impl Into<String>) -> Result<ExtCode, ProviderError> {
        let code = code.into();
        let ok = (1..=20).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return Err(invalid(
                "extension code",
                &code,
                "must be 1 to 20 digits (0-9)",
            ));
        }
        Ok(ExtCode(code))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What to send: one variant per form of the provider document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// `【语音验证码】1234`: the digits are read out.
    Code(VerificationCode),
    /// `【语音通知】APPID|模板ID|参数`: a filed TTS text, with its variable.
    Notice {
        /// App id.
        app: Field,
        /// Template id.
        template: Field,
        /// The variable's value; `None` for a template without a variable.
        param: Option<Field>,
    },
    /// `【语音通知按键】APPID|模板ID|参数`: as `Notice`, accepting key presses.
    NoticeKeypress {
        /// App id.
        app: Field,
        /// Template id.
        template: Field,
        /// The variable's value; `None` for a template without a variable.
        param: Option<Field>,
    },
    /// `【语音通知文件】APPID|模板ID|录音文件名`: plays a filed recording.
    File {
        /// App id.
        app: Field,
        /// Template id.
        template: Field,
        /// The recording's file name as filed.
        recording: RecordingName,
    },
}

impl Content {
    /// A verification code.
    ///
    /// # Errors
    /// See [`VerificationCode::try_new`].
    pub fn code(digits: impl Into<String>) -> Result<Content, ProviderError> {
        Ok(Content::Code(VerificationCode::try_new(digits)?))
    }

    /// A TTS notice, with key presses when `keypress`.
    ///
    /// # Errors
    /// [`ProviderError::Invalid`] naming the bad field.
    pub fn notice(
        app: impl Into<String>,
        template: impl Into<String>,
        param: Option<String>,
        keypress: bool,
    ) -> Result<Content, ProviderError> {
        let app = Field::id("app id", app)?;
        let template = Field::id("template id", template)?;
        let param = param
            .map(|p| Field::try_new("TTS parameter", p))
            .transpose()?;
        Ok(if keypress {
            Content::NoticeKeypress {
                app,
                template,
                param,
            }
        } else {
            Content::Notice {
                app,
                template,
                param,
            }
        })
    }

    /// A recording-file notice.
    ///
    /// # Errors
    /// [`ProviderError::Invalid`] naming the bad field.
    pub fn file(
        app: impl Into<String>,
        template: impl Into<String>,
        recording: impl Into<String>,
    ) -> Result<Content, ProviderError> {
        Ok(Content::File {
            app: Field::id("app id", app)?,
            template: Field::id("template id", template)?,
            recording: RecordingName::try_new(recording)?,
        })
    }

    /// The form's name: `code`, `tts`, `tts-keypress` or `file`.
    pub fn form(&self) -> &'static str {
        match self {
            Content::Code(_) => "code",
            Content::Notice { .. } => "tts",
            Content::NoticeKeypress { .. } => "tts-keypress",
            Content::File { .. } => "file",
        }
    }

    /// The exact text of the `Content` parameter (before percent-encoding).
    ///
    /// A notice without a variable is rendered with an empty third field
    /// (`【语音通知】APPID|模板ID|`): the document always shows three fields
    /// and does not say what to send for a template without a variable.
    pub fn render(&self) -> String {
        match self {
            Content::Code(c) => format!("【语音验证码】{}", c.as_str()),
            Content::Notice {
                app,
                template,
                param,
            } => {
                format!(
                    "【语音通知】{}|{}|{}",
                    app.0,
                    template.0,
                    param.as_ref().map_or("", |p| p.as_str())
                )
            }
            Content::NoticeKeypress {
                app,
                template,
                param,
            } => {
                format!(
                    "【语音通知按键】{}|{}|{}",
                    app.0,
                    template.0,
                    param.as_ref().map_or("", |p| p.as_str())
                )
            }
            Content::File {
                app,
                template,
                recording,
            } => {
                format!(
                    "【语音通知文件】{}|{}|{}",
                    app.0,
                    template.0,
                    recording.as_str()
                )
            }
        }
    }
}

impl fmt::Display for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_each_form_exactly() {
        assert_eq!(
            Content::code("0420").unwrap().render(),
            "【语音验证码】0420"
        );
        assert_eq!(
            Content::notice("app1", "T100", Some("张三".into()), false)
                .unwrap()
                .render(),
            "【语音通知】app1|T100|张三"
        );
        assert_eq!(
            Content::notice("app1", "T100", Some("x y".into()), true)
                .unwrap()
                .render(),
            "【语音通知按键】app1|T100|x y"
        );
        assert_eq!(
            Content::notice("a", "t", None, false).unwrap().render(),
            "【语音通知】a|t|"
        );
        assert_eq!(
            Content::file("app1", "T7", "welcome.wav").unwrap().render(),
            "【语音通知文件】app1|T7|welcome.wav"
        );
    }

    #[test]
    fn verification_codes() {
        for ok in ["1234", "12345", "000000"] {
            assert!(Content::code(ok).is_ok(), "{ok}");
        }
        for bad in ["", "123", "1234567", "12a4", "１２３４", " 1234", "12-34"] {
            let e = Content::code(bad).unwrap_err().to_string();
            assert!(e.contains("4 to 6 digits"), "{bad}: {e}");
        }
    }

    #[test]
    fn fields_are_validated() {
        let cases: &[(&str, &str, &str, &str)] = &[
            ("", "t", "r.wav", "app id"),
            ("  ", "t", "r.wav", "is empty"),
            ("a|b", "t", "r.wav", "'|'"),
            ("a", "t\u{7}", "r.wav", "control character"),
            ("a ", "t", "r.wav", "white space"),
            ("a", "t", "dir/r.wav", "bare file name"),
            ("a", "t", "C:\\x\\r.wav", "bare file name"),
            ("a", "t", "..", "not a file name"),
            ("a", "t", "r|.wav", "'|'"),
            ("a", "t", "", "recording name"),
        ];
        for (app, tpl, rec, want) in cases {
            let e = Content::file(*app, *tpl, *rec).unwrap_err().to_string();
            assert!(e.contains(want), "{app:?} {tpl:?} {rec:?}: {e}");
        }
        let e = Content::notice("a", "t", Some("x|y".into()), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("TTS parameter"), "{e}");
        let e = Content::notice("a", "t", Some("".into()), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is empty"), "{e}");
        assert!(Content::notice("a", "t", Some("line\nbreak".into()), true).is_err());
    }

    #[test]
    fn ext_codes() {
        assert!(ExtCode::try_new("1069001").is_ok());
        assert!(ExtCode::try_new("").is_err());
        assert!(ExtCode::try_new("12a").is_err());
        assert!(ExtCode::try_new("1".repeat(21)).is_err());
    }
}
