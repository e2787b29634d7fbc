//! One way to declare a vocabulary of problem codes: [`spec::Code`] (a
//! recording), [`template::Code`] (a TTS template) and
//! [`filing::FilingCode`] (a filing package) come from [`problem_codes!`],
//! so that each code's string, severity and meaning are written once and
//! cannot drift apart, and every vocabulary behaves the same (`ALL`,
//! `as_str`, `severity`, `meaning`, `parse`, `Display`, `Serialize` as the
//! string).
//!
//! [`spec::Code`]: crate::spec::Code
//! [`template::Code`]: crate::template::Code
//! [`filing::FilingCode`]: crate::filing::FilingCode

/// Declares a code enum and its table from one list (the caller has
/// `Severity`, the spec's, in scope):
///
/// ```text
/// problem_codes! {
///     /// Doc of the enum.
///     pub enum Name;
///     /// Doc of a variant.
///     Variant = "kebab-string", Error, "what it means";
///     ...
/// }
/// ```
macro_rules! problem_codes {
    (
        $(#[$enum_doc:meta])*
        pub enum $name:ident;
        $( $(#[$doc:meta])* $variant:ident = $text:literal, $severity:ident, $meaning:literal; )*
    ) => {
        $(#[$enum_doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$doc])* $variant, )*
        }

        impl $name {
            /// Every code, in the order of its table in the documentation.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];

            /// The kebab-case string, which never changes once released.
            pub const fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text, )* }
            }

            /// Whether the problem fails what it is about or only warns.
            pub const fn severity(self) -> Severity {
                match self { $( $name::$variant => Severity::$severity, )* }
            }

            /// What the code means, in one line.
            pub const fn meaning(self) -> &'static str {
                match self { $( $name::$variant => $meaning, )* }
            }

            /// The code whose string is `s`, if any.
            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|c| c.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

pub(crate) use problem_codes;

/// The checks every vocabulary passes: unique kebab-case strings that
/// parse back, and a meaning for each.
#[cfg(test)]
pub(crate) fn assert_vocabulary<C: Copy + PartialEq + std::fmt::Debug>(
    all: &[C],
    as_str: impl Fn(C) -> &'static str,
    meaning: impl Fn(C) -> &'static str,
    parse: impl Fn(&str) -> Option<C>,
) {
    let mut seen = std::collections::HashSet::new();
    for &c in all {
        let s = as_str(c);
        assert!(seen.insert(s), "{s} twice");
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{s}"
        );
        assert_eq!(parse(s), Some(c));
        assert!(!meaning(c).is_empty(), "{s} has no meaning");
    }
    assert_eq!(parse("no-such-code"), None);
}
