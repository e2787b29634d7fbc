//! `-` as an input: standard input spooled to a private temporary file, so
//! that the library reads it like any file (seeking, reading twice), and
//! named by what its first bytes are. The file is removed when dropped.

use anyhow::Context;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The name `-` stands for standard input (and output, where one file goes).
pub const DASH: &str = "-";

/// Whether `path` is `-`.
pub fn is_dash(path: &Path) -> bool {
    path.as_os_str() == DASH
}

/// Standard input, copied to a file (removed, with its folder, when dropped).
#[derive(Debug)]
pub struct Spooled {
    _dir: Scratch,
    /// The copy: `stdin.wav` for a WAV (so that it is judged as one),
    /// `stdin` otherwise (judged by its content).
    pub path: PathBuf,
}

/// Copy standard input to a file in a new private folder under the system's
/// temporary folder.
pub fn spool() -> anyhow::Result<Spooled> {
    let scratch = scratch_dir()?;
    let mut stdin = std::io::stdin().lock();
    let mut head = Vec::with_capacity(voxprep::sniff::SNIFF_LEN);
    (&mut stdin)
        .take(voxprep::sniff::SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .context("cannot read standard input")?;
    let name = match voxprep::sniff::sniff(&head) {
        Some("wav" | "rifx" | "rf64" | "bw64") => "stdin.wav",
        _ => "stdin",
    };
    let spooled = Spooled {
        path: scratch.path.join(name),
        _dir: scratch,
    };
    let mut file = std::fs::File::create(&spooled.path)
        .with_context(|| format!("cannot write {}", spooled.path.display()))?;
    file.write_all(&head)
        .and_then(|()| std::io::copy(&mut stdin, &mut file).map(drop))
        .and_then(|()| file.flush())
        .context("cannot copy standard input to a temporary file")?;
    Ok(spooled)
}

/// A private temporary folder, removed when dropped.
#[derive(Debug)]
pub struct Scratch {
    pub path: PathBuf,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A new private folder under the system's temporary folder.
pub fn scratch_dir() -> anyhow::Result<Scratch> {
    let path = std::env::temp_dir().join(format!(
        ".voxprep-stdio-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(&path)
        .with_context(|| format!("cannot make a temporary folder in {}", path.display()))?;
    Ok(Scratch { path })
}
