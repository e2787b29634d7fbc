//! Walking files and folders, and running one check per file in parallel.
//!
//! [`collect`] turns the paths given on a command line into a sorted list of
//! files (shared by `check` and `convert`); [`check_all`] checks them on all
//! cores and returns the reports sorted by path, so that output is
//! deterministic whatever the scheduling.

use crate::check::{self, CheckOptions, FileReport};
use crate::report::Report;
use crate::{Error, spec};
use rayon::prelude::*;
use std::io;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// What a walk found.
#[derive(Debug, Default)]
pub struct Collected {
    /// `(root, file)` pairs in walk order: roots in the order given, entries
    /// sorted by file name within each folder. For a file given directly the
    /// root is the file itself. `file.strip_prefix(root)` mirrors the tree.
    pub files: Vec<(PathBuf, PathBuf)>,
    /// Files in folders that `is_wanted` turned down (non-audio files).
    pub skipped: usize,
    /// Paths that could not be walked (missing root, unreadable folder...).
    pub errors: Vec<(PathBuf, Error)>,
}

/// Walk `roots`: a file is taken as given whatever its name; a folder is
/// walked recursively (without following symbolic links to folders, so there
/// are no loops, and without entering or counting hidden files and folders,
/// whose names start with `.`) and its files are kept when `is_wanted` says
/// so, the others counted in [`Collected::skipped`]. A symbolic link to a file inside a folder
/// is treated as that file; a dangling one with a wanted name is an error.
pub fn collect(roots: &[PathBuf], is_wanted: impl Fn(&Path) -> bool) -> Collected {
    let mut out = Collected::default();
    for root in roots {
        match std::fs::metadata(root) {
            Err(e) => {
                out.errors.push((root.clone(), Error::io(root, e)));
                continue;
            }
            Ok(meta) if !meta.is_dir() => {
                out.files.push((root.clone(), root.clone()));
                continue;
            }
            Ok(_) => {}
        }
        let walk = WalkDir::new(root).follow_links(false).sort_by_file_name();
        // Hidden entries below the root are not walked: macOS `._name.wav`
        // resource forks, `.git`, editors' and voxprep's own temporary files.
        for entry in walk
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_hidden(e))
        {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let path = e.path().unwrap_or(root).to_path_buf();
                    out.errors
                        .push((path.clone(), Error::io(path, io::Error::from(e))));
                    continue;
                }
            };
            let path = entry.path();
            let ft = entry.file_type();
            let is_file = if ft.is_symlink() {
                // Follow a link only to see whether it ends at a file; links to
                // folders are not descended (no loops).
                match std::fs::metadata(path) {
                    Ok(m) => m.is_file(),
                    // A dangling link with a wanted name is a file we cannot read.
                    Err(e) if is_wanted(path) => {
                        out.errors.push((path.to_path_buf(), Error::io(path, e)));
                        continue;
                    }
                    Err(_) => false,
                }
            } else {
                ft.is_file()
            };
            if !is_file {
                continue;
            }
            if is_wanted(path) {
                out.files.push((root.clone(), path.to_path_buf()));
            } else {
                out.skipped += 1;
            }
        }
    }
    out
}

/// A name starting with `.`.
fn is_hidden(entry: &walkdir::DirEntry) -> bool {
    entry.file_name().as_encoded_bytes().first() == Some(&b'.')
}

/// Whether `path` has an extension `check` looks at in folders: `.wav`,
/// `.vox` and other audio formats (which fail as not accepted).
pub fn is_audio(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(spec::is_audio_extension)
}

