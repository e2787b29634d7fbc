//! `voxprep check --format html`: one self-contained page (inline CSS and
//! script, no network) for the people who review a prompt library: the
//! summary and the money on top, the loudness spread, then a row per file
//! with its verdict, figures, problems and a waveform thumbnail.
//!
//! Rows are written as HTML (the page reads without its script); the
//! thumbnails travel as two characters a bin ([`wave::encode`]) and are
//! drawn on a canvas when their row comes into view, so that 5,000 rows
//! open quickly. The script also sorts and filters.

mod text;
mod wave;

use super::check::{Outputs, fix_words};
use super::{secs, units};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use text::{absolute, esc, relative_link};
use voxprep::check::FileReport;
use voxprep::cost::{self, CostReport};
use voxprep::report::{LOUDNESS_SPREAD_LU, Report, Summary};
use voxprep::signal::Thresholds;
use voxprep::spec::{Severity, Verdict};

/// Bins of a thumbnail when `--envelope` does not say: one a pixel of its
/// width in the page.
pub const THUMBNAIL_BINS: usize = 200;

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// What the page needs besides the report.
pub struct Page<'a> {
    /// What was checked, as given on the command line.
    pub inputs: &'a [PathBuf],
    /// The thresholds the check used (the thumbnails mark the silence one).
    pub thresholds: &'a Thresholds,
    /// The folder relative paths of the report start from (absolute).
    pub cwd: &'a Path,
    /// The folder the page will be in (absolute): links start there.
    pub base: &'a Path,
    /// The report priced, when a price was given.
    pub cost: Option<&'a CostReport>,
}

/// The folder a page written to `output` is in, absolute (`cwd` is where
/// a relative `output` starts).
pub fn folder_of(cwd: &Path, output: &Path) -> PathBuf {
    let mut page = absolute(cwd, output);
    page.pop();
    page
}

/// Write the page.
pub fn write(
    report: &Report,
    summary: &Summary,
    page: &Page,
    w: &mut impl Write,
) -> io::Result<()> {
    let mut html = String::with_capacity(4096 + 1200 * report.files.len());
    head(&mut html, summary, page);
    cards(&mut html, summary, page);
    loudness(&mut html, report, summary);
    controls(&mut html, report, summary);
    rows(&mut html, report, summary, page);
    html.push_str("<script>");
    html.push_str(SCRIPT);
    html.push_str("</script>\n</body>\n</html>\n");
    w.write_all(html.as_bytes())
}

/// `write!` into a `String`, which cannot fail.
macro_rules! put {
    ($s:expr, $($arg:tt)*) => {
        write!($s, $($arg)*).expect("a String takes any write")
    };
}

fn head(html: &mut String, summary: &Summary, page: &Page) {
    let inputs: Vec<String> = page
        .inputs
        .iter()
        .map(|p| esc(&p.to_string_lossy()))
        .collect();
    let inputs = match inputs.is_empty() {
        true => ".".to_string(),
        false => inputs.join(" "),
    };
    put!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; media-src *; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>voxprep check: {} file(s), {} fail</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header>\n<h1>Voice prompt check <small>{} file(s) in <code>{inputs}</code></small></h1>\n\
         <p class=\"what\">Checked by voxprep {} against the QXT voice platform's rules: \
         16-bit mono PCM WAV at 8000 or 11025 Hz, or Dialogic VOX at 8000 Hz; \
         each call billed per started 12 seconds.</p>\n",
        summary.files,
        summary.fail,
        summary.files,
        env!("CARGO_PKG_VERSION"),
    );
}

/// A figure's whole part in groups of three: `1,234,567.89`.
fn grouped(figure: &str) -> String {
    let (whole, rest) = figure.split_at(figure.find('.').unwrap_or(figure.len()));
    let digits: Vec<char> = whole.chars().collect();
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) && c.is_ascii_digit() {
            out.push(',');
        }
        out.push(*c);
    }
    out + rest
}

