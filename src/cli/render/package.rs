//! `voxprep package`: what went into the package, what is missing, and the
//! manifest's totals; or the whole [`Package`] as JSON.

use super::super::format::Format;
use super::super::paint::{Tone, paint, verdict};
use super::{secs, shown, units};
use std::io::{self, Write};
use voxprep::filing::{Action, Package};
use voxprep::spec::Severity;

/// Write `p` as `format` asks (CSV is refused before the work).
pub fn write(p: &Package, format: Format, w: &mut impl Write) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *w, p)?;
            writeln!(w)
        }
        _ => human(p, w),
    }
}

/// The longest part of a text shown on a recording's line.
const TEXT_SHOWN: usize = 40;

fn human(p: &Package, w: &mut impl Write) -> io::Result<()> {
    for r in &p.recordings {
        let (word, tone) = match (r.action, r.has_errors()) {
            (Action::Left, _) => ("left", Tone::Bad),
            (_, true) => ("incomplete", Tone::Bad),
            (Action::Copied, false) => ("copied", Tone::Good),
            (Action::Converted, false) => ("converted", Tone::Good),
        };
        let text = match &r.text {
            Some(t) => {
                let one_line = t.replace('\n', " ");
                let mut s: String = one_line.chars().take(TEXT_SHOWN).collect();
                if one_line.chars().count() > TEXT_SHOWN {
                    s.push('…');
                }
                shown(&s)
            }
            None => paint("(no text)", Tone::Bad),
        };
        let (dur, u) = match &r.filed {
            Some(f) => (secs(Some(f.duration_s)), units(Some(f.billing_units))),
            None => ("-".to_string(), "-".to_string()),
        };
        writeln!(
            w,
            "{}  {:>10}  {:>8}  {}  {}",
            paint(&format!("{word:<10}"), tone),
            dur,
            u,
            shown(&r.name),
            text
        )?;
    }
    let findings: Vec<_> = p.all_findings().collect();
    if !findings.is_empty() {
        writeln!(w)?;
        for f in &findings {
            // The library names its option; the command line names its flag.
            let message = f.message.replace("the name policy \"any\"", "--names any");
            writeln!(
                w,
                "{} {:<16} {}: {}",
                verdict(&format!("{:<7}", f.severity.as_str())),
                f.code.as_str(),
                shown(&f.subject),
                shown(&message)
            )?;
        }
    }
    let t = &p.totals;
    let copied = p
        .recordings
        .iter()
        .filter(|r| r.action == Action::Copied)
        .count();
    let converted = p
        .recordings
        .iter()
        .filter(|r| r.action == Action::Converted)
        .count();
    let left = p
        .recordings
        .iter()
        .filter(|r| r.action == Action::Left)
        .count();
    writeln!(w)?;
    writeln!(
        w,
        "{} recording(s) in {}: {copied} copied, {converted} converted{}; {} in all, {} per call",
        t.recordings,
        shown(&p.outdir.display().to_string()),
        if left > 0 {
            format!(", {left} left out")
        } else {
            String::new()
        },
        secs(Some(t.duration_s)),
        units(Some(t.billing_units))
    )?;
    let files: Vec<String> = p
        .manifest_files
        .iter()
        .map(|f| shown(&f.display().to_string()))
        .collect();
    writeln!(w, "manifest: {}", files.join(", "))?;
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    if errors > 0 {
        writeln!(
            w,
            "{}: {errors} error(s), {warnings} warning(s); the package is not ready to file",
            paint("incomplete", Tone::Bad)
        )
    } else if warnings > 0 {
        writeln!(
            w,
            "{}: {warnings} warning(s) to look at",
            paint("ready", Tone::Warn)
        )
    } else {
        writeln!(w, "{}", paint("ready to file", Tone::Good))
    }
}
