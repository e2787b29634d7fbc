//! The filing package (`voxprep package`, `voxprep::filing`): a folder of
//! recordings in mixed formats, texts beside some and in a table for others,
//! one recording without a text, one text without a recording, one name with
//! `|`. The library's semantics first, then the command.

use crate::common::{fixture, voxprep};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use voxprep::check::{CheckOptions, check_path};
use voxprep::filing::names::NamePolicy;
use voxprep::filing::{Action, FilingCode, Package, PackageOptions, build_package};
use voxprep::spec::Verdict;

/// The fixture folder copied into a temporary one, plus `bad|name.wav` (a
/// conforming WAV with a text beside it: only its name is wrong). Returns
/// (temporary dir, prompts folder, table of texts).
fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let prompts = dir.path().join("prompts");
    fs::create_dir(&prompts).unwrap();
    for e in fs::read_dir(fixture("filing/prompts")).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), prompts.join(e.file_name())).unwrap();
    }
    fs::copy(prompts.join("goodbye.wav"), prompts.join("bad|name.wav")).unwrap();
    fs::write(
        prompts.join("bad|name.txt"),
        "Thank you for calling. Goodbye.",
    )
    .unwrap();
    let table = dir.path().join("texts.csv");
    fs::copy(fixture("filing/texts.csv"), &table).unwrap();
    (dir, prompts, table)
}

fn package(inputs: &[PathBuf], out: &Path, opts: &PackageOptions) -> Package {
    build_package(inputs, out, opts, &|_| {}).unwrap()
}

fn with_table(table: &Path) -> PackageOptions {
    PackageOptions {
        texts: Some(table.to_path_buf()),
        ..PackageOptions::default()
    }
}

/// `found` (from [`codes`]) holds `code` for the file named `name`.
#[track_caller]
fn assert_found(found: &[(FilingCode, String)], code: FilingCode, name: &str) {
    assert!(found.contains(&(code, name.into())), "{found:?}");
}

fn codes(p: &Package) -> Vec<(FilingCode, String)> {
    let mut v: Vec<(FilingCode, String)> = p
        .all_findings()
        .map(|f| {
            let subject = Path::new(&f.subject)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (f.code, subject)
        })
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.as_str().cmp(b.0.as_str())));
    v
}

