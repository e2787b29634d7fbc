//! The shape of the code, held to what issue 15 set: one problem
//! vocabulary, no import cycle between the library's modules, no CLI words
//! in the library. Read from the sources, so a change that breaks the shape
//! fails here instead of in review.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, with its text minus comments and minus its
/// `#[cfg(test)] mod tests` block (tests may say anything).
fn sources() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                let text = std::fs::read_to_string(&path).expect("source");
                let text = match text
                    .find("\n#[cfg(test)]\nmod tests")
                    .or_else(|| text.find("\n#[cfg(test)]\npub(crate) mod tests"))
                {
                    Some(at) => text[..at].to_string(),
                    None => text,
                };
                let code: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect();
                let rel = path.strip_prefix(&root).expect("under src").to_path_buf();
                out.push((rel, code.join("\n")));
            }
        }
    }
    out.sort();
    out
}

/// The library module a file belongs to (`wav` for `src/wav/chunks.rs`),
/// `None` for the binary (`main.rs`, `cli/`) and `lib.rs`.
fn module(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (!matches!(name, "main" | "cli" | "lib")).then(|| name.to_string())
}

/// `crate::x` and `crate::{x, y}` references of a text.
fn crate_refs(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let names: Vec<&str> = if let Some(list) = rest.strip_prefix('{') {
            let end = list.find('}').unwrap_or(list.len());
            list[..end].split(',').collect()
        } else {
            vec![rest]
        };
        for n in names {
            let ident: String = n
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !ident.is_empty() {
                out.insert(ident);
            }
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, code) in sources() {
        let Some(m) = module(&rel) else { continue };
        let refs: Vec<String> = crate_refs(&code)
            .into_iter()
            .filter(|r| *r != m && r != "self" && r != "super")
            .collect();
        g.entry(m).or_default().extend(refs);
    }
    g
}

#[test]
fn library_modules_import_each_other_without_a_cycle() {
    let g = graph();
    // Depth-first search for a back edge.
    fn visit(
        g: &BTreeMap<String, BTreeSet<String>>,
        m: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == m) {
            return Some(path[at..].to_vec());
        }
        if !done.insert(m.to_string()) {
            return None;
        }
        path.push(m.to_string());
        for next in g.get(m).into_iter().flatten() {
            if let Some(cycle) = visit(g, next, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    for m in g.keys() {
        let found = visit(&g, m, &mut Vec::new(), &mut BTreeSet::new());
        assert!(found.is_none(), "import cycle {found:?} in {g:#?}");
    }
    // The edges issue 15 removed stay removed: facts do not know the policy.
    for fact in ["wav", "signal", "vox", "sniff", "billing"] {
        assert!(
            !g.get(fact).is_some_and(|r| r.contains("spec")),
            "{fact} imports spec: {g:#?}"
        );
    }
}

#[test]
fn problem_codes_are_spelled_only_in_the_code_enum() {
    use voxprep::spec::Code;
    let mut found = Vec::new();
    for (rel, code) in sources() {
        if rel == Path::new("spec/code.rs") {
            continue;
        }
        for c in Code::ALL {
            if code.contains(&format!("\"{}\"", c.as_str())) {
                found.push(format!("{}: \"{}\"", rel.display(), c.as_str()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "code literals outside spec/code.rs: {found:#?}"
    );
}

#[test]
fn library_messages_name_no_cli_flag_or_command() {
    let mut found = Vec::new();
    for (rel, code) in sources() {
        if module(&rel).is_none() {
            continue;
        }
        // String literals only: "...".
        for literal in code.split('"').skip(1).step_by(2) {
            let flag = literal.match_indices("--").any(|(at, _)| {
                literal[at + 2..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase())
            });
            let command = [
                "voxprep check",
                "voxprep convert",
                "voxprep cost",
                "voxprep send",
            ]
            .iter()
            .any(|c| literal.contains(c));
            if flag || command {
                found.push(format!("{}: {literal:?}", rel.display()));
            }
        }
    }
    assert!(found.is_empty(), "CLI words in the library: {found:#?}");
}
