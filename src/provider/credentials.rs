//! Account name and password. The password never leaves this module in
//! readable form except into the request URL: `Debug`, `Display` and every
//! rendering for people show `***`.

use super::redact::Redactor;
use super::{ProviderError, REDACTED};
use std::fmt;

/// A password, as [`Credentials::password`] hands it out. `Debug` and
/// `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// The secret itself, for building the request and for redaction only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// The account (`CpName`) and its password (`CpPassword`), both issued by the
/// provider. For a sub-account, the sub-account's name and password.
/// `Debug` shows the name and `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    name: String,
    password: Password,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("name", &self.name)
            .field("password", &format_args!("{REDACTED}"))
            .finish()
    }
}

impl Credentials {
    /// Validate and wrap: both non-empty, no control characters.
    ///
    /// # Errors
    /// [`ProviderError::Invalid`] naming the field (never quoting the password).
    pub fn try_new(
        name: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<Credentials, ProviderError> {
        let name = name.into();
        let password = password.into();
        if name.trim().is_empty() {
            return Err(ProviderError::Invalid(
                "account name (CpName) is empty".into(),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(ProviderError::Invalid(
                "account name (CpName) contains a control character".into(),
            ));
        }
        if password.is_empty() {
            return Err(ProviderError::Invalid(
                "password (CpPassword) is empty".into(),
            ));
        }
        if password.chars().any(char::is_control) {
            return Err(ProviderError::Invalid(
                "password (CpPassword) contains a control character".into(),
            ));
        }
        Ok(Credentials {
            name,
            password: Password(password),
        })
    }

    /// The account name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The password (prints as `***`).
    pub fn password(&self) -> &Password {
        &self.password
    }

    /// `text` with the password replaced by `***` in every form a reply or
    /// an error message may echo it in: raw, percent- and form-encoded (any
    /// case, double-encoded too), as HTML character references, as JSON
    /// escapes, in base64 (a run decoding to text that holds it is replaced
    /// whole, which covers `name:password`), and compositions of two of
    /// these; the value of any `CpPassword` parameter is replaced too.
    ///
    /// A password shorter than 4 characters would match everywhere once
    /// decoded: only its raw and percent-encoded forms between word
    /// boundaries are replaced then, and provider bodies are not quoted at
    /// all (docs/secrets.md).
    pub fn redact(&self, text: &str) -> String {
        Redactor::new(self.password.expose()).redact(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_password() {
        let c = Credentials::try_new("acme", "s3cr3t&pw").unwrap();
        let dbg = format!("{c:?} {:?} {}", c.password(), c.password());
        assert!(!dbg.contains("s3cr3t"), "{dbg}");
        assert!(dbg.contains("acme") && dbg.contains(REDACTED), "{dbg}");
    }

    #[test]
    fn redact_covers_raw_and_encoded_forms() {
        let c = Credentials::try_new("acme", "p w&d").unwrap();
        assert_eq!(c.redact("x p w&d y p%20w%26d z"), "x *** y *** z");
    }

    #[test]
    fn invalid_credentials_are_named_not_quoted() {
        let e = Credentials::try_new("", "pw").unwrap_err().to_string();
        assert!(e.contains("CpName"), "{e}");
        let e = Credentials::try_new("acme", "").unwrap_err().to_string();
        assert!(e.contains("CpPassword"), "{e}");
        let e = Credentials::try_new("acme", "bad\npw")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("bad"), "{e}");
    }
}
