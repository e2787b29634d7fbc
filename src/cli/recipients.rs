//! `--to`: comma-separated lists and `@FILE`s of numbers, merged and
//! de-duplicated into one [`Recipients`].

use anyhow::Context;
use voxprep::provider::Recipients;

/// Every `--to` value in order: a list (`13800138000,+86 139 0013 9000`) or
/// `@FILE`, one number per line (blank lines and `#` comments skipped).
/// Duplicates across all of them are dropped, with a note on stderr.
pub fn read(to: &[String]) -> anyhow::Result<Recipients> {
    let mut numbers = Vec::new();
    let mut duplicates = 0;
    for item in to {
        let r = if let Some(path) = item.strip_prefix('@') {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("--to @{path}: cannot read the number file"))?;
            Recipients::parse_lines(&text, path)?
        } else {
            Recipients::parse_list(item)?
        };
        duplicates += r.duplicates_removed();
        numbers.extend_from_slice(r.numbers());
    }
    let r = Recipients::new(numbers)?;
    let duplicates = duplicates + r.duplicates_removed();
    if duplicates > 0 {
        eprintln!("voxprep: note: {duplicates} duplicate number(s) dropped");
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_files_merge_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("to.txt");
        std::fs::write(&file, "# team\n13900139000\n\n+86 137 0013 7000\n").unwrap();
        let to = [
            "13800138000,13900139000".to_string(),
            format!("@{}", file.display()),
        ];
        let r = read(&to).unwrap();
        let got: Vec<&str> = r.numbers().iter().map(|m| m.as_str()).collect();
        assert_eq!(got, ["13800138000", "13900139000", "13700137000"]);
        let e = read(&[format!("@{}", dir.path().join("nope").display())]).unwrap_err();
        assert!(e.to_string().contains("cannot read the number file"), "{e}");
    }
}
