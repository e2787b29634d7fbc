//! Building a filing package: recordings made conforming, paired with their
//! texts, and listed in a manifest.
//!
//! The steps, each over all recordings before the next:
//! 1. walk the inputs: audio files are recordings, `.txt` files texts;
//! 2. check every recording (in parallel) and decide: copy it byte for byte
//!    (it conforms, and nothing asked for changes it) or convert it;
//! 3. name each output (the recording's own name when copied; its stem and
//!    the format's extension when converted) and judge the name;
//! 4. pair each recording with its text: from the table (`--texts`) first,
//!    then from the `.txt` beside it with the same stem;
//! 5. refuse the whole request, before writing anything, when an output or
//!    the manifest exists (without `force`) or would replace an input;
//! 6. copy or convert (in parallel), hash, and judge each text against its
//!    recording's speech rate;
//! 7. write `manifest.csv` and `manifest.xlsx`.
//!
//! Everything written goes through a temporary file and a rename.

use super::manifest::{self, ManifestRow};
use super::names::{NamePolicy, name_problem};
use super::texts::{self, Table, TextEncoding};
use crate::batch;
use crate::check::{CheckOptions, FileReport, Fix, check_path};
use crate::convert::{
    ConvertOptions, Level, OutputFormat, TempFile, convert_file, on_output, resolve_output,
    same_file, writable_target,
};
use crate::error::{Error, Result, Usage};
use crate::spec::{Code, Severity, Verdict};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The manifest's file names in the package folder.
pub const MANIFEST_CSV: &str = "manifest.csv";
/// See [`MANIFEST_CSV`].
pub const MANIFEST_XLSX: &str = "manifest.xlsx";

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct PackageOptions {
    /// A table of texts (`.csv`, `.tsv`, `.xlsx`): name, text.
    pub texts: Option<PathBuf>,
    /// The format of every file in the package; `None`: a conforming file
    /// keeps its own, the others become WAV.
    pub to: Option<OutputFormat>,
    /// The WAV rate of every WAV in the package; `None`: a conforming WAV
    /// keeps its own (8000 or 11025 Hz), the others get the rate
    /// `voxprep check` advises.
    pub rate: Option<u32>,
    /// Everything else about converting (level, trimming, VOX encoder,
    /// decoding, `force`); its format and rate are set per file. When it
    /// asks for a level or trimming, every recording goes through it, the
    /// conforming ones too.
    pub convert: ConvertOptions,
    /// Which file names are accepted.
    pub names: NamePolicy,
}

crate::codes::problem_codes! {
    /// A stable code for what a package finds, beside the check's own codes
    /// (which the check of each recording reports).
    pub enum FilingCode;
    /// A recording has no text, or an empty one.
    NoText = "no-text", Error, "a recording has no text, or an empty one (it is still in the package; its text cell is empty)";
    /// A text (a `.txt` file, a row of the table) names no recording.
    NoRecording = "no-recording", Error, "a `.txt` or a table row names no recording";
    /// A recording's name cannot be used in the notice.
    BadName = "bad-name", Error, "the name cannot be used in `【语音通知文件】APPID\\|模板ID\\|录音文件名` (see below); not written";
    /// Two recordings would be filed under one name.
    NameClash = "name-clash", Error, "two recordings would be filed under one name, compared without case (`Bye.wav`, `bye.mp3`); neither is written";
    /// A recording cannot be made conforming (unreadable, conversion failed).
    RecordingFails = "recording-fails", Error, "the recording cannot be read or converted; not written";
    /// An input path cannot be walked.
    Unreadable = "unreadable-input", Error, "an input path cannot be read (missing, no permission)";
    /// A text file cannot be read.
    UnreadableText = "unreadable-text", Error, "a text file cannot be read (I/O error, not text, larger than 1 MiB)";
    /// The table names a recording twice, with different texts.
    DuplicateText = "duplicate-text", Error, "the table gives one name two different texts";
    /// The text's speech rate is implausible for the recording's duration.
    TextMismatch = "text-mismatch", Warning, "the text's speech rate does not fit the recording's duration: it may belong to another recording";
    /// The table and the `.txt` beside a recording give different texts;
    /// the table's is used.
    TextConflict = "text-conflict", Warning, "the table and the `.txt` disagree; the table's text is used";
    /// A text was not UTF-8 and was read as GB18030 or UTF-16.
    TextEncoding = "text-encoding", Warning, "a text was read as GB18030 or UTF-16";
    /// The filed file conforms, with warnings (clipping, silence...).
    RecordingWarns = "recording-warns", Warning, "the filed file conforms but check warns (clipping, silence, ...)";
}

