//! Text and links in the page: everything from a file (paths, messages) is
//! escaped for HTML, and every link to a recording is a percent-encoded
//! path relative to the page. Pure.

use std::path::{Component, Path, PathBuf};

/// `s` as HTML text or attribute value: `& < > " '` as references, and
/// control characters (escape sequences, line breaks, NUL) shown escaped
/// as Rust writes them (`\u{1b}`), so that nothing from a file name can
/// open a tag, end an attribute or break a line.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.extend(c.escape_debug()),
            c => out.push(c),
        }
    }
    out
}

/// `path` (relative to `cwd` unless absolute) without `.` and `..`
/// components, worked out on the names alone (the file may not exist).
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in cwd.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// The link from a page in the folder `from` to the file `to` (both
/// absolute, as [`absolute`] makes them): `../b/c%20d.wav`. Each name's
/// bytes are percent-encoded but for letters, digits and `-._~`, so any
/// name (spaces, `#`, `?`, `%`, non-UTF-8 bytes) reaches its file.
pub fn relative_link(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        // Different roots (another drive): an absolute file URL.
        let names: Vec<String> = to.iter().filter_map(|c| name(*c)).collect();
        return format!("file:///{}", names.join("/"));
    }
    let ups = from[common..].iter().filter(|c| name(**c).is_some());
    let mut parts: Vec<String> = ups.map(|_| "..".to_string()).collect();
    parts.extend(to[common..].iter().filter_map(|c| name(*c)));
    parts.join("/")
}

/// A normal component, percent-encoded; `None` for roots and prefixes.
fn name(c: Component) -> Option<String> {
    match c {
        Component::Normal(n) => Some(percent_encode(&bytes(n))),
        _ => None,
    }
}

#[cfg(unix)]
fn bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    s.as_bytes().to_vec()
}

#[cfg(not(unix))]
fn bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    s.to_string_lossy().into_owned().into_bytes()
}

/// Every byte but ASCII letters, digits and `-._~` as `%XX`.
fn percent_encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for &c in b {
        if c.is_ascii_alphanumeric() || b"-._~".contains(&c) {
            out.push(char::from(c));
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_control_characters() {
        assert_eq!(
            esc("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(esc("a\u{1b}[31mb\nc\0"), "a\\u{1b}[31mb\\nc\\0");
        assert_eq!(esc("语音 ok"), "语音 ok");
    }

    #[test]
    fn links_are_relative_and_percent_encoded() {
        let page = Path::new("/work/reports");
        let cwd = Path::new("/work/lib");
        let f = absolute(cwd, Path::new("./a b/../x/#1 100%?.wav"));
        assert_eq!(f, Path::new("/work/lib/x/#1 100%?.wav"));
        assert_eq!(relative_link(page, &f), "../lib/x/%231%20100%25%3F.wav");
        assert_eq!(relative_link(cwd, &f), "x/%231%20100%25%3F.wav");
        assert_eq!(
            relative_link(page, &absolute(cwd, Path::new("/work/reports/语.wav"))),
            "%E8%AF%AD.wav"
        );
        // `..` past the root stays at the root.
        assert_eq!(
            absolute(Path::new("/"), Path::new("../../a")),
            Path::new("/a")
        );
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_link_byte_for_byte() {
        use std::os::unix::ffi::OsStrExt;
        let f = Path::new("/d").join(std::ffi::OsStr::from_bytes(b"\xff<x>.wav"));
        assert_eq!(relative_link(Path::new("/d"), &f), "%FF%3Cx%3E.wav");
    }
}
