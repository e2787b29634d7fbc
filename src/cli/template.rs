//! `voxprep template check`: TTS template texts against the provider's
//! rules, with an estimate of how long each takes to read and its billing
//! units. The template arguments (`TEXT` or `@FILE`) and the estimate's
//! flags are shared with `voxprep cost --template`.

use super::format::Format;
use super::{EXIT_FAIL, EXIT_OK};
use anyhow::{Context, bail};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use voxprep::spec::Verdict;
use voxprep::template::{self, EstimateOptions, Form, TemplateOptions, TemplateReport};

/// `voxprep template ...`.
#[derive(Debug, clap::Subcommand)]
pub enum TemplateCommand {
    /// Check TTS template texts against the provider's rules (one variable,
    /// at the very start or end) and estimate each one's spoken duration
    /// and billing units.
    #[command(after_help = super::help::TEMPLATE_CHECK)]
    Check(TemplateCheckArgs),
}

/// What the estimate of a template's duration needs; shared with `cost`.
#[derive(Debug, clap::Args)]
pub struct EstimateArgs {
    /// The longest value the variable will take (a name: 张三丰), read in
    /// its place for the estimate. Without it the estimate leaves the
    /// variable out, and says so.
    #[arg(long, value_name = "VALUE")]
    pub param_max: Option<String>,
    /// Speech rate of the estimate, in syllables (CJK characters) per
    /// second, 1 to 15.
    #[arg(long, value_name = "CHARS_PER_S", default_value_t = template::DEFAULT_RATE, value_parser = tts_rate)]
    pub tts_rate: f64,
    /// Recognise #name# as a variable too (Yunpian, Chuanglan style). Off by
    /// default: # is also a key (请按#号键).
    #[arg(long)]
    pub hash_variables: bool,
}

impl EstimateArgs {
    /// The library's options for `form`.
    pub fn options(&self, form: Form) -> TemplateOptions {
        TemplateOptions {
            form,
            hash_variables: self.hash_variables,
            param_max: self.param_max.clone(),
            estimate: EstimateOptions {
                rate: self.tts_rate,
                ..EstimateOptions::default()
            },
        }
    }
}

/// A speech rate, in syllables per second.
fn tts_rate(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    if v.is_finite() && template::RATES.contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "a rate between {} and {} syllables a second",
            template::RATES.start(),
            template::RATES.end()
        ))
    }
}

/// Which form of `Content` the texts are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FormArg {
    /// 【语音通知】APPID|模板ID|参数: a filed text read by TTS.
    #[default]
    Notice,
    /// 【语音通知按键】...: the same, taking key presses.
    Keypress,
    /// 【语音验证码】1234: the text is the code, 4 to 6 digits.
    Code,
}

impl From<FormArg> for Form {
    fn from(f: FormArg) -> Form {
        match f {
            FormArg::Notice => Form::Notice,
            FormArg::Keypress => Form::Keypress,
            FormArg::Code => Form::Code,
        }
    }
}

