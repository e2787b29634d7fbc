//! TTS templates: the text a partner files with the provider for a voice
//! notice read by text-to-speech (`【语音通知】APPID|模板ID|参数`, and
//! `【语音通知按键】...` with key presses), checked against the provider's
//! rules and priced by an estimate of how long it takes to read.
//!
//! The provider's document (provider-api.md, section 5; the original:
//! "语音通知中可以包含一个变量，变量位置在最前或最后") allows one variable,
//! at the very start or the very end of the text, and bills each call per
//! started 12 seconds. It does not say how a variable is written, so
//! [`parse`] recognises the conventions of Chinese SMS and voice platforms:
//! `${name}`, `{name}` (and `{1}`) and `{{name}}`; `#name#` only when asked
//! ([`TemplateOptions::hash_variables`]), since `#` is also a key (按#号键).
//!
//! ```
//! use voxprep::template::{Code, TemplateOptions, check};
//! use voxprep::spec::Verdict;
//!
//! let opts = TemplateOptions { param_max: Some("张三丰".into()), ..Default::default() };
//! let ok = check("${name}，您好，您的快递已到，请及时取件。", &opts);
//! assert_eq!(ok.verdict, Verdict::Pass);
//! assert_eq!(ok.estimate.as_ref().map(|e| e.billing_units), Some(1));
//!
//! let bad = check("尊敬的${name}，您好。", &opts);
//! assert_eq!(bad.verdict, Verdict::Fail);
//! assert_eq!(bad.problems[0].code, Code::VariableInMiddle);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Pure: text in, [`TemplateReport`] out. docs/templates.md has the rules,
//! the reading model and how the estimate compares with a real TTS voice.

mod code;
mod reading;

pub use code::Code;
pub use reading::{
    DEFAULT_MARGIN, DEFAULT_RATE, Estimate, EstimateOptions, LONG_PAUSE_MS, MAX_NUMBER_DIGITS,
    RATES, Reading, SHORT_PAUSE_MS, estimate, nearest_boundary, number_words, read,
};

use crate::spec::Verdict;
use crate::text::{CharClass, class};
pub use crate::text::{FieldFault, VERIFICATION_CODE_DIGITS, field_fault, is_verification_code};
use serde::Serialize;

/// The longest variable name recognised, in characters.
pub const MAX_NAME_CHARS: usize = 32;

/// Which form of `Content` the text is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    /// `【语音通知】APPID|模板ID|参数`: a filed text read by TTS.
    #[default]
    Notice,
    /// `【语音通知按键】APPID|模板ID|参数`: the same, taking key presses.
    Keypress,
    /// `【语音验证码】1234`: the text is the code, 4 to 6 digits, read out
    /// digit by digit in the provider's own words.
    Code,
}

/// How a variable is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Syntax {
    /// `${name}`.
    Dollar,
    /// `{name}` or `{1}`.
    Brace,
    /// `{{name}}`.
    DoubleBrace,
    /// `#name#` (only with [`TemplateOptions::hash_variables`]).
    Hash,
}

/// Where a variable stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Placement {
    /// At the start (nothing, or only punctuation, before it).
    Start,
    /// At the end (nothing, or only punctuation, after it).
    End,
    /// Neither.
    Middle,
}

/// A variable of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variable {
    /// Its name (`name` of `${name}`).
    pub name: String,
    /// As written (`${name}`).
    pub written: String,
    /// How it is written.
    pub syntax: Syntax,
    /// Where it stands.
    pub placement: Placement,
    /// Byte offset of its first character in the text.
    #[serde(skip)]
    pub start: usize,
    /// Byte offset just past its last character.
    #[serde(skip)]
    pub end: usize,
}

/// What [`parse`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    /// The variables, in order.
    pub variables: Vec<Variable>,
    /// Braces that make no variable: each as written (up to a few
    /// characters), with its byte offset.
    pub broken: Vec<(usize, String)>,
    /// `#name#` spans read as text (when hash variables are off).
    pub hash_like: Vec<String>,
}