/// One thing a package found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Error or warning (the code's).
    pub severity: Severity,
    /// The stable code.
    pub code: FilingCode,
    /// What it concerns: a file, or `table.csv row 7`.
    pub subject: String,
    /// A sentence for a person.
    pub message: String,
}

impl Finding {
    fn new(code: FilingCode, subject: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            severity: code.severity(),
            code,
            subject: subject.into(),
            message: message.into(),
        }
    }
}

/// Where a text came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "from")]
pub enum TextSource {
    /// A `.txt` beside the recording.
    File {
        /// The file.
        path: PathBuf,
    },
    /// A row of the table.
    Table {
        /// The table.
        path: PathBuf,
        /// The row, from 1.
        row: usize,
    },
}

impl std::fmt::Display for TextSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextSource::File { path } => write!(f, "{}", path.display()),
            TextSource::Table { path, row } => write!(f, "{} row {row}", path.display()),
        }
    }
}

/// What was done with a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Copied byte for byte: it conforms as it is.
    Copied,
    /// Converted.
    Converted,
    /// Not written (see its findings).
    Left,
}

/// A file in the package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Filed {
    /// Where it is.
    pub path: PathBuf,
    /// Its size, bytes.
    pub size_bytes: u64,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
    /// Its duration, seconds, as `voxprep check` reports it.
    pub duration_s: f64,
    /// Billing units per call.
    pub billing_units: u64,
    /// What it is, e.g. `WAV PCM 16-bit mono 8000 Hz`.
    pub format: String,
}

/// One recording of the package.
#[derive(Debug, Clone, Serialize)]
pub struct Recording {
    /// The input file.
    pub input: PathBuf,
    /// The name it is filed under (what the notice names).
    pub name: String,
    /// The text spoken in it, when one was found.
    pub text: Option<String>,
    /// Where the text came from.
    pub text_source: Option<TextSource>,
    /// Copied, converted, or left out.
    pub action: Action,
    /// The file in the package, when written.
    pub filed: Option<Filed>,
    /// The check of the filed file (of the input when none was written).
    pub check: FileReport,
    /// The text against the duration, when both are known.
    pub speech: Option<super::rate::RateJudgement>,
    /// What was found about this recording.
    pub findings: Vec<Finding>,
}

impl Recording {
    /// Whether anything found about it is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// A finished package.
#[derive(Debug, Clone, Serialize)]
pub struct Package {
    /// The package folder.
    pub outdir: PathBuf,
    /// Every recording found, sorted by the name it is filed under.
    pub recordings: Vec<Recording>,
    /// What was found beyond single recordings: texts without a recording,
    /// table rows that repeat a name, inputs that cannot be walked.
    pub findings: Vec<Finding>,
    /// The manifest's rows (recordings written), in name order.
    pub manifest: Vec<ManifestRow>,
    /// The manifest's totals.
    pub totals: manifest::Totals,
    /// The manifest files written.
    pub manifest_files: Vec<PathBuf>,
}

impl Package {
    /// Every finding, the recordings' first.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> {
        self.recordings
            .iter()
            .flat_map(|r| &r.findings)
            .chain(&self.findings)
    }

    /// Whether the package is complete: no finding is an error.
    pub fn is_complete(&self) -> bool {
        self.all_findings().all(|f| f.severity != Severity::Error)
    }
}

/// A recording on its way through the steps.
struct Work {
    rec: Recording,
    /// The conversion to run, when converting.
    convert: Option<ConvertOptions>,
}