fn sha256(p: &Path) -> String {
    Sha256::digest(fs::read(p).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_mixed_folder_becomes_a_package_with_its_gaps_reported() {
    let (dir, prompts, table) = workspace();
    let out = dir.path().join("filing");
    let p = package(std::slice::from_ref(&prompts), &out, &with_table(&table));

    // What was done with each recording.
    let done: Vec<(&str, Action)> = p
        .recordings
        .iter()
        .map(|r| (r.name.as_str(), r.action))
        .collect();
    assert_eq!(
        done,
        [
            ("bad|name.wav", Action::Left),
            ("goodbye.wav", Action::Copied),
            ("hello.wav", Action::Copied),
            ("hours.vox", Action::Copied),
            ("menu.wav", Action::Converted),
            ("thanks.wav", Action::Converted),
            ("welcome.wav", Action::Converted),
        ]
    );

    // What is missing or wrong, and only that.
    let found = codes(&p);
    for want in [
        (FilingCode::BadName, "bad|name.wav"),
        (FilingCode::NoText, "thanks.flac"),
        (FilingCode::NoRecording, "orphan.txt"),
        (FilingCode::TextMismatch, "hello.wav"),
    ] {
        assert!(
            found.contains(&(want.0, want.1.to_string())),
            "{want:?} not in {found:?}"
        );
    }
    let errors: Vec<_> = p
        .all_findings()
        .filter(|f| f.severity == voxprep::spec::Severity::Error)
        .collect();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    // The one text far too long for its recording, and no other.
    let mismatched: Vec<&str> = p
        .recordings
        .iter()
        .filter(|r| {
            r.findings
                .iter()
                .any(|f| f.code == FilingCode::TextMismatch)
        })
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(mismatched, ["hello.wav"]);
    let hello = p.recordings.iter().find(|r| r.name == "hello.wav").unwrap();
    let judged = hello.speech.as_ref().unwrap();
    assert!(judged.rate > 4.5, "{judged:?}");
    let welcome = p
        .recordings
        .iter()
        .find(|r| r.name == "welcome.wav")
        .unwrap();
    assert!((1.0..=4.5).contains(&welcome.speech.as_ref().unwrap().rate));
    assert!(!p.is_complete());

    // Texts: beside, from the table by full name and by stem.
    let text = |name: &str| {
        p.recordings
            .iter()
            .find(|r| r.name == name)
            .and_then(|r| r.text.clone())
    };
    assert_eq!(
        text("welcome.wav").as_deref(),
        Some("Welcome to the example company.")
    );
    assert_eq!(
        text("menu.wav").as_deref(),
        Some("For sales, press one. For support, press two.")
    );
    assert_eq!(
        text("hours.vox").as_deref(),
        Some("We are open from nine to five, Monday to Friday.")
    );
    assert_eq!(text("thanks.wav"), None);

    // Every recording in the package conforms, copies are the same bytes,
    // and the manifest holds check's durations and the files' hashes.
    let mut in_package: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    in_package.sort();
    assert_eq!(
        in_package,
        [
            "goodbye.wav",
            "hello.wav",
            "hours.vox",
            "manifest.csv",
            "manifest.xlsx",
            "menu.wav",
            "thanks.wav",
            "welcome.wav"
        ]
    );
    assert_eq!(p.manifest.len(), 6);
    for row in &p.manifest {
        let path = out.join(&row.name);
        let check = check_path(&path, &CheckOptions::default());
        assert_ne!(
            check.verdict,
            Verdict::Fail,
            "{}: {:?}",
            row.name,
            check.problems
        );
        assert_eq!(Some(row.duration_s), check.duration_s, "{}", row.name);
        assert_eq!(Some(row.billing_units), check.billing_units, "{}", row.name);
        assert_eq!(row.sha256, sha256(&path), "{}", row.name);
        assert_eq!(row.size_bytes, fs::metadata(&path).unwrap().len());
    }
    for copied in ["goodbye.wav", "hello.wav", "hours.vox"] {
        assert_eq!(
            fs::read(out.join(copied)).unwrap(),
            fs::read(prompts.join(copied)).unwrap(),
            "{copied} is copied byte for byte"
        );
    }
    let thanks = p.manifest.iter().find(|r| r.name == "thanks.wav").unwrap();
    assert!(thanks.text.is_empty() && thanks.note.contains("no text"));
    assert_eq!(p.totals.recordings, 6);
    assert_eq!(
        p.totals.billing_units,
        p.manifest.iter().map(|r| r.billing_units).sum::<u64>()
    );
    // The inputs are untouched.
    assert!(prompts.join("thanks.flac").exists());
}

#[test]
fn existing_outputs_are_refused_before_anything_is_written() {
    let (dir, prompts, table) = workspace();
    let out = dir.path().join("filing");
    let first = package(std::slice::from_ref(&prompts), &out, &with_table(&table));
    let csv_before = fs::read(out.join("manifest.csv")).unwrap();
    let e = build_package(
        std::slice::from_ref(&prompts),
        &out,
        &with_table(&table),
        &|_| {},
    )
    .unwrap_err();
    assert!(
        matches!(e.usage(), Some(voxprep::Usage::OutputsExist(v)) if v.len() == 8),
        "{e}"
    );
    assert_eq!(fs::read(out.join("manifest.csv")).unwrap(), csv_before);
    // With force, the same package again.
    let mut force = with_table(&table);
    force.convert.force = true;
    let again = package(std::slice::from_ref(&prompts), &out, &force);
    assert_eq!(again.manifest, first.manifest);
    // A package folder inside an input folder is refused.
    let inside = prompts.join("filing");
    let e = build_package(std::slice::from_ref(&prompts), &inside, &force, &|_| {}).unwrap_err();
    assert!(
        matches!(e.usage(), Some(voxprep::Usage::OutputInsideInput { .. })),
        "{e}"
    );
    assert!(!inside.exists());
}

#[test]
fn names_clash_without_case_and_the_policy_decides_what_is_portable() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in");
    fs::create_dir(&src).unwrap();
    let wav = fixture("filing/prompts/goodbye.wav");
    fs::copy(&wav, src.join("Bye.wav")).unwrap();
    fs::copy(fixture("filing/prompts/welcome.mp3"), src.join("bye.mp3")).unwrap();
    fs::copy(&wav, src.join("欢迎.wav")).unwrap();
    for n in ["Bye", "bye", "欢迎"] {
        fs::write(
            src.join(format!("{n}.txt")),
            "Thank you for calling. Goodbye.",
        )
        .unwrap();
    }
    let p = package(
        std::slice::from_ref(&src),
        &dir.path().join("o1"),
        &PackageOptions::default(),
    );
    let found = codes(&p);
    assert_found(&found, FilingCode::NameClash, "Bye.wav");
    assert_found(&found, FilingCode::NameClash, "bye.mp3");
    assert_found(&found, FilingCode::BadName, "欢迎.wav");
    assert!(p.manifest.is_empty());
    let any = PackageOptions {
        names: NamePolicy::Any,
        ..PackageOptions::default()
    };
    let p = package(std::slice::from_ref(&src), &dir.path().join("o2"), &any);
    let names: Vec<&str> = p.manifest.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["欢迎.wav"]);
}