/// `1 h 02 min 03.5 s`, `2 min 05.0 s`, `7.250 s`.
fn long_duration(s: f64) -> String {
    let whole = s.max(0.0);
    let h = (whole / 3600.0).floor();
    let m = ((whole - h * 3600.0) / 60.0).floor();
    let rest = whole - h * 3600.0 - m * 60.0;
    match (h > 0.0, m > 0.0) {
        (true, _) => format!("{h:.0} h {m:02.0} min {rest:04.1} s"),
        (false, true) => format!("{m:.0} min {rest:04.1} s"),
        _ => format!("{rest:.3} s"),
    }
}

fn cards(html: &mut String, s: &Summary, page: &Page) {
    html.push_str("<section class=\"cards\" aria-label=\"summary\">\n");
    for (verdict, n, what) in [
        (Verdict::Fail, s.fail, "the provider refuses these"),
        (Verdict::Warn, s.warn, "they play, but something is off"),
        (Verdict::Pass, s.pass, "ready"),
    ] {
        let v = verdict.as_str();
        put!(
            html,
            "<div class=\"card {v}\"><span class=\"n\" id=\"n-{v}\">{n}</span>\
             <span class=\"l\"><b>{}</b> {what}</span></div>\n",
            v.to_uppercase()
        );
    }
    put!(
        html,
        "<div class=\"card\"><span class=\"n\" id=\"n-units\">{}</span>\
         <span class=\"l\"><b>billing units</b> per call, one call of each prompt \
         ({} in all)</span></div>\n",
        s.total_billing_units,
        long_duration(s.total_duration_s)
    );
    match page.cost {
        Some(c) => put!(
            html,
            "<div class=\"card money\"><span class=\"n\">¥{}</span><span class=\"l\">\
             <b>for {} call(s)</b> of each prompt at {} fen a unit (¥{} for one call of each)\
             </span></div>\n",
            grouped(&c.total.all_calls_yuan),
            grouped(&c.calls.to_string()),
            c.price_fen,
            grouped(&c.total.per_call_yuan)
        ),
        None => html.push_str(
            "<div class=\"card money\"><span class=\"n\">¥ ?</span><span class=\"l\">\
             <b>money</b>: give <code>--price-fen N --recipients N</code></span></div>\n",
        ),
    }
    let saving_money = page
        .cost
        .map(|c| format!(", ¥{} over all calls", grouped(&c.total.trim_saving_yuan)))
        .unwrap_or_default();
    put!(
        html,
        "<div class=\"card save\"><span class=\"n\" id=\"n-trim\">{}</span>\
         <span class=\"l\"><b>units trimming would save</b> per call{saving_money}: \
         silence at the ends that starts another 12 s</span></div>\n</section>\n",
        s.trim_saving_units
    );
    let mut notes = Vec::new();
    if s.unreadable > 0 {
        notes.push(format!(
            "{} file(s) could not be read (counted as fail)",
            s.unreadable
        ));
    }
    if s.skipped > 0 {
        notes.push(format!("{} non-audio file(s) skipped", s.skipped));
    }
    if s.files_without_duration > 0 {
        notes.push(format!(
            "{} file(s) of unknown duration are not in the totals",
            s.files_without_duration
        ));
    }
    if s.files_without_trim_saving > 0 && s.trim_saving_units > 0 {
        notes.push(format!(
            "{} file(s) whose samples were not analysed are not in the saving",
            s.files_without_trim_saving
        ));
    }
    if !notes.is_empty() {
        put!(html, "<p class=\"notes\">{}.</p>\n", esc(&notes.join("; ")));
    }
}

/// Each file's loudness, in row order (`None` where not measured).
fn lufs_of(f: &FileReport) -> Option<f64> {
    f.signal.as_ref()?.loudness_lufs
}