/// Build a package in `outdir` from the recordings and texts under `inputs`.
/// `on_done` is called once per recording as it is written or left (from
/// any thread), for a progress bar.
///
/// A recording without a text is still written (the manifest shows the
/// empty text), so that the text can be filled in; one whose name cannot be
/// filed, that clashes with another, or that cannot be made conforming is
/// not. Problems with recordings and texts are [`Finding`]s; the package is
/// complete when none is an error ([`Package::is_complete`]).
///
/// # Errors
/// Before anything is written: [`Error::Usage`] when an output or the
/// manifest exists (without `convert.force`), an output would replace an
/// input, the package folder is inside an input folder, or no recording is
/// found; the table's own read errors. Afterwards: I/O errors writing the
/// manifest.
pub fn build_package(
    inputs: &[PathBuf],
    outdir: &Path,
    opts: &PackageOptions,
    on_done: &(dyn Fn(&Path) + Sync),
) -> Result<Package> {
    opts.convert.validate()?;
    refuse_outdir_inside_inputs(inputs, outdir)?;
    let table = opts.texts.as_deref().map(texts::read_table).transpose()?;
    let found = batch::collect(inputs, |p| batch::is_audio(p) || is_text_file(p));
    let mut findings: Vec<Finding> = found
        .errors
        .iter()
        .map(|(path, e)| {
            Finding::new(
                FilingCode::Unreadable,
                path.display().to_string(),
                e.to_string(),
            )
        })
        .collect();
    let (recordings, beside): (Vec<PathBuf>, Vec<PathBuf>) = found
        .files
        .into_iter()
        .map(|(_, file)| file)
        .partition(|p| !is_text_file(p));
    if recordings.is_empty() {
        return Err(Usage::NoInputs("package: no recordings found under the inputs".into()).into());
    }

    // 2-3. Check, decide, name.
    let check_opts = CheckOptions {
        advise: true,
        analyse_signal: true,
        vox_rate: opts.convert.decode.vox_rate,
        input_rate: opts.convert.decode.input_rate,
        ..opts.convert.check.clone()
    };
    let mut work: Vec<Work> = recordings
        .par_iter()
        .map(|input| plan(input, check_path(input, &check_opts), opts))
        .collect();
    refuse_clashes(&mut work);

    // 4. Texts.
    pair_texts(&mut work, &beside, table.as_ref(), &mut findings);

    // 5. Refuse before writing anything.
    refuse_existing(&work, outdir, opts.convert.force)?;
    fs::create_dir_all(outdir).map_err(|e| Error::io(outdir, e))?;

    // 6. Write.
    let mut recordings: Vec<Recording> = work
        .into_par_iter()
        .map(|w| {
            let rec = write(w, outdir, opts.convert.force);
            on_done(&rec.input);
            rec
        })
        .collect();
    recordings.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.input.cmp(&b.input)));

    // 7. The manifest.
    let rows: Vec<ManifestRow> = recordings.iter().filter_map(manifest_row).collect();
    let mut manifest_files = Vec::new();
    for (name, bytes) in [
        (MANIFEST_CSV, manifest::to_csv(&rows)?),
        (MANIFEST_XLSX, manifest::to_xlsx(&rows)?),
    ] {
        let path = outdir.join(name);
        write_atomically(&path, &bytes, opts.convert.force)?;
        manifest_files.push(path);
    }
    findings.sort_by(|a, b| a.subject.cmp(&b.subject));
    Ok(Package {
        outdir: outdir.to_path_buf(),
        totals: manifest::Totals::of(&rows),
        manifest: rows,
        recordings,
        findings,
        manifest_files,
    })
}

/// `.txt`, any case.
fn is_text_file(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
}

/// A package folder inside (or equal to) an input folder would be walked as
/// recordings on the next run.
fn refuse_outdir_inside_inputs(inputs: &[PathBuf], outdir: &Path) -> Result<()> {
    let Some(out) = crate::convert::canonical_target(outdir) else {
        return Ok(());
    };
    for input in inputs.iter().filter(|p| p.is_dir()) {
        if let Ok(dir) = input.canonicalize()
            && out.starts_with(&dir)
        {
            return Err(Usage::OutputInsideInput {
                output: outdir.to_path_buf(),
                input: input.clone(),
            }
            .into());
        }
    }
    Ok(())
}

