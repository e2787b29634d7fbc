//! The problem vocabulary of TTS templates: every code [`super::check`]
//! can report, with its severity and what it means. Nothing else in the
//! crate spells a template code.

use crate::spec::Severity;

crate::codes::problem_codes! {
    /// A stable template problem code. Serialised as its kebab-case
    /// string (`variable-in-middle`), which never changes once released.
    pub enum Code;
    /// Nothing to read: the text is empty or white space.
    EmptyTemplate = "empty-template", Error, "the text is empty or only white space";
    /// A control character (line break, tab...) in the text.
    ControlCharacter = "control-character", Error, "the text holds a control character (line break, tab...)";
    /// A brace that opens or closes no variable.
    BrokenVariable = "broken-variable", Error, "a `{`, `}` or `${` that is not part of a whole variable (`${name}`, `{name}`, `{{name}}`)";
    /// More than one variable.
    TooManyVariables = "too-many-variables", Error, "more than one variable; the provider allows one";
    /// The variable is neither at the very start nor at the very end.
    VariableInMiddle = "variable-in-middle", Error, "the variable is neither at the very start nor at the very end of the text";
    /// Only punctuation stands between the variable and an end of the text.
    VariableNearEdge = "variable-near-edge", Warning, "only punctuation stands between the variable and the start or end of the text; the document asks for the very start or end";
    /// `|` in the text.
    SeparatorInText = "separator-in-text", Warning, "`|` in the text: it separates the fields of a request, and TTS reads it as nothing or as a word";
    /// What looks like a `#name#` variable, read as text.
    HashLikeVariable = "hash-like-variable", Warning, "`#name#` looks like a variable but is read as text unless hash variables are recognised";
    /// The longest value of the variable holds `|`.
    ParamSeparator = "param-separator", Error, "the variable's value holds `|`, which would split the request's fields";
    /// The longest value of the variable holds a control character.
    ParamControlCharacter = "param-control-character", Error, "the variable's value holds a control character";
    /// A value for the variable, but the template has none.
    ParamWithoutVariable = "param-without-variable", Warning, "a value for the variable was given, but the template has no variable; it is not read";
    /// The estimate leaves out the variable: its longest value is unknown.
    VariableNotEstimated = "variable-not-estimated", Warning, "the variable's longest value was not given, so the estimate leaves it out";
    /// The estimate is near a 12-second boundary.
    NearUnitBoundary = "near-unit-boundary", Warning, "the estimate is close enough to a 12-second boundary that a call may bill one unit more (or fewer)";
    /// A verification code that is not 4 to 6 ASCII digits.
    NotVerificationCode = "not-verification-code", Error, "a verification code must be 4 to 6 digits (0-9)";
}

impl crate::spec::ProblemCode for Code {
    fn severity(self) -> Severity {
        Code::severity(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        crate::codes::assert_vocabulary(Code::ALL, Code::as_str, Code::meaning, Code::parse);
        // None collides with a recording's code.
        for c in crate::spec::Code::ALL {
            assert!(Code::parse(c.as_str()).is_none(), "{c} is also a spec code");
        }
    }
}
