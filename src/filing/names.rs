//! Whether a file name can be filed and then named in the recording-file
//! notice, `【语音通知文件】APPID|模板ID|录音文件名`.
//!
//! The provider's document says only that the third field is the
//! recording's file name. What it rules out follows from the form: `|`
//! separates the fields, a control character cannot travel in the text, and
//! a folder is not a file name. It says nothing of length, case or which
//! characters the provider's and the carriers' filing systems take. The
//! default ([`NamePolicy::Portable`]) is therefore the set every system
//! takes: ASCII letters, digits, `-`, `_` and `.`, at most
//! [`PORTABLE_MAX_CHARS`] characters, starting with a letter or digit.
//! [`NamePolicy::Any`] relaxes that to what the form itself allows (any
//! Unicode, Chinese included, up to 255 bytes, the usual file-system limit).

use serde::Serialize;

/// The longest name [`NamePolicy::Portable`] allows, extension included.
pub const PORTABLE_MAX_CHARS: usize = 64;

/// The longest name [`NamePolicy::Any`] allows, in UTF-8 bytes: what ext4,
/// NTFS (in UTF-16 units, which is more) and APFS take for one name.
pub const ANY_MAX_BYTES: usize = 255;

/// Which names are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NamePolicy {
    /// ASCII letters, digits, `-`, `_`, `.`; at most [`PORTABLE_MAX_CHARS`];
    /// starting with a letter or digit. The default.
    #[default]
    Portable,
    /// Anything the notice form can carry: no `|`, no control character, no
    /// `/` or `\`, no white space at either end; at most [`ANY_MAX_BYTES`].
    Any,
}

impl std::str::FromStr for NamePolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "portable" => Ok(NamePolicy::Portable),
            "any" => Ok(NamePolicy::Any),
            _ => Err(format!("unknown name policy {s:?} (portable or any)")),
        }
    }
}

/// Why a name cannot be used: a sentence naming the first problem, or
/// `None` when the name is fine under `policy`.
pub fn name_problem(name: &str, policy: NamePolicy) -> Option<String> {
    // What the form rules out, whatever the policy.
    if name.is_empty() {
        return Some("the name is empty".into());
    }
    if name.contains('|') {
        return Some(
            "contains '|', which separates the fields of the notice \
             (APPID|模板ID|录音文件名)"
                .into(),
        );
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Some(format!(
            "contains the control character U+{:04X}",
            u32::from(c)
        ));
    }
    if name.contains('/') || name.contains('\\') {
        return Some("contains a path separator (/ or \\)".into());
    }
    if name.trim() != name {
        return Some("starts or ends with white space".into());
    }
    if name == "." || name == ".." {
        return Some("is not a file name".into());
    }
    match policy {
        NamePolicy::Any => (name.len() > ANY_MAX_BYTES).then(|| {
            format!(
                "is {} bytes long; file systems take at most {ANY_MAX_BYTES}",
                name.len()
            )
        }),
        NamePolicy::Portable => portable_problem(name),
    }
}

fn portable_problem(name: &str) -> Option<String> {
    let relax = "the provider's document does not say which names it takes; \
                 the name policy \"any\" accepts it";
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        let what = match c {
            ' ' => "a space".to_string(),
            c => format!("{c:?}"),
        };
        return Some(format!(
            "contains {what}, outside the portable set \
             (ASCII letters, digits, - _ .); {relax}"
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Some(format!("does not start with a letter or digit; {relax}"));
    }
    let n = name.chars().count();
    (n > PORTABLE_MAX_CHARS).then(|| {
        format!("is {n} characters long, more than the portable {PORTABLE_MAX_CHARS}; {relax}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use NamePolicy::*;

    #[test]
    fn the_form_rules_out_separators_controls_and_folders() {
        for bad in [
            "a|b.wav",
            "a\nb.wav",
            "a\u{7}.wav",
            "dir/a.wav",
            "dir\\a.wav",
            " a.wav",
            "a.wav ",
            "",
            "..",
        ] {
            assert!(name_problem(bad, Any).is_some(), "{bad:?}");
            assert!(name_problem(bad, Portable).is_some(), "{bad:?}");
        }
        assert!(name_problem("a|b.wav", Any).unwrap().contains("'|'"));
        assert!(name_problem("a\tb.wav", Any).unwrap().contains("U+0009"));
    }

    #[test]
    fn portable_names_are_ascii_and_short() {
        for good in ["welcome.wav", "IVR_menu-2.vox", "0800.wav", "a.b.c.wav"] {
            assert_eq!(name_problem(good, Portable), None, "{good}");
        }
        for bad in [
            "欢迎.wav",
            "my prompt.wav",
            "-x.wav",
            ".hidden.wav",
            "a+b.wav",
        ] {
            let why = name_problem(bad, Portable).unwrap();
            assert!(why.contains("policy \"any\""), "{bad}: {why}");
        }
        let long = format!("{}.wav", "a".repeat(61));
        assert_eq!(long.len(), 65);
        assert!(
            name_problem(&long, Portable)
                .unwrap()
                .contains("65 characters")
        );
        assert_eq!(name_problem(&long[1..], Portable), None);
    }

    #[test]
    fn any_takes_chinese_and_spaces_inside() {
        for good in ["欢迎.wav", "my prompt.wav", "-x.wav", "a+b.wav"] {
            assert_eq!(name_problem(good, Any), None, "{good}");
        }
        let long = format!("{}.wav", "欢".repeat(84)); // 252 + 4 bytes
        assert!(name_problem(&long, Any).unwrap().contains("256 bytes"));
        assert_eq!("portable".parse::<NamePolicy>(), Ok(Portable));
        assert!("loose".parse::<NamePolicy>().is_err());
    }
}
