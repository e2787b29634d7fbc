//! A driver for the filing package's speech-rate check, used by
//! `benches/speech-rate.sh`: the product's own code
//! ([`voxprep::filing::rate`]) on a TSV of texts and recordings.
//!
//! ```text
//! speech_rate [--words MIN MAX] [--cjk MIN MAX] [--slack S] < pairs.tsv
//! ```
//!
//! Each input line is `text<TAB>voiced seconds`, or
//! `text<TAB>duration<TAB>leading silence<TAB>trailing silence` (seconds, as
//! `voxprep check --format json` reports them; the voiced seconds are then
//! computed by [`voiced_span`]). Each output line is `cjk<TAB>words<TAB>voiced
//! seconds<TAB>rate<TAB>unit<TAB>pace<TAB>warning`, or `-` in the rate and
//! later columns when there is nothing to judge. The options override the
//! default [`Limits`], for a sweep.

use std::io::{BufRead, Write};
use voxprep::filing::rate::{Limits, RateRange, count, judge, voiced_span};

fn main() {
    if let Err(e) = run() {
        eprintln!("speech_rate: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let limits = parse_args(std::env::args().skip(1).collect())?;
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, line) in stdin.lines().enumerate() {
        let line = line.map_err(|e| e.to_string())?;
        let cols: Vec<&str> = line.split('\t').collect();
        let num = |s: &str| {
            s.trim()
                .parse::<f64>()
                .map_err(|e| format!("line {}: {s:?}: {e}", i + 1))
        };
        let voiced = match cols[..] {
            [_, v] => Some(num(v)?),
            [_, d, l, t] => voiced_span(num(d)?, num(l)?, num(t)?),
            _ => return Err(format!("line {}: expected 2 or 4 columns", i + 1)),
        };
        let n = count(cols[0]);
        let row = match voiced.and_then(|v| judge(n, v, &limits)) {
            Some(j) => format!(
                "{}\t{}\t{:.3}\t{:.3}\t{:?}\t{:?}\t{}",
                n.cjk,
                n.words,
                j.voiced_s,
                j.rate,
                j.unit,
                j.pace,
                j.warning().unwrap_or_default()
            ),
            None => format!(
                "{}\t{}\t{}\t-\t-\t-\t",
                n.cjk,
                n.words,
                voiced.map_or("-".to_string(), |v| format!("{v:.3}"))
            ),
        };
        writeln!(out, "{row}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

fn parse_args(args: Vec<String>) -> Result<Limits, String> {
    let mut limits = Limits::default();
    let mut it = args.into_iter();
    while let Some(name) = it.next() {
        let mut num = || -> Result<f64, String> {
            it.next()
                .ok_or(format!("{name}: missing value"))?
                .parse::<f64>()
                .map_err(|e| format!("{name}: {e}"))
        };
        match name.as_str() {
            "--words" => {
                limits.words_per_s = RateRange {
                    min: num()?,
                    max: num()?,
                }
            }
            "--cjk" => {
                limits.cjk_per_s = RateRange {
                    min: num()?,
                    max: num()?,
                }
            }
            "--slack" => limits.slack_s = num()?,
            _ => return Err(format!("unknown argument {name:?}")),
        }
    }
    Ok(limits)
}
