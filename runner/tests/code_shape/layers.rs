//! The runner's layers: a command module (`runner/src/commands/*.rs`) is a thin adapter over
//! the application layer (`session/`) and the output manager (`output.rs`), so it names no other
//! command module, and it writes no file itself.

use std::path::{Path, PathBuf};

use super::source::{self, Token};

/// Every command module of the runner (not `mod.rs`, the dispatcher that names them all), with
/// its tokens (comments, literals and `#[cfg(test)]` items blanked).
pub fn command_modules() -> Vec<(PathBuf, Vec<Token>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
    let mut out = Vec::new();
    // An unreadable directory lists nothing, which the tests refuse (they expect the commands).
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") || path.ends_with("mod.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let code = source::strip_tests(&source::blank_comments_and_literals(&text));
        out.push((path, source::tokenize(&code)));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The command names: the file stems of `runner/src/commands/*.rs`.
pub fn command_names(modules: &[(PathBuf, Vec<Token>)]) -> Vec<String> {
    modules
        .iter()
        .filter_map(|(p, _)| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .collect()
}

/// Where `tokens` name another command module: `crate::commands…` anywhere, or `super::X` /
/// `super::{…, X, …}` with `X` a command other than `own`. `(line, what)` each.
pub fn imports_of_commands(tokens: &[Token], own: &str, names: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let other = |t: &Token| t.text != own && names.iter().any(|n| t.is(n));
    for (i, t) in tokens.iter().enumerate() {
        let next = |k: usize| tokens.get(i + k);
        if t.is("crate")
            && next(1).is_some_and(|n| n.is("::"))
            && next(2).is_some_and(|n| n.is("commands"))
        {
            out.push((t.line, "crate::commands".to_owned()));
        }
        if !(t.is("super") && next(1).is_some_and(|n| n.is("::"))) {
            continue;
        }
        match next(2) {
            Some(n) if other(n) => out.push((t.line, format!("super::{}", n.text))),
            Some(n) if n.is("{") => {
                let group = tokens[i + 3..].iter().take_while(|t| !t.is("}"));
                for n in group.filter(|n| other(n)) {
                    out.push((n.line, format!("super::{{{}}}", n.text)));
                }
            }
            _ => {}
        }
    }
    out
}

/// Where `tokens` write a file: `atomic::write`, `fs::write`, `File::create` or `OpenOptions`.
pub fn file_writes(tokens: &[Token]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if t.is("OpenOptions") {
            out.push((t.line, "OpenOptions".to_owned()));
        }
        let (Some(sep), Some(name)) = (tokens.get(i + 1), tokens.get(i + 2)) else {
            continue;
        };
        let call = (t.text.as_str(), name.text.as_str());
        if sep.is("::") && matches!(call, ("atomic" | "fs", "write") | ("File", "create")) {
            out.push((t.line, format!("{}::{}", call.0, call.1)));
        }
    }
    out
}