fn loudness(html: &mut String, report: &Report, s: &Summary) {
    let Some(l) = s.loudness else {
        html.push_str("</header>\n");
        return;
    };
    let values: Vec<f64> = report.files.iter().filter_map(lufs_of).collect();
    put!(
        html,
        "<section class=\"loudness\"><h2>Loudness</h2>{}<p>{} prompt(s) measured \
         (ITU-R BS.1770): median <b>{:.1} LUFS</b>, from {:.1} to {:.1}. \
         <b>{}</b> more than {LOUDNESS_SPREAD_LU:.0} LU from the median \
         (a caller hears the jump between two prompts): <span class=\"sw quiet\"></span> quieter, \
         <span class=\"sw loud\"></span> louder; choose <i>loudness outlier</i> below to list them. \
         <code>voxprep convert --loudness {:.0}</code> evens them out.</p></section>\n</header>\n",
        wave::loudness_chart(&values, l.median_lufs),
        l.files,
        l.median_lufs,
        l.min_lufs,
        l.max_lufs,
        l.outliers,
        l.median_lufs,
    );
}

/// How far `f`'s loudness is from the median, LU.
fn deviation(f: &FileReport, s: &Summary) -> Option<f64> {
    Some(lufs_of(f)? - s.loudness?.median_lufs)
}

fn controls(html: &mut String, report: &Report, s: &Summary) {
    let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.files {
        let mut seen: Vec<&str> = f.problems.iter().map(|p| p.code.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        for c in seen {
            *codes.entry(c).or_default() += 1;
        }
    }
    put!(
        html,
        "<nav id=\"controls\" aria-label=\"sort and filter\">\
         <label>Verdict <select id=\"f-verdict\"><option value=\"\">all ({})</option>\
         <option value=\"fail\">fail ({})</option><option value=\"warn\">warn ({})</option>\
         <option value=\"pass\">pass ({})</option></select></label>\
         <label>Problem <select id=\"f-code\"><option value=\"\">any</option>",
        s.files,
        s.fail,
        s.warn,
        s.pass
    );
    for (code, n) in &codes {
        put!(html, "<option value=\"{code}\">{code} ({n})</option>");
    }
    if let Some(l) = s.loudness {
        put!(
            html,
            "<option value=\"~outlier\">loudness outlier ({})</option>",
            l.outliers
        );
    }
    html.push_str(
        "</select></label>\
         <label>Path <input id=\"f-path\" type=\"search\" placeholder=\"part of a path\" size=\"18\"></label>\
         <label>Sort <select id=\"sort\"><option value=\"verdict\">worst first</option>\
         <option value=\"report\">as checked</option><option value=\"path\">path</option>\
         <option value=\"dur\">longest first</option>\
         <option value=\"units\">most units first</option>",
    );
    if s.loudness.is_some() {
        html.push_str("<option value=\"lufs\">loudest first</option>");
    }
    put!(
        html,
        "</select></label><output id=\"shown\">{} of {} shown</output></nav>\n",
        s.files,
        s.files
    );
}

fn rows(html: &mut String, report: &Report, s: &Summary, page: &Page) {
    let t = page.thresholds;
    let silence = wave::height(32768.0 * 10f64.powf(t.silence_dbfs / 20.0));
    put!(
        html,
        "<p class=\"legend\"><span class=\"sw wave\"></span> waveform \
         (dark: linear; light: in dB, centre -{floor:.0} dBFS, edges full scale) \
         <span class=\"sw clip\"></span> clipped \
         <span class=\"sw thr\"></span> silence threshold ({:.0} dBFS) \
         <span class=\"sw edge\"></span> silence at the ends \
         <span class=\"sw cost\"></span> silence that costs a billing unit \
         <span class=\"sw tick\"></span> each 12 s billing unit</p>\n\
         <main id=\"rows\" data-th=\"{silence:.3}\" data-floor=\"{floor}\">\n",
        t.silence_dbfs,
        floor = wave::FLOOR_DB,
    );
    // The fix lines claim their output names in report order, as in the
    // other formats; the rows come worst first (fail, warn, pass), each
    // verdict in report order, which the sort menu's first choice restores.
    let mut outputs = Outputs::default();
    let mut written: Vec<(u8, String)> = report
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut one = String::new();
            row(&mut one, i, f, s, page, &mut outputs);
            (rank(f.verdict), one)
        })
        .collect();
    written.sort_by_key(|(rank, _)| *rank);
    for (_, one) in written {
        html.push_str(&one);
    }
    html.push_str("</main>\n");
}