/// Find the variables of `text`: `${name}`, `{name}`, `{{name}}`, and
/// `#name#` when `hash_variables`.
pub fn parse(text: &str, hash_variables: bool) -> Parsed {
    let mut p = Parsed::default();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let found = if rest.starts_with("${") {
            Some((Syntax::Dollar, 2, "}"))
        } else if rest.starts_with("{{") {
            Some((Syntax::DoubleBrace, 2, "}}"))
        } else if rest.starts_with('{') {
            Some((Syntax::Brace, 1, "}"))
        } else if rest.starts_with('#') {
            Some((Syntax::Hash, 1, "#"))
        } else {
            None
        };
        let Some((syntax, open, close)) = found else {
            let c = rest.chars().next().unwrap_or(' ');
            if c == '}' {
                p.broken.push((i, "}".into()));
            }
            i += c.len_utf8();
            continue;
        };
        let inner = &rest[open..];
        let name = inner.find(close).map(|at| &inner[..at]);
        let valid = name.filter(|n| match syntax {
            Syntax::Hash => hash_name(n),
            _ => brace_name(n),
        });
        match (syntax, valid) {
            (Syntax::Hash, Some(name)) if !hash_variables => {
                p.hash_like.push(format!("#{name}#"));
                i += 1 + name.len() + 1;
            }
            (_, Some(name)) => {
                let len = open + name.len() + close.len();
                p.variables.push(Variable {
                    name: name.to_string(),
                    written: rest[..len].to_string(),
                    syntax,
                    placement: Placement::Middle,
                    start: i,
                    end: i + len,
                });
                i += len;
            }
            (Syntax::Hash, None) => i += 1,
            (_, None) => {
                let shown: String = rest.chars().take(6).collect();
                p.broken.push((i, shown));
                i += open;
            }
        }
    }
    for v in &mut p.variables {
        v.placement = placement(text, v);
    }
    p
}

/// A name between braces: 1 to [`MAX_NAME_CHARS`] characters, no white
/// space, control character, brace, `$`, `#` or `|`.
fn brace_name(n: &str) -> bool {
    (1..=MAX_NAME_CHARS).contains(&n.chars().count())
        && n.chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"{}$#|".contains(c))
}

/// A name between `#`s: 1 to 16 letters, digits, CJK characters or `_`.
fn hash_name(n: &str) -> bool {
    (1..=16).contains(&n.chars().count())
        && n.chars().all(|c| {
            c == '_'
                || matches!(
                    class(c),
                    CharClass::Cjk | CharClass::Letter | CharClass::Digit
                )
        })
}

/// Whether `s` holds only punctuation and white space.
fn only_marks(s: &str) -> bool {
    s.chars()
        .all(|c| matches!(class(c), CharClass::Punct | CharClass::Space))
}

fn placement(text: &str, v: &Variable) -> Placement {
    let (before, after) = (&text[..v.start], &text[v.end..]);
    if before.trim().is_empty() {
        Placement::Start
    } else if after.trim().is_empty() {
        Placement::End
    } else if only_marks(before) {
        Placement::Start
    } else if only_marks(after) {
        Placement::End
    } else {
        Placement::Middle
    }
}

/// How to check a template.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplateOptions {
    /// Which form of `Content` the text is for.
    pub form: Form,
    /// Recognise `#name#` as a variable too.
    pub hash_variables: bool,
    /// The longest value the variable will take, read in its place for the
    /// estimate; `None`: the estimate leaves the variable out (and says so).
    pub param_max: Option<String>,
    /// Speech rate and margin of the estimate.
    pub estimate: EstimateOptions,
}

/// One finding about one template: a [`crate::spec::Problem`] in the
/// template vocabulary.
pub type Problem = crate::spec::Problem<Code>;