/// Decide what becomes of one checked recording, and its name.
fn plan(input: &Path, check: FileReport, opts: &PackageOptions) -> Work {
    let native = match check.container.as_deref() {
        Some("wav") => Some(OutputFormat::Wav),
        Some("vox") => Some(OutputFormat::Vox),
        _ => None,
    };
    let conforming = check.verdict != Verdict::Fail && native.is_some();
    let c = &opts.convert;
    let processing = c.level != Level::Unchanged || c.trim.is_some();
    let format_kept = opts.to.is_none_or(|t| Some(t) == native);
    let rate_kept =
        native == Some(OutputFormat::Vox) || opts.rate.is_none_or(|r| check.sample_rate == Some(r));
    let file_name = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = input
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut rec = Recording {
        input: input.to_path_buf(),
        name: String::new(),
        text: None,
        text_source: None,
        action: Action::Left,
        filed: None,
        check,
        speech: None,
        findings: Vec::new(),
    };
    let mut convert = None;
    // A conforming WAV whose only fault is its layout (an unusual fmt chunk,
    // stray or trailing bytes) is rewritten with the same samples.
    let layout_only = native == Some(OutputFormat::Wav)
        && rec
            .check
            .problems
            .iter()
            .any(|p| LAYOUT_CODES.contains(&p.code));
    if let (true, false, true, true, false, Some(fmt)) = (
        conforming,
        processing,
        format_kept,
        rate_kept,
        layout_only,
        native,
    ) {
        // Copied: the name is kept, unless it does not say the format.
        let ext_ok = input
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case(fmt.extension()));
        rec.name = if ext_ok {
            file_name
        } else {
            format!("{stem}.{}", fmt.extension())
        };
        rec.action = Action::Copied;
    } else if let Some(why) = cannot_convert(&rec.check) {
        rec.name = file_name;
        rec.findings.push(Finding::new(
            FilingCode::RecordingFails,
            input.display().to_string(),
            why,
        ));
    } else {
        let format = opts
            .to
            .unwrap_or(if conforming && native == Some(OutputFormat::Vox) {
                OutputFormat::Vox
            } else {
                OutputFormat::Wav
            });
        let rate = match (format, opts.rate, &rec.check.fix) {
            (OutputFormat::Vox, _, _) => crate::spec::VOX_RATE,
            (_, Some(r), _) => r,
            (_, None, Some(Fix::Convert { rate, .. })) => *rate,
            (_, None, _) => rec
                .check
                .sample_rate
                .filter(|r| matches!(r, 8000 | 11025))
                .unwrap_or(8000),
        };
        rec.name = format!("{stem}.{}", format.extension());
        rec.action = Action::Converted;
        // Only the layout is at fault, and nothing else was asked for: the
        // samples go through untouched (no high-pass).
        let untouched = conforming && !processing && format_kept && rate_kept && layout_only;
        convert = Some(ConvertOptions {
            format,
            rate,
            remove_dc: opts.convert.remove_dc && !untouched,
            ..opts.convert.clone()
        });
    }
    let utf8 = input.file_name().is_some_and(|n| n.to_str().is_some());
    let bad_name = if utf8 {
        name_problem(&rec.name, opts.names)
    } else {
        Some("is not valid UTF-8, so it cannot be written in the notice".to_string())
    };
    if let Some(why) = bad_name {
        rec.findings.push(Finding::new(
            FilingCode::BadName,
            input.display().to_string(),
            format!("cannot be filed as {:?}: the name {why}", rec.name),
        ));
        rec.action = Action::Left;
        convert = None;
    }
    Work { rec, convert }
}

/// Warnings about a WAV's layout alone, which rewriting the file cures
/// without touching a sample.
const LAYOUT_CODES: [Code; 4] = [
    Code::FmtUnusualSize,
    Code::TrailingBytes,
    Code::StrayBytes,
    Code::MissingPadByte,
];

/// Why a recording that needs converting cannot be, or `None`.
fn cannot_convert(check: &FileReport) -> Option<String> {
    let errors = || {
        check
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| format!("{}: {}", p.code, p.message))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match &check.fix {
        Some(Fix::CannotConvert { reason }) => Some(format!("{}; {reason}", errors())),
        _ if check.is_unreadable() => Some(errors()),
        _ => None,
    }
}