#[test]
fn texts_in_gbk_utf16_and_excel_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in");
    fs::create_dir(&src).unwrap();
    let wav = fixture("filing/prompts/goodbye.wav");
    for n in ["a", "b", "c", "d"] {
        fs::copy(&wav, src.join(format!("{n}.wav"))).unwrap();
    }
    let zh = "感谢您的来电，再见。";
    let (gbk, _, _) = encoding_rs::GBK.encode(zh);
    fs::write(src.join("a.txt"), &gbk).unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(zh.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    fs::write(src.join("b.txt"), utf16).unwrap();
    // c and d: from a workbook, c by its stem and d by its file name; the
    // header row is skipped.
    let xlsx = dir.path().join("texts.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, (name, text)) in [("文件名", "录音文字"), ("c", zh), ("d.wav", "再见")]
        .iter()
        .enumerate()
    {
        sheet.write_string(r as u32, 0, *name).unwrap();
        sheet.write_string(r as u32, 1, *text).unwrap();
    }
    book.save(&xlsx).unwrap();
    let p = package(
        std::slice::from_ref(&src),
        &dir.path().join("o"),
        &with_table(&xlsx),
    );
    let texts: HashMap<&str, &str> = p
        .manifest
        .iter()
        .map(|r| (r.name.as_str(), r.text.as_str()))
        .collect();
    assert_eq!(texts["a.wav"], zh);
    assert_eq!(texts["b.wav"], zh);
    assert_eq!(texts["c.wav"], zh);
    assert_eq!(texts["d.wav"], "再见");
    let found = codes(&p);
    assert_found(&found, FilingCode::TextEncoding, "a.txt");
    assert_found(&found, FilingCode::TextEncoding, "b.txt");
}

// ---- the command ----

/// The manifest's CSV as rows of cells (the byte-order mark removed).
fn read_csv(p: &Path) -> Vec<Vec<String>> {
    let bytes = fs::read(p).unwrap();
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("a UTF-8 byte-order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn the_command_writes_a_manifest_that_check_and_excel_agree_with() {
    let (dir, prompts, table) = workspace();
    let out = dir.path().join("filing");
    let run = voxprep()
        .arg("package")
        .arg(&prompts)
        .arg("-o")
        .arg(&out)
        .arg("--texts")
        .arg(&table)
        .run()
        .code(1)
        .stdout_has("no-text")
        .stdout_has("no-recording")
        .stdout_has("bad-name")
        .stdout_has("contains '|'")
        .stdout_has("not ready to file");
    drop(run);

    // The CSV's durations are check's, file by file.
    let rows = read_csv(&out.join("manifest.csv"));
    assert_eq!(rows[0][0], "文件名 (file name)");
    assert_eq!(rows.len(), 1 + 6 + 1, "header, six recordings, totals");
    let report = voxprep()
        .args(["check", "--format", "json"])
        .arg(&out)
        .run()
        .json();
    let checked: HashMap<String, f64> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let name = Path::new(f["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, f["duration_s"].as_f64().unwrap())
        })
        .collect();
    for row in &rows[1..7] {
        let d: f64 = row[2].parse().unwrap();
        assert_eq!(Some(&d), checked.get(&row[0]), "{}", row[0]);
    }
    let total: f64 = rows[7][2].parse().unwrap();
    let sum: f64 = rows[1..7]
        .iter()
        .map(|r| r[2].parse::<f64>().unwrap())
        .sum();
    assert!((total - sum).abs() < 1e-6);
    assert!(rows[7][0].starts_with("合计"));

    // The workbook holds the same cells.
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto(out.join("manifest.xlsx")).unwrap();
    let sheet = book.worksheet_range("manifest").unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert_eq!(cells, rows);

    // JSON: the same package.
    let json = voxprep()
        .arg("package")
        .arg(&prompts)
        .arg("-o")
        .arg(&out)
        .arg("--texts")
        .arg(&table)
        .args(["--force", "--format", "json"])
        .run()
        .code(1)
        .json();
    assert_eq!(json["manifest"].as_array().unwrap().len(), 6);
    assert_eq!(json["totals"]["recordings"], 6);
}

#[test]
fn the_command_names_its_flag_for_a_name_only_the_relaxed_policy_takes() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in");
    fs::create_dir(&src).unwrap();
    fs::copy(fixture("filing/prompts/goodbye.wav"), src.join("再见.wav")).unwrap();
    fs::write(src.join("再见.txt"), "Thank you for calling. Goodbye.").unwrap();
    voxprep()
        .arg("package")
        .arg(&src)
        .arg("-o")
        .arg(dir.path().join("o1"))
        .run()
        .code(1)
        .stdout_has("bad-name")
        .stdout_has("--names any accepts it");
    voxprep()
        .arg("package")
        .arg(&src)
        .arg("-o")
        .arg(dir.path().join("o2"))
        .args(["--names", "any"])
        .run()
        .success();
}

#[test]
fn the_command_exits_0_when_ready_and_2_when_it_would_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in");
    fs::create_dir(&src).unwrap();
    for n in ["welcome.mp3", "welcome.txt", "goodbye.wav", "goodbye.txt"] {
        fs::copy(fixture(&format!("filing/prompts/{n}")), src.join(n)).unwrap();
    }
    let out = dir.path().join("filing");
    voxprep()
        .arg("package")
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .run()
        .success()
        .stdout_has("ready to file");
    voxprep()
        .arg("package")
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .run()
        .code(2)
        .stderr_has("exist")
        .stderr_has("--force");
    voxprep()
        .arg("package")
        .arg(&src)
        .arg("-o")
        .arg(dir.path().join("o2"))
        .args(["--format", "csv"])
        .run()
        .code(2);
}