/// What [`check`] found about one template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateReport {
    /// Where it came from (`templates.txt:3`), when the caller says.
    pub source: Option<String>,
    /// The text as given.
    pub text: String,
    /// The form it was checked for.
    pub form: Form,
    /// Pass, warn or fail.
    pub verdict: Verdict,
    /// Its variables.
    pub variables: Vec<Variable>,
    /// Its problems, errors and warnings.
    pub problems: Vec<Problem>,
    /// The value read in the variable's place for the estimate.
    pub param_max: Option<String>,
    /// How long it takes to read, and its units; `None` for an empty text.
    pub estimate: Option<Estimate>,
}

impl TemplateReport {
    /// The same report, saying where the text came from.
    pub fn with_source(mut self, source: impl Into<String>) -> TemplateReport {
        self.source = Some(source.into());
        self
    }
}

/// `…` after the first `n` characters of `s`, when it has more.
fn head(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

/// `…` before the last `n` characters of `s`, when it has more.
fn tail(s: &str, n: usize) -> String {
    let count = s.chars().count();
    let mut out = String::new();
    if count > n {
        out.push('…');
    }
    out.extend(s.chars().skip(count.saturating_sub(n)));
    out
}

/// Check `text` as a template for `opts.form`, and estimate how long it
/// takes to read.
pub fn check(text: &str, opts: &TemplateOptions) -> TemplateReport {
    let mut problems = Vec::new();
    let mut variables = Vec::new();
    let param = opts.param_max.as_deref().filter(|p| !p.is_empty());
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        problems.push(Problem::new(
            Code::ControlCharacter,
            format!(
                "the text holds the control character U+{:04X}; a template is one line of \
                 plain text",
                u32::from(c)
            ),
        ));
    }
    let spoken = if text.trim().is_empty() {
        problems.push(Problem::new(
            Code::EmptyTemplate,
            "the text is empty: there is nothing to read",
        ));
        None
    } else if opts.form == Form::Code {
        if !is_verification_code(text) {
            problems.push(Problem::new(
                Code::NotVerificationCode,
                format!(
                    "{text:?} is not a verification code: the provider reads 4 to 6 digits (0-9)"
                ),
            ));
        }
        if param.is_some() {
            problems.push(Problem::new(
                Code::ParamWithoutVariable,
                "a verification code has no variable; the value given for it is not read",
            ));
        }
        // Read digit by digit, in the provider's words (not counted).
        Some(Reading {
            syllables: text.chars().count() as u64,
            ..Reading::default()
        })
    } else {
        let parsed = parse(text, opts.hash_variables);
        rules(text, &parsed, param, &mut problems);
        variables = parsed.variables;
        // The variable read as its longest value, or left out.
        let mut filled = String::with_capacity(text.len());
        let mut at = 0;
        for v in &variables {
            filled.push_str(&text[at..v.start]);
            filled.push_str(param.unwrap_or(""));
            at = v.end;
        }
        filled.push_str(&text[at..]);
        Some(read(&filled))
    };
    let estimate = spoken.map(|r| estimate(r, &opts.estimate));
    if let Some(e) = estimate.as_ref().filter(|e| e.near_boundary) {
        let other = if e.units_if_slower != e.billing_units {
            e.units_if_slower
        } else {
            e.units_if_faster
        };
        problems.push(Problem::new(
            Code::NearUnitBoundary,
            format!(
                "the estimate, {:.1} s, is within {:.0} % of the {} s boundary: a call may be \
                 billed {other} unit(s) instead of {}",
                e.seconds,
                opts.estimate.margin * 100.0,
                nearest_boundary(e.seconds),
                e.billing_units
            ),
        ));
    }
    TemplateReport {
        source: None,
        text: text.to_string(),
        form: opts.form,
        verdict: Verdict::from_problems(&problems),
        variables,
        problems,
        param_max: param.map(str::to_string),
        estimate,
    }
}