/// Fail first, then warn, then pass.
fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Fail => 0,
        Verdict::Warn => 1,
        Verdict::Pass => 2,
    }
}

/// Containers a browser plays, by the check's name for them (WAV only as
/// PCM or float: no browser plays VOX, µ-law WAV only some).
fn playable(f: &FileReport) -> bool {
    match f.container.as_deref() {
        Some("wav") => matches!(f.format_tag, Some(1 | 3 | 0xFFFE)),
        Some(c) => matches!(c, "mp3" | "vorbis" | "opus" | "flac" | "m4a" | "aac"),
        None => false,
    }
}

fn row(
    html: &mut String,
    i: usize,
    f: &FileReport,
    s: &Summary,
    page: &Page,
    outputs: &mut Outputs,
) {
    let v = f.verdict.as_str();
    let shown_path = esc(&f.path.to_string_lossy());
    let codes: Vec<&str> = f.problems.iter().map(|p| p.code.as_str()).collect();
    let deviation = deviation(f, s);
    let is_outlier = deviation.is_some_and(|d| d.abs() > LOUDNESS_SPREAD_LU);
    put!(
        html,
        "<div class=\"r\" id=\"r{i}\" data-i=\"{i}\" data-v=\"{v}\" data-c=\"{}{}\" data-p=\"{shown_path}\" \
         data-d=\"{}\" data-u=\"{}\" data-l=\"{}\">",
        codes.join(" "),
        if is_outlier { " ~outlier" } else { "" },
        f.duration_s.unwrap_or(-1.0),
        f.billing_units.map_or(-1, |u| u as i64),
        lufs_of(f).unwrap_or(-999.0),
    );
    put!(html, "<span class=\"b {v}\">{}</span>", v.to_uppercase());
    thumbnail(html, f);
    html.push_str("<div class=\"m\"><div class=\"p\">");
    if f.path == Path::new("-") {
        put!(html, "<span>{shown_path}</span> (standard input)");
    } else {
        let href = relative_link(page.base, &absolute(page.cwd, &f.path));
        // The folder dimmed, the name stands out.
        let name = f.path.file_name().map(|n| esc(&n.to_string_lossy()));
        match name.filter(|n| shown_path.ends_with(n.as_str()) && n.len() < shown_path.len()) {
            Some(n) => put!(
                html,
                "<a href=\"{href}\"><span class=\"d\">{}</span>{n}</a>",
                &shown_path[..shown_path.len() - n.len()]
            ),
            None => put!(html, "<a href=\"{href}\">{shown_path}</a>"),
        }
        if playable(f) {
            html.push_str(" <button class=\"play\" type=\"button\">▶ play</button>");
        }
    }
    html.push_str("</div><div class=\"f\">");
    figures(html, f, deviation, is_outlier);
    html.push_str("</div>");
    if !f.problems.is_empty() {
        html.push_str("<ul>");
        for p in &f.problems {
            let sev = p.severity.as_str();
            let class = match p.severity {
                Severity::Error => "e",
                _ => "w",
            };
            put!(
                html,
                "<li class=\"{class}\"><i>{sev}</i> <code>{}</code> {}</li>",
                p.code.as_str(),
                esc(&p.message)
            );
        }
        html.push_str("</ul>");
    }
    if let Some(fix) = fix_words(f, outputs) {
        put!(html, "<div class=\"x\">{}</div>", esc(&fix));
    }
    html.push_str("</div></div>\n");
}