/// A FIFO (or device) where a recording or the manifest would go is refused
/// with `force` too, before anything is written.
#[cfg(unix)]
#[test]
fn a_fifo_in_the_package_folder_is_refused_even_with_force() {
    let (dir, prompts, table) = workspace();
    let out = dir.path().join("filing");
    fs::create_dir(&out).unwrap();
    let fifo = out.join("manifest.csv");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut force = with_table(&table);
    force.convert.force = true;
    let e = build_package(std::slice::from_ref(&prompts), &out, &force, &|_| {}).unwrap_err();
    assert!(
        matches!(e.usage(), Some(voxprep::Usage::OutputNotAFile { output, .. }) if *output == fifo),
        "{e}"
    );
    let listed: Vec<_> = fs::read_dir(&out).unwrap().collect();
    assert_eq!(listed.len(), 1, "nothing written beside the FIFO");
}

/// A conforming WAV whose only fault is its layout (a 17-byte fmt chunk,
/// which sox cannot read) is rewritten, not copied: the canonical header,
/// the same samples.
#[test]
fn a_wav_with_an_unusual_fmt_chunk_is_rewritten_with_the_same_samples() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in");
    fs::create_dir(&src).unwrap();
    let input = src.join("odd.wav");
    fs::copy(fixture("wav/warn-fmt-17-bytes.wav"), &input).unwrap();
    fs::write(src.join("odd.txt"), "A tone.").unwrap();
    let p = package(
        std::slice::from_ref(&src),
        &dir.path().join("o"),
        &PackageOptions::default(),
    );
    let r = &p.recordings[0];
    assert_eq!(r.action, Action::Converted);
    let out = fs::read(dir.path().join("o/odd.wav")).unwrap();
    let data = fs::read(&input).unwrap();
    assert_eq!(&out[12..20], b"fmt \x10\0\0\0");
    assert_eq!(&out[44..], &data[data.len() - 1600..]);
    assert!(
        r.check
            .problems
            .iter()
            .all(|p| p.code != voxprep::spec::Code::FmtUnusualSize)
    );
}