/// Two recordings filed under one name (compared without case: the
/// provider's systems and half the file systems do not tell `A.wav` from
/// `a.wav`) are both left out.
fn refuse_clashes(work: &mut [Work]) {
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, w) in work.iter().enumerate() {
        if w.rec.action != Action::Left {
            by_name
                .entry(w.rec.name.to_lowercase())
                .or_default()
                .push(i);
        }
    }
    for group in by_name.values().filter(|g| g.len() > 1) {
        let inputs: Vec<String> = group
            .iter()
            .map(|&i| work[i].rec.input.display().to_string())
            .collect();
        for &i in group {
            let w = &mut work[i];
            let others: Vec<&str> = inputs
                .iter()
                .filter(|s| **s != w.rec.input.display().to_string())
                .map(String::as_str)
                .collect();
            w.rec.findings.push(Finding::new(
                FilingCode::NameClash,
                w.rec.input.display().to_string(),
                format!(
                    "would be filed as {:?}, like {}: the notice names a recording by its \
                     file name only; rename one",
                    w.rec.name,
                    others.join(", ")
                ),
            ));
            w.rec.action = Action::Left;
            w.convert = None;
        }
    }
}

/// Pair every recording with its text; report texts without a recording.
fn pair_texts(
    work: &mut [Work],
    beside: &[PathBuf],
    table: Option<&Table>,
    findings: &mut Vec<Finding>,
) {
    // The table: rows by exact name, and by lower-case name.
    let mut rows: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut rows_lower: HashMap<String, Vec<usize>> = HashMap::new();
    let mut used_rows = Vec::new();
    if let Some(t) = table {
        for (i, r) in t.rows.iter().enumerate() {
            rows.entry(r.name.as_str()).or_default().push(i);
            rows_lower.entry(r.name.to_lowercase()).or_default().push(i);
        }
        used_rows = vec![false; t.rows.len()];
        for same in rows.values().filter(|v| v.len() > 1) {
            let first = &t.rows[same[0]];
            if same.iter().any(|&i| t.rows[i].text != first.text) {
                let at: Vec<String> = same.iter().map(|&i| t.rows[i].row.to_string()).collect();
                findings.push(Finding::new(
                    FilingCode::DuplicateText,
                    format!("{} rows {}", t.path.display(), at.join(", ")),
                    format!(
                        "{:?} is given different texts; the first (row {}) is used",
                        first.name, first.row
                    ),
                ));
            }
        }
    }
    // Texts beside: by folder and stem.
    let mut files: HashMap<(PathBuf, String), usize> = HashMap::new();
    for (i, p) in beside.iter().enumerate() {
        let key = (parent(p), stem(p));
        files.insert(key, i);
    }
    let mut used_files = vec![false; beside.len()];

    for w in work.iter_mut() {
        let input = w.rec.input.clone();
        let subject = input.display().to_string();
        let from_table = table.and_then(|t| {
            let names = [file_name(&input), w.rec.name.clone(), stem(&input)];
            let hit = names
                .iter()
                .find_map(|n| rows.get(n.as_str()))
                .or_else(|| names.iter().find_map(|n| rows_lower.get(&n.to_lowercase())))?;
            for &i in hit {
                used_rows[i] = true;
            }
            let r = &t.rows[hit[0]];
            Some((
                r.text.clone(),
                TextSource::Table {
                    path: t.path.clone(),
                    row: r.row,
                },
            ))
        });
        let from_file = files.get(&(parent(&input), stem(&input))).and_then(|&i| {
            used_files[i] = true;
            let path = &beside[i];
            match texts::read_text_file(path) {
                Ok((text, enc)) => {
                    if enc != TextEncoding::Utf8 {
                        w.rec.findings.push(Finding::new(
                            FilingCode::TextEncoding,
                            path.display().to_string(),
                            format!(
                                "not UTF-8; read as {}: look at the text in the manifest",
                                enc.as_str()
                            ),
                        ));
                    }
                    Some((text, TextSource::File { path: path.clone() }))
                }
                Err(e) => {
                    w.rec.findings.push(Finding::new(
                        FilingCode::UnreadableText,
                        path.display().to_string(),
                        e.to_string(),
                    ));
                    None
                }
            }
        });
        let chosen = match (from_table, from_file) {
            (Some(t), Some(f)) => {
                if t.0 != f.0 && !f.0.is_empty() {
                    w.rec.findings.push(Finding::new(
                        FilingCode::TextConflict,
                        subject.clone(),
                        format!(
                            "{} and {} give different texts; the table's is used",
                            t.1, f.1
                        ),
                    ));
                }
                Some(t)
            }
            (t, f) => t.or(f),
        };
        match chosen {
            Some((text, source)) if !text.is_empty() => {
                w.rec.text = Some(text);
                w.rec.text_source = Some(source);
            }
            Some((_, source)) => w.rec.findings.push(Finding::new(
                FilingCode::NoText,
                subject,
                format!("its text ({source}) is empty"),
            )),
            None => w.rec.findings.push(Finding::new(
                FilingCode::NoText,
                subject,
                format!(
                    "has no text: put it in {} or in a table of texts",
                    input.with_extension("txt").display()
                ),
            )),
        }
    }
    for (p, _) in beside.iter().zip(&used_files).filter(|(_, used)| !**used) {
        findings.push(Finding::new(
            FilingCode::NoRecording,
            p.display().to_string(),
            "is beside no recording of the same name".to_string(),
        ));
    }
    if let Some(t) = table {
        for (r, _) in t.rows.iter().zip(&used_rows).filter(|(_, used)| !**used) {
            findings.push(Finding::new(
                FilingCode::NoRecording,
                format!("{} row {}", t.path.display(), r.row),
                format!("names {:?}, which is not among the recordings", r.name),
            ));
        }
    }
}

