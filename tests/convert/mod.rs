//! Conversion on real-tool fixtures (fixtures/convert/make.sh says how each
//! was made): what a conversion writes, through the library (`convert_file`,
//! `convert_tree`), read back by hound, sox and ffmpeg: each input family
//! (`formats`), level and silence (`level`), what is refused and what is
//! left behind (`failures`), folders (`folders`); the exit codes, flags,
//! reports and signals of `voxprep convert`, through the binary (`cli`).
//!
//! The inputs and setups both sides need are here, once.

#[cfg(feature = "cli")]
mod cli;
mod failures;
mod folders;
mod formats;
mod inputs;
mod level;
#[cfg(feature = "cli")]
mod requests;

use crate::common::fixture;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;
use voxprep::Error;
use voxprep::convert::{Conversion, ConvertOptions, Level, OutputFormat, convert_file};

fn conv(name: &str) -> PathBuf {
    fixture(&format!("convert/{name}"))
}

/// Files in `dir` (names), sorted: to prove nothing stray is left behind.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// No temporary file (a dot file) is left in `dir`.
#[track_caller]
fn assert_no_temporary_files(dir: &Path) {
    let names = listing(dir);
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

/// Every file and folder under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            e.unwrap()
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    v.sort();
    v
}

pub(crate) fn wav_samples(p: &Path) -> (hound::WavSpec, Vec<i16>) {
    let mut r = hound::WavReader::open(p).unwrap();
    let spec = r.spec();
    (spec, r.samples::<i16>().map(|s| s.unwrap()).collect())
}

fn peak_dbfs(samples: &[i16]) -> f64 {
    let peak = samples.iter().map(|&v| i32::from(v).abs()).max().unwrap();
    20.0 * (f64::from(peak) / 32768.0).log10()
}

/// Write a 16-bit mono 8000 Hz WAV with hound.
fn write_wav(path: &Path, samples: impl IntoIterator<Item = i16>) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for s in samples {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
}

/// `dir/silent.wav`: one second of digital silence, whose loudness cannot
/// be measured.
fn silent_wav(dir: &Path) -> PathBuf {
    let path = dir.join("silent.wav");
    write_wav(&path, std::iter::repeat_n(0, 8000));
    path
}

/// Convert, expecting success.
#[track_caller]
fn converted(input: &Path, output: &Path, opts: &ConvertOptions) -> Conversion {
    convert_file(input, output, opts)
        .unwrap_or_else(|e| panic!("{} -> {}: {e}", input.display(), output.display()))
}

/// Convert `input` into a fresh folder, expecting success: the folder
/// (removed on drop), the output (`out.wav` or `out.vox`) and the conversion.
#[track_caller]
fn converted_afresh(input: &Path, opts: &ConvertOptions) -> (TempDir, PathBuf, Conversion) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(format!("out.{}", opts.format.extension()));
    let c = converted(input, &out, opts);
    (dir, out, c)
}

/// One of the conversion's warnings holds `words`.
#[track_caller]
fn assert_warns(c: &Conversion, words: &str) {
    assert!(c.warnings.join("\n").contains(words), "{c:#?}");
}

/// Convert, expecting a failure whose message holds `expect` (in any case)
/// and nothing left in the output's folder; the error.
#[track_caller]
fn refused(input: &Path, output: &Path, opts: &ConvertOptions, expect: &str) -> Error {
    let dir = output.parent().unwrap();
    let before = listing(dir);
    let e = match convert_file(input, output, opts) {
        Ok(c) => panic!("{} converted: {c:#?}", input.display()),
        Err(e) => e,
    };
    assert!(
        e.to_string()
            .to_lowercase()
            .contains(&expect.to_lowercase()),
        "wanted {expect:?} in: {e}"
    );
    assert_eq!(
        listing(dir),
        before,
        "files left behind for {}",
        input.display()
    );
    e
}

fn wav_at(rate: u32) -> ConvertOptions {
    ConvertOptions {
        rate,
        ..ConvertOptions::default()
    }
}

fn vox() -> ConvertOptions {
    ConvertOptions {
        format: OutputFormat::Vox,
        ..ConvertOptions::default()
    }
}

fn with_level(level: Level) -> ConvertOptions {
    ConvertOptions {
        level,
        ..ConvertOptions::default()
    }
}

/// `opts` without the high-pass: the samples as decoded.
fn keep_dc(opts: ConvertOptions) -> ConvertOptions {
    ConvertOptions {
        remove_dc: false,
        ..opts
    }
}

/// `opts` with existing outputs replaced.
fn forced(opts: ConvertOptions) -> ConvertOptions {
    ConvertOptions {
        force: true,
        ..opts
    }
}

// ------------------------------------------------ inputs and setups