/// The figures line: duration, units, format, levels, loudness, edges.
fn figures(html: &mut String, f: &FileReport, deviation: Option<f64>, is_outlier: bool) {
    let mut parts = match f.duration_s {
        Some(d) => vec![secs(Some(d)), units(f.billing_units)],
        None => vec!["duration unknown".to_string()],
    };
    let mut format = Vec::new();
    if let Some(c) = &f.container {
        format.push(c.to_uppercase());
    }
    if let Some(r) = f.sample_rate {
        format.push(format!("{r} Hz"));
    }
    if let Some(b) = f.bits_per_sample {
        format.push(format!("{b}-bit"));
    }
    match f.channels {
        Some(1) => format.push("mono".into()),
        Some(n) => format.push(format!("{n} ch")),
        None => {}
    }
    if !format.is_empty() {
        parts.push(format.join(" "));
    }
    if let Some(sig) = &f.signal {
        match (sig.peak_dbfs, sig.rms_dbfs) {
            (Some(p), Some(r)) => parts.push(format!("peak {p:.1} dBFS, RMS {r:.1} dBFS")),
            _ => parts.push("digital silence".into()),
        }
        if let Some(l) = sig.loudness_lufs {
            let d = deviation.map_or(String::new(), |d| format!(" ({d:+.1} LU)"));
            let mark = if is_outlier {
                " <b>loudness outlier</b>"
            } else {
                ""
            };
            parts.push(format!("{l:.1} LUFS{d}{mark}"));
        }
        if sig.silent {
            parts.push("silent throughout".into());
        } else if sig.leading_silence_s >= 0.1 || sig.trailing_silence_s >= 0.1 {
            let mut edge = format!(
                "silent ends {:.2} s + {:.2} s",
                sig.leading_silence_s, sig.trailing_silence_s
            );
            if let Some(u) = cost::trim_saving(f).filter(|u| u.0 > 0) {
                edge.push_str(&format!(
                    ": <b>trimming both ends saves {}</b>",
                    units(Some(u.0))
                ));
            }
            parts.push(edge);
        }
    }
    html.push_str(&parts.join(" · "));
}

