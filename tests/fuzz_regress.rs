//! Every input under `tests/fuzz/regress/<target>/` (the crashes the fuzz
//! targets found, and hand-picked nasty inputs) through the same function
//! its fuzz target runs (`tests/fuzz/src/lib.rs`, included here), without
//! libFuzzer: no panic, and the target's invariants hold.

#[path = "fuzz/src/lib.rs"]
mod targets;

use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;

fn regress_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/regress")
}

#[test]
fn every_regression_input_passes_its_target() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for &(name, target) in targets::TARGETS {
        let dir = regress_dir().join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).unwrap();
            replayed += 1;
            if panic::catch_unwind(AssertUnwindSafe(|| target(&bytes))).is_err() {
                failures.push(path.display().to_string());
            }
        }
    }
    assert!(replayed > 0, "no input under {}", regress_dir().display());
    assert!(failures.is_empty(), "panicked on: {failures:#?}");
}

#[test]
fn every_regress_folder_names_a_target() {
    for entry in std::fs::read_dir(regress_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            targets::TARGETS.iter().any(|&(t, _)| t == name),
            "tests/fuzz/regress/{name} is not a fuzz target"
        );
    }
}