/// The rules of a notice's text and its variable.
fn rules(text: &str, parsed: &Parsed, param: Option<&str>, problems: &mut Vec<Problem>) {
    for (_, shown) in &parsed.broken {
        problems.push(Problem::new(
            Code::BrokenVariable,
            format!(
                "{shown:?} looks like a broken variable: a variable is written ${{name}}, \
                 {{name}} or {{{{name}}}}, with its braces closed and a name of 1 to \
                 {MAX_NAME_CHARS} characters; TTS would read the braces as text"
            ),
        ));
    }
    if text.contains('|') {
        problems.push(Problem::new(
            Code::SeparatorInText,
            "'|' in the text: it separates the fields of a request (APPID|模板ID|参数), so a \
             filed text should not hold it, and TTS reads it as nothing or as a word",
        ));
    }
    let vars = &parsed.variables;
    if vars.len() > 1 {
        let names: Vec<&str> = vars.iter().map(|v| v.written.as_str()).collect();
        problems.push(Problem::new(
            Code::TooManyVariables,
            format!(
                "{} variables ({}); the provider allows one, at the very start or the very end",
                vars.len(),
                names.join(", ")
            ),
        ));
    }
    if let [v] = vars.as_slice() {
        let (before, after) = (&text[..v.start], &text[v.end..]);
        match v.placement {
            Placement::Middle => {
                let hint = if before.chars().count() <= 4 {
                    format!(
                        "; even a short greeting like {:?} before it counts, the document \
                         says the very start (最前): begin with {} or end with it",
                        before.trim(),
                        v.written
                    )
                } else {
                    format!("; begin the text with {} or end it with it", v.written)
                };
                problems.push(Problem::new(
                    Code::VariableInMiddle,
                    format!(
                        "the variable {} has \"{}\" before it and \"{}\" after it; the \
                         provider allows it only at the very start or the very end of the \
                         text{hint}",
                        v.written,
                        tail(before.trim_start(), 6),
                        head(after.trim_end(), 6)
                    ),
                ));
            }
            Placement::Start if !before.trim().is_empty() => {
                problems.push(Problem::new(
                    Code::VariableNearEdge,
                    format!(
                        "only {:?} stands before the variable {}; the document asks for the \
                         very start: drop it, or check with the provider",
                        before.trim(),
                        v.written
                    ),
                ));
            }
            Placement::End if !after.trim().is_empty() => {
                problems.push(Problem::new(
                    Code::VariableNearEdge,
                    format!(
                        "only {:?} follows the variable {}; the document asks for the very \
                         end: drop it, or check with the provider",
                        after.trim(),
                        v.written
                    ),
                ));
            }
            _ => {}
        }
    }
    for h in &parsed.hash_like {
        problems.push(Problem::new(
            Code::HashLikeVariable,
            format!(
                "{h} looks like a #name# variable (Yunpian, Chuanglan style); it is read as \
                 text unless hash variables are recognised"
            ),
        ));
    }
    match param.map(|p| (p, field_fault(p))) {
        Some((p, Some(FieldFault::Separator))) => problems.push(Problem::new(
            Code::ParamSeparator,
            format!("the variable's value {p:?} holds '|', which would split the request's fields"),
        )),
        Some((p, Some(FieldFault::Control))) => problems.push(Problem::new(
            Code::ParamControlCharacter,
            format!("the variable's value {p:?} holds a control character"),
        )),
        _ => {}
    }
    if param.is_some() && vars.is_empty() {
        problems.push(Problem::new(
            Code::ParamWithoutVariable,
            "a value for the variable was given, but the text has no variable: it is not read",
        ));
    }
    if param.is_none() && !vars.is_empty() {
        problems.push(Problem::new(
            Code::VariableNotEstimated,
            format!(
                "the estimate leaves out {}: its longest value was not given",
                vars.iter()
                    .map(|v| v.written.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
}

#[cfg(test)]
mod tests;