/// Check every audio file under `roots` in parallel (rayon's global pool).
/// `on_done` is called once per file as it finishes, from any thread (for a
/// progress bar); `on_collected` once with the number of files before the
/// checks start. Walk errors become fail rows. Rows are sorted by path.
/// The `.vox` files are then judged against each other
/// folder by folder ([`check::judge_vox_rates`]).
pub fn check_all(
    roots: &[PathBuf],
    opts: &CheckOptions,
    on_collected: impl FnOnce(usize),
    on_done: impl Fn(&FileReport) + Sync,
) -> Report {
    let collected = collect(roots, is_audio);
    on_collected(collected.files.len());
    let mut files: Vec<FileReport> = collected
        .files
        .par_iter()
        .map(|(_, path)| {
            let r = check::check_path(path, opts);
            on_done(&r);
            r
        })
        .collect();
    files.extend(
        collected
            .errors
            .iter()
            .map(|(path, e)| FileReport::unreadable(path, e)),
    );
    files.sort_by(|a, b| a.path.cmp(&b.path));
    check::judge_vox_rates(&mut files);
    Report {
        files,
        skipped: collected.skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn collects_sorted_skips_non_audio_and_reports_missing_roots() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir_all(d.join("b/sub")).unwrap();
        for f in [
            "b/z.wav",
            "b/a.WAV",
            "b/sub/m.vox",
            "b/notes.txt",
            "b/sub/x.mp3",
            "c.txt",
        ] {
            fs::write(d.join(f), b"x").unwrap();
        }
        let roots = vec![d.join("b"), d.join("c.txt"), d.join("missing")];
        let c = collect(&roots, is_audio);
        let names: Vec<_> = c
            .files
            .iter()
            .map(|(_, p)| p.strip_prefix(d).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            ["b/a.WAV", "b/sub/m.vox", "b/sub/x.mp3", "b/z.wav", "c.txt"]
        );
        assert_eq!(c.files[0].0, d.join("b"));
        assert_eq!(c.files[4].0, d.join("c.txt"));
        assert_eq!(c.skipped, 1);
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].0, d.join("missing"));
    }

    #[test]
    fn hidden_entries_below_a_root_are_not_walked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(".prompts");
        fs::create_dir_all(root.join(".git")).unwrap();
        for f in [
            "a.wav",
            "._a.wav",
            ".a.wav.4242-0.tmp.wav",
            ".git/b.wav",
            ".notes",
        ] {
            fs::write(root.join(f), b"x").unwrap();
        }
        // A hidden root is walked; a hidden file named as a root is taken.
        let c = collect(&[root.clone(), root.join("._a.wav")], is_audio);
        let files: Vec<_> = c.files.iter().map(|(_, p)| p.clone()).collect();
        assert_eq!(files, [root.join("a.wav"), root.join("._a.wav")]);
        assert_eq!(c.skipped, 0);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir(d.join("a")).unwrap();
        fs::write(d.join("a/one.wav"), b"x").unwrap();
        std::os::unix::fs::symlink(d, d.join("a/loop")).unwrap();
        std::os::unix::fs::symlink(d.join("a/one.wav"), d.join("a/two.wav")).unwrap();
        std::os::unix::fs::symlink(d.join("gone"), d.join("a/dangling.wav")).unwrap();
        std::os::unix::fs::symlink(d.join("gone"), d.join("a/dangling.txt")).unwrap();
        let c = collect(&[d.to_path_buf()], is_audio);
        assert_eq!(c.files.len(), 2, "{:?}", c.files);
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].0, d.join("a/dangling.wav"));
    }

    #[test]
    fn check_all_keeps_order_and_turns_errors_into_rows() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for i in 0..20 {
            fs::write(d.join(format!("{i:02}.mp3")), b"ID3").unwrap();
        }
        let roots = vec![d.to_path_buf(), d.join("gone.wav")];
        let count = std::sync::atomic::AtomicUsize::new(0);
        let report = check_all(
            &roots,
            &CheckOptions::default(),
            |n| assert_eq!(n, 20),
            |_| {
                count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            },
        );
        assert_eq!(count.into_inner(), 20);
        assert_eq!(report.files.len(), 21);
        assert!(report.files.windows(2).all(|w| w[0].path <= w[1].path));
        let gone = report
            .files
            .iter()
            .find(|f| f.path.ends_with("gone.wav"))
            .unwrap();
        assert!(gone.is_unreadable());
    }
}