fn parent(p: &Path) -> PathBuf {
    p.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Refuse, naming every one, outputs that exist (without `force`); refuse
/// outright an output that is its input or is not a regular file.
fn refuse_existing(work: &[Work], outdir: &Path, force: bool) -> Result<()> {
    let mut exist = Vec::new();
    let names = work
        .iter()
        .filter(|w| w.rec.action != Action::Left)
        .map(|w| (Some(&w.rec.input), w.rec.name.as_str()))
        .chain([(None, MANIFEST_CSV), (None, MANIFEST_XLSX)]);
    for (input, name) in names {
        let target = outdir.join(name);
        if input.is_some_and(|i| same_file(i, &target)) {
            return Err(Usage::OutputIsInput(target).into());
        }
        match writable_target(&target, force) {
            Ok(_) => {}
            Err(Error::Usage(Usage::OutputExists(p))) => exist.push(p),
            Err(e) => return Err(e),
        }
    }
    exist.sort();
    match exist.is_empty() {
        true => Ok(()),
        false => Err(Usage::OutputsExist(exist).into()),
    }
}

/// Copy or convert one recording, then hash it and judge its text.
fn write(w: Work, outdir: &Path, force: bool) -> Recording {
    let Work { mut rec, convert } = w;
    let target = outdir.join(&rec.name);
    let subject = rec.input.display().to_string();
    let written = match (rec.action, convert) {
        (Action::Copied, _) => copy(&rec.input, &target, force).map(|()| {
            let mut check = rec.check.clone();
            check.path = target.clone();
            let warnings = check
                .problems
                .iter()
                .map(|p| format!("check: {}: {}", p.code, p.message))
                .collect();
            (check, warnings)
        }),
        (Action::Converted, Some(opts)) => {
            convert_file(&rec.input, &target, &opts).map(|c| (c.check.clone(), c.warnings.clone()))
        }
        _ => return rec,
    };
    let hashed = written.and_then(|(check, warnings)| {
        let (size_bytes, sha256) = hash(&target)?;
        let filed = Filed {
            path: target.clone(),
            size_bytes,
            sha256,
            duration_s: check.duration_s.unwrap_or(0.0),
            billing_units: check.billing_units.unwrap_or(0),
            format: format_label(&check),
        };
        Ok((check, warnings, filed))
    });
    let (check, warnings) = match hashed {
        Ok((check, warnings, filed)) => {
            rec.filed = Some(filed);
            (check, warnings)
        }
        Err(e) => {
            rec.findings.push(Finding::new(
                FilingCode::RecordingFails,
                subject,
                e.to_string(),
            ));
            rec.action = Action::Left;
            return rec;
        }
    };
    for warning in warnings {
        rec.findings.push(Finding::new(
            FilingCode::RecordingWarns,
            subject.clone(),
            warning,
        ));
    }
    rec.check = check;
    if let (Some(text), Some(voiced)) = (&rec.text, super::rate::voiced_seconds(&rec.check)) {
        let judged = super::rate::judge(
            super::rate::count(text),
            voiced,
            &super::rate::Limits::default(),
        );
        if let Some(warning) = judged
            .as_ref()
            .and_then(super::rate::RateJudgement::warning)
        {
            rec.findings
                .push(Finding::new(FilingCode::TextMismatch, subject, warning));
        }
        rec.speech = judged;
    }
    rec
}

/// `WAV PCM 16-bit mono 8000 Hz`, `VOX Dialogic ADPCM 4-bit mono 8000 Hz`.
fn format_label(check: &FileReport) -> String {
    let rate = check.sample_rate.unwrap_or(0);
    match check.container.as_deref() {
        Some("vox") => format!("VOX Dialogic ADPCM 4-bit mono {rate} Hz"),
        _ => format!("WAV PCM 16-bit mono {rate} Hz"),
    }
}

/// Copy `input` to `target` through a temporary file.
fn copy(input: &Path, target: &Path, force: bool) -> Result<()> {
    let mut from = fs::File::open(input).map_err(|e| Error::io(input, e))?;
    write_through(target, force, |to| std::io::copy(&mut from, to).map(drop))
}

/// Write `bytes` to `target` through a temporary file.
fn write_atomically(target: &Path, bytes: &[u8], force: bool) -> Result<()> {
    use std::io::Write;
    write_through(target, force, |to| to.write_all(bytes))
}

/// Fill a temporary file beside where `target` really is (the file a link
/// points to), sync it, and move it into place; errors name `target`.
fn write_through(
    target: &Path,
    force: bool,
    fill: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> Result<()> {
    let real = resolve_output(target)?;
    let ext = target.extension().and_then(|e| e.to_str()).unwrap_or("tmp");
    let tmp = TempFile::create_beside(&real, ext)?;
    let mut to = fs::File::create(tmp.path()).map_err(|e| Error::io(target, e))?;
    fill(&mut to)
        .and_then(|()| to.sync_all())
        .map_err(|e| Error::io(target, e))?;
    tmp.persist(&real, force)
        .map_err(|e| on_output(e, &real, target))
}

/// Size and SHA-256 of a file.
fn hash(path: &Path) -> Result<(u64, String)> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f = fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    let hex = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((size, hex))
}

/// The manifest row of a recording that was written.
fn manifest_row(r: &Recording) -> Option<ManifestRow> {
    let f = r.filed.as_ref()?;
    let mut notes: Vec<String> = Vec::new();
    if r.text.is_none() {
        notes.push("no text (缺少录音文字)".into());
    }
    for finding in &r.findings {
        match finding.code {
            FilingCode::TextMismatch => notes.push(finding.message.clone()),
            FilingCode::TextConflict | FilingCode::TextEncoding => {
                notes.push(finding.code.to_string())
            }
            _ => {}
        }
    }
    let warned: Vec<String> = r
        .check
        .problems
        .iter()
        .map(|p| p.code.to_string())
        .collect();
    if !warned.is_empty() {
        notes.push(format!("check: {}", warned.join(", ")));
    }
    Some(ManifestRow {
        name: r.name.clone(),
        text: r.text.clone().unwrap_or_default(),
        duration_s: f.duration_s,
        billing_units: f.billing_units,
        format: f.format.clone(),
        size_bytes: f.size_bytes,
        sha256: f.sha256.clone(),
        note: notes.join("; "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's table of findings is [`FilingCode::ALL`], in order,
    /// with each code's severity.
    #[test]
    fn readme_table_is_the_code_enum() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("| finding | severity | meaning |")
            .expect("README has the table of findings");
        let rows: Vec<[String; 3]> = readme[start..]
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
                [cells[0].trim_matches('`'), cells[1], cells[2]].map(str::to_string)
            })
            .collect();
        let want: Vec<[String; 3]> = FilingCode::ALL
            .iter()
            .map(|c| [c.as_str(), c.severity().as_str(), c.meaning()].map(str::to_string))
            .collect();
        assert_eq!(rows, want);
        crate::codes::assert_vocabulary(
            FilingCode::ALL,
            FilingCode::as_str,
            FilingCode::meaning,
            FilingCode::parse,
        );
    }
}