/// Inputs at fault, each with the words of its refusal: empty, random
/// bytes, formats convert does not read, and (last) a missing file. The
/// first two are written into `dir`.
fn faulty_inputs(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let empty = dir.join("empty.wav");
    fs::write(&empty, b"").unwrap();
    let random = dir.join("random.mp3");
    let bytes: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    fs::write(&random, bytes).unwrap();
    vec![
        (empty, "empty"),
        (random, "not an audio file"),
        (conv("mp3-in-wav-8000Hz.wav"), "MP3 audio in WAV"),
        (
            conv("rf64-8000Hz-mono.wav"),
            "RF64 (64-bit WAV) is not supported",
        ),
        (dir.join("missing.wav"), "no such file"),
    ]
}

/// `dir/o.wav`, an existing file that is not ours to replace unasked.
fn kept_output(dir: &Path) -> PathBuf {
    let out = dir.join("o.wav");
    fs::write(&out, b"keep me").unwrap();
    out
}

/// [`kept_output`] was replaced by the conversion of
/// `tone-s16-8000Hz-mono.wav`, and nothing else is in its folder.
#[track_caller]
fn assert_replaced(out: &Path) {
    assert_eq!(wav_samples(out).1.len(), 4001);
    assert_eq!(listing(out.parent().unwrap()), ["o.wav"]);
}

/// `dir/in.wav` (a copy of a fixture) and the ways to spell it: itself,
/// through `sub/..`, through `.`, and (on unix) a link to it.
fn input_and_its_spellings(dir: &Path) -> (PathBuf, Vec<PathBuf>) {
    let input = dir.join("in.wav");
    fs::copy(conv("tone-s16-8000Hz-mono.wav"), &input).unwrap();
    fs::create_dir(dir.join("sub")).unwrap();
    let mut spellings = vec![
        input.clone(),
        dir.join("sub/../in.wav"),
        dir.join("./in.wav"),
    ];
    #[cfg(unix)]
    {
        let link = dir.join("link.wav");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        spellings.push(link);
    }
    (input, spellings)
}

/// An output path that cannot be written, and the read-only folder to watch
/// (made writable again on drop, so that it can be removed).
struct Unwritable {
    _dir: TempDir,
    ro: PathBuf,
    target: PathBuf,
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(&self.ro, fs::Permissions::from_mode(0o755));
        }
    }
}

/// A folder we cannot write into. Root ignores permission bits (CI runs as
/// root), so when chmod does not stop us, write below a regular file instead,
/// which fails for everyone.
fn unwritable() -> Unwritable {
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    fs::create_dir(&ro).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
    }
    let probe = ro.join("probe");
    let target = if fs::write(&probe, b"").is_ok() {
        eprintln!(
            "NOTE: running with privileges that ignore folder permissions; using a file-as-folder instead"
        );
        fs::remove_file(&probe).unwrap();
        let blocker = dir.path().join("blocker");
        fs::write(&blocker, b"not a folder").unwrap();
        blocker.join("out.wav")
    } else {
        ro.join("out.wav")
    };
    Unwritable {
        _dir: dir,
        ro,
        target,
    }
}

/// A source tree with three good inputs in folders, one MP3 in WAV (not
/// decoded) and a note (not audio).
fn source_tree() -> TempDir {
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    fs::create_dir_all(s.join("a/b")).unwrap();
    fs::create_dir_all(s.join("c")).unwrap();
    fs::copy(conv("tone-44100Hz-stereo.mp3"), s.join("a/one.mp3")).unwrap();
    fs::copy(conv("tone-48000Hz-mono.flac"), s.join("a/b/two.flac")).unwrap();
    fs::copy(conv("tone-8000Hz.vox"), s.join("three.vox")).unwrap();
    fs::copy(conv("mp3-in-wav-8000Hz.wav"), s.join("c/bad.wav")).unwrap();
    fs::write(s.join("notes.txt"), b"not audio").unwrap();
    src
}

/// [`source_tree`] converted to VOX: mirrored, extension replaced, no
/// folder for the failed file.
const SOURCE_TREE_AS_VOX: [&str; 5] = ["a", "a/b", "a/b/two.vox", "a/one.vox", "three.vox"];

/// A folder whose outputs, converted in place to WAV, would land on
/// inputs: `a.wav` on itself, `b.mp3` and `b.wav` on the same `b.wav` (an
/// input), and `c.ogg` and `c.flac` on the same `c.wav`.
fn clashing_folder() -> TempDir {
    let src = tempfile::tempdir().unwrap();
    let s = src.path();
    fs::copy(conv("tone-s16-8000Hz-mono.wav"), s.join("a.wav")).unwrap();
    fs::copy(conv("tone-44100Hz-stereo.mp3"), s.join("b.mp3")).unwrap();
    fs::copy(conv("tone-s16-8000Hz-mono.wav"), s.join("b.wav")).unwrap();
    fs::copy(conv("tone-44100Hz-stereo.ogg"), s.join("c.ogg")).unwrap();
    fs::copy(conv("tone-48000Hz-mono.flac"), s.join("c.flac")).unwrap();
    src
}

/// The bytes of [`clashing_folder`]'s WAV inputs, to show they are untouched.
fn clashing_inputs(dir: &Path) -> Vec<Vec<u8>> {
    ["a.wav", "b.wav"]
        .map(|f| fs::read(dir.join(f)).unwrap())
        .to_vec()
}