/// Arguments of `voxprep template check`.
#[derive(Debug, clap::Args)]
pub struct TemplateCheckArgs {
    /// Template texts, or @FILE: a UTF-8 file of templates, one per
    /// non-empty line (a byte-order mark is ignored).
    #[arg(value_name = "TEXT|@FILE", required = true)]
    pub texts: Vec<String>,
    /// The estimate.
    #[command(flatten)]
    pub estimate: EstimateArgs,
    /// The form the texts are sent in.
    #[arg(long, value_enum, default_value_t = FormArg::Notice)]
    pub form: FormArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// A template text and where it came from (`templates.txt:3`; `None` for
/// one given on the command line).
pub type Source = (Option<String>, String);

/// The templates of `args`: each `TEXT` as it is, each `@FILE`'s non-empty
/// lines.
///
/// # Errors
/// A file that cannot be read, is not UTF-8, or holds no template.
pub fn load(args: &[String]) -> anyhow::Result<Vec<Source>> {
    let mut out = Vec::new();
    for a in args {
        let Some(path) = a.strip_prefix('@') else {
            out.push((None, a.clone()));
            continue;
        };
        let text = read_file(Path::new(path))?;
        let before = out.len();
        for (n, line) in text.lines().enumerate() {
            if !line.trim().is_empty() {
                out.push((Some(format!("{path}:{}", n + 1)), line.to_string()));
            }
        }
        if out.len() == before {
            bail!("{path}: no template in it (one per non-empty line)");
        }
    }
    Ok(out)
}

fn read_file(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read templates from {}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 (at byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}

/// Check every template of `sources`.
pub fn check_all(sources: &[Source], opts: &TemplateOptions) -> Vec<TemplateReport> {
    sources
        .iter()
        .map(|(source, text)| {
            let r = template::check(text, opts);
            match source {
                Some(s) => r.with_source(s.clone()),
                None => r,
            }
        })
        .collect()
}

/// 1 when a template fails, else 0.
pub fn exit_code(reports: &[TemplateReport]) -> u8 {
    if reports.iter().any(|r| r.verdict == Verdict::Fail) {
        EXIT_FAIL
    } else {
        EXIT_OK
    }
}

/// Run `voxprep template`.
pub fn run(cmd: TemplateCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        TemplateCommand::Check(args) => {
            let sources = load(&args.texts)?;
            let opts = args.estimate.options(args.form.into());
            let reports = check_all(&sources, &opts);
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            super::render::template::write(&reports, args.format, &mut out)
                .and_then(|()| out.flush())
                .context("cannot write the report")?;
            Ok(ExitCode::from(exit_code(&reports)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Args, Command};
    use super::*;
    use clap::Parser;

    fn check(args: &[&str]) -> Result<TemplateCheckArgs, clap::Error> {
        let mut all = vec!["voxprep", "template", "check"];
        all.extend_from_slice(args);
        Args::try_parse_from(all).map(|a| match a.command {
            Command::Template(TemplateCommand::Check(c)) => c,
            _ => unreachable!(),
        })
    }

    #[test]
    fn parses() {
        let a = check(&["${name}您好"]).unwrap();
        assert_eq!(a.estimate.tts_rate, template::DEFAULT_RATE);
        assert_eq!((a.form, a.format), (FormArg::Notice, Format::Human));
        assert!(!a.estimate.hash_variables);
        let a = check(&[
            "a",
            "@b.txt",
            "--param-max",
            "张三丰",
            "--tts-rate",
            "5",
            "--form",
            "code",
            "--format",
            "json",
            "--hash-variables",
        ])
        .unwrap();
        assert_eq!(a.texts, ["a", "@b.txt"]);
        assert_eq!(a.estimate.param_max.as_deref(), Some("张三丰"));
        assert_eq!(a.estimate.tts_rate, 5.0);
        assert_eq!(a.form, FormArg::Code);
        assert!(a.estimate.hash_variables);
        assert!(check(&[]).is_err(), "a text is required");
        for bad in ["0", "16", "x", "nan"] {
            assert!(check(&["a", "--tts-rate", bad]).is_err(), "{bad}");
        }
        assert!(check(&["a", "--form", "file"]).is_err());
    }

    #[test]
    fn files_hold_a_template_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.txt");
        std::fs::write(&path, "\u{feff}${name}您好\r\n\r\n  \n您好${name}\n").unwrap();
        let arg = format!("@{}", path.display());
        let got = load(&[arg, "直接".into()]).unwrap();
        let p = path.display().to_string();
        assert_eq!(
            got,
            [
                (Some(format!("{p}:1")), "${name}您好".to_string()),
                (Some(format!("{p}:4")), "您好${name}".to_string()),
                (None, "直接".to_string()),
            ]
        );
        std::fs::write(&path, "\n \n").unwrap();
        let e = load(&[format!("@{p}")]).unwrap_err();
        assert!(e.to_string().contains("no template"), "{e}");
        std::fs::write(&path, b"\xff\xfe").unwrap();
        assert!(load(&[format!("@{p}")]).is_err());
        assert!(load(&[format!("@{p}.missing")]).is_err());
    }
}