/// The thumbnail: a canvas with the envelope and its marks as data, or a
/// note saying why there is none.
fn thumbnail(html: &mut String, f: &FileReport) {
    let sig = f.signal.as_ref();
    let Some((sig, e)) = sig.and_then(|s| Some((s, s.envelope.as_ref()?))) else {
        let why = match f.signal {
            Some(_) => "no waveform",
            None if f.is_unreadable() => "could not be read",
            None => "not analysed: not a format the provider plays",
        };
        put!(html, "<span class=\"nw\">{why}</span>");
        return;
    };
    let width = e.samples_per_bin.max(1) as f64;
    let lead = sig.exact.leading as f64 / width;
    let trail = sig.exact.trailing as f64 / width;
    let costly = cost::trim_saving(f).is_some_and(|u| u.0 > 0);
    // Bins of one 12-second billing unit, for the ticks.
    let unit = f64::from(sig.exact.rate) * 12.0 / width;
    put!(
        html,
        "<canvas width=\"{THUMBNAIL_BINS}\" height=\"48\" role=\"img\" aria-label=\"waveform\" \
         data-e=\"{}\" data-k=\"{}\" data-a=\"{lead:.1}\" data-z=\"{trail:.1}\" data-s=\"{}\" \
         data-t=\"{unit:.1}\"></canvas>",
        wave::encode(e),
        wave::ranges(&e.clipped),
        u8::from(costly),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use voxprep::spec::{Code, Problem};

    fn page_of(report: &Report, cost: Option<&CostReport>) -> String {
        let t = Thresholds::default();
        let page = Page {
            inputs: &[PathBuf::from("prompts")],
            thresholds: &t,
            cwd: Path::new("/lib"),
            base: Path::new("/lib/out"),
            cost,
        };
        let mut out = Vec::new();
        write(report, &report.summary().unwrap(), &page, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn hostile_names_and_messages_are_escaped_and_linked() {
        let mut f = FileReport::new("a/<img src=x onerror=alert(1)>&\"'\u{1b}.wav");
        f.verdict = Verdict::Fail;
        f.container = Some("wav".into());
        f.format_tag = Some(1);
        f.problems
            .push(Problem::new(Code::NotPcm, "tag <0x55> & \"more\""));
        let report = Report {
            files: vec![f],
            skipped: 0,
        };
        let html = page_of(&report, None);
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;\\u{1b}.wav"));
        assert!(
            html.contains(
                "href=\"../a/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%26%22%27%1B.wav\""
            ),
            "{html}"
        );
        assert!(html.contains("tag &lt;0x55&gt; &amp; &quot;more&quot;"));
        assert!(html.contains("class=\"play\""), "a PCM WAV plays");
    }

    #[test]
    fn the_summary_counts_and_the_money() {
        let report = super::super::check::tests::sample();
        let summary = report.summary().unwrap();
        let priced = cost::cost_report(&report.files, voxprep::billing::Fen(12), 1000, 1).unwrap();
        let html = page_of(&report, Some(&priced));
        assert!(html.contains("id=\"n-pass\">1<"));
        assert!(html.contains("id=\"n-warn\">1<"));
        assert!(html.contains("id=\"n-fail\">1<"));
        assert!(html.contains(&format!("id=\"n-units\">{}<", summary.total_billing_units)));
        // 3 units x 12 fen x 1000 calls = 360 yuan.
        assert!(html.contains("¥360.00"), "{html}");
        assert!(html.contains("1,000 call(s)"), "{html}");
        assert_eq!(html.matches("<div class=\"r\"").count(), 3);
        // Neither an MP3 that is not analysed nor a WAV without an envelope
        // gets a canvas.
        assert!(!html.contains("<canvas"));
        assert!(html.contains("not analysed"));
        assert!(!html.contains("loudness outlier"));
        let html = page_of(&report, None);
        assert!(html.contains("--price-fen"));
    }

    #[test]
    fn an_analysed_file_has_a_thumbnail_with_its_marks() {
        use voxprep::signal::SignalAnalyser;
        let t = Thresholds::default();
        let mut x = vec![0i16; 16_000];
        x.extend((0..88_000).map(|i| if i % 40 < 20 { 32767 } else { -20_000 }));
        let mut a = SignalAnalyser::new(8000, &t).with_envelope(THUMBNAIL_BINS, Some(104_000));
        a.feed(&x);
        let mut f = FileReport::new("x.wav");
        f.signal = Some(a.finish());
        f.problems
            .push(Problem::new(Code::LeadingSilence, "2 s: 2 -> 1 units"));
        let html = page_of(
            &Report {
                files: vec![f],
                skipped: 0,
            },
            None,
        );
        let canvas = &html[html.find("<canvas").unwrap()..];
        let attr = |name: &str| {
            let at = canvas.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            &canvas[at..at + canvas[at..].find('"').unwrap()]
        };
        // 104 000 samples in 200 bins: 520 a bin; 2 s of silence = 30.8 bins.
        assert_eq!(attr("data-e").len(), 2 * 200);
        assert_eq!(attr("data-a"), "30.8");
        assert_eq!(attr("data-s"), "1");
        assert_eq!(attr("data-t"), "184.6");
        assert_eq!(attr("data-k"), "30-199");
        assert!(html.contains("trimming both ends saves 1 unit"), "{html}");
    }

    #[test]
    fn figures_are_grouped_by_thousands() {
        assert_eq!(grouped("595000.00"), "595,000.00");
        assert_eq!(grouped("1234567"), "1,234,567");
        assert_eq!(grouped("999.5"), "999.5");
        assert_eq!(grouped("0.10"), "0.10");
    }

    #[test]
    fn long_durations_read_in_hours_and_minutes() {
        assert_eq!(long_duration(7.25), "7.250 s");
        assert_eq!(long_duration(125.0), "2 min 05.0 s");
        assert_eq!(long_duration(3723.5), "1 h 02 min 03.5 s");
    }
}
